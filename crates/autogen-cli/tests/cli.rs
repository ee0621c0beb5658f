//! The `autogen` binary end to end, in temporary projects on SQLite: each scenario runs real
//! commands and snapshots their exit codes, stdout, stderr and the files they wrote into
//! `fixtures/cli/<scenario>.txt` (rewritten only by `cargo xtask bless`). Revision ids, times and
//! the temporary folder are replaced by placeholders so the snapshots are stable.

// A test that cannot set up its temporary project should fail loudly, right there.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use autogen_testkit::models::USERS;
use autogen_tests::{check_golden, workspace_root};

/// The shared users model with a unique email, so the snapshots show a unique index too.
fn users() -> String {
    USERS.replace(
        "#[model(max_length = 255)]",
        "#[model(max_length = 255, unique)]",
    )
}

/// A temporary project and a transcript of what was run in it.
struct Session {
    dir: tempfile::TempDir,
    transcript: String,
    /// Revision ids seen so far, numbered in order of first appearance across the session.
    ids: Vec<String>,
}

impl Session {
    fn new() -> Session {
        let dir = tempfile::tempdir().expect("temp dir");
        Session {
            dir,
            transcript: String::new(),
            ids: Vec::new(),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A project with autogen.toml pointing at a SQLite file and `models` as the model source.
    fn project(models: &str) -> Session {
        let s = Session::new();
        s.write("autogen.toml", "database_url = \"sqlite://app.db\"\nmodels = [\"src/**/*.rs\"]\nrevisions = \"revisions\"\n");
        std::fs::create_dir_all(s.root().join("revisions")).expect("mkdir");
        s.write("src/models.rs", models);
        s
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.root().join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }

    fn normalize(&mut self, text: &str) -> String {
        let root = self.root().display().to_string();
        let out = common::hide_durations(&text.replace(&root, "<project>"));
        replace_ids(&out, &mut self.ids)
    }

    /// Runs `autogen ARGS` in the project and records the call, exit code and output.
    fn run(&mut self, args: &[&str]) -> i32 {
        self.run_env(args, &[])
    }

    fn run_env(&mut self, args: &[&str], env: &[(&str, &str)]) -> i32 {
        let run = common::autogen(self.root(), args, env);
        let code = run.code;
        let stdout = self.normalize(&run.stdout);
        let stderr = self.normalize(&run.stderr);
        let shown: Vec<String> = args
            .iter()
            .map(|a| {
                if a.contains([' ', '"']) || a.is_empty() {
                    format!("{a:?}")
                } else {
                    a.to_string()
                }
            })
            .collect();
        self.transcript
            .push_str(&format!("$ autogen {}\n[exit {code}]\n", shown.join(" ")));
        if !stdout.is_empty() {
            self.transcript.push_str(&format!("--- stdout\n{stdout}"));
            if !stdout.ends_with('\n') {
                self.transcript.push('\n');
            }
        }
        if !stderr.is_empty() {
            self.transcript.push_str(&format!("--- stderr\n{stderr}"));
            if !stderr.ends_with('\n') {
                self.transcript.push('\n');
            }
        }
        self.transcript.push('\n');
        code
    }

    /// Appends every file under `revisions/` (sorted) to the transcript.
    fn record_revisions(&mut self) {
        let files = self.revision_files();
        self.transcript
            .push_str(&format!("# revisions/ holds {} file(s)\n", files.len()));
        // Sorted by the normalised name (`<id1>_...` before `<id2>_...`): real ids are random.
        let mut shown: Vec<(String, String)> = Vec::new();
        for f in files {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
            let name = self.normalize(&name.unwrap_or_default());
            let text = self.normalize(&std::fs::read_to_string(&f).unwrap_or_default());
            shown.push((name, text));
        }
        shown.sort();
        for (name, text) in shown {
            self.transcript.push_str(&format!("## {name}\n{text}\n"));
        }
    }

    fn revision_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.root().join("revisions"))
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "sql"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    fn snapshot(&self, name: &str) {
        let path = workspace_root()
            .join("fixtures/cli")
            .join(format!("{name}.txt"));
        if let Err(e) = check_golden(&path, &self.transcript) {
            panic!("{e}");
        }
    }
}

/// Replaces 12-hex-digit revision ids with `<id1>`, `<id2>`… in order of first appearance, and
/// RFC 3339 times with `<time>`.
fn replace_ids(text: &str, ids: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let is_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if boundary_before && i + 12 <= bytes.len() && bytes[i..i + 12].iter().all(|b| is_hex(*b)) {
            let end_ok = i + 12 == bytes.len() || !bytes[i + 12].is_ascii_alphanumeric();
            if end_ok {
                let id = &text[i..i + 12];
                let n = match ids.iter().position(|x| x == id) {
                    Some(n) => n + 1,
                    None => {
                        ids.push(id.to_string());
                        ids.len()
                    }
                };
                out.push_str(&format!("<id{n}>"));
                i += 12;
                continue;
            }
        }
        // `-- autogen:created 2026-11-21T15:30:12Z`
        if text[i..].starts_with("created ")
            && i + 8 + 20 <= text.len()
            && text.as_bytes()[i + 8 + 19] == b'Z'
        {
            out.push_str("created <time>");
            i += 8 + 20;
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

#[test]
fn help_of_every_command() {
    let mut s = Session::new();
    for args in [
        vec!["--help"],
        vec!["init", "--help"],
        vec!["revision", "--help"],
        vec!["upgrade", "--help"],
        vec!["downgrade", "--help"],
        vec!["current", "--help"],
        vec!["history", "--help"],
        vec!["heads", "--help"],
        vec!["show", "--help"],
        vec!["merge", "--help"],
        vec!["stamp", "--help"],
        vec!["check", "--help"],
        vec!["diff", "--help"],
        vec!["models", "--help"],
    ] {
        s.run(&args);
    }
    s.snapshot("help");
}

#[test]
fn init_autogenerate_upgrade_and_back() {
    let mut s = Session::new();
    assert_eq!(s.run(&["init"]), 0);
    assert_eq!(s.run(&["init"]), 1, "a second init must refuse");
    s.write("src/models.rs", &users());
    assert_eq!(s.run(&["-m", "create users"]), 0);
    s.record_revisions();
    assert_eq!(s.run(&["-m", "refused before upgrade"]), 1);
    assert_eq!(s.run(&["current"]), 0);
    assert_eq!(s.run(&["upgrade"]), 0);
    assert_eq!(s.run(&["current"]), 0);
    assert_eq!(s.run(&["-m", "nothing to do"]), 0);
    s.write(
        "src/models.rs",
        &users().replace(
            "    pub email: String,\n",
            "    pub email: String,\n    pub bio: Option<String>,\n",
        ),
    );
    assert_eq!(s.run(&["revision", "-m", "add bio"]), 0);
    assert_eq!(
        s.run(&["revision", "--empty", "-m", "backfill ../../bios \"now\""]),
        0
    );
    assert_eq!(s.revision_files().len(), 3);
    assert_eq!(s.run(&["upgrade"]), 0);
    assert_eq!(s.run(&["history"]), 0);
    assert_eq!(s.run(&["downgrade"]), 0);
    assert_eq!(s.run(&["downgrade", "base"]), 0);
    assert_eq!(s.run(&["current"]), 0);
    s.record_revisions();
    s.snapshot("workflow");
}

/// One bad-input scenario: the command fails with exit 1, and no revision file appears.
fn bad_input(
    name: &str,
    setup: impl FnOnce(&Session),
    args: &[&str],
    env: &[(&str, &str)],
) -> String {
    let mut s = Session::project(&users());
    setup(&s);
    let before = s.revision_files();
    let code = s.run_env(args, env);
    assert_eq!(code, 1, "{name}: expected exit 1\n{}", s.transcript);
    assert_eq!(s.revision_files(), before, "{name}: a file was written");
    format!("# {name}\n{}", s.transcript)
}

#[test]
fn bad_input_is_refused_with_a_clear_message_and_nothing_written() {
    let m = ["-m", "x"];
    let mut all = String::new();
    all += &bad_input(
        "unknown attribute",
        |s| {
            s.write(
                "src/models.rs",
                &users().replace("max_length", "max_lenght"),
            )
        },
        &m,
        &[],
    );
    all += &bad_input(
        "type with no mapping",
        |s| {
            s.write(
                "src/models.rs",
                &users().replace("pub email: String", "pub email: Email"),
            )
        },
        &m,
        &[],
    );
    all += &bad_input(
        "two models for one table",
        |s| {
            s.write(
                "src/more.rs",
                &users().replace("pub struct User", "pub struct Account"),
            )
        },
        &m,
        &[],
    );
    all += &bad_input(
        "foreign key to a missing table",
        |s| {
            s.write(
                "src/models.rs",
                &users().replace(
                    "#[model(primary_key, auto_increment)]",
                    "#[model(primary_key, references = \"orgs.id\")]",
                ),
            )
        },
        &m,
        &[],
    );
    all += &bad_input(
        "models glob matches nothing",
        |s| {
            s.write(
                "autogen.toml",
                "database_url = \"sqlite://app.db\"\nmodels = [\"models/**/*.rs\"]\n",
            )
        },
        &m,
        &[],
    );
    all += &bad_input(
        "unreadable models file (not UTF-8)",
        |s| {
            std::fs::write(s.root().join("src/models.rs"), b"pub struct \xff\xfe;\n")
                .expect("write")
        },
        &m,
        &[],
    );
    all += &bad_input(
        "missing autogen.toml",
        |s| std::fs::remove_file(s.root().join("autogen.toml")).expect("rm"),
        &m,
        &[],
    );
    all += &bad_input(
        "malformed autogen.toml",
        |s| {
            s.write(
                "autogen.toml",
                "database_url = \"sqlite://app.db\"\nmodels = [\"src/*.rs\"\n",
            )
        },
        &m,
        &[],
    );
    all += &bad_input(
        "unknown autogen.toml key",
        |s| {
            s.write(
                "autogen.toml",
                "database_url = \"sqlite://app.db\"\nmodel = [\"src/*.rs\"]\n",
            )
        },
        &m,
        &[],
    );
    all += &bad_input(
        "unreachable database (the password is never printed)",
        |_| {},
        &m,
        &[("DATABASE_URL", "postgres://app:s3cr3t-pw@127.0.0.1:1/app")],
    );
    all += &bad_input(
        "unknown URL scheme",
        |_| {},
        &m,
        &[("DATABASE_URL", "oracle://scott:tiger@db/x")],
    );
    all += &bad_input(
        "revision file with a broken header",
        |s| {
            s.write(
                "revisions/0123456789ab_broken.sql",
                "-- autogen:revison 0123456789ab\n-- autogen:upgrade\n-- autogen:downgrade\n",
            )
        },
        &m,
        &[],
    );
    all += &bad_input("empty message", |_| {}, &["-m", "  "], &[]);
    all += &bad_input(
        "a struct reading a view with table attributes",
        |s| {
            s.write(
                "src/views.rs",
                "#[derive(autogen::Model)]\n#[model(view = \"active_users\", index(columns(\"id\")))]\npub struct ActiveUser {\n    #[model(primary_key)]\n    pub id: i64,\n    pub email: String,\n}\n",
            )
        },
        &m,
        &[],
    );
    all += &bad_input(
        "a struct reading a view no schema file declares",
        |s| {
            s.write(
                "src/views.rs",
                "#[derive(autogen::Model)]\n#[model(view = \"active_users\")]\npub struct ActiveUser {\n    pub id: i64,\n    pub email: String,\n}\n",
            )
        },
        &m,
        &[],
    );
    all += &bad_input(
        "a struct reading a view the schema files do not declare",
        |s| {
            s.write(
                "autogen.toml",
                "database_url = \"sqlite://app.db\"\nmodels = [\"src/**/*.rs\"]\nrevisions = \"revisions\"\nschema_files = [\"schema/*.sql\"]\n",
            );
            s.write(
                "schema/views.sql",
                "CREATE VIEW recent_users AS SELECT id, email FROM users;\n",
            );
            s.write(
                "src/views.rs",
                "#[derive(autogen::Model)]\n#[model(view = \"active_users\")]\npub struct ActiveUser {\n    pub id: i64,\n    pub email: String,\n}\n",
            );
        },
        &m,
        &[],
    );
    assert!(!all.contains("s3cr3t-pw"), "a password was printed:\n{all}");
    let path = workspace_root().join("fixtures/cli/bad_input.txt");
    if let Err(e) = check_golden(&path, &all) {
        panic!("{e}");
    }
}

#[test]
fn a_failing_revision_leaves_nothing_behind() {
    let mut s = Session::project(&users());
    assert_eq!(s.run(&["-m", "create users"]), 0);
    assert_eq!(s.run(&["upgrade"]), 0);
    assert_eq!(
        s.run(&["revision", "--empty", "-m", "bad data migration"]),
        0
    );
    let files = s.revision_files();
    let last = files
        .iter()
        .find(|f| f.to_string_lossy().contains("bad_data_migration"))
        .expect("the empty revision");
    let text = std::fs::read_to_string(last).expect("read");
    let text = text.replacen(
        "-- autogen:upgrade\n",
        "-- autogen:upgrade\nCREATE TABLE \"scratch\" (\"id\" integer);\nINSERT INTO \"no_such_table\" VALUES (1);\n",
        1,
    );
    std::fs::write(last, text).expect("write");
    assert_eq!(s.run(&["upgrade"]), 1);
    assert_eq!(s.run(&["current"]), 0);
    // With the broken revision removed, autogenerate finds the database exactly at the models:
    // the CREATE TABLE that ran before the failing statement was rolled back with it.
    std::fs::remove_file(last).expect("rm");
    assert_eq!(s.run(&["-m", "check nothing changed"]), 0);
    // The last run's stdout (its stderr, after it, names the database used).
    let last_run = s.transcript.rsplit("$ autogen ").next().unwrap_or_default();
    assert!(
        last_run.contains("--- stdout\nNo changes detected\n"),
        "{}",
        s.transcript
    );
    s.snapshot("failing_revision");
}

/// Replaces what differs between runs beyond ids: 64-hex checksums and RFC 3339 times (offline
/// scripts record the time they were written).
fn replace_checksums_and_times(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let is_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    let time_at = |i: usize| {
        let pattern = b"dddd-dd-ddTdd:dd:ddZ";
        i + pattern.len() <= bytes.len()
            && pattern.iter().zip(&bytes[i..]).all(|(p, b)| match p {
                b'd' => b.is_ascii_digit(),
                other => other == b,
            })
    };
    while i < bytes.len() {
        let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if boundary && i + 64 <= bytes.len() && bytes[i..i + 64].iter().all(|b| is_hex(*b)) {
            out.push_str("<checksum>");
            i += 64;
            continue;
        }
        if boundary && time_at(i) {
            out.push_str("<time>");
            i += 20;
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The id of the revision whose file name contains `slug`.
fn id_of(s: &Session, slug: &str) -> String {
    let file = s
        .revision_files()
        .into_iter()
        .find(|f| f.to_string_lossy().contains(slug))
        .expect("revision file");
    let name = file
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    name[..12].to_string()
}

/// Branches, merge, heads, history, show, stamp, edited revisions and offline SQL, end to end.
#[test]
fn branches_merge_stamp_and_offline_sql() {
    let mut s = Session::project(&users());
    assert_eq!(s.run(&["-m", "create users"]), 0);
    assert_eq!(s.run(&["upgrade"]), 0);
    let root = id_of(&s, "create_users");
    assert_eq!(s.run(&["revision", "--empty", "-m", "branch one"]), 0);
    // A second branch from the same parent, as a teammate's file would arrive by merge.
    s.write(
        "revisions/0000000000b2_branch_two.sql",
        &format!(
            "-- autogen:revision 0000000000b2\n-- autogen:parent {root}\n-- autogen:message branch two\n-- autogen:created 2000-01-01T00:00:00Z\n\n-- autogen:upgrade\nCREATE TABLE \"tags\" (\"id\" integer);\n\n-- autogen:downgrade\nDROP TABLE \"tags\";\n"
        ),
    );
    assert_eq!(s.run(&["heads"]), 0);
    assert_eq!(s.run(&["history"]), 0);
    assert_eq!(s.run(&["-m", "blocked by two heads"]), 1);
    assert_eq!(s.run(&["upgrade", "head"]), 1);
    assert_eq!(s.run(&["upgrade", "heads"]), 0);
    assert_eq!(s.run(&["merge", "-m", "join branches"]), 0);
    assert_eq!(s.run(&["merge", "-m", "nothing left to join"]), 1);
    assert_eq!(s.run(&["heads"]), 0);
    assert_eq!(s.run(&["history", "--verbose"]), 0);
    assert_eq!(s.run(&["show", "head"]), 0);
    assert_eq!(s.run(&["show", "head-1"]), 1);
    assert_eq!(s.run(&["show", "0000000000b2"]), 0);
    assert_eq!(s.run(&["current"]), 0);
    assert_eq!(s.run(&["upgrade", "+1"]), 0);
    assert_eq!(s.run(&["current"]), 0);
    assert_eq!(s.run(&["stamp", "base"]), 0);
    assert_eq!(s.run(&["current"]), 0);
    assert_eq!(s.run(&["stamp", "heads"]), 0);
    assert_eq!(s.run(&["stamp", "--purge"]), 0);
    assert_eq!(s.run(&["stamp", "head"]), 0);

    // An applied revision edited afterwards: named by current and refused by upgrade until
    // explicitly accepted.
    let file = s
        .revision_files()
        .into_iter()
        .find(|f| f.to_string_lossy().contains("create_users"))
        .expect("file");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        text.replace(
            "-- autogen:upgrade\n",
            "-- autogen:upgrade\n-- reviewed by Ada\n",
        ),
    )
    .expect("write");
    assert_eq!(s.run(&["current"]), 0);
    assert_eq!(s.run(&["upgrade"]), 1);
    assert_eq!(s.run(&["upgrade", "--allow-edited", &root]), 0);
    assert_eq!(s.run(&["current"]), 0);

    // Offline SQL: no database is opened (the URL points at a file in a folder that does not
    // exist). The revisions name their dialect, so a script for another one is refused.
    let elsewhere = [("DATABASE_URL", "postgres://app:pw@127.0.0.1:1/app")];
    assert_eq!(
        s.run_env(&["upgrade", "--sql", &format!("{root}:head")], &elsewhere),
        1
    );
    let offline = [(
        "DATABASE_URL",
        "sqlite:///nonexistent-autogen-folder/app.db",
    )];
    assert_eq!(
        s.run_env(&["upgrade", "--sql", &format!("{root}:head")], &offline),
        0
    );
    assert_eq!(
        s.run_env(&["downgrade", "--sql", "head:0000000000b2"], &offline),
        0
    );
    assert_eq!(s.run_env(&["downgrade", "--sql", "-1"], &offline), 1);
    assert_eq!(s.run_env(&["downgrade", "--sql", "head:-2"], &offline), 1);
    assert_eq!(s.run(&["upgrade", "--sql", "base:+1"]), 0);

    // Broken folders: each names the file and the fix; nothing changes in the database.
    for (name, text) in [
        (
            "revisions/bbbbbbbbbbbb_orphan.sql",
            "-- autogen:revision bbbbbbbbbbbb\n-- autogen:parent ffffffffffff\n-- autogen:upgrade\n-- autogen:downgrade\n",
        ),
        ("revisions/cccccccccccc_garbage.sql", "not a revision\n"),
    ] {
        s.write(name, text);
        assert_eq!(s.run(&["upgrade"]), 1);
        std::fs::remove_file(s.root().join(name)).expect("rm");
    }
    s.write(
        "revisions/dddddddddddd_one.sql",
        "-- autogen:revision dddddddddddd\n-- autogen:parent eeeeeeeeeeee\n-- autogen:upgrade\n-- autogen:downgrade\n",
    );
    s.write(
        "revisions/eeeeeeeeeeee_two.sql",
        "-- autogen:revision eeeeeeeeeeee\n-- autogen:parent dddddddddddd\n-- autogen:upgrade\n-- autogen:downgrade\n",
    );
    assert_eq!(s.run(&["upgrade"]), 1);
    std::fs::remove_file(s.root().join("revisions/dddddddddddd_one.sql")).expect("rm");
    std::fs::remove_file(s.root().join("revisions/eeeeeeeeeeee_two.sql")).expect("rm");
    std::fs::copy(&file, s.root().join("revisions/zz_copy.sql")).expect("copy");
    assert_eq!(s.run(&["upgrade"]), 1);
    std::fs::remove_file(s.root().join("revisions/zz_copy.sql")).expect("rm");
    assert_eq!(s.run(&["current"]), 0);

    // Autogenerate against a dev database: the revisions are replayed into an in-memory SQLite
    // database, the new revision is verified there, and the live database is not needed.
    s.write(
        "src/models.rs",
        &users().replace(
            "    pub email: String,\n",
            "    pub email: String,\n    pub bio: Option<String>,\n",
        ),
    );
    assert_eq!(s.run(&["-m", "add bio", "--dev-url", "sqlite::memory:"]), 0);
    assert_eq!(s.run(&["current"]), 0);
    assert_eq!(s.run(&["-m", "again", "--dev-url", "sqlite://app.db"]), 1);

    // Command lines are recorded as typed; ids passed as arguments get their placeholders here.
    let mut transcript = replace_checksums_and_times(&s.transcript);
    for (n, id) in s.ids.iter().enumerate() {
        transcript = transcript.replace(id.as_str(), &format!("<id{}>", n + 1));
    }
    s.transcript = transcript;
    s.snapshot("graph");
}
