//! The facade's errors. Each wraps a lower crate's error unchanged (those already name the file,
//! revision or redacted URL) or says what the orchestration itself found wrong and what to do.

use std::path::PathBuf;

use thiserror::Error;

/// Problems with `autogen.toml`, `.env` or the project folder.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("no autogen.toml in {}\n  help: run `autogen init` there, or pass `-C DIR` to point at the project", dir.display())]
    Missing { dir: PathBuf },
    #[error("{}:{line}:{column}: {message}\n  help: see the autogen.toml keys in the README (database_url, models, revisions, exclude_tables, include_tables, ignore, pg_schema, schemas, dev_url, schema_files, manage, manage_roles, safety, sqlite_rebuild_rows, lock_timeout, lock_retries, [naming])", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: {message}\n  help: {help}", path.display())]
    Invalid {
        path: PathBuf,
        message: String,
        help: String,
    },
    #[error("{}: {source}", path.display())]
    Naming {
        path: PathBuf,
        source: autogen_schema::NamingError,
    },
    /// A `.env` line dotenv cannot parse. Only its number is kept: the line's text may hold
    /// secrets, and this error is printed (and put into `check --format json`).
    #[error("{}{}: cannot parse this line of the .env file (its contents are not shown: .env files hold secrets)\n  help: write each line as KEY=value; quote values with spaces or `#` (KEY=\"a b\" or KEY='a b') and close every quote", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    DotEnv { path: PathBuf, line: Option<usize> },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no database URL for the project in {}\n  help: set database_url in autogen.toml, DATABASE_URL in the environment or .env, or pass --database-url", dir.display())]
    NoDatabaseUrl { dir: PathBuf },
}

/// Everything an autogen operation can fail with.
#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Models(#[from] autogen_models::ModelErrors),
    /// Structs that read a view (`#[model(view = "...")]`) whose view the SQL files do not
    /// declare, or whose fields are not the view's columns; printed like model errors.
    #[error("{0}")]
    ViewModels(autogen_models::ModelErrors),
    #[error(transparent)]
    Database(#[from] autogen_db::DbError),
    #[error("cannot read the schema of {url}: {source}")]
    Introspect {
        url: String,
        source: autogen_introspect::IntrospectError,
    },
    #[error(transparent)]
    Diff(#[from] autogen_diff::DiffError),
    #[error(transparent)]
    Render(#[from] autogen_sql::RenderError),
    #[error(transparent)]
    Revisions(#[from] autogen_revisions::RevisionError),
    #[error(transparent)]
    Run(#[from] autogen_revisions::RunError),
    #[error("the database is at {current}, but the head revision is {heads}\n  help: run `autogen upgrade` first, then autogenerate")]
    NotAtHead { current: String, heads: String },
    #[error("the revisions folder has several heads: {heads}\n  help: run `autogen merge -m MESSAGE` to join them")]
    SeveralHeads { heads: String },
    #[error("{} already exists; nothing was written", path.display())]
    AlreadyExists { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a revision needs a message\n  help: pass -m \"what this revision does\"")]
    EmptyMessage,
    /// A command was asked for something it cannot do as asked (comparing two dialects, `models`
    /// without a project, ...).
    #[error("{message}\n  help: {help}")]
    Usage { message: String, help: String },
    #[error("the new revision does not round-trip on the dev database, so it was not written: {stage}\n{}\n  help: fix the models or the renderer issue shown, or write this revision by hand (`autogen revision --empty`); `--no-verify` skips this check", differences.iter().map(|d| format!("    {d}")).collect::<Vec<_>>().join("\n"))]
    NotVerified {
        stage: String,
        differences: Vec<String>,
    },
    /// Statements of the SQL files (`schema_files`) that cannot be read or declare something
    /// unsupported, each as `file:line: message`.
    #[error("{}\n  help: the SQL files hold CREATE VIEW, CREATE MATERIALIZED VIEW, CREATE TRIGGER and (PostgreSQL) CREATE FUNCTION statements, one object each", .0.join("\n"))]
    SchemaFiles(Vec<String>),
    #[error("internal error: {0}")]
    Internal(String),
}
