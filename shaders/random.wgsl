// Random draws (src/random.rs), one Philox 4x32-10 block per invocation and
// all four of its words used: element e of a draw is word e of the stream,
// so invocation t computes block (offset / 4 + t) and writes the elements of
// its four words that fall inside the draw. {BLOCK} is the block's words
// `w` (for integers, its four finished values); {VALUE} turns lane l of `w`
// into the output's 32 bits. Metadata words:
//
// | word | meaning |
// |---|---|
// | 0 | n, the number of elements |
// | 1 | offset, the stream word of element 0 |
// | 2, 3 | the key (the seed's low and high words) |
// | 4, 5 | two parameters (uniform: lo, hi; normal: mean, std, as f32 bits;
// integers: the range s = high - low and low, as u32) |
// | 6 | integers: the rejection threshold t = 2^32 mod s; else 0 |
//
// The transforms use only + - * / sqrt, floor and bit operations, written
// the same way in Rust, so the CPU backend and any GPU agree to rounding:
// WGSL leaves log, sin and cos to the driver (lavapipe's differ from Rust's
// by more than 1e-6 near their zeros), so h_ln and h_sincospi are ours.

@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

const INV24: f32 = 5.9604645e-8;

// ln(u) for u in (0, 1]: u = m 2^e with m in [sqrt(1/2), sqrt(2)), and
// ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, by its series.
fn h_ln(u: f32) -> f32 {
    let bits = bitcast<u32>(u);
    var e = i32((bits >> 23u) & 0xffu) - 127;
    var m = bitcast<f32>((bits & 0x7fffffu) | 0x3f800000u);
    if (m > 1.4142135) {
        m = m * 0.5;
        e = e + 1;
    }
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let p = 1.0 + z * (0.33333334 + z * (0.2 + z * (0.14285715 + z * 0.11111111)));
    return f32(e) * 0.6931472 + 2.0 * s * p;
}

// (sin(pi t), cos(pi t)) for t in [-1, 1]: the quadrant q = floor(2t + 1/2)
// is split off exactly, leaving x = pi (t - q/2) in [-pi/4, pi/4].
fn h_sincospi(t: f32) -> vec2<f32> {
    let q = floor(2.0 * t + 0.5);
    let x = 3.1415927 * (t - 0.5 * q);
    let z = x * x;
    let s = x * (1.0 + z * (-0.16666667 + z * (0.008333334 + z * (-0.0001984127 + z * 2.7557319e-6))));
    let c = 1.0 + z * (-0.5 + z * (0.041666668 + z * (-0.0013888889 + z * 2.4801588e-5)));
    let k = u32(i32(q) & 3);
    if (k == 0u) {
        return vec2<f32>(s, c);
    } else if (k == 1u) {
        return vec2<f32>(c, -s);
    } else if (k == 2u) {
        return vec2<f32>(-s, -c);
    }
    return vec2<f32>(-c, s);
}

// Box-Muller on words p, p + 1 of w (p = 0 or 2): element p gets r cos,
// element p + 1 gets r sin.
fn h_normal(w: vec4<u32>, l: u32) -> f32 {
    let p = l & 2u;
    let u1 = f32((w[p] >> 8u) + 1u) * INV24;
    let t = 2.0 * (f32(w[p + 1u] >> 8u) * INV24) - 1.0;
    let r = sqrt(-2.0 * h_ln(u1));
    let sc = h_sincospi(t);
    var v = sc.y;
    if ((l & 1u) == 1u) {
        v = sc.x;
    }
    return r * v;
}

// The high and low words of a * b, lane by lane (h_mulhilo on vectors).
struct HiLo4 {
    hi: vec4<u32>,
    lo: vec4<u32>,
}

fn h_mulhilo4(a: vec4<u32>, b: u32) -> HiLo4 {
    let a0 = a & vec4<u32>(0xffffu);
    let a1 = a >> vec4<u32>(16u);
    let b0 = b & 0xffffu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let lo16 = vec4<u32>(0xffffu);
    let s16 = vec4<u32>(16u);
    let mid = (p00 >> s16) + (p01 & lo16) + (p10 & lo16);
    return HiLo4(p11 + (p01 >> s16) + (p10 >> s16) + (mid >> s16), a * b);
}

// Block blk of a draw on [low, low + s), four elements: Lemire's
// multiply-shift, the high word of x * s, rejecting the x whose low word is
// under t = 2^32 mod s, which leaves exactly floor(2^32 / s) words for each
// value, so the draw is unbiased. A rejected lane l takes its attempt k > 0
// from lane l of the block for counter (blk, k, 0, 0): each element retries
// on words of its own, so no element depends on another (a block computed
// once serves every lane still rejecting). After {ATTEMPTS} attempts (each
// rejected with probability t / 2^32 < 1/2, so reaching it has probability
// under 2^-127) the last attempt is kept.
fn h_integers(blk: u32, k0: u32, k1: u32, s: u32, low: u32, t: u32) -> vec4<u32> {
    var m = h_mulhilo4(h_philox_block(blk, k0, k1), s);
    let tv = vec4<u32>(t);
    for (var k = 1u; any(m.lo < tv) && k < {ATTEMPTS}u; k = k + 1u) {
        let r = h_mulhilo4(h_philox_ctr(vec4<u32>(blk, k, 0u, 0u), k0, k1), s);
        let rej = m.lo < tv;
        m = HiLo4(select(m.hi, r.hi, rej), select(m.lo, r.lo, rej));
    }
    return m.hi + vec4<u32>(low);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = gid.x + gid.y * nwg.x * 256u;
    let n = md[0];
    let off = md[1];
    let skip = off % 4u;
    if (t * 4u >= skip + n) { return; }
    let w = {BLOCK};
    let a = bitcast<f32>(md[4]);
    let b = bitcast<f32>(md[5]);
    for (var l = 0u; l < 4u; l = l + 1u) {
        let j = t * 4u + l;
        if (j >= skip && j - skip < n) {
            out[j - skip] = {VALUE};
        }
    }
}
