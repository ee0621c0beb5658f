//! Alembic's side of the bench: a Python virtual environment under `<out>/venv` with alembic,
//! sqlalchemy, psycopg2-binary and pymysql from PyPI, and a small script that times
//! `alembic.autogenerate.compare_metadata(MigrationContext.configure(conn), metadata)` against
//! the `models.py` that `autogen-bench prepare` wrote from the same schema. Only the compare is
//! timed (reflection and comparison), not Python's start-up or importing the models, which
//! favours Alembic slightly.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

const PACKAGES: &[&str] = &["alembic", "sqlalchemy", "psycopg2-binary", "pymysql"];

const SCRIPT: &str = r#"# Written by `cargo xtask bench`: times Alembic's autogenerate compare.
import importlib.util, json, sys, time

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
import sqlalchemy as sa

url, models_path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
spec = importlib.util.spec_from_file_location("bench_models", models_path)
models = importlib.util.module_from_spec(spec)
spec.loader.exec_module(models)
engine = sa.create_engine(url)
times, diffs = [], None
for _ in range(reps):
    with engine.connect() as conn:
        started = time.perf_counter()
        found = compare_metadata(MigrationContext.configure(conn), models.metadata)
        times.append(time.perf_counter() - started)
        diffs = len(found)
engine.dispose()
import alembic
print(json.dumps({"times": times, "diffs": diffs, "alembic": alembic.__version__,
                  "sqlalchemy": sa.__version__}))
"#;

/// A ready virtual environment and the compare script.
pub struct Alembic {
    python: PathBuf,
    script: PathBuf,
    pub version: String,
}

/// Alembic's times and how many differences it reported.
#[derive(Debug, Clone)]
pub struct AlembicTimes {
    pub seconds: Vec<f64>,
    pub diffs: u64,
}

impl Alembic {
    /// Creates the venv (once) and installs the packages; errors say what is missing.
    pub fn setup(out: &Path) -> Result<Alembic> {
        let venv = out.join("venv");
        let python = venv.join("bin/python");
        if !python.exists() {
            eprintln!("bench: creating {} (python3 -m venv)", venv.display());
            let status = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .context("python3 not found")?;
            if !status.success() {
                bail!("python3 -m venv failed ({status})");
            }
        }
        let ready = Command::new(&python)
            .args(["-c", "import alembic, sqlalchemy, psycopg2, pymysql"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ready {
            eprintln!("bench: pip install {}", PACKAGES.join(" "));
            let status = Command::new(&python)
                .args(["-m", "pip", "install", "--quiet"])
                .args(PACKAGES)
                .status()
                .context("cannot run pip")?;
            if !status.success() {
                bail!("pip install {} failed ({status})", PACKAGES.join(" "));
            }
        }
        let script = out.join("alembic_compare.py");
        std::fs::write(&script, SCRIPT)?;
        let version = Command::new(&python)
            .args([
                "-c",
                "import alembic, sqlalchemy; print(alembic.__version__, sqlalchemy.__version__)",
            ])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        Ok(Alembic {
            python,
            script,
            version,
        })
    }

    /// Runs the compare `reps` times against `url` (autogen's spelling; translated to
    /// SQLAlchemy's drivers here).
    pub fn compare(&self, url: &str, models: &Path, reps: usize) -> Result<AlembicTimes> {
        let url = sqlalchemy_url(url)?;
        let out = Command::new(&self.python)
            .arg(&self.script)
            .arg(&url)
            .arg(models)
            .arg(reps.to_string())
            .output()
            .context("cannot run the Alembic compare script")?;
        if !out.status.success() {
            bail!(
                "the Alembic compare failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .context("the Alembic script printed something other than JSON")?;
        let seconds = v["times"]
            .as_array()
            .map(|a| a.iter().filter_map(|t| t.as_f64()).collect())
            .unwrap_or_default();
        Ok(AlembicTimes {
            seconds,
            diffs: v["diffs"].as_u64().unwrap_or_default(),
        })
    }
}

fn sqlalchemy_url(url: &str) -> Result<String> {
    if let Some(rest) = url.strip_prefix("postgres://") {
        return Ok(format!("postgresql+psycopg2://{rest}"));
    }
    if let Some(rest) = url.strip_prefix("postgresql://") {
        return Ok(format!("postgresql+psycopg2://{rest}"));
    }
    if let Some(rest) = url.strip_prefix("mysql://") {
        return Ok(format!("mysql+pymysql://{rest}"));
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches('/');
        return Ok(format!("sqlite:////{path}"));
    }
    bail!("no SQLAlchemy spelling for {url}")
}
