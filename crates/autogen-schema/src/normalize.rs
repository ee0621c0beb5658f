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

fn parse_args(args: &str) -> Option<Vec<u32>> {
    args.split(',')
        .map(|a| a.trim().parse::<u32>().ok())
        .collect()
}

/// Parses a SQL type name as most databases spell it into a canonical [`ColumnType`].
/// Unknown names come back as [`ColumnType::Other`] with the folded spelling.
pub fn parse_type(raw: &str) -> ColumnType {
    let folded = fold_type(raw);
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
        _ => ColumnType::Other(folded),
    };
    ty
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

/// The key under which two CHECK (or partial-index) expressions count as the same.
///
/// Superseded by `autogen_normalize::expression_key`, which compares parsed syntax per dialect
/// (the differ uses that one); this text folder stays only until its last user moves over, and
/// lives on in autogen-normalize as the fallback for text the parser cannot read.
///
/// Servers rewrite what they store: PostgreSQL prints `age >= 0 AND age < 200` back as
/// `((age >= 0) AND (age < 200))` and `email <> ''` as `((email)::text <> ''::text)`; MariaDB
/// quotes identifiers with backticks and lowercases keywords. The key folds those spellings
/// together: outside string literals it lowercases, drops parentheses, identifier quotes and
/// `::type` casts, and folds whitespace. It is a comparison key, never SQL to run. It is lossy
/// only for expressions that differ in nothing but parenthesisation (`a OR b AND c` versus
/// `(a OR b) AND c`), which the README's comparison contract documents.
pub fn expression_key(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let mut pending_space = false;
    let push = |out: &mut String, c: char, pending_space: &mut bool| {
        if *pending_space && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        *pending_space = false;
        out.push(c);
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' => {
                // A string literal, kept as written ('' escapes included).
                push(&mut out, '\'', &mut pending_space);
                i = copy_literal_rest(&chars, i + 1, &mut out);
                continue;
            }
            ':' if chars.get(i + 1) == Some(&':') => {
                // A PostgreSQL cast: skip `::` and the type name (words, spaces between words of
                // a multi-word type, a parenthesised modifier, a trailing `[]`).
                i += 2;
                loop {
                    while i < chars.len() && chars[i] == ' ' {
                        i += 1;
                    }
                    let start = i;
                    while i < chars.len()
                        && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '"' | '.'))
                    {
                        i += 1;
                    }
                    if i < chars.len() && chars[i] == '(' && i > start {
                        while i < chars.len() && chars[i] != ')' {
                            i += 1;
                        }
                        i += 1;
                    }
                    while i + 1 < chars.len() && chars[i] == '[' && chars[i + 1] == ']' {
                        i += 2;
                    }
                    // Multi-word types: `character varying`, `timestamp with time zone`.
                    let word: String = chars[start..i.min(chars.len())]
                        .iter()
                        .collect::<String>()
                        .to_ascii_lowercase();
                    let continues = matches!(
                        word.as_str(),
                        "character" | "double" | "timestamp" | "time" | "with" | "without"
                    ) && i < chars.len()
                        && chars[i] == ' ';
                    if !continues || start == i {
                        break;
                    }
                }
                continue;
            }
            '(' | ')' | '"' | '`' => {
                pending_space = true;
                i += 1;
                continue;
            }
            c if c.is_whitespace() => {
                pending_space = true;
                i += 1;
                continue;
            }
            c => {
                push(&mut out, c.to_ascii_lowercase(), &mut pending_space);
                i += 1;
            }
        }
    }
    tidy_spaces(&fold_operator_spellings(out.trim()))
}

/// Folds the spaces dropped parentheses leave behind, outside string literals: runs of spaces
/// become one, and none stays before `,` or `]` or after `[`. PostgreSQL's reprint of its own
/// reprint (`ARRAY[('a'::character varying)::text]` for `ARRAY['a'::character varying]`) then
/// keys the same.
fn tidy_spaces(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            out.push(c);
            i = copy_literal_rest(&chars, i + 1, &mut out);
            continue;
        }
        if c == ' ' {
            let next = chars[i..].iter().find(|c| **c != ' ');
            let after_open = out.ends_with(' ') || out.ends_with('[') || out.is_empty();
            if after_open || matches!(next, None | Some(',') | Some(']')) {
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The second half of [`expression_key`], on text already lowercased and without parentheses
/// or casts: PostgreSQL's operator spellings back to the SQL a model author writes.
/// `x = any array[a, b]` is `x in a, b` (PostgreSQL stores `IN (...)` as `= ANY (ARRAY[...])`),
/// `<> all array[...]` is `not in`, `~~` / `~~*` are `like` / `ilike` (with `!` for `not`), and
/// `!=` is `<>`. String literals are copied untouched. `BETWEEN`, which PostgreSQL expands into
/// two comparisons, is not folded: write the comparisons in the model.
fn fold_operator_spellings(key: &str) -> String {
    const FOLDS: &[(&str, &str)] = &[
        ("= any array[", "in "),
        ("<> all array[", "not in "),
        ("!~~*", "not ilike"),
        ("~~*", "ilike"),
        ("!~~", "not like"),
        ("~~", "like"),
        ("!=", "<>"),
    ];
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len());
    // Open `array[` brackets whose closing `]` is dropped with them.
    let mut open_arrays = 0usize;
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            out.push(c);
            i = copy_literal_rest(&chars, i + 1, &mut out);
            continue;
        }
        let rest = &chars[i..];
        let fold = FOLDS.iter().find(|(from, _)| {
            from.chars().count() <= rest.len() && from.chars().zip(rest).all(|(a, b)| a == *b)
        });
        if let Some((from, to)) = fold {
            out.push_str(to);
            if from.ends_with('[') {
                depth += 1;
                open_arrays = depth;
            }
            i += from.chars().count();
            continue;
        }
        match c {
            '[' => {
                depth += 1;
                out.push(c);
            }
            ']' => {
                if depth > 0 && depth == open_arrays {
                    open_arrays = 0;
                } else {
                    out.push(c);
                }
                depth = depth.saturating_sub(1);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Copies the rest of a `'...'` string literal whose opening quote is already in `out`, starting
/// at `chars[start]`: everything up to and including the closing quote, `''` escapes kept.
/// Returns the index after the literal. The folding passes below never touch literal text.
fn copy_literal_rest(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut i = start;
    while i < chars.len() {
        out.push(chars[i]);
        i += 1;
        if chars[i - 1] == '\'' {
            if chars.get(i) == Some(&'\'') {
                out.push('\'');
                i += 1;
                continue;
            }
            break;
        }
    }
    i
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
            ("jsonb", ColumnType::Other("jsonb".into())),
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
    fn expression_keys_fold_server_spellings() {
        let same: &[(&str, &str)] = &[
            ("age >= 0 AND age < 200", "((age >= 0) AND (age < 200))"),
            ("email <> ''", "((email)::text <> ''::text)"),
            ("age >= 0", "`age` >= 0"),
            ("\"my col\" > 1", "(my col > 1)"),
            (
                "created_at > '2020-01-01'",
                "(created_at > '2020-01-01'::timestamp with time zone)",
            ),
            ("price > 0", "(price > (0)::numeric)"),
            (
                "kind IN ('admin', 'staff')",
                "((kind)::text = ANY ((ARRAY['admin'::character varying, 'staff'::character varying])::text[]))",
            ),
            (
                "((kind)::text = ANY ((ARRAY['admin'::character varying, 'staff'::character varying])::text[]))",
                "((kind)::text = ANY (ARRAY[('admin'::character varying)::text, ('staff'::character varying)::text]))",
            ),
            ("n NOT IN (1, 2)", "(n <> ALL (ARRAY[1, 2]))"),
            ("email NOT LIKE '%@x'", "((email)::text !~~ '%@x'::text)"),
            ("email LIKE 'a%'", "((email)::text ~~ 'a%'::text)"),
            ("email ILIKE 'a%'", "(email ~~* 'a%'::text)"),
            ("email NOT ILIKE 'a%'", "(email !~~* 'a%'::text)"),
            ("a != b", "(a <> b)"),
            (
                "tags[1] IN ('x') AND n > 0",
                "((tags[1] = ANY (ARRAY['x'::text])) AND (n > 0))",
            ),
        ];
        for (a, b) in same {
            assert_eq!(expression_key(a), expression_key(b), "{a:?} vs {b:?}");
        }
        let different: &[(&str, &str)] = &[
            ("age >= 0", "age > 0"),
            ("name <> 'A'", "name <> 'a'"),
            ("x = 'it''s'", "x = 'its'"),
            ("x IN ('a', 'b')", "x IN ('a', 'c')"),
            ("x LIKE 'a%'", "x NOT LIKE 'a%'"),
            ("x = '~~'", "x = 'like'"),
        ];
        for (a, b) in different {
            assert_ne!(expression_key(a), expression_key(b), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn expressions_keep_literals() {
        assert_eq!(normalize_expression("  a  >=   0 "), "a >= 0");
        assert_eq!(normalize_expression("x = 'a   b'"), "x = 'a   b'");
        assert_eq!(normalize_expression("\"my  col\" > 1"), "\"my  col\" > 1");
    }
}
