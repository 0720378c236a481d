//! `sqlx::migrate!` embeds `migrations/` at compile time, and on stable Rust cargo does not
//! know the macro read it: without this, a new migration is missing from the binary until
//! some source file of the crate changes.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
