//! Writing a new revision file, the one way autogenerate (with or without a dev database),
//! `revision --empty` and `merge` all do it: a message that says something, parents (the single
//! head, or every head for a merge), a header with a fresh id, the file rendered once, and
//! written atomically. The rendered file can be read back before it is written, so the dev
//! database can verify exactly what will be written.
//!
//! The file format and the atomic write are autogen-revisions'; this file only assembles.

use std::path::PathBuf;

use autogen_diff::{Change, Suggestion};
use autogen_revisions::{Revision, RevisionHeader};
use autogen_sql::Statement;

use crate::error::Error;
use crate::ops::print::{respelled, Respelled};
use crate::ops::unmanaged::{hazards, Hazard};
use crate::ops::{Comparison, Written};
use crate::project::Project;

/// Refuses an empty message (checked before anything is read).
pub(crate) fn check_message(message: &str) -> Result<(), Error> {
    if message.trim().is_empty() {
        return Err(Error::EmptyMessage);
    }
    Ok(())
}

/// The single head new revisions attach to (`None` for an empty folder); several heads must be
/// merged first.
pub(crate) fn single_head(heads: &[String]) -> Result<Option<String>, Error> {
    match heads {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        many => Err(Error::SeveralHeads {
            heads: many.join(", "),
        }),
    }
}

/// A revision rendered and not yet written.
pub(crate) struct NewRevision {
    id: String,
    dir: PathBuf,
    name: String,
    text: String,
    /// What it was made from, handed back in the [`Written`].
    changes: Vec<Change>,
    suggestions: Vec<Suggestion>,
    hazards: Vec<Hazard>,
    respelled: Vec<Respelled>,
}

impl NewRevision {
    /// Renders a revision of `project` with a fresh id. `notes` become `-- note:` lines.
    pub(crate) fn new(
        project: &Project,
        message: &str,
        parents: Vec<String>,
        notes: &[String],
        upgrade: &[Statement],
        downgrade: &[Statement],
    ) -> Result<NewRevision, Error> {
        let id = autogen_revisions::new_revision_id();
        let header = RevisionHeader {
            id: id.clone(),
            parents,
            message: message.to_string(),
            created: autogen_revisions::now_timestamp(),
            dialect: Some(project.dialect()),
        };
        let text =
            autogen_revisions::render_revision_with_notes(&header, notes, upgrade, downgrade)?;
        Ok(NewRevision {
            name: autogen_revisions::file_name(&id, message),
            dir: project.revisions_dir(),
            id,
            text,
            changes: Vec::new(),
            suggestions: Vec::new(),
            hazards: Vec::new(),
            respelled: Vec::new(),
        })
    }

    /// The revision autogenerate writes for `comparison` (database -> models) on `head`: its
    /// upgrade and downgrade, and as notes its rename suggestions and the changes that may break
    /// an object of the database autogen does not manage (`unmanaged.rs`).
    pub(crate) fn from_comparison(
        project: &Project,
        message: &str,
        head: Option<String>,
        comparison: &Comparison,
    ) -> Result<NewRevision, Error> {
        let suggestions = comparison.suggestions();
        let hazards = hazards(&comparison.changes, &comparison.from.unmanaged);
        let notes: Vec<String> = suggestions
            .iter()
            .map(|s| s.message())
            .chain(hazards.iter().map(Hazard::message))
            .collect();
        let new = NewRevision::new(
            project,
            message,
            head.into_iter().collect(),
            &notes,
            &comparison.upgrade,
            &comparison.downgrade,
        )?;
        Ok(NewRevision {
            changes: comparison.changes.clone(),
            suggestions,
            hazards,
            respelled: respelled(
                comparison.dialect,
                &comparison.to.printed,
                &comparison.changes,
            ),
            ..new
        })
    }

    /// The revision as the runner will read it from its file.
    pub(crate) fn parse(&self) -> Result<Revision, Error> {
        Ok(autogen_revisions::parse_revision(
            &self.dir.join(&self.name),
            &self.text,
        )?)
    }

    /// Writes the file, never replacing one.
    pub(crate) fn write(self) -> Result<Written, Error> {
        let path = autogen_revisions::write_revision_file(&self.dir, &self.name, &self.text)?;
        Ok(Written {
            id: self.id,
            path,
            changes: self.changes,
            suggestions: self.suggestions,
            hazards: self.hazards,
            respelled: self.respelled,
        })
    }
}
