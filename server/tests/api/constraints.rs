//! The database's CHECK constraints repeat the rules of `shared`'s `validate()`. Each one
//! is broken here past `validate()`, straight through the data functions, and the
//! server's 422 must carry the very field and message `validate()` gives for the same
//! value; the value at the limit must pass both. So a limit changed on one side only, or
//! a constraint without an answer, fails natively. (The fill-up date has no constraint:
//! its bound is the client's "today", which only `validate()` knows.)

use axum::response::IntoResponse;
use chrono::{NaiveDate, Utc};
use server::db::tenant::HouseholdTx;
use server::db::{fuel_logs, vehicles};
use server::error::AppError;
use shared::fuel_logs::{COST_MAX, NOTE_MAX, NewFuelLog, ODOMETER_MAX_KM, VOLUME_MAX};
use shared::problem::{FieldError, Problem};
use shared::vehicles::{
    FuelUnit, NAME_MAX, NewVehicle, TEXT_MAX, VehiclePatch, YEAR_MAX, YEAR_MIN,
};
use uuid::Uuid;

use crate::helpers::TestDb;

/// A household with one vehicle, written to as its owner.
struct Garage {
    db: TestDb,
    household: Uuid,
    vehicle: Uuid,
}

/// The subject the garage's transactions act as: its owner.
const OWNER: &str = "owner";

impl Garage {
    async fn new() -> Self {
        let db = TestDb::new().await;
        let household = db.household("Home").await;
        db.member(household, OWNER, "owner").await;
        let vehicle = db.vehicle(household, "Golf").await;
        Self {
            db,
            household,
            vehicle,
        }
    }

    async fn tx(&self) -> HouseholdTx {
        HouseholdTx::begin(
            &self.db.app,
            &crate::helpers::context_key(),
            self.household,
            OWNER,
        )
        .await
        .unwrap()
    }
}

/// What a client receives for a write the database refused: status and problem errors.
async fn answer(refused: sqlx::Error) -> (u16, Vec<FieldError>) {
    let response = AppError::from(refused).into_response();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let problem: Problem = serde_json::from_slice(&body).unwrap();
    (status, problem.errors)
}

fn vehicle(name: &str) -> NewVehicle {
    NewVehicle {
        name: name.into(),
        make: String::new(),
        model: String::new(),
        year: None,
        fuel_unit: FuelUnit::Litres,
    }
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn fuel_log(odometer_km: f64, volume: f64, cost: f64, note: &str) -> NewFuelLog {
    NewFuelLog {
        filled_at: today(),
        odometer_km,
        volume,
        cost,
        note: note.into(),
    }
}

/// `validate()` refuses `new` for exactly one field, the database refuses it too, and the
/// server's answer is a 422 with `validate()`'s own error.
async fn assert_vehicle_refused_as_validate_refuses_it(garage: &Garage, new: NewVehicle) {
    let expected = new.validate();
    assert_eq!(expected.len(), 1, "one broken rule per case: {expected:?}");
    let refused = vehicles::create(&mut garage.tx().await, &new)
        .await
        .expect_err("the database refuses what validate() refuses");
    assert_eq!(answer(refused).await, (422, expected), "{new:?}");
}

/// The same for a change to the existing vehicle.
async fn assert_patch_refused_as_validate_refuses_it(garage: &Garage, patch: VehiclePatch) {
    let expected = patch.validate();
    assert_eq!(expected.len(), 1, "one broken rule per case: {expected:?}");
    let refused = vehicles::update(&mut garage.tx().await, garage.vehicle, &patch)
        .await
        .expect_err("the database refuses what validate() refuses");
    assert_eq!(answer(refused).await, (422, expected), "{patch:?}");
}

/// `validate()` accepts `new`, and so does the database.
async fn assert_vehicle_accepted(garage: &Garage, new: NewVehicle) {
    assert_eq!(new.validate(), [], "{new:?}");
    vehicles::create(&mut garage.tx().await, &new)
        .await
        .unwrap_or_else(|e| panic!("the database refuses {new:?}, which validate() accepts: {e}"));
}

async fn assert_fuel_log_refused_as_validate_refuses_it(garage: &Garage, new: NewFuelLog) {
    let expected = new.validate(today());
    assert_eq!(expected.len(), 1, "one broken rule per case: {expected:?}");
    let refused = fuel_logs::create(&mut garage.tx().await, garage.vehicle, &new)
        .await
        .expect_err("the database refuses what validate() refuses");
    assert_eq!(answer(refused).await, (422, expected), "{new:?}");
}

async fn assert_fuel_log_accepted(garage: &Garage, new: NewFuelLog) {
    assert_eq!(new.validate(today()), [], "{new:?}");
    fuel_logs::create(&mut garage.tx().await, garage.vehicle, &new)
        .await
        .unwrap_or_else(|e| panic!("the database refuses {new:?}, which validate() accepts: {e}"));
}

fn chars(n: usize) -> String {
    "x".repeat(n)
}

#[tokio::test]
async fn a_blank_vehicle_name_is_refused_with_the_message_validate_gives() {
    let garage = Garage::new().await;
    // The data function trims, as for every name: blank reaches the database empty.
    assert_vehicle_refused_as_validate_refuses_it(&garage, vehicle("   ")).await;
    let patch = VehiclePatch {
        name: Some(String::new()),
        ..VehiclePatch::default()
    };
    assert_patch_refused_as_validate_refuses_it(&garage, patch).await;
}

#[tokio::test]
async fn a_vehicle_name_past_name_max_is_refused_with_the_message_validate_gives() {
    let garage = Garage::new().await;
    assert_vehicle_accepted(&garage, vehicle(&chars(NAME_MAX))).await;
    assert_vehicle_refused_as_validate_refuses_it(&garage, vehicle(&chars(NAME_MAX + 1))).await;
}

#[tokio::test]
async fn a_make_past_text_max_is_refused_with_the_message_validate_gives() {
    let garage = Garage::new().await;
    let with_make = |make: String| NewVehicle {
        make,
        ..vehicle(&format!("make {}", Uuid::new_v4()))
    };
    assert_vehicle_accepted(&garage, with_make(chars(TEXT_MAX))).await;
    assert_vehicle_refused_as_validate_refuses_it(&garage, with_make(chars(TEXT_MAX + 1))).await;
}

#[tokio::test]
async fn a_model_past_text_max_is_refused_with_the_message_validate_gives() {
    let garage = Garage::new().await;
    let with_model = |model: String| NewVehicle {
        model,
        ..vehicle(&format!("model {}", Uuid::new_v4()))
    };
    assert_vehicle_accepted(&garage, with_model(chars(TEXT_MAX))).await;
    assert_vehicle_refused_as_validate_refuses_it(&garage, with_model(chars(TEXT_MAX + 1))).await;
}

#[tokio::test]
async fn a_year_outside_year_min_to_year_max_is_refused_with_the_message_validate_gives() {
    let garage = Garage::new().await;
    let built = |year: i32| NewVehicle {
        year: Some(year),
        ..vehicle(&format!("built {year}"))
    };
    assert_vehicle_accepted(&garage, built(YEAR_MIN)).await;
    assert_vehicle_accepted(&garage, built(YEAR_MAX)).await;
    assert_vehicle_refused_as_validate_refuses_it(&garage, built(YEAR_MIN - 1)).await;
    assert_vehicle_refused_as_validate_refuses_it(&garage, built(YEAR_MAX + 1)).await;
    let patch = VehiclePatch {
        year: Some(YEAR_MAX + 1),
        ..VehiclePatch::default()
    };
    assert_patch_refused_as_validate_refuses_it(&garage, patch).await;
}

#[tokio::test]
async fn an_odometer_reading_out_of_range_is_refused_with_the_message_validate_gives() {
    let garage = Garage::new().await;
    assert_fuel_log_accepted(&garage, fuel_log(0.0, 40.0, 60.0, "")).await;
    assert_fuel_log_accepted(&garage, fuel_log(ODOMETER_MAX_KM, 40.0, 60.0, "")).await;
    for odometer_km in [-0.5, ODOMETER_MAX_KM + 0.5, f64::NAN, f64::INFINITY] {
        let log = fuel_log(odometer_km, 40.0, 60.0, "");
        assert_fuel_log_refused_as_validate_refuses_it(&garage, log).await;
    }
}

#[tokio::test]
async fn a_volume_not_above_zero_or_past_volume_max_is_refused_with_the_message_validate_gives() {
    let garage = Garage::new().await;
    assert_fuel_log_accepted(&garage, fuel_log(100.0, VOLUME_MAX, 60.0, "")).await;
    for volume in [0.0, -1.0, VOLUME_MAX + 0.5, f64::NAN] {
        let log = fuel_log(200.0, volume, 60.0, "");
        assert_fuel_log_refused_as_validate_refuses_it(&garage, log).await;
    }
}

#[tokio::test]
async fn a_cost_not_above_zero_or_past_cost_max_is_refused_with_the_message_validate_gives() {
    let garage = Garage::new().await;
    assert_fuel_log_accepted(&garage, fuel_log(100.0, 40.0, COST_MAX, "")).await;
    for cost in [0.0, -1.0, COST_MAX + 0.5, f64::NAN] {
        let log = fuel_log(200.0, 40.0, cost, "");
        assert_fuel_log_refused_as_validate_refuses_it(&garage, log).await;
    }
}

#[tokio::test]
async fn a_note_past_note_max_is_refused_with_the_message_validate_gives() {
    let garage = Garage::new().await;
    assert_fuel_log_accepted(&garage, fuel_log(100.0, 40.0, 60.0, &chars(NOTE_MAX))).await;
    let log = fuel_log(200.0, 40.0, 60.0, &chars(NOTE_MAX + 1));
    assert_fuel_log_refused_as_validate_refuses_it(&garage, log).await;
}

#[tokio::test]
async fn every_check_constraint_a_client_can_break_is_answered_with_a_field_error() {
    let db = TestDb::new().await;
    let constraints: Vec<String> = sqlx::query_scalar(
        "SELECT conname::text FROM pg_constraint \
         WHERE contype = 'c' AND conrelid IN ('vehicles'::regclass, 'fuel_logs'::regclass) \
         ORDER BY 1",
    )
    .fetch_all(&db.admin)
    .await
    .unwrap();
    // The fuel unit is bound from `FuelUnit`, whose text the constraint lists: no client
    // value can break it.
    let unbreakable = ["vehicles_fuel_unit_valid"];
    let unanswered: Vec<&String> = constraints
        .iter()
        .filter(|c| !unbreakable.contains(&c.as_str()))
        .filter(|c| server::db::rule_error(c).is_none())
        .collect();
    assert_eq!(
        unanswered,
        Vec::<&String>::new(),
        "map each to shared's error in server::db::rule_error and test it in this file"
    );
    assert!(constraints.len() > unbreakable.len(), "{constraints:?}");
}
