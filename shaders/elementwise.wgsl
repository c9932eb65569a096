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
