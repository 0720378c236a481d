//! `/`: the caller's households, as links to their garages, and the ways to a new one:
//! creating it, or joining with an owner's code.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::households::{HouseholdStatus, Membership};

use crate::standalone::paths::{self, href};
use crate::standalone::state::Standalone;
use crate::standalone::toolbar::Toolbar;

#[component]
pub fn Home() -> impl IntoView {
    let app = Standalone::expect();
    let status = Signal::derive(move || match app.households.get() {
        None => "Loading your households…".to_owned(),
        Some(Err(error)) => format!("Your households could not be listed: {}", error.title()),
        Some(Ok(mine)) if mine.households.is_empty() => {
            "You are not a member of any household yet.".to_owned()
        }
        Some(Ok(_)) => String::new(),
    });
    let links = move || {
        let mine = app.households.get().and_then(Result::ok);
        mine.map(|mine| mine.households.into_iter().map(link).collect_view())
    };
    view! {
        <Toolbar household=Signal::stored(None) />
        <h1>"Your households"</h1>
        <p>{status}</p>
        <ul data-testid="household-list">{links}</ul>
        <p>
            <A href=href(paths::NEW_HOUSEHOLD)>"Create a household"</A>
            " · "
            <A href=href(paths::JOIN)>"Join with a code"</A>
        </p>
    }
}

fn link(membership: Membership) -> impl IntoView {
    let href = href(&paths::household(&membership.household_id.to_string()));
    let suspended = (membership.status == HouseholdStatus::Suspended).then_some(" (suspended)");
    view! {
        <li>
            <A href scroll=false>{membership.name}</A>
            " · "
            {membership.role.as_str()}
            {suspended}
        </li>
    }
}
