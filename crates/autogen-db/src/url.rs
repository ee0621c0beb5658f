//! `DatabaseUrl`: parsing a connection URL into a dialect, and the redaction rule. The password
//! lives only in the secret form handed to sqlx ([`DatabaseUrl::expose`]); `Display`, `Debug` and
//! [`DatabaseUrl::redacted`] replace it with `***`, and [`redact_secrets`] applies the same rule
//! to any text (error messages, reports) before it is shown. This file does not open connections.
//!
//! One rule decides where a server URL's user-info ends, for parsing and redaction alike: at the
//! LAST `@` after `scheme://`. A password may therefore hold `/`, `#`, `?`, `@` or spaces
//! written raw (they are percent-encoded before the URL is parsed), and an `@` after the host
//! (in the database name or a query parameter) must be written `%40`. What is shown is what is
//! connected to, and a password is never half-recognised and half-printed.

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
            url: scrub(raw),
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
    let mut url = url::Url::parse(&encode_userinfo(raw)).map_err(|e| DbError::InvalidUrl {
        url: scrub(raw),
        message: e.to_string(),
    })?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(DbError::InvalidUrl {
            url: scrub(raw),
            message: format!(
                "no host; write `{}://user:password@host:port/database`",
                dialect.name()
            ),
        });
    }
    if url.scheme().eq_ignore_ascii_case("mariadb") && url.set_scheme("mysql").is_err() {
        return Err(DbError::InvalidUrl {
            url: scrub(raw),
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

/// Percent-encodes what a raw user-info holds that would end it early or change its meaning:
/// `/`, `?`, `#`, `@` (all but the last, which ends the user-info), `\\`, and a `%` that does not
/// start a `%XX` escape. An already encoded password (`p%2Fw`) is left as it is, so both
/// spellings connect. The user-info is everything between `://` and the last `@`.
fn encode_userinfo(raw: &str) -> String {
    let Some((start, end)) = userinfo_span(raw) else {
        return raw.to_string();
    };
    let userinfo = &raw[start..end];
    let bytes = userinfo.as_bytes();
    let mut encoded = String::with_capacity(userinfo.len() + 8);
    for (i, c) in userinfo.char_indices() {
        match c {
            '/' => encoded.push_str("%2F"),
            '?' => encoded.push_str("%3F"),
            '#' => encoded.push_str("%23"),
            '@' => encoded.push_str("%40"),
            '\\' => encoded.push_str("%5C"),
            '%' if !is_escape(&bytes[i..]) => encoded.push_str("%25"),
            c => encoded.push(c),
        }
    }
    format!("{}{encoded}{}", &raw[..start], &raw[end..])
}

/// Whether `bytes` starts with `%` and two hex digits.
fn is_escape(bytes: &[u8]) -> bool {
    bytes.len() >= 3 && bytes[1].is_ascii_hexdigit() && bytes[2].is_ascii_hexdigit()
}

/// The byte range of the user-info of a URL that is all of `text`: from after `://` to its last
/// `@`. `None` without `://` or without `@`.
fn userinfo_span(text: &str) -> Option<(usize, usize)> {
    let start = text.find("://")? + 3;
    let at = text[start..].rfind('@')?;
    Some((start, start + at))
}

/// Masks a user-info: the user name (up to the first `:`, which a user name cannot hold raw)
/// stays, everything after it becomes `***`. A user-info without `:` is a bare user name.
fn mask_userinfo(userinfo: &str) -> String {
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{user}:{MASK}"),
        None => userinfo.to_string(),
    }
}

/// Masks the values of password-like query parameters (`password=`, `pass=`, `pwd=`,
/// `sslpassword=`) in the part of a URL after its user-info.
fn mask_query_passwords(tail: &str) -> String {
    let Some(q) = tail.find('?') else {
        return tail.to_string();
    };
    let (head, query) = tail.split_at(q + 1);
    let (query, fragment) = match query.find('#') {
        Some(h) => query.split_at(h),
        None => (query, ""),
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_password_key(k) || k.eq_ignore_ascii_case("sslpassword") => {
                format!("{k}={MASK}")
            }
            _ => pair.to_string(),
        })
        .collect();
    format!("{head}{}{fragment}", pairs.join("&"))
}

/// Redaction of a string that is one whole URL, parsed or not (what a user passed): the
/// user-info is masked up to the LAST `@`, and password query parameters are masked. Without
/// `://` (a URL missing its scheme, `root:pw@db/app`, or with a mistyped one), everything
/// before the last `@` is taken for the user-info.
fn scrub(raw: &str) -> String {
    let span = userinfo_span(raw).or_else(|| {
        let at = raw.rfind('@')?;
        (!raw.contains("://")).then_some((0, at))
    });
    match span {
        Some((start, end)) => format!(
            "{}{}{}",
            &raw[..start],
            mask_userinfo(&raw[start..end]),
            mask_query_passwords(&raw[end..])
        ),
        None => mask_query_passwords(raw),
    }
}

/// Masks the password of every URL in `text`, the rule every printed message goes through:
/// in anything that looks like a URL (`scheme://...`), what lies between the first `:` after
/// `://` and the LAST `@` becomes `***` (the user name stays), and so do the values of
/// password query parameters.
///
/// Where a URL in running text ends is a guess: at the end of its line, or, when the URL
/// opens right after a backtick or a quote, at the last such closing character on the line
/// (a password may itself hold spaces, quotes or `@`, so neither whitespace nor the first
/// closing quote can end it). The guess errs towards masking too much: text between a URL and
/// a later `@` on the same line is masked along with the password.
pub fn redact_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let scheme_start = rest[..i]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .last()
            .map_or(i, |(p, _)| p);
        let opener = rest[..scheme_start].chars().next_back();
        let body_start = i + 3;
        let body = &rest[body_start..];
        let line_end = body.find(['\n', '\r']).unwrap_or(body.len());
        let closer = match opener {
            Some(c @ ('`' | '"' | '\'')) => Some(c),
            Some('<') => Some('>'),
            _ => None,
        };
        let end = closer
            .and_then(|c| body[..line_end].rfind(c))
            .unwrap_or(line_end);
        let url = &rest[..body_start + end];
        out.push_str(&rest[..scheme_start]);
        out.push_str(&scrub(&url[scheme_start..]));
        rest = &rest[body_start + end..];
    }
    out.push_str(rest);
    out
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

#[cfg(test)]
mod tests {
    use super::{redact_secrets, DatabaseUrl};

    #[test]
    fn raw_passwords_with_url_characters_parse_and_are_masked() {
        for (raw, password, shown) in [
            (
                "mysql://root:p/a#s?s@127.0.0.1:3306/test",
                "p/a#s?s",
                "mysql://root:***@127.0.0.1:3306/test",
            ),
            (
                "postgres://app:p@ss@w0rd@db/app",
                "p@ss@w0rd",
                "postgres://app:***@db/app",
            ),
            (
                "postgres://app:50%off@db/app",
                "50%off",
                "postgres://app:***@db/app",
            ),
            (
                "postgres://app:already%2Fencoded@db/app",
                "already/encoded",
                "postgres://app:***@db/app",
            ),
            (
                "mariadb://root:two words@db:3306/shop",
                "two words",
                "mysql://root:***@db:3306/shop",
            ),
        ] {
            let url = DatabaseUrl::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(url.password().as_deref(), Some(password), "{raw}");
            assert_eq!(url.redacted(), shown, "{raw}");
            let reparsed = url::Url::parse(url.expose()).expect("sqlx can parse it");
            assert_eq!(
                reparsed.host_str(),
                url::Url::parse(shown).unwrap().host_str()
            );
        }
    }

    #[test]
    fn unparsable_urls_are_masked_up_to_the_last_at() {
        let err = DatabaseUrl::parse("postgres://u:se/cr#et@:5432/db").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid database URL `postgres://u:***@:5432/db`: empty host"
        );
        for raw in ["root:s3cr/et@db/app", "postgres:/root:s3cr/et@db/app"] {
            let err = DatabaseUrl::parse(raw).unwrap_err();
            assert!(!err.to_string().contains("s3cr"), "{err}");
            assert!(err.to_string().contains(":***@db/app"), "{err}");
        }
    }

    #[test]
    fn redact_secrets_masks_every_url_in_text() {
        for (text, want) in [
            (
                "could not connect to `mysql://root:p/a`b@s@h:1/db`: refused",
                "could not connect to `mysql://root:***@h:1/db`: refused",
            ),
            (
                "Using postgres://app:hun ter2@db/app (from DATABASE_URL in .env)",
                "Using postgres://app:***@db/app (from DATABASE_URL in .env)",
            ),
            (
                "a \"mysql://u:x\"y@h/d\" and\nb postgres://u@h/d?sslmode=require&password=pw#f",
                "a \"mysql://u:***@h/d\" and\nb postgres://u@h/d?sslmode=require&password=***#f",
            ),
            ("no url here: a@b, c:d", "no url here: a@b, c:d"),
            (
                "already `postgres://app:***@db/app`",
                "already `postgres://app:***@db/app`",
            ),
            ("sqlite:///tmp/x@y/app.db", "sqlite:///tmp/x@y/app.db"),
        ] {
            assert_eq!(redact_secrets(text), want, "{text}");
        }
    }
}
