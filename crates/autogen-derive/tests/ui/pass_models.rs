//! A model using the whole vocabulary with std types compiles, and the derives add nothing.

use autogen::{Enum, Model};

#[derive(Debug, Enum)]
#[model(name = "post_status")]
pub enum PostStatus {
    Draft,
    #[model(rename = "published")]
    Live,
}

#[derive(Model)]
#[model(table = "orgs")]
pub struct Org {
    #[model(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
}

#[derive(Debug, autogen::Model)]
#[model(table = "posts", comment = "Blog posts")]
#[model(index(columns("org_id", "title")))]
#[model(index(columns("views DESC", "id"), where = "pinned", method = "btree"))]
#[model(unique(columns("org_id", "slug"), name = "uq_posts_slug"))]
#[model(check(expr = "length(title) > 0"))]
pub struct Post {
    #[model(primary_key, auto_increment)]
    pub id: i64,
    #[model(references = "orgs.id", on_delete = "cascade", index)]
    pub org_id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub slug: String,
    pub body: Option<String>,
    #[model(default = "0")]
    pub views: u32,
    #[model(default = false)]
    pub pinned: bool,
    #[model(column = "type", renamed_from = "kind")]
    pub post_type: String,
    pub status: PostStatus,
    #[model(column_type = "numeric(10,2)")]
    pub price: String,
    #[model(skip)]
    pub cache: Vec<String>,
}

fn main() {
    let post = Post {
        id: 1,
        org_id: 1,
        title: String::new(),
        slug: String::new(),
        body: None,
        views: 0,
        pinned: false,
        post_type: String::new(),
        status: PostStatus::Draft,
        price: String::new(),
        cache: Vec::new(),
    };
    let _ = (post, Org { id: 1, name: String::new() }, PostStatus::Live);
}
