//! Every model error the reader reports, asserted by message, help and position. Positions are
//! computed from a marker substring in the source so the cases stay readable.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use autogen_models::{read_sources, read_sources_for, ModelError};
use autogen_schema::{Dialect, NamingConvention};

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
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    id: i64,\n    tags: HashMap<String, i32>,\n}\n")],
        want: &[("a.rs", "HashMap<String, i32>", "no SQL type for `HashMap<String, i32>`", "use #[model(column_type = \"...\")] or #[model(skip)]")],
    },
    Case {
        name: "an array of arrays",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    id: i64,\n    grid: Vec<Vec<i32>>,\n}\n")],
        want: &[("a.rs", "Vec<Vec<i32>>", "no SQL type for `Vec<Vec<i32>>`", "#[model(skip)]")],
    },
    Case {
        name: "jsonb on a field that is not JSON",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    id: i64,\n    #[model(jsonb)]\n    name: String,\n}\n")],
        want: &[("a.rs", "jsonb", "`jsonb` does not apply to `String`", "`serde_json::Value`")],
    },
    Case {
        name: "jsonb with column_type",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    id: i64,\n    #[model(jsonb, column_type = \"json\")]\n    doc: serde_json::Value,\n}\n")],
        want: &[("a.rs", "jsonb", "`jsonb` has no effect together with `column_type`", "`column_type = \"jsonb\"` alone")],
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
    Case {
        name: "struct without columns",
        files: &[("a.rs", "#[derive(Model)]\nstruct Empty {}\n")],
        want: &[("a.rs", "Empty {", "`Empty` has no columns", "a table needs at least one column")],
    },
    Case {
        name: "struct whose fields are all skipped",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(skip)]\n    cache: Vec<String>,\n}\n")],
        want: &[("a.rs", "A {", "`A` has no columns", "a table needs at least one column")],
    },
    Case {
        name: "enum without variants",
        files: &[("a.rs", "#[derive(Enum)]\nenum Mood {}\n")],
        want: &[("a.rs", "Mood {", "`Mood` has no variants", "an SQL enum needs at least one value")],
    },
    Case {
        name: "newline in a column comment",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(comment = \"first\\nsecond\")]\n    a: i64,\n}\n")],
        want: &[("a.rs", "\"first", "the comment `first\\nsecond` contains a control character (U+000A)", "remove it")],
    },
    Case {
        name: "NUL in a table name",
        files: &[("a.rs", "#[derive(Model)]\n#[model(table = \"us\\0ers\")]\nstruct A {\n    a: i64,\n}\n")],
        want: &[("a.rs", "table = ", "the table name `us\\0ers` contains a control character (U+0000)", "remove it")],
    },
    Case {
        name: "control characters in a column name, an index name and an enum value",
        files: &[("a.rs", "#[derive(Model)]\n#[model(index(name = \"ix\\tx\", columns(\"a\")))]\nstruct A {\n    a: i64,\n    #[model(column = \"b\\r\")]\n    b: i64,\n}\n#[derive(Enum)]\nenum Mood {\n    #[model(rename = \"sad\\n\")]\n    Sad,\n}\n")],
        want: &[
            ("a.rs", "\"ix", "the index name `ix\\tx` contains a control character (U+0009)", "remove it"),
            ("a.rs", "column = ", "the column name `b\\r` contains a control character (U+000D)", "remove it"),
            ("a.rs", "\"sad", "the enum value `sad\\n` contains a control character (U+000A)", "remove it"),
        ],
    },
    Case {
        name: "empty explicit index name",
        files: &[("a.rs", "#[derive(Model)]\n#[model(index(name = \"\", columns(\"a\")))]\nstruct A {\n    a: i64,\n}\n")],
        want: &[("a.rs", "\"\"", "the index name is empty", "remove `name`")],
    },
    Case {
        name: "a balanced breakout in a check expression",
        files: &[("a.rs", "#[derive(Model)]\n#[model(check(expr = \"1=1)); DROP TABLE users; SELECT ((1\"))]\nstruct A {\n    a: i64,\n}\n")],
        want: &[("a.rs", "\"1=1", "the check expression has a `)` that closes no `(` (character 4)", "would close the SQL autogen writes around the expression")],
    },
    Case {
        name: "a statement separator in a default",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(default = \"0; DROP TABLE users\")]\n    a: i64,\n}\n")],
        want: &[("a.rs", "\"0;", "`default` has a statement separator `;` outside a string literal (character 2)", "one SQL expression")],
    },
    Case {
        name: "a comment in a column type",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(column_type = \"text /* x */\")]\n    a: String,\n}\n")],
        want: &[("a.rs", "\"text", "`column_type` has a comment start `/*` outside a string literal (character 6)", "would hide the rest of the statement")],
    },
    Case {
        name: "an unterminated string in an index predicate",
        files: &[("a.rs", "#[derive(Model)]\n#[model(index(columns(\"a\"), where = \"a = 'x\"))]\nstruct A {\n    a: String,\n}\n")],
        want: &[("a.rs", "\"a = ", "the index predicate (`where`) has an unterminated string literal starting with `'` (character 5)", "close it")],
    },
    Case {
        name: "an unclosed parenthesis in a default",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(default = \"(1 + 2\")]\n    a: i64,\n}\n")],
        want: &[("a.rs", "\"(1", "`default` has a `(` that is never closed (character 1)", "add the missing `)`")],
    },
    Case {
        name: "generated with a default",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    first: String,\n    #[model(generated = \"upper(first)\", default = \"'x'\")]\n    shout: String,\n}\n")],
        want: &[("a.rs", "\"'x'\"", "`default` on a generated column, whose value is always computed", "remove `default`")],
    },
    Case {
        name: "generated with auto_increment",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(primary_key, auto_increment, generated = \"1\")]\n    id: i64,\n}\n")],
        want: &[("a.rs", "auto_increment,", "`auto_increment` on a generated column, whose value is always computed", "remove `generated` or `auto_increment`")],
    },
    Case {
        name: "stored without generated",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(stored)]\n    a: String,\n}\n")],
        want: &[("a.rs", "stored", "`stored` applies only to a generated column", "generated = ")],
    },
    Case {
        name: "stored and virtual",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    a: String,\n    #[model(generated = \"a\", stored, virtual)]\n    b: String,\n}\n")],
        want: &[("a.rs", "virtual", "a generated column is either `stored` or `virtual`, not both", "keep one")],
    },
    Case {
        name: "an empty collation and an empty generated expression",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(collation = \" \")]\n    a: String,\n    #[model(generated = \"\")]\n    b: String,\n}\n")],
        want: &[
            ("a.rs", "\" \"", "`collation` is empty", "utf8mb4_bin"),
            ("a.rs", "\"\")]", "`generated` is empty", "computed from"),
        ],
    },
    Case {
        name: "a breakout in a generated expression",
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    a: String,\n    #[model(generated = \"a); DROP TABLE users; --\")]\n    b: String,\n}\n")],
        want: &[("a.rs", "\"a);", "`generated` has a `)` that closes no `(`", "parentheses must balance")],
    },
    Case {
        name: "a struct reading a view with table keys",
        files: &[("a.rs", "#[derive(Model)]\n#[model(view = \"active_users\", table = \"users\")]\n#[model(index(columns(\"id\")), renamed_from = \"old\", strict)]\nstruct A {\n    #[model(primary_key, auto_increment)]\n    id: i64,\n    #[model(column = \"mail\", max_length = 255, default = \"'x'\")]\n    email: String,\n    #[model(references = \"orgs.id\", unique)]\n    org_id: i64,\n    #[model(skip)]\n    cache: Vec<u8>,\n}\n")],
        want: &[
            ("a.rs", "table = \"users\"", "`A` names both a table and a view", "remove `table` to read view `active_users`"),
            ("a.rs", "index(", "`index` is a table attribute, but `A` reads view `active_users`", "autogen creates, alters and drops nothing for a struct that reads a view"),
            ("a.rs", "renamed_from", "`renamed_from` is a table attribute", "remove `renamed_from`"),
            ("a.rs", "strict", "`strict` is a table attribute", "a view struct takes only `view` and `schema`"),
            ("a.rs", "primary_key", "`primary_key` is a table column attribute, but `A` reads view `active_users`", "remove `primary_key` from field `id`"),
            ("a.rs", "auto_increment", "`auto_increment` is a table column attribute", "takes only `column = \"...\"` and `skip`"),
            ("a.rs", "max_length", "`max_length` is a table column attribute", "from field `email`"),
            ("a.rs", "default", "`default` is a table column attribute", "from field `email`"),
            ("a.rs", "references", "`references` is a table column attribute", "from field `org_id`"),
            ("a.rs", "unique", "`unique` is a table column attribute", "from field `org_id`"),
        ],
    },
    Case {
        name: "a struct reading a view with no column, and one with two fields on a column",
        files: &[("a.rs", "#[derive(Model)]\n#[model(view = \"v\")]\nstruct A {\n    #[model(skip)]\n    a: i64,\n}\n#[derive(Model)]\n#[model(view = \" \")]\nstruct B {\n    id: i64,\n    #[model(column = \"id\")]\n    other: i64,\n}\n")],
        want: &[
            ("a.rs", "A {", "`A` reads no column of view `v`", "add a field per view column"),
            ("a.rs", "\" \"", "the view name is empty", "write `view = \"active_users\"`"),
            ("a.rs", "column = \"id\"", "two fields of `B` read column `id`", "mark it #[model(skip)]"),
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
        let files = sources(case.files);
        let errors = match read_sources(&files, &NamingConvention::default()) {
            Ok(_) => panic!("{}: expected errors", case.name),
            Err(e) => e.0,
        };
        assert_errors(case.name, case.files, &errors, case.want);
    }
}

/// A case that depends on the database the models are read for.
struct DialectCase {
    name: &'static str,
    dialect: Dialect,
    files: &'static [(&'static str, &'static str)],
    want: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

const DIALECT_CASES: &[DialectCase] = &[
    DialectCase {
        name: "a derived column name PostgreSQL would cut",
        dialect: Dialect::Postgres,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(primary_key)]\n    id: i64,\n    A64: String,\n}\n")],
        want: &[("a.rs", "A64: String", "the column name `A64` is 64 bytes long; PostgreSQL allows at most 63", "#[model(column = \"...\")]")],
    },
    DialectCase {
        name: "a table name PostgreSQL would cut",
        dialect: Dialect::Postgres,
        files: &[("a.rs", "#[derive(Model)]\n#[model(table = \"T64\")]\nstruct A {\n    id: i64,\n}\n")],
        want: &[("a.rs", "table = ", "the table name `T64` is 64 bytes long; PostgreSQL allows at most 63", "cuts longer names")],
    },
    DialectCase {
        name: "a name that fits MySQL in characters but not PostgreSQL in bytes",
        dialect: Dialect::Postgres,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(column = \"E64\")]\n    a: i64,\n}\n")],
        want: &[("a.rs", "column = ", "the column name `E64` is 64 bytes long; PostgreSQL allows at most 63", "shorter name")],
    },
    DialectCase {
        name: "an explicit index name PostgreSQL would cut",
        dialect: Dialect::Postgres,
        files: &[("a.rs", "#[derive(Model)]\n#[model(index(name = \"IX64\", columns(\"a\")))]\nstruct A {\n    a: i64,\n}\n")],
        want: &[("a.rs", "\"IX64\"", "the index name `IX64` is 64 bytes long; PostgreSQL allows at most 63", "shorter name")],
    },
    DialectCase {
        name: "an enum label PostgreSQL refuses",
        dialect: Dialect::Postgres,
        files: &[("a.rs", "#[derive(Enum)]\nenum Mood {\n    #[model(rename = \"L64\")]\n    Sad,\n}\n")],
        want: &[("a.rs", "\"L64\"", "the enum value `L64` is 64 bytes long; PostgreSQL allows at most 63", "shorter")],
    },
    DialectCase {
        name: "a column name over MySQL's 64 characters",
        dialect: Dialect::Mysql,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(column = \"C65\")]\n    a: i64,\n}\n")],
        want: &[("a.rs", "column = ", "the column name `C65` is 65 characters long; MySQL/MariaDB allow at most 64", "shorter name")],
    },
    DialectCase {
        name: "a column name ending in a space on MySQL",
        dialect: Dialect::Mysql,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(column = \"name \")]\n    a: i64,\n}\n")],
        want: &[("a.rs", "column = ", "the column name `name ` ends with a space, which MySQL/MariaDB do not allow", "remove the trailing space")],
    },
    DialectCase {
        name: "tables that differ only in case on MySQL",
        dialect: Dialect::Mysql,
        files: &[
            ("a.rs", "#[derive(Model)]\n#[model(table = \"Users\")]\nstruct A {\n    id: i64,\n}\n"),
            ("b.rs", "#[derive(Model)]\n#[model(table = \"users\")]\nstruct B {\n    id: i64,\n}\n"),
        ],
        want: &[("b.rs", "table = ", "tables `Users` and `users` differ only in case", "`A` at a.rs:2:9 maps to `Users`")],
    },
    DialectCase {
        name: "tables that differ only in case on SQLite",
        dialect: Dialect::Sqlite,
        files: &[("a.rs", "#[derive(Model)]\nstruct UserLog {\n    id: i64,\n}\n#[derive(Model)]\n#[model(table = \"USER_LOG\")]\nstruct Other {\n    id: i64,\n}\n")],
        want: &[("a.rs", "table = ", "tables `user_log` and `USER_LOG` differ only in case", "SQLite")],
    },
    DialectCase {
        name: "columns that differ only in case on SQLite",
        dialect: Dialect::Sqlite,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    name: String,\n    #[model(column = \"Name\")]\n    other: String,\n}\n")],
        want: &[("a.rs", "column = ", "columns `name` and `Name` of table `a` differ only in case", "field `name`")],
    },
    DialectCase {
        name: "a backslash breakout that MySQL reads as code",
        dialect: Dialect::Mysql,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(default = \"'\\\\''; DROP TABLE users; SELECT '\\\\''\")]\n    a: String,\n}\n")],
        want: &[("a.rs", "\"'\\\\", "`default` has a statement separator `;` outside a string literal (character 5), as MySQL/MariaDB read it by default", "two quotes")],
    },
    DialectCase {
        name: "the same text on PostgreSQL with standard_conforming_strings off",
        dialect: Dialect::Postgres,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(default = \"'\\\\''; DROP TABLE users; SELECT '\\\\''\")]\n    a: String,\n}\n")],
        want: &[("a.rs", "\"'\\\\", "`default` has a statement separator `;` outside a string literal (character 5), as PostgreSQL reads it with standard_conforming_strings off", "two quotes")],
    },
    DialectCase {
        name: "a dollar-quoted breakout on PostgreSQL",
        dialect: Dialect::Postgres,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    #[model(default = \"$$'$$; DROP TABLE users; SELECT $$'$$\")]\n    a: String,\n}\n")],
        want: &[("a.rs", "\"$$", "`default` has a statement separator `;` outside a string literal (character 6)", "one SQL expression")],
    },
    DialectCase {
        name: "a bracketed-identifier breakout on SQLite",
        dialect: Dialect::Sqlite,
        files: &[("a.rs", "#[derive(Model)]\n#[model(check(expr = \"['] ; DROP TABLE users; [']\"))]\nstruct A {\n    a: String,\n}\n")],
        want: &[("a.rs", "\"['", "the check expression has a statement separator `;` outside a string literal (character 5)", "one SQL expression")],
    },
    DialectCase {
        name: "a hash comment on MySQL",
        dialect: Dialect::Mysql,
        files: &[("a.rs", "#[derive(Model)]\n#[model(check(expr = \"(flags # 1) > 0\"))]\nstruct A {\n    flags: i64,\n}\n")],
        want: &[("a.rs", "\"(flags", "the check expression has `#`, which starts a comment on MySQL/MariaDB (character 8)", "would hide the rest of the statement")],
    },
    DialectCase {
        name: "a virtual generated column on PostgreSQL",
        dialect: Dialect::Postgres,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    a: String,\n    #[model(generated = \"upper(a)\", virtual)]\n    b: String,\n}\n")],
        want: &[("a.rs", "virtual", "PostgreSQL 15 has only stored generated columns, not `virtual`", "remove `virtual`")],
    },
    DialectCase {
        name: "ON UPDATE CURRENT_TIMESTAMP on PostgreSQL",
        dialect: Dialect::Postgres,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    id: i64,\n    #[model(on_update_current_timestamp)]\n    at: chrono::NaiveDateTime,\n}\n")],
        want: &[("a.rs", "on_update_current_timestamp", "`on_update_current_timestamp` is MySQL/MariaDB only, not postgres", "a trigger does the same")],
    },
    DialectCase {
        name: "an array field on MySQL",
        dialect: Dialect::Mysql,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    id: i64,\n    tags: Vec<String>,\n}\n")],
        want: &[("a.rs", "Vec<String>", "`Vec<String>` is a PostgreSQL array column; MySQL/MariaDB has no arrays", "`sqlx::types::Json<Vec<...>>`")],
    },
    DialectCase {
        name: "a nullable array field on SQLite",
        dialect: Dialect::Sqlite,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    id: i64,\n    #[model(max_length = 20)]\n    tags: Option<Vec<String>>,\n}\n")],
        want: &[("a.rs", "Option<Vec<String>>", "`Option<Vec<String>>` is a PostgreSQL array column; SQLite has no arrays", "`column_type = \"json\"`")],
    },
    DialectCase {
        name: "a struct reading a view in a schema on MySQL",
        dialect: Dialect::Mysql,
        files: &[("a.rs", "#[derive(Model)]\n#[model(view = \"v\", schema = \"billing\")]\nstruct A {\n    id: i64,\n}\n")],
        want: &[("a.rs", "\"billing\"", "`schema = \"billing\"`: only PostgreSQL has schemas", "every view lives in one place")],
    },
    DialectCase {
        name: "ON UPDATE CURRENT_TIMESTAMP on a text column",
        dialect: Dialect::Mysql,
        files: &[("a.rs", "#[derive(Model)]\nstruct A {\n    id: i64,\n    #[model(on_update_current_timestamp)]\n    at: String,\n}\n")],
        want: &[("a.rs", "on_update_current_timestamp", "`on_update_current_timestamp` needs a timestamp column", "chrono::NaiveDateTime")],
    },
];

#[test]
fn dialect_rules_are_reported_with_their_position_and_help() {
    for case in DIALECT_CASES {
        let files = sources(case.files);
        let naming = NamingConvention::default();
        let errors = match read_sources_for(&files, &naming, Some(case.dialect)) {
            Ok(_) => panic!("{}: expected errors", case.name),
            Err(e) => e.0,
        };
        assert_errors(case.name, case.files, &errors, case.want);
    }
}

/// What is refused on one dialect is accepted on another (or without a dialect), and SQL
/// punctuation inside string literals and quoted identifiers is data, not a breakout.
#[test]
fn what_fits_is_accepted() {
    let accepted: &[(&str, Option<Dialect>, &str)] = &[
        ("63 bytes on PostgreSQL", Some(Dialect::Postgres), "#[derive(Model)]\nstruct A {\n    #[model(column = \"B63\")]\n    a: i64,\n}\n"),
        ("64 two-byte characters on MySQL", Some(Dialect::Mysql), "#[derive(Model)]\nstruct A {\n    #[model(column = \"E64C\")]\n    a: i64,\n}\n"),
        ("any length on SQLite", Some(Dialect::Sqlite), "#[derive(Model)]\n#[model(table = \"T64T64\")]\nstruct A {\n    A64: i64,\n}\n"),
        ("any length without a dialect", None, "#[derive(Model)]\n#[model(table = \"T64T64\")]\nstruct A {\n    A64: i64,\n}\n"),
        ("case-distinct tables on PostgreSQL", Some(Dialect::Postgres), "#[derive(Model)]\n#[model(table = \"Users\")]\nstruct A {\n    id: i64,\n}\n#[derive(Model)]\n#[model(table = \"users\")]\nstruct B {\n    id: i64,\n}\n"),
        ("punctuation inside literals", Some(Dialect::Postgres), "#[derive(Model)]\n#[model(check(expr = \"note <> 'a;b -- c /* d ) ''e'''\"))]\n#[model(index(columns(\"note\"), where = \"\\\"odd;name\\\" IS NOT NULL\"))]\nstruct A {\n    #[model(default = \"'it''s (fine); really'\")]\n    note: String,\n    #[model(column = \"odd;name\", column_type = \"varchar(10)\")]\n    odd: Option<String>,\n}\n"),
        ("the XOR operator on PostgreSQL", Some(Dialect::Postgres), "#[derive(Model)]\n#[model(check(expr = \"(flags # 1) > 0\"))]\nstruct A {\n    flags: i64,\n}\n"),
        ("a dollar-quoted string on PostgreSQL", Some(Dialect::Postgres), "#[derive(Model)]\nstruct A {\n    #[model(default = \"$tag$it's; fine$tag$\")]\n    a: String,\n}\n"),
        ("the MySQL breakout text read by SQLite, as one string", Some(Dialect::Sqlite), "#[derive(Model)]\nstruct A {\n    #[model(default = \"'\\\\''; DROP TABLE users; SELECT '\\\\''\")]\n    a: String,\n}\n"),
        ("virtual generated columns and collations on MySQL", Some(Dialect::Mysql), "#[derive(Model)]\nstruct A {\n    #[model(collation = \"utf8mb4_bin\")]\n    a: String,\n    #[model(generated = \"upper(a)\", virtual)]\n    b: Option<String>,\n}\n"),
        ("stored generated columns on PostgreSQL", Some(Dialect::Postgres), "#[derive(Model)]\nstruct A {\n    #[model(collation = \"C\")]\n    a: String,\n    #[model(generated = \"upper(a)\", stored)]\n    b: Option<String>,\n    #[model(generated = \"lower(a)\")]\n    c: Option<String>,\n}\n"),
        ("arrays and jsonb on PostgreSQL", Some(Dialect::Postgres), "#[derive(Model)]\nstruct A {\n    #[model(default = \"'{}'\")]\n    tags: Vec<String>,\n    #[model(max_length = 20)]\n    labels: Option<Vec<Option<String>>>,\n    #[model(jsonb)]\n    doc: serde_json::Value,\n    #[model(jsonb)]\n    docs: Vec<serde_json::Value>,\n}\n"),
        ("jsonb and an explicit array column_type on MySQL", Some(Dialect::Mysql), "#[derive(Model)]\nstruct A {\n    #[model(jsonb)]\n    doc: sqlx::types::Json<Vec<String>>,\n    #[model(column_type = \"json\")]\n    tags: Vec<String>,\n}\n"),
        ("multi-line expressions", Some(Dialect::Mysql), "#[derive(Model)]\n#[model(check(expr = \"a >= 0\n    AND a < 10\"))]\nstruct A {\n    a: i64,\n}\n"),
    ];
    for (name, dialect, src) in accepted {
        let files = sources(&[("a.rs", src)]);
        if let Err(e) = read_sources_for(&files, &NamingConvention::default(), *dialect) {
            panic!("{name}: {e}");
        }
    }
}

fn sources(files: &[(&str, &str)]) -> Vec<(PathBuf, String)> {
    files
        .iter()
        .map(|(p, s)| (PathBuf::from(p), expand(s)))
        .collect()
}

/// Long names are written as placeholders so the cases stay readable: `A64` is 64 `a`s, `T64T64`
/// 128 `t`s, `E64` 32 two-byte `é`s (64 bytes) and `E64C` 64 of them, `IX64` a 64-byte index name.
fn expand(src: &str) -> String {
    src.replace("T64T64", &"t".repeat(128))
        .replace("A64", &"a".repeat(64))
        .replace("B63", &"b".repeat(63))
        .replace("C65", &"c".repeat(65))
        .replace("T64", &"t".repeat(64))
        .replace("IX64", &format!("ix_{}", "x".repeat(61)))
        .replace("E64C", &"é".repeat(64))
        .replace("E64", &"é".repeat(32))
        .replace("L64", &"v".repeat(64))
}

fn assert_errors(
    name: &str,
    files: &[(&str, &str)],
    errors: &[ModelError],
    want: &[(&str, &str, &str, &str)],
) {
    assert_eq!(errors.len(), want.len(), "{name}: got {errors:#?}");
    for (got, (file, marker, message, help)) in errors.iter().zip(want) {
        let src = expand(files.iter().find(|(p, _)| p == file).unwrap().1);
        let (line, column) = locate(&src, &expand(marker));
        let message = expand(message);
        assert_eq!(got.path, PathBuf::from(file), "{name}");
        assert!(
            got.message.starts_with(&message),
            "{name}: message {:?}, want {message:?}",
            got.message
        );
        assert_eq!((got.line, got.column), (line, column), "{name}: {got}");
        let got_help = got.help.as_deref().unwrap_or("");
        assert!(got_help.contains(help), "{name}: help {got_help:?}");
    }
}

/// A struct that reads a view is no table: it comes back among the views with its column names
/// (any field type goes, since nothing is created from it), and its errors point at the struct.
#[test]
fn a_struct_reading_a_view_is_no_table() {
    let src = "#[derive(Model)]\n#[model(table = \"users\")]\nstruct User {\n    id: i64,\n    email: String,\n}\n#[derive(Model)]\n#[model(view = \"active_users\", schema = \"billing\")]\nstruct ActiveUser {\n    id: i64,\n    #[model(column = \"email\")]\n    mail: Option<String>,\n    tags: Vec<std::collections::HashSet<String>>,\n    #[model(skip)]\n    cache: Vec<u8>,\n}\n";
    let files = sources(&[("a.rs", src)]);
    let set = read_sources_for(
        &files,
        &NamingConvention::default(),
        Some(Dialect::Postgres),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let tables: Vec<&str> = set.schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tables, ["users"]);
    assert_eq!(set.views.len(), 1);
    let view = &set.views[0];
    assert_eq!(view.rust_name, "ActiveUser");
    assert_eq!(view.view, "billing.active_users");
    assert_eq!(view.bare_name(), "active_users");
    assert_eq!(view.columns, ["id", "email", "tags"]);
    let at_view = view.view_error("not declared", None);
    assert_eq!(
        (at_view.line, at_view.column),
        locate(src, "\"active_users\"")
    );
    let at_struct = view.struct_error("columns differ", Some("fix".into()));
    assert_eq!(
        (at_struct.line, at_struct.column),
        locate(src, "ActiveUser {")
    );
    assert_eq!(
        at_struct.to_string(),
        "error: columns differ\n --> a.rs:9:8\n  |\n9 | struct ActiveUser {\n  |        ^^^^^^^^^^\n  |\n  = help: fix"
    );
}
