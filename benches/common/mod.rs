//! Devices the benches run on: the CPU backend and, when present, the GPU
//! adapter (lavapipe on a machine without a GPU).

use std::time::{Duration, Instant};

use ndgpu::Device;

pub fn devices() -> Vec<(&'static str, Device)> {
    let mut v = vec![("cpu", Device::cpu())];
    if let Ok(g) = Device::gpu() {
        v.push(("gpu", g));
    }
    v
}

/// Times `iters` runs of `f`, synchronising the device around them so GPU
/// work is counted.
#[allow(dead_code)]
pub fn timed<T>(dev: &Device, iters: u64, mut f: impl FnMut() -> T) -> Duration {
    dev.synchronize().unwrap();
    let t = Instant::now();
    for _ in 0..iters {
        drop(f());
    }
    dev.synchronize().unwrap();
    t.elapsed()
}
