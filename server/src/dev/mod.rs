//! `server dev`: the whole stack on one machine with embedded defaults — a throwaway
//! PostgreSQL cluster (unless `DATABASE_URL` is set), migrations, demo data, the
//! development identity provider, the built micro-frontend and the host page.

pub mod idp;
pub mod postgres;
pub mod seed;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use secrecy::SecretString;
use sqlx::Connection;

use crate::config::{
    Auth0Config, Config, DEFAULT_INTERNAL_AUDIENCE, DEFAULT_INTERNAL_ISSUER, InternalTokenConfig,
};
use crate::state::Tuning;

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

pub async fn run() -> anyhow::Result<()> {
    let bind: SocketAddr = std::env::var("BIND_ADDR")
        .unwrap_or_else(|_| crate::config::DEFAULT_BIND.into())
        .parse()
        .context("BIND_ADDR")?;
    anyhow::ensure!(
        bind.ip().is_loopback(),
        "server dev binds to loopback only (BIND_ADDR={bind})"
    );
    let workdir = std::env::current_dir()?.join("target");

    // The database: the given one, or a throwaway cluster that lives as long as we do.
    let mut _cluster = None;
    let (runtime_url, owner_url) =
        match std::env::var("DATABASE_URL").ok().filter(|v| !v.is_empty()) {
            Some(url) => {
                let owner = std::env::var("MIGRATION_DATABASE_URL").unwrap_or_else(|_| url.clone());
                (url, owner)
            }
            None => {
                eprintln!(
                    "starting a throwaway PostgreSQL cluster under {}…",
                    workdir.display()
                );
                let cluster = postgres::Cluster::start(&workdir, &bind.port().to_string())?;
                let mut admin = sqlx::PgConnection::connect(&cluster.admin_url("postgres")).await?;
                sqlx::raw_sql(crate::db::migrate::BOOTSTRAP_SQL)
                    .execute(&mut admin)
                    .await?;
                sqlx::query(&format!("CREATE DATABASE {DATABASE}"))
                    .execute(&mut admin)
                    .await?;
                let urls = (cluster.runtime_url(DATABASE), cluster.admin_url(DATABASE));
                _cluster = Some(cluster);
                urls
            }
        };
    let owner_url: SecretString = owner_url.into();
    crate::db::migrate::run(&owner_url)
        .await
        .context("migrations")?;
    let mut owner =
        sqlx::PgConnection::connect(secrecy::ExposeSecret::expose_secret(&owner_url)).await?;
    seed::seed(&mut owner).await.context("demo data")?;

    let key_file = workdir.join("dev").join("internal.pem");
    if !key_file.exists() {
        std::fs::create_dir_all(workdir.join("dev"))?;
        std::fs::write(&key_file, crate::auth::internal::KeyPair::generate_pem()?)?;
    }
    let origin = format!("http://{bind}");
    let issuer = format!("{origin}/dev-idp/");
    let idp = idp::DevIdp::new(idp::DevIdpConfig {
        issuer: issuer.clone(),
        audience: AUDIENCE.into(),
        client_id: CLIENT_ID.into(),
        redirect_uris: redirect_uris(bind),
        users: seed::users(),
        token_ttl_secs: 3600,
    })?;
    let dist = std::env::var("MFE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("dist"));
    let config = Config {
        database_url: runtime_url.into(),
        auth0: Auth0Config {
            issuer,
            audience: AUDIENCE.into(),
            client_id: CLIENT_ID.into(),
        },
        internal: InternalTokenConfig {
            key_file,
            next_key_file: None,
            ttl_secs: std::env::var("INTERNAL_JWT_TTL_SECS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(300),
            issuer: DEFAULT_INTERNAL_ISSUER.into(),
            audience: DEFAULT_INTERNAL_AUDIENCE.into(),
        },
        bind_addr: bind,
        pool_size: 16,
        dev_idp: true,
        mfe_dist: Some(dist.clone()),
    };
    let state = crate::start(config, Tuning::default(), Some(Arc::new(idp))).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;

    println!("\nThe household stack is running (ctrl-c stops it and the throwaway database):\n");
    for h in seed::households() {
        println!("  {:<16} {origin}/household/{}/mfe", h.name, h.id);
    }
    println!("  standalone mfe   {origin}/mfe/");
    println!("  identity (dev)   {origin}/dev-idp/.well-known/openid-configuration");
    println!("  API description  {origin}/openapi.json");
    println!(
        "\n  sign in as Alice (owner of Maple Street, viewer of Lakeside Cabin), Bob or Carol"
    );
    if !dist.join("index.html").exists() {
        println!(
            "\n  note: {} has no built micro-frontend; run ./scripts/dev (or trunk build --release)",
            dist.display()
        );
    }
    println!();
    crate::run(state, listener, crate::shutdown_signal()).await
}
