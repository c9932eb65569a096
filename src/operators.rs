//! Operator overloads. Each calls the fallible method of the same op and
//! panics with its message, as ndarray's operators do.
//!
//! **Panics** when the shapes do not broadcast, when an in-place target is
//! read-only, or when the device fails; use the named methods
//! (`a.add(&b)?`, `a.add_inplace(&b)?`) to get a `Result` instead.

use std::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

use crate::array::Array;
use crate::element::Element;
use crate::ops::elementwise::{BinaryOp, UnaryOp};

#[track_caller]
fn ok<R>(r: crate::Result<R>) -> R {
    r.unwrap_or_else(|e| panic!("{e}"))
}

macro_rules! binary_operators {
    ($($tr:ident $m:ident $atr:ident $am:ident = $v:ident;)*) => {$(
        impl<T: Element> $tr<&Array<T>> for &Array<T> {
            type Output = Array<T>;
            /// **Panics** if the shapes do not broadcast.
            #[track_caller]
            fn $m(self, rhs: &Array<T>) -> Array<T> {
                ok(self.binary(BinaryOp::$v, rhs))
            }
        }
        impl<T: Element> $tr<T> for &Array<T> {
            type Output = Array<T>;
            /// **Panics** if the device fails.
            #[track_caller]
            fn $m(self, rhs: T) -> Array<T> {
                ok(self.binary_scalar(BinaryOp::$v, rhs))
            }
        }
        impl<T: Element> $atr<&Array<T>> for Array<T> {
            /// In place through any view. **Panics** if `self` is read-only
            /// or `rhs` does not broadcast to its shape.
            #[track_caller]
            fn $am(&mut self, rhs: &Array<T>) {
                ok(self.binary_inplace(BinaryOp::$v, rhs))
            }
        }
        impl<T: Element> $atr<T> for Array<T> {
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
    )*};
}

binary_operators! {
    Add add AddAssign add_assign = Add;
    Sub sub SubAssign sub_assign = Sub;
    Mul mul MulAssign mul_assign = Mul;
    Div div DivAssign div_assign = Div;
    Rem rem RemAssign rem_assign = Rem;
}

impl<T: Element> Neg for &Array<T> {
    type Output = Array<T>;
    /// **Panics** if the device fails.
    #[track_caller]
    fn neg(self) -> Array<T> {
        ok(self.unary(UnaryOp::Neg))
    }
}
