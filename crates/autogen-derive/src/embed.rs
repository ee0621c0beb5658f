//! `embed_revisions!("revisions")`: lists the folder at compile time and expands to
//! `::autogen::revisions::EmbeddedRevisions::new(&[(name, include_str!(absolute path)), ...])`.
//!
//! The contents go through `include_str!` rather than being pasted as literals so cargo
//! recompiles the application when a revision file changes (a new file is picked up by the next
//! build that re-expands the macro, as with sqlx's `migrate!`). This file only lists and embeds;
//! parsing and validating the revisions happens at run time in autogen-revisions, with the same
//! checks as for a folder.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;

pub fn expand(folder: &syn::LitStr) -> Result<TokenStream, syn::Error> {
    let root = std::env::var("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .map_err(|_| {
            syn::Error::new(
                folder.span(),
                "CARGO_MANIFEST_DIR is not set; embed_revisions! must be expanded by cargo",
            )
        })?;
    let dir = root.join(folder.value());
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        syn::Error::new(
            folder.span(),
            // The folder as written, not the absolute path: the message must read the same on
            // every machine (and in the trybuild golden, wherever the target dir is).
            format!(
                "cannot read the revisions folder `{}`: {e}\nhelp: the path is relative to the folder of the crate's Cargo.toml; create the folder with `autogen init`",
                folder.value()
            ),
        )
    })?;
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| syn::Error::new(folder.span(), format!("{}: {e}", dir.display())))?
            .path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if name.ends_with(".sql") && !name.starts_with('.') && path.is_file() {
            files.push((name, path));
        }
    }
    files.sort();
    let items = files.iter().map(|(name, path)| {
        let path = path.display().to_string();
        quote! { (#name, include_str!(#path)) }
    });
    Ok(quote! {
        ::autogen::revisions::EmbeddedRevisions::new(&[#(#items),*])
    })
}
