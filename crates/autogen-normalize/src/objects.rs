//! The SQL text of schema objects (views, materialized views, triggers, functions), read with
//! the dialect's `sqlparser` tokenizer: splitting a project's SQL file into statements
//! ([`split_statements`], the author's text kept verbatim), saying what a statement declares
//! ([`classify`]), the comparison key of a definition where the server keeps text rather than a
//! parse tree ([`definition_key`]: SQLite, MariaDB triggers), the `CREATE OR REPLACE` form of a
//! statement ([`or_replace`]) and the tables, columns and objects a text names
//! ([`text_dependencies`], where no catalog says exactly).
//!
//! Pure functions over text: reading files, reporting `file:line` and asking a server to print
//! are the callers' business.

use autogen_schema::{Dialect, ObjectDependency, ObjectKind, Schema};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// One statement of a SQL file: the author's text (from its first token to before its `;`) and
/// the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlStatement {
    pub sql: String,
    pub line: usize,
}

/// Text the tokenizer cannot read (an unterminated string, quote or comment), at `line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub line: usize,
    pub message: String,
}

/// What one statement declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub kind: ObjectKind,
    /// The object's name, unqualified, as the server will store it (PostgreSQL folds an unquoted
    /// name to lower case).
    pub name: String,
    /// A trigger's table, folded the same way.
    pub table: Option<String>,
}

/// Splits `text` into statements at top-level `;`. A `;` inside a string, quoted identifier,
/// comment or dollar quote is not a boundary, nor one inside a `BEGIN ... END` or `CASE ... END`
/// block (MySQL/MariaDB and SQLite trigger bodies hold statements of their own).
pub fn split_statements(dialect: Dialect, text: &str) -> Result<Vec<SqlStatement>, SplitError> {
    let tokens = tokens(dialect, text)?;
    let offsets = Offsets::new(text);
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if is_blank(&t.token) {
            i += 1;
            continue;
        }
        if start.is_none() && t.token != Token::SemiColon {
            start = Some((
                offsets.byte(t.span.start.line, t.span.start.column),
                t.span.start.line as usize,
            ));
        }
        match &t.token {
            Token::Word(w) if w.quote_style.is_none() => match w.keyword {
                Keyword::BEGIN | Keyword::CASE => depth += 1,
                Keyword::END => {
                    // `END IF`, `END LOOP`, ... close blocks that were never counted; `END CASE`
                    // closes a counted CASE.
                    let next = tokens[i + 1..].iter().find(|t| !is_blank(&t.token));
                    let closes = match next.map(|t| &t.token) {
                        Some(Token::Word(n)) if n.quote_style.is_none() => {
                            match n.value.to_ascii_uppercase().as_str() {
                                "IF" | "LOOP" | "WHILE" | "REPEAT" | "FOR" => false,
                                "CASE" => {
                                    // Skip the CASE so it is not counted as an opening.
                                    i += 1;
                                    while i < tokens.len() && is_blank(&tokens[i].token) {
                                        i += 1;
                                    }
                                    true
                                }
                                _ => true,
                            }
                        }
                        _ => true,
                    };
                    if closes {
                        depth = depth.saturating_sub(1);
                    }
                }
                _ => {}
            },
            Token::SemiColon if depth == 0 => {
                if let Some((from, line)) = start.take() {
                    let to = offsets.byte(t.span.start.line, t.span.start.column);
                    out.push(SqlStatement {
                        sql: text[from..to].trim_end().to_string(),
                        line,
                    });
                }
            }
            _ => {}
        }
        i += 1;
    }
    if let Some((from, line)) = start {
        let sql = text[from..].trim_end().to_string();
        if !sql.is_empty() {
            out.push(SqlStatement { sql, line });
        }
    }
    Ok(out)
}

/// What `sql` (one statement) declares, or why it is not something the SQL files may declare.
pub fn classify(dialect: Dialect, sql: &str) -> Result<Declared, String> {
    const SUPPORTED: &str = "the SQL files declare CREATE VIEW, CREATE MATERIALIZED VIEW \
        (PostgreSQL), CREATE TRIGGER and CREATE FUNCTION (PostgreSQL); tables are Rust models";
    let tokens: Vec<Token> = tokens(dialect, sql)
        .map_err(|e| e.message)?
        .into_iter()
        .map(|t| t.token)
        .filter(|t| !is_blank(t))
        .collect();
    let kw = |i: usize| match tokens.get(i) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    };
    if kw(0) != Some(Keyword::CREATE) {
        let first = tokens.first().map(|t| t.to_string()).unwrap_or_default();
        return Err(format!(
            "`{first}` statements are not supported here: {SUPPORTED}"
        ));
    }
    // Everything between CREATE and the object word is options (OR REPLACE, ALGORITHM, DEFINER,
    // SQL SECURITY, RECURSIVE, CONSTRAINT); TEMPORARY objects do not persist.
    let mut i = 1;
    let mut materialized = false;
    let kind = loop {
        match kw(i) {
            Some(Keyword::VIEW) if materialized => break ObjectKind::MaterializedView,
            Some(Keyword::VIEW) => break ObjectKind::View,
            Some(Keyword::TRIGGER) => break ObjectKind::Trigger,
            Some(Keyword::FUNCTION) if dialect == Dialect::Postgres => break ObjectKind::Function,
            Some(Keyword::MATERIALIZED) if dialect == Dialect::Postgres => materialized = true,
            Some(Keyword::TEMP | Keyword::TEMPORARY) => {
                return Err(format!(
                    "a temporary object does not persist, so it cannot be declared: {SUPPORTED}"
                ))
            }
            Some(
                k @ (Keyword::TABLE
                | Keyword::INDEX
                | Keyword::UNIQUE
                | Keyword::FUNCTION
                | Keyword::PROCEDURE
                | Keyword::SEQUENCE
                | Keyword::DOMAIN
                | Keyword::EXTENSION
                | Keyword::POLICY
                | Keyword::TYPE
                | Keyword::SCHEMA
                | Keyword::EVENT
                | Keyword::ROLE
                | Keyword::MATERIALIZED),
            ) => {
                return Err(format!(
                    "CREATE {k:?} is not supported here (yet): {SUPPORTED}"
                ))
            }
            _ if i >= tokens.len() => return Err(format!("no object in this CREATE: {SUPPORTED}")),
            _ => {}
        }
        i += 1;
    };
    i += 1;
    if kw(i) == Some(Keyword::IF)
        && kw(i + 1) == Some(Keyword::NOT)
        && kw(i + 2) == Some(Keyword::EXISTS)
    {
        i += 3;
    }
    let (name, next) = qualified_name(dialect, &tokens, i)
        .ok_or_else(|| format!("the {} has no name", kind.label()))?;
    let table = if kind == ObjectKind::Trigger {
        let on = (next..tokens.len())
            .find(|&j| kw(j) == Some(Keyword::ON))
            .ok_or_else(|| format!("trigger {name} names no table (`ON table`)"))?;
        let (table, _) = qualified_name(dialect, &tokens, on + 1)
            .ok_or_else(|| format!("trigger {name} names no table after ON"))?;
        Some(table)
    } else {
        None
    };
    Ok(Declared { kind, name, table })
}

/// The comparison key of an object's text where the server keeps the text it was given
/// (SQLite's `sqlite_master`, a MariaDB trigger's body): its tokens without whitespace and
/// comments, joined by one space, with identifiers unquoted and (like keywords) lower-cased, and
/// without the options between `CREATE` and the object word (`OR REPLACE`, `DEFINER=...`,
/// `ALGORITHM=...`, `TEMP`) and `IF NOT EXISTS`. String literals are kept as written. A key is
/// for comparing only; text the tokenizer cannot read is its own key.
pub fn definition_key(dialect: Dialect, sql: &str) -> String {
    let Ok(tokens) = tokens(dialect, sql) else {
        return sql.trim().to_string();
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .map(|t| t.token)
        .filter(|t| !is_blank(t))
        .collect();
    let is_kw = |t: &Token, k: Keyword| matches!(t, Token::Word(w) if w.quote_style.is_none() && w.keyword == k);
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    if tokens.first().is_some_and(|t| is_kw(t, Keyword::CREATE)) {
        out.push("create".into());
        i = 1;
        while i < tokens.len()
            && ![
                Keyword::VIEW,
                Keyword::TRIGGER,
                Keyword::FUNCTION,
                Keyword::PROCEDURE,
            ]
            .iter()
            .any(|k| is_kw(&tokens[i], *k))
        {
            if is_kw(&tokens[i], Keyword::MATERIALIZED) {
                out.push("materialized".into());
            }
            i += 1;
        }
        if i < tokens.len() {
            out.push(tokens[i].to_string().to_lowercase());
            i += 1;
        }
        if tokens.get(i).is_some_and(|t| is_kw(t, Keyword::IF))
            && tokens.get(i + 1).is_some_and(|t| is_kw(t, Keyword::NOT))
            && tokens.get(i + 2).is_some_and(|t| is_kw(t, Keyword::EXISTS))
        {
            i += 3;
        }
    }
    for t in &tokens[i.min(tokens.len())..] {
        match t {
            Token::SemiColon if std::ptr::eq(t, tokens.last().unwrap_or(t)) => {}
            Token::Word(w) => out.push(w.value.to_lowercase()),
            other => out.push(other.to_string()),
        }
    }
    out.join(" ")
}

/// `sql` (a `CREATE VIEW` / `CREATE FUNCTION` statement) as `CREATE OR REPLACE ...`: `OR
/// REPLACE` is inserted after the leading `CREATE` unless it is there already. Leading
/// whitespace and comments stay where they are.
pub fn or_replace(sql: &str) -> String {
    let mut rest = sql;
    let mut prefix = 0;
    loop {
        let trimmed = rest.trim_start();
        prefix += rest.len() - trimmed.len();
        rest = trimmed;
        if let Some(r) = rest.strip_prefix("--") {
            let skip = 2 + r.find('\n').map_or(r.len(), |n| n + 1);
            prefix += skip;
            rest = &rest[skip..];
        } else if let Some(r) = rest.strip_prefix("/*") {
            let skip = 2 + r.find("*/").map_or(r.len(), |n| n + 2);
            prefix += skip;
            rest = &rest[skip..];
        } else {
            break;
        }
    }
    let head: String = rest.chars().take(6).collect();
    if !head.eq_ignore_ascii_case("create") {
        return sql.to_string();
    }
    let after = &rest[6..];
    let words: Vec<&str> = after.split_whitespace().take(2).collect();
    if words.len() == 2
        && words[0].eq_ignore_ascii_case("or")
        && words[1].eq_ignore_ascii_case("replace")
    {
        return sql.to_string();
    }
    format!("{}CREATE OR REPLACE{}", &sql[..prefix], after)
}

/// The tables (and their columns) of `schema` and the `objects` that `sql` names, read from its
/// identifiers (an over-approximation: a column name shared by two named tables counts for
/// both). Names compare without regard to ASCII case on MySQL/MariaDB and SQLite, exactly on
/// PostgreSQL (whose unquoted names are folded to lower case first). `own` (the object itself)
/// is never its own dependency.
pub fn text_dependencies(
    dialect: Dialect,
    sql: &str,
    schema: &Schema,
    objects: &[(ObjectKind, String)],
    own: (ObjectKind, &str),
) -> Vec<ObjectDependency> {
    let Ok(tokens) = tokens(dialect, sql) else {
        return Vec::new();
    };
    let fold = |s: &str| {
        if dialect == Dialect::Postgres {
            s.to_string()
        } else {
            s.to_lowercase()
        }
    };
    let words: std::collections::HashSet<String> = tokens
        .iter()
        .filter_map(|t| match &t.token {
            Token::Word(w) if w.quote_style.is_none() && dialect == Dialect::Postgres => {
                Some(w.value.to_lowercase())
            }
            Token::Word(w) => Some(fold(&w.value)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for t in &schema.tables {
        if !words.contains(&fold(&t.name)) {
            continue;
        }
        out.push(ObjectDependency::Table(t.name.clone()));
        for c in &t.columns {
            if words.contains(&fold(&c.name)) {
                out.push(ObjectDependency::Column {
                    table: t.name.clone(),
                    column: c.name.clone(),
                });
            }
        }
    }
    for (kind, name) in objects {
        if (*kind, name.as_str()) != own && words.contains(&fold(name)) {
            out.push(ObjectDependency::Object {
                kind: *kind,
                name: name.clone(),
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

fn tokens(dialect: Dialect, text: &str) -> Result<Vec<TokenWithSpan>, SplitError> {
    let parser = crate::rules(Some(dialect)).parser();
    Tokenizer::new(parser, text)
        .tokenize_with_location()
        .map_err(|e| SplitError {
            line: e.location.line.max(1) as usize,
            message: e.message,
        })
}

fn is_blank(t: &Token) -> bool {
    // Comments are whitespace tokens too.
    matches!(t, Token::Whitespace(_) | Token::EOF)
}

/// The name at `tokens[i]` (the last part of a dotted name), folded as the server stores it, and
/// the index after it.
fn qualified_name(dialect: Dialect, tokens: &[Token], mut i: usize) -> Option<(String, usize)> {
    let part = |t: &Token| match t {
        Token::Word(w) if w.quote_style.is_none() && dialect == Dialect::Postgres => {
            Some(w.value.to_lowercase())
        }
        Token::Word(w) => Some(w.value.clone()),
        _ => None,
    };
    let mut name = part(tokens.get(i)?)?;
    i += 1;
    while tokens.get(i) == Some(&Token::Period) {
        name = part(tokens.get(i + 1)?)?;
        i += 2;
    }
    Some((name, i))
}

/// Byte offsets of (line, column) positions; sqlparser reports columns in characters.
struct Offsets<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Offsets { text, line_starts }
    }

    fn byte(&self, line: u64, column: u64) -> usize {
        let Some(&start) = self.line_starts.get((line as usize).saturating_sub(1)) else {
            return self.text.len();
        };
        let skip = (column as usize).saturating_sub(1);
        self.text[start..]
            .char_indices()
            .nth(skip)
            .map_or(self.text.len(), |(i, _)| start + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_at_top_level_semicolons_only() {
        let text = "-- views\nCREATE VIEW a AS SELECT ';' AS x;\n\n\
            CREATE TRIGGER t AFTER INSERT ON u BEGIN\n  UPDATE u SET n = CASE WHEN 1 THEN 2 END;\n  SELECT 1;\nEND;\n\
            CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;";
        let got = split_statements(Dialect::Sqlite, text).unwrap_or_default();
        let lines: Vec<usize> = got.iter().map(|s| s.line).collect();
        assert_eq!(lines, [2, 4, 8], "{got:?}");
        assert_eq!(got[0].sql, "CREATE VIEW a AS SELECT ';' AS x");
        assert!(got[1].sql.ends_with("SELECT 1;\nEND"), "{}", got[1].sql);
        let pg = split_statements(Dialect::Postgres, text).unwrap_or_default();
        assert!(pg[2].sql.ends_with("LANGUAGE plpgsql"), "{pg:?}");
    }

    #[test]
    fn mysql_bodies_with_if_blocks_stay_one_statement() {
        let text = "CREATE TRIGGER t BEFORE INSERT ON u FOR EACH ROW BEGIN\n IF NEW.a < 0 THEN SET NEW.a = 0; END IF;\nEND;\nCREATE VIEW v AS SELECT 1;";
        let got = split_statements(Dialect::Mysql, text).unwrap_or_default();
        assert_eq!(got.len(), 2, "{got:?}");
    }

    #[test]
    fn an_unterminated_string_is_reported_at_its_line() {
        let err = split_statements(Dialect::Postgres, "CREATE VIEW v AS\nSELECT 'x;\n");
        assert_eq!(err.map_err(|e| e.line), Err(2));
    }

    #[test]
    fn classify_reads_kind_name_and_table() {
        let c = |d, s| classify(d, s);
        assert_eq!(
            c(
                Dialect::Postgres,
                "create or replace view Public.Active AS select 1"
            ),
            Ok(Declared {
                kind: ObjectKind::View,
                name: "active".into(),
                table: None
            })
        );
        assert_eq!(
            c(
                Dialect::Postgres,
                "CREATE MATERIALIZED VIEW IF NOT EXISTS \"Totals\" AS SELECT 1"
            ),
            Ok(Declared {
                kind: ObjectKind::MaterializedView,
                name: "Totals".into(),
                table: None
            })
        );
        assert_eq!(
            c(
                Dialect::Mysql,
                "CREATE DEFINER=`root`@`localhost` TRIGGER `Touch` BEFORE UPDATE ON `users` FOR EACH ROW SET NEW.a = 1"
            ),
            Ok(Declared {
                kind: ObjectKind::Trigger,
                name: "Touch".into(),
                table: Some("users".into())
            })
        );
        assert!(c(Dialect::Sqlite, "CREATE TABLE t (a int)").is_err());
        assert!(c(Dialect::Sqlite, "CREATE TEMP VIEW v AS SELECT 1").is_err());
        assert!(c(Dialect::Sqlite, "INSERT INTO t VALUES (1)").is_err());
        assert!(c(Dialect::Mysql, "CREATE FUNCTION f() RETURNS int RETURN 1").is_err());
    }

    #[test]
    fn definition_keys_ignore_spacing_case_quotes_and_create_options() {
        let k = |s| definition_key(Dialect::Sqlite, s);
        assert_eq!(
            k("CREATE VIEW IF NOT EXISTS \"v\" AS\n  SELECT Id, 'A b' FROM users -- x\n;"),
            k("create view v as select id, 'A b' from USERS")
        );
        assert_ne!(
            k("create view v as select 'a'"),
            k("create view v as select 'A'")
        );
        let m = |s| definition_key(Dialect::Mysql, s);
        assert_eq!(
            m("CREATE DEFINER=`root`@`%` TRIGGER `t` BEFORE INSERT ON `u` FOR EACH ROW SET NEW.a = 1"),
            m("create trigger t before insert on u for each row set new.a=1")
        );
    }

    #[test]
    fn or_replace_is_inserted_once() {
        assert_eq!(
            or_replace("CREATE VIEW v AS SELECT 1"),
            "CREATE OR REPLACE VIEW v AS SELECT 1"
        );
        assert_eq!(
            or_replace("-- c\ncreate  view v AS SELECT 1"),
            "-- c\nCREATE OR REPLACE  view v AS SELECT 1"
        );
        assert_eq!(
            or_replace("create or replace view v as select 1"),
            "create or replace view v as select 1"
        );
    }
}
