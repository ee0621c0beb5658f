use autogen::Model;

#[derive(Model)]
pub struct User {
    #[model(primary_key)]
    pub id: i64,
    #[model(max_lenght = 255)]
    pub email: String,
}

fn main() {}
