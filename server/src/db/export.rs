//! Everything a household holds, for its owners to take away (`GET …/export`, `…/export.csv`).
//!
//! The document is built by PostgreSQL in one statement under the household's row-level
//! security and sent once whole: the quotas bound it (`HOUSEHOLD_MAX_FUEL_LOGS`, the audit
//! record's retention), and a slow download then holds no database connection. Rows are
//! exported as the tables hold them, less `household_id` (the document's own) and the
//! audit events' position in the sequence all households share (it would count the
//! others' activity).

use std::sync::LazyLock;

use futures::TryStreamExt;
use sqlx::FromRow;

use super::read::{HouseholdRead, in_household};
use super::tenant::HouseholdTx;
use crate::error::AppError;

const DOCUMENT: &str = "\
SELECT json_build_object(
    'household', (SELECT to_jsonb(h) FROM households h WHERE h.id = app.current_household_id()),
    'members', coalesce((SELECT json_agg(to_jsonb(m) - 'household_id'
                                         || jsonb_build_object('name', p.name, 'email', p.email)
                                         ORDER BY m.user_sub)
                         FROM household_members m
                         LEFT JOIN profiles p ON p.user_sub = m.user_sub), '[]'),
    'vehicles', coalesce((SELECT json_agg(to_jsonb(v) - 'household_id' ORDER BY v.name, v.id)
                          FROM vehicles v), '[]'),
    'fuel_logs', coalesce((SELECT json_agg(to_jsonb(f) - 'household_id'
                                           ORDER BY f.vehicle_id, f.filled_at, f.odometer_km, f.id)
                           FROM fuel_logs f), '[]'),
    'audit_events', coalesce((SELECT json_agg(to_jsonb(e) - 'household_id' - 'id' ORDER BY e.id)
                              FROM audit_events e), '[]'))::text AS document";

#[derive(FromRow)]
struct Document {
    document: String,
}

/// The JSON document: `household`, `members`, `vehicles`, `fuel_logs`, `audit_events`.
pub async fn document(read: &HouseholdRead) -> Result<String, AppError> {
    static QUERY: LazyLock<String> = LazyLock::new(|| in_household(DOCUMENT));
    let doc: Option<Document> = read.fetch(&QUERY, |q| q).await?.first()?;
    Ok(doc.map(|d| d.document).unwrap_or_default())
}

/// The tables `export.csv?table=` takes, each with the statement whose rows it writes.
pub const CSV_TABLES: [(&str, &str); 3] = [
    (
        "fuel_logs",
        "SELECT f.id, f.vehicle_id, v.name AS vehicle, f.filled_at, f.odometer_km, f.volume, \
         f.cost, f.note, f.created_at FROM fuel_logs f \
         JOIN vehicles v ON v.household_id = f.household_id AND v.id = f.vehicle_id \
         ORDER BY v.name, f.filled_at, f.odometer_km, f.id",
    ),
    (
        "vehicles",
        "SELECT id, name, make, model, year, fuel_unit, created_at FROM vehicles ORDER BY name, id",
    ),
    (
        "audit_events",
        "SELECT event_id, at, actor, action, target, request_id FROM audit_events ORDER BY id",
    ),
];

/// `select` (one of [`CSV_TABLES`]) as CSV with a header line, in the household's
/// transaction, through `COPY … TO STDOUT`.
pub async fn csv(tx: &mut HouseholdTx, select: &str) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    let mut rows = tx
        .conn()
        .copy_out_raw(&format!(
            "COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER)"
        ))
        .await?;
    while let Some(chunk) = rows.try_next().await? {
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
