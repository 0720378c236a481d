//! The household context of a data request: the extractor [`HouseholdAccess`] verifies the
//! internal token (cached) → matches the path's household to the token's → rate-limits the
//! `sub:household_id` → records it on the request's span, all without the database. The
//! handler reads and validates its body, and only then calls [`HouseholdAccess::begin`],
//! which opens the tenant transaction, in which the database admits the caller (or not)
//! with the role it holds now; a read calls [`HouseholdAccess::read`] instead, whose one
//! statement admits and reads (`db::read`). So no pooled connection waits on a slow client:
//! a client trickling its body holds a task, never a connection. Handlers get the claims
//! and the scoped transaction or read, and no other database access.
//!
//! A token whose role no longer matches the database's is refused with 401
//! `invalid_token`: the grant it carries is stale, and the micro-frontend's token manager
//! answers a 401 by exchanging once more, which yields the current role.

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use shared::Role;
use shared::exchange::InternalClaims;
use uuid::Uuid;

use sqlx::PgPool;

use super::bearer;
use super::internal::CachedVerifier;
use crate::db::read::HouseholdRead;
use crate::db::tenant::HouseholdTx;
use crate::error::{AppError, Result};
use crate::rate_limit::Limiter;
use crate::state::AppState;

/// A request whose token is good for the path's household, before any database work.
/// Take it before the body extractor and call [`begin`](Self::begin) after it.
pub struct HouseholdAccess {
    pub claims: Arc<InternalClaims>,
    db: PgPool,
    /// Reads in an explicit transaction: behind a transaction-mode pooler.
    in_transaction: bool,
}

impl HouseholdAccess {
    /// Opens the household's transaction: the database admits the caller with the role it
    /// holds now (403 otherwise), and a token carrying another role is stale (401).
    pub async fn begin(self) -> Result<HouseholdScope> {
        let tx = HouseholdTx::begin(&self.db, self.claims.household_id, &self.claims.sub).await?;
        current_role(tx.role(), self.claims.role)?;
        Ok(HouseholdScope {
            claims: self.claims,
            tx,
        })
    }

    /// For a read: the database admits the caller and reads in one statement
    /// ([`crate::db::read`]); the same answers as [`begin`](Self::begin).
    pub fn read(self) -> HouseholdRead {
        self.reader(false)
    }

    /// [`read`](Self::read), for what only owners may see.
    pub fn read_as_owner(self) -> HouseholdRead {
        self.reader(true)
    }

    fn reader(self, owner_only: bool) -> HouseholdRead {
        HouseholdRead {
            pool: self.db,
            household_id: self.claims.household_id,
            sub: self.claims.sub.clone(),
            in_transaction: self.in_transaction,
            grant: Grant {
                token_role: self.claims.role,
                owner_only,
            },
        }
    }
}

/// What a read may see, checked against the role the database returned.
pub struct Grant {
    token_role: Role,
    owner_only: bool,
}

impl Grant {
    pub fn check(&self, role: Role) -> Result<()> {
        current_role(role, self.token_role)?;
        if self.owner_only {
            owner(role)?;
        }
        Ok(())
    }
}

/// A token whose role is not the database's carries a stale grant.
fn current_role(database: Role, token: Role) -> Result<()> {
    if database == token {
        Ok(())
    } else {
        Err(AppError::Unauthorized(
            "the token's role is no longer current: exchange it again",
        ))
    }
}

fn owner(role: Role) -> Result<()> {
    if role == Role::Owner {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only an owner of this household may do that",
        ))
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
        owner(self.tx.role())
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
            in_transaction: state.config.runtime.behind_pooler(),
        })
    }
}
