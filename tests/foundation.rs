//! Devices, views, flags, transfers, printing and errors, on every backend.

mod common;

use common::naive_gather;
use ndgpu::{s, Array, Device, Error, NewAxis, Result};
use proptest::prelude::*;

fn aliasing_and_views(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[1, 2, 3, 4, 5, 6], &[2, 3])?;
    let b = a.clone();
    b.fill(0)?;
    assert_eq!(a.to_vec()?, vec![0; 6], "b = a aliases");
    let a = Array::from_slice(dev, &[1, 2, 3, 4, 5, 6], &[2, 3])?;
    assert_eq!(a.t().to_vec()?, vec![1, 4, 2, 5, 3, 6]);
    assert_eq!(a.t().shape(), &[3, 2]);
    assert_eq!(a.byte_strides(), vec![12, 4]);
    assert_eq!(a.t().byte_strides(), vec![4, 12]);
    assert_eq!(a.slice(s![.., 1])?.to_vec()?, vec![2, 5]);
    assert_eq!(a.slice(s![-1, ..;-1])?.to_vec()?, vec![6, 5, 4]);
    assert_eq!(a.slice(s![.., NewAxis, 1..])?.shape(), &[2, 1, 2]);
    assert_eq!(a.permute(&[1, 0])?.to_vec()?, a.t().to_vec()?);
    let r = a.reshape(&[3, 2])?;
    assert!(r.shares_memory(&a), "a contiguous reshape is a view");
    let rt = a.t().reshape(&[6])?;
    assert!(!rt.shares_memory(&a), "a transposed reshape is a copy");
    assert_eq!(rt.to_vec()?, vec![1, 4, 2, 5, 3, 6]);
    let e = a.expand_dims(0)?;
    assert_eq!(e.shape(), &[1, 2, 3]);
    assert_eq!(e.squeeze().shape(), &[2, 3]);
    let bc = Array::from_slice(dev, &[1, 2, 3], &[3])?.broadcast_to(&[2, 3])?;
    assert_eq!(bc.to_vec()?, vec![1, 2, 3, 1, 2, 3]);
    assert_eq!(bc.strides(), &[0, 1]);
    let c = a.slice(s![.., ..;2])?.copy()?;
    assert_eq!(c.to_vec()?, vec![1, 3, 4, 6]);
    assert!(c.flags().owndata && c.flags().c_contiguous);
    assert_eq!(Array::from_slice(dev, &[7u32], &[])?.item()?, 7);
    assert!(a.item().is_err());
    Ok(())
}

fn flags_match_numpy(dev: &Device) -> Result<()> {
    let a = Array::<f32>::zeros(dev, &[3, 4])?;
    let f = a.flags();
    assert!(f.writeable && f.aligned && f.c_contiguous && !f.f_contiguous && f.owndata);
    let t = a.t().flags();
    assert!(!t.c_contiguous && t.f_contiguous && !t.owndata);
    let s = a.slice(s![.., 1..3])?.flags();
    assert!(!s.c_contiguous && !s.f_contiguous && s.writeable);
    let row = a.slice(s![1..2])?.flags();
    assert!(
        row.c_contiguous && row.f_contiguous,
        "NumPy: a (1, 4) row is both"
    );
    let col = a.slice(s![.., 1..2])?.flags();
    assert!(!col.c_contiguous && !col.f_contiguous);
    let b = a.slice(s![0])?.broadcast_to(&[2, 4])?.flags();
    assert!(!b.writeable && !b.owndata);
    Ok(())
}

fn read_only(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[1.0f32, 2.0, 3.0], &[3])?;
    let alias = a.clone();
    a.set_writeable(false)?;
    assert!(!alias.flags().writeable, "clones are one object, as b = a");
    let err = a.fill(5.0).unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(err.to_string(), "assignment destination is read-only");
    let v = a.slice(s![1..])?;
    assert!(!v.flags().writeable, "views inherit read-only");
    assert!(v.add_scalar_inplace(1.0).is_err());
    assert!(matches!(v.set_writeable(true), Err(Error::WriteableBase)));
    let bc = Array::from_slice(dev, &[1.0f32], &[1])?.broadcast_to(&[4])?;
    assert!(bc.fill(0.0).unwrap_err().to_string().contains("read-only"));
    assert!(bc.set_writeable(true).is_err());
    assert_eq!(a.to_vec()?, vec![1.0, 2.0, 3.0], "nothing changed");
    a.set_writeable(true)?;
    a.fill(5.0)?;
    assert_eq!(alias.to_vec()?, vec![5.0; 3]);
    Ok(())
}

fn shares_memory(dev: &Device) -> Result<()> {
    let a = Array::<i32>::zeros(dev, &[10])?;
    let even = a.slice(s![..;2])?;
    let odd = a.slice(s![1..;2])?;
    assert!(!even.shares_memory(&odd) && even.may_share_memory(&odd));
    assert!(a.slice(s![1..])?.shares_memory(&a.slice(s![..-1])?));
    assert!(!a.slice(s![..5])?.may_share_memory(&a.slice(s![5..])?));
    let other = Array::<i32>::zeros(dev, &[10])?;
    assert!(!a.may_share_memory(&other));
    Ok(())
}

fn bad_input_errors(dev: &Device) -> Result<()> {
    let a = Array::<f32>::zeros(dev, &[4])?;
    // Ranges clip to the axis, as NumPy's a[:5] on 4 elements.
    assert_eq!(a.slice(s![..5])?.shape(), &[4]);
    assert_eq!(
        a.slice(s![4]).unwrap_err().to_string(),
        "index 4 is out of bounds for axis 0 with size 4"
    );
    assert_eq!(
        a.slice(s![..;0]).unwrap_err().to_string(),
        "slice step cannot be zero"
    );
    assert!(a
        .slice(s![0, 0])
        .unwrap_err()
        .to_string()
        .contains("too many indices"));
    let e = Array::from_slice(dev, &[1.0f32, 2.0], &[3]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::DataLength {
                expected: 3,
                got: 2,
                ..
            }
        ),
        "{e}"
    );
    assert!(a.broadcast_to(&[3]).is_err());
    assert_eq!(
        a.reshape(&[3]).unwrap_err().to_string(),
        "cannot reshape array of size 4 into shape (3,)"
    );
    assert!(a.permute(&[1]).is_err());
    assert!(a.expand_dims(2).is_err());
    let b = Array::<f32>::zeros(dev, &[3])?;
    assert_eq!(
        a.assign(&b).unwrap_err().to_string(),
        "could not broadcast input array from shape (3,) into shape (4,)"
    );
    // Larger than the device allows: an error naming the size, not a panic.
    if !dev.is_cpu() {
        let huge = (dev.info().max_buffer_bytes / 4 + 1024) as usize;
        let e = Array::<f32>::zeros(dev, &[huge]).unwrap_err();
        assert!(matches!(e, Error::OutOfMemory { .. }), "{e}");
        assert!(e.to_string().contains("limit"), "{e}");
        assert!(Array::<f64>::zeros(dev, &[2])
            .unwrap_err()
            .to_string()
            .contains("float64"));
    } else {
        assert_eq!(Array::<f64>::ones(dev, &[2])?.to_vec()?, vec![1.0, 1.0]);
    }
    Ok(())
}

fn printing(dev: &Device) -> Result<()> {
    assert_eq!(
        Array::from_slice(dev, &[2, 3, 4, 5], &[4])?.to_string(),
        "[2 3 4 5]"
    );
    assert_eq!(
        Array::from_slice(dev, &[19, 22, 43, 50], &[2, 2])?.to_string(),
        "[[19 22]\n [43 50]]"
    );
    assert_eq!(
        Array::from_slice(dev, &[1.0f32, 2.5], &[2])?.to_string(),
        "[1.  2.5]"
    );
    assert_eq!(
        Array::from_slice(dev, &[1.5f32, -2.0, 3.25, 4.0], &[2, 2])?.to_string(),
        "[[ 1.5  -2.  ]\n [ 3.25  4.  ]]"
    );
    let big = Array::from_vec(dev, (0..2000).collect::<Vec<i32>>(), &[2000])?;
    assert_eq!(big.to_string(), "[   0    1    2 ... 1997 1998 1999]");
    let dbg = format!("{:?}", Array::<u32>::zeros(dev, &[2])?);
    assert!(
        dbg.contains("shape=[2]") && dbg.contains("dtype=uint32"),
        "{dbg}"
    );
    Ok(())
}

fn large_grid_and_async(dev: &Device) -> Result<()> {
    // More than 65535 workgroups of 256: the kernels' 2-D grid.
    let n = 65536 * 256 + 3;
    let a = Array::<u32>::full(dev, &[n], 7)?;
    let v = a.slice(s![..;-3])?;
    v.fill(1)?;
    let got = pollster::block_on(a.to_vec_async())?;
    for (i, x) in got.iter().enumerate() {
        let expect = if (n - 1 - i) % 3 == 0 { 1 } else { 7 };
        assert_eq!(*x, expect, "at {i}");
    }
    Ok(())
}

fn pool_reuse(dev: &Device) -> Result<()> {
    dev.synchronize()?;
    let before = dev.memory();
    for _ in 0..10 {
        let a = Array::<f32>::ones(dev, &[1000])?;
        assert_eq!(a.to_vec()?[999], 1.0);
    }
    dev.synchronize()?;
    let after = dev.memory();
    assert!(
        after.created - before.created <= 3,
        "{before:?} -> {after:?}"
    );
    assert!(after.reused >= before.reused + 9);
    assert_eq!(after.live_buffers, 0, "only internal buffers may remain");
    dev.trim();
    assert_eq!(dev.memory().cached_buffers, 0);
    Ok(())
}

test_device!(
    aliasing_and_views,
    flags_match_numpy,
    read_only,
    shares_memory,
    bad_input_errors,
    printing,
    large_grid_and_async,
    pool_reuse
);

#[test]
fn forgotten_array_is_reported_with_its_site() {
    // A device of its own: the forgotten buffer stays live for good.
    for dev in [Some(Device::cpu()), Device::gpu().ok()]
        .into_iter()
        .flatten()
    {
        let guard = dev.leak_check();
        let a = Array::<f32>::zeros(&dev, &[16]).unwrap();
        let line = line!() - 1;
        std::mem::forget(a);
        let report = guard.finish().unwrap_err().to_string();
        assert!(report.contains("1 buffer(s)"), "{report}");
        assert!(
            report.contains(&format!("tests/foundation.rs:{line}")),
            "{report}"
        );
        assert!(report.contains("Array<float32> of shape [16]"), "{report}");
    }
}

#[test]
fn device_selection() {
    let cpu = Device::cpu();
    assert_eq!(cpu.info().backend, "cpu");
    // Device::new never picks a software rasterizer.
    let d = Device::new().unwrap();
    assert_ne!(d.info().kind, ndgpu::DeviceKind::Software);
    if let Some(g) = common::gpu() {
        assert!(["vulkan", "metal", "dx12", "gl"].contains(&g.info().backend));
    }
}

/// A random view: shape, per-axis (start, end, step), a permutation seed,
/// broadcast?
type ViewCase = (Vec<usize>, Vec<(i64, i64, i64)>, u64, bool);

fn arb_view() -> impl Strategy<Value = ViewCase> {
    (
        prop::collection::vec(1usize..6, 1..4),
        prop::collection::vec((-6i64..6, -6i64..7, -3i64..4), 3),
        any::<u64>(),
        any::<bool>(),
    )
}

/// A permutation of `0..n` picked by `seed` (a Lehmer code).
fn permutation(n: usize, mut seed: u64) -> Vec<usize> {
    let mut left: Vec<usize> = (0..n).collect();
    let mut out = Vec::new();
    while !left.is_empty() {
        let k = (seed % left.len() as u64) as usize;
        seed /= left.len() as u64;
        out.push(left.remove(k));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn views_gather_and_write_as_numpy((shape, ranges, perm_seed, bcast) in arb_view()) {
        // Hold the shared GPU for the whole case, as test_device! tests do.
        let gpu = common::gpu();
        let devs: Vec<Device> = [Some(Device::cpu()), gpu.as_deref().cloned()].into_iter().flatten().collect();
        for dev in devs {
            let guard = dev.leak_check();
            let n: usize = shape.iter().product();
            let data: Vec<i32> = (0..n as i32).collect();
            let a = Array::from_slice(&dev, &data, &shape).unwrap();
            // Reference: shape/strides/offset tracked by hand, as NumPy would.
            let mut rs = shape.clone();
            let mut rt: Vec<isize> = ndgpu::layout::c_strides(&shape);
            let mut ro = 0isize;
            let mut elems = Vec::new();
            for (d, &(st, en, step)) in ranges.iter().enumerate().take(shape.len()) {
                let len = rs[d] as i64;
                let step = if step == 0 { 1 } else { step };
                let (a0, b0) = (st.clamp(-len, len), en.clamp(-len, len));
                let (ra, rb) = (if a0 < 0 { a0 + len } else { a0 }, if b0 < 0 { b0 + len } else { b0 });
                let m = (rb - ra).max(0);
                let k = step.abs();
                let cnt = (m + k - 1) / k;
                if cnt > 0 {
                    ro += (if step > 0 { ra } else { rb - 1 }) as isize * rt[d];
                }
                rs[d] = cnt as usize;
                rt[d] *= step as isize;
                elems.push(ndgpu::SliceElem::Slice { start: a0 as isize, end: Some(b0 as isize), step: step as isize });
            }
            let perm = permutation(rs.len(), perm_seed);
            let v = a.slice(&elems).unwrap().permute(&perm).unwrap();
            let (rs, rt): (Vec<usize>, Vec<isize>) = perm.iter().map(|&p| (rs[p], rt[p])).unzip();
            let expect = naive_gather(&data, &rs, &rt, ro as usize);
            prop_assert_eq!(v.shape(), &rs[..]);
            prop_assert_eq!(v.to_vec().unwrap(), expect.clone());
            if bcast {
                let mut bs = vec![2];
                bs.extend_from_slice(&rs);
                let b = v.broadcast_to(&bs).unwrap();
                let mut twice = expect.clone();
                twice.extend_from_slice(&expect);
                prop_assert_eq!(b.to_vec().unwrap(), twice);
            }
            // fill through the view changes exactly its elements.
            v.fill(-1).unwrap();
            let mut reference = data.clone();
            let idx: Vec<usize> = (0..n).collect();
            let offs = naive_gather(&idx, &rs, &rt, ro as usize);
            for o in &offs { reference[*o] = -1; }
            prop_assert_eq!(a.to_vec().unwrap(), reference.clone());
            // assign a broadcast row into the view.
            if let Some(&last) = rs.last() {
                let row: Vec<i32> = (100..100 + last as i32).collect();
                let r = Array::from_slice(&dev, &row, &[last]).unwrap();
                v.assign(&r).unwrap();
                for (i, o) in offs.iter().enumerate() { reference[*o] = row[i % last.max(1)]; }
                prop_assert_eq!(a.to_vec().unwrap(), reference);
            }
            drop((a, v));
            guard.finish().unwrap();
        }
    }
}
