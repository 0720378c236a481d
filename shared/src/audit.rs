//! `GET /api/households/{household_id}/audit-events`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened. The schema's CHECK constraint lists the same words.
// Stored as the same text as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    HouseholdCreated,
    HouseholdRenamed,
    HouseholdSuspended,
    HouseholdReactivated,
    InvitationCreated,
    InvitationRevoked,
    JoinRequested,
    JoinRequestApproved,
    JoinRequestDenied,
    MemberRoleChanged,
    MemberRemoved,
    MemberLeft,
    VehicleCreated,
    VehicleUpdated,
    VehicleDeleted,
    FuelLogCreated,
}

/// One entry of a household's append-only record. `actor` is the subject who acted
/// (`operator` for the operator commands); `target` names what was acted on (a subject, a
/// vehicle or fuel-log id, an invitation id), never a token or an invitation code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The actor's name and e-mail while they share the household (absent for a former
    /// member, the operator, or a person not yet named).
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub action: AuditAction,
    pub target: String,
    pub request_id: Option<String>,
}
