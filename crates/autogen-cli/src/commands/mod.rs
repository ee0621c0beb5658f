//! Dispatch: one function per command, each in the file of its family. Commands return the exit
//! code they want, or an error `main` prints.

mod check;
mod diff;
mod graph;
mod revision;
mod run;

use std::process::ExitCode;

use autogen::Project;

use crate::cli::{Cli, Command};

pub fn load(cli: &Cli) -> Result<Project, autogen::Error> {
    Project::load(&cli.project, cli.database_url.as_deref())
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
            allow_edited,
            sql: false,
        }) => run::upgrade(&cli, target, *deny_destructive, allow_edited).await,
        Some(Command::Downgrade { target, sql: true }) => graph::downgrade_sql(&cli, target),
        Some(Command::Downgrade { target, sql: false }) => run::downgrade(&cli, target).await,
        Some(Command::Current) => graph::current(&cli).await,
        Some(Command::History { verbose }) => graph::history(&cli, *verbose),
        Some(Command::Heads) => graph::heads(&cli),
        Some(Command::Show { target }) => graph::show(&cli, target),
        Some(Command::Merge { message }) => graph::merge(&cli, message),
        Some(Command::Stamp { target, purge }) => {
            graph::stamp(&cli, target.as_deref(), *purge).await
        }
        Some(Command::Check {
            format,
            deny_destructive,
        }) => Ok(check::check(&cli, *format, *deny_destructive).await),
        Some(Command::Diff {
            from,
            to,
            downgrade,
            exit_code,
        }) => diff::diff(&cli, from, to, *downgrade, *exit_code).await,
    }
}
