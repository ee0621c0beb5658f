//! auto_increment on a String key fails at the flag.

use autogen::Model;

#[derive(Model)]
pub struct User {
    #[model(primary_key, auto_increment)]
    pub id: String,
}

fn main() {}
