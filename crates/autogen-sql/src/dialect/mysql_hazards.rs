//! MySQL/MariaDB hazards: which of the statements the MySQL renderer writes the server can only
//! run with `ALGORITHM=COPY` (the table copied while writes wait), and which run `INPLACE` or
//! `INSTANT` but can still fail on existing rows, per server version (see `crate::hazard`).
//!
//! What the rules say for MariaDB 10.11 was observed on that server by running each statement
//! with `ALGORITHM=INSTANT`, then `ALGORITHM=INPLACE, LOCK=NONE`, and taking the first it
//! accepted (InnoDB, `foreign_key_checks` on, utf8mb4): `ADD INDEX`, `ADD UNIQUE`, a primary key
//! change and `MODIFY ... NOT NULL` are INPLACE with writes allowed; `ADD COLUMN` (also with
//! `AFTER`), `DROP COLUMN`, `RENAME COLUMN`, a default or comment change, a varchar widening
//! that keeps the length prefix's size and an enum value appended at the end are INSTANT;
//! `ADD FOREIGN KEY`, `ADD CHECK`, any other type change, an enum change that is not an append,
//! a `uuid()` default and an added `AUTO_INCREMENT` are COPY. Older servers, by their
//! documentation: instant `ADD COLUMN` came in MariaDB 10.3 (MySQL 8.0.12), instant `DROP
//! COLUMN` and column reordering in MariaDB 10.4 (MySQL 8.0.29), instant varchar widening in
//! MariaDB 10.4.3; before them those changes rebuild the table INPLACE, which writes survive.

use autogen_diff::Change;
use autogen_schema::{Column, ColumnType, DefaultValue, Schema};

use super::mysql::Mysql;
use crate::hazard::{rename_hazard, set};
use crate::{Hazard, HazardKind, Statement};

const COPIED: &str = "ALGORITHM=COPY: the table is copied while writes wait";

impl Mysql {
    /// Attaches the hazard of `change` to the statement of `rendered` that carries it (the last:
    /// a primary key change first writes the indexes its foreign keys keep).
    pub(super) fn classify(&self, state: &Schema, change: &Change, rendered: &mut [Statement]) {
        let hazard = match change {
            Change::AddIndex { table, index } if index.unique => Some(Hazard::new(
                HazardKind::UniqueBuild,
                table,
                "built INPLACE while writes continue, but fails on duplicate rows",
            )),
            Change::AddUnique { table, .. } => Some(Hazard::new(
                HazardKind::UniqueBuild,
                table,
                "built INPLACE while writes continue, but fails on duplicate rows",
            )),
            Change::AddForeignKey { table, .. } => Some(Hazard::new(
                HazardKind::ForeignKey,
                table,
                format!("{COPIED} (foreign_key_checks is on); fails on a row without a match"),
            )),
            Change::AddCheck { table, .. } => Some(Hazard::new(
                HazardKind::Check,
                table,
                format!("{COPIED} and every row is checked; fails on a row that violates it"),
            )),
            Change::AlterPrimaryKey {
                table,
                to: Some(_),
                ..
            } => Some(Hazard::new(
                HazardKind::PrimaryKeyBuild,
                table,
                "the table is rebuilt INPLACE with the new key while writes continue; fails on duplicates or NULLs",
            )),
            Change::AlterPrimaryKey {
                table, to: None, ..
            } => Some(Hazard::new(
                HazardKind::Copy,
                table,
                format!("dropping the primary key without adding one needs {COPIED}"),
            )),
            Change::RenameTable { from, to } => Some(rename_hazard(
                from,
                &format!("table {from} becomes {to}"),
            )),
            Change::RenameColumn { table, from, to } => Some(rename_hazard(
                table,
                &format!("column {table}.{from} becomes {to}"),
            )),
            Change::AddColumn { table, column } => self.add_column_hazard(table, column),
            Change::AlterColumn { table, from, to } => {
                self.alter_column_hazard(state, table, from, to)
            }
            Change::AlterTableOptions { table, from, to } if from.engine != to.engine => {
                Some(Hazard::new(
                    HazardKind::Copy,
                    table,
                    format!("a change of storage engine needs {COPIED}"),
                ))
            }
            _ => None,
        };
        if let (Some(hazard), Some(last)) = (hazard, rendered.last_mut()) {
            set(last, hazard);
        }
    }

    fn add_column_hazard(&self, table: &str, column: &Column) -> Option<Hazard> {
        let name = &column.name;
        if column.auto_increment {
            return Some(Hazard::new(
                HazardKind::Copy,
                table,
                format!("adding the AUTO_INCREMENT column {name} needs {COPIED}"),
            ));
        }
        if let Some(DefaultValue::Expression(e)) = &column.default {
            let lower = e.to_ascii_lowercase();
            if lower.contains("uuid(")
                || lower.contains("uuid_short(")
                || lower.contains("sysdate(")
            {
                return Some(Hazard::new(
                    HazardKind::VolatileDefault,
                    table,
                    format!("the default of {name} differs per row: {COPIED}"),
                ));
            }
        }
        if column.generated.as_ref().is_some_and(|g| g.stored) {
            return Some(Hazard::new(
                HazardKind::Copy,
                table,
                format!("the stored generated column {name} is computed for every row: {COPIED}"),
            ));
        }
        None
    }

    /// `MODIFY COLUMN`: COPY for a type change the server cannot make in place, an enum change
    /// that is not an append, or an added `AUTO_INCREMENT`; otherwise a `NOT NULL` that scans.
    fn alter_column_hazard(
        &self,
        state: &Schema,
        table: &str,
        from: &Column,
        to: &Column,
    ) -> Option<Hazard> {
        let name = &to.name;
        if to.auto_increment && !from.auto_increment {
            return Some(Hazard::new(
                HazardKind::Copy,
                table,
                format!("making {name} AUTO_INCREMENT needs {COPIED}"),
            ));
        }
        match (&from.ty, &to.ty) {
            (ColumnType::Enum { values: a, .. }, ColumnType::Enum { values: b, .. })
                if !b.starts_with(a) =>
            {
                return Some(Hazard::new(
                    HazardKind::EnumRebuild,
                    table,
                    format!(
                        "the values of {name} change other than by an append at the end: {COPIED}"
                    ),
                ));
            }
            // An append at the end is INSTANT.
            (ColumnType::Enum { .. }, ColumnType::Enum { .. }) => {}
            (a, b) if a != b && !self.changes_in_place(state, table, from, a, b) => {
                return Some(Hazard::new(
                    HazardKind::Copy,
                    table,
                    format!(
                        "{name} from {} to {} needs {COPIED}",
                        super::SqlDialect::type_sql(self, a),
                        super::SqlDialect::type_sql(self, b)
                    ),
                ));
            }
            _ => {}
        }
        if from.nullable && !to.nullable {
            return Some(Hazard::new(
                HazardKind::SetNotNull,
                table,
                format!(
                    "the table is rebuilt INPLACE while writes continue; fails on a NULL in {name}"
                ),
            ));
        }
        None
    }

    /// A type change the server makes without copying: a varchar widening that keeps the size of
    /// the length prefix (one byte up to 255 bytes, two above); INSTANT from MariaDB 10.4.3,
    /// INPLACE without a rebuild on MariaDB 10.2 and 10.3 and MySQL 5.7 and later; a copy before
    /// them.
    fn changes_in_place(
        &self,
        state: &Schema,
        table: &str,
        column: &Column,
        from: &ColumnType,
        to: &ColumnType,
    ) -> bool {
        let (ColumnType::Varchar { length: Some(a) }, ColumnType::Varchar { length: Some(b) }) =
            (from, to)
        else {
            return false;
        };
        if b < a {
            return false;
        }
        let bytes = bytes_per_char(state, table, column);
        let prefix = |chars: u32| if chars * bytes > 255 { 2 } else { 1 };
        let supported = if self.server.mariadb {
            self.server.at_least(10, 2)
        } else {
            self.server.at_least(5, 7)
        };
        supported && prefix(*a) == prefix(*b)
    }
}

/// The widest character of the column's character set (utf8mb4 unless the column or table says
/// otherwise).
fn bytes_per_char(state: &Schema, table: &str, column: &Column) -> u32 {
    let charset = column
        .collation
        .clone()
        .or_else(|| state.table(table).and_then(|t| t.options.charset.clone()))
        .unwrap_or_default()
        .to_ascii_lowercase();
    if charset.starts_with("latin1")
        || charset.starts_with("ascii")
        || charset.starts_with("binary")
    {
        1
    } else if charset.starts_with("utf8mb3")
        || (charset.starts_with("utf8") && !charset.starts_with("utf8mb4"))
    {
        3
    } else {
        4
    }
}
