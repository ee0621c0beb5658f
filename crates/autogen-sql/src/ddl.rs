//! Clause writers shared by the dialects: column lists, constraint clauses, index key parts,
//! column defaults and the canonicalisation steps every dialect performs. They only ask the
//! [`SqlDialect`] how to quote and spell, so the clauses read the same on every database.
//!
//! These are written by hand rather than with sea-query: sea-query 0.32 writes index and
//! foreign-key names between quotes without escaping them (see its
//! `backend/*/index.rs`), cannot name a CHECK constraint, and we want the exact text a reviewer
//! reads in a revision file to be ours.

use autogen_schema::{
    Check, Column, ColumnType, DefaultValue, ForeignKey, Index, PrimaryKey, ReferentialAction,
    Schema, Table, UniqueConstraint,
};

use autogen_diff::{apply, Change};

use crate::dialect::SqlDialect;
use crate::{RenderError, Statement};

/// Renders each change on its own against the tracked state (the state before the change), then
/// advances the state. PostgreSQL and MySQL render this way; SQLite groups changes for rebuilds.
pub(crate) fn render_each(
    state: &mut Schema,
    changes: &[Change],
    quote: char,
    mut render_one: impl FnMut(&Schema, &Change, &mut Vec<Statement>) -> Result<(), RenderError>,
) -> Result<Vec<Statement>, RenderError> {
    let mut out = Vec::new();
    for change in changes {
        render_one(state, change, &mut out)?;
        apply(state, change, quote)?;
    }
    Ok(out)
}

/// `ALTER TABLE "t" `: the prefix of most statements.
pub(crate) fn alter_table(d: &dyn SqlDialect, table: &str) -> String {
    format!("ALTER TABLE {} ", d.quote(table))
}

/// An access method or similar keyword: written bare when it is a plain lowercase word (what
/// every catalog reports), quoted otherwise so that it cannot inject.
pub(crate) fn bare_word(d: &dyn SqlDialect, word: &str) -> String {
    if !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        word.to_string()
    } else {
        d.quote(word)
    }
}

/// `"a", "b"`.
pub(crate) fn column_list(d: &dyn SqlDialect, columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| d.quote(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CONSTRAINT "name" ` when the constraint has a name, else nothing.
pub(crate) fn constraint_name(d: &dyn SqlDialect, name: Option<&String>) -> String {
    match name {
        Some(n) => format!("CONSTRAINT {} ", d.quote(n)),
        None => String::new(),
    }
}

pub(crate) fn primary_key_clause(d: &dyn SqlDialect, pk: &PrimaryKey) -> String {
    format!(
        "{}PRIMARY KEY ({})",
        constraint_name(d, pk.name.as_ref()),
        column_list(d, &pk.columns)
    )
}

pub(crate) fn unique_clause(d: &dyn SqlDialect, u: &UniqueConstraint) -> String {
    format!(
        "{}UNIQUE ({})",
        constraint_name(d, u.name.as_ref()),
        column_list(d, &u.columns)
    )
}

/// `CONSTRAINT "fk" FOREIGN KEY ("a") REFERENCES "t" ("id") ON DELETE CASCADE`; `NO ACTION` (every
/// dialect's default) is omitted.
pub(crate) fn foreign_key_clause(d: &dyn SqlDialect, fk: &ForeignKey) -> String {
    let mut s = format!(
        "{}FOREIGN KEY ({}) REFERENCES {} ({})",
        constraint_name(d, fk.name.as_ref()),
        column_list(d, &fk.columns),
        d.quote(&fk.referenced_table),
        column_list(d, &fk.referenced_columns)
    );
    if fk.on_delete != ReferentialAction::NoAction {
        s.push_str(" ON DELETE ");
        s.push_str(fk.on_delete.sql());
    }
    if fk.on_update != ReferentialAction::NoAction {
        s.push_str(" ON UPDATE ");
        s.push_str(fk.on_update.sql());
    }
    s
}

pub(crate) fn check_clause(d: &dyn SqlDialect, ck: &Check) -> String {
    format!(
        "{}CHECK ({})",
        constraint_name(d, ck.name.as_ref()),
        ck.expression
    )
}

/// The key parts of an index: `"a", "b" DESC`. A key part naming a column of the table is quoted;
/// anything else is an expression written by the model author and is wrapped in parentheses
/// (which every dialect requires or accepts for expression key parts).
pub(crate) fn index_key_parts(d: &dyn SqlDialect, table: &Table, index: &Index) -> String {
    index
        .columns
        .iter()
        .map(|c| {
            let part = if table.column(&c.name).is_some() {
                d.quote(&c.name)
            } else {
                format!("({})", c.name)
            };
            if c.descending {
                format!("{part} DESC")
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// ` NOT NULL` / ` DEFAULT ...` suffix shared by column definitions.
pub(crate) fn null_and_default(d: &dyn SqlDialect, c: &Column) -> String {
    let mut s = String::new();
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(def) = &c.default {
        s.push_str(" DEFAULT ");
        s.push_str(&d.default_sql(def));
    }
    s
}

/// Looks up the name a constraint has in the tracked state when the change does not carry one
/// (introspected schemas usually do).
pub(crate) fn state_name<T>(
    items: &[T],
    wanted: Option<&String>,
    same: impl Fn(&T) -> bool,
    name_of: impl Fn(&T) -> Option<&String>,
) -> Option<String> {
    wanted.cloned().or_else(|| {
        items
            .iter()
            .find(|x| same(x))
            .and_then(|x| name_of(x).cloned())
    })
}

/// The canonicalisation steps common to every dialect: primary-key columns are NOT NULL (SQLite
/// would allow NULL in a non-integer key, but autogen always declares NOT NULL there), and
/// `DEFAULT NULL` is no default (MariaDB reports every nullable column without a default that
/// way, so the introspector folds the two together), and a boolean's `DEFAULT 0` / `1` is
/// FALSE / TRUE.
pub(crate) fn canonicalize_common(schema: &mut Schema) {
    for t in &mut schema.tables {
        let pk_cols: Vec<String> = t
            .primary_key
            .as_ref()
            .map(|pk| pk.columns.clone())
            .unwrap_or_default();
        for c in &mut t.columns {
            if pk_cols.contains(&c.name) {
                c.nullable = false;
            }
            c.default = match c.default.take() {
                Some(DefaultValue::Null) | None => None,
                // A boolean's `DEFAULT 1` is its TRUE, as the introspectors report it.
                Some(DefaultValue::Number(n))
                    if c.ty == ColumnType::Boolean && (n == "0" || n == "1") =>
                {
                    Some(DefaultValue::Boolean(n == "1"))
                }
                other => other,
            };
        }
    }
}

/// Whether `column` is the single-column primary key of `table`.
pub(crate) fn is_sole_pk(table: &Table, column: &str) -> bool {
    table
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.len() == 1 && pk.columns[0] == column)
}
