//! NumPy's shape routines (src/ops/shape.rs) on both backends: values
//! printed by NumPy 2.4 or computed by a plain loop here, views that share
//! the buffer, negative strides, 0-d and empty inputs, and NumPy's error
//! messages for bad input, which changes nothing.

mod common;

use ndgpu::{s, Array, Device, Error, PadMode, Result, Sections};

fn iota(dev: &Device, shape: &[usize]) -> Result<Array<i32>> {
    let n: usize = shape.iter().product();
    Array::from_vec(dev, (0..n as i32).collect(), shape)
}

/// NumPy's `np.arange(10, 22).reshape(4, 3)[::-2]`: rows 3 and 1, a
/// negative-stride view of shape (2, 3).
fn reversed_rows(dev: &Device) -> Result<Array<i32>> {
    Array::from_vec(dev, (10..22).collect(), &[4, 3])?.slice(s![..;-2])
}

fn err_msg<T>(r: Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn concatenate(dev: &Device) -> Result<()> {
    let a = iota(dev, &[2, 3])?;
    let b = reversed_rows(dev)?;
    // np.concatenate([a, b], 0)
    let c = Array::concatenate(&[&a, &b], 0)?;
    assert_eq!(c.shape(), &[4, 3]);
    assert_eq!(c.to_vec()?, vec![0, 1, 2, 3, 4, 5, 19, 20, 21, 13, 14, 15]);
    assert!(c.flags().owndata && !c.shares_memory(&a));
    // np.concatenate([a, b[:, ::-1], a[:, :1]], 1)
    let c = Array::concatenate(&[&a, &b.slice(s![.., ..;-1])?, &a.slice(s![.., ..1])?], 1)?;
    assert_eq!(c.shape(), &[2, 7]);
    assert_eq!(
        c.to_vec()?,
        vec![0, 1, 2, 21, 20, 19, 0, 3, 4, 5, 15, 14, 13, 3]
    );
    // Empty pieces and an empty result.
    let e = Array::<i32>::zeros(dev, &[2, 0])?;
    let c = Array::concatenate(&[&e, &a, &e], 1)?;
    assert_eq!(c.to_vec()?, a.to_vec()?);
    let c = Array::concatenate(&[&e, &e], 1)?;
    assert_eq!((c.shape(), c.len()), (&[2, 0][..], 0));
    // A transposed (F-order) input.
    let c = Array::concatenate(&[&a.t(), &a.t()], 0)?;
    assert_eq!(c.to_vec()?, vec![0, 3, 1, 4, 2, 5, 0, 3, 1, 4, 2, 5]);
    Ok(())
}

fn concatenate_errors(dev: &Device) -> Result<()> {
    let a = iota(dev, &[2, 3])?;
    let before = dev.memory().live_bytes;
    assert_eq!(
        err_msg(Array::<i32>::concatenate(&[], 0)),
        "need at least one array to concatenate"
    );
    let b = Array::<i32>::zeros(dev, &[2, 2])?;
    let e = Array::concatenate(&[&a, &b], 0).unwrap_err();
    assert!(matches!(e, Error::Shape(_)));
    assert_eq!(
        e.to_string(),
        "all the input array dimensions except for the concatenation axis must match exactly, \
         but along dimension 1, the array at index 0 has size 3 and the array at index 1 has size 2"
    );
    let v = Array::<i32>::zeros(dev, &[3])?;
    assert_eq!(
        err_msg(Array::concatenate(&[&a, &v], 0)),
        "all the input arrays must have same number of dimensions, but the array at index 0 \
         has 2 dimension(s) and the array at index 1 has 1 dimension(s)"
    );
    let e = Array::concatenate(&[&a, &a], 2).unwrap_err();
    assert!(matches!(e, Error::Index(_)));
    assert_eq!(
        e.to_string(),
        "axis 2 is out of bounds for array of dimension 2"
    );
    let z = Array::from_slice(dev, &[1], &[])?;
    assert_eq!(
        err_msg(Array::concatenate(&[&z, &z], 0)),
        "zero-dimensional arrays cannot be concatenated"
    );
    if !dev.is_cpu() {
        let other = Array::from_slice(&Device::cpu(), &[0, 1, 2], &[1, 3])?;
        let e = Array::concatenate(&[&a, &other], 0).unwrap_err();
        assert!(matches!(e, Error::DeviceMismatch(..)), "{e}");
    }
    drop((b, v, z));
    assert_eq!(
        dev.memory().live_bytes,
        before,
        "a failed call allocates nothing"
    );
    assert_eq!(a.to_vec()?, (0..6).collect::<Vec<_>>());
    Ok(())
}

fn stacking(dev: &Device) -> Result<()> {
    let a = iota(dev, &[2, 3])?;
    let b = reversed_rows(dev)?;
    // np.stack([a, b], 2)
    let c = Array::stack(&[&a, &b], 2)?;
    assert_eq!(c.shape(), &[2, 3, 2]);
    assert_eq!(c.to_vec()?, vec![0, 19, 1, 20, 2, 21, 3, 13, 4, 14, 5, 15]);
    let c = Array::stack(&[&a, &b], 0)?;
    assert_eq!(c.shape(), &[2, 2, 3]);
    assert_eq!(c.to_vec()?, vec![0, 1, 2, 3, 4, 5, 19, 20, 21, 13, 14, 15]);
    // 0-d inputs stack into a 1-D array.
    let (x, y) = (
        Array::from_slice(dev, &[1.5f32], &[])?,
        Array::from_slice(dev, &[2.5f32], &[])?,
    );
    assert_eq!(Array::stack(&[&x, &y], 0)?.to_vec()?, vec![1.5, 2.5]);
    // np.hstack([np.arange(2), np.array(7), np.arange(3)])
    let h = Array::hstack(&[
        &iota(dev, &[2])?,
        &Array::from_slice(dev, &[7], &[])?,
        &iota(dev, &[3])?,
    ])?;
    assert_eq!(h.to_vec()?, vec![0, 1, 7, 0, 1, 2]);
    let h = Array::hstack(&[&a, &b])?;
    assert_eq!(h.shape(), &[2, 6]);
    assert_eq!(h.to_vec()?, vec![0, 1, 2, 19, 20, 21, 3, 4, 5, 13, 14, 15]);
    // np.vstack([np.arange(3), a])
    let v = Array::vstack(&[&iota(dev, &[3])?, &a])?;
    assert_eq!(v.shape(), &[3, 3]);
    assert_eq!(v.to_vec()?, vec![0, 1, 2, 0, 1, 2, 3, 4, 5]);
    let v = Array::vstack(&[&x, &y])?;
    assert_eq!((v.shape(), v.to_vec()?), (&[2, 1][..], vec![1.5, 2.5]));
    // Errors.
    assert_eq!(
        err_msg(Array::<i32>::stack(&[], 0)),
        "need at least one array to stack"
    );
    assert_eq!(
        err_msg(Array::stack(&[&a, &a.t()], 0)),
        "all input arrays must have the same shape"
    );
    assert_eq!(
        err_msg(Array::stack(&[&a, &a], 3)),
        "axis 3 is out of bounds for array of dimension 3"
    );
    assert_eq!(
        err_msg(Array::<i32>::hstack(&[])),
        "need at least one array to concatenate"
    );
    assert_eq!(
        err_msg(Array::<i32>::vstack(&[])),
        "need at least one array to concatenate"
    );
    assert_eq!(
        err_msg(Array::hstack(&[&iota(dev, &[3])?, &a])),
        "all the input arrays must have same number of dimensions, but the array at index 0 \
         has 1 dimension(s) and the array at index 1 has 2 dimension(s)"
    );
    Ok(())
}

fn splitting(dev: &Device) -> Result<()> {
    let a = iota(dev, &[10])?.reshape(&[5, 2])?;
    // np.array_split(np.arange(10).reshape(5, 2), 3)
    let p = a.array_split(3, 0)?;
    let got: Vec<Vec<i32>> = p.iter().map(|v| v.to_vec()).collect::<Result<_>>()?;
    assert_eq!(got, vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]);
    assert!(p.iter().all(|v| v.shares_memory(&a) && !v.flags().owndata));
    // The pieces are writeable views.
    p[2].fill(-1)?;
    assert_eq!(a.to_vec()?[8..], [-1, -1]);
    // np.split(a, 2, axis=1) on a negative-stride view.
    let r = a.slice(s![..;-1])?;
    let q = r.split(2, 1)?;
    assert_eq!(q[0].shape(), &[5, 1]);
    assert_eq!(q[0].to_vec()?, vec![-1, 6, 4, 2, 0]);
    assert_eq!(q[1].to_vec()?, vec![-1, 7, 5, 3, 1]);
    // Indices: np.split(np.arange(6), [0, 3, 10]) and [4, 2].
    let x = iota(dev, &[6])?;
    let lens = |v: Vec<Array<i32>>| v.iter().map(|p| p.len()).collect::<Vec<_>>();
    assert_eq!(lens(x.split([0, 3, 10], 0)?), vec![0, 3, 3, 0]);
    assert_eq!(lens(x.split(vec![4, 2], 0)?), vec![4, 0, 4]);
    let q = x.split(Sections::Indices(vec![1, 4]), 0)?;
    assert_eq!(q[1].to_vec()?, vec![1, 2, 3]);
    assert_eq!(lens(x.split(&[][..], 0)?), vec![6]);
    // np.array_split(np.arange(2), 4) and splits of an empty axis.
    assert_eq!(lens(iota(dev, &[2])?.array_split(4, 0)?), vec![1, 1, 0, 0]);
    assert_eq!(lens(iota(dev, &[0])?.split(3, 0)?), vec![0, 0, 0]);
    // Errors.
    let e = x.split(4, 0).unwrap_err();
    assert!(matches!(e, Error::Value(_)));
    assert_eq!(
        e.to_string(),
        "array split does not result in an equal division"
    );
    assert_eq!(
        err_msg(x.array_split(0, 0)),
        "number sections must be larger than 0."
    );
    assert_eq!(
        err_msg(x.split(0, 0)),
        "number sections must be larger than 0."
    );
    assert_eq!(
        err_msg(a.split(1, 2)),
        "axis 2 is out of bounds for array of dimension 2"
    );
    assert_eq!(
        err_msg(Array::from_slice(dev, &[1], &[])?.split(1, 0)),
        "axis 0 is out of bounds for array of dimension 0"
    );
    Ok(())
}

fn flips_and_axes(dev: &Device) -> Result<()> {
    let a = iota(dev, &[2, 3])?;
    let f = a.flip(Some(1))?;
    assert_eq!(f.strides(), &[3, -1]);
    assert_eq!(f.to_vec()?, vec![2, 1, 0, 5, 4, 3]);
    assert!(f.shares_memory(&a));
    assert_eq!(a.flip(None)?.to_vec()?, vec![5, 4, 3, 2, 1, 0]);
    assert_eq!(a.flip(Some(0))?.to_vec()?, vec![3, 4, 5, 0, 1, 2]);
    // Flipping a flipped view gives the original order back; writes go through.
    let ff = f.flip(Some(1))?;
    assert_eq!(ff.strides(), &[3, 1]);
    f.slice(s![0, 0])?.fill(9)?; // a[0, 2] = 9
    assert_eq!(a.to_vec()?, vec![0, 1, 9, 3, 4, 5]);
    assert_eq!(ff.to_vec()?, a.to_vec()?);
    // 0-d and empty.
    let z = Array::from_slice(dev, &[7], &[])?;
    assert_eq!(z.flip(None)?.to_vec()?, vec![7]);
    assert_eq!(iota(dev, &[0, 3])?.flip(None)?.shape(), &[0, 3]);
    assert_eq!(
        err_msg(a.flip(Some(2))),
        "axis 2 is out of bounds for array of dimension 2"
    );

    let x = iota(dev, &[2, 3, 4])?;
    // np.moveaxis(x, 2, 0)
    let m = x.moveaxis(2, 0)?;
    assert_eq!(m.shape(), &[4, 2, 3]);
    assert_eq!(
        m.to_vec()?,
        vec![0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23]
    );
    assert!(m.shares_memory(&x));
    assert_eq!(x.moveaxis(0, 2)?.shape(), &[3, 4, 2]);
    assert_eq!(x.moveaxis(1, 1)?.strides(), x.strides());
    assert_eq!(
        err_msg(a.moveaxis(2, 0)),
        "source: axis 2 is out of bounds for array of dimension 2"
    );
    assert_eq!(
        err_msg(a.moveaxis(0, 2)),
        "destination: axis 2 is out of bounds for array of dimension 2"
    );
    let w = x.swapaxes(0, 2)?;
    assert_eq!((w.shape(), w.strides()), (&[4, 3, 2][..], &[1, 4, 12][..]));
    assert_eq!(w.to_vec()?, x.permute(&[2, 1, 0])?.to_vec()?);
    assert_eq!(
        err_msg(a.swapaxes(0, 2)),
        "axis2: axis 2 is out of bounds for array of dimension 2"
    );
    assert_eq!(
        err_msg(iota(dev, &[3])?.swapaxes(1, 0)),
        "axis1: axis 1 is out of bounds for array of dimension 1"
    );
    Ok(())
}

fn diagonals(dev: &Device) -> Result<()> {
    let x = iota(dev, &[2, 3, 4])?;
    // x.diagonal(1, 0, 2)
    let d = x.diagonal(1, 0, 2)?;
    assert_eq!(d.shape(), &[3, 2]);
    assert_eq!(d.to_vec()?, vec![1, 14, 5, 18, 9, 22]);
    // x.diagonal(-1, 2, 1)
    assert_eq!(x.diagonal(-1, 2, 1)?.to_vec()?, vec![1, 6, 11, 13, 18, 23]);
    // Offsets past the plane give an empty diagonal, as NumPy's.
    assert_eq!(x.diagonal(5, 0, 2)?.shape(), &[3, 0]);
    assert_eq!(x.diagonal(-2, 0, 2)?.shape(), &[3, 0]);
    assert_eq!(x.diagonal(isize::MAX, 0, 1)?.len(), 0);
    assert_eq!(x.diagonal(isize::MIN, 0, 1)?.len(), 0);
    // A view, read-only as NumPy's, writeable on request.
    let m = iota(dev, &[3, 3])?;
    let d = m.diagonal(0, 0, 1)?;
    assert!(d.shares_memory(&m) && !d.flags().writeable);
    assert_eq!(d.fill(0).unwrap_err(), Error::ReadOnly);
    d.set_writeable(true)?;
    d.fill(-1)?;
    assert_eq!(m.to_vec()?, vec![-1, 1, 2, 3, -1, 5, 6, 7, -1]);
    // Of a negative-stride view: np.arange(9).reshape(3, 3)[::-1].diagonal()
    let r = iota(dev, &[3, 3])?.slice(s![..;-1])?;
    assert_eq!(r.diagonal(0, 0, 1)?.to_vec()?, vec![6, 4, 2]);
    assert_eq!(r.diagonal(1, 0, 1)?.to_vec()?, vec![7, 5]);
    assert_eq!(
        err_msg(iota(dev, &[3])?.diagonal(0, 0, 1)),
        "diag requires an array of at least two dimensions"
    );
    assert_eq!(
        err_msg(m.diagonal(0, 0, 0)),
        "axis1 and axis2 cannot be the same"
    );
    assert_eq!(
        err_msg(m.diagonal(0, 0, 2)),
        "axis2: axis 2 is out of bounds for array of dimension 2"
    );
    Ok(())
}

fn ravel_and_broadcast(dev: &Device) -> Result<()> {
    let a = iota(dev, &[2, 3])?;
    let r = a.ravel()?;
    assert!(r.shares_memory(&a) && r.shape() == [6]);
    // A C-contiguous view at an offset stays a view.
    let row = a.slice(s![1..])?.ravel()?;
    assert!(row.shares_memory(&a));
    assert_eq!(row.to_vec()?, vec![3, 4, 5]);
    // Non-contiguous: a copy, in C order of the view.
    let t = a.t().ravel()?;
    assert!(!t.shares_memory(&a) && t.flags().owndata);
    assert_eq!(t.to_vec()?, vec![0, 3, 1, 4, 2, 5]);
    assert_eq!(a.flip(Some(1))?.ravel()?.to_vec()?, vec![2, 1, 0, 5, 4, 3]);
    assert_eq!(Array::from_slice(dev, &[4], &[])?.ravel()?.shape(), &[1]);
    assert_eq!(iota(dev, &[0, 3])?.ravel()?.shape(), &[0]);

    let col = Array::from_slice(dev, &[10, 20], &[2, 1])?;
    let v = Array::broadcast_arrays(&[&iota(dev, &[3])?, &col, &a])?;
    assert!(v.iter().all(|x| x.shape() == [2, 3]));
    assert_eq!(v[0].to_vec()?, vec![0, 1, 2, 0, 1, 2]);
    assert_eq!(v[1].to_vec()?, vec![10, 10, 10, 20, 20, 20]);
    assert_eq!(v[1].strides(), &[1, 0]);
    assert!(!v[1].flags().writeable);
    // An input already of the shape comes back as a writeable view of itself.
    assert!(v[2].shares_memory(&a) && v[2].flags().writeable);
    assert!(Array::<i32>::broadcast_arrays(&[])?.is_empty());
    let e = Array::broadcast_arrays(&[&iota(dev, &[3])?, &iota(dev, &[4])?]).unwrap_err();
    assert_eq!(e, Error::Broadcast(vec![vec![3], vec![4]]));
    Ok(())
}

/// NumPy's `np.roll` by a loop: out[(i + shift) mod n] = x[i].
fn roll_ref(x: &[i32], shift: isize) -> Vec<i32> {
    let n = x.len() as i128;
    let mut out = vec![0; x.len()];
    for (i, &v) in x.iter().enumerate() {
        out[(i as i128 + shift as i128).rem_euclid(n) as usize] = v;
    }
    out
}

fn rolling(dev: &Device) -> Result<()> {
    let x = iota(dev, &[2, 3, 4])?;
    // np.roll(x, 5)
    assert_eq!(
        x.roll(5, None)?.to_vec()?,
        vec![19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
    );
    // np.roll(x, -7, 2)
    assert_eq!(
        x.roll(-7, Some(2))?.to_vec()?,
        vec![3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 19, 16, 17, 18, 23, 20, 21, 22]
    );
    let data: Vec<i32> = (0..24).collect();
    for shift in [-25, -24, -1, 0, 1, 23, 24, 100, isize::MIN, isize::MAX] {
        let r = x.roll(shift, None)?;
        assert_eq!(r.shape(), x.shape());
        assert_eq!(r.to_vec()?, roll_ref(&data, shift), "shift {shift}");
    }
    // Along axis 1 of a negative-stride view, against a loop over its rows.
    let v = x.slice(s![.., ..;-1, ..;-2])?; // (2, 3, 2)
    let vv = v.to_vec()?;
    let r = v.roll(2, Some(1))?.to_vec()?;
    for i in 0..2 {
        for k in 0..2 {
            let line: Vec<i32> = (0..3).map(|j| vv[i * 6 + j * 2 + k]).collect();
            let want = roll_ref(&line, 2);
            let got: Vec<i32> = (0..3).map(|j| r[i * 6 + j * 2 + k]).collect();
            assert_eq!(got, want);
        }
    }
    // The flattened roll of a transposed view.
    let t = iota(dev, &[2, 3])?.t();
    assert_eq!(t.roll(1, None)?.to_vec()?, roll_ref(&t.to_vec()?, 1));
    // 0-d and empty.
    assert_eq!(
        Array::from_slice(dev, &[5], &[])?.roll(3, None)?.to_vec()?,
        vec![5]
    );
    assert_eq!(iota(dev, &[0])?.roll(3, None)?.len(), 0);
    assert_eq!(iota(dev, &[2, 0])?.roll(1, Some(0))?.shape(), &[2, 0]);
    assert_eq!(
        err_msg(x.roll(1, Some(3))),
        "axis 3 is out of bounds for array of dimension 3"
    );
    Ok(())
}

fn tile_and_repeat(dev: &Device) -> Result<()> {
    let a = iota(dev, &[2, 3])?;
    // np.tile(a[:, ::-1], (2, 1, 2))
    let t = a.slice(s![.., ..;-1])?.tile(&[2, 1, 2])?;
    assert_eq!(t.shape(), &[2, 2, 6]);
    assert_eq!(
        t.to_vec()?,
        vec![2, 1, 0, 2, 1, 0, 5, 4, 3, 5, 4, 3, 2, 1, 0, 2, 1, 0, 5, 4, 3, 5, 4, 3]
    );
    assert!(t.flags().owndata);
    // np.tile(a, 2): reps shorter than ndim.
    assert_eq!(
        a.tile(&[2])?.to_vec()?,
        vec![0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5]
    );
    // An empty reps is a copy; a zero rep empties the axis; 0-d input.
    let c = a.tile(&[])?;
    assert!(!c.shares_memory(&a) && c.to_vec()? == a.to_vec()?);
    assert_eq!(a.tile(&[0, 1])?.shape(), &[0, 3]);
    let z = Array::from_slice(dev, &[5], &[])?;
    assert_eq!(z.tile(&[2, 3])?.to_vec()?, vec![5; 6]);

    // np.repeat(a.T, 3, 1)
    assert_eq!(
        a.t().repeat(3, Some(1))?.to_vec()?,
        vec![0, 0, 0, 3, 3, 3, 1, 1, 1, 4, 4, 4, 2, 2, 2, 5, 5, 5]
    );
    // Against a loop: flattened, of a negative-stride view.
    let r = reversed_rows(dev)?;
    let want: Vec<i32> = r.to_vec()?.iter().flat_map(|&v| [v, v]).collect();
    assert_eq!(r.repeat(2, None)?.to_vec()?, want);
    assert_eq!(r.repeat(0, Some(0))?.shape(), &[0, 3]);
    assert_eq!(z.repeat(3, None)?.to_vec()?, vec![5, 5, 5]);
    assert_eq!(
        err_msg(a.repeat(2, Some(2))),
        "axis 2 is out of bounds for array of dimension 2"
    );
    // Per-element counts: np.repeat(a[::-1], [2, 0, 1], 1) and
    // np.repeat(a, [1, 0, 2, 0, 0, 3]).
    let rr = a.slice(s![..;-1])?.repeat_each(&[2, 0, 1], Some(1))?;
    assert_eq!(
        (rr.shape(), rr.to_vec()?),
        (&[2, 3][..], vec![3, 3, 5, 0, 0, 2])
    );
    assert_eq!(
        a.repeat_each(&[1, 0, 2, 0, 0, 3], None)?.to_vec()?,
        vec![0, 2, 2, 5, 5, 5]
    );
    assert_eq!(
        a.repeat_each(&[2], Some(0))?.to_vec()?,
        a.repeat(2, Some(0))?.to_vec()?
    );
    assert_eq!(a.repeat_each(&[0, 0], Some(0))?.shape(), &[0, 3]);
    assert_eq!(
        err_msg(a.repeat_each(&[1, 2], Some(1))),
        "operands could not be broadcast together with shape (3,) (2,)"
    );
    assert!(matches!(
        a.repeat_each(&[usize::MAX, 2], Some(0)),
        Err(Error::Shape(_))
    ));
    assert!(matches!(a.tile(&[usize::MAX, 2]), Err(Error::Shape(_))));
    assert!(matches!(a.repeat(usize::MAX, None), Err(Error::Shape(_))));
    Ok(())
}

fn padding(dev: &Device) -> Result<()> {
    let a = iota(dev, &[2, 3])?;
    // np.pad(a, [(1, 0), (2, 1)], constant_values=9)
    let p = a.pad(&[(1, 0), (2, 1)], PadMode::Constant(9))?;
    assert_eq!(p.shape(), &[3, 6]);
    assert_eq!(
        p.to_vec()?,
        vec![9, 9, 9, 9, 9, 9, 9, 9, 0, 1, 2, 9, 9, 9, 3, 4, 5, 9]
    );
    // np.pad(a, [(1, 2), (2, 1)], mode="edge")
    let p = a.pad(&[(1, 2), (2, 1)], PadMode::Edge)?;
    assert_eq!(p.shape(), &[5, 6]);
    assert_eq!(
        p.to_vec()?,
        vec![
            0, 0, 0, 1, 2, 2, 0, 0, 0, 1, 2, 2, 3, 3, 3, 4, 5, 5, 3, 3, 3, 4, 5, 5, 3, 3, 3, 4, 5,
            5
        ]
    );
    // np.pad(a[::-1], [(0, 1), (1, 1)], mode="edge")
    let p = a.slice(s![..;-1])?.pad(&[(0, 1), (1, 1)], PadMode::Edge)?;
    assert_eq!(
        p.to_vec()?,
        vec![3, 3, 4, 5, 5, 0, 0, 1, 2, 2, 0, 0, 1, 2, 2]
    );
    // One pair for every axis; f32; no padding is a copy.
    let f = Array::from_slice(dev, &[1.5f32, 2.5], &[1, 2])?;
    let p = f.pad(&[(1, 1)], PadMode::Constant(-1.0))?;
    assert_eq!(p.shape(), &[3, 4]);
    assert_eq!(
        p.to_vec()?,
        vec![-1.0, -1.0, -1.0, -1.0, -1.0, 1.5, 2.5, -1.0, -1.0, -1.0, -1.0, -1.0]
    );
    let c = a.pad(&[(0, 0)], PadMode::Edge)?;
    assert!(!c.shares_memory(&a) && c.to_vec()? == a.to_vec()?);
    // 0-d and empty.
    let z = Array::from_slice(dev, &[5], &[])?;
    assert_eq!(z.pad(&[(1, 1)], PadMode::Constant(0))?.to_vec()?, vec![5]);
    let e = Array::<f32>::zeros(dev, &[0, 3])?;
    assert_eq!(e.pad(&[(0, 0), (1, 1)], PadMode::Edge)?.shape(), &[0, 5]);
    let p = e.pad(&[(1, 0), (0, 1)], PadMode::Constant(2.0))?;
    assert_eq!((p.shape(), p.to_vec()?), (&[1, 4][..], vec![2.0; 4]));
    // Errors.
    assert_eq!(
        err_msg(e.pad(&[(1, 1), (1, 1)], PadMode::Edge)),
        "can't extend empty axis 0 using modes other than 'constant' or 'empty'"
    );
    assert_eq!(
        err_msg(a.pad(&[(1, 1); 3], PadMode::Constant(0))),
        "operands could not be broadcast together with remapped shapes \
         [original->remapped]: (3,2)  and requested shape (2,2)"
    );
    assert!(matches!(
        a.pad(&[(usize::MAX, 1)], PadMode::Edge),
        Err(Error::Shape(_))
    ));
    Ok(())
}

/// np.tril/np.triu by a loop over the last two axes.
fn tri_ref(x: &[f32], m: usize, n: usize, k: isize, lower: bool) -> Vec<f32> {
    x.iter()
        .enumerate()
        .map(|(i, &v)| {
            let (r, c) = ((i / n % m) as isize, (i % n) as isize);
            let keep = if lower { c - r <= k } else { c - r >= k };
            if keep {
                v
            } else {
                0.0
            }
        })
        .collect()
}

fn triangles(dev: &Device) -> Result<()> {
    let x = iota(dev, &[2, 3, 4])?;
    // np.triu(x, -1)
    assert_eq!(
        x.triu(-1)?.to_vec()?,
        vec![0, 1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 0, 21, 22, 23]
    );
    // np.tril(np.arange(1, 4), 1): a 1-D input broadcasts to (n, n).
    let v = Array::from_slice(dev, &[1, 2, 3], &[3])?;
    let t = v.tril(1)?;
    assert_eq!(
        (t.shape(), t.to_vec()?),
        (&[3, 3][..], vec![1, 2, 0, 1, 2, 3, 1, 2, 3])
    );
    // Every k, both triangles, f32, against the loop; a negative-stride
    // view of shape (3, 4, 5) over a (6, 4, 5) buffer.
    let base = Array::from_vec(dev, (1..=120).map(|i| i as f32).collect(), &[6, 4, 5])?;
    let view = base.slice(s![..;-2, .., ..;-1])?;
    let data = view.to_vec()?;
    for k in [isize::MIN, -9, -4, -3, -1, 0, 1, 2, 4, 5, 9, isize::MAX] {
        assert_eq!(
            view.tril(k)?.to_vec()?,
            tri_ref(&data, 4, 5, k, true),
            "tril {k}"
        );
        assert_eq!(
            view.triu(k)?.to_vec()?,
            tri_ref(&data, 4, 5, k, false),
            "triu {k}"
        );
    }
    // The input is untouched; empty inputs.
    assert_eq!(view.to_vec()?, data);
    assert_eq!(iota(dev, &[0, 3])?.tril(0)?.shape(), &[0, 3]);
    assert_eq!(iota(dev, &[2, 3, 0])?.triu(0)?.shape(), &[2, 3, 0]);
    assert_eq!(iota(dev, &[0])?.triu(0)?.shape(), &[0, 0]);
    assert_eq!(
        err_msg(Array::from_slice(dev, &[1], &[])?.tril(0)),
        "tril requires an array of at least one dimension"
    );
    Ok(())
}

fn diag_and_outer(dev: &Device) -> Result<()> {
    // np.diag(np.array([1.5, 2.5]), -2)
    let v = Array::from_slice(dev, &[1.5f32, 2.5], &[2])?;
    let d = Array::diag(&v, -2)?;
    assert_eq!(d.shape(), &[4, 4]);
    let mut want = vec![0.0f32; 16];
    want[8] = 1.5;
    want[13] = 2.5;
    assert_eq!(d.to_vec()?, want);
    assert_eq!(
        Array::diag(&v.slice(s![..;-1])?, 0)?.to_vec()?,
        vec![2.5, 0.0, 0.0, 1.5]
    );
    // np.diag(np.arange(12).reshape(3, 4), k) for k = 1, -2, 9: copies.
    let m = iota(dev, &[3, 4])?;
    let d = Array::diag(&m, 1)?;
    assert_eq!(d.to_vec()?, vec![1, 6, 11]);
    assert!(!d.shares_memory(&m) && d.flags().writeable);
    assert_eq!(Array::diag(&m, -2)?.to_vec()?, vec![8]);
    assert_eq!(Array::diag(&m, 9)?.len(), 0);
    assert_eq!(Array::diag(&iota(dev, &[0])?, 0)?.shape(), &[0, 0]);
    assert!(matches!(Array::diag(&v, isize::MIN), Err(Error::Shape(_))));
    assert_eq!(
        err_msg(Array::diag(&iota(dev, &[2, 2, 2])?, 0)),
        "Input must be 1- or 2-d."
    );
    assert_eq!(
        err_msg(Array::diag(&Array::from_slice(dev, &[3], &[])?, 0)),
        "Input must be 1- or 2-d."
    );

    // np.outer(a.T, [1, -1]): the first operand is flattened in C order.
    let a = iota(dev, &[2, 3])?;
    let b = Array::from_slice(dev, &[1, -1], &[2])?;
    let o = Array::outer(&a.t(), &b)?;
    assert_eq!(o.shape(), &[6, 2]);
    assert_eq!(o.to_vec()?, vec![0, 0, 3, -3, 1, -1, 4, -4, 2, -2, 5, -5]);
    // Against a loop, with a negative-stride operand; 0-d and empty.
    let r = reversed_rows(dev)?;
    let (rv, av) = (r.to_vec()?, a.to_vec()?);
    let want: Vec<i32> = rv
        .iter()
        .flat_map(|&p| av.iter().map(move |&q| p * q))
        .collect();
    assert_eq!(Array::outer(&r, &a)?.to_vec()?, want);
    let two = Array::from_slice(dev, &[2], &[])?;
    assert_eq!(
        Array::outer(&two, &iota(dev, &[3])?)?.to_vec()?,
        vec![0, 2, 4]
    );
    assert_eq!(Array::outer(&iota(dev, &[0])?, &a)?.shape(), &[0, 6]);
    if !dev.is_cpu() {
        let c = Array::from_slice(&Device::cpu(), &[1], &[1])?;
        assert!(matches!(
            Array::outer(&a, &c),
            Err(Error::DeviceMismatch(..))
        ));
    }
    Ok(())
}

/// A copy whose result cannot be allocated reports it and leaks nothing.
#[cfg(feature = "fault-injection")]
fn failed_allocations(dev: &Device) -> Result<()> {
    use ndgpu::Fault;
    let a = iota(dev, &[3, 4])?;
    let calls: Vec<Box<dyn Fn() -> Result<Array<i32>>>> = vec![
        Box::new(|| Array::concatenate(&[&a, &a], 0)),
        Box::new(|| Array::stack(&[&a, &a], 0)),
        Box::new(|| a.roll(1, Some(0))),
        Box::new(|| a.t().roll(1, None)),
        Box::new(|| a.tile(&[2, 2])),
        Box::new(|| a.repeat(2, None)),
        Box::new(|| a.pad(&[(1, 1)], PadMode::Edge)),
        Box::new(|| a.tril(0)),
        Box::new(|| Array::diag(&a.slice(s![0])?, 0)),
        Box::new(|| Array::outer(&a, &a)),
        Box::new(|| a.t().ravel()),
    ];
    for (i, f) in calls.iter().enumerate() {
        // Fail the first allocation, then the second (the pieces or temporaries).
        for nth in 1..=2 {
            dev.inject_fault(Fault::Alloc(nth));
            let r = f();
            dev.inject_fault(Fault::Alloc(0));
            match r {
                Err(e) => assert!(matches!(e, Error::OutOfMemory { .. }), "call {i}: {e}"),
                // Every call allocates its result first.
                Ok(_) => assert!(nth > 1, "call {i} allocated nothing"),
            }
        }
        f()?;
    }
    assert_eq!(a.to_vec()?, (0..12).collect::<Vec<_>>());
    Ok(())
}
#[cfg(feature = "fault-injection")]
test_device!(failed_allocations);

test_device!(
    concatenate,
    concatenate_errors,
    stacking,
    splitting,
    flips_and_axes,
    diagonals,
    ravel_and_broadcast,
    rolling,
    tile_and_repeat,
    padding,
    triangles,
    diag_and_outer,
);
