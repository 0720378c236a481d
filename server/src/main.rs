//! `server [serve|migrate|audit-rls|household|dev]`: parses the command line and the
//! environment (see `config`), and calls the library.

use std::ffi::OsString;

use clap::{CommandFactory, Parser, Subcommand};
use server::config::{self, AuditConfig, Config, LogFormat, Logging, MigrateConfig};
use shared::households::HouseholdStatus;

#[derive(Parser)]
#[command(version, about = "Household token exchange and data API")]
struct Cli {
    #[command(flatten)]
    logging: Logging,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    Dev(server::dev::Command),
}

#[derive(Subcommand)]
enum HouseholdAction {
    /// Refuse the household's exchange and every outstanding internal token, at once.
    Suspend { id: uuid::Uuid },
    /// Let its members in again.
    Reactivate { id: uuid::Uuid },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli: Cli = match config::parse(Cli::command(), with_default_command()) {
        Ok(cli) => cli,
        // Help and usage mistakes exit as clap does (0 or 2); bad settings with 1, as ever.
        Err(e) if e.kind() == clap::error::ErrorKind::ValueValidation => {
            eprint!("{e}");
            return std::process::ExitCode::FAILURE;
        }
        Err(e) => e.exit(),
    };
    let logs = tracing_subscriber::fmt().with_env_filter(
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
    );
    match cli.logging.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    match run(cli.command).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
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

async fn run(command: Command) -> anyhow::Result<std::process::ExitCode> {
    match command {
        Command::Serve(config) => {
            let listener = tokio::net::TcpListener::bind(config.runtime.bind_addr).await?;
            tracing::info!(addr = %config.runtime.bind_addr, "listening");
            server::serve(*config, listener, server::shutdown_signal()).await?;
        }
        Command::Migrate(config) => {
            server::db::migrate::run(config.url()?).await?;
            println!("migrations applied");
        }
        Command::AuditRls(config) => {
            let url = secrecy::ExposeSecret::expose_secret(&config.database_url);
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url).await?;
            // One transaction, so that it also works through a transaction-mode pooler.
            let mut tx = sqlx::Connection::begin(&mut conn).await?;
            let report = server::db::audit::audit(&mut tx).await?;
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
            };
            server::db::households::set_status(owner.url()?, id, status).await?;
            println!("household {id} {done}");
        }
        #[cfg(feature = "dev")]
        Command::Dev(command) => server::dev::run(command).await?,
    }
    Ok(std::process::ExitCode::SUCCESS)
}
