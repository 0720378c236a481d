//! The authentication hot paths, without the database:
//! - Auth0 access-token validation with warm keys (RS256);
//! - internal-token signing and verification (EdDSA);
//! - the fused data-route path (verify → household match → rate limit → request id),
//!   with a cold and a warm verified-token cache.
//!
//! `cargo bench -p server --bench auth`

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use server::auth::auth0::Auth0Validator;
use server::auth::context::authorize;
use server::auth::internal::{CachedVerifier, InternalSigner, KeyPair};
use server::config::Rate;
use server::config::{Auth0Config, InternalTokenConfig};
use server::rate_limit::Limiter;
use shared::Role;
use uuid::Uuid;

fn internal_config() -> InternalTokenConfig {
    InternalTokenConfig {
        key_file: "unused".into(),
        next_key_file: None,
        ttl_secs: 300,
        issuer: server::config::DEFAULT_INTERNAL_ISSUER.into(),
        audience: server::config::DEFAULT_INTERNAL_AUDIENCE.into(),
    }
}

fn signer() -> InternalSigner {
    let key = KeyPair::from_pem(&KeyPair::generate_pem().unwrap()).unwrap();
    InternalSigner::from_keys(key, None, &internal_config())
}

fn internal(c: &mut Criterion) {
    let signer = signer();
    let household = Uuid::new_v4();
    let token = signer.sign("auth0|bench", household, Role::Member).unwrap();
    let verifier = signer.verifier();
    let mut group = c.benchmark_group("internal_token");
    group.bench_function("sign", |b| {
        b.iter(|| signer.sign("auth0|bench", household, Role::Member).unwrap())
    });
    group.bench_function("verify", |b| b.iter(|| verifier.verify(&token).unwrap()));
    group.finish();
}

fn fused(c: &mut Criterion) {
    // Without REDIS_URL the limiter never waits; the runtime only drives its future.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let signer = signer();
    let household = Uuid::new_v4();
    let token = signer.sign("auth0|bench", household, Role::Member).unwrap();
    let rate = Rate {
        per_second: u32::MAX,
        burst: u32::MAX,
    };
    let limiter = Limiter::new("bench", rate, 100_000, None);
    let account = Limiter::new("bench_account", rate, 100_000, None);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    let request_id = server::request_id::fresh;

    let mut group = c.benchmark_group("fused_path");
    // Cold: a new cache each time, so every call verifies the signature.
    group.bench_function("cold_cache", |b| {
        b.to_async(&rt).iter_batched(
            || CachedVerifier::new(signer.verifier(), 1_000),
            |verifier| {
                let (limiter, account, headers) = (&limiter, &account, &headers);
                async move {
                    let id = request_id();
                    (
                        authorize(&verifier, limiter, account, headers, Ok(household))
                            .await
                            .unwrap(),
                        id,
                    )
                }
            },
            criterion::BatchSize::SmallInput,
        )
    });
    let warm = CachedVerifier::new(signer.verifier(), 1_000);
    rt.block_on(authorize(
        &warm,
        &limiter,
        &account,
        &headers,
        Ok(household),
    ))
    .unwrap();
    group.bench_function("warm_cache", |b| {
        b.to_async(&rt).iter(|| async {
            let id = request_id();
            (
                authorize(&warm, &limiter, &account, &headers, Ok(household))
                    .await
                    .unwrap(),
                id,
            )
        })
    });
    group.bench_function("warm_cache_wrong_household", |b| {
        b.to_async(&rt).iter(|| async {
            authorize(&warm, &limiter, &account, &headers, Ok(Uuid::nil()))
                .await
                .unwrap_err()
        })
    });
    group.bench_function("rate_limit_check", |b| {
        let key = ("auth0|bench".to_owned(), household);
        b.to_async(&rt)
            .iter(|| async { limiter.check(&key).await.unwrap() })
    });
    group.bench_function("request_id", |b| b.iter(request_id));
    group.finish();
}

/// An issuer on a loopback port serving discovery and the JWKS, so the validator warms
/// its cache exactly as it does against Auth0.
fn auth0(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let issuer = format!("http://{}/", listener.local_addr().unwrap());
    let public = key.to_public_key();
    let jwks = serde_json::json!({"keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "bench",
        "n": base64_url(&public.n().to_bytes_be()), "e": base64_url(&public.e().to_bytes_be()),
    }]});
    let discovery = serde_json::json!({"issuer": issuer, "jwks_uri": format!("{issuer}jwks")});
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            axum::routing::get(move || async move { axum::Json(discovery) }),
        )
        .route(
            "/jwks",
            axum::routing::get(move || async move { axum::Json(jwks) }),
        );
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });

    let config = Auth0Config::new(issuer.clone(), "https://api.bench".into(), "spa".into());
    let validator = Arc::new(Auth0Validator::new(&config, Duration::from_secs(30)).unwrap());
    let now = jsonwebtoken::get_current_timestamp();
    let claims = serde_json::json!({"iss": issuer, "sub": "auth0|bench", "aud": ["https://api.bench"], "iat": now, "exp": now + 3600, "azp": "spa"});
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("bench".into());
    let encoding = EncodingKey::from_rsa_der(key.to_pkcs1_der().unwrap().as_bytes());
    let token = jsonwebtoken::encode(&header, &claims, &encoding).unwrap();
    rt.block_on(validator.validate(&token)).unwrap();

    c.bench_function("auth0_validate_warm_keys", |b| {
        b.to_async(&rt).iter(|| {
            let validator = validator.clone();
            let token = token.clone();
            async move { validator.validate(&token).await.unwrap() }
        })
    });
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

criterion_group!(benches, internal, fused, auth0);
criterion_main!(benches);
