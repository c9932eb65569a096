//! The elementwise kernel IR: one representation of elementwise work for
//! both backends.
//!
//! A [`Program`] is a small typed expression DAG: nodes in topological
//! order, each with a dtype, reading array inputs (through their own
//! strided layouts), scalar slots, or earlier nodes; the last node is the
//! result. [`wgsl`] turns a program into one compute kernel, and [`cpu`]
//! evaluates it block by block (numexpr's model: every node runs over a
//! cache-sized block before the next block starts, so no temporary has the
//! array's size). Every elementwise op of the library, `fill`, `assign`,
//! `astype`, `clip`, `where_` and the public [`Expr`](crate::Expr) API
//! build programs; the devices only execute them. The ops themselves, with
//! their WGSL and their CPU semantics, are the catalogue in [`ops`].
//!
//! Programs are plain hashable values: a program, its operands' binding
//! pattern and the kernel variant are the GPU's pipeline-cache key, so a
//! loop that evaluates the same expression compiles once.

pub(crate) mod cpu;
pub(crate) mod ops;
pub(crate) mod run;
pub(crate) mod wgsl;

use crate::element::DType;
use crate::ops::elementwise::{BinaryOp, BitOp, CmpOp, FloatBinaryOp, FloatOp, IsOp, UnaryOp};

/// A node's index in its program.
pub(crate) type Id = u16;

/// What a node computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    /// Array input `k`, read at the element's position.
    Input(u16),
    /// Scalar slot `k`, the same everywhere.
    Scalar(u16),
    /// The element's logical (C-order) index, as a `u32`.
    Index,
    Binary(BinaryOp, Id, Id),
    Unary(UnaryOp, Id),
    Float(FloatOp, Id),
    /// A comparison of two nodes of one dtype; the node's dtype is `bool`.
    Cmp(CmpOp, Id, Id),
    /// A float-only binary op.
    FBinary(FloatBinaryOp, Id, Id),
    /// A bitwise op on integers, or a logical one on `bool`s.
    Bit(BitOp, Id, Id),
    /// Bitwise not on integers, logical not on `bool`s.
    Not(Id),
    /// A float classification; the node's dtype is `bool`.
    Is(IsOp, Id),
    /// `mask ? a : b` (NumPy's `where`), the mask a `bool` node.
    Select(Id, Id, Id),
    /// `minimum(maximum(x, lo), hi)`, NaN kept.
    Clip(Id, Id, Id),
    /// NumPy's `astype` to the node's dtype.
    Cast(Id),
    /// The sort's order key of a 32-bit value (a `u32` node): unsigned
    /// order is the value's order, both zeros one key, NaN the largest.
    Key(Id),
    /// Array input `k` read at the element's position moved `index * step`
    /// elements: `take`'s gather. `index` is an `i32` node (already in
    /// range), `step` an `i32` scalar node (the gathered axis' stride).
    Gather(u16, Id, Id),
}

/// One node: an op and the dtype of its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Node {
    pub op: Op,
    pub dtype: DType,
}

/// A typed expression DAG; the last node is the result.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(crate) struct Program {
    pub nodes: Vec<Node>,
}

impl Program {
    /// Appends a node and returns its id.
    pub(crate) fn push(&mut self, op: Op, dtype: DType) -> Id {
        self.nodes.push(Node { op, dtype });
        (self.nodes.len() - 1) as Id
    }

    /// The result's dtype.
    pub(crate) fn dtype(&self) -> DType {
        self.nodes.last().map_or(DType::F32, |n| n.dtype)
    }

    /// The operand ids a node reads.
    pub(crate) fn args(op: Op) -> Vec<Id> {
        match op {
            Op::Input(_) | Op::Scalar(_) | Op::Index => vec![],
            Op::Unary(_, a)
            | Op::Float(_, a)
            | Op::Cast(a)
            | Op::Not(a)
            | Op::Is(_, a)
            | Op::Key(a) => vec![a],
            Op::Binary(_, a, b) | Op::Cmp(_, a, b) | Op::FBinary(_, a, b) | Op::Bit(_, a, b) => {
                vec![a, b]
            }
            Op::Select(a, b, c) | Op::Clip(a, b, c) => vec![a, b, c],
            Op::Gather(_, i, st) => vec![i, st],
        }
    }

    /// Appends `other`'s nodes, with its inputs and scalar slots renumbered
    /// after this program's `n_inputs` and `n_scalars`; returns the id of
    /// `other`'s result.
    pub(crate) fn append(&mut self, other: &Program, n_inputs: u16, n_scalars: u16) -> Id {
        let base = self.nodes.len() as Id;
        for n in &other.nodes {
            let m = |x: Id| x + base;
            let op = match n.op {
                Op::Input(k) => Op::Input(k + n_inputs),
                Op::Scalar(k) => Op::Scalar(k + n_scalars),
                Op::Index => Op::Index,
                Op::Binary(o, a, b) => Op::Binary(o, m(a), m(b)),
                Op::Unary(o, a) => Op::Unary(o, m(a)),
                Op::Float(o, a) => Op::Float(o, m(a)),
                Op::Cmp(o, a, b) => Op::Cmp(o, m(a), m(b)),
                Op::FBinary(o, a, b) => Op::FBinary(o, m(a), m(b)),
                Op::Bit(o, a, b) => Op::Bit(o, m(a), m(b)),
                Op::Not(a) => Op::Not(m(a)),
                Op::Is(o, a) => Op::Is(o, m(a)),
                Op::Select(a, b, c) => Op::Select(m(a), m(b), m(c)),
                Op::Clip(a, b, c) => Op::Clip(m(a), m(b), m(c)),
                Op::Cast(a) => Op::Cast(m(a)),
                Op::Key(a) => Op::Key(m(a)),
                Op::Gather(k, i, st) => Op::Gather(k + n_inputs, m(i), m(st)),
            };
            self.nodes.push(Node { op, dtype: n.dtype });
        }
        (self.nodes.len() - 1) as Id
    }

    /// Does any node need a helper that has no vec4 form?
    /// (A gather reads through the operand's strides, and packed dtypes
    /// through their packing: no vector form.)
    pub(crate) fn scalar_only(&self) -> bool {
        wgsl::has_packed(self)
            || self
                .nodes
                .iter()
                .any(|n| matches!(n.op, Op::Gather(..)) || ops::wgsl(self, n).contains("h_"))
    }

    /// Does the program gather (read an input away from the element's own
    /// position)?
    pub(crate) fn gathers(&self) -> bool {
        self.nodes.iter().any(|n| matches!(n.op, Op::Gather(..)))
    }
}

/// The same walk over fewer axes: axes of length 1 dropped, and adjacent
/// axes merged where every layout steps through them as through one. The
/// logical C-order index of every element is unchanged, so kernels index
/// the result as they would the original, with less address arithmetic.
pub(crate) fn coalesce(
    shape: &[usize],
    layouts: &[&crate::layout::Layout],
) -> Vec<crate::layout::Layout> {
    let mut dims: Vec<(usize, Vec<isize>)> = Vec::new();
    for d in (0..shape.len()).filter(|&d| shape[d] != 1) {
        let st: Vec<isize> = layouts.iter().map(|l| l.strides[d]).collect();
        if let Some((n, prev)) = dims.last_mut() {
            if prev
                .iter()
                .zip(&st)
                .all(|(&p, &s)| p == s * shape[d] as isize)
            {
                *n *= shape[d];
                *prev = st;
                continue;
            }
        }
        dims.push((shape[d], st));
    }
    layouts
        .iter()
        .enumerate()
        .map(|(k, l)| crate::layout::Layout {
            shape: dims.iter().map(|d| d.0).collect(),
            strides: dims.iter().map(|d| d.1[k]).collect(),
            offset: l.offset,
        })
        .collect()
}
