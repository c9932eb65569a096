//! `Array<T>`: a buffer handle, a layout and flags.

use std::fmt;

use bytemuck::Zeroable;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::device::{Backend, Device, Storage};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::layout::{checked_size, Layout};
use crate::ops::elementwise::Builder;
use crate::slice::SliceElem;

/// NumPy's array flags; see [`Array::flags`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags {
    /// Writes are allowed.
    pub writeable: bool,
    /// Elements are aligned for their dtype (always true in ndgpu).
    pub aligned: bool,
    /// C (row-major) contiguous.
    pub c_contiguous: bool,
    /// Fortran (column-major) contiguous.
    pub f_contiguous: bool,
    /// The array owns its buffer (it is not a view).
    pub owndata: bool,
}

/// An n-dimensional array on a [`Device`].
///
/// An array is a handle to a reference-counted buffer plus a layout (shape,
/// strides, offset). `clone` is another handle to the same array (NumPy's
/// `b = a`); slicing, transposing and broadcasting make views over the same
/// buffer; [`copy`](Array::copy) makes a new buffer.
pub struct Array<T: Element> {
    pub(crate) storage: Storage,
    pub(crate) layout: Layout,
    pub(crate) device: Device,
    /// Shared by every clone, as `b = a` is one object in NumPy.
    writeable: Arc<AtomicBool>,
    /// The writeable flag of the array that owns the buffer, for views.
    base: Option<Arc<AtomicBool>>,
    /// A broadcast view repeats elements: it can never be written.
    broadcast: bool,
    _t: PhantomData<T>,
}

impl<T: Element> Clone for Array<T> {
    fn clone(&self) -> Self {
        Array {
            storage: self.storage.clone(),
            layout: self.layout.clone(),
            device: self.device.clone(),
            writeable: self.writeable.clone(),
            base: self.base.clone(),
            broadcast: self.broadcast,
            _t: PhantomData,
        }
    }
}

impl<T: Element> Array<T> {
    /// A new array of `shape` whose every element the caller will write.
    #[track_caller]
    pub(crate) fn uninit(dev: &Device, shape: &[usize]) -> Result<Array<T>> {
        dev.check_dtype(T::DTYPE)?;
        let n = checked_size(shape)?;
        let bytes = (n as u64)
            .checked_mul(T::DTYPE.size() as u64)
            .ok_or_else(|| Error::Shape(format!("shape {shape:?} is too large")))?;
        let storage = dev.alloc(bytes, || format!("Array<{}> of shape {shape:?}", T::DTYPE))?;
        Ok(Array::from_storage(dev, storage, shape))
    }

    /// A C-contiguous array of `shape` over a buffer a kernel filled (at
    /// least `shape`'s size; extra words past it are never seen).
    pub(crate) fn from_storage(dev: &Device, storage: Storage, shape: &[usize]) -> Array<T> {
        Array {
            storage,
            layout: Layout::contiguous(shape),
            device: dev.clone(),
            writeable: Arc::new(AtomicBool::new(true)),
            base: None,
            broadcast: false,
            _t: PhantomData,
        }
    }

    /// An array of `shape` holding `data` in C order (NumPy's `np.array(data).reshape(shape)`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4, 5, 6], &[2, 3])?; // np.array([[1, 2, 3], [4, 5, 6]])
    /// assert_eq!(a.shape(), &[2, 3]);
    /// assert!(Array::from_slice(&dev, &[1, 2, 3], &[2]).is_err());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `data.len()` is not the product of `shape`; the dtype is not supported
    /// on the device; the device is out of memory.
    #[track_caller]
    pub fn from_slice(dev: &Device, data: &[T], shape: &[usize]) -> Result<Array<T>> {
        let n = checked_size(shape)?;
        if n != data.len() {
            return Err(Error::DataLength {
                shape: shape.to_vec(),
                expected: n,
                got: data.len(),
            });
        }
        Array::uninit(dev, shape)?.fresh(|a| match &a.storage {
            Storage::Cpu(s) => {
                let mut g = crate::device::cpu::lock(s);
                bytemuck::cast_slice_mut::<u64, T::Repr>(&mut g)[..n]
                    .copy_from_slice(&T::reprs(data));
                Ok(())
            }
            Storage::Gpu(s) => a.gpu().upload(s, bytemuck::cast_slice(&T::reprs(data))),
        })
    }

    /// Like [`from_slice`](Array::from_slice), taking the data by value.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_vec(&dev, vec![1.5f32, 2.5], &[2])?; // np.array([1.5, 2.5])
    /// assert_eq!(a.to_vec()?, vec![1.5, 2.5]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// As `from_slice`.
    #[track_caller]
    pub fn from_vec(dev: &Device, data: Vec<T>, shape: &[usize]) -> Result<Array<T>> {
        Array::from_slice(dev, &data, shape)
    }

    /// An array of `shape` filled with `value` (NumPy's `np.full`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::full(&dev, &[2, 2], 7)?; // np.full((2, 2), 7)
    /// assert_eq!(a.to_vec()?, vec![7; 4]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Unsupported dtype; out of memory.
    #[track_caller]
    pub fn full(dev: &Device, shape: &[usize], value: T) -> Result<Array<T>> {
        Array::uninit(dev, shape)?.fresh(|a| a.fill(value))
    }

    /// Zeros (NumPy's `np.zeros`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[3])?; // np.zeros(3, dtype=np.float32)
    /// assert_eq!(a.to_vec()?, vec![0.0; 3]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Unsupported dtype; out of memory.
    #[track_caller]
    pub fn zeros(dev: &Device, shape: &[usize]) -> Result<Array<T>> {
        Array::full(dev, shape, T::from_f64(0.0))
    }

    /// Ones (NumPy's `np.ones`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<i32>::ones(&dev, &[2])?; // np.ones(2, dtype=np.int32)
    /// assert_eq!(a.to_vec()?, vec![1, 1]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Unsupported dtype; out of memory.
    #[track_caller]
    pub fn ones(dev: &Device, shape: &[usize]) -> Result<Array<T>> {
        Array::full(dev, shape, T::from_f64(1.0))
    }

    /// Runs `f` on a fresh array and returns it; when `f` fails the
    /// array's buffer goes back to the driver, not the pool's cache, so a
    /// failed call leaves nothing behind.
    pub(crate) fn fresh(self, f: impl FnOnce(&Array<T>) -> Result<()>) -> Result<Array<T>> {
        match f(&self) {
            Ok(()) => Ok(self),
            Err(e) => {
                if self.storage.unique() {
                    match &self.storage {
                        Storage::Cpu(s) => s.discard(),
                        Storage::Gpu(s) => s.discard(),
                    }
                }
                Err(e)
            }
        }
    }

    pub(crate) fn gpu(&self) -> &crate::device::gpu::Gpu {
        match &self.device.inner.backend {
            Backend::Gpu(g) => g,
            Backend::Cpu(_) => unreachable!("a GPU storage lives on a GPU device"),
        }
    }

    /// The device the array lives on.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2])?;
    /// assert!(a.device().is_cpu());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn device(&self) -> &Device {
        &self.device
    }
    /// The shape.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2, 3])?; // a.shape
    /// assert_eq!(a.shape(), &[2, 3]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn shape(&self) -> &[usize] {
        &self.layout.shape
    }
    /// Strides in elements (NumPy's `strides // itemsize`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2, 3])?; // a.strides // a.itemsize
    /// assert_eq!(a.strides(), &[3, 1]);
    /// assert_eq!(a.t().strides(), &[1, 3]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn strides(&self) -> &[isize] {
        &self.layout.strides
    }
    /// Strides in bytes, as NumPy's `strides`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2, 3])?; // a.strides
    /// assert_eq!(a.byte_strides(), vec![12, 4]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn byte_strides(&self) -> Vec<isize> {
        let s = T::DTYPE.size() as isize;
        self.layout.strides.iter().map(|&x| x * s).collect()
    }
    /// Offset of the first element in the buffer, in elements.
    ///
    /// ```
    /// use ndgpu::{s, Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[4])?;
    /// assert_eq!(a.slice(s![2..])?.offset(), 2);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn offset(&self) -> usize {
        self.layout.offset
    }
    /// The layout (shape, strides, offset).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2, 3])?;
    /// assert!(a.t().layout().is_f_contiguous());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
    /// Number of axes.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2, 3, 4])?; // a.ndim
    /// assert_eq!(a.ndim(), 3);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn ndim(&self) -> usize {
        self.layout.ndim()
    }
    /// Number of elements (NumPy's `size`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2, 3])?; // a.size
    /// assert_eq!(a.len(), 6);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.layout.size()
    }
    /// Is the array empty?
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2, 0])?; // a.size == 0
    /// assert!(a.is_empty());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The dtype.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<i32>::zeros(&dev, &[1])?; // a.dtype
    /// assert_eq!(a.dtype(), ndgpu::DType::I32);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn dtype(&self) -> DType {
        T::DTYPE
    }

    /// NumPy's flags for this array.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2, 3])?; // a.flags
    /// let f = a.t().flags();
    /// assert!(f.f_contiguous && !f.c_contiguous && !f.owndata);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn flags(&self) -> Flags {
        Flags {
            writeable: self.is_writeable(),
            aligned: true,
            c_contiguous: self.layout.is_c_contiguous(),
            f_contiguous: self.layout.is_f_contiguous(),
            owndata: self.base.is_none(),
        }
    }

    fn is_writeable(&self) -> bool {
        !self.broadcast && self.writeable.load(Ordering::Relaxed)
    }

    /// Sets the writeable flag (NumPy's `a.flags.writeable = w`). Every clone
    /// (`b = a`) sees it; views made afterwards inherit it.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// a.set_writeable(false)?; // a.flags.writeable = False
    /// assert_eq!(a.fill(0).unwrap_err().to_string(), "assignment destination is read-only");
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `true` on a view whose base is read-only, or on a broadcast view.
    pub fn set_writeable(&self, w: bool) -> Result<()> {
        if w && (self.broadcast
            || self
                .base
                .as_ref()
                .is_some_and(|b| !b.load(Ordering::Relaxed)))
        {
            return Err(Error::WriteableBase);
        }
        self.writeable.store(w, Ordering::Relaxed);
        Ok(())
    }

    pub(crate) fn check_writeable(&self) -> Result<()> {
        if self.is_writeable() {
            Ok(())
        } else {
            Err(Error::ReadOnly)
        }
    }

    /// A view: same buffer, new layout, flags inherited.
    pub(crate) fn view(&self, layout: Layout) -> Array<T> {
        Array {
            storage: self.storage.clone(),
            layout,
            device: self.device.clone(),
            writeable: Arc::new(AtomicBool::new(self.is_writeable())),
            base: Some(self.base.clone().unwrap_or_else(|| self.writeable.clone())),
            broadcast: self.broadcast,
            _t: PhantomData,
        }
    }

    /// The same elements seen as another element type of the same stored
    /// size: the same buffer, layout and flags (a `bool` array as its `u32`
    /// words of 0 and 1, for instance). Crate-internal: only for types whose
    /// stored words are valid values of both.
    pub(crate) fn reinterpret<U: Element>(&self) -> Array<U> {
        debug_assert_eq!(T::DTYPE.size(), U::DTYPE.size());
        Array {
            storage: self.storage.clone(),
            layout: self.layout.clone(),
            device: self.device.clone(),
            writeable: self.writeable.clone(),
            base: self.base.clone(),
            broadcast: self.broadcast,
            _t: PhantomData,
        }
    }

    /// A view of a part of the array; see [`s!`](crate::s).
    ///
    /// ```
    /// use ndgpu::{s, Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[4])?;
    /// let b = a.slice(s![1..3])?; // b = a[1:3], a view
    /// b.add_scalar_inplace(10)?;  // b += 10
    /// assert_eq!(a.to_vec()?, vec![1, 12, 13, 4]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An index or range outside an axis, a zero step, too many indices.
    pub fn slice(&self, elems: impl AsRef<[SliceElem]>) -> Result<Array<T>> {
        Ok(self.view(self.layout.slice(elems.as_ref())?))
    }

    /// The transpose, a view with the axes reversed (NumPy's `a.T`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4, 5, 6], &[2, 3])?;
    /// assert_eq!(a.t().to_vec()?, vec![1, 4, 2, 5, 3, 6]); // a.T
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn t(&self) -> Array<T> {
        self.view(self.layout.t())
    }

    /// A view with the axes reordered (NumPy's `a.transpose(axes)`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2, 3, 4])?;
    /// assert_eq!(a.permute(&[2, 0, 1])?.shape(), &[4, 2, 3]); // a.transpose(2, 0, 1)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `axes` is not a permutation of the axes.
    pub fn permute(&self, axes: &[usize]) -> Result<Array<T>> {
        Ok(self.view(self.layout.permute(axes)?))
    }

    /// A read-only view repeated to `shape` (NumPy's `np.broadcast_to`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// let b = a.broadcast_to(&[2, 2])?; // np.broadcast_to(a, (2, 2))
    /// assert_eq!((b.to_vec()?, b.strides()), (vec![1, 2, 1, 2], &[0, 1][..]));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// The shapes are not compatible.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Array<T>> {
        let mut v = self.view(self.layout.broadcast_to(shape)?);
        v.broadcast = true;
        Ok(v)
    }

    /// The same elements in C order with a new shape: a view when the strides
    /// allow it, else a copy (NumPy's `a.reshape(shape)`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4, 5, 6], &[6])?;
    /// let b = a.reshape(&[2, 3])?; // a.reshape(2, 3): a view
    /// assert!(b.shares_memory(&a));
    /// assert!(a.reshape(&[4]).is_err());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// The sizes differ (NumPy's `cannot reshape array of size 6 into shape (4,)`).
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Result<Array<T>> {
        if checked_size(shape)? != self.len() {
            return Err(Error::Shape(format!(
                "cannot reshape array of size {} into shape {}",
                self.len(),
                crate::error::fmt_shape(shape)
            )));
        }
        match self.layout.reshape_view(shape) {
            Some(l) => Ok(self.view(l)),
            None => self.copy()?.reshape(shape),
        }
    }

    /// A view without the axes of length 1 (NumPy's `np.squeeze`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[1, 3, 1])?;
    /// assert_eq!(a.squeeze().shape(), &[3]); // np.squeeze(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn squeeze(&self) -> Array<T> {
        self.view(self.layout.squeeze())
    }

    /// A view with a new axis of length 1 at `axis` (NumPy's `np.expand_dims`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[3])?;
    /// assert_eq!(a.expand_dims(0)?.shape(), &[1, 3]); // np.expand_dims(a, 0)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `axis > ndim`.
    pub fn expand_dims(&self, axis: usize) -> Result<Array<T>> {
        Ok(self.view(self.layout.expand_dims(axis)?))
    }

    /// Do the two arrays address a common element? Exact, as NumPy's
    /// `np.shares_memory` (`a[::2]` and `a[1::2]` do not share).
    ///
    /// ```
    /// use ndgpu::{s, Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[4])?;
    /// // np.shares_memory(a[::2], a[1::2]) is False
    /// assert!(!a.slice(s![..;2])?.shares_memory(&a.slice(s![1..;2])?));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn shares_memory<U: Element>(&self, other: &Array<U>) -> bool {
        self.storage.same(&other.storage) && self.layout.overlaps(&other.layout)
    }

    /// Might the two arrays share memory? Compares extents only, as NumPy's
    /// `np.may_share_memory`.
    ///
    /// ```
    /// use ndgpu::{s, Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[4])?;
    /// // np.may_share_memory(a[::2], a[1::2]) is True: the extents overlap
    /// assert!(a.slice(s![..;2])?.may_share_memory(&a.slice(s![1..;2])?));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn may_share_memory<U: Element>(&self, other: &Array<U>) -> bool {
        self.storage.same(&other.storage) && self.layout.may_overlap(&other.layout)
    }

    /// A new C-contiguous array with the same elements (NumPy's `a.copy()`).
    ///
    /// ```
    /// use ndgpu::{s, Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3], &[3])?;
    /// let b = a.slice(s![..;-1])?.copy()?; // a[::-1].copy()
    /// assert_eq!((b.to_vec()?, b.flags().owndata), (vec![3, 2, 1], true));
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn copy(&self) -> Result<Array<T>> {
        Array::uninit(&self.device, self.shape())?.fresh(|out| out.assign(self))
    }

    /// Writes `value` into every element, through any view (NumPy's `a[...] = v`).
    ///
    /// ```
    /// use ndgpu::{s, Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[4])?;
    /// a.slice(s![1..3])?.fill(0)?; // a[1:3] = 0
    /// assert_eq!(a.to_vec()?, vec![1, 0, 0, 4]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// The array is read-only.
    pub fn fill(&self, value: T) -> Result<()> {
        let mut k = Builder::default();
        k.scalar(value);
        self.apply(&k)
    }

    /// Writes `other`, broadcast to this shape, through any view (NumPy's
    /// `a[...] = other`). Overlapping source and destination behave as if
    /// the source were copied first.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<i32>::zeros(&dev, &[2, 2])?;
    /// a.assign(&Array::from_slice(&dev, &[1, 2], &[2])?)?; // a[...] = [1, 2]
    /// assert_eq!(a.to_vec()?, vec![1, 2, 1, 2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only destination; shapes that do not broadcast.
    pub fn assign(&self, other: &Array<T>) -> Result<()> {
        if other.layout.broadcast_to(self.shape()).is_err() {
            return Err(Error::Shape(format!(
                "could not broadcast input array from shape {} into shape {}",
                crate::error::fmt_shape(other.shape()),
                crate::error::fmt_shape(self.shape())
            )));
        }
        let mut k = Builder::default();
        k.input(other);
        self.apply(&k)
    }

    /// The elements in logical C order, from any view.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[2, 2])?;
    /// assert_eq!(a.t().to_vec()?, vec![1, 3, 2, 4]); // a.T.flatten().tolist()
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A GPU error during readback.
    pub fn to_vec(&self) -> Result<Vec<T>> {
        let mut out = vec![T::default(); self.len()];
        self.read_into(&mut out)?;
        Ok(out)
    }

    /// Copies the elements in logical C order into `out`, memory the caller
    /// keeps: repeated readbacks skip the cost of touching fresh pages.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, 2.0], &[2])?;
    /// let mut host = vec![0.0f32; 2];
    /// a.read_into(&mut host)?;
    /// assert_eq!(host, vec![1.0, 2.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `out.len()` differs from the array's size; a GPU error during readback.
    pub fn read_into(&self, out: &mut [T]) -> Result<()> {
        if out.len() != self.len() {
            return Err(Error::Value(format!(
                "read_into: the array has {} elements but the slice holds {}",
                self.len(),
                out.len()
            )));
        }
        let Some(words) = T::reprs_mut(out) else {
            // A type stored in another form (bool): read the storage, convert.
            let mut tmp = vec![T::Repr::zeroed(); out.len()];
            self.read_reprs(&mut tmp)?;
            for (o, &r) in out.iter_mut().zip(&tmp) {
                *o = T::from_repr(r);
            }
            return Ok(());
        };
        self.read_reprs(words)
    }

    /// [`read_into`](Array::read_into) of the stored form.
    pub(crate) fn read_reprs(&self, out: &mut [T::Repr]) -> Result<()> {
        match &self.storage {
            Storage::Cpu(s) => {
                let g = crate::device::cpu::read(s);
                crate::device::cpu::gather_into(
                    bytemuck::cast_slice::<u64, T::Repr>(&g),
                    &self.layout,
                    out,
                );
                Ok(())
            }
            Storage::Gpu(_) => {
                let (src, off) = self.contiguous_source()?;
                self.gpu().read(&src, off, bytemuck::cast_slice_mut(out))
            }
        }
    }

    /// [`to_vec`](Array::to_vec) without blocking the thread while the GPU works.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// assert_eq!(pollster::block_on(a.to_vec_async())?, vec![1, 2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A GPU error during readback.
    pub async fn to_vec_async(&self) -> Result<Vec<T>> {
        match &self.storage {
            Storage::Cpu(_) => self.to_vec(),
            Storage::Gpu(_) => {
                let (src, off) = self.contiguous_source()?;
                let mut out = vec![T::Repr::zeroed(); self.len()];
                self.gpu()
                    .read_async(&src, off, bytemuck::cast_slice_mut(&mut out))
                    .await?;
                Ok(out.into_iter().map(T::from_repr).collect())
            }
        }
    }

    /// A GPU buffer and byte offset where the elements lie contiguously in C
    /// order: the array's own when it is C-contiguous, else a gathered copy.
    fn contiguous_source(&self) -> Result<(crate::device::gpu::GpuStorage, u64)> {
        let src = if self.layout.is_c_contiguous() {
            self.clone()
        } else {
            self.copy()?
        };
        match &src.storage {
            Storage::Gpu(s) => Ok((s.clone(), (src.layout.offset * T::DTYPE.size()) as u64)),
            Storage::Cpu(_) => unreachable!("copies stay on their device"),
        }
    }

    /// A copy of the array on another device (through host memory).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// let b = a.to_device(&Device::cpu())?; // a copy on another device
    /// assert_eq!(b.to_vec()?, vec![1, 2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// The dtype is not supported there; out of memory; a GPU error.
    #[track_caller]
    pub fn to_device(&self, dev: &Device) -> Result<Array<T>> {
        Array::from_vec(dev, self.to_vec()?, self.shape())
    }

    /// The one element of a size-1 array (NumPy's `a.item()`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[42], &[1])?;
    /// assert_eq!(a.item()?, 42); // a.item()
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// The array does not have exactly one element (NumPy's message).
    pub fn item(&self) -> Result<T> {
        if self.len() != 1 {
            return Err(Error::Value(
                "can only convert an array of size 1 to a Python scalar".into(),
            ));
        }
        Ok(self.to_vec()?[0])
    }
}

impl<T: Element> fmt::Display for Array<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = self.to_vec().map_err(|_| fmt::Error)?;
        let shape = self.shape();
        let s = match T::DTYPE {
            DType::F32 => {
                let v: Vec<f32> = data.iter().map(|x| x.to_f64() as f32).collect();
                crate::format::format_array(crate::format::Values::F32(&v), shape)
            }
            DType::F64 => {
                let v: Vec<f64> = data.iter().map(|x| x.to_f64()).collect();
                crate::format::format_array(crate::format::Values::F64(&v), shape)
            }
            DType::F16 => {
                let v: Vec<half::f16> = data
                    .iter()
                    .map(|x| half::f16::from_f64(x.to_f64()))
                    .collect();
                crate::format::format_array(crate::format::Values::F16(&v), shape)
            }
            DType::Bool => {
                let v: Vec<bool> = data.iter().map(|x| x.to_f64() != 0.0).collect();
                crate::format::format_array(crate::format::Values::Bool(&v), shape)
            }
            _ => {
                // Integers: sign- or zero-extended to i64, exactly.
                let v: Vec<i64> = data.iter().map(|x| x.to_bits64() as i64).collect();
                crate::format::format_array(crate::format::Values::I64(&v), shape)
            }
        };
        f.write_str(&s)
    }
}

impl<T: Element> fmt::Debug for Array<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\nshape={:?}, strides={:?}, offset={}, dtype={}, device={}",
            self,
            self.shape(),
            self.strides(),
            self.offset(),
            T::DTYPE,
            self.device.info()
        )
    }
}
