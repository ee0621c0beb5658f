//! `#[derive(Model)]` and `#[derive(Enum)]`: a thin shell over autogen-models.
//!
//! The derives register the `#[model(...)]` attribute so annotated structs compile, and run the
//! model reader's own grammar checks on the item so a typo fails `cargo build` at the right
//! span instead of surfacing later in `autogen`. They emit no code on success. They deliberately
//! never read files or databases and never interpret attributes themselves: the one grammar lives
//! in `autogen_models`, which also reads the same structs from source files.

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
