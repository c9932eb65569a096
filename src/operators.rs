//! Operator overloads. Each calls the fallible method of the same op and
//! panics with its message, as ndarray's operators do.
//!
//! **Panics** when the shapes do not broadcast, when an in-place target is
//! read-only, or when the device fails; use the named methods
//! (`a.add(&b)?`, `a.add_inplace(&b)?`) to get a `Result` instead.
//!
//! Operators take arrays by reference or by value, on either side. An owned
//! operand that no other array shares, whose shape is the result's, receives
//! the result in its own buffer (NumPy's temporary elision), so
//! `(&a * 2.0 + &b) * &c` allocates one buffer, not three:
//!
//! ```
//! use ndgpu::{Array, Device};
//! let dev = Device::cpu();
//! let a = Array::from_slice(&dev, &[1.0f32, 2.0], &[2])?;
//! let b = Array::from_slice(&dev, &[10.0f32, 20.0], &[2])?;
//! let c = Array::from_slice(&dev, &[2.0f32, 3.0], &[2])?;
//! let before = dev.memory().created;
//! let y = (&a * 2.0 + &b) * &c;     // y = (a*2 + b) * c
//! assert_eq!(dev.memory().created - before, 1);
//! assert_eq!(y.to_vec()?, vec![24.0, 72.0]);
//! # Ok::<(), ndgpu::Error>(())
//! ```

use std::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

use crate::array::Array;
use crate::element::Number;
use crate::ops::elementwise::{BinaryOp, UnaryOp};

#[track_caller]
fn ok<R>(r: crate::Result<R>) -> R {
    r.unwrap_or_else(|e| panic!("{e}"))
}

macro_rules! binary_operators {
    ($($tr:ident $m:ident $atr:ident $am:ident = $v:ident;)*) => {$(
        impl<T: Number> $tr<&Array<T>> for &Array<T> {
            type Output = Array<T>;
            /// **Panics** if the shapes do not broadcast.
            #[track_caller]
            fn $m(self, rhs: &Array<T>) -> Array<T> {
                ok(self.binary(BinaryOp::$v, rhs))
            }
        }
        impl<T: Number> $tr<T> for &Array<T> {
            type Output = Array<T>;
            /// **Panics** if the device fails.
            #[track_caller]
            fn $m(self, rhs: T) -> Array<T> {
                ok(self.binary_scalar(BinaryOp::$v, rhs))
            }
        }
        impl<T: Number> $tr<&Array<T>> for Array<T> {
            type Output = Array<T>;
            /// Writes into `self`'s buffer when no other array shares it and
            /// its shape is the result's (NumPy's temporary elision), else
            /// allocates. **Panics** if the shapes do not broadcast.
            #[track_caller]
            fn $m(self, rhs: &Array<T>) -> Array<T> {
                ok(self.binary_owned(BinaryOp::$v, rhs))
            }
        }
        impl<T: Number> $tr<Array<T>> for &Array<T> {
            type Output = Array<T>;
            /// Writes into `rhs`'s buffer when it can (see `Array op &Array`).
            /// **Panics** if the shapes do not broadcast.
            #[track_caller]
            fn $m(self, rhs: Array<T>) -> Array<T> {
                ok(rhs.binary_owned_rhs(self, BinaryOp::$v))
            }
        }
        impl<T: Number> $tr<Array<T>> for Array<T> {
            type Output = Array<T>;
            /// Writes into the left operand's buffer, else the right's, when
            /// one can take the result. **Panics** if the shapes do not broadcast.
            #[track_caller]
            fn $m(self, rhs: Array<T>) -> Array<T> {
                let shape = ok(crate::layout::broadcast_shapes(&[self.shape(), rhs.shape()]));
                if !self.can_take(&shape) && rhs.can_take(&shape) {
                    ok(rhs.binary_owned_rhs(&self, BinaryOp::$v))
                } else {
                    ok(self.binary_owned(BinaryOp::$v, &rhs))
                }
            }
        }
        impl<T: Number> $tr<T> for Array<T> {
            type Output = Array<T>;
            /// Writes into `self`'s buffer when it can. **Panics** if the device fails.
            #[track_caller]
            fn $m(self, rhs: T) -> Array<T> {
                ok(self.binary_scalar_owned(BinaryOp::$v, rhs))
            }
        }
        impl<T: Number> $atr<Array<T>> for Array<T> {
            /// In place through any view. **Panics** if `self` is read-only
            /// or `rhs` does not broadcast to its shape.
            #[track_caller]
            fn $am(&mut self, rhs: Array<T>) {
                ok(self.binary_inplace(BinaryOp::$v, &rhs))
            }
        }
        impl<T: Number> $atr<&Array<T>> for Array<T> {
            /// In place through any view. **Panics** if `self` is read-only
            /// or `rhs` does not broadcast to its shape.
            #[track_caller]
            fn $am(&mut self, rhs: &Array<T>) {
                ok(self.binary_inplace(BinaryOp::$v, rhs))
            }
        }
        impl<T: Number> $atr<T> for Array<T> {
            /// In place through any view. **Panics** if `self` is read-only.
            #[track_caller]
            fn $am(&mut self, rhs: T) {
                ok(self.binary_scalar_inplace(BinaryOp::$v, rhs))
            }
        }
        scalar_lhs!($tr $m $v; f32 f64 i32 u32);
    )*};
}

macro_rules! scalar_lhs {
    ($tr:ident $m:ident $v:ident; $($t:ty)*) => {$(
        impl $tr<&Array<$t>> for $t {
            type Output = Array<$t>;
            /// **Panics** if the device fails.
            #[track_caller]
            fn $m(self, rhs: &Array<$t>) -> Array<$t> {
                ok(rhs.scalar_binary(self, BinaryOp::$v))
            }
        }
        impl $tr<Array<$t>> for $t {
            type Output = Array<$t>;
            /// Writes into `rhs`'s buffer when it can. **Panics** if the device fails.
            #[track_caller]
            fn $m(self, rhs: Array<$t>) -> Array<$t> {
                ok(rhs.scalar_binary_owned(self, BinaryOp::$v))
            }
        }
    )*};
}

binary_operators! {
    Add add AddAssign add_assign = Add;
    Sub sub SubAssign sub_assign = Sub;
    Mul mul MulAssign mul_assign = Mul;
    Div div DivAssign div_assign = Div;
    Rem rem RemAssign rem_assign = Rem;
}

impl<T: Number> Neg for Array<T> {
    type Output = Array<T>;
    /// Writes into `self`'s buffer when no other array shares it.
    /// **Panics** if the device fails.
    #[track_caller]
    fn neg(self) -> Array<T> {
        if self.can_take(self.shape()) {
            ok(self.unary_inplace(UnaryOp::Neg));
            return self;
        }
        ok(self.unary(UnaryOp::Neg))
    }
}

impl<T: Number> Neg for &Array<T> {
    type Output = Array<T>;
    /// **Panics** if the device fails.
    #[track_caller]
    fn neg(self) -> Array<T> {
        ok(self.unary(UnaryOp::Neg))
    }
}
