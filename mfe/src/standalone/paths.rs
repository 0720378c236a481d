//! The standalone page's own paths below its base, for links and `use_navigate`: each is
//! the address of one `<Route>` in `routes::Pages`, so a route's path changes here and
//! there together. The household's mirrors the server's host page
//! (`shared::paths::host_page`), but takes the id as typed, which may be no UUID.

use leptos::prelude::*;

pub const HOME: &str = "/";
pub const NEW_HOUSEHOLD: &str = "/households/new";
pub const JOIN: &str = "/join";

/// A household's garage. The id is escaped; the router's params give it back unescaped.
pub fn household(id: &str) -> String {
    format!("/household/{}/mfe", shared::paths::segment(id))
}

/// The address of a path below the base, for `<A>`, which takes an absolute path as it is
/// (`use_navigate` adds the base itself).
pub fn href(path: &str) -> String {
    format!("{}{path}", expect_context::<Base>().0)
}

/// The router's base path, as `routes::Paths` was given it.
#[derive(Clone)]
pub struct Base(pub String);
