//! The bench's results: what one (dialect, size) run measured, and the Markdown the bench prints
//! and writes to `results.md` (one table per dialect, medians with minimums, the ratios
//! `autogen check / floor` and `Alembic / autogen check`, and how each phase scales from 1,000
//! to 5,000 tables).

use std::fmt::Write as _;

use serde_json::Value;

use super::alembic::AlembicTimes;
use super::process::ProcessTimes;

/// The in-process phases `autogen-bench measure` reports, in table order, with their headings.
const PHASES: &[(&str, &str)] = &[
    ("models", "read models"),
    ("introspect", "introspect"),
    ("diff", "diff"),
    ("render", "render"),
    ("floor", "catalog floor"),
];

/// One (dialect, size) run.
#[derive(Debug, Clone)]
pub struct Measured {
    pub dialect: String,
    pub size: usize,
    phases: Vec<(String, Vec<f64>)>,
    changes: u64,
    planted: u64,
    floor_queries: u64,
    server_settings: String,
    check: ProcessTimes,
    alembic: Option<AlembicTimes>,
}

impl Measured {
    pub fn new(
        size: usize,
        phases: &Value,
        check: ProcessTimes,
        alembic: Option<AlembicTimes>,
        prepared: &Value,
    ) -> Measured {
        let samples = |v: &Value| -> Vec<f64> {
            v.as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default()
        };
        Measured {
            dialect: phases["dialect"].as_str().unwrap_or_default().to_string(),
            size,
            phases: phases["phases"]
                .as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), samples(v))).collect())
                .unwrap_or_default(),
            changes: phases["changes"].as_u64().unwrap_or_default(),
            planted: prepared["changed_tables"].as_u64().unwrap_or_default(),
            floor_queries: phases["floor_queries"].as_u64().unwrap_or_default(),
            server_settings: phases["server_settings"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            check,
            alembic,
        }
    }

    /// One progress line: the phases, `autogen check`, the floor and Alembic, medians.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = PHASES
            .iter()
            .map(|(p, h)| format!("{h} {}", cell(self.phase(p))))
            .collect();
        parts.push(format!("check {}", cell(&self.check.seconds)));
        parts.push(format!("peak {} MB", self.check.peak_kb / 1024));
        if let Some(a) = &self.alembic {
            parts.push(format!("Alembic {}", cell(&a.seconds)));
        }
        parts.join(", ")
    }

    fn phase(&self, name: &str) -> &[f64] {
        self.phases
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_slice())
            .unwrap_or(&[])
    }
}

fn median(samples: &[f64]) -> Option<f64> {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => None,
        n if n % 2 == 1 => Some(s[n / 2]),
        n => Some((s[n / 2 - 1] + s[n / 2]) / 2.0),
    }
}

fn min(samples: &[f64]) -> Option<f64> {
    samples.iter().copied().min_by(f64::total_cmp)
}

fn secs(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.1}")
    } else if x >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// `median (min)`, or `median` alone for one sample.
fn cell(samples: &[f64]) -> String {
    match (median(samples), min(samples)) {
        (Some(m), Some(lo)) if samples.len() > 1 => format!("{} ({})", secs(m), secs(lo)),
        (Some(m), _) => format!("{} (n=1)", secs(m)),
        _ => "-".into(),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.1}x", a / b),
        _ => "-".into(),
    }
}

fn title(dialect: &str) -> &str {
    match dialect {
        "sqlite" => "SQLite",
        "postgres" => "PostgreSQL",
        "mysql" => "MariaDB / MySQL",
        other => other,
    }
}

/// The whole report.
pub fn markdown(
    results: &[Measured],
    dialects: &[String],
    reps: usize,
    alembic: Option<&str>,
) -> String {
    let mut out = String::new();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let _ = writeln!(out, "# autogen bench results\n");
    let _ = writeln!(
        out,
        "Seconds, median (min) of {reps} runs on {cores} cores, release build. `read models` .. \
         `render` are autogen's phases timed in process; `catalog floor` fetches the same catalog \
         rows with the fewest bulk queries through sqlx and builds nothing; `autogen check` is the \
         whole process (start-up, models and catalog read concurrently, diff, report), and peak \
         RSS is its maximum resident memory. Alembic is `compare_metadata` on the same database \
         against SQLAlchemy metadata of the same models (run once above 1,000 tables). `found` \
         counts the changes autogen reports / Alembic's diff entries / tables the bench changed. \
         Load average when the report was written: {load}."
    );
    match alembic {
        Some(version) => {
            let _ = writeln!(out, "\nAlembic, SQLAlchemy: {version}.");
        }
        None => {
            let _ = writeln!(
                out,
                "\nAlembic was not run (`--no-alembic`, or Python/pip unavailable): autogen alone."
            );
        }
    }
    for dialect in dialects {
        let rows: Vec<&Measured> = results.iter().filter(|m| &m.dialect == dialect).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {}\n", title(dialect));
        let mut header: Vec<String> = vec!["tables".into()];
        header.extend(PHASES.iter().map(|(_, h)| h.to_string()));
        header.extend(
            [
                "`autogen check`",
                "check / floor",
                "peak RSS",
                "Alembic compare",
                "Alembic / check",
                "found",
            ]
            .map(String::from),
        );
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
        for m in &rows {
            let mut cells = vec![format!("{}", m.size)];
            cells.extend(PHASES.iter().map(|(p, _)| cell(m.phase(p))));
            let check = median(&m.check.seconds);
            let floor = median(m.phase("floor"));
            let alembic = m.alembic.as_ref().map(|a| a.seconds.as_slice());
            cells.push(cell(&m.check.seconds));
            cells.push(ratio(check, floor));
            cells.push(format!("{:.0} MB", m.check.peak_kb as f64 / 1024.0));
            cells.push(alembic.map(cell).unwrap_or_else(|| "-".into()));
            cells.push(ratio(alembic.and_then(median), check));
            cells.push(format!(
                "{} / {} / {}",
                m.changes,
                m.alembic
                    .as_ref()
                    .map(|a| a.diffs.to_string())
                    .unwrap_or_else(|| "-".into()),
                m.planted
            ));
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        let floor_queries = rows.first().map(|m| m.floor_queries).unwrap_or_default();
        let _ = writeln!(out, "\nThe floor takes {floor_queries} queries.");
        if let Some(settings) = rows
            .iter()
            .map(|m| &m.server_settings)
            .find(|s| !s.is_empty())
        {
            let _ = writeln!(
                out,
                "Server: {settings}. A schema with more tables than these caches hold makes the \
                 server reopen tables in every catalog query, so time per table grows with the \
                 schema (see the README's performance section)."
            );
        }
        let at = |n: usize| rows.iter().find(|m| m.size == n);
        if let (Some(small), Some(large)) = (at(1000), at(5000)) {
            let mut parts = Vec::new();
            for (p, h) in PHASES {
                parts.push(format!(
                    "{h} {}",
                    ratio(median(large.phase(p)), median(small.phase(p)))
                ));
            }
            parts.push(format!(
                "check {}",
                ratio(median(&large.check.seconds), median(&small.check.seconds))
            ));
            let _ = writeln!(
                out,
                "Scaling 1,000 -> 5,000 tables (linear is 5x): {}.",
                parts.join(", ")
            );
        }
    }
    out
}
