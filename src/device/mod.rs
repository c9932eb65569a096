//! Devices: adapter choice, the two backends, and what arrays ask of them.

pub(crate) mod cpu;
pub(crate) mod gpu;
pub(crate) mod wgpu_api;

use std::fmt;
use std::sync::Arc;

use crate::element::DType;
use crate::error::{Error, Result};
use crate::pool::{LeakGuard, MemoryStats, Pool, Usage};
use cpu::{CpuAlloc, CpuStorage};
use gpu::{Gpu, GpuStorage};

/// What kind of processor a device runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    /// A discrete GPU.
    Discrete,
    /// A GPU integrated with the CPU.
    Integrated,
    /// A virtualised GPU.
    Virtual,
    /// A software rasterizer posing as a GPU (lavapipe, llvmpipe, WARP).
    Software,
    /// ndgpu's own CPU backend.
    Cpu,
    /// An adapter that does not say.
    Other,
}

/// What a device is; see [`Device::info`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Adapter name (`"cpu"` for the CPU backend).
    pub name: String,
    /// `vulkan`, `metal`, `dx12`, `gl` or `cpu`.
    pub backend: &'static str,
    /// Hardware, software or CPU.
    pub kind: DeviceKind,
    /// The largest buffer the device allows, in bytes.
    pub max_buffer_bytes: u64,
    /// The largest storage binding a kernel can read, in bytes.
    pub max_binding_bytes: u64,
}

impl fmt::Display for DeviceInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}, {:?})", self.name, self.backend, self.kind)
    }
}

pub(crate) enum Backend {
    Cpu(Arc<Pool<CpuAlloc>>),
    Gpu(Box<Gpu>),
}

pub(crate) struct Inner {
    pub(crate) backend: Backend,
    info: DeviceInfo,
}

/// A place arrays live: a wgpu adapter or the CPU backend. Cloning gives
/// another handle to the same device.
#[derive(Clone)]
pub struct Device {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Device({})", self.inner.info)
    }
}

/// An array's buffer: a pooled handle, shared by every view of it.
#[derive(Clone)]
pub(crate) enum Storage {
    Cpu(CpuStorage),
    Gpu(GpuStorage),
}

impl Storage {
    /// Is this the only handle to the buffer (no other array or view uses it)?
    pub(crate) fn unique(&self) -> bool {
        match self {
            Storage::Cpu(a) => Arc::strong_count(a) == 1,
            Storage::Gpu(a) => Arc::strong_count(a) == 1,
        }
    }

    /// Do both handles name one buffer?
    pub(crate) fn same(&self, other: &Storage) -> bool {
        match (self, other) {
            (Storage::Cpu(a), Storage::Cpu(b)) => Arc::ptr_eq(a, b),
            (Storage::Gpu(a), Storage::Gpu(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

fn kind_of(t: wgpu::DeviceType) -> DeviceKind {
    match t {
        wgpu::DeviceType::DiscreteGpu => DeviceKind::Discrete,
        wgpu::DeviceType::IntegratedGpu => DeviceKind::Integrated,
        wgpu::DeviceType::VirtualGpu => DeviceKind::Virtual,
        wgpu::DeviceType::Cpu => DeviceKind::Software,
        wgpu::DeviceType::Other => DeviceKind::Other,
    }
}

fn backend_name(b: wgpu::Backend) -> &'static str {
    match b {
        wgpu::Backend::Vulkan => "vulkan",
        wgpu::Backend::Metal => "metal",
        wgpu::Backend::Dx12 => "dx12",
        wgpu::Backend::Gl => "gl",
        wgpu::Backend::BrowserWebGpu => "webgpu",
        _ => "other",
    }
}

/// Cumulative counts of a device's work; see [`Device::counters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Kernels recorded (GPU compute dispatches).
    pub dispatches: u64,
    /// Batches submitted to the GPU queue.
    pub submits: u64,
    /// Compute pipelines compiled (each kernel variant once).
    pub pipelines_compiled: u64,
    /// Bytes copied from the host into arrays.
    pub bytes_uploaded: u64,
    /// Bytes copied from arrays back to the host.
    pub bytes_read_back: u64,
}

/// One adapter as [`Device::adapters`] lists it.
#[derive(Debug, Clone)]
pub struct AdapterSummary {
    /// Name, backend and kind, as the device would report them.
    pub info: DeviceInfo,
    /// The driver's description.
    pub driver: String,
    /// Largest workgroup along x.
    pub max_workgroup_size_x: u32,
    /// Largest number of workgroups per dimension.
    pub max_workgroups_per_dimension: u32,
    /// Whether the adapter has 16-bit floats in shaders.
    pub shader_f16: bool,
}

fn summary(a: &wgpu::Adapter) -> AdapterSummary {
    let i = a.get_info();
    let l = a.limits();
    AdapterSummary {
        info: DeviceInfo {
            name: i.name.clone(),
            backend: backend_name(i.backend),
            kind: kind_of(i.device_type),
            max_buffer_bytes: l.max_buffer_size,
            max_binding_bytes: l.max_storage_buffer_binding_size,
        },
        driver: format!("{} {}", i.driver, i.driver_info),
        max_workgroup_size_x: l.max_compute_workgroup_size_x,
        max_workgroups_per_dimension: l.max_compute_workgroups_per_dimension,
        shader_f16: a.features().contains(wgpu::Features::SHADER_F16),
    }
}

/// Adapters in order of preference: `WGPU_ADAPTER_NAME` filters by name
/// (case-insensitive substring), `WGPU_POWER_PREF` orders discrete before
/// integrated (`high`, the default) or the reverse (`low`).
fn ranked(hardware_only: bool) -> Result<Vec<wgpu::Adapter>> {
    let instance = wgpu_api::instance();
    let mut all = wgpu_api::enumerate(&instance);
    if let Ok(want) = std::env::var("WGPU_ADAPTER_NAME") {
        let want = want.to_lowercase();
        let names: Vec<String> = all.iter().map(|a| a.get_info().name).collect();
        all.retain(|a| a.get_info().name.to_lowercase().contains(&want));
        if all.is_empty() {
            return Err(Error::NoAdapter(format!(
                " named like WGPU_ADAPTER_NAME={want:?} (adapters present: {names:?})"
            )));
        }
    }
    if hardware_only {
        all.retain(|a| {
            matches!(
                a.get_info().device_type,
                wgpu::DeviceType::DiscreteGpu
                    | wgpu::DeviceType::IntegratedGpu
                    | wgpu::DeviceType::VirtualGpu
            )
        });
    }
    let low = wgpu_api::power_preference() == wgpu::PowerPreference::LowPower;
    all.sort_by_key(|a| match (a.get_info().device_type, low) {
        (wgpu::DeviceType::DiscreteGpu, false) | (wgpu::DeviceType::IntegratedGpu, true) => 0,
        (wgpu::DeviceType::IntegratedGpu, false) | (wgpu::DeviceType::DiscreteGpu, true) => 1,
        (wgpu::DeviceType::VirtualGpu, _) => 2,
        (wgpu::DeviceType::Other, _) => 3,
        (wgpu::DeviceType::Cpu, _) => 4,
    });
    Ok(all)
}

impl Device {
    /// A hardware GPU when there is one, else the CPU backend. It never picks
    /// a software rasterizer: lavapipe runs elementwise work about 15× slower
    /// than one CPU core. `NDGPU_DEVICE=cpu|gpu` overrides the choice
    /// (`gpu` means [`Device::gpu`], software adapters included).
    ///
    /// ```
    /// use ndgpu::Device;
    /// let dev = Device::new()?; // a hardware GPU, else the CPU backend
    /// println!("{}", dev.info());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Only with `NDGPU_DEVICE=gpu` when no adapter opens, or an unknown
    /// `NDGPU_DEVICE` value.
    pub fn new() -> Result<Device> {
        match std::env::var("NDGPU_DEVICE").as_deref() {
            Ok("cpu") => return Ok(Device::cpu()),
            Ok("gpu") => return Device::gpu(),
            Ok("") | Err(_) => {}
            Ok(other) => {
                return Err(Error::Value(format!(
                    "NDGPU_DEVICE={other:?} is not understood; expected \"cpu\" or \"gpu\""
                )))
            }
        }
        match ranked(true).ok().and_then(|v| v.into_iter().next()) {
            Some(a) => Device::from_adapter(&a).or_else(|_| Ok(Device::cpu())),
            None => Ok(Device::cpu()),
        }
    }

    /// A device by name: `"cpu"` ([`Device::cpu`]), `"gpu"` ([`Device::gpu`])
    /// or `"auto"` ([`Device::new`]); what the examples' `--device` takes.
    ///
    /// ```
    /// use ndgpu::Device;
    /// let dev = Device::by_name("cpu")?;
    /// assert!(dev.is_cpu());
    /// assert!(Device::by_name("tpu").is_err());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An unknown name, or no adapter for `"gpu"`.
    pub fn by_name(name: &str) -> Result<Device> {
        match name {
            "cpu" => Ok(Device::cpu()),
            "gpu" => Device::gpu(),
            "auto" | "" => Device::new(),
            other => Err(Error::Value(format!(
                "unknown device {other:?}; expected \"cpu\", \"gpu\" or \"auto\""
            ))),
        }
    }

    /// Any wgpu adapter, software ones (lavapipe) included; hardware first.
    ///
    /// ```
    /// use ndgpu::Device;
    /// match Device::gpu() {
    ///     Ok(g) => assert!(!g.is_cpu()),
    ///     Err(e) => assert!(e.to_string().contains("no GPU adapter")),
    /// }
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NoAdapter`] with how to get one.
    pub fn gpu() -> Result<Device> {
        let adapters = ranked(false)?;
        let first = adapters
            .first()
            .ok_or_else(|| Error::NoAdapter(String::new()))?;
        Device::from_adapter(first)
    }

    /// The CPU backend.
    ///
    /// ```
    /// use ndgpu::Device;
    /// let dev = Device::cpu();
    /// assert_eq!(dev.info().backend, "cpu");
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn cpu() -> Device {
        Device {
            inner: Arc::new(Inner {
                backend: Backend::Cpu(Pool::new(CpuAlloc)),
                info: DeviceInfo {
                    name: "cpu".into(),
                    backend: "cpu",
                    kind: DeviceKind::Cpu,
                    max_buffer_bytes: isize::MAX as u64,
                    max_binding_bytes: isize::MAX as u64,
                },
            }),
        }
    }

    /// Every adapter wgpu finds (with `WGPU_BACKEND` and `WGPU_ADAPTER_NAME`
    /// applied), in the order [`Device::gpu`] prefers them.
    ///
    /// ```
    /// use ndgpu::Device;
    /// for a in Device::adapters() {
    ///     println!("{} ({})", a.info, a.driver);
    /// }
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn adapters() -> Vec<AdapterSummary> {
        ranked(false)
            .unwrap_or_default()
            .iter()
            .map(summary)
            .collect()
    }

    fn from_adapter(a: &wgpu::Adapter) -> Result<Device> {
        let info = summary(a).info;
        Ok(Device {
            inner: Arc::new(Inner {
                backend: Backend::Gpu(Box::new(Gpu::new(a)?)),
                info,
            }),
        })
    }

    /// Name, backend and kind.
    ///
    /// ```
    /// use ndgpu::Device;
    /// let dev = Device::cpu();
    /// assert_eq!(dev.info().name, "cpu");
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn info(&self) -> &DeviceInfo {
        &self.inner.info
    }

    /// The GPU backend, unless this is the CPU one.
    pub(crate) fn gpu_backend(&self) -> Option<&Gpu> {
        match &self.inner.backend {
            Backend::Gpu(g) => Some(g),
            Backend::Cpu(_) => None,
        }
    }

    /// Is this the CPU backend?
    ///
    /// ```
    /// use ndgpu::Device;
    /// let dev = Device::cpu();
    /// assert!(dev.is_cpu());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn is_cpu(&self) -> bool {
        matches!(self.inner.backend, Backend::Cpu(_))
    }

    /// Submits recorded work and waits for it.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::ones(&dev, &[4])?;
    /// a.add_scalar_inplace(1.0)?;
    /// dev.synchronize()?; // waits for recorded work (cupy: Device.synchronize())
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A GPU error while waiting; [`Error::Device`] or [`Error::DeviceLost`]
    /// once the device is poisoned.
    pub fn synchronize(&self) -> Result<()> {
        match &self.inner.backend {
            Backend::Cpu(_) => Ok(()),
            Backend::Gpu(g) => g.synchronize(),
        }
    }

    /// The pool's statistics.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[256])?;
    /// assert!(dev.memory().live_bytes >= 1024);
    /// drop(a);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn memory(&self) -> MemoryStats {
        match &self.inner.backend {
            Backend::Cpu(p) => p.stats(),
            Backend::Gpu(g) => g.pool.stats(),
        }
    }

    /// Cumulative counts of the work this device ran: dispatches, submits,
    /// pipelines compiled, bytes uploaded and read back; take two and
    /// subtract to see what a stretch of work cost (one dispatch per
    /// elementwise op, say). The CPU backend dispatches nothing: its counts
    /// stay zero.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::new()?;
    /// let a = Array::<f32>::ones(&dev, &[1024])?;
    /// let before = dev.counters();
    /// a.add_scalar_inplace(1.0)?;
    /// let ran = dev.counters().dispatches - before.dispatches;
    /// assert_eq!(ran, if dev.is_cpu() { 0 } else { 1 });
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn counters(&self) -> Counters {
        match &self.inner.backend {
            Backend::Cpu(_) => Counters::default(),
            Backend::Gpu(g) => g.counters.snapshot(),
        }
    }

    /// Restarts [`MemoryStats::peak_bytes`] from the bytes arrays hold now
    /// (PyTorch's `torch.cuda.reset_peak_memory_stats`), to measure the peak
    /// of one stretch of work.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// drop(Array::<f32>::zeros(&dev, &[1 << 20])?);
    /// dev.reset_peak_bytes();
    /// let small = Array::<f32>::zeros(&dev, &[256])?;
    /// assert_eq!(dev.memory().peak_bytes, 1024);
    /// # drop(small);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn reset_peak_bytes(&self) {
        match &self.inner.backend {
            Backend::Cpu(p) => p.reset_peak(),
            Backend::Gpu(g) => g.pool.reset_peak(),
        }
    }

    /// Gives cached, unused buffers back to the driver or the allocator.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// drop(Array::<f32>::zeros(&dev, &[256])?);
    /// dev.trim(); // cupy: MemoryPool.free_all_blocks()
    /// assert_eq!(dev.memory().cached_bytes, 0);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn trim(&self) {
        match &self.inner.backend {
            Backend::Cpu(p) => p.trim(),
            Backend::Gpu(g) => g.pool.trim(),
        }
    }

    /// Starts a leak check: [`LeakGuard::finish`] fails if any array buffer
    /// allocated from now on is still live then.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let guard = dev.leak_check();
    /// let a = Array::<f32>::zeros(&dev, &[4])?;
    /// std::mem::forget(a);
    /// let err = guard.finish().unwrap_err();
    /// assert!(err.to_string().contains("1 buffer(s)"));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn leak_check(&self) -> LeakGuard {
        let since = match &self.inner.backend {
            Backend::Cpu(p) => p.watermark(),
            Backend::Gpu(g) => g.pool.watermark(),
        };
        LeakGuard {
            since,
            device: self.clone(),
        }
    }

    pub(crate) fn leaks_since(&self, since: u64) -> Option<String> {
        match &self.inner.backend {
            Backend::Cpu(p) => p.leaks_since(since),
            Backend::Gpu(g) => g.pool.leaks_since(since),
        }
    }

    pub(crate) fn same(&self, other: &Device) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Is `dtype` usable here?
    pub(crate) fn check_dtype(&self, dtype: DType) -> Result<()> {
        let lacks = match (&self.inner.backend, dtype) {
            (Backend::Cpu(_), _) => false,
            (Backend::Gpu(_), DType::F64) => true,
            (Backend::Gpu(g), DType::I64) => !g.int64,
            (Backend::Gpu(_), _) => false,
        };
        if lacks {
            return Err(Error::Dtype {
                dtype: dtype.name(),
                device: self.inner.info.name.clone(),
                hint: dtype.gpu_hint(),
            });
        }
        Ok(())
    }

    /// For the GPU kernels that work on 32-bit elements (matmul, sorting,
    /// scans, scatters, compaction): an [`Error::Dtype`] with `hint` for
    /// `f16`, `u8` and `i64` arrays on a GPU.
    pub(crate) fn check_words(&self, dtype: DType, hint: &'static str) -> Result<()> {
        if !self.is_cpu() && dtype.wgsl().is_none() {
            return Err(Error::Dtype {
                dtype: dtype.name(),
                device: self.inner.info.name.clone(),
                hint,
            });
        }
        Ok(())
    }

    /// A buffer of `bytes` bytes for an array; its contents are whatever a
    /// reused buffer held, so every constructor writes all of it.
    #[track_caller]
    pub(crate) fn alloc(&self, bytes: u64, label: impl FnOnce() -> String) -> Result<Storage> {
        match &self.inner.backend {
            Backend::Cpu(p) => Ok(Storage::Cpu(Arc::new(p.get(bytes, Usage::Array, label)?))),
            Backend::Gpu(g) => Ok(Storage::Gpu(Arc::new(g.alloc(
                bytes,
                Usage::Array,
                label,
            )?))),
        }
    }

    /// Caps the bytes this device's pool may hold (live arrays, the
    /// library's own buffers and the cache of freed ones); `None` lifts the
    /// cap (CuPy's `MemoryPool.set_limit`). An allocation that would pass it
    /// first empties the cache, then (on a GPU) submits recorded work and
    /// waits for the queue so that freed buffers really come back, then
    /// fails with [`Error::OutOfMemory`] naming the size, the live bytes and
    /// the limit. Buffers already held are not taken back.
    ///
    /// ```
    /// use ndgpu::{Array, Device, Error};
    /// let dev = Device::cpu();
    /// dev.set_memory_limit(Some(1 << 20));
    /// let a = Array::<f32>::zeros(&dev, &[1024])?;           // 4 KiB: fine
    /// let e = Array::<f32>::zeros(&dev, &[1 << 20]).unwrap_err(); // 4 MiB: refused
    /// assert!(matches!(e, Error::OutOfMemory { reason: "memory limit", .. }));
    /// dev.set_memory_limit(None);
    /// # drop(a);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn set_memory_limit(&self, bytes: Option<u64>) {
        match &self.inner.backend {
            Backend::Cpu(p) => p.set_limit(bytes),
            Backend::Gpu(g) => g.pool.set_limit(bytes),
        }
    }

    /// Makes a later operation fail, for tests of the failure paths (the
    /// `fault-injection` feature). CPU devices have no flush or map: those
    /// faults never fire there, and [`Fault::Lose`](crate::Fault::Lose) does nothing.
    ///
    /// ```
    /// use ndgpu::{Array, Device, Fault};
    /// let dev = Device::cpu();
    /// dev.inject_fault(Fault::Alloc(1));              // the next allocation fails
    /// assert!(Array::<f32>::zeros(&dev, &[4]).is_err());
    /// assert!(Array::<f32>::zeros(&dev, &[4]).is_ok()); // once
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    #[cfg(feature = "fault-injection")]
    pub fn inject_fault(&self, fault: crate::Fault) {
        use crate::Fault;
        let faults = match &self.inner.backend {
            Backend::Cpu(p) => &p.faults,
            Backend::Gpu(g) => match fault {
                Fault::Alloc(_) => &g.pool.faults,
                _ => &g.faults,
            },
        };
        match fault {
            Fault::Alloc(n) => faults.alloc.arm(n),
            Fault::Flush(n) => faults.flush.arm(n),
            Fault::Map(n) => faults.map.arm(n),
            Fault::Lose => {
                if let Backend::Gpu(g) = &self.inner.backend {
                    g.lose();
                }
            }
        }
    }
}
