//! The `<household-mfe>` custom element (docs/interface.md, "The custom element"): the host page's whole interface.
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

pub use instance::trusted_api_base;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use instance::Instance;

/// The element's tag name.
pub const TAG: &str = "household-mfe";

#[wasm_bindgen(inline_js = r#"
export function define_element(tag, hooks, observed) {
  if (customElements.get(tag)) return false;
  class HouseholdMfeElement extends HTMLElement {
    static get observedAttributes() { return observed; }
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
      if (this._mfe !== undefined && oldValue !== newValue) hooks.attribute_changed(this._mfe, name, newValue);
    }
    getInternalToken() {
      if (this._mfe === undefined) return Promise.reject(new Error("household-mfe is not connected"));
      return hooks.internal_token(this._mfe);
    }
    get exchangeCount() { return this._mfe === undefined ? 0 : hooks.exchange_count(this._mfe); }
    get accessTokenProvider() { return this._accessTokenProvider ?? null; }
    set accessTokenProvider(provider) {
      this._accessTokenProvider = provider;
      if (this._mfe !== undefined) hooks.provider_changed(this._mfe);
    }
  }
  customElements.define(tag, HouseholdMfeElement);
  return true;
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn define_element(tag: &str, hooks: Hooks, observed: Array) -> Result<bool, JsValue>;
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
    let observed = Attribute::ALL.iter().map(|a| JsValue::from_str(a.name()));
    define_element(TAG, Hooks(()), observed.collect())
}

/// The attributes the element observes; the shim's `observedAttributes` is [`Self::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    HouseholdId,
    ApiBase,
    /// Styling only: the style sheet keys on `:host([theme=…])`.
    Theme,
}

impl Attribute {
    pub const ALL: [Self; 3] = [Self::HouseholdId, Self::ApiBase, Self::Theme];

    /// The attribute's name in HTML.
    pub const fn name(self) -> &'static str {
        match self {
            Self::HouseholdId => "household-id",
            Self::ApiBase => "api-base",
            Self::Theme => "theme",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// The shim's way into Rust, handed to it once: one method per callback or property of the
/// element class, by the name the shim calls (the Rust name, so that it is written once on
/// this side), each taking the id that [`Hooks::connected`] gave the element.
#[wasm_bindgen]
pub struct Hooks(());

#[wasm_bindgen]
impl Hooks {
    /// `connectedCallback`.
    pub fn connected(&self, element: HtmlElement) -> u32 {
        Instance::connect(element)
    }

    /// `disconnectedCallback`.
    pub fn disconnected(&self, id: u32) {
        Instance::disconnect(id);
    }

    /// `attributeChangedCallback`, for an attribute that changed.
    pub fn attribute_changed(&self, id: u32, name: &str, value: Option<String>) {
        if let Some(attribute) = Attribute::from_name(name) {
            Instance::attribute_changed(id, attribute, value);
        }
    }

    /// `getInternalToken()`.
    pub fn internal_token(&self, id: u32) -> Promise {
        Instance::internal_token(id)
    }

    /// The `exchangeCount` property.
    pub fn exchange_count(&self, id: u32) -> f64 {
        Instance::exchange_count(id)
    }

    /// The `accessTokenProvider` property was set.
    pub fn provider_changed(&self, id: u32) {
        Instance::provider_changed(id);
    }
}
