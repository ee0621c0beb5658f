//! The ordering pass: a pure, deterministic function from an unordered set of changes to the
//! order they must run in. It also splits foreign keys out of `CreateTable` / `DropTable` where a
//! cycle (or a self reference) leaves no valid order with them inline. It deliberately decides
//! nothing about *what* changes; that is the differ's job.
//!
//! # Phases
//!
//! Every change falls in one phase; phases run in this order:
//!
//! | # | phase | why here |
//! |---|---|---|
//! | 0 | `RenameTable` | renames never collide (the differ rejects hints whose target exists), so they go first and everything after speaks the new names |
//! | 1 | `RenameColumn`, then `RenameIndex`, `RenameConstraint` | same, inside tables already renamed; a followed name never collides (it is in neither the old table nor dropped later) |
//! | 2 | `CreateEnum` | before any column or table uses the type |
//! | 3 | `AlterEnum` | before columns are created or altered to use the new values |
//! | 4 | `DropForeignKey` | before the index, unique, primary key, column or table it relies on goes away or changes type (the differ also drops and re-adds unchanged foreign keys whose columns or referenced key move, see `dependencies.rs`) |
//! | 5 | `DropIndex`, `DropUnique`, `DropCheck` | before the columns they cover are dropped or altered |
//! | 6 | `DropTable` | children before parents (reverse creation order); cycle-closing and self-referencing foreign keys were split out into phase 4 |
//! | 7 | `AddColumn` | before the primary key, indexes and constraints that use it |
//! | 8 | `AlterColumn`, `AlterTableComment`, `AlterTableOptions`, `AlterForeignKey` (deferrability only) | after columns exist, before a primary key needs `NOT NULL` |
//! | 9 | `AlterPrimaryKey` | new columns exist; old ones are not dropped yet |
//! | 10 | `DropColumn` | nothing still relies on it (phases 4, 5, 9 are done) |
//! | 11 | `AddIndex`, `AddUnique`, `AddCheck` | on final columns; before new tables whose foreign keys need a unique target |
//! | 12 | `CreateTable` | parents before children (topological over foreign keys among new tables) |
//! | 13 | `AddForeignKey` | every target table, column and key exists; includes the foreign keys split out of cycles in phase 12 |
//! | 14 | `DropEnum` | after no column uses the type any more |
//!
//! View, trigger and function changes (`CreateObject`, `DropObject`, `ReplaceObject`) are not
//! in this table: `objects.rs` puts every object drop before phase 0 and every create or replace
//! after phase 14, so an object never sees a table between the two schemas. The CHECKs, defaults
//! and column types taken off around a dropped function or domain (`object_users.rs`) run
//! among the object changes, outside this table too.
//!
//! Within a phase, ties are broken by table name, then object kind, then object name (column,
//! index name, constraint content). Table creation uses its topological position instead of the
//! name (ties in the topological sort broken by name); table drops use the reverse of the order
//! the dropped tables would be created in.
//!
//! # Downgrades
//!
//! The downgrade is `changes.iter().rev().map(Change::inverse)`. Reversing the phase table and
//! inverting each phase gives again a valid order: foreign keys are dropped first (13), then
//! tables children first (12), then indexes (11), columns re-added (10) before the old primary
//! key returns (9), columns altered back (8), added columns dropped (7), dropped tables recreated
//! parents first (6), indexes and constraints restored (5), foreign keys last (4), and enums
//! created before and dropped after their users. So the forward order is all that is kept here.
//!
//! # Cycles
//!
//! New tables are created in Kahn order over "references" edges among the new tables, taking the
//! smallest ready name first. When nothing is ready every remaining table waits on another, so a
//! walk along unmet references must close a cycle; the smallest name on that cycle is created
//! first, and its foreign keys to tables not yet created become `AddForeignKey` in phase 13.
//! A self-referencing foreign key is always split out the same way.

use std::collections::BTreeSet;

use foldhash::HashMap;

use autogen_schema::{ForeignKey, Table};

use crate::Change;

/// Puts `changes` in the order they must run in (see the module documentation).
pub fn order(changes: Vec<Change>) -> Vec<Change> {
    let mut creates = Vec::new();
    let mut drops = Vec::new();
    let mut keyed: Vec<(Key, Change)> = Vec::with_capacity(changes.len());
    for c in changes {
        match c {
            Change::CreateTable(t) => creates.push(t),
            Change::DropTable(t) => drops.push(t),
            other => keyed.push((key(&other, 0), other)),
        }
    }

    let (created, deferred) = creation_order(creates);
    for (seq, t) in created.into_iter().enumerate() {
        let c = Change::CreateTable(t);
        keyed.push((key(&c, seq), c));
    }
    for (table, foreign_key) in deferred {
        let c = Change::AddForeignKey { table, foreign_key };
        keyed.push((key(&c, 0), c));
    }

    let (dropped, deferred) = creation_order(drops);
    let n = dropped.len();
    for (seq, t) in dropped.into_iter().enumerate() {
        let c = Change::DropTable(t);
        keyed.push((key(&c, n - seq), c));
    }
    for (table, foreign_key) in deferred {
        let c = Change::DropForeignKey { table, foreign_key };
        keyed.push((key(&c, 0), c));
    }

    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, c)| c).collect()
}

/// `(phase, position within a topological phase, table, object kind, object)`.
type Key = (u8, usize, String, u8, String);

fn key(change: &Change, seq: usize) -> Key {
    use Change::*;
    let (phase, kind, object) = match change {
        RenameTable { from, .. } => (0, 0, from.clone()),
        RenameColumn { from, .. } => (1, 0, from.clone()),
        RenameIndex { from, .. } => (1, 1, from.name.clone()),
        RenameConstraint { kind, from, .. } => (1, 2, format!("{kind:?}\0{from}")),
        CreateEnum(e) => (2, 0, e.name.clone()),
        AlterEnum { to, .. } => (3, 0, to.name.clone()),
        DropForeignKey { foreign_key, .. } => (4, 0, fk_key(foreign_key)),
        DropIndex { index, .. } => (5, 0, index.name.clone()),
        DropUnique { unique, .. } => (5, 1, unique.columns.join(",")),
        DropCheck { check, .. } => (5, 2, check_key(check)),
        DropTable(_) => (6, 0, String::new()),
        // A generated column reads other columns of its table: added after them, dropped
        // before them (so the downgrade, run in reverse, adds them back first).
        AddColumn { column, .. } => (7, u8::from(column.generated.is_some()), column.name.clone()),
        AlterColumn { to, .. } => (8, 0, to.name.clone()),
        AlterTableComment { .. } => (8, 1, String::new()),
        AlterTableOptions { .. } => (8, 2, String::new()),
        AlterForeignKey { to, .. } => (8, 3, fk_key(to)),
        AlterPrimaryKey { .. } => (9, 0, String::new()),
        DropColumn { column, .. } => (
            10,
            u8::from(column.generated.is_none()),
            column.name.clone(),
        ),
        AddIndex { index, .. } => (11, 0, index.name.clone()),
        AddUnique { unique, .. } => (11, 1, unique.columns.join(",")),
        AddCheck { check, .. } => (11, 2, check_key(check)),
        CreateTable(_) => (12, 0, String::new()),
        AddForeignKey { foreign_key, .. } => (13, 0, fk_key(foreign_key)),
        DropEnum(e) => (14, 0, e.name.clone()),
        // Never here (see `objects.rs`); last, should a caller pass them anyway.
        CreateObject(o) | DropObject(o) | ReplaceObject { to: o, .. } => (15, 0, o.name.clone()),
    };
    let table = match change {
        RenameTable { from, .. } => from.clone(),
        other => other.table().unwrap_or_default().to_string(),
    };
    (phase, seq, table, kind, object)
}

fn fk_key(fk: &ForeignKey) -> String {
    format!(
        "{}\0{}\0{}\0{}\0{}",
        fk.columns.join(","),
        fk.referenced_table,
        fk.referenced_columns.join(","),
        fk.on_delete.sql(),
        fk.on_update.sql()
    )
}

fn check_key(check: &autogen_schema::Check) -> String {
    format!(
        "{}\0{}",
        check.name.as_deref().unwrap_or_default(),
        check.expression
    )
}

/// The order `tables` can be created in, each stripped of the foreign keys that must wait until
/// all of them exist; those are returned beside, as `(table, foreign key)` in creation order.
fn creation_order(mut tables: Vec<Table>) -> (Vec<Table>, Vec<(String, ForeignKey)>) {
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    let n = tables.len();
    // Owned names: the tables themselves are moved out below.
    let position: HashMap<String, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    // parents[i]: the other new tables table i references; children[j]: the reverse.
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, t) in tables.iter().enumerate() {
        let mut ps: Vec<usize> = t
            .foreign_keys
            .iter()
            .filter_map(|fk| position.get(fk.referenced_table.as_str()).copied())
            .filter(|&p| p != i)
            .collect();
        ps.sort_unstable();
        ps.dedup();
        for &p in &ps {
            children[p].push(i);
        }
        parents[i] = ps;
    }
    let mut waiting: Vec<usize> = parents.iter().map(Vec::len).collect();
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut created = vec![false; n];
    let mut sequence = Vec::with_capacity(n);
    let mut next_unemitted = 0;
    while sequence.len() < n {
        let next = match ready.pop_first() {
            Some(i) => i,
            None => {
                while created[next_unemitted] {
                    next_unemitted += 1;
                }
                break_cycle(next_unemitted, &parents, &created)
            }
        };
        if created[next] {
            continue;
        }
        created[next] = true;
        sequence.push(next);
        for &c in &children[next] {
            waiting[c] -= 1;
            if waiting[c] == 0 && !created[c] {
                ready.insert(c);
            }
        }
    }

    // `created` now doubles as "already created at this point of the sequence".
    let mut created = vec![false; n];
    let mut slots: Vec<Option<Table>> = tables.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(n);
    let mut deferred = Vec::new();
    for i in sequence {
        created[i] = true;
        let Some(mut t) = slots[i].take() else {
            continue;
        };
        let (inline, later): (Vec<ForeignKey>, Vec<ForeignKey>) = t
            .foreign_keys
            .drain(..)
            .partition(|fk| match position.get(fk.referenced_table.as_str()) {
                Some(&p) => p != i && created[p],
                None => true,
            });
        t.foreign_keys = inline;
        deferred.extend(later.into_iter().map(|fk| (t.name.clone(), fk)));
        out.push(t);
    }
    (out, deferred)
}

/// Every table not yet created waits on another, so following the smallest unmet reference from
/// `start` must come back to a table already seen: the smallest table on that cycle goes first.
fn break_cycle(start: usize, parents: &[Vec<usize>], created: &[bool]) -> usize {
    let mut seen_at: HashMap<usize, usize> = HashMap::default();
    let mut path = Vec::new();
    let mut at = start;
    loop {
        if let Some(&i) = seen_at.get(&at) {
            return path[i..].iter().copied().min().unwrap_or(at);
        }
        seen_at.insert(at, path.len());
        path.push(at);
        match parents[at].iter().copied().find(|&p| !created[p]) {
            Some(p) => at = p,
            // Cannot happen while nothing is ready, but `start` itself is a safe answer.
            None => return start,
        }
    }
}
