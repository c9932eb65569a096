//! What the packed dtypes cost next to 32-bit ones on one device: `a += 1`
//! in place (a read-modify-write of every element; `u8` and `f16` write
//! their share of a word with an atomic on a GPU), `a + b` into a new
//! array, `astype::<f32>()`, and a sum, on 16M elements.
//!
//! ```text
//! cargo run --release --example dtype_bench [-- --device cpu|gpu] [--reps 7]
//! ```
//!
//! Times are medians of `--reps` synchronised runs, in milliseconds.

use common::time;
use ndgpu::{f16, Array, Axes, BinaryOp, Device, Number, Result};

mod common;

fn row<T: Number>(dev: &Device, reps: usize, name: &str, one: T) -> Result<()> {
    let n = 1 << 24;
    let v: Vec<T> = (0..n).map(|i| T::from_f64((i % 100) as f64)).collect();
    let a = Array::from_slice(dev, &v, &[n])?;
    let b = a.copy()?;
    let inplace = time(dev, reps, || a.binary_scalar_inplace(BinaryOp::Add, one))?;
    let add = time(dev, reps, || a.binary(BinaryOp::Add, &b))?;
    let cast = time(dev, reps, || a.astype::<f32>())?;
    let sum = time(dev, reps, || a.sum(Axes::All, false))?;
    println!("{name:<8} {inplace:9.2} {add:9.2} {cast:9.2} {sum:9.2}");
    Ok(())
}

fn main() -> Result<()> {
    let dev = common::device()?;
    let args: Vec<String> = std::env::args().collect();
    let reps = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    println!("== {} : 16M elements, ms, median of {reps} ==", dev.info());
    println!(
        "{:<8} {:>9} {:>9} {:>9} {:>9}",
        "dtype", "a += 1", "a + b", "astype", "sum"
    );
    row::<f32>(&dev, reps, "float32", 1.0)?;
    row::<u32>(&dev, reps, "uint32", 1)?;
    row::<u8>(&dev, reps, "uint8", 1)?;
    row::<f16>(&dev, reps, "float16", f16::ONE)?;
    if dev.is_cpu() || Array::<i64>::zeros(&dev, &[1]).is_ok() {
        row::<i64>(&dev, reps, "int64", 1)?;
    }
    Ok(())
}
