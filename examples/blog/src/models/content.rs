//! Posts, their comments, and tags.

use autogen::{Enum, Model};
use chrono::{DateTime, NaiveDateTime, Utc};

#[derive(Debug, Enum)]
#[model(name = "post_status")]
pub enum PostStatus {
    Draft,
    Published,
    Archived,
}

#[derive(Debug, Model)]
#[model(table = "posts")]
#[model(index(columns("author_id", "created_at")))]
pub struct Post {
    #[model(primary_key, auto_increment)]
    pub id: i64,
    #[model(references = "users.id", on_delete = "cascade")]
    pub author_id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub body: String,
    #[model(default = "'draft'")]
    pub status: PostStatus,
    pub published_at: Option<NaiveDateTime>,
    #[model(default = "CURRENT_TIMESTAMP")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Model)]
#[model(table = "comments")]
pub struct Comment {
    #[model(primary_key, auto_increment)]
    pub id: i64,
    #[model(references = "posts.id", on_delete = "cascade", index)]
    pub post_id: i64,
    #[model(references = "users.id", on_delete = "set_null")]
    pub author_id: Option<i64>,
    pub body: String,
    #[model(default = "CURRENT_TIMESTAMP")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Model)]
#[model(table = "tags")]
pub struct Tag {
    #[model(primary_key, auto_increment)]
    pub id: i32,
    #[model(max_length = 50, unique)]
    pub name: String,
}

/// The join table: a composite primary key and two foreign keys.
#[derive(Debug, Model)]
#[model(table = "post_tags")]
#[model(primary_key(columns("post_id", "tag_id")))]
pub struct PostTag {
    #[model(references = "posts.id", on_delete = "cascade")]
    pub post_id: i64,
    #[model(references = "tags.id", on_delete = "cascade", index)]
    pub tag_id: i32,
}
