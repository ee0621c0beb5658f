//! Small schema builders shared by the render tests.
#![allow(dead_code)]

use autogen_schema::{
    Check, Column, ColumnType, DefaultValue, ForeignKey, Index, IndexColumn, PrimaryKey,
    ReferentialAction, Schema, Table, UniqueConstraint,
};

pub fn col(name: &str, ty: ColumnType) -> Column {
    Column::new(name, ty)
}

pub fn nullable(name: &str, ty: ColumnType) -> Column {
    Column {
        nullable: true,
        ..Column::new(name, ty)
    }
}

pub fn with_default(mut c: Column, d: DefaultValue) -> Column {
    c.default = Some(d);
    c
}

pub fn int() -> ColumnType {
    ColumnType::Integer { unsigned: false }
}

pub fn bigint() -> ColumnType {
    ColumnType::BigInt { unsigned: false }
}

pub fn varchar(n: u32) -> ColumnType {
    ColumnType::Varchar { length: Some(n) }
}

pub fn pk(name: &str, cols: &[&str]) -> PrimaryKey {
    PrimaryKey {
        name: Some(name.into()),
        columns: cols.iter().map(|c| c.to_string()).collect(),
    }
}

pub fn unique(name: &str, cols: &[&str]) -> UniqueConstraint {
    UniqueConstraint {
        name: Some(name.into()),
        columns: cols.iter().map(|c| c.to_string()).collect(),
        deferrable: Default::default(),
    }
}

pub fn fk(name: &str, cols: &[&str], table: &str, refs: &[&str]) -> ForeignKey {
    ForeignKey {
        name: Some(name.into()),
        columns: cols.iter().map(|c| c.to_string()).collect(),
        referenced_table: table.into(),
        referenced_columns: refs.iter().map(|c| c.to_string()).collect(),
        on_delete: ReferentialAction::NoAction,
        on_update: ReferentialAction::NoAction,
        deferrable: Default::default(),
    }
}

pub fn check(name: &str, expr: &str) -> Check {
    Check {
        name: Some(name.into()),
        expression: expr.into(),
    }
}

pub fn index(name: &str, cols: &[&str]) -> Index {
    Index {
        name: name.into(),
        columns: cols.iter().map(|c| IndexColumn::asc(*c)).collect(),
        unique: false,
        method: None,
        predicate: None,
        ..Default::default()
    }
}

/// `orgs(id bigint auto pk, name text)` and
/// `users(id bigint auto pk, org_id bigint -> orgs, email varchar(255) unique, bio text null,
/// age integer default 0, ix on (org_id))`.
pub fn users_schema() -> Schema {
    let mut orgs = Table::new("orgs");
    orgs.columns = vec![
        Column {
            auto_increment: true,
            ..col("id", bigint())
        },
        col("name", ColumnType::Text),
    ];
    orgs.primary_key = Some(pk("pk_orgs", &["id"]));
    let mut users = Table::new("users");
    users.columns = vec![
        Column {
            auto_increment: true,
            ..col("id", bigint())
        },
        col("org_id", bigint()),
        col("email", varchar(255)),
        nullable("bio", ColumnType::Text),
        with_default(col("age", int()), DefaultValue::Number("0".into())),
    ];
    users.primary_key = Some(pk("pk_users", &["id"]));
    users.unique_constraints = vec![unique("uq_users_email", &["email"])];
    let mut f = fk("fk_users_org_id_orgs", &["org_id"], "orgs", &["id"]);
    f.on_delete = ReferentialAction::Cascade;
    users.foreign_keys = vec![f];
    users.indexes = vec![index("ix_users_org_id", &["org_id"])];
    Schema {
        tables: vec![orgs, users],
        enums: vec![],
        objects: Vec::new(),
    }
}

/// The statements as text, one per line group, comments as `-- ` lines: easy to assert whole.
pub fn text(stmts: &[autogen_sql::Statement]) -> String {
    let mut out = String::new();
    for s in stmts {
        if let Some(c) = &s.note {
            out.push_str(&format!("-- {c}\n"));
        }
        if let Some(loss) = &s.data_loss {
            out.push_str(&format!("-- destructive: {loss}\n"));
        }
        if let Some(r) = &s.rebuild {
            let quote = |n: &str| format!("\"{}\"", n.replace('"', "\"\""));
            let columns: Vec<String> = r.columns.iter().map(|c| quote(c)).collect();
            out.push_str(&format!(
                "-- autogen:rebuild {} {}\n",
                quote(&r.table),
                columns.join(" ")
            ));
        }
        out.push_str(&s.sql);
        out.push_str(";\n");
    }
    out
}
