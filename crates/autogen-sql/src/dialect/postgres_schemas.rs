//! PostgreSQL table keys of other schemas: a table outside the project's default schema is keyed
//! `schema.name` in the IR (see [`autogen_schema::Table::schema`]) and must be written
//! `"schema"."name"`. This module owns the one decision of where a key splits, for the length of
//! one render call, and nothing else: it does not know the default schema's name (statements for
//! the default schema stay unqualified, so they land wherever `search_path` points, as before).
//!
//! Why a per-render list and not a split at the first dot: a table of the default schema may be
//! called `a.b`. A key splits only at a schema that some table of the render actually lives in
//! (the starting state, the tables created or dropped, the target of a move), so single-schema
//! renders never split and stay byte-identical. The list lives in a thread-local for the duration
//! of [`enter`]'s guard so the many small statement writers need no extra parameter; rendering is
//! synchronous and never leaves the thread.

use std::cell::RefCell;

use autogen_diff::Change;
use autogen_schema::Schema;

thread_local! {
    static SCHEMAS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Makes the non-default schemas of `state` and `changes` known to [`split`] until the guard
/// is dropped (which restores what was known before).
pub(super) fn enter(state: &Schema, changes: &[Change]) -> Known {
    let mut schemas: Vec<String> = Vec::new();
    let mut add = |s: &Option<String>| {
        if let Some(s) = s {
            if !schemas.contains(s) {
                schemas.push(s.clone());
            }
        }
    };
    for t in &state.tables {
        add(&t.schema);
    }
    for change in changes {
        match change {
            Change::CreateTable(t) | Change::DropTable(t) => add(&t.schema),
            // A move keeps the bare name: `x` -> `billing.x` (or back); the new key's prefix is
            // then the schema, even when no other table lives there yet.
            Change::RenameTable { from, to } => {
                for (a, b) in [(from, to), (to, from)] {
                    if let Some(prefix) =
                        b.strip_suffix(a.as_str()).and_then(|p| p.strip_suffix('.'))
                    {
                        if !prefix.is_empty() && !prefix.contains('.') {
                            add(&Some(prefix.to_string()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // Longest first, so `a.b` as a schema wins over `a` for the key `a.b.t`.
    schemas.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    Known(SCHEMAS.with(|cell| cell.replace(schemas)))
}

/// The guard of [`enter`]: holds the list it replaced.
pub(super) struct Known(Vec<String>);

impl Drop for Known {
    fn drop(&mut self) {
        let previous = std::mem::take(&mut self.0);
        SCHEMAS.with(|cell| cell.replace(previous));
    }
}

/// The schema (`None`: the default one) and bare name of the table keyed `key`.
pub(super) fn split(key: &str) -> (Option<String>, &str) {
    SCHEMAS.with(|cell| {
        for s in cell.borrow().iter() {
            if let Some(bare) = key
                .strip_prefix(s.as_str())
                .and_then(|r| r.strip_prefix('.'))
            {
                return (Some(s.clone()), bare);
            }
        }
        (None, key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_schema::Table;

    #[test]
    fn keys_split_only_at_schemas_the_render_knows() {
        let state = Schema {
            tables: vec![
                Table {
                    name: "billing.invoices".into(),
                    schema: Some("billing".into()),
                    ..Table::default()
                },
                Table::new("a.b"),
            ],
            ..Schema::default()
        };
        {
            let _known = enter(&state, &[]);
            assert_eq!(
                split("billing.invoices"),
                (Some("billing".into()), "invoices")
            );
            assert_eq!(split("a.b"), (None, "a.b"));
            assert_eq!(split("users"), (None, "users"));
        }
        assert_eq!(split("billing.invoices"), (None, "billing.invoices"));
        let moved = [Change::RenameTable {
            from: "orders".into(),
            to: "sales.orders".into(),
        }];
        let _known = enter(&Schema::default(), &moved);
        assert_eq!(split("sales.orders"), (Some("sales".into()), "orders"));
    }
}
