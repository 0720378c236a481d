//! The element's DOM events. All bubble and are `composed`, so they cross the shadow root
//! and a host can listen on the element or on any ancestor.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use crate::garage::Notice;
use crate::token::TokenError;

pub const READY: &str = "household-mfe-ready";
pub const ERROR: &str = "household-mfe-error";
pub const AUTH_REQUIRED: &str = "household-mfe-auth-required";

/// Dispatches what the garage reported.
pub fn notice(element: &HtmlElement, notice: &Notice) {
    match notice {
        Notice::Ready => dispatch(element, READY, &JsValue::NULL),
        Notice::AuthRequired => dispatch(element, AUTH_REQUIRED, &JsValue::NULL),
        Notice::Error { status, title } => {
            dispatch(element, ERROR, &status_and_title(*status, title))
        }
    }
}

/// `{status, title}`, the `detail` of `household-mfe-error`, also put on rejected
/// `getInternalToken()` errors.
pub fn status_and_title(status: u16, title: &str) -> JsValue {
    let detail = Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&detail, &"status".into(), &status.into());
    let _ = Reflect::set(&detail, &"title".into(), &title.into());
    detail.into()
}

/// The status a token failure stands for, as `household-mfe-error` would report it.
pub fn token_status(error: &TokenError) -> u16 {
    match error {
        TokenError::Unauthorized => 401,
        TokenError::Forbidden => 403,
        TokenError::RateLimited { .. } => 429,
        TokenError::Server(status) => *status,
        TokenError::Network(_) | TokenError::Cleared => 0,
    }
}

/// A JS `Error` for a rejected `getInternalToken()`, with `status` for programs.
pub fn token_error(error: &TokenError) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    let _ = Reflect::set(&js, &"status".into(), &token_status(error).into());
    js.into()
}

pub fn dispatch(element: &HtmlElement, name: &str, detail: &JsValue) {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    // Creating a CustomEvent with a valid name cannot fail, and dispatch only reports
    // whether a listener cancelled it: neither is ours to act on.
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = element.dispatch_event(&event);
    }
}
