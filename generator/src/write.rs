//! Writing: puts an [`OutputSet`] on disk, touching only files whose bytes changed, or checks
//! that the tree on disk is what generation would write.
//!
//! Writes are staged ([`write_all`]): every new file is first written in full next to its
//! target under a temporary name, and only when all of them are staged are they renamed into
//! place (old files moved aside, then deleted). A failure at any step rolls back, so a failed
//! write leaves every tree byte for byte as it was, and a killed run leaves each file either
//! old or new, never half-written. Nothing at all is written unless generation succeeded.

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

/// Test-only knobs of [`write_with`]: failure injection that proves a failed write leaves the
/// tree as it was. The default writes normally.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Fail (as an I/O error) after this many files were staged, before any is put in place.
    #[doc(hidden)]
    pub fail_after_staged: Option<usize>,
    /// Fail (as an I/O error) after this many files were put in place (replaced, created or
    /// removed); everything already done is rolled back.
    #[doc(hidden)]
    pub fail_after_committed: Option<usize>,
}

/// Makes the files under `dir` exactly `set`: writes changed files and deletes files that are
/// no longer generated, all or nothing (see [`write_all`]).
///
/// # Errors
///
/// I/O errors; the tree under `dir` is then as it was before the call.
pub fn write(dir: &Path, set: &OutputSet) -> io::Result<Report> {
    write_with(dir, set, &WriteOptions::default())
}

/// [`write`] with [`WriteOptions`].
///
/// # Errors
///
/// As [`write`].
pub fn write_with(dir: &Path, set: &OutputSet, options: &WriteOptions) -> io::Result<Report> {
    let mut reports = write_all(&[(dir, set)], options)?;
    Ok(reports.pop().unwrap_or_default())
}

/// Makes each `dir` exactly its `set`, all or nothing, in three steps:
///
/// 1. *stage*: every changed file is written in full to a temporary sibling
///    (`.<name>.apigen-new-<pid>`), creating missing folders;
/// 2. *commit*: each old file is moved aside (`.<name>.apigen-old-<pid>`) and its staged
///    replacement renamed into place; files no longer generated are moved aside too;
/// 3. *clean up*: the moved-aside files and emptied folders are deleted.
///
/// A failure in step 1 or 2 removes the temporaries and moves every old file back, so the
/// trees are byte for byte what they were. Unchanged files are never touched (they keep their
/// modification time). A process killed mid-run leaves at worst stray `.apigen-*` files, which
/// the next run reports and deletes as files it does not generate.
///
/// # Errors
///
/// The first I/O error; every tree is then as it was before the call.
pub fn write_all(targets: &[(&Path, &OutputSet)], options: &WriteOptions) -> io::Result<Vec<Report>> {
    let reports = targets.iter().map(|(dir, set)| check(dir, set)).collect::<io::Result<Vec<_>>>()?;
    let mut tx = Transaction::default();
    let result = tx.stage(targets, &reports, options).and_then(|()| tx.commit(options));
    match result {
        Ok(()) => {
            tx.finish();
            for (dir, _) in targets {
                remove_empty_dirs(dir)?;
            }
            Ok(reports)
        }
        Err(e) => {
            tx.rollback();
            Err(e)
        }
    }
}

/// The state of one [`write_all`]: what was staged, what was done, what to undo.
#[derive(Default)]
struct Transaction {
    /// Folders this run created, outermost first.
    created_dirs: Vec<PathBuf>,
    /// `(staged temporary, target)` for every changed file.
    staged: Vec<(PathBuf, PathBuf)>,
    /// Files to delete: `target`.
    removals: Vec<PathBuf>,
    /// Steps done in the commit, in order, for the rollback.
    done: Vec<Done>,
}

enum Done {
    /// `target` was moved aside to `backup`.
    MovedAside { target: PathBuf, backup: PathBuf },
    /// The staged file was renamed to `target`.
    Placed { target: PathBuf },
}

fn sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.apigen-{tag}-{}", std::process::id()))
}

fn injected(what: &str) -> io::Error {
    io::Error::other(format!("injected failure {what} (WriteOptions)"))
}

impl Transaction {
    fn stage(&mut self, targets: &[(&Path, &OutputSet)], reports: &[Report], options: &WriteOptions) -> io::Result<()> {
        for ((dir, set), report) in targets.iter().zip(reports) {
            for path in &report.changed {
                if options.fail_after_staged == Some(self.staged.len()) {
                    return Err(injected("while staging"));
                }
                let rel = path.strip_prefix(dir).unwrap_or(path);
                let contents = &set.files[rel];
                if let Some(parent) = path.parent() {
                    self.create_dirs(parent)?;
                }
                let tmp = sibling(path, "new");
                // Recorded before writing, so a half-written temporary is removed too.
                self.staged.push((tmp.clone(), path.clone()));
                std::fs::write(&tmp, contents)?;
            }
            self.removals.extend(report.removed.iter().cloned());
        }
        if options.fail_after_staged == Some(self.staged.len()) {
            return Err(injected("after staging"));
        }
        Ok(())
    }

    /// Creates `dir` and its missing ancestors, remembering each one created.
    fn create_dirs(&mut self, dir: &Path) -> io::Result<()> {
        let mut missing = Vec::new();
        let mut current = Some(dir);
        while let Some(d) = current {
            if d.as_os_str().is_empty() || d.is_dir() {
                break;
            }
            missing.push(d.to_path_buf());
            current = d.parent();
        }
        for d in missing.into_iter().rev() {
            std::fs::create_dir(&d)?;
            self.created_dirs.push(d);
        }
        Ok(())
    }

    fn commit(&mut self, options: &WriteOptions) -> io::Result<()> {
        let staged = std::mem::take(&mut self.staged);
        let removals = std::mem::take(&mut self.removals);
        let mut placed = 0;
        let result = (|| {
            for (tmp, target) in &staged {
                if options.fail_after_committed == Some(placed) {
                    return Err(injected("while committing"));
                }
                if target.exists() {
                    let backup = sibling(target, "old");
                    std::fs::rename(target, &backup)?;
                    self.done.push(Done::MovedAside { target: target.clone(), backup });
                }
                std::fs::rename(tmp, target)?;
                self.done.push(Done::Placed { target: target.clone() });
                placed += 1;
            }
            for (i, target) in removals.iter().enumerate() {
                if options.fail_after_committed == Some(staged.len() + i) {
                    return Err(injected("while committing"));
                }
                let backup = sibling(target, "old");
                std::fs::rename(target, &backup)?;
                self.done.push(Done::MovedAside { target: target.clone(), backup });
            }
            Ok(())
        })();
        // Temporaries not yet placed are removed by the rollback (none are left on success).
        self.staged = staged.into_iter().skip(placed).collect();
        result
    }

    /// Deletes the moved-aside old files. Best effort: a leftover is reported and deleted by
    /// the next run.
    fn finish(self) {
        for step in self.done {
            if let Done::MovedAside { backup, .. } = step {
                let _ = std::fs::remove_file(backup);
            }
        }
    }

    /// Undoes everything: best effort, in reverse order.
    fn rollback(self) {
        for step in self.done.into_iter().rev() {
            let _ = match step {
                Done::Placed { target } => std::fs::remove_file(target),
                Done::MovedAside { target, backup } => std::fs::rename(backup, target),
            };
        }
        for (tmp, _) in self.staged {
            let _ = std::fs::remove_file(tmp);
        }
        for dir in self.created_dirs.into_iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
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
