//! The exposition formats as a value: their HTTP content types.

use std::fmt;

use crate::names::EscapingScheme;

/// An exposition format this crate reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Varint-delimited protobuf `io.prometheus.client.MetricFamily` messages ([`crate::proto`]).
    ProtoDelimited,
    /// Text format 0.0.4 ([`crate::text`]).
    Text,
    /// OpenMetrics 1.0 text ([`crate::openmetrics`]).
    OpenMetrics,
}

/// `Content-Type` of delimited protobuf, as Go's `expfmt.FmtProtoDelim` spells it.
const PROTO_DELIMITED: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
/// `Content-Type` of text 0.0.4, as Go's `expfmt.FmtText` spells it.
const TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// `Content-Type` of OpenMetrics 1.0.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

impl Format {
    /// The `Content-Type` header value for a body in this format.
    ///
    /// ```
    /// use expfmt::Format;
    /// assert_eq!(Format::Text.content_type(), "text/plain; version=0.0.4; charset=utf-8");
    /// ```
    pub fn content_type(self) -> &'static str {
        match self {
            Format::ProtoDelimited => PROTO_DELIMITED,
            Format::Text => TEXT,
            Format::OpenMetrics => OPENMETRICS,
        }
    }

    /// [`Format::content_type`] with the name escaping scheme the body was written with, as
    /// Prometheus 3 scrapers read it: `...; escaping=underscores`.
    pub fn content_type_escaped(self, scheme: EscapingScheme) -> String {
        format!("{}; escaping={}", self.content_type(), scheme.as_str())
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::ProtoDelimited => "delimited protobuf",
            Format::Text => "text 0.0.4",
            Format::OpenMetrics => "OpenMetrics 1.0",
        })
    }
}

impl Format {
    /// The format of a body with this `Content-Type`, as the Pushgateway decides it: delimited
    /// protobuf for `application/vnd.google.protobuf` with `proto=io.prometheus.client.MetricFamily`
    /// and `encoding=delimited`; text 0.0.4 for everything else, an absent or malformed type
    /// included. One addition: `application/openmetrics-text` is OpenMetrics (the gateway would
    /// try its text parser on it).
    ///
    /// Type and parameter names compare case-insensitively, parameter values exactly (after
    /// removing quotes), as Go's `mime.ParseMediaType` reads them.
    ///
    /// ```
    /// use expfmt::Format;
    /// let proto = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    /// assert_eq!(Format::from_content_type(proto), Format::ProtoDelimited);
    /// assert_eq!(Format::from_content_type("application/json"), Format::Text);
    /// assert_eq!(Format::from_content_type(""), Format::Text);
    /// ```
    pub fn from_content_type(content_type: &str) -> Format {
        let mut parts = content_type.split(';');
        let media = parts.next().unwrap_or("").trim();
        let param = |name: &str| {
            content_type.split(';').skip(1).find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim().eq_ignore_ascii_case(name).then(|| {
                    let v = v.trim();
                    v.strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .unwrap_or(v)
                })
            })
        };
        if media.eq_ignore_ascii_case(PROTO_TYPE)
            && param("proto") == Some(PROTO_PROTOCOL)
            && param("encoding") == Some("delimited")
        {
            Format::ProtoDelimited
        } else if media.eq_ignore_ascii_case(OPENMETRICS_TYPE) {
            Format::OpenMetrics
        } else {
            Format::Text
        }
    }
}

const PROTO_TYPE: &str = "application/vnd.google.protobuf";
const PROTO_PROTOCOL: &str = "io.prometheus.client.MetricFamily";
const OPENMETRICS_TYPE: &str = "application/openmetrics-text";

/// The format to answer a scrape with, given its `Accept` header, as Go's `expfmt.Negotiate`
/// chooses it: delimited protobuf or text 0.0.4, text when nothing matches.
///
/// The reading is Go's (`goautoneg`), odd corners included, so a gateway built on this answers
/// as the Go one does: clauses are ordered by quality (parsed as a 32-bit float; a `q` Go
/// cannot parse counts as 0, and `q=0` does not exclude a clause), concrete types before
/// wildcards of the same quality, and otherwise in the order given; then the first clause
/// that names a format wins. Wildcards (`*/*`, `text/*`) never match. Types and parameter
/// names are case-sensitive, values are not unquoted; text needs `version=0.0.4` or no
/// version.
///
/// Deliberate differences, in `DIFFERENCES.md`: a clause asking for protobuf with
/// `encoding=text` or `encoding=compact-text` (formats this crate does not write) is skipped,
/// where Go answers with that format; Go's sort is not stable for more than 12 clauses, ours
/// is.
///
/// ```
/// use expfmt::{format::negotiate, Format};
/// let prometheus = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
///     encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1";
/// assert_eq!(negotiate(prometheus), Format::ProtoDelimited);
/// assert_eq!(negotiate("text/plain;q=0.5, application/json"), Format::Text);
/// assert_eq!(negotiate(""), Format::Text);
/// ```
pub fn negotiate(accept: &str) -> Format {
    choose(accept, false).0
}

/// As [`negotiate`], and OpenMetrics for `application/openmetrics-text` with `version=1.0.0`,
/// `version=0.0.1` or no version, as Go's `expfmt.NegotiateIncludingOpenMetrics` chooses
/// (Go 0.39 knows only 0.0.1; newer versions take 1.0.0 too). The answer is OpenMetrics 1.0
/// either way: 0.0.1 is its earlier name.
///
/// ```
/// use expfmt::{format::negotiate_including_openmetrics, Format};
/// let prometheus = "application/openmetrics-text;version=1.0.0,\
///     application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
/// assert_eq!(negotiate_including_openmetrics(prometheus), Format::OpenMetrics);
/// assert_eq!(expfmt::format::negotiate(prometheus), Format::Text);
/// ```
pub fn negotiate_including_openmetrics(accept: &str) -> Format {
    choose(accept, true).0
}

/// As [`negotiate_including_openmetrics`] (or [`negotiate`] when `openmetrics` is false), and
/// the name escaping scheme the scraper asked for in the chosen clause's `escaping` parameter
/// (Prometheus 3), as newer Go's `Negotiate` and `Format.ToEscapingScheme` read it: `allow-utf-8`,
/// `underscores`, `dots` or `values`; [`EscapingScheme::Underscores`] when the clause names none
/// or one that does not parse (Go 0.39 ignores the parameter). Apply the scheme with
/// [`crate::names::escape_family`] before encoding, and answer with
/// [`Format::content_type_escaped`].
///
/// ```
/// use expfmt::{format::negotiate_escaping, names::EscapingScheme, Format};
/// let prometheus3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8,\
///     text/plain;version=0.0.4;escaping=underscores;q=0.5";
/// assert_eq!(
///     negotiate_escaping(prometheus3, true),
///     (Format::OpenMetrics, EscapingScheme::AllowUtf8)
/// );
/// assert_eq!(
///     negotiate_escaping(prometheus3, false),
///     (Format::Text, EscapingScheme::Underscores)
/// );
/// assert_eq!(negotiate_escaping("text/plain", false).1, EscapingScheme::Underscores);
/// assert_eq!(
///     Format::Text.content_type_escaped(EscapingScheme::Values),
///     "text/plain; version=0.0.4; charset=utf-8; escaping=values"
/// );
/// ```
pub fn negotiate_escaping(accept: &str, openmetrics: bool) -> (Format, EscapingScheme) {
    let (format, escaping) = choose(accept, openmetrics);
    let scheme = escaping
        .and_then(|e| e.parse::<EscapingScheme>().ok())
        .unwrap_or_default();
    (format, scheme)
}

/// The chosen format and the chosen clause's `escaping` parameter.
fn choose(accept: &str, openmetrics: bool) -> (Format, Option<&str>) {
    for clause in parse_accept(accept) {
        let escaping = clause.param("escaping");
        let version = clause.param("version").unwrap_or("");
        if clause.main == "application"
            && clause.sub == "vnd.google.protobuf"
            && clause.param("proto") == Some(PROTO_PROTOCOL)
            && clause.param("encoding") == Some("delimited")
        {
            return (Format::ProtoDelimited, escaping);
        }
        if clause.main == "text" && clause.sub == "plain" && matches!(version, "0.0.4" | "") {
            return (Format::Text, escaping);
        }
        if openmetrics
            && clause.main == "application"
            && clause.sub == "openmetrics-text"
            && matches!(version, "1.0.0" | "0.0.1" | "")
        {
            return (Format::OpenMetrics, escaping);
        }
    }
    (Format::Text, None)
}

/// One clause of an `Accept` header.
struct Clause<'a> {
    main: &'a str,
    sub: &'a str,
    quality: f32,
    /// In order; a later parameter of the same name wins.
    params: Vec<(&'a str, &'a str)>,
}

impl<'a> Clause<'a> {
    fn param(&self, name: &str) -> Option<&'a str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|&(_, v)| v)
    }

    /// Go's ordering: higher quality first, then a concrete type before `*`, a concrete
    /// subtype before `*`. (Not a total order: Go's insertion sort is what makes it work.)
    fn before(&self, other: &Clause<'_>) -> bool {
        self.quality > other.quality
            || (self.main != "*" && other.main == "*")
            || (self.sub != "*" && other.sub == "*")
    }
}

/// Parses an `Accept` header the way Go's `goautoneg.ParseAccept` does, and sorts it as Go's
/// `sort.Sort` does for up to 12 clauses (an insertion sort).
fn parse_accept(header: &str) -> Vec<Clause<'_>> {
    let mut clauses: Vec<Clause<'_>> = Vec::new();
    for part in header.split(',') {
        let mut pieces = part.trim_matches(' ').split(';');
        let range = pieces.next().unwrap_or("");
        let mut halves = range.split('/');
        let main = halves.next().unwrap_or("").trim_matches(' ');
        let sub = match (halves.next(), halves.next()) {
            (None, _) if main == "*" => "*",
            (Some(sub), None) => sub.trim_matches(' '),
            _ => continue,
        };
        let mut clause = Clause {
            main,
            sub,
            quality: 1.0,
            params: Vec::new(),
        };
        for param in pieces {
            let Some((name, value)) = param.split_once('=') else {
                continue;
            };
            let name = name.trim_matches(' ');
            if name == "q" {
                clause.quality = go_parse_f32(value);
            } else {
                clause.params.push((name, value.trim_matches(' ')));
            }
        }
        clauses.push(clause);
    }
    for i in 1..clauses.len() {
        let mut j = i;
        while j > 0 && clauses[j].before(&clauses[j - 1]) {
            clauses.swap(j, j - 1);
            j -= 1;
        }
    }
    clauses
}

/// Go's `strconv.ParseFloat(s, 32)` with the error dropped: 0 for what does not parse, ±Inf
/// past the float32 range. (Hex floats, which Go also reads, count as 0 here.)
fn go_parse_f32(s: &str) -> f32 {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "rounding to float32 is what Go's bitSize 32 does"
    )]
    crate::number::parse_float(s).map_or(0.0, |v| v as f32)
}

#[cfg(test)]
mod escaping_tests {
    use super::*;

    #[test]
    fn escaping_comes_from_the_chosen_clause_only() {
        let accept = "text/plain;escaping=dots;q=0.2,\
            application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
            encoding=delimited;escaping=values;q=0.9";
        assert_eq!(
            negotiate_escaping(accept, false),
            (Format::ProtoDelimited, EscapingScheme::Values)
        );
        // A value that is not a scheme, or none, or no clause matching: the default.
        for accept in [
            "text/plain;escaping=bogus",
            "text/plain;escaping=",
            "application/json;escaping=dots",
        ] {
            assert_eq!(
                negotiate_escaping(accept, true),
                (Format::Text, EscapingScheme::Underscores),
                "{accept}"
            );
        }
        // The scheme does not change which format is chosen.
        for accept in [
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8",
            "x/y",
        ] {
            assert_eq!(
                negotiate_escaping(accept, true).0,
                negotiate_including_openmetrics(accept)
            );
        }
    }
}
