//! f32 matrix product on the CPU backend and on the GPU (each kernel), with
//! the GPU synchronised before the clock stops.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndgpu::{Array, Device, MatmulKernel};

fn square(dev: &Device, n: usize) -> (Array<f32>, Array<f32>) {
    let v: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 * 0.25).collect();
    (
        Array::from_slice(dev, &v, &[n, n]).expect("upload"),
        Array::from_slice(dev, &v, &[n, n]).expect("upload"),
    )
}

fn bench(c: &mut Criterion) {
    let mut devices = vec![("cpu", Device::cpu(), MatmulKernel::Auto)];
    if let Ok(g) = Device::gpu() {
        devices.push(("gpu-register", g.clone(), MatmulKernel::Register));
        devices.push(("gpu-tiled", g, MatmulKernel::Tiled));
    }
    let mut group = c.benchmark_group("matmul_f32");
    group.sample_size(10);
    for n in [128usize, 256, 512, 1024] {
        group.throughput(Throughput::Elements((2 * n * n * n) as u64));
        for (name, dev, kernel) in &devices {
            // The tiled kernel is for hardware GPUs; on a CPU-type adapter it
            // is too slow to bench at the larger sizes.
            if *name == "gpu-tiled" && dev.info().kind == ndgpu::DeviceKind::Software && n > 256 {
                continue;
            }
            let (a, b) = square(dev, n);
            if *name == "cpu" {
                // The peer: ndarray's dot (matrixmultiply, threaded), same data.
                let v: Vec<f32> = a.to_vec().expect("readback");
                let x = ndarray::Array2::from_shape_vec((n, n), v.clone()).expect("shape");
                let y = ndarray::Array2::from_shape_vec((n, n), v).expect("shape");
                group.bench_with_input(BenchmarkId::new("ndarray-dot", n), &n, |bch, _| {
                    bch.iter(|| x.dot(&y))
                });
            }
            group.bench_with_input(BenchmarkId::new(*name, n), &n, |bch, _| {
                bch.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let start = Instant::now();
                        let out = a.matmul_with(&b, *kernel).expect("matmul");
                        dev.synchronize().expect("synchronize");
                        total += start.elapsed();
                        drop(out);
                    }
                    total
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
