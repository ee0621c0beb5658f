//! PostgreSQL's spellings turned into canonical IR values: stored defaults (casts peeled,
//! `nextval(...)` recognised), CHECK definitions as `pg_get_constraintdef` prints them, index
//! keys as `pg_get_indexdef` prints them, and referential action codes. Pure functions over
//! catalog text, each with a table-driven test.

use autogen_schema::{normalize_expression, parse_default, DefaultValue, ReferentialAction};

use crate::sqltext::{matching_paren, strip_outer_parens, tokenize, Kind};

/// `pg_constraint.confdeltype` / `confupdtype` codes.
pub(super) fn referential_action(code: &str) -> ReferentialAction {
    match code {
        "r" => ReferentialAction::Restrict,
        "c" => ReferentialAction::Cascade,
        "n" => ReferentialAction::SetNull,
        "d" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

/// `CHECK ((age >= 0)) NOT VALID` -> `age >= 0`.
pub(super) fn check_expression(def: &str) -> String {
    let tokens = tokenize(def);
    let inner = tokens
        .iter()
        .position(|t| t.kind == Kind::LParen)
        .and_then(|open| Some((open, matching_paren(&tokens, open)?)))
        .map(|(open, close)| &def[tokens[open].end..tokens[close].start]);
    normalize_expression(strip_outer_parens(inner.unwrap_or(def)))
}

/// An index key as `pg_get_indexdef` prints it: a lone (possibly quoted) column name is
/// unquoted, an expression is kept with its whitespace folded.
pub(super) fn index_key(key: &str) -> String {
    let tokens = tokenize(key);
    match tokens.as_slice() {
        [only] if matches!(only.kind, Kind::Word | Kind::Quoted) => only.ident(key),
        _ => normalize_expression(key),
    }
}

/// What a PostgreSQL column default means for the IR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PgDefault {
    /// `nextval('<sequence>'::regclass)`: a serial column when the column owns the sequence
    /// (the assembler knows), otherwise an ordinary expression default, `otherwise`.
    Sequence {
        /// The sequence as PostgreSQL prints a `regclass` (quoted, qualified when it is not on
        /// the search path), to compare with the owned sequence's `oid::regclass::text`.
        sequence: String,
        otherwise: DefaultValue,
    },
    Value(DefaultValue),
}

/// Peels PostgreSQL's decorations off a stored default: casts on literals
/// (`'x'::character varying`, `'-1'::integer`, `NULL::text`), then `parse_default`.
pub(super) fn pg_default(raw: &str) -> PgDefault {
    let expr = strip_outer_parens(raw);
    let lower = expr.to_ascii_lowercase();
    let tokens = tokenize(expr);
    if lower.starts_with("nextval(") {
        if let Some(sequence) = tokens
            .iter()
            .find(|t| t.kind == Kind::Str)
            .map(|t| t.text(expr))
            .and_then(|q| q.strip_prefix('\'')?.strip_suffix('\''))
        {
            return PgDefault::Sequence {
                sequence: sequence.replace("''", "'"),
                otherwise: parse_default(expr),
            };
        }
    }
    // A literal followed by one or more `::type` casts and nothing else.
    let literal_cast = match tokens.as_slice() {
        [lit, colon1, colon2, rest @ ..]
            if matches!(lit.kind, Kind::Str | Kind::Word | Kind::Number)
                && colon1.text(expr) == ":"
                && colon2.text(expr) == ":"
                && !rest.is_empty()
                && rest.iter().all(|t| {
                    matches!(
                        t.kind,
                        Kind::Word
                            | Kind::Quoted
                            | Kind::Number
                            | Kind::LParen
                            | Kind::RParen
                            | Kind::Comma
                    ) || matches!(t.text(expr), ":" | "." | "[" | "]")
                }) =>
        {
            Some((*lit, rest[0].text(expr).to_ascii_lowercase()))
        }
        _ => None,
    };
    let Some((lit, cast_type)) = literal_cast else {
        return PgDefault::Value(parse_default(expr));
    };
    let literal = lit.text(expr);
    let numeric_cast = matches!(
        cast_type.as_str(),
        "integer" | "bigint" | "smallint" | "numeric" | "real" | "double" | "decimal"
    );
    if numeric_cast && lit.kind == Kind::Str {
        // `'-1'::integer`: the quotes are PostgreSQL's, the value is a number.
        let inner = &literal[1..literal.len().saturating_sub(1).max(1)];
        if let v @ DefaultValue::Number(_) = parse_default(inner) {
            return PgDefault::Value(v);
        }
    }
    PgDefault::Value(parse_default(literal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peels_postgres_defaults() {
        use DefaultValue as D;
        let v = PgDefault::Value;
        let cases: &[(&str, PgDefault)] = &[
            (
                "nextval('users_id_seq'::regclass)",
                PgDefault::Sequence {
                    sequence: "users_id_seq".into(),
                    otherwise: parse_default("nextval('users_id_seq'::regclass)"),
                },
            ),
            (
                "nextval('app.\"Odd\"'::regclass)",
                PgDefault::Sequence {
                    sequence: "app.\"Odd\"".into(),
                    otherwise: parse_default("nextval('app.\"Odd\"'::regclass)"),
                },
            ),
            ("'-1'::integer", v(D::Number("-1".into()))),
            ("'-1.5'::numeric", v(D::Number("-1.5".into()))),
            ("1.5", v(D::Number("1.5".into()))),
            ("(-5)", v(D::Number("-5".into()))),
            ("'x'::character varying", v(D::String("x".into()))),
            ("'it''s'::text", v(D::String("it's".into()))),
            ("'a::b'::text", v(D::String("a::b".into()))),
            ("'active'::\"Status\"", v(D::String("active".into()))),
            (
                "'2020-01-01 00:00:00'::timestamp without time zone",
                v(D::String("2020-01-01 00:00:00".into())),
            ),
            ("'{}'::jsonb", v(D::String("{}".into()))),
            ("'abc'::character varying(10)", v(D::String("abc".into()))),
            ("NULL::character varying", v(D::Null)),
            ("true", v(D::Boolean(true))),
            ("now()", v(D::CurrentTimestamp)),
            ("CURRENT_TIMESTAMP", v(D::CurrentTimestamp)),
            ("CURRENT_DATE", v(D::CurrentDate)),
            (
                "('a'::text || 'b'::text)",
                v(D::Expression("'a'::text || 'b'::text".into())),
            ),
            (
                "gen_random_uuid()",
                v(D::Expression("gen_random_uuid()".into())),
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(&pg_default(raw), want, "{raw}");
        }
    }

    #[test]
    fn strips_check_definitions() {
        let cases: &[(&str, &str)] = &[
            ("CHECK ((age >= 0))", "age >= 0"),
            ("CHECK (((a > 0) AND (b > 0)))", "(a > 0) AND (b > 0)"),
            ("CHECK ((name <> ')'::text)) NOT VALID", "name <> ')'::text"),
            ("CHECK (flag)", "flag"),
        ];
        for (raw, want) in cases {
            assert_eq!(check_expression(raw), *want, "{raw}");
        }
    }

    #[test]
    fn reads_index_keys() {
        assert_eq!(index_key("email"), "email");
        assert_eq!(index_key("\"Odd Name\""), "Odd Name");
        assert_eq!(index_key("lower((email)::text)"), "lower((email)::text)");
    }
}
