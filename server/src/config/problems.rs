//! Every problem in the settings at once: clap stops at the first, so on failure each
//! setting is parsed again on its own and the refusals are reported together.

use std::ffi::OsString;

use clap::builder::{Resettable, ValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, Command, FromArgMatches};

/// Every problem found in the settings.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

/// Parses `args` with `cmd` (which reads the environment too) into `T`.
///
/// Clap stops at the first problem. On failure, each setting is parsed again on its own,
/// every other one read as optional plain text, and all the refusals are reported together
/// as one error. Help, version and unknown flags are clap's own errors, unchanged.
pub fn parse<T, I, A>(cmd: Command, args: I) -> Result<T, clap::Error>
where
    T: FromArgMatches,
    I: IntoIterator<Item = A>,
    A: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let mut cmd = cmd;
    match cmd.try_get_matches_from_mut(&args) {
        Ok(matches) => T::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd)),
        Err(e) if !is_a_settings_problem(e.kind()) => Err(e),
        Err(first) => {
            let problems = every_problem(&cmd, &args);
            if problems.is_empty() {
                return Err(first);
            }
            Err(cmd.error(ErrorKind::ValueValidation, ConfigError(problems)))
        }
    }
}

fn is_a_settings_problem(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::ValueValidation | ErrorKind::InvalidValue | ErrorKind::MissingRequiredArgument
    )
}

fn every_problem(cmd: &Command, args: &[OsString]) -> Vec<String> {
    let mut settings = Vec::new();
    collect_settings(cmd, &selected_path(cmd, args), &mut settings);
    let mut problems = Vec::new();
    for setting in settings {
        if let Err(e) = alone(cmd.clone(), Some(&setting)).try_get_matches_from(args) {
            let problem = describe(&setting, &e);
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
    }
    problems
}

/// The names of the (nested) subcommands `args` select.
fn selected_path(cmd: &Command, args: &[OsString]) -> Vec<String> {
    let mut path = Vec::new();
    if let Ok(matches) = alone(cmd.clone(), None).try_get_matches_from(args) {
        let mut matches = &matches;
        while let Some((name, sub)) = matches.subcommand() {
            path.push(name.to_owned());
            matches = sub;
        }
    }
    path
}

/// The settings of `cmd` and of the subcommands along `path`.
fn collect_settings(cmd: &Command, path: &[String], into: &mut Vec<Arg>) {
    into.extend(
        cmd.get_arguments()
            .filter(|a| a.get_action().takes_values())
            .cloned(),
    );
    if let Some((name, rest)) = path.split_first()
        && let Some(sub) = cmd.find_subcommand(name)
    {
        collect_settings(sub, rest, into);
    }
}

/// `cmd` with every setting but `keep` optional plain text. Ids are compared across
/// subcommands; only the one the arguments select is parsed.
fn alone(cmd: Command, keep: Option<&Arg>) -> Command {
    cmd.mut_args(|a| {
        if keep.is_some_and(|k| k.get_id() == a.get_id()) || !a.get_action().takes_values() {
            a
        } else {
            a.value_parser(ValueParser::os_string())
                .required(false)
                .required_unless_present(Resettable::Reset)
        }
    })
    .mut_subcommands(|sub| alone(sub, keep))
}

/// One line per problem, named as an operator sets it: the variable.
fn describe(setting: &Arg, e: &clap::Error) -> String {
    let name = setting.get_env().map_or_else(
        || format!("--{}", setting.get_long().unwrap_or_default()),
        |env| env.to_string_lossy().into_owned(),
    );
    let help = setting
        .get_help()
        .map(ToString::to_string)
        .unwrap_or_default();
    let value = match e.get(ContextKind::InvalidValue) {
        // A secret's value (a URL with its password) is never echoed.
        Some(ContextValue::String(_)) if setting.is_hide_env_values_set() => "<hidden>".into(),
        Some(ContextValue::String(v)) => v.clone(),
        _ => String::new(),
    };
    match e.kind() {
        ErrorKind::MissingRequiredArgument => format!("{name} is not set: {help}"),
        ErrorKind::ValueValidation => match std::error::Error::source(e) {
            Some(why) => format!("{name}={value:?}: {why}"),
            None => format!("{name}={value:?} is not valid"),
        },
        ErrorKind::InvalidValue => {
            let valid = match e.get(ContextKind::ValidValue) {
                Some(ContextValue::Strings(v)) => v.join(", "),
                _ => String::new(),
            };
            format!("{name}={value:?} must be one of: {valid}")
        }
        _ => e.to_string().lines().next().unwrap_or_default().to_owned(),
    }
}
