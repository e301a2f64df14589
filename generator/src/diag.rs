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

/// The kind of a warning, for grouping, counting and `--deny-warnings` policies; shown as
/// `warning[name]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WarningClass {
    /// A `default` that does not match its schema was removed.
    InvalidDefault,
    /// A repeated operationId was made unique.
    DuplicateOperationId,
    /// A path parameter of the template was not declared: a required string was added.
    UndeclaredPathParameter,
    /// A path parameter that is not in the template was dropped.
    StrayPathParameter,
    /// A path parameter without `required: true` was made required.
    PathParameterNotRequired,
    /// A requirement named an undeclared security scheme: it was dropped from the requirement.
    UnknownSecurityScheme,
    /// Keywords next to a `$ref` were dropped (3.0) or moved into an `allOf` (3.1).
    RefSiblings,
    /// A `format` the schema's type cannot have was dropped.
    FormatMismatch,
    /// Enum values of another type than the schema's were converted or dropped.
    EnumValueType,
    /// An OpenAPI 3.0 form in a 3.1 document was converted.
    OpenApi30Form,
    /// A `oneOf` member repeating an earlier one was removed.
    DuplicateOneOfMember,
    /// An `x-enum-varnames`/`x-enum-names` that cannot be followed was ignored.
    EnumVarnames,
    /// Defaults the type generator cannot hold were dropped from the generated code.
    DefaultDropped,
    /// A schema that cannot be typed is `serde_json::Value`.
    DegradedSchema,
    /// A narrowing keyword (`not`, `format`, `enum`) the type cannot express is not enforced.
    KeywordDropped,
    /// A parameter `style`/`explode` OpenAPI does not define for its location or value was
    /// replaced by the location's default.
    ParameterStyle,
    /// A built-in error body of the server does not satisfy the documented error schema.
    ServerErrorShape,
    /// A `$ref` to a URL (the generator does no network I/O): a schema there is
    /// `serde_json::Value`, any other object there was left out.
    RemoteRef,
    /// The field table could not explain a struct typify wrote: its fields keep typify's JSON
    /// names (see `lower::fields::reconcile`).
    FieldNames,
}

impl WarningClass {
    /// The class as printed (`enum-value-type`).
    pub fn name(self) -> &'static str {
        match self {
            WarningClass::InvalidDefault => "invalid-default",
            WarningClass::DuplicateOperationId => "duplicate-operation-id",
            WarningClass::UndeclaredPathParameter => "undeclared-path-parameter",
            WarningClass::StrayPathParameter => "stray-path-parameter",
            WarningClass::PathParameterNotRequired => "path-parameter-not-required",
            WarningClass::UnknownSecurityScheme => "unknown-security-scheme",
            WarningClass::RefSiblings => "ref-siblings",
            WarningClass::FormatMismatch => "format-mismatch",
            WarningClass::EnumValueType => "enum-value-type",
            WarningClass::OpenApi30Form => "openapi-3.0-form",
            WarningClass::DuplicateOneOfMember => "duplicate-one-of-member",
            WarningClass::EnumVarnames => "enum-varnames",
            WarningClass::DefaultDropped => "default-dropped",
            WarningClass::DegradedSchema => "degraded-schema",
            WarningClass::RemoteRef => "remote-ref",
            WarningClass::KeywordDropped => "keyword-dropped",
            WarningClass::ParameterStyle => "parameter-style",
            WarningClass::ServerErrorShape => "server-error-shape",
            WarningClass::FieldNames => "field-names",
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
    /// The kind of problem, for grouping and counting; shown as `warning[class]`. `None` for
    /// errors.
    pub class: Option<WarningClass>,
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
            class: None,
        }
    }

    /// Sets the kind of problem ([`Diagnostic::class`]).
    #[must_use]
    pub fn with_class(mut self, class: WarningClass) -> Self {
        self.class = Some(class);
        self
    }

    /// The kind of problem: its class, else `error` or `warning`.
    pub fn class(&self) -> &'static str {
        self.class.map_or(self.severity.label(), WarningClass::name)
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
        match self.class {
            Some(class) => writeln!(f, "{}[{}]: {message}", self.severity.label(), class.name())?,
            None => writeln!(f, "{}: {message}", self.severity.label())?,
        }
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

impl Diagnostics {
    /// The diagnostics for a person to read, however many there are: errors in full; warnings
    /// with identical messages (the same repair at many places) shown once with the number of
    /// other places, at most `per_class` of each class in full and then a count of the rest of
    /// that class; and a last line counting every class. `Display` of [`Diagnostics`] is the
    /// full list.
    pub fn summarized(&self, per_class: usize) -> Summary<'_> {
        Summary { diagnostics: self, per_class }
    }

    /// `(class, count)` of the warnings, most frequent first (ties by name).
    pub fn warning_classes(&self) -> Vec<(&'static str, usize)> {
        let mut counts: std::collections::BTreeMap<&'static str, usize> = std::collections::BTreeMap::new();
        for d in self.0.iter().filter(|d| d.is_warning()) {
            *counts.entry(d.class()).or_default() += 1;
        }
        let mut out: Vec<(&'static str, usize)> = counts.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out
    }
}

/// [`Diagnostics::summarized`].
#[derive(Debug, Clone, Copy)]
pub struct Summary<'a> {
    diagnostics: &'a Diagnostics,
    per_class: usize,
}

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = &self.diagnostics.0;
        for d in all.iter().filter(|d| !d.is_warning()) {
            writeln!(f, "{d}\n")?;
        }
        // Warnings grouped by class (in order of first appearance), identical messages merged.
        let mut classes: Vec<(&'static str, Vec<Vec<&Diagnostic>>)> = Vec::new();
        for d in all.iter().filter(|d| d.is_warning()) {
            let pos = match classes.iter().position(|(c, _)| *c == d.class()) {
                Some(p) => p,
                None => {
                    classes.push((d.class(), Vec::new()));
                    classes.len() - 1
                }
            };
            let groups = &mut classes[pos].1;
            match groups.iter_mut().find(|g| g[0].message == d.message && g[0].help == d.help) {
                Some(g) => g.push(d),
                None => groups.push(vec![d]),
            }
        }
        for (class, groups) in &classes {
            for group in groups.iter().take(self.per_class) {
                write!(f, "{}", group[0])?;
                if group.len() > 1 {
                    let shown: Vec<String> = group[1..].iter().take(3).map(|d| short_place(d)).collect();
                    let more = if group.len() - 1 > shown.len() { ", ..." } else { "" };
                    write!(f, "\n   = the same at {} other place{}: {}{more}", group.len() - 1, plural(group.len() - 1), shown.join(", "))?;
                }
                writeln!(f, "\n")?;
            }
            if groups.len() > self.per_class {
                let hidden: usize = groups[self.per_class..].iter().map(Vec::len).sum();
                writeln!(f, "... and {hidden} more `{class}` warning{} (the full list: `--verbose`)\n", plural(hidden))?;
            }
        }
        let (errors, warnings) = (self.diagnostics.error_count(), self.diagnostics.warning_count());
        let counts: Vec<String> = self.diagnostics.warning_classes().iter().map(|(c, n)| format!("{n} {c}")).collect();
        let by_class = if counts.is_empty() { String::new() } else { format!(" ({})", counts.join(", ")) };
        match (errors, warnings) {
            (0, w) => write!(f, "{w} warning{}{by_class}", plural(w)),
            (e, 0) => write!(f, "{e} error{} found; nothing was written", plural(e)),
            (e, w) => write!(f, "{e} error{} and {w} warning{}{by_class} found; nothing was written", plural(e), plural(w)),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `file:line:column` (or the pointer) of a diagnostic, for a list of places.
fn short_place(d: &Diagnostic) -> String {
    match d.location {
        Some((line, column)) => format!("{}:{line}:{column}", display_path(&d.file)),
        None => format!("{} {}", display_path(&d.file), d.pointer),
    }
}

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
    // One allocation: documents are walked key by key, and this runs for every value.
    let mut joined = String::with_capacity(pointer.len() + 1 + token.len());
    joined.push_str(pointer);
    joined.push('/');
    for c in token.chars() {
        match c {
            '~' => joined.push_str("~0"),
            '/' => joined.push_str("~1"),
            c => joined.push(c),
        }
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_pointers_escape_the_token() {
        assert_eq!(join_pointer("/paths", "/pets/{id}"), "/paths/~1pets~1{id}");
        assert_eq!(join_pointer("", "a~b/c"), "/a~0b~1c");
        assert_eq!(unescape_token(&join_pointer("", "a~1/b")[1..]), "a~1/b");
    }

    fn warning(class: WarningClass, pointer: &str, message: &str, line: usize) -> Diagnostic {
        Diagnostic::new("api.yaml", pointer, message).with_help("fix it").with_class(class).warning().at(line, 3)
    }

    /// Sixty warnings of three classes stay readable: identical messages are one entry with the
    /// number of other places, each class shows at most `per_class` entries and counts the rest,
    /// and a last line counts every class. The full list is still `Display`.
    #[test]
    fn many_warnings_are_summarized_per_class() {
        let mut d = Diagnostics::default();
        for i in 0..40 {
            d.push(warning(WarningClass::OpenApi30Form, &format!("/components/schemas/S{i}/nullable"), "`nullable` is OpenAPI 3.0", i + 1));
        }
        for i in 0..12 {
            d.push(warning(
                WarningClass::EnumValueType,
                &format!("/components/schemas/E{i}/enum"),
                &format!("enum values are not of type string: {i} -> \"{i}\""),
                100 + i,
            ));
        }
        for i in 0..8 {
            d.push(warning(
                WarningClass::DegradedSchema,
                &format!("/components/schemas/D{i}"),
                &format!("schema `D{i}` cannot be turned into a Rust type"),
                200 + i,
            ));
        }
        d.push(Diagnostic::new("api.yaml", "/paths", "a real error").with_help("fix"));
        let text = d.summarized(3).to_string();
        // The identical message appears once, with the other 39 places counted.
        assert_eq!(text.matches("`nullable` is OpenAPI 3.0").count(), 1, "{text}");
        assert!(text.contains("= the same at 39 other places: api.yaml:2:3, api.yaml:3:3, api.yaml:4:3, ..."), "{text}");
        // Distinct messages: three in full, then the count of the rest of the class.
        assert_eq!(text.matches("warning[enum-value-type]").count(), 3, "{text}");
        assert!(text.contains("... and 9 more `enum-value-type` warnings"), "{text}");
        assert!(text.contains("... and 5 more `degraded-schema` warnings"), "{text}");
        // Errors are never summarized; the last line counts the classes.
        assert!(text.contains("error: a real error"), "{text}");
        assert!(
            text.ends_with(
                "1 error and 60 warnings (40 openapi-3.0-form, 12 enum-value-type, 8 degraded-schema) found; nothing was written"
            ),
            "{text}"
        );
        // The full list has every warning.
        let full = d.to_string();
        assert_eq!(full.matches("`nullable` is OpenAPI 3.0").count(), 40);
        assert_eq!(full.matches("warning[enum-value-type]").count(), 12);
    }

    #[test]
    fn few_warnings_are_shown_in_full() {
        let mut d = Diagnostics::default();
        d.push(warning(WarningClass::InvalidDefault, "/a/default", "the default 1 does not match its schema", 4));
        let text = d.summarized(3).to_string();
        assert!(text.starts_with("warning[invalid-default]: the default 1 does not match its schema\n  --> api.yaml:4:3"), "{text}");
        assert!(!text.contains("more `"), "{text}");
        assert!(text.ends_with("1 warning (1 invalid-default)"), "{text}");
    }
}
