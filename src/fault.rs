//! Test-only fault injection: make the Nth buffer allocation, batch flush or
//! buffer mapping fail, so tests can show that every failure reaches the
//! caller, loses no work that returned `Ok`, and leaks nothing.
//!
//! Compiled in only with the `fault-injection` cargo feature (which the
//! test script turns on); without it every trigger is a constant `false`.

#[cfg(feature = "fault-injection")]
use std::sync::atomic::{AtomicU64, Ordering};

/// One trigger: armed with `n`, its `n`th check from then fires, once.
#[derive(Default)]
pub(crate) struct Trigger {
    #[cfg(feature = "fault-injection")]
    countdown: AtomicU64,
}

impl Trigger {
    #[cfg(feature = "fault-injection")]
    pub(crate) fn arm(&self, nth: u64) {
        self.countdown.store(nth, Ordering::SeqCst);
    }

    /// Does this check fail?
    #[inline]
    pub(crate) fn fire(&self) -> bool {
        #[cfg(feature = "fault-injection")]
        {
            self.countdown
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |c| c.checked_sub(1))
                == Ok(1)
        }
        #[cfg(not(feature = "fault-injection"))]
        {
            false
        }
    }
}

/// The triggers of one device.
#[derive(Default)]
pub(crate) struct Faults {
    pub(crate) alloc: Trigger,
    pub(crate) flush: Trigger,
    pub(crate) map: Trigger,
}

/// A failure to inject with [`Device::inject_fault`](crate::Device::inject_fault)
/// (the `fault-injection` feature, for tests).
#[cfg(feature = "fault-injection")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The `n`th buffer request from now (1 = the next) fails with
    /// `Error::OutOfMemory` (reason `"injected fault"`).
    Alloc(u64),
    /// The `n`th flush of a non-empty GPU batch fails before it submits.
    Flush(u64),
    /// The `n`th mapping of a GPU staging buffer (readback or upload) fails.
    Map(u64),
    /// Destroys the GPU device now, as a driver reset would: the device-lost
    /// callback runs and the device is poisoned.
    Lose,
}
