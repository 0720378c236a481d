//! People: the profile the identity provider's `/userinfo` gives (`GET /api/me`), and a
//! person's own data (`GET /api/me/export`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Role;
use crate::households::Membership;
use crate::invitations::JoinRequestStatus;

/// The longest display name kept, in characters (the schema's `profiles_name_length`).
pub const NAME_MAX_CHARS: usize = 200;
/// The longest e-mail address kept, in characters (`profiles_email_length`).
pub const EMAIL_MAX_CHARS: usize = 320;

/// A person as their co-members see them. `name` and `email` are absent until the
/// identity provider has named the person (or when it does not, for want of the `profile`
/// or `email` scope).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct Profile {
    pub sub: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

impl Profile {
    /// What `/userinfo` said, as kept: trimmed, without control characters, cut to the
    /// limits above; empty is absent.
    pub fn kept(sub: String, name: Option<&str>, email: Option<&str>) -> Self {
        fn keep(value: Option<&str>, max: usize) -> Option<String> {
            let value: String = value?
                .chars()
                .filter(|c| !c.is_control())
                .collect::<String>()
                .trim()
                .chars()
                .take(max)
                .collect();
            let value = value.trim_end().to_owned();
            (!value.is_empty()).then_some(value)
        }
        Self {
            sub,
            name: keep(name, NAME_MAX_CHARS),
            email: keep(email, EMAIL_MAX_CHARS),
        }
    }
}

/// The answer of `GET /api/me`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct Me {
    pub profile: Profile,
    pub households: Vec<Membership>,
}

/// One of the person's own join requests, in any household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct OwnJoinRequest {
    pub household_id: Uuid,
    pub role: Role,
    pub status: JoinRequestStatus,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The answer of `GET /api/me/export`: everything the service holds of the person that is
/// theirs rather than a household's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyExport {
    pub profile: Profile,
    pub households: Vec<Membership>,
    pub join_requests: Vec<OwnJoinRequest>,
}

/// A household that keeps `DELETE /api/me` from going ahead: the person is its last owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct SoleOwnership {
    pub household_id: Uuid,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_profiles_are_trimmed_cleaned_and_cut() {
        let long = "é".repeat(NAME_MAX_CHARS + 5);
        let p = Profile::kept("s".into(), Some(&long), Some("  a\u{7}@b.example \n"));
        assert_eq!(
            p.name.as_deref().map(|n| n.chars().count()),
            Some(NAME_MAX_CHARS)
        );
        assert_eq!(p.email.as_deref(), Some("a@b.example"));
        let blank = Profile::kept("s".into(), Some(" \t "), None);
        assert_eq!((blank.name, blank.email), (None, None));
    }
}
