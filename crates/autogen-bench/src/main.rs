//! The `autogen-bench` binary, driven by `cargo xtask bench` (which builds it in release):
//!
//! - `prepare --dialect D --tables N --seed S --dir DIR [--server URL]`: generates the models,
//!   creates and loads a database with the base schema, writes the project (autogen.toml,
//!   changed models, an empty revisions folder, models.py for Alembic) into DIR.
//! - `measure --dir DIR --reps N`: times autogen's phases in process and the bulk-catalog floor.
//! - `online --dialect D --server URL --rows N --mode default|online [--changes full|inplace]
//!   --autogen BIN --dir DIR`:
//!   the write-availability bench of one mode (see `online.rs`).
//! - `drop --url URL`: drops the database `prepare` made.
//! - `table-caches --url URL [--open N --definition M]`: prints a MariaDB/MySQL server's
//!   `table_open_cache` and `table_definition_cache`, and sets them when given.
//!
//! Each prints one JSON object on stdout. The orchestration (which sizes, the `autogen` process,
//! Alembic, the tables) lives in the xtask; this binary only does what must happen in process.

mod measure;
mod online;
mod prepare;

use std::process::ExitCode;

use anyhow::{bail, Context, Result};

/// The allocator the `autogen` binary uses, so in-process phases time what the CLI runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("autogen-bench: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("autogen-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> Result<serde_json::Value> {
    let flags = Flags::parse(args.get(1..).unwrap_or_default())?;
    match args.first().map(String::as_str) {
        Some("prepare") => {
            prepare::prepare(prepare::PrepareArgs {
                dialect: parse_dialect(flags.get("dialect")?)?,
                tables: flags.number("tables")?,
                seed: flags.number("seed")? as u64,
                dir: flags.get("dir")?.into(),
                server: flags.opt("server").map(str::to_string),
            })
            .await
        }
        Some("measure") => {
            measure::measure(flags.get("dir")?.as_ref(), flags.number("reps")?).await
        }
        Some("online") => {
            online::online(online::OnlineArgs {
                dialect: parse_dialect(flags.get("dialect")?)?,
                server: flags.get("server")?.to_string(),
                rows: flags.number("rows")?,
                mode: flags.get("mode")?.to_string(),
                changes: flags.opt("changes").unwrap_or("full").to_string(),
                autogen: flags.get("autogen")?.into(),
                dir: flags.get("dir")?.into(),
            })
            .await
        }
        Some("drop") => prepare::drop_database(flags.get("url")?).await,
        Some("table-caches") => {
            let set = match (flags.opt("open"), flags.opt("definition")) {
                (None, None) => None,
                _ => Some((flags.number("open")?, flags.number("definition")?)),
            };
            prepare::table_caches(flags.get("url")?, set).await
        }
        _ => {
            bail!("usage: autogen-bench <prepare | measure | online | drop | table-caches> --flag value ...")
        }
    }
}

fn parse_dialect(name: &str) -> Result<autogen_schema::Dialect> {
    use autogen_schema::Dialect;
    Ok(match name {
        "sqlite" => Dialect::Sqlite,
        "postgres" | "postgresql" => Dialect::Postgres,
        "mysql" | "mariadb" => Dialect::Mysql,
        other => bail!("unknown dialect {other:?} (sqlite, postgres, mysql)"),
    })
}

/// `--name value` pairs.
struct Flags(Vec<(String, String)>);

impl Flags {
    fn parse(args: &[String]) -> Result<Flags> {
        let mut out = Vec::new();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let Some(name) = flag.strip_prefix("--") else {
                bail!("unexpected argument {flag:?}");
            };
            let value = it
                .next()
                .with_context(|| format!("--{name} needs a value"))?;
            out.push((name.to_string(), value.clone()));
        }
        Ok(Flags(out))
    }

    fn opt(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn get(&self, name: &str) -> Result<&str> {
        self.opt(name)
            .with_context(|| format!("--{name} is required"))
    }

    fn number(&self, name: &str) -> Result<usize> {
        let raw = self.get(name)?;
        raw.parse()
            .with_context(|| format!("--{name} must be a number, not {raw:?}"))
    }
}
