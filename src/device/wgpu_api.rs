//! Every wgpu call whose form changes between wgpu versions, in one place,
//! so an upgrade of wgpu is an edit of this file (checked against wgpu 30).

use crate::error::{Error, Result};

/// An instance over the backends `WGPU_BACKEND` names, else the primary ones
/// (Vulkan, Metal, DX12). GL is left out by default: llvmpipe's GL compiles
/// shaders lazily, 20-45 s for a first dispatch.
pub(crate) fn instance() -> wgpu::Instance {
    let mut d = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    if wgpu::Backends::from_env().is_none() {
        d.backends = wgpu::Backends::PRIMARY;
    }
    wgpu::Instance::new(d)
}

pub(crate) fn enumerate(instance: &wgpu::Instance) -> Vec<wgpu::Adapter> {
    pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()))
}

pub(crate) fn power_preference() -> wgpu::PowerPreference {
    wgpu::PowerPreference::from_env().unwrap_or(wgpu::PowerPreference::HighPerformance)
}

/// Opens a device with the adapter's own limits (wgpu's defaults cap
/// storage bindings at 128 MiB and workgroups at 256 invocations).
pub(crate) fn open(adapter: &wgpu::Adapter) -> Result<(wgpu::Device, wgpu::Queue)> {
    let desc = wgpu::DeviceDescriptor {
        label: Some("ndgpu"),
        // 64-bit shader integers carry the i64 dtype where the adapter has them.
        required_features: adapter.features() & wgpu::Features::SHADER_INT64,
        required_limits: adapter.limits(),
        experimental_features: wgpu::ExperimentalFeatures::disabled(),
        memory_hints: wgpu::MemoryHints::Performance,
        trace: wgpu::Trace::Off,
    };
    pollster::block_on(adapter.request_device(&desc))
        .map_err(|e| Error::DeviceRequest(e.to_string()))
}

/// Blocks until all submitted work is done.
pub(crate) fn wait(device: &wgpu::Device) -> Result<()> {
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map(|_| ())
        .map_err(|e| Error::Gpu(e.to_string()))
}

/// Polls once without blocking.
pub(crate) fn poll(device: &wgpu::Device) {
    let _ = device.poll(wgpu::PollType::Poll);
}

/// Creates a buffer, or `None` when the driver is out of memory.
pub(crate) fn create_buffer(
    device: &wgpu::Device,
    size: u64,
    usage: wgpu::BufferUsages,
) -> Option<wgpu::Buffer> {
    let scope = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let buf = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("ndgpu"),
        size,
        usage,
        mapped_at_creation: false,
    });
    match pollster::block_on(scope.pop()) {
        None => Some(buf),
        Some(_) => None,
    }
}

/// The receiving end of a `map_async` callback.
pub(crate) type MapRx = std::sync::mpsc::Receiver<Result<(), wgpu::BufferAsyncError>>;

/// Starts mapping the first `bytes` of `staging`; the channel receives the
/// outcome when a poll of the device completes the mapping.
pub(crate) fn map(staging: &wgpu::Buffer, bytes: u64, mode: wgpu::MapMode) -> MapRx {
    let (tx, rx) = std::sync::mpsc::channel();
    staging.slice(..bytes).map_async(mode, move |r| {
        let _ = tx.send(r);
    });
    rx
}

/// Routes errors that wgpu raises outside an error scope (its default
/// handler panics) to `f`, with wgpu's message.
pub(crate) fn on_uncaptured_error(
    device: &wgpu::Device,
    f: impl Fn(String) + Send + Sync + 'static,
) {
    device.on_uncaptured_error(std::sync::Arc::new(move |e: wgpu::Error| f(e.to_string())));
}

/// Calls `f` with wgpu's reason and message when the device is lost.
pub(crate) fn on_device_lost(device: &wgpu::Device, f: impl Fn(String) + Send + 'static) {
    device.set_device_lost_callback(move |reason, msg| f(format!("{reason:?}: {msg}")));
}

/// Copies `bytes` into the mapped buffer and unmaps.
pub(crate) fn write_mapped(staging: &wgpu::Buffer, bytes: &[u8]) -> Result<()> {
    let mut view = staging
        .slice(..bytes.len() as u64)
        .get_mapped_range_mut()
        .map_err(|e| Error::Gpu(e.to_string()))?;
    view.copy_from_slice(bytes);
    drop(view);
    staging.unmap();
    Ok(())
}

/// Copies the mapped bytes out and unmaps.
pub(crate) fn read_mapped(staging: &wgpu::Buffer, bytes: u64, out: &mut [u8]) -> Result<()> {
    let view = staging
        .slice(..bytes)
        .get_mapped_range()
        .map_err(|e| Error::Gpu(e.to_string()))?;
    out.copy_from_slice(&view);
    drop(view);
    staging.unmap();
    Ok(())
}

pub(crate) fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// A compute pipeline from WGSL source with an explicit bind group layout.
pub(crate) fn pipeline(
    device: &wgpu::Device,
    source: &str,
    bgl: &wgpu::BindGroupLayout,
) -> Result<wgpu::ComputePipeline> {
    let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("ndgpu"),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("ndgpu"),
        bind_group_layouts: &[Some(bgl)],
        immediate_size: 0,
    });
    let p = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("ndgpu"),
        layout: Some(&layout),
        module: &module,
        entry_point: Some("main"),
        compilation_options: wgpu::PipelineCompilationOptions::default(),
        cache: None,
    });
    match pollster::block_on(scope.pop()) {
        None => Ok(p),
        Some(e) => Err(Error::Gpu(format!("shader rejected: {e}"))),
    }
}
