//! Runs rendered SQL on real PostgreSQL and MySQL/MariaDB servers (when their URLs are set, see
//! `autogen_testkit`): a schema with hostile identifiers is created, filled, altered, and
//! its rows survive. One test body loops over the server dialects.

mod common;

use autogen_db::Connection;
use autogen_diff::Change;
use autogen_schema::{Check, Column, ColumnType, DefaultValue, Dialect, EnumType, Schema, Table};
use autogen_sql::{canonicalize, quote_ident, render, render_create_schema, Statement};
use autogen_testkit::ScratchDatabase;
use common::*;

const WEIRD: &str = "we\"ird `t`";

fn hostile_schema(dialect: Dialect) -> Schema {
    let mut s = users_schema();
    let mut t = Table::new(WEIRD);
    t.columns = vec![
        Column {
            auto_increment: true,
            ..col("id", bigint())
        },
        nullable("sel`ect", ColumnType::Text),
        nullable("Ünïcode", varchar(20)),
        with_default(col("order", int()), DefaultValue::Number("1".into())),
        with_default(
            col("it's", varchar(60)),
            DefaultValue::String("'); DROP TABLE orgs; -- \\".into()),
        ),
        nullable(
            "mood",
            ColumnType::Enum {
                name: "mood \"x\"".into(),
                values: vec!["ok".into(), "it's".into()],
            },
        ),
    ];
    t.primary_key = Some(pk("pk \"weird\"", &["id"]));
    t.comment = Some("a 'hostile' table \\".into());
    t.indexes = vec![index("ix \"order\"", &["order", "Ünïcode"])];
    t.checks = vec![check(
        "ck `order`",
        &format!("{} > 0", quote_ident(dialect, "order")),
    )];
    s.tables.push(t);
    s.enums.push(EnumType {
        name: "mood \"x\"".into(),
        values: vec!["ok".into(), "it's".into()],
    });
    canonicalize(dialect, &s)
}

async fn run(conn: &mut Connection, stmts: &[Statement]) {
    for s in stmts {
        if let Err(e) = conn.execute_script(&s.sql).await {
            panic!("statement failed: {e}\n{}", s.sql);
        }
    }
}

async fn count(conn: &mut Connection, sql: &str) -> i64 {
    let got = match conn {
        Connection::Postgres(c) => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await,
        Connection::Mysql(c) => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await,
        Connection::Sqlite(c) => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await,
    };
    match got {
        Ok(n) => n,
        Err(e) => panic!("query failed: {e}\n{sql}"),
    }
}

fn must<T>(r: Result<T, autogen_sql::RenderError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("render failed: {e}"),
    }
}

async fn exercise(dialect: Dialect) {
    let scratch = match ScratchDatabase::from_env(dialect).await {
        Ok(Some(s)) => s,
        Ok(None) => return,
        Err(e) => panic!("cannot create a scratch database: {e}"),
    };
    let mut conn = match scratch.connect().await {
        Ok(c) => c,
        Err(e) => panic!("cannot connect: {e}"),
    };
    let q = |s: &str| quote_ident(dialect, s);
    let schema = hostile_schema(dialect);
    run(&mut conn, &must(render_create_schema(dialect, &schema))).await;
    run(
        &mut conn,
        &[
            Statement::new("INSERT INTO orgs (name) VALUES ('acme')"),
            Statement::new("INSERT INTO users (org_id, email, bio, age) VALUES (1, 'a@x', 'hi', 3), (1, 'b@x', NULL, 4)"),
            Statement::new(format!(
                    "INSERT INTO {} ({}, {}, {}) VALUES ('s', 'ü', 'ok'), ('t', 'ö', NULL)",
                    q(WEIRD),
                    q("sel`ect"),
                    q("Ünïcode"),
                    q("mood")
                )),
        ],
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
    let weird = schema.tables[2].clone();
    let order = weird
        .column("order")
        .cloned()
        .unwrap_or_else(|| col("order", int()));
    let mut changes = vec![
        Change::AlterColumn {
            table: "users".into(),
            from: age.clone(),
            to: Column {
                ty: bigint(),
                nullable: true,
                default: None,
                comment: Some("years".into()),
                ..age
            },
        },
        Change::AddCheck {
            table: "users".into(),
            check: check("ck_users_age", "age >= 0"),
        },
        Change::DropColumn {
            table: "users".into(),
            column: bio,
        },
        Change::AddUnique {
            table: "users".into(),
            unique: unique("uq_users_org_id_email", &["org_id", "email"]),
        },
        Change::DropForeignKey {
            table: "users".into(),
            foreign_key: users.foreign_keys[0].clone(),
        },
        Change::AlterPrimaryKey {
            table: "users".into(),
            from: users.primary_key.clone(),
            to: Some(pk("pk_users", &["id", "email"])),
        },
        // The check reads the column as a number: it goes before the type change.
        Change::DropCheck {
            table: WEIRD.into(),
            check: weird.checks[0].clone(),
        },
        Change::AlterColumn {
            table: WEIRD.into(),
            from: order.clone(),
            to: Column {
                ty: varchar(30),
                default: Some(DefaultValue::String("1".into())),
                ..order
            },
        },
        Change::RenameColumn {
            table: WEIRD.into(),
            from: "order".into(),
            to: "group by".into(),
        },
        Change::DropIndex {
            table: WEIRD.into(),
            index: weird.indexes[0].clone(),
        },
        Change::AddIndex {
            table: WEIRD.into(),
            index: index("ix \"group\"", &["group by"]),
        },
        Change::AlterTableComment {
            table: WEIRD.into(),
            from: weird.comment.clone(),
            to: Some("ok".into()),
        },
        Change::RenameTable {
            from: WEIRD.into(),
            to: "wé`ird\" 2".into(),
        },
    ];
    if dialect == Dialect::Postgres {
        let from = schema.enums[0].clone();
        changes.push(Change::AlterEnum {
            from: from.clone(),
            to: EnumType {
                values: vec!["ok".into()],
                ..from
            },
        });
    }
    let stmts = must(render(dialect, &schema, &changes));
    run(&mut conn, &stmts).await;

    assert_eq!(
        count(&mut conn, "SELECT count(*) FROM users WHERE age IN (3, 4)").await,
        2
    );
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) FROM {} WHERE {} = '1' AND {} = '''); DROP TABLE orgs; -- {}'",
                q("wé`ird\" 2"),
                q("group by"),
                q("it's"),
                if dialect == Dialect::Mysql {
                    "\\\\"
                } else {
                    "\\"
                }
            )
        )
        .await,
        2
    );
    assert_eq!(count(&mut conn, "SELECT count(*) FROM orgs").await, 1);
    if let Err(e) = conn.close().await {
        panic!("close: {e}");
    }
    if let Err(e) = scratch.drop_now().await {
        panic!("drop scratch database: {e}");
    }
}

#[tokio::test]
async fn rendered_sql_runs_on_servers_and_keeps_rows() {
    for dialect in [Dialect::Postgres, Dialect::Mysql] {
        exercise(dialect).await;
    }
}

#[test]
fn nameless_check_is_found_in_the_starting_schema() {
    // Guards the DropCheck lookup used above: the state's name wins over a nameless change.
    let mut s = users_schema();
    s.tables[1].checks.push(check("ck_named", "age > 1"));
    let got = render(
        Dialect::Postgres,
        &s,
        &[Change::DropCheck {
            table: "users".into(),
            check: Check {
                name: None,
                expression: "age > 1".into(),
            },
        }],
    );
    assert_eq!(
        got.map(|v| text(&v)),
        Ok("ALTER TABLE \"users\" DROP CONSTRAINT \"ck_named\";\n".to_string())
    );
}
