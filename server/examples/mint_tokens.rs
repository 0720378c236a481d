//! Prints `<household_id> <internal token>` lines for the load test: one member token per
//! benchmark household, signed with `INTERNAL_JWT_KEY_FILE` (created when missing) and valid for an hour.
//!
//! `cargo run --release -p server --example mint_tokens -- 1000 > tokens.txt`
//!
//! With `--proofs`, `<household_id> <context proof>` lines instead: the proof of entering
//! each household as the benchmark's member, made with `DATABASE_CONTEXT_KEY_FILE` and good
//! for nine minutes, for the pgbench scripts (`scripts/bench/run`).

use std::time::Duration;

use server::auth::internal::{InternalSigner, KeyPair};
use server::config::{DEFAULT_INTERNAL_AUDIENCE, DEFAULT_INTERNAL_ISSUER, InternalTokenConfig};
use server::db::context::{Context, ContextKey};
use shared::Role;
use uuid::Uuid;

/// The benchmark's household ids: `00000000-0000-4000-8000-<n as 12 hex digits>`, the
/// same formula `scripts/bench/seed.sql` and the pgbench script use.
fn household(n: u64) -> Uuid {
    Uuid::parse_str(&format!("00000000-0000-4000-8000-{n:012x}")).expect("valid uuid")
}

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let proofs = args.first().is_some_and(|a| a == "--proofs");
    if proofs {
        args.remove(0);
    }
    let count: u64 = args.first().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    if proofs {
        let key = ContextKey::from_file(std::env::var("DATABASE_CONTEXT_KEY_FILE")?.as_ref())?;
        for n in 1..=count {
            let h = household(n);
            let context = Context::household(h, "bench|member");
            println!("{h} {}", key.prove_for(context, Duration::from_secs(540)));
        }
        return Ok(());
    }
    let key_file = std::env::var("INTERNAL_JWT_KEY_FILE")?;
    if !std::path::Path::new(&key_file).exists() {
        std::fs::write(&key_file, KeyPair::generate_pem()?)?;
    }
    let config = InternalTokenConfig {
        key_file: key_file.clone().into(),
        next_key_file: None,
        ttl_secs: 3600,
        issuer: DEFAULT_INTERNAL_ISSUER.into(),
        audience: DEFAULT_INTERNAL_AUDIENCE.into(),
    };
    let signer = InternalSigner::from_keys(KeyPair::from_file(key_file.as_ref())?, None, &config);
    for n in 1..=count {
        let h = household(n);
        println!("{h} {}", signer.sign("bench|member", h, Role::Member)?);
    }
    Ok(())
}
