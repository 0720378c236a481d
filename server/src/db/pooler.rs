//! `serve`'s start-up check of a transaction pooler between it and PostgreSQL.
//!
//! sqlx 0.8 names every statement it parses (`sqlx_s_1`, `sqlx_s_2`, … per client
//! connection), even with its statement cache off. Behind PgBouncer in transaction mode a
//! server connection passes from client to client between transactions; unless the pooler
//! drops named statements when it takes one back (`server_reset_query = DEALLOCATE ALL`
//! with `server_reset_query_always = 1`), two clients collide on one name (42P05) or bind
//! another client's statement. That shows only under load, as failing requests; this finds
//! it before the first one.

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection, Row};

/// How many hand-overs to try before concluding that no server connection is shared.
const ATTEMPTS: usize = 8;

/// Refuses a pooler that hands a server connection from one client to another with a
/// named prepared statement still on it. Two client connections take turns: the first
/// prepares a statement in a transaction, the second then looks for it in its own. A
/// direct connection never shares a backend (the probe passes); a pooler that resets
/// passes; one that does not is caught as soon as it gives the second client the server
/// connection the first one used. Simple-query protocol only, so the probe itself names no
/// statement of sqlx's.
pub async fn check_reset(options: &PgConnectOptions) -> anyhow::Result<()> {
    let mut first = PgConnection::connect_with(options).await?;
    let mut second = PgConnection::connect_with(options).await?;
    let probe = format!("household_pooler_probe_{:016x}", rand::random::<u64>());
    for attempt in 0..ATTEMPTS {
        // One simple query each: its statements run as one transaction, after which a
        // transaction pooler may hand the server connection on.
        let name = format!("{probe}_{attempt}");
        let prepare = format!("PREPARE {name} AS SELECT 1; SELECT pg_backend_pid()");
        let row = first.fetch_one(prepare.as_str()).await?;
        let prepared_on: i32 = row.try_get(0)?;

        let look = format!(
            "SELECT pg_backend_pid(), \
                    EXISTS (SELECT 1 FROM pg_prepared_statements WHERE name = '{name}')"
        );
        let row = second.fetch_one(look.as_str()).await?;
        let (looked_on, survived): (i32, bool) = (row.try_get(0)?, row.try_get(1)?);
        if looked_on == prepared_on {
            anyhow::ensure!(
                !survived,
                "refusing to start: DATABASE_URL goes through a transaction pooler that hands \
                 a server connection to another client with its prepared statements still on \
                 it, so requests would fail under load (42P05, or another client's statement). \
                 Set `server_reset_query = DEALLOCATE ALL` and `server_reset_query_always = 1` \
                 in pgbouncer.ini (docs/operations.md, \"Behind PgBouncer\")"
            );
            return Ok(());
        }
    }
    Ok(())
}
