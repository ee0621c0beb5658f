//! What the generator may write on each dialect for the properties issue #15 added: collation
//! names, identity forms, generated-column expressions, CHECK and default spellings, table
//! options and index key-part options. Each table here holds only choices the dialect accepts
//! and stores without changing their meaning, so a pair built from them is valid by construction;
//! the spellings vary on purpose (spaces, casts, IN lists, BETWEEN, parentheses) to exercise
//! autogen-normalize and the server's own printing.
//!
//! It deliberately knows nothing about the differ's output: it never predicts what autogen
//! writes, only what the database would accept.

use autogen::schema::Dialect;

use super::Ty;

/// Column collations that differ from every default the generator's tables can have. MySQL
/// tables default to `utf8mb4_general_ci` unless they declare another, which the generator
/// excludes per table (see [`mysql_column_collations`]).
pub fn column_collations(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Postgres => &["C", "POSIX", "und-x-icu"],
        Dialect::Mysql => &["utf8mb4_bin", "utf8mb4_unicode_ci", "utf8mb4_general_ci"],
        Dialect::Sqlite => &["NOCASE", "RTRIM"],
    }
}

/// The MySQL column collations allowed in a table whose default collation is `table_default`:
/// a column collation equal to the table's is read back as none, so the model would drift.
pub fn mysql_column_collations(table_default: &str) -> Vec<&'static str> {
    column_collations(Dialect::Mysql)
        .iter()
        .copied()
        .filter(|c| *c != table_default)
        .collect()
}

/// Key-part collations (`"c COLLATE x"`): PostgreSQL and SQLite only.
pub fn key_part_collations(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Postgres => &["C", "POSIX"],
        Dialect::Mysql => &[],
        Dialect::Sqlite => &["NOCASE", "RTRIM"],
    }
}

/// PostgreSQL identity forms a declared `auto_increment = "..."` may take.
pub const IDENTITY_KINDS: &[&str] = &["by_default", "always", "serial"];

/// The number of generated-column expression forms for a source column of type `ty` (0: the
/// type cannot be a source).
pub fn generated_forms(dialect: Dialect, ty: &Ty) -> usize {
    generated_expr(dialect, ty, "c", usize::MAX).map_or(0, |(_, n)| n)
}

/// The expression of generated-column form `form` over column `source` of type `ty`, and how
/// many forms there are. Integer sources give a bigint, string sources a text.
pub fn generated_expr(
    dialect: Dialect,
    ty: &Ty,
    source: &str,
    form: usize,
) -> Option<(String, usize)> {
    let forms: Vec<String> = match ty {
        Ty::I16 | Ty::I32 | Ty::I64 => {
            let mut f = vec![
                format!("{source} + 1"),
                format!("{source}*2"),
                format!("({source} - 1)"),
                format!("abs({source})"),
            ];
            f.push(match dialect {
                Dialect::Postgres => format!("{source}::bigint * 3"),
                Dialect::Mysql => format!("CAST({source} AS SIGNED) * 3"),
                Dialect::Sqlite => format!("CAST({source} AS INTEGER) * 3"),
            });
            f
        }
        Ty::Text | Ty::Varchar(_) => {
            let mut f = vec![format!("upper({source})"), format!("LOWER({source})")];
            f.push(match dialect {
                Dialect::Mysql => format!("concat({source}, '!')"),
                _ => format!("{source} || '!'"),
            });
            f
        }
        _ => return None,
    };
    let n = forms.len();
    let expr = if form == usize::MAX {
        String::new()
    } else {
        forms.get(form % n)?.clone()
    };
    Some((expr, n))
}

/// The generated column's own type for a source of type `ty`.
pub fn generated_type(ty: &Ty) -> Ty {
    match ty {
        Ty::Text | Ty::Varchar(_) => Ty::Text,
        _ => Ty::I64,
    }
}

/// CHECK spellings over one column of type `ty`. Every form holds for every value a row can
/// hold there (1, 2, the defaults -1, 0, 7, 42, strings `'v0 it''s'`, `'x'`, `''`) and for NULL.
pub fn check_exprs(dialect: Dialect, ty: &Ty, c: &str) -> Vec<String> {
    match ty {
        Ty::I16 | Ty::I32 | Ty::I64 => {
            let mut f = vec![
                format!("{c} >= -1"),
                format!("{c}>=-1"),
                format!("({c} > -2)"),
                format!("{c} BETWEEN -1 AND 1000000"),
                format!("{c} IN (-1, 0, 1, 2, 7, 42)"),
                format!("{c} in (-1,0,1,2,7,42)"),
                format!("{c} NOT IN (5, 6)"),
                format!("NOT ({c} < -1)"),
                format!("{c} <> 5 AND {c} < 1000000"),
                format!("abs({c}) < 1000000"),
                format!("COALESCE({c}, 0) >= -1"),
                format!("{c} >= -1 OR {c} IS NULL"),
                format!("{c} + 1 > -1"),
            ];
            f.push(match dialect {
                Dialect::Postgres => format!("{c}::bigint >= -1"),
                Dialect::Mysql => format!("CAST({c} AS SIGNED) >= -1"),
                Dialect::Sqlite => format!("CAST({c} AS INTEGER) >= -1"),
            });
            if dialect == Dialect::Postgres {
                f.push(format!("CAST({c} AS numeric) > -2"));
            }
            f
        }
        Ty::Text | Ty::Varchar(_) => {
            let mut f = vec![
                format!("{c} <> 'zz'"),
                format!("{c} NOT LIKE 'zz%'"),
                format!("lower({c}) <> 'zz'"),
                format!("{c} NOT IN ('zz', 'yy')"),
            ];
            if dialect == Dialect::Postgres {
                f.push(format!("{c}::text <> 'zz'::text"));
            }
            f
        }
        _ => Vec::new(),
    }
}

/// Partial-index predicate spellings over an integer column (PostgreSQL and SQLite).
pub fn predicate_exprs(c: &str) -> Vec<String> {
    vec![
        format!("{c} > 0"),
        format!("{c}>=0"),
        format!("{c} IS NOT NULL"),
        format!("{c} BETWEEN 0 AND 100"),
        format!("({c} IN (1, 2, 3))"),
    ]
}

/// Default spellings for a column of type `ty` beyond the plain ones, each the same value as a
/// plain spelling (so checks and uniqueness reasoning stay valid).
pub fn default_spellings(dialect: Dialect, ty: &Ty) -> &'static [&'static str] {
    match (ty, dialect) {
        (Ty::Bool, _) => &["true", "false", "TRUE", "FALSE"],
        (Ty::I16 | Ty::I32 | Ty::I64, Dialect::Postgres) => {
            &["0", "42", "-1", "(0)", "(-1)", "'42'::integer"]
        }
        (Ty::I16 | Ty::I32 | Ty::I64, _) => &["0", "42", "-1", "(0)", "(-1)"],
        (Ty::Varchar(_), Dialect::Postgres) => &[
            "'x'",
            "''",
            "'it''s'",
            "'x'::character varying",
            "'x'::text",
        ],
        (Ty::Varchar(_), _) => &["'x'", "''", "'it''s'"],
        (Ty::Text, _) => &["'x'", "'it''s'"],
        (Ty::Timestamp | Ty::TimestampTz, Dialect::Sqlite) => &["CURRENT_TIMESTAMP"],
        (Ty::Timestamp | Ty::TimestampTz, _) => &["CURRENT_TIMESTAMP", "now()"],
        (Ty::Date, Dialect::Postgres | Dialect::Sqlite) => &["CURRENT_DATE"],
        (Ty::F32 | Ty::F64, _) => &["1.5", "1.50"],
        _ => &[],
    }
}

/// MySQL/MariaDB table options for a table that takes part in foreign keys (InnoDB only):
/// `(engine, row_format, key_block_size)`. COMPACT and REDUNDANT are left out: they limit a key
/// part to 767 bytes, which a widened utf8mb4 varchar exceeds.
pub const INNODB_OPTIONS: &[(Option<&str>, Option<&str>, Option<u32>)] = &[
    (None, None, None),
    (Some("InnoDB"), None, None),
    (Some("InnoDB"), Some("DYNAMIC"), None),
    (None, Some("DYNAMIC"), None),
    (Some("InnoDB"), Some("COMPRESSED"), Some(8)),
    (Some("InnoDB"), Some("COMPRESSED"), Some(16)),
];

/// Engines without foreign keys, with a row format each accepts. Tables using them are
/// declared `charset = "latin1"` so that two widened varchar key parts stay under MyISAM's
/// 1,000-byte key limit.
pub const OTHER_ENGINES: &[(&str, Option<&str>)] = &[
    ("MyISAM", None),
    ("MyISAM", Some("DYNAMIC")),
    ("Aria", None),
    ("Aria", Some("PAGE")),
];

/// MySQL table default collations a utf8mb4 table may declare (`None`: the database default,
/// `utf8mb4_general_ci`).
pub const MYSQL_TABLE_COLLATIONS: &[Option<&str>] = &[
    None,
    Some("utf8mb4_bin"),
    Some("utf8mb4_unicode_ci"),
    Some("utf8mb4_general_ci"),
];

/// Index comments, one with a quote.
pub const INDEX_COMMENTS: &[&str] = &["search", "it's", "by owner"];

/// PostgreSQL operator classes for a key part of type `ty` that are not the type's default.
pub fn opclasses(ty: &Ty) -> &'static [&'static str] {
    match ty {
        Ty::Text => &["text_pattern_ops"],
        Ty::Varchar(_) => &["text_pattern_ops", "varchar_pattern_ops"],
        _ => &[],
    }
}

/// Expression key-part forms over a column of type `ty` (PostgreSQL and SQLite; MariaDB has no
/// expression indexes): a bare function call or a parenthesised expression.
pub fn key_exprs(ty: &Ty, c: &str) -> Vec<String> {
    match ty {
        Ty::Text | Ty::Varchar(_) => vec![format!("lower({c})"), format!("(upper({c}))")],
        Ty::I16 | Ty::I32 | Ty::I64 => vec![format!("({c} + 1)"), format!("(abs({c}))")],
        _ => Vec::new(),
    }
}
