//! `/households/new`: names a new household, which the caller then owns, and opens it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::households::{NAME_MAX, NewHousehold};

use super::explain;
use crate::api::{self, ApiError};
use crate::standalone::paths::{self, href};
use crate::standalone::state::Standalone;

#[component]
pub fn CreateHousehold() -> impl IntoView {
    let app = Standalone::expect();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let problem = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let request = NewHousehold {
            name: name.get_untracked().trim().to_owned(),
        };
        // The server's own rule, checked before sending.
        if let Some(error) = request.validate().first() {
            return problem.set(format!("The name {}.", error.message));
        }
        let Some(token) = app.access_token() else {
            return app.signed_out();
        };
        problem.set(String::new());
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::create_household(&app.api_base(), &token, &request).await {
                Ok(created) => {
                    app.households.refetch();
                    navigate(
                        &paths::household(&created.id.to_string()),
                        Default::default(),
                    );
                }
                Err(ApiError::AuthRequired) => app.signed_out(),
                Err(error) => problem.set(explain(&error)),
            }
            busy.try_set(false);
        });
    };
    let no_problem = Signal::derive(move || problem.read().is_empty());
    view! {
        <h1>"Create a household"</h1>
        <p>"You will be its owner: you invite others and decide who joins."</p>
        <form class="sa-form" on:submit=submit>
            <label>
                "Name "
                <input data-testid="household-name" required maxlength=NAME_MAX.to_string() bind:value=name />
            </label>
            <button type="submit" data-testid="create-household" disabled=busy>
                "Create"
            </button>
        </form>
        <p class="sa-problem" role="alert" hidden=no_problem>{problem}</p>
        <p>
            <A href=href(paths::HOME)>"Back to your households"</A>
        </p>
    }
}
