//! Draws of 16M elements on each device: the raw stream, `integers` with a
//! range that never rejects (a power of two), one that rarely does (1000)
//! and one that rejects almost half the first words (2^31 + 1); and a
//! `permutation` of 1M and 16M (host shuffle plus one upload).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ndgpu::random;

mod common;

const N: usize = 16 << 20;

fn bench(c: &mut Criterion) {
    for (name, dev) in common::devices() {
        let mut g = c.benchmark_group(format!("random/{name}"));
        g.sample_size(10)
            .measurement_time(Duration::from_secs(5))
            .warm_up_time(Duration::from_secs(1));
        g.throughput(Throughput::Elements(N as u64));
        g.bench_function("bits 16M", |b| {
            b.iter_custom(|it| common::timed(&dev, it, || random::bits(&dev, &[N], 1).unwrap()))
        });
        for (label, low, high) in [
            ("integers 16M [0, 1024)", 0, 1024),
            ("integers 16M [0, 1000)", 0, 1000),
            ("integers 16M [-2^30, 2^30]", -(1 << 30), (1 << 30) + 1),
        ] {
            g.bench_function(label, |b| {
                b.iter_custom(|it| {
                    common::timed(&dev, it, || {
                        random::integers(&dev, &[N], low, high, 1).unwrap()
                    })
                })
            });
        }
        for n in [1 << 20, N] {
            g.throughput(Throughput::Elements(n as u64));
            g.bench_function(format!("permutation {}M", n >> 20), |b| {
                b.iter_custom(|it| {
                    common::timed(&dev, it, || random::permutation(&dev, n, 1).unwrap())
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
