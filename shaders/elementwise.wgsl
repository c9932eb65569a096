// Shared part of every elementwise kernel. The generator (src/kernel/wgsl.rs)
// prepends the bindings (`md`, the metadata words, and one `array<u32>` or
// `array<vec4<u32>>` per distinct buffer) and `SHAPE`, the word where the
// output shape starts, and appends one function per node and `main`.
//
// Metadata words: n, rank, the first element's index, the scalar slots, the
// output shape, then per operand (output first) its offset and strides (i32
// bits), in elements.

// Offset of operand k's first element (the vec4 variant needs nothing else).
fn off0(k: u32) -> u32 {
    let rank = md[1];
    return md[SHAPE + rank + k * (rank + 1u)];
}

// Helpers named h_*: scalar-only, so a kernel that uses one runs the scalar
// variant. Integer semantics are NumPy's: floor division and Python's modulo,
// both giving 0 for a zero divisor.
fn h_div_i32(a: i32, b: i32) -> i32 {
    if (b == 0) { return 0; }
    if (b == -1) { return 0 - a; }
    let q = a / b;
    let r = a - q * b;
    return select(q, q - 1, r != 0 && ((r < 0) != (b < 0)));
}
fn h_div_u32(a: u32, b: u32) -> u32 {
    return select(a / b, 0u, b == 0u);
}
fn h_rem_i32(a: i32, b: i32) -> i32 {
    if (b == 0 || b == -1) { return 0; }
    let r = a - (a / b) * b;
    return select(r, r + b, r != 0 && ((r < 0) != (b < 0)));
}
fn h_rem_u32(a: u32, b: u32) -> u32 {
    return select(a % b, 0u, b == 0u);
}
fn h_rem_f32(a: f32, b: f32) -> f32 {
    let r = a - b * trunc(a / b);
    return select(r, r + b, r != 0.0 && ((r < 0.0) != (b < 0.0)));
}
fn h_pow_f32(a: f32, b: f32) -> f32 {
    // WGSL's pow is undefined for a < 0; NumPy's is defined for integer b.
    if (b == 0.0) { return 1.0; }
    if (a < 0.0 && b == floor(b)) {
        let m = pow(-a, b);
        return select(m, -m, (i32(abs(b)) & 1) == 1);
    }
    return pow(a, b);
}
fn h_pow_i32(a: i32, b: i32) -> i32 {
    if (b < 0) { return select(0, select(1, select(-1, 1, (b & 1) == 0), a == -1), a == 1 || a == -1); }
    // Wrapping products keep the same low 32 bits signed or unsigned.
    return bitcast<i32>(h_pow_u32(bitcast<u32>(a), u32(b)));
}
// Integer power by squaring, wrapping as NumPy's.
fn h_pow_u32(a: u32, b: u32) -> u32 {
    var r = 1u;
    var base = a;
    var e = b;
    loop {
        if (e == 0u) { break; }
        if ((e & 1u) == 1u) { r = r * base; }
        base = base * base;
        e = e >> 1u;
    }
    return r;
}

// NaN tests on the bits: shader compilers may fold `x != x` to false.
fn nan_s(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}
fn nan_v(x: vec4<f32>) -> vec4<bool> {
    return (bitcast<vec4<u32>>(x) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u);
}
fn inf_s(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u;
}

// Float helpers that keep the digits the plain formulas lose. Near 0 they
// are series: llvmpipe's log and exp have absolute, not relative, accuracy
// there, so Goldberg's and Kahan's corrections do not help.
// log(1 + x) = 2 atanh(s), s = x / (2 + x), |s| < 0.2 for |x| < 0.5.
fn h_log1p(x: f32) -> f32 {
    if (abs(x) < 0.5) {
        let s = x / (2.0 + x);
        let z = s * s;
        return 2.0 * s * (1.0 + z * (1.0 / 3.0 + z * (0.2 + z * (1.0 / 7.0 + z * (1.0 / 9.0 + z / 11.0)))));
    }
    return log(1.0 + x);
}
// exp(x) - 1: Taylor to x^9 for |x| < 0.5 (the remainder is below 1e-8 relative).
fn h_expm1(x: f32) -> f32 {
    if (abs(x) < 0.5) {
        return x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0
            + x * (1.0 / 720.0 + x * (1.0 / 5040.0 + x * (1.0 / 40320.0 + x / 362880.0))))))));
    }
    return exp(x) - 1.0;
}
fn h_sinh(x: f32) -> f32 {
    let a = abs(x);
    if (a < 1.0) {
        let e = h_expm1(a);
        let r = 0.5 * (e + e / (e + 1.0));
        return select(r, -r, x < 0.0);
    }
    return sinh(x);
}
fn h_asinh(x: f32) -> f32 {
    let a = abs(x);
    var r: f32;
    if (a > 1.0e18) {
        r = log(a) + 0.6931471805599453;
    } else {
        r = h_log1p(a + a * a / (1.0 + sqrt(1.0 + a * a)));
    }
    return select(r, -r, (bitcast<u32>(x) >> 31u) == 1u);
}
fn h_atanh(x: f32) -> f32 {
    return 0.5 * h_log1p(2.0 * x / (1.0 - x));
}
fn h_hypot(a: f32, b: f32) -> f32 {
    let x = abs(a);
    let y = abs(b);
    if (inf_s(x) || inf_s(y)) { return bitcast<f32>(0x7f800000u); }
    if (nan_s(x) || nan_s(y)) { return a + b; }
    let m = max(x, y);
    let n = min(x, y);
    if (m == 0.0) { return 0.0; }
    let r = n / m;
    return m * sqrt(1.0 + r * r);
}
fn h_copysign(a: f32, b: f32) -> f32 {
    return bitcast<f32>((bitcast<u32>(a) & 0x7fffffffu) | (bitcast<u32>(b) & 0x80000000u));
}
// NumPy's floor_divide for floats (npymath's divmod quotient); WGSL's `%`
// is a - b * trunc(a / b), exact while |a / b| < 2^24.
fn h_floordiv_f32(a: f32, b: f32) -> f32 {
    if (b == 0.0) { return a / b; }
    let m = a % b;
    var d = (a - m) / b;
    if (m != 0.0 && ((b < 0.0) != (m < 0.0))) { d = d - 1.0; }
    if (d == 0.0) { return h_copysign(0.0, a / b); }
    let f = floor(d);
    return select(f, f + 1.0, d - f > 0.5);
}
// atan within a few ulps (Cephes' atanf); WGSL's builtin may be 4096 off.
fn h_atan(v: f32) -> f32 {
    var x = abs(v);
    var y = 0.0;
    if (x > 2.414213562373095) {
        y = 1.5707963267948966;
        x = -1.0 / x;
    } else if (x > 0.4142135623730950) {
        y = 0.7853981633974483;
        x = (x - 1.0) / (x + 1.0);
    }
    let z = x * x;
    y = y + ((((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1) * z * x + x);
    return h_copysign(y, v);
}
fn h_atan2(y: f32, x: f32) -> f32 {
    let pi = 3.141592653589793;
    if (nan_s(x) || nan_s(y)) { return x + y; }
    let xneg = (bitcast<u32>(x) >> 31u) == 1u;
    if (inf_s(x) && inf_s(y)) { return h_copysign(select(0.25 * pi, 0.75 * pi, xneg), y); }
    if (y == 0.0 || inf_s(x)) { return h_copysign(select(0.0, pi, xneg), y); }
    if (x == 0.0 || inf_s(y)) { return h_copysign(0.5 * pi, y); }
    var r = h_atan(abs(y) / abs(x));
    if (xneg) { r = pi - r; }
    return h_copysign(r, y);
}
// The sort's order key of an f32: unsigned order is numeric order, both
// zeros one key, every NaN the largest key.
fn h_key_f32(x: f32) -> u32 {
    let b = bitcast<u32>(x);
    if (nan_s(x)) { return 0xffffffffu; }
    if ((b & 0x7fffffffu) == 0u) { return 0x80000000u; }
    return select(b | 0x80000000u, ~b, (b >> 31u) == 1u);
}

// float16 on 32-bit words: exact conversions on the bits (round to nearest
// even, overflow to inf, subnormals kept), so every adapter rounds as the
// `half` crate does on the CPU; no SHADER_F16 needed.
fn h_f16_bits(x: f32) -> u32 {
    let b = bitcast<u32>(x);
    let s = (b >> 16u) & 0x8000u;
    let a = b & 0x7fffffffu;
    if (a > 0x7f800000u) { return s | 0x7e00u | ((a >> 13u) & 0x3ffu); }
    // 65520 and above round to inf.
    if (a >= 0x477ff000u) { return s | 0x7c00u; }
    if (a >= 0x38800000u) {
        let m = a - 0x38000000u;
        return s | ((m + 0xfffu + ((m >> 13u) & 1u)) >> 13u);
    }
    // Below 2^-25 (and 2^-25 itself, a tie to even) rounds to zero.
    if (a <= 0x33000000u) { return s; }
    let mant = (a & 0x7fffffu) | 0x800000u;
    let sh = 126u - (a >> 23u);
    var r = mant >> sh;
    let rem = mant & ((1u << sh) - 1u);
    let half = 1u << (sh - 1u);
    if (rem > half || (rem == half && (r & 1u) == 1u)) { r = r + 1u; }
    return s | r;
}
fn h_f16_val(h: u32) -> f32 {
    let s = (h & 0x8000u) << 16u;
    let e = (h >> 10u) & 0x1fu;
    let m = h & 0x3ffu;
    if (e == 0x1fu) { return bitcast<f32>(s | 0x7f800000u | (m << 13u)); }
    if (e == 0u) { return bitcast<f32>(s | bitcast<u32>(f32(m) * 5.9604644775390625e-8)); }
    return bitcast<f32>(s | ((e + 112u) << 23u) | (m << 13u));
}
// An f32 result rounded to the nearest float16.
fn h_r16(x: f32) -> f32 {
    return h_f16_val(h_f16_bits(x));
}
