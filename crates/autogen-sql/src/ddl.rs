//! Clause writers shared by the dialects: column lists, constraint clauses, index key parts,
//! column defaults and the canonicalisation steps every dialect performs. They only ask the
//! [`SqlDialect`] how to quote and spell, so the clauses read the same on every database.
//!
//! These are written by hand rather than with sea-query: sea-query 0.32 writes index and
//! foreign-key names between quotes without escaping them (see its
//! `backend/*/index.rs`), cannot name a CHECK constraint, and we want the exact text a reviewer
//! reads in a revision file to be ours.

use autogen_schema::{
    Check, Column, ColumnType, DefaultValue, Dialect, ForeignKey, Index, PrimaryKey,
    ReferentialAction, Schema, Table, UniqueConstraint,
};

use autogen_diff::{apply, Change};

use crate::dialect::SqlDialect;
use crate::{RenderError, Statement};

/// Renders each change on its own against the tracked state (the state before the change), then
/// advances the state; PostgreSQL and MySQL render this way (SQLite groups changes for rebuilds).
/// The one exception is a comment-only index change, which the differ writes as a
/// [`Change::DropIndex`] and a later [`Change::AddIndex`] of the same index with another comment
/// (one rule for every property keeps the downgrade the exact inverse): that pair is rendered
/// by `comment_only` at the drop's place, and the add is skipped. The dialect can then change the
/// comment without rebuilding the index. Both changes are applied to `state` there: between them
/// the index exists either way, with the same key.
pub(crate) fn render_each_index_comment(
    state: &mut Schema,
    changes: &[Change],
    quote: char,
    mut render_one: impl FnMut(&Schema, &Change, &mut Vec<Statement>) -> Result<(), RenderError>,
    mut comment_only: impl FnMut(
        &Schema,
        &str,
        &Index,
        &Index,
        &mut Vec<Statement>,
    ) -> Result<(), RenderError>,
) -> Result<Vec<Statement>, RenderError> {
    let mut out = Vec::new();
    let mut skip = vec![false; changes.len()];
    for (i, change) in changes.iter().enumerate() {
        if skip[i] {
            continue;
        }
        if let Change::DropIndex { table, index: from } = change {
            let paired = changes
                .iter()
                .enumerate()
                .skip(i + 1)
                .find_map(|(j, c)| match c {
                    Change::AddIndex {
                        table: t,
                        index: to,
                    } if t == table && to.name == from.name => Some((j, to)),
                    _ => None,
                });
            if let Some((j, to)) = paired {
                let without_comment = |ix: &Index| Index {
                    comment: None,
                    ..ix.clone()
                };
                if !skip[j]
                    && from.comment != to.comment
                    && without_comment(from) == without_comment(to)
                {
                    comment_only(state, table, from, to, &mut out)?;
                    apply(state, change, quote)?;
                    apply(state, &changes[j], quote)?;
                    skip[j] = true;
                    continue;
                }
            }
        }
        render_one(state, change, &mut out)?;
        apply(state, change, quote)?;
    }
    Ok(out)
}

/// `ALTER TABLE "t" `: the prefix of most statements.
pub(crate) fn alter_table(d: &dyn SqlDialect, table: &str) -> String {
    format!("ALTER TABLE {} ", d.quote_table(table))
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

/// `CONSTRAINT "uq" UNIQUE ("a")`, then ` DEFERRABLE [INITIALLY DEFERRED]` when it is (only
/// PostgreSQL has deferrable unique constraints; MySQL refuses them before this is called).
pub(crate) fn unique_clause(d: &dyn SqlDialect, u: &UniqueConstraint) -> String {
    format!(
        "{}UNIQUE ({}){}",
        constraint_name(d, u.name.as_ref()),
        column_list(d, &u.columns),
        u.deferrable.clause()
    )
}

/// `CONSTRAINT "fk" FOREIGN KEY ("a") REFERENCES "t" ("id") ON DELETE CASCADE DEFERRABLE`; `NO
/// ACTION` and `NOT DEFERRABLE` (every dialect's defaults) are omitted.
pub(crate) fn foreign_key_clause(d: &dyn SqlDialect, fk: &ForeignKey) -> String {
    let mut s = format!(
        "{}FOREIGN KEY ({}) REFERENCES {} ({})",
        constraint_name(d, fk.name.as_ref()),
        column_list(d, &fk.columns),
        d.quote_table(&fk.referenced_table),
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
    // Written last, where PostgreSQL and SQLite both take it.
    s.push_str(fk.deferrable.clause());
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
/// an expression (or anything that is not a column) is wrapped in parentheses (which every dialect
/// requires or accepts for expression key parts). Then, each only when set: the prefix length
/// `(20)`, `COLLATE "x"`, the operator class, `DESC`, `NULLS FIRST|LAST`. Which of these a
/// dialect has is checked by [`refuse_index_properties`] before this is called.
pub(crate) fn index_key_parts(d: &dyn SqlDialect, table: &Table, index: &Index) -> String {
    index
        .columns
        .iter()
        .map(|c| {
            let mut part = if !c.expression && table.column(&c.name).is_some() {
                d.quote(&c.name)
            } else {
                format!("({})", c.name)
            };
            if let Some(n) = c.prefix_length {
                part.push_str(&format!("({n})"));
            }
            if let Some(co) = &c.collation {
                part.push_str(" COLLATE ");
                part.push_str(&d.quote(co));
            }
            if let Some(o) = &c.opclass {
                // `schema.name` is two words, each written bare or quoted.
                let words: Vec<String> = o.split('.').map(|w| bare_word(d, w)).collect();
                part.push(' ');
                part.push_str(&words.join("."));
            }
            if c.descending {
                part.push_str(" DESC");
            }
            match c.nulls_first {
                Some(true) => part.push_str(" NULLS FIRST"),
                Some(false) => part.push_str(" NULLS LAST"),
                None => {}
            }
            part
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The index properties a dialect has, for [`refuse_index_properties`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IndexSupport {
    pub prefix_length: bool,
    pub opclass: bool,
    pub include: bool,
    pub nulls_not_distinct: bool,
    pub nulls_order: bool,
    pub collation: bool,
}

/// Refuses an index that uses a property `database` does not have, naming it, rather than
/// leaving it out (which would build a different index than the models declare) or letting the
/// server fail halfway through an upgrade.
pub(crate) fn refuse_index_properties(
    change: &Change,
    index: &Index,
    database: &str,
    support: IndexSupport,
) -> Result<(), RenderError> {
    let refuse = |what: &str, fix: &str| {
        Err(RenderError::unsupported(
            change.describe(),
            format!(
                "{database} has no {what} (index {}); {fix} for this database",
                index.name
            ),
        ))
    };
    for c in &index.columns {
        if c.prefix_length.is_some() && !support.prefix_length {
            return refuse(
                "key prefix lengths",
                &format!("index the whole column: write `{}` without `(n)`", c.name),
            );
        }
        if c.opclass.is_some() && !support.opclass {
            return refuse("operator classes", "remove the key part's operator class");
        }
        if c.nulls_first.is_some() && !support.nulls_order {
            return refuse(
                "NULLS FIRST / NULLS LAST in indexes",
                "remove the NULLS order",
            );
        }
        if c.collation.is_some() && !support.collation {
            return refuse("per-key-part collations", "remove the key part's COLLATE");
        }
    }
    if !index.include.is_empty() && !support.include {
        return refuse("INCLUDE columns", "remove `include(...)`");
    }
    if index.nulls_not_distinct && !support.nulls_not_distinct {
        return refuse("NULLS NOT DISTINCT", "remove `nulls_not_distinct`");
    }
    Ok(())
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

/// ` COLLATE "name"` when the column has its own collation: written right after the type, where
/// every dialect accepts it. The name is quoted as an identifier (each server accepts a quoted
/// collation name), so a model's name cannot break out of the statement.
pub(crate) fn collate_clause(d: &dyn SqlDialect, c: &Column) -> String {
    match &c.collation {
        Some(name) => format!(" COLLATE {}", d.quote(name)),
        None => String::new(),
    }
}

/// ` GENERATED ALWAYS AS (expr) STORED` / `VIRTUAL` for a generated column. The expression is the
/// model's SQL, checked for breakouts when the models were read, written inside parentheses.
pub(crate) fn generated_clause(c: &Column) -> String {
    match &c.generated {
        Some(g) => format!(
            " GENERATED ALWAYS AS ({}) {}",
            g.expression,
            if g.stored { "STORED" } else { "VIRTUAL" }
        ),
        None => String::new(),
    }
}

/// Whether two columns are generated the same way: both plain, or both generated with the same
/// storage and expressions that compare equal (the server reprints what it stores, as for CHECK).
pub(crate) fn same_generated(dialect: Dialect, a: &Column, b: &Column) -> bool {
    match (&a.generated, &b.generated) {
        (None, None) => true,
        (Some(x), Some(y)) => {
            x.stored == y.stored
                && autogen_normalize::same_expression(dialect, &x.expression, &y.expression)
        }
        _ => false,
    }
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
