//! The proof that a household context is the server's (`DATABASE_CONTEXT_KEY_FILE`).
//!
//! Row-level security admits rows only for a context `app.enter_context` or
//! `app.enter_household` accepted (see `migrations/20261207000004_proven_context.up.sql`):
//! one that comes with an HMAC-SHA-256, made with this key, over the context and an expiry.
//! The database holds the key where the runtime role cannot read it, so a leaked
//! `DATABASE_URL` (or an SQL injection) cannot make one. The message is built here and in
//! `app_private.context_message` alike; a test checks both against each other.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

/// How long a proof holds. The database refuses one more than ten minutes ahead.
const PROOF_LIFETIME: Duration = Duration::from_secs(60);

/// The fewest bytes a key may have (the database checks the same).
const MIN_KEY_BYTES: usize = 32;

/// A context to prove: what `app.enter_context` takes besides the proof.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    pub household: Option<Uuid>,
    pub sub: Option<&'a str>,
    pub redeeming: Option<Uuid>,
    pub code_hash: Option<&'a str>,
}

impl<'a> Context<'a> {
    /// `household` as `sub`, as `app.enter_household` takes it.
    pub fn household(household: Uuid, sub: &'a str) -> Self {
        Self {
            household: Some(household),
            sub: Some(sub),
            ..Self::default()
        }
    }
}

/// The key, read from `DATABASE_CONTEXT_KEY_FILE`: base64 of at least 32 bytes.
pub struct ContextKey {
    id: String,
    secret: SecretSlice<u8>,
}

impl std::fmt::Debug for ContextKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl ContextKey {
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read DATABASE_CONTEXT_KEY_FILE {}", path.display()))?;
        Self::from_base64(text.trim())
            .with_context(|| format!("DATABASE_CONTEXT_KEY_FILE {}", path.display()))
    }

    pub fn from_base64(text: &str) -> anyhow::Result<Self> {
        let secret = STANDARD
            .decode(text)
            .context("the key is not base64 (make one with `openssl rand -base64 32`)")?;
        anyhow::ensure!(
            secret.len() >= MIN_KEY_BYTES,
            "the key has {} bytes, at least {MIN_KEY_BYTES} are needed",
            secret.len()
        );
        let digest = Sha256::digest(&secret);
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            id,
            secret: secret.into(),
        })
    }

    /// A new random key, base64, as `server dev` writes it.
    pub fn generate_base64() -> String {
        let mut secret = [0u8; MIN_KEY_BYTES];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
        STANDARD.encode(secret)
    }

    /// The key's id: the first 16 hex digits of its SHA-256, as the database names it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The proof of `context` for the next [`PROOF_LIFETIME`]: `<key id>.<expiry>.<MAC>`,
    /// as `app_private.proven_context` reads it.
    pub fn prove(&self, context: Context<'_>) -> String {
        self.prove_for(context, PROOF_LIFETIME)
    }

    /// [`prove`](Self::prove) for `lifetime` (the database accepts ten minutes at most):
    /// for the benchmark's scripts, which run longer than a request.
    pub fn prove_for(&self, context: Context<'_>, lifetime: Duration) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let expires_at = i64::try_from((now + lifetime).as_secs()).unwrap_or(i64::MAX);
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.expose_secret())
            .expect("HMAC takes a key of any length");
        mac.update(&message(context, expires_at));
        let mac = STANDARD.encode(mac.finalize().into_bytes());
        format!("{}.{expires_at}.{mac}", self.id)
    }

    /// Installs the key in the database (owner connection), beside those already there.
    pub async fn install(&self, owner: &mut PgConnection) -> sqlx::Result<()> {
        sqlx::query("SELECT app_private.install_context_key($1)")
            .bind(self.secret.expose_secret())
            .execute(owner)
            .await?;
        Ok(())
    }
}

/// `app_private.context_message`: a version tag, each field as its length (four bytes,
/// big-endian; -1 for none) and its bytes, then the expiry (eight bytes).
fn message(context: Context<'_>, expires_at: i64) -> Vec<u8> {
    fn field(out: &mut Vec<u8>, value: Option<&str>) {
        match value {
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(v) => {
                // Subjects are at most 255 characters and code hashes 64: no overflow.
                out.extend_from_slice(&i32::try_from(v.len()).unwrap_or(i32::MAX).to_be_bytes());
                out.extend_from_slice(v.as_bytes());
            }
        }
    }
    let household = context.household.map(|h| h.hyphenated().to_string());
    let redeeming = context.redeeming.map(|h| h.hyphenated().to_string());
    let mut out = b"ctx1".to_vec();
    field(&mut out, household.as_deref());
    field(&mut out, context.sub);
    field(&mut out, redeeming.as_deref());
    field(&mut out, context.code_hash);
    out.extend_from_slice(&expires_at.to_be_bytes());
    out
}

/// Enters `context` on `conn` for the rest of its transaction.
pub async fn enter(
    conn: &mut PgConnection,
    key: &ContextKey,
    context: Context<'_>,
) -> sqlx::Result<()> {
    sqlx::query("SELECT app.enter_context($1, $2, $3, $4, $5)")
        .bind(context.household)
        .bind(context.sub)
        .bind(context.redeeming)
        .bind(context.code_hash)
        .bind(key.prove(context))
        .execute(conn)
        .await?;
    Ok(())
}

/// At start-up: whether the database accepts this key. `serve` refuses to start otherwise,
/// saying what to do, rather than answer every request 503.
pub async fn check_installed(conn: &mut PgConnection, key: &ContextKey) -> anyhow::Result<()> {
    match enter(conn, key, Context::default()).await {
        Ok(()) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some(NOT_PROVEN) => {
            anyhow::bail!(
                "refusing to start: the database does not know the key in DATABASE_CONTEXT_KEY_FILE (id {}); \
                 install it with `server migrate` run with the same DATABASE_CONTEXT_KEY_FILE",
                key.id()
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// The SQLSTATE of a context the database did not accept (invalid_authorization_specification).
pub const NOT_PROVEN: &str = "28000";
