//! `autogen diff FROM TO`: prints the SQL the library's diff computed, one `;`-terminated
//! statement per paragraph with its comment (data-loss warnings included) above it, so the output
//! can be piped into the database's own client. "No differences" goes to stderr, keeping stdout
//! empty then. Works without an autogen.toml when both sides are URLs.

use std::process::ExitCode;

use anstream::{eprintln, println};
use autogen::config::Config;
use autogen::db::DatabaseUrl;
use autogen::ops::{diff, SchemaSource, Sources};
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
    let from = SchemaSource::parse(from, &cli.project)?;
    let to = SchemaSource::parse(to, &cli.project)?;
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
    let mut sources = Sources::folder(&cli.project, config.as_ref());
    if let Some(url) = dev_url {
        sources = sources.with_dev_database(url, cli.dev_url_may_be_emptied);
    }
    // --safety, else `safety` in autogen.toml.
    let safety = cli
        .safety
        .map(autogen::sql::Safety::from)
        .or_else(|| config.as_ref().map(Config::safety))
        .unwrap_or_default();
    let result = diff::diff_in(&sources, &from, &to, downgrade, safety).await?;
    if result.changes.is_empty() {
        eprintln!("No differences");
    }
    if !result.statements.is_empty() {
        println!(
            "{}",
            autogen::revisions::render_script(&result.statements).trim_end()
        );
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
    from: &SchemaSource,
    to: &SchemaSource,
    dev_source: Option<UrlSource>,
    dev_url: Option<&DatabaseUrl>,
) {
    for (role, side) in [("FROM", from), ("TO", to)] {
        if let SchemaSource::Database(url) = side {
            using(Some(role), url, "the command line");
        }
    }
    let replays = [from, to]
        .iter()
        .any(|s| matches!(s, SchemaSource::Revisions { .. }));
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
