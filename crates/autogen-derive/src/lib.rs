//! `#[derive(Model)]` and `#[derive(Enum)]`: a thin shell over autogen-models.
//!
//! The derives register the `#[model(...)]` attribute so annotated structs compile, and run the
//! model reader's own grammar checks on the item so a typo fails `cargo build` at the right
//! span instead of surfacing later in `autogen`. They emit no code on success. They deliberately
//! never read files or databases and never interpret attributes themselves: the one grammar lives
//! in `autogen_models`, which also reads the same structs from source files.
//!
//! `embed_revisions!` is the one macro here that reads files: it embeds a revisions folder into
//! the application binary (see `src/embed.rs`).

mod embed;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Declares a struct as a table model. See the attribute vocabulary in the autogen README.
#[proc_macro_derive(Model, attributes(model))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    respond(autogen_models::check_model_item(&input))
}

/// Declares a fieldless enum as an SQL enum type usable as a model column type.
#[proc_macro_derive(Enum, attributes(model))]
pub fn derive_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    respond(autogen_models::check_enum_item(&input))
}

/// Embeds a revisions folder (relative to the crate's `CARGO_MANIFEST_DIR`) into the binary:
/// `autogen::embed_revisions!("revisions")` expands to an
/// `autogen::revisions::EmbeddedRevisions` holding every `*.sql` file's name and contents, for
/// `autogen::Migrator` to apply at start-up.
#[proc_macro]
pub fn embed_revisions(input: TokenStream) -> TokenStream {
    let folder = parse_macro_input!(input as syn::LitStr);
    match embed::expand(&folder) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Nothing on success; every error as its own `compile_error!` at its span.
fn respond(result: Result<(), Vec<syn::Error>>) -> TokenStream {
    match result {
        Ok(()) => TokenStream::new(),
        Err(errors) => {
            let mut out = proc_macro2::TokenStream::new();
            for e in errors {
                out.extend(e.to_compile_error());
            }
            out.into()
        }
    }
}
