//! `/join`: redeems an invitation code (typed, or from `?code=`), which files a request to
//! join its household. An owner approves or denies it in the household's Members view;
//! until then the household does not open for the caller.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use shared::invitations::Redemption;

use super::explain;
use crate::api::{self, ApiError};
use crate::standalone::paths::{self, href};
use crate::standalone::state::Standalone;

#[component]
pub fn Join() -> impl IntoView {
    let app = Standalone::expect();
    let query = use_query_map();
    let code = RwSignal::new(query.read_untracked().get("code").unwrap_or_default());
    let problem = RwSignal::new(String::new());
    let sent = RwSignal::new(None::<Redemption>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        if typed.trim().is_empty() {
            return problem.set("Type the code an owner gave you.".to_owned());
        }
        let Some(token) = app.access_token() else {
            return app.signed_out();
        };
        problem.set(String::new());
        busy.set(true);
        spawn_local(async move {
            match api::redeem_invitation(&app.api_base(), &token, &typed).await {
                Ok(redemption) => sent.set(Some(redemption)),
                Err(ApiError::AuthRequired) => app.signed_out(),
                // Unknown, used and expired codes are not told apart.
                Err(error) if error.status() == 404 => problem
                    .set("No invitation has this code, or it was used or has expired.".to_owned()),
                Err(error) => problem.set(explain(&error)),
            }
            busy.try_set(false);
        });
    };
    let no_problem = Signal::derive(move || problem.read().is_empty());
    let waiting = move || {
        sent.get().map(|redemption| {
            let household = href(&paths::household(&redemption.household_id.to_string()));
            view! {
                <div role="status" data-testid="join-status">
                    <p>
                        <strong>"Request sent, waiting for an owner."</strong>
                        " An owner of the household approves or denies it in its Members view."
                    </p>
                    <p>
                        <A href=household>"Open the household"</A>
                        " (once approved)"
                    </p>
                </div>
            }
        })
    };
    view! {
        <h1>"Join with a code"</h1>
        <form class="sa-form" on:submit=submit>
            <label>
                "Invitation code "
                <input data-testid="invitation-code" required autocomplete="off" bind:value=code />
            </label>
            <button type="submit" data-testid="redeem" disabled=busy>
                "Ask to join"
            </button>
        </form>
        <p class="sa-problem" role="alert" hidden=no_problem>{problem}</p>
        {waiting}
        <p>
            <A href=href(paths::HOME)>"Back to your households"</A>
        </p>
    }
}
