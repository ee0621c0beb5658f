//! Commands that apply revisions: `upgrade`, `downgrade` (`current`, `history` and the other
//! graph commands live in `graph.rs`). While a run works it prints each revision as it starts and
//! ends and any wait for another run's lock, and the first SIGINT or SIGTERM asks it to stop at
//! the next clean point (between statements); a second one ends the process at once.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anstream::{eprintln, println};
use autogen::ops;
use autogen::revisions::{DowngradeOptions, RunEvent, RunObserver, UpgradeOptions};

use super::load;
use crate::cli::{Cli, Outcome};
use crate::output::{OK, WARN};

/// What `upgrade` refuses to run unacknowledged.
#[derive(Debug, Clone, Copy, Default)]
pub struct Deny {
    /// `--deny-destructive`: steps that lose data.
    pub destructive: bool,
    /// `--deny-hazards`: steps that lock, rewrite or scan a table.
    pub hazards: bool,
}

pub async fn upgrade(
    cli: &Cli,
    target: &str,
    deny: Deny,
    allow_edited: &[String],
    resolve_interrupted: Option<Outcome>,
) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    super::announce(&project);
    if deny.destructive || deny.hazards {
        let (destructive, hazards) = ops::check::pending_unacknowledged(&project, target).await?;
        let refuse_destructive = deny.destructive && !destructive.is_empty();
        let refuse_hazards = deny.hazards && !hazards.is_empty();
        if refuse_destructive {
            super::check::print_unacknowledged(&destructive);
        }
        if refuse_hazards {
            super::check::print_unacknowledged_hazards(&hazards);
        }
        if refuse_destructive || refuse_hazards {
            return Ok(ExitCode::FAILURE);
        }
    }
    // `lock_retries` comes from autogen.toml (the facade reads it).
    let options = UpgradeOptions {
        allow_edited: allow_edited.to_vec(),
        resolve_interrupted: resolve_interrupted.map(Into::into),
        lock_retries: None,
    };
    let printer = Printer::install();
    let applied = ops::graph::upgrade_observed(&project, target, &options, &printer).await?;
    if applied.is_empty() {
        println!("Already at {target}; nothing to apply.");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn downgrade(
    cli: &Cli,
    target: &str,
    resolve_interrupted: Option<Outcome>,
) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    super::announce(&project);
    let options = DowngradeOptions {
        resolve_interrupted: resolve_interrupted.map(Into::into),
        lock_retries: None,
    };
    let printer = Printer::install();
    let reverted = ops::graph::downgrade_observed(&project, target, &options, &printer).await?;
    if reverted.is_empty() {
        println!("Already at {target}; nothing to revert.");
    }
    Ok(ExitCode::SUCCESS)
}

/// How many stop signals have arrived (SIGINT, SIGTERM).
static SIGNALS: AtomicUsize = AtomicUsize::new(0);
/// Whether the signal listener runs (it is installed once per process).
static LISTENING: AtomicBool = AtomicBool::new(false);

/// Prints a run's events and turns signals into stop requests.
struct Printer;

impl Printer {
    /// Starts listening for SIGINT and SIGTERM. The first asks the run to stop at the next
    /// clean point; the second exits at once (130), as an impatient user expects.
    fn install() -> Printer {
        if !LISTENING.swap(true, Ordering::SeqCst) {
            tokio::spawn(async {
                loop {
                    wait_for_signal().await;
                    if SIGNALS.fetch_add(1, Ordering::SeqCst) == 0 {
                        eprintln!(
                            "{}Stopping{} after the statement that is running now (press Ctrl-C again to quit at once)...",
                            WARN.render(),
                            WARN.render_reset()
                        );
                    } else {
                        std::process::exit(130);
                    }
                }
            });
        }
        Printer
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(mut int), Ok(mut term)) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        // No handler could be installed: never report a signal (the default action applies).
        _ => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

impl RunObserver for Printer {
    fn event(&self, event: RunEvent<'_>) {
        match event {
            RunEvent::WaitingForLock { waited } => eprintln!(
                "Waiting for another autogen run to release the migration lock of this database ({} so far)...",
                seconds(waited)
            ),
            RunEvent::LockAcquired { waited } => {
                eprintln!("Got the migration lock after {}.", seconds(waited))
            }
            RunEvent::Started {
                revision,
                direction,
                ..
            } => {
                let verb = match direction {
                    autogen::revisions::Direction::Upgrade => "Applying",
                    autogen::revisions::Direction::Downgrade => "Reverting",
                };
                let message = if revision.message.is_empty() {
                    String::new()
                } else {
                    format!(" {}", revision.message)
                };
                println!("{verb} {}{message} ...", revision.id);
            }
            RunEvent::Notice { revision, message } => {
                eprintln!("{}: {message}", revision.id)
            }
            RunEvent::Finished {
                revision,
                direction,
                elapsed,
            } => {
                let verb = match direction {
                    autogen::revisions::Direction::Upgrade => "Applied",
                    autogen::revisions::Direction::Downgrade => "Reverted",
                };
                println!(
                    "{}{verb}{} {} in {}",
                    OK.render(),
                    OK.render_reset(),
                    revision.id,
                    seconds(elapsed)
                );
            }
        }
    }

    fn stop_requested(&self) -> bool {
        SIGNALS.load(Ordering::SeqCst) > 0
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}
