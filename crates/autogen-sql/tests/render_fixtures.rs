//! The renderer's fixture cases: `fixtures/render/<case>/` holds `to.txt` (a schema in the text
//! form) and optionally `from.txt` and `renames.txt` (`table OLD -> NEW`,
//! `column TABLE.OLD -> NEW`); `expected/<dialect>.sql` is the SQL the renderer writes for that
//! dialect. Without `from.txt` it is [`render_create_schema`] of `to.txt` (the schema as given,
//! not canonicalised); with it, the upgrade and downgrade ([`render_upgrade_downgrade`]) of the
//! differ's changes between the two schemas as the dialect stores them (both canonicalised, as
//! autogenerate compares an introspected database with canonical models). A change a dialect
//! cannot express is blessed as its error. `cargo xtask bless` writes the expected files, so
//! adding a case is adding a folder.
//!
//! The SQL is shown the way the hand-written render tests show it (`common::text`: each
//! statement with its note, data-loss and rebuild facts as `-- ` lines).

mod common;

use std::path::Path;

use autogen_diff::{diff, DiffOptions};
use autogen_schema::Dialect;
use autogen_sql::{
    canonicalize, constraint_renames, render_create_schema, render_upgrade_downgrade,
};
use autogen_tests::{
    case_dirs, case_name, check_golden, read_renames, read_schema, report, workspace_root,
};
use common::text;

#[test]
fn every_render_fixture_matches_its_expected_sql() {
    let cases = case_dirs(&workspace_root().join("fixtures/render"));
    assert!(
        cases.len() >= 10,
        "expected at least 10 render fixture cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for dir in &cases {
        for dialect in Dialect::ALL {
            let path = dir.join("expected").join(format!("{}.sql", dialect.name()));
            let result = rendered(dir, dialect).and_then(|sql| check_golden(&path, &sql));
            if let Err(e) = result {
                failures.push(format!("[render / {} / {dialect}] {e}", case_name(dir)));
            }
        }
    }
    report(failures);
}

fn rendered(dir: &Path, dialect: Dialect) -> Result<String, String> {
    let to = read_schema(&dir.join("to.txt"))?;
    let from_path = dir.join("from.txt");
    if !from_path.exists() {
        return Ok(match render_create_schema(dialect, &to) {
            Ok(statements) => text(&statements),
            Err(e) => format!("-- render fails: {e}\n"),
        });
    }
    let from = canonicalize(dialect, &read_schema(&from_path)?);
    let to = canonicalize(dialect, &to);
    let renames = read_renames(&dir.join("renames.txt"))?;
    let options = DiffOptions {
        constraint_renames: constraint_renames(dialect),
        object_rules: autogen_sql::object_rules(dialect),
        ..DiffOptions::new(dialect, renames)
    };
    let changes =
        diff(&from, &to, &options).map_err(|e| format!("the differ refuses the case: {e}"))?;
    Ok(match render_upgrade_downgrade(dialect, &from, &changes) {
        Ok((up, down)) => format!("-- upgrade\n{}\n-- downgrade\n{}", text(&up), text(&down)),
        Err(e) => format!("-- render fails: {e}\n"),
    })
}
