//! The rendered form of model errors, pinned as whole strings: this is what users read.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use autogen_models::read_sources;
use autogen_schema::NamingConvention;

fn errors_of(path: &str, src: &str) -> String {
    let files = vec![(PathBuf::from(path), src.to_string())];
    match read_sources(&files, &NamingConvention::default()) {
        Ok(set) => panic!("expected errors, got {set:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unknown_key_renders_like_a_compiler_error() {
    let src = r#"use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, auto_increment)]
    pub id: i64,
    pub email: String,
    pub bio: Option<String>,
    pub age: i32,

    #[model(max_lenght = 255)]
    pub name: String,
}
"#;
    let want = "\
error: unknown model attribute `max_lenght`
  --> src/models.rs:12:13
   |
12 |     #[model(max_lenght = 255)]
   |             ^^^^^^^^^^
   |
   = help: did you mean `max_length`?";
    assert_eq!(errors_of("src/models.rs", src), want);
}
