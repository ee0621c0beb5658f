//! Finding and parsing model files: glob expansion under a root, and the per-file pass that
//! parses one file with syn and reads its `#[derive(Model)]` structs and `#[derive(Enum)]` enums
//! (inline `mod x { ... }` blocks included).
//!
//! The per-file pass runs on rayon's threads, so everything it returns is plain data: spans
//! are resolved to positions on the thread that parsed the file (proc-macro2 keeps its source
//! map per thread). It deliberately does no cross-file checking; that is `resolve`.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use autogen_schema::{Dialect, NamingConvention};
use globset::GlobBuilder;
use syn::Item;

use crate::error::{Diag, ModelError, Site};
use crate::grammar::{has_derive, parse_enum, parse_model};
use crate::lower::lower_model;
use crate::names::check_enum;
use crate::resolve::{EnumDraft, FileOutput};
use crate::view::lower_view;

/// Expands `globs` under `root` into sorted, de-duplicated paths relative to `root`. A glob
/// without wildcards names one file and is kept even if missing, so reading it reports the io
/// error with its path. Hidden directories and `target` are not entered by wildcards.
pub(crate) fn expand_globs(root: &Path, globs: &[String]) -> (Vec<PathBuf>, Vec<ModelError>) {
    let mut files = BTreeSet::new();
    let mut errors = Vec::new();
    if globs.is_empty() {
        errors.push(ModelError::without_position(
            root,
            "no model file globs given",
            Some("name the model files with a glob such as `src/models/**/*.rs`".into()),
        ));
    }
    for pattern in globs {
        if !pattern.contains(['*', '?', '[', '{']) {
            files.insert(PathBuf::from(pattern));
            continue;
        }
        let matcher = match GlobBuilder::new(pattern).literal_separator(true).build() {
            Ok(g) => g.compile_matcher(),
            Err(e) => {
                errors.push(ModelError::without_position(
                    pattern,
                    format!("invalid glob `{pattern}`: {e}"),
                    Some(
                        "globs use `*` within a folder and `**` across folders, e.g. `src/**/*.rs`"
                            .into(),
                    ),
                ));
                continue;
            }
        };
        // Walk only below the glob's literal prefix: `src/models/**/*.rs` never visits `target/`.
        let prefix: PathBuf = Path::new(pattern)
            .components()
            .take_while(|c| match c {
                Component::Normal(s) => !s.to_string_lossy().contains(['*', '?', '[', '{']),
                _ => true,
            })
            .collect();
        let mut found = 0usize;
        let mut stack = vec![prefix];
        while let Some(dir) = stack.pop() {
            let entries = match std::fs::read_dir(root.join(&dir)) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    errors.push(ModelError::without_position(
                        &dir,
                        format!("cannot read directory `{}`: {e}", dir.display()),
                        Some("check that the folder exists and is readable".into()),
                    ));
                    continue;
                }
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let rel = dir.join(&name);
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    let hidden = name.to_string_lossy().starts_with('.') || name == "target";
                    if !hidden {
                        stack.push(rel);
                    }
                } else if matcher.is_match(&rel) {
                    found += 1;
                    files.insert(rel);
                }
            }
        }
        if found == 0 {
            errors.push(ModelError::without_position(
                pattern,
                format!("glob `{pattern}` matched no files under `{}`", root.display()),
                Some("check the pattern; it is relative to the project root, e.g. `src/models/**/*.rs`".into()),
            ));
        }
    }
    (files.into_iter().collect(), errors)
}

/// Parses one file and reads its models and enums, with `dialect`'s name rules when given.
pub(crate) fn read_file(
    path: &Path,
    text: &str,
    naming: &NamingConvention,
    dialect: Option<Dialect>,
) -> FileOutput {
    let mut out = FileOutput::default();
    let file = match syn::parse_file(text) {
        Ok(f) => f,
        Err(e) => {
            for err in e {
                let pos = Site::span(err.span()).pos();
                out.errors.push(ModelError::at(
                    path,
                    text,
                    pos,
                    format!("cannot parse Rust: {err}"),
                    Some(
                        "the model files must be valid Rust; `cargo check` shows the same error"
                            .into(),
                    ),
                ));
            }
            return out;
        }
    };
    let mut diags = Vec::new();
    read_items(&file.items, naming, dialect, &mut out, &mut diags);
    out.errors
        .extend(diags.into_iter().map(|d| d.into_model_error(path, text)));
    out
}

fn read_items(
    items: &[Item],
    naming: &NamingConvention,
    dialect: Option<Dialect>,
    out: &mut FileOutput,
    diags: &mut Vec<Diag>,
) {
    for item in items {
        match item {
            Item::Struct(s) if has_derive(&s.attrs, "Model") => {
                if let Some(def) = parse_model(&s.ident, &s.attrs, &s.fields, diags) {
                    if def.view.is_some() {
                        out.views.extend(lower_view(&def, dialect, diags));
                    } else {
                        out.tables.push(lower_model(&def, naming, dialect, diags));
                    }
                }
            }
            Item::Enum(e) if has_derive(&e.attrs, "Enum") => {
                let def = parse_enum(&e.ident, &e.attrs, &e.generics, &e.variants, diags);
                check_enum(&def, dialect, diags);
                out.enums.push(EnumDraft {
                    rust_name: def.rust_name,
                    name: def.name,
                    values: def.values,
                    pos: def.ident_site.pos(),
                });
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    read_items(inner, naming, dialect, out, diags);
                }
            }
            _ => {}
        }
    }
}
