//! Embedding from another origin: CORS for the listed origins only, the bundle at `/mfe/`
//! (precompressed variants, caching by name) and the security headers.

use reqwest::Method;
use reqwest::header::{self, HeaderMap};
use shared::paths;

use crate::helpers::tempdir::Dir;
use crate::helpers::{Options, TestApp};

const HOST: &str = "https://host.example";
const WASM: &str = "mfe_bg-0123456789abcdef.wasm";

async fn spawn_with_cors() -> TestApp {
    TestApp::spawn_with(Options {
        cors_allowed_origins: vec![HOST.into()],
        ..Options::default()
    })
    .await
}

fn cors_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.starts_with("access-control-"))
        .collect()
}

async fn preflight(app: &TestApp, path: &str, origin: &str) -> reqwest::Response {
    app.http
        .request(Method::OPTIONS, app.url(path))
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_listed_origin_gets_a_cached_preflight_for_the_exchange() {
    let app = spawn_with_cors().await;

    let response = preflight(&app, paths::EXCHANGE, HOST).await;

    assert!(response.status().is_success(), "{}", response.status());
    let h = response.headers();
    assert_eq!(h["access-control-allow-origin"], HOST);
    assert_eq!(h["access-control-max-age"], "7200");
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    for m in ["GET", "POST", "PATCH", "DELETE"] {
        assert!(methods.contains(m), "{methods}");
    }
    let allowed = h["access-control-allow-headers"].to_str().unwrap();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));
}

#[tokio::test]
async fn a_listed_origin_can_read_an_api_answer_and_its_exposed_headers() {
    let app = spawn_with_cors().await;

    let response = app
        .http
        .get(app.url(paths::MY_HOUSEHOLDS))
        .header(header::ORIGIN, HOST)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 401);
    let h = response.headers();
    assert_eq!(h["access-control-allow-origin"], HOST);
    let exposed = h["access-control-expose-headers"].to_str().unwrap();
    for name in [
        "x-request-id",
        "retry-after",
        "ratelimit",
        "ratelimit-policy",
        "www-authenticate",
    ] {
        assert!(exposed.contains(name), "{exposed}");
    }
    assert!(h.contains_key("www-authenticate"));
}

#[tokio::test]
async fn an_unlisted_origin_gets_no_cors_header_and_a_plain_preflight_answer() {
    let app = spawn_with_cors().await;

    let pre = preflight(&app, paths::EXCHANGE, "https://evil.example").await;
    let get = app
        .http
        .get(app.url(paths::JWKS))
        .header(header::ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();

    assert_eq!(pre.status(), 204);
    assert_eq!(cors_headers(pre.headers()), Vec::<String>::new());
    assert_eq!(get.status(), 200);
    assert_eq!(cors_headers(get.headers()), Vec::<String>::new());
    assert_eq!(get.headers()["vary"], "origin");
}

#[tokio::test]
async fn without_a_list_a_preflight_is_answered_without_permission() {
    let app = TestApp::spawn().await;

    let response = preflight(&app, paths::EXCHANGE, HOST).await;

    assert_eq!(response.status(), 204);
    assert_eq!(cors_headers(response.headers()), Vec::<String>::new());
}

#[tokio::test]
async fn the_host_page_and_health_get_no_cors_headers_even_for_a_listed_origin() {
    let app = spawn_with_cors().await;

    for path in [
        "/household/00000000-0000-0000-0000-000000000000/mfe",
        "/healthz",
    ] {
        let response = app
            .http
            .get(app.url(path))
            .header(header::ORIGIN, HOST)
            .send()
            .await
            .unwrap();
        assert_eq!(
            cors_headers(response.headers()),
            Vec::<String>::new(),
            "{path}"
        );
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    }
}

/// A dist directory as `build_mfe` leaves it: an entry, a content-named wasm with its
/// brotli and gzip variants (marked so a test sees which was sent), the standalone page.
fn fake_dist() -> Dir {
    let dir = Dir::new();
    let file = |name: &str, body: &[u8]| std::fs::write(dir.0.join(name), body).unwrap();
    file(
        "mfe.js",
        format!("new URL(\"{WASM}\", import.meta.url)").as_bytes(),
    );
    file("mfe.js.br", b"br:mfe.js");
    file("mfe.js.gz", b"gz:mfe.js");
    file(WASM, b"\0asm identity");
    file(&format!("{WASM}.br"), b"br:wasm");
    file(&format!("{WASM}.gz"), b"gz:wasm");
    file("index.html", b"<!doctype html><title>standalone</title>");
    file("household-mfe.d.ts", b"export {};");
    dir
}

async fn spawn_with_dist(dist: &Dir) -> TestApp {
    TestApp::spawn_with(Options {
        cors_allowed_origins: vec![HOST.into()],
        mfe_dist: Some(dist.0.clone()),
        ..Options::default()
    })
    .await
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.http.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_bundle_is_sent_in_the_encoding_the_browser_prefers() {
    let dist = fake_dist();
    let app = spawn_with_dist(&dist).await;
    let path = format!("/mfe/{WASM}");

    let br = get_with(&app, &path, &[("accept-encoding", "br, gzip")]).await;
    let gz = get_with(&app, &path, &[("accept-encoding", "gzip")]).await;
    let plain = get_with(&app, &path, &[]).await;

    for r in [&br, &gz, &plain] {
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/wasm");
        assert!(
            r.headers()["vary"]
                .to_str()
                .unwrap()
                .contains("accept-encoding"),
            "{:?}",
            r.headers()
        );
    }
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert!(!plain.headers().contains_key("content-encoding"));
    assert_eq!(br.text().await.unwrap(), "br:wasm");
    assert_eq!(gz.text().await.unwrap(), "gz:wasm");
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm identity");
}

#[tokio::test]
async fn content_named_files_are_immutable_and_the_entry_revalidates() {
    let dist = fake_dist();
    let app = spawn_with_dist(&dist).await;

    let wasm = get_with(&app, &format!("/mfe/{WASM}"), &[]).await;
    let entry = get_with(&app, "/mfe/mfe.js", &[("origin", HOST)]).await;

    assert_eq!(
        wasm.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(entry.headers()["cache-control"], "no-cache");
    assert_eq!(entry.headers()["content-type"], "text/javascript");
    assert_eq!(entry.headers()["access-control-allow-origin"], HOST);
    let modified = entry.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    let again = get_with(
        &app,
        "/mfe/mfe.js",
        &[("if-modified-since", &modified), ("origin", HOST)],
    )
    .await;
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn a_missing_content_named_file_is_not_cached_as_the_page() {
    let dist = fake_dist();
    let app = spawn_with_dist(&dist).await;

    let response = get_with(&app, "/mfe/mfe_bg-ffffffffffffffff.wasm", &[]).await;

    assert_eq!(response.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn the_standalone_page_cannot_be_framed_and_runs_no_inline_script() {
    let dist = fake_dist();
    let app = spawn_with_dist(&dist).await;

    for path in [
        "/mfe/",
        "/mfe/household/00000000-0000-0000-0000-000000000000/mfe",
    ] {
        let response = get_with(&app, path, &[]).await;
        assert_eq!(response.status(), 200, "{path}");
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["cache-control"], "no-cache");
    }
}

#[tokio::test]
async fn the_type_declarations_are_served_as_text() {
    let dist = fake_dist();
    let app = spawn_with_dist(&dist).await;

    let response = get_with(&app, "/mfe/household-mfe.d.ts", &[]).await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
}
