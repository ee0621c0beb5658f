//! Secrets never reach the terminal, and read-only commands never create a database. The real
//! `autogen` binary runs every command with every awkward password shape (`/`, `#`, `?`, `@`,
//! `%`, spaces) passed every way a URL can be passed (`--database-url`, `DATABASE_URL` in the
//! environment or in `.env`, `database_url` or `dev_url` in autogen.toml, `--dev-url`, a `diff`
//! argument); no fragment of the password may appear on stdout or stderr, whatever the command
//! made of the URL (a refused connection, a server that refuses the login, a parse error). A
//! malformed `.env` is reported by file and line without echoing its contents, and `current`,
//! `check`, `history` and `diff` on a missing SQLite file name it instead of creating it.
//!
//! The servers are the ones the other tests use (PostgreSQL and MariaDB on 127.0.0.1 by
//! default), logged into as a user that does not exist, so the server refuses whatever the
//! password; a closed port (1) covers "connection refused". Nothing here needs the servers to
//! be up: an absent server refuses the connection, which is just another error path.

// A test that cannot set up its temporary project should fail loudly, right there.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use autogen_testkit::models::USERS;
use common::{project_dir, Run};

/// Passwords with every character that breaks a naive URL parser or redactor. Each is built
/// from distinct five-character tokens so that a leak of any fragment is detected, not only of
/// the whole password.
const PASSWORDS: &[&str] = &[
    "Kq7vX/Zr9mW",
    "Tp4nB#Ls2dH",
    "Yc8fJ?Gw5Rh",
    "Mb6tQ@Vn3xP",
    "Dz2kL%Fs8gN",
    "Hx4pC%2FWq7eT",
    "Jr5yS Bm9cK",
    "Ua3hE/#?@% Xo6wI:Pe2rO",
];

/// A user no server knows: whatever the password, the login is refused.
const USER: &str = "autogen_nobody";

fn autogen(dir: &Path, args: &[String], env: &[(&str, String)]) -> Run {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    common::autogen(dir, args, &env)
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// `host:port` of the server a test URL in the environment names, or the default.
fn server(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .and_then(|u| {
            let rest = u.split_once("://")?.1;
            let authority = rest.split(['/', '?']).next()?;
            Some(authority.rsplit('@').next()?.to_string())
        })
        .unwrap_or_else(|| default.to_string())
}

/// The URL the password is put in: the shapes alternate between MariaDB and PostgreSQL, and
/// between a server that refuses the login and a closed port.
fn url_with(index: usize, password: &str) -> String {
    let mysql = server("AUTOGEN_TEST_MYSQL_URL", "127.0.0.1:3306");
    let postgres = server("AUTOGEN_TEST_POSTGRES_URL", "127.0.0.1:5432");
    match index % 4 {
        0 => format!("mysql://{USER}:{password}@{mysql}/test"),
        1 => format!("postgres://{USER}:{password}@{postgres}/postgres"),
        2 => format!("postgresql://{USER}:{password}@127.0.0.1:1/app?sslmode=disable"),
        _ => format!("mariadb://{USER}:{password}@127.0.0.1:1/app"),
    }
}

/// A URL of the same dialect without a password, for the project's own database when the
/// password travels in the dev database URL.
fn plain_url_like(url: &str) -> String {
    if url.starts_with("mysql") || url.starts_with("mariadb") {
        format!("mysql://{USER}@127.0.0.1:1/app")
    } else {
        format!("postgres://{USER}@127.0.0.1:1/app")
    }
}

/// The fragments of a password that must never be printed.
fn fragments(password: &str) -> Vec<&str> {
    password
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|f| f.len() >= 5)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Flag,
    Environment,
    DotEnv,
    ConfigFile,
    DevFlag,
    DevConfigFile,
}

const WAYS: [Way; 6] = [
    Way::Flag,
    Way::Environment,
    Way::DotEnv,
    Way::ConfigFile,
    Way::DevFlag,
    Way::DevConfigFile,
];

/// Every command, with `{url}` standing for the secret URL where a command takes one as an
/// argument (`diff`).
const COMMANDS: &[&[&str]] = &[
    &["check"],
    &["check", "--format", "json"],
    &["check", "--format", "json", "--deny-destructive"],
    &["current"],
    &["history"],
    &["history", "--verbose"],
    &["heads"],
    &["show", "head"],
    &["upgrade"],
    &["upgrade", "--deny-destructive"],
    &["upgrade", "--sql"],
    &["downgrade"],
    &["downgrade", "--sql", "head:base"],
    &["stamp", "head"],
    &["stamp", "--purge"],
    &["revision", "-m", "add bio"],
    &["-m", "add bio"],
    &["revision", "--empty", "-m", "backfill"],
    &["merge", "-m", "join"],
    &["diff", "{url}", "models"],
    &["diff", "models", "{url}", "--exit-code"],
    &["diff", "{url}", "{url}"],
    &["diff", "revisions", "models"],
];

/// A revision written by the binary itself (so its format is whatever the writer produces
/// today), for a project of `url`'s dialect.
fn template_revision(url: &str) -> (String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("autogen.toml"),
        format!(
            "database_url = \"{}\"\nmodels = [\"src/**/*.rs\"]\n",
            plain_url_like(url)
        ),
    )
    .expect("write");
    std::fs::create_dir_all(dir.path().join("revisions")).expect("mkdir");
    let run = autogen(
        dir.path(),
        &strings(&["revision", "--empty", "-m", "first"]),
        &[],
    );
    assert_eq!(
        run.code, 0,
        "cannot write a template revision: {}",
        run.stderr
    );
    let entry = std::fs::read_dir(dir.path().join("revisions"))
        .expect("read revisions")
        .filter_map(|e| e.ok())
        .next()
        .expect("the template revision");
    let name = entry.file_name().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(entry.path()).expect("read");
    (name, text)
}

/// One run to make: a project set up so that `way` carries `url`, and the command line.
struct Case {
    password: &'static str,
    url: String,
    way: Way,
    command: &'static [&'static str],
}

/// Sets up the project for `case` in `dir` and returns the arguments and environment.
fn prepare(
    case: &Case,
    dir: &Path,
    revision: &(String, String),
) -> (Vec<String>, Vec<(&'static str, String)>) {
    let url = &case.url;
    let plain = plain_url_like(url);
    let mut toml = String::from("models = [\"src/**/*.rs\"]\nrevisions = \"revisions\"\n");
    let mut env = Vec::new();
    let mut extra = Vec::new();
    match case.way {
        Way::Flag => extra = vec!["--database-url".to_string(), url.clone()],
        Way::Environment => env.push(("DATABASE_URL", url.clone())),
        Way::DotEnv => std::fs::write(dir.join(".env"), format!("OTHER=1\nDATABASE_URL='{url}'\n"))
            .expect("write .env"),
        Way::ConfigFile => toml.push_str(&format!("database_url = \"{url}\"\n")),
        Way::DevFlag => {
            toml.push_str(&format!("database_url = \"{plain}\"\n"));
            extra = vec!["--dev-url".to_string(), url.clone()];
        }
        Way::DevConfigFile => {
            toml.push_str(&format!(
                "database_url = \"{plain}\"\ndev_url = \"{url}\"\n"
            ));
        }
    }
    std::fs::write(dir.join("autogen.toml"), toml).expect("write autogen.toml");
    std::fs::create_dir_all(dir.join("src")).expect("mkdir");
    std::fs::write(dir.join("src/models.rs"), USERS).expect("write models");
    std::fs::create_dir_all(dir.join("revisions")).expect("mkdir");
    std::fs::write(dir.join("revisions").join(&revision.0), &revision.1).expect("write rev");
    let mut args: Vec<String> = case
        .command
        .iter()
        .map(|a| a.replace("{url}", url))
        .collect();
    args.extend(extra);
    (args, env)
}

/// The whole matrix: no fragment of any password on stdout or stderr, no crash.
#[test]
fn no_password_is_ever_printed() {
    let mut cases = Vec::new();
    for (i, password) in PASSWORDS.iter().enumerate() {
        let url = url_with(i, password);
        for way in WAYS {
            for command in COMMANDS {
                cases.push(Case {
                    password,
                    url: url.clone(),
                    way,
                    command,
                });
            }
        }
    }
    let mysql_revision = template_revision(&url_with(0, "x"));
    let postgres_revision = template_revision(&url_with(1, "x"));
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                let dir = tempfile::tempdir().expect("temp dir");
                let revision = if plain_url_like(&case.url).starts_with("mysql") {
                    &mysql_revision
                } else {
                    &postgres_revision
                };
                let (args, env) = prepare(case, dir.path(), revision);
                let run = autogen(dir.path(), &args, &env);
                let output = format!("--- stdout\n{}--- stderr\n{}", run.stdout, run.stderr);
                let leaked: Vec<&str> = fragments(case.password)
                    .into_iter()
                    .filter(|f| output.contains(f))
                    .collect();
                let crashed = run.code < 0 || output.contains("panicked");
                if !leaked.is_empty() || crashed {
                    failures.lock().unwrap().push(format!(
                        "password {:?} via {:?}: autogen {:?} (exit {}){}\n{output}",
                        case.password,
                        case.way,
                        case.command,
                        run.code,
                        if crashed {
                            " crashed".to_string()
                        } else {
                            format!(" printed {leaked:?}")
                        },
                    ));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} runs printed a secret or crashed; the first ones:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A password with `/`, `#` and `?` written raw (not percent-encoded) still reaches the server:
/// the refusal is the server's (access denied), not a URL parse error.
#[test]
fn a_raw_password_with_url_characters_reaches_the_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("autogen.toml"),
        "models = [\"src/**/*.rs\"]\n",
    )
    .expect("write");
    std::fs::create_dir_all(dir.path().join("revisions")).expect("mkdir");
    let mysql = server("AUTOGEN_TEST_MYSQL_URL", "127.0.0.1:3306");
    let url = format!("mysql://{USER}:p/a#s?s@{mysql}/test");
    let run = autogen(
        dir.path(),
        &strings(&["current", "--database-url", &url]),
        &[],
    );
    assert_ne!(run.code, 0);
    assert!(
        !run.stderr.contains("invalid database URL"),
        "the URL was not parsed: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("mysql://{USER}:***@{mysql}/test")),
        "the URL is not shown with its password masked: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("p/a#s?s"), "{}", run.stderr);
}

/// A `.env` with a line dotenv cannot parse: the error names the file and the line, and prints
/// nothing of the file's contents (other variables hold secrets too).
#[test]
fn a_malformed_env_file_is_named_not_echoed() {
    for (text, line) in [
        (
            "SECRET_TOKEN=hunter2\nthis line is not an assignment\nDATABASE_URL=sqlite::memory:\n",
            2,
        ),
        (
            "# tokens\nSECRET_TOKEN='hunter2\nDATABASE_URL=sqlite::memory:\n",
            2,
        ),
        (
            "SECRET_TOKEN=hunter2 x=\"oops\nDATABASE_URL=sqlite::memory:\n",
            1,
        ),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("autogen.toml"),
            "models = [\"src/**/*.rs\"]\n",
        )
        .expect("write");
        std::fs::write(dir.path().join(".env"), text).expect("write .env");
        for args in [
            &["current"][..],
            &["check"],
            &["check", "--format", "json"],
            &["heads"],
        ] {
            let run = autogen(dir.path(), &strings(args), &[]);
            let output = format!("{}{}", run.stdout, run.stderr);
            assert_ne!(run.code, 0, "{args:?} on {text:?}: {output}");
            assert!(
                !output.contains("hunter2") && !output.contains("oops"),
                "{args:?} echoed the .env contents:\n{output}"
            );
            assert!(
                output.contains(&format!(".env:{line}")),
                "{args:?} on {text:?} does not name .env:{line}:\n{output}"
            );
        }
    }
}

/// `current`, `check` and `diff` on a SQLite file that does not exist fail, naming the file,
/// and leave no file behind; `history`, whose graph needs only the revisions folder, says the
/// database is missing and creates nothing either. `upgrade`, which writes, creates the file.
#[test]
fn read_only_commands_never_create_a_sqlite_file() {
    let dir = project_dir(
        "database_url = \"sqlite://data/app.db\"\nmodels = [\"src/**/*.rs\"]\n",
        USERS,
    );
    std::fs::create_dir_all(dir.path().join("data")).expect("mkdir");
    let db: PathBuf = dir.path().join("data/app.db");
    let url = format!("sqlite://{}", db.display());
    for args in [
        vec!["current"],
        vec!["check"],
        vec!["check", "--format", "json"],
        vec!["diff", url.as_str(), "models"],
        vec!["diff", "models", url.as_str()],
    ] {
        let run = autogen(dir.path(), &strings(&args), &[]);
        let output = format!("{}{}", run.stdout, run.stderr);
        assert_ne!(run.code, 0, "{args:?} on a missing file: {output}");
        assert!(
            output.contains("app.db") && output.contains("does not exist"),
            "{args:?} does not name the missing file:\n{output}"
        );
        assert!(!db.exists(), "{args:?} created {}", db.display());
    }
    // History draws the graph from the folder alone; the database only adds marks.
    let history = autogen(dir.path(), &strings(&["history"]), &[]);
    assert_eq!(history.code, 0, "{}", history.stderr);
    assert!(
        history.stderr.contains("app.db does not exist"),
        "history does not say the database is missing:\n{}",
        history.stderr
    );
    assert!(!db.exists(), "history created {}", db.display());
    let upgrade = autogen(dir.path(), &strings(&["upgrade"]), &[]);
    assert_eq!(upgrade.code, 0, "{}", upgrade.stderr);
    assert!(db.exists(), "upgrade must create the database file");
}

/// Every command that connects says, on stderr, which database it uses and where the URL came
/// from; `check --format json` also reports the source.
#[test]
fn the_database_and_its_source_are_named() {
    let dir = project_dir(
        "database_url = \"sqlite://from_toml.db\"\nmodels = [\"src/**/*.rs\"]\n",
        USERS,
    );
    let root = dir.path();
    let current = |args: &[&str], env: &[(&str, String)]| {
        let mut all = strings(&["upgrade"]);
        all.extend(strings(args));
        autogen(root, &all, env)
    };
    let toml = current(&[], &[]);
    assert!(
        toml.stderr.contains("Using sqlite:")
            && toml
                .stderr
                .contains("from_toml.db (from database_url in autogen.toml)"),
        "{}",
        toml.stderr
    );
    std::fs::write(
        root.join(".env"),
        "DATABASE_URL=sqlite://from_env_file.db\n",
    )
    .expect("w");
    let dotenv = current(&[], &[]);
    assert!(
        dotenv
            .stderr
            .contains("from_env_file.db (from DATABASE_URL in .env)"),
        "{}",
        dotenv.stderr
    );
    let env = current(&[], &[("DATABASE_URL", "sqlite://from_env.db".to_string())]);
    assert!(
        env.stderr
            .contains("from_env.db (from DATABASE_URL in the environment)"),
        "{}",
        env.stderr
    );
    let flag = current(&["--database-url", "sqlite://from_flag.db"], &[]);
    assert!(
        flag.stderr.contains("from_flag.db (from --database-url)"),
        "{}",
        flag.stderr
    );
    let json = autogen(root, &strings(&["check", "--format", "json"]), &[]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(value["database_source"], "dotenv", "{}", json.stdout);
    assert!(
        json.stderr.contains("(from DATABASE_URL in .env)"),
        "{}",
        json.stderr
    );
}
