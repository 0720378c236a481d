//! Households have a life: creation, members and roles, invitations, join requests and
//! the audit record, through the routes, and straight against PostgreSQL as the runtime
//! role with the API bypassed.

use reqwest::{Method, Response};
use serde_json::{Value, json};
use server::db::tenant::{FoundingTx, HouseholdTx, RedemptionTx};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::{TestApp, TestDb, assert_problem};
use shared::paths::{self, Decision};

/// A request with `sub`'s Auth0 token.
async fn as_person(app: &TestApp, sub: &str, path: &str, body: Option<Value>) -> Response {
    app.send(Method::POST, path, &app.issuer.token(sub), body)
        .await
}

async fn invite(app: &TestApp, h: Uuid, owner_token: &str, role: &str) -> String {
    let response = app
        .send(
            Method::POST,
            &paths::invitations(h),
            owner_token,
            Some(json!({"role": role})),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn redeem(app: &TestApp, sub: &str, code: &str) -> Response {
    as_person(app, sub, &paths::redeem(code), None).await
}

async fn actions(app: &TestApp, h: Uuid, owner_token: &str) -> Vec<Value> {
    let response = app.get(&paths::audit_events(h), owner_token).await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

fn has(events: &[Value], action: &str, actor: &str, target: &str) -> bool {
    events
        .iter()
        .any(|e| e["action"] == action && e["actor"] == actor && e["target"] == target)
}

#[tokio::test]
async fn a_signed_in_person_creates_a_household_and_owns_it() {
    let app = TestApp::spawn().await;

    let response = as_person(
        &app,
        "auth0|alice",
        "/api/households",
        Some(json!({"name": "  Home  "})),
    )
    .await;

    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["name"], "Home");
    assert_eq!(created["role"], "owner");
    let h: Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let mine: Value = app
        .get("/api/me/households", &app.issuer.token("auth0|alice"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["households"][0]["household_id"], h.to_string());
    assert_eq!(mine["households"][0]["role"], "owner");
    let token = app.internal_token("auth0|alice", h).await;
    let events = actions(&app, h, &token).await;
    assert!(
        has(&events, "household_created", "auth0|alice", "Home"),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_household_name_is_validated_with_clear_422s_and_creation_needs_a_token() {
    let app = TestApp::spawn().await;
    for (name, message) in [
        ("   ".to_owned(), "is required"),
        ("x".repeat(201), "must be at most 200 characters"),
    ] {
        let response = as_person(
            &app,
            "auth0|alice",
            "/api/households",
            Some(json!({"name": name})),
        )
        .await;
        let body = assert_problem(response, 422).await;
        assert_eq!(body["errors"][0]["field"], "name");
        assert_eq!(body["errors"][0]["message"], message);
    }
    let anonymous = app
        .http
        .post(app.url("/api/households"))
        .json(&json!({"name": "Home"}))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401).await;
    let no_household: i64 = sqlx::query_scalar("SELECT count(*) FROM households")
        .fetch_one(&app.db.admin)
        .await
        .unwrap();
    assert_eq!(no_household, 0);
}

#[tokio::test]
async fn every_member_sees_the_members_with_their_roles() {
    let app = TestApp::spawn().await;
    let (h, _) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "viewer").await;
    let viewer = app.internal_token("auth0|bob", h).await;

    let response = app.get(&paths::members(h), &viewer).await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let listed: Vec<(&str, &str)> = body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["user_sub"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, [("auth0|alice", "owner"), ("auth0|bob", "viewer")]);
}

#[tokio::test]
async fn an_owner_changes_a_role_and_nobody_else_can() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "member").await;
    let bob = app.internal_token("auth0|bob", h).await;

    let by_member = app
        .send(
            Method::PATCH,
            &paths::member(h, "auth0|bob"),
            &bob,
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_problem(by_member, 403).await;
    let bad_role = app
        .send(
            Method::PATCH,
            &paths::member(h, "auth0|bob"),
            &owner,
            Some(json!({"role": "admin"})),
        )
        .await;
    let body = assert_problem(bad_role, 422).await;
    assert_eq!(body["errors"][0]["field"], "role");
    assert_eq!(
        body["errors"][0]["message"],
        "must be owner, member or viewer"
    );
    let nobody = app
        .send(
            Method::PATCH,
            &paths::member(h, "auth0|zed"),
            &owner,
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_problem(nobody, 404).await;

    let changed = app
        .send(
            Method::PATCH,
            &paths::member(h, "auth0|bob"),
            &owner,
            Some(json!({"role": "viewer"})),
        )
        .await;

    assert_eq!(changed.status(), 204);
    let role: String = sqlx::query_scalar(
        "SELECT role FROM household_members WHERE household_id = $1 AND user_sub = 'auth0|bob'",
    )
    .bind(h)
    .fetch_one(&app.db.admin)
    .await
    .unwrap();
    assert_eq!(role, "viewer");
    // The demoted member's old token is stale at once.
    assert_problem(app.get(&paths::members(h), &bob).await, 401).await;
    let events = actions(&app, h, &owner).await;
    assert!(has(
        &events,
        "member_role_changed",
        "auth0|alice",
        "auth0|bob as viewer"
    ));
}

#[tokio::test]
async fn the_last_owner_can_neither_be_demoted_nor_leave_but_one_of_two_can() {
    let app = TestApp::spawn().await;
    let (h, alice) = app.household_with("Home", "auth0|alice", "owner").await;

    let demoted = app
        .send(
            Method::PATCH,
            &paths::member(h, "auth0|alice"),
            &alice,
            Some(json!({"role": "member"})),
        )
        .await;
    assert_problem(demoted, 409).await;
    let left = app
        .send(
            Method::DELETE,
            &paths::member(h, "auth0|alice"),
            &alice,
            None,
        )
        .await;
    assert_problem(left, 409).await;

    app.db.member(h, "auth0|bob", "owner").await;
    let demoted = app
        .send(
            Method::PATCH,
            &paths::member(h, "auth0|alice"),
            &alice,
            Some(json!({"role": "member"})),
        )
        .await;
    assert_eq!(demoted.status(), 204);
    let bob = app.internal_token("auth0|bob", h).await;
    let left = app
        .send(Method::DELETE, &paths::member(h, "auth0|bob"), &bob, None)
        .await;
    assert_problem(left, 409).await;
}

#[tokio::test]
async fn a_member_leaves_an_owner_removes_and_a_non_owner_cannot_remove_others() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "member").await;
    app.db.member(h, "auth0|carol", "viewer").await;
    let bob = app.internal_token("auth0|bob", h).await;
    let carol = app.internal_token("auth0|carol", h).await;

    assert_problem(
        app.send(Method::DELETE, &paths::member(h, "auth0|carol"), &bob, None)
            .await,
        403,
    )
    .await;
    let left = app
        .send(
            Method::DELETE,
            &paths::member(h, "auth0|carol"),
            &carol,
            None,
        )
        .await;
    assert_eq!(left.status(), 204);
    let removed = app
        .send(Method::DELETE, &paths::member(h, "auth0|bob"), &owner, None)
        .await;
    assert_eq!(removed.status(), 204);
    assert_problem(
        app.send(Method::DELETE, &paths::member(h, "auth0|bob"), &owner, None)
            .await,
        404,
    )
    .await;

    // Both old tokens are refused on their next request.
    assert_problem(app.get(&paths::members(h), &bob).await, 403).await;
    assert_problem(app.get(&paths::members(h), &carol).await, 403).await;
    let events = actions(&app, h, &owner).await;
    assert!(has(&events, "member_left", "auth0|carol", "auth0|carol"));
    assert!(has(&events, "member_removed", "auth0|alice", "auth0|bob"));
}

#[tokio::test]
async fn an_invitation_is_redeemed_into_a_request_and_approval_makes_a_member_with_its_role() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    let response = app
        .send(
            Method::POST,
            &paths::invitations(h),
            &owner,
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(response.status(), 201);
    let invitation: Value = response.json().await.unwrap();
    assert_eq!(invitation["role"], "viewer");
    let expires: chrono::DateTime<chrono::Utc> =
        invitation["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(expires > chrono::Utc::now());
    let code = invitation["code"].as_str().unwrap();

    let redeemed = redeem(&app, "auth0|dave", code).await;

    assert_eq!(redeemed.status(), 202);
    let body: Value = redeemed.json().await.unwrap();
    assert_eq!(
        body,
        json!({"household_id": h.to_string(), "status": "pending"})
    );
    // Not a member yet.
    assert_problem(
        app.exchange_with(&app.issuer.token("auth0|dave"), &h.to_string())
            .await,
        403,
    )
    .await;
    let pending: Value = app
        .get(&paths::join_requests(h), &owner)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending["requests"][0]["requester_sub"], "auth0|dave");
    assert_eq!(pending["requests"][0]["role"], "viewer");
    assert_eq!(pending["requests"][0]["status"], "pending");
    // Single use: nobody redeems it again.
    assert_problem(redeem(&app, "auth0|erin", code).await, 404).await;

    let approved = app
        .send(
            Method::POST,
            &paths::join_request(h, "auth0|dave", Decision::Approve),
            &owner,
            None,
        )
        .await;

    assert_eq!(approved.status(), 204);
    let exchanged: Value = app
        .exchange_with(&app.issuer.token("auth0|dave"), &h.to_string())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(exchanged["role"], "viewer");
    let pending: Value = app
        .get(&paths::join_requests(h), &owner)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending["requests"], json!([]));
    assert_problem(
        app.send(
            Method::POST,
            &paths::join_request(h, "auth0|dave", Decision::Approve),
            &owner,
            None,
        )
        .await,
        404,
    )
    .await;
    let events = actions(&app, h, &owner).await;
    assert!(has(&events, "join_requested", "auth0|dave", "auth0|dave"));
    assert!(has(
        &events,
        "join_request_approved",
        "auth0|alice",
        "auth0|dave as viewer"
    ));
    assert!(events.iter().any(|e| e["action"] == "invitation_created"));
}

#[tokio::test]
async fn only_owners_invite_and_decide_and_roles_are_validated() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "member").await;
    let bob = app.internal_token("auth0|bob", h).await;

    assert_problem(
        app.send(
            Method::POST,
            &paths::invitations(h),
            &bob,
            Some(json!({"role": "viewer"})),
        )
        .await,
        403,
    )
    .await;
    let body = assert_problem(
        app.send(
            Method::POST,
            &paths::invitations(h),
            &owner,
            Some(json!({"role": "king"})),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "role");
    assert_problem(app.get(&paths::join_requests(h), &bob).await, 403).await;
    assert_problem(
        app.send(
            Method::POST,
            &paths::join_request(h, "auth0|dave", Decision::Deny),
            &bob,
            None,
        )
        .await,
        403,
    )
    .await;
    assert_problem(
        app.send(
            Method::POST,
            &paths::join_request(h, "auth0|dave", Decision::Deny),
            &owner,
            None,
        )
        .await,
        404,
    )
    .await;
    assert_problem(app.get(&paths::audit_events(h), &bob).await, 403).await;
    // An owner may invite another owner: nobody's role is above an owner's.
    invite(&app, h, &owner, "owner").await;
}

#[tokio::test]
async fn a_code_is_refused_to_a_member_when_expired_and_when_malformed() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "viewer").await;

    let code = invite(&app, h, &owner, "member").await;
    assert_problem(redeem(&app, "auth0|bob", &code).await, 409).await;
    // The refusal did not use the code up.
    assert_eq!(redeem(&app, "auth0|dave", &code).await.status(), 202);

    let expired = invite(&app, h, &owner, "member").await;
    sqlx::query(
        "UPDATE invitations SET created_at = now() - interval '8 days', \
         expires_at = now() - interval '1 second' WHERE used_by IS NULL",
    )
    .execute(&app.db.admin)
    .await
    .unwrap();
    assert_problem(redeem(&app, "auth0|erin", &expired).await, 404).await;
    assert_problem(redeem(&app, "auth0|erin", "not-a-code").await, 404).await;
    let anonymous = app
        .http
        .post(app.url(&paths::redeem(&code)))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401).await;
}

#[tokio::test]
async fn a_denied_person_asks_again_only_with_a_new_code() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    let first = invite(&app, h, &owner, "member").await;
    assert_eq!(redeem(&app, "auth0|dave", &first).await.status(), 202);
    let second = invite(&app, h, &owner, "member").await;
    // One pending request per person.
    assert_problem(redeem(&app, "auth0|dave", &second).await, 409).await;

    let denied = app
        .send(
            Method::POST,
            &paths::join_request(h, "auth0|dave", Decision::Deny),
            &owner,
            None,
        )
        .await;
    assert_eq!(denied.status(), 204);

    assert_problem(redeem(&app, "auth0|dave", &first).await, 404).await;
    assert_eq!(redeem(&app, "auth0|dave", &second).await.status(), 202);
    let events = actions(&app, h, &owner).await;
    assert!(has(
        &events,
        "join_request_denied",
        "auth0|alice",
        "auth0|dave"
    ));
}

#[tokio::test]
async fn an_invitation_code_is_random_and_stored_only_as_its_hash() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    let one = invite(&app, h, &owner, "member").await;
    let two = invite(&app, h, &owner, "member").await;
    assert_ne!(one, two);
    // 16 bytes of household id and at least 128 random bits.
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&one)
        .unwrap();
    assert!(bytes.len() >= 16 + 16, "{}", bytes.len());

    let rows: Vec<String> = sqlx::query_scalar("SELECT row_to_json(i)::text FROM invitations i")
        .fetch_all(&app.db.admin)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(!row.contains(&one) && !row.contains(&two), "{row}");
    }
    let hash: String = Sha256::digest(one.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM invitations WHERE code_hash = $1")
        .bind(&hash)
        .fetch_one(&app.db.admin)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    let audit_rows: Vec<String> =
        sqlx::query_scalar("SELECT row_to_json(a)::text FROM audit_events a")
            .fetch_all(&app.db.admin)
            .await
            .unwrap();
    assert!(
        audit_rows
            .iter()
            .all(|r| !r.contains(&one) && !r.contains(&two))
    );
}

#[tokio::test]
async fn the_audit_record_holds_data_writes_with_actor_time_and_request_id_and_no_token() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "member").await;
    let bob = app.internal_token("auth0|bob", h).await;
    let created = app
        .http
        .post(app.url(&paths::vehicles(h)))
        .bearer_auth(&bob)
        .header("x-request-id", "req-create-golf")
        .json(&json!({"name": "Golf"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let vehicle: Value = created.json().await.unwrap();
    let id = vehicle["id"].as_str().unwrap();
    let vehicle_path = paths::vehicle(h, id.parse().unwrap());
    let patched = app
        .send(
            Method::PATCH,
            &vehicle_path,
            &bob,
            Some(json!({"make": "VW"})),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let logged = app
        .send(
            Method::POST,
            &format!("{vehicle_path}/fuel-logs"),
            &bob,
            Some(json!({"filled_at": "2026-01-02", "odometer_km": 100.0, "volume": 40.0, "cost": 60.0})),
        )
        .await;
    assert_eq!(logged.status(), 201);
    let log: Value = logged.json().await.unwrap();
    assert_eq!(
        app.send(Method::DELETE, &vehicle_path, &bob, None)
            .await
            .status(),
        204
    );

    let events = actions(&app, h, &owner).await;

    let create = events
        .iter()
        .find(|e| e["action"] == "vehicle_created")
        .unwrap();
    assert_eq!(create["actor"], "auth0|bob");
    assert_eq!(create["target"], id);
    assert_eq!(create["request_id"], "req-create-golf");
    assert!(
        create["at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .is_ok()
    );
    assert!(has(&events, "vehicle_updated", "auth0|bob", id));
    assert!(has(
        &events,
        "fuel_log_created",
        "auth0|bob",
        log["id"].as_str().unwrap()
    ));
    assert!(has(&events, "vehicle_deleted", "auth0|bob", id));
    // Newest first.
    assert_eq!(events[0]["action"], "vehicle_deleted");
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains(&bob) && !text.contains(&owner));
    let stored: Vec<String> = sqlx::query_scalar("SELECT row_to_json(a)::text FROM audit_events a")
        .fetch_all(&app.db.admin)
        .await
        .unwrap();
    assert!(stored.iter().all(|r| !r.contains("eyJ")), "{stored:?}");
}

#[tokio::test]
async fn the_audit_record_is_paginated_newest_first() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    for _ in 0..3 {
        invite(&app, h, &owner, "viewer").await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{}?limit=2&cursor={c}", paths::audit_events(h)),
            None => format!("{}?limit=2", paths::audit_events(h)),
        };
        let page: Value = app.get(&path, &owner).await.json().await.unwrap();
        seen.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 3);
    let times: Vec<&str> = seen.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    assert_problem(
        app.get(&format!("{}?cursor=bm9wZQ", paths::audit_events(h)), &owner)
            .await,
        400,
    )
    .await;
}

#[tokio::test]
async fn the_operator_commands_are_in_the_audit_record() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    let mut admin = app.db.admin.acquire().await.unwrap();
    use shared::households::HouseholdStatus;
    assert!(
        server::db::households::update_status(&mut admin, h, HouseholdStatus::Suspended)
            .await
            .unwrap()
    );
    assert!(
        server::db::households::update_status(&mut admin, h, HouseholdStatus::Active)
            .await
            .unwrap()
    );
    // Reactivation lets the owner's old token in again, to read the record.
    let events = actions(&app, h, &owner).await;
    assert!(has(&events, "household_suspended", "operator", ""));
    assert!(has(&events, "household_reactivated", "operator", ""));
}

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
    let mut tx = HouseholdTx::begin(&db.app, h, "member").await.unwrap();
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
    let mut tx = HouseholdTx::begin(&db.app, h, "member").await.unwrap();
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
    let mut tx = HouseholdTx::begin(&db.app, h, "owner").await.unwrap();
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
    let mut tx = HouseholdTx::begin(&db.app, h, "owner").await.unwrap();
    server::db::audit_events::record(tx.conn(), shared::audit::AuditAction::VehicleCreated, "x")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for statement in [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let mut tx = HouseholdTx::begin(&db.app, h, "owner").await.unwrap();
        let refused = sqlx::query(statement).execute(tx.conn()).await.unwrap_err();
        refused_by_policy(refused);
    }
    // A member writes events as themselves only, and reads none.
    let mut tx = HouseholdTx::begin(&db.app, h, "member").await.unwrap();
    let forged =
        sqlx::query("INSERT INTO audit_events (actor, action) VALUES ('owner', 'member_removed')")
            .execute(tx.conn())
            .await
            .unwrap_err();
    refused_by_policy(forged);
    let mut tx = HouseholdTx::begin(&db.app, h, "member").await.unwrap();
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

    let mut tx = FoundingTx::begin(&db.app, "auth0|mallory").await.unwrap();
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
    let mut tx = RedemptionTx::begin(&app.db.app, other, &hash, "auth0|mallory")
        .await
        .unwrap();
    assert!(visible(tx.conn()).await.iter().all(|(_, n)| *n == 0));
    drop(tx);

    // The right pair: the one invitation, and no other row of either household.
    let mut tx = RedemptionTx::begin(&app.db.app, h, &hash, "auth0|mallory")
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
    let mut tx = HouseholdTx::begin(&db.app, maple, "auth0|alice")
        .await
        .unwrap();
    let pending = server::db::invitations::pending(&mut tx).await.unwrap();

    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].requester_sub, "auth0|carol");
    assert_eq!(pending[0].role, shared::Role::Member);
}
