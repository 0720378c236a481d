//! The command line: `server [serve|migrate|audit-rls|household|dev]`, each command's
//! settings from the environment or its flags ([`crate::config`]), and what each runs.

use std::ffi::OsString;

use clap::{CommandFactory, Parser, Subcommand};
use shared::households::HouseholdStatus;

use crate::config::{AuditConfig, Config, Logging, MigrateConfig};

#[derive(Parser)]
#[command(version, about = "Household token exchange and data API")]
pub struct Cli {
    #[command(flatten)]
    pub logging: Logging,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default). Each setting is an environment variable, or the
    /// flag of the same name.
    Serve(Box<Config>),
    /// Apply migrations/ with MIGRATION_DATABASE_URL (or DATABASE_URL).
    Migrate(MigrateConfig),
    /// Report row-level security coverage and the tenant tables' keys; exit 1 unless every
    /// tenant table is covered and each of its keys leads with household_id.
    AuditRls(AuditConfig),
    /// Operator commands on one household, with the owner connection (as `migrate`).
    Household {
        #[command(flatten)]
        owner: MigrateConfig,
        #[command(subcommand)]
        action: HouseholdAction,
    },
    #[cfg(feature = "dev")]
    #[command(flatten)]
    Dev(crate::dev::Command),
}

#[derive(Subcommand)]
pub enum HouseholdAction {
    /// Refuse the household's exchange and every outstanding internal token, at once.
    Suspend { id: uuid::Uuid },
    /// Let its members in again.
    Reactivate { id: uuid::Uuid },
    /// The tombstones of deleted households: id, when, by which subject (nothing else).
    List {
        /// The deleted households (the only list there is: a live household's data is its
        /// members' to see)
        #[arg(long, required = true)]
        deleted: bool,
    },
}

impl Cli {
    /// The command line and the environment, with `serve` added when the arguments name
    /// no command.
    pub fn parse_args() -> Result<Self, clap::Error> {
        crate::config::parse(Self::command(), with_default_command())
    }
}

/// The arguments, with `serve` added when they name no command.
fn with_default_command() -> Vec<OsString> {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let names_a_command = Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(&args)
        .map_or(true, |m| m.subcommand().is_some());
    if !names_a_command {
        args.push("serve".into());
    }
    args
}

/// Runs one command to its end.
pub async fn run(command: Command) -> anyhow::Result<std::process::ExitCode> {
    match command {
        Command::Serve(config) => {
            let listener = tokio::net::TcpListener::bind(config.runtime.bind_addr).await?;
            tracing::info!(addr = %config.runtime.bind_addr, "listening");
            crate::serve(*config, listener, crate::shutdown_signal()).await?;
        }
        Command::Migrate(config) => {
            let key = config
                .database_context_key_file
                .as_deref()
                .map(crate::db::context::ContextKey::from_file)
                .transpose()?;
            crate::db::migrate::run(config.url()?, key.as_ref()).await?;
            match key {
                Some(key) => println!("migrations applied; context key {} installed", key.id()),
                None => println!("migrations applied"),
            }
        }
        Command::AuditRls(config) => {
            let url = secrecy::ExposeSecret::expose_secret(&config.database_url);
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url).await?;
            // One transaction, so that it also works through a transaction-mode pooler.
            let mut tx = sqlx::Connection::begin(&mut conn).await?;
            let report = crate::db::audit::audit(&mut tx).await?;
            tx.commit().await?;
            print!("{}", report.render());
            for problem in report.problems() {
                println!("NOT COVERED: {problem}");
            }
            for problem in report.key_problems() {
                println!("NOT BY HOUSEHOLD: {problem}");
            }
            if !report.ok() {
                return Ok(std::process::ExitCode::FAILURE);
            }
            println!("all tenant tables are covered and keyed by household");
        }
        Command::Household { owner, action } => {
            let (id, status, done) = match action {
                HouseholdAction::Suspend { id } => (id, HouseholdStatus::Suspended, "suspended"),
                HouseholdAction::Reactivate { id } => (id, HouseholdStatus::Active, "reactivated"),
                HouseholdAction::List { .. } => {
                    for t in crate::db::households::tombstones(owner.url()?).await? {
                        println!(
                            "{}\t{}\t{}",
                            t.household,
                            t.deleted_at.to_rfc3339(),
                            t.deleted_by
                        );
                    }
                    return Ok(std::process::ExitCode::SUCCESS);
                }
            };
            crate::db::households::set_status(owner.url()?, id, status).await?;
            println!("household {id} {done}");
        }
        #[cfg(feature = "dev")]
        Command::Dev(command) => crate::dev::run(command).await?,
    }
    Ok(std::process::ExitCode::SUCCESS)
}
