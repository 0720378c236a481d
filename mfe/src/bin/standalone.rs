//! The standalone page's bundle (`standalone.js` + `standalone_bg.wasm`, built from
//! `index.html`): the page at `/mfe/` with its own sign-in and dev toolbar. It defines
//! `<household-mfe>` as well, so that the page can also serve as a host for the element.

fn main() {
    mfe::element::define_or_log();
    mfe::standalone::mount();
}
