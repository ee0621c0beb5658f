//! Splitting a section of SQL into statements at top-level `;`. This is the one place that knows
//! where a statement ends in each dialect: `'...'` strings (`''` escapes everywhere, backslash
//! escapes on MySQL and in PostgreSQL `E'...'`), `"..."` and `` `...` `` (and SQLite `[...]`)
//! identifiers, `--` and `/* */` comments (nested on PostgreSQL; `#` on MySQL), PostgreSQL dollar
//! quotes, and `BEGIN ... END` bodies of SQLite triggers and PostgreSQL `BEGIN ATOMIC` functions,
//! and the compound statements of MySQL/MariaDB triggers, routines and events (`BEGIN ... END`,
//! `IF ... END IF`, `CASE ... END CASE`, `LOOP`, `WHILE`, `REPEAT`; see [`Splitter::word`]), and
//! MariaDB's top-level `BEGIN NOT ATOMIC ... END` block (on PostgreSQL and SQLite a leading
//! `BEGIN` is transaction control and ends at its `;`).
//!
//! A small hand-written scanner rather than `sqlparser`'s tokenizer: we need only statement
//! boundaries, must keep the statement text byte-for-byte, and must never fail on SQL we do not
//! understand (`sqlparser` errors on unknown syntax). It deliberately does not parse or validate
//! SQL, and it does not understand MySQL's client-side `DELIMITER` command.
//!
//! The scan also reads the one per-statement directive, `-- autogen:no-transaction` on a line of
//! its own between statements: [`split_marked`] returns, for each statement, whether such a line
//! stands before it (after the previous statement's `;`), so the runner and the offline scripts
//! run that statement outside the revision's transaction. It also says whether a statement holds
//! a `;` of its own (a body): the MySQL/MariaDB command-line client splits a script at every `;`
//! outside quotes and comments, so an offline script must set another delimiter around such a
//! statement (`script.rs`).
//!
//! The same scan tells the revision file parser (`file.rs`) which lines start at a statement
//! boundary ([`boundary_lines`]), so that a line looking like a section marker counts only there
//! and never inside a string, a quoted identifier, a dollar quote, a block comment or an
//! unfinished statement.

use autogen_schema::Dialect;

use crate::dialect::Rules;

/// Splits `sql` into statements for `dialect`. Each statement is trimmed, has no trailing `;`
/// and no leading comments; fragments that hold only comments and whitespace are dropped (except
/// MySQL `/*! ... */` executable comments, which are code).
pub fn split_statements(sql: &str, dialect: Dialect) -> Vec<String> {
    Splitter::new(sql, dialect).run()
}

/// [`split_statements`], with the line (1-based) each statement starts on: how the project's SQL
/// files (`schema_files`) are split, so that a file and a revision holding the same statements
/// split the same way, and errors name `file:line`.
pub fn split_statements_with_lines(sql: &str, dialect: Dialect) -> Vec<(usize, String)> {
    let mut splitter = Splitter::new(sql, dialect);
    splitter.scan();
    splitter.lines.into_iter().zip(splitter.out).collect()
}

/// One statement of a section, as [`split_marked`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SplitStatement {
    /// The statement as [`split_statements`] gives it.
    pub sql: String,
    /// A `-- autogen:no-transaction` line stands before it: it runs alone, outside any
    /// transaction.
    pub no_transaction: bool,
    /// It holds a `;` outside its strings and comments (a trigger, routine or event body, a
    /// `BEGIN NOT ATOMIC` block): a client that ends statements at `;` would cut it there.
    pub holds_semicolon: bool,
}

/// [`split_statements`], with each statement's `-- autogen:no-transaction` mark.
pub(crate) fn split_marked(sql: &str, dialect: Dialect) -> Vec<SplitStatement> {
    let mut splitter = Splitter::new(sql, dialect);
    splitter.scan();
    splitter
        .out
        .into_iter()
        .zip(splitter.marks)
        .zip(splitter.inner)
        .map(|((sql, no_transaction), holds_semicolon)| SplitStatement {
            sql,
            no_transaction,
            holds_semicolon,
        })
        .collect()
}

/// The byte offsets of the lines of `sql` (the start, and every position after a `\n`) that
/// begin at a statement boundary for `dialect`: outside every string, quoted identifier, dollar
/// quote and comment, with no statement begun and not yet ended by its `;`. Whitespace and
/// line comments between statements are boundaries; the lines of a multi-line statement, string
/// or block comment after its first are not.
pub(crate) fn boundary_lines(sql: &str, dialect: Dialect) -> Vec<usize> {
    let mut splitter = Splitter::new(sql, dialect);
    splitter.record_boundaries = true;
    splitter.scan();
    splitter.boundaries
}

struct Splitter<'a> {
    src: &'a str,
    bytes: &'a [u8],
    rules: &'static Rules,
    pos: usize,
    out: Vec<String>,
    /// Byte offset of the first code (not comment, not whitespace) of the current statement.
    code_start: Option<usize>,
    /// The first words of the current statement, uppercased, to recognise statements with
    /// `BEGIN ... END` bodies.
    head: Vec<String>,
    /// Whether the current statement is one whose body may hold `;` inside `BEGIN ... END`.
    has_body: bool,
    /// Open `BEGIN`/`CASE` blocks inside such a statement.
    depth: usize,
    /// The last word (uppercased) or punctuation character of the current statement, for
    /// telling a MySQL `IF` statement from the `IF()` function.
    prev: String,
    /// Whether to record the line starts that are statement boundaries (see [`boundary_lines`]).
    record_boundaries: bool,
    boundaries: Vec<usize>,
    /// Whether a `-- autogen:no-transaction` line was seen since the last statement ended.
    pending_mark: bool,
    /// For each statement of `out`, whether such a line stood before it.
    marks: Vec<bool>,
    /// Whether the current statement has met a `;` inside its body; and for each statement of
    /// `out`, whether it did.
    inner_semicolon: bool,
    inner: Vec<bool>,
    /// For each statement of `out`, the line it starts on; and the newlines counted so far
    /// (up to `counted`), so that counting stays linear.
    lines: Vec<usize>,
    counted: usize,
    newlines: usize,
}

impl<'a> Splitter<'a> {
    fn new(src: &'a str, dialect: Dialect) -> Self {
        Splitter {
            src,
            bytes: src.as_bytes(),
            rules: crate::dialect::rules(dialect),
            pos: 0,
            out: Vec::new(),
            code_start: None,
            head: Vec::new(),
            has_body: false,
            depth: 0,
            prev: String::new(),
            record_boundaries: false,
            boundaries: Vec::new(),
            pending_mark: false,
            marks: Vec::new(),
            inner_semicolon: false,
            inner: Vec::new(),
            lines: Vec::new(),
            counted: 0,
            newlines: 0,
        }
    }

    fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn mark_code(&mut self, at: usize) {
        if self.code_start.is_none() {
            self.code_start = Some(at);
        }
    }

    fn run(mut self) -> Vec<String> {
        self.scan();
        self.out
    }

    fn scan(&mut self) {
        while let Some(b) = self.peek(0) {
            let start = self.pos;
            // Every line start outside a string, quoted identifier or comment is reached here
            // (those constructs are skipped whole); it is a boundary when no statement is open.
            if self.record_boundaries
                && self.code_start.is_none()
                && (start == 0 || self.bytes[start - 1] == b'\n')
            {
                self.boundaries.push(start);
            }
            match b {
                b';' if self.depth == 0 => {
                    self.finish(start);
                    self.pos += 1;
                }
                b';' => {
                    self.inner_semicolon = true;
                    self.pos += 1;
                    self.set_prev(";");
                }
                b'-' if self.peek(1) == Some(b'-') && self.line_comment_allowed() => {
                    if self.code_start.is_none() && self.starts_line(start) {
                        self.pending_mark |= self.is_no_transaction_line(start);
                    }
                    self.skip_line();
                }
                b'#' if self.rules.hash_comments => self.skip_line(),
                b'/' if self.peek(1) == Some(b'*') => {
                    let executable = self.rules.executable_comments && self.peek(2) == Some(b'!');
                    if executable {
                        self.mark_code(start);
                    }
                    self.skip_block_comment();
                    // The MySQL client ends a statement at a `;` inside `/*! ... */` (as in
                    // mysqldump's `/*!50003 CREATE TRIGGER ... */`), though the server reads
                    // the comment as one piece of code.
                    if executable && self.src[start..self.pos].contains(';') {
                        self.inner_semicolon = true;
                    }
                }
                b'\'' => {
                    self.mark_code(start);
                    self.set_prev("'");
                    let backslash = self.rules.backslash_escapes || self.is_escape_string(start);
                    self.skip_quoted(b'\'', backslash);
                }
                b'"' => {
                    self.mark_code(start);
                    self.set_prev("\"");
                    self.skip_quoted(b'"', self.rules.backslash_escapes);
                }
                b'`' if self.rules.backquote_identifiers => {
                    self.mark_code(start);
                    self.skip_quoted(b'`', false);
                }
                b'[' if self.rules.bracket_identifiers => {
                    self.mark_code(start);
                    self.skip_until(b']');
                }
                b'$' if self.rules.dollar_quotes && self.dollar_tag().is_some() => {
                    self.mark_code(start);
                    self.skip_dollar_quoted();
                }
                b if is_word_start(b) => {
                    self.mark_code(start);
                    self.word();
                }
                b if b.is_ascii_whitespace() => self.pos += 1,
                _ => {
                    self.mark_code(start);
                    self.advance_char();
                    let c = self.src[start..self.pos].to_string();
                    self.set_prev(&c);
                }
            }
        }
        self.finish(self.bytes.len());
    }

    /// Closes the current statement at `end` (exclusive).
    fn finish(&mut self, end: usize) {
        if let Some(start) = self.code_start.take() {
            let text = self.src[start..end].trim();
            if !text.is_empty() {
                self.newlines += self.bytes[self.counted..start]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                self.counted = start;
                self.lines.push(self.newlines + 1);
                self.out.push(text.to_string());
                self.marks.push(self.pending_mark);
                self.inner.push(self.inner_semicolon);
                self.pending_mark = false;
            }
        }
        self.inner_semicolon = false;
        self.head.clear();
        self.has_body = false;
        self.depth = 0;
        self.prev.clear();
    }

    fn set_prev(&mut self, token: &str) {
        self.prev.clear();
        self.prev.push_str(token);
    }

    /// Whether only whitespace stands between the line's start and `at`.
    fn starts_line(&self, at: usize) -> bool {
        self.bytes[..at]
            .iter()
            .rev()
            .take_while(|&&b| b != b'\n')
            .all(u8::is_ascii_whitespace)
    }

    /// Whether the line comment at `at` is the `-- autogen:no-transaction` directive.
    fn is_no_transaction_line(&self, at: usize) -> bool {
        let line = self.src[at..].split('\n').next().unwrap_or("");
        crate::file::autogen_key(line)
            .is_some_and(|(key, _)| key == crate::statement::NO_TRANSACTION_KEY)
    }

    /// MySQL only treats `--` as a comment when whitespace (or the end) follows it.
    fn line_comment_allowed(&self) -> bool {
        !self.rules.line_comment_needs_space || self.peek(2).is_none_or(|c| c.is_ascii_whitespace())
    }

    /// PostgreSQL `E'...'` strings take backslash escapes; the `E` must be a word of its own.
    fn is_escape_string(&self, quote_at: usize) -> bool {
        if !self.rules.escape_strings || quote_at == 0 {
            return false;
        }
        let prev = self.bytes[quote_at - 1];
        if prev != b'e' && prev != b'E' {
            return false;
        }
        quote_at < 2 || !is_word_byte(self.bytes[quote_at - 2])
    }

    fn advance_char(&mut self) {
        let len = self.src[self.pos..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
        self.pos += len;
    }

    fn skip_line(&mut self) {
        match self.src[self.pos..].find('\n') {
            Some(at) => self.pos += at + 1,
            None => self.pos = self.bytes.len(),
        }
    }

    fn skip_block_comment(&mut self) {
        self.pos += 2;
        let nested = self.rules.nested_block_comments;
        let mut level = 1usize;
        while let Some(b) = self.peek(0) {
            if b == b'*' && self.peek(1) == Some(b'/') {
                self.pos += 2;
                level -= 1;
                if level == 0 {
                    return;
                }
            } else if nested && b == b'/' && self.peek(1) == Some(b'*') {
                self.pos += 2;
                level += 1;
            } else {
                self.pos += 1;
            }
        }
    }

    /// Skips a quoted string or identifier starting at the opening `quote`; a doubled quote is an
    /// escaped quote, and with `backslash` a backslash escapes the next character.
    fn skip_quoted(&mut self, quote: u8, backslash: bool) {
        self.pos += 1;
        while let Some(b) = self.peek(0) {
            if backslash && b == b'\\' {
                self.pos += 2;
            } else if b == quote {
                if self.peek(1) == Some(quote) {
                    self.pos += 2;
                } else {
                    self.pos += 1;
                    return;
                }
            } else {
                self.pos += 1;
            }
        }
        self.pos = self.pos.min(self.bytes.len());
    }

    fn skip_until(&mut self, close: u8) {
        match self.bytes[self.pos + 1..].iter().position(|&b| b == close) {
            Some(at) => self.pos += at + 2,
            None => self.pos = self.bytes.len(),
        }
    }

    /// The `$tag$` opening at the current position, if it is one. `$1` (a parameter) and `a$b$`
    /// (a `$` inside an identifier) are not dollar quotes.
    fn dollar_tag(&self) -> Option<&'a str> {
        if self.pos > 0 && is_word_byte(self.bytes[self.pos - 1]) {
            return None;
        }
        let rest = &self.bytes[self.pos + 1..];
        let len = rest.iter().position(|&b| b == b'$')?;
        let tag = &rest[..len];
        let valid = match tag.first() {
            None => true,
            Some(first) => {
                (first.is_ascii_alphabetic() || *first == b'_' || *first >= 0x80)
                    && tag
                        .iter()
                        .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80)
            }
        };
        if valid {
            // The tag is ASCII or whole UTF-8 sequences between two `$`, so this slice is on
            // character boundaries.
            Some(&self.src[self.pos..self.pos + len + 2])
        } else {
            None
        }
    }

    fn skip_dollar_quoted(&mut self) {
        let Some(tag) = self.dollar_tag() else {
            self.pos += 1;
            return;
        };
        let body = self.pos + tag.len();
        match self.src[body..].find(tag) {
            Some(at) => self.pos = body + at + tag.len(),
            None => self.pos = self.bytes.len(),
        }
    }

    /// Consumes one word and tracks `BEGIN`/`CASE`/`END` inside statements with bodies.
    fn word(&mut self) {
        let start = self.pos;
        while self.peek(0).is_some_and(is_word_byte) {
            self.pos += 1;
        }
        let word = self.src[start..self.pos].to_ascii_uppercase();
        let mut opened_by_head = false;
        if self.head.len() < 8 {
            self.head.push(word.clone());
            let had_body = self.has_body;
            self.has_body = self.statement_has_body();
            // MariaDB's `BEGIN NOT ATOMIC` is known for a block only at its third word, after
            // the `BEGIN` that opens it went by uncounted.
            opened_by_head = self.has_body && !had_body && self.head[0] == "BEGIN";
        }
        if opened_by_head {
            self.depth += 1;
        } else if self.has_body {
            let opens = match word.as_str() {
                "BEGIN" => true,
                "CASE" => self.prev != "END",
                // MySQL: a block statement where a statement starts (`IF(a, b, c)` and
                // `REPEAT('x', 3)` are functions inside expressions, and the word after `END`
                // names the block it closes).
                "IF" | "LOOP" | "WHILE" | "REPEAT" => {
                    self.rules.compound_statements && self.statement_position()
                }
                _ => false,
            };
            if opens {
                self.depth += 1;
            } else if word == "END" {
                self.depth = self.depth.saturating_sub(1);
            }
        }
        self.set_prev(&word);
    }

    /// MySQL: whether the previous token ends a statement or opens a block, so the next word
    /// starts a statement (`FOR EACH ROW IF ...`, `BEGIN IF ...`, `; LOOP`, `label: LOOP`).
    fn statement_position(&self) -> bool {
        matches!(
            self.prev.as_str(),
            ";" | ":" | "BEGIN" | "THEN" | "ELSE" | "DO" | "LOOP" | "REPEAT" | "ROW"
        )
    }

    /// `CREATE [TEMP|TEMPORARY] TRIGGER` on SQLite; `CREATE [OR REPLACE] FUNCTION|PROCEDURE` on
    /// PostgreSQL (whose `BEGIN ATOMIC ... END` bodies hold `;`; bodies in dollar quotes never
    /// reach the word scanner).
    fn statement_has_body(&self) -> bool {
        let mut words: Vec<&str> = self.head.iter().map(String::as_str).collect();
        if self.rules.compound_statements && words.len() > 1 {
            // `CREATE [OR REPLACE] [DEFINER = user] [AGGREGATE] TRIGGER|FUNCTION|...`: the user
            // is at most two words (`root@localhost`, `CURRENT_USER`; quoted parts are no words).
            let objects = ["TRIGGER", "FUNCTION", "PROCEDURE", "EVENT"];
            let mut rest = &words[1..];
            if rest.starts_with(&["OR", "REPLACE"]) {
                rest = &rest[2..];
            }
            if rest.first() == Some(&"DEFINER") {
                rest = &rest[1..];
                for _ in 0..2 {
                    if rest.first().is_some_and(|w| !objects.contains(w)) {
                        rest = &rest[1..];
                    }
                }
            }
            if rest.first() == Some(&"AGGREGATE") {
                rest = &rest[1..];
            }
            let mut normalized = vec![words[0]];
            normalized.extend_from_slice(rest);
            words = normalized;
        }
        self.rules
            .bodies
            .iter()
            .any(|prefix| words.starts_with(prefix))
    }
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Dialect = Dialect::Sqlite;
    const P: Dialect = Dialect::Postgres;
    const M: Dialect = Dialect::Mysql;

    #[test]
    fn splitter_table() {
        let cases: &[(&[Dialect], &str, &[&str])] = &[
            (&[S, P, M], "", &[]),
            (&[S, P, M], "  ;; ; \n", &[]),
            (&[S, P, M], "SELECT 1", &["SELECT 1"]),
            (&[S, P, M], "SELECT 1;SELECT 2;", &["SELECT 1", "SELECT 2"]),
            (&[S, P, M], "  SELECT 1 ;\n\n  SELECT 2  ", &["SELECT 1", "SELECT 2"]),
            (&[S, P, M], "-- only a comment\n", &[]),
            (&[S, P, M], "-- (no steps)", &[]),
            (&[S, P, M], "/* block */ ; -- x\n;", &[]),
            (
                &[S, P, M],
                "-- destructive: drops x; really\nDROP TABLE x;",
                &["DROP TABLE x"],
            ),
            (
                &[S, P, M],
                "/* lead; */ SELECT 1 /* mid; */ + 1;",
                &["SELECT 1 /* mid; */ + 1"],
            ),
            (&[S, P, M], "SELECT 'a;b'; SELECT 2", &["SELECT 'a;b'", "SELECT 2"]),
            (&[S, P, M], "SELECT 'it''s;'; x", &["SELECT 'it''s;'", "x"]),
            (&[S, P, M], "SELECT '--;'; x", &["SELECT '--;'", "x"]),
            (&[S, P, M], "SELECT '/*'; x", &["SELECT '/*'", "x"]),
            (&[S, P], "CREATE TABLE \"a;\"\"b\" (x int); x", &["CREATE TABLE \"a;\"\"b\" (x int)", "x"]),
            (&[S, M], "CREATE TABLE `a;``b` (x int); x", &["CREATE TABLE `a;``b` (x int)", "x"]),
            (&[S], "CREATE TABLE [a;b] (x int); x", &["CREATE TABLE [a;b] (x int)", "x"]),
            (&[S, P, M], "SELECT 1 -- c;\n+ 1; x", &["SELECT 1 -- c;\n+ 1", "x"]),
            (&[S, P, M], "SELECT 1\n-- trailing; comment\n", &["SELECT 1\n-- trailing; comment"]),
            (&[S, P, M], "SELECT 1; -- trailing comment only", &["SELECT 1"]),
            (&[S, P, M], "SELECT 'unterminated; x", &["SELECT 'unterminated; x"]),
            (&[S, P, M], "SELECT 1 /* unterminated; x", &["SELECT 1 /* unterminated; x"]),
            (&[S, P, M], "SELECT '\u{e9};\u{1f600}'; SELECT '\u{e9}'", &["SELECT '\u{e9};\u{1f600}'", "SELECT '\u{e9}'"]),
            (&[S, P, M], "SELECT \u{e9}t\u{e9}; x", &["SELECT \u{e9}t\u{e9}", "x"]),
            // Backslashes: literal on SQLite and in standard PostgreSQL strings ...
            (&[S, P], "SELECT 'C:\\'; SELECT 2", &["SELECT 'C:\\'", "SELECT 2"]),
            // ... escapes on MySQL and in PostgreSQL E'' strings.
            (&[M], "SELECT 'a\\';b'; SELECT 2", &["SELECT 'a\\';b'", "SELECT 2"]),
            (&[M], "SELECT \"a\\\";b\"; SELECT 2", &["SELECT \"a\\\";b\"", "SELECT 2"]),
            (&[P], "SELECT E'a\\';b'; SELECT 2", &["SELECT E'a\\';b'", "SELECT 2"]),
            (&[P], "SELECT e'a\\';b'; SELECT 2", &["SELECT e'a\\';b'", "SELECT 2"]),
            (&[P], "SELECT name'x\\'; y", &["SELECT name'x\\'", "y"]),
            // Dollar quotes.
            (
                &[P],
                "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; x",
                &["CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", "x"],
            ),
            (
                &[P],
                "DO $body$ BEGIN PERFORM 1; RAISE NOTICE '$$;'; END $body$; x",
                &["DO $body$ BEGIN PERFORM 1; RAISE NOTICE '$$;'; END $body$", "x"],
            ),
            (&[P], "SELECT $a$ $b$ ; $b$ $a$; x", &["SELECT $a$ $b$ ; $b$ $a$", "x"]),
            (&[P], "PREPARE p AS SELECT $1; x", &["PREPARE p AS SELECT $1", "x"]),
            (&[P], "SELECT a$b$c; x", &["SELECT a$b$c", "x"]),
            (&[P], "SELECT $$ unterminated; x", &["SELECT $$ unterminated; x"]),
            (&[S, M], "SELECT $$; x", &["SELECT $$", "x"]),
            // Nested block comments are PostgreSQL only.
            (&[P], "SELECT 1 /* a /* b */ ; */; x", &["SELECT 1 /* a /* b */ ; */", "x"]),
            (&[S, M], "SELECT 1 /* a /* b */ ; */; x", &["SELECT 1 /* a /* b */", "*/", "x"]),
            // MySQL comment quirks.
            (&[M], "# hash comment;\nSELECT 1", &["SELECT 1"]),
            (&[M], "SELECT 1--1; x", &["SELECT 1--1", "x"]),
            (&[M], "/*!40101 SET NAMES utf8 */; x", &["/*!40101 SET NAMES utf8 */", "x"]),
            (&[S, P], "SELECT 1 # 2; x", &["SELECT 1 # 2", "x"]),
            // Trigger and function bodies.
            (
                &[S],
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); UPDATE c SET x = CASE WHEN 1 THEN 2 ELSE 3 END; END; SELECT 1",
                &[
                    "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); UPDATE c SET x = CASE WHEN 1 THEN 2 ELSE 3 END; END",
                    "SELECT 1",
                ],
            ),
            (
                &[S],
                "create temp trigger t after delete on a when case when 1 then 1 end begin delete from b; end;\nx",
                &[
                    "create temp trigger t after delete on a when case when 1 then 1 end begin delete from b; end",
                    "x",
                ],
            ),
            (&[S], "BEGIN; SELECT 1; END;", &["BEGIN", "SELECT 1", "END"]),
            (&[S], "CREATE TABLE t (\"begin\" int, [end] int); x", &["CREATE TABLE t (\"begin\" int, [end] int)", "x"]),
            (
                &[P],
                "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; x",
                &[
                    "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END",
                    "x",
                ],
            ),
            (&[P], "CREATE TABLE t (x int); BEGIN; END;", &["CREATE TABLE t (x int)", "BEGIN", "END"]),
            // MySQL/MariaDB compound statements.
            (
                &[M],
                "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = IF(NEW.x < 0, 0, NEW.x); INSERT INTO b VALUES (NEW.id); END; x",
                &[
                    "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = IF(NEW.x < 0, 0, NEW.x); INSERT INTO b VALUES (NEW.id); END",
                    "x",
                ],
            ),
            (
                &[M],
                "CREATE DEFINER=`root`@`%` TRIGGER t BEFORE UPDATE ON a FOR EACH ROW IF NEW.x < 0 THEN SET NEW.x = 0; ELSE SET NEW.y = REPEAT('a', 2); END IF; x",
                &[
                    "CREATE DEFINER=`root`@`%` TRIGGER t BEFORE UPDATE ON a FOR EACH ROW IF NEW.x < 0 THEN SET NEW.x = 0; ELSE SET NEW.y = REPEAT('a', 2); END IF",
                    "x",
                ],
            ),
            (
                &[M],
                "create or replace definer=root@localhost procedure p() begin declare i int default 0; l: loop set i = i + 1; if i > 3 then leave l; end if; end loop l; while i > 0 do set i = i - 1; end while; repeat set i = i + 1; until i > 2 end repeat; case i when 3 then select 1; else select 2; end case; end; x",
                &[
                    "create or replace definer=root@localhost procedure p() begin declare i int default 0; l: loop set i = i + 1; if i > 3 then leave l; end if; end loop l; while i > 0 do set i = i - 1; end while; repeat set i = i + 1; until i > 2 end repeat; case i when 3 then select 1; else select 2; end case; end",
                    "x",
                ],
            ),
            (
                &[M],
                "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM a; DELETE FROM b; END; CREATE FUNCTION f(x int) RETURNS int DETERMINISTIC RETURN x + 1; x",
                &[
                    "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM a; DELETE FROM b; END",
                    "CREATE FUNCTION f(x int) RETURNS int DETERMINISTIC RETURN x + 1",
                    "x",
                ],
            ),
            (
                &[M],
                "CREATE TRIGGER IF NOT EXISTS t AFTER DELETE ON a FOR EACH ROW DELETE FROM b WHERE id = OLD.id; x",
                &["CREATE TRIGGER IF NOT EXISTS t AFTER DELETE ON a FOR EACH ROW DELETE FROM b WHERE id = OLD.id", "x"],
            ),
            (&[M], "CREATE TABLE event (`begin` int, x int); x", &["CREATE TABLE event (`begin` int, x int)", "x"]),
            // MariaDB's compound statement outside a program is one statement; a plain `BEGIN`
            // (MySQL, SQLite, PostgreSQL) starts a transaction and ends at its `;`.
            (
                &[M],
                "BEGIN NOT ATOMIC DECLARE n int DEFAULT 0; IF n = 0 THEN SELECT 1; END IF; END; x",
                &["BEGIN NOT ATOMIC DECLARE n int DEFAULT 0; IF n = 0 THEN SELECT 1; END IF; END", "x"],
            ),
            (
                &[M],
                "begin not atomic\n  begin select 1; end;\n  select 2;\nend;\nbegin; select 3; commit;",
                &["begin not atomic\n  begin select 1; end;\n  select 2;\nend", "begin", "select 3", "commit"],
            ),
            (&[M], "BEGIN WORK; SELECT 1; COMMIT", &["BEGIN WORK", "SELECT 1", "COMMIT"]),
            (&[S, P], "BEGIN NOT ATOMIC SELECT 1; END;", &["BEGIN NOT ATOMIC SELECT 1", "END"]),
        ];
        for (dialects, sql, expected) in cases {
            for dialect in *dialects {
                let got = split_statements(sql, *dialect);
                assert_eq!(got, *expected, "{dialect}: {sql:?}");
            }
        }
    }

    #[test]
    fn statements_with_bodies_say_they_hold_a_semicolon() {
        let cases: &[(Dialect, &str, &[bool])] = &[
            (M, "SELECT ';'; SELECT 1 /* ; */; SELECT `a;b`", &[false, false, false]),
            (
                M,
                "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END; CREATE TRIGGER u BEFORE INSERT ON a FOR EACH ROW SET NEW.y = ';'",
                &[true, false],
            ),
            (M, "BEGIN NOT ATOMIC SELECT 1; END; BEGIN; COMMIT", &[true, false, false]),
            (S, "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END; SELECT 2", &[true, false]),
            (P, "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", &[false]),
            (M, "/*!50003 CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END */; /*!40101 SET NAMES utf8 */", &[true, false]),
        ];
        for (dialect, sql, expected) in cases {
            let got: Vec<bool> = split_marked(sql, *dialect)
                .iter()
                .map(|s| s.holds_semicolon)
                .collect();
            assert_eq!(got, *expected, "{dialect}: {sql:?}");
        }
    }

    #[test]
    fn statements_carry_the_line_they_start_on() {
        let text = "-- views\nCREATE VIEW a AS SELECT ';' AS x;\n\n\
            CREATE TRIGGER t AFTER INSERT ON u BEGIN\n  UPDATE u SET n = CASE WHEN 1 THEN 2 END;\n  SELECT 1;\nEND;\n\
            CREATE VIEW b AS SELECT 2";
        let got = split_statements_with_lines(text, S);
        let lines: Vec<usize> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 4, 8], "{got:?}");
        assert!(got[1].1.ends_with("SELECT 1;\nEND"), "{}", got[1].1);
    }

    #[test]
    fn no_transaction_lines_mark_the_next_statement_only() {
        let sql = "CREATE TABLE a (x int);\n-- autogen:no-transaction\n-- a note\nCREATE INDEX CONCURRENTLY i ON a (x);\nSELECT '\n-- autogen:no-transaction\n';\nSELECT 1; -- autogen:no-transaction\nSELECT 2;\n/*\n-- autogen:no-transaction\n*/ SELECT 3;\n  -- autogen:no-transaction\nVACUUM";
        for dialect in [S, P, M] {
            let marks: Vec<bool> = split_marked(sql, dialect)
                .iter()
                .map(|s| s.no_transaction)
                .collect();
            // Only a line of its own between statements counts: not inside a string, not after
            // a `;` on the same line, not inside a block comment.
            assert_eq!(
                marks,
                [false, true, false, false, false, false, true],
                "{dialect}"
            );
            let texts: Vec<String> = split_marked(sql, dialect)
                .into_iter()
                .map(|s| s.sql)
                .collect();
            assert_eq!(texts, split_statements(sql, dialect), "{dialect}");
        }
    }

    #[test]
    fn boundary_lines_are_line_starts_outside_statements_and_literals() {
        let sql = "SELECT 1;\n-- c\nSELECT 'a\nb';\nSELECT\n2;\n/* x\ny */\n\nSELECT $$\n$$;\n";
        // Offsets of: line 1, `-- c`, `SELECT 'a`, `SELECT`, `/* x`, the blank line, `SELECT $$`,
        // and the empty end.
        let lines: Vec<usize> = std::iter::once(0)
            .chain(sql.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        let at = |n: usize| lines[n - 1];
        assert_eq!(
            boundary_lines(sql, P),
            vec![at(1), at(2), at(3), at(5), at(7), at(9), at(10)]
        );
        // On SQLite `$$` is not a quote: the line after it is inside the unfinished statement.
        assert_eq!(
            boundary_lines(sql, S),
            vec![at(1), at(2), at(3), at(5), at(7), at(9), at(10)]
        );
        // Inside a trigger body until its END.
        let trigger = "CREATE TRIGGER t AFTER INSERT ON a BEGIN\nSELECT 1;\nEND;\nx;";
        assert_eq!(
            boundary_lines(trigger, S),
            vec![0, trigger.find("x;").unwrap()]
        );
        // A backslash escapes a quote on MySQL only.
        let escaped = "SELECT 'a\\';\nx';\ny;";
        assert_eq!(
            boundary_lines(escaped, M),
            vec![0, escaped.find("y;").unwrap()]
        );
        assert_eq!(
            boundary_lines(escaped, S),
            vec![0, escaped.find("x';").unwrap()]
        );
    }
}
