//! What the differ reports for each kind of difference, what it deliberately does not report
//! (name-only differences, column and table order), and how rename hints are applied.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use autogen_diff::{diff, Change, DiffError, DiffOptions};
use autogen_schema::{
    Check, ColumnRename, ColumnType, DefaultValue, PrimaryKey, ReferentialAction, RenameHints,
    Schema, Table, TableRename,
};
use common::*;

fn describe(from: &Schema, to: &Schema) -> Vec<String> {
    diff(from, to, &DiffOptions::default())
        .unwrap()
        .iter()
        .map(Change::describe)
        .collect()
}

fn one(t: Table) -> Schema {
    schema(vec![t], vec![])
}

fn users() -> Table {
    table("users", vec![varchar("name", 255), text("bio").null()])
}

#[test]
fn one_case_per_change_kind() {
    let with = |f: &dyn Fn(&mut Table)| {
        let mut t = users();
        f(&mut t);
        one(t)
    };
    let cases: Vec<(&str, Schema, Schema, Vec<&str>)> = vec![
        (
            "create table",
            Schema::default(),
            one(users()),
            vec!["create table users"],
        ),
        (
            "drop table",
            one(users()),
            Schema::default(),
            vec!["drop table users"],
        ),
        (
            "add column",
            one(users()),
            with(&|t| t.columns.push(text("email").null())),
            vec!["add column users.email"],
        ),
        (
            "drop column",
            one(users()),
            with(&|t| t.columns.retain(|c| c.name != "bio")),
            vec!["drop column users.bio"],
        ),
        (
            "alter column type and nullability",
            one(users()),
            with(&|t| {
                t.columns[1].ty = ColumnType::Varchar { length: Some(50) };
                t.columns[1].nullable = true;
            }),
            vec!["alter column users.name: type varchar(255) -> varchar(50), NULL"],
        ),
        (
            "alter column default, auto increment and comment",
            one(users()),
            with(&|t| {
                t.columns[0].auto_increment = true;
                t.columns[2].default = Some(DefaultValue::String("none".into()));
                t.columns[2].comment = Some("about".into());
            }),
            vec![
                "alter column users.bio: default 'none', comment",
                "alter column users.id: auto increment",
            ],
        ),
        (
            "alter primary key",
            one(users()),
            with(&|t| {
                t.primary_key = Some(PrimaryKey {
                    name: None,
                    columns: vec!["id".into(), "name".into()],
                })
            }),
            vec!["alter primary key of users: (id) -> (id, name)"],
        ),
        (
            "drop primary key",
            one(users()),
            with(&|t| t.primary_key = None),
            vec!["drop primary key of users"],
        ),
        (
            "add index",
            one(users()),
            with(&|t| *t = t.clone().index("ix_users_name", &["name"])),
            vec!["add index ix_users_name on users (name)"],
        ),
        (
            "drop index",
            with(&|t| *t = t.clone().index("ix_users_name", &["name"])),
            one(users()),
            vec!["drop index ix_users_name on users (name)"],
        ),
        (
            "index with the same name but other content is recreated",
            with(&|t| *t = t.clone().index("ix_users_name", &["name"])),
            with(&|t| {
                *t = t.clone().index("ix_users_name", &["name"]);
                t.indexes[0].columns[0].descending = true;
            }),
            vec![
                "drop index ix_users_name on users (name)",
                "add index ix_users_name on users (name DESC)",
            ],
        ),
        (
            "index predicate and method count as content",
            with(&|t| *t = t.clone().index("ix_users_name", &["name"])),
            with(&|t| {
                *t = t.clone().index("ix_users_name", &["name"]);
                t.indexes[0].predicate = Some("bio IS NULL".into());
                t.indexes[0].method = Some("hash".into());
            }),
            vec![
                "drop index ix_users_name on users (name)",
                "add index ix_users_name on users (name)",
            ],
        ),
        (
            "add and drop unique constraints",
            with(&|t| *t = t.clone().unique(&["bio"])),
            with(&|t| *t = t.clone().unique(&["name"])),
            vec!["drop unique users (bio)", "add unique users (name)"],
        ),
        (
            "foreign key action change is drop and add",
            schema(
                vec![
                    users(),
                    table("posts", vec![int("user_id")]).fk(&["user_id"], "users", &["id"]),
                ],
                vec![],
            ),
            schema(
                vec![users(), {
                    let mut p =
                        table("posts", vec![int("user_id")]).fk(&["user_id"], "users", &["id"]);
                    p.foreign_keys[0].on_delete = ReferentialAction::Cascade;
                    p
                }],
                vec![],
            ),
            vec![
                "drop foreign key posts (user_id) -> users (id)",
                "add foreign key posts (user_id) -> users (id)",
            ],
        ),
        (
            "named check with a new expression",
            with(&|t| *t = t.clone().check(Some("ck_name"), "name <> ''")),
            with(&|t| *t = t.clone().check(Some("ck_name"), "length(name) > 1")),
            vec!["drop check ck_name on users", "add check ck_name on users"],
        ),
        (
            "unnamed checks by expression",
            with(&|t| *t = t.clone().check(None, "id > 0")),
            with(&|t| *t = t.clone().check(None, "id > 1")),
            vec![
                "drop check on users (id > 0)",
                "add check on users (id > 1)",
            ],
        ),
        (
            "table comment",
            one(users()),
            with(&|t| t.comment = Some("people".into())),
            vec!["set comment on table users"],
        ),
        (
            "create enum",
            Schema::default(),
            schema(vec![], vec![enum_type("mood", &["a"])]),
            vec!["create enum mood ('a')"],
        ),
        (
            "drop enum",
            schema(vec![], vec![enum_type("mood", &["a"])]),
            Schema::default(),
            vec!["drop enum mood"],
        ),
        (
            "alter enum",
            schema(vec![], vec![enum_type("mood", &["a", "b"])]),
            schema(vec![], vec![enum_type("mood", &["a", "c"])]),
            vec!["alter enum mood: add 'c', remove 'b'"],
        ),
        (
            "alter enum order only",
            schema(vec![], vec![enum_type("mood", &["a", "b"])]),
            schema(vec![], vec![enum_type("mood", &["b", "a"])]),
            vec!["alter enum mood: reorder values"],
        ),
    ];
    for (case, from, to, expected) in cases {
        assert_eq!(describe(&from, &to), expected, "{case}");
    }
}

#[test]
fn columns_of_an_altered_named_enum_are_not_reported_again() {
    let old = enum_type("mood", &["a"]);
    let new = enum_type("mood", &["a", "b"]);
    let from = schema(
        vec![table("users", vec![enum_col("mood", &old)])],
        vec![old],
    );
    let to = schema(
        vec![table("users", vec![enum_col("mood", &new)])],
        vec![new],
    );
    assert_eq!(describe(&from, &to), ["alter enum mood: add 'b'"]);
}

#[test]
fn inline_enum_values_are_a_column_type_change() {
    // MySQL-style enums live in the column type only (no Schema.enums entry).
    let from = one(table(
        "users",
        vec![enum_col("mood", &enum_type("mood", &["a"]))],
    ));
    let to = one(table(
        "users",
        vec![enum_col("mood", &enum_type("mood", &["a", "b"]))],
    ));
    assert_eq!(
        describe(&from, &to),
        ["alter column users.mood: type enum mood('a') -> enum mood('a', 'b')"]
    );
}

#[test]
fn name_only_differences_are_not_changes() {
    let named = table("posts", vec![int("user_id"), text("slug")])
        .fk(&["user_id"], "users", &["id"])
        .unique(&["slug"])
        .check(None, "user_id > 0");
    let mut unnamed = named.clone();
    unnamed.foreign_keys[0].name = None;
    unnamed.unique_constraints[0].name = Some("posts_slug_key".into());
    unnamed.primary_key = Some(PrimaryKey {
        name: None,
        columns: vec!["id".into()],
    });
    unnamed.checks[0].name = Some("ck_posts_user".into());
    let from = schema(vec![users(), named], vec![]);
    let to = schema(vec![users(), unnamed], vec![]);
    assert_eq!(describe(&from, &to), Vec::<String>::new());
    assert_eq!(describe(&to, &from), Vec::<String>::new());
}

#[test]
fn checks_match_by_name_first_then_by_expression_whatever_the_names() {
    // A server-named CHECK (PostgreSQL's `users_id_check`) against the convention's name: a
    // name-only difference, not a change.
    let from = one(users().check(Some("users_id_check"), "id > 0"));
    let to = one(users().check(Some("ck_users_1"), "id > 0"));
    assert_eq!(describe(&from, &to), Vec::<String>::new());
    // Same name, other expression: replaced.
    let to = one(users().check(Some("users_id_check"), "id > 1"));
    assert_eq!(
        describe(&from, &to),
        [
            "drop check users_id_check on users",
            "add check users_id_check on users"
        ]
    );
    // Other name, other expression: replaced.
    let to = one(users().check(Some("ck_b"), "id > 1"));
    assert_eq!(
        describe(&from, &to),
        [
            "drop check users_id_check on users",
            "add check ck_b on users"
        ]
    );
}

#[test]
fn column_and_table_order_are_not_compared() {
    let a = schema(
        vec![users(), table("tags", vec![text("label")])],
        vec![enum_type("x", &["1"]), enum_type("y", &["2"])],
    );
    let mut b = a.clone();
    b.tables.reverse();
    b.enums.reverse();
    b.tables[1].columns.reverse();
    assert_eq!(describe(&a, &b), Vec::<String>::new());
}

#[test]
fn without_hints_nothing_is_renamed() {
    let from = one(users());
    let mut to = one(users());
    to.tables[0].columns[2].name = "biography".into();
    assert_eq!(
        describe(&from, &to),
        ["add column users.biography", "drop column users.bio"]
    );
}

fn table_hint(from: &str, to: &str) -> RenameHints {
    RenameHints {
        tables: vec![TableRename {
            from: from.into(),
            to: to.into(),
        }],
        columns: vec![],
    }
}

fn column_hint(table: &str, from: &str, to: &str) -> RenameHints {
    RenameHints {
        tables: vec![],
        columns: vec![ColumnRename {
            table: table.into(),
            from: from.into(),
            to: to.into(),
        }],
    }
}

fn with_hints(from: &Schema, to: &Schema, renames: RenameHints) -> Result<Vec<String>, DiffError> {
    Ok(diff(
        from,
        to,
        &DiffOptions {
            renames,
            ..DiffOptions::default()
        },
    )?
    .iter()
    .map(Change::describe)
    .collect())
}

#[test]
fn table_rename_hint_renames_and_then_diffs_the_table_as_one() {
    let from = schema(
        vec![
            users(),
            table("posts", vec![int("user_id")]).fk(&["user_id"], "users", &["id"]),
        ],
        vec![],
    );
    let mut members = users();
    members.name = "members".into();
    members.columns.push(text("email").null());
    let to = schema(
        vec![
            members,
            table("posts", vec![int("user_id")]).fk(&["user_id"], "members", &["id"]),
        ],
        vec![],
    );
    assert_eq!(
        with_hints(&from, &to, table_hint("users", "members")).unwrap(),
        ["rename table users to members", "add column members.email"]
    );
}

#[test]
fn column_rename_hint_uses_the_new_table_name() {
    let from = one(table("users", vec![text("fullname")]));
    let to = one(table("members", vec![text("full_name")]));
    let renames = RenameHints {
        tables: table_hint("users", "members").tables,
        columns: column_hint("members", "fullname", "full_name").columns,
    };
    assert_eq!(
        with_hints(&from, &to, renames).unwrap(),
        [
            "rename table users to members",
            "rename column members.fullname to full_name"
        ]
    );
}

#[test]
fn stale_hints_are_skipped() {
    // The rename already ran: the database has only the new names.
    let db = one(table("members", vec![text("full_name")]));
    let renames = RenameHints {
        tables: table_hint("users", "members").tables,
        columns: column_hint("members", "fullname", "full_name").columns,
    };
    assert_eq!(with_hints(&db, &db, renames).unwrap(), Vec::<String>::new());
}

#[test]
fn contradicting_hints_are_errors() {
    let both_tables = schema(vec![users(), table("members", vec![])], vec![]);
    let members_only = schema(vec![table("members", vec![])], vec![]);
    let both_columns = one(table("users", vec![text("fullname"), text("full_name")]));
    let new_column = one(table("users", vec![text("full_name")]));
    let cases: Vec<(&str, Schema, Schema, RenameHints, DiffError)> = vec![
        (
            "table target already exists",
            both_tables.clone(),
            members_only.clone(),
            table_hint("users", "members"),
            DiffError::AmbiguousTableRename {
                from: "users".into(),
                to: "members".into(),
            },
        ),
        (
            "table source still modelled",
            one(users()),
            both_tables.clone(),
            table_hint("users", "members"),
            DiffError::TableRenameSourceKept {
                from: "users".into(),
                to: "members".into(),
            },
        ),
        (
            "column target already exists",
            both_columns.clone(),
            new_column.clone(),
            column_hint("users", "fullname", "full_name"),
            DiffError::AmbiguousColumnRename {
                table: "users".into(),
                from: "fullname".into(),
                to: "full_name".into(),
            },
        ),
        (
            "column source still modelled",
            one(table("users", vec![text("fullname")])),
            both_columns.clone(),
            column_hint("users", "fullname", "full_name"),
            DiffError::ColumnRenameSourceKept {
                table: "users".into(),
                from: "fullname".into(),
                to: "full_name".into(),
            },
        ),
        (
            "two tables renamed onto one",
            schema(vec![users(), table("people", vec![])], vec![]),
            members_only.clone(),
            RenameHints {
                tables: vec![
                    TableRename {
                        from: "people".into(),
                        to: "members".into(),
                    },
                    TableRename {
                        from: "users".into(),
                        to: "members".into(),
                    },
                ],
                columns: vec![],
            },
            DiffError::ConflictingTableRenames {
                name: "members".into(),
            },
        ),
    ];
    for (case, from, to, hints, expected) in cases {
        assert_eq!(with_hints(&from, &to, hints), Err(expected), "{case}");
    }
    let message = DiffError::AmbiguousColumnRename {
        table: "users".into(),
        from: "fullname".into(),
        to: "full_name".into(),
    }
    .to_string();
    assert!(message.contains("users.fullname") && message.contains("both columns"));
}

#[test]
fn destructive_changes_and_their_warnings() {
    let col = |ty: ColumnType, nullable: bool| {
        let mut c = autogen_schema::Column::new("name", ty);
        c.nullable = nullable;
        c
    };
    let alter = |from, to| Change::AlterColumn {
        table: "users".into(),
        from,
        to,
    };
    let vc = |n| ColumnType::Varchar { length: Some(n) };
    let cases: Vec<(Change, Option<&str>)> = vec![
        (Change::DropTable(users()), Some("drops table users and all its rows")),
        (
            Change::DropColumn {
                table: "users".into(),
                column: text("bio"),
            },
            Some("drops column users.bio and all its data"),
        ),
        (
            alter(col(vc(255), false), col(vc(50), false)),
            Some("narrows users.name from varchar(255) to varchar(50): longer values are truncated or rejected"),
        ),
        (alter(col(vc(50), false), col(vc(255), false)), None),
        (alter(col(vc(50), false), col(ColumnType::Text, true)), None),
        (
            alter(col(ColumnType::Text, true), col(ColumnType::Text, false)),
            Some("makes users.name NOT NULL: existing NULL values make it fail unless filled first"),
        ),
        (
            alter(
                col(ColumnType::BigInt { unsigned: false }, false),
                col(ColumnType::Integer { unsigned: false }, false),
            ),
            Some("narrows users.name from bigint to integer: out-of-range values are rejected or lose precision"),
        ),
        (
            alter(col(ColumnType::Text, false), col(ColumnType::Json, false)),
            Some("changes users.name from text to json: values that do not convert are lost or rejected"),
        ),
        (
            Change::AlterEnum {
                from: enum_type("mood", &["a", "b"]),
                to: enum_type("mood", &["a"]),
            },
            Some("removes 'b' from enum mood: rows holding it are rejected"),
        ),
        (
            Change::AlterEnum {
                from: enum_type("mood", &["a"]),
                to: enum_type("mood", &["a", "b"]),
            },
            None,
        ),
        (
            Change::DropEnum(enum_type("mood", &["a"])),
            Some("drops enum type mood and its values"),
        ),
        (Change::CreateTable(users()), None),
        (
            Change::DropIndex {
                table: "users".into(),
                index: users().index("ix", &["name"]).indexes[0].clone(),
            },
            None,
        ),
        (
            Change::DropCheck {
                table: "users".into(),
                check: Check {
                    name: None,
                    expression: "id > 0".into(),
                },
            },
            None,
        ),
    ];
    for (change, expected) in cases {
        assert_eq!(
            change.data_loss().as_deref(),
            expected,
            "{}",
            change.describe()
        );
        assert_eq!(
            change.is_destructive(),
            expected.is_some(),
            "{}",
            change.describe()
        );
    }
}

#[test]
fn a_renamed_column_is_then_compared_under_its_new_name() {
    let from = one(table("users", vec![varchar("fullname", 50)]));
    let to = one(table("users", vec![varchar("full_name", 100)]));
    let changes = diff(
        &from,
        &to,
        &DiffOptions {
            renames: column_hint("users", "fullname", "full_name"),
            ..DiffOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        changes,
        [
            Change::RenameColumn {
                table: "users".into(),
                from: "fullname".into(),
                to: "full_name".into(),
            },
            Change::AlterColumn {
                table: "users".into(),
                from: varchar("full_name", 50),
                to: varchar("full_name", 100),
            },
        ]
    );
    assert!(!changes[1].is_destructive(), "widening varchar is safe");
}
