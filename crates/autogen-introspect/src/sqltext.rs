//! A small SQL lexer for the bits of DDL the catalogs only hand back as text: SQLite's
//! `CREATE TABLE` / `CREATE INDEX` statements (CHECK constraints, constraint names, partial-index
//! predicates) and PostgreSQL's parenthesised expressions. It understands exactly what is needed
//! to never be fooled by the text it skips: string literals, the three identifier quotes
//! (`"..."`, `` `...` ``, `[...]`), comments and nested parentheses. It is not a SQL parser:
//! operators come out as single punctuation characters and keywords as plain words.

/// The kind of one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// A quoted identifier (`"a b"`, `` `a` ``, `[a]`).
    Quoted,
    /// A string literal, quotes included in its span.
    Str,
    Number,
    LParen,
    RParen,
    Comma,
    /// Any other single character.
    Punct,
}

/// One token: its kind and byte span in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }

    /// Whether this is the bare word `kw`, compared case-insensitively.
    pub fn is_word(&self, src: &str, kw: &str) -> bool {
        self.kind == Kind::Word && self.text(src).eq_ignore_ascii_case(kw)
    }

    /// The identifier this token names: quotes removed and doubled quotes undone for quoted
    /// identifiers, string literals (SQLite accepts `'name'` as an identifier) unquoted too,
    /// bare words as written.
    pub fn ident(&self, src: &str) -> String {
        let text = self.text(src);
        match self.kind {
            Kind::Quoted | Kind::Str => unquote(text),
            _ => text.to_string(),
        }
    }
}

fn unquote(text: &str) -> String {
    let mut chars = text.chars();
    let Some(open) = chars.next() else {
        return String::new();
    };
    let close = if open == '[' { ']' } else { open };
    let inner = &text[open.len_utf8()..];
    let inner = inner.strip_suffix(close).unwrap_or(inner);
    if open == '[' {
        return inner.to_string();
    }
    let doubled: String = [close, close].iter().collect();
    inner.replace(&doubled, &close.to_string())
}

/// Splits `src` into tokens, dropping whitespace and comments. Unterminated quotes and comments
/// run to the end of the input rather than failing: the catalog text was accepted by the
/// database, so a mismatch means we are looking at something unusual, not invalid.
pub(crate) fn tokenize(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = src[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = src[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            b'\'' => {
                i = end_of_quoted(bytes, i, b'\'');
                Kind::Str
            }
            b'"' | b'`' => {
                i = end_of_quoted(bytes, i, c);
                Kind::Quoted
            }
            b'[' => {
                i = src[i..].find(']').map_or(bytes.len(), |n| i + n + 1);
                Kind::Quoted
            }
            b'(' => {
                i += 1;
                Kind::LParen
            }
            b')' => {
                i += 1;
                Kind::RParen
            }
            b',' => {
                i += 1;
                Kind::Comma
            }
            b'0'..=b'9' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                Kind::Number
            }
            _ if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                Kind::Word
            }
            _ => {
                // One character, however many bytes it takes (only ASCII reaches here).
                i += 1;
                Kind::Punct
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

/// The index just past a quoted run starting at `start`, where a doubled quote is an escape.
fn end_of_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
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

/// The index of the `)` matching the `(` at `open`, if any.
pub(crate) fn matching_paren(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            Kind::LParen => depth += 1,
            Kind::RParen => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits `tokens[from..to]` at commas outside parentheses into `(start, end)` index ranges.
pub(crate) fn split_top_level(tokens: &[Token], from: usize, to: usize) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = from;
    for (i, t) in tokens.iter().enumerate().take(to).skip(from) {
        match t.kind {
            Kind::LParen => depth += 1,
            Kind::RParen => depth = depth.saturating_sub(1),
            Kind::Comma if depth == 0 => {
                parts.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < to {
        parts.push((start, to));
    }
    parts
}

/// The source text spanned by `tokens[from..to]` (empty when the range is empty).
pub(crate) fn span<'a>(src: &'a str, tokens: &[Token], from: usize, to: usize) -> &'a str {
    if from >= to || to > tokens.len() {
        return "";
    }
    &src[tokens[from].start..tokens[to - 1].end]
}

/// Removes parentheses that wrap the whole expression, repeatedly: `((a > 0))` -> `a > 0`, while
/// `(a) + (b)` stays as it is. Quotes are respected, so `('(')` -> `'('`.
pub(crate) fn strip_outer_parens(expr: &str) -> &str {
    let mut s = expr.trim();
    loop {
        let tokens = tokenize(s);
        let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
            return s;
        };
        if first.kind != Kind::LParen
            || last.kind != Kind::RParen
            || matching_paren(&tokens, 0) != Some(tokens.len() - 1)
        {
            return s;
        }
        s = s[first.end..last.start].trim();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds_and_text(src: &str) -> Vec<(Kind, &str)> {
        tokenize(src)
            .iter()
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn tokenizes_quotes_comments_and_punctuation() {
        use Kind::*;
        let cases: &[(&str, &[(Kind, &str)])] = &[
            (
                "a>=0",
                &[(Word, "a"), (Punct, ">"), (Punct, "="), (Number, "0")],
            ),
            ("'it''s (CHECK' x", &[(Str, "'it''s (CHECK'"), (Word, "x")]),
            (
                "\"we\"\"ird col\" [a b] `c``d`",
                &[
                    (Quoted, "\"we\"\"ird col\""),
                    (Quoted, "[a b]"),
                    (Quoted, "`c``d`"),
                ],
            ),
            (
                "a -- CHECK (x)\n, /* ( */ b",
                &[(Word, "a"), (Comma, ","), (Word, "b")],
            ),
            (
                "f(1.5e3, x)",
                &[
                    (Word, "f"),
                    (LParen, "("),
                    (Number, "1.5e3"),
                    (Comma, ","),
                    (Word, "x"),
                    (RParen, ")"),
                ],
            ),
            ("'unterminated", &[(Str, "'unterminated")]),
            ("/* open", &[]),
            ("héllo wörld", &[(Word, "héllo"), (Word, "wörld")]),
        ];
        for (src, want) in cases {
            assert_eq!(kinds_and_text(src), *want, "{src:?}");
        }
    }

    #[test]
    fn identifiers_are_unquoted() {
        let cases: &[(&str, &str)] = &[
            ("plain", "plain"),
            ("\"a \"\"b\"\"\"", "a \"b\""),
            ("`x``y`", "x`y"),
            ("[with space]", "with space"),
            ("'lit'", "lit"),
        ];
        for (src, want) in cases {
            let toks = tokenize(src);
            assert_eq!(toks.len(), 1, "{src}");
            assert_eq!(toks[0].ident(src), *want, "{src}");
        }
    }

    #[test]
    fn strips_only_wrapping_parens() {
        let cases: &[(&str, &str)] = &[
            ("((a > 0))", "a > 0"),
            ("(a) + (b)", "(a) + (b)"),
            ("( ')' )", "')'"),
            ("(f(x) = '(')", "f(x) = '('"),
            ("a", "a"),
            ("", ""),
            ("(unbalanced", "(unbalanced"),
        ];
        for (src, want) in cases {
            assert_eq!(strip_outer_parens(src), *want, "{src:?}");
        }
    }

    #[test]
    fn splits_at_top_level_commas() {
        let src = "a int, b numeric(10, 2), CHECK (f(a, b) > 0)";
        let toks = tokenize(src);
        let parts: Vec<&str> = split_top_level(&toks, 0, toks.len())
            .into_iter()
            .map(|(s, e)| span(src, &toks, s, e))
            .collect();
        assert_eq!(parts, ["a int", "b numeric(10, 2)", "CHECK (f(a, b) > 0)"]);
    }
}
