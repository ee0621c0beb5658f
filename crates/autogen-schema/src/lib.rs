//! The schema IR: the one representation every other autogen crate speaks.
//!
//! Model files and live databases are both turned into a [`Schema`]; the differ compares two of
//! them; renderers turn the differences into SQL. The IR is plain data (public fields, declaration
//! order kept, no hash-map order anywhere) and holds canonical values only: a dialect's spelling
//! (`int4`, `now()`, `'x'::text`) is normalised at the edges before it gets here. What autogen does
//! not understand is kept as raw text ([`ColumnType::Other`], [`DefaultValue::Expression`]) rather
//! than dropped. This crate deliberately knows nothing about SQL dialects beyond the [`Dialect`]
//! tag, nothing about files, and nothing about connections.

mod dialect;
mod naming;
mod normalize;
mod objects;
mod rename_ident;
mod statistics;
mod text;
mod text_parse;
mod types;

pub use dialect::Dialect;
pub use naming::{shorten, NamingConvention, NamingError};
pub use normalize::{normalize_expression, parse_default, parse_type};
pub use objects::{ObjectDependency, ObjectKind, SchemaObject};
pub use rename_ident::rename_identifier;
pub use statistics::{RowEstimate, ServerVersion, TableStatistics};
pub use text::{render_compared_text, render_text};
pub use text_parse::{parse_text, TextError};
pub use types::*;
