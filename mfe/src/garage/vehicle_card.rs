//! One vehicle: its details, edit and delete (with confirmation), and its fuel logs.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::vehicles::{FuelUnit, Vehicle};

use super::context::Garage;
use super::fuel_logs::FuelLogs;
use super::vehicle_form::VehicleForm;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Viewing,
    Editing,
    ConfirmingDelete,
}

#[component]
pub fn VehicleCard(vehicle: Vehicle) -> impl IntoView {
    let garage = Garage::expect();
    let mode = RwSignal::new(Mode::Viewing);
    let id = vehicle.id;
    let logs_open = move || garage.logs_open(id);
    let deleting = RwSignal::new(false);
    let delete_failed = RwSignal::new(None::<String>);
    let delete = move || {
        let api = garage.api_untracked();
        deleting.set(true);
        spawn_local(async move {
            let outcome = garage.observe(api.delete_vehicle(id).await);
            if outcome.is_ok() {
                garage.vehicles_rev.update(|n| *n += 1);
            }
            delete_failed.try_set(outcome.err().map(|e| e.title()));
            deleting.try_set(false);
        });
    };

    let details = [
        vehicle.make.clone(),
        vehicle.model.clone(),
        vehicle.year.map(|y| y.to_string()).unwrap_or_default(),
        match vehicle.fuel_unit {
            FuelUnit::Litres => "litres".to_owned(),
            FuelUnit::UsGallons => "US gallons".to_owned(),
        },
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    let confirm_text = format!(
        "Delete {} and all its fuel logs? This cannot be undone.",
        vehicle.name
    );
    let unit = vehicle.fuel_unit;
    let edit_target = vehicle.clone();

    let write_controls = move || {
        (garage.can_write() && mode.get() == Mode::Viewing).then(|| {
            view! {
                <button type="button" on:click=move |_| mode.set(Mode::Editing)>
                    "Edit"
                </button>
                <button
                    type="button"
                    class="hh-danger"
                    on:click=move |_| mode.set(Mode::ConfirmingDelete)
                >
                    "Delete"
                </button>
            }
        })
    };
    let confirm = move || {
        (garage.can_write() && mode.get() == Mode::ConfirmingDelete).then(|| {
            view! {
                <div class="hh-confirm" role="alertdialog" aria-label="Confirm delete">
                    <p>{confirm_text.clone()}</p>
                    <button
                        type="button"
                        class="hh-danger"
                        disabled=move || deleting.get()
                        on:click=move |_| {
                            delete();
                        }
                    >
                        "Delete"
                    </button>
                    <button type="button" on:click=move |_| mode.set(Mode::Viewing)>
                        "Cancel"
                    </button>
                    {move || delete_failed.get().map(|f| view! { <p class="hh-form-error">{f}</p> })}
                </div>
            }
        })
    };
    let edit = move || {
        (garage.can_write() && mode.get() == Mode::Editing).then(|| {
            view! {
                <VehicleForm vehicle=edit_target.clone() on_done=move || mode.set(Mode::Viewing) />
            }
        })
    };

    view! {
        <li class="hh-card">
            <div class="hh-card-head">
                <div>
                    <h3>{vehicle.name}</h3>
                    <p class="hh-muted">{details}</p>
                </div>
                <div class="hh-actions">
                    <button
                        type="button"
                        aria-expanded=move || logs_open().to_string()
                        on:click=move |_| garage.toggle_logs(id)
                    >
                        {move || if logs_open() { "Hide fuel logs" } else { "Fuel logs" }}
                    </button>
                    {write_controls}
                </div>
            </div>
            {confirm}
            {edit}
            {move || logs_open().then(|| view! { <FuelLogs vehicle_id=id unit /> })}
        </li>
    }
}
