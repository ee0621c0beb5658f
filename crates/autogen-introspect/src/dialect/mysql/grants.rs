//! The privileges each MySQL/MariaDB account or role holds on each table and view of the
//! database, as one [`SchemaObject`] per grantee and table: the table privileges
//! (`information_schema.TABLE_PRIVILEGES`) and the column privileges
//! (`information_schema.COLUMN_PRIVILEGES`) joined into one `GRANT p, q (a, b) ON t TO
//! 'user'@'host'`, the same shape PostgreSQL's grants have (see
//! `dialect::postgres::security`). The privileges are sorted, and a column privilege's columns
//! are sorted ignoring case, as the server compares column names; they keep the spelling the
//! `GRANT` gave them (the server stores that, not the column's). The comparison key
//! (`autogen_normalize::objects::definition_key`) folds the names the same way, so the
//! declared and the read grant compare alike whatever the case of either.
//!
//! An account holding only column privileges on a table has no row in `TABLE_PRIVILEGES`, so
//! the two views are read together rather than the second joined onto the first. Whether a
//! privilege may be granted on (`IS_GRANTABLE`) is not read, for table and column privileges
//! alike.

use std::collections::BTreeMap;

use autogen_schema::{ObjectKind, SchemaObject};
use sqlx::mysql::MySqlConnection;

use crate::dialect::{each_row, CatalogRow};
use crate::{IntrospectError, IntrospectStats};

/// Grantee, table, privilege and, for a column privilege, its column (NULL for a table
/// privilege).
const GRANTS: &str = "\
SELECT CAST(GRANTEE AS CHAR), CAST(TABLE_NAME AS CHAR), CAST(PRIVILEGE_TYPE AS CHAR), \
       CAST(NULL AS CHAR) \
  FROM information_schema.TABLE_PRIVILEGES WHERE TABLE_SCHEMA = ? \
UNION ALL \
SELECT CAST(GRANTEE AS CHAR), CAST(TABLE_NAME AS CHAR), CAST(PRIVILEGE_TYPE AS CHAR), \
       CAST(COLUMN_NAME AS CHAR) \
  FROM information_schema.COLUMN_PRIVILEGES WHERE TABLE_SCHEMA = ? \
ORDER BY 1, 2, 3";

/// What one grantee holds on one table: its table privileges, and each column privilege's
/// columns.
#[derive(Default)]
struct Held {
    table: Vec<String>,
    columns: BTreeMap<String, Vec<String>>,
}

/// The grants on the tables and views of `database`, one per grantee and table.
pub(crate) async fn grants(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    database: &str,
) -> Result<Vec<SchemaObject>, IntrospectError> {
    let mut held: BTreeMap<(String, String), Held> = BTreeMap::new();
    each_row(
        conn,
        stats,
        "mysql grants",
        sqlx::query(GRANTS).bind(database).bind(database),
        |r| {
            let entry = held.entry((r.text(0)?, r.text(1)?)).or_default();
            let privilege = r.text(2)?;
            match r.opt_text(3)? {
                Some(column) => entry.columns.entry(privilege).or_default().push(column),
                None => entry.table.push(privilege),
            }
            Ok(())
        },
    )
    .await?;
    Ok(held
        .into_iter()
        .map(|((grantee, table), held)| grant(&grantee, table, held))
        .collect())
}

/// The grant object of what `grantee` holds on `table`.
fn grant(grantee: &str, table: String, held: Held) -> SchemaObject {
    let mut privileges = held.table;
    for (privilege, mut columns) in held.columns {
        columns.sort_by_key(|c| c.to_lowercase());
        let columns: Vec<String> = columns.iter().map(|c| quote(c)).collect();
        privileges.push(format!("{privilege} ({})", columns.join(", ")));
    }
    privileges.sort();
    let (user, host) = account(grantee);
    // A bare name where the host is any (`%`) or none (a MariaDB role), as the renderer
    // names them (the server reads a bare name as either).
    let q = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"));
    let any_host = host.is_empty() || host == "%";
    let to = if any_host {
        q(&user)
    } else {
        format!("{}@{}", q(&user), q(&host))
    };
    let sql = format!(
        "GRANT {} ON {} TO {to}",
        privileges.join(", "),
        quote(&table)
    );
    SchemaObject {
        kind: ObjectKind::Grant,
        // The rule of `autogen_normalize::objects::mysql_grantee`, which names declared
        // grants: `user` for any host, else `user@host`.
        name: if any_host {
            user
        } else {
            format!("{user}@{host}")
        },
        table: Some(table),
        definition: sql.clone(),
        sql,
        columns: Vec::new(),
        depends_on: Vec::new(),
    }
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

fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_column_privileges_make_one_grant() {
        let held = Held {
            table: vec!["SELECT".into()],
            columns: BTreeMap::from([
                ("UPDATE".into(), vec!["score".into()]),
                ("INSERT".into(), vec!["id".into(), "Email".into()]),
            ]),
        };
        let g = grant("'app'@'localhost'", "users".into(), held);
        assert_eq!(g.name, "app@localhost");
        assert_eq!(
            g.sql,
            "GRANT INSERT (`Email`, `id`), SELECT, UPDATE (`score`) ON `users` TO 'app'@'localhost'"
        );
        let only_columns = Held {
            table: Vec::new(),
            columns: BTreeMap::from([("SELECT".into(), vec!["b".into(), "A".into()])]),
        };
        let g = grant("'reader'@'%'", "users".into(), only_columns);
        assert_eq!(g.name, "reader");
        assert_eq!(g.sql, "GRANT SELECT (`A`, `b`) ON `users` TO 'reader'");
        assert_eq!(
            account("'app'@'localhost'"),
            ("app".into(), "localhost".into())
        );
        assert_eq!(account("'role'@''"), ("role".into(), String::new()));
    }
}
