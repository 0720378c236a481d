//! The household context of a data request: the extractor [`HouseholdAccess`] verifies the
//! internal token (cached) → matches the path's household to the token's → rate-limits the
//! `sub:household_id` → records it on the request's span, all without the database. The
//! handler reads and validates its body, and only then calls [`HouseholdAccess::begin`],
//! which opens the tenant transaction, in which the database admits the caller (or not)
//! with the role it holds now. So no pooled connection waits on a slow client: a client
//! trickling its body holds a task, never a connection. Handlers get the claims and the
//! scoped transaction, and no other database access.
//!
//! A token whose role no longer matches the database's is refused with 401
//! `invalid_token`: the grant it carries is stale, and the micro-frontend's token manager
//! answers a 401 by exchanging once more, which yields the current role.

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use shared::exchange::InternalClaims;
use uuid::Uuid;

use sqlx::PgPool;

use super::bearer;
use super::internal::CachedVerifier;
use crate::db::tenant::HouseholdTx;
use crate::error::{AppError, Result};
use crate::rate_limit::Limiter;
use crate::state::AppState;

/// A request whose token is good for the path's household, before any database work.
/// Take it before the body extractor and call [`begin`](Self::begin) after it.
pub struct HouseholdAccess {
    pub claims: Arc<InternalClaims>,
    db: PgPool,
}

impl HouseholdAccess {
    /// Opens the household's transaction: the database admits the caller with the role it
    /// holds now (403 otherwise), and a token carrying another role is stale (401).
    pub async fn begin(self) -> Result<HouseholdScope> {
        let tx = HouseholdTx::begin(&self.db, self.claims.household_id, &self.claims.sub).await?;
        if tx.role() != self.claims.role {
            return Err(AppError::Unauthorized(
                "the token's role is no longer current: exchange it again",
            ));
        }
        Ok(HouseholdScope {
            claims: self.claims,
            tx,
        })
    }
}

/// A request authorised for one household, with its transaction open.
pub struct HouseholdScope {
    pub claims: Arc<InternalClaims>,
    pub tx: HouseholdTx,
}

impl HouseholdScope {
    /// Viewers read only. The database enforces the same through its write policies.
    pub fn require_writer(&self) -> Result<()> {
        if self.tx.role().can_write() {
            Ok(())
        } else {
            Err(AppError::Forbidden("viewers cannot change household data"))
        }
    }

    /// Only owners manage members, invitations and join requests, and read the audit
    /// record. The database's policies enforce the same.
    pub fn require_owner(&self) -> Result<()> {
        if self.tx.role() == shared::Role::Owner {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "only an owner of this household may do that",
            ))
        }
    }
}

/// The checks before the database, on their own so they can be benchmarked. The token
/// is checked before the path, so an anonymous caller learns nothing from path errors.
pub async fn authorize(
    verifier: &CachedVerifier,
    limiter: &Limiter<(String, Uuid)>,
    headers: &HeaderMap,
    path_household: Result<Uuid>,
) -> Result<Arc<InternalClaims>> {
    let claims = verifier.verify(bearer(headers)?)?;
    if claims.household_id != path_household? {
        return Err(AppError::Forbidden("the token is for another household"));
    }
    limiter
        .check(&(claims.sub.clone(), claims.household_id))
        .await?;
    Ok(claims)
}

/// The `{household_id}` of the matched route.
pub fn path_household(params: &RawPathParams) -> Result<Uuid> {
    params
        .iter()
        .find(|(name, _)| *name == "household_id")
        .and_then(|(_, value)| Uuid::parse_str(value).ok())
        .ok_or_else(|| AppError::BadRequest("household_id must be a UUID".into()))
}

impl FromRequestParts<AppState> for HouseholdAccess {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::BadRequest("household_id must be a UUID".into()))?;
        let household = path_household(&params);
        let claims = authorize(
            &state.verifier,
            &state.limits.data_user,
            &parts.headers,
            household,
        )
        .await?;
        let span = tracing::Span::current();
        span.record("household_id", tracing::field::display(claims.household_id));
        span.record("sub", claims.sub.as_str());
        Ok(Self {
            claims,
            db: state.db.clone(),
        })
    }
}
