//! Environment → typed configuration, with one clear message per missing or malformed
//! variable (all of them at once, so an operator fixes the lot in one go).

use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;
use url::Url;

/// Everything `serve` needs. Secrets are `SecretString`, whose `Debug` is redacted.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: SecretString,
    pub auth0: Auth0Config,
    pub internal: InternalTokenConfig,
    pub bind_addr: SocketAddr,
    /// Connections in the runtime pool (`DATABASE_POOL_SIZE`, default 16).
    pub pool_size: u32,
    /// Serve the development identity provider at `/dev-idp/` (only `server dev` or
    /// `DEV_IDP=1`). Its tokens go through the same validation as Auth0's.
    pub dev_idp: bool,
    /// Where the built micro-frontend lives (`dist/` from trunk), served at `/mfe/`.
    pub mfe_dist: Option<PathBuf>,
}

/// The identity provider whose access tokens `/exchange` accepts.
#[derive(Debug, Clone)]
pub struct Auth0Config {
    /// Exactly the `iss` of its tokens, e.g. `https://tenant.eu.auth0.com/`.
    pub issuer: String,
    pub audience: String,
    pub client_id: String,
}

/// The internal tokens this server signs.
#[derive(Debug, Clone)]
pub struct InternalTokenConfig {
    pub key_file: PathBuf,
    /// Published in the JWKS before it signs, so verifiers already know it at rotation.
    pub next_key_file: Option<PathBuf>,
    pub ttl_secs: u64,
    pub issuer: String,
    pub audience: String,
}

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_TTL_SECS: u64 = 300;
pub const DEFAULT_INTERNAL_ISSUER: &str = "urn:household-exchange";
pub const DEFAULT_INTERNAL_AUDIENCE: &str = "urn:household-api";

/// Every problem found in the environment.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

/// Reads variables through a function so tests need not touch the process environment.
pub struct Env<F: Fn(&str) -> Option<String>>(pub F);

impl<F: Fn(&str) -> Option<String>> Env<F> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    /// A variable that must be set, as a secret.
    pub fn required(&self, name: &str) -> Result<SecretString, String> {
        self.get(name)
            .map(Into::into)
            .ok_or_else(|| format!("{name} is not set"))
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&Env(|k| std::env::var(k).ok()))
    }

    pub fn from_source<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let mut errors = Vec::new();
        let mut require = |name: &str, why: &str| {
            env.get(name).or_else(|| {
                errors.push(format!("{name} is not set: {why}"));
                None
            })
        };
        let database_url = require("DATABASE_URL", "the runtime role's connection string");
        let audience = require("AUTH0_AUDIENCE", "the API audience Auth0 tokens must carry");
        let client_id = require(
            "AUTH0_CLIENT_ID",
            "the micro-frontend's single-page client id",
        );
        let key_file = require(
            "INTERNAL_JWT_KEY_FILE",
            "a PEM private key (Ed25519) for internal tokens",
        );

        let issuer = match (env.get("AUTH0_ISSUER"), env.get("AUTH0_DOMAIN")) {
            (Some(issuer), _) => check_issuer(&issuer).map_err(|e| errors.push(e)).ok(),
            (None, Some(domain)) => {
                let domain = domain.trim_start_matches("https://").trim_end_matches('/');
                check_issuer(&format!("https://{domain}/"))
                    .map_err(|e| errors.push(e))
                    .ok()
            }
            (None, None) => {
                errors
                    .push("AUTH0_DOMAIN or AUTH0_ISSUER must be set: the identity provider".into());
                None
            }
        };
        let ttl_secs = match env.get("INTERNAL_JWT_TTL_SECS") {
            None => Some(DEFAULT_TTL_SECS),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (10..=3600).contains(&n) => Some(n),
                _ => {
                    errors.push(format!(
                        "INTERNAL_JWT_TTL_SECS={v:?} must be whole seconds from 10 to 3600"
                    ));
                    None
                }
            },
        };
        let bind_raw = env.get("BIND_ADDR").unwrap_or_else(|| DEFAULT_BIND.into());
        let bind_addr = bind_raw
            .parse::<SocketAddr>()
            .map_err(|_| {
                errors.push(format!(
                    "BIND_ADDR={bind_raw:?} is not an address like 127.0.0.1:8080"
                ))
            })
            .ok();
        let pool_size = match env.get("DATABASE_POOL_SIZE") {
            None => Some(16),
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (1..=1000).contains(&n) => Some(n),
                _ => {
                    errors.push(format!(
                        "DATABASE_POOL_SIZE={v:?} must be a number from 1 to 1000"
                    ));
                    None
                }
            },
        };
        let dev_idp = matches!(env.get("DEV_IDP").as_deref(), Some("1" | "true"));

        let (
            Some(db),
            Some(audience),
            Some(client_id),
            Some(key),
            Some(issuer),
            Some(ttl),
            Some(bind),
            Some(pool_size),
        ) = (
            database_url,
            audience,
            client_id,
            key_file,
            issuer,
            ttl_secs,
            bind_addr,
            pool_size,
        )
        else {
            return Err(ConfigError(errors));
        };
        if !errors.is_empty() {
            return Err(ConfigError(errors));
        }
        Ok(Config {
            database_url: db.into(),
            auth0: Auth0Config {
                issuer,
                audience,
                client_id,
            },
            internal: InternalTokenConfig {
                key_file: key.into(),
                next_key_file: env.get("INTERNAL_JWT_NEXT_KEY_FILE").map(Into::into),
                ttl_secs: ttl,
                issuer: env
                    .get("INTERNAL_JWT_ISSUER")
                    .unwrap_or_else(|| DEFAULT_INTERNAL_ISSUER.into()),
                audience: env
                    .get("INTERNAL_JWT_AUDIENCE")
                    .unwrap_or_else(|| DEFAULT_INTERNAL_AUDIENCE.into()),
            },
            bind_addr: bind,
            pool_size,
            dev_idp,
            mfe_dist: env.get("MFE_DIST").map(Into::into),
        })
    }
}

/// The owner connection for `migrate`: `MIGRATION_DATABASE_URL`, else `DATABASE_URL`.
pub fn migration_database_url() -> Result<SecretString, ConfigError> {
    let env = Env(|k| std::env::var(k).ok());
    env.get("MIGRATION_DATABASE_URL")
        .or_else(|| env.get("DATABASE_URL"))
        .map(Into::into)
        .ok_or_else(|| {
            ConfigError(vec![
                "MIGRATION_DATABASE_URL or DATABASE_URL must be set".into(),
            ])
        })
}

/// An issuer must be https, except on a loopback host (the development issuer).
pub fn check_issuer(issuer: &str) -> Result<String, String> {
    let url =
        Url::parse(issuer).map_err(|e| format!("AUTH0_ISSUER={issuer:?} is not a URL: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => Ok(issuer.to_string()),
        "http" if loopback => Ok(issuer.to_string()),
        "http" => Err(format!(
            "AUTH0_ISSUER={issuer:?}: http issuers are accepted only on loopback"
        )),
        other => Err(format!(
            "AUTH0_ISSUER={issuer:?}: unsupported scheme {other}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_source(&Env(move |k| map.get(k).cloned()))
    }

    const FULL: &[(&str, &str)] = &[
        (
            "DATABASE_URL",
            "postgres://household_app:s3cret@localhost/db",
        ),
        ("AUTH0_DOMAIN", "tenant.eu.auth0.com"),
        ("AUTH0_AUDIENCE", "https://api.example"),
        ("AUTH0_CLIENT_ID", "spa"),
        ("INTERNAL_JWT_KEY_FILE", "/keys/internal.pem"),
    ];

    #[test]
    fn a_complete_environment_parses_with_defaults() {
        let c = config(FULL).unwrap();
        assert_eq!(c.auth0.issuer, "https://tenant.eu.auth0.com/");
        assert_eq!(c.internal.ttl_secs, 300);
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:8080");
        assert!(!c.dev_idp);
    }

    #[test]
    fn debug_output_redacts_the_database_password() {
        let c = config(FULL).unwrap();
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn every_missing_variable_is_named() {
        let err = config(&[]).unwrap_err().to_string();
        for name in [
            "DATABASE_URL",
            "AUTH0_AUDIENCE",
            "AUTH0_CLIENT_ID",
            "INTERNAL_JWT_KEY_FILE",
            "AUTH0_DOMAIN",
        ] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn http_issuers_are_refused_unless_on_loopback() {
        let mut vars = FULL.to_vec();
        vars.push(("AUTH0_ISSUER", "http://idp.example/"));
        assert!(
            config(&vars)
                .unwrap_err()
                .to_string()
                .contains("only on loopback")
        );
        assert!(check_issuer("http://127.0.0.1:8080/dev-idp/").is_ok());
        assert!(check_issuer("http://localhost:8080/").is_ok());
    }

    #[test]
    fn malformed_numbers_and_addresses_are_refused() {
        let mut vars = FULL.to_vec();
        vars.push(("INTERNAL_JWT_TTL_SECS", "five"));
        vars.push(("BIND_ADDR", "everywhere"));
        let err = config(&vars).unwrap_err().to_string();
        assert!(
            err.contains("INTERNAL_JWT_TTL_SECS") && err.contains("BIND_ADDR"),
            "{err}"
        );
    }
}
