//! Devices the benches run on: the CPU backend and, when present, the GPU
//! adapter (lavapipe on a machine without a GPU).

use ndgpu::Device;

pub fn devices() -> Vec<(&'static str, Device)> {
    let mut v = vec![("cpu", Device::cpu())];
    if let Ok(g) = Device::gpu() {
        v.push(("gpu", g));
    }
    v
}
