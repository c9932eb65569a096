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
    /// The WGSL scalar type, when the GPU path supports the dtype.
    pub(crate) fn wgsl(self) -> Option<&'static str> {
        match self {
            DType::F32 => Some("f32"),
            DType::I32 => Some("i32"),
            DType::U32 => Some("u32"),
            DType::F64 => None,
        }
    }
    pub(crate) fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
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
    /// Zero.
    fn zero() -> Self {
        Self::from_f64(0.0)
    }
    /// One.
    fn one() -> Self {
        Self::from_f64(1.0)
    }
    /// `self + a * b`, the matrix product's step; wrapping for integers, as
    /// NumPy's integer `matmul` wraps.
    fn mm_madd(self, a: Self, b: Self) -> Self;
}

impl Element for f32 {
    fn mm_madd(self, a: Self, b: Self) -> Self {
        self + a * b
    }
    const DTYPE: DType = DType::F32;
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_bits32(self) -> u32 {
        self.to_bits()
    }
}
impl Element for f64 {
    fn mm_madd(self, a: Self, b: Self) -> Self {
        self + a * b
    }
    const DTYPE: DType = DType::F64;
    fn from_f64(v: f64) -> Self {
        v
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn to_bits32(self) -> u32 {
        (self as f32).to_bits()
    }
}
impl Element for i32 {
    fn mm_madd(self, a: Self, b: Self) -> Self {
        self.wrapping_add(a.wrapping_mul(b))
    }
    const DTYPE: DType = DType::I32;
    fn from_f64(v: f64) -> Self {
        v as i32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_bits32(self) -> u32 {
        self as u32
    }
}
impl Element for u32 {
    fn mm_madd(self, a: Self, b: Self) -> Self {
        self.wrapping_add(a.wrapping_mul(b))
    }
    const DTYPE: DType = DType::U32;
    fn from_f64(v: f64) -> Self {
        v as u32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_bits32(self) -> u32 {
        self
    }
}
