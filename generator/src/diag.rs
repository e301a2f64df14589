//! Diagnostics: every problem found in a spec, with the file, the JSON pointer, the line and
//! column where they are known, what is wrong and how to fix it.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The spec cannot be generated: nothing is written.
    #[default]
    Error,
    /// The spec was generated, but something in it was changed, dropped or degraded on the way
    /// (an invalid default removed, a schema typed as `serde_json::Value`, ...). Fatal only when
    /// the caller asks for it (`deny_warnings`).
    Warning,
}

impl Severity {
    /// `error` or `warning`, as messages start.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in a spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file the problem is in, as given to the loader.
    pub file: PathBuf,
    /// The 1-based line and column of the offending value, where it could be located.
    pub location: Option<(usize, usize)>,
    /// The JSON pointer (RFC 6901) of the offending value inside `file`; empty for the root.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Whether generation stopped ([`Severity::Error`]) or went on ([`Severity::Warning`]).
    pub severity: Severity,
}

impl Diagnostic {
    /// A diagnostic at `pointer` in `file`.
    ///
    /// An empty `message` is replaced by a generic one: every diagnostic says what is wrong.
    pub fn new(file: impl Into<PathBuf>, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        debug_assert!(!message.trim().is_empty(), "a diagnostic without a message");
        Self {
            file: file.into(),
            location: None,
            pointer: pointer.into(),
            message: if message.trim().is_empty() { EMPTY_MESSAGE.to_string() } else { message },
            help: None,
            severity: Severity::Error,
        }
    }

    /// The same diagnostic as a warning: generation goes on.
    #[must_use]
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// True for a warning.
    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }

    /// Adds the advice on how to fix the problem.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds the line and column.
    #[must_use]
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.location = Some((line, column));
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = if self.message.trim().is_empty() { EMPTY_MESSAGE } else { &self.message };
        writeln!(f, "{}: {message}", self.severity.label())?;
        write!(f, "  --> {}", display_path(&self.file))?;
        if let Some((line, column)) = self.location {
            write!(f, ":{line}:{column}")?;
        }
        let pointer = if self.pointer.is_empty() { "(document root)" } else { &self.pointer };
        write!(f, "\n   = at JSON pointer: {pointer}")?;
        if let Some(help) = &self.help {
            write!(f, "\n   = help: {help}")?;
        }
        Ok(())
    }
}

/// Shown instead of an empty message, which no diagnostic may have (`Diagnostic::new` checks it
/// in debug builds; this keeps release builds from printing a bare `error: `).
const EMPTY_MESSAGE: &str = "a problem was found here, but the generator did not describe it (please report this)";

/// Shows a path with forward slashes, so messages read the same on every platform.
fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Every problem found in one run, sorted by file and position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Returns `Ok(value)` when nothing was reported, else every problem, sorted and deduplicated.
    ///
    /// # Errors
    ///
    /// The collected diagnostics, when there is at least one.
    pub fn into_result<T>(mut self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            self.0.sort();
            self.0.dedup();
            Err(self)
        }
    }

    /// Appends every problem of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Self(vec![d])
    }
}

impl Diagnostics {
    /// The number of errors (not warnings).
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| !d.is_warning()).count()
    }

    /// The number of warnings.
    pub fn warning_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_warning()).count()
    }

    /// Sorts by file and position and removes duplicates.
    pub fn sort(&mut self) {
        self.0.sort();
        self.0.dedup();
    }

    /// Every warning turned into an error (for `deny_warnings`).
    #[must_use]
    pub fn into_errors(self) -> Diagnostics {
        Diagnostics(self.0.into_iter().map(|d| Diagnostic { severity: Severity::Error, ..d }).collect())
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}\n")?;
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let (errors, warnings) = (self.error_count(), self.warning_count());
        match (errors, warnings) {
            (0, w) => write!(f, "{w} warning{}", plural(w)),
            (e, 0) => write!(f, "{e} error{} found; nothing was written", plural(e)),
            (e, w) => write!(f, "{e} error{} and {w} warning{} found; nothing was written", plural(e), plural(w)),
        }
    }
}

impl std::error::Error for Diagnostics {}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one reference token of a JSON pointer (RFC 6901).
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Joins a pointer and one more token.
pub fn join_pointer(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}
