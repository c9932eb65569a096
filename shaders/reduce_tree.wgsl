// The tree variant of src/ops/reduce.rs (after shaders/reduce.wgsl): G
// workgroups per output, each a tree over its chunk in workgroup memory.

var<workgroup> sv: array<{T}, 256>;
var<workgroup> si: array<u32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let M = md[0];
    let R = md[1];
    let G = md[2];
    let wl = wid.x + wid.y * nwg.x;
    // Whole workgroups past the end leave together: the barriers below stay
    // in uniform control flow.
    if (wl >= M * G) { return; }
    let m = wl / G;
    let g = wl % G;
    let chunk = (R + G - 1u) / G;
    let start = g * chunk;
    let end = min(R, start + chunk);
    let base = kept_offset(m);
    var acc: {T} = {IDENT};
    var ai = 0xffffffffu;
    // {LINEAR}: one output over one contiguous run from element 0, the
    // chunks a fixed size, so addresses come from builtins alone (llvmpipe
    // then loads lanes as vectors).
    if ({LINEAR} && !{ARG}) {
        for (var t = 0u; t < {PER}u; t = t + 1u) {
            let i = wl * WG * {PER}u + t * WG + lid;
            if (i < R) {
                acc = comb(acc, pre(bitcast<{T}>(src[i]), m));
            }
        }
    }
    // A reduced run that is one contiguous axis needs no index arithmetic.
    let contiguous = md[6] == 1u && md[10u + 2u * md[5]] == 1u;
    for (var i = start + lid; i < select(end, start, {LINEAR} && !{ARG}); i = i + WG) {
        var o = base + i;
        if (!contiguous) {
            o = u32(i32(base) + red_offset(i));
        }
        let v = bitcast<{T}>(src[o]);
        if ({ARG}) {
            // A branch, not select(): select would load the index word on
            // the first pass too, an extra read per element.
            var idx = i;
            if (md[3] == 1u) {
                idx = src[md[8] + m * R + i];
            }
            if (take(acc, ai, v, idx)) {
                acc = v;
                ai = idx;
            }
        } else {
            acc = comb(acc, pre(v, m));
        }
    }
    sv[lid] = acc;
    si[lid] = ai;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s >> 1u) {
        if (lid < s) {
            if ({ARG}) {
                if (take(sv[lid], si[lid], sv[lid + s], si[lid + s])) {
                    sv[lid] = sv[lid + s];
                    si[lid] = si[lid + s];
                }
            } else {
                sv[lid] = comb(sv[lid], sv[lid + s]);
            }
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        if (md[4] == 1u) {
            out[m] = si[0];
        } else {
            out[wl] = bitcast<u32>(sv[0]);
            if ({ARG}) {
                out[M * G + wl] = si[0];
            }
        }
    }
}
