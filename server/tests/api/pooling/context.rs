//! The household context on a pool of one connection: a connection serves every
//! household in turn, so no setting may outlive its request.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{Value, json};
use shared::paths;
use uuid::Uuid;

use super::relay::Relay;
use super::{CACHED, one_connection, seeded};
use crate::helpers::{TestApp, Via, assert_problem};

/// The settings `app.enter_household` makes, as the pool's connection holds them now.
/// The simple protocol (one message, no statement), so it reads whichever server
/// connection PgBouncer lends as well.
async fn context_left(app: &TestApp) -> Vec<Option<String>> {
    use sqlx::Row;
    let row = sqlx::raw_sql(
        "SELECT current_setting('app.current_household_id', true), \
                current_setting('app.current_user_sub', true), \
                current_setting('app.current_household_role', true)",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    (0..3)
        .map(|i| row.get::<Option<String>, _>(i))
        .filter(|v| v.as_deref().is_some_and(|v| !v.is_empty()))
        .collect()
}

fn vehicle_households(page: &Value) -> HashSet<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["household_id"].as_str().unwrap().to_owned())
        .collect()
}

pub(super) async fn alternate_households_on_one_connection(via: Via) {
    let app = TestApp::spawn_with(one_connection(via)).await;
    let (a, alice, a_car) = seeded(&app, "A", "alice").await;
    let (b, bob, b_car) = seeded(&app, "B", "bob").await;
    app.db.member(a, "carol", "member").await;
    let carol = app.internal_token("carol", a).await;
    sqlx::query("DELETE FROM household_members WHERE user_sub = 'carol'")
        .execute(&app.db.admin)
        .await
        .unwrap();
    for round in 0..10 {
        for (household, token, car) in [(a, &alice, a_car), (b, &bob, b_car)] {
            let page: Value = app
                .get(&paths::vehicles(household), token)
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(
                vehicle_households(&page),
                HashSet::from([household.to_string()]),
                "round {round}"
            );
            assert_eq!(context_left(&app).await, Vec::<Option<String>>::new());
            let other_car = if car == a_car { b_car } else { a_car };
            let response = app.get(&paths::vehicle(household, other_car), token).await;
            assert_problem(response, 404).await;
            assert_eq!(context_left(&app).await, Vec::<Option<String>>::new());
            let response = app
                .send(
                    Method::POST,
                    &paths::vehicles(household),
                    token,
                    Some(json!({ "name": format!("round {round}") })),
                )
                .await;
            assert_eq!(response.status(), 201);
            assert_eq!(context_left(&app).await, Vec::<Option<String>>::new());
        }
        // Removed after the token was issued: refused, and nothing stays behind.
        let response = app.get(&paths::vehicles(a), &carol).await;
        assert_problem(response, 403).await;
        assert_eq!(context_left(&app).await, Vec::<Option<String>>::new());
    }
    let per_household: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT household_id, count(*) FROM vehicles GROUP BY household_id ORDER BY household_id",
    )
    .fetch_all(&app.db.admin)
    .await
    .unwrap();
    assert_eq!(per_household.len(), 2);
    assert!(
        per_household.iter().all(|(_, n)| *n == 11),
        "{per_household:?}"
    );
}

#[tokio::test]
async fn one_pooled_connection_carries_no_household_context_between_requests() {
    alternate_households_on_one_connection(Via::Relay(Relay::start().await.port, CACHED)).await;
}
