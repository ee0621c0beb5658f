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
