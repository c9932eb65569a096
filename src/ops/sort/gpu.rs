//! The GPU sort: a stable LSD radix sort of (order key, index) pairs, 4
//! bits per pass (`shaders/radix.wgsl`).
//!
//! Each pass runs three dispatches over tiles of 1024 elements: `hist`
//! counts each tile's digits into a digit-major table (digit, tile); the
//! scan kernel family of the masks (`ops::mask::scan_u32`) turns the table
//! into every (digit, tile)'s first output slot; `scatter` ranks each
//! element among the equal digits of its tile (a thread's 4 elements
//! serially, then a workgroup scan of 16 packed 16-bit counters) and moves
//! key and index to their slot. Tiles in order and ranks in order make
//! every pass stable. Lanes of an N-d sort are kept apart by sorting the
//! whole array by key, then stably by lane (the index divided by the lane
//! length), so each lane ends up contiguous and sorted.

use crate::array::Array;
use crate::device::gpu::GpuStorage;
use crate::device::Storage;
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::kernel::Op;
use crate::ops::elementwise::Builder;

/// Elements per tile (256 threads x 4).
const TILE: usize = 1024;

fn storage<U: Element>(a: &Array<U>) -> &GpuStorage {
    match &a.storage {
        Storage::Gpu(s) => s,
        Storage::Cpu(_) => unreachable!("a GPU array"),
    }
}

/// Sorts the lanes (last axis) of `a`, a GPU array: the values, or the
/// indices within each lane (`args`), as fresh arrays of `a`'s shape.
pub(crate) fn sort_lanes<T: Element>(a: &Array<T>, args: bool) -> Result<super::Sorted<T>> {
    let n = a.len();
    let shape = a.shape().to_vec();
    let len = *shape.last().unwrap_or(&1);
    if n == 0 {
        return Ok(if args {
            (None, Some(Array::uninit(&a.device, &shape)?))
        } else {
            (Some(Array::uninit(&a.device, &shape)?), None)
        });
    }
    a.device.check_words(
        T::DTYPE,
        "GPU sorting takes 32-bit elements; convert with astype first, or use Device::cpu()",
    )?;
    let gpu = a.gpu();
    if (n * 4) as u64 > gpu.max_binding {
        return Err(Error::Value(format!(
            "sorting {n} elements on the GPU needs them in one storage binding ({} bytes on this adapter); sort slices, or use Device::cpu()",
            gpu.max_binding
        )));
    }
    // Order keys and source positions, C order over `a`, in one buffer.
    let data = Array::<u32>::uninit(&a.device, &[2 * n])?;
    let mut k = Builder::default();
    let x = k.input(&a.reshape(&[n])?);
    k.node(Op::Key(x), DType::U32);
    data.slice(crate::s![..n as isize])?.apply(&k)?;
    let mut k = Builder::default();
    k.node(Op::Index, DType::U32);
    data.slice(crate::s![n as isize..])?.apply(&k)?;
    let other = Array::<u32>::uninit(&a.device, &[2 * n])?;
    let tiles = n.div_ceil(TILE);
    let hist = gpu.pipeline("radix|hist", || source("hist"), 2)?;
    let scatter = gpu.pipeline("radix|scatter", || source("scatter"), 3)?;
    let table = Array::<u32>::uninit(&a.device, &[16 * tiles])?;
    let mut bufs = [&data, &other];
    let lanes = n / len;
    let lane_bits = if lanes > 1 {
        usize::BITS - (lanes - 1).leading_zeros()
    } else {
        0
    };
    let mut passes: Vec<(u32, u32)> = (0..8).map(|p| (4 * p, 0)).collect();
    passes.extend((0..lane_bits.div_ceil(4)).map(|p| (4 * p, 1)));
    for (shift, by_lane) in passes {
        let md = [n as u32, tiles as u32, shift, by_lane, len as u32];
        gpu.dispatch(
            hist.clone(),
            vec![storage(&table).clone(), storage(bufs[0]).clone()],
            &md,
            (tiles * 256) as u64,
            256,
        )?;
        let starts = crate::ops::mask::scan_u32(gpu, storage(&table), 0, 16 * tiles)?;
        gpu.dispatch(
            scatter.clone(),
            vec![storage(bufs[1]).clone(), storage(bufs[0]).clone(), starts],
            &md,
            (tiles * 256) as u64,
            256,
        )?;
        bufs.swap(0, 1);
    }
    let sorted_pos = bufs[0].slice(crate::s![n as isize..])?;
    if args {
        // Position within the lane: the source position modulo the length.
        let out = Array::<u32>::uninit(&a.device, &shape)?;
        let mut k = Builder::default();
        let p = k.input(&sorted_pos.reshape(&shape)?);
        let l = k.scalar(len as u32);
        k.node(
            Op::Binary(crate::ops::elementwise::BinaryOp::Rem, p, l),
            DType::U32,
        );
        out.apply(&k)?;
        return Ok((None, Some(out)));
    }
    let flat = a.reshape(&[n])?;
    let out = flat.take_unchecked(&sorted_pos)?;
    Ok((Some(out.reshape(&shape)?), None))
}

/// One kernel of `shaders/radix.wgsl`: its bindings, then the shared
/// functions and its own section (between `#ifdef name` and `#endif`).
fn source(main: &str) -> String {
    let bindings = match main {
        "hist" => &["table", "data"][..],
        _ => &["outp", "inp", "starts"][..],
    };
    let mut s = String::from("@group(0) @binding(0) var<storage, read> md: array<u32>;\n");
    for (i, b) in bindings.iter().enumerate() {
        let rw = if i == 0 { "read_write" } else { "read" };
        s += &format!(
            "@group(0) @binding({}) var<storage, {rw}> {b}: array<u32>;\n",
            i + 1
        );
    }
    let mut keep = true;
    for line in include_str!("../../../shaders/radix.wgsl").lines() {
        if let Some(name) = line.strip_prefix("#ifdef ") {
            keep = name == main;
        } else if line == "#endif" {
            keep = true;
        } else if keep {
            s += line;
            s.push('\n');
        }
    }
    s
}
