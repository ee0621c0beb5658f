//! `measure`: autogen's phases timed in process on a prepared project, each repetition in the
//! same order, plus the bulk-catalog floor on a fresh connection. One warm-up round first, so
//! the server's catalog caches are equally warm for autogen and the floor.
//!
//! Phases: `models` (read and parse every model file), `introspect` (the catalog queries and the
//! IR, connection already open), `diff` (canonicalise the models, diff), `render` (upgrade and
//! downgrade SQL: the rest of `ops::plan`), `check` (the library's whole `ops::check`,
//! models and catalog read concurrently, connect included), `floor`.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use autogen::ops;
use autogen::Project;
use autogen_diff::DiffOptions;
use serde_json::json;

pub async fn measure(dir: &Path, reps: usize) -> Result<serde_json::Value> {
    let project = Project::load(dir, None)
        .with_context(|| format!("cannot load the project in {}", dir.display()))?;
    let dialect = project.dialect();
    let reps = reps.max(1);

    // Warm-up (not recorded).
    let server_settings;
    {
        let mut conn = project.connect().await?;
        server_settings = match autogen_bench::server::table_caches(&mut conn).await? {
            Some(c) => format!(
                "table_open_cache={}, table_definition_cache={}",
                c.open, c.definition
            ),
            None => String::new(),
        };
        ops::introspect(&project, &mut conn).await?;
        autogen_bench::floor::fetch(&mut conn).await?;
        let _ = conn.close().await;
    }

    let mut times: [(&str, Vec<f64>); 6] = [
        ("models", Vec::new()),
        ("introspect", Vec::new()),
        ("diff", Vec::new()),
        ("render", Vec::new()),
        ("check", Vec::new()),
        ("floor", Vec::new()),
    ];
    let mut changes = 0;
    let mut floor_rows = autogen_bench::floor::FloorRows::default();
    let mut tables = 0;
    for _ in 0..reps {
        let t = Instant::now();
        let models = project.read_models()?;
        times[0].1.push(t.elapsed().as_secs_f64());

        let mut conn = project.connect().await?;
        let t = Instant::now();
        let schema = ops::introspect(&project, &mut conn).await?;
        times[1].1.push(t.elapsed().as_secs_f64());
        let _ = conn.close().await;
        tables = schema.tables.len();

        let t = Instant::now();
        let mut target = models.schema;
        autogen_sql::canonicalize_in_place(dialect, &mut target);
        let options = DiffOptions {
            constraint_renames: autogen_sql::constraint_renames(dialect),
            object_rules: autogen_sql::object_rules(dialect),
            ..DiffOptions::new(dialect, models.renames)
        };
        let found = autogen_diff::diff(&schema, &target, &options)?;
        times[2].1.push(t.elapsed().as_secs_f64());
        changes = found.len();

        let t = Instant::now();
        let rendered = autogen_sql::render_upgrade_downgrade(dialect, &schema, &found)?;
        times[3].1.push(t.elapsed().as_secs_f64());
        std::hint::black_box(rendered);

        let t = Instant::now();
        let report = ops::check::check(&project, &ops::check::CheckOptions::default()).await?;
        times[4].1.push(t.elapsed().as_secs_f64());
        std::hint::black_box(report);

        let mut conn = project.connect().await?;
        let t = Instant::now();
        floor_rows = autogen_bench::floor::fetch(&mut conn).await?;
        times[5].1.push(t.elapsed().as_secs_f64());
        let _ = conn.close().await;
    }

    let mut phases = serde_json::Map::new();
    for (name, samples) in times {
        phases.insert(name.to_string(), json!(samples));
    }
    Ok(json!({
        "dialect": dialect.name(),
        "tables": tables,
        "changes": changes,
        "floor_queries": floor_rows.queries,
        "floor_rows": floor_rows.rows,
        "server_settings": server_settings,
        "phases": phases,
    }))
}
