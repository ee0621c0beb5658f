//! A string where max_length wants an integer fails at the value.

use autogen::Model;

#[derive(Model)]
pub struct User {
    #[model(primary_key)]
    pub id: i64,
    #[model(max_length = "255")]
    pub email: String,
}

fn main() {}
