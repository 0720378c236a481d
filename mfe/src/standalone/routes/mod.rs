//! The standalone page's routes, one page per file, with `leptos_router` under the app's
//! base path (`/mfe` when the server serves the bundle, empty under `trunk serve`): `/`
//! lists the caller's households, `/household/:id/mfe` shows one household's garage (the
//! path the server's host page uses), `/households/new` creates a household and `/join`
//! redeems an invitation code. Anything else is `not_found`.
//!
//! A page is a file here, one `<Route>` line in [`Pages`], and its path in
//! `standalone::paths`, where links and the toolbar take it from (`path!` wants a literal,
//! so the pattern is written out here). The router is in this bundle only: the element
//! bundle has no routes (see the `standalone` feature in `Cargo.toml`).

mod create;
mod home;
mod household;
mod join;
mod not_found;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api::ApiError;
use crate::standalone::paths::Base;

/// The address bar, read and written by `leptos_router` (links, `use_navigate`,
/// back/forward), for everything inside: the pages and the toolbar.
#[component]
pub fn Paths(
    /// The path of the app's base URL, without its trailing slash: `/mfe`, or empty.
    base: String,
    children: Children,
) -> impl IntoView {
    provide_context(Base(base.clone()));
    view! { <Router base>{children()}</Router> }
}

/// The page for the current address. Another household on the same route reaches the
/// mounted page as a new `:id`, so the garage reloads in place.
#[component]
pub fn Pages() -> impl IntoView {
    view! {
        <Routes fallback=not_found::NotFound>
            <Route path=path!("/") view=home::Home />
            <Route path=path!("/household/:id/mfe") view=household::Household />
            <Route path=path!("/households/new") view=create::CreateHousehold />
            <Route path=path!("/join") view=join::Join />
        </Routes>
    }
}

/// A refusal in words: the problem's title, its detail, and its field messages.
pub fn explain(error: &ApiError) -> String {
    let mut text = error.title();
    if let ApiError::Problem(problem) = error
        && let Some(detail) = &problem.detail
    {
        text = format!("{text}: {detail}");
    }
    for field in error.field_errors() {
        text = format!("{text}; {} {}", field.field, field.message);
    }
    text
}
