//! Tables of other PostgreSQL schemas in the IR: the key `schema.name` with [`Table::schema`],
//! its bare name, and the schema text's `schema` line read back (and refused when the key does
//! not start with the schema).

use autogen_schema::{parse_text, qualified_name, render_text, Schema, Table};

#[test]
fn a_table_of_another_schema_keeps_its_schema_through_the_text() {
    let schema = Schema {
        tables: vec![
            Table::new("invoices"),
            Table {
                name: qualified_name(Some("billing"), "invoices"),
                schema: Some("billing".into()),
                ..Table::default()
            },
        ],
        ..Schema::default()
    };
    let text = render_text(&schema);
    assert_eq!(
        text,
        "table billing.invoices\n  schema billing\ntable invoices\n"
    );
    let back = parse_text(&text).expect("parse");
    assert_eq!(back.tables.len(), 2);
    let billing = back.table("billing.invoices").expect("billing.invoices");
    assert_eq!(billing.schema.as_deref(), Some("billing"));
    assert_eq!(billing.bare_name(), "invoices");
    assert_eq!(
        back.table("invoices").map(Table::bare_name),
        Some("invoices")
    );
    assert_eq!(qualified_name(None, "a.b"), "a.b");

    let err = parse_text("table invoices\n  schema billing\n").unwrap_err();
    assert!(
        err.to_string().contains("must start with `billing.`"),
        "{err}"
    );
}
