//! Project hygiene that no compiler checks: the declared `rust-version` against what the lock
//! file's crates need, the LICENSE against the declared license, the runtime requirement of
//! every generated crate against the runtime's version, and the vendored runtime against the
//! runtime's sources (and, `--ignored`, a vendored crate built without the registry).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use spec_tests::repo_root;

/// One `[[package]]` of `Cargo.lock`.
#[derive(Debug, Default)]
struct Locked {
    name: String,
    version: String,
    registry: bool,
    dependencies: Vec<String>,
}

fn lock() -> Vec<Locked> {
    let text = std::fs::read_to_string(repo_root().join("Cargo.lock")).expect("Cargo.lock");
    let mut packages = Vec::new();
    let mut current: Option<Locked> = None;
    let mut in_deps = false;
    for line in text.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            packages.extend(current.take());
            current = Some(Locked::default());
            in_deps = false;
        } else if let Some(p) = current.as_mut() {
            let quoted = |l: &str| l.split('"').nth(1).unwrap_or_default().to_string();
            if line.starts_with("name = ") {
                p.name = quoted(line);
            } else if line.starts_with("version = ") {
                p.version = quoted(line);
            } else if line.starts_with("source = ") {
                p.registry = line.contains("registry+");
            } else if line.starts_with("dependencies = [") {
                in_deps = true;
            } else if in_deps && line.starts_with('"') {
                p.dependencies.push(quoted(line));
            } else if line == "]" {
                in_deps = false;
            }
        }
    }
    packages.extend(current);
    packages
}

/// `1.85`, `1.85.0` -> (1, 85, 0).
fn parse_version(v: &str) -> (u64, u64, u64) {
    let mut parts = v.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// The `rust-version` of a registry crate, from its manifest in cargo's source cache; `None`
/// when the crate was never downloaded (a dependency of another platform) or declares none.
fn registry_rust_version(name: &str, version: &str) -> Option<Option<String>> {
    let home =
        std::env::var_os("CARGO_HOME").map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
    let src = home.join("registry/src");
    let manifest = std::fs::read_dir(src)
        .ok()?
        .filter_map(Result::ok)
        .map(|index| index.path().join(format!("{name}-{version}/Cargo.toml")))
        .find(|p| p.is_file())?;
    let text = std::fs::read_to_string(manifest).ok()?;
    Some(text.lines().find_map(|l| l.trim().strip_prefix("rust-version = ").map(|v| v.trim_matches('"').to_string())))
}

/// The workspace members' manifests.
fn members() -> Vec<PathBuf> {
    let root = repo_root();
    let mut out = vec![root.join("runtime"), root.join("generator"), root.join("generator/macros"), root.join("xtask"), root.join("tests")];
    for dir in ["generated", "tests/crates", "tests/typify-crates"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect(dir)
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("Cargo.toml").is_file())
            .collect();
        found.sort();
        out.extend(found);
    }
    out
}

/// A manifest's `[package]` name and `rust-version` (`workspace = true` resolved).
fn package(dir: &Path) -> (String, String) {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).expect("manifest");
    let value = |key: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{key} = ")).map(|v| v.trim().trim_matches('"').to_string()));
    let name = value("name").expect("name");
    let rust_version = match value("rust-version") {
        Some(v) => v,
        None => {
            assert!(text.contains("rust-version.workspace = true"), "{name} declares no rust-version");
            let root = std::fs::read_to_string(repo_root().join("Cargo.toml")).expect("Cargo.toml");
            root.lines().find_map(|l| l.strip_prefix("rust-version = ")).expect("workspace rust-version").trim_matches('"').to_string()
        }
    };
    (name, rust_version)
}

#[test]
fn every_rust_version_is_satisfied_by_the_locked_dependencies() {
    let packages = lock();
    let by_name: BTreeMap<&str, Vec<&Locked>> = packages.iter().fold(BTreeMap::new(), |mut m, p| {
        m.entry(p.name.as_str()).or_default().push(p);
        m
    });
    // `name` or `name version` (when several versions are locked).
    let resolve = |dep: &str| -> Option<&Locked> {
        let mut words = dep.split(' ');
        let (name, version) = (words.next()?, words.next());
        by_name.get(name)?.iter().copied().find(|p| version.is_none_or(|v| v == p.version))
    };
    let mut cache: BTreeMap<(String, String), Option<Option<String>>> = BTreeMap::new();
    let (mut checked, mut unknown) = (BTreeSet::new(), BTreeSet::new());
    let mut problems = Vec::new();
    for member in members() {
        let (name, declared) = package(&member);
        let Some(root) = by_name.get(name.as_str()).and_then(|v| v.iter().copied().find(|p| !p.registry)) else {
            problems.push(format!("{name} is not in Cargo.lock"));
            continue;
        };
        let mut todo = vec![root];
        let mut seen = BTreeSet::new();
        let mut needed = ((0, 0, 0), String::from("-"));
        while let Some(p) = todo.pop() {
            if !seen.insert((p.name.clone(), p.version.clone())) {
                continue;
            }
            todo.extend(p.dependencies.iter().filter_map(|d| resolve(d)));
            if !p.registry {
                continue;
            }
            let key = (p.name.clone(), p.version.clone());
            let msrv = cache.entry(key.clone()).or_insert_with(|| registry_rust_version(&p.name, &p.version)).clone();
            match msrv {
                None => {
                    unknown.insert(key);
                }
                Some(Some(v)) => {
                    checked.insert(key);
                    if parse_version(&v) > needed.0 {
                        needed = (parse_version(&v), format!("{} {} needs {v}", p.name, p.version));
                    }
                }
                Some(None) => {
                    checked.insert(key);
                }
            }
        }
        if needed.0 > parse_version(&declared) {
            problems.push(format!("{name} declares rust-version {declared}, but {}", needed.1));
        }
    }
    eprintln!("rust-version checked against {} locked crates ({} not in cargo's cache: other platforms)", checked.len(), unknown.len());
    if checked.is_empty() {
        eprintln!("skipped: cargo's source cache is not where CARGO_HOME or ~/.cargo says");
        return;
    }
    assert!(problems.is_empty(), "raise the rust-version, or lock older crates:\n{}", problems.join("\n"));
}

#[test]
fn the_license_file_is_the_declared_license() {
    let root = repo_root();
    let license = std::fs::read_to_string(root.join("LICENSE")).expect("LICENSE at the repository root");
    assert!(license.contains("Apache License") && license.contains("Version 2.0, January 2004"), "LICENSE is not the Apache License 2.0");
    assert!(license.contains("END OF TERMS AND CONDITIONS"), "LICENSE is truncated");
    let runtime_license = std::fs::read_to_string(root.join("runtime/LICENSE")).expect("runtime/LICENSE, for the published crate");
    assert_eq!(runtime_license, license);
    for manifest in ["Cargo.toml", "runtime/Cargo.toml"] {
        let text = std::fs::read_to_string(root.join(manifest)).expect(manifest);
        assert!(text.lines().any(|l| l == "license = \"Apache-2.0\""), "{manifest} must declare license = \"Apache-2.0\"");
    }
    // A generated crate's license is its document's (`info.license`) or its settings', never
    // this project's: the seed APIs' documents name none, so their manifests declare none.
    for manifest in ["generated/epixel/Cargo.toml", "generated/questionpro/Cargo.toml"] {
        let text = std::fs::read_to_string(root.join(manifest)).expect(manifest);
        assert!(!text.lines().any(|l| l.starts_with("license")), "{manifest} declares a license its document does not give");
    }
}

#[test]
fn every_generated_crate_requires_a_compatible_runtime() {
    let runtime_manifest = std::fs::read_to_string(repo_root().join("runtime/Cargo.toml")).expect("runtime/Cargo.toml");
    let version = apigen_codegen::runtime::manifest_version(&runtime_manifest).expect("the runtime's version");
    let version = semver::Version::parse(version).expect("semver");
    assert_eq!(apigen_codegen::runtime::runtime_version(), version.to_string(), "the generator embeds another runtime than runtime/");
    let mut crates = 0;
    for member in members() {
        let text = std::fs::read_to_string(member.join("Cargo.toml")).expect("manifest");
        if !text.starts_with("# @generated") {
            continue;
        }
        let line =
            text.lines().find(|l| l.starts_with("apigen-runtime = ")).unwrap_or_else(|| panic!("{}: no apigen-runtime", member.display()));
        crates += 1;
        // `{ version = "0.1", path = "..." }` (or a bare `"0.1"` in registry mode).
        let requirement = match line.split("version = \"").nth(1) {
            Some(rest) => rest.split('"').next().unwrap_or_default(),
            None => line.split('"').nth(1).unwrap_or_default(),
        };
        let req = semver::VersionReq::parse(requirement).unwrap_or_else(|e| panic!("{}: `{requirement}`: {e}", member.display()));
        assert!(req.matches(&version), "{} requires apigen-runtime {requirement}, the runtime is {version}", member.display());
        // By path, too, and the path leads to this runtime.
        let path = line.split("path = \"").nth(1).and_then(|p| p.split('"').next()).expect("a path inside the repository");
        let target = member.join(path).join("Cargo.toml");
        let text = std::fs::read_to_string(&target).unwrap_or_else(|e| panic!("{}: {}: {e}", member.display(), target.display()));
        assert_eq!(text, runtime_manifest, "{}: {path} is not runtime/", member.display());
    }
    assert!(crates >= 10, "only {crates} generated crates depend on the runtime");
}

#[test]
fn vendoring_copies_every_file_of_the_runtime() {
    let root = repo_root().join("runtime");
    let mut on_disk = BTreeMap::new();
    let mut todo = vec![root.clone()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).expect("runtime/").filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let rel = path.strip_prefix(&root).expect("inside").to_string_lossy().replace('\\', "/");
                on_disk.insert(rel, std::fs::read_to_string(&path).expect("text"));
            }
        }
    }
    let embedded: BTreeMap<String, String> =
        apigen_codegen::runtime::RUNTIME_FILES.iter().map(|(p, t)| ((*p).to_string(), (*t).to_string())).collect();
    assert_eq!(
        embedded.keys().collect::<Vec<_>>(),
        on_disk.keys().collect::<Vec<_>>(),
        "apigen_codegen::runtime::RUNTIME_FILES must list every file of runtime/"
    );
    assert!(embedded == on_disk, "the generator embeds stale runtime sources: rebuild it");
}

/// A crate generated outside this repository with the runtime vendored builds with
/// `cargo check --offline`: no network, no registry copy of `apigen-runtime`. Compiles every
/// dependency once into `target/vendored-check` (minutes on a cold cache), so it runs in CI
/// through `.ci/run`, not with the quick tests: `cargo test -p spec-tests --test hygiene -- --ignored`.
#[test]
#[ignore = "compiles a crate's dependencies from scratch; .ci/run runs it"]
fn a_vendored_crate_builds_offline() {
    let root = repo_root();
    let out = std::env::temp_dir().join(format!("apigen-vendored-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let job =
        apigen_codegen::Job { name: "vendored-uploads".into(), spec: root.join("tests/fixtures/uploads/openapi.yaml"), out: out.clone() };
    let options = apigen_codegen::RunOptions { runtime: apigen_codegen::RuntimeMode::Vendored, ..Default::default() };
    apigen_codegen::run_reporting(&[job], apigen_codegen::Mode::Write, &options).unwrap_or_else(|e| panic!("{e}"));
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
    let requirement = apigen_codegen::RuntimeCrate::embedded().version_requirement();
    assert!(manifest.contains(&format!("apigen-runtime = {{ version = \"{requirement}\", path = \"apigen-runtime\" }}")), "{manifest}");
    assert!(out.join("apigen-runtime/src/server/mod.rs").is_file());
    // The crate is a workspace of its own (it is not under this repository), and the lock pins
    // what cargo's cache holds.
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).expect("Cargo.lock");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["check", "--offline", "--quiet", "--all-features", "--all-targets", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target/vendored-check"))
        .status()
        .expect("cargo");
    let _ = std::fs::remove_dir_all(&out);
    assert!(status.success(), "the vendored crate does not build offline");
}
