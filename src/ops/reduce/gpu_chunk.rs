//! The GPU kernel for reductions over short axes of a contiguous block:
//! `(n, 8).min(1)`, `(n, 8, 2).sum(2)`, `(n, 8, 2).var(1)`. The input, in
//! canonical order `[A kept]?, [R reduced], [K kept]?`, is one contiguous run
//! of `A * R * K` elements; each invocation reads `P` neighbouring slabs of
//! `R x K` elements (as `vec4` loads where the run starts on a multiple of
//! 4) and writes their `P * K` outputs. The source is generated per
//! `(R, K, P)`, every loop unrolled: llvmpipe runs one invocation per SIMD
//! lane, and what an invocation costs beyond its loads (the index
//! arithmetic, the loop, the metadata reads) is what made one invocation
//! per two-element row 3-4x slower than `copy()`. `var` takes each
//! output's mean and then its squared deviations in the same invocation.
//!
//! Metadata words: `A` (slabs), the run's first element, var's divisor (f32
//! bits).

use super::Red;
use crate::element::DType;

/// Elements one invocation reads, at most.
pub(crate) const CHUNK_MAX: usize = 64;

/// What the kernel computes per output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkOp {
    Red(Red),
    Mean,
    Var,
}

/// Slabs per invocation for slabs of `rk` elements: 16 elements an
/// invocation where slabs are that short.
pub(crate) fn per_invocation(rk: usize) -> usize {
    (16 / rk).max(1)
}

/// WGSL for `op` over `(R, K)` slabs, `p` per invocation; `vec4`: the run
/// starts on a multiple of 4 elements and `p * r * k` is one too.
pub(crate) fn source(op: ChunkOp, d: DType, r: usize, k: usize, p: usize, vec4: bool) -> String {
    let t = d.wgsl().unwrap_or("f32");
    let red = match op {
        ChunkOp::Red(red) => red,
        ChunkOp::Mean | ChunkOp::Var => Red::Sum,
    };
    let (_, comb, take) = red.wgsl(d);
    let c = p * r * k;
    let mut s = String::new();
    s += "@group(0) @binding(0) var<storage, read> md: array<u32>;\n";
    s += "@group(0) @binding(1) var<storage, read_write> out: array<u32>;\n";
    s += &format!(
        "@group(0) @binding(2) var<storage, read> src: array<{}>;\n",
        if vec4 { "vec4<u32>" } else { "u32" }
    );
    s += "fn nan_s(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }\n";
    s += &format!("fn comb(a: {t}, b: {t}) -> {t} {{ return {comb}; }}\n");
    s += &format!("fn take(av: {t}, ai: u32, bv: {t}, bi: u32) -> bool {{ return {take}; }}\n");
    s += "@compute @workgroup_size(256)\n";
    s += "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n";
    s += "    let g = gid.x + gid.y * nwg.x * 256u;\n";
    s += "    let A = md[0];\n";
    s += &format!("    if (g * {p}u >= A) {{ return; }}\n");
    // The loads: e0 .. e{c-1}. Past the run's end (the last invocation's
    // tail) they read whatever the bounds policy gives; nothing stored uses them.
    if vec4 {
        s += &format!("    let b = md[1] / 4u + g * {}u;\n", c / 4);
        for q in 0..c / 4 {
            s += &format!("    let w{q} = src[b + {q}u];\n");
            for (l, f) in ["x", "y", "z", "w"].iter().enumerate() {
                s += &format!("    let e{} = bitcast<{t}>(w{q}.{f});\n", 4 * q + l);
            }
        }
    } else {
        s += &format!("    let b = md[1] + g * {c}u;\n");
        for q in 0..c {
            s += &format!("    let e{q} = bitcast<{t}>(src[b + {q}u]);\n");
        }
    }
    let e = |pp: usize, rr: usize, j: usize| format!("e{}", pp * r * k + rr * k + j);
    for pp in 0..p {
        s += &format!("    if (g * {p}u + {pp}u < A) {{\n");
        for j in 0..k {
            let o = format!("(g * {p}u + {pp}u) * {k}u + {j}u");
            match op {
                ChunkOp::Red(red) if red.is_arg() => {
                    s += &format!(
                        "        var bv{j} = {};\n        var bi{j} = 0u;\n",
                        e(pp, 0, j)
                    );
                    for rr in 1..r {
                        s += &format!(
                            "        if (take(bv{j}, bi{j}, {v}, {rr}u)) {{ bv{j} = {v}; bi{j} = {rr}u; }}\n",
                            v = e(pp, rr, j)
                        );
                    }
                    s += &format!("        out[{o}] = bi{j};\n");
                }
                _ => {
                    s += &format!("        var a{j} = {};\n", e(pp, 0, j));
                    for rr in 1..r {
                        s += &format!("        a{j} = comb(a{j}, {});\n", e(pp, rr, j));
                    }
                    match op {
                        ChunkOp::Mean => {
                            s += &format!("        a{j} = a{j} / bitcast<{t}>(md[2]);\n")
                        }
                        ChunkOp::Var => {
                            s += &format!("        let m{j} = a{j} / {t}({r});\n");
                            s += &format!(
                                "        var q{j} = ({v} - m{j}) * ({v} - m{j});\n",
                                v = e(pp, 0, j)
                            );
                            for rr in 1..r {
                                s += &format!(
                                    "        q{j} = q{j} + ({v} - m{j}) * ({v} - m{j});\n",
                                    v = e(pp, rr, j)
                                );
                            }
                            s += &format!("        a{j} = q{j} / bitcast<{t}>(md[2]);\n");
                        }
                        ChunkOp::Red(_) => {}
                    }
                    s += &format!("        out[{o}] = bitcast<u32>(a{j});\n");
                }
            }
        }
        s += "    }\n";
    }
    s += "}\n";
    s
}

/// Elements one invocation of the segment kernel reads (64 `vec4`s).
pub(crate) const SEG: usize = 256;

/// The md, output and input bindings every kernel here declares.
const BINDINGS: &str = "@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> src: array<vec4<u32>>;
";

/// NaN lanes of a vec4, on the bits (shader compilers may fold `x != x`).
const NAN_V: &str = "fn nan_v(x: vec4<f32>) -> vec4<bool> { return (bitcast<vec4<u32>>(x) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u); }\n";

/// The segment kernels' entry: invocation `g` takes segment `seg` of slab
/// `a` (of `A`, `T` segments each), the vec4 range `start..end`.
fn seg_main() -> String {
    format!(
        "@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {{
    let g = gid.x + gid.y * nwg.x * 256u;
    let T = md[3];
    let A = md[0];
    if (g >= A * T) {{ return; }}
    let a = g / T;
    let seg = g % T;
    let slab = (md[1] + a * md[2]) / 4u;
    let start = slab + seg * {q}u;
    let end = min(slab + md[2] / 4u, start + {q}u);
",
        q = SEG / 4
    )
}

/// WGSL of the first pass over long slabs (`R * K` elements each, `K` a
/// power of two up to 16, every slab starting on a multiple of 4): each
/// invocation folds one segment of [`SEG`] elements of one slab into `K`
/// partials with `vec4` lanes (lane `l` of a `vec4` is column `l % K` when
/// `K <= 4`; wider rows take `K / 4` `vec4`s), written at `(slab, segment)`;
/// a reduction over the segments finishes. `red` is a value reduction or
/// [`Red::SqDev`] (deviations from the means in binding 3, one per output).
///
/// Metadata words: `A` slabs, the run's first element, `R * K`, segments
/// per slab.
pub(crate) fn seg_source(red: Red, d: DType, k: usize) -> String {
    let t = d.wgsl().unwrap_or("f32");
    let (ident, _, _) = red.wgsl(d);
    let comb = match (red, d) {
        (Red::Max, DType::F32) => "select(select(max(a, b), b, nan_v(b)), a, nan_v(a))",
        (Red::Min, DType::F32) => "select(select(min(a, b), b, nan_v(b)), a, nan_v(a))",
        (Red::Max, _) => "max(a, b)",
        (Red::Min, _) => "min(a, b)",
        (Red::Prod, _) => "a * b",
        _ => "a + b",
    };
    let nv = (k / 4).max(1);
    let mut s = String::new();
    s += BINDINGS;
    if red == Red::SqDev {
        s += "@group(0) @binding(3) var<storage, read> mn: array<u32>;\n";
    }
    s += NAN_V;
    s += &format!("fn comb(a: vec4<{t}>, b: vec4<{t}>) -> vec4<{t}> {{ return {comb}; }}\n");
    s += &seg_main();
    for q in 0..nv {
        s += &format!("    var acc{q} = vec4<{t}>({ident});\n");
        if red == Red::SqDev {
            let lane = |l: usize| format!("bitcast<{t}>(mn[a * {k}u + {}u])", (4 * q + l) % k);
            s += &format!(
                "    let m{q} = vec4<{t}>({}, {}, {}, {});\n",
                lane(0),
                lane(1),
                lane(2),
                lane(3)
            );
        }
    }
    s += &format!("    for (var v = start; v < end; v = v + {nv}u) {{\n");
    for q in 0..nv {
        s += &format!("        let x{q} = bitcast<vec4<{t}>>(src[v + {q}u]);\n");
        if red == Red::SqDev {
            s += &format!("        acc{q} = acc{q} + (x{q} - m{q}) * (x{q} - m{q});\n");
        } else {
            s += &format!("        acc{q} = comb(acc{q}, x{q});\n");
        }
    }
    s += "    }\n";
    let cols: Vec<String> = match k {
        1 => vec![
            "comb(comb(vec4(acc0.x), vec4(acc0.y)), comb(vec4(acc0.z), vec4(acc0.w))).x".into(),
        ],
        2 => vec![
            "comb(vec4(acc0.x), vec4(acc0.z)).x".into(),
            "comb(vec4(acc0.y), vec4(acc0.w)).x".into(),
        ],
        _ => (0..k)
            .map(|j| format!("acc{}.{}", j / 4, ["x", "y", "z", "w"][j % 4]))
            .collect(),
    };
    for (j, c) in cols.iter().enumerate() {
        s += &format!("    out[g * {k}u + {j}u] = bitcast<u32>({c});\n");
    }
    s += "}\n";
    s
}

/// The column sums of `vec4` accumulators `acc0 ..` (named `v`) for `K`
/// columns laid out as in [`seg_source`].
fn lane_sums(v: &str, k: usize) -> Vec<String> {
    match k {
        1 => vec![format!("(({v}0.x + {v}0.y) + ({v}0.z + {v}0.w))")],
        2 => vec![format!("({v}0.x + {v}0.z)"), format!("({v}0.y + {v}0.w)")],
        _ => (0..k)
            .map(|j| format!("{v}{}.{}", j / 4, ["x", "y", "z", "w"][j % 4]))
            .collect(),
    }
}

/// WGSL of `var`'s first pass over long slabs, laid out as for
/// [`seg_source`] (f32): each invocation sums its segment, shifted by each
/// column's first element in the slab, takes each column's segment mean, then re-reads the segment (in cache) for the
/// squared deviations from it, corrected by the deviations' own sum
/// (`M2 = sum d^2 - (sum d)^2 / n`, the corrected two-pass formula). It
/// writes the `A * T * K` (shifted) segment means and then the `A * T * K` segment
/// `M2`s, both in `(slab, segment, column)` order; [`seg_var_final_source`]
/// merges them. A segment holds `SEG / K` rows, the last what is left.
///
/// Metadata words: as [`seg_source`].
pub(crate) fn seg_var_source(k: usize) -> String {
    let nv = (k / 4).max(1);
    let mut s = String::new();
    s += BINDINGS;
    s += &seg_main();
    // Rows of each column in this segment (K a power of two).
    s += &format!("    let cnt = f32((end - start) * 4u / {k}u);\n");
    // Every column is shifted by its slab's first row, so that the means
    // the merge subtracts are small (a mean of 1e4 in f32 is off by up to
    // half an ulp, 5e-4, which swamps the differences between segments).
    let f = ["x", "y", "z", "w"];
    for q in 0..nv {
        let lane = |l: usize| {
            let j = (4 * q + l) % k;
            format!("bitcast<f32>(src[slab + {}u].{})", j / 4, f[j % 4])
        };
        s += &format!(
            "    let sv{q} = vec4<f32>({}, {}, {}, {});\n",
            lane(0),
            lane(1),
            lane(2),
            lane(3)
        );
        s += &format!("    var acc{q} = vec4<f32>(0.0);\n");
    }
    s += &format!("    for (var v = start; v < end; v = v + {nv}u) {{\n");
    for q in 0..nv {
        s += &format!("        acc{q} = acc{q} + (bitcast<vec4<f32>>(src[v + {q}u]) - sv{q});\n");
    }
    s += "    }\n";
    for (j, c) in lane_sums("acc", k).iter().enumerate() {
        s += &format!("    let m{j} = {c} / cnt;\n");
    }
    for q in 0..nv {
        let lane = |l: usize| format!("m{}", (4 * q + l) % k);
        s += &format!(
            "    let mv{q} = vec4<f32>({}, {}, {}, {});\n",
            lane(0),
            lane(1),
            lane(2),
            lane(3)
        );
        s += &format!("    var dd{q} = vec4<f32>(0.0);\n    var ds{q} = vec4<f32>(0.0);\n");
    }
    s += &format!("    for (var v = start; v < end; v = v + {nv}u) {{\n");
    for q in 0..nv {
        s += &format!("        let y{q} = (bitcast<vec4<f32>>(src[v + {q}u]) - sv{q}) - mv{q};\n");
        s += &format!("        dd{q} = dd{q} + y{q} * y{q};\n        ds{q} = ds{q} + y{q};\n");
    }
    s += "    }\n";
    s += "    let H = md[0] * T * ";
    s += &format!("{k}u;\n");
    let dd = lane_sums("dd", k);
    let ds = lane_sums("ds", k);
    for j in 0..k {
        s += &format!("    let s{j} = {};\n", ds[j]);
        s += &format!("    out[g * {k}u + {j}u] = bitcast<u32>(m{j} + s{j} / cnt);\n");
        s += &format!(
            "    out[H + g * {k}u + {j}u] = bitcast<u32>(max({} - s{j} * s{j} / cnt, 0.0));\n",
            dd[j]
        );
    }
    s += "}\n";
    s
}

/// WGSL of `var`'s second pass over the partials of [`seg_var_source`]:
/// one invocation per output merges its `T` segments' `(count, mean, M2)`
/// exactly (Chan, Golub and LeVeque's pairwise update: `M2 = M2a + M2b +
/// d^2 na nb / n`), in blocks of 32 segments merged into the total (so
/// rounding grows with `sqrt(T)`-ish depth, not `T`), and divides `M2`
/// by the divisor.
///
/// Metadata words: outputs `M = A * K`, `T`, `K`, rows per full segment,
/// rows `R`, the divisor (f32 bits).
pub(crate) fn seg_var_final_source() -> String {
    let mut s = String::new();
    s += "@group(0) @binding(0) var<storage, read> md: array<u32>;\n";
    s += "@group(0) @binding(1) var<storage, read_write> out: array<u32>;\n";
    s += "@group(0) @binding(2) var<storage, read> parts: array<u32>;\n";
    s += "fn merge(a: vec3<f32>, b: vec3<f32>) -> vec3<f32> {\n";
    s += "    let n = a.x + b.x;\n";
    s += "    let d = b.y - a.y;\n";
    s += "    let f = b.x / n;\n";
    s += "    return vec3<f32>(n, a.y + d * f, a.z + b.z + d * d * a.x * f);\n";
    s += "}\n";
    s += "@compute @workgroup_size(256)\n";
    s += "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n";
    s += "    let g = gid.x + gid.y * nwg.x * 256u;\n";
    s += "    let M = md[0];\n";
    s += "    if (g >= M) { return; }\n";
    s += "    let T = md[1];\n";
    s += "    let K = md[2];\n";
    s += "    let full = md[3];\n";
    s += "    let R = md[4];\n";
    s += "    let base = (g / K) * T * K + g % K;\n";
    s += "    let H = M * T;\n";
    s += "    var tot = vec3<f32>(0.0);\n";
    s += "    for (var b = 0u; b < T; b = b + 32u) {\n";
    s += "        let e = min(b + 32u, T);\n";
    s += "        var blk = vec3<f32>(0.0);\n";
    s += "        for (var t = b; t < e; t = t + 1u) {\n";
    s += "            let i = base + t * K;\n";
    s += "            let n = f32(min(full, R - t * full));\n";
    s += "            blk = merge(blk, vec3<f32>(n, bitcast<f32>(parts[i]), bitcast<f32>(parts[H + i])));\n";
    s += "        }\n";
    s += "        tot = merge(tot, blk);\n";
    s += "    }\n";
    s += "    out[g] = bitcast<u32>(tot.z / bitcast<f32>(md[5]));\n";
    s += "}\n";
    s
}

/// WGSL of the first pass of `argmax`/`argmin` over long slabs, laid out
/// as for [`seg_source`]: each invocation keeps, per `vec4` lane, the best
/// value and its row (a later row replaces only when strictly better, or
/// when it is a NaN and the best is not: rows only grow along a lane, so
/// the first index wins ties), then merges the lanes of each column with
/// the index tie-break. It writes the `A * K * T` partial values (bits) and
/// then the `A * K * T` partial rows, both in `(slab, column, segment)`
/// order, so the second pass reduces rows of `T` partials.
///
/// Metadata words: as [`seg_source`].
pub(crate) fn seg_arg_source(red: Red, d: DType, k: usize) -> String {
    let t = d.wgsl().unwrap_or("f32");
    let (_, _, take) = red.wgsl(d);
    let lt = if red == Red::ArgMax { ">" } else { "<" };
    // Strictly better along a lane (the later row never wins a tie).
    let beats = if d == DType::F32 {
        format!("((b {lt} a) | nan_v(b)) & !nan_v(a)")
    } else {
        format!("b {lt} a")
    };
    let nv = (k / 4).max(1);
    let mut s = String::new();
    s += BINDINGS;
    s += "fn nan_s(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }\n";
    s += NAN_V;
    s += &format!("fn beats(a: vec4<{t}>, b: vec4<{t}>) -> vec4<bool> {{ return {beats}; }}\n");
    s += &format!("fn take(av: {t}, ai: u32, bv: {t}, bi: u32) -> bool {{ return {take}; }}\n");
    s += &seg_main();
    // The row of each lane of the vec4 at `v`, and its step per iteration.
    let (lane_rows, row_of) = match k {
        1 => ("vec4<u32>(0u, 1u, 2u, 3u)", "(V - slab) * 4u".to_string()),
        2 => ("vec4<u32>(0u, 0u, 1u, 1u)", "(V - slab) * 2u".to_string()),
        // K / 4 vec4s per row: a power of two, so the division is a shift.
        _ => (
            "vec4<u32>(0u)",
            format!("(V - slab) >> {}u", nv.trailing_zeros()),
        ),
    };
    for q in 0..nv {
        s += &format!("    var bv{q} = bitcast<vec4<{t}>>(src[start + {q}u]);\n");
        s += &format!(
            "    var bi{q} = vec4<u32>({}) + {lane_rows};\n",
            row_of.replace('V', "start")
        );
    }
    s += &format!("    for (var v = start + {nv}u; v < end; v = v + {nv}u) {{\n");
    s += &format!(
        "        let r = vec4<u32>({}) + {lane_rows};\n",
        row_of.replace('V', "v")
    );
    for q in 0..nv {
        s += &format!("        let x{q} = bitcast<vec4<{t}>>(src[v + {q}u]);\n");
        s += &format!("        let t{q} = beats(bv{q}, x{q});\n");
        s += &format!("        bv{q} = select(bv{q}, x{q}, t{q});\n");
        s += &format!("        bi{q} = select(bi{q}, r, t{q});\n");
    }
    s += "    }\n";
    // Lanes of each column: (vec4 q, lane) pairs, merged in any order
    // (take breaks ties by index).
    let f = ["x", "y", "z", "w"];
    let lanes_of = |j: usize| -> Vec<(usize, usize)> {
        match k {
            1 => (0..4).map(|l| (0, l)).collect(),
            2 => vec![(0, j), (0, j + 2)],
            _ => vec![(j / 4, j % 4)],
        }
    };
    s += &format!("    let M = A * {k}u;\n");
    for j in 0..k {
        let ls = lanes_of(j);
        let (q0, l0) = ls[0];
        s += &format!(
            "    var cv{j} = bv{q0}.{};\n    var ci{j} = bi{q0}.{};\n",
            f[l0], f[l0]
        );
        for &(q, l) in &ls[1..] {
            s += &format!(
                "    if (take(cv{j}, ci{j}, bv{q}.{f}, bi{q}.{f})) {{ cv{j} = bv{q}.{f}; ci{j} = bi{q}.{f}; }}\n",
                f = f[l]
            );
        }
        s += &format!("    let o{j} = (a * {k}u + {j}u) * T + seg;\n");
        s += &format!("    out[o{j}] = bitcast<u32>(cv{j});\n");
        s += &format!("    out[M * T + o{j}] = ci{j};\n");
    }
    s += "}\n";
    s
}

/// WGSL of `mean` or `var` over an outer axis of long contiguous rows
/// (`(8, n).var(0)`): canonically `[A kept]?, [R reduced], [C kept]` with
/// `C` a multiple of 4 and every row starting on a multiple of 4. Each
/// invocation walks `R` rows of 4 neighbouring columns as `vec4` loads (a
/// quarter of the invocations and loads of the one-output walk) and, for
/// `var`, walks them again for the squared deviations while they are in
/// cache, dividing by the divisor in the metadata.
///
/// Metadata words: `A`, `C / 4`, `R`, the first element / 4, the slab
/// stride / 4, the row stride / 4, the divisor (f32 bits).
pub(crate) fn cols4_source(var: bool) -> String {
    let mut s = String::new();
    s += BINDINGS;
    s += "@compute @workgroup_size(256)\n";
    s += "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n";
    s += "    let g = gid.x + gid.y * nwg.x * 256u;\n";
    s += "    let C4 = md[1];\n";
    s += "    if (g >= md[0] * C4) { return; }\n";
    s += "    let R = md[2];\n";
    s += "    let st = md[5];\n";
    s += "    let b = md[3] + (g / C4) * md[4] + g % C4;\n";
    s += "    var acc = vec4<f32>(0.0);\n";
    s += "    for (var r = 0u; r < R; r = r + 1u) {\n";
    s += "        acc = acc + bitcast<vec4<f32>>(src[b + r * st]);\n";
    s += "    }\n";
    s += "    let mu = acc / f32(R);\n";
    s += "    var res = mu;\n";
    if var {
        s += "    var q = vec4<f32>(0.0);\n";
        s += "    for (var r = 0u; r < R; r = r + 1u) {\n";
        s += "        let d = bitcast<vec4<f32>>(src[b + r * st]) - mu;\n";
        s += "        q = q + d * d;\n";
        s += "    }\n";
        s += "    res = q / bitcast<f32>(md[6]);\n";
    }
    s += "    let o = bitcast<vec4<u32>>(res);\n";
    s += "    out[4u * g] = o.x;\n";
    s += "    out[4u * g + 1u] = o.y;\n";
    s += "    out[4u * g + 2u] = o.z;\n";
    s += "    out[4u * g + 3u] = o.w;\n";
    s += "}\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_wgsl_validates() {
        crate::device::gpu::validate_wgsl(&seg_var_final_source())
            .unwrap_or_else(|e| panic!("seg var final: {e}"));
        for k in [1, 2, 4, 8, 16] {
            crate::device::gpu::validate_wgsl(&seg_var_source(k))
                .unwrap_or_else(|e| panic!("seg var {k}: {e}"));
        }
        for var in [false, true] {
            crate::device::gpu::validate_wgsl(&cols4_source(var))
                .unwrap_or_else(|e| panic!("cols4 {var}: {e}"));
        }
        let ops = [
            ChunkOp::Red(Red::Sum),
            ChunkOp::Red(Red::Prod),
            ChunkOp::Red(Red::Max),
            ChunkOp::Red(Red::Min),
            ChunkOp::Red(Red::ArgMax),
            ChunkOp::Red(Red::ArgMin),
            ChunkOp::Mean,
            ChunkOp::Var,
        ];
        for op in ops {
            for d in [DType::F32, DType::I32, DType::U32] {
                if matches!(op, ChunkOp::Mean | ChunkOp::Var) && d != DType::F32 {
                    continue;
                }
                if let ChunkOp::Red(red) = op {
                    for k in [1, 2, 4, 8, 16] {
                        if red.is_arg() {
                            crate::device::gpu::validate_wgsl(&seg_arg_source(red, d, k))
                                .unwrap_or_else(|e| panic!("seg {red:?} {d:?} {k}: {e}"));
                            continue;
                        }
                        for red in [red, Red::SqDev] {
                            if red == Red::SqDev && d != DType::F32 {
                                continue;
                            }
                            crate::device::gpu::validate_wgsl(&seg_source(red, d, k))
                                .unwrap_or_else(|e| panic!("seg {red:?} {d:?} {k}: {e}"));
                        }
                    }
                }
                for (r, k) in [(2, 1), (8, 1), (16, 1), (8, 2), (3, 5), (2, 16)] {
                    let p = per_invocation(r * k);
                    for vec4 in [false, (p * r * k).is_multiple_of(4)] {
                        crate::device::gpu::validate_wgsl(&source(op, d, r, k, p, vec4))
                            .unwrap_or_else(|e| panic!("{op:?} {d:?} {r}x{k}: {e}"));
                    }
                }
            }
        }
    }
}
