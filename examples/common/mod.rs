//! What the examples share: the device named by `--device cpu|gpu|auto`,
//! and a median timer that waits for the device.

#![allow(dead_code)] // each example uses part of it

use std::time::Instant;

use ndgpu::Device;

/// Median milliseconds of `reps` runs of `f`, each waited for (after one
/// warm-up run).
pub fn time<R>(
    dev: &Device,
    reps: usize,
    mut f: impl FnMut() -> ndgpu::Result<R>,
) -> ndgpu::Result<f64> {
    drop(f()?);
    dev.synchronize()?;
    let mut t = Vec::with_capacity(reps);
    for _ in 0..reps {
        let s = Instant::now();
        let r = f()?;
        dev.synchronize()?;
        t.push(s.elapsed().as_secs_f64() * 1e3);
        drop(r);
    }
    t.sort_by(f64::total_cmp);
    Ok(t[t.len() / 2])
}

/// The device `--device` names, else `Device::new()`.
pub fn device() -> ndgpu::Result<Device> {
    // Mesa's Vulkan loader complains on stderr when this is unset, although
    // compute needs no display; the examples set it before any thread starts.
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        std::env::set_var("XDG_RUNTIME_DIR", std::env::temp_dir());
    }
    let args: Vec<String> = std::env::args().collect();
    let name = args
        .iter()
        .position(|a| a == "--device")
        .and_then(|i| args.get(i + 1));
    Device::by_name(name.map_or("auto", |s| s.as_str()))
}
