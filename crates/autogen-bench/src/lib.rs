//! The performance bench behind `cargo xtask bench`, as a library so its generator can be
//! tested: [`gen`] builds realistic model sources from a seed, [`python`] spells the same schema
//! as SQLAlchemy metadata for Alembic, [`floor`] fetches the catalog with the fewest bulk queries
//! (the speed limit for introspection), [`server`] reads and sets the server settings that decide
//! how that limit scales. The `autogen-bench` binary (built in release by the
//! xtask) prepares databases and times autogen's phases in process.
//!
//! This crate is not part of autogen: it owns no product logic, only generation and timing, and
//! nothing in the test suite asserts a timing.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod floor;
pub mod gen;
pub mod python;
pub mod server;
