//! The wasm binary trunk builds (`mfe.js` + `mfe_bg.wasm`): defines `<household-mfe>` for
//! host pages, and mounts the standalone page when served as one.

use leptos::prelude::document;

fn main() {
    if let Err(error) = mfe::element::define() {
        leptos::logging::error!("<household-mfe> could not be defined: {error:?}");
    }
    if document()
        .get_element_by_id(mfe::standalone::ROOT_ID)
        .is_some()
    {
        mfe::standalone::mount();
    }
}
