//! `autogen models`: model source for an existing database, so a team adopting autogen does not
//! hand-type a struct per table (what `diesel print-schema` and `sea-orm-cli generate entity` do
//! for their tools).
//!
//! [`render`] turns an introspected [`Schema`] into one Rust file: a `#[derive(Model)]` struct per
//! table and a `#[derive(Enum)]` enum per enum type, written with the attributes of the README's
//! "Models" section, so that the models compare equal to the database they came from. Names the
//! server chose that differ from the project's naming convention are written out explicitly
//! (`index(name = "...")`, `check(name = "...")`), because the differ matches indexes by name.
//!
//! Nothing is dropped silently: what the model attributes cannot say yet (a composite foreign
//! key, a key part whose name holds a space, ...) is written as a
//! `// autogen: not expressible yet: ...` line above the struct or field and listed in
//! [`ModelsFile::not_expressible`]. Then [`verify`] reads the written file back with the same
//! model reader `autogen check` uses and diffs it against the database: whatever autogen would
//! still change is listed in [`ModelsFile::differences`], so the command can say exactly what the
//! file does not reproduce.
//!
//! The source is written as text rather than built as a syn tree and formatted with prettyplease:
//! only the model reader and the derive may depend on syn (README, "What must never be"), and the
//! file's shape is fixed and line-oriented (one attribute per line, one field per line), so the
//! writer below produces the rustfmt layout directly. Output is deterministic: tables in the order
//! introspection lists them (by name), columns in physical order, enums by name.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use autogen_models::snake_case;
use autogen_schema::{
    Column, ColumnType, DefaultValue, Deferrable, Dialect, ForeignKey, IdentityKind, Index,
    IndexColumn, NamingConvention, ReferentialAction, Schema, Table,
};

use crate::config::Config;
use crate::error::Error;
use crate::ops::compare;
use crate::ops::source::{ignore, read_schema, Side};
use crate::project::Project;

/// A generated models file and what it does not reproduce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelsFile {
    /// The Rust source.
    pub source: String,
    /// How many `#[derive(Model)]` structs and `#[derive(Enum)]` enums it holds.
    pub tables: usize,
    pub enums: usize,
    /// What the model attributes cannot express, one line each (`table.column: ...`); the file
    /// carries the same text as `// autogen: not expressible yet:` comments.
    pub not_expressible: Vec<String>,
    /// What autogen would still change after reading the file back as models (change
    /// descriptions), or why the file does not read back. Empty: `autogen check` finds the
    /// models and the database in sync.
    pub differences: Vec<String>,
}

/// `autogen models`: reads the project's database (the tables it manages, as every command
/// does) and writes models for it, checked by reading them back. `shown_path` names the file in
/// read-back errors.
pub async fn models(project: &Project, shown_path: Option<&Path>) -> Result<ModelsFile, Error> {
    let mut conn = project.connect().await?;
    let schema = read_schema(
        &mut conn,
        &project.database_url,
        Some(&project.config),
        None,
        true,
    )
    .await;
    let _ = conn.close().await;
    let schema = schema?;
    let naming = project.config.naming();
    let mut file = render(project.dialect(), &schema, &naming);
    file.differences = verify(
        project.dialect(),
        &schema,
        Some(&project.config),
        &file.source,
        shown_path.unwrap_or(Path::new("models.rs")),
    );
    Ok(file)
}

/// Writes `text` to `path` whole or not at all: into a temporary file beside it, then moved into
/// place. An existing file is refused unless `force`.
pub fn write_file(path: &Path, text: &str, force: bool) -> Result<(), Error> {
    if !force && path.exists() {
        return Err(Error::AlreadyExists {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let write_err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "models.rs".into());
    let tmp = dir.join(format!(".{name}.autogen-{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).map_err(write_err)?;
    let placed = if force {
        std::fs::rename(&tmp, path)
    } else {
        // A hard link refuses to replace a file that appeared since the check above, where a
        // rename would silently overwrite it.
        std::fs::hard_link(&tmp, path).and_then(|()| std::fs::remove_file(&tmp))
    };
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&tmp);
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(Error::AlreadyExists {
                path: path.to_path_buf(),
            });
        }
        return Err(write_err(e));
    }
    Ok(())
}

/// Reads `source` back as models for `dialect` and diffs them against `live`, the schema they
/// were written from, as `autogen check` would with `config` (its naming convention and `ignore`
/// rules; the default naming without one): the descriptions of the changes autogen would still
/// make, or the model errors when the file does not read (each a line).
pub fn verify(
    dialect: Dialect,
    live: &Schema,
    config: Option<&Config>,
    source: &str,
    shown_path: &Path,
) -> Vec<String> {
    let files = [(shown_path.to_path_buf(), source.to_string())];
    let naming = config.map(Config::naming).unwrap_or_default();
    let set = match autogen_models::read_sources_for(&files, &naming, Some(dialect)) {
        Ok(set) => set,
        Err(errors) => {
            return vec![format!(
                "the written models do not read back as models:\n{errors}"
            )]
        }
    };
    let mut database = Side::database(live.clone());
    let mut models = Side::models(dialect, set);
    if let Some(config) = config {
        if let Err(e) = ignore(config, &mut database, &mut models) {
            return vec![format!("the written models cannot be compared: {e}")];
        }
    }
    match compare::changes(dialect, &database, &models) {
        Ok(changes) => changes.iter().map(|c| c.describe()).collect(),
        Err(e) => vec![format!("the written models cannot be compared: {e}")],
    }
}

/// The models for `schema` as read from a `dialect` database, with names compared against
/// `naming`. Pure; [`ModelsFile::differences`] is left empty ([`verify`] fills it).
pub fn render(dialect: Dialect, schema: &Schema, naming: &NamingConvention) -> ModelsFile {
    let mut names = Names::default();
    let enums = collect_enums(schema, &mut names);
    let mut w = Writer::default();
    let mut not_expressible = Vec::new();

    w.line(&format!(
        "// Models for the tables of a {} database, written by `autogen models`.",
        dialect_name(dialect)
    ));
    w.line("// Review them before committing; `autogen check` compares them with the database.");
    w.line("");
    let derives = match (enums.is_empty(), schema.tables.is_empty()) {
        (true, true) => None,
        (true, false) => Some("Model"),
        (false, true) => Some("Enum"),
        (false, false) => Some("{Enum, Model}"),
    };
    if let Some(d) = derives {
        w.line(&format!("use autogen::{d};"));
    }
    for e in &enums {
        w.line("");
        write_enum(&mut w, e);
    }
    let table_names: HashMap<&str, &Table> =
        schema.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    for table in &schema.tables {
        w.line("");
        let struct_name = names.type_name(&table.name, "Table");
        let ctx = TableCtx {
            table,
            naming,
            enums: &enums,
            tables: &table_names,
        };
        let lines = write_table(&mut w, &ctx, &struct_name);
        not_expressible.extend(lines);
    }
    ModelsFile {
        source: w.out,
        tables: schema.tables.len(),
        enums: enums.len(),
        not_expressible,
        differences: Vec::new(),
    }
}

fn dialect_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "SQLite",
        Dialect::Postgres => "PostgreSQL",
        Dialect::Mysql => "MySQL/MariaDB",
    }
}

/// An enum type the file declares: its SQL name and values, and the Rust name it gets.
struct EnumDecl {
    sql_name: String,
    values: Vec<String>,
    rust_name: String,
}

/// The schema's named enum types (PostgreSQL), then the inline enums of columns that are not one
/// of them (MySQL's `enum('a','b')`, which the introspector names `<table>_<column>`), each
/// (name, values) pair once.
fn collect_enums(schema: &Schema, names: &mut Names) -> Vec<EnumDecl> {
    let mut pairs: Vec<(String, Vec<String>)> = schema
        .enums
        .iter()
        .map(|e| (e.name.clone(), e.values.clone()))
        .collect();
    for table in &schema.tables {
        for column in &table.columns {
            if let ColumnType::Enum { name, values } = &column.ty {
                if !pairs.iter().any(|(n, v)| n == name && v == values) {
                    pairs.push((name.clone(), values.clone()));
                }
            }
        }
    }
    pairs.sort();
    pairs
        .into_iter()
        .map(|(sql_name, values)| EnumDecl {
            rust_name: names.type_name(&sql_name, "Enum"),
            sql_name,
            values,
        })
        .collect()
}

fn write_enum(w: &mut Writer, e: &EnumDecl) {
    w.line("#[derive(Enum)]");
    w.attr("", None, &[format!("name = {}", lit(&e.sql_name))]);
    w.line(&format!("pub enum {} {{", e.rust_name));
    let mut used: HashSet<String> = HashSet::new();
    for (i, value) in e.values.iter().enumerate() {
        let mut variant = pascal_case(value);
        if variant.is_empty() {
            variant = format!("Value{}", i + 1);
        } else if variant.starts_with(|c: char| c.is_ascii_digit()) {
            variant = format!("V{variant}");
        }
        if variant == "Self" {
            variant = "SelfValue".into();
        }
        variant = unique(&mut used, variant);
        if snake_case(&variant) != *value {
            w.attr("    ", None, &[format!("rename = {}", lit(value))]);
        }
        w.line(&format!("    {variant},"));
    }
    w.line("}");
}

/// What writing one table needs besides the table.
struct TableCtx<'a> {
    table: &'a Table,
    naming: &'a NamingConvention,
    enums: &'a [EnumDecl],
    /// The tables the file declares, by key: a foreign key to any other cannot be read as a
    /// model.
    tables: &'a HashMap<&'a str, &'a Table>,
}

/// The attributes and comments of one field, gathered before it is written.
#[derive(Default)]
struct FieldOut {
    attrs: Vec<String>,
    notes: Vec<String>,
}

/// Writes one table's struct; returns its not-expressible lines (`table.column: ...`).
fn write_table(w: &mut Writer, ctx: &TableCtx<'_>, struct_name: &str) -> Vec<String> {
    let table = ctx.table;
    let naming = ctx.naming;
    let mut fields: Vec<FieldOut> = table.columns.iter().map(|_| FieldOut::default()).collect();
    // Struct-level keys, each `key(items...)`.
    let mut struct_attrs: Vec<(&'static str, Vec<String>)> = Vec::new();
    let mut struct_notes: Vec<String> = Vec::new();
    let column_index =
        |name: &str| -> Option<usize> { table.columns.iter().position(|c| c.name == name) };

    // The primary key: on the field when it has one column, else on the struct. Its name is
    // never compared (servers name it themselves), so it is not written.
    let single_pk = match &table.primary_key {
        Some(pk) if pk.columns.len() == 1 => column_index(&pk.columns[0]),
        Some(pk) => {
            struct_attrs.push((
                "primary_key",
                vec![format!("columns({})", lits(&pk.columns))],
            ));
            None
        }
        None => None,
    };
    if let Some(i) = single_pk {
        fields[i].attrs.push("primary_key".into());
    }

    for (i, column) in table.columns.iter().enumerate() {
        column_attrs(column, single_pk == Some(i), &mut fields[i]);
    }

    for index in &table.indexes {
        match index_attr(table, index, naming) {
            IndexOut::Field(i) => fields[i].attrs.push("index".into()),
            IndexOut::Struct(items) => struct_attrs.push(("index", items)),
            IndexOut::No(why) => struct_notes.push(format!("index {}: {why}", index.name)),
        }
    }

    for unique in &table.unique_constraints {
        let single = match unique.columns.as_slice() {
            [only] => column_index(only),
            _ => None,
        };
        let conventional = match &unique.name {
            None => true,
            Some(n) => {
                let cols: Vec<&str> = unique.columns.iter().map(String::as_str).collect();
                *n == naming.unique_name(table.bare_name(), &cols)
            }
        };
        // A field's `unique` cannot say `deferrable`; the struct's `unique(...)` can.
        let plain = unique.deferrable == Deferrable::NotDeferrable;
        match (single, conventional && plain) {
            (Some(i), true) if !fields[i].attrs.iter().any(|a| a == "unique") => {
                fields[i].attrs.push("unique".into())
            }
            _ => {
                let mut items: Vec<String> = unique
                    .name
                    .iter()
                    .map(|n| format!("name = {}", lit(n)))
                    .collect();
                items.push(format!("columns({})", lits(&unique.columns)));
                items.extend(deferrable_attr(unique.deferrable));
                struct_attrs.push(("unique", items));
            }
        }
    }

    for check in &table.checks {
        let mut items: Vec<String> = check
            .name
            .iter()
            .map(|n| format!("name = {}", lit(n)))
            .collect();
        items.push(format!("expr = {}", lit(&check.expression)));
        struct_attrs.push(("check", items));
    }

    let mut has_fk: HashSet<usize> = HashSet::new();
    for fk in &table.foreign_keys {
        match fk_attrs(ctx, fk) {
            Ok((i, attrs)) if has_fk.insert(i) => fields[i].attrs.extend(attrs),
            Ok(_) => struct_notes.push(format!(
                "{}: a second foreign key on the same column",
                describe_fk(fk)
            )),
            Err(why) => struct_notes.push(format!("{}: {why}", describe_fk(fk))),
        }
    }

    // Written out.
    let mut lines = Vec::new();
    for note in &struct_notes {
        w.line(&format!("// autogen: not expressible yet: {note}"));
        lines.push(format!("{}: {note}", table.name));
    }
    w.line("#[derive(Model)]");
    w.attr("", None, &[format!("table = {}", lit(table.bare_name()))]);
    if let Some(schema) = &table.schema {
        w.attr("", None, &[format!("schema = {}", lit(schema))]);
    }
    if let Some(comment) = &table.comment {
        w.attr("", None, &[format!("comment = {}", lit(comment))]);
    }
    // SQLite's table flags are always compared, so they must be declared. MySQL's engine,
    // charset and row format are compared only when a model declares them: printing the server's
    // defaults on every struct would only pin them, so they are left to the user.
    for (set, flag) in [
        (table.options.strict, "strict"),
        (table.options.without_rowid, "without_rowid"),
    ] {
        if set {
            w.attr("", None, &[flag.to_string()]);
        }
    }
    for (key, items) in &struct_attrs {
        w.attr("", Some(key), items);
    }
    w.line(&format!("pub struct {struct_name} {{"));
    let mut field_names: HashSet<String> = HashSet::new();
    for (column, out) in table.columns.iter().zip(&fields) {
        for note in &out.notes {
            w.line(&format!("    // autogen: not expressible yet: {note}"));
            lines.push(format!("{}.{}: {note}", table.name, column.name));
        }
        let (ident, field_name) = field_ident(&column.name, &mut field_names);
        let mut attrs = Vec::new();
        if field_name != column.name {
            attrs.push(format!("column = {}", lit(&column.name)));
        }
        attrs.extend(out.attrs.iter().cloned());
        if !attrs.is_empty() {
            w.attr("    ", None, &attrs);
        }
        let ty = rust_type(ctx.enums, column);
        let ty = if column.nullable {
            format!("Option<{ty}>")
        } else {
            ty
        };
        w.line(&format!("    pub {ident}: {ty},"));
    }
    w.line("}");
    lines
}

/// A column's own attributes (type sizes, default, comment) and what it cannot say.
fn column_attrs(column: &Column, whole_pk: bool, out: &mut FieldOut) {
    // `GENERATED BY DEFAULT AS IDENTITY` without options is what a bare `auto_increment`
    // declares; any other form is declared, which the model rules allow on any integer column.
    let declared = column.identity.as_ref().filter(|i| {
        !(i.kind == IdentityKind::ByDefault && i.start.is_none() && i.increment.is_none())
    });
    if column.auto_increment {
        match declared {
            Some(identity) if column.ty.is_integer() => {
                let form = match identity.kind {
                    IdentityKind::ByDefault => "by_default",
                    IdentityKind::Always => "always",
                    IdentityKind::Serial => "serial",
                };
                out.attrs.push(format!("auto_increment = {}", lit(form)));
                let options: Vec<String> = [("start", identity.start), ("increment", identity.increment)]
                    .into_iter()
                    .filter_map(|(k, v)| v.map(|v| format!("{k} = {v}")))
                    .collect();
                if !options.is_empty() {
                    out.attrs.push(format!("identity({})", options.join(", ")));
                }
            }
            _ if whole_pk && column.ty.is_integer() => out.attrs.push("auto_increment".into()),
            _ => out.notes.push(
                "auto-increment (a sequence default) on a column that is not the single-column integer primary key".into(),
            ),
        }
    }
    match type_attrs(&column.ty) {
        TypeAttrs::None => {}
        TypeAttrs::Attrs(attrs) => out.attrs.extend(attrs),
    }
    if let Some(default) = &column.default {
        out.attrs
            .push(format!("default = {}", lit(&default_sql(default))));
    }
    if column.on_update_current_timestamp {
        out.attrs.push("on_update_current_timestamp".into());
    }
    if let Some(collation) = &column.collation {
        out.attrs.push(format!("collation = {}", lit(collation)));
    }
    if let Some(generated) = &column.generated {
        out.attrs
            .push(format!("generated = {}", lit(&generated.expression)));
        // `stored` is the default (the only kind PostgreSQL has).
        if !generated.stored {
            out.attrs.push("virtual".into());
        }
    }
    if let Some(comment) = &column.comment {
        out.attrs.push(format!("comment = {}", lit(comment)));
    }
}

enum TypeAttrs {
    None,
    Attrs(Vec<String>),
}

/// The attributes a column type needs on top of its Rust type (see [`rust_type`]).
fn type_attrs(ty: &ColumnType) -> TypeAttrs {
    use ColumnType as C;
    let column_type = || TypeAttrs::Attrs(vec![format!("column_type = {}", lit(&ty.to_string()))]);
    match ty {
        C::Varchar { length: Some(n) } => TypeAttrs::Attrs(vec![format!("max_length = {n}")]),
        C::Decimal {
            precision: None,
            scale: None,
        } => TypeAttrs::None,
        C::Decimal {
            precision: Some(p),
            scale: Some(s),
        } => TypeAttrs::Attrs(vec![format!("precision = {p}"), format!("scale = {s}")]),
        C::Char { length: Some(1) } => TypeAttrs::None,
        // MySQL's SET: no Rust type maps, so the type is written out (`set('a', 'b')`).
        C::Decimal { .. } | C::Char { .. } | C::Varchar { .. } | C::Other(_) | C::Set { .. } => {
            column_type()
        }
        C::Jsonb => TypeAttrs::Attrs(vec!["jsonb".into()]),
        // `Vec<T>` takes `T`'s attributes (`max_length` makes `varchar(n)[]`). An element the
        // model reader does not map (an enum, a raw type) or one that needs its own
        // `column_type` makes the whole type a `column_type`; an enum element is named the way
        // PostgreSQL spells its array type.
        C::Array(element) => match (&**element, type_attrs(element)) {
            (C::Enum { name, .. }, _) => {
                TypeAttrs::Attrs(vec![format!("column_type = {}", lit(&format!("{name}[]")))])
            }
            (C::Other(_) | C::Array(_), _) => column_type(),
            (_, TypeAttrs::Attrs(attrs)) if attrs.iter().any(|a| a.starts_with("column_type")) => {
                column_type()
            }
            (_, attrs) => attrs,
        },
        C::Boolean
        | C::TinyInt { .. }
        | C::SmallInt { .. }
        | C::Integer { .. }
        | C::BigInt { .. }
        | C::Real
        | C::Double
        | C::Text
        | C::Blob
        | C::Date
        | C::Time
        | C::Timestamp { .. }
        | C::Uuid
        | C::Json
        | C::Enum { .. } => TypeAttrs::None,
    }
}

/// The Rust type of the README's type table for a column (without the `Option`). Types with no
/// Rust counterpart get `String` (or `Vec<u8>` / `serde_json::Value` where the name says binary
/// or JSON) and a `column_type`.
fn rust_type(enums: &[EnumDecl], column: &Column) -> String {
    use ColumnType as C;
    let s = match &column.ty {
        C::Array(element) => {
            let element = match &**element {
                C::Enum { .. } | C::Other(_) | C::Array(_) => "String".to_string(),
                element => rust_type(enums, &Column::new("", element.clone())),
            };
            return format!("Vec<{element}>");
        }
        C::Boolean => "bool",
        C::TinyInt { unsigned: false } => "i8",
        C::TinyInt { unsigned: true } => "u8",
        C::SmallInt { unsigned: false } => "i16",
        C::SmallInt { unsigned: true } => "u16",
        C::Integer { unsigned: false } => "i32",
        C::Integer { unsigned: true } => "u32",
        C::BigInt { unsigned: false } => "i64",
        C::BigInt { unsigned: true } => "u64",
        C::Real => "f32",
        C::Double => "f64",
        C::Decimal {
            precision: None,
            scale: None,
        }
        | C::Decimal {
            precision: Some(_),
            scale: Some(_),
        } => "rust_decimal::Decimal",
        C::Char { length: Some(1) } => "char",
        C::Decimal { .. } | C::Char { .. } | C::Varchar { .. } | C::Text | C::Set { .. } => {
            "String"
        }
        C::Blob => "Vec<u8>",
        C::Date => "chrono::NaiveDate",
        C::Time => "chrono::NaiveTime",
        C::Timestamp {
            with_time_zone: false,
        } => "chrono::NaiveDateTime",
        C::Timestamp {
            with_time_zone: true,
        } => "chrono::DateTime<chrono::Utc>",
        C::Uuid => "uuid::Uuid",
        C::Json | C::Jsonb => "serde_json::Value",
        C::Enum { name, values } => {
            return enums
                .iter()
                .find(|e| e.sql_name == *name && e.values == *values)
                .map_or_else(|| "String".into(), |e| e.rust_name.clone())
        }
        C::Other(raw) => {
            if raw.contains("blob") || raw.contains("binary") || raw.contains("bytea") {
                "Vec<u8>"
            } else {
                "String"
            }
        }
    };
    s.to_string()
}

/// A default as the SQL a model's `default = "..."` holds, read back by `parse_default` into the
/// same value.
fn default_sql(default: &DefaultValue) -> String {
    match default {
        DefaultValue::Null => "NULL".into(),
        DefaultValue::Boolean(true) => "TRUE".into(),
        DefaultValue::Boolean(false) => "FALSE".into(),
        DefaultValue::Number(n) => n.clone(),
        DefaultValue::String(s) => format!("'{}'", s.replace('\'', "''")),
        DefaultValue::CurrentTimestamp => "CURRENT_TIMESTAMP".into(),
        DefaultValue::CurrentDate => "CURRENT_DATE".into(),
        DefaultValue::CurrentTime => "CURRENT_TIME".into(),
        DefaultValue::Expression(e) => e.clone(),
    }
}

enum IndexOut {
    /// `#[model(index)]` on this field.
    Field(usize),
    /// A struct-level `index(...)`: its items.
    Struct(Vec<String>),
    /// Not expressible, and why.
    No(String),
}

fn index_attr(table: &Table, index: &Index, naming: &NamingConvention) -> IndexOut {
    let mut parts = Vec::new();
    for part in &index.columns {
        parts.push(match key_part(table, part) {
            Ok(text) => text,
            Err(why) => return IndexOut::No(why),
        });
    }
    let has_expression = index.columns.iter().any(|p| p.expression);
    let cols: Vec<&str> = index.columns.iter().map(|p| p.name.as_str()).collect();
    let conventional = !has_expression && index.name == naming.index_name(table.bare_name(), &cols);
    let plain = |p: &IndexColumn| {
        !p.expression
            && !p.descending
            && p.prefix_length.is_none()
            && p.opclass.is_none()
            && p.nulls_first.is_none()
            && p.collation.is_none()
    };
    if let ([only], true, false, None, None, true, false, None) = (
        index.columns.as_slice(),
        conventional,
        index.unique,
        &index.method,
        &index.predicate,
        index.include.is_empty(),
        index.nulls_not_distinct,
        &index.comment,
    ) {
        if plain(only) {
            if let Some(i) = table.columns.iter().position(|c| c.name == only.name) {
                return IndexOut::Field(i);
            }
        }
    }
    let mut items = Vec::new();
    if !conventional {
        // An index with an expression key part must be named (the convention names columns).
        items.push(format!("name = {}", lit(&index.name)));
    }
    items.push(format!("columns({})", lits(&parts)));
    if index.unique {
        items.push("unique".into());
    }
    if let Some(predicate) = &index.predicate {
        items.push(format!("where = {}", lit(predicate)));
    }
    if let Some(method) = &index.method {
        items.push(format!("method = {}", lit(method)));
    }
    if !index.include.is_empty() {
        items.push(format!("include({})", lits(&index.include)));
    }
    if index.nulls_not_distinct {
        items.push("nulls_not_distinct".into());
    }
    if let Some(comment) = &index.comment {
        items.push(format!("comment = {}", lit(comment)));
    }
    IndexOut::Struct(items)
}

/// One key part as the `columns(...)` grammar reads it, SQL's CREATE INDEX order: the column (or
/// function call, or parenthesised expression), a prefix length, `COLLATE`, the operator
/// class, `DESC`, `NULLS FIRST|LAST`. `Err` says why a part cannot be written.
fn key_part(table: &Table, part: &IndexColumn) -> Result<String, String> {
    let mut text = if part.expression || table.column(&part.name).is_none() {
        // Parenthesised, so any expression reads as one key part (the grammar takes a bare
        // function call too, but the parentheses cost nothing and fit every expression).
        format!("({})", part.name)
    } else if part.name.chars().any(char::is_whitespace) || part.name.contains(['(', ')']) {
        return Err(format!(
            "key part `{}` holds a space or parenthesis, which the `columns(...)` grammar reads as part of the key part's syntax",
            part.name
        ));
    } else {
        part.name.clone()
    };
    if let Some(n) = part.prefix_length {
        text.push_str(&format!("({n})"));
    }
    if let Some(collation) = &part.collation {
        text.push_str(&format!(" COLLATE {collation}"));
    }
    if let Some(opclass) = &part.opclass {
        if !opclass.to_ascii_lowercase().ends_with("_ops") || opclass.contains(char::is_whitespace)
        {
            return Err(format!(
                "operator class {opclass} on `{}` (the grammar knows operator classes by their `_ops` ending)",
                part.name
            ));
        }
        text.push_str(&format!(" {opclass}"));
    }
    if part.descending {
        text.push_str(" DESC");
    }
    match part.nulls_first {
        Some(true) => text.push_str(" NULLS FIRST"),
        Some(false) => text.push_str(" NULLS LAST"),
        None => {}
    }
    Ok(text)
}

/// A foreign key as field attributes on its one column: which field, and the attributes.
fn fk_attrs(ctx: &TableCtx<'_>, fk: &ForeignKey) -> Result<(usize, Vec<String>), String> {
    let ([column], [referenced]) = (fk.columns.as_slice(), fk.referenced_columns.as_slice()) else {
        return Err("a foreign key over several columns (`references` takes one)".into());
    };
    let Some(target) = ctx.tables.get(fk.referenced_table.as_str()) else {
        return Err(format!(
            "it references `{}`, a table autogen does not manage here",
            fk.referenced_table
        ));
    };
    // A table of another schema is referenced `schema.table.column`; only a dot inside a name
    // cannot be written.
    let schema_dot = target.schema.as_ref().is_some_and(|s| s.contains('.'));
    if schema_dot || target.bare_name().contains('.') || referenced.contains('.') {
        return Err("a `.` in the referenced table or column name (`references = \"table.column\"` splits at the dot)".into());
    }
    let Some(i) = ctx.table.columns.iter().position(|c| c.name == *column) else {
        return Err(format!("column `{column}` is not in the table"));
    };
    let mut attrs = vec![format!(
        "references = {}",
        lit(&format!("{}.{referenced}", fk.referenced_table))
    )];
    for (key, action) in [("on_delete", fk.on_delete), ("on_update", fk.on_update)] {
        let word = match action {
            ReferentialAction::NoAction => continue,
            ReferentialAction::Restrict => "restrict",
            ReferentialAction::Cascade => "cascade",
            ReferentialAction::SetNull => "set_null",
            ReferentialAction::SetDefault => "set_default",
        };
        attrs.push(format!("{key} = {}", lit(word)));
    }
    attrs.extend(deferrable_attr(fk.deferrable));
    Ok((i, attrs))
}

/// `deferrable` or `deferrable = "deferred"`, for a constraint that is.
fn deferrable_attr(d: Deferrable) -> Option<String> {
    match d {
        Deferrable::NotDeferrable => None,
        Deferrable::Immediate => Some("deferrable".into()),
        Deferrable::Deferred => Some(format!("deferrable = {}", lit("deferred"))),
    }
}

fn describe_fk(fk: &ForeignKey) -> String {
    format!(
        "foreign key {}({}) references {} ({})",
        fk.name
            .as_ref()
            .map(|n| format!("{n} "))
            .unwrap_or_default(),
        fk.columns.join(", "),
        fk.referenced_table,
        fk.referenced_columns.join(", ")
    )
}

/// The source being written.
#[derive(Default)]
struct Writer {
    out: String,
}

/// rustfmt's line width and its `attr_fn_like_width` (the longest argument list a function-like
/// attribute keeps on one line), both at their defaults: attributes past either are broken over
/// lines the way rustfmt breaks them, so running rustfmt over the file changes nothing.
const MAX_WIDTH: usize = 100;
const ATTR_ARGS_WIDTH: usize = 70;

impl Writer {
    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// `#[model(items)]`, or `#[model(key(items))]` with a `key`, at `indent`: on one line when
    /// it fits, else one item per line as rustfmt lays it out (a single `key(...)` item is
    /// overflowed: its own items go one per line).
    fn attr(&mut self, indent: &str, key: Option<&str>, items: &[String]) {
        let joined = items.join(", ");
        let one = match key {
            Some(k) => format!("{indent}#[model({k}({joined}))]"),
            None => format!("{indent}#[model({joined})]"),
        };
        if one.chars().count() <= MAX_WIDTH && joined.chars().count() <= ATTR_ARGS_WIDTH {
            self.line(&one);
            return;
        }
        let open = match key {
            Some(k) => format!("{indent}#[model({k}("),
            None => format!("{indent}#[model("),
        };
        self.line(&open);
        let inner = items
            .iter()
            .map(|i| format!("{indent}    {i}"))
            .collect::<Vec<_>>()
            .join(",\n");
        self.line(&inner);
        self.line(&format!(
            "{indent}){}]",
            if key.is_some() { ")" } else { "" }
        ));
    }
}

/// A Rust string literal holding `s`. Debug formatting of a `str` escapes exactly what a Rust
/// literal needs (`"`, `\`, control characters as `\n` / `\u{..}`), so its output is valid source.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn lits(items: &[String]) -> String {
    items.iter().map(|s| lit(s)).collect::<Vec<_>>().join(", ")
}

/// Rust type names handed out so far (structs and enums share one namespace).
#[derive(Default)]
struct Names {
    used: HashSet<String>,
}

/// Names a generated type must not take: the derives the file imports, the std types its fields
/// use, and every type name the model reader maps by its last path segment (an enum named `Date`
/// would be read as a date column).
const RESERVED_TYPES: &[&str] = &[
    "Model",
    "Enum",
    "Option",
    "String",
    "Vec",
    "Box",
    "Cow",
    "Json",
    "DateTime",
    "NaiveDate",
    "Date",
    "NaiveTime",
    "Time",
    "NaiveDateTime",
    "PrimitiveDateTime",
    "OffsetDateTime",
    "Uuid",
    "Value",
    "Decimal",
    "BigDecimal",
    "Self",
    "Utc",
];

impl Names {
    /// A fresh UpperCamelCase type name for the SQL name `sql` (`user_profiles` ->
    /// `UserProfiles`); `suffix` is added to a name that is reserved.
    fn type_name(&mut self, sql: &str, suffix: &str) -> String {
        let mut name = pascal_case(sql);
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            name = format!("{suffix}{name}");
        }
        if RESERVED_TYPES.contains(&name.as_str()) {
            name.push_str(suffix);
        }
        unique(&mut self.used, name)
    }
}

/// `base`, or `base2`, `base3`, ... whichever is not in `used` yet; recorded as used.
fn unique(used: &mut HashSet<String>, base: String) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while used.contains(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    used.insert(name.clone());
    name
}

/// The field for a column: the identifier to write (raw for keywords, `r#type`) and the name
/// the reader takes from it (`type`). A column that is not a snake_case ASCII identifier gets a
/// field name derived from it, and the caller writes `column = "..."`.
fn field_ident(column: &str, used: &mut HashSet<String>) -> (String, String) {
    let mut base = String::new();
    for c in snake_case(column).chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c.to_ascii_lowercase());
        } else if !base.ends_with('_') {
            base.push('_');
        }
    }
    let mut base = base.trim_matches('_').to_string();
    if base.is_empty() {
        base = "column".into();
    } else if base.starts_with(|c: char| c.is_ascii_digit()) {
        base = format!("c_{base}");
    }
    // `self`, `super`, `crate` and `Self` cannot be raw identifiers.
    if matches!(base.as_str(), "self" | "super" | "crate") {
        base.push('_');
    }
    let name = if used.contains(&base) {
        unique(used, format!("{base}_"))
    } else {
        unique(used, base)
    };
    let ident = if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name.clone()
    };
    (ident, name)
}

/// Rust's strict and reserved keywords (2021 edition, plus `gen` reserved in 2024) that may be
/// written as raw identifiers.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];

/// `user_profiles` -> `UserProfiles`, `it's complicated` -> `ItSComplicated`, `HTTPLog` ->
/// `HTTPLog`: ASCII letters and digits only, each run of them starting upper case.
fn pascal_case(s: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if start {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            start = false;
        } else {
            start = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_schema::parse_default;

    #[test]
    fn defaults_read_back_as_the_same_value() {
        for d in [
            DefaultValue::Null,
            DefaultValue::Boolean(true),
            DefaultValue::Boolean(false),
            DefaultValue::Number("-1.5".into()),
            DefaultValue::Number("0".into()),
            DefaultValue::String("it's".into()),
            DefaultValue::String(String::new()),
            DefaultValue::CurrentTimestamp,
            DefaultValue::CurrentDate,
            DefaultValue::CurrentTime,
            DefaultValue::Expression("now() + '1 day'::interval".into()),
        ] {
            assert_eq!(parse_default(&default_sql(&d)), d, "{d:?}");
        }
    }

    #[test]
    fn identifiers() {
        let mut used = HashSet::new();
        let mut f = |c: &str| field_ident(c, &mut used);
        assert_eq!(f("id"), ("id".into(), "id".into()));
        assert_eq!(f("type"), ("r#type".into(), "type".into()));
        assert_eq!(f("First Name"), ("first_name".into(), "first_name".into()));
        assert_eq!(
            f("first_name"),
            ("first_name_".into(), "first_name_".into())
        );
        assert_eq!(f("2fa"), ("c_2fa".into(), "c_2fa".into()));
        assert_eq!(f("self"), ("self_".into(), "self_".into()));
        assert_eq!(f("été"), ("t".into(), "t".into()));
        assert_eq!(f("CreatedAt"), ("created_at".into(), "created_at".into()));
        let mut names = Names::default();
        assert_eq!(names.type_name("user_profiles", "Table"), "UserProfiles");
        assert_eq!(names.type_name("date", "Enum"), "DateEnum");
        assert_eq!(names.type_name("UserProfiles", "Table"), "UserProfiles2");
        assert_eq!(names.type_name("9lives", "Table"), "Table9lives");
        assert_eq!(lit("a \"b\" \\ \n"), r#""a \"b\" \\ \n""#);
    }
    #[test]
    fn long_attributes_break_as_rustfmt_breaks_them() {
        let mut w = Writer::default();
        let long = format!("expr = {}", lit(&"x > 0 AND ".repeat(9)));
        w.attr("", Some("check"), &["name = \"ck\"".into(), long.clone()]);
        w.attr("    ", None, &["max_length = 5".into(), long.clone()]);
        w.attr("    ", None, &["index".into()]);
        let want = format!(
            "#[model(check(\n    name = \"ck\",\n    {long}\n))]\n    #[model(\n        max_length = 5,\n        {long}\n    )]\n    #[model(index)]\n"
        );
        assert_eq!(w.out, want);
    }
}
