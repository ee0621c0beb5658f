//! Comparing one table present on both sides (after renames): columns, primary key, indexes,
//! unique constraints, foreign keys, checks and the comment.
//!
//! The matching rules are the ones every autogen crate agrees on: columns and indexes by name,
//! the primary key, unique constraints and foreign keys by content (a name-only difference is not
//! a change, because servers name these themselves), checks by name when both sides have one and
//! otherwise by expression. Column order is not compared. Changes are pushed unordered; this
//! file deliberately knows nothing about ordering.

use foldhash::HashMap;
use std::borrow::Cow;
use std::hash::Hash;

use autogen_normalize::{expression_key, same_default, same_expression};
use autogen_schema::{
    Check, Column, Deferrable, Dialect, ForeignKey, Index, ReferentialAction, Table,
    UniqueConstraint,
};

use crate::dependencies::Moving;
use crate::Change;

/// Pushes the changes that turn `old` into `new` (both already carry the same name).
///
/// A foreign key that relies on something in `moving` (see [`crate::dependencies`]) is dropped
/// and re-added even though its content is equal. Expressions (checks, predicates, defaults,
/// generated columns) are compared by `dialect`'s keys (see [`autogen_normalize`]).
pub(crate) fn diff_table(
    old: &Table,
    new: &Table,
    moving: &Moving,
    dialect: Option<Dialect>,
    out: &mut Vec<Change>,
) {
    let table = &new.name;
    diff_columns(table, &old.columns, &new.columns, dialect, out);

    let pk_columns = |t: &Table| {
        t.primary_key
            .as_ref()
            .map(|pk| pk.columns.clone())
            .filter(|c| !c.is_empty())
    };
    if pk_columns(old) != pk_columns(new) {
        out.push(Change::AlterPrimaryKey {
            table: table.clone(),
            from: old.primary_key.clone(),
            to: new.primary_key.clone(),
        });
    }

    diff_indexes(table, &old.indexes, &new.indexes, dialect, out);

    // Deferrability is part of a unique constraint's identity: no dialect alters it in place
    // (PostgreSQL's ALTER CONSTRAINT takes foreign keys only), so a change is a drop and add.
    let (dropped, added) = unmatched(
        old.unique_constraints.iter().collect(),
        new.unique_constraints.iter().collect(),
        unique_key,
        |u| u.name.as_deref(),
    );
    out.extend(dropped.into_iter().map(|u| Change::DropUnique {
        table: table.clone(),
        unique: u.clone(),
    }));
    out.extend(added.into_iter().map(|u| Change::AddUnique {
        table: table.clone(),
        unique: u.clone(),
    }));

    let (old_rebuilt, old_fks): (Vec<&ForeignKey>, Vec<&ForeignKey>) = old
        .foreign_keys
        .iter()
        .partition(|fk| moving.affects(table, fk));
    let (new_rebuilt, new_fks): (Vec<&ForeignKey>, Vec<&ForeignKey>) = new
        .foreign_keys
        .iter()
        .partition(|fk| moving.affects(table, fk));
    let (mut dropped, mut added) =
        unmatched(old_fks, new_fks, foreign_key_key, |fk| fk.name.as_deref());
    // A key that differs only in deferrability is altered, not dropped and re-added, so that
    // PostgreSQL keeps it (and its name) and validates nothing again.
    let mut i = 0;
    while i < dropped.len() {
        match added
            .iter()
            .position(|n| foreign_key_content(n) == foreign_key_content(dropped[i]))
        {
            Some(j) => {
                let to = added.remove(j);
                let from = dropped.remove(i);
                out.push(Change::AlterForeignKey {
                    table: table.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
            None => i += 1,
        }
    }
    dropped.extend(old_rebuilt);
    added.extend(new_rebuilt);
    out.extend(dropped.into_iter().map(|fk| Change::DropForeignKey {
        table: table.clone(),
        foreign_key: fk.clone(),
    }));
    out.extend(added.into_iter().map(|fk| Change::AddForeignKey {
        table: table.clone(),
        foreign_key: fk.clone(),
    }));

    diff_checks(table, &old.checks, &new.checks, dialect, out);

    if old.comment != new.comment {
        out.push(Change::AlterTableComment {
            table: table.clone(),
            from: old.comment.clone(),
            to: new.comment.clone(),
        });
    }

    let options = desired_options(&old.options, &new.options);
    if options != old.options {
        out.push(Change::AlterTableOptions {
            table: table.clone(),
            from: old.options.clone(),
            to: options,
        });
    }
}

/// What pairs a unique constraint with one on the other side: its columns and its
/// deferrability (which no dialect alters in place). The name is not part of it.
pub(crate) fn unique_key(u: &UniqueConstraint) -> (&[String], Deferrable) {
    (&u.columns, u.deferrable)
}

/// What a foreign key constrains and how it acts: its columns, the table and columns it refers
/// to, and its actions.
pub(crate) type ForeignKeyContent<'a> = (
    &'a [String],
    &'a str,
    &'a [String],
    ReferentialAction,
    ReferentialAction,
);

/// A foreign key's [`ForeignKeyContent`]. Two keys equal in it and different in deferrability
/// are the same key altered ([`Change::AlterForeignKey`]); any other difference is a drop and an
/// add.
pub(crate) fn foreign_key_content(fk: &ForeignKey) -> ForeignKeyContent<'_> {
    (
        &fk.columns,
        &fk.referenced_table,
        &fk.referenced_columns,
        fk.on_delete,
        fk.on_update,
    )
}

/// What pairs a foreign key with an unchanged one on the other side: its content and its
/// deferrability. The name is not part of it (servers name keys themselves).
pub(crate) fn foreign_key_key(fk: &ForeignKey) -> (ForeignKeyContent<'_>, Deferrable) {
    (foreign_key_content(fk), fk.deferrable)
}

/// The options `old` must end up with: `new`'s, except that a MySQL option `new` does not
/// declare (`None`) keeps `old`'s value. Models rarely name an engine or a character set, and a
/// database always has one (the server's default), so an undeclared option is not compared. The
/// SQLite flags have no server default to inherit and are compared as they are.
fn desired_options(
    old: &autogen_schema::TableOptions,
    new: &autogen_schema::TableOptions,
) -> autogen_schema::TableOptions {
    let keep = |n: &Option<String>, o: &Option<String>| n.clone().or_else(|| o.clone());
    // A new character set without a collation takes that character set's default collation
    // (the server picks it), not the old collation of another character set.
    let charset_moves = new.charset.is_some() && new.charset != old.charset;
    let collation = if charset_moves && new.collation.is_none() {
        None
    } else {
        keep(&new.collation, &old.collation)
    };
    autogen_schema::TableOptions {
        strict: new.strict,
        without_rowid: new.without_rowid,
        engine: keep(&new.engine, &old.engine),
        row_format: keep(&new.row_format, &old.row_format),
        // A key block size belongs to the row format it was declared with (InnoDB takes one
        // only with COMPRESSED): an undeclared one is kept only while the row format stays.
        key_block_size: new.key_block_size.or_else(|| {
            old.key_block_size
                .filter(|_| new.row_format.is_none() || new.row_format == old.row_format)
        }),
        charset: keep(&new.charset, &old.charset),
        collation,
    }
}

fn diff_columns(
    table: &str,
    old: &[Column],
    new: &[Column],
    dialect: Option<Dialect>,
    out: &mut Vec<Change>,
) {
    let old_by_name: HashMap<&str, &Column> = old.iter().map(|c| (c.name.as_str(), c)).collect();
    let new_by_name: HashMap<&str, &Column> = new.iter().map(|c| (c.name.as_str(), c)).collect();
    for c in old {
        if !new_by_name.contains_key(c.name.as_str()) {
            out.push(Change::DropColumn {
                table: table.to_string(),
                column: c.clone(),
            });
        }
    }
    for c in new {
        match old_by_name.get(c.name.as_str()) {
            // Name equal, so any inequality is in type, nullability, default, auto-increment
            // or comment: one AlterColumn carries all of it.
            Some(o) => {
                let c = with_form_of(o, c);
                if !same_column(o, &c, dialect) {
                    out.push(Change::AlterColumn {
                        table: table.to_string(),
                        from: (*o).clone(),
                        to: c.into_owned(),
                    });
                }
            }
            None => out.push(Change::AddColumn {
                table: table.to_string(),
                column: c.clone(),
            }),
        }
    }
}

/// The one place where the auto-increment form is compared: a new column that says only
/// `auto_increment` (no declared form, `identity` `None`) takes the old column's form, so any
/// form on the database matches it (a database adopted with `serial` columns does not drift), and
/// an ALTER made for another reason (type, nullability, comment) carries the form unchanged
/// rather than converting it. A declared form is compared like any other field.
fn with_form_of<'a>(old: &Column, new: &'a Column) -> Cow<'a, Column> {
    if new.auto_increment && new.identity.is_none() && old.auto_increment && old.identity.is_some()
    {
        Cow::Owned(Column {
            identity: old.identity.clone(),
            ..new.clone()
        })
    } else {
        Cow::Borrowed(new)
    }
}

/// Columns of the same name are the same when they are equal in everything but the spelling of
/// their expression default and generated expression, which compare by key (servers reprint
/// them: `'x'::character varying`, `(now() + '1 day'::interval)`). Equal columns, the common
/// case, are decided without parsing anything.
fn same_column(a: &Column, b: &Column, dialect: Option<Dialect>) -> bool {
    if a == b {
        return true;
    }
    if !same_default(dialect, a.default.as_ref(), b.default.as_ref()) {
        return false;
    }
    match (&a.generated, &b.generated) {
        (Some(ga), Some(gb))
            if ga.stored != gb.stored
                || !same_expression(dialect, &ga.expression, &gb.expression) =>
        {
            return false
        }
        (Some(_), None) | (None, Some(_)) => return false,
        _ => {}
    }
    // Everything else compared as it is: the expressions were just found the same.
    let rest = |c: &Column| Column {
        default: None,
        generated: None,
        ..c.clone()
    };
    rest(a) == rest(b)
}

/// Indexes of the same name are the same when their key parts (with their prefix lengths,
/// operator classes, NULLs order and collations), uniqueness, method, INCLUDE columns, NULLS NOT
/// DISTINCT and comment match and their predicates have the same key (servers reprint WHERE
/// clauses). A comment-only change recreates the index too: MySQL has no other way, and one rule
/// keeps the downgrade the exact inverse.
pub(crate) fn same_index(a: &Index, b: &Index, dialect: Option<Dialect>) -> bool {
    a.columns.len() == b.columns.len()
        && a.columns.iter().zip(&b.columns).all(|(x, y)| {
            // Expression key parts are reprinted by servers like predicates are.
            let same_key = if x.expression && y.expression {
                same_expression(dialect, &x.name, &y.name)
            } else {
                x.name == y.name && x.expression == y.expression
            };
            same_key
                && x.descending == y.descending
                && x.prefix_length == y.prefix_length
                && x.opclass == y.opclass
                && x.nulls_first == y.nulls_first
                && x.collation == y.collation
        })
        && a.unique == b.unique
        && a.method == b.method
        && a.include == b.include
        && a.nulls_not_distinct == b.nulls_not_distinct
        && a.comment == b.comment
        && match (&a.predicate, &b.predicate) {
            (Some(pa), Some(pb)) => same_expression(dialect, pa, pb),
            (None, None) => true,
            _ => false,
        }
}

fn diff_indexes(
    table: &str,
    old: &[Index],
    new: &[Index],
    dialect: Option<Dialect>,
    out: &mut Vec<Change>,
) {
    let new_by_name: HashMap<&str, &Index> = new.iter().map(|i| (i.name.as_str(), i)).collect();
    let old_by_name: HashMap<&str, &Index> = old.iter().map(|i| (i.name.as_str(), i)).collect();
    for ix in old {
        // Same name, different content: there is no portable ALTER INDEX, so drop and recreate.
        if !new_by_name
            .get(ix.name.as_str())
            .is_some_and(|n| same_index(ix, n, dialect))
        {
            out.push(Change::DropIndex {
                table: table.to_string(),
                index: ix.clone(),
            });
        }
    }
    for ix in new {
        if !old_by_name
            .get(ix.name.as_str())
            .is_some_and(|o| same_index(o, ix, dialect))
        {
            out.push(Change::AddIndex {
                table: table.to_string(),
                index: ix.clone(),
            });
        }
    }
}

/// Checks: pairs named on both sides match by name; whatever is left matches by expression,
/// whatever the names (an introspector may not recover a name, and a server names an unnamed
/// CHECK itself, e.g. PostgreSQL's `t_age_check` against the convention's `ck_t_1`: a name-only
/// difference is not a change). Expressions are compared by the dialect's [`expression_key`],
/// which folds the way its server reprints them.
fn diff_checks(
    table: &str,
    old: &[Check],
    new: &[Check],
    dialect: Option<Dialect>,
    out: &mut Vec<Change>,
) {
    let mut old_used = vec![false; old.len()];
    let mut new_used = vec![false; new.len()];
    let old_named: HashMap<&str, usize> = old
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.name.as_deref().map(|n| (n, i)))
        .collect();
    for (j, c) in new.iter().enumerate() {
        let Some(i) = c.name.as_deref().and_then(|n| old_named.get(n)).copied() else {
            continue;
        };
        if old_used[i] {
            continue;
        }
        old_used[i] = true;
        new_used[j] = true;
        if !same_expression(dialect, &old[i].expression, &c.expression) {
            out.push(Change::DropCheck {
                table: table.to_string(),
                check: old[i].clone(),
            });
            out.push(Change::AddCheck {
                table: table.to_string(),
                check: c.clone(),
            });
        }
    }
    let mut new_by_expr: HashMap<String, Vec<usize>> = HashMap::default();
    for (j, c) in new.iter().enumerate() {
        if !new_used[j] {
            new_by_expr
                .entry(expression_key(dialect, &c.expression))
                .or_default()
                .push(j);
        }
    }
    for (i, c) in old.iter().enumerate() {
        if old_used[i] {
            continue;
        }
        let candidates = new_by_expr.get(&expression_key(dialect, &c.expression));
        let found = candidates.and_then(|js| js.iter().copied().find(|&j| !new_used[j]));
        match found {
            Some(j) => new_used[j] = true,
            None => out.push(Change::DropCheck {
                table: table.to_string(),
                check: c.clone(),
            }),
        }
    }
    for (j, c) in new.iter().enumerate() {
        if !new_used[j] {
            out.push(Change::AddCheck {
                table: table.to_string(),
                check: c.clone(),
            });
        }
    }
}

/// Multiset difference by a content key: the old items no new item matches, and the new items no
/// old item matches, each in declaration order. Items equal in content and name pair up first:
/// when one side holds two items of the same content (MySQL keeps two unique keys over the same
/// columns), the one whose name matches is the one kept and the other is the change, rather than
/// whichever comes first. Linear in the number of items, plus a scan per named item among the
/// (few) items of one table.
fn unmatched<'a, T, K: Hash + Eq>(
    old: Vec<&'a T>,
    new: Vec<&'a T>,
    key: impl Fn(&'a T) -> K,
    name: impl Fn(&'a T) -> Option<&'a str>,
) -> (Vec<&'a T>, Vec<&'a T>) {
    let mut old_left: Vec<Option<&'a T>> = old.into_iter().map(Some).collect();
    let mut new_rest = Vec::with_capacity(new.len());
    for n in new {
        let same = name(n).and_then(|wanted| {
            old_left
                .iter()
                .position(|o| o.is_some_and(|o| name(o) == Some(wanted) && key(o) == key(n)))
        });
        match same {
            Some(i) => old_left[i] = None,
            None => new_rest.push(n),
        }
    }
    let old_rest: Vec<&'a T> = old_left.into_iter().flatten().collect();
    let missing_from = |items: &[&'a T], others: &[&'a T]| {
        let mut counts: HashMap<K, usize> = HashMap::default();
        for x in others {
            *counts.entry(key(x)).or_default() += 1;
        }
        items
            .iter()
            .copied()
            .filter(|x| match counts.get_mut(&key(x)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect::<Vec<_>>()
    };
    (
        missing_from(&old_rest, &new_rest),
        missing_from(&new_rest, &old_rest),
    )
}
