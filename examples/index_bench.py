"""NumPy's side of examples/index_bench.rs: the same workloads, medians in ms.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python examples/index_bench.py [--reps 7]
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


reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 7
rng = np.random.default_rng(0)
print(f"numpy {np.__version__}: ms, median of {reps}")
m = 8 << 20
a = rng.random(m, dtype=np.float32)
b = rng.random(m, dtype=np.float32)
print(f"{'concatenate 2 x 8M f32':<40} {med(lambda: np.concatenate([a, b]), reps):8.3f}")
rows = rng.random((4 << 20, 4), dtype=np.float32)
idx = rng.integers(0, 4 << 20, 1 << 20, dtype=np.int32)
print(f"{'take 1M rows of 4M x 4 f32':<40} {med(lambda: np.take(rows, idx, axis=0), reps):8.3f}")
x = rng.random(16 << 20, dtype=np.float32)
mask = rng.random(16 << 20, dtype=np.float32) < 0.5
print(f"{'masked_select 16M f32, 50% mask':<40} {med(lambda: x[mask], reps):8.3f}")
bins = np.zeros(1000, dtype=np.float32)
at = rng.integers(0, 1000, 1 << 20, dtype=np.int32)
w = rng.random(1 << 20, dtype=np.float32)
print(f"{'index_add 1M f32 into 1K bins':<40} {med(lambda: np.add.at(bins, at, w), reps):8.3f}")
