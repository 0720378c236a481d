//! The household garage: vehicles, their fuel logs, and the summary with its chart; and
//! beside them, the household's members (`members`).
//!
//! [`HouseholdMfe`] is the one component that both the custom element and the standalone
//! page mount. It knows nothing of how it is hosted: the host hands it a [`Client`] (whose
//! token manager decides where sign-ins come from) and hears back through [`Notice`]s.
//!
//! Data is loaded with [`load`](load::load), which keeps its last value while it reloads, so
//! a reload leaves the old rows on screen (see `status` for why no `<Transition>`); writes
//! are plain `spawn_local` tasks with a "saving" signal. Errors are matched by type rather
//! than caught by an `<ErrorBoundary>`: a 403 from the exchange, a lost sign-in and a form's
//! 422 each need their own view, which a type-erased error would lose.
//!
//! The bundle's size is a requirement (a micro-frontend loads inside someone else's page),
//! and Leptos compiles every distinct reactive type into its own code, so the garage leans
//! on fewer, plainer primitives than it might: no `LocalResource`/`Action` (see `load`),
//! the chart as SVG markup, numbers parsed and printed without core's float algorithms.

mod chart;
mod context;
mod form;
mod format;
mod fuel_form;
mod fuel_logs;
mod load;
mod members;
mod status;
mod summary;
mod vehicle_card;
mod vehicle_form;
mod vehicles;

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::Client;
use context::{Blocked, Garage};
use status::{AccessDenied, AuthRequired, Placeholder};

pub use chart::{Plot, plot};
/// For other views that load data (the standalone page), so that the bundle keeps one loader.
pub use load::{Loaded, load};

/// The garage's style sheet. Colours, radius and font come from CSS custom properties
/// (`--hh-bg`, `--hh-fg`, `--hh-accent`, `--hh-danger`, `--hh-radius`, `--hh-font`, …) that
/// the host may set; `theme="dark"` on the host element switches the defaults.
pub const STYLE: &str = include_str!("style.css");

/// What the garage tells its host, which turns these into DOM events.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The first data of a household is on screen (once per household).
    Ready,
    /// A call failed. Not sent for cancelled calls, for field errors a form shows, or while
    /// the garage is already showing why it is blocked.
    Error { status: u16, title: String },
    /// A call needs a sign-in the host has not given, or one the API no longer accepts.
    AuthRequired,
}

/// The household garage.
#[component]
pub fn HouseholdMfe(
    /// The household to show. Changing it reloads every view in place.
    #[prop(into)]
    household_id: Signal<Uuid>,
    /// Base URL of the API without a trailing slash; empty (the default) for the page's
    /// own origin.
    #[prop(into, optional)]
    api_base: Signal<String>,
    /// Makes the calls; its token manager decides where sign-ins come from.
    client: Client,
    /// A counter the host bumps when the sign-in changes (a new access-token provider, a
    /// login): views that failed for want of a sign-in try again.
    #[prop(into, optional)]
    session: Signal<u64>,
    /// Told about readiness, failures and lost sign-ins.
    #[prop(into, optional)]
    on_notice: Option<UnsyncCallback<Notice>>,
) -> impl IntoView {
    let garage = Garage::new(client, household_id, api_base, session, on_notice);
    provide_context(garage);

    // The exchange opens the garage: it says whether the caller may see the household at
    // all and with which role. The sections first mount once it has answered, so a 403
    // shows one "access denied" rather than three failed sections.
    let gate = load::load(move || {
        let api = garage.api();
        async move {
            // A 403 blocks the garage in `observe`, whichever call meets it first.
            let outcome = garage.observe(api.token().await);
            if let Ok(token) = &outcome {
                garage.set_role(token.household_id, token.role);
            }
            outcome.map(|token| token.role)
        }
    });
    // Whatever blocked one household, API or sign-in may not block the next.
    Effect::new(move |ran: Option<()>| {
        garage.track_scope();
        if ran.is_some() {
            garage.blocked.set(None);
        }
    });

    let screen = Memo::new(move |_| match garage.blocked.get() {
        Some(blocked) => Screen::Blocked(blocked),
        None if garage.opened() => Screen::Open,
        None => Screen::Opening,
    });
    view! {
        <div class="hh" part="root">
            {move || match screen.get() {
                Screen::Blocked(Blocked::AccessDenied) => view! { <AccessDenied /> }.into_any(),
                Screen::Blocked(Blocked::AuthRequired) => view! { <AuthRequired /> }.into_any(),
                Screen::Opening => {
                    (move || {
                        gate.with(|state| Placeholder::of(state, |_| false, ""))
                            .map(Placeholder::view)
                    })
                        .into_any()
                }
                // Mounted afresh for each household, so that none of the previous
                // household's rows stay on screen while the new one loads.
                Screen::Open => {
                    (move || {
                        garage.track_household();
                        // Each household opens on its vehicles.
                        let members = RwSignal::new(false);
                        view! {
                            <status::RoleBadge />
                            <nav class="hh-tabs" aria-label="Household views">
                                {tab("Garage", Tab::Garage, members)}
                                {tab("Members", Tab::Members, members)}
                            </nav>
                            {move || {
                                if members.get() {
                                    view! { <members::MembersView /> }.into_any()
                                } else {
                                    view! {
                                        <vehicles::VehicleList />
                                        <summary::SummarySection />
                                    }
                                        .into_any()
                                }
                            }}
                        }
                    })
                        .into_any()
                }
            }}
        </div>
    }
}

/// The views of a household, one tab each.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Garage,
    Members,
}

/// A button that shows `which` view of the household; pressed while that view is on
/// screen. Switching mounts the view afresh, so it loads anew. `members` says whether the
/// members are on screen: a `bool` rather than a signal of [`Tab`], which would be a
/// reactive type of its own in the bundle.
fn tab(label: &'static str, which: Tab, members: RwSignal<bool>) -> impl IntoView {
    let mine = which == Tab::Members;
    view! {
        <button
            type="button"
            aria-pressed=move || (members.get() == mine).to_string()
            on:click=move |_| members.set(mine)
        >
            {label}
        </button>
    }
}

/// What fills the garage: a reason it is blocked, the exchange's progress, or the data.
#[derive(Clone, Copy, PartialEq)]
enum Screen {
    Blocked(Blocked),
    Opening,
    Open,
}
