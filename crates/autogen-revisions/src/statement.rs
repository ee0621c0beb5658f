//! How a rendered [`Statement`] is written as SQL text: the one writer behind revision files,
//! `autogen diff` and the offline `--sql` scripts. A statement's facts become the lines above it
//! (a note for the reader, `-- destructive: <what is lost>`, the `-- autogen:rebuild` expectation
//! of a SQLite table rebuild) and the statement ends with `;`, on a line of its own when its last
//! line holds a line comment that would swallow it. Reading those lines back (`-- destructive:`
//! for `--deny-destructive`, `-- autogen:rebuild` for the runner) belongs to `file.rs` and
//! `dialect/sqlite_rebuild.rs`; checking that a section stays parseable belongs to `file.rs`.

use autogen_sql::Statement;

/// The comment prefix of a data-loss line (`-- destructive: ...`).
pub(crate) const DESTRUCTIVE_PREFIX: &str = "destructive:";
/// The comment prefix of a hazard line (`-- hazard: <kind>: <what happens> (<table>, ~<rows> rows)`).
pub(crate) const HAZARD_PREFIX: &str = "hazard:";
/// The key of a SQLite rebuild expectation line (`-- autogen:rebuild "t" "col" ...`).
pub(crate) const REBUILD_KEY: &str = "rebuild";
/// The key of the directive that runs the next statement (in a section) or every statement (in
/// the header) outside the revision's transaction (`-- autogen:no-transaction`).
pub(crate) const NO_TRANSACTION_KEY: &str = "no-transaction";

/// The comment lines above a statement, each without its line break, in a fixed order: note,
/// data loss, hazard, rebuild expectation, no-transaction marker. Free text is folded onto one line, and a note that reads like
/// an `autogen:` line is written as `(autogen:...)` so that it can never act as one.
pub(crate) fn fact_lines(statement: &Statement) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(note) = &statement.note {
        let note = one_line(note);
        if note.is_empty() {
            lines.push("--".to_string());
        } else if note.starts_with("autogen:") {
            lines.push(format!("-- ({note})"));
        } else {
            lines.push(format!("-- {note}"));
        }
    }
    if let Some(loss) = &statement.data_loss {
        lines.push(format!("-- {DESTRUCTIVE_PREFIX} {}", one_line(loss)));
    }
    if let Some(hazard) = &statement.hazard {
        lines.push(format!("-- {HAZARD_PREFIX} {}", one_line(&hazard.line())));
    }
    if let Some(rebuild) = &statement.rebuild {
        let mut line = format!("-- autogen:{REBUILD_KEY} {}", quote(&rebuild.table));
        for column in &rebuild.columns {
            line.push(' ');
            line.push_str(&quote(column));
        }
        lines.push(line);
    }
    if statement.no_transaction {
        lines.push(format!("-- autogen:{NO_TRANSACTION_KEY}"));
    }
    lines
}

/// `sql` (no trailing `;`) terminated: `;` and a line break, the `;` on a line of its own when the
/// last line holds a line comment.
pub(crate) fn terminated(sql: &str) -> String {
    let last_line = sql.rsplit('\n').next().unwrap_or(sql);
    if last_line.contains("--") || last_line.contains('#') {
        format!("{sql}\n;\n")
    } else {
        format!("{sql};\n")
    }
}

/// Statements as a script (`autogen diff`): each with its fact lines, a blank line between.
pub fn render_script(statements: &[Statement]) -> String {
    let mut out = String::new();
    for statement in statements {
        let sql = statement.sql.trim();
        let sql = sql.strip_suffix(';').unwrap_or(sql).trim_end();
        if sql.is_empty() {
            continue;
        }
        for line in fact_lines(statement) {
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&terminated(sql));
        out.push('\n');
    }
    out
}

/// A SQLite identifier in double quotes (the form rebuild lines use on every dialect). Line
/// breaks and other control characters become spaces, so the line stays one line: models cannot
/// name such a column, and a live one so named then fails the runner's comparison (a refusal,
/// never a silent copy).
pub(crate) fn quote(name: &str) -> String {
    let folded: String = name
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    format!("\"{}\"", folded.replace('"', "\"\""))
}

/// Folds every kind of line break (and other control characters) to a space and trims, so the
/// text stays inside one `--` comment line.
pub(crate) fn one_line(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    folded.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_sql::RebuildExpectation;

    #[test]
    fn facts_become_lines_in_a_fixed_order() {
        let s = Statement {
            sql: "DROP TABLE \"t\" -- gone".into(),
            data_loss: Some("drops table t\nand its rows".into()),
            note: Some("autogen:end".into()),
            rebuild: Some(RebuildExpectation {
                table: "t\"x".into(),
                columns: vec!["a".into()],
            }),
            hazard: Some(autogen_sql::Hazard::new(
                autogen_sql::HazardKind::TableRebuild,
                "t",
                "rows\ncopied",
            )),
            no_transaction: false,
        };
        assert_eq!(
            render_script(&[s]),
            "-- (autogen:end)\n-- destructive: drops table t and its rows\n-- hazard: table-rebuild: rows copied (t)\n-- autogen:rebuild \"t\"\"x\" \"a\"\nDROP TABLE \"t\" -- gone\n;\n\n"
        );
    }
}
