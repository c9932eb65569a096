//! Operators on owned arrays with temporary elision, the scalar `_into`
//! forms, and the device's work counters.

mod common;

use ndgpu::{s, Array, BinaryOp, Device, Result};

fn data(n: usize, k: f32) -> Vec<f32> {
    (0..n).map(|i| (i as f32 * 0.37 + k).sin() * 4.0).collect()
}

fn chains_allocate_one_buffer(dev: &Device) -> Result<()> {
    let n = 4096;
    let (ha, hb, hc) = (data(n, 0.0), data(n, 1.0), data(n, 2.0));
    let a = Array::from_slice(dev, &ha, &[n])?;
    let b = Array::from_slice(dev, &hb, &[n])?;
    let c = Array::from_slice(dev, &hc, &[n])?;
    let live = dev.memory().live_bytes;
    dev.reset_peak_bytes();
    // y = (a*2 + b) * c: the first product's buffer takes every later result.
    let y = (&a * 2.0 + &b) * &c;
    let extra = dev.memory().peak_bytes - live;
    assert_eq!(extra, (n * 4) as u64, "one new array, not three");
    let got = y.to_vec()?;
    for i in 0..n {
        let want = (ha[i] * 2.0 + hb[i]) * hc[i];
        assert!((got[i] - want).abs() <= 1e-5 * want.abs().max(1.0), "{i}");
    }
    // Every operand form: owned on the left, on the right, on both sides,
    // scalars on either side, negation.
    let z = 1.0 - (-(&a - &b) / (&c * &c + 1.0));
    let w = (&a + &b) * (&b + &c) + (&c - &a);
    let (gz, gw) = (z.to_vec()?, w.to_vec()?);
    for i in 0..n {
        let wz = 1.0 - (-(ha[i] - hb[i]) / (hc[i] * hc[i] + 1.0));
        let ww = (ha[i] + hb[i]) * (hb[i] + hc[i]) + (hc[i] - ha[i]);
        assert!((gz[i] - wz).abs() <= 1e-5 * wz.abs().max(1.0), "{i}");
        assert!((gw[i] - ww).abs() <= 1e-5 * ww.abs().max(1.0), "{i}");
    }
    Ok(())
}

fn shared_operands_are_never_overwritten(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[1, 2, 3, 4], &[4])?;
    // Another handle, a view, and a broadcast: none may take the result.
    let alias = a.clone();
    let y = alias * 10;
    assert_eq!(y.to_vec()?, vec![10, 20, 30, 40]);
    assert_eq!(a.to_vec()?, vec![1, 2, 3, 4]);
    let v = a.slice(s![1..3])?;
    let y = v + 100;
    assert_eq!(
        (y.to_vec()?, a.to_vec()?),
        (vec![102, 103], vec![1, 2, 3, 4])
    );
    // An owned operand of the wrong shape: the result is broadcast bigger.
    let row = Array::from_slice(dev, &[1, 2], &[2])?;
    let m = Array::from_slice(dev, &[10, 20, 30, 40], &[2, 2])?;
    let y = row + &m;
    assert_eq!(
        (y.shape(), y.to_vec()?),
        (&[2, 2][..], vec![11, 22, 31, 42])
    );
    let mut acc = Array::<i32>::zeros(dev, &[2, 2])?;
    acc += m;
    assert_eq!(acc.to_vec()?, vec![10, 20, 30, 40]);
    Ok(())
}

fn scalar_into(dev: &Device) -> Result<()> {
    let h = [7.5f32, -2.0, 3.25, 0.5];
    let a = Array::from_slice(dev, &h, &[4])?;
    let out = Array::<f32>::zeros(dev, &[2, 4])?;
    for op in BinaryOp::ALL {
        // Into a view of a bigger array, against the allocating form.
        let row = out.slice(s![1])?;
        a.binary_scalar_into(op, 2.0, &row)?;
        assert_eq!(row.to_vec()?, a.binary_scalar(op, 2.0)?.to_vec()?, "{op:?}");
    }
    a.mul_scalar_into(3.0, &out.slice(s![0])?)?;
    assert_eq!(out.slice(s![0])?.to_vec()?, vec![22.5, -6.0, 9.75, 1.5]);
    // In place, as NumPy's np.multiply(a, 2, out=a).
    a.mul_scalar_into(2.0, &a)?;
    assert_eq!(a.to_vec()?, vec![15.0, -4.0, 6.5, 1.0]);
    // A read-only or wrongly shaped out is an error and changes nothing.
    let ro = a.broadcast_to(&[4])?;
    assert!(a.add_scalar_into(1.0, &ro).is_err());
    assert!(a.add_scalar_into(1.0, &out.slice(s![.., ..2])?).is_err());
    assert_eq!(a.to_vec()?, vec![15.0, -4.0, 6.5, 1.0]);
    Ok(())
}

fn counters(dev: &Device) -> Result<()> {
    let before = dev.counters();
    let a = Array::from_slice(dev, &[1.0f32; 64], &[64])?;
    a.add_scalar_inplace(1.0)?;
    a.mul_scalar_inplace(2.0)?;
    assert_eq!(a.to_vec()?, vec![4.0; 64]);
    let after = dev.counters();
    if dev.is_cpu() {
        assert_eq!(after, before);
    } else {
        assert_eq!(after.dispatches - before.dispatches, 2);
        assert_eq!(after.bytes_uploaded - before.bytes_uploaded, 256);
        assert_eq!(after.bytes_read_back - before.bytes_read_back, 256);
        assert!(after.submits > before.submits);
    }
    Ok(())
}

test_device!(
    chains_allocate_one_buffer,
    shared_operands_are_never_overwritten,
    scalar_into,
    counters
);

fn large_strided_views(dev: &Device) -> Result<()> {
    // Big enough for the CPU evaluator's parallel path, through strided,
    // transposed and broadcast layouts, against plain loops.
    let (r, c) = (600, 700);
    let h: Vec<f32> = (0..r * c).map(|i| (i % 97) as f32 - 40.0).collect();
    let m = Array::from_slice(dev, &h, &[r, c])?;
    m.slice(s![.., ..;2])?.mul_scalar_inplace(3.0)?; // m[:, ::2] *= 3
    let row: Vec<f32> = (0..c).map(|j| j as f32 * 0.5).collect();
    let rowa = Array::from_slice(dev, &row, &[c])?;
    m.add_inplace(&rowa)?; // m += row (broadcast)
    let mt = m.t();
    mt.slice(s![..;-1, ..])?.sub_scalar_inplace(1.0)?; // m.T[::-1] -= 1
    mt.add_inplace(&mt)?; // m.T += m.T: the same layout, read in place
    let mut want = h.clone();
    for i in 0..r {
        for j in 0..c {
            let mut v = want[i * c + j];
            if j % 2 == 0 {
                v *= 3.0;
            }
            v += row[j];
            v -= 1.0;
            want[i * c + j] = v + v;
        }
    }
    assert_eq!(m.to_vec()?, want);
    // x[::2] += 1 on 2^18 elements, and a negative-stride read into a copy.
    let n = 1 << 18;
    let x = Array::from_vec(dev, (0..n).map(|i| i as f32).collect(), &[n])?;
    x.slice(s![..;2])?.add_scalar_inplace(1.0)?;
    x.assign(&x)?; // x[...] = x: the output read in place, nothing to write
    let back = x.slice(s![..;-1])?.copy()?.to_vec()?;
    for (k, v) in back.iter().enumerate() {
        let i = n - 1 - k;
        let w = i as f32 + if i % 2 == 0 { 1.0 } else { 0.0 };
        assert_eq!(*v, w, "element {i}");
    }
    Ok(())
}

test_device!(large_strided_views);
