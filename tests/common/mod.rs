//! Shared test harness: one test body, every backend, each ending with a leak check.

#![allow(dead_code)]

use std::sync::{Mutex, MutexGuard, OnceLock};

use ndgpu::{Device, Result};

/// The GPU adapter the tests use (lavapipe in CI), shared by the tests of one
/// binary and taken one test at a time so each leak check sees only its own
/// buffers. `None` when there is no adapter, unless `NDGPU_REQUIRE_GPU=1`.
pub fn gpu() -> Option<MutexGuard<'static, Device>> {
    static GPU: OnceLock<Option<Mutex<Device>>> = OnceLock::new();
    let slot = GPU.get_or_init(|| match Device::gpu() {
        Ok(d) => Some(Mutex::new(d)),
        Err(e) => {
            if std::env::var("NDGPU_REQUIRE_GPU").as_deref() == Ok("1") {
                panic!("NDGPU_REQUIRE_GPU=1 but no GPU adapter: {e}");
            }
            eprintln!("no GPU adapter, GPU tests skipped: {e}");
            None
        }
    });
    slot.as_ref()
        .map(|m| m.lock().unwrap_or_else(|p| p.into_inner()))
}

/// Runs `body` on `dev` between a leak check's start and finish.
pub fn checked(dev: &Device, body: impl FnOnce(&Device) -> Result<()>) {
    let guard = dev.leak_check();
    body(dev).unwrap_or_else(|e| panic!("on {}: {e}", dev.info()));
    guard.finish().unwrap_or_else(|e| panic!("{e}"));
}

/// `test_device!(name)` makes `name::cpu` and `name::gpu` tests that run the
/// body `fn name(dev: &Device) -> Result<()>` and then the leak check.
#[macro_export]
macro_rules! test_device {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn cpu() {
                $crate::common::checked(&ndgpu::Device::cpu(), super::$name);
            }
            #[test]
            fn gpu() {
                if let Some(dev) = $crate::common::gpu() {
                    $crate::common::checked(&dev, super::$name);
                }
            }
        }
    )*};
}

/// A reference gather: the elements a layout addresses, by a naive
/// enumeration of every index tuple.
pub fn naive_gather<T: Copy>(
    buf: &[T],
    shape: &[usize],
    strides: &[isize],
    offset: usize,
) -> Vec<T> {
    let n: usize = shape.iter().product();
    let mut out = Vec::with_capacity(n);
    for lin in 0..n {
        let mut rem = lin;
        let mut off = offset as isize;
        for d in (0..shape.len()).rev() {
            off += (rem % shape[d]) as isize * strides[d];
            rem /= shape[d];
        }
        out.push(buf[off as usize]);
    }
    out
}
