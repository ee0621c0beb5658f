//! The differ's fixture cases: `fixtures/diff/<case>/` holds `from.txt` and `to.txt` (two
//! schemas in the text form), optionally `renames.txt` (declared renames, one per line:
//! `table OLD -> NEW` or `column TABLE.OLD -> NEW`), and `expected.txt`: the ordered upgrade
//! changes, their downgrade and any rename suggestions, each change as its `describe()` line with
//! the object it carries and what it loses beneath. `cargo xtask bless` writes `expected.txt`,
//! so adding a case is adding a folder with two schemas.
//!
//! Beside the golden comparison the runner checks what every case must satisfy whatever its
//! expected text: applying the upgrade to `from` leaves nothing to diff against `to`, and
//! applying the downgrade after it leaves nothing to diff against `from`.

use std::fmt::Write as _;
use std::path::Path;

use autogen_diff::{apply_all, diff, downgrade, rename_suggestions, Change, DiffOptions};
use autogen_schema::{render_text, Schema, Table};
use autogen_tests::{
    case_dirs, case_name, check_golden, read_renames, read_schema, report, workspace_root,
};

#[test]
fn every_diff_fixture_matches_its_expected_changes() {
    let cases = case_dirs(&workspace_root().join("fixtures/diff"));
    assert!(
        cases.len() >= 10,
        "expected at least 10 diff fixture cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for dir in &cases {
        let result = run_case(dir).and_then(|(text, problems)| {
            check_golden(&dir.join("expected.txt"), &text)?;
            match problems.is_empty() {
                true => Ok(()),
                false => Err(problems.join("\n")),
            }
        });
        if let Err(e) = result {
            failures.push(format!("[diff / {}] {e}", case_name(dir)));
        }
    }
    report(failures);
}

/// The expected text of one case, and the invariants it breaks (empty when none).
fn run_case(dir: &Path) -> Result<(String, Vec<String>), String> {
    let from = read_schema(&dir.join("from.txt"))?;
    let to = read_schema(&dir.join("to.txt"))?;
    let renames = read_renames(&dir.join("renames.txt"))?;
    let options = DiffOptions {
        renames,
        ..DiffOptions::default()
    };
    let upgrade = match diff(&from, &to, &options) {
        Ok(changes) => changes,
        Err(e) => return Ok((format!("error: {e}\n"), Vec::new())),
    };
    let down = downgrade(&upgrade);
    let mut out = String::new();
    section(&mut out, "upgrade", &upgrade);
    section(&mut out, "downgrade", &down);
    let suggestions = rename_suggestions(&upgrade);
    if !suggestions.is_empty() {
        out.push_str("suggestions:\n");
        for s in suggestions {
            let _ = writeln!(out, "  {}", s.message());
        }
    }
    Ok((out, invariants(&from, &to, &upgrade, &down)))
}

/// Applying the changes must reach the other schema, both ways.
fn invariants(from: &Schema, to: &Schema, upgrade: &[Change], down: &[Change]) -> Vec<String> {
    let quote = DiffOptions::default().identifier_quote;
    let mut problems = Vec::new();
    let mut check = |label: &str, start: &Schema, changes: &[Change], goal: &Schema| match apply_all(
        start, changes, quote,
    ) {
        Err(e) => {
            problems.push(format!("{label} does not apply: {e}"));
            None
        }
        Ok(reached) => {
            match diff(&reached, goal, &DiffOptions::default()) {
                Ok(left) if left.is_empty() => {}
                Ok(left) => problems.push(format!(
                    "{label} leaves differences: {:?}",
                    left.iter().map(Change::describe).collect::<Vec<_>>()
                )),
                Err(e) => problems.push(format!("{label}: {e}")),
            }
            Some(reached)
        }
    };
    if let Some(after) = check("the upgrade", from, upgrade, to) {
        check("the downgrade", &after, down, from);
    }
    problems
}

fn section(out: &mut String, title: &str, changes: &[Change]) {
    let _ = writeln!(out, "{title}:");
    if changes.is_empty() {
        out.push_str("  (no changes)\n");
    }
    for change in changes {
        let _ = writeln!(out, "  {}", change.describe());
        for line in object_lines(change) {
            let _ = writeln!(out, "    {line}");
        }
        if let Some(loss) = change.data_loss() {
            let _ = writeln!(out, "    destructive: {loss}");
        }
    }
}

/// The object a change adds, drops or alters to, as its line in the schema text form. Whole
/// tables and enum types are left out: the `describe()` line and the case's schemas show them.
fn object_lines(change: &Change) -> Vec<String> {
    use Change::*;
    let mut t = Table::new("t");
    match change {
        AddColumn { column, .. } | DropColumn { column, .. } | AlterColumn { to: column, .. } => {
            t.columns.push(column.clone())
        }
        AlterPrimaryKey { from, to, .. } => t.primary_key = to.clone().or_else(|| from.clone()),
        AddIndex { index, .. } | DropIndex { index, .. } | RenameIndex { to: index, .. } => {
            t.indexes.push(index.clone())
        }
        AddUnique { unique, .. } | DropUnique { unique, .. } => {
            t.unique_constraints.push(unique.clone())
        }
        AddForeignKey { foreign_key, .. }
        | DropForeignKey { foreign_key, .. }
        | AlterForeignKey {
            to: foreign_key, ..
        } => t.foreign_keys.push(foreign_key.clone()),
        AddCheck { check, .. } | DropCheck { check, .. } => t.checks.push(check.clone()),
        AlterTableComment { to, .. } => t.comment = to.clone(),
        AlterTableOptions { to, .. } => t.options = to.clone(),
        CreateEnum(_)
        | DropEnum(_)
        | AlterEnum { .. }
        | CreateTable(_)
        | DropTable(_)
        | RenameTable { .. }
        | RenameColumn { .. }
        | RenameConstraint { .. }
        | CreateObject(_)
        | DropObject(_)
        | ReplaceObject { .. } => {}
    }
    let text = render_text(&Schema {
        tables: vec![t],
        enums: Vec::new(),
        objects: Vec::new(),
    });
    text.lines()
        .skip(1)
        .map(|l| l.trim_start().to_string())
        .collect()
}
