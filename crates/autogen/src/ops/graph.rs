//! The revision graph as a team uses it: heads, history, one revision, merging branches,
//! stamping, and where the database stands including applied revisions edited since they ran.
//!
//! Everything here returns plain values (revisions, ids, [`EditedRevision`]s); the CLI draws
//! and prints them. Applying revisions lives in `ops/mod.rs` (`upgrade`/`downgrade`), offline
//! scripts in `ops/offline.rs`, the scratch database in `ops/dev.rs`.

use std::collections::BTreeSet;

use autogen_revisions::{
    AppliedRevision, DowngradeOptions, EditedRevision, PartialRevision, Revision, RevisionHeader,
    RunObserver, UpgradeOptions,
};

use crate::error::Error;
use crate::ops::Written;
use crate::project::Project;

/// The heads of the revisions folder, in history order.
pub fn heads(project: &Project) -> Result<Vec<Revision>, Error> {
    let set = project.load_revisions()?;
    Ok(set.heads().into_iter().cloned().collect())
}

/// One revision, by any target (`head`, an id or prefix, `REV-1`, ...). `base` is refused:
/// it is not a revision.
pub fn show(project: &Project, target: &str) -> Result<Revision, Error> {
    let set = project.load_revisions()?;
    match set.resolve(target)? {
        Some(rev) => Ok(rev.clone()),
        None => Err(Error::Usage {
            message: format!("`{target}` is base, which is not a revision"),
            help: "name a revision: `head`, an id or prefix from `autogen history`".into(),
        }),
    }
}

/// `autogen merge -m MSG`: writes a revision with no steps whose parents are all current heads,
/// joining the branches. Refused when there is only one head (nothing to merge).
pub fn merge(project: &Project, message: &str) -> Result<Written, Error> {
    if message.trim().is_empty() {
        return Err(Error::EmptyMessage);
    }
    let set = project.load_revisions()?;
    let heads: Vec<String> = set.heads().into_iter().map(|r| r.id.clone()).collect();
    if heads.len() < 2 {
        return Err(Error::Usage {
            message: format!(
                "nothing to merge: the revisions folder has {} head{}",
                heads.len(),
                if heads.len() == 1 { "" } else { "s" }
            ),
            help: "merge joins branches, i.e. several heads (see `autogen heads`)".into(),
        });
    }
    let id = autogen_revisions::new_revision_id();
    let header = RevisionHeader {
        id: id.clone(),
        parents: heads,
        message: message.to_string(),
        created: autogen_revisions::now_timestamp(),
        dialect: Some(project.dialect()),
    };
    let text = autogen_revisions::render_revision(&header, &[], &[])?;
    let name = autogen_revisions::file_name(&id, message);
    let path = autogen_revisions::write_revision_file(&project.revisions_dir(), &name, &text)?;
    Ok(Written {
        id,
        path,
        changes: Vec::new(),
        suggestions: Vec::new(),
    })
}

/// `autogen stamp TARGET`: records the database as being at `target` (`heads` for every head)
/// without running any revision SQL. Returns the recorded ids, root first.
pub async fn stamp(project: &Project, target: &str) -> Result<Vec<String>, Error> {
    let set = project.load_revisions()?;
    let mut conn = project.connect().await?;
    let result = autogen_revisions::stamp(&mut conn, &set, target).await;
    let _ = conn.close().await;
    Ok(result?)
}

/// `autogen stamp --purge`: empties the version table without reading the revisions folder.
/// Returns the ids that were recorded.
pub async fn purge(project: &Project) -> Result<Vec<String>, Error> {
    let mut conn = project.connect().await?;
    let result = autogen_revisions::purge(&mut conn).await;
    let _ = conn.close().await;
    Ok(result?)
}

/// Applied revisions whose file changed since they ran (both checksums named), for `current`,
/// `upgrade` and `check`. Empty when nothing was edited or nothing is applied.
pub async fn edited_revisions(project: &Project) -> Result<Vec<EditedRevision>, Error> {
    Ok(report(project).await?.edited)
}

/// Where the database stands, in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Applied revisions no other applied revision follows (usually one; empty = base).
    pub current: Vec<String>,
    /// Heads of the revisions folder.
    pub heads: Vec<String>,
    /// Revisions an upgrade to every head would apply, in order.
    pub pending: Vec<String>,
    /// Every row of the version table, oldest first.
    pub applied: Vec<AppliedRevision>,
    /// Applied revisions edited since they ran.
    pub edited: Vec<EditedRevision>,
    /// Applied revisions missing from the revisions folder (another branch's files?).
    pub unknown: Vec<String>,
    /// Revisions a failed or stopped run left partially applied (MySQL/MariaDB only).
    pub partial: Vec<PartialRevision>,
}

impl Report {
    pub fn at_head(&self) -> bool {
        let a: BTreeSet<&String> = self.current.iter().collect();
        let b: BTreeSet<&String> = self.heads.iter().collect();
        a == b
    }
}

/// `autogen current` in full: current revisions, heads, pending and edited revisions.
pub async fn report(project: &Project) -> Result<Report, Error> {
    let set = project.load_revisions()?;
    let mut conn = project.connect().await?;
    let applied = autogen_revisions::current(&mut conn).await;
    let partial = match &applied {
        Ok(_) => autogen_revisions::partially_applied(&mut conn).await,
        Err(_) => Ok(Vec::new()),
    };
    let _ = conn.close().await;
    let mut report = report_for(&set, applied?);
    report.partial = partial?;
    Ok(report)
}

/// The [`Report`] for a revision set and the version table's rows (no database involved).
pub fn report_for(set: &autogen_revisions::RevisionSet, applied: Vec<AppliedRevision>) -> Report {
    let ids: BTreeSet<String> = applied.iter().map(|a| a.revision.clone()).collect();
    let pending = set
        .path_to(&ids, "heads")
        .map(|revs| revs.into_iter().map(|r| r.id.clone()).collect())
        .unwrap_or_default();
    Report {
        current: set.applied_heads(&ids),
        heads: set.heads().into_iter().map(|r| r.id.clone()).collect(),
        pending,
        edited: autogen_revisions::edited_revisions(set, &applied),
        unknown: applied
            .iter()
            .filter(|a| set.get(&a.revision).is_none())
            .map(|a| a.revision.clone())
            .collect(),
        applied,
        partial: Vec::new(),
    }
}

/// `autogen upgrade TARGET --allow-edited ID...`: like [`crate::ops::upgrade`], accepting the
/// named applied revisions whose files were edited (their new checksums are recorded).
pub async fn upgrade_allowing(
    project: &Project,
    target: &str,
    allow_edited: &[String],
) -> Result<Vec<String>, Error> {
    let options = UpgradeOptions {
        allow_edited: allow_edited.to_vec(),
        ..UpgradeOptions::default()
    };
    upgrade_observed(project, target, &options, &autogen_revisions::Quiet).await
}

/// `autogen upgrade` with every option, reporting to `observer` (each revision as it starts and
/// ends, waits for another run's lock) and stopping cleanly when it asks.
pub async fn upgrade_observed(
    project: &Project,
    target: &str,
    options: &UpgradeOptions,
    observer: &dyn RunObserver,
) -> Result<Vec<String>, Error> {
    let set = project.load_revisions()?;
    let mut conn = project.connect().await?;
    let applied =
        autogen_revisions::upgrade_observed(&mut conn, &set, target, options, observer).await;
    let _ = conn.close().await;
    Ok(applied?)
}

/// `autogen downgrade` with every option, reporting to `observer` as it goes.
pub async fn downgrade_observed(
    project: &Project,
    target: &str,
    options: &DowngradeOptions,
    observer: &dyn RunObserver,
) -> Result<Vec<String>, Error> {
    let set = project.load_revisions()?;
    let mut conn = project.connect().await?;
    let reverted =
        autogen_revisions::downgrade_observed(&mut conn, &set, target, options, observer).await;
    let _ = conn.close().await;
    Ok(reverted?)
}
