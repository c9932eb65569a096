//! The buffer pool at work: reuse across a loop, and the leak check
//! catching a forgotten array.
//!
//! `cargo run --release --example memory [-- --device cpu|gpu]`

use ndgpu::Array;

mod common;

fn main() -> ndgpu::Result<()> {
    let dev = common::device()?;
    println!("running on {}\n", dev.info());

    println!("a loop of y = x + x; x *= 0.5 on 1M floats, never synchronised:");
    let mut x = Array::<f32>::ones(&dev, &[1 << 20])?;
    for i in 0..8 {
        let y = &x + &x;
        x *= 0.5;
        drop(y);
        let m = dev.memory();
        println!(
            "  iter {i}: live {} buffers / {} KiB, cached {}, created {}, reused {}, peak {} KiB",
            m.live_buffers,
            m.live_bytes >> 10,
            m.cached_buffers,
            m.created,
            m.reused,
            m.peak_bytes >> 10
        );
    }
    drop(x);
    dev.synchronize()?;
    println!(
        "after dropping x: live_buffers = {}",
        dev.memory().live_buffers
    );
    dev.trim();
    println!(
        "after dev.trim(): cached_buffers = {}\n",
        dev.memory().cached_buffers
    );

    println!("the leak check catches a forgotten array:");
    let guard = dev.leak_check();
    let kept = Array::<i32>::zeros(&dev, &[256])?;
    std::mem::forget(kept);
    match guard.finish() {
        Err(e) => println!("{e}"),
        Ok(()) => println!("(no leak reported?!)"),
    }
    Ok(())
}
