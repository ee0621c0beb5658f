//! `prepare` and `drop`: one benchmark project on disk and its database. The base models are
//! read by autogen's own model reader, canonicalised for the dialect and rendered with
//! `autogen_sql::render_create_schema`, then loaded in batches; the project's model files are
//! the changed version, so autogenerate finds [`autogen_bench::gen::Generated::changed_tables`].

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use autogen_bench::gen::{generate, GenOptions};
use autogen_bench::python::sqlalchemy_models;
use autogen_bench::server::{self, TableCaches};
use autogen_db::{Connection, DatabaseUrl};
use autogen_schema::{Dialect, NamingConvention};
use serde_json::json;

/// Statements sent per script: large enough that round trips do not matter, small enough that
/// one failing batch is easy to find.
const BATCH: usize = 400;

pub struct PrepareArgs {
    pub dialect: Dialect,
    pub tables: usize,
    pub seed: u64,
    pub dir: PathBuf,
    /// A URL of any existing database on the server (PostgreSQL, MySQL).
    pub server: Option<String>,
}

pub async fn prepare(args: PrepareArgs) -> Result<serde_json::Value> {
    let generated = generate(GenOptions {
        tables: args.tables,
        seed: args.seed,
    });
    let naming = NamingConvention::default();
    let base = autogen_models::read_sources(&generated.base, &naming)
        .map_err(|e| anyhow::anyhow!("the generated base models do not read back:\n{e}"))?;
    let changed = autogen_models::read_sources(&generated.changed, &naming)
        .map_err(|e| anyhow::anyhow!("the generated changed models do not read back:\n{e}"))?;
    let canonical = autogen_sql::canonicalize(args.dialect, &base.schema);
    let statements = autogen_sql::render_create_schema(args.dialect, &canonical)?;

    if args.dir.exists() {
        std::fs::remove_dir_all(&args.dir)
            .with_context(|| format!("cannot empty {}", args.dir.display()))?;
    }
    std::fs::create_dir_all(args.dir.join("models"))?;
    std::fs::create_dir_all(args.dir.join("revisions"))?;
    for (path, text) in &generated.changed {
        write(&args.dir.join(path), text)?;
    }
    let changed = autogen_sql::canonicalize(args.dialect, &changed.schema);
    write(
        &args.dir.join("models.py"),
        &sqlalchemy_models(args.dialect, &changed),
    )?;

    let url = create_database(args.dialect, args.tables, &args.dir, args.server.as_deref()).await?;
    write(
        &args.dir.join("autogen.toml"),
        &format!(
            "database_url = {}\nmodels = [\"models/*.rs\"]\nrevisions = \"revisions\"\n",
            toml_str(url.expose())
        ),
    )?;

    let started = Instant::now();
    let mut conn = Connection::connect(&url).await?;
    let sqlite = args.dialect == Dialect::Sqlite;
    for chunk in statements.chunks(BATCH) {
        let mut script = String::new();
        if sqlite {
            // One transaction per batch: SQLite syncs on every commit otherwise.
            script.push_str("BEGIN;\n");
        }
        for s in chunk {
            script.push_str(&s.sql);
            script.push_str(";\n");
        }
        if sqlite {
            script.push_str("COMMIT;\n");
        }
        conn.execute_script(&script)
            .await
            .with_context(|| format!("loading the base schema into {}", url.redacted()))?;
    }
    conn.close().await?;
    let load_seconds = started.elapsed().as_secs_f64();

    Ok(json!({
        "url": url.expose(),
        "statements": statements.len(),
        "load_seconds": load_seconds,
        "changed_tables": generated.changed_tables.len(),
        "model_files": generated.changed.len(),
    }))
}

/// A fresh database for one size: a file for SQLite, `autogen_bench_<size>_<pid>` on a server.
async fn create_database(
    dialect: Dialect,
    tables: usize,
    dir: &Path,
    server: Option<&str>,
) -> Result<DatabaseUrl> {
    if dialect == Dialect::Sqlite {
        let dir = std::fs::canonicalize(dir)?;
        let file = dir.join("bench.db");
        return Ok(DatabaseUrl::parse(&format!("sqlite://{}", file.display()))?);
    }
    let server = DatabaseUrl::parse(server.context("--server is required for this dialect")?)?;
    let name = format!("autogen_bench_{tables}_{}", std::process::id());
    let mut conn = Connection::connect(&server).await?;
    let (drop, create) = match dialect {
        Dialect::Postgres => (
            format!("DROP DATABASE IF EXISTS \"{name}\""),
            format!("CREATE DATABASE \"{name}\""),
        ),
        _ => (
            format!("DROP DATABASE IF EXISTS `{name}`"),
            format!("CREATE DATABASE `{name}`"),
        ),
    };
    conn.execute_script(&drop).await?;
    conn.execute_script(&create).await?;
    conn.close().await?;
    Ok(server.with_database(&name)?)
}

/// Drops what [`create_database`] made.
pub async fn drop_database(url: &str) -> Result<serde_json::Value> {
    let url = DatabaseUrl::parse(url)?;
    if let Some(path) = url.sqlite_path() {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
        return Ok(json!({ "dropped": path.display().to_string() }));
    }
    let name = url.database_name().context("the URL names no database")?;
    let server = match url.dialect() {
        Dialect::Postgres => url.with_database("postgres")?,
        // MySQL lets a session drop the database it is connected to.
        _ => url.clone(),
    };
    let sql = match url.dialect() {
        Dialect::Postgres => format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        _ => format!("DROP DATABASE IF EXISTS `{name}`"),
    };
    let mut conn = Connection::connect(&server).await?;
    conn.execute_script(&sql).await?;
    conn.close().await?;
    Ok(json!({ "dropped": name }))
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn toml_str(s: &str) -> String {
    // A TOML basic string has JSON's escapes.
    serde_json::Value::String(s.to_string()).to_string()
}

/// Reads MariaDB/MySQL's two table caches and, when `set` is given, sets both for the whole
/// server. Prints the values found before, so the caller can put them back.
pub async fn table_caches(url: &str, set: Option<(usize, usize)>) -> Result<serde_json::Value> {
    let url = DatabaseUrl::parse(url)?;
    let mut conn = Connection::connect(&url).await?;
    let Some(before) = server::table_caches(&mut conn).await? else {
        bail!(
            "table caches are a MariaDB/MySQL setting; {} is not",
            url.redacted()
        );
    };
    if let Some((open, definition)) = set {
        let to = TableCaches {
            open: open as u64,
            definition: definition as u64,
        };
        server::set_table_caches(&mut conn, to).await?;
    }
    conn.close().await?;
    Ok(json!({
        "table_open_cache": before.open,
        "table_definition_cache": before.definition,
    }))
}
