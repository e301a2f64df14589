//! How generated crates get `apigen-runtime`, the crate that holds everything that does not
//! differ per API (see `runtime/`): the [`RuntimeDependency`] line of the generated
//! `Cargo.toml`, its version requirement (from the runtime's own manifest, embedded at build
//! time, so it cannot drift from the runtime it was generated against: the oldest release with
//! the API the generated code uses, `[package.metadata.apigen] requires`, so that a fix of the
//! runtime changes no generated file), and the runtime's sources for vendoring.
//!
//! Three modes ([`RuntimeMode`]):
//! - `Path(dir)` (the default, with this repository's `runtime/`): `{ version, path }`, the path
//!   relative to each output directory. Works inside this repository and keeps working once
//!   the runtime is published (cargo uses the version when the crate is published).
//! - `Vendored`: the runtime's sources are written next to the crate, in `<out>/apigen-runtime/`,
//!   and the crate depends on them by path: it builds without network access to an unpublished
//!   crate, wherever it is generated.
//! - `Registry`: the version requirement alone, for when `apigen-runtime` is on crates.io (or a
//!   private registry).

use std::path::{Component, Path, PathBuf};

/// The runtime's manifest, as it is in `runtime/Cargo.toml`.
pub const RUNTIME_MANIFEST: &str = include_str!("../../runtime/Cargo.toml");

/// The runtime's sources (path inside the runtime crate, contents), written by
/// [`RuntimeDependency::Vendored`]. `tests/hygiene.rs` checks that this list is every file of
/// `runtime/` that a build reads.
pub const RUNTIME_FILES: &[(&str, &str)] = &[
    ("Cargo.toml", RUNTIME_MANIFEST),
    ("README.md", include_str!("../../runtime/README.md")),
    ("LICENSE", include_str!("../../runtime/LICENSE")),
    ("src/lib.rs", include_str!("../../runtime/src/lib.rs")),
    ("src/binary.rs", include_str!("../../runtime/src/binary.rs")),
    ("src/de.rs", include_str!("../../runtime/src/de.rs")),
    ("src/secret.rs", include_str!("../../runtime/src/secret.rs")),
    ("src/validation.rs", include_str!("../../runtime/src/validation.rs")),
    ("src/json_schema.rs", include_str!("../../runtime/src/json_schema.rs")),
    ("src/client.rs", include_str!("../../runtime/src/client.rs")),
    ("src/params/mod.rs", include_str!("../../runtime/src/params/mod.rs")),
    ("src/params/encode.rs", include_str!("../../runtime/src/params/encode.rs")),
    ("src/params/decode.rs", include_str!("../../runtime/src/params/decode.rs")),
    ("tests/params.rs", include_str!("../../runtime/tests/params.rs")),
    ("src/server/mod.rs", include_str!("../../runtime/src/server/mod.rs")),
    ("src/server/mock.rs", include_str!("../../runtime/src/server/mock.rs")),
    ("src/server/body_schema.rs", include_str!("../../runtime/src/server/body_schema.rs")),
    ("src/server/serve.rs", include_str!("../../runtime/src/server/serve.rs")),
];

/// The directory, inside a generated crate, that [`RuntimeDependency::Vendored`] writes the
/// runtime to.
pub const VENDORED_DIR: &str = "apigen-runtime";

/// The runtime a crate is generated against: its version (for the requirement) and its sources
/// (for vendoring). [`RuntimeCrate::embedded`] is the one this generator was built with; a
/// generated crate in `Path` or `Registry` mode depends on the version alone, so a fix to the
/// sources that keeps the version compatible changes none of its files (`cargo xtask bench`
/// checks it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeCrate {
    /// The runtime's version (`0.2.1`).
    pub version: String,
    /// The requirement generated crates state (`0.2.1`): the oldest release with every item
    /// their code uses.
    pub requirement: String,
    /// Its files (path inside the runtime crate, contents), as vendoring writes them.
    pub files: Vec<(PathBuf, String)>,
}

impl Default for RuntimeCrate {
    fn default() -> Self {
        Self::embedded()
    }
}

impl RuntimeCrate {
    /// The runtime this generator was built with (`runtime/` of its repository).
    pub fn embedded() -> Self {
        let version = manifest_version(RUNTIME_MANIFEST).unwrap_or("0.0.0");
        Self {
            version: version.to_string(),
            requirement: manifest_requirement(RUNTIME_MANIFEST).unwrap_or(version).to_string(),
            files: RUNTIME_FILES.iter().map(|(path, text)| (PathBuf::from(path), (*text).to_string())).collect(),
        }
    }

    /// The requirement generated crates state (a caret requirement: `0.2.1` admits every
    /// compatible release from 0.2.1 on, a fix included).
    pub fn version_requirement(&self) -> String {
        self.requirement.clone()
    }
}

/// The `version` of the `[package]` of a manifest.
pub fn manifest_version(manifest: &str) -> Option<&str> {
    manifest_key(manifest, "[package]", "version")
}

/// The `requires` of the `[package.metadata.apigen]` of the runtime's manifest: the
/// requirement generated crates state.
pub fn manifest_requirement(manifest: &str) -> Option<&str> {
    manifest_key(manifest, "[package.metadata.apigen]", "requires")
}

/// The string value of `key` in `table` of a manifest (written `key = "value"`).
fn manifest_key<'a>(manifest: &'a str, table: &str, key: &str) -> Option<&'a str> {
    manifest
        .lines()
        .skip_while(|l| l.trim() != table)
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .find_map(|l| l.strip_prefix(key)?.trim_start().strip_prefix("= \"")?.strip_suffix('"'))
}

/// The version of the embedded runtime (`0.2.1`).
pub fn runtime_version() -> &'static str {
    manifest_version(RUNTIME_MANIFEST).unwrap_or("0.0.0")
}

/// How a generated crate's `Cargo.toml` names `apigen-runtime` (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeDependency {
    /// By version and by this path, relative to the generated crate's directory.
    Path(String),
    /// By version and by path to the copy written into the crate (`apigen-runtime/`).
    Vendored,
    /// By version only.
    Registry,
}

impl Default for RuntimeDependency {
    /// This repository's layout: `generated/<api>`, `tests/crates/<name>` and
    /// `tests/typify-crates/<name>` are two levels below `runtime/`.
    fn default() -> Self {
        Self::Path("../../runtime".to_string())
    }
}

impl RuntimeDependency {
    /// The value of the `apigen-runtime` key in `[dependencies]` for a crate generated against
    /// `runtime` (no features: the generated crate's own features enable the runtime's).
    pub fn manifest_spec(&self, runtime: &RuntimeCrate) -> String {
        let version = runtime.version_requirement();
        match self {
            Self::Path(path) => format!("{{ version = \"{version}\", path = {path:?} }}"),
            Self::Vendored => format!("{{ version = \"{version}\", path = \"{VENDORED_DIR}\" }}"),
            Self::Registry => format!("\"{version}\""),
        }
    }

    /// The files to write into the generated crate: `runtime`'s sources when vendored.
    pub fn files<'a>(&self, runtime: &'a RuntimeCrate) -> Vec<(PathBuf, &'a str)> {
        match self {
            Self::Vendored => runtime.files.iter().map(|(path, text)| (Path::new(VENDORED_DIR).join(path), text.as_str())).collect(),
            Self::Path(_) | Self::Registry => Vec::new(),
        }
    }
}

/// Where generated crates get the runtime from, for [`crate::run_reporting`] (`RunOptions::runtime`) (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeMode {
    /// The runtime crate at this directory (absolute, or relative to the current directory):
    /// each crate depends on it by version and by its path relative to the crate.
    Path(PathBuf),
    /// A copy of the runtime inside each generated crate.
    Vendored,
    /// The version requirement only.
    Registry,
}

impl Default for RuntimeMode {
    /// `Path` to the `runtime/` directory of the repository this generator was built from.
    fn default() -> Self {
        Self::Path(normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime")))
    }
}

impl RuntimeMode {
    /// The dependency of a crate generated into `out`.
    ///
    /// # Errors
    ///
    /// When the current directory cannot be read (to make relative paths absolute).
    pub fn dependency_for(&self, out: &Path) -> std::io::Result<RuntimeDependency> {
        Ok(match self {
            Self::Path(dir) => {
                let cwd = std::env::current_dir()?;
                let relative = relative_path(&normalize(&cwd.join(out)), &normalize(&cwd.join(dir)));
                RuntimeDependency::Path(relative.to_string_lossy().replace('\\', "/"))
            }
            Self::Vendored => RuntimeDependency::Vendored,
            Self::Registry => RuntimeDependency::Registry,
        })
    }
}

/// `path` with `.` and `..` resolved lexically (symbolic links are not followed: a generated
/// path must not depend on the machine's links).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The path from directory `from` to `to` (both absolute and normalized).
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_follows_the_runtime_version() {
        let runtime = RuntimeCrate::embedded();
        let numbers = |v: &str| v.split('.').map(|n| n.parse::<u64>().unwrap_or_else(|e| panic!("{v}: {e}"))).collect::<Vec<_>>();
        let (version, requirement) = (numbers(&runtime.version), numbers(&runtime.version_requirement()));
        assert!(version.len() == 3 && runtime.version != "0.0.0", "{}", runtime.version);
        assert_eq!(runtime.version, runtime_version());
        // A caret requirement the runtime satisfies: the same release line (`0.y` before 1.0),
        // and no newer than the runtime.
        assert_eq!(requirement.len(), 3, "{}", runtime.requirement);
        let line = if version[0] == 0 { 2 } else { 1 };
        assert_eq!(version[..line], requirement[..line], "{} does not satisfy ^{}", runtime.version, runtime.requirement);
        assert!(requirement <= version, "{} does not satisfy ^{}", runtime.version, runtime.requirement);
    }

    #[test]
    fn manifest_keys_are_read_from_their_table() {
        let manifest = "[package]\nname = \"x\"\nversion = \"1.4.2\"\n\n[dependencies]\nversion = \"9\"\n\n[package.metadata.apigen]\nrequires = \"1.3.0\"\n";
        assert_eq!(manifest_version(manifest), Some("1.4.2"));
        assert_eq!(manifest_requirement(manifest), Some("1.3.0"));
        assert_eq!(manifest_requirement("[package]\nrequires = \"1.0.0\"\n"), None, "only in its table");
        assert_eq!(manifest_requirement(RUNTIME_MANIFEST), Some(RuntimeCrate::embedded().requirement.as_str()));
    }

    #[test]
    fn paths_are_relative_to_the_output_directory() {
        let rel = |from: &str, to: &str| relative_path(&normalize(Path::new(from)), &normalize(Path::new(to)));
        assert_eq!(rel("/r/generated/api", "/r/runtime"), Path::new("../../runtime"));
        assert_eq!(rel("/r/generated/./x/../api", "/r/runtime/"), Path::new("../../runtime"));
        assert_eq!(rel("/tmp/out", "/r/runtime"), Path::new("../../r/runtime"));
        assert_eq!(rel("/r", "/r/runtime"), Path::new("runtime"));
        let dep = RuntimeMode::Path(PathBuf::from("runtime")).dependency_for(Path::new("generated/api")).expect("cwd");
        assert_eq!(dep, RuntimeDependency::Path("../../runtime".into()));
        assert_eq!(dep, RuntimeDependency::default());
    }

    #[test]
    fn manifest_specs() {
        let runtime = RuntimeCrate::embedded();
        let v = runtime.version_requirement();
        assert_eq!(RuntimeDependency::Registry.manifest_spec(&runtime), format!("\"{v}\""));
        assert_eq!(RuntimeDependency::Vendored.manifest_spec(&runtime), format!("{{ version = \"{v}\", path = \"apigen-runtime\" }}"));
        assert!(RuntimeDependency::Vendored.files(&runtime).iter().any(|(p, _)| p == Path::new("apigen-runtime/src/lib.rs")));
        assert!(RuntimeDependency::Registry.files(&runtime).is_empty());
    }
}
