//! Feature `http`: a [`PushRequest`] as an [`http::Request`], for clients built on the `http`
//! crate (hyper, reqwest, …).

use super::{Method, PushRequest};

impl From<Method> for http::Method {
    fn from(method: Method) -> Self {
        match method {
            Method::Put => http::Method::PUT,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
        }
    }
}

impl TryFrom<PushRequest> for http::Request<Vec<u8>> {
    type Error = http::Error;

    /// Method, URL, headers and body; the timeout is not part of an `http::Request` (read
    /// [`PushRequest::timeout`] first and give it to your client).
    ///
    /// # Errors
    ///
    /// `http`'s error when the URL is not a valid URI (the pusher's base URL is taken as
    /// given); headers were checked when the pusher was built.
    fn try_from(request: PushRequest) -> Result<Self, Self::Error> {
        let mut builder = http::Request::builder()
            .method(http::Method::from(request.method))
            .uri(request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        builder.body(request.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Metric, MetricFamily, MetricType, Value};
    use crate::push::Pusher;

    #[test]
    fn converts_every_part() {
        let fams = [MetricFamily::new("g", MetricType::Gauge)
            .with_metric(Metric::new(vec![], Value::Gauge(1.0)))];
        let ours = Pusher::new("h:9091", "j")
            .grouping("a", "x y")
            .basic_auth("u", "p")
            .header("X-Tenant", "t")
            .request(Method::Post, &fams)
            .unwrap();
        let theirs = http::Request::try_from(ours.clone()).unwrap();
        assert_eq!(theirs.method(), http::Method::POST);
        assert_eq!(theirs.uri(), "http://h:9091/metrics/job/j/a/x%20y");
        assert_eq!(theirs.headers().len(), ours.headers.len());
        for (name, value) in &ours.headers {
            assert_eq!(theirs.headers()[name.as_str()], value.as_str(), "{name}");
        }
        assert_eq!(theirs.body(), &ours.body);
    }

    #[test]
    fn a_bad_base_url_is_an_error_not_a_panic() {
        let request = Pusher::new("http://bad host", "j")
            .request(Method::Delete, &[])
            .unwrap();
        assert!(http::Request::try_from(request).is_err());
    }
}
