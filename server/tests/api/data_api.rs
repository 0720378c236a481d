//! The household data routes, over real HTTP with real tokens from `/exchange`.

use reqwest::Method;
use serde_json::{Value, json};
use shared::paths;
use uuid::Uuid;

use crate::helpers::{Options, TestApp, assert_problem};

#[tokio::test]
async fn a_member_creates_reads_updates_and_deletes_a_vehicle() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "member").await;

    let response = app
        .send(
            Method::POST,
            &paths::vehicles(h),
            &token,
            Some(json!({"name": "Golf", "make": "VW", "year": 2019})),
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["household_id"], h.to_string());
    assert_eq!(created["fuel_unit"], "litres");
    assert_eq!(
        location,
        format!("{}/{}", paths::vehicles(h), created["id"].as_str().unwrap())
    );

    let list: Value = app
        .get(&paths::vehicles(h), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let patched: Value = app
        .send(
            Method::PATCH,
            &location,
            &token,
            Some(json!({"model": "Mk7"})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (patched["model"].as_str(), patched["make"].as_str()),
        (Some("Mk7"), Some("VW"))
    );

    assert_eq!(app.get(&location, &token).await.status(), 200);
    assert_eq!(
        app.send(Method::DELETE, &location, &token, None)
            .await
            .status(),
        204
    );
    assert_problem(app.get(&location, &token).await, 404).await;
}

#[tokio::test]
async fn a_path_naming_another_household_is_403_and_its_vehicle_ids_are_404() {
    let app = TestApp::spawn().await;
    let (a, token_a) = app.household_with("A", "auth0|alice", "owner").await;
    let b = app.db.household("B").await;
    let b_vehicle = app.db.vehicle(b, "B's car").await;

    assert_problem(app.get(&paths::vehicles(b), &token_a).await, 403).await;
    assert_problem(app.get(&paths::summary(b), &token_a).await, 403).await;
    // B's vehicle id under A's path: as absent as a vehicle that never existed.
    let foreign = assert_problem(
        app.get(&format!("{}/{b_vehicle}", paths::vehicles(a)), &token_a)
            .await,
        404,
    )
    .await;
    let missing = assert_problem(
        app.get(
            &format!("{}/{}", paths::vehicles(a), Uuid::new_v4()),
            &token_a,
        )
        .await,
        404,
    )
    .await;
    assert_eq!(foreign["detail"], missing["detail"]);
    for (method, suffix, body) in [
        (Method::PATCH, String::new(), Some(json!({"name": "pwned"}))),
        (Method::DELETE, String::new(), None),
        (Method::GET, "/fuel-logs".to_owned(), None),
        (
            Method::POST,
            "/fuel-logs".to_owned(),
            Some(
                json!({"filled_at": "2026-01-02", "odometer_km": 1.0, "volume": 1.0, "cost": 1.0}),
            ),
        ),
    ] {
        let path = format!("{}/{b_vehicle}{suffix}", paths::vehicles(a));
        assert_problem(app.send(method, &path, &token_a, body).await, 404).await;
    }
    let name: String = sqlx::query_scalar("SELECT name FROM vehicles WHERE id = $1")
        .bind(b_vehicle)
        .fetch_one(&app.db.admin)
        .await
        .unwrap();
    assert_eq!(name, "B's car");
}

#[tokio::test]
async fn a_viewer_reads_but_every_write_is_403() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|vera", "viewer").await;
    let v = app.db.vehicle(h, "Family car").await;
    assert_eq!(app.get(&paths::vehicles(h), &token).await.status(), 200);
    let one = format!("{}/{v}", paths::vehicles(h));
    for (method, path, body) in [
        (
            Method::POST,
            paths::vehicles(h),
            Some(json!({"name": "Mine"})),
        ),
        (Method::PATCH, one.clone(), Some(json!({"name": "Renamed"}))),
        (Method::DELETE, one.clone(), None),
        (
            Method::POST,
            format!("{one}/fuel-logs"),
            Some(
                json!({"filled_at": "2026-01-02", "odometer_km": 1.0, "volume": 1.0, "cost": 1.0}),
            ),
        ),
    ] {
        assert_problem(app.send(method, &path, &token, body).await, 403).await;
    }
}

#[tokio::test]
async fn bad_input_gets_400_413_and_422_problems() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "member").await;
    let post = |body: String| {
        app.http
            .post(app.url(&paths::vehicles(h)))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    assert_problem(post("{not json".into()).await.unwrap(), 400).await;
    let unknown = assert_problem(
        post(json!({"name": "x", "colour": "red"}).to_string())
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(unknown["errors"][0]["field"], "body");
    assert_problem(post(json!({"name": 7}).to_string()).await.unwrap(), 422).await;
    assert_problem(
        post(json!({"name": "x".repeat(20_000)}).to_string())
            .await
            .unwrap(),
        413,
    )
    .await;
    let invalid = assert_problem(
        post(json!({"name": " ", "year": 1700}).to_string())
            .await
            .unwrap(),
        422,
    )
    .await;
    let fields: Vec<&str> = invalid["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["name", "year"]);

    assert_problem(
        app.get("/api/households/not-a-uuid/vehicles", &token).await,
        400,
    )
    .await;
    assert_problem(
        app.get(&format!("{}/not-a-uuid", paths::vehicles(h)), &token)
            .await,
        400,
    )
    .await;
    assert_problem(
        app.get(&format!("{}?limit=0", paths::vehicles(h)), &token)
            .await,
        400,
    )
    .await;
    assert_problem(
        app.get(&format!("{}?cursor=%%%", paths::vehicles(h)), &token)
            .await,
        400,
    )
    .await;

    app.send(
        Method::POST,
        &paths::vehicles(h),
        &token,
        Some(json!({"name": "Twin"})),
    )
    .await;
    assert_problem(
        app.send(
            Method::POST,
            &paths::vehicles(h),
            &token,
            Some(json!({"name": "Twin"})),
        )
        .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn fuel_logs_must_increase_along_the_odometer_and_feed_the_summary() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    let created: Value = app
        .send(
            Method::POST,
            &paths::vehicles(h),
            &token,
            Some(json!({"name": "Golf"})),
        )
        .await
        .json()
        .await
        .unwrap();
    let logs = format!(
        "{}/{}/fuel-logs",
        paths::vehicles(h),
        created["id"].as_str().unwrap()
    );
    for (date, odometer, volume, cost) in [
        ("2026-01-01", 10_000.0, 40.0, 60.0),
        ("2026-01-15", 10_500.0, 30.0, 45.0),
        ("2026-02-01", 11_100.0, 36.0, 54.0),
    ] {
        let body =
            json!({"filled_at": date, "odometer_km": odometer, "volume": volume, "cost": cost});
        assert_eq!(
            app.send(Method::POST, &logs, &token, Some(body))
                .await
                .status(),
            201
        );
    }
    let backwards =
        json!({"filled_at": "2026-02-10", "odometer_km": 11_000.0, "volume": 10.0, "cost": 10.0});
    let problem = assert_problem(
        app.send(Method::POST, &logs, &token, Some(backwards)).await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "odometer_km");
    let between =
        json!({"filled_at": "2026-01-20", "odometer_km": 12_000.0, "volume": 10.0, "cost": 10.0});
    assert_problem(
        app.send(Method::POST, &logs, &token, Some(between)).await,
        422,
    )
    .await;
    let nonsense =
        json!({"filled_at": "2999-01-01", "odometer_km": -1.0, "volume": 0.0, "cost": -5.0});
    let problem = assert_problem(
        app.send(Method::POST, &logs, &token, Some(nonsense)).await,
        422,
    )
    .await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 4);

    let page: Value = app
        .get(&format!("{logs}?limit=2"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["filled_at"], "2026-02-01", "newest first");
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get(&format!("{logs}?limit=2&cursor={cursor}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next_cursor"].is_null());

    let summary: Value = app
        .get(&paths::summary(h), &token)
        .await
        .json()
        .await
        .unwrap();
    let golf = &summary["vehicles"][0];
    assert_eq!(golf["fill_ups"], 3);
    assert_eq!(golf["distance_km"], 1_100.0);
    // 66 L burned over 1,100 km (the first fill-up only marks the start).
    let l100 = golf["l_per_100km"].as_f64().unwrap();
    assert!((l100 - 6.0).abs() < 1e-9, "{l100}");
    assert!((golf["mpg_us"].as_f64().unwrap() - 39.2).abs() < 0.05);
    assert_eq!(golf["economy"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn vehicle_lists_paginate_by_name() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    for name in ["c", "a", "e", "b", "d"] {
        app.db.vehicle(h, name).await;
    }
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{}?limit=2&cursor={c}", paths::vehicles(h)),
            None => format!("{}?limit=2", paths::vehicles(h)),
        };
        let page: Value = app.get(&path, &token).await.json().await.unwrap();
        names.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["name"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn two_hundred_concurrent_requests_over_two_connections_never_see_the_other_household() {
    let app = TestApp::spawn_with(Options {
        pool_size: 2,
        ..Options::default()
    })
    .await;
    let (a, token_a) = app.household_with("A", "auth0|alice", "owner").await;
    let (b, token_b) = app.household_with("B", "auth0|bob", "owner").await;
    for i in 0..5 {
        app.db.vehicle(a, &format!("a{i}")).await;
        app.db.vehicle(b, &format!("b{i}")).await;
    }
    let requests = (0..200).map(|i| {
        let (h, token) = if i % 2 == 0 {
            (a, &token_a)
        } else {
            (b, &token_b)
        };
        let app = &app;
        async move {
            let page: Value = app
                .get(&paths::vehicles(h), token)
                .await
                .json()
                .await
                .unwrap();
            let items = page["items"].as_array().unwrap().clone();
            (h, items)
        }
    });
    let mut wrong = 0;
    for (h, items) in futures::future::join_all(requests).await {
        assert_eq!(items.len(), 5);
        wrong += items
            .iter()
            .filter(|v| v["household_id"] != h.to_string())
            .count();
    }
    assert_eq!(wrong, 0);
}

#[tokio::test]
async fn data_routes_need_an_internal_token_not_an_auth0_one() {
    let app = TestApp::spawn().await;
    let h = app.db.household("Home").await;
    app.db.member(h, "auth0|alice", "owner").await;
    let response = app
        .get(&paths::vehicles(h), &app.issuer.token("auth0|alice"))
        .await;
    assert_problem(response, 401).await;
    let response = app
        .http
        .get(app.url(&paths::vehicles(h)))
        .send()
        .await
        .unwrap();
    assert_problem(response, 401).await;
}

#[tokio::test]
async fn data_routes_are_rate_limited_per_user_and_household() {
    let mut options = Options::default();
    options.tuning.rates.data_per_user.burst = 5;
    options.tuning.rates.data_per_user.per_second = 1;
    let app = TestApp::spawn_with(options).await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    for _ in 0..5 {
        assert_eq!(app.get(&paths::vehicles(h), &token).await.status(), 200);
    }
    let response = app.get(&paths::vehicles(h), &token).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, 429).await;
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.http
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.http
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_problem(app.http.get(app.url("/nowhere")).send().await.unwrap(), 404).await;
}
