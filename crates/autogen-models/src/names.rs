//! What a name (table, column, index, constraint, enum type) and a free text (comment, enum
//! value) may hold, per dialect, so a model the server would change or refuse is caught when it
//! is read instead of when a revision runs.
//!
//! Without a dialect only the rules every dialect shares apply (no control characters: a NUL or
//! line break in a name cannot be written into a statement or a revision file and read back).
//! With one: PostgreSQL cuts names over 63 bytes without an error (the database then never
//! matches the models, and the next revision drops and recreates the table), MySQL/MariaDB
//! refuse names over 64 characters, names ending in a space and characters outside the Basic
//! Multilingual Plane; SQLite has no limit. Which dialects fold the case of a name is answered
//! here too ([`case_fold`]); the passes that see several names (lowering for columns, resolve
//! for tables) compare with it. This module only judges; it never renames anything.

use std::collections::HashMap;

use autogen_schema::Dialect;

use crate::error::{Diag, Site};
use crate::grammar::EnumDef;

/// Checks a comment or another free text for control characters. `what` names it in the
/// message ("comment", "enum value").
pub(crate) fn check_text(text: &str, what: &str, site: Site, diags: &mut Vec<Diag>) -> bool {
    let Some(c) = text.chars().find(|&c| c.is_control()) else {
        return true;
    };
    diags.push(
        Diag::new(
            site,
            format!(
                "the {what} `{}` contains a control character (U+{:04X})",
                text.escape_debug(),
                u32::from(c)
            ),
        )
        .help("remove it: names and comments are written into SQL statements and revision files, where a NUL, tab or line break cannot be written and read back safely"),
    );
    false
}

/// Checks a name against the rules every dialect shares and, with `dialect`, that dialect's.
/// `what` names it in messages ("table name"); `fix` says how to give the name another value
/// when it is derived from a Rust identifier (" with #[model(column = \"...\")]").
pub(crate) fn check_name(
    name: &str,
    what: &str,
    site: Site,
    fix: &str,
    dialect: Option<Dialect>,
    diags: &mut Vec<Diag>,
) {
    if name.trim().is_empty() {
        diags.push(
            Diag::new(site, format!("the {what} is empty"))
                .help("write a name, or remove `name` to use the generated one"),
        );
        return;
    }
    if !check_text(name, what, site, diags) {
        return;
    }
    match dialect {
        Some(Dialect::Postgres) => {
            if let Some(limit) = Dialect::Postgres.max_identifier_len() {
                if name.len() > limit {
                    diags.push(
                        Diag::new(
                            site,
                            format!(
                                "the {what} `{name}` is {} bytes long; PostgreSQL allows at most {limit}",
                                name.len()
                            ),
                        )
                        .help(format!("PostgreSQL cuts longer names to {limit} bytes without an error, so the database would never match the models; choose a shorter name{fix}")),
                    );
                }
            }
        }
        Some(Dialect::Mysql) => check_mysql_name(name, what, site, fix, diags),
        Some(Dialect::Sqlite) | None => {}
    }
}

fn check_mysql_name(name: &str, what: &str, site: Site, fix: &str, diags: &mut Vec<Diag>) {
    let chars = name.chars().count();
    // MySQL counts identifier length in characters, not bytes.
    if let Some(limit) = Dialect::Mysql.max_identifier_len() {
        if chars > limit {
            diags.push(
                Diag::new(
                    site,
                    format!("the {what} `{name}` is {chars} characters long; MySQL/MariaDB allow at most {limit}"),
                )
                .help(format!("MySQL/MariaDB refuse longer names when the revision runs; choose a shorter name{fix}")),
            );
        }
    }
    if name.ends_with(' ') {
        diags.push(
            Diag::new(
                site,
                format!("the {what} `{name}` ends with a space, which MySQL/MariaDB do not allow"),
            )
            .help(format!("remove the trailing space{fix}")),
        );
    }
    if let Some(c) = name.chars().find(|&c| u32::from(c) > 0xFFFF) {
        diags.push(
            Diag::new(
                site,
                format!("the {what} `{name}` contains `{c}`, which MySQL/MariaDB names cannot hold (only characters up to U+FFFF)"),
            )
            .help(format!("use characters of the Basic Multilingual Plane in names{fix}")),
        );
    }
}

/// Checks an enum's type name and values. The type name matters on PostgreSQL (`CREATE TYPE`);
/// MySQL/MariaDB write the values inline and SQLite into a CHECK, but the rules are the same.
pub(crate) fn check_enum(def: &EnumDef, dialect: Option<Dialect>, diags: &mut Vec<Diag>) {
    let fix = if def.name_site.pos() == def.ident_site.pos() {
        " with #[model(name = \"...\")]"
    } else {
        ""
    };
    check_name(
        &def.name,
        "enum type name",
        def.name_site,
        fix,
        dialect,
        diags,
    );
    let mut seen: HashMap<String, &str> = HashMap::new();
    for (value, site) in def.values.iter().zip(&def.value_sites) {
        check_enum_value(value, *site, dialect, diags);
        // MySQL/MariaDB compare enum members by the column's collation, case-insensitive by
        // default, and refuse two that differ only in case.
        if dialect == Some(Dialect::Mysql) {
            if let Some(first) = seen.insert(value.to_lowercase(), value) {
                diags.push(
                    Diag::new(
                        *site,
                        format!("enum values `{first}` and `{value}` of `{}` differ only in case", def.rust_name),
                    )
                    .help("MySQL/MariaDB compare enum values without case and refuse the type; give one of them another value with #[model(rename = \"...\")]"),
                );
            }
        }
    }
}

/// Checks one value of an SQL enum: no control characters anywhere; PostgreSQL refuses labels
/// over 63 bytes; MySQL/MariaDB refuse members over 255 characters and silently strip trailing
/// spaces (so the value read back would never match the model).
pub(crate) fn check_enum_value(
    value: &str,
    site: Site,
    dialect: Option<Dialect>,
    diags: &mut Vec<Diag>,
) {
    if !check_text(value, "enum value", site, diags) {
        return;
    }
    let fix = "choose a shorter value with #[model(rename = \"...\")]";
    match dialect {
        Some(Dialect::Postgres) if value.len() > 63 => diags.push(
            Diag::new(
                site,
                format!(
                    "the enum value `{value}` is {} bytes long; PostgreSQL allows at most 63",
                    value.len()
                ),
            )
            .help(format!(
                "PostgreSQL refuses a longer enum value when the type is created; {fix}"
            )),
        ),
        Some(Dialect::Mysql) => {
            let chars = value.chars().count();
            if chars > 255 {
                diags.push(
                    Diag::new(
                        site,
                        format!("the enum value `{value}` is {chars} characters long; MySQL/MariaDB allow at most 255"),
                    )
                    .help(format!("MySQL/MariaDB refuse a longer enum member; {fix}")),
                );
            }
            if value.ends_with(' ') {
                diags.push(
                    Diag::new(
                        site,
                        format!("the enum value `{value}` ends with a space, which MySQL/MariaDB remove"),
                    )
                    .help("MySQL/MariaDB strip trailing spaces from enum members, so the value read back would never match the model; remove the space with #[model(rename = \"...\")]"),
                );
            }
        }
        _ => {}
    }
}

/// The key under which `dialect` considers two names the same, when it compares them without
/// case: SQLite folds ASCII letters only; MySQL/MariaDB compare column names without case and,
/// with `lower_case_table_names` (the default on Windows and macOS, and common elsewhere),
/// table names too, so both are folded there. PostgreSQL keeps quoted names as written.
pub(crate) fn case_fold(name: &str, dialect: Option<Dialect>) -> Option<String> {
    match dialect {
        Some(Dialect::Sqlite) => Some(name.to_ascii_lowercase()),
        Some(Dialect::Mysql) => Some(name.to_lowercase()),
        Some(Dialect::Postgres) | None => None,
    }
}

/// How the case-folding dialect treats names, for messages.
pub(crate) fn case_fold_reason(dialect: Option<Dialect>, what: &str) -> String {
    match dialect {
        Some(Dialect::Mysql) if what == "table" => {
            "MySQL/MariaDB compare table names without case where lower_case_table_names is set (the default on Windows and macOS)".into()
        }
        Some(Dialect::Mysql) => format!("MySQL/MariaDB compare {what} names without case"),
        _ => format!("SQLite compares {what} names without case"),
    }
}
