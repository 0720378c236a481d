//! Tokens and sign-in: one shared exchange, a refused exchange, no provider, and a
//! rejected token renewed once.

use wasm_bindgen_test::*;

use crate::helpers::*;

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
