//! `response_mode=web_message`: the answer to `/authorize` as a page whose one script posts
//! `{type: "authorization_response", response: {code, state} | {error, …}}` to the app's
//! window (the iframe's parent, or the popup's opener), as Auth0's page does; auth0-spa-js
//! takes it only from the issuer's origin, and the browser delivers it only to the origin of
//! the `redirect_uri`, which must be one of the app's.
//!
//! The script is allowed by its hash, and only the app's origin may frame the page.

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use url::Url;

use super::NO_STORE;
use super::page::bad_request;

/// The page posting `pairs` to the window of `target`'s origin.
pub(super) fn respond(target: &Url, pairs: &[(&str, &str)]) -> Response {
    let origin = target.origin().ascii_serialization();
    let response: Map<String, Value> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
        .collect();
    let message = json!({ "type": "authorization_response", "response": response });
    let script = format!(
        "(window.opener||window.parent).postMessage({},{});",
        script_json(&message),
        script_json(&Value::from(origin.as_str())),
    );
    let hash = STANDARD.encode(Sha256::digest(script.as_bytes()));
    let csp = format!("default-src 'none'; script-src 'sha256-{hash}'; frame-ancestors {origin}");
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signing in</title>\
         </head><body><script>{script}</script></body></html>"
    );
    // The origin of a parsed http(s) URL is ASCII, so this holds; refuse rather than panic.
    let Ok(csp) = header::HeaderValue::from_str(&csp) else {
        return bad_request("This <code>redirect_uri</code> has no web origin.");
    };
    let headers = [
        (NO_STORE.0, header::HeaderValue::from_static(NO_STORE.1)),
        (header::CONTENT_SECURITY_POLICY, csp),
    ];
    (headers, Html(html)).into_response()
}

/// `value` as JSON that cannot end the `<script>` element it is written into (the `state` is
/// the app's, so any text).
fn script_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}
