//! The execution under the arrays: stream-ordered buffer reuse without
//! synchronising, the memory limit, honest statistics, uploads that do not
//! wait, and CPU kernels called from inside rayon tasks.

// `s![1..-1]` is NumPy's `1:-1`, not an empty Rust range.
#![allow(clippy::reversed_empty_ranges)]

mod common;

use approx::assert_relative_eq;
use ndgpu::{s, Array, Device, Error, Result};
use rayon::prelude::*;

fn reuse_without_synchronize(dev: &Device) -> Result<()> {
    // The loop from the issue: no synchronize() inside it, yet after
    // warm-up no buffer is created; a dropped temporary serves the next
    // allocation although the work that used it is only recorded.
    dev.reset_peak_bytes();
    let x = Array::<f32>::ones(dev, &[1000])?;
    let mut created = Vec::new();
    for _ in 0..50 {
        let y = x.add(&x)?;
        x.mul_scalar_inplace(0.5)?;
        drop(y);
        created.push(dev.memory().created);
    }
    assert_eq!(
        created[5], created[49],
        "no new buffers after warm-up: {created:?}"
    );
    assert_relative_eq!(x.to_vec()?[0], 0.5f32.powi(50));
    // peak_bytes counts arrays only: x and one temporary at a time.
    let m = dev.memory();
    assert!(
        m.peak_bytes <= 2 * 4096,
        "peak {} bytes for two 4000-byte arrays",
        m.peak_bytes
    );
    Ok(())
}

fn large_temporaries_stay_bounded(dev: &Device) -> Result<()> {
    // 64 MiB temporaries allocated and dropped 200 times without
    // synchronising: what the pool holds stays a small multiple of the
    // working set (x and one temporary).
    let n = 16 << 20;
    let x = Array::<f32>::full(dev, &[n], 1.0)?;
    let working = 2 * (n as u64) * 4;
    let mut most = 0;
    for i in 0..200 {
        let t = x.mul_scalar(2.0)?;
        if i % 50 == 0 {
            x.assign(&t.mul_scalar(0.5)?)?;
        }
        drop(t);
        let m = dev.memory();
        most = most.max(m.live_bytes + m.cached_bytes);
    }
    let m = dev.memory();
    println!(
        "{}: live {} + cached {} bytes after 200 iterations; most held at once {} bytes; working set {working}",
        dev.info(),
        m.live_bytes,
        m.cached_bytes,
        most
    );
    assert!(
        most <= 2 * working,
        "held {most} bytes for a working set of {working}"
    );
    assert_eq!(x.slice(s![..3])?.to_vec()?, vec![1.0, 1.0, 1.0]);
    Ok(())
}

/// One explicit step of `u[1:-1,1:-1] += alpha * laplacian(u)` on the host.
fn stencil_reference(u: &mut [f32], n: usize, alpha: f32) {
    let old = u.to_vec();
    for i in 1..n - 1 {
        for j in 1..n - 1 {
            let c = old[i * n + j];
            let lap = old[(i + 1) * n + j]
                + old[(i - 1) * n + j]
                + old[i * n + j + 1]
                + old[i * n + j - 1]
                - 4.0 * c;
            u[i * n + j] = c + alpha * lap;
        }
    }
}

fn stencil_reaches_a_steady_state(dev: &Device) -> Result<()> {
    // Heat diffusion written the NumPy way, 512x512, no synchronize():
    // the pool settles at a handful of buffers.
    let n: usize = 512;
    let alpha = 0.1f32;
    let init: Vec<f32> = (0..n * n)
        .map(|k| {
            if (k / n).abs_diff(n / 2) < 20 && (k % n).abs_diff(n / 2) < 20 {
                100.0
            } else {
                0.0
            }
        })
        .collect();
    dev.trim();
    dev.reset_peak_bytes();
    let u = Array::from_slice(dev, &init, &[n, n])?;
    let steps = 60;
    let mut buffers = Vec::new();
    for _ in 0..steps {
        let c = u.slice(s![1..-1, 1..-1])?;
        let lap = &u.slice(s![2.., 1..-1])? + &u.slice(s![..-2, 1..-1])?;
        let lap = &lap + &u.slice(s![1..-1, 2..])?;
        let lap = &lap + &u.slice(s![1..-1, ..-2])?;
        let lap = &lap - &(&c * 4.0);
        c.add_inplace(&(&lap * alpha))?;
        let m = dev.memory();
        buffers.push(m.live_buffers + m.cached_buffers);
    }
    let m = dev.memory();
    println!(
        "{}: stencil {n}x{n}, {steps} steps: {} live + {} cached buffers, {} + {} bytes; peak {} bytes",
        dev.info(),
        m.live_buffers,
        m.cached_buffers,
        m.live_bytes,
        m.cached_bytes,
        m.peak_bytes
    );
    assert!(
        buffers[steps - 1] <= 8 && buffers[10] == buffers[steps - 1],
        "array buffers per step: {buffers:?}"
    );
    let mut want = init;
    for _ in 0..steps {
        stencil_reference(&mut want, n, alpha);
    }
    let got = u.to_vec()?;
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-3 * w.abs().max(1.0),
            "element {k}: {g} vs {w}"
        );
    }
    Ok(())
}

fn memory_limit(dev: &Device) -> Result<()> {
    dev.trim();
    let base = dev.memory().held();
    let mb = 1u64 << 20;
    dev.set_memory_limit(Some(base + 4 * mb));
    let r = (|| -> Result<()> {
        let a = Array::<f32>::zeros(dev, &[1 << 18])?; // 1 MiB
        let b = Array::<f32>::zeros(dev, &[1 << 18])?;
        let e = Array::<f32>::zeros(dev, &[3 << 18]).unwrap_err(); // 3 MiB more: over
        match &e {
            Error::OutOfMemory {
                requested,
                limit,
                reason,
                live,
                ..
            } => {
                assert_eq!(
                    (*requested, *limit, *reason),
                    (3 * mb, base + 4 * mb, "memory limit")
                );
                assert!(*live >= 2 * mb);
            }
            other => panic!("expected OutOfMemory, got {other}"),
        }
        assert!(e.to_string().contains("memory limit"), "{e}");
        // Dropped arrays come back: the cache is emptied to make room, and
        // a loop of temporaries under the limit runs on.
        drop(b);
        for i in 0..20 {
            let t = a.add_scalar(i as f32)?;
            let u = t.mul_scalar(2.0)?;
            assert_eq!(u.slice(s![..1])?.to_vec()?, vec![2.0 * i as f32]);
        }
        let c = Array::<f32>::zeros(dev, &[1 << 18])?;
        drop((a, c));
        Ok(())
    })();
    dev.set_memory_limit(None);
    r
}

fn uploads_do_not_wait(dev: &Device) -> Result<()> {
    // Small and large uploads interleaved with kernels, never synchronised
    // in between: each array holds its own data, and large uploads reuse
    // their staging buffers once their copies are done.
    let big = 300_000; // past the small-upload arena
    let mut arrays = Vec::new();
    for round in 0..4 {
        for k in 0..3 {
            let v = (round * 3 + k) as f32;
            let small = Array::from_slice(dev, &[v; 16], &[16])?;
            let large = Array::from_vec(dev, vec![v; big], &[big])?;
            large.add_inplace(&small.slice(s![..1])?)?;
            arrays.push((v, small, large));
        }
    }
    for (v, small, large) in &arrays {
        assert_eq!(small.to_vec()?, vec![*v; 16]);
        let l = large.to_vec()?;
        assert!(l.iter().all(|&x| x == 2.0 * v), "round value {v}");
    }
    Ok(())
}

fn rayon_tasks_and_shared_readers(dev: &Device) -> Result<()> {
    // ndgpu called from inside rayon tasks: 8 arrays, each task working on
    // its own, large enough that the CPU kernels go parallel themselves.
    let n = 1 << 18;
    let arrays: Vec<Array<f32>> = (0..8)
        .map(|i| Array::full(dev, &[n], i as f32))
        .collect::<Result<_>>()?;
    arrays
        .par_iter()
        .enumerate()
        .try_for_each(|(i, a)| -> Result<()> {
            for _ in 0..4 {
                let t = a.add_scalar(1.0)?;
                a.assign(&t)?;
            }
            assert_eq!(
                a.sum(ndgpu::Axes::All, false)?.item()?,
                (i as f32 + 4.0) * n as f32
            );
            Ok(())
        })?;
    // One array read from 4 threads at once, and from rayon tasks.
    let shared = &arrays[0];
    std::thread::scope(|sc| {
        let hs: Vec<_> = (0..4)
            .map(|_| {
                sc.spawn(|| -> Result<f32> {
                    let mut last = 0.0;
                    for _ in 0..8 {
                        last = shared.mul_scalar(2.0)?.slice(s![-1..])?.item()?;
                    }
                    Ok(last)
                })
            })
            .collect();
        for h in hs {
            assert_eq!(h.join().expect("reader thread")?, 8.0);
        }
        Ok::<(), Error>(())
    })?;
    let sums: Vec<f32> = (0..8)
        .into_par_iter()
        .map(|_| shared.sum(ndgpu::Axes::All, false).and_then(|s| s.item()))
        .collect::<Result<_>>()?;
    assert!(sums.iter().all(|&s| s == 4.0 * n as f32));
    Ok(())
}

fn bad_slices_are_errors(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[0, 1, 2, 3], &[4])?;
    // NumPy clips ranges: x[1:10] is x[1:4].
    assert_eq!(a.slice(s![1..10])?.to_vec()?, vec![1, 2, 3]);
    assert_eq!(a.slice(s![..;usize::MAX])?.to_vec()?, vec![0]);
    assert_eq!(a.slice(s![..;-isize::MAX])?.to_vec()?, vec![3]);
    for e in [
        a.slice(s![usize::MAX]).unwrap_err(),
        a.slice(s![4]).unwrap_err(),
        a.slice(s![-5]).unwrap_err(),
        a.slice(s![..;0]).unwrap_err(),
        a.slice(s![..;isize::MIN]).unwrap_err(),
    ] {
        assert!(matches!(e, Error::Index(_) | Error::Value(_)), "{e}");
    }
    assert_eq!(
        a.slice(s![4]).unwrap_err().to_string(),
        "index 4 is out of bounds for axis 0 with size 4"
    );
    Ok(())
}

test_device!(
    reuse_without_synchronize,
    large_temporaries_stay_bounded,
    stencil_reaches_a_steady_state,
    memory_limit,
    uploads_do_not_wait,
    rayon_tasks_and_shared_readers,
    bad_slices_are_errors
);
