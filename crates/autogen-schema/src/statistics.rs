//! What a database says about itself besides its schema, read only when a revision is written:
//! the server's version (the renderer's hazard rules differ between versions) and each table's
//! estimated row count (written on the revision's `-- hazard:` lines). Plain data; the catalog
//! queries live in autogen-introspect, the rules in autogen-sql.

use std::collections::BTreeMap;
use std::fmt;

/// A database server's version, as far as the hazard rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerVersion {
    pub major: u32,
    pub minor: u32,
    /// MySQL-protocol servers: MariaDB rather than MySQL (their version numbers overlap).
    pub mariadb: bool,
}

impl ServerVersion {
    /// PostgreSQL `major.minor` (PostgreSQL 10 and later number releases `major.patch`; the
    /// minor then stays 0 for the rules).
    pub const fn postgres(major: u32, minor: u32) -> ServerVersion {
        ServerVersion {
            major,
            minor,
            mariadb: false,
        }
    }

    /// MariaDB `major.minor`.
    pub const fn mariadb(major: u32, minor: u32) -> ServerVersion {
        ServerVersion {
            major,
            minor,
            mariadb: true,
        }
    }

    /// MySQL `major.minor`.
    pub const fn mysql(major: u32, minor: u32) -> ServerVersion {
        ServerVersion {
            major,
            minor,
            mariadb: false,
        }
    }

    /// PostgreSQL's `server_version_num` (`150004` is 15.4, `90624` is 9.6.24).
    pub fn from_postgres_num(num: i64) -> Option<ServerVersion> {
        let num = u32::try_from(num).ok()?;
        if num >= 100_000 {
            Some(ServerVersion::postgres(num / 10_000, 0))
        } else {
            Some(ServerVersion::postgres(num / 10_000, (num / 100) % 100))
        }
    }

    /// MySQL's `VERSION()` text (`10.11.6-MariaDB-0+deb12u1`, `8.0.36`).
    pub fn from_mysql_text(text: &str) -> Option<ServerVersion> {
        let mariadb = text.to_ascii_lowercase().contains("mariadb");
        let (major, minor) = major_minor(text)?;
        Some(ServerVersion {
            major,
            minor,
            mariadb,
        })
    }

    /// SQLite's `sqlite_version()` text (`3.45.1`).
    pub fn from_sqlite_text(text: &str) -> Option<ServerVersion> {
        let (major, minor) = major_minor(text)?;
        Some(ServerVersion::mysql(major, minor))
    }

    /// At least `major.minor`.
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }
}

fn major_minor(text: &str) -> Option<(u32, u32)> {
    let mut parts = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Some((major, minor))
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A table's row count as the catalog estimates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowEstimate {
    /// The catalog has no estimate (PostgreSQL: never analyzed or vacuumed).
    Unknown,
    Rows(u64),
}

impl fmt::Display for RowEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowEstimate::Unknown => f.write_str("unknown"),
            RowEstimate::Rows(n) => write!(f, "{n}"),
        }
    }
}

/// The server's version and the row estimates of the tables asked for, keyed like
/// [`crate::Table::name`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableStatistics {
    pub server: Option<ServerVersion>,
    pub rows: BTreeMap<String, RowEstimate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_what_servers_print() {
        assert_eq!(
            ServerVersion::from_postgres_num(150004),
            Some(ServerVersion::postgres(15, 0))
        );
        assert_eq!(
            ServerVersion::from_postgres_num(90624),
            Some(ServerVersion::postgres(9, 6))
        );
        assert_eq!(
            ServerVersion::from_mysql_text("10.11.6-MariaDB-0+deb12u1"),
            Some(ServerVersion::mariadb(10, 11))
        );
        assert_eq!(
            ServerVersion::from_mysql_text("8.0.36"),
            Some(ServerVersion::mysql(8, 0))
        );
        assert!(ServerVersion::mariadb(10, 11).at_least(10, 4));
        assert!(!ServerVersion::mariadb(10, 3).at_least(10, 4));
        assert_eq!(ServerVersion::from_mysql_text("garbage"), None);
    }
}
