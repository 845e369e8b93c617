//! Numbers as Go's `expfmt` reads and writes them.
//!
//! Reading follows Go's `strconv.ParseFloat` behind expfmt's filter: decimal floats with an
//! optional exponent, `.5` and `5.` included; `inf`, `infinity` and `nan` in any case, the
//! infinities with an optional sign; no hex floats, no `_` digit separators; a finite spelling
//! that overflows to infinity (`1e999`) is an error. Timestamps are `strconv.ParseInt(s, 10, 64)`:
//! optional sign, decimal digits, no overflow.
//!
//! Writing follows expfmt's `writeFloat`: `0`, `1`, `-1`, `NaN`, `+Inf`, `-Inf` spelled out, and
//! otherwise `strconv.FormatFloat(v, 'g', -1, 64)`: the shortest digits that read back to the
//! same value, in exponent form (`1e+06`, `1.5e-07`) when the decimal exponent is below -4 or
//! at least 6.
//!
//! OpenMetrics reads its `number` exactly as [`parse_float`] does (the ABNF below is the same
//! language), and its timestamps as `realnumber`, the finite part of it, in seconds:
//! [`parse_seconds_ms`] and [`parse_seconds`] convert the decimal text exactly, without going
//! through a float, and [`write_seconds_ms`] / [`write_seconds`] write it back exactly.
//! [`write_openmetrics_float`] is Go's `writeOpenMetricsFloat`: [`write_float`] plus `.0` when
//! the result would read as an integer.
//!
//! ```text
//! number     = realnumber / [SIGN] ("inf" / "infinity") / "nan"      ; letters in any case
//! realnumber = [SIGN] 1*DIGIT ["." *DIGIT] ["e" [SIGN] 1*DIGIT]
//! realnumber =/ [SIGN] *DIGIT "." 1*DIGIT ["e" [SIGN] 1*DIGIT]
//! ```

use std::fmt::Write as _;

use crate::model::Timestamp;

/// The NaN Go's `math.NaN()` and `strconv.ParseFloat("NaN")` return: bits `0x7ff8000000000001`.
pub const GO_NAN: f64 = f64::from_bits(0x7ff8_0000_0000_0001);

/// Parses a sample value, a `le` bound or a `quantile` rank as Go's expfmt does.
///
/// ```text
/// float   = [sign] ( decimal [exponent] | "inf" | "infinity" ) | "nan"   ; letters in any case
/// decimal = digits ["." [digits]] | "." digits
/// exponent = ("e" | "E") [sign] digits
/// ```
pub fn parse_float(s: &str) -> Option<f64> {
    // Fast paths: plain integers, the most common value spelling, and short decimals (`1.0`,
    // `-0.25`: OpenMetrics writes every float with a point).
    if let Some(v) = parse_small_uint(s) {
        return Some(v);
    }
    if let Some(v) = parse_small_decimal(s) {
        return Some(v);
    }
    // Go's expfmt filters these before ParseFloat (hex floats and digit separators); Rust
    // rejects them anyway except inside "infinity"/"nan", which contain none of them.
    if s.bytes().any(|b| matches!(b, b'p' | b'P' | b'_')) {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    let unsigned = s.strip_prefix(['+', '-']);
    if v.is_nan() {
        // Rust reads "+nan"/"-nan"; Go's ParseFloat takes a sign only before an infinity.
        // Go returns math.NaN(), whose bits differ from Rust's f64::NAN; protobuf carries the
        // bits, so use Go's to write the same bytes.
        return unsigned.is_none().then_some(GO_NAN);
    }
    if v.is_infinite() {
        let word = unsigned.unwrap_or(s);
        if !word.eq_ignore_ascii_case("inf") && !word.eq_ignore_ascii_case("infinity") {
            // A finite spelling out of range: Go's ParseFloat reports ErrRange.
            return None;
        }
    }
    Some(v)
}

/// The powers of ten an f64 holds exactly, for the Clinger fast paths ([`parse_small_decimal`],
/// `parse_block`).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// [`parse_float`] of `bytes[..n]`, a token shorter than its 16-byte block, when it is
/// `[-] digits ["." digits]` (at least one digit, so at most 15 since `n < 16`); `None` for any
/// other token, which the caller gives to [`parse_float`].
///
/// Without a branch per byte, so that a value's length does not decide how many branches run:
/// the block's masks check the shape, the digits are gathered into one 128-bit word (the point
/// taken out) and aligned right, and each half turns into its eight-digit number by three
/// multiplications (the digits' pairs, then quads, then the eight). The result is the digits
/// as an integer `m`, exact, divided by the power of ten of the fraction's length, exact for
/// up to 15 digits: the same Clinger fast path as [`parse_small_decimal`], so the same bits.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
pub(crate) fn parse_block(bytes: [u8; 16], block: crate::block::Block, n: usize) -> Option<f64> {
    if n == 0 || n >= 16 {
        return None;
    }
    let token = (1u32 << n) - 1;
    let negative = bytes.first() == Some(&b'-');
    let sign = usize::from(negative);
    let dots = block.eq(b'.') & token;
    let digits = block.in_range(b'0', b'9') & token;
    // Every byte after the sign a digit or the one point.
    if digits | dots != token & !u32::from(negative) || dots & dots.wrapping_sub(1) != 0 {
        return None;
    }
    let count = n - sign - usize::from(dots != 0);
    if count == 0 {
        return None;
    }
    // The point's place (the end when there is none): the digits before it, then the ones
    // after it moved down a byte over it.
    let point = if dots == 0 {
        n
    } else {
        dots.trailing_zeros() as usize
    };
    let values = u128::from_le_bytes(bytes) & u128::from_le_bytes([0x0f; 16]);
    if digits == token {
        // A plain integer, the commonest value: nothing to gather, no scale.
        #[expect(clippy::cast_precision_loss, reason = "below 10^15 < 2^53: exact")]
        return Some(sixteen_digits(values << (8 * (16 - n))) as f64);
    }
    let before = (1u128 << (8 * point)) - 1;
    let after = ((1u128 << (8 * (n - 1))) - 1) & !before;
    let gathered = ((values & before) | ((values >> 8) & after)) >> (8 * sign);
    // Right-aligned: the first digit at byte 16 - count, zeros (leading zeros) below it.
    let m = sixteen_digits(gathered << (8 * (16 - count)));
    #[expect(clippy::cast_precision_loss, reason = "m < 10^15 < 2^53 is exact")]
    let v = m as f64 / *POW10.get(count - (point - sign))?;
    Some(if negative { -v } else { v })
}

/// The number the sixteen digit values in `v`'s bytes spell, the lowest byte the first digit.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
fn sixteen_digits(v: u128) -> u64 {
    #[expect(clippy::cast_possible_truncation, reason = "the word's halves")]
    let (high, low) = (v as u64, (v >> 64) as u64);
    eight_digits(high) * 100_000_000 + eight_digits(low)
}

/// The number the eight digit values in `v`'s bytes spell, the lowest byte the first digit.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
fn eight_digits(v: u64) -> u64 {
    // Each step joins neighbours: byte pairs into 16-bit lanes (10a + b), those into 32-bit
    // lanes (100ab + cd), those into the whole (10^4 abcd + efgh).
    let v = (v.wrapping_mul(10) + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    let v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_ffff_0000_ffff;
    (v.wrapping_mul(10_000) + (v >> 32)) & 0xffff_ffff
}

/// Up to 15 ASCII digits, no sign: exact in an f64, and the bulk of real-world values.
fn parse_small_uint(s: &str) -> Option<f64> {
    if s.is_empty() || s.len() > 15 {
        return None;
    }
    let mut n: u64 = 0;
    for b in s.bytes() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u64::from(d);
    }
    #[expect(clippy::cast_precision_loss, reason = "n < 10^15 < 2^53 is exact")]
    Some(n as f64)
}

/// `[-] digits ["." digits] [("e" | "E") [sign] digits]` with at most 15 digits before the
/// exponent and a decimal scale of at most 22 either way: the digits as an integer `m` (exact,
/// below 2^53) times or divided by 10^k (exact for k <= 22), which IEEE arithmetic rounds
/// correctly, so the result is the one a full parser gives (Clinger's fast path).
fn parse_small_decimal(s: &str) -> Option<f64> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let bytes = body.as_bytes();
    // The digits as one integer `m`, wrapping: past 19 digits it is garbage, but those are
    // refused below.
    let (mut i, mut m) = read_digits(bytes, 0, 0);
    let int_digits = i;
    let mut frac_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        let start = i + 1;
        (i, m) = read_digits(bytes, start, m);
        frac_digits = i - start;
    }
    let digits = int_digits + frac_digits;
    if digits == 0 || digits > 15 {
        return None;
    }
    #[expect(clippy::cast_possible_truncation, reason = "at most 15 digits")]
    #[expect(clippy::cast_possible_wrap, reason = "at most 15 digits")]
    let mut scale = -(frac_digits as i32);
    if let Some(&b) = bytes.get(i) {
        if b != b'e' && b != b'E' {
            return None;
        }
        // The exponent: a sign, then one to three digits.
        let exp = body.get(i + 1..)?;
        let (sign, exp_digits) = match exp.as_bytes().first()? {
            b'-' => (-1, exp.get(1..)?),
            b'+' => (1, exp.get(1..)?),
            _ => (1, exp),
        };
        if exp_digits.is_empty() || exp_digits.len() > 3 {
            return None;
        }
        let mut e = 0i32;
        for b in exp_digits.bytes() {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            e = e * 10 + i32::from(d);
        }
        scale += sign * e;
    }
    #[expect(clippy::cast_precision_loss, reason = "m < 10^15 < 2^53 is exact")]
    let m = m as f64;
    let v = if scale >= 0 {
        m * POW10.get(usize::try_from(scale).ok()?)?
    } else {
        m / POW10.get(usize::try_from(-scale).ok()?)?
    };
    Some(if negative { -v } else { v })
}

/// Reads the run of digits at `bytes[i..]` into `m` (wrapping); returns where the run ends and
/// `m`. One loop per run, so a byte costs one comparison.
#[inline(always)]
fn read_digits(bytes: &[u8], mut i: usize, mut m: u64) -> (usize, u64) {
    while let Some(d) = bytes
        .get(i)
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|&d| d <= 9)
    {
        m = m.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    (i, m)
}

/// Parses a timestamp in milliseconds as Go's `strconv.ParseInt(s, 10, 64)` does.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    // Rust's i64 parser has the same grammar: optional '+' or '-', then at least one digit.
    s.parse().ok()
}

/// A `realnumber` split into its parts, digits still text.
struct Decimal<'a> {
    negative: bool,
    /// Digits before the point, then digits after it (either may be empty, not both).
    int: &'a str,
    frac: &'a str,
    /// The exponent, saturated to ±2^62 (far beyond any digit count).
    exp: i64,
}

/// ```text
/// realnumber = [SIGN] 1*DIGIT ["." *DIGIT] ["e" [SIGN] 1*DIGIT]
/// realnumber =/ [SIGN] *DIGIT "." 1*DIGIT ["e" [SIGN] 1*DIGIT]
/// ```
fn parse_decimal(s: &str) -> Option<Decimal<'_>> {
    let digits = |t: &str| {
        t.bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(t.len())
    };
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let (int, rest) = rest.split_at(digits(rest));
    let (frac, rest) = match rest.strip_prefix('.') {
        Some(after) => after.split_at(digits(after)),
        None => ("", rest),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let exp = match rest.strip_prefix(['e', 'E']) {
        None if rest.is_empty() => 0,
        None => return None,
        Some(e) => {
            let (neg, e) = match e.as_bytes().first() {
                Some(b'-') => (true, e.get(1..)?),
                Some(b'+') => (false, e.get(1..)?),
                _ => (false, e),
            };
            if e.is_empty() || digits(e) != e.len() {
                return None;
            }
            let mut v: i64 = 0;
            for b in e.bytes() {
                v = v
                    .saturating_mul(10)
                    .saturating_add(i64::from(b - b'0'))
                    .min(1 << 62);
            }
            if neg {
                -v
            } else {
                v
            }
        }
    };
    Some(Decimal {
        negative,
        int,
        frac,
        exp,
    })
}

impl Decimal<'_> {
    /// The value times 10^`scale`, rounded to the nearest integer (halves away from zero),
    /// saturated at ±10^30.
    fn scaled(&self, scale: i64) -> i128 {
        const LIMIT: i128 = 1_000_000_000_000_000_000_000_000_000_000;
        // value = 0.d1 d2 … dn × 10^k with d = int ++ frac and k = |int| + exp; the integer
        // part of value × 10^scale is the first k + scale digits.
        let len = |t: &str| i64::try_from(t.len()).unwrap_or(i64::MAX);
        let keep = len(self.int).saturating_add(self.exp).saturating_add(scale);
        let mut digits = self.int.bytes().chain(self.frac.bytes());
        let mut acc: i128 = 0;
        let mut taken: i64 = 0;
        while taken < keep {
            let Some(d) = digits.next() else { break };
            acc = (acc * 10 + i128::from(d - b'0')).min(LIMIT);
            taken += 1;
        }
        if taken < keep {
            // The point lies beyond the digits: append zeros (a few suffice to saturate).
            while acc != 0 && acc < LIMIT && taken < keep {
                acc = (acc * 10).min(LIMIT);
                taken += 1;
            }
        } else if keep >= 0 && digits.next().is_some_and(|d| d >= b'5') {
            acc = (acc + 1).min(LIMIT);
        }
        if self.negative {
            -acc
        } else {
            acc
        }
    }
}

/// Whether `s` is a `realnumber` that fits an f64 (OpenMetrics: "Floating point numbers MUST
/// fit within the range of a 64-bit floating point value").
fn parse_realnumber(s: &str) -> Option<Decimal<'_>> {
    let d = parse_decimal(s)?;
    parse_float(s)?;
    Some(d)
}

/// Reads an OpenMetrics timestamp (`realnumber` seconds) as milliseconds since the epoch.
///
/// The decimal text is converted exactly: `1.5` is 1500, `1520879607.789` is 1520879607789,
/// whatever their float rounding. Finer digits round to the nearest millisecond, halves away
/// from zero (`0.0005` is 1, `-0.0005` is -1). Timestamps beyond the ±292 million years an
/// `i64` of milliseconds holds saturate at `i64::MIN` / `i64::MAX`.
///
/// `None` for anything that is not a `realnumber` (`NaN`, `Inf`, `0x1p-3`, `1_0`, `1e`), or
/// whose value is beyond the f64 range (`1e400`).
pub fn parse_seconds_ms(s: &str) -> Option<i64> {
    let ms = parse_realnumber(s)?.scaled(3);
    Some(i64::try_from(ms).unwrap_or(if ms < 0 { i64::MIN } else { i64::MAX }))
}

/// Reads an OpenMetrics timestamp (`realnumber` seconds) exactly, to the nanosecond.
///
/// As [`parse_seconds_ms`], at nanosecond resolution: finer digits round to the nearest
/// nanosecond, and values beyond the `i64` seconds range saturate. Also reads `_created`
/// sample values, which are timestamps written as numbers.
pub fn parse_seconds(s: &str) -> Option<Timestamp> {
    const NS: i128 = 1_000_000_000;
    let ns = parse_realnumber(s)?.scaled(9);
    let (min, max) = (
        i128::from(i64::MIN) * NS,
        i128::from(i64::MAX) * NS + (NS - 1),
    );
    let ns = ns.clamp(min, max);
    Some(Timestamp {
        seconds: i64::try_from(ns.div_euclid(NS)).unwrap_or(0),
        nanos: i32::try_from(ns.rem_euclid(NS)).unwrap_or(0),
    })
}

/// Writes `total / 10^digits` as a decimal with no trailing zeros after the point (and no
/// point for whole values): exact, so the parsers read back `total`.
fn write_scaled(out: &mut String, total: i128, digits: u32) {
    let unit = 10u128.pow(digits);
    if total < 0 {
        out.push('-');
    }
    let abs = total.unsigned_abs();
    let _ = write!(out, "{}", abs / unit);
    let frac = abs % unit;
    if frac != 0 {
        let mut buf = Buf::new();
        let _ = write!(buf, "{frac:0width$}", width = digits as usize);
        out.push('.');
        out.push_str(buf.as_str().trim_end_matches('0'));
    }
}

/// Writes milliseconds as OpenMetrics timestamp seconds: `1500` as `1.5`, `-1` as `-0.001`,
/// `7000` as `7`. [`parse_seconds_ms`] reads every output back to the same value.
pub fn write_seconds_ms(out: &mut String, ms: i64) {
    write_scaled(out, i128::from(ms), 3);
}

/// Writes a timestamp as OpenMetrics seconds, to the nanosecond: `{1, 500_000_000}` as `1.5`.
/// [`parse_seconds`] reads every output of a normalised timestamp (nanos in 0..10^9) back to
/// the same value.
pub fn write_seconds(out: &mut String, ts: Timestamp) {
    let ns = i128::from(ts.seconds) * 1_000_000_000 + i128::from(ts.nanos);
    write_scaled(out, ns, 9);
}

/// Appends `v` as Go's `writeOpenMetricsFloat` does: as [`write_float`], with `.0` appended
/// when the result has neither a point nor an exponent (`1.0`, `0.0`, `-1.0`, `123456.0`);
/// `NaN`, `+Inf` and `-Inf` as they are. This is also OpenMetrics' canonical rendering of `le`
/// and `quantile` values.
pub fn write_openmetrics_float(out: &mut String, v: f64) {
    let start = out.len();
    write_float(out, v);
    let written = out.get(start..).unwrap_or_default();
    if v.is_finite() && !written.contains(['.', 'e']) {
        out.push_str(".0");
    }
}

/// Converts a float count to an integer exactly as Go's `uint64(f)` does on amd64, so a text
/// count means the same here as in Go: values below 2^63 truncate toward zero as an int64 and
/// are reinterpreted (`-1` becomes `2^64 - 1`), values in `[2^63, 2^64)` convert exactly, and
/// everything else (NaN, infinities, `<= -2^63`, `>= 2^64`) becomes `2^63`.
pub fn go_uint64(v: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "reproducing Go's conversion bit for bit"
    )]
    if v < TWO_63 {
        (v as i64) as u64
    } else if v < TWO_64 {
        v as u64
    } else {
        1 << 63
    }
}

/// Appends `v` as Go's expfmt writes a float.
pub fn write_float(out: &mut String, v: f64) {
    if v == 0.0 {
        // Go compares with == 0, so negative zero is written "0" too.
        out.push('0');
    } else if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else if v.fract() == 0.0 && v.abs() < 1e6 {
        // Integers below 10^6 print as plain integers in 'g' form.
        #[expect(clippy::cast_possible_truncation, reason = "|v| < 1e6 and integral")]
        let i = v as i64;
        write_int(out, i);
    } else {
        write_g(out, v);
    }
}

/// Appends the integer `i` in decimal.
#[inline]
pub(crate) fn write_int(out: &mut String, i: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(i));
}

/// `strconv.FormatFloat(v, 'g', -1, 64)` for finite, non-zero `v`.
fn write_g(out: &mut String, v: f64) {
    // ryu prints the shortest round-tripping digits, as Go chooses them (both are
    // shortest-unique, nearest on ties), as `[-]ddd.ddd` or `[-]d.ddde[-]x`: take the
    // digits and the exponent of the first one, then lay them out as Go does.
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(v).as_bytes();
    // One pass: the digits (ryu writes at most 17), where the point is, the exponent.
    let mut digits = [0u8; 24];
    let (mut n, mut int_digits, mut leading_zeros) = (0usize, None, 0i32);
    let mut neg = false;
    let mut e = 0i32;
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        i += 1;
        match b {
            b'-' => neg = true,
            // A zero before the first significant digit: after the point, it lowers the
            // exponent; before it (`0.`), it is nothing.
            b'0' if n == 0 && int_digits.is_some() => leading_zeros += 1,
            b'0' if n == 0 => {}
            b'0'..=b'9' => {
                if let Some(d) = digits.get_mut(n) {
                    *d = b;
                    n += 1;
                }
            }
            b'.' => int_digits = Some(n),
            b'e' | b'E' => {
                let exp = std::str::from_utf8(s.get(i..).unwrap_or_default()).unwrap_or("0");
                e = exp.parse().unwrap_or(0);
                break;
            }
            _ => {}
        }
    }
    // Digits before the point (all of them when there is no point); at most 17: exact casts.
    let int_digits = int_digits.unwrap_or(n) as i32;
    let exp = if int_digits > 0 {
        e + int_digits - 1
    } else {
        e - 1 - leading_zeros
    };
    let digits = std::str::from_utf8(digits.get(..n).unwrap_or_default()).unwrap_or_default();
    layout_g(out, neg, digits.trim_end_matches('0'), exp);
}

/// Lays out the significant `digits` (no leading or trailing zeros) of a number whose first
/// digit has the decimal exponent `exp`, as Go's `%g` with the shortest precision does.
fn layout_g(out: &mut String, neg: bool, digits: &str, exp: i32) {
    if neg {
        out.push('-');
    }
    // Go's shortest %g: %e when exp < -4 || exp >= 6.
    if !(-4..6).contains(&exp) {
        // %e: d[.ddd]e±dd
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        write_int(out, e);
    } else if exp < 0 {
        // 0.000ddd
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        // ddd[.ddd], padding with zeros when the point lies beyond the digits.
        let point = usize::try_from(exp).unwrap_or(0) + 1;
        if digits.len() <= point {
            out.push_str(digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            let (int, frac) = digits.split_at(point);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
    }
}

/// A small stack buffer for formatting, so writing a float never allocates.
struct Buf {
    bytes: [u8; 40],
    len: usize,
}

impl Buf {
    fn new() -> Self {
        Buf {
            bytes: [0; 40],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl std::fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dst = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(v: f64) -> String {
        let mut s = String::new();
        write_float(&mut s, v);
        s
    }

    /// The significant digits of `%g` output.
    fn significant(s: &str) -> usize {
        let mantissa = s.split('e').next().unwrap_or_default();
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        digits.trim_start_matches('0').trim_end_matches('0').len()
    }

    /// `write_g` writes digits that read back exactly and as few as Rust's `{:e}` (shortest
    /// round-trip) writes. On ties the two may pick different digits: Go and ryu pick the
    /// even one; `tests/oracle_go.rs` checks the choice against Go.
    fn shortest_and_exact(v: f64) -> std::result::Result<(), proptest::test_runner::TestCaseError> {
        if v.is_finite() && v != 0.0 {
            let mut ours = String::new();
            write_g(&mut ours, v);
            proptest::prop_assert_eq!(ours.parse::<f64>().ok(), Some(v), "{}", ours);
            proptest::prop_assert_eq!(
                significant(&ours),
                significant(&format!("{v:e}")),
                "{}",
                ours
            );
        }
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        #[test]
        fn shortest_digits_on_any_bits(bits: u64) {
            shortest_and_exact(f64::from_bits(bits))?;
        }

        #[test]
        fn shortest_digits_on_decimals(m in -10_000_000i64..10_000_000, k in -25i32..25) {
            #[allow(clippy::cast_precision_loss)]
            let v = m as f64 * 10f64.powi(k);
            shortest_and_exact(v)?;
            shortest_and_exact(f64::from_bits(v.to_bits() + 1))?;
        }
    }

    #[test]
    fn accepts_what_go_accepts() {
        for (s, v) in [
            ("1", 1.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("-0", -0.0),
            ("+5", 5.0),
            ("1e3", 1000.0),
            ("1E-3", 0.001),
            ("Infinity", f64::INFINITY),
            ("inf", f64::INFINITY),
            ("-Inf", f64::NEG_INFINITY),
            ("+INF", f64::INFINITY),
            ("1e-400", 0.0),
            ("123456789012345678901234567890", 1.2345678901234568e29),
        ] {
            assert_eq!(parse_float(s), Some(v), "{s}");
        }
        assert_eq!(parse_float("NaN").map(f64::to_bits), Some(GO_NAN.to_bits()));
        assert_eq!(parse_float("nan").map(f64::to_bits), Some(GO_NAN.to_bits()));
    }

    #[test]
    fn rejects_what_go_rejects() {
        for s in [
            "",
            "+",
            "-",
            ".",
            "e5",
            "1e",
            "1e+",
            "0x10",
            "0x1p3",
            "1_000",
            "NaNx",
            "+nan",
            "-NaN",
            "1e999999999",
            "-1e309",
            "infin",
            " 1",
            "1 ",
            "1,5",
            "١",
        ] {
            assert_eq!(parse_float(s), None, "{s:?}");
        }
    }

    #[test]
    fn timestamps_are_go_int64() {
        assert_eq!(parse_timestamp("+5"), Some(5));
        assert_eq!(parse_timestamp("-9223372036854775808"), Some(i64::MIN));
        for s in [
            "",
            "+",
            "1.5",
            "1e3",
            "9223372036854775808",
            "-9223372036854775809",
            "1_0",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s:?}");
        }
    }

    #[test]
    fn uint64_conversion_is_gos() {
        // Values measured with Go 1.19 on amd64 (see tests/oracle).
        assert_eq!(go_uint64(-1.0), u64::MAX);
        assert_eq!(go_uint64(f64::NAN), 1 << 63);
        assert_eq!(go_uint64(-2.5), u64::MAX - 1);
        assert_eq!(go_uint64(-0.5), 0);
        assert_eq!(go_uint64(1.9), 1);
        assert_eq!(go_uint64(f64::INFINITY), 1 << 63);
        assert_eq!(go_uint64(f64::NEG_INFINITY), 1 << 63);
        assert_eq!(go_uint64(1e19), 10_000_000_000_000_000_000);
        assert_eq!(go_uint64(1e30), 1 << 63);
    }

    #[test]
    fn formats_like_go() {
        for (v, s) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (123456.0, "123456"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-2.5, "-2.5"),
            (100.25, "100.25"),
            (999999.5, "999999.5"),
            (-123456.75, "-123456.75"),
        ] {
            assert_eq!(fmt(v), s, "{v:e}");
        }
    }

    fn secs_ms(ms: i64) -> String {
        let mut s = String::new();
        write_seconds_ms(&mut s, ms);
        s
    }

    #[test]
    fn openmetrics_timestamps_read_exactly() {
        for (s, ms) in [
            ("0", 0),
            ("000", 0),
            ("0.0", 0),
            ("1.1", 1100),
            ("1.5e3", 1_500_000),
            ("1E3", 1_000_000),
            ("-1.1", -1100),
            (".5", 500),
            ("5.", 5000),
            ("+7", 7000),
            ("1520879607.789", 1_520_879_607_789),
            ("0.0000000001", 0),
            ("0.0005", 1),
            ("-0.0005", -1),
            ("0.00049999", 0),
            ("1e-3", 1),
            ("123e-5", 1),
            ("0e999999999999999999999", 0),
            ("12345678901234567890.1234567890", i64::MAX),
            ("-12345678901234567890", i64::MIN),
            ("9223372036854775.807", i64::MAX),
            ("1e300", i64::MAX),
        ] {
            assert_eq!(parse_seconds_ms(s), Some(ms), "{s}");
        }
        for s in [
            "", "NaN", "Inf", "+Inf", "-inf", "infinity", "1_2", "0x1p-3", "1.1.1", "z", "1z", ".",
            "-", "+", "1e", "1e+", "e3", " 1", "1 ", "1e400", "--1",
        ] {
            assert_eq!(parse_seconds_ms(s), None, "{s:?}");
            assert_eq!(parse_seconds(s), None, "{s:?}");
        }
        assert_eq!(
            parse_seconds("1604676851.123456789"),
            Some(Timestamp {
                seconds: 1_604_676_851,
                nanos: 123_456_789
            })
        );
        assert_eq!(
            parse_seconds("-1.5"),
            Some(Timestamp {
                seconds: -2,
                nanos: 500_000_000
            })
        );
        assert_eq!(
            parse_seconds("1e30"),
            Some(Timestamp {
                seconds: i64::MAX,
                nanos: 999_999_999
            })
        );
    }

    #[test]
    fn openmetrics_timestamps_write_exactly() {
        for (ms, s) in [
            (0, "0"),
            (1500, "1.5"),
            (-1, "-0.001"),
            (7000, "7"),
            (1_520_879_607_789, "1520879607.789"),
            (i64::MIN, "-9223372036854775.808"),
        ] {
            assert_eq!(secs_ms(ms), s);
        }
        let mut out = String::new();
        write_seconds(
            &mut out,
            Timestamp {
                seconds: -2,
                nanos: 500_000_000,
            },
        );
        assert_eq!(out, "-1.5");
    }

    #[test]
    fn openmetrics_floats() {
        for (v, s) in [
            (0.0, "0.0"),
            (1.0, "1.0"),
            (-1.0, "-1.0"),
            (123456.0, "123456.0"),
            (1e6, "1e+06"),
            (0.5, "0.5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ] {
            let mut out = String::new();
            write_openmetrics_float(&mut out, v);
            assert_eq!(out, s);
        }
    }

    /// `s` in a 16-byte block, ended by `end` and followed by `after`'s bytes: when it is
    /// shorter than the block, [`parse_block`] answers as [`parse_float`] does, bit for bit,
    /// and answers at all for every `[-] digits ["." digits]` spelling.
    #[cfg(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))]
    fn block_value_agrees(
        s: &str,
        end: u8,
        after: [u8; 16],
    ) -> std::result::Result<(), proptest::test_runner::TestCaseError> {
        let n = s.len();
        if n >= 16 {
            return Ok(());
        }
        let mut bytes = after;
        bytes[..n].copy_from_slice(s.as_bytes());
        bytes[n] = end;
        let got = parse_block(bytes, crate::block::Block::new(bytes), n);
        if let Some(v) = got {
            proptest::prop_assert_eq!(Some(v.to_bits()), parse_float(s).map(f64::to_bits), "{}", s);
        }
        let body = s.strip_prefix('-').unwrap_or(s);
        let plain = body.bytes().filter(|&b| b == b'.').count() <= 1
            && body.bytes().all(|b| b == b'.' || b.is_ascii_digit())
            && body.bytes().any(|b| b.is_ascii_digit());
        proptest::prop_assert_eq!(got.is_some(), plain, "{}", s);
        Ok(())
    }

    #[cfg(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))]
    proptest::proptest! {
        #[test]
        fn block_values_read_as_parse_float_reads_them(
            s in "[-+0-9.eE]{0,15}|-?[0-9]{0,15}(\\.[0-9]{0,15})?",
            end in proptest::sample::select(vec![b' ', b'\t', b'\n']),
            after: [u8; 16],
        ) {
            block_value_agrees(&s, end, after)?;
        }
    }

    #[test]
    #[cfg(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))]
    fn block_values_of_every_length() {
        for s in [
            "0",
            "7",
            "-0",
            "-1",
            ".5",
            "5.",
            "-.5",
            "12.25",
            "123456789012345",
            "-12345678901234",
            "1234567.8901234",
            "0.0000000000001",
            "9999999.9999999",
            "100000000",
            "12345678",
        ] {
            let mut bytes = [b'9'; 16];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            bytes[s.len()] = b' ';
            let got = parse_block(bytes, crate::block::Block::new(bytes), s.len());
            assert_eq!(
                got.map(f64::to_bits),
                parse_float(s).map(f64::to_bits),
                "{s}"
            );
            assert!(got.is_some(), "{s}");
        }
        for s in [
            "", "-", ".", "-.", "1e5", "+1", "1..2", "1-", "NaN", "1.2.3", "--1",
        ] {
            let mut bytes = [b'1'; 16];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            bytes[s.len()] = b'\n';
            assert_eq!(
                parse_block(bytes, crate::block::Block::new(bytes), s.len()),
                None,
                "{s}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn seconds_round_trip(ms: i64, seconds: i64, nanos in 0i32..1_000_000_000) {
            proptest::prop_assert_eq!(parse_seconds_ms(&secs_ms(ms)), Some(ms));
            let ts = Timestamp { seconds, nanos };
            let mut out = String::new();
            write_seconds(&mut out, ts);
            proptest::prop_assert_eq!(parse_seconds(&out), Some(ts), "{}", out);
        }

        #[test]
        fn short_decimals_with_exponents_read_as_the_full_parser_reads_them(
            s in "-?[0-9]{0,9}(\\.[0-9]{0,9})?[eE][+-]?[0-9]{0,4}"
        ) {
            // The fast path may decline (too many digits, a large scale), never disagree.
            if let Some(v) = parse_small_decimal(&s) {
                proptest::prop_assert_eq!(Some(v.to_bits()), s.parse::<f64>().ok().map(f64::to_bits), "{}", s);
            }
            let (mantissa, exp) = s.split_once(['e', 'E']).unwrap_or((&s, ""));
            let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
            if (1..=15).contains(&digits) && exp.trim_start_matches(['+', '-']).len() == 1
            {
                proptest::prop_assert!(parse_small_decimal(&s).is_some(), "{}", s);
            }
        }

        #[test]
        fn integers_read_as_the_full_parser_reads_them(s in "-?[0-9]{0,18}") {
            // The fast path may decline (over 15 digits), never disagree.
            if let Some(v) = parse_small_decimal(&s) {
                proptest::prop_assert_eq!(Some(v.to_bits()), s.parse::<f64>().ok().map(f64::to_bits), "{}", s);
            }
            let digits = s.trim_start_matches('-').len();
            proptest::prop_assert_eq!(parse_small_decimal(&s).is_some(), (1..=15).contains(&digits), "{}", s);
        }

        #[test]
        fn number_like_text_reads_as_the_full_parser_reads_it(s in "[-+0-9.eE]{0,12}") {
            // Any mix of the characters the fast path reads: when it answers, the answer is
            // the full parser's.
            if let Some(v) = parse_small_decimal(&s) {
                proptest::prop_assert_eq!(Some(v.to_bits()), s.parse::<f64>().ok().map(f64::to_bits), "{}", s);
            }
        }

        #[test]
        fn short_decimals_read_as_the_full_parser_reads_them(
            s in "-?[0-9]{0,9}\\.[0-9]{0,9}"
        ) {
            // The fast path may decline (too many digits), never disagree.
            if let Some(v) = parse_small_decimal(&s) {
                proptest::prop_assert_eq!(Some(v.to_bits()), s.parse::<f64>().ok().map(f64::to_bits), "{}", s);
            }
            if s.len() <= 16 && s.bytes().any(|b| b.is_ascii_digit()) {
                proptest::prop_assert!(parse_small_decimal(&s).is_some(), "{}", s);
            }
        }

        #[test]
        fn written_floats_read_back(bits: u64) {
            let v = f64::from_bits(bits);
            let s = fmt(v);
            let back = parse_float(&s).expect("written float must parse");
            if v.is_nan() {
                proptest::prop_assert!(back.is_nan());
            } else if v == 0.0 {
                proptest::prop_assert_eq!(back, 0.0);
            } else {
                proptest::prop_assert_eq!(back.to_bits(), v.to_bits(), "{}", s);
            }
        }
    }
}
