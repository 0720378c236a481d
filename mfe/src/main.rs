//! The wasm binary trunk builds (`mfe.js` + `mfe_bg.wasm`): defines `<household-mfe>` for
//! host pages, and mounts the standalone page when served as one.

fn main() {
    if let Err(error) = mfe::element::define() {
        leptos::logging::error!("<household-mfe> could not be defined: {error:?}");
    }
    #[cfg(feature = "standalone")]
    mfe::standalone::mount();
}
