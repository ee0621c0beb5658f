//! The golden fixture cases: `fixtures/revisions/<case>/` holds `after.rs` (the target models),
//! optionally `before.rs` (the starting schema, as models; absent = empty database) and
//! `seed.sql` (rows inserted into the starting schema, in SQL all three dialects accept), and
//! `expected/<dialect>.sql`, the revision file autogenerate writes for that dialect.
//!
//! The hazard lines of a revision depend on the server version and the row estimates of the
//! database it is generated against. A case renders for the versions the hazard rules assume
//! (PostgreSQL 15, MariaDB 10.11) and without row estimates, unless it has `statistics.txt`,
//! which says which version it assumes and what the database reports:
//! `postgres 10.0`, `mysql mariadb 10.3` (or `mysql 8.0`), `rows <table> <count|unknown>`.
//!
//! A case with `safety.txt` holding `online` is written in online mode (`safety = "online"`,
//! README "Hazards and online mode"); without it, in the default mode.

use std::path::{Path, PathBuf};

use autogen::models::{read_sources, ModelSet};
use autogen::ops;
use autogen::revisions::RevisionHeader;
use autogen::schema::{Dialect, NamingConvention, RowEstimate, ServerVersion, TableStatistics};

/// One fixture folder.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    pub before: Option<String>,
    pub after: String,
    pub seed: Option<String>,
    /// `unsupported.txt`: `(dialect name, reason)` per line `<dialect>: <reason>`, for dialects
    /// that cannot apply the change at all (the golden file shows the error there).
    pub unsupported: Vec<(String, String)>,
    /// `statistics.txt` (see the module documentation).
    pub statistics: Option<String>,
    /// `safety.txt`: the mode the case is written in (see the module documentation).
    pub safety: autogen::sql::Safety,
}

impl Case {
    pub fn expected_path(&self, dialect: Dialect) -> PathBuf {
        self.dir
            .join("expected")
            .join(format!("{}.sql", dialect.name()))
    }

    pub fn before_models(&self) -> Result<ModelSet, String> {
        match &self.before {
            Some(src) => models(&self.dir.join("before.rs"), src),
            None => Ok(ModelSet::default()),
        }
    }

    pub fn after_models(&self) -> Result<ModelSet, String> {
        models(&self.dir.join("after.rs"), &self.after)
    }

    /// The server version and row estimates `statistics.txt` gives for `dialect`; `None` without
    /// the file.
    pub fn statistics(&self, dialect: Dialect) -> Result<Option<TableStatistics>, String> {
        let Some(text) = &self.statistics else {
            return Ok(None);
        };
        let mut out = TableStatistics::default();
        for line in text.lines().map(str::trim) {
            let words: Vec<&str> = line.split_whitespace().collect();
            let bad = || format!("{}: bad statistics.txt line `{line}`", self.name);
            match words.as_slice() {
                [] => {}
                [first, ..] if first.starts_with('#') => {}
                ["rows", table, count] => {
                    let estimate = match *count {
                        "unknown" => RowEstimate::Unknown,
                        n => RowEstimate::Rows(n.parse().map_err(|_| bad())?),
                    };
                    out.rows.insert(table.to_string(), estimate);
                }
                ["postgres", version] if dialect == Dialect::Postgres => {
                    out.server = ServerVersion::from_mysql_text(version)
                        .map(|v| ServerVersion::postgres(v.major, v.minor));
                }
                ["mysql", "mariadb", version] if dialect == Dialect::Mysql => {
                    out.server = ServerVersion::from_mysql_text(version)
                        .map(|v| ServerVersion::mariadb(v.major, v.minor));
                }
                ["mysql", version] if dialect == Dialect::Mysql => {
                    out.server = ServerVersion::from_mysql_text(version);
                }
                ["postgres" | "mysql" | "sqlite", ..] => {}
                _ => return Err(bad()),
            }
        }
        Ok(Some(out))
    }

    /// Why the round trip skips this case on `dialect`, from `unsupported.txt`.
    pub fn unsupported_reason(&self, dialect: Dialect) -> Option<&str> {
        self.unsupported
            .iter()
            .find(|(d, _)| d == dialect.name())
            .map(|(_, reason)| reason.as_str())
    }
}

/// `<dialect>: <reason>` lines; blank lines and `#` comments are skipped. A line without a colon
/// keeps its text as the dialect name, so that the round trip reports it as unknown.
fn unsupported_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(':') {
            Some((d, reason)) => (d.trim().to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

fn models(path: &Path, src: &str) -> Result<ModelSet, String> {
    read_sources(
        &[(path.to_path_buf(), src.to_string())],
        &NamingConvention::default(),
    )
    .map_err(|e| format!("{}: models do not read:\n{e}", path.display()))
}

/// Every case under `fixtures/revisions`, in sorted order.
pub fn cases() -> Vec<Case> {
    let root = crate::workspace_root().join("fixtures/revisions");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
            Case {
                name: dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                before: read("before.rs"),
                after: read("after.rs").unwrap_or_default(),
                seed: read("seed.sql"),
                unsupported: read("unsupported.txt")
                    .map(|t| unsupported_lines(&t))
                    .unwrap_or_default(),
                statistics: read("statistics.txt"),
                safety: read("safety.txt")
                    .and_then(|t| autogen::sql::Safety::parse(t.trim()))
                    .unwrap_or_default(),
                dir,
            }
        })
        .collect()
}

/// The header every golden revision carries, so expected files are whole revision files.
pub fn golden_header(case: &Case, dialect: Dialect) -> RevisionHeader {
    RevisionHeader {
        id: "000000000000".into(),
        parents: Vec::new(),
        message: case.name.replace('_', " "),
        created: "2026-01-01T00:00:00Z".into(),
        dialect: Some(dialect),
    }
}

/// How an expected file starts when autogenerate writes no revision for the case on a dialect.
pub const NO_CHANGES: &str = "-- autogenerate finds no changes";

/// The revision file autogenerate writes for `case` on `dialect`, from the models alone (the
/// starting database is the canonical form of `before.rs`). An error is rendered into the text
/// so that a known limitation is blessed visibly rather than skipped.
pub fn expected_revision(case: &Case, dialect: Dialect) -> Result<String, String> {
    expected_revision_for(case, dialect, case.statistics(dialect)?)
}

/// [`expected_revision`] for the server versions the hazard rules assume, with no row
/// estimates, whatever `statistics.txt` says: what to compare a revision generated against a
/// live server of those versions with (once its row estimates are taken out).
pub fn expected_revision_assumed(case: &Case, dialect: Dialect) -> Result<String, String> {
    expected_revision_for(case, dialect, None)
}

fn expected_revision_for(
    case: &Case,
    dialect: Dialect,
    statistics: Option<TableStatistics>,
) -> Result<String, String> {
    let before = case.before_models()?;
    let after = case.after_models()?;
    let current = autogen::sql::canonicalize(dialect, &before.schema);
    let plan = ops::plan(dialect, &current, &after).and_then(|mut plan| {
        match &statistics {
            Some(statistics) => {
                ops::hazards::render_with_statistics(&mut plan, statistics, case.safety, None)?;
                // Online mode's SQLite rebuild threshold, at its default (README).
                ops::hazards::settle_small_rebuilds(
                    &mut plan,
                    case.safety,
                    autogen::sql::SQLITE_REBUILD_ROWS,
                );
            }
            None if case.safety != autogen::sql::Safety::Default => {
                let target = autogen::sql::Target {
                    server: None,
                    safety: case.safety,
                    lock_timeout: None,
                };
                plan.render(ops::Render::Both, target)?;
            }
            None => {}
        }
        Ok(plan)
    });
    Ok(match plan {
        // A change the dialect does not store (a comment on SQLite) leaves nothing to write;
        // autogenerate then writes no revision, and the round trip checks that it does not.
        Ok(plan) if plan.is_empty() => format!("{NO_CHANGES} on {dialect}\n"),
        Ok(plan) => autogen::revisions::render_revision_with_notes(
            &golden_header(case, dialect),
            &plan.notes(),
            &plan.upgrade,
            &plan.downgrade,
        )
        .map_err(|e| e.to_string())?,
        Err(e) => format!(
            "-- autogenerate fails on {dialect}:\n-- {}\n",
            e.to_string().replace('\n', "\n-- ")
        ),
    })
}

/// The part of a revision file from `-- autogen:upgrade` on: what must not depend on ids or time.
pub fn body(revision_text: &str) -> &str {
    revision_text
        .find("-- autogen:upgrade")
        .map_or(revision_text, |i| &revision_text[i..])
}

/// `text` with the row estimate of every hazard line removed: `(users, ~2 rows)` becomes
/// `(users)`, as a revision made without a database writes it. Two databases of one schema
/// (the live one and a dev database, or a golden file made from models) differ in rows only.
pub fn without_row_estimates(text: &str) -> String {
    let mut out: String = text
        .lines()
        .map(|line| match line.strip_suffix(" rows)") {
            Some(head) if line.starts_with("-- hazard: ") => match head.rfind(", ~") {
                Some(at) => format!("{})", &head[..at]),
                None => line.to_string(),
            },
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}
