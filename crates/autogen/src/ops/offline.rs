//! Offline mode (`autogen upgrade --sql`, `autogen downgrade --sql`): the exact SQL a run would
//! execute, version-table updates included, written as one script without connecting to any
//! database. The dialect comes from the configured URL's scheme; the starting point comes from
//! the range (`FROM:TO`) because there is no database to read it from.
//!
//! The statements are split by the same function the runner uses, so running the script by hand
//! does what `autogen upgrade` would do (tested statement by statement and by result on every
//! dialect). This file only parses the range; the script itself is autogen-revisions' job.

use crate::error::Error;
use crate::project::{pg_schema_search_path, Project};

/// `[FROM:]TO` for `upgrade --sql`: FROM defaults to `base`.
pub fn upgrade_sql(project: &Project, range: &str) -> Result<String, Error> {
    let (from, to) = match range.split_once(':') {
        Some((from, to)) => (from, to),
        None => ("base", range),
    };
    let set = project.load_revisions()?;
    let script = autogen_revisions::upgrade_script(
        &set,
        project.dialect(),
        nonempty(from, "base"),
        nonempty(to, "head"),
    )?;
    Ok(in_pg_schema(project, script))
}

/// The script with the search path the runner sets for a `pg_schema` project in front of it, so
/// run by hand it lands in the same schema.
fn in_pg_schema(project: &Project, script: String) -> String {
    match pg_schema_search_path(project.dialect(), project.config.pg_schema.as_deref()) {
        Some(sql) => format!("{sql};\n\n{script}"),
        None => script,
    }
}

/// `FROM:TO` for `downgrade --sql`: both ends are required, since a relative step like `-1`
/// needs to know where the database is.
pub fn downgrade_sql(project: &Project, range: &str) -> Result<String, Error> {
    let Some((from, to)) = range.split_once(':') else {
        return Err(Error::Usage {
            message: format!("`downgrade --sql {range}` needs the starting revision too"),
            help: format!(
                "write the range as FROM:TO, e.g. `autogen downgrade --sql head:{range}` (offline mode cannot read where the database is)"
            ),
        });
    };
    let set = project.load_revisions()?;
    let from = nonempty(from, "head");
    // `FROM:-N` counts back from FROM, as `downgrade -N` counts back from the database.
    let to = match nonempty(to, "base") {
        steps if steps.starts_with('-') => format!("{from}{steps}"),
        to => to.to_string(),
    };
    let script = autogen_revisions::downgrade_script(&set, project.dialect(), from, &to)?;
    Ok(in_pg_schema(project, script))
}

fn nonempty<'a>(s: &'a str, default: &'a str) -> &'a str {
    if s.trim().is_empty() {
        default
    } else {
        s.trim()
    }
}
