//! The crate's error type. Messages name the catalog query that failed (by a short label, not
//! its SQL) and suggest what to check; they never contain a URL, so they cannot leak a password.

/// What can go wrong reading a catalog.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    /// A catalog query failed on the server.
    #[error("catalog query `{query}` failed: {message}")]
    Query {
        query: &'static str,
        message: String,
    },

    /// A catalog query returned a value of an unexpected shape.
    #[error("catalog query `{query}` returned an unexpected value in column {column}: {message}")]
    Decode {
        query: &'static str,
        column: usize,
        message: String,
    },

    /// The PostgreSQL schema named in the options does not exist.
    #[error("PostgreSQL schema `{schema}` does not exist; create it (CREATE SCHEMA ...) or check `pg_schema` (default `public`) and `schemas` in autogen.toml")]
    SchemaNotFound { schema: String },

    /// A MySQL connection without a current database has nothing to introspect.
    #[error("the MySQL connection has no current database; add `/<database>` to the URL")]
    NoDatabaseSelected,
}
