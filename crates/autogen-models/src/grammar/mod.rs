//! The one `#[model(...)]` attribute grammar: attributes in, typed definitions with sites out.
//!
//! Both the file reader and the derive macro go through here, so a model that compiles is a
//! model the reader understands and the error wording is the same in both places. This module
//! checks the *shape* of attributes (known keys, value kinds, duplicates, required parts); what
//! the values mean together (types, key columns, names) is the lowering pass's job, and anything
//! spanning several models is the resolve pass's.

mod index;
mod keys;

use syn::punctuated::Punctuated;
use syn::{Attribute, Fields, Ident, Token, Type, Variant};

use index::IndexDef;
pub(crate) use keys::did_you_mean;
use keys::{read_attrs, Entry, Value, ENUM, FIELD, STRUCT, VARIANT};

use crate::error::{Diag, Site};
use autogen_schema::{Deferrable, IdentityKind};

/// A `#[derive(Model)]` struct as its attributes describe it.
pub(crate) struct ModelDef {
    pub rust_name: String,
    pub ident_site: Site,
    pub table: Option<(String, Site)>,
    /// `view = "..."`: the struct reads a view the SQL files declare instead of being a table
    /// (the site is the value's).
    pub view: Option<(String, Site)>,
    /// Every struct-level key as written, with its site, for the keys a view struct refuses.
    pub keys: Vec<(&'static str, Site)>,
    /// PostgreSQL `schema = "..."`: the schema the table lives in (checked against the
    /// project's `schemas` by the resolve pass).
    pub schema: Option<(String, Site)>,
    pub comment: Option<(String, Site)>,
    pub renamed_from: Option<(String, Site)>,
    pub primary_key: Option<KeyDef>,
    pub indexes: Vec<IndexDef>,
    pub uniques: Vec<KeyDef>,
    pub checks: Vec<CheckDef>,
    pub fields: Vec<FieldDef>,
    /// Table options: SQLite `strict`, `without_rowid` (flags, with their sites); MySQL
    /// `engine`, `row_format`, `charset`, `collation` (values with their sites) and
    /// `key_block_size`.
    pub options: TableOptionDefs,
}

#[derive(Default)]
pub(crate) struct TableOptionDefs {
    pub strict: Option<Site>,
    pub without_rowid: Option<Site>,
    pub engine: Option<(String, Site)>,
    pub row_format: Option<(String, Site)>,
    pub key_block_size: Option<(u32, Site)>,
    pub charset: Option<(String, Site)>,
    pub collation: Option<(String, Site)>,
}

/// A struct-level `primary_key(...)` or `unique(...)`.
pub(crate) struct KeyDef {
    pub name: Option<(String, Site)>,
    pub columns: Vec<(String, Site)>,
    /// `deferrable` / `deferrable = "deferred"` (only `unique(...)` accepts the key).
    pub deferrable: Option<(Deferrable, Site)>,
}

pub(crate) struct CheckDef {
    pub name: Option<(String, Site)>,
    pub expr: String,
    pub expr_site: Site,
}

/// One field and its `#[model(...)]` keys. Flags hold the site of the key, for messages.
pub(crate) struct FieldDef {
    pub field_name: String,
    pub site: Site,
    pub ty: Type,
    pub skip: bool,
    /// The `column = "..."` key and its site (the whole key, as for `table`).
    pub column: Option<(String, Site)>,
    pub primary_key: Option<Site>,
    pub auto_increment: Option<Site>,
    /// `auto_increment = "always" | "by_default" | "serial"`: the declared form (PostgreSQL).
    pub auto_increment_form: Option<(IdentityKind, Site)>,
    /// `identity(start = N, increment = N)` and its site.
    pub identity: Option<IdentityDef>,
    pub unique: Option<Site>,
    pub index: Option<Site>,
    pub max_length: Option<(u32, Site)>,
    pub precision: Option<(u32, Site)>,
    pub scale: Option<(u32, Site)>,
    pub default: Option<(String, Site)>,
    pub column_type: Option<(String, Site)>,
    /// `jsonb`: a JSON field stored as PostgreSQL `jsonb` rather than `json`.
    pub jsonb: Option<Site>,
    /// `collation = "..."`: the column's collation, as the server names it.
    pub collation: Option<(String, Site)>,
    /// `generated = "..."`: the expression of a generated column.
    pub generated: Option<(String, Site)>,
    /// The `stored` / `virtual` flags that go with `generated`.
    pub stored: Option<Site>,
    pub virtual_: Option<Site>,
    /// `on_update_current_timestamp`: MySQL/MariaDB `ON UPDATE CURRENT_TIMESTAMP`.
    pub on_update_current_timestamp: Option<Site>,
    pub references: Option<(String, Site)>,
    pub on_delete: Option<(String, Site)>,
    pub on_update: Option<(String, Site)>,
    /// `deferrable` / `deferrable = "deferred"`: the foreign key of `references` is deferrable.
    pub deferrable: Option<(Deferrable, Site)>,
    pub renamed_from: Option<(String, Site)>,
    pub comment: Option<(String, Site)>,
    /// Every key as written, with its site, for the keys a view struct's field refuses.
    pub keys: Vec<(&'static str, Site)>,
}

/// A field's `identity(start = N, increment = N)`.
pub(crate) struct IdentityDef {
    pub site: Site,
    pub start: Option<(u32, Site)>,
    pub increment: Option<(u32, Site)>,
}

/// The spellings of `auto_increment = "..."`.
const IDENTITY_FORMS: &[&str] = &["always", "by_default", "serial"];

fn identity_kind(s: &str) -> Option<IdentityKind> {
    match s {
        "always" => Some(IdentityKind::Always),
        "by_default" => Some(IdentityKind::ByDefault),
        "serial" => Some(IdentityKind::Serial),
        _ => None,
    }
}

impl FieldDef {
    /// The column name: `column = "..."`, else the field name.
    pub fn column_name(&self) -> &str {
        self.column.as_ref().map_or(&self.field_name, |(c, _)| c)
    }
}

/// A `#[derive(Enum)]` enum.
pub(crate) struct EnumDef {
    pub rust_name: String,
    pub ident_site: Site,
    pub name: String,
    /// Where the name comes from: the `name = "..."` value, or the enum's identifier.
    pub name_site: Site,
    pub values: Vec<String>,
    /// Where each value comes from (its `rename = "..."` value or the variant), parallel to
    /// `values`.
    pub value_sites: Vec<Site>,
}

/// Whether a `#[derive(...)]` list names a derive whose path ends in `name`.
pub(crate) fn has_derive(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().any(|attr| {
        if !attr.path().is_ident("derive") {
            return false;
        }
        attr.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            .map(|paths| {
                paths
                    .iter()
                    .any(|p| p.segments.last().is_some_and(|s| s.ident == name))
            })
            .unwrap_or(false)
    })
}

/// Reads a struct's attributes and fields. Returns the definition (as far as it could be read)
/// and every problem found.
pub(crate) fn parse_model(
    ident: &Ident,
    attrs: &[Attribute],
    fields: &Fields,
    diags: &mut Vec<Diag>,
) -> Option<ModelDef> {
    let named = match fields {
        Fields::Named(n) => n,
        _ => {
            diags.push(
                Diag::new(
                    Site::span(ident.span()),
                    format!("`{ident}` must have named fields to derive Model"),
                )
                .help("write the struct with named fields: `struct User { id: i64, ... }`"),
            );
            return None;
        }
    };
    let mut def = ModelDef {
        rust_name: ident.to_string(),
        ident_site: Site::span(ident.span()),
        table: None,
        view: None,
        keys: Vec::new(),
        schema: None,
        comment: None,
        renamed_from: None,
        primary_key: None,
        indexes: Vec::new(),
        uniques: Vec::new(),
        checks: Vec::new(),
        fields: Vec::new(),
        options: TableOptionDefs::default(),
    };
    for entry in read_attrs(attrs, &STRUCT, diags) {
        def.keys.push((entry.key, entry.key_site));
        match (entry.key, entry.value) {
            ("view", Value::Str(s)) => {
                if s.trim().is_empty() {
                    diags.push(
                        Diag::new(entry.value_site, "the view name is empty")
                            .help("write `view = \"active_users\"` or remove the key"),
                    );
                }
                // Kept even when empty: the struct is still no table.
                def.view = Some((s, entry.value_site));
            }
            ("table", Value::Str(s)) => {
                if s.trim().is_empty() {
                    diags.push(
                        Diag::new(entry.site, "the table name is empty")
                            .help("write `table = \"users\"` or remove the key"),
                    );
                } else {
                    def.table = Some((s, entry.site));
                }
            }
            ("schema", Value::Str(s)) => {
                if s.trim().is_empty() {
                    diags.push(
                        Diag::new(entry.value_site, "the schema name is empty")
                            .help("write `schema = \"billing\"` or remove the key"),
                    );
                } else {
                    def.schema = Some((s, entry.value_site));
                }
            }
            ("comment", Value::Str(s)) => def.comment = Some((s, entry.value_site)),
            ("renamed_from", Value::Str(s)) => def.renamed_from = Some((s, entry.value_site)),
            ("strict", Value::Flag) => def.options.strict = Some(entry.site),
            ("without_rowid", Value::Flag) => def.options.without_rowid = Some(entry.site),
            ("engine", Value::Str(s)) => def.options.engine = Some((s, entry.value_site)),
            ("row_format", Value::Str(s)) => def.options.row_format = Some((s, entry.value_site)),
            ("key_block_size", Value::Int(n)) => {
                def.options.key_block_size = Some((n, entry.value_site))
            }
            ("charset", Value::Str(s)) => def.options.charset = Some((s, entry.value_site)),
            ("collation", Value::Str(s)) => def.options.collation = Some((s, entry.value_site)),
            ("primary_key", Value::Nested(inner)) => {
                def.primary_key = key_def(inner, entry.site, "primary_key", diags);
            }
            ("unique", Value::Nested(inner)) => {
                if let Some(u) = key_def(inner, entry.site, "unique", diags) {
                    def.uniques.push(u);
                }
            }
            ("index", Value::Nested(inner)) => {
                if let Some(index) = index::parse_index(inner, entry.site, diags) {
                    def.indexes.push(index);
                }
            }
            ("check", Value::Nested(inner)) => {
                let mut name = None;
                let mut expr = None;
                for e in inner {
                    match (e.key, e.value) {
                        ("name", Value::Str(s)) => name = Some((s, e.value_site)),
                        ("expr", Value::Str(s)) => expr = Some((s, e.value_site)),
                        _ => {}
                    }
                }
                match expr {
                    Some((expr, expr_site)) if !expr.trim().is_empty() => {
                        def.checks.push(CheckDef {
                            name,
                            expr,
                            expr_site,
                        })
                    }
                    Some((_, site)) => diags.push(
                        Diag::new(site, "the check expression is empty")
                            .help("write the SQL condition: `expr = \"age >= 0\"`"),
                    ),
                    None => diags.push(
                        Diag::new(entry.site, "`check(...)` needs an `expr`")
                            .help("write `check(expr = \"age >= 0\")`"),
                    ),
                }
            }
            _ => {}
        }
    }
    for field in &named.named {
        let Some(fident) = &field.ident else { continue };
        def.fields
            .push(parse_field(fident, &field.attrs, &field.ty, diags));
    }
    Some(def)
}

fn parse_field(ident: &Ident, attrs: &[Attribute], ty: &Type, diags: &mut Vec<Diag>) -> FieldDef {
    let mut f = FieldDef {
        field_name: syn::ext::IdentExt::unraw(ident).to_string(),
        site: Site::span(ident.span()),
        ty: ty.clone(),
        skip: false,
        column: None,
        primary_key: None,
        auto_increment: None,
        auto_increment_form: None,
        identity: None,
        unique: None,
        index: None,
        max_length: None,
        precision: None,
        scale: None,
        default: None,
        column_type: None,
        jsonb: None,
        collation: None,
        generated: None,
        stored: None,
        virtual_: None,
        on_update_current_timestamp: None,
        references: None,
        on_delete: None,
        on_update: None,
        deferrable: None,
        renamed_from: None,
        comment: None,
        keys: Vec::new(),
    };
    for e in read_attrs(attrs, &FIELD, diags) {
        f.keys.push((e.key, e.key_site));
        let site = e.site;
        let value_site = e.value_site;
        match (e.key, e.value) {
            ("skip", Value::Flag) => f.skip = true,
            ("primary_key", Value::Flag) => f.primary_key = Some(e.key_site),
            ("auto_increment", Value::Flag) => f.auto_increment = Some(e.key_site),
            ("auto_increment", Value::Str(s)) => {
                f.auto_increment = Some(e.key_site);
                match identity_kind(&s) {
                    Some(kind) => f.auto_increment_form = Some((kind, value_site)),
                    None => {
                        let help = match did_you_mean(&s, IDENTITY_FORMS.iter().copied()) {
                            Some(best) => format!("did you mean `auto_increment = \"{best}\"`?"),
                            None => "write `auto_increment` (any form), or `auto_increment = \
                                     \"always\"`, `\"by_default\"` or `\"serial\"` to declare the \
                                     PostgreSQL form"
                                .to_string(),
                        };
                        diags.push(
                            Diag::new(value_site, format!("unknown auto-increment form `{s}`"))
                                .help(help),
                        );
                    }
                }
            }
            ("identity", Value::Nested(inner)) => {
                let mut def = IdentityDef {
                    site,
                    start: None,
                    increment: None,
                };
                for e in inner {
                    match (e.key, e.value) {
                        ("start", Value::Int(n)) => def.start = Some((n, e.value_site)),
                        ("increment", Value::Int(n)) => def.increment = Some((n, e.value_site)),
                        _ => {}
                    }
                }
                f.identity = Some(def);
            }
            ("unique", Value::Flag) => f.unique = Some(e.key_site),
            ("index", Value::Flag) => f.index = Some(e.key_site),
            ("max_length", Value::Int(n)) => {
                if n == 0 {
                    diags.push(
                        Diag::new(site, "`max_length` must be at least 1")
                            .help("write the longest length the column holds: `max_length = 255`"),
                    );
                } else {
                    f.max_length = Some((n, site));
                }
            }
            ("precision", Value::Int(n)) => f.precision = Some((n, site)),
            ("scale", Value::Int(n)) => f.scale = Some((n, site)),
            ("default", Value::Str(s)) => f.default = Some((s, value_site)),
            ("column", Value::Str(s)) => {
                if s.trim().is_empty() {
                    diags.push(
                        Diag::new(site, "the column name is empty")
                            .help("write `column = \"name\"` or remove the key"),
                    );
                } else {
                    f.column = Some((s, site));
                }
            }
            ("column_type", Value::Str(s)) => f.column_type = Some((s, value_site)),
            ("jsonb", Value::Flag) => f.jsonb = Some(e.key_site),
            ("collation", Value::Str(s)) => f.collation = Some((s, value_site)),
            ("generated", Value::Str(s)) => f.generated = Some((s, value_site)),
            ("stored", Value::Flag) => f.stored = Some(e.key_site),
            ("virtual", Value::Flag) => f.virtual_ = Some(e.key_site),
            ("on_update_current_timestamp", Value::Flag) => {
                f.on_update_current_timestamp = Some(e.key_site)
            }
            ("references", Value::Str(s)) => f.references = Some((s, value_site)),
            ("on_delete", Value::Str(s)) => f.on_delete = Some((s, value_site)),
            ("on_update", Value::Str(s)) => f.on_update = Some((s, value_site)),
            ("deferrable", value) => f.deferrable = deferrable(value, e.key_site, diags),
            ("renamed_from", Value::Str(s)) => f.renamed_from = Some((s, value_site)),
            ("comment", Value::Str(s)) => f.comment = Some((s, value_site)),
            _ => {}
        }
    }
    f
}

/// Reads a `#[derive(Enum)]` enum: unit variants only, values snake_cased unless renamed.
pub(crate) fn parse_enum<'a>(
    ident: &Ident,
    attrs: &[Attribute],
    generics: &syn::Generics,
    variants: impl IntoIterator<Item = &'a Variant>,
    diags: &mut Vec<Diag>,
) -> EnumDef {
    let mut def = EnumDef {
        rust_name: ident.to_string(),
        ident_site: Site::span(ident.span()),
        name: snake_case(&ident.to_string()),
        name_site: Site::span(ident.span()),
        values: Vec::new(),
        value_sites: Vec::new(),
    };
    if !generics.params.is_empty() {
        diags.push(
            Diag::new(
                Site::of(generics),
                format!("`{ident}` has generic parameters; an SQL enum cannot"),
            )
            .help("remove the generic parameters"),
        );
    }
    for e in read_attrs(attrs, &ENUM, diags) {
        if let ("name", Value::Str(s)) = (e.key, e.value) {
            def.name = s;
            def.name_site = e.value_site;
        }
    }
    let mut seen: Vec<(String, Site)> = Vec::new();
    let mut any = false;
    for v in variants {
        any = true;
        if !matches!(v.fields, Fields::Unit) {
            diags.push(
                Diag::new(
                    Site::of(v),
                    format!(
                        "variant `{}` carries data; an SQL enum value cannot",
                        v.ident
                    ),
                )
                .help("derive Enum only on enums whose variants have no fields"),
            );
        }
        let mut value = snake_case(&syn::ext::IdentExt::unraw(&v.ident).to_string());
        let mut site = Site::span(v.ident.span());
        for e in read_attrs(&v.attrs, &VARIANT, diags) {
            if let ("rename", Value::Str(s)) = (e.key, e.value) {
                value = s;
                site = e.value_site;
            }
        }
        if seen.iter().any(|(s, _)| *s == value) {
            diags.push(
                Diag::new(
                    site,
                    format!("enum value `{value}` appears twice in `{ident}`"),
                )
                .help("give one of the variants another value with #[model(rename = \"...\")]"),
            );
        } else {
            seen.push((value.clone(), site));
        }
    }
    if !any {
        diags.push(
            Diag::new(def.ident_site, format!("`{ident}` has no variants")).help(
                "an SQL enum needs at least one value; add a variant, or remove derive(Enum)",
            ),
        );
    }
    (def.values, def.value_sites) = seen.into_iter().unzip();
    def
}

/// `primary_key(...)` and `unique(...)` share a shape: columns and an optional name.
fn key_def(inner: Vec<Entry>, site: Site, what: &str, diags: &mut Vec<Diag>) -> Option<KeyDef> {
    let mut name = None;
    let mut columns = Vec::new();
    let mut deferrable_def = None;
    for e in inner {
        match (e.key, e.value) {
            ("name", Value::Str(s)) => name = Some((s, e.value_site)),
            ("columns", Value::Columns(c)) => columns = c,
            ("deferrable", value) => deferrable_def = deferrable(value, e.key_site, diags),
            _ => {}
        }
    }
    if columns.is_empty() {
        diags.push(missing_columns(site, what));
        return None;
    }
    Some(KeyDef {
        name,
        columns,
        deferrable: deferrable_def,
    })
}

/// `deferrable` (checked at the end of each statement unless a transaction defers it:
/// `DEFERRABLE INITIALLY IMMEDIATE`) or `deferrable = "deferred"` / `"immediate"`.
fn deferrable(value: Value, site: Site, diags: &mut Vec<Diag>) -> Option<(Deferrable, Site)> {
    match value {
        Value::Flag => Some((Deferrable::Immediate, site)),
        Value::Str(s) if s == "immediate" => Some((Deferrable::Immediate, site)),
        Value::Str(s) if s == "deferred" => Some((Deferrable::Deferred, site)),
        Value::Str(s) => {
            diags.push(
                Diag::new(site, format!("unknown deferrable form `{s}`")).help(
                    "write `deferrable` (DEFERRABLE INITIALLY IMMEDIATE) or \
                     `deferrable = \"deferred\"` (DEFERRABLE INITIALLY DEFERRED)",
                ),
            );
            None
        }
        _ => None,
    }
}

fn missing_columns(site: Site, what: &str) -> Diag {
    Diag::new(site, format!("`{what}(...)` needs `columns(...)`"))
        .help(format!("write `{what}(columns(\"a\", \"b\"))`"))
}

/// `PostStatus` -> `post_status`, `HTTPServer` -> `http_server`, `User2` -> `user2`: the
/// default table name of a struct and stored value of an enum variant.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_names() {
        for (rust, want) in [
            ("User", "user"),
            ("PostStatus", "post_status"),
            ("HTTPServer", "http_server"),
            ("User2", "user2"),
            ("OrgMember", "org_member"),
            ("already_snake", "already_snake"),
        ] {
            assert_eq!(snake_case(rust), want, "{rust}");
        }
    }
}
