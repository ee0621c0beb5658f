//! The cross-model pass: joins every file's tables and enums into one [`Schema`], checking what
//! no single model can (one model per table, enum types exist, foreign keys point at modelled
//! tables and columns), and collects the declared renames.
//!
//! Lookups go through hash maps keyed by name, so the pass is linear in the number of models;
//! output order never comes from a map: tables keep file order, enums first-use order.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use autogen_schema::{ColumnType, Dialect, EnumType, RenameHints, Schema, TableRename};

use crate::error::{ModelError, ModelErrors, Pos};
use crate::grammar::did_you_mean;
use crate::lower::TableDraft;
use crate::names::{case_fold, case_fold_reason};
use crate::view::{ViewDraft, ViewModel};
use crate::ModelSet;

/// A `#[derive(Enum)]` enum, position resolved.
#[derive(Debug, Clone)]
pub(crate) struct EnumDraft {
    pub rust_name: String,
    pub name: String,
    pub values: Vec<String>,
    pub pos: Pos,
}

/// What one file contributed.
#[derive(Debug, Default)]
pub(crate) struct FileOutput {
    pub tables: Vec<TableDraft>,
    pub enums: Vec<EnumDraft>,
    /// The structs that read a view.
    pub views: Vec<ViewDraft>,
    pub errors: Vec<ModelError>,
}

/// `sources[i]` is the file `outputs[i]` came from (text empty when it could not be read).
/// `dialect` decides whether table names that differ only in case collide.
pub(crate) fn resolve(
    sources: &[(PathBuf, &str)],
    outputs: Vec<FileOutput>,
    mut errors: Vec<ModelError>,
    dialect: Option<Dialect>,
    pg_schemas: &[String],
) -> Result<ModelSet, ModelErrors> {
    let at = |file: usize, pos: Pos, message: String, help: Option<String>| {
        let (path, text) = &sources[file];
        ModelError::at(path, text, pos, message, help)
    };
    let where_is = |file: usize, pos: Pos| {
        format!(
            "{}:{}:{}",
            sources[file].0.display(),
            pos.line,
            pos.column + 1
        )
    };

    let mut tables: Vec<(usize, TableDraft)> = Vec::new();
    let mut view_drafts: Vec<(usize, ViewDraft)> = Vec::new();
    let mut enums: HashMap<String, (usize, EnumDraft)> = HashMap::new();
    for (file, output) in outputs.into_iter().enumerate() {
        errors.extend(output.errors);
        for e in output.enums {
            if let Some((first_file, first)) = enums.get(&e.rust_name) {
                errors.push(at(
                    file,
                    e.pos,
                    format!("two enums named `{}` derive Enum", e.rust_name),
                    Some(format!(
                        "the other is at {}; model columns find enums by name, so rename one",
                        where_is(*first_file, first.pos)
                    )),
                ));
                continue;
            }
            enums.insert(e.rust_name.clone(), (file, e));
        }
        tables.extend(output.tables.into_iter().map(|t| (file, t)));
        view_drafts.extend(output.views.into_iter().map(|v| (file, v)));
    }

    place_schemas(&mut tables, dialect, pg_schemas, &mut errors, &at);

    let mut by_name: HashMap<String, usize> = HashMap::with_capacity(tables.len());
    let mut duplicate = vec![false; tables.len()];
    for (i, (file, draft)) in tables.iter().enumerate() {
        let name = &draft.table.name;
        if let Some(&first) = by_name.get(name) {
            let (first_file, first_draft) = &tables[first];
            errors.push(at(
                *file,
                draft.name_pos,
                format!(
                    "two models for table `{name}`: `{}` and `{}`",
                    first_draft.rust_name, draft.rust_name
                ),
                Some(format!(
                    "`{}` at {} also maps to `{name}`; give one of them another #[model(table = \"...\")]",
                    first_draft.rust_name,
                    where_is(*first_file, first_draft.name_pos)
                )),
            ));
            duplicate[i] = true;
        } else {
            by_name.insert(name.clone(), i);
        }
    }

    // Where the dialect folds the case of table names, `Users` and `users` are one table.
    let mut by_folded: HashMap<String, usize> = HashMap::new();
    for (i, (file, draft)) in tables.iter().enumerate() {
        let name = &draft.table.name;
        let Some(folded) = case_fold(name, dialect) else {
            break;
        };
        match by_folded.get(&folded) {
            Some(&first) if tables[first].1.table.name != *name => {
                let (first_file, first_draft) = &tables[first];
                errors.push(at(
                    *file,
                    draft.name_pos,
                    format!(
                        "tables `{}` and `{name}` differ only in case",
                        first_draft.table.name
                    ),
                    Some(format!(
                        "`{}` at {} maps to `{}`, and {}, so both would be one table; give one of them another #[model(table = \"...\")]",
                        first_draft.rust_name,
                        where_is(*first_file, first_draft.name_pos),
                        first_draft.table.name,
                        case_fold_reason(dialect, "table"),
                    )),
                ));
                duplicate[i] = true;
            }
            Some(_) => {}
            None => {
                by_folded.insert(folded, i);
            }
        }
    }

    // Enum columns, then foreign-key targets.
    let mut schema_enums: Vec<EnumType> = Vec::new();
    let mut enum_seen: HashSet<String> = HashSet::new();
    for (file, draft) in tables.iter_mut() {
        for r in &draft.enum_refs {
            match enums.get(&r.rust_name) {
                Some((_, e)) => {
                    if let Some(column) = draft.table.columns.get_mut(r.column) {
                        column.ty = ColumnType::Enum {
                            name: e.name.clone(),
                            values: e.values.clone(),
                        };
                    }
                }
                None => errors.push(at(
                    *file,
                    r.pos,
                    format!("no SQL type for `{}`", r.rust_name),
                    Some(
                        "use #[model(column_type = \"...\")] or #[model(skip)], or add #[derive(autogen::Enum)] to the enum in a model file"
                            .into(),
                    ),
                )),
            }
        }
    }
    for (_, draft) in &tables {
        for column in &draft.table.columns {
            if let ColumnType::Enum { name, values } = &column.ty {
                if enum_seen.insert(name.clone()) {
                    schema_enums.push(EnumType {
                        name: name.clone(),
                        values: values.clone(),
                    });
                }
            }
        }
    }

    // A foreign key names its target `table` or `schema.table`; a bare name that is no table of
    // the default schema is looked up in the referencing table's own schema, so models of one
    // schema can reference each other as they would in SQL with that schema on the path.
    let default_prefix = pg_schemas.first().map(|s| format!("{s}."));
    for (_, draft) in tables.iter_mut() {
        let own = draft.table.schema.clone();
        for fk in &mut draft.table.foreign_keys {
            if let Some(bare) = default_prefix
                .as_deref()
                .and_then(|p| fk.referenced_table.strip_prefix(p))
            {
                fk.referenced_table = bare.to_string();
            }
            if by_name.contains_key(&fk.referenced_table) {
                continue;
            }
            if let Some(s) = &own {
                let key = autogen_schema::qualified_name(Some(s), &fk.referenced_table);
                if by_name.contains_key(&key) {
                    fk.referenced_table = key;
                }
            }
        }
    }

    let mut sorted_tables: Option<Vec<&str>> = None;
    for (file, draft) in &tables {
        for (fk, pos) in draft.table.foreign_keys.iter().zip(&draft.fk_pos) {
            let target = &fk.referenced_table;
            let Some(&ti) = by_name.get(target) else {
                let names = sorted_tables.get_or_insert_with(|| {
                    let mut v: Vec<&str> = by_name.keys().map(String::as_str).collect();
                    v.sort_unstable();
                    v
                });
                let help = match did_you_mean(target, names.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("the modelled tables are: {}", names.join(", ")),
                };
                errors.push(at(
                    *file,
                    *pos,
                    format!("foreign key references table `{target}`, which no model defines"),
                    Some(help),
                ));
                continue;
            };
            let target_table = &tables[ti].1.table;
            for col in &fk.referenced_columns {
                if target_table.column(col).is_none() {
                    let names = target_table.columns.iter().map(|c| c.name.as_str());
                    let help = match did_you_mean(col, names.clone()) {
                        Some(best) => format!("did you mean `{target}.{best}`?"),
                        None => format!(
                            "the columns of `{target}` are: {}",
                            names.collect::<Vec<_>>().join(", ")
                        ),
                    };
                    errors.push(at(
                        *file,
                        *pos,
                        format!("foreign key references `{target}.{col}`, but table `{target}` has no column `{col}`"),
                        Some(help),
                    ));
                }
            }
        }
    }

    let views = place_views(sources, view_drafts, dialect, pg_schemas, &mut errors, &at);

    if !errors.is_empty() {
        // Stable: io and glob errors (line 0) first within a path, then by position.
        errors.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        return Err(ModelErrors(errors));
    }

    let mut renames = RenameHints::default();
    let mut schema = Schema {
        tables: Vec::with_capacity(tables.len()),
        enums: schema_enums,
        objects: Vec::new(),
    };
    for (i, (_, draft)) in tables.into_iter().enumerate() {
        if duplicate[i] {
            continue;
        }
        if let Some(from) = draft.renamed_from {
            renames.tables.push(TableRename {
                from: rename_source(&from, draft.table.schema.as_deref(), pg_schemas),
                to: draft.table.name.clone(),
            });
        }
        renames.columns.extend(draft.column_renames);
        schema.tables.push(draft.table);
    }
    Ok(ModelSet {
        schema,
        renames,
        views,
    })
}

/// The view structs with their view's key: a `schema = "..."` naming the default schema is
/// dropped; another managed schema is an error (the SQL files' objects live in the default
/// schema), and so are an unlisted schema and the key on another dialect, as for tables.
fn place_views(
    sources: &[(PathBuf, &str)],
    drafts: Vec<(usize, ViewDraft)>,
    dialect: Option<Dialect>,
    pg_schemas: &[String],
    errors: &mut Vec<ModelError>,
    at: &impl Fn(usize, Pos, String, Option<String>) -> ModelError,
) -> Vec<ViewModel> {
    let mut views = Vec::with_capacity(drafts.len());
    for (file, draft) in drafts {
        let schema = match &draft.schema {
            Some(s) if pg_schemas.first() == Some(s) => None,
            Some(s) if pg_schemas.iter().skip(1).any(|p| p == s) => {
                // The SQL files' objects live in the default schema (they are created and read
                // there), so a view of another schema could never be found among them.
                errors.push(at(
                    file,
                    draft.schema_pos.unwrap_or(draft.view_pos),
                    format!(
                        "view `{}` is in schema `{s}`, but autogen manages views in the default schema `{}` only",
                        draft.name,
                        pg_schemas.first().map_or("public", String::as_str)
                    ),
                    Some("declare the view in the schema files (they create it in the default schema) and remove the key, or read it through a view of the default schema".into()),
                ));
                Some(s.clone())
            }
            Some(s) => {
                let pos = draft.schema_pos.unwrap_or(draft.view_pos);
                if matches!(dialect, Some(d) if d != Dialect::Postgres) {
                    errors.push(at(
                        file,
                        pos,
                        format!("`schema = \"{s}\"`: only PostgreSQL has schemas"),
                        Some(
                            "remove the key; on this database every view lives in one place".into(),
                        ),
                    ));
                } else if !pg_schemas.is_empty() {
                    errors.push(at(
                        file,
                        pos,
                        format!(
                            "view `{}` is in schema `{s}`, which autogen.toml does not manage",
                            draft.name
                        ),
                        Some("add it to `schemas` in autogen.toml, or remove the key".into()),
                    ));
                }
                Some(s.clone())
            }
            None => None,
        };
        let key = autogen_schema::qualified_name(schema.as_deref(), &draft.name);
        let (path, text) = &sources[file];
        views.push(draft.into_model(path, text, key));
    }
    views
}

/// Checks each model's `schema = "..."` against the project's schemas (`pg_schemas`, the
/// default first): a model naming the default schema becomes a model without one (keyed by its
/// bare name), one naming an unlisted schema is an error, and so is the key on another dialect.
fn place_schemas(
    tables: &mut [(usize, TableDraft)],
    dialect: Option<Dialect>,
    pg_schemas: &[String],
    errors: &mut Vec<ModelError>,
    at: &impl Fn(usize, Pos, String, Option<String>) -> ModelError,
) {
    for (file, draft) in tables.iter_mut() {
        let Some(schema) = draft.table.schema.clone() else {
            continue;
        };
        let pos = draft.schema_pos.unwrap_or(draft.name_pos);
        if pg_schemas.first() == Some(&schema) {
            let bare = draft.table.bare_name().to_string();
            for r in &mut draft.column_renames {
                r.table = bare.clone();
            }
            draft.table.schema = None;
            draft.table.name = bare;
        } else if pg_schemas.iter().skip(1).any(|s| *s == schema) {
            // Another managed schema: the key `schema.name` stands.
        } else if matches!(dialect, Some(d) if d != Dialect::Postgres) {
            errors.push(at(
                *file,
                pos,
                format!("`schema = \"{schema}\"`: only PostgreSQL has schemas"),
                Some("remove the key; on this database every table lives in one place".into()),
            ));
        } else if !pg_schemas.is_empty() {
            errors.push(at(
                *file,
                pos,
                format!(
                    "table `{}` is in schema `{schema}`, which autogen.toml does not manage",
                    draft.table.bare_name()
                ),
                Some(format!(
                    "add it to `schemas` in autogen.toml (now: {}), or remove the key",
                    pg_schemas
                        .iter()
                        .map(|s| format!("\"{s}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ));
        }
    }
}

/// The key a `renamed_from` names: `schema.old` when it starts with a managed schema (the
/// default one dropped, so a table moved out of it is found by its bare name), otherwise the
/// old name in the model's own schema.
fn rename_source(from: &str, own: Option<&str>, pg_schemas: &[String]) -> String {
    for (i, s) in pg_schemas.iter().enumerate() {
        if let Some(bare) = from
            .strip_prefix(s.as_str())
            .and_then(|r| r.strip_prefix('.'))
        {
            return if i == 0 {
                bare.to_string()
            } else {
                from.to_string()
            };
        }
    }
    autogen_schema::qualified_name(own, from)
}
