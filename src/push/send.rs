//! The blocking send, over `ureq` (feature `push`).

use std::io::Read;

use super::{Method, PushError, PushRequest, Pusher};
use crate::model::MetricFamily;

/// The most of a gateway's error answer kept in [`PushError::Status`].
const MAX_ERROR_BODY: u64 = 64 << 10;

impl Pusher {
    /// Sends requests with this agent (its TLS, proxy, pool and timeout settings) instead of a
    /// fresh default one. Non-2xx answers are read as answers whatever the agent's
    /// `http_status_as_error` says, so the gateway's message reaches the error.
    #[must_use]
    pub fn agent(mut self, agent: ureq::Agent) -> Self {
        self.agent = Some(agent);
        self
    }

    /// `PUT`: replaces every metric of the group with `families` (Go's `Push`). An empty slice
    /// empties the group.
    pub fn push(&self, families: &[MetricFamily<'_>]) -> Result<(), PushError> {
        self.send(Method::Put, families)
    }

    /// `POST`: replaces the families of the same names in the group, keeps the others (Go's
    /// `Add`).
    pub fn add(&self, families: &[MetricFamily<'_>]) -> Result<(), PushError> {
        self.send(Method::Post, families)
    }

    /// `DELETE`: deletes the group (Go's `Delete`). Deleting a group that is not there is no
    /// error.
    pub fn delete(&self) -> Result<(), PushError> {
        self.send(Method::Delete, &[])
    }

    fn send(&self, method: Method, families: &[MetricFamily<'_>]) -> Result<(), PushError> {
        let request = self.request(method, families)?;
        match &self.agent {
            Some(agent) => request.send(agent),
            None => request.send(&ureq::Agent::new_with_defaults()),
        }
    }
}

impl PushRequest {
    /// Sends the request with `agent` and checks the answer: a status that is not success for
    /// the method ([`Method::is_success`]) becomes [`PushError::Status`] with the gateway's
    /// answer as text; a failure to connect, send or read becomes [`PushError::Transport`].
    pub fn send(&self, agent: &ureq::Agent) -> Result<(), PushError> {
        let transport = |source| PushError::Transport {
            method: self.method,
            url: self.url.clone(),
            source,
        };
        let mut response = match self.method {
            Method::Put => self.prepare(agent.put(&self.url)).send(&self.body[..]),
            Method::Post => self.prepare(agent.post(&self.url)).send(&self.body[..]),
            Method::Delete => self.prepare(agent.delete(&self.url)).call(),
        }
        .map_err(transport)?;
        let status = response.status().as_u16();
        if self.method.is_success(status) {
            return Ok(());
        }
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_ERROR_BODY)
            .read_to_end(&mut body)
            .map_err(|e| transport(ureq::Error::Io(e)))?;
        Err(PushError::Status {
            method: self.method,
            status,
            url: self.url.clone(),
            body: String::from_utf8_lossy(&body).trim_end().to_owned(),
        })
    }

    /// Sets the timeout, reads every status as an answer, adds the headers.
    fn prepare<B>(&self, builder: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        let mut builder = builder
            .config()
            .http_status_as_error(false)
            .timeout_global(self.timeout)
            .build();
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder
    }
}
