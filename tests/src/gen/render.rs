//! Writes a generated [`Spec`] out: as model source text in the attribute grammar (tables,
//! columns, keys and every issue #15 property, spelled the way [`super::dialect`] chooses for
//! the dialect) and as the `INSERT` statements that load A's rows.
//!
//! It makes no choices of its own: everything it writes is already decided in the spec.

use autogen::schema::Dialect;

use super::dialect;
use super::{Check, EnumSpec, Ix, Spec, Tbl, Ty};

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn rust_ty(ty: &Ty) -> String {
    match ty {
        Ty::Bool => "bool".into(),
        Ty::I16 => "i16".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::U32 => "u32".into(),
        Ty::F32 => "f32".into(),
        Ty::F64 => "f64".into(),
        Ty::Text | Ty::Varchar(_) => "String".into(),
        Ty::Char1 => "char".into(),
        Ty::Blob => "Vec<u8>".into(),
        Ty::Date => "chrono::NaiveDate".into(),
        Ty::Time => "chrono::NaiveTime".into(),
        Ty::Timestamp => "chrono::NaiveDateTime".into(),
        Ty::TimestampTz => "chrono::DateTime<chrono::Utc>".into(),
        Ty::Uuid => "uuid::Uuid".into(),
        Ty::Json => "serde_json::Value".into(),
        Ty::Decimal(_, _) => "rust_decimal::Decimal".into(),
        Ty::Enum(i) => format!("E{i}"),
    }
}

fn check_sql(t: &Tbl, c: &Check, dialect: Dialect) -> String {
    let ty = t.col(&c.column).map_or(Ty::I32, |col| col.ty.clone());
    let forms = dialect::check_exprs(dialect, &ty, &c.column);
    forms
        .get(c.form % forms.len().max(1))
        .cloned()
        .unwrap_or_else(|| format!("{} IS NULL OR {} IS NOT NULL", c.column, c.column))
}

/// One `index(...)` key as the model grammar writes it.
fn index_attr(t: &Tbl, ix: &Ix, dialect: Dialect) -> String {
    let parts: Vec<String> = ix
        .parts
        .iter()
        .map(|p| {
            let ty = t.col(&p.column).map_or(Ty::Text, |c| c.ty.clone());
            let mut s = match (p.expr, p.prefix) {
                (Some(form), _) => {
                    let forms = dialect::key_exprs(&ty, &p.column);
                    forms
                        .get(form % forms.len().max(1))
                        .cloned()
                        .unwrap_or_else(|| p.column.clone())
                }
                (None, Some(n)) => format!("{}({n})", p.column),
                // A name with a space is quoted, so the space is not read as a direction.
                (None, None) if p.column.contains(char::is_whitespace) => {
                    format!("\"{}\"", p.column)
                }
                (None, None) => p.column.clone(),
            };
            if let Some(c) = p.collate {
                match dialect {
                    Dialect::Postgres => s.push_str(&format!(" COLLATE \"{c}\"")),
                    _ => s.push_str(&format!(" COLLATE {c}")),
                }
            }
            if let Some(o) = p.opclass {
                s.push_str(&format!(" {o}"));
            }
            if p.desc {
                s.push_str(" DESC");
            }
            match p.nulls_first {
                Some(true) => s.push_str(" NULLS FIRST"),
                Some(false) => s.push_str(" NULLS LAST"),
                None => {}
            }
            lit(&s)
        })
        .collect();
    let mut keys = Vec::new();
    if let Some(n) = &ix.name {
        keys.push(format!("name = {}", lit(n)));
    }
    keys.push(format!("columns({})", parts.join(", ")));
    if ix.unique {
        keys.push("unique".into());
    }
    if !ix.include.is_empty() {
        let inc: Vec<String> = ix.include.iter().map(|c| lit(c)).collect();
        keys.push(format!("include({})", inc.join(", ")));
    }
    if ix.nulls_not_distinct {
        keys.push("nulls_not_distinct".into());
    }
    if let Some(c) = ix.comment {
        keys.push(format!("comment = {}", lit(c)));
    }
    if let Some(p) = &ix.predicate {
        let forms = dialect::predicate_exprs(&p.column);
        if let Some(w) = forms.get(p.form % forms.len()) {
            keys.push(format!("where = {}", lit(w)));
        }
    }
    format!("index({})", keys.join(", "))
}

fn table_head(t: &Tbl) -> String {
    let mut head = format!("table = {}", lit(&t.name));
    if let Some(r) = &t.renamed_from {
        head.push_str(&format!(", renamed_from = {}", lit(r)));
    }
    let o = &t.options;
    if o.strict {
        head.push_str(", strict");
    }
    if o.without_rowid {
        head.push_str(", without_rowid");
    }
    for (key, value) in [
        ("engine", o.engine),
        ("row_format", o.row_format),
        ("charset", o.charset),
        ("collation", o.collation),
    ] {
        if let Some(v) = value {
            head.push_str(&format!(", {key} = {}", lit(v)));
        }
    }
    if let Some(k) = o.key_block_size {
        head.push_str(&format!(", key_block_size = {k}"));
    }
    head
}

/// Renders a schema as model source text for `dialect`.
pub fn models_source(spec: &Spec, dialect: Dialect) -> String {
    let mut out = String::from("use autogen::{Enum, Model};\n");
    for (i, e) in spec.enums.iter().enumerate() {
        out.push_str(&format!(
            "\n#[derive(Enum)]\n#[model(name = {})]\npub enum E{i} {{\n",
            lit(&e.name)
        ));
        for (k, v) in e.values.iter().enumerate() {
            out.push_str(&format!("    #[model(rename = {})]\n    V{k},\n", lit(v)));
        }
        out.push_str("}\n");
    }
    for (i, t) in spec.tables.iter().enumerate() {
        out.push_str("\n#[derive(Model)]\n");
        out.push_str(&format!("#[model({})]\n", table_head(t)));
        let cols = |cs: &[String]| cs.iter().map(|c| lit(c)).collect::<Vec<_>>().join(", ");
        if t.pk.len() > 1 {
            out.push_str(&format!(
                "#[model(primary_key(columns({})))]\n",
                cols(&t.pk)
            ));
        }
        for ix in &t.indexes {
            out.push_str(&format!("#[model({})]\n", index_attr(t, ix, dialect)));
        }
        for u in &t.uniques {
            out.push_str(&format!("#[model(unique(columns({})))]\n", cols(u)));
        }
        for c in &t.checks {
            out.push_str(&format!(
                "#[model(check(expr = {}))]\n",
                lit(&check_sql(t, c, dialect))
            ));
        }
        out.push_str(&format!("pub struct T{i} {{\n"));
        for (k, c) in t.columns.iter().enumerate() {
            let mut attrs = vec![format!("column = {}", lit(&c.name))];
            if t.pk.len() == 1 && t.pk[0] == c.name {
                attrs.push("primary_key".into());
            }
            if c.auto_increment {
                match &c.identity {
                    None => attrs.push("auto_increment".into()),
                    Some(f) => {
                        attrs.push(format!("auto_increment = {}", lit(f.kind)));
                        let mut opts = Vec::new();
                        if let Some(s) = f.start {
                            opts.push(format!("start = {s}"));
                        }
                        if let Some(s) = f.increment {
                            opts.push(format!("increment = {s}"));
                        }
                        if !opts.is_empty() {
                            attrs.push(format!("identity({})", opts.join(", ")));
                        }
                    }
                }
            }
            match &c.ty {
                Ty::Varchar(n) => attrs.push(format!("max_length = {n}")),
                Ty::Decimal(p, s) => {
                    attrs.push(format!("precision = {p}"));
                    attrs.push(format!("scale = {s}"));
                }
                _ => {}
            }
            if let Some(d) = &c.default {
                attrs.push(format!("default = {}", lit(d)));
            }
            if let Some(g) = &c.generated {
                let expr = dialect::generated_expr(dialect, &g.source_ty, &g.source, g.form)
                    .map(|(e, _)| e)
                    .unwrap_or_default();
                attrs.push(format!("generated = {}", lit(&expr)));
                // PostgreSQL's only kind is the default; say it sometimes anyway.
                if !g.stored {
                    attrs.push("virtual".into());
                } else if dialect != Dialect::Postgres || g.form % 2 == 0 {
                    attrs.push("stored".into());
                }
            }
            if let Some(co) = c.collation {
                attrs.push(format!("collation = {}", lit(co)));
            }
            if c.on_update {
                attrs.push("on_update_current_timestamp".into());
            }
            if let Some(f) = t.fks.iter().find(|f| f.column == c.name) {
                attrs.push(format!(
                    "references = {}",
                    lit(&format!("{}.{}", f.table, f.ref_column))
                ));
                attrs.push(format!("on_delete = {}", lit(f.on_delete)));
            }
            if let Some(r) = &c.renamed_from {
                attrs.push(format!("renamed_from = {}", lit(r)));
            }
            let ty = rust_ty(&c.ty);
            let ty = if c.nullable {
                format!("Option<{ty}>")
            } else {
                ty
            };
            out.push_str(&format!(
                "    #[model({})]\n    pub f{k}: {ty},\n",
                attrs.join(", ")
            ));
        }
        out.push_str("}\n");
    }
    out
}

/// The rows inserted into A: two per table, every value distinct per row (so unique keys hold),
/// non-negative (so checks hold), foreign-key columns NULL (so any order and any cycle loads),
/// generated columns left to the server.
pub fn rows_sql(spec: &Spec, dialect: Dialect) -> Vec<String> {
    let q = |s: &str| autogen::sql::quote_ident(dialect, s);
    let mut out = Vec::new();
    for t in &spec.tables {
        // Explicit values into a GENERATED ALWAYS identity need the override.
        let overriding = if t
            .columns
            .iter()
            .any(|c| c.identity.as_ref().is_some_and(|f| f.kind == "always"))
        {
            " OVERRIDING SYSTEM VALUE"
        } else {
            ""
        };
        for r in 0..2u32 {
            let mut names = Vec::new();
            let mut values = Vec::new();
            for c in t.columns.iter().filter(|c| c.generated.is_none()) {
                names.push(q(&c.name));
                let v = if c.holds_nulls {
                    "NULL".to_string()
                } else {
                    value(&c.ty, r, dialect, &spec.enums)
                };
                values.push(v);
            }
            out.push(format!(
                "INSERT INTO {} ({}){overriding} VALUES ({})",
                q(&t.name),
                names.join(", "),
                values.join(", ")
            ));
        }
    }
    out
}

fn value(ty: &Ty, r: u32, dialect: Dialect, enums: &[EnumSpec]) -> String {
    let text = |s: &str| format!("'{}'", s.replace('\'', "''"));
    match ty {
        Ty::Bool => if r == 0 { "TRUE" } else { "FALSE" }.to_string(),
        Ty::I16 | Ty::I32 | Ty::I64 | Ty::U32 | Ty::Decimal(_, _) => (r + 1).to_string(),
        Ty::F32 | Ty::F64 => format!("{r}.5"),
        Ty::Text | Ty::Varchar(_) => text(&format!("v{r} it's")),
        Ty::Char1 => text(if r == 0 { "a" } else { "b" }),
        Ty::Blob => match dialect {
            Dialect::Postgres => format!("'\\x0{r}ff'"),
            _ => format!("X'0{r}ff'"),
        },
        Ty::Date => text(&format!("2024-01-0{}", r + 1)),
        Ty::Time => text(&format!("10:00:0{r}")),
        Ty::Timestamp | Ty::TimestampTz => text(&format!("2024-01-01 10:00:0{r}")),
        Ty::Uuid => text(&format!("00000000-0000-0000-0000-00000000000{r}")),
        Ty::Json => text(&format!("{{\"k\": {r}}}")),
        Ty::Enum(i) => text(
            enums
                .get(*i)
                .and_then(|e| e.values.first())
                .map_or("", String::as_str),
        ),
    }
}
