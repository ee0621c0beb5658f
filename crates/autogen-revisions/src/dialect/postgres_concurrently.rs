//! Recognising the PostgreSQL statements whose interrupted run the catalog can settle:
//! `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON [ONLY] [schema.]table ...` (the
//! index exists and is valid: it ran; it exists INVALID: a build was interrupted, drop it and
//! build again; it is missing: it did not run) and `DROP INDEX CONCURRENTLY [IF EXISTS]
//! [schema.]name` (gone: it ran), and the maintenance statements that may simply run again
//! (`VACUUM`, `ANALYZE`, ...). Only the statement's first words are read, never the rest; an
//! unnamed `CREATE INDEX CONCURRENTLY` or anything else is not recognised, and its interrupted
//! run is left for the user to settle. This file runs no SQL.

/// A statement whose interrupted run can be settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Concurrently {
    /// `CREATE INDEX CONCURRENTLY`: the index as a `regclass` text (quoted, qualified when the
    /// table is).
    Create { index: String },
    /// `DROP INDEX CONCURRENTLY` of one index, as a `regclass` text.
    Drop { index: String },
    /// A statement that is harmless to run again (`VACUUM`, `ANALYZE`, `CLUSTER`, `REINDEX`
    /// without `CONCURRENTLY`, `ALTER TYPE ... ADD VALUE IF NOT EXISTS`, `ALTER TABLE ...
    /// VALIDATE CONSTRAINT`, the online mode's backfill `DO $autogen_backfill$` block).
    Repeatable,
    /// A session setting (`SET name ...` or `RESET name`, not `SET LOCAL`, `SET CONSTRAINTS` or
    /// `SET TRANSACTION`): harmless to repeat, and made again when a run resumes after it.
    Setting,
}

/// What `sql` is, if it is one of the statements this file knows.
pub(super) fn classify(sql: &str) -> Option<Concurrently> {
    let tokens = tokens(sql);
    let word = |i: usize| match tokens.get(i) {
        Some(Token::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    let mut i = 0;
    match word(0)? {
        "vacuum" | "analyze" | "analyse" | "cluster" => Some(Concurrently::Repeatable),
        "set"
            if !matches!(
                word(1),
                Some("local" | "constraints" | "transaction" | "session" | "role")
            ) =>
        {
            Some(Concurrently::Setting)
        }
        "reset" if word(1).is_some_and(|w| w != "all" && w != "role") => {
            Some(Concurrently::Setting)
        }
        // The online mode's backfill: fills only rows that are still NULL, batch by batch.
        "do" if sql
            .trim_start()
            .get(2..)
            .is_some_and(|rest| rest.trim_start().starts_with("$autogen_backfill$")) =>
        {
            Some(Concurrently::Repeatable)
        }
        // `ALTER TABLE [ONLY] [schema.]t VALIDATE CONSTRAINT c` and nothing else.
        "alter" if word(1) == Some("table") => {
            i = 2;
            if word(i) == Some("only") {
                i += 1;
            }
            tokens
                .get(i)
                .map(Token::as_name)
                .filter(|t| matches!(t, Token::Name(_)))?;
            i += 1;
            if tokens.get(i) == Some(&Token::Dot) {
                tokens
                    .get(i + 1)
                    .map(Token::as_name)
                    .filter(|t| matches!(t, Token::Name(_)))?;
                i += 2;
            }
            let validate = word(i) == Some("validate")
                && word(i + 1) == Some("constraint")
                && matches!(tokens.get(i + 2).map(Token::as_name), Some(Token::Name(_)))
                && tokens.len() == i + 3;
            validate.then_some(Concurrently::Repeatable)
        }
        "reindex" => (!tokens
            .iter()
            .any(|t| *t == Token::Word("concurrently".into())))
        .then_some(Concurrently::Repeatable),
        "alter" if word(1) == Some("type") => {
            let upper = sql.to_ascii_uppercase();
            let words: Vec<&str> = upper.split_whitespace().collect();
            words
                .windows(5)
                .any(|w| w == ["ADD", "VALUE", "IF", "NOT", "EXISTS"])
                .then_some(Concurrently::Repeatable)
        }
        "create" => {
            i += 1;
            if word(i) == Some("unique") {
                i += 1;
            }
            if word(i) != Some("index") || word(i + 1) != Some("concurrently") {
                return None;
            }
            i += 2;
            if word(i) == Some("if") && word(i + 1) == Some("not") && word(i + 2) == Some("exists")
            {
                i += 3;
            }
            let Some(Token::Name(name)) = tokens.get(i).map(Token::as_name) else {
                return None;
            };
            i += 1;
            if word(i) != Some("on") {
                return None; // unnamed: `CREATE INDEX CONCURRENTLY ON t ...`
            }
            i += 1;
            if word(i) == Some("only") {
                i += 1;
            }
            let schema = match (tokens.get(i + 1), tokens.get(i + 2)) {
                (Some(Token::Dot), Some(_)) => match tokens.get(i).map(Token::as_name) {
                    Some(Token::Name(s)) => Some(s),
                    _ => return None,
                },
                _ => None,
            };
            Some(Concurrently::Create {
                index: regclass(schema.as_deref(), &name),
            })
        }
        "drop" => {
            if word(1) != Some("index") || word(2) != Some("concurrently") {
                return None;
            }
            i = 3;
            if word(i) == Some("if") && word(i + 1) == Some("exists") {
                i += 2;
            }
            let Some(Token::Name(first)) = tokens.get(i).map(Token::as_name) else {
                return None;
            };
            let (schema, name) = match (tokens.get(i + 1), tokens.get(i + 2).map(Token::as_name)) {
                (Some(Token::Dot), Some(Token::Name(second))) => (Some(first), second),
                (Some(Token::Comma), _) => return None, // several indexes
                _ => (None, first),
            };
            Some(Concurrently::Drop {
                index: regclass(schema.as_deref(), &name),
            })
        }
        _ => None,
    }
}

/// `name` (in `schema`) quoted for `to_regclass`, which follows the search path when unqualified.
fn regclass(schema: Option<&str>, name: &str) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    match schema {
        Some(schema) => format!("{}.{}", quote(schema), quote(name)),
        None => quote(name),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// An unquoted word, lowercased as PostgreSQL folds it.
    Word(String),
    /// A quoted identifier, exactly.
    Quoted(String),
    /// Either of the two, as an identifier.
    Name(String),
    Dot,
    Comma,
    Other,
}

impl Token {
    fn as_name(&self) -> Token {
        match self {
            Token::Word(w) | Token::Quoted(w) => Token::Name(w.clone()),
            other => other.clone(),
        }
    }
}

/// The first tokens of `sql` (up to the first `(`, which ends every part read here).
fn tokens(sql: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut name = String::new();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        name.push('"');
                    }
                    Some('"') | None => break,
                    Some(other) => name.push(other),
                }
            }
            out.push(Token::Quoted(name));
        } else if c.is_alphabetic() || c == '_' {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_alphanumeric() || c == '_' || c == '$' {
                    word.push(c.to_ascii_lowercase());
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(Token::Word(word));
        } else if c == '.' {
            chars.next();
            out.push(Token::Dot);
        } else if c == ',' {
            chars.next();
            out.push(Token::Comma);
        } else {
            out.push(Token::Other);
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_the_catalog_can_settle() {
        let create = |index: &str| {
            Some(Concurrently::Create {
                index: index.into(),
            })
        };
        let drop = |index: &str| {
            Some(Concurrently::Drop {
                index: index.into(),
            })
        };
        for (sql, expected) in [
            (
                "CREATE INDEX CONCURRENTLY ix_a ON t (a)",
                create("\"ix_a\""),
            ),
            (
                "create unique index concurrently if not exists \"Ix\" on only s.\"T\" (a)",
                create("\"s\".\"Ix\""),
            ),
            ("CREATE INDEX CONCURRENTLY ON t (a)", None),
            ("CREATE INDEX ix ON t (a)", None),
            ("DROP INDEX CONCURRENTLY IF EXISTS ix_a", drop("\"ix_a\"")),
            (
                "DROP INDEX CONCURRENTLY \"S\".ix CASCADE",
                drop("\"S\".\"ix\""),
            ),
            ("DROP INDEX CONCURRENTLY a, b", None),
            ("VACUUM (ANALYZE) t", Some(Concurrently::Repeatable)),
            ("REINDEX TABLE t", Some(Concurrently::Repeatable)),
            ("REINDEX INDEX CONCURRENTLY ix", None),
            (
                "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh'",
                Some(Concurrently::Repeatable),
            ),
            ("ALTER TYPE mood ADD VALUE 'meh'", None),
            ("INSERT INTO t VALUES (1)", None),
            (
                "ALTER TABLE \"s\".\"t\" VALIDATE CONSTRAINT \"ck\"",
                Some(Concurrently::Repeatable),
            ),
            ("ALTER TABLE t VALIDATE CONSTRAINT ck, ADD x int", None),
            ("ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0)", None),
            (
                "DO $autogen_backfill$ BEGIN NULL; END $autogen_backfill$",
                Some(Concurrently::Repeatable),
            ),
            ("DO $$ BEGIN NULL; END $$", None),
            ("SET lock_timeout = '2s'", Some(Concurrently::Setting)),
            ("RESET lock_timeout", Some(Concurrently::Setting)),
            ("SET LOCAL lock_timeout = '2s'", None),
            ("SET CONSTRAINTS ALL DEFERRED", None),
        ] {
            assert_eq!(classify(sql), expected, "{sql}");
        }
    }
}
