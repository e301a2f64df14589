//! The version and CHANGELOG of a generated crate.
//!
//! A freshly generated crate carries the template's initial version. [`apply`] compares it with
//! the crate as checked in at the base (a git revision, or the files on disk) and decides:
//!
//! - nothing but the version and CHANGELOG differs: the base's version and CHANGELOG stay;
//! - otherwise the version is bumped by the semver level of the Rust API difference (major for
//!   breaking changes, minor for additions, patch for anything else), with Cargo's convention
//!   for `0.y.z` (a breaking change bumps `y`, anything else `z`), and an entry listing the spec
//!   and API changes in words is prepended to `CHANGELOG.md`.
//!
//! The result depends only on the new files and the base, so regenerating the same spec against
//! the same base gives the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::rust_api::{Level, RustChange};
use super::spec::SpecChange;
use crate::OutputSet;

/// The CHANGELOG file of a generated crate.
pub const CHANGELOG: &str = "CHANGELOG.md";

const CHANGELOG_HEADER: &str = "# Changelog\n\nEvery version of this generated crate, newest first. Written by `cargo xtask gen`: a breaking\nchange to the Rust API bumps the major version (the minor one before 1.0), an addition the minor\none (the patch one before 1.0), anything else the patch one.\n";

/// What [`apply`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The version at the base, if there was a crate there.
    pub old: Option<String>,
    /// The version written.
    pub new: String,
    /// The semver level of the difference, when the crate changed.
    pub level: Option<Level>,
}

/// Sets the version in `set`'s `Cargo.toml` and writes `CHANGELOG.md`, relative to `base` (the
/// crate's files as checked in, keyed by path relative to the crate; `None` for a new crate).
///
/// # Errors
///
/// The new `Cargo.toml` has no package version, or a Rust file does not parse.
pub fn apply(set: &mut OutputSet, base: Option<&BTreeMap<PathBuf, String>>) -> Result<Decision, String> {
    let manifest = Path::new("Cargo.toml");
    let initial = set.files.get(manifest).and_then(|m| package_version(m)).ok_or("the generated Cargo.toml has no package version")?;
    let Some(base) = base.filter(|b| b.get(manifest).and_then(|m| package_version(m)).is_some()) else {
        let entry = format!("## {initial}\n\nFirst generated version.\n");
        set.add(CHANGELOG, format!("{CHANGELOG_HEADER}\n{entry}"));
        return Ok(Decision { old: None, new: initial, level: None });
    };
    let old_version = base.get(manifest).and_then(|m| package_version(m)).unwrap_or_else(|| initial.clone());
    let old_changelog = base.get(Path::new(CHANGELOG)).cloned();
    if same_crate(set, base) {
        set_version(set, &old_version)?;
        let changelog = old_changelog.unwrap_or_else(|| format!("{CHANGELOG_HEADER}\n## {old_version}\n\nFirst generated version.\n"));
        set.add(CHANGELOG, changelog);
        return Ok(Decision { old: Some(old_version.clone()), new: old_version, level: None });
    }
    let base_set = OutputSet { files: base.clone() };
    let old_api = super::api_of(&base_set)?;
    let new_api = super::api_of(set)?;
    let rust = new_api.changes_since(&old_api);
    let level = super::rust_api::max_level(&rust);
    let new_version = bump(&old_version, level);
    set_version(set, &new_version)?;
    let spec_changes = match (base.get(Path::new("openapi.json")), set.files.get(Path::new("openapi.json"))) {
        (Some(o), Some(n)) => match (serde_json::from_str(o), serde_json::from_str(n)) {
            (Ok(o), Ok(n)) => super::spec::compare(&o, &n),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let entry = entry(&new_version, level, &spec_changes, &rust);
    let rest = old_changelog.as_deref().map(|c| c.strip_prefix(CHANGELOG_HEADER).unwrap_or(c).trim_start().to_string()).unwrap_or_default();
    set.add(CHANGELOG, format!("{CHANGELOG_HEADER}\n{}\n\n{rest}", entry.trim_end()));
    Ok(Decision { old: Some(old_version), new: new_version, level: Some(level) })
}

/// The version after a change of `level` (Cargo's rules: in `0.y.z`, `y` is the breaking
/// number; in `0.0.z`, every change is breaking). Pre-release and build tags are dropped.
pub fn bump(version: &str, level: Level) -> String {
    let core = version.split(['-', '+']).next().unwrap_or(version);
    let mut parts = core.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let (major, minor, patch) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    let (major, minor, patch) = match (major, minor, level) {
        (0, 0, _) => (0, 0, patch + 1),
        (0, _, Level::Major) => (0, minor + 1, 0),
        (0, _, _) => (0, minor, patch + 1),
        (_, _, Level::Major) => (major + 1, 0, 0),
        (_, _, Level::Minor) => (major, minor + 1, 0),
        (_, _, Level::Patch) => (major, minor, patch + 1),
    };
    format!("{major}.{minor}.{patch}")
}

/// The `version` of the `[package]` table.
pub fn package_version(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_package = t == "[package]";
            continue;
        }
        if in_package {
            if let Some(rest) = t.strip_prefix("version") {
                let value = rest.trim_start().strip_prefix('=')?.trim();
                return Some(value.trim_matches('"').to_string());
            }
        }
    }
    None
}

/// Rewrites the `[package]` version of the set's `Cargo.toml`.
fn set_version(set: &mut OutputSet, version: &str) -> Result<(), String> {
    let manifest = set.files.get(Path::new("Cargo.toml")).ok_or("no Cargo.toml")?;
    let mut in_package = false;
    let mut done = false;
    let lines: Vec<String> = manifest
        .lines()
        .map(|line| {
            let t = line.trim();
            if t.starts_with('[') {
                in_package = t == "[package]";
            } else if in_package && !done && t.starts_with("version") && t.contains('=') {
                done = true;
                return format!("version = \"{version}\"");
            }
            line.to_string()
        })
        .collect();
    if !done {
        return Err("the generated Cargo.toml has no package version".into());
    }
    set.add("Cargo.toml", lines.join("\n"));
    Ok(())
}

/// True when the two crates differ in nothing but the package version and the CHANGELOG.
fn same_crate(set: &OutputSet, base: &BTreeMap<PathBuf, String>) -> bool {
    // Only files the generator writes count: the manifest (its bookkeeping) and a user's own
    // files in the output directory (not in the base's manifest) do not.
    let manifest = Path::new(crate::write::MANIFEST);
    let listed: Option<Vec<PathBuf>> =
        base.get(manifest).map(|m| m.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(PathBuf::from).collect());
    let ours = |p: &Path| p != manifest && (set.files.contains_key(p) || listed.as_ref().is_none_or(|l| l.iter().any(|x| x == p)));
    let strip = |files: &BTreeMap<PathBuf, String>| -> BTreeMap<PathBuf, String> {
        files
            .iter()
            .filter(|(p, _)| p.as_path() != Path::new(CHANGELOG) && ours(p))
            .map(|(p, t)| {
                let t = if p.as_path() == Path::new("Cargo.toml") {
                    t.lines().filter(|l| !l.trim_start().starts_with("version")).collect::<Vec<_>>().join("\n")
                } else {
                    t.replace("\r\n", "\n")
                };
                (p.clone(), t)
            })
            .collect()
    };
    strip(&set.files) == strip(base)
}

/// One CHANGELOG entry.
fn entry(version: &str, level: Level, spec: &[SpecChange], rust: &[RustChange]) -> String {
    let mut out = format!("## {version}\n\n");
    let _ = writeln!(
        out,
        "{}\n",
        match level {
            Level::Major => "Breaking changes to the Rust API.",
            Level::Minor => "Additions to the Rust API; existing code keeps compiling.",
            Level::Patch => "No change to the Rust API (documentation, runtime checks or wire details).",
        }
    );
    if !spec.is_empty() {
        let _ = writeln!(out, "Spec changes:\n");
        let mut sorted: Vec<&SpecChange> = spec.iter().filter(|c| c.kind != super::spec::ChangeKind::DescriptionChanged).collect();
        sorted.sort_by_key(|c| !c.is_breaking());
        for c in &sorted {
            let who = match (c.clients.is_breaking(), c.servers.is_breaking()) {
                (true, true) => "breaks clients and servers: ",
                (true, false) => "breaks clients: ",
                (false, true) => "breaks servers: ",
                (false, false) => "",
            };
            let _ = writeln!(out, "- {who}{} (`{}`)", c.message, c.pointer);
        }
        let docs = spec.len() - sorted.len();
        if docs > 0 {
            let _ = writeln!(out, "- {docs} documentation text(s) changed");
        }
        out.push('\n');
    }
    if !rust.is_empty() {
        let _ = writeln!(out, "Rust API changes:\n");
        for level in [Level::Major, Level::Minor] {
            for r in rust.iter().filter(|r| r.level == level) {
                let _ = writeln!(out, "- {}: {}", level.as_str(), r.message);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_follow_cargo_semver() {
        for (from, level, to) in [
            ("0.1.0", Level::Major, "0.2.0"),
            ("0.1.3", Level::Minor, "0.1.4"),
            ("0.1.3", Level::Patch, "0.1.4"),
            ("0.0.3", Level::Major, "0.0.4"),
            ("1.2.3", Level::Major, "2.0.0"),
            ("1.2.3", Level::Minor, "1.3.0"),
            ("1.2.3", Level::Patch, "1.2.4"),
            ("1.2.3-beta.1", Level::Patch, "1.2.4"),
        ] {
            assert_eq!(bump(from, level), to, "{from} + {level:?}");
        }
    }

    #[test]
    fn the_package_version_is_read_and_set() {
        let mut set = OutputSet::default();
        set.add("Cargo.toml", "# header\n[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = { version = \"1\" }\n");
        set_version(&mut set, "0.3.0").expect("set");
        let manifest = &set.files[Path::new("Cargo.toml")];
        assert_eq!(package_version(manifest).as_deref(), Some("0.3.0"));
        assert!(manifest.contains("serde = { version = \"1\" }"), "{manifest}");
    }
}
