//! The spellings each server prints back, against what people write. The server side of each
//! pair is copied from a real server (PostgreSQL 15's `pg_get_constraintdef` / `pg_get_expr`,
//! MariaDB 10.11's `CHECK_CONSTRAINTS`); the spelling table test (tests/tests/spellings.rs) runs
//! the same kind of pairs through real servers end to end.

use super::*;

fn same(dialect: Option<Dialect>, pairs: &[(&str, &str)]) {
    for (a, b) in pairs {
        assert_eq!(
            expression_key(dialect, a),
            expression_key(dialect, b),
            "{dialect:?}: {a:?} vs {b:?}"
        );
    }
}

fn different(dialect: Option<Dialect>, pairs: &[(&str, &str)]) {
    for (a, b) in pairs {
        assert_ne!(
            expression_key(dialect, a),
            expression_key(dialect, b),
            "{dialect:?}: {a:?} vs {b:?}"
        );
    }
}

#[test]
fn postgres_prints() {
    same(
        Some(Dialect::Postgres),
        &[
            ("qty>0", "(qty > 0)"),
            ("age >= 0 AND age < 200", "((age >= 0) AND (age < 200))"),
            ("email <> ''", "((email)::text <> ''::text)"),
            ("price > 0", "(price > (0)::numeric)"),
            ("price > 1.50", "(price > 1.5)"),
            ("qty > -1", "(qty > '-1'::integer)"),
            ("qty > 1e3", "((qty)::numeric > '1000'::numeric)"),
            ("status IN ('a','b')", "(status = ANY (ARRAY['a'::text, 'b'::text]))"),
            (
                "kind IN ('admin', 'staff')",
                "((kind)::text = ANY ((ARRAY['admin'::character varying, 'staff'::character varying])::text[]))",
            ),
            (
                "kind IN ('admin', 'staff')",
                "((kind)::text = ANY (ARRAY[('admin'::character varying)::text, ('staff'::character varying)::text]))",
            ),
            ("qty IN (1,2,3)", "(qty = ANY (ARRAY[1, 2, 3]))"),
            ("size NOT IN (1,2,3)", "(size <> ALL (ARRAY[1, 2, 3]))"),
            ("code IN ('a')", "((code)::text = 'a'::text)"),
            ("code LIKE 'X%'", "((code)::text ~~ 'X%'::text)"),
            ("email NOT LIKE '%@x'", "((email)::text !~~ '%@x'::text)"),
            ("email ILIKE 'a%'", "(email ~~* 'a%'::text)"),
            ("email NOT ILIKE 'a%'", "(email !~~* 'a%'::text)"),
            ("a != b", "(a <> b)"),
            (
                "price BETWEEN 0 AND 100",
                "((price >= (0)::numeric) AND (price <= (100)::numeric))",
            ),
            ("qty NOT BETWEEN 1 AND 5", "((qty < 1) OR (qty > 5))"),
            (
                "COALESCE(note, '') <> 'none' AND (note IS NOT NULL OR qty IS NULL)",
                "((COALESCE(note, ''::text) <> 'none'::text) AND ((note IS NOT NULL) OR (qty IS NULL)))",
            ),
            (
                "coalesce(code,'') <> ''",
                "((COALESCE(code, ''::character varying))::text <> ''::text)",
            ),
            ("LOWER(code) = 'x'", "(lower((code)::text) = 'x'::text)"),
            ("Qty > 0 And Qty < 9", "((qty > 0) AND (qty < 9))"),
            ("\"qty\" > 0", "(qty > 0)"),
            ("qty + 1 > 2 * (qty - 1)", "((qty + 1) > (2 * (qty - 1)))"),
            (
                "qty > 0 OR qty < 0 AND qty <> 5",
                "((qty > 0) OR ((qty < 0) AND (qty <> 5)))",
            ),
            ("a AND (b AND c)", "((a AND b) AND c)"),
            ("flag = TRUE", "(flag = true)"),
            ("now() + interval '1 day'", "(now() + '1 day'::interval)"),
            ("timezone('utc', now())", "timezone('utc'::text, now())"),
            ("'pending'::character varying", "'pending'"),
            ("'[]'::jsonb", "'[]'"),
            ("'{}'::text[]", "'{}'"),
            ("now()", "CURRENT_TIMESTAMP"),
            ("CAST(qty AS text) <> ''", "((qty)::text <> ''::text)"),
            ("NOT (qty IS NULL)", "(qty IS NOT NULL)"),
            ("size NOT IN (1,2,3)", "(NOT (size = ANY (ARRAY[1, 2, 3])))"),
            ("code NOT LIKE 'a%'", "NOT ((code)::text ~~ 'a%'::text)"),
            ("tags[1] IN ('x') AND n > 0", "((tags[1] = ANY (ARRAY['x'::text])) AND (n > 0))"),
        ],
    );
    different(
        Some(Dialect::Postgres),
        &[
            ("(a OR b) AND c", "a OR b AND c"),
            ("age >= 0", "age > 0"),
            ("name <> 'A'", "name <> 'a'"),
            ("x = 'it''s'", "x = 'its'"),
            ("x IN ('a', 'b')", "x IN ('a', 'c')"),
            ("x IN ('a', 'b')", "x NOT IN ('a', 'b')"),
            ("x LIKE 'a%'", "x NOT LIKE 'a%'"),
            ("x LIKE 'a%'", "x ILIKE 'a%'"),
            ("x = '~~'", "x = 'like'"),
            ("\"Qty\" > 0", "qty > 0"),
            ("a - (b - c)", "a - b - c"),
            ("qty BETWEEN 1 AND 5", "qty NOT BETWEEN 1 AND 5"),
            (
                "ts > '2020-01-01'",
                "ts > '2020-01-01 00:00:00'::timestamp without time zone",
            ),
        ],
    );
}

#[test]
fn mariadb_prints() {
    same(
        Some(Dialect::Mysql),
        &[
            ("qty>0", "`qty` > 0"),
            ("qty > -1", "`qty` > -1"),
            ("code IN ('a')", "`code` = 'a'"),
            ("status IN ('a','b')", "`status` in ('a','b')"),
            ("qty NOT BETWEEN 1 AND 5", "`qty` not between 1 and 5"),
            ("price BETWEEN 0 AND 100", "price >= 0 and price <= 100"),
            ("flag = TRUE", "`flag` = 1"),
            ("LOWER(code) = 'x'", "lcase(`code`) = 'x'"),
            (
                "Upper(code) = 'X' and code is not null",
                "ucase(`code`) = 'X' and `code` is not null",
            ),
            ("COALESCE(code,'') <> ''", "coalesce(`code`,'') <> ''"),
            ("NOT (qty IS NULL)", "`qty` is not null"),
            ("price > 1.50", "`price` > 1.50"),
            ("qty > 1e3", "`qty` > 1e3"),
            ("code != \"it's\"", "`code` <> 'it\\'s'"),
            ("code <> 'it''s'", "`code` <> 'it\\'s'"),
            ("Qty > 0", "`qty` > 0"),
            (
                "CURRENT_DATE + INTERVAL 1 DAY",
                "curdate() + interval 1 day",
            ),
            ("CURRENT_TIMESTAMP", "current_timestamp()"),
            ("now()", "current_timestamp()"),
        ],
    );
    different(
        Some(Dialect::Mysql),
        &[
            ("(a OR b) AND c", "a OR b AND c"),
            ("code = 'A'", "code = 'a'"),
            ("curdate() + interval 1 day", "curdate() + interval 2 day"),
        ],
    );
}

#[test]
fn sqlite_keeps_what_was_written() {
    same(
        Some(Dialect::Sqlite),
        &[
            ("qty>0", "qty > 0"),
            ("Qty > 0", "\"qty\" > 0"),
            ("qty == 0", "qty = 0"),
            ("status IN ('a','b')", "status in ( 'a', 'b' )"),
            ("(price BETWEEN 0 AND 100)", "price >= 0 AND price <= 100"),
            ("datetime('now', '+1 day')", "DATETIME('now','+1 day')"),
        ],
    );
    different(
        Some(Dialect::Sqlite),
        &[("(a OR b) AND c", "a OR b AND c"), ("x = 'A'", "x = 'a'")],
    );
}

#[test]
fn unreadable_text_falls_back_to_the_text_key() {
    // Not one expression: the folded-text key, no panic.
    for d in [
        None,
        Some(Dialect::Postgres),
        Some(Dialect::Mysql),
        Some(Dialect::Sqlite),
    ] {
        let a = expression_key(d, "qty > 0; DROP TABLE x");
        assert!(a.starts_with("text: "), "{a}");
        assert_eq!(a, expression_key(d, "QTY > 0; drop table x"));
        assert!(expression_key(d, "").starts_with("text: "));
        assert!(expression_key(d, "((((").starts_with("text: "));
        // Deeper than the parser's recursion limit.
        let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
        assert!(expression_key(d, &deep).starts_with("text: "));
    }
}

#[test]
fn defaults_compare_by_key() {
    use DefaultValue as D;
    let pg = Some(Dialect::Postgres);
    let e = |s: &str| D::Expression(s.into());
    assert!(same_default(
        pg,
        Some(&e("'[]'::jsonb")),
        Some(&D::String("[]".into()))
    ));
    assert!(same_default(
        pg,
        Some(&e("'{}'::text[]")),
        Some(&D::String("{}".into()))
    ));
    assert!(same_default(
        pg,
        Some(&e("now() + interval '1 day'")),
        Some(&e("now() + '1 day'::interval"))
    ));
    assert!(same_default(
        pg,
        Some(&e("timezone('utc', now())")),
        Some(&e("timezone('utc'::text, now())"))
    ));
    assert!(same_default(
        pg,
        Some(&e("now()")),
        Some(&D::CurrentTimestamp)
    ));
    assert!(same_default(
        pg,
        Some(&D::Number("1e3".into())),
        Some(&D::Number("1000".into()))
    ));
    assert!(!same_default(
        pg,
        Some(&D::String("a".into())),
        Some(&D::String("b".into()))
    ));
    assert!(!same_default(pg, Some(&D::Null), None));
    assert!(!same_default(
        pg,
        Some(&e("now() + interval '1 day'")),
        Some(&e("now() + interval '2 days'"))
    ));
    let my = Some(Dialect::Mysql);
    assert!(same_default(
        my,
        Some(&e("CURRENT_DATE + INTERVAL 1 DAY")),
        Some(&e("curdate() + interval 1 day"))
    ));
    assert!(same_default(
        my,
        Some(&D::Boolean(true)),
        Some(&D::Number("1".into()))
    ));
}

#[test]
fn array_constructor_defaults_are_the_array_literal() {
    use DefaultValue as D;
    let pg = Some(Dialect::Postgres);
    let e = |s: &str| D::Expression(s.into());
    let s = |s: &str| D::String(s.into());
    for (expression, literal) in [
        ("ARRAY[]::text[]", "{}"),
        ("array[]::integer[]", "{}"),
        ("ARRAY['x'::text, 'y'::text]", "{x,y}"),
        (
            "(ARRAY['a b', '', 'null', 'q\"', 'c,d'])::varchar(20)[]",
            r#"{"a b","","null","q\"","c,d"}"#,
        ),
        ("ARRAY[1, -2, 3.50]", "{1,-2,3.5}"),
        ("ARRAY[ARRAY[1, 2], ARRAY[3, 4]]", "{{1,2},{3,4}}"),
        ("ARRAY[true, false, NULL]", "{t,f,NULL}"),
    ] {
        assert!(
            same_default(pg, Some(&e(expression)), Some(&s(literal))),
            "{expression} = '{literal}'"
        );
        assert!(
            same_default(
                pg,
                Some(&e(expression)),
                Some(&e(&format!("'{literal}'::text[]")))
            ),
            "{expression} = '{literal}'::text[]"
        );
    }
    assert!(!same_default(pg, Some(&e("ARRAY['x']")), Some(&s("{y}"))));
    assert!(!same_default(pg, Some(&e("ARRAY[a]")), Some(&s("{a}"))));
    // Only a whole default: inside an expression the constructor stays (and `= ANY` folds).
    assert!(!same_default(
        pg,
        Some(&e("array_cat(ARRAY['x'], ARRAY['y'])")),
        Some(&e("array_cat('{x}', '{y}')"))
    ));
}

#[test]
fn numbers() {
    for (raw, want) in [
        ("0", "0"),
        ("-0", "0"),
        ("1.50", "1.5"),
        ("+007", "7"),
        ("1e3", "1000"),
        ("1.5e-2", "0.015"),
        ("12.5E+1", "125"),
        (".5", "0.5"),
    ] {
        assert_eq!(fold::canonical_number(raw).as_deref(), Some(want), "{raw}");
    }
    assert_eq!(fold::canonical_number("1e999"), None);
    assert_eq!(fold::canonical_number("abc"), None);
}

#[test]
fn keyword_named_columns_compare_equal_to_the_server_print() {
    use autogen_schema::Dialect;
    let cases = [
        (
            Dialect::Postgres,
            "first || ' ' || last",
            "((first)::text || ' '::text) || (last)::text",
        ),
        (
            Dialect::Mysql,
            "concat(first, ' ', last)",
            "concat(`first`,' ',`last`)",
        ),
        (Dialect::Sqlite, "first || ' ' || last", "first||' '||last"),
    ];
    for (dialect, model, server) in cases {
        assert!(
            crate::same_expression(dialect, model, server),
            "{dialect:?}: {model:?} vs {server:?}"
        );
    }
    assert!(!crate::same_expression(
        Dialect::Postgres,
        "first || ' ' || last",
        "last || ' ' || first"
    ));
}

#[test]
fn called_functions_are_the_names_before_a_parenthesis() {
    use autogen_schema::Dialect;
    let calls = crate::called_functions(
        Dialect::Postgres,
        "is_valid_score((score)::bigint) AND public.\"Next\"() > 0 AND score IN (1, 2)",
    );
    assert_eq!(calls, ["is_valid_score", "Next", "in"]);
    // A column named like a function is not a call.
    assert!(crate::called_functions(Dialect::Postgres, "score > 0").is_empty());
    assert_eq!(
        crate::called_functions(Dialect::Mysql, "`Score`(x) + LOWER (y)"),
        ["score", "lower"]
    );
}
