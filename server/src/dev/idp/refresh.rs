//! Refresh tokens with rotation and reuse detection, as Auth0 rotates them: each use returns
//! a new token and retires the one used; presenting a retired token again means two parties
//! hold the family (one of them stole it), so the whole family is revoked and both must sign
//! in again. Tokens are kept as SHA-256 digests, families in memory, bounded in number and
//! lifetime like the codes.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Absolute lifetime of a family, from sign-in (Auth0's default is 30 days).
const FAMILY_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Beyond this many live families a sign-in gets no refresh token rather than grow memory.
const MAX_FAMILIES: usize = 10_000;

/// What every token of a family grants: fixed at sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Grant {
    pub(super) client_id: String,
    pub(super) sub: String,
    pub(super) scope: String,
    /// When the user signed in (`auth_time` of the ID tokens).
    pub(super) auth_time: u64,
}

/// Why a refresh token was refused.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refused {
    /// Never issued, expired, or of a revoked family.
    Unknown,
    /// Already rotated: the family is now revoked.
    Reused,
}

struct Family {
    grant: Grant,
    expires: Instant,
    /// Digest of the one token that may be used next.
    current: [u8; 32],
    revoked: bool,
}

#[derive(Default)]
struct Store {
    families: HashMap<u64, Family>,
    /// Every token a live family issued, current or retired, to its family.
    tokens: HashMap<[u8; 32], u64>,
    next_family: u64,
}

/// The refresh token families.
#[derive(Default)]
pub(super) struct RefreshTokens(Mutex<Store>);

impl RefreshTokens {
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new family for `grant` and its first token; `None` when too many families live.
    pub(super) fn start(&self, grant: Grant) -> Option<String> {
        let mut store = self.lock();
        let now = Instant::now();
        store.prune(now);
        if store.families.len() >= MAX_FAMILIES {
            return None;
        }
        let id = store.next_family;
        store.next_family += 1;
        let (token, digest) = new_token();
        store.families.insert(
            id,
            Family {
                grant,
                expires: now + FAMILY_TTL,
                current: digest,
                revoked: false,
            },
        );
        store.tokens.insert(digest, id);
        Some(token)
    }

    /// Rotates `token` of `client_id`: retires it and returns its family's grant with the
    /// next token. A retired token revokes its family; another client's is only refused.
    pub(super) fn rotate(&self, token: &str, client_id: &str) -> Result<(Grant, String), Refused> {
        let mut store = self.lock();
        let now = Instant::now();
        store.prune(now);
        let presented = digest(token);
        let id = *store.tokens.get(&presented).ok_or(Refused::Unknown)?;
        let (next, next_digest) = new_token();
        let family = store.families.get_mut(&id).ok_or(Refused::Unknown)?;
        if family.revoked || family.grant.client_id != client_id {
            return Err(Refused::Unknown);
        }
        if family.current != presented {
            family.revoked = true;
            return Err(Refused::Reused);
        }
        family.current = next_digest;
        let grant = family.grant.clone();
        store.tokens.insert(next_digest, id);
        Ok((grant, next))
    }

    /// Revokes the family of `token` (RFC 7009: unknown tokens are no error).
    pub(super) fn revoke(&self, token: &str) {
        let mut store = self.lock();
        if let Some(id) = store.tokens.get(&digest(token)).copied()
            && let Some(family) = store.families.get_mut(&id)
        {
            family.revoked = true;
        }
    }
}

impl Store {
    /// Drops expired families and their tokens. Revoked families stay until they expire,
    /// so that their tokens keep being refused rather than become unknown.
    fn prune(&mut self, now: Instant) {
        self.families.retain(|_, f| f.expires > now);
        let families = &self.families;
        self.tokens.retain(|_, id| families.contains_key(id));
    }
}

fn new_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let digest = digest(&token);
    (token, digest)
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}
