//! A request id for every request, always the server's own: recorded on the request's
//! span, put into every problem body and into the audit record. A client's well-formed
//! `x-request-id` is echoed back and logged beside ours (`client_request_id`), so ids chain
//! across services, but never stored as ours: a client chooses what it sends, and the audit
//! record must not say what a client wished it to.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: RequestId;
}

/// The id of the request being handled; also stored in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

/// A client's own well-formed `x-request-id`, in the request's extensions when it sent one.
#[derive(Debug, Clone)]
pub struct ClientRequestId(pub HeaderValue);

impl ClientRequestId {
    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }
}

impl RequestId {
    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }
}

/// The current request's id, for error bodies built deep inside a handler.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(|id| id.as_str().to_owned()).ok()
}

fn acceptable(v: &HeaderValue) -> bool {
    let b = v.as_bytes();
    (1..=64).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
}

/// A fresh id: 128 random bits as 32 hex digits, from the thread-local CSPRNG (a UUID v4
/// from the OS generator costs a system call per request).
pub fn fresh() -> HeaderValue {
    let id = format!("{:032x}", rand::random::<u128>());
    HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("invalid"))
}

/// Outermost middleware: every response, errors included, carries an id: the client's
/// when it sent a well-formed one, ours otherwise.
pub async fn middleware(mut req: Request, next: Next) -> Response {
    let id = RequestId(fresh());
    let theirs = req.headers().get(HEADER).filter(|v| acceptable(v)).cloned();
    if let Some(theirs) = &theirs {
        req.extensions_mut().insert(ClientRequestId(theirs.clone()));
    }
    req.extensions_mut().insert(id.clone());
    let mut response = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    response
        .headers_mut()
        .insert(HEADER, theirs.unwrap_or(id.0));
    response
}
