//! Cumulative ops, searchsorted, unique, topk, bincount, histogram and
//! quantiles on both backends, against values NumPy printed.

mod common;

use ndgpu::{s, Array, Device, Result, Side};

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter()
        .map(|x| if x.is_nan() { u32::MAX } else { x.to_bits() })
        .collect()
}

fn cumulative(dev: &Device) -> Result<()> {
    let a = Array::from_slice(
        dev,
        &[
            1.5f32, -2.0, 3.25, 0.5, 4.0, 0.25, -1.0, 2.0, 0.0, 1.0, 1.0, -3.5,
        ],
        &[3, 4],
    )?;
    assert_eq!(
        a.cumsum(Some(0))?.to_vec()?,
        vec![1.5, -2.0, 3.25, 0.5, 5.5, -1.75, 2.25, 2.5, 5.5, -0.75, 3.25, -1.0]
    );
    assert_eq!(
        a.cumsum(Some(1))?.to_vec()?,
        vec![1.5, -0.5, 2.75, 3.25, 4.0, 4.25, 3.25, 5.25, 0.0, 1.0, 2.0, -1.5]
    );
    assert_eq!(
        bits(&a.cumprod(Some(1))?.to_vec()?),
        bits(&[1.5, -3.0, -9.75, -4.875, 4.0, 1.0, -1.0, -2.0, 0.0, 0.0, 0.0, -0.0])
    );
    // Through a transposed view, and flattened.
    assert_eq!(
        a.t().cumsum(Some(1))?.to_vec()?,
        a.cumsum(Some(0))?.t().to_vec()?
    );
    assert_eq!(a.cumsum(None)?.to_vec()?.last(), Some(&7.0));
    // Integers keep their type and wrap (NumPy widens to int64).
    let i = Array::from_slice(dev, &[i32::MAX, 1, -5, 3, 4, 5], &[2, 3])?;
    assert_eq!(
        i.cumsum(Some(1))?.to_vec()?,
        vec![2147483647, -2147483648, 2147483643, 3, 7, 12]
    );
    // Long lanes: a parallel (CPU) / multi-level (GPU) scan, against a loop.
    let n = 300_001;
    let x: Vec<i32> = (0..n).map(|k| (k % 7) - 3).collect();
    let mut acc = 0i32;
    let want: Vec<i32> = x
        .iter()
        .map(|v| {
            acc = acc.wrapping_add(*v);
            acc
        })
        .collect();
    let big = Array::from_slice(dev, &x, &[n as usize])?;
    assert_eq!(big.cumsum(None)?.to_vec()?, want);
    // Two long lanes, each its own scan.
    let two = Array::from_slice(dev, &x[..2 * 5000], &[2, 5000])?;
    let got = two.cumsum(Some(1))?.to_vec()?;
    assert_eq!(got[4999], x[..5000].iter().sum::<i32>());
    assert_eq!(got[9999], x[5000..10000].iter().sum::<i32>());
    // diff.
    assert_eq!(
        a.diff(1, 1)?.to_vec()?,
        vec![-3.5, 5.25, -2.75, -3.75, -1.25, 3.0, 1.0, 0.0, -4.5]
    );
    assert_eq!(a.diff(2, 0)?.to_vec()?, vec![-6.5, -1.5, 6.25, -7.0]);
    assert_eq!(a.diff(5, 1)?.shape(), &[3, 0]);
    assert_eq!(
        a.diff(1, 2).unwrap_err().to_string(),
        "axis 2 is out of bounds for array of dimension 2"
    );
    Ok(())
}

fn search_unique(dev: &Device) -> Result<()> {
    let s = Array::from_slice(dev, &[-1.0f32, 0.0, 0.0, 2.5, f32::NAN], &[5])?;
    let v = Array::from_slice(dev, &[0.0f32, -0.0, f32::NAN, 3.0, -5.0, 2.5], &[2, 3])?;
    let l = s.searchsorted(&v, Side::Left)?;
    assert_eq!(l.shape(), &[2, 3]);
    assert_eq!(l.to_vec()?, vec![1, 1, 4, 4, 0, 3]);
    assert_eq!(
        s.searchsorted(&v, Side::Right)?.to_vec()?,
        vec![3, 3, 5, 4, 0, 4]
    );
    assert!(v.searchsorted(&s, Side::Left).is_err());
    // unique: NaNs collapse, -0.0 == 0.0 (the first in sorted order stays).
    let u = Array::from_slice(
        dev,
        &[3.0f32, f32::NAN, 1.0, -0.0, 0.0, f32::NAN, 3.0, 1.0],
        &[2, 4],
    )?;
    assert_eq!(
        bits(&u.unique()?.to_vec()?),
        bits(&[-0.0, 1.0, 3.0, f32::NAN])
    );
    let (vals, counts) = u.unique_counts()?;
    assert_eq!(bits(&vals.to_vec()?), bits(&[-0.0, 1.0, 3.0, f32::NAN]));
    assert_eq!(counts.to_vec()?, vec![2, 2, 2, 2]);
    let (_, inv) = u.unique_inverse()?;
    assert_eq!(inv.shape(), &[2, 4]);
    assert_eq!(inv.to_vec()?, vec![2, 3, 1, 0, 0, 3, 2, 1]);
    // Integers, a strided view, an empty array.
    let i = Array::from_slice(dev, &[5, 9, 5, 1, 9, 9], &[6])?.slice(s![..;-1])?;
    let (vi, ci) = i.unique_counts()?;
    assert_eq!((vi.to_vec()?, ci.to_vec()?), (vec![1, 5, 9], vec![1, 2, 3]));
    assert_eq!(Array::<i32>::zeros(dev, &[0])?.unique()?.len(), 0);
    // topk: largest and smallest, ties to the first index.
    let t = Array::from_slice(dev, &[1, 9, 9, 4, 7, 0], &[2, 3])?;
    let (tv, ti) = t.topk(2, 1, true)?;
    assert_eq!(
        (tv.to_vec()?, ti.to_vec()?),
        (vec![9, 9, 7, 4], vec![1, 2, 1, 0])
    );
    let (sv, si) = t.topk(1, 0, false)?;
    assert_eq!((sv.to_vec()?, si.to_vec()?), (vec![1, 7, 0], vec![0, 1, 1]));
    assert!(t.topk(4, 1, true).is_err());
    // bincount, histogram.
    let b = Array::from_slice(dev, &[0, 5, 5, 2], &[4])?;
    assert_eq!(b.bincount(3)?.to_vec()?, vec![1, 0, 1, 0, 0, 2]);
    assert_eq!(
        Array::from_slice(dev, &[1, -1], &[2])?
            .bincount(0)
            .unwrap_err()
            .to_string(),
        "'list' argument must have no negative elements"
    );
    let h = Array::from_slice(dev, &[0.1f32, 0.2, 0.5, 0.9, 1.0, -1.0, 2.0, 0.45], &[8])?;
    let (c, e) = h.histogram(4, Some((0.0, 1.0)))?;
    assert_eq!(c.to_vec()?, vec![2, 1, 1, 2]);
    assert_eq!(e.to_vec()?, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    let (c, e) = Array::from_slice(dev, &[5.0f32, 5.0, 5.0], &[3])?.histogram(2, None)?;
    assert_eq!(
        (c.to_vec()?, e.to_vec()?),
        (vec![0, 3], vec![4.5, 5.0, 5.5])
    );
    Ok(())
}

fn quantiles(dev: &Device) -> Result<()> {
    let x = Array::from_slice(
        dev,
        &[1.0f32, 2.0, 3.0, 4.0, f32::NAN, 0.5, 7.0, 8.0],
        &[2, 4],
    )?;
    let q = x.quantile(0.3, Some(1))?.to_vec()?;
    assert!((q[0] - 1.9).abs() < 1e-6 && q[1].is_nan());
    let m = x.median(Some(0))?.to_vec()?;
    assert!(m[0].is_nan());
    assert_eq!(m[1..], [1.25, 5.0, 6.0]);
    let r = Array::from_vec(dev, (0..10).map(|v| v as f32).collect(), &[10])?;
    assert!((r.quantile(0.77, None)?.item()? - 6.93).abs() < 1e-5);
    assert_eq!(
        r.quantile(1.5, None).unwrap_err().to_string(),
        "Quantiles must be in the range [0, 1]"
    );
    Ok(())
}

test_device!(cumulative, search_unique, quantiles);
