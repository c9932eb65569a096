//! What the examples share: the device named by `--device cpu|gpu|auto`.

use ndgpu::Device;

/// The device `--device` names, else `Device::new()`.
pub fn device() -> ndgpu::Result<Device> {
    let args: Vec<String> = std::env::args().collect();
    let name = args
        .iter()
        .position(|a| a == "--device")
        .and_then(|i| args.get(i + 1));
    Device::by_name(name.map_or("auto", |s| s.as_str()))
}
