//! The NumPy-breadth workloads: `concatenate` of two 8M f32 arrays, `take`
//! of 1M random rows from a 4M x 4 array, `masked_select` of a 50% mask on
//! 16M, `index_add` of 1M values into 1K bins. NumPy's figures for the same
//! workloads come from `examples/index_bench.py`.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use ndgpu::{random, Array};

mod common;

fn bench(c: &mut Criterion) {
    for (name, dev) in common::devices() {
        let mut g = c.benchmark_group(format!("index/{name}"));
        g.sample_size(10)
            .measurement_time(Duration::from_secs(4))
            .warm_up_time(Duration::from_secs(1));
        let a = random::uniform(&dev, &[8 << 20], 0.0, 1.0, 1).unwrap();
        let b = random::uniform(&dev, &[8 << 20], 0.0, 1.0, 2).unwrap();
        g.bench_function("concatenate 2 x 8M f32", |bn| {
            bn.iter_custom(|it| {
                common::timed(&dev, it, || Array::concatenate(&[&a, &b], 0).unwrap())
            })
        });
        drop((a, b));
        let rows = random::uniform(&dev, &[4 << 20, 4], 0.0, 1.0, 3).unwrap();
        let idx = random::integers(&dev, &[1 << 20], 0, 4 << 20, 4).unwrap();
        g.bench_function("take 1M rows of 4M x 4 f32", |bn| {
            bn.iter_custom(|it| common::timed(&dev, it, || rows.take(&idx, Some(0)).unwrap()))
        });
        drop((rows, idx));
        let x = random::uniform(&dev, &[16 << 20], 0.0, 1.0, 5).unwrap();
        let mask = random::uniform(&dev, &[16 << 20], 0.0, 1.0, 6)
            .unwrap()
            .lt_scalar(0.5)
            .unwrap();
        g.bench_function("masked_select 16M f32, 50% mask", |bn| {
            bn.iter_custom(|it| common::timed(&dev, it, || x.masked_select(&mask).unwrap()))
        });
        drop((x, mask));
        let bins = Array::<f32>::zeros(&dev, &[1000]).unwrap();
        let at = random::integers(&dev, &[1 << 20], 0, 1000, 7).unwrap();
        let w = random::uniform(&dev, &[1 << 20], 0.0, 1.0, 8).unwrap();
        g.bench_function("index_add 1M f32 into 1K bins", |bn| {
            bn.iter_custom(|it| common::timed(&dev, it, || bins.index_add(0, &at, &w).unwrap()))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
