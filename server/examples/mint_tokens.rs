//! Prints `<household_id> <internal token>` lines for the load test: one member token per
//! benchmark household, signed with `INTERNAL_JWT_KEY_FILE` (created when missing) and valid for an hour.
//!
//! `cargo run --release -p server --example mint_tokens -- 1000 > tokens.txt`
//!
//! With `--proofs`, `<household_id> <context proof>` lines instead: the proof of entering
//! each household as the benchmark's member, made with `DATABASE_CONTEXT_KEY_FILE` and good
//! for nine minutes, for the pgbench scripts (`scripts/bench/run`). `--first` and
//! `--subject` pick other households and another member (`scripts/attack`).

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

/// `<household_id> <token or proof>` lines for households `first` to `first + count - 1`.
#[derive(clap::Parser)]
struct Args {
    /// Print context proofs instead of internal tokens
    #[arg(long)]
    proofs: bool,
    /// How many households
    #[arg(default_value_t = 1000)]
    count: u64,
    /// The number of the first household
    #[arg(long, default_value_t = 1)]
    first: u64,
    /// The subject the tokens and proofs are for (a member of those households)
    #[arg(long, default_value = "bench|member")]
    subject: String,
}

fn main() -> anyhow::Result<()> {
    let args = <Args as clap::Parser>::parse();
    let households = (args.first..args.first + args.count).map(household);
    if args.proofs {
        let key = ContextKey::from_file(std::env::var("DATABASE_CONTEXT_KEY_FILE")?.as_ref())?;
        for h in households {
            let context = Context::household(h, &args.subject);
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
    for h in households {
        println!("{h} {}", signer.sign(&args.subject, h, Role::Member)?);
    }
    Ok(())
}
