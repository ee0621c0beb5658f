//! The `autogen` binary: parses the command line, runs one operation from the `autogen` library,
//! and decides how results and errors look on the terminal. Everything else lives in the library
//! crates; this binary only chooses paths, prints and picks the exit code.

mod cli;
mod commands;
mod output;

use std::process::ExitCode;

use anstream::eprintln;
use clap::Parser;

use crate::cli::Cli;
use crate::output::{safe, ERR};

/// mimalloc rather than the system allocator: reading 5,000 models (syn) and a 5,000-table
/// catalog allocates millions of small strings, and glibc malloc/free took about a quarter of
/// `autogen check`'s cycles there (perf); see the README's performance section for the figures.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!(
                "{}error:{} cannot start the async runtime: {e}",
                ERR.render(),
                ERR.render_reset()
            );
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(autogen::Error::Models(errors) | autogen::Error::ViewModels(errors)) => {
            // Model diagnostics are complete compiler-style blocks with their own `error:` lines.
            eprintln!("{}", safe(errors));
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{}error:{} {}", ERR.render(), ERR.render_reset(), safe(e));
            ExitCode::FAILURE
        }
    }
}
