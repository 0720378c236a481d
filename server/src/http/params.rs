//! Path parameters that several resources share, described once for the OpenAPI document
//! (`params(VehiclePath)`).

use utoipa::IntoParams;
use uuid::Uuid;

/// The path of every household data route.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct HouseholdPath {
    /// The household; must equal the token's household_id claim
    pub household_id: Uuid,
}

/// The path of the routes under one member or join request.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MemberPath {
    /// The household; must equal the token's household_id claim
    pub household_id: Uuid,
    /// The person's subject (URL-encoded: `auth0%7C…`)
    pub sub: String,
}

/// The path of the routes under one vehicle.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct VehiclePath {
    /// The household; must equal the token's household_id claim
    pub household_id: Uuid,
    /// A vehicle of that household
    pub vehicle_id: Uuid,
}

/// The path of the routes under one invitation.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct InvitationPath {
    /// The household; must equal the token's household_id claim
    pub household_id: Uuid,
    /// An open invitation of that household (its id, never its code)
    pub invitation_id: Uuid,
}
