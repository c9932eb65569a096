//! The sorting and scanning workloads of NumPy-breadth issue II next to
//! `examples/sort_bench.py` (NumPy's side): `sort` of 16M f32, `argsort`
//! of 1M f32, `cumsum` of 16M f32, `unique` of 16M i32 in 0..1000.
//!
//! ```text
//! cargo run --release --example sort_bench [-- --device cpu|gpu] [--reps 5]
//! ```
//!
//! Times are medians of `--reps` synchronised runs, in milliseconds.

use common::time;
use ndgpu::{random, Result};

mod common;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let reps: usize = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let dev = common::device()?;
    println!("{}: ms, median of {reps}", dev.info());
    let x = random::uniform(&dev, &[16 << 20], 0.0, 1.0, 1)?;
    let t = time(&dev, reps, || x.sort(None))?;
    println!("{:<40} {t:9.3}", "sort 16M f32");
    let t = time(&dev, reps, || x.cumsum(None))?;
    println!("{:<40} {t:9.3}", "cumsum 16M f32");
    drop(x);
    let y = random::uniform(&dev, &[1 << 20], 0.0, 1.0, 2)?;
    let t = time(&dev, reps, || y.argsort(None))?;
    println!("{:<40} {t:9.3}", "argsort 1M f32 (stable)");
    drop(y);
    let u = random::integers(&dev, &[16 << 20], 0, 1000, 3)?;
    let t = time(&dev, reps, || u.unique())?;
    println!("{:<40} {t:9.3}", "unique 16M i32 in 0..1000");
    Ok(())
}
