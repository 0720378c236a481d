//! People's profiles (`profiles`), in the person's own [`UserTx`]: the policies admit the
//! person's row there and, in a household's context, the rows of its members and pending
//! requesters (`migrations/20261208000001_profiles.up.sql`).

use shared::people::{OwnJoinRequest, Profile};

use super::tenant::UserTx;

/// How long ago the profile was refreshed, in seconds; `None` when there is none.
pub async fn age_secs(tx: &mut UserTx, sub: &str) -> sqlx::Result<Option<f64>> {
    sqlx::query_scalar(
        "SELECT extract(epoch FROM now() - refreshed_at)::float8 FROM profiles \
         WHERE user_sub = $1",
    )
    .bind(sub)
    .fetch_optional(tx.conn())
    .await
}

/// Writes what the identity provider said, refreshed now.
pub async fn store(tx: &mut UserTx, profile: &Profile) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO profiles (user_sub, name, email) VALUES ($1, $2, $3) \
         ON CONFLICT (user_sub) DO UPDATE \
         SET name = excluded.name, email = excluded.email, refreshed_at = now()",
    )
    .bind(&profile.sub)
    .bind(&profile.name)
    .bind(&profile.email)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The person's own profile; a person never named has one with neither name nor e-mail.
pub async fn own(tx: &mut UserTx, sub: &str) -> sqlx::Result<Profile> {
    let found: Option<Profile> =
        sqlx::query_as("SELECT user_sub AS sub, name, email FROM profiles WHERE user_sub = $1")
            .bind(sub)
            .fetch_optional(tx.conn())
            .await?;
    Ok(found.unwrap_or_else(|| Profile::kept(sub.to_owned(), None, None)))
}

/// The person's join requests in every household, oldest first.
pub async fn join_requests(tx: &mut UserTx, sub: &str) -> sqlx::Result<Vec<OwnJoinRequest>> {
    sqlx::query_as(
        "SELECT household_id, role, status, requested_at, decided_at FROM join_requests \
         WHERE requester_sub = $1 ORDER BY requested_at, household_id",
    )
    .bind(sub)
    .fetch_all(tx.conn())
    .await
}

/// Erases the person: their pending join requests are withdrawn and their profile goes.
/// (Decided requests stay the households' record of who decided what.)
pub async fn erase(tx: &mut UserTx, sub: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM join_requests WHERE requester_sub = $1 AND status = 'pending'")
        .bind(sub)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM profiles WHERE user_sub = $1")
        .bind(sub)
        .execute(tx.conn())
        .await?;
    Ok(())
}
