//! `cargo xtask bench`: autogen and Alembic side by side on generated schemas of 100, 1,000 and
//! 5,000 tables, on SQLite, PostgreSQL and MariaDB/MySQL.
//!
//! For each size and dialect it asks the release-built `autogen-bench` binary to generate the
//! models and load the base schema into a fresh database (`prepare`), to time autogen's phases
//! in process and the bulk-catalog floor (`measure`); it then times the real `autogen check`
//! process with its peak memory (`process.rs`), runs Alembic's `compare_metadata` on the same
//! database (`alembic.rs`), drops the database, and finally prints one table per dialect and
//! writes it to `<out>/results.md` (`report.rs`).
//!
//! Options: `--sizes 100,1000,5000`, `--dialects sqlite,postgres,mysql`, `--reps N` (default
//! 5), `--no-alembic`, `--out bench-out`, `--seed N`, `--mysql-table-cache N` (sets the
//! MariaDB/MySQL server's `table_open_cache` and `table_definition_cache` to N for the run and
//! puts the old values back afterwards; the server's own settings otherwise). Server URLs come from
//! `AUTOGEN_TEST_POSTGRES_URL` / `AUTOGEN_TEST_MYSQL_URL`, defaulting to the local servers.
//! Nothing here asserts a timing: the bench reports, it does not judge.

mod alembic;
pub mod online;
mod process;
mod report;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::{cargo, root, run as run_cmd};

use report::Measured;

/// Alembic at 5,000 tables takes 20-70 s per run; above this many tables it runs once.
const ALEMBIC_FULL_REPS_UP_TO: usize = 1000;

struct Options {
    sizes: Vec<usize>,
    dialects: Vec<String>,
    reps: usize,
    alembic: bool,
    out: PathBuf,
    seed: u64,
    mysql_table_cache: Option<usize>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut o = Options {
            sizes: vec![100, 1000, 5000],
            dialects: vec!["sqlite".into(), "postgres".into(), "mysql".into()],
            reps: 5,
            alembic: true,
            out: root().join("bench-out"),
            seed: 20261121,
            mysql_table_cache: None,
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--sizes" => {
                    o.sizes = value()?
                        .split(',')
                        .map(|s| s.trim().replace('_', "").parse::<usize>())
                        .collect::<Result<_, _>>()
                        .context("--sizes takes numbers such as 100,1000,5000")?
                }
                "--dialects" => {
                    o.dialects = value()?.split(',').map(|s| s.trim().to_string()).collect();
                    for d in &o.dialects {
                        if !["sqlite", "postgres", "mysql"].contains(&d.as_str()) {
                            bail!("unknown dialect {d:?}: use sqlite, postgres, mysql");
                        }
                    }
                }
                "--reps" => o.reps = value()?.parse().context("--reps takes a number")?,
                "--no-alembic" => o.alembic = false,
                "--out" => o.out = root().join(value()?),
                "--seed" => o.seed = value()?.parse().context("--seed takes a number")?,
                "--mysql-table-cache" => {
                    o.mysql_table_cache = Some(
                        value()?
                            .parse()
                            .context("--mysql-table-cache takes a number")?,
                    )
                }
                other => bail!(
                    "unknown option {other}; usage: cargo xtask bench [--sizes 100,1000,5000] \
                     [--dialects sqlite,postgres,mysql] [--reps 5] [--no-alembic] \
                     [--out bench-out] [--seed N] [--mysql-table-cache N]"
                ),
            }
        }
        if o.reps == 0 {
            bail!("--reps must be at least 1");
        }
        Ok(o)
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    std::fs::create_dir_all(&options.out)?;
    let bin = build_release()?;

    let alembic = if options.alembic {
        match alembic::Alembic::setup(&options.out) {
            Ok(a) => Some(a),
            Err(e) => {
                eprintln!("bench: Alembic is not available ({e:#}); reporting autogen alone");
                None
            }
        }
    } else {
        None
    };

    // The server's table caches for the run, and what to put back afterwards.
    let restore = match (options.mysql_table_cache, server_url("mysql")) {
        (Some(n), Some(url)) if options.dialects.iter().any(|d| d == "mysql") => {
            let n = n.to_string();
            let before = bench_json(
                &bin,
                &[
                    "table-caches",
                    "--url",
                    &url,
                    "--open",
                    &n,
                    "--definition",
                    &n,
                ],
            )?;
            eprintln!("bench: MariaDB/MySQL table caches set to {n} (were {before})");
            Some((url, before))
        }
        (Some(_), _) => {
            eprintln!("bench: --mysql-table-cache ignored: mysql is not among the dialects");
            None
        }
        (None, _) => None,
    };
    let results = run_all(&bin, &options, alembic.as_ref());
    if let Some((url, before)) = restore {
        let open = before["table_open_cache"].to_string();
        let definition = before["table_definition_cache"].to_string();
        bench_json(
            &bin,
            &[
                "table-caches",
                "--url",
                &url,
                "--open",
                &open,
                "--definition",
                &definition,
            ],
        )
        .context("cannot put the MariaDB/MySQL table caches back")?;
        eprintln!("bench: MariaDB/MySQL table caches put back to {before}");
    }
    let results = results?;
    let text = report::markdown(
        &results,
        &options.dialects,
        options.reps,
        alembic.as_ref().map(|a| a.version.as_str()),
    );
    println!("{text}");
    let path = options.out.join("results.md");
    std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("bench: wrote {}", path.display());
    Ok(())
}

fn run_all(
    bin: &Path,
    options: &Options,
    alembic: Option<&alembic::Alembic>,
) -> Result<Vec<Measured>> {
    let mut results = Vec::new();
    for &size in &options.sizes {
        for dialect in &options.dialects {
            eprintln!("bench: {dialect}, {size} tables");
            let dir = options.out.join(format!("{dialect}-{size}"));
            let measured = one(bin, dialect, size, &dir, options, alembic)
                .with_context(|| format!("{dialect} at {size} tables"))?;
            eprintln!("bench:   {}", measured.summary());
            results.push(measured);
        }
    }
    Ok(results)
}

/// Builds `autogen` and `autogen-bench` in release; the folder holding them.
fn build_release() -> Result<PathBuf> {
    let mut build = cargo();
    build.args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "autogen-cli",
        "-p",
        "autogen-bench",
    ]);
    run_cmd(build)?;
    Ok(root().join("target/release"))
}

fn server_url(dialect: &str) -> Option<String> {
    let (var, default) = match dialect {
        "postgres" => (
            "AUTOGEN_TEST_POSTGRES_URL",
            "postgres://root@127.0.0.1:5432/postgres",
        ),
        "mysql" => ("AUTOGEN_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
        _ => return None,
    };
    Some(
        std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_string()),
    )
}

/// Runs `autogen-bench` and parses the JSON object it prints.
fn bench_json(bin: &Path, args: &[&str]) -> Result<Value> {
    let mut c = Command::new(bin.join("autogen-bench"));
    c.args(args).env_remove("DATABASE_URL");
    let out = c.output().context("cannot run autogen-bench")?;
    if !out.status.success() {
        bail!(
            "autogen-bench {} failed:\n{}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    serde_json::from_slice(&out.stdout).context("autogen-bench printed something other than JSON")
}

fn one(
    bin: &Path,
    dialect: &str,
    size: usize,
    dir: &Path,
    options: &Options,
    alembic: Option<&alembic::Alembic>,
) -> Result<Measured> {
    let dir_s = dir.display().to_string();
    let size_s = size.to_string();
    let seed_s = options.seed.to_string();
    let mut args = vec![
        "prepare",
        "--dialect",
        dialect,
        "--tables",
        &size_s,
        "--seed",
        &seed_s,
        "--dir",
        &dir_s,
    ];
    let server = server_url(dialect);
    if let Some(s) = &server {
        args.extend(["--server", s.as_str()]);
    }
    let prepared = bench_json(bin, &args)?;
    let url = prepared["url"]
        .as_str()
        .context("prepare printed no url")?
        .to_string();
    eprintln!(
        "bench:   loaded {} statements in {:.1} s",
        prepared["statements"],
        prepared["load_seconds"].as_f64().unwrap_or_default()
    );
    // Measure, then drop the database whatever happened.
    let measured = measure(bin, dir, &url, size, options, alembic, &prepared);
    let dropped = bench_json(bin, &["drop", "--url", &url]);
    let measured = measured?;
    dropped?;
    Ok(measured)
}

fn measure(
    bin: &Path,
    dir: &Path,
    url: &str,
    size: usize,
    options: &Options,
    alembic: Option<&alembic::Alembic>,
    prepared: &Value,
) -> Result<Measured> {
    let reps_s = options.reps.to_string();
    let dir_s = dir.display().to_string();
    let phases = bench_json(bin, &["measure", "--dir", &dir_s, "--reps", &reps_s])?;
    eprintln!("bench:   in-process phases done");
    let check = process::time_autogen(&bin.join("autogen"), dir, &["check"], options.reps)?;
    eprintln!("bench:   autogen check done");
    let alembic = match alembic {
        Some(a) => {
            let reps = if size <= ALEMBIC_FULL_REPS_UP_TO {
                options.reps
            } else {
                1
            };
            let r = a.compare(url, &dir.join("models.py"), reps);
            match r {
                Ok(r) => {
                    eprintln!("bench:   Alembic done");
                    Some(r)
                }
                Err(e) => {
                    eprintln!("bench:   Alembic failed: {e:#}");
                    None
                }
            }
        }
        None => None,
    };
    Ok(Measured::new(size, &phases, check, alembic, prepared))
}
