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

use crate::element::Element;
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
        let mut v = Vec::new();
        v.try_reserve_exact(words).ok()?;
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
/// buffer locks: from a plain thread, `install` blocks it without running
/// other work; from a worker of another rayon pool (a user's `par_iter`),
/// whose waits would steal that pool's tasks while the locks are held, `f`
/// runs on a helper thread that the caller joins with a plain, non-stealing
/// wait.
pub(crate) fn exec<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let p = pool();
    if p.current_thread_index().is_some() {
        f()
    } else if rayon::current_thread_index().is_none() {
        p.install(f)
    } else {
        std::thread::scope(|s| {
            s.spawn(|| p.install(f))
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
        })
    }
}

/// Elements below this run on one thread: rayon's hand-off costs more.
const PAR_MIN: usize = 1 << 16;
/// Elements per parallel task.
const PAR_CHUNK: usize = 1 << 15;
/// Elements gathered per block.
const BLOCK: usize = 256;

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

/// A kernel input after locking.
pub(crate) enum Src<'a, T> {
    /// Another buffer, through a layout already broadcast to the output's shape.
    Buf(&'a [T], &'a Layout),
    /// One value for every element.
    Scalar(T),
    /// The output itself, through the output's own layout (`a += b`).
    Out,
}

impl<'s, T: Element> Src<'s, T> {
    /// Elements `start..start+tmp.len()` in C order: a slice of the source
    /// itself when it is contiguous, else gathered into `tmp`.
    #[inline]
    fn view_or_gather<'t, O: Element>(&self, start: usize, tmp: &'t mut [T], out: &[O]) -> &'t [T]
    where
        's: 't,
    {
        match self {
            Src::Buf(s, l) if l.is_c_contiguous() => {
                &s[l.offset + start..l.offset + start + tmp.len()]
            }
            _ => {
                self.gather(start, tmp, out);
                tmp
            }
        }
    }

    /// Fills `dst` with elements `start..start+dst.len()` in C order.
    #[inline]
    fn gather<O: Element>(&self, start: usize, dst: &mut [T], out: &[O]) {
        match self {
            Src::Scalar(v) => dst.fill(*v),
            Src::Out => {
                for (d, o) in dst.iter_mut().zip(out) {
                    *d = bytemuck::cast(*o);
                }
            }
            Src::Buf(s, l) if l.is_c_contiguous() => {
                let b = l.offset + start;
                dst.copy_from_slice(&s[b..b + dst.len()]);
            }
            Src::Buf(s, l) => {
                let mut w = Walker::new(l, start);
                for d in dst.iter_mut() {
                    *d = s[w.next()];
                }
            }
        }
    }
}

/// `out[i] = f(a[i], b[i], c[i])` over `ol`, inputs already broadcast to it.
/// Inputs that share the output's buffer come as [`Src::Out`] (same layout);
/// the caller copies any input that overlaps the output differently.
pub(crate) fn map3<A, B, C, O, F>(
    out: &mut [O],
    ol: &Layout,
    a: &Src<A>,
    b: &Src<B>,
    c: &Src<C>,
    f: &F,
) where
    A: Element,
    B: Element,
    C: Element,
    O: Element,
    F: Fn(A, B, C) -> O + Sync,
{
    let n = ol.size();
    if n >= PAR_MIN {
        exec(|| map3_on(out, ol, a, b, c, f));
    } else {
        map3_on(out, ol, a, b, c, f);
    }
}

fn map3_on<A, B, C, O, F>(out: &mut [O], ol: &Layout, a: &Src<A>, b: &Src<B>, c: &Src<C>, f: &F)
where
    A: Element,
    B: Element,
    C: Element,
    O: Element,
    F: Fn(A, B, C) -> O + Sync,
{
    let n = ol.size();
    let block = |start: usize, o: &mut [O]| {
        let (mut xa, mut xb, mut xc) = ([A::zero(); BLOCK], [B::zero(); BLOCK], [C::zero(); BLOCK]);
        for (k, oc) in o.chunks_mut(BLOCK).enumerate() {
            let (s, len) = (start + k * BLOCK, oc.len());
            // Contiguous inputs are read in place; others are gathered.
            let rb = b.view_or_gather(s, &mut xb[..len], oc);
            let rc = c.view_or_gather(s, &mut xc[..len], oc);
            if let Src::Out = a {
                // In place (`a += b`): one pass over the output, vectorisable.
                for ((y, &q), &r) in oc.iter_mut().zip(rb).zip(rc) {
                    *y = f(bytemuck::cast(*y), q, r);
                }
            } else {
                let ra = a.view_or_gather(s, &mut xa[..len], oc);
                for ((y, &p), (&q, &r)) in oc.iter_mut().zip(ra).zip(rb.iter().zip(rc)) {
                    *y = f(p, q, r);
                }
            }
        }
    };
    if n == 0 {
        return;
    }
    if ol.is_c_contiguous() {
        let o = &mut out[ol.offset..ol.offset + n];
        if n < PAR_MIN {
            block(0, o);
        } else {
            o.par_chunks_mut(PAR_CHUNK)
                .enumerate()
                .for_each(|(i, oc)| block(i * PAR_CHUNK, oc));
        }
        return;
    }
    // A strided output: gather its block, compute, scatter back.
    let mut w = Walker::new(ol, 0);
    let mut offs = [0usize; BLOCK];
    let mut tmp = [O::zero(); BLOCK];
    let mut start = 0;
    while start < n {
        let len = BLOCK.min(n - start);
        for (k, t) in offs[..len].iter_mut().zip(&mut tmp[..len]) {
            *k = w.next();
            *t = out[*k];
        }
        block(start, &mut tmp[..len]);
        for (k, t) in offs[..len].iter().zip(&tmp[..len]) {
            out[*k] = *t;
        }
        start += len;
    }
}

/// Copies the elements of `l` out of `buf` in C order into `out` (of `l`'s size).
pub(crate) fn gather_into<T: Element>(buf: &[T], l: &Layout, out: &mut [T]) {
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
    map3(
        out,
        &Layout::contiguous(&[n]),
        &Src::Buf(buf, l),
        &Src::<u32>::Scalar(0),
        &Src::<u32>::Scalar(0),
        &|x, _, _| x,
    );
}
