//! Settings, declared once each: a clap argument carries the variable's name, its flag, its
//! default, its parser and the help `server serve --help` prints. `serve`, `dev` and the tests
//! all parse through [`parse`], so they share the defaults and the validation, and every
//! problem is reported at once, so an operator fixes the lot in one go.

use std::convert::Infallible;
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::{Resettable, ValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgMatches, Args, Command, FromArgMatches, ValueEnum};
use ipnet::IpNet;
use secrecy::SecretString;
use url::Url;

use crate::rate_limit::Rate;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_POOL_SIZE: u32 = 16;
pub const DEFAULT_TTL_SECS: u64 = 300;
pub const DEFAULT_ACQUIRE_TIMEOUT_MS: u64 = 1_000;
/// sqlx's own default.
pub const DEFAULT_STATEMENT_CACHE_CAPACITY: u16 = 100;
pub const DEFAULT_INTERNAL_ISSUER: &str = "urn:household-exchange";
pub const DEFAULT_INTERNAL_AUDIENCE: &str = "urn:household-api";

/// Everything `serve` needs. Secrets are `SecretString`, whose `Debug` is redacted.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Runtime connection: a role that is not superuser, has no BYPASSRLS and owns no tenant
    /// table
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = secret)]
    pub database_url: SecretString,
    #[command(flatten)]
    pub auth0: Auth0Config,
    #[command(flatten)]
    pub internal: InternalTokenConfig,
    #[command(flatten)]
    pub runtime: Runtime,
    /// Where the built micro-frontend lives (`dist/` from trunk), served at `/mfe/`
    #[arg(long, env = "MFE_DIST", value_parser = non_empty::<PathBuf>)]
    pub mfe_dist: Option<PathBuf>,
    /// `DEV_IDP` once claimed to enable the development issuer under `serve` but did nothing;
    /// it is refused so that no one believes it does. Never holds a value.
    #[arg(long, env = "DEV_IDP", hide = true, value_parser = refuse_dev_idp)]
    pub dev_idp: Option<Infallible>,
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
    /// Prepared statements each pooled connection keeps (0 to 10000); 0 only behind a
    /// transaction-mode pooler such as PgBouncer, which cannot keep them for a client (see
    /// README: it also needs the pooler's reset query)
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

/// How long a client or the database may take before the request is given up, so that
/// slow peers cost a task and a socket, never a pooled connection for long.
#[derive(Debug, Clone, Copy, Args)]
pub struct Timeouts {
    /// Seconds a client may take to send a request's headers (1 to 300)
    #[arg(long = "header-read-timeout-secs", env = "HEADER_READ_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_read_secs: u64,
    /// Seconds a request body may stay silent between two pieces (1 to 300)
    #[arg(long = "body-timeout-secs", env = "BODY_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub body_secs: u64,
    /// Seconds a whole request may take, body and handler; then 408 (1 to 600)
    #[arg(long = "request-timeout-secs", env = "REQUEST_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub request_secs: u64,
    /// Milliseconds a request waits for a pooled connection before a 503 (10 to 30000)
    #[arg(long = "database-acquire-timeout-ms", env = "DATABASE_ACQUIRE_TIMEOUT_MS",
          default_value_t = DEFAULT_ACQUIRE_TIMEOUT_MS, value_parser = clap::value_parser!(u64).range(10..=30_000))]
    pub acquire_ms: u64,
}

/// Rows one household may hold, so that none grows without limit at the others' expense.
#[derive(Debug, Clone, Copy, Args)]
pub struct Quotas {
    /// Vehicles one household may hold; creating one more answers 409
    #[arg(long = "household-max-vehicles", env = "HOUSEHOLD_MAX_VEHICLES", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_vehicles: u32,
    /// Fuel logs one household may hold (all its vehicles together); one more answers 409
    #[arg(long = "household-max-fuel-logs", env = "HOUSEHOLD_MAX_FUEL_LOGS", default_value_t = 50_000,
          value_parser = clap::value_parser!(u32).range(1..=100_000_000))]
    pub max_fuel_logs: u32,
}

/// The identity provider whose access tokens `/exchange` accepts.
#[derive(Debug, Clone)]
pub struct Auth0Config {
    /// Exactly the `iss` of its tokens, e.g. `https://tenant.eu.auth0.com/`.
    pub issuer: String,
    pub audience: String,
    pub client_id: String,
}

/// How [`Auth0Config`] is read: the issuer either as itself or as a domain.
#[derive(Args)]
struct Auth0Args {
    /// The identity provider's domain, e.g. tenant.eu.auth0.com (its issuer is
    /// https://<domain>/); or set AUTH0_ISSUER
    #[arg(long, env = "AUTH0_DOMAIN", required_unless_present = "auth0_issuer", value_parser = domain_issuer)]
    auth0_domain: Option<String>,
    /// Exactly the `iss` of the identity provider's tokens (instead of AUTH0_DOMAIN); http only
    /// on loopback
    #[arg(long, env = "AUTH0_ISSUER", value_parser = check_issuer)]
    auth0_issuer: Option<String>,
    /// The API audience Auth0 tokens must carry
    #[arg(long, env = "AUTH0_AUDIENCE", value_parser = non_empty::<String>)]
    auth0_audience: String,
    /// The micro-frontend's single-page client id
    #[arg(long, env = "AUTH0_CLIENT_ID", value_parser = non_empty::<String>)]
    auth0_client_id: String,
}

impl Args for Auth0Config {
    fn augment_args(cmd: Command) -> Command {
        Auth0Args::augment_args(cmd)
    }
    fn augment_args_for_update(cmd: Command) -> Command {
        Auth0Args::augment_args_for_update(cmd)
    }
}

impl FromArgMatches for Auth0Config {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let args = Auth0Args::from_arg_matches(matches)?;
        // `required_unless_present` has made sure one of the two is there.
        let issuer = args.auth0_issuer.or(args.auth0_domain).ok_or_else(|| {
            clap::Error::raw(
                ErrorKind::MissingRequiredArgument,
                "AUTH0_DOMAIN or AUTH0_ISSUER must be set",
            )
        })?;
        // An Auth0 ID token's `aud` is the client id: were the API's audience the same, an
        // ID token (readable by any script on the host page) would pass as an access token.
        if args.auth0_audience == args.auth0_client_id {
            return Err(clap::Error::raw(
                ErrorKind::ValueValidation,
                "AUTH0_AUDIENCE must not equal AUTH0_CLIENT_ID: an ID token would then pass as \
                 an access token; use the API identifier from the Auth0 dashboard\n",
            ));
        }
        Ok(Self {
            issuer,
            audience: args.auth0_audience,
            client_id: args.auth0_client_id,
        })
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

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

/// Rates of the limiters, each `<per second>/<burst>`; the defaults suit one browser tab per
/// user comfortably.
#[derive(Debug, Clone, Copy, Args)]
pub struct RateLimits {
    /// `/exchange` per client address, before authentication (`<per second>/<burst>`)
    #[arg(long = "rate-limit-exchange-per-ip", env = "RATE_LIMIT_EXCHANGE_PER_IP",
          default_value_t = RateLimits::DEFAULT.exchange_per_ip)]
    pub exchange_per_ip: Rate,
    /// `/exchange` per verified `sub:household_id` (`<per second>/<burst>`)
    #[arg(long = "rate-limit-exchange-per-user", env = "RATE_LIMIT_EXCHANGE_PER_USER",
          default_value_t = RateLimits::DEFAULT.exchange_per_user)]
    pub exchange_per_user: Rate,
    /// Data routes per `sub:household_id` of the internal token, and `/api/me/households`
    /// per `sub` (`<per second>/<burst>`)
    #[arg(long = "rate-limit-data-per-user", env = "RATE_LIMIT_DATA_PER_USER",
          default_value_t = RateLimits::DEFAULT.data_per_user)]
    pub data_per_user: Rate,
    /// Every request (any route) per client address, before anything else
    /// (`<per second>/<burst>`)
    #[arg(long = "rate-limit-requests-per-ip", env = "RATE_LIMIT_REQUESTS_PER_IP",
          default_value_t = RateLimits::DEFAULT.requests_per_ip)]
    pub requests_per_ip: Rate,
}

impl RateLimits {
    pub const DEFAULT: Self = Self {
        exchange_per_ip: Rate {
            per_second: 20,
            burst: 60,
        },
        exchange_per_user: Rate {
            per_second: 2,
            burst: 10,
        },
        data_per_user: Rate {
            per_second: 50,
            burst: 200,
        },
        requests_per_ip: Rate {
            per_second: 100,
            burst: 400,
        },
    };
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::DEFAULT
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

/// Every problem found in the settings.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

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

/// Parses `args` with `cmd` (which reads the environment too) into `T`.
///
/// Clap stops at the first problem. On failure, each setting is parsed again on its own,
/// every other one read as optional plain text, and all the refusals are reported together
/// as one error. Help, version and unknown flags are clap's own errors, unchanged.
pub fn parse<T, I, A>(cmd: Command, args: I) -> Result<T, clap::Error>
where
    T: FromArgMatches,
    I: IntoIterator<Item = A>,
    A: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let mut cmd = cmd;
    match cmd.try_get_matches_from_mut(&args) {
        Ok(matches) => T::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd)),
        Err(e) if !is_a_settings_problem(e.kind()) => Err(e),
        Err(first) => {
            let problems = every_problem(&cmd, &args);
            if problems.is_empty() {
                return Err(first);
            }
            Err(cmd.error(ErrorKind::ValueValidation, ConfigError(problems)))
        }
    }
}

fn is_a_settings_problem(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::ValueValidation | ErrorKind::InvalidValue | ErrorKind::MissingRequiredArgument
    )
}

fn every_problem(cmd: &Command, args: &[OsString]) -> Vec<String> {
    let mut settings = Vec::new();
    collect_settings(cmd, &selected_path(cmd, args), &mut settings);
    let mut problems = Vec::new();
    for setting in settings {
        if let Err(e) = alone(cmd.clone(), Some(&setting)).try_get_matches_from(args) {
            let problem = describe(&setting, &e);
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
    }
    problems
}

/// The names of the (nested) subcommands `args` select.
fn selected_path(cmd: &Command, args: &[OsString]) -> Vec<String> {
    let mut path = Vec::new();
    if let Ok(matches) = alone(cmd.clone(), None).try_get_matches_from(args) {
        let mut matches = &matches;
        while let Some((name, sub)) = matches.subcommand() {
            path.push(name.to_owned());
            matches = sub;
        }
    }
    path
}

/// The settings of `cmd` and of the subcommands along `path`.
fn collect_settings(cmd: &Command, path: &[String], into: &mut Vec<Arg>) {
    into.extend(
        cmd.get_arguments()
            .filter(|a| a.get_action().takes_values())
            .cloned(),
    );
    if let Some((name, rest)) = path.split_first()
        && let Some(sub) = cmd.find_subcommand(name)
    {
        collect_settings(sub, rest, into);
    }
}

/// `cmd` with every setting but `keep` optional plain text. Ids are compared across
/// subcommands; only the one the arguments select is parsed.
fn alone(cmd: Command, keep: Option<&Arg>) -> Command {
    cmd.mut_args(|a| {
        if keep.is_some_and(|k| k.get_id() == a.get_id()) || !a.get_action().takes_values() {
            a
        } else {
            a.value_parser(ValueParser::os_string())
                .required(false)
                .required_unless_present(Resettable::Reset)
        }
    })
    .mut_subcommands(|sub| alone(sub, keep))
}

/// One line per problem, named as an operator sets it: the variable.
fn describe(setting: &Arg, e: &clap::Error) -> String {
    let name = setting.get_env().map_or_else(
        || format!("--{}", setting.get_long().unwrap_or_default()),
        |env| env.to_string_lossy().into_owned(),
    );
    let help = setting
        .get_help()
        .map(ToString::to_string)
        .unwrap_or_default();
    let value = match e.get(ContextKind::InvalidValue) {
        // A secret's value (a URL with its password) is never echoed.
        Some(ContextValue::String(_)) if setting.is_hide_env_values_set() => "<hidden>".into(),
        Some(ContextValue::String(v)) => v.clone(),
        _ => String::new(),
    };
    match e.kind() {
        ErrorKind::MissingRequiredArgument => format!("{name} is not set: {help}"),
        ErrorKind::ValueValidation => match std::error::Error::source(e) {
            Some(why) => format!("{name}={value:?}: {why}"),
            None => format!("{name}={value:?} is not valid"),
        },
        ErrorKind::InvalidValue => {
            let valid = match e.get(ContextKind::ValidValue) {
                Some(ContextValue::Strings(v)) => v.join(", "),
                _ => String::new(),
            };
            format!("{name}={value:?} must be one of: {valid}")
        }
        _ => e.to_string().lines().next().unwrap_or_default().to_owned(),
    }
}

/// A secret that is not blank.
pub(crate) fn secret(value: &str) -> Result<SecretString, String> {
    non_empty::<String>(value).map(Into::into)
}

/// A value that is not blank, parsed with its `FromStr`.
fn non_empty<T: std::str::FromStr>(value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    if value.trim().is_empty() {
        return Err("must not be empty".into());
    }
    value.parse().map_err(|e: T::Err| e.to_string())
}

/// A Redis URL the client accepts. Its error names the kind of problem only: the URL may
/// hold a password.
fn redis_url(value: &str) -> Result<SecretString, String> {
    let url = secret(value)?;
    redis::Client::open(value).map(|_| url).map_err(|e| {
        format!(
            "not a Redis URL ({:?}); expected redis://host:port",
            e.kind()
        )
    })
}

/// A proxy's network: a CIDR, or one address (a /32 or /128).
fn proxy_net(value: &str) -> Result<IpNet, String> {
    let value = value.trim();
    value
        .parse::<IpNet>()
        .or_else(|_| value.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{value:?} is not a CIDR such as 10.0.0.0/8 or an IP address"))
}

/// A web origin as browsers send it in `Origin`: scheme, host and port if not the default,
/// nothing else. A wildcard is refused: CORS here admits named hosts only.
fn origin(value: &str) -> Result<String, String> {
    let value = value.trim();
    let url = Url::parse(value).map_err(|e| format!("{value:?} is not an origin: {e}"))?;
    let origin = url.origin().ascii_serialization();
    if !matches!(url.scheme(), "http" | "https")
        || !value.trim_end_matches('/').eq_ignore_ascii_case(&origin)
    {
        return Err(format!(
            "{value:?} is not an origin: write scheme, host and port only, e.g. https://host.example"
        ));
    }
    Ok(origin)
}

fn refuse_dev_idp(_: &str) -> Result<Infallible, String> {
    Err("the development issuer runs only under `server dev`; unset DEV_IDP".into())
}

fn domain_issuer(domain: &str) -> Result<String, String> {
    let domain = domain.trim_start_matches("https://").trim_end_matches('/');
    check_issuer(&format!("https://{domain}/"))
}

/// An issuer must be https, except on a loopback host (the development issuer).
pub fn check_issuer(issuer: &str) -> Result<String, String> {
    let url = Url::parse(issuer).map_err(|e| format!("{issuer:?} is not a URL: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => Ok(issuer.to_string()),
        "http" if loopback => Ok(issuer.to_string()),
        "http" => Err("http issuers are accepted only on loopback".into()),
        other => Err(format!("unsupported scheme {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &[&str] = &[
        "--database-url",
        "postgres://household_app:s3cret@localhost/db",
        "--auth0-domain",
        "tenant.eu.auth0.com",
        "--auth0-audience",
        "https://api.example",
        "--auth0-client-id",
        "spa",
        "--internal-jwt-key-file",
        "/keys/internal.pem",
    ];

    fn config(extra: &[&str]) -> Result<Config, clap::Error> {
        Config::from_args(FULL.iter().chain(extra))
    }

    /// Process environment variables fill in what the flags leave out, so a test about a
    /// default holds only where the environment does not set it.
    fn unset(name: &str) -> bool {
        std::env::var_os(name).is_none()
    }

    #[test]
    fn a_complete_configuration_parses_with_defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.auth0.issuer, "https://tenant.eu.auth0.com/");
        if unset("INTERNAL_JWT_TTL_SECS") {
            assert_eq!(c.internal.ttl_secs, 300);
        }
        if unset("BIND_ADDR") {
            assert_eq!(c.runtime.bind_addr.to_string(), "127.0.0.1:8080");
        }
        if unset("METRICS_BIND_ADDR") {
            assert_eq!(c.runtime.metrics_bind_addr, None);
        }
        if unset("RATE_LIMIT_EXCHANGE_PER_USER") {
            assert_eq!(c.runtime.rate_limits.exchange_per_user.to_string(), "2/10");
        }
    }

    #[test]
    fn an_audience_equal_to_the_client_id_is_refused() {
        let args = FULL.iter().map(|a| {
            if *a == "spa" {
                "https://api.example"
            } else {
                *a
            }
        });
        let err = Config::from_args(args).unwrap_err().to_string();
        assert!(err.contains("AUTH0_AUDIENCE must not equal"), "{err}");
    }

    #[test]
    fn debug_output_redacts_the_database_password() {
        let c = config(&[]).unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("tenant.eu.auth0.com"), "{debug}");
    }

    #[test]
    fn every_missing_setting_is_named() {
        let err = Config::from_args(Vec::<String>::new())
            .unwrap_err()
            .to_string();
        for name in [
            "DATABASE_URL",
            "AUTH0_AUDIENCE",
            "AUTH0_CLIENT_ID",
            "INTERNAL_JWT_KEY_FILE",
            "AUTH0_DOMAIN",
        ] {
            if unset(name) && (name != "AUTH0_DOMAIN" || unset("AUTH0_ISSUER")) {
                assert!(err.contains(name), "{name} missing from: {err}");
            }
        }
    }

    #[test]
    fn every_malformed_value_is_reported_at_once() {
        let err = config(&[
            "--internal-jwt-ttl-secs",
            "five",
            "--bind-addr",
            "everywhere",
            "--metrics-bind-addr",
            "nowhere",
            "--database-pool-size",
            "0",
            "--rate-limit-data-per-user",
            "50",
        ])
        .unwrap_err()
        .to_string();
        for name in [
            "INTERNAL_JWT_TTL_SECS=\"five\"",
            "BIND_ADDR=\"everywhere\"",
            "METRICS_BIND_ADDR=\"nowhere\"",
            "DATABASE_POOL_SIZE=\"0\"",
            "RATE_LIMIT_DATA_PER_USER=\"50\"",
        ] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn an_unknown_log_format_names_the_valid_ones() {
        let cmd = Logging::augment_args(Command::new("server").no_binary_name(true));
        let err = parse::<Logging, _, _>(cmd, ["--log-format", "xml"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("LOG_FORMAT=\"xml\" must be one of: text, json"),
            "{err}"
        );
    }

    #[test]
    fn rates_are_read_as_per_second_and_burst() {
        let c = config(&["--rate-limit-exchange-per-ip", "5/7"]).unwrap();
        assert_eq!(c.runtime.rate_limits.exchange_per_ip.per_second, 5);
        assert_eq!(c.runtime.rate_limits.exchange_per_ip.burst, 7);
    }

    #[test]
    fn a_redis_url_is_optional_and_checked_without_echoing_it() {
        if unset("REDIS_URL") {
            assert!(config(&[]).unwrap().runtime.redis_url.is_none());
        }
        let c = config(&["--redis-url", "redis://127.0.0.1:6390/0"]).unwrap();
        assert!(c.runtime.redis_url.is_some());
        let err = config(&["--redis-url", "http://:hunter2@cache"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("REDIS_URL") && !err.contains("hunter2"),
            "{err}"
        );
    }

    #[test]
    fn trusted_proxies_are_a_comma_separated_list_of_cidrs() {
        let c = config(&["--trusted-proxies", "10.0.0.0/8, 192.0.2.7,fd00::/8"]).unwrap();
        let nets: Vec<String> = c
            .runtime
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(nets, ["10.0.0.0/8", "192.0.2.7/32", "fd00::/8"]);
        let err = config(&["--trusted-proxies", "10.0.0.0/33"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("TRUSTED_PROXIES"), "{err}");
    }

    #[test]
    fn dev_idp_is_refused() {
        let err = config(&["--dev-idp", "1"]).unwrap_err().to_string();
        assert!(err.contains("server dev"), "{err}");
    }

    #[test]
    fn cors_origins_are_exact_origins() {
        let c = config(&[
            "--cors-allowed-origins",
            "https://host.example,http://localhost:5173/",
        ])
        .unwrap();
        assert_eq!(
            c.runtime.cors_allowed_origins,
            ["https://host.example", "http://localhost:5173"]
        );
        for bad in [
            "*",
            "https://host.example/app",
            "host.example",
            "ftp://host.example",
        ] {
            let err = config(&["--cors-allowed-origins", bad])
                .unwrap_err()
                .to_string();
            assert!(err.contains("CORS_ALLOWED_ORIGINS"), "{bad}: {err}");
        }
    }

    #[test]
    fn http_issuers_are_refused_unless_on_loopback() {
        let err = config(&["--auth0-issuer", "http://idp.example/"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("only on loopback"), "{err}");
        assert!(check_issuer("http://127.0.0.1:8090/").is_ok());
        assert!(check_issuer("http://localhost:8080/").is_ok());
    }
}
