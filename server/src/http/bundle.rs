//! `/mfe/*`: the built micro-frontend (`MFE_DIST`), served for hosts on any origin.
//!
//! `scripts/lib.sh` (`build_mfe`) names every file the entry points load after its content
//! (`<stem>-<16 hex>.<ext>`) and writes brotli and gzip variants beside each file. So:
//! - the stable URLs hosts pin (`mfe.js`, the standalone page, `household-mfe.d.ts`) are
//!   `no-cache`: revalidated on each use, a 304 while unchanged, and a new release reaches
//!   every host without a purge;
//! - content-named files are cached for a year, `immutable`: a returning visitor downloads
//!   nothing that has not changed;
//! - the variant the browser accepts is sent (`Vary: Accept-Encoding`).
//!
//! Deep links of the standalone app (`/mfe/household/{id}/mfe`) are its own routes: any path
//! that is not a file gets its `index.html`, with the page's security headers.

use std::path::Path;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use tower::Layer;
use tower_http::services::{ServeDir, ServeFile};

use crate::state::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The bundle at `dist`, at `/mfe`.
pub fn nest(router: Router<AppState>, state: &AppState, dist: &Path) -> Router<AppState> {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .fallback(index);
    let layer = axum::middleware::from_fn_with_state(state.clone(), headers);
    router.nest_service(
        "/mfe",
        crate::metrics::labelled("/mfe/{*path}", layer.layer(files)),
    )
}

/// Whether `name` is `<stem>-<16 hex digits>.<ext>`, as `build_mfe` names what it hashed.
fn content_named(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let name = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    if html {
        super::host::page_headers(&state, headers, "'self'");
    }
    // Only a file found under its content name is immutable: a missing one gets the page.
    let cache = if content_named(&name) && !html && response_is_content(&response) {
        IMMUTABLE
    } else {
        "no-cache"
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if name.ends_with(".ts") && !html {
        // mime_guess reads `.ts` as an MPEG transport stream.
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    response
}

fn response_is_content(response: &Response) -> bool {
    response.status().is_success() || response.status().is_redirection()
}

#[cfg(test)]
mod tests {
    use super::content_named;

    #[test]
    fn content_names_carry_sixteen_hex_digits() {
        assert!(content_named("mfe_bg-0123456789abcdef.wasm"));
        assert!(content_named("inline0-0123456789abcdef.js"));
        assert!(!content_named("mfe.js"));
        assert!(!content_named("mfe_bg.wasm"));
        assert!(!content_named("household-mfe.d.ts"));
        assert!(!content_named("index.html"));
    }
}
