//! `cargo xtask diff`: the spec changes of this repository's APIs against a git revision, and
//! the versioning of the generated crates that `cargo xtask gen` applies.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use apigen_codegen::diff::cli::{DiffArgs, FailOn};
use apigen_codegen::diff::report::Format;
use apigen_codegen::diff::source::{self, Spec};
use apigen_codegen::{Job, OutputSet};

/// `cargo xtask diff [API...] [--base REV] [--format F] [--fail-on X]`.
pub fn run(args: &[String]) -> ExitCode {
    let mut apis = Vec::new();
    let mut base = "HEAD".to_string();
    let mut format = Format::Text;
    let mut fail_on = FailOn::Never;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |what: &str| it.next().cloned().ok_or(format!("{arg} needs {what}"));
        let parsed = match arg.as_str() {
            "--base" => value("a git revision").map(|v| base = v),
            "--format" => {
                value("text, markdown or json").and_then(|v| Format::parse(&v).map(|f| format = f).ok_or(format!("unknown format `{v}`")))
            }
            "--fail-on" => value("breaking, clients, servers, major or never")
                .and_then(|v| FailOn::parse(&v).map(|f| fail_on = f).ok_or(format!("unknown --fail-on `{v}`"))),
            flag if flag.starts_with('-') => Err(format!("unknown flag `{flag}`")),
            api => {
                apis.push(api.to_string());
                Ok(())
            }
        };
        if let Err(msg) = parsed {
            eprintln!("error: {msg}\nusage: cargo xtask diff [API...] [--base REV] [--format text|markdown|json] [--fail-on breaking|clients|servers|major|never]");
            return ExitCode::from(2);
        }
    }
    let available = crate::spec_apis();
    if apis.is_empty() {
        apis = available.clone();
    }
    let mut failed = false;
    let mut json = serde_json::Map::new();
    for api in &apis {
        if !available.contains(api) {
            eprintln!("error: unknown API `{api}`; spec/ has: {}", available.join(", "));
            return ExitCode::from(2);
        }
        let path = Path::new("spec").join(api).join("openapi.json");
        match source::git_file(&base, &path.to_string_lossy(), Path::new(".")) {
            Ok(Some(_)) => {}
            Ok(None) => {
                println!("{api}: new API (spec/{api} does not exist at `{base}`)");
                continue;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
        let args = DiffArgs {
            old: Spec::Git { rev: base.clone(), path: path.clone() },
            new: Spec::File(path),
            format,
            fail_on,
            crate_name: api.clone(),
        };
        let report = match apigen_codegen::diff::cli::report(&args) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}\nerror: cannot compare {api}");
                return ExitCode::from(2);
            }
        };
        failed |= fail_on.fails(&report);
        match format {
            Format::Json => {
                let value = serde_json::from_str(&apigen_codegen::diff::report::render(&report, format)).unwrap_or_default();
                json.insert(api.clone(), value);
            }
            _ => println!("{}", apigen_codegen::diff::report::render(&report, format)),
        }
    }
    if format == Format::Json {
        println!("{}", apigen_codegen::render_json(&serde_json::Value::Object(json)));
    }
    if failed {
        eprintln!("error: --fail-on {args:?} matched", args = fail_on);
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Sets the version and CHANGELOG of every crate generated into `generated/` relative to the
/// crate checked in at `base` (a git revision of the repository at `root`; the files on disk
/// when `root` is not a git repository). Returns one line per crate whose version changed.
///
/// # Errors
///
/// The revision does not exist, or a generated file cannot be read back.
pub fn apply_versions(root: &Path, base: &str, outputs: &mut [(Job, OutputSet)]) -> Result<Vec<String>, String> {
    let in_git = source::repo_root(root).is_ok();
    let mut lines = Vec::new();
    for (job, set) in outputs.iter_mut() {
        let out = job.out.strip_prefix(root).unwrap_or(&job.out).to_path_buf();
        if !out.starts_with("generated") {
            continue;
        }
        // A version the spec's `apigen.toml` sets is the author's decision.
        if apigen_codegen::ConfigFile::discover(&job.spec).ok().flatten().is_some_and(|(_, c)| c.package.version.is_some()) {
            continue;
        }
        let repo_dir = out.to_string_lossy().replace('\\', "/");
        let base_files = if !in_git {
            read_tree(&root.join(&out))
        } else if base == "HEAD" && source::git(&["rev-parse", "--verify", "--quiet", "HEAD"], root).is_err() {
            // A repository without commits: every crate is new.
            None
        } else {
            source::git_tree(base, &repo_dir, root)?
        };
        let decision = apigen_codegen::diff::version::apply(set, base_files.as_ref()).map_err(|e| format!("{}: {e}", job.name))?;
        if decision.old.as_deref() != Some(decision.new.as_str()) {
            let from = decision.old.clone().unwrap_or_else(|| "(new)".into());
            let level = decision.level.map(|l| format!(" ({} change)", l.as_str())).unwrap_or_default();
            lines.push(format!("{}: version {from} -> {}{level}", job.name, decision.new));
        }
    }
    Ok(lines)
}

/// Every file under `dir`, keyed by path relative to it; `None` when there is none.
fn read_tree(dir: &Path) -> Option<BTreeMap<PathBuf, String>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                out.insert(p.strip_prefix(dir).unwrap_or(&p).to_path_buf(), text);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `cargo xtask diff-verify`: see `verify.rs`.
pub fn verify(args: &[String]) -> ExitCode {
    crate::verify::run(args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use apigen_codegen::Mode;

    fn git(root: &Path, args: &[&str]) {
        let ok = std::process::Command::new("git")
            .args(["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(root)
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "git {args:?} failed");
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                copy_dir(&p, &to.join(entry.file_name()));
            } else {
                std::fs::copy(&p, to.join(entry.file_name())).expect("copy");
            }
        }
    }

    /// `cargo xtask gen` in the temporary repository: generate, version against HEAD, write.
    fn gen(root: &Path, mode: Mode) -> Vec<apigen_codegen::write::Report> {
        let jobs = [Job { name: "epixel".into(), spec: root.join("spec/epixel/openapi.json"), out: root.join("generated/epixel") }];
        let mut outputs =
            apigen_codegen::generate_jobs(&jobs, &apigen_codegen::RunOptions::default()).unwrap_or_else(|e| panic!("{e}")).outputs;
        apply_versions(root, "HEAD", &mut outputs).expect("versions");
        let options = apigen_codegen::write::WriteOptions { force: true, ..Default::default() };
        apigen_codegen::write_outputs(&outputs, mode, &options).expect("write").into_iter().map(|(_, r)| r).collect()
    }

    fn read(root: &Path, file: &str) -> String {
        std::fs::read_to_string(root.join("generated/epixel").join(file)).expect(file)
    }

    /// A spec change committed in a repository bumps the crate version by the semver level of
    /// its Rust API change and prepends a CHANGELOG entry; regenerating is deterministic, and
    /// `--check` rejects a version that does not match the change.
    #[test]
    fn a_spec_change_bumps_the_version_and_the_changelog() {
        let temp = source::TempDir::new("apigen-version-test").expect("temp dir");
        let root = temp.path.canonicalize().expect("canonical");
        copy_dir(&crate::project_root().join("spec/epixel"), &root.join("spec/epixel"));
        git(&root, &["init", "--quiet"]);
        gen(&root, Mode::Write);
        assert_eq!(apigen_codegen::diff::version::package_version(&read(&root, "Cargo.toml")).as_deref(), Some("0.1.0"));
        assert!(read(&root, "CHANGELOG.md").contains("## 0.1.0"));
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "--quiet", "-m", "first"]);

        // Nothing changed: nothing is written.
        assert!(gen(&root, Mode::Write).iter().all(|r| r.changed.is_empty()));

        // Remove an operation: a breaking Rust change, 0.1.0 -> 0.2.0 (Cargo's 0.x rule).
        let spec_path = root.join("spec/epixel/openapi.json");
        let mut spec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&spec_path).expect("spec")).expect("JSON");
        let paths = spec["paths"].as_object_mut().expect("paths");
        let removed = paths.keys().next().expect("a path").clone();
        paths.remove(&removed);
        std::fs::write(&spec_path, apigen_codegen::render_json(&spec)).expect("write spec");
        gen(&root, Mode::Write);
        let manifest = read(&root, "Cargo.toml");
        assert_eq!(apigen_codegen::diff::version::package_version(&manifest).as_deref(), Some("0.2.0"), "{manifest}");
        let changelog = read(&root, "CHANGELOG.md");
        let (new_entry, old_entry) = (changelog.find("## 0.2.0").expect("new entry"), changelog.find("## 0.1.0").expect("old entry kept"));
        assert!(new_entry < old_entry, "{changelog}");
        assert!(changelog.contains("Breaking changes to the Rust API."), "{changelog}");
        assert!(changelog.contains("breaks clients: operation"), "{changelog}");
        assert!(changelog.contains("was removed"), "{changelog}");

        // Same spec, same base: the same bytes, and --check agrees.
        let before = (manifest.clone(), changelog.clone());
        assert!(gen(&root, Mode::Write).iter().all(|r| r.changed.is_empty()));
        assert_eq!((read(&root, "Cargo.toml"), read(&root, "CHANGELOG.md")), before);
        assert!(gen(&root, Mode::Check).iter().all(apigen_codegen::write::Report::is_fresh));

        // A version that does not match the change is stale.
        std::fs::write(root.join("generated/epixel/Cargo.toml"), manifest.replace("version = \"0.2.0\"", "version = \"0.1.1\""))
            .expect("tamper");
        let stale = gen(&root, Mode::Check);
        assert!(stale.iter().any(|r| r.changed.iter().any(|p| p.ends_with("Cargo.toml"))), "{stale:?}");

        // Commit, then add a schema nobody uses: an addition, 0.2.0 -> 0.2.1.
        gen(&root, Mode::Write);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "--quiet", "-m", "second"]);
        let mut spec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&spec_path).expect("spec")).expect("JSON");
        spec["components"]["schemas"]["AddedForTheTest"] =
            serde_json::json!({ "type": "object", "properties": { "a": { "type": "string" } } });
        std::fs::write(&spec_path, apigen_codegen::render_json(&spec)).expect("write spec");
        gen(&root, Mode::Write);
        assert_eq!(apigen_codegen::diff::version::package_version(&read(&root, "Cargo.toml")).as_deref(), Some("0.2.1"));
        let changelog = read(&root, "CHANGELOG.md");
        assert!(changelog.starts_with("# Changelog\n"), "{changelog}");
        assert!(changelog.contains("## 0.2.1\n\nAdditions to the Rust API"), "{changelog}");
        assert!(changelog.contains("minor: struct `models::AddedForTheTest` was added"), "{changelog}");
        assert!(changelog.find("## 0.2.1") < changelog.find("## 0.2.0"));
    }
}
