//! The garage's non-data states: loading, empty, a failed call, no access, no sign-in, and
//! the role.
//!
//! Sections read their loaded data with `.with()` and show [`Placeholder::of`] until there is
//! some, rather than wrapping each in `<Transition>`/`<Suspense>`: loaded data stays while it
//! reloads, which gives the same "old rows stay until new ones arrive", and one non-generic
//! view function for every section keeps the wasm bundle small.

use leptos::prelude::*;
use shared::Role;

use super::context::Garage;
use crate::api::ApiError;

/// What a section shows in place of its data.
pub enum Placeholder {
    Loading,
    Empty(&'static str),
    Failed(ApiError),
}

impl Placeholder {
    /// For a resource's state; `None` once there is data to show.
    pub fn of<T>(
        state: &Option<Result<T, ApiError>>,
        is_empty: fn(&T) -> bool,
        empty: &'static str,
    ) -> Option<Self> {
        match state {
            None => Some(Self::Loading),
            Some(Err(error)) => Some(Self::Failed(error.clone())),
            Some(Ok(data)) if is_empty(data) => Some(Self::Empty(empty)),
            Some(Ok(_)) => None,
        }
    }

    pub fn view(self) -> AnyView {
        match self {
            Self::Loading => view! { <Loading /> }.into_any(),
            Self::Empty(text) => view! { <p class="hh-empty">{text}</p> }.into_any(),
            Self::Failed(error) => view! { <ErrorNote error retry=true /> }.into_any(),
        }
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <p class="hh-loading" role="status">
            "Loading…"
        </p>
    }
}

/// A failed call, in place of the data it was for.
#[component]
pub fn ErrorNote(
    error: ApiError,
    /// Offer "Try again", which reloads every view of the garage.
    #[prop(optional)]
    retry: bool,
) -> impl IntoView {
    let garage = Garage::expect();
    let detail = match &error {
        ApiError::Problem(problem) => problem.detail.clone(),
        ApiError::Network(_) => Some("Check your connection.".to_owned()),
        _ => None,
    };
    let retry = retry.then(|| {
        view! {
            <button type="button" on:click=move |_| garage.try_again()>
                "Try again"
            </button>
        }
    });
    view! {
        <div class="hh-error" role="alert">
            <strong>{error.title()}</strong>
            {detail.map(|d| view! { <p>{d}</p> })}
            {retry}
        </div>
    }
}

#[component]
pub fn AccessDenied() -> impl IntoView {
    view! {
        <div class="hh-blocked" role="alert">
            <h2>"Access denied"</h2>
            <p>"You are not a member of this household, or it is suspended."</p>
        </div>
    }
}

#[component]
pub fn AuthRequired() -> impl IntoView {
    let garage = Garage::expect();
    view! {
        <div class="hh-blocked" role="alert">
            <h2>"Sign-in required"</h2>
            <p>"Sign in to see this household's garage."</p>
            <button type="button" on:click=move |_| garage.try_again()>
                "Try again"
            </button>
        </div>
    }
}

/// Tells a viewer why there is nothing to click.
#[component]
pub fn RoleBadge() -> impl IntoView {
    let garage = Garage::expect();
    move || {
        (garage.role() == Some(Role::Viewer)).then(|| {
            view! { <p class="hh-badge">"You can view this household but not change it."</p> }
        })
    }
}
