//! The CPU backend: host memory from the pool, and kernels over strided
//! layouts. Contiguous outputs are split across threads with rayon; every
//! kernel gathers its inputs a block at a time into small arrays so that the
//! arithmetic loop is a plain, vectorisable loop over the block.
//!
//! Locks and threads: each buffer is a `RwLock`, so readers of one array
//! never exclude each other; a kernel locks each distinct buffer once, in
//! pool-id order (no lock-order cycle), on the calling thread. Its parallel
//! part runs in ndgpu's own rayon pool ([`exec`]), whose workers run nothing
//! but ndgpu's lock-free chunks of work: a lock is never held by a thread
//! that could pick up a user's task while it waits (rayon's work stealing),
//! so ndgpu called from inside a user's `par_iter` cannot deadlock.

use std::sync::{Arc, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rayon::prelude::*;

use crate::layout::Layout;
use crate::pool::{PoolBuf, RawAlloc, Usage};

/// Host memory: 8-byte words, so every dtype (f64 included) casts from it
/// with bytemuck. The lock lets views write through `&self`; a kernel locks
/// each distinct buffer once, in id order.
pub(crate) type CpuBuf = RwLock<Vec<u64>>;

pub(crate) struct CpuAlloc;

impl RawAlloc for CpuAlloc {
    type Buf = CpuBuf;
    fn alloc(&self, bytes: u64, _: Usage) -> Option<CpuBuf> {
        let words = usize::try_from(bytes.div_ceil(8)).ok()?;
        let mut v: Vec<u64> = Vec::new();
        v.try_reserve_exact(words).ok()?;
        advise_huge_pages(&mut v);
        v.resize(words, 0);
        Some(RwLock::new(v))
    }
    fn max_buffer_bytes(&self) -> u64 {
        isize::MAX as u64
    }
    fn name(&self) -> String {
        "cpu".into()
    }
}

/// Asks Linux to back a large buffer with 2 MiB pages before its first
/// touch, as NumPy does for its arrays: where transparent huge pages are
/// on request only (`madvise`, a common default), kernels that walk a big
/// array out of order (a radix sort's scatter, a gather) otherwise spend
/// their time in TLB misses, and the first touch takes 512 times fewer
/// page faults. Only advice: where it is refused nothing changes.
#[cfg(target_os = "linux")]
fn advise_huge_pages(v: &mut Vec<u64>) {
    const HUGE: usize = 2 << 20;
    const PAGE: usize = 4096;
    let bytes = v.capacity() * 8;
    if bytes < 2 * HUGE {
        return;
    }
    let start = v.as_mut_ptr() as usize;
    let first = start.next_multiple_of(PAGE);
    let end = (start + bytes) / PAGE * PAGE;
    if end <= first {
        return;
    }
    // SAFETY: `madvise(MADV_HUGEPAGE)` only sets how the kernel backs the
    // pages of the range; it does not change their contents, mapping or
    // validity, so no Rust reference can observe it. The range is
    // page-aligned (as madvise requires) and lies inside `v`'s allocation
    // (capacity `bytes`), which stays alive and unmoved during the call.
    unsafe {
        libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_: &mut Vec<u64>) {}

pub(crate) type CpuStorage = Arc<PoolBuf<CpuAlloc>>;

/// Locks a buffer for writing.
pub(crate) fn lock(s: &CpuStorage) -> RwLockWriteGuard<'_, Vec<u64>> {
    // Kernels never panic half-way through a write that would leave the
    // buffer inconsistent with its layout, so a poisoned lock is usable.
    s.raw().write().unwrap_or_else(|p| p.into_inner())
}

/// Locks a buffer for reading; readers do not exclude each other.
pub(crate) fn read(s: &CpuStorage) -> RwLockReadGuard<'_, Vec<u64>> {
    s.raw().read().unwrap_or_else(|p| p.into_inner())
}

/// Either kind of lock on a buffer, for kernels that lock several.
pub(crate) enum Guard<'a> {
    Read(RwLockReadGuard<'a, Vec<u64>>),
    Write(RwLockWriteGuard<'a, Vec<u64>>),
}

impl Guard<'_> {
    pub(crate) fn words(&self) -> &[u64] {
        match self {
            Guard::Read(g) => g,
            Guard::Write(g) => g,
        }
    }
    /// The words of a write lock.
    pub(crate) fn words_mut(&mut self) -> Option<&mut [u64]> {
        match self {
            Guard::Read(_) => None,
            Guard::Write(g) => Some(g),
        }
    }
}

/// Locks `bufs` (distinct buffers) in pool-id order, the first for writing
/// and the rest for reading; the guards come back in `bufs`' order.
pub(crate) fn lock_all<'a>(bufs: &[&'a CpuStorage]) -> Vec<Guard<'a>> {
    let mut order: Vec<usize> = (0..bufs.len()).collect();
    order.sort_by_key(|&i| bufs[i].id());
    let mut guards: Vec<Option<Guard<'a>>> = (0..bufs.len()).map(|_| None).collect();
    for i in order {
        guards[i] = Some(if i == 0 {
            Guard::Write(lock(bufs[i]))
        } else {
            Guard::Read(read(bufs[i]))
        });
    }
    guards
        .into_iter()
        .map(|g| g.expect("every buffer was locked"))
        .collect()
}

/// ndgpu's own thread pool for the parallel part of CPU kernels.
fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("ndgpu-cpu-{i}"))
            .build()
            .unwrap_or_else(|e| panic!("ndgpu could not start its CPU threads: {e}"))
    })
}

/// Runs `f`, whose rayon calls then use ndgpu's pool. The caller holds its
/// buffer locks: from a plain thread, `f` runs as a pool task while the
/// caller waits (yielding, then blocked) without running other work (rayon
/// gives a plain thread in `in_place_scope` a blocking latch); from a worker of another rayon pool (a user's `par_iter`),
/// whose waits would steal that pool's tasks while the locks are held, `f`
/// runs on a helper thread that the caller joins with a plain, non-stealing
/// wait.
pub(crate) fn exec<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let p = pool();
    if p.current_thread_index().is_some() {
        f()
    } else if rayon::current_thread_index().is_none() {
        // Not `install`, whose caller sleeps on a condition variable at
        // once: waking it again cost 20-30 µs on the 2-core test VM, as long
        // as a 160K-element reduction, and made such calls' times bimodal
        // (a copy of (20000, 8): median 49 µs, fastest 17). The caller
        // yields in a loop for up to SPIN_WAIT instead, then waits as
        // before; a plain thread in `in_place_scope` never runs the pool's
        // other tasks, so its locks stay safe (median 17 µs). That rests on
        // rayon-core's choice of latch for a scope owned by no worker (a
        // blocking one, checked in 1.13): recheck it on a rayon upgrade.
        use std::sync::atomic::{AtomicBool, Ordering};
        let done = AtomicBool::new(false);
        let mut out = None;
        p.in_place_scope(|s| {
            s.spawn(|_| {
                out = Some(f());
                done.store(true, Ordering::Release);
            });
            let t0 = std::time::Instant::now();
            while !done.load(Ordering::Acquire) && t0.elapsed() < SPIN_WAIT {
                std::thread::yield_now();
            }
        });
        out.expect("the job ran")
    } else {
        std::thread::scope(|s| {
            s.spawn(|| p.install(f))
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
        })
    }
}

/// How long a caller of [`exec`] yields in a loop for its job before it
/// sleeps: short jobs come back without a wake-up.
const SPIN_WAIT: std::time::Duration = std::time::Duration::from_micros(200);

/// [`exec`] for work of `elements` elements: below [`PAR_MIN`], where the
/// CPU kernels run serially anyway, `f` runs on the caller's thread when
/// that is a plain thread, saving the hand-off to a pool thread and the
/// wake-up back (10-30 µs a call on the 2-core test machine, more than a
/// 64³ product or a reduction of 16K elements takes).
pub(crate) fn exec_sized<R: Send>(elements: usize, f: impl FnOnce() -> R + Send) -> R {
    if elements < PAR_MIN && rayon::current_thread_index().is_none() {
        f()
    } else {
        exec(f)
    }
}

/// Elements below this run on one thread: rayon's hand-off costs more. The
/// reduction kernels share it (see [`exec_sized`]).
pub(crate) const PAR_MIN: usize = 1 << 16;
/// Elements per parallel task.
const PAR_CHUNK: usize = 1 << 15;

/// Walks a layout's offsets in C order from any linear index.
pub(crate) struct Walker<'a> {
    l: &'a Layout,
    idx: Vec<usize>,
    off: isize,
}

impl<'a> Walker<'a> {
    pub(crate) fn new(l: &'a Layout, mut start: usize) -> Self {
        let mut idx = vec![0; l.ndim()];
        let mut off = l.offset as isize;
        for d in (0..l.ndim()).rev() {
            let n = l.shape[d].max(1);
            idx[d] = start % n;
            start /= n;
            off += idx[d] as isize * l.strides[d];
        }
        Walker { l, idx, off }
    }
    #[inline]
    pub(crate) fn next(&mut self) -> usize {
        let cur = self.off;
        let mut d = self.l.ndim();
        while d > 0 {
            d -= 1;
            self.idx[d] += 1;
            self.off += self.l.strides[d];
            if self.idx[d] < self.l.shape[d] {
                break;
            }
            self.off -= self.l.strides[d] * self.l.shape[d] as isize;
            self.idx[d] = 0;
        }
        cur as usize
    }
}

/// Elements `start..start+dst.len()` (C order) of the layout `l` over `buf`:
/// one copy for a contiguous layout, whole runs along a contiguous
/// innermost axis, else element by element.
pub(crate) fn gather_block<T: bytemuck::Pod + Send + Sync>(
    buf: &[T],
    l: &Layout,
    start: usize,
    dst: &mut [T],
) {
    if l.is_c_contiguous() {
        let b = l.offset + start;
        dst.copy_from_slice(&buf[b..b + dst.len()]);
        return;
    }
    let inner = *l.shape.last().unwrap_or(&1);
    let mut w = Walker::new(l, start);
    if l.strides.last() == Some(&1) && inner >= 16 {
        let mut k = 0;
        while k < dst.len() {
            let pos = (start + k) % inner;
            let run = (inner - pos).min(dst.len() - k);
            let at = w.next();
            dst[k..k + run].copy_from_slice(&buf[at..at + run]);
            for _ in 1..run {
                w.next();
            }
            k += run;
        }
        return;
    }
    for d in dst.iter_mut() {
        *d = buf[w.next()];
    }
}

/// Copies the elements of `l` out of `buf` in C order into `out` (of `l`'s size).
pub(crate) fn gather_into<T: bytemuck::Pod + Send + Sync>(buf: &[T], l: &Layout, out: &mut [T]) {
    let n = l.size();
    if l.is_c_contiguous() {
        let src = &buf[l.offset..l.offset + n];
        if n < PAR_MIN {
            out.copy_from_slice(src);
        } else {
            exec(|| {
                out.par_chunks_mut(PAR_CHUNK)
                    .zip(src.par_chunks(PAR_CHUNK))
                    .for_each(|(o, s)| o.copy_from_slice(s))
            });
        }
        return;
    }
    if n < PAR_MIN {
        gather_block(buf, l, 0, out);
    } else {
        exec(|| {
            out.par_chunks_mut(PAR_CHUNK)
                .enumerate()
                .for_each(|(i, o)| gather_block(buf, l, i * PAR_CHUNK, o))
        });
    }
}
