//! The CPU backend's sort: a stable LSD radix sort over 32-bit order keys,
//! 8 bits per pass, passes whose digit is the same for every key skipped,
//! each pass split over ndgpu's threads for long inputs (per-chunk
//! histograms, then each chunk scatters to its own disjoint slots).

use rayon::prelude::*;

use crate::device::cpu::exec;

/// Keys below this sort on one thread.
const PAR_MIN: usize = 1 << 16;

/// A raw pointer to a slice that the tasks of one scatter write at
/// disjoint positions.
#[derive(Clone, Copy)]
struct Out<T>(*mut T, usize);

// SAFETY: `Out` is only used by `scatter`, whose tasks write disjoint
// positions (see there); the pointee outlives every task (scoped by
// rayon's join in `exec`).
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

/// Sorts `keys` (and `vals` alongside, when given) stably by key.
pub(crate) fn sort(keys: &mut Vec<u32>, mut vals: Option<&mut Vec<u32>>) {
    let n = keys.len();
    if n < 2 {
        return;
    }
    if n < 256 {
        // Short runs: the standard library's stable sort.
        match vals {
            Some(v) => {
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
        rayon::current_num_threads().max(1) * 4
    };
    let chunk = n.div_ceil(threads);
    let mut k2 = vec![0u32; n];
    let mut v2 = vals.as_ref().map(|_| vec![0u32; n]);
    for shift in [0u32, 8, 16, 24] {
        // Per-chunk histograms of this pass' digit.
        let hists: Vec<[usize; 256]> = exec(|| {
            keys.par_chunks(chunk)
                .map(|c| {
                    let mut h = [0usize; 256];
                    for &k in c {
                        h[((k >> shift) & 255) as usize] += 1;
                    }
                    h
                })
                .collect()
        });
        let mut total = [0usize; 256];
        for h in &hists {
            for d in 0..256 {
                total[d] += h[d];
            }
        }
        if total.contains(&n) {
            continue; // every key has the same digit: the pass moves nothing
        }
        // Each chunk's first slot per digit: digits in order, chunks in
        // order within a digit (so equal keys keep their order).
        let mut starts = vec![[0usize; 256]; hists.len()];
        let mut at = 0;
        for d in 0..256 {
            for (c, h) in hists.iter().enumerate() {
                starts[c][d] = at;
                at += h[d];
            }
        }
        let ko = Out(k2.as_mut_ptr(), n);
        let vo = v2.as_mut().map(|v| Out(v.as_mut_ptr(), n));
        let vin: Option<&[u32]> = vals.as_deref().map(|v| v.as_slice());
        exec(|| {
            keys.par_chunks(chunk)
                .zip(starts.into_par_iter())
                .enumerate()
                .for_each(|(c, (ks, mut pos))| {
                    let base = c * chunk;
                    for (i, &k) in ks.iter().enumerate() {
                        let d = ((k >> shift) & 255) as usize;
                        let p = pos[d];
                        pos[d] += 1;
                        // SAFETY: chunk c owns slots starts[c][d] ..
                        // starts[c][d] + hists[c][d] for every digit d, and
                        // these ranges partition 0..n; `p` walks chunk c's
                        // range for digit d, so every position is written by
                        // exactly one task, and nothing reads k2/v2 during
                        // the pass.
                        unsafe {
                            ko.put(p, k);
                            if let (Some(vo), Some(vin)) = (vo, vin) {
                                vo.put(p, vin[base + i]);
                            }
                        }
                    }
                })
        });
        std::mem::swap(keys, &mut k2);
        if let (Some(v), Some(v2)) = (vals.as_deref_mut(), v2.as_mut()) {
            std::mem::swap(v, v2);
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
            sort(&mut keys, Some(&mut vals));
            let got: Vec<(u32, u32)> = keys.into_iter().zip(vals).collect();
            assert_eq!(got, want, "n = {n}");
        }
    }
}
