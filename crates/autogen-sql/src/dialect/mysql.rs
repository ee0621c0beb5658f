//! MySQL and MariaDB: type spelling, canonicalisation and rendering. Changes are rendered in
//! place; a column change restates the whole column (`MODIFY COLUMN`), as MySQL requires. The
//! hazards are `mysql_hazards.rs`'s; online mode's algorithm clauses and lock wait bound are
//! `mysql_online.rs`'s.
//!
//! # Types
//!
//! | IR                            | MySQL / MariaDB                          |
//! |-------------------------------|------------------------------------------|
//! | Boolean                       | `tinyint(1)`                             |
//! | TinyInt / SmallInt / Integer / BigInt | `tinyint` / `smallint` / `int` / `bigint`, `unsigned` kept |
//! | Real / Double                 | `float` / `double`                       |
//! | Decimal                       | `decimal(p,s)`                           |
//! | Char / Varchar                | `char(n)` / `varchar(n)`                 |
//! | Text / Blob                   | `text` / `longblob`                      |
//! | Date / Time                   | `date` / `time`                          |
//! | Timestamp tz false / true     | `datetime` / `timestamp` (MySQL converts `timestamp` values to UTC) |
//! | Uuid                          | `char(36)`                               |
//! | Json / Jsonb                  | `json` (MariaDB stores `longtext` with a `json_valid` check) |
//! | Array(element)                | none: the model reader refuses arrays here |
//! | Enum { values }               | inline `enum('a','b')`                   |
//! | Set { values }                | inline `set('a','b')`                    |
//! | Other(raw)                    | `raw` as written                         |
//!
//! Auto-increment is the `AUTO_INCREMENT` column attribute (the column must be a key).
//!
//! # Canonicalisation
//!
//! `canonicalize(Mysql)` agrees with the MySQL introspector's decisions: it turns Uuid into
//! `Char(36)`, Jsonb into Json, a Varchar without length into Text, gives `char` its implied length 1 and
//! `decimal` its implied `(10,0)` / scale 0; names every enum column's type `<table>_<column>`
//! (MySQL enums are anonymous and inline) and clears `Schema::enums`; clears the `btree` index
//! method (InnoDB's default) and the `hash` method (InnoDB builds a B-tree instead); keeps
//! descending key parts (MySQL 8.0 and MariaDB 10.8+ store them) and partial-index predicates
//! (so that rendering one fails with a hint: MySQL has no partial indexes); reports a unique index that a UNIQUE constraint can express
//! (ascending plain columns, default method, no predicate) as that constraint, since MySQL does
//! not tell them apart; drops the primary key's name (always `PRIMARY`); reads `RESTRICT` as
//! `NO ACTION` (identical on InnoDB); turns empty comments into none (MySQL reports "no
//! comment" as `''`); and makes primary-key columns NOT NULL. Json stays Json: the introspector
//! reports MariaDB's `longtext` + `json_valid` check as Json.
//!
//! String literals double `'` and also escape `\`, which MySQL treats as an escape character
//! unless `NO_BACKSLASH_ESCAPES` is set. Defaults: booleans are written `1` / `0` (what MySQL
//! stores and reports); CURRENT_DATE / CURRENT_TIME and expressions are parenthesised expression
//! defaults (MySQL 8.0.13+, MariaDB 10.2+). A literal default on a `text` column needs MySQL
//! 8.0.13+ (MariaDB 10.11 accepts it).

use autogen_diff::{Change, ConstraintKind, ConstraintRenames};
use autogen_schema::{
    Column, ColumnType, DefaultValue, Index, ReferentialAction, Schema, ServerVersion, Table,
    TableOptions, UniqueConstraint,
};
use sea_query::{Alias, MysqlQueryBuilder, Table as SeaTable};

use super::SqlDialect;
use crate::ddl::{self, alter_table, column_list, state_name};
use crate::{RenderError, Statement};

pub(crate) struct Mysql {
    /// The server the statements are for: it decides the algorithm, hence the hazards
    /// (`mysql_hazards.rs`).
    pub(crate) server: ServerVersion,
    /// Online mode: each statement names the algorithm and lock it must get, so the server
    /// refuses rather than copying (`safety = "online"`).
    pub(crate) online: bool,
    /// Online mode: how long each statement waits for its table's metadata lock (`SET SESSION
    /// lock_wait_timeout`, whole seconds).
    pub(crate) lock_timeout: crate::LockTimeout,
}

/// The version the hazard rules assume when the database was not asked.
pub(crate) const ASSUMED_SERVER: ServerVersion = ServerVersion::mariadb(10, 11);

impl SqlDialect for Mysql {
    fn quote_char(&self) -> char {
        '`'
    }

    fn string_literal(&self, s: &str) -> String {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
    }

    fn type_sql(&self, ty: &ColumnType) -> String {
        fn int(base: &str, unsigned: bool) -> String {
            if unsigned {
                format!("{base} unsigned")
            } else {
                base.to_string()
            }
        }
        match ty {
            ColumnType::Boolean => "tinyint(1)".into(),
            ColumnType::TinyInt { unsigned } => int("tinyint", *unsigned),
            ColumnType::SmallInt { unsigned } => int("smallint", *unsigned),
            ColumnType::Integer { unsigned } => int("int", *unsigned),
            ColumnType::BigInt { unsigned } => int("bigint", *unsigned),
            ColumnType::Real => "float".into(),
            ColumnType::Double => "double".into(),
            ColumnType::Decimal { precision, scale } => match (precision, scale) {
                (Some(p), Some(s)) => format!("decimal({p},{s})"),
                (Some(p), None) => format!("decimal({p})"),
                _ => "decimal".into(),
            },
            ColumnType::Char { length } => format!("char({})", length.unwrap_or(1)),
            ColumnType::Varchar { length: Some(n) } => format!("varchar({n})"),
            ColumnType::Varchar { length: None } | ColumnType::Text => "text".into(),
            ColumnType::Blob => "longblob".into(),
            ColumnType::Date => "date".into(),
            ColumnType::Time => "time".into(),
            ColumnType::Timestamp {
                with_time_zone: false,
            } => "datetime".into(),
            ColumnType::Timestamp {
                with_time_zone: true,
            } => "timestamp".into(),
            ColumnType::Uuid => "char(36)".into(),
            ColumnType::Json | ColumnType::Jsonb => "json".into(),
            // MySQL has no arrays (the model reader refuses them); spelled as PostgreSQL does,
            // the server refuses the statement rather than storing something else.
            ColumnType::Array(element) => format!("{}[]", self.type_sql(element)),
            ColumnType::Enum { values, .. } => {
                let values: Vec<String> = values.iter().map(|v| self.string_literal(v)).collect();
                format!("enum({})", values.join(","))
            }
            ColumnType::Set { values } => {
                let values: Vec<String> = values.iter().map(|v| self.string_literal(v)).collect();
                format!("set({})", values.join(","))
            }
            ColumnType::Other(raw) => raw.clone(),
        }
    }

    fn default_sql(&self, d: &DefaultValue) -> String {
        match d {
            DefaultValue::Null => "NULL".into(),
            DefaultValue::Boolean(b) => if *b { "1" } else { "0" }.into(),
            DefaultValue::Number(n) => n.clone(),
            DefaultValue::String(s) => self.string_literal(s),
            DefaultValue::CurrentTimestamp => "CURRENT_TIMESTAMP".into(),
            DefaultValue::CurrentDate => "(CURRENT_DATE)".into(),
            DefaultValue::CurrentTime => "(CURRENT_TIME)".into(),
            DefaultValue::Expression(e) => format!("({e})"),
        }
    }

    fn drop_table_sql(&self, name: &str) -> String {
        SeaTable::drop()
            .table(Alias::new(name))
            .to_string(MysqlQueryBuilder)
    }

    fn rename_table_sql(&self, from: &str, to: &str) -> String {
        SeaTable::rename()
            .table(Alias::new(from), Alias::new(to))
            .to_string(MysqlQueryBuilder)
    }

    /// Only what is an index (`RENAME INDEX`, so unique constraints): MySQL and MariaDB have no
    /// `RENAME CONSTRAINT`, and the primary key is always called `PRIMARY`.
    fn constraint_renames(&self) -> ConstraintRenames {
        ConstraintRenames {
            unique: true,
            ..ConstraintRenames::default()
        }
    }

    fn object_rules(&self) -> autogen_diff::ObjectRules {
        autogen_diff::ObjectRules {
            replace_views: autogen_diff::ViewReplace::Always,
            ..autogen_diff::ObjectRules::default()
        }
    }

    fn canonicalize(&self, out: &mut Schema) {
        ddl::canonicalize_common(out);
        out.enums.clear();
        for t in &mut out.tables {
            if t.comment.as_deref() == Some("") {
                t.comment = None;
            }
            canonical_options(&mut t.options);
            for c in &mut t.columns {
                if c.comment.as_deref() == Some("") {
                    c.comment = None;
                }
                // AUTO_INCREMENT is MySQL's one form; a declared PostgreSQL form means nothing.
                c.identity = None;
                // Collation names are case-insensitive; the server reports them lowercase.
                if let Some(co) = &mut c.collation {
                    *co = co.to_ascii_lowercase();
                }
                // MariaDB takes no NULL / NOT NULL on a generated column and reports every one
                // as nullable; a generated column has no default.
                if c.generated.is_some() {
                    c.nullable = true;
                    c.default = None;
                }
                // A NOT NULL `ON UPDATE CURRENT_TIMESTAMP` column declared without a default
                // gets the zero date-time as its default from MariaDB (whatever
                // `explicit_defaults_for_timestamp` says), which the introspector reads as no
                // default; declaring it is the same column.
                if c.on_update_current_timestamp
                    && !c.nullable
                    && c.default
                        .as_ref()
                        .is_some_and(DefaultValue::is_zero_datetime)
                {
                    c.default = None;
                }
                c.ty = match std::mem::replace(&mut c.ty, ColumnType::Text) {
                    ColumnType::Uuid => ColumnType::Char { length: Some(36) },
                    // MySQL's JSON is already a binary format; there is no second JSON type.
                    ColumnType::Jsonb => ColumnType::Json,
                    ColumnType::Varchar { length: None } => ColumnType::Text,
                    ColumnType::Char { length } => ColumnType::Char {
                        length: Some(length.unwrap_or(1)),
                    },
                    ColumnType::Decimal { precision, scale } => ColumnType::Decimal {
                        precision: Some(precision.unwrap_or(10)),
                        scale: Some(if precision.is_some() {
                            scale.unwrap_or(0)
                        } else {
                            0
                        }),
                    },
                    ColumnType::Enum { values, .. } => ColumnType::Enum {
                        name: format!("{}_{}", t.name, c.name),
                        values,
                    },
                    other => other,
                };
            }
            for ix in &mut t.indexes {
                // InnoDB builds a B-tree for `USING HASH` and reports BTREE (MariaDB's long
                // unique HASH keys are read back as plain unique keys by the introspector).
                if matches!(ix.method.as_deref(), Some("btree") | Some("hash")) {
                    ix.method = None;
                }
                // A prefix as long as its char/varchar column indexes the whole column, and
                // the server stores it as no prefix.
                for part in ix.columns.iter_mut().filter(|p| !p.expression) {
                    let length =
                        t.columns
                            .iter()
                            .find(|c| c.name == part.name)
                            .and_then(|c| match c.ty {
                                ColumnType::Char { length } | ColumnType::Varchar { length } => {
                                    length
                                }
                                _ => None,
                            });
                    if part.prefix_length.is_some() && part.prefix_length == length {
                        part.prefix_length = None;
                    }
                }
            }
            let (constraints, indexes): (Vec<Index>, Vec<Index>) = std::mem::take(&mut t.indexes)
                .into_iter()
                .partition(|ix| is_plain_unique(t, ix));
            t.indexes = indexes;
            t.unique_constraints
                .extend(constraints.into_iter().map(|ix| UniqueConstraint {
                    name: Some(ix.name),
                    columns: ix.columns.into_iter().map(|c| c.name).collect(),
                    deferrable: Default::default(),
                }));
            if let Some(pk) = &mut t.primary_key {
                pk.name = None;
            }
            for fk in &mut t.foreign_keys {
                for action in [&mut fk.on_delete, &mut fk.on_update] {
                    if *action == ReferentialAction::Restrict {
                        *action = ReferentialAction::NoAction;
                    }
                }
            }
        }
    }

    fn render(
        &self,
        state: &mut Schema,
        changes: &[Change],
    ) -> Result<Vec<Statement>, RenderError> {
        let lock_wait = self.lock_wait_step(changes);
        let mut out = ddl::render_each_index_comment(
            state,
            changes,
            '`',
            |state, change, out| {
                let start = out.len();
                self.render_one(state, change, out)?;
                self.classify(state, change, &mut out[start..]);
                self.write_online(state, change, &mut out[start..]);
                Ok(())
            },
            // MySQL and MariaDB have no statement that only sets an index's comment; dropping
            // and adding the same index in one ALTER TABLE is one they recognise as a comment
            // change (MySQL 8 does it in place, touching only metadata), and the table is never
            // without the index, so a foreign key it backs has it throughout.
            |state, table, from, to, out| {
                let t = state
                    .table(table)
                    .ok_or_else(|| autogen_diff::ApplyError::NoSuchTable(table.to_string()))?;
                let add = Change::AddIndex {
                    table: table.to_string(),
                    index: to.clone(),
                };
                let create = self.create_index_sql(&add, t, to)?;
                let action = create.replacen("CREATE ", "ADD ", 1).replacen(
                    &format!(" ON {}", self.quote(table)),
                    "",
                    1,
                );
                let mut statement = Statement::new(format!(
                    "{}DROP INDEX {}, {action}",
                    alter_table(self, table),
                    self.quote(&from.name)
                ));
                // Only InnoDB changes an index's comment in place; the other engines copy, and
                // online mode then has no algorithm to ask for.
                statement.hazard = self.index_comment_hazard(state, table);
                if statement.hazard.is_none() {
                    self.write_online_comment(&mut statement);
                }
                out.push(statement);
                Ok(())
            },
        )?;
        if let Some((set, reset)) = lock_wait {
            out.insert(0, set);
            out.push(reset);
        }
        Ok(out)
    }
}

/// Whether a column change turns a virtual generated column into a stored or plain one, or the
/// other way round, which MODIFY COLUMN cannot do.
pub(super) fn switches_virtual(from: &Column, to: &Column) -> bool {
    let is_virtual = |c: &Column| c.generated.as_ref().is_some_and(|g| !g.stored);
    is_virtual(from) != is_virtual(to)
}

/// Whether MySQL would report `ix` as a UNIQUE constraint: a unique index over plain ascending
/// whole columns with the default method, no predicate and no comment.
fn is_plain_unique(table: &Table, ix: &Index) -> bool {
    ix.unique
        && ix.method.is_none()
        && ix.predicate.is_none()
        && ix.comment.is_none()
        && ix.columns.iter().all(|c| {
            !c.descending
                && !c.expression
                && c.prefix_length.is_none()
                && table.column(&c.name).is_some()
        })
}

/// The fractional-second precision of a `datetime(N)` / `timestamp(N)` column type kept as
/// written (`ColumnType::Other`), which `ON UPDATE CURRENT_TIMESTAMP` must repeat.
fn fractional_precision(ty: &ColumnType) -> Option<u32> {
    let ColumnType::Other(raw) = ty else {
        return None;
    };
    let inner = raw
        .strip_prefix("datetime(")
        .or_else(|| raw.strip_prefix("timestamp("))?
        .strip_suffix(')')?;
    inner.trim().parse().ok()
}

impl Mysql {
    fn column_def(&self, c: &Column) -> String {
        let mut s = format!(
            "{} {}{}",
            self.quote(&c.name),
            self.type_sql(&c.ty),
            ddl::collate_clause(self, c)
        );
        if c.generated.is_some() {
            // MariaDB refuses NULL / NOT NULL (and a default) on a generated column.
            s.push_str(&ddl::generated_clause(c));
            if let Some(cm) = &c.comment {
                s.push_str(" COMMENT ");
                s.push_str(&self.string_literal(cm));
            }
            return s;
        }
        // NULL is spelled out: MySQL has had implicit NOT NULL for `timestamp` columns.
        s.push_str(if c.nullable { " NULL" } else { " NOT NULL" });
        if let Some(d) = &c.default {
            s.push_str(" DEFAULT ");
            s.push_str(&self.default_sql(d));
        }
        if c.on_update_current_timestamp {
            // With the column's fractional-second precision, which the server requires to match
            // (`datetime(3)` takes `CURRENT_TIMESTAMP(3)`).
            s.push_str(" ON UPDATE CURRENT_TIMESTAMP");
            if let Some(p) = fractional_precision(&c.ty) {
                s.push_str(&format!("({p})"));
            }
        }
        if c.auto_increment {
            s.push_str(" AUTO_INCREMENT");
        }
        if let Some(cm) = &c.comment {
            s.push_str(" COMMENT ");
            s.push_str(&self.string_literal(cm));
        }
        s
    }

    fn create_table_sql(&self, t: &Table) -> String {
        let mut parts: Vec<String> = t.columns.iter().map(|c| self.column_def(c)).collect();
        // MySQL always names the primary key PRIMARY; a name given here would be ignored.
        parts.extend(
            t.primary_key
                .iter()
                .map(|pk| format!("PRIMARY KEY ({})", column_list(self, &pk.columns))),
        );
        parts.extend(
            t.unique_constraints
                .iter()
                .map(|u| ddl::unique_clause(self, u)),
        );
        for f in &t.foreign_keys {
            parts.extend(self.server_named_fk_index(t, f));
            parts.push(ddl::foreign_key_clause(self, f));
        }
        parts.extend(t.checks.iter().map(|c| ddl::check_clause(self, c)));
        let mut s = format!(
            "CREATE TABLE {} (\n    {}\n)",
            self.quote(&t.name),
            parts.join(",\n    ")
        );
        if let Some(c) = &t.comment {
            s.push_str(" COMMENT = ");
            s.push_str(&self.string_literal(c));
        }
        for clause in table_option_clauses(&TableOptions::default(), &t.options) {
            s.push(' ');
            s.push_str(&clause);
        }
        s
    }

    /// `KEY \`col\` (..)` for a foreign key the server named (`<table>_ibfk_<n>`, one written
    /// without a name) that no key of `t` covers. Such a key's own index is named after its
    /// first column by the server, but after the key when the key is created under that name;
    /// declaring the index first under the column's name rebuilds what the database had (the
    /// key then uses it), so a baseline or a downgrade gives the same `SHOW CREATE TABLE`.
    fn server_named_fk_index(&self, t: &Table, fk: &autogen_schema::ForeignKey) -> Option<String> {
        let index = implicit_index_name(&t.name, fk)?;
        if fk.name.as_deref() == Some(index.as_str()) || fk_columns_covered(t, &fk.columns) {
            return None;
        }
        Some(format!(
            "KEY {} ({})",
            self.quote(&index),
            column_list(self, &fk.columns)
        ))
    }

    fn create_index_sql(
        &self,
        change: &Change,
        t: &Table,
        index: &Index,
    ) -> Result<String, RenderError> {
        if index.predicate.is_some() {
            return Err(RenderError::unsupported(
                change.describe(),
                "MySQL and MariaDB have no partial indexes; remove the index's predicate (where) for this database",
            ));
        }
        ddl::refuse_index_properties(
            change,
            index,
            "MySQL/MariaDB",
            ddl::IndexSupport {
                prefix_length: true,
                ..ddl::IndexSupport::default()
            },
        )?;
        let (kind, using) = match index.method.as_deref() {
            None => ("", ""),
            Some("btree") => ("", " USING BTREE"),
            Some("hash") => ("", " USING HASH"),
            Some("fulltext") => ("FULLTEXT ", ""),
            Some("spatial") => ("SPATIAL ", ""),
            Some(other) => {
                return Err(RenderError::unsupported(
                    change.describe(),
                    format!(
                        "MySQL has no index method `{other}`; use btree, hash, fulltext or spatial"
                    ),
                ))
            }
        };
        let comment = match &index.comment {
            Some(c) => format!(" COMMENT {}", self.string_literal(c)),
            None => String::new(),
        };
        Ok(format!(
            "CREATE {}{kind}INDEX {} ON {} ({}){using}{comment}",
            if index.unique { "UNIQUE " } else { "" },
            self.quote(&index.name),
            self.quote(&t.name),
            ddl::index_key_parts(self, t, index)
        ))
    }

    fn need_name(&self, change: &Change, name: Option<String>) -> Result<String, RenderError> {
        name.ok_or_else(|| {
            RenderError::unsupported(
                change.describe(),
                "the constraint has no name in the starting schema; name it in the models and \
                 regenerate against a database that reports the name",
            )
        })
    }

    /// Before `change` drops an index, unique constraint or primary key of `t`: an index for
    /// each foreign key that the dropped key served and nothing else will (MySQL error 1553,
    /// "needed in a foreign key constraint", otherwise).
    ///
    /// InnoDB creates an index for a foreign key only when no index starts with its columns, and
    /// silently drops that index when a later one does (say a composite index led by the key's
    /// column). So the state, where the introspector hides the implicit index, is exact: when the
    /// key is covered only by what is being dropped, no other index serves it on the server
    /// either. The index recreated here carries the foreign key's name and exactly its columns,
    /// which is what the introspector takes for the implicit index, so it shows no drift; and a
    /// later `DropForeignKey` of the same key drops it, as it drops an implicit one.
    fn keep_foreign_key_indexes(
        &self,
        t: &Table,
        change: &Change,
        out: &mut Vec<Statement>,
    ) -> Result<(), RenderError> {
        if t.foreign_keys.is_empty() {
            return Ok(());
        }
        let mut after = Schema {
            tables: vec![t.clone()],
            enums: Vec::new(),
            objects: Vec::new(),
        };
        autogen_diff::apply(&mut after, change, '`')?;
        let Some(after) = after.tables.pop() else {
            return Ok(());
        };
        let mut recreated: Vec<&[String]> = Vec::new();
        for fk in &t.foreign_keys {
            if !fk_columns_covered(t, &fk.columns)
                || fk_columns_covered(&after, &fk.columns)
                || recreated.iter().any(|c| starts_with(c, &fk.columns))
            {
                continue;
            }
            // A key without a name comes only from models that were never on a server; MySQL
            // names the index after the key, so there is nothing sensible to call it.
            let name = self.need_name(change, implicit_index_name(&t.name, fk))?;
            out.push(
                Statement::new(format!(
                    "CREATE INDEX {} ON {} ({})",
                    self.quote(&name),
                    self.quote(&t.name),
                    column_list(self, &fk.columns)
                ))
                .with_note(format!(
                    "foreign key {name} needs an index on ({}) once the next statement drops the one that served it",
                    fk.columns.join(", ")
                )),
            );
            recreated.push(&fk.columns);
        }
        Ok(())
    }

    /// The foreign keys' own indexes that `change` (adding an index, unique constraint or
    /// primary key to `t`) makes redundant: those of keys nothing in `t` covers before and the
    /// new key covers after.
    ///
    /// InnoDB drops such an index by itself when it made it, but not when autogen made it (see
    /// [`Self::keep_foreign_key_indexes`]), and the introspector cannot tell the two apart. So
    /// the renderer drops it in the same ALTER TABLE that adds the new key, which works either
    /// way, and the next downgrade can create it again without a duplicate name.
    fn displaced_foreign_key_indexes(
        &self,
        t: &Table,
        change: &Change,
    ) -> Result<Vec<String>, RenderError> {
        if t.foreign_keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut after = Schema {
            tables: vec![t.clone()],
            enums: Vec::new(),
            objects: Vec::new(),
        };
        autogen_diff::apply(&mut after, change, '`')?;
        let Some(after) = after.tables.pop() else {
            return Ok(Vec::new());
        };
        let mut out: Vec<String> = Vec::new();
        for fk in &t.foreign_keys {
            if fk_columns_covered(t, &fk.columns) || !fk_columns_covered(&after, &fk.columns) {
                continue;
            }
            if let Some(name) = implicit_index_name(&t.name, fk) {
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        Ok(out)
    }

    /// `ALTER TABLE t <action>, DROP INDEX <displaced>...`, or the action alone.
    fn with_displaced(&self, table: &str, action: String, displaced: &[String]) -> Statement {
        let mut sql = format!("{}{action}", alter_table(self, table));
        for name in displaced {
            sql.push_str(", DROP INDEX ");
            sql.push_str(&self.quote(name));
        }
        let statement = Statement::new(sql);
        if displaced.is_empty() {
            statement
        } else {
            statement.with_note(format!(
                "the new key serves the foreign key that index {} served",
                displaced.join(", ")
            ))
        }
    }

    fn render_one(
        &self,
        state: &Schema,
        change: &Change,
        out: &mut Vec<Statement>,
    ) -> Result<(), RenderError> {
        refuse_deferrable(change)?;
        let state_table = |name: &str| {
            state
                .table(name)
                .ok_or_else(|| autogen_diff::ApplyError::NoSuchTable(name.to_string()))
        };
        match change {
            // MySQL enums are inline column types: a change of values arrives as the column
            // changes that use them.
            Change::CreateEnum(_) | Change::DropEnum(_) | Change::AlterEnum { .. } => {}
            Change::CreateTable(t) => {
                out.push(Statement::new(self.create_table_sql(t)));
                for ix in &t.indexes {
                    out.push(Statement::new(self.create_index_sql(change, t, ix)?));
                }
            }
            Change::DropTable(t) => {
                out.push(Statement::new(self.drop_table_sql(&t.name)).with_loss(change.data_loss()))
            }
            Change::RenameTable { from, to } => {
                out.push(Statement::new(self.rename_table_sql(from, to)))
            }
            Change::AddColumn { table, column } => out.push(Statement::new(format!(
                "{}ADD COLUMN {}",
                alter_table(self, table),
                self.column_def(column)
            ))),
            Change::DropColumn { table, column } => out.push(
                Statement::new(format!(
                    "{}DROP COLUMN {}",
                    alter_table(self, table),
                    self.quote(&column.name)
                ))
                .with_loss(change.data_loss()),
            ),
            Change::RenameColumn { table, from, to } => out.push(Statement::new(format!(
                "{}RENAME COLUMN {} TO {}",
                alter_table(self, table),
                self.quote(from),
                self.quote(to)
            ))),
            // MariaDB cannot switch a column between virtual and stored (or plain) in place
            // ("not yet supported for generated columns"): drop it and add it again.
            Change::AlterColumn { table, from, to } if switches_virtual(from, to) => {
                let loss = (from.generated.is_none()).then(|| {
                    format!("replaces the values of {table}.{} with computed ones", from.name)
                });
                out.push(
                    Statement::new(format!(
                        "{}DROP COLUMN {}",
                        alter_table(self, table),
                        self.quote(&from.name)
                    ))
                    .with_loss(loss.or_else(|| change.data_loss()))
                    .with_note(format!(
                        "MariaDB cannot switch {table}.{} between virtual and stored in place: the column is dropped and added again",
                        from.name
                    )),
                );
                out.push(Statement::new(format!(
                    "{}ADD COLUMN {}",
                    alter_table(self, table),
                    self.column_def(to)
                )));
            }
            Change::AlterColumn { table, to, .. } => out.push(
                Statement::new(format!(
                    "{}MODIFY COLUMN {}",
                    alter_table(self, table),
                    self.column_def(to)
                ))
                .with_loss(change.data_loss()),
            ),
            Change::AlterPrimaryKey { table, from, to } => {
                self.keep_foreign_key_indexes(state_table(table)?, change, out)?;
                let displaced = self.displaced_foreign_key_indexes(state_table(table)?, change)?;
                let mut actions = Vec::new();
                if from.is_some() {
                    actions.push("DROP PRIMARY KEY".to_string());
                }
                if let Some(pk) = to {
                    actions.push(format!(
                        "ADD PRIMARY KEY ({})",
                        column_list(self, &pk.columns)
                    ));
                }
                actions.extend(
                    displaced
                        .iter()
                        .map(|n| format!("DROP INDEX {}", self.quote(n))),
                );
                // One statement, so that an AUTO_INCREMENT column is never left without a key.
                if !actions.is_empty() {
                    out.push(Statement::new(format!(
                        "{}{}",
                        alter_table(self, table),
                        actions.join(", ")
                    )));
                }
            }
            Change::AddIndex { table, index } => {
                let t = state_table(table)?;
                let create = self.create_index_sql(change, t, index)?;
                let displaced = self.displaced_foreign_key_indexes(t, change)?;
                if displaced.is_empty() {
                    out.push(Statement::new(create));
                } else {
                    // `CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX n ON t (..) [USING ..]` as an
                    // ALTER TABLE action, so the displaced index goes in the same statement.
                    let action = create
                        .replacen("CREATE ", "ADD ", 1)
                        .replacen(&format!(" ON {}", self.quote(table)), "", 1);
                    out.push(self.with_displaced(table, action, &displaced));
                }
            }
            Change::DropIndex { table, index } => {
                self.keep_foreign_key_indexes(state_table(table)?, change, out)?;
                // MariaDB takes no ALGORITHM on DROP INDEX; online mode needs the ALTER form.
                out.push(Statement::new(if self.online {
                    format!(
                        "{}DROP INDEX {}",
                        alter_table(self, table),
                        self.quote(&index.name)
                    )
                } else {
                    format!(
                        "DROP INDEX {} ON {}",
                        self.quote(&index.name),
                        self.quote(table)
                    )
                }));
            }
            Change::AddUnique { table, unique } => {
                let displaced = self.displaced_foreign_key_indexes(state_table(table)?, change)?;
                out.push(self.with_displaced(
                    table,
                    format!("ADD {}", ddl::unique_clause(self, unique)),
                    &displaced,
                ));
            }
            Change::DropUnique { table, unique } => {
                let t = state_table(table)?;
                self.keep_foreign_key_indexes(t, change, out)?;
                let name = state_name(
                    &t.unique_constraints,
                    unique.name.as_ref(),
                    |u| u.columns == unique.columns,
                    |u| u.name.as_ref(),
                );
                out.push(Statement::new(format!(
                    "{}DROP INDEX {}",
                    alter_table(self, table),
                    self.quote(&self.need_name(change, name)?)
                )));
            }
            Change::AddForeignKey { table, foreign_key } => {
                let index = self
                    .server_named_fk_index(state_table(table)?, foreign_key)
                    .map(|k| format!("ADD {k}, "))
                    .unwrap_or_default();
                out.push(Statement::new(format!(
                    "{}{index}ADD {}",
                    alter_table(self, table),
                    ddl::foreign_key_clause(self, foreign_key)
                )))
            }
            Change::DropForeignKey { table, foreign_key } => {
                let t = state_table(table)?;
                let name = state_name(
                    &t.foreign_keys,
                    foreign_key.name.as_ref(),
                    |f| {
                        f.columns == foreign_key.columns
                            && f.referenced_table == foreign_key.referenced_table
                    },
                    |f| f.name.as_ref(),
                );
                let name = self.need_name(change, name)?;
                out.push(Statement::new(format!(
                    "{}DROP FOREIGN KEY {}",
                    alter_table(self, table),
                    self.quote(&name)
                )));
                // MySQL created an index named after the key when no index covered its columns,
                // and keeps it after the key is dropped; the introspector hides it only while the
                // key exists, so it goes with the key.
                // A key the server named (`<table>_ibfk_<n>`) has its index named after its
                // first column.
                if !fk_columns_covered(t, &foreign_key.columns) {
                    let named = autogen_schema::ForeignKey {
                        name: Some(name.clone()),
                        ..foreign_key.clone()
                    };
                    let index = implicit_index_name(table, &named).unwrap_or(name);
                    out.push(Statement::new(format!(
                        "{}DROP INDEX {}",
                        alter_table(self, table),
                        self.quote(&index)
                    )));
                }
            }
            Change::AddCheck { table, check } => out.push(Statement::new(format!(
                "{}ADD {}",
                alter_table(self, table),
                ddl::check_clause(self, check)
            ))),
            Change::DropCheck { table, check } => {
                let t = state_table(table)?;
                let name = state_name(
                    &t.checks,
                    check.name.as_ref(),
                    |c| c.expression == check.expression,
                    |c| c.name.as_ref(),
                );
                // DROP CONSTRAINT: MariaDB 10.2+ and MySQL 8.0.19+ (older MySQL: DROP CHECK).
                out.push(Statement::new(format!(
                    "{}DROP CONSTRAINT {}",
                    alter_table(self, table),
                    self.quote(&self.need_name(change, name)?)
                )));
            }
            Change::AlterTableComment { table, to, .. } => out.push(Statement::new(format!(
                "{}COMMENT = {}",
                alter_table(self, table),
                self.string_literal(to.as_deref().unwrap_or_default())
            ))),
            Change::AlterTableOptions { table, from, to } => {
                let clauses = table_option_clauses(from, to);
                if !clauses.is_empty() {
                    out.push(Statement::new(format!(
                        "{}{}",
                        alter_table(self, table),
                        clauses.join(", ")
                    )));
                }
            }
            // RENAME INDEX: MySQL 5.7+, MariaDB 10.5.2+. A unique constraint is an index here.
            Change::RenameIndex {
                table,
                from: Index { name: from, .. },
                to: Index { name: to, .. },
            }
            | Change::RenameConstraint {
                table,
                kind: ConstraintKind::Unique,
                from,
                to,
            } => out.push(Statement::new(format!(
                "{}RENAME INDEX {} TO {}",
                alter_table(self, table),
                self.quote(from),
                self.quote(to)
            ))),
            // Refused above (`refuse_deferrable`): MySQL has no deferrable constraints.
            Change::AlterForeignKey { .. } => refuse_deferrable(change)?,
            // The differ proposes no other constraint rename for this dialect
            // (`constraint_renames`); a hand-made change list gets a clear error.
            Change::RenameConstraint { .. } => {
                return Err(RenderError::unsupported(
                    change.describe(),
                    "MySQL and MariaDB cannot rename a foreign key, check or primary key in place; the constraint keeps its name (constraints are matched by content)",
                ))
            }
            // Rendered by `crate::objects` around the table changes, never here.
            Change::CreateObject(_) | Change::DropObject(_) | Change::ReplaceObject { .. } => {
                return Err(RenderError::unsupported(
                    change.describe(),
                    "object changes are rendered before or after the table changes",
                ))
            }
        }
        Ok(())
    }
}

/// MySQL and MariaDB check every constraint at once and have no `DEFERRABLE`: a change that
/// would create or keep a deferrable one is refused rather than rendered without it (the model
/// reader already refuses `deferrable` for this dialect; this catches hand-built changes).
fn refuse_deferrable(change: &Change) -> Result<(), RenderError> {
    use autogen_schema::Deferrable::NotDeferrable;
    let deferrable = match change {
        Change::CreateTable(t) => {
            t.foreign_keys.iter().any(|f| f.deferrable != NotDeferrable)
                || t.unique_constraints
                    .iter()
                    .any(|u| u.deferrable != NotDeferrable)
        }
        Change::AddForeignKey { foreign_key, .. } => foreign_key.deferrable != NotDeferrable,
        Change::AddUnique { unique, .. } => unique.deferrable != NotDeferrable,
        Change::AlterForeignKey { .. } => true,
        _ => false,
    };
    if deferrable {
        return Err(RenderError::unsupported(
            change.describe(),
            "MySQL and MariaDB have no DEFERRABLE constraints; remove `deferrable` from the model",
        ));
    }
    Ok(())
}

/// Whether an index, unique constraint or primary key of `t` starts with `columns` (in order):
/// then MySQL needed no index of its own for a foreign key over them.
fn fk_columns_covered(t: &Table, columns: &[String]) -> bool {
    let starts = |key: &[String]| starts_with(key, columns);
    t.primary_key.as_ref().is_some_and(|pk| starts(&pk.columns))
        || t.unique_constraints.iter().any(|u| starts(&u.columns))
        || t.indexes.iter().any(|i| {
            let names: Vec<String> = i.columns.iter().map(|c| c.name.clone()).collect();
            starts(&names)
        })
}

/// Whether `key` starts with `columns`, in order.
fn starts_with(key: &[String], columns: &[String]) -> bool {
    key.len() >= columns.len() && key[..columns.len()] == *columns
}

/// The name of the index InnoDB made for `fk` of `table`: the key's name, or for a key the
/// server named itself (`<table>_ibfk_<n>`) its first column, as the introspector expects.
fn implicit_index_name(table: &str, fk: &autogen_schema::ForeignKey) -> Option<String> {
    let name = fk.name.as_deref()?;
    let auto_named = name
        .strip_prefix(table)
        .and_then(|rest| rest.strip_prefix("_ibfk_"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if auto_named {
        fk.columns.first().cloned()
    } else {
        Some(name.to_string())
    }
}

/// Table options as MySQL/MariaDB report them: engine names in the server's spelling, character
/// sets and collations lowercase, row formats uppercase, and a collation's character set filled
/// in (every collation name starts with its character set's name and `_`). SQLite's flags do not
/// exist here.
fn canonical_options(o: &mut TableOptions) {
    o.strict = false;
    o.without_rowid = false;
    if let Some(e) = &mut o.engine {
        let known = [
            "InnoDB",
            "MyISAM",
            "MEMORY",
            "Aria",
            "CSV",
            "ARCHIVE",
            "BLACKHOLE",
        ];
        if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(e)) {
            *e = (*k).to_string();
        }
    }
    if let Some(r) = &mut o.row_format {
        *r = r.to_ascii_uppercase();
    }
    for v in [&mut o.charset, &mut o.collation].into_iter().flatten() {
        *v = v.to_ascii_lowercase();
    }
    if o.charset.is_none() {
        o.charset = o
            .collation
            .as_deref()
            .and_then(|co| co.split_once('_'))
            .map(|(cs, _)| cs.to_string());
    }
}

/// The `ENGINE = ...`, `ROW_FORMAT = ...`, `KEY_BLOCK_SIZE = ...`, `DEFAULT CHARSET = ...`,
/// `COLLATE = ...` clauses for the options of `to` that differ from `from`. The values are
/// names (the models accept only words, the server reports only words); anything else is
/// dropped from the name rather than written, so a value can never break out of the statement.
fn table_option_clauses(from: &TableOptions, to: &TableOptions) -> Vec<String> {
    fn word(v: &str) -> String {
        v.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    }
    let mut out = Vec::new();
    let mut named = |key: &str, a: &Option<String>, b: &Option<String>| {
        if let (Some(v), true) = (b, a != b) {
            out.push(format!("{key} = {}", word(v)));
        }
    };
    named("ENGINE", &from.engine, &to.engine);
    named("ROW_FORMAT", &from.row_format, &to.row_format);
    if from.key_block_size != to.key_block_size {
        // 0 removes a declared KEY_BLOCK_SIZE; without it the server keeps the old one (and
        // refuses it with any InnoDB row format but COMPRESSED, error 1478).
        out.push(format!(
            "KEY_BLOCK_SIZE = {}",
            to.key_block_size.unwrap_or(0)
        ));
    }
    // A collation names its character set; writing both keeps them consistent.
    let charset_changes = from.charset != to.charset || from.collation != to.collation;
    if let (Some(cs), true) = (&to.charset, charset_changes) {
        out.push(format!("DEFAULT CHARSET = {}", word(cs)));
    }
    if let (Some(co), true) = (&to.collation, charset_changes) {
        out.push(format!("COLLATE = {}", word(co)));
    }
    out
}
