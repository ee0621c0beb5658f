//! The one Rust type -> [`ColumnType`] table (documented in the README and in VOCAB.md).
//!
//! Types are matched on the last path segment, so `DateTime<Utc>` and
//! `chrono::DateTime<chrono::Utc>` are the same. A bare path the table does not know may be an
//! enum with `#[derive(Enum)]` elsewhere; this module cannot tell, so it answers
//! [`Mapped::MaybeEnum`] and leaves the decision to the resolve pass (the derive, which sees one
//! item only, accepts it). This module deliberately knows nothing about attributes: `max_length`,
//! `precision` and `column_type` are applied by the lowering pass on top of what it returns.

use autogen_schema::ColumnType;
use quote::ToTokens;
use syn::{GenericArgument, PathArguments, Type};

/// What a field's Rust type maps to, before attributes are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mapped {
    Known(ColumnType),
    /// A bare path the table does not know: an enum type if some `#[derive(Enum)]` has this name.
    MaybeEnum(String),
    Unsupported,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldType {
    pub mapped: Mapped,
    /// `Option<T>`.
    pub nullable: bool,
}

/// Maps a field type, unwrapping one `Option<...>`.
pub(crate) fn map_field_type(ty: &Type) -> FieldType {
    match option_inner(ty) {
        Some(inner) if option_inner(inner).is_some() => FieldType {
            // `Option<Option<T>>` has no column shape: NULL cannot mean two things.
            mapped: Mapped::Unsupported,
            nullable: true,
        },
        Some(inner) => FieldType {
            mapped: map_type(inner),
            nullable: true,
        },
        None => FieldType {
            mapped: map_type(ty),
            nullable: false,
        },
    }
}

/// The type inside `Option<...>`, if `ty` is one.
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    let ty = strip(ty);
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    type_args(&last.arguments).first().copied()
}

/// Maps a type that is not an `Option`.
pub(crate) fn map_type(ty: &Type) -> Mapped {
    use ColumnType as C;
    let ty = strip(ty);
    match ty {
        Type::Reference(r) if is_bare(&r.elem, "str") => return Mapped::Known(C::Text),
        Type::Path(p) if p.qself.is_none() => {}
        _ => return Mapped::Unsupported,
    }
    let Type::Path(p) = ty else {
        return Mapped::Unsupported;
    };
    let Some(last) = p.path.segments.last() else {
        return Mapped::Unsupported;
    };
    let name = last.ident.to_string();
    let args = type_args(&last.arguments);
    let has_args = !matches!(last.arguments, PathArguments::None);
    let known = match (name.as_str(), args.as_slice()) {
        ("Box", [inner]) if is_bare(inner, "str") => C::Text,
        ("Cow", [inner]) if is_bare(inner, "str") => C::Text,
        ("Vec", [inner]) if is_bare(inner, "u8") => C::Blob,
        ("Vec", [inner]) => return array_of(inner),
        ("Json", _) => C::Json,
        ("DateTime", _) => C::Timestamp {
            with_time_zone: true,
        },
        (_, _) if has_args => return Mapped::Unsupported,
        ("bool", _) => C::Boolean,
        ("i8", _) => C::TinyInt { unsigned: false },
        ("u8", _) => C::TinyInt { unsigned: true },
        ("i16", _) => C::SmallInt { unsigned: false },
        ("u16", _) => C::SmallInt { unsigned: true },
        ("i32", _) => C::Integer { unsigned: false },
        ("u32", _) => C::Integer { unsigned: true },
        ("i64", _) => C::BigInt { unsigned: false },
        ("u64", _) => C::BigInt { unsigned: true },
        ("f32", _) => C::Real,
        ("f64", _) => C::Double,
        ("String", _) => C::Text,
        ("char", _) => C::Char { length: Some(1) },
        ("NaiveDate" | "Date", _) => C::Date,
        ("NaiveTime" | "Time", _) => C::Time,
        ("NaiveDateTime" | "PrimitiveDateTime", _) => C::Timestamp {
            with_time_zone: false,
        },
        ("OffsetDateTime", _) => C::Timestamp {
            with_time_zone: true,
        },
        ("Uuid", _) => C::Uuid,
        ("Value", _) => C::Json,
        ("Decimal" | "BigDecimal", _) => C::Decimal {
            precision: None,
            scale: None,
        },
        // Primitive and std names that can never be a user's enum.
        ("i128" | "u128" | "isize" | "usize" | "str", _) => return Mapped::Unsupported,
        _ => return Mapped::MaybeEnum(name),
    };
    Mapped::Known(known)
}

/// `Vec<T>`: a PostgreSQL array of `T` (the reader refuses it on other dialects). `Vec<Option<T>>`
/// is the same column: PostgreSQL arrays always accept NULL elements. The element must map to a
/// scalar type; `Vec<Vec<T>>` (a multi-dimensional array, which PostgreSQL neither enforces nor
/// sqlx decodes) and arrays of enums are not mapped.
fn array_of(element: &Type) -> Mapped {
    let element = option_inner(element).unwrap_or(element);
    match map_type(element) {
        Mapped::Known(ColumnType::Array(_)) | Mapped::MaybeEnum(_) | Mapped::Unsupported => {
            Mapped::Unsupported
        }
        Mapped::Known(ty) => Mapped::Known(ColumnType::Array(Box::new(ty))),
    }
}

/// The type as the user would write it, for messages: `Vec<String>`, not `Vec < String >`.
pub(crate) fn display_type(ty: &Type) -> String {
    let raw = ty.to_token_stream().to_string();
    raw.replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
}

fn strip(ty: &Type) -> &Type {
    match ty {
        Type::Paren(p) => strip(&p.elem),
        Type::Group(g) => strip(&g.elem),
        _ => ty,
    }
}

fn type_args(args: &PathArguments) -> Vec<&Type> {
    match args {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `ty` is the bare single-segment path `name` (`str`, `u8`).
fn is_bare(ty: &Type, name: &str) -> bool {
    match strip(ty) {
        Type::Path(p) => p.qself.is_none() && p.path.is_ident(name),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(src: &str) -> FieldType {
        let ty: Type = syn::parse_str(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        map_field_type(&ty)
    }

    #[test]
    fn the_type_table() {
        use ColumnType as C;
        let cases: &[(&str, ColumnType)] = &[
            ("bool", C::Boolean),
            ("i8", C::TinyInt { unsigned: false }),
            ("u8", C::TinyInt { unsigned: true }),
            ("i16", C::SmallInt { unsigned: false }),
            ("u16", C::SmallInt { unsigned: true }),
            ("i32", C::Integer { unsigned: false }),
            ("u32", C::Integer { unsigned: true }),
            ("i64", C::BigInt { unsigned: false }),
            ("u64", C::BigInt { unsigned: true }),
            ("f32", C::Real),
            ("f64", C::Double),
            ("String", C::Text),
            ("std::string::String", C::Text),
            ("&str", C::Text),
            ("&'a str", C::Text),
            ("Box<str>", C::Text),
            ("std::borrow::Cow<'a, str>", C::Text),
            ("char", C::Char { length: Some(1) }),
            ("Vec<u8>", C::Blob),
            ("chrono::NaiveDate", C::Date),
            ("time::Date", C::Date),
            ("NaiveTime", C::Time),
            ("time::Time", C::Time),
            (
                "chrono::NaiveDateTime",
                C::Timestamp {
                    with_time_zone: false,
                },
            ),
            (
                "time::PrimitiveDateTime",
                C::Timestamp {
                    with_time_zone: false,
                },
            ),
            (
                "chrono::DateTime<chrono::Utc>",
                C::Timestamp {
                    with_time_zone: true,
                },
            ),
            (
                "DateTime<FixedOffset>",
                C::Timestamp {
                    with_time_zone: true,
                },
            ),
            (
                "time::OffsetDateTime",
                C::Timestamp {
                    with_time_zone: true,
                },
            ),
            ("uuid::Uuid", C::Uuid),
            ("serde_json::Value", C::Json),
            ("Vec<String>", C::Array(Box::new(C::Text))),
            (
                "Vec<Option<i32>>",
                C::Array(Box::new(C::Integer { unsigned: false })),
            ),
            ("Vec<uuid::Uuid>", C::Array(Box::new(C::Uuid))),
            ("Vec<Vec<u8>>", C::Array(Box::new(C::Blob))),
            (
                "Vec<chrono::DateTime<Utc>>",
                C::Array(Box::new(C::Timestamp {
                    with_time_zone: true,
                })),
            ),
            ("sqlx::types::Json<Settings>", C::Json),
            (
                "rust_decimal::Decimal",
                C::Decimal {
                    precision: None,
                    scale: None,
                },
            ),
            (
                "bigdecimal::BigDecimal",
                C::Decimal {
                    precision: None,
                    scale: None,
                },
            ),
        ];
        for (src, want) in cases {
            assert_eq!(
                map(src),
                FieldType {
                    mapped: Mapped::Known(want.clone()),
                    nullable: false
                },
                "{src}"
            );
            assert_eq!(
                map(&format!("Option<{src}>")),
                FieldType {
                    mapped: Mapped::Known(want.clone()),
                    nullable: true
                },
                "Option<{src}>"
            );
        }
    }

    #[test]
    fn unknown_types() {
        let cases: &[(&str, Mapped)] = &[
            ("PostStatus", Mapped::MaybeEnum("PostStatus".into())),
            ("crate::models::Kind", Mapped::MaybeEnum("Kind".into())),
            ("Vec<Vec<String>>", Mapped::Unsupported),
            ("Vec<PostStatus>", Mapped::Unsupported),
            ("Vec<Option<Option<i32>>>", Mapped::Unsupported),
            ("Vec<usize>", Mapped::Unsupported),
            ("HashMap<String, i32>", Mapped::Unsupported),
            ("(i32, i32)", Mapped::Unsupported),
            ("[u8; 16]", Mapped::Unsupported),
            ("i128", Mapped::Unsupported),
            ("usize", Mapped::Unsupported),
            ("Option<Option<i32>>", Mapped::Unsupported),
            ("Box<String>", Mapped::Unsupported),
        ];
        for (src, want) in cases {
            assert_eq!(&map(src).mapped, want, "{src}");
        }
    }

    #[test]
    fn types_display_as_written() {
        let ty: Type = syn::parse_str("std::collections::HashMap<String, Vec<u8>>").unwrap();
        assert_eq!(
            display_type(&ty),
            "std::collections::HashMap<String, Vec<u8>>"
        );
        let ty: Type = syn::parse_str("&'a str").unwrap();
        assert_eq!(display_type(&ty), "&'a str");
    }
}
