//! Target expressions, the words users pass to `upgrade`, `downgrade`, `stamp`, `show` and
//! `--sql`: `head`, `heads`, `base`, a full revision id or a unique prefix of one, a revision
//! plus or minus a number of steps (`ae10+2`, `head-1`), and steps relative to where the
//! database is (`+2` for upgrade; `-1` for downgrade, handled by the runner).
//!
//! Stepping follows the graph: forward needs a single child (or, from base, a single root),
//! backward a single parent (one step back from a root is base), and an ambiguous step is an
//! error listing the choices instead of a guess. This file resolves words to revisions; it
//! does not plan what to apply (see `graph.rs`) nor read a database (the runner passes the
//! applied set in).

use std::collections::BTreeSet;

use crate::file::Revision;
use crate::graph::RevisionSet;
use crate::RevisionError;

impl RevisionSet {
    /// Resolves a target that does not depend on the database: `head` (the single head),
    /// `heads` (only when there is one), `base`, a full id or unique prefix, and `X+N` / `X-N`
    /// for any of those `X`. `Ok(None)` means base (before the first revision). A bare `+N` or
    /// `-N` is relative to the database and is refused here.
    pub fn resolve(&self, target: &str) -> Result<Option<&Revision>, RevisionError> {
        let t = target.trim();
        if t.starts_with(['+', '-']) {
            return Err(relative(
                target,
                "a bare relative step counts from the database's current revision; only `upgrade +N` and `downgrade -N` accept it (or write `REV+N`/`REV-N`)",
            ));
        }
        if t == "heads" {
            return self.head();
        }
        match split_steps(t) {
            Some((anchor, steps)) => {
                let from = self.resolve(anchor)?;
                self.step(target, from, steps)
            }
            None => self.resolve_plain(t),
        }
    }

    /// The revisions an upgrade to `target` must reach: every head for `heads`, the revision
    /// `N` steps after the database's applied head for `+N`, otherwise [`RevisionSet::resolve`]
    /// (empty for base).
    pub fn upgrade_targets(
        &self,
        applied: &BTreeSet<String>,
        target: &str,
    ) -> Result<Vec<&Revision>, RevisionError> {
        let t = target.trim();
        if t == "heads" {
            return Ok(self.heads());
        }
        if let Some(n) = t.strip_prefix('+') {
            let steps = parse_count(target, n)?;
            return Ok(self
                .steps_after(target, applied, steps)?
                .into_iter()
                .collect());
        }
        Ok(self.resolve(t)?.into_iter().collect())
    }

    /// The revisions `stamp` records as applied (with their ancestors): every head for
    /// `heads`, otherwise the resolved target (empty for base).
    pub fn stamp_targets(&self, target: &str) -> Result<Vec<&Revision>, RevisionError> {
        if target.trim() == "heads" {
            return Ok(self.heads());
        }
        Ok(self.resolve(target)?.into_iter().collect())
    }

    /// `+N` from the applied set: N times, the one revision that is not applied and whose
    /// parents all are (from base: the single root; at two applied branch heads: their merge).
    fn steps_after(
        &self,
        target: &str,
        applied: &BTreeSet<String>,
        steps: i64,
    ) -> Result<Option<&Revision>, RevisionError> {
        let mut done = applied.clone();
        let mut last = None;
        for _ in 0..steps {
            let ready: Vec<&Revision> = self
                .history()
                .iter()
                .filter(|r| !done.contains(&r.id) && r.parents.iter().all(|p| done.contains(p)))
                .collect();
            let here = {
                let heads = self.applied_heads(&done);
                if heads.is_empty() {
                    "base".to_string()
                } else {
                    heads.join(", ")
                }
            };
            match ready.as_slice() {
                [] => return Err(relative(target, &format!("nothing comes after {here}"))),
                [one] => {
                    done.insert(one.id.clone());
                    last = Some(*one);
                }
                many => {
                    return Err(relative(
                        target,
                        &format!(
                            "{here} is followed by several revisions ({}); name the one you mean",
                            many.iter()
                                .map(|r| r.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ))
                }
            }
        }
        Ok(last)
    }

    /// Walks `steps` edges from `from` (`None` = base): forward along the single child,
    /// backward along the single parent.
    fn step<'s>(
        &'s self,
        target: &str,
        mut from: Option<&'s Revision>,
        steps: i64,
    ) -> Result<Option<&'s Revision>, RevisionError> {
        for _ in 0..steps.unsigned_abs() {
            from = if steps > 0 {
                let next: Vec<&Revision> = match from {
                    None => self.roots(),
                    Some(rev) => self
                        .children(&rev.id)
                        .iter()
                        .filter_map(|c| self.get(c))
                        .collect(),
                };
                let here = from.map_or("base".to_string(), |r| r.id.clone());
                match next.as_slice() {
                    [] => {
                        return Err(relative(
                            target,
                            &format!("{here} is a head; nothing comes after it"),
                        ))
                    }
                    [one] => Some(*one),
                    many => {
                        return Err(relative(
                            target,
                            &format!(
                            "{here} is followed by several revisions ({}); name the one you mean",
                            many.iter()
                                .map(|r| r.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        ))
                    }
                }
            } else {
                match from {
                    None => return Err(relative(target, "nothing comes before base")),
                    Some(rev) => match rev.parents.as_slice() {
                        [] => None,
                        [one] => self.get(one),
                        many => {
                            return Err(relative(
                                target,
                                &format!(
                                    "{} is a merge of {}; name the parent you mean",
                                    rev.id,
                                    many.join(", ")
                                ),
                            ))
                        }
                    },
                }
            };
        }
        Ok(from)
    }
}

/// `X+N` / `X-N` with a non-empty `X`: the anchor and the signed step count.
fn split_steps(t: &str) -> Option<(&str, i64)> {
    let at = t.rfind(['+', '-'])?;
    let (anchor, rest) = (&t[..at], &t[at..]);
    let digits = &rest[1..];
    if anchor.is_empty() || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    Some((anchor, if rest.starts_with('-') { -n } else { n }))
}

fn parse_count(target: &str, digits: &str) -> Result<i64, RevisionError> {
    match digits.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(relative(
            target,
            "a relative step is `+` or `-` followed by a positive number, like `+1`",
        )),
    }
}

fn relative(target: &str, reason: &str) -> RevisionError {
    RevisionError::RelativeTarget {
        target: target.trim().to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::graph::tests::rev;

    const A: &str = "aaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbb";
    const C: &str = "cccccccccccc";
    const D: &str = "dddddddddddd";
    const M: &str = "eeeeeeeeeeee";

    fn applied(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn id(r: Option<&Revision>) -> &str {
        r.map_or("base", |r| r.id.as_str())
    }

    #[test]
    fn relative_targets_on_a_chain() {
        let s = RevisionSet::new(vec![rev(A, &[]), rev(B, &[A]), rev(C, &[B])]).unwrap();
        for (target, expected) in [
            ("head", C),
            ("heads", C),
            ("head-1", B),
            ("head-2", A),
            ("head-3", "base"),
            ("base+1", A),
            ("base+3", C),
            ("aaa+1", B),
            ("bbbb-1", A),
            ("bb+0", B),
        ] {
            assert_eq!(id(s.resolve(target).unwrap()), expected, "{target}");
        }
        for bad in ["head+1", "base-1", "head-4", "+1", "-1", "zz+1"] {
            assert!(s.resolve(bad).is_err(), "{bad}");
        }
        let err = s.resolve("head+1").unwrap_err().to_string();
        assert!(err.contains("is a head; nothing comes after it"), "{err}");

        let up = |applied_ids: &[&str], t: &str| -> Vec<String> {
            s.path_to(&applied(applied_ids), t)
                .unwrap()
                .iter()
                .map(|r| r.id.clone())
                .collect()
        };
        assert_eq!(up(&[], "+1"), vec![A]);
        assert_eq!(up(&[A], "+2"), vec![B, C]);
        assert_eq!(up(&[A], "base+2"), vec![B]);
        assert!(s.path_to(&applied(&[A, B, C]), "+1").is_err());
        assert!(s.path_to(&applied(&[]), "+0").is_err());
    }

    #[test]
    fn relative_targets_refuse_to_guess_at_branches_and_merges() {
        // A -> B, A -> C, (B, C) -> M, plus D after M.
        let s = RevisionSet::new(vec![
            rev(A, &[]),
            rev(B, &[A]),
            rev(C, &[A]),
            rev(M, &[B, C]),
            rev(D, &[M]),
        ])
        .unwrap();
        let err = s.resolve("aaaa+1").unwrap_err().to_string();
        assert!(err.contains(B) && err.contains(C), "{err}");
        let err = s.resolve("eeee-1").unwrap_err().to_string();
        assert!(err.contains("is a merge of"), "{err}");
        assert_eq!(id(s.resolve("head-1").unwrap()), M);
        assert_eq!(id(s.resolve("bbbb+1").unwrap()), M);

        let branched = RevisionSet::new(vec![rev(A, &[]), rev(B, &[A]), rev(C, &[A])]).unwrap();
        assert!(matches!(
            branched.resolve("head"),
            Err(RevisionError::SeveralHeads { .. })
        ));
        let all: Vec<&str> = branched
            .path_to(&applied(&[]), "heads")
            .unwrap()
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(all, vec![A, B, C]);
        let stamped: Vec<&str> = branched
            .stamp_targets("heads")
            .unwrap()
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(stamped, vec![B, C]);
        let err = branched
            .path_to(&applied(&[A]), "+1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("several revisions"), "{err}");
        // At both branch heads, the next step is their merge.
        let next: Vec<&str> = s
            .path_to(&applied(&[A, B, C]), "+1")
            .unwrap()
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(next, vec![M]);
    }
}
