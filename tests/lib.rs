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

/// The document at `spec` (repository-relative) as lowering sees it (bundled, normalized, in
/// JSON Schema forms), and its IR.
///
/// # Panics
///
/// When the document does not bundle or lower.
pub fn lowered(spec: &Path) -> (serde_json::Value, apigen_codegen::ir::Lowered) {
    in_repo(|| {
        let mut bundle = apigen_codegen::spec::bundle(spec).unwrap_or_else(|e| panic!("{e}"));
        apigen_codegen::spec::normalize::normalize(&mut bundle);
        apigen_codegen::spec::normalize::json_schema_forms(&mut bundle.document);
        let settings = apigen_codegen::GeneratorSettings::new("checked");
        let lowered = apigen_codegen::lower::lower(&bundle, &settings).unwrap_or_else(|e| panic!("{e}"));
        (bundle.document, lowered)
    })
}

/// The schema of the media type `content_type` under `holder` (a request body or a response of
/// `doc`, `$ref`s followed).
pub fn media_schema(doc: &serde_json::Value, holder: &serde_json::Value, content_type: &str) -> Option<serde_json::Value> {
    let holder = apigen_codegen::spec::deref(doc, holder);
    holder.get("content")?.get(content_type)?.get("schema").cloned()
}
