//! MySQL and MariaDB: `information_schema` pinned to the connection's `DATABASE()`, seven
//! queries on MariaDB and eight on MySQL: the current database and server flavour, tables,
//! columns, index key parts (`STATISTICS`), foreign key columns (`KEY_COLUMN_USAGE`) and rules
//! (`REFERENTIAL_CONSTRAINTS`), checks (`CHECK_CONSTRAINTS`, MariaDB 10.2+ / MySQL 8.0.16+) and,
//! on MySQL only, the tables owning them (`TABLE_CONSTRAINTS`).
//!
//! Decisions (the renderer's `canonicalize(Mysql, ..)` must agree with them):
//! - Unique indexes ARE unique constraints on MySQL (the server lists every unique index in
//!   `TABLE_CONSTRAINTS` as a UNIQUE constraint, however it was created), so each unique index
//!   is reported as a named `UniqueConstraint`, never as a unique `Index`. The exception is a
//!   unique index a constraint cannot express (a descending part, a prefix length, an
//!   expression, or a non-BTREE method): that stays an `Index { unique: true }`.
//! - The primary key is always called `PRIMARY` on MySQL, so it is reported without a name.
//! - MySQL creates an index for a foreign key that has no usable one, named after the
//!   constraint (or after the first column for an unnamed `<table>_ibfk_<n>` constraint). A
//!   non-unique index with exactly the foreign key's columns and that name is treated as this
//!   implicit index and not reported; an index the models declare carries its own `ix_` name.
//! - `RESTRICT` is reported as `NoAction`: InnoDB treats the two identically and MariaDB reports
//!   an unspecified action as `RESTRICT`.
//! - `tinyint(1)` is `Boolean`; `float` is `Real`; `blob`, `mediumblob` and `longblob` are
//!   `Blob` (`tinyblob` stays `Other`); `timestamp` is `Timestamp { with_time_zone:
//!   true }` (MySQL stores it as a UTC instant and converts on read) while `datetime` is without.
//! - `ENUM('a','b')` columns become `ColumnType::Enum { name: "<table>_<column>", values }`:
//!   MySQL enums are anonymous, and that name is stable and unique within the database.
//! - MariaDB's `JSON` is `longtext` plus an automatic `CHECK (json_valid(col))` named after the
//!   column; that pair is reported as a `Json` column and the check is dropped.
//! - Defaults: MariaDB reports SQL expressions (`'x'` with MySQL escapes, `NULL`,
//!   `current_timestamp()`); MySQL 8 reports bare literals and marks expressions with
//!   `DEFAULT_GENERATED` in `EXTRA`. Both end up as the same canonical values.
//! - Check clauses lose the backquotes around plain identifiers (`` `age` >= 0 `` -> `age >= 0`).
//!
//! Not represented: `ON UPDATE CURRENT_TIMESTAMP`, generated columns' expressions, character
//! sets and collations, `SET` types beyond their `Other` spelling.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use autogen_schema::{
    normalize_expression, parse_default, parse_type, Check, Column, ColumnType, DefaultValue,
    ForeignKey, Index, IndexColumn, PrimaryKey, ReferentialAction, Schema, Table, UniqueConstraint,
};
use sqlx::mysql::{MySqlConnection, MySqlRow};
use sqlx::Row;

use super::{each_row, CatalogRow, Cell, DecodeCell};
use crate::sqltext::{strip_outer_parens, tokenize, Kind};
use crate::{IntrospectError, IntrospectOptions, IntrospectStats};

pub(super) async fn introspect(
    conn: &mut MySqlConnection,
    _options: &IntrospectOptions,
    stats: &mut IntrospectStats,
) -> Result<Schema, IntrospectError> {
    let mut server: Option<(Option<String>, String)> = None;
    each_row(
        &mut *conn,
        stats,
        "mysql database",
        "SELECT DATABASE(), VERSION()",
        |r| {
            server = Some((r.opt_text(0)?, r.text(1)?));
            Ok(())
        },
    )
    .await?;
    let Some((Some(_database), version)) = server else {
        return Err(IntrospectError::NoDatabaseSelected);
    };
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    let mut a = Assembler::new(mariadb);

    // Each query's rows go to the assembler (see `each_row`), in the order it needs them:
    // checks before columns (MariaDB's JSON columns are recognised by their checks), foreign
    // keys before indexes (the index MySQL made for a key is left out). The joins are done in
    // memory on purpose: joining two information_schema views in SQL took 2.5 s per join at
    // 5,000 tables on MariaDB 10.11; scanning each takes 0.2 s. Columns and index parts are
    // put in order by the assembler (an ORDER BY cost MariaDB 50 ms at 5,000 tables).
    if !mariadb {
        // MySQL 8 names checks per schema and needs TABLE_CONSTRAINTS for the table, one more
        // query; MariaDB names them per table and its CHECK_CONSTRAINTS has the table.
        each_row(
            &mut *conn,
            stats,
            "mysql check tables",
            "SELECT TABLE_NAME, CONSTRAINT_NAME FROM information_schema.TABLE_CONSTRAINTS \
             WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_TYPE = 'CHECK'",
            |r| a.check_owner(r),
        )
        .await?;
    }
    let check_table = if mariadb { "TABLE_NAME" } else { "NULL" };
    let sql = format!(
        "SELECT {check_table}, CONSTRAINT_NAME, CHECK_CLAUSE \
         FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
    );
    each_row(&mut *conn, stats, "mysql checks", &sql, |r| a.check(r)).await?;
    each_row(
        &mut *conn,
        stats,
        "mysql tables",
        "SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')",
        |r| a.table(r),
    )
    .await?;
    each_row(
        &mut *conn,
        stats,
        "mysql columns",
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, \
                COLUMN_COMMENT, DATA_TYPE, CAST(ORDINAL_POSITION AS SIGNED) \
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()",
        |r| a.column(r),
    )
    .await?;
    each_row(
        &mut *conn,
        stats,
        "mysql foreign key columns",
        "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, \
                REFERENCED_COLUMN_NAME \
         FROM information_schema.KEY_COLUMN_USAGE \
         WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL \
         ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
        |r| a.foreign_key_column(r),
    )
    .await?;
    each_row(
        &mut *conn,
        stats,
        "mysql foreign key rules",
        "SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE \
         FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()",
        |r| a.foreign_key_rule(r),
    )
    .await?;
    // MariaDB has no EXPRESSION column (no functional key parts).
    let expression = if mariadb { "NULL" } else { "EXPRESSION" };
    let sql = format!(
        "SELECT TABLE_NAME, INDEX_NAME, CAST(NON_UNIQUE AS SIGNED), COLUMN_NAME, COLLATION, \
                CAST(SUB_PART AS SIGNED), INDEX_TYPE, {expression}, \
                CAST(SEQ_IN_INDEX AS SIGNED) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
    );
    each_row(&mut *conn, stats, "mysql indexes", &sql, |r| {
        a.index_part(r)
    })
    .await?;
    Ok(a.finish())
}

/// A MySQL catalog cell: integers by their (possibly unsigned) type, everything else as text.
impl DecodeCell for MySqlRow {
    fn decode(&self, i: usize, type_name: &str) -> Result<Cell<'_>, sqlx::Error> {
        let has = |part: &str| {
            type_name
                .as_bytes()
                .windows(part.len())
                .any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
        };
        Ok(if has("INT") {
            if has("UNSIGNED") {
                let n = self.try_get::<u64, _>(i)?;
                Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
            } else {
                Cell::Int(self.try_get::<i64, _>(i)?)
            }
        } else {
            // information_schema text is sometimes typed as binary (MySQL 8 views); take the
            // bytes then.
            match self.try_get::<&str, _>(i) {
                Ok(s) => Cell::Text(Cow::Borrowed(s)),
                Err(_) => Cell::Text(String::from_utf8_lossy(
                    self.try_get_unchecked::<&[u8], _>(i)?,
                )),
            }
        })
    }
}

/// One index as `STATISTICS` describes it, key parts with their `SEQ_IN_INDEX`.
struct IndexRows {
    unique: bool,
    method: String,
    parts: Vec<(i64, String, bool, bool)>, // (seq, name or expression, descending, plain column)
}

/// The catalog's result sets joined into tables, one row at a time, in the order
/// `introspect` runs the queries.
struct Assembler {
    mariadb: bool,
    by_name: BTreeMap<String, Table>,
    /// Per table: columns with their ORDINAL_POSITION.
    columns: BTreeMap<String, Vec<(i64, Column)>>,
    /// MySQL 8: check name -> table.
    check_owners: BTreeMap<String, String>,
    /// MariaDB's JSON checks keyed both ways, so neither the column loop nor the check loop
    /// scans a list: (table, check name) -> column, and (table, column).
    json_check_columns: BTreeMap<(String, String), String>,
    json_columns: BTreeSet<(String, String)>,
    checks: Vec<(String, Check)>,
    fks: BTreeMap<(String, String), ForeignKey>,
    indexes: BTreeMap<(String, String), IndexRows>,
}

impl Assembler {
    fn new(mariadb: bool) -> Self {
        Assembler {
            mariadb,
            by_name: BTreeMap::new(),
            columns: BTreeMap::new(),
            check_owners: BTreeMap::new(),
            json_check_columns: BTreeMap::new(),
            json_columns: BTreeSet::new(),
            checks: Vec::new(),
            fks: BTreeMap::new(),
            indexes: BTreeMap::new(),
        }
    }

    fn check_owner(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        self.check_owners.insert(r.text(1)?, r.text(0)?);
        Ok(())
    }

    /// The name is the column's at creation, and MariaDB keeps it when the column is renamed,
    /// so a JSON check's column is read from the expression.
    fn check(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let name = r.text(1)?;
        let table = match r.opt_text(0)? {
            Some(table) => table,
            None => match self.check_owners.get(&name) {
                Some(table) => table.clone(),
                None => return Ok(()),
            },
        };
        let expression = check_expression(&r.str(2)?);
        if let Some(column) = json_check_column(&expression) {
            self.json_columns.insert((table.clone(), column.clone()));
            self.json_check_columns
                .insert((table.clone(), name.clone()), column);
        }
        self.checks.push((
            table,
            Check {
                name: Some(name),
                expression,
            },
        ));
        Ok(())
    }

    fn table(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let mut t = Table::new(r.text(0)?);
        t.comment = r.opt_text(1)?.filter(|c| !c.is_empty());
        self.by_name.insert(t.name.clone(), t);
        Ok(())
    }

    fn column(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let table = r.str(0)?;
        if !self.by_name.contains_key(table.as_ref()) {
            return Ok(());
        }
        let name = r.text(1)?;
        let column_type = r.str(2)?;
        let is_json_text = r.str(7)?.eq_ignore_ascii_case("longtext")
            && self
                .json_columns
                .contains(&(table.to_string(), name.clone()));
        let ty = if is_json_text {
            ColumnType::Json
        } else {
            mysql_type(&table, &name, &column_type)
        };
        let mut column = Column::new(name, ty);
        column.nullable = r.flag(3)?;
        let extra = r
            .opt_text(5)?
            .map(|e| e.to_ascii_lowercase())
            .unwrap_or_default();
        column.auto_increment = extra.contains("auto_increment");
        let generated = extra.contains("virtual generated") || extra.contains("stored generated");
        column.default = match r.opt_text(4)? {
            Some(raw) if !generated => Some(if self.mariadb {
                mariadb_default(&raw)
            } else {
                mysql8_default(&raw, &extra, &column.ty)
            }),
            _ => None,
        };
        column.comment = r.opt_text(6)?.filter(|c| !c.is_empty());
        let position = r.int(8)?;
        match self.columns.get_mut(table.as_ref()) {
            Some(list) => list.push((position, column)),
            None => {
                self.columns
                    .insert(table.into_owned(), vec![(position, column)]);
            }
        }
        Ok(())
    }

    /// Foreign keys, grouped by constraint name (rows arrive in key order).
    fn foreign_key_column(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let table = r.text(0)?;
        let name = r.text(1)?;
        let fk = self
            .fks
            .entry((table, name.clone()))
            .or_insert_with(|| ForeignKey {
                name: Some(name),
                columns: Vec::new(),
                referenced_table: String::new(),
                referenced_columns: Vec::new(),
                on_delete: ReferentialAction::NoAction,
                on_update: ReferentialAction::NoAction,
            });
        fk.columns.push(r.text(2)?);
        if fk.referenced_table.is_empty() {
            fk.referenced_table = r.text(3)?;
        }
        fk.referenced_columns.push(r.text(4)?);
        Ok(())
    }

    fn foreign_key_rule(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        if let Some(fk) = self.fks.get_mut(&(r.text(0)?, r.text(1)?)) {
            fk.on_update = referential_action(&r.str(2)?);
            fk.on_delete = referential_action(&r.str(3)?);
        }
        Ok(())
    }

    /// Index key parts, grouped by index name.
    fn index_part(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let table = r.text(0)?;
        let descending = matches!(r.cell(4)?, Cell::Text(c) if c == "D");
        let part = match (r.opt_text(3)?, r.opt_text(7)?) {
            (Some(column), _) => match r.opt_int(5)? {
                // A prefix key part: only the first N characters are indexed.
                // MariaDB indexes a whole TEXT/BLOB column through an automatic prefix (the
                // longest the key allows); autogen never writes prefixes, so that one is not a
                // prefix the model asked for and the part is the plain column.
                Some(_) if self.is_long_column(&table, &column) => (column, descending, true),
                Some(len) => (format!("{column}({len})"), descending, false),
                None => (column, descending, true),
            },
            (None, Some(expr)) => (
                normalize_expression(strip_outer_parens(&expr)),
                descending,
                false,
            ),
            (None, None) => (String::new(), descending, false),
        };
        let seq = r.int(8)?;
        let entry = match self.indexes.entry((table, r.text(1)?)) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(IndexRows {
                unique: r.int(2)? == 0,
                method: r
                    .opt_text(6)?
                    .map(|m| m.to_ascii_lowercase())
                    .unwrap_or_default(),
                parts: Vec::new(),
            }),
        };
        entry.parts.push((seq, part.0, part.1, part.2));
        Ok(())
    }

    /// A TEXT, BLOB or JSON column, which MySQL and MariaDB can only index through a prefix.
    fn is_long_column(&self, table: &str, column: &str) -> bool {
        self.columns.get(table).is_some_and(|cols| {
            cols.iter().any(|(_, c)| {
                c.name == column
                    && matches!(c.ty, ColumnType::Text | ColumnType::Blob | ColumnType::Json)
            })
        })
    }

    fn finish(mut self) -> Schema {
        let mut by_name = std::mem::take(&mut self.by_name);
        for (table, mut columns) in std::mem::take(&mut self.columns) {
            if let Some(t) = by_name.get_mut(&table) {
                columns.sort_by_key(|(position, _)| *position);
                t.columns = columns.into_iter().map(|(_, c)| c).collect();
            }
        }

        for (table, check) in std::mem::take(&mut self.checks) {
            let json_column = check
                .name
                .as_ref()
                .and_then(|n| self.json_check_columns.get(&(table.clone(), n.clone())))
                .is_some_and(|column| {
                    by_name
                        .get(&table)
                        .and_then(|t| t.column(column))
                        .is_some_and(|c| c.ty == ColumnType::Json)
                });
            if json_column {
                continue;
            }
            if let Some(t) = by_name.get_mut(&table) {
                t.checks.push(check);
            }
        }

        for ((table, name), mut ix) in std::mem::take(&mut self.indexes) {
            if ix.unique && ix.method == "hash" {
                ix.method = "btree".into();
            }
            let Some(t) = by_name.get_mut(&table) else {
                continue;
            };
            ix.parts.sort_by_key(|(seq, _, _, _)| *seq);
            let column_names: Vec<String> = ix.parts.iter().map(|(_, n, _, _)| n.clone()).collect();
            // MariaDB enforces a UNIQUE key too long for a B-tree (one over a TEXT column, say)
            // with a hidden hash ("long unique"): it is still the unique constraint the model
            // declared.
            let plain_method = ix.method == "btree" || (ix.unique && ix.method == "hash");
            let plain = plain_method && ix.parts.iter().all(|(_, _, desc, col)| *col && !desc);
            if name == "PRIMARY" {
                t.primary_key = Some(PrimaryKey {
                    name: None,
                    columns: column_names,
                });
            } else if ix.unique && plain {
                t.unique_constraints.push(UniqueConstraint {
                    name: Some(name),
                    columns: column_names,
                });
            } else if !ix.unique
                && plain
                && is_implicit_fk_index(&table, &name, &column_names, &self.fks)
            {
                continue;
            } else {
                t.indexes.push(Index {
                    name,
                    columns: ix
                        .parts
                        .into_iter()
                        .map(|(_, name, descending, _)| IndexColumn { name, descending })
                        .collect(),
                    unique: ix.unique,
                    method: (ix.method != "btree").then_some(ix.method),
                    predicate: None,
                });
            }
        }
        for ((table, _), fk) in std::mem::take(&mut self.fks) {
            if let Some(t) = by_name.get_mut(&table) {
                t.foreign_keys.push(fk);
            }
        }

        Schema {
            tables: by_name.into_values().collect(),
            enums: Vec::new(),
        }
    }
}

/// Whether the index `name` on `table` is the one MySQL made for a foreign key by itself.
fn is_implicit_fk_index(
    table: &str,
    name: &str,
    columns: &[String],
    fks: &BTreeMap<(String, String), ForeignKey>,
) -> bool {
    // Only this table's keys: the map is ordered by (table, name), so they are one range.
    let from = (table.to_string(), String::new());
    fks.range(from..)
        .take_while(|((t, _), _)| t == table)
        .any(|((_, fk_name), fk)| {
            if fk.columns != columns {
                return false;
            }
            let auto_named = fk_name
                .strip_prefix(table)
                .and_then(|rest| rest.strip_prefix("_ibfk_"))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            name == fk_name || (auto_named && columns.first().is_some_and(|c| c == name))
        })
}

/// `REFERENTIAL_CONSTRAINTS` rules. RESTRICT is NO ACTION on InnoDB (see the file comment).
fn referential_action(rule: &str) -> ReferentialAction {
    match ReferentialAction::parse(rule) {
        Some(ReferentialAction::Restrict) | None => ReferentialAction::NoAction,
        Some(action) => action,
    }
}

/// `COLUMN_TYPE` -> canonical type, peeling MySQL's spellings first.
fn mysql_type(table: &str, column: &str, column_type: &str) -> ColumnType {
    let lower = column_type.trim().to_ascii_lowercase();
    if lower == "tinyint(1)" {
        return ColumnType::Boolean;
    }
    if lower == "float" {
        return ColumnType::Real;
    }
    // The renderer writes Blob as `longblob` (`blob` stops at 64 KiB); both read back as Blob.
    if lower == "longblob" || lower == "mediumblob" {
        return ColumnType::Blob;
    }
    if lower == "timestamp" {
        return ColumnType::Timestamp {
            with_time_zone: true,
        };
    }
    if lower.starts_with("enum(") {
        if let Some(values) = enum_values(column_type) {
            return ColumnType::Enum {
                name: format!("{table}_{column}"),
                values,
            };
        }
    }
    parse_type(column_type)
}

/// The labels of `enum('a','b''c')`.
fn enum_values(column_type: &str) -> Option<Vec<String>> {
    let tokens = tokenize(column_type);
    let inner = tokens.get(2..tokens.len().checked_sub(1)?)?;
    let mut values = Vec::new();
    for (i, t) in inner.iter().enumerate() {
        match (i % 2, t.kind) {
            (0, Kind::Str) => values.push(unescape_mysql_string(t.text(column_type))?),
            (1, Kind::Comma) => {}
            _ => return None,
        }
    }
    Some(values)
}

/// A MySQL string literal's contents: `''` and backslash escapes undone.
fn unescape_mysql_string(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                if chars.next() != Some('\'') {
                    return None;
                }
                out.push('\'');
            }
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '0' => out.push('\0'),
                'Z' => out.push('\x1a'),
                'b' => out.push('\x08'),
                other => out.push(other),
            },
            _ => out.push(c),
        }
    }
    Some(out)
}

/// MariaDB reports defaults as SQL: `'x'` (MySQL escapes), `NULL`, `current_timestamp()`, `1`.
fn mariadb_default(raw: &str) -> DefaultValue {
    let tokens = tokenize(raw);
    if let [only] = tokens.as_slice() {
        if only.kind == Kind::Str {
            if let Some(s) = unescape_mysql_string(raw.trim()) {
                return DefaultValue::String(s);
            }
        }
    }
    parse_default(raw)
}

/// MySQL 8 reports literal defaults bare (`x`, `1`) and marks expressions (`CURRENT_TIMESTAMP`,
/// `(uuid())`) with `DEFAULT_GENERATED`.
fn mysql8_default(raw: &str, extra: &str, ty: &ColumnType) -> DefaultValue {
    if extra.contains("default_generated") {
        return parse_default(raw);
    }
    let numeric = ty.is_integer()
        || matches!(
            ty,
            ColumnType::Boolean
                | ColumnType::Real
                | ColumnType::Double
                | ColumnType::Decimal { .. }
        );
    if numeric {
        return parse_default(raw);
    }
    if raw.eq_ignore_ascii_case("current_timestamp") {
        return DefaultValue::CurrentTimestamp;
    }
    DefaultValue::String(raw.to_string())
}

/// A check clause as stored (`` `age` >= 0 ``, MySQL 8 wraps it in parentheses) -> canonical
/// text, with backquotes dropped around plain identifiers.
fn check_expression(clause: &str) -> String {
    let stripped = strip_outer_parens(clause);
    let mut out = String::with_capacity(stripped.len());
    let mut last = 0;
    for t in tokenize(stripped) {
        let text = t.text(stripped);
        if t.kind == Kind::Quoted && text.starts_with('`') {
            let ident = t.ident(stripped);
            let plain = ident
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if plain {
                out.push_str(&stripped[last..t.start]);
                out.push_str(&ident);
                last = t.end;
            }
        }
    }
    out.push_str(&stripped[last..]);
    normalize_expression(&out)
}

/// The column of a `json_valid(col)` check (as [`check_expression`] returns it), the check
/// MariaDB adds to a JSON column; the column stays backquoted there when its name is not a
/// plain identifier.
fn json_check_column(expression: &str) -> Option<String> {
    let inner = expression.strip_prefix("json_valid(")?.strip_suffix(')')?;
    match inner.strip_prefix('`').and_then(|i| i.strip_suffix('`')) {
        Some(quoted) => Some(quoted.replace("``", "`")),
        None if !inner.is_empty() && inner.chars().all(|c| c.is_alphanumeric() || c == '_') => {
            Some(inner.to_string())
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_mysql_types() {
        let cases: &[(&str, ColumnType)] = &[
            ("tinyint(1)", ColumnType::Boolean),
            ("tinyint(4)", ColumnType::TinyInt { unsigned: false }),
            ("int(10) unsigned", ColumnType::Integer { unsigned: true }),
            ("bigint(20)", ColumnType::BigInt { unsigned: false }),
            ("float", ColumnType::Real),
            ("double", ColumnType::Double),
            (
                "datetime",
                ColumnType::Timestamp {
                    with_time_zone: false,
                },
            ),
            (
                "timestamp",
                ColumnType::Timestamp {
                    with_time_zone: true,
                },
            ),
            ("varchar(255)", ColumnType::Varchar { length: Some(255) }),
            ("longtext", ColumnType::Other("longtext".into())),
            ("longblob", ColumnType::Blob),
            ("blob", ColumnType::Blob),
            ("tinyblob", ColumnType::Other("tinyblob".into())),
            ("json", ColumnType::Json),
            (
                "enum('a','b''c','x,y')",
                ColumnType::Enum {
                    name: "t_c".into(),
                    values: vec!["a".into(), "b'c".into(), "x,y".into()],
                },
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(&mysql_type("t", "c", raw), want, "{raw}");
        }
    }

    #[test]
    fn reads_mariadb_and_mysql8_defaults() {
        use DefaultValue as D;
        let maria: &[(&str, D)] = &[
            ("'x'", D::String("x".into())),
            ("'it''s'", D::String("it's".into())),
            ("'a\\\\b'", D::String("a\\b".into())),
            ("NULL", D::Null),
            ("current_timestamp()", D::CurrentTimestamp),
            ("-5", D::Number("-5".into())),
            ("1.50", D::Number("1.5".into())),
            ("uuid()", D::Expression("uuid()".into())),
        ];
        for (raw, want) in maria {
            assert_eq!(&mariadb_default(raw), want, "{raw}");
        }
        let text = ColumnType::Text;
        let int = ColumnType::Integer { unsigned: false };
        assert_eq!(mysql8_default("x", "", &text), D::String("x".into()));
        assert_eq!(mysql8_default("1", "", &text), D::String("1".into()));
        assert_eq!(mysql8_default("-1", "", &int), D::Number("-1".into()));
        assert_eq!(
            mysql8_default("CURRENT_TIMESTAMP", "default_generated", &text),
            D::CurrentTimestamp
        );
        assert_eq!(
            mysql8_default("uuid()", "default_generated", &text),
            D::Expression("uuid()".into())
        );
    }

    #[test]
    fn json_checks_are_recognised_whatever_the_column_name() {
        // Found by the randomized round trip: a JSON column named `say "hi"` keeps its
        // backticks in the check text and was reported as longtext plus a check.
        // The check keeps the column's old name after a rename, hence the column comes from
        // the expression.
        for (raw, column) in [
            ("json_valid(`doc`)", Some("doc")),
            ("json_valid(`say \"hi\"`)", Some("say \"hi\"")),
            ("json_valid(`a``b`)", Some("a`b")),
            ("json_valid(`has space`)", Some("has space")),
            ("json_valid(`a`) and 1", None),
            ("`a` > 0", None),
        ] {
            assert_eq!(
                json_check_column(&check_expression(raw)).as_deref(),
                column,
                "{raw}"
            );
        }
    }

    #[test]
    fn unquotes_plain_identifiers_in_checks() {
        let cases: &[(&str, &str)] = &[
            ("`age` >= 0", "age >= 0"),
            ("(`a` > 0 and `b c` < 1)", "a > 0 and `b c` < 1"),
            ("`x` <> '`y`'", "x <> '`y`'"),
            ("json_valid(`doc`)", "json_valid(doc)"),
        ];
        for (raw, want) in cases {
            assert_eq!(check_expression(raw), *want, "{raw}");
        }
    }
}
