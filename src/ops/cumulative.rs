//! Cumulative ops: `cumsum`, `cumprod` (scans along an axis) and `diff`.
//!
//! The GPU runs long lanes through the masks' scan kernel family
//! (`ops::mask::scan_gpu`, inclusive, one scan per lane) and many short
//! lanes through one kernel with an invocation per lane. The CPU backend
//! scans lanes in parallel, and one long lane with the two-pass parallel
//! scan (`ops::mask::scan_cpu`). Integer sums keep the element type and
//! wrap (NumPy's `cumsum` of an `int32` array gives `int64`). Float sums
//! on the GPU, and on the CPU past 64K elements, add in a tree order
//! within blocks, so they round a little differently from NumPy's
//! sequential sum.

use rayon::prelude::*;

use crate::array::Array;
use crate::device::Storage;
use crate::element::{DType, Number};
use crate::error::Result;
use crate::ops::elementwise::BinaryOp;
use crate::ops::mask::{scan_cpu, scan_gpu, ScanKind};
use crate::slice::SliceElem;

/// Lanes at most this long on the GPU run one invocation per lane (a loop
/// well below lavapipe's 65535-iteration cap).
const LANE_LOOP_MAX: usize = 4096;

#[derive(Clone, Copy, PartialEq)]
enum Cum {
    Sum,
    Prod,
}

fn kind(c: Cum, d: DType) -> ScanKind {
    let (name, ty, id) = match (c, d) {
        (Cum::Sum, DType::F32) => ("cumsum_f32", "f32", "0.0"),
        (Cum::Sum, DType::I32) => ("cumsum_i32", "i32", "0"),
        (Cum::Sum, _) => ("cumsum_u32", "u32", "0u"),
        (Cum::Prod, DType::F32) => ("cumprod_f32", "f32", "1.0"),
        (Cum::Prod, DType::I32) => ("cumprod_i32", "i32", "1"),
        (Cum::Prod, _) => ("cumprod_u32", "u32", "1u"),
    };
    ScanKind {
        name,
        ty,
        op: if c == Cum::Sum { "a + b" } else { "a * b" },
        id,
        inclusive: true,
    }
}

impl<T: Number> Array<T> {
    /// NumPy's `np.cumsum(a, axis)`: running sums along `axis`; `None`
    /// flattens. Integer sums keep the element type and wrap (NumPy
    /// widens `int32` to `int64`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4, 5, 6], &[2, 3])?;
    /// assert_eq!(a.cumsum(Some(1))?.to_vec()?, vec![1, 3, 6, 4, 9, 15]); // np.cumsum(a, axis=1)
    /// assert_eq!(a.cumsum(None)?.to_vec()?, vec![1, 3, 6, 10, 15, 21]); // np.cumsum(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range; out of memory.
    #[track_caller]
    pub fn cumsum(&self, axis: Option<usize>) -> Result<Array<T>> {
        self.cumulative(axis, Cum::Sum)
    }

    /// NumPy's `np.cumprod(a, axis)`: running products along `axis`;
    /// `None` flattens.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    /// assert_eq!(a.cumprod(Some(0))?.to_vec()?, vec![1.0, 2.0, 3.0, 8.0]); // np.cumprod(a, axis=0)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range; out of memory.
    #[track_caller]
    pub fn cumprod(&self, axis: Option<usize>) -> Result<Array<T>> {
        self.cumulative(axis, Cum::Prod)
    }

    fn cumulative(&self, axis: Option<usize>, c: Cum) -> Result<Array<T>> {
        let (a, axis) = crate::ops::sort::sort_axis(self, axis)?;
        let nd = a.ndim();
        if nd == 0 {
            return a.copy();
        }
        let moved = a.moveaxis(axis, nd - 1)?;
        let len = moved.shape()[nd - 1];
        let out = match &a.storage {
            Storage::Cpu(ss) => {
                use crate::device::cpu;
                let n = moved.len();
                let out = Array::<T>::uninit(&a.device, moved.shape())?;
                // The source in C order: in place when contiguous.
                let owned: Vec<T>;
                let guard;
                let src: &[T] = if moved.layout.is_c_contiguous() {
                    guard = cpu::read(ss);
                    let o = moved.offset();
                    &bytemuck::cast_slice::<u64, T>(&guard)[o..o + n]
                } else {
                    owned = moved.to_vec()?;
                    &owned
                };
                let Storage::Cpu(os) = &out.storage else {
                    unreachable!("a CPU array")
                };
                let mut og = cpu::lock(os);
                let dst = &mut bytemuck::cast_slice_mut::<u64, T>(&mut og)[..n];
                let op = move |x: T, y: T| if c == Cum::Sum { x.add_(y) } else { x.mul_(y) };
                let id = if c == Cum::Sum { T::zero() } else { T::one() };
                if len > 0 {
                    if n == len {
                        scan_cpu(src, dst, id, op, true);
                    } else {
                        cpu::exec(|| {
                            dst.par_chunks_mut(len)
                                .zip(src.par_chunks(len))
                                .for_each(|(o, s)| {
                                    let mut acc = id;
                                    for (y, &x) in o.iter_mut().zip(s) {
                                        acc = op(acc, x);
                                        *y = acc;
                                    }
                                })
                        });
                    }
                }
                drop(og);
                out
            }
            Storage::Gpu(_) => {
                self.device.check_words(
                    T::DTYPE,
                    "GPU cumsum and cumprod take 32-bit elements; convert with astype first, or use Device::cpu()",
                )?;
                moved.cumulative_gpu(c)?
            }
        };
        if axis == nd - 1 {
            Ok(out)
        } else {
            out.moveaxis(nd - 1, axis)?.copy()
        }
    }

    /// The GPU's lane scans of `self` (lanes on the last axis) into a new
    /// C-contiguous array of `self`'s shape.
    fn cumulative_gpu(&self, c: Cum) -> Result<Array<T>> {
        let src = self.copy()?;
        let n = src.len();
        let len = *src.shape().last().unwrap_or(&1);
        if n == 0 || len == 0 {
            return Ok(src);
        }
        let gpu = src.gpu();
        let k = kind(c, T::DTYPE);
        let Storage::Gpu(s) = &src.storage else {
            unreachable!("a GPU array")
        };
        let lanes = n / len;
        if lanes > 1 && len <= LANE_LOOP_MAX {
            // One invocation per lane, in place in the copy.
            let pipe = gpu.pipeline(&format!("lane_scan|{}", k.name), || lane_source(&k), 1)?;
            gpu.dispatch(
                pipe,
                vec![s.clone()],
                &[lanes as u32, len as u32],
                lanes as u64,
                64,
            )?;
            return Ok(src);
        }
        let out = Array::<T>::uninit(&src.device, src.shape())?;
        let flat = out.reshape(&[lanes, len])?;
        for l in 0..lanes {
            let scanned = scan_gpu(gpu, &k, s, l * len, len)?;
            let lane = Array::<T>::from_storage(&src.device, Storage::Gpu(scanned), &[len + 1]);
            flat.slice([SliceElem::Index(l as isize)])?
                .assign(&lane.slice(crate::s![..len as isize])?)?;
        }
        Ok(out)
    }

    /// NumPy's `np.diff(a, n, axis)`: the `n`-th difference along `axis`,
    /// `a[..., 1:] - a[..., :-1]` applied `n` times (integers wrap); the
    /// axis shrinks by `n` (to 0 when `n` is its length or more, as NumPy).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 4, 7, 0, 10], &[2, 3])?;
    /// assert_eq!(a.diff(1, 1)?.to_vec()?, vec![1, 2, -7, 10]); // np.diff(a, axis=1)
    /// assert_eq!(a.diff(2, 1)?.to_vec()?, vec![1, 17]); // np.diff(a, n=2, axis=1)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range (NumPy's message); a 0-d array; out of memory.
    #[track_caller]
    pub fn diff(&self, n: usize, axis: usize) -> Result<Array<T>> {
        if self.ndim() == 0 {
            return Err(crate::Error::Value(
                "diff requires input that is at least one dimensional".into(),
            ));
        }
        let axis = crate::ops::index::check_axis(axis, self.ndim())?;
        let mut cur = self.clone();
        if n == 0 {
            return cur.copy();
        }
        for _ in 0..n {
            let len = cur.shape()[axis] as isize;
            let pick = |lo: isize, hi: isize| {
                crate::slice::along(
                    cur.ndim(),
                    axis,
                    SliceElem::Slice {
                        start: lo,
                        end: Some(hi),
                        step: 1,
                    },
                )
            };
            let hi = cur.slice(pick(1.min(len), len))?;
            let lo = cur.slice(pick(0, (len - 1).max(0)))?;
            cur = hi.binary(BinaryOp::Sub, &lo)?;
        }
        Ok(cur)
    }
}

/// One invocation per lane: a sequential inclusive scan, in place.
fn lane_source(k: &ScanKind) -> String {
    let t = k.ty;
    format!(
        "@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read_write> buf: array<{t}>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {{
    let lane = gid.x + gid.y * nwg.x * 64u;
    if (lane >= md[0]) {{ return; }}
    let len = md[1];
    var a: {t} = {id};
    for (var j = 0u; j < len; j = j + 1u) {{
        let b = buf[lane * len + j];
        a = {op};
        buf[lane * len + j] = a;
    }}
}}
",
        id = k.id,
        op = k.op
    )
}
