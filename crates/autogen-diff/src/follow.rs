//! Names that follow a declared rename: an index or constraint named by the convention after its
//! table or columns (`ix_persons_email`, `fk_pets_owner_id_persons`) is renamed with them
//! (`ix_people_email`) instead of being dropped and recreated (indexes, which are matched by
//! name) or left under a stale name (constraints, which are matched by content).
//!
//! The differ does not know the naming convention, and does not need to: an old name follows a
//! rename when replacing the renamed table and column names inside it gives exactly the new
//! name. A replaced part must stand between `_` separators or the ends of the name, so a table
//! `t` renamed `u` turns `ix_t_status` into `ix_u_status`, not `ix_u_suaus`. Names that do not
//! follow (hand-written ones, server-generated ones such as PostgreSQL's `persons_email_key`,
//! names the convention cut to 63 bytes with a hash) are left to the ordinary comparison: an
//! index is dropped and recreated, a constraint keeps its name. This pass runs after
//! [`crate::table::diff_table`] and only rewrites what it produced, pairing constraints by that
//! file's keys, so the comparison rules stay in one place. A foreign key whose deferrability
//! changes too is renamed first and then altered, so its [`Change::AlterForeignKey`] names the
//! key by the name it has by then.

use std::borrow::Cow;

use foldhash::{HashMap, HashSet};

use autogen_schema::{Dialect, Table};

use crate::renames::Renames;
use crate::table::{foreign_key_key, same_index, unique_key};
use crate::{Change, ConstraintKind};

/// The constraint kinds the target dialect can rename in place, as its renderer says
/// (`autogen_sql::constraint_renames`; the differ knows no dialect's abilities) and
/// [`crate::DiffOptions::constraint_renames`] hands in. Indexes are always renamed
/// ([`Change::RenameIndex`]); a constraint of a kind left out keeps its old name, which is no
/// drift since constraints are matched by content. The default allows none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConstraintRenames {
    pub primary_key: bool,
    pub unique: bool,
    pub foreign_key: bool,
    pub check: bool,
}

impl ConstraintRenames {
    /// Every kind (a dialect with `RENAME CONSTRAINT` for all of them).
    pub const ALL: ConstraintRenames = ConstraintRenames {
        primary_key: true,
        unique: true,
        foreign_key: true,
        check: true,
    };

    pub fn allows(self, kind: ConstraintKind) -> bool {
        match kind {
            ConstraintKind::PrimaryKey => self.primary_key,
            ConstraintKind::Unique => self.unique,
            ConstraintKind::ForeignKey => self.foreign_key,
            ConstraintKind::Check => self.check,
        }
    }
}

/// The name parts a declared rename replaces, for one diff.
pub(crate) struct NameRenames<'a> {
    /// `(old table name, new table name)`: every table's, since a foreign key's name holds the
    /// table it refers to.
    tables: Vec<(&'a str, &'a str)>,
    /// Per table (new name): `(old column name, new column name)`.
    columns: HashMap<&'a str, Vec<(&'a str, &'a str)>>,
    allowed: ConstraintRenames,
}

impl<'a> NameRenames<'a> {
    pub(crate) fn new(renames: &'a Renames, allowed: ConstraintRenames) -> NameRenames<'a> {
        let mut columns: HashMap<&str, Vec<(&str, &str)>> = HashMap::default();
        for (t, o, n) in &renames.columns {
            columns
                .entry(t.as_str())
                .or_default()
                .push((o.as_str(), n.as_str()));
        }
        NameRenames {
            tables: renames
                .tables
                .iter()
                .map(|(o, n)| (o.as_str(), n.as_str()))
                .collect(),
            columns,
            allowed,
        }
    }

    fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.columns.is_empty()
    }

    /// `name` (of an object of `table`, new name) with every renamed table and every renamed
    /// column of `table` replaced where it stands as whole `_`-separated parts. All pairs are
    /// replaced in one left-to-right pass, so a swap (`a` -> `b`, `b` -> `a`) works; at each
    /// position the longest old name that fits wins.
    pub(crate) fn follow<'n>(&self, table: &str, name: &'n str) -> Cow<'n, str> {
        let mut pairs: Vec<(&str, &str)> = self.tables.clone();
        if let Some(cols) = self.columns.get(table) {
            pairs.extend(cols.iter().copied());
        }
        pairs.retain(|(o, _)| !o.is_empty());
        if pairs.is_empty() {
            return Cow::Borrowed(name);
        }
        pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        let mut out = String::with_capacity(name.len());
        let mut i = 0;
        let mut changed = false;
        while i < name.len() {
            let at_start = i == 0 || name.as_bytes()[i - 1] == b'_';
            let hit = at_start
                .then(|| {
                    pairs.iter().find(|(old, _)| {
                        name[i..].starts_with(old)
                            && matches!(name.as_bytes().get(i + old.len()), None | Some(b'_'))
                    })
                })
                .flatten();
            match hit {
                Some((old, new)) => {
                    out.push_str(new);
                    i += old.len();
                    changed |= old != new;
                }
                None => {
                    // Copy up to and including the next `_` (or the rest), keeping UTF-8 whole.
                    let next = name[i..].find('_').map_or(name.len(), |p| i + p + 1);
                    out.push_str(&name[i..next]);
                    i = next;
                }
            }
        }
        if changed {
            Cow::Owned(out)
        } else {
            Cow::Borrowed(name)
        }
    }

    /// Whether `old` (the old object's name) follows the renames to `new`.
    fn follows(&self, table: &str, old: &str, new: &str) -> bool {
        old != new && self.follow(table, old) == new
    }

    /// Rewrites `changes`, the changes [`crate::table::diff_table`] pushed for the matched
    /// table `old` -> `new`: a dropped and an added index that are the same index under a
    /// followed name become one [`Change::RenameIndex`], and each kept constraint whose name
    /// follows becomes a [`Change::RenameConstraint`] where the dialect can rename that kind.
    /// A renamed foreign key that is also altered (deferrability) keeps the new name in its
    /// [`Change::AlterForeignKey`]'s `from`: the alteration runs after the rename, and every
    /// change speaks the names of the moment it runs.
    pub(crate) fn rewrite(
        &self,
        old: &Table,
        new: &Table,
        dialect: Option<Dialect>,
        changes: &mut Vec<Change>,
    ) {
        if self.is_empty() {
            return;
        }
        let table = new.name.as_str();
        // A name the old table still uses is never a rename's target: renames run first (see
        // `order`), before the object holding that name would be dropped.
        let taken: HashSet<&str> = old
            .indexes
            .iter()
            .map(|i| i.name.as_str())
            .chain(old.primary_key.iter().filter_map(|p| p.name.as_deref()))
            .chain(
                old.unique_constraints
                    .iter()
                    .filter_map(|u| u.name.as_deref()),
            )
            .chain(old.foreign_keys.iter().filter_map(|f| f.name.as_deref()))
            .chain(old.checks.iter().filter_map(|c| c.name.as_deref()))
            .collect();
        self.pair_indexes(table, dialect, &taken, changes);

        let mut renamed = Vec::new();
        // `(position of an AlterForeignKey in changes, the name its key has once renamed)`.
        let mut altered_names = Vec::new();
        let kept = |pred: &dyn Fn(&Change) -> bool| !changes.iter().any(pred);
        let taken = &taken;
        let mut push = |kind: ConstraintKind, from: &Option<String>, to: &Option<String>| {
            if let (Some(from), Some(to)) = (from, to) {
                if self.allowed.allows(kind)
                    && self.follows(table, from, to)
                    && !taken.contains(to.as_str())
                {
                    renamed.push(Change::RenameConstraint {
                        table: table.to_string(),
                        kind,
                        from: from.clone(),
                        to: to.clone(),
                    });
                    return true;
                }
            }
            false
        };

        if let (Some(a), Some(b)) = (&old.primary_key, &new.primary_key) {
            if a.columns == b.columns && kept(&|c| matches!(c, Change::AlterPrimaryKey { .. })) {
                push(ConstraintKind::PrimaryKey, &a.name, &b.name);
            }
        }
        // A constraint neither dropped nor added by the comparison was matched by content with
        // one on the other side (by `table`'s keys, so the rules stay there); the one whose name
        // its name follows to is that match.
        for u in &old.unique_constraints {
            if !kept(&|c| matches!(c, Change::DropUnique { unique, .. } if unique == u)) {
                continue;
            }
            let target = new.unique_constraints.iter().find(|n| {
                unique_key(n) == unique_key(u)
                    && kept(&|c| matches!(c, Change::AddUnique { unique, .. } if unique == *n))
                    && name_follows(self, table, &u.name, &n.name)
            });
            if let Some(n) = target {
                push(ConstraintKind::Unique, &u.name, &n.name);
            }
        }
        for f in &old.foreign_keys {
            if !kept(
                &|c| matches!(c, Change::DropForeignKey { foreign_key, .. } if foreign_key == f),
            ) {
                continue;
            }
            // A key whose deferrability changes was paired by the comparison itself: its
            // AlterForeignKey names the new key. It runs after the rename (see `order`), so the
            // key it alters is then called by the new name.
            let altered = changes.iter().enumerate().find_map(|(i, c)| match c {
                Change::AlterForeignKey { from, to, .. } if from == f => Some((i, to)),
                _ => None,
            });
            let target = match altered {
                Some((_, to)) => Some(to).filter(|n| name_follows(self, table, &f.name, &n.name)),
                None => new.foreign_keys.iter().find(|n| {
                    foreign_key_key(n) == foreign_key_key(f)
                        && kept(
                            &|c| matches!(c, Change::AddForeignKey { foreign_key, .. } if foreign_key == *n),
                        )
                        && name_follows(self, table, &f.name, &n.name)
                }),
            };
            if let Some(n) = target {
                if push(ConstraintKind::ForeignKey, &f.name, &n.name) {
                    if let Some((i, _)) = altered {
                        altered_names.push((i, n.name.clone()));
                    }
                }
            }
        }
        for ck in &old.checks {
            if !kept(&|c| matches!(c, Change::DropCheck { check, .. } if check == ck)) {
                continue;
            }
            // Checks are matched by name, then by expression; a followed name that is also an
            // old check's name is that check's, not this one's.
            let target = new.checks.iter().find(|n| {
                kept(&|c| matches!(c, Change::AddCheck { check, .. } if check == *n))
                    && name_follows(self, table, &ck.name, &n.name)
                    && !old.checks.iter().any(|o| o.name == n.name)
            });
            if let Some(n) = target {
                push(ConstraintKind::Check, &ck.name, &n.name);
            }
        }
        for (i, name) in altered_names {
            if let Change::AlterForeignKey { from, .. } = &mut changes[i] {
                from.name = name;
            }
        }
        changes.extend(renamed);
    }

    /// Replaces each `DropIndex` / `AddIndex` pair of the same index under a followed name by a
    /// `RenameIndex`.
    fn pair_indexes(
        &self,
        table: &str,
        dialect: Option<Dialect>,
        taken: &HashSet<&str>,
        changes: &mut Vec<Change>,
    ) {
        let mut i = 0;
        while i < changes.len() {
            let Change::DropIndex { index: from, .. } = &changes[i] else {
                i += 1;
                continue;
            };
            let partner = changes.iter().position(|c| {
                matches!(c, Change::AddIndex { index: to, .. }
                    if !taken.contains(to.name.as_str())
                        && self.follows(table, &from.name, &to.name)
                        && same_index(from, to, dialect))
            });
            let Some(j) = partner else {
                i += 1;
                continue;
            };
            let Change::AddIndex { index: to, .. } = changes.remove(j) else {
                continue;
            };
            // `j` may have come before `i`: find the drop again.
            let k = if j < i { i - 1 } else { i };
            if let Change::DropIndex { index: from, .. } = &changes[k] {
                changes[k] = Change::RenameIndex {
                    table: table.to_string(),
                    from: from.clone(),
                    to,
                };
            }
            i = k + 1;
        }
    }
}

fn name_follows(
    names: &NameRenames<'_>,
    table: &str,
    old: &Option<String>,
    new: &Option<String>,
) -> bool {
    matches!((old, new), (Some(o), Some(n)) if names.follows(table, o, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renames(tables: &[(&str, &str)], columns: &[(&str, &str, &str)]) -> Renames {
        Renames {
            tables: tables
                .iter()
                .map(|(o, n)| (o.to_string(), n.to_string()))
                .collect(),
            columns: columns
                .iter()
                .map(|(t, o, n)| (t.to_string(), o.to_string(), n.to_string()))
                .collect(),
        }
    }

    #[test]
    fn names_follow_whole_parts_only() {
        let r = renames(
            &[("t", "u"), ("persons", "people")],
            &[("u", "email", "login")],
        );
        let names = NameRenames::new(&r, ConstraintRenames::default());
        assert_eq!(names.follow("u", "ix_t_status"), "ix_u_status");
        assert_eq!(names.follow("u", "ix_t_email"), "ix_u_login");
        assert_eq!(
            names.follow("pets", "fk_pets_owner_id_persons"),
            "fk_pets_owner_id_people"
        );
        // `email` is a column of `u`, not of `pets`.
        assert_eq!(names.follow("pets", "ix_pets_email"), "ix_pets_email");
        assert_eq!(names.follow("u", "persons_email_key"), "people_login_key");
        assert_eq!(names.follow("u", "tt_x"), "tt_x");
        assert_eq!(names.follow("u", "é_t_ü"), "é_u_ü");
    }

    const FROM: &str = "table persons
  column id bigint not null
  column email varchar(255) not null
  column age integer not null
  primary key pk_persons (id)
  unique uq_persons_email (email)
  check ck_persons_1 (age >= 0)
  index ix_persons_email_age (email, age)
  index by_hand (age)
table pets
  column id bigint not null
  column owner_id bigint not null
  foreign key fk_pets_owner_id_persons (owner_id) references persons (id)
";

    const TO: &str = "table people
  column id bigint not null
  column login varchar(255) not null
  column age integer not null
  primary key pk_people (id)
  unique uq_people_login (login)
  check ck_people_1 (age >= 0)
  index ix_people_login_age (login, age)
  index by_hand (age)
table pets
  column id bigint not null
  column owner_id bigint not null
  foreign key fk_pets_owner_id_people (owner_id) references people (id)
";

    /// What PostgreSQL's and MySQL's renderers can rename (`autogen_sql::constraint_renames`,
    /// which this crate cannot depend on).
    fn allowed(dialect: Option<Dialect>) -> ConstraintRenames {
        match dialect {
            Some(Dialect::Postgres) => ConstraintRenames::ALL,
            Some(Dialect::Mysql) => ConstraintRenames {
                unique: true,
                ..ConstraintRenames::default()
            },
            _ => ConstraintRenames::default(),
        }
    }

    fn described(dialect: Option<Dialect>) -> (Vec<String>, Vec<String>) {
        use autogen_schema::{parse_text, ColumnRename, RenameHints, TableRename};
        let from = parse_text(FROM).unwrap();
        let to = parse_text(TO).unwrap();
        let mut renames = RenameHints::default();
        renames.tables.push(TableRename {
            from: "persons".into(),
            to: "people".into(),
        });
        renames.columns.push(ColumnRename {
            table: "people".into(),
            from: "email".into(),
            to: "login".into(),
        });
        let options = crate::DiffOptions {
            renames,
            dialect,
            constraint_renames: allowed(dialect),
            ..crate::DiffOptions::default()
        };
        let up = crate::diff(&from, &to, &options).unwrap();
        // Applying the changes lands on the target, names included, and the downgrade back.
        let reached = crate::apply_all(&from, &up, '"').unwrap();
        let down = crate::downgrade(&up);
        let back = crate::apply_all(&reached, &down, '"').unwrap();
        assert_eq!(crate::diff(&back, &from, &options).unwrap(), vec![]);
        let names = |s: &autogen_schema::Schema| {
            let mut n: Vec<String> = s
                .tables
                .iter()
                .flat_map(|t| {
                    t.indexes
                        .iter()
                        .map(|i| i.name.clone())
                        .chain(t.unique_constraints.iter().filter_map(|u| u.name.clone()))
                        .chain(t.foreign_keys.iter().filter_map(|f| f.name.clone()))
                        .chain(t.checks.iter().filter_map(|c| c.name.clone()))
                        .chain(t.primary_key.iter().filter_map(|p| p.name.clone()))
                })
                .collect();
            n.sort();
            n
        };
        assert_eq!(names(&back), names(&from));
        if dialect == Some(Dialect::Postgres) {
            assert_eq!(names(&reached), names(&to));
        }
        (
            up.iter().map(Change::describe).collect(),
            down.iter().map(Change::describe).collect(),
        )
    }

    #[test]
    fn a_rename_renames_the_indexes_and_constraints_named_after_it() {
        let (up, down) = described(Some(Dialect::Postgres));
        assert_eq!(
            up,
            [
                "rename table persons to people",
                "rename column people.email to login",
                "rename index ix_persons_email_age on people to ix_people_login_age",
                "rename check ck_persons_1 on people to ck_people_1",
                "rename primary key pk_persons on people to pk_people",
                "rename unique uq_persons_email on people to uq_people_login",
                "rename foreign key fk_pets_owner_id_persons on pets to fk_pets_owner_id_people",
            ]
        );
        assert_eq!(
            down[0],
            "rename foreign key fk_pets_owner_id_people on pets to fk_pets_owner_id_persons"
        );
        assert_eq!(down.len(), up.len());
    }

    #[test]
    fn only_the_constraints_the_dialect_can_rename_are_renamed() {
        let (mysql, _) = described(Some(Dialect::Mysql));
        assert_eq!(
            mysql[2..],
            [
                "rename index ix_persons_email_age on people to ix_people_login_age",
                "rename unique uq_persons_email on people to uq_people_login",
            ]
        );
        for dialect in [Some(Dialect::Sqlite), None] {
            let (up, _) = described(dialect);
            assert_eq!(
                up[2..],
                ["rename index ix_persons_email_age on people to ix_people_login_age"],
                "{dialect:?}"
            );
        }
    }

    /// A foreign key named after a renamed table and column whose deferrability changes in the
    /// same revision: renamed, then altered under its new name (found by `check --format json`
    /// naming the old, already renamed key as the altered object).
    #[test]
    fn an_altered_foreign_key_is_altered_under_its_followed_name() {
        use autogen_schema::{parse_text, ColumnRename, Deferrable, RenameHints, TableRename};
        let from = parse_text(
            "table persons
  column id bigint not null
  primary key pk_persons (id)
table pets
  column id bigint not null
  column owner_id bigint not null
  foreign key fk_pets_owner_id_persons (owner_id) references persons (id)
",
        )
        .unwrap();
        let mut to = parse_text(
            "table people
  column id bigint not null
  primary key pk_people (id)
table pets
  column id bigint not null
  column person_id bigint not null
  foreign key fk_pets_person_id_people (person_id) references people (id)
",
        )
        .unwrap();
        to.tables[1].foreign_keys[0].deferrable = Deferrable::Deferred;
        let mut renames = RenameHints::default();
        renames.tables.push(TableRename {
            from: "persons".into(),
            to: "people".into(),
        });
        renames.columns.push(ColumnRename {
            table: "pets".into(),
            from: "owner_id".into(),
            to: "person_id".into(),
        });
        let alter_names = |dialect: Dialect| {
            let options = crate::DiffOptions {
                renames: renames.clone(),
                dialect: Some(dialect),
                constraint_renames: allowed(Some(dialect)),
                ..crate::DiffOptions::default()
            };
            let up = crate::diff(&from, &to, &options).unwrap();
            let reached = crate::apply_all(&from, &up, '"').unwrap();
            assert_eq!(crate::diff(&reached, &to, &options).unwrap(), vec![]);
            let down = crate::downgrade(&up);
            let back = crate::apply_all(&reached, &down, '"').unwrap();
            assert_eq!(
                back, from,
                "{dialect}: the downgrade restores names and all"
            );
            let names = |changes: &[Change]| {
                changes
                    .iter()
                    .filter_map(|c| match c {
                        Change::AlterForeignKey { from, to, .. } => {
                            Some((from.name.clone().unwrap(), to.name.clone().unwrap()))
                        }
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            };
            (
                up.iter().map(Change::describe).collect::<Vec<_>>(),
                names(&up),
                names(&down),
            )
        };
        let (up, alter, down) = alter_names(Dialect::Postgres);
        assert_eq!(
            up[3..],
            [
                "rename foreign key fk_pets_owner_id_persons on pets to fk_pets_person_id_people",
                "alter foreign key pets (person_id) -> people (id): not deferrable -> deferrable \
                 initially deferred",
            ]
        );
        let new = "fk_pets_person_id_people".to_string();
        assert_eq!(alter, [(new.clone(), new.clone())]);
        assert_eq!(down, [(new.clone(), new)]);
        // SQLite renames no constraint: the key keeps its old name, which the alteration uses.
        let (_, alter, _) = alter_names(Dialect::Sqlite);
        assert_eq!(alter[0].0, "fk_pets_owner_id_persons");
    }

    #[test]
    fn swapped_names_are_replaced_at_once() {
        let r = renames(&[], &[("t", "a", "b"), ("t", "b", "a")]);
        let names = NameRenames::new(&r, ConstraintRenames::default());
        assert_eq!(names.follow("t", "ix_t_a_b"), "ix_t_b_a");
    }
}
