//! How results look on the terminal: the few styles the CLI uses (anstream strips them when the
//! output is not a terminal or NO_COLOR is set), how paths are shown, the "Using DATABASE"
//! line, and the last redaction pass every error message goes through before it is printed.

use std::fmt::Display;
use std::path::Path;

use anstream::eprintln;
use anstyle::{AnsiColor, Style};
use autogen::db::DatabaseUrl;

pub const ERR: Style = AnsiColor::Red.on_default().bold();
pub const OK: Style = AnsiColor::Green.on_default().bold();
pub const WARN: Style = AnsiColor::Yellow.on_default().bold();
pub const DIM: Style = Style::new().dimmed();

/// Shows `path` relative to the current folder when it is inside it.
pub fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let rel = cwd.as_deref().and_then(|c| path.strip_prefix(c).ok());
    rel.unwrap_or(path).display().to_string()
}

/// Says, on stderr (stdout stays the command's data), which database a command is about to
/// open and where its URL came from, password masked: `Using postgres://app:***@db/app (from
/// DATABASE_URL in .env)`. `role` names the database when it is not the project's own
/// (`dev database`, `FROM`).
pub fn using(role: Option<&str>, url: &DatabaseUrl, source: impl Display) {
    let role = role.map(|r| format!("{r} ")).unwrap_or_default();
    eprintln!(
        "{}Using {role}{} (from {source}){}",
        DIM.render(),
        url.redacted(),
        DIM.render_reset()
    );
}

/// An error message as it may be printed: every URL in it with its password masked
/// ([`autogen::db::redact_secrets`]). The library already redacts the URLs it puts into errors;
/// this pass catches whatever text reached an error some other way (a driver message, a
/// parser's quote of its input).
pub fn safe(message: impl Display) -> String {
    autogen::db::redact_secrets(&message.to_string())
}
