//! `cargo xtask faults [--points N] [--rounds R]`: the long version of the safety tests CI runs
//! in a bounded form. `--points` sets how many kill points (SIGKILL, SIGTERM, SIGINT in turn)
//! `crates/autogen-cli/tests/faults.rs` tries per dialect (`AUTOGEN_FAULT_POINTS`, CI: 4), and
//! `--rounds` how often `tests/concurrent.rs` repeats its eight concurrent upgrades and its
//! upgrade-against-downgrade races (`AUTOGEN_CONCURRENCY_ROUNDS`, CI: 2). Servers come from the
//! usual `AUTOGEN_TEST_POSTGRES_URL` / `AUTOGEN_TEST_MYSQL_URL`.

use anyhow::{bail, Context, Result};

pub fn run(args: &[String]) -> Result<()> {
    let mut points = "40".to_string();
    let mut rounds = "10".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .with_context(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--points" => points = value("--points")?,
            "--rounds" => rounds = value("--rounds")?,
            other => bail!(
                "unknown argument {other:?}; usage: cargo xtask faults [--points N] [--rounds R]"
            ),
        }
    }
    for (name, v) in [("--points", &points), ("--rounds", &rounds)] {
        v.parse::<u64>()
            .with_context(|| format!("{name} takes a number, not {v:?}"))?;
    }
    let mut c = super::cargo();
    c.args([
        "test",
        "-p",
        "autogen-cli",
        "--test",
        "faults",
        "--test",
        "concurrent",
        "--",
        "--nocapture",
    ])
    .env("AUTOGEN_FAULT_POINTS", &points)
    .env("AUTOGEN_CONCURRENCY_ROUNDS", &rounds);
    super::run(c)
}
