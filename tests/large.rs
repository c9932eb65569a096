//! Arrays larger than one storage binding (128 MiB on lavapipe) on the
//! kernel families that bind windows: random draws, casts and creation,
//! against the CPU backend.

mod common;

use ndgpu::{random, s, Array, Axes, Device, Result};

fn big_random_and_casts(dev: &Device) -> Result<()> {
    let limit = dev.info().max_binding_bytes;
    if dev.is_cpu() || limit >= 1 << 30 {
        return Ok(());
    }
    let cpu = Device::cpu();
    let n = (limit / 16 * 5) as usize + 4096 + 3; // 160 MiB
                                                  // uniform(0, 1) is bit-identical across devices, windows or not.
    let g = random::uniform(dev, &[n], 0.0, 1.0, 7)?;
    let c = random::uniform(&cpu, &[n], 0.0, 1.0, 7)?;
    let (gv, cv) = (g.to_vec()?, c.to_vec()?);
    for i in (0..n).step_by(10007).chain(n - 70..n) {
        assert_eq!(gv[i].to_bits(), cv[i].to_bits(), "element {i}");
    }
    // A cast and arange past the binding.
    let scaled = (g.expr() * 1000.0).cast::<i32>().eval()?.to_vec()?;
    for i in (0..n).step_by(10007).chain(n - 3..n) {
        assert_eq!(scaled[i], (cv[i] * 1000.0) as i32, "cast {i}");
    }
    let r = Array::<u32>::arange(dev, 0, n as u32, 1)?;
    assert_eq!(
        r.slice(s![-2..])?.to_vec()?,
        vec![n as u32 - 2, n as u32 - 1]
    );
    Ok(())
}

test_device!(big_random_and_casts);

fn big_matmul(dev: &Device) -> Result<()> {
    // A over one binding, as stored and transposed, against the CPU.
    let limit = dev.info().max_binding_bytes;
    if dev.is_cpu() || limit >= 1 << 30 {
        return Ok(());
    }
    let (m, k, n) = ((limit / 16 * 5 / 256) as usize + 64, 256, 8); // A: 160 MiB
    let ha: Vec<f32> = (0..m * k).map(|i| ((i * 7) % 13) as f32 - 6.0).collect();
    let hb: Vec<f32> = (0..k * n).map(|i| ((i * 5) % 11) as f32 * 0.25).collect();
    let a = Array::from_slice(dev, &ha, &[m, k])?;
    let b = Array::from_slice(dev, &hb, &[k, n])?;
    let c = a.matmul(&b)?.to_vec()?;
    let row = |i: usize| -> Vec<f32> {
        (0..n)
            .map(|j| (0..k).map(|p| ha[i * k + p] * hb[p * n + j]).sum())
            .collect()
    };
    for i in (0..m).step_by(977).chain(m - 2..m) {
        assert_eq!(&c[i * n..(i + 1) * n], &row(i)[..], "row {i}");
    }
    // The same A stored transposed: (k, m) read through .t().
    let at = Array::from_slice(dev, &ha, &[m, k])?.t().copy()?; // (k, m) C-contiguous
    let c2 = at.t().matmul(&b)?.to_vec()?;
    for i in (0..m).step_by(977).chain(m - 2..m) {
        assert_eq!(&c2[i * n..(i + 1) * n], &row(i)[..], "transposed row {i}");
    }
    Ok(())
}

test_device!(big_matmul);

fn big_reductions(dev: &Device) -> Result<()> {
    // Reductions over an input larger than one binding, over all axes and
    // each axis, against the CPU backend; the data repeats, so arg
    // reductions must find the first of many equal extremes.
    let limit = dev.info().max_binding_bytes;
    if dev.is_cpu() || limit >= 1 << 30 {
        return Ok(());
    }
    let cols = 4096;
    let rows = (limit / 16 * 5) as usize / cols + 8; // 160 MiB
    let h: Vec<f32> = (0..rows * cols)
        .map(|i| ((i * 7) % 1000) as f32 / 100.0 - 5.0)
        .collect();
    let cpu = Device::cpu();
    let g = Array::from_slice(dev, &h, &[rows, cols])?;
    let c = Array::from_slice(&cpu, &h, &[rows, cols])?;
    let close = |x: Vec<f32>, y: Vec<f32>, what: &str| {
        assert_eq!(x.len(), y.len(), "{what}");
        for (k, (a, b)) in x.iter().zip(&y).enumerate() {
            assert!(
                (a - b).abs() <= 1e-3 * b.abs().max(1.0),
                "{what} [{k}]: {a} vs {b}"
            );
        }
    };
    close(
        g.sum(Axes::All, false)?.to_vec()?,
        c.sum(Axes::All, false)?.to_vec()?,
        "sum",
    );
    close(
        g.max(Axes::All, false)?.to_vec()?,
        c.max(Axes::All, false)?.to_vec()?,
        "max",
    );
    assert_eq!(
        g.argmax(None, false)?.to_vec()?,
        c.argmax(None, false)?.to_vec()?
    );
    assert_eq!(
        g.argmin(None, false)?.to_vec()?,
        c.argmin(None, false)?.to_vec()?
    );
    for ax in [0, 1] {
        close(
            g.sum(ax, false)?.to_vec()?,
            c.sum(ax, false)?.to_vec()?,
            "sum axis",
        );
        close(
            g.max(ax, true)?.to_vec()?,
            c.max(ax, true)?.to_vec()?,
            "max axis",
        );
        assert_eq!(
            g.argmax(Some(ax), false)?.to_vec()?,
            c.argmax(Some(ax), false)?.to_vec()?,
            "argmax axis {ax}"
        );
    }
    // A column view (strided, spanning the whole buffer) and the variance.
    let col = g.slice(s![.., 5])?;
    close(
        col.sum(Axes::All, false)?.to_vec()?,
        c.slice(s![.., 5])?.sum(Axes::All, false)?.to_vec()?,
        "column",
    );
    close(
        g.var(Axes::All, 0, false)?.to_vec()?,
        c.var(Axes::All, 0, false)?.to_vec()?,
        "var",
    );
    Ok(())
}

test_device!(big_reductions);

fn big_right_operand(dev: &Device) -> Result<()> {
    // B over one binding: (4, k) @ (k, n), against a plain loop.
    let limit = dev.info().max_binding_bytes;
    if dev.is_cpu() || limit >= 1 << 30 {
        return Ok(());
    }
    let (m, k) = (4, 64);
    let n = (limit / 16 * 5) as usize / k + 256; // B: 160 MiB
    let ha: Vec<f32> = (0..m * k).map(|i| (i % 5) as f32 - 2.0).collect();
    let hb: Vec<f32> = (0..k * n).map(|i| ((i * 3) % 7) as f32 * 0.5).collect();
    let a = Array::from_slice(dev, &ha, &[m, k])?;
    let b = Array::from_slice(dev, &hb, &[k, n])?;
    let c = a.matmul(&b)?;
    assert_eq!(c.shape(), &[m, n]);
    let cv = c.to_vec()?;
    for i in 0..m {
        for j in (0..n).step_by(4099).chain(n - 2..n) {
            let want: f32 = (0..k).map(|p| ha[i * k + p] * hb[p * n + j]).sum();
            assert_eq!(cv[i * n + j], want, "({i}, {j})");
        }
    }
    Ok(())
}

test_device!(big_right_operand);

fn big_batched_matmul(dev: &Device) -> Result<()> {
    // A batch whose A is larger than one binding: (3, m, k) @ (k, n).
    let limit = dev.info().max_binding_bytes;
    if dev.is_cpu() || limit >= 1 << 30 {
        return Ok(());
    }
    let (bsz, k, n) = (3, 1024, 4);
    let m = (limit / 16 * 5) as usize / (bsz * k) + 16; // A: 160 MiB
    let ha: Vec<f32> = (0..bsz * m * k)
        .map(|i| ((i * 11) % 9) as f32 - 4.0)
        .collect();
    let hb: Vec<f32> = (0..k * n).map(|i| (i % 3) as f32).collect();
    let a = Array::from_slice(dev, &ha, &[bsz, m, k])?;
    let b = Array::from_slice(dev, &hb, &[k, n])?;
    let c = a.matmul(&b)?;
    assert_eq!(c.shape(), &[bsz, m, n]);
    let cv = c.to_vec()?;
    for bi in 0..bsz {
        for i in (0..m).step_by(1013).chain(m - 1..m) {
            for j in 0..n {
                let want: f32 = (0..k)
                    .map(|p| ha[(bi * m + i) * k + p] * hb[p * n + j])
                    .sum();
                assert_eq!(cv[(bi * m + i) * n + j], want, "({bi}, {i}, {j})");
            }
        }
    }
    Ok(())
}

test_device!(big_batched_matmul);
