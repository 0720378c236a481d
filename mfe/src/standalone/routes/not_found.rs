//! Any address below the base that no route matches.

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! { <p role="alert">"There is no such page here."</p> }
}
