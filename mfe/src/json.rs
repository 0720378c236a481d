//! JSON in and out of the `shared` wire types, with the browser doing the text: answers
//! are parsed by `Response.json()` and read by [`Decode`]; requests are built by [`Encode`]
//! as JS objects and written by `JSON.stringify`.
//!
//! Why not serde here: `serde-wasm-bindgen`, serde's derived visitors and the float
//! formatting that serde's error messages pull in came to about a seventh of the element's
//! gzipped bundle (measured: see the README's budgets). The bodies are a handful of fixed
//! shapes, so they are read and written by hand. The readers follow serde's conventions for
//! these types (missing or `null` optional fields are `None`, unknown fields are ignored,
//! anything else of the wrong type is an error naming the field), and the browser tests
//! check every reader against serde's own encoding, and every writer against the server's
//! serde decoding, so the two cannot drift apart unnoticed.

use chrono::{DateTime, NaiveDate, Utc};
use js_sys::{Array, Object, Reflect};
use shared::Problem;
use shared::exchange;
use shared::fuel_logs::{FuelLog, NewFuelLog};
use shared::households::{HouseholdStatus, Membership, MyHouseholds, Role};
use shared::page::Page;
use shared::problem::FieldError;
use shared::summary::{EconomyPoint, Summary, VehicleSummary};
use shared::vehicles::{FuelUnit, NewVehicle, Vehicle, VehiclePatch};
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
        self.get(name)
            .map(|value| {
                // Errors inside a nested object name the innermost field.
                T::decode(&value).map_err(|e| if e.0.is_empty() { DecodeError(name) } else { e })
            })
            .transpose()
    }

    /// The field's value unless absent or `null`; not generic, so that each type's reader
    /// stays small.
    fn get(&self, name: &str) -> Option<JsValue> {
        // `Reflect::get` throws only for proxies and getters, which parsed JSON has not.
        let value = Reflect::get(self.0, &JsValue::from_str(name)).unwrap_or(JsValue::NULL);
        (!value.is_undefined() && !value.is_null()).then_some(value)
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
        impl $crate::json::Decode for $t {
            fn decode(
                value: &::wasm_bindgen::JsValue,
            ) -> Result<Self, $crate::json::DecodeError> {
                let fields = $crate::json::Fields::of(value)?;
                Ok(Self { $($field: fields.$how($crate::json::objects!(@name $field $($wire)?))?),* })
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

/// A request body, as a JS object for `JSON.stringify`. `None` fields are left out, which
/// the server reads as `None` (`#[serde(default)]`).
pub trait Encode {
    fn encode(&self) -> Object;
}

/// Builds an object field by field.
struct Writer(Object);

impl Writer {
    fn new() -> Self {
        Self(Object::new())
    }

    fn set(self, name: &str, value: impl Into<JsValue>) -> Self {
        // Setting a plain object's own data property cannot throw.
        let _ = Reflect::set(&self.0, &JsValue::from_str(name), &value.into());
        self
    }

    fn set_some(self, name: &str, value: Option<impl Into<JsValue>>) -> Self {
        match value {
            Some(value) => self.set(name, value),
            None => self,
        }
    }
}

impl Encode for exchange::Request {
    fn encode(&self) -> Object {
        Writer::new().set("household_id", &self.household_id).0
    }
}

impl Encode for NewVehicle {
    fn encode(&self) -> Object {
        Writer::new()
            .set("name", &self.name)
            .set("make", &self.make)
            .set("model", &self.model)
            .set_some("year", self.year)
            .set("fuel_unit", self.fuel_unit.as_str())
            .0
    }
}

impl Encode for VehiclePatch {
    fn encode(&self) -> Object {
        Writer::new()
            .set_some("name", self.name.as_deref())
            .set_some("make", self.make.as_deref())
            .set_some("model", self.model.as_deref())
            .set_some("year", self.year)
            .set_some("fuel_unit", self.fuel_unit.map(FuelUnit::as_str))
            .0
    }
}

impl Encode for NewFuelLog {
    fn encode(&self) -> Object {
        Writer::new()
            .set("filled_at", self.filled_at.to_string())
            .set("odometer_km", self.odometer_km)
            .set("volume", self.volume)
            .set("cost", self.cost)
            .set("note", &self.note)
            .0
    }
}
