//! Reviewing a spec change: what changed between two OpenAPI documents, who it breaks, and what
//! it does to the generated crate's Rust API.
//!
//! Three independent views are joined:
//!
//! 1. [`spec`]: the two bundled documents compared, each change classified for clients and for
//!    servers ([`spec::Impact`]);
//! 2. [`rust_api`]: the public API of both generated crates (generated in memory, read back with
//!    syn) compared, each difference classified as a semver major or minor change;
//! 3. [`names`]: the adapter that maps a spec location to the Rust items generated from it, so
//!    each spec change lists the Rust changes it causes.
//!
//! [`version`] turns the Rust verdict into the generated crate's next version and CHANGELOG entry
//! (`cargo xtask gen`); [`source`] reads documents from files or git revisions; [`report`]
//! renders text, Markdown and JSON; [`cli`] is `apigen diff` and `cargo xtask diff`.

pub mod cli;
pub mod names;
pub mod report;
pub mod rust_api;
pub mod source;
pub mod spec;
pub mod version;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::{Diagnostics, OutputSet};
use rust_api::{Level, RustApi, RustChange};
use spec::SpecChange;

/// One spec change with the Rust changes it causes.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The spec-level change.
    #[serde(flatten)]
    pub spec: SpecChange,
    /// The generated Rust items it changes.
    pub rust: Vec<RustChange>,
    /// The semver level of those Rust changes (`patch` when the Rust API is unchanged, e.g. a
    /// narrowed constraint that only the runtime checks).
    pub rust_level: Level,
}

/// Everything [`compare`] found.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// What the old document was (a path or `git:<rev>:<path>`).
    pub old: String,
    /// What the new document was.
    pub new: String,
    /// Every spec change, sorted by pointer.
    pub changes: Vec<Change>,
    /// Rust API changes no spec change accounts for (a generator change, or a naming ripple).
    pub other_rust: Vec<RustChange>,
    /// The semver level of the whole Rust API difference, when both crates could be generated.
    pub rust_level: Option<Level>,
    /// Why the Rust API could not be compared, when it could not.
    pub rust_unavailable: Option<String>,
}

impl DiffReport {
    /// True when a change breaks existing clients.
    pub fn breaks_clients(&self) -> bool {
        self.changes.iter().any(|c| c.spec.clients.is_breaking())
    }

    /// True when a change breaks existing servers.
    pub fn breaks_servers(&self) -> bool {
        self.changes.iter().any(|c| c.spec.servers.is_breaking())
    }

    /// Every Rust change, attributed or not.
    pub fn all_rust(&self) -> Vec<&RustChange> {
        let mut seen = std::collections::BTreeSet::new();
        self.changes.iter().flat_map(|c| &c.rust).chain(&self.other_rust).filter(|r| seen.insert((&r.path, r.change))).collect()
    }
}

/// A document to compare: its root file on disk, and how to name it in the report.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// The root file.
    pub root: &'a Path,
    /// The label (`git:HEAD:spec/questionpro/openapi.json`).
    pub label: String,
}

/// Compares two specs: bundles both, compares the documents, generates both crates in memory
/// and compares their public APIs.
///
/// # Errors
///
/// A document that cannot be read or bundled (with its diagnostics). A document that bundles
/// but cannot be generated still gets its spec-level comparison; the report says why the Rust
/// level is missing.
pub fn compare(old: &Input<'_>, new: &Input<'_>, crate_name: &str) -> Result<DiffReport, Diagnostics> {
    let old_bundle = crate::spec::bundle(old.root)?;
    let new_bundle = crate::spec::bundle(new.root)?;
    let spec_changes = spec::compare(&old_bundle.document, &new_bundle.document);
    let rust = on_big_stacks(|| generate_side(old.root, &old_bundle, crate_name), || generate_side(new.root, &new_bundle, crate_name));
    Ok(join(old.label.clone(), new.label.clone(), spec_changes, rust))
}

/// The generated crate of one side: its public API and its names.
type Side = Result<(RustApi, names::Names), String>;

fn generate_side(root: &Path, bundle: &crate::spec::Bundle, crate_name: &str) -> Side {
    // The settings the crate is generated with: `apigen.toml` beside the root, if any.
    let mut settings = crate::GeneratorSettings::new(crate_name);
    if let Some((_, config)) = crate::settings::ConfigFile::discover(root).map_err(|d| d.to_string())? {
        config.apply(&mut settings);
    }
    let set = crate::generate(root, &settings).map_err(|d| d.to_string())?;
    let api = api_of(&set)?;
    let names = names::Names::of(bundle, &settings).map_err(|d| d.to_string())?;
    Ok((api, names))
}

/// The public API of a generated crate's files.
///
/// # Errors
///
/// A Rust file that does not parse.
pub fn api_of(set: &OutputSet) -> Result<RustApi, String> {
    let files: Vec<(String, &str)> =
        set.files.iter().map(|(p, t)| (p.to_string_lossy().replace('\\', "/"), t.as_str())).filter(|(p, _)| p.ends_with(".rs")).collect();
    RustApi::from_files(files.iter().map(|(p, t)| (p.as_str(), *t)))
}

/// Runs both generations at once, each on a thread with a big stack (deep schemas recurse
/// deeply in typify and syn).
fn on_big_stacks(a: impl FnOnce() -> Side + Send, b: impl FnOnce() -> Side + Send) -> (Side, Side) {
    const STACK: usize = 256 * 1024 * 1024;
    std::thread::scope(|s| {
        let ha = std::thread::Builder::new().stack_size(STACK).spawn_scoped(s, a);
        let hb = std::thread::Builder::new().stack_size(STACK).spawn_scoped(s, b);
        let join = |h: std::io::Result<std::thread::ScopedJoinHandle<'_, Side>>| match h {
            Ok(h) => h.join().unwrap_or_else(|_| Err("generation panicked (a generator bug)".into())),
            Err(e) => Err(format!("cannot start a generation thread: {e}")),
        };
        (join(ha), join(hb))
    })
}

/// Joins the spec changes with the Rust changes of both generated crates.
fn join(old: String, new: String, spec_changes: Vec<SpecChange>, rust: (Side, Side)) -> DiffReport {
    let ((old_api, old_names), (new_api, new_names)) = match rust {
        (Ok(o), Ok(n)) => (o, n),
        (o, n) => {
            let why = [
                o.err().map(|e| format!("the old document cannot be generated: {e}")),
                n.err().map(|e| format!("the new document cannot be generated: {e}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
            let changes = spec_changes.into_iter().map(|spec| Change { spec, rust: Vec::new(), rust_level: Level::Patch }).collect();
            return DiffReport { old, new, changes, other_rust: Vec::new(), rust_level: None, rust_unavailable: Some(why) };
        }
    };
    let rust_changes = new_api.changes_since(&old_api);
    let prefixes: Vec<String> = old_names.operations.values().chain(new_names.operations.values()).map(|o| o.type_name.clone()).collect();
    let mut used = vec![false; rust_changes.len()];
    let mut changes = Vec::new();
    for spec in spec_changes {
        let (names, api) = match spec.document {
            spec::Document::Old => (&old_names, &old_api),
            spec::Document::New => (&new_names, &new_api),
        };
        let mut subjects = names.subjects(&spec.pointer, api);
        // A pointer into the new document may name a type that only the old crate had (and the
        // other way round): ask the other side too.
        let (other_names, other_api) = match spec.document {
            spec::Document::Old => (&new_names, &new_api),
            spec::Document::New => (&old_names, &old_api),
        };
        for s in other_names.subjects(&spec.pointer, other_api) {
            // Only where this side knows more: a type-wide subject would swallow the changes
            // of its other members.
            if !subjects.iter().any(|p| p.ty == s.ty && p.prefix == s.prefix) {
                subjects.push(s);
            }
        }
        // An enum value is one variant: the one whose wire name is the value.
        let value = spec.value.as_ref().map(|v| v.as_str().map_or_else(|| v.to_string(), String::from));
        let is_value_variant = |r: &RustChange| match (&value, r.item) {
            (Some(value), rust_api::FactKind::Variant) => {
                let fact = new_api.facts.get(&r.path).or_else(|| old_api.facts.get(&r.path));
                let ident = r.path.rsplit("::").next().unwrap_or_default();
                fact.and_then(|f| f.wire_name.as_deref()).map_or_else(|| ident == crate::naming::pascal_case(value), |w| w == value)
            }
            (Some(_), _) => false,
            (None, _) => true,
        };
        let rust: Vec<RustChange> = rust_changes
            .iter()
            .enumerate()
            .filter(|(_, r)| subjects.iter().any(|s| matches(s, r, &prefixes)) && is_value_variant(r))
            .map(|(i, r)| {
                used[i] = true;
                r.clone()
            })
            .collect();
        let rust_level = rust_api::max_level(&rust);
        changes.push(Change { spec, rust, rust_level });
    }
    let other_rust = rust_changes.iter().zip(&used).filter(|(_, u)| !**u).map(|(r, _)| r.clone()).collect();
    DiffReport { old, new, changes, other_rust, rust_level: Some(rust_api::max_level(&rust_changes)), rust_unavailable: None }
}

/// `(type name, member)` of a Rust change's path.
fn owner_of(r: &RustChange) -> (String, Option<String>) {
    use rust_api::FactKind as K;
    let path = r.path.as_str();
    match r.item {
        K::Field => {
            let (owner, field) = path.rsplit_once('.').unwrap_or((path, ""));
            (last(owner), Some(field.to_string()))
        }
        K::Variant | K::Method | K::TraitMethod | K::TraitItem => {
            let (owner, member) = path.rsplit_once("::").unwrap_or(("", path));
            (last(owner), Some(member.to_string()))
        }
        K::Impl => (last(path.split_once(" for ").map_or(path, |(_, t)| t)), None),
        _ => (last(path), None),
    }
}

fn last(path: &str) -> String {
    path.rsplit("::").next().unwrap_or(path).to_string()
}

/// True when the Rust change is about the subject.
fn matches(subject: &names::Subject, r: &RustChange, prefixes: &[String]) -> bool {
    let (ty, member) = owner_of(r);
    let type_matches = if subject.prefix {
        // The longest operation prefix of the type must be this operation's.
        let best = prefixes.iter().filter(|p| ty.starts_with(p.as_str())).max_by_key(|p| p.len());
        best.is_some_and(|b| *b == subject.ty) && ty[subject.ty.len()..].chars().next().is_none_or(char::is_uppercase)
    } else {
        ty == subject.ty
    };
    if !type_matches {
        return false;
    }
    match (&subject.member, &member) {
        (None, _) => true,
        // A member subject also covers the type's own additions and removals.
        (Some(_), None) => r.change != "changed" && !matches!(r.item, rust_api::FactKind::Impl),
        (Some(s), Some(m)) => s == m || m.trim_start_matches("r#") == s.trim_start_matches("r#"),
    }
}

/// Counts of the changes of a report, by side and Rust level.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Spec changes.
    pub changes: usize,
    /// Of which break clients.
    pub breaking_clients: usize,
    /// Of which break servers.
    pub breaking_servers: usize,
    /// Rust changes by level.
    pub rust: BTreeMap<&'static str, usize>,
}

impl DiffReport {
    /// The counts.
    pub fn summary(&self) -> Summary {
        let mut rust = BTreeMap::new();
        for r in self.all_rust() {
            *rust.entry(r.level.as_str()).or_insert(0) += 1;
        }
        Summary {
            changes: self.changes.len(),
            breaking_clients: self.changes.iter().filter(|c| c.spec.clients.is_breaking()).count(),
            breaking_servers: self.changes.iter().filter(|c| c.spec.servers.is_breaking()).count(),
            rust,
        }
    }
}
