//! Lists every adapter wgpu finds, with backend, kind and key limits, and
//! the device `Device::new()` picks.
//!
//! `cargo run --release --example devices`

use ndgpu::Device;

fn main() -> ndgpu::Result<()> {
    let adapters = Device::adapters();
    if adapters.is_empty() {
        println!("no wgpu adapter found (install a Vulkan driver, e.g. mesa-vulkan-drivers)");
    }
    for a in &adapters {
        let i = &a.info;
        println!("{}", i.name);
        println!(
            "  backend {}, kind {:?}, driver {}",
            i.backend,
            i.kind,
            a.driver.trim()
        );
        println!(
            "  max buffer {} MiB, max storage binding {} MiB, workgroup x {}, workgroups/dim {}, f16 {}",
            i.max_buffer_bytes >> 20,
            i.max_binding_bytes >> 20,
            a.max_workgroup_size_x,
            a.max_workgroups_per_dimension,
            a.shader_f16
        );
    }
    let dev = Device::new()?;
    println!("Device::new() picks: {}", dev.info());
    Ok(())
}
