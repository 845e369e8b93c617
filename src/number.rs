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

use std::fmt::Write as _;

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
    // Fast path: plain integers, the most common value spelling.
    if let Some(v) = parse_small_uint(s) {
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

/// Parses a timestamp in milliseconds as Go's `strconv.ParseInt(s, 10, 64)` does.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    // Rust's i64 parser has the same grammar: optional '+' or '-', then at least one digit.
    s.parse().ok()
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
        let _ = write!(out, "{i}");
    } else {
        write_g(out, v);
    }
}

/// `strconv.FormatFloat(v, 'g', -1, 64)` for finite, non-zero `v`.
fn write_g(out: &mut String, v: f64) {
    // Rust's `{:e}` prints the shortest round-tripping digits as `d.ddde±x`; Go chooses the
    // same digits (both are shortest-unique), only the layout differs.
    let mut sci = Buf::new();
    let _ = write!(sci, "{v:e}");
    let s = sci.as_str();
    let (mantissa, exp) = match s.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (s, 0),
    };
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let mut digits = Buf::new();
    for c in mantissa.chars().filter(char::is_ascii_digit) {
        digits.push(c);
    }
    let digits = digits.as_str();
    if neg {
        out.push('-');
    }
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
        let _ = write!(out, "{e}");
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

    fn push(&mut self, c: char) {
        let mut tmp = [0u8; 4];
        let _ = self.write_str(c.encode_utf8(&mut tmp));
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

    proptest::proptest! {
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
