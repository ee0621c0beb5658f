//! Shared helpers for autogen's end-to-end tests: golden files (compared whole, rewritten only in
//! bless mode), the golden fixture cases under `fixtures/revisions/`, and scratch databases per
//! dialect with row snapshots for the round trips.
//!
//! Nothing here is product logic; it drives the public library API the CLI uses.

use std::path::{Path, PathBuf};

pub mod db;
pub mod fixtures;
pub mod gen;
pub mod trip;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// True when `cargo xtask bless` is running the tests.
pub fn blessing() -> bool {
    std::env::var_os("AUTOGEN_BLESS").is_some_and(|v| v == "1")
}

/// Compares `actual` with the golden file at `path`. In bless mode the file is (re)written;
/// otherwise a difference (or a missing file) is returned as a readable unified diff.
pub fn check_golden(path: &Path, actual: &str) -> Result<(), String> {
    if blessing() {
        if std::fs::read_to_string(path).ok().as_deref() != Some(actual) {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(path, actual).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        return Ok(());
    }
    let expected = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(_) => {
            return Err(format!(
                "{}: golden file missing; run `cargo xtask bless` and review it\n--- actual ---\n{actual}",
                path.display()
            ))
        }
    };
    if expected == actual {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string();
    Err(format!(
        "{} differs from the output (run `cargo xtask bless` if the change is intended):\n{diff}",
        path.display()
    ))
}

/// The case folders of a fixture kind (`fixtures/diff`, `fixtures/introspect/sqlite`, ...): every
/// subfolder of `dir`, in sorted order, so runners report cases in the same order everywhere.
/// A missing `dir` has no cases (the runner's case-count assertion then says so).
pub fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// The last component of `path`, for naming a case in failure messages.
pub fn case_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads a schema written in the text form (`autogen_schema::render_text`) from `path`; errors
/// name the file and line.
pub fn read_schema(path: &Path) -> Result<autogen_schema::Schema, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    autogen_schema::parse_text(&text)
        .map_err(|e| format!("{}:{}: {}", path.display(), e.line, e.message))
}

/// Reads the declared renames of a fixture case from `path`: `table OLD -> NEW` and
/// `column TABLE.OLD -> NEW` lines, blank lines and `#` notes skipped. A missing file declares
/// none; a line of another shape is an error naming the file and line.
pub fn read_renames(path: &Path) -> Result<autogen_schema::RenameHints, String> {
    use autogen_schema::{ColumnRename, RenameHints, TableRename};
    let mut hints = RenameHints::default();
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(hints);
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || {
            format!(
                "{}:{}: expected `table OLD -> NEW` or `column TABLE.OLD -> NEW`, found `{line}`",
                path.display(),
                i + 1
            )
        };
        let (kind, rest) = line.split_once(' ').ok_or_else(bad)?;
        let (old, new) = rest.split_once(" -> ").ok_or_else(bad)?;
        match (kind, old.split_once('.')) {
            ("table", _) => hints.tables.push(TableRename {
                from: old.to_string(),
                to: new.to_string(),
            }),
            ("column", Some((table, old))) => hints.columns.push(ColumnRename {
                table: table.to_string(),
                from: old.to_string(),
                to: new.to_string(),
            }),
            _ => return Err(bad()),
        }
    }
    Ok(hints)
}

/// Panics with every failure at once, so one run shows all broken cases.
pub fn report(failures: Vec<String>) {
    if !failures.is_empty() {
        panic!(
            "{} failure(s):\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    }
}
