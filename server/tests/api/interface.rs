//! `docs/interface.md` against the code: its environment table names every setting clap
//! declares, with clap's default, and its HTTP table every route of the OpenAPI document,
//! so the reference cannot drift from what the server reads and serves.

const INTERFACE: &str = include_str!("../../../docs/interface.md");

/// The first cell of each row of the table under `## {heading}`, backticks stripped, with
/// the second cell.
fn table(heading: &str) -> Vec<(String, String)> {
    let section = INTERFACE
        .split(&format!("\n## {heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("docs/interface.md has no `## {heading}`"));
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (
                cells[1].trim_matches('`').to_owned(),
                cells[2].trim_matches('`').to_owned(),
            )
        })
        .collect()
}

/// With the `dev` feature, whose command the table documents too.
#[cfg(feature = "dev")]
mod environment {
    use std::collections::BTreeMap;

    use clap::CommandFactory;
    use server::cli::Cli;

    use super::table;

    /// Every environment variable of every command, with its default (`none` without one);
    /// `serve`'s default where commands differ. Hidden settings are not part of the interface.
    fn settings() -> BTreeMap<String, String> {
        fn walk(cmd: &clap::Command, into: &mut BTreeMap<String, String>) {
            for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                let Some(env) = arg.get_env() else { continue };
                let defaults: Vec<_> = arg
                    .get_default_values()
                    .iter()
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect();
                let default = if defaults.is_empty() {
                    "none".to_owned()
                } else {
                    defaults.join(",")
                };
                into.entry(env.to_string_lossy().into_owned())
                    .or_insert(default);
            }
            for sub in cmd.get_subcommands() {
                walk(sub, into);
            }
        }
        let cli = Cli::command();
        let mut all = BTreeMap::new();
        // `serve` first: its defaults are the ones the table gives.
        walk(cli.find_subcommand("serve").unwrap(), &mut all);
        walk(&cli, &mut all);
        all
    }

    #[test]
    fn the_environment_table_is_every_setting_with_its_default() {
        let documented: BTreeMap<String, String> = table("Environment").into_iter().collect();
        let declared = settings();
        let missing: Vec<_> = declared
            .keys()
            .filter(|k| !documented.contains_key(*k))
            .collect();
        let stale: Vec<_> = documented
            .keys()
            .filter(|k| !declared.contains_key(*k))
            .collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "docs/interface.md lacks {missing:?} and names {stale:?}, which no command reads"
        );
        for (name, default) in &declared {
            assert_eq!(
                &documented[name], default,
                "the default of {name} in docs/interface.md"
            );
        }
    }
}

#[test]
fn the_http_table_is_every_route_of_the_openapi_document() {
    let doc = serde_json::to_value(server::http::openapi::document()).unwrap();
    let mut served: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| {
            let methods: Vec<String> = ["get", "post", "put", "patch", "delete"]
                .into_iter()
                .filter(|m| item.get(*m).is_some())
                .map(str::to_uppercase)
                .collect();
            format!("{} {path}", methods.join(","))
        })
        .collect();
    let mut documented: Vec<String> = table("HTTP").into_iter().map(|(route, _)| route).collect();
    served.sort();
    documented.sort();
    assert_eq!(documented, served, "docs/interface.md's HTTP table");
}
