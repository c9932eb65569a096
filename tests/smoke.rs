mod common;
use ndgpu::{s, Array, Device, Result};

fn smoke(dev: &Device) -> Result<()> {
    let a = Array::from_slice(dev, &[1.0f32, 2., 3., 4., 5., 6.], &[2, 3])?;
    assert_eq!(a.to_vec()?, vec![1., 2., 3., 4., 5., 6.]);
    assert_eq!(a.t().to_vec()?, vec![1., 4., 2., 5., 3., 6.]);
    let v = a.slice(s![.., ..;-1])?;
    assert_eq!(v.to_vec()?, vec![3., 2., 1., 6., 5., 4.]);
    v.fill(7.0)?;
    assert_eq!(a.to_vec()?, vec![7.0; 6]);
    let z = Array::<i32>::zeros(dev, &[5])?;
    let big = Array::<u32>::full(dev, &[70000 * 5], 3)?;
    assert!(big.to_vec()?.iter().all(|&x| x == 3));
    assert_eq!(z.to_vec()?, vec![0; 5]);
    Ok(())
}
test_device!(smoke);
