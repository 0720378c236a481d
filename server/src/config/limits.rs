//! What one client, one user or one household may take: request rates, timeouts and the
//! rows a household may hold.

use clap::Args;

use super::DEFAULT_ACQUIRE_TIMEOUT_MS;
use super::values::Rate;

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
    /// Open invitations (not used, revoked or expired) one household may have; one more
    /// answers 409
    #[arg(long = "household-max-open-invitations", env = "HOUSEHOLD_MAX_OPEN_INVITATIONS",
          default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_open_invitations: u32,
    /// Households one account may own; creating one more answers 409
    #[arg(long = "account-max-households", env = "ACCOUNT_MAX_HOUSEHOLDS", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_households_per_account: u32,
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
    /// Data routes per `sub` across all its households, so that an account owning many
    /// households gets no more than this in total (`<per second>/<burst>`)
    #[arg(long = "rate-limit-data-per-account", env = "RATE_LIMIT_DATA_PER_ACCOUNT",
          default_value_t = RateLimits::DEFAULT.data_per_account)]
    pub data_per_account: Rate,
    /// Every request (any route) per client address, before anything else
    /// (`<per second>/<burst>`)
    #[arg(long = "rate-limit-requests-per-ip", env = "RATE_LIMIT_REQUESTS_PER_IP",
          default_value_t = RateLimits::DEFAULT.requests_per_ip)]
    pub requests_per_ip: Rate,
    /// IPv6 clients are one client per network of this many bits (32 to 128) for the
    /// per-address limits: a customer usually holds a whole /56 and could rotate through it
    #[arg(long = "rate-limit-ipv6-prefix", env = "RATE_LIMIT_IPV6_PREFIX",
          default_value_t = RateLimits::DEFAULT.ipv6_prefix, value_parser = clap::value_parser!(u8).range(32..=128))]
    pub ipv6_prefix: u8,
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
        data_per_account: Rate {
            per_second: 100,
            burst: 400,
        },
        requests_per_ip: Rate {
            per_second: 100,
            burst: 400,
        },
        ipv6_prefix: 56,
    };
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
