//! `autogen.toml`, the project file, and where the database URL comes from.
//!
//! The URL is taken, first match wins, from: an explicit override (the CLI's `--database-url`),
//! the `DATABASE_URL` environment variable, `DATABASE_URL` in a `.env` file beside
//! `autogen.toml`, and `database_url` in `autogen.toml` — the order sqlx and diesel users know.
//! This module reads files but never connects and never prints.

use std::path::{Path, PathBuf};

use autogen_models::ReadOptions;
use autogen_schema::{Dialect, NamingConvention};
use serde::Deserialize;

use crate::error::ConfigError;

/// The file name autogen looks for.
pub const CONFIG_FILE: &str = "autogen.toml";

/// What `autogen init` writes.
pub const DEFAULT_CONFIG: &str = r#"# autogen project file. Paths are relative to this file.

# The database autogen compares the models with and applies revisions to.
# DATABASE_URL (environment or .env beside this file) overrides it.
database_url = "sqlite://app.db"

# Globs of Rust files that hold #[derive(autogen::Model)] structs.
models = ["src/**/*.rs"]

# The folder revision files are written to.
revisions = "revisions"

# Tables autogen never touches (globs), besides its own version table.
exclude_tables = []

# If not empty, autogen manages only tables matching one of these globs.
# include_tables = ["app_*"]

# Columns, indexes and constraints autogen leaves alone, as TABLE.OBJECT globs, optionally
# narrowed to one kind (column:, index:, unique:, foreign_key:, check:).
# ignore = ["users.legacy_*", "*.ix_tmp_*"]

# PostgreSQL only: the schema to read and write.
# pg_schema = "public"

# PostgreSQL only: several schemas in one project. The first is the default schema (where
# models without #[model(schema = "...")] and the version table live; pg_schema, if set, must
# name it); the others are chosen per model with #[model(schema = "billing")].
# schemas = ["public", "billing"]

# SQL files declaring views, materialized views and triggers (CREATE statements), compared
# with the database like the models. Kinds they declare are managed; others are left alone
# unless listed in `manage` (then undeclared ones are dropped).
# schema_files = ["schema/*.sql"]
# manage = ["views", "triggers"]
# Roles whose table grants are managed even when the files grant them nothing (so removing a
# role's last GRANT revokes it); a role the files grant to is managed anyway.
# manage_roles = ["reporting"]

# How revisions are written for tables with rows: "default", or "online" for the forms that
# keep them writable (CREATE INDEX CONCURRENTLY, NOT VALID then VALIDATE, ALGORITHM=INPLACE).
# safety = "online"
# With safety = "online" on SQLite, which has no online form: a table rebuild of a table with at
# least this many rows is a hazard, a smaller one only a note.
# sqlite_rebuild_rows = 100000
# With safety = "online": how long each statement waits for its table's lock before it gives up
# (default "2s" on PostgreSQL, "5s" on MySQL/MariaDB), and how many times the runner tries a
# statement that gave up again (pausing 1, 2, 4, 8, 16 s between tries).
# lock_timeout = "2s"
# lock_retries = 5

# A scratch database autogen may EMPTY and replay the revisions into, so `autogen -m` needs no
# live database at head and verifies each new revision round-trips before writing it.
# dev_url = "sqlite::memory:"

# Names generated for constraints and indexes that the models do not name.
# [naming]
# index = "ix_{table}_{columns}"
# unique = "uq_{table}_{columns}"
# foreign_key = "fk_{table}_{columns}_{referred_table}"
# check = "ck_{table}_{n}"
# primary_key = "pk_{table}"
"#;

/// The parsed `autogen.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database_url: Option<String>,
    #[serde(default = "default_models")]
    pub models: Vec<String>,
    #[serde(default = "default_revisions")]
    pub revisions: PathBuf,
    #[serde(default)]
    pub exclude_tables: Vec<String>,
    /// When not empty, only tables matching one of these globs are managed.
    #[serde(default)]
    pub include_tables: Vec<String>,
    /// Columns, indexes and constraints left alone on both sides, as `[KIND:]TABLE.OBJECT`
    /// globs (see `ignore.rs`). Spanned, so a bad entry is reported at its line.
    #[serde(default)]
    pub ignore: Vec<toml::Spanned<String>>,
    pub pg_schema: Option<String>,
    /// PostgreSQL: every schema the project manages, the default one first (see
    /// [`Config::pg_schemas`]). Empty: `pg_schema` alone.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// A scratch database autogen empties and replays the revisions into (see `ops::dev`).
    pub dev_url: Option<String>,
    /// Globs of SQL files declaring views, materialized views, triggers and functions (see
    /// `schema_files.rs`).
    #[serde(default)]
    pub schema_files: Vec<String>,
    /// Object kinds managed even when the SQL files declare none of them (`views`,
    /// `materialized_views`, `triggers`, `functions`): their objects in the database that the
    /// files do not declare are dropped. A kind the files declare is always managed.
    #[serde(default)]
    pub manage: Vec<String>,
    /// Roles (PostgreSQL) or accounts (MySQL/MariaDB: `user`, or `user@host` for a host other
    /// than `%`) whose table grants are managed even where the SQL files grant them nothing, so
    /// removing a role's last `GRANT` from the files revokes it. A role the files grant to is
    /// managed without being listed.
    #[serde(default)]
    pub manage_roles: Vec<String>,
    /// How revisions are written for live tables: `"default"` or `"online"` (see
    /// [`Config::safety`]).
    pub safety: Option<String>,
    /// Online mode on SQLite: a table rebuild of a table with at least this many rows is a
    /// hazard, a smaller one a note (see [`Config::sqlite_rebuild_rows`]).
    pub sqlite_rebuild_rows: Option<u64>,
    /// Online mode: how long each statement waits for its lock (`"2s"`, `"500ms"`; see
    /// [`Config::lock_timeout`]).
    pub lock_timeout: Option<String>,
    /// How many times the runner tries a statement whose lock wait timed out again (see
    /// [`Config::lock_retries`]).
    pub lock_retries: Option<i64>,
    #[serde(default)]
    pub naming: NamingConfig,
}

/// `[naming]`: each template optional, falling back to the default convention.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamingConfig {
    pub index: Option<String>,
    pub unique: Option<String>,
    pub foreign_key: Option<String>,
    pub check: Option<String>,
    pub primary_key: Option<String>,
}

fn default_models() -> Vec<String> {
    vec!["src/**/*.rs".to_string()]
}

fn default_revisions() -> PathBuf {
    PathBuf::from("revisions")
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: None,
            models: default_models(),
            revisions: default_revisions(),
            exclude_tables: Vec::new(),
            include_tables: Vec::new(),
            ignore: Vec::new(),
            pg_schema: None,
            schemas: Vec::new(),
            dev_url: None,
            schema_files: Vec::new(),
            manage: Vec::new(),
            manage_roles: Vec::new(),
            safety: None,
            sqlite_rebuild_rows: None,
            lock_timeout: None,
            lock_retries: None,
            naming: NamingConfig::default(),
        }
    }
}

impl Config {
    /// Parses `text` as the contents of `path` (named in errors).
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|span| span.start);
            let (line, column) = at.map(|at| line_col(text, at)).unwrap_or((1, 1));
            // serde's messages quote wrongly typed values, which may be URLs.
            let mut message = autogen_db::redact_secrets(e.message());
            // A value of the wrong type is reported without its key: name it.
            if let Some(key) = at.and_then(|at| key_of_value(text, at)) {
                if message.starts_with("invalid ") {
                    message = format!("{key}: {message}");
                }
            }
            ConfigError::Malformed {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        })?;
        config
            .naming()
            .validate()
            .map_err(|e| ConfigError::Naming {
                path: path.to_path_buf(),
                source: e,
            })?;
        if let Err(message) = config.table_filter() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message,
                help: "include_tables and exclude_tables take globs such as \"tmp_*\" or \"audit_{a,b}\"".into(),
            });
        }
        if let Err(message) = config.managed_kinds() {
            let kinds: Vec<String> = autogen_schema::ObjectKind::ALL
                .iter()
                .map(|k| format!("\"{}\"", k.plural()))
                .collect();
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message,
                help: format!("manage takes {}", kinds.join(", ")),
            });
        }
        if let Err(message) = config.checked_safety() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message,
                help: "write safety = \"online\" (the forms that keep tables writable) or safety = \"default\"".into(),
            });
        }
        if let Err(message) = config.checked_lock_settings() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message,
                help: format!("write, for example, lock_timeout = \"2s\" (or \"500ms\", \"1min\") and lock_retries = 5 (0 to {MOST_LOCK_RETRIES})"),
            });
        }
        if let Err((i, message)) = crate::ignore::IgnoreRules::new(&config.ignore_entries()) {
            let at = config.ignore.get(i).map_or(0, |e| e.span().start);
            let (line, column) = line_col(text, at);
            return Err(ConfigError::Malformed {
                path: path.to_path_buf(),
                line,
                column,
                message,
            });
        }
        if let Err(message) = config.settle_schemas() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message,
                help: "write schemas = [\"public\", \"billing\"]: distinct schema names, the default schema (pg_schema, if set) first".into(),
            });
        }
        if config.models.is_empty() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: "`models` is empty".into(),
                help: "list at least one glob, e.g. models = [\"src/**/*.rs\"]".into(),
            });
        }
        Ok(config)
    }

    /// Reads `autogen.toml` from `dir`.
    pub fn load(dir: &Path) -> Result<Config, ConfigError> {
        let path = dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::Missing {
                    dir: dir.to_path_buf(),
                })
            }
            Err(e) => return Err(ConfigError::Io { path, source: e }),
        };
        Config::parse(&path, &text)
    }

    /// The compiled `include_tables` / `exclude_tables` globs.
    pub fn table_filter(&self) -> Result<crate::tables::TableFilter, String> {
        crate::tables::TableFilter::new(&self.include_tables, &self.exclude_tables)
    }

    /// Checks `schemas` against `pg_schema` and makes `pg_schema` the default schema: the first
    /// of `schemas` when `pg_schema` is not set.
    fn settle_schemas(&mut self) -> Result<(), String> {
        let Some(first) = self.schemas.first() else {
            return Ok(());
        };
        let mut seen = std::collections::HashSet::new();
        for s in &self.schemas {
            if s.trim().is_empty() {
                return Err("`schemas` holds an empty schema name".into());
            }
            if !seen.insert(s.as_str()) {
                return Err(format!("`schemas` names the schema `{s}` twice"));
            }
        }
        match &self.pg_schema {
            Some(p) if p != first => Err(format!(
                "pg_schema = \"{p}\" but `schemas` starts with \"{first}\": the default schema must be the first of `schemas`"
            )),
            _ => {
                self.pg_schema = Some(first.clone());
                Ok(())
            }
        }
    }

    /// The managed PostgreSQL schemas besides the default one (`pg_schema`), in the order
    /// `schemas` lists them. Empty for a single-schema project.
    pub fn pg_schemas(&self) -> Vec<String> {
        self.schemas.iter().skip(1).cloned().collect()
    }

    /// The `ignore` entries as written.
    pub fn ignore_entries(&self) -> Vec<&str> {
        self.ignore.iter().map(|e| e.get_ref().as_str()).collect()
    }

    /// The compiled `ignore` entries (checked when the file was parsed).
    pub fn ignore_rules(&self) -> Result<crate::ignore::IgnoreRules, String> {
        crate::ignore::IgnoreRules::new(&self.ignore_entries()).map_err(|(_, message)| message)
    }

    /// The naming convention: the defaults with `[naming]` overrides applied.
    pub fn naming(&self) -> NamingConvention {
        let mut n = NamingConvention::default();
        let c = &self.naming;
        for (slot, value) in [
            (&mut n.index, &c.index),
            (&mut n.unique, &c.unique),
            (&mut n.foreign_key, &c.foreign_key),
            (&mut n.check, &c.check),
            (&mut n.primary_key, &c.primary_key),
        ] {
            if let Some(v) = value {
                *slot = v.clone();
            }
        }
        n
    }

    /// How to read the models of the project in `root` for `dialect` (its name rules), on the
    /// calling thread.
    /// Whether the project manages any object other than tables: SQL files, `manage` or
    /// `manage_roles`. When it does not, a database compared with the models needs no object
    /// read at all (every object would be left out as unmanaged).
    pub fn manages_objects(&self) -> bool {
        !self.schema_files.is_empty() || !self.manage.is_empty() || !self.manage_roles.is_empty()
    }

    /// How revisions are written for live tables: `safety = "online"` or the default.
    pub fn safety(&self) -> autogen_sql::Safety {
        self.checked_safety().unwrap_or_default()
    }

    /// Online mode on SQLite: the row count from which a table rebuild is a hazard rather than
    /// a note (`sqlite_rebuild_rows`, default 100000).
    pub fn sqlite_rebuild_rows(&self) -> u64 {
        self.sqlite_rebuild_rows
            .unwrap_or(autogen_sql::SQLITE_REBUILD_ROWS)
    }

    /// Online mode's lock wait per statement (`lock_timeout`); `None` when not set, for the
    /// dialect's default (PostgreSQL 2 s, MySQL/MariaDB 5 s). Checked when the file was parsed.
    pub fn lock_timeout(&self) -> Option<autogen_sql::LockTimeout> {
        self.lock_timeout
            .as_deref()
            .and_then(|t| autogen_sql::LockTimeout::parse(t).ok())
    }

    /// How many times the runner tries a statement whose lock wait timed out again
    /// (`lock_retries`); `None` when not set, for the runner's default (5). Checked when the
    /// file was parsed.
    pub fn lock_retries(&self) -> Option<u32> {
        self.lock_retries
            .and_then(|r| u32::try_from(r).ok())
            .filter(|r| *r <= MOST_LOCK_RETRIES)
    }

    /// What is wrong with `lock_timeout` or `lock_retries`.
    fn checked_lock_settings(&self) -> Result<(), String> {
        if let Some(t) = &self.lock_timeout {
            autogen_sql::LockTimeout::parse(t).map_err(|why| format!("lock_timeout {why}"))?;
        }
        if let Some(r) = self.lock_retries {
            if !(0..=i64::from(MOST_LOCK_RETRIES)).contains(&r) {
                return Err(format!(
                    "lock_retries = {r} is out of range: write a whole number of retries from 0 (never retry) to {MOST_LOCK_RETRIES}"
                ));
            }
        }
        Ok(())
    }

    /// [`Config::safety`], or what is wrong with the entry.
    pub fn checked_safety(&self) -> Result<autogen_sql::Safety, String> {
        match self.safety.as_deref() {
            None => Ok(autogen_sql::Safety::Default),
            Some(name) => autogen_sql::Safety::parse(name)
                .ok_or_else(|| format!("safety {name:?} is not a mode")),
        }
    }

    /// The kinds `manage` names, or the first entry that names none.
    pub fn managed_kinds(&self) -> Result<Vec<autogen_schema::ObjectKind>, String> {
        self.manage
            .iter()
            .map(|m| {
                autogen_schema::ObjectKind::parse(m)
                    .ok_or_else(|| format!("manage entry {m:?} is not an object kind"))
            })
            .collect()
    }

    pub fn read_options(&self, root: &Path, dialect: Dialect) -> ReadOptions {
        ReadOptions {
            root: root.to_path_buf(),
            globs: self.models.clone(),
            naming: self.naming(),
            threads: None,
            dialect: Some(dialect),
            pg_schemas: match (dialect, self.schemas.is_empty()) {
                (Dialect::Postgres, false) => self.schemas.clone(),
                (Dialect::Postgres, true) => {
                    vec![self.pg_schema.clone().unwrap_or_else(|| "public".into())]
                }
                _ => Vec::new(),
            },
        }
    }
}

/// The most retries `lock_retries` accepts: with the pause capped at 16 s, 100 retries already
/// wait for more than 25 minutes.
const MOST_LOCK_RETRIES: u32 = 100;

/// The key of the `key = value` line whose value starts at byte `offset`, when the value is not
/// the first thing on its line.
fn key_of_value(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset)?;
    let line = before.rsplit('\n').next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty()).then_some(key)
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where a URL was found, for messages ("DATABASE_URL in .env").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlSource {
    /// `--database-url` (or a URL an embedding application passed in).
    Override,
    Environment,
    DotEnv,
    ConfigFile,
    /// The dev database from `--dev-url`.
    DevOverride,
    /// The dev database from `dev_url` in autogen.toml.
    DevConfigFile,
}

impl UrlSource {
    /// A stable machine name (`check --format json` reports it as `database_source`): the flag
    /// variants are `flag`, the others `environment`, `dotenv` and `config`.
    pub fn name(self) -> &'static str {
        match self {
            UrlSource::Override | UrlSource::DevOverride => "flag",
            UrlSource::Environment => "environment",
            UrlSource::DotEnv => "dotenv",
            UrlSource::ConfigFile | UrlSource::DevConfigFile => "config",
        }
    }
}

impl std::fmt::Display for UrlSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UrlSource::Override => "--database-url",
            UrlSource::Environment => "DATABASE_URL in the environment",
            UrlSource::DotEnv => "DATABASE_URL in .env",
            UrlSource::ConfigFile => "database_url in autogen.toml",
            UrlSource::DevOverride => "--dev-url",
            UrlSource::DevConfigFile => "dev_url in autogen.toml",
        })
    }
}

/// Picks the dev database URL: `override_url` (`--dev-url`), else `dev_url` in autogen.toml.
pub fn choose_dev_url(config: &Config, override_url: Option<&str>) -> Option<(String, UrlSource)> {
    match override_url {
        Some(u) => Some((u.to_string(), UrlSource::DevOverride)),
        None => config
            .dev_url
            .clone()
            .map(|u| (u, UrlSource::DevConfigFile)),
    }
}

/// Picks the database URL by precedence. `env` is the value of `DATABASE_URL` in the process
/// environment (passed in so tests need not touch the real environment).
pub fn choose_database_url(
    root: &Path,
    config: &Config,
    override_url: Option<&str>,
    env: Option<String>,
) -> Result<(String, UrlSource), ConfigError> {
    if let Some(u) = override_url {
        return Ok((u.to_string(), UrlSource::Override));
    }
    if let Some(u) = env.filter(|u| !u.trim().is_empty()) {
        return Ok((u, UrlSource::Environment));
    }
    let dotenv = root.join(".env");
    if dotenv.is_file() {
        if let Some(u) = database_url_in_dotenv(&dotenv)? {
            return Ok((u, UrlSource::DotEnv));
        }
    }
    if let Some(u) = &config.database_url {
        return Ok((u.clone(), UrlSource::ConfigFile));
    }
    Err(ConfigError::NoDatabaseUrl {
        dir: root.to_path_buf(),
    })
}

/// `DATABASE_URL` from a `.env` file, read with dotenvy (the parser sqlx and diesel use).
///
/// dotenvy's parse errors quote the offending line, and a `.env` holds other secrets than the
/// URL, so its messages are never passed on: the error names the file and the line number and
/// says what is wrong in general terms.
fn database_url_in_dotenv(path: &Path) -> Result<Option<String>, ConfigError> {
    let io_error = |e: std::io::Error| ConfigError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let text = std::fs::read_to_string(path).map_err(io_error)?;
    // Editors on Windows may start the file with a byte-order mark, which is not part of the
    // first key.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let iter = dotenvy::from_read_iter(text.as_bytes());
    for item in iter {
        match item {
            Ok((k, v)) if k == "DATABASE_URL" && !v.trim().is_empty() => return Ok(Some(v)),
            Ok(_) => {}
            Err(dotenvy::Error::Io(e)) => return Err(io_error(e)),
            Err(dotenvy::Error::LineParse(fragment, _)) => {
                return Err(ConfigError::DotEnv {
                    path: path.to_path_buf(),
                    line: line_of(text, &fragment),
                })
            }
            Err(_) => {
                return Err(ConfigError::DotEnv {
                    path: path.to_path_buf(),
                    line: None,
                })
            }
        }
    }
    Ok(None)
}

/// The 1-based line where `fragment` (what dotenvy quotes of a line it cannot parse: the line,
/// an unterminated quoted value running to the end of the file, or the value part alone)
/// starts in `text`. A match at the start of a line (after indentation) is preferred, since a
/// short fragment may also occur inside an earlier line.
fn line_of(text: &str, fragment: &str) -> Option<usize> {
    let fragment = fragment.trim_end();
    if fragment.trim().is_empty() {
        return None;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        if text[offset + indent..].starts_with(fragment.trim_start()) {
            return Some(text[..offset].matches('\n').count() + 1);
        }
        offset += line.len();
    }
    text.find(fragment)
        .map(|at| text[..at].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_missing_keys() {
        let c = Config::parse(
            Path::new("autogen.toml"),
            "database_url = \"sqlite://x.db\"\n",
        )
        .unwrap();
        assert_eq!(c.models, vec!["src/**/*.rs"]);
        assert_eq!(c.revisions, PathBuf::from("revisions"));
        assert_eq!(c.naming(), NamingConvention::default());
    }

    #[test]
    fn lock_settings_are_read_and_checked() {
        let path = Path::new("autogen.toml");
        let c = Config::parse(path, "lock_timeout = \"750ms\"\nlock_retries = 2\n").unwrap();
        assert_eq!(
            c.lock_timeout(),
            Some(autogen_sql::LockTimeout { millis: 750 })
        );
        assert_eq!(c.lock_retries(), Some(2));
        let c = Config::parse(path, "").unwrap();
        assert_eq!((c.lock_timeout(), c.lock_retries()), (None, None));
        for (text, needle) in [
            (
                "lock_timeout = \"2 parsecs\"\n",
                "autogen.toml: lock_timeout \"2 parsecs\" has an unknown unit",
            ),
            (
                "lock_timeout = \"0s\"\n",
                "autogen.toml: lock_timeout \"0s\" is out of range",
            ),
            (
                "models = [\"a\"]\nlock_timeout = 2\n",
                "autogen.toml:2:16: lock_timeout: invalid type: integer `2`",
            ),
            (
                "lock_retries = -1\n",
                "autogen.toml: lock_retries = -1 is out of range",
            ),
            (
                "lock_retries = 1000\n",
                "autogen.toml: lock_retries = 1000 is out of range",
            ),
            (
                "lock_retries = \"5\"\n",
                "autogen.toml:1:16: lock_retries: invalid type: string \"5\"",
            ),
        ] {
            let err = Config::parse(path, text).unwrap_err().to_string();
            assert!(err.starts_with(needle), "{text}: {err}");
        }
    }

    #[test]
    fn the_init_template_parses() {
        let c = Config::parse(Path::new("autogen.toml"), DEFAULT_CONFIG).unwrap();
        assert_eq!(c.database_url.as_deref(), Some("sqlite://app.db"));
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = Config::parse(
            Path::new("p/autogen.toml"),
            "models = [\"a\"]\nrevision = \"r\"\n",
        )
        .unwrap_err();
        let ConfigError::Malformed {
            line,
            column,
            message,
            ..
        } = &err
        else {
            panic!("unexpected {err:?}");
        };
        assert_eq!((*line, *column), (2, 1));
        assert!(message.contains("unknown field `revision`"), "{message}");
        assert!(err.to_string().starts_with("p/autogen.toml:2:1: "), "{err}");
    }

    #[test]
    fn a_bad_ignore_entry_names_its_line_and_column() {
        let text = "models = [\"a\"]\nignore = [\n  \"users.legacy_*\",\n  \"users[.x\",\n]\n";
        let err = Config::parse(Path::new("p/autogen.toml"), text).unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with("p/autogen.toml:4:3: "), "{shown}");
        assert!(shown.contains("ignore entry \"users[.x\""), "{shown}");
        let err = Config::parse(Path::new("autogen.toml"), "ignore = [\"users\"]\n").unwrap_err();
        assert!(err.to_string().starts_with("autogen.toml:1:11: "), "{err}");
        assert!(err.to_string().contains("write TABLE.OBJECT"), "{err}");
        let ok = Config::parse(Path::new("autogen.toml"), "ignore = [\"*.ix_tmp_*\"]\n").unwrap();
        assert_eq!(ok.ignore_entries(), ["*.ix_tmp_*"]);
        assert!(!ok.ignore_rules().unwrap().is_empty());
    }

    #[test]
    fn bad_naming_template_is_rejected() {
        let err = Config::parse(
            Path::new("autogen.toml"),
            "[naming]\nindex = \"ix_{tbl}\"\n",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("unknown placeholder `{tbl}`"),
            "{err}"
        );
    }

    #[test]
    fn naming_template_that_cannot_give_distinct_names_is_rejected() {
        for (text, want) in [
            (
                "[naming]\nindex = \"\"\n",
                "naming template `index` is empty",
            ),
            (
                "[naming]\ncheck = \"ck_{table}\"\n",
                "has no `{n}`, so two checks of one table would get the same name",
            ),
        ] {
            let err = Config::parse(Path::new("autogen.toml"), text).unwrap_err();
            let shown = err.to_string();
            assert!(shown.starts_with("autogen.toml: "), "{shown}");
            assert!(shown.contains(want), "{shown}");
        }
    }

    #[test]
    fn a_malformed_dotenv_line_is_named_by_number_only() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::default();
        for (text, line) in [
            (
                "A=1\nSECRET=hunter2\nnot an assignment\nDATABASE_URL=x\n",
                Some(3),
            ),
            ("SECRET='hunter2\nDATABASE_URL=x\n", Some(1)),
            ("\u{feff}SECRET=hunter2\n  broken line\n", Some(2)),
        ] {
            std::fs::write(dir.path().join(".env"), text).unwrap();
            let err = choose_database_url(dir.path(), &c, None, None).unwrap_err();
            let ConfigError::DotEnv { line: got, .. } = &err else {
                panic!("unexpected {err:?}");
            };
            assert_eq!(*got, line, "{text:?}");
            for shown in [err.to_string(), format!("{err:?}")] {
                assert!(!shown.contains("hunter2"), "{shown}");
            }
            assert!(
                err.to_string()
                    .contains(&format!(".env:{}: cannot parse", line.unwrap_or(0))),
                "{err}"
            );
        }
    }

    #[test]
    fn url_precedence() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Config::default();
        assert!(matches!(
            choose_database_url(dir.path(), &c, None, None),
            Err(ConfigError::NoDatabaseUrl { .. })
        ));
        c.database_url = Some("sqlite://file.db".into());
        assert_eq!(
            choose_database_url(dir.path(), &c, None, None).unwrap(),
            ("sqlite://file.db".to_string(), UrlSource::ConfigFile)
        );
        std::fs::write(
            dir.path().join(".env"),
            "OTHER=1\nDATABASE_URL=sqlite://dotenv.db\n",
        )
        .unwrap();
        assert_eq!(
            choose_database_url(dir.path(), &c, None, None).unwrap(),
            ("sqlite://dotenv.db".to_string(), UrlSource::DotEnv)
        );
        assert_eq!(
            choose_database_url(dir.path(), &c, None, Some("sqlite://env.db".into())).unwrap(),
            ("sqlite://env.db".to_string(), UrlSource::Environment)
        );
        assert_eq!(
            choose_database_url(
                dir.path(),
                &c,
                Some("sqlite://flag.db"),
                Some("sqlite://env.db".into())
            )
            .unwrap(),
            ("sqlite://flag.db".to_string(), UrlSource::Override)
        );
    }
}
