//! A minimal reader of the first tokens of a statement autogen wrote: words, quoted identifiers
//! and single punctuation characters, whitespace skipped. Enough to recognise the runner's own
//! rebuild statements (`sqlite_rebuild.rs`) and to find the table an ALTER names
//! (`mysql_observed.rs`); nothing here parses SQL beyond that (the statement splitter and
//! autogen-normalize's sqlparser-based readers do).

/// Every token of `text`: identifiers read as SQLite and MySQL read them (`"x"`, `` `x` ``,
/// `[x]` or bare, a doubled quote standing for one) and punctuation, one character each.
pub(super) fn identifiers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut tokens = Tokens { rest: text };
    while let Some(t) = tokens.next_token() {
        out.push(t);
    }
    out
}

/// A minimal reader of the first tokens of a statement: words and quoted identifiers, with
/// whitespace skipped. Enough to recognise autogen's own rebuild statements.
pub(super) struct Tokens<'a> {
    pub(super) rest: &'a str,
}

impl Tokens<'_> {
    pub(super) fn next_token(&mut self) -> Option<String> {
        self.rest = self.rest.trim_start();
        let mut chars = self.rest.char_indices();
        let (_, first) = chars.next()?;
        let close = match first {
            '"' => Some('"'),
            '`' => Some('`'),
            '[' => Some(']'),
            _ => None,
        };
        if let Some(close) = close {
            let mut out = String::new();
            let body = &self.rest[1..];
            let mut iter = body.char_indices().peekable();
            while let Some((i, c)) = iter.next() {
                if c == close {
                    if close != ']' && iter.peek().is_some_and(|&(_, n)| n == close) {
                        out.push(c);
                        iter.next();
                        continue;
                    }
                    self.rest = &body[i + c.len_utf8()..];
                    return Some(out);
                }
                out.push(c);
            }
            self.rest = "";
            return Some(out);
        }
        let end = self
            .rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(self.rest.len());
        if end == 0 {
            // Punctuation: a token of its own.
            let len = first.len_utf8();
            let t = self.rest[..len].to_string();
            self.rest = &self.rest[len..];
            return Some(t);
        }
        let t = self.rest[..end].to_string();
        self.rest = &self.rest[end..];
        Some(t)
    }
}
