//! A tour of ndgpu's memory model, printing each result as NumPy would.
//!
//! `cargo run --release --example tour [-- --device cpu|gpu]`

use ndgpu::{s, Array};

mod common;

fn main() -> ndgpu::Result<()> {
    let dev = common::device()?;
    println!("running on {}\n", dev.info());
    let guard = dev.leak_check();

    println!(">>> a = np.array([1, 2, 3, 4])");
    let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[4])?;
    println!("{a}\n");

    println!(">>> a = np.array([1, 2, 3, 4]); a[1:3] += 1; a   # a slice is a view");
    let fresh = Array::from_slice(&dev, &[1, 2, 3, 4], &[4])?;
    fresh.slice(s![1..3])?.add_scalar_inplace(1)?;
    println!("{fresh}\n");
    drop(fresh);

    println!(">>> b = a; b += 1; a            # b is another name for a");
    let mut b = a.clone();
    b += 1;
    println!("{a}\n");

    println!(">>> v = a[1:3]; v += 1; a       # a slice is a view");
    let mut v = a.slice(s![1..3])?;
    v += 1;
    println!("{a}");
    println!("v shares memory with a: {}\n", v.shares_memory(&a));

    println!(">>> a[::-1]                     # a negative step is a view too");
    println!("{}\n", a.slice(s![..;-1])?);

    println!(">>> m = np.arange(6).reshape(2, 3); m.T");
    let m = Array::from_vec(&dev, (0..6).collect::<Vec<i32>>(), &[2, 3])?;
    println!("{}", m.t());
    println!(
        "strides {:?} -> {:?} (bytes): the transpose swaps strides\n",
        m.byte_strides(),
        m.t().byte_strides()
    );

    println!(">>> m[:, 1] *= 10; m            # in place through a strided view");
    let mut col = m.slice(s![.., 1])?;
    col *= 10;
    println!("{m}\n");

    println!(">>> a[1:] += a[:-1]             # overlapping: as if the right side were copied");
    let x = Array::from_slice(&dev, &[0, 1, 2, 3, 4, 5], &[6])?;
    x.slice(s![1..])?.add_inplace(&x.slice(s![..-1])?)?;
    println!("{x}\n");

    println!(">>> np.broadcast_to(np.array([1., 2.5]), (2, 2))   # read-only, stride 0");
    let r = Array::from_slice(&dev, &[1.0f32, 2.5], &[2])?.broadcast_to(&[2, 2])?;
    println!("{r}");
    println!(
        "strides {:?}, writeable {}\n",
        r.byte_strides(),
        r.flags().writeable
    );

    println!(">>> a.flags.writeable = False; a[0] = 9");
    a.set_writeable(false)?;
    match a.slice(s![0])?.fill(9) {
        Err(e) => println!("ValueError: {e}\n"),
        Ok(()) => println!("(written?!)\n"),
    }

    println!(">>> np.exp(np.array([[0., 1.], [2., 3.]]))");
    let f = Array::from_slice(&dev, &[0.0f32, 1.0, 2.0, 3.0], &[2, 2])?;
    println!("{}\n", f.exp()?);

    println!(">>> np.dot([[1, 2], [3, 4]], [[5, 6], [7, 8]])");
    let p = Array::from_slice(&dev, &[1, 2, 3, 4], &[2, 2])?;
    let q = Array::from_slice(&dev, &[5, 6, 7, 8], &[2, 2])?;
    println!("{}\n", p.dot(&q)?);

    println!(">>> np.dot(p.T, q)                # the transpose is read through its strides");
    println!("{}\n", p.t().dot(&q)?);

    println!(">>> m.sum(axis=0), m.argmax(axis=1)");
    println!("{} {}\n", m.sum(0, false)?, m.argmax(Some(1), false)?);

    let d = Array::from_slice(&dev, &[3.5f32, -1.0, f32::NAN, 2.0, -1.0, 0.5], &[6])?;
    println!(">>> d > 0                          # comparisons give bool arrays");
    println!("{}\n", d.gt_scalar(0.0)?);
    println!(">>> d[d > 0], d[d > 0] = 0         # masks: a copy out, a write through");
    let pos = d.gt_scalar(0.0)?;
    println!("{}", d.masked_select(&pos)?);
    d.masked_fill(&pos, 0.0)?;
    println!("{}\n", d);
    println!(">>> np.sort(d), np.unique(d)       # stable radix sorts, NaN last");
    println!("{} {}\n", d.sort(None)?, d.unique()?);

    println!(
        ">>> img = np.array([[250, 3], [7, 128]], np.uint8); img + 10, img.astype(np.float16) / 3"
    );
    let img = Array::from_slice(&dev, &[250u8, 3, 7, 128], &[2, 2])?;
    println!("{}", img.binary_scalar(ndgpu::BinaryOp::Add, 10)?); // wraps, as NumPy's uint8
    println!(
        "{}\n",
        img.astype::<ndgpu::f16>()?
            .binary_scalar(ndgpu::BinaryOp::Div, ndgpu::f16::from_f32(3.0))?
    );

    drop((a, b, v, m, col, x, r, f, p, q, d, pos, img));
    guard.finish()?;
    let mem = dev.memory();
    println!(
        "leak check passed; pool: {} buffers created, {} reused, {} cached",
        mem.created, mem.reused, mem.cached_buffers
    );
    Ok(())
}
