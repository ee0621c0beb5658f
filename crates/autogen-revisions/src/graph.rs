//! The revision set: every revision file of one folder, validated as a DAG (unique ids, existing
//! parents, no cycles), with the queries the runner needs: heads, target resolution, history
//! order, and the plans for upgrading and downgrading from a set of applied revisions.
//!
//! Several parents make a merge and several heads are branches; plans work on the whole DAG (an
//! upgrade applies every missing ancestor of the target, parents first; a downgrade reverts
//! every applied descendant of the target, children first), so branches need no special case
//! beyond refusing an ambiguous `head`. This file does not touch a database.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::file::{parse_revision, Revision};
use crate::RevisionError;

/// Every revision of one folder, validated.
#[derive(Debug, Clone)]
pub struct RevisionSet {
    /// In history order: parents before children; ties broken by `created`, then id.
    revisions: Vec<Revision>,
    /// id -> index into `revisions`.
    index: BTreeMap<String, usize>,
    /// id -> ids of its children, sorted.
    children: BTreeMap<String, Vec<String>>,
}

impl RevisionSet {
    /// Reads and validates every `*.sql` file in `dir` (sorted by name; subfolders and other
    /// files are ignored). All unparsable files are reported together.
    pub fn load(dir: &Path) -> Result<RevisionSet, RevisionError> {
        if !dir.is_dir() {
            return Err(RevisionError::MissingFolder {
                path: dir.to_path_buf(),
            });
        }
        let io = |source| RevisionError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            let is_sql = path.extension().is_some_and(|e| e == "sql");
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if is_sql && !hidden && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        let mut files = Vec::with_capacity(paths.len());
        let mut errors = Vec::new();
        for path in paths {
            match std::fs::read(&path) {
                Ok(bytes) => files.push((path, bytes)),
                Err(source) => errors.push(RevisionError::Io { path, source }),
            }
        }
        RevisionSet::from_files(files, errors)
    }

    /// Validates revisions given as (file name, contents) pairs instead of a folder: what
    /// [`EmbeddedRevisions`](crate::EmbeddedRevisions) holds after `embed_revisions!` read the
    /// folder at compile time. Errors name the file names given.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<RevisionSet, RevisionError> {
        let mut sorted: Vec<(PathBuf, Vec<u8>)> = sources
            .iter()
            .map(|(name, text)| (PathBuf::from(name), text.as_bytes().to_vec()))
            .collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        RevisionSet::from_files(sorted, Vec::new())
    }

    /// Parses every file, reporting all unparsable ones together (with `errors` already found),
    /// then validates the set.
    fn from_files(
        files: Vec<(PathBuf, Vec<u8>)>,
        mut errors: Vec<RevisionError>,
    ) -> Result<RevisionSet, RevisionError> {
        let mut revisions = Vec::new();
        for (path, bytes) in files {
            let Ok(text) = String::from_utf8(bytes) else {
                errors.push(RevisionError::NotUtf8 { path });
                continue;
            };
            match parse_revision(&path, &text) {
                Ok(rev) => revisions.push(rev),
                Err(e) => errors.push(e),
            }
        }
        match errors.len() {
            0 => RevisionSet::new(revisions),
            1 => Err(errors.remove(0)),
            _ => Err(RevisionError::Several(errors)),
        }
    }

    /// Validates already parsed revisions (in any order) as a set.
    pub fn new(revisions: Vec<Revision>) -> Result<RevisionSet, RevisionError> {
        let mut by_id: BTreeMap<String, Revision> = BTreeMap::new();
        for rev in revisions {
            if let Some(first) = by_id.get(&rev.id) {
                return Err(RevisionError::DuplicateId {
                    id: rev.id.clone(),
                    first: first.path.clone(),
                    second: rev.path,
                });
            }
            by_id.insert(rev.id.clone(), rev);
        }
        let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for rev in by_id.values() {
            for parent in &rev.parents {
                if !by_id.contains_key(parent) {
                    return Err(RevisionError::MissingParent {
                        id: rev.id.clone(),
                        parent: parent.clone(),
                        path: rev.path.clone(),
                    });
                }
                children
                    .entry(parent.clone())
                    .or_default()
                    .push(rev.id.clone());
            }
        }
        let order = topological_order(&by_id, &children)?;
        let mut index = BTreeMap::new();
        let mut ordered = Vec::with_capacity(order.len());
        for id in order {
            if let Some(rev) = by_id.remove(&id) {
                index.insert(id, ordered.len());
                ordered.push(rev);
            }
        }
        Ok(RevisionSet {
            revisions: ordered,
            index,
            children,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }

    pub fn len(&self) -> usize {
        self.revisions.len()
    }

    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.index.get(id).map(|&i| &self.revisions[i])
    }

    /// Every revision, root first: each revision after all of its parents.
    pub fn history(&self) -> &[Revision] {
        &self.revisions
    }

    /// The ids of the revisions naming `id` as a parent, sorted.
    pub fn children(&self, id: &str) -> &[String] {
        self.children.get(id).map(Vec::as_slice).unwrap_or_default()
    }

    /// Revisions with no parent, in history order.
    pub fn roots(&self) -> Vec<&Revision> {
        self.revisions
            .iter()
            .filter(|r| r.parents.is_empty())
            .collect()
    }

    /// Revisions no other revision names as a parent, in history order.
    pub fn heads(&self) -> Vec<&Revision> {
        self.revisions
            .iter()
            .filter(|r| !self.children.contains_key(&r.id))
            .collect()
    }

    /// The single head; none for an empty set; several heads are an error asking for a merge.
    pub fn head(&self) -> Result<Option<&Revision>, RevisionError> {
        let heads = self.heads();
        match heads.len() {
            0 => Ok(None),
            1 => Ok(heads.first().copied()),
            _ => Err(RevisionError::SeveralHeads {
                heads: heads.iter().map(|r| r.id.clone()).collect(),
            }),
        }
    }

    /// Resolves `head`, `base`, a full id or a unique id prefix (no relative steps; see
    /// [`RevisionSet::resolve`]). `Ok(None)` means base (before the first revision).
    pub(crate) fn resolve_plain(&self, target: &str) -> Result<Option<&Revision>, RevisionError> {
        let t = target.trim();
        match t {
            "base" => return Ok(None),
            "head" => {
                return match self.head()? {
                    Some(rev) => Ok(Some(rev)),
                    None => Ok(None),
                }
            }
            _ => {}
        }
        if t.is_empty() {
            return Err(RevisionError::UnknownTarget {
                target: target.to_string(),
            });
        }
        if let Some(rev) = self.get(t) {
            return Ok(Some(rev));
        }
        let candidates: Vec<&Revision> = self
            .index
            .range(t.to_string()..)
            .take_while(|(id, _)| id.starts_with(t))
            .map(|(_, &i)| &self.revisions[i])
            .collect();
        match candidates.as_slice() {
            [] => Err(RevisionError::UnknownTarget {
                target: target.to_string(),
            }),
            [one] => Ok(Some(one)),
            many => Err(RevisionError::AmbiguousTarget {
                target: target.to_string(),
                candidates: many.iter().map(|r| r.id.clone()).collect(),
            }),
        }
    }

    /// `id` and all of its ancestors.
    pub fn ancestors_and_self(&self, id: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![id.to_string()];
        while let Some(next) = stack.pop() {
            if !seen.insert(next.clone()) {
                continue;
            }
            if let Some(rev) = self.get(&next) {
                stack.extend(rev.parents.iter().cloned());
            }
        }
        seen
    }

    /// All descendants of `id` (not `id` itself).
    pub fn descendants(&self, id: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = self.children.get(id).cloned().unwrap_or_default();
        while let Some(next) = stack.pop() {
            if seen.insert(next.clone()) {
                stack.extend(self.children.get(&next).cloned().unwrap_or_default());
            }
        }
        seen
    }

    /// The applied revisions no other applied revision has as a parent: where the database is.
    /// Ids unknown to the set are kept (they are heads as far as we can tell).
    pub fn applied_heads(&self, applied: &BTreeSet<String>) -> Vec<String> {
        let mut parents_of_applied = BTreeSet::new();
        for id in applied {
            if let Some(rev) = self.get(id) {
                parents_of_applied.extend(rev.parents.iter().cloned());
            }
        }
        let mut heads: Vec<String> = applied
            .iter()
            .filter(|id| !parents_of_applied.contains(*id))
            .cloned()
            .collect();
        heads.sort_by_key(|id| self.index.get(id).copied().unwrap_or(usize::MAX));
        heads
    }

    /// The revisions to apply, in order, to go from the `applied` set to `target` (any upgrade
    /// target, see [`RevisionSet::upgrade_targets`]): every ancestor of the target(s) (and the
    /// targets) not applied yet, parents first. `base` needs nothing. For a linear chain this is
    /// the path from the current revision to the target.
    pub fn path_to(
        &self,
        applied: &BTreeSet<String>,
        target: &str,
    ) -> Result<Vec<&Revision>, RevisionError> {
        let mut wanted = BTreeSet::new();
        for t in self.upgrade_targets(applied, target)? {
            wanted.extend(self.ancestors_and_self(&t.id));
        }
        Ok(self
            .revisions
            .iter()
            .filter(|r| wanted.contains(&r.id) && !applied.contains(&r.id))
            .collect())
    }

    /// The revisions to revert, in order (children first), to take the `applied` set down to
    /// `target` (resolved, `None` = base): every applied descendant of the target.
    pub fn downgrade_path(
        &self,
        applied: &BTreeSet<String>,
        target: Option<&Revision>,
    ) -> Vec<&Revision> {
        let remove: BTreeSet<String> = match target {
            None => applied.clone(),
            Some(t) => self.descendants(&t.id),
        };
        self.revisions
            .iter()
            .rev()
            .filter(|r| remove.contains(&r.id) && applied.contains(&r.id))
            .collect()
    }
}

/// Kahn's algorithm over the DAG; ready revisions are taken by (`created`, id) so the order is
/// deterministic and follows creation time among siblings. Leftover revisions lie on a cycle,
/// reported with their files.
fn topological_order(
    by_id: &BTreeMap<String, Revision>,
    children: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<String>, RevisionError> {
    let mut missing: BTreeMap<&str, usize> = by_id
        .values()
        .map(|r| (r.id.as_str(), r.parents.len()))
        .collect();
    let mut ready: BTreeSet<(&str, &str)> = by_id
        .values()
        .filter(|r| r.parents.is_empty())
        .map(|r| (r.created.as_str(), r.id.as_str()))
        .collect();
    let mut order = Vec::with_capacity(by_id.len());
    while let Some(first) = ready.pop_first() {
        let id = first.1;
        order.push(id.to_string());
        for child in children.get(id).map(Vec::as_slice).unwrap_or_default() {
            if let Some(count) = missing.get_mut(child.as_str()) {
                *count -= 1;
                if *count == 0 {
                    if let Some(rev) = by_id.get(child) {
                        ready.insert((rev.created.as_str(), rev.id.as_str()));
                    }
                }
            }
        }
    }
    if order.len() == by_id.len() {
        return Ok(order);
    }
    // Walk parents from any leftover revision until one repeats: that loop is the cycle.
    let done: BTreeSet<&str> = order.iter().map(String::as_str).collect();
    let mut path: Vec<&str> = Vec::new();
    let mut current = by_id
        .keys()
        .map(String::as_str)
        .find(|id| !done.contains(id));
    while let Some(id) = current {
        if let Some(at) = path.iter().position(|p| *p == id) {
            let mut cycle: Vec<(String, std::path::PathBuf)> = path[at..]
                .iter()
                .rev()
                .filter_map(|id| by_id.get(*id).map(|r| (r.id.clone(), r.path.clone())))
                .collect();
            if let Some(first) = cycle.first().cloned() {
                cycle.push(first);
            }
            return Err(RevisionError::Cycle { cycle });
        }
        path.push(id);
        current = by_id.get(id).and_then(|r| {
            r.parents
                .iter()
                .map(String::as_str)
                .find(|p| !done.contains(p))
        });
    }
    Err(RevisionError::Cycle { cycle: Vec::new() })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A revision with only an id and parents, for graph tests here and in `target.rs`.
    pub(crate) fn rev(id: &str, parents: &[&str]) -> Revision {
        Revision {
            id: id.to_string(),
            parents: parents.iter().map(|p| p.to_string()).collect(),
            message: String::new(),
            created: String::new(),
            upgrade_sql: String::new(),
            downgrade_sql: String::new(),
            path: PathBuf::from(format!("revs/{id}_x.sql")),
            checksum: String::new(),
            equivalent_checksums: Vec::new(),
            allow_destructive: None,
            allow_hazards: Vec::new(),
            dialect: None,
            format: 2,
            no_transaction: false,
        }
    }

    const A: &str = "aaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbb";
    const B2: &str = "bbbbbbbbbbb2";
    const C: &str = "cccccccccccc";
    const M: &str = "dddddddddddd";

    fn ids(revs: &[&Revision]) -> Vec<String> {
        revs.iter().map(|r| r.id.clone()).collect()
    }

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn linear_chain() {
        // Given in a scrambled order: history sorts it.
        let s = RevisionSet::new(vec![rev(C, &[B]), rev(A, &[]), rev(B, &[A])]).unwrap();
        let history: Vec<&str> = s.history().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(history, vec![A, B, C]);
        assert_eq!(ids(&s.heads()), vec![C]);
        assert_eq!(s.resolve("head").unwrap().unwrap().id, C);
        assert!(s.resolve("base").unwrap().is_none());
        assert_eq!(s.resolve("bb").unwrap().unwrap().id, B);
        assert_eq!(s.resolve(A).unwrap().unwrap().id, A);
        assert_eq!(ids(&s.path_to(&set(&[]), "head").unwrap()), vec![A, B, C]);
        assert_eq!(ids(&s.path_to(&set(&[A]), "head").unwrap()), vec![B, C]);
        assert_eq!(ids(&s.path_to(&set(&[A]), B).unwrap()), vec![B]);
        assert!(s.path_to(&set(&[A, B, C]), "head").unwrap().is_empty());
        assert!(s.path_to(&set(&[]), "base").unwrap().is_empty());
        let all = set(&[A, B, C]);
        assert_eq!(ids(&s.downgrade_path(&all, None)), vec![C, B, A]);
        assert_eq!(ids(&s.downgrade_path(&all, s.get(A))), vec![C, B]);
        assert_eq!(s.applied_heads(&set(&[A, B])), vec![B.to_string()]);
    }

    #[test]
    fn branches_and_merges() {
        let s = RevisionSet::new(vec![rev(A, &[]), rev(B, &[A]), rev(C, &[A])]).unwrap();
        assert_eq!(ids(&s.heads()), vec![B, C]);
        let err = s.resolve("head").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("several heads: {B}, {C}; run `autogen merge` to join them, or name one revision as the target")
        );
        assert!(s.path_to(&set(&[]), "head").is_err());
        assert_eq!(ids(&s.path_to(&set(&[]), C).unwrap()), vec![A, C]);

        let s = RevisionSet::new(vec![
            rev(A, &[]),
            rev(B, &[A]),
            rev(C, &[A]),
            rev(M, &[B, C]),
        ])
        .unwrap();
        assert_eq!(ids(&s.heads()), vec![M]);
        assert_eq!(ids(&s.path_to(&set(&[A, B]), "head").unwrap()), vec![C, M]);
        let all = set(&[A, B, C, M]);
        assert_eq!(ids(&s.downgrade_path(&all, s.get(B))), vec![M]);
        assert_eq!(
            s.applied_heads(&set(&[A, B, C])),
            vec![B.to_string(), C.to_string()]
        );
    }

    #[test]
    fn ambiguous_and_unknown_targets() {
        let s = RevisionSet::new(vec![rev(A, &[]), rev(B, &[A]), rev(B2, &[B])]).unwrap();
        let err = s.resolve("bbb").unwrap_err();
        assert!(matches!(err, RevisionError::AmbiguousTarget { .. }));
        let shown = err.to_string();
        assert!(shown.contains(B) && shown.contains(B2), "{shown}");
        assert_eq!(s.resolve("bbbbbbbbbbb2").unwrap().unwrap().id, B2);
        for bad in ["zzz", "", "  ", "aaaaaaaaaaaaa"] {
            let err = s.resolve(bad).unwrap_err();
            assert!(
                matches!(err, RevisionError::UnknownTarget { .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn empty_set() {
        let s = RevisionSet::new(vec![]).unwrap();
        assert!(s.resolve("head").unwrap().is_none());
        assert!(s.heads().is_empty());
    }

    #[test]
    fn validation_errors_name_files() {
        let mut dup = rev(A, &[]);
        dup.path = PathBuf::from("revs/other.sql");
        let err = RevisionSet::new(vec![rev(A, &[]), dup]).unwrap_err();
        let shown = err.to_string();
        assert!(matches!(err, RevisionError::DuplicateId { .. }));
        assert!(
            shown.contains("revs/aaaaaaaaaaaa_x.sql") && shown.contains("revs/other.sql"),
            "{shown}"
        );

        let err = RevisionSet::new(vec![rev(A, &[]), rev(B, &[C])]).unwrap_err();
        let shown = err.to_string();
        assert!(matches!(err, RevisionError::MissingParent { .. }));
        assert!(
            shown.contains("revs/bbbbbbbbbbbb_x.sql") && shown.contains(C),
            "{shown}"
        );

        let err = RevisionSet::new(vec![rev(A, &[]), rev(B, &[A, C]), rev(C, &[B])]).unwrap_err();
        let shown = err.to_string();
        assert!(matches!(err, RevisionError::Cycle { .. }), "{shown}");
        assert!(
            shown.contains("revs/bbbbbbbbbbbb_x.sql") && shown.contains("revs/cccccccccccc_x.sql"),
            "{shown}"
        );
        assert!(!shown.contains("aaaaaaaaaaaa_x"), "{shown}");
    }

    #[test]
    fn load_reads_a_folder_and_reports_every_bad_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        file("a.sql", "-- autogen:revision aaaaaaaaaaaa\n-- autogen:upgrade\nSELECT 1;\n-- autogen:downgrade\n");
        file("b.sql", "-- autogen:revision bbbbbbbbbbbb\n-- autogen:parent aaaaaaaaaaaa\n-- autogen:upgrade\n-- autogen:downgrade\n");
        file("notes.txt", "not a revision");
        std::fs::create_dir(dir.path().join("sub.sql")).unwrap();
        let s = RevisionSet::load(dir.path()).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.heads()[0].id, B);

        file("c.sql", "garbage\n");
        file("d.sql", "-- autogen:revision nope\n");
        std::fs::write(dir.path().join("e.sql"), [0xff, 0xfe]).unwrap();
        let err = RevisionSet::load(dir.path()).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains("c.sql:1:") && shown.contains("d.sql:1:") && shown.contains("e.sql"),
            "{shown}"
        );

        let err = RevisionSet::load(&dir.path().join("missing")).unwrap_err();
        assert!(matches!(err, RevisionError::MissingFolder { .. }));
    }
}
