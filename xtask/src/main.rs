//! Project chores, run as `cargo xtask <task>`:
//! - `quickstart`: runs autogen end to end on a fresh copy of the bundled example (SQLite).
//! - `bless`: reruns the tests in bless mode, rewriting golden files (the expected files of
//!   `fixtures/{revisions,diff,introspect,canonicalize,cli}`, trybuild `.stderr` files) and
//!   writing missing ones; review `git diff` afterwards.
//! - `tidy`: the dependency allow-list of `deps.rs` (also a test), cargo fmt --check, clippy
//!   -D warnings.
//! - `bench`: autogen and Alembic side by side at 100 / 1,000 / 5,000 tables (see `bench/`).
//! - `bench-online`: the writer's stalls during an upgrade, default and online mode (see
//!   `bench/online.rs`).
//! - `roundtrip`: the randomized round trip with more cases (see `roundtrip.rs`).
//! - `faults`: the kill, signal and concurrency tests with many more points and rounds (see
//!   `faults.rs`).
//!
//! It shells out to cargo and the built `autogen` binary; it holds no product logic.

mod bench;
mod deps;
mod faults;
mod roundtrip;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("quickstart") => quickstart(),
        Some("bless") => bless(&args[1..]),
        Some("tidy") => tidy(),
        Some("bench") => bench::run(&args[1..]),
        Some("bench-online") => bench::online::run(&args[1..]),
        Some("roundtrip") => roundtrip::run(&args[1..]),
        Some("faults") => faults::run(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <quickstart | bless [cargo test args] | tidy | bench [options] | bench-online [options] | roundtrip --cases N --seed S [--dialect D] | faults [--points N] [--rounds R]>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn run(mut cmd: Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot run {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}

fn bless(extra: &[String]) -> Result<()> {
    let mut c = cargo();
    c.args(["test", "--workspace"])
        .args(extra)
        .env("AUTOGEN_BLESS", "1")
        .env("TRYBUILD", "overwrite");
    run(c)?;
    println!(
        "blessed: review the rewritten and new files with `git status fixtures crates` and `git diff fixtures crates` before committing"
    );
    Ok(())
}

fn tidy() -> Result<()> {
    // The same check `cargo test` runs (see deps.rs), first because it is the quickest.
    deps::check(&root())?;
    println!("tidy: dependency allow-list ok");
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    run(fmt)?;
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    run(clippy)?;
    println!("tidy: ok");
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let target = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if !name.to_string_lossy().ends_with(".db") {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn quickstart() -> Result<()> {
    let mut build = cargo();
    build.args(["build", "--quiet", "-p", "autogen-cli"]);
    run(build)?;
    let bin = root().join("target/debug/autogen");
    let demo = root().join("target/quickstart/blog");
    if demo.exists() {
        std::fs::remove_dir_all(&demo)?;
    }
    copy_dir(&root().join("examples/blog"), &demo)?;
    for f in std::fs::read_dir(demo.join("revisions"))? {
        let f = f?.path();
        if f.extension().is_some_and(|e| e == "sql") {
            std::fs::remove_file(f)?;
        }
    }
    println!(
        "== a fresh copy of examples/blog in {} (SQLite database blog.db)\n",
        demo.display()
    );
    let step = |args: &[&str]| -> Result<()> {
        println!("$ autogen {}", args.join(" "));
        let mut c = Command::new(&bin);
        c.arg("-C").arg(&demo).args(args).env_remove("DATABASE_URL");
        run(c)?;
        println!();
        Ok(())
    };
    step(&["-m", "create blog schema"])?;
    for f in std::fs::read_dir(demo.join("revisions"))? {
        let f = f?.path();
        if f.extension().is_some_and(|e| e == "sql") {
            println!("== {}\n{}", f.display(), std::fs::read_to_string(&f)?);
        }
    }
    step(&["upgrade"])?;
    step(&["current"])?;
    step(&["check"])?;
    step(&["-m", "nothing changed"])?;
    step(&["downgrade", "base"])?;
    step(&["upgrade"])?;
    step(&["history"])?;
    println!(
        "== done: edit {}/src/models and run `{} -C {} -m \"your change\"`",
        demo.display(),
        bin.display(),
        demo.display()
    );
    Ok(())
}
