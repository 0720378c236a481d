//! Per-vehicle figures for the summary, computed from each vehicle's history in one query.

use chrono::NaiveDate;
use shared::summary::{EconomyPoint, VehicleSummary, mpg_us};
use shared::vehicles::FuelUnit;
use sqlx::FromRow;
use uuid::Uuid;

use super::tenant::HouseholdTx;

#[derive(FromRow)]
struct Fill {
    vehicle_id: Uuid,
    name: String,
    fuel_unit: FuelUnit,
    filled_at: Option<NaiveDate>,
    odometer_km: Option<f64>,
    volume: Option<f64>,
    cost: Option<f64>,
}

/// Every vehicle (those without logs too), with figures from its fill-ups.
///
/// Economy uses the full-tank method: the fuel of a fill-up is what the distance since
/// the previous fill-up burned, so the first fill-up's fuel counts for no distance.
pub async fn per_vehicle(tx: &mut HouseholdTx) -> sqlx::Result<Vec<VehicleSummary>> {
    let fills: Vec<Fill> = sqlx::query_as(
        "SELECT v.id AS vehicle_id, v.name, v.fuel_unit, f.filled_at, f.odometer_km, f.volume, f.cost \
         FROM vehicles v LEFT JOIN fuel_logs f ON f.vehicle_id = v.id \
         ORDER BY v.name, v.id, f.filled_at, f.odometer_km",
    )
    .fetch_all(tx.conn())
    .await?;

    let mut out: Vec<VehicleSummary> = Vec::new();
    let mut last: Option<(Uuid, f64)> = None; // previous fill-up's odometer, same vehicle
    let mut burned = 0.0; // litres that the measured distance used
    for f in fills {
        if out.last().is_none_or(|s| s.vehicle_id != f.vehicle_id) {
            finish(out.last_mut(), burned);
            out.push(VehicleSummary {
                vehicle_id: f.vehicle_id,
                name: f.name.clone(),
                fill_ups: 0,
                distance_km: 0.0,
                fuel_litres: 0.0,
                cost: 0.0,
                l_per_100km: None,
                mpg_us: None,
                cost_per_km: None,
                economy: Vec::new(),
            });
            last = None;
            burned = 0.0;
        }
        let (Some(date), Some(odo), Some(volume), Some(cost)) =
            (f.filled_at, f.odometer_km, f.volume, f.cost)
        else {
            continue;
        };
        let litres = volume * f.fuel_unit.litres();
        let Some(s) = out.last_mut() else { continue };
        s.fill_ups += 1;
        s.fuel_litres += litres;
        s.cost += cost;
        if let Some((_, prev)) = last.filter(|(v, _)| *v == f.vehicle_id) {
            let distance = odo - prev;
            if distance > 0.0 {
                s.distance_km += distance;
                burned += litres;
                s.economy.push(EconomyPoint {
                    date,
                    l_per_100km: litres / distance * 100.0,
                });
            }
        }
        last = Some((f.vehicle_id, odo));
    }
    finish(out.last_mut(), burned);
    Ok(out)
}

fn finish(s: Option<&mut VehicleSummary>, burned: f64) {
    let Some(s) = s else { return };
    if s.distance_km > 0.0 {
        let l100 = burned / s.distance_km * 100.0;
        s.l_per_100km = Some(l100);
        s.mpg_us = Some(mpg_us(l100));
        s.cost_per_km = Some(s.cost / s.distance_km);
    }
}
