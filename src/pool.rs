//! The buffer pool: size classes, reuse, statistics and the leak check.
//!
//! Layers, bottom up: a [`RawAlloc`] creates and destroys raw buffers (wgpu
//! buffers or host memory); the [`Pool`] keeps freed buffers by size class
//! and usage and hands them out again; a [`PoolBuf`] is the handle an array's
//! storage holds, and dropping the last one gives the buffer back.
//! The pool is generic over the allocator so it is unit-tested without a GPU.
//!
//! **The reuse rule (stream-ordered, as PyTorch's CUDA caching allocator).**
//! An array's buffer returns to the pool the moment its last `Array` drops,
//! even when recorded-but-unsubmitted GPU commands still use it, and the next
//! allocation of its size class may take it at once. This is safe because
//! recorded commands hold wgpu's own handle to the raw buffer (wgpu keeps it
//! alive for them), and the queue runs commands in the order they were
//! recorded, with wgpu ordering hazards between them, so any later write
//! into the reused buffer happens after every earlier read of it.
//! Host-visible buffers (readback and upload staging) are the exception: a
//! mapping is not ordered with the queue, so they return only when the
//! submission that last used them is done.
//!
//! **Limits.** [`Pool::set_limit`] caps the bytes the pool holds (live,
//! internal and cached). A new buffer that the limit or the driver refuses
//! first empties the cache, then calls the backend's `reclaim` (the GPU
//! submits and waits, so buffers the driver still holds come back), then
//! retries once, then fails with [`Error::OutOfMemory`].

use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{Error, Result};
use crate::fault::Faults;

/// What a buffer is for. Only [`Usage::Array`] buffers count as live arrays;
/// the library's own (staging, kernel metadata) are counted apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Usage {
    /// An array's storage.
    Array,
    /// Host-visible staging for readback.
    Staging,
    /// Host-visible staging for uploads.
    Upload,
    /// Per-batch kernel metadata.
    Meta,
    /// Per-batch arena of small uploads, written with `queue.write_buffer`.
    Arena,
}

/// Creates raw buffers; the pool's only link to a backend.
pub(crate) trait RawAlloc: Send + Sync + 'static {
    /// The raw buffer.
    type Buf: Send + Sync + 'static;
    /// Creates a buffer of exactly `bytes` bytes, or `None` when out of memory.
    fn alloc(&self, bytes: u64, usage: Usage) -> Option<Self::Buf>;
    /// The largest buffer this allocator can create.
    fn max_buffer_bytes(&self) -> u64;
    /// The device's name, for error messages.
    fn name(&self) -> String;
}

/// Memory statistics of a device's pool.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryStats {
    /// Buffers held by arrays now.
    pub live_buffers: usize,
    /// Bytes held by arrays now (size classes, so a little above the arrays' sizes).
    pub live_bytes: u64,
    /// Freed buffers kept for reuse.
    pub cached_buffers: usize,
    /// Bytes of freed buffers kept for reuse.
    pub cached_bytes: u64,
    /// The most bytes arrays held at once.
    pub peak_bytes: u64,
    /// Buffers ever created from the driver or the allocator (all usages).
    pub created: u64,
    /// Requests served from the cache (all usages).
    pub reused: u64,
    /// The library's own buffers in use now (staging, kernel metadata).
    pub internal_buffers: usize,
    /// Bytes of the library's own buffers in use now.
    pub internal_bytes: u64,
}

impl MemoryStats {
    /// Every byte the pool holds: live arrays, the library's own buffers
    /// and the cache. This is what a memory limit bounds (CuPy's
    /// `MemoryPool.total_bytes()`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[256])?;
    /// drop(a);
    /// let m = dev.memory();
    /// assert_eq!(m.held(), m.live_bytes + m.internal_bytes + m.cached_bytes);
    /// assert!(m.cached_bytes >= 1024);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn held(&self) -> u64 {
        self.live_bytes + self.internal_bytes + self.cached_bytes
    }
}

/// The size class of a request: at least 256 bytes, then steps of a quarter
/// of the power of two below, so a class wastes at most 25%.
pub(crate) fn size_class(bytes: u64) -> u64 {
    if bytes <= 256 {
        return 256;
    }
    let pow = 1u64 << (63 - bytes.leading_zeros());
    let step = (pow / 4).max(256);
    // Past any device's limits the class is the request itself (then refused).
    bytes.div_ceil(step).checked_mul(step).unwrap_or(bytes)
}

#[derive(Debug, Clone)]
struct LiveInfo {
    bytes: u64,
    usage: Usage,
    label: String,
    location: &'static Location<'static>,
}

struct State<B> {
    free: HashMap<(u64, Usage), Vec<B>>,
    live: HashMap<u64, LiveInfo>,
    next_id: u64,
    stats: MemoryStats,
    limit: Option<u64>,
}

/// A pool of buffers from one allocator.
pub(crate) struct Pool<A: RawAlloc> {
    alloc: A,
    state: Mutex<State<A::Buf>>,
    /// Test-only failures (the `fault-injection` feature).
    pub(crate) faults: Faults,
}

/// A pooled buffer; dropping it returns the buffer to its pool.
pub(crate) struct PoolBuf<A: RawAlloc> {
    buf: Option<A::Buf>,
    /// Freed rather than cached on drop (a failed call's fresh buffer).
    discard: std::sync::atomic::AtomicBool,
    id: u64,
    class: u64,
    requested: u64,
    usage: Usage,
    pool: Arc<Pool<A>>,
}

impl<A: RawAlloc> PoolBuf<A> {
    /// The raw buffer.
    pub(crate) fn raw(&self) -> &A::Buf {
        self.buf
            .as_ref()
            .expect("a live PoolBuf always holds its buffer")
    }
    /// The buffer's size in bytes (its size class).
    pub(crate) fn bytes(&self) -> u64 {
        self.class
    }
    /// The bytes asked for (at most [`bytes`](PoolBuf::bytes)).
    pub(crate) fn requested(&self) -> u64 {
        self.requested
    }
    /// The pool-wide id of this allocation.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }
    /// Gives the buffer back to the driver, not the cache, when dropped:
    /// a call that fails leaves nothing in the pool that it was not asked
    /// to keep.
    pub(crate) fn discard(&self) {
        self.discard
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

impl<A: RawAlloc> Drop for PoolBuf<A> {
    fn drop(&mut self) {
        if let Some(buf) = self.buf.take() {
            let cache = !self.discard.load(std::sync::atomic::Ordering::Relaxed);
            self.pool
                .release(self.id, self.class, self.usage, buf, cache);
        }
    }
}

impl<A: RawAlloc> Pool<A> {
    pub(crate) fn new(alloc: A) -> Arc<Self> {
        Arc::new(Pool {
            alloc,
            state: Mutex::new(State {
                free: HashMap::new(),
                live: HashMap::new(),
                next_id: 0,
                stats: MemoryStats::default(),
                limit: None,
            }),
            faults: Faults::default(),
        })
    }

    pub(crate) fn allocator(&self) -> &A {
        &self.alloc
    }

    fn lock(&self) -> MutexGuard<'_, State<A::Buf>> {
        // A panic while the lock is held cannot leave the maps half-updated
        // (each update is a single insert/remove), so a poisoned lock is usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Hands out a buffer of at least `bytes` bytes; see [`get_with`](Pool::get_with).
    #[track_caller]
    pub(crate) fn get(
        self: &Arc<Self>,
        bytes: u64,
        usage: Usage,
        label: impl FnOnce() -> String,
    ) -> Result<PoolBuf<A>> {
        self.get_with(bytes, usage, label, &|| {})
    }

    /// Hands out a buffer of at least `bytes` bytes, reusing a cached one of
    /// the same class when there is one. A new buffer that the memory limit
    /// or the driver refuses first empties the cache, then calls `reclaim`
    /// (the GPU submits its batch and waits, so buffers the driver still
    /// holds for running work are really freed), then tries once more.
    ///
    /// # Errors
    /// [`Error::OutOfMemory`] naming the size, the live bytes and the limit.
    #[track_caller]
    pub(crate) fn get_with(
        self: &Arc<Self>,
        bytes: u64,
        usage: Usage,
        label: impl FnOnce() -> String,
        reclaim: &dyn Fn(),
    ) -> Result<PoolBuf<A>> {
        let location = Location::caller();
        let max = self.alloc.max_buffer_bytes();
        // A request that fits the device never fails for its rounding.
        let class = size_class(bytes).min(max.max(bytes));
        let oom = |limit: u64, reason: &'static str| Error::OutOfMemory {
            requested: bytes,
            limit,
            live: self.lock().stats.live_bytes,
            device: self.alloc.name(),
            reason,
        };
        if class > max {
            return Err(oom(max, "largest buffer"));
        }
        if self.faults.alloc.fire() {
            return Err(oom(max, "injected fault"));
        }
        let mut trimmed = false;
        let mut reclaimed = false;
        let buf = loop {
            if let Some(b) = self.take_cached(class, usage) {
                break b;
            }
            let limit = self.lock().limit;
            let over = limit.filter(|&l| self.lock().stats.held().saturating_add(class) > l);
            if over.is_none() {
                if let Some(b) = self.alloc.alloc(class, usage) {
                    self.lock().stats.created += 1;
                    break b;
                }
            }
            if !trimmed {
                trimmed = true;
                self.trim();
            } else if !reclaimed {
                reclaimed = true;
                reclaim();
            } else {
                return Err(match over {
                    Some(l) => oom(l, "memory limit"),
                    None => oom(max, "the driver refused"),
                });
            }
        };
        let mut st = self.lock();
        let id = st.next_id;
        st.next_id += 1;
        match usage {
            Usage::Array => {
                st.stats.live_buffers += 1;
                st.stats.live_bytes += class;
                st.stats.peak_bytes = st.stats.peak_bytes.max(st.stats.live_bytes);
            }
            _ => {
                st.stats.internal_buffers += 1;
                st.stats.internal_bytes += class;
            }
        }
        st.live.insert(
            id,
            LiveInfo {
                bytes,
                usage,
                label: label(),
                location,
            },
        );
        drop(st);
        Ok(PoolBuf {
            buf: Some(buf),
            discard: std::sync::atomic::AtomicBool::new(false),
            id,
            class,
            requested: bytes,
            usage,
            pool: self.clone(),
        })
    }

    fn take_cached(&self, class: u64, usage: Usage) -> Option<A::Buf> {
        let mut st = self.lock();
        let b = st.free.get_mut(&(class, usage)).and_then(Vec::pop);
        if b.is_some() {
            st.stats.cached_buffers -= 1;
            st.stats.cached_bytes -= class;
            st.stats.reused += 1;
        }
        b
    }

    /// Restarts the peak from the live bytes.
    pub(crate) fn reset_peak(&self) {
        let mut st = self.lock();
        st.stats.peak_bytes = st.stats.live_bytes;
    }

    /// Sets the most bytes the pool may hold (live, internal and cached);
    /// `None` removes the limit.
    pub(crate) fn set_limit(&self, limit: Option<u64>) {
        self.lock().limit = limit;
    }

    fn release(&self, id: u64, class: u64, usage: Usage, buf: A::Buf, cache: bool) {
        let mut st = self.lock();
        st.live.remove(&id);
        match usage {
            Usage::Array => {
                st.stats.live_buffers -= 1;
                st.stats.live_bytes -= class;
            }
            _ => {
                st.stats.internal_buffers -= 1;
                st.stats.internal_bytes -= class;
            }
        }
        if !cache {
            drop(st);
            drop(buf); // outside the lock
            return;
        }
        st.stats.cached_buffers += 1;
        st.stats.cached_bytes += class;
        st.free.entry((class, usage)).or_default().push(buf);
    }

    /// Gives every cached buffer back to the allocator.
    pub(crate) fn trim(&self) {
        let freed = {
            let mut st = self.lock();
            st.stats.cached_buffers = 0;
            st.stats.cached_bytes = 0;
            std::mem::take(&mut st.free)
        };
        drop(freed); // outside the lock: destroying wgpu buffers may take a while
    }

    pub(crate) fn stats(&self) -> MemoryStats {
        self.lock().stats
    }

    /// The id the next allocation will get; a leak check starts here.
    pub(crate) fn watermark(&self) -> u64 {
        self.lock().next_id
    }

    /// Lists array buffers allocated at or after `since` that are still live.
    pub(crate) fn leaks_since(&self, since: u64) -> Option<String> {
        let st = self.lock();
        let mut leaks: Vec<_> = st
            .live
            .iter()
            .filter(|(&id, info)| id >= since && info.usage == Usage::Array)
            .collect();
        if leaks.is_empty() {
            return None;
        }
        leaks.sort_by_key(|(&id, _)| id);
        let total: u64 = leaks.iter().map(|(_, i)| i.bytes).sum();
        let mut report = format!(
            "leak check failed on {}: {} buffer(s), {} bytes still live:",
            self.alloc.name(),
            leaks.len(),
            total
        );
        for (id, i) in leaks {
            let _ = write!(
                report,
                "\n  #{id}: {} bytes, {}, allocated at {}",
                i.bytes, i.label, i.location
            );
        }
        Some(report)
    }
}

/// A leak check in progress; see [`Device::leak_check`](crate::Device::leak_check).
#[must_use = "call finish() to run the check"]
pub struct LeakGuard {
    pub(crate) since: u64,
    pub(crate) device: crate::Device,
}

impl LeakGuard {
    /// Waits for queued work, then checks that every array buffer allocated
    /// since the guard was made has been given back.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let guard = dev.leak_check();
    /// let tmp = Array::<f32>::zeros(&dev, &[8])?;
    /// drop(tmp);
    /// guard.finish()?; // every buffer came back
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Leak`] listing each live buffer with its size, label and the
    /// source location that allocated it.
    pub fn finish(self) -> Result<()> {
        self.device.synchronize()?;
        match self.device.leaks_since(self.since) {
            None => Ok(()),
            Some(report) => Err(Error::Leak(report)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A fake allocator that fails above a byte budget.
    struct Fake {
        budget: u64,
        used: Arc<AtomicU64>,
    }
    struct FakeBuf(u64, Arc<AtomicU64>);
    impl Drop for FakeBuf {
        fn drop(&mut self) {
            self.1.fetch_sub(self.0, Ordering::SeqCst);
        }
    }
    impl RawAlloc for Fake {
        type Buf = FakeBuf;
        fn alloc(&self, bytes: u64, _: Usage) -> Option<FakeBuf> {
            if self.used.load(Ordering::SeqCst) + bytes > self.budget {
                return None;
            }
            self.used.fetch_add(bytes, Ordering::SeqCst);
            Some(FakeBuf(bytes, self.used.clone()))
        }
        fn max_buffer_bytes(&self) -> u64 {
            1 << 20
        }
        fn name(&self) -> String {
            "fake".into()
        }
    }

    fn pool(budget: u64) -> (Arc<Pool<Fake>>, Arc<AtomicU64>) {
        let used = Arc::new(AtomicU64::new(0));
        let p = Pool::new(Fake {
            budget,
            used: used.clone(),
        });
        (p, used)
    }

    #[test]
    fn classes_round_up_by_at_most_a_quarter() {
        assert_eq!(size_class(1), 256);
        assert_eq!(size_class(257), 512);
        assert_eq!(size_class(1000), 1024);
        assert_eq!(size_class(4097), 5120);
        for b in [300u64, 5000, 1 << 20, 12345678] {
            let c = size_class(b);
            assert!(c >= b && c as f64 <= b as f64 * 1.25 + 256.0, "{b} -> {c}");
        }
    }

    #[test]
    fn reuse_stats_and_leaks() {
        let (p, used) = pool(1 << 20);
        let w = p.watermark();
        let a = p.get(1000, Usage::Array, || "a".into()).unwrap();
        let m = p.get(100, Usage::Meta, || "m".into()).unwrap();
        let s = p.stats();
        assert_eq!(
            (s.live_buffers, s.live_bytes, s.internal_buffers),
            (1, 1024, 1)
        );
        assert!(p
            .leaks_since(w)
            .unwrap()
            .contains("1000 bytes, a, allocated at"));
        drop(a);
        drop(m);
        assert!(p.leaks_since(w).is_none());
        let b = p.get(900, Usage::Array, || "b".into()).unwrap();
        let s = p.stats();
        assert_eq!((s.created, s.reused, s.cached_buffers), (2, 1, 1));
        drop(b);
        assert_eq!(used.load(Ordering::SeqCst), 1024 + 256);
        p.trim();
        assert_eq!(used.load(Ordering::SeqCst), 0);
        assert_eq!(p.stats().cached_bytes, 0);
    }

    #[test]
    fn out_of_memory_trims_then_errors() {
        let (p, _) = pool(4096);
        let a = p.get(3000, Usage::Array, String::new).unwrap();
        drop(a); // cached: 3072 of 4096 used
        let b = p.get(2048, Usage::Array, String::new).unwrap(); // needs the trim
        assert_eq!(p.stats().cached_buffers, 0);
        let e = p.get(4000, Usage::Array, String::new).err().unwrap();
        assert!(
            matches!(
                e,
                Error::OutOfMemory {
                    requested: 4000,
                    ..
                }
            ),
            "{e}"
        );
        let e = p.get(2 << 20, Usage::Array, String::new).err().unwrap();
        assert!(
            e.to_string().contains("largest buffer: limit 1048576"),
            "{e}"
        );
        drop(b);
    }
}
