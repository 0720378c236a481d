//! `server migrate`: the embedded migrations, applied with the owner connection.

use secrecy::{ExposeSecret, SecretString};
use sqlx::migrate::Migrator;
use sqlx::{Connection, PgConnection};

use super::context::ContextKey;

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// The runtime role's bootstrap (see the file): needs CREATEROLE, idempotent.
pub const BOOTSTRAP_SQL: &str = include_str!("../../sql/bootstrap.sql");

/// Applies the migrations, then installs `context_key` (when given) beside the keys the
/// database already accepts: see [`super::context`].
pub async fn run(owner_url: &SecretString, context_key: Option<&ContextKey>) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect(owner_url.expose_secret()).await?;
    MIGRATOR.run(&mut conn).await?;
    if let Some(key) = context_key {
        key.install(&mut conn).await?;
    }
    Ok(())
}
