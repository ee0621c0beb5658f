//! People who write posts and comments.

use autogen::Model;
use chrono::{DateTime, Utc};

#[derive(Debug, Model)]
#[model(table = "users")]
#[model(check(name = "ck_users_karma", expr = "karma >= 0"))]
pub struct User {
    #[model(primary_key, auto_increment)]
    pub id: i64,
    #[model(max_length = 255, unique)]
    pub email: String,
    #[model(max_length = 100)]
    pub display_name: String,
    pub bio: Option<String>,
    #[model(default = "0")]
    pub karma: i32,
    #[model(default = "CURRENT_TIMESTAMP")]
    pub created_at: DateTime<Utc>,
}
