//! Load throughput of a large float32 `.npy` file: ndgpu's CPU backend and
//! a GPU, against reading the file's bytes with `std::fs::read`.
//!
//! ```text
//! cargo run --release --example npy_load -- [PATH] [MiB]
//! ```
//!
//! PATH (default: a file in the temp dir) is written with `io::save_npy` when
//! it does not hold MiB (default 256) MiB of float32. Each figure is over 5
//! warm-cache loads: the best and the median, in GB/s of file size. "pooled"
//! loads reuse the buffer the previous load gave back to the device's pool;
//! "fresh" loads call `Device::trim` first, so each allocates new memory and
//! pays its page faults, as `np.load` does. Compare with NumPy:
//!
//! ```text
//! python -c "import numpy as np, time; p='PATH'; np.load(p); \
//!   t=[(lambda s: (np.load(p), time.perf_counter()-s)[1])(time.perf_counter()) for _ in range(5)]; \
//!   print(sorted(t))"
//! ```

use std::path::PathBuf;
use std::time::Instant;

use ndgpu::{io, Array, Device, Result};

fn gbps(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / secs / 1e9
}

/// Best and median GB/s of 5 runs of `f`.
fn measure(bytes: u64, mut f: impl FnMut() -> Result<()>) -> Result<(f64, f64)> {
    let mut t = Vec::new();
    for _ in 0..5 {
        let s = Instant::now();
        f()?;
        t.push(s.elapsed().as_secs_f64());
    }
    t.sort_by(|a, b| a.total_cmp(b));
    Ok((gbps(bytes, t[0]), gbps(bytes, t[2])))
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("ndgpu_npy_load.npy"));
    let mib: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(256);
    let n = mib << 18; // float32 elements in `mib` MiB
    let cpu = Device::cpu();

    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    if size < (n * 4) as u64 || size > (n * 4 + 4096) as u64 {
        let a = Array::from_vec(&cpu, (0..n).map(|i| i as f32).collect(), &[n / 1024, 1024])?;
        let s = Instant::now();
        io::save_npy(&path, &a)?;
        let t = s.elapsed().as_secs_f64();
        println!(
            "wrote {} ({mib} MiB) with io::save_npy: {:.2} GB/s",
            path.display(),
            gbps((n * 4) as u64, t)
        );
    }
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("file: {} ({bytes} bytes)", path.display());

    // Warm the page cache, and time the plain read for reference.
    let (best, med) = measure(bytes, || {
        let v = std::fs::read(&path).map_err(|e| ndgpu::Error::Value(e.to_string()))?;
        std::hint::black_box(v);
        Ok(())
    })?;
    println!("std::fs::read into a fresh Vec  best {best:6.2} GB/s  median {med:6.2} GB/s");

    let check = |a: &Array<f32>| -> Result<()> {
        let last = a.slice(ndgpu::s![-1, -1])?.item()?;
        assert_eq!(last, (n - 1) as f32);
        Ok(())
    };
    check(&io::load_npy_as::<f32>(&cpu, &path)?)?;
    let (best, med) = measure(bytes, || io::load_npy_as::<f32>(&cpu, &path).map(drop))?;
    println!("ndgpu CPU backend, pooled        best {best:6.2} GB/s  median {med:6.2} GB/s");
    let (best, med) = measure(bytes, || {
        cpu.trim();
        io::load_npy_as::<f32>(&cpu, &path).map(drop)
    })?;
    println!("ndgpu CPU backend, fresh         best {best:6.2} GB/s  median {med:6.2} GB/s");

    match Device::gpu() {
        Ok(gpu) => {
            check(&io::load_npy_as::<f32>(&gpu, &path)?)?;
            let (best, med) = measure(bytes, || {
                let a = io::load_npy_as::<f32>(&gpu, &path)?;
                gpu.synchronize()?;
                drop(a);
                Ok(())
            })?;
            println!(
                "ndgpu GPU ({}), pooled  best {best:6.2} GB/s  median {med:6.2} GB/s",
                gpu.info().name
            );
        }
        Err(e) => println!("no GPU adapter ({e}); GPU load skipped"),
    }
    Ok(())
}
