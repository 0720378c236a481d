//! The issuer's few HTML pages: one self-contained template (inline style, no script, a
//! strict content security policy) that every page fills in.

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use shared::html::escape_html;

use super::NO_STORE;

const CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1f2933;\
    display:flex;justify-content:center;padding:3rem 1rem;margin:0}\
    main{background:#fff;border-radius:12px;box-shadow:0 2px 12px #0002;padding:1.5rem 2rem;\
    min-width:18rem;max-width:28rem}h1{font-size:1.3rem;margin:0 0 .5rem}\
    ul{list-style:none;padding:0;margin:0}li{margin:.5rem 0}\
    a{display:block;padding:.6rem .9rem;border:1px solid #cbd2d9;border-radius:8px;\
    color:inherit;text-decoration:none}a:hover{background:#eef2ff;border-color:#6366f1}\
    span{display:block;font-size:.85rem;color:#616e7c}";

/// A page titled `title`; `body` is markup and must already be escaped.
pub(super) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let title = escape_html(title);
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{CSS}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>"
    );
    let csp = "default-src 'none'; style-src 'unsafe-inline'";
    let headers = [NO_STORE, (header::CONTENT_SECURITY_POLICY, csp)];
    (status, headers, Html(html)).into_response()
}

/// A sign-in refused on the issuer's own page rather than by redirect; `message` is
/// markup.
pub(super) fn bad_request(message: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Sign-in refused",
        &format!("<p>{message}</p>"),
    )
}
