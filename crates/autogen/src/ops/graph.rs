//! The revision graph as a team uses it: heads, history, one revision, merging branches,
//! stamping, and where the database stands including applied revisions edited since they ran.
//!
//! Everything here returns plain values (revisions, ids, a [`DatabaseStatus`]); the CLI draws
//! and prints them. Applying revisions lives in `ops/mod.rs` (`upgrade`/`downgrade`), offline
//! scripts in `ops/offline.rs`, the scratch database in `ops/dev.rs`.

use autogen_revisions::{DatabaseStatus, DowngradeOptions, Revision, RunObserver, UpgradeOptions};

use crate::error::Error;
use crate::ops::write::{check_message, NewRevision};
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
    check_message(message)?;
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
    NewRevision::new(project, message, heads, &[], &[], &[])?.write()
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

/// `autogen current` in full: where the database stands (current revisions, heads, pending,
/// edited, unknown and partially applied revisions). Creates no version table.
pub async fn report(project: &Project) -> Result<DatabaseStatus, Error> {
    let set = project.load_revisions()?;
    let mut conn = project.connect().await?;
    let status = DatabaseStatus::read(&mut conn, &set).await;
    let _ = conn.close().await;
    Ok(status?)
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
/// ends, waits for another run's lock) and stopping cleanly when it asks. `lock_retries` comes
/// from autogen.toml unless `options` sets it.
pub async fn upgrade_observed(
    project: &Project,
    target: &str,
    options: &UpgradeOptions,
    observer: &dyn RunObserver,
) -> Result<Vec<String>, Error> {
    let set = project.load_revisions()?;
    let mut options = options.clone();
    options.lock_retries = options.lock_retries.or(project.config.lock_retries());
    let mut conn = project.connect().await?;
    let applied =
        autogen_revisions::upgrade_observed(&mut conn, &set, target, &options, observer).await;
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
    let mut options = options.clone();
    options.lock_retries = options.lock_retries.or(project.config.lock_retries());
    let mut conn = project.connect().await?;
    let reverted =
        autogen_revisions::downgrade_observed(&mut conn, &set, target, &options, observer).await;
    let _ = conn.close().await;
    Ok(reverted?)
}
