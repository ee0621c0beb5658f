//! The dialect tag. Only the tag lives here; what each dialect can do lives in the crates at the
//! edges (introspector, renderer, runner), each behind its own `dialect` module.

use std::fmt;

/// The SQL dialects autogen speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    Sqlite,
    Postgres,
    Mysql,
}

impl Dialect {
    /// Every dialect, in the order tests and reports list them.
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

    /// The short lowercase name used in file names and messages (`sqlite`, `postgres`, `mysql`).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        }
    }

    /// The character that quotes an identifier in SQL text: a backquote on MySQL (where `"x"`
    /// is a string literal unless ANSI_QUOTES is set), a double quote elsewhere.
    pub fn identifier_quote(self) -> char {
        match self {
            Dialect::Mysql => '`',
            Dialect::Sqlite | Dialect::Postgres => '"',
        }
    }

    /// The longest identifier the dialect accepts, in bytes (`None`: no practical limit).
    pub fn max_identifier_len(self) -> Option<usize> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(63),
            Dialect::Mysql => Some(64),
        }
    }

    /// Whether two column names that differ only in letter case name the same column: yes on
    /// MySQL/MariaDB and SQLite, no on PostgreSQL (where quoted names keep their case).
    pub fn column_names_fold_case(self) -> bool {
        match self {
            Dialect::Postgres => false,
            Dialect::Mysql | Dialect::Sqlite => true,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
