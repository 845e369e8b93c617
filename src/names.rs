//! Metric and label name rules of the classic (pre-UTF-8) Prometheus naming scheme.
//!
//! ```text
//! metric_name = [a-zA-Z_:] [a-zA-Z0-9_:]*
//! label_name  = [a-zA-Z_]  [a-zA-Z0-9_]*
//! ```

/// The label name reserved for the metric name; no exposition may use it as a label.
pub const RESERVED_LABEL: &str = "__name__";

/// Whether `b` may start a metric name.
#[inline]
pub fn is_metric_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':'
}

/// Whether `b` may continue a metric name.
#[inline]
pub fn is_metric_name_continue(b: u8) -> bool {
    is_metric_name_start(b) || b.is_ascii_digit()
}

/// Whether `b` may start a label name.
#[inline]
pub fn is_label_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Whether `b` may continue a label name.
#[inline]
pub fn is_label_name_continue(b: u8) -> bool {
    is_label_name_start(b) || b.is_ascii_digit()
}

/// Whether `name` is a valid metric name.
pub fn is_valid_metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(is_metric_name_start) && bytes.all(is_metric_name_continue)
}

/// Whether `name` is a valid label name (`__name__` included: reserved is not invalid).
pub fn is_valid_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(is_label_name_start) && bytes.all(is_label_name_continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names() {
        for ok in ["a", "_", ":", "a:b_c9", "http_requests_total"] {
            assert!(is_valid_metric_name(ok), "{ok}");
        }
        for bad in ["", "9a", "a-b", "a.b", "é", "a b"] {
            assert!(!is_valid_metric_name(bad), "{bad}");
        }
    }

    #[test]
    fn label_names() {
        for ok in ["a", "_", "le", "__name__", "a9"] {
            assert!(is_valid_label_name(ok), "{ok}");
        }
        for bad in ["", "9", "a:b", ":", "a.b"] {
            assert!(!is_valid_label_name(bad), "{bad}");
        }
    }
}
