//! Integer indexing (`take`, `take_along_axis`) and the scatters
//! (`put_along_axis`, `index_add`) on both backends, against values NumPy
//! printed.

mod common;

use ndgpu::{s, Array, Device, Result};

/// `v = np.arange(24, dtype=np.float32).reshape(2, 3, 4)[:, ::-1, 1::2]`.
fn view(dev: &Device) -> Result<Array<f32>> {
    let a = Array::from_vec(dev, (0..24).map(|x| x as f32).collect(), &[2, 3, 4])?;
    a.slice(s![.., ..;-1, 1..;2])
}

fn take(dev: &Device) -> Result<()> {
    let v = view(dev)?;
    assert_eq!(
        v.to_vec()?,
        vec![9.0, 11.0, 5.0, 7.0, 1.0, 3.0, 21.0, 23.0, 17.0, 19.0, 13.0, 15.0]
    );
    // np.take(v, [[2, 0], [-1, 1]], axis=1)
    let idx = Array::from_slice(dev, &[2, 0, -1, 1], &[2, 2])?;
    let t = v.take(&idx, Some(1))?;
    assert_eq!(t.shape(), &[2, 2, 2, 2]);
    assert_eq!(
        t.to_vec()?,
        vec![
            1.0, 3.0, 9.0, 11.0, 1.0, 3.0, 5.0, 7.0, 13.0, 15.0, 21.0, 23.0, 13.0, 15.0, 17.0, 19.0
        ]
    );
    // A 0-d index drops the axis: np.take(v, 1, axis=2).
    let one = Array::from_slice(dev, &[1u32], &[])?;
    let t = v.take(&one, Some(2))?;
    assert_eq!(t.shape(), &[2, 3]);
    assert_eq!(t.to_vec()?, vec![11.0, 7.0, 3.0, 23.0, 19.0, 15.0]);
    // axis None: the flattened array, any index layout (here reversed).
    let flat = Array::from_slice(dev, &[0, 3, 11], &[3])?.slice(s![..;-1])?;
    assert_eq!(v.take(&flat, None)?.to_vec()?, vec![15.0, 7.0, 9.0]);
    // Empty indices, empty arrays.
    let none = Array::<i32>::zeros(dev, &[0])?;
    assert_eq!(v.take(&none, Some(0))?.shape(), &[0, 3, 2]);
    let e = Array::<f32>::zeros(dev, &[0, 3])?;
    assert_eq!(
        e.take(&Array::from_slice(dev, &[2], &[1])?, Some(1))?
            .shape(),
        &[0, 1]
    );
    // Bool and integer arrays too.
    let b = Array::from_slice(dev, &[true, false, true], &[3])?;
    let i = Array::from_slice(dev, &[2, 1, 1], &[3])?;
    assert_eq!(b.take(&i, Some(0))?.to_vec()?, vec![true, false, false]);
    // Out of range: NumPy's IndexError, nothing allocated.
    let live = dev.memory().live_bytes;
    let bad = Array::from_slice(dev, &[0, 5, -9], &[3])?;
    let after_bad = dev.memory().live_bytes;
    let err = v.take(&bad, Some(2)).unwrap_err().to_string();
    assert_eq!(err, "index 5 is out of bounds for axis 2 with size 2");
    let err = v
        .take(&Array::from_slice(dev, &[-4], &[1])?, Some(1))
        .unwrap_err()
        .to_string();
    assert_eq!(err, "index -4 is out of bounds for axis 1 with size 3");
    assert_eq!(
        v.take(&Array::from_slice(dev, &[-3], &[1])?, Some(1))?
            .shape(),
        &[2, 1, 2]
    );
    assert_eq!(dev.memory().live_bytes, after_bad);
    assert!(after_bad > live);
    assert_eq!(
        v.take(&bad, Some(3)).unwrap_err().to_string(),
        "axis 3 is out of bounds for array of dimension 3"
    );
    Ok(())
}

fn take_along_axis(dev: &Device) -> Result<()> {
    let v = view(dev)?;
    // np.take_along_axis(v, [[[1, 0]], [[0, 1]]], axis=2): broadcast on axis 1.
    let idx = Array::from_slice(dev, &[1, 0, 0, 1], &[2, 1, 2])?;
    let t = v.take_along_axis(&idx, 2)?;
    assert_eq!(t.shape(), &[2, 3, 2]);
    assert_eq!(
        t.to_vec()?,
        vec![11.0, 9.0, 7.0, 5.0, 3.0, 1.0, 21.0, 23.0, 17.0, 19.0, 13.0, 15.0]
    );
    // np.take_along_axis(v, [[[2], [0], [1]]], axis=1): broadcast on axes 0, 2.
    let idx = Array::from_slice(dev, &[2u32, 0, 1], &[1, 3, 1])?;
    assert_eq!(
        v.take_along_axis(&idx, 1)?.to_vec()?,
        vec![1.0, 3.0, 9.0, 11.0, 5.0, 7.0, 13.0, 15.0, 21.0, 23.0, 17.0, 19.0]
    );
    // With argmax(keepdims): the maxima themselves.
    let a = Array::from_slice(dev, &[3, 9, 1, 4, 0, 8], &[2, 3])?;
    let am = a.argmax(1, true)?;
    assert_eq!(a.take_along_axis(&am, 1)?.to_vec()?, vec![9, 8]);
    // NumPy's errors.
    let flat = Array::from_slice(dev, &[1, 2], &[2])?;
    assert_eq!(
        a.take_along_axis(&flat, 1).unwrap_err().to_string(),
        "`indices` and `arr` must have the same number of dimensions"
    );
    let big = Array::from_slice(dev, &[4], &[1, 1])?;
    assert_eq!(
        a.take_along_axis(&big, 1).unwrap_err().to_string(),
        "index 4 is out of bounds for axis 1 with size 3"
    );
    Ok(())
}

fn put_along_axis(dev: &Device) -> Result<()> {
    // Through a negative-step, strided view of a zeroed (2, 3, 4) array.
    let a = Array::<f32>::zeros(dev, &[2, 3, 4])?;
    let v = a.slice(s![.., ..;-1, 1..;2])?;
    let idx = Array::from_slice(dev, &[1, 0, 1, 0, 0, 1], &[2, 3, 1])?;
    let vals = Array::from_slice(dev, &[5.0f32, 6.0, 7.0, 8.0, 9.0, 10.0], &[2, 3, 1])?;
    v.put_along_axis(&idx, &vals, 2)?;
    let mut want = vec![0.0f32; 24];
    for (i, x) in [
        (3, 7.0),
        (5, 6.0),
        (11, 5.0),
        (15, 10.0),
        (17, 9.0),
        (21, 8.0),
    ] {
        want[i] = x;
    }
    assert_eq!(a.to_vec()?, want);
    // Broadcast values and a negative index: np.put_along_axis(b, [[0, -1, 2, 1]], 100, axis=0).
    let b = Array::from_vec(dev, (0..12).collect::<Vec<i32>>(), &[3, 4])?;
    let idx = Array::from_slice(dev, &[0, -1, 2, 1], &[1, 4])?;
    b.put_along_axis(&idx, &Array::full(dev, &[1, 1], 100)?, 0)?;
    assert_eq!(
        b.to_vec()?,
        vec![100, 1, 2, 3, 4, 5, 6, 100, 8, 100, 100, 11]
    );
    // Errors change nothing.
    let bad = Array::from_slice(dev, &[0, 3, 0, 0], &[1, 4])?;
    assert_eq!(
        b.put_along_axis(&bad, &Array::full(dev, &[1, 1], 7)?, 0)
            .unwrap_err()
            .to_string(),
        "index 3 is out of bounds for axis 0 with size 3"
    );
    let ro = b.broadcast_to(&[2, 3, 4])?;
    assert!(ro
        .put_along_axis(
            &Array::from_slice(dev, &[0], &[1, 1, 1])?,
            &Array::full(dev, &[1, 1, 1], 7)?,
            0
        )
        .is_err());
    assert_eq!(
        b.to_vec()?,
        vec![100, 1, 2, 3, 4, 5, 6, 100, 8, 100, 100, 11]
    );
    // bool arrays scatter too.
    let m = Array::<bool>::zeros(dev, &[2, 2])?;
    m.put_along_axis(
        &Array::from_slice(dev, &[1, 0], &[2, 1])?,
        &Array::full(dev, &[1, 1], true)?,
        1,
    )?;
    assert_eq!(m.to_vec()?, vec![false, true, true, false]);
    Ok(())
}

fn index_add(dev: &Device) -> Result<()> {
    // np.add.at(c, (slice(None), [1, 3, 1, -1]), arange(12).reshape(3, 4)).
    let c = Array::<f32>::zeros(dev, &[3, 4])?;
    let idx = Array::from_slice(dev, &[1, 3, 1, -1], &[4])?;
    let src = Array::from_vec(dev, (0..12).map(|x| x as f32).collect(), &[3, 4])?;
    c.index_add(1, &idx, &src)?;
    assert_eq!(
        c.to_vec()?,
        vec![0.0, 2.0, 0.0, 4.0, 0.0, 10.0, 0.0, 12.0, 0.0, 18.0, 0.0, 20.0]
    );
    // A 2-D index and a broadcast scalar: np.add.at(d, [[0, 1], [1, 4]], 3).
    let d = Array::<i32>::zeros(dev, &[5])?;
    d.index_add(
        0,
        &Array::from_slice(dev, &[0u32, 1, 1, 4], &[2, 2])?,
        &Array::full(dev, &[], 3)?,
    )?;
    assert_eq!(d.to_vec()?, vec![3, 6, 0, 0, 3]);
    // Unsigned sums wrap as NumPy's.
    let u = Array::<u32>::zeros(dev, &[4])?;
    u.index_add(
        0,
        &Array::from_slice(dev, &[0, 0, 3], &[3])?,
        &Array::from_slice(dev, &[u32::MAX, 2, 7], &[3])?,
    )?;
    assert_eq!(u.to_vec()?, vec![1, 0, 0, 7]);
    // Into a strided view: every other element of a reversed array.
    let base = Array::<i32>::zeros(dev, &[8])?;
    let view = base.slice(s![..;-2])?;
    view.index_add(
        0,
        &Array::from_slice(dev, &[0, 0, 3], &[3])?,
        &Array::from_slice(dev, &[1, 2, 5], &[3])?,
    )?;
    assert_eq!(base.to_vec()?, vec![0, 5, 0, 0, 0, 0, 0, 3]);
    // Out of range: NumPy's message, nothing written.
    let err = d
        .index_add(
            0,
            &Array::from_slice(dev, &[0, 5], &[2])?,
            &Array::full(dev, &[], 1)?,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "index 5 is out of bounds for axis 0 with size 5"
    );
    assert_eq!(d.to_vec()?, vec![3, 6, 0, 0, 3]);
    // 1M duplicates into 1K bins against a plain loop (integer-valued
    // floats, so any order of the atomic adds gives the exact sum).
    let n = 1 << 20;
    let bins: Vec<i32> = (0..n)
        .map(|i| ((i as u64 * 2654435761) % 1000) as i32)
        .collect();
    let w: Vec<f32> = (0..n).map(|i| (i % 4) as f32).collect();
    let mut want = vec![0.0f32; 1000];
    for (&b, &x) in bins.iter().zip(&w) {
        want[b as usize] += x;
    }
    let h = Array::<f32>::zeros(dev, &[1000])?;
    h.index_add(
        0,
        &Array::from_vec(dev, bins, &[n])?,
        &Array::from_vec(dev, w, &[n])?,
    )?;
    assert_eq!(h.to_vec()?, want);
    Ok(())
}

test_device!(take, take_along_axis, put_along_axis, index_add);
