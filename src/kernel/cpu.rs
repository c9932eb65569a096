//! The CPU evaluator of the kernel IR: the output is cut into blocks of
//! [`BLOCK`] elements; for each block every node runs in order over a small
//! column (contiguous inputs are copied with `copy_from_slice`, strided ones
//! gathered), then the result column is written back. Columns stay in L1 and
//! each node is one tight loop that vectorises; contiguous outputs are split
//! across ndgpu's threads.

use rayon::prelude::*;

use super::{ops, Op, Program};
use crate::device::cpu::{exec, gather_block as gather, Walker};
use crate::element::{DType, Element};
use crate::layout::Layout;

/// Elements per block (a column of 8-byte words: 2 KiB).
const BLOCK: usize = 256;
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
            DType::U32 => {
                type $T = u32;
                $e
            }
        }
    };
}

fn view<T: Element>(c: &Col, len: usize) -> &[T] {
    &bytemuck::cast_slice::<u64, T>(c)[..len]
}

fn view_mut<T: Element>(c: &mut Col, len: usize) -> &mut [T] {
    &mut bytemuck::cast_slice_mut::<u64, T>(c)[..len]
}

/// What every block of one evaluation shares.
struct Ctx<'a> {
    p: &'a Program,
    inputs: &'a [In<'a>],
    scalars: &'a [f64],
    out_dtype: DType,
}

/// Evaluates node `j` for the block at `start` of length `len`, whose
/// output elements (before the write) are `out_block`.
fn node(c: &Ctx, j: usize, cols: &mut [Col], out_block: &[u64], start: usize, len: usize) {
    let (p, inputs, scalars, out_dtype) = (c.p, c.inputs, c.scalars, c.out_dtype);
    let n = p.nodes[j];
    let (before, rest) = cols.split_at_mut(j);
    let o = &mut rest[0];
    let arg = |a: u16| &before[a as usize];
    let dt = |a: u16| p.nodes[a as usize].dtype;
    match n.op {
        Op::Input(k) => match &inputs[k as usize] {
            In::Buf(words, l, d) => by_dtype!(*d, T => gather::<T>(
                bytemuck::cast_slice(words),
                l,
                start,
                view_mut::<T>(o, len)
            )),
            In::Out => by_dtype!(out_dtype, T => view_mut::<T>(o, len)
                .copy_from_slice(&bytemuck::cast_slice::<u64, T>(out_block)[..len])),
        },
        Op::Scalar(k) => {
            by_dtype!(n.dtype, T => view_mut::<T>(o, len).fill(T::from_f64(scalars[k as usize])))
        }
        Op::Index => {
            for (i, y) in view_mut::<u32>(o, len).iter_mut().enumerate() {
                *y = (start + i) as u32;
            }
        }
        Op::Binary(op, a, b) => by_dtype!(n.dtype, T => ops::binary::<T>(
            op,
            view(arg(a), len),
            view(arg(b), len),
            view_mut(o, len)
        )),
        Op::Unary(op, a) => {
            by_dtype!(n.dtype, T => ops::unary::<T>(op, view(arg(a), len), view_mut(o, len)))
        }
        Op::Float(op, a) => match n.dtype {
            DType::F32 => ops::float::<f32>(op, view(arg(a), len), view_mut(o, len)),
            DType::F64 => ops::float::<f64>(op, view(arg(a), len), view_mut(o, len)),
            // Float nodes are built for float dtypes only (`T: Float`).
            _ => {}
        },
        Op::Cmp(op, a, b) => by_dtype!(dt(a), T => ops::cmp::<T>(
            op,
            view(arg(a), len),
            view(arg(b), len),
            view_mut(o, len)
        )),
        Op::Select(m, a, b) => by_dtype!(n.dtype, T => ops::select::<T>(
            view(arg(m), len),
            view(arg(a), len),
            view(arg(b), len),
            view_mut(o, len)
        )),
        Op::Clip(x, lo, hi) => by_dtype!(n.dtype, T => ops::clip::<T>(
            view(arg(x), len),
            view(arg(lo), len),
            view(arg(hi), len),
            view_mut(o, len)
        )),
        Op::Cast(a) => by_dtype!(dt(a), T => by_dtype!(n.dtype, U => ops::cast::<T, U>(
            view(arg(a), len),
            view_mut(o, len)
        ))),
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
    let od = p.dtype();
    let size = od.size();
    let ctx = Ctx {
        p,
        inputs,
        scalars,
        out_dtype: od,
    };
    // Runs the program over `o`, the output's elements start..start+len in C
    // order, as 8-byte-word storage of dtype `od`.
    let run = |start: usize, o: &mut [u8]| {
        let mut cols: Vec<Col> = vec![[0u64; BLOCK]; p.nodes.len()];
        let mut blk = [0u64; BLOCK];
        let count = o.len() / size;
        let mut k = 0;
        while k < count {
            let len = BLOCK.min(count - k);
            let bytes = &mut o[k * size..(k + len) * size];
            bytemuck::cast_slice_mut::<u64, u8>(&mut blk)[..len * size].copy_from_slice(bytes);
            for j in 0..p.nodes.len() {
                node(&ctx, j, &mut cols, &blk, start + k, len);
            }
            let last = &cols[p.nodes.len() - 1];
            bytes.copy_from_slice(&bytemuck::cast_slice::<u64, u8>(last)[..len * size]);
            k += len;
        }
    };
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(out);
    if ol.is_c_contiguous() {
        let o = &mut bytes[ol.offset * size..(ol.offset + n) * size];
        if n < PAR_MIN {
            run(0, o);
        } else {
            exec(|| {
                o.par_chunks_mut(PAR_CHUNK * size)
                    .enumerate()
                    .for_each(|(i, oc)| run(i * PAR_CHUNK, oc))
            });
        }
        return;
    }
    // A strided output: gather a block of it, run, scatter it back.
    let mut w = Walker::new(ol, 0);
    let mut offs = [0usize; BLOCK];
    let mut tmp = vec![0u8; BLOCK * size];
    let mut start = 0;
    while start < n {
        let len = BLOCK.min(n - start);
        for (k, at) in offs[..len].iter_mut().enumerate() {
            *at = w.next();
            tmp[k * size..(k + 1) * size].copy_from_slice(&bytes[*at * size..(*at + 1) * size]);
        }
        run(start, &mut tmp[..len * size]);
        for (k, &at) in offs[..len].iter().enumerate() {
            bytes[at * size..(at + 1) * size].copy_from_slice(&tmp[k * size..(k + 1) * size]);
        }
        start += len;
    }
}
