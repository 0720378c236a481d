//! `GET /api/households/{household_id}/export` and `…/export.csv?table=`: owners take the
//! household's data away, as one JSON document or one table for a spreadsheet.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::problem::FieldError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::extract::AppQuery;
use super::params::HouseholdPath;
use super::problems::{DataErrors, Invalid};
use crate::auth::context::HouseholdAccess;
use crate::db::export::{self, CSV_TABLES};
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(document))
        .routes(routes!(csv))
}

/// An export's place: the person's budget for rare, heavy requests (the one creating a
/// household spends, `RATE_LIMIT_EXCHANGE_PER_USER`), then one of the replica's export
/// slots ([`crate::fair_share::EXPORTS_AT_ONCE`]), held until the answer is built.
async fn export_slot(
    state: &AppState,
    access: &HouseholdAccess,
) -> Result<tokio::sync::OwnedSemaphorePermit> {
    state
        .limits
        .exchange_user
        .check(&(access.claims.sub.clone(), Uuid::nil()))
        .await?;
    state.shares.export()
}

/// An attachment named for the household and what it holds.
pub(super) fn attachment(content_type: &'static str, filename: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// Everything the household holds, as one JSON document: `household`, `members`,
/// `vehicles`, `fuel_logs`, `audit_events` (owners).
#[utoipa::path(get, path = "/api/households/{household_id}/export", tag = "households",
    params(HouseholdPath), security(("internal_token" = [])),
    responses((status = 200, description = "The document, as an attachment",
        content_type = "application/json", body = serde_json::Value), DataErrors))]
pub(super) async fn document(
    State(state): State<AppState>,
    access: HouseholdAccess,
) -> Result<Response> {
    let _slot = export_slot(&state, &access).await?;
    let read = access.read_as_owner();
    let household = read.household_id();
    let document = export::document(&read).await?;
    Ok(attachment(
        "application/json",
        format!("household-{household}.json"),
        document.into_bytes(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct CsvParams {
    /// `fuel_logs`, `vehicles` or `audit_events`
    table: String,
}

/// One table of the household as CSV with a header line, for spreadsheets (owners).
///
/// 422 naming `table` for another table.
#[utoipa::path(get, path = "/api/households/{household_id}/export.csv", tag = "households",
    params(HouseholdPath, CsvParams), security(("internal_token" = [])),
    responses((status = 200, description = "The table, as an attachment",
        content_type = "text/csv", body = String), Invalid, DataErrors))]
pub(super) async fn csv(
    State(state): State<AppState>,
    access: HouseholdAccess,
    AppQuery(params): AppQuery<CsvParams>,
) -> Result<Response> {
    let Some((table, select)) = CSV_TABLES.iter().find(|(t, _)| *t == params.table) else {
        let tables: Vec<&str> = CSV_TABLES.iter().map(|(t, _)| *t).collect();
        return Err(AppError::Validation(vec![FieldError::new(
            "table",
            format!("one of {}", tables.join(", ")),
        )]));
    };
    let _slot = export_slot(&state, &access).await?;
    let mut scope = access.begin().await?;
    scope.require_owner()?;
    let household = scope.tx.household_id();
    let body = export::csv(&mut scope.tx, select).await?;
    scope.tx.commit().await?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        format!("household-{household}-{table}.csv"),
        body,
    ))
}
