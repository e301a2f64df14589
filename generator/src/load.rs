//! Loading: reads spec files from disk and parses them, turning every I/O or syntax problem
//! into a [`Diagnostic`] with the file, line and column.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::locate;

/// One parsed spec file, kept with its text so later passes can locate pointers in it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as it is shown in diagnostics.
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
    /// The parsed document.
    pub value: Value,
}

impl SourceFile {
    /// A diagnostic at `pointer` in this file, with the line and column filled in where found.
    pub fn diagnostic(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::new(&self.path, pointer, message);
        match locate::locate(&self.text, pointer) {
            Some((line, column)) => d.at(line, column),
            None => d,
        }
    }
}

/// Every file read in one run, keyed by normalized path.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: BTreeMap<PathBuf, SourceFile>,
}

impl Sources {
    /// Reads and parses `path` once; later calls return the cached file.
    ///
    /// # Errors
    ///
    /// A diagnostic naming the file when it cannot be read or is not valid JSON.
    pub fn load(&mut self, path: &Path) -> Result<&SourceFile, Diagnostic> {
        let path = normalize(path);
        if !self.files.contains_key(&path) {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Diagnostic::new(&path, "", format!("cannot read the file: {e}"))
                    .with_help("check that the path exists and is a readable UTF-8 text file")
            })?;
            let value = parse(&path, &text)?;
            self.files.insert(path.clone(), SourceFile { path: path.clone(), text, value });
        }
        Ok(&self.files[&path])
    }

    /// The file at `path`, if it was loaded.
    pub fn get(&self, path: &Path) -> Option<&SourceFile> {
        self.files.get(&normalize(path))
    }

    /// Adds a document that has no file on disk (used for in-memory specs and tests).
    pub fn insert(&mut self, path: &Path, text: String) -> Result<&SourceFile, Diagnostic> {
        let path = normalize(path);
        let value = parse(&path, &text)?;
        self.files.insert(path.clone(), SourceFile { path: path.clone(), text, value });
        Ok(&self.files[&path])
    }
}

/// Parses JSON text, reporting a syntax error at its line and column.
fn parse(path: &Path, text: &str) -> Result<Value, Diagnostic> {
    serde_json::from_str(text).map_err(|e| {
        Diagnostic::new(path, "", format!("not valid JSON: {e}"))
            .at(e.line(), e.column())
            .with_help("fix the syntax at the given line and column (a JSON linter shows the spot)")
    })
}

/// Lexically normalizes a path: drops `.` and resolves `..` against earlier components, without
/// touching the file system, so paths in messages stay the ones the user wrote.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}
