//! `mfe::json` reads back exactly what serde writes, for every answer type the
//! micro-frontend reads, and writes requests that the server's serde reads back as sent:
//! the readers and writers are derived by `jsvalue` from the same serde attributes, and
//! these tests hold them to serde's own behaviour in a browser.

use std::fmt::Debug;

use chrono::{NaiveDate, TimeZone, Utc};
use mfe::json::{Decode, DecodeError, Encode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::Problem;
use shared::exchange;
use shared::fuel_logs::{FuelLog, NewFuelLog};
use shared::households::{
    CreatedHousehold, HouseholdStatus, Member, Members, Membership, MyHouseholds, NewHousehold,
    Role, RoleChange,
};
use shared::invitations::{
    Invitation, JoinRequest, JoinRequestStatus, JoinRequests, NewInvitation, Redemption,
};
use shared::page::Page;
use shared::problem::FieldError;
use shared::summary::{EconomyPoint, Summary, VehicleSummary};
use shared::vehicles::{FuelUnit, NewVehicle, Vehicle, VehiclePatch};
use uuid::Uuid;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

/// Decodes `value` as the server's JSON (text through `JSON.parse`, where `None` is `null`)
/// and as serde-wasm-bindgen's JS value (where `None` is `undefined`); both must give it back.
fn round_trip<T: Serialize + Decode + PartialEq + Debug>(value: T) {
    let text = serde_json::to_string(&value).expect("serializable");
    let parsed = js_sys::JSON::parse(&text).expect("valid JSON");
    assert_eq!(T::decode(&parsed).as_ref(), Ok(&value), "from JSON {text}");
    let direct = serde_wasm_bindgen::to_value(&value).expect("serializable");
    assert_eq!(T::decode(&direct).as_ref(), Ok(&value), "from a JS value");
}

/// What the server reads from `value`'s JSON text (`deny_unknown_fields` on every request
/// type makes a stray field fail too).
fn as_sent<T: Encode + DeserializeOwned + PartialEq + Debug>(value: T) {
    let text = String::from(js_sys::JSON::stringify(&value.encode()).expect("stringified"));
    let read: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(read, value, "{text}");
}

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("valid JSON")
}

fn id(n: u8) -> Uuid {
    Uuid::from_bytes([n; 16])
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).expect("a date")
}

fn vehicle(year: Option<i32>) -> Vehicle {
    Vehicle {
        id: id(1),
        household_id: id(2),
        name: "Family car <&\"'>".into(),
        make: "Škoda".into(),
        model: String::new(),
        year,
        fuel_unit: FuelUnit::UsGallons,
        created_at: Utc
            .timestamp_opt(1_772_353_800, 123_456_000)
            .single()
            .expect("a time"),
    }
}

#[wasm_bindgen_test]
fn exchange_answers_and_problems_round_trip() {
    for role in [Role::Owner, Role::Member, Role::Viewer] {
        round_trip(exchange::Response {
            access_token: "a.b.c".into(),
            token_type: "Bearer".into(),
            expires_in: 300,
            household_id: id(3),
            role,
        });
    }
    round_trip(Problem {
        kind: "about:blank".into(),
        title: "Unprocessable".into(),
        status: 422,
        detail: Some("See errors".into()),
        request_id: Some("r-1".into()),
        errors: vec![FieldError::new("volume", "must be greater than 0")],
    });
    round_trip(Problem {
        kind: "about:blank".into(),
        title: "Not found".into(),
        status: 404,
        detail: None,
        request_id: None,
        errors: Vec::new(),
    });
}

#[wasm_bindgen_test]
fn data_answers_round_trip() {
    round_trip(Page {
        items: vec![vehicle(Some(2019)), vehicle(None)],
        next_cursor: Some("opaque".into()),
    });
    round_trip(Page::<Vehicle> {
        items: Vec::new(),
        next_cursor: None,
    });
    round_trip(Page {
        items: vec![FuelLog {
            id: id(4),
            household_id: id(2),
            vehicle_id: id(1),
            filled_at: day(1),
            odometer_km: 12_345.6,
            volume: 41.25,
            cost: 60.5,
            note: String::new(),
            created_at: Utc
                .timestamp_opt(1_772_353_800, 0)
                .single()
                .expect("a time"),
        }],
        next_cursor: None,
    });
    round_trip(Summary {
        household_id: id(2),
        vehicles: vec![VehicleSummary {
            vehicle_id: id(1),
            name: "Van".into(),
            fill_ups: 3,
            distance_km: 1_000.0,
            fuel_litres: 70.5,
            cost: 99.99,
            l_per_100km: Some(7.05),
            mpg_us: None,
            cost_per_km: Some(0.1),
            economy: vec![EconomyPoint {
                date: day(2),
                l_per_100km: 7.05,
            }],
        }],
    });
    round_trip(MyHouseholds {
        households: vec![Membership {
            household_id: id(2),
            name: "Maple Street".into(),
            role: Role::Viewer,
            status: HouseholdStatus::Suspended,
        }],
    });
}

#[wasm_bindgen_test]
fn membership_answers_round_trip() {
    let at = Utc
        .timestamp_opt(1_772_353_800, 0)
        .single()
        .expect("a time");
    round_trip(CreatedHousehold {
        id: id(2),
        name: "Harbour \"Flat\"".into(),
        role: Role::Owner,
    });
    round_trip(Members {
        members: vec![
            Member {
                sub: "auth0|alice".into(),
                role: Role::Owner,
                created_at: at,
                name: Some("Alice \"Al\" Liddell".into()),
                email: Some("alice@people.test".into()),
            },
            Member {
                sub: "google-oauth2|ünïcode".into(),
                role: Role::Viewer,
                created_at: at,
                name: None,
                email: None,
            },
        ],
    });
    round_trip(Invitation {
        code: "AAAA-bbbb_0123".into(),
        role: Role::Member,
        expires_at: at,
    });
    round_trip(Redemption {
        household_id: id(3),
        status: JoinRequestStatus::Pending,
    });
    for status in [JoinRequestStatus::Approved, JoinRequestStatus::Denied] {
        round_trip(JoinRequests {
            requests: vec![JoinRequest {
                requester_sub: "auth0|carol".into(),
                role: Role::Member,
                status,
                requested_at: at,
                name: Some("Carol".into()),
                email: None,
            }],
        });
    }
}

#[wasm_bindgen_test]
fn a_wrong_shape_is_an_error_naming_the_innermost_field() {
    let page = |item: &str| json(&format!(r#"{{"items": [{item}]}}"#));
    let good = serde_json::to_string(&vehicle(None)).expect("serializable");
    let with = |field: &str, value: &str| {
        let mut object: serde_json::Value = serde_json::from_str(&good).expect("JSON");
        object[field] = serde_json::from_str(value).expect("JSON");
        object.to_string()
    };
    let cases = [
        (with("id", r#""not-a-uuid""#), "id"),
        (with("name", "null"), "name"),
        (with("name", "7"), "name"),
        (with("year", "2019.5"), "year"),
        (with("year", r#""2019""#), "year"),
        (with("year", "3000000000"), "year"),
        (with("fuel_unit", r#""kWh""#), "fuel_unit"),
        (with("created_at", r#""2026-03-01""#), "created_at"),
    ];
    for (item, field) in cases {
        assert_eq!(
            Page::<Vehicle>::decode(&page(&item)),
            Err(DecodeError(field)),
            "{item}"
        );
    }
    assert_eq!(
        Page::<Vehicle>::decode(&json(r#"{"items": {}}"#)),
        Err(DecodeError("items"))
    );
    assert_eq!(Vehicle::decode(&json("[]")), Err(DecodeError("")));
    assert_eq!(Vehicle::decode(&JsValue::NULL), Err(DecodeError("")));
    // Unknown fields are ignored, as serde does without `deny_unknown_fields`.
    let extra = with("added_later", "true");
    assert_eq!(Vehicle::decode(&json(&extra)), Ok(vehicle(None)));
}

#[wasm_bindgen_test]
fn requests_reach_the_server_as_sent() {
    as_sent(exchange::Request {
        household_id: id(2).to_string(),
    });
    for year in [Some(1999), None] {
        as_sent(NewVehicle {
            name: "Van \"Blue\" <&>".into(),
            make: String::new(),
            model: "Transit".into(),
            year,
            fuel_unit: FuelUnit::UsGallons,
        });
    }
    as_sent(VehiclePatch::default());
    as_sent(VehiclePatch {
        name: Some("Car".into()),
        make: Some(String::new()),
        model: None,
        year: Some(2020),
        fuel_unit: Some(FuelUnit::Litres),
    });
    as_sent(NewHousehold {
        name: "Maple \"Street\" ✓".into(),
    });
    for role in [Role::Owner, Role::Member, Role::Viewer] {
        as_sent(RoleChange {
            role: role.as_str().into(),
        });
        as_sent(NewInvitation {
            role: role.as_str().into(),
        });
    }
    as_sent(NewFuelLog {
        filled_at: day(31),
        odometer_km: 123_456.7,
        volume: 0.1 + 0.2,
        cost: 1e-7,
        note: "ünïcode ✓".into(),
    });
}
