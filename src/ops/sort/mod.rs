//! Sorting and what is built on it: `sort`, `argsort`, `sort_inplace`.
//!
//! Both backends sort 32-bit *order keys*: a float's bits mapped so that
//! unsigned order is numeric order (`-0.0` and `0.0` one key, every NaN the
//! largest key, so NaN sorts last as in NumPy), an `i32`'s with its sign
//! bit flipped, a `u32` or `bool` as is. The CPU backend runs a parallel
//! LSD radix sort ([`radix`]); the GPU one a radix sort of 4-bit digits
//! ([`gpu`]). Sorts are stable, so `argsort` gives the first index of equal
//! keys first. `f64` (CPU only) uses a stable comparison sort.

pub(crate) mod gpu;
pub(crate) mod radix;
pub mod search;

use rayon::prelude::*;

use crate::array::Array;
use crate::device::Storage;
use crate::element::{DType, Element};
use crate::error::{Error, Result};

/// A lane sort's result: the sorted values, or the sorting indices.
pub(crate) type Sorted<T> = (Option<Array<T>>, Option<Array<u32>>);

/// The order key of a 32-bit element.
#[inline]
pub(crate) fn key32(d: DType, bits: u32) -> u32 {
    match d {
        DType::F32 => {
            let x = f32::from_bits(bits);
            // -0.0 + 0.0 is +0.0: one key for both zeros. Negative floats
            // flip all bits, the others the sign bit; branch-free, as the
            // sort computes keys inside its histogram and scatter loops
            // where a sign branch would be mispredicted on mixed signs.
            let b = (x + 0.0).to_bits();
            let k = b ^ ((((b as i32) >> 31) as u32) | 0x8000_0000);
            k | u32::from(x.is_nan()).wrapping_neg()
        }
        DType::I32 => bits ^ 0x8000_0000,
        _ => bits,
    }
}

/// The element bits of an order key (NaN and zero as canonical values).
#[inline]
fn unkey32(d: DType, k: u32) -> u32 {
    match d {
        // NaN's key gives the canonical quiet NaN.
        DType::F32 if k == u32::MAX => 0x7fc0_0000,
        DType::F32 => k ^ (!(((k as i32) >> 31) as u32) | 0x8000_0000),
        DType::I32 => k ^ 0x8000_0000,
        _ => k,
    }
}

/// NumPy's sort order in the element's own type (NaN last): for the dtypes
/// without a 32-bit order key, compared exactly (an `i64` beyond 2^53 too).
#[allow(clippy::eq_op)] // a != a: is `a` NaN?
pub(crate) fn cmp_elem<T: Element>(a: T, b: T) -> std::cmp::Ordering {
    a.partial_cmp(&b).unwrap_or_else(|| (a != a).cmp(&(b != b)))
}

/// Dtypes with no 32-bit order key: sorted by comparison on the CPU.
pub(crate) fn no_key32(d: DType) -> bool {
    matches!(d, DType::F64 | DType::I64 | DType::F16)
}

/// Resolves NumPy's `axis` argument: `None` sorts the flattened array.
pub(crate) fn sort_axis<T: Element>(
    a: &Array<T>,
    axis: Option<usize>,
) -> Result<(Array<T>, usize)> {
    match axis {
        None => {
            let flat = if a.layout.is_c_contiguous() {
                a.reshape(&[a.len()])?
            } else {
                a.copy()?.reshape(&[a.len()])?
            };
            Ok((flat, 0))
        }
        Some(ax) => Ok((a.clone(), crate::ops::index::check_axis(ax, a.ndim())?)),
    }
}

impl<T: Element> Array<T> {
    /// A sorted copy along `axis` (NumPy's `np.sort(a, axis, kind="stable")`;
    /// `None` sorts the flattened array, NumPy's `axis=None`). NaN sorts
    /// last, `-0.0` and `0.0` are equal and keep their order. The result
    /// is C-contiguous, as NumPy's.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[3.0f32, f32::NAN, -1.0, 2.0, 0.5, -7.0], &[2, 3])?;
    /// let s = a.sort(Some(1))?; // np.sort(a, axis=1)
    /// assert_eq!(format!("{:?}", s.to_vec()?), "[-1.0, 3.0, NaN, -7.0, 0.5, 2.0]");
    /// assert_eq!(a.sort(Some(0))?.to_vec()?[..3], [2.0, 0.5, -7.0]); // np.sort(a, axis=0)[0]
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range; out of memory.
    #[track_caller]
    pub fn sort(&self, axis: Option<usize>) -> Result<Array<T>> {
        let (a, axis) = sort_axis(self, axis)?;
        a.sort_along(axis, false)
            .map(|r| r.0.expect("values asked for"))
    }

    /// The indices that sort along `axis`, stable (NumPy's
    /// `np.argsort(a, axis, kind="stable")`; `None` flattens), as `u32`
    /// (NumPy gives int64). Equal keys keep their order, so ties go to the
    /// first index; NaN sorts last.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[3, 1, 2, 1], &[4])?;
    /// assert_eq!(a.argsort(Some(0))?.to_vec()?, vec![1, 3, 2, 0]); // np.argsort(a, kind="stable")
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of range; an axis longer than `u32::MAX`; out of memory.
    #[track_caller]
    pub fn argsort(&self, axis: Option<usize>) -> Result<Array<u32>> {
        let (a, axis) = sort_axis(self, axis)?;
        a.sort_along(axis, true)
            .map(|r| r.1.expect("indices asked for"))
    }

    /// Sorts in place along `axis` through any writeable view (NumPy's
    /// `a.sort(axis)`, a method that returns nothing).
    ///
    /// ```
    /// use ndgpu::{s, Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[5, 4, 3, 2, 1, 0], &[6])?;
    /// a.slice(s![..;2])?.sort_inplace(0)?; // a[::2].sort()
    /// assert_eq!(a.to_vec()?, vec![1, 4, 3, 2, 5, 0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A read-only array; an axis out of range; out of memory.
    pub fn sort_inplace(&self, axis: usize) -> Result<()> {
        self.check_writeable()?;
        let sorted = self.sort(Some(axis))?;
        self.assign(&sorted)
    }

    /// Sorts the lanes along `axis`: the values, or the indices
    /// (`args`), in a fresh C-contiguous array of `self`'s shape.
    pub(crate) fn sort_along(&self, axis: usize, args: bool) -> Result<Sorted<T>> {
        let nd = self.ndim();
        let len = if nd == 0 { 1 } else { self.shape()[axis] };
        if len > u32::MAX as usize {
            return Err(Error::Value(format!(
                "sorting an axis of {len} elements: indices are u32"
            )));
        }
        // The sorted axis last: lanes are contiguous runs of the result.
        let moved = if nd == 0 {
            self.reshape(&[1])?
        } else {
            self.moveaxis(axis, nd - 1)?
        };
        let (vals, idx) = match &self.storage {
            Storage::Cpu(_) => moved.sort_lanes_cpu(args)?,
            Storage::Gpu(_) => gpu::sort_lanes(&moved, args)?,
        };
        // Back to the original axis order, C-contiguous.
        fn back<U: Element>(x: Array<U>, nd: usize, axis: usize) -> Result<Array<U>> {
            if nd == 0 {
                x.reshape(&[])
            } else if axis == nd - 1 {
                Ok(x)
            } else {
                x.moveaxis(nd - 1, axis)?.copy()
            }
        }
        Ok((
            vals.map(|x| back(x, nd, axis)).transpose()?,
            idx.map(|x| back(x, nd, axis)).transpose()?,
        ))
    }

    /// The CPU backend's lane sort (`self`'s last axis), lanes in
    /// parallel, keys and scratch in pooled buffers, the source read in
    /// place when it is C-contiguous.
    fn sort_lanes_cpu(&self, args: bool) -> Result<Sorted<T>> {
        use crate::device::cpu;
        let l = (*self.shape().last().unwrap_or(&1)).max(1);
        let n = self.len();
        let dev = &self.device;
        let words = |a: &Array<u32>| match &a.storage {
            Storage::Cpu(s) => s.clone(),
            Storage::Gpu(_) => unreachable!("a CPU array"),
        };
        let keys = Array::<u32>::uninit(dev, &[n])?;
        let scratch = Array::<u32>::uninit(dev, &[n])?;
        let (ks, ss) = (words(&keys), words(&scratch));
        let (mut kg, mut sg) = (cpu::lock(&ks), cpu::lock(&ss));
        let kk = &mut bytemuck::cast_slice_mut::<u64, u32>(&mut kg)[..n];
        let sk = &mut bytemuck::cast_slice_mut::<u64, u32>(&mut sg)[..n];
        // The source in C order: in place when contiguous.
        let Storage::Cpu(src_s) = &self.storage else {
            unreachable!("a CPU array")
        };
        let owned: Vec<T::Repr>;
        let guard;
        let src: &[T::Repr] = if self.layout.is_c_contiguous() {
            guard = cpu::read(src_s);
            let o = self.offset();
            &bytemuck::cast_slice::<u64, T::Repr>(&guard)[o..o + n]
        } else {
            owned = self.to_vec()?.into_iter().map(T::to_repr).collect();
            &owned
        };
        if args {
            let out = Array::<u32>::uninit(dev, self.shape())?;
            let vscratch = Array::<u32>::uninit(dev, &[n])?;
            let (os, vs) = (words(&out), words(&vscratch));
            let (mut og, mut vg) = (cpu::lock(&os), cpu::lock(&vs));
            let oo = &mut bytemuck::cast_slice_mut::<u64, u32>(&mut og)[..n];
            let vv = &mut bytemuck::cast_slice_mut::<u64, u32>(&mut vg)[..n];
            cpu::exec(|| {
                oo.par_chunks_mut(l)
                    .zip(vv.par_chunks_mut(l))
                    .zip(kk.par_chunks_mut(l).zip(sk.par_chunks_mut(l)))
                    .zip(src.par_chunks(l))
                    .for_each(|(((o, v), (k, s)), lane)| argsort_lane::<T>(lane, o, v, k, s))
            });
            drop((og, vg));
            return Ok((None, Some(out)));
        }
        let out = Array::<T>::uninit(dev, self.shape())?;
        let Storage::Cpu(os) = &out.storage else {
            unreachable!("a CPU array")
        };
        let mut og = cpu::lock(os);
        let oo = &mut bytemuck::cast_slice_mut::<u64, T::Repr>(&mut og)[..n];
        cpu::exec(|| {
            oo.par_chunks_mut(l)
                .zip(kk.par_chunks_mut(l).zip(sk.par_chunks_mut(l)))
                .zip(src.par_chunks(l))
                .for_each(|((o, (k, s)), lane)| sort_lane::<T>(lane, o, k, s))
        });
        drop(og);
        Ok((Some(out), None))
    }
}

/// The stable order of one lane, as indices into it (`keys`, `scratch`
/// and `vscratch` are the lane's working space).
fn argsort_lane<T: Element>(
    lane: &[T::Repr],
    out: &mut [u32],
    vscratch: &mut [u32],
    keys: &mut [u32],
    scratch: &mut [u32],
) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = i as u32;
    }
    if no_key32(T::DTYPE) {
        let v = |i: u32| T::from_repr(lane[i as usize]);
        out.sort_by(|&a, &b| cmp_elem(v(a), v(b)));
        return;
    }
    for (k, &x) in keys.iter_mut().zip(lane) {
        *k = key32(T::DTYPE, T::from_repr(x).to_bits32());
    }
    radix::sort(keys, scratch, Some((out, vscratch)));
}

/// One lane's values in order: keys sorted alone, then turned back into
/// values; the runs of zeros and NaNs (one key each) are refilled from the
/// lane in its own order, so `-0.0`, `0.0` and NaN payloads land where a
/// stable sort puts them.
fn sort_lane<T: Element>(
    lane: &[T::Repr],
    out: &mut [T::Repr],
    keys: &mut [u32],
    scratch: &mut [u32],
) {
    let d = T::DTYPE;
    if no_key32(d) {
        out.copy_from_slice(lane);
        out.sort_by(|&a, &b| cmp_elem(T::from_repr(a), T::from_repr(b)));
        return;
    }
    // Sorted keys back to elements, noting whether the lane holds a -0.0
    // or a NaN other than the canonical one: only then do the runs need
    // refilling.
    let fix = radix::sort_values(
        lane,
        out,
        keys,
        scratch,
        |x| key32(d, T::from_repr(x).to_bits32()),
        |k| T::from_bits32(unkey32(d, k)).to_repr(),
        |x| {
            let b = T::from_repr(x).to_bits32();
            d == DType::F32
                && (b == 0x8000_0000 || (b & 0x7fff_ffff > 0x7f80_0000 && b != 0x7fc0_0000))
        },
    );
    if !fix {
        return;
    }
    if d == DType::F32 {
        let key = |x: T::Repr| key32(d, T::from_repr(x).to_bits32());
        let zero = key32(d, 0);
        let z0 = out.partition_point(|&x| key(x) < zero);
        let nan0 = out.partition_point(|&x| key(x) < u32::MAX);
        let (mut z, mut q) = (z0, nan0);
        for &x in lane {
            let v = f32::from_bits(T::from_repr(x).to_bits32());
            if v == 0.0 {
                out[z] = x;
                z += 1;
            } else if v.is_nan() {
                out[q] = x;
                q += 1;
            }
        }
    }
}
