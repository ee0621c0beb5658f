//! The crate's error type. Rendering fails only when a dialect cannot express a change, or when
//! the change list does not fit the schema it is said to start from.

use autogen_diff::ApplyError;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RenderError {
    /// The dialect cannot express this change; `hint` says what to change in the models.
    #[error("cannot render {change}: {hint}")]
    Unsupported { change: String, hint: String },
    /// The change list is inconsistent with the schema it starts from (a table or column it
    /// names does not exist, or already exists).
    #[error("the change list does not fit the starting schema: {0}; regenerate the revision against the current database")]
    State(#[from] ApplyError),
}

impl RenderError {
    pub(crate) fn unsupported(change: impl Into<String>, hint: impl Into<String>) -> Self {
        RenderError::Unsupported {
            change: change.into(),
            hint: hint.into(),
        }
    }
}
