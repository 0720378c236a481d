//! A vehicle's fuel logs, newest first, a page at a time, with the form to add one.

use leptos::prelude::*;
use shared::fuel_logs::FuelLog;
use shared::page::Page;
use shared::vehicles::FuelUnit;
use uuid::Uuid;

use super::context::Garage;
use super::form::AddButton;
use super::format::number;
use super::fuel_form::FuelForm;
use super::load::load;
use super::status::Placeholder;

/// Logs shown at first, and added by each "Load more".
const PAGE: u32 = 20;

/// "Load more" asks for a longer list rather than the next page: one `load` then serves
/// the first page, more pages and the reload after a fill-up is added, and the rows on
/// screen stay until the longer list arrives. The price is that the rows already shown are
/// fetched again (a page of at most 200 logs per request; see `HouseholdApi::fuel_logs`).
#[component]
pub fn FuelLogs(vehicle_id: Uuid, unit: FuelUnit) -> impl IntoView {
    let garage = Garage::expect();
    let count = RwSignal::new(PAGE);
    let logs = load(move || {
        let api = garage.api();
        garage.logs_rev.track();
        let count = count.get();
        async move { garage.observe(api.fuel_logs(vehicle_id, count).await) }
    });
    let adding = RwSignal::new(false);
    let unit_label = match unit {
        FuelUnit::Litres => "Fuel (L)",
        FuelUnit::UsGallons => "Fuel (US gal)",
    };

    let empty: fn(&Page<FuelLog>) -> bool = |page| page.items.is_empty();
    let has_more =
        move || logs.with(|state| matches!(state, Some(Ok(page)) if page.next_cursor.is_some()));

    view! {
        <div class="hh-logs">
            <AddButton label="Add fill-up" adding />
            {move || {
                (adding.get() && garage.can_write())
                    .then(|| view! { <FuelForm vehicle_id unit on_done=move || adding.set(false) /> })
            }}
            {move || {
                logs
                    .with(|state| Placeholder::of(state, empty, "No fill-ups recorded yet."))
                    .map(Placeholder::view)
            }}
            {move || {
                logs
                    .get()
                    .and_then(Result::ok)
                    .filter(|page| !empty(page))
                    .map(|page| {
                        view! {
                            <table class="hh-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Date"</th>
                                        <th scope="col" class="hh-num">"Odometer (km)"</th>
                                        <th scope="col" class="hh-num">{unit_label}</th>
                                        <th scope="col" class="hh-num">"Cost"</th>
                                        <th scope="col">"Note"</th>
                                    </tr>
                                </thead>
                                <tbody>{page.items.into_iter().map(row).collect_view()}</tbody>
                            </table>
                        }
                    })
            }}
            {move || {
                has_more()
                    .then(|| {
                        view! {
                            <button type="button" on:click=move |_| count.update(|n| *n += PAGE)>
                                "Load more"
                            </button>
                        }
                    })
            }}
        </div>
    }
}

fn row(log: FuelLog) -> impl IntoView {
    view! {
        <tr>
            <td>{log.filled_at.to_string()}</td>
            <td class="hh-num">{number(log.odometer_km, 0)}</td>
            <td class="hh-num">{number(log.volume, 2)}</td>
            <td class="hh-num">{number(log.cost, 2)}</td>
            <td>{log.note}</td>
        </tr>
    }
}
