//! Golden tests of MySQL/MariaDB rendering: whole SQL text per change kind.

mod common;

use autogen_diff::Change;
use autogen_schema::{
    Column, ColumnType, DefaultValue, Dialect, EnumType, Index, IndexColumn, Schema, Table,
    UniqueConstraint,
};
use autogen_sql::{canonicalize, render, render_create_schema, RenderError};
use common::*;

fn my(from: &Schema, changes: &[Change]) -> String {
    match render(Dialect::Mysql, from, changes) {
        Ok(s) => text(&s),
        Err(e) => panic!("render failed: {e}"),
    }
}

fn age() -> Column {
    with_default(col("age", int()), DefaultValue::Number("0".into()))
}

#[test]
fn create_schema_with_every_type() {
    let mut s = users_schema();
    let users = &mut s.tables[1];
    users.comment = Some("it's \\ people".into());
    users.columns.extend([
        with_default(
            col("active", ColumnType::Boolean),
            DefaultValue::Boolean(true),
        ),
        col("tiny", ColumnType::TinyInt { unsigned: true }),
        col("small", ColumnType::SmallInt { unsigned: false }),
        col("big", ColumnType::BigInt { unsigned: true }),
        col("r", ColumnType::Real),
        col("dbl", ColumnType::Double),
        col(
            "price",
            ColumnType::Decimal {
                precision: Some(10),
                scale: Some(2),
            },
        ),
        col("code", ColumnType::Char { length: Some(3) }),
        col("data", ColumnType::Blob),
        with_default(col("born", ColumnType::Date), DefaultValue::CurrentDate),
        col("at", ColumnType::Time),
        with_default(
            col(
                "created",
                ColumnType::Timestamp {
                    with_time_zone: false,
                },
            ),
            DefaultValue::CurrentTimestamp,
        ),
        nullable(
            "seen",
            ColumnType::Timestamp {
                with_time_zone: true,
            },
        ),
        col("uid", ColumnType::Uuid),
        nullable("doc", ColumnType::Json),
        Column {
            comment: Some("how they feel".into()),
            ..with_default(
                col(
                    "mood",
                    ColumnType::Enum {
                        name: "mood".into(),
                        values: vec!["ok".into(), "it's".into()],
                    },
                ),
                DefaultValue::String("ok".into()),
            )
        },
    ]);
    users.indexes.push(Index {
        name: "ix_users_email_age".into(),
        columns: vec![
            IndexColumn::asc("email"),
            IndexColumn {
                name: "age".into(),
                descending: true,
            },
        ],
        unique: true,
        method: Some("btree".into()),
        predicate: None,
    });
    let got = text(&render_create_schema(Dialect::Mysql, &s).unwrap_or_default());
    let want = r#"CREATE TABLE `orgs` (
    `id` bigint NOT NULL AUTO_INCREMENT,
    `name` text NOT NULL,
    PRIMARY KEY (`id`)
);
CREATE TABLE `users` (
    `id` bigint NOT NULL AUTO_INCREMENT,
    `org_id` bigint NOT NULL,
    `email` varchar(255) NOT NULL,
    `bio` text NULL,
    `age` int NOT NULL DEFAULT 0,
    `active` tinyint(1) NOT NULL DEFAULT 1,
    `tiny` tinyint unsigned NOT NULL,
    `small` smallint NOT NULL,
    `big` bigint unsigned NOT NULL,
    `r` float NOT NULL,
    `dbl` double NOT NULL,
    `price` decimal(10,2) NOT NULL,
    `code` char(3) NOT NULL,
    `data` longblob NOT NULL,
    `born` date NOT NULL DEFAULT (CURRENT_DATE),
    `at` time NOT NULL,
    `created` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    `seen` timestamp NULL,
    `uid` char(36) NOT NULL,
    `doc` json NULL,
    `mood` enum('ok','it''s') NOT NULL DEFAULT 'ok' COMMENT 'how they feel',
    PRIMARY KEY (`id`),
    CONSTRAINT `uq_users_email` UNIQUE (`email`),
    CONSTRAINT `fk_users_org_id_orgs` FOREIGN KEY (`org_id`) REFERENCES `orgs` (`id`) ON DELETE CASCADE
) COMMENT = 'it''s \\ people';
CREATE INDEX `ix_users_org_id` ON `users` (`org_id`);
CREATE UNIQUE INDEX `ix_users_email_age` ON `users` (`email`, `age` DESC) USING BTREE;
"#;
    assert_eq!(got, want);
}

#[test]
fn changes() {
    let s = users_schema();
    let users = s.tables[1].clone();
    let cases: Vec<(Vec<Change>, &str)> = vec![
        (
            vec![Change::DropTable(users.clone())],
            "-- destructive: drops table users and all its rows\nDROP TABLE `users`;\n",
        ),
        (
            vec![Change::RenameTable { from: "users".into(), to: "people".into() }],
            "RENAME TABLE `users` TO `people`;\n",
        ),
        (
            vec![Change::AddColumn { table: "users".into(), column: nullable("nick", varchar(40)) }],
            "ALTER TABLE `users` ADD COLUMN `nick` varchar(40) NULL;\n",
        ),
        (
            vec![Change::DropColumn { table: "users".into(), column: nullable("bio", ColumnType::Text) }],
            "-- destructive: drops column users.bio and all its data\nALTER TABLE `users` DROP COLUMN `bio`;\n",
        ),
        (
            vec![Change::RenameColumn { table: "users".into(), from: "bio".into(), to: "about".into() }],
            "ALTER TABLE `users` RENAME COLUMN `bio` TO `about`;\n",
        ),
        (
            vec![Change::AlterColumn {
                table: "users".into(),
                from: age(),
                to: Column { ty: ColumnType::SmallInt { unsigned: false }, comment: Some("years".into()), ..age() },
            }],
            "-- destructive: narrows users.age from integer to smallint: out-of-range values are rejected or lose precision\n\
             ALTER TABLE `users` MODIFY COLUMN `age` smallint NOT NULL DEFAULT 0 COMMENT 'years';\n",
        ),
        (
            vec![Change::AlterPrimaryKey {
                table: "users".into(),
                from: users.primary_key.clone(),
                to: Some(pk("pk_users", &["id", "email"])),
            }],
            "ALTER TABLE `users` DROP PRIMARY KEY, ADD PRIMARY KEY (`id`, `email`);\n",
        ),
        (
            vec![Change::AddUnique { table: "users".into(), unique: unique("uq_users_bio", &["bio"]) }],
            "ALTER TABLE `users` ADD CONSTRAINT `uq_users_bio` UNIQUE (`bio`);\n",
        ),
        (
            vec![Change::DropUnique {
                table: "users".into(),
                unique: UniqueConstraint { name: None, columns: vec!["email".into()] },
            }],
            "ALTER TABLE `users` DROP INDEX `uq_users_email`;\n",
        ),
        (
            vec![
                Change::DropForeignKey { table: "users".into(), foreign_key: users.foreign_keys[0].clone() },
                Change::AddForeignKey { table: "users".into(), foreign_key: fk("fk_users_org", &["org_id"], "orgs", &["id"]) },
            ],
            "ALTER TABLE `users` DROP FOREIGN KEY `fk_users_org_id_orgs`;\n\
             ALTER TABLE `users` ADD CONSTRAINT `fk_users_org` FOREIGN KEY (`org_id`) REFERENCES `orgs` (`id`);\n",
        ),
        (
            vec![
                Change::AddCheck { table: "users".into(), check: check("ck_users_age", "age >= 0") },
                Change::DropCheck { table: "users".into(), check: check("ck_users_age", "age >= 0") },
            ],
            "ALTER TABLE `users` ADD CONSTRAINT `ck_users_age` CHECK (age >= 0);\n\
             ALTER TABLE `users` DROP CONSTRAINT `ck_users_age`;\n",
        ),
        (
            vec![
                Change::AddIndex { table: "users".into(), index: Index { method: Some("fulltext".into()), ..index("ix_users_bio", &["bio"]) } },
                Change::DropIndex { table: "users".into(), index: index("ix_users_org_id", &["org_id"]) },
            ],
            "CREATE FULLTEXT INDEX `ix_users_bio` ON `users` (`bio`);\n\
             DROP INDEX `ix_users_org_id` ON `users`;\n",
        ),
        (
            vec![Change::AlterTableComment { table: "users".into(), from: Some("x".into()), to: None }],
            "ALTER TABLE `users` COMMENT = '';\n",
        ),
        (
            vec![Change::CreateEnum(EnumType { name: "mood".into(), values: vec!["ok".into()] })],
            "",
        ),
    ];
    for (changes, want) in cases {
        assert_eq!(my(&s, &changes), want, "{changes:?}");
    }
}

#[test]
fn partial_indexes_are_unsupported() {
    let err = render(
        Dialect::Mysql,
        &users_schema(),
        &[Change::AddIndex {
            table: "users".into(),
            index: Index {
                predicate: Some("bio IS NOT NULL".into()),
                ..index("ix_users_bio", &["bio"])
            },
        }],
    );
    match err {
        Err(RenderError::Unsupported { change, hint }) => {
            assert_eq!(change, "add index ix_users_bio on users (bio)");
            assert!(hint.contains("no partial indexes"), "{hint}");
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn canonicalize_matches_what_mysql_reports() {
    let mut t = Table::new("t");
    t.comment = Some(String::new());
    t.columns = vec![
        col("u", ColumnType::Uuid),
        col("v", ColumnType::Varchar { length: None }),
        col("c", ColumnType::Char { length: None }),
        col(
            "d",
            ColumnType::Decimal {
                precision: None,
                scale: None,
            },
        ),
        col(
            "e",
            ColumnType::Decimal {
                precision: Some(5),
                scale: None,
            },
        ),
        col(
            "m",
            ColumnType::Enum {
                name: "mood".into(),
                values: vec!["a".into()],
            },
        ),
        col("n", ColumnType::Integer { unsigned: true }),
    ];
    t.indexes = vec![
        Index {
            method: Some("btree".into()),
            ..index("ix_t_u", &["u"])
        },
        Index {
            unique: true,
            ..index("ux_t_u_v", &["u", "v"])
        },
        Index {
            unique: true,
            columns: vec![IndexColumn {
                name: "n".into(),
                descending: true,
            }],
            ..index("ux_t_n", &[])
        },
    ];
    t.primary_key = Some(pk("pk_t", &["u"]));
    t.foreign_keys = vec![autogen_schema::ForeignKey {
        on_delete: autogen_schema::ReferentialAction::Restrict,
        ..fk("fk_t", &["n"], "t", &["u"])
    }];
    let schema = Schema {
        tables: vec![t],
        enums: vec![EnumType {
            name: "mood".into(),
            values: vec!["a".into()],
        }],
    };
    let got = canonicalize(Dialect::Mysql, &schema);
    assert!(got.enums.is_empty());
    let t = &got.tables[0];
    assert_eq!(t.comment, None);
    let types: Vec<String> = t.columns.iter().map(|c| c.ty.to_string()).collect();
    assert_eq!(
        types,
        [
            "char(36)",
            "text",
            "char(1)",
            "decimal(10,0)",
            "decimal(5,0)",
            "enum t_m('a')",
            "integer unsigned"
        ]
    );
    assert_eq!(t.indexes[0].method, None);
    // The plain unique index is what MySQL reports as a unique constraint; the descending one
    // stays an index.
    assert_eq!(
        t.indexes
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>(),
        ["ix_t_u", "ux_t_n"]
    );
    assert_eq!(t.unique_constraints, vec![unique("ux_t_u_v", &["u", "v"])]);
    assert_eq!(t.primary_key.as_ref().and_then(|p| p.name.clone()), None);
    assert_eq!(
        t.foreign_keys[0].on_delete,
        autogen_schema::ReferentialAction::NoAction
    );
    assert_eq!(canonicalize(Dialect::Mysql, &got), got);
}

#[test]
fn canonicalize_reads_hash_indexes_as_innodb_stores_them() {
    // InnoDB builds a B-tree for `USING HASH` and reports BTREE; MariaDB's unique HASH key over
    // a plain column is reported as a unique constraint. Descending parts and predicates stay.
    let mut t = Table::new("t");
    t.columns = vec![col("a", int()), col("b", int())];
    let desc = |name: &str| IndexColumn {
        name: name.into(),
        descending: true,
    };
    t.indexes = vec![
        Index {
            method: Some("hash".into()),
            ..index("ix_t_a", &["a"])
        },
        Index {
            method: Some("hash".into()),
            unique: true,
            ..index("ux_t_b", &["b"])
        },
        Index {
            columns: vec![desc("a"), IndexColumn::asc("b")],
            predicate: Some("a > 0".into()),
            ..index("ix_t_a_b", &[])
        },
    ];
    let schema = Schema {
        tables: vec![t],
        enums: vec![],
    };
    let got = canonicalize(Dialect::Mysql, &schema);
    let t = &got.tables[0];
    assert_eq!(t.indexes.len(), 2, "{:#?}", t.indexes);
    assert_eq!(t.indexes[0], index("ix_t_a", &["a"]));
    assert_eq!(t.indexes[1].columns, vec![desc("a"), IndexColumn::asc("b")]);
    assert_eq!(t.indexes[1].predicate.as_deref(), Some("a > 0"));
    assert_eq!(t.unique_constraints, vec![unique("ux_t_b", &["b"])]);
}
