//! One connected `<household-mfe>`: its mounted garage, signals, tokens and abort controller.
//!
//! Instances live in a thread-local map keyed by a number the JS shim keeps on the element,
//! because the shim can hand Rust only plain values. Every hook takes what it needs out of
//! the map and releases it before doing anything that might re-enter (dispatching events,
//! setting signals, dropping a view), so a host listener that removes the element from
//! inside an event cannot hit a borrowed map.

use std::cell::{Cell, RefCell};
use std::future::Future;

use js_sys::{Function, Promise, Reflect};
use leptos::mount::UnmountHandle;
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{AbortController, HtmlElement, ShadowRootInit, ShadowRootMode};

use super::{Attribute, events};
use crate::api::{self, Client};
use crate::garage::{HouseholdMfe, Notice, STYLE};
use crate::token::{TokenError, TokenKey};

thread_local! {
    /// By id. A page holds a handful of elements, so a list does, and keeps a hash map's
    /// code out of the bundle.
    static INSTANCES: RefCell<Vec<(u32, Instance)>> = RefCell::default();
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

pub struct Instance {
    element: HtmlElement,
    household_id: ArcRwSignal<String>,
    api_base: ArcRwSignal<String>,
    /// Bumped when the host sets a new `accessTokenProvider`.
    session: ArcRwSignal<u64>,
    client: Client,
    abort: AbortController,
    /// Dropping it unmounts the view and disposes its signals.
    _mounted: UnmountHandle<AnyViewState>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        // Before the view goes: in-flight requests end as "cancelled", not as errors.
        self.abort.abort();
    }
}

impl Instance {
    /// `connectedCallback`: mounts and returns the id the shim keeps. 0 means mounting
    /// failed (already logged); the other hooks ignore unknown ids.
    pub fn connect(element: HtmlElement) -> u32 {
        match Self::mount(element) {
            Ok(instance) => {
                let id = NEXT_ID.with(|next| next.replace(next.get().wrapping_add(1).max(1)));
                INSTANCES.with(|all| all.borrow_mut().push((id, instance)));
                id
            }
            Err(error) => {
                web_sys::console::error_2(&"<household-mfe> could not mount:".into(), &error);
                0
            }
        }
    }

    /// `disconnectedCallback`: aborts requests and unmounts.
    pub fn disconnect(id: u32) {
        let instance = INSTANCES.with(|all| {
            let mut all = all.borrow_mut();
            let index = all.iter().position(|(i, _)| *i == id)?;
            Some(all.swap_remove(index))
        });
        drop(instance);
    }

    pub fn attribute_changed(id: u32, attribute: Attribute, value: Option<String>) {
        let Some((signal, client)) = Self::with(id, |i| {
            let signal = match attribute {
                Attribute::HouseholdId => Some(i.household_id.clone()),
                Attribute::ApiBase => Some(i.api_base.clone()),
                Attribute::Theme => None,
            };
            (signal, i.client.clone())
        }) else {
            return;
        };
        if let Some(signal) = signal {
            // One household and API at a time: the old key's tokens and exchanges go.
            client.tokens().clear();
            signal.set(value.unwrap_or_default());
        }
    }

    /// `getInternalToken()`: the current household's token; concurrent calls share one
    /// exchange through the token manager.
    pub fn internal_token(id: u32) -> Promise {
        let Some((client, key, element)) =
            Self::with(id, |i| (i.client.clone(), i.key(), i.element.clone()))
        else {
            return Promise::reject(&js_sys::Error::new("household-mfe is not connected"));
        };
        let Some(key) = key else {
            return Promise::reject(&js_sys::Error::new(
                "household-mfe: household-id is missing or not a UUID",
            ));
        };
        if !trusted_api_base(&key.api_base) {
            return Promise::reject(&js_sys::Error::new(UNTRUSTED_API_BASE));
        }
        let token = client.tokens().get(&key);
        future_to_promise(async move {
            match token.await {
                Ok(token) => Ok(token.access_token.into()),
                Err(error) => {
                    if error == TokenError::Unauthorized {
                        events::notice(&element, &Notice::AuthRequired);
                    }
                    Err(events::token_error(&error))
                }
            }
        })
    }

    pub fn exchange_count(id: u32) -> f64 {
        Self::with(id, |i| i.client.tokens().exchange_count() as f64).unwrap_or(0.0)
    }

    /// A new `accessTokenProvider` may be a different user: forget their tokens and let
    /// views that were waiting for a sign-in try again.
    pub fn provider_changed(id: u32) {
        if let Some((client, session)) = Self::with(id, |i| (i.client.clone(), i.session.clone())) {
            client.tokens().clear();
            session.update(|n| *n += 1);
        }
    }

    fn with<T>(id: u32, f: impl FnOnce(&Instance) -> T) -> Option<T> {
        INSTANCES.with(|all| {
            all.borrow()
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, i)| f(i))
        })
    }

    fn key(&self) -> Option<TokenKey> {
        let household = parse_household(&self.household_id.get_untracked())?;
        Some(TokenKey::new(household, &self.api_base.get_untracked()))
    }

    fn mount(element: HtmlElement) -> Result<Self, JsValue> {
        // A reconnected element already has its shadow root (it can be attached only once).
        let shadow = match element.shadow_root() {
            Some(shadow) => shadow,
            None => element.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
        };
        shadow.set_inner_html("");
        let document = element
            .owner_document()
            .ok_or("the element has no document")?;
        // Adopted, not a `<style>` element: a host's CSP then needs no 'unsafe-inline' in
        // style-src.
        let sheet = web_sys::CssStyleSheet::new()?;
        sheet.replace_sync(STYLE)?;
        shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
        let container: HtmlElement = document.create_element("div")?.dyn_into()?;
        shadow.append_child(&container)?;

        let abort = AbortController::new()?;
        let source = element.clone();
        let tokens = api::token_manager(move || host_access_token(&source), Some(abort.signal()));
        let client = Client::new(tokens, Some(abort.signal()));
        let attribute =
            |a: Attribute| ArcRwSignal::new(element.get_attribute(a.name()).unwrap_or_default());
        let household_id = attribute(Attribute::HouseholdId);
        let api_base = attribute(Attribute::ApiBase);
        let session = ArcRwSignal::new(0);

        let view = {
            let (household_id, api_base, session) =
                (household_id.clone(), api_base.clone(), session.clone());
            let (client, element) = (client.clone(), element.clone());
            // As `AnyView`, so that the handle's type can be named.
            move || root(household_id, api_base, session, client, element).into_any()
        };
        let mounted = leptos::mount::mount_to(container, view);
        Ok(Self {
            element,
            household_id,
            api_base,
            session,
            client,
            abort,
            _mounted: mounted,
        })
    }
}

/// The garage, or a note about the attribute when `api-base` is not trusted or
/// `household-id` is not a household.
fn root(
    household_id: ArcRwSignal<String>,
    api_base: ArcRwSignal<String>,
    session: ArcRwSignal<u64>,
    client: Client,
    element: HtmlElement,
) -> impl IntoView {
    let parsed = Memo::new(move |_| parse_household(&household_id.get()));
    let valid = Memo::new(move |_| parsed.get().is_some());
    let trusted = {
        let api_base = api_base.clone();
        Memo::new(move |_| trusted_api_base(&api_base.get()))
    };
    let reporter = element.clone();
    Effect::new(move || {
        if !trusted.get() {
            let detail = events::status_and_title(0, UNTRUSTED_API_BASE);
            events::dispatch(&reporter, events::ERROR, &detail);
        }
    });
    let client = StoredValue::new_local(client);
    let on_notice = UnsyncCallback::new(move |notice: Notice| events::notice(&element, &notice));
    let (api_base, session): (Signal<String>, Signal<u64>) = (api_base.into(), session.into());
    // What `<Show>` does, without its children machinery (some 6 KB of wasm): the garage
    // mounts when the id becomes valid and stays mounted while it changes between households.
    move || match (trusted.get(), valid.get()) {
        (false, _) => blocked(
            "API address refused",
            "The api-base attribute must be an https: address (http: only on this computer).",
        )
        .into_any(),
        (true, true) => view! {
            <HouseholdMfe
                household_id=Signal::derive(move || parsed.get().unwrap_or_default())
                api_base
                client=client.get_value()
                session
                on_notice
            />
        }
        .into_any(),
        (true, false) => blocked(
            "No household selected",
            "Set the household-id attribute to the household's id.",
        )
        .into_any(),
    }
}

/// The host's Auth0 token goes only where the host pointed `api-base`; a page served over
/// http could be altered in transit, so only https qualifies, and plain http on loopback.
const UNTRUSTED_API_BASE: &str =
    "household-mfe: api-base must be an https: origin (http: only on loopback)";

/// Whether the element may send tokens to `api_base`: empty (the page's own origin), an
/// `https:` URL, or `http:` on 127.0.0.0/8, ::1 or localhost. The browser's URL parser
/// reads it, so what is checked is what `fetch` will reach.
pub fn trusted_api_base(api_base: &str) -> bool {
    if api_base.is_empty() {
        return true;
    }
    let Ok(url) = web_sys::Url::new(api_base) else {
        return false;
    };
    let host = url.hostname();
    match url.protocol().as_str() {
        "https:" => !host.is_empty(),
        "http:" => {
            // The parser writes an IPv4 host in dotted decimal, and a host of digits and
            // dots only is one (cheaper in wasm than parsing an `Ipv4Addr`).
            host == "localhost"
                || host == "[::1]"
                || (host.starts_with("127.")
                    && host.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        }
        _ => false,
    }
}

/// What the element shows instead of the garage when an attribute stops it.
fn blocked(title: &'static str, text: &'static str) -> impl IntoView {
    view! {
        <div class="hh">
            <div class="hh-blocked" role="alert">
                <h2>{title}</h2>
                <p>{text}</p>
            </div>
        </div>
    }
}

fn parse_household(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text.trim()).ok()
}

/// The Auth0 access token from the host's `accessTokenProvider`, read when the exchange
/// starts so that a provider set later is used. No provider, a throw, a rejection or a
/// non-string all mean the same to the user: sign in.
fn host_access_token(
    element: &HtmlElement,
) -> impl Future<Output = Result<String, TokenError>> + use<> {
    let provider = Reflect::get(element, &"accessTokenProvider".into())
        .ok()
        .and_then(|p| p.dyn_into::<Function>().ok());
    let called = provider.map(|p| p.call0(&JsValue::UNDEFINED));
    async move {
        let returned = called
            .ok_or(TokenError::Unauthorized)?
            .map_err(|_| TokenError::Unauthorized)?;
        let token = JsFuture::from(Promise::resolve(&returned))
            .await
            .map_err(|_| TokenError::Unauthorized)?;
        token
            .as_string()
            .filter(|t| !t.is_empty())
            .ok_or(TokenError::Unauthorized)
    }
}
