
// Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC'11), the counter-based generator of src/random.rs, written to give
// the same 32-bit words as its Rust twin. WGSL has no 64-bit product, so
// mulhilo splits the operands into 16-bit halves.
fn h_mulhilo(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xffffu;
    let a1 = a >> 16u;
    let b0 = b & 0xffffu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
    return vec2<u32>(p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u), a * b);
}

// The block for counter ctr and key (k0, k1).
fn h_philox_ctr(ctr: vec4<u32>, k0: u32, k1: u32) -> vec4<u32> {
    var c = ctr;
    var k = vec2<u32>(k0, k1);
    for (var r = 0u; r < 10u; r = r + 1u) {
        if (r > 0u) {
            k = k + vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
        }
        let p0 = h_mulhilo(0xD2511F53u, c.x);
        let p1 = h_mulhilo(0xCD9E8D57u, c.z);
        c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    }
    return c;
}

// The block for counter (blk, 0, 0, 0) and key (k0, k1): stream words 4 blk .. 4 blk + 3.
fn h_philox_block(blk: u32, k0: u32, k1: u32) -> vec4<u32> {
    return h_philox_ctr(vec4<u32>(blk, 0u, 0u, 0u), k0, k1);
}

// Word w of the stream for key k: word w % 4 of the block for counter (w / 4, 0, 0, 0).
fn h_philox(w: u32, k0: u32, k1: u32) -> u32 {
    return h_philox_block(w / 4u, k0, k1)[w % 4u];
}
