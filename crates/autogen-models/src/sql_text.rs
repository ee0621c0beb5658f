//! The guard on attributes that hold SQL text (`default`, `column_type`, `check(expr)`, index
//! `where`): each is one expression or type that autogen writes *inside* a statement of its own,
//! so it must not be able to end that statement, comment out the rest of it, or close the
//! parentheses around it. This module scans the text the way the server will and refuses a
//! statement separator, a comment start, an unbalanced parenthesis or an unterminated quote
//! outside string literals and quoted identifiers.
//!
//! A breakout hides exactly where two readings of the same text disagree (a backslash before a
//! quote is an escape for MySQL by default and for PostgreSQL with `standard_conforming_strings`
//! off, an ordinary character otherwise; `$$` quotes on PostgreSQL; `[...]` is an identifier on
//! SQLite; `#` a comment on MySQL), so the text is scanned once per reading its dialect may apply
//! and must be clean in every one. Without a dialect (the derive macro) only the reading every
//! dialect shares is used; the model reader, which knows the dialect, applies the rest.
//!
//! Hand-rolled rather than `sqlparser`'s tokenizer: that tokenizer reads one fixed mode per
//! dialect, while the guard needs every mode a server may run in (MySQL's NO_BACKSLASH_ESCAPES
//! and ANSI_QUOTES, PostgreSQL's standard_conforming_strings), and it would add a large parser
//! to the derive macro's build in every user's crate to find five kinds of token. The scanner
//! is one loop over the characters with table-driven tests below.

use autogen_schema::Dialect;

use crate::error::{Diag, Site};

/// Checks one SQL attribute and reports what it finds at `site`. `what` names the attribute in
/// the message ("`default`", "the check expression").
pub(crate) fn check(
    text: &str,
    what: &str,
    site: Site,
    dialect: Option<Dialect>,
    diags: &mut Vec<Diag>,
) {
    if let Some(finding) = scan(text, dialect) {
        diags.push(diag(&finding, what, site));
    }
}

fn diag(f: &Finding, what: &str, site: Site) -> Diag {
    let at = f.at + 1;
    let (message, help) = match f.problem {
        Problem::Separator => (
            format!("{what} has a statement separator `;` outside a string literal (character {at})"),
            "an attribute holds one SQL expression or type, which autogen writes inside a statement of its own, so it cannot end that statement and start another; if the `;` is data, write it inside a string literal ('a;b')".to_string(),
        ),
        Problem::Comment("#") => (
            format!("{what} has `#`, which starts a comment on MySQL/MariaDB (character {at})"),
            "a comment would hide the rest of the statement autogen writes around the expression; remove it, or write it inside a string literal".to_string(),
        ),
        Problem::Comment(start) => (
            format!("{what} has a comment start `{start}` outside a string literal (character {at})"),
            "a comment would hide the rest of the statement autogen writes around the expression; remove it (to subtract a negative number, write `a - -1`)".to_string(),
        ),
        Problem::UnopenedParen => (
            format!("{what} has a `)` that closes no `(` (character {at})"),
            "parentheses must balance inside the attribute: an extra `)` would close the SQL autogen writes around the expression, and what follows would run as SQL of its own".to_string(),
        ),
        Problem::UnclosedParen => (
            format!("{what} has a `(` that is never closed (character {at})"),
            "add the missing `)`; parentheses must balance inside the attribute".to_string(),
        ),
        Problem::UnterminatedQuote(q) => {
            let kind = match q {
                '\'' => "string literal",
                '"' => "quoted identifier or string",
                '`' => "quoted identifier",
                '[' => "bracketed identifier",
                _ => "dollar-quoted string",
            };
            (
                format!("{what} has an unterminated {kind} starting with `{q}` (character {at})"),
                "close it; a quote inside quoted text is written twice ('it''s')".to_string(),
            )
        }
        Problem::ControlChar(c) => (
            format!(
                "{what} contains a control character (U+{:04X}) (character {at})",
                u32::from(c)
            ),
            "remove it; tabs and line breaks are the only control characters SQL text may hold here".to_string(),
        ),
    };
    match f.reading {
        Some(reading) => Diag::new(site, format!("{message}, {reading}")).help(
            "write a quote inside a string as two quotes ('it''s') and never put a backslash before a quote: servers and SQL modes disagree on whether it escapes the quote, and the text must stay one expression in every reading",
        ),
        None => Diag::new(site, message).help(help),
    }
}

/// What the scan found wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    Separator,
    /// `--`, `/*` or (MySQL) `#`.
    Comment(&'static str),
    UnopenedParen,
    UnclosedParen,
    /// The opening quote: `'`, `"`, `` ` ``, `[` or `$` (a dollar quote).
    UnterminatedQuote(char),
    /// A control character other than tab, line feed and carriage return.
    ControlChar(char),
}

/// A problem and where it starts: a 0-based character index into the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Finding {
    pub problem: Problem,
    pub at: usize,
    /// How the server reads the text to find this, when another reading it may apply does not
    /// (so the reader learns why an expression that looks fine is refused).
    pub reading: Option<&'static str>,
}

/// One way a server may read SQL text.
#[derive(Debug, Clone, Copy)]
struct Reading {
    /// `\` escapes the next character inside `'...'` (and inside `"..."` when `"` quotes a
    /// string, as on MySQL by default).
    backslash_escapes: bool,
    /// `"..."` is a string on this reading, so backslash escapes apply inside it too.
    double_quoted_strings: bool,
    /// `` `...` `` quotes an identifier (SQLite, MySQL); on PostgreSQL it is an operator
    /// character.
    backticks: bool,
    /// `[...]` quotes an identifier (SQLite).
    brackets: bool,
    /// `$$...$$` and `$tag$...$tag$` quote a string; `E'...'` always takes backslash escapes
    /// (PostgreSQL).
    dollar_quotes: bool,
    /// `#` starts a comment (MySQL).
    hash_comments: bool,
    /// Said when this reading finds a problem another reading does not.
    name: &'static str,
}

const STANDARD: Reading = Reading {
    backslash_escapes: false,
    double_quoted_strings: false,
    backticks: true,
    brackets: false,
    dollar_quotes: false,
    hash_comments: false,
    name: "",
};

const SQLITE: Reading = Reading {
    brackets: true,
    name: "as SQLite reads it",
    ..STANDARD
};

const POSTGRES: Reading = Reading {
    backticks: false,
    dollar_quotes: true,
    name: "as PostgreSQL reads it, where a backslash is an ordinary character",
    ..STANDARD
};

const POSTGRES_BACKSLASH: Reading = Reading {
    backslash_escapes: true,
    name: "as PostgreSQL reads it with standard_conforming_strings off",
    ..POSTGRES
};

const MYSQL: Reading = Reading {
    backslash_escapes: true,
    double_quoted_strings: true,
    hash_comments: true,
    name: "as MySQL/MariaDB read it by default",
    ..STANDARD
};

/// NO_BACKSLASH_ESCAPES, and ANSI_QUOTES (where `"` quotes an identifier, which takes no
/// backslash escapes either): both read a backslash as an ordinary character.
const MYSQL_NO_BACKSLASH: Reading = Reading {
    backslash_escapes: false,
    double_quoted_strings: false,
    name: "as MySQL/MariaDB read it with NO_BACKSLASH_ESCAPES or ANSI_QUOTES",
    ..MYSQL
};

fn readings(dialect: Option<Dialect>) -> &'static [Reading] {
    match dialect {
        None => &[STANDARD],
        Some(Dialect::Sqlite) => &[SQLITE],
        Some(Dialect::Postgres) => &[POSTGRES, POSTGRES_BACKSLASH],
        Some(Dialect::Mysql) => &[MYSQL, MYSQL_NO_BACKSLASH],
    }
}

/// Scans `text` in every reading `dialect` may apply; the first problem of the first reading
/// that finds one, or `None` when every reading finds the text self-contained.
pub(crate) fn scan(text: &str, dialect: Option<Dialect>) -> Option<Finding> {
    let chars: Vec<char> = text.chars().collect();
    // A control character is refused anywhere, inside literals too: NUL ends the text for C
    // clients, and the others cannot be read back reliably from a revision file.
    if let Some(at) = chars.iter().position(|&c| is_refused_control(c)) {
        return Some(Finding {
            problem: Problem::ControlChar(chars[at]),
            at,
            reading: None,
        });
    }
    let readings = readings(dialect);
    let found: Vec<Option<(Problem, usize)>> =
        readings.iter().map(|r| scan_one(&chars, r).err()).collect();
    let disagree = found.iter().any(Option::is_none);
    readings
        .iter()
        .zip(&found)
        .find_map(|(reading, f)| f.map(|f| (reading, f)))
        .map(|(reading, (problem, at))| Finding {
            problem,
            at,
            reading: disagree.then_some(reading.name),
        })
}

/// Tab, line feed and carriage return are whitespace in SQL; every other control character is
/// refused.
pub(crate) fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn scan_one(chars: &[char], r: &Reading) -> Result<(), (Problem, usize)> {
    let mut open_parens: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let next = chars.get(i + 1).copied();
        match chars[i] {
            ';' => return Err((Problem::Separator, i)),
            '-' if next == Some('-') => return Err((Problem::Comment("--"), i)),
            '/' if next == Some('*') => return Err((Problem::Comment("/*"), i)),
            '#' if r.hash_comments => return Err((Problem::Comment("#"), i)),
            '(' => open_parens.push(i),
            // The guard pops the `(` a `)` closes, so only a `)` with none left to close matches.
            ')' if open_parens.pop().is_none() => return Err((Problem::UnopenedParen, i)),
            '\'' => {
                // PostgreSQL's E'...' takes backslash escapes whatever the server settings.
                let e_string = r.dollar_quotes
                    && i > 0
                    && matches!(chars[i - 1], 'e' | 'E')
                    && !(i > 1 && is_ident_char(chars[i - 2]));
                i = close_quote(chars, i, '\'', r.backslash_escapes || e_string)?;
            }
            '"' => {
                let escapes = r.backslash_escapes && r.double_quoted_strings;
                i = close_quote(chars, i, '"', escapes)?;
            }
            '`' if r.backticks => i = close_quote(chars, i, '`', false)?,
            '[' if r.brackets => match chars[i + 1..].iter().position(|&c| c == ']') {
                Some(n) => i += n + 1,
                None => return Err((Problem::UnterminatedQuote('['), i)),
            },
            '$' if r.dollar_quotes && !(i > 0 && is_ident_char(chars[i - 1])) => {
                if let Some(tag_end) = dollar_tag(chars, i) {
                    let tag = &chars[i..=tag_end];
                    match (tag_end + 1..chars.len()).find(|&j| chars[j..].starts_with(tag)) {
                        Some(close) => i = close + tag.len() - 1,
                        None => return Err((Problem::UnterminatedQuote('$'), i)),
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    match open_parens.first() {
        Some(&at) => Err((Problem::UnclosedParen, at)),
        None => Ok(()),
    }
}

/// The index of the quote that closes the one at `open`.
fn close_quote(
    chars: &[char],
    open: usize,
    quote: char,
    backslash_escapes: bool,
) -> Result<usize, (Problem, usize)> {
    let mut i = open + 1;
    while i < chars.len() {
        let c = chars[i];
        if backslash_escapes && c == '\\' {
            i += 2;
            continue;
        }
        if c == quote {
            // A doubled quote stands for one quote character and does not close.
            if chars.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return Ok(i);
        }
        i += 1;
    }
    Err((Problem::UnterminatedQuote(quote), open))
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// The index of the `$` that ends a dollar-quote tag starting at `start` (`$$`, `$tag$`), or
/// `None` when `$` does not start one there (`$1` is a parameter, not a quote).
fn dollar_tag(chars: &[char], start: usize) -> Option<usize> {
    if chars.get(start + 1).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut i = start + 1;
    while let Some(&c) = chars.get(i) {
        if c == '$' {
            return Some(i);
        }
        if !(c.is_alphanumeric() || c == '_') {
            return None;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PG: Option<Dialect> = Some(Dialect::Postgres);
    const MY: Option<Dialect> = Some(Dialect::Mysql);
    const LITE: Option<Dialect> = Some(Dialect::Sqlite);

    #[test]
    fn self_contained_text_passes() {
        for (text, dialect) in [
            ("age >= 0", None),
            ("CURRENT_TIMESTAMP", None),
            ("numeric(10,2)", None),
            ("(a > 0) AND (b IN ('x', 'y'))", None),
            ("'it''s; (not) -- code /* at all'", None),
            ("\"odd;name\" IS NOT NULL", None),
            ("`odd;name` > 0", MY),
            ("\"a\"\"b;\" > 0", PG),
            ("a - -1", None),
            ("a >= 0\n  AND a < 10", None),
            ("a / 2 > 1", None),
            ("'C:\\\\' <> x", MY),
            ("'C:\\' <> x", LITE),
            ("'C:\\' <> x", None),
            ("(flags # 1) > 0", PG),
            ("(flags # 1) > 0", LITE),
            ("$$it's; fine$$", PG),
            ("$tag$ $$ ; $tag$", PG),
            ("price$ > 0", PG),
            ("E'it\\'s'", PG),
            ("[weird;name] > 0", LITE),
            ("arr[1] > 0", PG),
            ("$1", PG),
        ] {
            assert_eq!(scan(text, dialect), None, "{text:?} on {dialect:?}");
        }
    }

    #[test]
    fn breakouts_are_found_where_they_start() {
        use Problem::*;
        for (text, dialect, problem, at) in [
            (
                "1=1)); DROP TABLE users; SELECT ((1",
                None,
                UnopenedParen,
                3,
            ),
            ("0; DROP TABLE users", None, Separator, 1),
            ("0 -- rest", None, Comment("--"), 2),
            ("0 /* rest */", None, Comment("/*"), 2),
            ("a--1", MY, Comment("--"), 1),
            ("(1 + 2", None, UnclosedParen, 0),
            ("((1)", None, UnclosedParen, 0),
            ("a = 'x", None, UnterminatedQuote('\''), 4),
            ("\"a", None, UnterminatedQuote('"'), 0),
            ("`a", MY, UnterminatedQuote('`'), 0),
            ("[a", LITE, UnterminatedQuote('['), 0),
            ("$x$ a", PG, UnterminatedQuote('$'), 0),
            ("(flags # 1) > 0", MY, Comment("#"), 7),
            ("0\u{0}", None, ControlChar('\u{0}'), 1),
            ("'\u{1b}'", PG, ControlChar('\u{1b}'), 1),
            // Each dialect's own quoting hides the `;` from the standard reading.
            ("$$'$$; DROP TABLE users; SELECT $$'$$", PG, Separator, 5),
            ("['] ; DROP TABLE users; [']", LITE, Separator, 4),
            ("`;` ; x", PG, Separator, 1),
            ("E'\\''; DROP TABLE users; SELECT '", PG, Separator, 5),
        ] {
            let got = scan(text, dialect).map(|f| (f.problem, f.at));
            assert_eq!(got, Some((problem, at)), "{text:?} on {dialect:?}");
        }
    }

    /// Text that is one expression under one reading and code under another is refused, and the
    /// reading that breaks is named.
    #[test]
    fn readings_that_disagree_are_named() {
        let breakout = "'\\''; DROP TABLE users; SELECT '\\''";
        assert_eq!(scan(breakout, None), None);
        assert_eq!(scan(breakout, LITE), None);
        let my = scan(breakout, MY).unwrap();
        assert_eq!((my.problem, my.at), (Problem::Separator, 4));
        assert_eq!(my.reading, Some(MYSQL.name));
        let pg = scan(breakout, PG).unwrap();
        assert_eq!(pg.reading, Some(POSTGRES_BACKSLASH.name));

        // NO_BACKSLASH_ESCAPES turns the default reading's one string into code.
        let other_way = "'\\'; DROP TABLE users; SELECT \\''";
        let my = scan(other_way, MY).unwrap();
        assert_eq!(my.problem, Problem::Separator);
        assert_eq!(my.reading, Some(MYSQL_NO_BACKSLASH.name));

        // A problem every reading finds needs no explanation.
        assert_eq!(scan("0; x", MY).unwrap().reading, None);
    }
}
