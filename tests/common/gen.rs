//! Deterministic generators of test inputs.

/// A small deterministic generator (xorshift64*), so failures replay without a seed file.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    /// Mostly from `good`, one time in `odds` from `bad`.
    pub fn mostly<'a>(&mut self, good: &[&'a str], bad: &[&'a str], odds: usize) -> &'a str {
        if self.below(odds) == 0 {
            self.pick(bad)
        } else {
            self.pick(good)
        }
    }
}

/// A random exposition built from the grammar's pieces, biased towards the places where
/// parsers disagree: suffixed names, TYPE/HELP order, odd numbers, blanks, escapes.
pub fn random_exposition(rng: &mut Rng) -> Vec<u8> {
    const NAMES: &[&str] = &[
        "a", "a_count", "a_sum", "a_bucket", "b", "b_total", "h", "h_bucket", "h_count", "h_sum",
        "s", "s_count", "s_sum", ":x",
    ];
    const TYPES: &[&str] = &[
        "counter",
        "gauge",
        "summary",
        "histogram",
        "untyped",
        "Counter",
        "summary",
        "histogram",
        "gauge_histogram",
        "bogus",
        "",
    ];
    const VALUES: &[&str] = &[
        "0",
        "1",
        "-1",
        "1.5",
        ".5",
        "5.",
        "1e6",
        "1234567",
        "-0",
        "NaN",
        "+Inf",
        "-Inf",
        "inf",
        "Infinity",
        "1e-7",
        "123456.789",
        "1e308",
        "4.9e-324",
        "17",
        "0.25",
    ];
    const BAD_VALUES: &[&str] = &["0x10", "1_0", "+nan", "x", "", "1e999"];
    const LABEL_NAMES: &[&str] = &["le", "quantile", "x", "y", "_z", "le", "quantile"];
    const BAD_LABEL_NAMES: &[&str] = &["__name__", "9", ":"];
    const LABEL_VALUES: &[&str] = &[
        "", "0.5", "1", "+Inf", "NaN", "v", "a\\\"b", "a\\\\b", "a\\nb", "é", "x,y=z", "q\\\"}",
        "0.99", "10",
    ];
    const BAD_LABEL_VALUES: &[&str] = &["a\\tb", "x\n"];
    const TIMESTAMPS: &[&str] = &["", "", " 0", " -5", " +7", " 9223372036854775807"];
    const BAD_TIMESTAMPS: &[&str] = &[" 1.5", " 9223372036854775808", " 1 ", " x", " "];
    const BLANKS: &[&str] = &[" ", " ", " ", "\t", "  "];
    let mut out = String::new();
    for _ in 0..(1 + rng.below(8)) {
        match rng.below(12) {
            0 | 1 => {
                out.push_str("# TYPE ");
                out.push_str(rng.pick(NAMES));
                out.push(' ');
                out.push_str(rng.pick(TYPES));
            }
            2 => {
                out.push_str("# HELP ");
                out.push_str(rng.pick(NAMES));
                out.push(' ');
                out.push_str(rng.pick(&["help", "a\\\\b", "a\\nb", "x\\\"y", "", " trailing "]));
            }
            3 => out.push_str(rng.pick(&["# comment", "#", "", "  ", "#HELP a x", "# TYPE"])),
            _ => {
                if rng.below(10) == 0 {
                    out.push_str(rng.pick(BLANKS));
                }
                out.push_str(rng.pick(NAMES));
                if rng.below(3) > 0 {
                    out.push('{');
                    let n = rng.below(4);
                    for i in 0..n {
                        if i > 0 {
                            out.push(',');
                        }
                        if rng.below(8) == 0 {
                            out.push(' ');
                        }
                        out.push_str(rng.mostly(LABEL_NAMES, BAD_LABEL_NAMES, 40));
                        out.push_str("=\"");
                        out.push_str(rng.mostly(LABEL_VALUES, BAD_LABEL_VALUES, 40));
                        out.push('"');
                    }
                    if rng.below(8) == 0 {
                        out.push(',');
                    }
                    out.push('}');
                }
                out.push_str(rng.pick(BLANKS));
                out.push_str(rng.mostly(VALUES, BAD_VALUES, 40));
                out.push_str(rng.mostly(TIMESTAMPS, BAD_TIMESTAMPS, 40));
            }
        }
        out.push('\n');
    }
    let mut bytes = out.into_bytes();
    // Occasionally damage one byte, or drop the final newline.
    match rng.below(20) {
        0 if !bytes.is_empty() => {
            let i = rng.below(bytes.len());
            bytes[i] = b"{}\"=, \n\\#x\t\r"[rng.below(12)];
        }
        1 => {
            bytes.pop();
        }
        _ => {}
    }
    bytes
}
