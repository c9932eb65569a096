//! Operations, one file per family, each with its GPU and CPU path side by side.

pub(crate) mod creation;
pub(crate) mod cumulative;
pub mod elementwise;
pub(crate) mod index;
pub(crate) mod mask;
pub(crate) mod matmul;
pub mod reduce;
pub(crate) mod shape;
pub mod sort;
pub(crate) mod ufuncs;
