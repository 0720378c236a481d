//! `POST …/invitations`, `POST /api/invitations/redeem` and `…/join-requests`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::households::{Role, parse_role};
use crate::problem::FieldError;

/// `POST /api/households/{household_id}/invitations`. The role is text so that an unknown
/// one gets a field error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Encode))]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    /// The role the invited person gets once approved: `owner`, `member` or `viewer`
    pub role: String,
}

impl NewInvitation {
    pub fn validate(&self) -> Vec<FieldError> {
        parse_role(&self.role).err().into_iter().collect()
    }
}

/// A fresh invitation. `code` is shown this once: the server keeps only its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct Invitation {
    pub code: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

/// An open invitation (not used, revoked or expired), as `GET …/invitations` lists it:
/// never its code, which the server does not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct OpenInvitation {
    /// What `DELETE …/invitations/{invitation_id}` names to revoke it
    pub id: Uuid,
    /// The role the invited person gets once approved
    pub role: Role,
    /// The subject of the owner who made it
    pub created_by: String,
    pub expires_at: DateTime<Utc>,
}

/// The answer of `GET …/invitations`, the soonest to expire first. The quota
/// (`HOUSEHOLD_MAX_OPEN_INVITATIONS`) bounds it, so it has no pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct OpenInvitations {
    pub invitations: Vec<OpenInvitation>,
}

/// Where a join request stands.
// Stored as the same text as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "lowercase"))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
#[serde(rename_all = "lowercase")]
pub enum JoinRequestStatus {
    Pending,
    Approved,
    Denied,
}

/// An owner's answer to a join request: the last segment of its route, and the status it
/// leaves the request in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Deny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Deny => "deny",
        }
    }

    pub fn status(self) -> JoinRequestStatus {
        match self {
            Decision::Approve => JoinRequestStatus::Approved,
            Decision::Deny => JoinRequestStatus::Denied,
        }
    }
}

/// The body of `POST /api/invitations/redeem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Encode))]
#[serde(deny_unknown_fields)]
pub struct RedeemInvitation {
    /// The code an owner shared.
    pub code: String,
}

/// The answer of `POST /api/invitations/redeem`: a request awaiting an owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct Redemption {
    pub household_id: Uuid,
    pub status: JoinRequestStatus,
}

/// A pending request (`GET …/join-requests`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct JoinRequest {
    pub requester_sub: String,
    /// The role approval grants: the invitation's
    pub role: Role,
    pub status: JoinRequestStatus,
    pub requested_at: DateTime<Utc>,
    /// The requester as the identity provider names them, for the owners deciding.
    pub name: Option<String>,
    pub email: Option<String>,
}

/// The answer of `GET …/join-requests`, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct JoinRequests {
    pub requests: Vec<JoinRequest>,
}
