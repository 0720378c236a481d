//! Creating a household: whoever creates one must own it, and a bad name or no token
//! must leave nothing behind.

use serde_json::{Value, json};
use shared::paths;
use uuid::Uuid;

use super::{actions, as_person, has};
use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn a_signed_in_person_creates_a_household_and_owns_it() {
    let app = TestApp::spawn().await;

    let response = as_person(
        &app,
        "auth0|alice",
        paths::HOUSEHOLDS,
        Some(json!({"name": "  Home  "})),
    )
    .await;

    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["name"], "Home");
    assert_eq!(created["role"], "owner");
    let h: Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let mine: Value = app
        .get(paths::MY_HOUSEHOLDS, &app.issuer.token("auth0|alice"))
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
            paths::HOUSEHOLDS,
            Some(json!({"name": name})),
        )
        .await;
        let body = assert_problem(response, 422).await;
        assert_eq!(body["errors"][0]["field"], "name");
        assert_eq!(body["errors"][0]["message"], message);
    }
    let anonymous = app
        .http
        .post(app.url(paths::HOUSEHOLDS))
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

/// An owner renames the household; the new name is what its members' lists show, and the
/// record says who renamed it. Members and viewers may not, and a bad name changes nothing.
#[tokio::test]
async fn an_owner_renames_the_household_and_nobody_else_may() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "member").await;
    let member = app.internal_token("auth0|bob", h).await;
    let rename = |token: String, name: &'static str| {
        let app = &app;
        async move {
            app.send(
                reqwest::Method::PATCH,
                &paths::household(h),
                &token,
                Some(json!({ "name": name })),
            )
            .await
        }
    };
    assert_problem(rename(member.clone(), "Bob's now").await, 403).await;
    let problem = assert_problem(rename(owner.clone(), "   ").await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");

    let response = rename(owner.clone(), "  The Smiths ").await;
    assert_eq!(response.status(), 200);
    let renamed: Value = response.json().await.unwrap();
    assert_eq!(renamed, json!({ "id": h, "name": "The Smiths" }));
    let mine: Value = app
        .get(paths::MY_HOUSEHOLDS, &app.issuer.token("auth0|bob"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["households"][0]["name"], "The Smiths", "{mine}");
    assert!(has(
        &actions(&app, h, &owner).await,
        "household_renamed",
        "auth0|alice",
        "The Smiths"
    ));
}
