//! People have names: from the identity provider's `/userinfo`, kept once a day, shown to
//! co-members and nobody else; and a person's own data: `GET /api/me`, its export, and
//! `DELETE /api/me`.

use reqwest::Method;
use serde_json::{Value, json};
use server::db::tenant::{HouseholdTx, UserTx};
use shared::paths;
use uuid::Uuid;

use super::{actions, as_person, has, invite, redeem};
use crate::helpers::{TestApp, assert_problem, context_key};

/// A household `sub` created through the API (so their name is recorded), and its id.
async fn created(app: &TestApp, sub: &str, name: &str) -> Uuid {
    let response = as_person(app, sub, paths::HOUSEHOLDS, Some(json!({ "name": name }))).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().parse().unwrap()
}

/// `sub` asked to join with a code of `owner`'s; approved when `approve`.
async fn joined(app: &TestApp, h: Uuid, owner: &str, sub: &str, approve: bool) {
    let code = invite(app, h, owner, "member").await;
    assert_eq!(redeem(app, sub, &code).await.status(), 202);
    if approve {
        let path = paths::join_request(h, sub, shared::invitations::Decision::Approve);
        let response = app.send(Method::POST, &path, owner, None).await;
        assert_eq!(response.status(), 204);
    }
}

async fn body(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn members_requests_and_the_record_carry_the_names_userinfo_gives() {
    let app = TestApp::spawn().await;
    app.issuer
        .set_name("auth0|alice", "Alice Liddell", "alice@wonder.test");
    let h = created(&app, "auth0|alice", "Home").await;
    let owner = app.internal_token("auth0|alice", h).await;
    joined(&app, h, &owner, "auth0|bob", false).await;

    let pending = body(app.get(&paths::join_requests(h), &owner).await).await;
    let request = &pending["requests"][0];
    assert_eq!(request["requester_sub"], "auth0|bob");
    assert_eq!(
        (&request["name"], &request["email"]),
        (&json!("Person bob"), &json!("bob@people.test")),
        "{pending}"
    );

    let path = paths::join_request(h, "auth0|bob", shared::invitations::Decision::Approve);
    assert_eq!(
        app.send(Method::POST, &path, &owner, None).await.status(),
        204
    );
    let listed = body(app.get(&paths::members(h), &owner).await).await;
    assert_eq!(
        listed["members"],
        json!([
            {"sub": "auth0|alice", "role": "owner", "name": "Alice Liddell",
             "email": "alice@wonder.test", "created_at": listed["members"][0]["created_at"]},
            {"sub": "auth0|bob", "role": "member", "name": "Person bob",
             "email": "bob@people.test", "created_at": listed["members"][1]["created_at"]},
        ])
    );
    let events = actions(&app, h, &owner).await;
    let approval = events
        .iter()
        .find(|e| e["action"] == "join_request_approved")
        .unwrap();
    assert_eq!(approval["actor_name"], "Alice Liddell", "{approval}");
    assert_eq!(approval["actor_email"], "alice@wonder.test");
}

#[tokio::test]
async fn a_person_who_shares_no_household_reads_no_name() {
    let app = TestApp::spawn().await;
    let h = created(&app, "auth0|alice", "Home").await;
    let owner = app.internal_token("auth0|alice", h).await;
    joined(&app, h, &owner, "auth0|bob", true).await;
    let elsewhere = created(&app, "auth0|carol", "Elsewhere").await;

    // Through the API: Carol's household lists Carol only, and her `me` is hers.
    let carol = app.internal_token("auth0|carol", elsewhere).await;
    let listed = body(app.get(&paths::members(elsewhere), &carol).await).await;
    assert_eq!(listed["members"].as_array().unwrap().len(), 1, "{listed}");
    let me = body(app.get(paths::ME, &app.issuer.token("auth0|carol")).await).await;
    assert_eq!(me["profile"]["sub"], "auth0|carol");
    assert_eq!(me["profile"]["name"], "Person carol");

    // With the API bypassed, as the runtime role: in her own context and in her
    // household's, Carol's is the only profile there is.
    let key = context_key();
    let mut own = UserTx::begin(&app.db.app, &key, "auth0|carol")
        .await
        .unwrap();
    let seen: Vec<String> = sqlx::query_scalar("SELECT user_sub FROM profiles ORDER BY 1")
        .fetch_all(own.conn())
        .await
        .unwrap();
    assert_eq!(seen, ["auth0|carol"]);
    let changed = sqlx::query("UPDATE profiles SET name = 'x' WHERE user_sub = 'auth0|alice'")
        .execute(own.conn())
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 0);
    drop(own);
    let mut theirs = HouseholdTx::begin(&app.db.app, &key, elsewhere, "auth0|carol")
        .await
        .unwrap();
    let seen: Vec<String> = sqlx::query_scalar("SELECT user_sub FROM profiles ORDER BY 1")
        .fetch_all(theirs.conn())
        .await
        .unwrap();
    assert_eq!(seen, ["auth0|carol"]);
    drop(theirs);
    // Alice's household shows both of its members, and once Bob is removed, no longer him.
    let mut home = HouseholdTx::begin(&app.db.app, &key, h, "auth0|alice")
        .await
        .unwrap();
    let seen: Vec<String> = sqlx::query_scalar("SELECT user_sub FROM profiles ORDER BY 1")
        .fetch_all(home.conn())
        .await
        .unwrap();
    assert_eq!(seen, ["auth0|alice", "auth0|bob"]);
    drop(home);
    let removed = app
        .send(Method::DELETE, &paths::member(h, "auth0|bob"), &owner, None)
        .await;
    assert_eq!(removed.status(), 204);
    let listed = body(app.get(&paths::audit_events(h), &owner).await).await;
    let removal = &listed["items"][0];
    assert_eq!(removal["action"], "member_removed");
    let joined = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "join_requested")
        .unwrap();
    assert_eq!(joined["actor"], "auth0|bob");
    assert_eq!(
        joined["actor_name"],
        Value::Null,
        "a former member is not named: {joined}"
    );
}

#[tokio::test]
async fn userinfo_is_asked_once_however_often_a_person_signs_in() {
    let app = TestApp::spawn().await;
    let h = created(&app, "auth0|alice", "Home").await;
    assert_eq!(app.issuer.userinfo_calls(), 1);
    for _ in 0..5 {
        app.internal_token("auth0|alice", h).await;
        let _ = app.get(paths::ME, &app.issuer.token("auth0|alice")).await;
    }
    // Give a background refresh, were one started, the time to ask.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(app.issuer.userinfo_calls(), 1);
    // Another replica finds the profile fresh in the database and asks nothing either.
    let replica = app.replica().await;
    let response = app
        .http
        .get(format!("{replica}{}", paths::ME))
        .bearer_auth(app.issuer.token("auth0|alice"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(app.issuer.userinfo_calls(), 1);
}

#[tokio::test]
async fn a_name_changed_at_the_provider_arrives_once_the_profile_is_a_day_old() {
    let app = TestApp::spawn().await;
    let h = created(&app, "auth0|alice", "Home").await;
    app.issuer
        .set_name("auth0|alice", "Alice Pleasance", "ap@wonder.test");
    sqlx::query("UPDATE profiles SET refreshed_at = now() - interval '25 hours'")
        .execute(&app.db.admin)
        .await
        .unwrap();
    // A new replica (this one remembers it looked a moment ago) signs her in.
    let replica = app.replica().await;
    let exchanged = app
        .http
        .post(format!("{replica}{}", paths::EXCHANGE))
        .bearer_auth(app.issuer.token("auth0|alice"))
        .json(&json!({ "household_id": h }))
        .send()
        .await
        .unwrap();
    assert_eq!(exchanged.status(), 200);
    let token = app.issuer.token("auth0|alice");
    let mut name = Value::Null;
    for _ in 0..50 {
        name = body(app.get(paths::ME, &token).await).await["profile"]["name"].clone();
        if name == "Alice Pleasance" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(name, "Alice Pleasance");
}

#[tokio::test]
async fn a_person_exports_their_own_data_with_their_join_requests() {
    let app = TestApp::spawn().await;
    let h = created(&app, "auth0|alice", "Home").await;
    let owner = app.internal_token("auth0|alice", h).await;
    joined(&app, h, &owner, "auth0|bob", false).await;
    let other = created(&app, "auth0|carol", "Elsewhere").await;
    let carol = app.internal_token("auth0|carol", other).await;
    joined(&app, other, &carol, "auth0|bob", true).await;

    let response = app
        .get(paths::MY_EXPORT, &app.issuer.token("auth0|bob"))
        .await;
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let export: Value = response.json().await.unwrap();
    assert_eq!(export["profile"]["email"], "bob@people.test");
    let households = export["households"].as_array().unwrap();
    assert_eq!(households.len(), 1);
    assert_eq!(households[0]["name"], "Elsewhere");
    let requests = export["join_requests"].as_array().unwrap();
    let statuses: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| {
            let household = if r["household_id"] == json!(h) {
                "home"
            } else {
                "elsewhere"
            };
            (household, r["status"].as_str().unwrap())
        })
        .collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.contains(&("home", "pending")), "{export}");
    assert!(statuses.contains(&("elsewhere", "approved")), "{export}");
    let text = export.to_string();
    assert!(!text.contains("code"), "no invitation code: {text}");
}

#[tokio::test]
async fn the_last_owner_cannot_erase_themselves_and_is_told_where() {
    let app = TestApp::spawn().await;
    let h = created(&app, "auth0|alice", "Home").await;
    let shared_home = created(&app, "auth0|alice", "Shared").await;
    let owner = app.internal_token("auth0|alice", shared_home).await;
    joined(&app, shared_home, &owner, "auth0|bob", true).await;
    let path = paths::member(shared_home, "auth0|bob");
    let promoted = app
        .send(
            Method::PATCH,
            &path,
            &owner,
            Some(json!({ "role": "owner" })),
        )
        .await;
    assert_eq!(promoted.status(), 204);

    let problem = assert_problem(
        app.send(
            Method::DELETE,
            paths::ME,
            &app.issuer.token("auth0|alice"),
            None,
        )
        .await,
        409,
    )
    .await;

    assert_eq!(problem["type"], "/problems/last-owner");
    assert_eq!(
        problem["households"],
        json!([{ "household_id": h, "name": "Home" }])
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("Home"),
        "{problem}"
    );
    // Nothing changed: still in both, still named.
    let me = body(app.get(paths::ME, &app.issuer.token("auth0|alice")).await).await;
    assert_eq!(me["households"].as_array().unwrap().len(), 2);
    assert_eq!(me["profile"]["name"], "Person alice");
}

#[tokio::test]
async fn erasing_oneself_leaves_every_household_and_the_profile() {
    let app = TestApp::spawn().await;
    let h = created(&app, "auth0|alice", "Home").await;
    let owner = app.internal_token("auth0|alice", h).await;
    joined(&app, h, &owner, "auth0|bob", true).await;
    let other = created(&app, "auth0|carol", "Elsewhere").await;
    let carol = app.internal_token("auth0|carol", other).await;
    joined(&app, other, &carol, "auth0|bob", false).await;
    let bob = app.internal_token("auth0|bob", h).await;

    let response = app
        .send(
            Method::DELETE,
            paths::ME,
            &app.issuer.token("auth0|bob"),
            None,
        )
        .await;

    assert_eq!(response.status(), 204);
    assert_problem(app.get(&paths::vehicles(h), &bob).await, 403).await;
    let listed = body(app.get(&paths::members(h), &owner).await).await;
    assert_eq!(listed["members"].as_array().unwrap().len(), 1, "{listed}");
    assert!(has(
        &actions(&app, h, &owner).await,
        "member_left",
        "auth0|bob",
        "auth0|bob"
    ));
    let pending = body(app.get(&paths::join_requests(other), &carol).await).await;
    assert_eq!(pending["requests"], json!([]), "withdrawn: {pending}");
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM profiles WHERE user_sub = 'auth0|bob'")
            .fetch_one(&app.db.admin)
            .await
            .unwrap();
    assert_eq!(left, 0);
    let me = body(app.get(paths::ME, &app.issuer.token("auth0|bob")).await).await;
    assert_eq!(me["households"], json!([]));
}
