//! Reads the schema text form back into a [`Schema`]: the grammar `text.rs` writes, line by line,
//! with errors that name the line and say what was expected there. Blank lines and lines starting
//! with `#` are skipped, so fixture files can carry notes. The parser is strict: it accepts what
//! the renderer writes and nothing looser (no other keyword case, no extra spaces), so a fixture
//! that parses has one spelling. It builds plain IR values and checks no meaning (a foreign key
//! to a table that does not exist parses, as the IR can hold it); the renderer uses the small
//! value readers here to decide when a value must be escaped.

use thiserror::Error;

use crate::text::is_bare_name;
use crate::{
    Check, Column, ColumnType, DefaultValue, Deferrable, EnumType, ForeignKey, Generated, Identity,
    IdentityKind, Index, IndexColumn, PrimaryKey, ReferentialAction, Schema, Table,
    UniqueConstraint,
};

/// Why a schema text does not parse, with the 1-based line it happened on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct TextError {
    pub line: usize,
    pub message: String,
}

/// Parses the text [`render_text`](crate::render_text) writes. `parse_text(&render_text(s))`
/// equals `s` up to the order of tables, enums and each table's constraints and indexes, which
/// come back in the order the text lists them.
pub fn parse_text(text: &str) -> Result<Schema, TextError> {
    let mut schema = Schema::default();
    // The table that indented lines belong to: an index into `schema.tables`.
    let mut current: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let fail = |message: String| TextError {
            line: i + 1,
            message,
        };
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(member) = line.strip_prefix("  ") {
            let Some(t) = current.and_then(|t| schema.tables.get_mut(t)) else {
                return Err(fail(
                    "an indented line must follow a `table NAME` line".to_string(),
                ));
            };
            table_member(t, member).map_err(fail)?;
        } else if let Some(rest) = line.strip_prefix("table ") {
            let mut c = Cursor::new(rest);
            let name = c.name().map_err(fail)?;
            c.end().map_err(fail)?;
            schema.tables.push(Table::new(name));
            current = Some(schema.tables.len() - 1);
        } else if let Some(rest) = line.strip_prefix("enum ") {
            let mut c = Cursor::new(rest);
            let name = c.name().map_err(fail)?;
            c.expect(" ").map_err(fail)?;
            let values = c.enum_values().map_err(fail)?;
            c.end().map_err(fail)?;
            schema.enums.push(EnumType { name, values });
            current = None;
        } else {
            return Err(fail(format!(
                "expected `table NAME`, `enum NAME ('value', ...)` or an indented table line, \
                 found `{line}`"
            )));
        }
    }
    Ok(schema)
}

/// `option strict`, `option without_rowid`, `option engine NAME`, `option row_format NAME`,
/// `option charset NAME`, `option collate NAME`, `option key_block_size N`.
fn table_option(t: &mut Table, rest: &str) -> Result<(), String> {
    let o = &mut t.options;
    match rest {
        "strict" => o.strict = true,
        "without_rowid" => o.without_rowid = true,
        _ => {
            let (key, value) = rest
                .split_once(' ')
                .ok_or_else(|| format!("expected `option KEY VALUE`, found `option {rest}`"))?;
            if key == "key_block_size" {
                let n = value.parse().map_err(|_| {
                    format!("expected a number after `key_block_size`, found `{value}`")
                })?;
                o.key_block_size = Some(n);
                return Ok(());
            }
            let mut c = Cursor::new(value);
            let v = c.name()?;
            c.end()?;
            let slot = match key {
                "engine" => &mut o.engine,
                "row_format" => &mut o.row_format,
                "charset" => &mut o.charset,
                "collate" => &mut o.collation,
                _ => {
                    return Err(format!(
                        "unknown table option `{key}` (expected strict, without_rowid, engine, \
                         row_format, key_block_size, charset or collate)"
                    ))
                }
            };
            *slot = Some(v);
        }
    }
    Ok(())
}

/// One indented line (without its indentation) of `t`.
fn table_member(t: &mut Table, line: &str) -> Result<(), String> {
    if let Some(rest) = line.strip_prefix("comment ") {
        if t.comment.is_some() {
            return Err(format!("table {} has a second comment line", t.name));
        }
        let mut c = Cursor::new(rest);
        t.comment = Some(c.quoted()?);
        return c.end();
    }
    if let Some(rest) = line.strip_prefix("option ") {
        return table_option(t, rest);
    }
    // `schema NAME`: the table lives in that PostgreSQL schema (its key is `NAME.table`).
    if let Some(rest) = line.strip_prefix("schema ") {
        if t.schema.is_some() {
            return Err(format!("table {} has a second schema line", t.name));
        }
        let mut c = Cursor::new(rest);
        let schema = c.name()?;
        if !t.name.starts_with(&format!("{schema}.")) {
            return Err(format!(
                "table {} is in schema {schema}, so its name must start with `{schema}.`",
                t.name
            ));
        }
        t.schema = Some(schema);
        return c.end();
    }
    if let Some(rest) = line.strip_prefix("column ") {
        t.columns.push(column(rest)?);
        return Ok(());
    }
    if let Some(rest) = line.strip_prefix("primary key ") {
        if t.primary_key.is_some() {
            return Err(format!("table {} has a second primary key line", t.name));
        }
        let mut c = Cursor::new(rest);
        let name = c.optional_name()?;
        let columns = c.name_list()?;
        c.end()?;
        t.primary_key = Some(PrimaryKey { name, columns });
        return Ok(());
    }
    // `unique index (a)` is a unique constraint named `index`: an index's name never starts
    // with a parenthesis.
    if let Some(rest) = line.strip_prefix("unique index ") {
        if !rest.starts_with('(') {
            t.indexes.push(index(rest, true)?);
            return Ok(());
        }
    }
    if let Some(rest) = line.strip_prefix("unique ") {
        let mut c = Cursor::new(rest);
        let name = c.optional_name()?;
        let columns = c.name_list()?;
        let deferrable = c.deferrable();
        c.end()?;
        t.unique_constraints.push(UniqueConstraint {
            name,
            columns,
            deferrable,
        });
        return Ok(());
    }
    if let Some(rest) = line.strip_prefix("index ") {
        t.indexes.push(index(rest, false)?);
        return Ok(());
    }
    if let Some(rest) = line.strip_prefix("foreign key ") {
        t.foreign_keys.push(foreign_key(rest)?);
        return Ok(());
    }
    if let Some(rest) = line.strip_prefix("check ") {
        let unnamed = rest.starts_with('(') || rest.starts_with("escaped \"");
        let (name, body) = if unnamed {
            (None, rest)
        } else {
            let mut c = Cursor::new(rest);
            let name = c.name()?;
            c.expect(" ")?;
            (Some(name), c.rest())
        };
        let expression = parse_check_body(body)?;
        t.checks.push(Check { name, expression });
        return Ok(());
    }
    Err(format!(
        "expected `comment`, `schema`, `column`, `primary key`, `unique`, `index`, `unique index`, \
         `foreign key` or `check` in table {}, found `{line}`",
        t.name
    ))
}

fn column(rest: &str) -> Result<Column, String> {
    let mut c = Cursor::new(rest);
    let name = c.name()?;
    c.expect(" ")?;
    let (ty, len) = parse_column_type(c.rest())?;
    c.pos += len;
    let nullable = if c.eat(" null") {
        true
    } else if c.eat(" not null") {
        false
    } else {
        return Err("expected `null` or `not null` after the column type".to_string());
    };
    let mut column = Column::new(name, ty);
    column.nullable = nullable;
    if c.eat(" default ") {
        let (value, len) = parse_default_value(c.rest())?;
        c.pos += len;
        column.default = Some(value);
    }
    column.on_update_current_timestamp = c.eat(" on update CURRENT_TIMESTAMP");
    column.auto_increment = c.eat(" auto_increment");
    if column.auto_increment {
        column.identity = identity(&mut c)?;
    }
    if c.eat(" collate ") {
        column.collation = Some(c.name()?);
    }
    if c.eat(" generated ") {
        let stored = if c.eat("stored ") {
            true
        } else if c.eat("virtual ") {
            false
        } else {
            return Err(format!(
                "expected `stored` or `virtual` after `generated`, found `{}`",
                c.rest()
            ));
        };
        let (expression, len) = parse_generated_expression(c.rest())?;
        c.pos += len;
        column.generated = Some(Generated { expression, stored });
    }
    if c.eat(" comment ") {
        column.comment = Some(c.quoted()?);
    }
    if !c.at_end() {
        return Err(format!(
            "unexpected `{}` in column {}: after `null` / `not null` come `default VALUE`, \
             `on update CURRENT_TIMESTAMP`, `auto_increment` (with `serial`, `always` or `by default` and `start N`, \
             `increment N`), `collate NAME`, `generated stored|virtual (EXPRESSION)` \
             and `comment \"...\"`, in that order",
            c.rest(),
            column.name
        ));
    }
    Ok(column)
}

/// The declared form after `auto_increment` (`serial`, `always`, `by default`, then `start N`
/// and `increment N`), when there is one.
fn identity(c: &mut Cursor<'_>) -> Result<Option<Identity>, String> {
    let kind = if c.eat(" serial") {
        IdentityKind::Serial
    } else if c.eat(" always") {
        IdentityKind::Always
    } else if c.eat(" by default") {
        IdentityKind::ByDefault
    } else {
        return Ok(None);
    };
    let number = |c: &mut Cursor<'_>, word: &str| -> Result<Option<i64>, String> {
        if !c.eat(word) {
            return Ok(None);
        }
        let digits = c
            .rest()
            .find(|ch: char| !(ch.is_ascii_digit() || ch == '-'))
            .unwrap_or(c.rest().len());
        let n = c.rest()[..digits].parse::<i64>().map_err(|_| {
            format!(
                "expected a number after `{}`, found `{}`",
                word.trim(),
                c.rest()
            )
        })?;
        c.pos += digits;
        Ok(Some(n))
    };
    let start = number(c, " start ")?;
    let increment = number(c, " increment ")?;
    Ok(Some(Identity {
        kind,
        start,
        increment,
    }))
}

fn index(rest: &str, unique: bool) -> Result<Index, String> {
    let mut c = Cursor::new(rest);
    let name = c.name()?;
    c.expect(" (")?;
    let mut columns = Vec::new();
    if !c.eat(")") {
        loop {
            let (part, len) = parse_index_part(c.rest())?;
            c.pos += len;
            columns.push(part);
            if c.eat(")") {
                break;
            }
            c.expect(", ")?;
        }
    }
    let include = if c.eat(" include ") {
        c.name_list()?
    } else {
        Vec::new()
    };
    let method = if c.eat(" using ") {
        Some(c.name()?)
    } else {
        None
    };
    let nulls_not_distinct = c.eat(" nulls not distinct");
    let comment = if c.eat(" comment ") {
        Some(c.quoted()?)
    } else {
        None
    };
    let predicate = if c.eat(" where ") {
        let p = parse_predicate(c.rest())?;
        c.pos = c.s.len();
        Some(p)
    } else {
        None
    };
    c.end()?;
    Ok(Index {
        name,
        columns,
        unique,
        method,
        predicate,
        include,
        nulls_not_distinct,
        comment,
    })
}

fn foreign_key(rest: &str) -> Result<ForeignKey, String> {
    let mut c = Cursor::new(rest);
    let name = c.optional_name()?;
    let columns = c.name_list()?;
    c.expect(" references ")?;
    let referenced_table = c.name()?;
    c.expect(" ")?;
    let referenced_columns = c.name_list()?;
    let on_delete = if c.eat(" on delete ") {
        c.action()?
    } else {
        ReferentialAction::NoAction
    };
    let on_update = if c.eat(" on update ") {
        c.action()?
    } else {
        ReferentialAction::NoAction
    };
    let deferrable = c.deferrable();
    c.end()?;
    Ok(ForeignKey {
        name,
        columns,
        referenced_table,
        referenced_columns,
        on_delete,
        on_update,
        deferrable,
    })
}

/// Reads a column type at the start of `s`, which continues with ` null` or ` not null`:
/// the type and its length in bytes.
pub(crate) fn parse_column_type(s: &str) -> Result<(ColumnType, usize), String> {
    let end = type_end(s).ok_or_else(|| {
        format!("expected a column type followed by `null` or `not null`, found `{s}`")
    })?;
    Ok((parse_type_text(&s[..end])?, end))
}

/// Where the type ends: the first ` null` or ` not null` (followed by a space or the end) outside
/// parentheses and quotes.
fn type_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => i = skip_sql_quote(s, i),
            b'"' => i = skip_rust_string(s, i),
            b'(' => {
                depth += 1;
                i += 1;
            }
            b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b' ' if depth == 0 => {
                for keyword in [" null", " not null"] {
                    let after = i + keyword.len();
                    if s[i..].starts_with(keyword)
                        && (after == s.len() || bytes.get(after) == Some(&b' '))
                    {
                        return Some(i);
                    }
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// A column type as the text writes it: `ColumnType`'s display spelling, `decimal(*,S)` for a
/// scale without a precision, `enum NAME('a', ...)`, `other "raw"`, or any other text, which is
/// a raw type.
pub(crate) fn parse_type_text(s: &str) -> Result<ColumnType, String> {
    if s.is_empty() {
        return Err("expected a column type".to_string());
    }
    // `text[]`: an array of the element type, which is never itself an array.
    if let Some(element) = s.strip_suffix("[]") {
        return match parse_type_text(element)? {
            ColumnType::Array(_) => Err(format!(
                "`{s}`: an array's element is not an array; write one `[]`"
            )),
            element => Ok(ColumnType::Array(Box::new(element))),
        };
    }
    if let Some(q) = s.strip_prefix("other ") {
        if q.starts_with('"') {
            let mut c = Cursor::new(q);
            let raw = c.quoted()?;
            c.end()?;
            return Ok(ColumnType::Other(raw));
        }
    }
    if let Some(rest) = s.strip_prefix("enum ") {
        let mut c = Cursor::new(rest);
        let name = c.name()?;
        let values = c.enum_values()?;
        c.end()?;
        return Ok(ColumnType::Enum { name, values });
    }
    if let Some(rest) = s.strip_prefix("set").filter(|r| r.starts_with('(')) {
        let mut c = Cursor::new(rest);
        let values = c.enum_values()?;
        c.end()?;
        return Ok(ColumnType::Set { values });
    }
    let int = |base: &str| -> Option<bool> {
        if s == base {
            Some(false)
        } else {
            s.strip_prefix(base)
                .filter(|r| *r == " unsigned")
                .map(|_| true)
        }
    };
    if let Some(unsigned) = int("tinyint") {
        return Ok(ColumnType::TinyInt { unsigned });
    }
    if let Some(unsigned) = int("smallint") {
        return Ok(ColumnType::SmallInt { unsigned });
    }
    if let Some(unsigned) = int("integer") {
        return Ok(ColumnType::Integer { unsigned });
    }
    if let Some(unsigned) = int("bigint") {
        return Ok(ColumnType::BigInt { unsigned });
    }
    let fixed = match s {
        "boolean" => Some(ColumnType::Boolean),
        "real" => Some(ColumnType::Real),
        "double" => Some(ColumnType::Double),
        "text" => Some(ColumnType::Text),
        "blob" => Some(ColumnType::Blob),
        "date" => Some(ColumnType::Date),
        "time" => Some(ColumnType::Time),
        "timestamp" => Some(ColumnType::Timestamp {
            with_time_zone: false,
        }),
        "timestamptz" => Some(ColumnType::Timestamp {
            with_time_zone: true,
        }),
        "uuid" => Some(ColumnType::Uuid),
        "json" => Some(ColumnType::Json),
        "jsonb" => Some(ColumnType::Jsonb),
        _ => None,
    };
    if let Some(ty) = fixed {
        return Ok(ty);
    }
    // Length and precision forms: only the exact spelling the renderer writes is that type
    // (`char(05)` is a raw type), so the two directions cannot disagree.
    let args = |base: &str| -> Option<Vec<Option<u32>>> {
        let inner = s.strip_prefix(base)?.strip_prefix('(')?.strip_suffix(')')?;
        inner
            .split(',')
            .map(|a| match a {
                "*" => Some(None),
                a if !a.is_empty()
                    && a.bytes().all(|b| b.is_ascii_digit())
                    && (a == "0" || !a.starts_with('0')) =>
                {
                    a.parse().ok().map(Some)
                }
                _ => None,
            })
            .collect()
    };
    let ty = match (args("decimal"), args("char"), args("varchar")) {
        (Some(a), _, _) => match a.as_slice() {
            [Some(p)] => Some(ColumnType::Decimal {
                precision: Some(*p),
                scale: None,
            }),
            [p, Some(scale)] => Some(ColumnType::Decimal {
                precision: *p,
                scale: Some(*scale),
            }),
            _ => None,
        },
        (_, Some(a), _) => match a.as_slice() {
            [Some(n)] => Some(ColumnType::Char { length: Some(*n) }),
            _ => None,
        },
        (_, _, Some(a)) => match a.as_slice() {
            [Some(n)] => Some(ColumnType::Varchar { length: Some(*n) }),
            _ => None,
        },
        _ => None,
    };
    Ok(match ty {
        Some(ty) => ty,
        None if s == "decimal" => ColumnType::Decimal {
            precision: None,
            scale: None,
        },
        None if s == "char" => ColumnType::Char { length: None },
        None if s == "varchar" => ColumnType::Varchar { length: None },
        None => ColumnType::Other(s.to_string()),
    })
}

/// Reads a default at the start of `s`: the value and its length in bytes.
pub(crate) fn parse_default_value(s: &str) -> Result<(DefaultValue, usize), String> {
    if s.starts_with('\'') {
        let end = skip_sql_quote(s, 0);
        if end > s.len() || !s[..end].ends_with('\'') || end < 2 {
            return Err(format!("unterminated string default `{s}`"));
        }
        let value = s[1..end - 1].replace("''", "'");
        return Ok((DefaultValue::String(value), end));
    }
    if s.starts_with('(') {
        let end = balanced_end(s)
            .ok_or_else(|| format!("unbalanced parentheses in the default expression `{s}`"))?;
        return Ok((DefaultValue::Expression(s[1..end - 1].to_string()), end));
    }
    for (tag, make) in [
        (
            "number ",
            DefaultValue::Number as fn(String) -> DefaultValue,
        ),
        ("string ", DefaultValue::String),
        ("expression ", DefaultValue::Expression),
    ] {
        if let Some(rest) = s.strip_prefix(tag) {
            if rest.starts_with('"') {
                let mut c = Cursor::new(rest);
                let value = c.quoted()?;
                return Ok((make(value), tag.len() + c.pos));
            }
        }
    }
    let token = s.split(' ').next().unwrap_or_default();
    let value = match token {
        "NULL" => DefaultValue::Null,
        "TRUE" => DefaultValue::Boolean(true),
        "FALSE" => DefaultValue::Boolean(false),
        "CURRENT_TIMESTAMP" => DefaultValue::CurrentTimestamp,
        "CURRENT_DATE" => DefaultValue::CurrentDate,
        "CURRENT_TIME" => DefaultValue::CurrentTime,
        t if is_number(t) => DefaultValue::Number(t.to_string()),
        t => {
            return Err(format!(
                "unknown default `{t}`: write a string in single quotes, a number, NULL, TRUE, \
                 FALSE, CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME or an expression in \
                 parentheses"
            ))
        }
    };
    Ok((value, token.len()))
}

/// `-?digits[.digits][e[+-]digits]`: the numbers a default is written as without a tag.
fn is_number(t: &str) -> bool {
    let t = t.strip_prefix('-').unwrap_or(t);
    let (mantissa, exponent) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((i, f)) => digits(i) && digits(f),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// Reads one index key part at the start of `s` and its length in bytes: a quoted column name,
/// `expression "..."`, or the text up to a `,` or `)` outside parentheses and quotes, then the
/// options [`index_part`](crate::text) writes after it (`collate X`, `opclass X`, `prefix N`,
/// `desc`, `nulls first|last`, in that order). Unquoted text that is one plain word is a column,
/// anything else an expression.
pub(crate) fn parse_index_part(s: &str) -> Result<(IndexColumn, usize), String> {
    let mut c = Cursor::new(s);
    let key = if s.starts_with('"') {
        Some((c.quoted()?, false))
    } else if s.starts_with("expression \"") {
        c.pos = "expression ".len();
        Some((c.quoted()?, true))
    } else {
        None
    };
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = c.pos;
    while i < bytes.len() {
        match bytes[i] {
            // Option values are quoted as Rust strings, and a SQL quoted identifier (`"a""b"`)
            // skips the same way, as two strings side by side.
            b'"' => i = skip_rust_string(s, i),
            q @ (b'\'' | b'`') => i = skip_doubled_quote(s, i, q),
            b'(' => {
                depth += 1;
                i += 1;
            }
            b')' if depth == 0 => break,
            b')' => {
                depth -= 1;
                i += 1;
            }
            b',' if depth == 0 => break,
            _ => i += 1,
        }
    }
    let i = i.min(s.len());
    let mut text = &s[c.pos..i];
    let mut part = IndexColumn::default();
    if let Some(t) = text.strip_suffix(" nulls first") {
        part.nulls_first = Some(true);
        text = t;
    } else if let Some(t) = text.strip_suffix(" nulls last") {
        part.nulls_first = Some(false);
        text = t;
    }
    if let Some(t) = text.strip_suffix(" desc") {
        part.descending = true;
        text = t;
    }
    if let Some((t, digits)) = text.rsplit_once(" prefix ") {
        // Only the canonical spelling (no sign, no leading zero), as the renderer writes it.
        if let Some(n) = digits
            .parse::<u32>()
            .ok()
            .filter(|n| n.to_string() == digits)
        {
            part.prefix_length = Some(n);
            text = t;
        }
    }
    if let Some((t, o)) = strip_named_option(text, " opclass ") {
        part.opclass = Some(o);
        text = t;
    }
    if let Some((t, co)) = strip_named_option(text, " collate ") {
        part.collation = Some(co);
        text = t;
    }
    match key {
        Some((name, expression)) => {
            if !text.is_empty() {
                return Err(format!("unexpected `{text}` in an index key part"));
            }
            part.name = name;
            part.expression = expression;
        }
        None => {
            if text.is_empty() {
                return Err("expected an index column or expression".to_string());
            }
            part.expression = !is_bare_name(text);
            part.name = text.to_string();
        }
    }
    Ok((part, i))
}

/// `text` without a trailing `KEYWORD value` (keyword given with its spaces), and the value: a
/// bare name or a Rust string literal that runs to the end of `text`.
fn strip_named_option<'a>(text: &'a str, keyword: &str) -> Option<(&'a str, String)> {
    let mut end = text.len();
    while let Some(at) = text[..end].rfind(keyword) {
        let mut c = Cursor::new(&text[at + keyword.len()..]);
        if let Ok(value) = c.name() {
            if c.at_end() {
                return Some((&text[..at], value));
            }
        }
        end = at;
    }
    None
}

/// The rest of an index line after ` where `: the predicate as written, or `escaped "..."`.
pub(crate) fn parse_predicate(s: &str) -> Result<String, String> {
    match s.strip_prefix("escaped ") {
        Some(q) if q.starts_with('"') => {
            let mut c = Cursor::new(q);
            let p = c.quoted()?;
            c.end()?;
            Ok(p)
        }
        _ => Ok(s.to_string()),
    }
}

/// A generated column's expression at the start of `s`: `(expression)` up to its balancing
/// parenthesis, or `escaped "..."`; with the length read.
pub(crate) fn parse_generated_expression(s: &str) -> Result<(String, usize), String> {
    if s.starts_with("escaped \"") {
        let mut c = Cursor::new(s);
        c.pos = "escaped ".len();
        let e = c.quoted()?;
        return Ok((e, c.pos));
    }
    match s.starts_with('(').then(|| balanced_end(s)).flatten() {
        Some(end) => Ok((s[1..end - 1].to_string(), end)),
        None => Err(format!(
            "expected `(expression)` or `escaped \"...\"` after `generated stored|virtual`, found `{s}`"
        )),
    }
}

/// A check line after its name: `(expression)` to the end of the line, or `escaped "..."`.
pub(crate) fn parse_check_body(s: &str) -> Result<String, String> {
    if let Some(q) = s.strip_prefix("escaped ") {
        let mut c = Cursor::new(q);
        let e = c.quoted()?;
        c.end()?;
        return Ok(e);
    }
    match s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(e) => Ok(e.to_string()),
        None => Err(format!(
            "expected `(expression)` or `escaped \"...\"` after `check`, found `{s}`"
        )),
    }
}

/// The index after the SQL string literal opening at `start` (`''` escapes a quote); past the
/// end when it is not closed.
fn skip_sql_quote(s: &str, start: usize) -> usize {
    skip_doubled_quote(s, start, b'\'')
}

/// The index after the quoted text opening at `start` with quote `q`, which a doubled `q`
/// escapes; past the end when it is not closed.
fn skip_doubled_quote(s: &str, start: usize, q: u8) -> usize {
    let bytes = s.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == q {
            if bytes.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    s.len() + 1
}

/// The index after the Rust string literal opening at `start`; past the end when not closed.
fn skip_rust_string(s: &str, start: usize) -> usize {
    let bytes = s.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    s.len() + 1
}

/// The index after the `)` that closes the `(` at the start of `s`, outside SQL quotes.
fn balanced_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'\'' | b'"' | b'`') => i = skip_doubled_quote(s, i, q),
            b'(' => {
                depth += 1;
                i += 1;
            }
            b')' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// A position in one line's text.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor { s, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    /// ` deferrable initially deferred`, ` deferrable` or nothing, after a constraint.
    fn deferrable(&mut self) -> Deferrable {
        if self.eat(" deferrable initially deferred") {
            Deferrable::Deferred
        } else if self.eat(" deferrable") {
            Deferrable::Immediate
        } else {
            Deferrable::NotDeferrable
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.rest().starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, lit: &str) -> Result<(), String> {
        if self.eat(lit) {
            Ok(())
        } else {
            Err(format!("expected `{lit}`, found `{}`", self.rest()))
        }
    }

    fn end(&self) -> Result<(), String> {
        if self.at_end() {
            Ok(())
        } else {
            Err(format!(
                "unexpected `{}` at the end of the line",
                self.rest()
            ))
        }
    }

    /// A bare name (a word without spaces, parentheses, commas or quotes) or a Rust string
    /// literal.
    fn name(&mut self) -> Result<String, String> {
        if self.rest().starts_with('"') {
            return self.quoted();
        }
        let len = self
            .rest()
            .char_indices()
            .find(|(_, c)| !is_bare_name(c.encode_utf8(&mut [0; 4])))
            .map_or(self.rest().len(), |(i, _)| i);
        if len == 0 {
            return Err(format!("expected a name, found `{}`", self.rest()));
        }
        let name = self.rest()[..len].to_string();
        self.pos += len;
        Ok(name)
    }

    /// `NAME ` before a parenthesised list, or nothing when the list comes first.
    fn optional_name(&mut self) -> Result<Option<String>, String> {
        if self.rest().starts_with('(') {
            return Ok(None);
        }
        let name = self.name()?;
        self.expect(" ")?;
        Ok(Some(name))
    }

    /// `(a, b)`: names.
    fn name_list(&mut self) -> Result<Vec<String>, String> {
        self.expect("(")?;
        let mut names = Vec::new();
        if self.eat(")") {
            return Ok(names);
        }
        loop {
            names.push(self.name()?);
            if self.eat(")") {
                return Ok(names);
            }
            self.expect(", ")?;
        }
    }

    /// `('a', 'b')`: enum values as SQL strings or Rust string literals.
    fn enum_values(&mut self) -> Result<Vec<String>, String> {
        self.expect("(")?;
        let mut values = Vec::new();
        if self.eat(")") {
            return Ok(values);
        }
        loop {
            if self.rest().starts_with('"') {
                values.push(self.quoted()?);
            } else if self.rest().starts_with('\'') {
                let end = skip_sql_quote(self.rest(), 0);
                if end > self.rest().len() {
                    return Err(format!("unterminated value `{}`", self.rest()));
                }
                values.push(self.rest()[1..end - 1].replace("''", "'"));
                self.pos += end;
            } else {
                return Err(format!(
                    "expected a value in single quotes, found `{}`",
                    self.rest()
                ));
            }
            if self.eat(")") {
                return Ok(values);
            }
            self.expect(", ")?;
        }
    }

    fn action(&mut self) -> Result<ReferentialAction, String> {
        for (word, action) in [
            ("set default", ReferentialAction::SetDefault),
            ("set null", ReferentialAction::SetNull),
            ("no action", ReferentialAction::NoAction),
            ("restrict", ReferentialAction::Restrict),
            ("cascade", ReferentialAction::Cascade),
        ] {
            if self.eat(word) {
                return Ok(action);
            }
        }
        Err(format!(
            "expected `cascade`, `restrict`, `set null`, `set default` or `no action`, found `{}`",
            self.rest()
        ))
    }

    /// A Rust string literal as `{:?}` writes it: `\n`, `\r`, `\t`, `\\`, `\"`, `\'`, `\0` and
    /// `\u{...}` escapes.
    fn quoted(&mut self) -> Result<String, String> {
        let start = self.rest();
        let unterminated = || format!("unterminated string `{start}`");
        let mut chars = start.char_indices();
        match chars.next() {
            Some((_, '"')) => {}
            _ => {
                return Err(format!(
                    "expected a string in double quotes, found `{start}`"
                ))
            }
        }
        let mut out = String::new();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => {
                    let (_, e) = chars.next().ok_or_else(unterminated)?;
                    out.push(match e {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        '0' => '\0',
                        '\\' | '"' | '\'' => e,
                        'u' => {
                            let rest = &start[i + 2..];
                            let close = rest.find('}').ok_or_else(unterminated)?;
                            let hex = rest
                                .strip_prefix('{')
                                .map(|r| &r[..close - 1])
                                .ok_or_else(|| format!("bad escape in `{start}`"))?;
                            let ch = u32::from_str_radix(hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| format!("bad escape `\\u{{{hex}}}` in `{start}`"))?;
                            // Skip the `{hex}` just read.
                            for _ in 0..close + 1 {
                                chars.next();
                            }
                            ch
                        }
                        other => return Err(format!("unknown escape `\\{other}` in `{start}`")),
                    });
                }
                c => out.push(c),
            }
        }
        Err(unterminated())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_line_and_what_was_expected() {
        let cases: &[(&str, usize, &str)] = &[
            (
                "  column a text null\n",
                1,
                "must follow a `table NAME` line",
            ),
            (
                "table t\n  column a text\n",
                2,
                "expected a column type followed by `null`",
            ),
            (
                "table t\n\n  column a text null default now()\n",
                3,
                "unknown default `now()`",
            ),
            (
                "table t\n  colum a text null\n",
                2,
                "expected `comment`, `schema`, `column`",
            ),
            ("tables t\n", 1, "expected `table NAME`"),
            ("enum e ('a', b)\n", 1, "expected a value in single quotes"),
            (
                "table t\n  foreign key (a) references u (id) on delete nothing\n",
                2,
                "expected `cascade`",
            ),
            ("table t\n  comment \"open\n", 2, "unterminated string"),
            ("table t\n  check id > 0\n", 2, "expected `(expression)`"),
            (
                "table t\n  primary key (a)\n  primary key (b)\n",
                3,
                "second primary key",
            ),
        ];
        for (text, line, message) in cases {
            let err = parse_text(text).expect_err(text);
            assert_eq!(err.line, *line, "{text:?}: {err}");
            assert!(err.message.contains(message), "{text:?}: {err}");
            assert!(err.to_string().starts_with(&format!("line {line}: ")));
        }
    }

    #[test]
    fn reads_hand_written_text_with_notes_and_crlf() {
        let text = "# a note\r\nenum mood ('ok', 'it''s')\r\ntable t\r\n  # inside\r\n  column \"Odd Name\" enum mood('ok', 'it''s') null default 'ok'\r\n";
        let s = parse_text(text).unwrap_or_default();
        assert_eq!(s.enums[0].values, vec!["ok", "it's"]);
        let c = &s.tables[0].columns[0];
        assert_eq!(c.name, "Odd Name");
        assert_eq!(c.default, Some(DefaultValue::String("ok".into())));
    }

    #[test]
    fn types_read_back_exactly_as_displayed() {
        for (text, ty) in [
            ("integer unsigned", ColumnType::Integer { unsigned: true }),
            (
                "decimal(10)",
                ColumnType::Decimal {
                    precision: Some(10),
                    scale: None,
                },
            ),
            (
                "decimal(*,2)",
                ColumnType::Decimal {
                    precision: None,
                    scale: Some(2),
                },
            ),
            (
                "decimal(10,2)",
                ColumnType::Decimal {
                    precision: Some(10),
                    scale: Some(2),
                },
            ),
            (
                "decimal",
                ColumnType::Decimal {
                    precision: None,
                    scale: None,
                },
            ),
            ("varchar", ColumnType::Varchar { length: None }),
            ("char(05)", ColumnType::Other("char(05)".into())),
            (
                "double precision",
                ColumnType::Other("double precision".into()),
            ),
            ("other \"integer\"", ColumnType::Other("integer".into())),
            ("jsonb", ColumnType::Jsonb),
            ("text[]", ColumnType::Array(Box::new(ColumnType::Text))),
            (
                "varchar(20)[]",
                ColumnType::Array(Box::new(ColumnType::Varchar { length: Some(20) })),
            ),
            (
                "other \"hstore\"[]",
                ColumnType::Array(Box::new(ColumnType::Other("hstore".into()))),
            ),
            (
                "timestamptz",
                ColumnType::Timestamp {
                    with_time_zone: true,
                },
            ),
        ] {
            assert_eq!(parse_type_text(text), Ok(ty), "{text}");
        }
    }
}
