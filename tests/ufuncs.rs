//! The ufuncs beyond arithmetic, the `bool` dtype, bitwise and logical ops,
//! float classification and closeness, on both backends, against values
//! NumPy 2.4 printed (float32 inputs, float32 results).

// The references are NumPy's printed digits, more than an f32 holds.
#![allow(clippy::excessive_precision)]

mod common;

use ndgpu::{s, Array, BitOp, Device, Expr, FloatBinaryOp, FloatOp, IsOp, Result};

/// The inputs, printed by NumPy as float32.
const X: [f32; 12] = [
    -2.500000000e+00,
    -1.000000000e+00,
    -3.000000119e-01,
    -9.999999747e-06,
    0.000000000e+00,
    9.999999975e-07,
    3.000000119e-01,
    5.000000000e-01,
    8.999999762e-01,
    1.000000000e+00,
    2.000000000e+00,
    7.250000000e+00,
];

/// `(op, NumPy's float32 result for X)`.
const UNARY: [(&str, [f32; 12]); 18] = [
    (
        "tan",
        [
            7.470222712e-01,
            -1.557407737e+00,
            -3.093362749e-01,
            -9.999999747e-06,
            0.000000000e+00,
            9.999999975e-07,
            3.093362749e-01,
            5.463024974e-01,
            1.260158062e+00,
            1.557407737e+00,
            -2.185039997e+00,
            1.449279547e+00,
        ],
    ),
    (
        "asin",
        [
            f32::NAN,
            -1.570796371e+00,
            -3.046926558e-01,
            -9.999999747e-06,
            0.000000000e+00,
            9.999999975e-07,
            3.046926558e-01,
            5.235987902e-01,
            1.119769573e+00,
            1.570796371e+00,
            f32::NAN,
            f32::NAN,
        ],
    ),
    (
        "acos",
        [
            f32::NAN,
            3.141592741e+00,
            1.875488997e+00,
            1.570806384e+00,
            1.570796371e+00,
            1.570795417e+00,
            1.266103745e+00,
            1.047197580e+00,
            4.510268569e-01,
            0.000000000e+00,
            f32::NAN,
            f32::NAN,
        ],
    ),
    (
        "atan",
        [
            -1.190289974e+00,
            -7.853981853e-01,
            -2.914568186e-01,
            -9.999999747e-06,
            0.000000000e+00,
            9.999999975e-07,
            2.914568186e-01,
            4.636476040e-01,
            7.328150868e-01,
            7.853981853e-01,
            1.107148767e+00,
            1.433730125e+00,
        ],
    ),
    (
        "sinh",
        [
            -6.050204277e+00,
            -1.175201178e+00,
            -3.045203090e-01,
            -9.999999747e-06,
            0.000000000e+00,
            9.999999975e-07,
            3.045203090e-01,
            5.210952759e-01,
            1.026516676e+00,
            1.175201178e+00,
            3.626860380e+00,
            7.040520630e+02,
        ],
    ),
    (
        "cosh",
        [
            6.132289886e+00,
            1.543080688e+00,
            1.045338392e+00,
            1.000000000e+00,
            1.000000000e+00,
            1.000000000e+00,
            1.045338392e+00,
            1.127626061e+00,
            1.433086395e+00,
            1.543080688e+00,
            3.762195587e+00,
            7.040528564e+02,
        ],
    ),
    (
        "asinh",
        [
            -1.647231102e+00,
            -8.813735843e-01,
            -2.956730723e-01,
            -9.999999747e-06,
            0.000000000e+00,
            9.999999975e-07,
            2.956730723e-01,
            4.812118113e-01,
            8.088669181e-01,
            8.813735843e-01,
            1.443635464e+00,
            2.678871393e+00,
        ],
    ),
    (
        "acosh",
        [
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::NAN,
            0.000000000e+00,
            1.316957951e+00,
            2.669358015e+00,
        ],
    ),
    (
        "atanh",
        [
            f32::NAN,
            f32::NEG_INFINITY,
            -3.095196187e-01,
            -9.999999747e-06,
            0.000000000e+00,
            9.999999975e-07,
            3.095196187e-01,
            5.493061543e-01,
            1.472219348e+00,
            f32::INFINITY,
            f32::NAN,
            f32::NAN,
        ],
    ),
    (
        "log1p",
        [
            f32::NAN,
            f32::NEG_INFINITY,
            -3.566749692e-01,
            -1.000004977e-05,
            0.000000000e+00,
            9.999995427e-07,
            2.623642683e-01,
            4.054651260e-01,
            6.418538690e-01,
            6.931471825e-01,
            1.098612309e+00,
            2.110213280e+00,
        ],
    ),
    (
        "expm1",
        [
            -9.179150462e-01,
            -6.321205497e-01,
            -2.591817975e-01,
            -9.999949725e-06,
            0.000000000e+00,
            1.000000452e-06,
            3.498588204e-01,
            6.487212777e-01,
            1.459603071e+00,
            1.718281865e+00,
            6.389056206e+00,
            1.407104858e+03,
        ],
    ),
    (
        "log2",
        [
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::NEG_INFINITY,
            -1.993156815e+01,
            -1.736965537e+00,
            -1.000000000e+00,
            -1.520031393e-01,
            0.000000000e+00,
            1.000000000e+00,
            2.857980967e+00,
        ],
    ),
    (
        "log10",
        [
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::NEG_INFINITY,
            -6.000000477e+00,
            -5.228787661e-01,
            -3.010300100e-01,
            -4.575750232e-02,
            0.000000000e+00,
            3.010300100e-01,
            8.603380322e-01,
        ],
    ),
    (
        "exp2",
        [
            1.767766923e-01,
            5.000000000e-01,
            8.122524023e-01,
            9.999930859e-01,
            1.000000000e+00,
            1.000000715e+00,
            1.231144428e+00,
            1.414213538e+00,
            1.866065979e+00,
            2.000000000e+00,
            4.000000000e+00,
            1.522185059e+02,
        ],
    ),
    (
        "sign",
        [
            -1.000000000e+00,
            -1.000000000e+00,
            -1.000000000e+00,
            -1.000000000e+00,
            0.000000000e+00,
            1.000000000e+00,
            1.000000000e+00,
            1.000000000e+00,
            1.000000000e+00,
            1.000000000e+00,
            1.000000000e+00,
            1.000000000e+00,
        ],
    ),
    (
        "square",
        [
            6.250000000e+00,
            1.000000000e+00,
            9.000000358e-02,
            9.999999440e-11,
            0.000000000e+00,
            9.999999960e-13,
            9.000000358e-02,
            2.500000000e-01,
            8.099999428e-01,
            1.000000000e+00,
            4.000000000e+00,
            5.256250000e+01,
        ],
    ),
    (
        "reciprocal",
        [
            -4.000000060e-01,
            -1.000000000e+00,
            -3.333333254e+00,
            -1.000000000e+05,
            f32::INFINITY,
            1.000000000e+06,
            3.333333254e+00,
            2.000000000e+00,
            1.111111164e+00,
            1.000000000e+00,
            5.000000000e-01,
            1.379310340e-01,
        ],
    ),
    (
        "trunc",
        [
            -2.000000000e+00,
            -1.000000000e+00,
            -0.000000000e+00,
            -0.000000000e+00,
            0.000000000e+00,
            0.000000000e+00,
            0.000000000e+00,
            0.000000000e+00,
            0.000000000e+00,
            1.000000000e+00,
            2.000000000e+00,
            7.000000000e+00,
        ],
    ),
];

const Y: [f32; 12] = [
    7.000000000e+00,
    -7.000000000e+00,
    7.000000000e+00,
    -7.000000000e+00,
    0.000000000e+00,
    -0.000000000e+00,
    1.000000015e+30,
    3.000000000e+00,
    f32::INFINITY,
    5.500000000e+00,
    -2.000000000e+00,
    1.000000015e-01,
];
const Z: [f32; 12] = [
    2.000000000e+00,
    2.000000000e+00,
    -2.000000000e+00,
    -2.000000000e+00,
    3.000000000e+00,
    1.000000000e+00,
    1.000000015e+30,
    0.000000000e+00,
    2.000000000e+00,
    f32::NAN,
    -0.000000000e+00,
    3.000000119e-01,
];

/// `(op, NumPy's float32 result for (Y, Z))`.
const BINARY: [(&str, [f32; 12]); 4] = [
    (
        "atan2",
        [
            1.292496681e+00,
            -1.292496681e+00,
            1.849096060e+00,
            -1.849096060e+00,
            0.000000000e+00,
            -0.000000000e+00,
            7.853981256e-01,
            1.570796371e+00,
            1.570796371e+00,
            f32::NAN,
            -1.570796371e+00,
            3.217505515e-01,
        ],
    ),
    (
        "hypot",
        [
            7.280109882e+00,
            7.280109882e+00,
            7.280109882e+00,
            7.280109882e+00,
            3.000000000e+00,
            1.000000000e+00,
            1.414213513e+30,
            3.000000000e+00,
            f32::INFINITY,
            f32::NAN,
            2.000000000e+00,
            3.162277639e-01,
        ],
    ),
    (
        "copysign",
        [
            7.000000000e+00,
            7.000000000e+00,
            -7.000000000e+00,
            -7.000000000e+00,
            0.000000000e+00,
            0.000000000e+00,
            1.000000015e+30,
            3.000000000e+00,
            f32::INFINITY,
            5.500000000e+00,
            -2.000000000e+00,
            1.000000015e-01,
        ],
    ),
    (
        "floor_divide",
        [
            3.000000000e+00,
            -4.000000000e+00,
            -4.000000000e+00,
            3.000000000e+00,
            0.000000000e+00,
            -0.000000000e+00,
            1.000000000e+00,
            f32::INFINITY,
            f32::NAN,
            f32::NAN,
            f32::INFINITY,
            0.000000000e+00,
        ],
    ),
];

/// NumPy's value within a few float32 ulps (GPU builtins are not correctly
/// rounded); NaN for NaN, the same infinity for an infinity.
fn close(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let ok = if w.is_nan() {
            g.is_nan()
        } else if w.is_infinite() {
            g == w
        } else {
            (g - w).abs() <= 4e-6 * w.abs().max(1e-30) || (g - w).abs() <= 1e-37
        };
        assert!(ok, "{what}[{i}]: got {g:e}, NumPy {w:e}");
    }
}

fn apply(a: &Array<f32>, name: &str) -> Result<Array<f32>> {
    Ok(match name {
        "tan" => a.tan()?,
        "asin" => a.asin()?,
        "acos" => a.acos()?,
        "atan" => a.atan()?,
        "sinh" => a.sinh()?,
        "cosh" => a.cosh()?,
        "asinh" => a.asinh()?,
        "acosh" => a.acosh()?,
        "atanh" => a.atanh()?,
        "log1p" => a.log1p()?,
        "expm1" => a.expm1()?,
        "log2" => a.log2()?,
        "log10" => a.log10()?,
        "exp2" => a.exp2()?,
        "sign" => a.sign()?,
        "square" => a.square()?,
        "reciprocal" => a.reciprocal()?,
        "trunc" => a.trunc()?,
        _ => unreachable!("{name}"),
    })
}

fn float_unary(dev: &Device) -> Result<()> {
    // X read through a negative-stride view of a (2, 12) buffer.
    let mut buf = vec![99.0f32; 24];
    for (i, &x) in X.iter().enumerate() {
        buf[23 - 2 * i] = x;
    }
    let base = Array::from_slice(dev, &buf, &[24])?;
    let x = base.slice(s![..;-2])?;
    assert_eq!(x.to_vec()?, X.to_vec());
    for (name, want) in UNARY {
        close(&apply(&x, name)?.to_vec()?, &want, name);
    }
    // In place through the view, and into a strided `out`.
    let c = base.copy()?;
    c.slice(s![..;-2])?.log1p_inplace()?;
    let got = c.to_vec()?;
    close(
        &got.iter().rev().step_by(2).copied().collect::<Vec<_>>(),
        &UNARY[9].1,
        "log1p inplace",
    );
    assert!(
        got.iter().step_by(2).all(|&v| v == 99.0),
        "the other half untouched"
    );
    let out = Array::<f32>::zeros(dev, &[12, 2])?;
    x.expm1_into(&out.slice(s![.., 1])?)?;
    close(&out.slice(s![.., 1])?.to_vec()?, &UNARY[10].1, "expm1 into");
    assert_eq!(out.slice(s![.., 0])?.to_vec()?, vec![0.0; 12]);
    // The FloatOp form and the expression form agree with the named one.
    close(
        &x.float_op(FloatOp::Atanh)?.to_vec()?,
        &UNARY[8].1,
        "FloatOp::Atanh",
    );
    close(
        &x.expr().asinh().eval()?.to_vec()?,
        &UNARY[6].1,
        "Expr::asinh",
    );
    // Integer sign and square (wrapping), as NumPy.
    let i = Array::from_slice(dev, &[-5, 0, 3], &[3])?;
    assert_eq!(i.sign()?.to_vec()?, vec![-1, 0, 1]);
    let u = Array::from_slice(dev, &[0u32, 3], &[2])?;
    assert_eq!(u.sign()?.to_vec()?, vec![0, 1]);
    let w = Array::from_slice(dev, &[-5, 46341], &[2])?;
    assert_eq!(w.square()?.to_vec()?, vec![25, -2147479015]);
    // NaN keeps its sign op result; 0-d and empty arrays work.
    let n = Array::from_slice(dev, &[f32::NAN], &[])?;
    assert!(n.sign()?.item()?.is_nan());
    assert_eq!(Array::<f32>::zeros(dev, &[0, 3])?.tan()?.shape(), &[0, 3]);
    Ok(())
}

fn float_binary(dev: &Device) -> Result<()> {
    let y = Array::from_slice(dev, &Y, &[12])?;
    // Z through a transposed (12, 1) -> (1, 12) view, then flattened.
    let z = Array::from_slice(dev, &Z, &[12, 1])?.t().reshape(&[12])?;
    for (name, want) in BINARY {
        let got = match name {
            "atan2" => y.atan2(&z)?,
            "hypot" => y.hypot(&z)?,
            "copysign" => y.copysign(&z)?,
            "floor_divide" => y.floor_divide(&z)?,
            _ => unreachable!(),
        };
        close(&got.to_vec()?, &want, name);
    }
    // The signs of zeros: copysign(1, -0.0) and floor_divide(-0.0, 1).
    assert!(y
        .copysign_scalar(-0.0)?
        .to_vec()?
        .iter()
        .all(|v| v.is_sign_negative()));
    let fd = Array::from_slice(dev, &[-0.0f32, 7.0, -7.0], &[3])?.floor_divide_scalar(2.0)?;
    assert_eq!(fd.to_vec()?, vec![-0.0, 3.0, -4.0]);
    assert!(fd.to_vec()?[0].is_sign_negative());
    // In place, into, broadcast rows.
    let m = Array::from_slice(dev, &[3.0f32, 5.0, 8.0, 7.0], &[2, 2])?;
    let r = Array::from_slice(dev, &[4.0f32, 12.0], &[2])?;
    m.hypot_inplace(&r)?;
    assert_eq!(m.to_vec()?, vec![5.0, 13.0, 8.94427191, 13.89244399]);
    let out = Array::<f32>::zeros(dev, &[2])?;
    r.float_binary_scalar_into(FloatBinaryOp::Atan2, 0.0, &out)?;
    close(
        &out.to_vec()?,
        &[std::f32::consts::FRAC_PI_2; 2],
        "atan2(y, 0)",
    );
    // Shapes that do not broadcast: NumPy's message, nothing written.
    let bad = Array::<f32>::zeros(dev, &[3])?;
    let e = m.hypot_inplace(&bad).unwrap_err().to_string();
    assert_eq!(
        e,
        "operands could not be broadcast together with shapes (2,2) (3,)"
    );
    assert_eq!(m.to_vec()?, vec![5.0, 13.0, 8.94427191, 13.89244399]);
    Ok(())
}

fn bitwise(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[-16, -1, 0, 5, i32::MAX, i32::MIN], &[6])?;
    let s = Array::from_slice(dev, &[0, 1, 31, 32, -1, 3], &[6])?;
    // NumPy: shifts of 32 or more, or negative, give 0 (or -1 for right
    // shifts of negative values).
    assert_eq!(a.left_shift(&s)?.to_vec()?, vec![-16, -2, 0, 0, 0, 0]);
    assert_eq!(
        a.right_shift(&s)?.to_vec()?,
        vec![-16, -1, 0, 0, 0, -268435456]
    );
    assert_eq!(
        a.bitwise_and_scalar(12)?.to_vec()?,
        vec![0, 12, 0, 4, 12, 0]
    );
    assert_eq!(
        a.bitwise_or_scalar(12)?.to_vec()?,
        vec![-4, -1, 12, 13, 2147483647, -2147483636]
    );
    assert_eq!(
        a.bitwise_xor_scalar(12)?.to_vec()?,
        vec![-4, -13, 12, 9, 2147483635, -2147483636]
    );
    assert_eq!(
        a.bitwise_not()?.to_vec()?,
        vec![15, 0, -1, -6, i32::MIN, i32::MAX]
    );
    assert_eq!((!&a).to_vec()?, a.bitwise_not()?.to_vec()?);
    let u = Array::from_slice(dev, &[1u32, u32::MAX, 16, 3, 0, 7], &[6])?;
    let us = Array::from_slice(dev, &[0u32, 1, 31, 32, 33, 3], &[6])?;
    assert_eq!(
        u.left_shift(&us)?.to_vec()?,
        vec![1, 4294967294, 0, 0, 0, 56]
    );
    assert_eq!(
        u.right_shift(&us)?.to_vec()?,
        vec![1, 2147483647, 0, 0, 0, 0]
    );
    assert_eq!(
        u.bitwise_not()?.to_vec()?,
        vec![4294967294, 0, 4294967279, 4294967292, 4294967295, 4294967288]
    );
    // Operators, in place through a strided view, and broadcasting.
    assert_eq!((&u & &us).to_vec()?, vec![0, 1, 16, 0, 0, 3]);
    assert_eq!((&u | &us).to_vec()?, vec![1, u32::MAX, 31, 35, 33, 7]);
    assert_eq!((&u ^ &us).to_vec()?, vec![1, u32::MAX - 1, 15, 35, 33, 4]);
    let v = Array::from_slice(dev, &[1, 2, 3, 4, 5, 6], &[2, 3])?;
    v.slice(s![.., ..;-2])?
        .left_shift_inplace(&Array::from_slice(dev, &[4, 8], &[2])?)?;
    assert_eq!(v.to_vec()?, vec![256, 2, 48, 1024, 5, 96]);
    v.bitwise_scalar_inplace(BitOp::And, 0xff)?;
    assert_eq!(v.to_vec()?, vec![0, 2, 48, 0, 5, 96]);
    // Read-only targets are refused and left alone.
    let ro = v.broadcast_to(&[2, 2, 3])?;
    assert_eq!(
        ro.bitwise_not_inplace().unwrap_err().to_string(),
        "assignment destination is read-only"
    );
    Ok(())
}

fn bool_dtype(dev: &Device) -> Result<()> {
    let x = Array::from_slice(dev, &[1.0f32, f32::NAN, -2.0, 0.0], &[2, 2])?;
    let m = x.gt_scalar(0.0)?;
    assert_eq!(m.dtype(), ndgpu::DType::Bool);
    assert_eq!(m.dtype().name(), "bool");
    assert_eq!(m.to_vec()?, vec![true, false, false, false]);
    // NaN is unequal to everything, itself included (NumPy).
    assert_eq!(x.ne_scalar(0.0)?.to_vec()?, vec![true, true, true, false]);
    assert_eq!(x.eq(&x)?.to_vec()?, vec![true, false, true, true]);
    assert_eq!(x.ne(&x)?.to_vec()?, vec![false, true, false, false]);
    assert_eq!(x.lt_scalar(5.0)?.to_vec()?, vec![true, false, true, true]);
    assert_eq!(x.ge_scalar(-5.0)?.to_vec()?, vec![true, false, true, true]);
    // NumPy's printing, byte for byte.
    let b = Array::from_slice(dev, &[true, false, false, true], &[2, 2])?;
    assert_eq!(b.to_string(), "[[ True False]\n [False  True]]");
    assert_eq!(
        Array::from_slice(dev, &[true], &[1])?.to_string(),
        "[ True]"
    );
    assert_eq!(Array::from_slice(dev, &[false], &[])?.to_string(), "False");
    let long: Vec<bool> = (0..1200).map(|i| i % 2 == 0).collect();
    assert_eq!(
        Array::from_slice(dev, &long, &[1200])?.to_string(),
        "[ True False  True ... False  True False]"
    );
    // Logical ops, operators, and `!`, through views.
    let c = Array::from_slice(dev, &[true, true, false, false], &[2, 2])?;
    assert_eq!(
        b.logical_and(&c)?.to_vec()?,
        vec![true, false, false, false]
    );
    assert_eq!(b.logical_or(&c)?.to_vec()?, vec![true, true, false, true]);
    assert_eq!(
        b.logical_xor(&c.t())?.to_vec()?,
        vec![false, false, true, true]
    );
    assert_eq!((!&b).to_vec()?, vec![false, true, true, false]);
    assert_eq!((&b & &c).to_vec()?, b.logical_and(&c)?.to_vec()?);
    assert_eq!((&b | &c).to_vec()?, b.logical_or(&c)?.to_vec()?);
    assert_eq!((&b ^ &c).to_vec()?, b.logical_xor(&c)?.to_vec()?);
    let d = b.copy()?;
    d.slice(s![.., 0])?.logical_not_inplace()?;
    assert_eq!(d.to_vec()?, vec![false, false, true, true]);
    assert!(d
        .logical_inplace(BitOp::LeftShift, &c)
        .unwrap_err()
        .to_string()
        .contains("not a logical op"));
    assert_eq!(d.to_vec()?, vec![false, false, true, true]);
    // astype to and from bool: nonzero (NaN included) is true.
    let f = Array::from_slice(dev, &[0.5f32, f32::NAN, -0.0, 2.0], &[4])?;
    assert_eq!(f.astype::<bool>()?.to_vec()?, vec![true, true, false, true]);
    let i = Array::from_slice(dev, &[0, -3, 7], &[3])?;
    assert_eq!(i.astype::<bool>()?.to_vec()?, vec![false, true, true]);
    assert_eq!(b.astype::<f32>()?.to_vec()?, vec![1.0, 0.0, 0.0, 1.0]);
    assert_eq!(b.astype::<i32>()?.to_vec()?, vec![1, 0, 0, 1]);
    // where_, sum (a count), any, all, equality of bools.
    let w = Array::where_(&b, &Array::full(dev, &[1], 7)?, &i.slice(s![..2])?)?;
    assert_eq!(w.to_vec()?, vec![7, -3, 0, 7]);
    assert_eq!(b.sum(ndgpu::Axes::All, false)?.item()?, 2);
    assert_eq!(b.any(0, false)?.to_vec()?, vec![true, true]);
    assert_eq!(b.all(1, false)?.to_vec()?, vec![false, false]);
    assert_eq!(b.eq(&c)?.to_vec()?, vec![true, false, true, false]);
    // Creation, fill, copies, 0-d and empty.
    let z = Array::<bool>::zeros(dev, &[0])?;
    assert_eq!(z.to_vec()?, Vec::<bool>::new());
    let o = Array::<bool>::ones(dev, &[3])?;
    o.slice(s![1..2])?.fill(false)?;
    assert_eq!(o.to_vec()?, vec![true, false, true]);
    assert!(Array::full(dev, &[], true)?.item()?);
    assert_eq!(
        o.to_device(&Device::cpu())?.to_vec()?,
        vec![true, false, true]
    );
    assert_eq!(
        pollster::block_on(o.to_vec_async())?,
        vec![true, false, true]
    );
    // Expressions: comparisons give bool expressions, `where_` takes one.
    let e = Expr::where_(x.expr().gt(0.0), x.expr() * 10.0, 0.0).eval()?;
    assert_eq!(e.to_vec()?, vec![10.0, 0.0, 0.0, 0.0]);
    assert_eq!(
        x.expr().le(0.0).eval()?.to_vec()?,
        vec![false, false, true, true]
    );
    Ok(())
}

fn classify_and_close(dev: &Device) -> Result<()> {
    let x = Array::from_slice(
        dev,
        &[
            1.0f32,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            -0.0,
            f32::MAX,
            1e-45,
        ],
        &[7],
    )?;
    assert_eq!(
        x.isnan()?.to_vec()?,
        vec![false, true, false, false, false, false, false]
    );
    assert_eq!(
        x.isinf()?.to_vec()?,
        vec![false, false, true, true, false, false, false]
    );
    assert_eq!(
        x.isfinite()?.to_vec()?,
        vec![true, false, false, false, true, true, true]
    );
    let out = Array::<bool>::ones(dev, &[7])?;
    x.classify_into(IsOp::Inf, &out)?;
    assert_eq!(out.to_vec()?, x.isinf()?.to_vec()?);
    // NumPy's isclose (rtol 1e-5, atol 1e-8), equal_nan, and atol alone.
    let p = Array::from_slice(
        dev,
        &[
            1.0f32,
            1.0,
            1e-9,
            f32::NAN,
            f32::INFINITY,
            f32::INFINITY,
            1.0,
            100.0,
        ],
        &[8],
    )?;
    let q = Array::from_slice(
        dev,
        &[
            1.000001f32,
            1.0001,
            0.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            100.001,
        ],
        &[8],
    )?;
    let t = |v: &[u8]| v.iter().map(|&b| b == 1).collect::<Vec<bool>>();
    assert_eq!(
        p.isclose(&q, 1e-5, 1e-8, false)?.to_vec()?,
        t(&[1, 0, 1, 0, 1, 0, 0, 1])
    );
    assert_eq!(
        p.isclose(&q, 1e-5, 1e-8, true)?.to_vec()?,
        t(&[1, 0, 1, 1, 1, 0, 0, 1])
    );
    assert_eq!(
        p.isclose(&q, 0.0, 1e-3, false)?.to_vec()?,
        t(&[1, 1, 1, 0, 1, 0, 0, 1])
    );
    assert!(!p.allclose(&q, 1e-5, 1e-8, true)?);
    assert!(p
        .slice(s![..1])?
        .allclose(&q.slice(s![..1])?, 1e-5, 1e-8, false)?);
    // array_equal: shape first, NaN never equal.
    assert!(p.slice(s![..3])?.array_equal(&p.copy()?.slice(s![..3])?)?);
    assert!(!p.slice(s![3..4])?.array_equal(&p.slice(s![3..4])?)?);
    assert!(!p.array_equal(&p.reshape(&[2, 4])?)?);
    assert!(Array::<f32>::zeros(dev, &[0])?.array_equal(&Array::zeros(dev, &[0])?)?);
    let e = p
        .isclose(&Array::zeros(dev, &[3])?, 1e-5, 1e-8, false)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "operands could not be broadcast together with shapes (8,) (3,)"
    );
    Ok(())
}

test_device!(
    float_unary,
    float_binary,
    bitwise,
    bool_dtype,
    classify_and_close
);
