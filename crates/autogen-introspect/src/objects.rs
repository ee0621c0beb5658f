//! Views, materialized views, triggers and functions as the schema IR's [`SchemaObject`]s:
//! [`objects`] reads them from the catalog with the server's own print, [`print_objects`] has
//! the server print objects declared in SQL files the same way, so both sides compare print
//! against print. One module per dialect (`dialect/<dialect>/objects.rs`) says how.
//!
//! What is read: PostgreSQL views, materialized views, triggers, functions and procedures
//! (named with their argument types), sequences no column owns, domains of the managed schema
//! (not an extension's, not the server's foreign-key triggers) and extensions; MySQL/MariaDB views and
//! triggers; SQLite views and triggers. The comparison text is left as the server printed it;
//! where the server keeps text rather than a parse tree (SQLite, MariaDB triggers) the caller
//! tokenizes both sides (`autogen_normalize::objects::definition_key`). Choosing which kinds a
//! project manages, and filtering by table, is the caller's job.

use autogen_db::Connection;
use autogen_schema::SchemaObject;

use crate::{IntrospectError, IntrospectOptions, IntrospectStats};

/// The objects of the database behind `conn` (on PostgreSQL, of `options.pg_schema`). One or two
/// catalog queries.
pub async fn objects(
    conn: &mut Connection,
    options: &IntrospectOptions,
) -> Result<Vec<SchemaObject>, IntrospectError> {
    let mut stats = IntrospectStats::default();
    match conn {
        Connection::Postgres(c) => {
            let schema = options.pg_schema.as_deref().unwrap_or("public");
            crate::dialect::postgres_objects(c, &mut stats, schema).await
        }
        Connection::Mysql(c) => crate::dialect::mysql_objects(c, &mut stats, None).await,
        Connection::Sqlite(c) => crate::dialect::sqlite_objects(c, &mut stats).await,
    }
}

/// Has the server behind `conn` print `objects` (declared objects, whose `sql` is their author's
/// statement), after creating the tables they read with `setup` (the desired tables' `CREATE`
/// statements) in a scratch place: on PostgreSQL a schema in a transaction that is always rolled
/// back, on MySQL/MariaDB a scratch database dropped again at once. One result per object, in
/// order: the object as the server prints it (read back exactly as [`objects`] reads a live
/// one), or the server's reason for refusing it. On SQLite the objects come back unchanged
/// (SQLite keeps the text it is given). An error means the server would not print at all (no
/// right to create a schema or database, a read-only server); callers keep the author's text.
pub async fn print_objects(
    conn: &mut Connection,
    setup: &[String],
    objects: &[SchemaObject],
) -> Result<Vec<Result<SchemaObject, String>>, IntrospectError> {
    let mut stats = IntrospectStats::default();
    if objects.is_empty() {
        return Ok(Vec::new());
    }
    match conn {
        Connection::Postgres(c) => {
            crate::dialect::postgres_print_objects(c, &mut stats, setup, objects).await
        }
        Connection::Mysql(c) => {
            crate::dialect::mysql_print_objects(c, &mut stats, setup, objects).await
        }
        Connection::Sqlite(_) => Ok(objects.iter().cloned().map(Ok).collect()),
    }
}

/// The result columns of the live views `names` (one list per name, in the view's column order;
/// empty for a name that is no view), on SQLite, which has no print of a declared view. On
/// PostgreSQL and MySQL/MariaDB the lists are empty: there a view's columns come with its print
/// ([`SchemaObject::columns`], `name type`), for declared and live views alike on PostgreSQL and
/// for declared ones on MySQL/MariaDB.
pub async fn view_columns(
    conn: &mut Connection,
    names: &[String],
) -> Result<Vec<Vec<String>>, IntrospectError> {
    let mut stats = IntrospectStats::default();
    match conn {
        Connection::Sqlite(c) if !names.is_empty() => {
            crate::dialect::sqlite_view_columns(c, &mut stats, names).await
        }
        _ => Ok(vec![Vec::new(); names.len()]),
    }
}

/// Pairs each desired object with the server's print of it, read back after the dialect created
/// them all in a scratch place: the refusal message where the server refused the object, else
/// its print (found by kind and name). Shared by the PostgreSQL and MariaDB printers.
pub(crate) fn pair_printed(
    objects: &[SchemaObject],
    refused: Vec<Option<String>>,
    printed: &[SchemaObject],
) -> Vec<Result<SchemaObject, String>> {
    objects
        .iter()
        .zip(refused)
        .map(|(o, refused)| match refused {
            Some(message) => Err(message),
            None => printed
                .iter()
                .find(|p| p.same_object(o))
                .cloned()
                .ok_or_else(|| format!("{} was created under another name", o.label())),
        })
        .collect()
}
