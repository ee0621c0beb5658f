//! Dispatch: one function per command, each in the file of its family. Commands return the exit
//! code they want, or an error `main` prints.

mod check;
mod diff;
mod graph;
mod models;
mod revision;
mod run;

use std::process::ExitCode;

use autogen::Project;

use crate::cli::{Cli, Command};

pub fn load(cli: &Cli) -> Result<Project, autogen::Error> {
    let mut project = Project::load(&cli.project, cli.database_url.as_deref())?;
    if let Some(mode) = cli.safety {
        project.config.safety = Some(autogen::sql::Safety::from(mode).name().to_string());
    }
    Ok(project)
}

/// The project for a command that only reads the database: connecting never creates a missing
/// SQLite file.
pub fn load_read_only(cli: &Cli) -> Result<Project, autogen::Error> {
    Ok(load(cli)?.read_only())
}

/// Says which database the command is about to use and where its URL came from (stderr).
pub fn announce(project: &Project) {
    crate::output::using(None, &project.database_url, project.url_source);
}

/// Announces the dev database the command will use instead of the project's own when there
/// is one (`--dev-url`, or `dev_url` in autogen.toml unless `flag_only`), else the project's.
/// A dev URL that does not parse is left to the operation, which reports it.
pub fn announce_database_or_dev(cli: &Cli, project: &Project, flag_only: bool) {
    let dev = if flag_only && cli.dev_url.is_none() {
        None
    } else {
        project.dev_database(cli.dev_url.as_deref()).ok().flatten()
    };
    match dev {
        Some((url, source)) => crate::output::using(Some("dev database"), &url, source),
        None => announce(project),
    }
}

pub async fn run(cli: Cli) -> Result<ExitCode, autogen::Error> {
    let command = match (&cli.command, &cli.message) {
        (Some(_), Some(_)) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            cmd.error(
                clap::error::ErrorKind::ArgumentConflict,
                "-m/--message autogenerates on its own; with a subcommand, pass it after the subcommand (`autogen revision -m MSG`)",
            )
            .exit();
        }
        (Some(_), None) => cli.command.as_ref(),
        (None, Some(_)) => None,
        (None, None) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let _ = cmd.print_help();
            return Ok(ExitCode::from(2));
        }
    };
    match command {
        None => revision::autogenerate(&cli, cli.message.as_deref().unwrap_or_default()).await,
        Some(Command::Revision {
            message,
            empty: false,
            ..
        }) => revision::autogenerate(&cli, message).await,
        Some(Command::Revision {
            message,
            empty: true,
            ..
        }) => revision::empty(&cli, message),
        Some(Command::Init) => revision::init(&cli),
        Some(Command::Upgrade {
            target, sql: true, ..
        }) => graph::upgrade_sql(&cli, target),
        Some(Command::Upgrade {
            target,
            deny_destructive,
            deny_hazards,
            allow_edited,
            resolve_interrupted,
            sql: false,
        }) => {
            run::upgrade(
                &cli,
                target,
                run::Deny {
                    destructive: *deny_destructive,
                    hazards: *deny_hazards,
                },
                allow_edited,
                *resolve_interrupted,
            )
            .await
        }
        Some(Command::Downgrade {
            target, sql: true, ..
        }) => graph::downgrade_sql(&cli, target),
        Some(Command::Downgrade {
            target,
            sql: false,
            resolve_interrupted,
        }) => run::downgrade(&cli, target, *resolve_interrupted).await,
        Some(Command::Current) => graph::current(&cli).await,
        Some(Command::History { verbose }) => graph::history(&cli, *verbose).await,
        Some(Command::Heads) => graph::heads(&cli),
        Some(Command::Show { target }) => graph::show(&cli, target),
        Some(Command::Merge { message }) => graph::merge(&cli, message),
        Some(Command::Stamp { target, purge }) => {
            graph::stamp(&cli, target.as_deref(), *purge).await
        }
        Some(Command::Check {
            format,
            deny_destructive,
            deny_hazards,
        }) => Ok(check::check(&cli, *format, *deny_destructive, *deny_hazards).await),
        Some(Command::Diff {
            from,
            to,
            downgrade,
            exit_code,
        }) => diff::diff(&cli, from, to, *downgrade, *exit_code).await,
        Some(Command::Models { out, force }) => models::models(&cli, out.as_deref(), *force).await,
    }
}
