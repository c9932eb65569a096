//! The elementwise front: NumPy's ufuncs as one- or few-node programs of
//! the kernel IR (`src/kernel/`), over any strided views, with NumPy's
//! broadcasting and overlap rules, on both backends.

use crate::array::Array;
use crate::element::{DType, Element, Float, Number};
use crate::error::{Error, Result};
use crate::kernel::run::Operand;
use crate::kernel::{Id, Op, Program};
use crate::layout::broadcast_shapes;

/// One argument of an elementwise op.
pub(crate) enum Arg<'a, T: Element> {
    /// An array, broadcast to the output's shape.
    Arr(&'a Array<T>),
    /// A value for every element.
    Scalar(T),
}

/// A program under construction with its operands and scalar values.
#[derive(Default)]
pub(crate) struct Builder {
    pub p: Program,
    pub inputs: Vec<Operand>,
    pub scalars: Vec<f64>,
}

impl Builder {
    /// A leaf node for `a`: an input or a scalar slot.
    pub(crate) fn leaf<T: Element>(&mut self, a: &Arg<'_, T>) -> Id {
        match a {
            Arg::Arr(x) => self.input(x),
            Arg::Scalar(v) => self.scalar(*v),
        }
    }
    pub(crate) fn input<T: Element>(&mut self, x: &Array<T>) -> Id {
        self.inputs.push(x.operand());
        self.p
            .push(Op::Input((self.inputs.len() - 1) as u16), T::DTYPE)
    }
    pub(crate) fn scalar<T: Element>(&mut self, v: T) -> Id {
        self.scalars.push(v.to_f64());
        self.p
            .push(Op::Scalar((self.scalars.len() - 1) as u16), T::DTYPE)
    }
    pub(crate) fn node(&mut self, op: Op, d: DType) -> Id {
        self.p.push(op, d)
    }
}

impl<O: Element> Array<O> {
    /// `self[...] = program(inputs)`: the one way elementwise work runs.
    ///
    /// # Errors
    /// Read-only output; shapes that do not broadcast; arrays on different
    /// devices; a program too large for one kernel.
    pub(crate) fn apply(&self, b: &Builder) -> Result<()> {
        self.check_writeable()?;
        debug_assert_eq!(b.p.dtype(), O::DTYPE);
        crate::kernel::run::run(&b.p, &self.operand(), &b.inputs, &b.scalars)
    }
}

/// Binary arithmetic ops, NumPy's ufuncs of the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `np.add`
    Add,
    /// `np.subtract`
    Sub,
    /// `np.multiply`
    Mul,
    /// `np.divide` for floats, `np.floor_divide` for integers (0 for a zero divisor)
    Div,
    /// `np.power`
    Pow,
    /// `np.maximum` (NaN propagates)
    Maximum,
    /// `np.minimum` (NaN propagates)
    Minimum,
    /// `np.remainder` (Python's modulo: the sign of the divisor). On the GPU
    /// a float remainder is `a - b * trunc(a / b)` in f32, exact while
    /// `|a / b| < 2^24`; beyond that, and for an infinite divisor, it can
    /// differ from NumPy's (the CPU backend's `%` is exact).
    Rem,
}

impl BinaryOp {
    /// Every binary op.
    pub const ALL: [BinaryOp; 8] = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Pow,
        BinaryOp::Maximum,
        BinaryOp::Minimum,
        BinaryOp::Rem,
    ];
}

/// Comparisons; they return a `bool` array (stored as a 32-bit word per
/// element, since GPU storage has no 1-byte type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Unary ops for every dtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `np.negative` (integers wrap)
    Neg,
    /// `np.abs`
    Abs,
    /// `max(x, 0)`; 0 for NaN
    Relu,
    /// `np.sign`: -1, 0 or 1 (NaN stays NaN)
    Sign,
    /// `np.square` (integers wrap)
    Square,
}

/// Unary ops for float dtypes only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FloatOp {
    /// `np.exp`
    Exp,
    /// `np.log`
    Log,
    /// `np.sqrt`
    Sqrt,
    /// `np.sin`
    Sin,
    /// `np.cos`
    Cos,
    /// `np.tanh`
    Tanh,
    /// `1 / (1 + exp(-x))`
    Sigmoid,
    /// `np.floor`
    Floor,
    /// `np.ceil`
    Ceil,
    /// `np.round` (half to even)
    Round,
    /// `np.tan`
    Tan,
    /// `np.arcsin`
    Asin,
    /// `np.arccos`
    Acos,
    /// `np.arctan`
    Atan,
    /// `np.sinh`
    Sinh,
    /// `np.cosh`
    Cosh,
    /// `np.arcsinh`
    Asinh,
    /// `np.arccosh`
    Acosh,
    /// `np.arctanh`
    Atanh,
    /// `np.log1p`: `log(1 + x)`, accurate for small `x`
    Log1p,
    /// `np.expm1`: `exp(x) - 1`, accurate for small `x`
    Expm1,
    /// `np.log2`
    Log2,
    /// `np.log10`
    Log10,
    /// `np.exp2`
    Exp2,
    /// `np.trunc`: toward zero
    Trunc,
    /// `np.reciprocal`: `1 / x`
    Reciprocal,
}

/// Binary ops for float dtypes only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FloatBinaryOp {
    /// `np.arctan2(y, x)`: the angle of the point `(x, y)`
    Atan2,
    /// `np.hypot`: `sqrt(a² + b²)` without overflow for large values
    Hypot,
    /// `np.copysign`: `|a|` with the sign bit of `b`
    Copysign,
    /// `np.floor_divide` for floats (`a // b`): NumPy's `divmod` quotient;
    /// `a / b` (±inf or NaN) for a zero divisor
    FloorDivide,
}

/// Bitwise ops on integers; `And`, `Or`, `Xor` are also the logical ops of
/// `bool` arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BitOp {
    /// `np.bitwise_and` (`np.logical_and` on bool)
    And,
    /// `np.bitwise_or` (`np.logical_or` on bool)
    Or,
    /// `np.bitwise_xor` (`np.logical_xor` on bool)
    Xor,
    /// `np.left_shift`: 0 when the shift is negative or at least the bit width
    LeftShift,
    /// `np.right_shift`: arithmetic for signed integers; a shift that is
    /// negative or at least the bit width gives 0 (or -1 for a negative
    /// signed value)
    RightShift,
}

/// Float classification, each giving a `bool` array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IsOp {
    /// `np.isnan`
    Nan,
    /// `np.isinf`
    Inf,
    /// `np.isfinite`
    Finite,
}

impl<T: Element> Array<T> {
    /// A new array of the broadcast shape of the array arguments.
    #[track_caller]
    fn alloc_for<U: Element>(&self, other: Option<&Array<T>>) -> Result<Array<U>> {
        let shape = match other {
            Some(o) => broadcast_shapes(&[self.shape(), o.shape()])?,
            None => self.shape().to_vec(),
        };
        if let Some(o) = other {
            self.check_same_device(o)?;
        }
        Array::uninit(&self.device, &shape)
    }

    /// An error unless `other` lives on `self`'s device.
    pub(crate) fn check_same_device<U: Element>(&self, other: &Array<U>) -> Result<()> {
        if other.device.same(&self.device) {
            return Ok(());
        }
        Err(Error::DeviceMismatch(
            other.device.info().name.clone(),
            self.device.info().name.clone(),
        ))
    }

    /// Can an op whose result has `shape` write into this array's buffer?
    /// Only when no other array shares the buffer (so nothing else can see
    /// the write), the array is writeable, and its shape is the result's:
    /// NumPy's temporary elision, with Rust's ownership as the signal.
    pub(crate) fn can_take(&self, shape: &[usize]) -> bool {
        self.flags().writeable && self.shape() == shape && self.storage.unique()
    }

    fn cmp_apply(out: &Array<bool>, op: CmpOp, a: Arg<'_, T>, b: Arg<'_, T>) -> Result<()> {
        let mut k = Builder::default();
        let (x, y) = (k.leaf(&a), k.leaf(&b));
        k.node(Op::Cmp(op, x, y), DType::Bool);
        out.apply(&k)
    }

    /// Elementwise comparison into a `bool` array.
    ///
    /// ```
    /// use ndgpu::{Array, CmpOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 5], &[2])?;
    /// let b = Array::from_slice(&dev, &[3, 3], &[2])?;
    /// assert_eq!(a.compare(CmpOp::Gt, &b)?.to_vec()?, vec![false, true]); // a > b
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast.
    #[track_caller]
    pub fn compare(&self, op: CmpOp, other: &Array<T>) -> Result<Array<bool>> {
        self.alloc_for(Some(other))?
            .fresh(|out| Self::cmp_apply(out, op, Arg::Arr(self), Arg::Arr(other)))
    }

    /// Comparison with a scalar into a `bool` array.
    ///
    /// ```
    /// use ndgpu::{Array, CmpOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 5], &[2])?;
    /// assert_eq!(a.compare_scalar(CmpOp::Eq, 5)?.to_vec()?, vec![false, true]); // a == 5
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn compare_scalar(&self, op: CmpOp, s: T) -> Result<Array<bool>> {
        self.alloc_for(None)?
            .fresh(|out| Self::cmp_apply(out, op, Arg::Arr(self), Arg::Scalar(s)))
    }

    /// Comparison into a caller's `bool` array (`out=`).
    ///
    /// ```
    /// use ndgpu::{Array, CmpOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 5], &[2])?;
    /// let m = Array::<bool>::zeros(&dev, &[2])?;
    /// a.compare_into(CmpOp::Le, &a, &m)?; // np.less_equal(a, a, out=m)
    /// assert_eq!(m.to_vec()?, vec![true, true]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold the broadcast shape.
    pub fn compare_into(&self, op: CmpOp, other: &Array<T>, out: &Array<bool>) -> Result<()> {
        Self::cmp_apply(out, op, Arg::Arr(self), Arg::Arr(other))
    }

    /// `np.where(mask, a, b)`: `a` where `mask` is true, else `b`, broadcast together.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let m = Array::from_slice(&dev, &[true, false], &[2])?;
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// let b = Array::from_slice(&dev, &[10, 20], &[2])?;
    /// assert_eq!(Array::where_(&m, &a, &b)?.to_vec()?, vec![1, 20]); // np.where(m, a, b)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast; arrays on different devices.
    #[track_caller]
    pub fn where_(mask: &Array<bool>, a: &Array<T>, b: &Array<T>) -> Result<Array<T>> {
        let shape = broadcast_shapes(&[mask.shape(), a.shape(), b.shape()])?;
        let out = Array::uninit(&a.device, &shape)?;
        let mut k = Builder::default();
        let (m, x, y) = (k.input(mask), k.input(a), k.input(b));
        k.node(Op::Select(m, x, y), T::DTYPE);
        out.fresh(|out| out.apply(&k))
    }
}

impl<T: Number> Array<T> {
    /// `self[...] = a op b`.
    pub(crate) fn binary_apply(&self, op: BinaryOp, a: Arg<'_, T>, b: Arg<'_, T>) -> Result<()> {
        let mut k = Builder::default();
        let (x, y) = (k.leaf(&a), k.leaf(&b));
        k.node(Op::Binary(op, x, y), T::DTYPE);
        self.apply(&k)
    }

    /// Elementwise `op` into a new array (`np.add(a, b)` and friends).
    ///
    /// ```
    /// use ndgpu::{Array, BinaryOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// let b = Array::from_slice(&dev, &[10, 20], &[2])?;
    /// assert_eq!(a.binary(BinaryOp::Add, &b)?.to_vec()?, vec![11, 22]); // np.add(a, b)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast; arrays on different devices.
    #[track_caller]
    pub fn binary(&self, op: BinaryOp, other: &Array<T>) -> Result<Array<T>> {
        self.alloc_for(Some(other))?
            .fresh(|out| out.binary_apply(op, Arg::Arr(self), Arg::Arr(other)))
    }

    /// `self = self op other`, in place through any view (`a += b`).
    ///
    /// ```
    /// use ndgpu::{Array, BinaryOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// a.binary_inplace(BinaryOp::Mul, &Array::from_slice(&dev, &[3, 4], &[2])?)?; // a *= b
    /// assert_eq!(a.to_vec()?, vec![3, 8]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `self`; `other` does not broadcast to `self`'s shape.
    pub fn binary_inplace(&self, op: BinaryOp, other: &Array<T>) -> Result<()> {
        self.binary_apply(op, Arg::Arr(self), Arg::Arr(other))
    }

    /// `out[...] = self op other` (NumPy's `out=`).
    ///
    /// ```
    /// use ndgpu::{Array, BinaryOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// let out = Array::<i32>::zeros(&dev, &[2])?;
    /// a.binary_into(BinaryOp::Sub, &a, &out)?; // np.subtract(a, a, out=out)
    /// assert_eq!(out.to_vec()?, vec![0, 0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold the broadcast shape.
    pub fn binary_into(&self, op: BinaryOp, other: &Array<T>, out: &Array<T>) -> Result<()> {
        out.binary_apply(op, Arg::Arr(self), Arg::Arr(other))
    }

    /// `self op s` into a new array.
    ///
    /// ```
    /// use ndgpu::{Array, BinaryOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[7, -7], &[2])?;
    /// assert_eq!(a.binary_scalar(BinaryOp::Rem, 3)?.to_vec()?, vec![1, 2]); // a % 3, Python's modulo
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn binary_scalar(&self, op: BinaryOp, s: T) -> Result<Array<T>> {
        self.alloc_for(None)?
            .fresh(|out| out.binary_apply(op, Arg::Arr(self), Arg::Scalar(s)))
    }

    /// `self = self op s`, in place.
    ///
    /// ```
    /// use ndgpu::{Array, BinaryOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[2.0f32, 3.0], &[2])?;
    /// a.binary_scalar_inplace(BinaryOp::Pow, 2.0)?; // a **= 2
    /// assert_eq!(a.to_vec()?, vec![4.0, 9.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn binary_scalar_inplace(&self, op: BinaryOp, s: T) -> Result<()> {
        self.binary_apply(op, Arg::Arr(self), Arg::Scalar(s))
    }

    /// `out[...] = self op s` (NumPy's `np.multiply(a, 2, out=y)`).
    ///
    /// ```
    /// use ndgpu::{Array, BinaryOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3], &[3])?;
    /// let y = Array::<i32>::zeros(&dev, &[2, 3])?;
    /// a.binary_scalar_into(BinaryOp::Mul, 2, &y.slice(ndgpu::s![1])?)?;
    /// assert_eq!(y.to_vec()?, vec![0, 0, 0, 2, 4, 6]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold `self`'s shape.
    pub fn binary_scalar_into(&self, op: BinaryOp, s: T, out: &Array<T>) -> Result<()> {
        out.binary_apply(op, Arg::Arr(self), Arg::Scalar(s))
    }

    /// `self op other`, consuming `self`: written into `self`'s buffer when
    /// [`can_take`](Array::can_take) allows, else into a new array.
    #[track_caller]
    pub(crate) fn binary_owned(self, op: BinaryOp, other: &Array<T>) -> Result<Array<T>> {
        let shape = broadcast_shapes(&[self.shape(), other.shape()])?;
        if other.device.same(&self.device) && self.can_take(&shape) {
            self.binary_apply(op, Arg::Arr(&self), Arg::Arr(other))?;
            return Ok(self);
        }
        self.binary(op, other)
    }

    /// `other op self`, consuming `self` (the right operand): written into
    /// `self`'s buffer when [`can_take`](Array::can_take) allows.
    #[track_caller]
    pub(crate) fn binary_owned_rhs(self, other: &Array<T>, op: BinaryOp) -> Result<Array<T>> {
        let shape = broadcast_shapes(&[other.shape(), self.shape()])?;
        if other.device.same(&self.device) && self.can_take(&shape) {
            self.binary_apply(op, Arg::Arr(other), Arg::Arr(&self))?;
            return Ok(self);
        }
        other.binary(op, &self)
    }

    /// `self op s`, consuming `self`.
    #[track_caller]
    pub(crate) fn binary_scalar_owned(self, op: BinaryOp, s: T) -> Result<Array<T>> {
        if self.can_take(self.shape()) {
            self.binary_apply(op, Arg::Arr(&self), Arg::Scalar(s))?;
            return Ok(self);
        }
        self.binary_scalar(op, s)
    }

    /// `s op self`, consuming `self`.
    #[track_caller]
    pub(crate) fn scalar_binary_owned(self, s: T, op: BinaryOp) -> Result<Array<T>> {
        if self.can_take(self.shape()) {
            self.binary_apply(op, Arg::Scalar(s), Arg::Arr(&self))?;
            return Ok(self);
        }
        self.scalar_binary(s, op)
    }

    /// `s op self` into a new array (`2 - a`).
    ///
    /// ```
    /// use ndgpu::{Array, BinaryOp, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// assert_eq!(a.scalar_binary(10, BinaryOp::Sub)?.to_vec()?, vec![9, 8]); // 10 - a
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn scalar_binary(&self, s: T, op: BinaryOp) -> Result<Array<T>> {
        self.alloc_for(None)?
            .fresh(|out| out.binary_apply(op, Arg::Scalar(s), Arg::Arr(self)))
    }

    pub(crate) fn unary_apply(&self, op: UnaryOp, a: Arg<'_, T>) -> Result<()> {
        let mut k = Builder::default();
        let x = k.leaf(&a);
        k.node(Op::Unary(op, x), T::DTYPE);
        self.apply(&k)
    }

    /// A unary op into a new array.
    ///
    /// ```
    /// use ndgpu::{Array, Device, UnaryOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-1, 2], &[2])?;
    /// assert_eq!(a.unary(UnaryOp::Abs)?.to_vec()?, vec![1, 2]); // np.abs(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn unary(&self, op: UnaryOp) -> Result<Array<T>> {
        self.alloc_for(None)?
            .fresh(|out| out.unary_apply(op, Arg::Arr(self)))
    }

    /// A unary op in place.
    ///
    /// ```
    /// use ndgpu::{Array, Device, UnaryOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-1, 2], &[2])?;
    /// a.unary_inplace(UnaryOp::Neg)?; // np.negative(a, out=a)
    /// assert_eq!(a.to_vec()?, vec![1, -2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn unary_inplace(&self, op: UnaryOp) -> Result<()> {
        self.unary_apply(op, Arg::Arr(self))
    }

    /// A unary op into a caller's array.
    ///
    /// ```
    /// use ndgpu::{Array, Device, UnaryOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-1.0f32, 2.0], &[2])?;
    /// let out = Array::<f32>::zeros(&dev, &[2])?;
    /// a.unary_into(UnaryOp::Relu, &out)?; // np.maximum(a, 0, out=out)
    /// assert_eq!(out.to_vec()?, vec![0.0, 2.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold `self`'s shape.
    pub fn unary_into(&self, op: UnaryOp, out: &Array<T>) -> Result<()> {
        out.unary_apply(op, Arg::Arr(self))
    }

    fn clip_apply(&self, a: Arg<'_, T>, lo: T, hi: T) -> Result<()> {
        let mut k = Builder::default();
        let (x, l, h) = (k.leaf(&a), k.scalar(lo), k.scalar(hi));
        k.node(Op::Clip(x, l, h), T::DTYPE);
        self.apply(&k)
    }

    /// `np.clip(a, lo, hi)` into a new array.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-5, 3, 9], &[3])?;
    /// assert_eq!(a.clip(0, 4)?.to_vec()?, vec![0, 3, 4]); // np.clip(a, 0, 4)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn clip(&self, lo: T, hi: T) -> Result<Array<T>> {
        self.alloc_for(None)?
            .fresh(|out| out.clip_apply(Arg::Arr(self), lo, hi))
    }

    /// `np.clip(a, lo, hi, out=a)`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-5, 3, 9], &[3])?;
    /// a.clip_inplace(0, 4)?; // np.clip(a, 0, 4, out=a)
    /// assert_eq!(a.to_vec()?, vec![0, 3, 4]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn clip_inplace(&self, lo: T, hi: T) -> Result<()> {
        self.clip_apply(Arg::Arr(self), lo, hi)
    }
}

impl<T: Float> Array<T> {
    fn float_apply(&self, op: FloatOp, a: Arg<'_, T>) -> Result<()> {
        let mut k = Builder::default();
        let x = k.leaf(&a);
        k.node(Op::Float(op, x), T::DTYPE);
        self.apply(&k)
    }

    /// A float op (`exp`, `sqrt`, ...) into a new array.
    ///
    /// ```
    /// use ndgpu::{Array, Device, FloatOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0.0f32, 4.0], &[2])?;
    /// assert_eq!(a.float_op(FloatOp::Sqrt)?.to_vec()?, vec![0.0, 2.0]); // np.sqrt(a)
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn float_op(&self, op: FloatOp) -> Result<Array<T>> {
        self.alloc_for(None)?
            .fresh(|out| out.float_apply(op, Arg::Arr(self)))
    }

    /// A float op in place.
    ///
    /// ```
    /// use ndgpu::{Array, Device, FloatOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0.4f32, 1.6], &[2])?;
    /// a.float_op_inplace(FloatOp::Floor)?; // np.floor(a, out=a)
    /// assert_eq!(a.to_vec()?, vec![0.0, 1.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn float_op_inplace(&self, op: FloatOp) -> Result<()> {
        self.float_apply(op, Arg::Arr(self))
    }

    /// A float op into a caller's array.
    ///
    /// ```
    /// use ndgpu::{Array, Device, FloatOp};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[0.0f32], &[1])?;
    /// let out = Array::<f32>::zeros(&dev, &[1])?;
    /// a.float_op_into(FloatOp::Exp, &out)?; // np.exp(a, out=out)
    /// assert_eq!(out.to_vec()?, vec![1.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold `self`'s shape.
    pub fn float_op_into(&self, op: FloatOp, out: &Array<T>) -> Result<()> {
        out.float_apply(op, Arg::Arr(self))
    }
}

/// Named forms of each op: `a.add(&b)?`, `a.add_inplace(&b)?`,
/// `a.add_into(&b, &out)?`, `a.add_scalar(2)?`, `a.add_scalar_inplace(2)?`.
macro_rules! named_binary {
    ($($op:ident $inplace:ident $into:ident $sc:ident $sc_inplace:ident $sc_into:ident = $v:ident, $np:literal;)*) => {
        impl<T: Number> Array<T> {$(
            #[doc = concat!("`", $np, "(a, b)` into a new array; see [`Array::binary`].\n\n# Errors\nShapes that do not broadcast.")]
            #[track_caller]
            pub fn $op(&self, other: &Array<T>) -> Result<Array<T>> {
                self.binary(BinaryOp::$v, other)
            }
            #[doc = concat!("`", $np, "(a, b, out=a)`: in place through any view.\n\n# Errors\nRead-only `self`; `other` does not broadcast to `self`.")]
            pub fn $inplace(&self, other: &Array<T>) -> Result<()> {
                self.binary_inplace(BinaryOp::$v, other)
            }
            #[doc = concat!("`", $np, "(a, b, out=out)`.\n\n# Errors\nRead-only `out`; `out` cannot hold the broadcast shape.")]
            pub fn $into(&self, other: &Array<T>, out: &Array<T>) -> Result<()> {
                self.binary_into(BinaryOp::$v, other, out)
            }
            #[doc = concat!("`", $np, "(a, s)` into a new array.\n\n# Errors\nOut of memory.")]
            #[track_caller]
            pub fn $sc(&self, s: T) -> Result<Array<T>> {
                self.binary_scalar(BinaryOp::$v, s)
            }
            #[doc = concat!("`", $np, "(a, s, out=a)`: in place through any view.\n\n# Errors\nRead-only `self`.")]
            pub fn $sc_inplace(&self, s: T) -> Result<()> {
                self.binary_scalar_inplace(BinaryOp::$v, s)
            }
            #[doc = concat!("`", $np, "(a, s, out=out)`: into a caller's array, any writeable view.\n\n```\nuse ndgpu::{Array, Device};\nlet dev = Device::cpu();\nlet a = Array::from_slice(&dev, &[4.0f32, 9.0], &[2])?;\nlet out = Array::<f32>::zeros(&dev, &[2])?;\na.", stringify!($sc_into), "(2.0, &out)?;\nassert_eq!(out.to_vec()?, a.", stringify!($sc), "(2.0)?.to_vec()?);\n# Ok::<(), ndgpu::Error>(())\n```\n\n# Errors\nRead-only `out`; `out` cannot hold `self`'s shape.")]
            pub fn $sc_into(&self, s: T, out: &Array<T>) -> Result<()> {
                self.binary_scalar_into(BinaryOp::$v, s, out)
            }
        )*}
    };
}

named_binary! {
    add add_inplace add_into add_scalar add_scalar_inplace add_scalar_into = Add, "np.add(a)";
    sub sub_inplace sub_into sub_scalar sub_scalar_inplace sub_scalar_into = Sub, "np.subtract(a)";
    mul mul_inplace mul_into mul_scalar mul_scalar_inplace mul_scalar_into = Mul, "np.multiply(a)";
    div div_inplace div_into div_scalar div_scalar_inplace div_scalar_into = Div, "np.divide (np.floor_divide for integers)";
    pow pow_inplace pow_into pow_scalar pow_scalar_inplace pow_scalar_into = Pow, "np.power(a)";
    maximum maximum_inplace maximum_into maximum_scalar maximum_scalar_inplace maximum_scalar_into = Maximum, "np.maximum(a)";
    minimum minimum_inplace minimum_into minimum_scalar minimum_scalar_inplace minimum_scalar_into = Minimum, "np.minimum(a)";
    rem rem_inplace rem_into rem_scalar rem_scalar_inplace rem_scalar_into = Rem, "np.remainder(a)";
}

macro_rules! named_cmp {
    ($($op:ident $sc:ident = $v:ident;)*) => {
        impl<T: Element> Array<T> {$(
            #[doc = concat!("Elementwise `", stringify!($op), "` into a `bool` array.\n\n# Errors\nShapes that do not broadcast.")]
            #[track_caller]
            pub fn $op(&self, other: &Array<T>) -> Result<Array<bool>> {
                self.compare(CmpOp::$v, other)
            }
            #[doc = concat!("Elementwise `", stringify!($op), "` with a scalar into a `bool` array.\n\n# Errors\nOut of memory.")]
            #[track_caller]
            pub fn $sc(&self, s: T) -> Result<Array<bool>> {
                self.compare_scalar(CmpOp::$v, s)
            }
        )*}
    };
}

named_cmp! {
    eq eq_scalar = Eq;
    ne ne_scalar = Ne;
    lt lt_scalar = Lt;
    le le_scalar = Le;
    gt gt_scalar = Gt;
    ge ge_scalar = Ge;
}

macro_rules! named_unary {
    ($tr:ident, $kind:ident, $apply:ident, $apply_inplace:ident, $apply_into:ident, $ty:literal, $vals:literal; $($op:ident $inplace:ident $into:ident = $v:ident, $np:literal;)*) => {
        impl<T: $tr> Array<T> {$(
            #[doc = concat!("`", $np, "` into a new array; see [`Array::", stringify!($apply), "`].\n\n```\nuse ndgpu::{Array, Device};\nlet dev = Device::cpu();\nlet a = Array::<", $ty, ">::from_slice(&dev, &", $vals, ", &[3])?;\nlet y = a.", stringify!($op), "()?; // ", $np, "\nlet z = a.", stringify!($apply), "(ndgpu::", stringify!($kind), "::", stringify!($v), ")?;\nassert_eq!(format!(\"{:?}\", y.to_vec()?), format!(\"{:?}\", z.to_vec()?));\n# Ok::<(), ndgpu::Error>(())\n```\n\n# Errors\nOut of memory.")]
            #[track_caller]
            pub fn $op(&self) -> Result<Array<T>> {
                self.$apply($kind::$v)
            }
            #[doc = concat!("`", $np, "` in place through any view (`out=a`).\n\n```\nuse ndgpu::{Array, Device};\nlet dev = Device::cpu();\nlet a = Array::<", $ty, ">::from_slice(&dev, &", $vals, ", &[3])?;\nlet y = a.", stringify!($op), "()?;\na.", stringify!($inplace), "()?; // ", $np, ", out=a\nassert_eq!(format!(\"{:?}\", a.to_vec()?), format!(\"{:?}\", y.to_vec()?));\n# Ok::<(), ndgpu::Error>(())\n```\n\n# Errors\nRead-only `self`.")]
            pub fn $inplace(&self) -> Result<()> {
                self.$apply_inplace($kind::$v)
            }
            #[doc = concat!("`", $np, "` into `out` (`out=out`).\n\n```\nuse ndgpu::{Array, Device};\nlet dev = Device::cpu();\nlet a = Array::<", $ty, ">::from_slice(&dev, &", $vals, ", &[3])?;\nlet out = Array::<", $ty, ">::zeros(&dev, &[3])?;\na.", stringify!($into), "(&out)?; // ", $np, ", out=out\nassert_eq!(format!(\"{:?}\", out.to_vec()?), format!(\"{:?}\", a.", stringify!($op), "()?.to_vec()?));\n# Ok::<(), ndgpu::Error>(())\n```\n\n# Errors\nRead-only `out`; `out` cannot hold `self`'s shape.")]
            pub fn $into(&self, out: &Array<T>) -> Result<()> {
                self.$apply_into($kind::$v, out)
            }
        )*}
    };
}

named_unary! { Number, UnaryOp, unary, unary_inplace, unary_into, "i32", "[-2, 0, 3]";
    neg neg_inplace neg_into = Neg, "np.negative(a)";
    abs abs_inplace abs_into = Abs, "np.abs(a)";
    relu relu_inplace relu_into = Relu, "np.maximum(a, 0)";
    sign sign_inplace sign_into = Sign, "np.sign(a)";
    square square_inplace square_into = Square, "np.square(a)";
}
named_unary! { Float, FloatOp, float_op, float_op_inplace, float_op_into, "f32", "[0.25, 0.5, 0.75]";
    exp exp_inplace exp_into = Exp, "np.exp(a)";
    log log_inplace log_into = Log, "np.log(a)";
    sqrt sqrt_inplace sqrt_into = Sqrt, "np.sqrt(a)";
    sin sin_inplace sin_into = Sin, "np.sin(a)";
    cos cos_inplace cos_into = Cos, "np.cos(a)";
    tanh tanh_inplace tanh_into = Tanh, "np.tanh(a)";
    sigmoid sigmoid_inplace sigmoid_into = Sigmoid, "1 / (1 + np.exp(-a))";
    floor floor_inplace floor_into = Floor, "np.floor(a)";
    ceil ceil_inplace ceil_into = Ceil, "np.ceil(a)";
    round round_inplace round_into = Round, "np.round(a)";
    tan tan_inplace tan_into = Tan, "np.tan(a)";
    asin asin_inplace asin_into = Asin, "np.arcsin(a)";
    acos acos_inplace acos_into = Acos, "np.arccos(a)";
    atan atan_inplace atan_into = Atan, "np.arctan(a)";
    sinh sinh_inplace sinh_into = Sinh, "np.sinh(a)";
    cosh cosh_inplace cosh_into = Cosh, "np.cosh(a)";
    asinh asinh_inplace asinh_into = Asinh, "np.arcsinh(a)";
    acosh acosh_inplace acosh_into = Acosh, "np.arccosh(a)";
    atanh atanh_inplace atanh_into = Atanh, "np.arctanh(a)";
    log1p log1p_inplace log1p_into = Log1p, "np.log1p(a)";
    expm1 expm1_inplace expm1_into = Expm1, "np.expm1(a)";
    log2 log2_inplace log2_into = Log2, "np.log2(a)";
    log10 log10_inplace log10_into = Log10, "np.log10(a)";
    exp2 exp2_inplace exp2_into = Exp2, "np.exp2(a)";
    trunc trunc_inplace trunc_into = Trunc, "np.trunc(a)";
    reciprocal reciprocal_inplace reciprocal_into = Reciprocal, "np.reciprocal(a)";
}
