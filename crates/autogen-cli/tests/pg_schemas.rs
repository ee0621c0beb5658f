//! Several PostgreSQL schemas in one project (`schemas = ["public", "billing"]`), through the
//! real binary on a real server: tables in both schemas, the same table name in both, foreign
//! keys across them, a table moved between schemas with its rows (`SET SCHEMA`), downgrade back
//! and to base, `check` clean at every step; and the configuration errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use autogen::schema::Dialect;
use common::{text, Project};

const CONFIG: &str = "schemas = [\"public\", \"billing\"]\n";

/// `customers` in both schemas, `invoices` in billing referencing public's customers, `orders`
/// referencing billing's invoices; `moved` puts `orders` in billing (declared as a move) and
/// gives billing's customers a new column.
fn models(moved: bool) -> String {
    let (orders_schema, extra) = if moved {
        (
            "#[model(schema = \"billing\", renamed_from = \"public.orders\")]",
            "    pub note: Option<String>,\n",
        )
    } else {
        ("", "")
    };
    format!(
        r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "customers")]
pub struct Customer {{
    #[model(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
}}

#[derive(Model)]
#[model(table = "customers", schema = "billing")]
#[model(index(columns("vat")))]
pub struct BillingCustomer {{
    #[model(primary_key)]
    pub id: i64,
    pub vat: String,
{extra}}}

#[derive(Model)]
#[model(table = "invoices", schema = "billing", comment = "one per order")]
pub struct Invoice {{
    #[model(primary_key, auto_increment)]
    pub id: i64,
    #[model(references = "customers.id", on_delete = "cascade", index)]
    pub customer_id: i64,
    #[model(unique)]
    pub number: String,
}}

#[derive(Model)]
#[model(table = "orders")]
{orders_schema}
pub struct Order {{
    #[model(primary_key, auto_increment)]
    pub id: i64,
    #[model(references = "billing.invoices.id")]
    pub invoice_id: Option<i64>,
}}
"#
    )
}

fn assert_exit(p: &Project, args: &[&str], code: i32) -> String {
    let out = p.run(args);
    let shown = text(&out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "autogen {args:?} should exit {code}:\n{shown}"
    );
    shown
}

/// `schema.table` of every table in the two schemas, sorted.
async fn tables(p: &Project) -> Vec<String> {
    p.strings(
        "SELECT n.nspname || '.' || c.relname AS x FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname IN ('public', 'billing') AND c.relkind = 'r' ORDER BY 1",
    )
    .await
}

#[tokio::test]
async fn two_schemas_round_trip_with_a_move_between_them() {
    let Some(p) = Project::new(Dialect::Postgres, &models(false), CONFIG).await else {
        return;
    };
    p.execute("CREATE SCHEMA billing").await;

    let out = p.ok(&["-m", "create"]);
    let create = std::fs::read_to_string(p.revision_file(&out)).expect("read revision");
    for want in [
        "CREATE TABLE \"billing\".\"customers\"",
        "CREATE TABLE \"customers\"",
        "REFERENCES \"customers\" (\"id\")",
        "REFERENCES \"billing\".\"invoices\" (\"id\")",
        "ON \"billing\".\"invoices\"",
        "COMMENT ON TABLE \"billing\".\"invoices\"",
    ] {
        assert!(create.contains(want), "{want} missing:\n{create}");
    }
    p.ok(&["upgrade"]);
    assert_exit(&p, &["check"], 0);
    assert!(p.ok(&["-m", "again"]).contains("No changes detected"));
    let created = [
        "billing.customers",
        "billing.invoices",
        "public.autogen_version",
        "public.customers",
        "public.orders",
    ];
    assert_eq!(tables(&p).await, created);

    p.execute(
        "INSERT INTO customers (name) VALUES ('ada');
         INSERT INTO billing.customers (id, vat) VALUES (7, 'DE1');
         INSERT INTO billing.invoices (customer_id, number) VALUES (1, 'N-1');
         INSERT INTO orders (invoice_id) VALUES (1), (NULL);",
    )
    .await;

    // The move: `orders` goes to billing with its rows; billing's customers gets a column.
    p.write_models(&models(true));
    let out = p.ok(&["-m", "move orders"]);
    let move_file = p.revision_file(&out);
    let moved = std::fs::read_to_string(&move_file).expect("read revision");
    assert!(
        moved.contains("ALTER TABLE \"orders\" SET SCHEMA \"billing\""),
        "{moved}"
    );
    assert!(
        moved.contains("ALTER TABLE \"billing\".\"customers\" ADD COLUMN \"note\""),
        "{moved}"
    );
    assert!(
        !moved.contains("DROP TABLE"),
        "a move drops nothing:\n{moved}"
    );
    p.ok(&["upgrade"]);
    assert_exit(&p, &["check"], 0);
    assert!(p.ok(&["-m", "again"]).contains("No changes detected"));
    assert_eq!(
        tables(&p).await,
        [
            "billing.customers",
            "billing.invoices",
            "billing.orders",
            "public.autogen_version",
            "public.customers",
        ]
    );
    assert_eq!(
        p.strings("SELECT coalesce(invoice_id::text, '-') AS x FROM billing.orders ORDER BY id")
            .await,
        ["1", "-"]
    );

    // Back: the downgrade moves it home again, rows and all, and the first models agree (the
    // move's revision removed, as when a branch is abandoned).
    p.ok(&["downgrade"]);
    std::fs::remove_file(&move_file).expect("remove the move's revision");
    p.write_models(&models(false));
    assert_exit(&p, &["check"], 0);
    assert_eq!(tables(&p).await, created);
    assert_eq!(p.strings("SELECT count(*) AS x FROM orders").await, ["2"]);
    assert_eq!(
        p.strings("SELECT vat AS x FROM billing.customers").await,
        ["DE1"]
    );

    // To base: both schemas are empty but for the version table.
    p.ok(&["downgrade", "base"]);
    assert_eq!(tables(&p).await, ["public.autogen_version"]);
    p.drop_database().await;
}

#[tokio::test]
async fn schema_configuration_errors_are_clear() {
    // `schemas` on a database without schemas.
    let Some(p) = Project::new(Dialect::Sqlite, &models(false), CONFIG).await else {
        return;
    };
    let shown = assert_exit(&p, &["check"], 2);
    assert!(shown.contains("only PostgreSQL has schemas"), "{shown}");

    // `pg_schema` naming another schema than the first of `schemas`.
    let Some(p) = Project::new(
        Dialect::Postgres,
        &models(false),
        "pg_schema = \"app\"\nschemas = [\"public\", \"billing\"]\n",
    )
    .await
    else {
        return;
    };
    let shown = assert_exit(&p, &["check"], 2);
    assert!(
        shown.contains("the default schema must be the first of `schemas`"),
        "{shown}"
    );
    p.drop_database().await;

    // A model in a schema the project does not list.
    let Some(p) = Project::new(Dialect::Postgres, &models(false), "").await else {
        return;
    };
    let shown = assert_exit(&p, &["check"], 2);
    assert!(
        shown.contains("is in schema `billing`, which autogen.toml does not manage"),
        "{shown}"
    );
    assert!(shown.contains("add it to `schemas`"), "{shown}");

    // A listed schema that does not exist.
    std::fs::write(
        p.root().join("autogen.toml"),
        format!(
            "database_url = \"{}\"\nmodels = [\"src/*.rs\"]\n{CONFIG}",
            p.url()
        ),
    )
    .expect("write config");
    let shown = assert_exit(&p, &["check"], 2);
    assert!(shown.contains("`billing` does not exist"), "{shown}");
    p.drop_database().await;
}
