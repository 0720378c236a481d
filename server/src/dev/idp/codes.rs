//! Pending authorization codes: single use, short-lived and bounded in number, each bound to
//! the client, redirect URI and PKCE challenge of the `/authorize` request that made it.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

/// How long a code may wait for the token request.
const CODE_TTL: Duration = Duration::from_secs(60);
/// Beyond this many live codes `/authorize` refuses, so memory stays bounded.
const MAX_PENDING_CODES: usize = 10_000;

/// What a code was issued for, checked again at the token endpoint.
pub(super) struct PendingCode {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) code_challenge: String,
    pub(super) nonce: Option<String>,
    pub(super) sub: String,
    /// What the tokens grant (`offline_access` among it: a refresh token too).
    pub(super) scope: String,
    /// When the user signed in at the issuer.
    pub(super) auth_time: u64,
}

/// The codes not yet exchanged, by code, with their expiry.
#[derive(Default)]
pub(super) struct Codes(Mutex<HashMap<String, (Instant, PendingCode)>>);

impl Codes {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, (Instant, PendingCode)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores `pending` under a new random code; `None` when too many codes are pending.
    pub(super) fn insert(&self, pending: PendingCode) -> Option<String> {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let code = URL_SAFE_NO_PAD.encode(bytes);
        let mut codes = self.lock();
        let now = Instant::now();
        codes.retain(|_, (expires, _)| *expires > now);
        if codes.len() >= MAX_PENDING_CODES {
            return None;
        }
        codes.insert(code.clone(), (now + CODE_TTL, pending));
        Some(code)
    }

    /// Removes `code` whatever happens next, so it is single use; `None` if it is unknown,
    /// already used or expired.
    pub(super) fn take(&self, code: &str) -> Option<PendingCode> {
        let (expires, pending) = self.lock().remove(code)?;
        (expires > Instant::now()).then_some(pending)
    }
}
