//! Invitations and join requests: a code is the only way in, so it must be single-use,
//! expiring, owner-made, and never stored in the clear.

use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shared::paths;

use super::{actions, has, invite, redeem};
use crate::helpers::{TestApp, assert_problem};
use shared::invitations::Decision;

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
        .post(app.url(paths::REDEEM))
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401).await;
}

/// A code in a URL lands in every proxy's access log, so no route takes one there.
#[tokio::test]
async fn a_code_travels_only_in_the_body() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    let code = invite(&app, h, &owner, "member").await;
    let person = app.issuer.token("auth0|dave");

    let in_path = app
        .send(
            Method::POST,
            &format!("/api/invitations/{code}"),
            &person,
            None,
        )
        .await;
    assert_eq!(in_path.status(), 404);
    let unknown_field = Some(json!({ "code": code, "role": "owner" }));
    assert_problem(
        app.send(Method::POST, paths::REDEEM, &person, unknown_field)
            .await,
        422,
    )
    .await;

    // Neither attempt used the code up.
    assert_eq!(redeem(&app, "auth0|dave", &code).await.status(), 202);
}

/// A code speaks for its inviter: it stops working when they can no longer invite (demoted,
/// removed, gone) or the household is suspended, and stays revoked after reactivation.
#[tokio::test]
async fn a_code_is_revoked_when_its_inviter_stops_being_an_owner_or_the_household_is_suspended() {
    let app = TestApp::spawn().await;
    let (h, alice) = app.household_with("Home", "auth0|alice", "owner").await;
    for sub in ["auth0|bob", "auth0|carol", "auth0|dan"] {
        app.db.member(h, sub, "owner").await;
    }
    let bob = app.internal_token("auth0|bob", h).await;
    let carol = app.internal_token("auth0|carol", h).await;
    let dan = app.internal_token("auth0|dan", h).await;
    let (of_bob, of_carol, of_dan) = (
        invite(&app, h, &bob, "member").await,
        invite(&app, h, &carol, "member").await,
        invite(&app, h, &dan, "member").await,
    );
    let of_alice = invite(&app, h, &alice, "member").await;

    // Alice demotes Bob; Carol leaves; Dan stays an owner.
    let demote = Some(json!({"role": "member"}));
    let demoted = app
        .send(
            Method::PATCH,
            &paths::member(h, "auth0|bob"),
            &alice,
            demote,
        )
        .await;
    assert_eq!(demoted.status(), 204);
    let left = app
        .send(
            Method::DELETE,
            &paths::member(h, "auth0|carol"),
            &carol,
            None,
        )
        .await;
    assert_eq!(left.status(), 204);

    assert_problem(redeem(&app, "auth0|erin", &of_bob).await, 404).await;
    assert_problem(redeem(&app, "auth0|erin", &of_carol).await, 404).await;
    assert_eq!(redeem(&app, "auth0|erin", &of_dan).await.status(), 202);

    // Suspension revokes every open code, and reactivation brings none back.
    let mut admin = app.db.admin.acquire().await.unwrap();
    let update = server::db::households::update_status;
    use shared::households::HouseholdStatus::{Active, Suspended};
    assert!(update(&mut admin, h, Suspended).await.unwrap());
    assert_problem(redeem(&app, "auth0|frank", &of_alice).await, 404).await;
    assert!(update(&mut admin, h, Active).await.unwrap());
    assert_problem(redeem(&app, "auth0|frank", &of_alice).await, 404).await;
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

/// Owners see the open invitations (never a code) and revoke one: its code stops
/// redeeming, the record says who revoked it, and nobody else may list or revoke, nor
/// reach another household's invitation by its id.
#[tokio::test]
async fn owners_list_open_invitations_without_codes_and_revoke_one() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "member").await;
    let member = app.internal_token("auth0|bob", h).await;
    let (other, other_owner) = app.household_with("Other", "auth0|carol", "owner").await;
    let kept = invite(&app, h, &owner, "viewer").await;
    let revoked = invite(&app, h, &owner, "member").await;
    let used = invite(&app, h, &owner, "viewer").await;
    assert_eq!(redeem(&app, "auth0|dave", &used).await.status(), 202);
    invite(&app, other, &other_owner, "viewer").await;

    let list = |token: String| {
        let app = &app;
        async move { app.get(&paths::invitations(h), &token).await }
    };
    let response = list(owner.clone()).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    for code in [&kept, &revoked, &used] {
        assert!(!body.contains(code.as_str()), "a code in {body}");
    }
    let open: Value = serde_json::from_str(&body).unwrap();
    let open = open["invitations"].as_array().unwrap().clone();
    assert_eq!(open.len(), 2, "the used one is not open: {open:?}");
    assert!(open.iter().all(|i| i["created_by"] == "auth0|alice"));
    let mut keys: Vec<&str> = open[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["created_by", "expires_at", "id", "role"]);
    let member_invitation = open.iter().find(|i| i["role"] == "member").unwrap();
    let id: uuid::Uuid = member_invitation["id"].as_str().unwrap().parse().unwrap();

    // Only owners list and revoke.
    assert_problem(list(member.clone()).await, 403).await;
    let response = app
        .send(Method::DELETE, &paths::invitation(h, id), &member, None)
        .await;
    assert_problem(response, 403).await;
    // Another household's owner cannot reach it through their own household.
    let response = app
        .send(
            Method::DELETE,
            &paths::invitation(other, id),
            &other_owner,
            None,
        )
        .await;
    assert_problem(response, 404).await;

    let response = app
        .send(Method::DELETE, &paths::invitation(h, id), &owner, None)
        .await;
    assert_eq!(response.status(), 204);
    assert_problem(redeem(&app, "auth0|erin", &revoked).await, 404).await;
    let again = app
        .send(Method::DELETE, &paths::invitation(h, id), &owner, None)
        .await;
    assert_problem(again, 404).await;
    let open: Value = list(owner.clone()).await.json().await.unwrap();
    assert_eq!(open["invitations"].as_array().unwrap().len(), 1);
    assert_eq!(redeem(&app, "auth0|frank", &kept).await.status(), 202);
    assert!(has(
        &actions(&app, h, &owner).await,
        "invitation_revoked",
        "auth0|alice",
        &format!("{id} as member")
    ));
}
