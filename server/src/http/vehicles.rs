//! `/api/households/{household_id}/vehicles[/{vehicle_id}]`.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Deserialize;
use shared::audit::AuditAction;
use shared::page::{DEFAULT_LIMIT, MAX_LIMIT, Page};
use shared::problem::Problem;
use shared::vehicles::{NewVehicle, Vehicle, VehiclePatch};
use uuid::Uuid;

use super::extract::{AppJson, AppPath, AppQuery};
use super::openapi::{DataErrors, HouseholdPath, VehiclePath};
use crate::auth::context::HouseholdAccess;
use crate::db::{audit_events, quota, vehicles};
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/households/{household_id}/vehicles",
            get(list).post(create),
        )
        .route(
            "/api/households/{household_id}/vehicles/{vehicle_id}",
            get(one).patch(update).delete(remove),
        )
}

/// `?limit=&cursor=` of every list route.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<u32> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(AppError::BadRequest(format!(
                "limit must be from 1 to {MAX_LIMIT}"
            ))),
        }
    }

    /// The cursor's text, which each list encodes in its own way.
    pub fn cursor_text(&self) -> Result<Option<String>> {
        self.cursor
            .as_deref()
            .map(|c| {
                B64.decode(c)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| {
                        AppError::BadRequest("cursor is not one this server issued".into())
                    })
            })
            .transpose()
    }
}

pub fn encode_cursor(text: &str) -> String {
    B64.encode(text)
}

#[utoipa::path(
    get,
    path = "/api/households/{household_id}/vehicles",
    tag = "vehicles",
    params(
        HouseholdPath,
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
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
    let after = params.cursor_text()?;
    // One extra row tells whether there is a next page.
    let mut items = vehicles::list(&access.read(), after.as_deref(), limit + 1).await?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|v| encode_cursor(&v.name))
    } else {
        None
    };
    Ok(Json(Page { items, next_cursor }))
}

#[utoipa::path(
    post,
    path = "/api/households/{household_id}/vehicles",
    tag = "vehicles",
    params(HouseholdPath),
    request_body = NewVehicle,
    security(("internal_token" = [])),
    responses(
        (status = 201, body = Vehicle),
        (status = 409, description = "Name taken in this household, or its vehicle quota reached", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        DataErrors,
    ),
)]
async fn create(
    State(state): State<AppState>,
    access: HouseholdAccess,
    AppJson(new): AppJson<NewVehicle>,
) -> Result<Response> {
    let errors = new.validate();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut scope = access.begin().await?;
    scope.require_writer()?;
    let max = state.config.runtime.quotas.max_vehicles;
    quota::reserve(&mut scope.tx, quota::Rows::Vehicles, max).await?;
    let vehicle = vehicles::create(&mut scope.tx, &new).await?;
    let target = vehicle.id.to_string();
    audit_events::record(scope.tx.conn(), AuditAction::VehicleCreated, &target).await?;
    scope.tx.commit().await?;
    let location = format!(
        "/api/households/{}/vehicles/{}",
        vehicle.household_id, vehicle.id
    );
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
        (status = 404, description = "No such vehicle in this household", body = Problem, content_type = "application/problem+json"),
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

#[utoipa::path(
    patch,
    path = "/api/households/{household_id}/vehicles/{vehicle_id}",
    tag = "vehicles",
    params(VehiclePath),
    request_body = VehiclePatch,
    security(("internal_token" = [])),
    responses(
        (status = 200, body = Vehicle),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        DataErrors,
    ),
)]
async fn update(
    access: HouseholdAccess,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
    AppJson(patch): AppJson<VehiclePatch>,
) -> Result<Json<Vehicle>> {
    let errors = patch.validate();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
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
        (status = 404, body = Problem, content_type = "application/problem+json"),
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
