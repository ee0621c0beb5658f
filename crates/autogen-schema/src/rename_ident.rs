//! Renaming a column inside SQL expression text (CHECK expressions, partial-index predicates),
//! the way servers do when a column is renamed: PostgreSQL, SQLite and MariaDB rewrite the
//! stored expression, so the differ's "renamed view" of the old schema must too, or a declared
//! rename would also drop and re-add every check that mentions the column (with the re-added
//! check, in the downgrade, naming a column that does not exist yet).
//!
//! It is a token-level rewrite, not a parser: string literals are skipped; a bare word equal to
//! the old name, or a quoted identifier (`"x"`, `` `x` ``, `[x]`) whose content equals it, is
//! replaced. A bare word is matched case-insensitively (unquoted identifiers fold), a quoted one
//! exactly. This file deliberately knows nothing else about SQL.

/// `expr` with every reference to column `from` renamed to `to`. A bare reference whose new name
/// needs quoting is quoted with `quote` (the dialect's [`crate::Dialect::identifier_quote`]: the
/// text alone cannot tell, since `"x"` is an identifier on PostgreSQL and a string on MySQL); a
/// quoted reference keeps its own quotes.
pub fn rename_identifier(expr: &str, from: &str, to: &str, quote: char) -> String {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = String::with_capacity(expr.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' => {
                let end = closing(&chars, i, '\'');
                out.extend(&chars[i..end]);
                i = end;
            }
            '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                let end = closing(&chars, i, close);
                let inner: String = chars[i + 1..end.saturating_sub(1).max(i + 1)]
                    .iter()
                    .collect();
                let doubled = format!("{close}{close}");
                let name = inner.replace(&doubled, &close.to_string());
                if end > i + 1 && chars[end - 1] == close && name == from {
                    out.push(c);
                    out.push_str(&to.replace(close, &doubled));
                    out.push(close);
                } else {
                    out.extend(&chars[i..end]);
                }
                i = end;
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // A word right after `.` or before `(` is a qualifier's member or a function.
                let is_call = chars.get(i) == Some(&'(');
                if !is_call && word.to_lowercase() == from.to_lowercase() {
                    if is_plain(to) {
                        out.push_str(to);
                    } else {
                        let q = quote;
                        out.push(q);
                        out.push_str(&to.replace(q, &format!("{q}{q}")));
                        out.push(q);
                    }
                } else {
                    out.push_str(&word);
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The index just past the literal or quoted identifier opening at `start` (a doubled closing
/// character is an escaped one), or the end of the text when it is not closed.
fn closing(chars: &[char], start: usize, close: char) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == close {
            if close != ']' && chars.get(i + 1) == Some(&close) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

/// A name that needs no quoting on any dialect: lowercase ASCII, digits and `_`, and not a
/// reserved word of PostgreSQL, MySQL or SQLite (the common ones; anything else is quoted).
fn is_plain(name: &str) -> bool {
    const RESERVED: &[&str] = &[
        "all",
        "and",
        "as",
        "asc",
        "between",
        "by",
        "case",
        "check",
        "column",
        "constraint",
        "create",
        "default",
        "delete",
        "desc",
        "distinct",
        "drop",
        "else",
        "end",
        "exists",
        "false",
        "for",
        "foreign",
        "from",
        "group",
        "having",
        "in",
        "index",
        "insert",
        "into",
        "is",
        "join",
        "key",
        "like",
        "limit",
        "not",
        "null",
        "on",
        "or",
        "order",
        "primary",
        "references",
        "select",
        "set",
        "table",
        "then",
        "to",
        "true",
        "union",
        "unique",
        "update",
        "user",
        "using",
        "values",
        "when",
        "where",
        "with",
    ];
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_references_only() {
        for (expr, from, to, expected, quote) in [
            ("a >= 0", "a", "key", "`key` >= 0", '`'),
            ("a >= 0", "a", "naïve_ß", "`naïve_ß` >= 0", '`'),
            ("\"a\" >= 0", "a", "Has Space", "\"Has Space\" >= 0", '`'),
        ] {
            assert_eq!(rename_identifier(expr, from, to, quote), expected, "{expr}");
        }
        for (expr, from, to, expected) in [
            ("age >= 0", "age", "years", "years >= 0"),
            ("\"age\" >= 0", "age", "years", "\"years\" >= 0"),
            ("`age` >= 0", "age", "years", "`years` >= 0"),
            (
                "AGE >= 0 AND agent > 1",
                "age",
                "years",
                "years >= 0 AND agent > 1",
            ),
            (
                "age IN ('age', 'x')",
                "age",
                "years",
                "years IN ('age', 'x')",
            ),
            ("length(name) > 0", "length", "len", "length(name) > 0"),
            ("a >= 0", "a", "Has Space", "\"Has Space\" >= 0"),
            ("a >= 0", "a", "key", "\"key\" >= 0"),
            (
                "a >= 0 AND `b c` > 1",
                "a",
                "key",
                "\"key\" >= 0 AND `b c` > 1",
            ),
            ("\"say \"\"hi\"\"\" >= 0", "say \"hi\"", "b", "\"b\" >= 0"),
            ("\"Age\" >= 0", "age", "years", "\"Age\" >= 0"),
            ("'unterminated", "a", "b", "'unterminated"),
        ] {
            assert_eq!(rename_identifier(expr, from, to, '"'), expected, "{expr}");
        }
    }
}
