//! `cargo xtask roundtrip --cases N --seed S [--dialect D] [--release]`: runs the randomized
//! round trip (`tests/tests/random_roundtrip.rs`) with more cases than CI does, by setting
//! `AUTOGEN_RT_CASES`, `AUTOGEN_RT_SEED` and `AUTOGEN_RT_DIALECT` for the test binary. Servers
//! come from the usual `AUTOGEN_TEST_POSTGRES_URL` / `AUTOGEN_TEST_MYSQL_URL`. A failure prints
//! the seed and a fixture to paste into `fixtures/revisions/<case>/`.

use anyhow::{bail, Context, Result};

pub fn run(args: &[String]) -> Result<()> {
    let mut cases = "1000".to_string();
    let mut seed = "1".to_string();
    let mut dialect = None;
    let mut release = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .with_context(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--cases" => cases = value("--cases")?,
            "--seed" => seed = value("--seed")?,
            "--dialect" => dialect = Some(value("--dialect")?),
            "--release" => release = true,
            other => bail!(
                "unknown argument {other:?}; usage: cargo xtask roundtrip --cases N --seed S [--dialect sqlite|postgres|mysql] [--release]"
            ),
        }
    }
    for (name, v) in [("--cases", &cases), ("--seed", &seed)] {
        v.parse::<u64>()
            .with_context(|| format!("{name} takes a number, not {v:?}"))?;
    }
    let mut c = super::cargo();
    c.args(["test", "-p", "autogen-tests", "--test", "random_roundtrip"]);
    if release {
        c.arg("--release");
    }
    c.args(["--", "--nocapture"])
        .env("AUTOGEN_RT_CASES", &cases)
        .env("AUTOGEN_RT_SEED", &seed);
    if let Some(d) = dialect {
        c.env("AUTOGEN_RT_DIALECT", d);
    }
    super::run(c)
}
