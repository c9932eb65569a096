//! Fused expressions, strided in-place ops and copies on 16M f32, next to
//! NumPy's figures for the same workloads from the same run (it runs
//! `examples/fused_bench.py` with `--python`, NumPy with its own OpenBLAS
//! choice), as ratios ndgpu / NumPy time.
//!
//! ```text
//! cargo run --release --example fused_bench [-- --device cpu|gpu] [--reps 7] [--python /path/to/python]
//! ```
//!
//! Times are medians of `--reps` synchronised runs, in milliseconds.

use ndgpu::{random, s, Array, Result};
use std::collections::HashMap;

mod common;

fn opt(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// NumPy's rows from `examples/fused_bench.py`, run now.
fn numpy(python: &str, reps: usize) -> HashMap<String, f64> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fused_bench.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .args(["--reps", &reps.to_string()])
        // NumPy with OpenBLAS's own kernel choice (see BENCHMARKS).
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .output();
    let mut rows = HashMap::new();
    match out {
        Ok(o) if o.status.success() => {
            for line in String::from_utf8_lossy(&o.stdout).lines() {
                if let Some((k, v)) = line.split_once('\t') {
                    if let Ok(v) = v.parse() {
                        rows.insert(k.to_string(), v);
                    }
                }
            }
        }
        _ => eprintln!("(NumPy not run: {python} {script} failed)"),
    }
    rows
}

fn main() -> Result<()> {
    let dev = common::device()?;
    let reps: usize = opt("--reps").and_then(|r| r.parse().ok()).unwrap_or(7);
    let n = 16 << 20;
    println!("{}: 16M f32, ms, median of {reps}", dev.info());
    let a = random::uniform(&dev, &[n], 0.0, 1.0, 1)?;
    let b = random::uniform(&dev, &[n], 0.0, 1.0, 2)?;
    let c = random::uniform(&dev, &[n], 0.0, 1.0, 3)?;
    let x = random::uniform(&dev, &[n], 0.0, 1.0, 4)?;
    let m = random::uniform(&dev, &[4096, 4096], 0.0, 1.0, 5)?;
    let y = Array::<f32>::zeros(&dev, &[n])?;

    let mut rows: Vec<(&str, f64)> = Vec::new();
    rows.push((
        "expr (a*2+b)*c",
        common::time(&dev, reps, || ((a.expr() * 2.0 + &b) * &c).eval())?,
    ));
    rows.push((
        "chain (a*2+b)*c",
        common::time(&dev, reps, || Ok((&a * 2.0 + &b) * &c))?,
    ));
    rows.push((
        "unfused (a*2+b)*c",
        common::time(&dev, reps, || {
            let t = a.mul_scalar(2.0)?;
            let u = t.add(&b)?;
            u.mul(&c)
        })?,
    ));
    let xs = x.slice(s![..;2])?;
    rows.push((
        "x[::2] += 1",
        common::time(&dev, reps, || xs.add_scalar_inplace(1.0))?,
    ));
    let ms = m.slice(s![.., ..;2])?;
    rows.push((
        "m[:, ::2] *= 3",
        common::time(&dev, reps, || ms.mul_scalar_inplace(3.0))?,
    ));
    rows.push(("copyto(y, a)", common::time(&dev, reps, || y.assign(&a))?));
    rows.push((
        "multiply(a, 2, out=y)",
        common::time(&dev, reps, || a.mul_scalar_into(2.0, &y))?,
    ));
    rows.push(("a += b", common::time(&dev, reps, || y.add_inplace(&b))?));

    // Peak extra memory of the natural chain, beyond its inputs.
    dev.synchronize()?;
    let live = dev.memory().live_bytes;
    dev.reset_peak_bytes();
    let r = (&a * 2.0 + &b) * &c;
    let extra = dev.memory().peak_bytes - live;
    drop(r);

    let np = match opt("--python") {
        Some(p) => numpy(&p, reps),
        None => HashMap::new(),
    };
    println!(
        "{:<24} {:>9} {:>9} {:>8}",
        "workload", "ndgpu", "numpy", "ratio"
    );
    for (name, t) in &rows {
        let key = if name.starts_with("expr") || name.starts_with("unfused") {
            "chain (a*2+b)*c"
        } else {
            name
        };
        match np.get(key) {
            Some(v) => println!("{name:<24} {t:9.3} {v:9.3} {:8.2}", t / v),
            None => println!("{name:<24} {t:9.3}"),
        }
    }
    let gbs = |ms: f64, bytes: f64| bytes / ms / 1e6;
    let t = |k: &str| rows.iter().find(|r| r.0 == k).map_or(f64::NAN, |r| r.1);
    println!(
        "a += b: {:.1} GB/s (12 B/element); x[::2] += 1 per element: {:.2}x a += b's",
        gbs(t("a += b"), 12.0 * n as f64),
        (t("x[::2] += 1") / (n / 2) as f64) / (t("a += b") / n as f64)
    );
    println!(
        "chain peak extra memory: {extra} bytes ({:.2} arrays){}",
        extra as f64 / (4 * n) as f64,
        np.get("chain peak extra bytes")
            .map_or(String::new(), |v| format!("; NumPy {v} bytes"))
    );
    Ok(())
}
