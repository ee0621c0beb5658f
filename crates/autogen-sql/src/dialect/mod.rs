//! The one place that matches on [`Dialect`]: it hands out the dialect's [`SqlDialect`]
//! implementation. Everything a dialect decides (identifier quoting, literal escaping, type
//! spelling, what an ALTER can do, canonicalisation) sits behind that trait, one module per
//! dialect; the shared clause writers in `crate::ddl` only call the trait.

mod mysql;
mod mysql_hazards;
mod mysql_online;
mod postgres;
mod postgres_enum;
mod postgres_hazards;
mod postgres_online;
mod postgres_schemas;
mod sqlite;
mod sqlite_cycles;
mod sqlite_group;
mod sqlite_rebuild;
mod sqlite_rowid_renames;

use autogen_diff::{Change, ConstraintRenames};
use autogen_schema::{ColumnType, DefaultValue, Dialect, Schema, ServerVersion};

use crate::{RenderError, Statement};

/// What the renderer needs to know about one dialect.
pub(crate) trait SqlDialect: Sync {
    /// The identifier quote character; a quote inside an identifier is doubled.
    fn quote_char(&self) -> char;

    /// A table named by its key (see [`autogen_schema::Table::name`]): PostgreSQL writes a
    /// table of another schema `"schema"."name"`; everywhere else this is [`SqlDialect::quote`].
    fn quote_table(&self, table: &str) -> String {
        self.quote(table)
    }

    /// `ident` quoted, with the quote character doubled inside.
    fn quote(&self, ident: &str) -> String {
        let q = self.quote_char();
        let mut out = String::with_capacity(ident.len() + 2);
        out.push(q);
        for c in ident.chars() {
            if c == q {
                out.push(q);
            }
            out.push(c);
        }
        out.push(q);
        out
    }

    /// A string literal with `'` doubled (the SQL standard); MySQL also escapes backslashes.
    fn string_literal(&self, s: &str) -> String {
        format!("'{}'", s.replace('\'', "''"))
    }

    /// The column type as this dialect spells it in DDL.
    fn type_sql(&self, ty: &ColumnType) -> String;

    /// A default value as a DDL expression (what follows `DEFAULT`).
    fn default_sql(&self, d: &DefaultValue) -> String {
        match d {
            DefaultValue::Null => "NULL".to_string(),
            DefaultValue::Boolean(true) => "TRUE".to_string(),
            DefaultValue::Boolean(false) => "FALSE".to_string(),
            DefaultValue::Number(n) => n.clone(),
            DefaultValue::String(s) => self.string_literal(s),
            DefaultValue::CurrentTimestamp => "CURRENT_TIMESTAMP".to_string(),
            DefaultValue::CurrentDate => "CURRENT_DATE".to_string(),
            DefaultValue::CurrentTime => "CURRENT_TIME".to_string(),
            DefaultValue::Expression(e) => format!("({e})"),
        }
    }

    /// `DROP TABLE "t"`, through sea-query's builder for the dialect.
    fn drop_table_sql(&self, name: &str) -> String;

    /// The dialect's table rename, through sea-query's builder for the dialect.
    fn rename_table_sql(&self, from: &str, to: &str) -> String;

    /// The constraint kinds this dialect renames in place (`RenameConstraint`), which the
    /// differ is told through `DiffOptions::constraint_renames` so that it proposes only those.
    fn constraint_renames(&self) -> ConstraintRenames;

    /// What this dialect replaces in place among views and functions, and whether its table
    /// changes may rebuild a table: told to the differ through `DiffOptions::object_rules`.
    fn object_rules(&self) -> autogen_diff::ObjectRules;

    /// Turns a model schema into what the dialect stores and reports back (see the crate's
    /// [`crate::canonicalize`]).
    fn canonicalize(&self, schema: &mut Schema);

    /// Renders `changes` against `state`, the schema before them, and leaves `state` advanced past
    /// them.
    fn render(&self, state: &mut Schema, changes: &[Change])
        -> Result<Vec<Statement>, RenderError>;

    /// Adds what a whole section needs around its statements (PostgreSQL online mode: `SET
    /// lock_timeout` first, `RESET lock_timeout` last). Nothing by default.
    fn finish_section(&self, statements: &mut Vec<Statement>) {
        let _ = statements;
    }
}

static POSTGRES: postgres::Postgres = postgres::Postgres {
    server: postgres::ASSUMED_SERVER,
    online: false,
    lock_timeout: crate::POSTGRES_LOCK_TIMEOUT,
};
static SQLITE: sqlite::Sqlite = sqlite::Sqlite { online: false };
static MYSQL: mysql::Mysql = mysql::Mysql {
    server: mysql::ASSUMED_SERVER,
    online: false,
    lock_timeout: crate::MYSQL_LOCK_TIMEOUT,
};

/// The implementation for `dialect`, rendering for the server version it assumes when none is
/// known (PostgreSQL 15, MariaDB 10.11): the version only changes the hazards attached.
pub(crate) fn get(dialect: Dialect) -> &'static dyn SqlDialect {
    match dialect {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
        Dialect::Mysql => &MYSQL,
    }
}

/// The implementation for `dialect` writing for `target`: a server of a known version (the
/// assumed one when `None`), a safety mode and online mode's lock wait.
pub(crate) fn for_target(dialect: Dialect, target: crate::Target) -> Box<dyn SqlDialect> {
    let online = target.safety == crate::Safety::Online;
    match dialect {
        Dialect::Sqlite => Box::new(sqlite::Sqlite { online }),
        Dialect::Postgres => Box::new(postgres::Postgres {
            server: target.server.unwrap_or(postgres::ASSUMED_SERVER),
            online,
            lock_timeout: target.lock_timeout.unwrap_or(crate::POSTGRES_LOCK_TIMEOUT),
        }),
        Dialect::Mysql => Box::new(mysql::Mysql {
            server: target.server.unwrap_or(mysql::ASSUMED_SERVER),
            online,
            lock_timeout: target.lock_timeout.unwrap_or(crate::MYSQL_LOCK_TIMEOUT),
        }),
    }
}

/// The server version `dialect`'s hazard rules assume when the database was not asked.
pub(crate) fn assumed_server(dialect: Dialect) -> Option<ServerVersion> {
    match dialect {
        Dialect::Sqlite => None,
        Dialect::Postgres => Some(postgres::ASSUMED_SERVER),
        Dialect::Mysql => Some(mysql::ASSUMED_SERVER),
    }
}
