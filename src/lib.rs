//! # ndgpu
//!
//! NumPy-style n-dimensional arrays on the GPU through wgpu, with a CPU
//! backend that runs the same API where no adapter exists.
//!
//! An array is a reference-counted buffer plus a layout (shape, strides,
//! offset): `clone` aliases, slices/transposes/broadcasts are views, and
//! in-place operations write through any view, as in NumPy.
//!
//! ```
//! use ndgpu::{s, Array, Device};
//!
//! let dev = Device::new()?;                 // a hardware GPU, else the CPU backend
//! let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[4])?;
//! let b = a.clone();                        // b = a: the same buffer
//! let v = a.slice(s![1..3])?;               // v = a[1:3]: a view
//! v.fill(9)?;                               // v[...] = 9
//! assert_eq!(b.to_vec()?, vec![1, 9, 9, 4]);
//! assert_eq!(a.to_string(), "[1 9 9 4]");
//! # Ok::<(), ndgpu::Error>(())
//! ```

#![warn(missing_docs)]

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod array;
mod device;
mod element;
mod error;
mod expr;
mod fault;
mod format;
#[cfg(any(feature = "ndarray", feature = "safetensors"))]
mod interop;
pub mod io;
mod kernel;
pub mod layout;
mod operators;
mod ops;
mod pool;
pub mod random;
pub mod slice;

pub use array::{Array, Flags};
pub use device::{AdapterSummary, Counters, Device, DeviceInfo, DeviceKind};
pub use element::{DType, Element, Float, Integer, Number};
pub use error::{Error, Result};
pub use expr::Expr;
#[cfg(feature = "fault-injection")]
pub use fault::Fault;
/// The half-precision float element type (`np.float16`), re-exported from the
/// [`half`] crate; on every device (a GPU packs two to a 32-bit word).
pub use half::f16;
pub use ops::elementwise::{BinaryOp, BitOp, CmpOp, FloatBinaryOp, FloatOp, IsOp, UnaryOp};
pub use ops::matmul::MatmulKernel;
pub use ops::reduce::Axes;
pub use ops::shape::{PadMode, Sections};
pub use ops::sort::search::Side;
pub use pool::{LeakGuard, MemoryStats};
pub use slice::{NewAxis, SliceElem};
