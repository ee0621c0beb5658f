//! Adopting an existing database, end to end with the real binary on every dialect: a database
//! built by hand-written SQL (`fixtures/models/<dialect>/schema.sql`) -> `autogen models` (its
//! output is the golden `expected.rs` beside it, rewritten only by `cargo xtask bless`) -> the
//! written file reads as models and `autogen check` exits 0 against the same database, and
//! autogenerate writes nothing -> the baseline: `autogen diff <empty> <live>` applied to an empty
//! database reproduces the live one, compared by autogen and by the server's own catalog
//! (`pg_dump --schema-only`, `SHOW CREATE TABLE`, SQLite's pragmas, and the stored views and
//! triggers) -> a change to one column keeps the rest of that catalog, and its downgrade restores
//! it. Each fixture's view and trigger (`objects.sql`) are run on the database and declared as the
//! project's `schema_files`; the PostgreSQL project manages two schemas. A second scenario shows
//! what the models cannot express being reported, and `--out` refusing to overwrite.

// A test that cannot set up its database should fail loudly, right there.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use autogen::db::Connection;
use autogen::schema::Dialect;
use autogen_tests::{check_golden, workspace_root};

use common::{scratch, text, Project};

fn fixture(dialect: Dialect, file: &str) -> std::path::PathBuf {
    workspace_root()
        .join("fixtures/models")
        .join(dialect.name())
        .join(file)
}

/// Runs autogen in the project and returns (exit code, stdout, stderr).
fn run(p: &Project, args: &[&str]) -> (i32, String, String) {
    let out = p.run(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The schemas of the PostgreSQL fixture besides `public`; each must exist before autogen reads
/// a database (see the README's `schemas`), so the test creates them in the empty one too.
const PG_OTHER_SCHEMAS: &[&str] = &["billing"];

async fn adopt(dialect: Dialect) -> Option<()> {
    // Views and triggers (`objects.sql`, where the fixture has one) are part of the database and
    // declared as the project's schema files.
    let objects = std::fs::read_to_string(fixture(dialect, "objects.sql")).ok();
    let mut config = String::new();
    if objects.is_some() {
        config.push_str("schema_files = [\"schema/*.sql\"]\n");
    }
    if dialect == Dialect::Postgres {
        let schemas: Vec<String> = std::iter::once("public")
            .chain(PG_OTHER_SCHEMAS.iter().copied())
            .map(|s| format!("\"{s}\""))
            .collect();
        config.push_str(&format!("schemas = [{}]\n", schemas.join(", ")));
    }
    let p = Project::new(dialect, "", &config).await?;
    std::fs::remove_file(p.root().join("src/models.rs")).unwrap();
    let schema = std::fs::read_to_string(fixture(dialect, "schema.sql")).unwrap();
    p.execute(&schema).await;
    if let Some(objects) = &objects {
        p.execute(objects).await;
        std::fs::create_dir_all(p.root().join("schema")).unwrap();
        std::fs::write(p.root().join("schema/objects.sql"), objects).unwrap();
    }

    // The models, printed: the golden file, and a clean report on stderr.
    let (code, printed, stderr) = run(&p, &["models"]);
    assert_eq!(code, 0, "{dialect}: autogen models\n{stderr}");
    assert!(
        stderr.contains("they match the database") && !stderr.contains("warning"),
        "{dialect}: {stderr}"
    );
    if let Err(e) = check_golden(&fixture(dialect, "expected.rs"), &printed) {
        panic!("{dialect}: {e}");
    }

    // Written with --out: the same text; then the project's own commands agree with them.
    p.ok(&["models", "--out", "src/models.rs"]);
    let written = std::fs::read_to_string(p.root().join("src/models.rs")).unwrap();
    assert_eq!(
        written, printed,
        "{dialect}: --out wrote other text than stdout"
    );
    let check = p.run(&["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{dialect}: autogen check against the database the models came from:\n{}",
        text(&check)
    );
    let generated = p.ok(&["-m", "adopt"]);
    assert!(
        generated.contains("No changes detected"),
        "{dialect}: {generated}"
    );
    assert_eq!(
        std::fs::read_dir(p.root().join("revisions"))
            .unwrap()
            .count(),
        0,
        "{dialect}: autogenerate wrote a revision"
    );

    // The baseline: the live schema as a first revision, stamped on the live database and
    // upgraded into an empty one.
    let empty = scratch(dialect).await?;
    let live = p.url().to_string();
    let empty_url = empty.url().expose().to_string();
    // Connecting creates the SQLite file, which `diff` (read-only) would refuse as missing.
    let mut conn = empty.connect().await.unwrap();
    if dialect == Dialect::Postgres {
        for schema in PG_OTHER_SCHEMAS {
            conn.execute_script(&format!("CREATE SCHEMA \"{schema}\""))
                .await
                .unwrap();
        }
    }
    let _ = conn.close().await;
    let (code, upgrade, stderr) = run(&p, &["diff", &empty_url, &live]);
    assert_eq!(code, 0, "{dialect}: autogen diff <empty> <live>\n{stderr}");
    let (code, downgrade, stderr) = run(&p, &["diff", &empty_url, &live, "--downgrade"]);
    assert_eq!(code, 0, "{dialect}: autogen diff --downgrade\n{stderr}");
    p.hand_written("baseline", &upgrade, &downgrade);
    p.ok(&["stamp", "head"]);
    let check = p.run(&["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{dialect}: check after stamping the baseline:\n{}",
        text(&check)
    );
    p.ok(&["upgrade", "--database-url", &empty_url]);
    let (code, _, stderr) = run(&p, &["diff", &live, &empty_url, "--exit-code"]);
    assert_eq!(
        code, 0,
        "{dialect}: the baseline differs from the live database\n{stderr}"
    );
    assert!(stderr.contains("No differences"), "{dialect}: {stderr}");
    let mut live_conn = p.connect().await;
    let mut copy_conn = empty.connect().await.unwrap();
    let want = catalog(&mut live_conn, &live).await;
    let got = catalog(&mut copy_conn, &empty_url).await;
    let _ = live_conn.close().await;
    let _ = copy_conn.close().await;
    if objects.is_some() {
        for name in ["active_customers", "orders_touch"] {
            assert!(want.contains(name), "{dialect}: no {name} in\n{want}");
        }
    }
    if want != got {
        let diff = similar::TextDiff::from_lines(&want, &got)
            .unified_diff()
            .header("live", "baseline")
            .to_string();
        panic!("{dialect}: the server's catalog differs after the baseline:\n{diff}");
    }
    // The baseline's downgrade leaves nothing autogen manages.
    p.ok(&["downgrade", "base", "--database-url", &empty_url]);
    let (code, nothing, stderr) = run(&p, &["models", "--database-url", &empty_url]);
    assert_eq!(code, 0, "{dialect}: {stderr}");
    assert!(
        !nothing.contains("#[derive("),
        "{dialect}: tables left after downgrading the baseline:\n{nothing}"
    );
    empty.drop_now().await;

    // A change to one column (`customers.ratio` from real/float to double) keeps every other
    // property of the adopted database: the server's catalog differs only in that column's
    // lines, and the downgrade brings back the catalog the database had.
    let models = std::fs::read_to_string(p.root().join("src/models.rs")).unwrap();
    let changed = models.replace("pub ratio: Option<f32>,", "pub ratio: Option<f64>,");
    assert_ne!(
        changed, models,
        "{dialect}: no `ratio: Option<f32>` in the models"
    );
    p.write_models(&changed);
    let mut conn = p.connect().await;
    let before = catalog(&mut conn, &live).await;
    let _ = conn.close().await;
    p.ok(&["-m", "wider ratio"]);
    p.ok(&["upgrade"]);
    let check = p.run(&["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{dialect}: check after changing one column:\n{}",
        text(&check)
    );
    let mut conn = p.connect().await;
    let after = catalog(&mut conn, &live).await;
    let _ = conn.close().await;
    let untouched = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.contains("ratio"))
            .map(str::to_string)
            .collect()
    };
    assert_ne!(before, after, "{dialect}: the column did not change");
    if untouched(&before) != untouched(&after) {
        let diff = similar::TextDiff::from_lines(&before, &after)
            .unified_diff()
            .header("before", "after")
            .to_string();
        panic!("{dialect}: changing customers.ratio changed more than that column:\n{diff}");
    }
    p.ok(&["downgrade", "-1"]);
    let mut conn = p.connect().await;
    let back = catalog(&mut conn, &live).await;
    let _ = conn.close().await;
    if back != before {
        let diff = similar::TextDiff::from_lines(&before, &back)
            .unified_diff()
            .header("before", "downgraded")
            .to_string();
        panic!("{dialect}: the downgrade did not restore the catalog:\n{diff}");
    }
    p.drop_database().await;
    Some(())
}

/// The database's own description of its schema, as text: `pg_dump --schema-only` on
/// PostgreSQL (without the random `\restrict` key lines of newer pg_dump builds), `SHOW CREATE
/// TABLE` of every table on MySQL/MariaDB, and on SQLite the pragmas (columns with their
/// declared types, NOT NULL, defaults and key positions; indexes with their origin, uniqueness,
/// partialness and key columns; foreign keys), since `sqlite_master` keeps each statement's text
/// as it was typed and so can only ever match itself.
async fn catalog(conn: &mut Connection, url: &str) -> String {
    match conn {
        Connection::Postgres(_) => {
            let out = std::process::Command::new("pg_dump")
                .args(["--schema-only", "--no-owner", "--no-privileges", "-d", url])
                .output()
                .expect("run pg_dump");
            assert!(
                out.status.success(),
                "pg_dump: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
                .filter(|l| !l.starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        }
        Connection::Mysql(c) => {
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1")
                    .fetch_all(&mut *c)
                    .await
                    .unwrap();
            let mut out = String::new();
            for t in tables {
                let row: (String, String) = sqlx::query_as(&format!("SHOW CREATE TABLE `{t}`"))
                    .fetch_one(&mut *c)
                    .await
                    .unwrap();
                out.push_str(&key_order_free(&row.1));
                out.push_str("\n\n");
            }
            // Views and triggers as the server keeps them (a view's definition names its
            // database, which differs between the two databases compared).
            let database: String = sqlx::query_scalar("SELECT CAST(DATABASE() AS CHAR)")
                .fetch_one(&mut *c)
                .await
                .unwrap();
            let objects: Vec<String> = sqlx::query_scalar(
                "SELECT CAST(CONCAT('view ', table_name, ' ', check_option, ' ', view_definition) AS CHAR)
                   FROM information_schema.views WHERE table_schema = DATABASE()
                 UNION ALL
                 SELECT CAST(CONCAT('trigger ', trigger_name, ' ', action_timing, ' ', event_manipulation, ' ',
                                    event_object_table, ' ', action_statement) AS CHAR)
                   FROM information_schema.triggers WHERE trigger_schema = DATABASE()
                 ORDER BY 1",
            )
            .fetch_all(&mut *c)
            .await
            .unwrap();
            for o in objects {
                out.push_str(&o.replace(&format!("`{database}`."), ""));
                out.push('\n');
            }
            out
        }
        Connection::Sqlite(c) => {
            let queries = [
                "SELECT m.name || ' column ' || p.cid || ' ' || p.name || ' ' || lower(p.type) || ' notnull=' || p.\"notnull\" || ' default=' || coalesce(p.dflt_value, '-') || ' pk=' || p.pk || ' hidden=' || p.hidden
                 FROM sqlite_master m, pragma_table_xinfo(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                "SELECT m.name || ' index ' || CASE WHEN l.origin = 'c' THEN l.name ELSE '(' || l.origin || ')' END || ' unique=' || l.\"unique\" || ' partial=' || l.partial || ' ('
                     || (SELECT group_concat(coalesce(x.name, '<expr>') || CASE WHEN x.\"desc\" THEN ' desc' ELSE '' END, ', ') FROM pragma_index_xinfo(l.name) x WHERE x.key ORDER BY x.seqno) || ')'
                 FROM sqlite_master m, pragma_index_list(m.name) l WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                "SELECT m.name || ' foreign key ' || f.seq || ' ' || f.\"from\" || ' -> ' || f.\"table\" || '.' || f.\"to\" || ' on update ' || f.on_update || ' on delete ' || f.on_delete
                 FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                // Views and triggers are kept as their text, which autogen carries verbatim.
                "SELECT type || ' ' || name || ' on ' || tbl_name || ': ' || sql FROM sqlite_master WHERE type IN ('view', 'trigger')",
            ];
            let mut lines: Vec<String> = Vec::new();
            for q in queries {
                let rows: Vec<String> = sqlx::query_scalar(q)
                    .fetch_all(&mut *c)
                    .await
                    .unwrap_or_else(|e| panic!("{q}: {e}"));
                lines.extend(rows);
            }
            lines.sort();
            lines.join("\n")
        }
    }
}

/// `SHOW CREATE TABLE` with its key and constraint lines sorted and line-ending commas dropped:
/// the server lists indexes in the order they were made (a foreign key's index where the key was
/// declared), which means nothing. Column lines keep their order, which is the table's.
fn key_order_free(create: &str) -> String {
    let lines: Vec<&str> = create.lines().map(|l| l.trim_end_matches(',')).collect();
    let (columns, mut keys): (Vec<&str>, Vec<&str>) = lines
        .iter()
        .partition(|l| !l.starts_with("  ") || l.starts_with("  `"));
    keys.sort_unstable();
    let last = columns.len().saturating_sub(1);
    let mut out: Vec<&str> = columns[..last].to_vec();
    out.extend(keys);
    out.extend(columns.get(last));
    out.join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adopt_sqlite() {
    adopt(Dialect::Sqlite).await.expect("sqlite always runs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adopt_postgres() {
    adopt(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adopt_mysql() {
    adopt(Dialect::Mysql).await;
}

/// What the model attributes cannot say is written as comments, listed on stderr, and the exit
/// code says the models do not reproduce the database; `--out` never overwrites without
/// `--force`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_models_cannot_express_is_reported() {
    let p = Project::new(Dialect::Sqlite, "", "")
        .await
        .expect("sqlite always runs");
    p.execute(
        "CREATE TABLE parents (a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b));
         CREATE TABLE kids (id INTEGER NOT NULL PRIMARY KEY, a INTEGER, b INTEGER, email TEXT,
             \"odd name\" TEXT, FOREIGN KEY (a, b) REFERENCES parents (a, b));
         CREATE INDEX kids_lower_email ON kids (lower(email));
         CREATE INDEX kids_odd ON kids (\"odd name\");",
    )
    .await;
    let (code, stdout, stderr) = run(&p, &["models"]);
    assert_eq!(code, 1, "{stderr}");
    for wanted in [
        "// autogen: not expressible yet: foreign key (a, b) references parents (a, b): a foreign key over several columns",
        "// autogen: not expressible yet: index kids_odd: key part `odd name` holds a space or parenthesis",
        // An expression key part is written as one.
        "#[model(index(name = \"kids_lower_email\", columns(\"(lower(email))\")))]",
    ] {
        assert!(stdout.contains(wanted), "missing `{wanted}` in:\n{stdout}");
    }
    for wanted in [
        "warning: not expressible as model attributes yet, left as a comment: kids: foreign key",
        "warning: not expressible as model attributes yet, left as a comment: kids: index kids_odd",
        "read back as models, autogen would still change the database:",
        "  drop index kids_odd on kids",
        "  drop foreign key kids (a, b) -> parents (a, b)",
    ] {
        assert!(stderr.contains(wanted), "missing `{wanted}` in:\n{stderr}");
    }

    // --out: refuses an existing file (the placeholder models.rs) and leaves it as it was.
    let before = std::fs::read_to_string(p.root().join("src/models.rs")).unwrap();
    let (code, _, stderr) = run(&p, &["models", "--out", "src/models.rs"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(p.root().join("src/models.rs")).unwrap(),
        before
    );
    let (_, _, stderr) = run(&p, &["models", "--out", "src/models.rs", "--force"]);
    let after = std::fs::read_to_string(p.root().join("src/models.rs")).unwrap();
    assert_eq!(after, stdout, "{stderr}");
    let leftovers: Vec<_> = std::fs::read_dir(p.root().join("src"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "temporary files left: {leftovers:?}");
}
