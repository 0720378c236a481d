//! Members and roles: only owners change them, a household never loses its last owner,
//! and a changed member's old token stops working at once.

use reqwest::Method;
use serde_json::{Value, json};
use shared::paths;

use super::{actions, has};
use crate::helpers::{TestApp, assert_problem};

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
        .map(|m| (m["sub"].as_str().unwrap(), m["role"].as_str().unwrap()))
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
