//! DatabaseUrl parsing, redaction and path resolution, table-driven.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use autogen_db::{DatabaseUrl, DbError, Dialect};

#[test]
fn parses_every_accepted_scheme() {
    let cases: &[(&str, Dialect, Option<&str>)] = &[
        ("sqlite::memory:", Dialect::Sqlite, None),
        ("sqlite:app.db", Dialect::Sqlite, Some("app.db")),
        ("sqlite://app.db", Dialect::Sqlite, Some("app.db")),
        ("sqlite:///tmp/app.db", Dialect::Sqlite, Some("/tmp/app.db")),
        (
            "sqlite:data/app.db?mode=rwc",
            Dialect::Sqlite,
            Some("data/app.db"),
        ),
        ("sqlite://?mode=memory", Dialect::Sqlite, None),
        (
            "postgres://root@127.0.0.1:5432/test",
            Dialect::Postgres,
            Some("test"),
        ),
        (
            "postgresql://u:p@localhost/app",
            Dialect::Postgres,
            Some("app"),
        ),
        (
            "mysql://root@127.0.0.1:3306/test",
            Dialect::Mysql,
            Some("test"),
        ),
        ("mariadb://root:pw@db/shop", Dialect::Mysql, Some("shop")),
        ("MySQL://root@db/My%20Db", Dialect::Mysql, Some("My Db")),
        ("postgres://root@db", Dialect::Postgres, None),
    ];
    for (raw, dialect, name) in cases {
        let url = DatabaseUrl::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        assert_eq!(url.dialect(), *dialect, "{raw}");
        assert_eq!(url.database_name().as_deref(), *name, "{raw}");
    }
}

#[test]
fn mariadb_is_handed_to_sqlx_as_mysql() {
    let url = DatabaseUrl::parse("mariadb://root:pw@db:3306/shop").unwrap();
    assert_eq!(url.expose(), "mysql://root:pw@db:3306/shop");
}

#[test]
fn rejects_bad_urls_with_helpful_messages() {
    let cases: &[(&str, &str)] = &[
        (
            "oracle://u:secret@h/db",
            "unsupported database URL scheme `oracle` in `oracle://u:***@h/db`; expected one of `sqlite:`, `postgres://`, `postgresql://`, `mysql://`, `mariadb://`",
        ),
        (
            "just-a-file.db",
            "database URL `just-a-file.db` has no scheme; expected one of `sqlite:`, `postgres://`, `postgresql://`, `mysql://`, `mariadb://`",
        ),
        (
            "sqlite:",
            "invalid database URL `sqlite:`: no file path; write `sqlite:path/to/file.db` or `sqlite::memory:`",
        ),
        (
            "postgres://u:secret@:5432/db",
            "invalid database URL `postgres://u:***@:5432/db`: empty host",
        ),
        (
            "mysql:///db",
            "invalid database URL `mysql:///db`: no host; write `mysql://user:password@host:port/database`",
        ),
    ];
    for (raw, want) in cases {
        let err = DatabaseUrl::parse(raw).expect_err(raw);
        assert_eq!(err.to_string(), *want, "{raw}");
        assert!(!format!("{err:?}").contains("secret"), "{raw}: {err:?}");
    }
}

#[test]
fn redaction_hides_the_password_everywhere() {
    let cases: &[(&str, &str)] = &[
        (
            "postgres://app:s3cr%40t@db:5432/app",
            "postgres://app:***@db:5432/app",
        ),
        ("mysql://root:s3cr%40t@db/test", "mysql://root:***@db/test"),
        (
            "mariadb://root:s3cr%40t@db/test",
            "mysql://root:***@db/test",
        ),
        (
            "postgres://app@db/app?sslmode=disable&password=s3cr%40t",
            "postgres://app@db/app?sslmode=disable&password=***",
        ),
        (
            "postgres://root@127.0.0.1:5432/test",
            "postgres://root@127.0.0.1:5432/test",
        ),
        ("sqlite:app.db", "sqlite:app.db"),
    ];
    for (raw, want) in cases {
        let url = DatabaseUrl::parse(raw).unwrap();
        assert_eq!(url.redacted(), *want, "{raw}");
        assert_eq!(url.to_string(), *want, "{raw}");
        let debug = format!("{url:?}");
        assert!(!debug.contains("s3cr"), "{debug}");
        assert!(!url.to_string().contains("s3cr"));
    }
    let url = DatabaseUrl::parse("postgres://app:s3cr%40t@db:5432/app").unwrap();
    assert!(
        url.expose().contains("s3cr%40t"),
        "expose keeps the secret for sqlx"
    );
}

#[test]
fn resolves_relative_sqlite_paths_only() {
    let dir = Path::new("/srv/project");
    let cases: &[(&str, &str)] = &[
        ("sqlite:app.db", "sqlite:/srv/project/app.db"),
        (
            "sqlite://data/app.db?mode=rwc",
            "sqlite:/srv/project/data/app.db?mode=rwc",
        ),
        ("sqlite:///abs/app.db", "sqlite:/abs/app.db"),
        ("sqlite::memory:", "sqlite::memory:"),
        ("postgres://root@db/test", "postgres://root@db/test"),
    ];
    for (raw, want) in cases {
        let url = DatabaseUrl::parse(raw).unwrap().resolve_relative(dir);
        assert_eq!(url.expose(), *want, "{raw}");
    }
    let odd = DatabaseUrl::parse("sqlite:a.db")
        .unwrap()
        .resolve_relative(Path::new("/tmp/50% off?"));
    assert_eq!(odd.sqlite_path().unwrap(), Path::new("/tmp/50% off?/a.db"));
}

#[test]
fn with_database_switches_servers_only() {
    let url = DatabaseUrl::parse("postgres://u:pw@db:5432/postgres?sslmode=disable").unwrap();
    let other = url.with_database("scratch_1").unwrap();
    assert_eq!(
        other.expose(),
        "postgres://u:pw@db:5432/scratch_1?sslmode=disable"
    );
    let sqlite = DatabaseUrl::parse("sqlite:a.db").unwrap();
    assert!(matches!(
        sqlite.with_database("x"),
        Err(DbError::InvalidUrl { .. })
    ));
}
