//! `server`: parses the command line and the environment ([`server::cli`]), sets up the
//! logs, and runs the command.

use server::cli::Cli;
use server::config::LogFormat;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = match Cli::parse_args() {
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
    match server::cli::run(cli.command).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
