// Stream compaction after an exclusive scan (src/ops/mask.rs): with sc the
// exclusive scan of the mask's 0/1 words (n + 1 of them, the last the
// count), element g is selected when sc[g + 1] != sc[g], and goes to row
// sc[g] of the result. {MAIN} is
//
// * h_select: out[sc[g]] = a[the address of element g], `a` read in place
//   through its (coalesced) strides: NumPy's a[mask];
// * h_argwhere: out[sc[g] * ndim + d] = the d-th index of element g in C
//   order: NumPy's argwhere, whose columns are nonzero's arrays.
//
// Metadata words:
//
// | word | meaning |
// |---|---|
// | 0 | m, elements of this dispatch |
// | 1 | where the dispatch's element 0 lies in the sc binding |
// | 2 | g0: the C-order index of the dispatch's element 0 |
// | 3 | ndim (h_select: of a's coalesced layout) |
// | 4 | h_select: a's offset in elements |
// | 5 .. 5 + ndim | the shape |
// | 5 + ndim .. | h_select: a's strides (i32 bits) |

@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> sc: array<u32>;
@group(0) @binding(3) var<storage, read> a: array<u32>;

const WG: u32 = 256u;

fn h_select(g: u32, s: u32) {
    let nd = md[3];
    var o = i32(md[4]);
    if (nd == 1u) {
        // One axis (any contiguous or evenly strided array): no division,
        // which llvmpipe runs one lane at a time.
        o = o + i32(g) * bitcast<i32>(md[6]);
    } else {
        var rem = g;
        for (var d = nd; d > 0u; d = d - 1u) {
            let k = d - 1u;
            let n = md[5u + k];
            o = o + i32(rem % n) * bitcast<i32>(md[5u + nd + k]);
            rem = rem / n;
        }
    }
    out[s] = a[u32(o)];
}

fn h_argwhere(g: u32, s: u32) {
    let nd = md[3];
    if (nd == 1u) {
        out[s] = g;
        return;
    }
    var rem = g;
    for (var d = nd; d > 0u; d = d - 1u) {
        let k = d - 1u;
        let n = md[5u + k];
        out[s * nd + k] = rem % n;
        rem = rem / n;
    }
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * WG;
    if (i >= md[0]) {
        return;
    }
    let s = sc[md[1] + i];
    if (sc[md[1] + i + 1u] == s) {
        return;
    }
    {MAIN}(md[2] + i, s);
}
