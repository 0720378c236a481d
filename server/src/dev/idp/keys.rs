//! The issuer's RSA signing key and the JWKS that publishes it.
//!
//! RS256 because that is what Auth0 signs with and what the server accepts from it; the key
//! lives as long as the process, so every restart invalidates the previous tokens.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// A JSON Web Key Set, as served at `/.well-known/jwks.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Jwks {
    pub keys: [RsaJwk; 1],
}

/// An RSA public signing key as a JWK (RFC 7517, RFC 7518 §6.3).
#[derive(Debug, Clone, Serialize)]
pub struct RsaJwk {
    pub kty: &'static str,
    pub r#use: &'static str,
    pub alg: &'static str,
    /// The key's RFC 7638 thumbprint.
    pub kid: String,
    /// base64url modulus.
    pub n: String,
    /// base64url public exponent.
    pub e: String,
}

/// The private key, ready to sign, and its public half as a JWK.
pub(super) struct SigningKey {
    encoding: EncodingKey,
    /// The public half, for the tokens this issuer is shown back (`/userinfo`).
    decoding: DecodingKey,
    jwk: RsaJwk,
}

/// A fresh RSA-2048 key.
pub(super) fn generate() -> anyhow::Result<RsaPrivateKey> {
    RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).context("generating RSA key")
}

impl SigningKey {
    pub(super) fn from_rsa(key: &RsaPrivateKey) -> anyhow::Result<Self> {
        anyhow::ensure!(key.size() >= 256, "RSA key must have at least 2048 bits");
        let der = key.to_pkcs1_der().context("encoding RSA key")?;
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        // RFC 7638 thumbprint: members in lexicographic order, no whitespace.
        let thumbprint = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint.as_bytes()));
        Ok(Self {
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding: DecodingKey::from_rsa_components(&n, &e).context("public key")?,
            jwk: RsaJwk {
                kty: "RSA",
                r#use: "sig",
                alg: "RS256",
                kid,
                n,
                e,
            },
        })
    }

    pub(super) fn kid(&self) -> &str {
        &self.jwk.kid
    }

    pub(super) fn jwks(&self) -> Jwks {
        Jwks {
            keys: [self.jwk.clone()],
        }
    }

    /// The claims of `token` when this key signed it and `validation` holds.
    pub(super) fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Option<T> {
        jsonwebtoken::decode(token, &self.decoding, validation)
            .ok()
            .map(|data| data.claims)
    }

    /// `claims` as an RS256 JWT whose header names this key.
    pub(super) fn sign(&self, claims: &impl Serialize) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.jwk.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).context("signing token")
    }
}
