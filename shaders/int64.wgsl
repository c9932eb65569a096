// int64 helpers (SHADER_INT64), included only in kernels with an i64 node.
// NumPy's semantics, as the i32 ones: floor division, Python's modulo,
// 0 for a zero divisor, wrapping products.
fn h_div_i64(a: i64, b: i64) -> i64 {
    if (b == 0li) { return 0li; }
    if (b == -1li) { return 0li - a; }
    let q = a / b;
    let r = a - q * b;
    return select(q, q - 1li, r != 0li && ((r < 0li) != (b < 0li)));
}
fn h_rem_i64(a: i64, b: i64) -> i64 {
    if (b == 0li || b == -1li) { return 0li; }
    let r = a - (a / b) * b;
    return select(r, r + b, r != 0li && ((r < 0li) != (b < 0li)));
}
// The exponent's low 32 bits, as the CPU backend's `wrapping_pow(b as u32)`.
fn h_pow_i64(a: i64, b: i64) -> i64 {
    if (b < 0li) {
        return select(0li, select(1li, select(-1li, 1li, (b & 1li) == 0li), a == -1li), a == 1li || a == -1li);
    }
    var r = 1li;
    var base = a;
    var e = u32(b & 0xffffffffli);
    loop {
        if (e == 0u) { break; }
        if ((e & 1u) == 1u) { r = r * base; }
        base = base * base;
        e = e >> 1u;
    }
    return r;
}
