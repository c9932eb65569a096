//! Boolean masks: `masked_select` (NumPy's `a[mask]`), `masked_fill`
//! (`a[mask] = v`), `nonzero` and `argwhere`, on both backends, against
//! values NumPy printed and plain loops.

mod common;

use ndgpu::{s, Array, Device, Error, Result};

fn f32s(dev: &Device) -> Result<Array<f32>> {
    // np.arange(12, dtype=np.float32).reshape(3, 4) * 1.5 - 4
    let v: Vec<f32> = (0..12).map(|i| i as f32 * 1.5 - 4.0).collect();
    Array::from_vec(dev, v, &[3, 4])
}

/// np.arange(12).reshape(3, 4) % 3 == 1
fn mask34(dev: &Device) -> Result<Array<bool>> {
    let m: Vec<bool> = (0..12).map(|i| i % 3 == 1).collect();
    Array::from_vec(dev, m, &[3, 4])
}

fn select_numpy_values(dev: &Device) -> Result<()> {
    let a = f32s(dev)?;
    let m = mask34(dev)?;
    // a[m]
    assert_eq!(a.masked_select(&m)?.to_vec()?, vec![-2.5, 2.0, 6.5, 11.0]);
    // a.T[m.T]: both operands transposed views
    let r = a.t().masked_select(&m.t())?;
    assert_eq!(
        (r.shape(), r.to_vec()?),
        (&[4][..], vec![2.0, -2.5, 11.0, 6.5])
    );
    // r = a[::-1, ::-2]; r[r > 0]
    let v = a.slice(s![..;-1, ..;-2])?;
    assert_eq!(
        v.masked_select(&v.gt_scalar(0.0)?)?.to_vec()?,
        vec![12.5, 9.5, 6.5, 3.5, 0.5]
    );
    // a[np.broadcast_to([True, False, False, True], (3, 4))]
    let row = Array::from_slice(dev, &[true, false, false, true], &[4])?;
    assert_eq!(
        a.masked_select(&row)?.to_vec()?,
        vec![-4.0, 0.5, 2.0, 6.5, 8.0, 12.5]
    );
    // a[np.broadcast_to([[True], [False], [True]], (3, 4))]
    let col = Array::from_slice(dev, &[true, false, true], &[3, 1])?;
    assert_eq!(
        a.masked_select(&col)?.to_vec()?,
        vec![-4.0, -2.5, -1.0, 0.5, 8.0, 9.5, 11.0, 12.5]
    );
    // A broadcast view as the mask, and a 0-d mask.
    let bv = col.broadcast_to(&[3, 4])?;
    assert_eq!(a.masked_select(&bv)?.len(), 8);
    let t = Array::from_slice(dev, &[true], &[])?;
    assert_eq!(a.masked_select(&t)?.len(), 12);
    // Integer and bool element types; a bool array selected by itself
    // (one buffer read as both).
    let i = Array::from_vec(dev, (0..12).collect::<Vec<i32>>(), &[3, 4])?;
    assert_eq!(i.masked_select(&m)?.to_vec()?, vec![1, 4, 7, 10]);
    assert_eq!(m.masked_select(&m)?.to_vec()?, vec![true; 4]);
    let u = Array::from_vec(dev, (0..12).map(|x| x as u32 * 3).collect(), &[3, 4])?;
    assert_eq!(u.masked_select(&m.t().t())?.to_vec()?, vec![3, 12, 21, 30]);
    Ok(())
}

fn fill_numpy_values(dev: &Device) -> Result<()> {
    // b[b < 0] = 7
    let b = f32s(dev)?;
    b.masked_fill(&b.lt_scalar(0.0)?, 7.0)?;
    assert_eq!(
        b.to_vec()?,
        vec![7.0, 7.0, 7.0, 0.5, 2.0, 3.5, 5.0, 6.5, 8.0, 9.5, 11.0, 12.5]
    );
    // c[::-1, ::2][[[T, F], [F, T], [T, T]]] = -1
    let c = f32s(dev)?;
    let m = Array::from_slice(dev, &[true, false, false, true, true, true], &[3, 2])?;
    c.slice(s![..;-1, ..;2])?.masked_fill(&m, -1.0)?;
    assert_eq!(
        c.to_vec()?,
        vec![-1.0, -2.5, -1.0, 0.5, 2.0, 3.5, -1.0, 6.5, -1.0, 9.5, 11.0, 12.5]
    );
    // Broadcast mask through a transposed view.
    let d = Array::<i32>::zeros(dev, &[3, 4])?;
    let col = Array::from_slice(dev, &[false, true, false, true], &[4, 1])?;
    d.t().masked_fill(&col, 5)?; // d.T[np.broadcast_to(col, (4, 3))] = 5
    assert_eq!(d.to_vec()?, vec![0, 5, 0, 5, 0, 5, 0, 5, 0, 5, 0, 5]);
    // A bool array filled under itself.
    let m = mask34(dev)?;
    m.masked_fill(&m, false)?;
    assert_eq!(m.to_vec()?, vec![false; 12]);
    Ok(())
}

fn nonzero_numpy_values(dev: &Device) -> Result<()> {
    // x3 = np.zeros((2, 3, 4), np.int32); x3[0,1,2] = 1; x3[1,0,0] = 5; x3[1,2,3] = -2
    let mut v = vec![0i32; 24];
    v[6] = 1;
    v[12] = 5;
    v[23] = -2;
    let x3 = Array::from_vec(dev, v, &[2, 3, 4])?;
    let nz = x3.nonzero()?;
    let got: Vec<Vec<u32>> = nz.iter().map(|a| a.to_vec()).collect::<Result<_>>()?;
    assert_eq!(got, vec![vec![0, 1, 1], vec![1, 0, 2], vec![2, 0, 3]]);
    let w = x3.argwhere()?;
    assert_eq!(w.shape(), &[3, 3]);
    assert_eq!(w.to_vec()?, vec![0, 1, 2, 1, 0, 0, 1, 2, 3]);
    // The arrays are views of argwhere's buffer, as NumPy's.
    assert!(nz[1].shares_memory(&nz[0]) || nz[1].may_share_memory(&nz[0]));
    // np.nonzero(x.T), x = [[0, 1, 0], [2, 0, 3]]
    let x = Array::from_slice(dev, &[0, 1, 0, 2, 0, 3], &[2, 3])?;
    let nz = x.t().nonzero()?;
    assert_eq!(nz[0].to_vec()?, vec![0, 1, 2]);
    assert_eq!(nz[1].to_vec()?, vec![1, 0, 1]);
    // Floats: NaN is nonzero, -0.0 is zero.
    let f = Array::from_slice(dev, &[0.0f32, f32::NAN, -0.0, 2.5, 0.0], &[5])?;
    assert_eq!(f.nonzero()?[0].to_vec()?, vec![1, 3]);
    // Bools, contiguous and reversed.
    let b = Array::from_slice(dev, &[true, false, true, true], &[4])?;
    assert_eq!(b.nonzero()?[0].to_vec()?, vec![0, 2, 3]);
    assert_eq!(b.slice(s![..;-1])?.nonzero()?[0].to_vec()?, vec![0, 1, 3]);
    assert_eq!(b.argwhere()?.shape(), &[3, 1]);
    Ok(())
}

fn zero_d_and_empty(dev: &Device) -> Result<()> {
    // np.array(5)[np.array(True)] -> [5]; [np.array(False)] -> []
    let a = Array::from_slice(dev, &[5], &[])?;
    let t = Array::from_slice(dev, &[true], &[])?;
    let f = Array::from_slice(dev, &[false], &[])?;
    let r = a.masked_select(&t)?;
    assert_eq!((r.shape(), r.to_vec()?), (&[1][..], vec![5]));
    let r = a.masked_select(&f)?;
    assert_eq!((r.shape(), r.to_vec()?), (&[0][..], vec![]));
    a.masked_fill(&f, 1)?;
    assert_eq!(a.item()?, 5);
    a.masked_fill(&t, 1)?;
    assert_eq!(a.item()?, 1);
    // np.argwhere(np.array(5)).shape == (1, 0); of np.array(0): (0, 0)
    assert_eq!(a.argwhere()?.shape(), &[1, 0]);
    let z = Array::from_slice(dev, &[0], &[])?;
    assert_eq!(z.argwhere()?.shape(), &[0, 0]);
    assert_eq!(
        a.nonzero().unwrap_err().to_string(),
        "Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() instead."
    );
    // Empty arrays.
    let e = Array::<f32>::zeros(dev, &[0, 3])?;
    let em = Array::<bool>::zeros(dev, &[0, 3])?;
    assert_eq!(e.masked_select(&em)?.shape(), &[0]);
    e.masked_fill(&em, 1.0)?;
    let nz = e.nonzero()?;
    assert_eq!(
        (nz.len(), nz[0].shape(), nz[1].shape()),
        (2, &[0][..], &[0][..])
    );
    assert_eq!(e.argwhere()?.shape(), &[0, 2]);
    // A mask of one element broadcast over an empty array.
    let one = Array::from_slice(dev, &[true], &[1])?;
    assert_eq!(e.masked_select(&one)?.shape(), &[0]);
    Ok(())
}

fn all_true_all_false(dev: &Device) -> Result<()> {
    let a = Array::from_vec(dev, (0..2000).collect::<Vec<i32>>(), &[40, 50])?;
    let yes = Array::<bool>::ones(dev, &[40, 50])?;
    let no = Array::<bool>::zeros(dev, &[40, 50])?;
    assert_eq!(a.masked_select(&yes)?.to_vec()?, a.to_vec()?);
    assert_eq!(a.t().masked_select(&yes.t())?.to_vec()?, a.t().to_vec()?);
    assert_eq!(a.masked_select(&no)?.shape(), &[0]);
    assert_eq!(no.argwhere()?.shape(), &[0, 2]);
    let w = yes.argwhere()?.to_vec()?;
    assert_eq!(w.len(), 4000);
    assert_eq!(&w[98..102], &[0, 49, 1, 0]);
    a.masked_fill(&no, -1)?;
    assert_eq!(a.to_vec()?, (0..2000).collect::<Vec<i32>>());
    a.masked_fill(&yes, -1)?;
    assert_eq!(a.to_vec()?, vec![-1; 2000]);
    Ok(())
}

fn errors_change_nothing(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[0, 1, 2], &[3])?;
    let m4 = Array::<bool>::ones(dev, &[4])?;
    // NumPy: a = np.arange(3); a[np.ones(4, bool)]
    let e = a.masked_select(&m4).unwrap_err();
    assert!(matches!(e, Error::Index(_)));
    assert_eq!(
        e.to_string(),
        "boolean index did not match indexed array along axis 0; size of axis is 3 but size of corresponding boolean axis is 4"
    );
    let e = a.masked_fill(&m4, 9).unwrap_err();
    assert_eq!(
        e.to_string(),
        "boolean index did not match indexed array along axis 0; size of axis is 3 but size of corresponding boolean axis is 4"
    );
    assert_eq!(a.to_vec()?, vec![0, 1, 2]);
    // NumPy: a[np.ones((2, 3), bool)]
    let m23 = Array::<bool>::ones(dev, &[2, 3])?;
    assert_eq!(
        a.masked_select(&m23).unwrap_err().to_string(),
        "too many indices for array: array is 1-dimensional, but 2 were indexed"
    );
    // NumPy: b = np.arange(6).reshape(2, 3); b[np.ones((2, 4), bool)]
    let b = Array::from_vec(dev, (0..6).collect::<Vec<i32>>(), &[2, 3])?;
    let m24 = Array::<bool>::ones(dev, &[2, 4])?;
    assert_eq!(
        b.masked_select(&m24).unwrap_err().to_string(),
        "boolean index did not match indexed array along axis 1; size of axis is 3 but size of corresponding boolean axis is 4"
    );
    // Read-only targets: checked first, as NumPy does.
    let m3 = Array::<bool>::ones(dev, &[3])?;
    a.set_writeable(false)?;
    assert_eq!(a.masked_fill(&m3, 9).unwrap_err(), Error::ReadOnly);
    assert_eq!(a.masked_fill(&m4, 9).unwrap_err(), Error::ReadOnly);
    assert_eq!(a.to_vec()?, vec![0, 1, 2]);
    // ... but reading one is fine.
    assert_eq!(a.masked_select(&m3)?.to_vec()?, vec![0, 1, 2]);
    let v = a.slice(s![1..])?; // a view of a read-only array
    assert_eq!(
        v.masked_fill(&m3.slice(s![..2])?, 9).unwrap_err(),
        Error::ReadOnly
    );
    let bc = Array::from_slice(dev, &[1, 2], &[2])?.broadcast_to(&[2, 2])?;
    assert_eq!(
        bc.masked_fill(&Array::<bool>::ones(dev, &[2])?, 0)
            .unwrap_err()
            .to_string(),
        "assignment destination is read-only"
    );
    assert_eq!(a.to_vec()?, vec![0, 1, 2]);
    Ok(())
}

/// A pseudo-random 0/1 sequence (an LCG's high bit).
fn bits(n: usize, seed: u64) -> Vec<bool> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 63 == 1
        })
        .collect()
}

fn large_against_loops(dev: &Device) -> Result<()> {
    // 3M + 17 elements: three scan levels, n not a multiple of the block.
    let n = 3_000_017;
    let m = bits(n, 1);
    let v: Vec<f32> = (0..n).map(|i| i as f32 * 0.5).collect();
    let a = Array::from_vec(dev, v.clone(), &[n])?;
    let mask = Array::from_vec(dev, m.clone(), &[n])?;
    let want: Vec<f32> = v.iter().zip(&m).filter(|p| *p.1).map(|p| *p.0).collect();
    assert_eq!(a.masked_select(&mask)?.to_vec()?, want);
    let nz = mask.nonzero()?[0].to_vec()?;
    let want_i: Vec<u32> = (0..n as u32).filter(|&i| m[i as usize]).collect();
    assert_eq!(nz, want_i);
    // 2-D, transposed, through a reversed view of the mask.
    let (r, c) = (1733, 1731);
    let a2 = Array::from_vec(dev, (0..(r * c) as u32).collect(), &[r, c])?;
    let m2 = Array::from_vec(dev, bits(r * c, 2), &[c, r])?;
    let mv = m2.slice(s![..;-1, ..])?.t(); // shape (r, c)
    let mh = mv.to_vec()?;
    let want: Vec<u32> = (0..(r * c) as u32).filter(|&i| mh[i as usize]).collect();
    assert_eq!(a2.masked_select(&mv)?.to_vec()?, want);
    let w = mv.argwhere()?;
    assert_eq!(w.shape(), &[want.len(), 2]);
    let flat: Vec<u32> = w
        .to_vec()?
        .chunks(2)
        .map(|p| p[0] * c as u32 + p[1])
        .collect();
    assert_eq!(flat, want);
    // masked_fill over the same view: a2[mv] = 0
    a2.masked_fill(&mv, 0)?;
    let got = a2.to_vec()?;
    assert!(got
        .iter()
        .enumerate()
        .all(|(i, &x)| x == if mh[i] { 0 } else { i as u32 }));
    Ok(())
}

test_device!(
    select_numpy_values,
    fill_numpy_values,
    nonzero_numpy_values,
    zero_d_and_empty,
    all_true_all_false,
    errors_change_nothing,
    large_against_loops,
);
