// The GPU radix sort's two kernels (src/ops/sort/gpu.rs), over tiles of
// 1024 elements (256 threads x 4). The generator prepends the bindings of
// the kernel it builds and `{MAIN}` names it.
//
// Keys and their source positions share one buffer: keys at 0..n,
// positions at n..2n (a pipeline binds one writable buffer, the first).
//
// Metadata: n, tiles, shift, by_lane, lane length. A pass sorts by the
// 4-bit digit of the key at `shift`, or (by_lane = 1) of the lane number,
// the source position divided by the lane length.

fn digit(k: u32, v: u32) -> u32 {
    if (md[3] == 0u) {
        return (k >> md[2]) & 15u;
    }
    return ((v / md[4]) >> md[2]) & 15u;
}

// 16 counters of 16 bits packed in two vec4s: digit q lives in component
// (q % 8) / 2 of c0 (q < 8) or c1, at bit 16 * (q % 2).
fn counter(c0: vec4<u32>, c1: vec4<u32>, q: u32) -> u32 {
    let v = select(c1, c0, q < 8u);
    return (v[(q % 8u) / 2u] >> (16u * (q % 2u))) & 0xffffu;
}
fn unit(q: u32) -> vec4<u32> {
    return select(vec4<u32>(0u), vec4<u32>(1u << (16u * (q % 2u))), vec4<u32>(0u, 1u, 2u, 3u) == vec4<u32>((q % 8u) / 2u));
}

#ifdef hist
var<workgroup> h: array<atomic<u32>, 16>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = lid.x;
    let w = wid.x + wid.y * nwg.x;
    let n = md[0];
    let tiles = md[1];
    if (t < 16u) {
        atomicStore(&h[t], 0u);
    }
    workgroupBarrier();
    if (w < tiles) {
        for (var i = 0u; i < 4u; i = i + 1u) {
            let e = w * 1024u + t * 4u + i;
            if (e < n) {
                atomicAdd(&h[digit(data[e], data[n + e])], 1u);
            }
        }
    }
    workgroupBarrier();
    if (w < tiles && t < 16u) {
        table[t * tiles + w] = atomicLoad(&h[t]);
    }
}
#endif

#ifdef scatter
var<workgroup> sh: array<vec4<u32>, 512>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = lid.x;
    let w = wid.x + wid.y * nwg.x;
    let n = md[0];
    let tiles = md[1];
    // Each of the thread's 4 elements: its digit (16 = none) and its rank
    // among the thread's earlier elements of that digit.
    var d: array<u32, 4>;
    var r: array<u32, 4>;
    var c0 = vec4<u32>(0u);
    var c1 = vec4<u32>(0u);
    let base = w * 1024u + t * 4u;
    for (var i = 0u; i < 4u; i = i + 1u) {
        let e = base + i;
        d[i] = 16u;
        if (w < tiles && e < n) {
            let q = digit(inp[e], inp[n + e]);
            d[i] = q;
            r[i] = counter(c0, c1, q);
            if (q < 8u) {
                c0 = c0 + unit(q);
            } else {
                c1 = c1 + unit(q);
            }
        }
    }
    // Inclusive scan of the packed counters over the workgroup (Hillis-Steele).
    sh[2u * t] = c0;
    sh[2u * t + 1u] = c1;
    workgroupBarrier();
    for (var off = 1u; off < 256u; off = off * 2u) {
        var a0 = sh[2u * t];
        var a1 = sh[2u * t + 1u];
        if (t >= off) {
            a0 = a0 + sh[2u * (t - off)];
            a1 = a1 + sh[2u * (t - off) + 1u];
        }
        workgroupBarrier();
        sh[2u * t] = a0;
        sh[2u * t + 1u] = a1;
        workgroupBarrier();
    }
    let p0 = sh[2u * t] - c0;
    let p1 = sh[2u * t + 1u] - c1;
    for (var i = 0u; i < 4u; i = i + 1u) {
        let q = d[i];
        if (q < 16u) {
            let e = base + i;
            let pos = starts[q * tiles + w] + counter(p0, p1, q) + r[i];
            outp[pos] = inp[e];
            outp[n + pos] = inp[n + e];
        }
    }
}
#endif
