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
}

impl DType {
    /// NumPy's name: `float32`, `int32`, ...
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::I32 => "int32",
            DType::U32 => "uint32",
        }
    }
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F64 => 8,
            _ => 4,
        }
    }
    pub(crate) fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }
    /// The WGSL scalar type, when the GPU path supports the dtype.
    pub(crate) fn wgsl(self) -> Option<&'static str> {
        match self {
            DType::F32 => Some("f32"),
            DType::I32 => Some("i32"),
            DType::U32 => Some("u32"),
            DType::F64 => None,
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
}

/// A type an [`Array`](crate::Array) can hold: `f32`, `i32`, `u32` on every
/// device, `f64` on the CPU backend.
pub trait Element:
    sealed::Sealed
    + bytemuck::Pod
    + Default
    + PartialEq
    + PartialOrd
    + Debug
    + Display
    + Send
    + Sync
    + 'static
{
    /// The dtype tag.
    const DTYPE: DType;
    /// Converts from f64 as NumPy's `astype` does (truncation toward zero,
    /// saturating for ints).
    fn from_f64(v: f64) -> Self;
    /// Widens to f64.
    fn to_f64(self) -> f64;
    /// The 32 bits a GPU kernel sees for this value (f64 has none).
    fn to_bits32(self) -> u32;
    /// The value of those 32 bits.
    #[doc(hidden)]
    fn from_bits32(b: u32) -> Self;
    /// NumPy's `astype` for one value: between integers the bits wrap
    /// (`int32(-1)` is `uint32(4294967295)`); float to integer truncates
    /// toward zero and saturates at the integer's range (NumPy leaves
    /// out-of-range values undefined), NaN giving 0.
    fn cast<U: Element>(self) -> U {
        if !Self::DTYPE.is_float() && !U::DTYPE.is_float() {
            U::from_bits32(self.to_bits32())
        } else {
            U::from_f64(self.to_f64())
        }
    }
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
pub trait Float: Element {
    #[doc(hidden)]
    fn unary_(self, op: crate::ops::elementwise::FloatOp) -> Self;
}

macro_rules! float_element {
    ($t:ty, $d:expr) => {
        impl Element for $t {
            const DTYPE: DType = $d;
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
                }
            }
        }
    };
}
float_element!(f32, DType::F32);
float_element!(f64, DType::F64);

macro_rules! int_element {
    ($t:ty, $d:expr, $signed:expr) => {
        impl Element for $t {
            const DTYPE: DType = $d;
            fn from_f64(v: f64) -> Self {
                v as $t
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
                            if o.to_f64() as i64 % 2 == 0 {
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
int_element!(i32, DType::I32, true);
int_element!(u32, DType::U32, false);
