//! The revision graph commands: `heads`, `history` (drawn as a graph), `show`, `merge`,
//! `stamp`, `current` (with edited-revision warnings) and the offline `upgrade --sql` /
//! `downgrade --sql`. The facade (`autogen::ops::graph`, `ops::offline`) computes; this file
//! only lays results out on the terminal.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anstream::{eprintln, print, println};
use autogen::ops;
use autogen::revisions::Revision;

use super::load;
use crate::cli::Cli;
use crate::output::{shown, DIM, OK, WARN};

pub fn heads(cli: &Cli) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    let heads = ops::graph::heads(&project)?;
    if heads.is_empty() {
        println!("No revisions yet (the graph is empty).");
    }
    for rev in &heads {
        println!(
            "{} (head)  {}  {}{}{}",
            rev.id,
            rev.message,
            DIM.render(),
            shown(&rev.path),
            DIM.render_reset()
        );
    }
    if heads.len() > 1 {
        println!(
            "{}{} heads: the graph has branches; join them with `autogen merge -m MESSAGE`{}",
            WARN.render(),
            heads.len(),
            WARN.render_reset()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn history(cli: &Cli, verbose: bool) -> Result<ExitCode, autogen::Error> {
    let project = super::load_read_only(cli)?;
    let set = project.load_revisions()?;
    let heads: BTreeSet<&str> = set.heads().into_iter().map(|r| r.id.as_str()).collect();
    super::announce(&project);
    // The graph needs only the folder; the database, when it answers soon, adds where it stands
    // (applied heads, and revisions a failed MySQL/MariaDB run left part way).
    let report = match tokio::time::timeout(
        std::time::Duration::from_secs(3),
        ops::graph::report(&project),
    )
    .await
    {
        Ok(Ok(report)) => Some(report),
        Ok(Err(e)) => {
            eprintln!(
                "note: the database was not read ({}); applied revisions are not marked",
                crate::output::safe(e)
            );
            None
        }
        Err(_) => {
            eprintln!(
                "note: the database did not answer within 3 s; applied revisions are not marked"
            );
            None
        }
    };
    let current: BTreeSet<&str> = report
        .iter()
        .flat_map(|r| r.current.iter().map(String::as_str))
        .collect();
    for line in draw(set.history()) {
        let Some(rev) = line.revision else {
            println!("{}", line.graph.trim_end());
            continue;
        };
        let mut marks: Vec<String> = Vec::new();
        if heads.contains(rev.id.as_str()) {
            marks.push("head".into());
        }
        if current.contains(rev.id.as_str()) {
            marks.push("current".into());
        }
        for p in report
            .iter()
            .flat_map(|r| &r.partial)
            .filter(|p| p.revision == rev.id)
        {
            marks.push(format!(
                "partially applied: {} stopped after {} statement(s){}",
                p.direction,
                p.statements_done,
                match p.running {
                    Some(n) => format!(", statement {n} unknown"),
                    None => String::new(),
                }
            ));
        }
        if rev.parents.is_empty() {
            marks.push("root".into());
        }
        if rev.parents.len() > 1 {
            marks.push("merge".into());
        }
        if set.children(&rev.id).len() > 1 {
            marks.push("branchpoint".into());
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!(" ({})", marks.join(", "))
        };
        println!("{}  {}{marks}  {}", line.graph, rev.id, rev.message);
        if verbose {
            let pad = line.continuation;
            let parents = if rev.parents.is_empty() {
                "base".to_string()
            } else {
                rev.parents.join(", ")
            };
            let created = if rev.created.is_empty() {
                "(not recorded)"
            } else {
                rev.created.as_str()
            };
            for (key, value) in [
                ("parents", parents),
                ("file", shown(&rev.path)),
                ("created", created.to_string()),
                ("checksum", rev.checksum.clone()),
            ] {
                println!(
                    "{pad}      {}{key}:{} {value}",
                    DIM.render(),
                    DIM.render_reset()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line of the drawn graph: a revision's row, or a connector between rows.
struct Line<'a> {
    graph: String,
    /// The lanes continuing below this row, for detail lines under a revision.
    continuation: String,
    revision: Option<&'a Revision>,
}

/// Lays the graph out newest first, one lane per open branch (like `git log --graph`): `o` is
/// a revision, `|` a lane passing by, `/` lanes joining at a branch point, `\` lanes opening at
/// a merge.
fn draw(history: &[Revision]) -> Vec<Line<'_>> {
    let mut lanes: Vec<Option<&str>> = Vec::new();
    let mut out = Vec::new();
    let render = |lanes: &[Option<&str>], special: &dyn Fn(usize) -> Option<char>| -> String {
        let cells: Vec<String> = (0..lanes.len())
            .map(|i| {
                special(i)
                    .unwrap_or(if lanes[i].is_some() { '|' } else { ' ' })
                    .to_string()
            })
            .collect();
        cells.join(" ")
    };
    for rev in history.iter().rev() {
        let waiting: Vec<usize> = (0..lanes.len())
            .filter(|&i| lanes[i] == Some(rev.id.as_str()))
            .collect();
        let col = match waiting.first() {
            Some(&c) => c,
            None => match lanes.iter().position(Option::is_none) {
                Some(free) => free,
                None => {
                    lanes.push(None);
                    lanes.len() - 1
                }
            },
        };
        if waiting.len() > 1 {
            let joining = &waiting[1..];
            out.push(Line {
                graph: connector(&lanes, joining, '/'),
                continuation: String::new(),
                revision: None,
            });
            for &i in joining {
                lanes[i] = None;
            }
        }
        let node = render(&lanes, &|i| (i == col).then_some('o'));
        lanes[col] = rev.parents.first().map(String::as_str);
        // Detail lines sit above the `\` of a merge, so they show the lanes before it opens.
        let mut before_opening = lanes.clone();
        while before_opening.last().is_some_and(Option::is_none) {
            before_opening.pop();
        }
        let continuation = render(&before_opening, &|_| None);
        let mut opened = Vec::new();
        for parent in rev.parents.iter().skip(1) {
            if lanes.contains(&Some(parent.as_str())) {
                continue;
            }
            let slot = match (col + 1..lanes.len()).find(|&i| lanes[i].is_none()) {
                Some(free) => free,
                None => {
                    lanes.push(None);
                    lanes.len() - 1
                }
            };
            lanes[slot] = Some(parent.as_str());
            opened.push(slot);
        }
        while lanes.last().is_some_and(Option::is_none) {
            lanes.pop();
        }
        let after = render(&lanes, &|_| None);
        out.push(Line {
            graph: pad_to(&node, &after),
            continuation: continuation.clone(),
            revision: Some(rev),
        });
        if !opened.is_empty() {
            out.push(Line {
                graph: connector(&lanes, &opened, '\\'),
                continuation: String::new(),
                revision: None,
            });
        }
    }
    // Every row as wide as the widest, so ids line up.
    let width = out.iter().map(|l| l.graph.len()).max().unwrap_or(0);
    for line in &mut out {
        if line.revision.is_some() {
            line.graph = format!("{:width$}", line.graph);
            line.continuation = format!("{:width$}", line.continuation);
        }
    }
    out
}

/// A line between rows where `bending` lanes join the lane to their left (`/`) or leave it
/// (`\`), drawn between the columns as `git log --graph` does: `|/`, `|\`.
fn connector(lanes: &[Option<&str>], bending: &[usize], slash: char) -> String {
    let mut cells: Vec<char> = vec![' '; (lanes.len() * 2).saturating_sub(1)];
    for (i, lane) in lanes.iter().enumerate() {
        if bending.contains(&i) {
            if let Some(cell) = cells.get_mut((2 * i).saturating_sub(1)) {
                *cell = slash;
            }
        } else if lane.is_some() {
            cells[2 * i] = '|';
        }
    }
    cells.into_iter().collect::<String>().trim_end().to_string()
}

fn pad_to(text: &str, other: &str) -> String {
    format!("{text:width$}", width = other.len())
}

pub fn show(cli: &Cli, target: &str) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    let rev = ops::graph::show(&project, target)?;
    let set = project.load_revisions()?;
    let is_head = set.heads().iter().any(|h| h.id == rev.id);
    let list = |ids: &[String], none: &str| {
        if ids.is_empty() {
            none.to_string()
        } else {
            ids.join(", ")
        }
    };
    println!(
        "revision  {}{}",
        rev.id,
        if is_head { " (head)" } else { "" }
    );
    println!("parents   {}", list(&rev.parents, "base"));
    println!("children  {}", list(set.children(&rev.id), "none"));
    println!("message   {}", rev.message);
    if !rev.created.is_empty() {
        println!("created   {}", rev.created);
    }
    println!("file      {}", shown(&rev.path));
    println!("checksum  {}", rev.checksum);
    let section = |sql: &str| {
        if sql.trim().is_empty() {
            "-- (no steps)".to_string()
        } else {
            sql.to_string()
        }
    };
    println!(
        "\n-- autogen:upgrade\n{}\n\n-- autogen:downgrade\n{}",
        section(&rev.upgrade_sql),
        section(&rev.downgrade_sql)
    );
    Ok(ExitCode::SUCCESS)
}

pub fn merge(cli: &Cli, message: &str) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    let heads = ops::graph::heads(&project)?;
    let written = ops::graph::merge(&project, message)?;
    let joined: Vec<&str> = heads.iter().map(|r| r.id.as_str()).collect();
    println!(
        "{}Generated{} {} (merges {})",
        OK.render(),
        OK.render_reset(),
        shown(&written.path),
        joined.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn stamp(
    cli: &Cli,
    target: Option<&str>,
    purge: bool,
) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    super::announce(&project);
    if purge {
        let forgotten = ops::graph::purge(&project).await?;
        println!(
            "{}Purged{} the version table ({} revision(s) forgotten; no SQL was run)",
            OK.render(),
            OK.render_reset(),
            forgotten.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let target = target.unwrap_or("head");
    let recorded = ops::graph::stamp(&project, target).await?;
    let recorded = if recorded.is_empty() {
        "no revision is recorded as applied".to_string()
    } else {
        format!("recorded as applied: {}", recorded.join(", "))
    };
    println!(
        "{}Stamped{} {target}; {recorded} (no SQL was run)",
        OK.render(),
        OK.render_reset()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn current(cli: &Cli) -> Result<ExitCode, autogen::Error> {
    let project = super::load_read_only(cli)?;
    super::announce(&project);
    let report = ops::graph::report(&project).await?;
    let list = |ids: &[String]| {
        if ids.is_empty() {
            "base".to_string()
        } else {
            ids.join(", ")
        }
    };
    let current = list(&report.current);
    if report.at_head() {
        println!("{current} (head)");
    } else {
        println!(
            "{current} {}(head is {}; run `autogen upgrade`){}",
            WARN.render(),
            list(&report.heads),
            WARN.render_reset()
        );
    }
    for p in &report.partial {
        println!(
            "{}partially applied:{} {}\n  help: `autogen {}` resumes it (or says how to settle a statement whose outcome is unknown)",
            WARN.render(),
            WARN.render_reset(),
            super::check::describe_partial(p),
            p.direction
        );
    }
    for edited in &report.edited {
        eprintln!(
            "{}warning:{} applied revision {edited}; it was edited after it ran\n  help: restore the file, or accept the edit with `autogen upgrade --allow-edited {}`",
            WARN.render(),
            WARN.render_reset(),
            edited.id
        );
    }
    if !report.unknown.is_empty() {
        eprintln!(
            "{}warning:{} applied revisions missing from the revisions folder: {}",
            WARN.render(),
            WARN.render_reset(),
            report.unknown.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn upgrade_sql(cli: &Cli, range: &str) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    print!("{}", ops::offline::upgrade_sql(&project, range)?);
    Ok(ExitCode::SUCCESS)
}

pub fn downgrade_sql(cli: &Cli, range: &str) -> Result<ExitCode, autogen::Error> {
    let project = load(cli)?;
    print!("{}", ops::offline::downgrade_sql(&project, range)?);
    Ok(ExitCode::SUCCESS)
}
