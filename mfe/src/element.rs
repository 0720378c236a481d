//! The `<household-mfe>` custom element (see `CONTRACT.md`): the host page's whole interface.
//!
//! A custom element must be an ES class extending `HTMLElement`, which Rust cannot declare,
//! so a few lines of JavaScript define it and forward every lifecycle callback to the hooks
//! below; all behaviour stays in Rust. Each connection gets an [`Instance`]: the garage
//! mounted in the element's open shadow root, attribute signals, a token manager and an
//! `AbortController`. Disconnecting drops the instance, which aborts its requests and
//! unmounts the view; attribute changes only set signals, so the view updates in place.
//!
//! `theme` needs no Rust: the style sheet keys its defaults on `:host([theme=…])`.

mod events;
mod instance;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use instance::Instance;

/// The element's tag name.
pub const TAG: &str = "household-mfe";

#[wasm_bindgen(inline_js = r#"
export function define_element(tag, hooks) {
  if (customElements.get(tag)) return false;
  class HouseholdMfeElement extends HTMLElement {
    static get observedAttributes() { return ["household-id", "api-base", "theme"]; }
    constructor() {
      super();
      // A host may set the property before this bundle upgraded the element; re-set it
      // so that it reaches the accessor below instead of shadowing it.
      if (Object.prototype.hasOwnProperty.call(this, "accessTokenProvider")) {
        const provider = this.accessTokenProvider;
        delete this.accessTokenProvider;
        this.accessTokenProvider = provider;
      }
    }
    connectedCallback() { this._mfe = hooks.connected(this); }
    disconnectedCallback() {
      if (this._mfe !== undefined) hooks.disconnected(this._mfe);
      this._mfe = undefined;
    }
    attributeChangedCallback(name, oldValue, newValue) {
      if (this._mfe !== undefined && oldValue !== newValue) hooks.attributeChanged(this._mfe, name, newValue);
    }
    getInternalToken() {
      if (this._mfe === undefined) return Promise.reject(new Error("household-mfe is not connected"));
      return hooks.internalToken(this._mfe);
    }
    get exchangeCount() { return this._mfe === undefined ? 0 : hooks.exchangeCount(this._mfe); }
    get accessTokenProvider() { return this._accessTokenProvider ?? null; }
    set accessTokenProvider(provider) {
      this._accessTokenProvider = provider;
      if (this._mfe !== undefined) hooks.providerChanged(this._mfe);
    }
  }
  customElements.define(tag, HouseholdMfeElement);
  return true;
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn define_element(tag: &str, hooks: &Object) -> Result<bool, JsValue>;
}

/// [`define`] for a bundle's entry point: a failure goes to the console, as the host page
/// has no other way to hear of it.
pub fn define_or_log() {
    if let Err(error) = define() {
        web_sys::console::error_2(&"<household-mfe> could not be defined:".into(), &error);
    }
}

/// Defines `<household-mfe>`. Returns `false` when it was already defined (the bundle was
/// loaded twice), which is harmless: the first definition keeps serving every element.
pub fn define() -> Result<bool, JsValue> {
    let hooks = Object::new();
    // The closures live as long as the definition, i.e. the page: leaking them is the point.
    let set = |name: &str, hook: JsValue| Reflect::set(&hooks, &name.into(), &hook);
    set(
        "connected",
        Closure::<dyn Fn(HtmlElement) -> u32>::new(Instance::connect).into_js_value(),
    )?;
    set(
        "disconnected",
        Closure::<dyn Fn(u32)>::new(Instance::disconnect).into_js_value(),
    )?;
    set(
        "attributeChanged",
        Closure::<dyn Fn(u32, String, Option<String>)>::new(|id, name: String, value| {
            Instance::attribute_changed(id, &name, value)
        })
        .into_js_value(),
    )?;
    set(
        "internalToken",
        Closure::<dyn Fn(u32) -> Promise>::new(Instance::internal_token).into_js_value(),
    )?;
    set(
        "exchangeCount",
        Closure::<dyn Fn(u32) -> f64>::new(Instance::exchange_count).into_js_value(),
    )?;
    set(
        "providerChanged",
        Closure::<dyn Fn(u32)>::new(Instance::provider_changed).into_js_value(),
    )?;
    define_element(TAG, &hooks)
}
