//! `server dev` answers only its own host names. Both of its listeners are on loopback, and
//! a page on any site can have its name resolve to 127.0.0.1 (DNS rebinding): the browser
//! then sends that page's requests to the developer's server as same-origin, with the
//! page's name in `Host`. Refusing every other `Host` (421) leaves such a page nothing.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::http::uri::Authority;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// The names a loopback listener on `addr` goes by: its address and `localhost`. The port
/// is not compared: `trunk serve`'s proxy sends the backend's host without it.
pub fn names(addr: SocketAddr) -> Vec<String> {
    let ip = match addr {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => format!("[{}]", a.ip()),
    };
    vec![ip, "localhost".to_owned()]
}

/// `router`, refusing requests whose `Host` names none of `names` (compared without case).
pub fn only(router: Router, names: Vec<String>) -> Router {
    router.layer(from_fn_with_state(Arc::new(names), check))
}

async fn check(State(names): State<Arc<Vec<String>>>, req: Request, next: Next) -> Response {
    let authority = match req.headers().get(HOST) {
        Some(host) => Authority::try_from(host.as_bytes()).ok(),
        None => req.uri().authority().cloned(),
    };
    match authority {
        Some(a) if names.iter().any(|n| n.eq_ignore_ascii_case(a.host())) => next.run(req).await,
        _ => AppError::Misdirected.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn status(host: Option<&str>) -> StatusCode {
        let app = only(
            Router::new().route("/", get(|| async { "ok" })),
            names("127.0.0.1:8080".parse().unwrap()),
        );
        let mut req = Request::get("/");
        if let Some(host) = host {
            req = req.header(HOST, host);
        }
        let res = app.oneshot(req.body(Body::empty()).unwrap()).await;
        res.unwrap().status()
    }

    #[tokio::test]
    async fn only_its_own_names_are_answered() {
        for own in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "127.0.0.1",
        ] {
            assert_eq!(status(Some(own)).await, StatusCode::OK, "{own}");
        }
        for other in [
            "rebound.example:8080",
            "localhost.rebound.example",
            "127.0.0.2:8080",
            "",
            "127.0.0.1:8080 extra",
        ] {
            assert_eq!(
                status(Some(other)).await,
                StatusCode::MISDIRECTED_REQUEST,
                "{other}"
            );
        }
        assert_eq!(status(None).await, StatusCode::MISDIRECTED_REQUEST);
    }

    #[test]
    fn a_loopback_listener_goes_by_its_address_and_localhost() {
        assert_eq!(
            names("127.0.0.1:8080".parse().unwrap()),
            ["127.0.0.1", "localhost"]
        );
        assert_eq!(names("[::1]:8090".parse().unwrap()), ["[::1]", "localhost"]);
    }
}
