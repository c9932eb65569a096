// The tiled kernel for hardware GPUs: a 16x16 workgroup computes a 64x64
// block of C, each invocation a 4x4 register block, stepping through K in
// slices of 16 staged in workgroup memory. Operands are read through any
// strides (bounds-checked, zero-filled past the edges), so views need no copy.

var<workgroup> tile_a: array<T, 1024>; // 64 rows x 16 k
var<workgroup> tile_b: array<T, 1024>; // 16 k x 64 columns

@compute @workgroup_size(16, 16, 1)
fn main(
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let M = md[0];
    let N = md[1];
    let K = md[2];
    let nb = md[3];
    let rsa = si(6u);
    let csa = si(7u);
    let rsb = si(9u);
    let csb = si(10u);
    let tid = lid.y * 16u + lid.x;
    let m_base = wid.y * 64u;
    let n_base = wid.x * 64u;
    // The batch loop's bounds are uniform over the workgroup, as the
    // barriers inside it require.
    for (var b = wid.z; b < nb; b = b + nwg.z) {
        let o = batch_offsets(b);
        // Zeroed explicitly for every batch entry, not left to the compiler.
        var acc = array<vec4<T>, 4>();
        for (var k0 = 0u; k0 < K; k0 = k0 + 16u) {
            for (var i = 0u; i < 4u; i = i + 1u) {
                let e = tid + i * 256u;
                let ar = m_base + e / 16u;
                let ak = k0 + e % 16u;
                var va = T(0);
                if (ar < M && ak < K) {
                    va = bufA[u32(o.x + i32(ar) * rsa + i32(ak) * csa)];
                }
                tile_a[e] = va;
                let bk = k0 + e / 64u;
                let bc = n_base + e % 64u;
                var vb = T(0);
                if (bk < K && bc < N) {
                    vb = bufB[u32(o.y + i32(bk) * rsb + i32(bc) * csb)];
                }
                tile_b[e] = vb;
            }
            workgroupBarrier();
            for (var kk = 0u; kk < 16u; kk = kk + 1u) {
                let j = kk * 64u + lid.x * 4u;
                let bv = vec4<T>(tile_b[j], tile_b[j + 1u], tile_b[j + 2u], tile_b[j + 3u]);
                let r = lid.y * 4u * 16u + kk;
                acc[0] = acc[0] + tile_a[r] * bv;
                acc[1] = acc[1] + tile_a[r + 16u] * bv;
                acc[2] = acc[2] + tile_a[r + 32u] * bv;
                acc[3] = acc[3] + tile_a[r + 48u] * bv;
            }
            workgroupBarrier();
        }
        let cb = u32(si(11u)) + b * M * N;
        for (var i = 0u; i < 4u; i = i + 1u) {
            let row = m_base + lid.y * 4u + i;
            if (row < M) {
                for (var jj = 0u; jj < 4u; jj = jj + 1u) {
                    let col = n_base + lid.x * 4u + jj;
                    if (col < N) {
                        bufC[cb + row * N + col] = acc[i][jj];
                    }
                }
            }
        }
    }
}
