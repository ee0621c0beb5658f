//! Where a schema comes from, and reading it. A [`SchemaSource`] names one side of a comparison:
//! the project's models, the project's own database, a database a URL names, or the project's
//! revisions replayed into the dev database. [`Sources`] is what every side is read against (the
//! project folder and its autogen.toml, the loaded revisions folder, the dev database), and
//! [`Sources::resolve`] turns two sources into two [`Side`]s: a schema each, with the models'
//! declared renames and, for a database, where it stands ([`DatabaseStatus`]).
//!
//! Autogenerate, check and diff all read their sides here, so they share the filters
//! (`include_tables` / `exclude_tables`, autogen's own tables), the canonical form of the models
//! and the fast path: the models parsed on every core but one while the catalog queries run.
//! This file neither diffs nor renders (`compare.rs` does) and prints nothing.

use std::borrow::Cow;
use std::path::Path;

use autogen_db::{Connection, DatabaseUrl};
use autogen_introspect::{IntrospectOptions, UnmanagedObject};
use autogen_models::{ModelSet, ReadOptions};
use autogen_revisions::{DatabaseStatus, RevisionSet};
use autogen_schema::{Dialect, RenameHints, Schema};
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::error::Error;
use crate::ops::dev::{same_database, DevDatabase, DevGuard, Protected};
use crate::ops::print::print_models;
use crate::project::Project;
use crate::view_models::{check_columns, check_declared};

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaSource {
    /// The project's models, in the canonical form of the comparison's dialect.
    Models,
    /// The project's own database, opened as [`Project::connect`] opens it and read together
    /// with where it stands (its version table).
    ProjectDatabase,
    /// The database a URL names, opened read-only (a missing SQLite file is an error).
    Database(DatabaseUrl),
    /// The project's revisions up to `target` (anything `autogen upgrade` accepts; `heads` for
    /// every branch), replayed into the emptied dev database.
    Revisions { target: String },
}

impl SchemaSource {
    /// Reads a command-line argument: `models`, `revisions` / `revisions@REV` (REV: anything
    /// `autogen upgrade` accepts), or a database URL (a relative SQLite path is relative to
    /// `base`, the project folder).
    pub fn parse(arg: &str, base: &Path) -> Result<SchemaSource, Error> {
        if arg == "models" {
            return Ok(SchemaSource::Models);
        }
        if arg == "revisions" {
            return Ok(SchemaSource::Revisions {
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
            return Ok(SchemaSource::Revisions {
                target: target.trim().to_string(),
            });
        }
        Ok(SchemaSource::Database(
            DatabaseUrl::parse(arg)?.resolve_relative(base),
        ))
    }
}

/// A source, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub schema: Schema,
    /// The models' declared renames (`renamed_from`); `None` for a database.
    pub renames: Option<RenameHints>,
    /// Where the database stands: the project's database, or the dev database after the
    /// replay. `None` for the models and for a database named by URL.
    pub status: Option<DatabaseStatus>,
    /// What the database holds that autogen does not manage (views, triggers, ...), on the
    /// tables it manages; read for the project's database and the dev database after the
    /// replay, empty otherwise.
    pub unmanaged: Vec<UnmanagedObject>,
    /// The models' expressions the database's server printed (or refused) for this
    /// comparison; empty for a database, or when no server was asked (see `ops/print.rs`).
    pub printed: Vec<autogen_introspect::Printed>,
    /// The models' structs that read a view (no tables: checked against the declared views by
    /// `view_models.rs`); empty for a database.
    pub views: Vec<autogen_models::ViewModel>,
}

impl Side {
    /// A database's schema, with nothing known about its revisions.
    pub fn database(schema: Schema) -> Side {
        Side {
            schema,
            renames: None,
            status: None,
            unmanaged: Vec::new(),
            printed: Vec::new(),
            views: Vec::new(),
        }
    }

    /// The models as `dialect` stores them. Canonicalised in place: copying 5,000 model tables
    /// was most of `canonicalize`'s time in perf.
    pub fn models(dialect: Dialect, models: ModelSet) -> Side {
        let ModelSet {
            mut schema,
            renames,
            views,
        } = models;
        autogen_sql::canonicalize_in_place(dialect, &mut schema);
        Side {
            schema,
            renames: Some(renames),
            status: None,
            unmanaged: Vec::new(),
            printed: Vec::new(),
            views,
        }
    }
}

/// What sources are read against. Build it with [`Sources::project`] in a project, or
/// [`Sources::folder`] where there may be no database URL or no autogen.toml (`autogen diff`).
#[derive(Debug, Clone)]
pub struct Sources<'a> {
    root: &'a Path,
    /// `None` without an autogen.toml: then only databases named by URL can be read.
    config: Option<&'a Config>,
    /// The project whose database [`SchemaSource::ProjectDatabase`] is.
    project: Option<&'a Project>,
    /// The revisions folder, when the command loaded it already (it is loaded on demand else).
    revisions: Option<&'a RevisionSet>,
    /// The dev database [`SchemaSource::Revisions`] replays into, and what it must not be.
    dev: Option<(DatabaseUrl, DevGuard)>,
}

impl<'a> Sources<'a> {
    /// The sources of a loaded project.
    pub fn project(project: &'a Project) -> Sources<'a> {
        Sources {
            root: &project.root,
            config: Some(&project.config),
            project: Some(project),
            revisions: None,
            dev: None,
        }
    }

    /// The sources of a folder, with its autogen.toml when it has one, but no chosen database.
    pub fn folder(root: &'a Path, config: Option<&'a Config>) -> Sources<'a> {
        Sources {
            root,
            config,
            project: None,
            revisions: None,
            dev: None,
        }
    }

    /// No project at all: only databases named by URL can be compared.
    pub fn urls_only() -> Sources<'static> {
        Sources::folder(Path::new("."), None)
    }

    /// Uses `set` as the revisions folder instead of loading it again.
    pub fn with_revisions(mut self, set: &'a RevisionSet) -> Sources<'a> {
        self.revisions = Some(set);
        self
    }

    /// Replays revisions into the dev database `url`. It is refused, after connecting, when it
    /// is the project's database (the one the project was loaded with, or else the one its
    /// autogen.toml, `.env` or `DATABASE_URL` names) or a database the comparison reads by URL,
    /// and emptied only when autogen claimed it or `may_empty` allows it (see `ops/dev.rs`).
    pub fn with_dev_database(mut self, url: DatabaseUrl, may_empty: bool) -> Sources<'a> {
        let mut guard = DevGuard {
            protected: Vec::new(),
            may_empty,
        };
        let configured = match (self.project, self.config) {
            (Some(p), _) => Some(p.database_url.clone()),
            (None, Some(config)) => configured_database(self.root, config),
            (None, None) => None,
        };
        if let Some(url) = configured {
            guard.protected.push(Protected::project(url));
        }
        self.dev = Some((url, guard));
        self
    }

    /// The dev database `Revisions` replays into, or why there is none.
    fn dev(&self) -> Result<&(DatabaseUrl, DevGuard), Error> {
        if self.config.is_none() {
            return Err(no_project("revisions"));
        }
        self.dev.as_ref().ok_or_else(|| Error::Usage {
            message: "`revisions` needs a dev database to replay the revisions into".into(),
            help: "pass --dev-url URL (a scratch database autogen may empty; for SQLite `sqlite::memory:`) or set dev_url in autogen.toml".into(),
        })
    }

    /// Connects to the dev database and empties it (see `ops/dev.rs`).
    pub(crate) async fn open_dev_database(&self) -> Result<DevDatabase, Error> {
        self.open_dev(None).await
    }

    /// [`Sources::open_dev_database`] with `guard` instead of the one the dev database was
    /// given (a comparison adds the databases it reads by URL).
    async fn open_dev(&self, guard: Option<&DevGuard>) -> Result<DevDatabase, Error> {
        let (url, own) = self.dev()?;
        let config = self.config.ok_or_else(|| no_project("revisions"))?;
        DevDatabase::open(config, url, guard.unwrap_or(own)).await
    }

    /// The folder's autogen.toml; an error naming the models when there is none.
    pub(crate) fn config(&self) -> Result<&'a Config, Error> {
        self.config.ok_or_else(|| no_project("models"))
    }

    fn revision_set(&self) -> Result<Cow<'a, RevisionSet>, Error> {
        match self.revisions {
            Some(set) => Ok(Cow::Borrowed(set)),
            None => {
                let dir = self.root.join(&self.config()?.revisions);
                Ok(Cow::Owned(RevisionSet::load(&dir)?))
            }
        }
    }

    /// The URL a source reads, if it names a database.
    fn url_of<'s>(&'s self, source: &'s SchemaSource) -> Option<&'s DatabaseUrl> {
        match source {
            SchemaSource::Database(url) => Some(url),
            SchemaSource::ProjectDatabase => self.project.map(|p| &p.database_url),
            SchemaSource::Models | SchemaSource::Revisions { .. } => None,
        }
    }

    /// The dialect a source is read in (`None` for the models, which take the other side's).
    fn dialect_of(&self, source: &SchemaSource) -> Result<Option<Dialect>, Error> {
        Ok(match source {
            SchemaSource::Models => None,
            SchemaSource::ProjectDatabase => Some(self.project_database()?.dialect()),
            SchemaSource::Database(url) => Some(url.dialect()),
            SchemaSource::Revisions { .. } => Some(self.dev()?.0.dialect()),
        })
    }

    fn project_database(&self) -> Result<&'a Project, Error> {
        self.project.ok_or_else(|| {
            Error::Internal("the project's database was asked for outside a project".into())
        })
    }

    /// Reads both sides: the models (if a side is `Models`) on their own threads while the other
    /// side is read, each filtered to the tables the project manages. Refuses, before reading
    /// anything, two dialects, two `Models`, a side the folder cannot provide, and a dev
    /// database whose URL is one of the compared ones. Returns the dialect both are in.
    pub async fn resolve(
        &self,
        from: &SchemaSource,
        to: &SchemaSource,
    ) -> Result<(Dialect, Side, Side), Error> {
        let replays = [from, to]
            .into_iter()
            .any(|s| matches!(s, SchemaSource::Revisions { .. }));
        let mut guard = None;
        if replays {
            let (dev, base) = self.dev()?;
            // The compared databases first: a refusal names the side the user typed.
            let mut protected = Vec::new();
            for (role, side) in [("FROM", from), ("TO", to)] {
                let Some(url) = self.url_of(side) else {
                    continue;
                };
                if same_database(url, dev) {
                    return Err(Error::Usage {
                        message: format!("the dev database {} is also compared; autogen empties the dev database before and after use", dev.redacted()),
                        help: "point --dev-url at a scratch database".into(),
                    });
                }
                if let SchemaSource::Database(url) = side {
                    protected.push(Protected::compared(url.clone(), role));
                }
            }
            protected.extend(base.protected.iter().cloned());
            guard = Some(DevGuard {
                protected,
                may_empty: base.may_empty,
            });
        }
        let dialect = match (self.dialect_of(from)?, self.dialect_of(to)?) {
            (Some(a), Some(b)) if a != b => {
                return Err(Error::Usage {
                    message: format!("cannot compare a {a} database with a {b} database: each dialect stores and reports types, defaults and names its own way, so every table would differ"),
                    help: "compare databases of one dialect, or a database with `models` (canonicalised for that database's dialect)".into(),
                })
            }
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => {
                return Err(Error::Usage {
                    message: "both sides are `models`; at least one side must be a database URL"
                        .into(),
                    help: "e.g. `autogen diff $DATABASE_URL models`".into(),
                })
            }
        };
        let models = if [from, to].contains(&&SchemaSource::Models) {
            Some(spawn_models(self.root, self.config()?, dialect)?)
        } else {
            None
        };
        // A database compared with the models keeps its connection until the models are read,
        // for the server to print their expressions and objects (`print.rs`); the dev database
        // too, emptied only after that.
        let models_to = to == &SchemaSource::Models;
        let models_from = from == &SchemaSource::Models;
        let (from_side, mut from_kept) =
            self.read_database(from, guard.as_ref(), models_to).await?;
        let mut to_kept = None;
        let resolved = async {
            let (to_side, kept) = self.read_database(to, guard.as_ref(), models_from).await?;
            to_kept = kept;
            let models = match models {
                Some(task) => Some(task.join().await?),
                None => None,
            };
            let (from_side, to_side) = match (from_side, to_side, models) {
                (Some(f), Some(t), _) => (f, t),
                (None, Some(t), Some(m)) => (m, t),
                (Some(f), None, Some(m)) => (f, m),
                _ => return Err(Error::Internal("a side was not read".into())),
            };
            let (mut from_side, mut to_side) = (from_side, to_side);
            if let Some(config) = self.config {
                ignore(config, &mut from_side, &mut to_side)?;
            }
            if let Some(kept) = from_kept.as_mut() {
                print_models(kept.connection(), dialect, &mut to_side, &from_side.schema).await;
                check_columns(kept.connection(), dialect, &to_side, &from_side.schema).await?;
            }
            if let Some(kept) = to_kept.as_mut() {
                print_models(kept.connection(), dialect, &mut from_side, &to_side.schema).await;
                check_columns(kept.connection(), dialect, &from_side, &to_side.schema).await?;
            }
            Ok((dialect, from_side, to_side))
        }
        .await;
        // Released whatever happened: the dev database is emptied again.
        let mut released = Ok(());
        for kept in [from_kept, to_kept].into_iter().flatten() {
            let r = kept.release().await;
            if released.is_ok() {
                released = r;
            }
        }
        let resolved = resolved?;
        released?;
        Ok(resolved)
    }

    /// Reads a source that is a database: the project's, one by URL, or the dev database after
    /// replaying the revisions (with `guard`, which [`Sources::resolve`] built). `None` for the
    /// models, which [`spawn_models`] reads. With `keep`, the connection is handed back open
    /// (the dev database not yet emptied: [`Kept::release`] does that).
    async fn read_database(
        &self,
        source: &SchemaSource,
        guard: Option<&DevGuard>,
        keep: bool,
    ) -> Result<(Option<Side>, Option<Kept>), Error> {
        let mut kept = None;
        let side = match source {
            SchemaSource::Models => return Ok((None, None)),
            SchemaSource::ProjectDatabase => {
                let project = self.project_database()?;
                let set = self.revision_set()?;
                let mut conn = project.connect().await?;
                let objects = !keep || project.config.manages_objects();
                let read = async {
                    let schema = read_schema(
                        &mut conn,
                        &project.database_url,
                        Some(&project.config),
                        None,
                        objects,
                    )
                    .await?;
                    let status = DatabaseStatus::read(&mut conn, &set).await?;
                    let unmanaged =
                        read_unmanaged(&mut conn, &project.database_url, &project.config).await?;
                    Ok::<_, Error>(Side {
                        status: Some(status),
                        unmanaged,
                        ..Side::database(schema)
                    })
                }
                .await;
                if keep && read.is_ok() {
                    kept = Some(Kept::Database(conn));
                } else {
                    let _ = conn.close().await;
                }
                read?
            }
            SchemaSource::Database(url) => {
                // Reading only: a missing SQLite file is an error naming it, never a new empty
                // database.
                let mut conn = Connection::connect_existing(url).await?;
                let objects = !keep || self.config.is_none_or(Config::manages_objects);
                let schema = read_schema(&mut conn, url, self.config, None, objects).await;
                if keep && schema.is_ok() {
                    kept = Some(Kept::Database(conn));
                } else {
                    let _ = conn.close().await;
                }
                Side::database(schema?)
            }
            SchemaSource::Revisions { target } => {
                let set = self.revision_set()?;
                let mut dev = self.open_dev(guard).await?;
                let read = async {
                    dev.replay(&set, target).await?;
                    let schema = dev.schema(!keep || dev.manages_objects()).await?;
                    let status = DatabaseStatus::read(dev.connection(), &set).await?;
                    let unmanaged = dev.unmanaged().await?;
                    Ok::<_, Error>(Side {
                        status: Some(status),
                        unmanaged,
                        ..Side::database(schema)
                    })
                }
                .await;
                if keep && read.is_ok() {
                    kept = Some(Kept::Dev(Box::new(dev)));
                    read?
                } else {
                    let finished = dev.finish().await;
                    let side = read?;
                    finished?;
                    side
                }
            }
        };
        Ok((Some(side), kept))
    }
}

/// A database kept open after it was read, for its server to print the models (`print.rs`).
enum Kept {
    /// The project's database or one named by URL: closed when released.
    Database(Connection),
    /// The dev database after the replay: emptied when released.
    Dev(Box<DevDatabase>),
}

impl Kept {
    fn connection(&mut self) -> &mut Connection {
        match self {
            Kept::Database(conn) => conn,
            Kept::Dev(dev) => dev.connection(),
        }
    }

    async fn release(self) -> Result<(), Error> {
        match self {
            Kept::Database(conn) => {
                let _ = conn.close().await;
                Ok(())
            }
            Kept::Dev(dev) => dev.finish().await,
        }
    }
}

/// The models being read on their own threads.
pub(crate) struct ModelTask(JoinHandle<Result<Side, Error>>);

impl ModelTask {
    pub(crate) async fn join(self) -> Result<Side, Error> {
        self.0
            .await
            .map_err(|e| Error::Internal(format!("model reader thread failed: {e}")))?
    }
}

/// Starts reading the models of the project in `root` for `dialect`, keeping only the tables it
/// manages (a model of a table the project does not manage is ignored, like that table in the
/// database) and canonicalising them.
///
/// The models get every core but one. The catalog side needs a core of its own: sqlx's SQLite
/// worker thread and the assembler reading its rows, or the server's processes when the server
/// runs on the same machine. With the models parsed on every core beside it, `autogen check` at
/// 5,000 tables on 2 cores measured 0.90-0.95 s on SQLite against 0.65-0.69 s with one parsing
/// thread (min and median of 10 runs each); PostgreSQL measured 0.55-0.58 s either way and
/// MariaDB 1.33-1.40 s against 1.26-1.31 s.
pub(crate) fn spawn_models(
    root: &Path,
    config: &Config,
    dialect: Dialect,
) -> Result<ModelTask, Error> {
    let filter = config.table_filter().map_err(Error::Internal)?;
    let opts = ReadOptions {
        threads: Some(
            std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1)),
        ),
        ..config.read_options(root, dialect)
    };
    let root = root.to_path_buf();
    let schema_files = config.schema_files.clone();
    Ok(ModelTask(tokio::task::spawn_blocking(move || {
        let mut models = autogen_models::read_models(&opts)?;
        filter.retain(&mut models.schema);
        models.schema.objects =
            crate::schema_files::read_schema_files(&root, &schema_files, dialect, &models.schema)?;
        check_declared(&models.views, &models.schema.objects, &schema_files)?;
        Ok(Side::models(dialect, models))
    })))
}

/// Introspects the project's database, leaving out version tables and excluded tables.
pub async fn introspect(project: &Project, conn: &mut Connection) -> Result<Schema, Error> {
    read_schema(
        conn,
        &project.database_url,
        Some(&project.config),
        None,
        project.config.manages_objects(),
    )
    .await
}

/// Reads the schema of `conn`'s database (`url` names it in errors): without autogen's own
/// tables and `also_excluded`, and, with a config, only the tables it manages (read with its
/// `pg_schema`), so every side of a comparison is filtered alike.
pub(crate) async fn read_schema(
    conn: &mut Connection,
    url: &DatabaseUrl,
    config: Option<&Config>,
    also_excluded: Option<&str>,
    objects: bool,
) -> Result<Schema, Error> {
    let mut exclude_tables: Vec<String> = autogen_revisions::VERSION_TABLES
        .iter()
        .map(|s| s.to_string())
        .collect();
    exclude_tables.extend(also_excluded.map(str::to_string));
    let mut pg_schema = None;
    let mut pg_schemas = Vec::new();
    let mut filter = None;
    if let Some(config) = config {
        exclude_tables.extend(config.exclude_tables.iter().cloned());
        pg_schema = config.pg_schema.clone();
        pg_schemas = config.pg_schemas();
        filter = Some(config.table_filter().map_err(Error::Internal)?);
    }
    let options = IntrospectOptions {
        exclude_tables,
        pg_schema,
        pg_schemas,
    };
    let mut schema = autogen_introspect::introspect(conn, &options)
        .await
        .map_err(|source| Error::Introspect {
            url: url.redacted(),
            source,
        })?;
    if let Some(filter) = filter {
        filter.retain(&mut schema);
    }
    // Objects other than tables only where something will compare them: a project that
    // manages none, compared with its models, would leave every one out (`keep_managed`).
    if objects {
        crate::ops::objects::read_objects(conn, url, options.pg_schema.clone(), &mut schema)
            .await?;
    }
    Ok(schema)
}

/// Leaves out of both sides what autogen.toml's `ignore` leaves alone (see `ignore.rs`), with
/// the models' declared renames pairing a renamed table with its old name.
pub(crate) fn ignore(config: &Config, a: &mut Side, b: &mut Side) -> Result<(), Error> {
    let rules = config.ignore_rules().map_err(Error::Internal)?;
    let renames = a.renames.clone().or_else(|| b.renames.clone());
    rules.apply(&mut a.schema, &mut b.schema, renames.as_ref());
    // Object kinds the project does not manage are left alone like ignored columns.
    crate::ops::objects::keep_managed(config, a, b)
}

/// What the database behind `conn` (`url` names it in errors) holds that autogen does not
/// manage, as far as it concerns the project: objects on tables the project leaves out (and
/// their uses of such tables) are not listed, since the user already chose to leave those alone.
pub(crate) async fn read_unmanaged(
    conn: &mut Connection,
    url: &DatabaseUrl,
    config: &Config,
) -> Result<Vec<UnmanagedObject>, Error> {
    let options = IntrospectOptions {
        exclude_tables: Vec::new(),
        pg_schema: config.pg_schema.clone(),
        pg_schemas: config.pg_schemas(),
    };
    let mut objects = autogen_introspect::unmanaged(conn, &options)
        .await
        .map_err(|source| Error::Introspect {
            url: url.redacted(),
            source,
        })?;
    let filter = config.table_filter().map_err(Error::Internal)?;
    let managed = |t: &str| filter.manages(t) && t != autogen_revisions::DEV_DATABASE_MARKER;
    objects.retain(|o| o.table.as_deref().is_none_or(managed));
    for o in &mut objects {
        o.uses.retain(|u| managed(&u.table));
    }
    Ok(objects)
}

/// The database a folder's autogen.toml, `.env` or `DATABASE_URL` names, if any parses.
fn configured_database(root: &Path, config: &Config) -> Option<DatabaseUrl> {
    let env = std::env::var("DATABASE_URL").ok();
    crate::config::choose_database_url(root, config, None, env)
        .ok()
        .and_then(|(raw, _)| DatabaseUrl::parse(&raw).ok())
        .map(|url| url.resolve_relative(root))
}

fn no_project(side: &str) -> Error {
    Error::Usage {
        message: format!("`{side}` needs a project: no autogen.toml here"),
        help: "run in the project folder, pass `-C DIR`, or compare two database URLs".into(),
    }
}
