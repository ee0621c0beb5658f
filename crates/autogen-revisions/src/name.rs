//! Revision ids and file names: generating ids, checking them, turning a free-text message into a
//! safe file name, and writing a new revision file atomically. A message is user input, so the
//! slug keeps only lowercase ASCII letters, digits and single underscores: no separator, dot,
//! quote, NUL or non-ASCII character can reach the file system. This file does not know the
//! contents of a revision file (see `file.rs`).

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::Rng;

use crate::RevisionError;

/// The length of a revision id: 12 lowercase hex digits (48 random bits, plenty for the number
/// of revisions one project will ever have, and short enough to type).
pub const ID_LEN: usize = 12;

/// The longest slug a file name carries, so names stay readable in listings.
const SLUG_MAX: usize = 40;

/// A new random revision id: 12 lowercase hex characters.
pub fn new_revision_id() -> String {
    let mut rng = rand::thread_rng();
    (0..ID_LEN)
        .map(|_| {
            let digit: u32 = rng.gen_range(0..16);
            char::from_digit(digit, 16).unwrap_or('0')
        })
        .collect()
}

/// Whether `id` is a well-formed revision id (exactly 12 lowercase hex digits).
pub fn is_valid_id(id: &str) -> bool {
    id.len() == ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The file-name form of a message: lowercase ASCII letters and digits, runs of anything else
/// folded to one `_`, no leading or trailing `_`, at most 40 characters, never empty
/// (`revision` when nothing usable is left).
pub fn slug(message: &str) -> String {
    let mut out = String::new();
    let mut pending_sep = false;
    for c in message.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_sep && !out.is_empty() {
                if out.len() + 1 >= SLUG_MAX {
                    break;
                }
                out.push('_');
            }
            pending_sep = false;
            if out.len() >= SLUG_MAX {
                break;
            }
            out.push(c.to_ascii_lowercase());
        } else {
            pending_sep = true;
        }
    }
    if out.is_empty() {
        "revision".to_string()
    } else {
        out
    }
}

/// The file name of a revision: `{id}_{slug}.sql`. The id is filtered like the slug (only ASCII
/// letters and digits survive), so even a malformed id cannot name a path outside the folder.
pub fn file_name(id: &str, message: &str) -> String {
    let id: String = id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let id = if id.is_empty() {
        "revision".to_string()
    } else {
        id
    };
    format!("{id}_{}.sql", slug(message))
}

/// Writes a new revision file `dir/file_name` atomically: the contents go to a temporary file
/// in the same folder, are flushed to disk, and the temporary file is then renamed into place
/// without replacing anything. A failure leaves no partial file behind; an existing file of that
/// name is an error and stays untouched. The file's mode follows the umask, as an editor's would.
/// Returns the path written.
pub fn write_revision_file(
    dir: &Path,
    file_name: &str,
    contents: &str,
) -> Result<PathBuf, RevisionError> {
    let plain = Path::new(file_name)
        .file_name()
        .is_some_and(|n| n == std::ffi::OsStr::new(file_name));
    if !plain || !file_name.ends_with(".sql") || file_name.starts_with('.') {
        return Err(RevisionError::BadFileName {
            name: file_name.to_string(),
        });
    }
    let target = dir.join(file_name);
    if target.exists() {
        return Err(RevisionError::AlreadyExists { path: target });
    }
    let io = |source: std::io::Error| RevisionError::Io {
        path: target.clone(),
        source,
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".autogen-").suffix(".tmp");
    // A temporary file is created with mode 0600 by default, and the rename keeps it; a revision
    // file is an ordinary project file, so it gets what an editor would give it: 0666 minus the
    // umask (0644 under the usual 022).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    tmp.write_all(contents.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    // `persist_noclobber` renames without replacing, so a file created by someone else between
    // the check above and now is not overwritten either; on failure the temp file is removed.
    tmp.persist_noclobber(&target).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            RevisionError::AlreadyExists {
                path: target.clone(),
            }
        } else {
            io(e.error)
        }
    })?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_twelve_lowercase_hex_digits_and_differ() {
        let a = new_revision_id();
        let b = new_revision_id();
        assert!(is_valid_id(&a), "{a}");
        assert!(is_valid_id(&b), "{b}");
        assert_ne!(a, b);
    }

    #[test]
    fn id_validation() {
        for (id, ok) in [
            ("3f9a2c1b7d04", true),
            ("000000000000", true),
            ("3F9A2C1B7D04", false),
            ("3f9a2c1b7d0", false),
            ("3f9a2c1b7d045", false),
            ("3f9a2c1b7d0g", false),
            ("", false),
            ("3f9a2c1b7d0\u{e9}", false),
        ] {
            assert_eq!(is_valid_id(id), ok, "{id:?}");
        }
    }

    #[test]
    fn slugs_of_hostile_messages() {
        let cases: &[(&str, &str)] = &[
            ("add column", "add_column"),
            ("Add  Column!!", "add_column"),
            ("../../x", "x"),
            ("..\\..\\windows\\system32", "windows_system32"),
            ("/etc/passwd", "etc_passwd"),
            ("it's \"quoted\"", "it_s_quoted"),
            ("nul\0byte", "nul_byte"),
            ("caf\u{e9} na\u{ef}ve", "caf_na_ve"),
            ("\u{1f600}\u{1f600}", "revision"),
            ("", "revision"),
            ("   ", "revision"),
            ("___", "revision"),
            ("-- autogen:upgrade", "autogen_upgrade"),
            ("line1\nline2\r\nline3", "line1_line2_line3"),
            ("a;DROP TABLE users;--", "a_drop_table_users"),
            ("CON", "con"),
            (
                "a very long message that goes on and on well past forty characters",
                "a_very_long_message_that_goes_on_and_on",
            ),
            (&"x".repeat(100), &"x".repeat(40)),
        ];
        for (message, expected) in cases {
            let s = slug(message);
            assert_eq!(&s, expected, "slug of {message:?}");
            assert!(s.len() <= 40 && !s.is_empty());
            assert!(!s.starts_with('_') && !s.ends_with('_') && !s.contains("__"));
            assert!(s
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
        }
    }

    #[test]
    fn file_names_stay_in_the_folder() {
        assert_eq!(
            file_name("3f9a2c1b7d04", "Add users"),
            "3f9a2c1b7d04_add_users.sql"
        );
        assert_eq!(file_name("../../etc", "x"), "etc_x.sql");
        assert_eq!(file_name("/", "/"), "revision_revision.sql");
    }

    #[test]
    fn write_is_atomic_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_revision_file(dir.path(), "3f9a2c1b7d04_x.sql", "one").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        let err = write_revision_file(dir.path(), "3f9a2c1b7d04_x.sql", "two").unwrap_err();
        assert!(matches!(err, RevisionError::AlreadyExists { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        for bad in ["../x.sql", "a/b.sql", "x.txt", ".hidden.sql", ""] {
            let err = write_revision_file(dir.path(), bad, "x").unwrap_err();
            assert!(
                matches!(err, RevisionError::BadFileName { .. }),
                "{bad}: {err}"
            );
        }
        // Only the one file: no temporary files left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }
}
