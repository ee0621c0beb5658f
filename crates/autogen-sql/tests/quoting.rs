//! Identifier quoting per dialect: the quote character is doubled, nothing else is touched.

use autogen_schema::Dialect;
use autogen_sql::quote_ident;

#[test]
fn identifiers_are_quoted_and_quotes_doubled() {
    let cases: &[(Dialect, &str, &str)] = &[
        (Dialect::Sqlite, "users", "\"users\""),
        (Dialect::Sqlite, "we\"ird", "\"we\"\"ird\""),
        (Dialect::Sqlite, "sel`ect", "\"sel`ect\""),
        (Dialect::Postgres, "order", "\"order\""),
        (Dialect::Postgres, "Ünïcode name", "\"Ünïcode name\""),
        (Dialect::Postgres, "\"\"", "\"\"\"\"\"\""),
        (Dialect::Mysql, "sel`ect", "`sel``ect`"),
        (Dialect::Mysql, "we\"ird", "`we\"ird`"),
        (Dialect::Mysql, "back\\slash", "`back\\slash`"),
        (Dialect::Mysql, "", "``"),
    ];
    for (d, raw, want) in cases {
        assert_eq!(quote_ident(*d, raw), *want, "{d} {raw:?}");
    }
}
