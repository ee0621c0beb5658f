//! MySQL's and MariaDB's functions, procedures and events as [`SchemaObject`]s (grants are
//! `mysql/grants.rs`).
//!
//! Routines and events are listed from `information_schema.ROUTINES` / `EVENTS` and each is read
//! with `SHOW CREATE FUNCTION|PROCEDURE|EVENT` (the server keeps a routine's body as written, so
//! the caller compares these by their tokens, like triggers). The `DEFINER = ...` clause is left
//! out of the statement (the account that runs a revision defines the object), and so is a
//! repeating event's `STARTS '...'` when it is the time the event was created (or last altered):
//! the server fills that in where the statement names no other start, and it would differ
//! between any two prints. A `STARTS` at any other time was written by someone, so it stays, is
//! compared and is made again by a downgrade (`autogen_normalize::objects::classify` refuses a
//! declared start relative to the time of creation, `STARTS CURRENT_TIMESTAMP + INTERVAL ...`,
//! which no catalog keeps).

use autogen_schema::{ObjectKind, SchemaObject};
use sqlx::mysql::MySqlConnection;
use sqlx::Row;

use crate::dialect::{each_row, CatalogRow};
use crate::{IntrospectError, IntrospectStats};

/// Kind, name, and for an event whether its `STARTS` is the time it was created or last
/// altered (its `STARTS` shows in the event's time zone, `CREATED` and `LAST_ALTERED` in the
/// session's; a zone the server cannot convert compares unconverted).
const LIST: &str = "\
SELECT CAST(ROUTINE_TYPE AS CHAR), CAST(ROUTINE_NAME AS CHAR), 0 \
  FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? \
UNION ALL \
SELECT CAST('EVENT' AS CHAR), CAST(EVENT_NAME AS CHAR), \
       CASE WHEN coalesce(CONVERT_TZ(STARTS, TIME_ZONE, @@session.time_zone), STARTS) \
                 IN (CREATED, LAST_ALTERED) THEN 1 ELSE 0 END \
  FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? \
ORDER BY 1, 2";

/// The functions, procedures and events of `database`.
pub(crate) async fn routines(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    database: &str,
) -> Result<Vec<SchemaObject>, IntrospectError> {
    let mut listed: Vec<(String, String, bool)> = Vec::new();
    each_row(
        conn,
        stats,
        "mysql routines",
        sqlx::query(LIST).bind(database).bind(database),
        |r| {
            listed.push((r.text(0)?, r.text(1)?, r.int(2)? != 0));
            Ok(())
        },
    )
    .await?;
    let mut out = Vec::new();
    for (kind, name, starts_when_created) in listed {
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
        if kind == ObjectKind::Event && starts_when_created {
            sql = without_start(&sql);
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
    Ok(out)
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
fn without_start(sql: &str) -> String {
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
    fn definers_and_starts_are_left_out() {
        assert_eq!(
            without_definer(
                "CREATE DEFINER=`root`@`localhost` FUNCTION `f`() RETURNS int RETURN 1"
            ),
            "CREATE FUNCTION `f`() RETURNS int RETURN 1"
        );
        assert_eq!(
            without_start(
                "CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY STARTS '2026-12-07 08:00:00' ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM a"
            ),
            "CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM a"
        );
    }
}
