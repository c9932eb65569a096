//! `masked_select` of 16M f32 under a 50% random mask (NumPy's `a[mask]`),
//! and `nonzero` / `masked_fill` of the same mask, on each device.
//!
//! NumPy's twin, to compare with: `a = rng.random(1 << 24,
//! dtype=np.float32); m = rng.random(1 << 24) < 0.5; a[m]`.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ndgpu::random;

mod common;

const N: usize = 16 << 20;

fn bench(c: &mut Criterion) {
    for (name, dev) in common::devices() {
        let mut g = c.benchmark_group(format!("mask/{name}"));
        g.sample_size(10)
            .measurement_time(Duration::from_secs(5))
            .warm_up_time(Duration::from_secs(1));
        g.throughput(Throughput::Elements(N as u64));
        let a = random::uniform(&dev, &[N], 0.0, 1.0, 1).unwrap();
        let m = random::uniform(&dev, &[N], 0.0, 1.0, 2)
            .unwrap()
            .lt_scalar(0.5)
            .unwrap();
        let mut time = |label: &str, f: &dyn Fn()| {
            g.bench_function(label, |b| {
                b.iter_custom(|iters| {
                    dev.synchronize().unwrap();
                    let t = Instant::now();
                    for _ in 0..iters {
                        f();
                    }
                    dev.synchronize().unwrap();
                    t.elapsed()
                })
            });
        };
        time("masked_select 16M f32, 50% mask", &|| {
            drop(a.masked_select(&m).unwrap())
        });
        time("nonzero 16M bool, 50% true", &|| drop(m.nonzero().unwrap()));
        time("masked_fill 16M f32, 50% mask", &|| {
            a.masked_fill(&m, 0.5).unwrap()
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
