// Prefix scans (src/ops/mask.rs): the kernel family behind masked_select,
// nonzero and argwhere, written for any associative operator so that
// cumsum/cumprod/cummax reuse it. The engine replaces
//
// | placeholder | meaning |
// |---|---|
// | {T} | the element type: u32, i32 or f32 |
// | {OP} | the combining expression over a and b (associative; a comes first) |
// | {ID} | its identity (0 for +, 1 for *, -inf for max, ...) |
// | {INCLUSIVE} | true: out[i] = x[0] op ... op x[i]; false: exclusive, out[i] = x[0] op ... op x[i-1] |
// | {MAIN} | the kernel: block_reduce or block_scan |
//
// A block is B = WG * K consecutive elements, one per workgroup. A scan of n
// elements is reduce-then-scan: block_reduce writes each block's total,
// the totals are scanned (exclusively) by the same two kernels one level
// up, recursively, until one block holds them all; then block_scan scans
// each block in shared memory and adds its block's carry (the scanned
// total of the blocks before it). Each pass reads its input once: 2 reads
// and 1 write per element at the bottom level, and every loop here runs at
// most 16 iterations (lavapipe ends loops after 65535).
//
// Arrays longer than one storage binding run as several dispatches, each
// binding a window of the input and output; the block totals and carries
// are bound whole (n / 1024 elements). Both kernels bind the same three
// buffers; block_reduce leaves `carry` unread (the engine binds src there).
//
// 64 threads of 16 elements: on lavapipe, whose barriers switch between
// the workgroup's SIMD batches, fewer threads and barriers per block ran
// 16M-element scans twice as fast as 256 threads of 4 (870 -> 430 ms),
// and 64 still fills a wave on every GPU. Metadata words:
//
// | word | meaning |
// |---|---|
// | 0 | n, elements of this dispatch's window |
// | 1 | where the window's element 0 lies in the src binding (elements) |
// | 2 | the window's first block in the whole scan: sums[md[2] + w], carry[md[2] + w] |
// | 3 | where the window's element 0 lies in the out binding (block_scan) |
// | 4 | flags (block_scan): 1 add carry[block], 2 the last window: write the total to out[md[3] + n] |

@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<{T}>;
@group(0) @binding(2) var<storage, read> src: array<{T}>;
@group(0) @binding(3) var<storage, read> carry: array<{T}>;

const WG: u32 = 64u;
const K: u32 = 16u;
const B: u32 = 1024u;

var<workgroup> sh: array<{T}, 1024>;
var<workgroup> ts: array<{T}, 64>;

fn op(a: {T}, b: {T}) -> {T} {
    return {OP};
}

// Loads block `blk` of the window into sh (the identity past n), coalesced,
// and leaves in ts the workgroup's inclusive scan of the thread totals
// (thread t's total is that of its K consecutive elements sh[t*K .. t*K+K]).
fn load_and_scan(blk: u32, t: u32) {
    let n = md[0];
    let base = blk * B;
    for (var j = 0u; j < K; j = j + 1u) {
        let i = base + j * WG + t;
        var v: {T} = {ID};
        if (i < n) {
            v = src[md[1] + i];
        }
        sh[j * WG + t] = v;
    }
    workgroupBarrier();
    var acc: {T} = {ID};
    for (var j = 0u; j < K; j = j + 1u) {
        acc = op(acc, sh[t * K + j]);
    }
    ts[t] = acc;
    workgroupBarrier();
    // Hillis-Steele over the WG thread totals: log2(WG) = 6 steps.
    for (var d = 1u; d < WG; d = d * 2u) {
        var x = ts[t];
        if (t >= d) {
            x = op(ts[t - d], x);
        }
        workgroupBarrier();
        ts[t] = x;
        workgroupBarrier();
    }
}

fn block_reduce(blk: u32, t: u32) {
    load_and_scan(blk, t);
    if (t == 0u) {
        out[md[2] + blk] = ts[WG - 1u];
    }
}

fn block_scan(blk: u32, t: u32) {
    load_and_scan(blk, t);
    let flags = md[4];
    var c: {T} = {ID};
    if ((flags & 1u) != 0u) {
        c = carry[md[2] + blk];
    }
    var run = c;
    if (t > 0u) {
        run = op(c, ts[t - 1u]);
    }
    for (var j = 0u; j < K; j = j + 1u) {
        let v = sh[t * K + j];
        if ({INCLUSIVE}) {
            run = op(run, v);
            sh[t * K + j] = run;
        } else {
            sh[t * K + j] = run;
            run = op(run, v);
        }
    }
    workgroupBarrier();
    let n = md[0];
    let base = blk * B;
    for (var j = 0u; j < K; j = j + 1u) {
        let i = base + j * WG + t;
        if (i < n) {
            out[md[3] + i] = sh[j * WG + t];
        }
    }
    if ((flags & 2u) != 0u && t == 0u && blk == (n - 1u) / B) {
        out[md[3] + n] = op(c, ts[WG - 1u]);
    }
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    // A 2-D grid past 65535 workgroups; the extra workgroups of its last row leave.
    let blk = wid.x + wid.y * nwg.x;
    if (blk * B >= md[0]) {
        return;
    }
    {MAIN}(blk, t);
}
