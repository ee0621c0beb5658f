//! Dialect-neutral normalisers: raw SQL type names and default expressions into canonical IR
//! values. Each is a small pure function with a table-driven test. Dialect-specific spellings
//! (`tinyint(1)` as a boolean on MySQL, `'x'::text` on PostgreSQL) are peeled off by the
//! introspector of that dialect before it calls these; nothing here looks at a connection.

use crate::{ColumnType, DefaultValue};

/// Lowercases a SQL type name and folds its whitespace: `NUMERIC( 10, 2 )` -> `numeric(10,2)`.
fn fold_type(raw: &str) -> String {
    let lower = raw.trim().to_ascii_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut pending_space = false;
    for c in lower.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space
            && !out.is_empty()
            && !matches!(c, '(' | ')' | ',')
            && !out.ends_with(['(', ','])
        {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// The values of a MySQL `SET('a','b''c')` type (the keyword in any case), read before the type
/// is lowercased, since the values keep their case. `None` for anything else, including a value
/// with a backslash, whose meaning depends on the server's SQL mode: such a type stays raw.
fn set_values(raw: &str) -> Option<Vec<String>> {
    let t = raw.trim();
    let keyword = t.get(..3)?;
    if !keyword.eq_ignore_ascii_case("set") {
        return None;
    }
    let inner = t[3..].trim_start().strip_prefix('(')?.strip_suffix(')')?;
    let mut values = Vec::new();
    let mut rest = inner.trim();
    loop {
        let body = rest.strip_prefix('\'')?;
        let mut value = String::new();
        let mut chars = body.char_indices();
        let end = loop {
            match chars.next()? {
                (i, '\'') if body[i + 1..].starts_with('\'') => {
                    value.push('\'');
                    chars.next();
                }
                (i, '\'') => break i + 1,
                (_, '\\') => return None,
                (_, c) => value.push(c),
            }
        };
        values.push(value);
        rest = body[end..].trim_start();
        if rest.is_empty() {
            return Some(values);
        }
        rest = rest.strip_prefix(',')?.trim_start();
    }
}

fn parse_args(args: &str) -> Option<Vec<u32>> {
    args.split(',')
        .map(|a| a.trim().parse::<u32>().ok())
        .collect()
}

/// Parses a SQL type name as most databases spell it into a canonical [`ColumnType`].
/// Unknown names come back as [`ColumnType::Other`] with the folded spelling.
pub fn parse_type(raw: &str) -> ColumnType {
    if let Some(values) = set_values(raw) {
        return ColumnType::Set { values };
    }
    let folded = fold_type(raw);
    if let Some(element) = array_element(&folded) {
        return match parse_type(element) {
            ColumnType::Other(_) if element.is_empty() => ColumnType::Other(folded),
            element => ColumnType::Array(Box::new(element)),
        };
    }
    let (body, unsigned) = match folded.strip_suffix(" unsigned") {
        Some(b) => (b.trim_end().to_string(), true),
        None => (folded.clone(), false),
    };
    let (base, args) = match body.find('(') {
        Some(open) if body.ends_with(')') => {
            let base = body[..open].trim_end().to_string();
            let inner = &body[open + 1..body.len() - 1];
            (base, parse_args(inner))
        }
        Some(_) => return ColumnType::Other(folded),
        None => (body.clone(), Some(Vec::new())),
    };
    let Some(args) = args else {
        return ColumnType::Other(folded);
    };
    let one = |args: &[u32]| -> Option<Option<u32>> {
        match args {
            [] => Some(None),
            [n] => Some(Some(*n)),
            _ => None,
        }
    };
    let ty = match base.as_str() {
        "boolean" | "bool" if args.is_empty() => ColumnType::Boolean,
        // A display width such as `int(11)` carries no meaning for storage.
        "tinyint" | "int1" if args.len() <= 1 => ColumnType::TinyInt { unsigned },
        "smallint" | "int2" if args.len() <= 1 => ColumnType::SmallInt { unsigned },
        "integer" | "int" | "int4" | "mediumint" if args.len() <= 1 => {
            ColumnType::Integer { unsigned }
        }
        "bigint" | "int8" if args.len() <= 1 => ColumnType::BigInt { unsigned },
        _ if unsigned => return ColumnType::Other(folded),
        "real" | "float4" if args.is_empty() => ColumnType::Real,
        "double" | "double precision" | "float8" | "float" if args.is_empty() => ColumnType::Double,
        "numeric" | "decimal" => match args.as_slice() {
            [] => ColumnType::Decimal {
                precision: None,
                scale: None,
            },
            [p] => ColumnType::Decimal {
                precision: Some(*p),
                scale: Some(0),
            },
            [p, s] => ColumnType::Decimal {
                precision: Some(*p),
                scale: Some(*s),
            },
            _ => return ColumnType::Other(folded),
        },
        "char" | "character" => match one(&args) {
            Some(length) => ColumnType::Char { length },
            None => return ColumnType::Other(folded),
        },
        "varchar" | "character varying" => match one(&args) {
            Some(length) => ColumnType::Varchar { length },
            None => return ColumnType::Other(folded),
        },
        "text" if args.is_empty() => ColumnType::Text,
        "blob" | "bytea" if args.is_empty() => ColumnType::Blob,
        "date" if args.is_empty() => ColumnType::Date,
        "time" | "time without time zone" if args.is_empty() => ColumnType::Time,
        "timestamp" | "timestamp without time zone" | "datetime" if args.is_empty() => {
            ColumnType::Timestamp {
                with_time_zone: false,
            }
        }
        "timestamptz" | "timestamp with time zone" if args.is_empty() => ColumnType::Timestamp {
            with_time_zone: true,
        },
        "uuid" if args.is_empty() => ColumnType::Uuid,
        "json" if args.is_empty() => ColumnType::Json,
        "jsonb" if args.is_empty() => ColumnType::Jsonb,
        _ => ColumnType::Other(folded),
    };
    ty
}

/// The element type of a folded array type: `integer[]`, `integer[][]`, `text[3]`, `integer
/// array`, `integer array[3]` all hold `integer`. PostgreSQL ignores the number of dimensions and
/// their sizes (`format_type` prints one `[]` whatever was declared), so they are all dropped.
fn array_element(folded: &str) -> Option<&str> {
    let mut rest = folded;
    while let Some(open) = rest.strip_suffix(']').and_then(|r| r.rfind('[')) {
        if !rest[open + 1..rest.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        rest = rest[..open].trim_end();
    }
    if let Some(element) = rest.strip_suffix(" array") {
        rest = element;
    }
    (rest.len() < folded.len()).then_some(rest)
}

/// Folds whitespace outside string literals and quoted identifiers, and trims. Case and literal
/// contents are kept as written.
pub fn normalize_expression(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut quote: Option<char> = None;
    let mut pending_space = false;
    for c in raw.trim().chars() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        if matches!(c, '\'' | '"' | '`') {
            quote = Some(c);
        }
        out.push(c);
    }
    out
}

/// Strips parentheses that wrap the whole expression: `((0))` -> `0`, but `(a) + (b)` stays.
fn strip_outer_parens(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        if !(s.starts_with('(') && s.ends_with(')')) {
            return s;
        }
        // The opening parenthesis must close at the very end.
        let mut depth = 0i32;
        let mut quote: Option<char> = None;
        let mut closes_at_end = true;
        for (i, c) in s.char_indices() {
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                }
                continue;
            }
            match c {
                '\'' | '"' | '`' => quote = Some(c),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 && i != s.len() - 1 {
                        closes_at_end = false;
                        break;
                    }
                }
                _ => {}
            }
        }
        if !closes_at_end {
            return s;
        }
        s = s[1..s.len() - 1].trim();
    }
}

/// Canonical text of a numeric literal, or `None` if `s` is not one.
fn canonical_number(s: &str) -> Option<String> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, s[1..].trim_start()),
        b'+' => (false, s[1..].trim_start()),
        _ => (false, s),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let exp = match exponent {
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let neg_exp = e.starts_with('-');
            let trimmed = digits.trim_start_matches('0');
            let trimmed = if trimmed.is_empty() { "0" } else { trimmed };
            if trimmed == "0" {
                None
            } else {
                Some(format!("e{}{}", if neg_exp { "-" } else { "" }, trimmed))
            }
        }
        None => None,
    };
    let int = int_part.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac_part.trim_end_matches('0');
    let mut out = String::new();
    let is_zero = int == "0" && frac.is_empty();
    if neg && !is_zero {
        out.push('-');
    }
    out.push_str(int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if let Some(e) = exp {
        out.push_str(&e);
    }
    Some(out)
}

/// Parses a `'...'` literal with `''` escapes into its contents.
fn string_literal(s: &str) -> Option<String> {
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            // Inside the literal a quote must be doubled.
            if chars.next() != Some('\'') {
                return None;
            }
        }
        out.push(c);
    }
    Some(out)
}

/// Parses a default expression as written in SQL (or in a model's `default = "..."`) into a
/// canonical [`DefaultValue`].
pub fn parse_default(raw: &str) -> DefaultValue {
    let s = strip_outer_parens(raw);
    let lower = s.to_ascii_lowercase();
    match lower.as_str() {
        "null" => return DefaultValue::Null,
        "true" => return DefaultValue::Boolean(true),
        "false" => return DefaultValue::Boolean(false),
        "current_timestamp"
        | "current_timestamp()"
        | "now()"
        | "localtimestamp"
        | "localtimestamp()" => return DefaultValue::CurrentTimestamp,
        "current_date" | "current_date()" | "curdate()" => return DefaultValue::CurrentDate,
        "current_time" | "current_time()" | "curtime()" => return DefaultValue::CurrentTime,
        _ => {}
    }
    if let Some(n) = canonical_number(s) {
        return DefaultValue::Number(n);
    }
    if let Some(text) = string_literal(s) {
        return DefaultValue::String(text);
    }
    DefaultValue::Expression(normalize_expression(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_types_keep_their_values() {
        let set = |v: &[&str]| ColumnType::Set {
            values: v.iter().map(|x| x.to_string()).collect(),
        };
        let cases: &[(&str, ColumnType)] = &[
            ("set('a','b')", set(&["a", "b"])),
            ("SET( 'Read' , 'it''s', '' )", set(&["Read", "it's", ""])),
            ("set('x,y')", set(&["x,y"])),
            ("set('a\\'b')", ColumnType::Other("set('a\\'b')".into())),
            ("settings", ColumnType::Other("settings".into())),
            ("set('a',)", ColumnType::Other("set('a',)".into())),
        ];
        for (raw, want) in cases {
            assert_eq!(&parse_type(raw), want, "{raw}");
        }
    }

    #[test]
    fn types() {
        let cases: &[(&str, ColumnType)] = &[
            ("INTEGER", ColumnType::Integer { unsigned: false }),
            ("int4", ColumnType::Integer { unsigned: false }),
            ("int(11)", ColumnType::Integer { unsigned: false }),
            ("int(10) unsigned", ColumnType::Integer { unsigned: true }),
            ("BIGINT UNSIGNED", ColumnType::BigInt { unsigned: true }),
            ("int8", ColumnType::BigInt { unsigned: false }),
            ("smallint", ColumnType::SmallInt { unsigned: false }),
            ("tinyint", ColumnType::TinyInt { unsigned: false }),
            ("bool", ColumnType::Boolean),
            ("REAL", ColumnType::Real),
            ("double precision", ColumnType::Double),
            ("float8", ColumnType::Double),
            (
                "NUMERIC( 10, 2 )",
                ColumnType::Decimal {
                    precision: Some(10),
                    scale: Some(2),
                },
            ),
            (
                "decimal(5)",
                ColumnType::Decimal {
                    precision: Some(5),
                    scale: Some(0),
                },
            ),
            (
                "numeric",
                ColumnType::Decimal {
                    precision: None,
                    scale: None,
                },
            ),
            ("VARCHAR(255)", ColumnType::Varchar { length: Some(255) }),
            (
                "character varying(20)",
                ColumnType::Varchar { length: Some(20) },
            ),
            ("character varying", ColumnType::Varchar { length: None }),
            ("char(3)", ColumnType::Char { length: Some(3) }),
            ("TEXT", ColumnType::Text),
            ("bytea", ColumnType::Blob),
            ("BLOB", ColumnType::Blob),
            ("date", ColumnType::Date),
            ("time without time zone", ColumnType::Time),
            (
                "timestamp",
                ColumnType::Timestamp {
                    with_time_zone: false,
                },
            ),
            (
                "DATETIME",
                ColumnType::Timestamp {
                    with_time_zone: false,
                },
            ),
            (
                "timestamp with time zone",
                ColumnType::Timestamp {
                    with_time_zone: true,
                },
            ),
            (
                "timestamptz",
                ColumnType::Timestamp {
                    with_time_zone: true,
                },
            ),
            ("uuid", ColumnType::Uuid),
            ("JSON", ColumnType::Json),
            ("jsonb", ColumnType::Jsonb),
            ("text[]", ColumnType::Array(Box::new(ColumnType::Text))),
            (
                "integer[][]",
                ColumnType::Array(Box::new(ColumnType::Integer { unsigned: false })),
            ),
            (
                "int4 [3]",
                ColumnType::Array(Box::new(ColumnType::Integer { unsigned: false })),
            ),
            (
                "integer ARRAY[2]",
                ColumnType::Array(Box::new(ColumnType::Integer { unsigned: false })),
            ),
            (
                "character varying(20)[]",
                ColumnType::Array(Box::new(ColumnType::Varchar { length: Some(20) })),
            ),
            (
                "timestamp with time zone[]",
                ColumnType::Array(Box::new(ColumnType::Timestamp {
                    with_time_zone: true,
                })),
            ),
            (
                "post_status[]",
                ColumnType::Array(Box::new(ColumnType::Other("post_status".into()))),
            ),
            ("[]", ColumnType::Other("[]".into())),
            ("text[x]", ColumnType::Other("text[x]".into())),
            ("Point  Z", ColumnType::Other("point z".into())),
            ("varchar(a)", ColumnType::Other("varchar(a)".into())),
            ("text unsigned", ColumnType::Other("text unsigned".into())),
        ];
        for (raw, want) in cases {
            assert_eq!(&parse_type(raw), want, "parse_type({raw:?})");
        }
    }

    #[test]
    fn defaults() {
        use DefaultValue as D;
        let cases: &[(&str, D)] = &[
            ("NULL", D::Null),
            ("true", D::Boolean(true)),
            ("(FALSE)", D::Boolean(false)),
            ("0", D::Number("0".into())),
            ("((42))", D::Number("42".into())),
            ("-1.50", D::Number("-1.5".into())),
            ("+007", D::Number("7".into())),
            ("1.0", D::Number("1".into())),
            ("-0", D::Number("0".into())),
            ("1e3", D::Number("1e3".into())),
            ("'abc'", D::String("abc".into())),
            ("'it''s'", D::String("it's".into())),
            ("''", D::String(String::new())),
            ("CURRENT_TIMESTAMP", D::CurrentTimestamp),
            ("current_timestamp()", D::CurrentTimestamp),
            ("now()", D::CurrentTimestamp),
            ("(CURRENT_TIMESTAMP)", D::CurrentTimestamp),
            ("CURRENT_DATE", D::CurrentDate),
            ("lower(  'A' )", D::Expression("lower( 'A' )".into())),
            ("(a) + (b)", D::Expression("(a) + (b)".into())),
            ("'a' || 'b'", D::Expression("'a' || 'b'".into())),
        ];
        for (raw, want) in cases {
            assert_eq!(&parse_default(raw), want, "parse_default({raw:?})");
        }
    }

    #[test]
    fn expressions_keep_literals() {
        assert_eq!(normalize_expression("  a  >=   0 "), "a >= 0");
        assert_eq!(normalize_expression("x = 'a   b'"), "x = 'a   b'");
        assert_eq!(normalize_expression("\"my  col\" > 1"), "\"my  col\" > 1");
    }
}
