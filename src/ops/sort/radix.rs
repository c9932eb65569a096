//! The CPU backend's radix sorts over 32-bit order keys.
//!
//! [`sort`] (argsort's): a stable LSD radix sort of keys and payloads, 11
//! bits per pass (3 passes), passes whose digit is the same for every key
//! skipped, each pass split over ndgpu's threads for long inputs
//! (per-chunk histograms, then each chunk scatters to its own disjoint
//! slots).
//!
//! [`sort_values`] (sort's, keys alone): one MSD pass that computes the keys
//! from the elements on the fly and scatters them into cache-sized buckets
//! of a key range, then each bucket sorted on one thread while it sits in
//! L2 (an LSD radix on its remaining bits, the elements written back last,
//! in order). For 16M uniform f32 on a 2-core Sapphire Rapids this is 3
//! reads and 2 writes of the array where the LSD sort made 7 and 6.

use rayon::prelude::*;

use crate::device::cpu::exec;

/// Keys below this sort on one thread.
const PAR_MIN: usize = 1 << 16;
/// Bits per pass.
const BITS: u32 = 11;
const BUCKETS: usize = 1 << BITS;

/// Buckets of [`sort_values`]' first pass.
const MSD_BUCKETS: usize = 1 << BITS;
/// Buckets up to this many keys (1 MiB, twice that with their scratch: one
/// core's L2) are sorted by LSD passes; longer ones split by another MSD
/// pass first.
const CAP: usize = 1 << 18;
/// Buckets up to this long: the standard library's sort.
const SMALL: usize = 64;

/// A raw pointer to a slice that the tasks of one scatter write at
/// disjoint positions.
#[derive(Clone, Copy)]
struct Out<T>(*mut T, usize);

// SAFETY: `Out` is only used by the scatters of `sort` and `sort_values`,
// whose tasks write
// disjoint positions (see there) of a slice that outlives them (rayon's
// `for_each` returns only when every task is done).
unsafe impl<T: Send> Send for Out<T> {}
unsafe impl<T: Send> Sync for Out<T> {}

impl<T> Out<T> {
    /// Writes `v` at `i`.
    ///
    /// # Safety
    /// `i < len`, and no other task reads or writes position `i` during the
    /// pass.
    #[inline]
    unsafe fn put(self, i: usize, v: T) {
        debug_assert!(i < self.1);
        // SAFETY: in bounds and exclusively this task's, by the contract.
        unsafe { self.0.add(i).write(v) }
    }
}

/// Sorts `keys` (and `vals` alongside, when given) stably by key, using
/// `scratch` (and `vscratch`) of the same lengths; the result ends in
/// `keys` and `vals`.
pub(crate) fn sort(
    keys: &mut [u32],
    scratch: &mut [u32],
    mut vals: Option<(&mut [u32], &mut [u32])>,
) {
    let n = keys.len();
    if n < 2 {
        return;
    }
    if n < 256 {
        // Short runs: the standard library's stable sort.
        match vals {
            Some((v, _)) => {
                let mut pairs: Vec<(u32, u32)> =
                    keys.iter().copied().zip(v.iter().copied()).collect();
                pairs.sort_by_key(|p| p.0);
                for (i, (k, x)) in pairs.into_iter().enumerate() {
                    keys[i] = k;
                    v[i] = x;
                }
            }
            None => keys.sort_unstable(),
        }
        return;
    }
    let threads = if n < PAR_MIN {
        1
    } else {
        exec(rayon::current_num_threads).max(1) * 2
    };
    // A power of two, so a slot's chunk is a shift away.
    let chunk = n.div_ceil(threads).next_power_of_two();
    let cshift = chunk.trailing_zeros();
    let nch = n.div_ceil(chunk);
    // Which buffer holds the current order: false = keys/vals.
    let mut flipped = false;
    // The next pass' per-chunk histograms, counted during a scatter.
    let mut counted: Option<Vec<Vec<usize>>> = None;
    for shift in (0..32).step_by(BITS as usize) {
        let (src, dst): (&[u32], &mut [u32]) = if flipped {
            (&*scratch, &mut *keys)
        } else {
            (&*keys, &mut *scratch)
        };
        let (vsrc, vdst): (Option<&[u32]>, Option<&mut [u32]>) = match vals.as_mut() {
            Some((v, vs)) if flipped => (Some(&**vs), Some(&mut **v)),
            Some((v, vs)) => (Some(&**v), Some(&mut **vs)),
            None => (None, None),
        };
        let digit = |k: u32| ((k >> shift) as usize) & (BUCKETS - 1);
        let next = shift + BITS;
        let next_digit = |k: u32| ((k >> next) as usize) & (BUCKETS - 1);
        // Per-chunk histograms of this pass' digit: counted by the last
        // scatter, or by a read of the keys.
        let hists: Vec<Vec<usize>> = match counted.take() {
            Some(h) => h,
            None => exec(|| {
                src.par_chunks(chunk)
                    .map(|c| {
                        let mut h = vec![0usize; BUCKETS];
                        for &k in c {
                            h[digit(k)] += 1;
                        }
                        h
                    })
                    .collect()
            }),
        };
        let mut total = vec![0usize; BUCKETS];
        for h in &hists {
            for (t, x) in total.iter_mut().zip(h) {
                *t += x;
            }
        }
        if total.contains(&n) {
            continue; // every key has the same digit: the pass moves nothing
        }
        // Each chunk's first slot per digit: digits in order, chunks in
        // order within a digit (so equal keys keep their order).
        let mut starts = vec![vec![0usize; BUCKETS]; hists.len()];
        let mut at = 0;
        for d in 0..BUCKETS {
            for (c, h) in hists.iter().enumerate() {
                starts[c][d] = at;
                at += h[d];
            }
        }
        let ko = Out(dst.as_mut_ptr(), n);
        let vo = vdst.map(|v| Out(v.as_mut_ptr(), n));
        let count_next = next < 32;
        let local: Vec<Vec<usize>> = exec(|| {
            src.par_chunks(chunk)
                .zip(starts.into_par_iter())
                .enumerate()
                .map(|(c, (ks, mut pos))| {
                    let base = c * chunk;
                    let pos = &mut pos[..BUCKETS];
                    // The next pass' counts, per destination chunk.
                    let mut nh = vec![0usize; if count_next { nch * BUCKETS } else { 0 }];
                    // SAFETY (both loops): chunk c owns slots starts[c][d] ..
                    // starts[c][d] + hists[c][d] for every digit d, and these
                    // ranges partition 0..n; `p` walks chunk c's range for
                    // digit d, so every position is written by exactly one
                    // task, and nothing reads dst/vdst during the pass.
                    match (vo, vsrc) {
                        (Some(vo), Some(vin)) => {
                            for (&k, &v) in ks.iter().zip(&vin[base..base + ks.len()]) {
                                let d = digit(k);
                                let p = pos[d];
                                pos[d] = p + 1;
                                if count_next {
                                    nh[((p >> cshift) << BITS) | next_digit(k)] += 1;
                                }
                                unsafe {
                                    ko.put(p, k);
                                    vo.put(p, v);
                                }
                            }
                        }
                        _ => {
                            for &k in ks {
                                let d = digit(k);
                                let p = pos[d];
                                pos[d] = p + 1;
                                if count_next {
                                    nh[((p >> cshift) << BITS) | next_digit(k)] += 1;
                                }
                                unsafe { ko.put(p, k) };
                            }
                        }
                    }
                    nh
                })
                .collect()
        });
        if count_next {
            let mut h = vec![vec![0usize; BUCKETS]; nch];
            for nh in &local {
                for (c, hc) in h.iter_mut().enumerate() {
                    for (x, y) in hc.iter_mut().zip(&nh[c * BUCKETS..(c + 1) * BUCKETS]) {
                        *x += y;
                    }
                }
            }
            counted = Some(h);
        }
        flipped = !flipped;
    }
    if flipped {
        keys.copy_from_slice(scratch);
        if let Some((v, vs)) = vals {
            v.copy_from_slice(vs);
        }
    }
}

/// Sorts the elements of `src` by their order keys (`key`, monotone; `unkey`
/// its inverse up to equal keys) into `out`, using `keys` and `scratch` of
/// the same length. Keys alone are sorted, so the order among equal keys is
/// moot (the caller refills runs of equal keys whose elements differ).
/// Returns whether `odd` holds for any element.
pub(crate) fn sort_values<R, K, U, O>(
    src: &[R],
    out: &mut [R],
    keys: &mut [u32],
    scratch: &mut [u32],
    key: K,
    unkey: U,
    odd: O,
) -> bool
where
    R: Copy + Send + Sync,
    K: Fn(R) -> u32 + Sync,
    U: Fn(u32) -> R + Sync,
    O: Fn(R) -> bool + Sync,
{
    let n = src.len();
    let mut any_odd = false;
    if n < PAR_MIN {
        for (k, &x) in keys.iter_mut().zip(src) {
            *k = key(x);
            any_odd |= odd(x);
        }
        sort_bucket(keys, scratch, out, &unkey, None);
        return any_odd;
    }
    // A sample picks the first pass' key range: 2^s keys per bucket from
    // `lo` (a multiple of 2^s), keys beyond the ends in the end buckets.
    let (mut lo, mut hi) = (u32::MAX, 0u32);
    for &x in src.iter().step_by((n / 4096).max(1)) {
        let k = key(x);
        lo = lo.min(k);
        hi = hi.max(k);
    }
    let s = (u32::BITS - (hi - lo).leading_zeros()).saturating_sub(BITS);
    let lo = lo & !((1u32 << s) - 1);
    let bucket = |k: u32| ((k.saturating_sub(lo) >> s) as usize).min(MSD_BUCKETS - 1);
    let chunk = n.div_ceil(exec(rayon::current_num_threads).max(1) * 2);
    let counted: Vec<(Vec<usize>, bool)> = exec(|| {
        src.par_chunks(chunk)
            .map(|c| {
                // Four histograms, so a run of one bucket does not wait on
                // one counter.
                let mut h4 = vec![0u32; 4 * MSD_BUCKETS];
                let mut odd_c = false;
                let mut quads = c.chunks_exact(4);
                for q in &mut quads {
                    for (j, &x) in q.iter().enumerate() {
                        h4[j * MSD_BUCKETS + bucket(key(x))] += 1;
                        odd_c |= odd(x);
                    }
                }
                for &x in quads.remainder() {
                    h4[bucket(key(x))] += 1;
                    odd_c |= odd(x);
                }
                let (a, b) = h4.split_at(2 * MSD_BUCKETS);
                let (a0, a1) = a.split_at(MSD_BUCKETS);
                let (b0, b1) = b.split_at(MSD_BUCKETS);
                let h = (0..MSD_BUCKETS)
                    .map(|d| (a0[d] + a1[d] + b0[d] + b1[d]) as usize)
                    .collect();
                (h, odd_c)
            })
            .collect()
    });
    any_odd = counted.iter().any(|c| c.1);
    // Each chunk's first slot per bucket, and each bucket's length.
    let mut starts = vec![vec![0usize; MSD_BUCKETS]; counted.len()];
    let mut lens = vec![0usize; MSD_BUCKETS];
    let mut at = 0;
    for (d, len) in lens.iter_mut().enumerate() {
        let first = at;
        for (c, (h, _)) in counted.iter().enumerate() {
            starts[c][d] = at;
            at += h[d];
        }
        *len = at - first;
    }
    let so = Out(scratch.as_mut_ptr(), n);
    exec(|| {
        src.par_chunks(chunk)
            .zip(starts.into_par_iter())
            .for_each(|(xs, mut pos)| {
                let pos = &mut pos[..MSD_BUCKETS];
                for &x in xs {
                    let k = key(x);
                    let d = bucket(k);
                    let p = pos[d];
                    pos[d] = p + 1;
                    // SAFETY: chunk c owns slots starts[c][d] ..
                    // starts[c][d] + (its count of d) for every bucket d,
                    // and these ranges partition 0..n; `p` walks chunk c's
                    // range for d, so every position is written by exactly
                    // one task, and nothing reads `scratch` during the pass.
                    unsafe { so.put(p, k) };
                }
            })
    });
    // The buckets, longest first, on all threads: each one's keys in
    // `scratch`, `keys` as its scratch, its slots of `out`. A bucket inside
    // the range holds keys that agree above bit s.
    let mut parts = Vec::with_capacity(MSD_BUCKETS);
    let (mut sr, mut kr, mut or) = (scratch, keys, out);
    for (d, &m) in lens.iter().enumerate() {
        if m == 0 {
            continue;
        }
        let (a, sr2) = std::mem::take(&mut sr).split_at_mut(m);
        let (b, kr2) = std::mem::take(&mut kr).split_at_mut(m);
        let (c, or2) = std::mem::take(&mut or).split_at_mut(m);
        (sr, kr, or) = (sr2, kr2, or2);
        let inner = d != 0 && d != MSD_BUCKETS - 1;
        parts.push((a, b, c, inner.then_some(s)));
    }
    parts.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
    exec(|| {
        parts
            .into_par_iter()
            .with_max_len(1)
            .for_each(|(a, b, c, bits)| sort_bucket(a, b, c, &unkey, bits))
    });
    any_odd
}

/// Sorts the keys in `src` (`tmp` its scratch) on this thread and writes
/// their elements to `out`. `bits`, when known: the keys agree above it.
fn sort_bucket<R: Copy, U: Fn(u32) -> R>(
    src: &mut [u32],
    tmp: &mut [u32],
    out: &mut [R],
    unkey: &U,
    bits: Option<u32>,
) {
    let m = src.len();
    if m <= SMALL {
        src.sort_unstable();
        for (o, &k) in out.iter_mut().zip(src.iter()) {
            *o = unkey(k);
        }
        return;
    }
    // How many low bits differ: known for a short bucket of the range
    // (skipping a read), counted for a long one (which then splits on bits
    // that do differ, even when all keys are equal or two values).
    let bits = match bits.filter(|_| m <= CAP) {
        Some(b) => b,
        None => {
            let (and, or) = src
                .iter()
                .fold((u32::MAX, 0u32), |(a, o), &k| (a & k, o | k));
            u32::BITS - (and ^ or).leading_zeros()
        }
    };
    if bits == 0 {
        for (o, &k) in out.iter_mut().zip(src.iter()) {
            *o = unkey(k);
        }
        return;
    }
    if m > CAP && bits > BITS {
        // Split on the top BITS of the differing bits, then each part.
        let s = bits - BITS;
        let digit = |k: u32| ((k >> s) as usize) & (MSD_BUCKETS - 1);
        let mut h = vec![0usize; MSD_BUCKETS];
        for &k in src.iter() {
            h[digit(k)] += 1;
        }
        let mut pos = vec![0usize; MSD_BUCKETS];
        let mut at = 0;
        for (p, &c) in pos.iter_mut().zip(&h) {
            *p = at;
            at += c;
        }
        for &k in src.iter() {
            let d = digit(k);
            tmp[pos[d]] = k;
            pos[d] += 1;
        }
        let (mut tr, mut sr, mut or) = (tmp, src, out);
        for &c in &h {
            if c == 0 {
                continue;
            }
            let (a, tr2) = std::mem::take(&mut tr).split_at_mut(c);
            let (b, sr2) = std::mem::take(&mut sr).split_at_mut(c);
            let (o, or2) = std::mem::take(&mut or).split_at_mut(c);
            (tr, sr, or) = (tr2, sr2, or2);
            sort_bucket(a, b, o, unkey, Some(s));
        }
        return;
    }
    // LSD passes ping-ponging between `src` and `tmp`: digits no wider than
    // the bucket is long (a histogram's prefix sum would cost as much as
    // its pass), at most four passes, all counted in one read.
    let wmax = (usize::BITS - m.leading_zeros())
        .saturating_sub(2)
        .clamp(6, BITS);
    let p = bits.div_ceil(wmax).clamp(1, 4);
    let w = bits.div_ceil(p);
    let mask = (1u32 << w) - 1;
    let mut h = vec![[0u32; BUCKETS]; p as usize];
    match p {
        1 => count::<1>(src, w, mask, &mut h),
        2 => count::<2>(src, w, mask, &mut h),
        3 => count::<3>(src, w, mask, &mut h),
        _ => count::<4>(src, w, mask, &mut h),
    }
    let k0 = src[0];
    // Which buffer holds the current order: false = src.
    let mut flipped = false;
    for (j, pos) in h.iter_mut().enumerate() {
        let sh = j as u32 * w;
        if pos[((k0 >> sh) & mask) as usize] as usize == m {
            continue; // every key has the same digit: the pass moves nothing
        }
        let mut at = 0;
        for c in pos[..=mask as usize].iter_mut() {
            (*c, at) = (at, at + *c);
        }
        let (a, b) = if flipped {
            (&*tmp, &mut *src)
        } else {
            (&*src, &mut *tmp)
        };
        for &k in a.iter() {
            let d = ((k >> sh) & mask) as usize;
            b[pos[d] as usize] = k;
            pos[d] += 1;
        }
        flipped = !flipped;
    }
    // Back to elements in one sequential pass (written by the last scatter
    // instead, the stores to `out`, not in cache, cost 10-20% more).
    let a = if flipped { &*tmp } else { &*src };
    for (o, &k) in out.iter_mut().zip(a.iter()) {
        *o = unkey(k);
    }
}

/// Histograms of the low `P` digits (`w` bits each) of `keys`, in one read.
#[inline(always)]
fn count<const P: usize>(keys: &[u32], w: u32, mask: u32, h: &mut [[u32; BUCKETS]]) {
    let h = &mut h[..P];
    for &k in keys {
        for (j, hj) in h.iter_mut().enumerate() {
            hj[((k >> (j as u32 * w)) & mask) as usize] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the standard library's stable sort, with payloads, at sizes
    /// on both sides of the parallel threshold.
    #[test]
    fn matches_std_stable_sort() {
        for n in [0usize, 1, 5, 255, 256, 1000, PAR_MIN + 17, 300_000] {
            let mut keys: Vec<u32> = (0..n as u64)
                .map(|i| ((i * 2654435761) % 1013) as u32 * if i % 3 == 0 { 1 << 20 } else { 1 })
                .collect();
            let mut vals: Vec<u32> = (0..n as u32).collect();
            let mut want: Vec<(u32, u32)> =
                keys.iter().copied().zip(vals.iter().copied()).collect();
            want.sort_by_key(|p| p.0);
            let (mut ks, mut vs) = (vec![0; n], vec![0; n]);
            sort(&mut keys, &mut ks, Some((&mut vals, &mut vs)));
            let got: Vec<(u32, u32)> = keys.into_iter().zip(vals).collect();
            assert_eq!(got, want, "n = {n}");
        }
    }

    /// `sort_values` against the standard library's sort, at sizes around
    /// its thresholds, on inputs that make empty, single-valued and
    /// oversized buckets.
    #[test]
    fn values_match_std_sort() {
        for n in [
            0usize,
            1,
            SMALL,
            SMALL + 1,
            PAR_MIN - 1,
            PAR_MIN,
            PAR_MIN + 1,
            CAP + 1,
            600_000,
        ] {
            let inputs: Vec<Vec<u32>> = vec![
                (0..n as u32).map(|i| i.wrapping_mul(2654435761)).collect(),
                vec![42; n],
                (0..n as u32)
                    .map(|i| if i % 3 == 0 { 5 } else { u32::MAX - 5 })
                    .collect(),
                (0..n as u32)
                    .map(|i| 0x8000_0000 | (i.wrapping_mul(2654435761) >> 20))
                    .collect(),
                (0..n as u32)
                    .map(|i| ((i.wrapping_mul(2654435761) >> 30) << 30) | (i % 7))
                    .collect(),
            ];
            for x in inputs {
                let mut want = x.clone();
                want.sort_unstable();
                let (mut out, mut k, mut s) = (vec![0; n], vec![0; n], vec![0; n]);
                let odd = sort_values(&x, &mut out, &mut k, &mut s, |v| v, |v| v, |v| v == 5);
                assert_eq!(out, want, "n = {n}");
                assert_eq!(odd, x.contains(&5));
            }
        }
    }
}
