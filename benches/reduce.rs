//! `sum` of 16M f32 on each device (4 bytes read per element).

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ndgpu::{Array, Axes};

mod common;

const N: usize = 16 << 20;

fn bench(c: &mut Criterion) {
    for (name, dev) in common::devices() {
        let mut g = c.benchmark_group(format!("reduce/{name}"));
        g.sample_size(10)
            .measurement_time(Duration::from_secs(5))
            .warm_up_time(Duration::from_secs(1));
        g.throughput(Throughput::Bytes((N * 4) as u64));
        let a = Array::<f32>::full(&dev, &[N], 0.5).unwrap();
        g.bench_function("sum 16M f32", |b| {
            b.iter_custom(|iters| {
                dev.synchronize().unwrap();
                let t = Instant::now();
                for _ in 0..iters {
                    let s = a.sum(Axes::All, false).unwrap();
                    drop(s);
                }
                dev.synchronize().unwrap();
                t.elapsed()
            })
        });
        let m = Array::<f32>::full(&dev, &[4096, 4096], 0.5).unwrap();
        g.bench_function("sum axis 0 of 4096x4096 f32", |b| {
            b.iter_custom(|iters| {
                dev.synchronize().unwrap();
                let t = Instant::now();
                for _ in 0..iters {
                    drop(m.sum(0, false).unwrap());
                }
                dev.synchronize().unwrap();
                t.elapsed()
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
