//! Settings, declared once each: a clap argument carries the variable's name, its flag, its
//! default, its parser and the help `server serve --help` prints. `serve`, `dev` and the tests
//! all parse through [`parse`], so they share the defaults and the validation, and every
//! problem is reported at once ([`problems`]), so an operator fixes the lot in one go.
//!
//! This module holds the command line of `serve`, `migrate` and `audit-rls`; each concern
//! has a file: [`auth0`], [`internal`] tokens, [`limits`] and timeouts, the [`values`] the
//! settings parse into.

mod auth0;
mod internal;
mod limits;
mod problems;
#[cfg(test)]
mod tests;
mod values;

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Command, ValueEnum};
use ipnet::IpNet;
use secrecy::SecretString;

pub use auth0::{Auth0Config, check_issuer};
pub use internal::{
    DEFAULT_INTERNAL_AUDIENCE, DEFAULT_INTERNAL_ISSUER, DEFAULT_TTL_SECS, InternalTokenConfig,
};
pub use limits::{Quotas, RateLimits, Timeouts};
pub use problems::{ConfigError, parse};
pub use values::Rate;
pub(crate) use values::secret;
use values::{non_empty, origin, proxy_net, redis_url};

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_POOL_SIZE: u32 = 16;
pub const DEFAULT_ACQUIRE_TIMEOUT_MS: u64 = 1_000;
/// sqlx's own default.
pub const DEFAULT_STATEMENT_CACHE_CAPACITY: u16 = 100;

/// Everything `serve` needs. Secrets are `SecretString`, whose `Debug` is redacted.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Runtime connection: a role that is not superuser, has no BYPASSRLS and owns no tenant
    /// table
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = secret)]
    pub database_url: SecretString,
    /// The secret (base64, 32 bytes or more) with which the server proves each household
    /// context to the database; `server migrate` installs it there
    #[arg(long, env = "DATABASE_CONTEXT_KEY_FILE", value_parser = non_empty::<PathBuf>)]
    pub database_context_key_file: PathBuf,
    #[command(flatten)]
    pub auth0: Auth0Config,
    #[command(flatten)]
    pub internal: InternalTokenConfig,
    #[command(flatten)]
    pub runtime: Runtime,
    /// Where the built micro-frontend lives (`dist/` from trunk), served at `/mfe/`
    #[arg(long, env = "MFE_DIST", value_parser = non_empty::<PathBuf>)]
    pub mfe_dist: Option<PathBuf>,
}

/// What `serve` and `dev` share: the listener, the pool and the limits.
#[derive(Debug, Clone, Args)]
pub struct Runtime {
    /// Address to listen on
    #[arg(long, env = "BIND_ADDR", default_value = DEFAULT_BIND, value_parser = non_empty::<SocketAddr>)]
    pub bind_addr: SocketAddr,
    /// Address of a second listener serving Prometheus `GET /metrics` (keep it private:
    /// reachable by the scraper only); default none: no metrics listener
    #[arg(long, env = "METRICS_BIND_ADDR", value_parser = non_empty::<SocketAddr>)]
    pub metrics_bind_addr: Option<SocketAddr>,
    /// Host origins (`https://host.example`, comma-separated, exact) allowed to call the API
    /// from script and to load the bundle at /mfe/; default none (same origin only)
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',', value_parser = origin)]
    pub cors_allowed_origins: Vec<String>,
    /// Connections in the runtime pool
    #[arg(long = "database-pool-size", env = "DATABASE_POOL_SIZE", default_value_t = DEFAULT_POOL_SIZE,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub pool_size: u32,
    /// Data requests of one household using the database at once (1 to 1000): a tenant
    /// reading as fast as it can holds at most this part of the pool; more wait, then 429
    #[arg(long = "database-max-in-flight-per-household", env = "DATABASE_MAX_IN_FLIGHT_PER_HOUSEHOLD",
          default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_in_flight_per_household: u32,
    /// Data requests of one account (all its households) using the database at once (1 to
    /// 1000)
    #[arg(long = "database-max-in-flight-per-account", env = "DATABASE_MAX_IN_FLIGHT_PER_ACCOUNT",
          default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_in_flight_per_account: u32,
    /// Prepared statements each pooled connection keeps (0 to 10000); 0 only behind a
    /// transaction-mode pooler such as PgBouncer, which cannot keep them for a client (see
    /// docs/operations.md: it also needs the pooler's reset query)
    #[arg(long = "database-statement-cache-capacity", env = "DATABASE_STATEMENT_CACHE_CAPACITY",
          default_value_t = DEFAULT_STATEMENT_CACHE_CAPACITY, value_parser = clap::value_parser!(u16).range(0..=10_000))]
    pub statement_cache_capacity: u16,
    #[command(flatten)]
    pub rate_limits: RateLimits,
    /// Comma-separated CIDRs (or addresses) of reverse proxies whose X-Forwarded-For is
    /// believed for the client address; default none: the TCP peer is the client
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',', value_parser = proxy_net)]
    pub trusted_proxies: Vec<IpNet>,
    /// Redis (`redis://[:password@]host:port[/db]`) holding the rate limits, so that they
    /// hold across replicas; while it gives no answer each process limits on its own.
    /// Default none: each process limits on its own
    #[arg(long, env = "REDIS_URL", hide_env_values = true, value_parser = redis_url)]
    pub redis_url: Option<SecretString>,
    #[command(flatten)]
    pub timeouts: Timeouts,
    #[command(flatten)]
    pub quotas: Quotas,
}

impl Runtime {
    /// Whether a transaction-mode pooler stands in front of the database: then every
    /// statement with parameters runs inside an explicit transaction (see `db::read`).
    pub fn behind_pooler(&self) -> bool {
        self.statement_cache_capacity == 0
    }
}

/// How log lines are written; every command reads it.
#[derive(Debug, Clone, Copy, Args)]
pub struct Logging {
    /// Log lines as human-readable text or as one JSON object per line
    #[arg(long, env = "LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `migrate`'s connection.
#[derive(Debug, Clone, Args)]
pub struct MigrateConfig {
    /// Owner connection for `migrate` (default: DATABASE_URL)
    #[arg(long, env = "MIGRATION_DATABASE_URL", hide_env_values = true, value_parser = secret,
          required_unless_present = "database_url")]
    migration_database_url: Option<SecretString>,
    /// Used when MIGRATION_DATABASE_URL is not set
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = secret)]
    database_url: Option<SecretString>,
    /// The context key to install beside those already installed (see `serve`)
    #[arg(long, env = "DATABASE_CONTEXT_KEY_FILE", value_parser = non_empty::<PathBuf>)]
    pub database_context_key_file: Option<PathBuf>,
}

impl MigrateConfig {
    /// The owner connection: `MIGRATION_DATABASE_URL`, else `DATABASE_URL`.
    pub fn url(&self) -> anyhow::Result<&SecretString> {
        self.migration_database_url
            .as_ref()
            .or(self.database_url.as_ref())
            .ok_or_else(|| anyhow::anyhow!("MIGRATION_DATABASE_URL or DATABASE_URL must be set"))
    }
}

/// `audit-rls`'s connection.
#[derive(Debug, Clone, Args)]
pub struct AuditConfig {
    /// The runtime role's connection, whose view of the schema is audited
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = secret)]
    pub database_url: SecretString,
}

impl Config {
    /// `serve`'s settings from `args` (its flags, without a program name) and the environment.
    pub fn from_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        parse(
            Self::augment_args(Command::new("serve").no_binary_name(true)),
            args,
        )
    }
}
