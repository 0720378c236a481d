//! Standalone mode: the micro-frontend as its own page, for development and demos, with
//! its own login (PKCE) and a dev toolbar instead of a host page's `accessTokenProvider`.
//!
//! A placeholder until that lands: it only says so, so that the page trunk serves shows
//! something. The custom element works in the meantime.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// The id of the element the standalone page mounts into.
pub const ROOT_ID: &str = "household-mfe-standalone";

/// Mounts the standalone page into `#household-mfe-standalone`, if the document has one.
pub fn mount() {
    let Some(root) = document()
        .get_element_by_id(ROOT_ID)
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    // The page lives as long as the tab.
    leptos::mount::mount_to(root, || {
        view! {
            <main>
                <p>"Standalone mode is coming. Until then, use the "<code>"<household-mfe>"</code>" element."</p>
            </main>
        }
    })
    .forget();
}
