//! MySQL/MariaDB introspection against a real server (AUTOGEN_TEST_MYSQL_URL; skipped when
//! unset): every IR feature MySQL can express, asserted as exact schema text plus names.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use autogen_db::Dialect;
use autogen_introspect::{introspect, introspect_with_stats, IntrospectOptions};
use autogen_schema::{render_text, ColumnType, DefaultValue};
use autogen_testkit::ScratchDatabase;

const SCHEMA: &str = r#"
CREATE TABLE orgs (
    id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name varchar(100) NOT NULL,
    CONSTRAINT uq_orgs_name UNIQUE (name)
) COMMENT = 'Organisations';
CREATE TABLE users (
    id int NOT NULL AUTO_INCREMENT,
    org_id bigint unsigned NOT NULL,
    email varchar(255) NOT NULL COMMENT 'Login e-mail',
    bio text,
    active tinyint(1) NOT NULL DEFAULT 1,
    flag boolean DEFAULT FALSE,
    score double DEFAULT -1.5,
    ratio float,
    price decimal(10, 2) NOT NULL DEFAULT 0,
    nickname varchar(20) DEFAULT 'it''s',
    path varchar(20) DEFAULT 'a\\b',
    created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    seen_at timestamp NULL DEFAULT NULL,
    born date,
    data json,
    state enum('active', 'blocked', 'it''s') NOT NULL DEFAULT 'active',
    code char(3),
    payload blob,
    tiny tinyint DEFAULT -1,
    age int,
    PRIMARY KEY (id),
    CONSTRAINT fk_users_org FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE CASCADE,
    CONSTRAINT uq_users_org_email UNIQUE (org_id, email),
    CONSTRAINT ck_users_age CHECK (age >= 0),
    KEY ix_users_org_created (org_id, created_at DESC),
    UNIQUE KEY ix_users_email_prefix (email(10)),
    FULLTEXT KEY ix_users_bio (bio)
);
CREATE UNIQUE INDEX ux_users_code ON users (code);
CREATE TABLE memberships (
    user_id int NOT NULL,
    org_id bigint unsigned NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (user_id) REFERENCES users (id) ON UPDATE CASCADE,
    CONSTRAINT fk_memberships_org FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE RESTRICT
);
CREATE TABLE posts (
    id int PRIMARY KEY,
    author_id int,
    CONSTRAINT fk_posts_author FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE TABLE tags (
    id int PRIMARY KEY,
    post_id int,
    KEY ix_tags_post (post_id),
    CONSTRAINT fk_tags_post FOREIGN KEY (post_id) REFERENCES posts (id)
);
CREATE TABLE autogen_version (version_num varchar(32) NOT NULL);
"#;

#[tokio::test]
async fn reads_every_feature_mysql_has() {
    let Some(scratch) = ScratchDatabase::from_env(Dialect::Mysql).await.unwrap() else {
        return;
    };
    let mut conn = scratch.connect().await.unwrap();
    conn.execute_script(SCHEMA).await.unwrap();
    let options = IntrospectOptions {
        exclude_tables: vec!["autogen_version".into()],
        pg_schema: None,
        pg_schemas: Vec::new(),
    };
    let schema = introspect(&mut conn, &options).await.unwrap();
    let want = r#"table memberships
  column user_id integer not null
  column org_id bigint unsigned not null
  primary key (org_id, user_id)
  foreign key fk_memberships_org (org_id) references orgs (id)
  foreign key memberships_ibfk_1 (user_id) references users (id) on update cascade
table orgs
  comment "Organisations"
  column id bigint unsigned not null auto_increment
  column name varchar(100) not null
  primary key (id)
  unique uq_orgs_name (name)
table posts
  column id integer not null
  column author_id integer null
  primary key (id)
  foreign key fk_posts_author (author_id) references users (id) on delete set null
table tags
  column id integer not null
  column post_id integer null
  primary key (id)
  foreign key fk_tags_post (post_id) references posts (id)
  index ix_tags_post (post_id)
table users
  column id integer not null auto_increment
  column org_id bigint unsigned not null
  column email varchar(255) not null comment "Login e-mail"
  column bio text null
  column active boolean not null default TRUE
  column flag boolean null default FALSE
  column score double null default -1.5
  column ratio real null
  column price decimal(10,2) not null default 0
  column nickname varchar(20) null default 'it''s'
  column path varchar(20) null default 'a\b'
  column created_at timestamp not null default CURRENT_TIMESTAMP
  column seen_at timestamptz null
  column born date null
  column data json null
  column state enum users_state('active', 'blocked', 'it''s') not null default 'active'
  column code char(3) null
  column payload blob null
  column tiny tinyint null default -1
  column age integer null
  primary key (id)
  check ck_users_age (age >= 0)
  foreign key fk_users_org (org_id) references orgs (id) on delete cascade
  index ix_users_bio (bio) using fulltext
  index ix_users_org_created (org_id, created_at desc)
  unique index ix_users_email_prefix (email prefix 10)
  unique uq_users_org_email (org_id, email)
  unique ux_users_code (code)
"#;
    // Table options are the server's defaults here (engine, charset and collation depend on the
    // server's version and configuration), so they are checked apart from the text.
    let without_options: String = render_text(&schema)
        .lines()
        .filter(|l| !l.starts_with("  option "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(without_options, want);

    let users = schema.table("users").unwrap();
    assert_eq!(users.options.engine.as_deref(), Some("InnoDB"));
    assert!(users.options.charset.is_some() && users.options.collation.is_some());
    assert_eq!(users.primary_key.as_ref().unwrap().name, None);
    let uniques: Vec<Option<&str>> = users
        .unique_constraints
        .iter()
        .map(|u| u.name.as_deref())
        .collect();
    assert_eq!(uniques, [Some("uq_users_org_email"), Some("ux_users_code")]);
    assert_eq!(users.foreign_keys[0].name.as_deref(), Some("fk_users_org"));
    assert_eq!(
        users.column("path").unwrap().default,
        Some(DefaultValue::String("a\\b".into()))
    );
    assert_eq!(
        users.column("state").unwrap().ty,
        ColumnType::Enum {
            name: "users_state".into(),
            values: vec!["active".into(), "blocked".into(), "it's".into()],
        }
    );
    let m = schema.table("memberships").unwrap();
    let fk_names: Vec<Option<&str>> = m.foreign_keys.iter().map(|f| f.name.as_deref()).collect();
    assert_eq!(
        fk_names,
        [Some("fk_memberships_org"), Some("memberships_ibfk_1")]
    );
    assert!(
        m.indexes.is_empty(),
        "implicit FK index reported: {:?}",
        m.indexes
    );
    assert!(schema.table("posts").unwrap().indexes.is_empty());

    conn.close().await.unwrap();
    scratch.drop_now().await.unwrap();
}

#[tokio::test]
async fn query_count_does_not_depend_on_table_count() {
    let Some(scratch) = ScratchDatabase::from_env(Dialect::Mysql).await.unwrap() else {
        return;
    };
    let mut conn = scratch.connect().await.unwrap();
    let mut counts = Vec::new();
    let mut created = 0;
    for n in [1usize, 30] {
        let mut sql = String::new();
        for i in created..n {
            sql.push_str(&format!(
                "CREATE TABLE t{i} (id int PRIMARY KEY, v varchar(10) CHECK (v <> ''), KEY ix_t{i}_v (v));\n"
            ));
        }
        created = n;
        conn.execute_script(&sql).await.unwrap();
        let (schema, stats) = introspect_with_stats(&mut conn, &IntrospectOptions::default())
            .await
            .unwrap();
        assert_eq!(schema.tables.len(), n);
        assert!(schema
            .tables
            .iter()
            .all(|t| t.indexes.len() == 1 && t.checks.len() == 1));
        counts.push(stats.queries);
    }
    assert_eq!(counts[0], counts[1]);
    assert!((7..=8).contains(&counts[0]), "{counts:?}");
    conn.close().await.unwrap();
    scratch.drop_now().await.unwrap();
}

#[tokio::test]
async fn a_url_without_a_database_is_a_clear_error() {
    let Some(server) = autogen_testkit::server_url(Dialect::Mysql) else {
        return;
    };
    let url = autogen_db::DatabaseUrl::parse(&server).unwrap();
    // The same server with an empty path: no current database.
    let bare = url.with_database("").unwrap();
    assert_eq!(bare.database_name(), None);
    let mut conn = autogen_db::Connection::connect(&bare).await.unwrap();
    let err = introspect(&mut conn, &IntrospectOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, autogen_introspect::IntrospectError::NoDatabaseSelected),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "the MySQL connection has no current database; add `/<database>` to the URL"
    );
    conn.close().await.unwrap();
}
