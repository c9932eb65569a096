//! What the examples share: the device named by `--device cpu|gpu|auto`.

use ndgpu::Device;

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
