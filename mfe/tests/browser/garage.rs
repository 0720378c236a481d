//! The garage's views: write controls by role, forms and their field errors, and the
//! fuel logs.

use serde_json::json;
use wasm_bindgen_test::*;

use crate::helpers::*;

#[wasm_bindgen_test]
async fn a_viewer_sees_no_write_controls() {
    setup();
    let h = household(2);
    answer("POST", "/exchange", 200, grant(&h, "internal-2", "viewer"));
    garage(&h, "Van");
    let element = mount(&h, true);
    until("the vehicle shows", || text(&element).contains("Van")).await;

    let labels = buttons(&element);
    for write in ["Add vehicle", "Edit", "Delete", "Add fill-up"] {
        assert!(!labels.contains(&write.to_owned()), "{write} in {labels:?}");
    }
    assert!(text(&element).contains("view this household but not change it"));
    element.remove();
}

#[wasm_bindgen_test]
async fn forms_check_locally_then_show_the_servers_field_errors() {
    setup();
    let h = household(10);
    answer("POST", "/exchange", 200, grant(&h, "t10", "member"));
    garage(&h, "Car");
    let create = format!("/api/households/{h}/vehicles");
    let mut unprocessable = problem(422, "Unprocessable Entity");
    unprocessable["errors"] = json!([{ "field": "name", "message": "is already taken" }]);
    answer("POST", &create, 422, unprocessable);
    let element = mount(&h, true);
    until("the list loads", || text(&element).contains("Car")).await;
    click(&element, "Add vehicle");
    until("the form opens", || find(&element, "form").is_some()).await;

    submit(&element);
    until("the blank name is caught", || {
        text(&element).contains("is required")
    })
    .await;
    assert_eq!(count("POST", &create), 0, "nothing was sent");

    type_into(&element, "form input", "Car");
    submit(&element);
    until("the server's message shows", || {
        text(&element).contains("is already taken")
    })
    .await;
    assert_eq!(count("POST", &create), 1);
    assert!(
        find(&element, ".hh-invalid input").is_some(),
        "the field is marked"
    );
    element.remove();
}

#[wasm_bindgen_test]
async fn load_more_asks_for_a_longer_list() {
    setup();
    let h = household(11);
    answer("POST", "/exchange", 200, grant(&h, "t11", "viewer"));
    garage(&h, "Car");
    let logs =
        format!("/api/households/{h}/vehicles/00000000-0000-4000-9000-000000000001/fuel-logs");
    let log = |n: u32| {
        json!({
            "id": format!("00000000-0000-4000-a000-{n:012}"), "household_id": h,
            "vehicle_id": "00000000-0000-4000-9000-000000000001",
            "filled_at": "2026-01-01", "odometer_km": 1000.0 + f64::from(n), "volume": 40.0,
            "cost": 60.0, "note": format!("fill-up {n}"), "created_at": "2026-01-01T00:00:00Z",
        })
    };
    let first: Vec<_> = (0..20).map(log).collect();
    let all: Vec<_> = (0..25).map(log).collect();
    answer(
        "GET",
        &logs,
        200,
        json!({ "items": first, "next_cursor": "c1" }),
    );
    answer("GET", &logs, 200, json!({ "items": all }));
    let element = mount(&h, true);
    until("the list loads", || text(&element).contains("Car")).await;

    click(&element, "Fuel logs");
    until("a page of logs shows", || {
        text(&element).contains("fill-up 19")
    })
    .await;
    assert!(!text(&element).contains("fill-up 20"));
    click(&element, "Load more");
    until("the longer list shows", || {
        text(&element).contains("fill-up 24")
    })
    .await;
    assert!(
        !buttons(&element).contains(&"Load more".to_owned()),
        "nothing more to load"
    );
    assert_eq!(queries("GET", &logs), ["?limit=20", "?limit=40"]);
    element.remove();
}

#[wasm_bindgen_test]
async fn open_fuel_logs_stay_open_when_the_list_reloads() {
    setup();
    let h = household(14);
    answer("POST", "/exchange", 200, grant(&h, "t14", "member"));
    garage(&h, "Car");
    let list = format!("/api/households/{h}/vehicles");
    answer(
        "GET",
        &list,
        200,
        json!({ "items": [vehicle(&h, 1, "Car"), vehicle(&h, 2, "Van")] }),
    );
    answer("POST", &list, 201, vehicle(&h, 2, "Van"));
    let logs = format!("{list}/00000000-0000-4000-9000-000000000001/fuel-logs");
    answer("GET", &logs, 200, json!({ "items": [] }));
    let element = mount(&h, true);
    until("the list loads", || text(&element).contains("Car")).await;
    click(&element, "Fuel logs");
    until("the logs open", || text(&element).contains("No fill-ups")).await;

    click(&element, "Add vehicle");
    until("the form opens", || find(&element, "form").is_some()).await;
    type_into(&element, "form input", "Van");
    submit(&element);
    until("the list reloads", || text(&element).contains("Van")).await;
    assert!(buttons(&element).contains(&"Hide fuel logs".to_owned()));
    element.remove();
}
