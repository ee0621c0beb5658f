//! The struct-level `index(...)` key: its key parts (`"created_at DESC"`), partial-index
//! predicate (`where = "..."`) and access method (`method = "hash"`), checked for shape.
//!
//! It deliberately does not check that key parts name real columns (lowering knows the columns)
//! nor whether a dialect supports the method or predicate (the renderer says so, per dialect);
//! a method is only required to be a plain name, since PostgreSQL extensions add methods of
//! their own.

use super::keys::{Entry, Value};
use crate::error::{Diag, Site};

/// A struct-level `index(...)`.
pub(crate) struct IndexDef {
    pub name: Option<(String, Site)>,
    pub columns: Vec<IndexPart>,
    pub unique: bool,
    /// The partial-index predicate as written (non-empty), and its site.
    pub predicate: Option<(String, Site)>,
    /// The access method, lowercased.
    pub method: Option<String>,
}

/// One key part: `"created_at DESC"` is column `created_at`, descending.
pub(crate) struct IndexPart {
    pub column: String,
    pub descending: bool,
    pub site: Site,
}

/// Reads the keys inside `index(...)`; `None` when it cannot make an index of them (the problem
/// is in `diags`).
pub(crate) fn parse_index(
    inner: Vec<Entry>,
    site: Site,
    diags: &mut Vec<Diag>,
) -> Option<IndexDef> {
    let mut index = IndexDef {
        name: None,
        columns: Vec::new(),
        unique: false,
        predicate: None,
        method: None,
    };
    let mut ok = true;
    for e in inner {
        match (e.key, e.value) {
            ("name", Value::Str(s)) => index.name = Some((s, e.value_site)),
            ("columns", Value::Columns(c)) => {
                for (text, part_site) in c {
                    match key_part(&text, part_site) {
                        Ok(part) => index.columns.push(part),
                        Err(d) => {
                            diags.push(d);
                            ok = false;
                        }
                    }
                }
            }
            ("unique", Value::Flag) => index.unique = true,
            ("where", Value::Str(s)) => {
                if s.trim().is_empty() {
                    diags.push(
                        Diag::new(e.value_site, "the index predicate (`where`) is empty")
                            .help("write the SQL condition rows must meet to be indexed: `where = \"deleted_at IS NULL\"`, or remove the key"),
                    );
                    ok = false;
                } else {
                    index.predicate = Some((s, e.value_site));
                }
            }
            ("method", Value::Str(s)) => {
                let method = s.trim().to_ascii_lowercase();
                let plain = !method.is_empty()
                    && method
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_');
                if plain {
                    index.method = Some(method);
                } else {
                    diags.push(
                        Diag::new(e.value_site, format!("`{s}` is not an index method name"))
                            .help("write the access method's name, e.g. `method = \"hash\"` (PostgreSQL: btree, hash, gin, gist, brin; MySQL: btree, hash, fulltext, spatial)"),
                    );
                    ok = false;
                }
            }
            _ => {}
        }
    }
    if index.columns.is_empty() && ok {
        diags.push(super::missing_columns(site, "index"));
        return None;
    }
    ok.then_some(index)
}

/// `"col"`, `"col DESC"` or `"col ASC"` (direction in any case).
fn key_part(text: &str, site: Site) -> Result<IndexPart, Diag> {
    let trimmed = text.trim();
    let (column, descending) = match trimmed.rsplit_once(char::is_whitespace) {
        None => (trimmed, false),
        Some((column, word)) => {
            let descending = if word.eq_ignore_ascii_case("desc") {
                true
            } else if word.eq_ignore_ascii_case("asc") {
                false
            } else {
                return Err(Diag::new(
                    site,
                    format!("unknown sort direction `{word}` in index key part `{trimmed}`"),
                )
                .help(format!(
                    "a key part is a column name, optionally followed by DESC or ASC: `\"{} DESC\"`",
                    column.trim()
                )));
            };
            (column.trim(), descending)
        }
    };
    if column.is_empty()
        || column.eq_ignore_ascii_case("desc")
        || column.eq_ignore_ascii_case("asc")
    {
        return Err(
            Diag::new(site, format!("index key part `{text}` names no column"))
                .help("write the column first: `columns(\"created_at DESC\")`"),
        );
    }
    Ok(IndexPart {
        column: column.to_string(),
        descending,
        site,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_parts() {
        let site = Site::span(proc_macro2::Span::call_site());
        for (text, column, descending) in [
            ("id", "id", false),
            ("created_at DESC", "created_at", true),
            ("created_at desc", "created_at", true),
            ("created_at  Asc ", "created_at", false),
            (" name ", "name", false),
        ] {
            let part = key_part(text, site).unwrap_or_else(|d| panic!("{text}: {}", d.message));
            assert_eq!(
                (part.column.as_str(), part.descending),
                (column, descending),
                "{text}"
            );
        }
        for (text, message) in [
            ("created_at DOWN", "unknown sort direction `DOWN`"),
            ("created at", "unknown sort direction `at`"),
            ("DESC", "names no column"),
            ("", "names no column"),
        ] {
            match key_part(text, site) {
                Ok(p) => panic!("{text:?} read as {}", p.column),
                Err(d) => assert!(d.message.contains(message), "{text:?}: {}", d.message),
            }
        }
    }
}
