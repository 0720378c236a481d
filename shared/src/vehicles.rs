//! `/api/households/{household_id}/vehicles`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::FieldError;
use crate::text;

/// The unit a vehicle's fuel volumes are recorded in.
// Stored as the same text as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode, jsvalue::Encode))]
#[serde(rename_all = "snake_case")]
pub enum FuelUnit {
    Litres,
    UsGallons,
}

impl FuelUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            FuelUnit::Litres => "litres",
            FuelUnit::UsGallons => "us_gallons",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "litres" => Some(FuelUnit::Litres),
            "us_gallons" => Some(FuelUnit::UsGallons),
            _ => None,
        }
    }

    /// Litres in one of this unit.
    pub fn litres(self) -> f64 {
        match self {
            FuelUnit::Litres => 1.0,
            FuelUnit::UsGallons => 3.785_411_784,
        }
    }
}

// Also a row of `vehicles`: the table's columns are exactly these fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct Vehicle {
    pub id: Uuid,
    pub household_id: Uuid,
    pub name: String,
    pub make: String,
    pub model: String,
    pub year: Option<i32>,
    pub fuel_unit: FuelUnit,
    pub created_at: DateTime<Utc>,
}

/// `POST …/vehicles`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Encode))]
#[serde(deny_unknown_fields)]
pub struct NewVehicle {
    pub name: String,
    #[serde(default)]
    pub make: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub year: Option<i32>,
    #[serde(default = "default_unit")]
    pub fuel_unit: FuelUnit,
}

fn default_unit() -> FuelUnit {
    FuelUnit::Litres
}

/// `PATCH …/vehicles/{id}`: absent fields stay as they are.
// Each field is skipped when `None`: the server's UPDATE keeps the stored value of every
// field its JSON leaves out, so a field without the skip would be written as null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Encode))]
#[serde(deny_unknown_fields)]
pub struct VehiclePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub make: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel_unit: Option<FuelUnit>,
}

pub const NAME_MAX: usize = 100;
pub const TEXT_MAX: usize = 100;
pub const YEAR_MIN: i32 = 1886;
pub const YEAR_MAX: i32 = 2100;

// The error of each rule, written once: `validate` reports them, and the server answers
// the database constraint that repeats the rule (see `migrations/`) with the same one.

/// `name` is blank once trimmed.
pub fn name_required() -> FieldError {
    FieldError::new("name", "is required")
}

/// `name` is longer than [`NAME_MAX`] once trimmed.
pub fn name_too_long() -> FieldError {
    FieldError::new("name", format!("must be at most {NAME_MAX} characters"))
}

/// `make` or `model` is longer than [`TEXT_MAX`].
pub fn text_too_long(field: &'static str) -> FieldError {
    FieldError::new(field, format!("must be at most {TEXT_MAX} characters"))
}

/// `year` is outside [`YEAR_MIN`]..=[`YEAR_MAX`].
pub fn year_out_of_range() -> FieldError {
    FieldError::new("year", format!("must be between {YEAR_MIN} and {YEAR_MAX}"))
}

fn check_name(name: &str, errors: &mut Vec<FieldError>) {
    let len = name.trim().chars().count();
    if len == 0 {
        errors.push(name_required());
    } else if len > NAME_MAX {
        errors.push(name_too_long());
    }
    // Checked as stored: trimmed (a tab or line break around it goes).
    text::check_controls("name", name.trim(), false, errors);
}

fn check_text(field: &'static str, value: &str, errors: &mut Vec<FieldError>) {
    if value.chars().count() > TEXT_MAX {
        errors.push(text_too_long(field));
    }
    text::check_controls(field, value.trim(), false, errors);
}

fn check_year(year: Option<i32>, errors: &mut Vec<FieldError>) {
    if let Some(y) = year
        && !(YEAR_MIN..=YEAR_MAX).contains(&y)
    {
        errors.push(year_out_of_range());
    }
}

impl NewVehicle {
    /// The field errors of this request; empty when it may be sent. Both sides run it.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_name(&self.name, &mut errors);
        check_text("make", &self.make, &mut errors);
        check_text("model", &self.model, &mut errors);
        check_year(self.year, &mut errors);
        errors
    }

    /// The request as it is stored: text fields trimmed. Destructured, so a new field
    /// fails to compile here until it is decided whether it is trimmed.
    pub fn normalized(&self) -> Self {
        let Self {
            name,
            make,
            model,
            year,
            fuel_unit,
        } = self;
        Self {
            name: name.trim().to_owned(),
            make: make.trim().to_owned(),
            model: model.trim().to_owned(),
            year: *year,
            fuel_unit: *fuel_unit,
        }
    }
}

impl VehiclePatch {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(name) = &self.name {
            check_name(name, &mut errors);
        }
        if let Some(make) = &self.make {
            check_text("make", make, &mut errors);
        }
        if let Some(model) = &self.model {
            check_text("model", model, &mut errors);
        }
        check_year(self.year, &mut errors);
        errors
    }

    /// The patch as it is stored: text fields trimmed. Destructured, as
    /// [`NewVehicle::normalized`].
    pub fn normalized(&self) -> Self {
        let Self {
            name,
            make,
            model,
            year,
            fuel_unit,
        } = self;
        let trimmed = |text: &Option<String>| text.as_deref().map(|t| t.trim().to_owned());
        Self {
            name: trimmed(name),
            make: trimmed(make),
            model: trimmed(model),
            year: *year,
            fuel_unit: *fuel_unit,
        }
    }
}
