//! Golden tests of PostgreSQL rendering: whole SQL text per change kind.

mod common;

use autogen_diff::Change;
use autogen_schema::{
    Check, Column, ColumnType, DefaultValue, Dialect, EnumType, Index, IndexColumn, Schema, Table,
};
use autogen_sql::{render, RenderError};
use common::*;

fn pg(from: &Schema, changes: &[Change]) -> String {
    match render(Dialect::Postgres, from, changes) {
        Ok(s) => text(&s),
        Err(e) => panic!("render failed: {e}"),
    }
}

fn mood(values: &[&str]) -> EnumType {
    EnumType {
        name: "mood".into(),
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

fn mood_col(values: &[&str]) -> Column {
    with_default(
        col(
            "mood",
            ColumnType::Enum {
                name: "mood".into(),
                values: mood(values).values,
            },
        ),
        DefaultValue::String("ok".into()),
    )
}

/// users_schema plus an enum `mood` used by users.mood.
fn schema() -> Schema {
    let mut s = users_schema();
    s.enums.push(mood(&["ok", "sad"]));
    s.tables[1].columns.push(mood_col(&["ok", "sad"]));
    s
}

fn age() -> Column {
    with_default(col("age", int()), DefaultValue::Number("0".into()))
}

#[test]
fn table_and_column_changes() {
    let s = schema();
    let users = s.tables[1].clone();
    let cases: Vec<(Vec<Change>, &str)> = vec![
        (
            vec![Change::DropTable(users.clone())],
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
                column: Column {
                    comment: Some("shown".into()),
                    ..with_default(col("nick", varchar(40)), DefaultValue::String("".into()))
                },
            }],
            "ALTER TABLE \"users\" ADD COLUMN \"nick\" varchar(40) NOT NULL DEFAULT '';\n\
             COMMENT ON COLUMN \"users\".\"nick\" IS 'shown';\n",
        ),
        (
            vec![Change::DropColumn {
                table: "users".into(),
                column: nullable("bio", ColumnType::Text),
            }],
            "-- destructive: drops column users.bio and all its data\n\
             ALTER TABLE \"users\" DROP COLUMN \"bio\";\n",
        ),
        (
            vec![Change::AddColumn {
                table: "users".into(),
                column: col("level", int()),
            }],
            "-- fails if users has rows: level is NOT NULL without a default\n\
             ALTER TABLE \"users\" ADD COLUMN \"level\" integer NOT NULL;\n",
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
            vec![Change::AlterTableComment {
                table: "users".into(),
                from: Some("x".into()),
                to: None,
            }],
            "COMMENT ON TABLE \"users\" IS NULL;\n",
        ),
    ];
    for (changes, want) in cases {
        assert_eq!(pg(&s, &changes), want, "{changes:?}");
    }
}

#[test]
fn alter_column_steps() {
    let s = schema();
    let alter = |from: Column, to: Column| {
        pg(
            &s,
            &[Change::AlterColumn {
                table: "users".into(),
                from,
                to,
            }],
        )
    };
    // Widening type, default changed, becomes nullable.
    assert_eq!(
        alter(
            age(),
            Column {
                ty: bigint(),
                nullable: true,
                default: Some(DefaultValue::Number("18".into())),
                ..age()
            }
        ),
        "ALTER TABLE \"users\" ALTER COLUMN \"age\" DROP DEFAULT;\n\
         ALTER TABLE \"users\" ALTER COLUMN \"age\" TYPE bigint;\n\
         ALTER TABLE \"users\" ALTER COLUMN \"age\" SET DEFAULT 18;\n\
         ALTER TABLE \"users\" ALTER COLUMN \"age\" DROP NOT NULL;\n"
    );
    // Text to integer needs a cast, and narrows.
    assert_eq!(
        alter(nullable("bio", ColumnType::Text), nullable("bio", int())),
        "-- destructive: changes users.bio from text to integer: values that do not convert are lost or rejected\n\
         ALTER TABLE \"users\" ALTER COLUMN \"bio\" TYPE integer USING \"bio\"::integer;\n"
    );
    // Default only, NOT NULL, comment.
    assert_eq!(
        alter(
            nullable("bio", ColumnType::Text),
            Column {
                comment: Some("it's".into()),
                ..with_default(col("bio", ColumnType::Text), DefaultValue::CurrentTimestamp)
            }
        ),
        "ALTER TABLE \"users\" ALTER COLUMN \"bio\" SET DEFAULT CURRENT_TIMESTAMP;\n\
         -- destructive: makes users.bio NOT NULL: existing NULL values make it fail unless filled first\n\
         ALTER TABLE \"users\" ALTER COLUMN \"bio\" SET NOT NULL;\n\
         COMMENT ON COLUMN \"users\".\"bio\" IS 'it''s';\n"
    );
    // Default dropped.
    assert_eq!(
        alter(
            age(),
            Column {
                default: None,
                ..age()
            }
        ),
        "ALTER TABLE \"users\" ALTER COLUMN \"age\" DROP DEFAULT;\n"
    );
    // Identity on and off.
    assert_eq!(
        alter(age(), Column { auto_increment: true, default: None, ..age() }),
        "ALTER TABLE \"users\" ALTER COLUMN \"age\" DROP DEFAULT;\n\
         ALTER TABLE \"users\" ALTER COLUMN \"age\" ADD GENERATED BY DEFAULT AS IDENTITY;\n\
         -- start users.age's sequence after the existing rows\n\
         SELECT setval(pg_get_serial_sequence('\"users\"', 'age'), COALESCE(MAX(\"age\") + 1, 1), false) FROM \"users\";\n"
    );
    let id = Column {
        auto_increment: true,
        ..col("id", bigint())
    };
    assert_eq!(
        alter(
            id.clone(),
            Column {
                auto_increment: false,
                ..id
            }
        ),
        "ALTER TABLE \"users\" ALTER COLUMN \"id\" DROP IDENTITY;\n"
    );
}

#[test]
fn constraints_and_indexes() {
    let s = schema();
    let users = s.tables[1].clone();
    let mut unnamed_fk = users.foreign_keys[0].clone();
    unnamed_fk.name = None;
    let cases: Vec<(Vec<Change>, &str)> = vec![
        (
            vec![Change::AlterPrimaryKey {
                table: "users".into(),
                from: users.primary_key.clone(),
                to: Some(pk("pk_users", &["id", "email"])),
            }],
            "ALTER TABLE \"users\" DROP CONSTRAINT \"pk_users\";\n\
             ALTER TABLE \"users\" ADD CONSTRAINT \"pk_users\" PRIMARY KEY (\"id\", \"email\");\n",
        ),
        (
            vec![Change::AddUnique { table: "users".into(), unique: unique("uq_users_org_id_email", &["org_id", "email"]) }],
            "ALTER TABLE \"users\" ADD CONSTRAINT \"uq_users_org_id_email\" UNIQUE (\"org_id\", \"email\");\n",
        ),
        (
            vec![Change::DropUnique {
                table: "users".into(),
                unique: autogen_schema::UniqueConstraint { name: None, columns: vec!["email".into()], deferrable: Default::default() },
            }],
            "ALTER TABLE \"users\" DROP CONSTRAINT \"uq_users_email\";\n",
        ),
        (
            vec![Change::DropForeignKey { table: "users".into(), foreign_key: unnamed_fk }],
            "ALTER TABLE \"users\" DROP CONSTRAINT \"fk_users_org_id_orgs\";\n",
        ),
        (
            vec![Change::AddForeignKey {
                table: "users".into(),
                foreign_key: autogen_schema::ForeignKey {
                    on_update: autogen_schema::ReferentialAction::SetNull,
                    ..fk("fk_x", &["org_id"], "orgs", &["id"])
                },
            }],
            "ALTER TABLE \"users\" ADD CONSTRAINT \"fk_x\" FOREIGN KEY (\"org_id\") REFERENCES \"orgs\" (\"id\") ON UPDATE SET NULL;\n",
        ),
        (
            vec![
                Change::AddCheck { table: "users".into(), check: check("ck_users_age", "age >= 0") },
                Change::DropCheck { table: "users".into(), check: Check { name: None, expression: "age >= 0".into() } },
            ],
            "ALTER TABLE \"users\" ADD CONSTRAINT \"ck_users_age\" CHECK (age >= 0);\n\
             ALTER TABLE \"users\" DROP CONSTRAINT \"ck_users_age\";\n",
        ),
        (
            vec![
                Change::AddIndex {
                    table: "users".into(),
                    index: Index { method: Some("gin".into()), ..index("ix_users_bio", &["bio"]) },
                },
                Change::DropIndex { table: "users".into(), index: index("ix_users_org_id", &["org_id"]) },
            ],
            "CREATE INDEX \"ix_users_bio\" ON \"users\" USING gin (\"bio\");\n\
             DROP INDEX \"ix_users_org_id\";\n",
        ),
    ];
    for (changes, want) in cases {
        assert_eq!(pg(&s, &changes), want, "{changes:?}");
    }
    // A constraint with no name anywhere cannot be dropped by name.
    let mut nameless = s.clone();
    nameless.tables[1].checks.push(Check {
        name: None,
        expression: "age < 200".into(),
    });
    let err = render(
        Dialect::Postgres,
        &nameless,
        &[Change::DropCheck {
            table: "users".into(),
            check: Check {
                name: None,
                expression: "age < 200".into(),
            },
        }],
    );
    assert!(
        matches!(err, Err(RenderError::Unsupported { .. })),
        "{err:?}"
    );
}

#[test]
fn enum_changes() {
    let s = schema();
    // Additions only: ALTER TYPE ADD VALUE, in place, keeping the declared order.
    assert_eq!(
        pg(&s, &[Change::AlterEnum { from: mood(&["ok", "sad"]), to: mood(&["meh", "ok", "fine", "sad", "glad"]) }]),
        "-- the new value 'glad' cannot be used in this same transaction (PostgreSQL < 12 cannot add it inside a transaction at all)\n\
         ALTER TYPE \"mood\" ADD VALUE 'glad';\n\
         -- the new value 'fine' cannot be used in this same transaction (PostgreSQL < 12 cannot add it inside a transaction at all)\n\
         ALTER TYPE \"mood\" ADD VALUE 'fine' BEFORE 'sad';\n\
         -- the new value 'meh' cannot be used in this same transaction (PostgreSQL < 12 cannot add it inside a transaction at all)\n\
         ALTER TYPE \"mood\" ADD VALUE 'meh' BEFORE 'ok';\n"
    );
    // A removal replaces the type and converts the columns through text.
    assert_eq!(
        pg(&s, &[Change::AlterEnum { from: mood(&["ok", "sad"]), to: mood(&["ok"]) }]),
        "-- replace enum mood: PostgreSQL cannot remove or reorder enum values\n\
         ALTER TYPE \"mood\" RENAME TO \"mood_autogen_old\";\n\
         CREATE TYPE \"mood\" AS ENUM ('ok');\n\
         ALTER TABLE \"users\" ALTER COLUMN \"mood\" DROP DEFAULT;\n\
         -- destructive: removes 'sad' from enum mood: rows holding it are rejected\n\
         ALTER TABLE \"users\" ALTER COLUMN \"mood\" TYPE \"mood\" USING \"mood\"::text::\"mood\";\n\
         ALTER TABLE \"users\" ALTER COLUMN \"mood\" SET DEFAULT 'ok';\n\
         DROP TYPE \"mood_autogen_old\";\n"
    );
    // The column's own AlterColumn for the new value list renders nothing more.
    assert_eq!(
        pg(
            &s,
            &[Change::AlterColumn {
                table: "users".into(),
                from: mood_col(&["ok", "sad"]),
                to: mood_col(&["ok"])
            }]
        ),
        ""
    );
    assert_eq!(
        pg(&s, &[Change::DropEnum(mood(&["ok"]))]),
        "DROP TYPE \"mood\";\n"
    );
}

#[test]
fn index_options_render_and_unique_needs_btree() {
    let s = users_schema();
    let add = |index: Index| Change::AddIndex {
        table: "users".into(),
        index,
    };
    let options = Index {
        columns: vec![
            IndexColumn {
                name: "age".into(),
                descending: true,
                ..Default::default()
            },
            IndexColumn::asc("id"),
        ],
        method: Some("hash".into()),
        predicate: Some("age > 0 AND bio IS NOT NULL".into()),
        ..index("ix_users_age", &[])
    };
    assert_eq!(
        pg(&s, &[add(options.clone())]),
        "CREATE INDEX \"ix_users_age\" ON \"users\" USING hash (\"age\" DESC, \"id\") WHERE age > 0 AND bio IS NOT NULL;\n"
    );
    // A unique btree index is fine with a predicate; a unique hash index is refused.
    let unique_btree = Index {
        unique: true,
        method: None,
        ..options.clone()
    };
    assert!(pg(&s, &[add(unique_btree)]).starts_with("CREATE UNIQUE INDEX"));
    for change in [
        add(Index {
            unique: true,
            ..options.clone()
        }),
        Change::CreateTable({
            let mut t = Table::new("t");
            t.columns = vec![col("a", int())];
            t.indexes = vec![Index {
                unique: true,
                method: Some("gin".into()),
                ..index("ix_t_a", &["a"])
            }];
            t
        }),
    ] {
        match render(Dialect::Postgres, &s, &[change]) {
            Err(RenderError::Unsupported { hint, .. }) => {
                assert!(hint.contains("only with the btree method"), "{hint}")
            }
            other => panic!("expected Unsupported, got {other:?}"),
        }
    }
}
