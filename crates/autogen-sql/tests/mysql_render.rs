//! Golden tests of MySQL/MariaDB rendering: whole SQL text per change kind.

mod common;

use autogen_diff::Change;
use autogen_schema::{
    Column, ColumnType, DefaultValue, Dialect, EnumType, Index, Schema, UniqueConstraint,
};
use autogen_sql::{render, RenderError};
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
                unique: UniqueConstraint { name: None, columns: vec!["email".into()], deferrable: Default::default() },
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
            // ix_users_org_id is the only index serving fk_users_org_id_orgs: InnoDB refuses
            // to drop it (error 1553) until the key has its own index again.
            "CREATE FULLTEXT INDEX `ix_users_bio` ON `users` (`bio`);\n\
             -- foreign key fk_users_org_id_orgs needs an index on (org_id) once the next statement drops the one that served it\n\
             CREATE INDEX `fk_users_org_id_orgs` ON `users` (`org_id`);\n\
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
