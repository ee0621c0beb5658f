//! Test helpers shared by the workspace's test suites, and by nothing else: scratch databases on
//! the PostgreSQL and MySQL/MariaDB test servers ([`ScratchDatabase`], [`server_url`]) and the
//! small model sources several suites start from ([`models`]). It is a dev-only crate
//! (`publish = false`): product crates list it only under `[dev-dependencies]`, which the
//! dependency allow-list in `xtask/src/deps.rs` checks, so no test helper ships in a product
//! crate. It deliberately holds no assertions, fixtures or golden-file logic (those live in
//! `tests/src`, the `autogen-tests` crate).

pub mod models;
mod scratch;

pub use scratch::{server_url, ScratchDatabase};
