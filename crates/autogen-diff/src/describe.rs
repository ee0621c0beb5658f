//! What a change means for people: a short description (`describe`), whether it can lose data
//! (`is_destructive`) and the one-line warning a revision shows above a destructive step
//! (`data_loss`). The widening rules live in [`crate::widening`]; this file deliberately renders
//! no SQL and knows no dialect.

use autogen_schema::{Column, ForeignKey, Index, PrimaryKey};

use crate::widening::{classify, Family, TypeChange};
use crate::Change;

impl Change {
    /// True when running the change can lose or reject existing data: dropping a table, column
    /// or enum type, narrowing a column type, making a nullable column `NOT NULL`, or removing an
    /// enum value.
    pub fn is_destructive(&self) -> bool {
        self.data_loss().is_some()
    }

    /// The one-line warning for a destructive change (no leading `--`), or `None`.
    pub fn data_loss(&self) -> Option<String> {
        use Change::*;
        match self {
            DropTable(t) => Some(format!("drops table {} and all its rows", t.name)),
            DropColumn { table, column } => Some(format!(
                "drops column {table}.{} and all its data",
                column.name
            )),
            DropEnum(e) => Some(format!("drops enum type {} and its values", e.name)),
            AlterEnum { from, to } => {
                let removed: Vec<String> = from
                    .values
                    .iter()
                    .filter(|v| !to.values.contains(v))
                    .map(|v| quote(v))
                    .collect();
                (!removed.is_empty()).then(|| {
                    format!(
                        "removes {} from enum {}: rows holding {} are rejected",
                        removed.join(", "),
                        from.name,
                        if removed.len() == 1 { "it" } else { "them" }
                    )
                })
            }
            AlterColumn { table, from, to } => column_loss(table, from, to),
            _ => None,
        }
    }

    /// A short human line, e.g. `add column users.email` or
    /// `alter column users.name: type varchar(255) -> varchar(50), NOT NULL`.
    pub fn describe(&self) -> String {
        use Change::*;
        match self {
            CreateEnum(e) => format!("create enum {} ({})", e.name, quote_all(&e.values)),
            DropEnum(e) => format!("drop enum {}", e.name),
            AlterEnum { from, to } => {
                let added: Vec<&String> = to
                    .values
                    .iter()
                    .filter(|v| !from.values.contains(v))
                    .collect();
                let removed: Vec<&String> = from
                    .values
                    .iter()
                    .filter(|v| !to.values.contains(v))
                    .collect();
                let mut parts = Vec::new();
                if !added.is_empty() {
                    parts.push(format!("add {}", quote_all(added)));
                }
                if !removed.is_empty() {
                    parts.push(format!("remove {}", quote_all(removed)));
                }
                if parts.is_empty() {
                    parts.push("reorder values".to_string());
                }
                format!("alter enum {}: {}", from.name, parts.join(", "))
            }
            CreateTable(t) => format!("create table {}", t.name),
            DropTable(t) => format!("drop table {}", t.name),
            RenameTable { from, to } => format!("rename table {from} to {to}"),
            AddColumn { table, column } => format!("add column {table}.{}", column.name),
            DropColumn { table, column } => format!("drop column {table}.{}", column.name),
            RenameColumn { table, from, to } => format!("rename column {table}.{from} to {to}"),
            AlterColumn { table, from, to } => format!(
                "alter column {table}.{}: {}",
                to.name,
                column_differences(from, to).join(", ")
            ),
            AlterPrimaryKey { table, from, to } => match (from, to) {
                (None, Some(to)) => format!("add primary key {table} {}", pk_columns(to)),
                (Some(_), None) => format!("drop primary key of {table}"),
                (Some(from), Some(to)) => format!(
                    "alter primary key of {table}: {} -> {}",
                    pk_columns(from),
                    pk_columns(to)
                ),
                (None, None) => format!("alter primary key of {table}"),
            },
            AddIndex { table, index } => format!("add {}", index_line(table, index)),
            DropIndex { table, index } => format!("drop {}", index_line(table, index)),
            AddUnique { table, unique } => {
                format!("add unique {table} ({})", unique.columns.join(", "))
            }
            DropUnique { table, unique } => {
                format!("drop unique {table} ({})", unique.columns.join(", "))
            }
            AddForeignKey { table, foreign_key } => {
                format!("add foreign key {}", fk_line(table, foreign_key))
            }
            DropForeignKey { table, foreign_key } => {
                format!("drop foreign key {}", fk_line(table, foreign_key))
            }
            AlterForeignKey { table, from, to } => format!(
                "alter foreign key {}: {} -> {}",
                fk_line(table, from),
                deferrable_words(from.deferrable),
                deferrable_words(to.deferrable)
            ),
            AddCheck { table, check } => match &check.name {
                Some(name) => format!("add check {name} on {table}"),
                None => format!("add check on {table} ({})", check.expression),
            },
            DropCheck { table, check } => match &check.name {
                Some(name) => format!("drop check {name} on {table}"),
                None => format!("drop check on {table} ({})", check.expression),
            },
            AlterTableComment { table, to, .. } => match to {
                Some(_) => format!("set comment on table {table}"),
                None => format!("remove comment on table {table}"),
            },
            AlterTableOptions { table, .. } => format!("alter table options of {table}"),
            RenameIndex { table, from, to } => {
                format!("rename index {} on {table} to {}", from.name, to.name)
            }
            RenameConstraint {
                table,
                kind,
                from,
                to,
            } => format!("rename {} {from} on {table} to {to}", kind.label()),
            CreateObject(o) => format!("create {}", o.label()),
            DropObject(o) => format!("drop {}", o.label()),
            ReplaceObject { to, .. } => format!("replace {}", to.label()),
        }
    }
}

fn column_loss(table: &str, from: &Column, to: &Column) -> Option<String> {
    let name = format!("{table}.{}", to.name);
    let mut parts = Vec::new();
    if from.ty != to.ty {
        let consequence = match classify(&from.ty, &to.ty) {
            TypeChange::Widening => None,
            TypeChange::Narrowing(Family::Text) => Some("longer values are truncated or rejected"),
            TypeChange::Narrowing(Family::Integer | Family::Float) => {
                Some("out-of-range values are rejected or lose precision")
            }
            TypeChange::Narrowing(Family::Decimal) => {
                Some("values with more digits are rounded or rejected")
            }
            TypeChange::Narrowing(Family::Enum) => {
                Some("rows holding a removed value are rejected")
            }
            TypeChange::Conversion => Some("values that do not convert are lost or rejected"),
        };
        if let Some(consequence) = consequence {
            let verb = match classify(&from.ty, &to.ty) {
                TypeChange::Conversion => "changes",
                _ => "narrows",
            };
            parts.push(format!(
                "{verb} {name} from {} to {}: {consequence}",
                from.ty, to.ty
            ));
        }
    }
    if from.nullable && !to.nullable {
        parts.push(format!(
            "makes {name} NOT NULL: existing NULL values make it fail unless filled first"
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn column_differences(from: &Column, to: &Column) -> Vec<String> {
    let mut parts = Vec::new();
    if from.ty != to.ty {
        parts.push(format!("type {} -> {}", from.ty, to.ty));
    }
    if from.nullable != to.nullable {
        parts.push(if to.nullable { "NULL" } else { "NOT NULL" }.to_string());
    }
    if from.default != to.default {
        parts.push(match &to.default {
            Some(d) => format!("default {d}"),
            None => "drop default".to_string(),
        });
    }
    if from.auto_increment != to.auto_increment {
        parts.push(
            if to.auto_increment {
                "auto increment"
            } else {
                "no auto increment"
            }
            .to_string(),
        );
    }
    if from.comment != to.comment {
        parts.push(
            if to.comment.is_some() {
                "comment"
            } else {
                "drop comment"
            }
            .to_string(),
        );
    }
    parts
}

fn quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

fn quote_all<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> String {
    values
        .into_iter()
        .map(|v| quote(v.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn pk_columns(pk: &PrimaryKey) -> String {
    format!("({})", pk.columns.join(", "))
}

fn index_line(table: &str, index: &Index) -> String {
    let columns: Vec<String> = index
        .columns
        .iter()
        .map(|c| {
            if c.descending {
                format!("{} DESC", c.name)
            } else {
                c.name.clone()
            }
        })
        .collect();
    format!(
        "{}index {} on {table} ({})",
        if index.unique { "unique " } else { "" },
        index.name,
        columns.join(", ")
    )
}

/// `not deferrable`, `deferrable`, `deferrable initially deferred`.
fn deferrable_words(d: autogen_schema::Deferrable) -> &'static str {
    match d {
        autogen_schema::Deferrable::NotDeferrable => "not deferrable",
        autogen_schema::Deferrable::Immediate => "deferrable",
        autogen_schema::Deferrable::Deferred => "deferrable initially deferred",
    }
}

fn fk_line(table: &str, fk: &ForeignKey) -> String {
    format!(
        "{table} ({}) -> {} ({})",
        fk.columns.join(", "),
        fk.referenced_table,
        fk.referenced_columns.join(", ")
    )
}
