//! Renders a list of schema [`Change`]s as SQL for one dialect, and says how each dialect stores a
//! model schema ([`canonicalize`]).
//!
//! The renderer walks the change list while tracking the schema state with
//! [`autogen_diff::apply`], so every statement is written against what the table looks like at
//! that point (the SQLite table rebuild needs the whole table). Dialect knowledge lives in
//! `dialect/`: `dialect/mod.rs` is the only place that matches on [`Dialect`]; each dialect module
//! documents its type table. This crate deliberately does not order changes (the differ does),
//! open connections, or decide what a change means: it only spells it.
//!
//! Every identifier goes through [`quote_ident`] and every string literal through the dialect's
//! literal escaping, so hostile names cannot break out of the SQL. CHECK expressions, index
//! predicates and expression defaults are SQL written by the model author and are emitted as
//! written (inside parentheses). Output is byte-for-byte deterministic: no hash-map order reaches
//! it.

mod ddl;
mod dialect;
mod error;
mod hazard;
mod lock_timeout;
mod objects;
mod order;
mod state;

/// Schema builders shared by the unit tests.
#[cfg(test)]
mod testing {
    use autogen_schema::{ForeignKey, ReferentialAction};

    /// `fk_<to>`: column `x` referencing `<to>.id`, no actions.
    pub(crate) fn fk(to: &str) -> ForeignKey {
        ForeignKey {
            name: Some(format!("fk_{to}")),
            columns: vec!["x".into()],
            referenced_table: to.into(),
            referenced_columns: vec!["id".into()],
            on_delete: ReferentialAction::NoAction,
            on_update: ReferentialAction::NoAction,
            deferrable: Default::default(),
        }
    }
}

use autogen_diff::Change;
use autogen_schema::{Dialect, Schema, ServerVersion};

pub use error::RenderError;
pub use hazard::{settle_small_rebuilds, Hazard, HazardKind, SQLITE_REBUILD_ROWS};
pub use lock_timeout::{LockTimeout, MYSQL_LOCK_TIMEOUT, POSTGRES_LOCK_TIMEOUT};

/// One SQL statement of a rendered change list, with the facts the renderer knows about it.
/// The facts are data, not text: the revisions crate, which owns the file format, decides how
/// each is written (`-- destructive: ...`, `-- autogen:rebuild ...`), and nothing parses a
/// comment back into a fact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statement {
    /// The statement, without a trailing semicolon.
    pub sql: String,
    /// What running it loses (the differ's data-loss description), `None` when it loses
    /// nothing. Written as a `-- destructive:` line that `--deny-destructive` looks for.
    pub data_loss: Option<String>,
    /// One line for the reader (why a table is rebuilt, what a step is for).
    pub note: Option<String>,
    /// The copy step of a SQLite table rebuild: the table and its columns as the rebuild expects
    /// them when it starts. The runner refuses the rebuild when the live table differs.
    pub rebuild: Option<RebuildExpectation>,
    /// What it risks on a live table with rows (a lock, a rewrite, a scan, a failure on existing
    /// rows); written as a `-- hazard:` line that `--deny-hazards` looks for.
    pub hazard: Option<Hazard>,
    /// Runs outside the revision's transaction (PostgreSQL's `CREATE INDEX CONCURRENTLY`, a
    /// `VALIDATE CONSTRAINT` that must not keep the lock of the statement before it): written
    /// with an `-- autogen:no-transaction` line above it.
    pub no_transaction: bool,
}

/// How the renderer writes the changes that lock or rewrite a live table: `safety = "online"`
/// in autogen.toml or `--safety online` (README, "Hazards and online mode").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Safety {
    /// The plain statements, each hazard marked.
    #[default]
    Default,
    /// The forms that keep the table writable where the dialect has them.
    Online,
}

impl Safety {
    /// `default` or `online`.
    pub fn parse(name: &str) -> Option<Safety> {
        match name {
            "default" => Some(Safety::Default),
            "online" => Some(Safety::Online),
            _ => None,
        }
    }

    /// The configuration spelling: `default`, `online`.
    pub fn name(self) -> &'static str {
        match self {
            Safety::Default => "default",
            Safety::Online => "online",
        }
    }
}

/// What the statements are written for: the server's version (the dialect's assumed one when
/// `None`; it decides hazards and, in online mode, which forms the server accepts), the
/// safety mode, and the lock wait online mode sets (`lock_timeout` in autogen.toml; the
/// dialect's default, [`POSTGRES_LOCK_TIMEOUT`] or [`MYSQL_LOCK_TIMEOUT`], when `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Target {
    pub server: Option<ServerVersion>,
    pub safety: Safety,
    pub lock_timeout: Option<LockTimeout>,
}

/// What a SQLite table rebuild expects of the live table (see [`Statement::rebuild`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildExpectation {
    pub table: String,
    pub columns: Vec<String>,
}

impl Statement {
    /// A statement with no facts attached.
    pub fn new(sql: impl Into<String>) -> Self {
        Statement {
            sql: sql.into(),
            ..Statement::default()
        }
    }

    /// This statement, losing what `loss` says (nothing when `None`).
    pub fn with_loss(mut self, loss: Option<String>) -> Self {
        self.data_loss = loss;
        self
    }

    /// This statement with a hazard.
    pub fn with_hazard(mut self, hazard: Hazard) -> Self {
        self.hazard = Some(hazard);
        self
    }

    /// This statement, run outside the revision's transaction.
    pub fn outside_transaction(mut self) -> Self {
        self.no_transaction = true;
        self
    }

    /// This statement with a note for the reader.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// Renders `changes`, applied in order to `from`, as SQL statements for `dialect`.
///
/// `from` must be the schema the changes start from (the live database, canonicalised); a change
/// that does not fit it is [`RenderError::State`]. A change the dialect cannot express is
/// [`RenderError::Unsupported`] with a hint.
pub fn render(
    dialect: Dialect,
    from: &Schema,
    changes: &[Change],
) -> Result<Vec<Statement>, RenderError> {
    render_on(dialect, Target::default(), from, changes)
}

/// [`render`] for `target`: a server of a known version, whose hazard rules may differ from
/// those of the version assumed without one ([`assumed_server`]), and the safety mode, which
/// decides the forms written.
pub fn render_on(
    dialect: Dialect,
    target: Target,
    from: &Schema,
    changes: &[Change],
) -> Result<Vec<Statement>, RenderError> {
    let d = dialect::for_target(dialect, target);
    let mut state = state::involved(from, changes);
    let mut statements = objects::render_with_objects(dialect, d.as_ref(), &mut state, changes)?;
    d.finish_section(&mut statements);
    Ok(statements)
}

/// The server version the hazard rules assume when the database was not asked: PostgreSQL 15,
/// MariaDB 10.11; `None` for SQLite, whose rules do not depend on the version.
pub fn assumed_server(dialect: Dialect) -> Option<ServerVersion> {
    dialect::assumed_server(dialect)
}

/// Renders `changes` from `from` and then their inverse ([`autogen_diff::downgrade`]) from where
/// `changes` end: a revision's upgrade and downgrade. One tracked state serves both directions,
/// so the schema after the upgrade is never built separately.
pub fn render_upgrade_downgrade(
    dialect: Dialect,
    from: &Schema,
    changes: &[Change],
) -> Result<(Vec<Statement>, Vec<Statement>), RenderError> {
    render_upgrade_downgrade_on(dialect, Target::default(), from, changes)
}

/// [`render_upgrade_downgrade`] for `target` (see [`render_on`]); the downgrade is written in
/// the same mode.
pub fn render_upgrade_downgrade_on(
    dialect: Dialect,
    target: Target,
    from: &Schema,
    changes: &[Change],
) -> Result<(Vec<Statement>, Vec<Statement>), RenderError> {
    let d = dialect::for_target(dialect, target);
    let d = d.as_ref();
    let mut state = state::involved(from, changes);
    let mut upgrade = objects::render_with_objects(dialect, d, &mut state, changes)?;
    let mut downgrade =
        objects::render_with_objects(dialect, d, &mut state, &autogen_diff::downgrade(changes))?;
    d.finish_section(&mut upgrade);
    d.finish_section(&mut downgrade);
    Ok((upgrade, downgrade))
}

/// The model schema as `dialect` will store it and report it back through introspection, so
/// that `introspect(database after upgrade) == canonicalize(models)`. See each dialect module's
/// documentation for what it changes.
pub fn canonicalize(dialect: Dialect, schema: &Schema) -> Schema {
    let mut out = schema.clone();
    canonicalize_in_place(dialect, &mut out);
    out
}

/// [`canonicalize`] without the copy, for a caller that owns the model schema and needs only the
/// canonical form (copying 5,000 model tables was most of `canonicalize`'s time in perf).
pub fn canonicalize_in_place(dialect: Dialect, schema: &mut Schema) {
    dialect::get(dialect).canonicalize(schema)
}

/// Quotes an identifier for `dialect`: `"x"` with `"` doubled on SQLite and PostgreSQL, `` `x` ``
/// with `` ` `` doubled on MySQL/MariaDB.
pub fn quote_ident(dialect: Dialect, ident: &str) -> String {
    dialect::get(dialect).quote(ident)
}

/// A column type as `dialect` spells it in DDL, exactly as the renderer writes it in a
/// revision (the facade creates temporary tables with it to let the server print the models'
/// expressions; see `autogen_introspect::print_expressions`).
pub fn type_sql(dialect: Dialect, ty: &autogen_schema::ColumnType) -> String {
    dialect::get(dialect).type_sql(ty)
}

/// The constraint kinds `dialect`'s renderer renames in place: what the caller hands the differ
/// as `DiffOptions::constraint_renames`, so that a constraint named after a renamed table or
/// column is renamed with it where the dialect can (and keeps its name where it cannot).
pub fn constraint_renames(dialect: Dialect) -> autogen_diff::ConstraintRenames {
    dialect::get(dialect).constraint_renames()
}

/// What `dialect`'s renderer replaces in place among objects and whether its table changes may
/// rebuild a table: what the caller hands the differ as `DiffOptions::object_rules`.
pub fn object_rules(dialect: Dialect) -> autogen_diff::ObjectRules {
    dialect::get(dialect).object_rules()
}

/// A default as `dialect` spells it after `DEFAULT`, exactly as the renderer writes it.
pub fn default_sql(dialect: Dialect, default: &autogen_schema::DefaultValue) -> String {
    dialect::get(dialect).default_sql(default)
}

/// Renders the statements that create `schema` from nothing: its enum types, then its tables in
/// foreign-key order (a table after the tables it references; tables on a reference cycle get the
/// cycle's foreign keys added at the end). The schema is rendered as given: canonicalise it first
/// if it comes from models.
pub fn render_create_schema(
    dialect: Dialect,
    schema: &Schema,
) -> Result<Vec<Statement>, RenderError> {
    let changes = order::create_schema_changes(schema);
    render(dialect, &Schema::default(), &changes)
}
