//! The op catalogue: for every node kind, its WGSL and its CPU semantics.
//! Adding an op means a variant in `ops/elementwise.rs`, a line in
//! [`wgsl`] and a line in the CPU loops below; nothing in `device/`.
//!
//! WGSL snippets are expressions over the node's arguments `a`, `b`, `c`;
//! `{O}`, `{A}`, `{B}` stand for the types of the result and the first two
//! arguments (a scalar type, or a `vec4` in the vector variant), `{U}` for
//! `u32` (or `vec4<u32>`), and `{NAN}` for the NaN test of that variant. A snippet that calls an `h_*` helper
//! (in `shaders/elementwise.wgsl`) has no vector form.

use super::{Node, Op, Program};
use crate::element::{DType, Float, Number};
use crate::ops::elementwise::{BinaryOp, BitOp, CmpOp, FloatBinaryOp, FloatOp, IsOp, UnaryOp};

/// The WGSL expression of a computing node (inputs, scalars and the index
/// are read by the kernel itself).
pub(crate) fn wgsl(p: &Program, n: &Node) -> String {
    let arg = |i: u16| p.nodes[i as usize].dtype;
    match n.op {
        Op::Input(_) | Op::Scalar(_) | Op::Index | Op::Gather(..) => String::new(),
        Op::Binary(op, _, _) => binary_wgsl(op, n.dtype),
        Op::Unary(op, _) => unary_wgsl(op, n.dtype),
        Op::Float(op, _) => float_wgsl(op).into(),
        // NaN compares unequal to everything; on the bits, since shader
        // compilers may assume no NaNs and fold float comparisons.
        Op::Cmp(op, a, _) if arg(a).is_float() => format!(
            "select(select({{O}}(0u), {{O}}(1u), a {} b), {{O}}({}u), {{NAN}}(a) | {{NAN}}(b))",
            cmp_symbol(op),
            u32::from(op == CmpOp::Ne)
        ),
        Op::Cmp(op, _, _) => format!("select({{O}}(0u), {{O}}(1u), a {} b)", cmp_symbol(op)),
        Op::Select(..) => "select(c, b, a != {A}(0u))".into(),
        // NumPy's clip is minimum(maximum(a, lo), hi); NaN stays NaN.
        Op::Clip(..) if n.dtype.is_float() => "select(min(max(a, b), c), a, {NAN}(a))".into(),
        Op::Clip(..) => "min(max(a, b), c)".into(),
        Op::Cast(a) => cast_wgsl(arg(a), n.dtype).into(),
        Op::FBinary(op, _, _) => fbinary_wgsl(op).into(),
        Op::Bit(op, _, _) => bit_wgsl(op, n.dtype).into(),
        Op::Not(_) if n.dtype == DType::Bool => "a ^ {A}(1u)".into(),
        Op::Not(_) => "~a".into(),
        Op::Is(op, _) => is_wgsl(op).into(),
        Op::Key(a) => match arg(a) {
            DType::F32 | DType::F16 => "h_key_f32(a)".into(),
            DType::I32 => "bitcast<{O}>(a) ^ {O}(0x80000000u)".into(),
            _ => "a".into(),
        },
    }
}

fn fbinary_wgsl(op: FloatBinaryOp) -> &'static str {
    match op {
        FloatBinaryOp::Atan2 => "h_atan2(a, b)",
        FloatBinaryOp::Hypot => "h_hypot(a, b)",
        FloatBinaryOp::Copysign => "h_copysign(a, b)",
        FloatBinaryOp::FloorDivide => "h_floordiv_f32(a, b)",
    }
}

/// Shifts by a negative amount or by the bit width or more give NumPy's
/// results, not WGSL's (which shifts by the amount modulo 32).
fn bit_wgsl(op: BitOp, d: DType) -> &'static str {
    match op {
        BitOp::LeftShift if d == DType::I64 => {
            "select(0li, a << u32(b & 63li), bitcast<u64>(b) < 64lu)"
        }
        BitOp::RightShift if d == DType::I64 => {
            "select(select(0li, -1li, a < 0li), a >> u32(b & 63li), bitcast<u64>(b) < 64lu)"
        }
        BitOp::And => "a & b",
        BitOp::Or => "a | b",
        BitOp::Xor => "a ^ b",
        BitOp::LeftShift => "select({A}(0), a << {U}(b), {U}(b) < {U}(32u))",
        BitOp::RightShift if d == DType::I32 => {
            "select(select({A}(0), {A}(-1), a < {A}(0)), a >> {U}(b), {U}(b) < {U}(32u))"
        }
        BitOp::RightShift => "select({A}(0), a >> {U}(b), {U}(b) < {U}(32u))",
    }
}

/// Classification on the bits: shader compilers may fold float tests.
fn is_wgsl(op: IsOp) -> &'static str {
    match op {
        IsOp::Nan => "select({O}(0u), {O}(1u), {NAN}(a))",
        IsOp::Inf => {
            "select({O}(0u), {O}(1u), (bitcast<{O}>(a) & {O}(0x7fffffffu)) == {O}(0x7f800000u))"
        }
        IsOp::Finite => {
            "select({O}(0u), {O}(1u), (bitcast<{O}>(a) & {O}(0x7f800000u)) != {O}(0x7f800000u))"
        }
    }
}

fn binary_wgsl(op: BinaryOp, d: DType) -> String {
    let t = d.compute_wgsl();
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
        (UnaryOp::Neg, DType::U32 | DType::U8) => "{A}(0u) - a".to_string(),
        // WGSL's `-` on the most negative i64 is fine at run time (it wraps).
        (UnaryOp::Neg, DType::I64) => "0li - a".to_string(),
        (UnaryOp::Neg, _) => "-a".to_string(),
        (UnaryOp::Abs, DType::U32 | DType::U8) => "a".to_string(),
        (UnaryOp::Abs, DType::I64) => "select(a, 0li - a, a < 0li)".to_string(),
        (UnaryOp::Abs, _) => "abs(a)".to_string(),
        (UnaryOp::Relu, _) => format!("select({{A}}({zero}), a, a > {{A}}({zero}))"),
        (UnaryOp::Sign, DType::U32 | DType::U8) => "select({A}(0u), {A}(1u), a > {A}(0u))".into(),
        (UnaryOp::Sign, DType::I32 | DType::I64) => {
            "select(select({A}(0), {A}(1), a > {A}(0)), {A}(-1), a < {A}(0))".into()
        }
        (UnaryOp::Sign, _) => "select(select(select({A}(0.0), {A}(1.0), a > {A}(0.0)), {A}(-1.0), a < {A}(0.0)), a, {NAN}(a))".into(),
        (UnaryOp::Square, _) => "a * a".into(),
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
        FloatOp::Tan => "tan(a)",
        // WGSL allows 4096 ulps for these (llvmpipe's asin is off by 4e-4);
        // the helpers are within a few.
        FloatOp::Asin => "h_atan2(a, sqrt((1.0 - a) * (1.0 + a)))",
        FloatOp::Acos => "h_atan2(sqrt((1.0 - a) * (1.0 + a)), a)",
        FloatOp::Atan => "h_atan(a)",
        // The builtins lose digits near 0; the helpers keep them.
        FloatOp::Sinh => "h_sinh(a)",
        FloatOp::Cosh => "cosh(a)",
        FloatOp::Asinh => "h_asinh(a)",
        FloatOp::Acosh => "acosh(a)",
        FloatOp::Atanh => "h_atanh(a)",
        FloatOp::Log1p => "h_log1p(a)",
        FloatOp::Expm1 => "h_expm1(a)",
        FloatOp::Log2 => "log2(a)",
        FloatOp::Log10 => "log2(a) * {A}(0.30102999566398120)",
        FloatOp::Exp2 => "exp2(a)",
        FloatOp::Trunc => "trunc(a)",
        FloatOp::Reciprocal => "{A}(1.0) / a",
    }
}

/// WGSL for a cast. WGSL's float-to-int conversion truncates but saturates
/// at the largest float below the integer's range (2147483520 for i32), and
/// leaves NaN unspecified; the selects give the CPU's rules: the integer's
/// own maximum, and 0 for NaN. Int-to-int conversion keeps the bits.
///
/// `f16` and `u8` values compute as `f32` and `u32` (the node's result is
/// then rounded or cut to 8 bits), `i64` as `i64`: a float goes to `u8`
/// through its integer value modulo 256, exactly (NumPy on x86 goes through
/// int64), and integers widen to `i64` by value (sign- or zero-extended).
fn cast_wgsl(from: DType, to: DType) -> &'static str {
    let float = from.is_float();
    match (from, to) {
        (DType::Bool, DType::Bool) => "a",
        (_, DType::Bool) if float => {
            "select(select({O}(0u), {O}(1u), a != {A}(0.0)), {O}(1u), {NAN}(a))"
        }
        (_, DType::Bool) => "select({O}(0u), {O}(1u), a != {A}(0))",
        (_, DType::I32) if float => {
            "select(select({O}(a), {O}(2147483647), a >= {A}(2147483648.0)), {O}(0), {NAN}(a))"
        }
        (_, DType::U32) if float => {
            "select(select({O}(a), {O}(4294967295u), a >= {A}(4294967296.0)), {O}(0u), {NAN}(a))"
        }
        (_, DType::I64) if float => {
            "select(select(select(i64(a), 9223372036854775807li, a >= 9223372036854775808.0), \
             -9223372036854775807li - 1li, a < -9223372036854775808.0), 0li, {NAN}(a))"
        }
        // trunc(a) - 256 floor(trunc(a) / 256) is exact in f32.
        (_, DType::U8) if float => {
            "select(u32(trunc(a) - 256.0 * floor(trunc(a) / 256.0)), 0u, {NAN}(a) || abs(a) >= 9.2e18)"
        }
        (f, t) if f == t => "a",
        (DType::I64, DType::U8) => "u32(a & 255li)",
        (DType::I64, DType::U32) => "u32(bitcast<u64>(a) & 0xfffffffflu)",
        (DType::I64, DType::I32) => "bitcast<i32>(u32(bitcast<u64>(a) & 0xfffffffflu))",
        (DType::I32, DType::I64) => "i64(a)",
        // Zero-extended: naga widens a u32 to i64 by its sign bit.
        (_, DType::I64) => "bitcast<i64>(u64(a))",
        (f, t) if !f.is_float() && !t.is_float() => "bitcast<{O}>(a)",
        // f16 and f32 both compute as f32.
        (DType::F16, DType::F32) | (DType::F32, DType::F16) => "a",
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
pub(crate) fn binary<T: Number>(op: BinaryOp, a: Arg<T>, b: Arg<T>, o: &mut [T]) {
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

pub(crate) fn unary<T: Number>(op: UnaryOp, a: &[T], o: &mut [T]) {
    match op {
        UnaryOp::Neg => o.iter_mut().zip(a).for_each(|(y, &x)| *y = x.neg_()),
        UnaryOp::Abs => o.iter_mut().zip(a).for_each(|(y, &x)| *y = x.abs_()),
        UnaryOp::Relu => o
            .iter_mut()
            .zip(a)
            .for_each(|(y, &x)| *y = if x > T::zero() { x } else { T::zero() }),
        UnaryOp::Sign => o.iter_mut().zip(a).for_each(|(y, &x)| {
            *y = if x > T::zero() {
                T::one()
            } else if x < T::zero() {
                T::from_f64(-1.0)
            } else {
                // 0 stays 0; NaN stays NaN.
                x
            }
        }),
        UnaryOp::Square => o.iter_mut().zip(a).for_each(|(y, &x)| *y = x.mul_(x)),
    }
}

pub(crate) fn fbinary<T: Float>(op: FloatBinaryOp, a: &[T], b: &[T], o: &mut [T]) {
    for ((y, &p), &q) in o.iter_mut().zip(a).zip(b) {
        *y = p.fbinary_(op, q);
    }
}

/// Bitwise ops on the bits of integers, widened to 64 (sign-extended for
/// signed types) and cut back to the type's width; a `bool` is its word of
/// 0 or 1. Shifts by the type's width or more give 0 (-1 for a negative
/// value shifted right), as NumPy's do.
pub(crate) fn bit<T: Number>(op: BitOp, a: &[T], b: &[T], o: &mut [T]) {
    let signed = T::DTYPE.is_signed_int();
    let width = 8 * T::DTYPE.size() as u64;
    macro_rules! lp {
        ($f:expr) => {
            for ((y, &p), &q) in o.iter_mut().zip(a).zip(b) {
                *y = T::from_bits64($f(p.to_bits64(), q.to_bits64()));
            }
        };
    }
    // The shift count as NumPy's unsigned comparison sees it: a negative
    // shift is a huge one (its bits cut to the type's width).
    let count = |q: u64| {
        if width == 64 {
            q
        } else {
            q & ((1 << width) - 1)
        }
    };
    match op {
        BitOp::And => lp!(|p: u64, q: u64| p & q),
        BitOp::Or => lp!(|p: u64, q: u64| p | q),
        BitOp::Xor => lp!(|p: u64, q: u64| p ^ q),
        BitOp::LeftShift => lp!(|p: u64, q: u64| if count(q) < width { p << count(q) } else { 0 }),
        BitOp::RightShift if signed => lp!(|p: u64, q: u64| {
            // Sign-extended already: an arithmetic shift of the i64.
            let p = p as i64;
            (if count(q) < width {
                p >> count(q)
            } else {
                p >> 63
            }) as u64
        }),
        BitOp::RightShift => lp!(|p: u64, q: u64| if count(q) < width { p >> count(q) } else { 0 }),
    }
}

/// Bitwise not, or logical not for `bool` (`is_bool`: words of 0 and 1).
pub(crate) fn not<T: Number>(is_bool: bool, a: &[T], o: &mut [T]) {
    let m = if is_bool { 1 } else { u64::MAX };
    for (y, &x) in o.iter_mut().zip(a) {
        *y = T::from_bits64(x.to_bits64() ^ m);
    }
}

pub(crate) fn is<T: Float>(op: IsOp, a: &[T], o: &mut [u32]) {
    macro_rules! lp {
        ($f:expr) => {
            for (y, &x) in o.iter_mut().zip(a) {
                *y = u32::from($f(x.to_f64()));
            }
        };
    }
    match op {
        IsOp::Nan => lp!(f64::is_nan),
        IsOp::Inf => lp!(f64::is_infinite),
        IsOp::Finite => lp!(f64::is_finite),
    }
}

/// The sort's order keys (see `ops::sort::key32`).
pub(crate) fn key<T: Number>(a: &[T], o: &mut [u32]) {
    for (y, &x) in o.iter_mut().zip(a) {
        *y = crate::ops::sort::key32(T::DTYPE, x.to_bits32());
    }
}

/// `astype(bool)`: `x != 0`, NaN included.
pub(crate) fn truth<T: Number>(a: &[T], o: &mut [u32]) {
    for (y, &x) in o.iter_mut().zip(a) {
        // NaN != 0 holds, so NaN is true, as in NumPy.
        *y = u32::from(x != T::zero());
    }
}

pub(crate) fn float<T: Float>(op: FloatOp, a: &[T], o: &mut [T]) {
    o.iter_mut().zip(a).for_each(|(y, &x)| *y = x.unary_(op));
}

pub(crate) fn cmp<T: Number>(op: CmpOp, a: &[T], b: &[T], o: &mut [u32]) {
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

pub(crate) fn select<T: Number>(m: &[u32], a: &[T], b: &[T], o: &mut [T]) {
    for (((y, &k), &x), &z) in o.iter_mut().zip(m).zip(a).zip(b) {
        *y = if k != 0 { x } else { z };
    }
}

pub(crate) fn clip<T: Number>(x: &[T], lo: &[T], hi: &[T], o: &mut [T]) {
    for (((y, &v), &l), &h) in o.iter_mut().zip(x).zip(lo).zip(hi) {
        *y = v.max_(l).min_(h);
    }
}

pub(crate) fn cast<T: Number, U: Number>(a: &[T], o: &mut [U]) {
    o.iter_mut().zip(a).for_each(|(y, &x)| *y = x.cast::<U>());
}
