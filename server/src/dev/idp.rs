//! A development identity provider that speaks the subset of Auth0's OpenID
//! Connect dialect the single page app uses: discovery, JWKS, authorization
//! code + PKCE (S256), and logout.
//!
//! It exists so that local work and tests need no Auth0 tenant, while the
//! server still validates tokens exactly as it does Auth0's: it discovers this
//! issuer, fetches its JWKS and checks RS256 signatures, `iss`, `aud` and `exp`
//! with no special case for development. Only mount it in development.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, ensure};
use axum::body::Bytes;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use rand::RngCore;
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower_http::cors::{AllowOrigin, CorsLayer};
use url::Url;

const CODE_TTL: Duration = Duration::from_secs(60);
const MAX_PENDING_CODES: usize = 10_000;
const SCOPE: &str = "openid profile email";
const NO_STORE: (HeaderName, &str) = (header::CACHE_CONTROL, "no-store");
/// Remembers who signed in, as Auth0's session cookie does, so that signing in again (after a
/// reload of the app, say) skips the user picker until the user signs out. It names a demo
/// user, whom anyone may pick on this issuer's page anyway.
const SESSION_COOKIE: &str = "dev_idp_session";

/// A user offered on the development sign-in page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevUser {
    /// Subject identifier put in tokens' `sub`, e.g. `"auth0|alice"`.
    pub sub: String,
    /// Display name (ID token `name`).
    pub name: String,
    /// E-mail address (ID token `email`).
    pub email: String,
}

/// Configuration of the development identity provider.
#[derive(Debug, Clone)]
pub struct DevIdpConfig {
    /// Issuer URL, e.g. `http://127.0.0.1:8080/dev-idp/`; must end with `/`.
    pub issuer: String,
    /// API audience put in access tokens' `aud`.
    pub audience: String,
    /// The single page app's client id; ID tokens' `aud`.
    pub client_id: String,
    /// Redirect URIs accepted at `/authorize` (exact match).
    pub redirect_uris: Vec<String>,
    /// Users offered on the sign-in page.
    pub users: Vec<DevUser>,
    /// Lifetime of access and ID tokens, in seconds.
    pub token_ttl_secs: u64,
}

struct PendingCode {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    sub: String,
    expires: Instant,
}

/// The development identity provider: configuration, an RSA signing key and
/// the pending single-use authorization codes.
pub struct DevIdp {
    config: DevIdpConfig,
    signing_key: EncodingKey,
    kid: String,
    n: String,
    e: String,
    codes: Mutex<HashMap<String, PendingCode>>,
}

impl fmt::Debug for DevIdp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevIdp")
            .field("config", &self.config)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl DevIdp {
    /// Creates a provider with a freshly generated RSA-2048 signing key.
    pub fn new(config: DevIdpConfig) -> anyhow::Result<Self> {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).context("generating RSA key")?;
        Self::with_key(config, key)
    }

    /// Creates a provider signing with `key` (at least 2048 bits).
    pub fn with_key(config: DevIdpConfig, key: RsaPrivateKey) -> anyhow::Result<Self> {
        ensure!(config.issuer.ends_with('/'), "issuer must end with '/'");
        ensure!(key.size() >= 256, "RSA key must have at least 2048 bits");
        let der = key.to_pkcs1_der().context("encoding RSA key")?;
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        // RFC 7638 thumbprint: members in lexicographic order, no whitespace.
        let thumbprint = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint.as_bytes()));
        Ok(Self {
            config,
            signing_key: EncodingKey::from_rsa_der(der.as_bytes()),
            kid,
            n,
            e,
            codes: Mutex::new(HashMap::new()),
        })
    }

    /// Issues an RS256 access token for `sub`, as Auth0 would for the app.
    pub fn issue_access_token(&self, sub: &str) -> anyhow::Result<String> {
        let (iat, exp) = self.lifetime();
        let c = &self.config;
        let claims = json!({
            "iss": c.issuer, "sub": sub, "aud": [c.audience, format!("{}userinfo", c.issuer)],
            "iat": iat, "exp": exp, "azp": c.client_id, "scope": SCOPE,
        });
        self.sign(&claims)
    }

    fn issue_id_token(&self, user: &DevUser, nonce: Option<&str>) -> anyhow::Result<String> {
        let (iat, exp) = self.lifetime();
        let mut claims = json!({
            "iss": self.config.issuer, "sub": user.sub, "aud": self.config.client_id,
            "iat": iat, "exp": exp, "name": user.name, "email": user.email,
        });
        if let (Some(nonce), Some(map)) = (nonce, claims.as_object_mut()) {
            map.insert("nonce".into(), nonce.into());
        }
        self.sign(&claims)
    }

    fn lifetime(&self) -> (u64, u64) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        (now, now.saturating_add(self.config.token_ttl_secs))
    }

    fn sign(&self, claims: &Value) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        encode(&header, claims, &self.signing_key).context("signing token")
    }

    /// The JSON Web Key Set publishing the signing key.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "n": self.n, "e": self.e,
        }] })
    }

    fn codes(&self) -> MutexGuard<'_, HashMap<String, PendingCode>> {
        self.codes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a new code; `None` when too many codes are pending.
    fn insert_code(&self, pending: PendingCode) -> Option<String> {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let code = URL_SAFE_NO_PAD.encode(bytes);
        let mut codes = self.codes();
        let now = Instant::now();
        codes.retain(|_, p| p.expires > now);
        if codes.len() >= MAX_PENDING_CODES {
            return None;
        }
        codes.insert(code.clone(), pending);
        Some(code)
    }
}

/// The provider's routes, to be nested at the issuer's path (`/dev-idp`).
pub fn router(idp: Arc<DevIdp>) -> Router {
    // Like Auth0's "Allowed Web Origins": the app's origins may call discovery, JWKS and
    // the token endpoint from script (e.g. `trunk serve` on another port).
    let origins: Vec<HeaderValue> = idp
        .config
        .redirect_uris
        .iter()
        .filter_map(|u| Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter_map(|o| HeaderValue::from_str(&o).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/authorize", get(authorize))
        .route("/oauth/token", post(token))
        .route("/v2/logout", get(logout))
        .layer(cors)
        .with_state(idp)
}

async fn discovery(State(idp): State<Arc<DevIdp>>) -> Json<Value> {
    let iss = &idp.config.issuer;
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}authorize"),
        "token_endpoint": format!("{iss}oauth/token"),
        "jwks_uri": format!("{iss}.well-known/jwks.json"),
        "end_session_endpoint": format!("{iss}v2/logout"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": ["openid", "profile", "email"],
    }))
}

async fn jwks(State(idp): State<Arc<DevIdp>>) -> Json<Value> {
    Json(idp.jwks())
}

#[derive(Deserialize)]
struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    nonce: Option<String>,
    audience: Option<String>,
    login_hint: Option<String>,
    /// `login` shows the user picker even with a session; `none` fails rather than show it.
    prompt: Option<String>,
}

async fn authorize(
    State(idp): State<Arc<DevIdp>>,
    Query(p): Query<AuthorizeParams>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let c = &idp.config;
    if p.client_id.as_deref() != Some(c.client_id.as_str()) {
        return bad_request("Unknown or missing <code>client_id</code>.");
    }
    let Some(redirect_uri) = p.redirect_uri.filter(|r| c.redirect_uris.contains(r)) else {
        return bad_request("This <code>redirect_uri</code> is not allowed.");
    };
    let Ok(target) = Url::parse(&redirect_uri) else {
        return bad_request("This <code>redirect_uri</code> is not a URL.");
    };
    let state = p.state.as_deref();
    let fail = |error: &str, description: &str| {
        let mut pairs = vec![("error", error), ("error_description", description)];
        pairs.extend(state.map(|s| ("state", s)));
        redirect(&target, &pairs)
    };
    if p.response_type.as_deref() != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    if p.code_challenge_method.as_deref() != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    let Some(code_challenge) = p
        .code_challenge
        .filter(|ch| ch.len() == 43 && is_pkce_charset(ch))
    else {
        return fail("invalid_request", "a S256 code_challenge is required");
    };
    if p.audience.as_ref().is_some_and(|a| *a != c.audience) {
        return fail("invalid_request", "unknown audience");
    }
    let session = match p.prompt.as_deref() {
        Some("login") => None,
        _ => session_user(&idp, &headers),
    };
    let Some(hint) = p.login_hint.or(session) else {
        if p.prompt.as_deref() == Some("none") {
            return fail("login_required", "no session at the issuer");
        }
        return login_page(&idp, raw.as_deref().unwrap_or_default());
    };
    let Some(user) = c.users.iter().find(|u| u.sub == hint) else {
        return bad_request("No such demo user.");
    };
    let pending = PendingCode {
        client_id: c.client_id.clone(),
        redirect_uri,
        code_challenge,
        nonce: p.nonce,
        sub: user.sub.clone(),
        expires: Instant::now() + CODE_TTL,
    };
    let Some(code) = idp.insert_code(pending) else {
        let busy = "<p>Too many pending sign-ins; retry shortly.</p>";
        return page(StatusCode::SERVICE_UNAVAILABLE, "Busy", busy);
    };
    let mut pairs = vec![("code", code.as_str())];
    pairs.extend(state.map(|s| ("state", s)));
    let mut response = redirect(&target, &pairs);
    set_session(&idp, &mut response, Some(&user.sub));
    response
}

/// The demo user the session cookie names, if it names one.
fn session_user(idp: &DevIdp, headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('='))?;
    idp.config
        .users
        .iter()
        .find(|u| cookie_value(&u.sub) == value)
        .map(|u| u.sub.clone())
}

/// Sets the session cookie to `sub`, or clears it. Scoped to the issuer's path.
fn set_session(idp: &DevIdp, response: &mut Response, sub: Option<&str>) {
    let path =
        Url::parse(&idp.config.issuer).map_or_else(|_| "/".to_owned(), |u| u.path().to_owned());
    let cookie = match sub {
        Some(sub) => format!(
            "{SESSION_COOKIE}={}; Path={path}; HttpOnly; SameSite=Lax",
            cookie_value(sub)
        ),
        None => format!("{SESSION_COOKIE}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Lax"),
    };
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// A subject as a cookie value: percent-encoded, so `;`, spaces and quotes cannot end it.
fn cookie_value(sub: &str) -> String {
    url::form_urlencoded::byte_serialize(sub.as_bytes()).collect()
}

fn login_page(idp: &DevIdp, raw_query: &str) -> Response {
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(raw_query.as_bytes())
        .filter(|(k, _)| k != "login_hint")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let items: String = idp
        .config
        .users
        .iter()
        .map(|u| {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&kept)
                .append_pair("login_hint", &u.sub)
                .finish();
            format!(
                r#"<li><a href="?{}"><b>{}</b><span>{} · {}</span></a></li>"#,
                escape_html(&query),
                escape_html(&u.name),
                escape_html(&u.email),
                escape_html(&u.sub),
            )
        })
        .collect();
    let body = format!("<p>Development sign-in: choose a demo user.</p><ul>{items}</ul>");
    page(StatusCode::OK, "Sign in", &body)
}

async fn token(State(idp): State<Arc<DevIdp>>, body: Bytes) -> Response {
    let mut params = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(&body) {
        if params.insert(k.into_owned(), v.into_owned()).is_some() {
            return token_error("invalid_request", "repeated parameter");
        }
    }
    let param = |name: &str| params.get(name).map(String::as_str);
    match param("grant_type") {
        Some("authorization_code") => {}
        Some(_) => return token_error("unsupported_grant_type", "use authorization_code"),
        None => return token_error("invalid_request", "grant_type is required"),
    }
    let Some(code) = param("code") else {
        return token_error("invalid_request", "code is required");
    };
    // Single use: the code is gone whatever the outcome below.
    let pending = idp.codes().remove(code);
    let Some(pending) = pending.filter(|p| p.expires > Instant::now()) else {
        return token_error("invalid_grant", "unknown, used or expired code");
    };
    let (Some(client_id), Some(redirect_uri), Some(verifier)) = (
        param("client_id"),
        param("redirect_uri"),
        param("code_verifier"),
    ) else {
        let missing = "client_id, redirect_uri and code_verifier are required";
        return token_error("invalid_request", missing);
    };
    if !(43..=128).contains(&verifier.len()) || !is_pkce_charset(verifier) {
        return token_error("invalid_request", "malformed code_verifier");
    }
    if client_id != pending.client_id {
        return token_error("invalid_grant", "code was issued to another client");
    }
    if redirect_uri != pending.redirect_uri {
        return token_error("invalid_grant", "redirect_uri does not match");
    }
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != pending.code_challenge {
        return token_error("invalid_grant", "code_verifier does not match");
    }
    let Some(user) = idp.config.users.iter().find(|u| u.sub == pending.sub) else {
        return token_error("invalid_grant", "unknown user");
    };
    let tokens = idp
        .issue_access_token(&user.sub)
        .and_then(|at| Ok((at, idp.issue_id_token(user, pending.nonce.as_deref())?)));
    let Ok((access_token, id_token)) = tokens else {
        let body = json!({ "error": "server_error", "error_description": "signing failed" });
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
    };
    let body = json!({
        "access_token": access_token, "id_token": id_token, "token_type": "Bearer",
        "expires_in": idp.config.token_ttl_secs, "scope": SCOPE,
    });
    ([NO_STORE, (header::PRAGMA, "no-cache")], Json(body)).into_response()
}

#[derive(Deserialize)]
struct LogoutParams {
    #[serde(rename = "returnTo")]
    return_to: Option<String>,
    client_id: Option<String>,
}

async fn logout(State(idp): State<Arc<DevIdp>>, Query(p): Query<LogoutParams>) -> Response {
    let c = &idp.config;
    let client_ok = p.client_id.as_ref().is_none_or(|id| *id == c.client_id);
    let target = p
        .return_to
        .and_then(|r| Url::parse(&r).ok())
        .filter(|target| {
            c.redirect_uris
                .iter()
                .filter_map(|r| Url::parse(r).ok())
                .any(|allowed| allowed == *target || allowed.origin() == target.origin())
        });
    let mut response = match target {
        Some(target) if client_ok => redirect(&target, &[]),
        _ => page(StatusCode::OK, "Signed out", "<p>You are signed out.</p>"),
    };
    set_session(&idp, &mut response, None);
    response
}

/// A 302 to `base` with `pairs` appended to its query.
fn redirect(base: &Url, pairs: &[(&str, &str)]) -> Response {
    let mut url = base.clone();
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
}

fn token_error(error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    (StatusCode::BAD_REQUEST, [NO_STORE], Json(body)).into_response()
}

fn bad_request(message: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Sign-in refused",
        &format!("<p>{message}</p>"),
    )
}

/// A small self-contained HTML page; `body` must already be escaped.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    const CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1f2933;\
        display:flex;justify-content:center;padding:3rem 1rem;margin:0}\
        main{background:#fff;border-radius:12px;box-shadow:0 2px 12px #0002;padding:1.5rem 2rem;\
        min-width:18rem;max-width:28rem}h1{font-size:1.3rem;margin:0 0 .5rem}\
        ul{list-style:none;padding:0;margin:0}li{margin:.5rem 0}\
        a{display:block;padding:.6rem .9rem;border:1px solid #cbd2d9;border-radius:8px;\
        color:inherit;text-decoration:none}a:hover{background:#eef2ff;border-color:#6366f1}\
        span{display:block;font-size:.85rem;color:#616e7c}";
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

/// The RFC 7636 `unreserved` set used by verifiers and S256 challenges.
fn is_pkce_charset(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
    use tower::ServiceExt;

    use super::*;

    static KEY: LazyLock<RsaPrivateKey> =
        LazyLock::new(|| RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key"));
    const ISSUER: &str = "http://127.0.0.1:8080/dev-idp/";
    const CLIENT: &str = "spa-client";
    const AUDIENCE: &str = "https://api.example.test";
    const CALLBACK: &str = "http://127.0.0.1:8080/callback?from=idp";

    fn app() -> (Arc<DevIdp>, Router) {
        let user = |sub: &str, name: &str| DevUser {
            sub: sub.into(),
            name: name.into(),
            email: format!("{sub}@example.test"),
        };
        let config = DevIdpConfig {
            issuer: ISSUER.into(),
            audience: AUDIENCE.into(),
            client_id: CLIENT.into(),
            redirect_uris: vec![CALLBACK.into()],
            users: vec![user("alice", "Alice <A&B>"), user("bob", "Bob")],
            token_ttl_secs: 300,
        };
        let idp = Arc::new(DevIdp::with_key(config, KEY.clone()).expect("dev idp"));
        (idp.clone(), router(idp))
    }

    fn pkce() -> (String, String) {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let verifier = URL_SAFE_NO_PAD.encode(bytes);
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        (verifier, challenge)
    }

    fn form(pairs: &[(&str, &str)]) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }

    async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Option<String>, Vec<u8>) {
        let res = app.clone().oneshot(req).await.expect("infallible");
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().expect("ascii").to_owned());
        let status = res.status();
        let body = to_bytes(res.into_body(), 1 << 20).await.expect("body");
        (status, location, body.to_vec())
    }

    async fn get(app: &Router, uri: &str) -> (StatusCode, Option<String>, Vec<u8>) {
        send(app, Request::get(uri).body(Body::empty()).expect("request")).await
    }

    async fn authorize_with(
        app: &Router,
        extra: &[(&str, &str)],
    ) -> (StatusCode, Option<String>, Vec<u8>) {
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", CALLBACK),
        ];
        pairs.extend_from_slice(extra);
        get(app, &format!("/authorize?{}", form(&pairs))).await
    }

    /// Authorizes `alice` and returns the code after checking the redirect.
    async fn code_for(app: &Router, challenge: &str) -> String {
        let state = "st&te =/?é";
        let extra = [
            ("state", state),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("nonce", "n-0S6"),
            ("audience", AUDIENCE),
            ("scope", SCOPE),
            ("login_hint", "alice"),
        ];
        let (status, location, _) = authorize_with(app, &extra).await;
        assert_eq!(status, StatusCode::FOUND);
        let location = Url::parse(&location.expect("Location")).expect("URL");
        assert!(location.as_str().starts_with(CALLBACK));
        let query: HashMap<_, _> = location.query_pairs().into_owned().collect();
        assert_eq!(query.get("from").map(String::as_str), Some("idp"));
        assert_eq!(query.get("state").map(String::as_str), Some(state));
        query.get("code").expect("code").clone()
    }

    async fn exchange(
        app: &Router,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
    ) -> (StatusCode, Value) {
        let body = form(&[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", redirect_uri),
        ]);
        let req = Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        if status == StatusCode::OK {
            assert_eq!(
                res.headers()
                    .get(header::CACHE_CONTROL)
                    .expect("cache-control"),
                "no-store"
            );
        }
        let bytes = to_bytes(res.into_body(), 1 << 20).await.expect("body");
        (status, serde_json::from_slice(&bytes).expect("JSON"))
    }

    fn jwks_key(idp: &DevIdp) -> (String, DecodingKey) {
        let jwk = &idp.jwks()["keys"][0];
        let field = |name: &str| jwk[name].as_str().expect("string").to_owned();
        let key = DecodingKey::from_rsa_components(&field("n"), &field("e")).expect("key");
        (field("kid"), key)
    }

    #[tokio::test]
    async fn pkce_round_trip_issues_verifiable_tokens() {
        let (idp, app) = app();
        let (verifier, challenge) = pkce();
        let code = code_for(&app, &challenge).await;
        let (status, body) = exchange(&app, &code, &verifier, CALLBACK).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 300);

        let (kid, key) = jwks_key(&idp);
        let access_token = body["access_token"].as_str().expect("access_token");
        assert_eq!(
            decode_header(access_token).expect("header").kid.as_deref(),
            Some(kid.as_str())
        );
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        let claims = decode::<Value>(access_token, &key, &validation)
            .expect("valid access token")
            .claims;
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["azp"], CLIENT);
        assert_eq!(claims["scope"], SCOPE);
        assert_eq!(
            claims["aud"],
            json!([AUDIENCE, format!("{ISSUER}userinfo")])
        );

        validation.set_audience(&[CLIENT]);
        let id_token = body["id_token"].as_str().expect("id_token");
        let claims = decode::<Value>(id_token, &key, &validation)
            .expect("valid ID token")
            .claims;
        assert_eq!(claims["nonce"], "n-0S6");
        assert_eq!(claims["email"], "alice@example.test");
        assert_eq!(claims["name"], "Alice <A&B>");
    }

    #[tokio::test]
    async fn wrong_verifier_is_refused_and_burns_the_code() {
        let (_, app) = app();
        let (verifier, challenge) = pkce();
        let (other, _) = pkce();
        let code = code_for(&app, &challenge).await;
        let (status, body) = exchange(&app, &code, &other, CALLBACK).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );
        let (status, body) = exchange(&app, &code, &verifier, CALLBACK).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );
    }

    #[tokio::test]
    async fn reused_code_is_refused() {
        let (_, app) = app();
        let (verifier, challenge) = pkce();
        let code = code_for(&app, &challenge).await;
        assert_eq!(
            exchange(&app, &code, &verifier, CALLBACK).await.0,
            StatusCode::OK
        );
        let (status, body) = exchange(&app, &code, &verifier, CALLBACK).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );
    }

    #[tokio::test]
    async fn unlisted_redirect_uri_is_refused_without_redirect() {
        let (_, app) = app();
        let (_, challenge) = pkce();
        let query = form(&[
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", "http://127.0.0.1:8080/callback"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("login_hint", "alice"),
        ]);
        let (status, location, _) = get(&app, &format!("/authorize?{query}")).await;
        assert_eq!((status, location), (StatusCode::BAD_REQUEST, None));
    }

    #[tokio::test]
    async fn different_redirect_uri_at_token_endpoint_is_refused() {
        let (_, app) = app();
        let (verifier, challenge) = pkce();
        let code = code_for(&app, &challenge).await;
        let (status, body) = exchange(&app, &code, &verifier, "http://127.0.0.1:8080/other").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );
    }

    #[tokio::test]
    async fn plain_challenge_method_is_refused() {
        let (_, app) = app();
        let (verifier, _) = pkce();
        let extra = [
            ("state", "s1"),
            ("code_challenge", verifier.as_str()),
            ("code_challenge_method", "plain"),
            ("login_hint", "alice"),
        ];
        let (status, location, _) = authorize_with(&app, &extra).await;
        assert_eq!(status, StatusCode::FOUND);
        let location = Url::parse(&location.expect("Location")).expect("URL");
        let query: HashMap<_, _> = location.query_pairs().into_owned().collect();
        assert_eq!(
            query.get("error").map(String::as_str),
            Some("invalid_request")
        );
        assert_eq!(query.get("state").map(String::as_str), Some("s1"));
        assert!(!query.contains_key("code"));
    }

    #[tokio::test]
    async fn login_page_lists_escaped_users() {
        let (_, app) = app();
        let (_, challenge) = pkce();
        let extra = [
            ("state", "a\"b"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        let (status, _, body) = authorize_with(&app, &extra).await;
        assert_eq!(status, StatusCode::OK);
        let html = String::from_utf8(body).expect("UTF-8");
        assert!(html.contains("Alice &lt;A&amp;B&gt;"));
        assert!(html.contains("&amp;login_hint=bob\""));
        assert!(html.contains("state=a%22b"));
    }

    #[tokio::test]
    async fn logout_redirects_only_to_known_origins() {
        let (_, app) = app();
        let (status, location, _) =
            get(&app, "/v2/logout?returnTo=http%3A%2F%2F127.0.0.1%3A8080%2F").await;
        assert_eq!(
            (status, location.as_deref()),
            (StatusCode::FOUND, Some("http://127.0.0.1:8080/"))
        );
        let (status, location, _) = get(
            &app,
            "/v2/logout?returnTo=http%3A%2F%2F127.0.0.1%3A8080.evil.test%2F",
        )
        .await;
        assert_eq!((status, location), (StatusCode::OK, None));
    }

    #[tokio::test]
    async fn discovery_points_at_this_issuer() {
        let (_, app) = app();
        let (status, _, body) = get(&app, "/.well-known/openid-configuration").await;
        assert_eq!(status, StatusCode::OK);
        let doc: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(doc["issuer"], ISSUER);
        assert_eq!(doc["jwks_uri"], format!("{ISSUER}.well-known/jwks.json"));
        assert_eq!(doc["token_endpoint"], format!("{ISSUER}oauth/token"));
    }

    #[tokio::test]
    async fn a_session_skips_the_picker_until_sign_out() {
        let (_, app) = app();
        let (_, challenge) = pkce();
        let uri = |extra: &[(&str, &str)]| {
            let mut pairs = vec![
                ("response_type", "code"),
                ("client_id", CLIENT),
                ("redirect_uri", CALLBACK),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ];
            pairs.extend_from_slice(extra);
            format!("/authorize?{}", form(&pairs))
        };
        let with_cookie = |uri: String, cookie: &str| {
            Request::get(uri)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .expect("request")
        };
        let set_cookie = |res: &Response| {
            let value = res.headers().get(header::SET_COOKIE).expect("Set-Cookie");
            value.to_str().expect("ascii").to_owned()
        };
        let picker = |body: &[u8]| String::from_utf8_lossy(body).contains("choose a demo user");

        // Picking a user starts a session, scoped to the issuer's path.
        let picked = Request::get(uri(&[("login_hint", "alice")]))
            .body(Body::empty())
            .expect("request");
        let res = app.clone().oneshot(picked).await.expect("infallible");
        let cookie = set_cookie(&res);
        assert!(cookie.starts_with("dev_idp_session=alice;"), "{cookie}");
        assert!(
            cookie.contains("Path=/dev-idp/") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        let session = cookie.split(';').next().expect("a pair").to_owned();

        // With it, signing in again goes straight back with a code.
        let (status, location, _) = send(&app, with_cookie(uri(&[]), &session)).await;
        assert_eq!(status, StatusCode::FOUND);
        assert!(location.expect("Location").contains("code="));
        // `prompt=login` asks anyway; no session, or one naming nobody, asks too.
        let (status, _, body) =
            send(&app, with_cookie(uri(&[("prompt", "login")]), &session)).await;
        assert!(status == StatusCode::OK && picker(&body));
        let (status, _, body) = get(&app, &uri(&[])).await;
        assert!(status == StatusCode::OK && picker(&body));
        let forged = with_cookie(uri(&[]), "dev_idp_session=mallory");
        let (status, _, body) = send(&app, forged).await;
        assert!(status == StatusCode::OK && picker(&body));
        // `prompt=none` without a session fails instead of asking.
        let (status, location, _) = get(&app, &uri(&[("prompt", "none")])).await;
        assert_eq!(status, StatusCode::FOUND);
        assert!(location.expect("Location").contains("error=login_required"));

        // Signing out ends it.
        let out = Request::get("/v2/logout")
            .body(Body::empty())
            .expect("request");
        let res = app.clone().oneshot(out).await.expect("infallible");
        assert!(
            set_cookie(&res).starts_with("dev_idp_session=;")
                && set_cookie(&res).contains("Max-Age=0")
        );
    }
}
