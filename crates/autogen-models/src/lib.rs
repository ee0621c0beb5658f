//! The model reader: annotated Rust structs (`#[derive(Model)]`, `#[derive(Enum)]`) in source
//! files into the schema IR, with compiler-style errors carrying file:line:col.
//!
//! The pipeline is `files` (globs, one syn parse per file, in parallel) -> `grammar` (the one
//! `#[model(...)]` attribute grammar) -> `lower` (one model into one table, with every check
//! local to it) -> `resolve` (cross-model checks, one schema). `names` (what a name may hold, per
//! dialect) and `sql_text` (SQL attributes cannot break out of their statement) are the rules
//! lowering and resolve apply; with [`ReadOptions::dialect`] unset, only the rules every dialect
//! shares. The derive crate uses `grammar` and `lower` through [`check_model_item`] /
//! [`check_enum_item`] (no dialect), so a model that compiles is one the reader understands.
//! This crate deliberately never opens a database, never prints, and never decides which files
//! are models beyond the globs it is given.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod error;
mod files;
mod grammar;
mod lower;
mod names;
mod resolve;
mod sql_text;
mod types;
mod view;

use std::path::PathBuf;

use autogen_schema::{Dialect, NamingConvention, RenameHints, Schema};
use rayon::prelude::*;

pub use error::{ModelError, ModelErrors};
pub use grammar::snake_case;
pub use view::ViewModel;

/// Where the models are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// The project root; globs and the paths in errors are relative to it.
    pub root: PathBuf,
    /// Globs such as `src/models/**/*.rs` (`*` stays within a folder, `**` crosses folders).
    pub globs: Vec<String>,
    pub naming: NamingConvention,
    /// How many threads parse the files: `None` uses every core (rayon's global pool),
    /// `Some(n)` a pool of `n` threads (at least one), for callers that keep cores busy with
    /// other work meanwhile.
    pub threads: Option<usize>,
    /// The database the models are for: its rules on names apply (PostgreSQL cuts names over 63
    /// bytes, MySQL/MariaDB refuse names over 64 characters, SQLite and MySQL compare table
    /// names without case, ...) and SQL attributes are scanned the way it reads them. `None`
    /// applies only the rules every dialect shares.
    pub dialect: Option<Dialect>,
    /// PostgreSQL: the schemas `#[model(schema = "...")]` may name, the default schema first
    /// (a model naming the default schema is a model without the key). Empty: the key is
    /// refused (a single-schema project, another dialect, or no project at all).
    pub pg_schemas: Vec<String>,
}

/// What the models describe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelSet {
    pub schema: Schema,
    /// The `renamed_from` declarations.
    pub renames: RenameHints,
    /// The structs that read a view (`#[model(view = "...")]`), which are no tables: the
    /// caller checks them against the views its SQL files declare.
    pub views: Vec<ViewModel>,
}

/// Reads every file the globs match (sorted by path, each read and parsed once, in parallel on
/// [`ReadOptions::threads`] threads).
pub fn read_models(opts: &ReadOptions) -> Result<ModelSet, ModelErrors> {
    let Some(threads) = opts.threads else {
        return read_all(opts);
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("autogen-models-{i}"))
        .build()
    {
        Ok(pool) => pool.install(|| read_all(opts)),
        // No thread could be started for the pool: the global pool does the same work.
        Err(_) => read_all(opts),
    }
}

fn read_all(opts: &ReadOptions) -> Result<ModelSet, ModelErrors> {
    let (paths, errors) = files::expand_globs(&opts.root, &opts.globs);
    let results: Vec<(PathBuf, String, resolve::FileOutput)> = paths
        .into_par_iter()
        .map(|rel| match std::fs::read_to_string(opts.root.join(&rel)) {
            Ok(text) => {
                let output = files::read_file(&rel, &text, &opts.naming, opts.dialect);
                (rel, text, output)
            }
            Err(e) => {
                let error = ModelError::without_position(
                    &rel,
                    format!("cannot read `{}`: {e}", rel.display()),
                    Some(
                        "check that the file exists and is readable, or change the model globs"
                            .into(),
                    ),
                );
                let output = resolve::FileOutput {
                    errors: vec![error],
                    ..Default::default()
                };
                (rel, String::new(), output)
            }
        })
        .collect();
    finish(results, errors, opts.dialect, &opts.pg_schemas)
}

/// Reads model sources given as (path, text) pairs, without touching the filesystem. Files are
/// taken in sorted path order, as [`read_models`] would. Only the rules every dialect shares
/// apply; [`read_sources_for`] adds a dialect's.
pub fn read_sources(
    files: &[(PathBuf, String)],
    naming: &NamingConvention,
) -> Result<ModelSet, ModelErrors> {
    read_sources_for(files, naming, None)
}

/// [`read_sources`] for the database `dialect` (see [`ReadOptions::dialect`]).
pub fn read_sources_for(
    files: &[(PathBuf, String)],
    naming: &NamingConvention,
    dialect: Option<Dialect>,
) -> Result<ModelSet, ModelErrors> {
    let mut sorted: Vec<&(PathBuf, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let results: Vec<(PathBuf, String, resolve::FileOutput)> = sorted
        .into_par_iter()
        .map(|(path, text)| {
            let output = files::read_file(path, text, naming, dialect);
            (path.clone(), text.clone(), output)
        })
        .collect();
    finish(results, Vec::new(), dialect, &[])
}

fn finish(
    results: Vec<(PathBuf, String, resolve::FileOutput)>,
    errors: Vec<ModelError>,
    dialect: Option<Dialect>,
    pg_schemas: &[String],
) -> Result<ModelSet, ModelErrors> {
    let mut sources = Vec::with_capacity(results.len());
    let mut texts = Vec::with_capacity(results.len());
    let mut outputs = Vec::with_capacity(results.len());
    for (path, text, output) in results {
        sources.push(path);
        texts.push(text);
        outputs.push(output);
    }
    let sources: Vec<(PathBuf, &str)> = sources
        .into_iter()
        .zip(texts.iter().map(String::as_str))
        .collect();
    resolve::resolve(&sources, outputs, errors, dialect, pg_schemas)
}

/// Validates a `#[derive(Model)]` item's attributes and field types as far as one item allows
/// (enum-typed fields and foreign-key targets are checked by the reader, which sees all files).
pub fn check_model_item(input: &syn::DeriveInput) -> Result<(), Vec<syn::Error>> {
    let mut diags = Vec::new();
    match &input.data {
        syn::Data::Struct(data) => {
            if let Some(def) =
                grammar::parse_model(&input.ident, &input.attrs, &data.fields, &mut diags)
            {
                if def.view.is_some() {
                    view::lower_view(&def, None, &mut diags);
                } else {
                    lower::lower_model(&def, &NamingConvention::default(), None, &mut diags);
                }
            }
        }
        _ => diags.push(
            error::Diag::new(
                error::Site::span(input.ident.span()),
                "derive(Model) works on structs only",
            )
            .help("for an SQL enum type, derive autogen::Enum on the enum instead"),
        ),
    }
    into_result(diags)
}

/// Validates a `#[derive(Enum)]` item: unit variants, known keys, distinct values.
pub fn check_enum_item(input: &syn::DeriveInput) -> Result<(), Vec<syn::Error>> {
    let mut diags = Vec::new();
    match &input.data {
        syn::Data::Enum(data) => {
            let def = grammar::parse_enum(
                &input.ident,
                &input.attrs,
                &input.generics,
                &data.variants,
                &mut diags,
            );
            names::check_enum(&def, None, &mut diags);
        }
        _ => diags.push(
            error::Diag::new(
                error::Site::span(input.ident.span()),
                "derive(Enum) works on enums only",
            )
            .help("for a table, derive autogen::Model on the struct instead"),
        ),
    }
    into_result(diags)
}

fn into_result(diags: Vec<error::Diag>) -> Result<(), Vec<syn::Error>> {
    if diags.is_empty() {
        Ok(())
    } else {
        Err(diags.iter().map(error::Diag::to_syn).collect())
    }
}
