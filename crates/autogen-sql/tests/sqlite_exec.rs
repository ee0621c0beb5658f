//! Runs rendered SQLite SQL on a real (in-memory) SQLite database: rebuilds keep every row, and
//! hostile identifiers neither break nor inject into the SQL.

mod common;

use autogen_diff::Change;
use autogen_schema::{Column, ColumnType, DefaultValue, Dialect, Schema, Table};
use autogen_sql::{canonicalize, render, render_create_schema, Statement};
use common::*;
use sqlx::{Connection, Row, SqliteConnection};

async fn connect() -> SqliteConnection {
    match SqliteConnection::connect("sqlite::memory:").await {
        Ok(c) => c,
        Err(e) => panic!("cannot open in-memory SQLite: {e}"),
    }
}

async fn exec(conn: &mut SqliteConnection, sql: &str) {
    if let Err(e) = sqlx::query(sql).execute(&mut *conn).await {
        panic!("statement failed: {e}\n{sql}");
    }
}

/// Runs statements the way the runner does: foreign keys off around one transaction, and a
/// foreign-key check before commit.
async fn run_migration(conn: &mut SqliteConnection, stmts: &[Statement]) {
    exec(conn, "PRAGMA foreign_keys = OFF").await;
    exec(conn, "BEGIN").await;
    for s in stmts {
        exec(conn, &s.sql).await;
    }
    let violations = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *conn)
        .await
        .map(|rows| rows.len())
        .unwrap_or(usize::MAX);
    assert_eq!(violations, 0, "foreign key violations after migration");
    exec(conn, "COMMIT").await;
    exec(conn, "PRAGMA foreign_keys = ON").await;
}

async fn strings(conn: &mut SqliteConnection, sql: &str) -> Vec<String> {
    match sqlx::query(sql).fetch_all(&mut *conn).await {
        Ok(rows) => rows
            .iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        r.try_get::<Option<String>, _>(i)
                            .ok()
                            .flatten()
                            .or_else(|| {
                                r.try_get::<Option<i64>, _>(i)
                                    .ok()
                                    .flatten()
                                    .map(|n| n.to_string())
                            })
                            .unwrap_or_else(|| "NULL".into())
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect(),
        Err(e) => panic!("query failed: {e}\n{sql}"),
    }
}

fn must<T>(r: Result<T, autogen_sql::RenderError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("render failed: {e}"),
    }
}

#[tokio::test]
async fn rebuild_keeps_rows_and_installs_the_new_definition() {
    let schema = canonicalize(Dialect::Sqlite, &users_schema());
    let mut conn = connect().await;
    exec(&mut conn, "PRAGMA foreign_keys = ON").await;
    for s in must(render_create_schema(Dialect::Sqlite, &schema)) {
        exec(&mut conn, &s.sql).await;
    }
    exec(
        &mut conn,
        "INSERT INTO orgs (name) VALUES ('acme'), ('globex')",
    )
    .await;
    exec(
        &mut conn,
        "INSERT INTO users (org_id, email, bio, age) VALUES \
         (1, 'a@x', 'hello', 30), (2, 'b@x', NULL, 41), (1, 'c@x', 'it''s', 7)",
    )
    .await;

    let users = schema.tables[1].clone();
    let age = users
        .column("age")
        .cloned()
        .unwrap_or_else(|| col("age", int()));
    let bio = users
        .column("bio")
        .cloned()
        .unwrap_or_else(|| col("bio", int()));
    let changes = vec![
        Change::AlterColumn {
            table: "users".into(),
            from: age.clone(),
            to: Column {
                ty: ColumnType::Text,
                ..age
            },
        },
        Change::AddCheck {
            table: "users".into(),
            check: check("ck_users_age", "age <> ''"),
        },
        Change::DropColumn {
            table: "users".into(),
            column: bio,
        },
        Change::AddColumn {
            table: "users".into(),
            column: with_default(
                col(
                    "joined",
                    ColumnType::Timestamp {
                        with_time_zone: false,
                    },
                ),
                DefaultValue::CurrentTimestamp,
            ),
        },
    ];
    let stmts = must(render(Dialect::Sqlite, &schema, &changes));
    assert_eq!(
        stmts
            .iter()
            .filter(|s| s.sql.starts_with("CREATE TABLE"))
            .count(),
        1
    );
    run_migration(&mut conn, &stmts).await;

    assert_eq!(
        strings(
            &mut conn,
            "SELECT id, org_id, email, age, typeof(age) FROM users ORDER BY id"
        )
        .await,
        ["1|1|a@x|30|text", "2|2|b@x|41|text", "3|1|c@x|7|text"]
    );
    let joined = strings(
        &mut conn,
        "SELECT count(*) FROM users WHERE joined IS NOT NULL",
    )
    .await;
    assert_eq!(joined, ["3"]);
    // SQLite 3.37+ reports the standard names (INTEGER, TEXT, ...) in upper case; parse_type
    // folds case, so compare folded.
    let cols = strings(
        &mut conn,
        "SELECT name || ':' || lower(type) FROM pragma_table_info('users')",
    )
    .await;
    assert_eq!(
        cols,
        [
            "id:integer",
            "org_id:bigint",
            "email:varchar(255)",
            "age:text",
            "joined:timestamp"
        ]
    );
    // The index, the check, the unique constraint and the foreign key survived or arrived.
    let indexes = strings(
        &mut conn,
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' ORDER BY name",
    )
    .await;
    assert_eq!(indexes, ["ix_users_org_id", "sqlite_autoindex_users_1"]);
    let bad_check = sqlx::query("INSERT INTO users (org_id, email, age) VALUES (1, 'd@x', '')")
        .execute(&mut conn)
        .await;
    assert!(bad_check.is_err(), "the new CHECK is in place");
    let bad_fk = sqlx::query("INSERT INTO users (org_id, email, age) VALUES (9, 'e@x', '1')")
        .execute(&mut conn)
        .await;
    assert!(bad_fk.is_err(), "the foreign key is in place");
    // AUTOINCREMENT carried on: the next id follows the copied rows.
    exec(
        &mut conn,
        "INSERT INTO users (org_id, email, age) VALUES (2, 'f@x', '5')",
    )
    .await;
    assert_eq!(strings(&mut conn, "SELECT max(id) FROM users").await, ["4"]);
    // No temporary table is left behind.
    let leftovers = strings(
        &mut conn,
        "SELECT name FROM sqlite_master WHERE name LIKE '_autogen_new_%'",
    )
    .await;
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn hostile_identifiers_execute_and_round_trip() {
    let weird = "we\"ird";
    let names = [
        "sel`ect",
        "Ünïcode",
        "order",
        "a'b",
        "x\"; DROP TABLE t; --",
    ];
    let mut t = Table::new(weird);
    t.columns = vec![Column {
        auto_increment: true,
        ..col("id", int())
    }];
    t.columns
        .extend(names.iter().map(|n| nullable(n, ColumnType::Text)));
    t.primary_key = Some(pk("pk \"weird\"", &["id"]));
    t.indexes = vec![index("ix\"; DROP TABLE t; --", &["order", "Ünïcode"])];
    t.unique_constraints = vec![unique("uq 'it'", &["a'b"])];
    t.checks = vec![check("ck \"order\"", "\"order\" <> 'drop'")];
    let victim = Table {
        columns: vec![col("id", int())],
        ..Table::new("t")
    };
    let schema = Schema {
        tables: vec![victim, t.clone()],
        enums: vec![],
        objects: Vec::new(),
    };

    let mut conn = connect().await;
    for s in must(render_create_schema(Dialect::Sqlite, &schema)) {
        exec(&mut conn, &s.sql).await;
    }
    exec(
        &mut conn,
        "INSERT INTO \"we\"\"ird\" (\"sel`ect\", \"Ünïcode\", \"order\", \"a'b\") VALUES ('1', 'ü', 'o', 'q')",
    )
    .await;

    let changes = vec![
        Change::RenameColumn {
            table: weird.into(),
            from: "order".into(),
            to: "group by".into(),
        },
        Change::DropColumn {
            table: weird.into(),
            column: nullable("sel`ect", ColumnType::Text),
        },
        Change::AddColumn {
            table: weird.into(),
            column: with_default(
                col("it's", ColumnType::Text),
                DefaultValue::String("'); DROP TABLE t; --".into()),
            ),
        },
        Change::RenameTable {
            from: weird.into(),
            to: "wé\"ird 2".into(),
        },
    ];
    let stmts = must(render(Dialect::Sqlite, &schema, &changes));
    run_migration(&mut conn, &stmts).await;

    let cols = strings(&mut conn, "SELECT name FROM pragma_table_info('wé\"ird 2')").await;
    assert_eq!(
        cols,
        [
            "id",
            "Ünïcode",
            "group by",
            "a'b",
            "x\"; DROP TABLE t; --",
            "it's"
        ]
    );
    let row = strings(
        &mut conn,
        "SELECT \"Ünïcode\", \"group by\", \"a'b\", \"it's\" FROM \"wé\"\"ird 2\"",
    )
    .await;
    assert_eq!(row, ["ü|o|q|'); DROP TABLE t; --"]);
    let tables = strings(
        &mut conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    )
    .await;
    assert_eq!(tables, ["sqlite_sequence", "t", "wé\"ird 2"]);
    let indexes = strings(
        &mut conn,
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
    )
    .await;
    assert_eq!(indexes, ["ix\"; DROP TABLE t; --"]);
}

#[tokio::test]
async fn rebuilding_a_referenced_self_referencing_table_keeps_child_rows() {
    let mut schema = canonicalize(Dialect::Sqlite, &users_schema());
    // orgs gets a self reference (parent_id -> orgs.id).
    let orgs = &mut schema.tables[0];
    orgs.columns.push(nullable("parent_id", bigint()));
    orgs.foreign_keys.push(fk(
        "fk_orgs_parent_id_orgs",
        &["parent_id"],
        "orgs",
        &["id"],
    ));
    let mut conn = connect().await;
    exec(&mut conn, "PRAGMA foreign_keys = ON").await;
    for s in must(render_create_schema(Dialect::Sqlite, &schema)) {
        exec(&mut conn, &s.sql).await;
    }
    exec(
        &mut conn,
        "INSERT INTO orgs (name, parent_id) VALUES ('acme', NULL), ('sub', 1)",
    )
    .await;
    exec(
        &mut conn,
        "INSERT INTO users (org_id, email) VALUES (1, 'a@x'), (2, 'b@x')",
    )
    .await;

    let name = schema.tables[0]
        .column("name")
        .cloned()
        .unwrap_or_else(|| col("name", int()));
    let changes = vec![Change::AlterColumn {
        table: "orgs".into(),
        from: name.clone(),
        to: Column {
            ty: varchar(100),
            ..name
        },
    }];
    run_migration(&mut conn, &must(render(Dialect::Sqlite, &schema, &changes))).await;

    // ON DELETE CASCADE did not fire when the old orgs table was dropped.
    assert_eq!(
        strings(&mut conn, "SELECT count(*) FROM users").await,
        ["2"]
    );
    assert_eq!(
        strings(
            &mut conn,
            "SELECT id, name, parent_id FROM orgs ORDER BY id"
        )
        .await,
        ["1|acme|NULL", "2|sub|1"]
    );
    // The references point at the rebuilt table and still cascade.
    exec(&mut conn, "DELETE FROM orgs WHERE id = 2").await;
    assert_eq!(strings(&mut conn, "SELECT email FROM users").await, ["a@x"]);
    let sql = strings(
        &mut conn,
        "SELECT sql FROM sqlite_master WHERE name = 'orgs'",
    )
    .await;
    assert!(sql[0].contains("REFERENCES \"orgs\" (\"id\")"), "{sql:?}");
}

/// The differ orders changes by phase across tables; each table is still rebuilt once, and the
/// downgrade (rendered from the upgraded schema) brings the old definition and the rows back.
#[tokio::test]
async fn differ_output_rebuilds_each_table_once_and_downgrades() {
    use autogen_diff::{diff, downgrade, DiffOptions};
    let from = canonicalize(Dialect::Sqlite, &users_schema());
    let mut to = from.clone();
    {
        let orgs = &mut to.tables[0];
        orgs.checks.push(check("ck_orgs_name", "name <> ''"));
        orgs.columns.push(nullable("slug", varchar(40)));
        let users = &mut to.tables[1];
        users.columns.retain(|c| c.name != "bio");
        if let Some(age) = users.columns.iter_mut().find(|c| c.name == "age") {
            age.ty = bigint();
            age.nullable = true;
        }
        users
            .unique_constraints
            .push(unique("uq_users_org_id_email", &["org_id", "email"]));
        users.indexes.push(index("ix_users_age", &["age"]));
    }
    let changes = match diff(&from, &to, &DiffOptions::default()) {
        Ok(c) => c,
        Err(e) => panic!("diff failed: {e}"),
    };
    let up = must(render(Dialect::Sqlite, &from, &changes));
    let rebuilt: Vec<&str> = up
        .iter()
        .filter(|s| s.sql.starts_with("CREATE TABLE \"_autogen_new_"))
        .map(|s| s.sql.lines().next().unwrap_or_default())
        .collect();
    assert_eq!(
        rebuilt,
        [
            "CREATE TABLE \"_autogen_new_orgs\" (",
            "CREATE TABLE \"_autogen_new_users\" ("
        ],
        "{}",
        text(&up)
    );

    let mut conn = connect().await;
    for s in must(render_create_schema(Dialect::Sqlite, &from)) {
        exec(&mut conn, &s.sql).await;
    }
    exec(&mut conn, "INSERT INTO orgs (name) VALUES ('acme')").await;
    exec(
        &mut conn,
        "INSERT INTO users (org_id, email, bio, age) VALUES (1, 'a@x', 'hi', 1), (1, 'b@x', NULL, 2)",
    )
    .await;
    run_migration(&mut conn, &up).await;
    assert_eq!(
        strings(&mut conn, "SELECT email, age FROM users ORDER BY id").await,
        ["a@x|1", "b@x|2"]
    );

    // Downgrade: bio comes back empty (its data is gone), everything else as before.
    let down_changes = downgrade(&changes);
    let down = must(render(Dialect::Sqlite, &to, &down_changes));
    // SQLite keeps every value through a type change: no narrowing warning.
    assert!(!text(&down).contains("narrows"), "{}", text(&down));
    run_migration(&mut conn, &down).await;
    assert_eq!(
        strings(&mut conn, "SELECT email, bio, age FROM users ORDER BY id").await,
        ["a@x|NULL|1", "b@x|NULL|2"]
    );
    let cols = strings(&mut conn, "SELECT name FROM pragma_table_info('users')").await;
    assert_eq!(cols, ["id", "org_id", "email", "age", "bio"]);
    let sql = strings(
        &mut conn,
        "SELECT sql FROM sqlite_master WHERE name = 'orgs'",
    )
    .await;
    assert!(!sql[0].contains("ck_orgs_name"), "{sql:?}");
}
