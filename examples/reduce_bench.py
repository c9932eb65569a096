"""NumPy's side of examples/reduce_bench.rs: the same rows, medians in ms.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python examples/reduce_bench.py [--n 20000] [--reps 7] [--big]

(The two variables force an older OpenBLAS kernel; unset them for NumPy's own choice.)
"""
import sys
import time

import numpy as np


def med(f, reps):
    f()
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        f()
        t.append((time.perf_counter() - s) * 1e3)
    return sorted(t)[len(t) // 2]


def opt(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


n = opt("--n", 20000)
reps = opt("--reps", 7)
print(f"numpy {np.__version__}: ms, median of {reps}")
print(f"{'input':<22} {'axes':<7} {'copy':>7} {'sum':>7} {'min':>7} {'max':>7} {'mean':>7} {'var':>7} {'argmin':>7}")
# The same irregular values as reduce_bench.rs (i times 2^32 / phi modulo 2^32).
v = ((np.arange(n * 16, dtype=np.uint64) * 2654435769) % 2**32).astype(np.float32) / np.float32(2**32) * np.float32(1000)


def row(name, x, axes):
    ax = tuple(axes)
    cells = [med(lambda: x.copy(), reps)]
    for f in (np.sum, np.min, np.max, np.mean, np.var):
        cells.append(med(lambda: f(x, axis=ax), reps))
    cells = [f"{c:7.3f}" for c in cells]
    cells.append(f"{med(lambda: np.argmin(x, axis=axes[0]), reps):7.3f}" if len(axes) == 1 else "      -")
    print(f"{name:<22} {str(list(axes)):<7} {' '.join(cells)}")


x3 = v.reshape(n, 8, 2)
for axes in ([0], [1], [2], [0, 1], [1, 2], [0, 1, 2]):
    row(f"({n},8,2)", x3, axes)
n8 = v[: n * 8].reshape(n, 8)
e8 = v[: n * 8].reshape(8, n)
for name, x in ((f"({n},8)", n8), (f"(8,{n})", e8), (f"(8,{n}).T", e8.T)):
    for axis in (0, 1):
        row(name, x, [axis])

if "--big" in sys.argv:
    m = 16 << 20
    rng = np.random.default_rng(7)
    a = rng.random(m, dtype=np.float32)
    sq = a.reshape(4096, 4096)
    g = np.random.default_rng(1)
    cells = [
        med(lambda: a.copy(), reps),
        med(lambda: a.sum(), reps),
        med(lambda: a.max(), reps),
        med(lambda: a.min(), reps),
        med(lambda: a.argmax(), reps),
        med(lambda: sq.max(axis=1), reps),
        med(lambda: sq.sum(axis=0), reps),
        med(lambda: g.random(m, dtype=np.float32), reps),
        med(lambda: g.standard_normal(m, dtype=np.float32), reps),
    ]
    print("\n16M f32 (ms): copy, sum, max, min, argmax, max(axis=1), sum(axis=0), uniform, normal")
    print("  ".join(f"{c:.2f}" for c in cells))

if "--matmul" in sys.argv:
    import threadpoolctl

    print(threadpoolctl.threadpool_info())
    print("matmul f32 GFLOP/s: n, a @ b, a.T @ b")
    for n in (64, 128, 256, 512, 1024, 2048):
        a = (np.arange(n * n) % 7 * 0.25).astype(np.float32).reshape(n, n)
        b = (np.arange(n * n) % 5 * 0.5).astype(np.float32).reshape(n, n)
        r = reps * 20 if n <= 256 else reps
        fl = lambda t: 2 * n**3 / (t / 1e3) / 1e9
        print(n, round(fl(med(lambda: a @ b, r)), 1), round(fl(med(lambda: a.T @ b, r)), 1))
    a = (np.arange(256 * 64 * 64) % 7 * 0.25).astype(np.float32).reshape(256, 64, 64)
    b = (np.arange(256 * 64 * 64) % 5 * 0.5).astype(np.float32).reshape(256, 64, 64)
    t = med(lambda: a @ b, reps * 10)
    print("batched 256 x 64^3:", round(2 * 256 * 64**3 / (t / 1e3) / 1e9, 1))
