//! A temporary autogen project on a real database of one dialect, for the tests that run the
//! `autogen` binary as separate processes (concurrency, kills, signals): SQLite is a file in the
//! project folder, PostgreSQL and MariaDB a scratch database of the configured server. It also
//! reads what the database really holds, without going through autogen.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use autogen::db::testing::ScratchDatabase;
use autogen::db::{Connection, DatabaseUrl};
use autogen::schema::Dialect;

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

    pub fn write_models(&self, models: &str) {
        std::fs::write(self.root().join("src/models.rs"), models).expect("write models");
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_autogen"));
        cmd.args(args)
            .current_dir(self.root())
            .env_remove("DATABASE_URL")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
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
