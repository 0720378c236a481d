//! What the settings parse into, each with its own refusal: secrets, origins, proxies'
//! networks, Redis URLs and rates.

use ipnet::IpNet;
use secrecy::SecretString;
use url::Url;

/// A sustained rate with a burst allowance.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub per_second: u32,
    pub burst: u32,
}

/// `<per second>/<burst>`, as the `RATE_LIMIT_*` settings write it.
impl std::str::FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let positive = |n: &str| n.trim().parse::<u32>().ok().filter(|n| *n > 0);
        match s.split_once('/') {
            Some((per_second, burst)) => match (positive(per_second), positive(burst)) {
                (Some(per_second), Some(burst)) => Ok(Self { per_second, burst }),
                _ => Err("both numbers must be whole and positive".into()),
            },
            None => Err("must be `<per second>/<burst>`, e.g. 20/60".into()),
        }
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.per_second, self.burst)
    }
}

/// A secret that is not blank.
pub(crate) fn secret(value: &str) -> Result<SecretString, String> {
    non_empty::<String>(value).map(Into::into)
}

/// A value that is not blank, parsed with its `FromStr`.
pub(super) fn non_empty<T: std::str::FromStr>(value: &str) -> Result<T, String>
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
pub(super) fn redis_url(value: &str) -> Result<SecretString, String> {
    let url = secret(value)?;
    redis::Client::open(value).map(|_| url).map_err(|e| {
        format!(
            "not a Redis URL ({:?}); expected redis://host:port",
            e.kind()
        )
    })
}

/// A proxy's network: a CIDR, or one address (a /32 or /128).
pub(super) fn proxy_net(value: &str) -> Result<IpNet, String> {
    let value = value.trim();
    value
        .parse::<IpNet>()
        .or_else(|_| value.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{value:?} is not a CIDR such as 10.0.0.0/8 or an IP address"))
}

/// A web origin as browsers send it in `Origin`: scheme, host and port if not the default,
/// nothing else. A wildcard is refused: CORS here admits named hosts only.
pub(super) fn origin(value: &str) -> Result<String, String> {
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
