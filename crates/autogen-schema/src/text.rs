//! The stable, human-readable text rendering of a whole schema. `autogen check` shows a unified
//! diff of two of these, so the rendering must not depend on where a schema came from: tables,
//! enums, indexes and constraints are listed by name (constraints without a name by content),
//! columns in their physical order. It is a view for people, not a format to parse back.

use std::fmt::Write;

use crate::{Column, ForeignKey, Index, ReferentialAction, Schema, Table};

/// Renders `schema` as stable text, one line per object, ending in a newline.
pub fn render_text(schema: &Schema) -> String {
    let mut out = String::new();
    let mut enums: Vec<_> = schema.enums.iter().collect();
    enums.sort_by(|a, b| a.name.cmp(&b.name));
    for e in enums {
        let values: Vec<String> = e
            .values
            .iter()
            .map(|v| format!("'{}'", v.replace('\'', "''")))
            .collect();
        let _ = writeln!(out, "enum {} ({})", e.name, values.join(", "));
    }
    let mut tables: Vec<&Table> = schema.tables.iter().collect();
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    for t in tables {
        render_table(&mut out, t);
    }
    out
}

fn render_table(out: &mut String, t: &Table) {
    let _ = writeln!(out, "table {}", t.name);
    if let Some(c) = &t.comment {
        let _ = writeln!(out, "  comment {c:?}");
    }
    for c in &t.columns {
        let _ = writeln!(out, "  column {}", column_line(c));
    }
    if let Some(pk) = &t.primary_key {
        let _ = writeln!(out, "  primary key ({})", pk.columns.join(", "));
    }
    let mut lines: Vec<String> = Vec::new();
    for u in &t.unique_constraints {
        lines.push(format!("  unique ({})", u.columns.join(", ")));
    }
    for i in &t.indexes {
        lines.push(index_line(i));
    }
    for fk in &t.foreign_keys {
        lines.push(fk_line(fk));
    }
    for ck in &t.checks {
        match &ck.name {
            Some(n) => lines.push(format!("  check {n} ({})", ck.expression)),
            None => lines.push(format!("  check ({})", ck.expression)),
        }
    }
    lines.sort();
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
}

fn column_line(c: &Column) -> String {
    let mut s = format!("{} {}", c.name, c.ty);
    s.push_str(if c.nullable { " null" } else { " not null" });
    if let Some(d) = &c.default {
        let _ = write!(s, " default {d}");
    }
    if c.auto_increment {
        s.push_str(" auto_increment");
    }
    if let Some(cm) = &c.comment {
        let _ = write!(s, " comment {cm:?}");
    }
    s
}

fn index_line(i: &Index) -> String {
    let cols: Vec<String> = i
        .columns
        .iter()
        .map(|c| {
            if c.descending {
                format!("{} desc", c.name)
            } else {
                c.name.clone()
            }
        })
        .collect();
    let mut s = format!(
        "  {} {} ({})",
        if i.unique { "unique index" } else { "index" },
        i.name,
        cols.join(", ")
    );
    if let Some(m) = &i.method {
        let _ = write!(s, " using {m}");
    }
    if let Some(p) = &i.predicate {
        let _ = write!(s, " where {p}");
    }
    s
}

fn fk_line(fk: &ForeignKey) -> String {
    let mut s = format!(
        "  foreign key ({}) references {} ({})",
        fk.columns.join(", "),
        fk.referenced_table,
        fk.referenced_columns.join(", ")
    );
    if fk.on_delete != ReferentialAction::NoAction {
        let _ = write!(s, " on delete {}", fk.on_delete.sql().to_ascii_lowercase());
    }
    if fk.on_update != ReferentialAction::NoAction {
        let _ = write!(s, " on update {}", fk.on_update.sql().to_ascii_lowercase());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Check, ColumnType, DefaultValue, IndexColumn, PrimaryKey, UniqueConstraint};

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
        }];
        users.indexes = vec![Index {
            name: "ix_users_bio".into(),
            columns: vec![IndexColumn {
                name: "bio".into(),
                descending: true,
            }],
            unique: false,
            method: None,
            predicate: Some("bio IS NOT NULL".into()),
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
        }];
        Schema {
            tables: vec![users, posts],
            enums: vec![],
        }
    }

    #[test]
    fn renders_whole_schema_sorted_by_table() {
        let want = "\
table posts
  column user_id bigint not null
  foreign key (user_id) references users (id) on delete cascade
table users
  column id bigint not null auto_increment
  column email varchar(255) not null default 'a''b'
  column bio text null
  primary key (id)
  check ck_users_1 (id > 0)
  index ix_users_bio (bio desc) where bio IS NOT NULL
  unique (email)
";
        assert_eq!(render_text(&sample()), want);
    }

    #[test]
    fn order_of_declaration_does_not_change_the_text() {
        let a = sample();
        let mut b = sample();
        b.tables.reverse();
        assert_eq!(render_text(&a), render_text(&b));
    }
}
