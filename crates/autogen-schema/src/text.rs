//! The schema text form: a stable, human-readable rendering of a whole schema that
//! [`parse_text`](crate::parse_text) reads back. The fixture folders (`fixtures/diff`,
//! `fixtures/introspect`, `fixtures/canonicalize`, `fixtures/render`) are written in it and
//! `autogen check` shows a unified diff of two of them ([`render_compared_text`]), so the
//! rendering must not depend on where a schema came from: tables and enums are listed by name, a
//! table's keys, indexes and constraints sorted as lines, columns in their physical order.
//!
//! Every IR field is written, so `parse_text(render_text(s))` is `s` up to the order of tables,
//! enums and constraints (which carries no meaning). Ordinary values are written the way people
//! read them (`column email varchar(255) not null default 'x'`); a value that would read back
//! differently that way (a name with a space, a string holding a line break, a type spelled like
//! a known type) is written in an escaped form instead: names and comments as Rust string
//! literals (`"Odd Name"`), other values behind a keyword (`other "..."`, `string "..."`,
//! `escaped "..."`). Each choice is checked against the parser, so the two cannot drift. This
//! file deliberately only writes; the grammar is read in `text_parse.rs`.
//!
//! ```text
//! enum mood ('ok', 'sad')
//! table users
//!   comment "People who sign in"
//!   option engine InnoDB
//!   column id bigint not null auto_increment
//!   column seq integer not null auto_increment always start 100 increment 5
//!   column email varchar(255) not null default '' comment "login"
//!   column "Odd Name" enum mood('ok', 'sad') null
//!   column code text not null collate C
//!   column full_name text null generated stored (first || ' ' || last)
//!   primary key pk_users (id)
//!   check ck_users_age (age >= 0)
//!   foreign key fk_users_org (org_id) references orgs (id) on delete cascade
//!   index ix_users_email (lower(email) desc) using hash where bio IS NOT NULL
//!   unique index ix_x (a, b)
//!   index ix_docs (title collate C opclass text_pattern_ops, name prefix 20 desc nulls last)
//!   unique index ix_y (a) include (b, c) nulls not distinct comment "lookup"
//!   unique uq_users_email (email) deferrable initially deferred
//!   column flags set('a', 'b') null
//! ```

use std::fmt::Write;

use crate::text_parse::{
    parse_check_body, parse_column_type, parse_default_value, parse_generated_expression,
    parse_index_part, parse_predicate,
};
use crate::{Check, Column, ColumnType, DefaultValue, ForeignKey, Identity, IdentityKind, Index};
use crate::{Deferrable, ReferentialAction};
use crate::{IndexColumn, PrimaryKey, Schema, Table, UniqueConstraint};

/// Renders `schema` as stable text, one line per object, ending in a newline.
pub fn render_text(schema: &Schema) -> String {
    let mut out = String::new();
    let mut enums: Vec<_> = schema.enums.iter().collect();
    enums.sort_by(|a, b| a.name.cmp(&b.name));
    for e in enums {
        let _ = writeln!(out, "enum {} ({})", name(&e.name), enum_values(&e.values));
    }
    let mut tables: Vec<&Table> = schema.tables.iter().collect();
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    for t in tables {
        render_table(&mut out, t);
    }
    out
}

/// The text of what the differ compares, for showing two schemas side by side (`autogen check`'s
/// unified diff): [`render_text`] without the names of primary keys, unique constraints and
/// foreign keys. The differ matches those by content and servers name them themselves
/// (`users_pkey`, `users_email_key`, `PRIMARY`), so their names would show as differences where
/// there are none. Unlike [`render_text`], this text does not read back to the same schema.
pub fn render_compared_text(schema: &Schema) -> String {
    let mut unnamed = schema.clone();
    for t in &mut unnamed.tables {
        if let Some(pk) = &mut t.primary_key {
            pk.name = None;
        }
        for u in &mut t.unique_constraints {
            u.name = None;
        }
        for fk in &mut t.foreign_keys {
            fk.name = None;
        }
    }
    render_text(&unnamed)
}

fn render_table(out: &mut String, t: &Table) {
    let _ = writeln!(out, "table {}", name(&t.name));
    if let Some(s) = &t.schema {
        let _ = writeln!(out, "  schema {}", name(s));
    }
    if let Some(c) = &t.comment {
        let _ = writeln!(out, "  comment {c:?}");
    }
    for line in option_lines(&t.options) {
        let _ = writeln!(out, "  option {line}");
    }
    for c in &t.columns {
        let _ = writeln!(out, "  column {}", column_line(c));
    }
    if let Some(pk) = &t.primary_key {
        let _ = writeln!(out, "  {}", primary_key_line(pk));
    }
    let mut lines: Vec<String> = Vec::new();
    lines.extend(t.unique_constraints.iter().map(unique_line));
    lines.extend(t.indexes.iter().map(index_line));
    lines.extend(t.foreign_keys.iter().map(fk_line));
    lines.extend(t.checks.iter().map(check_line));
    lines.sort();
    for l in lines {
        out.push_str("  ");
        out.push_str(&l);
        out.push('\n');
    }
}

/// The table options that are set, one `option ...` line each (none for a table without
/// options, so schemas that never set one read as before).
fn option_lines(o: &crate::TableOptions) -> Vec<String> {
    let mut lines = Vec::new();
    if o.strict {
        lines.push("strict".to_string());
    }
    if o.without_rowid {
        lines.push("without_rowid".to_string());
    }
    let named = [
        ("engine", &o.engine),
        ("row_format", &o.row_format),
        ("charset", &o.charset),
        ("collate", &o.collation),
    ];
    for (key, value) in named {
        if let Some(v) = value {
            lines.push(format!("{key} {}", name(v)));
        }
    }
    if let Some(n) = o.key_block_size {
        lines.push(format!("key_block_size {n}"));
    }
    lines
}

/// A name as written: bare when it is one plain word, otherwise a Rust string literal.
pub(crate) fn name(n: &str) -> String {
    if is_bare_name(n) {
        n.to_string()
    } else {
        format!("{n:?}")
    }
}

/// True when `n` can be written without quotes: not empty, and no character that ends a word in
/// the grammar (space, parenthesis, comma, quote) or that is invisible or escaped in Rust's
/// string syntax (control characters, backslash).
pub(crate) fn is_bare_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars().all(|c| {
            !c.is_whitespace() && !matches!(c, '(' | ')' | ',') && c.escape_debug().count() == 1
        })
}

/// True when every character of `s` shows as itself (no control characters, no line breaks).
/// Quotes and backslashes count as visible: SQL text holds them freely.
pub(crate) fn is_visible(s: &str) -> bool {
    s.chars()
        .all(|c| matches!(c, '\'' | '"' | '\\') || c.escape_debug().count() == 1)
}

/// A string as an SQL literal (`'it''s'`) when it reads back that way, else a Rust literal.
fn sql_string(s: &str) -> String {
    if is_visible(s) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        format!("{s:?}")
    }
}

fn enum_values(values: &[String]) -> String {
    values
        .iter()
        .map(|v| sql_string(v))
        .collect::<Vec<_>>()
        .join(", ")
}

fn column_line(c: &Column) -> String {
    let mut s = format!("{} {}", name(&c.name), type_text(&c.ty));
    s.push_str(if c.nullable { " null" } else { " not null" });
    if let Some(d) = &c.default {
        let _ = write!(s, " default {}", default_text(d));
    }
    if c.on_update_current_timestamp {
        s.push_str(" on update CURRENT_TIMESTAMP");
    }
    if c.auto_increment {
        s.push_str(" auto_increment");
        if let Some(identity) = &c.identity {
            s.push_str(&identity_text(identity));
        }
    }
    if let Some(co) = &c.collation {
        let _ = write!(s, " collate {}", name(co));
    }
    if let Some(g) = &c.generated {
        let kind = if g.stored { "stored" } else { "virtual" };
        let _ = write!(s, " generated {kind} {}", generated_text(&g.expression));
    }
    if let Some(cm) = &c.comment {
        let _ = write!(s, " comment {cm:?}");
    }
    s
}

/// The declared form after `auto_increment`: ` serial`, ` always`, ` by default`, then
/// ` start N` and ` increment N` when set. Written only when the form is declared, so the text of
/// schemas that never say it (every dialect but PostgreSQL) is unchanged.
fn identity_text(identity: &Identity) -> String {
    let mut s = String::from(match identity.kind {
        IdentityKind::Serial => " serial",
        IdentityKind::Always => " always",
        IdentityKind::ByDefault => " by default",
    });
    if let Some(n) = identity.start {
        let _ = write!(s, " start {n}");
    }
    if let Some(n) = identity.increment {
        let _ = write!(s, " increment {n}");
    }
    s
}

/// A generated column's expression as `(expression)`, unless that would not read back (a line
/// break, an unbalanced parenthesis in a string): then `escaped "..."`.
fn generated_text(e: &str) -> String {
    let plain = format!("({e})");
    let followed = format!("{plain} comment \"x\"");
    if is_visible(&plain)
        && parse_generated_expression(&followed) == Ok((e.to_string(), plain.len()))
    {
        plain
    } else {
        format!("escaped {e:?}")
    }
}

/// The type as `ColumnType`'s `Display` spells it, unless that would read back as another type
/// (or would not fit the column line): then `other "..."` for raw types.
fn type_text(ty: &ColumnType) -> String {
    let plain = match ty {
        ColumnType::Decimal {
            precision: None,
            scale: Some(s),
        } => format!("decimal(*,{s})"),
        ColumnType::Enum { name: n, values } => {
            format!("enum {}({})", name(n), enum_values(values))
        }
        ColumnType::Set { values } => format!("set({})", enum_values(values)),
        ColumnType::Array(element) => format!("{}[]", type_text(element)),
        other => other.to_string(),
    };
    let reads_back = |after: &str| {
        parse_column_type(&format!("{plain}{after}")).ok() == Some((ty.clone(), plain.len()))
    };
    match ty {
        ColumnType::Other(raw)
            if !is_visible(&plain) || !reads_back(" null") || !reads_back(" not null") =>
        {
            format!("other {raw:?}")
        }
        _ => plain,
    }
}

fn default_text(d: &DefaultValue) -> String {
    let plain = match d {
        DefaultValue::String(s) => sql_string(s),
        other => other.to_string(),
    };
    // Read back as the column parser meets it, followed by the rest of the line.
    let followed = format!("{plain} auto_increment");
    if is_visible(&plain) && parse_default_value(&followed) == Ok((d.clone(), plain.len())) {
        return plain;
    }
    match d {
        DefaultValue::Number(n) => format!("number {n:?}"),
        DefaultValue::String(s) => format!("string {s:?}"),
        DefaultValue::Expression(e) => format!("expression {e:?}"),
        // Keywords always read back; this arm is never reached.
        other => other.to_string(),
    }
}

/// A list of names, `(a, b)`.
fn name_list(names: &[String]) -> String {
    let items: Vec<String> = names.iter().map(|n| name(n)).collect();
    format!("({})", items.join(", "))
}

fn optional_name(n: &Option<String>) -> String {
    match n {
        Some(n) => format!("{} ", name(n)),
        None => String::new(),
    }
}

fn primary_key_line(pk: &PrimaryKey) -> String {
    format!(
        "primary key {}{}",
        optional_name(&pk.name),
        name_list(&pk.columns)
    )
}

fn unique_line(u: &UniqueConstraint) -> String {
    format!(
        "unique {}{}{}",
        optional_name(&u.name),
        name_list(&u.columns),
        deferrable_text(u.deferrable)
    )
}

/// ` deferrable` or ` deferrable initially deferred` after a constraint; nothing for the default.
fn deferrable_text(d: Deferrable) -> &'static str {
    match d {
        Deferrable::NotDeferrable => "",
        Deferrable::Immediate => " deferrable",
        Deferrable::Deferred => " deferrable initially deferred",
    }
}

fn index_line(i: &Index) -> String {
    let parts: Vec<String> = i.columns.iter().map(index_part).collect();
    let mut s = format!(
        "{} {} ({})",
        if i.unique { "unique index" } else { "index" },
        name(&i.name),
        parts.join(", ")
    );
    if !i.include.is_empty() {
        let _ = write!(s, " include {}", name_list(&i.include));
    }
    if let Some(m) = &i.method {
        let _ = write!(s, " using {}", name(m));
    }
    if i.nulls_not_distinct {
        s.push_str(" nulls not distinct");
    }
    if let Some(c) = &i.comment {
        let _ = write!(s, " comment {c:?}");
    }
    // The predicate runs to the end of the line, so it comes last.
    if let Some(p) = &i.predicate {
        if is_visible(p) && parse_predicate(p) == Ok(p.clone()) {
            let _ = write!(s, " where {p}");
        } else {
            let _ = write!(s, " where escaped {p:?}");
        }
    }
    s
}

/// One key part: the column name or expression as people read it (`lower(email)`), then its
/// options, each only when set: `collate X`, `opclass X`, `prefix N`, `desc`, `nulls first|last`.
/// A column whose name is not one plain word is quoted; an expression that would read back
/// differently (or as a column name) is written `expression "..."`; an option value that would
/// read back differently (`desc`, a space) is quoted.
fn index_part(c: &IndexColumn) -> String {
    let options = |quote_all: bool| {
        let value = |v: &str| {
            if quote_all {
                format!("{v:?}")
            } else {
                name(v)
            }
        };
        let mut out = String::new();
        if let Some(co) = &c.collation {
            let _ = write!(out, " collate {}", value(co));
        }
        if let Some(o) = &c.opclass {
            let _ = write!(out, " opclass {}", value(o));
        }
        if let Some(n) = c.prefix_length {
            let _ = write!(out, " prefix {n}");
        }
        if c.descending {
            out.push_str(" desc");
        }
        match c.nulls_first {
            Some(true) => out.push_str(" nulls first"),
            Some(false) => out.push_str(" nulls last"),
            None => {}
        }
        out
    };
    // Read back as the list parser meets it, followed by the closing parenthesis.
    let reads_back =
        |text: &str| parse_index_part(&format!("{text})")) == Ok((c.clone(), text.len()));
    let escaped_key = if c.expression {
        format!("expression {:?}", c.name)
    } else {
        format!("{:?}", c.name)
    };
    let candidates = [
        format!("{}{}", c.name, options(false)),
        format!("{}{}", c.name, options(true)),
        format!("{escaped_key}{}", options(false)),
    ];
    candidates
        .into_iter()
        .find(|t| is_visible(t) && reads_back(t))
        .unwrap_or_else(|| format!("{escaped_key}{}", options(true)))
}

fn fk_line(fk: &ForeignKey) -> String {
    let mut s = format!(
        "foreign key {}{} references {} {}",
        optional_name(&fk.name),
        name_list(&fk.columns),
        name(&fk.referenced_table),
        name_list(&fk.referenced_columns)
    );
    if fk.on_delete != ReferentialAction::NoAction {
        let _ = write!(s, " on delete {}", fk.on_delete.sql().to_ascii_lowercase());
    }
    if fk.on_update != ReferentialAction::NoAction {
        let _ = write!(s, " on update {}", fk.on_update.sql().to_ascii_lowercase());
    }
    s.push_str(deferrable_text(fk.deferrable));
    s
}

fn check_line(ck: &Check) -> String {
    let plain = format!("({})", ck.expression);
    let body =
        if is_visible(&ck.expression) && parse_check_body(&plain) == Ok(ck.expression.clone()) {
            plain
        } else {
            format!("escaped {:?}", ck.expression)
        };
    format!("check {}{body}", optional_name(&ck.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ColumnType, DefaultValue, IndexColumn};

    fn sample() -> Schema {
        let mut users = Table::new("users");
        let mut id = Column::new("id", ColumnType::BigInt { unsigned: false });
        id.auto_increment = true;
        let mut email = Column::new("email", ColumnType::Varchar { length: Some(255) });
        email.default = Some(DefaultValue::String("a'b".into()));
        let mut bio = Column::new("bio", ColumnType::Text);
        bio.nullable = true;
        users.columns = vec![id, email, bio];
        users.primary_key = Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        });
        users.unique_constraints = vec![UniqueConstraint {
            name: Some("uq".into()),
            columns: vec!["email".into()],
            deferrable: Deferrable::Deferred,
        }];
        users.indexes = vec![Index {
            name: "ix_users_bio".into(),
            columns: vec![IndexColumn {
                name: "bio".into(),
                descending: true,
                ..Default::default()
            }],
            unique: false,
            method: None,
            predicate: Some("bio IS NOT NULL".into()),
            ..Default::default()
        }];
        users.checks = vec![Check {
            name: Some("ck_users_1".into()),
            expression: "id > 0".into(),
        }];
        let mut posts = Table::new("posts");
        posts.columns = vec![Column::new(
            "user_id",
            ColumnType::BigInt { unsigned: false },
        )];
        posts.foreign_keys = vec![ForeignKey {
            name: None,
            columns: vec!["user_id".into()],
            referenced_table: "users".into(),
            referenced_columns: vec!["id".into()],
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::NoAction,
            deferrable: Deferrable::Immediate,
        }];
        Schema {
            tables: vec![users, posts],
            enums: vec![],
            objects: Vec::new(),
        }
    }

    #[test]
    fn renders_whole_schema_sorted_by_table() {
        let want = "\
table posts
  column user_id bigint not null
  foreign key (user_id) references users (id) on delete cascade deferrable
table users
  column id bigint not null auto_increment
  column email varchar(255) not null default 'a''b'
  column bio text null
  primary key (id)
  check ck_users_1 (id > 0)
  index ix_users_bio (bio desc) where bio IS NOT NULL
  unique uq (email) deferrable initially deferred
";
        assert_eq!(render_text(&sample()), want);
    }

    #[test]
    fn the_compared_text_leaves_out_names_the_differ_does_not_compare() {
        let mut s = sample();
        s.tables[1].foreign_keys[0].name = Some("posts_user_id_fkey".into());
        if let Some(pk) = &mut s.tables[0].primary_key {
            pk.name = Some("users_pkey".into());
        }
        let text = render_compared_text(&s);
        assert!(text.contains("\n  foreign key (user_id) references users (id)"));
        assert!(text.contains("\n  primary key (id)\n"));
        assert!(text.contains("\n  unique (email) deferrable initially deferred\n"));
        assert!(text.contains("\n  check ck_users_1 (id > 0)\n"), "{text}");
        assert!(text.contains("\n  index ix_users_bio (bio desc)"), "{text}");
        assert!(render_text(&s).contains("primary key users_pkey (id)"));
    }

    #[test]
    fn order_of_declaration_does_not_change_the_text() {
        let a = sample();
        let mut b = sample();
        b.tables.reverse();
        assert_eq!(render_text(&a), render_text(&b));
    }

    #[test]
    fn values_that_would_read_back_differently_are_escaped() {
        let mut t = Table::new("odd table");
        let mut c = Column::new("Odd Name", ColumnType::Other("integer".into()));
        c.default = Some(DefaultValue::String("line\nbreak".into()));
        let mut n = Column::new("n", ColumnType::Other("text null".into()));
        n.default = Some(DefaultValue::Number("0x10".into()));
        let mut e = Column::new("e", ColumnType::Other("hstore".into()));
        e.default = Some(DefaultValue::Expression("a) + (b".into()));
        t.columns = vec![c, n, e];
        t.checks = vec![Check {
            name: None,
            expression: "a\tb".into(),
        }];
        let want = "\
table \"odd table\"
  column \"Odd Name\" other \"integer\" not null default string \"line\\nbreak\"
  column n other \"text null\" not null default number \"0x10\"
  column e hstore not null default expression \"a) + (b\"
  check escaped \"a\\tb\"
";
        assert_eq!(
            render_text(&Schema {
                tables: vec![t],
                enums: vec![],
                objects: Vec::new(),
            }),
            want
        );
    }
}
