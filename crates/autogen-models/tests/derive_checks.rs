//! `check_model_item` / `check_enum_item`, the entry points the derive macro calls: the same
//! grammar as the file reader, on one item, with unknown type names accepted as possible enums.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use autogen_models::{check_enum_item, check_model_item};

fn model(src: &str) -> Result<(), Vec<String>> {
    let input: syn::DeriveInput = syn::parse_str(src).unwrap();
    check_model_item(&input).map_err(|e| e.iter().map(|e| e.to_string()).collect())
}

fn enum_(src: &str) -> Result<(), Vec<String>> {
    let input: syn::DeriveInput = syn::parse_str(src).unwrap();
    check_enum_item(&input).map_err(|e| e.iter().map(|e| e.to_string()).collect())
}

#[test]
fn a_valid_model_passes_and_unknown_names_may_be_enums() {
    let src = r#"
        #[model(table = "posts", index(columns("status")))]
        struct Post {
            #[model(primary_key, auto_increment)]
            id: i64,
            #[model(max_length = 10)]
            title: String,
            status: PostStatus,
            #[model(references = "elsewhere.id")]
            other: i64,
        }"#;
    assert_eq!(model(src), Ok(()));
}

#[test]
fn model_errors_carry_the_help_line() {
    let cases: &[(&str, &[&str])] = &[
        (
            "struct A { #[model(max_lenght = 3)] a: String }",
            &["unknown model attribute `max_lenght`\n= help: did you mean `max_length`?"],
        ),
        (
            "struct A { #[model(column = 3)] a: String, b: std::collections::HashMap<String, i32> }",
            &[
                "`column` expects a string literal\n= help: write `column = \"name\"`",
                "no SQL type for `std::collections::HashMap<String, i32>`\n= help: use #[model(column_type = \"...\")] or #[model(skip)]",
            ],
        ),
        (
            "enum A { X }",
            &["derive(Model) works on structs only\n= help: for an SQL enum type, derive autogen::Enum on the enum instead"],
        ),
        (
            "struct A(i64);",
            &["`A` must have named fields to derive Model\n= help: write the struct with named fields: `struct User { id: i64, ... }`"],
        ),
    ];
    for (src, want) in cases {
        let got = model(src).unwrap_err();
        assert_eq!(&got, want, "{src}");
    }
}

#[test]
fn enum_checks() {
    assert_eq!(
        enum_("#[model(name = \"mood\")] enum Mood { Happy, #[model(rename = \"sad\")] Blue }"),
        Ok(())
    );
    let got = enum_(
        "enum Mood { Happy(u8), #[model(rename = \"happy\")] Glad, #[model(name = \"x\")] Sad }",
    )
    .unwrap_err();
    assert_eq!(
        got,
        [
            "variant `Happy` carries data; an SQL enum value cannot\n= help: derive Enum only on enums whose variants have no fields",
            "enum value `happy` appears twice in `Mood`\n= help: give one of the variants another value with #[model(rename = \"...\")]",
            "unknown model attribute `name`\n= help: `name` goes in the enum's #[model(...)], not in a variant's #[model(...)]",
        ]
    );
}

/// The rules that need no dialect hold at compile time too: a table needs a column, an enum a
/// value, names and comments no control characters, and SQL attributes cannot end or comment
/// out the statement they are written into.
#[test]
fn dialect_free_rules_hold_in_the_derive() {
    let cases: &[(&str, &str)] = &[
        ("struct A {}", "`A` has no columns"),
        (
            "struct A { #[model(skip)] a: Vec<String> }",
            "`A` has no columns",
        ),
        (
            "#[model(comment = \"one\\ntwo\")] struct A { a: i64 }",
            "the comment `one\\ntwo` contains a control character (U+000A)",
        ),
        (
            "#[model(check(expr = \"1=1)); DROP TABLE users; SELECT ((1\"))] struct A { a: i64 }",
            "the check expression has a `)` that closes no `(` (character 4)",
        ),
        (
            "struct A { #[model(default = \"0 -- rest\")] a: i64 }",
            "`default` has a comment start `--` outside a string literal (character 3)",
        ),
    ];
    for (src, want) in cases {
        let got = model(src).unwrap_err();
        assert_eq!(got.len(), 1, "{src}: {got:?}");
        assert!(got[0].starts_with(want), "{src}: {got:?}");
        assert!(got[0].contains("\n= help: "), "{src}: {got:?}");
    }
    let got = enum_("enum Mood {}").unwrap_err();
    assert_eq!(
        got,
        ["`Mood` has no variants\n= help: an SQL enum needs at least one value; add a variant, or remove derive(Enum)"]
    );
}
