//! The element types `i64`, `u8` and `f16`: storage, views, transfers,
//! printing, casts, arithmetic, reductions and `.npy` files against values
//! NumPy printed, on both backends (the GPU packs `u8` and `f16` in 32-bit
//! words); races on shared words, GPU against CPU on random data, and the
//! GPU's clear refusals.

mod common;

use ndgpu::{f16, io, s, Array, Axes, BinaryOp, BitOp, CmpOp, DType, Device, Error, Result};

fn h(v: &[f64]) -> Vec<f16> {
    v.iter().map(|&x| f16::from_f64(x)).collect()
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `body` on the CPU backend with a leak check.
fn cpu(body: impl FnOnce(&Device) -> Result<()>) {
    common::checked(&Device::cpu(), body);
}

test_device!(
    round_trips_and_views,
    printing,
    casts,
    arithmetic_wraps,
    reductions,
    npy_files,
    packed_writes_never_race,
    gpu_matches_cpu,
);

const BIG: [i64; 4] = [1 << 40, -5, i64::MAX, 3];

fn round_trips_and_views(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &BIG, &[4])?;
    assert_eq!(a.dtype(), DType::I64);
    assert_eq!(a.to_vec()?, BIG);
    // a[::-1], a[::-2]: negative strides.
    assert_eq!(
        a.slice(s![..;-1])?.to_vec()?,
        vec![3, i64::MAX, -5, 1 << 40]
    );
    assert_eq!(a.slice(s![..;-2])?.copy()?.to_vec()?, vec![3, -5]);
    let u = Array::from_slice(dev, &[0u8, 255, 7, 128, 44, 1], &[2, 3])?;
    assert_eq!(u.t().copy()?.to_vec()?, vec![0, 128, 255, 44, 7, 1]); // u.T
    assert_eq!(
        u.slice(s![.., ..;-1])?.to_vec()?,
        vec![7, 255, 0, 1, 44, 128]
    );
    let x = Array::from_slice(dev, &h(&[1.5, 0.1, -65504.0, 3.0]), &[2, 2])?;
    assert_eq!(x.dtype().name(), "float16");
    assert_eq!(
        x.slice(s![..;-1, ..])?.to_vec()?,
        h(&[-65504.0, 3.0, 1.5, 0.1])
    );
    Ok(())
}

fn printing(dev: &Device) -> Result<()> {
    // str(np.array([1.5, 2], dtype=np.float16))
    assert_eq!(
        Array::from_slice(dev, &h(&[1.5, 2.0]), &[2])?.to_string(),
        "[1.5 2. ]"
    );
    let p = |v: &[f64]| Array::from_slice(dev, &h(v), &[v.len()]).map(|a| a.to_string());
    assert_eq!(
        p(&[0.1, 0.2, 0.3, 1.0 / 3.0])?,
        "[0.1    0.2    0.3    0.3333]"
    );
    assert_eq!(
        p(&[1.5, 2.0, 0.1, 65504.0])?,
        "[1.50e+00 2.00e+00 1.00e-01 6.55e+04]"
    );
    assert_eq!(p(&[1.0, 999.0])?, "[  1. 999.]");
    assert_eq!(p(&[1000.0, 2000.0])?, "[1.e+03 2.e+03]");
    assert_eq!(p(&[0.001, 1.0])?, "[0.001 1.   ]");
    assert_eq!(p(&[f64::NAN, f64::NEG_INFINITY, 3.0])?, "[ nan -inf   3.]");
    // str(np.float16(x)) for 0-d arrays.
    let s0 = |v: f64| Array::from_slice(dev, &h(&[v]), &[]).map(|a| a.to_string());
    assert_eq!(s0(0.1)?, "0.1");
    assert_eq!(s0(1e4)?, "1e+04");
    assert_eq!(s0(65504.0)?, "6.55e+04");
    assert_eq!(s0(1.0 / 3.0)?, "0.3333");
    assert_eq!(s0(3.0)?, "3.0");
    assert_eq!(
        Array::from_slice(dev, &[1i64 << 40, -5], &[2])?.to_string(),
        "[1099511627776            -5]"
    );
    assert_eq!(
        Array::from_slice(dev, &BIG, &[4])?.to_string(),
        "[      1099511627776                  -5 9223372036854775807\n                   3]"
    );
    assert_eq!(
        Array::from_slice(dev, &[0u8, 255, 7], &[3])?.to_string(),
        "[  0 255   7]"
    );
    Ok(())
}

fn casts(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[300i64, -1, 256, (1 << 40) + 7], &[4])?;
    // np.array([300, -1, 256, 2**40 + 7]).astype(np.uint8)
    assert_eq!(a.astype::<u8>()?.to_vec()?, vec![44, 255, 0, 7]);
    assert_eq!(a.astype::<i32>()?.to_vec()?, vec![300, -1, 256, 7]);
    assert_eq!(a.astype::<u32>()?.to_vec()?, vec![300, u32::MAX, 256, 7]);
    assert_eq!(a.astype::<i64>()?.to_vec()?, a.to_vec()?);
    assert_eq!(a.astype::<bool>()?.to_vec()?, vec![true; 4]);
    let i = Array::from_slice(dev, &[-1i32], &[1])?;
    assert_eq!(i.astype::<i64>()?.to_vec()?, vec![-1]);
    let u = Array::from_slice(dev, &[u32::MAX], &[1])?;
    assert_eq!(u.astype::<i64>()?.to_vec()?, vec![4294967295]);
    let b = Array::from_slice(dev, &[200u8], &[1])?;
    assert_eq!(b.astype::<i32>()?.to_vec()?, vec![200]);
    assert_eq!(b.astype::<f16>()?.to_vec()?, h(&[200.0]));
    // Floats to float16 round to nearest even; overflow is inf.
    let f = Array::from_slice(dev, &[3.7f32, -3.7, 1e5], &[3])?;
    assert_eq!(
        f.astype::<f16>()?.to_vec()?,
        h(&[3.69921875, -3.69921875, f64::INFINITY])
    );
    let f = Array::from_slice(dev, &[2049.0f32], &[1])?;
    assert_eq!(f.astype::<f16>()?.to_vec()?, h(&[2048.0]));
    let x = Array::from_slice(dev, &h(&[0.1, 2.5, -7.9, 300.0]), &[4])?;
    assert_eq!(x.astype::<f32>()?.to_vec()?[0], 0.099_975_586);
    if dev.is_cpu() {
        assert_eq!(x.astype::<f64>()?.to_vec()?[0], 0.0999755859375);
    }
    assert_eq!(x.astype::<i64>()?.to_vec()?, vec![0, 2, -7, 300]);
    // np.array([2.5, 300], dtype=np.float16).astype(np.uint8): wraps on x86.
    assert_eq!(x.astype::<u8>()?.to_vec()?, vec![0, 2, 249, 44]);
    let fl = Array::from_slice(dev, &[300.0f32, -1.0], &[2])?;
    assert_eq!(fl.astype::<u8>()?.to_vec()?, vec![44, 255]);
    Ok(())
}

fn arithmetic_wraps(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &BIG, &[4])?;
    assert_eq!(
        a.binary_scalar(BinaryOp::Add, 1)?.to_vec()?,
        vec![1099511627777, -4, i64::MIN, 4]
    );
    assert_eq!(a.binary(BinaryOp::Mul, &a)?.to_vec()?, vec![0, 25, 1, 9]);
    let d = Array::from_slice(dev, &[3i64, 2, -1, -2], &[4])?;
    assert_eq!(
        a.binary(BinaryOp::Div, &d)?.to_vec()?,
        vec![366503875925, -3, -9223372036854775807, -2]
    );
    assert_eq!(a.binary(BinaryOp::Rem, &d)?.to_vec()?, vec![1, 1, 0, -1]);
    // Values beyond 2^53 compare exactly, broadcast ones included.
    let big = Array::from_slice(dev, &[(1i64 << 53) + 1], &[1])?;
    let near = Array::from_slice(dev, &[1i64 << 53, (1 << 53) + 1], &[2])?;
    assert_eq!(near.compare(CmpOp::Lt, &big)?.to_vec()?, vec![true, false]);
    assert_eq!(near.binary(BinaryOp::Sub, &big)?.to_vec()?, vec![-1, 0]);
    // Bitwise ops on 64 bits.
    assert_eq!(
        a.bitwise_scalar(BitOp::RightShift, 3)?.to_vec()?,
        vec![137438953472, -1, 1152921504606846975, 0]
    );
    assert_eq!(
        a.bitwise_not()?.to_vec()?,
        vec![-1099511627777, 4, i64::MIN, -4]
    );
    assert_eq!(
        a.bitwise_scalar(BitOp::And, 0xff)?.to_vec()?,
        vec![0, 251, 255, 3]
    );
    let one = Array::from_slice(dev, &[1i64], &[1])?;
    assert_eq!(
        one.bitwise_scalar(BitOp::LeftShift, 40)?.to_vec()?,
        vec![1 << 40]
    );

    let u = Array::from_slice(dev, &[250u8, 3, 7, 128], &[4])?;
    assert_eq!(
        u.binary_scalar(BinaryOp::Add, 10)?.to_vec()?,
        vec![4, 13, 17, 138]
    );
    assert_eq!(
        u.binary_scalar(BinaryOp::Sub, 8)?.to_vec()?,
        vec![242, 251, 255, 120]
    );
    assert_eq!(
        u.binary_scalar(BinaryOp::Mul, 2)?.to_vec()?,
        vec![244, 6, 14, 0]
    );
    assert_eq!(u.bitwise_not()?.to_vec()?, vec![5, 252, 248, 127]);
    assert_eq!(
        u.bitwise_scalar(BitOp::LeftShift, 1)?.to_vec()?,
        vec![244, 6, 14, 0]
    );
    assert_eq!(
        u.bitwise_scalar(BitOp::RightShift, 2)?.to_vec()?,
        vec![62, 0, 1, 32]
    );
    assert_eq!(
        u.compare(CmpOp::Gt, &Array::from_slice(dev, &[7u8], &[1])?)?
            .to_vec()?,
        vec![true, false, false, true]
    );

    // float16: computed in f32, rounded per operation.
    let x = Array::from_slice(dev, &h(&[1.5, 2.0, 0.1, 65504.0]), &[4])?;
    assert_eq!(
        x.binary(BinaryOp::Add, &x)?.to_vec()?,
        h(&[3.0, 4.0, 0.199951171875, f64::INFINITY])
    );
    assert_eq!(
        x.binary_scalar(BinaryOp::Mul, f16::from_f64(3.0))?
            .to_vec()?,
        h(&[4.5, 6.0, 0.2998046875, f64::INFINITY])
    );
    assert_eq!(
        x.float_op(ndgpu::FloatOp::Sqrt)?.to_vec()?[1],
        f16::from_f64(2f64.sqrt())
    );
    assert_eq!(
        x.compare(CmpOp::Le, &Array::from_slice(dev, &h(&[2.0]), &[1])?)?
            .to_vec()?,
        vec![true, true, true, false]
    );
    Ok(())
}

fn reductions(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &BIG, &[4])?;
    // a.sum(), a.prod(), a.min(), a.max(), a.argmin(), a.argmax()
    assert_eq!(
        a.sum(Axes::All, false)?.to_vec()?,
        vec![-9223370937343148035]
    );
    assert_eq!(a.prod(Axes::All, false)?.to_vec()?, vec![16492674416640]);
    assert_eq!(a.min(Axes::All, false)?.to_vec()?, vec![-5]);
    assert_eq!(a.max(Axes::All, false)?.to_vec()?, vec![i64::MAX]);
    assert_eq!(a.argmin(None, false)?.to_vec()?, vec![1]);
    assert_eq!(a.argmax(None, false)?.to_vec()?, vec![2]);
    let u = Array::from_slice(dev, &[250u8, 3, 7, 128], &[2, 2])?;
    // u.sum(dtype=np.uint8), u.prod(dtype=np.uint8): wrap.
    assert_eq!(u.sum(Axes::All, false)?.to_vec()?, vec![132]);
    assert_eq!(u.prod(Axes::All, false)?.to_vec()?, vec![0]);
    assert_eq!(u.max(1, false)?.to_vec()?, vec![250, 128]);
    assert_eq!(u.argmin(0, false)?.to_vec()?, vec![1, 0]);
    let x = Array::from_slice(dev, &h(&[1.5, 2.0, 0.1, 65504.0]), &[4])?;
    assert_eq!(x.sum(Axes::All, false)?.to_vec()?, h(&[65504.0]));
    assert_eq!(x.mean(Axes::All, false)?.to_vec()?, h(&[16376.0]));
    assert_eq!(x.min(Axes::All, false)?.to_vec()?, h(&[0.1]));
    assert_eq!(x.argmax(None, false)?.to_vec()?, vec![3]);
    let y = Array::from_slice(dev, &h(&[1.5, 2.0, 4.0]), &[3])?;
    assert_eq!(y.prod(Axes::All, false)?.to_vec()?, h(&[12.0]));
    let n = Array::from_slice(dev, &h(&[1.0, f64::NAN, 3.0]), &[3])?;
    assert!(n.max(Axes::All, false)?.to_vec()?[0].is_nan());
    Ok(())
}

#[test]
fn sorting() {
    cpu(|dev| {
        let a = Array::from_slice(dev, &[3i64, -(1 << 62), (1 << 53) + 1, 1 << 53, 0], &[5])?;
        assert_eq!(
            a.sort(None)?.to_vec()?,
            vec![-(1 << 62), 0, 3, 1 << 53, (1 << 53) + 1]
        );
        assert_eq!(a.argsort(None)?.to_vec()?, vec![1, 4, 0, 3, 2]);
        let x = Array::from_slice(dev, &h(&[f64::NAN, 1.5, -2.0, 0.1]), &[4])?;
        let s = x.sort(None)?.to_vec()?;
        assert_eq!(&s[..3], &h(&[-2.0, 0.1, 1.5])[..]);
        assert!(s[3].is_nan());
        let u = Array::from_slice(dev, &[9u8, 255, 0, 7], &[4])?;
        assert_eq!(u.sort(None)?.to_vec()?, vec![0, 7, 9, 255]);
        Ok(())
    });
}

fn npy_files(dev: &Device) -> Result<()> {
    for f in ["i64_2d.npy", "i64_2d_be_f.npy"] {
        let a = io::load_npy_as::<i64>(dev, fixture(f))?;
        assert_eq!(a.shape(), &[2, 3], "{f}");
        assert_eq!(
            a.to_vec()?,
            vec![1 << 40, -5, i64::MAX, 3, i64::MIN, (1 << 53) + 1],
            "{f}"
        );
    }
    for f in ["u8_2d.npy", "u8_2d_be_f.npy"] {
        let a = io::load_npy_as::<u8>(dev, fixture(f))?;
        assert_eq!(a.to_vec()?, vec![0, 255, 7, 128, 44, 1], "{f}");
    }
    for f in ["f16_2d.npy", "f16_2d_be_f.npy"] {
        let a = io::load_npy(dev, fixture(f))?;
        assert_eq!(a.dtype(), DType::F16, "{f}");
        let a = a.into_typed::<f16>()?;
        assert_eq!(
            a.to_vec()?,
            h(&[1.5, 0.1, -65504.0, f64::INFINITY, 2f64.powi(-24), 3.0]),
            "{f}"
        );
    }
    assert_eq!(
        io::load_npy_as::<i64>(dev, fixture("i64.npy"))?.to_vec()?,
        vec![0, 1, 2, 3]
    );
    // Round trips, from views with negative strides.
    let dir = std::env::temp_dir();
    let a = io::load_npy_as::<i64>(dev, fixture("i64_2d.npy"))?.slice(s![..;-1, ..;-1])?;
    let p = dir.join(format!("ndgpu_dtypes_{}_i64.npy", std::process::id()));
    io::save_npy(&p, &a)?;
    assert_eq!(io::load_npy_as::<i64>(dev, &p)?.to_vec()?, a.to_vec()?);
    // NumPy's header for it.
    let bytes = std::fs::read(&p).unwrap();
    assert!(String::from_utf8_lossy(&bytes[..128]).contains("'descr': '<i8'"));
    let u = Array::from_slice(dev, &[1u8, 2, 3], &[3])?;
    io::save_npy(&p, &u)?;
    assert!(String::from_utf8_lossy(&std::fs::read(&p).unwrap()[..128]).contains("'|u1'"));
    assert_eq!(io::load_npy_as::<u8>(dev, &p)?.to_vec()?, vec![1, 2, 3]);
    let x = Array::from_slice(dev, &h(&[0.1, -2.5]), &[2])?;
    io::save_npy(&p, &x.slice(s![..;-1])?)?;
    assert!(String::from_utf8_lossy(&std::fs::read(&p).unwrap()[..128]).contains("'<f2'"));
    assert_eq!(io::load_npy_as::<f16>(dev, &p)?.to_vec()?, h(&[-2.5, 0.1]));
    std::fs::remove_file(&p).ok();
    Ok(())
}

/// Strided and in-place writes of packed elements (four `u8` or two `f16`
/// to a word, each written by its own invocation) keep every neighbour:
/// checked against a plain loop over the whole buffer.
fn packed_writes_never_race(dev: &Device) -> Result<()> {
    let n = 100_003;
    let v: Vec<u8> = (0..n).map(|i| (i * 7 % 251) as u8).collect();
    let a = Array::from_slice(dev, &v, &[n])?;
    for (start, step) in [(0usize, 1usize), (1, 2), (3, 3), (2, 5)] {
        let view = a.slice(s![start as isize..;step as isize])?;
        view.binary_scalar_inplace(BinaryOp::Add, 1)?;
    }
    let mut want = v.clone();
    for (start, step) in [(0usize, 1usize), (1, 2), (3, 3), (2, 5)] {
        for x in want.iter_mut().skip(start).step_by(step) {
            *x = x.wrapping_add(1);
        }
    }
    // Contiguous views that start and end inside a word (one invocation
    // per word, neighbours outside the view kept), and a copy between
    // neighbouring runs of one buffer.
    a.slice(s![5..23])?
        .binary_scalar_inplace(BinaryOp::Add, 3)?;
    for x in &mut want[5..23] {
        *x = x.wrapping_add(3);
    }
    a.slice(s![0..5])?.assign(&a.slice(s![5..10])?)?;
    want.copy_within(5..10, 0);
    assert_eq!(a.to_vec()?, want);
    // Reads at odd offsets and lengths, and a reversed copy.
    assert_eq!(a.slice(s![5..12])?.to_vec()?, want[5..12].to_vec());
    let r: Vec<u8> = want[1..10].iter().rev().copied().collect();
    assert_eq!(a.slice(s![1..10;-1])?.copy()?.to_vec()?, r);

    let hv: Vec<f16> = (0..n)
        .map(|i| f16::from_f64(i as f64 * 0.25 - 9.0))
        .collect();
    let x = Array::from_slice(dev, &hv, &[n])?;
    x.slice(s![1..;2])?
        .binary_scalar_inplace(BinaryOp::Mul, f16::from_f64(-2.0))?;
    x.slice(s![..;3])?
        .binary_scalar_inplace(BinaryOp::Add, f16::from_f64(0.5))?;
    let mut hw = hv.clone();
    for x in hw.iter_mut().skip(1).step_by(2) {
        *x = f16::from_f32(x.to_f32() * -2.0);
    }
    for x in hw.iter_mut().step_by(3) {
        *x = f16::from_f32(x.to_f32() + 0.5);
    }
    x.slice(s![1..8])?
        .binary_scalar_inplace(BinaryOp::Sub, f16::from_f64(0.25))?;
    for x in &mut hw[1..8] {
        *x = f16::from_f32(x.to_f32() - 0.25);
    }
    assert_eq!(x.to_vec()?, hw);
    assert_eq!(x.slice(s![3..4])?.to_vec()?, hw[3..4].to_vec());
    // A 2-D transpose written through: m.T[...] = m + 1 on a copy.
    let m = Array::from_slice(dev, &v[..12], &[3, 4])?;
    let t = Array::<u8>::zeros(dev, &[4, 3])?;
    t.assign(&m.t())?;
    let want_t: Vec<u8> = (0..12).map(|k| v[(k % 3) * 4 + k / 3]).collect();
    assert_eq!(t.to_vec()?, want_t);
    Ok(())
}

/// The same ops on random data give the CPU backend's results: exactly for
/// integers and for float16 arithmetic (both round each result to nearest
/// even), within 1e-3 relative for float16 transcendental functions.
fn gpu_matches_cpu(dev: &Device) -> Result<()> {
    let cpu = Device::cpu();
    let n = 4099;
    let mut r = 0x9e3779b97f4a7c15u64;
    let mut next = move || {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        r
    };
    let iv: Vec<i64> = (0..n)
        .map(|i| match i % 4 {
            0 => next() as i64,
            1 => (next() % 2001) as i64 - 1000,
            2 => (next() % 70) as i64 - 5,
            _ => -((next() >> 20) as i64),
        })
        .collect();
    let uv: Vec<u8> = (0..n).map(|_| next() as u8).collect();
    let hv: Vec<f16> = (0..n)
        .map(|_| f16::from_f64((next() % 20001) as f64 / 100.0 - 100.0))
        .collect();
    fn on<T: ndgpu::Element>(dev: &Device, v: &[T], shape: &[usize]) -> Result<Array<T>> {
        Array::from_slice(dev, v, shape)
    }
    let shape = [n];
    // int64
    {
        let (g, c) = (on(dev, &iv, &shape)?, on(&cpu, &iv, &shape)?);
        let (g2, c2) = (g.slice(s![..;-1])?, c.slice(s![..;-1])?);
        for op in BinaryOp::ALL {
            same_vec(
                &format!("i64 {op:?}"),
                g.binary(op, &g2)?.to_vec()?,
                c.binary(op, &c2)?.to_vec()?,
            );
            same_vec(
                &format!("i64 {op:?} -7"),
                g.binary_scalar(op, -7)?.to_vec()?,
                c.binary_scalar(op, -7)?.to_vec()?,
            );
        }
        for op in [
            BitOp::And,
            BitOp::Or,
            BitOp::Xor,
            BitOp::LeftShift,
            BitOp::RightShift,
        ] {
            same_vec(
                &format!("i64 {op:?}"),
                g.bitwise(op, &g2)?.to_vec()?,
                c.bitwise(op, &c2)?.to_vec()?,
            );
        }
        for cmp in [CmpOp::Lt, CmpOp::Eq, CmpOp::Ge] {
            same_vec(
                &format!("i64 {cmp:?}"),
                g.compare(cmp, &g2)?.to_vec()?,
                c.compare(cmp, &c2)?.to_vec()?,
            );
        }
        same_vec(
            &"",
            g.astype::<u8>()?.to_vec()?,
            c.astype::<u8>()?.to_vec()?,
        );
        same_vec(
            &"",
            g.astype::<i32>()?.to_vec()?,
            c.astype::<i32>()?.to_vec()?,
        );
        same_vec(
            &"",
            g.astype::<u32>()?.to_vec()?,
            c.astype::<u32>()?.to_vec()?,
        );
        same_vec(
            &"",
            g.astype::<f16>()?.to_vec()?,
            c.astype::<f16>()?.to_vec()?,
        );
        let m = on(dev, &iv[..4096], &[64, 64])?;
        let mc = on(&cpu, &iv[..4096], &[64, 64])?;
        same_vec(&"", m.sum(0, false)?.to_vec()?, mc.sum(0, false)?.to_vec()?);
        same_vec(
            &"",
            m.argmax(1, false)?.to_vec()?,
            mc.argmax(1, false)?.to_vec()?,
        );
    }
    // uint8
    {
        let (g, c) = (on(dev, &uv, &shape)?, on(&cpu, &uv, &shape)?);
        let (g2, c2) = (g.slice(s![..;-1])?, c.slice(s![..;-1])?);
        for op in BinaryOp::ALL {
            same_vec(
                &format!("u8 {op:?}"),
                g.binary(op, &g2)?.to_vec()?,
                c.binary(op, &c2)?.to_vec()?,
            );
            same_vec(
                &format!("u8 {op:?} 3"),
                g.binary_scalar(op, 3)?.to_vec()?,
                c.binary_scalar(op, 3)?.to_vec()?,
            );
        }
        for op in [BitOp::And, BitOp::Xor, BitOp::LeftShift, BitOp::RightShift] {
            same_vec(
                &format!("u8 {op:?}"),
                g.bitwise(op, &g2)?.to_vec()?,
                c.bitwise(op, &c2)?.to_vec()?,
            );
        }
        same_vec(
            &"u8 not",
            g.bitwise_not()?.to_vec()?,
            c.bitwise_not()?.to_vec()?,
        );
        same_vec(
            &"",
            g.astype::<i64>()?.to_vec()?,
            c.astype::<i64>()?.to_vec()?,
        );
        same_vec(
            &"",
            g.astype::<f16>()?.to_vec()?,
            c.astype::<f16>()?.to_vec()?,
        );
        let m = g.slice(s![..4096])?.reshape(&[64, 64])?;
        let mc = c.slice(s![..4096])?.reshape(&[64, 64])?;
        same_vec(
            &"u8 sum",
            m.sum(1, false)?.to_vec()?,
            mc.sum(1, false)?.to_vec()?,
        );
        same_vec(
            &"u8 max",
            m.max(0, false)?.to_vec()?,
            mc.max(0, false)?.to_vec()?,
        );
        same_vec(
            &"",
            m.argmin(0, false)?.to_vec()?,
            mc.argmin(0, false)?.to_vec()?,
        );
        // Floats to uint8 wrap through their integer value, as on the CPU.
        let fv: Vec<f32> = (0..n).map(|i| (i as f32 - 2000.0) * 3.3).collect();
        same_vec(
            &"f32 -> u8",
            on(dev, &fv, &shape)?.astype::<u8>()?.to_vec()?,
            on(&cpu, &fv, &shape)?.astype::<u8>()?.to_vec()?,
        );
    }
    // Gathers, selects, clips and masked fills through the packing.
    {
        let idx: Vec<i32> = (0..997).map(|i| (i * 37 % n) as i32).collect();
        let (gi, ci) = (on(dev, &idx, &[997])?, on(&cpu, &idx, &[997])?);
        let (gu, cu) = (on(dev, &uv, &shape)?, on(&cpu, &uv, &shape)?);
        same_vec(
            &"u8 take",
            gu.take(&gi, None)?.to_vec()?,
            cu.take(&ci, None)?.to_vec()?,
        );
        let (gh, ch) = (on(dev, &hv, &shape)?, on(&cpu, &hv, &shape)?);
        same_vec(
            &"f16 take",
            gh.take(&gi, None)?.to_vec()?,
            ch.take(&ci, None)?.to_vec()?,
        );
        let (gl, cl) = (on(dev, &iv, &shape)?, on(&cpu, &iv, &shape)?);
        same_vec(
            &"i64 take",
            gl.take(&gi, None)?.to_vec()?,
            cl.take(&ci, None)?.to_vec()?,
        );
        let (gm, cm) = (
            gu.compare_scalar(CmpOp::Gt, 100)?,
            cu.compare_scalar(CmpOp::Gt, 100)?,
        );
        same_vec(
            &"f16 where",
            Array::where_(&gm, &gh, &gh.slice(s![..;-1])?)?.to_vec()?,
            Array::where_(&cm, &ch, &ch.slice(s![..;-1])?)?.to_vec()?,
        );
        same_vec(
            &"i64 clip",
            gl.clip(-500, 1 << 40)?.to_vec()?,
            cl.clip(-500, 1 << 40)?.to_vec()?,
        );
        gu.slice(s![3..;7])?.masked_fill(&gm.slice(s![3..;7])?, 9)?;
        cu.slice(s![3..;7])?.masked_fill(&cm.slice(s![3..;7])?, 9)?;
        same_vec(&"u8 masked_fill", gu.to_vec()?, cu.to_vec()?);
    }
    // float16
    {
        let (g, c) = (on(dev, &hv, &shape)?, on(&cpu, &hv, &shape)?);
        let (g2, c2) = (g.slice(s![..;-1])?, c.slice(s![..;-1])?);
        for op in [
            BinaryOp::Add,
            BinaryOp::Sub,
            BinaryOp::Mul,
            BinaryOp::Div,
            BinaryOp::Maximum,
            BinaryOp::Rem,
        ] {
            same_vec(
                &"",
                g.binary(op, &g2)?.to_vec()?,
                c.binary(op, &c2)?.to_vec()?,
            );
        }
        // Squares past 65504 overflow to inf on both.
        let sq = |a: &Array<f16>| {
            a.binary(
                BinaryOp::Mul,
                &a.binary_scalar(BinaryOp::Mul, f16::from_f64(7.0))?,
            )
        };
        same_vec(
            &"f16 overflowing squares",
            sq(&g)?.to_vec()?,
            sq(&c)?.to_vec()?,
        );
        // Tiny values: subnormal float16 results.
        let tiny = |a: &Array<f16>| a.binary_scalar(BinaryOp::Mul, f16::from_f64(1e-6));
        same_vec(&"", tiny(&g)?.to_vec()?, tiny(&c)?.to_vec()?);
        same_vec(
            &"",
            g.astype::<f32>()?.to_vec()?,
            c.astype::<f32>()?.to_vec()?,
        );
        same_vec(
            &"",
            g.astype::<i32>()?.to_vec()?,
            c.astype::<i32>()?.to_vec()?,
        );
        same_vec(
            &"",
            g.astype::<u8>()?.to_vec()?,
            c.astype::<u8>()?.to_vec()?,
        );
        let f32s: Vec<f32> = (0..n).map(|i| (i as f32 - 2049.5) * 37.77).collect();
        same_vec(
            &"",
            on(dev, &f32s, &shape)?.astype::<f16>()?.to_vec()?,
            on(&cpu, &f32s, &shape)?.astype::<f16>()?.to_vec()?,
        );
        for f in [
            ndgpu::FloatOp::Exp,
            ndgpu::FloatOp::Sqrt,
            ndgpu::FloatOp::Sin,
        ] {
            let a = g.binary_scalar(BinaryOp::Div, f16::from_f64(50.0))?;
            let b = c.binary_scalar(BinaryOp::Div, f16::from_f64(50.0))?;
            let (x, y) = (a.float_op(f)?.to_vec()?, b.float_op(f)?.to_vec()?);
            for (i, (p, q)) in x.iter().zip(&y).enumerate() {
                let (p, q) = (p.to_f64(), q.to_f64());
                assert!(
                    (p.is_nan() && q.is_nan()) || (p - q).abs() <= 1e-3 * q.abs().max(1e-3),
                    "{f:?} at {i}: {p} vs {q}"
                );
            }
        }
        let m = g.slice(s![..4096])?.reshape(&[64, 64])?;
        let mc = c.slice(s![..4096])?.reshape(&[64, 64])?;
        same_vec(
            &"f16 max",
            m.max(1, false)?.to_vec()?,
            mc.max(1, false)?.to_vec()?,
        );
        same_vec(
            &"",
            m.argmin(0, false)?.to_vec()?,
            mc.argmin(0, false)?.to_vec()?,
        );
        let (s1, s2) = (m.sum(0, false)?.to_vec()?, mc.sum(0, false)?.to_vec()?);
        for (p, q) in s1.iter().zip(&s2) {
            // Rounded once on the GPU, per addition on the CPU.
            assert!((p.to_f64() - q.to_f64()).abs() <= 0.02 * q.to_f64().abs().max(1.0));
        }
    }
    Ok(())
}

/// What a GPU lacks is a clear [`Error::Dtype`] naming it, never a silent
/// change of dtype.
#[test]
fn gpu_refusals() {
    let Some(dev) = common::gpu() else { return };
    common::checked(&dev, |dev| {
        let says = |e: Error, what: &[&str]| {
            let m = e.to_string();
            assert!(matches!(e, Error::Dtype { .. }));
            for w in what {
                assert!(m.contains(w), "{m}");
            }
        };
        says(
            Array::from_slice(dev, &[1.0f64], &[1]).unwrap_err(),
            &["dtype float64 is not supported on", "SHADER_F64"],
        );
        let u = Array::from_slice(dev, &[3u8, 1, 2], &[3])?;
        says(u.sort(None).unwrap_err(), &["dtype uint8", "astype"]);
        let x = Array::from_slice(dev, &h(&[1.0, 2.0, 3.0, 4.0]), &[2, 2])?;
        says(x.matmul(&x).unwrap_err(), &["dtype float16", "matmul"]);
        says(x.cumsum(None).unwrap_err(), &["cumsum"]);
        Ok(())
    });
}

/// Equal vectors, or a panic naming the first difference (not the arrays).
fn same_vec<T: PartialEq + std::fmt::Debug>(what: &impl std::fmt::Display, g: Vec<T>, c: Vec<T>) {
    assert_eq!(g.len(), c.len(), "{what}: lengths");
    if let Some(i) = (0..g.len()).find(|&i| g[i] != c[i]) {
        panic!(
            "{what}: first difference at {i}: gpu {:?}, cpu {:?}",
            g[i], c[i]
        );
    }
}
