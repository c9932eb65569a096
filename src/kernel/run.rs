//! Running a program: NumPy's broadcasting, `out=` and overlap rules, then
//! the backend. Arrays arrive type-erased ([`Operand`]), since one program
//! reads inputs of several dtypes.

use std::sync::Arc;

use super::wgsl::KernelKey;
use super::{cpu as eval, Op, Program};
use crate::array::Array;
use crate::device::gpu::{layout_words, GpuStorage, PipelineKey};
use crate::device::{cpu, Device, Storage};
use crate::element::{DType, Element};
use crate::error::{fmt_shape, Error, Result};
use crate::layout::{broadcast_shapes, Layout};

/// An array without its element type: what a program reads or writes.
#[derive(Clone)]
pub(crate) struct Operand {
    pub storage: Storage,
    pub layout: Layout,
    pub dtype: DType,
    pub device: Device,
}

impl<T: Element> Array<T> {
    /// This array as a program operand.
    pub(crate) fn operand(&self) -> Operand {
        Operand {
            storage: self.storage.clone(),
            layout: self.layout.clone(),
            dtype: T::DTYPE,
            device: self.device.clone(),
        }
    }
}

/// NumPy's `out=` rule: `out` must have the broadcast shape itself.
pub(crate) fn check_out_shape(out: &[usize], shape: &[usize]) -> Result<()> {
    if broadcast_shapes(&[out, shape]).is_ok_and(|s| s == out) {
        return Ok(());
    }
    Err(Error::Shape(format!(
        "non-broadcastable output operand with shape {} doesn't match the broadcast shape {}",
        fmt_shape(out),
        fmt_shape(&broadcast_shapes(&[out, shape]).unwrap_or_else(|_| shape.to_vec()))
    )))
}

/// A new C-contiguous copy of `x` on its device.
fn copy_of(x: &Operand) -> Result<Operand> {
    let n = x.layout.size();
    let storage = x.device.alloc((n * x.dtype.size()) as u64, || {
        format!("overlap copy of shape {:?}", x.layout.shape)
    })?;
    let tmp = Operand {
        storage,
        layout: Layout::contiguous(&x.layout.shape),
        dtype: x.dtype,
        device: x.device.clone(),
    };
    let mut p = Program::default();
    p.push(Op::Input(0), x.dtype);
    run(&p, &tmp, std::slice::from_ref(x), &[])?;
    Ok(tmp)
}

/// `out[...] = p(inputs, scalars)`. The caller has checked that `out` is
/// writeable and that the program's dtype is `out`'s.
///
/// # Errors
/// Shapes that do not broadcast, an `out` that cannot hold the result,
/// operands on different devices, a program too large for one kernel.
pub(crate) fn run(p: &Program, out: &Operand, inputs: &[Operand], scalars: &[f64]) -> Result<()> {
    // Node ids, inputs and scalar slots are 16-bit.
    if p.nodes.len() > u16::MAX as usize || inputs.len() > u16::MAX as usize {
        return Err(Error::Value(format!(
            "an expression of {} nodes over {} arrays is too large for one kernel (at most {} each); evaluate part of it first",
            p.nodes.len(),
            inputs.len(),
            u16::MAX
        )));
    }
    let shapes: Vec<&[usize]> = inputs.iter().map(|x| x.layout.shape.as_slice()).collect();
    let shape = broadcast_shapes(&shapes)?;
    check_out_shape(&out.layout.shape, &shape)?;
    let mut resolved = Vec::with_capacity(inputs.len());
    for x in inputs {
        if !x.device.same(&out.device) {
            return Err(Error::DeviceMismatch(
                x.device.info().name.clone(),
                out.device.info().name.clone(),
            ));
        }
        let layout = x.layout.broadcast_to(&out.layout.shape)?;
        // NumPy's overlap rule: an input that overlaps the output through a
        // different layout is read as if copied first. Identical layouts
        // (`a += a`) read each element before writing it, so need no copy.
        // The CPU reads an input in the output's buffer through the output
        // itself, so there any other layout in that buffer is copied.
        let overlaps = match out.storage {
            Storage::Cpu(_) => true,
            Storage::Gpu(_) => layout.may_overlap(&out.layout),
        };
        if x.storage.same(&out.storage) && layout != out.layout && overlaps {
            let tmp = copy_of(x)?;
            let layout = tmp.layout.broadcast_to(&out.layout.shape)?;
            resolved.push((tmp, layout));
        } else {
            resolved.push((x.clone(), layout));
        }
    }
    match &out.storage {
        Storage::Cpu(os) => {
            // Each distinct buffer locked once, the output's for writing.
            let mut bufs: Vec<&cpu::CpuStorage> = vec![os];
            let mut which = Vec::with_capacity(resolved.len());
            for (x, _) in &resolved {
                let Storage::Cpu(s) = &x.storage else {
                    unreachable!("device equality was checked")
                };
                which.push(match bufs.iter().position(|b| Arc::ptr_eq(b, s)) {
                    Some(i) => i,
                    None => {
                        bufs.push(s);
                        bufs.len() - 1
                    }
                });
            }
            let mut guards = cpu::lock_all(&bufs);
            let (first, rest) = guards.split_first_mut().expect("the output is locked");
            let outw = first.words_mut().expect("the output is write-locked");
            let ins: Vec<eval::In> = resolved
                .iter()
                .zip(&which)
                .map(|((x, l), &w)| {
                    if w == 0 {
                        eval::In::Out
                    } else {
                        eval::In::Buf(rest[w - 1].words(), l, x.dtype)
                    }
                })
                .collect();
            eval::eval(p, outw, &out.layout, &ins, scalars);
            Ok(())
        }
        Storage::Gpu(os) => {
            let Some(gpu) = out.device.gpu_backend() else {
                unreachable!("a GPU storage lives on a GPU device")
            };
            let n = out.layout.size();
            if n == 0 {
                return Ok(());
            }
            if n > u32::MAX as usize {
                return Err(crate::device::gpu::too_many(n));
            }
            // Fewer axes, less address arithmetic per element.
            let mut all: Vec<&Layout> = vec![&out.layout];
            all.extend(resolved.iter().map(|(_, l)| l));
            let merged = super::coalesce(&out.layout.shape, &all);
            let mut operands: Vec<(&GpuStorage, &Layout)> = vec![(os, &merged[0])];
            for ((x, _), l) in resolved.iter().zip(&merged[1..]) {
                let Storage::Gpu(s) = &x.storage else {
                    unreachable!("device equality was checked")
                };
                operands.push((s, l));
            }
            // An input of one element repeated everywhere is read once per
            // invocation and splatted: it keeps the vec4 path.
            let uniform: Vec<bool> = operands[1..]
                .iter()
                .map(|(_, l)| l.strides.iter().all(|&s| s == 0))
                .collect();
            // Each distinct buffer is bound once, read-write for the output's:
            // wgpu rejects one buffer bound read-only and read-write in one dispatch.
            let mut bufs: Vec<GpuStorage> = Vec::new();
            let binding: Vec<u8> = operands
                .iter()
                .map(|(s, _)| match bufs.iter().position(|b| Arc::ptr_eq(b, s)) {
                    Some(i) => i as u8,
                    None => {
                        bufs.push((*s).clone());
                        (bufs.len() - 1) as u8
                    }
                })
                .collect();
            // Binding indices are 8-bit in the kernel key.
            if bufs.len() + 1 > gpu.max_bindings.min(u8::MAX as usize) {
                return Err(Error::Value(format!(
                    "an expression over {} distinct arrays needs {} storage bindings; this adapter allows {}: evaluate part of it first",
                    bufs.len() - 1,
                    bufs.len() + 1,
                    gpu.max_bindings.min(u8::MAX as usize)
                )));
            }
            let ns = super::wgsl::n_scalars(p);
            let mut head = vec![0u32; 3 + 2 * ns];
            for node in &p.nodes {
                if let Op::Scalar(q) = node.op {
                    let b = scalar_bits(node.dtype, scalars[q as usize]);
                    head[3 + 2 * q as usize] = b as u32;
                    head[4 + 2 * q as usize] = (b >> 32) as u32;
                }
            }
            // The pieces below bind windows in 4-byte elements.
            if super::wgsl::has_packed(p) && bufs.iter().any(|b| b.requested() > gpu.max_binding) {
                return Err(Error::Value(format!(
                    "float16, uint8 and int64 arrays larger than one storage binding ({} bytes on this adapter) are not supported on the GPU yet; work on slices of them",
                    gpu.max_binding
                )));
            }
            // A gather reads anywhere in its input: it needs every buffer
            // bound whole.
            if p.gathers() && bufs.iter().any(|b| b.requested() > gpu.max_binding) {
                return Err(Error::Value(format!(
                    "gathering from an array larger than one storage binding ({} bytes on this adapter) is not supported; take from slices of it",
                    gpu.max_binding
                )));
            }
            let layouts: Vec<Layout> = operands.iter().map(|(_, l)| (*l).clone()).collect();
            // Arrays larger than one storage binding run as several
            // dispatches, each binding a window of every buffer.
            for piece in windows(
                &layouts,
                &binding,
                &bufs,
                gpu.max_binding,
                gpu.binding_align,
            ) {
                let ls = &piece.layouts;
                let vec4 = !p.scalar_only()
                    && ls.iter().enumerate().all(|(k, l)| {
                        (k > 0 && uniform[k - 1])
                            || (l.is_c_contiguous() && l.offset % 4 == 0 && !l.strides.contains(&0))
                    });
                let zero_off = vec4
                    && ls
                        .iter()
                        .enumerate()
                        .all(|(k, l)| (k > 0 && uniform[k - 1]) || l.offset == 0);
                let owner = !vec4
                    && super::wgsl::owner_applies(p)
                    && ls
                        .iter()
                        .enumerate()
                        .all(|(k, l)| (k > 0 && uniform[k - 1]) || l.is_c_contiguous());
                let key = KernelKey {
                    prog: p.clone(),
                    binding: binding.clone(),
                    uniform: uniform.clone(),
                    vec4,
                    zero_off,
                    owner,
                    wg: gpu.ew_wg,
                };
                let pn = ls[0].size();
                let mut meta = head.clone();
                meta[0] = pn as u32;
                meta[1] = ls[0].ndim() as u32;
                meta[2] = piece.base as u32;
                meta.extend(ls[0].shape.iter().map(|&d| d as u32));
                for l in ls {
                    meta.extend(layout_words(l)?);
                }
                let threads = if vec4 {
                    (pn as u64).div_ceil(4)
                } else if owner {
                    // The output words the elements span.
                    let per = (4 / p.dtype().size()) as u64;
                    let start = ls[0].offset as u64;
                    (start + pn as u64).div_ceil(per) - start / per
                } else {
                    pn as u64
                };
                let wg = key.wg;
                let pk = PipelineKey::Kernel(Box::new(key));
                let PipelineKey::Kernel(key) = &pk else {
                    unreachable!("just built")
                };
                let pipeline = gpu.pipeline_for(&pk, || super::wgsl::source(key), bufs.len())?;
                let w = bufs
                    .iter()
                    .zip(&piece.bind)
                    .map(|(b, &(off, size))| (b.clone(), off, size))
                    .collect();
                gpu.dispatch_windows(pipeline, w, &meta, gpu.grid(threads, wg)?)?;
            }
            Ok(())
        }
    }
}

/// One dispatch's share of a kernel: the operands' layouts relative to
/// their windows, the C-order index of its first element, and per buffer
/// the window (byte offset, bytes) to bind.
struct Piece {
    layouts: Vec<Layout>,
    base: usize,
    bind: Vec<(u64, u64)>,
}

/// Cuts the index space into pieces whose every buffer's window fits one
/// storage binding: the whole space when every buffer does, else halves of
/// the outermost axis longer than 1, recursively, so each piece is a
/// contiguous run of C-order indices. One element always fits.
fn windows(
    layouts: &[Layout],
    binding: &[u8],
    bufs: &[GpuStorage],
    max: u64,
    align: u64,
) -> Vec<Piece> {
    if bufs.iter().all(|b| b.requested() <= max) {
        return vec![Piece {
            layouts: layouts.to_vec(),
            base: 0,
            bind: bufs.iter().map(|b| (0, b.bytes().min(max & !3))).collect(),
        }];
    }
    let mut out = Vec::new();
    split(
        layouts.to_vec(),
        0,
        binding,
        bufs.len(),
        max,
        align,
        &mut out,
    );
    out
}

/// Per buffer, the window (byte offset aligned to `align`, bytes) that
/// covers every element its operands reach; `binding[k]` names operand
/// `k`'s buffer, and elements are `elem` bytes.
pub(crate) fn binding_windows(
    ls: &[Layout],
    binding: &[impl Copy + Into<usize>],
    nbuf: usize,
    elem: u64,
    align: u64,
) -> Vec<(u64, u64)> {
    let mut ext: Vec<Option<(usize, usize)>> = vec![None; nbuf];
    for (k, l) in ls.iter().enumerate() {
        if let Some((lo, hi)) = l.extent() {
            let e = &mut ext[binding[k].into()];
            *e = Some(e.map_or((lo, hi), |(a, c)| (a.min(lo), c.max(hi))));
        }
    }
    ext.iter()
        .map(|e| {
            let (lo, hi) = e.unwrap_or((0, 0));
            let off = lo as u64 * elem / align * align;
            (off, (hi as u64 + 1) * elem - off)
        })
        .collect()
}

fn split(
    ls: Vec<Layout>,
    base: usize,
    binding: &[u8],
    nbuf: usize,
    max: u64,
    align: u64,
    out: &mut Vec<Piece>,
) {
    // The elements each buffer's operands reach, in 4-byte elements.
    let bind = binding_windows(&ls, binding, nbuf, 4, align);
    if bind.iter().all(|&(_, size)| size <= max) {
        let layouts = ls
            .iter()
            .enumerate()
            .map(|(k, l)| {
                let mut l = l.clone();
                l.offset -= (bind[binding[k] as usize].0 / 4) as usize;
                l
            })
            .collect();
        out.push(Piece {
            layouts,
            base,
            bind,
        });
        return;
    }
    let shape = ls[0].shape.clone();
    let Some(d) = shape.iter().position(|&n| n > 1) else {
        unreachable!("one element fits any binding")
    };
    let (n, h) = (shape[d], shape[d] / 2);
    let inner: usize = shape[d + 1..].iter().product();
    for (a, b) in [(0, h), (h, n)] {
        let sub = ls
            .iter()
            .map(|l| {
                let mut l = l.clone();
                l.offset = (l.offset as isize + a as isize * l.strides[d]) as usize;
                l.shape[d] = b - a;
                l
            })
            .collect();
        split(sub, base + a * inner, binding, nbuf, max, align, out);
    }
}

/// A scalar as the GPU kernel reads it: the low word (the value's 32 bits,
/// as the kernel computes it), and for `i64` the high word too. Values
/// convert as the CPU backend's `from_f64` does.
fn scalar_bits(d: DType, v: f64) -> u64 {
    use crate::element::Element;
    match d {
        DType::F32 | DType::F64 => u64::from((v as f32).to_bits()),
        DType::I32 => u64::from((v as i32) as u32),
        DType::U32 => u64::from(v as u32),
        DType::Bool => u64::from(v != 0.0),
        DType::I64 => (v as i64) as u64,
        DType::U8 => u64::from(u8::from_f64(v)),
        DType::F16 => u64::from(half::f16::from_f64(v).to_f32().to_bits()),
    }
}
