//! `/api/households/{household_id}/vehicles/{vehicle_id}/fuel-logs`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use shared::audit::AuditAction;
use shared::fuel_logs::{FuelLog, NewFuelLog};
use shared::page::Page;
use shared::problem::FieldError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::extract::{AppJson, AppPath, AppQuery};
use super::pagination::{PageParams, page};
use super::params::VehiclePath;
use super::problems::{Conflict, DataErrors, Invalid, NotFound};
use crate::auth::context::HouseholdAccess;
use crate::db::{audit_events, fuel_logs, quota, vehicles};
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create))
}

fn parse_cursor(text: &str) -> Option<fuel_logs::Cursor> {
    let (date, odometer) = text.split_once('|')?;
    Some((
        date.parse::<NaiveDate>().ok()?,
        odometer.parse::<f64>().ok().filter(|o| o.is_finite())?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/households/{household_id}/vehicles/{vehicle_id}/fuel-logs",
    tag = "fuel logs",
    params(VehiclePath, PageParams),
    security(("internal_token" = [])),
    responses(
        (status = 200, description = "Newest first", body = Page<FuelLog>),
        NotFound,
        DataErrors,
    ),
)]
async fn list(
    access: HouseholdAccess,
    AppPath((_, vehicle_id)): AppPath<(Uuid, Uuid)>,
    AppQuery(params): AppQuery<PageParams>,
) -> Result<Json<Page<FuelLog>>> {
    let limit = params.limit()?;
    let before = params.cursor(|text| parse_cursor(&text))?;
    // Another household's vehicle is as absent as a missing one: 404, not an empty list.
    let rows = fuel_logs::list(&access.read(), vehicle_id, before, limit + 1)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(page(rows, limit, |l| {
        format!("{}|{}", l.filled_at, l.odometer_km)
    })))
}

/// Adds a fuel log to one of the household's vehicles.
///
/// 409 once the household holds its quota of fuel logs; 422 for invalid fields or an
/// odometer reading out of order with the vehicle's other logs.
#[utoipa::path(
    post,
    path = "/api/households/{household_id}/vehicles/{vehicle_id}/fuel-logs",
    tag = "fuel logs",
    params(VehiclePath),
    request_body = NewFuelLog,
    security(("internal_token" = [])),
    responses(
        (status = 201, body = FuelLog),
        NotFound,
        Conflict,
        Invalid,
        DataErrors,
    ),
)]
async fn create(
    State(state): State<AppState>,
    access: HouseholdAccess,
    AppPath((_, vehicle_id)): AppPath<(Uuid, Uuid)>,
    AppJson(new): AppJson<NewFuelLog>,
) -> Result<Response> {
    let errors = new.validate(Utc::now().date_naive());
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut scope = access.begin().await?;
    scope.require_writer()?;
    let max = state.config.runtime.quotas.max_fuel_logs;
    let household = scope.tx.household_id();
    quota::reserve(scope.tx.conn(), household, quota::Rows::FuelLogs, max).await?;
    // The row lock serialises inserts for this vehicle, so the order check below holds.
    vehicles::lock(&mut scope.tx, vehicle_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (before, after) = fuel_logs::neighbours(&mut scope.tx, vehicle_id, new.filled_at).await?;
    if before.is_some_and(|b| new.odometer_km <= b) || after.is_some_and(|a| new.odometer_km >= a) {
        return Err(AppError::Validation(vec![FieldError::new(
            "odometer_km",
            "must increase with the date: it is not above the reading before this date, or not below the one after",
        )]));
    }
    let log = fuel_logs::create(&mut scope.tx, vehicle_id, &new).await?;
    let target = log.id.to_string();
    audit_events::record(scope.tx.conn(), AuditAction::FuelLogCreated, &target).await?;
    scope.tx.commit().await?;
    Ok((StatusCode::CREATED, Json(log)).into_response())
}
