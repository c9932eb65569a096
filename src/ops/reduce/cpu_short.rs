//! The CPU backend's kernels for reductions whose innermost axis is short
//! (at most [`SHORT_MAX`] elements): `(n, 8).min(1)`, `(n, 8, 2).sum(2)`,
//! `(n, 8, 2).var(1)`, `(n, 8).argmin(0)`. The general walks of
//! [`cpu_reduce`](super::cpu_reduce) pay a setup per output (an index walker,
//! a call through the run dispatcher) that costs more than the eight or two
//! elements each output reads; these kernels take two canonical forms and
//! keep the innermost loop a fixed length, so the compiler unrolls it:
//!
//! * **rows**: `[A kept, R reduced]`, each output a contiguous row of
//!   `R <= 16` elements, any stride between rows (broadcast included);
//! * **slabs**: `[A kept]?, [R reduced], [K kept]`, each group of `K <= 16`
//!   outputs the columns of an `(R, K)` slab whose rows are contiguous. The
//!   slab is walked 16 lanes at a time (`16 / K` rows per step), so a slab
//!   of 2 columns still fills a vector register; sums split the rows
//!   pairwise, as [`pairwise`](super::cpu_reduce::pairwise) does.
//!
//! `mean` and `var` run here in one call: `var` takes each row's (or slab's)
//! mean and then its squared deviations while the row is in cache, rather
//! than a mean pass, an output-sized temporary and a second pass.

use rayon::prelude::*;

use super::cpu_reduce::{better, canon, fmax, fmin, nan_lane, vmax, vmin, Ax, PAR_CHUNK, PAR_MIN};
use crate::element::{DType, Number};
use crate::layout::Layout;

/// The longest innermost axis these kernels take.
pub(crate) const SHORT_MAX: usize = 16;
/// Lanes of a slab walk: 16 accumulators (two AVX registers of f32).
const LANES: usize = 16;
/// Slab rows per lane before a sum splits pairwise.
const BASE: usize = 16;

// What a kernel computes per output (a const parameter, so each kernel's
// per-element `match` folds away).
pub(crate) const SUM: u8 = 0;
pub(crate) const PROD: u8 = 1;
pub(crate) const MAX: u8 = 2;
pub(crate) const MIN: u8 = 3;
pub(crate) const MEAN: u8 = 4;
pub(crate) const VAR: u8 = 5;
/// Squared deviations from a per-column mean (`var`'s second slab pass).
const SQDEV: u8 = 6;
/// [`MAX`] and [`MIN`] by the NaN-propagating select on every element: the
/// long-slab kernel's fallback when its plain compare met a NaN or infinity.
const EMAX: u8 = 7;
const EMIN: u8 = 8;

/// Calls `$go!(KIND)` with `kind` as a constant.
macro_rules! dispatch_kind {
    ($kind:expr, $go:ident) => {
        match $kind {
            SUM => $go!(SUM),
            PROD => $go!(PROD),
            MAX => $go!(MAX),
            MIN => $go!(MIN),
            MEAN => $go!(MEAN),
            _ => $go!(VAR),
        }
    };
}

#[inline(always)]
fn comb<T: Number, const OP: u8>(a: T, b: T) -> T {
    match OP {
        PROD => a.mul_(b),
        MAX | EMAX => vmax(a, b),
        MIN | EMIN => vmin(a, b),
        _ => a.add_(b),
    }
}

/// Is any of the lanes NaN?
#[inline(always)]
#[allow(clippy::eq_op)]
fn any_nan<T: Number>(z: &[T]) -> bool {
    z.iter().fold(false, |a, &v| a | (v != v))
}

/// One output of the rows form: `n` is the row length as `T` (for the
/// mean), `div` var's divisor. Folds in order: with the row's length a
/// constant, every loop unrolls and the loop over outputs vectorises
/// (each lane an output, the row's elements strided loads).
#[inline(always)]
fn row_value<T: Number, const KIND: u8>(c: &[T], n: T, div: T) -> T {
    let fold = |f: fn(T, T) -> T| c[1..].iter().fold(c[0], |a, &b| f(a, b));
    match KIND {
        SUM => fold(|a, b| a.add_(b)),
        MEAN => fold(|a, b| a.add_(b)).div_(n),
        PROD => fold(|a, b| a.mul_(b)),
        MAX => fold(vmax),
        MIN => fold(vmin),
        _ => {
            let m = fold(|a, b| a.add_(b)).div_(n);
            let sq = |v: T| {
                let e = v.sub_(m);
                e.mul_(e)
            };
            c[1..]
                .iter()
                .fold(sq(c[0]), |a, &v| a.add_(sq(v)))
                .div_(div)
        }
    }
}

/// [`row_value`] over a row of `R` elements (a constant) or, for `R = 0`, of any length.
#[inline(always)]
fn row_r<T: Number, const KIND: u8, const R: usize>(c: &[T], n: T, div: T) -> T {
    if R > 0 {
        let a: &[T; R] = c.try_into().expect("rows of R elements");
        row_value::<T, KIND>(a, n, div)
    } else {
        row_value::<T, KIND>(c, n, div)
    }
}

/// The rows form over `vals` (in walk order): output `i` reduces
/// `x[i0 + i*sa ..][..len]`. `R` is `len` when it is one of the common
/// lengths (then every row loop has a constant trip count), else 0.
fn rows<T: Number, const KIND: u8, const R: usize>(
    x: &[T],
    i0: usize,
    sa: isize,
    len: usize,
    n: T,
    div: T,
    vals: &mut [T],
) {
    let len = if R > 0 { R } else { len };
    let task = |start: usize, chunk: &mut [T]| {
        if sa == len as isize {
            let b = i0 + start * len;
            let src = &x[b..b + chunk.len() * len];
            for (v, c) in chunk.iter_mut().zip(src.chunks_exact(len)) {
                *v = row_r::<T, KIND, R>(c, n, div);
            }
        } else {
            for (j, v) in chunk.iter_mut().enumerate() {
                let b = (i0 as isize + (start + j) as isize * sa) as usize;
                *v = row_r::<T, KIND, R>(&x[b..b + len], n, div);
            }
        }
    };
    if vals.len() * len < PAR_MIN {
        task(0, vals);
    } else {
        let per = (PAR_CHUNK / len).max(1);
        vals.par_chunks_mut(per)
            .enumerate()
            .for_each(|(c, ch)| task(c * per, ch));
    }
}

/// Reduces rows `lo..hi` of the `(R, K)` slab at `b` (row stride `sr`)
/// column by column with `OP` (for [`SQDEV`], deviations from `mean`):
/// 16 lanes, `16 / k` rows per step. Sums halve the rows until each lane
/// adds at most [`BASE`] elements. The first `k` entries are the result.
/// `K` is `k` when it is a power of two, else 0.
#[inline]
fn slab<T: Number, const OP: u8, const K: usize>(
    x: &[T],
    b: isize,
    sr: isize,
    k: usize,
    lo: usize,
    hi: usize,
    mean: &[T; SHORT_MAX],
) -> [T; SHORT_MAX] {
    let k = if K > 0 { K } else { k };
    let u = LANES / k;
    let w = u * k;
    if matches!(OP, SUM | SQDEV) && hi - lo > BASE * u {
        let mid = lo + (hi - lo) / 2;
        let mut a = slab::<T, OP, K>(x, b, sr, k, lo, mid, mean);
        let z = slab::<T, OP, K>(x, b, sr, k, mid, hi, mean);
        for (p, q) in a.iter_mut().zip(z).take(k) {
            *p = p.add_(q);
        }
        return a;
    }
    let at = |r: usize| (b + r as isize * sr) as usize;
    // Max and min start from the first row (repeating an element changes
    // neither); sums from 0, products from 1.
    let init = |j: usize| match OP {
        MAX | MIN | EMAX | EMIN => x[at(lo) + j],
        PROD => T::one(),
        _ => T::zero(),
    };
    let mut acc = [T::zero(); LANES];
    let mut mm = [T::zero(); LANES];
    for l in 0..w {
        acc[l] = init(l % k);
        mm[l] = mean[l % k];
    }
    let pre = |v: T, m: T| {
        if OP == SQDEV {
            let d = v.sub_(m);
            d.mul_(d)
        } else {
            v
        }
    };
    // Max and min fold with a plain compare and `v - v` lanes; if those
    // end NaN, the rows are folded again with the NaN-propagating select
    // ((20000, 8, 2).min(0): 0.032 -> 0.016 ms).
    // (Not f16, whose every add is two conversions.)
    let fast = matches!(OP, MAX | MIN) && T::DTYPE != DType::F16;
    let mut z = [T::zero(); LANES];
    let mut step = |l: usize, v: T| {
        if fast {
            z[l] = nan_lane(z[l], v);
            acc[l] = if OP == MAX {
                fmax(acc[l], v)
            } else {
                fmin(acc[l], v)
            };
        } else {
            acc[l] = comb::<T, OP>(acc[l], pre(v, mm[l]));
        }
    };
    let mut r = lo;
    if sr == k as isize {
        // Contiguous rows: the slab is one run, 16 lanes per step.
        let run = &x[at(lo)..at(lo) + (hi - lo) * k];
        let mut steps = run.chunks_exact(w);
        for c in &mut steps {
            for (l, &v) in c.iter().enumerate() {
                step(l, v);
            }
        }
        r = hi - steps.remainder().len() / k;
    } else {
        while r + u <= hi {
            for q in 0..u {
                let rb = at(r + q);
                for j in 0..k {
                    step(q * k + j, x[rb + j]);
                }
            }
            r += u;
        }
    }
    for rr in r..hi {
        let rb = at(rr);
        for j in 0..k {
            step(j, x[rb + j]);
        }
    }
    if fast && any_nan(&z) {
        return match OP {
            MAX => slab::<T, EMAX, K>(x, b, sr, k, lo, hi, mean),
            _ => slab::<T, EMIN, K>(x, b, sr, k, lo, hi, mean),
        };
    }
    for q in 1..u {
        for j in 0..k {
            acc[j] = comb::<T, OP>(acc[j], acc[q * k + j]);
        }
    }
    acc
}

/// Folds `g` neighbouring short slabs (slab `q` at `b + q*sa`, `r` rows of
/// stride `sr`) column by column with `f` into lanes `q*k + j`, each element
/// first replaced by its squared deviation from its lane's `mean` when
/// there is one: `g*k` independent accumulators, so the row loop is not one
/// dependency chain per column.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn fold_group<T: Number, const K: usize, const G: usize>(
    x: &[T],
    (b, sa, sr): (isize, isize, isize),
    k: usize,
    g: usize,
    r: usize,
    f: fn(T, T) -> T,
    mean: Option<&[T; LANES]>,
    acc: &mut [T; LANES],
) {
    let k = if K > 0 { K } else { k };
    let g = if G > 0 { G } else { g };
    let pre = |v: T, l: usize| match mean {
        Some(m) => {
            let e = v.sub_(m[l]);
            e.mul_(e)
        }
        None => v,
    };
    for q in 0..g {
        let sb = (b + q as isize * sa) as usize;
        let row = &x[sb..sb + k];
        for (j, &v) in row.iter().enumerate() {
            acc[q * k + j] = pre(v, q * k + j);
        }
    }
    for rr in 1..r {
        for q in 0..g {
            let rb = (b + q as isize * sa + rr as isize * sr) as usize;
            let row = &x[rb..rb + k];
            for (j, &v) in row.iter().enumerate() {
                let l = q * k + j;
                acc[l] = f(acc[l], pre(v, l));
            }
        }
    }
}

/// [`fold_group`] for `G = 16 / K` neighbouring slabs that lie back to
/// back (`R` rows of `K`, one contiguous block of `G * R * K` elements):
/// every index a constant offset into one bounds-checked block, so the
/// compiler loads the block once per row as vectors and shuffles, with no
/// per-element address arithmetic or bounds check. `(20000, 8, 2).var(1)`
/// through the general group walk took 2.3x its `copy()`.
#[inline(always)]
fn fold_dense<T: Number, const K: usize, const G: usize, const R: usize>(
    x: &[T],
    b: usize,
    f: fn(T, T) -> T,
    mean: Option<&[T; LANES]>,
    acc: &mut [T; LANES],
) {
    let blk = &x[b..b + G * R * K];
    let pre = |v: T, l: usize| match mean {
        Some(m) => {
            let e = v.sub_(m[l]);
            e.mul_(e)
        }
        None => v,
    };
    for q in 0..G {
        for j in 0..K {
            acc[q * K + j] = pre(blk[q * R * K + j], q * K + j);
        }
    }
    for rr in 1..R {
        for q in 0..G {
            for j in 0..K {
                let l = q * K + j;
                acc[l] = f(acc[l], pre(blk[q * R * K + rr * K + j], l));
            }
        }
    }
}

/// `out.len() / k` neighbouring short slabs (at most `16 / k`) from `b`.
#[allow(clippy::too_many_arguments)]
fn short_group<T: Number, const KIND: u8, const K: usize>(
    x: &[T],
    geom: (isize, isize, isize),
    k: usize,
    r: usize,
    n: T,
    div: T,
    out: &mut [T],
) {
    let g = out.len() / k;
    let w = out.len();
    let fold = |f: fn(T, T) -> T, mean: Option<&[T; LANES]>, acc: &mut [T; LANES]| {
        let (b, sa, sr) = geom;
        if K > 0 && g == LANES / K && sr == K as isize && sa == (r * K) as isize {
            // A whole group of back-to-back slabs of a common height.
            let b = b as usize;
            macro_rules! dense {
                ($k:literal, $g:literal) => {
                    match r {
                        2 => return fold_dense::<T, $k, $g, 2>(x, b, f, mean, acc),
                        4 => return fold_dense::<T, $k, $g, 4>(x, b, f, mean, acc),
                        8 => return fold_dense::<T, $k, $g, 8>(x, b, f, mean, acc),
                        16 => return fold_dense::<T, $k, $g, 16>(x, b, f, mean, acc),
                        _ => {}
                    }
                };
            }
            match K {
                1 => dense!(1, 16),
                2 => dense!(2, 8),
                4 => dense!(4, 4),
                8 => dense!(8, 2),
                _ => dense!(16, 1),
            }
        }
        if K > 0 && g == LANES / K {
            // A whole group: every loop a constant length.
            match K {
                2 => fold_group::<T, 2, 8>(x, geom, k, g, r, f, mean, acc),
                4 => fold_group::<T, 4, 4>(x, geom, k, g, r, f, mean, acc),
                8 => fold_group::<T, 8, 2>(x, geom, k, g, r, f, mean, acc),
                _ => fold_group::<T, 16, 1>(x, geom, k, g, r, f, mean, acc),
            }
        } else {
            fold_group::<T, 0, 0>(x, geom, k, g, r, f, mean, acc)
        }
    };
    let mut acc = [T::zero(); LANES];
    match KIND {
        PROD => fold(|a, b| a.mul_(b), None, &mut acc),
        MAX => fold(vmax, None, &mut acc),
        MIN => fold(vmin, None, &mut acc),
        _ => fold(|a, b| a.add_(b), None, &mut acc),
    }
    if matches!(KIND, MEAN | VAR) {
        for a in acc.iter_mut().take(w) {
            *a = a.div_(n);
        }
    }
    if KIND == VAR {
        let mean = acc;
        fold(|a, b| a.add_(b), Some(&mean), &mut acc);
        for a in acc.iter_mut().take(w) {
            *a = a.div_(div);
        }
    }
    out.copy_from_slice(&acc[..w]);
}

/// One slab (`r` rows of `k` outputs at `b`) into `out` (`k` values),
/// rows split across threads when `split`.
#[allow(clippy::too_many_arguments)]
fn slab_value<T: Number, const KIND: u8, const K: usize>(
    x: &[T],
    b: isize,
    sr: isize,
    k: usize,
    r: usize,
    n: T,
    div: T,
    split: bool,
    out: &mut [T],
) {
    // Rows lo..hi of `OP`, in parallel parts combined in order when `split`.
    let part = |mean: &[T; SHORT_MAX], op: u8| -> [T; SHORT_MAX] {
        let one = |lo: usize, hi: usize| match op {
            SUM => slab::<T, SUM, K>(x, b, sr, k, lo, hi, mean),
            PROD => slab::<T, PROD, K>(x, b, sr, k, lo, hi, mean),
            MAX => slab::<T, MAX, K>(x, b, sr, k, lo, hi, mean),
            MIN => slab::<T, MIN, K>(x, b, sr, k, lo, hi, mean),
            _ => slab::<T, SQDEV, K>(x, b, sr, k, lo, hi, mean),
        };
        if !split {
            return one(0, r);
        }
        let tasks = 4 * rayon::current_num_threads().max(1);
        let per = r.div_ceil(tasks);
        let parts: Vec<[T; SHORT_MAX]> = (0..r.div_ceil(per))
            .into_par_iter()
            .map(|t| one(t * per, ((t + 1) * per).min(r)))
            .collect();
        let mut acc = parts[0];
        for p in &parts[1..] {
            for (a, &q) in acc.iter_mut().zip(p).take(k) {
                *a = match op {
                    PROD => a.mul_(q),
                    MAX => vmax(*a, q),
                    MIN => vmin(*a, q),
                    _ => a.add_(q),
                };
            }
        }
        acc
    };
    let zero = [T::zero(); SHORT_MAX];
    match KIND {
        MEAN | VAR => {
            let mut mean = part(&zero, SUM);
            for m in mean.iter_mut().take(k) {
                *m = m.div_(n);
            }
            if KIND == MEAN {
                out.copy_from_slice(&mean[..k]);
            } else {
                let q = part(&mean, SQDEV);
                for (o, &v) in out.iter_mut().zip(&q) {
                    *o = v.div_(div);
                }
            }
        }
        op => out.copy_from_slice(&part(&zero, op)[..k]),
    }
}

/// The slab form over `vals` (in walk order, `k` per slab): slab `a` starts
/// at `i0 + a*sa`.
#[allow(clippy::too_many_arguments)]
fn slabs<T: Number, const KIND: u8, const K: usize>(
    x: &[T],
    i0: isize,
    sa: isize,
    sr: isize,
    r: usize,
    k: usize,
    n: T,
    div: T,
    vals: &mut [T],
) {
    let a_n = vals.len() / k;
    let threads = rayon::current_num_threads().max(1);
    let total = vals.len() * r;
    let one = |a: usize, o: &mut [T], split: bool| {
        slab_value::<T, KIND, K>(x, i0 + a as isize * sa, sr, k, r, n, div, split, o)
    };
    // Short slabs go `16 / k` at a time.
    let group = if r <= BASE { LANES / k } else { 1 };
    let task = |a0: usize, ch: &mut [T]| {
        for (q, o) in ch.chunks_mut(group * k).enumerate() {
            let a = a0 + q * group;
            if r <= BASE {
                short_group::<T, KIND, K>(x, (i0 + a as isize * sa, sa, sr), k, r, n, div, o);
            } else {
                one(a, o, false);
            }
        }
    };
    if total < PAR_MIN {
        task(0, vals);
    } else if a_n >= 4 * threads {
        let per = (PAR_CHUNK / (r * k)).max(1).next_multiple_of(group);
        vals.par_chunks_mut(per * k)
            .enumerate()
            .for_each(|(c, ch)| task(c * per, ch));
    } else {
        // A few long slabs: split each slab's rows.
        for (a, o) in vals.chunks_mut(k).enumerate() {
            one(a, o, true);
        }
    }
}

/// Runs a value reduction (`KIND`: [`SUM`] .. [`VAR`]) through one of the
/// short forms, if the canonical view of `l` is one; `false` leaves it to the
/// general walks. `div` is var's divisor.
pub(crate) fn values<T: Number>(
    kind: u8,
    x: &[T],
    l: &Layout,
    is_red: &[bool],
    div: T,
    out: &mut [T],
) -> bool {
    let (i0, o0, axes) = canon(l, is_red);
    let n = T::from_f64(
        axes.iter()
            .filter(|a| a.o == 0)
            .map(|a| a.n)
            .product::<usize>() as f64,
    );
    let one = Ax { n: 1, s: 0, o: 1 };
    let m = out.len();
    match *axes.as_slice() {
        // Rows: [A kept, R reduced contiguous].
        [a, r] if a.o != 0 && r.o == 0 && r.s == 1 && r.n <= SHORT_MAX => {
            let in_order = o0 == 0 && a.o == 1;
            let mut tmp = if in_order {
                Vec::new()
            } else {
                vec![T::zero(); m]
            };
            let vals: &mut [T] = if in_order { &mut out[..m] } else { &mut tmp };
            macro_rules! go {
                ($kind:expr) => {
                    match r.n {
                        2 => rows::<T, $kind, 2>(x, i0 as usize, a.s, 2, n, div, vals),
                        3 => rows::<T, $kind, 3>(x, i0 as usize, a.s, 3, n, div, vals),
                        4 => rows::<T, $kind, 4>(x, i0 as usize, a.s, 4, n, div, vals),
                        8 => rows::<T, $kind, 8>(x, i0 as usize, a.s, 8, n, div, vals),
                        16 => rows::<T, $kind, 16>(x, i0 as usize, a.s, 16, n, div, vals),
                        len => rows::<T, $kind, 0>(x, i0 as usize, a.s, len, n, div, vals),
                    }
                };
            }
            dispatch_kind!(kind, go);
            if !in_order {
                for (i, &v) in tmp.iter().enumerate() {
                    out[(o0 + i as isize * a.o) as usize] = v;
                }
            }
            true
        }
        // Slabs: [A kept]?, [R reduced], [K kept contiguous].
        [a, r, c] if a.o != 0 && r.o == 0 && c.o != 0 && c.s == 1 && c.n <= SHORT_MAX => {
            slab_forms(kind, x, i0, o0, a, r, c, n, div, out)
        }
        [r, c] if r.o == 0 && c.o != 0 && c.s == 1 && c.n <= SHORT_MAX => {
            slab_forms(kind, x, i0, o0, one, r, c, n, div, out)
        }
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn slab_forms<T: Number>(
    kind: u8,
    x: &[T],
    i0: isize,
    o0: isize,
    a: Ax,
    r: Ax,
    c: Ax,
    n: T,
    div: T,
    out: &mut [T],
) -> bool {
    let m = out.len();
    let k = c.n;
    let in_order = o0 == 0 && c.o == 1 && (a.n == 1 || a.o == k as isize);
    let mut tmp = if in_order {
        Vec::new()
    } else {
        vec![T::zero(); m]
    };
    let vals: &mut [T] = if in_order { &mut out[..m] } else { &mut tmp };
    macro_rules! go {
        ($kind:expr) => {
            match k {
                2 => slabs::<T, $kind, 2>(x, i0, a.s, r.s, r.n, k, n, div, vals),
                4 => slabs::<T, $kind, 4>(x, i0, a.s, r.s, r.n, k, n, div, vals),
                8 => slabs::<T, $kind, 8>(x, i0, a.s, r.s, r.n, k, n, div, vals),
                16 => slabs::<T, $kind, 16>(x, i0, a.s, r.s, r.n, k, n, div, vals),
                _ => slabs::<T, $kind, 0>(x, i0, a.s, r.s, r.n, k, n, div, vals),
            }
        };
    }
    dispatch_kind!(kind, go);
    if !in_order {
        for (i, &v) in tmp.iter().enumerate() {
            let (ai, j) = (i / k, i % k);
            out[(o0 + ai as isize * a.o + j as isize * c.o) as usize] = v;
        }
    }
    true
}

// ------------------------------------------------------------ arg reductions

/// The first index of the extreme of a short row (a NaN wins).
#[inline(always)]
fn arg_row<T: Number, const MX: bool>(c: &[T]) -> u32 {
    let (mut best, mut bi) = (c[0], 0u32);
    for (i, &v) in c.iter().enumerate().skip(1) {
        let t = better::<T, MX>(best, v);
        best = if t { v } else { best };
        bi = if t { i as u32 } else { bi };
    }
    bi
}

fn arg_rows<T: Number, const MX: bool, const R: usize>(
    x: &[T],
    i0: isize,
    sa: isize,
    len: usize,
    out: &mut [u32],
) {
    let len = if R > 0 { R } else { len };
    let task = |start: usize, chunk: &mut [u32]| {
        if sa == len as isize {
            let b = i0 as usize + start * len;
            // Back-to-back rows of a constant length: 16 rows at a time,
            // one lane per row ((n, 8).argmin(1) as one select chain per
            // row took 2.9x its copy()).
            let mut groups = chunk.chunks_exact_mut(LANES);
            let mut b = b;
            if R > 0 {
                for o in &mut groups {
                    arg_dense::<T, MX, 1, LANES, R>(x, b, o);
                    b += LANES * len;
                }
            }
            let chunk = if R > 0 {
                groups.into_remainder()
            } else {
                chunk
            };
            let src = &x[b..b + chunk.len() * len];
            for (o, c) in chunk.iter_mut().zip(src.chunks_exact(len)) {
                *o = arg_row::<T, MX>(if R > 0 {
                    <&[T; R]>::try_from(c).expect("rows of R").as_slice()
                } else {
                    c
                });
            }
        } else {
            for (j, o) in chunk.iter_mut().enumerate() {
                let b = (i0 + (start + j) as isize * sa) as usize;
                *o = arg_row::<T, MX>(&x[b..b + len]);
            }
        }
    };
    if out.len() * len < PAR_MIN {
        task(0, out);
    } else {
        let per = (PAR_CHUNK / len).max(1);
        out.par_chunks_mut(per)
            .enumerate()
            .for_each(|(c, ch)| task(c * per, ch));
    }
}

/// Best values and first indices of the `k` columns over rows `lo..hi` of
/// the slab at `b` (row stride `sr`, any sign: rows go in index order).
#[inline]
fn arg_slab<T: Number, const MX: bool, const K: usize>(
    x: &[T],
    b: isize,
    sr: isize,
    k: usize,
    lo: usize,
    hi: usize,
) -> ([T; SHORT_MAX], [u32; SHORT_MAX]) {
    let exact = || arg_slab_as::<T, MX, K, false>(x, b, sr, k, lo, hi).expect("exact");
    if T::DTYPE == DType::F16 {
        // Each `v - v` would be two conversions: the select is cheaper.
        return exact();
    }
    arg_slab_as::<T, MX, K, true>(x, b, sr, k, lo, hi).unwrap_or_else(exact)
}

/// [`arg_slab`] by a plain compare (`FAST`: one `minps` and one compare a
/// vector, with `v - v` lanes; `None` when those met a NaN or infinity) or
/// by the NaN-propagating select (never `None`). `(20000, 8).argmin(0)`:
/// 0.032-0.036 ms with the select on SSE2, copy 0.017.
#[inline(always)]
fn arg_slab_as<T: Number, const MX: bool, const K: usize, const FAST: bool>(
    x: &[T],
    b: isize,
    sr: isize,
    k: usize,
    lo: usize,
    hi: usize,
) -> Option<([T; SHORT_MAX], [u32; SHORT_MAX])> {
    let k = if K > 0 { K } else { k };
    let at = |r: usize| (b + r as isize * sr) as usize;
    let mut best = [T::zero(); SHORT_MAX];
    best[..k].copy_from_slice(&x[at(lo)..at(lo) + k]);
    let mut idx = [lo as u32; SHORT_MAX];
    let mut z = [T::zero(); SHORT_MAX];
    for r in lo + 1..hi {
        let row = &x[at(r)..at(r) + k];
        let rr = r as u32;
        for j in 0..k {
            let v = row[j];
            // Blends, not a select on both arrays (which compiled to
            // branches, mispredicted on irregular data).
            let t = if FAST {
                z[j] = nan_lane(z[j], v);
                if MX {
                    v > best[j]
                } else {
                    v < best[j]
                }
            } else {
                better::<T, MX>(best[j], v)
            };
            idx[j] ^= (idx[j] ^ rr) & (t as u32).wrapping_neg();
            best[j] = match (FAST, MX) {
                (true, true) => fmax(best[j], v),
                (true, false) => fmin(best[j], v),
                (false, true) => vmax(best[j], v),
                (false, false) => vmin(best[j], v),
            };
        }
    }
    // (A NaN in the first row stays best with its index under the plain
    // compare too; only later ones need the exact pass.)
    if FAST && any_nan(&z[..k]) {
        return None;
    }
    Some((best, idx))
}

/// First rows of the extremes of `G = 16 / K` back-to-back slabs of `R`
/// rows (one contiguous block from `b`), one lane per output: `G * K`
/// independent compare-select chains instead of `K` (rows go in order,
/// a later row replaces only when strictly better, so ties keep the first).
#[inline(always)]
fn arg_dense<T: Number, const MX: bool, const K: usize, const G: usize, const R: usize>(
    x: &[T],
    b: usize,
    out: &mut [u32],
) {
    let blk = &x[b..b + G * R * K];
    let mut best = [T::zero(); LANES];
    let mut idx = [0u32; LANES];
    for q in 0..G {
        for j in 0..K {
            best[q * K + j] = blk[q * R * K + j];
        }
    }
    for rr in 1..R {
        for q in 0..G {
            for j in 0..K {
                let l = q * K + j;
                let v = blk[q * R * K + rr * K + j];
                let t = better::<T, MX>(best[l], v);
                idx[l] ^= (idx[l] ^ rr as u32) & (t as u32).wrapping_neg();
                best[l] = if MX {
                    vmax(best[l], v)
                } else {
                    vmin(best[l], v)
                };
            }
        }
    }
    out[..G * K].copy_from_slice(&idx[..G * K]);
}

/// [`arg_dense`] for `r` of 2, 4, 8 or 16 and `K` a power of two (`K = 0`
/// is not); `false` when it does not apply.
fn arg_dense_r<T: Number, const MX: bool, const K: usize>(
    x: &[T],
    b: usize,
    r: usize,
    out: &mut [u32],
) -> bool {
    macro_rules! go {
        ($k:literal, $g:literal) => {
            match r {
                2 => arg_dense::<T, MX, $k, $g, 2>(x, b, out),
                4 => arg_dense::<T, MX, $k, $g, 4>(x, b, out),
                8 => arg_dense::<T, MX, $k, $g, 8>(x, b, out),
                16 => arg_dense::<T, MX, $k, $g, 16>(x, b, out),
                _ => return false,
            }
        };
    }
    match K {
        2 => go!(2, 8),
        4 => go!(4, 4),
        8 => go!(8, 2),
        16 => go!(16, 1),
        _ => return false,
    }
    true
}

#[allow(clippy::too_many_arguments)]
fn arg_slabs<T: Number, const MX: bool, const K: usize>(
    x: &[T],
    i0: isize,
    sa: isize,
    sr: isize,
    r: usize,
    k: usize,
    out: &mut [u32],
) {
    let a_n = out.len() / k;
    let threads = rayon::current_num_threads().max(1);
    let one = |a: usize, o: &mut [u32], split: bool| {
        let b = i0 + a as isize * sa;
        if !split {
            o.copy_from_slice(&arg_slab::<T, MX, K>(x, b, sr, k, 0, r).1[..k]);
            return;
        }
        let per = r.div_ceil(4 * threads);
        let parts: Vec<_> = (0..r.div_ceil(per))
            .into_par_iter()
            .map(|t| arg_slab::<T, MX, K>(x, b, sr, k, t * per, ((t + 1) * per).min(r)))
            .collect();
        let (mut best, mut idx) = parts[0];
        // Later parts replace only when strictly better: ties keep the first.
        for (pb, pi) in &parts[1..] {
            for j in 0..k {
                if better::<T, MX>(best[j], pb[j]) {
                    best[j] = pb[j];
                    idx[j] = pi[j];
                }
            }
        }
        o.copy_from_slice(&idx[..k]);
    };
    if out.len() * r < PAR_MIN {
        for (a, o) in out.chunks_mut(k).enumerate() {
            one(a, o, false);
        }
    } else if a_n >= 4 * threads {
        // Back-to-back short slabs go `16 / K` at a time.
        let dense = K > 0 && r <= BASE && sr == K as isize && sa == (r * K) as isize;
        let g = if dense { LANES / k } else { 1 };
        let per = (PAR_CHUNK / (r * k)).max(1).next_multiple_of(g);
        out.par_chunks_mut(per * k).enumerate().for_each(|(c, ch)| {
            let mut a = c * per;
            for o in ch.chunks_mut(g * k) {
                let b = (i0 + a as isize * sa) as usize;
                if !(o.len() == g * k && g > 1 && arg_dense_r::<T, MX, K>(x, b, r, o)) {
                    for (j, o) in o.chunks_mut(k).enumerate() {
                        one(a + j, o, false);
                    }
                }
                a += o.len() / k;
            }
        });
    } else {
        for (a, o) in out.chunks_mut(k).enumerate() {
            one(a, o, true);
        }
    }
}

/// `argmax`/`argmin` along `axis` through a short form, if the view is one:
/// rows (the axis contiguous and short, the other axes one walk) or slabs
/// (the other axes end in a contiguous run of at most 16). `false` leaves it
/// to the general walks.
pub(crate) fn arg<T: Number, const MX: bool>(
    x: &[T],
    l: &Layout,
    axis: usize,
    out: &mut [u32],
) -> bool {
    let (n, s) = (l.shape[axis], l.strides[axis]);
    // The other axes in C order (the output order), merged where they walk
    // memory as one.
    let mut others: Vec<(usize, isize)> = Vec::new();
    for d in (0..l.ndim()).filter(|&d| d != axis && l.shape[d] != 1) {
        let (dn, ds) = (l.shape[d], l.strides[d]);
        match others.last_mut() {
            Some(p) if p.1 == ds * dn as isize => *p = (p.0 * dn, ds),
            _ => others.push((dn, ds)),
        }
    }
    let i0 = l.offset as isize;
    if n < 2 {
        return false;
    }
    if s == 1 && n <= SHORT_MAX && others.len() <= 1 {
        let sa = others.first().map_or(0, |o| o.1);
        match n {
            2 => arg_rows::<T, MX, 2>(x, i0, sa, 2, out),
            4 => arg_rows::<T, MX, 4>(x, i0, sa, 4, out),
            8 => arg_rows::<T, MX, 8>(x, i0, sa, 8, out),
            16 => arg_rows::<T, MX, 16>(x, i0, sa, 16, out),
            _ => arg_rows::<T, MX, 0>(x, i0, sa, n, out),
        }
        return true;
    }
    match *others.as_slice() {
        [(k, 1)] | [_, (k, 1)] if k <= SHORT_MAX && s != 1 => {
            let sa = if others.len() == 2 { others[0].1 } else { 0 };
            match k {
                2 => arg_slabs::<T, MX, 2>(x, i0, sa, s, n, k, out),
                4 => arg_slabs::<T, MX, 4>(x, i0, sa, s, n, k, out),
                8 => arg_slabs::<T, MX, 8>(x, i0, sa, s, n, k, out),
                16 => arg_slabs::<T, MX, 16>(x, i0, sa, s, n, k, out),
                _ => arg_slabs::<T, MX, 0>(x, i0, sa, s, n, k, out),
            }
            true
        }
        _ => false,
    }
}
