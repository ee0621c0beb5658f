//! `autogen diff FROM TO`: the SQL that turns one schema into another, with the same differ and
//! renderer autogenerate uses. Each side is a live database (a URL), the project's models
//! (canonicalised for the other side's dialect) or the project's revisions at some revision,
//! replayed into the dev database (`revisions[@REV]`); the SQL is in FROM's dialect.
//!
//! Comparing databases of two dialects is refused: a schema read from PostgreSQL is canonical
//! for PostgreSQL (its types, defaults and names), and diffing it against a SQLite one would
//! report every such spelling as a change. This file prints nothing and writes to no database
//! except the dev database, which [`crate::ops::dev`] empties before and after use. The dev
//! database must not be one of the compared databases nor the project's configured database;
//! [`crate::ops::dev::DevGuard`] decides that by each database's identity, after connecting.

use std::path::Path;

use autogen_db::{Connection, DatabaseUrl};
use autogen_diff::{Change, DiffOptions};
use autogen_introspect::IntrospectOptions;
use autogen_models::{ModelSet, ReadOptions};
use autogen_schema::{Dialect, Schema};
use autogen_sql::Statement;

use crate::config::Config;
use crate::error::Error;
use crate::ops::dev::{DevGuard, Protected};
use crate::project::Project;

/// One side of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffSide {
    Database(DatabaseUrl),
    /// The models the project's `autogen.toml` points at.
    Models,
    /// The project's revisions up to `target` (`head` for plain `revisions`), replayed into the
    /// dev database.
    Revisions {
        target: String,
    },
}

impl DiffSide {
    /// Reads a command-line argument: `models`, or a database URL (a relative SQLite path is
    /// relative to `base`, the project folder), or `revisions` / `revisions@REV` (REV: anything
    /// `autogen upgrade` accepts).
    pub fn parse(arg: &str, base: &Path) -> Result<DiffSide, Error> {
        if arg == "models" {
            return Ok(DiffSide::Models);
        }
        if arg == "revisions" {
            return Ok(DiffSide::Revisions {
                target: "head".into(),
            });
        }
        if let Some(target) = arg.strip_prefix("revisions@") {
            if target.trim().is_empty() {
                return Err(Error::Usage {
                    message: "`revisions@` needs a revision after the `@`".into(),
                    help: "e.g. `revisions@head`, `revisions@3f9a2c1b7d04` or `revisions@base`"
                        .into(),
                });
            }
            return Ok(DiffSide::Revisions {
                target: target.trim().to_string(),
            });
        }
        Ok(DiffSide::Database(
            DatabaseUrl::parse(arg)?.resolve_relative(base),
        ))
    }

    fn dialect(&self, project: Option<&DiffProject<'_>>) -> Result<Option<Dialect>, Error> {
        Ok(match self {
            DiffSide::Database(url) => Some(url.dialect()),
            DiffSide::Models => None,
            DiffSide::Revisions { .. } => Some(dev_database(project)?.dialect()),
        })
    }
}

/// The project settings a diff uses when there is an `autogen.toml` (needed for `models` and
/// `revisions`).
#[derive(Debug, Clone, Copy)]
pub struct DiffProject<'a> {
    pub root: &'a Path,
    pub config: &'a Config,
    /// The dev database `revisions[@REV]` is replayed into (`--dev-url`, else `dev_url` from
    /// autogen.toml), already resolved against `root`.
    pub dev_url: Option<&'a DatabaseUrl>,
}

/// The result: the changes from FROM to TO and their SQL in `dialect`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaDiff {
    pub dialect: Dialect,
    pub changes: Vec<Change>,
    pub statements: Vec<Statement>,
}

/// Computes the SQL that turns `from` into `to` (with `reverse`, the SQL that turns `to` back
/// into `from`, rendered against the schema the forward changes reach).
pub async fn diff(
    from: &DiffSide,
    to: &DiffSide,
    project: Option<DiffProject<'_>>,
    reverse: bool,
) -> Result<SchemaDiff, Error> {
    diff_with(from, to, project, reverse, false).await
}

/// [`diff`], where `dev_url_may_be_emptied` lets the dev database be emptied even when it holds
/// objects autogen did not create there (`--dev-url-may-be-emptied`). A compared database or
/// the project's own is refused as the dev database either way.
pub async fn diff_with(
    from: &DiffSide,
    to: &DiffSide,
    project: Option<DiffProject<'_>>,
    reverse: bool,
    dev_url_may_be_emptied: bool,
) -> Result<SchemaDiff, Error> {
    check_dev_database(from, to, project.as_ref())?;
    let guard = dev_guard(from, to, project.as_ref(), dev_url_may_be_emptied);
    let dialect = match (from.dialect(project.as_ref())?, to.dialect(project.as_ref())?) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::Usage {
                message: format!("cannot compare a {a} database with a {b} database: each dialect stores and reports types, defaults and names its own way, so every table would differ"),
                help: "compare databases of one dialect, or a database with `models` (canonicalised for that database's dialect)".into(),
            })
        }
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => {
            return Err(Error::Usage {
                message: "both sides are `models`; at least one side must be a database URL".into(),
                help: "e.g. `autogen diff $DATABASE_URL models`".into(),
            })
        }
    };
    let models = match (from, to) {
        (DiffSide::Models, _) | (_, DiffSide::Models) => Some(read_models(project, dialect)?),
        _ => None,
    };
    // Declared renames run from the revisions' schema (where the database is) to the models.
    let from_schema = side_schema(from, dialect, models.as_ref(), project, &guard).await?;
    let to_schema = side_schema(to, dialect, models.as_ref(), project, &guard).await?;
    // Declared renames describe database -> models; diffing the other way round takes the
    // inverse of the models-ward changes so a declared rename stays a rename.
    let forward = match (from, to, &models) {
        (DiffSide::Models, DiffSide::Database(_) | DiffSide::Revisions { .. }, Some(m)) => {
            let toward_models =
                autogen_diff::diff(&to_schema, &from_schema, &options(dialect, Some(m)))?;
            autogen_diff::downgrade(&toward_models)
        }
        (_, _, m) => autogen_diff::diff(&from_schema, &to_schema, &options(dialect, m.as_ref()))?,
    };
    let (changes, start) = if reverse {
        let reached = autogen_diff::apply_all(&from_schema, &forward, dialect.identifier_quote())
            .map_err(|e| Error::Internal(e.to_string()))?;
        (autogen_diff::downgrade(&forward), reached)
    } else {
        (forward, from_schema)
    };
    let statements = autogen_sql::render(dialect, &start, &changes)?;
    Ok(SchemaDiff {
        dialect,
        changes,
        statements,
    })
}

fn options(dialect: Dialect, models: Option<&ModelSet>) -> DiffOptions {
    let renames = models.map(|m| m.renames.clone()).unwrap_or_default();
    DiffOptions::new(dialect, renames)
}

/// The models, read with the rules of the dialect they are compared in.
fn read_models(project: Option<DiffProject<'_>>, dialect: Dialect) -> Result<ModelSet, Error> {
    let Some(p) = project else {
        return Err(no_project("models"));
    };
    Ok(autogen_models::read_models(&ReadOptions {
        root: p.root.to_path_buf(),
        globs: p.config.models.clone(),
        naming: p.config.naming(),
        threads: None,
        dialect: Some(dialect),
    })?)
}

/// One side's schema; in a project, only the tables it manages (`include_tables` /
/// `exclude_tables`), on every kind of side, so both sides are filtered alike.
async fn side_schema(
    side: &DiffSide,
    dialect: Dialect,
    models: Option<&ModelSet>,
    project: Option<DiffProject<'_>>,
    guard: &DevGuard,
) -> Result<Schema, Error> {
    let mut schema = unfiltered_side_schema(side, dialect, models, project, guard).await?;
    if let Some(p) = project {
        p.config
            .table_filter()
            .map_err(Error::Internal)?
            .retain(&mut schema);
    }
    Ok(schema)
}

async fn unfiltered_side_schema(
    side: &DiffSide,
    dialect: Dialect,
    models: Option<&ModelSet>,
    project: Option<DiffProject<'_>>,
    guard: &DevGuard,
) -> Result<Schema, Error> {
    match (side, models) {
        (DiffSide::Models, Some(m)) => Ok(autogen_sql::canonicalize(dialect, &m.schema)),
        (DiffSide::Models, None) => Err(Error::Internal("models were not read".into())),
        (DiffSide::Database(url), _) => introspect_url(url, project).await,
        (DiffSide::Revisions { target }, _) => {
            let Some(p) = project else {
                return Err(no_project("revisions"));
            };
            let dev = dev_database(project.as_ref())?;
            let replay = Project::from_parts(
                p.root,
                p.config.clone(),
                dev.expose(),
                crate::config::UrlSource::Override,
            )?;
            crate::ops::dev::schema_at(&replay, dev, target, guard).await
        }
    }
}

fn no_project(side: &str) -> Error {
    Error::Usage {
        message: format!("`{side}` needs a project: no autogen.toml here"),
        help: "run in the project folder, pass `-C DIR`, or compare two database URLs".into(),
    }
}

/// The dev database `revisions[@REV]` needs.
fn dev_database<'a>(project: Option<&DiffProject<'a>>) -> Result<&'a DatabaseUrl, Error> {
    let Some(p) = project else {
        return Err(no_project("revisions"));
    };
    p.dev_url.ok_or_else(|| Error::Usage {
        message: "`revisions` needs a dev database to replay the revisions into".into(),
        help: "pass --dev-url URL (a scratch database autogen may empty; for SQLite `sqlite::memory:`) or set dev_url in autogen.toml".into(),
    })
}

/// What the dev database must not be: each side given as a URL, and the database the project
/// is configured for (`DATABASE_URL`, `.env`, `database_url`), when one is.
fn dev_guard(
    from: &DiffSide,
    to: &DiffSide,
    project: Option<&DiffProject<'_>>,
    may_empty: bool,
) -> DevGuard {
    let mut protected = Vec::new();
    for (role, side) in [("FROM", from), ("TO", to)] {
        if let DiffSide::Database(url) = side {
            protected.push(Protected {
                url: url.clone(),
                role: format!("also compared (the {role} side)"),
                label: role.to_string(),
            });
        }
    }
    if let Some(p) = project {
        let env = std::env::var("DATABASE_URL").ok();
        let configured = crate::config::choose_database_url(p.root, p.config, None, env)
            .ok()
            .and_then(|(raw, _)| DatabaseUrl::parse(&raw).ok())
            .map(|url| url.resolve_relative(p.root));
        if let Some(url) = configured {
            protected.push(Protected {
                url,
                role: "the project's own database".into(),
                label: "project database".into(),
            });
        }
    }
    DevGuard {
        protected,
        may_empty,
    }
}

/// Refuses, before anything runs, a dev database whose URL is also one of the compared ones.
/// Other spellings of a compared database are refused by [`DevGuard`] after connecting.
fn check_dev_database(
    from: &DiffSide,
    to: &DiffSide,
    project: Option<&DiffProject<'_>>,
) -> Result<(), Error> {
    let uses_revisions = [from, to]
        .iter()
        .any(|s| matches!(s, DiffSide::Revisions { .. }));
    if !uses_revisions {
        return Ok(());
    }
    let dev = dev_database(project)?;
    for side in [from, to] {
        if let DiffSide::Database(url) = side {
            let same = super::dev::same_database(url, dev);
            if same {
                return Err(Error::Usage {
                    message: format!("the dev database {} is also compared; autogen empties the dev database before and after use", dev.redacted()),
                    help: "point --dev-url at a scratch database".into(),
                });
            }
        }
    }
    Ok(())
}

/// Reads a database's schema, leaving out autogen's version tables and, in a project, the
/// configured excluded tables (and using its `pg_schema`).
async fn introspect_url(
    url: &DatabaseUrl,
    project: Option<DiffProject<'_>>,
) -> Result<Schema, Error> {
    let mut exclude_tables: Vec<String> = autogen_revisions::VERSION_TABLES
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut pg_schema = None;
    if let Some(p) = project {
        exclude_tables.extend(p.config.exclude_tables.iter().cloned());
        pg_schema = p.config.pg_schema.clone();
    }
    let options = IntrospectOptions {
        exclude_tables,
        pg_schema,
    };
    // Reading only: a missing SQLite file is an error naming it, never a new empty database.
    let mut conn = Connection::connect_existing(url).await?;
    let schema = autogen_introspect::introspect(&mut conn, &options).await;
    let _ = conn.close().await;
    schema.map_err(|source| Error::Introspect {
        url: url.redacted(),
        source,
    })
}
