//! Where compared documents come from: a file on disk, or a file at a git revision
//! (`git:<rev>:<path>`), copied with every file it references through `$ref` into a temporary
//! directory that mirrors the repository layout (so relative references still resolve).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A document given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// A file on disk.
    File(PathBuf),
    /// `git:<rev>:<path>`: the file at a revision of the repository around the working
    /// directory (the path is relative to the working directory).
    Git {
        /// The revision (`HEAD`, `main`, a commit).
        rev: String,
        /// The path, relative to the working directory.
        path: PathBuf,
    },
}

impl Spec {
    /// Parses `git:<rev>:<path>` or a plain path.
    pub fn parse(text: &str) -> Self {
        if let Some(rest) = text.strip_prefix("git:") {
            if let Some((rev, path)) = rest.split_once(':') {
                return Self::Git { rev: rev.to_string(), path: PathBuf::from(path) };
            }
        }
        Self::File(PathBuf::from(text))
    }

    /// How the report names it.
    pub fn label(&self) -> String {
        match self {
            Self::File(p) => p.display().to_string(),
            Self::Git { rev, path } => format!("git:{rev}:{}", path.display()),
        }
    }

    /// Makes the document readable from disk: a file is used in place; a git revision is
    /// copied (with its referenced files) into a temporary directory, removed when the
    /// returned value is dropped.
    ///
    /// # Errors
    ///
    /// git is missing, the revision or path does not exist, or the temporary directory cannot
    /// be written.
    pub fn materialize(&self) -> Result<Materialized, String> {
        match self {
            Self::File(p) => Ok(Materialized { root: p.clone(), _temp: None }),
            Self::Git { rev, path } => {
                let temp = TempDir::new("apigen-diff")?;
                let prefix = git(&["rev-parse", "--show-prefix"], Path::new("."))?.trim().to_string();
                let repo_rel = normalize(&Path::new(&prefix).join(path));
                let root = git_tree_closure(rev, &repo_rel, &temp.path)?;
                Ok(Materialized { root, _temp: Some(temp) })
            }
        }
    }
}

/// A document on disk, with the temporary directory holding it (if any).
#[derive(Debug)]
pub struct Materialized {
    /// The root file.
    pub root: PathBuf,
    _temp: Option<TempDir>,
}

/// A directory removed on drop.
#[derive(Debug)]
pub struct TempDir {
    /// Its path.
    pub path: PathBuf,
}

impl TempDir {
    /// Creates a fresh directory under the system temporary directory.
    ///
    /// # Errors
    ///
    /// The directory cannot be created.
    pub fn new(prefix: &str) -> Result<Self, String> {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Self { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Runs git in `dir` and returns its standard output.
///
/// # Errors
///
/// git cannot run or fails (its message is returned).
pub fn git(args: &[&str], dir: &Path) -> Result<String, String> {
    let out = Command::new("git").args(args).current_dir(dir).output().map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!("`git {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("`git {}` printed something that is not UTF-8", args.join(" ")))
}

/// The text of `path` (relative to the repository root) at `rev`, or `None` when the revision
/// has no such file.
///
/// # Errors
///
/// git cannot run, or the revision does not exist.
pub fn git_file(rev: &str, repo_path: &str, dir: &Path) -> Result<Option<String>, String> {
    git(&["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")], dir).map_err(|_| format!("git has no revision `{rev}`"))?;
    match git(&["show", &format!("{rev}:{repo_path}")], dir) {
        Ok(text) => Ok(Some(text)),
        Err(_) => Ok(None),
    }
}

/// Every file under `repo_dir` (relative to the repository root) at `rev`, keyed by path
/// relative to `repo_dir`. `None` when the revision has no such directory.
///
/// # Errors
///
/// git cannot run, or the revision does not exist.
pub fn git_tree(rev: &str, repo_dir: &str, dir: &Path) -> Result<Option<BTreeMap<PathBuf, String>>, String> {
    git(&["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")], dir).map_err(|_| format!("git has no revision `{rev}`"))?;
    let listing = git(&["ls-tree", "-r", "--name-only", "--full-name", rev, "--", repo_dir], &repo_root(dir)?)?;
    let mut out = BTreeMap::new();
    for file in listing.lines().filter(|l| !l.is_empty()) {
        let Some(text) = git_file(rev, file, dir)? else { continue };
        let rel = Path::new(file).strip_prefix(repo_dir).map_or_else(|_| PathBuf::from(file), Path::to_path_buf);
        out.insert(rel, text);
    }
    Ok(if out.is_empty() { None } else { Some(out) })
}

/// The repository root around `dir`.
///
/// # Errors
///
/// `dir` is not in a git repository.
pub fn repo_root(dir: &Path) -> Result<PathBuf, String> {
    Ok(PathBuf::from(git(&["rev-parse", "--show-toplevel"], dir)?.trim()))
}

/// Copies `root` (relative to the repository root) at `rev` and every file it references,
/// transitively, into `into`; returns the copied root's path.
fn git_tree_closure(rev: &str, root: &Path, into: &Path) -> Result<PathBuf, String> {
    let here = Path::new(".");
    let mut todo = vec![root.to_path_buf()];
    let mut done = BTreeSet::new();
    while let Some(file) = todo.pop() {
        if !done.insert(file.clone()) {
            continue;
        }
        let name = file.to_string_lossy().replace('\\', "/");
        let Some(text) = git_file(rev, &name, here)? else {
            if file == root {
                return Err(format!("{name} does not exist at revision `{rev}`"));
            }
            // A dangling reference: bundling the copy reports it with its location.
            continue;
        };
        let target = into.join(&file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, &text).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        let mut sources = crate::spec::load::Sources::default();
        let Ok(parsed) = sources.insert(&file, text) else { continue };
        let mut refs = BTreeSet::new();
        external_refs(&parsed.value, &mut refs);
        let base = file.parent().unwrap_or(Path::new(""));
        for r in refs {
            todo.push(normalize(&base.join(r)));
        }
    }
    // The settings beside the root (type and operation renames change the Rust names the
    // report speaks of), as they were at that revision.
    let config = root.parent().unwrap_or(Path::new("")).join(crate::settings::CONFIG_FILE);
    if let Some(text) = git_file(rev, &config.to_string_lossy().replace('\\', "/"), here)? {
        let target = into.join(&config);
        std::fs::write(&target, text).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    Ok(into.join(root))
}

/// The file parts of every external `$ref` in a document.
fn external_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                let file = r.split('#').next().unwrap_or("");
                if !file.is_empty() && !file.contains("://") {
                    out.insert(file.to_string());
                }
            }
            map.values().for_each(|v| external_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| external_refs(v, out)),
        _ => {}
    }
}

/// `a/./b/../c` -> `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
