//! Schemas the database made, not autogen: tables created by raw SQL with constraints the server
//! names itself (unnamed PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK) must compare equal to the
//! equivalent models, whose names come from the naming convention; views are never read; and
//! `include_tables` / `exclude_tables` globs keep tables out of the comparison on both sides.
//! Each test runs on every dialect whose server is configured (SQLite always, where it applies).
// Setup failures should panic at the spot; these helpers are test code outside #[test] fns.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use autogen::config::{Config, UrlSource};
use autogen::ops;
use autogen::schema::Dialect;
use autogen::Project;
use autogen_tests::db::Scratch;

/// Models equivalent to [`raw_sql`]'s tables.
const MODELS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "parents")]
#[model(check(expr = "age >= 0"))]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    #[model(max_length = 20, unique)]
    pub code: Option<String>,
    pub age: Option<i32>,
}

#[derive(Model)]
#[model(table = "children")]
#[model(primary_key(columns("parent_id", "n")))]
#[model(unique(columns("n", "label")))]
pub struct Child {
    #[model(references = "parents.id")]
    pub parent_id: i64,
    pub n: i32,
    #[model(max_length = 30)]
    pub label: String,
}
"#;

/// The same tables written by hand, every constraint left for the server to name.
fn raw_sql(dialect: Dialect) -> String {
    let _ = dialect;
    let int8 = "bigint";
    format!(
        "CREATE TABLE parents (id {int8} NOT NULL PRIMARY KEY, code varchar(20) UNIQUE, age integer CHECK (age >= 0));
         CREATE TABLE children (parent_id {int8} NOT NULL, n integer NOT NULL, label varchar(30) NOT NULL,
             PRIMARY KEY (parent_id, n), UNIQUE (n, label), FOREIGN KEY (parent_id) REFERENCES parents (id));
         CREATE VIEW parent_codes AS SELECT id, code FROM parents;
         CREATE TABLE legacy_orders (id integer NOT NULL PRIMARY KEY);
         CREATE TABLE tmp_import_1 (id integer NOT NULL PRIMARY KEY)"
    )
}

fn project(dir: &Path, url: &str, config: Config) -> Project {
    std::fs::create_dir_all(dir.join("models")).unwrap();
    std::fs::create_dir_all(dir.join("revisions")).unwrap();
    std::fs::write(dir.join("models/models.rs"), MODELS).unwrap();
    Project::from_parts(dir, config, url, UrlSource::Override).unwrap()
}

async fn plan_descriptions(project: &Project) -> Vec<String> {
    let plan = ops::compare(
        &ops::Sources::project(project),
        &ops::SchemaSource::ProjectDatabase,
        &ops::SchemaSource::Models,
        &ops::CompareOptions::default(),
    )
    .await
    .unwrap();
    plan.changes.iter().map(|c| c.describe()).collect()
}

async fn on(dialect: Dialect) {
    let scratch = match Scratch::create(dialect).await {
        Ok(Some(s)) => s,
        Ok(None) => return,
        Err(e) => panic!("cannot create a scratch {dialect} database: {e}"),
    };
    let mut conn = scratch.connect().await.unwrap();
    conn.execute_script(&raw_sql(dialect)).await.unwrap();
    let _ = conn.close().await;
    let url = scratch.url().expose().to_string();

    // The view is never read, whatever the filters.
    let dir = tempfile::tempdir().unwrap();
    let p = project(
        dir.path(),
        &url,
        Config {
            models: vec!["models/*.rs".into()],
            ..Config::default()
        },
    );
    let mut conn = p.connect().await.unwrap();
    let schema = ops::introspect(&p, &mut conn).await.unwrap();
    let _ = conn.close().await;
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["children", "legacy_orders", "parents", "tmp_import_1"],
        "{dialect}: introspection must list base tables only"
    );

    // Without filters the two extra tables would be dropped; server-chosen constraint names
    // are not differences. (SQLite keeps no names for inline constraints at all.)
    let changes = plan_descriptions(&p).await;
    assert_eq!(
        changes,
        ["drop table tmp_import_1", "drop table legacy_orders"],
        "{dialect}: server-named constraints must match the models by content"
    );

    // exclude_tables globs leave them alone.
    let dir = tempfile::tempdir().unwrap();
    let p = project(
        dir.path(),
        &url,
        Config {
            models: vec!["models/*.rs".into()],
            exclude_tables: vec!["legacy_*".into(), "tmp_import_?".into()],
            ..Config::default()
        },
    );
    assert_eq!(
        plan_descriptions(&p).await,
        Vec::<String>::new(),
        "{dialect}: exclude_tables"
    );

    // include_tables: only matching tables are managed, on both sides; the model of an
    // unmanaged table (children) is ignored rather than created or reported.
    let dir = tempfile::tempdir().unwrap();
    let p = project(
        dir.path(),
        &url,
        Config {
            models: vec!["models/*.rs".into()],
            include_tables: vec!["par*".into()],
            ..Config::default()
        },
    );
    assert_eq!(
        plan_descriptions(&p).await,
        Vec::<String>::new(),
        "{dialect}: include_tables"
    );
    // `autogen diff URL models` in the same project filters both sides alike.
    let side = ops::SchemaSource::parse(&url, dir.path()).unwrap();
    let config = Config {
        models: vec!["models/*.rs".into()],
        include_tables: vec!["par*".into()],
        ..Config::default()
    };
    let found = ops::diff::diff(
        &ops::Sources::folder(dir.path(), Some(&config)),
        &side,
        &ops::SchemaSource::Models,
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        found
            .changes
            .iter()
            .map(|c| c.describe())
            .collect::<Vec<_>>(),
        Vec::<String>::new(),
        "{dialect}: include_tables in `autogen diff`"
    );

    scratch.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_made_schema_sqlite() {
    on(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_made_schema_postgres() {
    on(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_made_schema_mysql() {
    on(Dialect::Mysql).await;
}
