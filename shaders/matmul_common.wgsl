// Shared by every matrix-product kernel. The host prepends `alias T = f32;`
// (or i32, u32) and the buffer declarations, and renames bufA, bufB, bufC to
// the bindings it chose (two operands in one buffer share one binding).
//
// Metadata table (u32 words), built by `ops::matmul::gpu_meta`:
//
// | word | meaning |
// |---|---|
// | 0, 1, 2 | M, N, K |
// | 3 | number of matrices in the batch |
// | 4 | batch rank r |
// | 5, 6, 7 | A: offset, row stride, column stride (elements, i32 bits) |
// | 8, 9, 10 | B: offset, row stride, column stride |
// | 11 | C: offset (C is C-contiguous: row stride N, batch stride M*N) |
// | 12 .. 12+r | batch shape |
// | then r words | A's batch strides (0 where A is broadcast) |
// | then r words | B's batch strides |

fn si(i: u32) -> i32 {
    return bitcast<i32>(md[i]);
}

// The element offsets of batch entry `b`'s first element in A and in B.
fn batch_offsets(b: u32) -> vec2<i32> {
    let r = md[4];
    var rem = b;
    var oa = si(5u);
    var ob = si(8u);
    for (var j = r; j > 0u; j = j - 1u) {
        let n = md[11u + j];
        let i = i32(rem % n);
        rem = rem / n;
        oa = oa + i * si(11u + r + j);
        ob = ob + i * si(11u + 2u * r + j);
    }
    return vec2<i32>(oa, ob);
}
