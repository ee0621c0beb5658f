//! The blog's models: users, posts, comments, tags and the posts-tags join table.

// The example only needs the models to compile; most fields are never read.
#![allow(dead_code)]

pub mod content;
pub mod users;
