//! The internal tokens this server signs: the keys, their lifetime, `iss` and `aud`.

use std::path::PathBuf;

use clap::Args;

use super::values::non_empty;

pub const DEFAULT_TTL_SECS: u64 = 300;
pub const DEFAULT_INTERNAL_ISSUER: &str = "urn:household-exchange";
pub const DEFAULT_INTERNAL_AUDIENCE: &str = "urn:household-api";

/// The internal tokens this server signs.
#[derive(Debug, Clone, Args)]
pub struct InternalTokenConfig {
    /// PEM private key (Ed25519) that signs internal tokens
    #[arg(long = "internal-jwt-key-file", env = "INTERNAL_JWT_KEY_FILE", value_parser = non_empty::<PathBuf>)]
    pub key_file: PathBuf,
    /// The next key: published in the JWKS before it signs, so verifiers already know it at
    /// rotation
    #[arg(long = "internal-jwt-next-key-file", env = "INTERNAL_JWT_NEXT_KEY_FILE", value_parser = non_empty::<PathBuf>)]
    pub next_key_file: Option<PathBuf>,
    /// Lifetime of internal tokens in seconds (10 to 3600)
    #[arg(long = "internal-jwt-ttl-secs", env = "INTERNAL_JWT_TTL_SECS", default_value_t = DEFAULT_TTL_SECS,
          value_parser = clap::value_parser!(u64).range(10..=3600))]
    pub ttl_secs: u64,
    /// `iss` of internal tokens
    #[arg(long = "internal-jwt-issuer", env = "INTERNAL_JWT_ISSUER", default_value = DEFAULT_INTERNAL_ISSUER,
          value_parser = non_empty::<String>)]
    pub issuer: String,
    /// `aud` of internal tokens
    #[arg(long = "internal-jwt-audience", env = "INTERNAL_JWT_AUDIENCE", default_value = DEFAULT_INTERNAL_AUDIENCE,
          value_parser = non_empty::<String>)]
    pub audience: String,
}
