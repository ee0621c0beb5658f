//! The naming convention for constraints and indexes, like SQLAlchemy's `naming_convention`.
//!
//! Generated names are deterministic and the same on every dialect: a name longer than 63 bytes
//! (PostgreSQL's limit, the smallest of the three) is cut and given a short hash of the full name,
//! so two long names that share a prefix stay distinct.

use thiserror::Error;

/// Templates for generated names. Placeholders: `{table}`, `{columns}` (column names joined by
/// `_`), `{referred_table}` (foreign keys only), `{n}` (checks only: 1-based position among the
/// table's unnamed checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamingConvention {
    pub index: String,
    pub unique: String,
    pub foreign_key: String,
    pub check: String,
    pub primary_key: String,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum NamingError {
    #[error(
        "naming template `{template}` uses unknown placeholder `{{{placeholder}}}`; known: {known}"
    )]
    UnknownPlaceholder {
        template: String,
        placeholder: String,
        known: &'static str,
    },
    #[error("naming template `{template}` has an unclosed `{{`")]
    Unclosed { template: String },
    #[error("naming template `{key}` is empty, so every generated name would be empty; write one such as `{key} = \"{default}\"`")]
    Empty { key: &'static str, default: String },
    #[error("naming template `{key} = {template:?}` contains a control character; names are written into SQL and revision files, so write one such as `{key} = \"{default}\"`")]
    ControlCharacter {
        key: &'static str,
        template: String,
        default: String,
    },
    #[error("naming template `{key} = {template:?}` has no `{{{placeholder}}}`, so {clash} would get the same name; write one such as `{key} = \"{default}\"`")]
    NotDistinct {
        key: &'static str,
        template: String,
        placeholder: &'static str,
        /// Which names would collide ("two indexes of one table").
        clash: &'static str,
        default: String,
    },
}

/// The longest generated name, in bytes.
pub const MAX_NAME_LEN: usize = 63;

impl Default for NamingConvention {
    fn default() -> Self {
        NamingConvention {
            index: "ix_{table}_{columns}".into(),
            unique: "uq_{table}_{columns}".into(),
            foreign_key: "fk_{table}_{columns}_{referred_table}".into(),
            check: "ck_{table}_{n}".into(),
            primary_key: "pk_{table}".into(),
        }
    }
}

/// Which placeholders each template needs so that the names it generates stay distinct, and which
/// names would collide without each: `{table}` because index names are schema-wide on PostgreSQL
/// and SQLite (and foreign key and check names on MySQL), `{columns}` / `{n}` because a table
/// has several indexes, constraints and checks.
const REQUIRED: [(&str, &[(&str, &str)]); 5] = [
    (
        "index",
        &[
            ("table", "indexes of two tables"),
            ("columns", "two indexes of one table"),
        ],
    ),
    (
        "unique",
        &[
            ("table", "unique constraints of two tables"),
            ("columns", "two unique constraints of one table"),
        ],
    ),
    (
        "foreign_key",
        &[
            ("table", "foreign keys of two tables"),
            ("columns", "two foreign keys of one table"),
        ],
    ),
    (
        "check",
        &[
            ("table", "checks of two tables"),
            ("n", "two checks of one table"),
        ],
    ),
    (
        "primary_key",
        &[("table", "the primary keys of two tables")],
    ),
];

impl NamingConvention {
    fn templates(&self) -> [(&'static str, &String); 5] {
        [
            ("index", &self.index),
            ("unique", &self.unique),
            ("foreign_key", &self.foreign_key),
            ("check", &self.check),
            ("primary_key", &self.primary_key),
        ]
    }

    /// Checks every template: no unknown placeholders, not empty, no control characters, and
    /// the placeholders that keep generated names distinct (see [`REQUIRED`]).
    pub fn validate(&self) -> Result<(), NamingError> {
        let known = "table, columns, referred_table, n";
        let defaults = NamingConvention::default();
        for ((key, t), ((_, default), (_, required))) in self
            .templates()
            .into_iter()
            .zip(defaults.templates().into_iter().zip(REQUIRED))
        {
            if t.trim().is_empty() {
                return Err(NamingError::Empty {
                    key,
                    default: default.clone(),
                });
            }
            if t.chars().any(char::is_control) {
                return Err(NamingError::ControlCharacter {
                    key,
                    template: t.clone(),
                    default: default.clone(),
                });
            }
            expand(t, &[])?;
            let mut rest = t.as_str();
            while let Some(open) = rest.find('{') {
                let Some(close) = rest[open..].find('}') else {
                    return Err(NamingError::Unclosed {
                        template: t.clone(),
                    });
                };
                let name = &rest[open + 1..open + close];
                if !matches!(name, "table" | "columns" | "referred_table" | "n") {
                    return Err(NamingError::UnknownPlaceholder {
                        template: t.clone(),
                        placeholder: name.to_string(),
                        known,
                    });
                }
                rest = &rest[open + close + 1..];
            }
            for &(placeholder, clash) in required {
                if !t.contains(&format!("{{{placeholder}}}")) {
                    return Err(NamingError::NotDistinct {
                        key,
                        template: t.clone(),
                        placeholder,
                        clash,
                        default: default.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn index_name(&self, table: &str, columns: &[&str]) -> String {
        shorten(&expand_lossy(
            &self.index,
            &[("table", table), ("columns", &columns.join("_"))],
        ))
    }

    pub fn unique_name(&self, table: &str, columns: &[&str]) -> String {
        shorten(&expand_lossy(
            &self.unique,
            &[("table", table), ("columns", &columns.join("_"))],
        ))
    }

    pub fn foreign_key_name(&self, table: &str, columns: &[&str], referred_table: &str) -> String {
        shorten(&expand_lossy(
            &self.foreign_key,
            &[
                ("table", table),
                ("columns", &columns.join("_")),
                ("referred_table", referred_table),
            ],
        ))
    }

    pub fn check_name(&self, table: &str, n: usize) -> String {
        shorten(&expand_lossy(
            &self.check,
            &[("table", table), ("n", &n.to_string())],
        ))
    }

    pub fn primary_key_name(&self, table: &str) -> String {
        shorten(&expand_lossy(&self.primary_key, &[("table", table)]))
    }
}

fn expand(template: &str, values: &[(&str, &str)]) -> Result<String, NamingError> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            return Err(NamingError::Unclosed {
                template: template.to_string(),
            });
        };
        let name = &rest[open + 1..open + close];
        if let Some((_, v)) = values.iter().find(|(k, _)| *k == name) {
            out.push_str(v);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Expansion for templates already validated; an invalid one expands to its literal text.
fn expand_lossy(template: &str, values: &[(&str, &str)]) -> String {
    expand(template, values).unwrap_or_else(|_| template.to_string())
}

/// FNV-1a, 32 bits: tiny, stable across platforms and releases, enough to tell long names apart.
fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Cuts a name to [`MAX_NAME_LEN`] bytes deterministically: a prefix, `_`, and 8 hex digits of
/// the full name's hash. The cut never splits a UTF-8 character.
pub fn shorten(name: &str) -> String {
    if name.len() <= MAX_NAME_LEN {
        return name.to_string();
    }
    let suffix = format!("_{:08x}", fnv1a(name));
    let mut cut = MAX_NAME_LEN - suffix.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{}", &name[..cut], suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names() {
        let n = NamingConvention::default();
        assert_eq!(
            n.index_name("users", &["org_id", "created_at"]),
            "ix_users_org_id_created_at"
        );
        assert_eq!(n.unique_name("users", &["email"]), "uq_users_email");
        assert_eq!(
            n.foreign_key_name("posts", &["user_id"], "users"),
            "fk_posts_user_id_users"
        );
        assert_eq!(n.check_name("users", 2), "ck_users_2");
        assert_eq!(n.primary_key_name("users"), "pk_users");
    }

    #[test]
    fn long_names_are_cut_deterministically_and_stay_distinct() {
        let n = NamingConvention::default();
        let a = n.index_name(&"t".repeat(80), &["a"]);
        let b = n.index_name(&"t".repeat(80), &["b"]);
        assert_eq!(a.len(), MAX_NAME_LEN);
        assert_ne!(a, b);
        assert_eq!(a, n.index_name(&"t".repeat(80), &["a"]));
        let multibyte = shorten(&"é".repeat(40));
        assert!(multibyte.len() <= MAX_NAME_LEN);
    }

    #[test]
    fn validation_rejects_unknown_placeholders() {
        let n = NamingConvention {
            index: "ix_{tabel}".into(),
            ..NamingConvention::default()
        };
        assert!(matches!(
            n.validate(),
            Err(NamingError::UnknownPlaceholder { .. })
        ));
        let n = NamingConvention {
            index: "ix_{table".into(),
            ..NamingConvention::default()
        };
        assert!(matches!(n.validate(), Err(NamingError::Unclosed { .. })));
        assert_eq!(NamingConvention::default().validate(), Ok(()));
    }

    /// A template that cannot give distinct names would make the second CREATE of the same name
    /// fail (or, with an empty template, every CREATE).
    #[test]
    fn validation_rejects_templates_that_cannot_give_distinct_names() {
        let with = |f: fn(&mut NamingConvention)| {
            let mut n = NamingConvention::default();
            f(&mut n);
            n.validate().map_err(|e| e.to_string())
        };
        for (case, got, want) in [
            (
                "empty index",
                with(|n| n.index = String::new()),
                "naming template `index` is empty, so every generated name would be empty; write one such as `index = \"ix_{table}_{columns}\"`",
            ),
            (
                "blank primary key",
                with(|n| n.primary_key = "  ".into()),
                "naming template `primary_key` is empty",
            ),
            (
                "no columns",
                with(|n| n.unique = "uq_{table}".into()),
                "naming template `unique = \"uq_{table}\"` has no `{columns}`, so two unique constraints of one table would get the same name",
            ),
            (
                "no table",
                with(|n| n.index = "ix_{columns}".into()),
                "has no `{table}`, so indexes of two tables would get the same name",
            ),
            (
                "no n",
                with(|n| n.check = "ck_{table}".into()),
                "has no `{n}`, so two checks of one table",
            ),
            (
                "constant primary key",
                with(|n| n.primary_key = "pk".into()),
                "has no `{table}`, so the primary keys of two tables",
            ),
            (
                "line break",
                with(|n| n.foreign_key = "fk_{table}\n{columns}".into()),
                "naming template `foreign_key = \"fk_{table}\\n{columns}\"` contains a control character",
            ),
        ] {
            let got = got.expect_err(case);
            assert!(got.contains(want), "{case}: {got}");
        }
        assert_eq!(with(|n| n.index = "{table}__{columns}__idx".into()), Ok(()));
    }
}
