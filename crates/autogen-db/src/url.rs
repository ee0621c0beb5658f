//! `DatabaseUrl`: parsing a connection URL into a dialect, and the redaction rule. The password
//! lives only in the secret form handed to sqlx ([`DatabaseUrl::expose`]); `Display`, `Debug` and
//! [`DatabaseUrl::redacted`] replace it with `***`. This file does not open connections.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use autogen_schema::Dialect;

use crate::DbError;

/// The schemes [`DatabaseUrl::parse`] accepts, as shown in error messages.
pub(crate) const ACCEPTED_SCHEMES: &str =
    "`sqlite:`, `postgres://`, `postgresql://`, `mysql://`, `mariadb://`";

/// The placeholder that replaces a password everywhere a URL is shown.
const MASK: &str = "***";

/// A parsed database URL. Cloning is cheap enough; comparing compares the secret form.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    dialect: Dialect,
    target: Target,
    /// The secret form, computed once so [`DatabaseUrl::expose`] can lend it out.
    secret: String,
}

#[derive(Clone, PartialEq, Eq)]
enum Target {
    /// `path` is the file part exactly as written (still percent-encoded, as sqlx expects);
    /// `params` is the query string without the `?`.
    Sqlite {
        path: String,
        params: Option<String>,
        memory: bool,
    },
    /// PostgreSQL and MySQL. A `mariadb://` URL is stored with the scheme `mysql://`, the only
    /// spelling sqlx's MySQL driver is documented to accept.
    Server(url::Url),
}

impl DatabaseUrl {
    fn new(dialect: Dialect, target: Target) -> DatabaseUrl {
        let secret = secret_form(&target);
        DatabaseUrl {
            dialect,
            target,
            secret,
        }
    }

    /// Parses `sqlite:path`, `sqlite://path`, `sqlite::memory:`, `postgres://...`,
    /// `postgresql://...`, `mysql://...` and `mariadb://...`.
    pub fn parse(raw: &str) -> Result<DatabaseUrl, DbError> {
        let raw = raw.trim();
        let Some((scheme, rest)) = raw.split_once(':') else {
            return Err(DbError::MissingScheme { url: scrub(raw) });
        };
        let scheme_ok = !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok {
            return Err(DbError::MissingScheme { url: scrub(raw) });
        }
        let dialect = match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Dialect::Sqlite,
            "postgres" | "postgresql" => Dialect::Postgres,
            "mysql" | "mariadb" => Dialect::Mysql,
            _ => {
                return Err(DbError::UnknownScheme {
                    scheme: scheme.to_string(),
                    url: scrub(raw),
                })
            }
        };
        let target = match dialect {
            Dialect::Sqlite => parse_sqlite(raw, rest)?,
            Dialect::Postgres | Dialect::Mysql => parse_server(raw, dialect)?,
        };
        Ok(DatabaseUrl::new(dialect, target))
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The URL with any password (in the user-info part or a `password=` query parameter)
    /// replaced by `***`. Safe to print and log.
    pub fn redacted(&self) -> String {
        match &self.target {
            Target::Sqlite { .. } => self.secret.clone(),
            Target::Server(url) => redact_url(url).to_string(),
        }
    }

    /// The secret form, password included. Hand it to sqlx and nowhere else.
    pub fn expose(&self) -> &str {
        &self.secret
    }

    /// The database name for servers (`test` in `postgres://h/test`), the file path for SQLite
    /// files, `None` for an in-memory SQLite database or a server URL without a path.
    pub fn database_name(&self) -> Option<String> {
        match &self.target {
            Target::Sqlite { memory: true, .. } => None,
            Target::Sqlite { path, .. } => Some(percent_decode(path)),
            Target::Server(url) => {
                let name = url.path().trim_start_matches('/');
                (!name.is_empty()).then(|| percent_decode(name))
            }
        }
    }

    /// The file an SQLite URL points at (`None` for other dialects and in-memory databases).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match &self.target {
            Target::Sqlite {
                path,
                memory: false,
                ..
            } => Some(PathBuf::from(percent_decode(path))),
            _ => None,
        }
    }

    /// Whether this is an in-memory SQLite database (`sqlite::memory:` or `mode=memory`).
    pub fn is_memory(&self) -> bool {
        matches!(self.target, Target::Sqlite { memory: true, .. })
    }

    /// A relative SQLite file path made relative to `dir` (the directory of the config file that
    /// named it, typically). In-memory databases, absolute paths and server URLs come back as
    /// they are.
    pub fn resolve_relative(&self, dir: &Path) -> DatabaseUrl {
        let Target::Sqlite {
            path,
            params,
            memory: false,
        } = &self.target
        else {
            return self.clone();
        };
        if Path::new(&percent_decode(path)).is_absolute() {
            return self.clone();
        }
        let joined = dir.join(percent_decode(path));
        DatabaseUrl::new(
            self.dialect,
            Target::Sqlite {
                path: percent_encode_path(&joined.to_string_lossy()),
                params: params.clone(),
                memory: false,
            },
        )
    }

    /// The same server with a different database (`postgres://h/a` -> `postgres://h/b`). Used to
    /// reach a scratch database from a server URL; SQLite URLs have no server to keep.
    pub fn with_database(&self, name: &str) -> Result<DatabaseUrl, DbError> {
        match &self.target {
            Target::Server(url) => {
                let mut url = url.clone();
                url.set_path(&format!("/{name}"));
                Ok(DatabaseUrl::new(self.dialect, Target::Server(url)))
            }
            Target::Sqlite { .. } => Err(DbError::InvalidUrl {
                url: self.redacted(),
                message: "an SQLite URL names a file, not a server; there is no database to switch"
                    .to_string(),
            }),
        }
    }

    /// The password, if any, for scrubbing it out of driver error messages.
    pub(crate) fn password(&self) -> Option<String> {
        match &self.target {
            Target::Server(url) => {
                let mut secrets: Vec<String> = Vec::new();
                if let Some(p) = url.password() {
                    secrets.push(percent_decode(p));
                }
                for (k, v) in url.query_pairs() {
                    if is_password_key(&k) {
                        secrets.push(v.into_owned());
                    }
                }
                secrets.into_iter().find(|s| !s.is_empty())
            }
            Target::Sqlite { .. } => None,
        }
    }
}

impl FromStr for DatabaseUrl {
    type Err = DbError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DatabaseUrl::parse(s)
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    /// Hand-written so that `{:?}` cannot print the password either.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({:?})", self.redacted())
    }
}

fn secret_form(target: &Target) -> String {
    match target {
        Target::Sqlite {
            path,
            params,
            memory,
        } => {
            let path = if *memory && path.is_empty() {
                ":memory:"
            } else {
                path
            };
            match params {
                Some(p) => format!("sqlite:{path}?{p}"),
                None => format!("sqlite:{path}"),
            }
        }
        Target::Server(url) => url.to_string(),
    }
}

fn parse_sqlite(raw: &str, rest: &str) -> Result<Target, DbError> {
    // sqlx strips `sqlite://` or `sqlite:` and treats the remainder as a path, so
    // `sqlite://a.db` is the relative file `a.db` and `sqlite:///tmp/a.db` is absolute.
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, params) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (rest, None),
    };
    let memory_mode = params
        .as_deref()
        .is_some_and(|q| q.split('&').any(|kv| kv == "mode=memory"));
    let memory = path == ":memory:" || memory_mode;
    if path.is_empty() && !memory {
        return Err(DbError::InvalidUrl {
            url: raw.to_string(),
            message: "no file path; write `sqlite:path/to/file.db` or `sqlite::memory:`"
                .to_string(),
        });
    }
    Ok(Target::Sqlite {
        path: path.to_string(),
        params,
        memory,
    })
}

fn parse_server(raw: &str, dialect: Dialect) -> Result<Target, DbError> {
    let mut url = url::Url::parse(raw).map_err(|e| DbError::InvalidUrl {
        url: scrub(raw),
        message: e.to_string(),
    })?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(DbError::InvalidUrl {
            url: redact_url(&url).to_string(),
            message: format!(
                "no host; write `{}://user:password@host:port/database`",
                dialect.name()
            ),
        });
    }
    if url.scheme().eq_ignore_ascii_case("mariadb") && url.set_scheme("mysql").is_err() {
        return Err(DbError::InvalidUrl {
            url: redact_url(&url).to_string(),
            message: "cannot rewrite `mariadb://` to `mysql://`".to_string(),
        });
    }
    Ok(Target::Server(url))
}

fn is_password_key(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "password" | "pass" | "pwd"
    )
}

fn redact_url(url: &url::Url) -> url::Url {
    let mut shown = url.clone();
    if shown.password().is_some() {
        // Setting a password only fails for URLs that cannot have one, which `url` already
        // ruled out by giving us a password in the first place.
        let _ = shown.set_password(Some(MASK));
    }
    if url.query_pairs().any(|(k, _)| is_password_key(&k)) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_password_key(&k) {
                    MASK.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    shown
}

/// Best-effort textual redaction for strings that did not parse as URLs: anything between the
/// first `:` of the user-info and the last `@` of the authority becomes `***`.
pub(crate) fn scrub(raw: &str) -> String {
    let Some(start) = raw.find("://").map(|i| i + 3) else {
        return raw.to_string();
    };
    let after = &raw[start..];
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return raw.to_string();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return raw.to_string();
    };
    format!(
        "{}{}:{MASK}{}",
        &raw[..start],
        &userinfo[..colon],
        &after[at..]
    )
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Escapes the two characters sqlx's SQLite URL parser treats specially in a path.
fn percent_encode_path(s: &str) -> String {
    s.replace('%', "%25").replace('?', "%3F")
}
