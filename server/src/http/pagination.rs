//! Keyset pagination of every list route: `?limit=&cursor=` in, a [`Page`] out. A cursor is
//! the base64url of the last row's sort key, which each list writes and parses its own way.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Deserialize;
use shared::page::{DEFAULT_LIMIT, MAX_LIMIT, Page};
use utoipa::IntoParams;

use crate::error::{AppError, Result};

/// `?limit=&cursor=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// Page size, 1 to 200 (default 50)
    pub limit: Option<u32>,
    /// next_cursor of the previous page
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

    /// The cursor's sort key, read by `parse`; a 400 for one this server did not write.
    pub fn cursor<T>(&self, parse: impl FnOnce(String) -> Option<T>) -> Result<Option<T>> {
        let Some(cursor) = self.cursor.as_deref() else {
            return Ok(None);
        };
        B64.decode(cursor)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(parse)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest("cursor is not one this server issued".into()))
    }
}

/// The page of `rows`, read with one row more than `limit` to tell whether another page
/// follows; its cursor is `key` of the last row kept.
pub fn page<T>(mut rows: Vec<T>, limit: u32, key: impl FnOnce(&T) -> String) -> Page<T> {
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|row| B64.encode(key(row)))
    } else {
        None
    };
    Page {
        items: rows,
        next_cursor,
    }
}
