//! The differ's error type. The differ only fails on input it cannot turn into one honest answer:
//! rename hints that contradict the two schemas. Everything else (a table added, a column
//! dropped) is a change, never an error. This file deliberately holds no matching logic.

use thiserror::Error;

/// Why [`diff`](crate::diff) refused to compare two schemas.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DiffError {
    /// The hint's source and target both exist in the old schema, so renaming one onto the other
    /// would collide.
    #[error(
        "table rename `{from}` -> `{to}` is ambiguous: the database already has both tables; \
         drop or rename one of them first, or remove the `renamed_from` hint"
    )]
    AmbiguousTableRename { from: String, to: String },
    /// The hint's source still exists in the new schema, so it cannot have been renamed away.
    #[error(
        "table rename `{from}` -> `{to}` is ambiguous: the models still declare a table `{from}`; \
         remove the `renamed_from` hint or the old model"
    )]
    TableRenameSourceKept { from: String, to: String },
    /// Two applicable hints rename from, or to, the same table.
    #[error(
        "more than one rename hint involves table `{name}`; keep one `renamed_from` per table"
    )]
    ConflictingTableRenames { name: String },
    /// The hint's source and target columns both exist in the old table.
    #[error(
        "column rename `{table}.{from}` -> `{to}` is ambiguous: the database table already has \
         both columns; drop one of them first, or remove the `renamed_from` hint"
    )]
    AmbiguousColumnRename {
        table: String,
        from: String,
        to: String,
    },
    /// The hint's source column still exists in the new table.
    #[error(
        "column rename `{table}.{from}` -> `{to}` is ambiguous: the model still declares a column \
         `{from}`; remove the `renamed_from` hint or the old field"
    )]
    ColumnRenameSourceKept {
        table: String,
        from: String,
        to: String,
    },
    /// Two applicable hints in one table rename from, or to, the same column.
    #[error(
        "more than one rename hint involves column `{table}.{column}`; keep one `renamed_from` \
         per column"
    )]
    ConflictingColumnRenames { table: String, column: String },
}
