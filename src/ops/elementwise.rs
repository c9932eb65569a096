//! The elementwise engine: `out = f(a, b, c)` over any strided views, with
//! NumPy's broadcasting and overlap rules, on both backends.

use crate::array::Array;
use crate::device::cpu::{self, Src};
use crate::device::gpu::{EwKernel, KArg};
use crate::device::Storage;
use crate::element::{DType, Element, Float};
use crate::error::{fmt_shape, Error, Result};
use crate::layout::{broadcast_shapes, Layout};

/// One argument of an elementwise op.
pub(crate) enum Arg<'a, T: Element> {
    /// An array, broadcast to the output's shape.
    Arr(&'a Array<T>),
    /// A value for every element.
    Scalar(T),
    /// No argument (unary and nullary ops).
    None,
}

impl<T: Element> Arg<'_, T> {
    fn array(&self) -> Option<&Array<T>> {
        match self {
            Arg::Arr(a) => Some(a),
            _ => None,
        }
    }
}

/// An array argument resolved for a kernel: storage, and its layout broadcast
/// to the output's shape.
struct Resolved<T: Element> {
    arr: Array<T>,
    layout: Layout,
}

impl<O: Element> Array<O> {
    /// Checks that `self` can take a result of `shape` (NumPy's `out=` rule).
    pub(crate) fn check_out_shape(&self, shape: &[usize]) -> Result<()> {
        let ok = broadcast_shapes(&[self.shape(), shape]).is_ok_and(|s| s == self.shape());
        if ok {
            Ok(())
        } else {
            Err(Error::Shape(format!(
                "non-broadcastable output operand with shape {} doesn't match the broadcast shape {}",
                fmt_shape(self.shape()),
                fmt_shape(&broadcast_shapes(&[self.shape(), shape]).unwrap_or_else(|_| shape.to_vec()))
            )))
        }
    }

    fn resolve<T: Element>(&self, a: &Arg<'_, T>) -> Result<Option<Resolved<T>>> {
        let Some(arr) = a.array() else {
            return Ok(None);
        };
        if !arr.device.same(&self.device) {
            return Err(Error::DeviceMismatch(
                arr.device.info().name.clone(),
                self.device.info().name.clone(),
            ));
        }
        let layout = arr.layout.broadcast_to(self.shape())?;
        // NumPy's overlap rule: an input that overlaps the output through a
        // different layout is read as if copied first. Identical layouts
        // (`a += a`) read each element before writing it, so need no copy.
        // The CPU kernel reads an input in the output's buffer through the
        // output itself, so there any other layout in that buffer is copied.
        let overlaps = match self.storage {
            Storage::Cpu(_) => true,
            Storage::Gpu(_) => layout.may_overlap(&self.layout),
        };
        if arr.storage.same(&self.storage) && layout != self.layout && overlaps {
            let tmp = arr.copy()?;
            let layout = tmp.layout.broadcast_to(self.shape())?;
            return Ok(Some(Resolved { arr: tmp, layout }));
        }
        Ok(Some(Resolved {
            arr: arr.clone(),
            layout,
        }))
    }

    /// `self[...] = f(a, b, c)`, elementwise. `wgsl` is the same function as
    /// WGSL over `a`, `b`, `c` (see [`EwKernel`]).
    ///
    /// # Errors
    /// Read-only output; shapes that do not broadcast; arrays on different devices.
    pub(crate) fn ew<A, B, C, F>(
        &self,
        a: Arg<'_, A>,
        b: Arg<'_, B>,
        c: Arg<'_, C>,
        wgsl: &str,
        f: F,
    ) -> Result<()>
    where
        A: Element,
        B: Element,
        C: Element,
        F: Fn(A, B, C) -> O + Sync,
    {
        self.check_writeable()?;
        let shapes: Vec<&[usize]> = [
            a.array().map(|x| x.shape()),
            b.array().map(|x| x.shape()),
            c.array().map(|x| x.shape()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let shape = broadcast_shapes(&shapes)?;
        self.check_out_shape(&shape)?;
        let (ra, rb, rc) = (self.resolve(&a)?, self.resolve(&b)?, self.resolve(&c)?);
        match &self.storage {
            Storage::Cpu(out) => {
                // Lock each distinct buffer once, in id order (no deadlock, no
                // double lock); inputs in the output's buffer read through it.
                let mut bufs: Vec<&cpu::CpuStorage> = vec![out];
                let mut which = [usize::MAX; 3];
                let stor = [
                    ra.as_ref().map(|r| &r.arr.storage),
                    rb.as_ref().map(|r| &r.arr.storage),
                    rc.as_ref().map(|r| &r.arr.storage),
                ];
                for (j, s) in stor.iter().enumerate() {
                    if let Some(Storage::Cpu(s)) = s {
                        which[j] = match bufs.iter().position(|b| std::sync::Arc::ptr_eq(b, s)) {
                            Some(i) => i,
                            None => {
                                bufs.push(s);
                                bufs.len() - 1
                            }
                        };
                    }
                }
                let mut guards = cpu::lock_all(&bufs);
                let (first, rest) = guards
                    .split_first_mut()
                    .expect("the output is always locked");
                let outw: &mut [u64] = first.words_mut().expect("the output is write-locked");
                let ins: Vec<&[u64]> = rest.iter().map(|g| g.words()).collect();
                fn src<'s, T: Element>(
                    arg: &Arg<'_, T>,
                    r: &'s Option<Resolved<T>>,
                    w: usize,
                    ins: &[&'s [u64]],
                ) -> Src<'s, T> {
                    match (arg, r) {
                        (Arg::Scalar(v), _) => Src::Scalar(*v),
                        (_, Some(_)) if w == 0 => Src::Out,
                        (_, Some(r)) => Src::Buf(bytemuck::cast_slice(ins[w - 1]), &r.layout),
                        _ => Src::Scalar(T::zero()),
                    }
                }
                cpu::map3(
                    bytemuck::cast_slice_mut::<u64, O>(outw),
                    &self.layout,
                    &src(&a, &ra, which[0], &ins),
                    &src(&b, &rb, which[1], &ins),
                    &src(&c, &rc, which[2], &ins),
                    &f,
                );
                Ok(())
            }
            Storage::Gpu(out) => {
                let mut operands = vec![(out, &self.layout)];
                let mut kargs = Vec::new();
                let mut scalars = [0u32; 3];
                push_karg(&a, &ra, 0, &mut operands, &mut kargs, &mut scalars);
                push_karg(&b, &rb, 1, &mut operands, &mut kargs, &mut scalars);
                push_karg(&c, &rc, 2, &mut operands, &mut kargs, &mut scalars);
                let k = EwKernel {
                    expr: wgsl,
                    out: O::DTYPE,
                    args: &kargs,
                    scalars,
                };
                self.gpu().elementwise(&k, &operands)
            }
        }
    }
}

fn push_karg<'a, T: Element>(
    a: &Arg<'_, T>,
    r: &'a Option<Resolved<T>>,
    slot: usize,
    operands: &mut Vec<(&'a crate::device::gpu::GpuStorage, &'a Layout)>,
    kargs: &mut Vec<KArg>,
    scalars: &mut [u32; 3],
) {
    match (a, r) {
        (Arg::Scalar(v), _) => {
            scalars[slot] = v.to_bits32();
            kargs.push(KArg::Scalar(T::DTYPE, slot));
        }
        (_, Some(r)) => {
            let Storage::Gpu(s) = &r.arr.storage else {
                unreachable!("device equality was checked")
            };
            operands.push((s, &r.layout));
            kargs.push(KArg::Operand(T::DTYPE, operands.len() - 1));
        }
        _ => {}
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

    fn wgsl(self, d: DType) -> String {
        let t = d.wgsl().unwrap_or("f32");
        let float = d == DType::F32;
        match self {
            BinaryOp::Add => "a + b".into(),
            BinaryOp::Sub => "a - b".into(),
            BinaryOp::Mul => "a * b".into(),
            BinaryOp::Div if float => "a / b".into(),
            BinaryOp::Div => format!("h_div_{t}(a, b)"),
            BinaryOp::Rem => format!("h_rem_{t}(a, b)"),
            BinaryOp::Pow => format!("h_pow_{t}(a, b)"),
            // WGSL leaves max/min of NaN unspecified; NumPy propagates it.
            BinaryOp::Maximum if float => {
                "select(select(max(a, b), b, {NAN}(b)), a, {NAN}(a))".into()
            }
            BinaryOp::Minimum if float => {
                "select(select(min(a, b), b, {NAN}(b)), a, {NAN}(a))".into()
            }
            BinaryOp::Maximum => "max(a, b)".into(),
            BinaryOp::Minimum => "min(a, b)".into(),
        }
    }
}

/// Comparisons; they return a mask of dtype `u32` holding 1 (true) or 0
/// (false), since GPU storage has no 1-byte bool.
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

impl CmpOp {
    fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
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
}

impl FloatOp {
    fn wgsl(self) -> &'static str {
        match self {
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
}

fn cmp_wgsl(op: CmpOp) -> String {
    format!("select({{O}}(0u), {{O}}(1u), a {} b)", op.symbol())
}

fn unary_wgsl(op: UnaryOp, d: DType) -> String {
    let zero = if d == DType::F32 { "0.0" } else { "0" };
    match (op, d) {
        (UnaryOp::Neg, DType::U32) => "{A}(0u) - a".to_string(),
        (UnaryOp::Neg, _) => "-a".to_string(),
        (UnaryOp::Abs, DType::U32) => "a".to_string(),
        (UnaryOp::Abs, _) => "abs(a)".to_string(),
        (UnaryOp::Relu, _) => format!("select({{A}}({zero}), a, a > {{A}}({zero}))"),
    }
}

fn where_wgsl() -> &'static str {
    "select(c, b, a != {A}(0u))"
}

/// NumPy's clip is minimum(maximum(a, lo), hi); NaN stays NaN.
fn clip_wgsl(d: DType) -> &'static str {
    if d == DType::F32 {
        "select(min(max(a, b), c), a, {NAN}(a))"
    } else {
        "min(max(a, b), c)"
    }
}

/// No argument: fills the unused kernel slots.
const NONE: Arg<'static, u32> = Arg::None;

impl<T: Element> Array<T> {
    /// `self[...] = a op b`.
    pub(crate) fn binary_apply(&self, op: BinaryOp, a: Arg<'_, T>, b: Arg<'_, T>) -> Result<()> {
        let w = op.wgsl(T::DTYPE);
        macro_rules! go {
            ($f:expr) => {
                self.ew(a, b, NONE, &w, |x: T, y: T, _: u32| $f(x, y))
            };
        }
        match op {
            BinaryOp::Add => go!(T::add_),
            BinaryOp::Sub => go!(T::sub_),
            BinaryOp::Mul => go!(T::mul_),
            BinaryOp::Div => go!(T::div_),
            BinaryOp::Pow => go!(T::pow_),
            BinaryOp::Maximum => go!(T::max_),
            BinaryOp::Minimum => go!(T::min_),
            BinaryOp::Rem => go!(T::rem_),
        }
    }

    /// A new array of the broadcast shape of the array arguments.
    #[track_caller]
    fn alloc_for<U: Element>(&self, other: Option<&Array<T>>) -> Result<Array<U>> {
        let shape = match other {
            Some(o) => broadcast_shapes(&[self.shape(), o.shape()])?,
            None => self.shape().to_vec(),
        };
        if let Some(o) = other {
            if !o.device.same(&self.device) {
                return Err(Error::DeviceMismatch(
                    o.device.info().name.clone(),
                    self.device.info().name.clone(),
                ));
            }
        }
        Array::uninit(&self.device, &shape)
    }

    /// Elementwise `op` into a new array (`np.add(a, b)` and friends).
    ///
    /// # Errors
    /// Shapes that do not broadcast; arrays on different devices.
    #[track_caller]
    pub fn binary(&self, op: BinaryOp, other: &Array<T>) -> Result<Array<T>> {
        let out = self.alloc_for(Some(other))?;
        out.binary_apply(op, Arg::Arr(self), Arg::Arr(other))?;
        Ok(out)
    }

    /// `self = self op other`, in place through any view (`a += b`).
    ///
    /// # Errors
    /// Read-only `self`; `other` does not broadcast to `self`'s shape.
    pub fn binary_inplace(&self, op: BinaryOp, other: &Array<T>) -> Result<()> {
        self.binary_apply(op, Arg::Arr(self), Arg::Arr(other))
    }

    /// `out[...] = self op other` (NumPy's `out=`).
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold the broadcast shape.
    pub fn binary_into(&self, op: BinaryOp, other: &Array<T>, out: &Array<T>) -> Result<()> {
        out.binary_apply(op, Arg::Arr(self), Arg::Arr(other))
    }

    /// `self op s` into a new array.
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn binary_scalar(&self, op: BinaryOp, s: T) -> Result<Array<T>> {
        let out = self.alloc_for(None)?;
        out.binary_apply(op, Arg::Arr(self), Arg::Scalar(s))?;
        Ok(out)
    }

    /// `self = self op s`, in place.
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn binary_scalar_inplace(&self, op: BinaryOp, s: T) -> Result<()> {
        self.binary_apply(op, Arg::Arr(self), Arg::Scalar(s))
    }

    /// `out[...] = self op s` (NumPy's `np.multiply(a, 2, out=y)`).
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold `self`'s shape.
    pub fn binary_scalar_into(&self, op: BinaryOp, s: T, out: &Array<T>) -> Result<()> {
        out.binary_apply(op, Arg::Arr(self), Arg::Scalar(s))
    }

    /// Can an op whose result has `shape` write into this array's buffer?
    /// Only when no other array shares the buffer (so nothing else can see
    /// the write), the array is writeable, and its shape is the result's:
    /// NumPy's temporary elision, with Rust's ownership as the signal.
    pub(crate) fn can_take(&self, shape: &[usize]) -> bool {
        self.flags().writeable && self.shape() == shape && self.storage.unique()
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
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn scalar_binary(&self, s: T, op: BinaryOp) -> Result<Array<T>> {
        let out = self.alloc_for(None)?;
        out.binary_apply(op, Arg::Scalar(s), Arg::Arr(self))?;
        Ok(out)
    }

    fn cmp_apply(out: &Array<u32>, op: CmpOp, a: Arg<'_, T>, b: Arg<'_, T>) -> Result<()> {
        let w = cmp_wgsl(op);
        macro_rules! go {
            ($f:expr) => {
                out.ew(a, b, NONE, &w, |x: T, y: T, _: u32| u32::from($f(&x, &y)))
            };
        }
        match op {
            CmpOp::Eq => go!(T::eq),
            CmpOp::Ne => go!(T::ne),
            CmpOp::Lt => go!(T::lt),
            CmpOp::Le => go!(T::le),
            CmpOp::Gt => go!(T::gt),
            CmpOp::Ge => go!(T::ge),
        }
    }

    /// Elementwise comparison into a `u32` mask of 1s and 0s.
    ///
    /// # Errors
    /// Shapes that do not broadcast.
    #[track_caller]
    pub fn compare(&self, op: CmpOp, other: &Array<T>) -> Result<Array<u32>> {
        let out = self.alloc_for(Some(other))?;
        Self::cmp_apply(&out, op, Arg::Arr(self), Arg::Arr(other))?;
        Ok(out)
    }

    /// Comparison with a scalar into a `u32` mask.
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn compare_scalar(&self, op: CmpOp, s: T) -> Result<Array<u32>> {
        let out = self.alloc_for(None)?;
        Self::cmp_apply(&out, op, Arg::Arr(self), Arg::Scalar(s))?;
        Ok(out)
    }

    /// Comparison into a caller's mask (`out=`).
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold the broadcast shape.
    pub fn compare_into(&self, op: CmpOp, other: &Array<T>, out: &Array<u32>) -> Result<()> {
        Self::cmp_apply(out, op, Arg::Arr(self), Arg::Arr(other))
    }

    pub(crate) fn unary_apply(&self, op: UnaryOp, a: Arg<'_, T>) -> Result<()> {
        let w = unary_wgsl(op, T::DTYPE);
        match op {
            UnaryOp::Neg => self.ew(a, NONE, NONE, &w, |x: T, _: u32, _: u32| x.neg_()),
            UnaryOp::Abs => self.ew(a, NONE, NONE, &w, |x: T, _: u32, _: u32| x.abs_()),
            UnaryOp::Relu => self.ew(
                a,
                NONE,
                NONE,
                &w,
                |x: T, _: u32, _: u32| if x > T::zero() { x } else { T::zero() },
            ),
        }
    }

    /// A unary op into a new array.
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn unary(&self, op: UnaryOp) -> Result<Array<T>> {
        let out = self.alloc_for(None)?;
        out.unary_apply(op, Arg::Arr(self))?;
        Ok(out)
    }

    /// A unary op in place.
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn unary_inplace(&self, op: UnaryOp) -> Result<()> {
        self.unary_apply(op, Arg::Arr(self))
    }

    /// A unary op into a caller's array.
    ///
    /// # Errors
    /// Read-only `out`; `out` cannot hold `self`'s shape.
    pub fn unary_into(&self, op: UnaryOp, out: &Array<T>) -> Result<()> {
        out.unary_apply(op, Arg::Arr(self))
    }

    /// `np.where(mask, a, b)`: `a` where `mask != 0`, else `b`, broadcast together.
    ///
    /// # Errors
    /// Shapes that do not broadcast; arrays on different devices.
    #[track_caller]
    pub fn where_(mask: &Array<u32>, a: &Array<T>, b: &Array<T>) -> Result<Array<T>> {
        let shape = broadcast_shapes(&[mask.shape(), a.shape(), b.shape()])?;
        let out = Array::uninit(&a.device, &shape)?;
        out.ew(
            Arg::Arr(mask),
            Arg::Arr(a),
            Arg::Arr(b),
            where_wgsl(),
            |m: u32, x: T, y: T| {
                if m != 0 {
                    x
                } else {
                    y
                }
            },
        )?;
        Ok(out)
    }

    fn clip_apply(&self, a: Arg<'_, T>, lo: T, hi: T) -> Result<()> {
        self.ew(
            a,
            Arg::Scalar(lo),
            Arg::Scalar(hi),
            clip_wgsl(T::DTYPE),
            |x: T, l: T, h: T| x.max_(l).min_(h),
        )
    }

    /// `np.clip(a, lo, hi)` into a new array.
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn clip(&self, lo: T, hi: T) -> Result<Array<T>> {
        let out = self.alloc_for(None)?;
        out.clip_apply(Arg::Arr(self), lo, hi)?;
        Ok(out)
    }

    /// `np.clip(a, lo, hi, out=a)`.
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn clip_inplace(&self, lo: T, hi: T) -> Result<()> {
        self.clip_apply(Arg::Arr(self), lo, hi)
    }
}

impl<T: Float> Array<T> {
    fn float_apply(&self, op: FloatOp, a: Arg<'_, T>) -> Result<()> {
        self.ew(a, NONE, NONE, op.wgsl(), |x: T, _: u32, _: u32| {
            x.unary_(op)
        })
    }

    /// A float op (`exp`, `sqrt`, ...) into a new array.
    ///
    /// # Errors
    /// Out of memory.
    #[track_caller]
    pub fn float_op(&self, op: FloatOp) -> Result<Array<T>> {
        let out = self.alloc_for(None)?;
        out.float_apply(op, Arg::Arr(self))?;
        Ok(out)
    }

    /// A float op in place.
    ///
    /// # Errors
    /// Read-only `self`.
    pub fn float_op_inplace(&self, op: FloatOp) -> Result<()> {
        self.float_apply(op, Arg::Arr(self))
    }

    /// A float op into a caller's array.
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
        impl<T: Element> Array<T> {$(
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
            #[doc = concat!("`", $np, "(a, s, out=out)`: into a caller's array, any writeable view.\n\n# Errors\nRead-only `out`; `out` cannot hold `self`'s shape.")]
            pub fn $sc_into(&self, s: T, out: &Array<T>) -> Result<()> {
                self.binary_scalar_into(BinaryOp::$v, s, out)
            }
        )*}
    };
}

named_binary! {
    add add_inplace add_into add_scalar add_scalar_inplace add_scalar_into = Add, "np.add";
    sub sub_inplace sub_into sub_scalar sub_scalar_inplace sub_scalar_into = Sub, "np.subtract";
    mul mul_inplace mul_into mul_scalar mul_scalar_inplace mul_scalar_into = Mul, "np.multiply";
    div div_inplace div_into div_scalar div_scalar_inplace div_scalar_into = Div, "np.divide (np.floor_divide for integers)";
    pow pow_inplace pow_into pow_scalar pow_scalar_inplace pow_scalar_into = Pow, "np.power";
    maximum maximum_inplace maximum_into maximum_scalar maximum_scalar_inplace maximum_scalar_into = Maximum, "np.maximum";
    minimum minimum_inplace minimum_into minimum_scalar minimum_scalar_inplace minimum_scalar_into = Minimum, "np.minimum";
    rem rem_inplace rem_into rem_scalar rem_scalar_inplace rem_scalar_into = Rem, "np.remainder";
}

macro_rules! named_cmp {
    ($($op:ident $sc:ident = $v:ident;)*) => {
        impl<T: Element> Array<T> {$(
            #[doc = concat!("Elementwise `", stringify!($op), "` into a `u32` mask (1 true, 0 false).\n\n# Errors\nShapes that do not broadcast.")]
            #[track_caller]
            pub fn $op(&self, other: &Array<T>) -> Result<Array<u32>> {
                self.compare(CmpOp::$v, other)
            }
            #[doc = concat!("Elementwise `", stringify!($op), "` with a scalar into a `u32` mask.\n\n# Errors\nOut of memory.")]
            #[track_caller]
            pub fn $sc(&self, s: T) -> Result<Array<u32>> {
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
    ($tr:ident, $kind:ident, $apply:ident, $apply_inplace:ident, $apply_into:ident; $($op:ident $inplace:ident $into:ident = $v:ident;)*) => {
        impl<T: $tr> Array<T> {$(
            #[doc = concat!("Elementwise `", stringify!($op), "` into a new array.\n\n# Errors\nOut of memory.")]
            #[track_caller]
            pub fn $op(&self) -> Result<Array<T>> {
                self.$apply($kind::$v)
            }
            #[doc = concat!("Elementwise `", stringify!($op), "` in place through any view.\n\n# Errors\nRead-only `self`.")]
            pub fn $inplace(&self) -> Result<()> {
                self.$apply_inplace($kind::$v)
            }
            #[doc = concat!("Elementwise `", stringify!($op), "` into `out`.\n\n# Errors\nRead-only `out`; `out` cannot hold `self`'s shape.")]
            pub fn $into(&self, out: &Array<T>) -> Result<()> {
                self.$apply_into($kind::$v, out)
            }
        )*}
    };
}

named_unary! { Element, UnaryOp, unary, unary_inplace, unary_into;
    neg neg_inplace neg_into = Neg;
    abs abs_inplace abs_into = Abs;
    relu relu_inplace relu_into = Relu;
}
named_unary! { Float, FloatOp, float_op, float_op_inplace, float_op_into;
    exp exp_inplace exp_into = Exp;
    log log_inplace log_into = Log;
    sqrt sqrt_inplace sqrt_into = Sqrt;
    sin sin_inplace sin_into = Sin;
    cos cos_inplace cos_into = Cos;
    tanh tanh_inplace tanh_into = Tanh;
    sigmoid sigmoid_inplace sigmoid_into = Sigmoid;
    floor floor_inplace floor_into = Floor;
    ceil ceil_inplace ceil_into = Ceil;
    round round_inplace round_into = Round;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::gpu::ew_source;

    fn validate(src: &str) {
        crate::device::gpu::validate_wgsl(src).unwrap_or_else(|e| {
            panic!(
                "{e}
{src}"
            )
        });
    }

    fn all_variants(expr: &str, out: DType, args: &[KArg]) {
        let nops = 1 + args
            .iter()
            .filter(|a| matches!(a, KArg::Operand(..)))
            .count();
        // Every operand in its own buffer, and every operand in one buffer.
        for binding in [(0..nops).collect::<Vec<_>>(), vec![0; nops]] {
            let nbuf = binding.iter().max().unwrap() + 1;
            for (vec4, zero_off) in [(false, false), (true, false), (true, true)] {
                let k = EwKernel {
                    expr,
                    out,
                    args,
                    scalars: [0; 3],
                };
                validate(&ew_source(&k, &binding, nbuf, vec4, zero_off, 256));
            }
        }
    }

    /// Every generated elementwise kernel (op x dtype x variant) passes naga.
    #[test]
    fn generated_wgsl_validates() {
        for d in [DType::F32, DType::I32, DType::U32] {
            for op in BinaryOp::ALL {
                let w = op.wgsl(d);
                all_variants(&w, d, &[KArg::Operand(d, 1), KArg::Operand(d, 2)]);
                all_variants(&w, d, &[KArg::Operand(d, 1), KArg::Scalar(d, 1)]);
                all_variants(&w, d, &[KArg::Scalar(d, 0), KArg::Operand(d, 1)]);
            }
            for c in [CmpOp::Eq, CmpOp::Lt, CmpOp::Ge] {
                let w = cmp_wgsl(c);
                all_variants(&w, DType::U32, &[KArg::Operand(d, 1), KArg::Operand(d, 2)]);
            }
            for u in [UnaryOp::Neg, UnaryOp::Abs, UnaryOp::Relu] {
                all_variants(&unary_wgsl(u, d), d, &[KArg::Operand(d, 1)]);
            }
            all_variants(
                where_wgsl(),
                d,
                &[
                    KArg::Operand(DType::U32, 1),
                    KArg::Operand(d, 2),
                    KArg::Operand(d, 3),
                ],
            );
            all_variants(
                clip_wgsl(d),
                d,
                &[KArg::Operand(d, 1), KArg::Scalar(d, 1), KArg::Scalar(d, 2)],
            );
            all_variants("a", d, &[KArg::Scalar(d, 0)]);
            all_variants(
                "a + {A}(i) * b",
                d,
                &[KArg::Scalar(d, 0), KArg::Scalar(d, 1)],
            );
            for to in [DType::F32, DType::I32, DType::U32] {
                all_variants(
                    crate::ops::creation::cast_wgsl(d, to),
                    to,
                    &[KArg::Operand(d, 1)],
                );
            }
            all_variants("a", d, &[KArg::Operand(d, 1)]);
        }
        for f in [
            FloatOp::Exp,
            FloatOp::Log,
            FloatOp::Sqrt,
            FloatOp::Sin,
            FloatOp::Cos,
            FloatOp::Tanh,
            FloatOp::Sigmoid,
            FloatOp::Floor,
            FloatOp::Ceil,
            FloatOp::Round,
        ] {
            all_variants(f.wgsl(), DType::F32, &[KArg::Operand(DType::F32, 1)]);
        }
        let u = DType::U32;
        all_variants(
            "h_philox(c + i, a, b)",
            u,
            &[KArg::Scalar(u, 0), KArg::Scalar(u, 1), KArg::Scalar(u, 2)],
        );
    }
}
