//! The household context of a data request. Its extractor (in `http::extract`) verifies
//! the internal token (cached) → matches the path's household to the token's → rate-limits the
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

use axum::extract::RawPathParams;
use axum::http::HeaderMap;
use shared::exchange::InternalClaims;
use uuid::Uuid;

use sqlx::PgPool;

use super::bearer;
use super::internal::CachedVerifier;
use crate::db::context::ContextKey;
use crate::db::read::{Grant, HouseholdRead, Readers, current_role, owner};
use crate::db::tenant::HouseholdTx;
use crate::error::{AppError, Result};
use crate::fair_share::FairShare;
use crate::rate_limit::Limiter;

/// A request whose token is good for the path's household, before any database work.
/// Take it before the body extractor and call [`begin`](Self::begin) after it.
pub struct HouseholdAccess {
    pub claims: Arc<InternalClaims>,
    db: PgPool,
    key: Arc<ContextKey>,
    /// Reads in an explicit transaction: behind a transaction-mode pooler.
    in_transaction: bool,
    /// The request's place among its household's and account's, held until it is answered.
    share: FairShare,
}

impl HouseholdAccess {
    /// The access [`authorize`] granted, for the extractor (`http::extract`) to hand out.
    pub(crate) fn new(
        claims: Arc<InternalClaims>,
        db: PgPool,
        key: Arc<ContextKey>,
        in_transaction: bool,
        share: FairShare,
    ) -> Self {
        Self {
            claims,
            db,
            key,
            in_transaction,
            share,
        }
    }

    /// Opens the household's transaction: the database admits the caller with the role it
    /// holds now (403 otherwise), and a token carrying another role is stale (401).
    pub async fn begin(self) -> Result<HouseholdScope> {
        let tx = HouseholdTx::begin(
            &self.db,
            &self.key,
            self.claims.household_id,
            &self.claims.sub,
        )
        .await?;
        current_role(tx.role(), self.claims.role)?;
        Ok(HouseholdScope {
            claims: self.claims,
            tx,
            _share: self.share,
        })
    }

    /// For a read: the database admits the caller and reads in one statement
    /// ([`crate::db::read`]); the same answers as [`begin`](Self::begin).
    pub fn read(self) -> HouseholdRead {
        self.reader(Readers::Members)
    }

    /// [`read`](Self::read), for what only owners may see.
    pub fn read_as_owner(self) -> HouseholdRead {
        self.reader(Readers::Owners)
    }

    fn reader(self, readers: Readers) -> HouseholdRead {
        HouseholdRead {
            pool: self.db,
            key: self.key,
            household_id: self.claims.household_id,
            sub: self.claims.sub.clone(),
            in_transaction: self.in_transaction,
            grant: Grant {
                token_role: self.claims.role,
                readers,
            },
            _share: self.share,
        }
    }
}

/// A request authorised for one household, with its transaction open.
pub struct HouseholdScope {
    pub claims: Arc<InternalClaims>,
    pub tx: HouseholdTx,
    _share: FairShare,
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
    account: &Limiter<String>,
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
    // One account owning many households gets no more than its total.
    account.check(&claims.sub).await?;
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
