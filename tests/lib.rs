//! Shared helpers for the end-to-end tests: where the repository is and what it holds.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ lives in the repository").to_path_buf()
}

/// The APIs under `spec/`, sorted: every folder with an `openapi.json`.
pub fn apis() -> Vec<String> {
    let mut apis: Vec<String> = std::fs::read_dir(repo_root().join("spec"))
        .expect("spec/ exists")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("openapi.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    apis.sort();
    apis
}

/// The root document of an API's spec, as a path relative to the repository root (the form
/// diagnostics show).
pub fn spec_root(api: &str) -> PathBuf {
    Path::new("spec").join(api).join("openapi.json")
}

/// Runs `f` with the repository root as the working directory, so relative paths resolve and
/// messages show repository-relative paths. Tests in one binary run on threads that share the
/// working directory, so every test goes through this one lock.
pub fn in_repo<T>(f: impl FnOnce() -> T) -> T {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    std::env::set_current_dir(repo_root()).expect("the repository root exists");
    f()
}
