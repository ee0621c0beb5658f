//! The one `#[model(...)]` attribute grammar: attributes in, typed definitions with sites out.
//!
//! Both the file reader and the derive macro go through here, so a model that compiles is a
//! model the reader understands and the error wording is the same in both places. This module
//! checks the *shape* of attributes (known keys, value kinds, duplicates, required parts); what
//! the values mean together (types, key columns, names) is the lowering pass's job, and anything
//! spanning several models is the resolve pass's.

use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Fields, Ident, Lit, LitStr, Meta, Token, Type, Variant};

use crate::error::{Diag, Site};

/// A `#[derive(Model)]` struct as its attributes describe it.
pub(crate) struct ModelDef {
    pub rust_name: String,
    pub ident_site: Site,
    pub table: Option<(String, Site)>,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
    pub primary_key: Option<KeyDef>,
    pub indexes: Vec<IndexDef>,
    pub uniques: Vec<KeyDef>,
    pub checks: Vec<CheckDef>,
    pub fields: Vec<FieldDef>,
}

/// A struct-level `primary_key(...)` or `unique(...)`.
pub(crate) struct KeyDef {
    pub name: Option<String>,
    pub columns: Vec<(String, Site)>,
}

pub(crate) struct IndexDef {
    pub name: Option<String>,
    pub columns: Vec<(String, Site)>,
    pub unique: bool,
}

pub(crate) struct CheckDef {
    pub name: Option<String>,
    pub expr: String,
}

/// One field and its `#[model(...)]` keys. Flags hold the site of the key, for messages.
pub(crate) struct FieldDef {
    pub field_name: String,
    pub site: Site,
    pub ty: Type,
    pub skip: bool,
    pub column: Option<String>,
    pub primary_key: Option<Site>,
    pub auto_increment: Option<Site>,
    pub unique: Option<Site>,
    pub index: Option<Site>,
    pub max_length: Option<(u32, Site)>,
    pub precision: Option<(u32, Site)>,
    pub scale: Option<(u32, Site)>,
    pub default: Option<(String, Site)>,
    pub column_type: Option<(String, Site)>,
    pub references: Option<(String, Site)>,
    pub on_delete: Option<(String, Site)>,
    pub on_update: Option<(String, Site)>,
    pub renamed_from: Option<String>,
    pub comment: Option<String>,
}

/// A `#[derive(Enum)]` enum.
pub(crate) struct EnumDef {
    pub rust_name: String,
    pub ident_site: Site,
    pub name: String,
    pub values: Vec<String>,
}

/// What a key's value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    Int,
    Flag,
    /// `columns("a", "b")`
    Columns,
    /// `index(...)`: a nested key list.
    Nested,
    /// A string of SQL, or a bare number or boolean literal that is taken as its SQL spelling.
    Sql,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Str => "a string literal",
            Kind::Int => "an integer literal",
            Kind::Flag => "no value (it is a flag)",
            Kind::Columns => "a list of column names",
            Kind::Nested => "a parenthesised list of keys",
            Kind::Sql => "an SQL expression in a string",
        }
    }
}

/// A scope's keys: name, kind, whether it may repeat, and an example for help lines.
struct KeySpec {
    key: &'static str,
    kind: Kind,
    repeat: bool,
    example: &'static str,
}

const fn k(key: &'static str, kind: Kind, example: &'static str) -> KeySpec {
    KeySpec {
        key,
        kind,
        repeat: false,
        example,
    }
}

const fn rep(key: &'static str, kind: Kind, example: &'static str) -> KeySpec {
    KeySpec {
        key,
        kind,
        repeat: true,
        example,
    }
}

struct Scope {
    what: &'static str,
    /// Where its keys are written, for "goes in ..." help lines.
    place: &'static str,
    keys: &'static [KeySpec],
}

const STRUCT: Scope = Scope {
    what: "struct",
    place: "the struct's #[model(...)]",
    keys: &[
        k("table", Kind::Str, "table = \"users\""),
        k("comment", Kind::Str, "comment = \"...\""),
        k("renamed_from", Kind::Str, "renamed_from = \"old_name\""),
        k(
            "primary_key",
            Kind::Nested,
            "primary_key(columns(\"a\", \"b\"))",
        ),
        rep("index", Kind::Nested, "index(columns(\"a\", \"b\"))"),
        rep("unique", Kind::Nested, "unique(columns(\"a\", \"b\"))"),
        rep("check", Kind::Nested, "check(expr = \"age >= 0\")"),
    ],
};

const FIELD: Scope = Scope {
    what: "field",
    place: "a field's #[model(...)]",
    keys: &[
        k("column", Kind::Str, "column = \"name\""),
        k("primary_key", Kind::Flag, "primary_key"),
        k("auto_increment", Kind::Flag, "auto_increment"),
        k("unique", Kind::Flag, "unique"),
        k("index", Kind::Flag, "index"),
        k("max_length", Kind::Int, "max_length = 255"),
        k("precision", Kind::Int, "precision = 12"),
        k("scale", Kind::Int, "scale = 4"),
        k("default", Kind::Sql, "default = \"CURRENT_TIMESTAMP\""),
        k("column_type", Kind::Str, "column_type = \"numeric(10,2)\""),
        k("references", Kind::Str, "references = \"orgs.id\""),
        k("on_delete", Kind::Str, "on_delete = \"cascade\""),
        k("on_update", Kind::Str, "on_update = \"cascade\""),
        k("renamed_from", Kind::Str, "renamed_from = \"old_name\""),
        k("comment", Kind::Str, "comment = \"...\""),
        k("skip", Kind::Flag, "skip"),
    ],
};

const PRIMARY_KEY: Scope = Scope {
    what: "primary_key(...)",
    place: "the struct's primary_key(...)",
    keys: &[
        k("columns", Kind::Columns, "columns(\"a\", \"b\")"),
        k("name", Kind::Str, "name = \"pk_users\""),
    ],
};

const INDEX: Scope = Scope {
    what: "index(...)",
    place: "the struct's index(...)",
    keys: &[
        k("columns", Kind::Columns, "columns(\"a\", \"b\")"),
        k("name", Kind::Str, "name = \"ix_users_a\""),
        k("unique", Kind::Flag, "unique"),
    ],
};

const UNIQUE: Scope = Scope {
    what: "unique(...)",
    place: "the struct's unique(...)",
    keys: &[
        k("columns", Kind::Columns, "columns(\"a\", \"b\")"),
        k("name", Kind::Str, "name = \"uq_users_a\""),
    ],
};

const CHECK: Scope = Scope {
    what: "check(...)",
    place: "the struct's check(...)",
    keys: &[
        k("expr", Kind::Str, "expr = \"age >= 0\""),
        k("name", Kind::Str, "name = \"ck_users_age\""),
    ],
};

const ENUM: Scope = Scope {
    what: "enum",
    place: "the enum's #[model(...)]",
    keys: &[k("name", Kind::Str, "name = \"post_status\"")],
};

const VARIANT: Scope = Scope {
    what: "variant",
    place: "a variant's #[model(...)]",
    keys: &[k("rename", Kind::Str, "rename = \"published\"")],
};

/// Where a key unknown in one scope most likely belongs, nearest first.
fn neighbours(scope: &Scope) -> &'static [&'static Scope] {
    match scope.what {
        "struct" => &[&FIELD],
        "field" => &[&STRUCT],
        "enum" => &[&VARIANT],
        "variant" => &[&ENUM],
        _ => &[&FIELD, &STRUCT],
    }
}

/// A parsed value of the kind its key asks for.
enum Value {
    Str(String),
    Int(u32),
    Flag,
    Columns(Vec<(String, Site)>),
    Nested(Vec<Entry>),
}

struct Entry {
    key: &'static str,
    key_site: Site,
    /// The whole `key = value` or `key(...)`.
    site: Site,
    /// Just the value (the key itself for flags).
    value_site: Site,
    value: Value,
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
        comment: None,
        renamed_from: None,
        primary_key: None,
        indexes: Vec::new(),
        uniques: Vec::new(),
        checks: Vec::new(),
        fields: Vec::new(),
    };
    for entry in read_attrs(attrs, &STRUCT, diags) {
        match (entry.key, entry.value) {
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
            ("comment", Value::Str(s)) => def.comment = Some(s),
            ("renamed_from", Value::Str(s)) => def.renamed_from = Some(s),
            ("primary_key", Value::Nested(inner)) => {
                def.primary_key = key_def(inner, entry.site, "primary_key", diags);
            }
            ("unique", Value::Nested(inner)) => {
                if let Some(u) = key_def(inner, entry.site, "unique", diags) {
                    def.uniques.push(u);
                }
            }
            ("index", Value::Nested(inner)) => {
                let mut index = IndexDef {
                    name: None,
                    columns: Vec::new(),
                    unique: false,
                };
                for e in inner {
                    match (e.key, e.value) {
                        ("name", Value::Str(s)) => index.name = Some(s),
                        ("columns", Value::Columns(c)) => index.columns = c,
                        ("unique", Value::Flag) => index.unique = true,
                        _ => {}
                    }
                }
                if index.columns.is_empty() {
                    diags.push(missing_columns(entry.site, "index"));
                } else {
                    def.indexes.push(index);
                }
            }
            ("check", Value::Nested(inner)) => {
                let mut name = None;
                let mut expr = None;
                for e in inner {
                    match (e.key, e.value) {
                        ("name", Value::Str(s)) => name = Some(s),
                        ("expr", Value::Str(s)) => expr = Some((s, e.site)),
                        _ => {}
                    }
                }
                match expr {
                    Some((expr, _)) if !expr.trim().is_empty() => {
                        def.checks.push(CheckDef { name, expr })
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
        unique: None,
        index: None,
        max_length: None,
        precision: None,
        scale: None,
        default: None,
        column_type: None,
        references: None,
        on_delete: None,
        on_update: None,
        renamed_from: None,
        comment: None,
    };
    for e in read_attrs(attrs, &FIELD, diags) {
        let site = e.site;
        let value_site = e.value_site;
        match (e.key, e.value) {
            ("skip", Value::Flag) => f.skip = true,
            ("primary_key", Value::Flag) => f.primary_key = Some(e.key_site),
            ("auto_increment", Value::Flag) => f.auto_increment = Some(e.key_site),
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
                    f.column = Some(s);
                }
            }
            ("column_type", Value::Str(s)) => f.column_type = Some((s, value_site)),
            ("references", Value::Str(s)) => f.references = Some((s, value_site)),
            ("on_delete", Value::Str(s)) => f.on_delete = Some((s, value_site)),
            ("on_update", Value::Str(s)) => f.on_update = Some((s, value_site)),
            ("renamed_from", Value::Str(s)) => f.renamed_from = Some(s),
            ("comment", Value::Str(s)) => f.comment = Some(s),
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
        values: Vec::new(),
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
        }
    }
    let mut seen: Vec<(String, Site)> = Vec::new();
    for v in variants {
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
        for e in read_attrs(&v.attrs, &VARIANT, diags) {
            if let ("rename", Value::Str(s)) = (e.key, e.value) {
                value = s;
            }
        }
        let site = Site::span(v.ident.span());
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
    def.values = seen.into_iter().map(|(v, _)| v).collect();
    def
}

/// `primary_key(...)` and `unique(...)` share a shape: columns and an optional name.
fn key_def(inner: Vec<Entry>, site: Site, what: &str, diags: &mut Vec<Diag>) -> Option<KeyDef> {
    let mut name = None;
    let mut columns = Vec::new();
    for e in inner {
        match (e.key, e.value) {
            ("name", Value::Str(s)) => name = Some(s),
            ("columns", Value::Columns(c)) => columns = c,
            _ => {}
        }
    }
    if columns.is_empty() {
        diags.push(missing_columns(site, what));
        return None;
    }
    Some(KeyDef { name, columns })
}

fn missing_columns(site: Site, what: &str) -> Diag {
    Diag::new(site, format!("`{what}(...)` needs `columns(...)`"))
        .help(format!("write `{what}(columns(\"a\", \"b\"))`"))
}

/// Reads every `#[model(...)]` attribute in `attrs` against `scope`, reporting unknown keys,
/// wrong value kinds and duplicates. Entries come back in source order.
fn read_attrs(attrs: &[Attribute], scope: &Scope, diags: &mut Vec<Diag>) -> Vec<Entry> {
    let mut metas = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("model") {
            continue;
        }
        match &attr.meta {
            Meta::List(list) => {
                match list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
                    Ok(items) => metas.extend(items),
                    Err(e) => diags.push(syn_diag(&e)),
                }
            }
            other => diags.push(
                Diag::new(Site::of(other), "expected `#[model(...)]`")
                    .help("write the keys in parentheses: `#[model(key = value, flag)]`"),
            ),
        }
    }
    read_metas(metas, scope, diags)
}

fn read_metas(metas: Vec<Meta>, scope: &Scope, diags: &mut Vec<Diag>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for meta in metas {
        let path = meta.path();
        let key_site = Site::of(path);
        let key_text = path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_else(|| crate::types::display_type(&path_as_type(path)));
        let Some(spec) = scope.keys.iter().find(|s| s.key == key_text) else {
            diags.push(unknown_key(&key_text, key_site, scope));
            continue;
        };
        if !spec.repeat {
            if let Some(first) = out.iter().find(|e| e.key == spec.key) {
                let line = first.key_site.pos().line;
                let at = if line > 0 {
                    format!(" (first on line {line})")
                } else {
                    String::new()
                };
                diags.push(
                    Diag::new(
                        key_site,
                        format!("duplicate model attribute `{}`", spec.key),
                    )
                    .help(format!("`{}` is already given{at}; keep one", spec.key)),
                );
                continue;
            }
        }
        let site = Site::of(&meta);
        let value_site = match &meta {
            Meta::NameValue(nv) => Site::of(&nv.value),
            _ => site,
        };
        if let Some(value) = read_value(&meta, spec, diags) {
            out.push(Entry {
                key: spec.key,
                key_site,
                site,
                value_site,
                value,
            });
        }
    }
    out
}

fn read_value(meta: &Meta, spec: &KeySpec, diags: &mut Vec<Diag>) -> Option<Value> {
    let wrong = |site: Site| {
        Diag::new(
            site,
            format!("`{}` expects {}", spec.key, spec.kind.describe()),
        )
        .help(format!("write `{}`", spec.example))
    };
    match (spec.kind, meta) {
        (Kind::Flag, Meta::Path(_)) => Some(Value::Flag),
        (Kind::Str, Meta::NameValue(nv)) => match lit_of(&nv.value) {
            Some(Lit::Str(s)) => Some(Value::Str(s.value())),
            _ => {
                diags.push(wrong(Site::of(&nv.value)));
                None
            }
        },
        (Kind::Sql, Meta::NameValue(nv)) => match lit_of(&nv.value) {
            Some(Lit::Str(s)) => Some(Value::Str(s.value())),
            Some(Lit::Int(i)) => Some(Value::Str(i.base10_digits().to_string())),
            Some(Lit::Float(f)) => Some(Value::Str(f.base10_digits().to_string())),
            Some(Lit::Bool(b)) => Some(Value::Str(if b.value { "TRUE" } else { "FALSE" }.into())),
            _ => match negative_number(&nv.value) {
                Some(n) => Some(Value::Str(n)),
                None => {
                    diags.push(wrong(Site::of(&nv.value)));
                    None
                }
            },
        },
        (Kind::Int, Meta::NameValue(nv)) => match lit_of(&nv.value) {
            Some(Lit::Int(i)) => match i.base10_parse::<u32>() {
                Ok(n) => Some(Value::Int(n)),
                Err(_) => {
                    diags.push(
                        Diag::new(
                            Site::of(&nv.value),
                            format!(
                                "`{}` must be a whole number from 0 to {}",
                                spec.key,
                                u32::MAX
                            ),
                        )
                        .help(format!("write `{}`", spec.example)),
                    );
                    None
                }
            },
            _ => {
                diags.push(wrong(Site::of(&nv.value)));
                None
            }
        },
        (Kind::Columns, Meta::List(list)) => {
            match list.parse_args_with(Punctuated::<LitStr, Token![,]>::parse_terminated) {
                Ok(items) if !items.is_empty() => Some(Value::Columns(
                    items
                        .iter()
                        .map(|s| (s.value(), Site::span(s.span())))
                        .collect(),
                )),
                Ok(_) => {
                    diags.push(
                        Diag::new(Site::of(meta), "`columns(...)` is empty")
                            .help(format!("write `{}`", spec.example)),
                    );
                    None
                }
                Err(e) => {
                    diags.push(
                        syn_diag(&e)
                            .help("column names are string literals: columns(\"a\", \"b\")"),
                    );
                    None
                }
            }
        }
        (Kind::Nested, Meta::List(list)) => {
            let scope = match spec.key {
                "primary_key" => &PRIMARY_KEY,
                "index" => &INDEX,
                "unique" => &UNIQUE,
                _ => &CHECK,
            };
            match list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
                Ok(items) => Some(Value::Nested(read_metas(
                    items.into_iter().collect(),
                    scope,
                    diags,
                ))),
                Err(e) => {
                    diags.push(syn_diag(&e));
                    None
                }
            }
        }
        (_, other) => {
            diags.push(wrong(Site::of(other)));
            None
        }
    }
}

fn lit_of(expr: &Expr) -> Option<&Lit> {
    match expr {
        Expr::Lit(l) => Some(&l.lit),
        Expr::Group(g) => lit_of(&g.expr),
        _ => None,
    }
}

/// `default = -1` parses as a unary minus applied to a literal.
fn negative_number(expr: &Expr) -> Option<String> {
    let Expr::Unary(u) = expr else { return None };
    if !matches!(u.op, syn::UnOp::Neg(_)) {
        return None;
    }
    match lit_of(&u.expr)? {
        Lit::Int(i) => Some(format!("-{}", i.base10_digits())),
        Lit::Float(f) => Some(format!("-{}", f.base10_digits())),
        _ => None,
    }
}

fn path_as_type(path: &syn::Path) -> Type {
    Type::Path(syn::TypePath {
        qself: None,
        path: path.clone(),
    })
}

fn unknown_key(key: &str, site: Site, scope: &Scope) -> Diag {
    let diag = Diag::new(site, format!("unknown model attribute `{key}`"));
    if let Some(best) = did_you_mean(key, scope.keys.iter().map(|s| s.key)) {
        return diag.help(format!("did you mean `{best}`?"));
    }
    if let Some(other) = neighbours(scope)
        .iter()
        .find(|s| s.keys.iter().any(|spec| spec.key == key))
    {
        return diag.help(format!(
            "`{key}` goes in {}, not in {}",
            other.place, scope.place
        ));
    }
    let known: Vec<&str> = scope.keys.iter().map(|s| s.key).collect();
    diag.help(format!(
        "the keys a {} takes are: {}",
        scope.what,
        known.join(", ")
    ))
}

/// The closest candidate within a small edit distance (transpositions count once).
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A syn parse error as a diagnostic at the same place.
pub(crate) fn syn_diag(e: &syn::Error) -> Diag {
    Diag {
        site: Site::span(e.span()),
        message: e.to_string(),
        help: None,
    }
}

/// `PostStatus` -> `post_status`, `HTTPServer` -> `http_server`, `User2` -> `user2`.
pub(crate) fn snake_case(name: &str) -> String {
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

    #[test]
    fn suggestions() {
        let keys = FIELD.keys.iter().map(|s| s.key);
        assert_eq!(did_you_mean("max_lenght", keys.clone()), Some("max_length"));
        assert_eq!(
            did_you_mean("primarykey", keys.clone()),
            Some("primary_key")
        );
        assert_eq!(did_you_mean("nullable", keys), None);
    }
}
