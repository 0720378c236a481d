//! `GET /api/me/households` and the membership roles.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A member's role in a household. Viewers read; members and owners also write.
// Stored as the same text as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "lowercase"))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Member,
    Viewer,
}

impl Role {
    /// Whether this role may create, change or delete household data.
    pub fn can_write(self) -> bool {
        matches!(self, Role::Owner | Role::Member)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Role::Owner),
            "member" => Some(Role::Member),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

/// Whether a household may be used.
// Stored as the same text as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "lowercase"))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
#[serde(rename_all = "lowercase")]
pub enum HouseholdStatus {
    Active,
    Suspended,
}

impl HouseholdStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(HouseholdStatus::Active),
            "suspended" => Some(HouseholdStatus::Suspended),
            _ => None,
        }
    }
}

/// One of the caller's households.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct Membership {
    pub household_id: Uuid,
    pub name: String,
    pub role: Role,
    pub status: HouseholdStatus,
}

/// The answer of `GET /api/me/households`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct MyHouseholds {
    pub households: Vec<Membership>,
}
