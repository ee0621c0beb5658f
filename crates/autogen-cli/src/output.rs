//! How results look on the terminal: the few styles the CLI uses (anstream strips them when the
//! output is not a terminal or NO_COLOR is set) and how paths are shown.

use std::path::Path;

use anstyle::{AnsiColor, Style};

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
