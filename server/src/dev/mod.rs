//! `server dev`: the whole stack on one machine with embedded defaults — a throwaway
//! PostgreSQL cluster (unless `DATABASE_URL` is set), migrations, demo data, the
//! development identity provider, the built micro-frontend and the host page.

mod hosts;
pub mod idp;
pub mod postgres;
pub mod seed;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use sqlx::Connection;

use crate::config::{Auth0Config, Config, InternalTokenConfig, Runtime};
use crate::state::Tuning;

/// The development commands, which a production build (`--no-default-features`) lacks.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The whole stack on one machine, with embedded development defaults.
    Dev(Box<DevConfig>),
    /// A throwaway PostgreSQL cluster with server/sql/bootstrap.sql applied, for scripts:
    /// prints its superuser URL as one line, then runs until ctrl-c or SIGTERM and removes it.
    #[command(hide = true)]
    DevPostgres,
}

/// `server dev`'s settings: `serve`'s, but the database, the identity provider and the
/// internal key have development defaults.
#[derive(Debug, Args)]
// `serve` requires a key; `dev` generates one at this default when it is absent.
#[command(mut_arg("key_file", |a| a.required(false).default_value("target/dev/internal.pem")))]
pub struct DevConfig {
    /// A database to use instead of a throwaway cluster (the runtime role's connection)
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = crate::config::secret)]
    database_url: Option<SecretString>,
    /// The owner connection for migrations and demo data (default: DATABASE_URL)
    #[arg(long, env = "MIGRATION_DATABASE_URL", hide_env_values = true, value_parser = crate::config::secret)]
    migration_database_url: Option<SecretString>,
    /// The context key (see `serve`); generated here when absent
    #[arg(
        long,
        env = "DATABASE_CONTEXT_KEY_FILE",
        default_value = "target/dev/context.key"
    )]
    database_context_key_file: PathBuf,
    #[command(flatten)]
    internal: InternalTokenConfig,
    #[command(flatten)]
    runtime: Runtime,
    /// Where the built micro-frontend lives, served at `/mfe/`
    #[arg(long, env = "MFE_DIST", default_value = "dist")]
    mfe_dist: PathBuf,
    /// Extra callback URLs the development issuer accepts, comma-separated (a host under
    /// development on its own origin, e.g. http://localhost:5173/callback); their origins
    /// become its allowed web origins
    #[arg(long, env = "DEV_IDP_CALLBACK_URLS", value_delimiter = ',', value_parser = callback_url)]
    dev_idp_callback_urls: Vec<String>,
    /// Where the development issuer listens. It has an origin of its own, as an Auth0 tenant
    /// has: auth0-spa-js's token worker sends only to `<issuer origin>/oauth/token`
    #[arg(long, env = "DEV_IDP_BIND_ADDR", default_value = "127.0.0.1:8090")]
    dev_idp_bind_addr: SocketAddr,
}

/// A callback URL as Auth0 takes one: absolute `http(s)`, no fragment, no credentials, no
/// wildcard.
fn callback_url(value: &str) -> Result<String, String> {
    let value = value.trim();
    let url = url::Url::parse(value).map_err(|e| format!("{value:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https")
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
        || value.contains('*')
    {
        return Err(format!(
            "{value:?} is not a callback URL: write an http(s) URL without fragment, \
             credentials or wildcard, e.g. http://localhost:5173/callback"
        ));
    }
    Ok(url.into())
}

pub const CLIENT_ID: &str = "household-mfe-dev";
pub const AUDIENCE: &str = "https://household-api.local/";
const DATABASE: &str = "household";

/// The redirect URIs the development issuer accepts for an app served at `origin`.
pub fn redirect_uris(bind: SocketAddr) -> Vec<String> {
    let mut uris = Vec::new();
    for host in ["127.0.0.1", "localhost"] {
        let origin = format!("http://{host}:{}", bind.port());
        uris.push(format!("{origin}/callback"));
        uris.push(format!("{origin}/mfe/"));
        // `trunk serve` for standalone work (Trunk.toml: port 8081, public_url /mfe/).
        uris.push(format!("http://{host}:8081/mfe/"));
    }
    uris
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Dev(config) => stack(*config).await,
        Command::DevPostgres => throwaway_postgres().await,
    }
}

/// Data of throwaway clusters goes under `target/` of the working directory.
fn workdir() -> anyhow::Result<PathBuf> {
    Ok(std::env::current_dir()?.join("target"))
}

/// Creates the runtime role and the helpers every database needs (as the superuser).
async fn bootstrap(admin_url: &str) -> anyhow::Result<sqlx::PgConnection> {
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::raw_sql(crate::db::migrate::BOOTSTRAP_SQL)
        .execute(&mut admin)
        .await
        .context("server/sql/bootstrap.sql")?;
    Ok(admin)
}

async fn throwaway_postgres() -> anyhow::Result<()> {
    let name = format!("throwaway-{}", std::process::id());
    let cluster = postgres::Cluster::start(&workdir()?, &name)?;
    let url = cluster.admin_url("postgres");
    bootstrap(&url).await?;
    println!("{url}");
    crate::shutdown_signal().await;
    drop(cluster);
    Ok(())
}

/// Writes `make()` to `path` (and its directory) unless the file is there: a key `dev`
/// generates once and keeps.
fn write_if_absent(
    path: &std::path::Path,
    make: impl FnOnce() -> anyhow::Result<String>,
) -> anyhow::Result<()> {
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, make()?)?;
    }
    Ok(())
}

async fn stack(config: DevConfig) -> anyhow::Result<()> {
    let bind = config.runtime.bind_addr;
    let idp_bind = config.dev_idp_bind_addr;
    for (name, addr) in [("BIND_ADDR", bind), ("DEV_IDP_BIND_ADDR", idp_bind)] {
        anyhow::ensure!(
            addr.ip().is_loopback(),
            "server dev binds to loopback only ({name}={addr})"
        );
    }

    // The database: the given one, or a throwaway cluster that lives as long as we do.
    let mut _cluster = None;
    let (runtime_url, owner_url) = match config.database_url {
        Some(url) => {
            let owner = config.migration_database_url.unwrap_or_else(|| url.clone());
            (url, owner)
        }
        None => {
            let workdir = workdir()?;
            eprintln!(
                "starting a throwaway PostgreSQL cluster under {}…",
                workdir.display()
            );
            let cluster = postgres::Cluster::start(&workdir, &bind.port().to_string())?;
            let mut admin = bootstrap(&cluster.admin_url("postgres")).await?;
            sqlx::query(&format!("CREATE DATABASE {DATABASE}"))
                .execute(&mut admin)
                .await?;
            let urls = (
                cluster.runtime_url(DATABASE).into(),
                cluster.admin_url(DATABASE).into(),
            );
            _cluster = Some(cluster);
            urls
        }
    };
    write_if_absent(&config.database_context_key_file, || {
        Ok(crate::db::context::ContextKey::generate_base64())
    })?;
    let context_key = crate::db::context::ContextKey::from_file(&config.database_context_key_file)?;
    crate::db::migrate::run(&owner_url, Some(&context_key))
        .await
        .context("migrations")?;
    let mut owner = sqlx::PgConnection::connect(owner_url.expose_secret()).await?;
    seed::seed(&mut owner).await.context("demo data")?;

    write_if_absent(&config.internal.key_file, || {
        crate::auth::internal::KeyPair::generate_pem()
    })?;
    let origin = format!("http://{bind}");
    let issuer = format!("http://{idp_bind}/");
    let extra_callbacks = config.dev_idp_callback_urls;
    let idp = idp::DevIdp::new(idp::DevIdpConfig {
        issuer: issuer.clone(),
        audience: AUDIENCE.into(),
        client_id: CLIENT_ID.into(),
        redirect_uris: redirect_uris(bind)
            .into_iter()
            .chain(extra_callbacks.iter().cloned())
            .collect(),
        users: seed::users(),
        token_ttl_secs: 3600,
    })?;
    let dist = config.mfe_dist;
    let header_read = Duration::from_secs(config.runtime.timeouts.header_read_secs);
    let config = Config {
        database_url: runtime_url,
        database_context_key_file: config.database_context_key_file,
        auth0: Auth0Config::new(issuer, AUDIENCE.into(), CLIENT_ID.into()),
        internal: config.internal,
        runtime: config.runtime,
        mfe_dist: Some(dist.clone()),
    };
    // Both bound before the state starts its first fetch of the (development) issuer's keys:
    // the fetch waits for the issuer's accept loop, not refused.
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind} (BIND_ADDR)"))?;
    let idp_listener = tokio::net::TcpListener::bind(idp_bind)
        .await
        .with_context(|| format!("binding {idp_bind} (DEV_IDP_BIND_ADDR)"))?;
    let shutdown = futures::FutureExt::shared(Box::pin(crate::shutdown_signal()));
    let issuer_served = tokio::spawn(crate::run_router(
        hosts::only(idp::router(Arc::new(idp)), hosts::names(idp_bind)),
        idp_listener,
        header_read,
        shutdown.clone(),
    ));
    let state = crate::start(config, Tuning::default()).await?;
    crate::spawn_metrics(&state, shutdown.clone()).await?;
    let app = hosts::only(crate::app(state), hosts::names(bind));

    println!("\nThe household stack is running (ctrl-c stops it and the throwaway database):\n");
    for h in seed::households() {
        println!("  {:<16} {origin}/household/{}/mfe", h.name, h.id);
    }
    println!("  standalone mfe   {origin}/mfe/");
    println!("  identity (dev)   http://{idp_bind}/.well-known/openid-configuration");
    for url in &extra_callbacks {
        println!("  also accepts     {url} (DEV_IDP_CALLBACK_URLS)");
    }
    println!("  API description  {origin}/openapi.json");
    println!(
        "\n  sign in as Alice (owner of Maple Street, viewer of Lakeside Cabin), Bob or Carol"
    );
    if !dist.join("index.html").exists() {
        println!(
            "\n  note: {} has no built micro-frontend; run ./scripts/dev, which builds it",
            dist.display()
        );
    }
    println!();
    crate::run_router(app, listener, header_read, shutdown).await?;
    issuer_served.await?
}

#[cfg(test)]
mod tests {
    use clap::{Args, Command};

    use super::*;

    fn dev(args: &[&str]) -> Result<DevConfig, clap::Error> {
        let cmd = DevConfig::augment_args(Command::new("dev").no_binary_name(true));
        crate::config::parse(cmd, args)
    }

    #[test]
    fn extra_callback_urls_are_a_comma_separated_list_of_urls() {
        let c = dev(&[
            "--dev-idp-callback-urls",
            "http://localhost:5173/callback, https://host.test/",
        ])
        .unwrap();
        assert_eq!(
            c.dev_idp_callback_urls,
            ["http://localhost:5173/callback", "https://host.test/"]
        );
        for bad in [
            "localhost:5173",
            "http://localhost:5173/#done",
            "https://*.host.test/",
            "https://user:pw@host.test/",
            "ftp://host.test/",
        ] {
            let err = dev(&["--dev-idp-callback-urls", bad])
                .unwrap_err()
                .to_string();
            assert!(err.contains("DEV_IDP_CALLBACK_URLS"), "{bad}: {err}");
        }
    }
}
