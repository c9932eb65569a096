//! NumPy's shape routines: joining and splitting, reordering views,
//! tiling, padding and triangles.
//!
//! What NumPy answers with a view is a view here: a new layout over the same
//! buffer (`split`, `flip`, `moveaxis`, `swapaxes`, `diagonal`,
//! `broadcast_arrays`, `ravel` of a C-contiguous array). What NumPy copies is
//! written on the device, never through the host: the result is allocated
//! once and filled through views of it with `assign`/`fill` (one dispatch
//! per piece; `tile` and `repeat` are one broadcast copy each), and
//! `tril`/`triu` are one kernel-IR program that computes each element's row
//! and column from its index.

use crate::array::Array;
use crate::element::{DType, Element};
use crate::error::{fmt_shape, Error, Result};
use crate::kernel::Op;
use crate::layout::{broadcast_shapes, Layout};
use crate::ops::elementwise::{BinaryOp, Builder, CmpOp};
use crate::slice::SliceElem;

/// How [`Array::split`] and [`Array::array_split`] cut an axis: NumPy's
/// `indices_or_sections`.
///
/// ```
/// use ndgpu::Sections;
/// assert_eq!(Sections::from(3), Sections::Count(3)); // np.split(a, 3)
/// assert_eq!(Sections::from(&[2, 5][..]), Sections::Indices(vec![2, 5])); // np.split(a, [2, 5])
/// # Ok::<(), ndgpu::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sections {
    /// This many pieces.
    Count(usize),
    /// Cut before each of these indices: `[2, 5]` gives `a[:2]`, `a[2:5]`,
    /// `a[5:]`. Indices past the axis clip to it and a decreasing pair gives
    /// an empty piece, as NumPy's slices do.
    Indices(Vec<usize>),
}

impl From<usize> for Sections {
    fn from(n: usize) -> Self {
        Sections::Count(n)
    }
}
impl From<&[usize]> for Sections {
    fn from(ix: &[usize]) -> Self {
        Sections::Indices(ix.to_vec())
    }
}
impl<const N: usize> From<[usize; N]> for Sections {
    fn from(ix: [usize; N]) -> Self {
        Sections::Indices(ix.to_vec())
    }
}
impl<const N: usize> From<&[usize; N]> for Sections {
    fn from(ix: &[usize; N]) -> Self {
        Sections::Indices(ix.to_vec())
    }
}
impl From<Vec<usize>> for Sections {
    fn from(ix: Vec<usize>) -> Self {
        Sections::Indices(ix)
    }
}

/// What [`Array::pad`] writes around the array: NumPy's `mode`.
///
/// ```
/// use ndgpu::PadMode;
/// let m = PadMode::Constant(0.0f32); // np.pad(a, w, mode="constant", constant_values=0)
/// assert_ne!(m, PadMode::Edge);      // np.pad(a, w, mode="edge")
/// # Ok::<(), ndgpu::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PadMode<T> {
    /// Every padded element is this value (`mode="constant"`).
    Constant(T),
    /// Each padded element repeats the nearest edge element (`mode="edge"`).
    Edge,
}

/// NumPy's `AxisError` text, with its `source: `/`axis1: ` prefix.
pub(crate) fn check_axis(axis: usize, ndim: usize, prefix: &str) -> Result<()> {
    if axis < ndim {
        Ok(())
    } else {
        Err(Error::Index(format!(
            "{prefix}axis {axis} is out of bounds for array of dimension {ndim}"
        )))
    }
}

fn too_big(what: &str) -> Error {
    Error::Shape(format!("{what}: the result has too many elements"))
}

/// `s![.., .., start..start + len, ..]` with the range at `axis`.
fn range_at(ndim: usize, axis: usize, start: usize, len: usize, step: isize) -> Vec<SliceElem> {
    let mut e = vec![
        SliceElem::Slice {
            start: 0,
            end: None,
            step: 1
        };
        ndim
    ];
    e[axis] = SliceElem::Slice {
        start: start as isize,
        end: Some((start + len) as isize),
        step,
    };
    e
}

impl<T: Element> Array<T> {
    /// `len` elements of `axis` from `start`, a view; the caller keeps
    /// `start + len` within the axis.
    fn narrow(&self, axis: usize, start: usize, len: usize) -> Result<Array<T>> {
        self.slice(range_at(self.ndim(), axis, start, len, 1))
    }

    /// A new array of `shape` whose elements `f` writes.
    #[track_caller]
    fn build(
        dev: &crate::Device,
        shape: &[usize],
        f: impl FnOnce(&Array<T>) -> Result<()>,
    ) -> Result<Array<T>> {
        Array::uninit(dev, shape)?.fresh(f)
    }

    /// Joins arrays along an existing axis into a new array (NumPy's
    /// `np.concatenate(arrays, axis)`): one copy per input, on the device.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[2, 2])?;
    /// let b = Array::from_slice(&dev, &[5, 6], &[1, 2])?;
    /// let c = Array::concatenate(&[&a, &b], 0)?; // np.concatenate([a, b], axis=0)
    /// assert_eq!((c.shape(), c.to_vec()?), (&[3, 2][..], vec![1, 2, 3, 4, 5, 6]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// No arrays ("need at least one array to concatenate"); 0-d arrays; an
    /// axis out of bounds; arrays whose numbers of dimensions or sizes off
    /// the axis differ (NumPy's messages); arrays on different devices; out
    /// of memory.
    #[track_caller]
    pub fn concatenate(arrays: &[&Array<T>], axis: usize) -> Result<Array<T>> {
        let first = arrays
            .first()
            .ok_or_else(|| Error::Value("need at least one array to concatenate".into()))?;
        let nd = first.ndim();
        if nd == 0 {
            return Err(Error::Shape(
                "zero-dimensional arrays cannot be concatenated".into(),
            ));
        }
        check_axis(axis, nd, "")?;
        let mut len = 0usize;
        for (i, a) in arrays.iter().enumerate() {
            if a.ndim() != nd {
                return Err(Error::Shape(format!(
                    "all the input arrays must have same number of dimensions, but the array \
                     at index 0 has {nd} dimension(s) and the array at index {i} has {} dimension(s)",
                    a.ndim()
                )));
            }
            if let Some(d) = (0..nd).find(|&d| d != axis && a.shape()[d] != first.shape()[d]) {
                return Err(Error::Shape(format!(
                    "all the input array dimensions except for the concatenation axis must \
                     match exactly, but along dimension {d}, the array at index 0 has size {} \
                     and the array at index {i} has size {}",
                    first.shape()[d],
                    a.shape()[d]
                )));
            }
            if !a.device.same(&first.device) {
                return Err(Error::DeviceMismatch(
                    first.device.info().name.clone(),
                    a.device.info().name.clone(),
                ));
            }
            len = len
                .checked_add(a.shape()[axis])
                .ok_or_else(|| too_big("concatenate"))?;
        }
        let mut shape = first.shape().to_vec();
        shape[axis] = len;
        Array::build(&first.device, &shape, |out| {
            let mut at = 0;
            for a in arrays {
                let n = a.shape()[axis];
                if n > 0 && !out.is_empty() {
                    out.narrow(axis, at, n)?.assign(a)?;
                }
                at += n;
            }
            Ok(())
        })
    }

    /// Joins arrays of one shape along a new axis (NumPy's
    /// `np.stack(arrays, axis)`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// let b = Array::from_slice(&dev, &[3, 4], &[2])?;
    /// let c = Array::stack(&[&a, &b], 1)?; // np.stack([a, b], axis=1)
    /// assert_eq!((c.shape(), c.to_vec()?), (&[2, 2][..], vec![1, 3, 2, 4]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// No arrays ("need at least one array to stack"); shapes that differ
    /// ("all input arrays must have the same shape"); `axis > ndim`; arrays
    /// on different devices; out of memory.
    #[track_caller]
    pub fn stack(arrays: &[&Array<T>], axis: usize) -> Result<Array<T>> {
        let first = arrays
            .first()
            .ok_or_else(|| Error::Value("need at least one array to stack".into()))?;
        if arrays.iter().any(|a| a.shape() != first.shape()) {
            return Err(Error::Shape(
                "all input arrays must have the same shape".into(),
            ));
        }
        let views = arrays
            .iter()
            .map(|a| a.expand_dims(axis))
            .collect::<Result<Vec<_>>>()?;
        Array::concatenate(&views.iter().collect::<Vec<_>>(), axis)
    }

    /// Joins arrays column-wise (NumPy's `np.hstack`): along axis 0 for 1-D
    /// arrays, along axis 1 otherwise; 0-d arrays count as 1-D.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2, 1])?;
    /// let b = Array::from_slice(&dev, &[3, 4], &[2, 1])?;
    /// assert_eq!(Array::hstack(&[&a, &b])?.to_vec()?, vec![1, 3, 2, 4]); // np.hstack([a, b])
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`concatenate`](Array::concatenate).
    #[track_caller]
    pub fn hstack(arrays: &[&Array<T>]) -> Result<Array<T>> {
        let views = arrays
            .iter()
            .map(|a| {
                if a.ndim() == 0 {
                    a.expand_dims(0)
                } else {
                    Ok((*a).clone())
                }
            })
            .collect::<Result<Vec<_>>>()?;
        let axis = match views.first() {
            Some(v) if v.ndim() == 1 => 0,
            _ => 1,
        };
        Array::concatenate(&views.iter().collect::<Vec<_>>(), axis)
    }

    /// Joins arrays row-wise (NumPy's `np.vstack`): along axis 0, with 1-D
    /// arrays of length `n` taken as rows of shape `(1, n)` and 0-d ones as
    /// `(1, 1)`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// let b = Array::from_slice(&dev, &[3, 4], &[2])?;
    /// let c = Array::vstack(&[&a, &b])?; // np.vstack([a, b])
    /// assert_eq!((c.shape(), c.to_vec()?), (&[2, 2][..], vec![1, 2, 3, 4]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`concatenate`](Array::concatenate).
    #[track_caller]
    pub fn vstack(arrays: &[&Array<T>]) -> Result<Array<T>> {
        let views = arrays
            .iter()
            .map(|a| match a.ndim() {
                0 => a.expand_dims(0)?.expand_dims(0),
                1 => a.expand_dims(0),
                _ => Ok((*a).clone()),
            })
            .collect::<Result<Vec<_>>>()?;
        Array::concatenate(&views.iter().collect::<Vec<_>>(), 0)
    }

    /// Cuts `axis` into equal pieces, or before given indices; the pieces
    /// are views (NumPy's `np.split(a, indices_or_sections, axis)`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0, 1, 2, 3, 4, 5], &[6])?;
    /// let p = a.split(3, 0)?; // np.split(a, 3)
    /// assert_eq!(p[1].to_vec()?, vec![2, 3]);
    /// let q = a.split([1, 4], 0)?; // np.split(a, [1, 4])
    /// assert_eq!(q.iter().map(|v| v.len()).collect::<Vec<_>>(), vec![1, 3, 2]);
    /// assert!(a.split(4, 0).is_err()); // 6 is not a multiple of 4
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of bounds; zero sections; a count that does not divide
    /// the axis ("array split does not result in an equal division").
    pub fn split(&self, sections: impl Into<Sections>, axis: usize) -> Result<Vec<Array<T>>> {
        check_axis(axis, self.ndim(), "")?;
        let s = sections.into();
        if let Sections::Count(n) = s {
            if n != 0 && !self.shape()[axis].is_multiple_of(n) {
                return Err(Error::Value(
                    "array split does not result in an equal division".into(),
                ));
            }
        }
        self.array_split(s, axis)
    }

    /// Like [`split`](Array::split), but a count need not divide the axis:
    /// the first `len % n` pieces get one element more (NumPy's
    /// `np.array_split`). The pieces are views.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0, 1, 2, 3, 4, 5, 6], &[7])?;
    /// let p = a.array_split(3, 0)?; // np.array_split(a, 3)
    /// assert_eq!(p.iter().map(|v| v.len()).collect::<Vec<_>>(), vec![3, 2, 2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of bounds; zero sections ("number sections must be larger than 0.").
    pub fn array_split(&self, sections: impl Into<Sections>, axis: usize) -> Result<Vec<Array<T>>> {
        check_axis(axis, self.ndim(), "")?;
        let len = self.shape()[axis];
        let bounds: Vec<(usize, usize)> = match sections.into() {
            Sections::Count(0) => {
                return Err(Error::Value(
                    "number sections must be larger than 0.".into(),
                ))
            }
            Sections::Count(n) => {
                let (q, r) = (len / n, len % n);
                let mut at = 0;
                (0..n)
                    .map(|i| {
                        let m = q + usize::from(i < r);
                        at += m;
                        (at - m, at)
                    })
                    .collect()
            }
            Sections::Indices(ix) => {
                let points: Vec<usize> = std::iter::once(0)
                    .chain(ix.iter().map(|&i| i.min(len)))
                    .chain(std::iter::once(len))
                    .collect();
                points.windows(2).map(|w| (w[0], w[1].max(w[0]))).collect()
            }
        };
        bounds
            .into_iter()
            .map(|(a, b)| self.narrow(axis, a, b - a))
            .collect()
    }

    /// A view with the order of elements reversed along `axis`, or along
    /// every axis for `None` (NumPy's `np.flip(a, axis)`): a negative stride.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4, 5, 6], &[2, 3])?;
    /// assert_eq!(a.flip(Some(1))?.to_vec()?, vec![3, 2, 1, 6, 5, 4]); // np.flip(a, 1)
    /// assert_eq!(a.flip(None)?.to_vec()?, vec![6, 5, 4, 3, 2, 1]); // np.flip(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of bounds.
    pub fn flip(&self, axis: Option<usize>) -> Result<Array<T>> {
        let nd = self.ndim();
        let full = SliceElem::Slice {
            start: 0,
            end: None,
            step: 1,
        };
        let rev = SliceElem::Slice {
            start: 0,
            end: None,
            step: -1,
        };
        let elems = match axis {
            Some(a) => {
                check_axis(a, nd, "")?;
                (0..nd).map(|d| if d == a { rev } else { full }).collect()
            }
            None => vec![rev; nd],
        };
        self.slice(elems)
    }

    /// A view with axis `src` moved to position `dst`, the others keeping
    /// their order (NumPy's `np.moveaxis(a, src, dst)`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2, 3, 4])?;
    /// assert_eq!(a.moveaxis(0, 2)?.shape(), &[3, 4, 2]); // np.moveaxis(a, 0, -1)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `src` or `dst` out of bounds (NumPy's `source: `/`destination: ` messages).
    pub fn moveaxis(&self, src: usize, dst: usize) -> Result<Array<T>> {
        let nd = self.ndim();
        check_axis(src, nd, "source: ")?;
        check_axis(dst, nd, "destination: ")?;
        let mut perm: Vec<usize> = (0..nd).filter(|&d| d != src).collect();
        perm.insert(dst, src);
        self.permute(&perm)
    }

    /// A view with two axes exchanged (NumPy's `np.swapaxes(a, axis1, axis2)`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4, 5, 6], &[1, 2, 3])?;
    /// let b = a.swapaxes(0, 2)?; // np.swapaxes(a, 0, 2)
    /// assert_eq!((b.shape(), b.to_vec()?), (&[3, 2, 1][..], vec![1, 4, 2, 5, 3, 6]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of bounds (NumPy's `axis1: `/`axis2: ` messages).
    pub fn swapaxes(&self, axis1: usize, axis2: usize) -> Result<Array<T>> {
        let nd = self.ndim();
        check_axis(axis1, nd, "axis1: ")?;
        check_axis(axis2, nd, "axis2: ")?;
        let mut perm: Vec<usize> = (0..nd).collect();
        perm.swap(axis1, axis2);
        self.permute(&perm)
    }

    /// The layout of the `offset`-th diagonal of the plane `(axis1, axis2)`:
    /// those two axes removed, the diagonal appended as the last axis.
    fn diagonal_layout(&self, offset: isize, axis1: usize, axis2: usize) -> Result<Layout> {
        let nd = self.ndim();
        if nd < 2 {
            return Err(Error::Value(
                "diag requires an array of at least two dimensions".into(),
            ));
        }
        check_axis(axis1, nd, "axis1: ")?;
        check_axis(axis2, nd, "axis2: ")?;
        if axis1 == axis2 {
            return Err(Error::Value("axis1 and axis2 cannot be the same".into()));
        }
        let l = &self.layout;
        let (n1, n2, s1, s2) = (
            l.shape[axis1],
            l.shape[axis2],
            l.strides[axis1],
            l.strides[axis2],
        );
        let k = offset.unsigned_abs();
        // (length, the first element's row along axis1, its column along axis2)
        let (len, r, c) = if offset >= 0 {
            (n1.min(n2.saturating_sub(k)), 0, k)
        } else {
            (n1.saturating_sub(k).min(n2), k, 0)
        };
        let mut out = Layout {
            shape: Vec::with_capacity(nd - 1),
            strides: Vec::with_capacity(nd - 1),
            offset: l.offset,
        };
        for d in (0..nd).filter(|&d| d != axis1 && d != axis2) {
            out.shape.push(l.shape[d]);
            out.strides.push(l.strides[d]);
        }
        // With two elements or more both axes hold them, so s1 + s2 steps
        // between addressed elements and cannot overflow; with fewer the
        // stride is never used.
        out.shape.push(len);
        out.strides.push(s1.wrapping_add(s2));
        if len > 0 {
            // (r, c) is an element of the plane, as Layout::slice moves to its first element.
            out.offset = (l.offset as isize + r as isize * s1 + c as isize * s2) as usize;
        }
        Ok(out)
    }

    /// A read-only view of the `offset`-th diagonal of the plane
    /// `(axis1, axis2)`, which becomes the last axis (NumPy's
    /// `a.diagonal(offset, axis1, axis2)`, read-only as NumPy's;
    /// [`set_writeable(true)`](Array::set_writeable) makes it writeable when
    /// the array is). Positive offsets are above the main diagonal.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0, 1, 2, 3, 4, 5, 6, 7, 8], &[3, 3])?;
    /// assert_eq!(a.diagonal(0, 0, 1)?.to_vec()?, vec![0, 4, 8]); // a.diagonal()
    /// assert_eq!(a.diagonal(1, 0, 1)?.to_vec()?, vec![1, 5]);    // a.diagonal(1)
    /// assert_eq!(a.diagonal(-1, 0, 1)?.to_vec()?, vec![3, 7]);   // a.diagonal(-1)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Fewer than two dimensions; an axis out of bounds; `axis1 == axis2`.
    pub fn diagonal(&self, offset: isize, axis1: usize, axis2: usize) -> Result<Array<T>> {
        let v = self.view(self.diagonal_layout(offset, axis1, axis2)?);
        v.set_writeable(false)?;
        Ok(v)
    }

    /// The elements in C order as a 1-D array: a view when the array is
    /// C-contiguous, else a copy (NumPy's `np.ravel(a)`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[2, 2])?;
    /// assert!(a.ravel()?.shares_memory(&a)); // np.ravel(a): a view
    /// assert_eq!(a.t().ravel()?.to_vec()?, vec![1, 3, 2, 4]); // np.ravel(a.T): a copy
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory (for the copy).
    #[track_caller]
    pub fn ravel(&self) -> Result<Array<T>> {
        let n = self.len();
        if self.layout.is_c_contiguous() {
            return Ok(self.view(Layout {
                shape: vec![n],
                strides: vec![1],
                offset: self.layout.offset,
            }));
        }
        Array::build(&self.device, &[n], |out| {
            out.reshape(self.shape())?.assign(self)
        })
    }

    /// Views of the arrays broadcast to their common shape (NumPy's
    /// `np.broadcast_arrays`): an array already of that shape comes back as
    /// a view of itself, the others as read-only broadcast views.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3], &[3])?;
    /// let b = Array::from_slice(&dev, &[10, 20], &[2, 1])?;
    /// let v = Array::broadcast_arrays(&[&a, &b])?; // np.broadcast_arrays(a, b)
    /// assert_eq!(v[0].to_vec()?, vec![1, 2, 3, 1, 2, 3]);
    /// assert_eq!(v[1].to_vec()?, vec![10, 10, 10, 20, 20, 20]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast ([`Error::Broadcast`]).
    pub fn broadcast_arrays(arrays: &[&Array<T>]) -> Result<Vec<Array<T>>> {
        let shapes: Vec<&[usize]> = arrays.iter().map(|a| a.shape()).collect();
        let shape = broadcast_shapes(&shapes)?;
        arrays
            .iter()
            .map(|a| {
                if a.shape() == shape {
                    Ok(a.view(a.layout.clone()))
                } else {
                    a.broadcast_to(&shape)
                }
            })
            .collect()
    }

    /// A copy with the elements shifted by `shift` along `axis`, those that
    /// fall off one end coming back at the other; `None` rolls the flattened
    /// array and restores the shape (NumPy's `np.roll(a, shift, axis)`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0, 1, 2, 3, 4, 5], &[2, 3])?;
    /// assert_eq!(a.roll(1, Some(1))?.to_vec()?, vec![2, 0, 1, 5, 3, 4]); // np.roll(a, 1, axis=1)
    /// assert_eq!(a.roll(-1, None)?.to_vec()?, vec![1, 2, 3, 4, 5, 0]);   // np.roll(a, -1)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of bounds; out of memory.
    #[track_caller]
    pub fn roll(&self, shift: isize, axis: Option<usize>) -> Result<Array<T>> {
        if let Some(ax) = axis {
            check_axis(ax, self.ndim(), "")?;
            return Array::build(&self.device, self.shape(), |out| {
                roll_into(self, out, shift, ax)
            });
        }
        let flat = self.ravel()?;
        Array::build(&self.device, self.shape(), |out| {
            roll_into(&flat, &out.reshape(&[self.len()])?, shift, 0)
        })
    }

    /// The array repeated `reps[d]` times along each axis (NumPy's
    /// `np.tile(a, reps)`): `reps` shorter than `ndim` is padded with 1s in
    /// front, and the array gains leading axes when `reps` is longer. One
    /// broadcast copy on the device.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// let t = a.tile(&[2, 2])?; // np.tile(a, (2, 2))
    /// assert_eq!((t.shape(), t.to_vec()?), (&[2, 4][..], vec![1, 2, 1, 2, 1, 2, 1, 2]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A result too large; out of memory.
    #[track_caller]
    pub fn tile(&self, reps: &[usize]) -> Result<Array<T>> {
        let d = reps.len().max(self.ndim());
        let reps: Vec<usize> = std::iter::repeat_n(1, d - reps.len())
            .chain(reps.iter().copied())
            .collect();
        let lead = d - self.ndim();
        let shape: Vec<usize> = std::iter::repeat_n(1, lead)
            .chain(self.shape().iter().copied())
            .collect();
        let strides: Vec<isize> = std::iter::repeat_n(0, lead)
            .chain(self.strides().iter().copied())
            .collect();
        let out_shape = shape
            .iter()
            .zip(&reps)
            .map(|(&s, &r)| s.checked_mul(r))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| too_big("tile"))?;
        // The result seen as (r0, s0, r1, s1, ...), the source repeated
        // along every r axis with stride 0.
        let inter_shape: Vec<usize> = reps
            .iter()
            .zip(&shape)
            .flat_map(|(&r, &s)| [r, s])
            .collect();
        let src = self.view(Layout {
            shape: inter_shape.clone(),
            strides: strides.iter().flat_map(|&s| [0, s]).collect(),
            offset: self.layout.offset,
        });
        Array::build(&self.device, &out_shape, |out| {
            out.reshape(&inter_shape)?.assign(&src)
        })
    }

    /// Each element repeated `repeats` times along `axis`, or in the
    /// flattened array for `None` (NumPy's `np.repeat(a, repeats, axis)`
    /// with one count). One broadcast copy on the device.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[2, 2])?;
    /// assert_eq!(a.repeat(2, None)?.to_vec()?, vec![1, 1, 2, 2, 3, 3, 4, 4]); // np.repeat(a, 2)
    /// let r = a.repeat(2, Some(0))?; // np.repeat(a, 2, axis=0)
    /// assert_eq!((r.shape(), r.to_vec()?), (&[4, 2][..], vec![1, 2, 1, 2, 3, 4, 3, 4]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of bounds; a result too large; out of memory.
    #[track_caller]
    pub fn repeat(&self, repeats: usize, axis: Option<usize>) -> Result<Array<T>> {
        // The source with a stride-0 axis of length `repeats` after `ax`
        // (after the last axis when flattening); the result viewed as that shape.
        let ax = match axis {
            Some(a) => {
                check_axis(a, self.ndim(), "")?;
                a + 1
            }
            None => self.ndim(),
        };
        let mut l = self.layout.clone();
        l.shape.insert(ax, repeats);
        l.strides.insert(ax, 0);
        let out_shape = match axis {
            Some(a) => {
                let mut s = self.shape().to_vec();
                s[a] = s[a].checked_mul(repeats).ok_or_else(|| too_big("repeat"))?;
                s
            }
            None => vec![self
                .len()
                .checked_mul(repeats)
                .ok_or_else(|| too_big("repeat"))?],
        };
        let src = self.view(l);
        Array::build(&self.device, &out_shape, |out| {
            out.reshape(src.shape())?.assign(&src)
        })
    }

    /// Element `i` along `axis` repeated `counts[i]` times, or of the
    /// flattened array for `None` (NumPy's `np.repeat(a, counts, axis)` with
    /// one count per element). One broadcast copy per element of the axis,
    /// so meant for short axes; with one count for all, use
    /// [`repeat`](Array::repeat), a single copy.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[2, 2])?;
    /// let r = a.repeat_each(&[1, 2], Some(1))?; // np.repeat(a, [1, 2], axis=1)
    /// assert_eq!((r.shape(), r.to_vec()?), (&[2, 3][..], vec![1, 2, 2, 3, 4, 4]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An axis out of bounds; `counts` neither one count nor one per
    /// element (NumPy's broadcast message); a result too large; out of memory.
    #[track_caller]
    pub fn repeat_each(&self, counts: &[usize], axis: Option<usize>) -> Result<Array<T>> {
        if let [c] = counts {
            // One count broadcasts to every element, as NumPy's.
            return self.repeat(*c, axis);
        }
        let (src, ax) = match axis {
            Some(a) => {
                check_axis(a, self.ndim(), "")?;
                (self.clone(), a)
            }
            None => (self.ravel()?, 0),
        };
        let n = src.shape()[ax];
        if counts.len() != n {
            return Err(Error::Shape(format!(
                "operands could not be broadcast together with shape {} {}",
                fmt_shape(&[n]),
                fmt_shape(&[counts.len()])
            )));
        }
        let total = counts
            .iter()
            .try_fold(0usize, |acc, &c| acc.checked_add(c))
            .ok_or_else(|| too_big("repeat"))?;
        let mut shape = src.shape().to_vec();
        shape[ax] = total;
        Array::build(&self.device, &shape, |out| {
            if out.is_empty() {
                return Ok(());
            }
            let mut at = 0;
            for (i, &c) in counts.iter().enumerate() {
                if c > 0 {
                    out.narrow(ax, at, c)?.assign(&src.narrow(ax, i, 1)?)?;
                }
                at += c;
            }
            Ok(())
        })
    }

    /// A copy with `widths[d] = (before, after)` elements added around each
    /// axis `d` (NumPy's `np.pad(a, widths, mode)`); one pair applies to
    /// every axis, as NumPy broadcasts `pad_width`.
    ///
    /// ```
    /// use ndgpu::{Array, Device, PadMode};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// assert_eq!(a.pad(&[(1, 2)], PadMode::Constant(0))?.to_vec()?, vec![0, 1, 2, 0, 0]); // np.pad(a, (1, 2))
    /// assert_eq!(a.pad(&[(2, 1)], PadMode::Edge)?.to_vec()?, vec![1, 1, 1, 2, 2]); // np.pad(a, (2, 1), mode="edge")
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `widths` neither one pair nor one per axis; `Edge` padding of an
    /// empty axis (NumPy's message); a result too large; out of memory.
    #[track_caller]
    pub fn pad(&self, widths: &[(usize, usize)], mode: PadMode<T>) -> Result<Array<T>> {
        let nd = self.ndim();
        let w: Vec<(usize, usize)> = match widths {
            [one] => vec![*one; nd],
            _ if widths.len() == nd => widths.to_vec(),
            _ => {
                return Err(Error::Shape(format!(
                    "operands could not be broadcast together with remapped shapes \
                     [original->remapped]: {}  and requested shape {}",
                    fmt_shape(&if widths.is_empty() {
                        vec![0]
                    } else {
                        vec![widths.len(), 2]
                    }),
                    fmt_shape(&[nd, 2])
                )))
            }
        };
        let mut out_shape = Vec::with_capacity(nd);
        for (d, (&n, &(b, a))) in self.shape().iter().zip(&w).enumerate() {
            if matches!(mode, PadMode::Edge) && n == 0 && b + a > 0 {
                return Err(Error::Value(format!(
                    "can't extend empty axis {d} using modes other than 'constant' or 'empty'"
                )));
            }
            out_shape.push(
                n.checked_add(b)
                    .and_then(|x| x.checked_add(a))
                    .ok_or_else(|| too_big("pad"))?,
            );
        }
        Array::build(&self.device, &out_shape, |out| {
            if out.is_empty() {
                return Ok(());
            }
            let inner: Vec<SliceElem> = w
                .iter()
                .zip(self.shape())
                .map(|(&(b, _), &n)| SliceElem::Slice {
                    start: b as isize,
                    end: Some((b + n) as isize),
                    step: 1,
                })
                .collect();
            let interior = out.slice(inner)?;
            match mode {
                PadMode::Constant(v) => {
                    if out.len() != self.len() {
                        out.fill(v)?;
                    }
                    interior.assign(self)
                }
                PadMode::Edge => {
                    interior.assign(self)?;
                    // Axis by axis over the whole extent of the others, so a
                    // corner repeats the edge already written along earlier
                    // axes, as NumPy pads.
                    for (d, (&(b, a), &n)) in w.iter().zip(self.shape()).enumerate() {
                        if b > 0 {
                            out.narrow(d, 0, b)?.assign(&out.narrow(d, b, 1)?)?;
                        }
                        if a > 0 {
                            out.narrow(d, b + n, a)?
                                .assign(&out.narrow(d, b + n - 1, 1)?)?;
                        }
                    }
                    Ok(())
                }
            }
        })
    }

    /// `where(keep(row, col), self, 0)` over the last two axes, as one
    /// program: the row and column come from the element's index.
    #[track_caller]
    fn triangle(&self, k: isize, lower: bool, name: &str) -> Result<Array<T>> {
        let shape = match self.shape() {
            [] => {
                return Err(Error::Value(format!(
                    "{name} requires an array of at least one dimension"
                )))
            }
            // NumPy broadcasts a 1-D array against the (n, n) mask.
            &[n] => vec![n, n],
            s => s.to_vec(),
        };
        let (m, n) = (shape[shape.len() - 2], shape[shape.len() - 1]);
        let size = crate::layout::checked_size(&shape)?;
        if size > u32::MAX as usize {
            return Err(Error::Value(format!(
                "{name}: {size} elements are more than a kernel's u32 element index can reach"
            )));
        }
        Array::build(&self.device, &shape, |out| {
            if size == 0 {
                return Ok(());
            }
            // keep ⇔ col - row ≤ k (tril) or ≥ k (triu), in u32 as
            // col + max(-k, 0) vs row + max(k, 0). Clamping k to [-m, n]
            // changes no answer, and keeps both sides ≤ m·n, inside u32.
            let k = k.clamp(-(m as isize), n as isize);
            let (ka, kb) = ((-k).max(0) as u32, k.max(0) as u32);
            let mut p = Builder::default();
            let x = p.input(self);
            let idx = p.node(Op::Index, DType::U32);
            let (nn, mm) = (p.scalar(n as u32), p.scalar(m as u32));
            let (sa, sb) = (p.scalar(ka), p.scalar(kb));
            let zero = p.scalar(T::from_f64(0.0));
            let col = p.node(Op::Binary(BinaryOp::Rem, idx, nn), DType::U32);
            let q = p.node(Op::Binary(BinaryOp::Div, idx, nn), DType::U32);
            let row = p.node(Op::Binary(BinaryOp::Rem, q, mm), DType::U32);
            let lhs = p.node(Op::Binary(BinaryOp::Add, col, sa), DType::U32);
            let rhs = p.node(Op::Binary(BinaryOp::Add, row, sb), DType::U32);
            let cmp = if lower { CmpOp::Le } else { CmpOp::Ge };
            let keep = p.node(Op::Cmp(cmp, lhs, rhs), DType::Bool);
            p.node(Op::Select(keep, x, zero), T::DTYPE);
            out.apply(&p)
        })
    }

    /// A copy with the elements above the `k`-th diagonal of the last two
    /// axes zeroed (NumPy's `np.tril(a, k)`); `k > 0` keeps more diagonals,
    /// `k < 0` fewer. A 1-D array of length `n` is broadcast to `(n, n)` as
    /// NumPy does. One kernel on the device.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4, 5, 6, 7, 8, 9], &[3, 3])?;
    /// assert_eq!(a.tril(0)?.to_vec()?, vec![1, 0, 0, 4, 5, 0, 7, 8, 9]); // np.tril(a)
    /// assert_eq!(a.tril(-1)?.to_vec()?, vec![0, 0, 0, 4, 0, 0, 7, 8, 0]); // np.tril(a, -1)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A 0-d array; more than `u32::MAX` elements; out of memory.
    #[track_caller]
    pub fn tril(&self, k: isize) -> Result<Array<T>> {
        self.triangle(k, true, "tril")
    }

    /// A copy with the elements below the `k`-th diagonal of the last two
    /// axes zeroed (NumPy's `np.triu(a, k)`). One kernel on the device.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4, 5, 6, 7, 8, 9], &[3, 3])?;
    /// assert_eq!(a.triu(0)?.to_vec()?, vec![1, 2, 3, 0, 5, 6, 0, 0, 9]); // np.triu(a)
    /// assert_eq!(a.triu(1)?.to_vec()?, vec![0, 2, 3, 0, 0, 6, 0, 0, 0]); // np.triu(a, 1)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A 0-d array; more than `u32::MAX` elements; out of memory.
    #[track_caller]
    pub fn triu(&self, k: isize) -> Result<Array<T>> {
        self.triangle(k, false, "triu")
    }

    /// NumPy's `np.diag(v, k)`: for 1-D `v`, a square matrix with `v` on its
    /// `k`-th diagonal and zeros elsewhere; for 2-D `v`, a copy of its
    /// `k`-th diagonal.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let v = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// let m = Array::diag(&v, 1)?; // np.diag(v, 1)
    /// assert_eq!((m.shape(), m.to_vec()?), (&[3, 3][..], vec![0, 1, 0, 0, 0, 2, 0, 0, 0]));
    /// assert_eq!(Array::diag(&m, 1)?.to_vec()?, vec![1, 2]); // np.diag(m, 1)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `v` neither 1-D nor 2-D ("Input must be 1- or 2-d."); a result too
    /// large; out of memory.
    #[track_caller]
    pub fn diag(v: &Array<T>, k: isize) -> Result<Array<T>> {
        match v.ndim() {
            1 => {
                let n = v
                    .len()
                    .checked_add(k.unsigned_abs())
                    .ok_or_else(|| too_big("diag"))?;
                Array::zeros(&v.device, &[n, n])?
                    .fresh(|out| out.view(out.diagonal_layout(k, 0, 1)?).assign(v))
            }
            2 => v.view(v.diagonal_layout(k, 0, 1)?).copy(),
            _ => Err(Error::Value("Input must be 1- or 2-d.".into())),
        }
    }
}

impl<T: crate::element::Number> Array<T> {
    /// The outer product `out[i, j] = a[i] * b[j]` of the flattened arrays
    /// (NumPy's `np.outer(a, b)`): one broadcast multiplication.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// let b = Array::from_slice(&dev, &[1, 10, 100], &[3])?;
    /// let o = Array::outer(&a, &b)?; // np.outer(a, b)
    /// assert_eq!((o.shape(), o.to_vec()?), (&[2, 3][..], vec![1, 10, 100, 2, 20, 200]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Arrays on different devices; out of memory.
    #[track_caller]
    pub fn outer(a: &Array<T>, b: &Array<T>) -> Result<Array<T>> {
        if !a.device.same(&b.device) {
            return Err(Error::DeviceMismatch(
                a.device.info().name.clone(),
                b.device.info().name.clone(),
            ));
        }
        // Views when the layouts allow (reshape copies only when it must).
        let col = a.reshape(&[a.len(), 1])?;
        let row = b.reshape(&[1, b.len()])?;
        col.mul(&row)
    }
}

/// `dst = roll(src, shift)` along `axis`: two copies, the tail to the front
/// and the head to the back.
fn roll_into<T: Element>(src: &Array<T>, dst: &Array<T>, shift: isize, axis: usize) -> Result<()> {
    let n = src.shape()[axis];
    if n == 0 || src.is_empty() {
        return Ok(());
    }
    let s = shift.rem_euclid(n as isize) as usize;
    if s == 0 {
        return dst.assign(src);
    }
    dst.narrow(axis, s, n - s)?
        .assign(&src.narrow(axis, 0, n - s)?)?;
    dst.narrow(axis, 0, s)?.assign(&src.narrow(axis, n - s, s)?)
}
