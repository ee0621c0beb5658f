//! autogen's library API: the derive macros user models carry, and the operations the CLI runs
//! (autogenerate, upgrade, downgrade, current) as plain functions returning values.
//!
//! This crate orchestrates; it owns no dialect knowledge and prints nothing. The CLI decides how
//! to show results and errors.

pub mod config;
mod error;
pub mod ignore;
mod migrator;
pub mod ops;
mod project;
pub mod schema_files;
pub mod tables;
mod view_models;

pub use autogen_derive::{embed_revisions, Enum, Model};
pub use autogen_revisions::DatabaseStatus;
pub use config::{Config, UrlSource};
pub use error::{ConfigError, Error};
pub use migrator::Migrator;
pub use project::Project;

/// The lower crates, for tests and tools that need a layer directly.
pub use {
    autogen_db as db, autogen_diff as diff, autogen_introspect as introspect,
    autogen_models as models, autogen_normalize as normalize,
};
pub use {autogen_revisions as revisions, autogen_schema as schema, autogen_sql as sql};
