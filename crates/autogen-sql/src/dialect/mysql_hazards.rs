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
//! a `uuid()` default, an added `AUTO_INCREMENT`, a column's character set changed, a column of
//! the primary key dropped and a unique key longer than InnoDB's limit (MariaDB keeps it through
//! a hidden hash column) are COPY. Older servers, by their
//! documentation: instant `ADD COLUMN` came in MariaDB 10.3 (MySQL 8.0.12), instant `DROP
//! COLUMN` and column reordering in MariaDB 10.4 (MySQL 8.0.29), instant varchar widening in
//! MariaDB 10.4.3; before them those changes rebuild the table INPLACE, which writes survive.
//! Two InnoDB exceptions were found by observing random changes on a dev database: `NOT NULL`
//! on a `timestamp` column ("cannot convert NULL to non-constant DEFAULT") and `NOT NULL` on any
//! column of a table with a stored generated column are COPY, and so is a new expression for a
//! stored generated column (every row is computed again), a collation change of a `text` column
//! an index covers, and `DROP COLUMN` of a ROW_FORMAT=COMPRESSED table with a virtual generated
//! column after the dropped one.
//!
//! Everything above is InnoDB's. The other engines (MyISAM, Aria, MEMORY) have no in-place
//! ALTER: only metadata changes are INSTANT there (a rename, a default, ON UPDATE or comment
//! change, an enum value appended, a CHECK dropped, a table comment, a virtual generated column's
//! expression); every other ALTER of such
//! a table copies it, an index added or dropped included (observed on MariaDB 10.11).

use autogen_diff::Change;
use autogen_schema::{Column, ColumnType, DefaultValue, Schema};

use super::mysql::Mysql;
use crate::hazard::{rename_hazard, set};
use crate::{Hazard, HazardKind, Statement};

const COPIED: &str = "ALGORITHM=COPY: the table is copied while writes wait";

/// What online mode adds to a copy hazard: the server has no form that keeps the table writable,
/// so the statement is written as in the default mode.
const ONLINE_ALTERNATIVE: &str = "; this server has no INSTANT or INPLACE form for it, so online mode cannot avoid the copy: for a large table make the change with gh-ost or pt-online-schema-change instead";

impl Mysql {
    /// Attaches the hazard of `change` to the statement of `rendered` that carries it (the last:
    /// a primary key change first writes the indexes its foreign keys keep). In online mode a
    /// change only `ALGORITHM=COPY` can make names the tools that can make it without blocking.
    pub(super) fn classify(&self, state: &Schema, change: &Change, rendered: &mut [Statement]) {
        let hazard = match self.copy_hazard(state, change) {
            Some(mut copy) if self.online => {
                copy.what.push_str(ONLINE_ALTERNATIVE);
                Some(copy)
            }
            Some(copy) => Some(copy),
            None => self.in_place_hazard(change),
        };
        if let (Some(hazard), Some(last)) = (hazard, rendered.last_mut()) {
            set(last, hazard);
        }
    }

    /// The hazard of a change that only `ALGORITHM=COPY` can make on this server, `None` when
    /// the server makes it INSTANT or INPLACE (or it is no ALTER of an existing table). This is
    /// the one rule for both the hazard and, in online mode, the algorithm written
    /// (`mysql_online.rs`): a change with a copy hazard is written without an algorithm.
    pub(super) fn copy_hazard(&self, state: &Schema, change: &Change) -> Option<Hazard> {
        self.innodb_copy_hazard(state, change)
            .or_else(|| self.engine_copy_hazard(state, change))
    }

    /// The copy hazard of an ALTER of a table whose engine is not InnoDB, where only metadata
    /// changes avoid the copy (see the module documentation). A risk the change carries on
    /// InnoDB (a unique key that fails on duplicates) keeps its kind.
    fn engine_copy_hazard(&self, state: &Schema, change: &Change) -> Option<Hazard> {
        let table = match change {
            Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::AlterPrimaryKey { table, .. }
            | Change::AddIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::AddUnique { table, .. }
            | Change::DropUnique { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::AlterForeignKey { table, .. }
            | Change::AddCheck { table, .. }
            | Change::AlterTableOptions { table, .. } => table,
            Change::AlterColumn { table, from, to } if !metadata_only(from, to) => table,
            _ => return None,
        };
        let engine = self.copying_engine(state, table)?;
        let kind = self
            .in_place_hazard(change)
            .map_or(HazardKind::Copy, |h| h.kind);
        Some(Hazard::new(
            kind,
            table,
            format!("the {engine} engine has no in-place ALTER: {COPIED}"),
        ))
    }

    /// Whether dropping `column` must copy the table on MariaDB: a ROW_FORMAT=COMPRESSED table
    /// (no instant DROP COLUMN, so the table is rebuilt) with a virtual generated column after
    /// `column` ("INPLACE ADD or DROP of virtual columns cannot be combined with other ALTER
    /// TABLE actions", observed on 10.11; dropping a column after every virtual one, or a
    /// virtual column itself, is not).
    fn drop_rebuilds_virtual(&self, state: &Schema, table: &str, column: &Column) -> bool {
        let Some(t) = state.table(table) else {
            return false;
        };
        let is_virtual = |c: &Column| c.generated.as_ref().is_some_and(|g| !g.stored);
        self.server.mariadb
            && !is_virtual(column)
            && t.options
                .row_format
                .as_deref()
                .is_some_and(|f| f.eq_ignore_ascii_case("compressed"))
            && t.columns
                .iter()
                .skip_while(|c| c.name != column.name)
                .skip(1)
                .any(is_virtual)
    }

    /// The hazard of an index comment change (one ALTER dropping and adding the index): none on
    /// InnoDB, a copy on the other engines.
    pub(super) fn index_comment_hazard(&self, state: &Schema, table: &str) -> Option<Hazard> {
        let engine = self.copying_engine(state, table)?;
        Some(Hazard::new(
            HazardKind::Copy,
            table,
            format!("the {engine} engine has no in-place ALTER: {COPIED}"),
        ))
    }

    /// The engine of `table` when it is one that copies the table for every ALTER that is not
    /// metadata only: any but InnoDB (the server's default, assumed when none is named).
    fn copying_engine<'s>(&self, state: &'s Schema, table: &str) -> Option<&'s str> {
        state
            .table(table)
            .and_then(|t| t.options.engine.as_deref())
            .filter(|e| !e.eq_ignore_ascii_case("innodb"))
    }

    fn innodb_copy_hazard(&self, state: &Schema, change: &Change) -> Option<Hazard> {
        match change {
            Change::AddIndex { table, index }
                if index.unique
                    && self.long_unique(
                        state,
                        table,
                        index
                            .columns
                            .iter()
                            .map(|c| (c.name.as_str(), c.prefix_length, c.expression)),
                    ) =>
            {
                Some(long_unique_hazard(table))
            }
            Change::AddUnique { table, unique }
                if self.long_unique(
                    state,
                    table,
                    unique.columns.iter().map(|c| (c.as_str(), None, false)),
                ) =>
            {
                Some(long_unique_hazard(table))
            }
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
                table, to: None, ..
            } => Some(Hazard::new(
                HazardKind::Copy,
                table,
                format!("dropping the primary key without adding one needs {COPIED}"),
            )),
            Change::AddColumn { table, column } => self.add_column_hazard(table, column),
            Change::DropColumn { table, column }
                if state
                    .table(table)
                    .and_then(|t| t.primary_key.as_ref())
                    .is_some_and(|pk| pk.columns.contains(&column.name)) =>
            {
                Some(Hazard::new(
                    HazardKind::Copy,
                    table,
                    format!(
                        "dropping {}, a column of the primary key, needs {COPIED}",
                        column.name
                    ),
                ))
            }
            Change::DropColumn { table, column } if self.drop_rebuilds_virtual(state, table, column) => {
                Some(Hazard::new(
                    HazardKind::Copy,
                    table,
                    format!(
                        "dropping {} rebuilds a ROW_FORMAT=COMPRESSED table with a virtual generated column after it, which needs {COPIED}",
                        column.name
                    ),
                ))
            }
            Change::AlterColumn { table, from, to } => {
                self.alter_column_copy_hazard(state, table, from, to)
            }
            Change::AlterTableOptions { table, from, to } if from.engine != to.engine => {
                Some(Hazard::new(
                    HazardKind::Copy,
                    table,
                    format!("a change of storage engine needs {COPIED}"),
                ))
            }
            _ => None,
        }
    }

    /// The hazard of a change the server makes INPLACE or INSTANT that still risks something:
    /// a key that fails on existing rows, a rename, a full-text index built under a lock.
    fn in_place_hazard(&self, change: &Change) -> Option<Hazard> {
        match change {
            Change::AddIndex { table, index }
                if matches!(index.method.as_deref(), Some("fulltext") | Some("spatial")) =>
            {
                Some(Hazard::new(
                    HazardKind::IndexBuild,
                    table,
                    "a FULLTEXT or SPATIAL index is built INPLACE with LOCK=SHARED: writes wait for the whole build",
                ))
            }
            Change::AddIndex { table, index } if index.unique => Some(
                Hazard::new(
                    HazardKind::UniqueBuild,
                    table,
                    "built INPLACE while writes continue, but fails on duplicate rows",
                )
                .writes_continue(),
            ),
            Change::AddUnique { table, .. } => Some(
                Hazard::new(
                    HazardKind::UniqueBuild,
                    table,
                    "built INPLACE while writes continue, but fails on duplicate rows",
                )
                .writes_continue(),
            ),
            Change::AlterPrimaryKey {
                table,
                to: Some(_),
                ..
            } => Some(
                Hazard::new(
                    HazardKind::PrimaryKeyBuild,
                    table,
                    "the table is rebuilt INPLACE with the new key while writes continue; fails on duplicates or NULLs",
                )
                .writes_continue(),
            ),
            Change::RenameTable { from, to } => Some(rename_hazard(
                from,
                &format!("table {from} becomes {to}"),
            )),
            Change::RenameColumn { table, from, to } => Some(rename_hazard(
                table,
                &format!("column {table}.{from} becomes {to}"),
            )),
            Change::AlterColumn { table, from, to } if from.nullable && !to.nullable => {
                Some(
                    Hazard::new(
                        HazardKind::SetNotNull,
                        table,
                        format!(
                            "the table is rebuilt INPLACE while writes continue; fails on a NULL in {}",
                            to.name
                        ),
                    )
                    .writes_continue(),
                )
            }
            _ => None,
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

    /// `MODIFY COLUMN` that only COPY can make: a type change the server cannot make in place,
    /// an enum change that is not an append, a change of character set, an added
    /// `AUTO_INCREMENT`, or a switch to a stored generated column (dropped and added again).
    fn alter_column_copy_hazard(
        &self,
        state: &Schema,
        table: &str,
        from: &Column,
        to: &Column,
    ) -> Option<Hazard> {
        let name = &to.name;
        if super::mysql::switches_virtual(from, to) {
            return self.add_column_hazard(table, to);
        }
        // A stored generated column whose expression changes (or a plain column that becomes
        // one) is computed again for every row (observed COPY on MariaDB 10.11).
        if to.generated.as_ref().is_some_and(|g| g.stored) && from.generated != to.generated {
            return Some(Hazard::new(
                HazardKind::Copy,
                table,
                format!(
                    "the stored generated column {name} is computed again for every row: {COPIED}"
                ),
            ));
        }
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
        if charset(state, table, from) != charset(state, table, to) {
            return Some(Hazard::new(
                HazardKind::Copy,
                table,
                format!("a change of the character set of {name} needs {COPIED}"),
            ));
        }
        // A collation change of a `text` column an index covers (with a prefix, as text must
        // be) is no longer in place: "Cannot change column type" (observed on MariaDB 10.11; a
        // varchar's is in place).
        if from.collation != to.collation && to.ty == ColumnType::Text {
            let indexed = state.table(table).is_some_and(|t| {
                t.indexes.iter().any(|ix| {
                    ix.columns
                        .iter()
                        .any(|c| !c.expression && c.name == from.name)
                })
            });
            if indexed {
                return Some(Hazard::new(
                    HazardKind::Copy,
                    table,
                    format!("a collation change of the indexed text column {name} needs {COPIED}"),
                ));
            }
        }
        if from.nullable && !to.nullable && self.server.mariadb {
            let fails = format!("; fails on a NULL in {name}");
            // MySQL's `timestamp`; a `datetime` is made in place.
            if to.ty
                == (ColumnType::Timestamp {
                    with_time_zone: true,
                })
            {
                return Some(Hazard::new(
                    HazardKind::SetNotNull,
                    table,
                    format!("NOT NULL on the timestamp column {name} needs {COPIED}{fails}"),
                ));
            }
            let stored = state.table(table).is_some_and(|t| {
                t.columns
                    .iter()
                    .any(|c| c.generated.as_ref().is_some_and(|g| g.stored))
            });
            if stored {
                return Some(Hazard::new(
                    HazardKind::SetNotNull,
                    table,
                    format!("NOT NULL on {name} of a table with a stored generated column needs {COPIED}{fails}"),
                ));
            }
        }
        None
    }

    /// Whether MariaDB (10.4 and later) enforces a unique key over `parts` (column, prefix,
    /// expression) of `table` through a hidden hash column because the key is longer than
    /// InnoDB's key limit (3072 bytes; 767 with the COMPACT or REDUNDANT row format): a
    /// `text`, `blob` or `json` column without a prefix, or long varchars. Adding such a key is
    /// a copy (measured on 10.11: "INPLACE ADD or DROP of virtual columns cannot be combined
    /// with other ALTER TABLE actions"). MySQL refuses such a key instead.
    fn long_unique<'a>(
        &self,
        state: &Schema,
        table: &str,
        parts: impl Iterator<Item = (&'a str, Option<u32>, bool)>,
    ) -> bool {
        if !(self.server.mariadb && self.server.at_least(10, 4)) {
            return false;
        }
        let Some(t) = state.table(table) else {
            return false;
        };
        let limit: u64 = match t.options.row_format.as_deref().map(str::to_ascii_uppercase) {
            Some(f) if f == "COMPACT" || f == "REDUNDANT" => 767,
            _ => 3072,
        };
        let mut bytes: u64 = 0;
        for (name, prefix, expression) in parts {
            let Some(column) = t.column(name).filter(|_| !expression) else {
                continue;
            };
            let per_char = u64::from(bytes_per_char(state, table, column));
            let chars = match (&column.ty, prefix) {
                (_, Some(p)) => u64::from(p),
                (
                    ColumnType::Varchar { length: Some(n) } | ColumnType::Char { length: Some(n) },
                    None,
                ) => u64::from(*n),
                (
                    ColumnType::Text
                    | ColumnType::Blob
                    | ColumnType::Json
                    | ColumnType::Jsonb
                    | ColumnType::Varchar { length: None },
                    None,
                ) => return true,
                _ => 2,
            };
            bytes += chars * per_char;
        }
        bytes > limit
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

/// Whether a column change touches only what every engine keeps as metadata: the default,
/// ON UPDATE, the comment, enum values appended at the end, or the expression of a virtual
/// generated column (nothing stored is computed again).
fn metadata_only(from: &Column, to: &Column) -> bool {
    let is_virtual = |c: &Column| c.generated.as_ref().is_some_and(|g| !g.stored);
    let generated = if is_virtual(from) && is_virtual(to) {
        to.generated.clone()
    } else {
        from.generated.clone()
    };
    let ty = match (&from.ty, &to.ty) {
        (ColumnType::Enum { values: a, .. }, ColumnType::Enum { values: b, .. })
            if b.starts_with(a) =>
        {
            to.ty.clone()
        }
        _ => from.ty.clone(),
    };
    Column {
        ty,
        default: to.default.clone(),
        on_update_current_timestamp: to.on_update_current_timestamp,
        comment: to.comment.clone(),
        generated,
        ..from.clone()
    } == *to
}

fn long_unique_hazard(table: &str) -> Hazard {
    Hazard::new(
        HazardKind::UniqueBuild,
        table,
        format!("MariaDB enforces a unique key this long through a hidden hash column, which needs {COPIED}; fails on duplicate rows"),
    )
}

/// The character set of the column (its collation's prefix), or of the table, or utf8mb4.
fn charset(state: &Schema, table: &str, column: &Column) -> String {
    column
        .collation
        .as_deref()
        .and_then(|co| co.split('_').next())
        .map(str::to_string)
        .or_else(|| state.table(table).and_then(|t| t.options.charset.clone()))
        .unwrap_or_else(|| "utf8mb4".to_string())
        .to_ascii_lowercase()
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
