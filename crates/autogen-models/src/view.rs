//! Structs that read a view: `#[model(view = "active_users")]` instead of `table`. Such a struct
//! is no table, so autogen creates, alters and drops nothing for it; the view itself is declared
//! in the project's SQL files (`schema_files`), and the struct's fields name its columns.
//!
//! This module lowers one such struct ([`lower_view`], every check local to it: no table keys,
//! fields with `column` / `skip` only, names that fit the dialect) and defines the public
//! [`ViewModel`] the reader hands back. It deliberately does not check that the view is declared
//! or that its columns match the fields: the SQL files, and the server's print of them, are the
//! facade's (`autogen::view_models`), which builds its errors with [`ViewModel::error`].

use std::collections::HashSet;
use std::path::Path;

use autogen_schema::Dialect;

use crate::error::{Diag, ModelError, Pos};
use crate::grammar::ModelDef;
use crate::names::check_name;

/// A struct that reads a view, as the reader hands it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewModel {
    /// The struct's name.
    pub rust_name: String,
    /// The view's name: bare, or `schema.name` for a view of another managed PostgreSQL schema
    /// (keyed like tables).
    pub view: String,
    /// The columns the struct reads, in field order: each field's `column = "..."`, else its
    /// name (fields marked `skip` are no column).
    pub columns: Vec<String>,
    /// Where the struct's `view = "..."` is, for errors about the view (an error without a
    /// message, which [`ViewModel::view_error`] fills in).
    view_at: ModelError,
    /// Where the struct's name is, for errors about its fields.
    struct_at: ModelError,
}

impl ViewModel {
    /// An error about the view the struct reads (not declared, ...), at its `view = "..."`.
    pub fn view_error(&self, message: impl Into<String>, help: Option<String>) -> ModelError {
        ModelError {
            message: message.into(),
            help,
            ..self.view_at.clone()
        }
    }

    /// An error about the struct's fields (columns the view lacks, ...), at the struct's name.
    pub fn struct_error(&self, message: impl Into<String>, help: Option<String>) -> ModelError {
        ModelError {
            message: message.into(),
            help,
            ..self.struct_at.clone()
        }
    }

    /// The view's name without its schema.
    pub fn bare_name(&self) -> &str {
        self.view
            .rsplit_once('.')
            .map_or(self.view.as_str(), |(_, n)| n)
    }
}

/// One view struct, positions resolved (plain data, so it crosses threads).
#[derive(Debug, Clone)]
pub(crate) struct ViewDraft {
    pub rust_name: String,
    pub name: String,
    pub schema: Option<String>,
    pub schema_pos: Option<Pos>,
    pub view_pos: Pos,
    pub struct_pos: Pos,
    pub columns: Vec<String>,
}

impl ViewDraft {
    pub(crate) fn into_model(self, path: &Path, text: &str, view: String) -> ViewModel {
        ViewModel {
            rust_name: self.rust_name,
            view,
            columns: self.columns,
            view_at: ModelError::at(path, text, self.view_pos, String::new(), None),
            struct_at: ModelError::at(path, text, self.struct_pos, String::new(), None),
        }
    }
}

/// The struct-level keys a view struct takes (besides `view`): the schema its view is in.
const VIEW_STRUCT_KEYS: &[&str] = &["view", "schema"];
/// The field keys a view struct's field takes.
const VIEW_FIELD_KEYS: &[&str] = &["column", "skip"];

/// Lowers a struct with `view = "..."` (the caller checked it has one).
pub(crate) fn lower_view(
    def: &ModelDef,
    dialect: Option<Dialect>,
    diags: &mut Vec<Diag>,
) -> Option<ViewDraft> {
    let (name, view_site) = def.view.clone()?;
    let rust = &def.rust_name;
    for (key, site) in &def.keys {
        if *key == "table" {
            diags.push(
                Diag::new(*site, format!("`{rust}` names both a table and a view"))
                    .help(format!(
                        "a struct is a table or reads a view, not both: remove `table` to read view `{name}`, or remove `view` to make `{rust}` a table"
                    )),
            );
        } else if !VIEW_STRUCT_KEYS.contains(key) {
            diags.push(
                Diag::new(
                    *site,
                    format!("`{key}` is a table attribute, but `{rust}` reads view `{name}`"),
                )
                .help(format!(
                    "autogen creates, alters and drops nothing for a struct that reads a view; remove `{key}` (a view struct takes only `view` and `schema`), and write what the view needs in its CREATE VIEW in the schema files"
                )),
            );
        }
    }
    if !name.trim().is_empty() {
        check_name(&name, "view name", view_site, "", dialect, diags);
    }
    let mut columns = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for field in def.fields.iter().filter(|f| !f.skip) {
        for (key, site) in &field.keys {
            if !VIEW_FIELD_KEYS.contains(key) {
                diags.push(
                    Diag::new(
                        *site,
                        format!(
                            "`{key}` is a table column attribute, but `{rust}` reads view `{name}`"
                        ),
                    )
                    .help(format!(
                        "a field of a struct that reads a view takes only `column = \"...\"` and `skip`; remove `{key}` from field `{}`",
                        field.field_name
                    )),
                );
            }
        }
        let column = field.column_name().to_string();
        let (site, fix) = match &field.column {
            Some((_, site)) => (*site, ""),
            None => (field.site, " with #[model(column = \"...\")]"),
        };
        check_name(&column, "column name", site, fix, dialect, diags);
        if !seen.insert(column.clone()) {
            diags.push(
                Diag::new(site, format!("two fields of `{rust}` read column `{column}`"))
                    .help("give one of them another #[model(column = \"...\")], or mark it #[model(skip)]"),
            );
            continue;
        }
        columns.push(column);
    }
    if columns.is_empty() {
        diags.push(
            Diag::new(def.ident_site, format!("`{rust}` reads no column of view `{name}`"))
                .help("add a field per view column the struct reads (a field marked #[model(skip)] is not a column)"),
        );
    }
    Some(ViewDraft {
        rust_name: rust.clone(),
        name,
        schema: def.schema.as_ref().map(|(s, _)| s.clone()),
        schema_pos: def.schema.as_ref().map(|(_, site)| site.pos()),
        view_pos: view_site.pos(),
        struct_pos: def.ident_site.pos(),
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(src: &str) -> (Option<ViewDraft>, Vec<String>) {
        let item: syn::ItemStruct = syn::parse_str(src).unwrap();
        let mut diags = Vec::new();
        let def = crate::grammar::parse_model(&item.ident, &item.attrs, &item.fields, &mut diags)
            .unwrap();
        let draft = lower_view(&def, None, &mut diags);
        (draft, diags.into_iter().map(|d| d.message).collect())
    }

    #[test]
    fn a_view_struct_keeps_its_column_names_and_refuses_table_keys() {
        let (draft, errors) = lower(
            "#[model(view = \"active_users\")]\nstruct A {\n    id: i64,\n    #[model(column = \"mail\")]\n    email: String,\n    #[model(skip)]\n    cache: Vec<u8>,\n}",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let draft = draft.unwrap();
        assert_eq!(draft.name, "active_users");
        assert_eq!(draft.columns, ["id", "mail"]);
        let (_, errors) = lower(
            "#[model(view = \"v\", table = \"t\", index(columns(\"id\")))]\nstruct A {\n    #[model(primary_key, max_length = 3)]\n    id: i64,\n}",
        );
        assert_eq!(errors.len(), 4, "{errors:?}");
    }
}
