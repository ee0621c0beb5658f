//! Every model error the reader reports, asserted by message, help and position. Positions are
//! computed from a marker substring in the source so the cases stay readable.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use autogen_models::{read_sources, ModelError};
use autogen_schema::NamingConvention;

struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    /// (file, marker the error points at, message, text the help contains)
    want: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

const ORG: &str = r#"
#[derive(autogen::Model)]
#[model(table = "orgs")]
pub struct Org {
    #[model(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
}
"#;

const CASES: &[Case] = &[
    Case {
        name: "unknown key with a suggestion",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(max_lenght = 255)]\n    name: String,\n}\n")],
        want: &[("a.rs", "max_lenght", "unknown model attribute `max_lenght`", "did you mean `max_length`?")],
    },
    Case {
        name: "unknown key that belongs elsewhere",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(table = \"x\")]\n    name: String,\n}\n")],
        want: &[("a.rs", "table", "unknown model attribute `table`", "`table` goes in the struct's #[model(...)], not in a field's #[model(...)]")],
    },
    Case {
        name: "unknown key without a close match",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(nullable)]\n    name: String,\n}\n")],
        want: &[("a.rs", "nullable", "unknown model attribute `nullable`", "the keys a field takes are: column, primary_key")],
    },
    Case {
        name: "wrong value kind",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(max_length = \"x\")]\n    name: String,\n}\n")],
        want: &[("a.rs", "\"x\"", "`max_length` expects an integer literal", "write `max_length = 255`")],
    },
    Case {
        name: "flag given a value",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(unique = true)]\n    name: String,\n}\n")],
        want: &[("a.rs", "unique = true", "`unique` expects no value (it is a flag)", "write `unique`")],
    },
    Case {
        name: "duplicate key across attributes",
        files: &[("a.rs", "#[derive(Model)]\n#[model(table = \"a\")]\n#[model(table = \"b\")]\nstruct A {\n    name: String,\n}\n")],
        want: &[("a.rs", "table = \"b\"", "duplicate model attribute `table`", "already given (first on line 2)")],
    },
    Case {
        name: "unsupported rust type",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    id: i64,\n    tags: Vec<String>,\n}\n")],
        want: &[("a.rs", "Vec<String>", "no SQL type for `Vec<String>`", "use #[model(column_type = \"...\")] or #[model(skip)]")],
    },
    Case {
        name: "enum without derive(Enum)",
        files: &[("a.rs", "enum Mood { Happy }\n#[derive(Model)]\nstruct A {\n    mood: Mood,\n}\n")],
        want: &[("a.rs", "Mood,", "no SQL type for `Mood`", "#[model(column_type")],
    },
    Case {
        name: "auto_increment on a string",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(primary_key, auto_increment)]\n    id: String,\n}\n")],
        want: &[("a.rs", "auto_increment", "`auto_increment` needs an integer type, but `id` is `String`", "use i32 or i64")],
    },
    Case {
        name: "auto_increment off the primary key",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(primary_key)]\n    id: i64,\n    #[model(auto_increment)]\n    n: i64,\n}\n")],
        want: &[("a.rs", "auto_increment", "`auto_increment` on `n`, which is not the primary key", "single-column primary key")],
    },
    Case {
        name: "max_length on a number",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(max_length = 3)]\n    n: i64,\n}\n")],
        want: &[("a.rs", "max_length = 3", "`max_length` does not apply to `i64`", "string types")],
    },
    Case {
        name: "two models for one table",
        files: &[
            ("a.rs", "#[derive(Model)]\n#[model(table = \"users\")]\nstruct User {\n    id: i64,\n}\n"),
            ("b.rs", "#[derive(Model)]\n#[model(table = \"users\")]\nstruct Account {\n    id: i64,\n}\n"),
        ],
        want: &[("b.rs", "table = \"users\"", "two models for table `users`: `User` and `Account`", "`User` at a.rs:2:9 also maps to `users`")],
    },
    Case {
        name: "duplicate column",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(column = \"b\")]\n    a: i32,\n    b: i32,\n}\n")],
        want: &[("a.rs", "b: i32", "duplicate column `b` in table `a`", "field `a` already maps to `b`")],
    },
    Case {
        name: "foreign key to a table no model defines",
        files: &[("a.rs", ORG), ("b.rs", "#[derive(Model)]\nstruct Post {\n    #[model(references = \"org.id\")]\n    org_id: i64,\n}\n")],
        want: &[("b.rs", "\"org.id\"", "foreign key references table `org`, which no model defines", "did you mean `orgs`?")],
    },
    Case {
        name: "foreign key to a missing column",
        files: &[("a.rs", ORG), ("b.rs", "#[derive(Model)]\nstruct Post {\n    #[model(references = \"orgs.uuid\")]\n    org_id: i64,\n}\n")],
        want: &[("b.rs", "\"orgs.uuid\"", "foreign key references `orgs.uuid`, but table `orgs` has no column `uuid`", "the columns of `orgs` are: id, name")],
    },
    Case {
        name: "index, unique and primary key on missing columns",
        files: &[("a.rs", "#[derive(Model)]\n#[model(primary_key(columns(\"idd\")))]\n#[model(index(columns(\"nmae\")))]\n#[model(unique(columns(\"zzz\")))]\nstruct A {\n    id: i64,\n    name: String,\n}\n")],
        want: &[
            ("a.rs", "\"idd\"", "table `a` has no column `idd`", "did you mean `id`?"),
            ("a.rs", "\"nmae\"", "table `a` has no column `nmae`", "did you mean `name`?"),
            ("a.rs", "\"zzz\"", "table `a` has no column `zzz`", "the columns of `a` are: id, name"),
        ],
    },
    Case {
        name: "composite primary key plus a field primary key",
        files: &[("a.rs", "#[derive(Model)]\n#[model(primary_key(columns(\"a\", \"b\")))]\nstruct A {\n    #[model(primary_key)]\n    a: i64,\n    b: i64,\n}\n")],
        want: &[("a.rs", "primary_key)]", "`a` is marked primary_key but the struct also declares primary_key(...)", "keep one")],
    },
    Case {
        name: "two indexes with one name",
        files: &[("a.rs", "#[derive(Model)]\n#[model(index(columns(\"a\")))]\nstruct A {\n    #[model(index)]\n    a: i64,\n}\n")],
        want: &[("a.rs", "A {", "table `a` has two indexes or constraints named `ix_a_a`", "remove the duplicate")],
    },
    Case {
        name: "unknown sort direction in an index key part",
        files: &[("a.rs", "#[derive(Model)]\n#[model(index(columns(\"a DOWN\", \"b\")))]\nstruct A {\n    a: i64,\n    b: i64,\n}\n")],
        want: &[("a.rs", "\"a DOWN\"", "unknown sort direction `DOWN` in index key part `a DOWN`", "optionally followed by DESC or ASC: `\"a DESC\"`")],
    },
    Case {
        name: "index key part without a column",
        files: &[("a.rs", "#[derive(Model)]\n#[model(index(columns(\"DESC\")))]\nstruct A {\n    a: i64,\n}\n")],
        want: &[("a.rs", "\"DESC\"", "index key part `DESC` names no column", "write the column first")],
    },
    Case {
        name: "empty index predicate",
        files: &[("a.rs", "#[derive(Model)]\n#[model(index(columns(\"a\"), where = \"  \"))]\nstruct A {\n    a: i64,\n}\n")],
        want: &[("a.rs", "\"  \"", "the index predicate (`where`) is empty", "where = \"deleted_at IS NULL\"")],
    },
    Case {
        name: "index method that is not a name",
        files: &[("a.rs", "#[derive(Model)]\n#[model(index(columns(\"a\"), method = \"hash; drop\"))]\nstruct A {\n    a: i64,\n}\n")],
        want: &[("a.rs", "\"hash; drop\"", "`hash; drop` is not an index method name", "method = \"hash\"")],
    },
    Case {
        name: "descending key part on a missing column",
        files: &[("a.rs", "#[derive(Model)]\n#[model(index(columns(\"nmae DESC\")))]\nstruct A {\n    name: String,\n}\n")],
        want: &[("a.rs", "\"nmae DESC\"", "table `a` has no column `nmae`", "did you mean `name`?")],
    },
    Case {
        name: "unknown key inside index(...)",
        files: &[("a.rs", "#[derive(Model)]\n#[model(index(columns(\"a\"), methd = \"gin\"))]\nstruct A {\n    a: i64,\n}\n")],
        want: &[("a.rs", "methd", "unknown model attribute `methd`", "did you mean `method`?")],
    },
    Case {
        name: "invalid on_delete",
        files: &[("a.rs", ORG), ("b.rs", "#[derive(Model)]\nstruct Post {\n    #[model(references = \"orgs.id\", on_delete = \"explode\")]\n    org_id: i64,\n}\n")],
        want: &[("b.rs", "\"explode\"", "unknown referential action `explode`", "cascade, restrict, set_null, set_default, no_action")],
    },
    Case {
        name: "file that is not Rust",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    id: i64\n    name: String,\n}\n")],
        want: &[("a.rs", "name: String", "cannot parse Rust: expected `,`", "must be valid Rust")],
    },
    Case {
        name: "errors are collected, not stopped at the first",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(max_lenght = 1)]\n    a: String,\n    #[model(scale = \"x\")]\n    b: i64,\n}\n")],
        want: &[
            ("a.rs", "max_lenght", "unknown model attribute `max_lenght`", "max_length"),
            ("a.rs", "\"x\"", "`scale` expects an integer literal", "scale = 4"),
        ],
    },
];

/// 1-based line and column of the first occurrence of `marker` in `src`.
fn locate(src: &str, marker: &str) -> (usize, usize) {
    let at = src
        .find(marker)
        .unwrap_or_else(|| panic!("marker {marker:?} not in source"));
    let before = &src[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

#[test]
fn each_error_is_reported_with_its_position_and_help() {
    for case in CASES {
        let files: Vec<(PathBuf, String)> = case
            .files
            .iter()
            .map(|(p, s)| (PathBuf::from(p), s.to_string()))
            .collect();
        let errors = match read_sources(&files, &NamingConvention::default()) {
            Ok(_) => panic!("{}: expected errors", case.name),
            Err(e) => e.0,
        };
        assert_eq!(
            errors.len(),
            case.want.len(),
            "{}: got {:#?}",
            case.name,
            errors
        );
        for (error, (file, marker, message, help)) in errors.iter().zip(case.want) {
            let src = case.files.iter().find(|(p, _)| p == file).unwrap().1;
            let (line, column) = locate(src, marker);
            let got: &ModelError = error;
            assert_eq!(got.path, PathBuf::from(file), "{}", case.name);
            assert!(
                got.message.starts_with(message),
                "{}: message {:?}",
                case.name,
                got.message
            );
            assert_eq!(
                (got.line, got.column),
                (line, column),
                "{}: {}",
                case.name,
                got
            );
            let got_help = got.help.as_deref().unwrap_or("");
            assert!(got_help.contains(help), "{}: help {got_help:?}", case.name);
        }
    }
}
