//! The `apigen` command line as a user meets it: help, version, `--opt=value`, messages that
//! start with `error:`, the documented exit codes (0 ok, 1 rejected or stale, 2 usage), the
//! summary line and `--quiet`, derived crate names, and refusing to write into a directory that
//! is not apigen's.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn apigen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apigen")).args(args).output().expect("run apigen")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A small, valid spec of the repository.
fn spec() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/epixel/openapi.json").to_string_lossy().into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apigen-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn help_lists_every_option_with_examples_and_exit_codes() {
    let o = apigen(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for needle in [
        "--spec <FILE>",
        "--out <DIR>",
        "--crate-name <NAME>",
        "--check",
        "--force",
        "--quiet",
        "--deny-warnings",
        "--runtime <MODE>",
        "--config <FILE>",
        "--version",
        "Examples:",
        "Exit codes:",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
    assert!(help.contains("apigen --spec openapi.yaml --out my-api"), "{help}");
    let sub = apigen(&["generate", "--help"]);
    assert_eq!(sub.status.code(), Some(0));
    assert!(stdout(&sub).contains("--spec <FILE>"));
}

#[test]
fn version() {
    let o = apigen(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).trim(), format!("apigen {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2_with_error_prefix() {
    let dir = scratch("usage");
    let file = dir.join("afile");
    std::fs::write(&file, "x").expect("file");
    let cases: Vec<Vec<String>> = vec![
        vec![],
        vec!["--spec".into(), spec()],
        vec!["--bogus".into()],
        vec!["--spec".into(), spec(), "--out".into(), path(&dir.join("o")), "--crate-name".into(), "box".into()],
        vec!["--spec".into(), spec(), "--out".into(), path(&dir.join("o")), "--crate-name=type".into()],
        vec!["--spec".into(), spec(), "--out".into(), path(&dir.join("o")), "--crate-name".into(), "bad name!".into()],
        vec!["--spec".into(), spec(), "--out".into(), path(&file)],
    ];
    for args in cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = apigen(&refs);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error:"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let o = apigen(&["--spec", &spec(), "--out", &path(&dir.join("o")), "--crate-name", "bad name!"]);
    assert!(stderr(&o).contains("a crate name starts with an ASCII letter"), "the rules are stated: {}", stderr(&o));
    assert!(!dir.join("o").exists(), "nothing is written on a usage error");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn generates_with_a_summary_then_checks_and_quiet_is_quiet() {
    let dir = scratch("gen");
    let out = dir.join("my-api");
    let o = apigen(&[&format!("--spec={}", spec()), &format!("--out={}", path(&out))]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("apigen: `my_api`") && err.contains("operations") && err.contains("total"), "{err}");
    assert!(std::fs::read_to_string(out.join("Cargo.toml")).expect("crate").contains("name = \"my_api\""));
    assert!(out.join(".apigen-manifest").is_file());

    let o = apigen(&["--spec", &spec(), "--out", &path(&out), "--check", "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "--quiet prints nothing on success");

    std::fs::write(out.join("src/lib.rs"), "// edited\n").expect("edit");
    let o = apigen(&["--spec", &spec(), "--out", &path(&out), "--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("stale:") && stderr(&o).contains("error:"), "{}", stderr(&o));

    let o = apigen(&["generate", "--spec", &spec(), "--out", &path(&out), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_rejected_spec_exits_1_and_writes_nothing() {
    let dir = scratch("rejected");
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Missing'}}}}}\n",
    )
    .expect("spec");
    let out = dir.join("out");
    let o = apigen(&["--spec", &path(&bad), "--out", &path(&out)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("error:") && err.contains("bad.yaml:6:"), "located diagnostic: {err}");
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn warnings_are_printed_and_deny_warnings_makes_them_fatal() {
    let dir = scratch("warned");
    let spec = dir.join("warned.yaml");
    // An undeclared path parameter is repaired (a required string) with a warning.
    std::fs::write(
        &spec,
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses: {'200': {description: ok}}\n",
    )
    .expect("spec");
    let out = dir.join("out");
    let o = apigen(&["--spec", &path(&spec), "--out", &path(&out), "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("warned.yaml:5:"), "located: {}", stderr(&o));
    assert!(!out.exists(), "nothing is written when warnings are denied");
    let o = apigen(&["--spec", &path(&spec), "--out", &path(&out), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("warning[undeclared-path-parameter]:") && stderr(&o).contains("`{id}`"), "{}", stderr(&o));
    assert!(out.join("src/lib.rs").is_file());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_git_repository_root_is_refused_and_nothing_is_deleted() {
    let repo = scratch("repo");
    for (rel, text) in [(".git/HEAD", "ref"), ("src/main.rs", "fn main() {}"), ("NOTES.md", "notes"), ("target/x", "build")] {
        let p = repo.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("file");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_apigen")).args(["--spec", &spec(), "--out", "."]).current_dir(&repo).output().expect("run");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("error:") && stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(!repo.join("Cargo.toml").exists());
    // With --force, the crate is added and every file of the user stays.
    let o = Command::new(env!("CARGO_BIN_EXE_apigen"))
        .args(["--spec", &spec(), "--out", ".", "--force"])
        .current_dir(&repo)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (rel, text) in [(".git/HEAD", "ref"), ("src/main.rs", "fn main() {}"), ("NOTES.md", "notes"), ("target/x", "build")] {
        assert_eq!(std::fs::read_to_string(repo.join(rel)).expect("kept"), text, "{rel}");
    }
    // The crate is named after the folder.
    let name = repo.file_name().expect("name").to_string_lossy().replace('-', "_");
    assert!(std::fs::read_to_string(repo.join("Cargo.toml")).expect("toml").contains(&format!("name = \"{name}\"")));
    std::fs::remove_dir_all(&repo).ok();
}

#[test]
fn folders_named_like_keywords_give_valid_crate_names() {
    let dir = scratch("keywords");
    for (folder, crate_name) in [("box", "box_api"), ("type", "type_api"), ("bad name!", "bad_name"), ("1st", "api_1st")] {
        let out = dir.join(folder);
        let o = apigen(&["--spec", &spec(), "--out", &path(&out), "-q"]);
        assert_eq!(o.status.code(), Some(0), "{folder}: {}", stderr(&o));
        let toml = std::fs::read_to_string(out.join("Cargo.toml")).expect("toml");
        assert!(toml.contains(&format!("name = \"{crate_name}\"")), "{folder}: {toml}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_runtime_is_vendored_by_default_and_can_be_a_path_or_the_registry() {
    let dir = scratch("runtime");
    let manifest = |out: &Path| std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
    let vendored = dir.join("vendored");
    let o = apigen(&["--spec", &spec(), "--out", &path(&vendored), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(manifest(&vendored).contains("path = \"apigen-runtime\""), "{}", manifest(&vendored));
    assert!(vendored.join("apigen-runtime/Cargo.toml").is_file() && vendored.join("apigen-runtime/src/lib.rs").is_file());
    let listed = std::fs::read_to_string(vendored.join(".apigen-manifest")).expect("manifest");
    assert!(listed.lines().any(|l| l == "apigen-runtime/src/lib.rs"), "the vendored runtime is apigen's to replace:\n{listed}");

    let beside = dir.join("crates/api");
    let runtime = dir.join("runtime-checkout");
    let o = apigen(&["--spec", &spec(), "--out", &path(&beside), "-q", &format!("--runtime=path={}", path(&runtime))]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(manifest(&beside).contains("path = \"../../runtime-checkout\""), "{}", manifest(&beside));
    assert!(!beside.join("apigen-runtime").exists());

    let registry = dir.join("registry");
    let o = apigen(&["--spec", &spec(), "--out", &path(&registry), "-q", "--runtime", "registry"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(manifest(&registry).contains("apigen-runtime = \"0."), "{}", manifest(&registry));
    assert!(
        manifest(&registry).lines().filter(|l| l.starts_with("apigen-runtime")).all(|l| !l.contains("path")),
        "{}",
        manifest(&registry)
    );

    let o = apigen(&["--spec", &spec(), "--out", &path(&registry), "--runtime", "somewhere"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("error:") && stderr(&o).contains("path=DIR"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn settings_come_from_config_or_from_apigen_toml_beside_the_spec() {
    let dir = scratch("config");
    let config = dir.join("pets.toml");
    std::fs::write(&config, "parts = [\"models\"]\n[package]\nlicense = \"MIT\"\n").expect("config");
    let out = dir.join("models-only");
    let o = apigen(&["--spec", &spec(), "--out", &path(&out), "--config", &path(&config)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("settings from"), "{}", stderr(&o));
    assert!(std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml").contains("license = \"MIT\""));
    assert!(out.join("src/models.rs").is_file() && !out.join("src/client.rs").exists());

    // A copy of the spec with an `apigen.toml` beside it: found without `--config`.
    let copy = dir.join("spec");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/epixel");
    for entry in walk(&source) {
        let to = copy.join(entry.strip_prefix(&source).expect("inside"));
        std::fs::create_dir_all(to.parent().expect("parent")).expect("dir");
        std::fs::copy(&entry, &to).expect("copy");
    }
    std::fs::write(copy.join("apigen.toml"), "[package]\nversion = \"3.0.0\"\n").expect("config");
    let out = dir.join("discovered");
    let o = apigen(&["--spec", &path(&copy.join("openapi.json")), "--out", &path(&out), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml").contains("version = \"3.0.0\""));

    // An unknown key is a usage error at its line and column; nothing is written.
    std::fs::write(copy.join("apigen.toml"), "[package]\nversion = \"3.0.0\"\nlicence = \"MIT\"\n").expect("config");
    let out = dir.join("rejected");
    let o = apigen(&["--spec", &path(&copy.join("openapi.json")), "--out", &path(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("apigen.toml:3:1") && stderr(&o).contains("licence"), "{}", stderr(&o));
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).ok();
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
