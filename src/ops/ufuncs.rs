//! The ufuncs beyond arithmetic: float binary ops (`arctan2`, `hypot`,
//! `copysign`, `floor_divide`), bitwise ops on integers, logical ops on
//! `bool`, float classification (`isnan`, ...) and the closeness tests
//! (`isclose`, `allclose`, `array_equal`). Each is one node of the kernel
//! IR, or a few (`isclose`), so it runs as one kernel on either backend and
//! fuses with nothing else to allocate.

use std::ops::{BitAnd, BitOr, BitXor, Not};

use crate::array::Array;
use crate::element::{DType, Element, Float, Integer};
use crate::error::Result;
use crate::kernel::Op;
use crate::layout::broadcast_shapes;
use crate::ops::elementwise::{Arg, BitOp, Builder, CmpOp, FloatBinaryOp, IsOp};

impl<T: Element> Array<T> {
    /// `self[...] = a op b` for a bitwise (or, on `bool`, logical) op.
    fn bit_apply(&self, op: BitOp, a: Arg<'_, T>, b: Arg<'_, T>) -> Result<()> {
        let mut k = Builder::default();
        let (x, y) = (k.leaf(&a), k.leaf(&b));
        k.node(Op::Bit(op, x, y), T::DTYPE);
        self.apply(&k)
    }

    fn not_apply(&self, a: &Array<T>) -> Result<()> {
        let mut k = Builder::default();
        let x = k.input(a);
        k.node(Op::Not(x), T::DTYPE);
        self.apply(&k)
    }

    /// A new array of the broadcast shape of `self` and `other`.
    #[track_caller]
    fn alloc_pair<U: Element>(&self, other: &Array<T>) -> Result<Array<U>> {
        let shape = broadcast_shapes(&[self.shape(), other.shape()])?;
        self.check_same_device(other)?;
        Array::uninit(&self.device, &shape)
    }

    /// NumPy's `np.array_equal(a, b)`: the same shape and equal elements
    /// (NaN is never equal to NaN, as in NumPy's default).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3], &[3])?;
    /// assert!(a.array_equal(&a.copy()?)?);                      // np.array_equal(a, a.copy())
    /// assert!(!a.array_equal(&a.reshape(&[3, 1])?)?);           // other shape: False
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Arrays on different devices; out of memory.
    pub fn array_equal(&self, other: &Array<T>) -> Result<bool> {
        self.check_same_device(other)?;
        if self.shape() != other.shape() {
            return Ok(false);
        }
        self.eq(other)?.all(crate::Axes::All, false)?.item()
    }
}

impl<T: Float> Array<T> {
    fn fbinary_apply(&self, op: FloatBinaryOp, a: Arg<'_, T>, b: Arg<'_, T>) -> Result<()> {
        let mut k = Builder::default();
        let (x, y) = (k.leaf(&a), k.leaf(&b));
        k.node(Op::FBinary(op, x, y), T::DTYPE);
        self.apply(&k)
    }

    /// A float binary op into a new array (`np.arctan2(a, b)` and friends).
    ///
    /// ```
    /// use ndgpu::{Array, Device, FloatBinaryOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[3.0f32, -7.0], &[2])?;
    /// let b = Array::from_slice(&dev, &[4.0f32, 2.0], &[2])?;
    /// assert_eq!(a.float_binary(FloatBinaryOp::Hypot, &b)?.to_vec()?[0], 5.0); // np.hypot(a, b)
    /// assert_eq!(a.float_binary(FloatBinaryOp::FloorDivide, &b)?.to_vec()?[1], -4.0); // a // b
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast; arrays on different devices.
    #[track_caller]
    pub fn float_binary(&self, op: FloatBinaryOp, other: &Array<T>) -> Result<Array<T>> {
        self.alloc_pair(other)?
            .fresh(|out| out.fbinary_apply(op, Arg::Arr(self), Arg::Arr(other)))
    }

    /// `self = self op other` in place through any view.
    ///
    /// ```
    /// use ndgpu::{Array, Device, FloatBinaryOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, 2.0], &[2])?;
    /// let s = Array::from_slice(&dev, &[-1.0f32, 1.0], &[2])?;
    /// a.float_binary_inplace(FloatBinaryOp::Copysign, &s)?; // np.copysign(a, s, out=a)
    /// assert_eq!(a.to_vec()?, vec![-1.0, 2.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `self`; `other` does not broadcast to `self`'s shape.
    pub fn float_binary_inplace(&self, op: FloatBinaryOp, other: &Array<T>) -> Result<()> {
        self.fbinary_apply(op, Arg::Arr(self), Arg::Arr(other))
    }

    /// `out[...] = self op other` (NumPy's `out=`).
    ///
    /// ```
    /// use ndgpu::{Array, Device, FloatBinaryOp};
    /// let dev = Device::cpu();
    /// let y = Array::from_slice(&dev, &[1.0f32], &[1])?;
    /// let out = Array::<f32>::zeros(&dev, &[1])?;
    /// y.float_binary_into(FloatBinaryOp::Atan2, &y, &out)?; // np.arctan2(y, y, out=out)
    /// assert!((out.item()? - std::f32::consts::FRAC_PI_4).abs() < 1e-6);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold the broadcast shape.
    pub fn float_binary_into(
        &self,
        op: FloatBinaryOp,
        other: &Array<T>,
        out: &Array<T>,
    ) -> Result<()> {
        out.fbinary_apply(op, Arg::Arr(self), Arg::Arr(other))
    }

    /// `self op s` into a new array.
    ///
    /// ```
    /// use ndgpu::{Array, Device, FloatBinaryOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[7.0f32, -7.0], &[2])?;
    /// let q = a.float_binary_scalar(FloatBinaryOp::FloorDivide, 2.0)?; // a // 2
    /// assert_eq!(q.to_vec()?, vec![3.0, -4.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn float_binary_scalar(&self, op: FloatBinaryOp, s: T) -> Result<Array<T>> {
        Array::uninit(&self.device, self.shape())?
            .fresh(|out| out.fbinary_apply(op, Arg::Arr(self), Arg::Scalar(s)))
    }

    /// `self = self op s` in place.
    ///
    /// ```
    /// use ndgpu::{Array, Device, FloatBinaryOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[3.0f32], &[1])?;
    /// a.float_binary_scalar_inplace(FloatBinaryOp::Hypot, 4.0)?; // np.hypot(a, 4, out=a)
    /// assert_eq!(a.item()?, 5.0);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn float_binary_scalar_inplace(&self, op: FloatBinaryOp, s: T) -> Result<()> {
        self.fbinary_apply(op, Arg::Arr(self), Arg::Scalar(s))
    }

    /// `out[...] = self op s`.
    ///
    /// ```
    /// use ndgpu::{Array, Device, FloatBinaryOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[2.0f32], &[1])?;
    /// let out = Array::<f32>::zeros(&dev, &[1])?;
    /// a.float_binary_scalar_into(FloatBinaryOp::Copysign, -0.0, &out)?; // np.copysign(a, -0.0, out=out)
    /// assert_eq!(out.item()?, -2.0);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold `self`'s shape.
    pub fn float_binary_scalar_into(&self, op: FloatBinaryOp, s: T, out: &Array<T>) -> Result<()> {
        out.fbinary_apply(op, Arg::Arr(self), Arg::Scalar(s))
    }

    fn is_apply(out: &Array<bool>, op: IsOp, a: &Array<T>) -> Result<()> {
        let mut k = Builder::default();
        let x = k.input(a);
        k.node(Op::Is(op, x), DType::Bool);
        out.apply(&k)
    }

    /// A float classification (`np.isnan`, `np.isinf`, `np.isfinite`) into
    /// a new `bool` array.
    ///
    /// ```
    /// use ndgpu::{Array, Device, IsOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, f32::NAN, f32::INFINITY], &[3])?;
    /// assert_eq!(a.classify(IsOp::Finite)?.to_vec()?, vec![true, false, false]); // np.isfinite(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn classify(&self, op: IsOp) -> Result<Array<bool>> {
        Array::uninit(&self.device, self.shape())?.fresh(|out| Self::is_apply(out, op, self))
    }

    /// A float classification into a caller's `bool` array (`out=`).
    ///
    /// ```
    /// use ndgpu::{Array, Device, IsOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, f32::NAN], &[2])?;
    /// let m = Array::<bool>::zeros(&dev, &[2])?;
    /// a.classify_into(IsOp::Nan, &m)?; // np.isnan(a, out=m)
    /// assert_eq!(m.to_vec()?, vec![false, true]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold `self`'s shape.
    pub fn classify_into(&self, op: IsOp, out: &Array<bool>) -> Result<()> {
        Self::is_apply(out, op, self)
    }

    /// `np.isnan(a)`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[f32::NAN, 0.0], &[2])?;
    /// assert_eq!(a.isnan()?.to_vec()?, vec![true, false]); // np.isnan(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn isnan(&self) -> Result<Array<bool>> {
        self.classify(IsOp::Nan)
    }

    /// `np.isinf(a)`: ±inf.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[f32::NEG_INFINITY, f32::NAN], &[2])?;
    /// assert_eq!(a.isinf()?.to_vec()?, vec![true, false]); // np.isinf(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn isinf(&self) -> Result<Array<bool>> {
        self.classify(IsOp::Inf)
    }

    /// `np.isfinite(a)`: neither NaN nor ±inf.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, f32::INFINITY], &[2])?;
    /// assert_eq!(a.isfinite()?.to_vec()?, vec![true, false]); // np.isfinite(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn isfinite(&self) -> Result<Array<bool>> {
        self.classify(IsOp::Finite)
    }

    /// NumPy's `np.isclose(a, b, rtol, atol, equal_nan)`, as one kernel:
    /// `|a - b| <= atol + rtol * |b|` where both are finite, `a == b` where
    /// either is infinite, and NaN close to NaN only with `equal_nan`.
    /// (NumPy's defaults are `rtol = 1e-5`, `atol = 1e-8`.)
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, f32::NAN, f32::INFINITY], &[3])?;
    /// let b = Array::from_slice(&dev, &[1.000001f32, f32::NAN, f32::INFINITY], &[3])?;
    /// // np.isclose(a, b) == [True, False, True]
    /// assert_eq!(a.isclose(&b, 1e-5, 1e-8, false)?.to_vec()?, vec![true, false, true]);
    /// assert_eq!(a.isclose(&b, 1e-5, 1e-8, true)?.to_vec()?, vec![true, true, true]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast; arrays on different devices.
    #[track_caller]
    pub fn isclose(
        &self,
        other: &Array<T>,
        rtol: T,
        atol: T,
        equal_nan: bool,
    ) -> Result<Array<bool>> {
        use crate::ops::elementwise::{BinaryOp, UnaryOp};
        let out = self.alloc_pair::<bool>(other)?;
        let mut k = Builder::default();
        let (a, b) = (k.input(self), k.input(other));
        let (rt, at) = (k.scalar(rtol), k.scalar(atol));
        let d = k.node(Op::Binary(BinaryOp::Sub, a, b), T::DTYPE);
        let ad = k.node(Op::Unary(UnaryOp::Abs, d), T::DTYPE);
        let ab = k.node(Op::Unary(UnaryOp::Abs, b), T::DTYPE);
        let tol = k.node(Op::Binary(BinaryOp::Mul, rt, ab), T::DTYPE);
        let tol = k.node(Op::Binary(BinaryOp::Add, at, tol), T::DTYPE);
        let close = k.node(Op::Cmp(CmpOp::Le, ad, tol), DType::Bool);
        let fa = k.node(Op::Is(IsOp::Finite, a), DType::Bool);
        let fb = k.node(Op::Is(IsOp::Finite, b), DType::Bool);
        let fin = k.node(Op::Bit(BitOp::And, fa, fb), DType::Bool);
        let same = k.node(Op::Cmp(CmpOp::Eq, a, b), DType::Bool);
        // Two NaNs are not `==`; a NaN against anything fails `fin` and `==`.
        let r = k.node(Op::Select(fin, close, same), DType::Bool);
        if equal_nan {
            let na = k.node(Op::Is(IsOp::Nan, a), DType::Bool);
            let nb = k.node(Op::Is(IsOp::Nan, b), DType::Bool);
            let both = k.node(Op::Bit(BitOp::And, na, nb), DType::Bool);
            k.node(Op::Bit(BitOp::Or, r, both), DType::Bool);
        }
        out.fresh(|out| out.apply(&k))
    }

    /// NumPy's `np.allclose(a, b, rtol, atol, equal_nan)`: every element
    /// [`isclose`](Array::isclose).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, 2.0], &[2])?;
    /// let b = Array::from_slice(&dev, &[1.0f32, 2.00001], &[2])?;
    /// assert!(a.allclose(&b, 1e-5, 1e-8, false)?); // np.allclose(a, b)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast; arrays on different devices.
    pub fn allclose(&self, other: &Array<T>, rtol: T, atol: T, equal_nan: bool) -> Result<bool> {
        self.isclose(other, rtol, atol, equal_nan)?
            .all(crate::Axes::All, false)?
            .item()
    }
}

/// Named forms of the float binary ops.
macro_rules! named_fbinary {
    ($($op:ident $inplace:ident $into:ident $sc:ident $sc_inplace:ident $sc_into:ident = $v:ident, $np:literal;)*) => {
        impl<T: Float> Array<T> {$(
            #[doc = concat!("`", $np, "(a, b)` into a new array; see [`Array::float_binary`].\n\n```\nuse ndgpu::{Array, Device, FloatBinaryOp};\nlet dev = Device::cpu();\nlet a = Array::from_slice(&dev, &[3.0f32, -7.5], &[2])?;\nlet b = Array::from_slice(&dev, &[4.0f32, 2.0], &[2])?;\nassert_eq!(a.", stringify!($op), "(&b)?.to_vec()?, a.float_binary(FloatBinaryOp::", stringify!($v), ", &b)?.to_vec()?);\n# Ok::<(), ndgpu::Error>(())\n```\n\n# Errors\nShapes that do not broadcast.")]
            #[track_caller]
            pub fn $op(&self, other: &Array<T>) -> Result<Array<T>> {
                self.float_binary(FloatBinaryOp::$v, other)
            }
            #[doc = concat!("`", $np, "(a, b, out=a)`: in place through any view.\n\n# Errors\nRead-only `self`; `other` does not broadcast to `self`.")]
            pub fn $inplace(&self, other: &Array<T>) -> Result<()> {
                self.float_binary_inplace(FloatBinaryOp::$v, other)
            }
            #[doc = concat!("`", $np, "(a, b, out=out)`.\n\n# Errors\nRead-only `out`; `out` cannot hold the broadcast shape.")]
            pub fn $into(&self, other: &Array<T>, out: &Array<T>) -> Result<()> {
                self.float_binary_into(FloatBinaryOp::$v, other, out)
            }
            #[doc = concat!("`", $np, "(a, s)` into a new array.\n\n# Errors\nOut of memory.")]
            #[track_caller]
            pub fn $sc(&self, s: T) -> Result<Array<T>> {
                self.float_binary_scalar(FloatBinaryOp::$v, s)
            }
            #[doc = concat!("`", $np, "(a, s, out=a)`: in place through any view.\n\n# Errors\nRead-only `self`.")]
            pub fn $sc_inplace(&self, s: T) -> Result<()> {
                self.float_binary_scalar_inplace(FloatBinaryOp::$v, s)
            }
            #[doc = concat!("`", $np, "(a, s, out=out)`.\n\n# Errors\nRead-only `out`; `out` cannot hold `self`'s shape.")]
            pub fn $sc_into(&self, s: T, out: &Array<T>) -> Result<()> {
                self.float_binary_scalar_into(FloatBinaryOp::$v, s, out)
            }
        )*}
    };
}

named_fbinary! {
    atan2 atan2_inplace atan2_into atan2_scalar atan2_scalar_inplace atan2_scalar_into = Atan2, "np.arctan2";
    hypot hypot_inplace hypot_into hypot_scalar hypot_scalar_inplace hypot_scalar_into = Hypot, "np.hypot";
    copysign copysign_inplace copysign_into copysign_scalar copysign_scalar_inplace copysign_scalar_into = Copysign, "np.copysign";
    floor_divide floor_divide_inplace floor_divide_into floor_divide_scalar floor_divide_scalar_inplace floor_divide_scalar_into = FloorDivide, "np.floor_divide";
}

impl<T: Integer> Array<T> {
    /// A bitwise op into a new array (`np.bitwise_and(a, b)` and friends).
    ///
    /// ```
    /// use ndgpu::{Array, BitOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[12u32, 10], &[2])?;
    /// let b = Array::from_slice(&dev, &[10u32, 1], &[2])?;
    /// assert_eq!(a.bitwise(BitOp::And, &b)?.to_vec()?, vec![8, 0]);        // a & b
    /// assert_eq!(a.bitwise(BitOp::LeftShift, &b)?.to_vec()?, vec![12288, 20]); // a << b
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast; arrays on different devices.
    #[track_caller]
    pub fn bitwise(&self, op: BitOp, other: &Array<T>) -> Result<Array<T>> {
        self.alloc_pair(other)?
            .fresh(|out| out.bit_apply(op, Arg::Arr(self), Arg::Arr(other)))
    }

    /// `self = self op other` in place through any view (`a &= b`).
    ///
    /// ```
    /// use ndgpu::{Array, BitOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-16, 7], &[2])?;
    /// a.bitwise_inplace(BitOp::RightShift, &Array::from_slice(&dev, &[2, 1], &[2])?)?; // a >>= b
    /// assert_eq!(a.to_vec()?, vec![-4, 3]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `self`; `other` does not broadcast to `self`'s shape.
    pub fn bitwise_inplace(&self, op: BitOp, other: &Array<T>) -> Result<()> {
        self.bit_apply(op, Arg::Arr(self), Arg::Arr(other))
    }

    /// `out[...] = self op other` (NumPy's `out=`).
    ///
    /// ```
    /// use ndgpu::{Array, BitOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[5, 6], &[2])?;
    /// let out = Array::<i32>::zeros(&dev, &[2])?;
    /// a.bitwise_into(BitOp::Xor, &a, &out)?; // np.bitwise_xor(a, a, out=out)
    /// assert_eq!(out.to_vec()?, vec![0, 0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold the broadcast shape.
    pub fn bitwise_into(&self, op: BitOp, other: &Array<T>, out: &Array<T>) -> Result<()> {
        out.bit_apply(op, Arg::Arr(self), Arg::Arr(other))
    }

    /// `self op s` into a new array (`a & 0xff`, `a << 3`).
    ///
    /// ```
    /// use ndgpu::{Array, BitOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0x1234u32], &[1])?;
    /// assert_eq!(a.bitwise_scalar(BitOp::And, 0xff)?.item()?, 0x34); // a & 0xff
    /// assert_eq!(a.bitwise_scalar(BitOp::LeftShift, 32)?.item()?, 0); // np.left_shift(a, 32)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn bitwise_scalar(&self, op: BitOp, s: T) -> Result<Array<T>> {
        Array::uninit(&self.device, self.shape())?
            .fresh(|out| out.bit_apply(op, Arg::Arr(self), Arg::Scalar(s)))
    }

    /// `self = self op s` in place (`a |= 1`).
    ///
    /// ```
    /// use ndgpu::{Array, BitOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[2, 4], &[2])?;
    /// a.bitwise_scalar_inplace(BitOp::Or, 1)?; // a |= 1
    /// assert_eq!(a.to_vec()?, vec![3, 5]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn bitwise_scalar_inplace(&self, op: BitOp, s: T) -> Result<()> {
        self.bit_apply(op, Arg::Arr(self), Arg::Scalar(s))
    }

    /// `out[...] = self op s`.
    ///
    /// ```
    /// use ndgpu::{Array, BitOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1u32, 2], &[2])?;
    /// let out = Array::<u32>::zeros(&dev, &[2])?;
    /// a.bitwise_scalar_into(BitOp::LeftShift, 4, &out)?; // np.left_shift(a, 4, out=out)
    /// assert_eq!(out.to_vec()?, vec![16, 32]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold `self`'s shape.
    pub fn bitwise_scalar_into(&self, op: BitOp, s: T, out: &Array<T>) -> Result<()> {
        out.bit_apply(op, Arg::Arr(self), Arg::Scalar(s))
    }

    /// `np.bitwise_not(a)` (`~a`) into a new array.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0, -1, 5], &[3])?;
    /// assert_eq!(a.bitwise_not()?.to_vec()?, vec![-1, 0, -6]); // ~a
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn bitwise_not(&self) -> Result<Array<T>> {
        Array::uninit(&self.device, self.shape())?.fresh(|out| out.not_apply(self))
    }

    /// `np.bitwise_not(a, out=a)` in place through any view.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0u32], &[1])?;
    /// a.bitwise_not_inplace()?; // np.invert(a, out=a)
    /// assert_eq!(a.item()?, u32::MAX);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn bitwise_not_inplace(&self) -> Result<()> {
        self.not_apply(self)
    }

    /// `np.bitwise_not(a, out=out)`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1], &[1])?;
    /// let out = Array::<i32>::zeros(&dev, &[1])?;
    /// a.bitwise_not_into(&out)?; // np.invert(a, out=out)
    /// assert_eq!(out.item()?, -2);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold `self`'s shape.
    pub fn bitwise_not_into(&self, out: &Array<T>) -> Result<()> {
        out.not_apply(self)
    }
}

/// Named forms of the bitwise ops.
macro_rules! named_bits {
    ($($op:ident $inplace:ident $sc:ident $sc_inplace:ident = $v:ident, $np:literal;)*) => {
        impl<T: Integer> Array<T> {$(
            #[doc = concat!("`", $np, "(a, b)` into a new array; see [`Array::bitwise`].\n\n```\nuse ndgpu::{Array, BitOp, Device};\nlet dev = Device::cpu();\nlet a = Array::from_slice(&dev, &[12, -8], &[2])?;\nlet b = Array::from_slice(&dev, &[3, 1], &[2])?;\nassert_eq!(a.", stringify!($op), "(&b)?.to_vec()?, a.bitwise(BitOp::", stringify!($v), ", &b)?.to_vec()?);\n# Ok::<(), ndgpu::Error>(())\n```\n\n# Errors\nShapes that do not broadcast.")]
            #[track_caller]
            pub fn $op(&self, other: &Array<T>) -> Result<Array<T>> {
                self.bitwise(BitOp::$v, other)
            }
            #[doc = concat!("`", $np, "(a, b, out=a)`: in place through any view.\n\n# Errors\nRead-only `self`; `other` does not broadcast to `self`.")]
            pub fn $inplace(&self, other: &Array<T>) -> Result<()> {
                self.bitwise_inplace(BitOp::$v, other)
            }
            #[doc = concat!("`", $np, "(a, s)` into a new array.\n\n# Errors\nOut of memory.")]
            #[track_caller]
            pub fn $sc(&self, s: T) -> Result<Array<T>> {
                self.bitwise_scalar(BitOp::$v, s)
            }
            #[doc = concat!("`", $np, "(a, s, out=a)`: in place through any view.\n\n# Errors\nRead-only `self`.")]
            pub fn $sc_inplace(&self, s: T) -> Result<()> {
                self.bitwise_scalar_inplace(BitOp::$v, s)
            }
        )*}
    };
}

named_bits! {
    bitwise_and bitwise_and_inplace bitwise_and_scalar bitwise_and_scalar_inplace = And, "np.bitwise_and";
    bitwise_or bitwise_or_inplace bitwise_or_scalar bitwise_or_scalar_inplace = Or, "np.bitwise_or";
    bitwise_xor bitwise_xor_inplace bitwise_xor_scalar bitwise_xor_scalar_inplace = Xor, "np.bitwise_xor";
    left_shift left_shift_inplace left_shift_scalar left_shift_scalar_inplace = LeftShift, "np.left_shift";
    right_shift right_shift_inplace right_shift_scalar right_shift_scalar_inplace = RightShift, "np.right_shift";
}

impl Array<bool> {
    /// `np.logical_and(a, b)` into a new `bool` array.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[true, true, false], &[3])?;
    /// let b = Array::from_slice(&dev, &[true, false, false], &[3])?;
    /// assert_eq!(a.logical_and(&b)?.to_vec()?, vec![true, false, false]); // a & b
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast; arrays on different devices.
    #[track_caller]
    pub fn logical_and(&self, other: &Array<bool>) -> Result<Array<bool>> {
        self.logical(BitOp::And, other)
    }

    /// `np.logical_or(a, b)` into a new `bool` array.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[true, false], &[2])?;
    /// let b = Array::from_slice(&dev, &[false], &[1])?;
    /// assert_eq!(a.logical_or(&b)?.to_vec()?, vec![true, false]); // a | b, broadcast
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast; arrays on different devices.
    #[track_caller]
    pub fn logical_or(&self, other: &Array<bool>) -> Result<Array<bool>> {
        self.logical(BitOp::Or, other)
    }

    /// `np.logical_xor(a, b)` into a new `bool` array.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[true, false, true], &[3])?;
    /// let b = Array::from_slice(&dev, &[true, true, false], &[3])?;
    /// assert_eq!(a.logical_xor(&b)?.to_vec()?, vec![false, true, true]); // a ^ b
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast; arrays on different devices.
    #[track_caller]
    pub fn logical_xor(&self, other: &Array<bool>) -> Result<Array<bool>> {
        self.logical(BitOp::Xor, other)
    }

    fn logical(&self, op: BitOp, other: &Array<bool>) -> Result<Array<bool>> {
        self.alloc_pair(other)?
            .fresh(|out| out.bit_apply(op, Arg::Arr(self), Arg::Arr(other)))
    }

    /// `self = self op other` for a logical op, in place through any view
    /// (`m &= other`; `op` is `And`, `Or` or `Xor`).
    ///
    /// ```
    /// use ndgpu::{Array, BitOp, Device};
    /// let dev = Device::cpu();
    /// let m = Array::from_slice(&dev, &[true, true], &[2])?;
    /// m.logical_inplace(BitOp::And, &Array::from_slice(&dev, &[false, true], &[2])?)?; // np.logical_and(m, o, out=m)
    /// assert_eq!(m.to_vec()?, vec![false, true]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A shift op (not logical); read-only `self`; `other` does not
    /// broadcast to `self`'s shape.
    pub fn logical_inplace(&self, op: BitOp, other: &Array<bool>) -> Result<()> {
        Self::check_logical(op)?;
        self.bit_apply(op, Arg::Arr(self), Arg::Arr(other))
    }

    /// `out[...] = self op other` for a logical op (NumPy's `out=`).
    ///
    /// ```
    /// use ndgpu::{Array, BitOp, Device};
    /// let dev = Device::cpu();
    /// let m = Array::from_slice(&dev, &[true, false], &[2])?;
    /// let out = Array::<bool>::zeros(&dev, &[2])?;
    /// m.logical_into(BitOp::Or, &m, &out)?; // np.logical_or(m, m, out=out)
    /// assert_eq!(out.to_vec()?, vec![true, false]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A shift op; read-only `out`; `out` cannot hold the broadcast shape.
    pub fn logical_into(&self, op: BitOp, other: &Array<bool>, out: &Array<bool>) -> Result<()> {
        Self::check_logical(op)?;
        out.bit_apply(op, Arg::Arr(self), Arg::Arr(other))
    }

    fn check_logical(op: BitOp) -> Result<()> {
        match op {
            BitOp::And | BitOp::Or | BitOp::Xor => Ok(()),
            _ => Err(crate::Error::Value(format!(
                "{op:?} is not a logical op: bool arrays take And, Or and Xor"
            ))),
        }
    }

    /// `np.logical_not(a)` (`~a` on a bool array) into a new array.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let m = Array::from_slice(&dev, &[true, false], &[2])?;
    /// assert_eq!(m.logical_not()?.to_vec()?, vec![false, true]); // ~m
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn logical_not(&self) -> Result<Array<bool>> {
        Array::uninit(&self.device, self.shape())?.fresh(|out| out.not_apply(self))
    }

    /// `np.logical_not(m, out=m)` in place through any view.
    ///
    /// ```
    /// use ndgpu::{s, Array, Device};
    /// let dev = Device::cpu();
    /// let m = Array::from_slice(&dev, &[true, true, true], &[3])?;
    /// m.slice(s![..;2])?.logical_not_inplace()?; // np.logical_not(m[::2], out=m[::2])
    /// assert_eq!(m.to_vec()?, vec![false, true, false]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn logical_not_inplace(&self) -> Result<()> {
        self.not_apply(self)
    }

    /// `np.logical_not(m, out=out)`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let m = Array::from_slice(&dev, &[false], &[1])?;
    /// let out = Array::<bool>::zeros(&dev, &[1])?;
    /// m.logical_not_into(&out)?; // np.logical_not(m, out=out)
    /// assert!(out.item()?);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold `self`'s shape.
    pub fn logical_not_into(&self, out: &Array<bool>) -> Result<()> {
        out.not_apply(self)
    }
}

#[track_caller]
fn ok<R>(r: Result<R>) -> R {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// `& | ^` on `bool` arrays (logical) and integer arrays (bitwise), by
/// reference; `!` is `logical_not` / `bitwise_not`. **Panic** with the
/// named method's message when the shapes do not broadcast.
macro_rules! bit_operators {
    ($($t:ty),*) => {$(
        impl BitAnd<&Array<$t>> for &Array<$t> {
            type Output = Array<$t>;
            #[track_caller]
            fn bitand(self, rhs: &Array<$t>) -> Array<$t> {
                ok(self.alloc_pair(rhs).and_then(|o| o.fresh(|o| o.bit_apply(BitOp::And, Arg::Arr(self), Arg::Arr(rhs)))))
            }
        }
        impl BitOr<&Array<$t>> for &Array<$t> {
            type Output = Array<$t>;
            #[track_caller]
            fn bitor(self, rhs: &Array<$t>) -> Array<$t> {
                ok(self.alloc_pair(rhs).and_then(|o| o.fresh(|o| o.bit_apply(BitOp::Or, Arg::Arr(self), Arg::Arr(rhs)))))
            }
        }
        impl BitXor<&Array<$t>> for &Array<$t> {
            type Output = Array<$t>;
            #[track_caller]
            fn bitxor(self, rhs: &Array<$t>) -> Array<$t> {
                ok(self.alloc_pair(rhs).and_then(|o| o.fresh(|o| o.bit_apply(BitOp::Xor, Arg::Arr(self), Arg::Arr(rhs)))))
            }
        }
        impl Not for &Array<$t> {
            type Output = Array<$t>;
            #[track_caller]
            fn not(self) -> Array<$t> {
                ok(Array::uninit(&self.device, self.shape()).and_then(|o| o.fresh(|o| o.not_apply(self))))
            }
        }
    )*};
}

bit_operators!(bool, i32, u32);
