//! Reading a JWT's claims without verifying it.
//!
//! The browser has no reason to verify signatures: the ID token came straight from the
//! token endpoint over TLS (so its `nonce` can be trusted to check the login), and of the
//! internal token the garage reads only whom it names (`sub`, the caller's own subject, to
//! leave a household) and the dev toolbar shows it; the server verifies both where it
//! counts. The payload is parsed by the browser's `JSON`, not `serde_json::Value`, which
//! would add its own map and number code to the bundle.

use js_sys::{JSON, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::base64url;

/// The decoded payload of a compact JWS (`header.payload.signature`); `None` if it is not one.
pub fn payload(token: &str) -> Option<String> {
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    String::from_utf8(base64url::decode(payload)?).ok()
}

/// The `sub` claim of `token`: whom it names.
pub fn subject(token: &str) -> Option<String> {
    let claims = JSON::parse(&payload(token)?).ok()?;
    Reflect::get(&claims, &JsValue::from_str("sub"))
        .ok()?
        .as_string()
}

/// A token's claims, as a JavaScript object.
pub struct Claims(Object);

impl Claims {
    /// The claims of `token`; `None` if its payload is not a JSON object.
    pub fn of(token: &str) -> Option<Self> {
        let parsed = JSON::parse(&payload(token)?).ok()?;
        let object = parsed.dyn_into::<Object>().ok()?;
        (!js_sys::Array::is_array(&object)).then_some(Self(object))
    }

    pub fn string(&self, name: &str) -> Option<String> {
        self.get(name)?.as_string()
    }

    pub fn number(&self, name: &str) -> Option<f64> {
        self.get(name)?.as_f64()
    }

    /// Every claim, as indented JSON.
    pub fn pretty(&self) -> String {
        JSON::stringify_with_replacer_and_space(&self.0, &JsValue::NULL, &JsValue::from(2))
            .map(String::from)
            .unwrap_or_default()
    }

    fn get(&self, name: &str) -> Option<JsValue> {
        Reflect::get(&self.0, &JsValue::from_str(name)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // {"sub":"auth0|alice","nonce":"n-0S6","exp":1800000000}
    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.\
        eyJzdWIiOiJhdXRoMHxhbGljZSIsIm5vbmNlIjoibi0wUzYiLCJleHAiOjE4MDAwMDAwMDB9.c2ln";

    #[test]
    fn the_payload_of_a_compact_token_is_decoded() {
        assert_eq!(
            payload(TOKEN).as_deref(),
            Some(r#"{"sub":"auth0|alice","nonce":"n-0S6","exp":1800000000}"#)
        );
    }

    #[test]
    fn what_is_not_a_compact_token_has_no_payload() {
        assert_eq!(payload("only.two"), None);
        assert_eq!(payload("a.b.c.d"), None);
        assert_eq!(payload("a.!!.c"), None);
    }

    #[cfg(target_arch = "wasm32")]
    mod browser {
        use wasm_bindgen_test::*;

        use super::super::Claims;
        use super::TOKEN;

        wasm_bindgen_test_configure!(run_in_browser);

        #[wasm_bindgen_test]
        fn claims_are_read_by_name() {
            let claims = Claims::of(TOKEN).expect("claims");
            assert_eq!(claims.string("nonce").as_deref(), Some("n-0S6"));
            assert_eq!(claims.number("exp"), Some(1.8e9));
            assert!(claims.pretty().contains("\"sub\": \"auth0|alice\""));
        }

        #[wasm_bindgen_test]
        fn the_subject_is_read_and_a_payload_without_one_has_none() {
            assert_eq!(super::super::subject(TOKEN).as_deref(), Some("auth0|alice"));
            // Payloads `5` and `{}`.
            assert_eq!(super::super::subject("a.NQ.c"), None);
            assert_eq!(super::super::subject("a.e30.c"), None);
        }

        #[wasm_bindgen_test]
        fn a_payload_that_is_no_object_has_no_claims() {
            // Payloads `[1]` and `"x"`: JSON, but not objects.
            assert!(Claims::of("a.WzFd.c").is_none());
            assert!(Claims::of("a.Ingi.c").is_none());
        }
    }
}
