//! PostgreSQL online mode (`safety = "online"`): the forms of the lock-taking changes that keep
//! a live table readable and writable, each step with the facts that remain (README, "Hazards and
//! online mode").
//!
//! | change | online form |
//! |---|---|
//! | add index | `CREATE [UNIQUE] INDEX CONCURRENTLY`, a no-transaction step |
//! | drop index | `DROP INDEX CONCURRENTLY`, a no-transaction step |
//! | add foreign key / CHECK | `ADD CONSTRAINT ... NOT VALID`, then `VALIDATE CONSTRAINT` as a no-transaction step (so the scan does not run under the ADD's lock) |
//! | set NOT NULL (12+) | `ADD CONSTRAINT <tmp> CHECK (col IS NOT NULL) NOT VALID`, validate it (no-transaction), `SET NOT NULL` (which uses the valid CHECK instead of scanning), drop the CHECK |
//! | add unique | `CREATE UNIQUE INDEX CONCURRENTLY` (no-transaction), then `ADD CONSTRAINT ... UNIQUE USING INDEX` |
//! | add or change a primary key | nullable key columns made NOT NULL as above, `CREATE UNIQUE INDEX CONCURRENTLY` (no-transaction), then (the old key dropped and) `ADD CONSTRAINT ... PRIMARY KEY USING INDEX` in one transaction |
//! | add column with a default computed per row (11+) | the column added without it, the default set for new rows, the existing rows backfilled by a `DO` block that commits every 1000 pages (no-transaction), then the NOT NULL as above |
//!
//! Every section that has statements starts with `SET lock_timeout` and ends with `RESET
//! lock_timeout`, so a step waiting for its lock behind a long transaction gives up after
//! `lock_timeout` (autogen.toml, default [`crate::POSTGRES_LOCK_TIMEOUT`]) instead of queueing
//! every query of the table behind it; the runner retries such a step (SQLSTATE 55P03)
//! `lock_retries` times with backoff. What has no online form here (a type change that rewrites,
//! an unnamed primary key, an enum rebuild, an identity or generated column added) is written as
//! in the default mode, with its hazard line.

use autogen_diff::Change;
use autogen_schema::{Column, DefaultValue, PrimaryKey, Schema};

use super::postgres::{object_name, old_primary_key_name, Postgres};
use super::postgres_schemas::split;
use super::SqlDialect;
use crate::ddl::{self, alter_table};
use crate::{RenderError, Statement};

/// The dollar-quote tag of the backfill `DO` block, by which the runner knows the step may run
/// again after an interruption (it only fills rows that are still NULL).
pub(crate) const BACKFILL_TAG: &str = "$autogen_backfill$";

/// Pages updated (and committed) per batch of a backfill.
const BACKFILL_PAGES: u32 = 1000;

impl Postgres {
    /// Renders `change` in its online form and returns true, or returns false (writing nothing)
    /// when it has none, so the default form is written with its hazard.
    pub(super) fn render_online(
        &self,
        state: &Schema,
        change: &Change,
        out: &mut Vec<Statement>,
    ) -> Result<bool, RenderError> {
        match change {
            Change::AddIndex { table, index } => {
                let t = state
                    .table(table)
                    .ok_or_else(|| autogen_diff::ApplyError::NoSuchTable(table.clone()))?;
                self.check_index(change, index)?;
                out.push(
                    Statement::new(concurrently(&self.create_index_sql(t, index)))
                        .outside_transaction()
                        .with_note(format!(
                            "online: built without blocking writes (two scans of {table}; waits for the transactions running when it starts){}",
                            if index.unique { "; fails on duplicate rows" } else { "" }
                        )),
                );
                out.extend(self.index_comment(table, index));
            }
            Change::DropIndex { table, index } => out.push(
                Statement::new(format!(
                    "DROP INDEX CONCURRENTLY {}",
                    self.in_schema_of(table, &index.name)
                ))
                .outside_transaction()
                .with_note(format!(
                    "online: waits for the queries using the index, without blocking {table}"
                )),
            ),
            Change::AddForeignKey { table, foreign_key } => {
                let Some(name) = &foreign_key.name else {
                    return Ok(false);
                };
                out.push(
                    Statement::new(format!(
                        "{}ADD {} NOT VALID",
                        alter_table(self, table),
                        ddl::foreign_key_clause(self, foreign_key)
                    ))
                    .with_note(format!(
                        "online: checks new rows only; brief SHARE ROW EXCLUSIVE on {table} and {}",
                        foreign_key.referenced_table
                    )),
                );
                out.push(self.validate(
                    table,
                    name,
                    "every row is checked under SHARE UPDATE EXCLUSIVE: reads and writes continue; fails on a row without a match",
                ));
            }
            Change::AddCheck { table, check } => {
                let Some(name) = &check.name else {
                    return Ok(false);
                };
                out.push(
                    Statement::new(format!(
                        "{}ADD {} NOT VALID",
                        alter_table(self, table),
                        ddl::check_clause(self, check)
                    ))
                    .with_note("online: checks new rows only; a brief ACCESS EXCLUSIVE lock"),
                );
                out.push(self.validate(
                    table,
                    name,
                    "every row is checked under SHARE UPDATE EXCLUSIVE: reads and writes continue; fails on a row that violates it",
                ));
            }
            Change::AddUnique { table, unique } => {
                let Some(name) = &unique.name else {
                    return Ok(false);
                };
                out.push(
                    Statement::new(format!(
                        "CREATE UNIQUE INDEX CONCURRENTLY {} ON {} ({})",
                        self.quote(name),
                        self.quote_table(table),
                        ddl::column_list(self, &unique.columns)
                    ))
                    .outside_transaction()
                    .with_note(format!(
                        "online: the constraint's index built without blocking writes (two scans of {table}); fails on duplicate rows"
                    )),
                );
                out.push(
                    Statement::new(format!(
                        "{}ADD CONSTRAINT {} UNIQUE USING INDEX {}{}",
                        alter_table(self, table),
                        self.quote(name),
                        self.quote(name),
                        unique.deferrable.clause()
                    ))
                    .with_note("online: the index becomes the constraint; a brief ACCESS EXCLUSIVE lock, no scan"),
                );
            }
            Change::AddColumn { table, column } => {
                if !self.backfills(table, column) {
                    return Ok(false);
                }
                self.add_column_backfilled(table, column, out);
            }
            Change::AlterPrimaryKey {
                table,
                from,
                to: Some(new),
            } => return self.primary_key_online(state, change, table, from.as_ref(), new, out),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The online form of a primary key added to (or changed on) an existing table: key columns
    /// still nullable (the differ usually makes them NOT NULL first, through the same online form)
    /// get NOT NULL through a validated CHECK (12+), the key's unique index is
    /// built `CONCURRENTLY` outside the transaction, and `ADD CONSTRAINT ... PRIMARY KEY USING
    /// INDEX` makes it the key (the old key, if any, dropped just before it in the same
    /// transaction), which needs no scan and only a brief lock. A key without a name keeps the
    /// default form and hazard, as an unnamed unique constraint does. Returns false (writing
    /// nothing) then.
    fn primary_key_online(
        &self,
        state: &Schema,
        change: &Change,
        table: &str,
        from: Option<&PrimaryKey>,
        new: &PrimaryKey,
        out: &mut Vec<Statement>,
    ) -> Result<bool, RenderError> {
        let (Some(name), Some(t)) = (&new.name, state.table(table)) else {
            return Ok(false);
        };
        // Columns the key makes NOT NULL: `USING INDEX` would otherwise scan the table for NULLs
        // under ACCESS EXCLUSIVE. Before PostgreSQL 12 a valid CHECK does not spare that scan,
        // so there the default form (and its hazard) stays.
        let nullable: Vec<&String> = new
            .columns
            .iter()
            .filter(|c| t.column(c).is_some_and(|c| c.nullable))
            .collect();
        if !nullable.is_empty() && !self.server.at_least(12, 0) {
            return Ok(false);
        }
        let old_name = from.map(|old| old_primary_key_name(state, table, old));
        // While the old key exists its index holds the name, so the new index is built under a
        // name of its own; `USING INDEX` renames it to the constraint's.
        let index = if old_name.as_deref() == Some(name.as_str()) {
            building_name(name)
        } else {
            name.clone()
        };
        for column in nullable {
            self.set_not_null_online(table, column, out);
        }
        out.push(
            Statement::new(format!(
                "CREATE UNIQUE INDEX CONCURRENTLY {} ON {} ({})",
                self.quote(&index),
                self.quote_table(table),
                ddl::column_list(self, &new.columns)
            ))
            .outside_transaction()
            .with_note(format!(
                "online: the key's index built without blocking writes (two scans of {table}); fails on duplicate rows"
            )),
        );
        if let Some(old) = old_name {
            out.push(
                self.drop_constraint(change, table, Some(old))?
                    .with_note("online: the old key is dropped and the new one added in one transaction: no moment without a key"),
            );
        }
        let rename = if index == *name {
            String::new()
        } else {
            format!(" (the index {index} is renamed {name})")
        };
        out.push(
            Statement::new(format!(
                "{}ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}",
                alter_table(self, table),
                self.quote(name),
                self.quote(&index)
            ))
            .with_note(format!(
                "online: the index becomes the primary key{rename}; the columns are already NOT NULL, so no scan; a brief ACCESS EXCLUSIVE lock"
            )),
        );
        Ok(true)
    }

    /// Whether an added column is written online as nullable, backfilled and constrained: its
    /// default would rewrite the table (a volatile one, or any before PostgreSQL 11), and the
    /// server can commit inside a `DO` block (11+). Identity, serial and generated columns keep
    /// their default form and hazard.
    fn backfills(&self, table: &str, column: &Column) -> bool {
        self.online
            && self.server.at_least(11, 0)
            && !column.auto_increment
            && column.generated.is_none()
            && column.default.is_some()
            && self.add_column_hazard(table, column).is_some()
    }

    /// `ADD COLUMN` of `column` without its default or NOT NULL, the default set for new rows,
    /// the existing rows filled in batches, then the NOT NULL added online.
    fn add_column_backfilled(&self, table: &str, column: &Column, out: &mut Vec<Statement>) {
        let name = &column.name;
        let plain = Column {
            nullable: true,
            default: None,
            ..column.clone()
        };
        out.push(
            Statement::new(format!(
                "{}ADD COLUMN {}",
                alter_table(self, table),
                self.column_def(&plain)
            ))
            .with_note(format!(
                "online: {name} is added without its default (no rewrite), given it for new rows, and the existing rows are filled in batches"
            )),
        );
        let Some(default) = column
            .default
            .as_ref()
            .filter(|d| **d != DefaultValue::Null)
        else {
            return;
        };
        let value = self.default_sql(default);
        out.push(Statement::new(self.alter_column(
            table,
            name,
            &format!("SET DEFAULT {value}"),
        )));
        let quoted_table = self.quote_table(table);
        let col = self.quote(name);
        let tag = BACKFILL_TAG;
        out.push(
            Statement::new(format!(
                "DO {tag}\n\
                 DECLARE\n    \
                 last_page bigint := pg_relation_size({regclass}) / current_setting('block_size')::bigint;\n    \
                 from_page bigint := 0;\n\
                 BEGIN\n    \
                 WHILE from_page <= last_page LOOP\n        \
                 UPDATE {quoted_table} SET {col} = {value}\n        \
                 WHERE ctid >= format('(%s,0)', from_page)::tid AND ctid < format('(%s,0)', from_page + {BACKFILL_PAGES})::tid AND {col} IS NULL;\n        \
                 COMMIT;\n        \
                 from_page := from_page + {BACKFILL_PAGES};\n    \
                 END LOOP;\n\
                 END {tag}",
                regclass = self.string_literal(&quoted_table),
            ))
            .outside_transaction()
            .with_note(format!(
                "online: fills {name} in the existing rows {BACKFILL_PAGES} pages at a time, each batch committed: writes continue (a batch's rows are locked while it runs); safe to run again"
            )),
        );
        if column.nullable {
            return;
        }
        if self.server.at_least(12, 0) {
            self.set_not_null_online(table, name, out);
        } else {
            // PostgreSQL 11 scans for the NOT NULL even with a valid CHECK.
            out.push(
                Statement::new(self.alter_column(table, name, "SET NOT NULL"))
                    .with_hazard(self.set_not_null_hazard(table, name)),
            );
        }
    }

    /// The online `SET NOT NULL` of `table.column` (PostgreSQL 12+ skips the scan when a valid
    /// CHECK proves it): a NOT VALID CHECK, validated outside the transaction, then the NOT NULL
    /// and the CHECK's removal.
    pub(super) fn set_not_null_online(&self, table: &str, column: &str, out: &mut Vec<Statement>) {
        let check = object_name(split(table).1, column, "notnull_ck");
        out.push(
            Statement::new(format!(
                "{}ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
                alter_table(self, table),
                self.quote(&check),
                self.quote(column)
            ))
            .with_note(
                "online: SET NOT NULL through a CHECK validated without blocking writes; a brief ACCESS EXCLUSIVE lock",
            ),
        );
        out.push(self.validate(
            table,
            &check,
            &format!("every row is scanned for a NULL in {column} under SHARE UPDATE EXCLUSIVE: reads and writes continue; fails on a NULL"),
        ));
        out.push(
            Statement::new(self.alter_column(table, column, "SET NOT NULL")).with_note(
                "online: the valid CHECK proves it, so no scan; a brief ACCESS EXCLUSIVE lock",
            ),
        );
        out.push(Statement::new(format!(
            "{}DROP CONSTRAINT {}",
            alter_table(self, table),
            self.quote(&check)
        )));
    }

    /// `ALTER TABLE ... VALIDATE CONSTRAINT`, run outside the transaction so that it does not
    /// keep the lock the `ADD` before it took.
    fn validate(&self, table: &str, name: &str, what: &str) -> Statement {
        Statement::new(format!(
            "{}VALIDATE CONSTRAINT {}",
            alter_table(self, table),
            self.quote(name)
        ))
        .outside_transaction()
        .with_note(format!("online: {what} ({table})"))
    }

    /// Sets the lock timeout around a non-empty section (see the module documentation).
    pub(super) fn bound_lock_waits(&self, statements: &mut Vec<Statement>) {
        if !self.online || statements.is_empty() {
            return;
        }
        let wait = self.lock_timeout.postgres_value();
        statements.insert(
            0,
            Statement::new(format!("SET lock_timeout = '{wait}'")).with_note(format!(
                "online: a step waits at most {wait} for its lock (never queueing the table's queries behind a long transaction); the runner retries it"
            )),
        );
        statements.push(Statement::new("RESET lock_timeout"));
    }
}

/// The name a new primary key's index is built under while the old key still holds `name`:
/// `<name>_new`, shortened to PostgreSQL's 63 bytes without cutting a character.
fn building_name(name: &str) -> String {
    const SUFFIX: &str = "_new";
    let mut end = name.len().min(63 - SUFFIX.len());
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{SUFFIX}", &name[..end])
}

/// `CREATE [UNIQUE] INDEX ...` with `CONCURRENTLY` after `INDEX`.
fn concurrently(create_index: &str) -> String {
    create_index.replacen("INDEX ", "INDEX CONCURRENTLY ", 1)
}
