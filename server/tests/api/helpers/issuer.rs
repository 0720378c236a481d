//! `TestIssuer`: an OpenID issuer on a loopback port, standing in for Auth0, with RSA keys
//! made once per test binary.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

use super::*;

/// Two RSA keys for the whole test binary: generating them is the slow part.
pub static RSA_KEYS: LazyLock<[RsaPrivateKey; 2]> = LazyLock::new(|| {
    let mut rng = rand::rngs::OsRng;
    [
        RsaPrivateKey::new(&mut rng, 2048).unwrap(),
        RsaPrivateKey::new(&mut rng, 2048).unwrap(),
    ]
});

/// An OpenID issuer on a loopback port: discovery and JWKS over real HTTP, keys that can
/// be rotated or taken offline, and a count of JWKS fetches.
#[derive(Clone)]
pub struct TestIssuer {
    pub url: String,
    inner: Arc<IssuerState>,
}

struct IssuerState {
    url: String,
    /// Index into RSA_KEYS of the published/signing key.
    current: Mutex<usize>,
    online: AtomicBool,
    jwks_fetches: AtomicU64,
    /// Extra raw JWKS entries (wrong kinds) published alongside.
    extra: Mutex<Vec<Value>>,
    /// Names `/userinfo` gives, by subject; others are named after their subject.
    names: Mutex<std::collections::HashMap<String, (String, String)>>,
    userinfo_calls: AtomicU64,
}

/// The name and e-mail `/userinfo` gives `sub` unless a test set others:
/// `auth0|alice` is "Person alice", `alice@people.test`.
pub fn default_name(sub: &str) -> (String, String) {
    let local = sub.rsplit('|').next().unwrap_or(sub);
    (format!("Person {local}"), format!("{local}@people.test"))
}

pub fn kid_of(index: usize) -> String {
    format!("test-key-{index}")
}

pub fn rsa_jwk(index: usize) -> Value {
    let key = RSA_KEYS[index].to_public_key();
    json!({
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid_of(index),
        "n": B64.encode(key.n().to_bytes_be()), "e": B64.encode(key.e().to_bytes_be()),
    })
}

pub fn rsa_encoding_key(index: usize) -> EncodingKey {
    EncodingKey::from_rsa_der(RSA_KEYS[index].to_pkcs1_der().unwrap().as_bytes())
}

impl TestIssuer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let inner = Arc::new(IssuerState {
            url: url.clone(),
            current: Mutex::new(0),
            online: AtomicBool::new(true),
            jwks_fetches: AtomicU64::new(0),
            extra: Mutex::new(Vec::new()),
            names: Mutex::default(),
            userinfo_calls: AtomicU64::new(0),
        });
        async fn discovery(
            State(s): State<Arc<IssuerState>>,
        ) -> Result<Json<Value>, axum::http::StatusCode> {
            if !s.online.load(Ordering::SeqCst) {
                return Err(axum::http::StatusCode::SERVICE_UNAVAILABLE);
            }
            Ok(Json(
                json!({ "issuer": s.url, "jwks_uri": format!("{}jwks.json", s.url),
                        "userinfo_endpoint": format!("{}userinfo", s.url) }),
            ))
        }
        async fn jwks(
            State(s): State<Arc<IssuerState>>,
        ) -> Result<Json<Value>, axum::http::StatusCode> {
            if !s.online.load(Ordering::SeqCst) {
                return Err(axum::http::StatusCode::SERVICE_UNAVAILABLE);
            }
            s.jwks_fetches.fetch_add(1, Ordering::SeqCst);
            let mut keys = s.extra.lock().unwrap().clone();
            keys.push(rsa_jwk(*s.current.lock().unwrap()));
            Ok(Json(json!({ "keys": keys })))
        }
        // As Auth0's: the access token as bearer, signed by the current key, with this
        // endpoint among its audiences.
        async fn userinfo(
            State(s): State<Arc<IssuerState>>,
            headers: axum::http::HeaderMap,
        ) -> Result<Json<Value>, axum::http::StatusCode> {
            if !s.online.load(Ordering::SeqCst) {
                return Err(axum::http::StatusCode::SERVICE_UNAVAILABLE);
            }
            s.userinfo_calls.fetch_add(1, Ordering::SeqCst);
            let token = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(axum::http::StatusCode::UNAUTHORIZED)?;
            let index = *s.current.lock().unwrap();
            let key = RSA_KEYS[index].to_public_key();
            let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
                &B64.encode(key.n().to_bytes_be()),
                &B64.encode(key.e().to_bytes_be()),
            )
            .unwrap();
            let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
            validation.set_audience(&[format!("{}userinfo", s.url)]);
            let claims = jsonwebtoken::decode::<Value>(token, &decoding, &validation)
                .map_err(|_| axum::http::StatusCode::UNAUTHORIZED)?
                .claims;
            let sub = claims["sub"].as_str().unwrap_or_default().to_owned();
            let (name, email) = s
                .names
                .lock()
                .unwrap()
                .get(&sub)
                .cloned()
                .unwrap_or_else(|| default_name(&sub));
            Ok(Json(json!({ "sub": sub, "name": name, "email": email })))
        }
        let app = axum::Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/userinfo", get(userinfo))
            .route("/jwks.json", get(jwks))
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, inner }
    }

    /// How many times `/userinfo` was asked.
    pub fn userinfo_calls(&self) -> u64 {
        self.inner.userinfo_calls.load(Ordering::SeqCst)
    }

    /// What `/userinfo` answers for `sub` from now on.
    pub fn set_name(&self, sub: &str, name: &str, email: &str) {
        let names = &mut self.inner.names.lock().unwrap();
        names.insert(sub.to_owned(), (name.to_owned(), email.to_owned()));
    }

    pub fn jwks_fetches(&self) -> u64 {
        self.inner.jwks_fetches.load(Ordering::SeqCst)
    }

    /// Publishes (and signs with) the other key.
    pub fn rotate(&self) {
        let mut current = self.inner.current.lock().unwrap();
        *current = 1 - *current;
    }

    pub fn set_online(&self, online: bool) {
        self.inner.online.store(online, Ordering::SeqCst);
    }

    pub fn publish_extra(&self, entry: Value) {
        self.inner.extra.lock().unwrap().push(entry);
    }

    /// Claims of a valid access token for `sub`.
    pub fn claims(&self, sub: &str) -> Value {
        let now = now();
        json!({ "iss": self.url, "sub": sub, "aud": [AUDIENCE, format!("{}userinfo", self.url)],
                "iat": now, "exp": now + 600, "azp": CLIENT_ID, "scope": "openid profile" })
    }

    pub fn sign(&self, header: &Header, claims: &Value) -> String {
        let index = *self.inner.current.lock().unwrap();
        jsonwebtoken::encode(header, claims, &rsa_encoding_key(index)).unwrap()
    }

    pub fn header(&self) -> Header {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some(kid_of(*self.inner.current.lock().unwrap()));
        h
    }

    /// A valid access token for `sub`.
    pub fn token(&self, sub: &str) -> String {
        self.sign(&self.header(), &self.claims(sub))
    }
}
