"""NumPy's side of examples/sort_bench.rs: the same workloads, medians in ms.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python examples/sort_bench.py [--reps 5]
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


reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 5
rng = np.random.default_rng(0)
print(f"numpy {np.__version__}: ms, median of {reps}")
x = rng.random(16 << 20, dtype=np.float32)
print(f"{'sort 16M f32 (default kind)':<40} {med(lambda: np.sort(x), reps):9.3f}")
print(f"{'sort 16M f32 (stable)':<40} {med(lambda: np.sort(x, kind='stable'), reps):9.3f}")
print(f"{'cumsum 16M f32':<40} {med(lambda: np.cumsum(x), reps):9.3f}")
y = rng.random(1 << 20, dtype=np.float32)
print(f"{'argsort 1M f32 (default kind)':<40} {med(lambda: np.argsort(y), reps):9.3f}")
print(f"{'argsort 1M f32 (stable)':<40} {med(lambda: np.argsort(y, kind='stable'), reps):9.3f}")
u = rng.integers(0, 1000, 16 << 20, dtype=np.int32)
print(f"{'unique 16M i32 in 0..1000':<40} {med(lambda: np.unique(u), reps):9.3f}")
