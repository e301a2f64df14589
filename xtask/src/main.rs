//! `cargo xtask`: the project's automation, reached through the alias in `.cargo/config.toml`.
//!
//! ```text
//! cargo xtask gen [--check] [API...]          regenerate generated/<api>/ from spec/<api>/
//! cargo xtask gen --spec FILE --out DIR       generate a crate from any OpenAPI document
//! cargo xtask mock <api> [--port N] [ARGS...]  serve the documented examples of generated/<api>/
//! cargo xtask diff [API...] [--base REV]       spec changes against a git revision, and what they break
//! ```

mod bench;
mod conformance;
mod diff;
mod fuzz;
mod schema_suite;
mod verify;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use apigen_codegen::{Job, Mode, RunError, RunOptions, RunReport};

/// The allocator of `cargo xtask gen`: faster than the system one at generation's millions of
/// small allocations (see generator/Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage:
  cargo xtask gen [--check] [--base REV] [--deny-warnings] [--verbose] [API...]
                                          regenerate generated/<api>/ from spec/<api>/ (all APIs by default);
                                          the crate version and CHANGELOG follow the API change since REV (HEAD);
                                          prints each job's warnings (--verbose: every one in full);
                                          --deny-warnings: a warning fails the run (nothing is written), except
                                          the warnings the defect and validation fixtures exist for (tests/fixtures/defects-*, schema-suite, request-bodies)
  cargo xtask gen --spec FILE --out DIR [--crate-name NAME] [--check] [--force] [--deny-warnings] [--verbose]
                                          generate a standalone crate from any OpenAPI document
                                          (the rules of `apigen`: see `apigen --help`)
  cargo xtask mock API [--port N] [--host HOST] [--api-key KEY]...
                                          serve the documented examples of generated/<api>/ (default port 4010)
  cargo xtask bench                       the targets of issue 14, each a ratio with PASS/FAIL: lines for a document
                                          with no operations, files a runtime fix changes, generation time and
                                          peak memory and `cargo check` time against progenitor on nexus.json
                                          (needs cargo-progenitor: see README), generated server throughput;
                                          build time of the three modes (checked-in crate, build.rs,
                                          generate_api!); generation speed of small/medium/large specs, scaling 1x-8x
  cargo xtask bench modes                 only the build time of the three modes (examples/)
  cargo xtask bench --only PART           one part: lines, runtime-fix, modes, generation (time and memory
                                          against progenitor, and the generation benches), check (`cargo check`
                                          of nexus.json against progenitor), throughput (the server benchmark)
  cargo xtask conformance [--no-check] [--filter TEXT]
                                          generate (and cargo check) every document of ../shared/corpus;
                                          writes the table in README.md
  cargo xtask diff [API...] [--base REV] [--format text|markdown|json] [--fail-on breaking|clients|servers|major|never]
                                          the changes of spec/<api> since REV (HEAD): who they break, the Rust API impact
  cargo xtask schema-suite [--subset] [--min PERCENT] [--write-fixture]
                                          the JSON Schema Test Suite (draft 2020-12) as request bodies of one
                                          generated server: agreement with the suite's verdicts, per keyword
  cargo xtask diff-verify [--no-semver-checks] [--no-optic] [--filter TEXT]
                                          the diff fixtures against cargo-semver-checks and Optic (installs both under target/tools)
  cargo xtask fuzz-check [--seeds N] [--from SEED] [--check N] [--everything] [--write-fixture] ...
                                          random valid documents (docgen) through the generator, then
                                          cargo check of a sample (see `cargo xtask fuzz-check --help`)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    if let Err(e) = std::env::set_current_dir(&root) {
        eprintln!("error: cannot enter the project root {}: {e}", root.display());
        return ExitCode::FAILURE;
    }
    match args.first().map(String::as_str) {
        Some("gen") => match parse_gen(&args[1..]) {
            Ok(cmd) => run_gen(&cmd),
            Err(msg) => {
                eprintln!("error: {msg}\n\n{USAGE}");
                ExitCode::from(2)
            }
        },
        Some("mock") => run_mock(&args[1..]),
        Some("conformance") => conformance::run(&args[1..]),
        Some("diff") => diff::run(&args[1..]),
        Some("diff-verify") => diff::verify(&args[1..]),
        Some("fuzz-check") => fuzz::run(&args[1..]),
        Some("bench") if args.get(1).map(String::as_str) == Some("modes") => {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            if bench::compare_modes(&cargo) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Some("bench") if args.len() > 1 => match (args.get(1).map(String::as_str), args.get(2).map(String::as_str), args.len()) {
            (Some("--only"), Some(part), 3) if bench::PARTS.contains(&part) => bench::run(&jobs(&GenCommand::default()), Some(part)),
            _ => {
                eprintln!("error: `cargo xtask bench` takes `--only PART`, PART one of {}\n\n{USAGE}", bench::PARTS.join(", "));
                ExitCode::from(2)
            }
        },
        Some("schema-suite") => schema_suite::run(&args[1..]),
        Some("bench") => run_bench(),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// `cargo xtask bench`: every target of issue 14 measured in one run, each printed with its ratio
/// and PASS/FAIL, then a summary (see [`bench`]).
fn run_bench() -> ExitCode {
    bench::run(&jobs(&GenCommand::default()), None)
}

/// The repository root: the parent of this crate's manifest directory.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// What `cargo xtask gen` was asked to do.
#[derive(Debug, Default)]
struct GenCommand {
    check: bool,
    /// Warnings fail the run (except those of the defect fixtures).
    deny_warnings: bool,
    /// Every warning in full, instead of a summary per class.
    verbose: bool,
    apis: Vec<String>,
    spec: Option<PathBuf>,
    out: Option<PathBuf>,
    crate_name: Option<String>,
    force: bool,
    /// The git revision the crate versions are computed against (`HEAD` when not given).
    base: Option<String>,
}

fn parse_gen(args: &[String]) -> Result<GenCommand, String> {
    let mut cmd = GenCommand::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => cmd.check = true,
            "--force" => cmd.force = true,
            "--deny-warnings" => cmd.deny_warnings = true,
            "--verbose" => cmd.verbose = true,
            "--spec" => cmd.spec = Some(it.next().ok_or("--spec needs a file")?.into()),
            "--out" => cmd.out = Some(it.next().ok_or("--out needs a directory")?.into()),
            "--crate-name" => cmd.crate_name = Some(it.next().ok_or("--crate-name needs a name")?.clone()),
            "--base" => cmd.base = Some(it.next().ok_or("--base needs a git revision")?.clone()),
            flag if flag.starts_with('-') => return Err(format!("unknown flag `{flag}`")),
            api => cmd.apis.push(api.to_string()),
        }
    }
    if cmd.spec.is_some() != cmd.out.is_some() {
        return Err("--spec and --out go together".into());
    }
    if cmd.spec.is_some() && !cmd.apis.is_empty() {
        return Err("name either APIs or --spec/--out, not both".into());
    }
    if cmd.force && cmd.spec.is_none() {
        return Err("--force goes with --spec/--out: the project's own output directories need none".into());
    }
    Ok(cmd)
}

fn jobs(cmd: &GenCommand) -> Result<Vec<Job>, String> {
    if let (Some(spec), Some(out)) = (&cmd.spec, &cmd.out) {
        let name = match &cmd.crate_name {
            Some(name) => apigen_codegen::naming::check_crate_name(name)?,
            None => apigen_codegen::naming::crate_name_from(out),
        };
        return Ok(vec![Job { name, spec: spec.clone(), out: out.clone() }]);
    }
    let mut available: Vec<String> = std::fs::read_dir("spec")
        .map_err(|e| format!("cannot read spec/: {e}"))?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("openapi.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    available.sort();
    let chosen = if cmd.apis.is_empty() { available.clone() } else { cmd.apis.clone() };
    let mut jobs: Vec<Job> = chosen
        .into_iter()
        .map(|api| {
            if available.contains(&api) {
                Ok(Job { spec: Path::new("spec").join(&api).join("openapi.json"), out: Path::new("generated").join(&api), name: api })
            } else {
                Err(format!("unknown API `{api}`; spec/ has: {}", available.join(", ")))
            }
        })
        .collect::<Result<_, _>>()?;
    if cmd.apis.is_empty() {
        jobs.extend(fixture_jobs()?);
    }
    Ok(jobs)
}

/// The APIs under spec/, sorted.
fn spec_apis() -> Vec<String> {
    let mut available: Vec<String> = std::fs::read_dir("spec")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("openapi.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    available.sort();
    available
}

/// The conformance fixtures compiled in CI: every `tests/fixtures/openapi/<name>.{json,yaml}`
/// (public OpenAPI documents, see the LICENSE-NOTE.md there) becomes the checked-in crate
/// `tests/crates/<name>/`, a workspace member.
fn fixture_jobs() -> Result<Vec<Job>, String> {
    let dir = Path::new("tests/fixtures/openapi");
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
    let mut jobs: Vec<Job> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml")))
        .filter_map(|spec| {
            let stem = spec.file_stem()?.to_string_lossy().into_owned();
            Some(Job { name: format!("corpus-{stem}"), out: Path::new("tests/crates").join(&stem), spec })
        })
        .collect();
    // Our own hostile fixtures: `tests/fixtures/<name>/openapi.{json,yaml}` -> `tests/crates/<name>/`.
    if let Ok(entries) = std::fs::read_dir("tests/fixtures") {
        for entry in entries.filter_map(Result::ok) {
            let dir = entry.path();
            let Some(stem) = dir.file_name().map(|n| n.to_string_lossy().into_owned()) else { continue };
            let spec = ["openapi.json", "openapi.yaml"].iter().map(|f| dir.join(f)).find(|p| p.is_file());
            if let Some(spec) = spec {
                jobs.push(Job { name: format!("fixture-{stem}"), out: Path::new("tests/crates").join(&stem), spec });
            }
        }
    }
    jobs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(jobs)
}

/// The typify fixtures (plain JSON Schemas, see `apigen_codegen::schema_crate`): with every API,
/// `tests/fixtures/typify/<name>.json` -> `tests/typify-crates/<name>/`.
fn schema_jobs(cmd: &GenCommand) -> Vec<Job> {
    if cmd.apis.is_empty() && cmd.spec.is_none() {
        apigen_codegen::schema_crate::fixture_jobs(Path::new(""))
    } else {
        Vec::new()
    }
}

/// Why `cargo xtask gen` failed.
enum GenError {
    /// Generation or writing failed.
    Run(RunError),
    /// The crate versions could not be computed against the base revision.
    Version(String),
    /// Warnings with `--deny-warnings` (this many, not counting the defect fixtures').
    Denied(usize),
}

impl std::fmt::Display for GenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Run(e) => e.fmt(f),
            Self::Version(e) => write!(f, "cannot compute the crate versions: {e}"),
            Self::Denied(n) => write!(f, "{n} warning(s) with --deny-warnings; nothing was written"),
        }
    }
}

/// Generates `jobs` and the schema jobs in memory, prints the warnings, sets the versions of
/// `generated/*`, then writes (or checks) every output directory in one transaction: a failing
/// spec or schema, or a denied warning, leaves every directory untouched, and a failed write is
/// rolled back everywhere.
///
/// The project's own output directories (`generated/*`, `tests/crates/*`,
/// `tests/typify-crates/*`) are written with `force`: xtask knows they hold only its output, so
/// one without a manifest (a crate added before manifests existed) is adopted. `--spec/--out`
/// follows the rules of any directory (`--force` only when given).
fn run_all(cmd: &GenCommand, jobs: &[Job], mode: Mode) -> Result<RunReport, GenError> {
    let generation =
        apigen_codegen::generate_jobs(jobs, &RunOptions { publish: Some(false), ..RunOptions::default() }).map_err(GenError::Run)?;
    let unexpected = print_warnings(cmd, &generation.warnings);
    if cmd.deny_warnings && unexpected > 0 {
        return Err(GenError::Denied(unexpected));
    }
    let mut outputs = generation.outputs;
    // The version and CHANGELOG of generated/<api>/ follow the API change since the base.
    let root = std::env::current_dir().map_err(|e| GenError::Version(format!("cannot read the current directory: {e}")))?;
    let lines = diff::apply_versions(&root, cmd.base.as_deref().unwrap_or("HEAD"), &mut outputs).map_err(GenError::Version)?;
    lines.iter().for_each(|l| println!("{l}"));
    outputs.extend(apigen_codegen::schema_crate::generate_all(&schema_jobs(cmd)).map_err(GenError::Run)?);
    let options = apigen_codegen::write::WriteOptions { force: cmd.spec.is_none() || cmd.force, ..Default::default() };
    let reports = apigen_codegen::write_outputs(&outputs, mode, &options).map_err(GenError::Run)?;
    Ok(RunReport { reports, warnings: generation.warnings })
}

/// Jobs whose warnings are their purpose: the defect fixtures (`tests/fixtures/defects-*`, one
/// published defect class each, their warnings snapshotted by `tests/warnings.rs`), and the
/// validation fixtures, whose schemas are the JSON Schema Test Suite's and random docgen ones
/// (`tests/fixtures/schema-suite`, `tests/fixtures/request-bodies`): they exist to hold the
/// server's validator to JSON Schema where the Rust types cannot follow (`not`, untyped enums).
fn warnings_expected(job: &str) -> bool {
    job.starts_with("fixture-defects-") || job == "fixture-schema-suite" || job == "fixture-request-bodies"
}

/// How many warnings of a job are shown in full per class before a count of the rest.
const WARNINGS_PER_CLASS: usize = 3;

/// Prints every job's warnings: summarized per class (in full with `--verbose`); a defect
/// fixture's as one line. Returns the number of warnings not expected.
fn print_warnings(cmd: &GenCommand, warnings: &[(String, PathBuf, apigen_codegen::Diagnostics)]) -> usize {
    let mut unexpected = 0;
    for (name, spec, w) in warnings {
        let classes: Vec<String> = w.warning_classes().iter().map(|(c, n)| format!("{n} {c}")).collect();
        if warnings_expected(name) && !cmd.verbose {
            println!(
                "{name}: {} warning(s), expected: this fixture exists for them ({}; snapshot tests/snapshots/warnings_{name}.snap)",
                w.len(),
                classes.join(", ")
            );
            continue;
        }
        if !warnings_expected(name) {
            unexpected += w.len();
        }
        let shown = if cmd.verbose { w.to_string() } else { w.summarized(WARNINGS_PER_CLASS).to_string() };
        eprintln!("{name} ({}):\n{shown}\n", spec.display());
    }
    unexpected
}

fn run_gen(cmd: &GenCommand) -> ExitCode {
    let jobs = match jobs(cmd) {
        Ok(j) => j,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let mode = if cmd.check { Mode::Check } else { Mode::Write };
    let report = match run_all(cmd, &jobs, mode) {
        Ok(r) => r,
        Err(GenError::Run(e @ RunError::Spec(_))) => {
            eprintln!("{e}\n\nerror: generation failed; generated/ was left untouched");
            return ExitCode::FAILURE;
        }
        Err(GenError::Run(e)) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: {e}\n(generated/ was left untouched)");
            return ExitCode::FAILURE;
        }
    };
    let reports = report.reports;
    let mut stale = 0;
    for (name, report) in &reports {
        for path in &report.changed {
            if cmd.check {
                eprintln!("stale: {}", path.display());
                stale += 1;
            } else {
                println!("wrote {}", path.display());
            }
        }
        for path in &report.overwritten {
            if !cmd.check {
                eprintln!("warning: overwrote {}, which apigen had not written (--force)", path.display());
            }
        }
        for path in &report.removed {
            if cmd.check {
                eprintln!("no longer generated: {}", path.display());
                stale += 1;
            } else {
                println!("removed {}", path.display());
            }
        }
        if !cmd.check {
            println!("{name}: {} file(s) written, {} removed, {} unchanged", report.changed.len(), report.removed.len(), report.unchanged);
        }
    }
    if stale > 0 {
        eprintln!("error: generated code is out of date: run `cargo xtask gen` and commit the result");
        return ExitCode::FAILURE;
    }
    if cmd.check {
        println!("generated/ is up to date ({} crate(s) checked)", reports.len());
    }
    ExitCode::SUCCESS
}

/// `cargo xtask mock <api> [ARGS...]`: builds and runs the generated crate's mock server binary
/// (feature `mock`), passing the remaining arguments through. xtask itself stays free of
/// axum and tokio.
fn run_mock(args: &[String]) -> ExitCode {
    let Some(api) = args.first().filter(|a| !a.starts_with('-')) else {
        eprintln!("error: name the API to mock (one of the directories in generated/)\n\n{USAGE}");
        return ExitCode::from(2);
    };
    if !Path::new("generated").join(api).join("Cargo.toml").is_file() {
        eprintln!("error: there is no generated/{api}/: run `cargo xtask gen {api}` first, or check the name");
        return ExitCode::from(2);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["run", "--quiet", "-p", api, "--no-default-features", "--features", "mock", "--bin"])
        .arg(format!("{api}-mock"))
        .arg("--")
        .args(&args[1..])
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Warnings of the defect fixtures are expected (they exist for them); any other job's
    /// count against `--deny-warnings`.
    #[test]
    fn only_the_defect_fixtures_may_warn() {
        let w = |n: usize| {
            apigen_codegen::Diagnostics(
                (0..n)
                    .map(|i| {
                        apigen_codegen::Diagnostic::new("a.json", format!("/x{i}"), "repaired")
                            .with_help("h")
                            .with_class(apigen_codegen::WarningClass::DegradedSchema)
                            .warning()
                    })
                    .collect(),
            )
        };
        let warnings = vec![
            ("fixture-defects-30".to_string(), PathBuf::from("a.json"), w(5)),
            ("questionpro".to_string(), PathBuf::from("a.json"), w(2)),
            ("fixture-forms".to_string(), PathBuf::from("a.json"), w(1)),
        ];
        assert_eq!(print_warnings(&GenCommand::default(), &warnings), 3);
        assert_eq!(print_warnings(&GenCommand::default(), &warnings[..1]), 0);
    }

    /// The checked-in generated code is what `cargo xtask gen` writes from spec/ today, and the
    /// checked-in specs generate without warnings.
    #[test]
    fn generated_is_fresh() {
        std::env::set_current_dir(project_root()).expect("project root");
        let cmd = GenCommand { check: true, ..GenCommand::default() };
        let jobs = jobs(&cmd).expect("spec/ lists the APIs");
        let report = run_all(&cmd, &jobs, Mode::Check).unwrap_or_else(|e| panic!("{e}"));
        let stale: Vec<String> =
            report.reports.iter().flat_map(|(_, r)| r.changed.iter().chain(&r.removed)).map(|p| p.display().to_string()).collect();
        assert!(stale.is_empty(), "stale generated files: {stale:?}\nrun `cargo xtask gen` and commit the result");
        // ... without a warning beyond the defect fixtures' (`cargo xtask gen --deny-warnings`).
        let unexpected: Vec<String> = report
            .warnings
            .iter()
            .filter(|(name, _, _)| !warnings_expected(name))
            .map(|(name, _, w)| format!("{name}:\n{}", w.summarized(WARNINGS_PER_CLASS)))
            .collect();
        assert!(unexpected.is_empty(), "warnings of checked-in specs:\n{}", unexpected.join("\n\n"));
    }
}
