//! The runtime figures of `cargo xtask bench`: how much a document with no operations generates
//! (everything that does not depend on the API lives in `apigen-runtime`), and whether a fix
//! inside the runtime changes any generated file.

use std::path::{Path, PathBuf};

use apigen_codegen::{GeneratorSettings, Job, OutputSet, RuntimeCrate, RuntimeDependency, RuntimeMode};

/// The smallest valid OpenAPI document: no operations, no schemas.
const EMPTY_DOCUMENT: &str = r#"{"openapi":"3.1.0","info":{"title":"Empty","version":"1"},"paths":{}}"#;

/// Lines of Rust (`.rs` files, the vendored runtime excluded) in `out`.
fn rust_lines(out: &OutputSet) -> usize {
    out.files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs") && !p.starts_with(apigen_codegen::runtime::VENDORED_DIR))
        .map(|(_, text)| text.lines().count())
        .sum()
}

/// Prints the lines generated for [`EMPTY_DOCUMENT`]; false when generation fails.
pub fn empty_document_lines() -> bool {
    let dir = std::env::temp_dir().join(format!("apigen-empty-{}", std::process::id()));
    let spec = dir.join("openapi.json");
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&spec, EMPTY_DOCUMENT)) {
        eprintln!("error: cannot write {}: {e}", spec.display());
        return false;
    }
    let generated = apigen_codegen::generate(&spec, &GeneratorSettings::new("empty"));
    let _ = std::fs::remove_dir_all(&dir);
    let out = match generated {
        Ok(out) => out,
        Err(e) => {
            eprintln!("{e}");
            return false;
        }
    };
    let lines = rust_lines(&out);
    let per_file: Vec<String> = out
        .files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
        .map(|(p, t)| format!("{} {}", p.display(), t.lines().count()))
        .collect();
    let all: usize = out.files.values().map(|t| t.lines().count()).sum();
    println!("\nOpenAPI document with no operations: {lines} lines of Rust (target < 300): {}", per_file.join(", "));
    println!("  {all} lines in all {} files (with Cargo.toml, README.md and the bundled openapi.json)", out.files.len());
    true
}

/// A fix of the runtime: the next patch version, with one source file changed.
fn fixed_runtime() -> RuntimeCrate {
    let mut runtime = RuntimeCrate::embedded();
    let mut parts: Vec<u64> = runtime.version.split('.').filter_map(|p| p.parse().ok()).collect();
    if let Some(patch) = parts.last_mut() {
        *patch += 1;
    }
    runtime.version = parts.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
    for (path, text) in &mut runtime.files {
        if path == Path::new("src/server/mod.rs") {
            text.push_str("\n/// A fix.\npub fn fixed() {}\n");
        }
    }
    runtime
}

/// Generates `job` against `runtime`, depending on it as `mode` says.
fn generate(job: &Job, mode: &RuntimeMode, runtime: &RuntimeCrate) -> Result<OutputSet, String> {
    let mut settings = GeneratorSettings::new(&job.name);
    let dependency: RuntimeDependency = mode.dependency_for(&job.out).map_err(|e| e.to_string())?;
    settings.with_runtime(dependency).with_runtime_crate(runtime.clone());
    apigen_codegen::generate(&job.spec, &settings).map_err(|e| e.to_string())
}

/// Counts the files of `jobs` whose bytes differ between the embedded runtime and a fixed one.
fn changed_files(jobs: &[Job], mode: &RuntimeMode) -> Result<(usize, usize), String> {
    let (before, after) = (RuntimeCrate::embedded(), fixed_runtime());
    let (mut changed, mut total) = (0, 0);
    for job in jobs {
        let (a, b) = (generate(job, mode, &before)?, generate(job, mode, &after)?);
        let paths: std::collections::BTreeSet<&PathBuf> = a.files.keys().chain(b.files.keys()).collect();
        total += paths.len();
        changed += paths.into_iter().filter(|p| a.files.get(*p) != b.files.get(*p)).count();
    }
    Ok((changed, total))
}

/// Prints how many generated files a runtime fix changes (target: none); false on failure.
pub fn runtime_fix_changes(jobs: &[Job]) -> bool {
    let fixed = fixed_runtime();
    let result = changed_files(jobs, &RuntimeMode::default()).and_then(|path| Ok((path, changed_files(jobs, &RuntimeMode::Vendored)?)));
    match result {
        Ok(((changed, total), (vendored, vendored_total))) => {
            println!(
                "A runtime fix ({} -> {}, src/server/mod.rs changed) changes {changed} of the {total} files generated for {} crates \
                 (generated/, tests/crates/) (target 0)",
                RuntimeCrate::embedded().version,
                fixed.version,
                jobs.len()
            );
            println!("  for contrast, vendored (`RuntimeMode::Vendored`): {vendored} of {vendored_total} files change (the copies of the runtime)");
            true
        }
        Err(e) => {
            eprintln!("error: {e}");
            false
        }
    }
}

/// The three ways to use a generated API, by their example crate (`examples/`, the same
/// document in each): the packages that are the API's code in that mode, and the generator
/// packages the mode builds for the host.
const MODES: [(&str, &str, &[&str], &[&str]); 3] = [
    ("checked-in crate (apigen CLI)", "cli", &["example-cli", "petstore"], &[]),
    ("build.rs (module::build)", "build-rs", &["example-build-rs"], &["apigen-codegen"]),
    ("generate_api! macro", "macro", &["example-macro"], &["apigen-codegen", "apigen-macros"]),
];

/// `cargo xtask bench modes`: the build time of each mode for the same document, as ratios to
/// the checked-in crate measured in the same run (one target directory, `target/bench-modes`,
/// whose third-party dependencies are built first and then kept).
///
/// Per mode and round, alternating the order: the first `cargo build` of the example after
/// `cargo clean -p` of its own packages (what a change of the spec rebuilds; the generator is
/// already built), then the same with the generator's packages cleaned too (what a first build,
/// or a new generator version, adds: the checked-in crate has none). Medians of
/// `APIGEN_BENCH_ROUNDS` rounds (default 3).
pub fn compare_modes(cargo: &str) -> bool {
    use std::process::Command;
    let rounds: usize = std::env::var("APIGEN_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = root.join("target/bench-modes");
    let build = |example: &str, args: &[&str]| -> bool {
        let manifest = root.join("examples").join(example).join("Cargo.toml");
        Command::new(cargo)
            .args(args)
            .arg("--quiet")
            .arg("--locked")
            .arg("--manifest-path")
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target)
            .status()
            .is_ok_and(|s| s.success())
    };
    for (_, example, _, _) in MODES {
        if !build(example, &["build"]) {
            eprintln!("error: examples/{example} does not build");
            return false;
        }
    }
    let timed = |example: &str, clean: &[&str]| -> Option<f64> {
        let mut args = vec!["clean"];
        for p in clean {
            args.extend(["-p", p]);
        }
        if !build(example, &args) {
            return None;
        }
        let start = std::time::Instant::now();
        build(example, &["build"]).then(|| start.elapsed().as_secs_f64())
    };
    let mut spec_change = vec![Vec::new(); MODES.len()];
    let mut with_generator = vec![Vec::new(); MODES.len()];
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..MODES.len()).collect();
        order.rotate_left(round % MODES.len());
        for i in order {
            let (_, example, own, host) = MODES[i];
            let Some(t) = timed(example, own) else {
                eprintln!("error: examples/{example} does not build");
                return false;
            };
            spec_change[i].push(t);
            let all: Vec<&str> = own.iter().chain(host.iter()).copied().collect();
            let Some(t) = timed(example, &all) else {
                eprintln!("error: examples/{example} does not build");
                return false;
            };
            with_generator[i].push(t);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let base = (median(&mut spec_change[0]), median(&mut with_generator[0]));
    println!("\nBuild time of each mode, petstore-expanded (examples/), median of {rounds}; ratio to the checked-in crate:");
    println!("  {:<32} {:>22} {:>30}", "mode", "after a spec change", "with the generator built too");
    for (i, (name, _, _, _)) in MODES.iter().enumerate() {
        let (a, b) = (median(&mut spec_change[i]), median(&mut with_generator[i]));
        println!("  {name:<32} {a:>8.2} s ({:>5.2}x) {b:>14.2} s ({:>5.2}x)", a / base.0, b / base.1);
    }
    true
}
