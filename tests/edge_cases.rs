//! Edge cases: empty and huge shapes, statistics at their limits, devices
//! shared between threads.

mod common;

use ndgpu::{s, Array, Axes, Device, Result};

fn statistics_edges(dev: &Device) -> Result<()> {
    // np.full(7, 3, np.float32).mean() == 3.0 exactly: a division, not a reciprocal.
    assert_eq!(
        Array::<f32>::full(dev, &[7], 3.0)?
            .mean(Axes::All, false)?
            .item()?,
        3.0
    );
    // np.var([1, 2], ddof=3) == inf (NumPy divides by max(n - ddof, 0)).
    let v = Array::from_slice(dev, &[1.0f32, 2.0], &[2])?;
    assert_eq!(v.var(Axes::All, 3, false)?.item()?, f32::INFINITY);
    // np.zeros((0, 0)).max(axis=1) raises.
    assert!(Array::<f32>::zeros(dev, &[0, 0])?.max(1, false).is_err());
    assert_eq!(
        Array::<f32>::zeros(dev, &[0, 3])?.max(1, false)?.shape(),
        &[0]
    );
    Ok(())
}

fn shapes_at_the_limits(dev: &Device) -> Result<()> {
    // s![-1;1] is the last element, as s![-1..] is.
    let a = Array::from_slice(dev, &[1, 2, 3], &[3])?;
    assert_eq!(a.slice(s![-1;1])?.to_vec()?, vec![3]);
    // Shapes whose element count overflows are errors, not panics.
    let one = Array::<f32>::ones(dev, &[1])?;
    assert!(one.broadcast_to(&[1 << 40, 1 << 40]).is_err());
    assert!(Array::<f32>::zeros(dev, &[usize::MAX / 2, 3]).is_err());
    let e = Array::<f32>::zeros(dev, &[0, 1 << 40, 1 << 40])?;
    assert_eq!(e.len(), 0);
    assert_eq!(e.to_vec()?, Vec::<f32>::new());
    if !dev.is_cpu() {
        // More elements than a GPU kernel indexes: an error naming the limit.
        let b = one.broadcast_to(&[(1 << 32) + 5])?;
        assert!(b
            .sum(Axes::All, false)
            .unwrap_err()
            .to_string()
            .contains("at most 4294967295"));
    }
    // Arrays move between devices.
    let c = a.to_device(&Device::cpu())?;
    assert_eq!(c.to_vec()?, vec![1, 2, 3]);
    Ok(())
}

test_device!(statistics_edges, shapes_at_the_limits);

/// Two threads working on one GPU device at once: each readback sees its own
/// thread's results, batches are submitted in order, nothing leaks.
#[test]
fn threads_share_a_device() {
    let Some(dev) = common::gpu() else { return };
    let dev: Device = dev.clone();
    let guard = dev.leak_check();
    std::thread::scope(|sc| {
        for t in 0..2 {
            let dev = dev.clone();
            sc.spawn(move || {
                for i in 0..30 {
                    let a = Array::<f32>::full(&dev, &[1000], (t * 100 + i) as f32).unwrap();
                    let b = &a + 1.0;
                    let v = b.to_vec().unwrap();
                    assert!(v.iter().all(|&x| x == (t * 100 + i) as f32 + 1.0));
                }
            });
        }
    });
    guard.finish().unwrap();
}
