//! The CPU evaluator of the kernel IR.
//!
//! The output and every input are walked together as *rows*: axes that are
//! contiguous in every operand at once are merged, axes of length 1
//! dropped, and the innermost remaining axis is a row with one stride per
//! operand. A row is cut into blocks of [`BLOCK`] elements; for each block
//! every node runs in order (numexpr's model: no temporary has the array's
//! size). An input with stride 1 is read in place, stride 0 is a scalar,
//! any other stride is gathered with one strided loop; each node is one
//! tight loop specialised for slice or scalar operands, so it vectorises.
//! Rows (or pieces of one long row) are split across ndgpu's threads,
//! strided outputs included.

use rayon::prelude::*;

use super::ops::{self, Arg};
use super::{Op, Program};
use crate::device::cpu::exec;
use crate::element::{DType, Element, Float, Number};
use crate::layout::Layout;
use crate::ops::elementwise::{FloatBinaryOp, IsOp};

/// Elements per block: a column of 8-byte words is 16 KiB, in L2 with its
/// neighbours (measured on 16M f32: 512 -> 2048 took the fused chain from
/// 17.9 to 16.0 ms and a copy from 9.5 to 5.2 ms on 2 cores).
const BLOCK: usize = 2048;
/// Outputs below this run on one thread: rayon's hand-off costs more.
const PAR_MIN: usize = 1 << 16;
/// Elements per parallel task.
const PAR_CHUNK: usize = 1 << 15;

/// One input as the evaluator reads it.
pub(crate) enum In<'a> {
    /// A buffer's words, through a layout broadcast to the output's shape.
    Buf(&'a [u64], &'a Layout, DType),
    /// The output itself, through the output's own layout (`a += b`).
    Out,
}

type Col = [u64; BLOCK];

macro_rules! by_dtype {
    ($d:expr, $T:ident => $e:expr) => {
        match $d {
            DType::F32 => {
                type $T = f32;
                $e
            }
            DType::F64 => {
                type $T = f64;
                $e
            }
            DType::I32 => {
                type $T = i32;
                $e
            }
            DType::I64 => {
                type $T = i64;
                $e
            }
            DType::U8 => {
                type $T = u8;
                $e
            }
            DType::F16 => {
                type $T = half::f16;
                $e
            }
            // A bool is stored as a u32 word of 0 or 1.
            DType::U32 | DType::Bool => {
                type $T = u32;
                $e
            }
        }
    };
}

/// A node's values over one block: a column of the block, a slice of an
/// input read in place, or one value for every element.
#[derive(Clone, Copy)]
enum V {
    Col,
    /// Element offset in the input's buffer (stride 1).
    Slice(usize),
    /// Element offset in the output's buffer (an input that is the output
    /// itself, stride 1): read in place before the block is written.
    OutSlice(usize),
    Scalar(f64),
}

/// The output's buffer, shared by the tasks of one evaluation.
#[derive(Clone, Copy)]
struct OutPtr(*mut u8, usize);

// SAFETY: the pointer is the output buffer's, exclusively write-locked by
// the caller for the whole evaluation, and no other reference to it exists
// then (inputs in that buffer are read through this pointer, `In::Out`; any
// other view of it was copied out first). Tasks touch disjoint elements:
// a writeable layout never maps two indices to one element (views come
// from slicing, permuting and reshaping a contiguous buffer; broadcast
// views, the only ones with repeats, are read-only), tasks own disjoint
// index ranges, and a task reads the output only at the positions it
// writes. So sharing the pointer across threads creates no data race.
unsafe impl Send for OutPtr {}
unsafe impl Sync for OutPtr {}

impl OutPtr {
    /// Reads element `at` of dtype `T`.
    ///
    /// # Safety
    /// `at` is an element of the output's layout owned by the calling task.
    unsafe fn get<T: Number>(self, at: usize) -> T {
        debug_assert!((at + 1) * std::mem::size_of::<T>() <= self.1);
        // SAFETY: in bounds (the layout lies in the buffer), aligned (the
        // buffer is u64-aligned and `at` counts whole `T`s), and no other
        // task touches this element (see `OutPtr`).
        unsafe { self.0.cast::<T>().add(at).read() }
    }
    /// Writes element `at` of dtype `T`.
    ///
    /// # Safety
    /// As [`get`](OutPtr::get).
    unsafe fn set<T: Number>(self, at: usize, v: T) {
        debug_assert!((at + 1) * std::mem::size_of::<T>() <= self.1);
        // SAFETY: as in `get`.
        unsafe { self.0.cast::<T>().add(at).write(v) }
    }
}

/// The walk: merged axes, the row length, and per operand (output first)
/// its offset and strides.
struct Walk {
    outer: Vec<usize>,
    row: usize,
    offsets: Vec<isize>,
    /// `strides[k]` has one stride per outer axis, then the row's.
    strides: Vec<Vec<isize>>,
}

impl Walk {
    fn new(shape: &[usize], layouts: &[&Layout]) -> Walk {
        let merged = super::coalesce(shape, layouts);
        let dims = &merged[0].shape;
        let (outer, row) = match dims.split_last() {
            Some((&row, outer)) => (outer.to_vec(), row),
            None => (Vec::new(), 1),
        };
        let strides = merged
            .iter()
            .map(|l| {
                let mut v = l.strides.clone();
                if v.is_empty() {
                    v.push(0);
                }
                v
            })
            .collect();
        Walk {
            outer,
            row,
            offsets: layouts.iter().map(|l| l.offset as isize).collect(),
            strides,
        }
    }

    fn rows(&self) -> usize {
        self.outer.iter().product()
    }

    /// Operand `k`'s offset at the start of row `r`.
    fn base(&self, k: usize, mut r: usize) -> isize {
        let mut o = self.offsets[k];
        for d in (0..self.outer.len()).rev() {
            o += (r % self.outer[d]) as isize * self.strides[k][d];
            r /= self.outer[d];
        }
        o
    }

    fn inner(&self, k: usize) -> isize {
        *self.strides[k].last().expect("a row stride per operand")
    }
}

/// What every block of one evaluation shares.
struct Ctx<'a> {
    p: &'a Program,
    inputs: &'a [In<'a>],
    scalars: &'a [f64],
    out: OutPtr,
    walk: Walk,
}

fn view<T: Number>(c: &Col, len: usize) -> &[T] {
    &bytemuck::cast_slice::<u64, T>(c)[..len]
}

fn view_mut<T: Number>(c: &mut Col, len: usize) -> &mut [T] {
    &mut bytemuck::cast_slice_mut::<u64, T>(c)[..len]
}

fn arg<'a, T: Number>(c: &'a Ctx, vals: &[V], cols: &'a [Col], id: u16, len: usize) -> Arg<'a, T> {
    let i = id as usize;
    match vals[i] {
        V::Col => Arg::S(view(&cols[i], len)),
        V::Scalar(v) => Arg::K(T::from_f64(v)),
        V::OutSlice(at) => {
            debug_assert!((at + len) * std::mem::size_of::<T>() <= c.out.1);
            // SAFETY: elements at..at+len of the output are this task's
            // block (see OutPtr), in bounds and aligned; nothing writes them
            // while the block's nodes run (the block is written after the
            // last node, and a result that is this very slice is not
            // written at all), so a shared slice of them is sound meanwhile.
            Arg::S(unsafe { std::slice::from_raw_parts(c.out.0.cast::<T>().add(at), len) })
        }
        V::Slice(at) => {
            let Op::Input(k) = c.p.nodes[i].op else {
                unreachable!("only inputs are read in place")
            };
            let In::Buf(words, ..) = c.inputs[k as usize] else {
                unreachable!("the output is never read in place")
            };
            Arg::S(&bytemuck::cast_slice::<u64, T>(words)[at..at + len])
        }
    }
}

/// `f` over a slice argument, with a scalar one spread into `tmp` first.
fn slice_of<'a, T: Number>(a: Arg<'a, T>, tmp: &'a mut [T]) -> &'a [T] {
    match a {
        Arg::S(s) => s,
        Arg::K(v) => {
            tmp.fill(v);
            tmp
        }
    }
}

/// Evaluates node `j` for a block of `len` elements starting `k0` elements
/// into row `r`; `bases` are the operands' offsets at the block's start.
fn node(c: &Ctx, j: usize, vals: &mut [V], cols: &mut [Col], bases: &[isize], len: usize) {
    let n = c.p.nodes[j];
    if let Op::Input(k) = n.op {
        let stride = c.walk.inner(k as usize + 1);
        let base = bases[k as usize + 1];
        vals[j] = match &c.inputs[k as usize] {
            In::Buf(words, _, d) => {
                if stride == 0 && *d != DType::I64 {
                    V::Scalar(
                        by_dtype!(*d, T => bytemuck::cast_slice::<u64, T>(words)[base as usize].to_f64()),
                    )
                } else if stride == 1 {
                    V::Slice(base as usize)
                } else {
                    by_dtype!(*d, T => {
                        let src = bytemuck::cast_slice::<u64, T>(words);
                        for (i, y) in view_mut::<T>(&mut cols[j], len).iter_mut().enumerate() {
                            *y = src[(base + i as isize * stride) as usize];
                        }
                    });
                    V::Col
                }
            }
            In::Out if c.walk.inner(0) == 1 => V::OutSlice(bases[0] as usize),
            In::Out => {
                // Gathered, since the block's write comes after.
                let os = c.walk.inner(0);
                by_dtype!(n.dtype, T => {
                    let col = view_mut::<T>(&mut cols[j], len);
                    if os == 1 {
                        let at = bases[0] as usize;
                        debug_assert!((at + len) * std::mem::size_of::<T>() <= c.out.1);
                        // SAFETY: elements at..at+len of the output are this
                        // task's block (see OutPtr), in bounds and aligned;
                        // the column is not the output.
                        unsafe {
                            std::ptr::copy_nonoverlapping(
                                c.out.0.cast::<T>().add(at),
                                col.as_mut_ptr(),
                                len,
                            )
                        };
                    } else {
                        for (i, y) in col.iter_mut().enumerate() {
                            // SAFETY: an element of this task's block (see OutPtr).
                            *y = unsafe { c.out.get::<T>((bases[0] + i as isize * os) as usize) };
                        }
                    }
                });
                V::Col
            }
        };
        return;
    }
    if let Op::Scalar(k) = n.op {
        vals[j] = V::Scalar(c.scalars[k as usize]);
        return;
    }
    if let Op::Gather(k, i, st) = n.op {
        let stride = c.walk.inner(k as usize + 1);
        let base = bases[k as usize + 1];
        let In::Buf(words, _, d) = &c.inputs[k as usize] else {
            unreachable!("a gathered input is a fresh operand, never the output")
        };
        let V::Scalar(step) = vals[st as usize] else {
            unreachable!("a gather's step is a scalar")
        };
        let step = step as isize;
        let (before, rest) = cols.split_at_mut(j);
        let idx = arg::<i32>(c, vals, before, i, len);
        by_dtype!(*d, T => {
            let src = bytemuck::cast_slice::<u64, T>(words);
            let col = view_mut::<T>(&mut rest[0], len);
            match idx {
                Arg::S(ix) => {
                    for (t, (y, &q)) in col.iter_mut().zip(ix).enumerate() {
                        *y = src[(base + t as isize * stride + q as isize * step) as usize];
                    }
                }
                Arg::K(q) => {
                    for (t, y) in col.iter_mut().enumerate() {
                        *y = src[(base + t as isize * stride + q as isize * step) as usize];
                    }
                }
            }
        });
        vals[j] = V::Col;
        return;
    }
    // Scratch columns for scalar operands spread out: kept with the
    // columns, not on the stack, whose large frames would be probed page by
    // page on every call and push the columns out of L1.
    let (body, scratch) = cols.split_at_mut(c.p.nodes.len());
    let [s0, s1, s2] = scratch else {
        unreachable!("three scratch columns follow the nodes'")
    };
    let (before, rest) = body.split_at_mut(j);
    let o = &mut rest[0];
    let dt = |a: u16| c.p.nodes[a as usize].dtype;
    macro_rules! a {
        ($T:ty, $id:expr) => {
            arg::<$T>(c, vals, before, $id, len)
        };
    }
    match n.op {
        Op::Index => {
            let start = bases[bases.len() - 1] as usize;
            for (i, y) in view_mut::<u32>(o, len).iter_mut().enumerate() {
                *y = (start + i) as u32;
            }
        }
        Op::Binary(op, x, y) => {
            by_dtype!(n.dtype, T => ops::binary::<T>(op, a!(T, x), a!(T, y), view_mut(o, len)))
        }
        Op::Unary(op, x) => by_dtype!(n.dtype, T => {
            let s = slice_of(a!(T, x), view_mut(s0, len));
            ops::unary::<T>(op, s, view_mut(o, len))
        }),
        Op::Float(op, x) => {
            fn go<T: Float>(
                c: &Ctx,
                vals: &[V],
                cols: &[Col],
                op: crate::ops::elementwise::FloatOp,
                x: u16,
                (o, t): (&mut Col, &mut Col),
                len: usize,
            ) {
                let s = slice_of(arg::<T>(c, vals, cols, x, len), view_mut(t, len));
                ops::float::<T>(op, s, view_mut(o, len));
            }
            match n.dtype {
                DType::F32 => go::<f32>(c, vals, before, op, x, (o, s0), len),
                DType::F64 => go::<f64>(c, vals, before, op, x, (o, s0), len),
                DType::F16 => go::<half::f16>(c, vals, before, op, x, (o, s0), len),
                // Float nodes are built for float dtypes only (`T: Float`).
                _ => {}
            }
        }
        Op::Cmp(op, x, y) => by_dtype!(dt(x), T => {
            let sx = slice_of(a!(T, x), view_mut(s0, len));
            let sy = slice_of(a!(T, y), view_mut(s1, len));
            ops::cmp::<T>(op, sx, sy, view_mut(o, len))
        }),
        Op::Select(m, x, y) => by_dtype!(n.dtype, T => {
            let sm = slice_of(a!(u32, m), view_mut(s0, len));
            let sx = slice_of(a!(T, x), view_mut(s1, len));
            let sy = slice_of(a!(T, y), view_mut(s2, len));
            ops::select::<T>(sm, sx, sy, view_mut(o, len))
        }),
        Op::Clip(x, lo, hi) => by_dtype!(n.dtype, T => {
            let sx = slice_of(a!(T, x), view_mut(s0, len));
            let sl = slice_of(a!(T, lo), view_mut(s1, len));
            let sh = slice_of(a!(T, hi), view_mut(s2, len));
            ops::clip::<T>(sx, sl, sh, view_mut(o, len))
        }),
        Op::Key(x) => by_dtype!(dt(x), T => {
            let s = slice_of(a!(T, x), view_mut(s0, len));
            ops::key::<T>(s, view_mut(o, len))
        }),
        Op::Cast(x) if n.dtype == DType::Bool && dt(x) != DType::Bool => by_dtype!(dt(x), T => {
            let s = slice_of(a!(T, x), view_mut(s0, len));
            ops::truth::<T>(s, view_mut(o, len))
        }),
        Op::Cast(x) => by_dtype!(dt(x), T => by_dtype!(n.dtype, U => {
            let s = slice_of(a!(T, x), view_mut(s0, len));
            ops::cast::<T, U>(s, view_mut(o, len))
        })),
        Op::FBinary(op, x, y) => {
            fn go<T: Float>(
                c: &Ctx,
                vals: &[V],
                cols: &[Col],
                op: FloatBinaryOp,
                xy: (u16, u16),
                (o, s0, s1): (&mut Col, &mut Col, &mut Col),
                len: usize,
            ) {
                let sx = slice_of(arg::<T>(c, vals, cols, xy.0, len), view_mut(s0, len));
                let sy = slice_of(arg::<T>(c, vals, cols, xy.1, len), view_mut(s1, len));
                ops::fbinary::<T>(op, sx, sy, view_mut(o, len));
            }
            match n.dtype {
                DType::F32 => go::<f32>(c, vals, before, op, (x, y), (o, s0, s1), len),
                DType::F64 => go::<f64>(c, vals, before, op, (x, y), (o, s0, s1), len),
                DType::F16 => go::<half::f16>(c, vals, before, op, (x, y), (o, s0, s1), len),
                // Float nodes are built for float dtypes only (`T: Float`).
                _ => {}
            }
        }
        Op::Bit(op, x, y) => by_dtype!(n.dtype, T => {
            let sx = slice_of(a!(T, x), view_mut(s0, len));
            let sy = slice_of(a!(T, y), view_mut(s1, len));
            ops::bit::<T>(op, sx, sy, view_mut(o, len))
        }),
        Op::Not(x) => by_dtype!(n.dtype, T => {
            let sx = slice_of(a!(T, x), view_mut(s0, len));
            ops::not::<T>(n.dtype == DType::Bool, sx, view_mut(o, len))
        }),
        Op::Is(op, x) => {
            fn go<T: Float>(
                c: &Ctx,
                vals: &[V],
                cols: &[Col],
                op: IsOp,
                x: u16,
                (o, s0): (&mut Col, &mut Col),
                len: usize,
            ) {
                let sx = slice_of(arg::<T>(c, vals, cols, x, len), view_mut(s0, len));
                ops::is::<T>(op, sx, view_mut(o, len));
            }
            match dt(x) {
                DType::F32 => go::<f32>(c, vals, before, op, x, (o, s0), len),
                DType::F64 => go::<f64>(c, vals, before, op, x, (o, s0), len),
                DType::F16 => go::<half::f16>(c, vals, before, op, x, (o, s0), len),
                // Classification nodes read float nodes only (`T: Float`).
                _ => {}
            }
        }
        Op::Input(_) | Op::Scalar(_) | Op::Gather(..) => unreachable!("handled above"),
    }
    vals[j] = V::Col;
}

/// Runs the program over elements `k0..k1` of row `r`.
fn task(c: &Ctx, r: usize, k0: usize, k1: usize, vals: &mut [V], cols: &mut [Col]) {
    let nops = c.inputs.len() + 1;
    let row_start = r * c.walk.row;
    // Operand offsets at the block's start, then the block's logical index.
    let mut bases: Vec<isize> = (0..nops)
        .map(|k| c.walk.base(k, r) + k0 as isize * c.walk.inner(k))
        .collect();
    bases.push((row_start + k0) as isize);
    let last = c.p.nodes.len() - 1;
    let od = c.p.dtype();
    let os = c.walk.inner(0);
    let mut k = k0;
    while k < k1 {
        let len = BLOCK.min(k1 - k);
        for j in 0..c.p.nodes.len() {
            node(c, j, vals, cols, &bases, len);
        }
        let (body, scratch) = cols.split_at_mut(c.p.nodes.len());
        by_dtype!(od, T => {
            let res: &[T] = match vals[last] {
                V::Col => view(&body[last], len),
                V::Scalar(v) => {
                    let t = view_mut::<T>(&mut scratch[0], len);
                    t.fill(T::from_f64(v));
                    t
                }
                // The output's own values at their own places: nothing to write.
                V::OutSlice(_) => &[],
                V::Slice(_) => match arg::<T>(c, vals, body, last as u16, len) {
                    Arg::S(s) => s,
                    Arg::K(_) => unreachable!("a slice is a slice"),
                },
            };
            if res.is_empty() {
                // Nothing to write (see above).
            } else if os == 1 {
                let at = bases[0] as usize;
                debug_assert!((at + len) * std::mem::size_of::<T>() <= c.out.1);
                // SAFETY: elements at..at+len of the output are this task's
                // block (see OutPtr), in bounds and aligned; `res` is a
                // column or an input slice, never the output itself (inputs
                // in the output's buffer are copied into columns).
                unsafe {
                    std::ptr::copy_nonoverlapping(res.as_ptr(), c.out.0.cast::<T>().add(at), len)
                };
            } else {
                for (i, &v) in res.iter().enumerate() {
                    // SAFETY: an element of this task's block (see OutPtr).
                    unsafe { c.out.set::<T>((bases[0] + i as isize * os) as usize, v) };
                }
            }
        });
        for (k2, b) in bases.iter_mut().enumerate() {
            *b += len as isize * if k2 < nops { c.walk.inner(k2) } else { 1 };
        }
        k += len;
    }
}

/// `out[...] = p(inputs)` over `ol`, inputs already broadcast to it. Inputs
/// that share the output's buffer come as [`In::Out`] (same layout); the
/// caller copies any input that overlaps the output differently.
pub(crate) fn eval(p: &Program, out: &mut [u64], ol: &Layout, inputs: &[In], scalars: &[f64]) {
    let n = ol.size();
    if n == 0 {
        return;
    }
    let mut layouts: Vec<&Layout> = vec![ol];
    for x in inputs {
        layouts.push(match x {
            In::Buf(_, l, _) => l,
            In::Out => ol,
        });
    }
    let c = Ctx {
        p,
        inputs,
        scalars,
        out: OutPtr(out.as_mut_ptr().cast(), std::mem::size_of_val(out)),
        walk: Walk::new(&ol.shape, &layouts),
    };
    let (rows, row) = (c.walk.rows(), c.walk.row);
    let fresh = || {
        (
            vec![V::Col; p.nodes.len()],
            // The nodes' columns, then three scratch columns.
            vec![[0u64; BLOCK]; p.nodes.len() + 3],
        )
    };
    if n < PAR_MIN {
        let (mut vals, mut cols) = fresh();
        for r in 0..rows {
            task(&c, r, 0, row, &mut vals, &mut cols);
        }
        return;
    }
    // Tasks of about PAR_CHUNK elements: whole rows, or pieces of long rows.
    let per_row = row.div_ceil(PAR_CHUNK).max(1);
    let rows_per_task = (PAR_CHUNK / row).max(1);
    let ntasks = if per_row > 1 {
        rows * per_row
    } else {
        rows.div_ceil(rows_per_task)
    };
    exec(|| {
        (0..ntasks)
            .into_par_iter()
            .for_each_init(fresh, |(vals, cols), t| {
                if per_row > 1 {
                    let (r, piece) = (t / per_row, t % per_row);
                    let k0 = piece * row.div_ceil(per_row);
                    let k1 = (k0 + row.div_ceil(per_row)).min(row);
                    task(&c, r, k0, k1, vals, cols);
                } else {
                    for r in t * rows_per_task..((t + 1) * rows_per_task).min(rows) {
                        task(&c, r, 0, row, vals, cols);
                    }
                }
            })
    });
}
