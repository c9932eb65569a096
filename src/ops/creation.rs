//! Casts and creation routines, built on the device: `astype`, `arange`,
//! `linspace`, `eye`, `*_like`.

use crate::array::Array;
use crate::device::{Device, Storage};
use crate::element::{DType, Element, Float, Number};
use crate::error::{Error, Result};
use crate::kernel::Op;
use crate::ops::elementwise::{BinaryOp, Builder};

impl<T: Element> Array<T> {
    /// A copy converted to `U` (NumPy's `a.astype(U)`): integer to integer
    /// wraps, float to integer truncates toward zero and saturates (NumPy
    /// leaves out-of-range values undefined), NaN gives 0.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-1.7f32, 2.9], &[2])?;
    /// assert_eq!(a.astype::<i32>()?.to_vec()?, vec![-1, 2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `U` not supported on the device; out of memory.
    #[track_caller]
    pub fn astype<U: Element>(&self) -> Result<Array<U>> {
        let out = Array::<U>::uninit(&self.device, self.shape())?;
        let mut k = Builder::default();
        let x = k.input(self);
        k.node(Op::Cast(x), U::DTYPE);
        out.fresh(|out| out.apply(&k))
    }

    /// NumPy's `np.full_like(a, v)`: a new array of `a`'s shape.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::zeros(&dev, &[2])?;
    /// assert_eq!(Array::full_like(&a, 3.0)?.to_vec()?, vec![3.0, 3.0]); // np.full_like(a, 3)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn full_like(a: &Array<T>, value: T) -> Result<Array<T>> {
        Array::full(&a.device, a.shape(), value)
    }

    /// NumPy's `np.zeros_like(a)`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<i32>::ones(&dev, &[2])?;
    /// assert_eq!(Array::zeros_like(&a)?.to_vec()?, vec![0, 0]); // np.zeros_like(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn zeros_like(a: &Array<T>) -> Result<Array<T>> {
        Array::zeros(&a.device, a.shape())
    }

    /// NumPy's `np.ones_like(a)`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<i32>::zeros(&dev, &[2])?;
    /// assert_eq!(Array::ones_like(&a)?.to_vec()?, vec![1, 1]); // np.ones_like(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn ones_like(a: &Array<T>) -> Result<Array<T>> {
        Array::ones(&a.device, a.shape())
    }
}

impl<T: Number> Array<T> {
    /// NumPy's `np.arange(start, stop, step)`: `start + i * step` for every
    /// `i` with the value before `stop`, computed on the device.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<i32>::arange(&dev, 2, 11, 3)?; // np.arange(2, 11, 3)
    /// assert_eq!(a.to_vec()?, vec![2, 5, 8]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A zero step; out of memory.
    #[track_caller]
    pub fn arange(dev: &Device, start: T, stop: T, step: T) -> Result<Array<T>> {
        if step == T::zero() {
            return Err(Error::Value("arange: step must not be zero".into()));
        }
        // NumPy computes the length in the inputs' type: for f32 inputs
        // (1 - 0) / 0.01 rounds to 100 in f32, not 100.0000002 as in f64.
        let len = if T::DTYPE.is_float() {
            stop.sub_(start).div_(step).to_f64()
        } else {
            (stop.to_f64() - start.to_f64()) / step.to_f64()
        };
        if len.is_nan() {
            return Err(Error::Value("arange: cannot compute length".into()));
        }
        let n = len.ceil().max(0.0) as usize;
        Array::iota(dev, start.to_f64(), step.to_f64(), n)
    }

    /// `start + i * step` for `i` in `0..n`: in f64 on the CPU, as NumPy
    /// computes it, and in the element type on the GPU (within an ulp or so).
    #[track_caller]
    fn iota(dev: &Device, start: f64, step: f64, n: usize) -> Result<Array<T>> {
        let out = Array::<T>::uninit(dev, &[n])?;
        match &out.storage {
            Storage::Cpu(st) => {
                let mut g = crate::device::cpu::lock(st);
                let buf: &mut [T] = bytemuck::cast_slice_mut(&mut g);
                for (i, v) in buf[..n].iter_mut().enumerate() {
                    *v = T::from_f64(start + i as f64 * step);
                }
            }
            // The CPU closure is never called on a GPU array.
            Storage::Gpu(_) => {
                // start + T(i) * step
                let mut k = Builder::default();
                let (a, b) = (k.scalar(T::from_f64(start)), k.scalar(T::from_f64(step)));
                let i = k.node(Op::Index, DType::U32);
                let fi = k.node(Op::Cast(i), T::DTYPE);
                let m = k.node(Op::Binary(BinaryOp::Mul, fi, b), T::DTYPE);
                k.node(Op::Binary(BinaryOp::Add, a, m), T::DTYPE);
                out.apply(&k)?;
            }
        }
        Ok(out)
    }

    /// NumPy's `np.eye(n)`: zeros, then ones written through the diagonal
    /// seen as a view (stride n + 1) of the flattened matrix.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let e = Array::<f32>::eye(&dev, 2)?; // np.eye(2)
    /// assert_eq!(e.to_vec()?, vec![1.0, 0.0, 0.0, 1.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn eye(dev: &Device, n: usize) -> Result<Array<T>> {
        let out = Array::zeros(dev, &[n, n])?;
        out.reshape(&[n * n])?
            .slice(crate::s![..;n as isize + 1])?
            .fill(T::one())?;
        Ok(out)
    }
}

impl<T: Float> Array<T> {
    /// NumPy's `np.linspace(start, stop, num)`: `num` evenly spaced values,
    /// the last exactly `stop`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<f32>::linspace(&dev, 0.0, 1.0, 5)?; // np.linspace(0, 1, 5)
    /// assert_eq!(a.to_vec()?, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn linspace(dev: &Device, start: T, stop: T, num: usize) -> Result<Array<T>> {
        let step = if num > 1 {
            (stop.to_f64() - start.to_f64()) / (num - 1) as f64
        } else {
            0.0
        };
        let out = Array::iota(dev, start.to_f64(), step, num)?;
        if num > 1 {
            out.slice(crate::s![-1])?.fill(stop)?;
        }
        Ok(out)
    }
}
