//! The `<household-mfe>` element in a real browser, against a fake API behind `fetch`.
//!
//! Run with `cargo test -p mfe --target wasm32-unknown-unknown` (wasm-bindgen-test-runner
//! and chromedriver; see `mfe/webdriver.json`). Natively this crate compiles to nothing.
//!
//! One module per part of the element: `element` (its life on a page), `sign_in` (tokens
//! and sign-in), `garage` (the vehicle views), `members` (the Members view), and `json`
//! (the wire types' readers and writers against serde's); `helpers` is the scaffolding.
#![cfg(target_arch = "wasm32")]

mod element;
mod garage;
mod helpers;
mod json;
mod members;
mod sign_in;

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);
