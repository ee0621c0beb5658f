//! Models the database would change or run as extra SQL are refused by the real binary before
//! anything is written, on every dialect whose server is configured (SQLite always): a name
//! PostgreSQL would cut (or MySQL refuse) and an SQL attribute that breaks out of the statement
//! it is written into are model errors at the attribute's file:line:col, `autogen -m` exits 1
//! and writes no revision, `autogen check` exits 2, and the database keeps its tables.
//! An empty `[naming]` template is refused when autogen.toml is read.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use autogen::schema::Dialect;
use autogen_testkit::models::USERS;
use common::{scratch, UrlProject};

/// A temporary project whose database URL comes from `DATABASE_URL`, and the steps these tests
/// take in it.
struct Project(UrlProject);

impl std::ops::Deref for Project {
    type Target = UrlProject;

    fn deref(&self) -> &UrlProject {
        &self.0
    }
}

impl Project {
    fn new(url: &str) -> Project {
        Project(UrlProject::new(url, USERS))
    }

    fn revision_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.root().join("revisions"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
    }

    /// The `users` table exists with its columns, and `upgrade` has applied the first revision.
    fn start(&self) {
        let run = self.run(&["-m", "create users"]);
        assert_eq!(run.code, 0, "autogenerate users\n{run}");
        let run = self.run(&["upgrade"]);
        assert_eq!(run.code, 0, "upgrade\n{run}");
    }

    /// `models` (appended to the users model) is refused with `message` at `marker`'s position:
    /// `-m` exits 1 and writes nothing, `check` exits 2 with the same error, and `check` passes
    /// again once the model is taken out (the database was not touched).
    fn refused(&self, what: &str, models: &str, marker: &str, message: &str) {
        let src = format!("{USERS}{models}");
        self.write("src/models.rs", &src);
        let (line, column) = locate(&src, marker);
        let location = format!("--> src/models.rs:{line}:{column}\n");
        let before = self.revision_files();

        let run = self.run(&["-m", "more"]);
        assert_eq!(run.code, 1, "{what}: autogenerate\n{run}");
        for want in [message, &location, "= help: "] {
            assert!(run.stderr.contains(want), "{what}: want {want:?}\n{run}");
        }
        assert_eq!(self.revision_files(), before, "{what}: a file was written");

        let run = self.run(&["check"]);
        assert_eq!(run.code, 2, "{what}: check\n{run}");
        assert!(run.stderr.contains(message), "{what}: check\n{run}");

        self.write("src/models.rs", USERS);
        let run = self.run(&["check"]);
        assert_eq!(run.code, 0, "{what}: check without the model\n{run}");
    }
}

/// 1-based line and column of the first occurrence of `marker` in `src`.
fn locate(src: &str, marker: &str) -> (usize, usize) {
    let at = src.find(marker).expect("marker in source");
    let before = &src[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn long_column(name: &str) -> String {
    format!(
        "\n#[derive(Model)]\n#[model(table = \"profiles\")]\npub struct Profile {{\n    #[model(primary_key)]\n    pub id: i64,\n    pub {name}: Option<String>,\n}}\n"
    )
}

/// PostgreSQL cut a 64-byte column name to 63 bytes without an error, so the models and the
/// database never matched again and the next revision dropped and recreated the table. Now the
/// name is a model error on PostgreSQL (and a 65-character one on MySQL), while SQLite, which
/// has no limit, still takes it.
#[tokio::test]
async fn names_the_server_would_cut_are_model_errors() {
    let name64 = "a".repeat(64);
    for dialect in Dialect::ALL {
        let Some(db) = scratch(dialect).await else {
            continue;
        };
        let p = Project::new(db.url().expose());
        p.start();
        match dialect {
            Dialect::Postgres => p.refused(
                "64-byte column",
                &long_column(&name64),
                &format!("{name64}: Option"),
                &format!("error: the column name `{name64}` is 64 bytes long; PostgreSQL allows at most 63"),
            ),
            Dialect::Mysql => {
                let name65 = "a".repeat(65);
                p.refused(
                    "65-character column",
                    &long_column(&name65),
                    &format!("{name65}: Option"),
                    &format!("error: the column name `{name65}` is 65 characters long; MySQL/MariaDB allow at most 64"),
                );
                p.refused(
                    "tables that differ only in case",
                    "\n#[derive(Model)]\n#[model(table = \"Users\")]\npub struct Shouting {\n    pub id: i64,\n}\n",
                    "table = \"Users\"",
                    "error: tables `users` and `Users` differ only in case",
                );
            }
            Dialect::Sqlite => {
                p.refused(
                    "tables that differ only in case",
                    "\n#[derive(Model)]\n#[model(table = \"USERS\")]\npub struct Shouting {\n    pub id: i64,\n}\n",
                    "table = \"USERS\"",
                    "error: tables `users` and `USERS` differ only in case",
                );
                p.write("src/models.rs", &format!("{USERS}{}", long_column(&name64)));
                let run = p.run(&["-m", "long name"]);
                assert_eq!(run.code, 0, "SQLite takes a 64-byte name\n{run}");
                let run = p.run(&["upgrade"]);
                assert_eq!(run.code, 0, "upgrade\n{run}");
                let run = p.run(&["check"]);
                assert_eq!(run.code, 0, "in sync after the upgrade\n{run}");
            }
        }
        db.drop_now().await;
    }
}

/// `check(expr)`, `default`, `column_type` and index `where` are SQL written into the revision;
/// a balanced breakout such as `1=1)); DROP TABLE users; SELECT ((1` used to be written and run
/// on every dialect. Now each is a model error, as are the breakouts that hide in one dialect's
/// own quoting (a backslash before a quote on MySQL, `$$` on PostgreSQL, `[...]` on SQLite).
#[tokio::test]
async fn sql_attributes_that_break_out_are_model_errors() {
    let evil = |attrs: &str, field: &str| {
        format!("\n#[derive(Model)]\n#[model(table = \"evil\")]\n{attrs}pub struct Evil {{\n    #[model(primary_key)]\n    pub id: i64,\n{field}}}\n")
    };
    for dialect in Dialect::ALL {
        let Some(db) = scratch(dialect).await else {
            continue;
        };
        let p = Project::new(db.url().expose());
        p.start();
        p.refused(
            "balanced breakout in a check",
            &evil(
                "#[model(check(expr = \"1=1)); DROP TABLE users; SELECT ((1\"))]\n",
                "",
            ),
            "\"1=1",
            "error: the check expression has a `)` that closes no `(` (character 4)",
        );
        p.refused(
            "statement separator in a default",
            &evil(
                "",
                "    #[model(default = \"0; DROP TABLE users\")]\n    pub n: i64,\n",
            ),
            "\"0;",
            "error: `default` has a statement separator `;` outside a string literal",
        );
        p.refused(
            "comment in a column type",
            &evil(
                "",
                "    #[model(column_type = \"text) -- \")]\n    pub n: String,\n",
            ),
            "\"text",
            "error: `column_type` has a `)` that closes no `(`",
        );
        p.refused(
            "breakout in an index predicate",
            &evil(
                "#[model(index(columns(\"id\"), where = \"id > 0; DROP TABLE users\"))]\n",
                "",
            ),
            "\"id > 0",
            "error: the index predicate (`where`) has a statement separator `;`",
        );
        let (own, marker, message) = match dialect {
            Dialect::Mysql => (
                "    #[model(default = \"'\\\\''; DROP TABLE users; SELECT '\\\\''\")]\n    pub n: String,\n",
                "\"'\\\\",
                "error: `default` has a statement separator `;` outside a string literal (character 5), as MySQL/MariaDB read it by default",
            ),
            Dialect::Postgres => (
                "    #[model(default = \"$$'$$; DROP TABLE users; SELECT $$'$$\")]\n    pub n: String,\n",
                "\"$$",
                "error: `default` has a statement separator `;` outside a string literal (character 6)",
            ),
            Dialect::Sqlite => (
                "    #[model(default = \"['] ; DROP TABLE users; [']\")]\n    pub n: String,\n",
                "\"['",
                "error: `default` has a statement separator `;` outside a string literal (character 5)",
            ),
        };
        p.refused(
            "breakout through the dialect's own quoting",
            &evil("", own),
            marker,
            message,
        );
        db.drop_now().await;
    }
}

/// An empty naming template gave every index the name `""`; it is now refused when autogen.toml
/// is read, before any model or database is looked at.
#[test]
fn an_empty_naming_template_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    let p = Project::new(&format!("sqlite://{}", db.display()));
    p.write(
        "autogen.toml",
        "models = [\"src/**/*.rs\"]\nrevisions = \"revisions\"\n\n[naming]\nindex = \"\"\n",
    );
    p.write(
        "src/models.rs",
        &USERS.replace(
            "#[model(max_length = 255)]",
            "#[model(max_length = 255, index)]",
        ),
    );
    let run = p.run(&["-m", "users"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr
            .contains("autogen.toml: naming template `index` is empty"),
        "{run}"
    );
    assert_eq!(p.revision_files(), Vec::<PathBuf>::new());
}
