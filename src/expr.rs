//! Fused elementwise expressions: build a whole expression, then run it as
//! one kernel (one GPU dispatch, one pass on the CPU) into one new buffer,
//! as NumPy users do with `numexpr.evaluate` or `cupy.fuse`.
//!
//! ```
//! use ndgpu::{Array, Device, Expr};
//! let dev = Device::new()?;
//! let a = Array::from_slice(&dev, &[1.0f32, -2.0, 3.0], &[3])?;
//! let b = Array::from_slice(&dev, &[10.0f32, 20.0, 30.0], &[3])?;
//! let c = Array::from_slice(&dev, &[2.0f32, 2.0, 0.5], &[3])?;
//! let e: Expr<f32> = (a.expr() * 2.0 + &b) * &c;   // nothing runs yet
//! assert_eq!(e.eval()?.to_vec()?, vec![24.0, 32.0, 18.0]);
//!
//! let m: Expr<bool> = a.expr().gt(0.0);             // comparisons give bool expressions
//! let r = Expr::where_(m, a.expr(), b.expr() * 0.1).eval()?;
//! assert_eq!(r.to_vec()?, vec![1.0, 2.0, 3.0]);
//!
//! let out = Array::<f32>::zeros(&dev, &[2, 3])?;    // into any writeable view,
//! (a.expr().exp() - 1.0).eval_into(&out.slice(ndgpu::s![1])?)?; // broadcast as NumPy
//! # Ok::<(), ndgpu::Error>(())
//! ```

use std::marker::PhantomData;
use std::ops::{Add, Div, Mul, Neg, Rem, Sub};

use crate::array::Array;
use crate::element::{Element, Float, Number};
use crate::error::{Error, Result};
use crate::kernel::{Id, Op};
use crate::layout::broadcast_shapes;
use crate::ops::elementwise::{BinaryOp, Builder, CmpOp, FloatOp, UnaryOp};

/// A lazy elementwise expression whose value has element type `T`.
///
/// Build one from arrays ([`Array::expr`]), scalars of the element type
/// and the methods and operators below; nothing runs until
/// [`eval`](Expr::eval) or [`eval_into`](Expr::eval_into), which run the
/// whole expression as one kernel. Broadcasting and its errors are NumPy's,
/// raised at evaluation. Kernels are cached by the expression's structure
/// and its operands' layout class, so evaluating the same expression in a
/// loop compiles once.
pub struct Expr<T: Element> {
    b: Builder,
    _t: PhantomData<T>,
}

impl<T: Element> Clone for Expr<T> {
    fn clone(&self) -> Self {
        Expr {
            b: Builder {
                p: self.b.p.clone(),
                inputs: self.b.inputs.clone(),
                scalars: self.b.scalars.clone(),
            },
            _t: PhantomData,
        }
    }
}

impl<T: Element> std::fmt::Debug for Expr<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Expr<{}>({} nodes over {} arrays)",
            T::DTYPE,
            self.b.p.nodes.len(),
            self.b.inputs.len()
        )
    }
}

impl<T: Element> Array<T> {
    /// This array as the leaf of an [`Expr`], to build a fused expression
    /// (NumPy users reach for `numexpr.evaluate` or `cupy.fuse`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, 2.0], &[2])?;
    /// assert_eq!((a.expr() * a.expr() + 1.0).eval()?.to_vec()?, vec![2.0, 5.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn expr(&self) -> Expr<T> {
        let mut b = Builder::default();
        b.input(self);
        Expr { b, _t: PhantomData }
    }
}

impl<T: Element> From<&Array<T>> for Expr<T> {
    fn from(a: &Array<T>) -> Self {
        a.expr()
    }
}

impl<T: Element> From<T> for Expr<T> {
    fn from(v: T) -> Self {
        Expr::scalar(v)
    }
}

impl<T: Element> Expr<T> {
    /// A value for every element (a NumPy scalar in an expression).
    ///
    /// ```
    /// use ndgpu::{Array, Device, Expr};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2], &[2])?;
    /// assert_eq!((Expr::scalar(10) - &a).eval()?.to_vec()?, vec![9, 8]); // 10 - a
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn scalar(v: T) -> Expr<T> {
        let mut b = Builder::default();
        b.scalar(v);
        Expr { b, _t: PhantomData }
    }

    fn root(&self) -> Id {
        (self.b.p.nodes.len() - 1) as Id
    }

    /// `f(self)` as a new node of dtype `U`.
    fn map<U: Element>(mut self, f: impl FnOnce(Id) -> Op) -> Expr<U> {
        let r = self.root();
        self.b.node(f(r), U::DTYPE);
        Expr {
            b: self.b,
            _t: PhantomData,
        }
    }

    /// `f(self, other)` as a new node of dtype `U`: `other`'s nodes, inputs
    /// and scalar slots are appended after `self`'s.
    fn zip<V: Element, U: Element>(
        mut self,
        other: Expr<V>,
        f: impl FnOnce(Id, Id) -> Op,
    ) -> Expr<U> {
        let l = self.root();
        let r = self.b.p.append(
            &other.b.p,
            self.b.inputs.len() as u16,
            self.b.scalars.len() as u16,
        );
        self.b.inputs.extend(other.b.inputs);
        self.b.scalars.extend(other.b.scalars);
        self.b.node(f(l, r), U::DTYPE);
        Expr {
            b: self.b,
            _t: PhantomData,
        }
    }

    fn cmp(self, op: CmpOp, rhs: impl Into<Expr<T>>) -> Expr<bool> {
        self.zip(rhs.into(), |a, b| Op::Cmp(op, a, b))
    }

    /// Runs the expression as one kernel into a new array of the operands'
    /// broadcast shape (`numexpr.evaluate(...)`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let col = Array::from_slice(&dev, &[1.0f32, 2.0], &[2, 1])?;
    /// let row = Array::from_slice(&dev, &[10.0f32, 20.0, 30.0], &[3])?;
    /// let y = (col.expr() * &row).eval()?;   // broadcast to (2, 3)
    /// assert_eq!(y.to_vec()?, vec![10.0, 20.0, 30.0, 20.0, 40.0, 60.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Shapes that do not broadcast (NumPy's message); arrays on different
    /// devices; an expression of scalars alone; an expression over more
    /// distinct arrays than one GPU kernel can bind; out of memory.
    #[track_caller]
    pub fn eval(&self) -> Result<Array<T>> {
        let Some(first) = self.b.inputs.first() else {
            return Err(Error::Value(
                "an expression of scalars alone has no device or shape: include an array".into(),
            ));
        };
        let shapes: Vec<&[usize]> = self.b.inputs.iter().map(|x| x.layout.shape()).collect();
        let shape = broadcast_shapes(&shapes)?;
        Array::<T>::uninit(&first.device, &shape)?.fresh(|out| out.apply(&self.b))
    }

    /// Runs the expression into `out`, any writeable view whose shape the
    /// result broadcasts to (NumPy's `out=`). An input that overlaps `out`
    /// is read as if it were copied first.
    ///
    /// ```
    /// use ndgpu::{s, Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[4])?;
    /// // a[1:] = a[:-1] * 10 + a[1:], with a[:-1] read before any write
    /// (a.slice(s![..-1])?.expr() * 10 + &a.slice(s![1..])?).eval_into(&a.slice(s![1..])?)?;
    /// assert_eq!(a.to_vec()?, vec![1, 12, 23, 34]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A read-only `out`; shapes that do not broadcast or an `out` that
    /// cannot hold the result; arrays on different devices.
    pub fn eval_into(&self, out: &Array<T>) -> Result<()> {
        out.apply(&self.b)
    }

    /// `self == rhs` as a `bool` expression (`np.equal`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3], &[3])?;
    /// assert_eq!(a.expr().eq(2).eval()?.to_vec()?, vec![false, true, false]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn eq(self, rhs: impl Into<Expr<T>>) -> Expr<bool> {
        self.cmp(CmpOp::Eq, rhs)
    }
    /// `self != rhs` as a `bool` expression (`np.not_equal`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3], &[3])?;
    /// assert_eq!(a.expr().ne(2).eval()?.to_vec()?, vec![true, false, true]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn ne(self, rhs: impl Into<Expr<T>>) -> Expr<bool> {
        self.cmp(CmpOp::Ne, rhs)
    }
    /// `self < rhs` as a `bool` expression (`np.less`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3], &[3])?;
    /// let b = Array::from_slice(&dev, &[3, 2, 1], &[3])?;
    /// assert_eq!(a.expr().lt(&b).eval()?.to_vec()?, vec![true, false, false]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn lt(self, rhs: impl Into<Expr<T>>) -> Expr<bool> {
        self.cmp(CmpOp::Lt, rhs)
    }
    /// `self <= rhs` as a `bool` expression (`np.less_equal`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3], &[3])?;
    /// assert_eq!(a.expr().le(2).eval()?.to_vec()?, vec![true, true, false]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn le(self, rhs: impl Into<Expr<T>>) -> Expr<bool> {
        self.cmp(CmpOp::Le, rhs)
    }
    /// `self > rhs` as a `bool` expression (`np.greater`); the other comparisons are alike.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-1.0f32, 2.0], &[2])?;
    /// assert_eq!(a.expr().gt(0.0).eval()?.to_vec()?, vec![false, true]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn gt(self, rhs: impl Into<Expr<T>>) -> Expr<bool> {
        self.cmp(CmpOp::Gt, rhs)
    }
    /// `self >= rhs` as a `bool` expression (`np.greater_equal`).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3], &[3])?;
    /// assert_eq!(a.expr().ge(2).eval()?.to_vec()?, vec![false, true, true]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn ge(self, rhs: impl Into<Expr<T>>) -> Expr<bool> {
        self.cmp(CmpOp::Ge, rhs)
    }
    /// `self.astype(U)`: NumPy's cast (see [`Array::astype`]).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.5f32, -2.7], &[2])?;
    /// assert_eq!((a.expr() * 2.0).cast::<i32>().eval()?.to_vec()?, vec![3, -5]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn cast<U: Element>(self) -> Expr<U> {
        self.map(Op::Cast)
    }
    /// `np.where(mask, a, b)`: `a` where `mask` is true, else `b`.
    ///
    /// ```
    /// use ndgpu::{Array, Device, Expr};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-2.0f32, 3.0], &[2])?;
    /// let y = Expr::where_(a.expr().lt(0.0), a.expr() * 0.5, &a).eval()?;
    /// assert_eq!(y.to_vec()?, vec![-1.0, 3.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn where_(mask: Expr<bool>, a: impl Into<Expr<T>>, b: impl Into<Expr<T>>) -> Expr<T> {
        let (a, b) = (a.into(), b.into());
        // Append a, then b, after the mask; then one select node.
        let m_root = mask.root();
        let mut e = mask;
        let ra =
            e.b.p
                .append(&a.b.p, e.b.inputs.len() as u16, e.b.scalars.len() as u16);
        e.b.inputs.extend(a.b.inputs);
        e.b.scalars.extend(a.b.scalars);
        let rb =
            e.b.p
                .append(&b.b.p, e.b.inputs.len() as u16, e.b.scalars.len() as u16);
        e.b.inputs.extend(b.b.inputs);
        e.b.scalars.extend(b.b.scalars);
        e.b.node(Op::Select(m_root, ra, rb), T::DTYPE);
        Expr {
            b: e.b,
            _t: PhantomData,
        }
    }
}

impl<T: Number> Expr<T> {
    fn binary(self, op: BinaryOp, rhs: impl Into<Expr<T>>) -> Expr<T> {
        self.zip(rhs.into(), |a, b| Op::Binary(op, a, b))
    }

    /// `np.maximum(self, rhs)` (NaN propagates).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-1.0f32, 2.0, f32::NAN], &[3])?;
    /// let y = a.expr().maximum(0.0).minimum(1.5).eval()?.to_vec()?;
    /// assert_eq!(y[..2], [0.0, 1.5]);
    /// assert!(y[2].is_nan());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn maximum(self, rhs: impl Into<Expr<T>>) -> Expr<T> {
        self.binary(BinaryOp::Maximum, rhs)
    }
    /// `np.minimum(self, rhs)` (NaN propagates).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 5, 3], &[3])?;
    /// assert_eq!(a.expr().minimum(2).eval()?.to_vec()?, vec![1, 2, 2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn minimum(self, rhs: impl Into<Expr<T>>) -> Expr<T> {
        self.binary(BinaryOp::Minimum, rhs)
    }
    /// `np.power(self, rhs)`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[2.0f32, 3.0], &[2])?;
    /// assert_eq!(a.expr().pow(2.0).eval()?.to_vec()?, vec![4.0, 9.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn pow(self, rhs: impl Into<Expr<T>>) -> Expr<T> {
        self.binary(BinaryOp::Pow, rhs)
    }
    /// `np.abs(self)`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-1, 2], &[2])?;
    /// assert_eq!(a.expr().abs().eval()?.to_vec()?, vec![1, 2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn abs(self) -> Expr<T> {
        self.map(|a| Op::Unary(UnaryOp::Abs, a))
    }
    /// `np.maximum(self, 0)`; 0 for NaN.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-1.5f32, 2.0], &[2])?;
    /// assert_eq!(a.expr().relu().eval()?.to_vec()?, vec![0.0, 2.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn relu(self) -> Expr<T> {
        self.map(|a| Op::Unary(UnaryOp::Relu, a))
    }
    /// `np.clip(self, lo, hi)` (NaN stays NaN).
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[-5, 3, 9], &[3])?;
    /// assert_eq!(a.expr().clip(0, 4).eval()?.to_vec()?, vec![0, 3, 4]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn clip(mut self, lo: T, hi: T) -> Expr<T> {
        let x = self.root();
        let (l, h) = (self.b.scalar(lo), self.b.scalar(hi));
        self.b.node(Op::Clip(x, l, h), T::DTYPE);
        self
    }
}

macro_rules! float_methods {
    ($($m:ident $v:ident $np:literal;)*) => {
        impl<T: Float> Expr<T> {$(
            #[doc = concat!("`", $np, "(self)`.\n\n```\nuse ndgpu::{Array, Device};\nlet dev = Device::cpu();\nlet a = Array::from_slice(&dev, &[0.25f32, 1.0], &[2])?;\nlet y = a.expr().", stringify!($m), "().eval()?.to_vec()?;\nlet z = a.float_op(ndgpu::FloatOp::", stringify!($v), ")?.to_vec()?;\nassert_eq!(format!(\"{y:?}\"), format!(\"{z:?}\")); // NaN where the op has no value\n# Ok::<(), ndgpu::Error>(())\n```")]
            pub fn $m(self) -> Expr<T> {
                self.map(|a| Op::Float(FloatOp::$v, a))
            }
        )*}
    };
}

float_methods! {
    exp Exp "np.exp";
    log Log "np.log";
    sqrt Sqrt "np.sqrt";
    sin Sin "np.sin";
    cos Cos "np.cos";
    tanh Tanh "np.tanh";
    sigmoid Sigmoid "1 / (1 + np.exp(-x))";
    floor Floor "np.floor";
    ceil Ceil "np.ceil";
    round Round "np.round";
    tan Tan "np.tan";
    asin Asin "np.arcsin";
    acos Acos "np.arccos";
    atan Atan "np.arctan";
    sinh Sinh "np.sinh";
    cosh Cosh "np.cosh";
    asinh Asinh "np.arcsinh";
    acosh Acosh "np.arccosh";
    atanh Atanh "np.arctanh";
    log1p Log1p "np.log1p";
    expm1 Expm1 "np.expm1";
    log2 Log2 "np.log2";
    log10 Log10 "np.log10";
    exp2 Exp2 "np.exp2";
    trunc Trunc "np.trunc";
    reciprocal Reciprocal "np.reciprocal";
}

impl<T: Number> Neg for Expr<T> {
    type Output = Expr<T>;
    fn neg(self) -> Expr<T> {
        self.map(|a| Op::Unary(UnaryOp::Neg, a))
    }
}

macro_rules! expr_operators {
    ($($tr:ident $m:ident $v:ident;)*) => {$(
        impl<T: Number, R: Into<Expr<T>>> $tr<R> for Expr<T> {
            type Output = Expr<T>;
            fn $m(self, rhs: R) -> Expr<T> {
                self.binary(BinaryOp::$v, rhs)
            }
        }
        impl<T: Number> $tr<Expr<T>> for &Array<T> {
            type Output = Expr<T>;
            fn $m(self, rhs: Expr<T>) -> Expr<T> {
                self.expr().binary(BinaryOp::$v, rhs)
            }
        }
        expr_scalar_lhs!($tr $m $v; f32 f64 i32 u32);
    )*};
}

macro_rules! expr_scalar_lhs {
    ($tr:ident $m:ident $v:ident; $($t:ty)*) => {$(
        impl $tr<Expr<$t>> for $t {
            type Output = Expr<$t>;
            fn $m(self, rhs: Expr<$t>) -> Expr<$t> {
                Expr::scalar(self).binary(BinaryOp::$v, rhs)
            }
        }
    )*};
}

expr_operators! {
    Add add Add;
    Sub sub Sub;
    Mul mul Mul;
    Div div Div;
    Rem rem Rem;
}
