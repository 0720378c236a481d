//! The dev toolbar: picks the household (one of the caller's, or any id typed in, to try a
//! foreign one), and shows what the token manager is doing: the current household's
//! internal token, its claims and time left, and how many exchanges have run, with
//! buttons to force a refresh and to clear the cache.
//!
//! The claims are decoded, not verified (see `crate::jwt`). The time left ticks once a second for
//! the display only; the token manager itself checks expiry when a token is read.
//! Texts are `Signal<String>`s rather than closures: one rendering of that type serves them
//! all, where each closure would be compiled into the bundle on its own.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use super::paths;
use super::state::Standalone;
use crate::api::now_secs;
use crate::jwt::Claims;

#[component]
pub fn Toolbar(
    /// The household on screen, if any.
    #[prop(into)]
    household: Signal<Option<Uuid>>,
) -> impl IntoView {
    let app = Standalone::expect();
    let navigate = use_navigate();
    let go = UnsyncCallback::new(move |id: String| {
        // Another household leaves the page scrolled where it is, as the list's links do.
        let options = NavigateOptions {
            scroll: false,
            ..Default::default()
        };
        navigate(&paths::household(id.trim()), options);
    });
    let typed = RwSignal::new(String::new());
    // The current household's token: its claims as JSON, and its `exp`.
    let token = Memo::new(move |_| {
        let household = household.get()?;
        let claims = app.grants.with(|g| Claims::of(g.get(&household)?))?;
        Some((claims.pretty(), claims.number("exp")))
    });
    let second = Trigger::new();
    if let Ok(tick) = set_interval_with_handle(move || second.notify(), Duration::from_secs(1)) {
        on_cleanup(move || tick.clear());
    }
    let claims = Signal::derive(move || {
        token
            .with(|t| t.as_ref().map(|t| t.0.clone()))
            .unwrap_or_default()
    });
    let expiry = Signal::derive(move || match token.with(|t| t.as_ref().map(|t| t.1)) {
        None => "no token".to_owned(),
        Some(Some(exp)) if exp > now_secs() => {
            second.track();
            let left = (exp - now_secs()) as u64;
            format!("{}m {:02}s", left / 60, left % 60)
        }
        Some(_) => "expired".to_owned(),
    });
    let count = Signal::derive(move || app.exchange_count().to_string());
    let none = Signal::derive(move || household.get().is_none());
    view! {
        <section class="sa-toolbar" aria-label="Developer toolbar">
            <div class="sa-row">
                <label>
                    "Household "
                    <select data-testid="household-select" on:change=move |ev| go.run(event_target_value(&ev))>
                        {move || options(app, household.get())}
                    </select>
                </label>
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    if !typed.read_untracked().trim().is_empty() {
                        go.run(typed.get_untracked());
                    }
                }>
                    <input
                        data-testid="household-input"
                        aria-label="Any household id"
                        placeholder="any household id"
                        bind:value=typed
                    />
                    <button type="submit" data-testid="household-apply">"Open"</button>
                </form>
            </div>
            <div class="sa-row">
                <button
                    type="button"
                    data-testid="force-refresh"
                    disabled=none
                    on:click=move |_| household.get_untracked().into_iter().for_each(|h| app.refresh(h))
                >
                    "Force refresh"
                </button>
                <button type="button" data-testid="clear-cache" on:click=move |_| app.clear_cache()>
                    "Clear cache"
                </button>
                <span>"Exchanges: " <b data-testid="exchange-count">{count}</b></span>
                <span>"Expires in: " <b data-testid="token-expiry">{expiry}</b></span>
            </div>
            <pre data-testid="token-claims">{claims}</pre>
        </section>
    }
}

/// The caller's households, and the one on screen if it is not among them.
fn options(app: Standalone, current: Option<Uuid>) -> impl IntoView {
    let mut choices: Vec<(String, String)> = app.households.with(|loaded| match loaded {
        Some(Ok(mine)) => mine
            .households
            .iter()
            .map(|m| {
                (
                    m.household_id.to_string(),
                    format!("{} ({})", m.name, m.role.as_str()),
                )
            })
            .collect(),
        _ => Vec::new(),
    });
    let current = current.map(|id| id.to_string()).unwrap_or_default();
    if current.is_empty() {
        choices.insert(0, (String::new(), "Choose a household".to_owned()));
    } else if !choices.iter().any(|(id, _)| *id == current) {
        choices.push((current.clone(), format!("Other household {current}")));
    }
    choices
        .into_iter()
        .map(|(id, label)| {
            let selected = id == current;
            view! { <option value=id selected=selected>{label}</option> }
        })
        .collect_view()
}
