//! The standalone page's routes, one page per file, under the app's base path (`/mfe` when
//! the server serves the bundle, empty at the root): `/` lists the caller's households, and
//! `/household/:id/mfe` shows one household's garage, the path the server's host page uses.
//!
//! Routing is hand-rolled on the History API rather than `leptos_router`, because of size:
//! the router's smallest use measured +30 KB gzip (`<Router>` + `<FlatRoutes>`; +44 KB with
//! `<Routes>`) for two routes needed only in development. Here it is a signal of the
//! current [`Route`], set by [`Location::navigate`] and by the browser's back/forward.

mod home;
mod household;

use leptos::ev::MouseEvent;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// A page of the standalone app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    /// A household's garage; the id as typed, so that an invalid one can be shown.
    Household(String),
    NotFound,
}

impl Route {
    /// The route of a path below the base; `decode` undoes the id's percent-escapes.
    pub fn parse(path: &str, decode: impl Fn(&str) -> String) -> Self {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match segments[..] {
            [""] => Self::Home,
            ["household", id, "mfe"] if !id.is_empty() => Self::Household(decode(id)),
            _ => Self::NotFound,
        }
    }

    /// The path below the base; `encode` escapes the household id.
    pub fn path(&self, encode: impl Fn(&str) -> String) -> String {
        match self {
            Self::Home | Self::NotFound => "/".to_owned(),
            Self::Household(id) => format!("/household/{}/mfe", encode(id)),
        }
    }
}

/// The current route, kept in step with the address bar. Provided as context.
#[derive(Clone, Copy)]
pub struct Location {
    base: StoredValue<String>,
    route: RwSignal<Route>,
}

impl Location {
    /// Reads the address bar and follows back/forward for the page's lifetime.
    pub fn new(base: String) -> Self {
        let location = Self {
            base: StoredValue::new(base),
            route: RwSignal::new(Route::Home),
        };
        location.sync();
        // The page lives as long as the tab, and so does this listener.
        let _ = window_event_listener(leptos::ev::popstate, move |_| location.sync());
        location
    }

    pub fn expect() -> Self {
        expect_context()
    }

    pub fn route(&self) -> Route {
        self.route.get()
    }

    /// The address of `route`, for links.
    pub fn href(&self, route: &Route) -> String {
        let path = route.path(|id| js_sys::encode_uri_component(id).into());
        self.base.with_value(|base| format!("{base}{path}"))
    }

    /// Shows `route` and adds it to the history.
    pub fn navigate(&self, route: Route) {
        let pushed = window().history().and_then(|history| {
            history.push_state_with_url(&JsValue::NULL, "", Some(&self.href(&route)))
        });
        if pushed.is_err() {
            leptos::logging::warn!("the address bar could not follow the page");
        }
        self.route.set(route);
    }

    /// A link's click: navigates in place, unless the user asked for a new tab or window.
    pub fn follow(&self, event: &MouseEvent, route: Route) {
        let modified = event.ctrl_key() || event.meta_key() || event.shift_key() || event.alt_key();
        if event.button() == 0 && !modified {
            event.prevent_default();
            self.navigate(route);
        }
    }

    fn sync(&self) {
        let path = window().location().pathname().unwrap_or_default();
        let below = self
            .base
            .with_value(|base| path.strip_prefix(base.as_str()).map(str::to_owned));
        let decode = |id: &str| {
            js_sys::decode_uri_component(id).map_or_else(|_| id.to_owned(), String::from)
        };
        self.route
            .set(below.map_or(Route::NotFound, |below| Route::parse(&below, decode)));
    }
}

/// The page for the current route. Only a change of page renders anew: another household
/// reaches the mounted garage as a new id, and it reloads in place.
pub fn current_page() -> impl IntoView {
    let location = Location::expect();
    let page = Memo::new(move |_| Page::of(&location.route()));
    let household = Signal::derive(move || match location.route() {
        Route::Household(id) => id,
        _ => String::new(),
    });
    move || match page.get() {
        Page::Home => view! { <home::Home /> }.into_any(),
        Page::Household => view! { <household::Household id=household /> }.into_any(),
        Page::NotFound => view! { <p role="alert">"There is no such page here."</p> }.into_any(),
    }
}

/// Which page a route shows, whatever its household.
#[derive(Clone, Copy, PartialEq)]
enum Page {
    Home,
    Household,
    NotFound,
}

impl Page {
    fn of(route: &Route) -> Self {
        match route {
            Route::Home => Self::Home,
            Route::Household(_) => Self::Household,
            Route::NotFound => Self::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str) -> Route {
        Route::parse(path, |id| id.replace("%2F", "/"))
    }

    #[test]
    fn paths_below_the_base_map_to_routes() {
        assert_eq!(parse(""), Route::Home);
        assert_eq!(parse("/"), Route::Home);
        assert_eq!(
            parse("/household/11111111-1111-4111-8111-111111111111/mfe"),
            Route::Household("11111111-1111-4111-8111-111111111111".into())
        );
        assert_eq!(
            parse("/household/a%2Fb/mfe/"),
            Route::Household("a/b".into())
        );
        assert_eq!(parse("/household//mfe"), Route::NotFound);
        assert_eq!(parse("/household/x"), Route::NotFound);
        assert_eq!(parse("/elsewhere"), Route::NotFound);
    }

    #[test]
    fn routes_map_back_to_paths() {
        let household = Route::Household("a/b".into());
        assert_eq!(
            household.path(|id| id.replace('/', "%2F")),
            "/household/a%2Fb/mfe"
        );
        assert_eq!(Route::Home.path(str::to_owned), "/");
    }
}
