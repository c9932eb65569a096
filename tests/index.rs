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

test_device!(take, take_along_axis);
