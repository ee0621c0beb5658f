//! What the CLI's integration tests share, so each test file holds only its scenarios: running
//! the real `autogen` binary ([`command`], [`autogen`] and the [`Run`] it gives), temporary
//! project folders ([`project_dir`], and [`UrlProject`] whose database URL travels in
//! `DATABASE_URL`), scratch databases that fail the test when they cannot be made ([`scratch`]),
//! and the tools of the tests that run several `autogen` processes at once (concurrency, kills,
//! signals): a [`Project`] on a real database of one dialect (SQLite a file in the project
//! folder, PostgreSQL and MariaDB a scratch database of the configured server) that also reads
//! what the database really holds, without going through autogen. Model sources shared with the
//! other suites live in `autogen_testkit::models`.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use autogen::db::{Connection, DatabaseUrl};
use autogen::schema::Dialect;
use autogen_testkit::ScratchDatabase;
use autogen_tests::db::Scratch;

/// The autogen.toml of a project that names no database: each run passes it in `DATABASE_URL`.
pub const URL_FROM_ENV: &str = "models = [\"src/**/*.rs\"]\nrevisions = \"revisions\"\n";

/// The `autogen` binary in `dir` with `args`, as a user would start it but with colours off, no
/// `DATABASE_URL` inherited from the test's own environment and nothing to read on stdin.
pub fn command<A: AsRef<OsStr>>(dir: &Path, args: &[A]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_autogen"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

/// What one run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[exit {}]\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `autogen ARGS` in `dir` with `env` added to the [`command`] environment and waits for it.
pub fn autogen<A: AsRef<OsStr>>(dir: &Path, args: &[A], env: &[(&str, &str)]) -> Run {
    let out = command(dir, args)
        .envs(env.iter().copied())
        .output()
        .expect("run autogen");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Writes `text` to `rel` under `root`, creating the folders on the way.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// A temporary project folder: `config` as autogen.toml, `models` as `src/models.rs` and an
/// empty `revisions/`.
pub fn project_dir(config: &str, models: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "autogen.toml", config);
    write(dir.path(), "src/models.rs", models);
    std::fs::create_dir_all(dir.path().join("revisions")).expect("mkdir revisions");
    dir
}

/// A temporary project whose autogen.toml is [`URL_FROM_ENV`]: every run passes `url` as
/// `DATABASE_URL`.
pub struct UrlProject {
    dir: tempfile::TempDir,
    pub url: String,
}

impl UrlProject {
    pub fn new(url: &str, models: &str) -> UrlProject {
        UrlProject {
            dir: project_dir(URL_FROM_ENV, models),
            url: url.to_string(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        write(self.root(), rel, text);
    }

    pub fn run(&self, args: &[&str]) -> Run {
        autogen(self.root(), args, &[("DATABASE_URL", self.url.as_str())])
    }
}

/// A fresh database for `dialect`, or `None` when its server is not configured; a server that
/// is configured but cannot make the database fails the test.
pub async fn scratch(dialect: Dialect) -> Option<Scratch> {
    match Scratch::create(dialect).await {
        Ok(s) => s,
        Err(e) => panic!("cannot create a scratch {dialect} database: {e}"),
    }
}

pub const DIALECTS: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

pub struct Project {
    pub dialect: Dialect,
    dir: tempfile::TempDir,
    url: String,
    scratch: Option<ScratchDatabase>,
}

impl Project {
    /// A project with an empty database and `models` as `src/models.rs`; `None` when the
    /// dialect's server is not configured (the test skips it; CI sets every server).
    pub async fn new(dialect: Dialect, models: &str, extra_config: &str) -> Option<Project> {
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, scratch) = match dialect {
            Dialect::Sqlite => (
                format!("sqlite://{}", dir.path().join("app.db").display()),
                None,
            ),
            _ => {
                let scratch = ScratchDatabase::from_env(dialect)
                    .await
                    .expect("scratch database")?;
                (scratch.url().expose().to_string(), Some(scratch))
            }
        };
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).expect("mkdir src");
        std::fs::create_dir_all(root.join("revisions")).expect("mkdir revisions");
        std::fs::write(
            root.join("autogen.toml"),
            format!("database_url = \"{url}\"\nmodels = [\"src/*.rs\"]\n{extra_config}"),
        )
        .expect("write config");
        std::fs::write(root.join("src/models.rs"), models).expect("write models");
        if dialect == Dialect::Sqlite {
            // Create the file, as `autogen upgrade` would; read-only commands never do.
            std::fs::write(root.join("app.db"), b"").expect("create the SQLite file");
        }
        Some(Project {
            dialect,
            dir,
            url,
            scratch,
        })
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The project's database URL (with its password, for the test's own tools).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn write_models(&self, models: &str) {
        std::fs::write(self.root().join("src/models.rs"), models).expect("write models");
    }

    fn command(&self, args: &[&str]) -> Command {
        command(self.root(), args)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run autogen")
    }

    /// Runs autogen and fails the test unless it exits 0; returns stdout and stderr together.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = text(&out);
        assert!(
            out.status.success(),
            "{}: autogen {args:?} failed:\n{text}",
            self.dialect
        );
        text
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn autogen")
    }

    /// Writes a hand-written revision (`autogen revision --empty`, then its two sections
    /// filled in) and returns its id.
    pub fn hand_written(&self, message: &str, upgrade: &str, downgrade: &str) -> String {
        let out = self.ok(&["revision", "--empty", "-m", message]);
        let path = self.revision_file(&out);
        let text = std::fs::read_to_string(&path).expect("read revision");
        let text = text
            .replacen(
                "-- autogen:upgrade\n-- (no steps)",
                &format!("-- autogen:upgrade\n{upgrade}"),
                1,
            )
            .replacen(
                "-- autogen:downgrade\n-- (no steps)",
                &format!("-- autogen:downgrade\n{downgrade}"),
                1,
            );
        std::fs::write(&path, text).expect("write revision");
        revision_id(&path)
    }

    /// The revision file a `revision`/`-m` run wrote, read from its output.
    pub fn revision_file(&self, output: &str) -> PathBuf {
        let dir = self.root().join("revisions");
        let name = output
            .split_whitespace()
            .find(|w| w.ends_with(".sql"))
            .unwrap_or_else(|| panic!("no revision file named in:\n{output}"));
        let name = Path::new(name.trim_matches(|c| c == '`' || c == '\''))
            .file_name()
            .expect("file name")
            .to_owned();
        dir.join(name)
    }

    pub async fn connect(&self) -> Connection {
        let url = DatabaseUrl::parse(&self.url).expect("url");
        Connection::connect(&url).await.expect("connect")
    }

    /// Runs `sql` (several statements allowed) on a connection of the test's own.
    pub async fn execute(&self, sql: &str) {
        let mut conn = self.connect().await;
        conn.execute_script(sql)
            .await
            .unwrap_or_else(|e| panic!("{}: {sql}: {e}", self.dialect));
        let _ = conn.close().await;
    }

    /// The column `x` of every row of `sql`, as text.
    pub async fn strings(&self, sql: &str) -> Vec<String> {
        let mut conn = self.connect().await;
        let text = if self.dialect == Dialect::Mysql {
            "CHAR"
        } else {
            "TEXT"
        };
        let query = format!("SELECT CAST(x AS {text}) FROM ({sql}) q");
        let rows: Result<Vec<Option<String>>, sqlx::Error> = match &mut conn {
            Connection::Postgres(c) => sqlx::query_scalar(&query).fetch_all(c).await,
            Connection::Mysql(c) => sqlx::query_scalar(&query).fetch_all(c).await,
            Connection::Sqlite(c) => sqlx::query_scalar(&query).fetch_all(c).await,
        };
        let _ = conn.close().await;
        rows.unwrap_or_else(|e| panic!("{}: {query}: {e}", self.dialect))
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect()
    }

    pub async fn has_table(&self, table: &str) -> bool {
        let mut conn = self.connect().await;
        let exists = conn
            .execute_script(&format!("SELECT 1 FROM {table} WHERE 1 = 0"))
            .await
            .is_ok();
        let _ = conn.close().await;
        exists
    }

    /// The ids in `autogen_version`, sorted.
    pub async fn applied(&self) -> Vec<String> {
        if !self.has_table("autogen_version").await {
            return Vec::new();
        }
        let mut ids = self
            .strings("SELECT revision AS x FROM autogen_version")
            .await;
        ids.sort();
        ids
    }

    pub async fn drop_database(self) {
        if let Some(s) = self.scratch {
            s.drop_now().await.expect("drop scratch database");
        }
    }
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The id in a revision file's name (`<id>_<slug>.sql`).
pub fn revision_id(path: &Path) -> String {
    let name = path
        .file_name()
        .expect("file name")
        .to_string_lossy()
        .to_string();
    name.split('_').next().expect("id").to_string()
}

/// Waits for a child and returns its output.
pub fn finish(child: Child) -> Output {
    child.wait_with_output().expect("wait for autogen")
}

/// Sends `signal` (a `kill -s` name: KILL, TERM, INT) to a running child.
pub fn signal(child: &Child, signal: &str) {
    let _ = Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status();
}

/// Replaces the run times `upgrade` and `downgrade` print (`Applied <id> in 0.01 s`) with
/// `<secs>`, so snapshots stay stable.
pub fn hide_durations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let timed = body.rsplit_once(" in ").filter(|(_, t)| {
            t.strip_suffix(" s")
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'))
        });
        match timed {
            Some((head, _)) => {
                out.push_str(head);
                out.push_str(" in <secs>");
            }
            None => out.push_str(body),
        }
        out.push_str(end);
    }
    out
}
