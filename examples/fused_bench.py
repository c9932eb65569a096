"""NumPy's side of examples/fused_bench.rs: the same workloads, medians in ms.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python examples/fused_bench.py [--reps 7]

Prints one `name ms` line per workload (the Rust example reads them).
"""
import sys
import time
import tracemalloc

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
n = 16 << 20
rng = np.random.default_rng(0)
a, b, c = (rng.random(n, dtype=np.float32) for _ in range(3))
y = np.empty_like(a)
x = rng.random(n, dtype=np.float32)
m = rng.random((4096, 4096), dtype=np.float32)

rows = {
    "chain (a*2+b)*c": lambda: (a * 2 + b) * c,
    "x[::2] += 1": lambda: x[::2].__iadd__(1),
    "m[:, ::2] *= 3": lambda: m[:, ::2].__imul__(3),
    "copyto(y, a)": lambda: np.copyto(y, a),
    "multiply(a, 2, out=y)": lambda: np.multiply(a, 2, out=y),
    "a += b": lambda: a.__iadd__(b),
}
for name, f in rows.items():
    print(f"{name}\t{med(f, reps):.3f}")
tracemalloc.start()
(a * 2 + b) * c
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(f"chain peak extra bytes\t{peak}")
