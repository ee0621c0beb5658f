//! `autogen diff FROM TO`: the SQL that turns one schema into another, with the same differ and
//! renderer autogenerate uses. Each side is a [`SchemaSource`]: a live database (a URL), the
//! project's models (canonicalised for the other side's dialect) or the project's revisions at
//! some revision, replayed into the dev database (`revisions[@REV]`); the SQL is in FROM's
//! dialect. This is one comparison (`compare.rs`) rendering one direction.
//!
//! Comparing databases of two dialects is refused: a schema read from PostgreSQL is canonical
//! for PostgreSQL (its types, defaults and names), and diffing it against a SQLite one would
//! report every such spelling as a change. This file prints nothing and writes to no database
//! except the dev database, which [`crate::ops::dev`] empties before and after use. The dev
//! database must not be one of the compared databases nor the project's configured database;
//! the comparison checks that by each database's identity, after connecting.

use autogen_diff::Change;
use autogen_schema::Dialect;
use autogen_sql::Statement;

use crate::config::Config;
use crate::error::Error;
use crate::ops::{compare, CompareOptions, Render, SchemaSource, Sources};

/// The result: the changes from FROM to TO and their SQL in `dialect`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaDiff {
    pub dialect: Dialect,
    pub changes: Vec<Change>,
    pub statements: Vec<Statement>,
}

/// Computes the SQL that turns `from` into `to` (with `reverse`, the SQL that turns `to` back
/// into `from`, rendered against the schema the forward changes reach). Sides that are not URLs
/// need `sources` to hold a project folder (`models`) and a dev database (`revisions`).
pub async fn diff(
    sources: &Sources<'_>,
    from: &SchemaSource,
    to: &SchemaSource,
    reverse: bool,
) -> Result<SchemaDiff, Error> {
    diff_in(sources, from, to, reverse, autogen_sql::Safety::Default).await
}

/// [`diff`] with the SQL written in the `safety` mode (`autogen diff --safety online`), for the
/// server version the dialect assumes and the folder's `lock_timeout`.
pub async fn diff_in(
    sources: &Sources<'_>,
    from: &SchemaSource,
    to: &SchemaSource,
    reverse: bool,
    safety: autogen_sql::Safety,
) -> Result<SchemaDiff, Error> {
    let render = if reverse {
        Render::Downgrade
    } else {
        Render::Upgrade
    };
    let mut comparison = compare(sources, from, to, &CompareOptions { render }).await?;
    if safety != autogen_sql::Safety::Default {
        let target = autogen_sql::Target {
            server: None,
            safety,
            lock_timeout: sources.config().ok().and_then(Config::lock_timeout),
        };
        comparison.render(render, target)?;
    }
    let (changes, statements) = if reverse {
        (
            autogen_diff::downgrade(&comparison.changes),
            comparison.downgrade,
        )
    } else {
        (comparison.changes, comparison.upgrade)
    };
    Ok(SchemaDiff {
        dialect: comparison.dialect,
        changes,
        statements,
    })
}
