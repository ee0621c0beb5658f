//! Commands that apply or read revisions: `upgrade`, `downgrade`, `current`, `history`.

use std::process::ExitCode;

use anstream::println;
use autogen::ops;

use super::load;
use crate::cli::Cli;
use crate::output::{DIM, OK, WARN};

pub async fn upgrade(cli: &Cli, target: &str) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    let applied = ops::upgrade(&project, target).await?;
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

pub async fn current(cli: &Cli) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    let status = ops::current(&project).await?;
    let current = if status.current.is_empty() {
        "base".to_string()
    } else {
        status.current.join(", ")
    };
    let heads = if status.heads.is_empty() {
        "base".to_string()
    } else {
        status.heads.join(", ")
    };
    if status.at_head() {
        println!("{current} (head)");
    } else {
        println!(
            "{current} {}(head is {heads}; run `autogen upgrade`){}",
            WARN.render(),
            WARN.render_reset()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn history(cli: &Cli) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    let set = project.load_revisions()?;
    for rev in set.history() {
        let parents = if rev.parents.is_empty() {
            "base".to_string()
        } else {
            rev.parents.join(", ")
        };
        println!(
            "{} {}<- {parents}{}  {}",
            rev.id,
            DIM.render(),
            DIM.render_reset(),
            rev.message
        );
    }
    Ok(ExitCode::SUCCESS)
}
