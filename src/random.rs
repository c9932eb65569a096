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
//! * [`normal`] uses Box–Muller on pairs of words: words `2k` and `2k + 1`
//!   give elements `2k` (`r cos θ`) and `2k + 1` (`r sin θ`), one word per
//!   element. Its `log`, `sin` and `cos` are ndgpu's own polynomials, written
//!   alike in Rust and WGSL (drivers' own differ near their zeros), so draws
//!   agree across devices within `1e-6 · max(1, |x|)`.
//! * [`integers`] on `[low, high)` is Lemire's multiply-shift with
//!   rejection (unbiased), bit-identical everywhere: element `j` takes word
//!   `j`, and if that word is rejected it retries on words of its own, lane
//!   `j % 4` of the blocks for counters `(j / 4, k, 0, 0)`, `k = 1, 2, …`
//!   (the main stream is `k = 0`), so no element depends on another.
//! * [`permutation`] is a Fisher–Yates shuffle on the host with the same
//!   bounded draws, then one upload.
//!
//! Each Philox block gives four words, and every kernel uses all four: one
//! block per four elements, on the CPU and on the GPU
//! (`shaders/random.wgsl`), with scale and shift applied in the same pass.
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

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// One Philox 4x32-10 block: four words from a counter and a key.
///
/// ```
/// let w = ndgpu::random::philox4x32([0, 0, 0, 0], [0, 0]);
/// assert_eq!(w, ndgpu::random::philox4x32([0, 0, 0, 0], [0, 0])); // counter-based: same input, same block
/// # Ok::<(), ndgpu::Error>(())
/// ```
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

/// Blocks computed side by side by [`philox_lanes`].
const LANES: usize = 8;

/// The blocks for counters `first .. first + LANES`, as [`philox4x32`]
/// computes them, laid out lane by lane so the rounds vectorise.
#[inline(always)]
fn philox_lanes(first: u32, key: [u32; 2]) -> [[u32; 4]; LANES] {
    let mut c0: [u32; LANES] = std::array::from_fn(|l| first.wrapping_add(l as u32));
    let (mut c1, mut c2, mut c3) = ([0u32; LANES], [0u32; LANES], [0u32; LANES]);
    let mut k = key;
    for r in 0..10 {
        if r > 0 {
            k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
        }
        for l in 0..LANES {
            let p0 = u64::from(M0) * u64::from(c0[l]);
            let p1 = u64::from(M1) * u64::from(c2[l]);
            let n0 = (p1 >> 32) as u32 ^ c1[l] ^ k[0];
            let n2 = (p0 >> 32) as u32 ^ c3[l] ^ k[1];
            c1[l] = p1 as u32;
            c3[l] = p0 as u32;
            c0[l] = n0;
            c2[l] = n2;
        }
    }
    std::array::from_fn(|l| [c0[l], c1[l], c2[l], c3[l]])
}

fn key(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

/// Word `w` of the stream for `seed`.
///
/// ```
/// use ndgpu::Device;
/// let dev = Device::cpu();
/// let w = ndgpu::random::word(7, 5);
/// assert_eq!(ndgpu::random::bits(&dev, &[8], 7)?.to_vec()?[5], w);
/// # Ok::<(), ndgpu::Error>(())
/// ```
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

/// What a draw turns each word into.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Bits,
    Uniform {
        lo: f32,
        hi: f32,
    },
    Normal {
        mean: f32,
        std: f32,
    },
    /// `low + r` (wrapping) with `r` uniform on `[0, s)`, `s ≥ 1`; `t` is
    /// `2³² mod s`, the rejection threshold of [`bounded`].
    Integers {
        s: u32,
        low: u32,
        t: u32,
    },
}

/// The attempts of one bounded draw; see [`bounded`].
const ATTEMPTS: u32 = 128;

/// `2³² mod s`: the number of words Lemire's method rejects for range `s`.
fn threshold(s: u32) -> u32 {
    s.wrapping_neg() % s
}

/// Lemire's multiply-shift draw on `[0, s)` for stream word `w` whose main
/// draw is `x`: the high word of `x · s`, rejecting the `x` whose low word is
/// under `t = 2³² mod s`, which leaves exactly `⌊2³² / s⌋` words for each
/// value, so the draw is unbiased. Attempt `k ≥ 1` takes lane `w % 4` of the
/// block for counter `(w / 4, k, 0, 0)`: retries come from the element's own
/// sub-stream. Each attempt is rejected with probability `t / 2³² < ½`; after
/// [`ATTEMPTS`] (probability under 2⁻¹²⁷) the last one is kept, on every
/// device alike.
#[inline(always)]
fn bounded(x: u32, w: u32, key: [u32; 2], s: u32, t: u32) -> u32 {
    let mut m = u64::from(x) * u64::from(s);
    let mut k = 1;
    while (m as u32) < t && k < ATTEMPTS {
        let y = philox4x32([w / 4, k, 0, 0], key)[(w % 4) as usize];
        m = u64::from(y) * u64::from(s);
        k += 1;
    }
    (m >> 32) as u32
}

/// [`bounded`] for the four lanes of block `b` at once, given their first
/// products `m = x · s`: attempt `k` of every lane still rejecting comes
/// from the one block for counter `(b, k, 0, 0)`, so each lane gets what
/// [`bounded`] gives it. Kept out of line: a block of a range that is not a
/// power of two needs it with probability `4t / 2³²` at most. The twin of
/// `h_integers` in `shaders/random.wgsl`.
#[cold]
#[inline(never)]
fn retry_block(mut m: [u64; 4], b: u32, key: [u32; 2], s: u32, t: u32) -> [u64; 4] {
    let mut k = 1;
    while k < ATTEMPTS && m.iter().any(|&x| (x as u32) < t) {
        let y = philox4x32([b, k, 0, 0], key);
        for (x, y) in m.iter_mut().zip(y) {
            if (*x as u32) < t {
                *x = u64::from(y) * u64::from(s);
            }
        }
        k += 1;
    }
    m
}

/// 2⁻²⁴: the top 24 bits of a word scaled into `[0, 1)`, exactly.
const INV24: f32 = 1.0 / 16_777_216.0;

/// `ln(u)` for `u` in (0, 1], the twin of `h_ln` in `shaders/random.wgsl`
/// (same operations in the same order): `u = m·2^e` with `m` in
/// [√½, √2), and `ln m = 2 atanh(s)`, `s = (m - 1)/(m + 1)`, by its series.
#[inline(always)]
fn ln01(u: f32) -> f32 {
    let bits = u.to_bits();
    let mut e = ((bits >> 23) & 0xff) as i32 - 127;
    let mut m = f32::from_bits((bits & 0x7f_ffff) | 0x3f80_0000);
    if m > std::f32::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let p = 1.0 + z * (0.333_333_34 + z * (0.2 + z * (0.142_857_15 + z * 0.111_111_11)));
    e as f32 * std::f32::consts::LN_2 + 2.0 * s * p
}

/// `(sin πt, cos πt)` for `t` in [-1, 1], the twin of `h_sincospi`: the
/// quadrant `q = floor(2t + ½)` comes off exactly, leaving `x` in [-π/4, π/4].
#[inline(always)]
#[allow(clippy::excessive_precision)]
fn sincospi(t: f32) -> (f32, f32) {
    let q = (2.0 * t + 0.5).floor();
    let x = std::f32::consts::PI * (t - 0.5 * q);
    let z = x * x;
    let s = x
        * (1.0
            + z * (-0.166_666_67
                + z * (0.008_333_334 + z * (-0.000_198_412_7 + z * 2.755_731_9e-6))));
    let c = 1.0 + z * (-0.5 + z * (0.041_666_668 + z * (-0.001_388_888_9 + z * 2.480_158_8e-5)));
    match (q as i32) & 3 {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

/// The two normals of words `w0`, `w1`: `(r cos θ, r sin θ)`.
#[inline(always)]
fn box_muller(w0: u32, w1: u32) -> (f32, f32) {
    let u1 = ((w0 >> 8) + 1) as f32 * INV24;
    let t = 2.0 * ((w1 >> 8) as f32 * INV24) - 1.0;
    let r = (-2.0 * ln01(u1)).sqrt();
    let (s, c) = sincospi(t);
    (r * c, r * s)
}

/// The four output words of block `b`, stream words `4b .. 4b + 4`, whose
/// words are `w`.
#[inline(always)]
fn block_values(kind: Kind, w: [u32; 4], b: u32, key: [u32; 2]) -> [u32; 4] {
    match kind {
        Kind::Bits => w,
        Kind::Uniform { lo, hi } => {
            w.map(|x| (lo + (hi - lo) * ((x >> 8) as f32 * INV24)).to_bits())
        }
        Kind::Normal { mean, std } => {
            let (a, b) = box_muller(w[0], w[1]);
            let (c, d) = box_muller(w[2], w[3]);
            [a, b, c, d].map(|x| (mean + std * x).to_bits())
        }
        Kind::Integers { s, low, t } => {
            let mut m = w.map(|x| u64::from(x) * u64::from(s));
            if m.iter().any(|&x| (x as u32) < t) {
                m = retry_block(m, b, key, s, t);
            }
            m.map(|x| low.wrapping_add((x >> 32) as u32))
        }
    }
}

/// Fills `out` with elements for stream words `first ..`, one Philox block
/// per four of them (a partial block at either end).
fn fill_cpu(out: &mut [u32], first: u32, key: [u32; 2], kind: Kind) {
    let mut w = first;
    let mut i = 0;
    // Whole groups of LANES blocks, computed side by side (vector lanes).
    while w.is_multiple_of(4) && out.len() - i >= 4 * LANES {
        let blocks = philox_lanes(w / 4, key);
        for (l, (b, o)) in blocks
            .iter()
            .zip(out[i..i + 4 * LANES].chunks_exact_mut(4))
            .enumerate()
        {
            o.copy_from_slice(&block_values(kind, *b, w / 4 + l as u32, key));
        }
        i += 4 * LANES;
        w = w.wrapping_add(4 * LANES as u32);
    }
    while i < out.len() {
        let lane = (w % 4) as usize;
        let vals = block_values(kind, philox4x32([w / 4, 0, 0, 0], key), w / 4, key);
        let take = (4 - lane).min(out.len() - i);
        out[i..i + take].copy_from_slice(&vals[lane..lane + take]);
        i += take;
        w = w.wrapping_add(take as u32);
    }
}

/// The WGSL expression for a draw's output bits, lane `l` of block words `w`.
fn wgsl_value(kind: Kind) -> &'static str {
    match kind {
        Kind::Bits => "w[l]",
        Kind::Uniform { .. } => "bitcast<u32>(a + (b - a) * (f32(w[l] >> 8u) * INV24))",
        Kind::Normal { .. } => "bitcast<u32>(a + b * h_normal(w, l))",
        Kind::Integers { .. } => "w[l]",
    }
}

/// The WGSL expression for a draw's block `w` (see `shaders/random.wgsl`).
fn wgsl_block(kind: Kind) -> &'static str {
    match kind {
        Kind::Integers { .. } => "h_integers(off / 4u + t, md[2], md[3], md[4], md[5], md[6])",
        _ => "h_philox_block(off / 4u + t, md[2], md[3])",
    }
}

fn kernel_source(kind: Kind) -> String {
    include_str!("../shaders/random.wgsl")
        .replace("{BLOCK}", wgsl_block(kind))
        .replace("{VALUE}", wgsl_value(kind))
        .replace("{ATTEMPTS}", &ATTEMPTS.to_string())
        + include_str!("../shaders/philox.wgsl")
}

/// A draw of `shape` from stream words `offset ..` (checked), into a fresh array.
#[track_caller]
fn draw<T: crate::element::Element>(
    dev: &Device,
    shape: &[usize],
    seed: u64,
    offset: u64,
    kind: Kind,
) -> Result<Array<T>> {
    let n = checked_size(shape)?;
    let off = check_range(offset, n)?;
    let out = Array::<T>::uninit(dev, shape)?;
    let k = key(seed);
    match &out.storage {
        Storage::Cpu(s) => {
            let mut g = crate::device::cpu::lock(s);
            let buf: &mut [u32] = bytemuck::cast_slice_mut(&mut g);
            // Chunks of whole blocks, so each block is computed once.
            const CHUNK: usize = 1 << 14;
            // The lock stays on this thread; the work runs in ndgpu's pool.
            crate::device::cpu::exec(|| {
                buf[..n]
                    .par_chunks_mut(CHUNK)
                    .enumerate()
                    .for_each(|(c, chunk)| {
                        fill_cpu(chunk, off.wrapping_add((c * CHUNK) as u32), k, kind)
                    })
            });
        }
        Storage::Gpu(s) => {
            if n == 0 {
                return Ok(out);
            }
            let (a, b, c) = match kind {
                Kind::Bits => (0, 0, 0),
                Kind::Uniform { lo, hi } => (lo.to_bits(), hi.to_bits(), 0),
                Kind::Normal { mean, std } => (mean.to_bits(), std.to_bits(), 0),
                Kind::Integers { s, low, t } => (s, low, t),
            };
            let gpu = out.gpu();
            let name = match kind {
                Kind::Bits => "bits",
                Kind::Uniform { .. } => "uniform",
                Kind::Normal { .. } => "normal",
                Kind::Integers { .. } => "integers",
            };
            let pipe = gpu.pipeline(&format!("random|{name}"), || kernel_source(kind), 1)?;
            // One dispatch per window of at most one storage binding, each
            // window starting on an aligned offset: element e0 of the draw
            // is stream word off + e0, so a window is a draw of its own.
            let per = ((gpu.max_binding / 4) as usize / 64 * 64).max(64);
            let mut e0 = 0;
            while e0 < n {
                let m = per.min(n - e0);
                let w_off = off.wrapping_add(e0 as u32);
                let blocks = ((w_off % 4) as u64 + m as u64).div_ceil(4);
                let md = [m as u32, w_off, k[0], k[1], a, b, c];
                let bytes = ((m * 4) as u64).min(s.bytes() - (e0 * 4) as u64);
                gpu.dispatch_windows(
                    pipe.clone(),
                    vec![(s.clone(), (e0 * 4) as u64, bytes)],
                    &md,
                    gpu.grid(blocks, 256)?,
                )?;
                e0 += m;
            }
        }
    }
    Ok(out)
}

/// The raw stream: words `offset..offset + size` for `seed`, as a `u32`
/// array of `shape` (NumPy has no twin; `Generator.bit_generator.random_raw`
/// is the nearest).
///
/// ```
/// use ndgpu::{random, Device};
/// let dev = Device::cpu();
/// let w = random::bits_at(&dev, &[4], 1234, 6)?.to_vec()?;
/// assert_eq!(w[0], random::word(1234, 6));
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// The range passes 2³² words; out of memory.
#[track_caller]
pub fn bits_at(dev: &Device, shape: &[usize], seed: u64, offset: u64) -> Result<Array<u32>> {
    draw(dev, shape, seed, offset, Kind::Bits)
}

/// The raw stream from word 0; see [`bits_at`].
///
/// ```
/// use ndgpu::Device;
/// let dev = Device::cpu();
/// let a = ndgpu::random::bits(&dev, &[4], 7)?; // bit_generator.random_raw(4), our stream
/// assert_eq!(a.to_vec()?, ndgpu::random::bits_at(&dev, &[4], 7, 0)?.to_vec()?);
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// As [`bits_at`].
#[track_caller]
pub fn bits(dev: &Device, shape: &[usize], seed: u64) -> Result<Array<u32>> {
    bits_at(dev, shape, seed, 0)
}

/// Uniform f32 draws on `[lo, hi)` from words `offset..` (NumPy's
/// `default_rng(seed).uniform(lo, hi, shape).astype(np.float32)` in
/// distribution; the streams differ); see the module docs.
///
/// ```
/// use ndgpu::{random, Device};
/// let dev = Device::cpu();
/// let all = random::uniform(&dev, &[10], -1.0, 1.0, 5)?.to_vec()?;
/// let part = random::uniform_at(&dev, &[3], -1.0, 1.0, 5, 4)?.to_vec()?;
/// assert_eq!(part, all[4..7].to_vec());
/// # Ok::<(), ndgpu::Error>(())
/// ```
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
    draw(dev, shape, seed, offset, Kind::Uniform { lo, hi })
}

/// Uniform f32 draws on `[lo, hi)` (NumPy's
/// `default_rng(seed).random(shape, dtype=np.float32)` for `[0, 1)`); see
/// the module docs.
///
/// ```
/// use ndgpu::{random, Device};
/// let dev = Device::cpu();
/// let u = random::uniform(&dev, &[1000], 2.0, 3.0, 1)?.to_vec()?;
/// assert!(u.iter().all(|&x| (2.0..3.0).contains(&x)));
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// Out of memory.
#[track_caller]
pub fn uniform(dev: &Device, shape: &[usize], lo: f32, hi: f32, seed: u64) -> Result<Array<f32>> {
    uniform_at(dev, shape, lo, hi, seed, 0)
}

/// Normal f32 draws with `mean` and `std` from words `offset..` (one word
/// per element, Box–Muller on pairs), scaled and shifted in the same pass.
///
/// ```
/// use ndgpu::{random, Device};
/// let dev = Device::cpu();
/// let all = random::normal(&dev, &[8], 0.0, 1.0, 3)?.to_vec()?;
/// let part = random::normal_at(&dev, &[3], 0.0, 1.0, 3, 5)?.to_vec()?;
/// assert_eq!(part, all[5..8].to_vec());
/// # Ok::<(), ndgpu::Error>(())
/// ```
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
    draw(dev, shape, seed, offset, Kind::Normal { mean, std })
}

/// Normal f32 draws with `mean` and `std` (NumPy's
/// `default_rng(seed).normal(mean, std, shape)`, or `standard_normal(shape,
/// dtype=np.float32)` for (0, 1)); see [`normal_at`].
///
/// ```
/// use ndgpu::{random, Axes, Device};
/// let dev = Device::cpu();
/// let g = random::normal(&dev, &[100_000], 3.0, 2.0, 11)?;
/// assert!((g.mean(Axes::All, false)?.item()? - 3.0).abs() < 0.05);
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// A negative `std`; out of memory.
#[track_caller]
pub fn normal(dev: &Device, shape: &[usize], mean: f32, std: f32, seed: u64) -> Result<Array<f32>> {
    normal_at(dev, shape, mean, std, seed, 0)
}

/// The range `s = high - low` of a draw on `[low, high)`, or NumPy's error.
fn int_kind(low: u32, s: u64) -> Result<Kind> {
    if s == 0 || s > u64::from(u32::MAX) {
        // s > u32::MAX only for a wrapped (negative) difference.
        return Err(Error::Value("high <= low".into()));
    }
    let s = s as u32;
    Ok(Kind::Integers {
        s,
        low,
        t: threshold(s),
    })
}

/// Uniform `i32` draws on `[low, high)` from words `offset..` (NumPy's
/// `default_rng(seed).integers(low, high, shape, dtype=np.int32)` in
/// distribution; the streams differ). Unbiased: Lemire's multiply-shift with
/// rejection, each element retrying on a sub-stream of its own (see the
/// module docs), so element `j` depends only on `(seed, offset + j)` and the
/// draw is bit-identical on every device. Any `low < high` works, up to the
/// full `[i32::MIN, i32::MAX)`.
///
/// ```
/// use ndgpu::{random, Device};
/// let dev = Device::cpu();
/// let all = random::integers(&dev, &[10], -3, 4, 5)?.to_vec()?;
/// let part = random::integers_at(&dev, &[3], -3, 4, 5, 4)?.to_vec()?;
/// assert_eq!(part, all[4..7].to_vec());
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// `low >= high` (NumPy's `high <= low`); the range passes 2³² words; out
/// of memory.
#[track_caller]
pub fn integers_at(
    dev: &Device,
    shape: &[usize],
    low: i32,
    high: i32,
    seed: u64,
    offset: u64,
) -> Result<Array<i32>> {
    let kind = int_kind(low as u32, (i64::from(high) - i64::from(low)) as u64)?;
    draw(dev, shape, seed, offset, kind)
}

/// Uniform `i32` draws on `[low, high)`, `high` excluded (NumPy's
/// `default_rng(seed).integers(low, high, shape, dtype=np.int32)`); see
/// [`integers_at`].
///
/// ```
/// use ndgpu::{random, Device};
/// let dev = Device::cpu();
/// let d = random::integers(&dev, &[1000], 1, 7, 42)?.to_vec()?; // dice
/// assert!(d.iter().all(|&x| (1..7).contains(&x)));
/// assert!(random::integers(&dev, &[4], 5, 5, 42).is_err()); // high <= low
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// As [`integers_at`].
#[track_caller]
pub fn integers(
    dev: &Device,
    shape: &[usize],
    low: i32,
    high: i32,
    seed: u64,
) -> Result<Array<i32>> {
    integers_at(dev, shape, low, high, seed, 0)
}

/// Uniform `u32` draws on `[low, high)` from words `offset..` (NumPy's
/// `default_rng(seed).integers(low, high, shape, dtype=np.uint32)` in
/// distribution); the same method and stream as [`integers_at`]: for the
/// same range size `high - low`, element `j` is the `i32` draw's `j` shifted.
///
/// ```
/// use ndgpu::{random, Device};
/// let dev = Device::cpu();
/// let all = random::integers_u32(&dev, &[10], 0, 1000, 8)?.to_vec()?;
/// let part = random::integers_u32_at(&dev, &[2], 0, 1000, 8, 8)?.to_vec()?;
/// assert_eq!(part, all[8..].to_vec());
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// As [`integers_at`].
#[track_caller]
pub fn integers_u32_at(
    dev: &Device,
    shape: &[usize],
    low: u32,
    high: u32,
    seed: u64,
    offset: u64,
) -> Result<Array<u32>> {
    let kind = int_kind(low, u64::from(high).wrapping_sub(u64::from(low)))?;
    draw(dev, shape, seed, offset, kind)
}

/// Uniform `u32` draws on `[low, high)` (NumPy's
/// `default_rng(seed).integers(low, high, shape, dtype=np.uint32)`); see
/// [`integers_u32_at`].
///
/// ```
/// use ndgpu::{random, Device};
/// let dev = Device::cpu();
/// let v = random::integers_u32(&dev, &[2, 3], 10, 20, 1)?;
/// assert!(v.to_vec()?.iter().all(|&x| (10..20).contains(&x)));
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// As [`integers_at`].
#[track_caller]
pub fn integers_u32(
    dev: &Device,
    shape: &[usize],
    low: u32,
    high: u32,
    seed: u64,
) -> Result<Array<u32>> {
    integers_u32_at(dev, shape, low, high, seed, 0)
}

/// A uniformly random permutation of `0..n` (NumPy's
/// `default_rng(seed).permutation(n)` in distribution; the streams differ),
/// the same on every device for a seed.
///
/// The shuffle runs on the host and the result is uploaded once: an
/// inside-out Fisher–Yates over words `0..n` of the seed's stream (those of
/// [`bits`]), step `i` placing `i` at a slot `j` uniform on `[0, i]`, drawn
/// from word `i` exactly as [`integers_u32_at`] draws on `[0, i + 1)` (unbiased,
/// retries on the word's own sub-stream). The words are generated in
/// parallel, the swaps are sequential: a shuffle is an inherently serial
/// chain of dependent swaps, and a GPU version (sorting random keys, or a
/// bijective cipher on `0..n`) would need a sort or a cycle-walking loop
/// whose length lavapipe cannot bound, for an O(n) host pass that costs
/// less than the upload on most machines.
///
/// ```
/// use ndgpu::{random, Device};
/// let dev = Device::cpu();
/// let p = random::permutation(&dev, 10, 7)?.to_vec()?; // rng.permutation(10)
/// let mut sorted = p.clone();
/// sorted.sort();
/// assert_eq!(sorted, (0..10).collect::<Vec<u32>>());
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// `n` passes 2³² (the generator's words per seed, and `u32`'s range); out
/// of memory.
#[track_caller]
pub fn permutation(dev: &Device, n: usize, seed: u64) -> Result<Array<u32>> {
    check_range(0, n)?;
    let k = key(seed);
    let mut p = vec![0u32; n];
    const CHUNK: usize = 1 << 14;
    crate::device::cpu::exec(|| {
        p.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(c, chunk)| fill_cpu(chunk, (c * CHUNK) as u32, k, Kind::Bits))
    });
    for i in 0..n {
        let x = p[i];
        let j = match u32::try_from(i + 1) {
            // Lemire's draw on [0, s), the threshold computed only when it
            // can matter (it is below s): as `bounded`, without the division
            // on almost every step.
            Ok(s) if ((u64::from(x) * u64::from(s)) as u32) < s => {
                bounded(x, i as u32, k, s, threshold(s))
            }
            Ok(s) => ((u64::from(x) * u64::from(s)) >> 32) as u32,
            // i = 2³² - 1: any word is uniform on [0, 2³²).
            Err(_) => x,
        } as usize;
        p[i] = p[j];
        p[j] = i as u32;
    }
    Array::from_vec(dev, p, &[n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_wgsl_validates() {
        for kind in [
            Kind::Bits,
            Kind::Uniform { lo: 0.0, hi: 1.0 },
            Kind::Normal {
                mean: 0.0,
                std: 1.0,
            },
            Kind::Integers { s: 7, low: 0, t: 4 },
        ] {
            crate::device::gpu::validate_wgsl(&kernel_source(kind))
                .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        }
    }

    /// The polynomials against f64's functions over their whole domains.
    #[test]
    fn ln_and_sincospi_are_accurate() {
        for k in (0..1u32 << 24).step_by(997).chain([0, (1 << 24) - 1]) {
            let u = (k + 1) as f32 * INV24;
            let want = (u as f64).ln();
            let got = ln01(u) as f64;
            assert!(
                (got - want).abs() <= 2e-7 * want.abs().max(1e-30) + 1e-9,
                "ln {u}: {got} vs {want}"
            );
            let t = 2.0 * (k as f32 * INV24) - 1.0;
            let (s, c) = sincospi(t);
            let x = std::f64::consts::PI * t as f64;
            assert!((s as f64 - x.sin()).abs() < 3e-7, "sin {t}");
            assert!((c as f64 - x.cos()).abs() < 3e-7, "cos {t}");
        }
    }

    #[test]
    fn lanes_match_blocks() {
        let got = philox_lanes(u32::MAX - 3, [7, 9]);
        for (l, b) in got.iter().enumerate() {
            assert_eq!(
                *b,
                philox4x32([(u32::MAX - 3).wrapping_add(l as u32), 0, 0, 0], [7, 9])
            );
        }
    }

    /// Lemire's method by brute force on a small word size: with 8-bit
    /// words, every range s in 1..=255 keeps exactly floor(256 / s) words
    /// per value once the low byte is under 256 mod s; the 32-bit code is
    /// the same arithmetic.
    #[test]
    fn lemire_is_exact_on_small_words() {
        for s in 1u32..256 {
            let t = (256 - s) % s;
            let mut count = vec![0u32; s as usize];
            for x in 0u32..256 {
                let m = x * s;
                if m & 0xff >= t {
                    count[(m >> 8) as usize] += 1;
                }
            }
            assert!(count.iter().all(|&c| c == 256 / s), "s = {s}");
        }
        for s in [1u32, 2, 3, 7, 1000, (1 << 31) + 1, u32::MAX] {
            assert_eq!(u64::from(threshold(s)), (1u64 << 32) % u64::from(s));
        }
    }

    /// A rejected word retries on the element's own sub-stream: counter
    /// word 1 is the attempt.
    #[test]
    fn rejections_retry_on_their_own_words() {
        let key = [3, 4];
        // s = 2^31 + 1 rejects almost half the words: find one that is rejected.
        let s = (1u32 << 31) + 1;
        let t = threshold(s);
        assert_eq!(t, (1u32 << 31) - 1);
        let w = (0..1000u32)
            .find(|&w| {
                let x = philox4x32([w / 4, 0, 0, 0], key)[(w % 4) as usize];
                ((u64::from(x) * u64::from(s)) as u32) < t
            })
            .unwrap();
        let x = philox4x32([w / 4, 0, 0, 0], key)[(w % 4) as usize];
        let mut want = None;
        for k in 1..ATTEMPTS {
            let y = philox4x32([w / 4, k, 0, 0], key)[(w % 4) as usize];
            let m = u64::from(y) * u64::from(s);
            if (m as u32) >= t {
                want = Some((m >> 32) as u32);
                break;
            }
        }
        assert_eq!(Some(bounded(x, w, key, s, t)), want);
        // The block form gives every lane what the per-word form gives it.
        for b in 0..2000u32 {
            let x = philox4x32([b, 0, 0, 0], key);
            let m = retry_block(x.map(|x| u64::from(x) * u64::from(s)), b, key, s, t);
            for l in 0..4 {
                assert_eq!(
                    (m[l] >> 32) as u32,
                    bounded(x[l], 4 * b + l as u32, key, s, t)
                );
            }
        }
        // A power of two never rejects: the top bits of the word.
        assert_eq!(threshold(1 << 20), 0);
        assert_eq!(bounded(0xdead_beef, 5, key, 1 << 20, 0), 0xdead_beef >> 12);
    }

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
