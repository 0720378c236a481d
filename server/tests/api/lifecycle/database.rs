//! The lifecycle tables' policies with the API bypassed: a bug or a hand-written query in
//! the server must still not let a non-owner, a founder or a redeemer reach further.

use server::db::tenant::{FoundingTx, HouseholdTx, RedemptionTx};
use uuid::Uuid;

use super::invite;
use crate::helpers::{TestApp, TestDb};

/// A household with an owner and a member, straight in the database.
async fn household(db: &TestDb) -> Uuid {
    let h = db.household("Home").await;
    db.member(h, "owner", "owner").await;
    db.member(h, "member", "member").await;
    h
}

fn refused_by_policy(e: sqlx::Error) {
    let code = e
        .as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned());
    assert_eq!(code.as_deref(), Some("42501"), "{e}");
}

#[tokio::test]
async fn the_database_refuses_a_non_owners_membership_writes_with_the_api_bypassed() {
    let db = TestDb::new().await;
    let h = household(&db).await;
    let mut tx = HouseholdTx::begin(&db.app, &crate::helpers::context_key(), h, "member")
        .await
        .unwrap();
    let promoted =
        sqlx::query("UPDATE household_members SET role = 'owner' WHERE user_sub = 'member'")
            .execute(tx.conn())
            .await
            .unwrap();
    assert_eq!(promoted.rows_affected(), 0);
    let removed = sqlx::query("DELETE FROM household_members WHERE user_sub = 'owner'")
        .execute(tx.conn())
        .await
        .unwrap();
    assert_eq!(removed.rows_affected(), 0);
    let added =
        sqlx::query("INSERT INTO household_members (user_sub, role) VALUES ('friend', 'owner')")
            .execute(tx.conn())
            .await
            .unwrap_err();
    refused_by_policy(added);
    drop(tx);
    let mut tx = HouseholdTx::begin(&db.app, &crate::helpers::context_key(), h, "member")
        .await
        .unwrap();
    let invited = sqlx::query(
        "INSERT INTO invitations (code_hash, role, created_by, expires_at) \
         VALUES (repeat('a', 64), 'member', 'member', now() + interval '1 day')",
    )
    .execute(tx.conn())
    .await
    .unwrap_err();
    refused_by_policy(invited);
    drop(tx);

    // The same statements as the owner do change the rows.
    let mut tx = HouseholdTx::begin(&db.app, &crate::helpers::context_key(), h, "owner")
        .await
        .unwrap();
    let promoted =
        sqlx::query("UPDATE household_members SET role = 'owner' WHERE user_sub = 'member'")
            .execute(tx.conn())
            .await
            .unwrap();
    assert_eq!(promoted.rows_affected(), 1);
}

#[tokio::test]
async fn the_audit_record_is_append_only_for_the_runtime_role() {
    let db = TestDb::new().await;
    let h = household(&db).await;
    let mut tx = HouseholdTx::begin(&db.app, &crate::helpers::context_key(), h, "owner")
        .await
        .unwrap();
    server::db::audit_events::record(tx.conn(), shared::audit::AuditAction::VehicleCreated, "x")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for statement in [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let mut tx = HouseholdTx::begin(&db.app, &crate::helpers::context_key(), h, "owner")
            .await
            .unwrap();
        let refused = sqlx::query(statement).execute(tx.conn()).await.unwrap_err();
        refused_by_policy(refused);
    }
    // A member writes events as themselves only, and reads none.
    let mut tx = HouseholdTx::begin(&db.app, &crate::helpers::context_key(), h, "member")
        .await
        .unwrap();
    let forged =
        sqlx::query("INSERT INTO audit_events (actor, action) VALUES ('owner', 'member_removed')")
            .execute(tx.conn())
            .await
            .unwrap_err();
    refused_by_policy(forged);
    let mut tx = HouseholdTx::begin(&db.app, &crate::helpers::context_key(), h, "member")
        .await
        .unwrap();
    let read: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(read, 0);
}

const TENANT_TABLES: [&str; 7] = [
    "households",
    "household_members",
    "vehicles",
    "fuel_logs",
    "invitations",
    "join_requests",
    "audit_events",
];

async fn visible(conn: &mut sqlx::PgConnection) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for table in TENANT_TABLES {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        out.push((table.to_owned(), n));
    }
    out
}

#[tokio::test]
async fn creating_a_household_reaches_no_other_household() {
    let db = TestDb::new().await;
    let other = household(&db).await;
    db.vehicle(other, "Golf").await;

    let mut tx = FoundingTx::begin(
        &db.app,
        &crate::helpers::context_key(),
        "auth0|mallory",
        1_000,
    )
    .await
    .unwrap();
    assert!(visible(tx.conn()).await.iter().all(|(_, n)| *n == 0));
    let into_other = sqlx::query(
        "INSERT INTO household_members (household_id, user_sub, role) VALUES ($1, 'auth0|mallory', 'owner')",
    )
    .bind(other)
    .execute(tx.conn())
    .await
    .unwrap_err();
    refused_by_policy(into_other);
    drop(tx);

    // Naming an existing household as the context by hand does not make it a founding one.
    let mut tx = db.app.begin().await.unwrap();
    sqlx::query(
        "SELECT set_config('app.current_household_id', $1, true), \
                set_config('app.current_user_sub', 'auth0|mallory', true)",
    )
    .bind(other.to_string())
    .execute(&mut *tx)
    .await
    .unwrap();
    let seized = sqlx::query(
        "INSERT INTO household_members (user_sub, role) VALUES ('auth0|mallory', 'owner')",
    )
    .execute(&mut *tx)
    .await
    .unwrap_err();
    refused_by_policy(seized);
}

#[tokio::test]
async fn redeeming_a_code_reaches_only_its_own_invitation() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    let (other, other_owner) = app.household_with("Other", "auth0|olga", "owner").await;
    app.db.vehicle(h, "Golf").await;
    app.db.vehicle(other, "Polo").await;
    let code = invite(&app, h, &owner, "member").await;
    invite(&app, other, &other_owner, "member").await;
    let hash = server::db::invitations::hash(&code);

    // The code's hash with another household: nothing at all.
    let mut tx = RedemptionTx::begin(
        &app.db.app,
        &crate::helpers::context_key(),
        other,
        &hash,
        "auth0|mallory",
    )
    .await
    .unwrap();
    assert!(visible(tx.conn()).await.iter().all(|(_, n)| *n == 0));
    drop(tx);

    // The right pair: the one invitation, and no other row of either household.
    let mut tx = RedemptionTx::begin(
        &app.db.app,
        &crate::helpers::context_key(),
        h,
        &hash,
        "auth0|mallory",
    )
    .await
    .unwrap();
    let seen = visible(tx.conn()).await;
    for (table, n) in &seen {
        assert_eq!(*n, i64::from(table == "invitations"), "{table}: {seen:?}");
    }
    let marked = sqlx::query(
        "UPDATE invitations SET used_by = 'auth0|mallory', used_at = now() WHERE household_id = $1",
    )
    .bind(other)
    .execute(tx.conn())
    .await
    .unwrap();
    assert_eq!(marked.rows_affected(), 0);
    let joined = sqlx::query(
        "INSERT INTO household_members (household_id, user_sub, role) VALUES ($1, 'auth0|mallory', 'owner')",
    )
    .bind(h)
    .execute(tx.conn())
    .await
    .unwrap_err();
    refused_by_policy(joined);
}

#[tokio::test]
async fn audit_rls_covers_the_lifecycle_tables() {
    let db = TestDb::new().await;
    let report = server::db::audit::audit(&mut db.app.acquire().await.unwrap())
        .await
        .unwrap();
    assert!(report.ok(), "{:?}", report.problems());
    for table in ["invitations", "join_requests", "audit_events"] {
        let t = report.tables.iter().find(|t| t.name == table).unwrap();
        assert!(t.covered(), "{t:?}");
    }
}

// The demo data is development code, left out of the production build.
#[cfg(feature = "dev")]
#[tokio::test]
async fn the_demo_data_has_a_pending_join_request_for_the_owner_to_decide() {
    let db = TestDb::new().await;
    let mut owner = db.admin.acquire().await.unwrap();
    server::dev::seed::seed(&mut owner).await.unwrap();
    // `server dev` seeds on every start.
    server::dev::seed::seed(&mut owner).await.unwrap();

    let maple = server::dev::seed::MAPLE;
    let mut tx = HouseholdTx::begin(
        &db.app,
        &crate::helpers::context_key(),
        maple,
        "auth0|alice",
    )
    .await
    .unwrap();
    let pending = server::db::invitations::pending(&mut tx).await.unwrap();

    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].requester_sub, "auth0|carol");
    assert_eq!(pending[0].role, shared::Role::Member);
}
