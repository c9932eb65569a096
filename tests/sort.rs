//! Sorting on both backends against values NumPy printed
//! (`kind="stable"`), adversarial inputs, strided views, and a property
//! test that the GPU's sort and argsort equal the CPU's.

mod common;

use ndgpu::{s, Array, Device, Result};
use proptest::prelude::*;

const NAN: f32 = f32::NAN;
const INF: f32 = f32::INFINITY;

/// The values with their sign bits, so `-0.0` and `0.0` are told apart and
/// NaN equals NaN.
fn bits(v: &[f32]) -> Vec<u32> {
    v.iter()
        .map(|x| if x.is_nan() { u32::MAX } else { x.to_bits() })
        .collect()
}

fn numpy_cases(dev: &Device) -> Result<()> {
    let a = Array::from_slice(
        dev,
        &[
            3.0, NAN, -1.0, 0.0, -0.0, 2.0, -INF, 2.0, INF, 1.0, 1.0, -0.0, NAN, -5.5, 0.0, 1.0,
        ],
        &[2, 8],
    )?;
    // np.sort(a, axis=1, kind="stable"), signs of zeros included.
    assert_eq!(
        bits(&a.sort(Some(1))?.to_vec()?),
        bits(&[
            -INF, -1.0, 0.0, -0.0, 2.0, 2.0, 3.0, NAN, -5.5, -0.0, 0.0, 1.0, 1.0, 1.0, INF, NAN
        ])
    );
    assert_eq!(
        a.argsort(Some(1))?.to_vec()?,
        vec![6, 2, 3, 4, 5, 7, 0, 1, 5, 3, 6, 1, 2, 7, 0, 4]
    );
    // Along axis 0 (a transposed walk), values and indices.
    assert_eq!(
        bits(&a.sort(Some(0))?.to_vec()?),
        bits(&[
            3.0, 1.0, -1.0, 0.0, -0.0, -5.5, -INF, 1.0, INF, NAN, 1.0, -0.0, NAN, 2.0, 0.0, 2.0
        ])
    );
    assert_eq!(
        a.argsort(Some(0))?.to_vec()?,
        vec![0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0]
    );
    // axis None flattens.
    let flat = a.sort(None)?;
    assert_eq!(flat.shape(), &[16]);
    assert_eq!(flat.to_vec()?[..3], [-INF, -5.5, -1.0]);
    // Integers: the ends of the range, ties stable.
    let b = Array::from_slice(dev, &[5, -3, 5, 0, i32::MIN, i32::MAX, -3, 7], &[8])?;
    assert_eq!(b.argsort(Some(0))?.to_vec()?, vec![4, 1, 6, 3, 0, 2, 7, 5]);
    assert_eq!(
        b.sort(Some(0))?.to_vec()?,
        vec![i32::MIN, -3, -3, 0, 5, 5, 7, i32::MAX]
    );
    let u = Array::from_slice(dev, &[u32::MAX, 0, 7, 7, 1], &[5])?;
    assert_eq!(u.argsort(Some(0))?.to_vec()?, vec![1, 4, 2, 3, 0]);
    let m = Array::from_slice(dev, &[true, false, true, false], &[4])?;
    assert_eq!(m.argsort(Some(0))?.to_vec()?, vec![1, 3, 0, 2]);
    Ok(())
}

fn adversarial(dev: &Device) -> Result<()> {
    // Sorted, reversed, all equal, lengths around the GPU's 1024-element
    // tiles; each against a stable sort here.
    for n in [1usize, 2, 255, 1023, 1024, 1025, 5000] {
        let inputs: Vec<Vec<i32>> = vec![
            (0..n as i32).collect(),
            (0..n as i32).rev().collect(),
            vec![7; n],
            (0..n as i32).map(|i| (i * 7919) % 13 - 6).collect(),
        ];
        for x in inputs {
            let a = Array::from_slice(dev, &x, &[n])?;
            let mut want: Vec<u32> = (0..n as u32).collect();
            want.sort_by_key(|&i| x[i as usize]);
            assert_eq!(a.argsort(Some(0))?.to_vec()?, want, "n = {n}");
            let mut sorted = x.clone();
            sorted.sort();
            assert_eq!(a.sort(Some(0))?.to_vec()?, sorted);
        }
    }
    // Empty and 0-d.
    let e = Array::<f32>::zeros(dev, &[0, 3])?;
    assert_eq!(e.sort(Some(1))?.shape(), &[0, 3]);
    assert_eq!(e.argsort(Some(0))?.shape(), &[0, 3]);
    let z = Array::from_slice(dev, &[4.0f32], &[])?;
    assert_eq!(z.sort(None)?.to_vec()?, vec![4.0]);
    // A strided view, and in place through one.
    let base = Array::from_slice(dev, &[9, 1, 8, 2, 7, 3, 6, 4], &[8])?;
    let v = base.slice(s![..;-2])?; // [4, 3, 2, 1]
    assert_eq!(v.sort(Some(0))?.to_vec()?, vec![1, 2, 3, 4]);
    v.sort_inplace(0)?;
    assert_eq!(base.to_vec()?, vec![9, 4, 8, 3, 7, 2, 6, 1]);
    // Errors: axis out of range, read-only target.
    assert_eq!(
        base.sort(Some(1)).unwrap_err().to_string(),
        "axis 1 is out of bounds for array of dimension 1"
    );
    let ro = base.broadcast_to(&[2, 8])?;
    assert!(ro.sort_inplace(1).is_err());
    assert_eq!(base.to_vec()?, vec![9, 4, 8, 3, 7, 2, 6, 1]);
    Ok(())
}

/// Many lanes (a 3-D array along its middle axis) against a loop here.
fn lanes(dev: &Device) -> Result<()> {
    let (p, l, q) = (7, 300, 5);
    let x: Vec<f32> = (0..p * l * q)
        .map(|i| ((i * 7919) % 1009) as f32 - 500.0)
        .collect();
    let a = Array::from_slice(dev, &x, &[p, l, q])?;
    let got = a.argsort(Some(1))?.to_vec()?;
    for i in 0..p {
        for k in 0..q {
            let lane: Vec<f32> = (0..l).map(|j| x[(i * l + j) * q + k]).collect();
            let mut want: Vec<u32> = (0..l as u32).collect();
            want.sort_by(|&u, &v| lane[u as usize].total_cmp(&lane[v as usize]));
            let g: Vec<u32> = (0..l).map(|j| got[(i * l + j) * q + k]).collect();
            assert_eq!(g, want);
        }
    }
    Ok(())
}

/// Inputs the CPU's bucketed sort finds hard, at lengths around its
/// thresholds (64-key buckets, 2^16 keys for the parallel pass, buckets
/// over 2^18 keys split again): all equal, two values, keys that share
/// their top bits, zeros of both signs and NaN payloads; each against a
/// stable `sort_by` here, bit for bit.
fn skewed(dev: &Device) -> Result<()> {
    let nan2 = f32::from_bits(0x7fc0_0001);
    for n in [64usize, 65, 65_535, 65_536, 65_537, 700_000] {
        let mut r = 0x9e37_79b9_u32;
        let mut rnd = move || {
            r ^= r << 13;
            r ^= r >> 17;
            r ^= r << 5;
            r
        };
        let inputs: Vec<Vec<f32>> = vec![
            vec![2.5; n],
            (0..n)
                .map(|_| if rnd() & 1 == 0 { -3.0 } else { 7.0 })
                .collect(),
            // 1.0 and the next 2^12 floats up: one top-level bucket.
            (0..n)
                .map(|_| f32::from_bits(0x3f80_0000 + (rnd() & 0xfff)))
                .collect(),
            (0..n)
                .map(|_| match rnd() % 8 {
                    0 => -0.0,
                    1 => 0.0,
                    2 => NAN,
                    3 => nan2,
                    4 => -INF,
                    _ => f32::from_bits(rnd()),
                })
                .collect(),
        ];
        for x in inputs {
            let a = Array::from_slice(dev, &x, &[n])?;
            let mut want = x.clone();
            want.sort_by(|a, b| {
                a.partial_cmp(b)
                    .unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
            });
            let got = a.sort(None)?.to_vec()?;
            let raw = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            if dev.is_cpu() {
                // The GPU's sort gives canonical NaNs; the CPU keeps payloads.
                assert_eq!(raw(&got), raw(&want), "n = {n}");
            } else {
                assert_eq!(bits(&got), bits(&want), "n = {n}");
            }
        }
    }
    Ok(())
}

test_device!(numpy_cases, adversarial, lanes, skewed);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]
    /// The GPU's sort and argsort equal the CPU's on random inputs of
    /// random lengths up to a few million.
    #[test]
    fn gpu_matches_cpu(n in 1usize..3_000_000, seed in 0u64..1000, small in any::<bool>()) {
        let Some(gpu) = common::gpu() else { return Ok(()) };
        let cpu = Device::cpu();
        let (gc, cc) = (gpu.leak_check(), cpu.leak_check());
        let hi = if small { 50 } else { i32::MAX };
        let x = ndgpu::random::integers(&cpu, &[n], -hi, hi, seed).unwrap();
        let f = x.astype::<f32>().unwrap().to_vec().unwrap();
        let a = Array::from_slice(&cpu, &f, &[n]).unwrap();
        let g = Array::from_slice(&gpu, &f, &[n]).unwrap();
        prop_assert_eq!(g.argsort(None).unwrap().to_vec().unwrap(), a.argsort(None).unwrap().to_vec().unwrap());
        prop_assert_eq!(g.sort(None).unwrap().to_vec().unwrap(), a.sort(None).unwrap().to_vec().unwrap());
        drop((x, a, g));
        gc.finish().unwrap();
        cc.finish().unwrap();
    }
}
