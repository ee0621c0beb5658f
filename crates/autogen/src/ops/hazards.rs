//! Hazards in a revision being written: the database the revision is generated against is asked
//! (once, one catalog query) for its server version and the row estimates of the tables the
//! changes touch; the comparison is then rendered for that version, and each hazard gets its
//! table's estimate for its `-- hazard:` line. Only autogenerate does this: `check` and `diff`
//! render with the assumed version and write no estimates.
//!
//! The hazard rules themselves are autogen-sql's; the query is autogen-introspect's.

use autogen_db::{Connection, DatabaseUrl};
use autogen_diff::Change;
use autogen_introspect::IntrospectOptions;
use autogen_schema::TableStatistics;
use autogen_sql::Statement;

use crate::config::Config;
use crate::error::Error;
use crate::ops::{Comparison, Render};

/// Reads the server version and the row estimates of the existing tables `comparison`'s
/// changes touch.
pub(crate) async fn read_statistics(
    conn: &mut Connection,
    url: &DatabaseUrl,
    config: &Config,
    comparison: &Comparison,
) -> Result<TableStatistics, Error> {
    let mut tables: Vec<String> = comparison
        .changes
        .iter()
        .flat_map(|c| touched_tables(&comparison.from.schema, c))
        .filter(|t| comparison.from.schema.table(t).is_some())
        .collect();
    tables.sort();
    tables.dedup();
    let options = IntrospectOptions {
        exclude_tables: Vec::new(),
        pg_schema: config.pg_schema.clone(),
        pg_schemas: config.pg_schemas(),
    };
    autogen_introspect::table_statistics(conn, &options, &tables)
        .await
        .map_err(|source| Error::Introspect {
            url: url.redacted(),
            source,
        })
}

/// Renders `comparison` for the server `statistics` names, in the `safety` mode with online
/// mode's `lock_timeout` (the dialect's default when `None`), and gives every hazard its table's
/// row estimate (a table renamed by the changes is found under its old name).
pub fn render_with_statistics(
    comparison: &mut Comparison,
    statistics: &TableStatistics,
    safety: autogen_sql::Safety,
    lock_timeout: Option<autogen_sql::LockTimeout>,
) -> Result<(), Error> {
    let target = autogen_sql::Target {
        server: statistics.server,
        safety,
        lock_timeout,
    };
    comparison.render(Render::Both, target)?;
    let renames: Vec<(String, String)> = comparison
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::RenameTable { from, to } => Some((to.clone(), from.clone())),
            _ => None,
        })
        .collect();
    let fill = |statements: &mut [Statement]| {
        for hazard in statements.iter_mut().filter_map(|s| s.hazard.as_mut()) {
            let old = renames
                .iter()
                .find(|(new, _)| *new == hazard.table)
                .map(|(_, old)| old.as_str());
            hazard.rows = statistics
                .rows
                .get(&hazard.table)
                .or_else(|| old.and_then(|o| statistics.rows.get(o)))
                .copied()
                .or(Some(autogen_schema::RowEstimate::Unknown));
        }
    };
    fill(&mut comparison.upgrade);
    fill(&mut comparison.downgrade);
    Ok(())
}

/// Online mode's row threshold for SQLite table rebuilds (`sqlite_rebuild_rows`): a rebuild of
/// a table with fewer rows than `limit` is written with a note instead of a hazard. Nothing
/// happens in the default mode, nor to a hazard without a row estimate. Call it after
/// [`render_with_statistics`].
pub fn settle_small_rebuilds(comparison: &mut Comparison, safety: autogen_sql::Safety, limit: u64) {
    if safety == autogen_sql::Safety::Online {
        autogen_sql::settle_small_rebuilds(&mut comparison.upgrade, limit);
        autogen_sql::settle_small_rebuilds(&mut comparison.downgrade, limit);
    }
}

/// The tables a change names (both for a rename; for an enum, the tables of `schema` with a
/// column of its type).
fn touched_tables(schema: &autogen_schema::Schema, change: &Change) -> Vec<String> {
    match change {
        Change::RenameTable { from, to } => vec![from.clone(), to.clone()],
        Change::AlterEnum { to, .. } => schema
            .tables
            .iter()
            .filter(|t| {
                t.columns.iter().any(|c| {
                    matches!(&c.ty, autogen_schema::ColumnType::Enum { name, .. } if *name == to.name)
                })
            })
            .map(|t| t.name.clone())
            .collect(),
        other => other.table().map(str::to_string).into_iter().collect(),
    }
}
