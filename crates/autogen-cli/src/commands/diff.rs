//! `autogen diff FROM TO`: prints the SQL the library's diff computed, one `;`-terminated
//! statement per paragraph with its comment (data-loss warnings included) above it, so the output
//! can be piped into the database's own client. "No differences" goes to stderr, keeping stdout
//! empty then. Works without an autogen.toml when both sides are URLs.

use std::process::ExitCode;

use anstream::{eprintln, println};
use autogen::config::Config;
use autogen::db::DatabaseUrl;
use autogen::ops::diff::{self, DiffProject, DiffSide};
use autogen::{ConfigError, UrlSource};

use crate::cli::Cli;
use crate::output::using;

pub async fn diff(
    cli: &Cli,
    from: &str,
    to: &str,
    downgrade: bool,
    exit_code: bool,
) -> Result<ExitCode, autogen::Error> {
    let from = DiffSide::parse(from, &cli.project)?;
    let to = DiffSide::parse(to, &cli.project)?;
    let config = match Config::load(&cli.project) {
        Ok(config) => Some(config),
        Err(ConfigError::Missing { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    // `revisions` replays into the dev database: --dev-url, else dev_url from autogen.toml.
    let dev_raw = cli
        .dev_url
        .clone()
        .or_else(|| config.as_ref().and_then(|c| c.dev_url.clone()));
    let dev_url = match dev_raw {
        Some(raw) => Some(DatabaseUrl::parse(&raw)?.resolve_relative(&cli.project)),
        None => None,
    };
    announce(
        &from,
        &to,
        dev_raw_source(cli, config.as_ref()),
        dev_url.as_ref(),
    );
    let project = config.as_ref().map(|config| DiffProject {
        root: &cli.project,
        config,
        dev_url: dev_url.as_ref(),
    });
    let result =
        diff::diff_with(&from, &to, project, downgrade, cli.dev_url_may_be_emptied).await?;
    if result.changes.is_empty() {
        eprintln!("No differences");
    }
    if !result.statements.is_empty() {
        println!("{}", render_sql(&result.statements).trim_end());
    }
    Ok(if exit_code && !result.changes.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Says which databases the diff opens (stderr): each side given as a URL, and the dev database
/// when a side is `revisions`.
fn announce(
    from: &DiffSide,
    to: &DiffSide,
    dev_source: Option<UrlSource>,
    dev_url: Option<&DatabaseUrl>,
) {
    for (role, side) in [("FROM", from), ("TO", to)] {
        if let DiffSide::Database(url) = side {
            using(Some(role), url, "the command line");
        }
    }
    let replays = [from, to]
        .iter()
        .any(|s| matches!(s, DiffSide::Revisions { .. }));
    if let (true, Some(url), Some(source)) = (replays, dev_url, dev_source) {
        using(Some("dev database"), url, source);
    }
}

/// Where the dev database URL came from: --dev-url, else dev_url in autogen.toml.
fn dev_raw_source(cli: &Cli, config: Option<&Config>) -> Option<UrlSource> {
    if cli.dev_url.is_some() {
        Some(UrlSource::DevOverride)
    } else if config.is_some_and(|c| c.dev_url.is_some()) {
        Some(UrlSource::DevConfigFile)
    } else {
        None
    }
}

/// Statements as a script: comment lines first, a blank line between statements.
fn render_sql(statements: &[autogen::sql::Statement]) -> String {
    let mut out = String::new();
    for statement in statements {
        if let Some(comment) = &statement.comment {
            out.push_str(&format!("-- {}\n", comment.replace(['\n', '\r'], " ")));
        }
        let sql = statement.sql.trim_end();
        out.push_str(sql);
        // A line comment on the last line would swallow a `;` written after it.
        let last_line = sql.rsplit('\n').next().unwrap_or(sql);
        if last_line.contains("--") || last_line.contains('#') {
            out.push('\n');
        }
        out.push_str(";\n\n");
    }
    out
}
