//! Internal tokens: short-lived, household-scoped EdDSA (Ed25519) JWTs signed by this
//! server, published at `/.well-known/jwks.json`, and verified by [`InternalVerifier`],
//! which any backend can reuse with nothing but that JWKS.
//!
//! Asymmetric on purpose: verifiers hold no secret that could mint tokens. A next key can
//! be published before it signs, so verifiers that cache the JWKS already know it when
//! the rotation happens.
//!
//! A token proves who asks for which household, not that they may still: the data routes
//! ask the database for the membership, role and household status on every request (see
//! `db::tenant`). So the verified-token cache ([`CachedVerifier`]) keeps only the result
//! of the signature and claim checks, and never keeps a removed, demoted or suspended
//! member's grant alive.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use quick_cache::sync::Cache;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::Role;
use shared::exchange::InternalClaims;
use uuid::Uuid;

use super::{acceptable_kid, well_formed};
use crate::config::InternalTokenConfig;
use crate::error::AppError;

/// Clock skew tolerated between this server and verifiers. Small: the tokens live minutes.
pub const LEEWAY_SECS: u64 = 5;

/// One Ed25519 key pair with its RFC 7638 thumbprint as `kid`.
#[derive(Clone)]
pub struct KeyPair {
    pub kid: String,
    /// base64url public key, the JWK's `x`.
    pub x: String,
    encoding: EncodingKey,
}

impl KeyPair {
    pub fn from_pem(pem: &str) -> anyhow::Result<Self> {
        let signing = SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| anyhow::anyhow!("not an Ed25519 PKCS#8 PEM key: {e}"))?;
        let x = B64.encode(signing.verifying_key().as_bytes());
        // RFC 7638: members in lexicographic order, no whitespace.
        let thumbprint = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        let kid = B64.encode(Sha256::digest(thumbprint.as_bytes()));
        let encoding = EncodingKey::from_ed_pem(pem.as_bytes())?;
        Ok(Self { kid, x, encoding })
    }

    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        Self::from_pem(&pem).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// A fresh key as PKCS#8 PEM (what `server dev` and the tests write to disk).
    pub fn generate_pem() -> anyhow::Result<String> {
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        Ok(key
            .to_pkcs8_pem(Default::default())
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .to_string())
    }

    fn jwk(&self) -> PublicJwk {
        PublicJwk {
            kty: "OKP",
            crv: "Ed25519",
            alg: "EdDSA",
            r#use: "sig",
            kid: self.kid.clone(),
            x: self.x.clone(),
        }
    }
}

/// A public key as published in the JWKS.
#[derive(Debug, Clone, Serialize)]
pub struct PublicJwk {
    pub kty: &'static str,
    pub crv: &'static str,
    pub alg: &'static str,
    pub r#use: &'static str,
    pub kid: String,
    pub x: String,
}

/// Signs internal tokens with the current key.
pub struct InternalSigner {
    current: KeyPair,
    next: Option<KeyPair>,
    issuer: String,
    audience: String,
    ttl_secs: u64,
}

impl InternalSigner {
    pub fn new(config: &InternalTokenConfig) -> anyhow::Result<Self> {
        let current = KeyPair::from_file(&config.key_file)?;
        let next = config
            .next_key_file
            .as_deref()
            .map(KeyPair::from_file)
            .transpose()?;
        Ok(Self::from_keys(current, next, config))
    }

    pub fn from_keys(
        current: KeyPair,
        next: Option<KeyPair>,
        config: &InternalTokenConfig,
    ) -> Self {
        Self {
            current,
            next,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            ttl_secs: config.ttl_secs,
        }
    }

    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    /// `{"keys": [current, next?]}`.
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<PublicJwk> = std::iter::once(&self.current)
            .chain(&self.next)
            .map(KeyPair::jwk)
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// A verifier for exactly the keys this signer publishes.
    pub fn verifier(&self) -> InternalVerifier {
        let keys = std::iter::once(&self.current)
            .chain(&self.next)
            .map(|k| (k.kid.clone(), k.x.clone()));
        InternalVerifier::new(&self.issuer, &self.audience, keys)
            .expect("own keys are valid Ed25519 keys")
    }

    pub fn sign(&self, sub: &str, household_id: Uuid, role: Role) -> Result<String, AppError> {
        let iat = now();
        let claims = InternalClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: sub.to_owned(),
            household_id,
            role,
            iat,
            exp: iat + self.ttl_secs,
            jti: Uuid::new_v4().to_string(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.current.kid.clone());
        encode(&header, &claims, &self.current.encoding).map_err(|e| AppError::Internal(e.into()))
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Verifies internal tokens: EdDSA only, known `kid`, exact `iss` and `aud`, unexpired,
/// and typed claims (a `household_id` that is not a UUID, or a role we do not know, is a
/// rejection). Auth0 tokens fail on the algorithm before any key is tried.
pub struct InternalVerifier {
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
}

impl InternalVerifier {
    /// From `(kid, x)` pairs as found in the JWKS.
    pub fn new(
        issuer: &str,
        audience: &str,
        keys: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = LEEWAY_SECS;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let keys = keys
            .into_iter()
            .map(|(kid, x)| Ok((kid, DecodingKey::from_ed_components(&x)?)))
            .collect::<anyhow::Result<_>>()?;
        Ok(Self { keys, validation })
    }

    /// From a JWKS document as `/.well-known/jwks.json` serves it (for other backends).
    pub fn from_jwks(
        issuer: &str,
        audience: &str,
        jwks: &serde_json::Value,
    ) -> anyhow::Result<Self> {
        let keys: Vec<PublicJwkOwned> =
            serde_json::from_value(jwks.get("keys").cloned().unwrap_or_default())?;
        let keys = keys
            .into_iter()
            .filter(|k| {
                k.kty == "OKP"
                    && k.crv == "Ed25519"
                    && k.r#use.as_deref().is_none_or(|u| u == "sig")
            })
            .map(|k| (k.kid, k.x));
        Self::new(issuer, audience, keys)
    }

    pub fn verify(&self, token: &str) -> Result<InternalClaims, AppError> {
        const INVALID: AppError = AppError::Unauthorized("the internal token is not valid");
        if !well_formed(token) {
            return Err(INVALID);
        }
        let header = decode_header(token).map_err(|_| INVALID)?;
        if header.alg != Algorithm::EdDSA {
            return Err(INVALID);
        }
        let key = header
            .kid
            .as_deref()
            .filter(|k| acceptable_kid(k))
            .and_then(|k| self.keys.get(k))
            .ok_or(INVALID)?;
        let data = decode::<InternalClaims>(token, key, &self.validation).map_err(|_| INVALID)?;
        Ok(data.claims)
    }
}

#[derive(Deserialize)]
struct PublicJwkOwned {
    kty: String,
    crv: String,
    #[serde(default)]
    r#use: Option<String>,
    kid: String,
    x: String,
}

/// [`InternalVerifier`] with a bounded cache of verified tokens, keyed by the SHA-256 of
/// the token. A hit is re-checked against `exp`, so a cached token stops working at the
/// same moment an uncached one would (the leeway included).
pub struct CachedVerifier {
    inner: InternalVerifier,
    cache: Cache<[u8; 32], Arc<InternalClaims>>,
    /// Hit and miss counters, when metrics are kept.
    counters: Option<(prometheus::IntCounter, prometheus::IntCounter)>,
}

impl CachedVerifier {
    pub fn new(inner: InternalVerifier, capacity: usize) -> Self {
        Self {
            inner,
            cache: Cache::new(capacity),
            counters: None,
        }
    }

    /// Counts cache hits and misses on `(hits, misses)`.
    pub fn counting(mut self, counters: (prometheus::IntCounter, prometheus::IntCounter)) -> Self {
        self.counters = Some(counters);
        self
    }

    pub fn verify(&self, token: &str) -> Result<Arc<InternalClaims>, AppError> {
        if token.len() > super::MAX_TOKEN_BYTES {
            return Err(AppError::Unauthorized("the internal token is not valid"));
        }
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = now();
        let cached = self.cache.get(&key);
        if let Some((hits, misses)) = &self.counters {
            if cached.is_some() { hits } else { misses }.inc();
        }
        if let Some(claims) = cached {
            if now < claims.exp + LEEWAY_SECS {
                return Ok(claims);
            }
            self.cache.remove(&key);
            return Err(AppError::Unauthorized("the internal token has expired"));
        }
        let claims = Arc::new(self.inner.verify(token)?);
        self.cache.insert(key, claims.clone());
        Ok(claims)
    }
}
