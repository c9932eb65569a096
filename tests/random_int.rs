//! Bounded integer draws and permutations on both backends: ranges,
//! uniformity, slicing stability, the same stream on every device, errors.

mod common;

use ndgpu::{random, s, Device, Error, Result};

/// Pearson's chi-square statistic of `counts` against equal expectations.
fn chi_square(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    let e = total as f64 / counts.len() as f64;
    counts.iter().map(|&c| (c as f64 - e).powi(2) / e).sum()
}

/// A bound on chi-square with `df` degrees of freedom that a uniform draw
/// passes except with probability far below 1e-6: the Wilson–Hilferty
/// quantile at z = 6 (the seeds are fixed, so the tests cannot flake; a
/// biased generator fails by orders of magnitude).
fn chi_bound(df: usize) -> f64 {
    let k = df as f64;
    let h = 2.0 / (9.0 * k);
    k * (1.0 - h + 6.0 * h.sqrt()).powi(3)
}

fn values_in_range(dev: &Device) -> Result<()> {
    for (low, high) in [
        (0, 1),
        (-3, 4),
        (1, 7),
        (-1000, 1000),
        (i32::MIN, 0),
        (0, i32::MAX),
        (-(1 << 30), (1 << 30) + 1),
        (i32::MAX - 1, i32::MAX),
        (i32::MIN, i32::MIN + 1),
    ] {
        let v = random::integers(dev, &[3, 1001], low, high, 17)?;
        assert_eq!(v.shape(), &[3, 1001]);
        let v = v.to_vec()?;
        assert!(
            v.iter().all(|&x| low <= x && x < high),
            "[{low}, {high}): {:?}",
            v.iter().find(|&&x| !(low <= x && x < high))
        );
        if i64::from(high) - i64::from(low) == 1 {
            assert!(v.iter().all(|&x| x == low));
        }
    }
    // The u32 form is the same draw shifted: the same range size gives
    // the same offsets from `low`.
    let i = random::integers(dev, &[5000], -3, 4, 2)?.to_vec()?;
    let u = random::integers_u32(dev, &[5000], 10, 17, 2)?.to_vec()?;
    assert!(u.iter().all(|&x| (10..17).contains(&x)));
    for (a, b) in i.iter().zip(&u) {
        assert_eq!(a + 3, *b as i32 - 10);
    }
    let u = random::integers_u32(dev, &[4096], u32::MAX - 5, u32::MAX, 9)?.to_vec()?;
    assert!(u.iter().all(|&x| (u32::MAX - 5..u32::MAX).contains(&x)));
    // Deterministic for a seed; other seeds differ.
    assert_eq!(random::integers(dev, &[5000], -3, 4, 2)?.to_vec()?, i);
    assert_ne!(random::integers(dev, &[5000], -3, 4, 3)?.to_vec()?, i);
    assert_eq!(random::integers(dev, &[0], 0, 5, 1)?.len(), 0);
    Ok(())
}

fn uniform_frequencies(dev: &Device) -> Result<()> {
    let n = 1 << 20;
    // Range 7: counts of each value, chi-square with 6 degrees of freedom
    // (the bound is 57; a 3% excess of one value alone adds about 130).
    let v = random::integers(dev, &[n], -3, 4, 123)?.to_vec()?;
    let mut c7 = [0u64; 7];
    for x in &v {
        c7[(x + 3) as usize] += 1;
    }
    let chi = chi_square(&c7);
    assert!(chi < chi_bound(6), "range 7: chi-square {chi}, {c7:?}");
    // Range 1000 at an offset inside a block: 999 degrees of freedom.
    let v = random::integers_at(dev, &[n], 0, 1000, 77, 3)?.to_vec()?;
    let mut c = vec![0u64; 1000];
    for x in &v {
        c[*x as usize] += 1;
    }
    let chi = chi_square(&c);
    assert!(chi < chi_bound(999), "range 1000: chi-square {chi}");
    // Range 2^31 + 1, where almost half of all first words are rejected:
    // the top and bottom values and 64 equal bins (a draw that kept the
    // rejected words would put twice the mass on some of them).
    let s = (1u64 << 31) + 1;
    let low = -(1 << 30);
    let v = random::integers(dev, &[n], low, (1 << 30) + 1, 5)?.to_vec()?;
    let mut c = vec![0u64; 64];
    for x in &v {
        c[((i64::from(*x) - i64::from(low)) as u64 * 64 / s) as usize] += 1;
    }
    let chi = chi_square(&c);
    assert!(chi < chi_bound(63), "range 2^31 + 1: chi-square {chi}");
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n as f64;
    // Mean 0 (the range [-2^30, 2^30] is symmetric about 0), standard
    // error 2^31 / sqrt(12 n) = 6.0e5: five of them.
    assert!(mean.abs() < 3e6, "mean {mean}");
    // The full range: 16 bins of the top bits, and both ends reached in sign.
    let v = random::integers(dev, &[n], i32::MIN, i32::MAX, 8)?.to_vec()?;
    assert!(v.iter().all(|&x| x != i32::MAX));
    let mut c = [0u64; 16];
    for x in &v {
        c[((*x as u32) ^ 0x8000_0000) as usize >> 28] += 1;
    }
    let chi = chi_square(&c);
    assert!(chi < chi_bound(15), "full range: chi-square {chi}");
    let mut sorted = v.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert!(sorted.len() > n - 1000, "{} distinct of {n}", sorted.len());
    Ok(())
}

fn slices_are_counter_ranges(dev: &Device) -> Result<()> {
    // With a range that rejects often, so retries are part of what must match.
    let hi = (1 << 30) + 1;
    let all = random::integers(dev, &[1000], -(1 << 30), hi, 99)?;
    for (off, len) in [(0usize, 1000usize), (1, 7), (3, 200), (250, 100), (997, 3)] {
        let part = random::integers_at(dev, &[len], -(1 << 30), hi, 99, off as u64)?;
        assert_eq!(
            all.slice(s![off as isize..(off + len) as isize])?
                .to_vec()?,
            part.to_vec()?,
            "offset {off}"
        );
    }
    let all = random::integers_u32(dev, &[64, 64], 5, 1005, 1)?.to_vec()?;
    let part = random::integers_u32_at(dev, &[10, 100], 5, 1005, 1, 1234)?.to_vec()?;
    assert_eq!(part, all[1234..2234].to_vec());
    // Where no word is rejected (a power-of-two range), a draw is the top
    // bits of the raw stream.
    let b = random::bits_at(dev, &[100], 4, 6)?.to_vec()?;
    let d = random::integers_at(dev, &[100], -8, 8, 4, 6)?.to_vec()?;
    for (w, x) in b.iter().zip(&d) {
        assert_eq!(*x, (w >> 28) as i32 - 8);
    }
    // The last words of the stream, and one past it.
    let tail = random::integers_at(dev, &[5], 0, 3, 4, u32::MAX as u64 - 4)?.to_vec()?;
    assert!(tail.iter().all(|x| (0..3).contains(x)));
    assert!(random::integers_at(dev, &[5], 0, 3, 4, u32::MAX as u64 - 3).is_err());
    Ok(())
}

fn errors(dev: &Device) -> Result<()> {
    for (low, high) in [(5, 5), (6, 5), (i32::MAX, i32::MIN), (0, 0)] {
        match random::integers(dev, &[4], low, high, 1) {
            Err(Error::Value(m)) => assert_eq!(m, "high <= low"),
            other => panic!("[{low}, {high}): {other:?}"),
        }
    }
    for (low, high) in [(5u32, 5u32), (u32::MAX, 0), (7, 3)] {
        match random::integers_u32(dev, &[4], low, high, 1) {
            Err(Error::Value(m)) => assert_eq!(m, "high <= low"),
            other => panic!("[{low}, {high}): {other:?}"),
        }
    }
    assert!(matches!(
        random::integers_at(dev, &[10], 0, 3, 0, u32::MAX as u64),
        Err(Error::Value(_))
    ));
    assert!(matches!(
        random::permutation(dev, (1 << 32) + 1, 0),
        Err(Error::Value(_))
    ));
    Ok(())
}

fn permutations(dev: &Device) -> Result<()> {
    for n in [0usize, 1, 2, 5, 1000, 100_003] {
        let p = random::permutation(dev, n, 31)?;
        assert_eq!(p.shape(), &[n]);
        let p = p.to_vec()?;
        let mut sorted = p.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..n as u32).collect::<Vec<_>>(), "n = {n}");
        assert_eq!(
            random::permutation(dev, n, 31)?.to_vec()?,
            p,
            "deterministic"
        );
    }
    // The documented algorithm: an inside-out Fisher–Yates whose step i
    // draws its slot as `integers_u32_at` draws [0, i + 1) at word i.
    let n = 300;
    let mut want = vec![0u32; n];
    for i in 0..n {
        let j = random::integers_u32_at(dev, &[1], 0, i as u32 + 1, 44, i as u64)?.item()?;
        want[i] = want[j as usize];
        want[j as usize] = i as u32;
    }
    assert_eq!(random::permutation(dev, n, 44)?.to_vec()?, want);
    let a = random::permutation(dev, 1000, 1)?.to_vec()?;
    let b = random::permutation(dev, 1000, 2)?.to_vec()?;
    assert_ne!(a, b);
    // Shuffled, not near the identity: a random permutation of 1000 has
    // about one fixed point.
    let fixed = a
        .iter()
        .enumerate()
        .filter(|(i, &x)| *i as u32 == x)
        .count();
    assert!(fixed < 10, "{fixed} fixed points");
    Ok(())
}

test_device!(
    values_in_range,
    uniform_frequencies,
    slices_are_counter_ranges,
    errors,
    permutations
);

/// Every permutation of 4 equally often over 24,000 seeds, and each of 10
/// values equally often in each place over 20,000 seeds (the shuffle runs on
/// the host for both backends, so the CPU backend stands for both).
#[test]
fn permutations_are_uniform() {
    common::checked(&Device::cpu(), |dev| {
        let mut c = vec![0u64; 24];
        for seed in 0..24_000 {
            let p = random::permutation(dev, 4, seed)?.to_vec()?;
            // The permutation's rank in the factorial number system.
            let mut rank = 0;
            for i in 0..4 {
                let smaller = p[i + 1..].iter().filter(|&&x| x < p[i]).count();
                rank = rank * (4 - i) + smaller;
            }
            c[rank] += 1;
        }
        let chi = chi_square(&c);
        assert!(chi < chi_bound(23), "orders of 4: chi-square {chi} {c:?}");
        let mut place = vec![0u64; 100];
        for seed in 0..20_000 {
            let p = random::permutation(dev, 10, 1_000_000 + seed)?.to_vec()?;
            for (i, &x) in p.iter().enumerate() {
                place[i * 10 + x as usize] += 1;
            }
        }
        let chi = chi_square(&place);
        // The 100 cells have 81 degrees of freedom; 99 is conservative.
        assert!(chi < chi_bound(99), "places of 10: chi-square {chi}");
        Ok(())
    });
}

/// The same seed gives the same integers and permutations bit for bit on
/// the CPU backend and the GPU, retries included.
#[test]
fn integers_are_identical_across_devices() {
    let Some(gpu) = common::gpu() else { return };
    let cpu = Device::cpu();
    let cpu_guard = cpu.leak_check();
    common::checked(&gpu, |g| {
        let n = 1 << 20;
        for (low, high, off) in [
            (0, 7, 0u64),
            (-500, 500, 3),
            (-(1 << 30), (1 << 30) + 1, 1),
            (i32::MIN, i32::MAX, 2),
            (i32::MIN, -(1 << 30) - 7, 5),
            (3, 4, 0),
        ] {
            let (a, b) = (
                random::integers_at(g, &[n], low, high, 2024, off)?.to_vec()?,
                random::integers_at(&cpu, &[n], low, high, 2024, off)?.to_vec()?,
            );
            if let Some(i) = (0..n).find(|&i| a[i] != b[i]) {
                panic!(
                    "[{low}, {high}) at {off}: element {i}: gpu {} cpu {}",
                    a[i], b[i]
                );
            }
        }
        let shape = [257, 129];
        assert_eq!(
            random::integers_u32(g, &shape, 1, 3_000_000_000, 6)?.to_vec()?,
            random::integers_u32(&cpu, &shape, 1, 3_000_000_000, 6)?.to_vec()?
        );
        for n in [0, 1, 2, 1000, 100_003] {
            assert_eq!(
                random::permutation(g, n, 11)?.to_vec()?,
                random::permutation(&cpu, n, 11)?.to_vec()?,
                "n = {n}"
            );
        }
        Ok(())
    });
    cpu_guard.finish().unwrap();
}
