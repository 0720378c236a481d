//! The element's life on a page: defining it, attribute changes, removal, and which
//! `api-base` it trusts with a token.

use wasm_bindgen_test::*;

use crate::helpers::*;

#[wasm_bindgen_test]
fn defining_the_element_twice_is_harmless() {
    setup();
    assert_eq!(mfe::element::define(), Ok(false));
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
