//! The identity provider whose access tokens `/exchange` accepts: `AUTH0_DOMAIN` or
//! `AUTH0_ISSUER`, the API's audience, the micro-frontend's client id and the clients
//! (`azp`) whose tokens are accepted.

use clap::error::ErrorKind;
use clap::{ArgMatches, Args, Command, FromArgMatches};
use url::Url;

use super::values::non_empty;

/// The identity provider whose access tokens `/exchange` accepts.
#[derive(Debug, Clone)]
pub struct Auth0Config {
    /// Exactly the `iss` of its tokens, e.g. `https://tenant.eu.auth0.com/`.
    pub issuer: String,
    pub audience: String,
    pub client_id: String,
    /// The `azp` values accepted: the applications that may act for a person here.
    pub allowed_client_ids: Vec<String>,
}

impl Auth0Config {
    /// An identity provider whose tokens are accepted from `client_id` alone.
    pub fn new(issuer: String, audience: String, client_id: String) -> Self {
        Self {
            issuer,
            audience,
            allowed_client_ids: vec![client_id.clone()],
            client_id,
        }
    }
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
    /// The applications (`azp`, comma-separated) whose access tokens are accepted; default
    /// AUTH0_CLIENT_ID alone. Any other client with a token for the audience (a
    /// machine-to-machine client, a third-party app) gets 401
    #[arg(long, env = "AUTH0_ALLOWED_CLIENT_IDS", value_delimiter = ',', value_parser = non_empty::<String>)]
    auth0_allowed_client_ids: Vec<String>,
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
        let mut config = Self::new(issuer, args.auth0_audience, args.auth0_client_id);
        if !args.auth0_allowed_client_ids.is_empty() {
            config.allowed_client_ids = args.auth0_allowed_client_ids;
        }
        Ok(config)
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
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
