// The column variant of src/ops/reduce.rs (after shaders/reduce.wgsl): one
// invocation per output, walking its R elements serially. For reductions
// over outer axes (`sum(axis=0)`), neighbouring invocations read
// neighbouring elements at every step, where the tree variant would walk a
// strided column per workgroup. The sum is serial, as NumPy's is along
// non-contiguous axes.

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let M = md[0];
    let R = md[1];
    let m = gid.x + gid.y * nwg.x * 256u;
    if (m >= M) { return; }
    let base = i32(kept_offset(m));
    var acc: {T} = {IDENT};
    if (md[6] == 1u) {
        // One reduced axis: step by its stride, no divisions.
        let st = bitcast<i32>(md[10u + 2u * md[5]]);
        for (var j = 0u; j < R; j = j + 1u) {
            acc = comb(acc, bitcast<{T}>(src[u32(base + i32(j) * st)]));
        }
    } else {
        for (var j = 0u; j < R; j = j + 1u) {
            acc = comb(acc, bitcast<{T}>(src[u32(base + red_offset(j))]));
        }
    }
    out[m] = bitcast<u32>(acc);
}
