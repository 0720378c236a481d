//! The tenant transaction: the only way to reach household data.
//!
//! `HouseholdTx::begin` opens a transaction and enters the household with
//! `app.enter_household(household, sub)` (see `migrations/`): one statement that reads the
//! caller's membership as it is now and, only for a member of an active household, sets
//! the household, the role from the database and the subject, transaction-local. The
//! token's claims name who is asking; the database decides what they may do, so a removal,
//! demotion or suspension takes effect on the next request on every replica. Values are
//! bound as parameters, never formatted into SQL. Row-level security does the rest.
//! Dropping it without `commit` rolls back, so an error path cannot half-write.

use shared::Role;
use shared::households::HouseholdStatus;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::context::{Context, ContextKey};
use crate::error::AppError;

/// `pool.begin()`, carried to its end even when the request is dropped meanwhile (a client
/// that goes away). sqlx 0.8.6 queues no `ROLLBACK` for a `begin` dropped before
/// PostgreSQL has answered its `BEGIN` (its guard counts the transaction only after the
/// answer), so the connection would go back to the pool inside an open transaction, and
/// the next single-statement read on it would run there, in another request's context. In
/// its own task the `begin` always finishes; a `Transaction` nobody takes rolls back.
pub async fn begin(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin().await })
        .await
        .map_err(|_| sqlx::Error::WorkerCrashed)?
}

/// Opens a transaction and enters `context` in it, proven with `key` (see [`context`]).
async fn begin_with(
    pool: &PgPool,
    key: &ContextKey,
    context: Context<'_>,
) -> sqlx::Result<Transaction<'static, Postgres>> {
    let mut tx = begin(pool).await?;
    super::context::enter(&mut tx, key, context).await?;
    Ok(tx)
}

/// `conn` and `commit`, which every context transaction offers alike.
macro_rules! context_transaction {
    ($name:ident) => {
        impl $name {
            /// The connection, for the data functions in `db::*`.
            pub fn conn(&mut self) -> &mut PgConnection {
                &mut self.tx
            }

            pub async fn commit(self) -> sqlx::Result<()> {
                self.tx.commit().await
            }
        }
    };
}

/// `app.enter_household` with a proof of `(household_id, sub)`: the member's role and the
/// household's status, both `None` for a non-member.
pub(crate) async fn enter_household(
    conn: &mut PgConnection,
    key: &ContextKey,
    household_id: Uuid,
    sub: &str,
) -> sqlx::Result<(Option<String>, Option<String>)> {
    sqlx::query_as("SELECT member_role, household_status FROM app.enter_household($1, $2, $3)")
        .bind(household_id)
        .bind(sub)
        .bind(key.prove(Context::household(household_id, sub)))
        .fetch_one(conn)
        .await
}

/// The answer to `app.enter_household`'s row: the member's role when they are a member of
/// an active household; 403 for a non-member (or an unknown household), 403
/// [`AppError::Suspended`] for a member of a suspended one.
pub(crate) fn admit(role: Option<String>, status: Option<String>) -> Result<Role, AppError> {
    match (role.as_deref().and_then(Role::parse), status.as_deref()) {
        (None, _) => Err(AppError::Forbidden(
            "you do not have access to this household",
        )),
        (Some(role), Some(s)) if HouseholdStatus::parse(s) == Some(HouseholdStatus::Active) => {
            Ok(role)
        }
        // Suspended, or a status this build does not know: fail closed.
        (Some(_), _) => Err(AppError::Suspended),
    }
}

/// A transaction scoped to one household, as the member the database admitted.
pub struct HouseholdTx {
    tx: Transaction<'static, Postgres>,
    household_id: Uuid,
    role: Role,
}

impl HouseholdTx {
    /// Enters `household_id` as `sub`. A non-member (or an unknown household) gets 403, a
    /// member of a suspended household 403 [`AppError::Suspended`]; neither leaves any
    /// household context behind.
    pub async fn begin(
        pool: &PgPool,
        key: &ContextKey,
        household_id: Uuid,
        sub: &str,
    ) -> Result<Self, AppError> {
        let mut tx = begin(pool).await?;
        let (role, status) = enter_household(&mut tx, key, household_id, sub).await?;
        let role = admit(role, status)?;
        Ok(Self {
            tx,
            household_id,
            role,
        })
    }

    pub fn household_id(&self) -> Uuid {
        self.household_id
    }

    /// The caller's role in the household, as the database holds it now.
    pub fn role(&self) -> Role {
        self.role
    }
}

/// A transaction in which only the verified caller's own memberships are visible
/// (`app.current_user_sub`), for `/api/me/households` and the lifecycle routes that act before
/// the caller is in a household. (The exchange asks [`super::read::admission`].)
pub struct UserTx {
    tx: Transaction<'static, Postgres>,
}

impl UserTx {
    pub async fn begin(pool: &PgPool, key: &ContextKey, sub: &str) -> sqlx::Result<Self> {
        let context = Context {
            sub: Some(sub),
            ..Context::default()
        };
        let tx = begin_with(pool, key, context).await?;
        Ok(Self { tx })
    }
}

/// The transaction that creates a household: the new id is its household context, so the
/// caller may insert exactly that household and, while it has no member, make itself its
/// owner (`app.founding_household` in `migrations/`). Nothing else is reachable.
pub struct FoundingTx {
    tx: Transaction<'static, Postgres>,
    household_id: Uuid,
}

impl FoundingTx {
    /// Refuses with 409 when `sub` already owns `max_owned` households: counted in the
    /// subject's own context, under a lock on the subject held until the household exists.
    pub async fn begin(
        pool: &PgPool,
        key: &ContextKey,
        sub: &str,
        max_owned: u32,
    ) -> Result<Self, AppError> {
        let household_id = Uuid::new_v4();
        let own = Context {
            sub: Some(sub),
            ..Context::default()
        };
        let mut tx = begin_with(pool, key, own).await?;
        super::quota::reserve_on(&mut tx, sub, super::quota::Rows::OwnedHouseholds, max_owned)
            .await?;
        super::context::enter(&mut tx, key, Context::household(household_id, sub)).await?;
        Ok(Self { tx, household_id })
    }

    pub fn household_id(&self) -> Uuid {
        self.household_id
    }
}

/// The transaction that redeems an invitation code, before the caller belongs to the
/// household: only the invitation whose hash is `code_hash` is visible, and only the
/// caller's own join request and membership rows (see `migrations/`).
pub struct RedemptionTx {
    tx: Transaction<'static, Postgres>,
    household_id: Uuid,
}

impl RedemptionTx {
    pub async fn begin(
        pool: &PgPool,
        key: &ContextKey,
        household_id: Uuid,
        code_hash: &str,
        sub: &str,
    ) -> sqlx::Result<Self> {
        let context = Context {
            sub: Some(sub),
            redeeming: Some(household_id),
            code_hash: Some(code_hash),
            ..Context::default()
        };
        let tx = begin_with(pool, key, context).await?;
        Ok(Self { tx, household_id })
    }

    pub fn household_id(&self) -> Uuid {
        self.household_id
    }
}

context_transaction!(HouseholdTx);
context_transaction!(UserTx);
context_transaction!(FoundingTx);
context_transaction!(RedemptionTx);
