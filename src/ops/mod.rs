//! Operations, one file per family, each with its GPU and CPU path side by side.

pub(crate) mod elementwise;
pub(crate) mod matmul;
