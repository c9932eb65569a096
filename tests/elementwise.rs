//! Every elementwise op on every dtype and layout kind, against references
//! computed here, on both backends; NumPy's overlap results; steady-state memory.

mod common;

use approx::assert_relative_eq;
use common::naive_gather;
use ndgpu::{s, Array, BinaryOp, CmpOp, Device, Number, Result};

/// A view of `base` (data 0..n laid out as `shape`) of the given kind, with
/// its shape, strides and offset computed here for the reference gather.
struct View {
    shape: Vec<usize>,
    strides: Vec<isize>,
    offset: usize,
}

/// Layout kinds over a (4, 6) buffer, each yielding a (3, 3) view.
fn views() -> Vec<(&'static str, View)> {
    vec![
        (
            "contiguous",
            View {
                shape: vec![3, 3],
                strides: vec![3, 1],
                offset: 0,
            },
        ),
        (
            "offset slice",
            View {
                shape: vec![3, 3],
                strides: vec![6, 1],
                offset: 8,
            },
        ),
        (
            "negative step",
            View {
                shape: vec![3, 3],
                strides: vec![-6, -2],
                offset: 23,
            },
        ),
        (
            "transposed",
            View {
                shape: vec![3, 3],
                strides: vec![1, 6],
                offset: 1,
            },
        ),
        (
            "broadcast",
            View {
                shape: vec![3, 3],
                strides: vec![0, 1],
                offset: 2,
            },
        ),
    ]
}

/// The ndgpu expression of the same views, on a fresh (4, 6) array of `data`.
fn make<T: Number>(dev: &Device, data: &[T], kind: &str) -> Result<Array<T>> {
    let base = Array::from_slice(dev, data, &[4, 6])?;
    match kind {
        "contiguous" => Array::from_slice(dev, &data[..9], &[3, 3]),
        "offset slice" => base.slice(s![1.., 2..5]),
        "negative step" => base.slice(s![1..;-1, ..;-2]),
        "transposed" => Ok(base.slice(s![..3, 1..4])?.t().permute(&[1, 0])?.t()),
        "broadcast" => base.slice(s![0, 2..5])?.broadcast_to(&[3, 3]),
        _ => unreachable!(),
    }
}

fn data_for<T: Number>(f: impl Fn(usize) -> f64) -> Vec<T> {
    (0..24).map(|i| T::from_f64(f(i))).collect()
}

fn close<T: Number>(got: &[T], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let g = g.to_f64();
        if w.is_nan() {
            assert!(g.is_nan(), "{what} at {i}: {g} vs NaN");
        } else {
            assert_relative_eq!(g, *w, max_relative = 1e-5, epsilon = 1e-5);
        }
        let _ = i;
    }
}

/// Reference semantics written out here (NumPy's).
fn ref_binary(op: BinaryOp, a: f64, b: f64, int: bool, unsigned: bool) -> f64 {
    let wrap = |v: f64| {
        if unsigned {
            (v as i64).rem_euclid(1 << 32) as f64
        } else if int {
            (v as i64 as i32) as f64
        } else {
            v
        }
    };
    match op {
        BinaryOp::Add => wrap(a + b),
        BinaryOp::Sub => wrap(a - b),
        BinaryOp::Mul => wrap(a * b),
        BinaryOp::Div if int => {
            if b == 0.0 {
                0.0
            } else {
                (a / b).floor()
            }
        }
        BinaryOp::Div => a / b,
        BinaryOp::Rem if int && b == 0.0 => 0.0,
        BinaryOp::Rem => a - (a / b).floor() * b,
        BinaryOp::Pow => wrap(a.powf(b)),
        BinaryOp::Maximum => a.max(b),
        BinaryOp::Minimum => a.min(b),
    }
}

fn binary_all<T: Number>(dev: &Device, int: bool, unsigned: bool) -> Result<()> {
    // Values small enough that pow stays exact in f32 and i32.
    let xa: Vec<T> = data_for(|i| {
        if unsigned {
            (i % 5) as f64
        } else {
            (i % 7) as f64 - 3.0
        }
    });
    let xb: Vec<T> = data_for(|i| (i % 3) as f64 + if int { 0.0 } else { 0.5 });
    for (ka, va) in views() {
        for (kb, vb) in views() {
            let a = make(dev, &xa, ka)?;
            let b = make(dev, &xb, kb)?;
            let ra = naive_gather(&xa, &va.shape, &va.strides, va.offset);
            let rb = naive_gather(&xb, &vb.shape, &vb.strides, vb.offset);
            for op in BinaryOp::ALL {
                let want: Vec<f64> = ra
                    .iter()
                    .zip(&rb)
                    .map(|(x, y)| ref_binary(op, x.to_f64(), y.to_f64(), int, unsigned))
                    .collect();
                let what = format!("{op:?} {ka} x {kb} {}", T::DTYPE);
                close(&a.binary(op, &b)?.to_vec()?, &want, &what);
                // into a caller's array, and in place on a copy of a's view.
                let out = Array::<T>::zeros(dev, &[3, 3])?;
                a.binary_into(op, &b, &out)?;
                close(&out.to_vec()?, &want, &what);
                if ka != "broadcast" {
                    let c = make(dev, &xa, ka)?;
                    c.binary_inplace(op, &b)?;
                    close(&c.to_vec()?, &want, &what);
                }
            }
            let cmp = a.compare(CmpOp::Lt, &b)?.to_vec()?;
            let want: Vec<bool> = ra.iter().zip(&rb).map(|(x, y)| x < y).collect();
            assert_eq!(cmp, want);
        }
    }
    Ok(())
}

fn binary_f32(dev: &Device) -> Result<()> {
    binary_all::<f32>(dev, false, false)
}
fn binary_i32(dev: &Device) -> Result<()> {
    binary_all::<i32>(dev, true, false)
}
fn binary_u32(dev: &Device) -> Result<()> {
    binary_all::<u32>(dev, true, true)
}

fn scalar_forms_and_operators(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[1.0f32, -2.0, 3.5, 4.0], &[2, 2])?;
    assert_eq!((&a * 2.0).to_vec()?, vec![2.0, -4.0, 7.0, 8.0]);
    assert_eq!((10.0 - &a).to_vec()?, vec![9.0, 12.0, 6.5, 6.0]);
    assert_eq!((-&a).to_vec()?, vec![-1.0, 2.0, -3.5, -4.0]);
    assert_eq!((&a + &a).to_vec()?, vec![2.0, -4.0, 7.0, 8.0]);
    let mut b = a.clone();
    b += 1.0;
    b *= 2.0;
    assert_eq!(
        a.to_vec()?,
        vec![4.0, -2.0, 9.0, 10.0],
        "b = a; b += 1 changes a"
    );
    b -= &a.slice(s![0])?; // broadcast row; b and a alias: as-if-copied
    assert_eq!(a.to_vec()?, vec![0.0, 0.0, 5.0, 12.0]);
    let i = Array::from_slice(dev, &[7i32, -7, 7, -7], &[4])?;
    assert_eq!((&i / 2).to_vec()?, vec![3, -4, 3, -4], "floor division");
    assert_eq!((&i % -3).to_vec()?, vec![-2, -1, -2, -1], "Python modulo");
    assert_eq!(i.pow_scalar(2)?.to_vec()?, vec![49; 4]);
    let u = Array::from_slice(dev, &[1u32, 2], &[2])?;
    assert_eq!(
        (-&u).to_vec()?,
        vec![u32::MAX, u32::MAX - 1],
        "unsigned negation wraps"
    );
    assert_eq!(a.gt_scalar(1.0)?.to_vec()?, vec![false, false, true, true]);
    Ok(())
}

#[test]
#[should_panic(expected = "operands could not be broadcast together with shapes (3,) (4,)")]
fn operators_panic_with_the_message() {
    let dev = Device::cpu();
    let a = Array::<f32>::zeros(&dev, &[3]).unwrap();
    let b = Array::<f32>::zeros(&dev, &[4]).unwrap();
    let _ = &a + &b;
}

fn unary_and_float_ops(dev: &Device) -> Result<()> {
    let x: Vec<f32> = (0..24).map(|i| i as f32 * 0.37 - 4.1).collect();
    for (k, v) in views() {
        let a = make(dev, &x, k)?;
        let r: Vec<f64> = naive_gather(&x, &v.shape, &v.strides, v.offset)
            .iter()
            .map(|&x| x as f64)
            .collect();
        let check = |got: Array<f32>, f: fn(f64) -> f64, name: &str| -> Result<()> {
            let want: Vec<f64> = r.iter().map(|&x| f(x)).collect();
            close(&got.to_vec()?, &want, &format!("{name} on {k}"));
            Ok(())
        };
        check(a.neg()?, |x| -x, "neg")?;
        check(a.abs()?, f64::abs, "abs")?;
        check(a.relu()?, |x| x.max(0.0), "relu")?;
        check(a.exp()?, f64::exp, "exp")?;
        check(a.abs()?.log()?, |x| x.abs().ln(), "log")?;
        check(a.abs()?.sqrt()?, |x| x.abs().sqrt(), "sqrt")?;
        check(a.sin()?, f64::sin, "sin")?;
        check(a.cos()?, f64::cos, "cos")?;
        check(a.tanh()?, f64::tanh, "tanh")?;
        check(a.sigmoid()?, |x| 1.0 / (1.0 + (-x).exp()), "sigmoid")?;
        check(a.floor()?, f64::floor, "floor")?;
        check(a.ceil()?, f64::ceil, "ceil")?;
        check(a.clip(-1.0, 2.0)?, |x| x.clamp(-1.0, 2.0), "clip")?;
    }
    // NumPy rounds half to even: np.round([0.5, 1.5, 2.5, -0.5]) == [0, 2, 2, -0]
    let h = Array::from_slice(dev, &[0.5f32, 1.5, 2.5, -0.5, -1.5], &[5])?;
    assert_eq!(h.round()?.to_vec()?, vec![0.0, 2.0, 2.0, -0.0, -2.0]);
    // NaN propagates through maximum (np.maximum(nan, 1) is nan).
    let n = Array::from_slice(dev, &[f32::NAN, 1.0], &[2])?;
    let m = n
        .maximum(&Array::from_slice(dev, &[1.0f32, f32::NAN], &[2])?)?
        .to_vec()?;
    assert!(m[0].is_nan() && m[1].is_nan());
    let i = Array::from_slice(dev, &[-3i32, 5], &[2])?;
    i.abs_inplace()?;
    assert_eq!(i.to_vec()?, vec![3, 5]);
    let mask = Array::from_slice(dev, &[true, false, true], &[3])?;
    let w = Array::where_(
        &mask,
        &Array::from_slice(dev, &[1.0f32, 2.0, 3.0], &[3])?,
        &Array::full(dev, &[1], -1.0)?,
    )?;
    assert_eq!(w.to_vec()?, vec![1.0, -1.0, 3.0]);
    Ok(())
}

fn overlap_matches_numpy(dev: &Device) -> Result<()> {
    // a = np.arange(6); a[1:] += a[:-1]  ->  [0 1 3 5 7 9]
    let a = Array::from_slice(dev, &[0, 1, 2, 3, 4, 5], &[6])?;
    a.slice(s![1..])?.add_inplace(&a.slice(s![..-1])?)?;
    assert_eq!(a.to_string(), "[0 1 3 5 7 9]");
    // a = np.arange(6); a[:-1] += a[1:]  ->  [1 3 5 7 9 5]
    let a = Array::from_slice(dev, &[0, 1, 2, 3, 4, 5], &[6])?;
    a.slice(s![..-1])?.add_inplace(&a.slice(s![1..])?)?;
    assert_eq!(a.to_vec()?, vec![1, 3, 5, 7, 9, 5]);
    // m = np.arange(9).reshape(3,3); m += m.T  ->  [[0 4 8] [4 8 12] [8 12 16]]
    let m = Array::from_vec(dev, (0..9).collect::<Vec<i32>>(), &[3, 3])?;
    m.add_inplace(&m.t())?;
    assert_eq!(m.to_string(), "[[ 0  4  8]\n [ 4  8 12]\n [ 8 12 16]]");
    // a += a needs no temporary and doubles.
    let a = Array::from_slice(dev, &[1.0f32, 2.0], &[2])?;
    a.add_inplace(&a)?;
    assert_eq!(a.to_vec()?, vec![2.0, 4.0]);
    // a[::-1] += a (reversed overlap) -> np: [5 5 5 5 5] for arange(5)
    let a = Array::from_slice(dev, &[0u32, 1, 2, 3, 4], &[5])?;
    a.slice(s![..;-1])?.add_inplace(&a)?;
    assert_eq!(a.to_vec()?, vec![4; 5]);
    // Disjoint views of one buffer: a[:3] *= a[3:]
    let a = Array::from_slice(dev, &[1, 2, 3, 4, 5, 6], &[6])?;
    a.slice(s![..3])?.mul_inplace(&a.slice(s![3..])?)?;
    assert_eq!(a.to_vec()?, vec![4, 10, 18, 4, 5, 6]);
    Ok(())
}

fn broadcast_errors(dev: &Device) -> Result<()> {
    let a = Array::<f32>::zeros(dev, &[3])?;
    let b = Array::<f32>::zeros(dev, &[4])?;
    assert_eq!(
        a.add(&b).unwrap_err().to_string(),
        "operands could not be broadcast together with shapes (3,) (4,)"
    );
    let m = Array::<f32>::ones(dev, &[2, 3])?;
    let e = a.add_inplace(&m).unwrap_err().to_string();
    assert_eq!(
        e,
        "non-broadcastable output operand with shape (3,) doesn't match the broadcast shape (2,3)"
    );
    assert_eq!(a.to_vec()?, vec![0.0; 3], "failed ops change nothing");
    let ro = Array::<f32>::ones(dev, &[3])?;
    ro.set_writeable(false)?;
    assert!(ro
        .exp_inplace()
        .unwrap_err()
        .to_string()
        .contains("read-only"));
    assert!(ro
        .add_into(&a, &ro)
        .unwrap_err()
        .to_string()
        .contains("read-only"));
    assert_eq!(ro.to_vec()?, vec![1.0; 3]);
    let other = if dev.is_cpu() {
        Device::gpu().ok()
    } else {
        Some(Device::cpu())
    };
    if let Some(o) = other {
        let x = Array::<f32>::zeros(&o, &[3])?;
        assert!(a
            .add(&x)
            .unwrap_err()
            .to_string()
            .contains("different devices"));
    }
    Ok(())
}

fn steady_state_memory(dev: &Device) -> Result<()> {
    let mut x = Array::<f32>::ones(dev, &[1000])?;
    let mut created = Vec::new();
    for _ in 0..50 {
        let y = &x + &x;
        x *= 0.5;
        drop(y);
        dev.synchronize()?;
        created.push(dev.memory().created);
    }
    assert_eq!(
        created[5], created[49],
        "no new buffers after warm-up: {created:?}"
    );
    assert_relative_eq!(x.to_vec()?[0], 0.5f32.powi(50));
    Ok(())
}

fn gpu_matches_cpu(dev: &Device) -> Result<()> {
    // The CPU backend and this device agree on a chain over strided views.
    let cpu = Device::cpu();
    let data: Vec<f32> = (0..4096)
        .map(|i| ((i * 37) % 101) as f32 / 10.0 - 5.0)
        .collect();
    let run = |d: &Device| -> Result<Vec<f32>> {
        let a = Array::from_slice(d, &data, &[64, 64])?;
        let v = a.slice(s![1..;2, ..;-3])?;
        let w = v.t().exp()?.mul(&v.t().sigmoid()?)?;
        w.add_scalar_inplace(1.5)?;
        v.t().assign(&w.tanh()?)?;
        a.to_vec()
    };
    let (g, c) = (run(dev)?, run(&cpu)?);
    for (x, y) in g.iter().zip(&c) {
        assert_relative_eq!(x, y, max_relative = 1e-5, epsilon = 1e-6);
    }
    Ok(())
}

fn uploads_never_overtake_pending_work(dev: &Device) -> Result<()> {
    // Each iteration records a kernel that reads `a`, drops `a` (its buffer
    // goes back to the pool) and uploads new data, which the pool may put in
    // that same buffer: the upload must not land before the kernel ran.
    let mut outs = Vec::new();
    for i in 0..40 {
        let a = Array::from_vec(dev, vec![i as f32; 4096], &[4096])?;
        outs.push(&a * 2.0);
    }
    for (i, o) in outs.iter().enumerate() {
        assert!(
            o.to_vec()?.iter().all(|&x| x == 2.0 * i as f32),
            "iteration {i}"
        );
    }
    Ok(())
}

fn past_the_binding_limit(dev: &Device) -> Result<()> {
    // Arrays larger than one storage binding (128 MiB on lavapipe): the
    // elementwise kernels bind windows and dispatch once per window, on
    // contiguous, strided and reversed views, against plain loops.
    let limit = dev.info().max_binding_bytes;
    if dev.is_cpu() || limit >= 1 << 30 {
        return Ok(());
    }
    let n = (limit / 16 * 5) as usize + 1024; // 160 MiB past a 128 MiB binding
    let data: Vec<f32> = (0..n).map(|i| (i % 1000) as f32).collect();
    let a = Array::from_slice(dev, &data, &[n])?;
    a.add_scalar_inplace(1.0)?; // contiguous, in place
    let every3 = a.slice(s![..;3])?;
    every3.mul_scalar_inplace(2.0)?; // strided, in place
    let want = |i: usize| ((i % 1000) as f32 + 1.0) * if i.is_multiple_of(3) { 2.0 } else { 1.0 };
    let got = a.to_vec()?;
    for i in (0..n).step_by(4099).chain(n - 5..n) {
        assert_eq!(got[i], want(i), "element {i}");
    }
    // A reversed copy and a fused expression into new big arrays.
    let r = a.slice(s![..;-1])?.copy()?;
    let z = Array::<f32>::zeros(dev, &[n])?;
    let e = (a.expr() * 0.5 + &r).eval()?;
    z.assign(&e)?;
    let (rv, zv) = (r.to_vec()?, z.to_vec()?);
    for i in (0..n).step_by(7919).chain(n - 3..n) {
        assert_eq!(rv[i], want(n - 1 - i), "reversed {i}");
        assert_eq!(zv[i], want(i) * 0.5 + want(n - 1 - i), "expr {i}");
    }
    Ok(())
}

test_device!(
    uploads_never_overtake_pending_work,
    past_the_binding_limit,
    binary_f32,
    binary_i32,
    binary_u32,
    scalar_forms_and_operators,
    unary_and_float_ops,
    overlap_matches_numpy,
    broadcast_errors,
    steady_state_memory,
    gpu_matches_cpu
);
