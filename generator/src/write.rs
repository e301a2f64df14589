//! Writing: puts an [`OutputSet`] on disk, touching only files whose bytes changed, or checks
//! that the tree on disk is what generation would write.
//!
//! Writes are staged: every new file is first written next to its target under a temporary
//! name and then renamed over it, so an interrupted run leaves each file either old or new,
//! never half-written; and nothing at all is written unless generation succeeded as a whole.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// The files one generation run produces, keyed by path relative to the output directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputSet {
    /// Relative path -> contents.
    pub files: BTreeMap<PathBuf, String>,
}

impl OutputSet {
    /// Adds a file; newlines are normalized to `\n` and the text ends with exactly one newline.
    pub fn add(&mut self, path: impl Into<PathBuf>, contents: impl Into<String>) {
        let mut text = contents.into().replace("\r\n", "\n");
        while text.ends_with("\n\n") {
            text.pop();
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        self.files.insert(path.into(), text);
    }
}

/// What a write or check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Files written (or, in check mode, that would be written).
    pub changed: Vec<PathBuf>,
    /// Files deleted (or, in check mode, that would be deleted) because generation no longer
    /// produces them.
    pub removed: Vec<PathBuf>,
    /// Files left as they were.
    pub unchanged: usize,
}

impl Report {
    /// True when the tree on disk already matched.
    pub fn is_fresh(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }
}

/// Compares `set` with the files under `dir`; files under `dir` that `set` does not hold are
/// reported as removed. Nothing is written.
///
/// # Errors
///
/// I/O errors reading `dir`.
pub fn check(dir: &Path, set: &OutputSet) -> io::Result<Report> {
    let mut report = Report::default();
    for (rel, contents) in &set.files {
        let path = dir.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) if normalize_newlines(&bytes) == contents.as_bytes() => report.unchanged += 1,
            Ok(_) => report.changed.push(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => report.changed.push(path),
            Err(e) => return Err(e),
        }
    }
    for existing in list_files(dir)? {
        let rel = existing.strip_prefix(dir).unwrap_or(&existing).to_path_buf();
        if !set.files.contains_key(&rel) {
            report.removed.push(existing);
        }
    }
    Ok(report)
}

/// Makes the files under `dir` exactly `set`: writes changed files (atomically, each through a
/// temporary file and a rename) and deletes files that are no longer generated.
///
/// # Errors
///
/// I/O errors; files already replaced stay replaced, each one whole.
pub fn write(dir: &Path, set: &OutputSet) -> io::Result<Report> {
    let report = check(dir, set)?;
    for path in &report.changed {
        let rel = path.strip_prefix(dir).unwrap_or(path);
        let contents = &set.files[rel];
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = path.with_file_name(format!(
            ".{}.tmp-{}",
            path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
            std::process::id()
        ));
        std::fs::write(&tmp, contents)?;
        std::fs::rename(&tmp, path)?;
    }
    for path in &report.removed {
        std::fs::remove_file(path)?;
    }
    remove_empty_dirs(dir)?;
    Ok(report)
}

fn normalize_newlines(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Every file below `dir`, sorted; a missing `dir` has none.
fn list_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn remove_empty_dirs(dir: &Path) -> io::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            let path = entry.path();
            remove_empty_dirs(&path)?;
            if std::fs::read_dir(&path)?.next().is_none() {
                std::fs::remove_dir(&path)?;
            }
        }
    }
    Ok(())
}
