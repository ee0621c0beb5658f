//! Commands that apply revisions: `upgrade`, `downgrade` (`current`, `history` and the other
//! graph commands live in `graph.rs`).

use std::process::ExitCode;

use anstream::println;
use autogen::ops;

use super::load;
use crate::cli::Cli;
use crate::output::OK;

pub async fn upgrade(
    cli: &Cli,
    target: &str,
    deny_destructive: bool,
    allow_edited: &[String],
) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    if deny_destructive {
        let steps = ops::check::pending_destructive(&project, target).await?;
        if !steps.is_empty() {
            super::check::print_unacknowledged(&steps);
            return Ok(ExitCode::FAILURE);
        }
    }
    let applied = ops::graph::upgrade_allowing(&project, target, allow_edited).await?;
    if applied.is_empty() {
        println!("Already at {target}; nothing to apply.");
    }
    for id in applied {
        println!("{}Applied{} {id}", OK.render(), OK.render_reset());
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn downgrade(cli: &Cli, target: &str) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    let reverted = ops::downgrade(&project, target).await?;
    if reverted.is_empty() {
        println!("Already at {target}; nothing to revert.");
    }
    for id in reverted {
        println!("{}Reverted{} {id}", OK.render(), OK.render_reset());
    }
    Ok(ExitCode::SUCCESS)
}
