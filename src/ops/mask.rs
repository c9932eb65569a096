//! Boolean masks: NumPy's `a[mask]` ([`masked_select`](Array::masked_select)),
//! `a[mask] = v` ([`masked_fill`](Array::masked_fill)), `np.nonzero` and
//! `np.argwhere`, and the prefix scan behind the data-dependent ones.
//!
//! # The scan
//!
//! [`scan_gpu`] is a multi-level exclusive (or inclusive) scan over 32-bit
//! words, a kernel family (`shaders/scan.wgsl`) instantiated per element
//! type and associative operator by a [`ScanKind`]. It is reduce-then-scan:
//!
//! 1. `block_reduce`: each workgroup sums a block of 1024 elements (64
//!    threads × 16) into one word of a block-totals buffer;
//! 2. the block totals are scanned exclusively by the same two kernels, one
//!    level up, recursively, until one block holds them all (2²⁸ elements:
//!    three levels);
//! 3. `block_scan`: each workgroup scans its block in shared memory (a
//!    thread's 16 elements serially, then Hillis–Steele over the 64 thread
//!    totals) and adds its block's carry — the fix-up pass, fused into the
//!    block scan, so the bottom level costs two reads and one write per
//!    element instead of scan-then-propagate's two of each.
//!
//! The output has `n + 1` words: the scan, then the total (what a
//! compaction needs to size its result). Inputs longer than one storage
//! binding run as several dispatches per pass, each binding a window.
//!
//! **Reusing it for `cumsum`** (`f32`/`i32`/`u32`, inclusive): add a
//! [`ScanKind`] (`ty: "f32"`, `op: "a + b"`, `id: "0.0"`, `inclusive:
//! true`; `cumprod` is `a * b` with `1`; `maximum.accumulate` is `max(a,
//! b)` with the type's lowest value) and call [`scan_gpu`] on a contiguous
//! copy of the input; the carries' levels are always scanned exclusively,
//! whatever the kind. Along an axis, make the axis last and contiguous
//! (a copy, or `moveaxis`), then either run one scan per row (few long
//! rows) or add a row count to the metadata so a workgroup's block index
//! splits into (row, block in row) and carries never cross rows (many
//! short rows). A float `cumsum` adds in a tree order within a block, so it
//! rounds differently from NumPy's sequential sum (as every parallel scan
//! does). [`scan_cpu`] is the CPU counterpart (rayon, two passes), generic
//! over the type and operator.

use std::sync::Arc;

use rayon::prelude::*;

use crate::array::Array;
use crate::device::gpu::{layout_words, too_many, Gpu, GpuStorage};
use crate::device::{cpu, Storage};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::kernel::Op;
use crate::layout::Layout;
use crate::ops::elementwise::{Builder, CmpOp};
use crate::pool::Usage;

// ---------------------------------------------------------------- the scan

/// One instance of the scan kernel family (`shaders/scan.wgsl`): the WGSL
/// element type, the combining expression over `a` and `b` (associative,
/// `a` the earlier elements), its identity, and inclusive or exclusive.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScanKind {
    /// The pipeline cache key's part: unique per kind.
    pub name: &'static str,
    pub ty: &'static str,
    pub op: &'static str,
    pub id: &'static str,
    pub inclusive: bool,
}

/// The exclusive `u32` sum: a mask's output positions.
pub(crate) const EXCLUSIVE_ADD_U32: ScanKind = ScanKind {
    name: "add_u32",
    ty: "u32",
    op: "a + b",
    id: "0u",
    inclusive: false,
};

/// Elements per workgroup block (`WG * K` in the shader).
const BLOCK: usize = 1024;
/// Threads per workgroup of the scan kernels (`WG` in `scan.wgsl`).
const SCAN_WG: u32 = 64;
/// Threads per workgroup of the compaction kernels.
const WG: u32 = 256;

fn scan_source(kind: &ScanKind, main: &str) -> String {
    include_str!("../../shaders/scan.wgsl")
        .replace("{T}", kind.ty)
        .replace("{OP}", kind.op)
        .replace("{ID}", kind.id)
        .replace("{INCLUSIVE}", if kind.inclusive { "true" } else { "false" })
        .replace("{MAIN}", main)
}

/// The binding window of 4-byte elements `e0..e1` of `s`: (byte offset
/// aligned down to the adapter's alignment, bytes, where `e0` lies in it).
fn window(gpu: &Gpu, e0: usize, e1: usize) -> (u64, u64, u32) {
    let align = gpu.binding_align;
    let off = (e0 as u64 * 4) / align * align;
    let bytes = (e1 as u64 * 4 - off).max(4);
    (off, bytes, ((e0 as u64 * 4 - off) / 4) as u32)
}

/// Elements one dispatch of the scan or compaction handles: a multiple of
/// [`BLOCK`] whose windows (plus the alignment slack and the total's word)
/// fit one storage binding.
fn window_elems(gpu: &Gpu) -> usize {
    let room = gpu.max_binding.saturating_sub(gpu.binding_align) / 4;
    (((room.saturating_sub(1)) as usize) / BLOCK * BLOCK).max(BLOCK)
}

fn alloc_words(gpu: &Gpu, n: usize, what: &str) -> Result<GpuStorage> {
    Ok(Arc::new(gpu.alloc((n * 4) as u64, Usage::Array, || {
        format!("{what} of {n} words")
    })?))
}

/// The scan of `n ≥ 1` elements of `kind.ty` at element `src_off` of `src`
/// (contiguous): a new buffer of `n + 1` elements, the scan and then the
/// total. Work is recorded, not waited for.
///
/// # Errors
/// `n ≥ 2³²`; out of memory; a GPU error.
pub(crate) fn scan_gpu(
    gpu: &Gpu,
    kind: &ScanKind,
    src: &GpuStorage,
    src_off: usize,
    n: usize,
) -> Result<GpuStorage> {
    scan_windowed(gpu, kind, src, src_off, n, window_elems(gpu))
}

/// [`scan_gpu`] for `u32` sums, exclusive.
pub(crate) fn scan_u32(
    gpu: &Gpu,
    src: &GpuStorage,
    src_off: usize,
    n: usize,
) -> Result<GpuStorage> {
    scan_gpu(gpu, &EXCLUSIVE_ADD_U32, src, src_off, n)
}

/// [`scan_gpu`] with at most `win` elements (a multiple of [`BLOCK`]) per
/// dispatch; the tests shrink it to exercise several windows.
fn scan_windowed(
    gpu: &Gpu,
    kind: &ScanKind,
    src: &GpuStorage,
    src_off: usize,
    n: usize,
    win: usize,
) -> Result<GpuStorage> {
    debug_assert!(n >= 1 && win.is_multiple_of(BLOCK));
    if n >= u32::MAX as usize {
        return Err(too_many(n));
    }
    let blocks = n.div_ceil(BLOCK);
    let carry = if blocks > 1 {
        let reduce = gpu.pipeline(
            &format!("scan|{}|reduce", kind.name),
            || scan_source(kind, "block_reduce"),
            3,
        )?;
        let sums = alloc_words(gpu, blocks, "scan block totals")?;
        let mut w0 = 0;
        while w0 < n {
            let m = win.min(n - w0);
            let (so, sb, sr) = window(gpu, src_off + w0, src_off + w0 + m);
            let md = [m as u32, sr, (w0 / BLOCK) as u32, 0, 0];
            gpu.dispatch_windows(
                reduce.clone(),
                vec![
                    (sums.clone(), 0, (blocks * 4) as u64),
                    (src.clone(), so, sb),
                    (src.clone(), so, sb),
                ],
                &md,
                gpu.grid(m.div_ceil(BLOCK) as u64 * SCAN_WG as u64, SCAN_WG)?,
            )?;
            w0 += m;
        }
        let ex = ScanKind {
            inclusive: false,
            ..*kind
        };
        Some(scan_windowed(gpu, &ex, &sums, 0, blocks, win)?)
    } else {
        None
    };
    let scan = gpu.pipeline(
        &format!("scan|{}|{}", kind.name, kind.inclusive),
        || scan_source(kind, "block_scan"),
        3,
    )?;
    let out = alloc_words(gpu, n + 1, "scan")?;
    let mut w0 = 0;
    while w0 < n {
        let m = win.min(n - w0);
        let last = w0 + m == n;
        let (so, sb, sr) = window(gpu, src_off + w0, src_off + w0 + m);
        let (oo, ob, or) = window(gpu, w0, w0 + m + usize::from(last));
        let flags = u32::from(carry.is_some()) | (u32::from(last) << 1);
        let md = [m as u32, sr, (w0 / BLOCK) as u32, or, flags];
        let c = match &carry {
            Some(c) => (c.clone(), 0, ((blocks + 1) * 4) as u64),
            None => (src.clone(), so, sb),
        };
        gpu.dispatch_windows(
            scan.clone(),
            vec![(out.clone(), oo, ob), (src.clone(), so, sb), c],
            &md,
            gpu.grid(m.div_ceil(BLOCK) as u64 * SCAN_WG as u64, SCAN_WG)?,
        )?;
        w0 += m;
    }
    Ok(out)
}

/// Elements per task of the CPU scans and compactions.
const CPU_CHUNK: usize = 1 << 16;

/// The scan of `src` into `out` (of the same length) on the CPU, returning
/// the total: per-chunk totals in parallel, their exclusive scan, then each
/// chunk scanned from its carry in parallel. The CPU twin of [`scan_gpu`].
pub(crate) fn scan_cpu<T: Copy + Send + Sync>(
    src: &[T],
    out: &mut [T],
    id: T,
    op: impl Fn(T, T) -> T + Sync,
    inclusive: bool,
) -> T {
    debug_assert_eq!(src.len(), out.len());
    let serial = |s: &[T], o: &mut [T], mut acc: T| {
        for (o, &x) in o.iter_mut().zip(s) {
            if inclusive {
                acc = op(acc, x);
                *o = acc;
            } else {
                *o = acc;
                acc = op(acc, x);
            }
        }
        acc
    };
    if src.len() <= CPU_CHUNK {
        return serial(src, out, id);
    }
    let totals: Vec<T> = cpu::exec(|| {
        src.par_chunks(CPU_CHUNK)
            .map(|c| c.iter().fold(id, |a, &b| op(a, b)))
            .collect()
    });
    let mut carries = Vec::with_capacity(totals.len());
    let mut acc = id;
    for t in totals {
        carries.push(acc);
        acc = op(acc, t);
    }
    cpu::exec(|| {
        out.par_chunks_mut(CPU_CHUNK)
            .zip(src.par_chunks(CPU_CHUNK))
            .zip(carries.par_iter())
            .for_each(|((o, s), &c)| {
                serial(s, o, c);
            })
    });
    acc
}

// ------------------------------------------------------------ the kernels

/// The scan of 0/1 words and the count: what a compaction needs.
struct Positions {
    /// `n + 1` words: the exclusive scan, then the count.
    scan: GpuStorage,
    count: usize,
}

/// Scans the `n ≥ 1` mask words at element `off` of `words` and reads the
/// count back (the one readback a data-dependent size needs).
fn positions(gpu: &Gpu, words: &GpuStorage, off: usize, n: usize) -> Result<Positions> {
    let scan = scan_u32(gpu, words, off, n)?;
    let mut c = [0u8; 4];
    gpu.read(&scan, (n * 4) as u64, &mut c)?;
    Ok(Positions {
        scan,
        count: u32::from_le_bytes(c) as usize,
    })
}

/// Runs the compaction kernel (`shaders/compact.wgsl`) `main` over the `n`
/// elements of `p`, writing into `out` and reading `a` (bound whole), in
/// dispatches of at most one binding of the scan each. `tail` is the
/// metadata after word 2 (ndim, offset, shape, strides).
fn compact_gpu(
    gpu: &Gpu,
    main: &str,
    p: &Positions,
    n: usize,
    out: &GpuStorage,
    a: Option<&GpuStorage>,
    tail: &[u32],
) -> Result<()> {
    for b in std::iter::once(out).chain(a) {
        if b.requested() > gpu.max_binding {
            return Err(Error::Value(format!(
                "selecting from or into an array larger than one storage binding ({} bytes on this adapter) is not supported; select from slices of it, or use Device::cpu()",
                gpu.max_binding
            )));
        }
    }
    let pipe = gpu.pipeline(
        &format!("compact|{main}"),
        || include_str!("../../shaders/compact.wgsl").replace("{MAIN}", main),
        3,
    )?;
    let whole = |b: &GpuStorage| (b.clone(), 0, b.bytes().min(gpu.max_binding & !3));
    let win = window_elems(gpu);
    let mut g0 = 0;
    while g0 < n {
        let m = win.min(n - g0);
        let (so, sb, sr) = window(gpu, g0, g0 + m + 1);
        let mut md = vec![m as u32, sr, g0 as u32];
        md.extend_from_slice(tail);
        let s = (p.scan.clone(), so, sb);
        let third = match a {
            Some(a) => whole(a),
            None => s.clone(),
        };
        gpu.dispatch_windows(
            pipe.clone(),
            vec![whole(out), s, third],
            &md,
            gpu.grid(m as u64, WG)?,
        )?;
        g0 += m;
    }
    Ok(())
}

/// NumPy's check of a boolean index, with broadcasting accepted: `mask`
/// must broadcast to `shape` (one-way). NumPy's `IndexError` messages.
fn check_mask(shape: &[usize], mask: &[usize]) -> Result<()> {
    if mask.len() > shape.len() {
        return Err(Error::Index(format!(
            "too many indices for array: array is {}-dimensional, but {} were indexed",
            shape.len(),
            mask.len()
        )));
    }
    let lead = shape.len() - mask.len();
    for (k, &m) in mask.iter().enumerate() {
        let d = lead + k;
        if m != 1 && m != shape[d] {
            return Err(Error::Index(format!(
                "boolean index did not match indexed array along axis {d}; size of axis is {} but size of corresponding boolean axis is {m}",
                shape[d]
            )));
        }
    }
    Ok(())
}

/// Elements `start..start + len` in C order of layout `l` over `buf`: the
/// buffer itself when `l` is contiguous, else gathered into `tmp`.
fn block<'a, R: bytemuck::Pod + Send + Sync>(
    buf: &'a [R],
    l: &Layout,
    start: usize,
    len: usize,
    tmp: &'a mut Vec<R>,
) -> &'a [R] {
    if l.is_c_contiguous() {
        return &buf[l.offset + start..l.offset + start + len];
    }
    tmp.clear();
    tmp.resize(len, R::zeroed());
    cpu::gather_block(buf, l, start, tmp);
    tmp
}

/// Per chunk of [`CPU_CHUNK`] elements of layout `l` over `buf`, the
/// number of elements `keep` accepts; then their exclusive scan (each
/// chunk's first output row) and the total.
fn chunk_counts<R: bytemuck::Pod + Send + Sync>(
    buf: &[R],
    l: &Layout,
    keep: impl Fn(R) -> bool + Sync,
) -> (Vec<usize>, usize) {
    let n = l.size();
    let counts: Vec<usize> = cpu::exec(|| {
        (0..n.div_ceil(CPU_CHUNK))
            .into_par_iter()
            .map(|c| {
                let s = c * CPU_CHUNK;
                let mut tmp = Vec::new();
                let m = block(buf, l, s, CPU_CHUNK.min(n - s), &mut tmp);
                m.iter().map(|&x| usize::from(keep(x))).sum()
            })
            .collect()
    });
    let mut starts = vec![0; counts.len()];
    let total = scan_cpu(&counts, &mut starts, 0, |a, b| a + b, false);
    (counts, total)
}

/// Splits `out` into consecutive parts of `counts[c] * per` elements.
fn split_parts<'a, R>(mut out: &'a mut [R], counts: &[usize], per: usize) -> Vec<&'a mut [R]> {
    let mut parts = Vec::with_capacity(counts.len());
    for &c in counts {
        let (h, t) = std::mem::take(&mut out).split_at_mut(c * per);
        parts.push(h);
        out = t;
    }
    parts
}

/// `o[j] = a[i]` for the `i` with `m[i] != 0`, in order; `o` holds exactly
/// their number. Branch-free: every element is stored at the next free
/// slot, which only a selected one keeps.
#[inline]
fn compact<R: Copy>(a: &[R], m: &[u32], o: &mut [R]) {
    let mut j = 0;
    for (&v, &k) in a.iter().zip(m) {
        if let Some(s) = o.get_mut(j) {
            *s = v;
        }
        j += usize::from(k != 0);
    }
    debug_assert_eq!(j, o.len());
}

impl<T: Element> Array<T> {
    /// The elements where `mask` is true, in C order, as a new 1-D array:
    /// NumPy's `a[mask]`. `mask` may also broadcast to `a`'s shape (then it
    /// is `a[np.broadcast_to(mask, a.shape)]`, PyTorch's `masked_select`);
    /// `a` and `mask` may be any views.
    ///
    /// ```
    /// use ndgpu::{s, Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4, 5, 6], &[2, 3])?;
    /// let m = a.gt_scalar(2)?;
    /// assert_eq!(a.masked_select(&m)?.to_vec()?, vec![3, 4, 5, 6]); // a[a > 2]
    /// let cols = Array::from_slice(&dev, &[true, false, true], &[3])?;
    /// assert_eq!(a.masked_select(&cols)?.to_vec()?, vec![1, 3, 4, 6]); // broadcast over rows
    /// let r = a.slice(s![..;-1, ..])?; // a[::-1]
    /// assert_eq!(r.masked_select(&cols)?.to_vec()?, vec![4, 6, 1, 3]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// On a GPU the mask is scanned (a multi-level prefix sum), its count
    /// read back (one 4-byte readback: the result's size depends on the
    /// data), and one kernel copies the selected elements, reading `a` in
    /// place through its strides.
    ///
    /// # Errors
    /// `mask` does not broadcast to `a`'s shape (NumPy's `IndexError`:
    /// `boolean index did not match indexed array along axis 0; size of
    /// axis is 3 but size of corresponding boolean axis is 4`, or `too many
    /// indices for array: ...`); arrays on different devices; on a GPU, an
    /// array or result larger than one storage binding.
    #[track_caller]
    pub fn masked_select(&self, mask: &Array<bool>) -> Result<Array<T>> {
        self.check_same_device(mask)?;
        check_mask(self.shape(), mask.shape())?;
        let ml = mask.layout.broadcast_to(self.shape())?;
        let n = self.len();
        if n == 0 {
            return Array::uninit(&self.device, &[0]);
        }
        match (&self.storage, &mask.storage) {
            (Storage::Cpu(a), Storage::Cpu(m)) => self.select_cpu(a, m, &ml),
            (Storage::Gpu(_), Storage::Gpu(_)) => {
                self.device.check_words(
                    T::DTYPE,
                    "GPU masked_select takes 32-bit elements; convert with astype first, or use Device::cpu()",
                )?;
                self.select_gpu(mask, &ml)
            }
            _ => unreachable!("devices were checked"),
        }
    }

    fn select_cpu(
        &self,
        a: &cpu::CpuStorage,
        m: &cpu::CpuStorage,
        ml: &Layout,
    ) -> Result<Array<T>> {
        let ga = cpu::read(a);
        // One read lock per buffer: a second one on the same thread could
        // wait behind a writer that waits for the first.
        let gm = (!Arc::ptr_eq(a, m)).then(|| cpu::read(m));
        let aw: &[T::Repr] = bytemuck::cast_slice::<u64, T::Repr>(&ga);
        let mw: &[u32] = bytemuck::cast_slice::<u64, u32>(gm.as_deref().unwrap_or(&*ga));
        let (counts, total) = chunk_counts(mw, ml, |x| x != 0);
        let out = Array::<T>::uninit(&self.device, &[total])?;
        let Storage::Cpu(os) = &out.storage else {
            unreachable!("a CPU array allocates on the CPU")
        };
        {
            let mut go = cpu::lock(os);
            let ow: &mut [T::Repr] =
                &mut bytemuck::cast_slice_mut::<u64, T::Repr>(&mut go)[..total];
            let parts = split_parts(ow, &counts, 1);
            let (al, n) = (&self.layout, self.len());
            cpu::exec(|| {
                parts.into_par_iter().enumerate().for_each(|(c, o)| {
                    let s = c * CPU_CHUNK;
                    let len = CPU_CHUNK.min(n - s);
                    let (mut ta, mut tm) = (Vec::new(), Vec::new());
                    let av = block(aw, al, s, len, &mut ta);
                    let mv = block(mw, ml, s, len, &mut tm);
                    compact(av, mv, o);
                })
            });
        }
        Ok(out)
    }

    fn select_gpu(&self, mask: &Array<bool>, ml: &Layout) -> Result<Array<T>> {
        let gpu = self.gpu();
        let n = self.len();
        // The mask's words, contiguous over a's shape: its own buffer when
        // it is laid out so, else one copy kernel (broadcast, strides).
        let words = if ml.is_c_contiguous() {
            mask.view(ml.clone())
        } else {
            let w = Array::<bool>::uninit(&self.device, self.shape())?;
            w.fresh(|w| w.assign(mask))?
        };
        let Storage::Gpu(ws) = &words.storage else {
            unreachable!("a GPU array lives on the GPU")
        };
        let p = positions(gpu, ws, words.layout.offset, n)?;
        drop(words);
        let out = Array::<T>::uninit(&self.device, &[p.count])?;
        if p.count == 0 {
            return Ok(out);
        }
        out.fresh(|out| {
            let l = &crate::kernel::coalesce(self.shape(), &[&self.layout])[0];
            let lw = layout_words(l)?;
            let mut tail = vec![l.ndim() as u32, lw[0]];
            tail.extend(l.shape.iter().map(|&d| d as u32));
            tail.extend_from_slice(&lw[1..]);
            let (Storage::Gpu(os), Storage::Gpu(a)) = (&out.storage, &self.storage) else {
                unreachable!("GPU arrays live on the GPU")
            };
            compact_gpu(gpu, "h_select", &p, n, os, Some(a), &tail)
        })
    }

    /// `a[mask] = value`: writes `value` where `mask` (broadcast to `a`'s
    /// shape) is true, in place through any writeable view. One elementwise
    /// kernel (a select), no scan.
    ///
    /// ```
    /// use ndgpu::{s, Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, -2.0, 3.0, -4.0], &[4])?;
    /// a.masked_fill(&a.lt_scalar(0.0)?, 0.0)?; // a[a < 0] = 0
    /// assert_eq!(a.to_vec()?, vec![1.0, 0.0, 3.0, 0.0]);
    /// let v = a.slice(s![..;-2])?; // a view: a[::-2]
    /// v.masked_fill(&Array::from_slice(&dev, &[true, false], &[2])?, 9.0)?;
    /// assert_eq!(a.to_vec()?, vec![1.0, 0.0, 3.0, 9.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A read-only `a` (`assignment destination is read-only`, checked
    /// first, as NumPy does); `mask` does not broadcast to `a`'s shape
    /// (NumPy's `IndexError`); arrays on different devices. Nothing is
    /// written on error.
    pub fn masked_fill(&self, mask: &Array<bool>, value: T) -> Result<()> {
        self.check_writeable()?;
        self.check_same_device(mask)?;
        check_mask(self.shape(), mask.shape())?;
        let mut k = Builder::default();
        let m = k.input(mask);
        let v = k.scalar(value);
        let x = k.input(self);
        k.node(Op::Select(m, v, x), T::DTYPE);
        self.apply(&k)
    }

    /// The indices of the true (`bool`) or nonzero (numbers; NaN counts)
    /// elements, as a `(count, ndim)` array in C order: NumPy's
    /// `np.argwhere(a)` (which gives int64; these are `u32`). A 0-d array
    /// gives shape `(count, 0)`, as NumPy.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0, 7, 0, 5, 0, 6], &[2, 3])?;
    /// let w = a.argwhere()?; // np.argwhere(a)
    /// assert_eq!(w.shape(), &[3, 2]);
    /// assert_eq!(w.to_vec()?, vec![0, 1, 1, 0, 1, 2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis longer than `u32::MAX + 1` (the indices are `u32`); on a GPU,
    /// more than `u32::MAX` elements, or a result larger than one storage
    /// binding.
    #[track_caller]
    pub fn argwhere(&self) -> Result<Array<u32>> {
        let shape = self.shape();
        if let Some(&d) = shape.iter().find(|&&d| d > 1 << 32) {
            return Err(Error::Value(format!(
                "an axis of length {d}: the indices are u32, so axes hold at most 2^32 elements"
            )));
        }
        let nd = shape.len();
        if self.is_empty() {
            return Array::uninit(&self.device, &[0, nd]);
        }
        match &self.storage {
            Storage::Cpu(a) => self.argwhere_cpu(a),
            Storage::Gpu(_) => self.argwhere_gpu(),
        }
    }

    fn argwhere_cpu(&self, a: &cpu::CpuStorage) -> Result<Array<u32>> {
        let ga = cpu::read(a);
        let aw: &[T::Repr] = bytemuck::cast_slice::<u64, T::Repr>(&ga);
        let keep = |r: T::Repr| T::from_repr(r) != T::default();
        let (counts, total) = chunk_counts(aw, &self.layout, keep);
        let (shape, nd, n) = (self.shape(), self.ndim(), self.len());
        let out = Array::<u32>::uninit(&self.device, &[total, nd])?;
        let Storage::Cpu(os) = &out.storage else {
            unreachable!("a CPU array allocates on the CPU")
        };
        {
            let mut go = cpu::lock(os);
            let ow: &mut [u32] = &mut bytemuck::cast_slice_mut::<u64, u32>(&mut go)[..total * nd];
            let parts = split_parts(ow, &counts, nd);
            let l = &self.layout;
            cpu::exec(|| {
                parts.into_par_iter().enumerate().for_each(|(c, o)| {
                    let s = c * CPU_CHUNK;
                    let len = CPU_CHUNK.min(n - s);
                    let mut tmp = Vec::new();
                    let v = block(aw, l, s, len, &mut tmp);
                    if nd == 1 {
                        // Branch-free, as `compact`.
                        let mut j = 0;
                        for (i, &x) in v.iter().enumerate() {
                            if let Some(slot) = o.get_mut(j) {
                                *slot = (s + i) as u32;
                            }
                            j += usize::from(keep(x));
                        }
                        return;
                    }
                    // The multi-index of element s, then an odometer.
                    let mut idx = vec![0u32; nd];
                    let mut rem = s;
                    for d in (0..nd).rev() {
                        idx[d] = (rem % shape[d]) as u32;
                        rem /= shape[d];
                    }
                    let mut rows = o.chunks_exact_mut(nd.max(1));
                    for &x in v {
                        if keep(x) {
                            if let Some(r) = rows.next() {
                                r.copy_from_slice(&idx);
                            }
                        }
                        for d in (0..nd).rev() {
                            idx[d] += 1;
                            if (idx[d] as usize) < shape[d] {
                                break;
                            }
                            idx[d] = 0;
                        }
                    }
                })
            });
        }
        Ok(out)
    }

    fn argwhere_gpu(&self) -> Result<Array<u32>> {
        let gpu = self.gpu();
        let n = self.len();
        if n > u32::MAX as usize {
            return Err(too_many(n));
        }
        // The 0/1 words: a contiguous bool array's own, else one kernel.
        let words = if T::DTYPE == DType::Bool && self.layout.is_c_contiguous() {
            self.reinterpret::<bool>()
        } else {
            let w = Array::<bool>::uninit(&self.device, self.shape())?;
            let mut k = Builder::default();
            let x = k.input(self);
            let z = k.scalar(T::default());
            k.node(Op::Cmp(CmpOp::Ne, x, z), DType::Bool);
            w.fresh(|w| w.apply(&k))?
        };
        let Storage::Gpu(ws) = &words.storage else {
            unreachable!("a GPU array lives on the GPU")
        };
        let p = positions(gpu, ws, words.layout.offset, n)?;
        drop(words);
        let nd = self.ndim();
        let out = Array::<u32>::uninit(&self.device, &[p.count, nd])?;
        if p.count == 0 || nd == 0 {
            return Ok(out);
        }
        out.fresh(|out| {
            let mut tail = vec![nd as u32, 0];
            tail.extend(self.shape().iter().map(|&d| d as u32));
            let Storage::Gpu(os) = &out.storage else {
                unreachable!("a GPU array lives on the GPU")
            };
            compact_gpu(gpu, "h_argwhere", &p, n, os, None, &tail)
        })
    }

    /// The indices of the true (`bool`) or nonzero (numbers; NaN counts)
    /// elements, one `u32` array per axis, in C order: NumPy's
    /// `np.nonzero(a)` (which gives int64). As in NumPy, the arrays are
    /// views of one `(count, ndim)` buffer, [`argwhere`](Array::argwhere)'s
    /// columns.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0, 7, 0, 5, 0, 6], &[2, 3])?;
    /// let nz = a.nonzero()?; // np.nonzero(a)
    /// assert_eq!(nz[0].to_vec()?, vec![0, 1, 1]);
    /// assert_eq!(nz[1].to_vec()?, vec![1, 0, 2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A 0-d array (NumPy's `ValueError`: `Calling nonzero on 0d arrays is
    /// not allowed. Use np.atleast_1d(scalar).nonzero() instead.`); as
    /// [`argwhere`](Array::argwhere).
    pub fn nonzero(&self) -> Result<Vec<Array<u32>>> {
        let nd = self.ndim();
        if nd == 0 {
            return Err(Error::Value(
                "Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() instead."
                    .into(),
            ));
        }
        let w = self.argwhere()?;
        let count = w.shape()[0];
        Ok((0..nd)
            .map(|d| {
                w.view(Layout {
                    shape: vec![count],
                    strides: vec![nd as isize],
                    offset: d,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Device;

    /// The plain exclusive sum, and its total.
    fn reference(x: &[u32]) -> (Vec<u32>, u32) {
        let mut acc = 0u32;
        let s = x
            .iter()
            .map(|&v| {
                let o = acc;
                acc = acc.wrapping_add(v);
                o
            })
            .collect();
        (s, acc)
    }

    fn data(n: usize) -> Vec<u32> {
        (0..n)
            .map(|i| (crate::random::word(9, i as u32) % 5) * u32::from(i % 7 != 3))
            .collect()
    }

    const SIZES: [usize; 8] = [1, 255, 256, 257, 1024, 1025, 65536 + 3, (1 << 22) + 17];

    #[test]
    fn cpu_scan_matches_a_loop() {
        for n in SIZES {
            let x = data(n);
            let mut out = vec![0; n];
            let t = scan_cpu(&x, &mut out, 0u32, u32::wrapping_add, false);
            assert_eq!((out, t), reference(&x), "n = {n}");
        }
        // Inclusive, another op.
        let x: Vec<i32> = (0..200_000).map(|i| (i * 7919 % 1001) - 500).collect();
        let mut out = vec![0; x.len()];
        scan_cpu(&x, &mut out, i32::MIN, i32::max, true);
        let mut m = i32::MIN;
        for (i, &v) in x.iter().enumerate() {
            m = m.max(v);
            assert_eq!(out[i], m);
        }
    }

    fn gpu() -> Option<Device> {
        match Device::gpu() {
            Ok(d) => Some(d),
            Err(e) => {
                assert_ne!(
                    std::env::var("NDGPU_REQUIRE_GPU").as_deref(),
                    Ok("1"),
                    "no GPU: {e}"
                );
                None
            }
        }
    }

    /// Runs `kind` over `x` at element `off` of an upload, `win` elements
    /// per dispatch, and reads the n + 1 words back.
    fn run_gpu(dev: &Device, kind: &ScanKind, x: &[u32], off: usize, win: usize) -> Vec<u32> {
        let mut padded = vec![7u32; off];
        padded.extend_from_slice(x);
        let a = Array::from_vec(dev, padded, &[off + x.len()]).unwrap();
        let Storage::Gpu(s) = &a.storage else {
            unreachable!()
        };
        let g = a.gpu();
        let out = scan_windowed(g, kind, s, off, x.len(), win).unwrap();
        let mut bytes = vec![0u8; (x.len() + 1) * 4];
        g.read(&out, 0, &mut bytes).unwrap();
        bytemuck::cast_slice(&bytes).to_vec()
    }

    #[test]
    fn gpu_scan_matches_a_loop() {
        let Some(dev) = gpu() else { return };
        let guard = dev.leak_check();
        let g = match &dev.inner.backend {
            crate::device::Backend::Gpu(g) => g,
            _ => unreachable!(),
        };
        for n in SIZES {
            let x = data(n);
            let (mut s, t) = reference(&x);
            s.push(t);
            let got = run_gpu(&dev, &EXCLUSIVE_ADD_U32, &x, 0, window_elems(g));
            assert!(got == s, "n = {n}");
        }
        // Several windows per level, and an input at an unaligned offset.
        for (n, off) in [(5 * BLOCK + 3, 5), (3 * BLOCK * BLOCK + 1, 1)] {
            let x = data(n);
            let (mut s, t) = reference(&x);
            s.push(t);
            let got = run_gpu(&dev, &EXCLUSIVE_ADD_U32, &x, off, 2 * BLOCK);
            assert!(got == s, "windows: n = {n}");
        }
        // The family's other members: an inclusive i32 maximum.
        let max = ScanKind {
            name: "max_i32",
            ty: "i32",
            op: "max(a, b)",
            id: "-2147483648",
            inclusive: true,
        };
        let x: Vec<i32> = (0..300_001i64)
            .map(|i| (i * 7919 % 100_003 - 50_000) as i32)
            .collect();
        let got = run_gpu(&dev, &max, bytemuck::cast_slice(&x), 0, window_elems(g));
        let mut m = i32::MIN;
        for (i, &v) in x.iter().enumerate() {
            m = m.max(v);
            assert_eq!(got[i] as i32, m, "i = {i}");
        }
        assert_eq!(got[x.len()] as i32, m);
        guard.finish().unwrap();
    }

    #[test]
    fn shaders_validate() {
        for main in ["block_reduce", "block_scan"] {
            crate::device::gpu::validate_wgsl(&scan_source(&EXCLUSIVE_ADD_U32, main)).unwrap();
        }
        for main in ["h_select", "h_argwhere"] {
            let src = include_str!("../../shaders/compact.wgsl").replace("{MAIN}", main);
            crate::device::gpu::validate_wgsl(&src).unwrap();
        }
    }
}
