//! `cargo xtask diff-verify`: our verdicts over the diff fixtures (`tests/fixtures/diff/*`)
//! against two independent tools:
//!
//! - **cargo-semver-checks** (crates.io) on the two generated crates of each pair: does our
//!   Rust-level verdict (major / minor / patch) agree with its verdict (major / minor / none)?
//! - **Optic** (`@useoptic/optic`, npm: `optic diff OLD NEW --check`): does our "breaks
//!   clients" agree with Optic's breaking-change rules (which are client-facing)?
//!
//! Both tools are installed under `target/tools/` by this command when missing (never by
//! CI: cargo-semver-checks takes minutes to build). Optic is pinned with an npm override that
//! gives all of its packages one `ajv` (without it, npm resolves two copies whose code
//! generators do not mix, and Optic crashes at start-up). Neither needs a network beyond the
//! package registries; nothing here is timed.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use apigen_codegen::diff::rust_api::Level;

const SEMVER_CHECKS_VERSION: &str = "0.51.0";
const OPTIC_VERSION: &str = "1.0.9";

struct Row {
    case: String,
    ours_rust: Level,
    theirs_rust: Option<String>,
    ours_clients: bool,
    optic: Option<bool>,
}

/// `cargo xtask diff-verify [--no-semver-checks] [--no-optic] [--filter TEXT]`.
pub fn run(args: &[String]) -> ExitCode {
    let mut semver = true;
    let mut optic = true;
    let mut filter = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--no-semver-checks" => semver = false,
            "--no-optic" => optic = false,
            "--filter" => filter = it.next().cloned(),
            other => {
                eprintln!(
                    "error: unknown argument `{other}`\nusage: cargo xtask diff-verify [--no-semver-checks] [--no-optic] [--filter TEXT]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let tools = Path::new("target/tools");
    let semver_bin = tools.join("bin/cargo-semver-checks");
    if semver && !semver_bin.is_file() && !install_semver_checks(tools) {
        return ExitCode::FAILURE;
    }
    let optic_bin = tools.join("optic/node_modules/.bin/optic");
    if optic && !optic_bin.is_file() && !install_optic(&tools.join("optic")) {
        return ExitCode::FAILURE;
    }
    let work = Path::new("target/diff-verify");
    let mut cases: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/diff")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("expected.json").is_file())
        .filter(|p| filter.as_ref().is_none_or(|f| p.to_string_lossy().contains(f.as_str())))
        .collect();
    cases.sort();
    let mut rows = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let (old, new) = (case.join("old.yaml"), case.join("new.yaml"));
        let report = match apigen_codegen::diff::compare(
            &apigen_codegen::diff::Input { root: &old, label: "old".into() },
            &apigen_codegen::diff::Input { root: &new, label: "new".into() },
            "fixture",
        ) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{name}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let theirs_rust = semver.then(|| semver_checks(&semver_bin, work, &name, &old, &new)).flatten();
        let optic_verdict = optic.then(|| run_optic(&optic_bin, &old, &new)).flatten();
        let row = Row {
            case: name,
            ours_rust: report.rust_level.unwrap_or(Level::Patch),
            theirs_rust,
            ours_clients: report.breaks_clients(),
            optic: optic_verdict,
        };
        println!(
            "{:<40} ours: clients {:<10} Rust {:<6} | optic: {:<10} | cargo-semver-checks: {}",
            row.case,
            if row.ours_clients { "breaking" } else { "compatible" },
            row.ours_rust.as_str(),
            row.optic.map_or("-", |b| if b { "breaking" } else { "compatible" }),
            row.theirs_rust.as_deref().unwrap_or("-"),
        );
        rows.push(row);
    }
    summarize(&rows);
    ExitCode::SUCCESS
}

fn summarize(rows: &[Row]) {
    let semver: Vec<&Row> = rows.iter().filter(|r| r.theirs_rust.is_some()).collect();
    if !semver.is_empty() {
        let level_of = |r: &Row| match r.theirs_rust.as_deref() {
            Some("major") => Level::Major,
            Some("minor") => Level::Minor,
            _ => Level::Patch,
        };
        let breaking = semver.iter().filter(|r| (r.ours_rust == Level::Major) == (level_of(r) == Level::Major)).count();
        let exact = semver.iter().filter(|r| r.ours_rust == level_of(r)).count();
        println!("\ncargo-semver-checks {SEMVER_CHECKS_VERSION}: breaking/non-breaking verdict agrees on {breaking} of {} pairs ({:.0}%), exact level (patch = none) on {exact} of {} ({:.0}%)", semver.len(), pct(breaking, semver.len()), semver.len(), pct(exact, semver.len()));
        for r in semver.iter().filter(|r| r.ours_rust != level_of(r)) {
            println!(
                "  differs: {:<40} ours {:<6} cargo-semver-checks {}",
                r.case,
                r.ours_rust.as_str(),
                r.theirs_rust.as_deref().unwrap_or("-")
            );
        }
    }
    let optic: Vec<&Row> = rows.iter().filter(|r| r.optic.is_some()).collect();
    if !optic.is_empty() {
        let agree = optic.iter().filter(|r| Some(r.ours_clients) == r.optic).count();
        println!(
            "\nOptic {OPTIC_VERSION}: \"breaks clients\" agrees on {agree} of {} pairs ({:.0}%)",
            optic.len(),
            pct(agree, optic.len())
        );
        for r in optic.iter().filter(|r| Some(r.ours_clients) != r.optic) {
            println!(
                "  differs: {:<40} ours {:<10} Optic {}",
                r.case,
                if r.ours_clients { "breaking" } else { "compatible" },
                if r.optic == Some(true) { "breaking" } else { "compatible" }
            );
        }
    }
}

fn pct(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

fn install_semver_checks(tools: &Path) -> bool {
    println!("installing cargo-semver-checks {SEMVER_CHECKS_VERSION} into {} (a few minutes, once)", tools.display());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let ok = Command::new(cargo)
        .args(["install", "cargo-semver-checks", "--locked", "--version", SEMVER_CHECKS_VERSION, "--root"])
        .arg(tools)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("error: cannot install cargo-semver-checks; run with --no-semver-checks to skip it");
    }
    ok
}

fn install_optic(dir: &Path) -> bool {
    println!("installing @useoptic/optic {OPTIC_VERSION} into {} (npm)", dir.display());
    let manifest = format!("{{ \"private\": true, \"dependencies\": {{ \"@useoptic/optic\": \"{OPTIC_VERSION}\" }}, \"overrides\": {{ \"ajv\": \"8.20.0\" }} }}\n");
    if std::fs::create_dir_all(dir).and_then(|()| std::fs::write(dir.join("package.json"), manifest)).is_err() {
        eprintln!("error: cannot write {}", dir.display());
        return false;
    }
    let ok = Command::new("npm").args(["install", "--no-audit", "--no-fund"]).current_dir(dir).status().is_ok_and(|s| s.success());
    if !ok {
        eprintln!("error: cannot install Optic with npm; run with --no-optic to skip it");
    }
    ok
}

/// Writes a generated crate as a standalone package (its own `[workspace]`).
fn write_crate(spec: &Path, dir: &Path) -> Result<(), String> {
    let set = apigen_codegen::generate(spec, &apigen_codegen::GeneratorSettings::new("fixture")).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(dir);
    for (rel, text) in &set.files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let text = if rel.as_path() == Path::new("Cargo.toml") { format!("{text}\n[workspace]\n") } else { text.clone() };
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// cargo-semver-checks' verdict on the two crates: `major`, `minor` or `none`.
fn semver_checks(bin: &Path, work: &Path, case: &str, old: &Path, new: &Path) -> Option<String> {
    let (old_dir, new_dir) = (work.join(case).join("old"), work.join(case).join("new"));
    if let Err(e) = write_crate(old, &old_dir).and_then(|()| write_crate(new, &new_dir)) {
        eprintln!("{case}: cannot write the crates: {e}");
        return None;
    }
    let out = Command::new(bin)
        .args(["semver-checks", "check-release", "--all-features", "--manifest-path"])
        .arg(new_dir.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(&old_dir)
        .env("CARGO_TARGET_DIR", work.join("target"))
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .ok()?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::write(work.join(case).join("semver-checks.txt"), &text);
    if text.contains("requires new major version") {
        Some("major".into())
    } else if text.contains("requires new minor version") {
        Some("minor".into())
    } else if text.contains("no semver update required") {
        Some("none".into())
    } else {
        eprintln!(
            "{case}: cargo-semver-checks gave no verdict:\n{}",
            text.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
        );
        None
    }
}

/// Optic's verdict: `Some(true)` when it reports a breaking change.
fn run_optic(bin: &Path, old: &Path, new: &Path) -> Option<bool> {
    let out = Command::new(bin).args(["diff"]).arg(old).arg(new).arg("--check").env("OPTIC_TELEMETRY_LEVEL", "off").output().ok()?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    match out.status.code() {
        Some(0) => Some(false),
        Some(1) if text.contains("breaking change") => Some(true),
        _ => {
            eprintln!("optic failed on {}:\n{}", new.display(), text.lines().take(10).collect::<Vec<_>>().join("\n"));
            None
        }
    }
}
