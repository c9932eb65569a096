//! Reductions (`sum`, `prod`, `min`, `max`, `mean`, `var`, `std`, `argmin`,
//! `argmax`, `any`, `all`) over the whole array or any set of axes, through
//! any strided view. The GPU path is a parallel tree reduction
//! (`shaders/reduce.wgsl`): workgroup partials, then a second pass; the CPU
//! path sums pairwise, so the error of an f32 sum grows with log n, not n.

mod cpu_reduce;
mod cpu_short;
mod gpu_chunk;

use gpu_chunk::ChunkOp;

use crate::array::Array;
use crate::device::cpu;
use crate::device::gpu::GpuStorage;
use crate::device::Storage;
use crate::element::{DType, Element, Float, Number};
use crate::error::{Error, Result};
use crate::layout::Layout;

/// Which axes a reduction runs over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Axes {
    /// Every axis: the result is 0-d (NumPy's `axis=None`).
    All,
    /// These axes.
    Some(Vec<usize>),
}

impl From<usize> for Axes {
    fn from(a: usize) -> Self {
        Axes::Some(vec![a])
    }
}
impl<const N: usize> From<[usize; N]> for Axes {
    fn from(a: [usize; N]) -> Self {
        Axes::Some(a.to_vec())
    }
}
impl From<&[usize]> for Axes {
    fn from(a: &[usize]) -> Self {
        Axes::Some(a.to_vec())
    }
}
impl From<Vec<usize>> for Axes {
    fn from(a: Vec<usize>) -> Self {
        Axes::Some(a)
    }
}

/// The reductions with a value result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Red {
    Sum,
    Prod,
    Max,
    Min,
    ArgMax,
    ArgMin,
    /// The sum of squared deviations from each output's mean (`var`'s
    /// second pass), the means in a third buffer.
    SqDev,
}

impl Red {
    fn numpy(self) -> &'static str {
        match self {
            Red::Sum | Red::SqDev => "add",
            Red::Prod => "multiply",
            Red::Max => "maximum",
            Red::Min => "minimum",
            Red::ArgMax => "argmax",
            Red::ArgMin => "argmin",
        }
    }
    fn is_arg(self) -> bool {
        matches!(self, Red::ArgMax | Red::ArgMin)
    }
    /// WGSL identity, combine and take expressions for dtype `d`.
    fn wgsl(self, d: DType) -> (String, &'static str, &'static str) {
        let t = d.wgsl().unwrap_or("f32");
        let (lowest, highest) = match d {
            DType::I32 => (
                "i32(-2147483647 - 1)".to_string(),
                "2147483647i".to_string(),
            ),
            DType::U32 => ("0u".to_string(), "4294967295u".to_string()),
            _ => (
                "bitcast<f32>(0xff800000u)".to_string(),
                "bitcast<f32>(0x7f800000u)".to_string(),
            ),
        };
        let float = d == DType::F32;
        let ident = match self {
            Red::Sum | Red::SqDev => format!("{t}(0)"),
            Red::Prod => format!("{t}(1)"),
            Red::Max | Red::ArgMax => lowest,
            Red::Min | Red::ArgMin => highest,
        };
        let comb = match (self, float) {
            (Red::Sum | Red::SqDev, _) => "a + b",
            (Red::Prod, _) => "a * b",
            // NaN propagates, as NumPy's max/min.
            (Red::Max, true) => "select(select(max(a, b), b, nan_s(b)), a, nan_s(a))",
            (Red::Min, true) => "select(select(min(a, b), b, nan_s(b)), a, nan_s(a))",
            (Red::Max, false) => "max(a, b)",
            (Red::Min, false) => "min(a, b)",
            _ => "a",
        };
        // The first occurrence wins ties; a NaN counts as the extreme, as in NumPy.
        let take = match (self, float) {
            (Red::ArgMax, true) => {
                "select(bv > av || (bv == av && bi < ai), bi < ai || !nan_s(av), nan_s(bv)) && !(nan_s(av) && !nan_s(bv))"
            }
            (Red::ArgMin, true) => {
                "select(bv < av || (bv == av && bi < ai), bi < ai || !nan_s(av), nan_s(bv)) && !(nan_s(av) && !nan_s(bv))"
            }
            (Red::ArgMax, false) => "bv > av || (bv == av && bi < ai)",
            (Red::ArgMin, false) => "bv < av || (bv == av && bi < ai)",
            _ => "false",
        };
        (ident, comb, take)
    }
}

/// Outputs from which a GPU reduction over contiguous rows runs one
/// invocation per output (the serial walk) instead of a workgroup tree per
/// row, for rows up to [`SERIAL_MAX_ITERS`] long: four workgroups or more
/// keep both of lavapipe's threads busy, and `max(axis=1)` of 4096² ran in
/// 29 ms this way against 93 ms in trees.
const SERIAL_MIN_OUTPUTS: usize = 1024;
/// Contiguous rows this short take the serial walk from 64 outputs on
/// (strided runs always do).
const SERIAL_MAX_RUN: usize = 256;

/// The longest run the serial walk takes: llvmpipe ends a shader loop after
/// 65535 iterations (its guard against hangs), without an error.
const SERIAL_MAX_ITERS: usize = 1 << 15;

/// `NDGPU_REDUCE_WALK=serial|tree` forces the GPU reductions' walk, to
/// compare the two on an adapter; read once.
fn walk_override() -> Option<bool> {
    static WALK: std::sync::OnceLock<Option<bool>> = std::sync::OnceLock::new();
    *WALK.get_or_init(|| match std::env::var("NDGPU_REDUCE_WALK").as_deref() {
        Ok("serial") => Some(true),
        Ok("tree") => Some(false),
        _ => None,
    })
}

/// Elements each GPU invocation accumulates serially before the tree.
const PER_THREAD: usize = 64;
const WG: usize = 256;

/// How a GPU reduction walks its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walk {
    /// Workgroup trees over chunks; `linear`: one run from element 0.
    Tree { linear: bool },
    /// One invocation per output (reductions over outer axes).
    Columns,
    /// [`Walk::Columns`] computing `var` of each output (a sum, then the
    /// squared deviations from its mean, divided by a divisor in the
    /// metadata), for `Red::Sum` of a float.
    VarColumns,
    /// [`Walk::Columns`] for the second pass of a segmented
    /// argmin/argmax: each partial's index read from the partials.
    ArgPartials,
}

pub(crate) fn reduce_source(red: Red, d: DType, walk: Walk) -> String {
    let (ident, comb, take) = red.wgsl(d);
    let (main, linear) = match walk {
        Walk::Tree { linear } => (include_str!("../../shaders/reduce_tree.wgsl"), linear),
        Walk::Columns | Walk::VarColumns | Walk::ArgPartials => {
            (include_str!("../../shaders/reduce_columns.wgsl"), false)
        }
    };
    (include_str!("../../shaders/reduce.wgsl").to_string() + main)
        .replace("{LINEAR}", if linear { "true" } else { "false" })
        .replace("{PER}", &PER_THREAD.to_string())
        .replace("{T}", d.wgsl().unwrap_or("f32"))
        .replace("{IDENT}", &ident)
        .replace("{COMB}", comb)
        .replace("{TAKE}", take)
        .replace("{ARG}", if red.is_arg() { "true" } else { "false" })
        .replace(
            "{FROMIDX}",
            if walk == Walk::ArgPartials {
                "true"
            } else {
                "false"
            },
        )
        .replace(
            "{VAR}",
            if walk == Walk::VarColumns {
                "true"
            } else {
                "false"
            },
        )
        .replace(
            "{EXTRA}",
            if red == Red::SqDev {
                "@group(0) @binding(3) var<storage, read> mn: array<u32>;"
            } else {
                ""
            },
        )
        .replace(
            "{PRE}",
            if red == Red::SqDev {
                "(v - bitcast<{T}>(mn[m])) * (v - bitcast<{T}>(mn[m]))"
            } else {
                "v"
            },
        )
        .replace("{T}", d.wgsl().unwrap_or("f32"))
}

/// The kept and reduced parts of a layout.
struct Split {
    kept: Layout,
    red: Layout,
    out_shape: Vec<usize>,
    /// Which axes of the input are reduced.
    is_red: Vec<bool>,
}

/// `l` with axes of length 1 dropped and neighbours that walk memory as one
/// axis merged (C order kept, so indices and output order do not change):
/// fewer axes, less index arithmetic in the GPU kernels.
fn merged(l: Layout) -> Layout {
    let mut shape: Vec<usize> = Vec::new();
    let mut strides: Vec<isize> = Vec::new();
    if l.size() == 0 {
        return l;
    }
    for (&n, &s) in l.shape.iter().zip(&l.strides) {
        if n == 1 {
            continue;
        }
        match (shape.last_mut(), strides.last_mut()) {
            (Some(pn), Some(ps)) if *ps == s * n as isize => {
                *pn *= n;
                *ps = s;
            }
            _ => {
                shape.push(n);
                strides.push(s);
            }
        }
    }
    Layout {
        shape,
        strides,
        offset: l.offset,
    }
}

fn split(l: &Layout, axes: &Axes, keepdims: bool) -> Result<Split> {
    let nd = l.ndim();
    let mut is_red = vec![false; nd];
    match axes {
        Axes::All => is_red.iter_mut().for_each(|r| *r = true),
        Axes::Some(v) => {
            for &a in v {
                if a >= nd {
                    return Err(Error::Index(format!(
                        "axis {a} is out of bounds for array of dimension {nd}"
                    )));
                }
                if std::mem::replace(&mut is_red[a], true) {
                    return Err(Error::Value("duplicate value in 'axis'".into()));
                }
            }
        }
    }
    let pick = |want: bool| Layout {
        shape: (0..nd)
            .filter(|&d| is_red[d] == want)
            .map(|d| l.shape[d])
            .collect(),
        strides: (0..nd)
            .filter(|&d| is_red[d] == want)
            .map(|d| l.strides[d])
            .collect(),
        offset: if want { 0 } else { l.offset },
    };
    let out_shape = (0..nd)
        .filter_map(|d| match (is_red[d], keepdims) {
            (false, _) => Some(l.shape[d]),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect();
    let mut red = merged(pick(true));
    if red.is_c_contiguous() {
        // One contiguous run: a single axis, so kernels skip index arithmetic.
        red = Layout::contiguous(&[red.size()]);
    }
    Ok(Split {
        kept: merged(pick(false)),
        red,
        out_shape,
        is_red,
    })
}

/// A reduction's values, or for argmin/argmax its indices.
type Reduced<T> = (Option<Array<T>>, Option<Array<u32>>);

impl<T: Number> Array<T> {
    /// A value reduction on the CPU backend, read in place; `mean` (for
    /// [`cpu_reduce::Op::SqDev`]) holds one mean per output in C order.
    fn cpu_reduce(
        &self,
        op: cpu_reduce::Op,
        sp: &Split,
        mean: Option<&Array<T>>,
    ) -> Result<Array<T>> {
        let Storage::Cpu(s) = &self.storage else {
            unreachable!("called for CPU arrays")
        };
        let out = Array::<T>::uninit(&self.device, &sp.out_shape)?;
        let m_out: usize = sp.out_shape.iter().product();
        let Storage::Cpu(os) = &out.storage else {
            unreachable!("a CPU device allocates CPU storage")
        };
        // The input, the mean and the output are three distinct buffers (the
        // last two fresh), locked input first: no other kernel holds a fresh one.
        let g = cpu::read(s);
        let mg = match mean {
            Some(Array {
                storage: Storage::Cpu(ms),
                ..
            }) => Some(cpu::read(ms)),
            _ => None,
        };
        let mv: Option<&[T]> = mg
            .as_ref()
            .map(|m| &bytemuck::cast_slice::<u64, T>(m)[..m_out]);
        let mut og = cpu::lock(os);
        let o: &mut [T] = bytemuck::cast_slice_mut(&mut og);
        let input = bytemuck::cast_slice::<u64, T>(&g);
        // The locks stay on this thread; the work runs in ndgpu's pool.
        cpu::exec_sized(self.layout.size(), || {
            cpu_reduce::reduce(op, input, &self.layout, &sp.is_red, mv, &mut o[..m_out])
        });
        drop(og);
        Ok(out)
    }

    /// `mean` (`var: false`) or `var` with divisor `div` on the CPU
    /// backend, in one call that reads the input in place.
    fn cpu_stat(&self, var: bool, sp: &Split, div: T) -> Result<Array<T>> {
        let Storage::Cpu(s) = &self.storage else {
            unreachable!("called for CPU arrays")
        };
        let out = Array::<T>::uninit(&self.device, &sp.out_shape)?;
        let m_out: usize = sp.out_shape.iter().product();
        let Storage::Cpu(os) = &out.storage else {
            unreachable!("a CPU device allocates CPU storage")
        };
        // Two distinct buffers (the output fresh), input locked first.
        let g = cpu::read(s);
        let mut og = cpu::lock(os);
        let o: &mut [T] = bytemuck::cast_slice_mut(&mut og);
        let input = bytemuck::cast_slice::<u64, T>(&g);
        cpu::exec_sized(self.layout.size(), || {
            cpu_reduce::stat(var, input, &self.layout, &sp.is_red, div, &mut o[..m_out])
        });
        drop(og);
        Ok(out)
    }

    /// `op` through the GPU short-axes kernel ([`gpu_chunk`]) when the
    /// view, in canonical order, is one contiguous run of `(R, K)` slabs
    /// (`R * K` at most [`gpu_chunk::CHUNK_MAX`]) whose outputs come in C
    /// order; `None` leaves it to the other walks. `div` divides: var's
    /// `n - ddof`, mean's `n`.
    fn gpu_chunk(&self, op: ChunkOp, sp: &Split, div: f64) -> Result<Option<Reduced<T>>> {
        let Storage::Gpu(src) = &self.storage else {
            return Ok(None);
        };
        let float_only = matches!(op, ChunkOp::Mean | ChunkOp::Var);
        if !matches!(T::DTYPE, DType::F32 | DType::I32 | DType::U32)
            || (float_only && T::DTYPE != DType::F32)
            || src.requested() > self.gpu().max_binding
            || sp.red.size() == 0
            || sp.kept.size() == 0
        {
            return Ok(None);
        }
        if let ChunkOp::Red(red) = op {
            // One reduced axis, walked forwards: its index order is the
            // order the first-index rule needs (canon flips backward axes).
            let red_axes: Vec<usize> = (0..self.ndim()).filter(|&d| sp.is_red[d]).collect();
            if red.is_arg() && !matches!(red_axes.as_slice(), [d] if self.layout.strides[*d] > 0) {
                return Ok(None);
            }
        }
        let (i0, o0, axes) = cpu_reduce::canon(&self.layout, &sp.is_red);
        let (a, r, c) = match *axes.as_slice() {
            [r] if r.o == 0 => (None, r, None),
            [a, r] if a.o != 0 && r.o == 0 => (Some(a), r, None),
            [r, c] if r.o == 0 && c.o != 0 => (None, r, Some(c)),
            [a, r, c] if a.o != 0 && r.o == 0 && c.o != 0 => (Some(a), r, Some(c)),
            _ => return Ok(None),
        };
        let k = c.map_or(1, |c| c.n);
        let rk = r.n * k;
        if matches!(op, ChunkOp::Mean | ChunkOp::Var) && k > gpu_chunk::CHUNK_MAX {
            // Long rows kept, an outer axis reduced: four columns an
            // invocation, when every row starts on a multiple of 4.
            let c = c.expect("k > 1");
            let a_n = a.map_or(1, |a| a.n);
            let a_s = a.map_or(0, |a| a.s);
            let fits = o0 == 0
                && c.s == 1
                && c.o == 1
                && a.is_none_or(|a| a.o == k as isize)
                && k.is_multiple_of(4)
                && (i0 as usize).is_multiple_of(4)
                && (r.s as usize).is_multiple_of(4)
                && (a_s as usize).is_multiple_of(4)
                && r.n <= SERIAL_MAX_ITERS;
            if !fits {
                return Ok(None);
            }
            crate::device::gpu::layout_words(&self.layout)?;
            let var = op == ChunkOp::Var;
            let gpu = self.gpu();
            let pipe = gpu.pipeline(
                &format!("reduce_cols4|{var}"),
                || gpu_chunk::cols4_source(var),
                2,
            )?;
            let md = [
                a_n as u32,
                (k / 4) as u32,
                r.n as u32,
                (i0 / 4) as u32,
                (a_s / 4) as u32,
                (r.s / 4) as u32,
                if var {
                    (div as f32).to_bits()
                } else {
                    1f32.to_bits()
                },
            ];
            let o = Array::<T>::uninit(&self.device, &sp.out_shape)?;
            let Storage::Gpu(ob) = &o.storage else {
                unreachable!("GPU arrays")
            };
            gpu.dispatch(
                pipe,
                vec![ob.clone(), src.clone()],
                &md,
                (a_n * k / 4) as u64,
                WG as u32,
            )?;
            return Ok(Some((Some(o), None)));
        }
        let dense = o0 == 0
            && c.is_none_or(|c| c.s == 1 && c.o == 1)
            && r.s == k as isize
            && a.is_none_or(|a| a.s == rk as isize && a.o == k as isize);
        if !dense {
            return Ok(None);
        }
        crate::device::gpu::layout_words(&self.layout)?;
        let a_n = a.map_or(1, |a| a.n);
        if rk > gpu_chunk::CHUNK_MAX {
            let aligned = (i0 as usize).is_multiple_of(4) && rk.is_multiple_of(4);
            return Ok(match op {
                ChunkOp::Red(red) if red.is_arg() => {
                    if aligned && [1, 2, 4, 8, 16].contains(&k) {
                        let idx = self.gpu_seg_arg(red, sp, (a_n, i0 as usize, rk, k))?;
                        Some((None, Some(idx)))
                    } else {
                        None
                    }
                }
                _ if aligned && [1, 2, 4, 8, 16].contains(&k) => Some((
                    Some(self.gpu_segments(op, sp, (a_n, i0 as usize, rk, k), div)?),
                    None,
                )),
                _ => None,
            });
        }
        let p = gpu_chunk::per_invocation(rk);
        let vec4 = (i0 as usize).is_multiple_of(4) && (p * rk).is_multiple_of(4);
        let gpu = self.gpu();
        let pipe = gpu.pipeline(
            &format!("reduce_chunk|{op:?}|{:?}|{}|{k}|{p}|{vec4}", T::DTYPE, r.n),
            || gpu_chunk::source(op, T::DTYPE, r.n, k, p, vec4),
            2,
        )?;
        let md = [a_n as u32, i0 as u32, (div as f32).to_bits()];
        let is_arg = matches!(op, ChunkOp::Red(red) if red.is_arg());
        let (vals, idx, out) = if is_arg {
            let o = Array::<u32>::uninit(&self.device, &sp.out_shape)?;
            let st = o.storage.clone();
            (None, Some(o), st)
        } else {
            let o = Array::<T>::uninit(&self.device, &sp.out_shape)?;
            let st = o.storage.clone();
            (Some(o), None, st)
        };
        let Storage::Gpu(out) = out else {
            unreachable!("GPU arrays")
        };
        gpu.dispatch(
            pipe,
            vec![out, src.clone()],
            &md,
            a_n.div_ceil(p) as u64,
            WG as u32,
        )?;
        Ok(Some((vals, idx)))
    }

    /// [`gpu_chunk`](Array::gpu_chunk) for long slabs: `A` slabs of `rk`
    /// contiguous elements (`K` columns) from element `i0`, each cut into
    /// segments that one invocation folds with `vec4` loads
    /// ([`gpu_chunk::seg_source`]); the `(A, segments, K)` partials then
    /// reduce over the segments as an array of their own. `var` takes each
    /// segment's mean and squared deviations in one pass
    /// ([`gpu_chunk::seg_var_source`]) and merges the segments exactly in a
    /// second ([`gpu_chunk::seg_var_final_source`]).
    fn gpu_segments(
        &self,
        op: ChunkOp,
        sp: &Split,
        (a_n, i0, rk, k): (usize, usize, usize, usize),
        div: f64,
    ) -> Result<Array<T>> {
        let Storage::Gpu(src) = &self.storage else {
            unreachable!("called for GPU arrays")
        };
        let gpu = self.gpu();
        let segs = rk.div_ceil(gpu_chunk::SEG);
        let pass = |red: Red, means: Option<&Array<T>>| -> Result<Array<T>> {
            let parts = Array::<T>::uninit(&self.device, &[a_n, segs, k])?;
            let Storage::Gpu(pb) = &parts.storage else {
                unreachable!("GPU arrays")
            };
            let mut bufs = vec![pb.clone(), src.clone()];
            if let Some(Array {
                storage: Storage::Gpu(m),
                ..
            }) = means
            {
                bufs.push(m.clone());
            }
            let pipe = gpu.pipeline(
                &format!("reduce_seg|{red:?}|{:?}|{k}", T::DTYPE),
                || gpu_chunk::seg_source(red, T::DTYPE, k),
                bufs.len(),
            )?;
            let md = [a_n as u32, i0 as u32, rk as u32, segs as u32];
            gpu.dispatch(pipe, bufs, &md, (a_n * segs) as u64, WG as u32)?;
            Ok(parts)
        };
        // The partials' sums over the segments divided by `by`: one
        // dispatch where the chunk kernel takes them (its mean divides by
        // the divisor it is given).
        let sum_by = |parts: Array<T>, by: f64| -> Result<Array<T>> {
            let psp = split(&parts.layout, &Axes::from(1), false)?;
            if let Some((Some(v), _)) = parts.gpu_chunk(ChunkOp::Mean, &psp, by)? {
                return Ok(v);
            }
            let s = parts.sum(1, false)?;
            s.div_scalar_inplace(T::from_f64(by))?;
            Ok(s)
        };
        let n = (rk / k) as f64;
        let res = match op {
            ChunkOp::Red(red) => pass(red, None)?.reduce(red, Axes::from(1), false)?,
            ChunkOp::Mean => sum_by(pass(Red::Sum, None)?, div)?,
            ChunkOp::Var if segs <= SERIAL_MAX_ITERS => {
                // One pass for each segment's mean and M2, one to merge them.
                let m = a_n * k;
                let parts = Array::<T>::uninit(&self.device, &[2 * m * segs])?;
                let Storage::Gpu(pb) = &parts.storage else {
                    unreachable!("GPU arrays")
                };
                let pipe = gpu.pipeline(
                    &format!("reduce_seg_var|{k}"),
                    || gpu_chunk::seg_var_source(k),
                    2,
                )?;
                let md = [a_n as u32, i0 as u32, rk as u32, segs as u32];
                gpu.dispatch(
                    pipe,
                    vec![pb.clone(), src.clone()],
                    &md,
                    (a_n * segs) as u64,
                    WG as u32,
                )?;
                let out = Array::<T>::uninit(&self.device, &[m])?;
                let Storage::Gpu(ob) = &out.storage else {
                    unreachable!("GPU arrays")
                };
                let pipe =
                    gpu.pipeline("reduce_seg_var_final", gpu_chunk::seg_var_final_source, 2)?;
                let md = [
                    m as u32,
                    segs as u32,
                    k as u32,
                    (gpu_chunk::SEG / k) as u32,
                    (rk / k) as u32,
                    (div as f32).to_bits(),
                ];
                gpu.dispatch(pipe, vec![ob.clone(), pb.clone()], &md, m as u64, WG as u32)?;
                out
            }
            ChunkOp::Var => {
                let means = sum_by(pass(Red::Sum, None)?, n)?;
                sum_by(pass(Red::SqDev, Some(&means))?, div)?
            }
        };
        res.reshape(&sp.out_shape)
    }

    /// `argmax`/`argmin` over long slabs (as [`gpu_segments`](Array::gpu_segments)):
    /// each invocation takes one segment's best value and first row per
    /// column ([`gpu_chunk::seg_arg_source`]); a second pass over the `T`
    /// partials of each output keeps the best with the index tie-break of
    /// the tree kernels (serial per output when there are many outputs or
    /// few partials, else a workgroup tree per output).
    fn gpu_seg_arg(
        &self,
        red: Red,
        sp: &Split,
        (a_n, i0, rk, k): (usize, usize, usize, usize),
    ) -> Result<Array<u32>> {
        let Storage::Gpu(src) = &self.storage else {
            unreachable!("called for GPU arrays")
        };
        let gpu = self.gpu();
        let segs = rk.div_ceil(gpu_chunk::SEG);
        let m = a_n * k;
        // Values (bits) then rows, each (A, K, T).
        let parts = Array::<u32>::uninit(&self.device, &[2 * m * segs])?;
        let Storage::Gpu(pb) = &parts.storage else {
            unreachable!("GPU arrays")
        };
        let pipe = gpu.pipeline(
            &format!("reduce_seg_arg|{red:?}|{:?}|{k}", T::DTYPE),
            || gpu_chunk::seg_arg_source(red, T::DTYPE, k),
            2,
        )?;
        let md = [a_n as u32, i0 as u32, rk as u32, segs as u32];
        gpu.dispatch(
            pipe,
            vec![pb.clone(), src.clone()],
            &md,
            (a_n * segs) as u64,
            WG as u32,
        )?;
        let out = Array::<u32>::uninit(&self.device, &sp.out_shape)?;
        let Storage::Gpu(ob) = &out.storage else {
            unreachable!("GPU arrays")
        };
        // The second pass: outputs (A * K) of T partials each, the rows
        // read from the second half (the tree kernel's metadata table).
        let serial = segs <= SERIAL_MAX_ITERS && (m >= 64 || segs <= SERIAL_MAX_RUN);
        let walk = if serial {
            Walk::ArgPartials
        } else {
            Walk::Tree { linear: false }
        };
        let pipe = gpu.pipeline(
            &format!("reduce|{red:?}|{:?}|{walk:?}", T::DTYPE),
            || reduce_source(red, T::DTYPE, walk),
            2,
        )?;
        let md = [
            m as u32,
            segs as u32,
            1,
            1, // indices from the partials
            1, // write only the index
            1,
            1,
            0,
            (m * segs) as u32,
            m as u32,
            segs as u32,
            segs as u32,
            1,
        ];
        let threads = if serial { m } else { m * WG };
        gpu.dispatch(
            pipe,
            vec![ob.clone(), pb.clone()],
            &md,
            threads as u64,
            WG as u32,
        )?;
        Ok(out)
    }

    /// `var` (divisor `div`) in one dispatch of the serial walk
    /// ([`Walk::VarColumns`]), where a reduction of this shape takes that
    /// walk (outer axes, or many short rows): each invocation sums its
    /// output's elements, then sums their squared deviations from the mean
    /// while they are in cache. `None` leaves it to the passes of `var`.
    fn gpu_var_columns(&self, sp: &Split, div: f64) -> Result<Option<Array<T>>> {
        let Storage::Gpu(src) = &self.storage else {
            return Ok(None);
        };
        let (m, r) = (sp.kept.size(), sp.red.size());
        let contiguous_run = sp.red.ndim() == 1 && sp.red.strides[0] == 1;
        let serial = match walk_override() {
            Some(serial) => serial,
            None => m >= 64 && (!contiguous_run || r <= SERIAL_MAX_RUN || m >= SERIAL_MIN_OUTPUTS),
        };
        if T::DTYPE != DType::F32
            || !serial
            || r == 0
            || r > SERIAL_MAX_ITERS
            || m == 0
            || m > u32::MAX as usize
            || src.requested() > self.gpu().max_binding
        {
            return Ok(None);
        }
        crate::device::gpu::layout_words(&self.layout)?;
        let gpu = self.gpu();
        let walk = Walk::VarColumns;
        let pipe = gpu.pipeline(
            &format!("reduce|{:?}|{:?}|{walk:?}", Red::Sum, T::DTYPE),
            || reduce_source(Red::Sum, T::DTYPE, walk),
            2,
        )?;
        // The metadata table of shaders/reduce.wgsl, then the divisor.
        let (kept, redl) = (&sp.kept, &sp.red);
        let mut md = vec![
            m as u32,
            r as u32,
            1,
            0,
            0,
            kept.ndim() as u32,
            redl.ndim() as u32,
            kept.offset as u32,
            0,
        ];
        md.extend(kept.shape.iter().map(|&d| d as u32));
        md.extend(kept.strides.iter().map(|&d| d as i32 as u32));
        md.extend(redl.shape.iter().map(|&d| d as u32));
        md.extend(redl.strides.iter().map(|&d| d as i32 as u32));
        md.push((div as f32).to_bits());
        let out = Array::<T>::uninit(&self.device, &sp.out_shape)?;
        let Storage::Gpu(ob) = &out.storage else {
            unreachable!("GPU arrays")
        };
        gpu.dispatch(
            pipe,
            vec![ob.clone(), src.clone()],
            &md,
            m as u64,
            WG as u32,
        )?;
        Ok(Some(out))
    }

    /// Runs `red` and returns the values (or, for arg reductions, the indices as `u32`s).
    /// GPU reductions of the dtypes the reduction kernels (which read
    /// 32-bit words) don't: `f16` and `u8` widen to `f32` and `u32` in one
    /// cast kernel, reduce there and narrow the result (so `u8` sums and
    /// products wrap as on the CPU, and an `f16` sum rounds once, at the
    /// end); `i64` reduces on the host, one readback and one upload.
    fn reduce_packed(
        &self,
        red: Red,
        axes: &Axes,
        keepdims: bool,
        mean: Option<&Array<T>>,
    ) -> Result<Reduced<T>> {
        fn widened<T: Number, W: Number>(
            a: &Array<T>,
            red: Red,
            axes: &Axes,
            keepdims: bool,
            mean: Option<&Array<T>>,
        ) -> Result<Reduced<T>> {
            let w = a.astype::<W>()?;
            let m = mean.map(|m| m.astype::<W>()).transpose()?;
            let (v, i) = w.reduce_raw(red, axes, keepdims, m.as_ref())?;
            Ok((v.map(|v| v.astype::<T>()).transpose()?, i))
        }
        match T::DTYPE {
            DType::F16 => widened::<T, f32>(self, red, axes, keepdims, mean),
            DType::U8 => widened::<T, u32>(self, red, axes, keepdims, mean),
            _ => {
                let host = crate::Device::cpu();
                let h = self.to_device(&host)?;
                let m = mean.map(|m| m.to_device(&host)).transpose()?;
                let (v, i) = h.reduce_raw(red, axes, keepdims, m.as_ref())?;
                Ok((
                    v.map(|v| v.to_device(&self.device)).transpose()?,
                    i.map(|i| i.to_device(&self.device)).transpose()?,
                ))
            }
        }
    }

    fn reduce_raw(
        &self,
        red: Red,
        axes: &Axes,
        keepdims: bool,
        mean: Option<&Array<T>>,
    ) -> Result<Reduced<T>> {
        let sp = split(&self.layout, axes, keepdims)?;
        let (m, r) = (sp.kept.size(), sp.red.size());
        if r == 0 {
            return match red {
                Red::Sum => Ok((Some(Array::zeros(&self.device, &sp.out_shape)?), None)),
                Red::Prod => Ok((Some(Array::ones(&self.device, &sp.out_shape)?), None)),
                Red::ArgMax | Red::ArgMin => Err(Error::Value(format!(
                    "attempt to get {} of an empty sequence",
                    red.numpy()
                ))),
                _ => Err(Error::Value(format!(
                    "zero-size array to reduction operation {} which has no identity",
                    red.numpy()
                ))),
            };
        }
        if !self.device.is_cpu() && T::DTYPE.wgsl().is_none() {
            return self.reduce_packed(red, axes, keepdims, mean);
        }
        match &self.storage {
            Storage::Cpu(s) => {
                let m_out: usize = sp.out_shape.iter().product();
                if red.is_arg() {
                    let out = Array::<u32>::uninit(&self.device, &sp.out_shape)?;
                    let axis = match axes {
                        Axes::All => None,
                        Axes::Some(v) => v.first().copied(),
                    };
                    let g = cpu::read(s);
                    let Storage::Cpu(os) = &out.storage else {
                        unreachable!("a CPU device allocates CPU storage")
                    };
                    let mut og = cpu::lock(os);
                    let o: &mut [u32] = bytemuck::cast_slice_mut(&mut og);
                    let input = bytemuck::cast_slice::<u64, T>(&g);
                    let max = red == Red::ArgMax;
                    cpu::exec_sized(self.layout.size(), || {
                        cpu_reduce::arg(max, input, &self.layout, axis, &mut o[..m_out])
                    });
                    drop(og);
                    return Ok((None, Some(out)));
                }
                let op = match red {
                    Red::Sum => cpu_reduce::Op::Sum,
                    Red::Prod => cpu_reduce::Op::Prod,
                    Red::Max => cpu_reduce::Op::Max,
                    Red::SqDev => cpu_reduce::Op::SqDev,
                    _ => cpu_reduce::Op::Min,
                };
                let out = self.cpu_reduce(op, &sp, mean)?;
                Ok((Some(out), None))
            }
            Storage::Gpu(src) => {
                let limit = self.gpu().max_binding;
                let mean_big = matches!(mean, Some(Array { storage: Storage::Gpu(ms), .. }) if ms.requested() > limit);
                if src.requested() > limit || mean_big {
                    return self.reduce_big(red, &sp, mean);
                }
                if m.max(r) > u32::MAX as usize {
                    return Err(crate::device::gpu::too_many(m.max(r)));
                }
                if mean.is_none() && red != Red::SqDev {
                    if let Some(done) = self.gpu_chunk(ChunkOp::Red(red), &sp, 1.0)? {
                        return Ok(done);
                    }
                }
                // Every address the kernels form (kept + reduced offsets)
                // lies within this layout's extent: check it once.
                crate::device::gpu::layout_words(&self.layout)?;
                let gpu = self.gpu();
                let pipe_for = |red: Red, walk: Walk| {
                    gpu.pipeline(
                        &format!("reduce|{red:?}|{:?}|{walk:?}", T::DTYPE),
                        || reduce_source(red, T::DTYPE, walk),
                        if red == Red::SqDev { 3 } else { 2 },
                    )
                };
                let pipe = |walk: Walk| pipe_for(red, walk);
                // The first pass reads the input (and the means); a second
                // pass over partials combines them as their own reduction.
                let bufs = |out: GpuStorage| {
                    let mut v = vec![out, src.clone()];
                    if let Some(Array {
                        storage: Storage::Gpu(ms),
                        ..
                    }) = mean
                    {
                        v.push(ms.clone());
                    }
                    v
                };
                let red2 = if red == Red::SqDev { Red::Sum } else { red };
                let groups = r.div_ceil(WG * PER_THREAD).clamp(1, 1 << 16);
                // One output over one run from element 0, in whole chunks.
                let linear = m == 1
                    && sp.kept.offset == 0
                    && sp.red.ndim() == 1
                    && sp.red.strides[0] == 1
                    && groups * WG * PER_THREAD >= r;
                let meta = |mm: usize,
                            rr: usize,
                            g: usize,
                            from_idx: bool,
                            final_arg: bool,
                            kept: &Layout,
                            redl: &Layout,
                            idx_base: usize| {
                    let mut md = vec![
                        mm as u32,
                        rr as u32,
                        g as u32,
                        from_idx as u32,
                        final_arg as u32,
                        kept.ndim() as u32,
                        redl.ndim() as u32,
                        kept.offset as u32,
                        idx_base as u32,
                    ];
                    md.extend(kept.shape.iter().map(|&d| d as u32));
                    md.extend(kept.strides.iter().map(|&d| d as i32 as u32));
                    md.extend(redl.shape.iter().map(|&d| d as u32));
                    md.extend(redl.strides.iter().map(|&d| d as i32 as u32));
                    md
                };
                let out_vals = if red.is_arg() {
                    None
                } else {
                    Some(Array::<T>::uninit(&self.device, &sp.out_shape)?)
                };
                let out_idx = if red.is_arg() {
                    Some(Array::<u32>::uninit(&self.device, &sp.out_shape)?)
                } else {
                    None
                };
                let fin = match (&out_vals, &out_idx) {
                    (Some(v), _) => v.storage.clone(),
                    (_, Some(i)) => i.storage.clone(),
                    _ => unreachable!("one output exists"),
                };
                let Storage::Gpu(fin) = fin else {
                    unreachable!("GPU arrays")
                };
                let contiguous_run = sp.red.ndim() == 1 && sp.red.strides[0] == 1;
                // llvmpipe (lavapipe) stops any shader loop after 65535
                // iterations, silently: longer runs take the tree, whose
                // loops are at most PER_THREAD long.
                let serial = r <= SERIAL_MAX_ITERS
                    && match walk_override() {
                        Some(serial) => serial,
                        None => {
                            m >= 64
                                && (!contiguous_run
                                    || r <= SERIAL_MAX_RUN
                                    || m >= SERIAL_MIN_OUTPUTS)
                        }
                    };
                if serial {
                    // Strided runs (outer axes: neighbours read neighbours),
                    // short rows, or so many outputs that a workgroup each
                    // would be the cost: one invocation per output, walking
                    // its elements in order. Long contiguous rows take trees.
                    let md = meta(m, r, 1, false, red.is_arg(), &sp.kept, &sp.red, 0);
                    gpu.dispatch(pipe(Walk::Columns)?, bufs(fin), &md, m as u64, WG as u32)?;
                } else if groups == 1 {
                    let md = meta(m, r, 1, false, red.is_arg(), &sp.kept, &sp.red, 0);
                    gpu.dispatch(
                        pipe(Walk::Tree { linear })?,
                        bufs(fin),
                        &md,
                        (m * WG) as u64,
                        WG as u32,
                    )?;
                } else {
                    // Pass 1: G partials per output (values, then indices).
                    let parts = Array::<u32>::uninit(&self.device, &[2 * m * groups])?;
                    let Storage::Gpu(pb) = &parts.storage else {
                        unreachable!("GPU arrays")
                    };
                    let md = meta(m, r, groups, false, false, &sp.kept, &sp.red, 0);
                    gpu.dispatch(
                        pipe(Walk::Tree { linear })?,
                        bufs(pb.clone()),
                        &md,
                        (m * groups * WG) as u64,
                        WG as u32,
                    )?;
                    // Pass 2: the partials, laid out (M, G), reduce along G.
                    let kept = Layout {
                        shape: vec![m],
                        strides: vec![groups as isize],
                        offset: 0,
                    };
                    let redl = Layout::contiguous(&[groups]);
                    let md = meta(m, groups, 1, true, red.is_arg(), &kept, &redl, m * groups);
                    gpu.dispatch(
                        pipe_for(
                            red2,
                            Walk::Tree {
                                linear: m == 1 && groups <= WG * PER_THREAD,
                            },
                        )?,
                        vec![fin, pb.clone()],
                        &md,
                        (m * WG) as u64,
                        WG as u32,
                    )?;
                }
                Ok((out_vals, out_idx))
            }
        }
    }

    /// A GPU reduction whose input (or mean) is larger than one storage
    /// binding. The input is seen with its kept axes first and reduced
    /// axes last as a contiguous `(m, r)` array (a view when its layout
    /// allows, else one windowed copy), then reduced in pieces that
    /// fit a binding: whole rows when a row fits (each piece copied out and
    /// reduced by the usual kernels), else each row in chunks whose partial
    /// results are combined on the host with NumPy's rules (a NaN wins,
    /// first index on ties).
    fn reduce_big(&self, red: Red, sp: &Split, mean: Option<&Array<T>>) -> Result<Reduced<T>> {
        let (m, r) = (sp.kept.size(), sp.red.size());
        let kept: Vec<usize> = (0..self.ndim()).filter(|&d| !sp.is_red[d]).collect();
        let redax: Vec<usize> = (0..self.ndim()).filter(|&d| sp.is_red[d]).collect();
        let perm: Vec<usize> = kept.iter().chain(&redax).copied().collect();
        // A view when the input already lies kept-axes-first in C order
        // (a full reduction of a contiguous array), else one copy.
        let t = self.permute(&perm)?.reshape(&[m, r])?;
        // One mean per output, in C order (a view of the fresh mean).
        let mflat = match mean {
            Some(mu) => Some(mu.reshape(&[m])?),
            None => None,
        };
        let budget = ((self.gpu().max_binding / 2) as usize / T::DTYPE.size()).max(1);
        let is_arg = red.is_arg();
        let vals = if is_arg {
            None
        } else {
            Some(Array::<T>::uninit(&self.device, &[m])?)
        };
        let idx = if is_arg {
            Some(Array::<u32>::uninit(&self.device, &[m])?)
        } else {
            None
        };
        if r <= budget {
            let rows = (budget / r).max(1);
            for i0 in (0..m).step_by(rows) {
                let i1 = (i0 + rows).min(m);
                let piece = t.slice(crate::s![i0..i1, ..])?.copy()?;
                let mp = match &mflat {
                    Some(mf) => Some(
                        mf.slice(crate::s![i0..i1])?
                            .copy()?
                            .reshape(&[i1 - i0, 1])?,
                    ),
                    None => None,
                };
                let (v, ix) = piece.reduce_raw(red, &Axes::Some(vec![1]), false, mp.as_ref())?;
                if let (Some(out), Some(v)) = (&vals, v) {
                    out.slice(crate::s![i0..i1])?.assign(&v)?;
                }
                if let (Some(out), Some(ix)) = (&idx, ix) {
                    out.slice(crate::s![i0..i1])?.assign(&ix)?;
                }
            }
        } else {
            // Each row in chunks; partial results combined on the host.
            let mut hv = vec![T::zero(); if is_arg { 0 } else { m }];
            let mut hi = vec![0u32; if is_arg { m } else { 0 }];
            for i in 0..m {
                let mut best: Option<(T, usize)> = None;
                for j0 in (0..r).step_by(budget) {
                    let j1 = (j0 + budget).min(r);
                    let chunk = t.slice(crate::s![i, j0..j1])?.copy()?;
                    let mp = match &mflat {
                        Some(mf) => Some(mf.slice(crate::s![i..i + 1])?.copy()?),
                        None => None,
                    };
                    let value_red = match red {
                        Red::ArgMax => Red::Max,
                        Red::ArgMin => Red::Min,
                        other => other,
                    };
                    let (v, _) = chunk.reduce_raw(value_red, &Axes::All, false, mp.as_ref())?;
                    let v = v.expect("value reductions return values").item()?;
                    let at = if is_arg {
                        let (_, ix) = chunk.reduce_raw(red, &Axes::All, false, None)?;
                        j0 + ix.expect("arg reductions return indices").item()? as usize
                    } else {
                        0
                    };
                    let nan = v.to_f64().is_nan();
                    best = Some(match best {
                        None => (v, at),
                        Some((b, bi)) => match red {
                            Red::Sum | Red::SqDev => (b.add_(v), 0),
                            Red::Prod => (b.mul_(v), 0),
                            Red::Max => (b.max_(v), 0),
                            Red::Min => (b.min_(v), 0),
                            // The first NaN, else the first strictly better chunk.
                            Red::ArgMax | Red::ArgMin => {
                                let bnan = b.to_f64().is_nan();
                                let better = if red == Red::ArgMax { v > b } else { v < b };
                                if !bnan && (nan || better) {
                                    (v, at)
                                } else {
                                    (b, bi)
                                }
                            }
                        },
                    });
                }
                let (v, at) = best.expect("r > 0 here");
                if is_arg {
                    hi[i] = at as u32;
                } else {
                    hv[i] = v;
                }
            }
            if let Some(out) = &vals {
                out.assign(&Array::from_vec(&self.device, hv, &[m])?)?;
            }
            if let Some(out) = &idx {
                out.assign(&Array::from_vec(&self.device, hi, &[m])?)?;
            }
        }
        Ok((
            match vals {
                Some(v) => Some(v.reshape(&sp.out_shape)?),
                None => None,
            },
            match idx {
                Some(v) => Some(v.reshape(&sp.out_shape)?),
                None => None,
            },
        ))
    }

    fn reduce(&self, red: Red, axes: Axes, keepdims: bool) -> Result<Array<T>> {
        Ok(self
            .reduce_raw(red, &axes, keepdims, None)?
            .0
            .expect("value reductions return values"))
    }

    /// Sum over `axes` (NumPy's `a.sum(axis, keepdims=)`); integers wrap and
    /// keep their dtype. An empty sum is 0.
    ///
    /// ```
    /// use ndgpu::{Array, Axes, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4, 5, 6], &[2, 3])?;
    /// assert_eq!(a.sum(1, false)?.to_vec()?, vec![6, 15]);
    /// assert_eq!(a.sum(Axes::All, false)?.item()?, 21);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range or repeated.
    #[track_caller]
    pub fn sum(&self, axes: impl Into<Axes>, keepdims: bool) -> Result<Array<T>> {
        self.reduce(Red::Sum, axes.into(), keepdims)
    }

    /// Product over `axes`; an empty product is 1.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[2, 2])?;
    /// assert_eq!(a.prod(1, false)?.to_vec()?, vec![2, 12]); // a.prod(axis=1)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range or repeated.
    pub fn prod(&self, axes: impl Into<Axes>, keepdims: bool) -> Result<Array<T>> {
        self.reduce(Red::Prod, axes.into(), keepdims)
    }

    /// Maximum over `axes`; NaN propagates.
    ///
    /// ```
    /// use ndgpu::{Array, Axes, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, f32::NAN, 3.0], &[3])?;
    /// assert!(a.max(Axes::All, false)?.item()?.is_nan()); // np.max: NaN wins
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An empty reduction (NumPy: `zero-size array to reduction operation
    /// maximum which has no identity`); an axis out of range.
    pub fn max(&self, axes: impl Into<Axes>, keepdims: bool) -> Result<Array<T>> {
        self.reduce(Red::Max, axes.into(), keepdims)
    }

    /// Minimum over `axes`; NaN propagates.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[4, 2, 3, 1], &[2, 2])?;
    /// assert_eq!(a.min(0, true)?.to_vec()?, vec![3, 1]); // a.min(axis=0, keepdims=True)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An empty reduction; an axis out of range.
    pub fn min(&self, axes: impl Into<Axes>, keepdims: bool) -> Result<Array<T>> {
        self.reduce(Red::Min, axes.into(), keepdims)
    }

    /// Index of the maximum along `axis`, or in the flattened array for
    /// `None` (NumPy's `a.argmax(axis, keepdims=)`): the first occurrence on
    /// ties; a NaN wins. With `keepdims` the reduced axis stays with length 1
    /// (every axis, for `None`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 5, 5, 7, 0, 2], &[2, 3])?;
    /// // np.argmax(a, axis=1) == [1, 0]; np.argmax(a) == 3
    /// assert_eq!(a.argmax(1, false)?.to_vec()?, vec![1, 0]);
    /// assert_eq!(a.argmax(None, false)?.item()?, 3);
    /// assert_eq!(a.argmax(0, true)?.shape(), &[1, 3]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An empty sequence (NumPy: `attempt to get argmax of an empty
    /// sequence`); an axis out of range.
    pub fn argmax(&self, axis: impl Into<Option<usize>>, keepdims: bool) -> Result<Array<u32>> {
        self.arg(Red::ArgMax, axis.into(), keepdims)
    }

    /// Index of the minimum (NumPy's `a.argmin(axis, keepdims=)`); see
    /// [`argmax`](Array::argmax).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[3.0f32, 1.0, 1.0, f32::NAN], &[4])?;
    /// // np.argmin([3, 1, 1, nan]) == 3: a NaN wins
    /// assert_eq!(a.argmin(None, false)?.item()?, 3);
    /// assert_eq!(a.slice(ndgpu::s![..3])?.argmin(0, false)?.item()?, 1);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An empty sequence; an axis out of range.
    pub fn argmin(&self, axis: impl Into<Option<usize>>, keepdims: bool) -> Result<Array<u32>> {
        self.arg(Red::ArgMin, axis.into(), keepdims)
    }

    fn arg(&self, red: Red, axis: Option<usize>, keepdims: bool) -> Result<Array<u32>> {
        let axes = match axis {
            Some(a) => Axes::Some(vec![a]),
            None => Axes::All,
        };
        let (_, idx) = self.reduce_raw(red, &axes, keepdims, None)?;
        Ok(idx.expect("arg reductions return indices"))
    }
}

impl<T: Element> Array<T> {
    /// The array as `u32` words where `word != 0` is the element's truth:
    /// itself for `bool` and `u32`, else a `!= 0` mask.
    fn truth_words(&self) -> Result<Array<u32>> {
        match T::DTYPE {
            DType::Bool | DType::U32 => Ok(self.reinterpret()),
            _ => Ok(self.ne_scalar(T::from_f64(0.0))?.reinterpret()),
        }
    }

    /// Is any element true (nonzero) along `axes`? NumPy's `a.any(axis,
    /// keepdims=)`, for every dtype; `false` for an empty reduction.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let m = Array::from_slice(&dev, &[false, false, true, false], &[2, 2])?;
    /// assert_eq!(m.any(1, false)?.to_vec()?, vec![false, true]); // m.any(axis=1)
    /// let x = Array::from_slice(&dev, &[0.0f32, f32::NAN], &[2])?;
    /// assert!(x.any(ndgpu::Axes::All, false)?.item()?); // np.any([0, nan]) is True
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range.
    pub fn any(&self, axes: impl Into<Axes>, keepdims: bool) -> Result<Array<bool>> {
        let axes = axes.into();
        let sp = split(&self.layout, &axes, keepdims)?;
        if sp.red.size() == 0 || self.is_empty() {
            return Array::zeros(&self.device, &sp.out_shape);
        }
        let w = self.truth_words()?.reduce(Red::Max, axes, keepdims)?;
        w.ne_scalar(0)
    }

    /// Are all elements true (nonzero) along `axes`? NumPy's `a.all(axis,
    /// keepdims=)`, for every dtype; `true` for an empty reduction.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let m = Array::from_slice(&dev, &[1, 1, 1, 0], &[2, 2])?;
    /// assert_eq!(m.all(1, false)?.to_vec()?, vec![true, false]); // m.all(axis=1)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range.
    pub fn all(&self, axes: impl Into<Axes>, keepdims: bool) -> Result<Array<bool>> {
        let axes = axes.into();
        let sp = split(&self.layout, &axes, keepdims)?;
        if sp.red.size() == 0 {
            return Array::ones(&self.device, &sp.out_shape);
        }
        let w = self.truth_words()?.reduce(Red::Min, axes, keepdims)?;
        w.ne_scalar(0)
    }

    /// How many elements are true (nonzero) along `axes`, as `u32`
    /// (NumPy's `np.count_nonzero(a, axis)`, which gives int64).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0, 3, 0, -1, 2, 0], &[2, 3])?;
    /// assert_eq!(a.count_nonzero(1)?.to_vec()?, vec![1, 2]); // np.count_nonzero(a, axis=1)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range.
    pub fn count_nonzero(&self, axes: impl Into<Axes>) -> Result<Array<u32>> {
        let w = match T::DTYPE {
            DType::Bool => self.reinterpret::<u32>(),
            _ => self.ne_scalar(T::from_f64(0.0))?.reinterpret(),
        };
        w.sum(axes, false)
    }
}

impl Array<bool> {
    /// The number of `true`s along `axes`, as `u32` (NumPy's `m.sum(axis)`
    /// on a bool array, which gives int64).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let m = Array::from_slice(&dev, &[true, false, true, true], &[2, 2])?;
    /// assert_eq!(m.sum(0, false)?.to_vec()?, vec![2, 1]); // m.sum(axis=0)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range.
    pub fn sum(&self, axes: impl Into<Axes>, keepdims: bool) -> Result<Array<u32>> {
        self.reinterpret::<u32>().sum(axes, keepdims)
    }
}

impl<T: Float> Array<T> {
    /// Mean over `axes` (NumPy's `mean`); NaN for an empty reduction.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, 2.0, 3.0, 6.0], &[2, 2])?;
    /// assert_eq!(a.mean(0, false)?.to_vec()?, vec![2.0, 4.0]); // a.mean(axis=0)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range.
    pub fn mean(&self, axes: impl Into<Axes>, keepdims: bool) -> Result<Array<T>> {
        let axes = axes.into();
        let sp = split(&self.layout, &axes, keepdims)?;
        let n = sp.red.size();
        if n > 0 && matches!(self.storage, Storage::Cpu(_)) {
            return self.cpu_stat(false, &sp, T::one());
        }
        if let Some((Some(v), _)) = self.gpu_chunk(ChunkOp::Mean, &sp, n as f64)? {
            return Ok(v);
        }
        let s = self.sum(axes, keepdims)?;
        s.div_scalar_inplace(T::from_f64(n as f64))?;
        Ok(s)
    }

    /// Variance with `ddof` delta degrees of freedom (NumPy's `var`): the mean
    /// of squared deviations from the mean, two passes for accuracy.
    ///
    /// ```
    /// use ndgpu::{Array, Axes, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, 2.0, 3.0, 4.0], &[4])?;
    /// assert_eq!(a.var(Axes::All, 0, false)?.item()?, 1.25); // np.var(a)
    /// assert!((a.var(Axes::All, 1, false)?.item()? - 5.0 / 3.0).abs() < 1e-6); // ddof=1
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range.
    pub fn var(&self, axes: impl Into<Axes>, ddof: usize, keepdims: bool) -> Result<Array<T>> {
        let axes = axes.into();
        let sp = split(&self.layout, &axes, keepdims)?;
        let n = sp.red.size();
        // NumPy divides by max(n - ddof, 0): inf (or NaN) past the data.
        let div = T::from_f64((n as f64 - ddof as f64).max(0.0));
        if n > 0 && matches!(self.storage, Storage::Cpu(_)) {
            return self.cpu_stat(true, &sp, div);
        }
        if let Some((Some(v), _)) = self.gpu_chunk(ChunkOp::Var, &sp, div.to_f64())? {
            return Ok(v);
        }
        if let Some(v) = self.gpu_var_columns(&sp, div.to_f64())? {
            return Ok(v);
        }
        let mean = self.mean(axes.clone(), true)?;
        let s = if n > 0 {
            // One pass over the input in place: Σ (x - mean)², no temporary.
            self.reduce_raw(Red::SqDev, &axes, keepdims, Some(&mean))?
                .0
                .expect("value reductions return values")
        } else {
            self.sum(axes, keepdims)?
        };
        s.div_scalar_inplace(div)?;
        Ok(s)
    }

    /// Standard deviation (NumPy's `std`): the square root of [`var`](Array::var).
    ///
    /// ```
    /// use ndgpu::{Array, Axes, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, 3.0], &[2])?;
    /// assert_eq!(a.std(Axes::All, 0, false)?.item()?, 1.0); // np.std(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range.
    pub fn std(&self, axes: impl Into<Axes>, ddof: usize, keepdims: bool) -> Result<Array<T>> {
        let v = self.var(axes, ddof, keepdims)?;
        v.sqrt_inplace()?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduce_wgsl_validates() {
        for d in [DType::F32, DType::I32, DType::U32] {
            for r in [
                Red::Sum,
                Red::Prod,
                Red::Max,
                Red::Min,
                Red::ArgMax,
                Red::ArgMin,
                Red::SqDev,
            ] {
                for walk in [
                    Walk::Tree { linear: false },
                    Walk::Tree { linear: true },
                    Walk::Columns,
                    Walk::VarColumns,
                    Walk::ArgPartials,
                ] {
                    crate::device::gpu::validate_wgsl(&reduce_source(r, d, walk))
                        .unwrap_or_else(|e| panic!("{r:?} {d:?} {walk:?}: {e}"));
                }
            }
        }
    }
}
