//! The server's version and the row estimates of some tables ([`TableStatistics`]), read in one
//! query per dialect (never one per table) and only when a revision is being written: the
//! renderer's hazard rules depend on the version, and each `-- hazard:` line names its table's
//! estimated rows. Introspection itself does not read them, so `check` and the 5,000-table
//! benchmark pay nothing for them.
//!
//! The estimates are the catalog's: PostgreSQL `pg_class.reltuples` (-1, never analyzed or
//! vacuumed, is "unknown"), MySQL/MariaDB `information_schema.TABLES.TABLE_ROWS` (InnoDB's
//! sampled estimate), SQLite an exact `count(*)` of each table asked for (SQLite keeps no
//! estimate unless `ANALYZE` ran, and `sqlite_stat1` may not exist), all in one compound query.

use autogen_db::Connection;
use autogen_schema::{RowEstimate, ServerVersion, TableStatistics};

use crate::dialect::{each_row, CatalogRow};
use crate::{IntrospectError, IntrospectOptions, IntrospectStats};

/// SQLite's limit on the terms of one compound SELECT is 500 by default; more tables than this
/// are counted in several queries (still a fixed number per this many tables).
const SQLITE_COUNTS_PER_QUERY: usize = 400;

/// The server's version and the estimated rows of `tables` (keyed like
/// [`autogen_schema::Table::name`]: `schema.name` for a PostgreSQL table outside the default
/// schema), each a table the database has (SQLite counts them by name, and a missing one fails
/// the query). A table the catalog does not list is left out.
pub async fn table_statistics(
    conn: &mut Connection,
    options: &IntrospectOptions,
    tables: &[String],
) -> Result<TableStatistics, IntrospectError> {
    table_statistics_with_stats(conn, options, tables)
        .await
        .map(|(s, _)| s)
}

/// [`table_statistics`], also counting its queries (one, whatever the number of tables).
pub async fn table_statistics_with_stats(
    conn: &mut Connection,
    options: &IntrospectOptions,
    tables: &[String],
) -> Result<(TableStatistics, IntrospectStats), IntrospectError> {
    let mut stats = IntrospectStats::default();
    let mut out = TableStatistics::default();
    match conn {
        Connection::Postgres(c) => {
            let default = options.pg_schema.as_deref().unwrap_or("public").to_string();
            let schemas: Vec<String> = std::iter::once(default.clone())
                .chain(options.pg_schemas.iter().cloned())
                .collect();
            let bare: Vec<String> = tables
                .iter()
                .map(|t| match t.split_once('.') {
                    Some((schema, name)) if schemas.iter().any(|s| s == schema) => name.to_string(),
                    _ => t.clone(),
                })
                .collect();
            let sql = "SELECT current_setting('server_version_num')::int8, n.nspname::text, \
                       c.relname::text, c.reltuples::float8 \
                       FROM (SELECT 1) v LEFT JOIN (pg_class c JOIN pg_namespace n \
                       ON n.oid = c.relnamespace AND n.nspname = ANY($1) \
                       AND c.relkind IN ('r', 'p') AND c.relname = ANY($2)) ON true";
            let query = sqlx::query(sql).bind(&schemas).bind(&bare);
            each_row(c, &mut stats, "postgres row estimates", query, |r| {
                let version: i64 = r.get(0)?;
                out.server = ServerVersion::from_postgres_num(version);
                let schema: Option<String> = r.get(1)?;
                let name: Option<String> = r.get(2)?;
                let tuples: Option<f64> = r.get(3)?;
                if let (Some(schema), Some(name), Some(tuples)) = (schema, name, tuples) {
                    let key = if schema == default {
                        name
                    } else {
                        format!("{schema}.{name}")
                    };
                    let estimate = if tuples < 0.0 {
                        RowEstimate::Unknown
                    } else {
                        RowEstimate::Rows(tuples.round() as u64)
                    };
                    out.rows.insert(key, estimate);
                }
                Ok(())
            })
            .await?;
        }
        Connection::Mysql(c) => {
            // The names are bound: MariaDB then reads the statistics of those tables only,
            // rather than of every table of the database.
            let names = if tables.is_empty() {
                "FALSE".to_string()
            } else {
                format!("t.TABLE_NAME IN ({})", vec!["?"; tables.len()].join(", "))
            };
            let sql = format!(
                "SELECT VERSION(), t.TABLE_NAME, t.TABLE_ROWS FROM (SELECT 1 AS one) v \
                 LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = DATABASE() \
                 AND t.TABLE_TYPE = 'BASE TABLE' AND {names}"
            );
            let mut query = sqlx::query(&sql);
            for table in tables {
                query = query.bind(table);
            }
            each_row(c, &mut stats, "mysql row estimates", query, |r| {
                out.server = ServerVersion::from_mysql_text(&r.text(0)?);
                if let Some(name) = r.opt_text(1)? {
                    if tables.contains(&name) {
                        let estimate = match r.opt_int(2)? {
                            Some(n) => RowEstimate::Rows(u64::try_from(n).unwrap_or(0)),
                            None => RowEstimate::Unknown,
                        };
                        out.rows.insert(name, estimate);
                    }
                }
                Ok(())
            })
            .await?;
        }
        Connection::Sqlite(c) => {
            let existing: Vec<&String> = tables.iter().collect();
            let mut chunks: Vec<&[&String]> = existing.chunks(SQLITE_COUNTS_PER_QUERY).collect();
            if chunks.is_empty() {
                chunks.push(&[]);
            }
            for chunk in chunks {
                let mut sql = String::from("SELECT sqlite_version(), NULL, NULL");
                for table in chunk {
                    let quoted = format!("\"{}\"", table.replace('"', "\"\""));
                    let literal = format!("'{}'", table.replace('\'', "''"));
                    sql.push_str(&format!(
                        " UNION ALL SELECT NULL, {literal}, (SELECT count(*) FROM {quoted})"
                    ));
                }
                let result = each_row(c, &mut stats, "sqlite row counts", sqlx::query(&sql), |r| {
                    if let Some(version) = r.opt_text(0)? {
                        out.server = ServerVersion::from_sqlite_text(&version);
                    }
                    if let (Some(name), Some(n)) = (r.opt_text(1)?, r.opt_int(2)?) {
                        out.rows
                            .insert(name, RowEstimate::Rows(u64::try_from(n).unwrap_or(0)));
                    }
                    Ok(())
                })
                .await;
                result?;
            }
        }
    }
    Ok((out, stats))
}
