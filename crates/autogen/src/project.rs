//! A loaded project: its folder, its `autogen.toml`, the database URL chosen for it and where
//! that URL came from, and whether connecting may create a missing SQLite file.

use std::path::{Path, PathBuf};

use autogen_db::{Connection, DatabaseUrl};
use autogen_models::{ModelSet, ReadOptions};
use autogen_revisions::RevisionSet;
use autogen_schema::Dialect;

use crate::config::{choose_database_url, choose_dev_url, Config, UrlSource};
use crate::error::Error;

/// Everything an operation needs to know about the project it runs in.
#[derive(Debug, Clone)]
pub struct Project {
    /// The folder holding `autogen.toml`; relative paths in the config are relative to it.
    pub root: PathBuf,
    pub config: Config,
    pub database_url: DatabaseUrl,
    /// Where `database_url` came from (the CLI says so before connecting).
    pub url_source: UrlSource,
    /// Whether [`Project::connect`] may create a missing SQLite file (true unless
    /// [`Project::read_only`] cleared it). Commands that only read clear it, so a wrong path is
    /// an error naming the file rather than a new empty database that reads as "nothing".
    pub create_missing_database: bool,
}

impl Project {
    /// Loads `autogen.toml` from `root` and picks the database URL (override, then the
    /// `DATABASE_URL` environment variable, then `.env`, then the config file).
    pub fn load(root: &Path, override_url: Option<&str>) -> Result<Project, Error> {
        let config = Config::load(root)?;
        let env = std::env::var("DATABASE_URL").ok();
        let (url, source) = choose_database_url(root, &config, override_url, env)?;
        Project::from_parts(root, config, &url, source)
    }

    /// A project from an already parsed config and URL (tests and embedding applications).
    pub fn from_parts(
        root: &Path,
        config: Config,
        url: &str,
        url_source: UrlSource,
    ) -> Result<Project, Error> {
        let database_url = DatabaseUrl::parse(url)?.resolve_relative(root);
        if !config.schemas.is_empty() && database_url.dialect() != Dialect::Postgres {
            return Err(crate::error::ConfigError::Invalid {
                path: root.join(crate::config::CONFIG_FILE),
                message: format!(
                    "`schemas` is set, but the database is {}: only PostgreSQL has schemas",
                    database_url.dialect()
                ),
                help: "remove `schemas` from autogen.toml (every table lives in the one database)"
                    .into(),
            }
            .into());
        }
        Ok(Project {
            root: root.to_path_buf(),
            config,
            database_url,
            url_source,
            create_missing_database: true,
        })
    }

    /// The same project for a command that only reads: [`Project::connect`] then refuses a
    /// missing SQLite file ([`autogen_db::DbError::MissingFile`]) instead of creating it.
    pub fn read_only(mut self) -> Project {
        self.create_missing_database = false;
        self
    }

    /// The dev database `override_url` (`--dev-url`) or `dev_url` in autogen.toml names, with
    /// where it came from; `None` when there is none. Only parsed and resolved like the
    /// project's URL, not checked against it (`ops::dev` does that before using it).
    pub fn dev_database(
        &self,
        override_url: Option<&str>,
    ) -> Result<Option<(DatabaseUrl, UrlSource)>, Error> {
        match choose_dev_url(&self.config, override_url) {
            Some((raw, source)) => Ok(Some((
                DatabaseUrl::parse(&raw)?.resolve_relative(&self.root),
                source,
            ))),
            None => Ok(None),
        }
    }

    pub fn dialect(&self) -> autogen_schema::Dialect {
        self.database_url.dialect()
    }

    pub fn revisions_dir(&self) -> PathBuf {
        self.root.join(&self.config.revisions)
    }

    pub fn read_options(&self) -> ReadOptions {
        self.config.read_options(&self.root, self.dialect())
    }

    /// The models, with the objects the SQL files (`schema_files`) declare.
    pub fn read_models(&self) -> Result<ModelSet, Error> {
        let mut models = autogen_models::read_models(&self.read_options())?;
        models.schema.objects = crate::schema_files::read_schema_files(
            &self.root,
            &self.config.schema_files,
            self.dialect(),
            &models.schema,
        )?;
        crate::view_models::check_declared(
            &models.views,
            &models.schema.objects,
            &self.config.schema_files,
        )?;
        Ok(models)
    }

    pub fn load_revisions(&self) -> Result<RevisionSet, Error> {
        Ok(RevisionSet::load(&self.revisions_dir())?)
    }

    /// Opens the project's database; a missing SQLite file is created unless the project is
    /// [`Project::read_only`].
    pub async fn connect(&self) -> Result<Connection, Error> {
        let mut conn = if self.create_missing_database {
            Connection::connect(&self.database_url).await?
        } else {
            Connection::connect_existing(&self.database_url).await?
        };
        if let Err(e) = enter_pg_schema(&mut conn, self.config.pg_schema.as_deref()).await {
            let _ = conn.close().await;
            return Err(e);
        }
        Ok(conn)
    }
}

/// `SET search_path TO "<pg_schema>"` when a PostgreSQL project works in a schema other than
/// `public`; `None` otherwise.
///
/// Why the search path rather than qualifying every statement the renderer writes: revisions
/// also hold statements people write by hand (`CREATE TABLE x`, `INSERT INTO x`, a function
/// body) and the version table's own SQL, and all of them must land in the schema; a revision
/// file stays the same whatever schema it is applied to (one per tenant, a test schema); and
/// `nextval('seq')` or an enum type in a default resolves in the schema without being spelled
/// with it. The schema alone is on the path (not `public` after it) so that an unqualified name
/// can never reach a table of the same name in `public`, such as another project's
/// `autogen_version`. The offline script (`--sql`) starts with the same statement.
pub(crate) fn pg_schema_search_path(dialect: Dialect, pg_schema: Option<&str>) -> Option<String> {
    match pg_schema {
        Some(schema) if dialect == Dialect::Postgres && schema != "public" => Some(format!(
            "SET search_path TO {}",
            autogen_sql::quote_ident(Dialect::Postgres, schema)
        )),
        _ => None,
    }
}

/// Points the connection's unqualified names at `pg_schema` (see [`pg_schema_search_path`]).
pub(crate) async fn enter_pg_schema(
    conn: &mut Connection,
    pg_schema: Option<&str>,
) -> Result<(), Error> {
    if let Some(sql) = pg_schema_search_path(conn.dialect(), pg_schema) {
        conn.execute_script(&sql).await?;
    }
    Ok(())
}
