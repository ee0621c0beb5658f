//! The SQL text of schema objects (views, materialized views, triggers, functions, ...), read
//! with the dialect's `sqlparser` tokenizer: what a statement declares ([`classify`]), the
//! comparison key of a definition where the server keeps text rather than a parse tree
//! ([`definition_key`]: SQLite, MariaDB triggers and routines, grants), the `CREATE OR REPLACE`
//! form of a statement ([`or_replace`]) and the tables, columns and objects a text names
//! ([`text_dependencies`], where no catalog says exactly). A project's SQL file is split into
//! statements by the revision runner's splitter
//! (`autogen_revisions::split_statements_with_lines`), so that a file and a revision split alike.
//!
//! Pure functions over text: reading files, reporting `file:line` and asking a server to print
//! are the callers' business.

use autogen_schema::{Dialect, ObjectDependency, ObjectKind, Schema};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

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

/// What `sql` (one statement) declares, or why it is not something the SQL files may declare.
pub fn classify(dialect: Dialect, sql: &str) -> Result<Declared, String> {
    const SUPPORTED: &str = "the SQL files declare CREATE VIEW, CREATE MATERIALIZED VIEW \
        (PostgreSQL), CREATE TRIGGER, CREATE FUNCTION, CREATE PROCEDURE, CREATE EVENT \
        (MySQL/MariaDB), CREATE SEQUENCE, CREATE DOMAIN, CREATE EXTENSION, CREATE POLICY and ALTER \
        TABLE ... ENABLE / FORCE ROW LEVEL SECURITY (PostgreSQL) and GRANT; tables are Rust \
        models";
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
    if let Some(declared) = classify_grant_or_row_security(dialect, &tokens)? {
        return Ok(declared);
    }
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
            Some(Keyword::FUNCTION) if dialect == Dialect::Mysql => break ObjectKind::Function,
            Some(Keyword::PROCEDURE) if dialect == Dialect::Mysql => break ObjectKind::Procedure,
            Some(Keyword::EVENT) if dialect == Dialect::Mysql => break ObjectKind::Event,
            Some(Keyword::POLICY) if dialect == Dialect::Postgres => break ObjectKind::Policy,
            Some(Keyword::FUNCTION) if dialect == Dialect::Postgres => break ObjectKind::Function,
            Some(Keyword::PROCEDURE) if dialect == Dialect::Postgres => {
                break ObjectKind::Procedure
            }
            Some(Keyword::SEQUENCE) if dialect == Dialect::Postgres => break ObjectKind::Sequence,
            Some(Keyword::DOMAIN) if dialect == Dialect::Postgres => break ObjectKind::Domain,
            Some(Keyword::EXTENSION) if dialect == Dialect::Postgres => {
                break ObjectKind::Extension
            }
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
    // On PostgreSQL a routine is named with its argument types, which are part of its identity.
    let name = match kind {
        ObjectKind::Function | ObjectKind::Procedure if dialect == Dialect::Postgres => {
            let arguments = routine_signature(&tokens, next)
                .ok_or_else(|| format!("{} {name} has no argument list", kind.label()))?;
            format!("{name}({arguments})")
        }
        ObjectKind::Sequence
            if (next..tokens.len()).any(|j| {
                kw(j) == Some(Keyword::OWNED)
                    && kw(j + 1) == Some(Keyword::BY)
                    && kw(j + 2) != Some(Keyword::NONE)
            }) =>
        {
            return Err(format!(
                "sequence {name} is OWNED BY a column: such a sequence belongs to its column, which \
                 autogen manages through the model (`auto_increment`); declare only sequences no \
                 column owns"
            ));
        }
        _ => name,
    };
    if kind == ObjectKind::Event {
        relative_schedule_time(&tokens[next.min(tokens.len())..]).map_or(Ok(()), |clause| {
            Err(format!(
                "event {name}: `{clause}` is a time relative to when the event is created, and \
                 the server keeps only the time it works out, so no comparison could tell this \
                 declaration from a database's event: write the time itself (`STARTS \
                 '2030-01-01 00:00:00'`), or leave STARTS out to start when the event is created"
            ))
        })?;
    }
    let table = if matches!(kind, ObjectKind::Trigger | ObjectKind::Policy) {
        let label = kind.label();
        let on = (next..tokens.len())
            .find(|&j| kw(j) == Some(Keyword::ON))
            .ok_or_else(|| format!("{label} {name} names no table (`ON table`)"))?;
        let (table, _) = qualified_name(dialect, &tokens, on + 1)
            .ok_or_else(|| format!("{label} {name} names no table after ON"))?;
        Some(table)
    } else {
        None
    };
    Ok(Declared { kind, name, table })
}

/// The first `STARTS`, `ENDS` or `AT` clause of an event's schedule (`tokens`, after its name)
/// that names the time of creation (`CURRENT_TIMESTAMP + INTERVAL 1 DAY`), as text; `STARTS
/// CURRENT_TIMESTAMP` (or `NOW()`) alone is the start an event has without one, so it passes.
/// The server keeps the time such a clause works out, never the clause (see
/// `autogen_introspect`'s `mysql/routines.rs`).
fn relative_schedule_time(tokens: &[Token]) -> Option<String> {
    const NOW: [&str; 13] = [
        "CURRENT_TIMESTAMP",
        "NOW",
        "LOCALTIME",
        "LOCALTIMESTAMP",
        "SYSDATE",
        "CURDATE",
        "CURRENT_DATE",
        "CURTIME",
        "CURRENT_TIME",
        "UTC_TIMESTAMP",
        "UTC_DATE",
        "UTC_TIME",
        "UNIX_TIMESTAMP",
    ];
    let word = |t: &Token| match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    };
    let mut clause: Option<(String, Vec<&Token>)> = None;
    let mut found = Vec::new();
    for t in tokens {
        let w = word(t);
        let ends = matches!(
            w.as_deref(),
            Some("STARTS" | "ENDS" | "AT" | "ON" | "ENABLE" | "DISABLE" | "COMMENT" | "DO")
        );
        if ends {
            found.extend(clause.take());
            if let Some(k @ ("STARTS" | "ENDS" | "AT")) = w.as_deref() {
                clause = Some((k.to_string(), Vec::new()));
            }
            if w.as_deref() == Some("DO") {
                break;
            }
        } else if let Some((_, body)) = &mut clause {
            body.push(t);
        }
    }
    found.extend(clause);
    found.into_iter().find_map(|(keyword, body)| {
        let names_now = body
            .iter()
            .any(|t| word(t).is_some_and(|w| NOW.contains(&w.as_str())));
        // `CURRENT_TIMESTAMP`, `NOW()` and their synonyms (the first four), alone.
        let texts: Vec<String> = body
            .iter()
            .map(|t| t.to_string().to_ascii_uppercase())
            .collect();
        let bare_now = keyword == "STARTS"
            && match texts.as_slice() {
                [n] => NOW[..4].contains(&n.as_str()),
                [n, open, close] => NOW[..4].contains(&n.as_str()) && open == "(" && close == ")",
                _ => false,
            };
        (names_now && !bare_now).then(|| {
            let text: Vec<String> = body.iter().map(|t| t.to_string()).collect();
            format!("{keyword} {}", text.join(" "))
        })
    })
}

/// `GRANT privileges ON [TABLE] t TO role` (one table, one role: the grant is named by its
/// role, on its table) and, on PostgreSQL, `ALTER TABLE t ENABLE ROW LEVEL SECURITY`; `None` for
/// any other statement.
fn classify_grant_or_row_security(
    dialect: Dialect,
    tokens: &[Token],
) -> Result<Option<Declared>, String> {
    let word = |i: usize| match tokens.get(i) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    };
    let is = |i: usize, w: &str| word(i).as_deref() == Some(w);
    if is(0, "ALTER") && is(1, "TABLE") && dialect == Dialect::Postgres {
        let (table, next) = qualified_name(dialect, tokens, 2)
            .ok_or_else(|| "ALTER TABLE names no table".to_string())?;
        if row_security_actions(&tokens[next.min(tokens.len())..]).is_some() {
            return Ok(Some(Declared {
                kind: ObjectKind::RowSecurity,
                name: table.clone(),
                table: Some(table),
            }));
        }
        return Err(
            "the only ALTER TABLE the SQL files take is `ALTER TABLE t ENABLE ROW LEVEL SECURITY` \
             and `ALTER TABLE t FORCE ROW LEVEL SECURITY` (tables are Rust models)"
                .into(),
        );
    }
    if !is(0, "GRANT") {
        return Ok(None);
    }
    let on = (1..tokens.len())
        .find(|&i| is(i, "ON"))
        .ok_or_else(|| "GRANT names no table (`ON table`)".to_string())?;
    let mut at = on + 1;
    if is(at, "TABLE") {
        at += 1;
    }
    let (table, next) =
        qualified_name(dialect, tokens, at).ok_or_else(|| "GRANT names no table".to_string())?;
    if !is(next, "TO") {
        return Err(format!(
            "GRANT ... ON {table} must name one table and then `TO role`"
        ));
    }
    let role = grantee_name(dialect, tokens, next + 1)
        .ok_or_else(|| format!("GRANT ... ON {table} names no role"))?;
    if tokens.get(role.1) == Some(&Token::Comma) {
        return Err(format!(
            "GRANT ... ON {table} names several roles: write one GRANT per role"
        ));
    }
    Ok(Some(Declared {
        kind: ObjectKind::Grant,
        name: role.0,
        table: Some(table),
    }))
}

/// The switches of a PostgreSQL table's row-level security that `sql` (`ALTER TABLE t ENABLE ROW
/// LEVEL SECURITY`, `... FORCE ROW LEVEL SECURITY`, or both, comma-separated) turns on, each as
/// `ALTER TABLE` takes it, `ENABLE ROW LEVEL SECURITY` before `FORCE ROW LEVEL SECURITY`: the
/// parts ([`SchemaObject::columns`](autogen_schema::SchemaObject::columns)) a table's row-level
/// security is compared and altered by. Empty for any other statement.
pub fn row_security_parts(dialect: Dialect, sql: &str) -> Vec<String> {
    let Ok(tokens) = tokens(dialect, sql) else {
        return Vec::new();
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .map(|t| t.token)
        .filter(|t| !is_blank(t))
        .collect();
    let is = |i: usize, w: &str| matches!(tokens.get(i), Some(Token::Word(x)) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
    if !(is(0, "ALTER") && is(1, "TABLE")) {
        return Vec::new();
    }
    let Some((_, next)) = qualified_name(dialect, &tokens, 2) else {
        return Vec::new();
    };
    let Some((enable, force)) = row_security_actions(&tokens[next.min(tokens.len())..]) else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    if enable {
        parts.push(ROW_SECURITY_ENABLE.to_string());
    }
    if force {
        parts.push(ROW_SECURITY_FORCE.to_string());
    }
    parts
}

/// The part of a table's row-level security that switches it on.
pub const ROW_SECURITY_ENABLE: &str = "ENABLE ROW LEVEL SECURITY";

/// The part of a table's row-level security that applies it to the table's owner too.
pub const ROW_SECURITY_FORCE: &str = "FORCE ROW LEVEL SECURITY";

/// `(enable, force)` when `tokens` (an `ALTER TABLE`'s actions, an optional `;` after them) are
/// `ENABLE ROW LEVEL SECURITY` and `FORCE ROW LEVEL SECURITY`, one or both, comma-separated;
/// `None` for any other action. Switching either off is not declared: a table whose files
/// do not switch it on has it off.
fn row_security_actions(tokens: &[Token]) -> Option<(bool, bool)> {
    let tokens = match tokens.last() {
        Some(Token::SemiColon) => &tokens[..tokens.len() - 1],
        _ => tokens,
    };
    let (mut enable, mut force) = (false, false);
    for action in tokens.split(|t| *t == Token::Comma) {
        let words: Option<Vec<String>> = action
            .iter()
            .map(|t| match t {
                Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
                _ => None,
            })
            .collect();
        match words?.join(" ").as_str() {
            ROW_SECURITY_ENABLE => enable = true,
            ROW_SECURITY_FORCE => force = true,
            _ => return None,
        }
    }
    (enable || force).then_some((enable, force))
}

/// The role at `tokens[i]` as grants are named: PostgreSQL's role name (folded), MySQL's
/// `user` for `'user'@'%'` (and a bare `user`), else `user@host`; and the index after it.
fn grantee_name(dialect: Dialect, tokens: &[Token], i: usize) -> Option<(String, usize)> {
    let part = |t: &Token| match t {
        Token::Word(w) if w.quote_style.is_none() && dialect == Dialect::Postgres => {
            Some(w.value.to_lowercase())
        }
        Token::Word(w) => Some(w.value.clone()),
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Some(s.clone()),
        _ => None,
    };
    let user = part(tokens.get(i)?)?;
    if dialect != Dialect::Mysql {
        return Some((user, i + 1));
    }
    // `'u'@'h'` tokenizes as a string then `@'h'` (or `@h`) in MySQL's tokenizer.
    match tokens.get(i + 1) {
        Some(Token::AtSign) => {
            let host = part(tokens.get(i + 2)?)?;
            Some((mysql_grantee(&user, &host), i + 3))
        }
        Some(Token::Word(w)) if w.value.starts_with('@') => {
            Some((mysql_grantee(&user, w.value.trim_start_matches('@')), i + 2))
        }
        _ => Some((user, i + 1)),
    }
}

/// A MySQL account as a grant's name: `user` for any host (`%`, or a role's empty host), else
/// `user@host`.
pub fn mysql_grantee(user: &str, host: &str) -> String {
    if host.is_empty() || host == "%" {
        user.to_string()
    } else {
        format!("{user}@{host}")
    }
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
    if tokens.first().is_some_and(|t| is_kw(t, Keyword::GRANT)) {
        return grant_key(dialect, &tokens);
    }
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
                Keyword::SEQUENCE,
                Keyword::DOMAIN,
                Keyword::EXTENSION,
                Keyword::POLICY,
                Keyword::EVENT,
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

/// A grant's comparison key (its table and role name it): `grant ` and its privileges, each in
/// upper case, sorted; a column privilege with its columns sorted (`SELECT (email, id)`), so
/// that the catalog's list (PostgreSQL's `pg_attribute.attacl`) and the author's compare alike. `ALL [PRIVILEGES]` is kept as written (no server expands it the same way
/// in its catalog, so a grant is best declared privilege by privilege).
fn grant_key(dialect: Dialect, tokens: &[Token]) -> String {
    let mut privileges: Vec<String> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    // A column privilege's list (`SELECT (b, a)`), its names folded the way the server stores
    // them and sorted: `SELECT (a, b)`.
    let mut columns: Option<Vec<String>> = None;
    for t in tokens.iter().skip(1) {
        if let Some(list) = &mut columns {
            match t {
                Token::RParen => {
                    list.sort();
                    list.dedup();
                    current.push(format!("({})", list.join(", ")));
                    columns = None;
                }
                Token::Word(w) if w.quote_style.is_some() && dialect == Dialect::Postgres => {
                    list.push(w.value.clone())
                }
                Token::Word(w) => list.push(w.value.to_lowercase()),
                _ => {}
            }
            continue;
        }
        match t {
            Token::Word(w) if w.quote_style.is_none() && w.keyword == Keyword::ON => break,
            Token::LParen => columns = Some(Vec::new()),
            Token::Comma => privileges.push(std::mem::take(&mut current).join(" ")),
            Token::Word(w) => current.push(w.value.to_uppercase()),
            other => current.push(other.to_string()),
        }
    }
    if !current.is_empty() {
        privileges.push(current.join(" "));
    }
    privileges.sort();
    format!("grant {}", privileges.join(", "))
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
    // A PostgreSQL routine's body is a dollar-quoted string: its words count too.
    let bodies: Vec<TokenWithSpan> = tokens
        .iter()
        .filter_map(|t| match &t.token {
            Token::DollarQuotedString(body) => self::tokens(dialect, &body.value).ok(),
            _ => None,
        })
        .flatten()
        .collect();
    let words: std::collections::HashSet<String> = tokens
        .iter()
        .chain(&bodies)
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
        // A PostgreSQL routine is named with its argument types; the text names it without.
        let bare = name.split_once('(').map_or(name.as_str(), |(n, _)| n);
        if (*kind, name.as_str()) != own && words.contains(&fold(bare)) {
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

/// The argument types of a PostgreSQL routine whose argument list opens at `tokens[i]`, as the
/// server lists a routine's identity (`oidvectortypes(proargtypes)`): `integer, text`. Argument
/// names, defaults and modifiers (`varchar(10)`) are not part of it, nor `OUT` arguments (`DROP
/// PROCEDURE p(integer)` finds `p(IN a int, OUT b int)`). Common spellings are folded the server's way (`int` and `int4`
/// are `integer`); a database at hand prints the declared routine, and the server's own list
/// replaces this one.
pub fn routine_signature(tokens: &[Token], i: usize) -> Option<String> {
    if tokens.get(i) != Some(&Token::LParen) {
        return None;
    }
    // The arguments, split at top-level commas.
    let mut arguments: Vec<Vec<&Token>> = vec![Vec::new()];
    let mut depth = 0usize;
    let mut j = i + 1;
    loop {
        let t = tokens.get(j)?;
        match t {
            Token::LParen => depth += 1,
            Token::RParen if depth == 0 => break,
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => {
                arguments.push(Vec::new());
                j += 1;
                continue;
            }
            _ => {}
        }
        arguments.last_mut()?.push(t);
        j += 1;
    }
    let mut types = Vec::new();
    for argument in arguments.into_iter().filter(|a| !a.is_empty()) {
        let word = |t: &Token| match t {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_lowercase()),
            _ => None,
        };
        let mut rest: &[&Token] = &argument;
        match rest.first().and_then(|t| word(t)).as_deref() {
            Some("out") => continue,
            Some("in" | "inout" | "variadic") => rest = &rest[1..],
            _ => {}
        }
        // Up to a default, and without type modifiers.
        let end = rest
            .iter()
            .position(|t| **t == Token::Eq || word(t).as_deref() == Some("default"))
            .unwrap_or(rest.len());
        let mut parts: Vec<String> = Vec::new();
        let mut depth = 0usize;
        for t in &rest[..end] {
            match t {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                _ if depth > 0 => {}
                Token::Period => {
                    // A qualified type name keeps its last part.
                    parts.pop();
                }
                Token::LBracket | Token::RBracket => {
                    if let Some(last) = parts.last_mut() {
                        last.push_str(&t.to_string());
                    }
                }
                Token::Word(w) if w.quote_style.is_some() => parts.push(w.value.clone()),
                Token::Word(w) => parts.push(w.value.to_lowercase()),
                other => parts.push(other.to_string()),
            }
        }
        // `name type`: the first word is the argument's name unless the words are one type.
        let joined = parts.join(" ");
        let multi_word = [
            "double precision",
            "character varying",
            "bit varying",
            "timestamp with time zone",
            "timestamp without time zone",
            "time with time zone",
            "time without time zone",
        ];
        let ty = if parts.len() > 1 && !multi_word.iter().any(|m| joined.starts_with(m)) {
            parts[1..].join(" ")
        } else {
            joined
        };
        types.push(server_type_name(&ty));
    }
    Some(types.join(", "))
}

/// A PostgreSQL type name as `format_type` prints it without modifiers: `int4` is `integer`,
/// `varchar[]` is `character varying[]`. Names it does not know are kept.
fn server_type_name(ty: &str) -> String {
    let (base, array) = match ty.find('[') {
        Some(at) => (&ty[..at], "[]".repeat(ty[at..].matches('[').count())),
        None => (ty, String::new()),
    };
    let base = base.trim();
    let name = match base {
        "int" | "int4" | "integer" => "integer",
        "int8" | "bigint" => "bigint",
        "int2" | "smallint" => "smallint",
        "bool" | "boolean" => "boolean",
        "float4" | "real" => "real",
        "float8" | "float" | "double precision" => "double precision",
        "decimal" | "numeric" => "numeric",
        "varchar" | "character varying" => "character varying",
        "char" | "character" | "bpchar" => "character",
        "timestamp" | "timestamp without time zone" => "timestamp without time zone",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "time" | "time without time zone" => "time without time zone",
        "timetz" | "time with time zone" => "time with time zone",
        "varbit" | "bit varying" => "bit varying",
        other => other,
    };
    format!("{name}{array}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_routines_are_named_with_their_argument_types() {
        let name = |sql| classify(Dialect::Postgres, sql).map(|d| (d.kind, d.name));
        assert_eq!(
            name("CREATE FUNCTION Public.F(a int, b varchar(10) DEFAULT 'x', OUT c int4) RETURNS record LANGUAGE sql AS $$ SELECT 1 $$"),
            Ok((ObjectKind::Function, "f(integer, character varying)".into()))
        );
        assert_eq!(
            name("create or replace function g(double precision, x timestamptz[], variadic y numeric(10, 2)[]) returns int as $$ select 1 $$ language sql"),
            Ok((
                ObjectKind::Function,
                "g(double precision, timestamp with time zone[], numeric[])".into()
            ))
        );
        assert_eq!(
            name("CREATE FUNCTION h(inout n bigint = 1, s public.my_domain) RETURNS bigint AS 'select 1' LANGUAGE sql"),
            Ok((ObjectKind::Function, "h(bigint, my_domain)".into()))
        );
        // OUT arguments are not part of the identity, for procedures either.
        assert_eq!(
            name("CREATE PROCEDURE p(IN a int, OUT b int) LANGUAGE sql AS $$ SELECT 1 $$"),
            Ok((ObjectKind::Procedure, "p(integer)".into()))
        );
        assert_eq!(
            name("CREATE FUNCTION t() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"),
            Ok((ObjectKind::Function, "t()".into()))
        );
        assert!(name("CREATE FUNCTION t RETURNS int AS 'select 1' LANGUAGE sql").is_err());
    }

    #[test]
    fn postgres_sequences_domains_and_extensions_are_declared_by_name() {
        let name = |sql| classify(Dialect::Postgres, sql).map(|d| (d.kind, d.name));
        assert_eq!(
            name("CREATE SEQUENCE IF NOT EXISTS app.Codes START 10"),
            Ok((ObjectKind::Sequence, "codes".into()))
        );
        assert_eq!(
            name("CREATE SEQUENCE s OWNED BY NONE"),
            Ok((ObjectKind::Sequence, "s".into()))
        );
        let owned = name("CREATE SEQUENCE s OWNED BY users.id");
        assert!(
            owned.as_ref().is_err_and(|e| e.contains("auto_increment")),
            "{owned:?}"
        );
        assert_eq!(
            name("CREATE DOMAIN positive AS int CHECK (VALUE > 0)"),
            Ok((ObjectKind::Domain, "positive".into()))
        );
        assert_eq!(
            name("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA public"),
            Ok((ObjectKind::Extension, "uuid-ossp".into()))
        );
        assert!(classify(Dialect::Sqlite, "CREATE SEQUENCE s").is_err());
        // A routine body's words are dependencies too (the table a function reads).
        let schema = Schema {
            tables: vec![autogen_schema::Table::new("audit")],
            ..Schema::default()
        };
        let deps = text_dependencies(
            Dialect::Postgres,
            "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN INSERT INTO audit VALUES (1); RETURN NEW; END $$ LANGUAGE plpgsql",
            &schema,
            &[(ObjectKind::Function, "f()".into())],
            (ObjectKind::Function, "f()"),
        );
        assert_eq!(deps, [ObjectDependency::Table("audit".into())]);
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
        assert!(c(Dialect::Sqlite, "CREATE FUNCTION f() RETURNS int RETURN 1").is_err());
    }

    #[test]
    fn grants_policies_row_security_routines_and_events_are_classified() {
        let c = |d, s| classify(d, s).map(|d| (d.kind, d.name, d.table));
        let on = |k, n: &str, t: Option<&str>| Ok((k, n.to_string(), t.map(str::to_string)));
        assert_eq!(
            c(
                Dialect::Postgres,
                "GRANT SELECT, INSERT ON TABLE Public.Users TO Reader"
            ),
            on(ObjectKind::Grant, "reader", Some("users"))
        );
        assert_eq!(
            c(Dialect::Mysql, "GRANT SELECT ON `users` TO 'reader'@'%'"),
            on(ObjectKind::Grant, "reader", Some("users"))
        );
        assert_eq!(
            c(Dialect::Mysql, "GRANT SELECT ON users TO 'app'@'localhost'"),
            on(ObjectKind::Grant, "app@localhost", Some("users"))
        );
        assert_eq!(
            c(Dialect::Mysql, "GRANT SELECT ON users TO reader"),
            on(ObjectKind::Grant, "reader", Some("users"))
        );
        assert!(c(Dialect::Postgres, "GRANT SELECT ON users TO a, b").is_err());
        assert_eq!(
            c(
                Dialect::Postgres,
                "ALTER TABLE users ENABLE ROW LEVEL SECURITY"
            ),
            on(ObjectKind::RowSecurity, "users", Some("users"))
        );
        assert_eq!(
            c(
                Dialect::Postgres,
                "ALTER TABLE users FORCE ROW LEVEL SECURITY, ENABLE ROW LEVEL SECURITY;"
            ),
            on(ObjectKind::RowSecurity, "users", Some("users"))
        );
        assert!(c(Dialect::Postgres, "ALTER TABLE users ADD COLUMN x int").is_err());
        assert!(c(
            Dialect::Postgres,
            "ALTER TABLE users NO FORCE ROW LEVEL SECURITY"
        )
        .is_err());
        assert!(c(
            Dialect::Postgres,
            "ALTER TABLE users ENABLE ROW LEVEL SECURITY, ADD COLUMN x int"
        )
        .is_err());
        let parts = |s| row_security_parts(Dialect::Postgres, s);
        assert_eq!(
            parts("alter table \"Users\" force row level security, enable row level security"),
            [ROW_SECURITY_ENABLE, ROW_SECURITY_FORCE]
        );
        assert_eq!(
            parts("ALTER TABLE users FORCE ROW LEVEL SECURITY;"),
            [ROW_SECURITY_FORCE]
        );
        assert!(parts("ALTER TABLE users ADD COLUMN x int").is_empty());
        assert_eq!(
            c(
                Dialect::Postgres,
                "CREATE POLICY own ON users USING (id = 1)"
            ),
            on(ObjectKind::Policy, "own", Some("users"))
        );
        assert_eq!(
            c(Dialect::Mysql, "CREATE DEFINER=`root`@`%` FUNCTION add1(x int) RETURNS int DETERMINISTIC RETURN x + 1"),
            on(ObjectKind::Function, "add1", None)
        );
        assert_eq!(
            c(Dialect::Mysql, "CREATE PROCEDURE p() BEGIN SELECT 1; END"),
            on(ObjectKind::Procedure, "p", None)
        );
        assert_eq!(
            c(
                Dialect::Mysql,
                "CREATE EVENT purge ON SCHEDULE EVERY 1 DAY DO DELETE FROM audit"
            ),
            on(ObjectKind::Event, "purge", None)
        );
        // A schedule's times: written out, or the time of creation itself; never relative to it.
        for ok in [
            "CREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' ENDS '2031-01-01' DO SELECT NOW()",
            "CREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS CURRENT_TIMESTAMP DO SELECT 1",
            "CREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS now() DISABLE DO SELECT 1",
            "CREATE EVENT e ON SCHEDULE AT '2030-01-01' + INTERVAL 1 HOUR DO SELECT 1",
        ] {
            assert!(c(Dialect::Mysql, ok).is_ok(), "{ok}");
        }
        for relative in [
            "CREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS CURRENT_TIMESTAMP + INTERVAL 1 DAY DO SELECT 1",
            "CREATE EVENT e ON SCHEDULE EVERY 1 DAY ENDS NOW() + INTERVAL 1 YEAR DO SELECT 1",
            "CREATE EVENT e ON SCHEDULE AT CURRENT_TIMESTAMP + INTERVAL 1 HOUR DO SELECT 1",
        ] {
            let err = c(Dialect::Mysql, relative).err().unwrap_or_default();
            assert!(err.contains("relative to when the event is created"), "{relative}: {err}");
        }
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
            m("GRANT select, Insert ON `users` TO 'reader'@'%'"),
            m("GRANT INSERT, SELECT ON users TO reader")
        );
        // Column privileges: the columns sorted, folded as the server stores them.
        let p = |s| definition_key(Dialect::Postgres, s);
        assert_eq!(
            p("GRANT update (Score), SELECT (id, \"Email\") ON users TO r"),
            "grant SELECT (Email, id), UPDATE (score)"
        );
        assert_eq!(
            p("GRANT SELECT (\"Email\", id), UPDATE (score) ON \"users\" TO \"r\""),
            p("GRANT update (Score), SELECT (id, \"Email\") ON users TO r")
        );
        assert_ne!(
            p("GRANT SELECT (id) ON users TO r"),
            p("GRANT SELECT (id, email) ON users TO r")
        );
        assert_ne!(
            p("GRANT SELECT (id) ON users TO r"),
            p("GRANT SELECT ON users TO r")
        );
        assert_eq!(
            m("GRANT INSERT, SELECT ON users TO reader"),
            "grant INSERT, SELECT"
        );
        assert_eq!(
            m("CREATE DEFINER=`root`@`%` EVENT `e` ON SCHEDULE EVERY 1 DAY DO SELECT 1"),
            m("create event e on schedule every 1 day do select 1")
        );
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
