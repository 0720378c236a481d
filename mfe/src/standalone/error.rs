//! [`LoginError`]: why the standalone page has no sign-in, in words for people. Below
//! everything that signs in (`oidc`, `callback`, the browser's globals in `browser`), so
//! that each can return it.

use wasm_bindgen::{JsCast, JsValue};

/// Why there is no sign-in, in words for people.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct LoginError(pub String);

impl From<JsValue> for LoginError {
    fn from(error: JsValue) -> Self {
        // The message only: `Debug` of a `JsValue` would pull float formatting into the bundle.
        let detail = error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| error.as_string())
            .unwrap_or_default();
        Self(format!("The browser refused: {detail}"))
    }
}
