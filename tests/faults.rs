//! Fault injection (the `fault-injection` feature): a failed allocation,
//! flush or map reaches the caller as an `Error`, arrays keep what every
//! call that returned `Ok` wrote, and nothing leaks. A lost device poisons
//! every later call instead of panicking.

mod common;

use ndgpu::{s, Array, Device, Error, Fault, Result};

fn failed_allocation(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[1.0f32, 2.0, 3.0], &[3])?;
    dev.inject_fault(Fault::Alloc(1));
    let e = Array::<f32>::zeros(dev, &[8]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::OutOfMemory {
                reason: "injected fault",
                ..
            }
        ),
        "{e}"
    );
    // An op whose result cannot be allocated changes nothing.
    dev.inject_fault(Fault::Alloc(1));
    assert!(a.add(&a).is_err());
    // An in-place op whose overlap copy cannot be allocated changes nothing.
    dev.inject_fault(Fault::Alloc(1));
    assert!(a.slice(s![1..])?.add_inplace(&a.slice(s![..2])?).is_err());
    assert_eq!(a.to_vec()?, vec![1.0, 2.0, 3.0]);
    // The device works on afterwards.
    a.add_scalar_inplace(1.0)?;
    assert_eq!(a.to_vec()?, vec![2.0, 3.0, 4.0]);
    Ok(())
}

fn failed_flush_loses_no_work(dev: &Device) -> Result<()> {
    if dev.is_cpu() {
        return Ok(()); // the CPU backend runs each call at once: no batch
    }
    let a = Array::from_slice(dev, &[1, 2, 3, 4], &[4])?;
    a.slice(s![1..3])?.add_scalar_inplace(10)?; // returned Ok: must happen
    dev.inject_fault(Fault::Flush(1));
    let e = a.to_vec().unwrap_err();
    assert!(e.to_string().contains("injected fault"), "{e}");
    // The batch was kept: the next flush submits the recorded work.
    assert_eq!(a.to_vec()?, vec![1, 12, 13, 4]);
    a.mul_scalar_inplace(2)?;
    dev.inject_fault(Fault::Flush(1));
    assert!(dev.synchronize().is_err());
    dev.synchronize()?;
    assert_eq!(a.to_vec()?, vec![2, 24, 26, 8]);
    Ok(())
}

fn failed_map(dev: &Device) -> Result<()> {
    if dev.is_cpu() {
        return Ok(()); // nothing is mapped on the CPU backend
    }
    let a = Array::from_slice(dev, &[5u32, 6, 7], &[3])?;
    a.add_scalar_inplace(1)?;
    dev.inject_fault(Fault::Map(1));
    assert!(a.to_vec().is_err());
    assert_eq!(a.to_vec()?, vec![6, 7, 8]);
    // A large upload goes through a mapped staging buffer.
    let big = vec![3.0f32; 1 << 20];
    dev.inject_fault(Fault::Map(1));
    assert!(Array::from_slice(dev, &big, &[1 << 20]).is_err());
    let b = Array::from_slice(dev, &big, &[1 << 20])?;
    assert_eq!(b.slice(s![-2..])?.to_vec()?, vec![3.0, 3.0]);
    Ok(())
}

test_device!(failed_allocation, failed_flush_loses_no_work, failed_map);

#[test]
fn lost_device_poisons_every_call() {
    let Some(_shared) = common::gpu() else {
        return;
    };
    // A device of its own: losing it must not disturb the other tests.
    let dev = Device::gpu().expect("an adapter");
    let a = Array::from_slice(&dev, &[1.0f32, 2.0], &[2]).unwrap();
    a.add_scalar_inplace(1.0).unwrap();
    dev.inject_fault(Fault::Lose);
    let errs = [
        a.to_vec().unwrap_err(),
        a.add_scalar_inplace(1.0).unwrap_err(),
        Array::<f32>::zeros(&dev, &[4]).unwrap_err(),
        dev.synchronize().unwrap_err(),
    ];
    for e in errs {
        assert!(matches!(e, Error::DeviceLost(_)), "{e}");
    }
    drop(a);
    assert_eq!(dev.memory().live_buffers, 0);
}
