//! Demo data for `server dev`: three users, three households with overlapping
//! membership (one viewer), vehicles, eight months of fuel logs so the chart has shape,
//! and Carol's pending request to join Maple Street, so the approval flow can be seen at
//! once. Fixed ids so the printed URLs are the same every run. Runs as the owner.

use chrono::{Days, NaiveDate};
use sqlx::PgConnection;
use uuid::Uuid;

use super::idp::DevUser;

pub struct DemoHousehold {
    pub id: Uuid,
    pub name: &'static str,
}

pub const MAPLE: Uuid = Uuid::from_u128(0x11111111_1111_4111_8111_111111111111);
pub const LAKESIDE: Uuid = Uuid::from_u128(0x22222222_2222_4222_8222_222222222222);
pub const HARBOUR: Uuid = Uuid::from_u128(0x33333333_3333_4333_8333_333333333333);

pub fn households() -> [DemoHousehold; 3] {
    [
        DemoHousehold {
            id: MAPLE,
            name: "Maple Street",
        },
        DemoHousehold {
            id: LAKESIDE,
            name: "Lakeside Cabin",
        },
        DemoHousehold {
            id: HARBOUR,
            name: "Harbour Flat",
        },
    ]
}

pub fn users() -> Vec<DevUser> {
    [
        ("auth0|alice", "Alice Adams"),
        ("auth0|bob", "Bob Brown"),
        ("auth0|carol", "Carol Chen"),
    ]
    .into_iter()
    .map(|(sub, name)| DevUser {
        sub: sub.into(),
        name: name.into(),
        email: format!(
            "{}@example.com",
            name.split(' ').next().unwrap_or(name).to_lowercase()
        ),
    })
    .collect()
}

/// (household, subject, role)
const MEMBERS: [(Uuid, &str, &str); 6] = [
    (MAPLE, "auth0|alice", "owner"),
    (MAPLE, "auth0|bob", "member"),
    (LAKESIDE, "auth0|bob", "owner"),
    (LAKESIDE, "auth0|carol", "member"),
    (LAKESIDE, "auth0|alice", "viewer"),
    (HARBOUR, "auth0|carol", "owner"),
];

/// A demo vehicle: typical L/100 km and km between fill-ups give its history a shape.
struct DemoVehicle {
    household: Uuid,
    name: &'static str,
    make: &'static str,
    model: &'static str,
    year: i32,
    unit: &'static str,
    l100: f64,
    km: f64,
}

const VEHICLES: [DemoVehicle; 4] = [
    DemoVehicle {
        household: MAPLE,
        name: "Family Wagon",
        make: "Skoda",
        model: "Octavia Combi",
        year: 2018,
        unit: "litres",
        l100: 6.4,
        km: 620.0,
    },
    DemoVehicle {
        household: MAPLE,
        name: "City Hatch",
        make: "Volkswagen",
        model: "Polo",
        year: 2021,
        unit: "litres",
        l100: 5.2,
        km: 410.0,
    },
    DemoVehicle {
        household: LAKESIDE,
        name: "Cabin Truck",
        make: "Ford",
        model: "Ranger",
        year: 2016,
        unit: "us_gallons",
        l100: 10.8,
        km: 540.0,
    },
    DemoVehicle {
        household: HARBOUR,
        name: "Daily Driver",
        make: "Toyota",
        model: "Corolla Hybrid",
        year: 2022,
        unit: "litres",
        l100: 4.3,
        km: 700.0,
    },
];

pub async fn seed(conn: &mut PgConnection) -> anyhow::Result<()> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    for h in households() {
        sqlx::query(
            "INSERT INTO households (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(h.id)
        .bind(h.name)
        .execute(&mut *tx)
        .await?;
    }
    for (household, sub, role) in MEMBERS {
        sqlx::query("INSERT INTO household_members (household_id, user_sub, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(household)
            .bind(sub)
            .bind(role)
            .execute(&mut *tx)
            .await?;
    }
    seed_join_request(&mut tx).await?;
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
    for (
        i,
        DemoVehicle {
            household,
            name,
            make,
            model,
            year,
            unit,
            l100,
            km,
        },
    ) in VEHICLES.into_iter().enumerate()
    {
        let vehicle: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO vehicles (household_id, name, make, model, year, fuel_unit) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (household_id, name) DO NOTHING RETURNING id",
        )
        .bind(household)
        .bind(name)
        .bind(make)
        .bind(model)
        .bind(year)
        .bind(unit)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(vehicle) = vehicle else { continue };
        let per_unit = if unit == "us_gallons" {
            3.785_411_784
        } else {
            1.0
        };
        let mut odometer = 12_000.0 + 9_000.0 * i as f64;
        // A fill-up every ~two weeks for eight months; economy wanders with the seasons.
        for n in 0..17u32 {
            let date = start + Days::new(u64::from(n) * 14 + (n % 3) as u64);
            let season = 1.0 + 0.08 * ((f64::from(n) / 17.0) * std::f64::consts::PI * 2.0).cos();
            let wobble = 1.0 + 0.03 * (f64::from((n * 7 + i as u32 * 3) % 5) - 2.0) / 2.0;
            let distance = km * (1.0 + 0.1 * (f64::from(n % 4) - 1.5) / 1.5);
            odometer += distance;
            let litres = distance * l100 * season * wobble / 100.0;
            let volume = (litres / per_unit * 100.0).round() / 100.0;
            let cost = (litres * 1.74 * 100.0).round() / 100.0;
            sqlx::query(
                "INSERT INTO fuel_logs (household_id, vehicle_id, filled_at, odometer_km, volume, cost) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(household)
            .bind(vehicle)
            .bind(date)
            .bind(odometer.round())
            .bind(volume)
            .bind(cost)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The invitation Carol redeemed for Maple Street (its code is thrown away, as after any
/// redemption), and her request, waiting for Alice.
const CAROLS_INVITATION: Uuid = Uuid::from_u128(0x44444444_4444_4444_8444_444444444444);

async fn seed_join_request(conn: &mut PgConnection) -> anyhow::Result<()> {
    let code_hash = crate::db::invitations::hash(&crate::db::invitations::new_code(MAPLE));
    let added = sqlx::query(
        "INSERT INTO invitations (household_id, id, code_hash, role, created_by, expires_at, used_by, used_at) \
         VALUES ($1, $2, $3, 'member', 'auth0|alice', now() + interval '7 days', 'auth0|carol', now()) \
         ON CONFLICT DO NOTHING",
    )
    .bind(MAPLE)
    .bind(CAROLS_INVITATION)
    .bind(code_hash)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if added == 1 {
        sqlx::query(
            "INSERT INTO join_requests (household_id, invitation_id, requester_sub, role) \
             VALUES ($1, $2, 'auth0|carol', 'member')",
        )
        .bind(MAPLE)
        .bind(CAROLS_INVITATION)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
