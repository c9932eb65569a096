//! Reductions at every layout, each next to `copy()` of the same input on
//! the same device, so the rule "a reduction costs at most 2x one
//! elementwise pass over its input" can be read off one table; then the
//! 16M-element workloads of the CPU-versus-NumPy table (`sum`, `max`,
//! `argmax`, `max(axis=1)`, `sum(axis=0)`, `uniform`, `normal`).
//! `examples/reduce_bench.py` prints the same rows for NumPy.
//!
//! ```text
//! cargo run --release --example reduce_bench [-- --device cpu|gpu] [--n 20000] [--reps 7] [--big]
//! ```
//!
//! Times are medians of `--reps` synchronised runs, in milliseconds.

use common::time;
use ndgpu::{random, Array, Axes, Device, Result};

mod common;

/// One row: every reduction of `x` over `axes` next to `x.copy()`.
fn row(dev: &Device, reps: usize, name: &str, x: &Array<f32>, axes: &[usize]) -> Result<()> {
    let ax = || Axes::Some(axes.to_vec());
    let copy = time(dev, reps, || x.copy())?;
    let mut cells = vec![format!("{copy:7.3}")];
    let mut worst = 0.0f64;
    let mut push = |t: f64| {
        worst = worst.max(t / copy);
        cells.push(format!("{t:7.3}"));
    };
    push(time(dev, reps, || x.sum(ax(), false))?);
    push(time(dev, reps, || x.min(ax(), false))?);
    push(time(dev, reps, || x.max(ax(), false))?);
    push(time(dev, reps, || x.mean(ax(), false))?);
    push(time(dev, reps, || x.var(ax(), 0, false))?);
    if axes.len() == 1 {
        push(time(dev, reps, || x.argmin(axes[0], false))?);
    } else {
        cells.push("      -".into());
    }
    println!(
        "{name:<22} {:<7} {}  {worst:5.2}x",
        format!("{axes:?}"),
        cells.join(" ")
    );
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let n: usize = opt("--n").and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let reps: usize = opt("--reps").and_then(|s| s.parse().ok()).unwrap_or(7);
    let big = args.iter().any(|a| a == "--big");
    let devices: Vec<Device> = match opt("--device").as_deref() {
        Some(name) => vec![Device::by_name(name)?],
        None => std::iter::once(Device::cpu())
            .chain(Device::gpu().ok())
            .collect(),
    };
    for dev in &devices {
        println!("\n== {} : ms, median of {reps} ==", dev.info());
        println!(
            "{:<22} {:<7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}  worst/copy",
            "input", "axes", "copy", "sum", "min", "max", "mean", "var", "argmin"
        );
        // Irregular values in [0, 1000) (a Weyl sequence: i times 2^32 / phi
        // modulo 2^32), so that no kernel gains from a branch that the
        // predictor learns; examples/reduce_bench.py builds the same.
        let v: Vec<f32> = (0..n as u64 * 16)
            .map(|i| ((i * 2_654_435_769) % (1 << 32)) as f32 / 4_294_967_296.0 * 1000.0)
            .collect();
        let x3 = Array::from_slice(dev, &v, &[n, 8, 2])?;
        for axes in [[0].as_slice(), &[1], &[2], &[0, 1], &[1, 2], &[0, 1, 2]] {
            row(dev, reps, &format!("({n},8,2)"), &x3, axes)?;
        }
        let n8 = Array::from_slice(dev, &v[..n * 8], &[n, 8])?;
        let e8 = Array::from_slice(dev, &v[..n * 8], &[8, n])?;
        let t8 = e8.t();
        for axis in [0, 1] {
            row(dev, reps, &format!("({n},8)"), &n8, &[axis])?;
        }
        for axis in [0, 1] {
            row(dev, reps, &format!("(8,{n})"), &e8, &[axis])?;
        }
        for axis in [0, 1] {
            row(dev, reps, &format!("(8,{n}).T"), &t8, &[axis])?;
        }
        if big {
            let m = 16 << 20;
            let a = random::uniform(dev, &[m], 0.0, 1.0, 7)?;
            let sq = a.reshape(&[4096, 4096])?;
            println!("\n16M f32 (ms): copy, sum, max, min, argmax, max(axis=1), sum(axis=0), uniform, normal");
            let cells = [
                time(dev, reps, || a.copy())?,
                time(dev, reps, || a.sum(Axes::All, false))?,
                time(dev, reps, || a.max(Axes::All, false))?,
                time(dev, reps, || a.min(Axes::All, false))?,
                time(dev, reps, || a.argmax(None, false))?,
                time(dev, reps, || sq.max(1, false))?,
                time(dev, reps, || sq.sum(0, false))?,
                time(dev, reps, || random::uniform(dev, &[m], 0.0, 1.0, 1))?,
                time(dev, reps, || random::normal(dev, &[m], 0.0, 1.0, 1))?,
            ];
            println!(
                "{}",
                cells
                    .iter()
                    .map(|t| format!("{t:.2}"))
                    .collect::<Vec<_>>()
                    .join("  ")
            );
        }
    }
    Ok(())
}
