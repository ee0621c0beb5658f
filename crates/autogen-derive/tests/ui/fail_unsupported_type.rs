use autogen::Model;

#[derive(Model)]
pub struct User {
    #[model(primary_key)]
    pub id: i64,
    pub tags: Vec<String>,
}

fn main() {}
