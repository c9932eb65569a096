//! Integer indexing: `take` and `take_along_axis` as one gather kernel of
//! the kernel IR (an index node and an input read at a moved position),
//! and the scatters `put_along_axis` and `index_add` (NumPy's `add.at`).

use crate::array::Array;
use crate::element::{DType, Element, Integer};
use crate::error::{Error, Result};
use crate::kernel::Op;
use crate::layout::{broadcast_shapes, Layout};
use crate::ops::elementwise::{BinaryOp, Builder, CmpOp};

/// NumPy's `AxisError` message, or the axis.
pub(crate) fn check_axis(axis: usize, ndim: usize) -> Result<usize> {
    if axis < ndim {
        Ok(axis)
    } else {
        Err(Error::Index(format!(
            "axis {axis} is out of bounds for array of dimension {ndim}"
        )))
    }
}

/// Checks every index against an axis of length `n` (negative ones count
/// from the end), with NumPy's `IndexError` for the first one out of range
/// in C order. Reads two values back (a min and a max), and the indices
/// only when one is out of range.
fn check_indices<I: Integer>(idx: &Array<I>, axis: usize, n: usize) -> Result<()> {
    if idx.is_empty() {
        return Ok(());
    }
    let lo = idx.min(crate::Axes::All, false)?.item()?.to_f64();
    let hi = idx.max(crate::Axes::All, false)?.item()?.to_f64();
    let bad = |v: f64| v >= n as f64 || v < -(n as f64);
    if !bad(lo) && !bad(hi) {
        return Ok(());
    }
    let first = idx
        .to_vec()?
        .into_iter()
        .map(|v| v.to_f64())
        .find(|&v| bad(v))
        .unwrap_or(hi);
    Err(Error::Index(format!(
        "index {first} is out of bounds for axis {axis} with size {n}"
    )))
}

impl<T: Element> Array<T> {
    /// `out = src[..., idx, ...]` along `axis`, where `src` and `idx` are
    /// already laid out over `out`'s shape: `src` with stride 0 where the
    /// index varies, `idx` broadcast. One gather kernel.
    fn gather<I: Integer>(
        src: &Array<T>,
        idx: &Array<I>,
        axis_len: usize,
        step: isize,
        shape: &[usize],
    ) -> Result<Array<T>> {
        let out = Array::<T>::uninit(&src.device, shape)?;
        let mut k = Builder::default();
        k.inputs.push(src.operand());
        let i = k.input(idx);
        let i = if I::DTYPE == DType::I32 {
            i
        } else {
            k.node(Op::Cast(i), DType::I32)
        };
        // Negative indices count from the end.
        let zero = k.scalar(0i32);
        let n = k.scalar(axis_len as i32);
        let neg = k.node(Op::Cmp(CmpOp::Lt, i, zero), DType::Bool);
        let up = k.node(Op::Binary(BinaryOp::Add, i, n), DType::I32);
        let i = k.node(Op::Select(neg, up, i), DType::I32);
        let st = k.scalar(step as i32);
        k.node(Op::Gather(0, i, st), T::DTYPE);
        out.fresh(|out| out.apply(&k))
    }

    /// NumPy's `np.take(a, idx, axis)`: the elements at the integer
    /// indices `idx` along `axis` (negative indices count from the end);
    /// `axis = None` takes from the flattened array. The result's shape is
    /// `a.shape[:axis] + idx.shape + a.shape[axis+1:]`. One gather kernel
    /// on either backend, reading `a` in place through any view.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_vec(&dev, (0..12).collect::<Vec<i32>>(), &[3, 4])?;
    /// let idx = Array::from_slice(&dev, &[0, -1], &[2])?;
    /// let t = a.take(&idx, Some(1))?; // np.take(a, [0, -1], axis=1)
    /// assert_eq!(t.shape(), &[3, 2]);
    /// assert_eq!(t.to_vec()?, vec![0, 3, 4, 7, 8, 11]);
    /// assert_eq!(a.take(&idx, None)?.to_vec()?, vec![0, 11]); // np.take(a, [0, -1])
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An index out of range (NumPy's `IndexError` message: `index 5 is
    /// out of bounds for axis 1 with size 4`); an axis out of range;
    /// arrays on different devices. Nothing is allocated on error.
    #[track_caller]
    pub fn take<I: Integer>(&self, idx: &Array<I>, axis: Option<usize>) -> Result<Array<T>> {
        self.check_same_device(idx)?;
        let Some(axis) = axis else {
            let flat = if self.layout.is_c_contiguous() {
                self.reshape(&[self.len()])?
            } else {
                self.copy()?.reshape(&[self.len()])?
            };
            return flat.take(idx, Some(0));
        };
        let axis = check_axis(axis, self.ndim())?;
        let n = self.shape()[axis];
        check_indices(idx, axis, n)?;
        // The output's shape: the axis replaced by the index array's.
        let (pre, post) = (&self.shape()[..axis], &self.shape()[axis + 1..]);
        let shape: Vec<usize> = [pre, idx.shape(), post].concat();
        let k = idx.ndim();
        // `self` seen over the output: stride 0 along the index dims.
        let st = self.strides();
        let src = Layout {
            shape: shape.clone(),
            strides: [&st[..axis], &vec![0; k][..], &st[axis + 1..]].concat(),
            offset: self.offset(),
        };
        // The indices seen over the output: stride 0 along a's other dims.
        let is = idx.strides();
        let il = Layout {
            shape: shape.clone(),
            strides: [&vec![0; axis][..], is, &vec![0; post.len()][..]].concat(),
            offset: idx.offset(),
        };
        if shape.iter().product::<usize>() == 0 || n == 0 {
            return Array::uninit(&self.device, &shape);
        }
        Self::gather(&self.view(src), &idx.view(il), n, st[axis], &shape)
    }

    /// NumPy's `np.take_along_axis(a, idx, axis)`: `out[i, j, k] =
    /// a[i, idx[i, j, k], k]` for `axis = 1`; `idx` has `a`'s number of
    /// dimensions and broadcasts against it on the other axes (as
    /// `argsort`'s or `argmax(keepdims=True)`'s result does). One gather
    /// kernel.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_vec(&dev, (0..12).collect::<Vec<i32>>(), &[3, 4])?;
    /// let idx = Array::from_slice(&dev, &[0, 3, -1], &[3, 1])?;
    /// // np.take_along_axis(a, [[0], [3], [-1]], axis=1)
    /// assert_eq!(a.take_along_axis(&idx, 1)?.to_vec()?, vec![0, 7, 11]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `idx` with another number of dimensions (NumPy's message); shapes
    /// that do not broadcast; an index out of range; an axis out of range.
    #[track_caller]
    pub fn take_along_axis<I: Integer>(&self, idx: &Array<I>, axis: usize) -> Result<Array<T>> {
        self.check_same_device(idx)?;
        if idx.ndim() != self.ndim() {
            return Err(Error::Value(
                "`indices` and `arr` must have the same number of dimensions".into(),
            ));
        }
        let axis = check_axis(axis, self.ndim())?;
        let n = self.shape()[axis];
        // Broadcast every axis but `axis`, which is the indices' own.
        let mut a_shape = self.shape().to_vec();
        a_shape[axis] = 1;
        let mut i_shape = idx.shape().to_vec();
        i_shape[axis] = 1;
        let mut shape = broadcast_shapes(&[&a_shape, &i_shape])?;
        shape[axis] = idx.shape()[axis];
        check_indices(idx, axis, n)?;
        let mut al = self.layout.clone();
        al.shape[axis] = 1;
        let mut src = al.broadcast_to(&shape)?;
        src.strides[axis] = 0;
        let il = idx.layout.broadcast_to(&shape)?;
        if shape.iter().product::<usize>() == 0 || n == 0 {
            return Array::uninit(&self.device, &shape);
        }
        Self::gather(
            &self.view(src),
            &idx.view(il),
            n,
            self.strides()[axis],
            &shape,
        )
    }
}
