//! The `s![]` macro and what it builds.
//!
//! `s![a..b;k]` reads as Rust: the range `a..b` first, then every `k`-th
//! element of it, walked backwards when `k < 0`. So `s![a..b;-k]` is NumPy's
//! `x[a:b][::-k]` (it starts at `b-1`), **not** NumPy's `x[a:b:-k]`.
//!
//! | NumPy | ndgpu |
//! |---|---|
//! | `x[1:3]` | `s![1..3]` |
//! | `x[:-1]` | `s![..-1]` |
//! | `x[::2]` | `s![..;2]` |
//! | `x[::-1]` | `s![..;-1]` |
//! | `x[2:8][::-2]` | `s![2..8;-2]` |
//! | `x[:, 0]` | `s![.., 0]` (the index drops the axis) |
//! | `x[:, np.newaxis]` | `s![.., NewAxis]` |

use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

/// One element of a slice specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SliceElem {
    /// `start..end;step`; negative `start`/`end` count from the end, `end: None` is the axis' end.
    Slice {
        /// first index of the range
        start: isize,
        /// one past the last index of the range
        end: Option<isize>,
        /// the step; negative walks the range backwards
        step: isize,
    },
    /// A single index: selects one element and drops the axis.
    Index(isize),
    /// Inserts a new axis of length 1 (NumPy's `np.newaxis`).
    NewAxis,
}

/// Marker for a new axis in `s![]` (NumPy's `np.newaxis`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewAxis;

impl SliceElem {
    /// Applies a step to a range (`s![a..b;k]`).
    ///
    /// ```
    /// use ndgpu::s;
    /// let e = ndgpu::SliceElem::from(1..7).with_step(2); // s![1..7;2], NumPy's x[1:7:2]
    /// assert_eq!(e, s![1..7;2][0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn with_step(self, k: isize) -> SliceElem {
        match self {
            SliceElem::Slice { start, end, .. } => SliceElem::Slice {
                start,
                end,
                step: k,
            },
            // A step on an index is meaningless; keep it a slice of one so the
            // error (if any) is the range's.
            SliceElem::Index(i) => SliceElem::Slice {
                start: i,
                end: if i == -1 {
                    None
                } else {
                    Some(i.saturating_add(1))
                },
                step: k,
            },
            SliceElem::NewAxis => SliceElem::NewAxis,
        }
    }
}

impl From<NewAxis> for SliceElem {
    fn from(_: NewAxis) -> Self {
        SliceElem::NewAxis
    }
}
impl From<RangeFull> for SliceElem {
    fn from(_: RangeFull) -> Self {
        SliceElem::Slice {
            start: 0,
            end: None,
            step: 1,
        }
    }
}

/// An integer as an `isize`, saturating: an index or step past `isize::MAX`
/// (`usize::MAX`, say) stays huge instead of wrapping to a negative one, so
/// an out-of-range index is an error and a huge step takes one element, as
/// in NumPy.
#[doc(hidden)]
pub trait Sat: Copy {
    /// The value, saturated to `isize`.
    fn sat(self) -> isize;
}

macro_rules! impl_sat {
    ($($t:ty),*) => {$(
        impl Sat for $t {
            #[inline]
            fn sat(self) -> isize {
                isize::try_from(self).unwrap_or(if (self as i128) < 0 { isize::MIN } else { isize::MAX })
            }
        }
    )*};
}
impl_sat!(i32, i64, isize, usize, u32);

macro_rules! impl_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for SliceElem {
            fn from(i: $t) -> Self {
                SliceElem::Index(i.sat())
            }
        }
        impl From<Range<$t>> for SliceElem {
            fn from(r: Range<$t>) -> Self {
                SliceElem::Slice { start: r.start.sat(), end: Some(r.end.sat()), step: 1 }
            }
        }
        impl From<RangeInclusive<$t>> for SliceElem {
            fn from(r: RangeInclusive<$t>) -> Self {
                let end = r.end().sat();
                // `a..=-1` is "up to the last element": there is no index past it to name.
                SliceElem::Slice { start: r.start().sat(), end: if end == -1 { None } else { Some(end.saturating_add(1)) }, step: 1 }
            }
        }
        impl From<RangeFrom<$t>> for SliceElem {
            fn from(r: RangeFrom<$t>) -> Self {
                SliceElem::Slice { start: r.start.sat(), end: None, step: 1 }
            }
        }
        impl From<RangeTo<$t>> for SliceElem {
            fn from(r: RangeTo<$t>) -> Self {
                SliceElem::Slice { start: 0, end: Some(r.end.sat()), step: 1 }
            }
        }
        impl From<RangeToInclusive<$t>> for SliceElem {
            fn from(r: RangeToInclusive<$t>) -> Self {
                let end = r.end.sat();
                SliceElem::Slice { start: 0, end: if end == -1 { None } else { Some(end.saturating_add(1)) }, step: 1 }
            }
        }
    )*};
}
impl_from_int!(i32, i64, isize, usize, u32);

/// Builds a slice specification: ranges, `range;step`, single indices and
/// [`NewAxis`], separated by commas. See the [module docs](crate::slice) for
/// the NumPy equivalents.
///
/// ```
/// use ndgpu::{s, Array, Device};
/// let dev = Device::cpu();
/// let a = Array::from_slice(&dev, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], &[10])?;
/// assert_eq!(a.slice(s![2..8;-2])?.to_vec()?, vec![7, 5, 3]); // a[2:8][::-2]
/// assert_eq!(a.slice(s![..-7])?.to_vec()?, vec![0, 1, 2]);
/// # Ok::<(), ndgpu::Error>(())
/// ```
#[macro_export]
macro_rules! s {
    (@acc [$($done:expr,)*]) => { [$($done,)*] };
    (@acc [$($done:expr,)*] $r:expr ; $k:expr) => {
        $crate::s!(@acc [$($done,)* $crate::SliceElem::from($r).with_step($crate::slice::Sat::sat($k)),])
    };
    (@acc [$($done:expr,)*] $r:expr ; $k:expr, $($rest:tt)*) => {
        $crate::s!(@acc [$($done,)* $crate::SliceElem::from($r).with_step($crate::slice::Sat::sat($k)),] $($rest)*)
    };
    (@acc [$($done:expr,)*] $r:expr) => {
        $crate::s!(@acc [$($done,)* $crate::SliceElem::from($r),])
    };
    (@acc [$($done:expr,)*] $r:expr, $($rest:tt)*) => {
        $crate::s!(@acc [$($done,)* $crate::SliceElem::from($r),] $($rest)*)
    };
    ($($t:tt)*) => { $crate::s!(@acc [] $($t)*) };
}

/// `[.., e, ..]`: `e` on `axis` of an `nd`-dimensional array, every other
/// axis whole.
pub(crate) fn along(nd: usize, axis: usize, e: SliceElem) -> Vec<SliceElem> {
    (0..nd)
        .map(|d| {
            if d == axis {
                e
            } else {
                SliceElem::Slice {
                    start: 0,
                    end: None,
                    step: 1,
                }
            }
        })
        .collect()
}
