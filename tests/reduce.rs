//! Reductions on both backends against references computed here.

mod common;

use approx::assert_relative_eq;
use common::naive_gather;
use ndgpu::{s, Array, Axes, Device, Result};

/// Reference: reduce a row-major (d0, d1, d2) tensor over `axes` with `f`.
fn ref_reduce(
    data: &[f64],
    shape: &[usize],
    axes: &[usize],
    init: f64,
    f: impl Fn(f64, f64) -> f64,
) -> Vec<f64> {
    let out_shape: Vec<usize> = (0..shape.len())
        .map(|d| if axes.contains(&d) { 1 } else { shape[d] })
        .collect();
    let m: usize = out_shape.iter().product();
    let mut out = vec![init; m];
    for (lin, &v) in data.iter().enumerate() {
        let mut rem = lin;
        let mut idx = vec![0; shape.len()];
        for d in (0..shape.len()).rev() {
            idx[d] = rem % shape[d];
            rem /= shape[d];
        }
        let mut o = 0;
        for d in 0..shape.len() {
            o = o * out_shape[d] + if axes.contains(&d) { 0 } else { idx[d] };
        }
        out[o] = f(out[o], v);
    }
    out
}

fn every_axis_and_layout(dev: &Device) -> Result<()> {
    let base: Vec<f32> = (0..5 * 6 * 7)
        .map(|i| ((i * 37) % 23) as f32 * 0.25 - 2.0)
        .collect();
    let arr = Array::from_slice(dev, &base, &[5, 6, 7])?;
    // A contiguous array and a strided view (negative step, transposed).
    let views = [
        (arr.clone(), vec![5, 6, 7], vec![42isize, 7, 1], 0usize),
        (
            arr.slice(s![1..;-1, .., 1..6])?.permute(&[2, 0, 1])?,
            vec![5, 4, 6],
            vec![1, -42, 7],
            169,
        ),
    ];
    for (v, shape, strides, off) in views {
        let data: Vec<f64> = naive_gather(&base, &shape, &strides, off)
            .iter()
            .map(|&x| x as f64)
            .collect();
        for axes in [vec![0], vec![1], vec![2], vec![0, 2], vec![0, 1, 2]] {
            for keepdims in [false, true] {
                let ax = Axes::Some(axes.clone());
                let check = |got: Array<f32>, want: Vec<f64>, what: &str| -> Result<()> {
                    let mut want_shape: Vec<usize> = (0..3)
                        .map(|d| if axes.contains(&d) { 1 } else { shape[d] })
                        .collect();
                    if !keepdims {
                        want_shape = (0..3)
                            .filter(|d| !axes.contains(d))
                            .map(|d| shape[d])
                            .collect();
                    }
                    assert_eq!(got.shape(), &want_shape[..], "{what}");
                    for (g, w) in got.to_vec()?.iter().zip(&want) {
                        assert_relative_eq!(*g as f64, *w, max_relative = 1e-4, epsilon = 1e-4);
                    }
                    Ok(())
                };
                let n: usize = axes.iter().map(|&a| shape[a]).product();
                check(
                    v.sum(ax.clone(), keepdims)?,
                    ref_reduce(&data, &shape, &axes, 0.0, |a, b| a + b),
                    "sum",
                )?;
                check(
                    v.prod(ax.clone(), keepdims)?,
                    ref_reduce(&data, &shape, &axes, 1.0, |a, b| a * b),
                    "prod",
                )?;
                check(
                    v.max(ax.clone(), keepdims)?,
                    ref_reduce(&data, &shape, &axes, f64::MIN, f64::max),
                    "max",
                )?;
                check(
                    v.min(ax.clone(), keepdims)?,
                    ref_reduce(&data, &shape, &axes, f64::MAX, f64::min),
                    "min",
                )?;
                let mean: Vec<f64> = ref_reduce(&data, &shape, &axes, 0.0, |a, b| a + b)
                    .iter()
                    .map(|s| s / n as f64)
                    .collect();
                check(v.mean(ax.clone(), keepdims)?, mean.clone(), "mean")?;
                let sq = ref_reduce(&data, &shape, &axes, 0.0, |a, b| a + b * b);
                let var: Vec<f64> = sq
                    .iter()
                    .zip(&mean)
                    .map(|(q, m)| (q / n as f64 - m * m) * n as f64 / (n as f64 - 1.0))
                    .collect();
                if n > 1 {
                    check(v.var(ax.clone(), 1, keepdims)?, var.clone(), "var")?;
                    check(
                        v.std(ax.clone(), 1, keepdims)?,
                        var.iter().map(|x| x.sqrt()).collect(),
                        "std",
                    )?;
                }
            }
        }
        // argmax along each axis and flattened, against a first-occurrence loop.
        for axis in 0..3 {
            let got = v.argmax(Some(axis), false)?.to_vec()?;
            let mut want = Vec::new();
            let (outer, len): (Vec<usize>, usize) =
                ((0..3).filter(|&d| d != axis).collect(), shape[axis]);
            for i in 0..shape[outer[0]] {
                for j in 0..shape[outer[1]] {
                    let mut best = (f64::MIN, 0u32);
                    for k in 0..len {
                        let mut idx = [0; 3];
                        idx[outer[0]] = i;
                        idx[outer[1]] = j;
                        idx[axis] = k;
                        let x = data[(idx[0] * shape[1] + idx[1]) * shape[2] + idx[2]];
                        if x > best.0 {
                            best = (x, k as u32);
                        }
                    }
                    want.push(best.1);
                }
            }
            assert_eq!(got, want, "argmax axis {axis}");
        }
        let flat = v.argmin(None, false)?.item()?;
        let mut best = 0;
        for (i, x) in data.iter().enumerate() {
            if *x < data[best] {
                best = i;
            }
        }
        assert_eq!(flat as usize, best);
    }
    Ok(())
}

fn ties_nan_empty_and_ints(dev: &Device) -> Result<()> {
    // np.argmax([1, 3, 3, 0, 3]) == 1: the first occurrence.
    let t = Array::from_slice(dev, &[1, 3, 3, 0, 3], &[5])?;
    assert_eq!(t.argmax(None, false)?.item()?, 1);
    assert_eq!(t.argmin(None, false)?.item()?, 3);
    let big = Array::<u32>::full(dev, &[300_000], 7)?;
    big.slice(s![123_456..;100_000])?.fill(9)?;
    assert_eq!(
        big.argmax(None, false)?.item()?,
        123_456,
        "first of equal maxima across workgroups"
    );
    // NaN wins max and argmax, as in NumPy.
    let n = Array::from_slice(dev, &[1.0f32, f32::NAN, 5.0], &[3])?;
    assert!(n.max(Axes::All, false)?.item()?.is_nan());
    assert_eq!(n.argmax(None, false)?.item()?, 1);
    // Empty reductions.
    let e = Array::<f32>::zeros(dev, &[0, 3])?;
    assert_eq!(e.sum(0, false)?.to_vec()?, vec![0.0; 3]);
    assert_eq!(e.prod(0, false)?.to_vec()?, vec![1.0; 3]);
    assert_eq!(e.sum(1, false)?.shape(), &[0]);
    assert_eq!(
        e.max(Axes::All, false).unwrap_err().to_string(),
        "zero-size array to reduction operation maximum which has no identity"
    );
    assert!(e
        .argmax(None, false)
        .unwrap_err()
        .to_string()
        .contains("empty sequence"));
    assert!(e
        .sum(2, false)
        .unwrap_err()
        .to_string()
        .contains("out of bounds"));
    assert!(e.sum([0, 0], false).is_err());
    // Integers: exact, wrapping as their dtype.
    let i = Array::from_vec(dev, (1..=10).collect::<Vec<i32>>(), &[2, 5])?;
    assert_eq!(i.sum(1, false)?.to_vec()?, vec![15, 40]);
    assert_eq!(i.prod(Axes::All, false)?.item()?, 3628800);
    assert_eq!(i.max(0, true)?.shape(), &[1, 5]);
    // any / all on masks.
    let m = Array::from_slice(dev, &[0u32, 0, 1, 0, 0, 0], &[2, 3])?;
    assert_eq!(m.any(1, false)?.to_vec()?, vec![true, false]);
    assert_eq!(m.all(0, false)?.to_vec()?, vec![false, false, false]);
    assert!(Array::<u32>::ones(dev, &[4])?
        .all(Axes::All, false)?
        .item()?);
    // ... on bool arrays, and on floats (NaN is true, as in NumPy).
    let b = m.astype::<bool>()?;
    assert_eq!(b.any(0, false)?.to_vec()?, vec![false, false, true]);
    assert_eq!(b.sum(1, false)?.to_vec()?, vec![1, 0]);
    let f = Array::from_slice(dev, &[0.0f32, f32::NAN, 0.0, -0.0], &[2, 2])?;
    assert_eq!(f.any(1, false)?.to_vec()?, vec![true, false]);
    assert_eq!(f.all(0, true)?.to_vec()?, vec![false, false]);
    assert_eq!(f.count_nonzero(Axes::All)?.item()?, 1);
    // Empty reductions: any is false, all is true.
    let e = Array::<bool>::zeros(dev, &[0, 2])?;
    assert_eq!(e.any(0, false)?.to_vec()?, vec![false, false]);
    assert_eq!(e.all(0, false)?.to_vec()?, vec![true, true]);
    Ok(())
}

fn sum_accuracy_16m(dev: &Device) -> Result<()> {
    let n = 16 << 20;
    assert_eq!(
        Array::<f32>::ones(dev, &[n])?
            .sum(Axes::All, false)?
            .item()?,
        n as f32,
        "exact"
    );
    let s = Array::<f32>::full(dev, &[n], 0.1)?
        .sum(Axes::All, false)?
        .item()? as f64;
    let exact = n as f64 * 0.1f32 as f64;
    assert!(((s - exact) / exact).abs() < 1e-5, "{s} vs {exact}");
    Ok(())
}

/// Many outputs over outer or strided axes (the GPU's one-invocation-per-output walk).
fn outer_axes_many_outputs(dev: &Device) -> Result<()> {
    let (r, c) = (50, 300);
    let data: Vec<f32> = (0..r * c)
        .map(|i| ((i * 7) % 19) as f32 * 0.5 - 4.0)
        .collect();
    let a = Array::from_slice(dev, &data, &[r, c])?;
    let data = &data;
    let col = |j: usize| (0..r).map(move |i| data[i * c + j] as f64);
    let close = |got: Vec<f32>, want: Vec<f64>| {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_relative_eq!(*g as f64, *w, max_relative = 1e-4, epsilon = 1e-4);
        }
    };
    close(
        a.sum(0, false)?.to_vec()?,
        (0..c).map(|j| col(j).sum()).collect(),
    );
    close(
        a.max(0, true)?.to_vec()?,
        (0..c).map(|j| col(j).fold(f64::MIN, f64::max)).collect(),
    );
    close(
        a.min(0, false)?.to_vec()?,
        (0..c).map(|j| col(j).fold(f64::MAX, f64::min)).collect(),
    );
    // The transpose reduced along its last axis is a strided run too; and a
    // reversed view reduced over two axes.
    close(
        a.t().sum(1, false)?.to_vec()?,
        (0..c).map(|j| col(j).sum()).collect(),
    );
    let v = a.slice(s![..;-1, ..])?.reshape(&[5, 10, c])?;
    close(
        v.sum([0, 1], false)?.to_vec()?,
        (0..c).map(|j| col(j).sum()).collect(),
    );
    let i = Array::from_vec(
        dev,
        (0..r * c).map(|x| (x % 3) as i32 + 1).collect(),
        &[r, c],
    )?;
    let want: Vec<i32> = (0..c)
        .map(|j| {
            (0..r)
                .map(|k| ((k * c + j) % 3) as i32 + 1)
                .fold(1i32, |p, x| p.wrapping_mul(x))
        })
        .collect();
    assert_eq!(i.prod(0, false)?.to_vec()?, want);
    Ok(())
}

/// For each output of a reduction over `axes` of a C-order `data` of
/// `shape`, its reduced elements in C order of the reduced axes.
fn groups(data: &[f32], shape: &[usize], axes: &[usize]) -> Vec<Vec<f32>> {
    let kept: Vec<usize> = (0..shape.len()).filter(|d| !axes.contains(d)).collect();
    let m: usize = kept.iter().map(|&d| shape[d]).product();
    let mut out = vec![Vec::new(); m];
    for (lin, &v) in data.iter().enumerate() {
        let mut rem = lin;
        let mut idx = vec![0; shape.len()];
        for d in (0..shape.len()).rev() {
            idx[d] = rem % shape[d];
            rem /= shape[d];
        }
        let o = kept.iter().fold(0, |o, &d| o * shape[d] + idx[d]);
        out[o].push(v);
    }
    out
}

/// NumPy's max: NaN if any element is NaN.
fn np_max(v: &[f32]) -> f32 {
    v.iter().fold(f32::NEG_INFINITY, |a, &b| {
        if a.is_nan() || b.is_nan() {
            f32::NAN
        } else {
            a.max(b)
        }
    })
}
fn np_min(v: &[f32]) -> f32 {
    -np_max(&v.iter().map(|x| -x).collect::<Vec<_>>())
}
/// NumPy's argmax: the first NaN, else the first maximum.
fn np_argmax(v: &[f32]) -> u32 {
    if let Some(i) = v.iter().position(|x| x.is_nan()) {
        return i as u32;
    }
    let m = np_max(v);
    v.iter().position(|&x| x == m).unwrap() as u32
}
fn np_argmin(v: &[f32]) -> u32 {
    np_argmax(&v.iter().map(|x| -x).collect::<Vec<_>>())
}

fn same_f32(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if w.is_nan() {
            assert!(g.is_nan(), "{what}[{i}]: {g} is not NaN");
        } else {
            assert!(
                approx::relative_eq!(*g, *w, max_relative = 1e-5, epsilon = 1e-3),
                "{what}[{i}]: {g} != {w}"
            );
        }
    }
}

/// Every reduction of `v` over each axis, each pair of axes and all axes
/// (argmax/argmin over each axis and the flattened view) against plain
/// loops over `v`'s elements: NaNs propagate, ties take the first index.
fn check_view(name: &str, v: &Array<f32>) -> Result<()> {
    let shape = v.shape().to_vec();
    let data = v.to_vec()?;
    let nd = shape.len();
    let mut sets: Vec<Vec<usize>> = (0..nd).map(|d| vec![d]).collect();
    if nd == 3 {
        sets.extend([vec![0, 1], vec![1, 2], vec![0, 2]]);
    }
    sets.push((0..nd).collect());
    for axes in sets {
        let what = format!("{name} axes {axes:?}");
        let g = groups(&data, &shape, &axes);
        let ax = Axes::Some(axes.clone());
        let sums: Vec<f32> = g
            .iter()
            .map(|x| x.iter().map(|&y| y as f64).sum::<f64>() as f32)
            .collect();
        same_f32(
            &v.sum(ax.clone(), false)?.to_vec()?,
            &sums,
            &format!("sum {what}"),
        );
        let maxs: Vec<f32> = g.iter().map(|x| np_max(x)).collect();
        same_f32(
            &v.max(ax.clone(), false)?.to_vec()?,
            &maxs,
            &format!("max {what}"),
        );
        let mins: Vec<f32> = g.iter().map(|x| np_min(x)).collect();
        same_f32(
            &v.min(ax.clone(), true)?.to_vec()?,
            &mins,
            &format!("min {what}"),
        );
        let means: Vec<f32> = g
            .iter()
            .map(|x| (x.iter().map(|&y| y as f64).sum::<f64>() / x.len() as f64) as f32)
            .collect();
        same_f32(
            &v.mean(ax.clone(), false)?.to_vec()?,
            &means,
            &format!("mean {what}"),
        );
        let vars: Vec<f32> = g
            .iter()
            .map(|x| {
                let m = x.iter().map(|&y| y as f64).sum::<f64>() / x.len() as f64;
                (x.iter().map(|&y| (y as f64 - m).powi(2)).sum::<f64>() / x.len() as f64) as f32
            })
            .collect();
        same_f32(
            &v.var(ax.clone(), 0, false)?.to_vec()?,
            &vars,
            &format!("var {what}"),
        );
        // ddof = 1 and std: the same sums over n - 1, then a square root.
        let stds: Vec<f32> = g
            .iter()
            .zip(&vars)
            .map(|(x, &v)| {
                let n = x.len() as f64;
                ((v as f64 * n / (n - 1.0)).sqrt()) as f32
            })
            .collect();
        same_f32(
            &v.std(ax.clone(), 1, true)?.to_vec()?,
            &stds,
            &format!("std ddof=1 {what}"),
        );
        if axes.len() == 1 || axes.len() == nd {
            let axis = if axes.len() == 1 { Some(axes[0]) } else { None };
            let am: Vec<u32> = g.iter().map(|x| np_argmax(x)).collect();
            let got = v.argmax(axis, false)?;
            assert_eq!(got.to_vec()?, am, "argmax {what}");
            let am: Vec<u32> = g.iter().map(|x| np_argmin(x)).collect();
            let got = v.argmin(axis, true)?;
            assert_eq!(got.ndim(), nd, "keepdims {what}");
            assert_eq!(got.to_vec()?, am, "argmin {what}");
        }
    }
    Ok(())
}

/// Every reduction over every axis set of contiguous, reversed, transposed
/// and broadcast views, with NaNs and ties, against the loops above. The
/// sizes pass the CPU backend's parallel threshold, and the shapes are the
/// issue's: short inner axes ((n, 8, 2) over each axis), (n, 8), (8, n) and
/// its transpose.
fn layouts_nans_ties(dev: &Device) -> Result<()> {
    let (n0, n1, n2) = (5000, 8, 2);
    // Small integers in quarters: many ties, sums exact enough.
    let mut base: Vec<f32> = (0..n0 * n1 * n2)
        .map(|i| ((i * 7919) % 61) as f32 * 0.25 - 5.0)
        .collect();
    let clean = Array::from_slice(dev, &base, &[n0, n1, n2])?;
    for i in [77, 7000, 7001, 50_000] {
        base[i] = f32::NAN;
    }
    let nans = Array::from_slice(dev, &base, &[n0, n1, n2])?;
    let flat: Vec<f32> = base.clone();
    let m8 = Array::from_slice(dev, &flat[..8 * 9000], &[8, 9000])?;
    let row = Array::from_slice(dev, &flat[..300], &[1, 300])?;
    let mut cases: Vec<(String, Array<f32>)> = vec![
        ("(n,8,2)".into(), clean.clone()),
        ("(n,8,2) NaN".into(), nans.clone()),
        ("reversed".into(), nans.slice(s![..;-1, .., ..;-1])?),
        ("permuted".into(), clean.permute(&[2, 0, 1])?),
        ("(8,n)".into(), m8.clone()),
        (
            "(4,n)".into(),
            Array::from_slice(dev, &flat[..4 * 20000], &[4, 20000])?,
        ),
        ("(8,n).T".into(), m8.t()),
        ("(n,8)".into(), nans.reshape(&[n0 * 2, 8])?),
        ("strided".into(), m8.slice(s![1..;2, ..;-3])?),
        ("broadcast".into(), row.broadcast_to(&[500, 300])?),
    ];
    cases.push(("broadcast.T".into(), cases.last().unwrap().1.t()));
    for (name, v) in &cases {
        check_view(name, v)?;
    }
    // One long run: ties across parallel chunks, then a NaN late in it.
    let n = 1 << 20;
    let long = Array::<f32>::full(dev, &[n], 1.0)?;
    long.slice(s![300_000..;200_000])?.fill(2.0)?;
    assert_eq!(long.argmax(None, false)?.item()?, 300_000);
    assert_eq!(long.argmin(0, false)?.item()?, 0);
    assert_eq!(long.max(Axes::All, false)?.item()?, 2.0);
    long.slice(s![900_001..900_002])?.fill(f32::NAN)?;
    long.slice(s![1_000_001..1_000_002])?.fill(f32::NAN)?;
    assert_eq!(long.argmax(None, false)?.item()?, 900_001);
    assert_eq!(long.argmin(None, false)?.item()?, 900_001);
    assert!(long.min(Axes::All, false)?.item()?.is_nan());
    assert_eq!(
        long.slice(s![..;-1])?.argmax(None, false)?.item()?,
        (n - 1 - 1_000_001) as u32
    );
    // Long strided runs for many outputs (past 2^16 elements per output).
    let tall = Array::<f32>::ones(dev, &[100_000, 64])?;
    assert_eq!(tall.sum(0, false)?.to_vec()?, vec![100_000.0; 64]);
    assert_eq!(tall.t().argmin(1, false)?.to_vec()?, vec![0; 64]);
    // Integers along a strided outer axis: exact, any/all too.
    let i = Array::from_vec(dev, (0..4000).map(|x| (x % 7) - 3).collect(), &[40, 100])?;
    let want: Vec<i32> = (0..100)
        .map(|j| (0..40).map(|r| ((r * 100 + j) % 7) - 3).sum())
        .collect();
    assert_eq!(i.sum(0, false)?.to_vec()?, want);
    assert_eq!(i.t().sum(1, false)?.to_vec()?, want);
    let wmax: Vec<u32> = (0..100)
        .map(|j| (0..40).map(|r| ((r * 100 + j) % 7) as u32).max().unwrap())
        .collect();
    let u = Array::from_vec(dev, (0..4000).map(|x| (x % 7) as u32).collect(), &[40, 100])?;
    assert_eq!(u.max(0, false)?.to_vec()?, wmax);
    let anyv: Vec<bool> = (0..40)
        .map(|r| (r * 100..r * 100 + 100).any(|x| x % 7 == 0 && x % 9 == 0))
        .collect();
    let mask = Array::from_vec(
        dev,
        (0..4000)
            .map(|x| (x % 7 == 0 && x % 9 == 0) as u32)
            .collect(),
        &[40, 100],
    )?;
    assert_eq!(mask.any(1, false)?.to_vec()?, anyv);
    assert_eq!(mask.t().all(0, false)?.to_vec()?, vec![false; 40]);
    Ok(())
}

/// The short-axis kernels (CPU rows and slabs; GPU chunks and segments):
/// rows of 2, 3, 8 and 16, slabs of 2, 3, 4, 8 and 16 columns over short and
/// long reduced axes, through strided, reversed, broadcast and misaligned
/// views, with NaNs and ties, against plain loops.
fn short_axes_paths(dev: &Device) -> Result<()> {
    let n = 6000;
    // Quarters from a short cycle: many ties; a few NaNs.
    let mut base: Vec<f32> = (0..n * 16 + 64)
        .map(|i| ((i * 7919) % 37) as f32 * 0.25 - 4.0)
        .collect();
    for i in [5, 1000, 1001, 40_003, 77_777] {
        base[i] = f32::NAN;
    }
    let flat = Array::from_slice(dev, &base, &[base.len()])?;
    let x = flat.slice(s![..n * 16])?.reshape(&[n, 8, 2])?;
    // Rows of 16 and 2, slabs (8, 2) and (n, 16), (n*8, 2): every axis set.
    check_view("(n,8,2)", &x)?;
    // A start that is not a multiple of 4: no vec4 loads on the GPU.
    check_view(
        "(n,8,2) at 1",
        &flat.slice(s![1..n * 16 + 1])?.reshape(&[n, 8, 2])?,
    )?;
    check_view(
        "(n,8) at 3",
        &flat.slice(s![3..n * 8 + 3])?.reshape(&[n, 8])?,
    )?;
    // Rows of 3 and slabs of 3 columns; (5, n, 4) for segments per slab.
    check_view("(n,3)", &flat.slice(s![..n * 3])?.reshape(&[n, 3])?)?;
    check_view(
        "(3,n/3,4)",
        &flat.slice(s![..n * 4])?.reshape(&[3, n / 3, 4])?,
    )?;
    check_view(
        "(n/8,8,16)",
        &flat.slice(s![..n * 16])?.reshape(&[n / 8, 8, 16])?,
    )?;
    // Strided outer axis (rows not dense), reversed axes, a broadcast row.
    check_view("strided", &x.slice(s![..;3, .., ..])?)?;
    check_view("reversed inner", &x.slice(s![.., .., ..;-1])?)?;
    check_view("reversed middle", &x.slice(s![.., ..;-1, ..])?)?;
    check_view("reversed outer", &x.slice(s![..;-1, .., ..])?)?;
    let row = flat.slice(s![..8])?;
    check_view("broadcast (n,8)", &row.broadcast_to(&[n, 8])?)?;
    check_view(
        "broadcast (n,4,2)",
        &flat.slice(s![..2])?.broadcast_to(&[n, 4, 2])?,
    )?;
    // Integers: exact sums and products over short rows and slabs.
    let iv: Vec<i32> = (0..n as i32 * 16).map(|i| (i * 7) % 5 - 2).collect();
    let xi = Array::from_slice(dev, &iv, &[n, 8, 2])?;
    for axes in [vec![1], vec![2], vec![1, 2], vec![0]] {
        let got = xi.sum(Axes::Some(axes.clone()), false)?.to_vec()?;
        let want: Vec<i32> = ref_reduce(
            &iv.iter().map(|&v| v as f64).collect::<Vec<_>>(),
            &[n, 8, 2],
            &axes,
            0.0,
            |a, b| a + b,
        )
        .into_iter()
        .map(|v| v as i32)
        .collect();
        assert_eq!(got, want, "int sum {axes:?}");
        let got = xi.max(Axes::Some(axes.clone()), false)?.to_vec()?;
        let want: Vec<i32> = ref_reduce(
            &iv.iter().map(|&v| v as f64).collect::<Vec<_>>(),
            &[n, 8, 2],
            &axes,
            f64::NEG_INFINITY,
            f64::max,
        )
        .into_iter()
        .map(|v| v as i32)
        .collect();
        assert_eq!(got, want, "int max {axes:?}");
    }
    let small = Array::from_slice(dev, &[1i32, 2, 3, -1, 2, 2, 0, 5], &[4, 2])?;
    assert_eq!(small.prod(1, false)?.to_vec()?, vec![2, -3, 4, 0]);
    assert_eq!(small.prod(0, false)?.to_vec()?, vec![0, -20]);
    Ok(())
}

/// The long-axis paths: GPU argmin/argmax over long slabs (segments of
/// vec4 lanes, then a serial or tree pass over their partials) for slabs
/// of 1, 2, 4, 8 and 16 columns, `var` in one serial walk on the GPU and
/// in one visit per column block on the CPU (`(8, n).var(0)`), and the CPU
/// arg kernels over long slabs (even and odd rows merged). Quarters from a
/// short cycle make ties within and across segments and lanes; NaNs fall
/// in the same columns in several segments.
fn long_axes_paths(dev: &Device) -> Result<()> {
    let n = 20_000;
    let mut base: Vec<f32> = (0..n * 28 + 64)
        .map(|i| ((i * 7919) % 37) as f32 * 0.25 - 4.0)
        .collect();
    let clean = Array::from_slice(dev, &base, &[base.len()])?;
    // Column 3 of an (n, 8) view gets NaNs in three segments; a row of
    // (8, n) gets two.
    for i in [
        3 + 8 * 700,
        3 + 8 * 9000,
        3 + 8 * 15000,
        5 * n + 17,
        5 * n + 19_000,
    ] {
        base[i] = f32::NAN;
    }
    let nans = Array::from_slice(dev, &base, &[base.len()])?;
    // Infinities and no NaN: the CPU's plain-compare max/min see a NaN in
    // their `v - v` lanes and fold those rows again exactly.
    let mut inf = clean.to_vec()?;
    for i in [3 + 8 * 900, 3 + 8 * 12_000, 5 + 8 * 4000, 6 * n + 5] {
        inf[i] = if i % 8 == 3 {
            f32::INFINITY
        } else {
            f32::NEG_INFINITY
        };
    }
    let infs = Array::from_slice(dev, &inf, &[inf.len()])?;
    for (name, flat) in [("clean", &clean), ("NaN", &nans), ("inf", &infs)] {
        let v = |len: usize, shape: &[usize]| -> Result<Array<f32>> {
            flat.slice(s![..len])?.reshape(shape)
        };
        check_view(&format!("(n,8) {name}"), &v(n * 8, &[n, 8])?)?;
        check_view(&format!("(8,n) {name}"), &v(n * 8, &[8, n])?)?;
        check_view(&format!("(n,2) {name}"), &v(n * 2, &[n, 2])?)?;
        check_view(&format!("(n/4,4) {name}"), &v(n, &[n / 4, 4])?)?;
        check_view(&format!("(n/2,16) {name}"), &v(n * 8, &[n / 2, 16])?)?;
        check_view(&format!("(n/4,8,2) {name}"), &v(n * 4, &[n / 4, 8, 2])?)?;
        // Many slabs of one long column each: the serial second pass.
        check_view(&format!("(200,8,100) {name}"), &v(160_000, &[200, 8, 100])?)?;
        // Few outputs over many segments (a tree second pass on the GPU).
        check_view(&format!("(4,70000) {name}"), &v(280_000, &[4, 70_000])?)?;
        // var over an outer axis with slabs around it: [A, R, C > 16].
        check_view(&format!("(5,40,120) {name}"), &v(24_000, &[5, 40, 120])?)?;
        // Reversed and offset views fall back; broadcast rows too.
        check_view(
            &format!("(8,n) reversed {name}"),
            &v(n * 8, &[8, n])?.slice(s![..;-1, ..])?,
        )?;
        check_view(
            &format!("(8,n) at 4 {name}"),
            &flat.slice(s![4..n * 8 + 4])?.reshape(&[8, n])?,
        )?;
        check_view(
            &format!("broadcast (600,40) {name}"),
            &flat.slice(s![..40])?.broadcast_to(&[600, 40])?,
        )?;
    }
    // Integers: ties everywhere, exact first indices.
    let iv: Vec<i32> = (0..n as i32 * 8).map(|i| (i * 7) % 5 - 2).collect();
    let xi = Array::from_slice(dev, &iv, &[n, 8])?;
    let first = |col: &[i64], max: bool| -> u32 {
        let best = if max {
            *col.iter().max().unwrap()
        } else {
            *col.iter().min().unwrap()
        };
        col.iter().position(|&v| v == best).unwrap() as u32
    };
    let cols = |f: &dyn Fn(i32) -> i64| -> Vec<Vec<i64>> {
        (0..8)
            .map(|j| (0..n).map(|r| f(iv[r * 8 + j])).collect())
            .collect()
    };
    let ci = cols(&|v| v as i64);
    let want: Vec<u32> = ci.iter().map(|c| first(c, true)).collect();
    assert_eq!(xi.argmax(0, false)?.to_vec()?, want);
    let want: Vec<u32> = ci.iter().map(|c| first(c, false)).collect();
    assert_eq!(xi.argmin(0, false)?.to_vec()?, want);
    let uv: Vec<u32> = iv.iter().map(|v| v.unsigned_abs() * 3 % 7).collect();
    let xu = Array::from_slice(dev, &uv, &[n, 8])?;
    let cu = cols(&|v| (v.unsigned_abs() * 3 % 7) as i64);
    let want: Vec<u32> = cu.iter().map(|c| first(c, true)).collect();
    assert_eq!(xu.argmax(0, false)?.to_vec()?, want);
    let want: Vec<u32> = cu.iter().map(|c| first(c, false)).collect();
    assert_eq!(xu.argmin(0, false)?.to_vec()?, want);
    // A late maximum alone in its column, past every tie.
    let z = Array::<f32>::zeros(dev, &[n, 4])?;
    z.slice(s![n - 1..n, 2..3])?.fill(1.0)?;
    assert_eq!(z.argmax(0, false)?.to_vec()?, vec![0, 0, (n - 1) as u32, 0]);
    assert_eq!(z.argmin(0, false)?.to_vec()?, vec![0, 0, 0, 0]);
    Ok(())
}

/// `var` of data with a large mean (1e4 plus noise of about 0.3) at the
/// shapes of the bench, against an f64 two-pass reference over the same
/// f32 values: the GPU's fused segment kernel (segment means and `M2`s
/// merged by Chan's update), the CPU's short-slab kernels, and the
/// fallbacks. `ddof` 0 and 1; a NaN poisons exactly its own outputs.
fn var_large_mean(dev: &Device) -> Result<()> {
    let n = 20_000;
    let len = n * 16 + 8;
    let data: Vec<f32> = (0..len)
        .map(|i| {
            let h = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
            1e4 + (h as f32 / (1u64 << 24) as f32 - 0.5) * 0.6
        })
        .collect();
    let flat = Array::from_slice(dev, &data, &[len])?;
    let cases: [(&[usize], &[usize]); 8] = [
        (&[n, 8, 2], &[0]),
        (&[n, 8, 2], &[1]),
        (&[n, 8, 2], &[0, 1, 2]),
        (&[n, 8, 2], &[0, 1]),
        (&[n, 8], &[0]),
        (&[8, n], &[1]),
        (&[n / 2, 16], &[0]),
        (&[4, 80_002], &[1]),
    ];
    for nan in [false, true] {
        let mut vals = data.clone();
        if nan {
            vals[16 * 777 + 5] = f32::NAN;
        }
        let flat = if nan {
            Array::from_slice(dev, &vals, &[len])?
        } else {
            flat.clone()
        };
        for (shape, axes) in cases {
            let size: usize = shape.iter().product();
            let x = flat.slice(s![..size])?.reshape(shape)?;
            let xs: Vec<f64> = vals[..size].iter().map(|&v| v as f64).collect();
            let cnt = ref_reduce(&xs, shape, axes, 0.0, |a, _| a + 1.0);
            let sum = ref_reduce(&xs, shape, axes, 0.0, |a, v| a + v);
            let mean: Vec<f64> = sum.iter().zip(&cnt).map(|(s, c)| s / c).collect();
            // Squared deviations from each output's mean: index the
            // outputs as ref_reduce does.
            let out_shape: Vec<usize> = (0..shape.len())
                .map(|d| if axes.contains(&d) { 1 } else { shape[d] })
                .collect();
            let mut m2 = vec![0.0; mean.len()];
            for (lin, &v) in xs.iter().enumerate() {
                let (mut rem, mut o) = (lin, 0);
                let mut idx = vec![0; shape.len()];
                for d in (0..shape.len()).rev() {
                    idx[d] = rem % shape[d];
                    rem /= shape[d];
                }
                for d in 0..shape.len() {
                    o = o * out_shape[d] + if axes.contains(&d) { 0 } else { idx[d] };
                }
                m2[o] += (v - mean[o]) * (v - mean[o]);
            }
            for ddof in [0, 1] {
                let got = x.var(Axes::Some(axes.to_vec()), ddof, false)?.to_vec()?;
                assert_eq!(got.len(), m2.len());
                for (i, (&g, (&q, &c))) in got.iter().zip(m2.iter().zip(&cnt)).enumerate() {
                    let want = q / (c - ddof as f64);
                    let what = format!("var {shape:?} {axes:?} ddof {ddof} nan {nan} [{i}]");
                    if want.is_nan() {
                        assert!(g.is_nan(), "{what}: {g} want NaN");
                    } else {
                        assert!(
                            ((g as f64) - want).abs() <= 1e-4 * want,
                            "{what}: {g} want {want}"
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

/// Back-to-back short slabs `(m, R, K)` reduced over axis 1, for every
/// `R` and `K` of 2, 4, 8 and 16 (the CPU's constant-offset groups of
/// `16 / K` slabs), with `m` past the parallel threshold and not a
/// multiple of the group (a ragged last group), quarters from a short
/// cycle (ties within a column) and NaNs in some columns, one of them in
/// a column whose other rows tie; also the same slabs offset by one
/// element (not back to back from an aligned start) and reversed.
fn dense_short_slabs(dev: &Device) -> Result<()> {
    for r in [2, 4, 8, 16] {
        for k in [2, 4, 8, 16] {
            let m = (1 << 17) / (r * k) + 3;
            let len = m * r * k + 1;
            let mut base: Vec<f32> = (0..len)
                .map(|i| ((i * 7919) % 13) as f32 * 0.25 - 1.5)
                .collect();
            for i in [5, 1 + r * k * 7, len / 2, len - 2] {
                base[i] = f32::NAN;
            }
            let flat = Array::from_slice(dev, &base, &[len])?;
            let name = format!("({m},{r},{k})");
            let x = flat.slice(s![..m * r * k])?.reshape(&[m, r, k])?;
            check_axis1(&format!("{name} dense"), &x)?;
            let x = flat.slice(s![1..])?.reshape(&[m, r, k])?;
            check_axis1(&format!("{name} at 1"), &x)?;
            let x = x.slice(s![..;-1, .., ..])?;
            check_axis1(&format!("{name} reversed"), &x)?;
        }
    }
    Ok(())
}

/// `sum`, `var`, `max`, `argmin` and `argmax` of `v` over axis 1 against
/// the plain loops.
fn check_axis1(what: &str, v: &Array<f32>) -> Result<()> {
    let shape = v.shape().to_vec();
    let g = groups(&v.to_vec()?, &shape, &[1]);
    let sums: Vec<f32> = g
        .iter()
        .map(|x| x.iter().map(|&y| y as f64).sum::<f64>() as f32)
        .collect();
    same_f32(&v.sum(1, false)?.to_vec()?, &sums, &format!("sum {what}"));
    let vars: Vec<f32> = g
        .iter()
        .map(|x| {
            let mu = x.iter().map(|&y| y as f64).sum::<f64>() / x.len() as f64;
            (x.iter().map(|&y| (y as f64 - mu).powi(2)).sum::<f64>() / x.len() as f64) as f32
        })
        .collect();
    same_f32(
        &v.var(1, 0, false)?.to_vec()?,
        &vars,
        &format!("var {what}"),
    );
    let maxs: Vec<f32> = g.iter().map(|x| np_max(x)).collect();
    same_f32(&v.max(1, false)?.to_vec()?, &maxs, &format!("max {what}"));
    let want: Vec<u32> = g.iter().map(|x| np_argmin(x)).collect();
    assert_eq!(v.argmin(1, false)?.to_vec()?, want, "argmin {what}");
    let want: Vec<u32> = g.iter().map(|x| np_argmax(x)).collect();
    assert_eq!(v.argmax(1, false)?.to_vec()?, want, "argmax {what}");
    Ok(())
}

test_device!(
    dense_short_slabs,
    var_large_mean,
    long_axes_paths,
    short_axes_paths,
    layouts_nans_ties,
    outer_axes_many_outputs,
    every_axis_and_layout,
    ties_nan_empty_and_ints,
    sum_accuracy_16m
);
