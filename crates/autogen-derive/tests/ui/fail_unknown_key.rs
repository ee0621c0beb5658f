//! A misspelt key fails with a did-you-mean.

use autogen::Model;

#[derive(Model)]
pub struct User {
    #[model(primary_key)]
    pub id: i64,
    #[model(max_lenght = 255)]
    pub email: String,
}

fn main() {}
