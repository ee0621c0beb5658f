//! What the round trips share: which rows must survive a change (following declared renames),
//! reading them back, and asking autogenerate whether a database still differs from models.

use std::path::Path;

use autogen::config::{Config, UrlSource};
use autogen::ops;
use autogen::schema::{ColumnType, RenameHints, Schema};
use autogen::Project;

use autogen::ops::diff::diff;
use autogen::ops::{SchemaSource, Sources};
use autogen::schema::Dialect;
use autogen::sql::Statement;

use crate::db::{snapshot, Scratch};

pub type Rows = Vec<(String, Vec<String>)>;

/// One table whose rows must survive: its name and columns before the change (`old`) and after
/// it (`new`), which differ only where a rename is declared.
pub struct Kept {
    pub old_table: String,
    pub old_columns: Vec<String>,
    pub new_table: String,
    pub new_columns: Vec<String>,
}

/// The columns whose values must survive the change: present on both sides (following the
/// declared table and column renames) with the same type and, for generated columns, the same
/// definition.
pub fn kept_columns(a: &Schema, b: &Schema, renames: &RenameHints) -> Vec<Kept> {
    let mut out = Vec::new();
    for ta in &a.tables {
        let new_table = renames
            .tables
            .iter()
            .find(|r| r.from == ta.name && b.table(&r.to).is_some())
            .map_or(ta.name.as_str(), |r| r.to.as_str());
        let Some(tb) = b.table(new_table) else {
            continue;
        };
        let mut kept = Kept {
            old_table: ta.name.clone(),
            old_columns: Vec::new(),
            new_table: tb.name.clone(),
            new_columns: Vec::new(),
        };
        for ca in &ta.columns {
            let new_col = renames
                .columns
                .iter()
                .find(|r| r.table == tb.name && r.from == ca.name && tb.column(&r.to).is_some())
                .map_or(ca.name.as_str(), |r| r.to.as_str());
            // A generated column whose definition changes computes other values.
            if tb
                .column(new_col)
                .is_some_and(|cb| same_values(&ca.ty, &cb.ty) && ca.generated == cb.generated)
            {
                kept.old_columns.push(ca.name.clone());
                kept.new_columns.push(new_col.to_string());
            }
        }
        out.push(kept);
    }
    out
}

/// Whether a column's values read the same under both types. An enum whose values change keeps
/// the rows that use values present on both sides, and seeds use only those.
pub fn same_values(a: &ColumnType, b: &ColumnType) -> bool {
    match (a, b) {
        (ColumnType::Enum { name: na, .. }, ColumnType::Enum { name: nb, .. }) => na == nb,
        _ => a == b,
    }
}

/// The kept rows, read under the old names (`new == false`) or the new ones.
pub async fn rows(project: &Project, kept: &[Kept], new: bool) -> Result<Rows, String> {
    let mut conn = project.connect().await.map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for k in kept {
        let (table, cols) = if new {
            (&k.new_table, &k.new_columns)
        } else {
            (&k.old_table, &k.old_columns)
        };
        out.push((k.old_table.clone(), snapshot(&mut conn, table, cols).await?));
    }
    let _ = conn.close().await;
    Ok(out)
}

/// Fails when the database differs from `models`: autogenerate's own comparison finds nothing.
pub async fn expect_no_changes(
    project: &Project,
    models_src: &str,
    what: &str,
) -> Result<(), String> {
    write_models(project, models_src)?;
    let plan = ops::compare(
        &ops::Sources::project(project),
        &ops::SchemaSource::ProjectDatabase,
        &ops::SchemaSource::Models,
        &ops::CompareOptions::default(),
    )
    .await
    .map_err(|e| e.to_string())?;
    if !plan.is_empty() {
        let changes: Vec<String> = plan.changes.iter().map(|c| format!("  {c:?}")).collect();
        return Err(format!(
            "{what}: autogenerate still finds changes:\n{}",
            changes.join("\n")
        ));
    }
    Ok(())
}

pub fn write_models(project: &Project, src: &str) -> Result<(), String> {
    let path = project.root.join("models/models.rs");
    std::fs::write(&path, src).map_err(|e| format!("{}: {e}", path.display()))
}

/// A project in `dir` against the database at `url`, with empty `models/` and `revisions/`
/// folders and the models read from `models/*.rs` (write them with [`write_models`]). Panics on
/// a folder it cannot create: a test cannot go on without it.
pub fn project(dir: &Path, url: &str) -> Project {
    for folder in ["models", "revisions"] {
        let path = dir.join(folder);
        if let Err(e) = std::fs::create_dir_all(&path) {
            panic!("{}: {e}", path.display());
        }
    }
    let config = Config {
        models: vec!["models/*.rs".into()],
        ..Config::default()
    };
    Project::from_parts(dir, config, url, UrlSource::Override)
        .unwrap_or_else(|e| panic!("a project in {}: {e}", dir.display()))
}

/// [`project`] with `models` written to `models/models.rs`.
pub fn project_with_models(dir: &Path, url: &str, models: &str) -> Project {
    let p = project(dir, url);
    if let Err(e) = write_models(&p, models) {
        panic!("{e}");
    }
    p
}

/// The changes (described) and SQL that bring the project's database to its models, or back
/// from them with `reverse`.
pub async fn plan(p: &Project, reverse: bool) -> (Vec<String>, Vec<Statement>) {
    let d = diff(
        &Sources::project(p),
        &SchemaSource::ProjectDatabase,
        &SchemaSource::Models,
        reverse,
    )
    .await
    .unwrap_or_else(|e| panic!("diff: {e}"));
    (
        d.changes.iter().map(|c| c.describe()).collect(),
        d.statements,
    )
}

/// Runs `statements` one by one on `db`, foreign keys off on SQLite (as the runner and the
/// `sqlite3` shell have them); panics naming the statement that fails.
pub async fn run_statements(db: &Scratch, statements: &[Statement]) {
    let mut conn = db.connect().await.unwrap_or_else(|e| panic!("{e}"));
    if conn.dialect() == Dialect::Sqlite {
        if let Err(e) = conn.execute_script("PRAGMA foreign_keys = OFF").await {
            panic!("PRAGMA foreign_keys = OFF: {e}");
        }
    }
    for s in statements {
        if let Err(e) = conn.execute_script(&s.sql).await {
            panic!("{}: {e}", s.sql);
        }
    }
    let _ = conn.close().await;
}

/// A project in `dir` against `url` whose tables are `models` (`models/models.rs`) and whose
/// other objects are `sql` (`schema/objects.sql`, the `schema_files`), managing the kinds
/// `manage` names besides those the file declares. Panics on a folder or file it cannot write.
pub fn objects_project(dir: &Path, url: &str, models: &str, sql: &str, manage: &[&str]) -> Project {
    for folder in ["models", "revisions", "schema"] {
        let path = dir.join(folder);
        if let Err(e) = std::fs::create_dir_all(&path) {
            panic!("{}: {e}", path.display());
        }
    }
    for (file, text) in [("models/models.rs", models), ("schema/objects.sql", sql)] {
        if let Err(e) = std::fs::write(dir.join(file), text) {
            panic!("{file}: {e}");
        }
    }
    let config = Config {
        models: vec!["models/*.rs".into()],
        schema_files: vec!["schema/*.sql".into()],
        manage: manage.iter().map(|s| s.to_string()).collect(),
        ..Config::default()
    };
    Project::from_parts(dir, config, url, UrlSource::Override)
        .unwrap_or_else(|e| panic!("a project in {}: {e}", dir.display()))
}

/// After an upgrade: `check` is in sync and a second autogenerate writes nothing (panics
/// otherwise, naming `when`).
pub async fn in_sync(p: &Project, when: &str) {
    let dialect = p.dialect();
    let report = ops::check::check(p, &ops::check::CheckOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{dialect} {when}: check: {e}"));
    let left: Vec<String> = report.changes.iter().map(|c| c.describe()).collect();
    assert!(
        report.in_sync(),
        "{dialect} {when}: still to do {left:?}\n{:#?}",
        report.changes
    );
    let again = ops::autogenerate(p, "again")
        .await
        .unwrap_or_else(|e| panic!("{dialect} {when}: autogenerate: {e}"));
    assert!(
        matches!(again, ops::Autogenerated::NoChanges),
        "{dialect} {when}: a second autogenerate wrote something"
    );
}

/// After a downgrade: the database equals what the models and files describe again, the
/// downgraded revision pending (so `check` itself reports drift).
pub async fn back_to(p: &Project, when: &str) {
    let dialect = p.dialect();
    let report = ops::check::check(p, &ops::check::CheckOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{dialect} {when}: check: {e}"));
    let left: Vec<String> = report.changes.iter().map(|c| c.describe()).collect();
    assert!(left.is_empty(), "{dialect} {when}: still differs: {left:?}");
    assert!(!report.status.pending.is_empty(), "{dialect} {when}");
}

/// `N rows` of `table`.
pub async fn count(conn: &mut autogen::db::Connection, table: &str) -> String {
    snapshot(conn, table, &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .join("")
}

/// A scratch database built by raw SQL and a project folder beside it, for the tests that change
/// the models step by step and run the planned SQL themselves instead of writing revisions
/// (adopting a hand-made schema, then changing it and changing it back). Every helper panics on
/// a failure, naming what failed: a test cannot go on without it.
pub struct Steps {
    pub db: Scratch,
    url: String,
    dir: tempfile::TempDir,
}

/// One planned change: the project holding the new models, the changes described, and the SQL
/// that makes them (`up`) and undoes them (`down`).
pub struct Planned {
    pub project: Project,
    pub changes: Vec<String>,
    pub up: Vec<Statement>,
    pub down: Vec<Statement>,
}

impl Steps {
    /// A fresh database for `dialect` with `sql` run in it, or `None` when the dialect's server
    /// is not configured (the skip is printed by [`Scratch::create`]).
    pub async fn start(dialect: Dialect, sql: &str) -> Option<Steps> {
        let db = match Scratch::create(dialect).await {
            Ok(Some(db)) => db,
            Ok(None) => return None,
            Err(e) => panic!("cannot create a scratch {dialect} database: {e}"),
        };
        let url = db.url().expose().to_string();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a project folder: {e}"));
        let steps = Steps { db, url, dir };
        if !sql.is_empty() {
            steps.script(sql).await.unwrap_or_else(|e| panic!("{e}"));
        }
        Some(steps)
    }

    /// The project, its models now `models`.
    pub fn project(&self, models: &str) -> Project {
        project_with_models(self.dir.path(), &self.url, models)
    }

    /// Asserts that the database is what `models` describe (`what` names the step).
    pub async fn assert_matches(&self, models: &str, what: &str) {
        let p = self.project(models);
        assert_eq!(plan(&p, false).await.0, Vec::<String>::new(), "{what}");
    }

    /// The change from the database to `models`, both ways.
    pub async fn plan_to(&self, models: &str) -> Planned {
        let project = self.project(models);
        let (changes, up) = plan(&project, false).await;
        let (_, down) = plan(&project, true).await;
        Planned {
            project,
            changes,
            up,
            down,
        }
    }

    /// Runs the change's upgrade and asserts that the database then is what its models describe
    /// (`what` names the step).
    pub async fn upgrade(&self, change: &Planned, what: &str) {
        run_statements(&self.db, &change.up).await;
        assert_eq!(
            plan(&change.project, false).await.0,
            Vec::<String>::new(),
            "{what}"
        );
    }

    /// Runs the change's downgrade (the caller checks where it lands).
    pub async fn downgrade(&self, change: &Planned) {
        run_statements(&self.db, &change.down).await;
    }

    /// Runs `sql` as one script.
    pub async fn script(&self, sql: &str) -> Result<(), String> {
        let mut conn = self.connect().await;
        let r = conn.execute_script(sql).await.map_err(|e| e.to_string());
        let _ = conn.close().await;
        r
    }

    /// The rows of `table` projected on `columns` (see [`snapshot`]).
    pub async fn rows(&self, table: &str, columns: &[&str]) -> Vec<String> {
        let mut conn = self.connect().await;
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let r = snapshot(&mut conn, table, &columns)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = conn.close().await;
        r
    }

    /// SQLite: `sqlite_master.sql` of `table`, whitespace folded, lowercased.
    pub async fn sqlite_create(&self, table: &str) -> String {
        let mut conn = self.connect().await;
        let autogen::db::Connection::Sqlite(c) = &mut conn else {
            panic!("not SQLite")
        };
        let sql: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = ?")
            .bind(table)
            .fetch_one(&mut *c)
            .await
            .unwrap_or_else(|e| panic!("sqlite_master of {table}: {e}"));
        let _ = conn.close().await;
        sql.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase()
    }

    /// MySQL/MariaDB: `SHOW CREATE TABLE` of `table`.
    pub async fn show_create(&self, table: &str) -> String {
        let mut conn = self.connect().await;
        let autogen::db::Connection::Mysql(c) = &mut conn else {
            panic!("not MySQL")
        };
        let (_, sql): (String, String) = sqlx::query_as(&format!("SHOW CREATE TABLE `{table}`"))
            .fetch_one(&mut *c)
            .await
            .unwrap_or_else(|e| panic!("SHOW CREATE TABLE {table}: {e}"));
        let _ = conn.close().await;
        sql
    }

    /// A connection to the database.
    pub async fn connect(&self) -> autogen::db::Connection {
        self.db.connect().await.unwrap_or_else(|e| panic!("{e}"))
    }

    /// Drops the database (server dialects) and the project folder.
    pub async fn finish(self) {
        self.db.drop_now().await;
    }
}
