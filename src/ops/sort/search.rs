//! Built on sorting: `searchsorted`, `unique` (and its counts and inverse),
//! `topk`, `bincount`, `histogram`, `median` and `quantile`.

use rayon::prelude::*;

use crate::array::Array;
use crate::device::Storage;
use crate::element::{DType, Element, Float, Integer};
use crate::error::{Error, Result};
use crate::kernel::Op;
use crate::ops::elementwise::{BinaryOp, Builder, CmpOp, IsOp};
use crate::slice::{along, SliceElem};

use super::{cmp_elem, key32, no_key32};

/// A sort for `unique`: the sorted values, the mask of first
/// occurrences, the permutation.
type UniqueParts<T> = (Array<T>, Array<bool>, Option<Array<u32>>);

/// Which slot `searchsorted` returns among equal values (NumPy's `side`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The first slot: `sorted[i - 1] < v <= sorted[i]`.
    Left,
    /// The last slot: `sorted[i - 1] <= v < sorted[i]`.
    Right,
}

impl<T: Element> Array<T> {
    /// The order keys of the elements, a `u32` array of the same shape.
    fn keys(&self, desc: bool) -> Result<Array<u32>> {
        let out = Array::<u32>::uninit(&self.device, self.shape())?;
        let mut k = Builder::default();
        let x = k.input(self);
        let key = k.node(Op::Key(x), DType::U32);
        if desc {
            k.node(Op::Not(key), DType::U32);
        }
        out.fresh(|o| o.apply(&k))
    }

    /// NumPy's `np.searchsorted(sorted, values, side)`: for each value,
    /// the slot in the 1-D ascending `sorted` where it would go to keep the
    /// order (NaN sorts last, as in `sort`), as `u32` of `values`' shape.
    /// Whether `sorted` is sorted is the caller's responsibility, as in
    /// NumPy. Both backends binary-search the order keys.
    ///
    /// ```
    /// use ndgpu::{Array, Device, Side};
    /// let dev = Device::cpu();
    /// let s = Array::from_slice(&dev, &[1, 2, 2, 5], &[4])?;
    /// let v = Array::from_slice(&dev, &[2, 0, 9], &[3])?;
    /// assert_eq!(s.searchsorted(&v, Side::Left)?.to_vec()?, vec![1, 0, 4]); // np.searchsorted(s, v)
    /// assert_eq!(s.searchsorted(&v, Side::Right)?.to_vec()?, vec![3, 0, 4]); // side="right"
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `sorted` not 1-D; arrays on different devices; out of memory.
    #[track_caller]
    pub fn searchsorted(&self, values: &Array<T>, side: Side) -> Result<Array<u32>> {
        self.check_same_device(values)?;
        if self.ndim() != 1 {
            return Err(Error::Value(
                "object too deep for desired array: searchsorted takes a 1-D sorted array".into(),
            ));
        }
        let n = self.len();
        match &self.storage {
            Storage::Cpu(_) => {
                let s = self.to_vec()?;
                let v = values.to_vec()?;
                let mut out = vec![0u32; v.len()];
                let right = side == Side::Right;
                if no_key32(T::DTYPE) {
                    crate::device::cpu::exec(|| {
                        out.par_iter_mut().zip(&v).for_each(|(o, &x)| {
                            *o = s.partition_point(|&y| {
                                let c = cmp_elem(y, x);
                                c.is_lt() || (right && c.is_eq())
                            }) as u32;
                        })
                    });
                } else {
                    let sk: Vec<u32> = s.iter().map(|x| key32(T::DTYPE, x.to_bits32())).collect();
                    crate::device::cpu::exec(|| {
                        out.par_iter_mut().zip(&v).for_each(|(o, x)| {
                            let k = key32(T::DTYPE, x.to_bits32());
                            *o = sk.partition_point(|&y| y < k || (right && y == k)) as u32;
                        })
                    });
                }
                Array::from_vec(&self.device, out, values.shape())
            }
            Storage::Gpu(_) => {
                self.device.check_words(
                    T::DTYPE,
                    "GPU searchsorted takes 32-bit elements; convert with astype first, or use Device::cpu()",
                )?;
                let out = Array::<u32>::uninit(&self.device, values.shape())?;
                let m = values.len();
                if m == 0 {
                    return Ok(out);
                }
                let (sk, vk) = (self.keys(false)?, values.keys(false)?);
                let gpu = self.gpu();
                let pipe = gpu.pipeline("searchsorted", search_source, 3)?;
                let st = |a: &Array<u32>| match &a.storage {
                    Storage::Gpu(s) => s.clone(),
                    Storage::Cpu(_) => unreachable!("a GPU array"),
                };
                let md = [m as u32, n as u32, u32::from(side == Side::Right)];
                gpu.dispatch(pipe, vec![st(&out), st(&sk), st(&vk)], &md, m as u64, 256)?;
                Ok(out)
            }
        }
    }

    /// The sorted unique values of the flattened array (NumPy's
    /// `np.unique(a)`, the array API's `unique_values`): NaNs collapse into
    /// one, as NumPy's `equal_nan=True`, and `-0.0` equals `0.0`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[3, 1, 3, 2, 1], &[5])?;
    /// assert_eq!(a.unique()?.to_vec()?, vec![1, 2, 3]); // np.unique(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn unique(&self) -> Result<Array<T>> {
        let (s, m, _) = self.unique_parts(false)?;
        s.masked_select(&m)
    }

    /// The sorted unique values and how often each occurs (NumPy's
    /// `np.unique(a, return_counts=True)`, the array API's
    /// `unique_counts`); counts are `u32`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[3, 1, 3, 2, 1, 3], &[2, 3])?;
    /// let (v, c) = a.unique_counts()?; // np.unique(a, return_counts=True)
    /// assert_eq!((v.to_vec()?, c.to_vec()?), (vec![1, 2, 3], vec![2, 1, 3]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn unique_counts(&self) -> Result<(Array<T>, Array<u32>)> {
        let (s, m, _) = self.unique_parts(false)?;
        let n = s.len();
        let values = s.masked_select(&m)?;
        let u = values.len();
        let firsts = m.nonzero()?.remove(0);
        let ends = Array::<u32>::uninit(&self.device, &[u])?;
        if u > 0 {
            ends.slice(crate::s![..u as isize - 1])?
                .assign(&firsts.slice(crate::s![1..])?)?;
            ends.slice(crate::s![u as isize - 1..])?.fill(n as u32)?;
        }
        let counts = ends.sub(&firsts)?;
        Ok((values, counts))
    }

    /// The sorted unique values and, for every element, the index of its
    /// value among them, in `a`'s shape (NumPy 2's `np.unique(a,
    /// return_inverse=True)`, the array API's `unique_inverse`): `values
    /// .take(&inverse, None)` rebuilds `a`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[30, 10, 30, 20], &[4])?;
    /// let (v, inv) = a.unique_inverse()?; // np.unique(a, return_inverse=True)
    /// assert_eq!((v.to_vec()?, inv.to_vec()?), (vec![10, 20, 30], vec![2, 0, 2, 1]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn unique_inverse(&self) -> Result<(Array<T>, Array<u32>)> {
        let (s, m, perm) = self.unique_parts(true)?;
        let perm = perm.expect("asked for");
        let n = s.len();
        let values = s.masked_select(&m)?;
        // The rank of each sorted element's value, scattered back to where
        // the element came from.
        let rank = m.astype::<u32>()?.cumsum(None)?.sub_scalar(1)?;
        let inverse = Array::<u32>::zeros(&self.device, &[n])?;
        inverse.put_along_axis(&perm, &rank, 0)?;
        Ok((values, inverse.reshape(self.shape())?))
    }

    /// The flattened values sorted, the mask of first occurrences, and the
    /// sorting permutation when asked for.
    fn unique_parts(&self, with_perm: bool) -> Result<UniqueParts<T>> {
        let flat = self.reshape(&[self.len()])?;
        let (s, perm) = if with_perm {
            let p = flat.argsort(Some(0))?;
            (flat.take_unchecked(&p)?, Some(p))
        } else {
            (flat.sort(Some(0))?, None)
        };
        let n = s.len();
        let m = Array::<bool>::uninit(&self.device, &[n])?;
        if n > 0 {
            m.slice(crate::s![..1])?.fill(true)?;
            let (hi, lo) = (s.slice(crate::s![1..])?, s.slice(crate::s![..-1])?);
            let mut k = Builder::default();
            let (a, b) = (k.input(&hi), k.input(&lo));
            if T::DTYPE == DType::I64 {
                k.node(Op::Cmp(CmpOp::Ne, a, b), DType::Bool);
            } else if no_key32(T::DTYPE) {
                // NaN != NaN would split NaNs: compare "both NaN" too.
                let ne = k.node(Op::Cmp(CmpOp::Ne, a, b), DType::Bool);
                let na = k.node(Op::Is(IsOp::Nan, a), DType::Bool);
                let nb = k.node(Op::Is(IsOp::Nan, b), DType::Bool);
                let both = k.node(Op::Bit(crate::BitOp::And, na, nb), DType::Bool);
                let keep = k.node(Op::Not(both), DType::Bool);
                k.node(Op::Bit(crate::BitOp::And, ne, keep), DType::Bool);
            } else {
                let (ka, kb) = (
                    k.node(Op::Key(a), DType::U32),
                    k.node(Op::Key(b), DType::U32),
                );
                k.node(Op::Cmp(CmpOp::Ne, ka, kb), DType::Bool);
            }
            m.slice(crate::s![1..])?.apply(&k)?;
        }
        Ok((s, m, perm))
    }

    /// The `k` largest (or smallest) elements along `axis` and their
    /// indices, in order, ties to the first index (PyTorch's `topk`;
    /// NumPy's `np.argsort(-a)[..., :k]` with a stable sort). NaN counts
    /// as the largest value.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 9, 9, 4, 7, 0], &[2, 3])?;
    /// let (v, i) = a.topk(2, 1, true)?;
    /// assert_eq!((v.to_vec()?, i.to_vec()?), (vec![9, 9, 7, 4], vec![1, 2, 1, 0]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `k` larger than the axis; an axis out of range; out of memory.
    #[track_caller]
    pub fn topk(&self, k: usize, axis: usize, largest: bool) -> Result<(Array<T>, Array<u32>)> {
        let axis = crate::ops::index::check_axis(axis, self.ndim())?;
        let len = self.shape()[axis];
        if k > len {
            return Err(Error::Value(format!(
                "k ({k}) is larger than axis {axis} ({len} elements)"
            )));
        }
        let order = if largest {
            self.argsort_desc(axis)?
        } else {
            self.argsort(Some(axis))?
        };
        let first = order
            .slice(along(
                self.ndim(),
                axis,
                SliceElem::Slice {
                    start: 0,
                    end: Some(k as isize),
                    step: 1,
                },
            ))?
            .copy()?;
        let values = self.take_along_axis(&first, axis)?;
        Ok((values, first))
    }

    /// A stable argsort in descending order: ties keep the first index
    /// first.
    fn argsort_desc(&self, axis: usize) -> Result<Array<u32>> {
        if T::DTYPE == DType::I64 {
            // No 32-bit key: sort the bitwise not (-x - 1, order-reversing
            // without overflow).
            let mut k = Builder::default();
            let x = k.input(self);
            k.node(Op::Not(x), DType::I64);
            let keyed = Array::<i64>::uninit(&self.device, self.shape())?;
            keyed.apply(&k)?;
            return keyed.argsort(Some(axis));
        }
        if no_key32(T::DTYPE) {
            // f64 and f16 have no 32-bit key: sort the negation, NaN made the largest.
            let mut k = Builder::default();
            let x = k.input(self);
            let nan = k.node(Op::Is(IsOp::Nan, x), DType::Bool);
            let ninf = k.scalar(f64::NEG_INFINITY);
            let flip = k.node(Op::Unary(crate::UnaryOp::Neg, x), T::DTYPE);
            // NaN first: below every value once negated; -inf ties with a
            // real +inf are broken by index, as a stable sort does.
            k.node(Op::Select(nan, ninf, flip), T::DTYPE);
            let keyed = Array::<T>::uninit(&self.device, self.shape())?;
            keyed.apply(&k)?;
            return keyed.argsort(Some(axis));
        }
        let keys = self.keys(true)?;
        keys.argsort(Some(axis))
    }
}

impl<I: Integer> Array<I> {
    /// NumPy's `np.bincount(x, minlength=)`: how often each value
    /// `0..=max(x)` occurs in the 1-D non-negative `x`, as `u32`, at least
    /// `minlength` long. One atomic scatter on the GPU.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let x = Array::from_slice(&dev, &[1, 3, 1, 0], &[4])?;
    /// assert_eq!(x.bincount(0)?.to_vec()?, vec![1, 2, 0, 1]); // np.bincount(x)
    /// assert_eq!(x.bincount(6)?.len(), 6);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `x` not 1-D, or with a negative value (NumPy's messages); out of
    /// memory.
    #[track_caller]
    pub fn bincount(&self, minlength: usize) -> Result<Array<u32>> {
        if self.ndim() != 1 {
            return Err(Error::Value("object too deep for desired array".into()));
        }
        let (lo, hi) = if self.is_empty() {
            (0.0, -1.0)
        } else {
            (
                self.min(crate::Axes::All, false)?.item()?.to_f64(),
                self.max(crate::Axes::All, false)?.item()?.to_f64(),
            )
        };
        if lo < 0.0 {
            return Err(Error::Value(
                "'list' argument must have no negative elements".into(),
            ));
        }
        let n = ((hi + 1.0) as usize).max(minlength);
        let out = Array::<u32>::zeros(&self.device, &[n])?;
        if !self.is_empty() {
            out.index_add(0, self, &Array::full(&self.device, &[], 1u32)?)?;
        }
        Ok(out)
    }
}

impl<T: Float> Array<T> {
    /// NumPy's `np.histogram(a, bins, range)`: counts of the flattened
    /// array in `bins` equal bins over `range` (default: the data's min and
    /// max; the last bin includes its right edge; values outside are not
    /// counted), as `u32` counts and `bins + 1` edges. The bin of a value is
    /// computed in the element type (NumPy computes in float64), so a value
    /// within rounding of an edge may fall in the neighbouring bin.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0.5f32, 1.5, 1.6, 3.0, 9.0], &[5])?;
    /// let (counts, edges) = a.histogram(3, Some((0.0, 3.0)))?; // np.histogram(a, 3, (0, 3))
    /// assert_eq!(counts.to_vec()?, vec![1, 2, 1]);
    /// assert_eq!(edges.to_vec()?, vec![0.0, 1.0, 2.0, 3.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `bins == 0`; `range` with min above max; a data range that is not
    /// finite (NumPy's messages); out of memory.
    #[track_caller]
    pub fn histogram(
        &self,
        bins: usize,
        range: Option<(f64, f64)>,
    ) -> Result<(Array<u32>, Array<T>)> {
        if bins == 0 {
            return Err(Error::Value(
                "`bins` must be positive, when an integer".into(),
            ));
        }
        let (mut lo, mut hi) = match range {
            Some(r) => r,
            None if self.is_empty() => (0.0, 1.0),
            None => (
                self.min(crate::Axes::All, false)?.item()?.to_f64(),
                self.max(crate::Axes::All, false)?.item()?.to_f64(),
            ),
        };
        if lo > hi {
            return Err(Error::Value(
                "max must be larger than min in range parameter.".into(),
            ));
        }
        if !lo.is_finite() || !hi.is_finite() {
            return Err(Error::Value(format!(
                "autodetected range of [{lo}, {hi}] is not finite"
            )));
        }
        if lo == hi {
            lo -= 0.5;
            hi += 0.5;
        }
        let edges = Array::<T>::linspace(&self.device, T::from_f64(lo), T::from_f64(hi), bins + 1)?;
        // bin = floor((x - lo) * bins / (hi - lo)), the right edge in the
        // last bin, anything outside in a dropped bin `bins`.
        let flat = self.reshape(&[self.len()])?;
        let mut k = Builder::default();
        let x = k.input(&flat);
        let (l, h) = (k.scalar(T::from_f64(lo)), k.scalar(T::from_f64(hi)));
        let norm = k.scalar(T::from_f64(bins as f64 / (hi - lo)));
        let d = k.node(Op::Binary(BinaryOp::Sub, x, l), T::DTYPE);
        let f = k.node(Op::Binary(BinaryOp::Mul, d, norm), T::DTYPE);
        let i = k.node(Op::Cast(f), DType::I32);
        let last = k.scalar(bins as i32 - 1);
        let i = k.node(Op::Binary(BinaryOp::Minimum, i, last), DType::I32);
        let ge = k.node(Op::Cmp(CmpOp::Ge, x, l), DType::Bool);
        let le = k.node(Op::Cmp(CmpOp::Le, x, h), DType::Bool);
        let inside = k.node(Op::Bit(crate::BitOp::And, ge, le), DType::Bool);
        let out_bin = k.scalar(bins as i32);
        k.node(Op::Select(inside, i, out_bin), DType::I32);
        let idx = Array::<i32>::uninit(&self.device, &[self.len()])?;
        idx.apply(&k)?;
        let counts = idx.bincount(bins + 1)?;
        let counts = counts.slice(crate::s![..bins as isize])?.copy()?;
        Ok((counts, edges))
    }

    /// NumPy's `np.quantile(a, q, axis)` with the default linear method:
    /// along `axis` (or the flattened array), the value at the virtual
    /// index `q * (n - 1)` of the sorted lane, interpolated linearly; NaN
    /// for a lane that holds a NaN, as NumPy.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[4.0f32, 1.0, 3.0, 2.0], &[4])?;
    /// assert_eq!(a.quantile(0.25, None)?.item()?, 1.75); // np.quantile(a, 0.25)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `q` outside `[0, 1]` (NumPy's message); an axis out of range; out of
    /// memory.
    #[track_caller]
    pub fn quantile(&self, q: f64, axis: Option<usize>) -> Result<Array<T>> {
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::Value("Quantiles must be in the range [0, 1]".into()));
        }
        let (a, axis) = super::sort_axis(self, axis)?;
        let nd = a.ndim();
        let n = a.shape()[axis];
        if n == 0 {
            let mut shape = a.shape().to_vec();
            shape.remove(axis);
            return Array::full(&self.device, &shape, T::from_f64(f64::NAN));
        }
        let s = a.sort(Some(axis))?;
        let v = q * (n - 1) as f64;
        let lo = v.floor() as isize;
        let hi = (lo + 1).min(n as isize - 1);
        let t = v - lo as f64;
        let pick = |i: isize| s.slice(along(nd, axis, SliceElem::Index(i)));
        let (xa, xb, xl) = (pick(lo)?, pick(hi)?, pick(n as isize - 1)?);
        // NumPy's _lerp: a + (b - a) t, from the other end for t >= 0.5.
        let mut k = Builder::default();
        let (ia, ib, il) = (k.input(&xa), k.input(&xb), k.input(&xl));
        let d = k.node(Op::Binary(BinaryOp::Sub, ib, ia), T::DTYPE);
        let r = if t >= 0.5 {
            let w = k.scalar(T::from_f64(1.0 - t));
            let m = k.node(Op::Binary(BinaryOp::Mul, d, w), T::DTYPE);
            k.node(Op::Binary(BinaryOp::Sub, ib, m), T::DTYPE)
        } else {
            let w = k.scalar(T::from_f64(t));
            let m = k.node(Op::Binary(BinaryOp::Mul, d, w), T::DTYPE);
            k.node(Op::Binary(BinaryOp::Add, ia, m), T::DTYPE)
        };
        let nan = k.node(Op::Is(IsOp::Nan, il), DType::Bool);
        k.node(Op::Select(nan, il, r), T::DTYPE);
        let out = Array::<T>::uninit(&self.device, xa.shape())?;
        out.fresh(|o| o.apply(&k))
    }

    /// NumPy's `np.median(a, axis)`: the 0.5 quantile.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[3.0f32, 1.0, 2.0, 10.0, 30.0, 20.0], &[2, 3])?;
    /// assert_eq!(a.median(Some(1))?.to_vec()?, vec![2.0, 20.0]); // np.median(a, axis=1)
    /// assert_eq!(a.median(None)?.item()?, 6.5); // np.median(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range; out of memory.
    #[track_caller]
    pub fn median(&self, axis: Option<usize>) -> Result<Array<T>> {
        self.quantile(0.5, axis)
    }
}

/// The GPU's `searchsorted`: one binary search per value over the sorted
/// keys (at most 33 steps).
fn search_source() -> String {
    "@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read_write> outp: array<u32>;
@group(0) @binding(2) var<storage, read> sk: array<u32>;
@group(0) @binding(3) var<storage, read> vk: array<u32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    if (i >= md[0]) { return; }
    let v = vk[i];
    let right = md[2] == 1u;
    var lo = 0u;
    var hi = md[1];
    for (var step = 0u; step < 40u && lo < hi; step = step + 1u) {
        let mid = lo + (hi - lo) / 2u;
        let s = sk[mid];
        if (s < v || (right && s == v)) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    outp[i] = lo;
}
"
    .to_string()
}
