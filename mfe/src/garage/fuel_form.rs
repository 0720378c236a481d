//! Recording a fill-up.

use leptos::prelude::*;
use shared::fuel_logs::NewFuelLog;
use shared::problem::FieldError;
use shared::vehicles::FuelUnit;
use uuid::Uuid;

use super::context::Garage;
use super::form::{self, Field, FormActions, FormError, FormState, merge};

const FIELDS: &[&str] = &["filled_at", "odometer_km", "volume", "cost", "note"];

/// What the user typed, before parsing.
struct Input {
    filled_at: String,
    odometer_km: String,
    volume: String,
    cost: String,
    note: String,
}

/// The request to send, or the field errors that stop it.
fn new_fuel_log(input: &Input, today: chrono::NaiveDate) -> Result<NewFuelLog, Vec<FieldError>> {
    let mut parsed = Vec::new();
    let log = NewFuelLog {
        filled_at: form::date("filled_at", &input.filled_at, &mut parsed),
        odometer_km: form::number("odometer_km", &input.odometer_km, &mut parsed),
        volume: form::number("volume", &input.volume, &mut parsed),
        cost: form::number("cost", &input.cost, &mut parsed),
        note: input.note.trim().to_owned(),
    };
    let errors = merge(parsed, log.validate(today));
    if errors.is_empty() {
        Ok(log)
    } else {
        Err(errors)
    }
}

#[component]
pub fn FuelForm(
    vehicle_id: Uuid,
    /// The vehicle's unit, which the volume is entered in.
    unit: FuelUnit,
    /// Called after a successful save, or on cancel.
    #[prop(into)]
    on_done: Callback<()>,
) -> impl IntoView {
    let garage = Garage::expect();
    let today = form::today();
    let filled_at = RwSignal::new(today.to_string());
    let odometer = RwSignal::new(String::new());
    let volume = RwSignal::new(String::new());
    let cost = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let form = FormState::new(on_done);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = Input {
            filled_at: filled_at.get_untracked(),
            odometer_km: odometer.get_untracked(),
            volume: volume.get_untracked(),
            cost: cost.get_untracked(),
            note: note.get_untracked(),
        };
        let checked = new_fuel_log(&input, form::today());
        form.submit(
            garage,
            garage.logs_rev,
            checked,
            move |api, log| async move { api.add_fuel_log(vehicle_id, &log).await },
        );
    };
    let volume_label = match unit {
        FuelUnit::Litres => "Fuel (litres)",
        FuelUnit::UsGallons => "Fuel (US gallons)",
    };

    view! {
        <form class="hh-form" on:submit=submit novalidate=true aria-label="New fill-up">
            <Field label="Date" field="filled_at" errors=form.errors>
                <input type="date" max=today.to_string() bind:value=filled_at />
            </Field>
            <Field label="Odometer (km)" field="odometer_km" errors=form.errors>
                <input type="text" inputmode="decimal" bind:value=odometer />
            </Field>
            <Field label=volume_label field="volume" errors=form.errors>
                <input type="text" inputmode="decimal" bind:value=volume />
            </Field>
            <Field label="Cost" field="cost" errors=form.errors>
                <input type="text" inputmode="decimal" bind:value=cost />
            </Field>
            <Field label="Note" field="note" errors=form.errors>
                <input type="text" maxlength="500" bind:value=note />
            </Field>
            <FormError errors=form.errors failure=form.failure fields=FIELDS />
            <FormActions saving=form.saving on_done />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn input(date: &str, volume: &str) -> Input {
        Input {
            filled_at: date.into(),
            odometer_km: "12345".into(),
            volume: volume.into(),
            cost: "61,20".into(),
            note: String::new(),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_fill_up_is_parsed_and_checked_with_the_shared_rules() {
        let log = new_fuel_log(&input("2026-03-01", "41.5"), day(2026, 3, 2));
        assert_eq!(log.map(|l| (l.volume, l.cost)), Ok((41.5, 61.2)));
    }

    #[test]
    fn a_future_date_and_an_empty_volume_are_field_errors() {
        let errors = new_fuel_log(&input("2026-04-01", ""), day(2026, 3, 2))
            .err()
            .unwrap_or_default();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["volume", "filled_at"]);
    }
}
