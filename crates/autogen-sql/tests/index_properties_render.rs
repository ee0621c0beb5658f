//! The index properties only some dialects have (prefix lengths, operator classes, INCLUDE,
//! NULLS NOT DISTINCT, NULLS order, key-part collations, comments): each dialect writes the ones
//! it has and refuses the others by name, rather than building a different index.

mod common;

use autogen_diff::Change;
use autogen_schema::{Dialect, Index, IndexColumn};
use autogen_sql::{render, RenderError};
use common::*;

fn add(index: Index) -> Change {
    Change::AddIndex {
        table: "users".into(),
        index,
    }
}

fn rendered(dialect: Dialect, index: Index) -> Result<String, RenderError> {
    render(dialect, &users_schema(), &[add(index)]).map(|s| text(&s))
}

fn every_property() -> Index {
    Index {
        columns: vec![
            IndexColumn {
                collation: Some("C".into()),
                opclass: Some("text_pattern_ops".into()),
                descending: true,
                nulls_first: Some(false),
                ..IndexColumn::asc("bio")
            },
            IndexColumn::expr("lower(email)"),
        ],
        include: vec!["age".into()],
        nulls_not_distinct: true,
        comment: Some("it's searched".into()),
        ..index("ix_users_bio", &[])
    }
}

#[test]
fn postgres_writes_every_property_it_has() {
    assert_eq!(
        rendered(Dialect::Postgres, every_property()).unwrap(),
        "CREATE INDEX \"ix_users_bio\" ON \"users\" (\"bio\" COLLATE \"C\" text_pattern_ops DESC NULLS LAST, (lower(email))) INCLUDE (\"age\") NULLS NOT DISTINCT;\n\
         COMMENT ON INDEX \"ix_users_bio\" IS 'it''s searched';\n"
    );
}

#[test]
fn mysql_writes_prefix_lengths_and_comments() {
    let ix = Index {
        columns: vec![IndexColumn {
            prefix_length: Some(191),
            ..IndexColumn::asc("email")
        }],
        comment: Some("it's searched".into()),
        ..index("ix_users_email", &[])
    };
    assert_eq!(
        rendered(Dialect::Mysql, ix).unwrap(),
        "CREATE INDEX `ix_users_email` ON `users` (`email`(191)) COMMENT 'it''s searched';\n"
    );
}

#[test]
fn sqlite_writes_collations_and_drops_comments() {
    let ix = Index {
        columns: vec![IndexColumn {
            collation: Some("NOCASE".into()),
            ..IndexColumn::asc("email")
        }],
        ..index("ix_users_email", &[])
    };
    assert_eq!(
        rendered(Dialect::Sqlite, ix).unwrap(),
        "CREATE INDEX \"ix_users_email\" ON \"users\" (\"email\" COLLATE \"NOCASE\");\n"
    );
}

#[test]
fn each_dialect_refuses_what_it_does_not_have() {
    let prefix = Index {
        columns: vec![IndexColumn {
            prefix_length: Some(10),
            ..IndexColumn::asc("email")
        }],
        ..index("ix_users_email", &[])
    };
    let opclass = Index {
        columns: vec![IndexColumn {
            opclass: Some("text_pattern_ops".into()),
            ..IndexColumn::asc("email")
        }],
        ..index("ix_users_email", &[])
    };
    let include = Index {
        include: vec!["age".into()],
        ..index("ix_users_email", &["email"])
    };
    let nulls = Index {
        nulls_not_distinct: true,
        ..index("ix_users_email", &["email"])
    };
    for (dialect, ix, want) in [
        (
            Dialect::Postgres,
            prefix.clone(),
            "PostgreSQL has no key prefix lengths",
        ),
        (Dialect::Sqlite, prefix, "SQLite has no key prefix lengths"),
        (
            Dialect::Mysql,
            opclass.clone(),
            "MySQL/MariaDB has no operator classes",
        ),
        (Dialect::Sqlite, opclass, "SQLite has no operator classes"),
        (
            Dialect::Mysql,
            include,
            "MySQL/MariaDB has no INCLUDE columns",
        ),
        (
            Dialect::Mysql,
            nulls,
            "MySQL/MariaDB has no NULLS NOT DISTINCT",
        ),
    ] {
        match rendered(dialect, ix) {
            Err(RenderError::Unsupported { hint, .. }) => {
                assert!(hint.starts_with(want), "{dialect}: {hint}")
            }
            other => panic!("{dialect}: expected `{want}`, got {other:?}"),
        }
    }
}
