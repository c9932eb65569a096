//! Matrix-product throughput: f32 `a.matmul(&b)` for n = 128 .. 2048 on every
//! device found (the CPU backend, and `Device::gpu()` when it opens), as the
//! median GFLOP/s of several synchronised runs.
//!
//! ```text
//! cargo run --release --example matmul_bench [-- --device cpu|gpu] [--kernel tiled|register] [--sizes 128,256]
//! ```

use std::time::Instant;

use ndgpu::{Array, Device, MatmulKernel, Result};

/// Median seconds of `reps` runs of `a @ b`, each waited for with
/// `synchronize` before the clock stops (GPU work is asynchronous).
fn time(dev: &Device, n: usize, reps: usize, kernel: MatmulKernel) -> Result<f64> {
    let a = Array::from_vec(
        dev,
        (0..n * n).map(|i| (i % 7) as f32 * 0.25).collect(),
        &[n, n],
    )?;
    let b = Array::from_vec(
        dev,
        (0..n * n).map(|i| (i % 5) as f32 * 0.5).collect(),
        &[n, n],
    )?;
    // One warm-up run: compiles the pipeline and fills the buffer pool.
    drop(a.matmul_with(&b, kernel)?);
    dev.synchronize()?;
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            let c = a.matmul_with(&b, kernel)?;
            dev.synchronize()?;
            let s = start.elapsed().as_secs_f64();
            drop(c);
            Ok(s)
        })
        .collect::<Result<_>>()?;
    t.sort_by(f64::total_cmp);
    Ok(t[t.len() / 2])
}

fn gflops(n: usize, secs: f64) -> f64 {
    2.0 * (n as f64).powi(3) / secs / 1e9
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let which = opt("--device");
    let kernel = match opt("--kernel").as_deref() {
        Some("tiled") => MatmulKernel::Tiled,
        Some("register") => MatmulKernel::Register,
        _ => MatmulKernel::Auto,
    };
    let sizes: Vec<usize> = opt("--sizes")
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![128, 256, 512, 1024, 2048]);
    let reps = |n: usize| {
        if n <= 512 {
            11
        } else if n <= 1024 {
            5
        } else {
            3
        }
    };

    let cpu = Device::cpu();
    let gpu = match which.as_deref() {
        Some("cpu") => None,
        _ => match Device::gpu() {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("no GPU: {e}");
                None
            }
        },
    };
    let run_cpu = which.as_deref() != Some("gpu");
    println!("f32 matmul, n x n @ n x n, median GFLOP/s (2 n^3 flops per product)");
    if run_cpu {
        println!(
            "CPU backend: {} (gemm; matrixmultiply for negative or zero strides)",
            cpu.info()
        );
    }
    if let Some(g) = &gpu {
        println!(
            "GPU: {} (kernel {kernel:?}, NDGPU_MATMUL_KERNEL={:?})",
            g.info(),
            std::env::var("NDGPU_MATMUL_KERNEL").unwrap_or_default()
        );
    }
    println!();
    println!("| n | CPU GFLOP/s | GPU GFLOP/s | GPU/CPU |");
    println!("|---:|---:|---:|---:|");
    for &n in &sizes {
        let c = if run_cpu {
            Some(gflops(n, time(&cpu, n, reps(n), kernel)?))
        } else {
            None
        };
        let g = match &gpu {
            Some(d) => Some(gflops(n, time(d, n, reps(n), kernel)?)),
            None => None,
        };
        let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.1}"));
        let ratio = match (g, c) {
            (Some(g), Some(c)) => format!("{:.2}", g / c),
            _ => "-".into(),
        };
        println!("| {n} | {} | {} | {ratio} |", f(c), f(g));
    }
    Ok(())
}
