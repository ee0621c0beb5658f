//! Which tables a project manages: `include_tables` and `exclude_tables` in autogen.toml, both
//! lists of globs (`*`, `?`, `[abc]`, `{a,b}`) matched against whole table names.
//!
//! A table is managed when it matches some `include_tables` glob (or that list is empty) and no
//! `exclude_tables` glob. The filter applies to BOTH sides of the comparison: an unmanaged table
//! in the database is never dropped or altered, and a model for an unmanaged table is ignored
//! (not an error), so a team can keep structs for tables another tool owns. autogen's own
//! version tables are never managed, whatever the globs say. Views are never read at all (the
//! introspectors list base tables only). This file deliberately does not read files or connect.

use globset::{Glob, GlobSet, GlobSetBuilder};

use autogen_schema::Schema;

/// The compiled include/exclude globs.
#[derive(Debug, Clone)]
pub struct TableFilter {
    include: Option<GlobSet>,
    exclude: GlobSet,
}

impl TableFilter {
    /// Compiles the two lists; the error names the offending pattern.
    pub fn new(include: &[String], exclude: &[String]) -> Result<TableFilter, String> {
        let include = if include.is_empty() {
            None
        } else {
            Some(compile(include)?)
        };
        Ok(TableFilter {
            include,
            exclude: compile(exclude)?,
        })
    }

    /// Whether autogen manages `table`.
    pub fn manages(&self, table: &str) -> bool {
        if autogen_revisions::VERSION_TABLES.contains(&table) {
            return false;
        }
        self.include.as_ref().is_none_or(|g| g.is_match(table)) && !self.exclude.is_match(table)
    }

    /// Drops the tables autogen does not manage from `schema`.
    pub fn retain(&self, schema: &mut Schema) {
        schema.tables.retain(|t| self.manages(&t.name));
    }
}

fn compile(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        builder.add(Glob::new(p).map_err(|e| format!("table glob {p:?}: {e}"))?);
    }
    builder.build().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn include_and_exclude_globs() {
        let f = TableFilter::new(&strings(&["app_*", "users"]), &strings(&["app_tmp_*"])).unwrap();
        for (table, managed) in [
            ("users", true),
            ("app_orders", true),
            ("app_tmp_1", false),
            ("other", false),
            ("autogen_version", false),
        ] {
            assert_eq!(f.manages(table), managed, "{table}");
        }
        let all = TableFilter::new(&[], &strings(&["legacy_*"])).unwrap();
        assert!(all.manages("users"));
        assert!(!all.manages("legacy_orders"));
        assert!(!all.manages("autogen_version"));
        assert!(TableFilter::new(&strings(&["a[b"]), &[]).is_err());
    }

    #[test]
    fn a_bad_glob_in_autogen_toml_is_a_config_error() {
        let path = std::path::Path::new("autogen.toml");
        let err = crate::Config::parse(path, "exclude_tables = [\"tmp_[\"]\n").unwrap_err();
        assert!(err.to_string().contains("tmp_["), "{err}");
        let ok = crate::Config::parse(path, "include_tables = [\"app_*\"]\n").unwrap();
        assert!(ok.table_filter().unwrap().manages("app_users"));
        assert!(!ok.table_filter().unwrap().manages("users"));
    }
}
