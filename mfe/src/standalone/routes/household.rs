//! `/household/:id/mfe`: one household's garage, the very component host pages embed.
//!
//! The garage is rendered in an open shadow root with its own style sheet (a `<Portal>`,
//! which appends it to the body, below the toolbar), as `<household-mfe>` renders it, so it
//! looks and is isolated here as on a host page. Whether the caller may see the household
//! is the garage's business: a foreign id gets its "access denied" view from the exchange's
//! 403, and no data.

use leptos::portal::Portal;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::garage::{HouseholdMfe, Notice, STYLE};
use crate::standalone::state::Standalone;
use crate::standalone::toolbar::Toolbar;

#[component]
pub fn Household() -> impl IntoView {
    let app = Standalone::expect();
    // The id from the address, as typed, so that an invalid one can be shown.
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let household = Memo::new(move |_| Uuid::parse_str(id.read().trim()).ok());
    // Only validity re-renders; another valid id reaches the mounted garage.
    let valid: Signal<bool> = Memo::new(move |_| household.read().is_some()).into();
    let on_notice = UnsyncCallback::new(move |notice: Notice| match notice {
        // After the garage has finished telling: signing out unmounts it.
        Notice::AuthRequired => queue_microtask(move || app.signed_out()),
        Notice::Error { status, title } => leptos::logging::warn!("garage: {status} {title}"),
        Notice::Ready => {}
    });
    let (client, api_base) = (
        StoredValue::new_local(app.client()),
        Signal::stored(app.api_base()),
    );
    let garage = move || {
        valid.get().then(|| {
            view! {
                <Portal use_shadow=true>
                    <style>{STYLE}":host { margin: 1rem; }"</style>
                    <HouseholdMfe
                        household_id=Signal::derive(move || household.get().unwrap_or_default())
                        api_base
                        client=client.get_value()
                        on_notice
                    />
                </Portal>
            }
        })
    };
    let invalid = Signal::derive(move || {
        if valid.get() {
            String::new()
        } else {
            format!(
                "“{}” is not a household id (a UUID). Pick a household, or type its id.",
                id.get()
            )
        }
    });
    view! {
        <Toolbar household />
        <p class="sa-invalid" role="alert" data-testid="invalid-household" hidden=valid>{invalid}</p>
        {garage}
    }
}
