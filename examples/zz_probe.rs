use ndgpu::{Array, Device};
use std::time::Instant;
fn main() {
    let n = 16usize << 20;
    for dev in [Device::cpu(), Device::gpu().unwrap()] {
        let a = Array::<f32>::ones(&dev, &[n]).unwrap();
        let b = Array::<f32>::ones(&dev, &[n]).unwrap();
        a.add_inplace(&b).unwrap();
        dev.synchronize().unwrap();
        let mut ts = vec![];
        for _ in 0..7 {
            let t = Instant::now();
            a.add_inplace(&b).unwrap();
            dev.synchronize().unwrap();
            ts.push(t.elapsed().as_secs_f64());
        }
        ts.sort_by(|x, y| x.partial_cmp(y).unwrap());
        println!(
            "{}: a += b median {:.2} ms, {:.1} GB/s",
            dev.info().name,
            ts[3] * 1e3,
            n as f64 * 12.0 / ts[3] / 1e9
        );
    }
}
