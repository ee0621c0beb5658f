//! `read_models` on a real folder: glob expansion, sorted file order, paths relative to the
//! root in errors, empty globs and unreadable files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use autogen_models::{read_models, ReadOptions};
use autogen_schema::NamingConvention;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn model(name: &str, table: &str) -> String {
    format!("#[derive(autogen::Model)]\n#[model(table = \"{table}\")]\npub struct {name} {{\n    #[model(primary_key)]\n    pub id: i64,\n}}\n")
}

fn opts(root: &Path, globs: &[&str]) -> ReadOptions {
    ReadOptions {
        root: root.to_path_buf(),
        globs: globs.iter().map(|g| g.to_string()).collect(),
        naming: NamingConvention::default(),
        threads: None,
        dialect: None,
        pg_schemas: Vec::new(),
    }
}

#[test]
fn globs_select_files_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "src/models/b.rs", &model("B", "b"));
    write(root, "src/models/a.rs", &model("A", "a"));
    write(root, "src/models/deep/c.rs", &model("C", "c"));
    write(root, "src/models/notes.txt", "not rust");
    write(root, "src/other.rs", &model("Other", "other"));
    write(root, "target/gen.rs", &model("Gen", "gen"));
    write(root, "extra.rs", &model("Extra", "extra"));

    let set = read_models(&opts(root, &["src/models/**/*.rs", "extra.rs"])).unwrap();
    let names: Vec<&str> = set.schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["extra", "a", "b", "c"]);

    // `*` stays within one folder.
    let set = read_models(&opts(root, &["src/models/*.rs"])).unwrap();
    let names: Vec<&str> = set.schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);

    // Wildcards from the root do not enter `target/`.
    let set = read_models(&opts(root, &["**/*.rs"])).unwrap();
    let names: Vec<&str> = set.schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["extra", "a", "b", "c", "other"]);
}

#[test]
fn errors_name_paths_relative_to_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "src/models/user.rs",
        "#[derive(autogen::Model)]\nstruct User {\n    #[model(max_lenght = 3)]\n    name: String,\n}\n",
    );
    let err = read_models(&opts(
        root,
        &["src/models/*.rs", "src/nothing/**/*.rs", "src/gone.rs"],
    ))
    .unwrap_err();
    let got: Vec<(PathBuf, usize, usize, &str)> = err
        .0
        .iter()
        .map(|e| (e.path.clone(), e.line, e.column, e.message.as_str()))
        .collect();
    assert_eq!(got.len(), 3, "{err}");
    assert_eq!(got[0].0, PathBuf::from("src/gone.rs"));
    assert!(
        got[0].3.starts_with("cannot read `src/gone.rs`: "),
        "{}",
        got[0].3
    );
    assert_eq!(
        (got[1].0.clone(), got[1].1, got[1].2, got[1].3),
        (
            PathBuf::from("src/models/user.rs"),
            3,
            13,
            "unknown model attribute `max_lenght`"
        )
    );
    assert_eq!(got[2].0, PathBuf::from("src/nothing/**/*.rs"));
    assert!(got[2]
        .3
        .starts_with("glob `src/nothing/**/*.rs` matched no files"));

    let rendered = err.to_string();
    assert!(
        rendered.contains(" --> src/models/user.rs:3:13\n"),
        "{rendered}"
    );
}

#[test]
fn an_error_without_a_position_renders_without_a_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_models(&opts(dir.path(), &["models/*.rs"])).unwrap_err();
    let want = format!(
        "error: glob `models/*.rs` matched no files under `{}`\n --> models/*.rs\n  = help: check the pattern; it is relative to the project root, e.g. `src/models/**/*.rs`",
        dir.path().display()
    );
    assert_eq!(err.to_string(), want);
}

#[test]
fn many_models_read_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for f in 0..50 {
        let mut text = String::new();
        for s in 0..100 {
            let n = f * 100 + s;
            text.push_str(&format!(
                "#[derive(autogen::Model)]\npub struct M{n} {{\n    #[model(primary_key, auto_increment)]\n    pub id: i64,\n    #[model(max_length = 100, index)]\n    pub name: String,\n    #[model(references = \"m0.id\", on_delete = \"cascade\")]\n    pub parent: Option<i64>,\n}}\n"
            ));
        }
        write(root, &format!("models/f{f:02}.rs"), &text);
    }
    let started = std::time::Instant::now();
    let set = read_models(&opts(root, &["models/*.rs"])).unwrap();
    eprintln!("read 5,000 models in {:?}", started.elapsed());
    assert_eq!(set.schema.tables.len(), 5000);
    assert_eq!(set.schema.tables[4999].name, "m4999");
    assert_eq!(
        set.schema.tables[123].foreign_keys[0].referenced_table,
        "m0"
    );

    // A pool of its own (what `autogen check` uses beside the catalog queries) reads the same.
    for threads in [1, 3] {
        let on_pool = read_models(&ReadOptions {
            threads: Some(threads),
            ..opts(root, &["models/*.rs"])
        })
        .unwrap();
        assert_eq!(on_pool, set, "{threads} threads");
    }
}
