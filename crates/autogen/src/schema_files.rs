//! The project's SQL files (`schema_files` in autogen.toml): views, materialized views, triggers,
//! functions and procedures, PostgreSQL sequences, domains and extensions (and the other kinds
//! `autogen_normalize::objects::classify` names) declared as plain statements, which are the
//! desired state for those kinds the way the model structs are for tables.
//!
//! This file finds the files, splits each into statements (with the revision runner's splitter,
//! `autogen_revisions::split_statements_with_lines`, so that a file and a revision split alike)
//! and says what each declares (`autogen_normalize::objects`), keeping the author's text verbatim as the object's `sql`, and
//! reports every unreadable or unsupported statement, and every object declared twice (but a
//! table's `ENABLE` and `FORCE ROW LEVEL SECURITY`, two statements folded into one object), as
//! `file:line: message` (all of them, not only the first). The comparison text is only a
//! first guess here (the tokenized text); where a database is at hand the server prints it
//! (`ops/objects.rs`). It neither connects nor compares.

use std::path::{Component, Path, PathBuf};

use autogen_normalize::objects::{
    classify, definition_key, row_security_parts, text_dependencies, ROW_SECURITY_ENABLE,
};
use autogen_revisions::split_statements_with_lines;
use autogen_schema::{Dialect, ObjectKind, Schema, SchemaObject};
use globset::GlobBuilder;

use crate::error::Error;

/// Reads the SQL files `globs` matches under `root` into objects for `dialect`, in file (sorted
/// path) and statement order, with what each names of `schema` (the models) and of the other
/// objects as its dependencies.
pub fn read_schema_files(
    root: &Path,
    globs: &[String],
    dialect: Dialect,
    schema: &Schema,
) -> Result<Vec<SchemaObject>, Error> {
    let mut errors = Vec::new();
    let mut objects: Vec<(SchemaObject, String)> = Vec::new();
    for path in expand(root, globs, &mut errors) {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(root.join(&path)) {
            Ok(t) => t,
            Err(e) => {
                errors.push(format!("{shown}: cannot read: {e}"));
                continue;
            }
        };
        // The revision runner's splitter: a file splits exactly as a revision holding the same
        // statements does. It never fails; text the tokenizer cannot read (an unterminated
        // string) is reported by `classify`, at the line its statement starts on.
        for (line, sql) in split_statements_with_lines(&text, dialect) {
            let at = format!("{shown}:{line}");
            match classify(dialect, &sql) {
                Ok(d) => {
                    let columns = if d.kind == ObjectKind::RowSecurity {
                        row_security_parts(dialect, &sql)
                    } else {
                        Vec::new()
                    };
                    let object = SchemaObject {
                        kind: d.kind,
                        name: d.name,
                        table: d.table,
                        definition: definition_key(dialect, &sql),
                        sql,
                        columns,
                        depends_on: Vec::new(),
                    };
                    if let Some((first, first_at)) = objects.iter_mut().find(|(o, _)| {
                        o.kind == object.kind && o.name == object.name && o.table == object.table
                    }) {
                        if !merge_row_security(first, &object) {
                            errors.push(format!(
                                "{at}: {} is declared twice (first at {first_at})",
                                object.label()
                            ));
                        }
                        continue;
                    }
                    objects.push((object, at));
                }
                Err(message) => errors.push(format!("{at}: {message}")),
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::SchemaFiles(errors));
    }
    let names: Vec<(ObjectKind, String)> = objects
        .iter()
        .map(|(o, _)| (o.kind, o.name.clone()))
        .collect();
    Ok(objects
        .into_iter()
        .map(|(mut o, _)| {
            o.depends_on = text_dependencies(dialect, &o.sql, schema, &names, (o.kind, &o.name));
            o
        })
        .collect())
}

/// Folds a second statement switching on `first`'s table's row-level security into `first`
/// (`ALTER TABLE t ENABLE ROW LEVEL SECURITY;` then `ALTER TABLE t FORCE ROW LEVEL SECURITY;`,
/// as pg_dump writes them): one object with both parts, made by one `ALTER TABLE` naming both.
/// False (declared twice) for any other kind, or when the two switch on the same thing.
fn merge_row_security(first: &mut SchemaObject, second: &SchemaObject) -> bool {
    if first.kind != ObjectKind::RowSecurity
        || second.columns.is_empty()
        || second.columns.iter().any(|p| first.columns.contains(p))
    {
        return false;
    }
    let mut parts = first.columns.clone();
    parts.extend(second.columns.iter().cloned());
    // The parts in their one order (`row_security_parts`): ENABLE before FORCE.
    parts.sort_by_key(|p| p != ROW_SECURITY_ENABLE);
    let table = format!("\"{}\"", first.name.replace('"', "\"\""));
    first.sql = format!("ALTER TABLE {table} {}", parts.join(", "));
    first.definition = parts.join(", ");
    first.columns = parts;
    true
}

/// The files `globs` matches under `root`, relative to it, sorted. A glob without wildcards
/// names one file (an error when it is missing); hidden folders and `target` are not walked.
fn expand(root: &Path, globs: &[String], errors: &mut Vec<String>) -> Vec<PathBuf> {
    let mut files = std::collections::BTreeSet::new();
    for pattern in globs {
        if !pattern.contains(['*', '?', '[', '{']) {
            if root.join(pattern).is_file() {
                files.insert(PathBuf::from(pattern));
            } else {
                errors.push(format!("{pattern}: schema file not found"));
            }
            continue;
        }
        let matcher = match GlobBuilder::new(pattern).literal_separator(true).build() {
            Ok(g) => g.compile_matcher(),
            Err(e) => {
                errors.push(format!("invalid schema_files glob `{pattern}`: {e}"));
                continue;
            }
        };
        let prefix: PathBuf = Path::new(pattern)
            .components()
            .take_while(|c| match c {
                Component::Normal(s) => !s.to_string_lossy().contains(['*', '?', '[', '{']),
                _ => true,
            })
            .collect();
        let mut stack = vec![prefix];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                let rel = dir.join(&name);
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    if !name.starts_with('.') && name != "target" {
                        stack.push(rel);
                    }
                } else if matcher.is_match(&rel) {
                    files.insert(rel);
                }
            }
        }
    }
    files.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_in_order_and_errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let schema_dir = dir.path().join("schema");
        std::fs::create_dir_all(&schema_dir).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            schema_dir.join("a.sql"),
            "CREATE VIEW v1 AS SELECT 1 AS x;\nCREATE VIEW v2 AS SELECT x FROM v1;\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let globs = vec!["schema/*.sql".to_string()];
        let objects = read_schema_files(dir.path(), &globs, Dialect::Sqlite, &Schema::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = objects.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["v1", "v2"]);
        assert_eq!(objects[1].sql, "CREATE VIEW v2 AS SELECT x FROM v1");
        assert_eq!(
            objects[1].depends_on,
            [autogen_schema::ObjectDependency::Object {
                kind: ObjectKind::View,
                name: "v1".into()
            }]
        );
        std::fs::write(
            schema_dir.join("b.sql"),
            "\n\nCREATE TABLE t (a int);\nCREATE VIEW v1 AS SELECT 2;\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let err = read_schema_files(dir.path(), &globs, Dialect::Sqlite, &Schema::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("schema/b.sql:3: "), "{err}");
        assert!(
            err.contains("schema/b.sql:4: view v1 is declared twice (first at schema/a.sql:1)"),
            "{err}"
        );
    }

    #[test]
    fn enable_and_force_row_level_security_fold_into_one_object() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let write = |text: &str| {
            std::fs::write(dir.path().join("a.sql"), text).unwrap_or_else(|e| panic!("{e}"))
        };
        let read = || {
            read_schema_files(
                dir.path(),
                &["a.sql".to_string()],
                Dialect::Postgres,
                &Schema::default(),
            )
        };
        write(
            "ALTER TABLE users FORCE ROW LEVEL SECURITY;
             ALTER TABLE users ENABLE ROW LEVEL SECURITY;
",
        );
        let objects = read().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(objects.len(), 1);
        assert_eq!(
            objects[0].sql,
            "ALTER TABLE \"users\" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"
        );
        assert_eq!(
            objects[0].columns,
            ["ENABLE ROW LEVEL SECURITY", "FORCE ROW LEVEL SECURITY"]
        );
        write(
            "ALTER TABLE users ENABLE ROW LEVEL SECURITY;
             ALTER TABLE users ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
",
        );
        let err = read().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            err.contains("a.sql:2: row level security on users is declared twice"),
            "{err}"
        );
    }

    #[test]
    fn mysql_bodies_stay_whole_and_unreadable_text_names_its_line() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let text = "CREATE TRIGGER t BEFORE INSERT ON u FOR EACH ROW\n\
            IF NEW.a < 0 THEN SET NEW.a = 0; ELSE SET NEW.b = IF(NEW.a > 9, 1, 0); END IF;\n\
            CREATE PROCEDURE p() BEGIN DELETE FROM u; DELETE FROM v; END;\n\
            GRANT SELECT ON u TO 'r'@'%';\n";
        std::fs::write(dir.path().join("a.sql"), text).unwrap_or_else(|e| panic!("{e}"));
        let globs = vec!["a.sql".to_string()];
        let objects = read_schema_files(dir.path(), &globs, Dialect::Mysql, &Schema::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let labels: Vec<String> = objects.iter().map(SchemaObject::label).collect();
        assert_eq!(labels, ["trigger t on u", "procedure p", "grant r on u"]);
        assert!(objects[0].sql.ends_with("END IF"), "{}", objects[0].sql);
        std::fs::write(
            dir.path().join("a.sql"),
            "CREATE VIEW v AS SELECT 1;\n\nCREATE VIEW w AS\nSELECT 'x;\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let err = read_schema_files(dir.path(), &globs, Dialect::Mysql, &Schema::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("a.sql:3: "), "{err}");
    }
}
