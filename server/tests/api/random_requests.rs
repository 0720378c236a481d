//! 10,000 random requests over every route of the OpenAPI document, as one signed-in person
//! who owns household A and nothing of household B: random path segments (the right ids,
//! the other household's, made-up ones, hostile strings), query strings, bodies (well- and
//! ill-formed JSON, hostile values, wrong types), credentials and content types. No answer
//! may be a 5xx, none may carry anything of B, and B's rows are as they were.
//!
//! Reproduce a failure with `RANDOM_REQUESTS_SEED=<seed>` (each run prints its seed).

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Value, json};
use shared::paths;
use uuid::Uuid;

use crate::helpers::{Options, TestApp};

const REQUESTS: usize = 10_000;
const WORKERS: usize = 8;
/// In every name of household B's: no answer to A's owner may contain it.
const MARKER: &str = "B-secret";

/// What a request may carry, fixed before the random phase.
struct World {
    a: Uuid,
    b: Uuid,
    a_vehicle: Uuid,
    b_vehicle: Uuid,
    internal: String,
    auth0: String,
    routes: Vec<(Method, String)>,
}

/// Every (method, path template) of the OpenAPI document.
fn routes() -> Vec<(Method, String)> {
    let doc = serde_json::to_value(server::http::openapi::document()).unwrap();
    let mut routes = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if let Ok(method) = method.to_uppercase().parse::<Method>() {
                routes.push((method, template.clone()));
            }
        }
    }
    routes
}

fn hostile(rng: &mut StdRng) -> String {
    const PICKS: &[&str] = &[
        "",
        " ",
        "%00",
        "a%00b",
        "%ZZ",
        "%",
        "..",
        "%2e%2e",
        "%2F",
        "auth0%7Calice",
        "Zo%C3%AB%F0%9F%9A%97",
        "%ED%A0%80",
        "%FF%FE",
        "'%20OR%201=1--",
        "null",
        "-1",
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "11111111-1111-4111-8111-11111111111",
    ];
    match rng.gen_range(0..4) {
        0 => "a".repeat(rng.gen_range(200..3000)),
        1 => Uuid::new_v4().to_string(),
        _ => PICKS[rng.gen_range(0..PICKS.len())].to_owned(),
    }
}

fn segment(rng: &mut StdRng, name: &str, w: &World) -> String {
    let roll = rng.gen_range(0..10);
    match (name, roll) {
        ("household_id", 0..=6) => w.a.to_string(),
        ("household_id", 7) => w.b.to_string(),
        ("vehicle_id", 0..=5) => w.a_vehicle.to_string(),
        ("vehicle_id", 6) => w.b_vehicle.to_string(),
        ("sub", 0..=4) => "auth0%7Calice".to_owned(),
        ("sub", 5) => "auth0%7Cb-secret-owner".to_owned(),
        _ => hostile(rng),
    }
}

/// A path of `template` with each `{parameter}` filled, and maybe a query string.
fn path(rng: &mut StdRng, template: &str, w: &World) -> String {
    let mut out = String::new();
    for part in template.split('/').skip(1) {
        out.push('/');
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => out.push_str(&segment(rng, name, w)),
            None => out.push_str(part),
        }
    }
    if rng.gen_bool(0.3) {
        let limit = ["1", "0", "-3", "201", "50", "abc", "99999999999999999999"];
        let cursor = ["AA", "%00", "bm9wZQ", "_-_-", "YWJj", "MTIz", "===="];
        let key = ["limit", "cursor", "table", "x", "limit"][rng.gen_range(0..5)];
        let value = if key == "cursor" {
            cursor[rng.gen_range(0..cursor.len())].to_owned()
        } else if rng.gen_bool(0.5) {
            limit[rng.gen_range(0..limit.len())].to_owned()
        } else {
            hostile(rng)
        };
        out.push_str(&format!("?{key}={value}"));
    }
    out
}

fn text(rng: &mut StdRng) -> Value {
    let picks = [
        "Golf",
        "",
        "   ",
        "a\u{0}b",
        "tab\tbell\u{7}",
        "Zoë 🚗",
        "owner",
        "viewer",
        "nobody",
        "2026-01-02",
        "2026-13-45",
        "0001-01-01",
        "9999-12-31",
        "1e309",
    ];
    if rng.gen_bool(0.1) {
        return json!("x".repeat(rng.gen_range(90..700)));
    }
    json!(picks[rng.gen_range(0..picks.len())])
}

fn value(rng: &mut StdRng, depth: u32) -> Value {
    match rng.gen_range(0..if depth > 2 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.gen_bool(0.5)),
        2 => json!(rng.gen_range(-5_i64..5_000_000)),
        3 => json!([1e308, -0.0, 0.5, 1e-300, -1.0, 4e15][rng.gen_range(0..6)]),
        4 => json!(u64::MAX),
        5 => text(rng),
        6 => Value::Array(
            (0..rng.gen_range(0..4))
                .map(|_| value(rng, depth + 1))
                .collect(),
        ),
        _ => object(rng, depth + 1),
    }
}

fn object(rng: &mut StdRng, depth: u32) -> Value {
    const FIELDS: &[&str] = &[
        "name",
        "make",
        "model",
        "year",
        "fuel_unit",
        "filled_at",
        "odometer_km",
        "volume",
        "cost",
        "note",
        "role",
        "code",
        "household_id",
        "confirm",
        "extra",
    ];
    let mut map = serde_json::Map::new();
    for _ in 0..rng.gen_range(0..6) {
        let field = FIELDS[rng.gen_range(0..FIELDS.len())];
        let v = if rng.gen_bool(0.6) {
            text(rng)
        } else {
            value(rng, depth)
        };
        map.insert(field.to_owned(), v);
    }
    Value::Object(map)
}

/// A body as bytes: JSON mostly, and what a JSON parser must refuse.
fn body(rng: &mut StdRng) -> Option<Vec<u8>> {
    match rng.gen_range(0..10) {
        0 => None,
        1 => Some(br#"{"name": "\ud800"}"#.to_vec()),
        2 => Some(b"{\"name\": ".to_vec()),
        3 => Some(vec![0xff, 0xfe, 0x00, b'{']),
        4 => Some(value(rng, 0).to_string().into_bytes()),
        _ => Some(object(rng, 0).to_string().into_bytes()),
    }
}

async fn one(app: &TestApp, w: &World, rng: &mut StdRng) -> (String, reqwest::StatusCode, String) {
    let (method, template) = w.routes[rng.gen_range(0..w.routes.len())].clone();
    let path = path(rng, &template, w);
    let mut request = app.http.request(method.clone(), app.url(&path));
    request = match rng.gen_range(0..10) {
        0..=5 => request.bearer_auth(&w.internal),
        6 | 7 => request.bearer_auth(&w.auth0),
        8 => request.bearer_auth("eyJhbGciOiJub25lIn0.e30."),
        _ => request,
    };
    if let Some(bytes) = body(rng) {
        let content_type = ["application/json", "application/json", "text/plain", ""];
        let content_type = content_type[rng.gen_range(0..content_type.len())];
        if !content_type.is_empty() {
            request = request.header("content-type", content_type);
        }
        request = request.body(bytes);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    (format!("{method} {path}"), status, text)
}

/// B's rows, as the owner sees them.
async fn b_rows(app: &TestApp, b: Uuid) -> Vec<String> {
    let mut rows = Vec::new();
    for table in [
        "households h WHERE h.id",
        "household_members h WHERE h.household_id",
        "vehicles h WHERE h.household_id",
        "fuel_logs h WHERE h.household_id",
        "invitations h WHERE h.household_id",
        "audit_events h WHERE h.household_id",
    ] {
        let query = format!("SELECT row_to_json(h)::text FROM {table} = $1 ORDER BY 1");
        let found: Vec<String> = sqlx::query_scalar(&query)
            .bind(b)
            .fetch_all(&app.db.admin)
            .await
            .unwrap();
        rows.extend(found);
    }
    rows
}

#[tokio::test]
async fn ten_thousand_random_requests_answer_no_5xx_and_nothing_of_another_household() {
    let mut options = Options::default();
    for rate in [
        &mut options.tuning.rates.exchange_per_ip,
        &mut options.tuning.rates.exchange_per_user,
        &mut options.tuning.rates.data_per_user,
        &mut options.tuning.rates.data_per_account,
        &mut options.tuning.rates.requests_per_ip,
    ] {
        rate.burst = 1_000_000;
    }
    let app = Arc::new(TestApp::spawn_with(options).await);
    let (a, internal) = app.household_with("Home", "auth0|alice", "owner").await;
    let a_vehicle = app.db.vehicle(a, "Golf").await;
    let b = app.db.household(&format!("{MARKER} house")).await;
    app.db.member(b, "auth0|b-secret-owner", "owner").await;
    let b_vehicle = app.db.vehicle(b, &format!("{MARKER} van")).await;
    let b_token = app.internal_token("auth0|b-secret-owner", b).await;
    let log = json!({"filled_at": "2026-01-02", "odometer_km": 10.0, "volume": 40.0,
                     "cost": 60.0, "note": format!("{MARKER} note")});
    let logged = app
        .send(
            Method::POST,
            &paths::fuel_logs(b, b_vehicle),
            &b_token,
            Some(log),
        )
        .await;
    assert_eq!(logged.status(), 201);
    let invited = app
        .send(
            Method::POST,
            &paths::invitations(b),
            &b_token,
            Some(json!({"role": "member"})),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let before = b_rows(&app, b).await;

    let world = Arc::new(World {
        a,
        b,
        a_vehicle,
        b_vehicle,
        internal,
        auth0: app.issuer.token("auth0|alice"),
        routes: routes(),
    });
    assert!(world.routes.len() >= 25, "{:?}", world.routes);
    let seed = std::env::var("RANDOM_REQUESTS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("random requests: RANDOM_REQUESTS_SEED={seed}");
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..WORKERS {
        let (app, world) = (app.clone(), world.clone());
        workers.spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed.wrapping_add(worker as u64));
            let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
            for _ in 0..REQUESTS / WORKERS {
                let (what, status, text) = one(&app, &world, &mut rng).await;
                assert!(
                    !status.is_server_error(),
                    "seed {seed}: {what} answered {status}: {text}"
                );
                assert!(
                    !text.contains(MARKER),
                    "seed {seed}: {what} ({status}) showed household B: {text}"
                );
                *statuses.entry(status.as_u16()).or_default() += 1;
            }
            statuses
        });
    }
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    while let Some(done) = workers.join_next().await {
        for (status, n) in done.unwrap() {
            *statuses.entry(status).or_default() += n;
        }
    }
    eprintln!("random requests: statuses {statuses:?}");
    assert_eq!(statuses.values().sum::<usize>(), REQUESTS);
    // Not all refusals: the random requests also reached the handlers.
    assert!(
        statuses.keys().any(|s| (200..300).contains(s)),
        "{statuses:?}"
    );
    assert_eq!(b_rows(&app, b).await, before, "household B's rows changed");
}
