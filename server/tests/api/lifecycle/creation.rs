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
    let shown: Value = app
        .get(&paths::household(h), &member)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown, renamed, "every member reads the new name");
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

/// A vehicle named `name` with a fill-up of 40 litres for 60 on each `(day, odometer)`,
/// made through the API; its id.
async fn vehicle_with_logs(
    app: &TestApp,
    household: Uuid,
    token: &str,
    name: &str,
    fills: &[(&str, f64)],
) -> Uuid {
    let vehicle: Value = app
        .send(
            reqwest::Method::POST,
            &paths::vehicles(household),
            token,
            Some(json!({ "name": name })),
        )
        .await
        .json()
        .await
        .unwrap();
    let id: Uuid = vehicle["id"].as_str().unwrap().parse().unwrap();
    for (day, km) in fills {
        let log = json!({"filled_at": day, "odometer_km": km, "volume": 40.0, "cost": 60.0});
        let response = app
            .send(
                reqwest::Method::POST,
                &paths::fuel_logs(household, id),
                token,
                Some(log),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    id
}

/// Rows of the household, per tenant table (every table with a `household_id` column, from
/// the catalogue), read as the superuser.
async fn rows_of(app: &TestApp, household: Uuid) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attname = 'household_id' \
         ORDER BY 1",
    )
    .fetch_all(&app.db.admin)
    .await
    .unwrap();
    let mut rows = Vec::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table} WHERE household_id = $1"
        ))
        .bind(household)
        .fetch_one(&app.db.admin)
        .await
        .unwrap();
        rows.push((table, n));
    }
    rows
}

/// An owner deletes the household by typing its name: every row of it goes from every
/// tenant table, its members are refused on their next request, another household keeps
/// all of its own, and an operator sees a tombstone with no more than id, time and subject.
#[tokio::test]
async fn an_owner_deletes_the_household_and_every_row_of_it_goes() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "member").await;
    let member = app.internal_token("auth0|bob", h).await;
    let (other, other_owner) = app
        .household_with("Next door", "auth0|carol", "owner")
        .await;
    for (household, token) in [(h, &owner), (other, &other_owner)] {
        vehicle_with_logs(&app, household, token, "Car", &[("2026-01-01", 1000.0)]).await;
        super::invite(&app, household, token, "viewer").await;
    }
    let before_other = rows_of(&app, other).await;
    let before = rows_of(&app, h).await;
    // Members, vehicles, their totals, fuel logs, invitations, the audit record.
    assert!(
        before.iter().filter(|(_, n)| *n > 0).count() >= 6,
        "{before:?}"
    );
    let delete = |token: String, confirm: &'static str| {
        let app = &app;
        async move {
            app.send(
                reqwest::Method::DELETE,
                &paths::household(h),
                &token,
                Some(json!({ "confirm": confirm })),
            )
            .await
        }
    };
    let problem = assert_problem(delete(owner.clone(), "home").await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "confirm", "{problem}");
    assert_problem(delete(member.clone(), "Home").await, 403).await;
    assert_eq!(delete(owner.clone(), " Home ").await.status(), 204);

    for (table, n) in rows_of(&app, h).await {
        assert_eq!(n, 0, "{table} still holds rows of the deleted household");
    }
    assert_eq!(
        rows_of(&app, other).await,
        before_other,
        "the other household keeps its own"
    );
    for token in [&owner, &member] {
        let response = app.get(&paths::vehicles(h), token).await;
        assert_problem(response, 403).await;
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["household", "list", "--deleted"])
        .env("MIGRATION_DATABASE_URL", app.db.admin_url())
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8(out.stdout).unwrap();
    let line = listed
        .lines()
        .find(|l| l.starts_with(&h.to_string()))
        .expect("a tombstone");
    assert!(line.ends_with("\tauth0|alice"), "{line}");
    assert!(!listed.contains("Home"), "no name in {listed}");
    assert!(!listed.contains(&other.to_string()));
}

/// An owner downloads everything the household holds: one JSON document, or one table as
/// CSV. Nothing of another household is in either, nor the audit events' shared sequence
/// positions; members may not download it.
#[tokio::test]
async fn an_owner_exports_the_household_as_json_and_csv() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "member").await;
    let member = app.internal_token("auth0|bob", h).await;
    let (other, other_owner) = app
        .household_with("Next door", "auth0|carol", "owner")
        .await;
    let mut cars = Vec::new();
    for (household, token, name) in [(h, &owner, "Golf"), (other, &other_owner, "Secret van")] {
        let id = vehicle_with_logs(
            &app,
            household,
            token,
            name,
            &[("2026-01-01", 1000.0), ("2026-01-15", 1600.0)],
        )
        .await;
        cars.push(id);
    }

    let export = paths::export(h);
    let response = app.get(&export, &owner).await;
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"household-{h}.json\"")
    );
    let body = response.text().await.unwrap();
    for foreign in [
        other.to_string(),
        cars[1].to_string(),
        "Secret van".to_owned(),
        "auth0|carol".to_owned(),
    ] {
        assert!(!body.contains(&foreign), "{foreign} in the export");
    }
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["household"]["id"], json!(h));
    assert_eq!(doc["household"]["name"], "Home");
    assert_eq!(doc["members"].as_array().unwrap().len(), 2);
    assert_eq!(doc["vehicles"][0]["name"], "Golf");
    assert_eq!(doc["fuel_logs"].as_array().unwrap().len(), 2);
    let events = doc["audit_events"].as_array().unwrap();
    assert!(events.len() >= 3, "{events:?}");
    for section in ["members", "vehicles", "fuel_logs", "audit_events"] {
        for row in doc[section].as_array().unwrap() {
            assert!(row.get("household_id").is_none(), "{section}: {row}");
        }
    }
    assert!(
        events
            .iter()
            .all(|e| e.get("id").is_none() && e.get("event_id").is_some())
    );
    assert_problem(app.get(&export, &member).await, 403).await;

    let csv = |table: &str| paths::export_csv(h, table);
    let response = app.get(&csv("fuel_logs"), &owner).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,vehicle_id,vehicle,filled_at,odometer_km,volume,cost,note,created_at"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1..].iter().all(|l| l.contains(",Golf,2026-01-")),
        "{text}"
    );
    let problem = assert_problem(app.get(&csv("households"), &owner).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "table", "{problem}");
    assert_problem(app.get(&csv("fuel_logs"), &member).await, 403).await;
}
