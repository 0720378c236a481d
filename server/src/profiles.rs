//! People's names: the display name and e-mail the identity provider's `/userinfo` gives
//! for a person's access token, kept in `profiles` ([`crate::db::profiles`]) for their
//! co-members to read.
//!
//! Asked at most once a day per person (Auth0 limits `/userinfo` per user, and a name
//! rarely changes): a replica that refreshed or found a fresh profile less than
//! [`RECHECK`] ago asks nothing, not even the database; otherwise it reads the profile's
//! age, and only a profile older than [`REFRESH_AFTER`] (or none) costs a `/userinfo`
//! call. Concurrent callers for one person find the first one's mark and go on. A failure
//! is logged and retried after [`RETRY_AFTER`]: names are for display, and no sign-in
//! waits for, or fails with, the identity provider's `/userinfo`.

use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use shared::people::Profile;
use sqlx::PgPool;

use crate::auth::auth0::Auth0Validator;
use crate::db::context::ContextKey;
use crate::db::profiles;
use crate::db::tenant::UserTx;

/// A profile older than this is asked for again.
pub const REFRESH_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a replica trusts what it last saw of a person's profile: the longest a
/// profile erased (`DELETE /api/me`) waits to be made again for a person who comes back.
pub const RECHECK: Duration = Duration::from_secs(10 * 60);
/// After a failed `/userinfo`, the wait before that person's profile is asked for again.
pub const RETRY_AFTER: Duration = Duration::from_secs(5 * 60);
/// People remembered per replica.
const REMEMBERED: usize = 100_000;

/// When each recently seen person's profile is next looked at, on this replica.
pub struct Profiles {
    next_look: Cache<String, Instant>,
}

impl Default for Profiles {
    fn default() -> Self {
        Self {
            next_look: Cache::new(REMEMBERED),
        }
    }
}

/// What the database and the identity provider need.
pub struct Sources<'a> {
    pub db: &'a PgPool,
    pub key: &'a ContextKey,
    pub auth0: &'a Auth0Validator,
}

impl Profiles {
    /// Refreshes `sub`'s profile with `token` (an access token validated for `sub`) when it
    /// is due. Never fails: a failure is logged and retried later.
    pub async fn refresh(&self, sources: Sources<'_>, sub: &str, token: &str) {
        if !self.due(sub) {
            return;
        }
        let now = Instant::now();
        // Marked before the work, so that concurrent callers do not repeat it.
        self.next_look.insert(sub.to_owned(), now + RETRY_AFTER);
        match refresh(&sources, sub, token).await {
            Ok(()) => self.next_look.insert(sub.to_owned(), now + RECHECK),
            Err(e) => tracing::warn!(error = %e, "the person's profile could not be refreshed"),
        }
    }

    /// Whether `sub`'s profile is to be looked at now.
    pub fn due(&self, sub: &str) -> bool {
        self.next_look
            .get(sub)
            .is_none_or(|at| at <= Instant::now())
    }

    /// Forgets `sub` on this replica (their profile was erased).
    pub fn forget(&self, sub: &str) {
        self.next_look.remove(sub);
    }
}

async fn refresh(sources: &Sources<'_>, sub: &str, token: &str) -> anyhow::Result<()> {
    let mut tx = UserTx::begin(sources.db, sources.key, sub).await?;
    let age = profiles::age_secs(&mut tx, sub).await?;
    if age.is_some_and(|secs| secs < REFRESH_AFTER.as_secs_f64()) {
        return Ok(());
    }
    // The connection goes back while the identity provider answers.
    drop(tx);
    let info = sources.auth0.userinfo(token, sub).await?;
    let profile = Profile::kept(sub.to_owned(), info.name.as_deref(), info.email.as_deref());
    let mut tx = UserTx::begin(sources.db, sources.key, sub).await?;
    profiles::store(&mut tx, &profile).await?;
    tx.commit().await?;
    Ok(())
}
