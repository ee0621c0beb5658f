//! The key tables and the generic reader behind the `#[model(...)]` grammar: which keys each
//! place (struct, field, `index(...)`, enum, variant, ...) accepts, what kind of value each takes,
//! and the checks that need nothing else (unknown keys with a did-you-mean, wrong value kinds,
//! duplicates). It deliberately does not know what the keys mean; `grammar` turns entries
//! into definitions.

use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Ident, Lit, LitStr, Meta, MetaNameValue, Token, Type};

use crate::error::{Diag, Site};

/// What a key's value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Str,
    Int,
    Flag,
    /// `columns("a", "b")`
    Columns,
    /// `index(...)`: a nested key list.
    Nested,
    /// A string of SQL, or a bare number or boolean literal that is taken as its SQL spelling.
    Sql,
    /// A flag, or a string saying which variant of it (`auto_increment = "always"`).
    FlagOrStr,
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
            Kind::FlagOrStr => "no value, or a string literal",
        }
    }
}

/// A scope's keys: name, kind, whether it may repeat, and an example for help lines.
pub(crate) struct KeySpec {
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

pub(crate) struct Scope {
    what: &'static str,
    /// Where its keys are written, for "goes in ..." help lines.
    place: &'static str,
    keys: &'static [KeySpec],
}

pub(crate) const STRUCT: Scope = Scope {
    what: "struct",
    place: "the struct's #[model(...)]",
    keys: &[
        k("table", Kind::Str, "table = \"users\""),
        k("view", Kind::Str, "view = \"active_users\""),
        k("schema", Kind::Str, "schema = \"billing\""),
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
        k("strict", Kind::Flag, "strict"),
        k("without_rowid", Kind::Flag, "without_rowid"),
        k("engine", Kind::Str, "engine = \"InnoDB\""),
        k("row_format", Kind::Str, "row_format = \"DYNAMIC\""),
        k("key_block_size", Kind::Int, "key_block_size = 8"),
        k("charset", Kind::Str, "charset = \"utf8mb4\""),
        k("collation", Kind::Str, "collation = \"utf8mb4_bin\""),
    ],
};

pub(crate) const FIELD: Scope = Scope {
    what: "field",
    place: "a field's #[model(...)]",
    keys: &[
        k("column", Kind::Str, "column = \"name\""),
        k("primary_key", Kind::Flag, "primary_key"),
        k(
            "auto_increment",
            Kind::FlagOrStr,
            "auto_increment = \"always\"",
        ),
        k(
            "identity",
            Kind::Nested,
            "identity(start = 100, increment = 5)",
        ),
        k("unique", Kind::Flag, "unique"),
        k("index", Kind::Flag, "index"),
        k("max_length", Kind::Int, "max_length = 255"),
        k("precision", Kind::Int, "precision = 12"),
        k("scale", Kind::Int, "scale = 4"),
        k("default", Kind::Sql, "default = \"CURRENT_TIMESTAMP\""),
        k("column_type", Kind::Str, "column_type = \"numeric(10,2)\""),
        k("jsonb", Kind::Flag, "jsonb"),
        k("collation", Kind::Str, "collation = \"C\""),
        k(
            "generated",
            Kind::Str,
            "generated = \"first || ' ' || last\"",
        ),
        k("stored", Kind::Flag, "stored"),
        // `virtual` is a reserved word in Rust, but attribute paths accept keywords.
        k("virtual", Kind::Flag, "virtual"),
        k(
            "on_update_current_timestamp",
            Kind::Flag,
            "on_update_current_timestamp",
        ),
        k("references", Kind::Str, "references = \"orgs.id\""),
        k("on_delete", Kind::Str, "on_delete = \"cascade\""),
        k("on_update", Kind::Str, "on_update = \"cascade\""),
        k("deferrable", Kind::FlagOrStr, "deferrable = \"deferred\""),
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
        // `where` is a Rust keyword, but attribute paths accept keywords, so it reads as SQL does.
        k("where", Kind::Str, "where = \"deleted_at IS NULL\""),
        k("method", Kind::Str, "method = \"hash\""),
        k("include", Kind::Columns, "include(\"title\")"),
        k("nulls_not_distinct", Kind::Flag, "nulls_not_distinct"),
        k("comment", Kind::Str, "comment = \"...\""),
    ],
};

const UNIQUE: Scope = Scope {
    what: "unique(...)",
    place: "the struct's unique(...)",
    keys: &[
        k("columns", Kind::Columns, "columns(\"a\", \"b\")"),
        k("name", Kind::Str, "name = \"uq_users_a\""),
        k("deferrable", Kind::FlagOrStr, "deferrable = \"deferred\""),
    ],
};

const IDENTITY: Scope = Scope {
    what: "identity(...)",
    place: "a field's identity(...)",
    keys: &[
        k("start", Kind::Int, "start = 100"),
        k("increment", Kind::Int, "increment = 5"),
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

pub(crate) const ENUM: Scope = Scope {
    what: "enum",
    place: "the enum's #[model(...)]",
    keys: &[k("name", Kind::Str, "name = \"post_status\"")],
};

pub(crate) const VARIANT: Scope = Scope {
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
pub(crate) enum Value {
    Str(String),
    Int(u32),
    Flag,
    Columns(Vec<(String, Site)>),
    Nested(Vec<Entry>),
}

pub(crate) struct Entry {
    pub key: &'static str,
    pub key_site: Site,
    /// The whole `key = value` or `key(...)`.
    pub site: Site,
    /// Just the value (the key itself for flags).
    pub value_site: Site,
    pub value: Value,
}

/// Reads every `#[model(...)]` attribute in `attrs` against `scope`, reporting unknown keys,
/// wrong value kinds and duplicates. Entries come back in source order.
pub(crate) fn read_attrs(attrs: &[Attribute], scope: &Scope, diags: &mut Vec<Diag>) -> Vec<Entry> {
    let mut metas = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("model") {
            continue;
        }
        match &attr.meta {
            Meta::List(list) => match list.parse_args_with(parse_meta_list) {
                Ok(items) => metas.extend(items),
                Err(e) => diags.push(syn_diag(&e)),
            },
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
        (Kind::Flag | Kind::FlagOrStr, Meta::Path(_)) => Some(Value::Flag),
        (Kind::FlagOrStr, Meta::NameValue(nv)) => match lit_of(&nv.value) {
            Some(Lit::Str(s)) => Some(Value::Str(s.value())),
            _ => {
                diags.push(wrong(Site::of(&nv.value)));
                None
            }
        },
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
                "identity" => &IDENTITY,
                _ => &CHECK,
            };
            match list.parse_args_with(parse_meta_list) {
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

/// A comma-separated list of keys. syn's `Meta` parser takes no keywords as keys, but index
/// predicates are written `where = "..."` as in SQL, so `where` is read here as a plain key.
fn parse_meta_list(input: ParseStream) -> syn::Result<Punctuated<Meta, Token![,]>> {
    let mut items = Punctuated::new();
    while !input.is_empty() {
        let meta = if input.peek(Token![where]) {
            let keyword: Token![where] = input.parse()?;
            let eq_token: Token![=] = input.parse()?;
            let value: Expr = input.parse()?;
            Meta::NameValue(MetaNameValue {
                path: Ident::new("where", keyword.span).into(),
                eq_token,
                value,
            })
        } else if input.peek(Token![virtual]) {
            // `virtual` is a reserved word, which `Meta`'s path parser refuses.
            let keyword: Token![virtual] = input.parse()?;
            Meta::Path(Ident::new("virtual", keyword.span).into())
        } else {
            input.parse()?
        };
        items.push_value(meta);
        if input.is_empty() {
            break;
        }
        items.push_punct(input.parse()?);
    }
    Ok(items)
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

#[cfg(test)]
mod tests {
    use super::*;

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
