//! What SQLite only keeps in `sqlite_master.sql`: CHECK constraints, constraint names, the
//! AUTOINCREMENT keyword, column collations, generated columns' expressions, and the key expressions and WHERE clause of a CREATE INDEX. Built on
//! the lexer in `sqltext`, so strings, quoted identifiers and comments never confuse it. It reads
//! the statements SQLite has already accepted and does not try to validate them; columns, types,
//! defaults and foreign-key targets come from the pragmas, not from here.

use autogen_schema::{normalize_expression, Check, Deferrable};

use crate::sqltext::{
    matching_paren, span, split_top_level, strip_outer_parens, tokenize, Kind, Token,
};

/// What a CREATE TABLE statement says beyond what the pragmas report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TableDdl {
    /// Table- and column-level CHECK constraints in declaration order.
    pub checks: Vec<Check>,
    /// `CONSTRAINT name PRIMARY KEY ...`.
    pub primary_key_name: Option<String>,
    /// Named UNIQUE constraints with their columns (unnamed ones are not listed).
    pub unique_names: Vec<(String, Vec<String>)>,
    /// Named foreign keys: name, local columns, referenced table.
    pub foreign_key_names: Vec<(String, Vec<String>, String)>,
    /// Foreign keys declared `DEFERRABLE` (named or not): local columns, referenced table and
    /// how. `pragma_foreign_key_list` does not report it, so it is read here.
    pub foreign_key_deferrable: Vec<(Vec<String>, String, Deferrable)>,
    /// Whether the AUTOINCREMENT keyword appears (SQLite allows it only on the rowid alias).
    pub autoincrement: bool,
    /// `STRICT` after the closing parenthesis (SQLite 3.37+).
    pub strict: bool,
    /// `WITHOUT ROWID` after the closing parenthesis.
    pub without_rowid: bool,
    /// Columns whose definition writes `NOT NULL` (`pragma_table_info` also reports the key
    /// columns of a WITHOUT ROWID table as NOT NULL, written or not).
    pub not_null_written: Vec<String>,
    /// Columns declared with `COLLATE name`, other than the default `BINARY`: (column, name as
    /// written).
    pub collations: Vec<(String, String)>,
    /// Generated columns' expressions, whitespace folded: (column, expression). Whether each is
    /// stored comes from `pragma_table_xinfo`, which knows it for certain.
    pub generated: Vec<(String, String)>,
}

/// What a CREATE INDEX statement says beyond `pragma_index_xinfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IndexDdl {
    /// Each key part's text without ASC/DESC/COLLATE, whitespace folded (for expressions).
    pub key_parts: Vec<String>,
    /// Each key part's `COLLATE` name as written (unquoted), parallel to `key_parts`.
    pub collations: Vec<Option<String>>,
    /// The partial index's WHERE clause, whitespace folded.
    pub predicate: Option<String>,
}

/// Words that start a column or table constraint; a pending `CONSTRAINT name` belongs to the
/// next of these.
const CONSTRAINT_WORDS: &[&str] = &[
    "PRIMARY",
    "UNIQUE",
    "CHECK",
    "FOREIGN",
    "REFERENCES",
    "NOT",
    "NULL",
    "DEFAULT",
    "COLLATE",
    "GENERATED",
    "AS",
];

pub(crate) fn parse_create_table(sql: &str) -> TableDdl {
    let tokens = tokenize(sql);
    let mut ddl = TableDdl {
        autoincrement: tokens.iter().any(|t| t.is_word(sql, "AUTOINCREMENT")),
        ..TableDdl::default()
    };
    let Some(open) = tokens.iter().position(|t| t.kind == Kind::LParen) else {
        return ddl;
    };
    let Some(close) = matching_paren(&tokens, open) else {
        return ddl;
    };
    // Table options follow the column list, comma separated: `) WITHOUT ROWID, STRICT`.
    let options = &tokens[close + 1..];
    ddl.strict = options.iter().any(|t| t.is_word(sql, "STRICT"));
    ddl.without_rowid = options
        .windows(2)
        .any(|w| w[0].is_word(sql, "WITHOUT") && w[1].is_word(sql, "ROWID"));
    for (from, to) in split_top_level(&tokens, open + 1, close) {
        let Some(first) = tokens.get(from) else {
            continue;
        };
        let starts_table_constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|kw| first.is_word(sql, kw));
        if starts_table_constraint {
            read_constraints(sql, &tokens, from, to, None, &mut ddl);
        } else {
            let column = first.ident(sql);
            read_constraints(sql, &tokens, from + 1, to, Some(&column), &mut ddl);
        }
    }
    ddl
}

/// Reads the constraints in `tokens[from..to]`: one table constraint, or the tail of a column
/// definition when `column` is set (then single-column constraints apply to it).
fn read_constraints(
    sql: &str,
    tokens: &[Token],
    from: usize,
    to: usize,
    column: Option<&str>,
    ddl: &mut TableDdl,
) {
    let mut pending_name: Option<String> = None;
    let mut i = from;
    while i < to {
        let t = tokens[i];
        if t.kind == Kind::LParen {
            i = matching_paren(tokens, i).map_or(to, |c| c + 1);
            continue;
        }
        if t.is_word(sql, "CONSTRAINT") {
            pending_name = tokens
                .get(i + 1)
                .filter(|_| i + 1 < to)
                .map(|n| n.ident(sql));
            i += 2;
            continue;
        }
        let is = |kw: &str| t.is_word(sql, kw);
        if let (true, Some(c)) = (is("NOT"), column) {
            if tokens
                .get(i + 1)
                .is_some_and(|n| i + 1 < to && n.is_word(sql, "NULL"))
            {
                ddl.not_null_written.push(c.to_string());
            }
        }
        if let (true, Some(c)) = (is("COLLATE"), column) {
            if let Some(name) = tokens.get(i + 1).filter(|_| i + 1 < to) {
                let name = name.ident(sql);
                if !name.eq_ignore_ascii_case("BINARY") {
                    ddl.collations.push((c.to_string(), name));
                }
                i += 2;
                continue;
            }
        } else if let (true, Some(c)) = (is("AS"), column) {
            // `[GENERATED ALWAYS] AS (expr) [STORED | VIRTUAL]`: the only column-level AS.
            if let Some((expr, next)) = paren_group(sql, tokens, i + 1, to) {
                ddl.generated.push((
                    c.to_string(),
                    normalize_expression(strip_outer_parens(expr)),
                ));
                i = next;
                continue;
            }
        }
        if is("CHECK") {
            if let Some((expr, next)) = paren_group(sql, tokens, i + 1, to) {
                ddl.checks.push(Check {
                    name: pending_name.take(),
                    expression: normalize_expression(strip_outer_parens(expr)),
                });
                i = next;
                continue;
            }
        } else if is("PRIMARY") {
            if let Some(name) = pending_name.take() {
                ddl.primary_key_name = Some(name);
            }
        } else if is("UNIQUE") {
            let name = pending_name.take();
            let columns = match column {
                Some(c) => vec![c.to_string()],
                None => column_list(sql, tokens, i + 1, to).unwrap_or_default(),
            };
            if let Some(name) = name {
                ddl.unique_names.push((name, columns));
            }
        } else if is("FOREIGN") {
            // FOREIGN KEY (cols) REFERENCES target
            let name = pending_name.take();
            let columns = column_list(sql, tokens, i + 2, to).unwrap_or_default();
            let target = (i..to)
                .find(|&j| tokens[j].is_word(sql, "REFERENCES"))
                .and_then(|j| tokens.get(j + 1).filter(|_| j + 1 < to))
                .map(|t| t.ident(sql));
            if let Some(target) = &target {
                let after = (i..to)
                    .find(|&j| tokens[j].is_word(sql, "REFERENCES"))
                    .map_or(to, |j| j + 1);
                let how = deferrable(sql, tokens, after, to);
                if how != Deferrable::NotDeferrable {
                    ddl.foreign_key_deferrable
                        .push((columns.clone(), target.clone(), how));
                }
            }
            if let (Some(name), Some(target)) = (name, target) {
                ddl.foreign_key_names.push((name, columns, target));
            }
            // The rest (REFERENCES ...) belongs to this constraint.
            return;
        } else if is("REFERENCES") {
            let name = pending_name.take();
            let target = tokens
                .get(i + 1)
                .filter(|_| i + 1 < to)
                .map(|t| t.ident(sql));
            if let (Some(target), Some(c)) = (&target, column) {
                let how = deferrable(sql, tokens, i + 1, to);
                if how != Deferrable::NotDeferrable {
                    ddl.foreign_key_deferrable
                        .push((vec![c.to_string()], target.clone(), how));
                }
            }
            if let (Some(name), Some(target), Some(c)) = (name, target, column) {
                ddl.foreign_key_names
                    .push((name, vec![c.to_string()], target));
            }
        } else if CONSTRAINT_WORDS.iter().any(|kw| is(kw)) {
            pending_name = None;
        }
        i += 1;
    }
}

/// The deferrable clause of the foreign-key clause that runs from `tokens[from]`:
/// `DEFERRABLE [INITIALLY IMMEDIATE]`, `DEFERRABLE INITIALLY DEFERRED`, or none (also for
/// `NOT DEFERRABLE`). The clause ends at the next constraint of a column definition.
fn deferrable(sql: &str, tokens: &[Token], from: usize, to: usize) -> Deferrable {
    let word = |j: usize, kw: &str| j < to && tokens.get(j).is_some_and(|t| t.is_word(sql, kw));
    let mut j = from;
    while j < to {
        if tokens[j].kind == Kind::LParen {
            j = matching_paren(tokens, j).map_or(to, |c| c + 1);
            continue;
        }
        if word(j, "DEFERRABLE") {
            if j > from && word(j - 1, "NOT") {
                return Deferrable::NotDeferrable;
            }
            return if word(j + 1, "INITIALLY") && word(j + 2, "DEFERRED") {
                Deferrable::Deferred
            } else {
                Deferrable::Immediate
            };
        }
        // `SET NULL` and `SET DEFAULT` are actions of this clause; `NOT NULL`, `DEFAULT ...`
        // and the rest start the next constraint.
        let after_set = j > from && word(j - 1, "SET");
        let ends = [
            "CONSTRAINT",
            "PRIMARY",
            "UNIQUE",
            "CHECK",
            "REFERENCES",
            "COLLATE",
        ]
        .iter()
        .chain(&["GENERATED", "AS"])
        .any(|kw| word(j, kw))
            || (word(j, "NULL") || word(j, "DEFAULT")) && !after_set;
        if ends {
            return Deferrable::NotDeferrable;
        }
        j += 1;
    }
    Deferrable::NotDeferrable
}

/// The text inside the parenthesised group starting at `tokens[at]`, and the index after it.
fn paren_group<'a>(
    sql: &'a str,
    tokens: &[Token],
    at: usize,
    to: usize,
) -> Option<(&'a str, usize)> {
    if at >= to || tokens[at].kind != Kind::LParen {
        return None;
    }
    let close = matching_paren(tokens, at)?;
    Some((&sql[tokens[at].end..tokens[close].start], close + 1))
}

/// The column names of a `(a, b DESC, c COLLATE x)` list starting at `tokens[at]`.
fn column_list(sql: &str, tokens: &[Token], at: usize, to: usize) -> Option<Vec<String>> {
    if at >= to || tokens[at].kind != Kind::LParen {
        return None;
    }
    let close = matching_paren(tokens, at)?;
    Some(
        split_top_level(tokens, at + 1, close)
            .into_iter()
            .filter_map(|(s, _)| tokens.get(s).map(|t| t.ident(sql)))
            .collect(),
    )
}

pub(crate) fn parse_create_index(sql: &str) -> IndexDdl {
    let tokens = tokenize(sql);
    let mut ddl = IndexDdl::default();
    // CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table ( key, ... ) [WHERE expr]
    let Some(on) = tokens.iter().position(|t| t.is_word(sql, "ON")) else {
        return ddl;
    };
    let Some(open) = (on + 1..tokens.len()).find(|&i| tokens[i].kind == Kind::LParen) else {
        return ddl;
    };
    let Some(close) = matching_paren(&tokens, open) else {
        return ddl;
    };
    for (from, to) in split_top_level(&tokens, open + 1, close) {
        let mut end = to;
        // Drop a trailing ASC/DESC, then a trailing COLLATE name.
        if end > from
            && (tokens[end - 1].is_word(sql, "ASC") || tokens[end - 1].is_word(sql, "DESC"))
        {
            end -= 1;
        }
        let mut collation = None;
        if end >= from + 2 && tokens[end - 2].is_word(sql, "COLLATE") {
            collation = Some(tokens[end - 1].ident(sql));
            end -= 2;
        }
        ddl.collations.push(collation);
        let part = span(sql, &tokens, from, end);
        let single_ident =
            end == from + 1 && matches!(tokens[from].kind, Kind::Word | Kind::Quoted);
        ddl.key_parts.push(if single_ident {
            tokens[from].ident(sql)
        } else {
            normalize_expression(part)
        });
    }
    if let Some(w) = tokens.get(close + 1).filter(|t| t.is_word(sql, "WHERE")) {
        let predicate = sql[w.end..].trim().trim_end_matches(';');
        ddl.predicate = Some(normalize_expression(predicate));
    }
    ddl
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: Option<&str>, expression: &str) -> Check {
        Check {
            name: name.map(str::to_string),
            expression: expression.to_string(),
        }
    }

    #[test]
    fn deferrable_foreign_keys_are_read_from_the_table_text() {
        let ddl = parse_create_table(
            "CREATE TABLE c (a INT REFERENCES p (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED NOT NULL, \
             b INT REFERENCES p DEFERRABLE, x INT REFERENCES p NOT DEFERRABLE, \
             y INT REFERENCES p NOT NULL DEFAULT 1, \
             CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES \"Q\" (c, d) ON UPDATE SET DEFAULT deferrable initially immediate)",
        );
        assert_eq!(
            ddl.foreign_key_deferrable,
            vec![
                (vec!["a".into()], "p".into(), Deferrable::Deferred),
                (vec!["b".into()], "p".into(), Deferrable::Immediate),
                (
                    vec!["a".into(), "b".into()],
                    "Q".into(),
                    Deferrable::Immediate
                ),
            ]
        );
    }

    #[test]
    fn finds_checks_and_names_in_nasty_create_table_text() {
        let cases: &[(&str, TableDdl)] = &[
            (
                "CREATE TABLE t (age INTEGER CHECK (age >= 0), CONSTRAINT ck_t_age CHECK(age < 200))",
                TableDdl {
                    checks: vec![check(None, "age >= 0"), check(Some("ck_t_age"), "age < 200")],
                    ..TableDdl::default()
                },
            ),
            (
                // Parentheses and the word CHECK inside strings, comments and quoted names.
                "CREATE TABLE \"my (check) table\" (\n  \"we\"\"ird, col\" TEXT DEFAULT 'CHECK (x)' -- CHECK (no)\n    CONSTRAINT \"ck one\" CHECK (\"we\"\"ird, col\" <> ')('),\n  [b c] TEXT /* CHECK (nope) */ CHECK ([b c] IN ('a,b', 'CHECK'))\n)",
                TableDdl {
                    checks: vec![
                        check(Some("ck one"), "\"we\"\"ird, col\" <> ')('"),
                        check(None, "[b c] IN ('a,b', 'CHECK')"),
                    ],
                    ..TableDdl::default()
                },
            ),
            (
                "CREATE TABLE t (id INTEGER CONSTRAINT pk_t PRIMARY KEY AUTOINCREMENT, n INT CONSTRAINT ck_n CHECK ((n > 0) AND (n < 10)))",
                TableDdl {
                    checks: vec![check(Some("ck_n"), "(n > 0) AND (n < 10)")],
                    primary_key_name: Some("pk_t".into()),
                    autoincrement: true,
                    ..TableDdl::default()
                },
            ),
            (
                "CREATE TABLE c (a INT, b INT, x INT CONSTRAINT fk_x REFERENCES p(id) CONSTRAINT uq_x UNIQUE,\n CONSTRAINT pk_c PRIMARY KEY (a, b),\n CONSTRAINT uq_ab UNIQUE (a, b DESC),\n UNIQUE (b),\n CONSTRAINT fk_ab FOREIGN KEY (a, b) REFERENCES \"P 2\" (c, d) ON DELETE CASCADE,\n CONSTRAINT nn NOT NULL)",
                TableDdl {
                    checks: vec![],
                    primary_key_name: Some("pk_c".into()),
                    unique_names: vec![
                        ("uq_x".into(), vec!["x".into()]),
                        ("uq_ab".into(), vec!["a".into(), "b".into()]),
                    ],
                    foreign_key_names: vec![
                        ("fk_x".into(), vec!["x".into()], "p".into()),
                        ("fk_ab".into(), vec!["a".into(), "b".into()], "P 2".into()),
                    ],
                    foreign_key_deferrable: vec![],
                    autoincrement: false,
                    collations: vec![],
                    generated: vec![],
                    strict: false,
                    without_rowid: false,
                    not_null_written: vec![],
                },
            ),
            (
                // Table options after the column list, and which columns wrote NOT NULL (not
                // the one whose CHECK or default merely says it).
                "CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB NOT NULL, w INT CHECK (w IS NOT NULL) DEFAULT 'NOT NULL') WITHOUT ROWID, STRICT -- STRICT",
                TableDdl {
                    checks: vec![check(None, "w IS NOT NULL")],
                    strict: true,
                    without_rowid: true,
                    not_null_written: vec!["v".into()],
                    ..TableDdl::default()
                },
            ),
            (
                "CREATE TABLE t (a INT) /* WITHOUT ROWID */",
                TableDdl::default(),
            ),
            (
                // A column merely named like a keyword, and a default that says AUTOINCREMENT.
                "CREATE TABLE t (\"check\" TEXT DEFAULT 'AUTOINCREMENT', `unique` INT)",
                TableDdl::default(),
            ),
            ("CREATE TABLE t AS SELECT 1", TableDdl::default()),
            (
                // Collations (BINARY is the default) and generated columns, both spellings.
                "CREATE TABLE t (a TEXT COLLATE NOCASE, b TEXT COLLATE \"binary\", c TEXT GENERATED ALWAYS AS (a || 'as (x)') STORED, d AS ( lower(a) ) VIRTUAL CHECK (d <> ''), e TEXT DEFAULT (CAST(1 AS TEXT)) COLLATE RTRIM)",
                TableDdl {
                    checks: vec![check(None, "d <> ''")],
                    collations: vec![("a".into(), "NOCASE".into()), ("e".into(), "RTRIM".into())],
                    generated: vec![
                        ("c".into(), "a || 'as (x)'".into()),
                        ("d".into(), "lower(a)".into()),
                    ],
                    ..TableDdl::default()
                },
            ),
        ];
        for (sql, want) in cases {
            assert_eq!(&parse_create_table(sql), want, "{sql}");
        }
    }

    #[test]
    fn reads_index_keys_and_predicates() {
        let cases: &[(&str, IndexDdl)] = &[
            (
                "CREATE INDEX ix ON t (a, \"b c\" DESC, d COLLATE NOCASE ASC)",
                IndexDdl {
                    key_parts: vec!["a".into(), "b c".into(), "d".into()],
                    collations: vec![None, None, Some("NOCASE".into())],
                    predicate: None,
                },
            ),
            (
                "CREATE UNIQUE INDEX IF NOT EXISTS \"ix on\" ON \"t\"(lower(email),  a + 1 DESC) WHERE  deleted_at IS NULL AND note <> 'x  y'",
                IndexDdl {
                    key_parts: vec!["lower(email)".into(), "a + 1".into()],
                    collations: vec![None, None],
                    predicate: Some("deleted_at IS NULL AND note <> 'x  y'".into()),
                },
            ),
        ];
        for (sql, want) in cases {
            assert_eq!(&parse_create_index(sql), want, "{sql}");
        }
    }
}
