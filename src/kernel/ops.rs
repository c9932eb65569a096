//! The op catalogue: for every node kind, its WGSL and its CPU semantics.
//! Adding an op means a variant in `ops/elementwise.rs`, a line in
//! [`wgsl`] and a line in the CPU loops below; nothing in `device/`.
//!
//! WGSL snippets are expressions over the node's arguments `a`, `b`, `c`;
//! `{O}`, `{A}`, `{B}` stand for the types of the result and the first two
//! arguments (a scalar type, or a `vec4` in the vector variant), and `{NAN}`
//! for the NaN test of that variant. A snippet that calls an `h_*` helper
//! (in `shaders/elementwise.wgsl`) has no vector form.

use super::{Node, Op, Program};
use crate::element::{DType, Element, Float};
use crate::ops::elementwise::{BinaryOp, CmpOp, FloatOp, UnaryOp};

/// The WGSL expression of a computing node (inputs, scalars and the index
/// are read by the kernel itself).
pub(crate) fn wgsl(p: &Program, n: &Node) -> String {
    let arg = |i: u16| p.nodes[i as usize].dtype;
    match n.op {
        Op::Input(_) | Op::Scalar(_) | Op::Index => String::new(),
        Op::Binary(op, _, _) => binary_wgsl(op, n.dtype),
        Op::Unary(op, _) => unary_wgsl(op, n.dtype),
        Op::Float(op, _) => float_wgsl(op).into(),
        Op::Cmp(op, _, _) => format!("select({{O}}(0u), {{O}}(1u), a {} b)", cmp_symbol(op)),
        Op::Select(..) => "select(c, b, a != {A}(0u))".into(),
        // NumPy's clip is minimum(maximum(a, lo), hi); NaN stays NaN.
        Op::Clip(..) if n.dtype.is_float() => "select(min(max(a, b), c), a, {NAN}(a))".into(),
        Op::Clip(..) => "min(max(a, b), c)".into(),
        Op::Cast(a) => cast_wgsl(arg(a), n.dtype).into(),
    }
}

fn binary_wgsl(op: BinaryOp, d: DType) -> String {
    let t = d.wgsl().unwrap_or("f32");
    let float = d.is_float();
    match op {
        BinaryOp::Add => "a + b".into(),
        BinaryOp::Sub => "a - b".into(),
        BinaryOp::Mul => "a * b".into(),
        BinaryOp::Div if float => "a / b".into(),
        BinaryOp::Div => format!("h_div_{t}(a, b)"),
        BinaryOp::Rem => format!("h_rem_{t}(a, b)"),
        BinaryOp::Pow => format!("h_pow_{t}(a, b)"),
        // WGSL leaves max/min of NaN unspecified; NumPy propagates it.
        BinaryOp::Maximum if float => "select(select(max(a, b), b, {NAN}(b)), a, {NAN}(a))".into(),
        BinaryOp::Minimum if float => "select(select(min(a, b), b, {NAN}(b)), a, {NAN}(a))".into(),
        BinaryOp::Maximum => "max(a, b)".into(),
        BinaryOp::Minimum => "min(a, b)".into(),
    }
}

fn cmp_symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "==",
        CmpOp::Ne => "!=",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
    }
}

fn unary_wgsl(op: UnaryOp, d: DType) -> String {
    let zero = if d.is_float() { "0.0" } else { "0" };
    match (op, d) {
        (UnaryOp::Neg, DType::U32) => "{A}(0u) - a".to_string(),
        (UnaryOp::Neg, _) => "-a".to_string(),
        (UnaryOp::Abs, DType::U32) => "a".to_string(),
        (UnaryOp::Abs, _) => "abs(a)".to_string(),
        (UnaryOp::Relu, _) => format!("select({{A}}({zero}), a, a > {{A}}({zero}))"),
    }
}

fn float_wgsl(op: FloatOp) -> &'static str {
    match op {
        FloatOp::Exp => "exp(a)",
        FloatOp::Log => "log(a)",
        FloatOp::Sqrt => "sqrt(a)",
        FloatOp::Sin => "sin(a)",
        FloatOp::Cos => "cos(a)",
        FloatOp::Tanh => "tanh(a)",
        FloatOp::Sigmoid => "{A}(1.0) / ({A}(1.0) + exp(-a))",
        FloatOp::Floor => "floor(a)",
        FloatOp::Ceil => "ceil(a)",
        // WGSL's round is half-to-even, as NumPy's.
        FloatOp::Round => "round(a)",
    }
}

/// WGSL for a cast. WGSL's float-to-int conversion truncates but saturates
/// at the largest float below the integer's range (2147483520 for i32), and
/// leaves NaN unspecified; the selects give the CPU's rules: the integer's
/// own maximum, and 0 for NaN. Int-to-int conversion keeps the bits.
fn cast_wgsl(from: DType, to: DType) -> &'static str {
    match (from, to) {
        (DType::F32, DType::I32) => {
            "select(select({O}(a), {O}(2147483647), a >= {A}(2147483648.0)), {O}(0), {NAN}(a))"
        }
        (DType::F32, DType::U32) => {
            "select(select({O}(a), {O}(4294967295u), a >= {A}(4294967296.0)), {O}(0u), {NAN}(a))"
        }
        (f, t) if f == t => "a",
        (f, t) if !f.is_float() && !t.is_float() => "bitcast<{O}>(a)",
        _ => "{O}(a)",
    }
}

// ------------------------------------------------------------ CPU semantics

/// A typed operand over a block: a slice, or one value for every element.
pub(crate) enum Arg<'a, T> {
    S(&'a [T]),
    K(T),
}

/// `o[i] = a[i] op b[i]`: one tight loop per op and operand kind (slice or
/// scalar), so each vectorises.
pub(crate) fn binary<T: Element>(op: BinaryOp, a: Arg<T>, b: Arg<T>, o: &mut [T]) {
    use BinaryOp as B;
    macro_rules! lp {
        ($f:expr) => {
            match (a, b) {
                (Arg::S(x), Arg::S(y)) => {
                    for ((r, &p), &q) in o.iter_mut().zip(x).zip(y) {
                        *r = $f(p, q);
                    }
                }
                (Arg::S(x), Arg::K(q)) => {
                    for (r, &p) in o.iter_mut().zip(x) {
                        *r = $f(p, q);
                    }
                }
                (Arg::K(p), Arg::S(y)) => {
                    for (r, &q) in o.iter_mut().zip(y) {
                        *r = $f(p, q);
                    }
                }
                (Arg::K(p), Arg::K(q)) => o.fill($f(p, q)),
            }
        };
    }
    match op {
        B::Add => lp!(T::add_),
        B::Sub => lp!(T::sub_),
        B::Mul => lp!(T::mul_),
        B::Div => lp!(T::div_),
        B::Pow => lp!(T::pow_),
        B::Maximum => lp!(T::max_),
        B::Minimum => lp!(T::min_),
        B::Rem => lp!(T::rem_),
    }
}

pub(crate) fn unary<T: Element>(op: UnaryOp, a: &[T], o: &mut [T]) {
    match op {
        UnaryOp::Neg => o.iter_mut().zip(a).for_each(|(y, &x)| *y = x.neg_()),
        UnaryOp::Abs => o.iter_mut().zip(a).for_each(|(y, &x)| *y = x.abs_()),
        UnaryOp::Relu => o
            .iter_mut()
            .zip(a)
            .for_each(|(y, &x)| *y = if x > T::zero() { x } else { T::zero() }),
    }
}

pub(crate) fn float<T: Float>(op: FloatOp, a: &[T], o: &mut [T]) {
    o.iter_mut().zip(a).for_each(|(y, &x)| *y = x.unary_(op));
}

pub(crate) fn cmp<T: Element>(op: CmpOp, a: &[T], b: &[T], o: &mut [u32]) {
    macro_rules! lp {
        ($f:expr) => {
            for ((y, x), z) in o.iter_mut().zip(a).zip(b) {
                *y = u32::from($f(x, z));
            }
        };
    }
    match op {
        CmpOp::Eq => lp!(T::eq),
        CmpOp::Ne => lp!(T::ne),
        CmpOp::Lt => lp!(T::lt),
        CmpOp::Le => lp!(T::le),
        CmpOp::Gt => lp!(T::gt),
        CmpOp::Ge => lp!(T::ge),
    }
}

pub(crate) fn select<T: Element>(m: &[u32], a: &[T], b: &[T], o: &mut [T]) {
    for (((y, &k), &x), &z) in o.iter_mut().zip(m).zip(a).zip(b) {
        *y = if k != 0 { x } else { z };
    }
}

pub(crate) fn clip<T: Element>(x: &[T], lo: &[T], hi: &[T], o: &mut [T]) {
    for (((y, &v), &l), &h) in o.iter_mut().zip(x).zip(lo).zip(hi) {
        *y = v.max_(l).min_(h);
    }
}

pub(crate) fn cast<T: Element, U: Element>(a: &[T], o: &mut [U]) {
    o.iter_mut().zip(a).for_each(|(y, &x)| *y = x.cast::<U>());
}
