//! The crate's error type. Every variant that mentions a URL holds the redacted form, and every
//! message that came from sqlx is scrubbed of the password (the literal password, and every URL
//! in it through [`crate::redact_secrets`]), so printing a `DbError` (Display or Debug) can
//! never leak a secret.

/// What can go wrong parsing a database URL or talking to a server.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL has no `scheme:` prefix at all.
    #[error(
        "database URL `{url}` has no scheme; expected one of {accepted}",
        accepted = crate::url::ACCEPTED_SCHEMES
    )]
    MissingScheme { url: String },

    /// The scheme is not one autogen speaks.
    #[error(
        "unsupported database URL scheme `{scheme}` in `{url}`; expected one of {accepted}",
        accepted = crate::url::ACCEPTED_SCHEMES
    )]
    UnknownScheme { scheme: String, url: String },

    /// The scheme is known but the rest of the URL is malformed.
    #[error("invalid database URL `{url}`: {message}")]
    InvalidUrl { url: String, message: String },

    /// A command that only reads was pointed at an SQLite file that does not exist; opening it
    /// would have created an empty database.
    #[error("the SQLite database {} does not exist\n  help: check the path (a relative path is relative to the folder of autogen.toml); `autogen upgrade` creates the database", path.display())]
    MissingFile { path: std::path::PathBuf },

    /// The server (or SQLite file) could not be opened.
    #[error("could not connect to `{url}`: {message}")]
    Connect { url: String, message: String },

    /// A script run through [`crate::Connection::execute_script`] failed.
    #[error("statement failed on the {dialect} connection: {message}")]
    Execute {
        dialect: autogen_schema::Dialect,
        message: String,
    },

    /// Closing the connection cleanly failed (the connection is gone either way).
    #[error("closing the {dialect} connection failed: {message}")]
    Close {
        dialect: autogen_schema::Dialect,
        message: String,
    },
}
