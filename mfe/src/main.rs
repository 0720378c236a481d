//! The element bundle host pages load (`mfe.js` + `mfe_bg.wasm`): it defines
//! `<household-mfe>` and nothing else, so that a host pays only for the element.
//! The standalone page is the `standalone` binary.

fn main() {
    mfe::element::define_or_log();
}
