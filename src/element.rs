//! Element types an array can hold.

use std::fmt::{Debug, Display};

/// The dtype of an array, as NumPy names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    /// 32-bit float
    F32,
    /// 64-bit float (CPU backend only)
    F64,
    /// 32-bit signed integer
    I32,
    /// 32-bit unsigned integer
    U32,
    /// 64-bit signed integer. Arithmetic wraps; a scalar operand (`a + 5`)
    /// travels as an f64, so scalars beyond ±2^53 round (array operands are
    /// exact). On a GPU it needs the adapter's `SHADER_INT64` feature.
    I64,
    /// 8-bit unsigned integer; on a GPU packed four to a 32-bit word.
    U8,
    /// 16-bit IEEE half-precision float, the `half` crate's [`f16`](half::f16).
    /// Arithmetic is computed in f32 and rounded to f16 (to nearest even)
    /// after each operation, on every device; a GPU packs two to a word and
    /// needs no adapter feature.
    F16,
    /// Boolean; stored as one 32-bit word (0 or 1) per element on both
    /// backends, so GPU kernels read and write it without sharing words.
    Bool,
}

impl DType {
    /// NumPy's name: `float32`, `int32`, ... (NumPy's `a.dtype.name`).
    ///
    /// ```
    /// use ndgpu::{f16, Array, Device};
    /// let a = Array::from_slice(&Device::cpu(), &[f16::from_f32(1.5)], &[1])?;
    /// assert_eq!(a.dtype().name(), "float16"); // a.dtype.name
    /// assert_eq!(ndgpu::DType::I64.name(), "int64");
    /// assert_eq!(ndgpu::DType::U8.name(), "uint8");
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::I32 => "int32",
            DType::U32 => "uint32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::F16 => "float16",
            DType::Bool => "bool",
        }
    }
    /// Bytes per element in ndgpu's storage (4 for `bool`, whose NumPy
    /// itemsize is 1).
    ///
    /// NumPy's `dtype.itemsize`, except for `bool`:
    ///
    /// ```
    /// use ndgpu::DType;
    /// assert_eq!(DType::I64.size(), 8); // np.dtype(np.int64).itemsize
    /// assert_eq!(DType::U8.size(), 1); // np.dtype(np.uint8).itemsize
    /// assert_eq!(DType::F16.size(), 2); // np.dtype(np.float16).itemsize
    /// assert_eq!(DType::Bool.size(), 4); // np.dtype(bool).itemsize is 1
    /// ```
    pub fn size(self) -> usize {
        match self {
            DType::F64 | DType::I64 => 8,
            DType::U8 => 1,
            DType::F16 => 2,
            _ => 4,
        }
    }
    pub(crate) fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64 | DType::F16)
    }
    /// Whether the dtype is a signed integer.
    pub(crate) fn is_signed_int(self) -> bool {
        matches!(self, DType::I32 | DType::I64)
    }
    /// Why a GPU lacks the dtype (for [`check_dtype`](crate::Device)'s error).
    pub(crate) fn gpu_hint(self) -> &'static str {
        match self {
            DType::I64 => {
                "this adapter has no 64-bit integers in shaders (wgpu feature SHADER_INT64); \
                 use i32 there, or i64 on Device::cpu()"
            }
            _ => {
                "GPU kernels here have no 64-bit floats (wgpu feature SHADER_F64); \
                 use f32 there, or f64 on Device::cpu()"
            }
        }
    }
    /// The WGSL type of one 32-bit storage word holding the element, for the
    /// kernels that work on words (reductions, matmul, sorting, scans);
    /// `None` for dtypes stored in another width.
    pub(crate) fn wgsl(self) -> Option<&'static str> {
        match self {
            DType::F32 => Some("f32"),
            DType::I32 => Some("i32"),
            DType::U32 | DType::Bool => Some("u32"),
            DType::F64 | DType::I64 | DType::U8 | DType::F16 => None,
        }
    }
    /// The WGSL type the elementwise kernels compute an element in: its
    /// own for 32-bit types, `f32` for `f16` (rounded back after each
    /// operation), `u32` for `u8` (cut to 8 bits after each operation),
    /// `i64` for `i64`.
    pub(crate) fn compute_wgsl(self) -> &'static str {
        match self {
            DType::F32 | DType::F16 | DType::F64 => "f32",
            DType::I32 => "i32",
            DType::U32 | DType::Bool | DType::U8 => "u32",
            DType::I64 => "i64",
        }
    }
}

impl Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl Sealed for i32 {}
    impl Sealed for u32 {}
    impl Sealed for i64 {}
    impl Sealed for u8 {}
    impl Sealed for half::f16 {}
    impl Sealed for bool {}
}

/// A type an [`Array`](crate::Array) can hold: `f32`, `i32`, `u32`, `u8`,
/// [`f16`](half::f16) and `bool` on every device, `i64` on the CPU backend
/// and on GPUs with 64-bit shader integers, `f64` on the CPU backend (a GPU
/// refuses what it lacks with [`Error::Dtype`](crate::Error::Dtype)).
///
/// Every element type has storage, views, transfers, printing, `astype`,
/// equality and `where_`; arithmetic needs [`Number`] (every type but
/// `bool`), and `exp`, `sqrt`, ... need [`Float`].
pub trait Element:
    sealed::Sealed + Copy + Default + PartialEq + PartialOrd + Debug + Display + Send + Sync + 'static
{
    /// The dtype tag.
    const DTYPE: DType;
    /// What one element is stored as: the type itself, or `u32` for `bool`.
    #[doc(hidden)]
    type Repr: bytemuck::Pod + Send + Sync;
    #[doc(hidden)]
    fn to_repr(self) -> Self::Repr;
    #[doc(hidden)]
    fn from_repr(r: Self::Repr) -> Self;
    /// `data` as stored: borrowed where the type is its own storage.
    #[doc(hidden)]
    fn reprs(data: &[Self]) -> std::borrow::Cow<'_, [Self::Repr]>;
    /// `data` as storage to write into, where the type is its own storage.
    #[doc(hidden)]
    fn reprs_mut(data: &mut [Self]) -> Option<&mut [Self::Repr]>;
    /// Converts from f64 as NumPy's `astype` does (truncation toward zero,
    /// saturating for ints; nonzero is `true` for `bool`).
    fn from_f64(v: f64) -> Self;
    /// Widens to f64.
    fn to_f64(self) -> f64;
    /// The 32 bits a GPU kernel sees for this value (f64 has none).
    fn to_bits32(self) -> u32;
    /// The value of those 32 bits.
    #[doc(hidden)]
    fn from_bits32(b: u32) -> Self;
    /// The integer's bits widened to 64: sign-extended for signed types,
    /// zero-extended otherwise (floats: their value as an `i64`).
    #[doc(hidden)]
    fn to_bits64(self) -> u64 {
        u64::from(self.to_bits32())
    }
    /// The low bits of `b` (wrapping), for integers and `bool` (nonzero).
    #[doc(hidden)]
    fn from_bits64(b: u64) -> Self {
        Self::from_bits32(b as u32)
    }
    /// NumPy's `astype` for one value: between integers the bits wrap
    /// (`int32(-1)` is `uint32(4294967295)`); float to integer truncates
    /// toward zero and saturates at the integer's range (NumPy leaves
    /// out-of-range values undefined), NaN giving 0; anything to `bool` is
    /// `value != 0` (NaN is `true`).
    fn cast<U: Element>(self) -> U {
        if U::DTYPE == DType::Bool {
            U::from_bits32(u32::from(self.to_f64() != 0.0))
        } else if !Self::DTYPE.is_float() && !U::DTYPE.is_float() {
            U::from_bits64(self.to_bits64())
        } else {
            U::from_f64(self.to_f64())
        }
    }
}

/// The numeric element types (every type but `bool`): arithmetic,
/// ordering reductions and products.
pub trait Number: Element<Repr = Self> + bytemuck::Pod {
    /// Zero.
    fn zero() -> Self {
        Self::from_f64(0.0)
    }
    /// One.
    fn one() -> Self {
        Self::from_f64(1.0)
    }

    // Elementwise arithmetic with NumPy's semantics for the type: integers
    // wrap, divide by flooring and take Python's modulo (0 for a zero
    // divisor); float maximum/minimum propagate NaN.
    #[doc(hidden)]
    fn add_(self, o: Self) -> Self;
    #[doc(hidden)]
    fn sub_(self, o: Self) -> Self;
    #[doc(hidden)]
    fn mul_(self, o: Self) -> Self;
    #[doc(hidden)]
    fn div_(self, o: Self) -> Self;
    #[doc(hidden)]
    fn rem_(self, o: Self) -> Self;
    #[doc(hidden)]
    fn pow_(self, o: Self) -> Self;
    #[doc(hidden)]
    fn max_(self, o: Self) -> Self;
    #[doc(hidden)]
    fn min_(self, o: Self) -> Self;
    #[doc(hidden)]
    fn neg_(self) -> Self;
    #[doc(hidden)]
    fn abs_(self) -> Self;
    /// `self + a * b`, the matrix product's step; wrapping for integers, as
    /// NumPy's integer `matmul` wraps.
    #[doc(hidden)]
    fn mm_madd(self, a: Self, b: Self) -> Self {
        self.add_(a.mul_(b))
    }
}

/// Floating-point element types: the ops that only make sense for them
/// (`exp`, `sqrt`, ...).
pub trait Float: Number {
    #[doc(hidden)]
    fn unary_(self, op: crate::ops::elementwise::FloatOp) -> Self;
    #[doc(hidden)]
    fn fbinary_(self, op: crate::ops::elementwise::FloatBinaryOp, o: Self) -> Self;
}

/// The integer element types (`i32`, `u32`, `i64`, `u8`): bitwise ops and
/// shifts.
pub trait Integer: Number {}
impl Integer for i32 {}
impl Integer for u32 {}
impl Integer for i64 {}
impl Integer for u8 {}

/// The storage methods of a type that is its own storage.
macro_rules! repr_self {
    () => {
        type Repr = Self;
        fn to_repr(self) -> Self {
            self
        }
        fn from_repr(r: Self) -> Self {
            r
        }
        fn reprs(data: &[Self]) -> std::borrow::Cow<'_, [Self]> {
            std::borrow::Cow::Borrowed(data)
        }
        fn reprs_mut(data: &mut [Self]) -> Option<&mut [Self]> {
            Some(data)
        }
    };
}

macro_rules! float_element {
    ($t:ty, $d:expr) => {
        impl Element for $t {
            const DTYPE: DType = $d;
            repr_self!();
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn to_bits32(self) -> u32 {
                (self as f32).to_bits()
            }
            fn from_bits32(b: u32) -> Self {
                f32::from_bits(b) as $t
            }
        }
        impl Number for $t {
            fn add_(self, o: Self) -> Self {
                self + o
            }
            fn sub_(self, o: Self) -> Self {
                self - o
            }
            fn mul_(self, o: Self) -> Self {
                self * o
            }
            fn div_(self, o: Self) -> Self {
                self / o
            }
            fn rem_(self, o: Self) -> Self {
                // Python's modulo: the result takes the divisor's sign.
                let r = self % o;
                if r != 0.0 && ((r < 0.0) != (o < 0.0)) {
                    r + o
                } else {
                    r
                }
            }
            fn pow_(self, o: Self) -> Self {
                self.powf(o)
            }
            fn max_(self, o: Self) -> Self {
                if self.is_nan() || o.is_nan() {
                    self + o
                } else if self >= o {
                    self
                } else {
                    o
                }
            }
            fn min_(self, o: Self) -> Self {
                if self.is_nan() || o.is_nan() {
                    self + o
                } else if self <= o {
                    self
                } else {
                    o
                }
            }
            fn neg_(self) -> Self {
                -self
            }
            fn abs_(self) -> Self {
                self.abs()
            }
        }
        impl Float for $t {
            fn unary_(self, op: crate::ops::elementwise::FloatOp) -> Self {
                use crate::ops::elementwise::FloatOp::*;
                match op {
                    Exp => self.exp(),
                    Log => self.ln(),
                    Sqrt => self.sqrt(),
                    Sin => self.sin(),
                    Cos => self.cos(),
                    Tanh => self.tanh(),
                    Sigmoid => 1.0 / (1.0 + (-self).exp()),
                    Floor => self.floor(),
                    Ceil => self.ceil(),
                    // NumPy rounds half to even.
                    Round => self.round_ties_even(),
                    Tan => self.tan(),
                    Asin => self.asin(),
                    Acos => self.acos(),
                    Atan => self.atan(),
                    Sinh => self.sinh(),
                    Cosh => self.cosh(),
                    Asinh => self.asinh(),
                    Acosh => self.acosh(),
                    Atanh => self.atanh(),
                    Log1p => self.ln_1p(),
                    Expm1 => self.exp_m1(),
                    Log2 => self.log2(),
                    Log10 => self.log10(),
                    Exp2 => self.exp2(),
                    Trunc => self.trunc(),
                    Reciprocal => 1.0 / self,
                }
            }
            fn fbinary_(self, op: crate::ops::elementwise::FloatBinaryOp, o: Self) -> Self {
                use crate::ops::elementwise::FloatBinaryOp::*;
                match op {
                    Atan2 => self.atan2(o),
                    Hypot => self.hypot(o),
                    Copysign => self.copysign(o),
                    FloorDivide => {
                        // NumPy's npy_floor_divide (npymath's divmod).
                        let (a, b) = (self, o);
                        if b == 0.0 {
                            return a / b;
                        }
                        let m = a % b;
                        let mut div = (a - m) / b;
                        if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
                            div -= 1.0;
                        }
                        if div != 0.0 {
                            let f = div.floor();
                            if div - f > 0.5 {
                                f + 1.0
                            } else {
                                f
                            }
                        } else {
                            (0.0 as $t).copysign(a / b)
                        }
                    }
                }
            }
        }
    };
}
float_element!(f32, DType::F32);
float_element!(f64, DType::F64);

macro_rules! int_element {
    ($t:ty, $d:expr, $signed:expr, $from_f64:expr) => {
        impl Element for $t {
            const DTYPE: DType = $d;
            repr_self!();
            fn from_f64(v: f64) -> Self {
                $from_f64(v)
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn to_bits32(self) -> u32 {
                self as u32
            }
            fn from_bits32(b: u32) -> Self {
                b as $t
            }
            fn to_bits64(self) -> u64 {
                // `as i64` sign-extends signed types, zero-extends the others.
                self as i64 as u64
            }
            fn from_bits64(b: u64) -> Self {
                b as $t
            }
        }
        impl Number for $t {
            fn add_(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            fn sub_(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            fn mul_(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            fn div_(self, o: Self) -> Self {
                if o == 0 {
                    return 0;
                }
                let q = self.wrapping_div(o);
                let r = self.wrapping_rem(o);
                if $signed && r != 0 && ((r < Self::zero()) != (o < Self::zero())) {
                    q - 1
                } else {
                    q
                }
            }
            fn rem_(self, o: Self) -> Self {
                if o == 0 {
                    return 0;
                }
                let r = self.wrapping_rem(o);
                if $signed && r != 0 && ((r < Self::zero()) != (o < Self::zero())) {
                    r.wrapping_add(o)
                } else {
                    r
                }
            }
            fn pow_(self, o: Self) -> Self {
                if $signed && o < Self::zero() {
                    // NumPy refuses negative integer powers; 1/a^k truncates to this.
                    return match self.to_f64() as i64 {
                        1 => 1 as $t,
                        -1 => {
                            if o.to_bits64() & 1 == 0 {
                                1 as $t
                            } else {
                                self
                            }
                        }
                        _ => 0,
                    };
                }
                self.wrapping_pow(o as u32)
            }
            fn max_(self, o: Self) -> Self {
                Ord::max(self, o)
            }
            fn min_(self, o: Self) -> Self {
                Ord::min(self, o)
            }
            fn neg_(self) -> Self {
                self.wrapping_neg()
            }
            fn abs_(self) -> Self {
                if self < Self::zero() {
                    self.wrapping_neg()
                } else {
                    self
                }
            }
        }
    };
}
int_element!(i32, DType::I32, true, |v: f64| v as i32);
int_element!(u32, DType::U32, false, |v: f64| v as u32);
int_element!(i64, DType::I64, true, |v: f64| v as i64);
// As NumPy on x86: through a 64-bit integer, wrapping (300.0 is 44, -1.0 is
// 255); NaN and values beyond i64 give 0.
int_element!(
    u8,
    DType::U8,
    false,
    |v: f64| if v.is_finite() && v.abs() < 9.2e18 {
        v as i64 as u8
    } else {
        0
    }
);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    type Repr = u32;
    fn to_repr(self) -> u32 {
        u32::from(self)
    }
    fn from_repr(r: u32) -> bool {
        r != 0
    }
    fn reprs(data: &[bool]) -> std::borrow::Cow<'_, [u32]> {
        std::borrow::Cow::Owned(data.iter().map(|&b| u32::from(b)).collect())
    }
    fn reprs_mut(_: &mut [bool]) -> Option<&mut [u32]> {
        None
    }
    fn from_f64(v: f64) -> bool {
        v != 0.0
    }
    fn to_f64(self) -> f64 {
        f64::from(u8::from(self))
    }
    fn to_bits32(self) -> u32 {
        u32::from(self)
    }
    fn from_bits32(b: u32) -> bool {
        b != 0
    }
}

/// `f16` stores its 16 bits; every operation widens to f32, computes there
/// and rounds the result back to f16 (NumPy's float16 loops do the same).
impl Element for half::f16 {
    const DTYPE: DType = DType::F16;
    repr_self!();
    fn from_f64(v: f64) -> Self {
        half::f16::from_f64(v)
    }
    fn to_f64(self) -> f64 {
        self.to_f64()
    }
    fn to_bits32(self) -> u32 {
        self.to_f32().to_bits()
    }
    fn from_bits32(b: u32) -> Self {
        half::f16::from_f32(f32::from_bits(b))
    }
}

/// Applies an f32 operation to f16 operands, rounding the result to f16.
macro_rules! via_f32 {
    ($a:expr, |$x:ident| $e:expr) => {{
        let $x = $a.to_f32();
        half::f16::from_f32($e)
    }};
    ($a:expr, $b:expr, |$x:ident, $y:ident| $e:expr) => {{
        let ($x, $y) = ($a.to_f32(), $b.to_f32());
        half::f16::from_f32($e)
    }};
}

impl Number for half::f16 {
    fn add_(self, o: Self) -> Self {
        via_f32!(self, o, |a, b| a + b)
    }
    fn sub_(self, o: Self) -> Self {
        via_f32!(self, o, |a, b| a - b)
    }
    fn mul_(self, o: Self) -> Self {
        via_f32!(self, o, |a, b| a * b)
    }
    fn div_(self, o: Self) -> Self {
        via_f32!(self, o, |a, b| a / b)
    }
    fn rem_(self, o: Self) -> Self {
        via_f32!(self, o, |a, b| a.rem_(b))
    }
    fn pow_(self, o: Self) -> Self {
        via_f32!(self, o, |a, b| a.powf(b))
    }
    fn max_(self, o: Self) -> Self {
        via_f32!(self, o, |a, b| a.max_(b))
    }
    fn min_(self, o: Self) -> Self {
        via_f32!(self, o, |a, b| a.min_(b))
    }
    fn neg_(self) -> Self {
        -self
    }
    fn abs_(self) -> Self {
        half::f16::from_bits(self.to_bits() & 0x7fff)
    }
}

impl Float for half::f16 {
    fn unary_(self, op: crate::ops::elementwise::FloatOp) -> Self {
        via_f32!(self, |a| a.unary_(op))
    }
    fn fbinary_(self, op: crate::ops::elementwise::FloatBinaryOp, o: Self) -> Self {
        via_f32!(self, o, |a, b| a.fbinary_(op, b))
    }
}
