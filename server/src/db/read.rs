//! A household read in one statement: the database admits the caller and reads the rows in
//! a single round trip, instead of BEGIN, `app.enter_household`, the query and COMMIT.
//!
//! [`in_household`] wraps a read query (a constant of this crate, never request text) as
//!
//! ```sql
//! WITH ctx AS MATERIALIZED (SELECT member_role, household_status FROM app.enter_household($1, $2, $3))
//! SELECT ctx.member_role, ctx.household_status, r.* FROM ctx
//! LEFT JOIN LATERAL (SELECT true AS in_household_row, d.* FROM (<query>) d
//!                    WHERE ctx.household_status = 'active' OFFSET 0) r ON true
//! ```
//!
//! Why the settings are in place before row-level security reads them: the CTE is
//! materialized (and `enter_household` is volatile, so it could not be inlined anyway), and
//! the lateral subquery refers to `ctx`, so the only plan is a nested loop that scans `ctx`
//! first and runs the subquery once per `ctx` row; `OFFSET 0` keeps the subquery from being
//! pulled up into the join. The policies read the context through init-plans
//! (`(SELECT app.current_household_id())`), which PostgreSQL evaluates when first needed,
//! inside that subquery, so after `enter_household` has set them. The function is
//! parallel-unsafe, so no worker reads a copy of the settings taken before. A caller who is
//! not admitted gets the one `ctx` row with no data row (the `WHERE` is false, and without
//! a context the policies would show nothing anyway).
//!
//! The settings are transaction-local (`set_config(…, true)`), and the statement runs in its
//! own implicit transaction, which ends with it: the pooled connection goes back with no
//! household context. Behind a transaction-mode pooler (`DATABASE_STATEMENT_CACHE_CAPACITY=0`)
//! the statement runs in an explicit transaction instead, because sqlx then parses it on one
//! Sync and executes it on the next, and the pooler may send the two to different servers.
//! Writes keep their [`HouseholdTx`](super::tenant::HouseholdTx).

use std::sync::Arc;

use shared::Role;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{FromRow, PgPool, Postgres, Row};
use uuid::Uuid;

use super::context::{Context, ContextKey};
use super::tenant::admit;
use crate::error::AppError;

/// `query` wrapped to enter the household first. `$1`, `$2` and `$3` are the household,
/// the subject and the proof ([`super::context`]), so the query's own parameters start at
/// `$4`. Build it once (a `LazyLock`).
pub fn in_household(query: &str) -> String {
    format!(
        "WITH ctx AS MATERIALIZED \
             (SELECT member_role, household_status FROM app.enter_household($1, $2, $3)) \
         SELECT ctx.member_role, ctx.household_status, r.* FROM ctx \
         LEFT JOIN LATERAL (SELECT true AS in_household_row, d.* FROM ({query}) d \
                            WHERE ctx.household_status = 'active' OFFSET 0) r ON true"
    )
}

/// Who reads which household, and how the statement must run.
pub struct HouseholdRead {
    pub(crate) pool: PgPool,
    pub(crate) key: Arc<ContextKey>,
    pub(crate) household_id: Uuid,
    pub(crate) sub: String,
    /// Run inside BEGIN … COMMIT: behind a transaction-mode pooler.
    pub(crate) in_transaction: bool,
    /// The token's role (which must still be the database's) and whether only owners may read.
    pub(crate) grant: Grant,
    /// The request's place among its household's statements, held while it reads.
    pub(crate) _share: crate::fair_share::FairShare,
}

/// What a read may see, checked against the role the database returns with the rows.
pub struct Grant {
    /// The token's role, which must still be the database's.
    pub(crate) token_role: Role,
    pub(crate) readers: Readers,
}

/// Who may see a read's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    Members,
    Owners,
}

impl Grant {
    pub fn check(&self, role: Role) -> Result<(), AppError> {
        current_role(role, self.token_role)?;
        if self.readers == Readers::Owners {
            owner(role)?;
        }
        Ok(())
    }
}

/// A token whose role is not the database's carries a stale grant: 401, and the
/// micro-frontend exchanges again for the current role.
pub(crate) fn current_role(database: Role, token: Role) -> Result<(), AppError> {
    if database == token {
        Ok(())
    } else {
        Err(AppError::Unauthorized(
            "the token's role is no longer current: exchange it again",
        ))
    }
}

/// Only owners manage members, invitations and join requests, and read the audit record.
pub(crate) fn owner(role: Role) -> Result<(), AppError> {
    if role == Role::Owner {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only an owner of this household may do that",
        ))
    }
}

/// The rows of an admitted caller, and the role the database holds for them now.
pub struct Admitted {
    pub role: Role,
    pub rows: Vec<PgRow>,
}

impl Admitted {
    /// Every row, decoded.
    pub fn all<T: for<'r> FromRow<'r, PgRow>>(&self) -> sqlx::Result<Vec<T>> {
        self.rows.iter().map(T::from_row).collect()
    }

    /// The first row, decoded, if any.
    pub fn first<T: for<'r> FromRow<'r, PgRow>>(&self) -> sqlx::Result<Option<T>> {
        self.rows.first().map(T::from_row).transpose()
    }
}

impl HouseholdRead {
    pub fn household_id(&self) -> Uuid {
        self.household_id
    }

    /// Runs `sql` (from [`in_household`]) with the household and subject bound first and
    /// `bind` adding the query's own parameters. A non-member gets 403, a member of a
    /// suspended household 403 [`AppError::Suspended`], as [`HouseholdTx`] answers; a token
    /// whose role is stale 401, and a non-owner 403 where the [`Grant`] is for owners.
    ///
    /// [`HouseholdTx`]: super::tenant::HouseholdTx
    pub async fn fetch<'q>(
        &'q self,
        sql: &'q str,
        bind: impl FnOnce(Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments>,
    ) -> Result<Admitted, AppError> {
        let query = bind(
            sqlx::query(sql)
                .bind(self.household_id)
                .bind(self.sub.as_str())
                .bind(
                    self.key
                        .prove(Context::household(self.household_id, &self.sub)),
                ),
        );
        let rows = run(&self.pool, self.in_transaction, query).await?;
        // Always exactly one `ctx` row; its columns repeat on every data row.
        let role = admitted(&rows)?;
        self.grant.check(role)?;
        let mut rows = rows;
        rows.retain(|row| {
            matches!(
                row.try_get::<Option<bool>, _>("in_household_row"),
                Ok(Some(true))
            )
        });
        Ok(Admitted { role, rows })
    }
}

/// The rows of one statement: alone, or behind a transaction-mode pooler inside BEGIN …
/// COMMIT (see the module's documentation).
async fn run<'q>(
    pool: &PgPool,
    in_transaction: bool,
    query: Query<'q, Postgres, PgArguments>,
) -> Result<Vec<PgRow>, AppError> {
    Ok(if in_transaction {
        let mut tx = super::tenant::begin(pool).await?;
        let rows = query.fetch_all(&mut *tx).await?;
        tx.commit().await?;
        rows
    } else {
        query.fetch_all(pool).await?
    })
}

/// The role `app.enter_household`'s row (the first) admits, or why not.
fn admitted(rows: &[PgRow]) -> Result<Role, AppError> {
    let head = rows.first().ok_or(sqlx::Error::RowNotFound)?;
    admit(
        head.try_get("member_role")?,
        head.try_get("household_status")?,
    )
}

/// The role `sub` holds in `household_id` if it is active, checked as a read is admitted
/// and in one round trip (the settings `app.enter_household` makes end with the statement):
/// what `/exchange` asks before it signs. A non-member (or an unknown household) gets 403,
/// a member of a suspended household 403 [`AppError::Suspended`].
pub async fn admission(
    pool: &PgPool,
    key: &ContextKey,
    household_id: Uuid,
    sub: &str,
    in_transaction: bool,
) -> Result<Role, AppError> {
    let query =
        sqlx::query("SELECT member_role, household_status FROM app.enter_household($1, $2, $3)")
            .bind(household_id)
            .bind(sub)
            .bind(key.prove(Context::household(household_id, sub)));
    admitted(&run(pool, in_transaction, query).await?)
}
