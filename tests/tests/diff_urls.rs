//! `autogen diff URL_A URL_B` for every golden fixture on every dialect whose server is
//! configured (SQLite always), through the library call the command makes: A is created from
//! `before.rs`, B and a copy of it from `after.rs` (each by running `render_create_schema` of the
//! canonical models). Running the diff's SQL on A must make A equal to B, and running the
//! `--downgrade` SQL on the copy of B must make it equal to A. "Equal" is the diff itself
//! finding nothing. (The binary's exit codes are covered in crates/autogen-cli/tests/check.rs.)
//!
//! Two databases carry no rename hints, so a declared rename becomes a drop and an add; where
//! the dialect refuses that add (a NOT NULL column without a default, on SQLite) the diff is
//! refused with a hint. That refusal is accepted only for cases that declare renames or that
//! autogenerate itself refuses on the dialect; anywhere else it fails the test.

use autogen::diff::DiffOptions;
use autogen::models::ModelSet;
use autogen::ops::diff::{diff, SchemaDiff};
use autogen::ops::{SchemaSource, Sources};
use autogen::schema::Dialect;
use autogen::sql::{RenderError, Statement};
use autogen_tests::db::Scratch;
use autogen_tests::fixtures::{cases, expected_revision_assumed, Case};
use autogen_tests::report;

/// A scratch database holding the canonical form of `models`.
async fn database(dialect: Dialect, models: &ModelSet) -> Result<Option<Scratch>, String> {
    let Some(scratch) = Scratch::create(dialect).await? else {
        return Ok(None);
    };
    let schema = autogen::sql::canonicalize(dialect, &models.schema);
    let statements =
        autogen::sql::render_create_schema(dialect, &schema).map_err(|e| e.to_string())?;
    run(&scratch, &statements).await?;
    Ok(Some(scratch))
}

async fn run(scratch: &Scratch, statements: &[Statement]) -> Result<(), String> {
    let mut conn = scratch.connect().await?;
    if conn.dialect() == Dialect::Sqlite {
        // As autogen's runner and the `sqlite3` shell run SQLite scripts: a table rebuild copies
        // rows into a table whose foreign keys may name a table created later in the script.
        conn.execute_script("PRAGMA foreign_keys = OFF")
            .await
            .map_err(|e| e.to_string())?;
    }
    for s in statements {
        if let Err(e) = conn.execute_script(&s.sql).await {
            let _ = conn.close().await;
            return Err(format!("{}: {e}", s.sql));
        }
    }
    let _ = conn.close().await;
    Ok(())
}

/// Why a case did not get to compare its databases.
enum Outcome {
    Compared,
    Refused,
    Skipped,
}

async fn url_diff(from: &Scratch, to: &Scratch, reverse: bool) -> Result<SchemaDiff, Failure> {
    diff(
        &Sources::urls_only(),
        &SchemaSource::Database(from.url().clone()),
        &SchemaSource::Database(to.url().clone()),
        reverse,
    )
    .await
    .map_err(|e| match e {
        autogen::Error::Render(RenderError::Unsupported { .. }) => Failure::Refused(e.to_string()),
        e => Failure::Other(e.to_string()),
    })
}

enum Failure {
    /// The renderer refused a change with a hint.
    Refused(String),
    Other(String),
}

impl From<String> for Failure {
    fn from(e: String) -> Failure {
        Failure::Other(e)
    }
}

/// Whether the diff may be refused on `dialect`: the case declares renames (which two databases
/// cannot know about) or autogenerate refuses it too.
fn refusal_expected(case: &Case, dialect: Dialect) -> Result<bool, String> {
    let renames = case.after_models()?.renames;
    let declares = !renames.tables.is_empty() || !renames.columns.is_empty();
    Ok(declares || expected_revision_assumed(case, dialect)?.starts_with("-- autogenerate fails"))
}

async fn expect_equal(a: &Scratch, b: &Scratch, what: &str) -> Result<(), Failure> {
    let left = url_diff(a, b, false).await?;
    if left.changes.is_empty() {
        Ok(())
    } else {
        let changes: Vec<String> = left.changes.iter().map(|c| c.describe()).collect();
        Err(Failure::Other(format!(
            "{what}: still differs: {}",
            changes.join("; ")
        )))
    }
}

async fn case_on(case: &Case, dialect: Dialect) -> Result<Outcome, String> {
    let before = case.before_models()?;
    let after = case.after_models()?;
    // A schema the dialect cannot create at all (a partial index on MySQL) has nothing to diff.
    for models in [&before, &after] {
        let schema = autogen::sql::canonicalize(dialect, &models.schema);
        if let Err(e) = autogen::sql::render_create_schema(dialect, &schema) {
            if refusal_expected(case, dialect)? {
                println!(
                    "[{} / {dialect}] cannot be created, as expected: {e}",
                    case.name
                );
                return Ok(Outcome::Refused);
            }
            return Err(format!("cannot create the schema: {e}"));
        }
    }
    let Some(a) = database(dialect, &before).await? else {
        return Ok(Outcome::Skipped);
    };
    let Some(b) = database(dialect, &after).await? else {
        return Ok(Outcome::Skipped);
    };
    let Some(b_copy) = database(dialect, &after).await? else {
        return Ok(Outcome::Skipped);
    };
    let result = async {
        // --downgrade first, while A is still the starting schema: it turns B's copy into A.
        let down = url_diff(&a, &b, true).await?;
        run(&b_copy, &down.statements)
            .await
            .map_err(|e| format!("running the --downgrade SQL: {e}"))?;
        expect_equal(&b_copy, &a, "B after the --downgrade SQL vs A").await?;

        let up = url_diff(&a, &b, false).await?;
        // Only where the dialect can tell the two apart (SQLite stores no comments, say).
        let canonical = |m: &ModelSet| autogen::sql::canonicalize(dialect, &m.schema);
        let expected = autogen::diff::diff(
            &canonical(&before),
            &canonical(&after),
            &DiffOptions {
                constraint_renames: autogen::sql::constraint_renames(dialect),
                object_rules: autogen::sql::object_rules(dialect),
                ..DiffOptions::new(dialect, after.renames.clone())
            },
        )
        .map_err(|e| e.to_string())?;
        if up.changes.is_empty() && !expected.is_empty() {
            return Err(Failure::Other(
                "no differences found between A and B".to_string(),
            ));
        }
        run(&a, &up.statements)
            .await
            .map_err(|e| format!("running the diff SQL: {e}"))?;
        expect_equal(&a, &b, "A after the diff SQL vs B").await
    }
    .await;
    a.drop_now().await;
    b.drop_now().await;
    b_copy.drop_now().await;
    match result {
        Ok(()) => Ok(Outcome::Compared),
        Err(Failure::Refused(e)) if refusal_expected(case, dialect)? => {
            println!("[{} / {dialect}] refused as expected: {e}", case.name);
            Ok(Outcome::Refused)
        }
        Err(Failure::Refused(e) | Failure::Other(e)) => Err(e),
    }
}

async fn every_case(dialect: Dialect) {
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases() {
        // A case the dialect cannot apply at all (`unsupported.txt`) has no database to diff.
        if case.unsupported_reason(dialect).is_some() {
            continue;
        }
        match case_on(&case, dialect).await {
            Ok(Outcome::Compared) => ran += 1,
            Ok(Outcome::Refused) => {}
            Ok(Outcome::Skipped) => return,
            Err(e) => failures.push(format!("[{} / {dialect}] {e}", case.name)),
        }
    }
    report(failures);
    assert!(ran >= 25, "only {ran} cases ran on {dialect}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_urls_sqlite() {
    every_case(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_urls_postgres() {
    every_case(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_urls_mysql() {
    every_case(Dialect::Mysql).await;
}
