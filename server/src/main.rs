//! `server [serve|migrate|audit-rls|household|dev]`: parses the command line and calls the library.

use clap::{Parser, Subcommand};
use server::config::{self, Config};
use shared::households::HouseholdStatus;

#[derive(Parser)]
#[command(version, about = "Household token exchange and data API")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server from environment configuration (the default).
    Serve,
    /// Apply migrations/ with MIGRATION_DATABASE_URL (or DATABASE_URL).
    Migrate,
    /// Report row-level security coverage; exit 1 unless every tenant table is covered.
    AuditRls,
    /// Operator commands on one household, with the owner connection (as `migrate`).
    Household {
        #[command(subcommand)]
        action: HouseholdAction,
    },
    /// The whole stack on one machine, with embedded development defaults.
    Dev,
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .init();
    match run(Cli::parse().command.unwrap_or(Command::Serve)).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<std::process::ExitCode> {
    match command {
        Command::Serve => {
            let config = Config::from_env()?;
            let listener = tokio::net::TcpListener::bind(config.bind_addr).await?;
            tracing::info!(addr = %config.bind_addr, "listening");
            server::serve(config, listener, server::shutdown_signal()).await?;
        }
        Command::Migrate => {
            server::db::migrate::run(&config::migration_database_url()?).await?;
            println!("migrations applied");
        }
        Command::AuditRls => {
            let url = secrecy::ExposeSecret::expose_secret(
                &config::Env(|k| std::env::var(k).ok())
                    .required("DATABASE_URL")
                    .map_err(|e| anyhow::anyhow!(e))?,
            )
            .to_owned();
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await?;
            let report = server::db::audit::audit(&mut conn).await?;
            print!("{}", report.render());
            for problem in report.problems() {
                println!("NOT COVERED: {problem}");
            }
            if !report.ok() {
                return Ok(std::process::ExitCode::FAILURE);
            }
            println!("all tenant tables are covered");
        }
        Command::Household { action } => {
            let (id, status, done) = match action {
                HouseholdAction::Suspend { id } => (id, HouseholdStatus::Suspended, "suspended"),
                HouseholdAction::Reactivate { id } => (id, HouseholdStatus::Active, "reactivated"),
            };
            server::db::households::set_status(&config::migration_database_url()?, id, status)
                .await?;
            println!("household {id} {done}");
        }
        Command::Dev => server::dev::run().await?,
    }
    Ok(std::process::ExitCode::SUCCESS)
}
