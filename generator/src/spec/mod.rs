//! The front of the pipeline: from files on disk to one repaired, self-contained document.
//!
//! [`load`] reads and parses files (keeping their text, so [`locate`] can turn a JSON pointer
//! back into a line and column), [`bundle()`] resolves external `$ref`s into one [`Bundle`],
//! [`validate`] reports structural errors, and [`normalize`] repairs the defects of published
//! documents with a warning each. Lowering (`crate::lower`) reads the result; nothing here knows
//! about Rust types.
//!
//! This module also holds the vocabulary of OpenAPI documents that every later stage reads
//! ([`METHODS`], [`deref()`], [`path_template_params`]) and, in [`schema`], how schemas are
//! classified for the type generator.

pub mod bundle;
pub mod load;
pub mod locate;
pub mod normalize;
pub mod schema;
pub mod validate;

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use bundle::Bundle;

use crate::diag::Diagnostics;

/// The prefix of component schema references.
pub const COMPONENT_PREFIX: &str = "#/components/schemas/";

/// The HTTP methods an OpenAPI path item can hold.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Reads the spec rooted at `root` and bundles it.
///
/// # Errors
///
/// Every unreadable or unparsable file, dangling or cyclic reference and component name clash;
/// when there is one, also the document's other problems that [`validate::validate`] finds
/// (duplicate operationIds, undeclared path parameters, ...), so one run names every error.
pub fn bundle(root: &Path) -> Result<Bundle, Diagnostics> {
    let (bundle, diags) = bundle::resolve(root)?;
    with_validation(bundle, diags)
}

/// [`bundle()`] for a spec whose root file is already in `sources`.
///
/// # Errors
///
/// As [`bundle()`].
pub fn bundle_loaded(root: PathBuf, sources: load::Sources) -> Result<Bundle, Diagnostics> {
    let (bundle, diags) = bundle::resolve_loaded(root, sources)?;
    with_validation(bundle, diags)
}

/// The bundle, or the bundler's diagnostics plus the validator's (a reference the bundler
/// already reported is not reported twice).
fn with_validation(bundle: Bundle, mut diags: Diagnostics) -> Result<Bundle, Diagnostics> {
    if !diags.is_empty() {
        if let Err(more) = validate::validate(&bundle) {
            let reported: Vec<(PathBuf, String)> = diags.0.iter().map(|d| (d.file.clone(), d.pointer.clone())).collect();
            for d in more.0 {
                let is_ref = d.pointer.ends_with("/$ref") || d.pointer == "$ref";
                if !(is_ref || reported.contains(&(d.file.clone(), d.pointer.clone()))) {
                    diags.push(d);
                }
            }
        }
    }
    diags.into_result(bundle)
}

/// The `{name}`s of a path template, in order.
pub fn path_template_params(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else { break };
        out.push(rest[start + 1..start + end].to_string());
        rest = &rest[start + end + 1..];
    }
    out
}

/// Follows a local `$ref` (one level at a time, up to a bound) to its value.
pub fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..32 {
        match current.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(ptr) => match doc.pointer(ptr) {
                Some(next) => current = next,
                None => return current,
            },
            None => return current,
        }
    }
    current
}
