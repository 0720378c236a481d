//! Adding a vehicle, or editing one (only the fields that changed are sent).

use leptos::prelude::*;
use shared::problem::FieldError;
use shared::vehicles::{FuelUnit, NewVehicle, Vehicle, VehiclePatch};

use super::context::Garage;
use super::form::{Field, FormActions, FormError, FormState, merge, optional_integer};

const FIELDS: &[&str] = &["name", "make", "model", "year", "fuel_unit"];

/// What the user typed, before parsing.
#[derive(Clone)]
struct Input {
    name: String,
    make: String,
    model: String,
    year: String,
    fuel_unit: FuelUnit,
}

/// The request an add sends, or the field errors that stop it.
fn new_vehicle(input: &Input) -> Result<NewVehicle, Vec<FieldError>> {
    let mut parsed = Vec::new();
    let vehicle = NewVehicle {
        name: input.name.trim().to_owned(),
        make: input.make.trim().to_owned(),
        model: input.model.trim().to_owned(),
        year: optional_integer("year", &input.year, &mut parsed),
        fuel_unit: input.fuel_unit,
    };
    let errors = merge(parsed, vehicle.validate());
    if errors.is_empty() {
        Ok(vehicle)
    } else {
        Err(errors)
    }
}

/// The patch an edit sends: the changed fields only. A year cannot be removed, as absent
/// means "unchanged" in a patch, so clearing it is a field error rather than a silent no-op.
fn patch(original: &Vehicle, input: &Input) -> Result<VehiclePatch, Vec<FieldError>> {
    let mut parsed = Vec::new();
    let changed = |old: &str, new: &str| (old != new.trim()).then(|| new.trim().to_owned());
    let year = optional_integer("year", &input.year, &mut parsed);
    if year.is_none() && original.year.is_some() && input.year.trim().is_empty() {
        parsed.push(FieldError::new("year", "cannot be removed once set"));
    }
    let patch = VehiclePatch {
        name: changed(&original.name, &input.name),
        make: changed(&original.make, &input.make),
        model: changed(&original.model, &input.model),
        year: year.filter(|y| original.year != Some(*y)),
        fuel_unit: (original.fuel_unit != input.fuel_unit).then_some(input.fuel_unit),
    };
    let errors = merge(parsed, patch.validate());
    if errors.is_empty() {
        Ok(patch)
    } else {
        Err(errors)
    }
}

/// The vehicle form; `vehicle` given means edit.
#[component]
pub fn VehicleForm(
    /// The vehicle to edit; absent to add a new one.
    #[prop(optional)]
    vehicle: Option<Vehicle>,
    /// Called after a successful save, or on cancel.
    #[prop(into)]
    on_done: Callback<()>,
) -> impl IntoView {
    let garage = Garage::expect();
    let original = vehicle.clone();
    let start = |f: fn(&Vehicle) -> String| vehicle.as_ref().map(f).unwrap_or_default();
    let name = RwSignal::new(start(|v| v.name.clone()));
    let make = RwSignal::new(start(|v| v.make.clone()));
    let model = RwSignal::new(start(|v| v.model.clone()));
    let year = RwSignal::new(start(|v| v.year.map(|y| y.to_string()).unwrap_or_default()));
    let unit = RwSignal::new(
        vehicle
            .as_ref()
            .map_or(FuelUnit::Litres.as_str(), |v| v.fuel_unit.as_str())
            .to_owned(),
    );
    let form = FormState::new(on_done);

    enum Request {
        Add(NewVehicle),
        Edit(uuid::Uuid, VehiclePatch),
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = Input {
            name: name.get_untracked(),
            make: make.get_untracked(),
            model: model.get_untracked(),
            year: year.get_untracked(),
            fuel_unit: FuelUnit::parse(&unit.get_untracked()).unwrap_or(FuelUnit::Litres),
        };
        let request = match &original {
            None => new_vehicle(&input).map(Request::Add),
            Some(v) => patch(v, &input).map(|p| Request::Edit(v.id, p)),
        };
        form.submit(
            garage,
            garage.vehicles_rev,
            request,
            |api, request| async move {
                match request {
                    Request::Add(vehicle) => api.create_vehicle(&vehicle).await,
                    Request::Edit(id, patch) => api.update_vehicle(id, &patch).await,
                }
            },
        );
    };
    let title = if vehicle.is_some() {
        "Edit vehicle"
    } else {
        "New vehicle"
    };

    view! {
        <form class="hh-form" on:submit=submit novalidate=true aria-label=title>
            <Field label="Name" field="name" errors=form.errors>
                <input type="text" required=true maxlength="100" bind:value=name />
            </Field>
            <Field label="Make" field="make" errors=form.errors>
                <input type="text" maxlength="100" bind:value=make />
            </Field>
            <Field label="Model" field="model" errors=form.errors>
                <input type="text" maxlength="100" bind:value=model />
            </Field>
            <Field label="Year" field="year" errors=form.errors>
                <input type="text" inputmode="numeric" bind:value=year />
            </Field>
            <Field label="Fuel measured in" field="fuel_unit" errors=form.errors>
                <select bind:value=unit>
                    <option value="litres">"Litres"</option>
                    <option value="us_gallons">"US gallons"</option>
                </select>
            </Field>
            <FormError errors=form.errors failure=form.failure fields=FIELDS />
            <FormActions saving=form.saving on_done />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use uuid::Uuid;

    fn input(name: &str, year: &str) -> Input {
        Input {
            name: name.into(),
            make: "Skoda".into(),
            model: "Octavia".into(),
            year: year.into(),
            fuel_unit: FuelUnit::Litres,
        }
    }

    fn vehicle() -> Vehicle {
        Vehicle {
            id: Uuid::nil(),
            household_id: Uuid::nil(),
            name: "Family car".into(),
            make: "Skoda".into(),
            model: "Octavia".into(),
            year: Some(2019),
            fuel_unit: FuelUnit::Litres,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_new_vehicle_needs_a_name_and_a_numeric_year() {
        let errors = new_vehicle(&input(" ", "20x9")).err().unwrap_or_default();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["year", "name"]);
        assert!(new_vehicle(&input("Van", "")).is_ok());
    }

    #[test]
    fn an_edit_sends_only_what_changed() {
        let sent = patch(&vehicle(), &input("Family car ", "2020")).ok();
        assert_eq!(
            sent,
            Some(VehiclePatch {
                year: Some(2020),
                ..VehiclePatch::default()
            })
        );
    }

    #[test]
    fn clearing_a_year_is_refused_rather_than_ignored() {
        let errors = patch(&vehicle(), &input("Family car", ""))
            .err()
            .unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "year");
    }
}
