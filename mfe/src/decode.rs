//! Reading JSON answers into the `shared` wire types. The browser parses the text
//! (`Response.json()`); [`Decode`] reads the parsed value.
//!
//! Why not serde here: `serde-wasm-bindgen`'s deserializer, serde's derived visitors and the
//! float formatting that serde's error messages pull in came to about a seventh of the
//! element's gzipped bundle (measured: see the README's budgets). The answers are a handful
//! of fixed shapes, so they are read by hand. The readers follow serde's conventions for
//! these types (missing or `null` optional fields are `None`, unknown fields are ignored,
//! anything else of the wrong type is an error naming the field), and the browser tests
//! check every reader against serde's own encoding of the same values, so the two cannot
//! drift apart unnoticed. Requests are still written with serde (`api::to_json`), which
//! costs little.

use chrono::{DateTime, NaiveDate, Utc};
use js_sys::{Array, Reflect};
use shared::Problem;
use shared::exchange;
use shared::fuel_logs::FuelLog;
use shared::households::{HouseholdStatus, Membership, MyHouseholds, Role};
use shared::page::Page;
use shared::problem::FieldError;
use shared::summary::{EconomyPoint, Summary, VehicleSummary};
use shared::vehicles::{FuelUnit, Vehicle};
use uuid::Uuid;
use wasm_bindgen::JsValue;

/// A value that is not what its route promises: the field that was wrong (empty for the
/// value as a whole).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unexpected value at `{0}`")]
pub struct DecodeError(pub &'static str);

/// A type read from a parsed JSON value.
pub trait Decode: Sized {
    fn decode(value: &JsValue) -> Result<Self, DecodeError>;
}

/// The fields of a JSON object.
pub struct Fields<'a>(&'a JsValue);

impl<'a> Fields<'a> {
    /// `value` as an object; arrays and primitives are not.
    pub fn of(value: &'a JsValue) -> Result<Self, DecodeError> {
        if value.is_object() && !Array::is_array(value) {
            Ok(Self(value))
        } else {
            Err(DecodeError(""))
        }
    }

    /// An optional field: absent or `null` is `None`.
    pub fn optional<T: Decode>(&self, name: &'static str) -> Result<Option<T>, DecodeError> {
        // `Reflect::get` throws only for proxies and getters, which parsed JSON has not.
        let value = Reflect::get(self.0, &JsValue::from_str(name)).unwrap_or(JsValue::NULL);
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        T::decode(&value)
            .map(Some)
            // Errors inside a nested object name the innermost field.
            .map_err(|error| {
                if error.0.is_empty() {
                    DecodeError(name)
                } else {
                    error
                }
            })
    }

    /// A required field.
    pub fn required<T: Decode>(&self, name: &'static str) -> Result<T, DecodeError> {
        self.optional(name)?.ok_or(DecodeError(name))
    }

    /// An optional field with its type's default when absent, as `#[serde(default)]`.
    pub fn or_default<T: Decode + Default>(&self, name: &'static str) -> Result<T, DecodeError> {
        Ok(self.optional(name)?.unwrap_or_default())
    }
}

impl Decode for String {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        value.as_string().ok_or(DecodeError(""))
    }
}

impl Decode for f64 {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        value.as_f64().ok_or(DecodeError(""))
    }
}

/// Whole numbers within the type's range, as serde accepts them from a JS number.
macro_rules! integers {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(value: &JsValue) -> Result<Self, DecodeError> {
                let number = f64::decode(value)?;
                let whole = number.fract() == 0.0 && number >= <$t>::MIN as f64 && number <= <$t>::MAX as f64;
                if whole { Ok(number as $t) } else { Err(DecodeError("")) }
            }
        }
    )*};
}
integers!(u16, u32, i32, u64);

impl<T: Decode> Decode for Vec<T> {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        if !Array::is_array(value) {
            return Err(DecodeError(""));
        }
        Array::from(value)
            .iter()
            .map(|item| T::decode(&item))
            .collect()
    }
}

/// A string read with `parse`.
fn text<T>(value: &JsValue, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, DecodeError> {
    value
        .as_string()
        .and_then(|s| parse(&s))
        .ok_or(DecodeError(""))
}

impl Decode for Uuid {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        text(value, |s| Uuid::try_parse(s).ok())
    }
}

impl Decode for NaiveDate {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        text(value, shared::dates::parse_date)
    }
}

impl Decode for DateTime<Utc> {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        text(value, shared::dates::parse_timestamp)
    }
}

impl Decode for Role {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        text(value, Role::parse)
    }
}

impl Decode for FuelUnit {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        text(value, FuelUnit::parse)
    }
}

impl Decode for HouseholdStatus {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        text(value, HouseholdStatus::parse)
    }
}

/// [`Decode`] for structs, field by field:
/// `objects! { Type { field: required, other as "wire-name": optional, … } … }`, where each
/// field names the [`Fields`] method that reads it.
macro_rules! objects {
    ($($t:ty { $($field:ident $(as $wire:literal)?: $how:ident),* $(,)? })*) => {$(
        impl $crate::decode::Decode for $t {
            fn decode(
                value: &::wasm_bindgen::JsValue,
            ) -> Result<Self, $crate::decode::DecodeError> {
                let fields = $crate::decode::Fields::of(value)?;
                Ok(Self { $($field: fields.$how($crate::decode::objects!(@name $field $($wire)?))?),* })
            }
        }
    )*};
    (@name $field:ident) => { stringify!($field) };
    (@name $field:ident $wire:literal) => { $wire };
}
pub(crate) use objects;

objects! {
    exchange::Response {
        access_token: required,
        token_type: required,
        expires_in: required,
        household_id: required,
        role: required,
    }
    Problem {
        kind as "type": required,
        title: required,
        status: required,
        detail: optional,
        request_id: optional,
        errors: or_default,
    }
    FieldError { field: required, message: required }
    Vehicle {
        id: required,
        household_id: required,
        name: required,
        make: required,
        model: required,
        year: optional,
        fuel_unit: required,
        created_at: required,
    }
    FuelLog {
        id: required,
        household_id: required,
        vehicle_id: required,
        filled_at: required,
        odometer_km: required,
        volume: required,
        cost: required,
        note: required,
        created_at: required,
    }
    Summary { household_id: required, vehicles: required }
    VehicleSummary {
        vehicle_id: required,
        name: required,
        fill_ups: required,
        distance_km: required,
        fuel_litres: required,
        cost: required,
        l_per_100km: optional,
        mpg_us: optional,
        cost_per_km: optional,
        economy: required,
    }
    EconomyPoint { date: required, l_per_100km: required }
    MyHouseholds { households: required }
    Membership { household_id: required, name: required, role: required, status: required }
}

impl<T: Decode> Decode for Page<T> {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        let fields = Fields::of(value)?;
        Ok(Self {
            items: fields.required("items")?,
            next_cursor: fields.optional("next_cursor")?,
        })
    }
}
