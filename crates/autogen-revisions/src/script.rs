//! Offline scripts (`autogen upgrade --sql`): the SQL an upgrade or downgrade would run, with the
//! version-table bookkeeping, as one text a DBA can review and run by hand. No connection is
//! involved, so the starting point is given by the caller instead of read from the database.
//! The MySQL/MariaDB progress table is not written to: a script run by hand is watched by the
//! person running it. A revision with `-- autogen:no-transaction` steps on PostgreSQL or SQLite
//! is written as the runner runs it: `COMMIT` before each such step, the step alone, `BEGIN`
//! after it, with the same `autogen_progress` rows before and after each, so a script stopped
//! part way leaves the record a stopped run would. A revision whose file names another dialect
//! than the script's is refused, as the runner refuses it. On MySQL/MariaDB, whose command-line
//! client ends a statement at every `;` it sees, a statement holding `;` of its own (a trigger,
//! routine or event body, a `BEGIN NOT ATOMIC` block) is written between `DELIMITER //` and
//! `DELIMITER ;`, so that piping the script into `mysql` or `mariadb` runs the statements the
//! runner runs. This file does not execute anything.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use autogen_schema::Dialect;

use crate::dialect::Rules;
use crate::error::Direction;
use crate::file::{check_dialects, Revision};
use crate::graph::RevisionSet;
use crate::split::{split_marked, SplitStatement};
use crate::version_table;
use crate::RevisionError;

/// The script that upgrades a database at `from` (`base`, or a revision id/prefix: that
/// revision and its ancestors are taken as applied) to `target` (any upgrade target; `+N`
/// counts from `from`). The statements are split exactly as the runner splits them.
pub fn upgrade_script(
    set: &RevisionSet,
    dialect: Dialect,
    from: &str,
    target: &str,
) -> Result<String, RevisionError> {
    let applied = applied_at(set, from)?;
    let plan = set.path_to(&applied, target)?;
    check_dialects(&plan, dialect)?;
    Ok(render(dialect, Direction::Upgrade, from, target, &plan))
}

/// The script that downgrades a database at `from` (a revision id/prefix or `head`) to
/// `target` (`base` or a revision id/prefix that `from` builds on).
pub fn downgrade_script(
    set: &RevisionSet,
    dialect: Dialect,
    from: &str,
    target: &str,
) -> Result<String, RevisionError> {
    let applied = applied_at(set, from)?;
    let target_rev = set.resolve(target)?;
    if let Some(t) = target_rev {
        if !applied.contains(&t.id) {
            return Err(RevisionError::UnknownTarget {
                target: format!("{target} (not an ancestor of {from})"),
            });
        }
    }
    let plan = set.downgrade_path(&applied, target_rev);
    check_dialects(&plan, dialect)?;
    Ok(render(dialect, Direction::Downgrade, from, target, &plan))
}

fn applied_at(set: &RevisionSet, from: &str) -> Result<BTreeSet<String>, RevisionError> {
    let mut applied = BTreeSet::new();
    for rev in set.stamp_targets(from)? {
        applied.extend(set.ancestors_and_self(&rev.id));
    }
    Ok(applied)
}

fn render(
    dialect: Dialect,
    direction: Direction,
    from: &str,
    target: &str,
    plan: &[&Revision],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- autogen {direction} script for {dialect}: {from} -> {target}"
    );
    if plan.is_empty() {
        out.push_str("-- (nothing to do)\n");
        return out;
    }
    let _ = writeln!(out, "\n{};", version_table::CREATE);
    let rules = crate::dialect::rules(dialect);
    let transactional = rules.transactional_ddl;
    let sections: Vec<Vec<SplitStatement>> = plan
        .iter()
        .map(|rev| {
            let sql = match direction {
                Direction::Upgrade => &rev.upgrade_sql,
                Direction::Downgrade => &rev.downgrade_sql,
            };
            let mut statements = split_marked(sql, dialect);
            for statement in &mut statements {
                statement.no_transaction |= rev.no_transaction;
            }
            statements
        })
        .collect();
    let segmented = |statements: &[SplitStatement]| {
        transactional && statements.iter().any(|s| s.no_transaction)
    };
    if sections.iter().any(|s| segmented(s)) {
        let _ = writeln!(out, "{};", version_table::PROGRESS_CREATE);
    }
    out.push_str(rules.script_prologue);
    let now = crate::now_timestamp();
    for (rev, statements) in plan.iter().zip(&sections) {
        let message = rev.message.replace(['\n', '\r'], " ");
        let _ = writeln!(out, "\n-- revision {} {message}", rev.id);
        // Ids and checksums are hex (validated when the file was parsed), safe to inline.
        let record = match direction {
            Direction::Upgrade => version_table::insert_literal(&rev.id, &rev.checksum, &now),
            Direction::Downgrade => version_table::delete_literal(&rev.id),
        };
        if segmented(statements) {
            render_segmented(&mut out, rules, rev, direction, statements, &record, &now);
            continue;
        }
        if transactional {
            out.push_str("BEGIN;\n");
        }
        for statement in statements {
            push_statement(&mut out, rules, statement);
        }
        let _ = writeln!(out, "{record};");
        if transactional {
            out.push_str("COMMIT;\n");
        }
    }
    out.push_str(rules.script_epilogue);
    out
}

/// Writes one statement, terminated as the dialect's command-line client reads it: with `;`, or
/// where that client would cut the statement at a `;` of its body, between `DELIMITER` lines
/// that end it with a delimiter its text does not hold.
fn push_statement(out: &mut String, rules: &Rules, statement: &SplitStatement) {
    let sql = &statement.sql;
    if !(rules.client_delimiter && statement.holds_semicolon) {
        out.push_str(&crate::statement::terminated(sql));
        return;
    }
    if sql.contains("--") || sql.contains('#') || sql.contains("/*") {
        // The client drops comments before sending a statement unless told otherwise, and the
        // body the server stores (and `autogen check` compares) would then differ from the one
        // the runner stores.
        out.push_str(
            "-- run this script with `mariadb --comments` (or `mysql --comments`) to keep the comments of the next statement, as the runner does\n",
        );
    }
    let delimiter = (2..)
        .map(|n| "/".repeat(n))
        .find(|d| !sql.contains(d.as_str()))
        .unwrap_or_default();
    // The delimiter gets a line of its own, so that a line comment on the body's last line
    // cannot swallow it.
    let _ = write!(
        out,
        "DELIMITER {delimiter}\n{sql}\n{delimiter}\nDELIMITER ;\n"
    );
}

/// A revision with no-transaction steps, written as `dialect/segmented.rs` runs it: the
/// statements between such steps in one transaction with their progress row, each step alone
/// between its `running` and `done` updates, the last part with the version-table row.
fn render_segmented(
    out: &mut String,
    rules: &Rules,
    rev: &Revision,
    direction: Direction,
    statements: &[SplitStatement],
    record: &str,
    now: &str,
) {
    let texts: Vec<String> = statements.iter().map(|s| s.sql.clone()).collect();
    let hash = |done: usize| crate::dialect::done_hash(&texts[..done]);
    let start = version_table::progress_start_literal(&rev.id, direction.as_str(), &hash(0), now);
    let total = statements.len();
    let mut recorded = false;
    let mut done = 0;
    while done < total {
        if statements[done].no_transaction {
            if !recorded {
                let _ = writeln!(out, "{start};");
                recorded = true;
            }
            let _ = writeln!(
                out,
                "-- statement {} runs alone, outside any transaction",
                done + 1
            );
            let _ = writeln!(
                out,
                "{};",
                version_table::progress_running_literal(&rev.id, done)
            );
            push_statement(out, rules, &statements[done]);
            done += 1;
            let _ = writeln!(
                out,
                "{};",
                version_table::progress_done_literal(&rev.id, done, &hash(done))
            );
            continue;
        }
        let end = (done..total)
            .find(|&j| statements[j].no_transaction)
            .unwrap_or(total);
        out.push_str("BEGIN;\n");
        if !recorded && end < total {
            let _ = writeln!(out, "{start};");
        }
        for statement in &statements[done..end] {
            push_statement(out, rules, statement);
        }
        if end < total {
            let _ = writeln!(
                out,
                "{};",
                version_table::progress_done_literal(&rev.id, end, &hash(end))
            );
            recorded = true;
        } else {
            let _ = writeln!(out, "{record};");
            if recorded {
                let _ = writeln!(out, "{};", version_table::progress_delete_literal(&rev.id));
            }
            recorded = false;
        }
        out.push_str("COMMIT;\n");
        done = end;
    }
    if recorded {
        // The revision ends with a step that runs alone.
        out.push_str("BEGIN;\n");
        let _ = writeln!(out, "{record};");
        let _ = writeln!(out, "{};", version_table::progress_delete_literal(&rev.id));
        out.push_str("COMMIT;\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_revision, render_revision, RevisionHeader, Statement};
    use std::path::Path;

    fn set() -> RevisionSet {
        let mk = |id: &str, parent: Option<&str>, up: &str, down: &str| {
            let header = RevisionHeader {
                id: id.into(),
                parents: parent.into_iter().map(str::to_string).collect(),
                message: format!("make {id}"),
                created: String::new(),
                dialect: None,
            };
            let st = |sql: &str| Statement::new(sql);
            let text = render_revision(&header, &[st(up)], &[st(down)]).unwrap();
            parse_revision(Path::new("x.sql"), &text).unwrap()
        };
        RevisionSet::new(vec![
            mk(
                "aaaaaaaaaaa1",
                None,
                "CREATE TABLE a (id int)",
                "DROP TABLE a",
            ),
            mk(
                "aaaaaaaaaaa2",
                Some("aaaaaaaaaaa1"),
                "CREATE TABLE b (id int)",
                "DROP TABLE b",
            ),
        ])
        .unwrap()
    }

    #[test]
    fn upgrade_and_downgrade_scripts() {
        let s = set();
        let up = upgrade_script(&s, Dialect::Postgres, "base", "head").unwrap();
        let a = up.find("CREATE TABLE a (id int);").unwrap();
        let b = up.find("CREATE TABLE b (id int);").unwrap();
        assert!(a < b, "{up}");
        assert!(
            up.starts_with("-- autogen upgrade script for postgres: base -> head\n"),
            "{up}"
        );
        assert_eq!(up.matches("BEGIN;").count(), 2, "{up}");
        assert!(up.contains("INSERT INTO autogen_version (revision, checksum, applied_at) VALUES ('aaaaaaaaaaa2', '"), "{up}");

        let up = upgrade_script(&s, Dialect::Mysql, "aaaaaaaaaaa1", "head").unwrap();
        assert!(
            !up.contains("CREATE TABLE a") && up.contains("CREATE TABLE b"),
            "{up}"
        );
        assert!(!up.contains("BEGIN;"), "{up}");

        let down = downgrade_script(&s, Dialect::Sqlite, "head", "base").unwrap();
        let b = down.find("DROP TABLE b;").unwrap();
        let a = down.find("DROP TABLE a;").unwrap();
        assert!(b < a, "{down}");
        assert!(down.contains("DELETE FROM autogen_version WHERE revision = 'aaaaaaaaaaa1';"));

        let none = upgrade_script(&s, Dialect::Sqlite, "head", "head").unwrap();
        assert!(none.contains("(nothing to do)"), "{none}");
        assert!(downgrade_script(&s, Dialect::Sqlite, "aaaaaaaaaaa1", "aaaaaaaaaaa2").is_err());
    }

    #[test]
    fn mysql_bodies_are_written_between_delimiter_lines() {
        let trigger =
            "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN\n  SET NEW.id = 1;\nEND";
        let slashes = "BEGIN NOT ATOMIC SELECT '//'; END";
        let commented = "CREATE PROCEDURE p() BEGIN\n  -- why; it matters\n  SELECT 1;\nEND";
        let header = RevisionHeader {
            id: "aaaaaaaaaaa1".into(),
            parents: Vec::new(),
            message: "bodies".into(),
            created: String::new(),
            dialect: None,
        };
        let up = [
            Statement::new("CREATE TABLE a (id int)"),
            Statement::new(trigger),
            Statement::new(slashes),
            Statement::new(commented),
        ];
        let text = render_revision(&header, &up, &[Statement::new("DROP TABLE a")]).unwrap();
        let rev = parse_revision(Path::new("x.sql"), &text).unwrap();
        let set = RevisionSet::new(vec![rev]).unwrap();
        let script = upgrade_script(&set, Dialect::Mysql, "base", "head").unwrap();
        assert!(script.contains("CREATE TABLE a (id int);\n"), "{script}");
        assert!(
            script.contains(&format!("DELIMITER //\n{trigger}\n//\nDELIMITER ;\n")),
            "{script}"
        );
        // A body holding the usual delimiter gets a longer one.
        assert!(
            script.contains(&format!("DELIMITER ///\n{slashes}\n///\nDELIMITER ;\n")),
            "{script}"
        );
        // The client drops comments unless told to keep them: the script says so, once, above
        // the statement that has them.
        let note = "-- run this script with `mariadb --comments`";
        assert_eq!(script.matches(note).count(), 1, "{script}");
        assert!(
            script.contains(&format!("DELIMITER //\n{commented}\n//\n")),
            "{script}"
        );
        assert!(script.find(note) < script.find(commented), "{script}");
        assert_eq!(script.matches("DELIMITER ;").count(), 3, "{script}");
        // The other clients find the end of a body themselves.
        let sqlite = upgrade_script(&set, Dialect::Sqlite, "base", "head");
        assert!(sqlite.is_ok_and(|s| !s.contains("DELIMITER")));
    }
}
