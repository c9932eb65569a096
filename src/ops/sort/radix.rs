//! The CPU backend's sort: a stable LSD radix sort over 32-bit order keys,
//! 11 bits per pass (3 passes), passes whose digit is the same for every
//! key skipped, each pass split over ndgpu's threads for long inputs
//! (per-chunk histograms, then each chunk scatters to its own disjoint
//! slots).

use rayon::prelude::*;

use crate::device::cpu::exec;

/// Keys below this sort on one thread.
const PAR_MIN: usize = 1 << 16;
/// Bits per pass.
const BITS: u32 = 11;
const BUCKETS: usize = 1 << BITS;

/// A raw pointer to a slice that the tasks of one scatter write at
/// disjoint positions.
#[derive(Clone, Copy)]
struct Out<T>(*mut T, usize);

// SAFETY: `Out` is only used by `sort`'s scatter, whose tasks write
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
}
