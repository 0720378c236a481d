//! `GET /api/me/households`, `POST /api/households`, `…/members`, and the membership roles.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::FieldError;

/// A member's role in a household. Viewers read; members and owners also write.
// Stored as the same text as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "lowercase"))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode, jsvalue::Encode))]
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

    /// Owner above member above viewer: nobody grants a role above their own.
    pub fn rank(self) -> u8 {
        match self {
            Role::Owner => 2,
            Role::Member => 1,
            Role::Viewer => 0,
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

/// `POST /api/households`: the caller becomes the new household's owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Encode))]
#[serde(deny_unknown_fields)]
pub struct NewHousehold {
    pub name: String,
}

/// The answer of `GET /api/households/{household_id}` and of `PATCH` (whose body is a
/// [`NewHousehold`]: the new name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct HouseholdName {
    pub id: Uuid,
    pub name: String,
}

/// The body of `DELETE /api/households/{household_id}`: the household's name, typed again,
/// so that no click alone deletes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Encode))]
#[serde(deny_unknown_fields)]
pub struct DeleteHousehold {
    /// The household's current name
    pub confirm: String,
}

impl DeleteHousehold {
    /// The error when `confirm` is not the household's name.
    pub fn mismatch() -> FieldError {
        FieldError::new("confirm", "type the household's name to delete it")
    }

    /// The field errors of this request, before the database: a control character is in
    /// no name (a NUL would not even reach the comparison).
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        crate::text::check_controls("confirm", &self.confirm, false, &mut errors);
        errors
    }
}

/// The answer of `POST /api/households`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct CreatedHousehold {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

/// One member of a household (`GET …/members`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct Member {
    pub sub: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// From the identity provider (`/userinfo`); absent until it has named the person.
    pub name: Option<String>,
    pub email: Option<String>,
}

/// The answer of `GET …/members`: owners first, then by subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct Members {
    pub members: Vec<Member>,
}

/// `PATCH …/members/{sub}`. The role is text so that an unknown one gets a field error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Encode))]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// `owner`, `member` or `viewer`
    pub role: String,
}

pub const NAME_MAX: usize = 200;

/// `name` is blank once trimmed.
pub fn name_required() -> FieldError {
    FieldError::new("name", "is required")
}

/// `name` is longer than [`NAME_MAX`] once trimmed.
pub fn name_too_long() -> FieldError {
    FieldError::new("name", format!("must be at most {NAME_MAX} characters"))
}

/// A role that is none of owner, member, viewer.
pub fn role_invalid() -> FieldError {
    FieldError::new("role", "must be owner, member or viewer")
}

/// The role of a request body, or its field error.
pub fn parse_role(role: &str) -> Result<Role, FieldError> {
    Role::parse(role).ok_or_else(role_invalid)
}

impl NewHousehold {
    /// The field errors of this request; empty when it may be sent. Both sides run it.
    pub fn validate(&self) -> Vec<FieldError> {
        let len = self.name.trim().chars().count();
        let mut errors = if len == 0 {
            vec![name_required()]
        } else if len > NAME_MAX {
            vec![name_too_long()]
        } else {
            Vec::new()
        };
        crate::text::check_controls("name", self.name.trim(), false, &mut errors);
        errors
    }
}

impl RoleChange {
    pub fn validate(&self) -> Vec<FieldError> {
        parse_role(&self.role).err().into_iter().collect()
    }
}
