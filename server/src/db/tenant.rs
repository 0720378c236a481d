//! The tenant transaction: the only way to reach household data.
//!
//! `HouseholdTx::begin` opens a transaction and sets `app.current_household_id` (and the
//! caller's role) with `set_config(…, true)`: transaction-local, bound as parameters
//! from an already-parsed `Uuid`, never formatted into SQL. Row-level security does the
//! rest. Dropping it without `commit` rolls back, so an error path cannot half-write.

use shared::Role;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

/// A transaction scoped to one household and role.
pub struct HouseholdTx {
    tx: Transaction<'static, Postgres>,
    household_id: Uuid,
}

impl HouseholdTx {
    pub async fn begin(pool: &PgPool, household_id: Uuid, role: Role) -> sqlx::Result<Self> {
        let mut tx = pool.begin().await?;
        sqlx::query(
            "SELECT set_config('app.current_household_id', $1, true), \
                    set_config('app.current_household_role', $2, true)",
        )
        .bind(household_id.to_string())
        .bind(role.as_str())
        .execute(&mut *tx)
        .await?;
        Ok(Self { tx, household_id })
    }

    pub fn household_id(&self) -> Uuid {
        self.household_id
    }

    /// The connection, for the data functions in `db::*`.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }
}

/// A transaction in which only the verified caller's own memberships are visible
/// (`app.current_user_sub`), for the exchange and `/api/me/households`.
pub struct UserTx {
    tx: Transaction<'static, Postgres>,
}

impl UserTx {
    pub async fn begin(pool: &PgPool, sub: &str) -> sqlx::Result<Self> {
        let mut tx = pool.begin().await?;
        sqlx::query("SELECT set_config('app.current_user_sub', $1, true)")
            .bind(sub)
            .execute(&mut *tx)
            .await?;
        Ok(Self { tx })
    }

    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }
}
