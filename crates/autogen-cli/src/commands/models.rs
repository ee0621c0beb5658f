//! `autogen models [--out FILE] [--force]`: prints (or writes) model structs for the tables of
//! the project's database, then says on stderr what the models cannot express and what autogen
//! would still change after reading them back. The source goes to stdout, so it can be piped;
//! everything else goes to stderr.

use std::path::Path;
use std::process::ExitCode;

use anstream::{eprintln, print};
use autogen::ops::models;

use super::{announce, load_read_only};
use crate::cli::Cli;
use crate::output::{shown, OK, WARN};

pub async fn models(
    cli: &Cli,
    out: Option<&Path>,
    force: bool,
) -> Result<ExitCode, autogen::Error> {
    let project = load_read_only(cli)?;
    // Refuse before reading anything: a long introspection that ends in "exists" wastes time.
    let target = out.map(|p| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir()
                .map(|d| d.join(p))
                .unwrap_or_else(|_| p.to_path_buf())
        }
    });
    if let (Some(path), false) = (&target, force) {
        if path.exists() {
            return Err(autogen::Error::AlreadyExists { path: path.clone() });
        }
    }
    announce(&project);
    let file = models::models(&project, out).await?;
    match &target {
        Some(path) => {
            models::write_file(path, &file.source, force)?;
            eprintln!(
                "{}Wrote{} {}: {} table(s), {} enum(s)",
                OK.render(),
                OK.render_reset(),
                shown(path),
                file.tables,
                file.enums
            );
        }
        None => print!("{}", file.source),
    }
    for line in &file.not_expressible {
        eprintln!(
            "{}warning{}: not expressible as model attributes yet, left as a comment: {line}",
            WARN.render(),
            WARN.render_reset()
        );
    }
    if file.differences.is_empty() {
        eprintln!("Read back as models, they match the database: `autogen check` finds no changes");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{}warning{}: read back as models, autogen would still change the database:",
            WARN.render(),
            WARN.render_reset()
        );
        for d in &file.differences {
            eprintln!("  {d}");
        }
        eprintln!("  help: edit the models by hand for these (see the comments in the file), or leave such tables out with exclude_tables");
        Ok(ExitCode::FAILURE)
    }
}
