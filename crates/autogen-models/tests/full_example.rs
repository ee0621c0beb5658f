//! The attribute vocabulary end to end: VOCAB.md's `User` read into the exact expected table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use autogen_models::read_sources;
use autogen_schema::{
    Check, Column, ColumnRename, ColumnType, DefaultValue, EnumType, ForeignKey, Index,
    IndexColumn, NamingConvention, PrimaryKey, ReferentialAction, RenameHints, Table, TableRename,
    UniqueConstraint,
};

const ENUMS: &str = r#"
use autogen::Enum;

#[derive(Enum)]
#[model(name = "post_status")]
pub enum PostStatus {
    Draft,
    #[model(rename = "published")]
    Live,
}

#[derive(autogen::Enum)]
pub enum UnusedKind { A, B }
"#;

const MODELS: &str = r#"
use autogen::{Model, Enum};
use crate::enums::PostStatus;

pub fn not_a_model() {}

#[derive(Debug, Clone)]
pub struct NotAModel { pub x: Vec<String> }

#[derive(Debug, Model)]
#[model(table = "users")]
#[model(comment = "People who sign in")]
#[model(renamed_from = "accounts")]
#[model(primary_key(columns("org_id", "id"), name = "pk_users"))]
#[model(index(columns("org_id", "created_at")))]
#[model(index(name = "ix_recent", columns("created_at"), unique))]
#[model(unique(columns("org_id", "email")))]
#[model(check(name = "ck_users_age", expr = "age   >=   0"))]
#[model(check(expr = "length(email) > 3"))]
pub struct User {
    pub id: i64,
    #[model(max_length = 255, unique)]
    pub email: String,
    pub bio: Option<String>,
    #[model(default = "CURRENT_TIMESTAMP")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[model(references = "orgs.id", on_delete = "cascade", on_update = "no_action", index)]
    pub org_id: i64,
    #[model(renamed_from = "fullname")]
    pub full_name: String,
    #[model(column_type = "numeric(10,2)")]
    pub price: rust_decimal::Decimal,
    #[model(precision = 12, scale = 4)]
    pub rate: rust_decimal::Decimal,
    #[model(column = "type")]
    pub kind: String,
    #[model(comment = "shown on the profile")]
    pub nickname: Option<String>,
    #[model(default = 0)]
    pub age: i32,
    pub status: PostStatus,
    #[model(skip)]
    pub cache: Vec<String>,
}

pub mod nested {
    #[derive(autogen::Model)]
    #[model(table = "orgs")]
    pub struct Org {
        #[model(primary_key, auto_increment)]
        pub id: i64,
        pub name: String,
    }
}
"#;

fn col(name: &str, ty: ColumnType) -> Column {
    Column::new(name, ty)
}

#[test]
fn vocab_user_reads_into_the_expected_table() {
    let files = vec![
        (PathBuf::from("src/models.rs"), MODELS.to_string()),
        (PathBuf::from("src/enums.rs"), ENUMS.to_string()),
    ];
    let set = read_sources(&files, &NamingConvention::default()).unwrap();
    let status = ColumnType::Enum {
        name: "post_status".into(),
        values: vec!["draft".into(), "published".into()],
    };
    // VOCAB.md's `id` also says `primary_key, auto_increment`; together with the struct's
    // composite key that is an error (see errors.rs), so this `id` is a plain key column.
    let id = col("id", ColumnType::BigInt { unsigned: false });
    let mut bio = col("bio", ColumnType::Text);
    bio.nullable = true;
    let mut created_at = col(
        "created_at",
        ColumnType::Timestamp {
            with_time_zone: true,
        },
    );
    created_at.default = Some(DefaultValue::CurrentTimestamp);
    let mut nickname = col("nickname", ColumnType::Text);
    nickname.nullable = true;
    nickname.comment = Some("shown on the profile".into());
    let mut age = col("age", ColumnType::Integer { unsigned: false });
    age.default = Some(DefaultValue::Number("0".into()));
    let users = Table {
        name: "users".into(),
        columns: vec![
            id,
            col("email", ColumnType::Varchar { length: Some(255) }),
            bio,
            created_at,
            col("org_id", ColumnType::BigInt { unsigned: false }),
            col("full_name", ColumnType::Text),
            col(
                "price",
                ColumnType::Decimal {
                    precision: Some(10),
                    scale: Some(2),
                },
            ),
            col(
                "rate",
                ColumnType::Decimal {
                    precision: Some(12),
                    scale: Some(4),
                },
            ),
            col("type", ColumnType::Text),
            nickname,
            age,
            col("status", status.clone()),
        ],
        primary_key: Some(PrimaryKey {
            name: Some("pk_users".into()),
            columns: vec!["org_id".into(), "id".into()],
        }),
        indexes: vec![
            Index {
                name: "ix_users_org_id_created_at".into(),
                columns: vec![IndexColumn::asc("org_id"), IndexColumn::asc("created_at")],
                unique: false,
                method: None,
                predicate: None,
                ..Default::default()
            },
            Index {
                name: "ix_recent".into(),
                columns: vec![IndexColumn::asc("created_at")],
                unique: true,
                method: None,
                predicate: None,
                ..Default::default()
            },
            Index {
                name: "ix_users_org_id".into(),
                columns: vec![IndexColumn::asc("org_id")],
                unique: false,
                method: None,
                predicate: None,
                ..Default::default()
            },
        ],
        unique_constraints: vec![
            UniqueConstraint {
                name: Some("uq_users_org_id_email".into()),
                columns: vec!["org_id".into(), "email".into()],
                deferrable: Default::default(),
            },
            UniqueConstraint {
                name: Some("uq_users_email".into()),
                columns: vec!["email".into()],
                deferrable: Default::default(),
            },
        ],
        foreign_keys: vec![ForeignKey {
            name: Some("fk_users_org_id_orgs".into()),
            columns: vec!["org_id".into()],
            referenced_table: "orgs".into(),
            referenced_columns: vec!["id".into()],
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::NoAction,
            deferrable: Default::default(),
        }],
        checks: vec![
            Check {
                name: Some("ck_users_age".into()),
                expression: "age >= 0".into(),
            },
            Check {
                name: Some("ck_users_1".into()),
                expression: "length(email) > 3".into(),
            },
        ],
        comment: Some("People who sign in".into()),
        ..Table::default()
    };
    assert_eq!(set.schema.tables.len(), 2);
    assert_eq!(set.schema.tables[0], users);
    let mut org_id = col("id", ColumnType::BigInt { unsigned: false });
    org_id.auto_increment = true;
    assert_eq!(
        set.schema.tables[1],
        Table {
            name: "orgs".into(),
            columns: vec![org_id, col("name", ColumnType::Text)],
            primary_key: Some(PrimaryKey {
                name: Some("pk_orgs".into()),
                columns: vec!["id".into()],
            }),
            ..Table::default()
        }
    );
    assert_eq!(
        set.schema.enums,
        vec![EnumType {
            name: "post_status".into(),
            values: vec!["draft".into(), "published".into()],
        }]
    );
    assert_eq!(
        set.renames,
        RenameHints {
            tables: vec![TableRename {
                from: "accounts".into(),
                to: "users".into(),
            }],
            columns: vec![ColumnRename {
                table: "users".into(),
                from: "fullname".into(),
                to: "full_name".into(),
            }],
        }
    );
}
