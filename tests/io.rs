//! Files and bytes (src/io.rs, src/interop.rs) on both backends: the NumPy
//! fixtures of tests/fixtures (written by make.py, whose value rule
//! `value` repeats), round trips of views of every dtype, and corrupt or
//! truncated files made here from good ones, which must give an error naming
//! the file and leave no array behind (the leak check).

mod common;

use std::path::{Path, PathBuf};

use ndgpu::io::{self, AnyArray};
use ndgpu::{s, Array, DType, Device, Element, Error, Result};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// make.py's value at C-order index `i`.
fn value<T: Element>(i: usize) -> T {
    let i = i as f64;
    T::from_f64(match T::DTYPE {
        DType::F32 | DType::F64 => i * 0.5 - 3.0,
        DType::I32 => i * 7.0 - 50.0,
        DType::U32 => 3e9 + i * 1e5,
        DType::Bool => f64::from(u8::from(i % 3.0 == 0.0)),
        d => unreachable!("{d} fixtures are tests/dtypes.rs's"),
    })
}

fn values<T: Element>(n: usize) -> Vec<T> {
    (0..n).map(value::<T>).collect()
}

/// A fresh directory for one test on one backend, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str, dev: &Device) -> TempDir {
        let d = std::env::temp_dir().join(format!(
            "ndgpu_io_{test}_{}_{}",
            if dev.is_cpu() { "cpu" } else { "gpu" },
            std::process::id()
        ));
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn gpu_f64<T: Element>(dev: &Device) -> bool {
    !dev.is_cpu() && T::DTYPE == DType::F64
}

fn suffix(d: DType) -> &'static str {
    match d {
        DType::F32 => "f32",
        DType::F64 => "f64",
        DType::I32 => "i32",
        DType::U32 => "u32",
        DType::Bool => "bool",
        d => unreachable!("{d} fixtures are tests/dtypes.rs's"),
    }
}

/// The (2, 3, 4) fixtures of `T`: C, Fortran, big-endian, big-endian Fortran.
fn fixtures_of<T: Element>(dev: &Device) -> Result<()> {
    let dt = suffix(T::DTYPE);
    let mut names = vec![format!("{dt}_c.npy"), format!("{dt}_f.npy")];
    if T::DTYPE != DType::Bool {
        names.push(format!("{dt}_be.npy"));
        names.push(format!("{dt}_be_f.npy"));
    }
    for name in names {
        let path = fixture(&name);
        if gpu_f64::<T>(dev) {
            assert!(matches!(io::load_npy(dev, &path), Err(Error::Dtype { .. })));
            assert!(matches!(
                io::load_npy_as::<T>(dev, &path),
                Err(Error::Dtype { .. })
            ));
            continue;
        }
        let any = io::load_npy(dev, &path)?;
        assert_eq!(any.dtype(), T::DTYPE, "{name}");
        let a = any.into_typed::<T>()?;
        assert_eq!(a.shape(), &[2, 3, 4], "{name}");
        assert_eq!(a.to_vec()?, values::<T>(24), "{name}");
        let f = a.flags();
        assert!(f.owndata && f.writeable, "{name}");
        if name.contains("_f") {
            // Fortran strides over the file's bytes, as NumPy loads it.
            assert_eq!(a.strides(), &[1, 2, 6], "{name}");
            assert!(f.f_contiguous && !f.c_contiguous, "{name}");
        } else {
            assert_eq!(a.strides(), &[12, 4, 1], "{name}");
        }
        // The typed loader agrees, and the array is usable: a[0, 1:3] = a[1, 0:2].
        let b = io::load_npy_as::<T>(dev, &path)?;
        b.slice(s![0, 1..3, ..])?
            .assign(&b.slice(s![1, 0..2, ..])?)?;
        let mut want = values::<T>(24);
        for j in 0..2 {
            for k in 0..4 {
                want[(1 + j) * 4 + k] = want[12 + j * 4 + k];
            }
        }
        assert_eq!(b.to_vec()?, want, "{name}");
    }
    Ok(())
}

fn load_fixtures(dev: &Device) -> Result<()> {
    fixtures_of::<f32>(dev)?;
    fixtures_of::<f64>(dev)?;
    fixtures_of::<i32>(dev)?;
    fixtures_of::<u32>(dev)?;
    fixtures_of::<bool>(dev)
}

fn load_0d_empty_1d(dev: &Device) -> Result<()> {
    let a = io::load_npy_as::<f32>(dev, fixture("f32_0d.npy"))?;
    assert_eq!((a.shape(), a.item()?), (&[][..], 2.5));
    assert_eq!(
        io::load_npy_as::<i32>(dev, fixture("i32_0d.npy"))?.item()?,
        -7
    );
    assert!(io::load_npy_as::<bool>(dev, fixture("bool_0d.npy"))?.item()?);
    let e = io::load_npy(dev, fixture("f32_empty.npy"))?;
    assert_eq!(
        (e.dtype(), e.shape(), e.len()),
        (DType::F32, &[0, 3][..], 0)
    );
    let e = io::load_npy_as::<bool>(dev, fixture("bool_empty.npy"))?;
    assert_eq!((e.shape(), e.to_vec()?), (&[2, 0][..], vec![]));
    let u = io::load_npy_as::<u32>(dev, fixture("u32_1d.npy"))?;
    assert_eq!(u.to_vec()?, values::<u32>(5));
    if dev.is_cpu() {
        let f = io::load_npy_as::<f64>(dev, fixture("f64_2d_f.npy"))?;
        assert_eq!((f.shape(), f.strides()), (&[3, 5][..], &[1, 3][..]));
        assert_eq!(f.to_vec()?, values::<f64>(15));
    }
    Ok(())
}

/// Views of a (4, 6) array of `T`: each saved, reloaded and compared with
/// its logical contents.
fn round_trip_of<T: Element>(dev: &Device, dir: &TempDir) -> Result<()> {
    if gpu_f64::<T>(dev) {
        return Ok(());
    }
    let base = Array::from_vec(dev, values::<T>(24), &[4, 6])?;
    let views = [
        base.clone(),
        base.t(),
        base.slice(s![..;-1, 1..5;2])?,
        base.slice(s![2, ..])?,
        base.slice(s![1, 3])?, // 0-d
        base.slice(s![1..1, ..])?,
        base.slice(s![..1, ..])?.broadcast_to(&[3, 6])?,
        base.t().slice(s![1.., ..;-3])?,
    ];
    for (i, v) in views.iter().enumerate() {
        let path = dir.path(&format!("{}_{i}.npy", suffix(T::DTYPE)));
        io::save_npy(&path, v)?;
        let back = io::load_npy_as::<T>(dev, &path)?;
        assert_eq!(back.shape(), v.shape(), "view {i}");
        assert!(back.flags().c_contiguous, "view {i}");
        assert_eq!(back.to_vec()?, v.to_vec()?, "view {i}");
        // Saving through AnyArray writes the same bytes.
        let path2 = dir.path(&format!("{}_{i}_any.npy", suffix(T::DTYPE)));
        io::save_npy(&path2, &AnyArray::from(v.clone()))?;
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(&path2).unwrap()
        );
    }
    // Our C-order save of a C fixture is byte-for-byte NumPy's data.
    let ours = dir.path("fixture_copy.npy");
    io::save_npy(
        &ours,
        &io::load_npy_as::<T>(dev, fixture(&format!("{}_f.npy", suffix(T::DTYPE))))?,
    )?;
    let theirs = std::fs::read(fixture(&format!("{}_c.npy", suffix(T::DTYPE)))).unwrap();
    let ours = std::fs::read(&ours).unwrap();
    let data = 24
        * if T::DTYPE == DType::Bool {
            1
        } else {
            T::DTYPE.size()
        };
    assert_eq!(ours[ours.len() - data..], theirs[theirs.len() - data..]);
    Ok(())
}

fn round_trip(dev: &Device) -> Result<()> {
    let dir = TempDir::new("round_trip", dev);
    round_trip_of::<f32>(dev, &dir)?;
    round_trip_of::<f64>(dev, &dir)?;
    round_trip_of::<i32>(dev, &dir)?;
    round_trip_of::<u32>(dev, &dir)?;
    round_trip_of::<bool>(dev, &dir)
}

fn check_mixed(dev: &Device, arrays: &[(String, AnyArray)]) -> Result<()> {
    let names: Vec<&str> = arrays.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["f32", "f64", "i32", "u32", "bool", "empty"]);
    let get = |k: &str| arrays.iter().find(|(n, _)| n == k).unwrap().1.clone();
    let f = get("f32").into_typed::<f32>()?;
    assert_eq!((f.shape(), f.to_vec()?), (&[2, 3][..], values::<f32>(6)));
    if dev.is_cpu() {
        assert_eq!(get("f64").into_typed::<f64>()?.to_vec()?, values::<f64>(4));
    }
    let i = get("i32").into_typed::<i32>()?;
    assert_eq!((i.shape(), i.strides()), (&[3, 2][..], &[1, 3][..]));
    assert_eq!(i.to_vec()?, values::<i32>(6));
    let u = get("u32").into_typed::<u32>()?;
    assert_eq!((u.shape(), u.item()?), (&[][..], value::<u32>(0)));
    let b = get("bool").into_typed::<bool>()?;
    assert_eq!(
        (b.shape(), b.to_vec()?),
        (&[2, 2, 2][..], values::<bool>(8))
    );
    assert_eq!(get("empty").shape(), &[0]);
    Ok(())
}

fn npz(dev: &Device) -> Result<()> {
    let dir = TempDir::new("npz", dev);
    for name in ["mixed.npz", "mixed_compressed.npz"] {
        if dev.is_cpu() {
            check_mixed(dev, &io::load_npz(dev, fixture(name))?)?;
        } else {
            // float64 has no GPU kernels: the whole load fails, leaving nothing.
            assert!(matches!(
                io::load_npz(dev, fixture(name)),
                Err(Error::Dtype { .. })
            ));
        }
    }
    // Save views of every dtype (f64 where the device has it), reload.
    let f = Array::from_vec(dev, values::<f32>(6), &[2, 3])?;
    let i = Array::from_vec(dev, values::<i32>(6), &[2, 3])?.t();
    let u = Array::from_vec(dev, values::<u32>(1), &[])?;
    let b = Array::from_vec(dev, values::<bool>(8), &[2, 2, 2])?;
    let e = Array::<f32>::zeros(dev, &[0])?;
    let d = Array::from_vec(&Device::cpu(), values::<f64>(4), &[4])?;
    let mut list: Vec<(&str, &dyn io::ToAnyArray)> =
        vec![("f32", &f), ("f64", &d), ("i32", &i), ("u32", &u)];
    list.extend([("bool", &b as &dyn io::ToAnyArray), ("empty", &e)]);
    for compressed in [false, true] {
        let path = dir.path(&format!("ours_{compressed}.npz"));
        if compressed {
            io::save_npz_compressed(&path, &list)?;
        } else {
            io::save_npz(&path, &list)?;
        }
        let back = io::load_npz(&Device::cpu(), &path)?;
        assert_eq!(
            back[2].1.clone().into_typed::<i32>()?.to_vec()?,
            i.to_vec()?
        );
        assert_eq!(back[2].1.shape(), &[3, 2]);
        if dev.is_cpu() {
            let back = io::load_npz(dev, &path)?;
            assert_eq!(
                back[1].1.clone().into_typed::<f64>()?.to_vec()?,
                d.to_vec()?
            );
        }
    }
    // Without f64, every member loads on this device.
    let path = dir.path("no_f64.npz");
    io::save_npz(&path, &[("a", &f), ("b", &b), ("u", &u)])?;
    let back = io::load_npz(dev, &path)?;
    assert_eq!(back.len(), 3);
    assert_eq!(back[0].1.device().is_cpu(), dev.is_cpu());
    assert_eq!(
        back[1].1.clone().into_typed::<bool>()?.to_vec()?,
        b.to_vec()?
    );
    Ok(())
}

/// A `.npy` (version 1.0) with `header` as its dict text and `data` after it.
fn npy_bytes(header: &str, data: &[u8]) -> Vec<u8> {
    let mut text = header.as_bytes().to_vec();
    while !(10 + text.len() + 1).is_multiple_of(64) {
        text.push(b' ');
    }
    text.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(text.len() as u16).to_le_bytes());
    out.extend_from_slice(&text);
    out.extend_from_slice(data);
    out
}

/// Loading `bytes` (written to `name`) fails with `Error::Io` of `kind`,
/// naming the file and saying `says`.
fn bad(
    dev: &Device,
    dir: &TempDir,
    name: &str,
    bytes: &[u8],
    kind: std::io::ErrorKind,
    says: &str,
) {
    let path = dir.path(name);
    std::fs::write(&path, bytes).unwrap();
    for r in [
        io::load_npy(dev, &path).map(|_| ()),
        io::load_npy_as::<f32>(dev, &path).map(|_| ()),
    ] {
        match r {
            Err(Error::Io {
                path: p,
                kind: k,
                message,
            }) => {
                assert_eq!(p, path.display().to_string(), "{name}");
                assert_eq!(k, kind, "{name}: {message}");
                assert!(message.contains(says), "{name}: {message}");
                let shown = Error::Io {
                    path: p,
                    kind: k,
                    message,
                }
                .to_string();
                assert!(shown.contains(name), "{shown}");
            }
            other => panic!("{name}: expected an Io error, got {other:?}"),
        }
    }
}

fn corrupt_files(dev: &Device) -> Result<()> {
    use std::io::ErrorKind::{InvalidData, NotFound, UnexpectedEof, Unsupported};
    let dir = TempDir::new("corrupt", dev);
    let good = std::fs::read(fixture("f32_c.npy")).unwrap();
    let header_end = good.len() - 96;
    bad(dev, &dir, "empty.npy", &[], InvalidData, "magic");
    bad(dev, &dir, "magic.npy", &good[..5], InvalidData, "magic");
    let mut m = good.clone();
    m[1] = b'X';
    bad(dev, &dir, "notnumpy.npy", &m, InvalidData, "magic");
    bad(
        dev,
        &dir,
        "cut_version.npy",
        &good[..7],
        UnexpectedEof,
        "truncated",
    );
    bad(
        dev,
        &dir,
        "cut_len.npy",
        &good[..9],
        UnexpectedEof,
        "truncated",
    );
    bad(
        dev,
        &dir,
        "cut_header.npy",
        &good[..40],
        UnexpectedEof,
        "truncated",
    );
    bad(
        dev,
        &dir,
        "cut_data.npy",
        &good[..good.len() - 5],
        UnexpectedEof,
        "needs 96 bytes",
    );
    bad(
        dev,
        &dir,
        "no_data.npy",
        &good[..header_end],
        UnexpectedEof,
        "the file holds 0",
    );
    let mut v = good.clone();
    v[6] = 9;
    bad(dev, &dir, "version.npy", &v, InvalidData, "version 9.0");
    let mut l = good.clone();
    l[8..10].copy_from_slice(&u16::MAX.to_le_bytes());
    bad(dev, &dir, "len.npy", &l, UnexpectedEof, "truncated");
    let data = &good[header_end..];
    let cases: &[(&str, &str, std::io::ErrorKind, &str)] = &[
        ("key.npy", "{'dexcr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", InvalidData, "descr"),
        ("literal.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), ", InvalidData, "Python literal"),
        ("notdict.npy", "[1, 2]", InvalidData, "not a dict"),
        ("order.npy", "{'descr': '<f4', 'fortran_order': 3, 'shape': (2, 3, 4), }", InvalidData, "fortran_order"),
        ("shape_str.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': 'big', }", InvalidData, "tuple"),
        ("negative.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3, 4), }", InvalidData, "dimension -3"),
        ("float_dim.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", InvalidData, "non-integer"),
        ("overflow.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", InvalidData, "overflows"),
        ("overflow0.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4294967296, 4294967296, 4294967296), }", InvalidData, "overflows"),
        ("huge.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }", UnexpectedEof, "the file holds 96"),
        ("typestr.npy", "{'descr': '<q9', 'fortran_order': False, 'shape': (2, 3, 4), }", InvalidData, "type"),
        ("i16.npy", "{'descr': '<i2', 'fortran_order': False, 'shape': (48,), }", Unsupported, "int16"),
        ("u64.npy", "{'descr': '<u8', 'fortran_order': False, 'shape': (12,), }", Unsupported, "uint64"),
        ("c64.npy", "{'descr': '<c8', 'fortran_order': False, 'shape': (12,), }", Unsupported, "complex64"),
        ("struct.npy", "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (24,), }", Unsupported, "structured"),
    ];
    for (name, header, kind, says) in cases {
        bad(dev, &dir, name, &npy_bytes(header, data), *kind, says);
    }
    let deep = format!("{}{}", "(".repeat(5000), ")".repeat(5000));
    bad(
        dev,
        &dir,
        "deep.npy",
        &npy_bytes(&deep, data),
        InvalidData,
        "nests",
    );
    bad(
        dev,
        &dir,
        "utf8.npy",
        &npy_bytes("{'descr': '\u{0}\u{ff}'}", data)[..],
        InvalidData,
        "",
    );
    // NumPy's own files of dtypes ndgpu lacks.
    for (f, says) in [("i16.npy", "int16 ('<i2')")] {
        match io::load_npy(dev, fixture(f)) {
            Err(Error::Io { kind, message, .. }) => {
                assert_eq!(kind, Unsupported);
                assert!(message.contains(says), "{message}");
            }
            other => panic!("{f}: {other:?}"),
        }
    }
    // The wrong dtype for load_npy_as, a missing file.
    let e = io::load_npy_as::<i32>(dev, fixture("f32_c.npy")).unwrap_err();
    assert!(e.to_string().contains("holds float32, not int32"), "{e}");
    let e = io::load_npy(dev, dir.path("missing.npy")).unwrap_err();
    assert!(matches!(e, Error::Io { kind: NotFound, .. }), "{e}");
    assert!(e.to_string().contains("missing.npy"), "{e}");
    // Trailing bytes after the data are ignored, as NumPy ignores them.
    let mut t = good.clone();
    t.extend_from_slice(b"trailing");
    let p = dir.path("trailing.npy");
    std::fs::write(&p, &t).unwrap();
    assert_eq!(
        io::load_npy_as::<f32>(dev, &p)?.to_vec()?,
        values::<f32>(24)
    );
    Ok(())
}

fn corrupt_npz(dev: &Device) -> Result<()> {
    let dir = TempDir::new("corrupt_npz", dev);
    let z = Array::<i32>::zeros(dev, &[4096])?;
    let path = dir.path("z.npz");
    io::save_npz(&path, &[("z", &z), ("w", &z)])?;
    let good = std::fs::read(&path).unwrap();
    let check = |name: &str, bytes: &[u8], says: &str| {
        let p = dir.path(name);
        std::fs::write(&p, bytes).unwrap();
        match io::load_npz(dev, &p) {
            Err(Error::Io { path, message, .. }) => {
                assert!(path.contains(name), "{path}");
                assert!(message.contains(says), "{name}: {message}");
            }
            other => panic!("{name}: {other:?}"),
        }
    };
    check("half.npz", &good[..good.len() / 2], "zip");
    check("notzip.npz", b"hello", "zip");
    // A flipped byte inside the first member's data fails its checksum.
    let mut flipped = good.clone();
    flipped[8000] ^= 0xff;
    check("crc.npz", &flipped, "");
    // A member that is not a .npy names the member.
    let p = dir.path("member.npz");
    {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
        w.start_file("x.npy", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(b"not numpy").unwrap();
        w.finish().unwrap();
    }
    match io::load_npz(dev, &p) {
        Err(Error::Io { path, message, .. }) => {
            assert!(
                path.contains("member.npz") && path.contains("x.npy"),
                "{path}"
            );
            assert!(message.contains("magic"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    Ok(())
}

fn bytes_of<T: Element>(dev: &Device) -> Result<()> {
    if gpu_f64::<T>(dev) {
        return Ok(());
    }
    let a = Array::from_vec(dev, values::<T>(12), &[3, 4])?;
    let v = a.slice(s![..;-1, 1..;2])?;
    let bytes = v.to_bytes()?;
    let item = if T::DTYPE == DType::Bool {
        1
    } else {
        T::DTYPE.size()
    };
    assert_eq!(bytes.len(), 6 * item);
    let back = Array::<T>::from_bytes(dev, &bytes, &[3, 2])?;
    assert_eq!(back.to_vec()?, v.to_vec()?);
    // Unaligned input is copied.
    let mut shifted = vec![0u8];
    shifted.extend_from_slice(&bytes);
    let back = Array::<T>::from_bytes(dev, &shifted[1..], &[6])?;
    assert_eq!(back.to_vec()?, v.to_vec()?);
    // The length must match the shape.
    let e = Array::<T>::from_bytes(dev, &bytes[1..], &[3, 2]).unwrap_err();
    assert!(matches!(e, Error::Value(_)), "{e}");
    assert!(Array::<T>::from_bytes(dev, &bytes, &[usize::MAX, 2]).is_err());
    // 0-d and empty.
    assert_eq!(a.slice(s![0, 0])?.to_bytes()?, bytes_le(&values::<T>(1)));
    assert_eq!(a.slice(s![0..0, ..])?.to_bytes()?, Vec::<u8>::new());
    assert_eq!(Array::<T>::from_bytes(dev, &[], &[0, 5])?.shape(), &[0, 5]);
    Ok(())
}

/// NumPy's `tobytes` of `v` on a little-endian machine.
fn bytes_le<T: Element>(v: &[T]) -> Vec<u8> {
    let mut out = vec![];
    for &x in v {
        match T::DTYPE {
            DType::F64 => out.extend_from_slice(&x.to_f64().to_le_bytes()),
            DType::Bool => out.push(x.to_bits32() as u8),
            _ => out.extend_from_slice(&x.to_bits32().to_le_bytes()),
        }
    }
    out
}

fn raw_bytes(dev: &Device) -> Result<()> {
    bytes_of::<f32>(dev)?;
    bytes_of::<f64>(dev)?;
    bytes_of::<i32>(dev)?;
    bytes_of::<u32>(dev)?;
    bytes_of::<bool>(dev)?;
    // Known bytes: the little-endian layout.
    let a = Array::from_slice(dev, &[1.0f32, -2.0], &[2])?;
    assert_eq!(a.to_bytes()?, vec![0, 0, 128, 63, 0, 0, 0, 192]);
    let u = Array::<u32>::from_bytes(dev, &[1, 0, 0, 0, 0, 0, 0, 128], &[2])?;
    assert_eq!(u.to_vec()?, vec![1, 1 << 31]);
    let b = Array::<bool>::from_bytes(dev, &[0, 1, 2, 255], &[4])?;
    assert_eq!(b.to_vec()?, vec![false, true, true, true]);
    Ok(())
}

fn any_array(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[1i32, 2, 3], &[3])?;
    let any = AnyArray::from(a.clone());
    assert_eq!(
        (any.dtype(), any.shape(), any.len()),
        (DType::I32, &[3][..], 3)
    );
    assert!(!any.is_empty());
    assert!(any.as_typed::<i32>().unwrap().shares_memory(&a));
    assert!(any.as_typed::<u32>().is_none());
    let e = any.clone().into_typed::<f32>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "the array holds int32, not float32; use into_typed::<i32>() and astype"
    );
    assert_eq!(any.to_string(), "[1 2 3]");
    assert_eq!(any.into_typed::<i32>()?.to_vec()?, vec![1, 2, 3]);
    Ok(())
}

test_device!(
    load_fixtures,
    load_0d_empty_1d,
    round_trip,
    npz,
    corrupt_files,
    corrupt_npz,
    raw_bytes,
    any_array
);

#[cfg(feature = "ndarray")]
fn ndarray_of<T: Element>(dev: &Device) -> Result<()> {
    use ndarray::{s as nds, Array2, Axis};
    if gpu_f64::<T>(dev) {
        return Ok(());
    }
    let m = Array2::from_shape_vec((4, 6), values::<T>(24)).unwrap();
    let naive = |v: &ndarray::ArrayView2<T>| v.iter().copied().collect::<Vec<T>>();
    let row = m.slice(nds![..1, ..]);
    let views = [
        m.view(),
        m.t(),
        m.slice(nds![..;-1, 1..;2]),
        m.slice(nds![1..3, ..;-3]),
        m.slice(nds![..0, ..]),
        row.broadcast((3, 6)).unwrap(),
    ];
    for (i, v) in views.iter().enumerate() {
        let a = Array::from_ndarray(dev, v)?;
        assert_eq!(a.shape(), v.shape(), "view {i}");
        assert_eq!(a.to_vec()?, naive(v), "view {i}");
        assert_eq!(a.to_ndarray()?, v.to_owned().into_dyn(), "view {i}");
    }
    // A view of ours to ndarray, and an owned 3-D array in.
    let a = Array::from_vec(dev, values::<T>(24), &[2, 3, 4])?;
    let v = a.slice(s![.., ..;-1, 1..3])?;
    let nd = v.to_ndarray()?;
    assert_eq!(nd.shape(), v.shape());
    assert_eq!(nd.iter().copied().collect::<Vec<T>>(), v.to_vec()?);
    let m3 = ndarray::Array3::from_shape_vec((2, 3, 4), values::<T>(24)).unwrap();
    let inv = m3.view().reversed_axes();
    let back = Array::from_ndarray(dev, &inv.index_axis(Axis(0), 1))?;
    assert_eq!(
        back.to_vec()?,
        inv.index_axis(Axis(0), 1)
            .iter()
            .copied()
            .collect::<Vec<_>>()
    );
    // 0-d.
    let z = Array::from_ndarray(dev, &ndarray::arr0(value::<T>(5)))?;
    assert_eq!((z.shape(), z.item()?), (&[][..], value::<T>(5)));
    Ok(())
}

#[cfg(feature = "ndarray")]
fn ndarray_interop(dev: &Device) -> Result<()> {
    ndarray_of::<f32>(dev)?;
    ndarray_of::<f64>(dev)?;
    ndarray_of::<i32>(dev)?;
    ndarray_of::<u32>(dev)?;
    ndarray_of::<bool>(dev)
}

#[cfg(feature = "ndarray")]
test_device!(ndarray_interop);

#[cfg(feature = "safetensors")]
fn safetensors_files(dev: &Device) -> Result<()> {
    use std::io::ErrorKind;
    let dir = TempDir::new("safetensors", dev);
    let fx = fixture("tensors.safetensors");
    let want = ["f32", "f64", "i32", "u32", "bool"];
    if dev.is_cpu() {
        let t = io::load_safetensors(dev, &fx)?;
        assert_eq!(t.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), want);
        let f = t[0].1.clone().into_typed::<f32>()?;
        assert_eq!((f.shape(), f.to_vec()?), (&[2, 3][..], values::<f32>(6)));
        assert_eq!(
            t[1].1.clone().into_typed::<f64>()?.to_vec()?,
            values::<f64>(3)
        );
    } else {
        assert!(matches!(
            io::load_safetensors(dev, &fx),
            Err(Error::Dtype { .. })
        ));
    }
    let t = io::load_safetensors_subset(dev, &fx, &["bool", "u32", "i32"])?;
    let b = t[0].1.clone().into_typed::<bool>()?;
    assert_eq!((b.shape(), b.to_vec()?), (&[5][..], values::<bool>(5)));
    let u = t[1].1.clone().into_typed::<u32>()?;
    assert_eq!((u.shape(), u.item()?), (&[][..], value::<u32>(0)));
    let i = t[2].1.clone().into_typed::<i32>()?;
    assert_eq!((i.shape(), i.to_vec()?), (&[2, 2][..], values::<i32>(4)));

    // Round trip of views of every dtype the device has.
    let f = Array::from_vec(dev, values::<f32>(12), &[3, 4])?;
    let fv = f.slice(s![..;-1, 1..3])?;
    let bv = Array::from_vec(dev, values::<bool>(6), &[2, 3])?.t();
    let d = Array::from_vec(&Device::cpu(), values::<f64>(3), &[3])?;
    let p = dir.path("ours.safetensors");
    io::save_safetensors(&p, &[("fv", &fv), ("bv", &bv), ("u", &u), ("d", &d)])?;
    let back = io::load_safetensors_subset(dev, &p, &["fv", "bv", "u"])?;
    assert_eq!(
        back[0].1.clone().into_typed::<f32>()?.to_vec()?,
        fv.to_vec()?
    );
    assert_eq!(back[1].1.shape(), &[3, 2]);
    assert_eq!(
        back[1].1.clone().into_typed::<bool>()?.to_vec()?,
        bv.to_vec()?
    );
    assert_eq!(
        back[2].1.clone().into_typed::<u32>()?.item()?,
        value::<u32>(0)
    );
    let e = io::save_safetensors(dir.path("dup.safetensors"), &[("x", &u), ("x", &u)]);
    assert!(e
        .unwrap_err()
        .to_string()
        .contains("two tensors are named 'x'"));

    // Errors: a dtype ndgpu lacks, a name the file lacks, a header that
    // disagrees with the data, a truncated file, a missing file.
    let expect = |r: Result<Vec<(String, AnyArray)>>, kind: ErrorKind, says: &str| match r {
        Err(Error::Io {
            kind: k,
            message,
            path,
        }) => {
            assert_eq!(k, kind, "{message}");
            assert!(message.contains(says), "{path}: {message}");
        }
        other => panic!("{other:?}"),
    };
    expect(
        io::load_safetensors(dev, fixture("bf16.safetensors")),
        ErrorKind::Unsupported,
        "BF16",
    );
    expect(
        io::load_safetensors_subset(dev, &fx, &["nope"]),
        ErrorKind::NotFound,
        "nope",
    );
    let good = std::fs::read(&fx).unwrap();
    let text = String::from_utf8_lossy(&good).to_string();
    let at = text.find("\"shape\":[2,3]").unwrap() + 9;
    let mut wrong = good.clone();
    wrong[at] = b'3'; // [3,3]: more elements than the data holds
    let pw = dir.path("wrong.safetensors");
    std::fs::write(&pw, &wrong).unwrap();
    expect(
        io::load_safetensors(dev, &pw),
        ErrorKind::InvalidData,
        "safetensors",
    );
    let pt = dir.path("cut.safetensors");
    std::fs::write(&pt, &good[..good.len() - 3]).unwrap();
    expect(
        io::load_safetensors(dev, &pt),
        ErrorKind::InvalidData,
        "safetensors",
    );
    std::fs::write(&pt, &good[..5]).unwrap();
    expect(
        io::load_safetensors(dev, &pt),
        ErrorKind::InvalidData,
        "safetensors",
    );
    expect(
        io::load_safetensors(dev, dir.path("missing")),
        ErrorKind::NotFound,
        "",
    );
    Ok(())
}

#[cfg(feature = "safetensors")]
test_device!(safetensors_files);
