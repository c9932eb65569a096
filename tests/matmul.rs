//! `dot`, `matmul` and `matmul_into` on both backends and with every GPU
//! kernel, against an f64 triple loop written here.

mod common;

use ndgpu::{s, Array, Device, Element, MatmulKernel, Result};

const KERNELS: [MatmulKernel; 3] = [
    MatmulKernel::Auto,
    MatmulKernel::Tiled,
    MatmulKernel::Register,
];

/// Deterministic values in [-1, 1) (an LCG: no dependency, same on every run).
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

fn rand(dev: &Device, shape: &[usize], seed: u64) -> Result<Array<f32>> {
    Array::from_vec(dev, values(shape.iter().product(), seed), shape)
}

/// NumPy's matmul in f64 by a triple loop: returns the values and, per
/// element, the sum of |a||b| that bounds its rounding error.
fn reference(
    a: &[f64],
    ash: &[usize],
    b: &[f64],
    bsh: &[usize],
) -> (Vec<usize>, Vec<f64>, Vec<f64>) {
    let (a1, b1) = (ash.len() == 1, bsh.len() == 1);
    let ash: Vec<usize> = if a1 { vec![1, ash[0]] } else { ash.to_vec() };
    let bsh: Vec<usize> = if b1 { vec![bsh[0], 1] } else { bsh.to_vec() };
    let (m, k, n) = (ash[ash.len() - 2], ash[ash.len() - 1], bsh[bsh.len() - 1]);
    let (ab, bb) = (&ash[..ash.len() - 2], &bsh[..bsh.len() - 2]);
    let r = ab.len().max(bb.len());
    let pad = |s: &[usize]| -> Vec<usize> {
        std::iter::repeat_n(1, r - s.len())
            .chain(s.iter().copied())
            .collect()
    };
    let (ap, bp) = (pad(ab), pad(bb));
    let batch: Vec<usize> = ap.iter().zip(&bp).map(|(&x, &y)| x.max(y)).collect();
    let nb: usize = batch.iter().product();
    let (mut out, mut abs) = (Vec::new(), Vec::new());
    for bi in 0..nb {
        // the batch index in each operand (0 along a broadcast axis)
        let (mut rem, mut ia, mut ib, mut sa, mut sb) = (bi, 0, 0, 1, 1);
        for d in (0..r).rev() {
            let i = rem % batch[d];
            rem /= batch[d];
            ia += if ap[d] == 1 { 0 } else { i * sa };
            ib += if bp[d] == 1 { 0 } else { i * sb };
            sa *= ap[d];
            sb *= bp[d];
        }
        for i in 0..m {
            for j in 0..n {
                let (mut acc, mut mag) = (0.0, 0.0);
                for p in 0..k {
                    let x = a[ia * m * k + i * k + p] * b[ib * k * n + p * n + j];
                    acc += x;
                    mag += x.abs();
                }
                out.push(acc);
                abs.push(mag);
            }
        }
    }
    let mut shape = batch;
    if !a1 {
        shape.push(m);
    }
    if !b1 {
        shape.push(n);
    }
    (shape, out, abs)
}

/// Checks `c == a @ b` to within a tolerance that grows with K (through the
/// sum of |a||b| over K terms).
fn check<T: Element>(c: &Array<T>, a: &Array<T>, b: &Array<T>) -> Result<()> {
    let f = |v: Vec<T>| v.into_iter().map(|x| x.to_f64()).collect::<Vec<f64>>();
    let (shape, want, mag) = reference(&f(a.to_vec()?), a.shape(), &f(b.to_vec()?), b.shape());
    assert_eq!(
        c.shape(),
        shape.as_slice(),
        "result shape for {:?} @ {:?}",
        a.shape(),
        b.shape()
    );
    let k = a.shape()[a.ndim() - 1] as f64;
    let got = f(c.to_vec()?);
    for (i, ((g, w), m)) in got.iter().zip(&want).zip(&mag).enumerate() {
        let tol = if T::DTYPE.name().starts_with("float") {
            2.0 * k.max(1.0) * f32::EPSILON as f64 * m + 1e-7
        } else {
            0.0
        };
        assert!(
            (g - w).abs() <= tol,
            "element {i} of {:?} @ {:?}: got {g}, want {w} (tol {tol})",
            a.shape(),
            b.shape()
        );
    }
    Ok(())
}

fn sizes(dev: &Device) -> Result<()> {
    // (M, K, N): one element, odd sizes off every tile, a cube, tall-skinny, wide-short
    for (i, &(m, k, n)) in [
        (1, 1, 1),
        (67, 129, 33),
        (256, 256, 256),
        (1000, 16, 3),
        (3, 16, 1000),
        (5, 3, 4),
    ]
    .iter()
    .enumerate()
    {
        let a = rand(dev, &[m, k], 2 * i as u64)?;
        let b = rand(dev, &[k, n], 2 * i as u64 + 1)?;
        for kern in KERNELS {
            check(&a.matmul_with(&b, kern)?, &a, &b)?;
        }
        check(&a.dot(&b)?, &a, &b)?;
    }
    Ok(())
}

fn views(dev: &Device) -> Result<()> {
    let base = rand(dev, &[70, 130], 7)?;
    let other = rand(dev, &[70, 70], 8)?;
    let cases: Vec<(Array<f32>, Array<f32>)> = vec![
        // a.T @ b: A read column-wise
        (base.t(), rand(dev, &[70, 9], 9)?),
        // sliced sub-matrices with steps, both operands
        (
            base.slice(s![1..68, 2..;2])?,
            other.slice(s![3..;-1, 5..])?.slice(s![..64, ..])?,
        ),
        // negative strides on both axes
        (
            base.slice(s![..;-1, ..;-1])?.slice(s![..20, ..])?,
            rand(dev, &[130, 12], 10)?.slice(s![..;-1, ..])?,
        ),
        // row-contiguous, 16-byte aligned views: the vec4 path reads them in place
        (
            base.slice(s![4..36, 8..72])?,
            rand(dev, &[64, 80], 11)?.slice(s![.., 4..68])?,
        ),
        // B transposed, and a zero-stride (broadcast) operand
        (rand(dev, &[6, 8], 12)?, rand(dev, &[5, 8], 13)?.t()),
        (
            rand(dev, &[1, 8], 14)?.broadcast_to(&[9, 8])?,
            rand(dev, &[8, 4], 15)?,
        ),
    ];
    for (a, b) in &cases {
        for kern in KERNELS {
            check(&a.matmul_with(b, kern)?, a, b)?;
        }
    }
    Ok(())
}

fn batched(dev: &Device) -> Result<()> {
    let cases: Vec<(Vec<usize>, Vec<usize>)> = vec![
        (vec![2, 1, 5, 7], vec![3, 7, 4]),
        (vec![4, 3, 8], vec![8, 12]),
        (vec![3, 8], vec![2, 8, 12]),
        (vec![7], vec![2, 7, 5]),
        (vec![2, 5, 7], vec![7]),
        (vec![7], vec![7]),
        (vec![1, 16, 16], vec![5, 16, 16]),
    ];
    for (i, (sa, sb)) in cases.iter().enumerate() {
        let a = rand(dev, sa, 20 + i as u64)?;
        let b = rand(dev, sb, 40 + i as u64)?;
        for kern in KERNELS {
            check(&a.matmul_with(&b, kern)?, &a, &b)?;
        }
    }
    // a transposed batch (batch axis not outermost in memory)
    let a = rand(dev, &[5, 3, 4], 60)?.permute(&[1, 0, 2])?;
    let b = rand(dev, &[3, 4, 6], 61)?;
    for kern in KERNELS {
        check(&a.matmul_with(&b, kern)?, &a, &b)?;
    }
    Ok(())
}

fn integers(dev: &Device) -> Result<()> {
    let vi: Vec<i32> = (0..67 * 33).map(|x| (x * 7919 % 201) - 100).collect();
    let wi: Vec<i32> = (0..33 * 45).map(|x| (x * 104729 % 97) - 48).collect();
    let a = Array::from_vec(dev, vi, &[67, 33])?;
    let b = Array::from_vec(dev, wi, &[33, 45])?;
    let au = Array::from_vec(dev, (0..64u32 * 32).map(|x| x % 13).collect(), &[64, 32])?;
    let bu = Array::from_vec(dev, (0..32u32 * 8).map(|x| x % 11).collect(), &[32, 8])?;
    for kern in KERNELS {
        check(&a.matmul_with(&b, kern)?, &a, &b)?;
        check(
            &a.slice(s![..;2, ..])?.matmul_with(&b.t().t(), kern)?,
            &a.slice(s![..;2, ..])?,
            &b,
        )?;
        check(&au.matmul_with(&bu, kern)?, &au, &bu)?;
        // NumPy's integers wrap: (2^16)^2 * 2 = 2^33 wraps to 0
        let big = Array::from_slice(dev, &[65536i32, 65536], &[1, 2])?;
        assert_eq!(big.matmul_with(&big.t(), kern)?.to_vec()?, vec![0]);
        let x = Array::from_slice(dev, &[70000i32, 3], &[1, 2])?;
        assert_eq!(
            x.matmul_with(&x.t(), kern)?.to_vec()?,
            vec![70000i32.wrapping_mul(70000).wrapping_add(9)]
        );
    }
    Ok(())
}

fn dot_semantics(dev: &Device) -> Result<()> {
    let v = Array::from_slice(dev, &[1.0f32, 2., 3.], &[3])?;
    let m = Array::from_slice(dev, &[1.0f32, 0., 1., 0., 1., 0.], &[2, 3])?;
    let d = v.dot(&v)?;
    assert_eq!(d.ndim(), 0);
    assert_eq!(d.item()?, 14.0);
    assert_eq!(m.dot(&v)?.to_vec()?, vec![4.0, 2.0]);
    assert_eq!(m.dot(&v)?.shape(), &[2]);
    assert_eq!(v.dot(&m.t())?.to_vec()?, vec![4.0, 2.0]);
    assert_eq!(m.dot(&m.t())?.to_vec()?, vec![2.0, 0.0, 0.0, 1.0]);
    // K = 0: an empty sum is zero
    let e = Array::<f32>::zeros(dev, &[3, 0])?;
    let f = Array::<f32>::zeros(dev, &[0, 4])?;
    let z = e.matmul(&f)?;
    assert_eq!(z.shape(), &[3, 4]);
    assert_eq!(z.to_vec()?, vec![0.0; 12]);
    assert_eq!(
        Array::<i32>::zeros(dev, &[0])?
            .dot(&Array::zeros(dev, &[0])?)?
            .item()?,
        0
    );
    // empty M
    assert_eq!(
        Array::<f32>::zeros(dev, &[0, 3])?.matmul(&m.t())?.shape(),
        &[0, 2]
    );
    Ok(())
}

/// NumPy's N-d dot: `dot(a, b)[i, j, k, n] = sum_c a[i, j, c] * b[k, c, n]`,
/// and a 0-d operand scales the other.
fn dot_nd_and_0d(dev: &Device) -> Result<()> {
    let av: Vec<i32> = (0..24).map(|x| x % 7 - 3).collect();
    let bv: Vec<i32> = (0..40).map(|x| x % 5 - 2).collect();
    let a = Array::from_slice(dev, &av, &[2, 3, 4])?;
    let b = Array::from_slice(dev, &bv, &[2, 4, 5])?;
    let got = a.dot(&b)?;
    assert_eq!(got.shape(), &[2, 3, 2, 5]);
    let mut want = Vec::new();
    for i in 0..2 {
        for j in 0..3 {
            for k in 0..2 {
                for n in 0..5 {
                    want.push(
                        (0..4)
                            .map(|c| av[(i * 3 + j) * 4 + c] * bv[(k * 4 + c) * 5 + n])
                            .sum::<i32>(),
                    );
                }
            }
        }
    }
    assert_eq!(got.to_vec()?, want);
    // N-d · 1-D sums over the last axis of a.
    let v = Array::from_slice(dev, &[1, 2, 3, 4], &[4])?;
    let want: Vec<i32> = (0..6)
        .map(|r| (0..4).map(|c| av[r * 4 + c] * (c as i32 + 1)).sum())
        .collect();
    assert_eq!(a.dot(&v)?.to_vec()?, want);
    // np.dot(np.array(3), np.arange(3)) == [0 3 6]
    let s = Array::from_slice(dev, &[3], &[])?;
    assert_eq!(
        s.dot(&Array::from_slice(dev, &[0, 1, 2], &[3])?)?
            .to_vec()?,
        vec![0, 3, 6]
    );
    Ok(())
}

fn shape_errors(dev: &Device) -> Result<()> {
    let a = Array::<f32>::zeros(dev, &[2, 3])?;
    let b = Array::<f32>::zeros(dev, &[4, 5])?;
    let msg = |r: Result<Array<f32>>| r.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        msg(a.dot(&b)),
        "shapes (2,3) and (4,5) not aligned: 3 (dim 1) != 4 (dim 0)"
    );
    let v4 = Array::<f32>::zeros(dev, &[4])?;
    assert_eq!(
        msg(Array::<f32>::zeros(dev, &[3])?.dot(&v4)),
        "shapes (3,) and (4,) not aligned: 3 (dim 0) != 4 (dim 0)"
    );
    assert_eq!(
        msg(a.dot(&v4)),
        "shapes (2,3) and (4,) not aligned: 3 (dim 1) != 4 (dim 0)"
    );
    assert_eq!(
        msg(a.matmul(&b)),
        "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size 4 is different from 3)"
    );
    let s = Array::from_slice(dev, &[1.0f32], &[])?;
    assert!(
        msg(s.matmul(&a)).starts_with("matmul: Input operand 0 does not have enough dimensions")
    );
    let x = Array::<f32>::zeros(dev, &[2, 3, 4])?;
    let y = Array::<f32>::zeros(dev, &[3, 4, 5])?;
    assert!(msg(x.matmul(&y)).contains("could not be broadcast"));
    assert_eq!(
        msg(x.dot(&Array::<f32>::zeros(dev, &[3, 5, 6])?)),
        "shapes (2,3,4) and (3,5,6) not aligned: 4 (dim 2) != 5 (dim 1)"
    );
    assert_eq!(x.dot(&y)?.shape(), &[2, 3, 3, 5]);
    // out of the wrong shape, read-only out
    let out = Array::<f32>::zeros(dev, &[2, 4])?;
    assert!(a
        .matmul_into(&a.t(), &out)
        .unwrap_err()
        .to_string()
        .contains("output operand has shape (2,4)"));
    let ro = Array::<f32>::zeros(dev, &[2, 2])?;
    ro.set_writeable(false)?;
    assert_eq!(
        a.matmul_into(&a.t(), &ro).unwrap_err().to_string(),
        "assignment destination is read-only"
    );
    Ok(())
}

fn into_out(dev: &Device) -> Result<()> {
    let a = rand(dev, &[6, 6], 70)?;
    let b = rand(dev, &[6, 6], 71)?;
    let want = a.matmul(&b)?.to_vec()?;
    // a fresh out
    let out = Array::<f32>::zeros(dev, &[6, 6])?;
    a.matmul_into(&b, &out)?;
    assert_eq!(out.to_vec()?, want);
    // out is an operand: as if the operands were copied first
    let a2 = a.copy()?;
    a2.matmul_into(&b, &a2)?;
    assert_eq!(a2.to_vec()?, want);
    let b2 = b.copy()?;
    a.matmul_into(&b2, &b2)?;
    assert_eq!(b2.to_vec()?, want);
    // a strided out (a transposed view) and an out that is a view of a larger array
    let big = Array::<f32>::zeros(dev, &[8, 8])?;
    a.matmul_into(&b, &big.slice(s![1..7, 2..8])?.t())?;
    let got = big.slice(s![1..7, 2..8])?.t().to_vec()?;
    assert_eq!(got, want);
    // out in the same buffer as an operand without overlapping it
    let stack = rand(dev, &[2, 6, 6], 72)?;
    let (x, y) = (stack.slice(s![0, .., ..])?, stack.slice(s![1, .., ..])?);
    let want = x.matmul(&b)?.to_vec()?;
    x.matmul_into(&b, &y)?;
    assert_eq!(y.to_vec()?, want);
    Ok(())
}

/// A result taller than 65535 row-workgroups of the GPU kernels.
fn tall_result(dev: &Device) -> Result<()> {
    let (m, k, n) = (2_100_000, 3, 4);
    let av: Vec<f32> = (0..m * k).map(|i| (i % 13) as f32 - 6.0).collect();
    let bv: Vec<f32> = (0..k * n).map(|i| i as f32 * 0.5 - 1.0).collect();
    let c = Array::from_slice(dev, &av, &[m, k])?.matmul(&Array::from_slice(dev, &bv, &[k, n])?)?;
    let got = c.to_vec()?;
    for r in [0, 1, 65535 * 32 - 1, 65535 * 32, m - 1] {
        for j in 0..n {
            let want: f32 = (0..k).map(|t| av[r * k + t] * bv[t * n + j]).sum();
            assert_eq!(got[r * n + j], want, "row {r} col {j}");
        }
    }
    Ok(())
}

/// Batches of small products (the CPU backend runs them in parallel, one
/// per task) and a large one (one product on all cores), with strided and
/// broadcast operands, floats and integers; f64 on the CPU backend.
fn parallel_batches(dev: &Device) -> Result<()> {
    let a = rand(dev, &[40, 33, 17], 70)?;
    let b = rand(dev, &[40, 17, 29], 71)?;
    check(&a.matmul(&b)?, &a, &b)?;
    // Batch axis inside the matrix axes in memory, B broadcast over the batch.
    let at = rand(dev, &[33, 40, 17], 72)?.permute(&[1, 0, 2])?;
    let b1 = rand(dev, &[17, 29], 73)?;
    check(&at.matmul(&b1)?, &at, &b1)?;
    let ai = Array::from_vec(
        dev,
        (0..24 * 9 * 5).map(|x| (x * 31 % 17) - 8).collect(),
        &[24, 9, 5],
    )?;
    let bi = Array::from_vec(
        dev,
        (0..24 * 5 * 7).map(|x| (x * 7 % 13) - 6).collect(),
        &[24, 5, 7],
    )?;
    check(&ai.matmul(&bi)?, &ai, &bi)?;
    let big = rand(dev, &[300, 200], 74)?;
    let bb = rand(dev, &[300, 150], 75)?;
    check(&big.t().matmul(&bb)?, &big.t(), &bb)?;
    // A sliced A with an odd row count: the CPU splits C into uneven bands
    // of rows (at least 64 each, so with up to 16 threads), each starting at
    // an offset into A.
    let wide = rand(dev, &[1030, 140], 79)?;
    let sub = wide.slice(s![2..1027, 5..])?;
    let rhs = rand(dev, &[135, 130], 80)?;
    check(&sub.matmul(&rhs)?, &sub, &rhs)?;
    if dev.is_cpu() {
        let a64 = Array::from_vec(
            dev,
            values(6 * 20 * 30, 76).iter().map(|&x| x as f64).collect(),
            &[6, 20, 30],
        )?;
        let b64 = Array::from_vec(
            dev,
            values(30 * 10, 77).iter().map(|&x| x as f64).collect(),
            &[30, 10],
        )?;
        check(&a64.matmul(&b64)?, &a64, &b64)?;
        let n = 260;
        let s64 = Array::from_vec(
            dev,
            values(n * n, 78).iter().map(|&x| x as f64).collect(),
            &[n, n],
        )?;
        check(&s64.matmul(&s64.t())?, &s64, &s64.t())?;
    }
    Ok(())
}

fn long_k(dev: &Device) -> Result<()> {
    // K past 65535 (lavapipe ends a shader loop there): exact small-integer
    // products, f32 and i32, against a plain loop; also through a transpose.
    let k = 70_000;
    let ha: Vec<i32> = (0..2 * k).map(|i| (i % 3) as i32 - 1).collect();
    let hb: Vec<i32> = (0..k * 3).map(|i| (i % 5) as i32).collect();
    let want: Vec<i32> = (0..2)
        .flat_map(|i| {
            let (ha, hb) = (&ha, &hb);
            (0..3).map(move |j| (0..k).map(|p| ha[i * k + p] * hb[p * 3 + j]).sum())
        })
        .collect();
    let a = Array::from_slice(dev, &ha, &[2, k])?;
    let b = Array::from_slice(dev, &hb, &[k, 3])?;
    assert_eq!(a.matmul(&b)?.to_vec()?, want);
    let af: Vec<f32> = ha.iter().map(|&x| x as f32).collect();
    let bf: Vec<f32> = hb.iter().map(|&x| x as f32).collect();
    let a = Array::from_slice(dev, &af, &[2, k])?;
    let bt = Array::from_slice(dev, &bf, &[k, 3])?.t().copy()?; // (3, k)
    let got = a.matmul(&bt.t())?.to_vec()?;
    let wf: Vec<f32> = want.iter().map(|&x| x as f32).collect();
    assert_eq!(got, wf);
    Ok(())
}

test_device!(
    long_k,
    parallel_batches,
    tall_result,
    dot_nd_and_0d,
    sizes,
    views,
    batched,
    integers,
    dot_semantics,
    shape_errors,
    into_out
);

/// The CPU backend and the GPU agree on one product (a cross-check beyond
/// the reference), for both kernels.
#[test]
fn gpu_matches_cpu() {
    let Some(gpu) = common::gpu() else { return };
    let cpu = Device::cpu();
    let guard = gpu.leak_check();
    let cpu_guard = cpu.leak_check();
    let (va, vb) = (values(96 * 80, 1), values(80 * 72, 2));
    let want = Array::from_slice(&cpu, &va, &[96, 80])
        .unwrap()
        .matmul(&Array::from_slice(&cpu, &vb, &[80, 72]).unwrap())
        .unwrap()
        .to_vec()
        .unwrap();
    let a = Array::from_slice(&gpu, &va, &[96, 80]).unwrap();
    let b = Array::from_slice(&gpu, &vb, &[80, 72]).unwrap();
    for kern in KERNELS {
        let got = a.matmul_with(&b, kern).unwrap().to_vec().unwrap();
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() <= 1e-4, "{kern:?}: {g} vs {w}");
        }
    }
    drop((a, b));
    cpu_guard.finish().unwrap();
    guard.finish().unwrap();
}
