//! The `<household-mfe>` element in a real browser, against a fake API behind `fetch`.
//!
//! Run with `cargo test -p mfe --target wasm32-unknown-unknown` (wasm-bindgen-test-runner
//! and chromedriver; see `mfe/webdriver.json`). Natively this file compiles to nothing.
#![cfg(target_arch = "wasm32")]

mod helpers;
mod json;

use helpers::*;
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn defining_the_element_twice_is_harmless() {
    setup();
    assert_eq!(mfe::element::define(), Ok(false));
}

#[wasm_bindgen_test]
async fn the_garage_renders_and_the_ui_and_host_share_one_exchange() {
    setup();
    let h = household(1);
    answer("POST", "/exchange", 200, grant(&h, "internal-1", "member"));
    garage(&h, "Family car");
    let element = mount(&h, true);
    let ready = listen(&element, "household-mfe-ready");

    let tokens = futures::future::join_all((0..10).map(|_| internal_token(&element))).await;

    assert!(
        tokens
            .iter()
            .all(|t| t.as_ref().ok().and_then(|v| v.as_string()) == Some("internal-1".into()))
    );
    until("the garage is ready", || ready.borrow().len() == 1).await;
    until("the chart is drawn", || {
        find(&element, "svg polyline").is_some()
    })
    .await;
    assert_eq!(exchange_count(&element), 1.0);
    assert_eq!(count("POST", "/exchange"), 1);
    let shown = text(&element);
    assert!(shown.contains("Family car"), "{shown}");
    assert!(shown.contains("7.0"), "the summary shows L/100 km: {shown}");
    assert!(buttons(&element).contains(&"Add vehicle".to_owned()));
    assert!(
        authorizations(&format!("/api/households/{h}/vehicles"))
            .iter()
            .all(|a| a.as_string().as_deref() == Some("Bearer internal-1"))
    );
    element.remove();
}

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
async fn a_refused_exchange_shows_access_denied_and_reports_403() {
    setup();
    let h = household(3);
    answer("POST", "/exchange", 403, problem(403, "Forbidden"));
    let element = mount(&h, true);
    let errors = listen(&element, "household-mfe-error");

    until("access is denied", || {
        text(&element).contains("Access denied")
    })
    .await;
    until("the error is reported", || !errors.borrow().is_empty()).await;
    assert_eq!(field(&errors.borrow()[0], "status").as_f64(), Some(403.0));
    assert_eq!(count("GET", &format!("/api/households/{h}/vehicles")), 0);
    element.remove();
}

#[wasm_bindgen_test]
async fn without_a_provider_it_asks_for_sign_in_and_recovers_once_given_one() {
    setup();
    let h = household(4);
    answer("POST", "/exchange", 200, grant(&h, "internal-4", "owner"));
    garage(&h, "Bike");
    let element = mount(&h, false);
    let auth = listen(&element, "household-mfe-auth-required");

    until("sign-in is asked for", || {
        text(&element).contains("Sign-in required")
    })
    .await;
    assert!(!auth.borrow().is_empty());
    assert!(internal_token(&element).await.is_err());
    assert_eq!(count("POST", "/exchange"), 0, "nothing to exchange");

    sign_in(&element);
    until("the garage loads", || text(&element).contains("Bike")).await;
    element.remove();
}

#[wasm_bindgen_test]
async fn a_rejected_token_is_renewed_once_and_the_call_retried() {
    setup();
    let h = household(5);
    answer("POST", "/exchange", 200, grant(&h, "old", "member"));
    answer("POST", "/exchange", 200, grant(&h, "new", "member"));
    let vehicles = format!("/api/households/{h}/vehicles");
    answer("GET", &vehicles, 401, problem(401, "Unauthorized"));
    garage(&h, "Renewed car");
    let element = mount(&h, true);

    until("the list is fetched twice", || count("GET", &vehicles) == 2).await;
    until("the list loads", || find(&element, ".hh-card").is_some()).await;
    let used: Vec<_> = authorizations(&vehicles)
        .iter()
        .filter_map(|a| a.as_string())
        .collect();
    assert_eq!(
        used[..2],
        ["Bearer old".to_owned(), "Bearer new".to_owned()]
    );
    assert_eq!(exchange_count(&element), 2.0);
    element.remove();
}

#[wasm_bindgen_test]
async fn a_second_401_means_sign_in_is_required() {
    setup();
    let h = household(6);
    answer("POST", "/exchange", 200, grant(&h, "t", "member"));
    let base = format!("/api/households/{h}");
    answer(
        "GET",
        &format!("{base}/vehicles"),
        401,
        problem(401, "Unauthorized"),
    );
    answer(
        "GET",
        &format!("{base}/summary"),
        401,
        problem(401, "Unauthorized"),
    );
    let element = mount(&h, true);
    let auth = listen(&element, "household-mfe-auth-required");

    until("sign-in is asked for", || {
        text(&element).contains("Sign-in required")
    })
    .await;
    assert_eq!(auth.borrow().len(), 1, "one event for one lost sign-in");
    element.remove();
}

#[wasm_bindgen_test]
async fn changing_the_household_rerenders_in_place() {
    setup();
    let (first, second) = (household(7), household(8));
    answer("POST", "/exchange", 200, grant(&first, "t7", "member"));
    answer("POST", "/exchange", 200, grant(&second, "t8", "member"));
    garage(&first, "First household car");
    garage(&second, "Second household car");
    let element = mount(&first, true);
    until("the first loads", || {
        text(&element).contains("First household car")
    })
    .await;
    let garage_root = find(&element, ".hh");

    element
        .set_attribute("household-id", &second)
        .expect("attribute");

    until("the second loads", || {
        text(&element).contains("Second household car")
    })
    .await;
    assert_eq!(
        find(&element, ".hh"),
        garage_root,
        "the garage was not remounted"
    );
    assert_eq!(count("POST", "/exchange"), 2);
    element.remove();
}

#[wasm_bindgen_test]
async fn a_new_household_never_shows_the_previous_households_rows() {
    setup();
    let (first, second) = (household(12), household(13));
    answer("POST", "/exchange", 200, grant(&first, "t12", "member"));
    garage(&first, "First household car");
    let element = mount(&first, true);
    until("the first loads", || {
        text(&element).contains("First household car")
    })
    .await;

    // The second household's exchange never answers: its data cannot have replaced the rows.
    hold("POST", "/exchange");
    element
        .set_attribute("household-id", &second)
        .expect("attribute");
    until("the old rows are gone", || {
        !text(&element).contains("First household car") && text(&element).contains("Loading")
    })
    .await;
    element.remove();
}

#[wasm_bindgen_test]
async fn removing_the_element_aborts_its_requests_and_unmounts() {
    setup();
    let h = household(9);
    answer("POST", "/exchange", 200, grant(&h, "t9", "member"));
    let base = format!("/api/households/{h}");
    hold("GET", &format!("{base}/vehicles"));
    hold("GET", &format!("{base}/summary"));
    let element = mount(&h, true);
    let requested =
        || count("GET", &format!("{base}/vehicles")) + count("GET", &format!("{base}/summary"));
    until("the lists are requested", || requested() == 2).await;

    element.remove();

    until("both requests are aborted", || aborted() == 2).await;
    assert_eq!(text(&element).trim(), "", "unmounted");
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

#[wasm_bindgen_test]
fn only_https_or_loopback_http_api_bases_are_trusted() {
    use mfe::element::trusted_api_base;
    for base in [
        "",
        "https://api.example",
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://localhost:3000",
        "http://[::1]:8080",
    ] {
        assert!(trusted_api_base(base), "{base}");
    }
    for base in [
        "http://api.example",
        "http://localhost.evil.example",
        "http://127.0.0.1.evil.example",
        "http://127.0.0.1@evil.example",
        "ftp://api.example",
        "javascript:alert(1)",
        "/relative",
        "//api.example",
    ] {
        assert!(!trusted_api_base(base), "{base}");
    }
}

#[wasm_bindgen_test]
async fn an_http_api_base_is_refused_and_no_token_leaves() {
    setup();
    let h = household(40);
    answer("POST", "/exchange", 200, grant(&h, "internal-40", "member"));
    let element = mount(&h, true);
    let errors = listen(&element, "household-mfe-error");

    element
        .set_attribute("api-base", "http://api.example")
        .expect("attribute");

    until("the refusal is shown", || {
        text(&element).contains("API address refused")
    })
    .await;
    until("the error is reported", || {
        errors.borrow().iter().any(|e| {
            field(e, "title")
                .as_string()
                .is_some_and(|t| t.contains("https:"))
        })
    })
    .await;
    let exchanges = count("POST", "/exchange");
    assert!(internal_token(&element).await.is_err());
    sleep(50).await;
    assert_eq!(
        count("POST", "/exchange"),
        exchanges,
        "no exchange after the refusal"
    );
    element.remove();
}

/// The members view of household `n` for `auth0|me` with `role`, once its list shows.
/// With `then_refused`, every exchange after the first answers 403 (no member any more).
async fn open_members(n: u8, role: &str, then_refused: bool) -> (String, web_sys::HtmlElement) {
    let h = household(n);
    answer("POST", "/exchange", 200, grant(&h, MY_TOKEN, role));
    if then_refused {
        answer("POST", "/exchange", 403, problem(403, "Forbidden"));
    }
    garage(&h, "Car");
    members(&h, role);
    let element = mount(&h, true);
    until("the garage loads", || text(&element).contains("Car")).await;
    click(&element, "Members");
    until("the members show", || text(&element).contains("auth0|bob")).await;
    (h, element)
}

#[wasm_bindgen_test]
async fn an_owner_changes_roles_invites_and_approves_requests() {
    setup();
    let h = household(20);
    let base = format!("/api/households/{h}");
    answer(
        "GET",
        &format!("{base}/join-requests"),
        200,
        json!({ "requests": [{
            "requester_sub": "auth0|carol", "role": "viewer", "status": "pending",
            "requested_at": "2026-03-01T10:00:00Z",
        }] }),
    );
    answer(
        "GET",
        &format!("{base}/join-requests"),
        200,
        json!({ "requests": [] }),
    );
    answer(
        "POST",
        &format!("{base}/invitations"),
        201,
        json!({ "code": "CODE-1234", "role": "member", "expires_at": "2026-03-08T10:00:00Z" }),
    );
    no_content(
        "POST",
        &format!("{base}/join-requests/auth0%7Ccarol/approve"),
    );
    no_content("PATCH", &format!("{base}/members/auth0%7Cbob"));
    let (_, element) = open_members(20, "owner", false).await;
    until("the request shows", || {
        text(&element).contains("auth0|carol asks to join as viewer")
    })
    .await;

    let shown = text(&element);
    assert!(shown.contains("auth0|me (you)"), "{shown}");
    let labels = buttons(&element);
    for control in [
        "Leave household",
        "Create invitation code",
        "Approve",
        "Deny",
    ] {
        assert!(
            labels.contains(&control.to_owned()),
            "{control} in {labels:?}"
        );
    }
    assert_eq!(
        labels.iter().filter(|l| *l == "Remove").count(),
        1,
        "owners remove others, not themselves: {labels:?}"
    );
    assert_eq!(
        find(&element, "button[aria-pressed=true]").and_then(|b| b.text_content()),
        Some("Members".to_owned())
    );

    click(&element, "Approve");
    until("the approval is sent", || {
        count(
            "POST",
            &format!("{base}/join-requests/auth0%7Ccarol/approve"),
        ) == 1
    })
    .await;
    until("the requests reload", || {
        text(&element).contains("Nobody is waiting to join.")
    })
    .await;

    click(&element, "Create invitation code");
    until("the code shows", || {
        input_value(&element, "input[readonly]").as_deref() == Some("CODE-1234")
    })
    .await;
    assert!(text(&element).contains("until 2026-03-08"));

    choose(&element, "select[aria-label='Role of auth0|bob']", "viewer");
    until("the role change is sent", || {
        count("PATCH", &format!("{base}/members/auth0%7Cbob")) == 1
    })
    .await;
    assert!(
        count("GET", &format!("{base}/members")) >= 3,
        "the members reload after each change"
    );
    element.remove();
}

#[wasm_bindgen_test]
async fn a_member_sees_the_members_but_no_owner_controls() {
    setup();
    let (h, element) = open_members(21, "member", false).await;
    let labels = buttons(&element);
    assert!(labels.contains(&"Leave household".to_owned()), "{labels:?}");
    for control in ["Remove", "Create invitation code", "Approve"] {
        assert!(
            !labels.contains(&control.to_owned()),
            "{control} in {labels:?}"
        );
    }
    assert!(find(&element, "select").is_none(), "no role selects");
    assert_eq!(
        count("GET", &format!("/api/households/{h}/join-requests")),
        0
    );
    element.remove();
}

#[wasm_bindgen_test]
async fn the_last_owner_cannot_leave_and_is_told_why() {
    setup();
    let h = household(22);
    let mut conflict = problem(409, "Conflict");
    conflict["detail"] =
        json!("a household keeps at least one owner: make someone else an owner first");
    answer(
        "DELETE",
        &format!("/api/households/{h}/members/auth0%7Cme"),
        409,
        conflict,
    );
    answer(
        "GET",
        &format!("/api/households/{h}/join-requests"),
        200,
        json!({ "requests": [] }),
    );
    let (_, element) = open_members(22, "owner", false).await;

    click(&element, "Leave household");
    until("the leave is confirmed first", || {
        find(&element, "[role=alertdialog]").is_some()
    })
    .await;
    assert_eq!(
        count("DELETE", &format!("/api/households/{h}/members/auth0%7Cme")),
        0
    );
    click(&element, "Leave");
    until("the refusal shows", || {
        text(&element).contains("keeps at least one owner")
    })
    .await;
    let shown = text(&element);
    assert!(shown.contains("Conflict"), "{shown}");
    assert!(!shown.contains("Access denied"), "{shown}");
    element.remove();
}

#[wasm_bindgen_test]
async fn leaving_ends_access_and_reports_403() {
    setup();
    let h = household(23);
    no_content("DELETE", &format!("/api/households/{h}/members/auth0%7Cme"));
    let (_, element) = open_members(23, "member", true).await;
    let errors = listen(&element, "household-mfe-error");

    click(&element, "Leave household");
    until("the confirmation shows", || {
        find(&element, "[role=alertdialog]").is_some()
    })
    .await;
    click(&element, "Leave");
    until("access is denied", || {
        text(&element).contains("Access denied")
    })
    .await;
    until("the error is reported", || !errors.borrow().is_empty()).await;
    assert_eq!(field(&errors.borrow()[0], "status").as_f64(), Some(403.0));
    assert_eq!(
        count("DELETE", &format!("/api/households/{h}/members/auth0%7Cme")),
        1
    );
    element.remove();
}

#[wasm_bindgen_test]
async fn a_member_removed_meanwhile_is_refused_on_the_next_call() {
    setup();
    let h = household(24);
    answer("POST", "/exchange", 200, grant(&h, "t24", "member"));
    answer("POST", "/exchange", 403, problem(403, "Forbidden"));
    garage(&h, "Car");
    let forbidden = problem(403, "Forbidden");
    answer(
        "GET",
        &format!("/api/households/{h}/members"),
        403,
        forbidden,
    );
    let element = mount(&h, true);
    let errors = listen(&element, "household-mfe-error");
    until("the garage loads", || text(&element).contains("Car")).await;

    click(&element, "Members");
    until("access is denied", || {
        text(&element).contains("Access denied")
    })
    .await;
    until("the error is reported", || !errors.borrow().is_empty()).await;
    assert_eq!(field(&errors.borrow()[0], "status").as_f64(), Some(403.0));
    assert_eq!(count("POST", "/exchange"), 2, "one exchange to tell why");
    element.remove();
}

#[wasm_bindgen_test]
async fn a_403_for_a_permission_is_shown_and_the_garage_stays_open() {
    setup();
    let h = household(25);
    let mut refused = problem(403, "Forbidden");
    refused["detail"] = json!("only an owner of this household may do that");
    answer(
        "PATCH",
        &format!("/api/households/{h}/members/auth0%7Cbob"),
        403,
        refused,
    );
    answer(
        "GET",
        &format!("/api/households/{h}/join-requests"),
        200,
        json!({ "requests": [] }),
    );
    let (_, element) = open_members(25, "owner", false).await;

    choose(&element, "select[aria-label='Role of auth0|bob']", "owner");
    until("the refusal shows", || {
        text(&element).contains("only an owner")
    })
    .await;
    assert!(!text(&element).contains("Access denied"));
    assert_eq!(
        count("POST", "/exchange"),
        2,
        "the exchange confirmed the membership"
    );
    element.remove();
}
