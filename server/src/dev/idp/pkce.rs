//! Proof Key for Code Exchange (RFC 7636), S256 only: `plain` would let whoever sees the
//! authorization request redeem its code.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A well-formed S256 challenge: a base64url SHA-256, 43 characters.
pub(super) fn is_challenge(challenge: &str) -> bool {
    challenge.len() == 43 && is_unreserved(challenge)
}

/// A well-formed verifier: 43 to 128 unreserved characters.
pub(super) fn is_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len()) && is_unreserved(verifier)
}

/// Whether `verifier` is the one `challenge` was made from.
pub(super) fn verifies(verifier: &str, challenge: &str) -> bool {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

/// The RFC 7636 `unreserved` set used by verifiers and S256 challenges.
fn is_unreserved(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}
