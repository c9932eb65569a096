//! View arithmetic: shape, strides and offset, with no device in sight.
//!
//! **Invariant** (upheld by every constructor below): every element a
//! `Layout` addresses, `offset + Σ index[d]·strides[d]` for indices inside
//! `shape`, lies in `0..buffer_len` of the buffer it was made for.
//! `contiguous` addresses `0..size`; `slice` checks every range and index
//! against the axis length before it moves the offset, so the first and last
//! element it addresses were already addressed by the parent; `permute`,
//! `squeeze`, `expand_dims` and `broadcast_to` reorder, drop or add axes of
//! length 1 or stride 0, which address the same elements; `reshape_view` only
//! regroups axes whose elements are contiguous among themselves.

use crate::error::{fmt_shape, Error, Result};
use crate::slice::SliceElem;

/// Shape, strides (in elements, may be negative or zero) and offset (in
/// elements) of an array over its buffer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Layout {
    pub(crate) shape: Vec<usize>,
    pub(crate) strides: Vec<isize>,
    pub(crate) offset: usize,
}

/// C-order (row-major) strides of `shape`, in elements.
///
/// ```
/// assert_eq!(ndgpu::layout::c_strides(&[2, 3, 4]), vec![12, 4, 1]);
/// # Ok::<(), ndgpu::Error>(())
/// ```
pub fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut acc = 1isize;
    for d in (0..shape.len()).rev() {
        strides[d] = acc;
        // Saturates for shapes too large to allocate, which never address memory.
        acc = acc.saturating_mul(shape[d].max(1) as isize);
    }
    strides
}

/// The number of elements of `shape`, or an error when it overflows.
///
/// ```
/// assert_eq!(ndgpu::layout::checked_size(&[2, 3])?, 6);
/// assert!(ndgpu::layout::checked_size(&[usize::MAX, 2]).is_err());
/// # Ok::<(), ndgpu::Error>(())
/// ```
pub fn checked_size(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= isize::MAX as usize)
        .ok_or_else(|| {
            Error::Shape(format!(
                "array is too big: shape {} has too many elements",
                fmt_shape(shape)
            ))
        })
}

/// NumPy's broadcast of several shapes, with NumPy's error message.
///
/// ```
/// // np.broadcast_shapes((3, 1), (4,)) == (3, 4)
/// assert_eq!(ndgpu::layout::broadcast_shapes(&[&[3, 1], &[4]])?, vec![3, 4]);
/// assert!(ndgpu::layout::broadcast_shapes(&[&[3], &[4]]).is_err());
/// # Ok::<(), ndgpu::Error>(())
/// ```
pub fn broadcast_shapes(shapes: &[&[usize]]) -> Result<Vec<usize>> {
    let nd = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; nd];
    for s in shapes {
        for (i, &d) in s.iter().enumerate() {
            let o = &mut out[nd - s.len() + i];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                return Err(Error::Broadcast(
                    shapes.iter().map(|s| s.to_vec()).collect(),
                ));
            }
        }
    }
    Ok(out)
}

impl Layout {
    /// The C-contiguous layout of `shape` at offset 0.
    ///
    /// ```
    /// let l = ndgpu::layout::Layout::contiguous(&[2, 3]);
    /// assert_eq!((l.strides(), l.offset()), (&[3, 1][..], 0));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn contiguous(shape: &[usize]) -> Layout {
        Layout {
            shape: shape.to_vec(),
            strides: c_strides(shape),
            offset: 0,
        }
    }

    /// Shape.
    ///
    /// ```
    /// assert_eq!(ndgpu::layout::Layout::contiguous(&[2, 3]).shape(), &[2, 3]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }
    /// Strides in elements.
    ///
    /// ```
    /// assert_eq!(ndgpu::layout::Layout::contiguous(&[2, 3]).t().strides(), &[1, 3]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }
    /// Offset of the first element, in elements.
    ///
    /// ```
    /// use ndgpu::s;
    /// let l = ndgpu::layout::Layout::contiguous(&[4]).slice(&s![1..])?;
    /// assert_eq!(l.offset(), 1);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn offset(&self) -> usize {
        self.offset
    }
    /// Number of axes.
    ///
    /// ```
    /// assert_eq!(ndgpu::layout::Layout::contiguous(&[2, 3]).ndim(), 2);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    /// Number of elements.
    ///
    /// ```
    /// assert_eq!(ndgpu::layout::Layout::contiguous(&[2, 3]).size(), 6);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    /// NumPy's `C_CONTIGUOUS`: axes of length 1 are ignored, empty arrays are contiguous.
    ///
    /// ```
    /// let l = ndgpu::layout::Layout::contiguous(&[2, 3]);
    /// assert!(l.is_c_contiguous() && !l.t().is_c_contiguous());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn is_c_contiguous(&self) -> bool {
        Self::contiguous_in(self.shape.iter().zip(&self.strides).rev())
    }
    /// NumPy's `F_CONTIGUOUS`.
    ///
    /// ```
    /// let l = ndgpu::layout::Layout::contiguous(&[2, 3]);
    /// assert!(l.t().is_f_contiguous());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn is_f_contiguous(&self) -> bool {
        Self::contiguous_in(self.shape.iter().zip(&self.strides))
    }
    fn contiguous_in<'a>(axes: impl Iterator<Item = (&'a usize, &'a isize)> + Clone) -> bool {
        if axes.clone().any(|(&d, _)| d == 0) {
            return true;
        }
        let mut expect = 1isize;
        for (&d, &s) in axes {
            if d != 1 {
                if s != expect {
                    return false;
                }
                expect *= d as isize;
            }
        }
        true
    }

    /// The lowest and highest element offsets addressed, or `None` for an empty layout.
    ///
    /// ```
    /// use ndgpu::s;
    /// let l = ndgpu::layout::Layout::contiguous(&[10]).slice(&s![2..8;-2])?;
    /// assert_eq!(l.extent(), Some((3, 7)));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn extent(&self) -> Option<(usize, usize)> {
        if self.size() == 0 {
            return None;
        }
        let (mut lo, mut hi) = (self.offset as isize, self.offset as isize);
        for (&d, &s) in self.shape.iter().zip(&self.strides) {
            let span = (d as isize - 1) * s;
            if span < 0 {
                lo += span;
            } else {
                hi += span;
            }
        }
        Some((lo as usize, hi as usize))
    }

    /// Applies a slice specification; see [`s!`](crate::s).
    ///
    /// ```
    /// use ndgpu::s;
    /// let l = ndgpu::layout::Layout::contiguous(&[10]).slice(&s![2..8;-2])?; // x[2:8][::-2]
    /// assert_eq!(l.offsets().collect::<Vec<_>>(), vec![7, 5, 3]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An index or range outside an axis, a zero step, or more indices than axes.
    pub fn slice(&self, elems: &[SliceElem]) -> Result<Layout> {
        let used = elems
            .iter()
            .filter(|e| !matches!(e, SliceElem::NewAxis))
            .count();
        if used > self.ndim() {
            return Err(Error::Index(format!(
                "too many indices for array: array is {}-dimensional, but {} were indexed",
                self.ndim(),
                used
            )));
        }
        let mut out = Layout {
            shape: Vec::new(),
            strides: Vec::new(),
            offset: self.offset,
        };
        let mut offset = self.offset as isize;
        let mut axis = 0;
        for e in elems {
            match *e {
                SliceElem::NewAxis => {
                    out.shape.push(1);
                    out.strides.push(0);
                }
                SliceElem::Index(i) => {
                    let (len, stride) = (self.shape[axis], self.strides[axis]);
                    let j = if i < 0 {
                        i.checked_add(len as isize)
                    } else {
                        Some(i)
                    };
                    let Some(j) = j.filter(|&j| j >= 0 && j < len as isize) else {
                        return Err(Error::Index(format!(
                            "index {i} is out of bounds for axis {axis} with size {len}"
                        )));
                    };
                    offset += j * stride;
                    axis += 1;
                }
                SliceElem::Slice { start, end, step } => {
                    let (len, stride) = (self.shape[axis], self.strides[axis]);
                    if step == 0 {
                        return Err(Error::Value("slice step cannot be zero".into()));
                    }
                    if step == isize::MIN {
                        return Err(Error::Value(format!(
                            "slice step {step} is out of range (it has no positive counterpart)"
                        )));
                    }
                    // NumPy's clipping: a negative bound counts from the end,
                    // then both bounds are clipped to the axis.
                    let n_len = len as isize;
                    let clip = |v: isize| {
                        let v = if v < 0 { v.saturating_add(n_len) } else { v };
                        v.clamp(0, n_len)
                    };
                    let (a, b) = (clip(start), end.map_or(n_len, clip));
                    let m = (b - a).max(0);
                    let k = step.unsigned_abs() as isize;
                    let n = if m == 0 { 0 } else { (m - 1) / k + 1 };
                    if n > 0 {
                        // The first element walked: a for a forward step, b-1 backwards.
                        offset += if step > 0 { a } else { b - 1 } * stride;
                    }
                    // With one element or none the stride is never used; a
                    // huge step may not fit in it then.
                    let s = match stride.checked_mul(step) {
                        Some(s) => s,
                        None if n <= 1 => stride,
                        None => {
                            return Err(Error::Value(format!(
                                "slice step {step} overflows the stride of axis {axis}"
                            )))
                        }
                    };
                    out.shape.push(n as usize);
                    out.strides.push(s);
                    axis += 1;
                }
            }
        }
        for d in axis..self.ndim() {
            out.shape.push(self.shape[d]);
            out.strides.push(self.strides[d]);
        }
        out.offset = offset as usize;
        Ok(out)
    }

    /// Reorders the axes: axis `i` of the result is axis `axes[i]` of `self`.
    ///
    /// ```
    /// let l = ndgpu::layout::Layout::contiguous(&[2, 3, 4]).permute(&[2, 0, 1])?;
    /// assert_eq!(l.strides(), &[1, 12, 4]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `axes` is not a permutation of `0..ndim` (NumPy: `axes don't match array`).
    pub fn permute(&self, axes: &[usize]) -> Result<Layout> {
        let mut seen = vec![false; self.ndim()];
        if axes.len() != self.ndim()
            || axes
                .iter()
                .any(|&a| a >= self.ndim() || std::mem::replace(&mut seen[a], true))
        {
            return Err(Error::Shape(format!(
                "axes don't match array: {axes:?} is not a permutation of the {} axes",
                self.ndim()
            )));
        }
        Ok(Layout {
            shape: axes.iter().map(|&a| self.shape[a]).collect(),
            strides: axes.iter().map(|&a| self.strides[a]).collect(),
            offset: self.offset,
        })
    }

    /// Reverses the axes (NumPy's `.T`).
    ///
    /// ```
    /// assert_eq!(ndgpu::layout::Layout::contiguous(&[2, 3]).t().shape(), &[3, 2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn t(&self) -> Layout {
        Layout {
            shape: self.shape.iter().rev().copied().collect(),
            strides: self.strides.iter().rev().copied().collect(),
            offset: self.offset,
        }
    }

    /// A layout of `shape` that repeats this one along new or length-1 axes (stride 0).
    ///
    /// ```
    /// let l = ndgpu::layout::Layout::contiguous(&[3]).broadcast_to(&[2, 3])?;
    /// assert_eq!(l.strides(), &[0, 1]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// The shapes are not compatible (NumPy's message).
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Layout> {
        checked_size(shape)?;
        let err = || {
            Error::Shape(format!(
                "operands could not be broadcast together with remapped shapes \
                 [original->remapped]: {}  and requested shape {}",
                fmt_shape(&self.shape),
                fmt_shape(shape)
            ))
        };
        if shape.len() < self.ndim() {
            return Err(err());
        }
        let lead = shape.len() - self.ndim();
        let mut strides = vec![0isize; shape.len()];
        for (i, &d) in self.shape.iter().enumerate() {
            if d == shape[lead + i] {
                strides[lead + i] = self.strides[i];
            } else if d != 1 {
                return Err(err());
            }
        }
        Ok(Layout {
            shape: shape.to_vec(),
            strides,
            offset: self.offset,
        })
    }

    /// The layout of `shape` over the same elements in C order, when the
    /// strides allow it without a copy (NumPy's `_attempt_nocopy_reshape`).
    ///
    /// ```
    /// let l = ndgpu::layout::Layout::contiguous(&[2, 3]);
    /// assert!(l.reshape_view(&[3, 2]).is_some());
    /// assert!(l.t().reshape_view(&[6]).is_none()); // a transpose needs a copy
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn reshape_view(&self, shape: &[usize]) -> Option<Layout> {
        if self.is_c_contiguous() {
            let mut l = Layout::contiguous(shape);
            l.offset = self.offset;
            return Some(l);
        }
        // Axes of length 1 carry no stride information.
        let (od, os): (Vec<usize>, Vec<isize>) = self
            .shape
            .iter()
            .zip(&self.strides)
            .filter(|(&d, _)| d != 1)
            .map(|(&d, &s)| (d, s))
            .unzip();
        let mut ns = vec![0isize; shape.len()];
        let (mut oi, mut oj, mut ni, mut nj) = (0, 1, 0, 1);
        while ni < shape.len() && oi < od.len() {
            let (mut np, mut op) = (shape[ni], od[oi]);
            while np != op {
                if np < op {
                    np *= *shape.get(nj)?;
                    nj += 1;
                } else {
                    op *= *od.get(oj)?;
                    oj += 1;
                }
            }
            for ok in oi..oj - 1 {
                if os[ok] != od[ok + 1] as isize * os[ok + 1] {
                    return None;
                }
            }
            ns[nj - 1] = os[oj - 1];
            for nk in (ni + 1..nj).rev() {
                ns[nk - 1] = ns[nk] * shape[nk] as isize;
            }
            ni = nj;
            nj += 1;
            oi = oj;
            oj += 1;
        }
        // Trailing axes of length 1 get any stride; NumPy uses the last one.
        let last = if ni > 0 { ns[ni - 1] } else { 1 };
        for s in ns.iter_mut().skip(ni) {
            *s = last;
        }
        Some(Layout {
            shape: shape.to_vec(),
            strides: ns,
            offset: self.offset,
        })
    }

    /// Drops every axis of length 1.
    ///
    /// ```
    /// assert_eq!(ndgpu::layout::Layout::contiguous(&[1, 3, 1]).squeeze().shape(), &[3]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn squeeze(&self) -> Layout {
        let (shape, strides) = self
            .shape
            .iter()
            .zip(&self.strides)
            .filter(|(&d, _)| d != 1)
            .map(|(&d, &s)| (d, s))
            .unzip();
        Layout {
            shape,
            strides,
            offset: self.offset,
        }
    }

    /// Inserts an axis of length 1 at `axis` (`0..=ndim`).
    ///
    /// ```
    /// assert_eq!(ndgpu::layout::Layout::contiguous(&[3]).expand_dims(1)?.shape(), &[3, 1]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `axis > ndim` (NumPy's `AxisError` wording).
    pub fn expand_dims(&self, axis: usize) -> Result<Layout> {
        if axis > self.ndim() {
            return Err(Error::Index(format!(
                "axis {axis} is out of bounds for array of dimension {}",
                self.ndim() + 1
            )));
        }
        let mut l = self.clone();
        l.shape.insert(axis, 1);
        l.strides.insert(axis, 0);
        Ok(l)
    }

    /// Element offsets in logical C order.
    ///
    /// ```
    /// let l = ndgpu::layout::Layout::contiguous(&[2, 2]).t();
    /// assert_eq!(l.offsets().collect::<Vec<_>>(), vec![0, 2, 1, 3]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn offsets(&self) -> Offsets<'_> {
        Offsets {
            layout: self,
            index: vec![0; self.ndim()],
            next: if self.size() == 0 {
                None
            } else {
                Some(self.offset as isize)
            },
        }
    }

    /// NumPy's `may_share_memory` for two layouts over one buffer: do their extents overlap?
    ///
    /// ```
    /// use ndgpu::s;
    /// let l = ndgpu::layout::Layout::contiguous(&[4]);
    /// let (even, odd) = (l.slice(&s![..;2])?, l.slice(&s![1..;2])?);
    /// assert!(even.may_overlap(&odd)); // np.may_share_memory
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn may_overlap(&self, other: &Layout) -> bool {
        match (self.extent(), other.extent()) {
            (Some((a0, a1)), Some((b0, b1))) => a0 <= b1 && b0 <= a1,
            _ => false,
        }
    }

    /// NumPy's `shares_memory` for two layouts over one buffer: is some
    /// element addressed by both? Exact: it marks the elements of one in a
    /// bitmap over the common extent and probes it with the other.
    ///
    /// ```
    /// use ndgpu::s;
    /// let l = ndgpu::layout::Layout::contiguous(&[4]);
    /// let (even, odd) = (l.slice(&s![..;2])?, l.slice(&s![1..;2])?);
    /// assert!(!even.overlaps(&odd)); // np.shares_memory
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn overlaps(&self, other: &Layout) -> bool {
        let (Some((a0, a1)), Some((b0, b1))) = (self.extent(), other.extent()) else {
            return false;
        };
        let (lo, hi) = (a0.max(b0), a1.min(b1));
        if lo > hi {
            return false;
        }
        let mut marks = vec![0u64; (hi - lo) / 64 + 1];
        for o in self.offsets().filter(|&o| (lo..=hi).contains(&o)) {
            marks[(o - lo) / 64] |= 1 << ((o - lo) % 64);
        }
        other
            .offsets()
            .filter(|&o| (lo..=hi).contains(&o))
            .any(|o| marks[(o - lo) / 64] & (1 << ((o - lo) % 64)) != 0)
    }
}

/// Iterator over a layout's element offsets in logical C order.
pub struct Offsets<'a> {
    layout: &'a Layout,
    index: Vec<usize>,
    next: Option<isize>,
}

impl Iterator for Offsets<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        let cur = self.next?;
        let l = self.layout;
        let mut off = cur;
        let mut d = l.ndim();
        loop {
            if d == 0 {
                self.next = None;
                break;
            }
            d -= 1;
            self.index[d] += 1;
            off += l.strides[d];
            if self.index[d] < l.shape[d] {
                self.next = Some(off);
                break;
            }
            off -= l.strides[d] * l.shape[d] as isize;
            self.index[d] = 0;
        }
        Some(cur as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s;
    use crate::slice::NewAxis;

    fn offs(l: &Layout) -> Vec<usize> {
        l.offsets().collect()
    }

    #[test]
    fn slicing_matches_numpy() {
        let a = Layout::contiguous(&[10]);
        assert_eq!(offs(&a.slice(&s![2..8;-2]).unwrap()), [7, 5, 3]);
        assert_eq!(offs(&a.slice(&s![..;-1]).unwrap())[..3], [9, 8, 7]);
        assert_eq!(offs(&a.slice(&s![..-7]).unwrap()), [0, 1, 2]);
        assert_eq!(offs(&a.slice(&s![-3..]).unwrap()), [7, 8, 9]);
        assert_eq!(offs(&a.slice(&s![1..;3]).unwrap()), [1, 4, 7]);
        let (hi, lo) = (5, 2);
        assert_eq!(
            a.slice(&s![hi..lo]).unwrap().size(),
            0,
            "NumPy's a[5:2] is empty"
        );
        // Ranges clip to the axis as NumPy's do: x[1:100] is x[1:10].
        assert_eq!(offs(&a.slice(&s![8..100]).unwrap()), [8, 9]);
        assert_eq!(offs(&a.slice(&s![-100..2]).unwrap()), [0, 1]);
        assert_eq!(a.slice(&s![20..30]).unwrap().size(), 0);
        assert_eq!(offs(&a.slice(&s![..;isize::MAX]).unwrap()), [0]);
        assert_eq!(offs(&a.slice(&s![..;-isize::MAX]).unwrap()), [9]);
        assert_eq!(offs(&a.slice(&s![..;usize::MAX]).unwrap()), [0]); // saturates, not -1
        assert!(a.slice(&s![..;0]).is_err());
        assert!(a.slice(&s![..;isize::MIN]).is_err());
        assert!(a.slice(&s![10]).is_err());
        assert!(a.slice(&s![usize::MAX]).is_err());
        assert!(a.slice(&s![isize::MIN]).is_err());
        assert!(a.slice(&s![-11]).is_err());
        assert!(a.slice(&s![0, 0]).is_err());
        let m = Layout::contiguous(&[3, 4]);
        let c = m.slice(&s![.., 1]).unwrap();
        assert_eq!((c.shape(), offs(&c)), (&[3][..], vec![1, 5, 9]));
        let n = m.slice(&s![NewAxis, 1.., ..;-2]).unwrap();
        assert_eq!(n.shape(), &[1, 2, 2]);
        assert_eq!(offs(&n), [7, 5, 11, 9]);
    }

    #[test]
    fn contiguity_flags() {
        let m = Layout::contiguous(&[3, 4]);
        assert!(m.is_c_contiguous() && !m.is_f_contiguous());
        assert!(m.t().is_f_contiguous() && !m.t().is_c_contiguous());
        assert!(Layout::contiguous(&[1, 5]).is_f_contiguous());
        assert!(!m.slice(&s![.., ..2]).unwrap().is_c_contiguous());
        assert!(m.slice(&s![1..2]).unwrap().is_c_contiguous());
    }

    #[test]
    fn reshape_views() {
        let m = Layout::contiguous(&[4, 6]);
        let t = m.t(); // (6,4) F-order
        assert!(t.reshape_view(&[24]).is_none());
        let r = t.reshape_view(&[3, 2, 4]).unwrap();
        assert_eq!(r.strides(), &[2, 1, 6]);
        let s = m.slice(&s![.., ..;2]).unwrap(); // (4,3) strides (6,2): evenly spaced
        assert_eq!(s.reshape_view(&[12]).unwrap().strides(), &[2]);
        assert_eq!(s.reshape_view(&[2, 2, 3]).unwrap().strides(), &[12, 6, 2]);
        let h = m.slice(&s![.., ..2]).unwrap(); // (4,2) strides (6,1)
        assert!(h.reshape_view(&[8]).is_none());
        assert_eq!(h.reshape_view(&[2, 2, 2]).unwrap().strides(), &[12, 6, 1]);
    }

    #[test]
    fn broadcasting() {
        assert_eq!(broadcast_shapes(&[&[3, 1], &[4]]).unwrap(), [3, 4]);
        let e = broadcast_shapes(&[&[3], &[4]]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "operands could not be broadcast together with shapes (3,) (4,)"
        );
        let b = Layout::contiguous(&[3]).broadcast_to(&[2, 3]).unwrap();
        assert_eq!(offs(&b), [0, 1, 2, 0, 1, 2]);
        assert!(Layout::contiguous(&[3]).broadcast_to(&[4]).is_err());
    }

    #[test]
    fn overlap_exact_and_bounds() {
        let a = Layout::contiguous(&[10]);
        let even = a.slice(&s![..;2]).unwrap();
        let odd = a.slice(&s![1..;2]).unwrap();
        assert!(even.may_overlap(&odd));
        assert!(!even.overlaps(&odd));
        assert!(a
            .slice(&s![1..])
            .unwrap()
            .overlaps(&a.slice(&s![..-1]).unwrap()));
        assert!(!a
            .slice(&s![..5])
            .unwrap()
            .may_overlap(&a.slice(&s![5..]).unwrap()));
    }
}
