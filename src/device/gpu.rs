//! The wgpu backend: device and queue, pooled buffers, a pipeline cache, and
//! a batch that records work until the host needs a result. It runs ready
//! requests (a pipeline key and source, buffers, metadata, a grid) and knows
//! no op: kernels come from `kernel/` and the op families in `ops/`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::wgpu_api as api;
use crate::error::{Error, Result};
use crate::fault::Faults;
use crate::layout::Layout;
use crate::pool::{Pool, PoolBuf, RawAlloc, Usage};

pub(crate) struct GpuAlloc {
    device: wgpu::Device,
    max_buffer: u64,
    name: String,
}

impl RawAlloc for GpuAlloc {
    type Buf = wgpu::Buffer;
    fn alloc(&self, bytes: u64, usage: Usage) -> Option<wgpu::Buffer> {
        use wgpu::BufferUsages as U;
        let u = match usage {
            Usage::Array => U::STORAGE | U::COPY_SRC | U::COPY_DST,
            // MAP_READ may only be combined with COPY_DST, hence a separate buffer.
            Usage::Staging => U::MAP_READ | U::COPY_DST,
            // Likewise MAP_WRITE with COPY_SRC.
            Usage::Upload => U::MAP_WRITE | U::COPY_SRC,
            Usage::Meta => U::STORAGE | U::COPY_DST,
            Usage::Arena => U::COPY_SRC | U::COPY_DST,
        };
        api::create_buffer(&self.device, bytes, u)
    }
    fn max_buffer_bytes(&self) -> u64 {
        self.max_buffer
    }
    fn name(&self) -> String {
        self.name.clone()
    }
}

pub(crate) type GpuStorage = Arc<PoolBuf<GpuAlloc>>;

/// Workgroup size of the elementwise kernels where the adapter allows it:
/// on lavapipe 512 measured 7.3 GB/s for `a += b` against 6.0 with 256.
const EW_WG: u32 = 512;
/// Metadata slots start on 256-byte boundaries (storage binding offset alignment).
const META_ALIGN: usize = 64;
/// Commands recorded before a batch is submitted without being asked.
const MAX_BATCH: usize = 512;
/// Bytes of copies recorded before a batch is submitted without being asked
/// (large uploads hold a staging buffer each until their submission is done).
const MAX_BATCH_COPY_BYTES: u64 = 256 << 20;
/// Uploads up to this size go through the batch's upload arena: a memcpy
/// now, one `write_buffer` of the whole arena at submit.
const SMALL_UPLOAD: usize = 256 << 10;
/// Arena bytes recorded before a batch is submitted without being asked.
const MAX_ARENA: usize = 16 << 20;

/// One recorded command. Commands hold the raw wgpu buffers, not the pool's
/// handles: wgpu keeps a buffer alive for the commands that use it, and the
/// pool gets an array's buffer back as soon as the last `Array` drops, so the
/// next allocation can reuse it for later work on the same queue
/// (stream-ordered reuse; see the pool's module doc).
enum Cmd {
    Dispatch {
        pipeline: Arc<wgpu::ComputePipeline>,
        bgl: Arc<wgpu::BindGroupLayout>,
        /// Each buffer with the byte offset and size to bind.
        buffers: Vec<(wgpu::Buffer, u64, u64)>,
        meta_at: usize,
        meta_len: usize,
        groups: (u32, u32, u32),
    },
    Copy {
        src: wgpu::Buffer,
        src_off: u64,
        dst: wgpu::Buffer,
        dst_off: u64,
        bytes: u64,
    },
    /// A copy out of the batch's upload arena.
    Upload {
        at: u64,
        dst: wgpu::Buffer,
        bytes: u64,
    },
}

#[derive(Default)]
struct Batch {
    cmds: Vec<Cmd>,
    /// The per-batch metadata arena: each dispatch owns a 256-byte aligned slot.
    meta: Vec<u32>,
    /// The per-batch upload arena: small uploads, each 4-byte aligned.
    uploads: Vec<u8>,
    /// Bytes of copies recorded.
    copy_bytes: u64,
    /// Host-visible buffers the commands use: they go back to the pool only
    /// when the submission that used them is done (mapping one that the GPU
    /// still reads would change what it reads).
    keep: Vec<PoolBuf<GpuAlloc>>,
}

/// What a pipeline is cached by: a generated elementwise kernel's key (a
/// structural value), or another kernel family's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum PipelineKey {
    Kernel(Box<crate::kernel::wgsl::KernelKey>),
    Named(String),
}

pub(crate) struct Gpu {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    pub(crate) pool: Arc<Pool<GpuAlloc>>,
    pub(crate) max_binding: u64,
    /// The elementwise kernels' workgroup size on this adapter.
    pub(crate) ew_wg: u32,
    /// Storage buffers one kernel may bind (metadata included).
    pub(crate) max_bindings: usize,
    /// Storage binding offsets are multiples of this many bytes.
    pub(crate) binding_align: u64,
    /// Discrete, integrated or CPU: picks the matmul kernel.
    pub(crate) adapter_kind: wgpu::DeviceType,
    /// Whether shaders have 64-bit integers (`SHADER_INT64`, requested when
    /// the adapter has it): the `i64` dtype needs them.
    pub(crate) int64: bool,
    pipelines: Mutex<HashMap<PipelineKey, Arc<wgpu::ComputePipeline>>>,
    bgls: Mutex<HashMap<usize, Arc<wgpu::BindGroupLayout>>>,
    batch: Mutex<Batch>,
    /// Held from taking a batch until it is submitted, so batches reach the
    /// queue in the order they were recorded, and a thread whose work went
    /// out in another thread's batch waits until that batch is submitted.
    submit: Mutex<()>,
    /// Host-visible buffers of submitted batches, with their submission's number.
    in_flight: Mutex<Vec<(u64, PoolBuf<GpuAlloc>)>>,
    /// Batches submitted, and the highest one known to be done.
    submitted: AtomicU64,
    completed: Arc<AtomicU64>,
    /// The first error wgpu reported outside a call, or the device's loss:
    /// once set, every call returns it.
    poison: Arc<Mutex<Option<Error>>>,
    poisoned: Arc<AtomicBool>,
    pub(crate) faults: Faults,
    pub(crate) counters: CounterCells,
}

/// The cumulative counts behind [`Device::counters`](crate::Device::counters).
#[derive(Default)]
pub(crate) struct CounterCells {
    dispatches: AtomicU64,
    submits: AtomicU64,
    pipelines_compiled: AtomicU64,
    bytes_uploaded: AtomicU64,
    bytes_read_back: AtomicU64,
}

impl CounterCells {
    pub(crate) fn snapshot(&self) -> crate::device::Counters {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        crate::device::Counters {
            dispatches: g(&self.dispatches),
            submits: g(&self.submits),
            pipelines_compiled: g(&self.pipelines_compiled),
            bytes_uploaded: g(&self.bytes_uploaded),
            bytes_read_back: g(&self.bytes_read_back),
        }
    }
}

fn bump(a: &AtomicU64, n: u64) {
    a.fetch_add(n, Ordering::Relaxed);
}

/// A staging buffer that may be mapped or have a map pending; dropping it
/// unmaps only then (unmapping an unmapped buffer is a wgpu validation
/// error), so a failed or cancelled transfer never returns a mapped buffer to
/// the pool.
struct MapGuard {
    buf: Option<PoolBuf<GpuAlloc>>,
    mapped: bool,
}

impl MapGuard {
    fn new(b: PoolBuf<GpuAlloc>) -> Self {
        MapGuard {
            buf: Some(b),
            mapped: false,
        }
    }
    fn raw(&self) -> &wgpu::Buffer {
        self.buf
            .as_ref()
            .expect("a guard holds its buffer until released")
            .raw()
    }
    /// Starts mapping the first `bytes`.
    fn map(&mut self, bytes: u64, mode: wgpu::MapMode) -> api::MapRx {
        self.mapped = true;
        api::map(self.raw(), bytes, mode)
    }
    /// The buffer, known to be unmapped now.
    fn release(mut self) -> PoolBuf<GpuAlloc> {
        self.mapped = false;
        self.buf
            .take()
            .expect("a guard holds its buffer until released")
    }
}

impl Drop for MapGuard {
    fn drop(&mut self) {
        if let (Some(b), true) = (&self.buf, self.mapped) {
            b.raw().unmap();
        }
    }
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn poison_with(slot: &Mutex<Option<Error>>, flag: &AtomicBool, e: Error) {
    let mut p = locked(slot);
    if p.is_none() {
        *p = Some(e);
    }
    flag.store(true, Ordering::SeqCst);
}

impl Gpu {
    pub(crate) fn new(adapter: &wgpu::Adapter) -> Result<Gpu> {
        let (device, queue) = api::open(adapter)?;
        let int64 = device.features().contains(wgpu::Features::SHADER_INT64);
        let limits = device.limits();
        let info = adapter.get_info();
        let alloc = GpuAlloc {
            device: device.clone(),
            max_buffer: limits.max_buffer_size,
            name: info.name.clone(),
        };
        let poison = Arc::new(Mutex::new(None));
        let poisoned = Arc::new(AtomicBool::new(false));
        // wgpu's default handlers panic; ndgpu turns both into a poisoned
        // device whose every later call returns the error.
        {
            let (p, f) = (poison.clone(), poisoned.clone());
            api::on_uncaptured_error(&device, move |msg| {
                poison_with(&p, &f, Error::Device(msg));
            });
            let (p, f) = (poison.clone(), poisoned.clone());
            api::on_device_lost(&device, move |msg| {
                poison_with(&p, &f, Error::DeviceLost(msg));
            });
        }
        Ok(Gpu {
            device,
            queue,
            pool: Pool::new(alloc),
            max_binding: limits.max_storage_buffer_binding_size,
            ew_wg: EW_WG
                .min(limits.max_compute_invocations_per_workgroup)
                .min(limits.max_compute_workgroup_size_x),
            max_bindings: limits.max_storage_buffers_per_shader_stage as usize,
            binding_align: limits.min_storage_buffer_offset_alignment.max(4) as u64,
            adapter_kind: info.device_type,
            int64,
            pipelines: Mutex::new(HashMap::new()),
            bgls: Mutex::new(HashMap::new()),
            batch: Mutex::new(Batch::default()),
            submit: Mutex::new(()),
            in_flight: Mutex::new(Vec::new()),
            submitted: AtomicU64::new(0),
            completed: Arc::new(AtomicU64::new(0)),
            poison,
            poisoned,
            faults: Faults::default(),
            counters: CounterCells::default(),
        })
    }

    /// The poisoning error, if wgpu reported one.
    pub(crate) fn check(&self) -> Result<()> {
        if !self.poisoned.load(Ordering::Relaxed) {
            return Ok(());
        }
        match &*locked(&self.poison) {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Destroys the device as a driver reset would (fault injection).
    #[cfg(feature = "fault-injection")]
    pub(crate) fn lose(&self) {
        self.device.destroy();
        api::poll(&self.device);
        // Some drivers call back later; the device is gone either way.
        poison_with(
            &self.poison,
            &self.poisoned,
            Error::DeviceLost("destroyed by an injected fault".into()),
        );
    }

    /// A buffer for an array. Past the memory limit, or when the driver
    /// refuses, the pool empties its cache, then submits and waits here so
    /// that buffers wgpu still holds for running work are freed, then retries.
    #[track_caller]
    pub(crate) fn alloc(
        &self,
        bytes: u64,
        usage: Usage,
        label: impl FnOnce() -> String,
    ) -> Result<PoolBuf<GpuAlloc>> {
        self.check()?;
        self.pool.get_with(bytes, usage, label, &|| {
            let _ = self.synchronize();
        })
    }

    /// Host-visible buffers whose submission is done go back to the pool.
    fn recycle(&self) {
        let done = self.completed.load(Ordering::SeqCst);
        let back: Vec<_> = {
            let mut f = locked(&self.in_flight);
            let (back, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut *f)
                .into_iter()
                .partition(|(s, _)| *s <= done);
            *f = keep;
            back
        };
        drop(back);
    }

    /// A layout for one read-only metadata binding and `n` read-write buffers.
    pub(crate) fn bgl(&self, n: usize) -> Arc<wgpu::BindGroupLayout> {
        locked(&self.bgls)
            .entry(n)
            .or_insert_with(|| {
                let mut entries = vec![api::storage_entry(0, true)];
                // Buffer 0 holds the output: read-write. The others are only
                // read; saying so lets the driver skip aliasing hazards.
                entries.extend((0..n).map(|i| api::storage_entry(i as u32 + 1, i != 0)));
                Arc::new(
                    self.device
                        .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                            label: Some("ndgpu"),
                            entries: &entries,
                        }),
                )
            })
            .clone()
    }

    /// The cached pipeline named `key`, compiled from `source` on first use.
    pub(crate) fn pipeline(
        &self,
        key: &str,
        source: impl FnOnce() -> String,
        nbuf: usize,
    ) -> Result<Arc<wgpu::ComputePipeline>> {
        self.pipeline_for(&PipelineKey::Named(key.to_string()), source, nbuf)
    }

    /// The cached pipeline for `key`, compiled from `source` on first use.
    pub(crate) fn pipeline_for(
        &self,
        key: &PipelineKey,
        source: impl FnOnce() -> String,
        nbuf: usize,
    ) -> Result<Arc<wgpu::ComputePipeline>> {
        if let Some(p) = locked(&self.pipelines).get(key) {
            return Ok(p.clone());
        }
        self.check()?;
        let src = source();
        if std::env::var("NDGPU_DUMP_WGSL").is_ok() {
            eprintln!("{src}");
        }
        let p = Arc::new(api::pipeline(&self.device, &src, &self.bgl(nbuf))?);
        bump(&self.counters.pipelines_compiled, 1);
        // The key is cloned only here, on a miss.
        locked(&self.pipelines).insert(key.clone(), p.clone());
        Ok(p)
    }

    /// The grid for `threads` invocations in workgroups of `wg`: more than
    /// 65535 workgroups go to a 2-D grid, and kernels rebuild the linear
    /// index from `num_workgroups`.
    pub(crate) fn grid(&self, threads: u64, wg: u32) -> Result<(u32, u32, u32)> {
        let groups = threads.div_ceil(wg as u64).max(1);
        let x = groups.min(65535) as u32;
        let y = groups.div_ceil(x as u64);
        if y > 65535 {
            return Err(Error::Value(format!(
                "a kernel of {threads} invocations needs more than 65535 x 65535 workgroups of {wg}; split the work or use Device::cpu()"
            )));
        }
        Ok((x, y as u32, 1))
    }

    /// Records a dispatch of `pipeline` over `buffers` (distinct buffers, in
    /// binding order) with `meta` as its metadata and `threads` invocations.
    pub(crate) fn dispatch(
        &self,
        pipeline: Arc<wgpu::ComputePipeline>,
        buffers: Vec<GpuStorage>,
        meta: &[u32],
        threads: u64,
        wg: u32,
    ) -> Result<()> {
        let groups = self.grid(threads, wg)?;
        self.dispatch_grid(pipeline, buffers, meta, groups)
    }

    /// Records a dispatch of `pipeline` over an explicit grid of workgroups
    /// (each at most 65535), for kernels that map the grid themselves (the
    /// matrix product: column blocks, row blocks, batch).
    pub(crate) fn dispatch_grid(
        &self,
        pipeline: Arc<wgpu::ComputePipeline>,
        buffers: Vec<GpuStorage>,
        meta: &[u32],
        groups: (u32, u32, u32),
    ) -> Result<()> {
        self.check()?;
        for b in &buffers {
            // The bytes asked for: a size class may round past the limit.
            if b.requested() > self.max_binding {
                return Err(Error::OutOfMemory {
                    requested: b.requested(),
                    limit: self.max_binding,
                    live: self.pool.stats().live_bytes,
                    device: self.pool.allocator().name(),
                    reason: "largest storage binding",
                });
            }
        }
        // At most the binding limit (the part past it is size-class
        // rounding, never addressed).
        let windows = buffers
            .iter()
            .map(|b| (b.clone(), 0, b.bytes().min(self.max_binding & !3)))
            .collect();
        self.dispatch_windows(pipeline, windows, meta, groups)
    }

    /// Records a dispatch that binds a window of each buffer: `(buffer,
    /// byte offset, bytes)`, the offset a multiple of the adapter's storage
    /// offset alignment and the size at most the binding limit. This is how
    /// kernels reach arrays larger than one binding.
    pub(crate) fn dispatch_windows(
        &self,
        pipeline: Arc<wgpu::ComputePipeline>,
        windows: Vec<(GpuStorage, u64, u64)>,
        meta: &[u32],
        groups: (u32, u32, u32),
    ) -> Result<()> {
        self.check()?;
        for (b, off, size) in &windows {
            if *size > self.max_binding || off % self.binding_align != 0 || off + size > b.bytes() {
                return Err(Error::Value(format!(
                    "a binding window of {size} bytes at {off} of a {}-byte buffer breaks the adapter's limits ({} bytes, offsets multiple of {})",
                    b.bytes(),
                    self.max_binding,
                    self.binding_align
                )));
            }
        }
        let bgl = self.bgl(windows.len());
        let buffers = windows
            .iter()
            .map(|(b, off, size)| (b.raw().clone(), *off, *size))
            .collect();
        let mut b = locked(&self.batch);
        let meta_at = b.meta.len();
        b.meta.extend_from_slice(meta);
        let pad = b.meta.len().div_ceil(META_ALIGN) * META_ALIGN;
        b.meta.resize(pad, 0);
        b.cmds.push(Cmd::Dispatch {
            pipeline,
            bgl,
            buffers,
            meta_at,
            meta_len: meta.len(),
            groups,
        });
        let full = b.cmds.len() >= MAX_BATCH;
        drop(b);
        bump(&self.counters.dispatches, 1);
        if full {
            self.flush()?;
        }
        Ok(())
    }

    /// Records a buffer-to-buffer copy; `keep` is a host-visible buffer the
    /// copy uses, held until its submission is done. Past the batch's command
    /// or byte threshold, submits.
    fn record_copy(&self, cmd: Cmd, bytes: u64, keep: Option<PoolBuf<GpuAlloc>>) -> Result<()> {
        let mut b = locked(&self.batch);
        b.cmds.push(cmd);
        b.copy_bytes += bytes;
        b.keep.extend(keep);
        let full = b.cmds.len() >= MAX_BATCH
            || b.copy_bytes >= MAX_BATCH_COPY_BYTES
            || b.uploads.len() >= MAX_ARENA;
        drop(b);
        if full {
            self.flush()?;
        }
        Ok(())
    }

    /// Encodes and submits everything recorded. Metadata and small uploads
    /// are written once, here, so that no dispatch of the batch sees
    /// another's.
    ///
    /// Failure policy: everything that can fail (the fault hook, the arena
    /// allocations) happens before the batch is taken, so a failed flush
    /// leaves every recorded command in place for the next flush to submit;
    /// no work whose call returned `Ok` is dropped. An error wgpu reports
    /// for the submission itself poisons the device instead (see [`check`](Gpu::check)).
    pub(crate) fn flush(&self) -> Result<()> {
        self.check()?;
        let _order = locked(&self.submit);
        let mut guard = locked(&self.batch);
        if guard.cmds.is_empty() {
            return Ok(());
        }
        if self.faults.flush.fire() {
            return Err(Error::Gpu(
                "injected fault: the batch could not be submitted".into(),
            ));
        }
        let meta = if guard.meta.is_empty() {
            None
        } else {
            Some(
                self.pool
                    .get((guard.meta.len() * 4) as u64, Usage::Meta, || {
                        "kernel metadata".into()
                    })?,
            )
        };
        let arena = if guard.uploads.is_empty() {
            None
        } else {
            Some(
                self.pool
                    .get(guard.uploads.len() as u64, Usage::Arena, || {
                        "upload arena".into()
                    })?,
            )
        };
        let batch = std::mem::take(&mut *guard);
        drop(guard);
        // write_buffer lands before this submission's commands and after
        // every earlier submission, so reusing these buffers is safe.
        if let Some(m) = &meta {
            self.queue
                .write_buffer(m.raw(), 0, bytemuck::cast_slice(&batch.meta));
        }
        if let Some(a) = &arena {
            self.queue.write_buffer(a.raw(), 0, &batch.uploads);
        }
        let mut enc = self.device.create_command_encoder(&Default::default());
        let mut cmds = batch.cmds.iter().peekable();
        while let Some(cmd) = cmds.next() {
            match cmd {
                Cmd::Copy {
                    src,
                    src_off,
                    dst,
                    dst_off,
                    bytes,
                } => {
                    enc.copy_buffer_to_buffer(src, *src_off, dst, *dst_off, *bytes);
                }
                Cmd::Upload { at, dst, bytes } => {
                    let a = arena.as_ref().expect("uploads always have an arena");
                    enc.copy_buffer_to_buffer(a.raw(), *at, dst, 0, *bytes);
                }
                Cmd::Dispatch { .. } => {
                    // Consecutive dispatches share one pass; wgpu orders them.
                    let mut pass = enc.begin_compute_pass(&Default::default());
                    let mut next = Some(cmd);
                    while let Some(Cmd::Dispatch {
                        pipeline,
                        bgl,
                        buffers,
                        meta_at,
                        meta_len,
                        groups,
                    }) = next
                    {
                        let m = meta.as_ref().expect("dispatches always have metadata");
                        let mut entries = vec![wgpu::BindGroupEntry {
                            binding: 0,
                            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                                buffer: m.raw(),
                                offset: (*meta_at * 4) as u64,
                                size: wgpu::BufferSize::new((*meta_len * 4) as u64),
                            }),
                        }];
                        for (i, (b, offset, size)) in buffers.iter().enumerate() {
                            entries.push(wgpu::BindGroupEntry {
                                binding: i as u32 + 1,
                                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                                    buffer: b,
                                    offset: *offset,
                                    size: wgpu::BufferSize::new(*size),
                                }),
                            });
                        }
                        let bg = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                            label: None,
                            layout: bgl,
                            entries: &entries,
                        });
                        pass.set_pipeline(pipeline);
                        pass.set_bind_group(0, &bg, &[]);
                        pass.dispatch_workgroups(groups.0, groups.1, groups.2);
                        next = match cmds.peek() {
                            Some(Cmd::Dispatch { .. }) => cmds.next(),
                            _ => None,
                        };
                    }
                }
            }
        }
        self.queue.submit([enc.finish()]);
        bump(&self.counters.submits, 1);
        let seq = self.submitted.fetch_add(1, Ordering::SeqCst) + 1;
        let done = self.completed.clone();
        self.queue.on_submitted_work_done(move || {
            done.fetch_max(seq, Ordering::SeqCst);
        });
        if !batch.keep.is_empty() {
            let mut f = locked(&self.in_flight);
            f.extend(batch.keep.into_iter().map(|b| (seq, b)));
        }
        // The metadata and arena buffers go back to the pool now: their next
        // user writes them with write_buffer, which is ordered after this
        // submission.
        drop(meta);
        drop(arena);
        self.check()
    }

    pub(crate) fn synchronize(&self) -> Result<()> {
        self.flush()?;
        api::wait(&self.device)?;
        self.recycle();
        self.check()
    }

    /// Writes host bytes into the start of `dst`, in the order of recorded
    /// work (a bare `queue.write_buffer` into `dst` would land before every
    /// command of the next submit, ahead of recorded commands that still read
    /// what a reused buffer held).
    ///
    /// Small uploads are copied into the batch's upload arena (a memcpy) and
    /// reach `dst` by a recorded copy; nothing waits. Large ones go through a
    /// pooled staging buffer that is mapped, written and copied: a staging
    /// buffer returns to the pool only when its last copy is done, so mapping
    /// one never waits for the device.
    pub(crate) fn upload(&self, dst: &GpuStorage, bytes: &[u8]) -> Result<()> {
        self.check()?;
        if bytes.is_empty() {
            return Ok(());
        }
        bump(&self.counters.bytes_uploaded, bytes.len() as u64);
        // Copies move multiples of 4 bytes; GPU dtypes are 32-bit.
        let n = (bytes.len() as u64).next_multiple_of(4);
        if bytes.len() <= SMALL_UPLOAD {
            let mut b = locked(&self.batch);
            let at = b.uploads.len() as u64;
            b.uploads.extend_from_slice(bytes);
            b.uploads.resize((at + n) as usize, 0);
            drop(b);
            let cmd = Cmd::Upload {
                at,
                dst: dst.raw().clone(),
                bytes: n,
            };
            return self.record_copy(cmd, 0, None);
        }
        api::poll(&self.device);
        self.recycle();
        let staging = self.alloc(n, Usage::Upload, || "upload staging".into())?;
        let mut g = MapGuard::new(staging);
        if self.faults.map.fire() {
            return Err(Error::Gpu("injected fault: mapping failed".into()));
        }
        let rx = g.map(n, wgpu::MapMode::Write);
        // The buffer is idle (see above), so one poll maps it; a driver that
        // needs longer gets a wait.
        api::poll(&self.device);
        let r = match rx.try_recv() {
            Ok(r) => r,
            Err(_) => {
                api::wait(&self.device)?;
                rx.recv()
                    .map_err(|_| Error::Gpu("upload mapping was cancelled".into()))?
            }
        };
        if let Err(e) = r {
            g.mapped = false;
            self.check()?;
            return Err(Error::Gpu(format!("upload mapping failed: {e}")));
        }
        let mut padded;
        let src = if bytes.len() as u64 == n {
            bytes
        } else {
            padded = bytes.to_vec();
            padded.resize(n as usize, 0);
            &padded[..]
        };
        g.mapped = false; // write_mapped unmaps, even on error
        api::write_mapped(g.raw(), src)?;
        let staging = g.release();
        let cmd = Cmd::Copy {
            src: staging.raw().clone(),
            src_off: 0,
            dst: dst.raw().clone(),
            dst_off: 0,
            bytes: n,
        };
        self.record_copy(cmd, n, Some(staging))
    }

    /// Records a copy of `bytes` from `src` into a staging buffer, submits,
    /// and starts mapping the staging buffer.
    fn start_read(
        &self,
        src: &GpuStorage,
        src_off: u64,
        bytes: u64,
    ) -> Result<(MapGuard, api::MapRx)> {
        self.check()?;
        let staging = self.alloc(bytes, Usage::Staging, || "readback staging".into())?;
        let cmd = Cmd::Copy {
            src: src.raw().clone(),
            src_off,
            dst: staging.raw().clone(),
            dst_off: 0,
            bytes,
        };
        let mut g = MapGuard::new(staging);
        self.record_copy(cmd, bytes, None)?;
        // On an error here the copy stays recorded and the staging buffer
        // returns to the pool: a later reader of it records its own copy
        // after this one, so it still reads what its copy wrote.
        self.flush()?;
        if self.faults.map.fire() {
            return Err(Error::Gpu("injected fault: mapping failed".into()));
        }
        let rx = g.map(bytes, wgpu::MapMode::Read);
        Ok((g, rx))
    }

    /// The end of a readback: the map's outcome, then the bytes.
    fn finish_read(
        &self,
        mut g: MapGuard,
        r: Option<std::result::Result<(), wgpu::BufferAsyncError>>,
        out: &mut [u8],
    ) -> Result<()> {
        let r = r.ok_or_else(|| Error::Gpu("readback was cancelled".into()))?;
        if let Err(e) = r {
            g.mapped = false;
            self.check()?;
            return Err(Error::Gpu(format!("readback mapping failed: {e}")));
        }
        // A submission that wgpu rejected never wrote the staging buffer:
        // never hand its bytes out.
        self.check()?;
        bump(&self.counters.bytes_read_back, out.len() as u64);
        g.mapped = false; // read_mapped unmaps, even on error
        api::read_mapped(g.raw(), out.len() as u64, out)?;
        drop(g.release());
        Ok(())
    }

    /// Reads `out.len()` bytes at `src_off` of `src` (blocking).
    pub(crate) fn read(&self, src: &GpuStorage, src_off: u64, out: &mut [u8]) -> Result<()> {
        if out.is_empty() {
            return self.check();
        }
        if let Some((at, mut words)) = unaligned(src_off, out.len()) {
            // Copies move whole words: read the words around the bytes.
            self.read(src, at, &mut words)?;
            let skip = (src_off - at) as usize;
            out.copy_from_slice(&words[skip..skip + out.len()]);
            return Ok(());
        }
        let (g, rx) = self.start_read(src, src_off, out.len() as u64)?;
        api::wait(&self.device)?;
        self.recycle();
        let r = rx.recv().ok();
        self.finish_read(g, r, out)
    }

    /// Reads without blocking the thread: polls the device each time the
    /// future is polled, until the mapping is done. Dropping the future
    /// part-way unmaps the staging buffer before it returns to the pool.
    pub(crate) async fn read_async(
        &self,
        src: &GpuStorage,
        src_off: u64,
        out: &mut [u8],
    ) -> Result<()> {
        if out.is_empty() {
            return self.check();
        }
        if let Some((at, mut words)) = unaligned(src_off, out.len()) {
            Box::pin(self.read_async(src, at, &mut words)).await?;
            let skip = (src_off - at) as usize;
            out.copy_from_slice(&words[skip..skip + out.len()]);
            return Ok(());
        }
        let (g, rx) = self.start_read(src, src_off, out.len() as u64)?;
        let r = std::future::poll_fn(|cx| {
            api::poll(&self.device);
            match rx.try_recv() {
                Ok(r) => std::task::Poll::Ready(Some(r)),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => std::task::Poll::Ready(None),
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    cx.waker().wake_by_ref();
                    std::task::Poll::Pending
                }
            }
        })
        .await;
        self.recycle();
        self.finish_read(g, r, out)
    }
}

/// For a read of `len` bytes at `off` that copies cannot move (they move
/// whole 4-byte words: `u8` and `f16` arrays): the word-aligned offset and
/// a zeroed buffer for the words that cover the bytes.
fn unaligned(off: u64, len: usize) -> Option<(u64, Vec<u8>)> {
    if off.is_multiple_of(4) && len.is_multiple_of(4) {
        return None;
    }
    let at = off & !3;
    let end = (off + len as u64).next_multiple_of(4);
    Some((at, vec![0u8; (end - at) as usize]))
}

/// Parses and validates WGSL with naga, as wgpu would, for the tests that
/// check every generated kernel.
#[cfg(test)]
pub(crate) fn validate_wgsl(src: &str) -> std::result::Result<(), String> {
    let module = naga::front::wgsl::parse_str(src).map_err(|e| e.emit_to_string(src))?;
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    )
    .validate(&module)
    .map(|_| ())
    .map_err(|e| e.emit_to_string(src))
}

/// A layout as kernel metadata: its offset, then its strides (i32 bits).
/// The kernels add `index * stride` terms to the offset in i32, and every
/// partial sum lies between the layout's lowest and highest address, so the
/// layout fits when those addresses do.
///
/// # Errors
/// An address past `i32::MAX` elements, naming the limit.
pub(crate) fn layout_words(l: &Layout) -> Result<Vec<u32>> {
    let mut w = Vec::with_capacity(l.ndim() + 1);
    let (lo, hi) = l.extent().unwrap_or((l.offset, l.offset));
    if hi > i32::MAX as usize || lo > hi {
        return Err(Error::Value(format!(
            "a view reaching element {hi} of its buffer: GPU kernels address elements with 32-bit signed offsets (at most {}); use Device::cpu() or a smaller array",
            i32::MAX
        )));
    }
    w.push(l.offset as u32);
    // Within the extent every stride of an axis longer than 1 fits in i32;
    // the others are never multiplied by a nonzero index.
    w.extend(
        l.shape
            .iter()
            .zip(&l.strides)
            .map(|(&d, &s)| if d > 1 { s as i32 as u32 } else { 0 }),
    );
    Ok(w)
}

/// The kernels index elements with 32 bits.
pub(crate) fn too_many(n: usize) -> Error {
    Error::Value(format!(
        "{n} elements: GPU kernels index at most {} elements per operation; split the work or use Device::cpu()",
        u32::MAX
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_words_check_the_i32_range() {
        let l = Layout::contiguous(&[4, 3]);
        assert_eq!(layout_words(&l).unwrap(), vec![0, 3, 1]);
        let t = l.t();
        assert_eq!(layout_words(&t).unwrap(), vec![0, 1, 3]);
        let far = Layout {
            shape: vec![2],
            strides: vec![1],
            offset: i32::MAX as usize,
        };
        let e = layout_words(&far).unwrap_err().to_string();
        assert!(e.contains("32-bit signed offsets"), "{e}");
        let wide = Layout {
            shape: vec![3],
            strides: vec![1 << 30],
            offset: 0,
        };
        assert!(layout_words(&wide).is_err());
        // A long stride on an axis of length 1 is never used.
        let one = Layout {
            shape: vec![1, 2],
            strides: vec![isize::MAX, 1],
            offset: 5,
        };
        assert_eq!(layout_words(&one).unwrap(), vec![5, 0, 1]);
    }
}
