//! Standalone mode: the micro-frontend as its own page, for development and demos. Instead
//! of a host page's `accessTokenProvider` it signs in itself (`oidc`, with `pkce`), and a
//! dev toolbar (`toolbar`) picks the household and shows what the token manager does.
//! Below them all sit the login's error (`error`) and the browser's globals (`browser`);
//! `paths` holds the addresses of the routes (`routes`), for the pages and the toolbar.
//!
//! Start-up order matters. The issuer's answer leaves the address bar first, so that the
//! page starts on the user's own URL; then the settings and the issuer's discovery load;
//! then the page renders. Its routes (`routes`) live under the path of `document.baseURI`,
//! the same URL the login uses as its redirect URI, so that one `public_url` in
//! `Trunk.toml` decides both.
//!
//! Behind the `standalone` feature (on by default), and a bundle of its own
//! (`src/bin/standalone.rs`, built from `index.html`), so host pages never download it. It
//! is written to stay small all the same (see `toolbar`, `crate::jwt`), though it has no budget:
//! its routes use `leptos_router`, which the element bundle leaves out.

mod browser;
mod callback;
mod error;
mod oidc;
mod paths;
mod pkce;
mod routes;
mod state;
mod toolbar;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use callback::Callback;
use error::LoginError;
use oidc::{Oidc, Session};
use state::Standalone;

/// The id of the element the standalone page mounts into.
pub const ROOT_ID: &str = "household-mfe-standalone";

const STYLE: &str = include_str!("style.css");

/// Mounts the standalone page into `#household-mfe-standalone`, if the document has one.
pub fn mount() {
    let Some(root) = document()
        .get_element_by_id(ROOT_ID)
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    let callback = callback::take_callback();
    // Not Leptos's `spawn_local`: its executor starts with the first mount.
    wasm_bindgen_futures::spawn_local(async move {
        match start(callback).await {
            Ok(started) => {
                root.set_text_content(None);
                // The page lives as long as the tab.
                leptos::mount::mount_to(root, move || page(started)).forget();
            }
            Err(error) => {
                let message = format!("The page could not start. {error}");
                root.set_text_content(Some(&message));
            }
        }
    });
}

/// What the page starts with.
struct Started {
    oidc: Oidc,
    /// The outcome of a sign-in that has just come back, if any.
    signed_in: Result<Option<Session>, LoginError>,
    /// The path of the app's base URL, without its trailing slash: `/mfe`, or empty.
    base: String,
}

async fn start(callback: Option<Callback>) -> Result<Started, LoginError> {
    let redirect_uri = document()
        .base_uri()?
        .ok_or_else(|| LoginError("The page has no base URL.".into()))?;
    let base = web_sys::Url::new(&redirect_uri)?.pathname();
    let oidc = Oidc::discover(redirect_uri).await?;
    let signed_in = match callback {
        Some(callback) => oidc.finish(callback).await.map(Some),
        None => Ok(None),
    };
    Ok(Started {
        oidc,
        signed_in,
        base: base.trim_end_matches('/').to_owned(),
    })
}

fn page(started: Started) -> impl IntoView {
    let Started {
        oidc,
        signed_in,
        base,
    } = started;
    let app = Standalone::new(oidc, signed_in);
    provide_context(app);
    let user = Signal::derive(move || {
        app.session
            .with(|s| s.as_ref().map(|s| s.user.clone()))
            .unwrap_or_default()
    });
    // A memo, so that the page renders anew only when the sign-in comes or goes.
    let signed_in: Signal<bool> = Memo::new(move |_| app.session.read().is_some()).into();
    let signed_out = Signal::derive(move || !signed_in.get());
    let no_problem = Signal::derive(move || app.problem.read().is_empty());
    // The account controls are hidden rather than swapped: one view instead of two.
    view! {
        <routes::Paths base>
        <style>{STYLE}</style>
        <header class="sa-header">
            <strong>"Household garage"</strong>
            <em>"standalone"</em>
            <span class="sa-user" data-testid="user" hidden=signed_out>{user}</span>
            <button type="button" data-testid="logout" hidden=signed_out on:click=move |_| app.logout()>
                "Sign out"
            </button>
            <button type="button" class="sa-user" data-testid="login" hidden=signed_in on:click=move |_| app.login()>
                "Sign in"
            </button>
        </header>
        <p class="sa-problem" role="alert" hidden=no_problem>{app.problem}</p>
        <main>
            {move || signed_in.get().then(|| view! { <routes::Pages /> })}
            <p hidden=signed_in>"Sign in to see your households."</p>
        </main>
        </routes::Paths>
    }
}
