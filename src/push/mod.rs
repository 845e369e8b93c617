//! A Pushgateway client: everything Go's `prometheus/push` package does.
//!
//! [`Pusher`] is a builder: the gateway's URL and a job name, then any number of
//! [`grouping`](Pusher::grouping) labels, the body [`format`](Pusher::format) (delimited
//! protobuf unless told otherwise, as in Go), [`basic_auth`](Pusher::basic_auth), extra
//! [`header`](Pusher::header)s and a [`timeout`](Pusher::timeout). Then:
//!
//! - `Pusher::push` (`PUT`) replaces every metric of the group with the given families;
//! - `Pusher::add` (`POST`) replaces only the families of the same names;
//! - `Pusher::delete` (`DELETE`) removes the group.
//!
//! Those three send the request with `ureq` and need the cargo feature `push`. The rest of
//! this module is sans-IO and always compiled: [`Pusher::request`] builds a [`PushRequest`]
//! (method, URL with the grouping key, headers, body) that any HTTP client, async ones
//! included, can send; with the feature `http` it converts into an `http::Request`.
//!
//! ```no_run
//! # #[cfg(feature = "push")]
//! # fn main() -> Result<(), expfmt::push::PushError> {
//! use expfmt::{push::Pusher, Metric, MetricFamily, MetricType, Value};
//!
//! let done = MetricFamily::new("backup_last_success_seconds", MetricType::Gauge)
//!     .with_help("When the last backup succeeded.")
//!     .with_metric(Metric::new(vec![], Value::Gauge(1_700_000_000.0)));
//! Pusher::new("localhost:9091", "backup")
//!     .grouping("instance", "db-1")
//!     .push(&[done])?;
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "push"))]
//! # fn main() {}
//! ```
//!
//! # What is refused before anything is sent
//!
//! Each is a [`PushError`] variant: an empty job; a grouping label whose name is not a valid
//! label name, is reserved (`job`, or starting with `__`) or is given twice; a pushed metric that
//! carries a `job` label or a label of the grouping key (the gateway would overwrite it, so Go
//! refuses it too, whatever its value); two families of one name in one push (the gateway keeps
//! only the last); a body the format's encoder refuses.
//!
//! # The grouping key in the URL
//!
//! `<base>/metrics/job/<job>{/<name>/<value>}`, in the order the labels were given. The job and
//! each value are percent-encoded (everything but `A-Z a-z 0-9 - . _ ~`); one that contains a
//! `/`, is empty, or is `.` or `..` (dot segments that HTTP stacks resolve away), is sent
//! base64url-encoded under the name with an `@base64` suffix (an empty value as
//! `<name>@base64/=`). A base URL without a scheme gets `http://`; one trailing `/` is
//! removed.

use std::fmt;
use std::time::Duration;

use crate::format::Format;
use crate::model::{label_set, MetricFamily};
use crate::names;

#[cfg(feature = "http")]
mod http_compat;
#[cfg(feature = "push")]
mod send;

/// The HTTP method of a push request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `PUT`: replace the whole group (`Pusher::push`).
    Put,
    /// `POST`: replace the families of the same names in the group (`Pusher::add`).
    Post,
    /// `DELETE`: delete the group (`Pusher::delete`).
    Delete,
}

impl Method {
    /// The method as it goes on the wire: `PUT`, `POST` or `DELETE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }

    /// Whether the gateway's answer `status` means success: 200 or 202 for `PUT` and `POST`
    /// (the gateway answers 202 when its consistency checks are off), 202 for `DELETE`. These
    /// are the statuses Go's client accepts.
    pub fn is_success(self, status: u16) -> bool {
        match self {
            Method::Put | Method::Post => status == 200 || status == 202,
            Method::Delete => status == 202,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request to a Pushgateway, ready for any HTTP client.
///
/// Its `Debug` output hides the value of an `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct PushRequest {
    /// The method.
    pub method: Method,
    /// The full URL, grouping key included.
    pub url: String,
    /// Header names and values: `Content-Type` (unless `DELETE`), `Authorization` when basic
    /// auth is set, then the extra headers in the order given.
    pub headers: Vec<(String, String)>,
    /// The encoded families; empty for `DELETE`.
    pub body: Vec<u8>,
    /// The time the whole exchange may take, when one was set.
    pub timeout: Option<Duration>,
}

impl fmt::Debug for PushRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let secret = k.eq_ignore_ascii_case("authorization");
                (k.as_str(), if secret { "<redacted>" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("PushRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl PushRequest {
    /// The value of the first header called `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a push was refused, before sending or by the gateway.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The job name is empty.
    #[error("job name is empty")]
    EmptyJob,
    /// A grouping label name that is not a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
    #[error("grouping label has invalid name: {name:?}")]
    InvalidGroupingName {
        /// The name.
        name: String,
    },
    /// A grouping label named `job` (the job is given to [`Pusher::new`]) or starting with `__`
    /// (reserved; the gateway answers 400).
    #[error("grouping label name {name:?} is reserved")]
    ReservedGroupingName {
        /// The name.
        name: String,
    },
    /// The same grouping label name twice.
    #[error("grouping label {name:?} is given twice")]
    DuplicateGroupingName {
        /// The name.
        name: String,
    },
    /// A format the gateway does not read: it takes delimited protobuf and text 0.0.4.
    #[error("the Pushgateway does not accept {format} bodies")]
    UnsupportedFormat {
        /// The format asked for.
        format: Format,
    },
    /// An extra header whose name is not an HTTP token, or whose value holds a control
    /// character.
    #[error("invalid HTTP header {name:?}")]
    InvalidHeader {
        /// The header name.
        name: String,
    },
    /// A pushed metric with a `job` label.
    #[error("pushed metric {family} ({labels}) already contains a job label")]
    JobLabelInMetric {
        /// The family name.
        family: String,
        /// The metric's labels, as `{name="value",…}`.
        labels: String,
    },
    /// A pushed metric with a label that is part of the grouping key.
    #[error("pushed metric {family} ({labels}) already contains grouping label {label}")]
    GroupingLabelInMetric {
        /// The family name.
        family: String,
        /// The metric's labels, as `{name="value",…}`.
        labels: String,
        /// The grouping label's name.
        label: String,
    },
    /// Two families of the same name in one push.
    #[error("metric family {name} is pushed twice")]
    DuplicateFamily {
        /// The family name.
        name: String,
    },
    /// Families given with `DELETE`, which sends no body.
    #[error("DELETE sends no metrics, but families were given")]
    FamiliesWithDelete,
    /// The format's encoder refused the families.
    #[error("failed to encode the pushed metrics: {0}")]
    Encode(#[source] crate::Error),
    /// The gateway answered with a status that is not success (see [`Method::is_success`]).
    #[error("unexpected status code {status} while {} {url}: {body}", verb(*.method))]
    Status {
        /// The method of the request.
        method: Method,
        /// The HTTP status.
        status: u16,
        /// The request URL.
        url: String,
        /// The gateway's answer, as text (cut at 64 KiB).
        body: String,
    },
    /// The request could not be sent or the answer not read.
    #[cfg(feature = "push")]
    #[error("{} {url}: {source}", .method.as_str())]
    Transport {
        /// The method of the request.
        method: Method,
        /// The request URL.
        url: String,
        /// What `ureq` reported.
        #[source]
        source: ureq::Error,
    },
}

/// Go's wording: "while pushing to" or "while deleting".
fn verb(method: Method) -> &'static str {
    match method {
        Method::Put | Method::Post => "pushing to",
        Method::Delete => "deleting",
    }
}

/// Builds requests to a Pushgateway (and, with the feature `push`, sends them).
///
/// Builder methods take and return the pusher by value, as Go's chain does; the first mistake
/// is kept and returned by every later [`request`](Pusher::request) (and by
/// [`error`](Pusher::error)). Its `Debug` output hides the basic-auth password and the values
/// of extra headers.
#[derive(Clone)]
pub struct Pusher {
    base: String,
    job: String,
    grouping: Vec<(String, String)>,
    format: Format,
    basic_auth: Option<(String, String)>,
    headers: Vec<(String, String)>,
    timeout: Option<Duration>,
    error: Option<ErrorSlot>,
    #[cfg(feature = "push")]
    agent: Option<ureq::Agent>,
}

/// The first builder error, kept in a form that can be cloned with the pusher.
#[derive(Debug, Clone)]
enum ErrorSlot {
    EmptyJob,
    InvalidGroupingName(String),
    ReservedGroupingName(String),
    DuplicateGroupingName(String),
    UnsupportedFormat(Format),
    InvalidHeader(String),
}

impl ErrorSlot {
    fn to_error(&self) -> PushError {
        match self {
            ErrorSlot::EmptyJob => PushError::EmptyJob,
            ErrorSlot::InvalidGroupingName(name) => {
                PushError::InvalidGroupingName { name: name.clone() }
            }
            ErrorSlot::ReservedGroupingName(name) => {
                PushError::ReservedGroupingName { name: name.clone() }
            }
            ErrorSlot::DuplicateGroupingName(name) => {
                PushError::DuplicateGroupingName { name: name.clone() }
            }
            ErrorSlot::UnsupportedFormat(format) => {
                PushError::UnsupportedFormat { format: *format }
            }
            ErrorSlot::InvalidHeader(name) => PushError::InvalidHeader { name: name.clone() },
        }
    }
}

impl fmt::Debug for Pusher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Pusher")
            .field("url", &self.url())
            .field("format", &self.format)
            .field("basic_auth_user", &self.basic_auth.as_ref().map(|(u, _)| u))
            .field("headers", &header_names)
            .field("timeout", &self.timeout)
            .field("error", &self.error())
            .finish_non_exhaustive()
    }
}

impl Pusher {
    /// A pusher to the gateway at `url` (`http://host:9091`, or `host:9091`, which gets
    /// `http://`) for the job `job`. An empty job is an error, returned when a request is built.
    pub fn new(url: impl Into<String>, job: impl Into<String>) -> Self {
        let mut base = url.into();
        if !base.contains("://") {
            base.insert_str(0, "http://");
        }
        if base.ends_with('/') {
            base.pop();
        }
        let job = job.into();
        Pusher {
            error: job.is_empty().then_some(ErrorSlot::EmptyJob),
            base,
            job,
            grouping: Vec::new(),
            format: Format::ProtoDelimited,
            basic_auth: None,
            headers: Vec::new(),
            timeout: None,
            #[cfg(feature = "push")]
            agent: None,
        }
    }

    fn fail(&mut self, slot: ErrorSlot) {
        if self.error.is_none() {
            self.error = Some(slot);
        }
    }

    /// Adds a grouping label. Labels go into the URL in the order given; the name must be a
    /// valid label name, not `job`, not start with `__`, and not repeat an earlier one.
    #[must_use]
    pub fn grouping(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        if !names::is_valid_label_name(&name) {
            self.fail(ErrorSlot::InvalidGroupingName(name));
        } else if name == "job" || name.starts_with("__") {
            self.fail(ErrorSlot::ReservedGroupingName(name));
        } else if self.grouping.iter().any(|(n, _)| *n == name) {
            self.fail(ErrorSlot::DuplicateGroupingName(name));
        } else {
            self.grouping.push((name, value.into()));
        }
        self
    }

    /// The body format: [`Format::ProtoDelimited`] (the default, as in Go) or [`Format::Text`].
    /// The gateway reads no other, so [`Format::OpenMetrics`] is an error.
    #[must_use]
    pub fn format(mut self, format: Format) -> Self {
        match format {
            Format::ProtoDelimited | Format::Text => self.format = format,
            other => self.fail(ErrorSlot::UnsupportedFormat(other)),
        }
        self
    }

    /// Sends `Authorization: Basic …` with every request.
    #[must_use]
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((username.into(), password.into()));
        self
    }

    /// Adds a header to every request. A `Content-Type` or `Authorization` header given here
    /// is replaced by the one the pusher sets (the format's, the basic auth's), as in Go.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let (name, value) = (name.into(), value.into());
        let token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        let clean = value
            .bytes()
            .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f));
        if token && clean {
            self.headers.push((name, value));
        } else {
            self.fail(ErrorSlot::InvalidHeader(name));
        }
        self
    }

    /// The time a whole exchange (connect, send, answer) may take. None by default, as in Go.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The first mistake made while building, if any (Go's `Pusher.Error`).
    pub fn error(&self) -> Option<PushError> {
        self.error.as_ref().map(ErrorSlot::to_error)
    }

    /// The URL of the group: base, `/metrics`, the job and the grouping labels.
    ///
    /// ```
    /// let p = expfmt::push::Pusher::new("gw:9091/", "batch/nightly")
    ///     .grouping("instance", "a b")
    ///     .grouping("path", "/var/db")
    ///     .grouping("shard", "");
    /// assert_eq!(
    ///     p.url(),
    ///     "http://gw:9091/metrics/job@base64/YmF0Y2gvbmlnaHRseQ\
    ///      /instance/a%20b/path@base64/L3Zhci9kYg/shard@base64/="
    /// );
    /// ```
    pub fn url(&self) -> String {
        let mut url = String::with_capacity(self.base.len() + 64);
        url.push_str(&self.base);
        url.push_str("/metrics");
        push_component(&mut url, "job", &self.job);
        for (name, value) in &self.grouping {
            push_component(&mut url, name, value);
        }
        url
    }

    /// Builds the request for `method` with `families` as the body (none for `DELETE`), after
    /// the checks listed in the [module docs](self).
    pub fn request(
        &self,
        method: Method,
        families: &[MetricFamily<'_>],
    ) -> Result<PushRequest, PushError> {
        if let Some(e) = &self.error {
            return Err(e.to_error());
        }
        let body = match method {
            Method::Delete if families.is_empty() => Vec::new(),
            Method::Delete => return Err(PushError::FamiliesWithDelete),
            Method::Put | Method::Post => {
                self.check(families)?;
                self.encode(families)?
            }
        };
        let mut headers = Vec::with_capacity(self.headers.len() + 2);
        if method != Method::Delete {
            headers.push((
                "Content-Type".to_owned(),
                self.format.content_type().to_owned(),
            ));
        }
        if let Some((user, pass)) = &self.basic_auth {
            let credentials = base64(format!("{user}:{pass}").as_bytes(), STANDARD, true);
            headers.push(("Authorization".to_owned(), format!("Basic {credentials}")));
        }
        let set_here = headers.len();
        for (name, value) in &self.headers {
            let ours = headers[..set_here]
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name));
            let no_body = method == Method::Delete && name.eq_ignore_ascii_case("content-type");
            if !ours && !no_body {
                headers.push((name.clone(), value.clone()));
            }
        }
        Ok(PushRequest {
            method,
            url: self.url(),
            headers,
            body,
            timeout: self.timeout,
        })
    }

    /// Refuses `job` and grouping labels on pushed metrics, and families pushed twice.
    fn check(&self, families: &[MetricFamily<'_>]) -> Result<(), PushError> {
        let mut seen: Vec<&str> = Vec::with_capacity(families.len());
        for family in families {
            for metric in &family.metrics {
                for label in &metric.labels {
                    if label.name == "job" {
                        return Err(PushError::JobLabelInMetric {
                            family: family.name.to_string(),
                            labels: label_set(&metric.labels),
                        });
                    }
                    if self.grouping.iter().any(|(n, _)| *n == label.name) {
                        return Err(PushError::GroupingLabelInMetric {
                            family: family.name.to_string(),
                            labels: label_set(&metric.labels),
                            label: label.name.to_string(),
                        });
                    }
                }
            }
            seen.push(&family.name);
        }
        seen.sort_unstable();
        if let Some(w) = seen.windows(2).find(|w| w[0] == w[1]) {
            return Err(PushError::DuplicateFamily {
                name: w[0].to_owned(),
            });
        }
        Ok(())
    }

    fn encode(&self, families: &[MetricFamily<'_>]) -> Result<Vec<u8>, PushError> {
        let body = match self.format {
            Format::Text => crate::text::encode(families).map(String::into_bytes),
            _ => crate::proto::encode(families),
        };
        body.map_err(PushError::Encode)
    }
}

/// Appends `/<name>/<escaped value>`, or `/<name>@base64/<base64url value>` for a value that is
/// empty, contains `/`, or is a dot segment (`.` or `..`, which HTTP stacks resolve away: Go's
/// server answers such a path with a redirect).
fn push_component(url: &mut String, name: &str, value: &str) {
    url.push('/');
    url.push_str(name);
    if value.is_empty() {
        url.push_str("@base64/=");
    } else if value.contains('/') || value == "." || value == ".." {
        url.push_str("@base64/");
        url.push_str(&base64(value.as_bytes(), URL_SAFE, false));
    } else {
        url.push('/');
        percent_encode(url, value);
    }
}

/// Percent-encodes every byte but RFC 3986's unreserved characters. (Go's client uses
/// `url.QueryEscape`, which writes a space as `+`; the gateway reads the path, where `+` is
/// itself, so Go's `"a b"` arrives as `"a+b"`. `%20` arrives as a space.)
fn percent_encode(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 (RFC 4648) with the given alphabet, with or without `=` padding.
fn base64(input: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    let sextet = |n: u32, shift: u32| char::from(alphabet[((n >> shift) & 63) as usize]);
    for chunk in input.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        out.push(sextet(n, 18));
        out.push(sextet(n, 12));
        if chunk.len() > 1 {
            out.push(sextet(n, 6));
        } else if pad {
            out.push('=');
        }
        if chunk.len() > 2 {
            out.push(sextet(n, 0));
        } else if pad {
            out.push('=');
        }
    }
    out
}

#[cfg(test)]
mod tests;
