//! Round trips over a set of schema pairs: `apply_all(from, diff(from, to))` lands on `to`, the
//! downgrade lands back on `from`, both are valid after every single step, and diffing again
//! reports nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use autogen_diff::Change;
use autogen_schema::{
    ColumnRename, ColumnType, DefaultValue, EnumType, PrimaryKey, ReferentialAction, RenameHints,
    Schema, TableRename,
};
use common::*;

fn mood() -> EnumType {
    enum_type("mood", &["happy", "sad"])
}

/// A small but complete schema: enum, parent/child/grandchild tables, every constraint kind.
fn base() -> Schema {
    let orgs = table("orgs", vec![varchar("name", 100)]).unique(&["name"]);
    let mut users = table(
        "users",
        vec![
            int("org_id"),
            varchar("email", 255),
            text("bio").null(),
            enum_col("mood", &mood()).null(),
            Column::new(
                "created_at",
                ColumnType::Timestamp {
                    with_time_zone: false,
                },
            ),
        ],
    )
    .fk(&["org_id"], "orgs", &["id"])
    .index("ix_users_email", &["email"])
    .check(Some("ck_users_email"), "email <> ''");
    users.columns[5].default = Some(DefaultValue::CurrentTimestamp);
    users.foreign_keys[0].on_delete = ReferentialAction::Cascade;
    let posts = table(
        "posts",
        vec![int("user_id"), varchar("title", 200), text("body")],
    )
    .fk(&["user_id"], "users", &["id"])
    .index("ix_posts_user_id", &["user_id"]);
    schema(vec![orgs, users, posts], vec![mood()])
}

use autogen_schema::Column;

fn edit(mut s: Schema, f: impl FnOnce(&mut Schema)) -> Schema {
    f(&mut s);
    s
}

fn t<'a>(s: &'a mut Schema, name: &str) -> &'a mut autogen_schema::Table {
    s.table_mut(name).unwrap()
}

#[test]
fn schema_pairs_round_trip() {
    let cases: Vec<(&str, Schema, Schema, RenameHints)> = vec![
        (
            "create everything",
            Schema::default(),
            base(),
            RenameHints::default(),
        ),
        (
            "drop everything",
            base(),
            Schema::default(),
            RenameHints::default(),
        ),
        (
            "add column with index and foreign key",
            base(),
            edit(base(), |s| {
                let posts = t(s, "posts");
                posts.columns.push(int("editor_id").null());
                *posts = posts
                    .clone()
                    .index("ix_posts_editor_id", &["editor_id"])
                    .fk(&["editor_id"], "users", &["id"]);
            }),
            RenameHints::default(),
        ),
        (
            "drop column with index and foreign key",
            base(),
            edit(base(), |s| {
                let posts = t(s, "posts");
                posts.columns.retain(|c| c.name != "user_id");
                posts.indexes.clear();
                posts.foreign_keys.clear();
            }),
            RenameHints::default(),
        ),
        (
            "alter columns",
            base(),
            edit(base(), |s| {
                let users = t(s, "users");
                users.columns[2].ty = ColumnType::Varchar { length: Some(50) };
                users.columns[3].nullable = false;
                users.columns[3].default = Some(DefaultValue::String(String::new()));
                users.columns[5].default = None;
                users.columns[5].comment = Some("when".into());
            }),
            RenameHints::default(),
        ),
        (
            "primary key over an added column",
            base(),
            edit(base(), |s| {
                let posts = t(s, "posts");
                posts.columns.push(int("version"));
                posts.primary_key = Some(PrimaryKey {
                    name: None,
                    columns: vec!["id".into(), "version".into()],
                });
            }),
            RenameHints::default(),
        ),
        (
            "index content, unique, foreign key action and checks",
            base(),
            edit(base(), |s| {
                let users = t(s, "users");
                users.indexes[0].unique = true;
                users.foreign_keys[0].on_delete = ReferentialAction::Restrict;
                users.checks[0].expression = "length(email) > 3".into();
                users.checks.push(autogen_schema::Check {
                    name: None,
                    expression: "org_id > 0".into(),
                });
                *users = users.clone().unique(&["org_id", "email"]);
                let orgs = t(s, "orgs");
                orgs.unique_constraints.clear();
                orgs.comment = Some("organisations".into());
            }),
            RenameHints::default(),
        ),
        (
            "enum values added and removed, new and dropped enum types",
            base(),
            edit(base(), |s| {
                let altered = enum_type("mood", &["happy", "meh"]);
                let status = enum_type("status", &["draft", "live"]);
                s.enums = vec![altered.clone(), status.clone()];
                t(s, "users").columns[4] = enum_col("mood", &altered).null();
                t(s, "posts").columns.push(enum_col("status", &status));
            }),
            RenameHints::default(),
        ),
        (
            "enum type dropped with its column",
            base(),
            edit(base(), |s| {
                s.enums.clear();
                t(s, "users").columns.retain(|c| c.name != "mood");
            }),
            RenameHints::default(),
        ),
        (
            "column moves from one enum type to another",
            base(),
            edit(base(), |s| {
                let feeling = enum_type("feeling", &["happy", "sad"]);
                s.enums = vec![feeling.clone()];
                t(s, "users").columns[4] = enum_col("mood", &feeling).null();
            }),
            RenameHints::default(),
        ),
        (
            "renamed parent table and referenced column",
            base(),
            edit(base(), |s| {
                let users = t(s, "users");
                users.name = "members".into();
                users.columns[0].name = "member_id".into();
                users.primary_key = Some(PrimaryKey {
                    name: None,
                    columns: vec!["member_id".into()],
                });
                let posts = t(s, "posts");
                posts.foreign_keys[0].referenced_table = "members".into();
                posts.foreign_keys[0].referenced_columns = vec!["member_id".into()];
            }),
            RenameHints {
                tables: vec![TableRename {
                    from: "users".into(),
                    to: "members".into(),
                }],
                columns: vec![ColumnRename {
                    table: "members".into(),
                    from: "id".into(),
                    to: "member_id".into(),
                }],
            },
        ),
        (
            "renamed child column under an index and a foreign key",
            base(),
            edit(base(), |s| {
                let posts = t(s, "posts");
                posts.columns[1].name = "author_id".into();
                posts.indexes[0].columns[0].name = "author_id".into();
                posts.foreign_keys[0].columns = vec!["author_id".into()];
            }),
            RenameHints {
                tables: vec![],
                columns: vec![ColumnRename {
                    table: "posts".into(),
                    from: "user_id".into(),
                    to: "author_id".into(),
                }],
            },
        ),
        (
            "new tables in a foreign key cycle with a self reference",
            base(),
            edit(base(), |s| {
                s.tables
                    .push(table("a", vec![int("b_id").null()]).fk(&["b_id"], "b", &["id"]));
                s.tables.push(
                    table("b", vec![int("a_id").null(), int("parent_id").null()])
                        .fk(&["a_id"], "a", &["id"])
                        .fk(&["parent_id"], "b", &["id"]),
                );
                s.tables
                    .push(table("c", vec![int("a_id")]).fk(&["a_id"], "a", &["id"]));
            }),
            RenameHints::default(),
        ),
        (
            "new child of an existing table's new unique column",
            base(),
            edit(base(), |s| {
                let orgs = t(s, "orgs");
                orgs.columns.push(varchar("slug", 40));
                *orgs = orgs.clone().unique(&["slug"]);
                s.tables
                    .push(table("org_aliases", vec![varchar("org_slug", 40)]).fk(
                        &["org_slug"],
                        "orgs",
                        &["slug"],
                    ));
            }),
            RenameHints::default(),
        ),
        (
            "existing table gains a foreign key to a new table",
            base(),
            edit(base(), |s| {
                s.tables.push(table("regions", vec![text("name")]));
                let orgs = t(s, "orgs");
                orgs.columns.push(int("region_id").null());
                *orgs = orgs.clone().fk(&["region_id"], "regions", &["id"]);
            }),
            RenameHints::default(),
        ),
    ];
    let mut seen_kinds = std::collections::BTreeSet::new();
    for (case, from, to, hints) in &cases {
        for c in round_trip(case, from, to, hints.clone()) {
            seen_kinds.insert(
                format!("{c:?}")
                    .split([' ', '(', '{'])
                    .next()
                    .unwrap()
                    .to_string(),
            );
        }
    }
    // The pairs above exercise every change kind at least once in both directions.
    let expected = [
        "AddCheck",
        "AddColumn",
        "AddForeignKey",
        "AddIndex",
        "AddUnique",
        "AlterColumn",
        "AlterEnum",
        "AlterPrimaryKey",
        "AlterTableComment",
        "CreateEnum",
        "CreateTable",
        "DropCheck",
        "DropColumn",
        "DropEnum",
        "DropForeignKey",
        "DropIndex",
        "DropTable",
        "DropUnique",
        "RenameColumn",
        "RenameTable",
    ];
    let expected: std::collections::BTreeSet<String> =
        expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(seen_kinds, expected);
}

#[test]
fn cycle_of_new_tables_defers_only_the_closing_foreign_keys() {
    let to = schema(
        vec![
            table("a", vec![int("b_id").null()]).fk(&["b_id"], "b", &["id"]),
            table("b", vec![int("a_id").null(), int("parent_id").null()])
                .fk(&["a_id"], "a", &["id"])
                .fk(&["parent_id"], "b", &["id"]),
        ],
        vec![],
    );
    let changes = round_trip("cycle", &Schema::default(), &to, RenameHints::default());
    let steps: Vec<String> = changes.iter().map(Change::describe).collect();
    assert_eq!(
        steps,
        [
            "create table a",
            "create table b",
            "add foreign key a (b_id) -> b (id)",
            "add foreign key b (parent_id) -> b (id)",
        ]
    );
    let Change::CreateTable(b) = &changes[1] else {
        panic!("expected create table b");
    };
    assert_eq!(b.foreign_keys.len(), 1, "b keeps its inline key to a");

    let down: Vec<String> = autogen_diff::downgrade(&changes)
        .iter()
        .map(Change::describe)
        .collect();
    assert_eq!(
        down,
        [
            "drop foreign key b (parent_id) -> b (id)",
            "drop foreign key a (b_id) -> b (id)",
            "drop table b",
            "drop table a",
        ]
    );
}

#[test]
fn dropped_tables_go_children_first_and_come_back_parents_first() {
    let from = schema(
        vec![
            table("orgs", vec![]),
            table("users", vec![int("org_id")]).fk(&["org_id"], "orgs", &["id"]),
            table("a_posts", vec![int("user_id")]).fk(&["user_id"], "users", &["id"]),
        ],
        vec![],
    );
    let changes = round_trip("drops", &from, &Schema::default(), RenameHints::default());
    let steps: Vec<String> = changes.iter().map(Change::describe).collect();
    assert_eq!(
        steps,
        ["drop table a_posts", "drop table users", "drop table orgs"]
    );
    let down: Vec<String> = autogen_diff::downgrade(&changes)
        .iter()
        .map(Change::describe)
        .collect();
    assert_eq!(
        down,
        [
            "create table orgs",
            "create table users",
            "create table a_posts"
        ]
    );
}

#[test]
fn index_on_dropped_column_goes_first_and_comes_back_last() {
    let from = schema(
        vec![table("users", vec![text("nick")]).index("ix_users_nick", &["nick"])],
        vec![],
    );
    let to = schema(vec![table("users", vec![])], vec![]);
    let changes = round_trip("index", &from, &to, RenameHints::default());
    let steps: Vec<String> = changes.iter().map(Change::describe).collect();
    assert_eq!(
        steps,
        [
            "drop index ix_users_nick on users (nick)",
            "drop column users.nick"
        ]
    );
    let down: Vec<String> = autogen_diff::downgrade(&changes)
        .iter()
        .map(Change::describe)
        .collect();
    assert_eq!(
        down,
        [
            "add column users.nick",
            "add index ix_users_nick on users (nick)"
        ]
    );
}

#[test]
fn foreign_keys_are_rebuilt_around_a_type_change_of_either_end() {
    let bigint = |c: &mut Column| c.ty = ColumnType::BigInt { unsigned: false };
    let to = edit(base(), |s| {
        bigint(&mut t(s, "users").columns[0]);
        bigint(&mut t(s, "posts").columns[1]);
    });
    let changes = round_trip("widen key", &base(), &to, RenameHints::default());
    let steps: Vec<String> = changes.iter().map(Change::describe).collect();
    assert_eq!(
        steps,
        [
            "drop foreign key posts (user_id) -> users (id)",
            "alter column posts.user_id: type integer -> bigint",
            "alter column users.id: type integer -> bigint",
            "add foreign key posts (user_id) -> users (id)",
        ]
    );
}

#[test]
fn foreign_keys_are_rebuilt_around_the_key_they_reference() {
    // users' primary key widens to (id, org_id) while a new UNIQUE (id) keeps posts' key valid:
    // the database cannot drop the old primary key while posts' foreign key depends on it.
    let to = edit(base(), |s| {
        let users = t(s, "users");
        users.primary_key = Some(PrimaryKey {
            name: None,
            columns: vec!["id".into(), "org_id".into()],
        });
        *users = users.clone().unique(&["id"]);
    });
    let changes = round_trip("replace key", &base(), &to, RenameHints::default());
    let steps: Vec<String> = changes.iter().map(Change::describe).collect();
    assert_eq!(
        steps,
        [
            "drop foreign key posts (user_id) -> users (id)",
            "alter primary key of users: (id) -> (id, org_id)",
            "add unique users (id)",
            "add foreign key posts (user_id) -> users (id)",
        ]
    );
}
