//! Structs that read a view (`#[model(view = "...")]`, see `autogen_models::ViewModel`) checked
//! against the views the project's SQL files declare: the view must be declared there
//! ([`check_declared`], right after the files are read, no database needed), and the struct's
//! fields must be the view's columns by name ([`check_columns`], once the server printed the
//! declared objects, since only the server knows a view's columns).
//!
//! Where the columns come from: the declared view's print (`SchemaObject::columns`, `name type`;
//! PostgreSQL, and MySQL/MariaDB's scratch-database print); else, where the database holds the
//! same view (its definition equal to the declared one), the database's view (PostgreSQL lists
//! its columns, SQLite is asked with `autogen_introspect::view_columns`); else nothing is known
//! and no column is checked (a new view on SQLite). Only names are compared: a view column's
//! nullability is unknown on most servers, so a field's `Option` says nothing checkable.
//!
//! A project without view structs pays nothing here: both checks return at once. Neither
//! changes the comparison: a view struct never becomes a table or a change.

use autogen_db::Connection;
use autogen_models::{ModelErrors, ViewModel};
use autogen_schema::{Dialect, ObjectKind, Schema, SchemaObject};

use crate::error::Error;
use crate::ops::source::Side;

/// Refuses a view struct whose view no SQL file declares (as a view or materialized view).
pub(crate) fn check_declared(
    views: &[ViewModel],
    objects: &[SchemaObject],
    schema_files: &[String],
) -> Result<(), Error> {
    let mut errors = Vec::new();
    for v in views {
        if declared(v, objects).is_some() {
            continue;
        }
        let help = if schema_files.is_empty() {
            format!(
                "the project has no `schema_files`: write `CREATE VIEW {name} AS SELECT ...` in a SQL file (e.g. schema/views.sql) and add `schema_files = [\"schema/*.sql\"]` to autogen.toml",
                name = v.bare_name()
            )
        } else {
            let mut names: Vec<&str> = objects
                .iter()
                .filter(|o| is_view(o))
                .map(|o| o.name.as_str())
                .collect();
            names.sort_unstable();
            let known = if names.is_empty() {
                "they declare no view".to_string()
            } else {
                format!("the views they declare: {}", names.join(", "))
            };
            format!(
                "declare it with `CREATE VIEW {} AS SELECT ...` in one of the schema files ({}); {known}",
                v.bare_name(),
                schema_files.join(", ")
            )
        };
        errors.push(v.view_error(
            format!(
                "`{}` reads view `{}`, which the schema files do not declare",
                v.rust_name, v.view
            ),
            Some(help),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::ViewModels(ModelErrors(errors)))
    }
}

/// Refuses a view struct whose fields are not its view's columns (see the module comment for
/// where the columns come from). `models` is the models' side after the server printed its
/// objects; `database` the schema it is compared with, read through `conn`.
pub(crate) async fn check_columns(
    conn: &mut Connection,
    dialect: Dialect,
    models: &Side,
    database: &Schema,
) -> Result<(), Error> {
    if models.views.is_empty() {
        return Ok(());
    }
    // Per view struct: the view's columns when known, or the name to ask the database for.
    let mut known: Vec<Option<Vec<String>>> = Vec::with_capacity(models.views.len());
    let mut ask: Vec<(usize, String)> = Vec::new();
    for (i, v) in models.views.iter().enumerate() {
        let Some(declared) = declared(v, &models.schema.objects) else {
            known.push(None);
            continue;
        };
        if !declared.columns.is_empty() {
            known.push(Some(column_names(&declared.columns)));
            continue;
        }
        let live = database
            .objects
            .iter()
            .find(|o| o.same_object(declared) && o.definition == declared.definition);
        match live {
            Some(l) if !l.columns.is_empty() => known.push(Some(column_names(&l.columns))),
            Some(l) => {
                ask.push((i, l.name.clone()));
                known.push(None);
            }
            None => known.push(None),
        }
    }
    if !ask.is_empty() {
        let names: Vec<String> = ask.iter().map(|(_, n)| n.clone()).collect();
        // A database that cannot say leaves the columns unknown: no check rather than a
        // false error.
        if let Ok(columns) = autogen_introspect::view_columns(conn, &names).await {
            for ((i, _), cols) in ask.iter().zip(columns) {
                if !cols.is_empty() {
                    known[*i] = Some(cols);
                }
            }
        }
    }
    let fold = |s: &str| {
        if dialect.column_names_fold_case() {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    };
    let mut errors = Vec::new();
    for (v, columns) in models.views.iter().zip(known) {
        let Some(columns) = columns else { continue };
        let view_keys: Vec<String> = columns.iter().map(|c| fold(c)).collect();
        let field_keys: Vec<String> = v.columns.iter().map(|c| fold(c)).collect();
        let no_column: Vec<&str> = v
            .columns
            .iter()
            .zip(&field_keys)
            .filter(|(_, k)| !view_keys.contains(k))
            .map(|(c, _)| c.as_str())
            .collect();
        let no_field: Vec<&str> = columns
            .iter()
            .zip(&view_keys)
            .filter(|(_, k)| !field_keys.contains(k))
            .map(|(c, _)| c.as_str())
            .collect();
        if no_column.is_empty() && no_field.is_empty() {
            continue;
        }
        let mut parts = Vec::new();
        if !no_column.is_empty() {
            parts.push(format!(
                "no view column for field{} {}",
                plural(no_column.len()),
                ticked(&no_column)
            ));
        }
        if !no_field.is_empty() {
            parts.push(format!(
                "no field for view column{} {}",
                plural(no_field.len()),
                ticked(&no_field)
            ));
        }
        errors.push(v.struct_error(
            format!(
                "`{}` does not match the columns of view `{}`: {}",
                v.rust_name,
                v.view,
                parts.join("; ")
            ),
            Some(format!(
                "the view's columns are {}, the struct's fields read {}; rename a field or give it #[model(column = \"...\")], add a field for each view column, and mark fields the view does not have #[model(skip)]",
                ticked(&columns.iter().map(String::as_str).collect::<Vec<_>>()),
                ticked(&v.columns.iter().map(String::as_str).collect::<Vec<_>>()),
            )),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::ViewModels(ModelErrors(errors)))
    }
}

fn is_view(o: &SchemaObject) -> bool {
    matches!(o.kind, ObjectKind::View | ObjectKind::MaterializedView)
}

/// The declared view (or materialized view) a struct reads.
fn declared<'a>(v: &ViewModel, objects: &'a [SchemaObject]) -> Option<&'a SchemaObject> {
    objects.iter().find(|o| is_view(o) && o.name == v.view)
}

/// The names of a print's `name type` columns, the name quoted by the server where it needs
/// quotes (`"Name" text` on PostgreSQL, `` `name` int(11) `` on MySQL/MariaDB).
fn column_names(columns: &[String]) -> Vec<String> {
    columns.iter().map(|c| column_name(c)).collect()
}

fn column_name(column: &str) -> String {
    let mut chars = column.chars().peekable();
    match chars.peek().copied() {
        Some(q @ ('"' | '`')) => {
            chars.next();
            let mut name = String::new();
            while let Some(c) = chars.next() {
                if c == q {
                    if chars.peek() == Some(&q) {
                        chars.next();
                        name.push(q);
                    } else {
                        break;
                    }
                } else {
                    name.push(c);
                }
            }
            name
        }
        _ => column.split(' ').next().unwrap_or_default().to_string(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn ticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_are_read_from_the_print() {
        let print = [
            "id integer".to_string(),
            "\"Odd \"\"Name\" text".to_string(),
            "`mail` varchar(255)".to_string(),
            "`a``b` int(11)".to_string(),
        ];
        assert_eq!(column_names(&print), ["id", "Odd \"Name", "mail", "a`b"]);
    }
}
