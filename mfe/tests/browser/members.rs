//! The Members view: what owners and members may do, leaving, and losing access.

use serde_json::json;
use wasm_bindgen_test::*;

use crate::helpers::*;

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
