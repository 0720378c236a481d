//! `/api/households/{household_id}/vehicles[/{vehicle_id}]`.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::audit::AuditAction;
use shared::page::Page;
use shared::vehicles::{NewVehicle, Vehicle, VehiclePatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::extract::{AppJson, AppPath, AppQuery};
use super::pagination::{PageParams, page};
use super::params::{HouseholdPath, VehiclePath};
use super::problems::{Conflict, DataErrors, Invalid, NotFound, TooLarge};
use crate::auth::context::HouseholdAccess;
use crate::db::{audit_events, quota, vehicles};
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(one, update, remove))
}

#[utoipa::path(
    get,
    path = "/api/households/{household_id}/vehicles",
    tag = "vehicles",
    params(HouseholdPath, PageParams),
    security(("internal_token" = [])),
    responses(
        (status = 200, body = Page<Vehicle>),
        DataErrors,
    ),
)]
async fn list(
    access: HouseholdAccess,
    AppQuery(params): AppQuery<PageParams>,
) -> Result<Json<Page<Vehicle>>> {
    let limit = params.limit()?;
    let after = params.cursor(Some)?;
    let rows = vehicles::list(&access.read(), after.as_deref(), limit + 1).await?;
    Ok(Json(page(rows, limit, |v| v.name.clone())))
}

/// Adds a vehicle to the household.
///
/// 409 when the name is taken in this household or its vehicle quota is reached.
#[utoipa::path(
    post,
    path = "/api/households/{household_id}/vehicles",
    tag = "vehicles",
    params(HouseholdPath),
    request_body = NewVehicle,
    security(("internal_token" = [])),
    responses(
        (status = 201, body = Vehicle),
        Conflict,
        TooLarge,
        Invalid,
        DataErrors,
    ),
)]
async fn create(
    State(state): State<AppState>,
    access: HouseholdAccess,
    AppJson(new): AppJson<NewVehicle>,
) -> Result<Response> {
    AppError::unless_valid(new.validate())?;
    let mut scope = access.begin().await?;
    scope.require_writer()?;
    let max = state.config.runtime.quotas.max_vehicles;
    let household = scope.tx.household_id();
    quota::reserve(scope.tx.conn(), household, quota::Rows::Vehicles, max).await?;
    let vehicle = vehicles::create(&mut scope.tx, &new).await?;
    let target = vehicle.id.to_string();
    audit_events::record(scope.tx.conn(), AuditAction::VehicleCreated, &target).await?;
    scope.tx.commit().await?;
    let location = shared::paths::vehicle(vehicle.household_id, vehicle.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(vehicle),
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/api/households/{household_id}/vehicles/{vehicle_id}",
    tag = "vehicles",
    params(VehiclePath),
    security(("internal_token" = [])),
    responses(
        (status = 200, body = Vehicle),
        NotFound,
        DataErrors,
    ),
)]
async fn one(
    access: HouseholdAccess,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<Json<Vehicle>> {
    vehicles::get(&access.read(), id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

/// Changes the fields a patch names, leaving the others as they are.
///
/// 409 when the new name is taken in this household.
#[utoipa::path(
    patch,
    path = "/api/households/{household_id}/vehicles/{vehicle_id}",
    tag = "vehicles",
    params(VehiclePath),
    request_body = VehiclePatch,
    security(("internal_token" = [])),
    responses(
        (status = 200, body = Vehicle),
        NotFound,
        Conflict,
        Invalid,
        DataErrors,
    ),
)]
async fn update(
    access: HouseholdAccess,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
    AppJson(patch): AppJson<VehiclePatch>,
) -> Result<Json<Vehicle>> {
    AppError::unless_valid(patch.validate())?;
    let mut scope = access.begin().await?;
    scope.require_writer()?;
    let vehicle = vehicles::update(&mut scope.tx, id, &patch)
        .await?
        .ok_or(AppError::NotFound)?;
    let target = id.to_string();
    audit_events::record(scope.tx.conn(), AuditAction::VehicleUpdated, &target).await?;
    scope.tx.commit().await?;
    Ok(Json(vehicle))
}

#[utoipa::path(
    delete,
    path = "/api/households/{household_id}/vehicles/{vehicle_id}",
    tag = "vehicles",
    params(VehiclePath),
    security(("internal_token" = [])),
    responses(
        (status = 204, description = "Deleted, with its fuel logs"),
        NotFound,
        DataErrors,
    ),
)]
async fn remove(
    access: HouseholdAccess,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<StatusCode> {
    let mut scope = access.begin().await?;
    scope.require_writer()?;
    if !vehicles::delete(&mut scope.tx, id).await? {
        return Err(AppError::NotFound);
    }
    let target = id.to_string();
    audit_events::record(scope.tx.conn(), AuditAction::VehicleDeleted, &target).await?;
    scope.tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
