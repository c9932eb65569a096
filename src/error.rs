//! The one error type of ndgpu.

use std::fmt::Write as _;

/// Everything that can go wrong in ndgpu. Messages say what was wrong and
/// what was expected, in NumPy's words where NumPy has them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// No wgpu adapter was found.
    #[error(
        "no GPU adapter found{0}; install a Vulkan driver (on Debian/Ubuntu: \
         `apt-get install mesa-vulkan-drivers` gives the lavapipe software adapter), \
         or use Device::cpu()"
    )]
    NoAdapter(String),
    /// The adapter or device could not be opened.
    #[error("could not open the GPU device: {0}")]
    DeviceRequest(String),
    /// A shape and a data length disagree.
    #[error("cannot create an array of shape {shape:?} ({expected} elements) from {got} elements")]
    DataLength {
        /// the requested shape
        shape: Vec<usize>,
        /// elements the shape holds
        expected: usize,
        /// elements given
        got: usize,
    },
    /// A shape that cannot be reshaped/broadcast/indexed as asked.
    #[error("{0}")]
    Shape(String),
    /// An index or slice outside the array.
    #[error("{0}")]
    Index(String),
    /// Operands whose shapes do not broadcast (NumPy's wording).
    #[error("operands could not be broadcast together with shapes {}", fmt_shapes(.0))]
    Broadcast(Vec<Vec<usize>>),
    /// A write into a read-only array (NumPy's wording).
    #[error("assignment destination is read-only")]
    ReadOnly,
    /// Making a view writeable whose base is read-only (NumPy's wording).
    #[error("cannot set WRITEABLE flag to True of this array: its base is read-only")]
    WriteableBase,
    /// The device cannot hold an allocation.
    #[error(
        "out of memory: could not allocate {requested} bytes on {device} \
         ({reason}: limit {limit} bytes, {live} bytes live); free arrays or use smaller ones"
    )]
    OutOfMemory {
        /// bytes asked
        requested: u64,
        /// the limit that was hit, in bytes (see `reason`)
        limit: u64,
        /// bytes held by live arrays when it failed
        live: u64,
        /// the device name
        device: String,
        /// which limit: `"largest buffer"`, `"largest storage binding"`,
        /// `"memory limit"` ([`Device::set_memory_limit`](crate::Device::set_memory_limit)),
        /// `"the driver refused"` (then `limit` is the largest buffer),
        /// or `"injected fault"` (tests only)
        reason: &'static str,
    },
    /// A dtype that this device does not support.
    #[error("dtype {dtype} is not supported on {device}: {hint}")]
    Dtype {
        /// the dtype name
        dtype: &'static str,
        /// the device name
        device: String,
        /// what to do instead
        hint: &'static str,
    },
    /// Arrays that live on different devices.
    #[error("arrays live on different devices ({0} and {1}); move one with Array::to_device")]
    DeviceMismatch(String, String),
    /// Buffers still alive at a leak check.
    #[error("{0}")]
    Leak(String),
    /// A GPU error reported by wgpu.
    #[error("GPU error: {0}")]
    Gpu(String),
    /// wgpu reported an error outside any call (a rejected submit, a
    /// validation error). The device is poisoned: work recorded before may
    /// not have run, so every later call on it returns this error; make a
    /// new [`Device`](crate::Device).
    #[error("the GPU device failed and can no longer be used (make a new Device): {0}")]
    Device(String),
    /// The GPU device was lost (driver reset, device removed or destroyed).
    /// Every later call on it returns this error; make a new [`Device`](crate::Device).
    #[error("the GPU device was lost (make a new Device): {0}")]
    DeviceLost(String),
    /// An invalid argument value.
    #[error("{0}")]
    Value(String),
    /// A file that could not be read or written, or whose contents are not
    /// what its format says: truncated, a corrupt header, a dtype ndgpu
    /// lacks (see [`io`](crate::io)).
    #[error("{path}: {message}")]
    Io {
        /// the file (and the member of an archive), as given
        path: String,
        /// `UnexpectedEof` for a truncated file, `InvalidData` for corrupt
        /// contents, `Unsupported` for a dtype ndgpu lacks, else the
        /// operating system's
        kind: std::io::ErrorKind,
        /// what was wrong
        message: String,
    },
}

/// NumPy prints shapes as tuples: `(3,)`, `(2,3)`.
pub(crate) fn fmt_shape(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => {
            let mut s = String::from("(");
            for (i, d) in shape.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let _ = write!(s, "{d}");
            }
            s.push(')');
            s
        }
    }
}

fn fmt_shapes(shapes: &[Vec<usize>]) -> String {
    shapes
        .iter()
        .map(|s| fmt_shape(s))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
