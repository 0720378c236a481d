//! Test scaffolding: the fake API, mounting an element, waiting, reading the shadow DOM.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};

#[wasm_bindgen(module = "/tests/browser/fake_api.js")]
extern "C" {
    fn install();
    fn reset();
    fn route(method: &str, path: &str, status: u16, body: Option<String>, hold: bool);
    pub fn count(method: &str, path: &str) -> u32;
    pub fn aborted() -> u32;
    pub fn authorizations(path: &str) -> Vec<JsValue>;
    pub fn queries(method: &str, path: &str) -> Vec<String>;
}

/// A fresh fake API and a defined element.
pub fn setup() {
    install();
    reset();
    mfe::element::define().expect("the element can be defined");
}

pub fn answer(method: &str, path: &str, status: u16, body: serde_json::Value) {
    route(method, path, status, Some(body.to_string()), false);
}

/// A success without a body (204), as the membership changes answer.
pub fn no_content(method: &str, path: &str) {
    route(method, path, 204, None, false);
}

/// A route that never answers unless the request is aborted.
pub fn hold(method: &str, path: &str) {
    route(method, path, 200, None, true);
}

pub fn household(n: u8) -> String {
    format!("00000000-0000-4000-8000-0000000000{n:02}")
}

pub fn grant(household: &str, token: &str, role: &str) -> serde_json::Value {
    json!({
        "access_token": token, "token_type": "Bearer", "expires_in": 300,
        "household_id": household, "role": role,
    })
}

pub fn vehicle(household: &str, n: u8, name: &str) -> serde_json::Value {
    json!({
        "id": format!("00000000-0000-4000-9000-0000000000{n:02}"), "household_id": household,
        "name": name, "make": "Skoda", "model": "Octavia", "year": 2019,
        "fuel_unit": "litres", "created_at": "2026-01-01T00:00:00Z",
    })
}

/// An internal token whose payload names `auth0|me` (the signature is not checked in the
/// browser), so the members view knows who "you" are.
pub const MY_TOKEN: &str = "e30.eyJzdWIiOiJhdXRoMHxtZSJ9.c2ln";

/// Answers the household's members: `auth0|me` with `my_role`, and Bob (`auth0|bob`), a
/// member; only Bob is named by the identity provider.
pub fn members(household: &str, my_role: &str) {
    answer(
        "GET",
        &format!("/api/households/{household}/members"),
        200,
        json!({ "members": [
            { "sub": "auth0|me", "role": my_role, "created_at": "2026-01-01T00:00:00Z",
              "name": null, "email": null },
            { "sub": "auth0|bob", "role": "member", "created_at": "2026-01-02T00:00:00Z",
              "name": "Bob <Builder>", "email": "bob@people.test" },
        ] }),
    );
}

/// Sets a `<select>`'s value and tells the page, as a person choosing an option does.
pub fn choose(element: &HtmlElement, selector: &str, value: &str) {
    let select = find(element, selector).expect("a select");
    Reflect::set(&select, &"value".into(), &value.into()).expect("value set");
    // Bubbling, as a person's choice does: the view listens on the list, not the select.
    let dispatch = Function::new_with_args(
        "select",
        "select.dispatchEvent(new Event('change', { bubbles: true }))",
    );
    dispatch.call1(&JsValue::NULL, &select).expect("dispatched");
}

/// The value of an `<input>` in the shadow root.
pub fn input_value(element: &HtmlElement, selector: &str) -> Option<String> {
    let input: web_sys::HtmlInputElement = find(element, selector)?.dyn_into().ok()?;
    Some(input.value())
}

pub fn problem(status: u16, title: &str) -> serde_json::Value {
    json!({ "type": "about:blank", "title": title, "status": status })
}

/// Answers the household's list and summary with one vehicle that has an economy line.
pub fn garage(household: &str, name: &str) {
    let base = format!("/api/households/{household}");
    answer(
        "GET",
        &format!("{base}/vehicles"),
        200,
        json!({ "items": [vehicle(household, 1, name)] }),
    );
    answer(
        "GET",
        &format!("{base}/summary"),
        200,
        json!({
            "household_id": household,
            "vehicles": [{
                "vehicle_id": "00000000-0000-4000-9000-000000000001", "name": name, "fill_ups": 3,
                "distance_km": 1200.0, "fuel_litres": 84.0, "cost": 150.0, "l_per_100km": 7.0,
                "mpg_us": 33.6, "cost_per_km": 0.125,
                "economy": [
                    { "date": "2026-01-10", "l_per_100km": 6.8 },
                    { "date": "2026-02-10", "l_per_100km": 7.2 }
                ]
            }]
        }),
    );
}

/// Puts `<household-mfe household-id=…>` in the document, with a provider when `signed_in`.
pub fn mount(household: &str, signed_in: bool) -> HtmlElement {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let element: HtmlElement = document
        .create_element(mfe::element::TAG)
        .and_then(|e| e.dyn_into().map_err(JsValue::from))
        .expect("the element");
    element
        .set_attribute("household-id", household)
        .expect("attribute");
    if signed_in {
        sign_in(&element);
    }
    document
        .body()
        .expect("a body")
        .append_child(&element)
        .expect("appended");
    element
}

pub fn sign_in(element: &HtmlElement) {
    let provider = Function::new_no_args("return Promise.resolve('auth0-access-token')");
    Reflect::set(element, &"accessTokenProvider".into(), &provider).expect("set provider");
}

/// Records the events of `name` the element dispatches; `detail` of each.
pub fn listen(element: &HtmlElement, name: &str) -> Rc<RefCell<Vec<JsValue>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        sink.borrow_mut().push(e.detail())
    });
    element
        .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
        .expect("listener");
    listener.forget();
    seen
}

pub async fn sleep(ms: i32) {
    let wait = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("a timer");
    });
    let _ = JsFuture::from(wait).await;
}

/// Waits up to two seconds for `condition`.
pub async fn until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..200 {
        if condition() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting until {what}");
}

/// The text of the mount point (the shadow root's first `div`).
pub fn text(element: &HtmlElement) -> String {
    find(element, "div")
        .and_then(|container| container.text_content())
        .unwrap_or_default()
}

pub fn find(element: &HtmlElement, selector: &str) -> Option<Element> {
    element
        .shadow_root()?
        .query_selector(selector)
        .ok()
        .flatten()
}

pub fn buttons(element: &HtmlElement) -> Vec<String> {
    let Some(root) = element.shadow_root() else {
        return Vec::new();
    };
    let list = root.query_selector_all("button").expect("a selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.text_content())
        .collect()
}

pub async fn internal_token(element: &HtmlElement) -> Result<JsValue, JsValue> {
    let method: Function = Reflect::get(element, &"getInternalToken".into())?.dyn_into()?;
    let promise: Promise = method.call0(element)?.dyn_into()?;
    JsFuture::from(promise).await
}

pub fn exchange_count(element: &HtmlElement) -> f64 {
    Reflect::get(element, &"exchangeCount".into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(-1.0)
}

pub fn field(detail: &JsValue, name: &str) -> JsValue {
    Reflect::get(detail, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

pub fn click(element: &HtmlElement, label: &str) {
    let root = element.shadow_root().expect("a shadow root");
    let list = root.query_selector_all("button").expect("a selector");
    let button = (0..list.length())
        .filter_map(|i| list.item(i))
        .find(|b| b.text_content().as_deref() == Some(label))
        .and_then(|b| b.dyn_into::<HtmlElement>().ok())
        .unwrap_or_else(|| panic!("no {label} button"));
    button.click();
}

pub fn type_into(element: &HtmlElement, selector: &str, value: &str) {
    let input: web_sys::HtmlInputElement = find(element, selector)
        .and_then(|e| e.dyn_into().ok())
        .expect("an input");
    input.set_value(value);
    let event = web_sys::Event::new("input").expect("an event");
    input.dispatch_event(&event).expect("dispatched");
}

pub fn submit(element: &HtmlElement) {
    let form: web_sys::HtmlFormElement = find(element, "form")
        .and_then(|e| e.dyn_into().ok())
        .expect("a form");
    form.request_submit().expect("submitted");
}
