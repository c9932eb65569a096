// The serial variant of src/ops/reduce.rs (after shaders/reduce.wgsl): one
// invocation per output, walking its R elements in order. For reductions
// over outer axes (`sum(axis=0)`), neighbouring invocations read
// neighbouring elements at every step, where the tree variant would walk a
// strided column per workgroup; for many short rows (`(n, 8).min(1)`) it
// spends no workgroup on a row of eight. The sum is serial, as NumPy's is
// along non-contiguous axes. argmin/argmax keep the first index: indices
// only grow, so a tie never replaces.

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let M = md[0];
    let R = md[1];
    let m = gid.x + gid.y * nwg.x * 256u;
    if (m >= M) { return; }
    let base = i32(kept_offset(m));
    var acc: {T} = {IDENT};
    var ai = 0xffffffffu;
    if (md[6] == 1u) {
        // One reduced axis: step by its stride, no divisions. (A separate
        // loop: a branch inside it keeps llvmpipe from streamlining it.)
        let st = bitcast<i32>(md[10u + 2u * md[5]]);
        for (var j = 0u; j < R; j = j + 1u) {
            let v = bitcast<{T}>(src[u32(base + i32(j) * st)]);
            if ({ARG}) {
                // The second pass of a segmented argmin/argmax reads each
                // partial's index from the second half of the partials.
                // ({FROMIDX}: a constant, so the plain walk keeps its loop
                // free of branches, which llvmpipe needs to streamline it.)
                var idx = j;
                if ({FROMIDX}) {
                    idx = src[md[8] + m * R + j];
                }
                if (take(acc, ai, v, idx)) {
                    acc = v;
                    ai = idx;
                }
            } else {
                acc = comb(acc, pre(v, m));
            }
        }
        if ({VAR}) {
            // var in one invocation: the mean, then the squared deviations
            // (the column is in cache), divided by the divisor after the
            // table (n - ddof, f32 bits).
            let mu = acc / {T}(R);
            var q: {T} = {T}(0);
            for (var j = 0u; j < R; j = j + 1u) {
                let d = bitcast<{T}>(src[u32(base + i32(j) * st)]) - mu;
                q = q + d * d;
            }
            out[m] = bitcast<u32>(q / bitcast<{T}>(md[9u + 2u * (md[5] + md[6])]));
            return;
        }
    } else {
        for (var j = 0u; j < R; j = j + 1u) {
            let v = bitcast<{T}>(src[u32(base + red_offset(j))]);
            if ({ARG}) {
                if (take(acc, ai, v, j)) {
                    acc = v;
                    ai = j;
                }
            } else {
                acc = comb(acc, pre(v, m));
            }
        }
        if ({VAR}) {
            let mu = acc / {T}(R);
            var q: {T} = {T}(0);
            for (var j = 0u; j < R; j = j + 1u) {
                let d = bitcast<{T}>(src[u32(base + red_offset(j))]) - mu;
                q = q + d * d;
            }
            out[m] = bitcast<u32>(q / bitcast<{T}>(md[9u + 2u * (md[5] + md[6])]));
            return;
        }
    }
    if ({ARG}) {
        out[m] = ai;
    } else {
        out[m] = bitcast<u32>(acc);
    }
}
