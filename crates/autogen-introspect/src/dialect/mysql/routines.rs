//! MySQL's and MariaDB's functions, procedures and events, and the table privileges of each
//! account, as [`SchemaObject`]s.
//!
//! Routines and events are listed from `information_schema.ROUTINES` / `EVENTS` and each is read
//! with `SHOW CREATE FUNCTION|PROCEDURE|EVENT` (the server keeps a routine's body as written, so
//! the caller compares these by their tokens, like triggers). The `DEFINER = ...` clause is left
//! out of the statement (the account that runs a revision defines the object), and so is an
//! event's `STARTS '...'` when the schedule repeats: the server fills in the creation time
//! there, which would differ between any two prints. Grants come from
//! `information_schema.TABLE_PRIVILEGES`, one object per account and table, rebuilt as
//! `GRANT p, q ON t TO 'user'@'host'` with the privileges sorted.

use std::collections::BTreeMap;

use autogen_schema::{ObjectKind, SchemaObject};
use sqlx::mysql::MySqlConnection;
use sqlx::Row;

use crate::dialect::{each_row, CatalogRow};
use crate::{IntrospectError, IntrospectStats};

const LIST: &str = "\
SELECT CAST(ROUTINE_TYPE AS CHAR), CAST(ROUTINE_NAME AS CHAR) \
  FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? \
UNION ALL \
SELECT CAST('EVENT' AS CHAR), CAST(EVENT_NAME AS CHAR) \
  FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? \
ORDER BY 1, 2";

const GRANTS: &str = "\
SELECT CAST(GRANTEE AS CHAR), CAST(TABLE_NAME AS CHAR), CAST(PRIVILEGE_TYPE AS CHAR) \
  FROM information_schema.TABLE_PRIVILEGES WHERE TABLE_SCHEMA = ? \
ORDER BY 1, 2, 3";

/// The functions, procedures, events and grants of `database`.
pub(crate) async fn routines(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    database: &str,
) -> Result<Vec<SchemaObject>, IntrospectError> {
    let mut listed: Vec<(String, String)> = Vec::new();
    each_row(
        conn,
        stats,
        "mysql routines",
        sqlx::query(LIST).bind(database).bind(database),
        |r| {
            listed.push((r.text(0)?, r.text(1)?));
            Ok(())
        },
    )
    .await?;
    let mut out = Vec::new();
    for (kind, name) in listed {
        let (kind, column) = match kind.as_str() {
            "FUNCTION" => (ObjectKind::Function, "Create Function"),
            "PROCEDURE" => (ObjectKind::Procedure, "Create Procedure"),
            _ => (ObjectKind::Event, "Create Event"),
        };
        let query = format!(
            "SHOW CREATE {} {}.{}",
            kind.label().to_uppercase(),
            quote(database),
            quote(&name)
        );
        stats.queries += 1;
        let row = sqlx::raw_sql(&query)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| IntrospectError::Query {
                query: "mysql show create routine",
                message: e.to_string(),
            })?;
        let text: Option<String> = row
            .try_get::<Option<String>, _>(column)
            .or_else(|_| {
                row.try_get::<Option<Vec<u8>>, _>(column)
                    .map(|b| b.map(|b| String::from_utf8_lossy(&b).into_owned()))
            })
            .map_err(|e| IntrospectError::Decode {
                query: "mysql show create routine",
                column: 2,
                message: e.to_string(),
            })?;
        // NULL when the account may not read the body: the object is still listed, by name.
        let text = text.unwrap_or_default();
        let mut sql = without_definer(&text);
        if kind == ObjectKind::Event {
            sql = without_repeating_start(&sql);
        }
        out.push(SchemaObject {
            kind,
            name,
            table: None,
            definition: sql.clone(),
            sql,
            columns: Vec::new(),
            depends_on: Vec::new(),
        });
    }
    let mut grants: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    each_row(
        conn,
        stats,
        "mysql grants",
        sqlx::query(GRANTS).bind(database),
        |r| {
            grants
                .entry((r.text(0)?, r.text(1)?))
                .or_default()
                .push(r.text(2)?);
            Ok(())
        },
    )
    .await?;
    for ((grantee, table), mut privileges) in grants {
        privileges.sort();
        let (user, host) = account(&grantee);
        // A bare name where the host is any (`%`) or none (a MariaDB role), as the renderer
        // names them (the server reads a bare name as either).
        let q = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"));
        let to = if host.is_empty() || host == "%" {
            q(&user)
        } else {
            format!("{}@{}", q(&user), q(&host))
        };
        let sql = format!(
            "GRANT {} ON {} TO {to}",
            privileges.join(", "),
            quote(&table)
        );
        out.push(SchemaObject {
            kind: ObjectKind::Grant,
            // The rule of `autogen_normalize::objects::mysql_grantee`, which names declared
            // grants: `user` for any host, else `user@host`.
            name: if host.is_empty() || host == "%" {
                user
            } else {
                format!("{user}@{host}")
            },
            table: Some(table),
            definition: sql.clone(),
            sql,
            columns: Vec::new(),
            depends_on: Vec::new(),
        });
    }
    Ok(out)
}

/// `'user'@'host'` as `(user, host)`.
fn account(grantee: &str) -> (String, String) {
    let unquote = |s: &str| {
        s.trim()
            .trim_start_matches('\'')
            .trim_end_matches('\'')
            .replace("''", "'")
    };
    match grantee.rsplit_once("'@'") {
        Some((user, host)) => (unquote(user), unquote(host)),
        None => (unquote(grantee), String::new()),
    }
}

/// `CREATE DEFINER=`u`@`h` FUNCTION ...` as `CREATE FUNCTION ...`.
fn without_definer(text: &str) -> String {
    let Some(at) = text.find("DEFINER=") else {
        return text.trim().to_string();
    };
    let rest = &text[at..];
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let rest = rest[end..].trim_start();
    format!("{}{rest}", &text[..at]).trim().to_string()
}

/// An event's `ON SCHEDULE EVERY ... STARTS '...'` without the `STARTS '...'` (see the module
/// comment); `AT '...'` schedules and `ENDS` stay.
fn without_repeating_start(sql: &str) -> String {
    if !sql.contains(" EVERY ") {
        return sql.to_string();
    }
    let Some(at) = sql.find(" STARTS '") else {
        return sql.to_string();
    };
    let value = at + " STARTS '".len();
    match sql[value..].find('\'') {
        Some(end) => format!("{}{}", &sql[..at], &sql[value + end + 1..]),
        None => sql.to_string(),
    }
}

fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definers_and_repeating_starts_are_left_out() {
        assert_eq!(
            without_definer(
                "CREATE DEFINER=`root`@`localhost` FUNCTION `f`() RETURNS int RETURN 1"
            ),
            "CREATE FUNCTION `f`() RETURNS int RETURN 1"
        );
        assert_eq!(
            without_repeating_start(
                "CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY STARTS '2026-12-07 08:00:00' ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM a"
            ),
            "CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM a"
        );
        assert_eq!(
            account("'app'@'localhost'"),
            ("app".into(), "localhost".into())
        );
    }
}
