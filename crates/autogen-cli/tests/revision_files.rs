//! Revision file integrity end to end, through the real `autogen` binary: the file autogenerate
//! writes names its dialect, ends with `-- autogen:end` and has the umask's mode; a CRLF checkout
//! of it after it was applied is not an edit for `current` or `check`; a copy cut off inside its
//! downgrade section is refused naming the file and the fix; and the same SQLite history pointed
//! at a PostgreSQL or MySQL/MariaDB database is refused before anything runs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use autogen::schema::Dialect;
use autogen_testkit::models::USERS;
use common::{project_dir, scratch, Run, URL_FROM_ENV};

fn autogen(root: &Path, url: &str, args: &[&str]) -> Run {
    common::autogen(root, args, &[("DATABASE_URL", url)])
}

fn the_revision(root: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(root.join("revisions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

#[tokio::test]
async fn revision_files_are_whole_named_for_their_dialect_and_checked() {
    let dir = project_dir(URL_FROM_ENV, USERS);
    let root = dir.path();
    let sqlite = format!("sqlite://{}", root.join("app.db").display());

    let run = autogen(root, &sqlite, &["-m", "create users"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let path = the_revision(root);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\n-- autogen:dialect sqlite\n"), "{text}");
    assert!(text.ends_with("\n-- autogen:end\n"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let reference = root.join("reference.txt");
        std::fs::write(&reference, "x").unwrap();
        assert_eq!(mode(&path), mode(&reference), "mode of {}", path.display());
    }

    let run = autogen(root, &sqlite, &["upgrade"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    // A checkout with core.autocrlf=true: the same revision, not an edit.
    std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
    for args in [
        &["current"][..],
        &["check"][..],
        &["check", "--format", "json"][..],
    ] {
        let run = autogen(root, &sqlite, args);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
        let all = format!("{}{}", run.stdout, run.stderr);
        // "edited after it ran" (current), "edited since they ran" (check); the JSON's
        // `edited_revisions` array is checked below.
        assert!(!all.contains("edited "), "{args:?}: {all}");
    }
    let run = autogen(root, &sqlite, &["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["edited_revisions"], serde_json::json!([]), "{json}");

    // A copy cut off inside the downgrade section: refused by name, with the fix.
    let cut = text.find("DROP TABLE").unwrap() + "DROP TABLE".len();
    std::fs::write(&path, &text[..cut]).unwrap();
    for args in [&["downgrade", "base"][..], &["history"][..], &["check"][..]] {
        let run = autogen(root, &sqlite, args);
        assert_ne!(run.code, 0, "{args:?}: {}", run.stdout);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for needle in [name.as_str(), "-- autogen:end", "cut off", "restore"] {
            assert!(
                run.stderr.contains(needle),
                "{args:?}: `{needle}` in {}",
                run.stderr
            );
        }
    }
    std::fs::write(&path, &text).unwrap();
    let run = autogen(root, &sqlite, &["current"]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // The SQLite history pointed at the other dialects: refused before anything runs.
    for dialect in [Dialect::Postgres, Dialect::Mysql] {
        let Some(scratch) = scratch(dialect).await else {
            continue;
        };
        let url = scratch.url().expose().to_string();
        let run = autogen(root, &url, &["upgrade"]);
        assert_ne!(run.code, 0, "{dialect}: {}", run.stdout);
        for needle in [
            "written for SQLite",
            "nothing was run",
            "-- autogen:dialect sqlite",
        ] {
            assert!(
                run.stderr.contains(needle),
                "{dialect}: `{needle}` in {}",
                run.stderr
            );
        }
        let other = if dialect == Dialect::Postgres {
            "PostgreSQL"
        } else {
            "MySQL"
        };
        assert!(run.stderr.contains(other), "{dialect}: {}", run.stderr);
        let mut conn = scratch.connect().await.unwrap();
        let users = conn.execute_script("SELECT 1 FROM users WHERE 1 = 0").await;
        assert!(users.is_err(), "{dialect}: the revision ran");
        conn.close().await.unwrap();
        let run = autogen(root, &url, &["upgrade", "--sql"]);
        assert_ne!(run.code, 0, "{dialect}: {}", run.stdout);
        assert!(run.stderr.contains("written for SQLite"), "{}", run.stderr);
        scratch.drop_now().await;
    }
}
