//! MySQL/MariaDB online mode (`safety = "online"`): every ALTER of an existing table names the
//! algorithm and lock it must get (`ALGORITHM=INSTANT`, or `ALGORITHM=INPLACE, LOCK=NONE`), so
//! that the server refuses the statement rather than silently copying the table or blocking
//! writes; and the revision bounds its wait for the metadata lock with a
//! `SET SESSION lock_wait_timeout` step before its first statement: an ALTER queued behind a
//! long transaction blocks every query on its table while it waits, so it gives up (error 1205)
//! after `lock_timeout` (autogen.toml, default 5 s) and the runner tries it again.
//!
//! Which algorithm a change gets follows the same rule as its hazard: a change with a copy hazard
//! (`Mysql::copy_hazard` in `mysql_hazards.rs`) has no online form and is written as in the
//! default mode, its hazard naming gh-ost and pt-online-schema-change; every other ALTER gets
//! the best algorithm the server was seen to accept for it. `INSTANT` is written only for
//! MariaDB, where each case below was run against MariaDB 10.11 (InnoDB, utf8mb4, rows in the
//! table, `foreign_key_checks` on); MariaDB reads the clause as the least efficient algorithm it
//! may use, so `INPLACE` also admits an instant change. MySQL gets `INPLACE, LOCK=NONE`, which
//! every MySQL version from 5.6 accepts for these changes (an instant-capable change then
//! rebuilds in place, writes continuing). This file does not decide what is a hazard.

use autogen_diff::Change;
use autogen_schema::{Column, ColumnType, Index, Schema, Table};

use super::mysql::{switches_virtual, Mysql};
use crate::Statement;

/// The algorithm (and lock) clause of an online statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Algorithm {
    /// Metadata only; refused when the server would rebuild.
    Instant,
    /// Rebuilt or changed in place while reads and writes continue.
    Inplace,
    /// In place, but writes wait (FULLTEXT and SPATIAL indexes): named so the reader sees it.
    InplaceShared,
}

impl Algorithm {
    /// The clause as an `ALTER TABLE` action list writes it (comma separated).
    fn alter_clause(self) -> &'static str {
        match self {
            Algorithm::Instant => "ALGORITHM=INSTANT",
            Algorithm::Inplace => "ALGORITHM=INPLACE, LOCK=NONE",
            Algorithm::InplaceShared => "ALGORITHM=INPLACE, LOCK=SHARED",
        }
    }

    /// The clause as `CREATE INDEX` writes it (space separated options).
    fn index_clause(self) -> &'static str {
        match self {
            Algorithm::Instant => "ALGORITHM=INSTANT",
            Algorithm::Inplace => "ALGORITHM=INPLACE LOCK=NONE",
            Algorithm::InplaceShared => "ALGORITHM=INPLACE LOCK=SHARED",
        }
    }
}

impl Mysql {
    /// The `SET SESSION lock_wait_timeout` step an online revision's section starts with, and
    /// the step that sets it back to the server's default at its end, when one of `changes`
    /// alters, renames or drops an existing table.
    pub(super) fn lock_wait_step(&self, changes: &[Change]) -> Option<(Statement, Statement)> {
        let touches_existing = changes.iter().any(|c| {
            !matches!(
                c,
                Change::CreateTable(_)
                    | Change::CreateEnum(_)
                    | Change::DropEnum(_)
                    | Change::AlterEnum { .. }
                    | Change::CreateObject(_)
                    | Change::DropObject(_)
                    | Change::ReplaceObject { .. }
            )
        });
        let seconds = self.lock_timeout.mysql_seconds();
        (self.online && touches_existing).then(|| {
            (
                Statement::new(format!("SET SESSION lock_wait_timeout = {seconds}"))
                .with_note(format!(
                    "online: each statement waits at most {seconds} s for its table's metadata lock (queries queue behind a waiting ALTER); the runner retries a statement that timed out"
                )),
                Statement::new("SET SESSION lock_wait_timeout = DEFAULT"),
            )
        })
    }

    /// Writes the online clause on the statements `change` rendered (`rendered`, in order).
    pub(super) fn write_online(&self, state: &Schema, change: &Change, rendered: &mut [Statement]) {
        if !self.online || rendered.is_empty() {
            return;
        }
        let algorithms: Vec<Option<Algorithm>> = match change {
            // A new table (and its indexes), a dropped or renamed one: no ALTER to qualify.
            Change::CreateTable(_) | Change::DropTable(_) | Change::RenameTable { .. } => return,
            // DROP FOREIGN KEY, then (when the server made one) DROP INDEX of its index.
            Change::DropForeignKey { .. } => std::iter::once(self.algorithm(state, change))
                .chain(std::iter::repeat(Some(Algorithm::Inplace)))
                .take(rendered.len())
                .collect(),
            // DROP COLUMN, then ADD COLUMN (MariaDB cannot switch virtual and stored in place).
            Change::AlterColumn { table, from, to } if switches_virtual(from, to) => {
                let drop = Change::DropColumn {
                    table: table.clone(),
                    column: from.clone(),
                };
                let add = Change::AddColumn {
                    table: table.clone(),
                    column: to.clone(),
                };
                vec![self.algorithm(state, &drop), self.algorithm(state, &add)]
            }
            // The statements before the last are the indexes foreign keys keep (CREATE INDEX).
            _ => {
                let mut v = vec![Some(Algorithm::Inplace); rendered.len() - 1];
                v.push(self.algorithm(state, change));
                v
            }
        };
        for (statement, algorithm) in rendered.iter_mut().zip(algorithms) {
            if let Some(algorithm) = algorithm {
                with_clause(&mut statement.sql, algorithm);
            }
        }
    }

    /// The online clause of the `ALTER TABLE ... DROP INDEX, ADD INDEX` that changes only an
    /// index's comment.
    pub(super) fn write_online_comment(&self, statement: &mut Statement) {
        if self.online {
            let algorithm = if self.instant_metadata() {
                Algorithm::Instant
            } else {
                Algorithm::Inplace
            };
            with_clause(&mut statement.sql, algorithm);
        }
    }

    /// The algorithm the server makes `change`'s main statement with, `None` for no clause: a
    /// statement that is no ALTER of an existing table (CREATE, DROP and RENAME TABLE), or a
    /// change only COPY can make.
    fn algorithm(&self, state: &Schema, change: &Change) -> Option<Algorithm> {
        use Algorithm::{Inplace, InplaceShared, Instant};
        if self.copy_hazard(state, change).is_some() {
            return None;
        }
        let instant_if = |yes: bool| if yes { Instant } else { Inplace };
        let table = change.table().and_then(|t| state.table(t));
        Some(match change {
            Change::AddColumn { table: name, .. } => instant_if(
                self.instant_add_column()
                    && state
                        .table(name)
                        .is_none_or(|t| !is_compressed(&t.options.row_format)),
            ),
            Change::DropColumn { column, .. } => {
                instant_if(self.instant_metadata() && !table.is_some_and(|t| in_key(t, column)))
            }
            Change::RenameColumn { .. }
            | Change::DropCheck { .. }
            | Change::DropForeignKey { .. }
            | Change::AlterTableComment { .. }
            | Change::RenameIndex { .. }
            | Change::RenameConstraint { .. } => instant_if(self.instant_metadata()),
            Change::AlterColumn { from, to, .. } => {
                instant_if(self.instant_metadata() && metadata_only(table, from, to))
            }
            Change::AlterTableOptions { from, to, .. } => instant_if(
                self.instant_metadata()
                    && from.row_format == to.row_format
                    && from.key_block_size == to.key_block_size,
            ),
            Change::AddIndex { index, .. } if spatial_or_fulltext(index) => InplaceShared,
            Change::AddIndex { .. }
            | Change::DropIndex { .. }
            | Change::AddUnique { .. }
            | Change::DropUnique { .. }
            | Change::AlterPrimaryKey { .. } => Inplace,
            Change::CreateTable(_)
            | Change::DropTable(_)
            | Change::RenameTable { .. }
            | Change::CreateEnum(_)
            | Change::DropEnum(_)
            | Change::AlterEnum { .. }
            | Change::AddForeignKey { .. }
            | Change::AddCheck { .. }
            | Change::AlterForeignKey { .. }
            | Change::CreateObject(_)
            | Change::DropObject(_)
            | Change::ReplaceObject { .. } => return None,
        })
    }

    /// Instant `ADD COLUMN` (at the end): MariaDB 10.3.
    fn instant_add_column(&self) -> bool {
        self.server.mariadb && self.server.at_least(10, 3)
    }

    /// Instant `DROP COLUMN`, `RENAME COLUMN`, default, comment and constraint-drop changes and
    /// a varchar widening or enum append: MariaDB 10.4 (widening 10.4.3; 10.5 is asked, the
    /// version read has no patch level).
    fn instant_metadata(&self) -> bool {
        self.server.mariadb && self.server.at_least(10, 5)
    }
}

/// Appends the clause of `algorithm` to a `CREATE INDEX` or `ALTER TABLE` statement.
fn with_clause(sql: &mut String, algorithm: Algorithm) {
    let index_kinds = ["", "UNIQUE ", "FULLTEXT ", "SPATIAL "];
    if index_kinds
        .iter()
        .any(|k| sql.starts_with(&format!("CREATE {k}INDEX ")))
    {
        sql.push(' ');
        sql.push_str(algorithm.index_clause());
    } else if sql.starts_with("ALTER TABLE ") {
        sql.push_str(", ");
        sql.push_str(algorithm.alter_clause());
    }
}

/// Whether a `MODIFY COLUMN` from `from` to `to` changes only metadata on MariaDB 10.11: the
/// default, the comment, an enum value appended, or a varchar widened (keeping its length
/// prefix) when no index covers the column. A nullability, collation, `AUTO_INCREMENT`, `ON
/// UPDATE` or generation change rebuilds in place.
fn metadata_only(table: Option<&Table>, from: &Column, to: &Column) -> bool {
    let type_in_place = match (&from.ty, &to.ty) {
        (a, b) if a == b => true,
        (ColumnType::Enum { .. }, ColumnType::Enum { .. }) => true,
        (ColumnType::Varchar { .. }, ColumnType::Varchar { .. }) => {
            !table.is_some_and(|t| in_key(t, from))
        }
        _ => false,
    };
    type_in_place
        && from.nullable == to.nullable
        && from.collation == to.collation
        && from.auto_increment == to.auto_increment
        && from.on_update_current_timestamp == to.on_update_current_timestamp
        && from.generated == to.generated
}

/// Whether an index, unique constraint, primary key or foreign key of `t` has `column`: then
/// dropping it or widening it changes an index, which MariaDB does in place, not instantly.
fn in_key(t: &Table, column: &Column) -> bool {
    let name = &column.name;
    t.indexes
        .iter()
        .any(|i| i.columns.iter().any(|p| p.name == *name))
        || t.unique_constraints
            .iter()
            .any(|u| u.columns.contains(name))
        || t.primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.contains(name))
        || t.foreign_keys.iter().any(|f| f.columns.contains(name))
}

fn spatial_or_fulltext(index: &Index) -> bool {
    matches!(index.method.as_deref(), Some("fulltext") | Some("spatial"))
}

fn is_compressed(row_format: &Option<String>) -> bool {
    row_format
        .as_deref()
        .is_some_and(|r| r.eq_ignore_ascii_case("compressed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_attach_to_the_statement_forms() {
        let mut create = "CREATE INDEX `ix` ON `t` (`a`)".to_string();
        with_clause(&mut create, Algorithm::Inplace);
        assert_eq!(
            create,
            "CREATE INDEX `ix` ON `t` (`a`) ALGORITHM=INPLACE LOCK=NONE"
        );
        let mut alter = "ALTER TABLE `t` ADD COLUMN `a` int NULL".to_string();
        with_clause(&mut alter, Algorithm::Instant);
        assert_eq!(
            alter,
            "ALTER TABLE `t` ADD COLUMN `a` int NULL, ALGORITHM=INSTANT"
        );
        let mut table = "CREATE TABLE `t` (`a` int)".to_string();
        with_clause(&mut table, Algorithm::Inplace);
        assert_eq!(table, "CREATE TABLE `t` (`a` int)");
        let mut rename = "RENAME TABLE `a` TO `b`".to_string();
        with_clause(&mut rename, Algorithm::Inplace);
        assert_eq!(rename, "RENAME TABLE `a` TO `b`");
    }
}
