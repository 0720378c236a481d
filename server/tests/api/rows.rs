//! Every field of the wire types makes the whole trip: request, INSERT or UPDATE, the
//! row read back, and each route that answers it; each table's columns are exactly its
//! row type's fields (the data functions read rows with `*`), and the vehicle request
//! types' fields are exactly the columns their writes name. A field forgotten in the
//! migration, a request type or the row mapping fails here, natively.

use std::collections::BTreeSet;

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use server::db::tenant::HouseholdTx;
use server::db::{fuel_logs, vehicles};
use shared::fuel_logs::NewFuelLog;
use shared::paths;
use shared::vehicles::{FuelUnit, NewVehicle, VehiclePatch};
use uuid::Uuid;

use crate::helpers::{TestApp, TestDb};

/// The request as JSON, after checking that every field serde can default is set to
/// something else: a value equal to its default would come back even if no SQL wrote it.
fn every_field_set<T: Serialize + DeserializeOwned>(request: &T) -> serde_json::Map<String, Value> {
    let sent = serde_json::to_value(request).unwrap();
    let sent = sent.as_object().unwrap().clone();
    for key in sent.keys() {
        let mut without = sent.clone();
        without.remove(key);
        if let Ok(defaulted) = serde_json::from_value::<T>(Value::Object(without)) {
            assert_ne!(
                serde_json::to_value(defaulted).unwrap()[key],
                sent[key],
                "give {key} a value other than its default in this test"
            );
        }
    }
    sent
}

/// Every field of `sent` has the same value in `answer`.
fn assert_fields_round_trip(sent: &serde_json::Map<String, Value>, answer: &Value, shape: &str) {
    for (key, value) in sent {
        assert_eq!(&answer[key], value, "{key} as {shape} answers it");
    }
}

#[tokio::test]
async fn every_field_of_a_new_vehicle_comes_back_from_create_get_and_list() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "member").await;
    // A struct literal: a new field fails to compile here until the test gives it a value.
    let new = NewVehicle {
        name: "Golf".into(),
        make: "Volkswagen".into(),
        model: "Mk7".into(),
        year: Some(2019),
        fuel_unit: FuelUnit::UsGallons,
    };
    let sent = every_field_set(&new);

    let response = app
        .send(
            Method::POST,
            &paths::vehicles(h),
            &token,
            Some(sent.clone().into()),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_fields_round_trip(&sent, &created, "create");

    let one = format!("{}/{}", paths::vehicles(h), created["id"].as_str().unwrap());
    let got: Value = app.get(&one, &token).await.json().await.unwrap();
    assert_eq!(got, created, "get answers the row create answered");
    let list: Value = app
        .get(&paths::vehicles(h), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], Value::Array(vec![created]), "list");
}

#[tokio::test]
async fn every_field_of_a_vehicle_patch_is_written_and_read_back() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "member").await;
    let created: Value = app
        .send(
            Method::POST,
            &paths::vehicles(h),
            &token,
            Some(serde_json::json!({"name": "Golf", "make": "VW", "model": "Mk7", "year": 2019})),
        )
        .await
        .json()
        .await
        .unwrap();
    // Each field differs from the created vehicle's, so an unwritten one shows.
    let patch = VehiclePatch {
        name: Some("Polo".into()),
        make: Some("Volkswagen".into()),
        model: Some("Mk6".into()),
        year: Some(2011),
        fuel_unit: Some(FuelUnit::UsGallons),
    };
    let sent = every_field_set(&patch);
    for (key, value) in &sent {
        assert_ne!(&created[key], value, "{key} must change in this test");
    }

    let one = format!("{}/{}", paths::vehicles(h), created["id"].as_str().unwrap());
    let response = app
        .send(Method::PATCH, &one, &token, Some(sent.clone().into()))
        .await;
    assert_eq!(response.status(), 200);
    let patched: Value = response.json().await.unwrap();
    assert_fields_round_trip(&sent, &patched, "patch");
    let got: Value = app.get(&one, &token).await.json().await.unwrap();
    assert_eq!(got, patched, "get answers the row patch answered");
}

/// A vehicle with every field set (a struct literal, so a new field gets a value here
/// too), and its URL.
async fn golf(app: &TestApp, h: Uuid, token: &str) -> (Value, String) {
    let new = NewVehicle {
        name: "Golf".into(),
        make: "VW".into(),
        model: "Mk7".into(),
        year: Some(2019),
        fuel_unit: FuelUnit::UsGallons,
    };
    let sent = every_field_set(&new);
    let created: Value = app
        .send(Method::POST, &paths::vehicles(h), token, Some(sent.into()))
        .await
        .json()
        .await
        .unwrap();
    let one = format!("{}/{}", paths::vehicles(h), created["id"].as_str().unwrap());
    (created, one)
}

#[tokio::test]
async fn a_patch_of_one_field_leaves_every_other_field_as_it_was() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "member").await;
    let (mut expected, one) = golf(&app, h, &token).await;
    // A struct literal, so a new field is patched here too once the test compiles.
    let patch = VehiclePatch {
        name: Some("Polo".into()),
        make: Some("Volkswagen".into()),
        model: Some("Mk6".into()),
        year: Some(2011),
        fuel_unit: Some(FuelUnit::Litres),
    };
    for (key, value) in every_field_set(&patch) {
        assert_ne!(expected[&key], value, "{key} must change in this test");
        let alone = serde_json::json!({ key.clone(): value.clone() });
        let response = app.send(Method::PATCH, &one, &token, Some(alone)).await;
        assert_eq!(response.status(), 200, "patching {key}");
        expected[&key] = value;
        let patched: Value = response.json().await.unwrap();
        assert_eq!(patched, expected, "patching only {key}");
        assert_eq!(
            app.get(&one, &token).await.json::<Value>().await.unwrap(),
            expected
        );
    }
}

#[tokio::test]
async fn an_explicit_null_or_an_empty_patch_keeps_the_stored_values() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "member").await;
    let (created, one) = golf(&app, h, &token).await;
    for patch in [
        serde_json::json!({"year": null}),
        serde_json::json!({"name": null, "make": null, "model": null, "year": null, "fuel_unit": null}),
        serde_json::json!({}),
    ] {
        let response = app
            .send(Method::PATCH, &one, &token, Some(patch.clone()))
            .await;
        assert_eq!(response.status(), 200, "{patch}");
        assert_eq!(response.json::<Value>().await.unwrap(), created, "{patch}");
    }
}

#[tokio::test]
async fn create_and_patch_store_text_fields_trimmed() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "member").await;
    let created: Value = app
        .send(
            Method::POST,
            &paths::vehicles(h),
            &token,
            Some(serde_json::json!({"name": "  Golf ", "make": " VW ", "model": "\tMk7\n"})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&created["name"], &created["make"], &created["model"]),
        (&"Golf".into(), &"VW".into(), &"Mk7".into())
    );
    let one = format!("{}/{}", paths::vehicles(h), created["id"].as_str().unwrap());
    let patched: Value = app
        .send(
            Method::PATCH,
            &one,
            &token,
            Some(serde_json::json!({"name": " Polo ", "make": "  Volkswagen", "model": "Mk6 "})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&patched["name"], &patched["make"], &patched["model"]),
        (&"Polo".into(), &"Volkswagen".into(), &"Mk6".into())
    );
}

/// The vehicle writes name exactly their request type's fields as columns, so each
/// request type must have one field per column a client sets: a field without its column
/// would fail every write, and a column without its field would never be written.
#[tokio::test]
async fn the_vehicle_requests_have_exactly_the_columns_a_client_sets() {
    let db = TestDb::new().await;
    let mut settable = columns(&db, "vehicles").await;
    // Set by the database: column defaults on insert, never by a request.
    for server_set in ["id", "household_id", "created_at"] {
        assert!(settable.remove(server_set), "vehicles.{server_set}");
    }
    let fields = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
    use serde_aux::serde_introspection::serde_introspect;
    assert_eq!(
        fields(serde_introspect::<NewVehicle>()),
        settable,
        "NewVehicle"
    );
    assert_eq!(
        fields(serde_introspect::<VehiclePatch>()),
        settable,
        "VehiclePatch"
    );
}

#[tokio::test]
async fn every_field_of_a_new_fuel_log_comes_back_from_create_and_list() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "member").await;
    let vehicle = app.db.vehicle(h, "Golf").await;
    let new = NewFuelLog {
        filled_at: "2026-03-01".parse().unwrap(),
        odometer_km: 12_345.5,
        volume: 41.25,
        cost: 70.5,
        note: "Full tank".into(),
    };
    let sent = every_field_set(&new);
    let logs = format!("{}/{vehicle}/fuel-logs", paths::vehicles(h));

    let response = app
        .send(Method::POST, &logs, &token, Some(sent.clone().into()))
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_fields_round_trip(&sent, &created, "create");
    let list: Value = app.get(&logs, &token).await.json().await.unwrap();
    assert_eq!(list["items"], Value::Array(vec![created]), "list");
}

/// The table's column names, in any order.
async fn columns(db: &TestDb, table: &str) -> BTreeSet<String> {
    sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = $1",
    )
    .bind(table)
    .fetch_all(&db.admin)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

fn fields(row: impl Serialize) -> BTreeSet<String> {
    let value = serde_json::to_value(row).unwrap();
    value.as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn each_table_has_exactly_the_columns_of_its_row_type() {
    let db = TestDb::new().await;
    let h = db.household("Home").await;
    db.member(h, "owner", "owner").await;
    let mut tx = HouseholdTx::begin(&db.app, &crate::helpers::context_key(), h, "owner")
        .await
        .unwrap();
    let vehicle = vehicles::create(
        &mut tx,
        &NewVehicle {
            name: "Golf".into(),
            make: String::new(),
            model: String::new(),
            year: None,
            fuel_unit: FuelUnit::Litres,
        },
    )
    .await
    .unwrap();
    let log = fuel_logs::create(
        &mut tx,
        vehicle.id,
        &NewFuelLog {
            filled_at: "2026-03-01".parse().unwrap(),
            odometer_km: 100.0,
            volume: 40.0,
            cost: 60.0,
            note: String::new(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    assert_eq!(columns(&db, "vehicles").await, fields(vehicle), "vehicles");
    assert_eq!(columns(&db, "fuel_logs").await, fields(log), "fuel_logs");
}
