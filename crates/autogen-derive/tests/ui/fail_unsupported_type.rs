//! A field type with no SQL mapping fails at the type.

use autogen::Model;

#[derive(Model)]
pub struct User {
    #[model(primary_key)]
    pub id: i64,
    pub tags: std::collections::HashMap<String, i32>,
}

fn main() {}
