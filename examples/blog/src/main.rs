//! The example blog application. It only needs to compile: autogen reads `src/models/` as source
//! code, and `#[derive(autogen::Model)]` checks the attributes at compile time.

mod models;

fn main() {
    let user = models::users::User {
        id: 1,
        email: "ada@example.com".into(),
        display_name: "Ada".into(),
        bio: None,
        karma: 0,
        created_at: chrono::Utc::now(),
    };
    println!("{} <{}>", user.display_name, user.email);
}
