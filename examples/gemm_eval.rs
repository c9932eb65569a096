//! The evaluation behind the CPU backend's choice of GEMM crate: f32
//! `matrixmultiply::sgemm` (threaded) against `gemm::gemm` (runtime-chosen
//! kernels, AVX-512 where the CPU has it) for square n = 64 .. 2048, the
//! transposed `a.T @ b`, and a batch of 256 products of 64x64 matrices, run
//! one after another or in parallel over the batch. Then ndgpu's own
//! `matmul` on the CPU backend, which uses the winner per size class.
//!
//! ```text
//! cargo run --release --example gemm_eval [-- --reps 7]
//! ```

use std::time::Instant;

use ndgpu::{Array, Device, Result};
use rayon::prelude::*;

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn time(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    median(
        (0..reps)
            .map(|_| {
                let s = Instant::now();
                f();
                s.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

/// `c = a @ b` for m x k and k x n matrices with the given (row, column) strides.
#[allow(clippy::too_many_arguments)]
fn mm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    ast: (isize, isize),
    b: &[f32],
    bst: (isize, isize),
    c: &mut [f32],
) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    // SAFETY: the asserts above and the strides, which callers give as the
    // row-major or transposed layouts of those exact shapes, keep every
    // access in bounds; `c` is a unique borrow.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            ast.0,
            ast.1,
            b.as_ptr(),
            bst.0,
            bst.1,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn gm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    ast: (isize, isize),
    b: &[f32],
    bst: (isize, isize),
    c: &mut [f32],
    par: gemm::Parallelism,
) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    // SAFETY: as in `mm`; `read_dst` is false, so `c`'s old contents are not read.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            ast.1,
            ast.0,
            b.as_ptr(),
            bst.1,
            bst.0,
            0.0,
            1.0,
            false,
            false,
            false,
            par,
        )
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let reps: usize = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let threads = rayon::current_num_threads();
    let rayon = gemm::Parallelism::Rayon(threads);
    println!("GFLOP/s, median of {reps}; {threads} threads");
    println!(
        "{:>6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "n", "mm", "gemm", "gemm 1 thr", "mm a.T@b", "gemm a.T@b", "ndgpu", "ndgpu a.T@b"
    );
    let dev = Device::cpu();
    for n in [64usize, 128, 256, 512, 1024, 2048] {
        let a: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 * 0.25).collect();
        let b: Vec<f32> = (0..n * n).map(|i| (i % 5) as f32 * 0.5).collect();
        let mut c = vec![0.0f32; n * n];
        let r = if n <= 256 { reps * 20 } else { reps };
        let fl = |t: f64| 2.0 * (n as f64).powi(3) / t / 1e9;
        let row = (n as isize, 1);
        let col = (1, n as isize);
        let t1 = time(r, || mm(n, n, n, &a, row, &b, row, &mut c));
        let t2 = time(r, || gm(n, n, n, &a, row, &b, row, &mut c, rayon));
        let t1t = time(r, || {
            gm(n, n, n, &a, row, &b, row, &mut c, gemm::Parallelism::None)
        });
        let t3 = time(r, || mm(n, n, n, &a, col, &b, row, &mut c));
        let t4 = time(r, || gm(n, n, n, &a, col, &b, row, &mut c, rayon));
        let (xa, xb) = (
            Array::from_slice(&dev, &a, &[n, n])?,
            Array::from_slice(&dev, &b, &[n, n])?,
        );
        let t5 = time(r, || drop(xa.matmul(&xb).unwrap()));
        let xt = xa.t();
        let t6 = time(r, || drop(xt.matmul(&xb).unwrap()));
        println!(
            "{n:>6} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>10.1}",
            fl(t1),
            fl(t2),
            fl(t1t),
            fl(t3),
            fl(t4),
            fl(t5),
            fl(t6)
        );
    }
    // A batch of 256 products of 64x64 matrices.
    let (bn, n) = (256usize, 64usize);
    let a: Vec<f32> = (0..bn * n * n).map(|i| (i % 7) as f32 * 0.25).collect();
    let b: Vec<f32> = (0..bn * n * n).map(|i| (i % 5) as f32 * 0.5).collect();
    let mut c = vec![0.0f32; bn * n * n];
    let row = (n as isize, 1);
    let fl = |t: f64| 2.0 * bn as f64 * (n as f64).powi(3) / t / 1e9;
    let r = reps * 10;
    let t1 = time(r, || {
        for ((a, b), c) in a
            .chunks(n * n)
            .zip(b.chunks(n * n))
            .zip(c.chunks_mut(n * n))
        {
            mm(n, n, n, a, row, b, row, c)
        }
    });
    let t2 = time(r, || {
        a.par_chunks(n * n)
            .zip(b.par_chunks(n * n))
            .zip(c.par_chunks_mut(n * n))
            .for_each(|((a, b), c)| mm(n, n, n, a, row, b, row, c))
    });
    let t3 = time(r, || {
        a.par_chunks(n * n)
            .zip(b.par_chunks(n * n))
            .zip(c.par_chunks_mut(n * n))
            .for_each(|((a, b), c)| gm(n, n, n, a, row, b, row, c, gemm::Parallelism::None))
    });
    let (xa, xb) = (
        Array::from_slice(&dev, &a, &[bn, n, n])?,
        Array::from_slice(&dev, &b, &[bn, n, n])?,
    );
    let t4 = time(r, || drop(xa.matmul(&xb).unwrap()));
    println!(
        "batched 256 x 64^3: mm serial {:.1}, mm parallel over batch {:.1}, gemm parallel over batch {:.1}, ndgpu {:.1}",
        fl(t1),
        fl(t2),
        fl(t3),
        fl(t4)
    );
    Ok(())
}
