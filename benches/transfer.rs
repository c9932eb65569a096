//! Upload (`from_slice`) and readback (`to_vec`) of a 64 MiB f32 array, and
//! the per-call cost of a 16-element `from_slice`.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ndgpu::Array;

mod common;

const N: usize = 16 << 20; // 64 MiB of f32

fn bench(c: &mut Criterion) {
    let host: Vec<f32> = (0..N).map(|i| i as f32).collect();
    for (name, dev) in common::devices() {
        let mut g = c.benchmark_group(format!("transfer/{name}"));
        g.sample_size(10)
            .measurement_time(Duration::from_secs(5))
            .warm_up_time(Duration::from_secs(1));
        g.throughput(Throughput::Bytes((N * 4) as u64));
        g.bench_function("upload 64 MiB", |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                for _ in 0..iters {
                    let a = Array::from_slice(&dev, &host, &[N]).unwrap();
                    dev.synchronize().unwrap();
                    drop(a);
                }
                t.elapsed()
            })
        });
        // A small upload's per-call cost, without a synchronize per call.
        g.throughput(Throughput::Elements(1));
        let small: Vec<f32> = (0..16).map(|i| i as f32).collect();
        g.bench_function("from_slice 16 elements, per call", |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                for _ in 0..iters {
                    drop(Array::from_slice(&dev, &small, &[16]).unwrap());
                }
                dev.synchronize().unwrap();
                t.elapsed()
            })
        });
        g.throughput(Throughput::Bytes((N * 4) as u64));
        let a = Array::from_slice(&dev, &host, &[N]).unwrap();
        g.bench_function("readback 64 MiB (to_vec)", |b| {
            b.iter(|| a.to_vec().unwrap())
        });
        let mut host_out = vec![0f32; N];
        g.bench_function("readback 64 MiB (read_into)", |b| {
            b.iter(|| a.read_into(&mut host_out).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
