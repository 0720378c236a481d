//! The round trip through the issuer: what a login keeps while the browser is away, and
//! what comes back in the address bar.
//!
//! The verifier, `state` and `nonce` sit in `sessionStorage` (this tab only) for exactly
//! that trip: saved just before leaving, removed the moment the answer arrives, before
//! anything else can fail. The answer's `code` and `state` leave the address bar
//! (`history.replaceState`) before the page starts, so neither a reload nor the router sees
//! them, and the user is back at the URL they signed in from.

use wasm_bindgen::JsValue;
use web_sys::UrlSearchParams;

use super::browser::{session_storage, window};
use super::error::LoginError;

/// The `sessionStorage` key of a login in progress.
const KEY: &str = "household-mfe.login";

/// What a login in progress keeps across the redirect.
pub struct Pending {
    pub verifier: String,
    pub state: String,
    pub nonce: String,
    /// Where the user was, to return there.
    pub return_to: String,
}

impl Pending {
    /// Keeps it until the issuer's answer comes back to this tab.
    pub fn save(&self) -> Result<(), LoginError> {
        Ok(session_storage()?.set_item(KEY, &self.to_storage())?)
    }

    /// Takes it back: it is single use, so it is removed whatever happens next.
    fn take() -> Option<Self> {
        let storage = session_storage().ok()?;
        let saved = storage.get_item(KEY).ok()??;
        storage.remove_item(KEY).ok()?;
        Self::from_storage(&saved)
    }

    /// One line each: the first three are base64url and the path is URL-encoded, so none
    /// holds a line break.
    fn to_storage(&self) -> String {
        [&self.verifier, &self.state, &self.nonce, &self.return_to]
            .map(String::as_str)
            .join("\n")
    }

    fn from_storage(saved: &str) -> Option<Self> {
        let mut lines = saved.splitn(4, '\n').map(str::to_owned);
        Some(Self {
            verifier: lines.next()?,
            state: lines.next()?,
            nonce: lines.next()?,
            return_to: lines.next()?,
        })
    }
}

/// The issuer's answer, taken out of the address bar.
pub struct Callback {
    pub code: Option<String>,
    pub state: String,
    /// The issuer's `error_description`, or its `error`.
    pub error: Option<String>,
    /// What this tab kept for it, if anything.
    pub pending: Option<Pending>,
}

/// Takes the issuer's answer out of the address bar and the login's secrets out of
/// `sessionStorage`, and puts the user's URL back; `None` when this load is no answer.
pub fn take_callback() -> Option<Callback> {
    let location = window().ok()?.location();
    let query = UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
    let state = query.get("state")?;
    let (code, error) = (query.get("code"), query.get("error"));
    if code.is_none() && error.is_none() {
        return None;
    }
    let pending = Pending::take();
    let back = match &pending {
        Some(pending) => pending.return_to.clone(),
        None => location.pathname().ok()?,
    };
    let history = window().ok()?.history().ok()?;
    if history
        .replace_state_with_url(&JsValue::NULL, "", Some(&back))
        .is_err()
    {
        leptos::logging::warn!("the sign-in answer could not be taken out of the address bar");
    }
    let error = error.map(|e| query.get("error_description").unwrap_or(e));
    Some(Callback {
        code,
        state,
        error,
        pending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_login_survives_storage() {
        let pending = Pending {
            verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into(),
            state: "s-1".into(),
            nonce: "n-1".into(),
            return_to: "/mfe/household/a%20b/mfe?x=1#top".into(),
        };
        let back = Pending::from_storage(&pending.to_storage()).expect("parsed");
        assert_eq!(
            (back.verifier, back.state, back.nonce, back.return_to),
            (
                pending.verifier,
                pending.state,
                pending.nonce,
                pending.return_to
            )
        );
        assert!(Pending::from_storage("only\nthree\nlines").is_none());
    }
}
