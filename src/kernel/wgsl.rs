//! WGSL generation from the kernel IR: one compute kernel per program,
//! binding pattern and variant, emitted as one line per node (tinygrad's
//! way), each node an inlined function over its arguments.

use super::{ops, Op, Program};
use crate::element::DType;

/// Everything a generated kernel depends on: the pipeline-cache key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct KernelKey {
    pub prog: Program,
    /// Which bound buffer each operand (the output first, then the inputs)
    /// lives in; operands in one buffer share its binding.
    pub binding: Vec<u8>,
    /// Per input: one element repeated everywhere (all strides 0), read
    /// once and splatted in the vector variant.
    pub uniform: Vec<bool>,
    /// One `vec4` per invocation: every operand C-contiguous, unbroadcast,
    /// 16-byte aligned, and no scalar-only helper in the program.
    pub vec4: bool,
    /// With `vec4`, every operand starts at element 0: no offset reads, and
    /// llvmpipe sees lane-consecutive addresses (3 -> 4.7 GB/s for `a += b`).
    pub zero_off: bool,
    /// One invocation per output word of a packed (`u8`/`f16`) output,
    /// every operand C-contiguous (or uniform): the invocation computes the
    /// word's elements and stores the word whole, with no atomics.
    pub owner: bool,
    /// Workgroup size.
    pub wg: u32,
}

impl KernelKey {
    pub(crate) fn nbuf(&self) -> usize {
        self.binding
            .iter()
            .map(|&b| b as usize + 1)
            .max()
            .unwrap_or(1)
    }
    /// Scalar slots the program reads.
    pub(crate) fn n_scalars(&self) -> usize {
        n_scalars(&self.prog)
    }
}

pub(crate) fn n_scalars(p: &Program) -> usize {
    p.nodes
        .iter()
        .filter_map(|n| match n.op {
            Op::Scalar(k) => Some(k as usize + 1),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// Does the program hold a dtype stored in other than one 32-bit word per
/// element (`f16` and `u8` packed in words, `i64` over two)? Such kernels
/// run the scalar variant and read and write through [`load`] and [`store`],
/// which know the packing.
pub(crate) fn has_packed(p: &Program) -> bool {
    p.nodes
        .iter()
        .any(|n| matches!(n.dtype, DType::F16 | DType::U8 | DType::I64))
}

/// Can the program run the `owner` variant (given C-contiguous operands)?
/// Its output is packed, and it reads every input at the element's own
/// position.
pub(crate) fn owner_applies(p: &Program) -> bool {
    matches!(p.dtype(), DType::F16 | DType::U8) && !p.gathers()
}

/// The compute-typed value of element `e` (a `u32` expression) of a
/// buffer `b` holding `d`s; `atomic`: buffer 0 is bound as atomic words.
fn load(d: DType, b: u8, e: &str, atomic: bool) -> String {
    let word = |w: String| {
        if atomic && b == 0 {
            format!("atomicLoad(&b0[{w}])")
        } else {
            format!("b{b}[{w}]")
        }
    };
    match d {
        DType::F16 => format!(
            "h_f16_val(({} >> ((({e}) & 1u) * 16u)) & 0xffffu)",
            word(format!("({e}) >> 1u"))
        ),
        DType::U8 => format!(
            "(({} >> ((({e}) & 3u) * 8u)) & 0xffu)",
            word(format!("({e}) >> 2u"))
        ),
        DType::I64 => format!(
            "bitcast<i64>(u64({}) | (u64({}) << 32u))",
            word(format!("2u * ({e})")),
            word(format!("2u * ({e}) + 1u"))
        ),
        _ => format!("bitcast<{}>({})", d.compute_wgsl(), word(e.to_string())),
    }
}

/// Statements that write value `v` (compute-typed) as element `e` of the
/// output buffer `b0`. A packed `f16`/`u8` shares its word with elements
/// other invocations write, so it flips only its own bits, with one atomic
/// xor against their present value (which no other invocation changes):
/// race-free.
fn store(d: DType, v: &str, e: &str) -> String {
    let packed = |bits: u32, val: String| {
        let k = 32 / bits;
        format!(
            "let e_ = {e};\n        let w_ = e_ / {k}u;\n        let sh_ = (e_ % {k}u) * {bits}u;\n        let old_ = (atomicLoad(&b0[w_]) >> sh_) & {mask}u;\n        atomicXor(&b0[w_], (old_ ^ {val}) << sh_);\n",
            mask = (1u64 << bits) - 1
        )
    };
    match d {
        DType::F16 => packed(16, format!("h_f16_bits({v})")),
        DType::U8 => packed(8, format!("({v} & 0xffu)")),
        DType::I64 => format!(
            "let e_ = {e};\n        let w_ = bitcast<u64>({v});\n        b0[2u * e_] = u32(w_ & 0xfffffffflu);\n        b0[2u * e_ + 1u] = u32(w_ >> 32u);\n"
        ),
        _ => format!("b0[{e}] = bitcast<u32>({v});\n"),
    }
}

fn ty(d: DType, vec4: bool) -> String {
    let s = d.compute_wgsl();
    if vec4 {
        format!("vec4<{s}>")
    } else {
        s.to_string()
    }
}

/// The kernel's source. Metadata table (u32 words):
///
/// | word | meaning |
/// |---|---|
/// | 0 | n, the number of output elements |
/// | 1 | rank r |
/// | 2 | the C-order index of the first element (a window's start) |
/// | 3 .. 3+S | scalar slots (bits), S of them |
/// | 3+S .. 3+S+r | output shape |
/// | then per operand k (output first) | offset, r strides (i32 bits) |
pub(crate) fn source(k: &KernelKey) -> String {
    let p = &k.prog;
    let vec4 = k.vec4;
    let zero_off = vec4 && k.zero_off;
    let arr = if vec4 { "vec4<u32>" } else { "u32" };
    // A packed f16/u8 output is written by atomics (see `store`), unless
    // each invocation owns its words.
    let atomic = matches!(p.dtype(), DType::F16 | DType::U8) && !k.owner;
    let mut s = String::from("@group(0) @binding(0) var<storage, read> md: array<u32>;\n");
    for i in 0..k.nbuf() {
        s += &format!(
            "@group(0) @binding({}) var<storage, {}> b{i}: array<{}>;\n",
            i + 1,
            // Buffer 0 holds the output; the others are only read.
            if i == 0 { "read_write" } else { "read" },
            if i == 0 && atomic { "atomic<u32>" } else { arr }
        );
    }
    // Two words per scalar slot: an i64 scalar takes both.
    s += &format!("const SHAPE: u32 = {}u;\n", 3 + 2 * k.n_scalars());
    s += include_str!("../../shaders/elementwise.wgsl");
    if p.nodes.iter().any(|n| n.dtype == DType::I64) {
        s += include_str!("../../shaders/int64.wgsl");
    }
    // One function per computing node, over scalars (n{j}) and, in the
    // vector variant, over vec4s (n{j}v).
    for (j, n) in p.nodes.iter().enumerate() {
        let snippet = ops::wgsl(p, n);
        if snippet.is_empty() {
            continue;
        }
        for v in [false, true] {
            if v && !vec4 {
                continue;
            }
            let args = Program::args(n.op);
            let mut body = snippet
                .replace("{O}", &ty(n.dtype, v))
                .replace("{NAN}", if v { "nan_v" } else { "nan_s" })
                .replace("{U}", if v { "vec4<u32>" } else { "u32" });
            for (q, ph) in ["{A}", "{B}"].iter().enumerate() {
                if let Some(&a) = args.get(q) {
                    body = body.replace(ph, &ty(p.nodes[a as usize].dtype, v));
                }
            }
            let params: Vec<String> = args
                .iter()
                .zip(["a", "b", "c"])
                .map(|(&a, name)| format!("{name}: {}", ty(p.nodes[a as usize].dtype, v)))
                .collect();
            // Each operation's result rounds to its dtype's width.
            let body = match n.dtype {
                DType::F16 => format!("h_r16({body})"),
                DType::U8 => format!("(({body}) & 0xffu)"),
                _ => body,
            };
            s += &format!(
                "fn n{j}{}({}) -> {} {{ return {body}; }}\n",
                if v { "v" } else { "" },
                params.join(", "),
                ty(n.dtype, v)
            );
        }
    }
    // The program's lines: `x{j}` holds node j's value at element `idx`.
    // `read` says how an input is read: a vec4, an element of a vec4
    // buffer, or an element through the operand's strides.
    #[derive(Clone, Copy, PartialEq)]
    enum Read {
        Vector,
        VecElem,
        Strided,
        /// Element `idx` of a C-contiguous operand (the `owner` variant).
        Contig,
    }
    let lines = |read: Read, idx: &str| -> String {
        let v = read == Read::Vector;
        let mut out = String::new();
        for (j, n) in p.nodes.iter().enumerate() {
            let t = ty(n.dtype, v);
            let e = match n.op {
                Op::Input(q) => {
                    let op = q as usize + 1;
                    let b = k.binding[op];
                    let st = ty(n.dtype, false);
                    let one = if vec4 {
                        format!("bitcast<{st}>(b{b}[off0({op}u) / 4u][off0({op}u) % 4u])")
                    } else {
                        load(n.dtype, b, &format!("off0({op}u)"), atomic)
                    };
                    match read {
                        _ if k.uniform.get(q as usize) == Some(&true) => {
                            if v {
                                format!("{t}({one})")
                            } else {
                                one
                            }
                        }
                        Read::Vector => {
                            let base = if zero_off {
                                String::new()
                            } else {
                                format!("off0({op}u) / 4u + ")
                            };
                            format!("bitcast<{t}>(b{b}[{base}{idx}])")
                        }
                        Read::VecElem => format!(
                            "bitcast<{t}>(b{b}[(off0({op}u) + {idx}) / 4u][(off0({op}u) + {idx}) % 4u])"
                        ),
                        Read::Strided => load(n.dtype, b, &format!("u32(o{op})"), atomic),
                        Read::Contig => load(n.dtype, b, &format!("off0({op}u) + {idx}"), atomic),
                    }
                }
                Op::Scalar(q) => {
                    let st = ty(n.dtype, false);
                    let w = 3 + 2 * q as usize;
                    if n.dtype == DType::I64 {
                        format!("bitcast<i64>(u64(md[{w}u]) | (u64(md[{}u]) << 32u))", w + 1)
                    } else if v {
                        format!("{t}(bitcast<{st}>(md[{w}u]))")
                    } else {
                        format!("bitcast<{st}>(md[{w}u])")
                    }
                }
                Op::Gather(q, i, st) => {
                    // Only in the scalar variant (`scalar_only`).
                    let op = q as usize + 1;
                    let b = k.binding[op];
                    load(n.dtype, b, &format!("u32(o{op} + x{i} * x{st})"), atomic)
                }
                Op::Index if v => {
                    format!("vec4<u32>(md[2] + {idx} * 4u) + vec4<u32>(0u, 1u, 2u, 3u)")
                }
                Op::Index => format!("md[2] + {idx}"),
                op => {
                    let args: Vec<String> =
                        Program::args(op).iter().map(|a| format!("x{a}")).collect();
                    format!("n{j}{}({})", if v { "v" } else { "" }, args.join(", "))
                }
            };
            out += &format!("        let x{j}: {t} = {e};\n");
        }
        out
    };
    let last = p.nodes.len() - 1;
    let wg = k.wg;
    s += &format!(
        "@compute @workgroup_size({wg})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {{
    let idx = gid.x + gid.y * nwg.x * {wg}u;
    let n = md[0];
"
    );
    let o = k.binding[0];
    if k.owner {
        // Word w of the output buffer, holding `per` elements: those of the
        // array are computed, the others (a view's neighbours) kept.
        let (per, bits, val) = match p.dtype() {
            DType::U8 => (4, 8, format!("(x{last} & 0xffu)")),
            _ => (2, 16, format!("h_f16_bits(x{last})")),
        };
        let mask = (1u64 << bits) - 1;
        s += &format!(
            "    let start = off0(0u);
    let w = start / {per}u + idx;
    let lo = max(w * {per}u, start);
    let hi = min(w * {per}u + {per}u, start + n);
    if (lo >= hi) {{ return; }}
    var word = 0u;
    if (hi - lo < {per}u) {{ word = b0[w]; }}
    for (var e = lo; e < hi; e = e + 1u) {{
        let i = e - start;
{}        let sh = (e % {per}u) * {bits}u;
        word = (word & ~({mask}u << sh)) | ({val} << sh);
    }}
    b0[w] = word;
}}
",
            lines(Read::Contig, "i")
        );
    } else if vec4 {
        let o0 = if zero_off { "" } else { "off0(0u) / 4u + " };
        // One vec4 per invocation; the last, partial vec4 goes element by element.
        s += &format!(
            "    let v = idx;
    let e = v * 4u;
    if (e + 3u < n) {{
{}        b{o}[{o0}v] = bitcast<vec4<u32>>(x{last});
        return;
    }}
    for (var i = e; i < n; i = i + 1u) {{
{}        let p = off0(0u) + i;
        b{o}[p / 4u][p % 4u] = bitcast<u32>(x{last});
    }}
}}
",
            lines(Read::Vector, "v"),
            lines(Read::VecElem, "i")
        );
    } else {
        // Every operand's offset from one walk over the axes: one divide
        // and modulo per axis and element, shared by all operands, and
        // none for the outermost axis.
        let ops = k.binding.len();
        let mut walk = String::from("    let rank = md[1];\n    var rem = idx;\n");
        for q in 0..ops {
            walk +=
                &format!("    var o{q} = bitcast<i32>(md[SHAPE + rank + {q}u * (rank + 1u)]);\n");
        }
        walk += "    for (var j = rank; j > 1u; j = j - 1u) {\n        let d = md[SHAPE + j - 1u];\n        let c = i32(rem % d);\n        rem = rem / d;\n";
        for q in 0..ops {
            walk += &format!("        o{q} = o{q} + c * bitcast<i32>(md[SHAPE + rank + {q}u * (rank + 1u) + j]);\n");
        }
        walk += "    }\n    if (rank > 0u) {\n        let c = i32(rem);\n";
        for q in 0..ops {
            walk += &format!("        o{q} = o{q} + c * bitcast<i32>(md[SHAPE + rank + {q}u * (rank + 1u) + 1u]);\n");
        }
        walk += "    }\n";
        s += &format!(
            "    if (idx >= n) {{ return; }}
{walk}    {{
{}        {}    }}
}}
",
            lines(Read::Strided, "idx"),
            store(p.dtype(), &format!("x{last}"), "u32(o0)")
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::elementwise::{BinaryOp, BitOp, CmpOp, FloatBinaryOp, FloatOp, IsOp, UnaryOp};

    fn validate(k: &KernelKey) {
        let src = source(k);
        crate::device::gpu::validate_wgsl(&src)
            .unwrap_or_else(|e| panic!("{e}\n--- program {:?}\n{src}", k.prog));
    }

    /// Every variant and binding pattern of a program is valid WGSL.
    fn all_variants(p: &Program) {
        let n_inputs = p
            .nodes
            .iter()
            .filter(|n| matches!(n.op, Op::Input(_)))
            .count();
        let ops = n_inputs + 1;
        for vec4 in [false, true] {
            for zero_off in [false, true] {
                // All in distinct buffers, or every input in the output's.
                for shared in [false, true] {
                    let binding = (0..ops).map(|i| if shared { 0 } else { i as u8 }).collect();
                    validate(&KernelKey {
                        prog: p.clone(),
                        binding,
                        uniform: (0..n_inputs).map(|i| i == 1).collect(),
                        vec4: vec4 && !p.scalar_only(),
                        zero_off,
                        // The owner variant stands in for vec4 where it applies.
                        owner: vec4 && owner_applies(p),
                        wg: 256,
                    });
                }
            }
        }
    }

    fn prog(leaves: &[(Op, DType)], op: Op, d: DType) -> Program {
        let mut p = Program::default();
        for &(o, t) in leaves {
            p.push(o, t);
        }
        p.push(op, d);
        p
    }

    /// `take`'s program: an index (wrapped when negative) and a gather.
    #[test]
    fn gather_generates_valid_wgsl() {
        for d in [DType::F32, DType::I32, DType::U32, DType::Bool] {
            let mut p = Program::default();
            let i = p.push(Op::Input(1), DType::I32);
            let st = p.push(Op::Scalar(0), DType::I32);
            p.push(Op::Gather(0, i, st), d);
            assert!(p.scalar_only() && p.gathers());
            for shared in [false, true] {
                validate(&KernelKey {
                    prog: p.clone(),
                    binding: vec![0, if shared { 0 } else { 1 }, 2],
                    uniform: vec![false, false],
                    vec4: false,
                    zero_off: false,
                    owner: false,
                    wg: 256,
                });
            }
        }
    }

    #[test]
    fn every_op_generates_valid_wgsl() {
        let all = [
            DType::F32,
            DType::I32,
            DType::U32,
            DType::F16,
            DType::U8,
            DType::I64,
        ];
        for d in all {
            let pairs = [
                [(Op::Input(0), d), (Op::Input(1), d)],
                [(Op::Input(0), d), (Op::Scalar(0), d)],
                [(Op::Scalar(0), d), (Op::Input(0), d)],
            ];
            for leaves in &pairs {
                for op in BinaryOp::ALL {
                    all_variants(&prog(leaves, Op::Binary(op, 0, 1), d));
                }
                for c in [
                    CmpOp::Eq,
                    CmpOp::Ne,
                    CmpOp::Lt,
                    CmpOp::Le,
                    CmpOp::Gt,
                    CmpOp::Ge,
                ] {
                    all_variants(&prog(leaves, Op::Cmp(c, 0, 1), DType::Bool));
                }
                if !d.is_float() {
                    for b in [
                        BitOp::And,
                        BitOp::Or,
                        BitOp::Xor,
                        BitOp::LeftShift,
                        BitOp::RightShift,
                    ] {
                        all_variants(&prog(leaves, Op::Bit(b, 0, 1), d));
                    }
                }
            }
            if !d.is_float() {
                all_variants(&prog(&[(Op::Input(0), d)], Op::Not(0), d));
            }
            for u in [
                UnaryOp::Neg,
                UnaryOp::Abs,
                UnaryOp::Relu,
                UnaryOp::Sign,
                UnaryOp::Square,
            ] {
                all_variants(&prog(&[(Op::Input(0), d)], Op::Unary(u, 0), d));
            }
            let sel = [
                (Op::Input(0), DType::Bool),
                (Op::Input(1), d),
                (Op::Input(2), d),
            ];
            all_variants(&prog(&sel, Op::Select(0, 1, 2), d));
            let clip = [(Op::Input(0), d), (Op::Scalar(0), d), (Op::Scalar(1), d)];
            all_variants(&prog(&clip, Op::Clip(0, 1, 2), d));
            for to in all.into_iter().chain([DType::Bool]) {
                all_variants(&prog(&[(Op::Input(0), d)], Op::Cast(0), to));
                all_variants(&prog(&[(Op::Input(0), DType::Bool)], Op::Cast(0), to));
            }
            // fill, assign, iota
            all_variants(&prog(&[], Op::Scalar(0), d));
            all_variants(&prog(&[], Op::Input(0), d));
            let mut p = Program::default();
            let (a, b) = (p.push(Op::Scalar(0), d), p.push(Op::Scalar(1), d));
            let i = p.push(Op::Index, DType::U32);
            let fi = p.push(Op::Cast(i), d);
            let m = p.push(Op::Binary(BinaryOp::Mul, fi, b), d);
            p.push(Op::Binary(BinaryOp::Add, a, m), d);
            all_variants(&p);
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
            FloatOp::Tan,
            FloatOp::Asin,
            FloatOp::Acos,
            FloatOp::Atan,
            FloatOp::Sinh,
            FloatOp::Cosh,
            FloatOp::Asinh,
            FloatOp::Acosh,
            FloatOp::Atanh,
            FloatOp::Log1p,
            FloatOp::Expm1,
            FloatOp::Log2,
            FloatOp::Log10,
            FloatOp::Exp2,
            FloatOp::Trunc,
            FloatOp::Reciprocal,
        ] {
            for d in [DType::F32, DType::F16] {
                all_variants(&prog(&[(Op::Input(0), d)], Op::Float(f, 0), d));
            }
        }
        let ff = [(Op::Input(0), DType::F32), (Op::Input(1), DType::F32)];
        for op in [
            FloatBinaryOp::Atan2,
            FloatBinaryOp::Hypot,
            FloatBinaryOp::Copysign,
            FloatBinaryOp::FloorDivide,
        ] {
            all_variants(&prog(&ff, Op::FBinary(op, 0, 1), DType::F32));
        }
        for op in [IsOp::Nan, IsOp::Inf, IsOp::Finite] {
            all_variants(&prog(&ff[..1], Op::Is(op, 0), DType::Bool));
        }
        let bb = [(Op::Input(0), DType::Bool), (Op::Input(1), DType::Bool)];
        for b in [BitOp::And, BitOp::Or, BitOp::Xor] {
            all_variants(&prog(&bb, Op::Bit(b, 0, 1), DType::Bool));
        }
        all_variants(&prog(&bb[..1], Op::Not(0), DType::Bool));
        for d in [
            DType::F32,
            DType::I32,
            DType::U32,
            DType::Bool,
            DType::F16,
            DType::U8,
        ] {
            all_variants(&prog(&[(Op::Input(0), d)], Op::Key(0), DType::U32));
        }
        // A fused chain: (a * 2 + b) * c, with a cast and a select.
        let f = DType::F32;
        let mut p = Program::default();
        let a = p.push(Op::Input(0), f);
        let two = p.push(Op::Scalar(0), f);
        let b = p.push(Op::Input(1), f);
        let c = p.push(Op::Input(2), f);
        let m = p.push(Op::Binary(BinaryOp::Mul, a, two), f);
        let s = p.push(Op::Binary(BinaryOp::Add, m, b), f);
        let y = p.push(Op::Binary(BinaryOp::Mul, s, c), f);
        let g = p.push(Op::Cmp(CmpOp::Gt, y, two), DType::Bool);
        let i = p.push(Op::Cast(y), DType::I32);
        let back = p.push(Op::Cast(i), f);
        p.push(Op::Select(g, back, y), f);
        all_variants(&p);
    }
}
