//! The struct-level `index(...)` key: its key parts (`"created_at DESC"`, `"lower(email)"`,
//! `"title(191)"`, `"body jsonb_path_ops"`), partial-index predicate (`where = "..."`), access
//! method (`method = "hash"`), `include(...)` columns, `nulls_not_distinct` and `comment`,
//! checked for shape.
//!
//! A key part is written as in SQL's CREATE INDEX: a column, a function call (`lower(email)`) or
//! any other expression in parentheses (`(a + b)`), then optionally `COLLATE name`, an operator
//! class (one plain word ending in `_ops`), `ASC`/`DESC` and `NULLS FIRST`/`NULLS LAST`. `name(191)` with a
//! whole number is read as a key prefix length when `name` is a column (lowering decides, as it
//! knows the columns), like MySQL writes it.
//!
//! It deliberately does not check that key parts name real columns (lowering knows the columns)
//! nor whether a dialect supports the method, predicate or a key part option (the renderer says
//! so, per dialect); a method is only required to be a plain name, since PostgreSQL extensions
//! add methods of their own.

use super::keys::{Entry, Value};
use crate::error::{Diag, Site};

/// A struct-level `index(...)`.
pub(crate) struct IndexDef {
    pub name: Option<(String, Site)>,
    pub columns: Vec<IndexPart>,
    pub unique: bool,
    /// The partial-index predicate as written (non-empty), and its site.
    pub predicate: Option<(String, Site)>,
    /// The access method, lowercased.
    pub method: Option<String>,
    /// `include("a", "b")`: non-key columns (PostgreSQL), with their sites.
    pub include: Vec<(String, Site)>,
    pub nulls_not_distinct: bool,
    pub comment: Option<String>,
}

/// One key part: `"created_at DESC"` is column `created_at`, descending.
#[derive(Debug, Clone, Default)]
pub(crate) struct IndexPart {
    /// The column name, or the expression's text (without the parentheses around it).
    pub column: String,
    pub expression: bool,
    /// `name(191)`: a prefix length when `column` turns out to be a column; otherwise the part
    /// is the function call `call` (`expression` is then also set).
    pub prefix: Option<(u32, String)>,
    pub descending: bool,
    pub nulls_first: Option<bool>,
    pub opclass: Option<String>,
    pub collation: Option<String>,
    pub site: Option<Site>,
}

/// Reads the keys inside `index(...)`; `None` when it cannot make an index of them (the problem
/// is in `diags`).
pub(crate) fn parse_index(
    inner: Vec<Entry>,
    site: Site,
    diags: &mut Vec<Diag>,
) -> Option<IndexDef> {
    let mut index = IndexDef {
        name: None,
        columns: Vec::new(),
        unique: false,
        predicate: None,
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        comment: None,
    };
    let mut ok = true;
    for e in inner {
        match (e.key, e.value) {
            ("name", Value::Str(s)) => index.name = Some((s, e.value_site)),
            ("columns", Value::Columns(c)) => {
                for (text, part_site) in c {
                    match key_part(&text, part_site) {
                        Ok(part) => index.columns.push(part),
                        Err(d) => {
                            diags.push(d);
                            ok = false;
                        }
                    }
                }
            }
            ("unique", Value::Flag) => index.unique = true,
            ("include", Value::Columns(c)) => index.include = c,
            ("nulls_not_distinct", Value::Flag) => index.nulls_not_distinct = true,
            ("comment", Value::Str(s)) => index.comment = Some(s),
            ("where", Value::Str(s)) => {
                if s.trim().is_empty() {
                    diags.push(
                        Diag::new(e.value_site, "the index predicate (`where`) is empty")
                            .help("write the SQL condition rows must meet to be indexed: `where = \"deleted_at IS NULL\"`, or remove the key"),
                    );
                    ok = false;
                } else {
                    index.predicate = Some((s, e.value_site));
                }
            }
            ("method", Value::Str(s)) => {
                let method = s.trim().to_ascii_lowercase();
                let plain = !method.is_empty()
                    && method
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_');
                if plain {
                    index.method = Some(method);
                } else {
                    diags.push(
                        Diag::new(e.value_site, format!("`{s}` is not an index method name"))
                            .help("write the access method's name, e.g. `method = \"hash\"` (PostgreSQL: btree, hash, gin, gist, brin; MySQL: btree, hash, fulltext, spatial)"),
                    );
                    ok = false;
                }
            }
            _ => {}
        }
    }
    if index.columns.is_empty() && ok {
        diags.push(super::missing_columns(site, "index"));
        return None;
    }
    ok.then_some(index)
}

/// One key part, as SQL's CREATE INDEX writes it (see the module documentation).
fn key_part(text: &str, site: Site) -> Result<IndexPart, Diag> {
    let trimmed = text.trim();
    let fail = |message: String, help: &str| Err(Diag::new(site, message).help(help.to_string()));
    const SHAPE: &str = "a key part is a column, a function call or an expression in parentheses, then optionally COLLATE name, an operator class (a word ending in _ops), ASC or DESC, and NULLS FIRST or NULLS LAST: `\"created_at DESC\"`, `\"lower(email)\"`, `\"(a + b) DESC\"`, `\"title(191)\"`, `\"body jsonb_path_ops\"`";
    const NO_COLUMN: &str = "write the column first: `columns(\"created_at DESC\")`";
    let mut part = IndexPart {
        site: Some(site),
        ..IndexPart::default()
    };
    // The key: `(expression)`, `"quoted column"`, or a word optionally followed by `(...)`.
    let rest = if let Some(inner) = trimmed.strip_prefix('(') {
        let Some(close) = closing_paren(inner) else {
            return fail(
                format!("unbalanced parentheses in index key part `{trimmed}`"),
                SHAPE,
            );
        };
        let expr = inner[..close].trim();
        if expr.is_empty() {
            return fail(
                format!("index key part `{trimmed}` has an empty expression"),
                SHAPE,
            );
        }
        part.column = expr.to_string();
        part.expression = true;
        &inner[close + 1..]
    } else if let Some(inner) = trimmed.strip_prefix('"') {
        let Some(end) = inner.find('"') else {
            return fail(
                format!("unterminated quoted name in index key part `{trimmed}`"),
                SHAPE,
            );
        };
        part.column = inner[..end].to_string();
        &inner[end + 1..]
    } else {
        // A bare name runs to the first space or parenthesis, so column names holding quotes,
        // dashes or other symbols (`it's`, `e-mail`) read as they always have; an expression
        // that is not a function call must be parenthesised, and lowering reports a name that
        // is no column.
        let word_end = trimmed
            .find(|c: char| c.is_whitespace() || c == '(')
            .unwrap_or(trimmed.len());
        let word = &trimmed[..word_end];
        if word.is_empty() {
            return fail(
                format!("index key part `{text}` names no column"),
                NO_COLUMN,
            );
        }
        let after = &trimmed[word_end..];
        if let Some(args) = after.trim_start().strip_prefix('(') {
            let Some(close) = closing_paren(args) else {
                return fail(
                    format!("unbalanced parentheses in index key part `{trimmed}`"),
                    SHAPE,
                );
            };
            let call_len = trimmed.len() - args.len() + close + 1;
            let call = &trimmed[..call_len];
            part.column = call.to_string();
            part.expression = true;
            if let Ok(n) = args[..close].trim().parse::<u32>() {
                if n > 0 {
                    part.prefix = Some((n, word.to_string()));
                }
            }
            &trimmed[call_len..]
        } else {
            part.column = word.to_string();
            after
        }
    };
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return fail(
            format!("unexpected `{}` in index key part `{trimmed}`", rest.trim()),
            SHAPE,
        );
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    let mut i = 0;
    // Each option once, in SQL's order: COLLATE, operator class, direction, NULLS.
    let mut stage = 0;
    while i < words.len() {
        let w = words[i];
        let next = words.get(i + 1).copied();
        if w.eq_ignore_ascii_case("collate") && stage < 1 {
            let Some(name) = next else {
                return fail(
                    format!("`COLLATE` without a collation name in index key part `{trimmed}`"),
                    SHAPE,
                );
            };
            part.collation = Some(name.trim_matches('"').to_string());
            stage = 1;
            i += 2;
        } else if w.eq_ignore_ascii_case("desc") || w.eq_ignore_ascii_case("asc") {
            if stage >= 3 {
                return fail(
                    format!("a second sort direction `{w}` in index key part `{trimmed}`"),
                    SHAPE,
                );
            }
            part.descending = w.eq_ignore_ascii_case("desc");
            stage = 3;
            i += 1;
        } else if w.eq_ignore_ascii_case("nulls") && stage < 4 {
            part.nulls_first = match next {
                Some(n) if n.eq_ignore_ascii_case("first") => Some(true),
                Some(n) if n.eq_ignore_ascii_case("last") => Some(false),
                _ => {
                    return fail(
                        format!(
                        "`NULLS` must be followed by FIRST or LAST in index key part `{trimmed}`"
                    ),
                        SHAPE,
                    )
                }
            };
            stage = 4;
            i += 2;
        } else if stage < 2
            // Operator class names end in `_ops` (every built-in and extension one does), which
            // keeps a misspelt direction (`DESCE`) an error rather than an operator class.
            && w.to_ascii_lowercase().ends_with("_ops")
            && w.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        {
            part.opclass = Some(w.to_string());
            stage = 2;
            i += 1;
        } else if stage < 3 && w.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(Diag::new(
                site,
                format!("unknown sort direction `{w}` in index key part `{trimmed}`"),
            )
            .help(format!(
                "a key part is a column or expression, optionally followed by DESC or ASC: `\"{} DESC\"`; an operator class is a word ending in _ops, and an expression that is not a function call goes in parentheses",
                part.column
            )));
        } else {
            return Err(Diag::new(
                site,
                format!("unexpected `{w}` in index key part `{trimmed}`"),
            )
            .help(format!(
                "{SHAPE}; an expression that is not a function call goes in parentheses"
            )));
        }
    }
    if !part.expression
        && (part.column.eq_ignore_ascii_case("desc") || part.column.eq_ignore_ascii_case("asc"))
    {
        return fail(
            format!("index key part `{text}` names no column"),
            NO_COLUMN,
        );
    }
    Ok(part)
}

/// The byte index of the `)` that closes an already opened parenthesis in `s`, outside quotes.
fn closing_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => return Some(i),
            (None, ')') => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_parts() {
        let site = Site::span(proc_macro2::Span::call_site());
        for (text, column, descending) in [
            ("id", "id", false),
            ("created_at DESC", "created_at", true),
            ("created_at desc", "created_at", true),
            ("created_at  Asc ", "created_at", false),
            (" name ", "name", false),
            ("lower(email)", "lower(email)", false),
            ("(a + b) DESC", "a + b", true),
            // Column names with symbols read as names, as before key-part options existed.
            ("it's", "it's", false),
            ("e-mail DESC", "e-mail", true),
        ] {
            let part = key_part(text, site).unwrap_or_else(|d| panic!("{text}: {}", d.message));
            assert_eq!(
                (part.column.as_str(), part.descending),
                (column, descending),
                "{text}"
            );
        }
        let part = key_part("title(191) DESC", site).unwrap_or_else(|d| panic!("{}", d.message));
        assert_eq!(part.prefix, Some((191, "title".to_string())));
        let part = key_part("body COLLATE \"C\" text_pattern_ops DESC NULLS LAST", site)
            .unwrap_or_else(|d| panic!("{}", d.message));
        assert_eq!(
            (
                part.column.as_str(),
                part.collation.as_deref(),
                part.opclass.as_deref()
            ),
            ("body", Some("C"), Some("text_pattern_ops"))
        );
        assert_eq!((part.descending, part.nulls_first), (true, Some(false)));
        for (text, message) in [
            ("created_at DOWN", "unknown sort direction `DOWN`"),
            ("created_at DESC ASC", "a second sort direction"),
            ("a + b", "unexpected `+`"),
            ("lower(email", "unbalanced parentheses"),
            ("body NULLS", "must be followed by FIRST or LAST"),
            ("DESC", "names no column"),
            ("", "names no column"),
        ] {
            match key_part(text, site) {
                Ok(p) => panic!("{text:?} read as {}", p.column),
                Err(d) => assert!(d.message.contains(message), "{text:?}: {}", d.message),
            }
        }
    }
}
