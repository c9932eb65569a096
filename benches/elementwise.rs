//! Elementwise throughput: in-place `a += b` and allocating `c = a + b` on
//! 16M f32 (12 bytes moved per element), and the per-op cost of a 1000-op
//! chain on a 4-element array, batched. GPU work is synchronised before the
//! clock stops.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ndgpu::Array;

mod common;

const N: usize = 16 << 20;

fn bench(c: &mut Criterion) {
    for (name, dev) in common::devices() {
        let mut g = c.benchmark_group(format!("elementwise/{name}"));
        g.sample_size(10)
            .measurement_time(Duration::from_secs(5))
            .warm_up_time(Duration::from_secs(1));
        g.throughput(Throughput::Bytes((N * 12) as u64));
        let a = Array::<f32>::ones(&dev, &[N]).unwrap();
        let b = Array::<f32>::full(&dev, &[N], 1e-7).unwrap();
        g.bench_function("a += b (16M f32)", |bench| {
            bench.iter_custom(|iters| {
                dev.synchronize().unwrap();
                let t = Instant::now();
                for _ in 0..iters {
                    a.add_inplace(&b).unwrap();
                }
                dev.synchronize().unwrap();
                t.elapsed()
            })
        });
        g.bench_function("c = a + b (16M f32)", |bench| {
            bench.iter_custom(|iters| {
                dev.synchronize().unwrap();
                let t = Instant::now();
                for _ in 0..iters {
                    let c = a.add(&b).unwrap();
                    drop(c);
                }
                dev.synchronize().unwrap();
                t.elapsed()
            })
        });
        g.throughput(Throughput::Elements(1000));
        let t4 = Array::<f32>::ones(&dev, &[4]).unwrap();
        g.bench_function("1000 x (t += 1) on 4 elements", |bench| {
            bench.iter_custom(|iters| {
                dev.synchronize().unwrap();
                let t = Instant::now();
                for _ in 0..iters {
                    for _ in 0..1000 {
                        t4.add_scalar_inplace(1.0).unwrap();
                    }
                    dev.synchronize().unwrap();
                }
                t.elapsed()
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
