//! Per-vehicle totals and economy, and the chart of economy over time.

use leptos::prelude::*;
use shared::summary::{Summary, VehicleSummary};

use super::chart::EconomyChart;
use super::context::Garage;
use super::format::{maybe, number};
use super::load::load;
use super::status::Placeholder;

#[component]
pub fn SummarySection() -> impl IntoView {
    let garage = Garage::expect();
    let summary = load(move || {
        let api = garage.api();
        garage.vehicles_rev.track();
        garage.logs_rev.track();
        async move { garage.observe(api.summary().await) }
    });
    let no_vehicles: fn(&Summary) -> bool = |s| s.vehicles.is_empty();

    view! {
        <section class="hh-section" aria-labelledby="hh-summary">
            <header class="hh-section-head">
                <h2 id="hh-summary">"Summary"</h2>
            </header>
            {move || {
                summary
                    .with(|state| Placeholder::of(state, no_vehicles, "Add a vehicle to see its figures."))
                    .map(Placeholder::view)
            }}
            {move || {
                summary
                    .get()
                    .and_then(Result::ok)
                    .filter(|s| !no_vehicles(s))
                    .map(|summary| {
                        view! {
                            <div class="hh-scroll">
                                <table class="hh-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Vehicle"</th>
                                            <th scope="col" class="hh-num">"Fill-ups"</th>
                                            <th scope="col" class="hh-num">"Distance (km)"</th>
                                            <th scope="col" class="hh-num">"Fuel (L)"</th>
                                            <th scope="col" class="hh-num">"L/100 km"</th>
                                            <th scope="col" class="hh-num">"mpg (US)"</th>
                                            <th scope="col" class="hh-num">"Cost per km"</th>
                                            <th scope="col" class="hh-num">"Cost"</th>
                                        </tr>
                                    </thead>
                                    <tbody>{summary.vehicles.iter().map(row).collect_view()}</tbody>
                                </table>
                            </div>
                            <EconomyChart vehicles=summary.vehicles />
                        }
                    })
            }}
        </section>
    }
}

fn row(vehicle: &VehicleSummary) -> impl IntoView + use<> {
    view! {
        <tr>
            <th scope="row">{vehicle.name.clone()}</th>
            <td class="hh-num">{vehicle.fill_ups}</td>
            <td class="hh-num">{number(vehicle.distance_km, 0)}</td>
            <td class="hh-num">{number(vehicle.fuel_litres, 1)}</td>
            <td class="hh-num">{maybe(vehicle.l_per_100km, 1)}</td>
            <td class="hh-num">{maybe(vehicle.mpg_us, 1)}</td>
            <td class="hh-num">{maybe(vehicle.cost_per_km, 3)}</td>
            <td class="hh-num">{number(vehicle.cost, 2)}</td>
        </tr>
    }
}
