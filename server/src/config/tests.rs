//! Settings as an operator writes them: defaults, every refusal at once, secrets never echoed.

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
    "--database-context-key-file",
    "/keys/context.key",
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
        "DATABASE_CONTEXT_KEY_FILE",
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
