//! Revision file integrity on real databases (SQLite always; PostgreSQL and MySQL/MariaDB when
//! their URLs are set): a truncated file is refused, a line that looks like a section marker
//! inside a string literal is data, the writer never writes a file the parser reads differently
//! (a seeded random round trip over hostile messages, ids, comments and SQL), a CRLF checkout of
//! an applied file is not an edit, written files follow the umask, a revision written for another
//! dialect is refused before anything runs, and files in the first format (no dialect, format or
//! end line) still parse and run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use autogen_db::{Connection, Dialect};
use autogen_revisions::{
    current, downgrade, downgrade_script, edited_revisions, parse_revision, purge, render_revision,
    split_statements, stamp, upgrade, upgrade_script, write_revision_file, RevisionError,
    RevisionHeader, RevisionSet, RunError, Statement,
};
use common::databases;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

const R1: &str = "aaaaaaaaaaa1";
const R2: &str = "aaaaaaaaaaa2";

fn stmts(sqls: &[&str]) -> Vec<Statement> {
    sqls.iter().map(|s| Statement::new(*s)).collect()
}

fn header(
    id: &str,
    parent: Option<&str>,
    message: &str,
    dialect: Option<Dialect>,
) -> RevisionHeader {
    RevisionHeader {
        id: id.to_string(),
        parents: parent.into_iter().map(str::to_string).collect(),
        message: message.to_string(),
        created: "2026-11-21T15:30:00Z".to_string(),
        dialect,
    }
}

fn render(
    header: &RevisionHeader,
    up: &[Statement],
    down: &[Statement],
) -> Result<String, RevisionError> {
    render_revision(header, up, down)
}

/// Writes a revision for `dialect` into `dir` and returns its path.
fn write_rev(
    dir: &Path,
    id: &str,
    parent: Option<&str>,
    dialect: Option<Dialect>,
    up: &[&str],
    down: &[&str],
) -> std::path::PathBuf {
    let text = render(
        &header(id, parent, &format!("revision {id}"), dialect),
        &stmts(up),
        &stmts(down),
    )
    .unwrap();
    let path = dir.join(format!("{id}_rev.sql"));
    std::fs::write(&path, text).unwrap();
    path
}

async fn has_table(conn: &mut Connection, table: &str) -> bool {
    conn.execute_script(&format!("SELECT 1 FROM {table} WHERE 1 = 0"))
        .await
        .is_ok()
}

/// One text value from a query, whatever the dialect.
async fn text(conn: &mut Connection, sql: &str) -> String {
    match conn {
        Connection::Sqlite(c) => sqlx::query_scalar::<_, String>(sql).fetch_one(c).await,
        Connection::Postgres(c) => sqlx::query_scalar::<_, String>(sql).fetch_one(c).await,
        Connection::Mysql(c) => sqlx::query_scalar::<_, String>(sql).fetch_one(c).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_file_cut_inside_its_downgrade_section_is_refused_naming_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_rev(
        dir.path(),
        R1,
        None,
        Some(Dialect::Sqlite),
        &["CREATE TABLE a (id integer)", "CREATE TABLE b (id integer)"],
        &["DROP TABLE b", "DROP TABLE a"],
    );
    let full = std::fs::read_to_string(&path).unwrap();
    assert!(RevisionSet::load(dir.path()).is_ok());
    // Cut right after the first downgrade statement: what is left is valid SQL that would leave
    // table `a` behind on a downgrade.
    let cut = full.find("DROP TABLE b;").unwrap() + "DROP TABLE b;\n".len();
    std::fs::write(&path, &full[..cut]).unwrap();
    let err = RevisionSet::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("-- autogen:end"), "{err}");
    assert!(err.contains("cut off"), "{err}");
    assert!(err.contains("restore"), "{err}");
    // Cut inside the upgrade section, and with the end line gone only: refused as well.
    for cut in [
        full.find("CREATE TABLE b").unwrap(),
        full.find("-- autogen:end").unwrap(),
    ] {
        std::fs::write(&path, &full[..cut]).unwrap();
        let err = RevisionSet::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("cut off"), "{err}");
    }
}

#[tokio::test]
async fn marker_lines_inside_string_literals_are_data_and_run() {
    let value = "a\n-- autogen:downgrade\n-- autogen:end\n-- autogen:upgrade\nb";
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        let mut up = vec![
            "CREATE TABLE notes (id integer PRIMARY KEY, body varchar(200))".to_string(),
            format!("INSERT INTO notes (id, body) VALUES (1, '{value}')"),
            "/* a block comment\n-- autogen:downgrade\n*/ INSERT INTO notes (id, body) VALUES (2, 'x')".to_string(),
        ];
        if d == Dialect::Postgres {
            up.push(
                "INSERT INTO notes (id, body) VALUES (3, $q$\n-- autogen:end\n$q$)".to_string(),
            );
        }
        let up: Vec<&str> = up.iter().map(String::as_str).collect();
        let path = write_rev(dir.path(), R1, None, Some(d), &up, &["DROP TABLE notes"]);
        let set = RevisionSet::load(dir.path()).unwrap_or_else(|e| panic!("{d}: {e}"));
        let rev = set.get(R1).unwrap();
        assert_eq!(split_statements(&rev.upgrade_sql, d).len(), up.len(), "{d}");
        assert_eq!(
            split_statements(&rev.downgrade_sql, d),
            vec!["DROP TABLE notes"],
            "{d}"
        );
        let mut conn = db.connect().await;
        upgrade(&mut conn, &set, "head")
            .await
            .unwrap_or_else(|e| panic!("{d}: {e}"));
        assert_eq!(
            text(&mut conn, "SELECT body FROM notes WHERE id = 1").await,
            value,
            "{d}"
        );
        if d == Dialect::Postgres {
            assert_eq!(
                text(&mut conn, "SELECT body FROM notes WHERE id = 3").await,
                "\n-- autogen:end\n",
                "{d}"
            );
        }
        downgrade(&mut conn, &set, "base").await.unwrap();
        assert!(!has_table(&mut conn, "notes").await, "{d}");
        // The same file is the same revision on the next load (nothing depends on parse order).
        assert_eq!(
            parse_revision(&path, &std::fs::read_to_string(&path).unwrap())
                .unwrap()
                .upgrade_sql,
            rev.upgrade_sql,
            "{d}"
        );
        conn.close().await.unwrap();
        db.finish().await;
    }
}

/// Pieces the random round trip assembles messages, comments and SQL from: line breaks of every
/// kind, marker look-alikes, quotes, comment openers and non-ASCII text.
const PIECES: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    "\u{2028}",
    "\u{85}",
    "\t",
    " ",
    "-- autogen:upgrade",
    "-- autogen:downgrade",
    "-- autogen:end",
    "-- autogen:revision 000000000000",
    "-- autogen:parent 000000000001",
    "-- autogen:rebuild t",
    "--autogen:format 2",
    "autogen:end",
    "-- (no steps)",
    ";",
    "'",
    "''",
    "\"",
    "/*",
    "*/",
    "$$",
    "$q$",
    "#",
    "--",
    "\\",
    "caf\u{e9}",
    "\u{1f600}",
    "x",
    "DROP TABLE users",
];

fn random_text(rng: &mut StdRng, max: usize) -> String {
    let n = rng.gen_range(0..=max);
    (0..n)
        .map(|_| PIECES[rng.gen_range(0..PIECES.len())])
        .collect()
}

/// A statement that is complete SQL in `dialect`: hostile text only inside a string literal, a
/// quoted identifier, a block comment or (PostgreSQL) a dollar quote, or in a line comment.
fn random_statement(rng: &mut StdRng, dialect: Dialect) -> String {
    let inner = random_text(rng, 6);
    let literal = match dialect {
        // MySQL strings take backslash escapes; double every backslash and quote.
        Dialect::Mysql => format!("'{}'", inner.replace('\\', "\\\\").replace('\'', "''")),
        _ => format!("'{}'", inner.replace('\'', "''")),
    };
    let ident_quote = dialect.identifier_quote();
    let ident = format!(
        "{ident_quote}{}{ident_quote}",
        inner.replace(ident_quote, &format!("{ident_quote}{ident_quote}"))
    );
    let comment_body = inner.replace("*/", "* /").replace("/*", "/ *");
    match rng.gen_range(0..6) {
        0 => format!("INSERT INTO t (v) VALUES ({literal})"),
        1 => format!("CREATE TABLE {ident} (id integer)"),
        2 => format!("SELECT /* {comment_body} */ 1"),
        3 if dialect == Dialect::Postgres => {
            format!("SELECT $tag${}$tag$", inner.replace("$tag$", "$ tag$"))
        }
        4 => {
            let line: String = inner.replace(['\n', '\r', '\u{2028}', '\u{85}'], " ");
            format!("SELECT 1 -- {line}")
        }
        _ => format!(
            "{}\nSELECT 2",
            random_text(rng, 2)
                .lines()
                .map(|l| format!("-- {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

#[test]
fn the_writer_never_writes_a_file_the_parser_reads_differently() {
    let mut rng = StdRng::seed_from_u64(0x5eed_2026);
    let dialects = [
        None,
        Some(Dialect::Sqlite),
        Some(Dialect::Postgres),
        Some(Dialect::Mysql),
    ];
    for round in 0..3000 {
        let dialect = dialects[round % dialects.len()];
        let scan = dialect.unwrap_or(Dialect::Sqlite);
        let valid_id = round % 7 != 0;
        let id = if valid_id {
            format!("{round:012x}")
        } else {
            random_text(&mut rng, 3)
        };
        let h = RevisionHeader {
            id: id.clone(),
            parents: if round % 3 == 0 {
                vec![]
            } else {
                vec!["0000000000ff".to_string()]
            },
            message: random_text(&mut rng, 8),
            created: random_text(&mut rng, 2),
            dialect,
        };
        let make = |rng: &mut StdRng| -> Vec<Statement> {
            (0..rng.gen_range(0..4))
                .map(|_| Statement {
                    sql: random_statement(rng, scan),
                    note: rng.gen_bool(0.5).then(|| random_text(rng, 5)),
                    data_loss: rng.gen_bool(0.3).then(|| random_text(rng, 5)),
                    rebuild: rng
                        .gen_bool(0.2)
                        .then(|| autogen_revisions::RebuildExpectation {
                            table: random_text(rng, 2),
                            columns: vec![random_text(rng, 2), random_text(rng, 1)],
                        }),
                    hazard: rng.gen_bool(0.2).then(|| {
                        autogen_revisions::Hazard::new(
                            autogen_revisions::HazardKind::IndexBuild,
                            &random_text(rng, 1),
                            random_text(rng, 4),
                        )
                    }),
                    no_transaction: false,
                })
                .collect()
        };
        let mut up = make(&mut rng);
        let mut down = make(&mut rng);
        let has_crlf = |s: &[Statement]| s.iter().any(|s| s.sql.contains("\r\n"));
        if valid_id && (has_crlf(&up) || has_crlf(&down)) {
            // The parser reads every CRLF as LF (so an autocrlf checkout is the same file), so a
            // CRLF inside a statement cannot be written as it is: refused, with the reason.
            let e = render(&h, &up, &down).unwrap_err().to_string();
            assert!(e.contains("CRLF"), "round {round}: {e}");
            for s in up.iter_mut().chain(down.iter_mut()) {
                while s.sql.contains("\r\n") {
                    s.sql = s.sql.replace("\r\n", "\n");
                }
            }
        }
        let written = match render(&h, &up, &down) {
            Ok(text) => text,
            Err(e) => {
                // Refusing is allowed only for what cannot be written: a malformed id.
                assert!(!valid_id, "round {round}: {e}\n{h:?}\n{up:?}\n{down:?}");
                assert!(e.to_string().contains("malformed revision id"), "{e}");
                continue;
            }
        };
        let rev = parse_revision(Path::new("r.sql"), &written)
            .unwrap_or_else(|e| panic!("round {round}: {e}\n{written}"));
        assert_eq!(rev.id, id, "round {round}");
        assert_eq!(rev.parents, h.parents, "round {round}");
        assert!(!rev.message.contains(['\n', '\r']), "round {round}");
        assert_eq!(rev.dialect, dialect, "round {round}");
        // The statements come back one for one, byte for byte (without their trailing `;`).
        for (section, statements) in [(&rev.upgrade_sql, &up), (&rev.downgrade_sql, &down)] {
            let got = split_statements(section, scan);
            let expected: Vec<String> = statements
                .iter()
                .flat_map(|s| {
                    // The writer takes a trailing `;` as the statement's terminator.
                    let sql = s.sql.trim();
                    split_statements(sql.strip_suffix(';').unwrap_or(sql), scan)
                })
                .collect();
            assert_eq!(got, expected, "round {round}:\n{written}");
        }
        // Writing what was read gives the same file: the message and comments are stored in the
        // one form the parser returns.
        let again = render(
            &RevisionHeader {
                id: rev.id.clone(),
                parents: rev.parents.clone(),
                message: rev.message.clone(),
                created: rev.created.clone(),
                dialect: rev.dialect,
            },
            &up,
            &down,
        )
        .unwrap();
        assert_eq!(again, written, "round {round}");
        // A CRLF checkout of the same file is the same revision.
        let crlf = parse_revision(Path::new("r.sql"), &written.replace('\n', "\r\n"))
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(crlf.checksum, rev.checksum, "round {round}");
        assert_eq!(crlf.upgrade_sql.replace("\r\n", "\n"), rev.upgrade_sql);
    }
}

#[test]
fn a_statement_left_open_is_refused_at_write_time() {
    for (dialect, sql) in [
        (Dialect::Sqlite, "INSERT INTO t VALUES ('open"),
        (Dialect::Postgres, "SELECT $$ open"),
        (Dialect::Mysql, "SELECT 1 /* open"),
        (
            Dialect::Sqlite,
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;",
        ),
    ] {
        let err = render(
            &header(R1, None, "x", Some(dialect)),
            &stmts(&[sql]),
            &stmts(&["SELECT 1"]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("upgrade statement 1"), "{dialect}: {err}");
        assert!(err.contains(sql.trim_end_matches(';')), "{dialect}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn written_revision_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let text = render(&header(R1, None, "x", Some(Dialect::Sqlite)), &[], &[]).unwrap();
    let path = write_revision_file(dir.path(), "aaaaaaaaaaa1_x.sql", &text).unwrap();
    // A file created the ordinary way (mode 0666 minus the umask), as an editor would.
    let reference = dir.path().join("reference.txt");
    std::fs::write(&reference, "x").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), mode(&reference), "{}", path.display());
    // Under the usual umask 022 that is 0644: readable by the team, writable by its owner.
    if mode(&reference) == 0o644 {
        assert_eq!(mode(&path), 0o644);
    }
}

#[tokio::test]
async fn a_crlf_checkout_of_an_applied_file_is_not_an_edit() {
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        let p1 = write_rev(
            dir.path(),
            R1,
            None,
            Some(d),
            &["CREATE TABLE a (id integer)"],
            &["DROP TABLE a"],
        );
        let p2 = write_rev(
            dir.path(),
            R2,
            Some(R1),
            Some(d),
            &["CREATE TABLE b (id integer)"],
            &["DROP TABLE b"],
        );
        let mut conn = db.connect().await;
        upgrade(&mut conn, &RevisionSet::load(dir.path()).unwrap(), R1)
            .await
            .unwrap();

        // git with core.autocrlf=true checks the files out with CRLF line endings.
        for p in [&p1, &p2] {
            let lf = std::fs::read_to_string(p).unwrap();
            std::fs::write(p, lf.replace('\n', "\r\n")).unwrap();
        }
        let set = RevisionSet::load(dir.path()).unwrap();
        let applied = current(&mut conn).await.unwrap();
        assert!(edited_revisions(&set, &applied).is_empty(), "{d}");
        // Upgrade refuses edited files; this one goes on and records R2.
        assert_eq!(
            upgrade(&mut conn, &set, "head").await.unwrap(),
            vec![R2],
            "{d}"
        );
        // A file applied with CRLF line endings by an older autogen was recorded with the
        // checksum of its raw bytes: that one is accepted too, whichever way it is checked out.
        let raw_crlf = sha256_hex(std::fs::read(&p1).unwrap().as_slice());
        conn.execute_script(&format!(
            "UPDATE autogen_version SET checksum = '{raw_crlf}' WHERE revision = '{R1}'"
        ))
        .await
        .unwrap();
        let applied = current(&mut conn).await.unwrap();
        assert!(edited_revisions(&set, &applied).is_empty(), "{d}");
        let crlf = std::fs::read_to_string(&p1).unwrap();
        std::fs::write(&p1, crlf.replace("\r\n", "\n")).unwrap();
        let lf_set = RevisionSet::load(dir.path()).unwrap();
        assert!(edited_revisions(&lf_set, &applied).is_empty(), "{d}");
        // Stamping keeps a row whose checksum is accepted as it is.
        stamp(&mut conn, &lf_set, "head").await.unwrap();
        let after = current(&mut conn).await.unwrap();
        assert_eq!(after[0].checksum, raw_crlf, "{d}");
        // A real edit is still one.
        std::fs::write(&p1, crlf.replace("CREATE TABLE a", "CREATE TABLE z")).unwrap();
        let edited = RevisionSet::load(dir.path()).unwrap();
        assert_eq!(edited_revisions(&edited, &after).len(), 1, "{d}");
        assert!(matches!(
            upgrade(&mut conn, &edited, "head").await,
            Err(RunError::ChecksumMismatch { .. })
        ));
        conn.close().await.unwrap();
        db.finish().await;
    }
}

/// A revision file written for `dialect` by hand, in the current format.
fn file_for(dialect: &str, up: &str, down: &str) -> String {
    format!(
        "-- autogen:revision {R1}\n-- autogen:message for {dialect}\n-- autogen:dialect {dialect}\n-- autogen:format 2\n\n-- autogen:upgrade\n{up}\n\n-- autogen:downgrade\n{down}\n-- autogen:end\n"
    )
}

fn display_name(d: Dialect) -> &'static str {
    match d {
        Dialect::Sqlite => "SQLite",
        Dialect::Postgres => "PostgreSQL",
        Dialect::Mysql => "MySQL",
    }
}

#[tokio::test]
async fn a_revision_for_another_dialect_is_refused_before_anything_runs() {
    for db in databases().await {
        let d = db.dialect;
        for other in Dialect::ALL {
            let dir = tempfile::tempdir().unwrap();
            let up = match other {
                Dialect::Sqlite => "CREATE TABLE t (id integer PRIMARY KEY AUTOINCREMENT);",
                Dialect::Postgres => "CREATE TABLE t (id bigserial PRIMARY KEY);",
                Dialect::Mysql => "CREATE TABLE t (id bigint AUTO_INCREMENT PRIMARY KEY);",
            };
            let path = dir.path().join(format!("{R1}_t.sql"));
            std::fs::write(&path, file_for(other.name(), up, "DROP TABLE t;")).unwrap();
            let set = RevisionSet::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(set.get(R1).unwrap().dialect, Some(other));
            let mut conn = db.connect().await;
            if other == d {
                upgrade(&mut conn, &set, "head")
                    .await
                    .unwrap_or_else(|e| panic!("{d}: {e}"));
                assert!(has_table(&mut conn, "t").await, "{d}");
                downgrade(&mut conn, &set, "base").await.unwrap();
                assert!(upgrade_script(&set, d, "base", "head").is_ok());
                conn.close().await.unwrap();
                continue;
            }
            let err = upgrade(&mut conn, &set, "head").await.unwrap_err();
            let shown = err.to_string();
            for needle in [
                display_name(other),
                display_name(d),
                "-- autogen:dialect",
                "nothing was run",
                &path.display().to_string(),
            ] {
                assert!(shown.contains(needle), "{d}/{other}: `{needle}` in {shown}");
            }
            assert!(
                !has_table(&mut conn, "t").await,
                "{d}/{other}: the revision ran"
            );
            assert!(current(&mut conn).await.unwrap().is_empty(), "{d}/{other}");

            // Recorded by other means, it is not reverted on the wrong database either.
            stamp(&mut conn, &set, "head").await.unwrap();
            let err = downgrade(&mut conn, &set, "base").await.unwrap_err();
            assert!(err.to_string().contains(display_name(other)), "{err}");
            assert_eq!(current(&mut conn).await.unwrap().len(), 1, "{d}/{other}");

            // The offline script refuses as well.
            let err = upgrade_script(&set, d, "base", "head")
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(display_name(other)) && err.contains(display_name(d)),
                "{err}"
            );
            let err = downgrade_script(&set, d, "head", "base")
                .unwrap_err()
                .to_string();
            assert!(err.contains(display_name(other)), "{err}");
            purge(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
        db.finish().await;
    }
}

#[tokio::test]
async fn first_format_files_without_dialect_format_or_end_lines_still_parse_and_run() {
    // Exactly what autogen wrote before these lines existed.
    let old = |id: &str, parent: &str, up: &str, down: &str| {
        format!("-- autogen:revision {id}\n{parent}-- autogen:message old\n-- autogen:created 2026-01-01T00:00:00Z\n\n-- autogen:upgrade\n{up}\n\n-- autogen:downgrade\n{down}\n")
    };
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("1.sql"),
            old(
                R1,
                "",
                "CREATE TABLE a (id integer);",
                "-- destructive: drops table a\nDROP TABLE a;",
            ),
        )
        .unwrap();
        let raw = old(
            R2,
            &format!("-- autogen:parent {R1}\n"),
            "CREATE TABLE b (id integer);",
            "-- (no steps)",
        );
        std::fs::write(dir.path().join("2.sql"), &raw).unwrap();
        let set = RevisionSet::load(dir.path()).unwrap();
        let r2 = set.get(R2).unwrap();
        assert_eq!(r2.dialect, None);
        // The checksum of an LF file is the SHA-256 of its bytes, as before.
        assert_eq!(r2.checksum, sha256_hex(raw.as_bytes()));
        let mut conn = db.connect().await;
        assert_eq!(
            upgrade(&mut conn, &set, "head").await.unwrap(),
            vec![R1, R2],
            "{d}"
        );
        assert!(has_table(&mut conn, "b").await, "{d}");
        assert_eq!(
            downgrade(&mut conn, &set, "base").await.unwrap(),
            vec![R2, R1]
        );
        assert!(!has_table(&mut conn, "a").await, "{d}");
        conn.close().await.unwrap();
        db.finish().await;
    }
    // The example project's revisions predate the format line.
    let blog = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/blog/revisions");
    let set = RevisionSet::load(&blog).unwrap();
    assert!(set.history().iter().all(|r| r.dialect.is_none()));
}
