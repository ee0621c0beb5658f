//! `cargo xtask bench-online`: the write-availability bench. For each server (PostgreSQL,
//! MariaDB/MySQL) and each mode (`default`, `online`) the release-built `autogen-bench online`
//! loads a table of `--rows` rows (default 1,000,000), writes a revision that adds an index, a
//! foreign key, a CHECK and a NOT NULL, and runs `autogen upgrade` while a writer inserts and
//! updates rows; this prints the writer's longest stall and p99 latency during the upgrade for
//! both modes side by side and writes them to `<out>/online.md`.
//!
//! Options: `--rows N`, `--dialects postgres,mysql`, `--modes default,online`, `--out bench-out`.
//! Server URLs come from `AUTOGEN_TEST_POSTGRES_URL` / `AUTOGEN_TEST_MYSQL_URL`. Nothing here
//! asserts a timing.

use anyhow::{bail, Context, Result};
use serde_json::Value;

use super::{bench_json, build_release, server_url};
use crate::root;

pub fn run(args: &[String]) -> Result<()> {
    let mut rows = 1_000_000usize;
    let mut dialects = vec!["postgres".to_string(), "mysql".to_string()];
    let mut modes = vec!["default".to_string(), "online".to_string()];
    let mut out = root().join("bench-out");
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => {
                rows = value()?
                    .replace('_', "")
                    .parse()
                    .context("--rows takes a number")?
            }
            "--dialects" => dialects = value()?.split(',').map(|s| s.trim().into()).collect(),
            "--modes" => modes = value()?.split(',').map(|s| s.trim().into()).collect(),
            "--out" => out = root().join(value()?),
            other => bail!(
                "unknown option {other}; usage: cargo xtask bench-online [--rows 1000000] \
                 [--dialects postgres,mysql] [--modes default,online] [--out bench-out]"
            ),
        }
    }
    for d in &dialects {
        if server_url(d).is_none() {
            bail!("unknown dialect {d:?}: the bench runs on postgres and mysql");
        }
    }
    std::fs::create_dir_all(&out)?;
    let bin = build_release()?;
    let autogen = bin.join("autogen").display().to_string();
    let rows_s = rows.to_string();

    let mut results: Vec<Value> = Vec::new();
    for dialect in &dialects {
        let server = server_url(dialect).unwrap_or_default();
        // MySQL/MariaDB add a foreign key and a CHECK only by copying the table, in either mode;
        // the `inplace` set (index and NOT NULL) shows what online mode does where it can.
        let sets: &[&str] = if dialect == "mysql" {
            &["full", "inplace"]
        } else {
            &["full"]
        };
        for (mode, changes) in modes.iter().flat_map(|m| sets.iter().map(move |c| (m, *c))) {
            eprintln!("bench-online: {dialect}, {mode} mode, {changes} changes, {rows} rows");
            let dir = out.join(format!("online-{dialect}-{mode}-{changes}"));
            let dir_s = dir.display().to_string();
            let r = bench_json(
                &bin,
                &[
                    "online",
                    "--dialect",
                    dialect,
                    "--server",
                    &server,
                    "--rows",
                    &rows_s,
                    "--mode",
                    mode,
                    "--changes",
                    changes,
                    "--autogen",
                    &autogen,
                    "--dir",
                    &dir_s,
                ],
            );
            let r = match r {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("bench-online: {dialect} {mode}: {e:#}");
                    serde_json::json!({ "dialect": dialect, "mode": mode, "changes": changes, "error": format!("{e:#}") })
                }
            };
            if let Some(rev) = r["revision"].as_str() {
                let path = out.join(format!("online-{dialect}-{mode}-{changes}.sql"));
                std::fs::write(&path, rev)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            results.push(r);
        }
    }
    let text = markdown(rows, &results);
    println!("{text}");
    let path = out.join("online.md");
    std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "bench-online: wrote {} (revisions beside it)",
        path.display()
    );
    Ok(())
}

fn markdown(rows: usize, results: &[Value]) -> String {
    let mut s = format!(
        "Write availability during `autogen upgrade` on a table of {rows} rows (writer: one \
         INSERT or UPDATE at a time; milliseconds). Changes `full`: an index, a foreign key, a \
         CHECK and a NOT NULL; `inplace`: the index and the NOT NULL only.\n\n\
         | dialect | mode | changes | upgrade s | writes during | longest stall ms | p99 ms | p50 ms | write errors | check exit |\n\
         |---|---|---|---|---|---|---|---|---|---|\n"
    );
    for r in results {
        if let Some(e) = r["error"].as_str() {
            let first = e.lines().next().unwrap_or_default();
            s.push_str(&format!(
                "| {} | {} | {} | failed: {} |||||||\n",
                r["dialect"].as_str().unwrap_or_default(),
                r["mode"].as_str().unwrap_or_default(),
                r["changes"].as_str().unwrap_or_default(),
                first.replace('|', "\\|")
            ));
            continue;
        }
        let f = |k: &str, digits: usize| {
            r[k].as_f64()
                .map(|v| format!("{v:.digits$}"))
                .unwrap_or_default()
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r["dialect"].as_str().unwrap_or_default(),
            r["mode"].as_str().unwrap_or_default(),
            r["changes"].as_str().unwrap_or_default(),
            f("upgrade_seconds", 2),
            r["writes_during_upgrade"],
            f("longest_stall_ms", 1),
            f("p99_ms", 1),
            f("p50_ms", 2),
            r["write_errors"],
            r["check_exit"],
        ));
    }
    s
}
