//! Seeded random arrays from a counter-based generator (Philox 4x32-10), so
//! a seed gives the **same 32-bit stream on every device**: element `j` of a
//! draw at `offset` depends only on `(seed, offset + j)`, never on the
//! device, the thread count or the order of work.
//!
//! * [`bits`] is the raw stream, bit-identical everywhere.
//! * [`uniform`] on `[0, 1)` takes the top 24 bits of each word times 2⁻²⁴,
//!   exact in f32, so it is bit-identical on every device too; other ranges
//!   compute `lo + (hi - lo) * u`, which a GPU may fuse, so they agree within
//!   an ulp or so.
//! * [`normal`] uses Box–Muller on two words per element; GPUs differ in
//!   `log` and `cos`, so draws agree across devices within about 1e-6 relative.
//!
//! A slice of a draw equals the draw of that slice's counter range:
//! `uniform_at(dev, &[n], lo, hi, seed, k)` is elements `k..k + n` of any
//! longer draw with the same seed.
//!
//! ```
//! use ndgpu::{random, Device};
//! let dev = Device::cpu();
//! let u = random::uniform(&dev, &[1000], 0.0, 1.0, 42)?;
//! let v = u.to_vec()?;
//! assert!(v.iter().all(|&x| (0.0..1.0).contains(&x)));
//! # Ok::<(), ndgpu::Error>(())
//! ```

use rayon::prelude::*;

use crate::array::Array;
use crate::device::{Device, Storage};
use crate::error::{Error, Result};
use crate::layout::checked_size;
use crate::ops::elementwise::Arg;

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// One Philox 4x32-10 block: four words from a counter and a key.
pub fn philox4x32(ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let (mut c, mut k) = (ctr, key);
    for r in 0..10 {
        if r > 0 {
            k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
        }
        let p0 = u64::from(M0) * u64::from(c[0]);
        let p1 = u64::from(M1) * u64::from(c[2]);
        c = [
            (p1 >> 32) as u32 ^ c[1] ^ k[0],
            p1 as u32,
            (p0 >> 32) as u32 ^ c[3] ^ k[1],
            p0 as u32,
        ];
    }
    c
}

fn key(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

/// Word `w` of the stream for `seed`.
pub fn word(seed: u64, w: u32) -> u32 {
    philox4x32([w / 4, 0, 0, 0], key(seed))[(w % 4) as usize]
}

/// `n` words starting at word `offset`, or an error past 2³² words.
fn check_range(offset: u64, n: usize) -> Result<u32> {
    let end = offset.checked_add(n as u64).filter(|&e| e <= 1 << 32);
    match end {
        Some(_) => Ok(offset as u32),
        None => Err(Error::Value(format!(
            "a draw of {n} words at offset {offset} passes the generator's 2^32 words per seed"
        ))),
    }
}

/// The raw stream: words `offset..offset + size` for `seed`, as a `u32` array of `shape`.
///
/// # Errors
/// The range passes 2³² words; out of memory.
#[track_caller]
pub fn bits_at(dev: &Device, shape: &[usize], seed: u64, offset: u64) -> Result<Array<u32>> {
    let n = checked_size(shape)?;
    let off = check_range(offset, n)?;
    let out = Array::<u32>::uninit(dev, shape)?;
    let k = key(seed);
    match &out.storage {
        Storage::Cpu(s) => {
            let mut g = crate::device::cpu::lock(s);
            let buf: &mut [u32] = bytemuck::cast_slice_mut(&mut g);
            buf[..n]
                .par_chunks_mut(1 << 14)
                .enumerate()
                .for_each(|(c, chunk)| {
                    for (j, v) in chunk.iter_mut().enumerate() {
                        *v = word(seed, off + (c * (1 << 14) + j) as u32);
                    }
                });
        }
        // The CPU closure is never called on a GPU array.
        Storage::Gpu(_) => out.ew(
            Arg::Scalar(k[0]),
            Arg::Scalar(k[1]),
            Arg::Scalar(off),
            "h_philox(c + i, a, b)",
            |x: u32, _: u32, _: u32| x,
        )?,
    }
    Ok(out)
}

/// The raw stream from word 0; see [`bits_at`].
///
/// # Errors
/// As [`bits_at`].
#[track_caller]
pub fn bits(dev: &Device, shape: &[usize], seed: u64) -> Result<Array<u32>> {
    bits_at(dev, shape, seed, 0)
}

/// `lo + (hi - lo) * u` with `u` the top 24 bits of word `a` times 2⁻²⁴.
const UNIFORM: &str = "b + (c - b) * ({B}(a >> {A}(8u)) * 5.9604645e-8)";
/// Box–Muller on words `a` and `b`: `u1` in (0, 1], `u2` in [0, 1), and the
/// angle `pi * (2 u2 - 1)` in [-pi, pi), where WGSL bounds `cos`'s error.
const NORMAL: &str = "sqrt(-2.0 * log({O}((a >> {A}(8u)) + {A}(1u)) * 5.9604645e-8)) * cos(3.1415927 * (2.0 * ({O}(b >> {B}(8u)) * 5.9604645e-8) - 1.0))";
#[cfg(test)]
pub(crate) const KERNELS: [&str; 2] = [UNIFORM, NORMAL];

/// 2⁻²⁴: the top 24 bits of a word scaled into `[0, 1)`, exactly.
const INV24: f32 = 1.0 / 16_777_216.0;

/// Uniform f32 draws on `[lo, hi)` from words `offset..`; see the module docs.
///
/// # Errors
/// The range passes 2³² words; out of memory.
#[track_caller]
pub fn uniform_at(
    dev: &Device,
    shape: &[usize],
    lo: f32,
    hi: f32,
    seed: u64,
    offset: u64,
) -> Result<Array<f32>> {
    let w = bits_at(dev, shape, seed, offset)?;
    let out = Array::<f32>::uninit(dev, shape)?;
    out.ew(
        Arg::Arr(&w),
        Arg::Scalar(lo),
        Arg::Scalar(hi),
        UNIFORM,
        |x: u32, l: f32, h: f32| l + (h - l) * ((x >> 8) as f32 * INV24),
    )?;
    Ok(out)
}

/// Uniform f32 draws on `[lo, hi)`; see the module docs.
///
/// # Errors
/// Out of memory.
#[track_caller]
pub fn uniform(dev: &Device, shape: &[usize], lo: f32, hi: f32, seed: u64) -> Result<Array<f32>> {
    uniform_at(dev, shape, lo, hi, seed, 0)
}

/// Normal f32 draws by Box–Muller on words `2·(offset + j)` and `2·(offset + j) + 1`.
///
/// # Errors
/// A negative `std` (NumPy: `scale < 0`); the range passes 2³² words; out of memory.
#[track_caller]
pub fn normal_at(
    dev: &Device,
    shape: &[usize],
    mean: f32,
    std: f32,
    seed: u64,
    offset: u64,
) -> Result<Array<f32>> {
    if std < 0.0 {
        return Err(Error::Value("scale < 0".into()));
    }
    let n = checked_size(shape)?;
    let w = bits_at(dev, &[n, 2], seed, offset.saturating_mul(2))?;
    let (w0, w1) = (
        w.slice(crate::s![.., 0])?.reshape(shape)?,
        w.slice(crate::s![.., 1])?.reshape(shape)?,
    );
    let out = Array::<f32>::uninit(dev, shape)?;
    out.ew(
        Arg::Arr(&w0),
        Arg::Arr(&w1),
        Arg::<f32>::None,
        NORMAL,
        |x: u32, y: u32, _: f32| {
            let u1 = ((x >> 8) + 1) as f32 * INV24;
            let u2 = (y >> 8) as f32 * INV24;
            (-2.0 * u1.ln()).sqrt() * (std::f32::consts::PI * (2.0 * u2 - 1.0)).cos()
        },
    )?;
    out.mul_scalar_inplace(std)?;
    out.add_scalar_inplace(mean)?;
    Ok(out)
}

/// Normal f32 draws with `mean` and `std`; see the module docs.
///
/// # Errors
/// Out of memory.
#[track_caller]
pub fn normal(dev: &Device, shape: &[usize], mean: f32, std: f32, seed: u64) -> Result<Array<f32>> {
    normal_at(dev, shape, mean, std, seed, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known-answer vectors of Random123's philox4x32_10.
    #[test]
    fn philox_known_answers() {
        assert_eq!(
            philox4x32([0; 4], [0; 2]),
            [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
        );
        assert_eq!(
            philox4x32([u32::MAX; 4], [u32::MAX; 2]),
            [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]
        );
        assert_eq!(
            philox4x32(
                [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
                [0xa4093822, 0x299f31d0]
            ),
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
        );
    }
}
