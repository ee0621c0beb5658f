//! Index options in the struct-level `index(...)`: descending key parts, a partial-index
//! predicate (`where`) and an access method, read into the IR exactly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use autogen_models::{check_model_item, read_sources};
use autogen_schema::{Index, IndexColumn, NamingConvention};

const MODELS: &str = r#"
#[derive(autogen::Model)]
#[model(table = "events")]
#[model(index(columns("created_at DESC", "id")))]
#[model(index(name = "ix_live", columns("id asc"), where = "deleted_at   IS NULL", unique))]
#[model(index(columns("payload"), method = "GIN"))]
pub struct Event {
    #[model(primary_key)]
    pub id: i64,
    pub created_at: chrono::NaiveDateTime,
    pub deleted_at: Option<chrono::NaiveDateTime>,
    #[model(column_type = "jsonb")]
    pub payload: serde_json::Value,
}
"#;

#[test]
fn index_options_read_into_the_ir() {
    let set = read_sources(
        &[(PathBuf::from("models.rs"), MODELS.to_string())],
        &NamingConvention::default(),
    )
    .unwrap();
    let table = set.schema.table("events").unwrap();
    assert_eq!(
        table.indexes,
        vec![
            Index {
                name: "ix_events_created_at_id".into(),
                columns: vec![
                    IndexColumn {
                        name: "created_at".into(),
                        descending: true,
                        ..Default::default()
                    },
                    IndexColumn::asc("id"),
                ],
                unique: false,
                method: None,
                predicate: None,
                ..Default::default()
            },
            Index {
                name: "ix_live".into(),
                columns: vec![IndexColumn::asc("id")],
                unique: true,
                method: None,
                predicate: Some("deleted_at IS NULL".into()),
                ..Default::default()
            },
            Index {
                name: "ix_events_payload".into(),
                columns: vec![IndexColumn::asc("payload")],
                unique: false,
                method: Some("gin".into()),
                predicate: None,
                ..Default::default()
            },
        ]
    );
}

#[test]
fn the_derive_accepts_index_options() {
    let input: syn::DeriveInput = syn::parse_str(MODELS.trim()).unwrap();
    assert!(check_model_item(&input).is_ok());
    let bad: syn::DeriveInput =
        syn::parse_str(r#"#[model(index(columns("a sideways"), where = ""))] struct A { a: i64 }"#)
            .unwrap();
    let errors: Vec<String> = check_model_item(&bad)
        .unwrap_err()
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].starts_with("unknown sort direction `sideways`"),
        "{errors:#?}"
    );
    assert!(
        errors[1].starts_with("the index predicate (`where`) is empty"),
        "{errors:#?}"
    );
}
