//! The facade's part in comparing views, triggers, routines and the other declared kinds: reading a
//! database's objects into its schema, leaving out the kinds the project does not manage, and
//! having the server print the objects the SQL files declare (see `schema_files.rs` for the
//! reading and `autogen_introspect::print_objects` for the printing).
//!
//! Which kinds are managed, decided here once: a kind is managed when the project's SQL files
//! declare at least one object of it, or autogen.toml's `manage` names it. A database's objects
//! of other kinds are left out of the comparison (they stay on the "not managed here" line), so
//! a project declaring no view never drops the database's views. Triggers on tables the project
//! does not manage (`include_tables` / `exclude_tables`) are left out too. Two databases compared
//! with each other (`autogen diff URL URL`) carry every kind.

use std::collections::BTreeSet;

use autogen_db::{Connection, DatabaseUrl};
use autogen_introspect::IntrospectOptions;
use autogen_normalize::objects::{definition_key, text_dependencies};
use autogen_schema::{Dialect, ObjectDependency, ObjectKind, Schema, SchemaObject};

use crate::config::Config;
use crate::error::Error;
use crate::ops::source::Side;

/// Reads the objects of `conn`'s database into `schema.objects`, with the comparison text
/// canonical for `dialect` (see [`canonical_definition`]).
pub(crate) async fn read_objects(
    conn: &mut Connection,
    url: &DatabaseUrl,
    pg_schema: Option<String>,
    schema: &mut Schema,
) -> Result<(), Error> {
    let options = IntrospectOptions {
        pg_schema,
        ..IntrospectOptions::default()
    };
    let mut objects = autogen_introspect::objects(conn, &options)
        .await
        .map_err(|source| Error::Introspect {
            url: url.redacted(),
            source,
        })?;
    let dialect = url.dialect();
    let routines = routine_names(&objects);
    for o in &mut objects {
        o.definition = canonical_definition(dialect, o);
        if dialect == Dialect::Postgres {
            o.depends_on
                .extend(body_uses(dialect, o, schema, &routines));
            o.depends_on.sort();
            o.depends_on.dedup();
        }
    }
    schema.objects = objects;
    Ok(())
}

/// The tables and columns of `schema` and the `routines` a PostgreSQL function's or procedure's
/// text names: the catalog records none for a body (but a `BEGIN ATOMIC` one), and a SQL body
/// is checked against the tables and the functions it calls when the routine is created, so it
/// must come after them (see `autogen_diff`'s ordering). Routines of its own name (its
/// overloads, which its `CREATE` names too) are left out, so overloads never wait on each other.
/// Nothing for other kinds, whose catalog dependencies are exact.
fn body_uses(
    dialect: Dialect,
    o: &SchemaObject,
    schema: &Schema,
    routines: &[(ObjectKind, String)],
) -> Vec<ObjectDependency> {
    if !matches!(o.kind, ObjectKind::Function | ObjectKind::Procedure) {
        return Vec::new();
    }
    let others: Vec<(ObjectKind, String)> = routines
        .iter()
        .filter(|(_, name)| bare_name(name) != bare_name(&o.name))
        .cloned()
        .collect();
    text_dependencies(dialect, &o.sql, schema, &others, (o.kind, &o.name))
}

/// The functions and procedures among `objects`, as `text_dependencies` takes them.
fn routine_names(objects: &[SchemaObject]) -> Vec<(ObjectKind, String)> {
    objects
        .iter()
        .filter(|o| matches!(o.kind, ObjectKind::Function | ObjectKind::Procedure))
        .map(|o| (o.kind, o.name.clone()))
        .collect()
}

/// A routine's name without its argument types: `f` for `f(integer)`.
fn bare_name(name: &str) -> &str {
    name.split_once('(').map_or(name, |(n, _)| n)
}

/// The comparison text of an object of `dialect`: where the server keeps the text it was given
/// (SQLite, MariaDB triggers, routines and events) its tokens (`definition_key`), a grant by its
/// privileges, a table's row-level security by the switches it turns on (its parts, `ENABLE ROW
/// LEVEL SECURITY, FORCE ROW LEVEL SECURITY`, however many statements declare them); elsewhere
/// the server's print.
pub(crate) fn canonical_definition(dialect: Dialect, o: &SchemaObject) -> String {
    match (dialect, o.kind) {
        (_, ObjectKind::RowSecurity) if !o.columns.is_empty() => o.columns.join(", "),
        (Dialect::Sqlite, _)
        | (_, ObjectKind::Grant | ObjectKind::RowSecurity)
        | (
            Dialect::Mysql,
            ObjectKind::Trigger | ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Event,
        ) => definition_key(dialect, &o.sql),
        _ => o.definition.clone(),
    }
}

/// Leaves out of the database side what the project does not manage (see the module comment).
/// Which side holds the models is told by its declared renames; with no models side, nothing is
/// left out by kind.
pub(crate) fn keep_managed(config: &Config, a: &mut Side, b: &mut Side) -> Result<(), Error> {
    let filter = config.table_filter().map_err(Error::Internal)?;
    let (models, database) = match (a.renames.is_some(), b.renames.is_some()) {
        (true, false) => (&*a, &mut *b),
        (false, true) => (&*b, &mut *a),
        _ => {
            for side in [a, b] {
                side.schema
                    .objects
                    .retain(|o| o.table.as_deref().is_none_or(|t| filter.manages(t)));
            }
            return Ok(());
        }
    };
    let mut kinds: BTreeSet<ObjectKind> = models.schema.objects.iter().map(|o| o.kind).collect();
    kinds.extend(config.managed_kinds().map_err(Error::Internal)?);
    // Grants are managed per role: the roles the files grant to and those `manage_roles` names
    // (never the owner's or another account's privileges).
    if !config.manage_roles.is_empty() {
        kinds.insert(ObjectKind::Grant);
    }
    let roles: BTreeSet<&str> = models
        .schema
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Grant)
        .map(|o| o.name.as_str())
        .chain(config.manage_roles.iter().map(String::as_str))
        .collect();
    database.schema.objects.retain(|o| {
        kinds.contains(&o.kind)
            && (o.kind != ObjectKind::Grant || roles.contains(o.name.as_str()))
            && o.table.as_deref().is_none_or(|t| filter.manages(t))
    });
    database
        .unmanaged
        .retain(|u| !kinds.iter().any(|k| k.name() == u.kind.name()));
    Ok(())
}

/// Has the server behind `conn` print the objects of `models` (see the module comment of
/// `autogen_introspect::objects`), putting its print in place of the author's tokens as each
/// object's comparison text and, on PostgreSQL, the catalog's exact dependencies in place of
/// the ones read from the text. An object the server refuses keeps its tokens (it then shows
/// as a change, and the revision runs the author's text, where the server's message will
/// appear). Never fails: a server that prints nothing leaves the models as they were.
pub(crate) async fn print_objects(conn: &mut Connection, dialect: Dialect, models: &mut Side) {
    if models.schema.objects.is_empty() || dialect == Dialect::Sqlite {
        return;
    }
    let tables = Schema {
        objects: Vec::new(),
        ..models.schema.clone()
    };
    let Ok(setup) = autogen_sql::render_create_schema(dialect, &tables) else {
        return;
    };
    let setup: Vec<String> = setup.into_iter().map(|s| s.sql).collect();
    // Grants and row-level security compare by their own text (a grant in a MariaDB scratch
    // database would outlive it: dropping a database keeps its table privileges).
    let printable =
        |o: &SchemaObject| !matches!(o.kind, ObjectKind::Grant | ObjectKind::RowSecurity);
    for o in &mut models.schema.objects {
        if !printable(o) {
            o.definition = canonical_definition(dialect, o);
        }
    }
    let to_print: Vec<SchemaObject> = models
        .schema
        .objects
        .iter()
        .filter(|o| printable(o))
        .cloned()
        .collect();
    let Ok(printed) = autogen_introspect::print_objects(conn, &setup, &to_print).await else {
        return;
    };
    let targets = models.schema.objects.iter_mut().filter(|o| printable(o));
    for (o, p) in targets.zip(printed) {
        let Ok(p) = p else { continue };
        // The printed object's `sql` is rebuilt from the scratch catalog, exactly as a live
        // object's is, so both sides get their comparison text the same way.
        o.definition = canonical_definition(dialect, &p);
        o.columns = p.columns;
        // The server's name: a PostgreSQL routine's argument types as the server reads them.
        o.name = p.name;
        if dialect == Dialect::Postgres {
            o.depends_on = p.depends_on;
        }
    }
    if dialect == Dialect::Postgres {
        // A routine keeps the tables and routines its text names (see `body_uses`), under the
        // names the server gave the routines.
        let routines = routine_names(&models.schema.objects);
        for o in models.schema.objects.iter_mut().filter(|o| printable(o)) {
            let from_text = body_uses(dialect, o, &tables, &routines);
            o.depends_on.extend(from_text);
            o.depends_on.sort();
            o.depends_on.dedup();
        }
    }
}
