//! Golden tests of SQLite rendering: whole SQL text per change kind.

mod common;

use autogen_diff::{ApplyError, Change};
use autogen_schema::{
    Column, ColumnType, DefaultValue, Dialect, EnumType, Index, IndexColumn, Schema,
};
use autogen_sql::{render, RenderError};
use common::*;

fn sqlite(from: &Schema, changes: &[Change]) -> String {
    match render(Dialect::Sqlite, from, changes) {
        Ok(s) => text(&s),
        Err(e) => panic!("render failed: {e}"),
    }
}

fn users() -> autogen_schema::Table {
    users_schema().tables[1].clone()
}

fn age() -> Column {
    with_default(col("age", int()), DefaultValue::Number("0".into()))
}

const USERS_TAIL: &str = r#"DROP TABLE "users";
ALTER TABLE "_autogen_new_users" RENAME TO "users";
CREATE INDEX "ix_users_org_id" ON "users" ("org_id");
"#;

#[test]
fn composite_key_defaults_checks_and_index_options() {
    let mut t = autogen_schema::Table::new("memberships");
    t.columns = vec![
        col("org_id", bigint()),
        col("user_id", bigint()),
        with_default(
            col("active", ColumnType::Boolean),
            DefaultValue::Boolean(true),
        ),
        with_default(
            col("role", ColumnType::Varchar { length: Some(20) }),
            DefaultValue::String("it's".into()),
        ),
        with_default(
            col(
                "joined",
                ColumnType::Timestamp {
                    with_time_zone: true,
                },
            ),
            DefaultValue::CurrentTimestamp,
        ),
        with_default(
            nullable(
                "score",
                ColumnType::Decimal {
                    precision: Some(10),
                    scale: Some(2),
                },
            ),
            DefaultValue::Expression("1 + 1".into()),
        ),
    ];
    t.primary_key = Some(pk("pk_memberships", &["org_id", "user_id"]));
    t.checks = vec![check("ck_memberships_1", "role <> ''")];
    t.indexes = vec![Index {
        name: "ix_memberships_recent".into(),
        columns: vec![
            IndexColumn {
                name: "joined".into(),
                descending: true,
                ..Default::default()
            },
            IndexColumn::expr("lower(role)"),
        ],
        unique: true,
        method: Some("btree".into()),
        predicate: Some("active".into()),
        ..Default::default()
    }];
    let got = sqlite(&Schema::default(), &[Change::CreateTable(t)]);
    let want = r#"CREATE TABLE "memberships" (
    "org_id" bigint NOT NULL,
    "user_id" bigint NOT NULL,
    "active" boolean NOT NULL DEFAULT TRUE,
    "role" varchar(20) NOT NULL DEFAULT 'it''s',
    "joined" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "score" numeric(10,2) DEFAULT (1 + 1),
    CONSTRAINT "pk_memberships" PRIMARY KEY ("org_id", "user_id"),
    CONSTRAINT "ck_memberships_1" CHECK (role <> '')
);
CREATE UNIQUE INDEX "ix_memberships_recent" ON "memberships" ("joined" DESC, (lower(role))) WHERE active;
"#;
    assert_eq!(got, want);
}

#[test]
fn plain_alters() {
    let s = users_schema();
    let score = with_default(
        col("score", ColumnType::Double),
        DefaultValue::Number("1.5".into()),
    );
    let cases: Vec<(Vec<Change>, &str)> = vec![
        (
            vec![Change::DropTable(users())],
            "-- destructive: drops table users and all its rows\nDROP TABLE \"users\";\n",
        ),
        (
            vec![Change::RenameTable {
                from: "users".into(),
                to: "people".into(),
            }],
            "ALTER TABLE \"users\" RENAME TO \"people\";\n",
        ),
        (
            vec![Change::AddColumn {
                table: "users".into(),
                column: score,
            }],
            "ALTER TABLE \"users\" ADD COLUMN \"score\" double NOT NULL DEFAULT 1.5;\n",
        ),
        (
            vec![Change::AddColumn {
                table: "users".into(),
                column: nullable("nick", varchar(40)),
            }],
            "ALTER TABLE \"users\" ADD COLUMN \"nick\" varchar(40);\n",
        ),
        (
            vec![Change::RenameColumn {
                table: "users".into(),
                from: "bio".into(),
                to: "about".into(),
            }],
            "ALTER TABLE \"users\" RENAME COLUMN \"bio\" TO \"about\";\n",
        ),
        (
            vec![Change::AddIndex {
                table: "users".into(),
                index: index("ix_users_age", &["age"]),
            }],
            "CREATE INDEX \"ix_users_age\" ON \"users\" (\"age\");\n",
        ),
        (
            vec![Change::DropIndex {
                table: "users".into(),
                index: index("ix_users_org_id", &["org_id"]),
            }],
            "DROP INDEX \"ix_users_org_id\";\n",
        ),
        // Comments, comment-only column changes and enum types have no SQLite form.
        (
            vec![
                Change::AlterTableComment {
                    table: "users".into(),
                    from: None,
                    to: Some("x".into()),
                },
                Change::AlterColumn {
                    table: "users".into(),
                    from: age(),
                    to: Column {
                        comment: Some("years".into()),
                        ..age()
                    },
                },
                Change::CreateEnum(EnumType {
                    name: "mood".into(),
                    values: vec!["ok".into()],
                }),
            ],
            "",
        ),
    ];
    for (changes, want) in cases {
        assert_eq!(sqlite(&s, &changes), want, "{changes:?}");
    }
}

#[test]
fn rebuild_groups_alter_check_and_drop_into_one_copy() {
    let got = sqlite(
        &users_schema(),
        &[
            Change::AlterColumn {
                table: "users".into(),
                from: age(),
                to: Column {
                    ty: bigint(),
                    ..age()
                },
            },
            Change::AddCheck {
                table: "users".into(),
                check: check("ck_users_age", "age >= 0"),
            },
            Change::DropColumn {
                table: "users".into(),
                column: nullable("bio", ColumnType::Text),
            },
        ],
    );
    let want = r#"-- rebuild users: SQLite cannot ALTER COLUMN; rows are copied
CREATE TABLE "_autogen_new_users" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "org_id" bigint NOT NULL,
    "email" varchar(255) NOT NULL,
    "age" bigint NOT NULL DEFAULT 0,
    CONSTRAINT "uq_users_email" UNIQUE ("email"),
    CONSTRAINT "fk_users_org_id_orgs" FOREIGN KEY ("org_id") REFERENCES "orgs" ("id") ON DELETE CASCADE,
    CONSTRAINT "ck_users_age" CHECK (age >= 0)
);
-- autogen:rebuild "users" "id" "org_id" "email" "bio" "age"
INSERT INTO "_autogen_new_users" ("id", "org_id", "email", "age") SELECT "id", "org_id", "email", "age" FROM "users";
-- destructive: drops column users.bio and all its data
"#;
    assert_eq!(got, format!("{want}{USERS_TAIL}"));
}

#[test]
fn rebuild_maps_renamed_columns_and_fills_new_not_null_from_defaults() {
    let got = sqlite(
        &users_schema(),
        &[
            Change::RenameColumn {
                table: "users".into(),
                from: "bio".into(),
                to: "about".into(),
            },
            Change::AlterColumn {
                table: "users".into(),
                from: nullable("about", ColumnType::Text),
                to: with_default(
                    col("about", ColumnType::Text),
                    DefaultValue::String(String::new()),
                ),
            },
            Change::AddColumn {
                table: "users".into(),
                column: with_default(
                    col(
                        "seen",
                        ColumnType::Timestamp {
                            with_time_zone: false,
                        },
                    ),
                    DefaultValue::CurrentTimestamp,
                ),
            },
            Change::DropUnique {
                table: "users".into(),
                unique: unique("uq_users_email", &["email"]),
            },
        ],
    );
    let want = r#"-- rebuild users: SQLite cannot ALTER COLUMN; rows are copied
CREATE TABLE "_autogen_new_users" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "org_id" bigint NOT NULL,
    "email" varchar(255) NOT NULL,
    "about" text NOT NULL DEFAULT '',
    "age" integer NOT NULL DEFAULT 0,
    "seen" timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "fk_users_org_id_orgs" FOREIGN KEY ("org_id") REFERENCES "orgs" ("id") ON DELETE CASCADE
);
-- autogen:rebuild "users" "id" "org_id" "email" "bio" "age"
INSERT INTO "_autogen_new_users" ("id", "org_id", "email", "about", "age") SELECT "id", "org_id", "email", COALESCE("bio", ''), "age" FROM "users";
-- old copy of users; its rows were copied above
"#;
    assert_eq!(got, format!("{want}{USERS_TAIL}"));
}

#[test]
fn primary_key_and_foreign_key_changes_rebuild() {
    let got = sqlite(
        &users_schema(),
        &[
            Change::DropForeignKey {
                table: "users".into(),
                foreign_key: users().foreign_keys[0].clone(),
            },
            Change::AlterPrimaryKey {
                table: "users".into(),
                from: users().primary_key,
                to: Some(pk("pk_users", &["id", "email"])),
            },
        ],
    );
    // The auto-increment column is no longer the sole key: it is declared plainly.
    let want = r#"-- rebuild users: SQLite cannot add or drop a FOREIGN KEY; rows are copied
CREATE TABLE "_autogen_new_users" (
    "id" bigint NOT NULL,
    "org_id" bigint NOT NULL,
    "email" varchar(255) NOT NULL,
    "bio" text,
    "age" integer NOT NULL DEFAULT 0,
    CONSTRAINT "pk_users" PRIMARY KEY ("id", "email"),
    CONSTRAINT "uq_users_email" UNIQUE ("email")
);
-- autogen:rebuild "users" "id" "org_id" "email" "bio" "age"
INSERT INTO "_autogen_new_users" ("id", "org_id", "email", "bio", "age") SELECT "id", "org_id", "email", "bio", "age" FROM "users";
-- old copy of users; its rows were copied above
"#;
    assert_eq!(got, format!("{want}{USERS_TAIL}"));
}

#[test]
fn separate_tables_and_interleaved_changes_get_separate_steps() {
    let got = sqlite(
        &users_schema(),
        &[
            Change::AddCheck {
                table: "orgs".into(),
                check: check("ck_orgs_name", "name <> ''"),
            },
            Change::AddColumn {
                table: "users".into(),
                column: nullable("nick", ColumnType::Text),
            },
        ],
    );
    let want = r#"-- rebuild orgs: SQLite cannot add or drop a CHECK constraint; rows are copied
CREATE TABLE "_autogen_new_orgs" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" text NOT NULL,
    CONSTRAINT "ck_orgs_name" CHECK (name <> '')
);
-- autogen:rebuild "orgs" "id" "name"
INSERT INTO "_autogen_new_orgs" ("id", "name") SELECT "id", "name" FROM "orgs";
-- old copy of orgs; its rows were copied above
DROP TABLE "orgs";
ALTER TABLE "_autogen_new_orgs" RENAME TO "orgs";
ALTER TABLE "users" ADD COLUMN "nick" text;
"#;
    assert_eq!(got, want);
}

#[test]
fn new_not_null_column_without_default_is_unsupported() {
    let err = render(
        Dialect::Sqlite,
        &users_schema(),
        &[Change::AddColumn {
            table: "users".into(),
            column: col("level", int()),
        }],
    );
    match err {
        Err(RenderError::Unsupported { change, hint }) => {
            assert_eq!(change, "add column users.level");
            assert!(
                hint.contains("give it a default or make it nullable"),
                "{hint}"
            );
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn changes_that_do_not_fit_the_schema_are_state_errors() {
    let err = render(
        Dialect::Sqlite,
        &users_schema(),
        &[Change::DropColumn {
            table: "nope".into(),
            column: col("x", int()),
        }],
    );
    assert_eq!(
        err,
        Err(RenderError::State(ApplyError::NoSuchTable("nope".into())))
    );
}

#[test]
fn several_losses_share_one_warning() {
    let stmts = render(
        Dialect::Sqlite,
        &users_schema(),
        &[
            Change::AlterColumn {
                table: "users".into(),
                from: nullable("bio", ColumnType::Text),
                to: col("bio", ColumnType::Text),
            },
            Change::DropColumn {
                table: "users".into(),
                column: age(),
            },
        ],
    )
    .unwrap_or_default();
    let drop = stmts.iter().find(|s| s.sql == "DROP TABLE \"users\"");
    assert_eq!(
        drop.and_then(|s| s.data_loss.as_deref()),
        Some(
            "makes users.bio NOT NULL: existing NULL values make it fail unless \
             filled first; drops column users.age and all its data"
        )
    );
}
