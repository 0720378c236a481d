//! The browser's globals that the login needs, as a [`LoginError`] rather than a panic
//! when the page has none.

use super::error::LoginError;

pub fn window() -> Result<web_sys::Window, LoginError> {
    web_sys::window().ok_or_else(|| LoginError("There is no browser window.".into()))
}

/// This tab's `sessionStorage`.
pub fn session_storage() -> Result<web_sys::Storage, LoginError> {
    window()?
        .session_storage()?
        .ok_or_else(|| LoginError("This browser has no sessionStorage.".into()))
}
