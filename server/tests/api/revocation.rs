//! Lost access ends on the next request: removal, demotion and suspension take effect on
//! the very next data request with the old internal token, on every replica sharing the
//! database, because the database admits each request (`app.enter_household`).

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use shared::paths;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::helpers::{TestApp, assert_problem};

async fn remove(app: &TestApp, household: Uuid, sub: &str) {
    sqlx::query("DELETE FROM household_members WHERE household_id = $1 AND user_sub = $2")
        .bind(household)
        .bind(sub)
        .execute(&app.db.admin)
        .await
        .unwrap();
}

async fn set_role(app: &TestApp, household: Uuid, sub: &str, role: &str) {
    sqlx::query("UPDATE household_members SET role = $3 WHERE household_id = $1 AND user_sub = $2")
        .bind(household)
        .bind(sub)
        .bind(role)
        .execute(&app.db.admin)
        .await
        .unwrap();
}

/// `server household <action> <id>` with the owner connection, as an operator runs it.
fn operator(app: &TestApp, action: &str, id: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["household", action, id])
        .env("MIGRATION_DATABASE_URL", app.db.admin_url())
        .env("DATABASE_URL", app.db.app_url())
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

fn assert_operator_succeeds(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_removed_members_old_token_is_refused_on_the_next_data_request() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "member").await;
    assert_eq!(app.get(&paths::vehicles(h), &token).await.status(), 200);

    remove(&app, h, "auth0|alice").await;

    assert_problem(app.get(&paths::vehicles(h), &token).await, 403).await;
    let write = app
        .send(
            Method::POST,
            &paths::vehicles(h),
            &token,
            Some(json!({"name": "Golf"})),
        )
        .await;
    assert_problem(write, 403).await;
    assert_problem(
        app.exchange_with(&app.issuer.token("auth0|alice"), &h.to_string())
            .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn a_demoted_members_old_token_gets_401_and_a_fresh_exchange_gives_the_new_role() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "member").await;
    assert_eq!(app.get(&paths::vehicles(h), &token).await.status(), 200);

    set_role(&app, h, "auth0|alice", "viewer").await;

    let response = app.get(&paths::vehicles(h), &token).await;
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
    assert_problem(response, 401).await;
    let exchanged: Value = app
        .exchange_with(&app.issuer.token("auth0|alice"), &h.to_string())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(exchanged["role"], "viewer");
    let fresh = exchanged["access_token"].as_str().unwrap();
    assert_eq!(app.get(&paths::vehicles(h), fresh).await.status(), 200);
    let write = app
        .send(
            Method::POST,
            &paths::vehicles(h),
            fresh,
            Some(json!({"name": "Golf"})),
        )
        .await;
    assert_problem(write, 403).await;
}

#[tokio::test]
async fn a_promoted_viewers_old_token_gets_401_too_so_the_new_role_is_picked_up() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "viewer").await;

    set_role(&app, h, "auth0|alice", "member").await;

    assert_problem(app.get(&paths::vehicles(h), &token).await, 401).await;
    let fresh = app.internal_token("auth0|alice", h).await;
    let write = app
        .send(
            Method::POST,
            &paths::vehicles(h),
            &fresh,
            Some(json!({"name": "Golf"})),
        )
        .await;
    assert_eq!(write.status(), 201);
}

#[tokio::test]
async fn a_suspended_households_members_are_refused_everywhere_until_it_is_reactivated() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "viewer").await;
    let bob = app.internal_token("auth0|bob", h).await;

    assert_operator_succeeds(&operator(&app, "suspend", &h.to_string()));

    for t in [&token, &bob] {
        let body = assert_problem(app.get(&paths::vehicles(h), t).await, 403).await;
        assert_eq!(body["title"], "Household suspended");
        assert_eq!(body["type"], "/problems/household-suspended");
    }
    let body = assert_problem(
        app.exchange_with(&app.issuer.token("auth0|alice"), &h.to_string())
            .await,
        403,
    )
    .await;
    assert_eq!(body["title"], "Household suspended");

    assert_operator_succeeds(&operator(&app, "reactivate", &h.to_string()));

    assert_eq!(app.get(&paths::vehicles(h), &token).await.status(), 200);
    assert_eq!(app.get(&paths::vehicles(h), &bob).await.status(), 200);
    app.internal_token("auth0|alice", h).await;
}

#[tokio::test]
async fn the_operator_commands_fail_with_a_clear_message_for_an_unknown_household() {
    let app = TestApp::spawn().await;
    let unknown = Uuid::new_v4().to_string();
    for action in ["suspend", "reactivate"] {
        let out = operator(&app, action, &unknown);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{action} succeeded");
        assert!(
            stderr.contains("no household has the id") && stderr.contains(&unknown),
            "{stderr}"
        );
    }
    let out = operator(&app, "suspend", "not-a-uuid");
    assert!(!out.status.success());
}

#[tokio::test]
async fn an_owner_that_is_not_a_superuser_can_suspend_under_forced_rls() {
    let app = TestApp::spawn().await;
    let h = app.db.household("Home").await;
    app.db.member(h, "auth0|alice", "owner").await;
    sqlx::query(
        "INSERT INTO invitations (household_id, code_hash, role, created_by, expires_at) \
         VALUES ($1, repeat('a', 64), 'member', 'auth0|alice', now() + interval '1 day')",
    )
    .bind(h)
    .execute(&app.db.admin)
    .await
    .unwrap();
    // A non-superuser owner of the tables, as a production schema owner would be. Roles
    // are cluster-wide, so it is created once and reused; ownership is per database.
    sqlx::raw_sql(
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'household_owner_test') THEN
                 CREATE ROLE household_owner_test NOLOGIN NOSUPERUSER NOBYPASSRLS;
             END IF;
         END $$;",
    )
    .execute(&app.db.admin)
    .await
    .unwrap();
    for statement in [
        "GRANT USAGE ON SCHEMA app TO household_owner_test",
        // What a schema owner has of the context keys: it proves its own contexts.
        "GRANT USAGE ON SCHEMA app_private TO household_owner_test",
        "GRANT SELECT ON app_private.context_keys TO household_owner_test",
        "GRANT SELECT ON SEQUENCE app.context_seal TO household_owner_test",
        "GRANT EXECUTE ON FUNCTION app_private.enter_as_owner(uuid, text, uuid, text) TO household_owner_test",
        "GRANT EXECUTE ON FUNCTION app.enter_context(uuid, text, uuid, text, text) TO household_owner_test",
        "ALTER TABLE households OWNER TO household_owner_test",
        "ALTER TABLE household_members OWNER TO household_owner_test",
        "ALTER TABLE audit_events OWNER TO household_owner_test",
        // Suspending revokes the household's open invitation codes.
        "ALTER TABLE invitations OWNER TO household_owner_test",
    ] {
        sqlx::query(statement).execute(&app.db.admin).await.unwrap();
    }
    let mut conn = PgConnection::connect(&app.db.admin_url()).await.unwrap();
    sqlx::query("SET ROLE household_owner_test")
        .execute(&mut conn)
        .await
        .unwrap();
    use shared::households::HouseholdStatus::{Active, Suspended};
    let update = server::db::households::update_status;
    assert!(update(&mut conn, h, Suspended).await.unwrap());
    assert!(!update(&mut conn, Uuid::new_v4(), Suspended).await.unwrap());
    let status: String = sqlx::query_scalar("SELECT status FROM households WHERE id = $1")
        .bind(h)
        .fetch_one(&app.db.admin)
        .await
        .unwrap();
    assert_eq!(status, "suspended");
    let revoked: bool = sqlx::query_scalar(
        "SELECT revoked_at IS NOT NULL FROM invitations WHERE household_id = $1",
    )
    .bind(h)
    .fetch_one(&app.db.admin)
    .await
    .unwrap();
    assert!(revoked, "suspending revokes the open invitation codes");
    assert!(update(&mut conn, h, Active).await.unwrap());
}

fn is_rls_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().and_then(|d| d.code()).as_deref() == Some("42501")
}

/// The database guarantees that the role writes are checked against is the one
/// `household_members` holds for (`app.current_household_id`, `app.current_user_sub`) in an
/// active household: setting `app.current_household_role` by hand, as the runtime role,
/// grants nothing. Which subject asks is still the server's word (from a verified token).
#[tokio::test]
async fn a_viewers_write_is_refused_by_the_database_even_when_the_context_role_is_forced() {
    let app = TestApp::spawn().await;
    let h = app.db.household("Home").await;
    app.db.member(h, "viewer-sub", "viewer").await;
    let mut conn = app.db.app.acquire().await.unwrap();

    let mut tx = conn.begin().await.unwrap();
    let role: String =
        sqlx::query_scalar("SELECT member_role FROM app.enter_household($1, $2, $3)")
            .bind(h)
            .bind("viewer-sub")
            .bind(crate::helpers::proof(h, "viewer-sub"))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(role, "viewer");
    sqlx::query("SELECT set_config('app.current_household_role', 'owner', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let err = sqlx::query("INSERT INTO vehicles (name) VALUES ('forced')")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(is_rls_violation(&err), "{err}");
    tx.rollback().await.unwrap();

    // The whole context set by hand, without the function: still the database's role.
    let mut tx = conn.begin().await.unwrap();
    sqlx::query(
        "SELECT set_config('app.current_household_id', $1, true), \
                set_config('app.current_user_sub', 'viewer-sub', true), \
                set_config('app.current_household_role', 'owner', true)",
    )
    .bind(h.to_string())
    .execute(&mut *tx)
    .await
    .unwrap();
    let err = sqlx::query("INSERT INTO vehicles (name) VALUES ('forced')")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(is_rls_violation(&err), "{err}");
}

#[tokio::test]
async fn enter_household_for_a_household_the_subject_is_not_in_sets_nothing_and_sees_nothing() {
    let app = TestApp::spawn().await;
    let a = app.db.household("A").await;
    let b = app.db.household("B").await;
    let frozen = app.db.household("Frozen").await;
    app.db.member(a, "user-a", "owner").await;
    app.db.member(b, "user-b", "owner").await;
    app.db.member(frozen, "user-a", "owner").await;
    app.db.suspend(frozen).await;
    app.db.vehicle(b, "B's car").await;
    app.db.vehicle(frozen, "Frozen car").await;
    let mut conn = app.db.app.acquire().await.unwrap();

    for (household, why) in [
        (b, "another household"),
        (Uuid::new_v4(), "an unknown household"),
        (frozen, "a suspended household"),
    ] {
        let mut tx = conn.begin().await.unwrap();
        let (role, status): (Option<String>, Option<String>) = sqlx::query_as(
            "SELECT member_role, household_status FROM app.enter_household($1, 'user-a', $2)",
        )
        .bind(household)
        .bind(crate::helpers::proof(household, "user-a"))
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        if household == frozen {
            assert_eq!(status.as_deref(), Some("suspended"), "{why}");
        } else {
            assert_eq!((role, status), (None, None), "{why}");
        }
        let context: (Option<Uuid>, Option<String>, Option<String>) = sqlx::query_as(
            "SELECT app.current_household_id(), app.current_household_role(), app.current_user_sub()",
        )
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        assert_eq!(context, (None, None, None), "{why}: context was set");
        for table in ["vehicles", "fuel_logs", "household_members", "households"] {
            let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            assert_eq!(rows, 0, "{why}: {table} leaked rows");
        }
        tx.rollback().await.unwrap();
    }

    let public: bool = sqlx::query_scalar(
        "SELECT has_function_privilege('public', 'app.enter_household(uuid, text, text)', 'EXECUTE')",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert!(!public, "PUBLIC may execute app.enter_household");
}

/// The time from a committed change to the other replica's refusal: one request.
async fn refused_after(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    change: impl std::future::Future<Output = ()>,
    status: u16,
) -> Duration {
    change.await;
    let started = Instant::now();
    let response = http.get(url).bearer_auth(token).send().await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(response.status(), status, "{url}");
    elapsed
}

#[tokio::test]
async fn a_removal_demotion_or_suspension_is_seen_by_another_replica_on_its_next_request() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let http = reqwest::Client::new();
    let (removed_h, removed) = app.household_with("R", "auth0|removed", "member").await;
    let (demoted_h, demoted) = app.household_with("D", "auth0|demoted", "member").await;
    let (suspended_h, suspended) = app.household_with("S", "auth0|suspended", "owner").await;
    // Every token works on the other replica first, so its verified-token cache is warm.
    for (h, token) in [
        (removed_h, &removed),
        (demoted_h, &demoted),
        (suspended_h, &suspended),
    ] {
        let url = format!("{other}{}", paths::vehicles(h));
        let response = http.get(&url).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }

    let removal = refused_after(
        &http,
        &format!("{other}{}", paths::vehicles(removed_h)),
        &removed,
        remove(&app, removed_h, "auth0|removed"),
        403,
    )
    .await;
    let demotion = refused_after(
        &http,
        &format!("{other}{}", paths::vehicles(demoted_h)),
        &demoted,
        set_role(&app, demoted_h, "auth0|demoted", "viewer"),
        401,
    )
    .await;
    let suspension = refused_after(
        &http,
        &format!("{other}{}", paths::vehicles(suspended_h)),
        &suspended,
        async { assert_operator_succeeds(&operator(&app, "suspend", &suspended_h.to_string())) },
        403,
    )
    .await;
    println!(
        "revocation seen by the other replica on its next request: removal {removal:?}, \
         demotion {demotion:?}, suspension {suspension:?}"
    );
    for latency in [removal, demotion, suspension] {
        assert!(latency < Duration::from_secs(1), "{latency:?}");
    }
}
