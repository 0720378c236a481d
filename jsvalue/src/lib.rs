//! JSON in and out of Rust types, with the browser doing the text: answers are parsed by
//! `Response.json()` and read by [`Decode`]; requests are built by [`Encode`] as JS objects
//! and written by `JSON.stringify`.
//!
//! Why not serde in the browser: `serde-wasm-bindgen`, serde's derived visitors and the
//! float formatting that serde's error messages pull in came to about a seventh of the
//! micro-frontend's gzipped bundle (measured: see docs/benchmarks.md, the budgets). The wire types
//! keep serde for the server; `#[derive(Decode, Encode)]` reads the same `#[serde(...)]`
//! attributes (with serde's own parser), so each wire name and default is written once.
//!
//! The readers follow serde's conventions for these types: a missing or `null` `Option`
//! field is `None`, `#[serde(default)]` fields take their default, unknown fields are
//! ignored, and anything else of the wrong type is an error naming the innermost field.
//! The writers leave out `None` fields (which the server reads as `None`, its request types
//! being `#[serde(default)]` there) and honour `skip_serializing_if`.

pub mod dates;

use chrono::{DateTime, NaiveDate, Utc};
use js_sys::{Array, Object, Reflect};
use uuid::Uuid;
use wasm_bindgen::JsValue;

pub use jsvalue_derive::{Decode, Encode};

/// A value that is not what its route promises: the field that was wrong (empty for the
/// value as a whole).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unexpected value at `{0}`")]
pub struct DecodeError(pub &'static str);

/// A type read from a parsed JSON value.
pub trait Decode: Sized {
    fn decode(value: &JsValue) -> Result<Self, DecodeError>;

    /// The value of an absent or `null` field, if the type has one: `None` for an
    /// `Option`, else the field is required.
    fn absent() -> Option<Self> {
        None
    }
}

/// The fields of a JSON object, as the derived readers take them.
#[doc(hidden)]
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

    /// The field's value, or `None` when it is absent or `null`.
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

    /// A field without a serde default: required unless its type has an absent value.
    pub fn required<T: Decode>(&self, name: &'static str) -> Result<T, DecodeError> {
        self.optional(name)?
            .or_else(T::absent)
            .ok_or(DecodeError(name))
    }

    /// A field with a serde default (`#[serde(default)]` or `default = "path"`).
    pub fn or_else<T: Decode>(
        &self,
        name: &'static str,
        default: impl FnOnce() -> T,
    ) -> Result<T, DecodeError> {
        Ok(self.optional(name)?.unwrap_or_else(default))
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        if value.is_undefined() || value.is_null() {
            Ok(None)
        } else {
            T::decode(value).map(Some)
        }
    }

    fn absent() -> Option<Self> {
        Some(None)
    }
}

impl Decode for String {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        value.as_string().ok_or(DecodeError(""))
    }
}

impl Decode for bool {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        value.as_bool().ok_or(DecodeError(""))
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

        impl Encode for $t {
            fn encode(&self) -> JsValue {
                // A number, as serde_json writes it (`JsValue::from(u64)` would be a BigInt,
                // which `JSON.stringify` refuses).
                JsValue::from_f64(*self as f64)
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

/// A string read with `parse`; for the derived readers of unit enums too.
#[doc(hidden)]
pub fn text<T>(value: &JsValue, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, DecodeError> {
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
        text(value, dates::parse_date)
    }
}

impl Decode for DateTime<Utc> {
    fn decode(value: &JsValue) -> Result<Self, DecodeError> {
        text(value, dates::parse_timestamp)
    }
}

/// A request body or one of its values, as a JS value for `JSON.stringify`.
pub trait Encode {
    fn encode(&self) -> JsValue;
}

/// Sets one field of a derived writer's object; `undefined` (a `None`) is left out.
#[doc(hidden)]
pub fn set(object: &Object, name: &str, value: JsValue) {
    if !value.is_undefined() {
        // Setting a plain object's own data property cannot throw.
        let _ = Reflect::set(object, &JsValue::from_str(name), &value);
    }
}

/// For the derived code, which names these through `jsvalue` so that a crate deriving
/// needs no other dependency.
#[doc(hidden)]
pub use {js_sys::Object as JsObject, wasm_bindgen};

impl<T: Encode> Encode for Option<T> {
    fn encode(&self) -> JsValue {
        self.as_ref().map_or(JsValue::UNDEFINED, T::encode)
    }
}

impl Encode for String {
    fn encode(&self) -> JsValue {
        JsValue::from_str(self)
    }
}

impl Encode for bool {
    fn encode(&self) -> JsValue {
        JsValue::from_bool(*self)
    }
}

impl Encode for f64 {
    fn encode(&self) -> JsValue {
        JsValue::from_f64(*self)
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self) -> JsValue {
        self.iter().map(T::encode).collect::<Array>().into()
    }
}

impl Encode for Uuid {
    fn encode(&self) -> JsValue {
        JsValue::from_str(&self.to_string())
    }
}

impl Encode for NaiveDate {
    fn encode(&self) -> JsValue {
        // `YYYY-MM-DD`, as chrono's `Serialize` writes it.
        JsValue::from_str(&self.to_string())
    }
}
