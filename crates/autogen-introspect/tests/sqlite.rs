//! SQLite introspection against real in-memory databases: every IR feature SQLite can express,
//! asserted as the exact schema text plus the names the text rendering leaves out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use autogen_db::{Connection, DatabaseUrl};
use autogen_introspect::{introspect, introspect_with_stats, IntrospectOptions};
use autogen_schema::{render_text, Check, ColumnType, DefaultValue};

async fn memory_db(sql: &str) -> Connection {
    let url = DatabaseUrl::parse("sqlite::memory:").unwrap();
    let mut conn = Connection::connect(&url).await.unwrap();
    conn.execute_script(sql).await.unwrap();
    conn
}

const SCHEMA: &str = r#"
CREATE TABLE orgs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(100) NOT NULL,
    CONSTRAINT uq_orgs_name UNIQUE (name)
);
CREATE TABLE users (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL CONSTRAINT fk_users_org_id_orgs REFERENCES orgs (id) ON DELETE CASCADE,
    email VARCHAR(255) NOT NULL UNIQUE,
    bio TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    verified BOOLEAN NOT NULL DEFAULT 0,
    score REAL DEFAULT -1.50,
    price NUMERIC(10, 2) DEFAULT (0),
    nickname TEXT DEFAULT 'it''s',
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    seen_at DATETIME DEFAULT (datetime('now')),
    token UUID,
    data JSON DEFAULT NULL,
    age INTEGER CHECK (age >= 0),
    "odd ""name""" CHAR(2),
    CONSTRAINT ck_users_email CHECK (email LIKE '%@%' AND email <> 'CHECK (x)')
);
CREATE INDEX ix_users_org_created ON users (org_id, created_at DESC);
CREATE UNIQUE INDEX ix_users_lower_email ON users (lower(email)) WHERE bio IS NOT NULL;
CREATE TABLE memberships (
    user_id INTEGER,
    org_id INTEGER NOT NULL,
    role TEXT NOT NULL DEFAULT 'member',
    CONSTRAINT pk_memberships PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (user_id) REFERENCES users ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_memberships_org FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE RESTRICT
);
CREATE TABLE plain (id INTEGER PRIMARY KEY, payload BLOB, untyped, big BIGINT UNSIGNED);
CREATE TABLE autogen_version (version_num TEXT NOT NULL);
"#;

#[tokio::test]
async fn reads_every_feature_sqlite_has() {
    let mut conn = memory_db(SCHEMA).await;
    let options = IntrospectOptions {
        exclude_tables: vec!["autogen_version".into()],
        pg_schema: None,
        pg_schemas: Vec::new(),
    };
    let schema = introspect(&mut conn, &options).await.unwrap();
    let want = r#"table memberships
  column user_id integer not null
  column org_id integer not null
  column role text not null default 'member'
  primary key pk_memberships (org_id, user_id)
  foreign key (user_id) references users (id) on delete set null on update cascade
  foreign key fk_memberships_org (org_id) references orgs (id) on delete restrict
table orgs
  column id integer not null auto_increment
  column name varchar(100) not null
  primary key (id)
  unique uq_orgs_name (name)
table plain
  column id integer not null
  column payload blob null
  column untyped other "" null
  column big bigint unsigned null
  primary key (id)
table users
  column id integer not null auto_increment
  column org_id bigint not null
  column email varchar(255) not null
  column bio text null
  column active boolean not null default TRUE
  column verified boolean not null default FALSE
  column score real null default -1.5
  column price decimal(10,2) null default 0
  column nickname text null default 'it''s'
  column created_at timestamp not null default CURRENT_TIMESTAMP
  column seen_at timestamp null default (datetime('now'))
  column token uuid null
  column data json null
  column age integer null
  column "odd \"name\"" char(2) null
  primary key (id)
  check (age >= 0)
  check ck_users_email (email LIKE '%@%' AND email <> 'CHECK (x)')
  foreign key fk_users_org_id_orgs (org_id) references orgs (id) on delete cascade
  index ix_users_org_created (org_id, created_at desc)
  unique (email)
  unique index ix_users_lower_email (lower(email)) where bio IS NOT NULL
"#;
    assert_eq!(render_text(&schema), want);

    // Tables by name; what the text does not show: names, order, exact values.
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["memberships", "orgs", "plain", "users"]);
    let m = schema.table("memberships").unwrap();
    assert_eq!(
        m.primary_key.as_ref().unwrap().name.as_deref(),
        Some("pk_memberships")
    );
    let fk_names: Vec<Option<&str>> = m.foreign_keys.iter().map(|f| f.name.as_deref()).collect();
    assert_eq!(fk_names, [Some("fk_memberships_org"), None]);
    let orgs = schema.table("orgs").unwrap();
    assert_eq!(
        orgs.unique_constraints[0].name.as_deref(),
        Some("uq_orgs_name")
    );
    assert_eq!(orgs.primary_key.as_ref().unwrap().name, None);
    let users = schema.table("users").unwrap();
    assert_eq!(
        users.foreign_keys[0].name.as_deref(),
        Some("fk_users_org_id_orgs")
    );
    assert_eq!(users.unique_constraints[0].name, None);
    assert_eq!(
        users.checks,
        [
            Check {
                name: Some("ck_users_email".into()),
                expression: "email LIKE '%@%' AND email <> 'CHECK (x)'".into()
            },
            Check {
                name: None,
                expression: "age >= 0".into()
            },
        ]
    );
    assert_eq!(
        users.column("odd \"name\"").unwrap().ty,
        ColumnType::Char { length: Some(2) }
    );
    assert_eq!(
        users.column("seen_at").unwrap().default,
        Some(DefaultValue::Expression("datetime('now')".into()))
    );
    assert!(users.comment.is_none() && users.columns.iter().all(|c| c.comment.is_none()));
    // A bare INTEGER PRIMARY KEY (no AUTOINCREMENT keyword) is not auto_increment.
    assert!(!schema.table("plain").unwrap().columns[0].auto_increment);
    conn.close().await.unwrap();
}

#[tokio::test]
async fn query_count_does_not_depend_on_table_count() {
    let mut counts = Vec::new();
    for n in [1usize, 40] {
        let mut sql = String::new();
        for i in 0..n {
            sql.push_str(&format!(
                "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, p INTEGER REFERENCES t0 (id), v TEXT CHECK (v <> ''));\n\
                 CREATE INDEX ix_t{i}_v ON t{i} (v);\n"
            ));
        }
        let mut conn = memory_db(&sql).await;
        let (schema, stats) = introspect_with_stats(&mut conn, &IntrospectOptions::default())
            .await
            .unwrap();
        assert_eq!(schema.tables.len(), n);
        assert!(schema
            .tables
            .iter()
            .all(|t| t.indexes.len() == 1 && t.foreign_keys.len() == 1 && t.checks.len() == 1));
        counts.push(stats.queries);
    }
    assert_eq!(counts, [5, 5]);
}

#[tokio::test]
async fn empty_database_is_an_empty_schema() {
    let mut conn = memory_db("").await;
    let schema = introspect(&mut conn, &IntrospectOptions::default())
        .await
        .unwrap();
    assert_eq!(schema, autogen_schema::Schema::default());
}
