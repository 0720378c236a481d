//! The plumbing under every call: `fetch` with an optional bearer token, a body and the
//! mount's abort signal, and the JSON in and out.
//!
//! JSON goes through the browser: `JSON.stringify` and `Response.json()` do the text, and
//! [`crate::json`] maps between JS values and the wire types. That keeps a JSON parser and
//! serde out of the wasm bundle; `fetch` is called directly for the same reason (gloo-net's
//! `http` module would put the element 2.5 KB gzip over its budget: see docs/benchmarks.md).

use leptos::prelude::window;
use shared::Problem;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, Response};

use super::error::ApiError;
use crate::json::{Decode, Encode};

/// What a request sends besides its method and URL.
pub(crate) enum Body<'a> {
    Empty,
    /// JSON text.
    Json(&'a str),
    /// An HTML form's encoding (`application/x-www-form-urlencoded`), for the standalone
    /// page's OAuth endpoints.
    #[cfg(feature = "standalone")]
    Form(&'a web_sys::UrlSearchParams),
}

/// `fetch`, which every HTTP call of the micro-frontend goes through: the data routes and the
/// exchange in this module's siblings, the standalone page's sign-in (`standalone::oidc`).
/// An optional bearer token, a body, and the mount's abort signal.
pub(crate) async fn fetch(
    method: &str,
    url: &str,
    bearer: Option<&str>,
    body: Body<'_>,
    signal: Option<&AbortSignal>,
) -> Result<Response, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_signal(signal);
    // A fresh Headers accepts these names and values; `set` only throws for forbidden ones.
    let headers = Headers::new().map_err(ApiError::from_fetch)?;
    if let Some(bearer) = bearer {
        let _ = headers.set("Authorization", &format!("Bearer {bearer}"));
    }
    match body {
        Body::Empty => {}
        Body::Json(text) => {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(text));
        }
        // The browser sets the form's content type itself.
        #[cfg(feature = "standalone")]
        Body::Form(form) => init.set_body(form),
    }
    init.set_headers(&headers);
    let answer = JsFuture::from(window().fetch_with_str_and_init(url, &init))
        .await
        .map_err(ApiError::from_fetch)?;
    Ok(answer.unchecked_into())
}

pub(super) fn header(response: &Response, name: &str) -> Option<String> {
    response.headers().get(name).ok().flatten()
}

/// A request body as JSON text.
pub(super) fn to_json(value: &impl Encode) -> Result<String, ApiError> {
    js_sys::JSON::stringify(&value.encode())
        .map(String::from)
        .map_err(ApiError::from_body)
}

/// A JSON body decoded into `T`.
pub(crate) async fn json<T: Decode>(response: &Response) -> Result<T, ApiError> {
    decode(&parsed(response).await?)
}

/// A JSON body, parsed by the browser.
pub(super) async fn parsed(response: &Response) -> Result<JsValue, ApiError> {
    JsFuture::from(response.json().map_err(ApiError::from_body)?)
        .await
        .map_err(ApiError::from_body)
}

pub(super) fn decode<T: Decode>(value: &JsValue) -> Result<T, ApiError> {
    T::decode(value).map_err(|e| ApiError::Decode(e.to_string()))
}

/// The body of a success, or the problem of a failure.
pub(super) async fn read<T: Decode>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        json(&response).await
    } else {
        Err(problem_of(&response).await)
    }
}

/// Decodes a problem+json body; anything else (a proxy's HTML page, say) becomes a problem
/// with the status line, so views have one shape to show.
pub(super) async fn problem_of(response: &Response) -> ApiError {
    let status = response.status();
    let is_json = header(response, "content-type").is_some_and(|t| t.contains("json"));
    if is_json && let Ok(mut problem) = json::<Problem>(response).await {
        problem.status = status;
        return ApiError::Problem(Box::new(problem));
    }
    let text = response.status_text();
    let title = if text.is_empty() {
        format!("HTTP {status}")
    } else {
        text
    };
    ApiError::problem(status, &title, None)
}
