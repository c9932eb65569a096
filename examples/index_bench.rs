//! The workloads of NumPy-breadth issue I next to `examples/index_bench.py`
//! (NumPy's side): `concatenate` of two 8M arrays, `take` of 1M random rows
//! from a 4M x 4 array, `masked_select` of a 50% mask on 16M, and
//! `index_add` of 1M values into 1K bins.
//!
//! ```text
//! cargo run --release --example index_bench [-- --device cpu|gpu] [--reps 7]
//! ```
//!
//! Times are medians of `--reps` synchronised runs, in milliseconds.

use common::time;
use ndgpu::{random, Array, Result};

mod common;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let reps: usize = opt("--reps").and_then(|s| s.parse().ok()).unwrap_or(7);
    let dev = common::device()?;
    println!("{}: ms, median of {reps}", dev.info());
    let m = 8 << 20;
    let a = random::uniform(&dev, &[m], 0.0, 1.0, 1)?;
    let b = random::uniform(&dev, &[m], 0.0, 1.0, 2)?;
    let t = time(&dev, reps, || Array::concatenate(&[&a, &b], 0))?;
    println!("{:<40} {t:8.3}", "concatenate 2 x 8M f32");
    drop((a, b));
    let rows = random::uniform(&dev, &[4 << 20, 4], 0.0, 1.0, 3)?;
    let idx = random::integers(&dev, &[1 << 20], 0, 4 << 20, 4)?;
    let t = time(&dev, reps, || rows.take(&idx, Some(0)))?;
    println!("{:<40} {t:8.3}", "take 1M rows of 4M x 4 f32");
    drop((rows, idx));
    let x = random::uniform(&dev, &[16 << 20], 0.0, 1.0, 5)?;
    let mask = random::uniform(&dev, &[16 << 20], 0.0, 1.0, 6)?.lt_scalar(0.5)?;
    let t = time(&dev, reps, || x.masked_select(&mask))?;
    println!("{:<40} {t:8.3}", "masked_select 16M f32, 50% mask");
    drop((x, mask));
    let bins = Array::<f32>::zeros(&dev, &[1000])?;
    let at = random::integers(&dev, &[1 << 20], 0, 1000, 7)?;
    let w = random::uniform(&dev, &[1 << 20], 0.0, 1.0, 8)?;
    let t = time(&dev, reps, || bins.index_add(0, &at, &w))?;
    println!("{:<40} {t:8.3}", "index_add 1M f32 into 1K bins");
    Ok(())
}
