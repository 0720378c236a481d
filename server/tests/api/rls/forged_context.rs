//! The runtime role cannot make a household context of its own: connected as
//! `household_app` (a leaked `DATABASE_URL`, an SQL injection), whatever it sets by hand
//! reads no row of any tenant table and writes none. Only a context proven with the key
//! (`server/src/db/context.rs`), which that role cannot read, admits rows.

use server::db::context::{Context, ContextKey};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use super::two_households;
use crate::helpers::{context_key, proof};

/// Every table with a `household_id` column, and `households`.
async fn tenant_tables(conn: &mut PgConnection) -> Vec<String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
           AND (c.relname = 'households'
                OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                           AND a.attname = 'household_id' AND NOT a.attisdropped))
         ORDER BY 1",
    )
    .fetch_all(conn)
    .await
    .unwrap();
    assert!(tables.len() >= 7, "the tenant tables: {tables:?}");
    tables
}

fn code(e: &sqlx::Error) -> String {
    e.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned())
        .unwrap_or_else(|| format!("{e}"))
}

/// Refused as the runtime role may be: no privilege (42501), a row-level security
/// violation (42501), a seal never made in this session (55000), a context not proven
/// (28000).
fn refused(e: &sqlx::Error, what: &str) {
    assert!(
        ["42501", "55000", "28000"].contains(&code(e).as_str()),
        "{what}: {e}"
    );
}

/// In `conn`'s current context: every tenant table reads no row (or the read is refused),
/// and no write reaches a row of `victim`.
async fn sees_nothing(conn: &mut PgConnection, tables: &[String], victim: Uuid, why: &str) {
    for table in tables {
        let mut probe = conn.begin().await.unwrap();
        match sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&mut *probe)
            .await
        {
            Ok(rows) => assert_eq!(rows, 0, "{why}: {table} showed rows"),
            Err(e) => refused(&e, &format!("{why}: reading {table}")),
        }
        probe.rollback().await.unwrap();
        let column = if table == "households" {
            "id"
        } else {
            "household_id"
        };
        for write in [
            format!("UPDATE {table} SET {column} = {column} WHERE {column} = $1"),
            format!("DELETE FROM {table} WHERE {column} = $1"),
        ] {
            let mut probe = conn.begin().await.unwrap();
            match sqlx::query(&write).bind(victim).execute(&mut *probe).await {
                Ok(done) => assert_eq!(done.rows_affected(), 0, "{why}: {write}"),
                Err(e) => refused(&e, &format!("{why}: {write}")),
            }
            probe.rollback().await.unwrap();
        }
    }
    let mut probe = conn.begin().await.unwrap();
    let seized = sqlx::query(
        "INSERT INTO household_members (household_id, user_sub, role) VALUES ($1, 'mallory', 'owner')",
    )
    .bind(victim)
    .execute(&mut *probe)
    .await
    .expect_err("a new owner inserted");
    refused(&seized, &format!("{why}: inserting an owner"));
    probe.rollback().await.unwrap();
}

async fn set(conn: &mut PgConnection, settings: &[(&str, String)]) {
    for (name, value) in settings {
        sqlx::query("SELECT set_config($1, $2, false)")
            .bind(name)
            .bind(value)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn no_context_set_by_hand_reads_or_writes_a_row() {
    let t = two_households().await;
    let (a, b) = (t.a, t.b);
    let connect = || async { PgConnection::connect_with(&t.db.app_options).await.unwrap() };
    let mut conn = connect().await;
    let tables = tenant_tables(&mut conn).await;

    // The settings the policies read before, every one of them, by hand.
    set(
        &mut conn,
        &[
            ("app.current_household_id", a.to_string()),
            ("app.current_user_sub", "user-a".into()),
            ("app.current_household_role", "owner".into()),
            ("app.redeeming_household", a.to_string()),
            ("app.redeeming_code_hash", "0".repeat(64)),
        ],
    )
    .await;
    sees_nothing(&mut conn, &tables, a, "the former settings by hand").await;

    // The setting the accessors read now, by hand, in a session never sealed.
    let context_a = format!("{a}\nuser-a\n\n");
    set(&mut conn, &[("app.context", context_a.clone())]).await;
    sees_nothing(&mut conn, &tables, a, "app.context by hand").await;

    // A sealed session: B entered with its proof, then the context switched to A's.
    let mut conn = connect().await;
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT app.enter_household($1, 'user-b', $2)")
        .bind(b)
        .bind(proof(b, "user-b"))
        .execute(&mut *tx)
        .await
        .unwrap();
    let own: i64 = sqlx::query_scalar("SELECT count(*) FROM vehicles")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(own, 1, "the proven context reads its own household");
    sqlx::query("SELECT set_config('app.context', $1, true)")
        .bind(&context_a)
        .execute(&mut *tx)
        .await
        .unwrap();
    sees_nothing(&mut tx, &tables, a, "a proven context changed by hand").await;
    tx.commit().await.unwrap();

    // A's context entered properly, then repeated by hand in the next transaction: the seal
    // belongs to the transaction that made it.
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT app.enter_household($1, 'user-a', $2)")
        .bind(a)
        .bind(proof(a, "user-a"))
        .execute(&mut *tx)
        .await
        .unwrap();
    let sealed: String = sqlx::query_scalar("SELECT current_setting('app.context')")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.context', $1, true)")
        .bind(&sealed)
        .execute(&mut *tx)
        .await
        .unwrap();
    sees_nothing(
        &mut tx,
        &tables,
        a,
        "a seal replayed in a later transaction",
    )
    .await;
    tx.rollback().await.unwrap();

    // A proof for one context does not open another, and the seal and the keys are out of
    // reach.
    for (sql, why) in [
        (
            "SELECT app.enter_household($1, 'user-a', $2)",
            "B's proof for A",
        ),
        ("SELECT setval('app.context_seal', 1)", "setting the seal"),
        (
            "SELECT count(*) FROM app_private.context_keys",
            "reading the keys",
        ),
        ("SELECT app_private.enter_as_owner($1)", "the owner's entry"),
    ] {
        let mut probe = conn.begin().await.unwrap();
        let mut query = sqlx::query(sql);
        if sql.contains("$2") {
            query = query.bind(a).bind(proof(b, "user-b"));
        } else if sql.contains("$1") {
            query = query.bind(a);
        }
        let e = query.execute(&mut *probe).await.expect_err(why);
        refused(&e, why);
        probe.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn a_key_rotates_without_downtime() {
    let t = two_households().await;
    let old = context_key();
    let new = ContextKey::from_base64(&ContextKey::generate_base64()).unwrap();
    let mut conn = PgConnection::connect_with(&t.db.app_options).await.unwrap();
    let enters = |key: &ContextKey| key.prove(Context::household(t.a, "user-a"));
    let try_enter = async |conn: &mut PgConnection, proof: String| {
        let mut tx = conn.begin().await.unwrap();
        let done = sqlx::query("SELECT app.enter_household($1, 'user-a', $2)")
            .bind(t.a)
            .bind(proof)
            .execute(&mut *tx)
            .await;
        tx.rollback().await.unwrap();
        done.map(|_| ()).map_err(|e| code(&e))
    };
    assert_eq!(
        try_enter(&mut conn, enters(&new)).await,
        Err("28000".into()),
        "not installed yet"
    );
    // 1. Install the new key beside the old: both are accepted while replicas roll.
    new.install(&mut t.db.admin.acquire().await.unwrap())
        .await
        .unwrap();
    assert_eq!(try_enter(&mut conn, enters(&old)).await, Ok(()));
    assert_eq!(try_enter(&mut conn, enters(&new)).await, Ok(()));
    // 2. Retire the old one once every replica has the new file.
    sqlx::query("DELETE FROM app_private.context_keys WHERE id = $1")
        .bind(old.id())
        .execute(&t.db.admin)
        .await
        .unwrap();
    assert_eq!(
        try_enter(&mut conn, enters(&old)).await,
        Err("28000".into()),
        "retired"
    );
    assert_eq!(try_enter(&mut conn, enters(&new)).await, Ok(()));
    let refused = server::db::context::check_installed(&mut conn, &old)
        .await
        .expect_err("serve refuses a key the database does not know");
    assert!(refused.to_string().contains("server migrate"), "{refused}");
}
