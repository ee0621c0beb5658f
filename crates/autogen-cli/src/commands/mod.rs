//! Dispatch: one function per command, each in the file of its family. Commands return the exit
//! code they want, or an error `main` prints.

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
        }) => revision::autogenerate(&cli, message).await,
        Some(Command::Revision {
            message,
            empty: true,
        }) => revision::empty(&cli, message),
        Some(Command::Init) => revision::init(&cli),
        Some(Command::Upgrade { target }) => run::upgrade(&cli, target).await,
        Some(Command::Downgrade { target }) => run::downgrade(&cli, target).await,
        Some(Command::Current) => run::current(&cli).await,
        Some(Command::History) => run::history(&cli),
    }
}
