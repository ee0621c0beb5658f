//! Which tables introspection leaves out: [`IntrospectOptions::exclude_tables`](crate::IntrospectOptions)
//! entries are globs (`*`, `?`, `[abc]`, `{a,b}`), matched against the whole table name, case
//! sensitively. A name without glob characters matches only itself, so exact names (the version
//! tables) work as before. An entry that is not a valid glob is taken as a literal name rather
//! than failing the read: callers validate user patterns earlier (autogen.toml parsing). This
//! file deliberately knows nothing about which tables are the runner's.

use globset::{Glob, GlobSet, GlobSetBuilder};

/// A compiled exclusion list.
pub(crate) struct Excluded {
    globs: GlobSet,
    literal: Vec<String>,
}

impl Excluded {
    pub(crate) fn new(patterns: &[String]) -> Excluded {
        let mut builder = GlobSetBuilder::new();
        let mut literal = Vec::new();
        for p in patterns {
            match Glob::new(p) {
                Ok(g) => {
                    builder.add(g);
                }
                Err(_) => literal.push(p.clone()),
            }
        }
        Excluded {
            globs: builder.build().unwrap_or_else(|_| GlobSet::empty()),
            literal,
        }
    }

    pub(crate) fn contains(&self, table: &str) -> bool {
        self.literal.iter().any(|l| l == table) || self.globs.is_match(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_exact_names() {
        let ex = Excluded::new(&[
            "autogen_version".to_string(),
            "tmp_*".to_string(),
            "audit_log_20??".to_string(),
            "[".to_string(),
        ]);
        for (name, excluded) in [
            ("autogen_version", true),
            ("autogen_version2", false),
            ("tmp_", true),
            ("tmp_x/y", true),
            ("xtmp_a", false),
            ("audit_log_2024", true),
            ("audit_log_202", false),
            ("[", true),
            ("users", false),
        ] {
            assert_eq!(ex.contains(name), excluded, "{name}");
        }
    }
}
