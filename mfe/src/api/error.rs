//! Why a call gave no data: [`ApiError`], made from a refused token, a `fetch` that got no
//! answer, a body that could not be read, or the server's problem answer.

use shared::Problem;
use shared::problem::FieldError;
use wasm_bindgen::{JsCast, JsValue};

use crate::token::TokenError;

/// Why a call gave no data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The server answered with an error; `errors` holds field messages on 422. Boxed to
    /// keep `Result<T, ApiError>` small on the happy path.
    #[error("{}", .0.title)]
    Problem(Box<Problem>),
    /// No usable sign-in: no access-token source, or the API refused a renewed token.
    #[error("sign-in required")]
    AuthRequired,
    /// The exchange refused the household: the caller is not a member (any more), or the
    /// household is suspended. Data calls that answer 403 end here too when a fresh exchange
    /// confirms it (see [`HouseholdApi`](super::HouseholdApi)), so a removed member learns
    /// it on the next call.
    #[error("Access denied")]
    AccessDenied,
    /// No answer at all (offline, CORS, DNS).
    #[error("the server could not be reached")]
    Network(String),
    /// A success whose body was not what the route promises.
    #[error("unexpected answer from the server")]
    Decode(String),
    /// The request was aborted (unmount) or its token was cleared (household switch);
    /// nobody is waiting for it, so views ignore it.
    #[error("cancelled")]
    Cancelled,
}

impl ApiError {
    /// The HTTP status, 401 for a lost sign-in, 0 when there was no usable answer.
    pub fn status(&self) -> u16 {
        match self {
            Self::Problem(problem) => problem.status,
            Self::AuthRequired => 401,
            Self::AccessDenied => 403,
            Self::Network(_) | Self::Decode(_) | Self::Cancelled => 0,
        }
    }

    /// A one-line description for people.
    pub fn title(&self) -> String {
        match self {
            Self::Problem(problem) => problem.title.clone(),
            other => other.to_string(),
        }
    }

    /// The server's field messages (422); empty otherwise.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Problem(problem) => &problem.errors,
            _ => &[],
        }
    }

    pub(super) fn problem(status: u16, title: &str, detail: Option<&str>) -> Self {
        Self::Problem(Box::new(Problem {
            kind: "about:blank".to_owned(),
            title: title.to_owned(),
            status,
            detail: detail.map(str::to_owned),
            request_id: None,
            errors: Vec::new(),
        }))
    }

    /// A rejected `fetch`: aborted by the mount's signal, or no answer at all.
    pub(super) fn from_fetch(error: JsValue) -> Self {
        match js_error(error) {
            Some((name, _)) if name == "AbortError" => Self::Cancelled,
            Some((_, text)) => Self::Network(text),
            None => Self::Network("fetch failed".to_owned()),
        }
    }

    /// A body that could not be read or was not the JSON the route promises.
    pub(super) fn from_body(error: JsValue) -> Self {
        match js_error(error) {
            Some((name, _)) if name == "AbortError" => Self::Cancelled,
            Some((_, text)) => Self::Decode(text),
            None => Self::Decode("unreadable body".to_owned()),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Unauthorized => Self::AuthRequired,
            TokenError::Forbidden => Self::AccessDenied,
            TokenError::RateLimited { .. } => Self::problem(
                429,
                "Too many requests",
                Some("Please wait a moment and try again."),
            ),
            TokenError::Network(message) => Self::Network(message),
            TokenError::Server(status) => {
                Self::problem(status, "Sign-in to the household failed", None)
            }
            TokenError::Cleared => Self::Cancelled,
        }
    }
}

/// A JS exception's `name` and its `"name: message"` text, if it is an `Error`.
fn js_error(error: JsValue) -> Option<(String, String)> {
    let error = error.dyn_into::<js_sys::Error>().ok()?;
    Some((error.name().into(), error.to_string().into()))
}
