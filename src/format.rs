//! NumPy-compatible `str()` rendering of arrays.
//!
//! This is a port of the parts of `numpy/_core/arrayprint.py` (NumPy 2.x) that the default print
//! options exercise, so that an array prints byte for byte like its NumPy counterpart. Names in
//! comments (`FloatingFormat`, `_formatArray`, ...) refer to that file.

use std::fmt::{Display, LowerExp};
use std::str::FromStr;

/// The values of an array in logical C order, by element kind.
pub(crate) enum Values<'a> {
    F32(&'a [f32]),
    F64(&'a [f64]),
    F16(&'a [half::f16]),
    I64(&'a [i64]), // i32 and u32 arrays are passed widened to i64
    Bool(&'a [bool]),
}

// The `np.set_printoptions` defaults.
const PRECISION: usize = 8;
const THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;
const LINE_WIDTH: usize = 75;

/// Formats an array of `shape` as NumPy's `str(arr)` does (np.set_printoptions defaults:
/// precision=8, threshold=1000, edgeitems=3, linewidth=75, floatmode='maxprec', suppress=False, sign='-').
///
/// `values` holds the elements in logical C order; its length must be the product of `shape`
/// (one value for a 0-d array, whose `shape` is empty).
pub(crate) fn format_array(values: Values<'_>, shape: &[usize]) -> String {
    // `str()` of a 0-d array is the `str()` of its scalar, which ignores the print options.
    if shape.is_empty() {
        return match values {
            Values::F32(v) => scalar_float(v[0]),
            Values::F64(v) => scalar_float(v[0]),
            Values::F16(v) => scalar_float(v[0]),
            Values::I64(v) => v[0].to_string(),
            Values::Bool(v) => if v[0] { "True" } else { "False" }.to_string(),
        };
    }
    // `array2string` prints any array with a zero-length axis as `[]`, whatever its shape.
    let size: usize = shape.iter().product();
    if size == 0 {
        return "[]".to_string();
    }
    // Above the threshold every axis longer than 2 * edgeitems is cut down to its edges
    // (`_leading_trailing`), and the formatter only ever sees the kept elements.
    let cut: Vec<bool> = shape
        .iter()
        .map(|&n| size > THRESHOLD && n > 2 * EDGE_ITEMS)
        .collect();
    let shown = shown_indices(shape, &cut);
    let words = match values {
        Values::F32(v) => float_words(&gather(v, &shown)),
        Values::F64(v) => float_words(&gather(v, &shown)),
        Values::F16(v) => float_words(&gather(v, &shown)),
        Values::I64(v) => int_words(&gather(v, &shown)),
        // `BoolFormat` pads `True` so that both words are as wide as `False`.
        Values::Bool(v) => shown
            .iter()
            .map(|&i| if v[i] { " True" } else { "False" }.to_string())
            .collect(),
    };
    let kept: Vec<usize> = shape
        .iter()
        .zip(&cut)
        .map(|(&n, &c)| if c { 2 * EDGE_ITEMS } else { n })
        .collect();
    let layout = Layout {
        words: &words,
        shape: &kept,
        cut: &cut,
    };
    // The hanging indent starts at one space, the width of the outermost `[`.
    layout.block(0, 0, " ", LINE_WIDTH)
}

/// Flat indices of the elements that are printed, in C order over the kept sub-array.
fn shown_indices(shape: &[usize], cut: &[bool]) -> Vec<usize> {
    shape.iter().zip(cut).fold(vec![0], |bases, (&n, &c)| {
        let keep: Vec<usize> = if c {
            (0..EDGE_ITEMS).chain(n - EDGE_ITEMS..n).collect()
        } else {
            (0..n).collect()
        };
        bases
            .iter()
            .flat_map(|&base| keep.iter().map(move |&k| base * n + k))
            .collect()
    })
}

fn gather<T: Copy>(values: &[T], indices: &[usize]) -> Vec<T> {
    indices.iter().map(|&i| values[i]).collect()
}

/// `IntegerFormat`: right-aligned to the widest of the shown values, sign included.
fn int_words(values: &[i64]) -> Vec<String> {
    let words: Vec<String> = values.iter().map(i64::to_string).collect();
    let width = words.iter().map(String::len).max().unwrap_or(0);
    words.iter().map(|w| format!("{w:>width$}")).collect()
}

/// The float element types, whose own precision matters to several NumPy decisions.
trait Float: Copy + Display + LowerExp + FromStr + PartialEq {
    /// `str()` of a scalar is positional below this magnitude and scientific from it on.
    const SCALAR_POSITIONAL_MAX: f64;

    /// Widening is exact, so comparisons and classification can be done in `f64`.
    fn to_f64(self) -> f64;

    /// `FloatingFormat.fillFormat`'s switch to scientific notation, given the largest and
    /// smallest non-zero magnitudes. NumPy evaluates it on scalars of the array's dtype against
    /// Python floats, which NEP 50 converts to that dtype, so the test must run in `Self`.
    fn wants_exp(max: f64, min: f64) -> bool;

    /// The shortest digits that round-trip in `Self`, in Rust's `{:e}` form.
    fn shortest_e(self) -> String {
        format!("{self:e}")
    }

    /// The exact value rounded to `p` digits after the point, scientific (`{:.p$e}`).
    fn fixed_e(self, p: usize) -> String {
        format!("{self:.p$e}")
    }

    /// The exact value rounded to `p` decimals, positional (`{:.p$}`).
    fn fixed(self, p: usize) -> String {
        format!("{self:.p$}")
    }
}

impl Float for half::f16 {
    // NumPy's float16 scalars switch to scientific at 1e4 (`str(np.float16(1e4))` is `1e+04`).
    const SCALAR_POSITIONAL_MAX: f64 = 1e4;

    fn to_f64(self) -> f64 {
        self.into()
    }

    fn wants_exp(max: f64, min: f64) -> bool {
        use half::f16;
        let (max, min) = (f16::from_f64(max), f16::from_f64(min));
        // The upper cutoff is 10**min(8, finfo(float16).precision) = 1e3; the test runs in
        // float16, its ratio rounded to float16 as NumPy's scalar division rounds it.
        let ratio = f16::from_f32(max.to_f32() / min.to_f32());
        max >= f16::from_f64(1e3) || min < f16::from_f64(1e-4) || ratio > f16::from_f64(1000.0)
    }

    fn shortest_e(self) -> String {
        // half's `{:e}` prints the f32 digits (0.1f16 as 9.9975586e-2): take the fewest
        // digits of the exact value that read back as the same f16 (NumPy's Dragon4 `unique`).
        let x = self.to_f32();
        for p in 0..8 {
            let s = format!("{x:.p$e}");
            if s.parse::<f64>().map(half::f16::from_f64) == Ok(self) {
                return s;
            }
        }
        format!("{x:e}")
    }

    // half's formatting ignores the precision: format the (exact) f32 value.
    fn fixed_e(self, p: usize) -> String {
        format!("{:.p$e}", self.to_f32())
    }

    fn fixed(self, p: usize) -> String {
        format!("{:.p$}", self.to_f32())
    }
}

macro_rules! impl_float {
    ($t:ty, $scalar_max:expr) => {
        impl Float for $t {
            const SCALAR_POSITIONAL_MAX: f64 = $scalar_max;

            fn to_f64(self) -> f64 {
                self.into()
            }

            fn wants_exp(max: f64, min: f64) -> bool {
                // Exact: both came from `Self`.
                let (max, min) = (max as $t, min as $t);
                // The upper cutoff is 10**min(8, finfo(dtype).precision).
                let cutoff: $t = if <$t>::DIGITS >= 8 { 1e8 } else { 1e6 };
                max >= cutoff || min < 1e-4 || max / min > 1000.0
            }
        }
    };
}

impl_float!(f32, 1e6);
impl_float!(f64, 1e16);

/// A finite float as decimal digits, `±d.ddd × 10^exp`, without trailing zeros (zero is `0`).
struct Decimal {
    neg: bool,
    digits: String,
    exp: i32,
}

impl Decimal {
    /// Reads Rust's positional (`12.5`) or scientific (`1.25e1`) output.
    fn parse(s: &str) -> Self {
        let (neg, s) = s.strip_prefix('-').map_or((false, s), |rest| (true, rest));
        let (mantissa, exp) = s.split_once('e').map_or((s, 0), |(m, e)| {
            (m, e.parse().expect("Rust writes integer exponents"))
        });
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all = format!("{int}{frac}");
        let significant = all.trim_start_matches('0');
        let leading_zeros = all.len() - significant.len();
        let digits = significant.trim_end_matches('0');
        if digits.is_empty() {
            return Self {
                neg,
                digits: "0".to_string(),
                exp: 0,
            };
        }
        Self {
            neg,
            digits: digits.to_string(),
            exp: exp + int.len() as i32 - 1 - leading_zeros as i32,
        }
    }

    /// Dragon4's `unique` digits: the shortest string that round-trips in the value's own type,
    /// which is what Rust's `{:e}` produces for `f32` and `f64` alike, except for ties.
    fn shortest<T: Float>(x: T) -> Self {
        let rust = Self::parse(&x.shortest_e());
        // When x lies exactly halfway between two shortest candidates (f32 52278.3125 between
        // 52278.312 and 52278.313), Rust takes the larger one and Dragon4 the even one. That needs
        // x's exact expansion to end with a 5 one place after the candidates' last digit.
        let k = rust.digits.len();
        let exact = Self::parse(&x.fixed_e(k));
        let tie = exact.digits.len() == k + 1
            && exact.digits.ends_with('5')
            && last_decimal_place(x.to_f64()) == exact.exp - k as i32;
        if tie {
            let lower = Self {
                digits: exact.digits[..k].trim_end_matches('0').to_string(),
                ..exact
            };
            let last = lower.digits.as_bytes()[lower.digits.len() - 1];
            if matches!(last, b'0' | b'2' | b'4' | b'6' | b'8')
                && lower.to_string().parse::<T>().is_ok_and(|y| y == x)
            {
                return lower;
            }
        }
        rust
    }

    /// `dragon4_positional(unique=True, precision=8)`: the unique digits, unless they run past
    /// the 8th fractional digit, where Dragon4 rounds the exact binary value (ties to even),
    /// as Rust's fixed-precision formatting also does.
    fn positional<T: Float>(x: T) -> Self {
        let d = Self::shortest(x);
        if d.frac_len() > PRECISION {
            Self::parse(&x.fixed(PRECISION))
        } else {
            d
        }
    }

    /// `dragon4_scientific(unique=True, precision=8)`, with the cutoff on mantissa digits.
    fn scientific<T: Float>(x: T) -> Self {
        let d = Self::shortest(x);
        if d.digits.len() - 1 > PRECISION {
            Self::parse(&x.fixed_e(PRECISION))
        } else {
            d
        }
    }

    fn sign(&self) -> &'static str {
        if self.neg {
            "-"
        } else {
            ""
        }
    }

    /// Number of digits after the decimal point in positional notation.
    fn frac_len(&self) -> usize {
        usize::try_from(self.digits.len() as i32 - 1 - self.exp).unwrap_or(0)
    }

    /// Integer part (signed) and fractional digits of the positional notation.
    fn split_positional(&self) -> (String, String) {
        let sign = self.sign();
        match usize::try_from(self.exp) {
            Err(_) => {
                let zeros = "0".repeat(self.exp.unsigned_abs() as usize - 1);
                (format!("{sign}0"), format!("{zeros}{}", self.digits))
            }
            Ok(e) if e < self.digits.len() => {
                let (int, frac) = self.digits.split_at(e + 1);
                (format!("{sign}{int}"), frac.to_string())
            }
            Ok(e) => {
                let zeros = "0".repeat(e + 1 - self.digits.len());
                (format!("{sign}{}{zeros}", self.digits), String::new())
            }
        }
    }

    /// Mantissa integer part (signed) and fractional digits of the scientific notation.
    fn split_scientific(&self) -> (String, &str) {
        let (int, frac) = self.digits.split_at(1);
        (format!("{}{int}", self.sign()), frac)
    }

    /// Number of exponent digits NumPy writes: at least two.
    fn exp_len(&self) -> usize {
        self.exp.unsigned_abs().to_string().len().max(2)
    }

    /// The exponent as Dragon4 writes it: explicit sign, zero-padded to `width` digits.
    fn exp_string(&self, width: usize) -> String {
        let sign = if self.exp < 0 { '-' } else { '+' };
        format!("{sign}{:0width$}", self.exp.unsigned_abs())
    }
}

impl Display for Decimal {
    /// Scientific notation that Rust's float parser reads back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (int, frac) = self.split_scientific();
        let dot = if frac.is_empty() { "" } else { "." };
        write!(f, "{int}{dot}{frac}e{}", self.exp)
    }
}

/// Decimal place of the last non-zero digit of `v`'s exact expansion when `v` has a fractional
/// part (-3 for 0.125): a binary fraction `m / 2^n` with odd `m` has exactly `n` decimals.
fn last_decimal_place(v: f64) -> i32 {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, exp) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    exp + mantissa.trailing_zeros() as i32
}

/// `str()` of a float scalar: positional within [1e-4, SCALAR_POSITIONAL_MAX) keeping one
/// fractional zero (`1.0`), otherwise scientific with the bare `.` trimmed (`1e+20`).
fn scalar_float<T: Float>(x: T) -> String {
    let v = x.to_f64();
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    let d = Decimal::shortest(x);
    let magnitude = v.abs();
    if magnitude == 0.0 || (1e-4..T::SCALAR_POSITIONAL_MAX).contains(&magnitude) {
        let (int, frac) = d.split_positional();
        let frac = if frac.is_empty() { "0" } else { &frac };
        format!("{int}.{frac}")
    } else {
        let (int, frac) = d.split_scientific();
        let dot = if frac.is_empty() { "" } else { "." };
        format!("{int}{dot}{frac}e{}", d.exp_string(2))
    }
}

/// `FloatingFormat` with floatmode='maxprec': every element gets the same notation and is padded
/// to a common layout computed from the finite elements; `nan` and `inf` are right-aligned to it.
fn float_words<T: Float>(values: &[T]) -> Vec<String> {
    let finite: Vec<T> = values
        .iter()
        .copied()
        .filter(|x| x.to_f64().is_finite())
        .collect();
    let magnitudes = finite
        .iter()
        .map(|x| x.to_f64().abs())
        .filter(|&m| m != 0.0);
    let range = magnitudes.fold(None, |acc: Option<(f64, f64)>, m| {
        Some(acc.map_or((m, m), |(max, min)| (max.max(m), min.min(m))))
    });
    let exp_format = range.is_some_and(|(max, min)| T::wants_exp(max, min));

    // Each notation pads the integer part on the left and the rest on the right; `tail` is the
    // width after the decimal point, which also decides how wide `nan` and `inf` are.
    let (words, tail): (Vec<Option<(String, String)>>, usize) = if exp_format {
        let decimals: Vec<Decimal> = finite.iter().map(|&x| Decimal::scientific(x)).collect();
        let precision = decimals
            .iter()
            .map(|d| d.digits.len() - 1)
            .max()
            .unwrap_or(0);
        let exp_len = decimals.iter().map(Decimal::exp_len).max().unwrap_or(0);
        // The second pass asks Dragon4 for `min_digits=precision`, which continues with the
        // exact value's digits rather than zeros: f32 82556992 prints as 8.25569920e+07 even
        // though 8.255699e+07 would round-trip.
        let words = values
            .iter()
            .map(|&x| {
                x.to_f64().is_finite().then(|| {
                    let d = Decimal::parse(&x.fixed_e(precision));
                    let (int, frac) = d.split_scientific();
                    (
                        int,
                        format!("{frac:0<precision$}e{}", d.exp_string(exp_len)),
                    )
                })
            })
            .collect();
        (words, exp_len + 2 + precision)
    } else {
        let words: Vec<_> = values
            .iter()
            .map(|&x| {
                let finite = x.to_f64().is_finite();
                finite.then(|| Decimal::positional(x).split_positional())
            })
            .collect();
        let tail = words.iter().flatten().map(|(_, f)| f.len()).max();
        (words, tail.unwrap_or(0))
    };
    let mut head = words
        .iter()
        .flatten()
        .map(|(i, _)| i.len())
        .max()
        .unwrap_or(0);
    if finite.len() != values.len() {
        let neg_inf = values.iter().any(|x| x.to_f64() == f64::NEG_INFINITY);
        head = head.max((3 + usize::from(neg_inf)).saturating_sub(tail + 1));
    }
    let width = head + 1 + tail;
    values
        .iter()
        .zip(words)
        .map(|(x, word)| match word {
            Some((int, rest)) => format!("{int:>head$}.{rest:<tail$}"),
            None => format!("{:>width$}", scalar_float(*x)),
        })
        .collect()
}

/// `_formatArray`: nests the element words in brackets, wrapping rows at the line width.
struct Layout<'a> {
    words: &'a [String],
    shape: &'a [usize],
    cut: &'a [bool],
}

impl Layout<'_> {
    /// `recurser`: the block for the sub-array at `offset` (into `words`) starting at `axis`.
    /// `hanging` is the indent of continuation lines and `width` the room left for this block.
    fn block(&self, axis: usize, offset: usize, hanging: &str, width: usize) -> String {
        let Some(&len) = self.shape.get(axis) else {
            return self.words[offset].clone();
        };
        let stride: usize = self.shape[axis + 1..].iter().product();
        // Children are indented past this block's `[` and must leave room for its `]`.
        let next_hanging = format!("{hanging} ");
        let child = |i: usize| {
            self.block(
                axis + 1,
                offset + i * stride,
                &next_hanging,
                width.saturating_sub(1),
            )
        };
        let summary_before = self.cut[axis].then_some(EDGE_ITEMS);
        let mut s = String::new();
        if axis + 1 == self.shape.len() {
            // Innermost axis: words flow along the line, which also has to fit the `]`.
            let width = width.saturating_sub(1);
            let mut line = hanging.to_string();
            for i in 0..len {
                if summary_before == Some(i) {
                    extend_line(&mut s, &mut line, "...", width, hanging);
                    line.push(' ');
                }
                extend_line(&mut s, &mut line, &child(i), width, hanging);
                if i + 1 < len {
                    line.push(' ');
                }
            }
            s.push_str(&line);
        } else {
            // Outer axes: one sub-block per line, separated by one blank line per extra depth.
            let separator = "\n".repeat(self.shape.len() - axis - 1);
            for i in 0..len {
                if summary_before == Some(i) {
                    s.push_str(hanging);
                    s.push_str("...");
                    s.push_str(&separator);
                }
                s.push_str(hanging);
                s.push_str(&child(i));
                if i + 1 < len {
                    s.push_str(&separator);
                }
            }
        }
        // The first line sits right after the `[` instead of at the hanging indent.
        format!("[{}]", &s[hanging.len()..])
    }
}

/// `_extendLine`: starts a new line when `word` would overflow, unless the line is still empty
/// (wrapping would not help then). The finished line loses its trailing blanks, including a
/// float word's right padding.
fn extend_line(s: &mut String, line: &mut String, word: &str, width: usize, hanging: &str) {
    if line.len() + word.len() > width && line.len() > hanging.len() {
        s.push_str(line.trim_end());
        s.push('\n');
        hanging.clone_into(line);
    }
    line.push_str(word);
}

#[cfg(test)]
mod tests {
    //! Every expected string was printed by NumPy 2.4.6 as `str(...)` of the expression in the
    //! comment above its assertion.

    use super::*;

    fn f64s(v: &[f64], shape: &[usize]) -> String {
        format_array(Values::F64(v), shape)
    }

    fn f32s(v: &[f32], shape: &[usize]) -> String {
        format_array(Values::F32(v), shape)
    }

    fn ints(v: &[i64], shape: &[usize]) -> String {
        format_array(Values::I64(v), shape)
    }

    fn bools(v: &[bool], shape: &[usize]) -> String {
        format_array(Values::Bool(v), shape)
    }

    fn arange(n: i64) -> Vec<i64> {
        (0..n).collect()
    }

    fn halves(n: i32) -> Vec<f64> {
        (0..n).map(|i| f64::from(i) * 0.5).collect()
    }

    fn big_middle() -> Vec<i64> {
        (0..2000)
            .map(|i| if i == 1000 { 1_000_000_000 } else { i })
            .collect()
    }

    #[test]
    fn zero_d_scalars() {
        // 0-d arrays print as their scalar's str(), at full precision.
        // str(np.array(2.5, dtype=np.float32))
        assert_eq!(f32s(&[2.5], &[]), "2.5");
        // str(np.array(7))
        assert_eq!(ints(&[7], &[]), "7");
        // str(np.array(True))
        assert_eq!(bools(&[true], &[]), "True");
        // str(np.array(1/3))
        assert_eq!(f64s(&[1.0 / 3.0], &[]), "0.3333333333333333");
        // str(np.array(1/3, dtype=np.float32))
        assert_eq!(f32s(&[1.0 / 3.0], &[]), "0.33333334");
        // str(np.array(1.0))
        assert_eq!(f64s(&[1.0], &[]), "1.0");
        // str(np.array(-0.0))
        assert_eq!(f64s(&[-0.0], &[]), "-0.0");
    }

    #[test]
    fn zero_d_scientific() {
        // str() of a scalar switches to scientific outside [1e-4, 1e16) (f32: 1e6).
        // str(np.array(1e16))
        assert_eq!(f64s(&[1e16], &[]), "1e+16");
        // str(np.array(1.5e-5))
        assert_eq!(f64s(&[1.5e-5], &[]), "1.5e-05");
        // str(np.array(1e-4))
        assert_eq!(f64s(&[1e-4], &[]), "0.0001");
        // str(np.array(1e-4, dtype=np.float32))
        assert_eq!(f32s(&[1e-4], &[]), "1e-04");
        // str(np.array(1e6))
        assert_eq!(f64s(&[1e6], &[]), "1000000.0");
        // str(np.array(1e6, dtype=np.float32))
        assert_eq!(f32s(&[1e6], &[]), "1e+06");
        // str(np.array(999999.94, dtype=np.float32))
        assert_eq!(f32s(&[999_999.94], &[]), "999999.94");
    }

    #[test]
    fn zero_d_non_finite() {
        // str(np.array(np.nan))
        assert_eq!(f64s(&[f64::NAN], &[]), "nan");
        // str(np.array(-np.inf, dtype=np.float32))
        assert_eq!(f32s(&[f32::NEG_INFINITY], &[]), "-inf");
    }

    #[test]
    fn ints_1d() {
        // str(np.array([2, 3, 4, 5]))
        assert_eq!(ints(&[2, 3, 4, 5], &[4]), "[2 3 4 5]");
    }

    #[test]
    fn ints_2d() {
        // str(np.array([[19, 22], [43, 50]]))
        assert_eq!(ints(&[19, 22, 43, 50], &[2, 2]), "[[19 22]\n [43 50]]");
    }

    #[test]
    fn ints_width_includes_sign() {
        // str(np.array([[1, -2], [3, 4]]))
        assert_eq!(ints(&[1, -2, 3, 4], &[2, 2]), "[[ 1 -2]\n [ 3  4]]");
    }

    #[test]
    fn ints_extremes() {
        // str(np.array([-2**63, 2**63 - 1]))
        assert_eq!(
            ints(&[i64::MIN, i64::MAX], &[2]),
            "[-9223372036854775808  9223372036854775807]"
        );
    }

    #[test]
    fn floats_1d() {
        // str(np.array([1.0, 2.5]))
        assert_eq!(f64s(&[1.0, 2.5], &[2]), "[1.  2.5]");
    }

    #[test]
    fn floats_2d_padding() {
        // str(np.array([[1.5, -2.0], [3.25, 4.0]]))
        assert_eq!(
            f64s(&[1.5, -2.0, 3.25, 4.0], &[2, 2]),
            "[[ 1.5  -2.  ]\n [ 3.25  4.  ]]"
        );
    }

    #[test]
    fn f32_shortest_repr() {
        // f32 digits are the shortest that round-trip as f32, not as f64.
        // str(np.array([0.1, 0.2], dtype=np.float32))
        assert_eq!(f32s(&[0.1, 0.2], &[2]), "[0.1 0.2]");
        // str(np.array([0.1, 0.2]))
        assert_eq!(f64s(&[0.1, 0.2], &[2]), "[0.1 0.2]");
        // str(np.array([0.1, 0.2], dtype=np.float32).astype(np.float64))
        assert_eq!(
            f64s(&[f64::from(0.1f32), f64::from(0.2f32)], &[2]),
            "[0.1 0.2]"
        );
    }

    #[test]
    fn maxprec_rounding() {
        // at most 8 fractional digits, rounding the exact value (ties to even).
        // str(np.array([1/3], dtype=np.float32))
        assert_eq!(f32s(&[1.0 / 3.0], &[1]), "[0.33333334]");
        // str(np.array([1/3]))
        assert_eq!(f64s(&[1.0 / 3.0], &[1]), "[0.33333333]");
        // str(np.array([0.001953125, 1.0]))
        assert_eq!(f64s(&[0.001953125, 1.0], &[2]), "[0.00195312 1.        ]");
        // str(np.array([0.999999999, 1.5]))
        assert_eq!(f64s(&[0.999999999, 1.5], &[2]), "[1.  1.5]");
    }

    #[test]
    fn shortest_ties_to_even() {
        // exactly halfway between two shortest candidates Dragon4 takes the even digit.
        // str(np.array([52278.3125, 1.5], dtype=np.float32))
        assert_eq!(
            f32s(&[52_278.0 + 0.3125, 1.5], &[2]),
            "[5.2278312e+04 1.5000000e+00]"
        );
        // str(np.array(16384.0625, dtype=np.float32))
        assert_eq!(f32s(&[16_384.0 + 0.0625], &[]), "16384.062");
    }

    #[test]
    fn negative_zero() {
        // str(np.array([-0.0, 1.0]))
        assert_eq!(f64s(&[-0.0, 1.0], &[2]), "[-0.  1.]");
        // str(np.array([0.0, -0.0], dtype=np.float32))
        assert_eq!(f32s(&[0.0, -0.0], &[2]), "[ 0. -0.]");
    }

    #[test]
    fn nan_and_inf() {
        // non-finite values are right-aligned to the finite layout, widened if needed.
        // str(np.array([1.0, np.nan, np.inf, -np.inf]))
        assert_eq!(
            f64s(&[1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY], &[4]),
            "[  1.  nan  inf -inf]"
        );
        // str(np.array([np.nan, -np.inf]))
        assert_eq!(f64s(&[f64::NAN, f64::NEG_INFINITY], &[2]), "[ nan -inf]");
        // str(np.array([np.inf], dtype=np.float32))
        assert_eq!(f32s(&[f32::INFINITY], &[1]), "[inf]");
        // str(np.array([1.5, np.nan, 100.25]))
        assert_eq!(
            f64s(&[1.5, f64::NAN, 100.25], &[3]),
            "[  1.5     nan 100.25]"
        );
    }

    #[test]
    fn scientific() {
        // scientific when max >= 1e8, min < 1e-4 or max / min > 1000.
        // str(np.array([1e-5, 1.0]))
        assert_eq!(f64s(&[1e-5, 1.0], &[2]), "[1.e-05 1.e+00]");
        // str(np.array([1e10, 2.5]))
        assert_eq!(f64s(&[1e10, 2.5], &[2]), "[1.0e+10 2.5e+00]");
        // str(np.array([1e8]))
        assert_eq!(f64s(&[1e8], &[1]), "[1.e+08]");
        // str(np.array([-1e-5, 1000.0]))
        assert_eq!(f64s(&[-1e-5, 1000.0], &[2]), "[-1.e-05  1.e+03]");
        // str(np.array([1e-100, 1.0]))
        assert_eq!(f64s(&[1e-100, 1.0], &[2]), "[1.e-100 1.e+000]");
        // str(np.array([1e-5, np.nan, -np.inf]))
        assert_eq!(
            f64s(&[1e-5, f64::NAN, f64::NEG_INFINITY], &[3]),
            "[1.e-05    nan   -inf]"
        );
    }

    #[test]
    fn scientific_f32_cutoff() {
        // f32 switches at 10**min(8, finfo.precision) = 1e6.
        // str(np.array([1e6, 1.0], dtype=np.float32))
        assert_eq!(f32s(&[1e6, 1.0], &[2]), "[1.e+06 1.e+00]");
        // str(np.array([1e6, 1.0]))
        assert_eq!(f64s(&[1e6, 1.0], &[2]), "[1.e+06 1.e+00]");
    }

    #[test]
    fn scientific_f32_exact_padding() {
        // mantissas padded with the exact value's digits, not zeros.
        // str(np.array([82556992.0, 1.2345678], dtype=np.float32))
        assert_eq!(
            f32s(&[82_556_992.0, 1.234_567_8], &[2]),
            "[8.2556992e+07 1.2345678e+00]"
        );
    }

    #[test]
    fn small_cutoff_in_array_precision() {
        // min < 1e-4 is tested in float32 (NEP 50), so f32 0.0001 stays positional.
        // str(np.array([0.0001, 0.001], dtype=np.float32))
        assert_eq!(f32s(&[0.0001, 0.001], &[2]), "[0.0001 0.001 ]");
    }

    #[test]
    fn bools_1d_2d() {
        // str(np.array([True, False]))
        assert_eq!(bools(&[true, false], &[2]), "[ True False]");
        // str(np.array([[True, True], [False, True]]))
        assert_eq!(
            bools(&[true, true, false, true], &[2, 2]),
            "[[ True  True]\n [False  True]]"
        );
    }

    #[test]
    fn empty() {
        // any zero-length axis prints [].
        // str(np.array([]))
        assert_eq!(f64s(&[], &[0]), "[]");
        // str(np.zeros((2, 0)))
        assert_eq!(f64s(&[], &[2, 0]), "[]");
        // str(np.zeros((0, 3), dtype=np.int64))
        assert_eq!(ints(&[], &[0, 3]), "[]");
        // str(np.zeros((0,), dtype=bool))
        assert_eq!(bools(&[], &[0]), "[]");
    }

    #[test]
    fn three_d() {
        // str(np.arange(8).reshape(2, 2, 2))
        assert_eq!(
            ints(&arange(8), &[2, 2, 2]),
            "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]"
        );
    }

    #[test]
    fn four_d() {
        // str(np.arange(16).reshape(2, 2, 2, 2))
        assert_eq!(ints(&arange(16), &[2, 2, 2, 2]), "[[[[ 0  1]\n   [ 2  3]]\n\n  [[ 4  5]\n   [ 6  7]]]\n\n\n [[[ 8  9]\n   [10 11]]\n\n  [[12 13]\n   [14 15]]]]");
    }

    #[test]
    fn three_d_floats() {
        // str(np.arange(12).reshape(2, 3, 2) * 0.5)
        assert_eq!(
            f64s(&halves(12), &[2, 3, 2]),
            "[[[0.  0.5]\n  [1.  1.5]\n  [2.  2.5]]\n\n [[3.  3.5]\n  [4.  4.5]\n  [5.  5.5]]]"
        );
    }

    #[test]
    fn summarised_1d() {
        // str(np.arange(2000))
        assert_eq!(
            ints(&arange(2000), &[2000]),
            "[   0    1    2 ... 1997 1998 1999]"
        );
    }

    #[test]
    fn summarised_2d() {
        // str(np.arange(2000).reshape(40, 50))
        assert_eq!(ints(&arange(2000), &[40, 50]), "[[   0    1    2 ...   47   48   49]\n [  50   51   52 ...   97   98   99]\n [ 100  101  102 ...  147  148  149]\n ...\n [1850 1851 1852 ... 1897 1898 1899]\n [1900 1901 1902 ... 1947 1948 1949]\n [1950 1951 1952 ... 1997 1998 1999]]");
    }

    #[test]
    fn summarised_3d() {
        // str(np.arange(2000).reshape(10, 10, 20))
        assert_eq!(ints(&arange(2000), &[10, 10, 20]), "[[[   0    1    2 ...   17   18   19]\n  [  20   21   22 ...   37   38   39]\n  [  40   41   42 ...   57   58   59]\n  ...\n  [ 140  141  142 ...  157  158  159]\n  [ 160  161  162 ...  177  178  179]\n  [ 180  181  182 ...  197  198  199]]\n\n [[ 200  201  202 ...  217  218  219]\n  [ 220  221  222 ...  237  238  239]\n  [ 240  241  242 ...  257  258  259]\n  ...\n  [ 340  341  342 ...  357  358  359]\n  [ 360  361  362 ...  377  378  379]\n  [ 380  381  382 ...  397  398  399]]\n\n [[ 400  401  402 ...  417  418  419]\n  [ 420  421  422 ...  437  438  439]\n  [ 440  441  442 ...  457  458  459]\n  ...\n  [ 540  541  542 ...  557  558  559]\n  [ 560  561  562 ...  577  578  579]\n  [ 580  581  582 ...  597  598  599]]\n\n ...\n\n [[1400 1401 1402 ... 1417 1418 1419]\n  [1420 1421 1422 ... 1437 1438 1439]\n  [1440 1441 1442 ... 1457 1458 1459]\n  ...\n  [1540 1541 1542 ... 1557 1558 1559]\n  [1560 1561 1562 ... 1577 1578 1579]\n  [1580 1581 1582 ... 1597 1598 1599]]\n\n [[1600 1601 1602 ... 1617 1618 1619]\n  [1620 1621 1622 ... 1637 1638 1639]\n  [1640 1641 1642 ... 1657 1658 1659]\n  ...\n  [1740 1741 1742 ... 1757 1758 1759]\n  [1760 1761 1762 ... 1777 1778 1779]\n  [1780 1781 1782 ... 1797 1798 1799]]\n\n [[1800 1801 1802 ... 1817 1818 1819]\n  [1820 1821 1822 ... 1837 1838 1839]\n  [1840 1841 1842 ... 1857 1858 1859]\n  ...\n  [1940 1941 1942 ... 1957 1958 1959]\n  [1960 1961 1962 ... 1977 1978 1979]\n  [1980 1981 1982 ... 1997 1998 1999]]]");
    }

    #[test]
    fn summarised_short_axis_kept() {
        // only axes longer than 2 * edgeitems are cut.
        // str(np.arange(1002).reshape(2, 501))
        assert_eq!(
            ints(&arange(1002), &[2, 501]),
            "[[   0    1    2 ...  498  499  500]\n [ 501  502  503 ...  999 1000 1001]]"
        );
    }

    #[test]
    fn summarised_float() {
        // str(np.arange(2000) * 0.5)
        assert_eq!(
            f64s(&halves(2000), &[2000]),
            "[0.000e+00 5.000e-01 1.000e+00 ... 9.985e+02 9.990e+02 9.995e+02]"
        );
        // str((np.arange(2000) * 0.5).astype(np.float32).reshape(20, 100))
        assert_eq!(f32s(&halves(2000).iter().map(|&x| x as f32).collect::<Vec<_>>(), &[20, 100]), "[[0.000e+00 5.000e-01 1.000e+00 ... 4.850e+01 4.900e+01 4.950e+01]\n [5.000e+01 5.050e+01 5.100e+01 ... 9.850e+01 9.900e+01 9.950e+01]\n [1.000e+02 1.005e+02 1.010e+02 ... 1.485e+02 1.490e+02 1.495e+02]\n ...\n [8.500e+02 8.505e+02 8.510e+02 ... 8.985e+02 8.990e+02 8.995e+02]\n [9.000e+02 9.005e+02 9.010e+02 ... 9.485e+02 9.490e+02 9.495e+02]\n [9.500e+02 9.505e+02 9.510e+02 ... 9.985e+02 9.990e+02 9.995e+02]]");
    }

    #[test]
    fn summarised_width_from_shown_items() {
        // the hidden 10**9 does not widen the columns.
        // str(np.where(np.arange(2000) == 1000, 10**9, np.arange(2000)))
        assert_eq!(
            ints(&big_middle(), &[2000]),
            "[   0    1    2 ... 1997 1998 1999]"
        );
    }

    #[test]
    fn summarised_bools() {
        // str(np.arange(1001) % 2 == 0)
        assert_eq!(
            bools(&(0..1001).map(|i| i % 2 == 0).collect::<Vec<_>>(), &[1001]),
            "[ True False  True ...  True False  True]"
        );
    }

    #[test]
    fn wrap_ints() {
        // str(np.arange(30) * 1000)
        assert_eq!(ints(&(0..30).map(|i| i * 1000).collect::<Vec<_>>(), &[30]), "[    0  1000  2000  3000  4000  5000  6000  7000  8000  9000 10000 11000\n 12000 13000 14000 15000 16000 17000 18000 19000 20000 21000 22000 23000\n 24000 25000 26000 27000 28000 29000]");
    }

    #[test]
    fn wrap_floats() {
        // str(np.linspace(0, 1, 20))
        assert_eq!(f64s(&[0.0, 0.05263157894736842, 0.10526315789473684, 0.15789473684210525, 0.21052631578947367, 0.2631578947368421, 0.3157894736842105, 0.3684210526315789, 0.42105263157894735, 0.47368421052631576, 0.5263157894736842, 0.5789473684210527, 0.631578947368421, 0.6842105263157894, 0.7368421052631579, 0.7894736842105263, 0.8421052631578947, 0.894736842105263, 0.9473684210526315, 1.0], &[20]), "[0.         0.05263158 0.10526316 0.15789474 0.21052632 0.26315789\n 0.31578947 0.36842105 0.42105263 0.47368421 0.52631579 0.57894737\n 0.63157895 0.68421053 0.73684211 0.78947368 0.84210526 0.89473684\n 0.94736842 1.        ]");
        // str(np.linspace(0, 1, 20, dtype=np.float32))
        assert_eq!(f32s(&[0.0, 0.05263158, 0.10526316, 0.15789473, 0.21052632, 0.2631579, 0.31578946, 0.36842105, 0.42105263, 0.47368422, 0.5263158, 0.57894737, 0.6315789, 0.68421054, 0.7368421, 0.7894737, 0.84210527, 0.8947368, 0.94736844, 1.0], &[20]), "[0.         0.05263158 0.10526316 0.15789473 0.21052632 0.2631579\n 0.31578946 0.36842105 0.42105263 0.47368422 0.5263158  0.57894737\n 0.6315789  0.68421054 0.7368421  0.7894737  0.84210527 0.8947368\n 0.94736844 1.        ]");
    }

    #[test]
    fn wrap_nested() {
        // continuation lines are indented to the bracket depth.
        // str((np.arange(40) * 1000).reshape(2, 20))
        assert_eq!(ints(&(0..40).map(|i| i * 1000).collect::<Vec<_>>(), &[2, 20]), "[[    0  1000  2000  3000  4000  5000  6000  7000  8000  9000 10000 11000\n  12000 13000 14000 15000 16000 17000 18000 19000]\n [20000 21000 22000 23000 24000 25000 26000 27000 28000 29000 30000 31000\n  32000 33000 34000 35000 36000 37000 38000 39000]]");
        // str((np.arange(120) * 0.25).reshape(2, 2, 30))
        assert_eq!(f64s(&(0..120).map(|i| f64::from(i) * 0.25).collect::<Vec<_>>(), &[2, 2, 30]), "[[[ 0.    0.25  0.5   0.75  1.    1.25  1.5   1.75  2.    2.25  2.5\n    2.75  3.    3.25  3.5   3.75  4.    4.25  4.5   4.75  5.    5.25\n    5.5   5.75  6.    6.25  6.5   6.75  7.    7.25]\n  [ 7.5   7.75  8.    8.25  8.5   8.75  9.    9.25  9.5   9.75 10.\n   10.25 10.5  10.75 11.   11.25 11.5  11.75 12.   12.25 12.5  12.75\n   13.   13.25 13.5  13.75 14.   14.25 14.5  14.75]]\n\n [[15.   15.25 15.5  15.75 16.   16.25 16.5  16.75 17.   17.25 17.5\n   17.75 18.   18.25 18.5  18.75 19.   19.25 19.5  19.75 20.   20.25\n   20.5  20.75 21.   21.25 21.5  21.75 22.   22.25]\n  [22.5  22.75 23.   23.25 23.5  23.75 24.   24.25 24.5  24.75 25.\n   25.25 25.5  25.75 26.   26.25 26.5  26.75 27.   27.25 27.5  27.75\n   28.   28.25 28.5  28.75 29.   29.25 29.5  29.75]]]");
    }
}
