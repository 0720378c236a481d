//! A vehicle's fuel logs, newest first, a page at a time, with the form to add one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::fuel_logs::FuelLog;
use shared::page::Page;
use shared::vehicles::FuelUnit;
use uuid::Uuid;

use super::context::Garage;
use super::format::number;
use super::fuel_form::FuelForm;
use super::load::load;
use super::status::{ErrorNote, Placeholder};
use crate::api::ApiError;

const PAGE: u32 = 20;

#[component]
pub fn FuelLogs(vehicle_id: Uuid, unit: FuelUnit) -> impl IntoView {
    let garage = Garage::expect();
    let first = load(move || {
        let api = garage.api();
        garage.logs_rev.track();
        async move { garage.observe(api.fuel_logs(vehicle_id, None, PAGE).await) }
    });
    // Later pages, appended by "Load more"; reset whenever the first page reloads.
    let more = RwSignal::new(Vec::<FuelLog>::new());
    let cursor = RwSignal::new(None::<String>);
    Effect::new(move || {
        if let Some(Ok(page)) = first.get() {
            more.set(Vec::new());
            cursor.set(page.next_cursor);
        }
    });
    let loading_more = RwSignal::new(false);
    let more_failed = RwSignal::new(None::<ApiError>);
    let load_more = move |after: String| {
        let api = garage.api_untracked();
        loading_more.set(true);
        spawn_local(async move {
            match garage.observe(api.fuel_logs(vehicle_id, Some(&after), PAGE).await) {
                Ok(page) => {
                    more.update(|logs| logs.extend(page.items));
                    cursor.set(page.next_cursor);
                    more_failed.try_set(None);
                }
                Err(error) => {
                    more_failed.try_set(Some(error));
                }
            }
            loading_more.try_set(false);
        });
    };
    let adding = RwSignal::new(false);
    let unit_label = match unit {
        FuelUnit::Litres => "Fuel (L)",
        FuelUnit::UsGallons => "Fuel (US gal)",
    };

    let empty: fn(&Page<FuelLog>) -> bool = |page| page.items.is_empty();

    view! {
        <div class="hh-logs">
            {move || {
                (garage.can_write() && !adding.get())
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="hh-primary"
                                on:click=move |_| adding.set(true)
                            >
                                "Add fill-up"
                            </button>
                        }
                    })
            }}
            {move || {
                (adding.get() && garage.can_write())
                    .then(|| view! { <FuelForm vehicle_id unit on_done=move || adding.set(false) /> })
            }}
            {move || {
                first
                    .with(|state| Placeholder::of(state, empty, "No fill-ups recorded yet."))
                    .map(Placeholder::view)
            }}
            {move || {
                first
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
                                <tbody>
                                    {page.items.into_iter().map(row).collect_view()}
                                    {move || more.get().into_iter().map(row).collect_view()}
                                </tbody>
                            </table>
                        }
                    })
            }}
            {move || {
                cursor
                    .get()
                    .map(|after| {
                        view! {
                            <button
                                type="button"
                                disabled=move || loading_more.get()
                                on:click=move |_| {
                                    load_more(after.clone());
                                }
                            >
                                "Load more"
                            </button>
                        }
                    })
            }}
            {move || {
                more_failed.get().map(|error| view! { <ErrorNote error /> })
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
