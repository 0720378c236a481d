//! A request id for every request: taken from a well-formed incoming `x-request-id`
//! (so ids chain across services) or made fresh, echoed on the response, recorded on the
//! request's span, and put into every problem body.

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

/// Outermost middleware: every response, errors included, carries the id.
pub async fn middleware(mut req: Request, next: Next) -> Response {
    let id = match req.headers().get(HEADER) {
        Some(v) if acceptable(v) => v.clone(),
        _ => fresh(),
    };
    let id = RequestId(id);
    req.extensions_mut().insert(id.clone());
    let mut response = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    response.headers_mut().insert(HEADER, id.0);
    response
}
