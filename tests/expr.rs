//! Fused expressions (`Expr`): values NumPy printed, views with negative
//! strides, broadcasting and casts; `eval_into` with overlap; one dispatch
//! and one new buffer per evaluation; errors.

mod common;

use approx::assert_relative_eq;
use ndgpu::{s, Array, Device, Error, Expr, Result};

/// x = np.arange(24, dtype=np.float32).reshape(4, 6) / 4 - 2; v = x[1:, ::-2]
fn view(dev: &Device) -> Result<(Array<f32>, Array<f32>)> {
    let h: Vec<f32> = (0..24).map(|i| i as f32 / 4.0 - 2.0).collect();
    let x = Array::from_slice(dev, &h, &[4, 6])?;
    let v = x.slice(s![1.., ..;-2])?;
    Ok((x, v))
}

fn close(got: &[f32], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_relative_eq!(*g as f64, *w, max_relative = 1e-5, epsilon = 1e-6);
    }
}

fn chains_match_numpy(dev: &Device) -> Result<()> {
    let (_x, v) = view(dev)?;
    let r = Array::from_slice(dev, &[1.5f32, -0.5, 2.0], &[3])?;
    // (v * 2 + r) * np.abs(v) - 1
    let e = ((v.expr() * 2.0 + &r) * v.expr().abs() - 1.0).eval()?;
    assert_eq!(e.shape(), &[3, 3]);
    close(
        &e.to_vec()?,
        &[1.25, -1.0, -0.625, 12.5, 4.25, 4.625, 32.75, 18.5, 19.625],
    );
    // np.where(v > 0, np.exp(v), v * 0.1)
    let m = Expr::where_(v.expr().gt(0.0), v.expr().exp(), v.expr() * 0.1).eval()?;
    close(
        &m.to_vec()?,
        &[
            2.117000102996826,
            1.2840255498886108,
            -0.02500000037252903,
            9.487735748291016,
            5.754601955413818,
            3.490342855453491,
            42.521080017089844,
            25.790340423583984,
            15.642632484436035,
        ],
    );
    // c = (v * 3).astype(np.int32); (c % 4) * 2
    let c = (v.expr() * 3.0).cast::<i32>();
    assert_eq!(
        c.clone().eval()?.to_vec()?,
        vec![2, 0, 0, 6, 5, 3, 11, 9, 8]
    );
    assert_eq!(
        (c % 4 * 2).eval()?.to_vec()?,
        vec![4, 0, 0, 4, 2, 6, 6, 2, 0]
    );
    // np.clip(v, -1, 1), and scalars on the left
    close(
        &v.expr().clip(-1.0, 1.0).eval()?.to_vec()?,
        &[0.75, 0.25, -0.25, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    );
    let w = (1.0 - v.expr()).eval()?.to_vec()?;
    assert_eq!(w[..3], [0.25, 0.75, 1.25]);
    Ok(())
}

fn eval_into_with_overlap(dev: &Device) -> Result<()> {
    // a[1:] = a[:-1] + a[1:] gives, as NumPy, [0, 1, 3, 5, 7, 9, 11, 13]
    let a = Array::from_slice(dev, &[0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], &[8])?;
    (a.slice(s![..-1])?.expr() + &a.slice(s![1..])?).eval_into(&a.slice(s![1..])?)?;
    assert_eq!(a.to_vec()?, vec![0.0, 1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0]);
    // A reversed view of the output as input.
    let b = Array::from_slice(dev, &[1, 2, 3, 4], &[4])?;
    (b.expr() * 10 + &b.slice(s![..;-1])?).eval_into(&b)?;
    assert_eq!(b.to_vec()?, vec![14, 23, 32, 41]);
    // Broadcast into a view of a bigger array.
    let out = Array::<f32>::zeros(dev, &[2, 3])?;
    let row = Array::from_slice(dev, &[0.0f32, 1.0, 2.0], &[3])?;
    (row.expr().exp() - 1.0).eval_into(&out.slice(s![1])?)?;
    close(
        &out.to_vec()?,
        &[0.0, 0.0, 0.0, 0.0, 1.718281828459045, 6.38905609893065],
    );
    Ok(())
}

fn one_dispatch_one_buffer(dev: &Device) -> Result<()> {
    let n = 1 << 14;
    let a = Array::<f32>::full(dev, &[n], 1.5)?;
    let b = Array::<f32>::full(dev, &[n], 2.0)?;
    let c = Array::<f32>::full(dev, &[n], -1.0)?;
    let e = (a.expr() * 2.0 + &b) * &c;
    let y0 = e.eval()?; // compiles the kernel
    drop(y0);
    let (before, live) = (dev.counters(), dev.memory().live_buffers);
    let y = e.eval()?;
    let (after, live_after) = (dev.counters(), dev.memory().live_buffers);
    assert_eq!(live_after - live, 1, "one new buffer");
    if !dev.is_cpu() {
        assert_eq!(after.dispatches - before.dispatches, 1, "one dispatch");
        assert_eq!(
            after.pipelines_compiled, before.pipelines_compiled,
            "cached"
        );
    }
    assert!(y.to_vec()?.iter().all(|&v| v == -5.0));
    // The same structure with other scalars and arrays reuses the kernel.
    let d = Array::<f32>::full(dev, &[n], 4.0)?;
    let before = dev.counters();
    let z = ((d.expr() * 0.5 + &a) * &b).eval()?;
    assert_eq!(dev.counters().pipelines_compiled, before.pipelines_compiled);
    assert!(z.to_vec()?.iter().all(|&v| v == 7.0));
    Ok(())
}

fn errors(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[1.0f32, 2.0, 3.0], &[3])?;
    let b = Array::from_slice(dev, &[1.0f32, 2.0, 3.0, 4.0], &[4])?;
    let e = (a.expr() + &b).eval().unwrap_err();
    assert_eq!(
        e.to_string(),
        "operands could not be broadcast together with shapes (3,) (4,)"
    );
    let ro = a.broadcast_to(&[3])?;
    assert!(matches!(
        (a.expr() * 2.0).eval_into(&ro),
        Err(Error::ReadOnly)
    ));
    let small = Array::<f32>::zeros(dev, &[1])?;
    assert!((a.expr() * 2.0).eval_into(&small).is_err());
    assert!(Expr::scalar(1.0f32).eval().is_err());
    let other = Device::cpu();
    if !dev.is_cpu() {
        let c = Array::from_slice(&other, &[1.0f32, 2.0, 3.0], &[3])?;
        // The result was allocated before the mismatch showed: it goes back
        // to the driver, not the cache.
        let before = dev.memory();
        assert!(matches!(
            (a.expr() + &c).eval(),
            Err(Error::DeviceMismatch(..))
        ));
        let after = dev.memory();
        assert_eq!(after.live_bytes, before.live_bytes);
        assert!(after.cached_bytes <= before.cached_bytes, "{after:?}");
    }
    assert_eq!(a.to_vec()?, vec![1.0, 2.0, 3.0]);
    Ok(())
}

fn too_many_arrays_for_one_kernel(dev: &Device) -> Result<()> {
    // 40 distinct arrays in one expression: the CPU runs it; a GPU whose
    // kernels cannot bind 41 buffers says so, and changes nothing.
    let arrays: Vec<Array<f32>> = (0..40)
        .map(|i| Array::full(dev, &[8], i as f32))
        .collect::<Result<_>>()?;
    let mut e = arrays[0].expr();
    for a in &arrays[1..] {
        e = e + a;
    }
    let out = Array::<f32>::zeros(dev, &[8])?;
    match e.eval_into(&out) {
        Ok(()) => assert_eq!(out.to_vec()?, vec![780.0; 8]),
        Err(err) => {
            assert!(!dev.is_cpu(), "{err}");
            assert!(err.to_string().contains("storage bindings"), "{err}");
            assert_eq!(out.to_vec()?, vec![0.0; 8]);
        }
    }
    Ok(())
}

test_device!(
    too_many_arrays_for_one_kernel,
    chains_match_numpy,
    eval_into_with_overlap,
    one_dispatch_one_buffer,
    errors
);
