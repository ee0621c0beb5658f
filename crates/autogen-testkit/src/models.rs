//! Model sources that several test suites write into a temporary project's `src/models.rs`,
//! kept here once so that a change to the shared starting point is one edit. Suites that need a
//! model of their own (another table, another attribute) keep it beside their tests.

/// One `users` table: an auto-increment `id` primary key and an `email` of at most 255
/// characters. The starting point of the CLI's `check`, `model_rules`, `revision_files` and
/// `secrets` tests and of the dev database tests in `autogen-tests`.
pub const USERS: &str = r#"use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, auto_increment)]
    pub id: i64,
    #[model(max_length = 255)]
    pub email: String,
}
"#;
