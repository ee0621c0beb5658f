//! Model errors: the internal [`Diag`] (a message at a span, used by the grammar and the derive)
//! and the public [`ModelError`] / [`ModelErrors`] (a message at file:line:col, rendered like a
//! compiler error through annotate-snippets).
//!
//! This module owns the wording of the location and the snippet; it deliberately does not decide
//! what is an error (the grammar, lowering and resolve passes do) nor where output goes (the CLI
//! prints; `Display` here is plain text, `render_styled` adds colour for terminals).

use std::fmt;
use std::path::{Path, PathBuf};

use annotate_snippets::{Level, Renderer, Snippet};
use proc_macro2::Span;
use quote::ToTokens;

/// One problem found in the model files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    /// The file (as given, or relative to the root under `read_models`), or the glob that
    /// matched nothing.
    pub path: PathBuf,
    /// 1-based line; 0 when the error has no position (io errors, empty globs).
    pub line: usize,
    /// 1-based column in characters; 0 when the error has no position.
    pub column: usize,
    pub message: String,
    /// The suggested fix, printed as `= help: ...`.
    pub help: Option<String>,
    /// The source line the error points into, for the snippet.
    pub source_line: Option<String>,
    /// How many characters of `source_line` the caret underline covers (at least 1).
    pub width: usize,
}

/// Every problem found in one read, in file order and then position order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelErrors(pub Vec<ModelError>);

impl ModelError {
    /// An error that has a file but no position in it.
    pub fn without_position(
        path: impl Into<PathBuf>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        ModelError {
            path: path.into(),
            line: 0,
            column: 0,
            message: message.into(),
            help,
            source_line: None,
            width: 0,
        }
    }

    /// An error at `pos` inside `source` (the whole text of the file at `path`).
    pub(crate) fn at(
        path: &Path,
        source: &str,
        pos: Pos,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        let source_line = source
            .lines()
            .nth(pos.line.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r').to_string());
        let line_chars = source_line
            .as_deref()
            .map(|l| l.chars().count())
            .unwrap_or(0);
        let end = if pos.end_line == pos.line && pos.end_column > pos.column {
            pos.end_column
        } else {
            // A span running over several lines is underlined to the end of its first line.
            line_chars.max(pos.column + 1)
        };
        ModelError {
            path: path.to_path_buf(),
            line: pos.line,
            column: pos.column + 1,
            message: message.into(),
            help,
            source_line,
            width: (end - pos.column).max(1),
        }
    }

    fn render_with(&self, renderer: &Renderer) -> String {
        let origin = self.path.display().to_string();
        let (Some(line), 1..) = (&self.source_line, self.line) else {
            // Nothing to quote (an io error, a glob): annotate-snippets would draw an empty
            // gutter, so this short form keeps the same shape without it.
            let mut out = format!("error: {}\n --> {origin}", self.message);
            if let Some(help) = &self.help {
                out.push_str(&format!("\n  = help: {help}"));
            }
            return out;
        };
        let start = char_to_byte(line, self.column.saturating_sub(1));
        let end = char_to_byte(line, self.column.saturating_sub(1) + self.width);
        let message = Level::Error.title(&self.message).snippet(
            Snippet::source(line)
                .line_start(self.line)
                .origin(&origin)
                .annotation(Level::Error.span(start..end.max(start))),
        );
        let message = match self.help.as_deref() {
            Some(h) => message.footer(Level::Help.title(h)),
            None => message,
        };
        let rendered = renderer.render(message).to_string();
        rendered
    }

    /// The diagnostic with terminal colours (for the CLI; respects nothing by itself, so the
    /// caller decides whether the stream wants colour).
    pub fn render_styled(&self) -> String {
        self.render_with(&Renderer::styled())
    }
}

fn char_to_byte(s: &str, chars: usize) -> usize {
    s.char_indices()
        .nth(chars)
        .map(|(b, _)| b)
        .unwrap_or(s.len())
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_with(&Renderer::plain()))
    }
}

impl std::error::Error for ModelError {}

impl ModelErrors {
    /// All errors with terminal colours, separated by blank lines.
    pub fn render_styled(&self) -> String {
        let parts: Vec<String> = self.0.iter().map(ModelError::render_styled).collect();
        parts.join("\n\n")
    }
}

impl fmt::Display for ModelErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ModelErrors {}

/// A source range as the start and end token spans, so it converts both to a compile error
/// (which needs spans) and to a file position (which needs line/column).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site {
    pub start: Span,
    pub end: Span,
}

impl Site {
    pub fn of(node: &impl ToTokens) -> Site {
        let mut tokens = node.to_token_stream().into_iter();
        let start = tokens
            .next()
            .map(|t| t.span())
            .unwrap_or_else(Span::call_site);
        let end = tokens.last().map(|t| t.span()).unwrap_or(start);
        Site { start, end }
    }

    pub fn span(span: Span) -> Site {
        Site {
            start: span,
            end: span,
        }
    }

    pub fn pos(&self) -> Pos {
        let s = self.start.start();
        let e = self.end.end();
        Pos {
            line: s.line,
            column: s.column,
            end_line: e.line,
            end_column: e.column,
        }
    }
}

/// A resolved position: 1-based line, 0-based character column (proc-macro2's convention).
/// Plain data, so it crosses threads where spans cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// A problem found while reading one item, before it knows which file it is in.
#[derive(Debug, Clone)]
pub(crate) struct Diag {
    pub site: Site,
    pub message: String,
    pub help: Option<String>,
}

impl Diag {
    pub fn new(site: Site, message: impl Into<String>) -> Diag {
        Diag {
            site,
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Diag {
        self.help = Some(help.into());
        self
    }

    /// A compile error for the derive: the help goes on its own line, as rustc prints notes.
    pub fn to_syn(&self) -> syn::Error {
        let message = match &self.help {
            Some(h) => format!("{}\n= help: {h}", self.message),
            None => self.message.clone(),
        };
        syn::Error::new_spanned(SiteTokens(self.site), message)
    }

    pub fn into_model_error(self, path: &Path, source: &str) -> ModelError {
        ModelError::at(path, source, self.site.pos(), self.message, self.help)
    }
}

/// Two empty-looking tokens carrying a site's start and end spans: `syn::Error::new_spanned`
/// takes its range from the first and last token, which is exactly what a site is.
struct SiteTokens(Site);

impl ToTokens for SiteTokens {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        let mut a = proc_macro2::Punct::new('~', proc_macro2::Spacing::Alone);
        a.set_span(self.0.start);
        let mut b = proc_macro2::Punct::new('~', proc_macro2::Spacing::Alone);
        b.set_span(self.0.end);
        tokens.extend([
            proc_macro2::TokenTree::Punct(a),
            proc_macro2::TokenTree::Punct(b),
        ]);
    }
}
