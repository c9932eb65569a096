//! Arrays larger than one storage binding (128 MiB on lavapipe) on the
//! kernel families that bind windows: random draws, casts and creation,
//! against the CPU backend.

mod common;

use ndgpu::{random, s, Array, Device, Result};

fn big_random_and_casts(dev: &Device) -> Result<()> {
    let limit = dev.info().max_binding_bytes;
    if dev.is_cpu() || limit >= 1 << 30 {
        return Ok(());
    }
    let cpu = Device::cpu();
    let n = (limit / 4) as usize + 4096 + 3;
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
