//! `server migrate`: the embedded migrations, applied with the owner connection.

use secrecy::{ExposeSecret, SecretString};
use sqlx::migrate::Migrator;
use sqlx::{Connection, PgConnection};

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// The runtime role's bootstrap (see the file): needs CREATEROLE, idempotent.
pub const BOOTSTRAP_SQL: &str = include_str!("../../sql/bootstrap.sql");

pub async fn run(owner_url: &SecretString) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect(owner_url.expose_secret()).await?;
    MIGRATOR.run(&mut conn).await?;
    Ok(())
}
