//! The household's vehicles, with "Add vehicle" for those who may write.

use leptos::prelude::*;

use super::context::Garage;
use super::form::AddButton;
use super::load::load;
use super::status::Placeholder;
use super::vehicle_card::VehicleCard;
use super::vehicle_form::VehicleForm;

#[component]
pub fn VehicleList() -> impl IntoView {
    let garage = Garage::expect();
    let vehicles = load(move || {
        let api = garage.api();
        garage.vehicles_rev.track();
        async move { garage.observe(api.vehicles().await) }
    });
    // Effects run after the render, so "ready" means the rows are in the DOM.
    Effect::new(move || {
        if matches!(vehicles.get(), Some(Ok(_))) {
            garage.announce_ready();
        }
    });
    let adding = RwSignal::new(false);
    let cards = move || {
        let list = vehicles.get().and_then(Result::ok).unwrap_or_default();
        list.into_iter()
            .map(|vehicle| view! { <VehicleCard vehicle /> })
            .collect_view()
    };

    view! {
        <section class="hh-section" aria-labelledby="hh-vehicles">
            <header class="hh-section-head">
                <h2 id="hh-vehicles">"Vehicles"</h2>
                <AddButton label="Add vehicle" adding />
            </header>
            {move || {
                (adding.get() && garage.can_write())
                    .then(|| view! { <VehicleForm on_done=move || adding.set(false) /> })
            }}
            {move || {
                vehicles
                    .with(|state| Placeholder::of(state, Vec::is_empty, "No vehicles yet."))
                    .map(Placeholder::view)
            }}
            // Not a keyed `<For>`: when the list reloads (a vehicle added, edited or deleted)
            // every card is drawn anew. Open fuel logs stay open (the garage holds that), but
            // another card's open edit form closes. Keying the cards would keep it, at some
            // 4.6 KB of the gzipped bundle (measured), a tenth of the vehicle views.
            <ul class="hh-vehicles">{cards}</ul>
        </section>
    }
}
