//! Lowering one [`ModelDef`] into a [`Table`]: types, nullability, keys, indexes, constraints
//! and generated names, with every check that needs only this one model (key columns exist, one
//! primary key, `auto_increment` on an integer key, `max_length` on text, ...).
//!
//! It deliberately does not look at other models: enum types and foreign-key targets are left
//! for the resolve pass, recorded here with their positions so that pass can report them.

use std::collections::{HashMap, HashSet};

use autogen_schema::{
    normalize_expression, parse_default, parse_type, Check, Column, ColumnRename, ColumnType,
    Dialect, ForeignKey, Generated, Index, IndexColumn, NamingConvention, PrimaryKey,
    ReferentialAction, Table, UniqueConstraint,
};
use autogen_schema::{Identity, IdentityKind};

use crate::error::{Diag, Pos, Site};
use crate::grammar::{did_you_mean, snake_case, FieldDef, ModelDef};
use crate::names::{case_fold, case_fold_reason, check_name, check_text};
use crate::sql_text;
use crate::types::{display_type, map_field_type, Mapped};

/// One model's table plus what the resolve pass still has to check. Plain data (no spans), so
/// it crosses from the parsing threads to the resolve pass.
#[derive(Debug, Clone)]
pub(crate) struct TableDraft {
    pub rust_name: String,
    /// Where the table name comes from (the `table = ...` key, or the struct name).
    pub name_pos: Pos,
    pub table: Table,
    /// Columns whose type is a name that should be a `#[derive(Enum)]` enum.
    pub enum_refs: Vec<EnumRef>,
    /// Positions of the `references = ...` values, parallel to `table.foreign_keys`.
    pub fk_pos: Vec<Pos>,
    pub renamed_from: Option<String>,
    pub column_renames: Vec<ColumnRename>,
    /// Where `schema = "..."` was written, when it was.
    pub schema_pos: Option<Pos>,
}

#[derive(Debug, Clone)]
pub(crate) struct EnumRef {
    pub column: usize,
    pub rust_name: String,
    pub pos: Pos,
}

/// `dialect`: the database the models are read for, whose name rules apply (`None`: only the
/// rules every dialect shares, as in the derive macro).
pub(crate) fn lower_model(
    def: &ModelDef,
    naming: &NamingConvention,
    dialect: Option<Dialect>,
    diags: &mut Vec<Diag>,
) -> TableDraft {
    let (table_name, name_site) = match &def.table {
        Some((name, site)) => (name.clone(), *site),
        None => (snake_case(&def.rust_name), def.ident_site),
    };
    let fix = if def.table.is_some() {
        ""
    } else {
        " with #[model(table = \"...\")]"
    };
    check_name(&table_name, "table name", name_site, fix, dialect, diags);
    if let Some((comment, site)) = &def.comment {
        check_text(comment, "comment", *site, diags);
    }
    if let Some((from, site)) = &def.renamed_from {
        check_text(from, "table name in `renamed_from`", *site, diags);
    }
    if def.fields.iter().all(|f| f.skip) {
        diags.push(
            Diag::new(def.ident_site, format!("`{}` has no columns", def.rust_name)).help(
                "a table needs at least one column; add a field (a field marked #[model(skip)] is not a column), or remove derive(Model)",
            ),
        );
    }
    // A table of another PostgreSQL schema is keyed `schema.name`; the naming convention and
    // every message below use the bare name. The resolve pass maps the default schema back to
    // `None` and refuses a schema the project does not list.
    let schema = def.schema.as_ref().map(|(s, _)| s.clone());
    let key = autogen_schema::qualified_name(schema.as_deref(), &table_name);
    let mut table = Table::new(key.clone());
    table.schema = schema;
    table.comment = def.comment.as_ref().map(|(c, _)| c.clone());
    table.options = lower_table_options(&def.options, dialect, diags);
    let mut draft = TableDraft {
        rust_name: def.rust_name.clone(),
        name_pos: name_site.pos(),
        table: Table::new(key),
        enum_refs: Vec::new(),
        fk_pos: Vec::new(),
        renamed_from: def.renamed_from.as_ref().map(|(s, _)| s.clone()),
        column_renames: Vec::new(),
        schema_pos: def.schema.as_ref().map(|(_, site)| site.pos()),
    };

    // Column names first: key and index columns may name any column, wherever it is declared.
    let mut by_column: HashMap<String, &FieldDef> = HashMap::new();
    // Columns under the dialect's case folding, where it folds (SQLite, MySQL).
    let mut by_folded: HashMap<String, &FieldDef> = HashMap::new();
    let mut field_pk: Option<&FieldDef> = None;
    let mut field_fks: Vec<(ForeignKey, Pos)> = Vec::new();
    let mut field_uniques: Vec<UniqueConstraint> = Vec::new();
    let mut field_indexes: Vec<Index> = Vec::new();
    for field in def.fields.iter().filter(|f| !f.skip) {
        let column_name = field.column_name().to_string();
        let (column_site, fix) = match &field.column {
            Some((_, site)) => (*site, ""),
            None => (field.site, " with #[model(column = \"...\")]"),
        };
        check_name(
            &column_name,
            "column name",
            column_site,
            fix,
            dialect,
            diags,
        );
        if let Some((comment, site)) = &field.comment {
            check_text(comment, "comment", *site, diags);
        }
        if let Some((from, site)) = &field.renamed_from {
            check_text(from, "column name in `renamed_from`", *site, diags);
        }
        if let Some(folded) = case_fold(&column_name, dialect) {
            match by_folded.get(&folded) {
                Some(first) if first.column_name() != column_name => diags.push(
                    Diag::new(
                        column_site,
                        format!(
                            "columns `{}` and `{column_name}` of table `{table_name}` differ only in case; {}, so they would be one column",
                            first.column_name(),
                            case_fold_reason(dialect, "column")
                        ),
                    )
                    .help(format!(
                        "field `{}` maps to `{}`; give one of them another name with #[model(column = \"...\")]",
                        first.field_name,
                        first.column_name()
                    )),
                ),
                Some(_) => {}
                None => {
                    by_folded.insert(folded, field);
                }
            }
        }
        if let Some(first) = by_column.get(&column_name) {
            diags.push(
                Diag::new(
                    field.site,
                    format!("duplicate column `{column_name}` in table `{table_name}`"),
                )
                .help(format!(
                    "field `{}` already maps to `{column_name}`; give one of them another name with #[model(column = \"...\")]",
                    first.field_name
                )),
            );
            continue;
        }
        by_column.insert(column_name.clone(), field);

        let index = table.columns.len();
        let column = lower_column(
            field,
            &column_name,
            index,
            dialect,
            &mut draft.enum_refs,
            diags,
        );
        table.columns.push(column);

        if let Some(pk_site) = field.primary_key {
            if let Some(first) = field_pk {
                diags.push(
                    Diag::new(pk_site, format!("`{}` is a second primary_key field", field.field_name))
                        .help(format!(
                            "`{}` is already the primary key; for a composite key write #[model(primary_key(columns(\"{}\", \"{column_name}\")))] on the struct",
                            first.field_name,
                            first.column_name(),
                        )),
                );
            } else if def.primary_key.is_some() {
                diags.push(
                    Diag::new(
                        pk_site,
                        format!(
                            "`{}` is marked primary_key but the struct also declares primary_key(...)",
                            field.field_name
                        ),
                    )
                    .help("keep one: list every key column in the struct's primary_key(columns(...)) and remove the field's primary_key"),
                );
            } else {
                field_pk = Some(field);
            }
        }
        if field.unique.is_some() {
            field_uniques.push(UniqueConstraint {
                name: Some(naming.unique_name(&table_name, &[&column_name])),
                columns: vec![column_name.clone()],
                deferrable: Default::default(),
            });
        }
        if field.index.is_some() {
            field_indexes.push(Index {
                name: naming.index_name(&table_name, &[&column_name]),
                columns: vec![IndexColumn::asc(column_name.clone())],
                unique: false,
                method: None,
                predicate: None,
                ..Default::default()
            });
        }
        if let Some(fk) = lower_reference(field, &table_name, &column_name, naming, diags) {
            field_fks.push(fk);
        } else {
            for (what, site) in [
                ("on_delete", &field.on_delete),
                ("on_update", &field.on_update),
            ] {
                if let (Some((_, site)), None) = (site, &field.references) {
                    diags.push(
                        Diag::new(*site, format!("`{what}` without `references`"))
                            .help("add the referenced column: `references = \"orgs.id\"`, or remove the key"),
                    );
                }
            }
        }
        if let Some((_, site)) = field.deferrable {
            if field.references.is_none() {
                diags.push(
                    Diag::new(site, "`deferrable` without `references`")
                        .help("a field's `deferrable` is its foreign key's; for a deferrable unique constraint write the struct's `unique(columns(\"a\"), deferrable)`"),
                );
            } else {
                deferrable_dialect("foreign keys", site, dialect, diags);
            }
        }
        if let Some((from, _)) = &field.renamed_from {
            draft.column_renames.push(ColumnRename {
                table: table.name.clone(),
                from: from.clone(),
                to: column_name.clone(),
            });
        }
    }

    let known = |name: &str, site: Site, diags: &mut Vec<Diag>| -> bool {
        if by_column.contains_key(name) {
            return true;
        }
        let mut columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let help = match did_you_mean(name, columns.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => {
                columns.sort_unstable();
                format!("the columns of `{table_name}` are: {}", columns.join(", "))
            }
        };
        diags.push(
            Diag::new(site, format!("table `{table_name}` has no column `{name}`")).help(help),
        );
        false
    };

    // Explicit names are checked like table names; generated ones are already cut to fit.
    let explicit = def
        .primary_key
        .iter()
        .chain(&def.uniques)
        .filter_map(|k| k.name.as_ref())
        .chain(def.checks.iter().filter_map(|c| c.name.as_ref()))
        .map(|n| (n, "constraint name"))
        .chain(
            def.indexes
                .iter()
                .filter_map(|i| i.name.as_ref())
                .map(|n| (n, "index name")),
        );
    for ((name, site), what) in explicit {
        check_name(name, what, *site, "", dialect, diags);
    }
    for check in &def.checks {
        sql_text::check(
            &check.expr,
            "the check expression",
            check.expr_site,
            dialect,
            diags,
        );
    }
    for (predicate, site) in def.indexes.iter().filter_map(|i| i.predicate.as_ref()) {
        sql_text::check(
            predicate,
            "the index predicate (`where`)",
            *site,
            dialect,
            diags,
        );
    }

    // The primary key: a struct-level composite, or the one field marked primary_key.
    if let Some(pk) = &def.primary_key {
        let ok = pk
            .columns
            .iter()
            .fold(true, |ok, (c, site)| known(c, *site, diags) && ok);
        if ok {
            table.primary_key = Some(PrimaryKey {
                name: Some(
                    pk.name
                        .as_ref()
                        .map(|(n, _)| n.clone())
                        .unwrap_or_else(|| naming.primary_key_name(&table_name)),
                ),
                columns: pk.columns.iter().map(|(c, _)| c.clone()).collect(),
            });
        }
    } else if let Some(field) = field_pk {
        table.primary_key = Some(PrimaryKey {
            name: Some(naming.primary_key_name(&table_name)),
            columns: vec![field.column_name().to_string()],
        });
    }
    check_key_columns_not_null(&table, &by_column, diags);
    check_auto_increment(def, &table, diags);

    for index in &def.indexes {
        // Every part is checked, so that each missing column is reported. `name(191)` is a
        // prefix length of column `name` when the table has that column, else a function call.
        let mut ok = true;
        let mut columns = Vec::new();
        for part in &index.columns {
            let Some(site) = part.site else { continue };
            let mut c = IndexColumn {
                name: part.column.clone(),
                descending: part.descending,
                expression: part.expression,
                prefix_length: None,
                opclass: part.opclass.clone(),
                nulls_first: part.nulls_first,
                collation: part.collation.clone(),
            };
            match &part.prefix {
                Some((n, column)) if by_column.contains_key(column.as_str()) => {
                    c.name = column.clone();
                    c.expression = false;
                    c.prefix_length = Some(*n);
                }
                _ if c.expression => c.name = normalize_expression(&c.name),
                _ => ok &= known(&c.name, site, diags),
            }
            columns.push(c);
        }
        for (column, site) in &index.include {
            ok &= known(column, *site, diags);
        }
        let expression = columns.iter().find(|c| c.expression);
        if let (Some(e), None) = (expression, &index.name) {
            let site = index.columns.iter().find_map(|p| p.site);
            if let Some(site) = site {
                diags.push(
                    Diag::new(
                        site,
                        format!("index on the expression `{}` needs a name", e.name),
                    )
                    .help("the naming convention builds index names from column names; write `name = \"ix_...\"` in the index(...)"),
                );
            }
            ok = false;
        }
        if ok {
            // The generated name lists the columns only: direction, method and predicate are
            // not part of it, as in the naming convention's `ix_{table}_{columns}` template.
            let cols: Vec<&str> = columns.iter().map(|p| p.name.as_str()).collect();
            table.indexes.push(Index {
                name: index
                    .name
                    .as_ref()
                    .map(|(n, _)| n.clone())
                    .unwrap_or_else(|| naming.index_name(&table_name, &cols)),
                columns,
                unique: index.unique,
                method: index.method.clone(),
                predicate: index
                    .predicate
                    .as_ref()
                    .map(|(p, _)| normalize_expression(p)),
                include: index.include.iter().map(|(c, _)| c.clone()).collect(),
                nulls_not_distinct: index.nulls_not_distinct,
                comment: index.comment.clone(),
            });
        }
    }
    table.indexes.extend(field_indexes);

    for unique in &def.uniques {
        let ok = unique
            .columns
            .iter()
            .fold(true, |ok, (c, site)| known(c, *site, diags) && ok);
        if ok {
            let cols: Vec<&str> = unique.columns.iter().map(|(c, _)| c.as_str()).collect();
            table.unique_constraints.push(UniqueConstraint {
                name: Some(
                    unique
                        .name
                        .as_ref()
                        .map(|(n, _)| n.clone())
                        .unwrap_or_else(|| naming.unique_name(&table_name, &cols)),
                ),
                columns: cols.iter().map(|c| c.to_string()).collect(),
                deferrable: unique.deferrable.map_or(Default::default(), |(d, _)| d),
            });
            if let Some((_, site)) = unique.deferrable {
                deferrable_dialect("unique constraints", site, dialect, diags);
            }
        }
    }
    table.unique_constraints.extend(field_uniques);

    let mut unnamed = 0;
    for check in &def.checks {
        let expression = normalize_expression(&check.expr);
        let name = match &check.name {
            Some((n, _)) => n.clone(),
            None => {
                unnamed += 1;
                naming.check_name(&table_name, unnamed)
            }
        };
        table.checks.push(Check {
            name: Some(name),
            expression,
        });
    }

    for (fk, pos) in field_fks {
        table.foreign_keys.push(fk);
        draft.fk_pos.push(pos);
    }
    check_unique_names(&table, name_site, diags);
    draft.table = table;
    draft
}

/// Indexes and constraints of one table share a namespace in every dialect (PostgreSQL even
/// shares index names across the schema); two generated or given names that collide would make
/// the second CREATE fail, so it is caught here.
fn check_unique_names(table: &Table, site: Site, diags: &mut Vec<Diag>) {
    let names = table
        .indexes
        .iter()
        .map(|i| Some(&i.name))
        .chain(table.unique_constraints.iter().map(|u| u.name.as_ref()))
        .chain(table.foreign_keys.iter().map(|f| f.name.as_ref()))
        .chain(table.checks.iter().map(|c| c.name.as_ref()))
        .chain(table.primary_key.iter().map(|p| p.name.as_ref()))
        .flatten();
    let mut seen: HashSet<&str> = HashSet::new();
    for name in names {
        if !seen.insert(name.as_str()) {
            diags.push(
                Diag::new(
                    site,
                    format!("table `{}` has two indexes or constraints named `{name}`", table.name),
                )
                .help("remove the duplicate (a field's `index`/`unique` and a struct-level one on the same column), or give one an explicit name"),
            );
        }
    }
}

fn lower_column(
    field: &FieldDef,
    name: &str,
    index: usize,
    dialect: Option<Dialect>,
    enum_refs: &mut Vec<EnumRef>,
    diags: &mut Vec<Diag>,
) -> Column {
    let mapped = map_field_type(&field.ty);
    let ty_site = Site::of(&field.ty);
    let ty = if let Some((raw, site)) = &field.column_type {
        for (key, given) in [
            ("max_length", field.max_length.map(|(_, s)| s)),
            ("precision", field.precision.map(|(_, s)| s)),
            ("scale", field.scale.map(|(_, s)| s)),
        ] {
            if let Some(s) = given {
                diags.push(
                    Diag::new(s, format!("`{key}` has no effect together with `column_type`"))
                        .help("write the whole type in column_type, e.g. `column_type = \"varchar(255)\"`"),
                );
            }
        }
        if raw.trim().is_empty() {
            diags.push(
                Diag::new(*site, "`column_type` is empty")
                    .help("write an SQL type: `column_type = \"numeric(10,2)\"`"),
            );
        } else {
            sql_text::check(raw, "`column_type`", *site, dialect, diags);
        }
        let ty = parse_type(raw);
        if let (ColumnType::Set { .. }, Some(d @ (Dialect::Postgres | Dialect::Sqlite))) =
            (&ty, dialect)
        {
            diags.push(
                Diag::new(*site, format!("`set(...)` is a MySQL/MariaDB column type, not {d}"))
                    .help("store the choices another way (an array or a join table on PostgreSQL, text with a CHECK on SQLite)"),
            );
        }
        ty
    } else {
        match mapped.mapped {
            Mapped::Known(ColumnType::Array(element)) => {
                array_dialect(field, ty_site, dialect, diags);
                ColumnType::Array(Box::new(apply_size_keys(field, *element, diags)))
            }
            Mapped::Known(ty) => apply_size_keys(field, ty, diags),
            Mapped::MaybeEnum(rust_name) => {
                for (key, given) in [
                    ("max_length", field.max_length.map(|(_, s)| s)),
                    ("precision", field.precision.map(|(_, s)| s)),
                    ("scale", field.scale.map(|(_, s)| s)),
                ] {
                    if let Some(s) = given {
                        diags.push(not_applicable(s, key, &display_type(&field.ty)));
                    }
                }
                enum_refs.push(EnumRef {
                    column: index,
                    rust_name: rust_name.clone(),
                    pos: ty_site.pos(),
                });
                // Replaced by the enum's type in the resolve pass.
                ColumnType::Other(rust_name)
            }
            Mapped::Unsupported => {
                diags.push(no_sql_type(ty_site, &display_type(&field.ty)));
                ColumnType::Other(display_type(&field.ty))
            }
        }
    };
    let ty = lower_jsonb(field, ty, diags);
    let default = field.default.as_ref().and_then(|(raw, site)| {
        if raw.trim().is_empty() {
            diags.push(
                Diag::new(*site, "`default` is empty")
                    .help("write an SQL expression: `default = \"0\"`, or remove the key"),
            );
            None
        } else {
            sql_text::check(raw, "`default`", *site, dialect, diags);
            Some(parse_default(raw))
        }
    });
    let generated = lower_generated(field, dialect, diags);
    // A generated column's value is always computed, so a default would never apply; the
    // error is reported by `lower_generated`.
    let default = default.filter(|_| generated.is_none());
    let on_update_current_timestamp = lower_on_update(field, &ty, dialect, diags);
    Column {
        name: name.to_string(),
        ty,
        nullable: mapped.nullable,
        default,
        auto_increment: field.auto_increment.is_some(),
        identity: lower_identity(field, dialect, diags),
        collation: lower_collation(field, diags),
        generated,
        on_update_current_timestamp,
        comment: field.comment.as_ref().map(|(c, _)| c.clone()),
        declared: Default::default(),
    }
}

/// A `Vec<T>` field is a PostgreSQL array; MySQL/MariaDB and SQLite have no array columns, so
/// on them it is an error naming the ways to store the list (an explicit `column_type` is taken
/// as written and never reaches here).
fn array_dialect(field: &FieldDef, site: Site, dialect: Option<Dialect>, diags: &mut Vec<Diag>) {
    let database = match dialect {
        Some(Dialect::Mysql) => "MySQL/MariaDB",
        Some(Dialect::Sqlite) => "SQLite",
        _ => return,
    };
    diags.push(
        Diag::new(
            site,
            format!(
                "`{}` is a PostgreSQL array column; {database} has no arrays",
                display_type(&field.ty)
            ),
        )
        .help(
            "store the list as JSON (`serde_json::Value` or `sqlx::types::Json<Vec<...>>`), or \
             give the column's type with `column_type = \"json\"`, or `#[model(skip)]` it",
        ),
    );
}

/// `jsonb`: a JSON field (or an array of JSON) stored as PostgreSQL `jsonb`. Opt-in, so that
/// existing `json` columns never change type under a project; canonicalisation makes it `json`
/// on the dialects that have one JSON type.
fn lower_jsonb(field: &FieldDef, ty: ColumnType, diags: &mut Vec<Diag>) -> ColumnType {
    let Some(site) = field.jsonb else {
        return ty;
    };
    if field.column_type.is_some() {
        diags.push(
            Diag::new(site, "`jsonb` has no effect together with `column_type`")
                .help("write `column_type = \"jsonb\"` alone, or remove `column_type`"),
        );
        return ty;
    }
    match ty {
        ColumnType::Json => ColumnType::Jsonb,
        ColumnType::Array(element) if *element == ColumnType::Json => {
            ColumnType::Array(Box::new(ColumnType::Jsonb))
        }
        // An unmapped type already has its error.
        ColumnType::Other(_) => ty,
        _ => {
            diags.push(
                Diag::new(
                    site,
                    format!("`jsonb` does not apply to `{}`", display_type(&field.ty)),
                )
                .help(
                    "`jsonb` applies to JSON fields (`serde_json::Value`, \
                     `sqlx::types::Json<T>`); remove it or change the field's type",
                ),
            );
            ty
        }
    }
}

/// `on_update_current_timestamp`: MySQL/MariaDB only, and only on a timestamp column (the
/// server refuses it on any other type).
fn lower_on_update(
    field: &FieldDef,
    ty: &ColumnType,
    dialect: Option<Dialect>,
    diags: &mut Vec<Diag>,
) -> bool {
    let Some(site) = field.on_update_current_timestamp else {
        return false;
    };
    if let Some(d @ (Dialect::Postgres | Dialect::Sqlite)) = dialect {
        diags.push(
            Diag::new(site, format!("`on_update_current_timestamp` is MySQL/MariaDB only, not {d}"))
                .help("remove it; on this database a trigger does the same, which autogen does not manage"),
        );
        return false;
    }
    let timestamp = match ty {
        ColumnType::Timestamp { .. } => true,
        ColumnType::Other(raw) => raw.starts_with("datetime") || raw.starts_with("timestamp"),
        _ => false,
    };
    if !timestamp {
        diags.push(
            Diag::new(
                site,
                "`on_update_current_timestamp` needs a timestamp column",
            )
            .help(
                "use it on a `chrono::NaiveDateTime` / `chrono::DateTime<Utc>` field, or remove it",
            ),
        );
        return false;
    }
    true
}

/// `collation = "..."`: the name as the server spells it (`C`, `utf8mb4_bin`, `NOCASE`). The
/// renderers quote it as an identifier, so any name is safe to write.
fn lower_collation(field: &FieldDef, diags: &mut Vec<Diag>) -> Option<String> {
    let (raw, site) = field.collation.as_ref()?;
    if raw.trim().is_empty() {
        diags.push(Diag::new(*site, "`collation` is empty").help(
            "write the collation's name as the server knows it: `collation = \"C\"` (PostgreSQL), `collation = \"utf8mb4_bin\"` (MySQL/MariaDB), `collation = \"NOCASE\"` (SQLite), or remove the key",
        ));
        return None;
    }
    check_text(raw, "collation", *site, diags).then(|| raw.clone())
}

/// `generated = "..."` with `stored` (the default: every dialect has stored generated columns)
/// or `virtual`, and the keys that cannot go with it.
fn lower_generated(
    field: &FieldDef,
    dialect: Option<Dialect>,
    diags: &mut Vec<Diag>,
) -> Option<Generated> {
    let Some((raw, site)) = &field.generated else {
        for (key, given) in [("stored", field.stored), ("virtual", field.virtual_)] {
            if let Some(s) = given {
                diags.push(
                    Diag::new(s, format!("`{key}` applies only to a generated column"))
                        .help(format!(
                            "add the expression the column is computed from, `generated = \"first || ' ' || last\"`, or remove `{key}`"
                        )),
                );
            }
        }
        return None;
    };
    if let (Some(_), Some(v)) = (field.stored, field.virtual_) {
        diags.push(
            Diag::new(
                v,
                "a generated column is either `stored` or `virtual`, not both",
            )
            .help("keep one: `stored` computes the value on write, `virtual` on read"),
        );
    }
    if let Some((_, d)) = &field.default {
        diags.push(
            Diag::new(
                *d,
                "`default` on a generated column, whose value is always computed",
            )
            .help("remove `default`, or remove `generated` to make a plain column with a default"),
        );
    }
    if let Some(a) = field.auto_increment {
        diags.push(
            Diag::new(
                a,
                "`auto_increment` on a generated column, whose value is always computed",
            )
            .help("remove `generated` or `auto_increment`"),
        );
    }
    let stored = field.virtual_.is_none();
    if let (Some(v), Some(Dialect::Postgres)) = (field.virtual_, dialect) {
        diags.push(
            Diag::new(v, "PostgreSQL 15 has only stored generated columns, not `virtual`")
                .help("remove `virtual` (or write `stored`): the column is then computed on write and kept"),
        );
    }
    if raw.trim().is_empty() {
        diags.push(
            Diag::new(*site, "`generated` is empty")
                .help("write the SQL expression the column is computed from: `generated = \"first || ' ' || last\"`"),
        );
        return None;
    }
    sql_text::check(raw, "`generated`", *site, dialect, diags);
    Some(Generated {
        expression: normalize_expression(raw),
        stored,
    })
}

pub(crate) fn no_sql_type(site: Site, ty: &str) -> Diag {
    Diag::new(site, format!("no SQL type for `{ty}`"))
        .help("use #[model(column_type = \"...\")] or #[model(skip)]")
}

fn not_applicable(site: Site, key: &str, ty: &str) -> Diag {
    let wants = match key {
        "max_length" => "string types (String, &str)",
        _ => "decimal types (rust_decimal::Decimal, bigdecimal::BigDecimal)",
    };
    Diag::new(site, format!("`{key}` does not apply to `{ty}`")).help(format!(
        "`{key}` applies to {wants}; remove it or use column_type"
    ))
}

/// `max_length` on text, `precision`/`scale` on decimals.
fn apply_size_keys(field: &FieldDef, ty: ColumnType, diags: &mut Vec<Diag>) -> ColumnType {
    // Spelled out only for an error: formatting a syn type costs more than the rest of this
    // function, and it runs for every field of every model.
    let shown = || display_type(&field.ty);
    let mut ty = ty;
    if let Some((n, site)) = field.max_length {
        if ty == ColumnType::Text {
            ty = ColumnType::Varchar { length: Some(n) };
        } else {
            diags.push(not_applicable(site, "max_length", &shown()));
        }
    }
    match (field.precision, field.scale) {
        (None, None) => {}
        (None, Some((_, site))) => diags.push(
            Diag::new(site, "`scale` needs `precision`")
                .help("give both: `precision = 12, scale = 4`"),
        ),
        (Some((p, site)), scale) => {
            if matches!(ty, ColumnType::Decimal { .. }) {
                let s = scale.map(|(s, _)| s).unwrap_or(0);
                if s > p {
                    let at = scale.map(|(_, s)| s).unwrap_or(site);
                    diags.push(
                        Diag::new(
                            at,
                            format!("`scale = {s}` is larger than `precision = {p}`"),
                        )
                        .help("scale counts digits after the point and must not exceed precision"),
                    );
                }
                // `numeric(p)` means scale 0 in SQL, and that is how databases report it back.
                ty = ColumnType::Decimal {
                    precision: Some(p),
                    scale: Some(s),
                };
            } else {
                diags.push(not_applicable(site, "precision", &shown()));
            }
        }
    }
    ty
}

fn lower_reference(
    field: &FieldDef,
    table: &str,
    column: &str,
    naming: &NamingConvention,
    diags: &mut Vec<Diag>,
) -> Option<(ForeignKey, Pos)> {
    let (target, site) = field.references.as_ref()?;
    let parts: Vec<&str> = target.split('.').map(str::trim).collect();
    // `table.column`, or `schema.table.column` for a table of another PostgreSQL schema.
    let (ref_schema, ref_table, ref_column) = match parts.as_slice() {
        [t, c] => (None, *t, *c),
        [s, t, c] if !s.is_empty() => (Some(*s), *t, *c),
        _ => {
            diags.push(
                Diag::new(*site, format!("cannot read `references = \"{target}\"`"))
                    .help("write the referenced table and column as `references = \"orgs.id\"` (or `\"schema.orgs.id\"`)"),
            );
            return None;
        }
    };
    if ref_table.is_empty() || ref_column.is_empty() {
        diags.push(
            Diag::new(*site, format!("cannot read `references = \"{target}\"`"))
                .help("write the referenced table and column as `references = \"orgs.id\"`"),
        );
        return None;
    }
    let action = |given: &Option<(String, Site)>, diags: &mut Vec<Diag>| match given {
        None => ReferentialAction::NoAction,
        Some((raw, site)) => ReferentialAction::parse(raw).unwrap_or_else(|| {
            diags.push(
                Diag::new(*site, format!("unknown referential action `{raw}`"))
                    .help("use one of: cascade, restrict, set_null, set_default, no_action"),
            );
            ReferentialAction::NoAction
        }),
    };
    let on_delete = action(&field.on_delete, diags);
    let on_update = action(&field.on_update, diags);
    Some((
        ForeignKey {
            name: Some(naming.foreign_key_name(table, &[column], ref_table)),
            columns: vec![column.to_string()],
            referenced_table: autogen_schema::qualified_name(ref_schema, ref_table),
            referenced_columns: vec![ref_column.to_string()],
            on_delete,
            on_update,
            deferrable: field.deferrable.map_or(Default::default(), |(d, _)| d),
        },
        site.pos(),
    ))
}

/// `deferrable` is PostgreSQL's for foreign keys and unique constraints and SQLite's for
/// foreign keys; MySQL/MariaDB check every constraint at once, so there it is an error (the
/// constraint would silently be built without it and then differ from the model forever).
fn deferrable_dialect(what: &str, site: Site, dialect: Option<Dialect>, diags: &mut Vec<Diag>) {
    let missing = match dialect {
        None | Some(Dialect::Postgres) => None,
        Some(Dialect::Sqlite) => (what != "foreign keys").then_some("SQLite"),
        Some(Dialect::Mysql) => Some("MySQL/MariaDB"),
    };
    if let Some(d) = missing {
        diags.push(
            Diag::new(site, format!("{d} has no deferrable {what}")).help(
                "remove `deferrable`, or set `dialect` in autogen.toml to the database that has it",
            ),
        );
    }
}

/// A key column cannot hold NULL; an `Option<T>` key column would be silently made NOT NULL by
/// the database and then show up as drift forever.
fn check_key_columns_not_null(
    table: &Table,
    by_column: &HashMap<String, &FieldDef>,
    diags: &mut Vec<Diag>,
) {
    let Some(pk) = &table.primary_key else { return };
    for name in &pk.columns {
        let (Some(column), Some(field)) = (table.column(name), by_column.get(name)) else {
            continue;
        };
        if column.nullable {
            let site = field.primary_key.unwrap_or(field.site);
            diags.push(
                Diag::new(site, format!("primary key column `{name}` is an Option"))
                    .help("primary key columns cannot be NULL; remove the Option<...>"),
            );
        }
    }
}

/// `auto_increment` needs an integer column that is the table's whole primary key: that is the
/// one shape every dialect (SQLite's `INTEGER PRIMARY KEY AUTOINCREMENT` included) supports.
/// The declared auto-increment form: `auto_increment = "always" | "by_default" | "serial"` with
/// `identity(start = N, increment = N)` for the identity kinds. Options equal to PostgreSQL's
/// defaults (1) are dropped, the way the introspector reads them.
fn lower_identity(
    field: &FieldDef,
    dialect: Option<Dialect>,
    diags: &mut Vec<Diag>,
) -> Option<Identity> {
    let form = field.auto_increment_form.as_ref();
    if let (Some((_, site)), Some(d)) = (form, dialect) {
        if d != Dialect::Postgres {
            diags.push(
                Diag::new(
                    *site,
                    format!("a declared auto-increment form is PostgreSQL's; {d} has only one"),
                )
                .help("write plain `auto_increment`"),
            );
            return None;
        }
    }
    let (kind, _) = *form.or_else(|| {
        if let Some(def) = &field.identity {
            diags.push(
                Diag::new(def.site, "`identity(...)` without a declared identity column")
                    .help("write `auto_increment = \"by_default\"` or `auto_increment = \"always\"` with it"),
            );
        }
        None
    })?;
    let mut identity = Identity {
        kind,
        start: None,
        increment: None,
    };
    if let Some(def) = &field.identity {
        if kind == IdentityKind::Serial {
            diags.push(
                Diag::new(
                    def.site,
                    "a serial column takes the options `serial` gives its sequence",
                )
                .help("remove identity(...), or declare `auto_increment = \"by_default\"`"),
            );
            return Some(identity);
        }
        if let Some((0, site)) = def.increment {
            diags.push(
                Diag::new(site, "`increment` must not be 0").help("write `increment = 1` or more"),
            );
        }
        identity.start = def.start.map(|(n, _)| i64::from(n)).filter(|&n| n != 1);
        identity.increment = def
            .increment
            .map(|(n, _)| i64::from(n))
            .filter(|&n| n != 1 && n != 0);
    }
    Some(identity)
}

fn check_auto_increment(def: &ModelDef, table: &Table, diags: &mut Vec<Diag>) {
    for field in def.fields.iter().filter(|f| !f.skip) {
        let Some(site) = field.auto_increment else {
            continue;
        };
        let name = field.column_name();
        let Some(column) = table.column(name) else {
            continue;
        };
        if !column.ty.is_integer() {
            let shown = match &field.column_type {
                Some((raw, _)) => raw.clone(),
                None => display_type(&field.ty),
            };
            diags.push(
                Diag::new(
                    site,
                    format!(
                        "`auto_increment` needs an integer type, but `{}` is `{shown}`",
                        field.field_name
                    ),
                )
                .help("use i32 or i64 for an auto-increment key, or remove auto_increment"),
            );
            continue;
        }
        let is_whole_key = table
            .primary_key
            .as_ref()
            .is_some_and(|pk| matches!(pk.columns.as_slice(), [only] if only == name));
        // A declared PostgreSQL form may be on any integer column (`bigserial` columns that are
        // not the key are common); plain `auto_increment` must be portable, so it is the key.
        if !is_whole_key && field.auto_increment_form.is_none() {
            diags.push(
                Diag::new(site, format!("`auto_increment` on `{}`, which is not the primary key", field.field_name))
                    .help("mark the field #[model(primary_key, auto_increment)]; auto_increment works only on a single-column primary key"),
            );
        }
    }
}

/// The struct-level table options. Each belongs to one dialect: naming another dialect's option
/// is an error when the dialect is known (it would be silently dropped, and the table would not
/// be what the model says). Values are names the server knows (`InnoDB`, `utf8mb4_bin`): one
/// word of letters, digits and `_`, which is also what keeps them safe to write into SQL.
fn lower_table_options(
    defs: &crate::grammar::TableOptionDefs,
    dialect: Option<Dialect>,
    diags: &mut Vec<Diag>,
) -> autogen_schema::TableOptions {
    let sqlite_flags = [
        ("strict", defs.strict),
        ("without_rowid", defs.without_rowid),
    ];
    for (key, site) in sqlite_flags {
        if let Some(site) = site {
            option_dialect(key, site, Dialect::Sqlite, dialect, diags);
        }
    }
    if let Some((_, site)) = defs.key_block_size {
        option_dialect("key_block_size", site, Dialect::Mysql, dialect, diags);
    }
    autogen_schema::TableOptions {
        strict: defs.strict.is_some(),
        without_rowid: defs.without_rowid.is_some(),
        engine: option_word("engine", &defs.engine, "InnoDB", dialect, diags),
        row_format: option_word("row_format", &defs.row_format, "DYNAMIC", dialect, diags),
        key_block_size: defs.key_block_size.map(|(n, _)| n),
        charset: option_word("charset", &defs.charset, "utf8mb4", dialect, diags),
        collation: option_word("collation", &defs.collation, "utf8mb4_bin", dialect, diags),
    }
}

/// An error when `key` is another dialect's table option than the one the models are read for.
fn option_dialect(
    key: &str,
    site: Site,
    only: Dialect,
    dialect: Option<Dialect>,
    diags: &mut Vec<Diag>,
) {
    if dialect.is_some_and(|d| d != only) {
        let which = if only == Dialect::Sqlite {
            "SQLite"
        } else {
            "MySQL/MariaDB"
        };
        diags.push(
            Diag::new(site, format!("`{key}` is a {which} table option"))
                .help("remove it, or set `dialect` in autogen.toml to the database that has it"),
        );
    }
}

/// A MySQL table option's value: one word of letters, digits and `_`.
fn option_word(
    key: &str,
    value: &Option<(String, Site)>,
    example: &str,
    dialect: Option<Dialect>,
    diags: &mut Vec<Diag>,
) -> Option<String> {
    let (v, site) = value.as_ref()?;
    option_dialect(key, *site, Dialect::Mysql, dialect, diags);
    if v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        diags.push(
            Diag::new(*site, format!("`{key}` must be one name the server knows")).help(format!(
                "write letters, digits and `_` only, e.g. `{key} = \"{example}\"`"
            )),
        );
        return None;
    }
    Some(v.clone())
}
