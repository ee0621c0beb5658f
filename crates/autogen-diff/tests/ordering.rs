//! Properties of the ordering pass that the round trips do not pin by themselves: determinism
//! under shuffled input, scale, and that the validity checker used everywhere can fail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use autogen_diff::{diff, order, Change, DiffOptions};
use autogen_schema::{ColumnType, Schema, Table};
use common::*;

/// A small deterministic shuffle (no rand dependency needed for a permutation).
fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (*seed >> 33) as usize % (i + 1);
        items.swap(i, j);
    }
}

fn shuffled(s: &Schema, seed: &mut u64) -> Schema {
    let mut s = s.clone();
    shuffle(&mut s.tables, seed);
    shuffle(&mut s.enums, seed);
    for t in &mut s.tables {
        shuffle(&mut t.columns, seed);
        shuffle(&mut t.indexes, seed);
        shuffle(&mut t.unique_constraints, seed);
        shuffle(&mut t.foreign_keys, seed);
        shuffle(&mut t.checks, seed);
    }
    s
}

fn busy_pair() -> (Schema, Schema) {
    let from = schema(
        vec![
            table("orgs", vec![text("name"), text("slug")]).unique(&["name"]),
            table(
                "users",
                vec![int("org_id"), text("email"), text("bio").null()],
            )
            .fk(&["org_id"], "orgs", &["id"])
            .index("ix_users_email", &["email"])
            .index("ix_users_bio", &["bio"])
            .check(None, "email <> ''"),
            table("old_a", vec![int("old_b_id").null()]).fk(&["old_b_id"], "old_b", &["id"]),
            table("old_b", vec![int("old_a_id").null()]).fk(&["old_a_id"], "old_a", &["id"]),
        ],
        vec![enum_type("gone", &["x"]), enum_type("kept", &["a", "b"])],
    );
    let to = schema(
        vec![
            table("orgs", vec![text("name"), varchar("slug", 20)]).unique(&["slug"]),
            table(
                "users",
                vec![int("org_id"), text("email"), text("nick").null()],
            )
            .fk(&["org_id"], "orgs", &["id"])
            .index("ix_users_email", &["email", "nick"])
            .unique(&["nick"])
            .check(None, "email <> 'x'"),
            table("z", vec![int("y_id")]).fk(&["y_id"], "y", &["id"]),
            table("y", vec![int("x_id")]).fk(&["x_id"], "x", &["id"]),
            table("x", vec![int("z_id").null()]).fk(&["z_id"], "z", &["id"]),
            table("w", vec![int("z_id")]).fk(&["z_id"], "z", &["id"]),
        ],
        vec![enum_type("kept", &["a", "c"]), enum_type("new", &["n"])],
    );
    (from, to)
}

#[test]
fn output_does_not_depend_on_input_order() {
    let (from, to) = busy_pair();
    let expected = diff(&from, &to, &DiffOptions::default()).unwrap();
    assert!(expected.len() > 15, "the pair exercises many changes");
    let mut seed = 7;
    for _ in 0..20 {
        let got = diff(
            &shuffled(&from, &mut seed),
            &shuffled(&to, &mut seed),
            &DiffOptions::default(),
        )
        .unwrap();
        let mut got_normalized = got.clone();
        // Tables carried whole inside CreateTable/DropTable keep their (shuffled) inner order.
        for (g, e) in got_normalized.iter_mut().zip(&expected) {
            if let (
                Change::CreateTable(gt) | Change::DropTable(gt),
                Change::CreateTable(et) | Change::DropTable(et),
            ) = (g, e)
            {
                let (gs, es) = (
                    normalize(&schema(vec![gt.clone()], vec![])),
                    normalize(&schema(vec![et.clone()], vec![])),
                );
                assert_eq!(gs, es);
                *gt = et.clone();
            }
        }
        assert_eq!(got_normalized, expected);
        let mut reshuffled = got.clone();
        shuffle(&mut reshuffled, &mut seed);
        assert_eq!(
            order(reshuffled),
            got,
            "order() is a function of the set of changes"
        );
    }
    // And the busy pair is valid step by step in both directions.
    round_trip("busy", &from, &to, Default::default());
}

#[test]
fn cycle_among_new_tables_is_broken_at_the_smallest_name_on_the_cycle() {
    let (from, to) = busy_pair();
    let changes = diff(&from, &to, &DiffOptions::default()).unwrap();
    let created: Vec<(&str, usize)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable(t) if t.name.len() == 1 => {
                Some((t.name.as_str(), t.foreign_keys.len()))
            }
            _ => None,
        })
        .collect();
    // x -> z -> y -> x is a cycle and w hangs off z: x goes first without its key to z.
    assert_eq!(created, [("x", 0), ("y", 1), ("z", 1), ("w", 1)]);
    let deferred: Vec<String> = changes
        .iter()
        .filter(|c| matches!(c, Change::AddForeignKey { .. }))
        .map(Change::describe)
        .collect();
    assert_eq!(deferred, ["add foreign key x (z_id) -> z (id)"]);
}

#[test]
#[should_panic(expected = "references missing table")]
fn the_validity_checker_rejects_a_parent_dropped_before_its_child() {
    let from = schema(
        vec![
            table("parent", vec![]),
            table("child", vec![int("parent_id")]).fk(&["parent_id"], "parent", &["id"]),
        ],
        vec![],
    );
    let mut changes = diff(&from, &Schema::default(), &DiffOptions::default()).unwrap();
    changes.reverse();
    apply_checked(&from, &changes);
}

fn wide_schema(n: usize, skip: impl Fn(usize) -> bool) -> Schema {
    // Table i references table i + 1, so a name-ordered creation would be wrong every time.
    let tables: Vec<Table> = (0..n)
        .filter(|&i| !skip(i))
        .map(|i| {
            let mut t = table(
                &format!("t{i:05}"),
                vec![int("next_id").null(), text("a"), text("b").null()],
            )
            .index(&format!("ix_t{i:05}_a"), &["a"]);
            if i + 1 < n && !skip(i + 1) {
                t = t.fk(&["next_id"], &format!("t{:05}", i + 1), &["id"]);
            }
            t
        })
        .collect();
    schema(tables, vec![])
}

#[test]
fn five_thousand_tables_diff_without_quadratic_work() {
    let from = wide_schema(5_000, |i| i % 10 == 3);
    let mut to = wide_schema(5_000, |i| i % 10 == 7);
    // Every table numbered 0 or 5 modulo 10 exists on both sides: 1,000 type changes.
    for t in to
        .tables
        .iter_mut()
        .filter(|t| t.name[1..].parse::<usize>().unwrap() % 5 == 0)
    {
        t.columns[2].ty = ColumnType::Varchar { length: Some(10) };
    }
    // Tables are not needed in name order by the differ.
    to.tables.reverse();
    let changes = diff(&from, &to, &DiffOptions::default()).unwrap();
    let count = |f: fn(&Change) -> bool| changes.iter().filter(|c| f(c)).count();
    assert_eq!(count(|c| matches!(c, Change::CreateTable(_))), 500);
    assert_eq!(count(|c| matches!(c, Change::DropTable(_))), 500);
    assert_eq!(count(|c| matches!(c, Change::AlterColumn { .. })), 1_000);

    // Every created or kept table a created table references exists when it is created.
    let existing: HashMap<&str, usize> = from.tables.iter().map(|t| (t.name.as_str(), 0)).collect();
    let mut at: HashMap<&str, usize> = existing;
    for (i, c) in changes.iter().enumerate() {
        match c {
            Change::CreateTable(t) => {
                for fk in &t.foreign_keys {
                    assert!(
                        at.contains_key(fk.referenced_table.as_str()),
                        "{} before {}",
                        t.name,
                        fk.referenced_table
                    );
                }
                at.insert(t.name.as_str(), i);
            }
            Change::DropTable(t) => {
                at.remove(t.name.as_str());
            }
            _ => {}
        }
    }
    let again = diff(&to, &to, &DiffOptions::default()).unwrap();
    assert!(again.is_empty());
}
