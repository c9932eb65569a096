// Parallel tree reduction over strided input. The engine (src/ops/reduce.rs)
// replaces {T} (the element type), {IDENT} (the identity), {COMB} (the
// combining expression over a and b) and {ARG} (true for argmin/argmax, with
// {TAKE}: should (bv, bi) replace (av, ai)?), {PRE} and {EXTRA} (var's
// squared deviations and the binding of its means).
//
// Output m reduces R elements; G workgroups share it, each reducing a chunk
// into a partial, and a second dispatch reduces the partials. Metadata words:
//
// | word | meaning |
// |---|---|
// | 0, 1, 2 | M outputs, R elements each, G workgroups each |
// | 3 | 1: the indices of argmin/argmax come from src[idx_base + ...] (second pass) |
// | 4 | 1: write only the index to out[m] (final pass of argmin/argmax) |
// | 5, 6 | rank of the kept axes rk, of the reduced axes rr |
// | 7 | offset of the input's first element |
// | 8 | idx_base: where the second pass finds the first pass' indices |
// | 9 .. | kept shape (rk), kept strides (rk), reduced shape (rr), reduced strides (rr) |

@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> src: array<u32>;
{EXTRA}

const WG: u32 = 256u;

fn nan_s(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn comb(a: {T}, b: {T}) -> {T} {
    return {COMB};
}

// What the first pass reduces: the element itself, or for var's second
// pass its squared deviation from output m's mean (binding 3).
fn pre(v: {T}, m: u32) -> {T} {
    return {PRE};
}

fn take(av: {T}, ai: u32, bv: {T}, bi: u32) -> bool {
    return {TAKE};
}

// Offset of the first element of output m's run. One kept axis (the
// engine merges axes that walk memory as one) needs no division: llvmpipe
// runs integer division one lane at a time.
fn kept_offset(m: u32) -> u32 {
    let rk = md[5];
    if (rk == 0u) {
        return md[7];
    }
    if (rk == 1u) {
        return u32(i32(md[7]) + i32(m) * bitcast<i32>(md[10]));
    }
    var rem = m;
    var o = i32(md[7]);
    for (var j = rk; j > 0u; j = j - 1u) {
        let n = md[8u + j];
        o = o + i32(rem % n) * bitcast<i32>(md[8u + rk + j]);
        rem = rem / n;
    }
    return u32(o);
}

// Offset of reduced element i relative to the run's first element.
fn red_offset(i: u32) -> i32 {
    let rk = md[5];
    let rr = md[6];
    let b = 9u + 2u * rk;
    if (rr == 1u) {
        return i32(i) * bitcast<i32>(md[b + 1u]);
    }
    var rem = i;
    var o = 0;
    for (var j = rr; j > 0u; j = j - 1u) {
        let n = md[b + j - 1u];
        o = o + i32(rem % n) * bitcast<i32>(md[b + rr + j - 1u]);
        rem = rem / n;
    }
    return o;
}
