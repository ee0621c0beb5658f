//! MySQL's and MariaDB's spellings turned into canonical IR values: column types, defaults as
//! each server reports them, referential rules, CHECK clauses and the `json_valid` check MariaDB
//! adds to a JSON column. Pure functions over catalog text, each with a table-driven test; the
//! decisions they implement are listed in `mysql.rs`.

use autogen_schema::{
    normalize_expression, parse_default, parse_type, ColumnType, DefaultValue, ReferentialAction,
};

use crate::sqltext::{strip_outer_parens, tokenize, Kind};

/// `REFERENTIAL_CONSTRAINTS` rules. RESTRICT is NO ACTION on InnoDB (see `mysql.rs`).
pub(super) fn referential_action(rule: &str) -> ReferentialAction {
    match ReferentialAction::parse(rule) {
        Some(ReferentialAction::Restrict) | None => ReferentialAction::NoAction,
        Some(action) => action,
    }
}

/// `COLUMN_TYPE` -> canonical type, peeling MySQL's spellings first.
pub(super) fn mysql_type(table: &str, column: &str, column_type: &str) -> ColumnType {
    let lower = column_type.trim().to_ascii_lowercase();
    if lower == "tinyint(1)" {
        return ColumnType::Boolean;
    }
    if lower == "float" {
        return ColumnType::Real;
    }
    // The renderer writes Blob as `longblob` (`blob` stops at 64 KiB); both read back as Blob.
    if lower == "longblob" || lower == "mediumblob" {
        return ColumnType::Blob;
    }
    if lower == "timestamp" {
        return ColumnType::Timestamp {
            with_time_zone: true,
        };
    }
    if lower.starts_with("enum(") {
        if let Some(values) = enum_values(column_type) {
            return ColumnType::Enum {
                name: format!("{table}_{column}"),
                values,
            };
        }
    }
    // `set('a','b')`: the same value list as an enum's (the server escapes it the same way).
    if lower.starts_with("set(") {
        if let Some(values) = enum_values(column_type) {
            return ColumnType::Set { values };
        }
    }
    parse_type(column_type)
}

/// The labels of `enum('a','b''c')` (and of `set(...)`).
fn enum_values(column_type: &str) -> Option<Vec<String>> {
    let tokens = tokenize(column_type);
    let inner = tokens.get(2..tokens.len().checked_sub(1)?)?;
    let mut values = Vec::new();
    for (i, t) in inner.iter().enumerate() {
        match (i % 2, t.kind) {
            (0, Kind::Str) => values.push(unescape_mysql_string(t.text(column_type))?),
            (1, Kind::Comma) => {}
            _ => return None,
        }
    }
    Some(values)
}

/// A MySQL string literal's contents: `''` and backslash escapes undone.
fn unescape_mysql_string(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                if chars.next() != Some('\'') {
                    return None;
                }
                out.push('\'');
            }
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '0' => out.push('\0'),
                'Z' => out.push('\x1a'),
                'b' => out.push('\x08'),
                other => out.push(other),
            },
            _ => out.push(c),
        }
    }
    Some(out)
}

/// MariaDB reports defaults as SQL: `'x'` (MySQL escapes), `NULL`, `current_timestamp()`, `1`.
pub(super) fn mariadb_default(raw: &str) -> DefaultValue {
    let tokens = tokenize(raw);
    if let [only] = tokens.as_slice() {
        if only.kind == Kind::Str {
            if let Some(s) = unescape_mysql_string(raw.trim()) {
                return DefaultValue::String(s);
            }
        }
    }
    parse_default(raw)
}

/// MySQL 8 reports literal defaults bare (`x`, `1`) and marks expressions (`CURRENT_TIMESTAMP`,
/// `(uuid())`) with `DEFAULT_GENERATED`.
pub(super) fn mysql8_default(raw: &str, extra: &str, ty: &ColumnType) -> DefaultValue {
    if extra.contains("default_generated") {
        return parse_default(raw);
    }
    let numeric = ty.is_integer()
        || matches!(
            ty,
            ColumnType::Boolean
                | ColumnType::Real
                | ColumnType::Double
                | ColumnType::Decimal { .. }
        );
    if numeric {
        return parse_default(raw);
    }
    if raw.eq_ignore_ascii_case("current_timestamp") {
        return DefaultValue::CurrentTimestamp;
    }
    DefaultValue::String(raw.to_string())
}

/// A check clause as stored (`` `age` >= 0 ``, MySQL 8 wraps it in parentheses) -> canonical
/// text, with backquotes dropped around plain identifiers.
pub(super) fn check_expression(clause: &str) -> String {
    let stripped = strip_outer_parens(clause);
    let mut out = String::with_capacity(stripped.len());
    let mut last = 0;
    for t in tokenize(stripped) {
        let text = t.text(stripped);
        if t.kind == Kind::Quoted && text.starts_with('`') {
            let ident = t.ident(stripped);
            let plain = ident
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if plain {
                out.push_str(&stripped[last..t.start]);
                out.push_str(&ident);
                last = t.end;
            }
        }
    }
    out.push_str(&stripped[last..]);
    normalize_expression(&out)
}

/// The column of a `json_valid(col)` check (as [`check_expression`] returns it), the check
/// MariaDB adds to a JSON column; the column stays backquoted there when its name is not a
/// plain identifier.
pub(super) fn json_check_column(expression: &str) -> Option<String> {
    let inner = expression.strip_prefix("json_valid(")?.strip_suffix(')')?;
    match inner.strip_prefix('`').and_then(|i| i.strip_suffix('`')) {
        Some(quoted) => Some(quoted.replace("``", "`")),
        None if !inner.is_empty() && inner.chars().all(|c| c.is_alphanumeric() || c == '_') => {
            Some(inner.to_string())
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_mysql_types() {
        let cases: &[(&str, ColumnType)] = &[
            ("tinyint(1)", ColumnType::Boolean),
            ("tinyint(4)", ColumnType::TinyInt { unsigned: false }),
            ("int(10) unsigned", ColumnType::Integer { unsigned: true }),
            ("bigint(20)", ColumnType::BigInt { unsigned: false }),
            ("float", ColumnType::Real),
            ("double", ColumnType::Double),
            (
                "datetime",
                ColumnType::Timestamp {
                    with_time_zone: false,
                },
            ),
            (
                "timestamp",
                ColumnType::Timestamp {
                    with_time_zone: true,
                },
            ),
            ("varchar(255)", ColumnType::Varchar { length: Some(255) }),
            ("longtext", ColumnType::Other("longtext".into())),
            ("longblob", ColumnType::Blob),
            ("blob", ColumnType::Blob),
            ("tinyblob", ColumnType::Other("tinyblob".into())),
            ("json", ColumnType::Json),
            (
                "enum('a','b''c','x,y')",
                ColumnType::Enum {
                    name: "t_c".into(),
                    values: vec!["a".into(), "b'c".into(), "x,y".into()],
                },
            ),
            (
                "set('Read','it''s','a\\\\b')",
                ColumnType::Set {
                    values: vec!["Read".into(), "it's".into(), "a\\b".into()],
                },
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(&mysql_type("t", "c", raw), want, "{raw}");
        }
    }

    #[test]
    fn reads_mariadb_and_mysql8_defaults() {
        use DefaultValue as D;
        let maria: &[(&str, D)] = &[
            ("'x'", D::String("x".into())),
            ("'it''s'", D::String("it's".into())),
            ("'a\\\\b'", D::String("a\\b".into())),
            ("NULL", D::Null),
            ("current_timestamp()", D::CurrentTimestamp),
            ("-5", D::Number("-5".into())),
            ("1.50", D::Number("1.5".into())),
            ("uuid()", D::Expression("uuid()".into())),
        ];
        for (raw, want) in maria {
            assert_eq!(&mariadb_default(raw), want, "{raw}");
        }
        let text = ColumnType::Text;
        let int = ColumnType::Integer { unsigned: false };
        assert_eq!(mysql8_default("x", "", &text), D::String("x".into()));
        assert_eq!(mysql8_default("1", "", &text), D::String("1".into()));
        assert_eq!(mysql8_default("-1", "", &int), D::Number("-1".into()));
        assert_eq!(
            mysql8_default("CURRENT_TIMESTAMP", "default_generated", &text),
            D::CurrentTimestamp
        );
        assert_eq!(
            mysql8_default("uuid()", "default_generated", &text),
            D::Expression("uuid()".into())
        );
    }

    #[test]
    fn json_checks_are_recognised_whatever_the_column_name() {
        // Found by the randomized round trip: a JSON column named `say "hi"` keeps its
        // backticks in the check text and was reported as longtext plus a check.
        // The check keeps the column's old name after a rename, hence the column comes from
        // the expression.
        for (raw, column) in [
            ("json_valid(`doc`)", Some("doc")),
            ("json_valid(`say \"hi\"`)", Some("say \"hi\"")),
            ("json_valid(`a``b`)", Some("a`b")),
            ("json_valid(`has space`)", Some("has space")),
            ("json_valid(`a`) and 1", None),
            ("`a` > 0", None),
        ] {
            assert_eq!(
                json_check_column(&check_expression(raw)).as_deref(),
                column,
                "{raw}"
            );
        }
    }

    #[test]
    fn unquotes_plain_identifiers_in_checks() {
        let cases: &[(&str, &str)] = &[
            ("`age` >= 0", "age >= 0"),
            ("(`a` > 0 and `b c` < 1)", "a > 0 and `b c` < 1"),
            ("`x` <> '`y`'", "x <> '`y`'"),
            ("json_valid(`doc`)", "json_valid(doc)"),
        ];
        for (raw, want) in cases {
            assert_eq!(check_expression(raw), *want, "{raw}");
        }
    }
}
