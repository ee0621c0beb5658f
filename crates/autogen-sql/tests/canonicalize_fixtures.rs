//! The canonicalisation fixture cases: `fixtures/canonicalize/<case>/models.txt` is a schema in
//! the text form as the model reader gives it; `expected/<dialect>.txt` is what
//! [`canonicalize`] makes of it for that dialect, i.e. what introspection must read back after
//! the schema is created there. `cargo xtask bless` writes the expected files, so adding a case
//! is adding a folder with one schema.
//!
//! Beside the golden comparison the runner checks that canonicalisation is idempotent: a schema
//! already in a dialect's canonical form does not change again (the differ compares
//! `canonicalize(models)` with introspected schemas that are canonical by construction).

use autogen_schema::{render_text, Dialect};
use autogen_sql::canonicalize;
use autogen_tests::{case_dirs, case_name, check_golden, read_schema, report, workspace_root};

#[test]
fn every_canonicalize_fixture_matches_its_expected_text() {
    let cases = case_dirs(&workspace_root().join("fixtures/canonicalize"));
    assert!(
        cases.len() >= 10,
        "expected at least 10 canonicalize fixture cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for dir in &cases {
        let models = match read_schema(&dir.join("models.txt")) {
            Ok(models) => models,
            Err(e) => {
                failures.push(format!("[canonicalize / {}] {e}", case_name(dir)));
                continue;
            }
        };
        for dialect in Dialect::ALL {
            let canonical = canonicalize(dialect, &models);
            let text = render_text(&canonical);
            let path = dir.join("expected").join(format!("{}.txt", dialect.name()));
            let mut result = check_golden(&path, &text);
            let again = render_text(&canonicalize(dialect, &canonical));
            if result.is_ok() && again != text {
                result = Err(format!(
                    "canonicalizing twice changes the schema:\n--- once ---\n{text}--- twice ---\n{again}"
                ));
            }
            if let Err(e) = result {
                failures.push(format!(
                    "[canonicalize / {} / {dialect}] {e}",
                    case_name(dir)
                ));
            }
        }
    }
    report(failures);
}
