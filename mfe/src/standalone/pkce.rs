//! PKCE (RFC 7636) and the login's random values, on the browser's Web Crypto.
//!
//! Hand-written rather than an OAuth crate: the public client needs only a random
//! verifier, its S256 challenge and random `state`/`nonce` values. Web Crypto provides the
//! randomness and SHA-256 natively, so this costs a few hundred bytes of wasm, where a crate
//! would bring its own hash, HTTP and URL code.

use js_sys::Uint8Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::base64url;

/// Bytes of randomness in a code verifier: 32 gives the 43-character minimum of RFC 7636.
pub const VERIFIER_BYTES: usize = 32;

/// `bytes` random bytes from `crypto.getRandomValues`, base64url-encoded.
pub fn random(bytes: usize) -> Result<String, JsValue> {
    let mut buffer = vec![0; bytes];
    crypto()?.get_random_values_with_u8_array(&mut buffer)?;
    Ok(base64url::encode(&buffer))
}

/// The S256 challenge of `verifier`: base64url(SHA-256(verifier)).
pub async fn challenge(verifier: &str) -> Result<String, JsValue> {
    let digest = crypto()?
        .subtle()
        .digest_with_str_and_u8_array("SHA-256", verifier.as_bytes())?;
    let digest = JsFuture::from(digest).await?;
    Ok(base64url::encode(&Uint8Array::new(&digest).to_vec()))
}

fn crypto() -> Result<web_sys::Crypto, JsValue> {
    web_sys::window()
        .ok_or_else(|| JsValue::from_str("no window"))?
        .crypto()
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn the_challenge_of_the_rfc_7636_verifier_matches_appendix_b() {
        let challenge = challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").await;
        assert_eq!(
            challenge.ok().as_deref(),
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        );
    }

    #[wasm_bindgen_test]
    fn random_values_are_url_safe_and_differ() {
        let (a, b) = (random(VERIFIER_BYTES), random(VERIFIER_BYTES));
        let (a, b) = (a.expect("random"), b.expect("random"));
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a, b);
    }
}
