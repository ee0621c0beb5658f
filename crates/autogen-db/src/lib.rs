//! Database URLs and connections: the one place that turns a `DATABASE_URL` into a [`Dialect`]
//! and an open sqlx connection, and asks which database a connection really reaches
//! ([`DatabaseIdentity`]). A URL's password never leaves this crate except through
//! [`DatabaseUrl::expose`], which exists only to hand the secret to sqlx; everything printable
//! (Display, Debug, every [`DbError`]) carries the redacted form. This crate deliberately does not
//! run catalog queries (autogen-introspect) or revisions (autogen-revisions), and it does not read
//! configuration files or the environment; the scratch databases test suites create live in the
//! dev-only `autogen-testkit` crate.

mod connection;
mod error;
mod identity;
mod url;

pub use autogen_schema::Dialect;
pub use connection::Connection;
pub use error::DbError;
pub use identity::DatabaseIdentity;
pub use url::{redact_secrets, DatabaseUrl};
