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

/// `CHECK ((age >= 0)) NOT VALID` -> `age >= 0`, in a spelling that prints back the same
/// ([`replayable`]).
pub(super) fn check_expression(def: &str) -> String {
    let tokens = tokenize(def);
    let inner = tokens
        .iter()
        .position(|t| t.kind == Kind::LParen)
        .and_then(|open| Some((open, matching_paren(&tokens, open)?)))
        .map(|(open, close)| &def[tokens[open].end..tokens[close].start]);
    replayable(&normalize_expression(strip_outer_parens(
        inner.unwrap_or(def),
    )))
}

/// A printed expression (CHECK, index predicate, generated column) in a spelling that
/// PostgreSQL, given it again, stores and prints exactly as `expr`, so SQL copied from one
/// database makes the same catalog in another.
///
/// PostgreSQL's print is not always that: `status IN ('a', 'b')` on a `varchar` column prints as
/// `(status)::text = ANY ((ARRAY['a'::character varying, ...])::text[])`, where the array cast
/// is the coercion the server added itself to reach `text = text`. Run again, that cast is taken
/// as written and pushed into the elements (`ARRAY[('a'::character varying)::text, ...]`), a
/// different print of the same constraint. A cast the author writes on an `ARRAY[...]` is always
/// pushed down like that, so a print showing one on the whole array shows an implicit coercion,
/// and leaving it out (`= ANY (ARRAY['a'::character varying, ...])`) has the server add it again
/// and print it as before. Everything else is returned as it is.
pub(super) fn replayable(expr: &str) -> String {
    let bytes = expr.as_bytes();
    let mut out = String::with_capacity(expr.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => i = skip_quoted(bytes, i),
            b'(' if (expr[..i].ends_with("ANY (") || expr[..i].ends_with("ALL ("))
                && expr[i..].starts_with("(ARRAY[") =>
            {
                match implicit_array_cast(expr, i) {
                    Some((array, end)) => {
                        out.push_str(&expr[copied..i]);
                        out.push_str(array);
                        copied = end;
                        i = end;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&expr[copied..]);
    out
}

/// At `open`, the `(` of `(ARRAY[...])::type[])`: the `ARRAY[...]` and the index just past the
/// cast's `[]`, when the cast is followed by the `)` that closes `ANY (` / `ALL (`.
fn implicit_array_cast(expr: &str, open: usize) -> Option<(&str, usize)> {
    let bytes = expr.as_bytes();
    let start = open + 1;
    let mut i = start + "ARRAY".len();
    let mut depth = 0usize;
    loop {
        match *bytes.get(i)? {
            b'\'' | b'"' => {
                i = skip_quoted(bytes, i);
                continue;
            }
            b'[' | b'(' => depth += 1,
            b']' | b')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let array = &expr[start..=i];
    let rest = expr[i + 1..].strip_prefix(")::")?;
    let after_cast = expr.len() - rest.len();
    // The type: words, spaces, dots and quoted names, then `[]` and the closing `)`.
    let close = rest.find("[])")?;
    let ty = &rest[..close];
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | ' ' | '.' | '"');
    if ty.is_empty() || !ty.chars().all(plain) {
        return None;
    }
    Some((array, after_cast + close + "[]".len()))
}

/// The index just past the string literal or quoted identifier starting at `at` (its quote
/// doubled inside stays inside).
fn skip_quoted(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    let mut i = at + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
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
    /// `nextval('<sequence>'::regclass)`: a serial column when the default uses the sequence
    /// the column owns (the assembler knows, by oid), otherwise an ordinary expression default,
    /// `otherwise`.
    Sequence {
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
        let sequence = tokens
            .iter()
            .find(|t| t.kind == Kind::Str)
            .map(|t| t.text(expr))
            .and_then(|q| q.strip_prefix('\'')?.strip_suffix('\''));
        if sequence.is_some() {
            return PgDefault::Sequence {
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
    fn replayable_leaves_out_the_implicit_array_coercion() {
        let cases: &[(&str, &str)] = &[
            (
                "(status)::text = ANY ((ARRAY['new'::character varying, 'paid'::character varying])::text[])",
                "(status)::text = ANY (ARRAY['new'::character varying, 'paid'::character varying])",
            ),
            (
                "(s)::text <> ALL ((ARRAY['a'::character varying, 'b]'::character varying])::text[])",
                "(s)::text <> ALL (ARRAY['a'::character varying, 'b]'::character varying])",
            ),
            (
                "(a > 0) AND ((k)::text = ANY ((ARRAY['x'::character varying])::text[])) AND ((b)::text = ANY ((ARRAY['y'::character varying])::text[]))",
                "(a > 0) AND ((k)::text = ANY (ARRAY['x'::character varying])) AND ((b)::text = ANY (ARRAY['y'::character varying]))",
            ),
            // Already replayable, or not the server's coercion: unchanged.
            ("n = ANY (ARRAY[1, 2])", "n = ANY (ARRAY[1, 2])"),
            ("t = ANY (ARRAY['a'::text, 'b'::text])", "t = ANY (ARRAY['a'::text, 'b'::text])"),
            (
                "(s)::text = ANY (ARRAY[('a'::character varying)::text, (c)::text])",
                "(s)::text = ANY (ARRAY[('a'::character varying)::text, (c)::text])",
            ),
            ("x = ANY ((ARRAY[1, 2])::int8[] || y)", "x = ANY ((ARRAY[1, 2])::int8[] || y)"),
            (
                "note = 'ANY ((ARRAY[1])::int8[])'",
                "note = 'ANY ((ARRAY[1])::int8[])'",
            ),
        ];
        for (printed, replayed) in cases {
            assert_eq!(replayable(printed), *replayed, "{printed}");
        }
    }

    #[test]
    fn peels_postgres_defaults() {
        use DefaultValue as D;
        let v = PgDefault::Value;
        let cases: &[(&str, PgDefault)] = &[
            (
                "nextval('users_id_seq'::regclass)",
                PgDefault::Sequence {
                    otherwise: parse_default("nextval('users_id_seq'::regclass)"),
                },
            ),
            (
                "nextval('app.\"Odd\"'::regclass)",
                PgDefault::Sequence {
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
