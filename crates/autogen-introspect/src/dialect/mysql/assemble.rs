//! MySQL's and MariaDB's catalog rows joined into tables: the [`Assembler`] takes the rows of
//! each query in `mysql.rs` as they stream in and builds the [`Schema`], applying the decisions
//! listed there (unique indexes as constraints, the implicit foreign-key index left out,
//! MariaDB's JSON checks folded into `Json` columns). It runs no query itself; the text
//! spellings it meets go through `spelling.rs`.

use std::collections::{BTreeMap, BTreeSet};

use autogen_schema::{
    normalize_expression, Check, Column, ColumnType, DefaultValue, ForeignKey, Generated, Index,
    IndexColumn, PrimaryKey, ReferentialAction, Schema, Table, UniqueConstraint,
};

use super::spelling::{
    check_expression, json_check_column, mariadb_default, mysql8_default, mysql_type,
    referential_action,
};
use crate::dialect::{CatalogRow, Cell};
use crate::sqltext::strip_outer_parens;
use crate::IntrospectError;

/// One index as `STATISTICS` describes it, key parts with their `SEQ_IN_INDEX`.
struct IndexRows {
    unique: bool,
    method: String,
    /// (seq, key part, plain column: no direction, prefix or expression)
    parts: Vec<(i64, IndexColumn, bool)>,
    /// `INDEX_COMMENT`, when not empty.
    comment: Option<String>,
}

/// The catalog's result sets joined into tables, one row at a time, in the order
/// `introspect` runs the queries.
pub(super) struct Assembler {
    mariadb: bool,
    by_name: BTreeMap<String, Table>,
    /// Per table, its default collation: a column with the same one reports none.
    table_collations: BTreeMap<String, String>,
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
    pub(super) fn new(mariadb: bool) -> Self {
        Assembler {
            mariadb,
            by_name: BTreeMap::new(),
            table_collations: BTreeMap::new(),
            columns: BTreeMap::new(),
            check_owners: BTreeMap::new(),
            json_check_columns: BTreeMap::new(),
            json_columns: BTreeSet::new(),
            checks: Vec::new(),
            fks: BTreeMap::new(),
            indexes: BTreeMap::new(),
        }
    }

    pub(super) fn check_owner(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        self.check_owners.insert(r.text(1)?, r.text(0)?);
        Ok(())
    }

    /// The name is the column's at creation, and MariaDB keeps it when the column is renamed,
    /// so a JSON check's column is read from the expression.
    pub(super) fn check(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
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

    pub(super) fn table(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let mut t = Table::new(r.text(0)?);
        t.comment = r.opt_text(1)?.filter(|c| !c.is_empty());
        if let Some(collation) = r.opt_text(2)? {
            // Every collation's name starts with its character set's and `_`
            // (`utf8mb4_general_ci`), so the table's default character set needs no join.
            t.options.charset = collation.split_once('_').map(|(cs, _)| cs.to_string());
            t.options.collation = Some(collation.clone());
            self.table_collations.insert(t.name.clone(), collation);
        }
        t.options.engine = r.opt_text(3)?;
        // CREATE_OPTIONS lists only what CREATE TABLE / ALTER TABLE declared
        // (`row_format=DYNAMIC key_block_size=8`); ROW_FORMAT would report the server's default.
        for option in r.opt_text(4)?.unwrap_or_default().split_whitespace() {
            let Some((key, value)) = option.split_once('=') else {
                continue;
            };
            let value = value.trim_matches(['\'', '`']);
            match key.trim_matches('`').to_ascii_lowercase().as_str() {
                "row_format" => t.options.row_format = Some(value.to_ascii_uppercase()),
                "key_block_size" => t.options.key_block_size = value.parse().ok(),
                _ => {}
            }
        }
        self.by_name.insert(t.name.clone(), t);
        Ok(())
    }

    pub(super) fn column(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
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
        // MariaDB says `on update current_timestamp()`, MySQL 8 `on update CURRENT_TIMESTAMP`
        // (lowercased above), both with a precision when the column has one.
        column.on_update_current_timestamp = extra.contains("on update current_timestamp");
        let stored = extra.contains("stored generated") || extra.contains("persistent generated");
        let generated = stored || extra.contains("virtual generated");
        if generated {
            column.generated = Some(Generated {
                expression: check_expression(&r.opt_text(10)?.unwrap_or_default()),
                stored,
            });
        }
        // MariaDB's JSON is longtext with its own fixed collation (`utf8mb4_bin`), part of the
        // type rather than a choice the models make.
        column.collation = r
            .opt_text(9)?
            .filter(|c| !is_json_text && self.table_collations.get(table.as_ref()) != Some(c));
        column.default = match r.opt_text(4)? {
            Some(raw) if !generated => Some(if self.mariadb {
                mariadb_default(&raw)
            } else {
                mysql8_default(&raw, &extra, &column.ty)
            }),
            _ => None,
        };
        // MariaDB gives a NOT NULL `ON UPDATE CURRENT_TIMESTAMP` column declared without a
        // default the zero date-time; it is read as the declaration it came from (MySQL 8 gives
        // none). `canonicalize` drops a model's explicit zero default the same way.
        if column.on_update_current_timestamp
            && !column.nullable
            && column
                .default
                .as_ref()
                .is_some_and(DefaultValue::is_zero_datetime)
        {
            column.default = None;
        }
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
    pub(super) fn foreign_key_column(
        &mut self,
        r: &impl CatalogRow,
    ) -> Result<(), IntrospectError> {
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
                deferrable: Default::default(),
            });
        fk.columns.push(r.text(2)?);
        if fk.referenced_table.is_empty() {
            fk.referenced_table = r.text(3)?;
        }
        fk.referenced_columns.push(r.text(4)?);
        Ok(())
    }

    pub(super) fn foreign_key_rule(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        if let Some(fk) = self.fks.get_mut(&(r.text(0)?, r.text(1)?)) {
            fk.on_update = referential_action(&r.str(2)?);
            fk.on_delete = referential_action(&r.str(3)?);
        }
        Ok(())
    }

    /// Index key parts, grouped by index name.
    pub(super) fn index_part(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let table = r.text(0)?;
        let descending = matches!(r.cell(4)?, Cell::Text(c) if c == "D");
        let part = match (r.opt_text(3)?, r.opt_text(7)?) {
            (Some(column), _) => {
                // A prefix key part: only the first N characters are indexed. MariaDB indexes
                // a whole TEXT/BLOB column given without a length through the longest prefix
                // the key allows (3072 bytes: 768 characters of utf8mb4, 1024 of utf8mb3,
                // 3072 of a one-byte set), so that length is read as the whole column, which is
                // what the model asked for.
                let prefix_length = match r.opt_int(5)? {
                    Some(768 | 1024 | 3072) if self.is_long_column(&table, &column) => None,
                    Some(n) => u32::try_from(n).ok(),
                    None => None,
                };
                IndexColumn {
                    name: column,
                    descending,
                    prefix_length,
                    ..Default::default()
                }
            }
            (None, Some(expr)) => IndexColumn {
                name: normalize_expression(strip_outer_parens(&expr)),
                descending,
                expression: true,
                ..Default::default()
            },
            (None, None) => IndexColumn {
                descending,
                expression: true,
                ..Default::default()
            },
        };
        let plain = !part.expression && !part.descending && part.prefix_length.is_none();
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
                comment: r.opt_text(9)?.filter(|c| !c.is_empty()),
            }),
        };
        entry.parts.push((seq, part, plain));
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

    pub(super) fn finish(mut self) -> Schema {
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
            ix.parts.sort_by_key(|(seq, _, _)| *seq);
            let column_names: Vec<String> =
                ix.parts.iter().map(|(_, p, _)| p.name.clone()).collect();
            // MariaDB enforces a UNIQUE key too long for a B-tree (one over a TEXT column, say)
            // with a hidden hash ("long unique"): it is still the unique constraint the model
            // declared. A commented index stays an index: a constraint carries no comment.
            let plain_method = ix.method == "btree" || (ix.unique && ix.method == "hash");
            let plain =
                plain_method && ix.comment.is_none() && ix.parts.iter().all(|(_, _, plain)| *plain);
            if name == "PRIMARY" {
                t.primary_key = Some(PrimaryKey {
                    name: None,
                    columns: column_names,
                });
            } else if ix.unique && plain {
                t.unique_constraints.push(UniqueConstraint {
                    name: Some(name),
                    columns: column_names,
                    deferrable: Default::default(),
                });
            } else if !ix.unique
                && plain
                && is_implicit_fk_index(&table, &name, &column_names, &self.fks)
            {
                continue;
            } else {
                t.indexes.push(Index {
                    name,
                    columns: ix.parts.into_iter().map(|(_, p, _)| p).collect(),
                    unique: ix.unique,
                    method: (ix.method != "btree").then_some(ix.method),
                    predicate: None,
                    comment: ix.comment,
                    ..Default::default()
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
            objects: Vec::new(),
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
