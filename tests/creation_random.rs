//! Casts, creation routines and seeded random arrays on both backends.

mod common;

use approx::assert_relative_eq;
use ndgpu::{random, s, Array, Axes, Device, Result};

fn casts_at_the_edges(dev: &Device) -> Result<()> {
    // np.array([-2.7, -0.5, 0.5, 2.7, 1e10, -1e10], np.float32).astype(np.int32)
    // truncates toward zero; out of range NumPy is undefined, ndgpu saturates.
    let f = Array::from_slice(
        dev,
        &[-2.7f32, -0.5, 0.5, 2.7, 1e10, -1e10, f32::NAN, 2147483520.0],
        &[8],
    )?;
    assert_eq!(
        f.astype::<i32>()?.to_vec()?,
        vec![-2, 0, 0, 2, i32::MAX, i32::MIN, 0, 2147483520]
    );
    assert_eq!(
        f.astype::<u32>()?.to_vec()?,
        vec![0, 0, 0, 2, u32::MAX, 0, 0, 2147483520]
    );
    // np.array([-1, 7], np.int32).astype(np.uint32) == [4294967295, 7]: the bits wrap.
    let i = Array::from_slice(dev, &[-1i32, 7], &[2])?;
    assert_eq!(i.astype::<u32>()?.to_vec()?, vec![u32::MAX, 7]);
    assert_eq!(i.astype::<u32>()?.astype::<i32>()?.to_vec()?, vec![-1, 7]);
    let big = Array::from_slice(dev, &[16_777_217u32, 3], &[2])?;
    assert_eq!(
        big.astype::<f32>()?.to_vec()?,
        vec![16_777_216.0, 3.0],
        "rounds to nearest f32"
    );
    // A cast reads through a strided view.
    let m = Array::from_vec(dev, (0..6).map(|x| x as f32 + 0.5).collect(), &[2, 3])?;
    assert_eq!(m.t().astype::<i32>()?.to_vec()?, vec![0, 3, 1, 4, 2, 5]);
    Ok(())
}

fn creation(dev: &Device) -> Result<()> {
    // np.arange(2, 11, 3) == [2 5 8]; np.arange(5, 0, -2) == [5 3 1]
    assert_eq!(Array::arange(dev, 2, 11, 3)?.to_vec()?, vec![2, 5, 8]);
    assert_eq!(Array::arange(dev, 5, 0, -2)?.to_vec()?, vec![5, 3, 1]);
    assert_eq!(Array::arange(dev, 3u32, 3, 1)?.len(), 0);
    assert!(Array::arange(dev, 0, 5, 0).is_err());
    // np.arange(0, 1, 0.01, dtype=np.float32) has 100 elements, and
    // np.arange(0, 7, 0.7, dtype=np.float32) 10: the length is computed in f32.
    assert_eq!(Array::arange(dev, 0.0f32, 1.0, 0.01)?.len(), 100);
    assert_eq!(Array::arange(dev, 0.0f32, 7.0, 0.7)?.len(), 10);
    assert!(Array::arange(dev, 0.0f32, f32::NAN, 1.0).is_err());
    let n = 100_003;
    let a = Array::arange(dev, 0.0f32, n as f32 * 0.5, 0.5)?.to_vec()?;
    assert_eq!(a.len(), n);
    for (i, x) in a.iter().enumerate() {
        assert_eq!(*x, i as f32 * 0.5);
    }
    // np.linspace(0, 1, 5) == [0. 0.25 0.5 0.75 1.]
    assert_eq!(
        Array::linspace(dev, 0.0f32, 1.0, 5)?.to_string(),
        "[0.   0.25 0.5  0.75 1.  ]"
    );
    let l = Array::linspace(dev, -1.0f32, 2.0, 7)?.to_vec()?;
    for (i, x) in l.iter().enumerate() {
        assert_relative_eq!(*x, -1.0 + 0.5 * i as f32, epsilon = 1e-6);
    }
    assert_eq!(
        Array::<f32>::linspace(dev, 3.0, 9.0, 1)?.to_vec()?,
        vec![3.0]
    );
    // np.eye(3)
    assert_eq!(
        Array::<i32>::eye(dev, 3)?.to_string(),
        "[[1 0 0]\n [0 1 0]\n [0 0 1]]"
    );
    let m = Array::<f32>::zeros(dev, &[2, 3])?;
    assert_eq!(Array::full_like(&m, 7.0)?.to_vec()?, vec![7.0; 6]);
    assert_eq!(Array::ones_like(&m)?.shape(), &[2, 3]);
    assert_eq!(Array::zeros_like(&m)?.to_vec()?, vec![0.0; 6]);
    Ok(())
}

fn random_moments(dev: &Device) -> Result<()> {
    let n = 1 << 20;
    // Uniform on [0, 1): mean 1/2, variance 1/12; 1M draws give standard
    // errors of 3e-4 and 8e-5, so 5e-3 and 1e-3 are far outside chance.
    let u = random::uniform(dev, &[n], 0.0, 1.0, 7)?;
    let (mean, var) = (
        u.mean(Axes::All, false)?.item()?,
        u.var(Axes::All, 0, false)?.item()?,
    );
    assert!(
        (mean - 0.5).abs() < 5e-3 && (var - 1.0 / 12.0).abs() < 1e-3,
        "{mean} {var}"
    );
    assert!(u.min(Axes::All, false)?.item()? >= 0.0 && u.max(Axes::All, false)?.item()? < 1.0);
    // Ten equal bins, each within 2% of n/10.
    let v = u.to_vec()?;
    let mut bins = [0usize; 10];
    for x in &v {
        bins[(x * 10.0) as usize] += 1;
    }
    for b in bins {
        assert!(
            (b as f64 - n as f64 / 10.0).abs() < n as f64 * 0.002,
            "{bins:?}"
        );
    }
    let g = random::normal(dev, &[n], 3.0, 2.0, 11)?;
    let (mean, std) = (
        g.mean(Axes::All, false)?.item()?,
        g.std(Axes::All, 0, false)?.item()?,
    );
    assert!(
        (mean - 3.0).abs() < 0.01 && (std - 2.0).abs() < 0.01,
        "{mean} {std}"
    );
    // Different seeds differ.
    let u2 = random::uniform(dev, &[16], 0.0, 1.0, 8)?.to_vec()?;
    assert_ne!(u2, v[..16].to_vec());
    assert_eq!(
        random::normal(dev, &[2], 0.0, -1.0, 1)
            .unwrap_err()
            .to_string(),
        "scale < 0"
    );
    Ok(())
}

fn slices_are_counter_ranges(dev: &Device) -> Result<()> {
    let all = random::uniform(dev, &[1000], -2.0, 5.0, 99)?;
    let part = random::uniform_at(dev, &[100], -2.0, 5.0, 99, 250)?;
    assert_eq!(all.slice(s![250..350])?.to_vec()?, part.to_vec()?);
    let nall = random::normal(dev, &[64], 0.0, 1.0, 5)?;
    let npart = random::normal_at(dev, &[8], 0.0, 1.0, 5, 13)?;
    assert_eq!(nall.slice(s![13..21])?.to_vec()?, npart.to_vec()?);
    // The raw stream is the documented Philox word sequence.
    let b = random::bits_at(dev, &[2, 3], 1234, 6)?.to_vec()?;
    let want: Vec<u32> = (6..12).map(|w| random::word(1234, w)).collect();
    assert_eq!(b, want);
    assert!(random::bits_at(dev, &[10], 0, u32::MAX as u64).is_err());
    Ok(())
}

test_device!(
    casts_at_the_edges,
    creation,
    random_moments,
    slices_are_counter_ranges
);

/// The same seed gives the same raw words and the same uniform [0, 1) floats
/// bit for bit on the CPU backend and the GPU; other transforms agree to
/// 1e-6 (relative past |x| = 1).
#[test]
fn random_is_identical_across_devices() {
    let Some(gpu) = common::gpu() else { return };
    let cpu = Device::cpu();
    let cpu_guard = cpu.leak_check();
    common::checked(&gpu, |g| {
        let shape = [257, 129];
        let (bg, bc) = (
            random::bits(g, &shape, 2024)?.to_vec()?,
            random::bits(&cpu, &shape, 2024)?.to_vec()?,
        );
        assert_eq!(bg, bc);
        let (ug, uc) = (
            random::uniform(g, &shape, 0.0, 1.0, 3)?.to_vec()?,
            random::uniform(&cpu, &shape, 0.0, 1.0, 3)?.to_vec()?,
        );
        assert_eq!(
            ug.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            uc.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        let (rg, rc) = (
            random::uniform(g, &shape, -3.0, 8.0, 3)?.to_vec()?,
            random::uniform(&cpu, &shape, -3.0, 8.0, 3)?.to_vec()?,
        );
        for (a, b) in rg.iter().zip(&rc) {
            assert_relative_eq!(a, b, max_relative = 1e-6, epsilon = 1e-6);
        }
        // normal: within 1e-6 * max(1, |x|) for every one of 1M draws, at
        // an offset that starts mid-block, and scaled and shifted.
        let n = 1 << 20;
        let (ng, nc) = (
            random::normal_at(g, &[n], 0.0, 1.0, 9, 3)?.to_vec()?,
            random::normal_at(&cpu, &[n], 0.0, 1.0, 9, 3)?.to_vec()?,
        );
        let mut worst = 0.0f32;
        for (i, (a, b)) in ng.iter().zip(&nc).enumerate() {
            let err = (a - b).abs() / b.abs().max(1.0);
            worst = worst.max(err);
            assert!(err <= 1e-6, "element {i}: gpu {a} cpu {b}");
        }
        eprintln!("normal: worst GPU/CPU difference {worst:e} (relative past |x| = 1)");
        let (ng, nc) = (
            random::normal(g, &shape, 1.0, 0.5, 9)?.to_vec()?,
            random::normal(&cpu, &shape, 1.0, 0.5, 9)?.to_vec()?,
        );
        for (a, b) in ng.iter().zip(&nc) {
            assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{a} vs {b}");
        }
        let (ug, uc) = (
            random::uniform_at(g, &[1001], 0.0, 1.0, 3, 5)?.to_vec()?,
            random::uniform_at(&cpu, &[1001], 0.0, 1.0, 3, 5)?.to_vec()?,
        );
        assert_eq!(ug, uc, "uniform at an offset inside a block");
        Ok(())
    });
    cpu_guard.finish().unwrap();
}
