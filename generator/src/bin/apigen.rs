//! `apigen`: generate a Rust crate (models, async client, axum server stubs, mock server) from
//! any OpenAPI 3.0/3.1 document, JSON or YAML, external references allowed.
//!
//! ```text
//! apigen --spec openapi.yaml --out my-api [--crate-name my_api] [--check] [--force] [--quiet]
//! apigen generate --spec openapi.yaml --out my-api     (the same, as a subcommand)
//! apigen diff OLD NEW [--format text|markdown|json] [--fail-on breaking]   (see apigen_codegen::diff::cli)
//! ```
//!
//! Generation is the default command, so the flat form keeps working when more subcommands
//! arrive (each one a variant of [`Command`]).
//!
//! Exit codes: 0 success; 1 the spec was rejected, `--check` found stale files, or the output
//! could not be written; 2 bad usage, including an output directory apigen refuses to write into
//! without `--force`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use apigen_codegen::write::{WriteError, WriteOptions};
use apigen_codegen::{ConfigFile, GeneratorSettings, Job, Mode, RunError, RuntimeMode, Timings};
use clap::{Args, Parser, Subcommand};

/// Generation allocates and frees millions of small syn nodes; mimalloc is faster at that than
/// the system allocator (see `cargo xtask bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AFTER_HELP: &str = "\
Examples:
  apigen --spec openapi.yaml --out my-api            generate the crate `my_api` into ./my-api
  apigen --spec=api.json --out=crates/pets --crate-name=pets-client
  apigen --spec openapi.yaml --out my-api --check    exit 1 if my-api is not what the spec generates
  apigen --spec openapi.yaml --out . --force         generate into the current (non-empty) folder
  apigen --spec openapi.yaml --out my-api --deny-warnings   fail if the document needed repairs
  apigen --spec openapi.yaml --out my-api --runtime path=../apigen/runtime   use a runtime checkout
  apigen --spec openapi.yaml --out my-api --config pets.toml   settings (default: apigen.toml beside the spec)

Your files are safe: apigen records the files it writes in DIR/.apigen-manifest and deletes or
overwrites only those. Everything else in DIR (.git, target/, Cargo.lock, tests/, examples/, notes)
is left alone. A non-empty DIR without a manifest is refused unless it is an earlier apigen output,
or --force is given. Each file is replaced atomically: an interrupted run leaves every file old or
new, and rerunning completes it.

Exit codes:
  0  success
  1  the spec was rejected (every problem is listed with file, line:column and JSON pointer),
     --check found stale files, or the output could not be written (nothing was changed)
  2  bad usage, including an output directory apigen refuses to write into without --force";

/// Generate a Rust crate (models, async client, axum server stubs, mock server) from an OpenAPI
/// 3.0/3.1 document.
#[derive(Debug, Parser)]
#[command(name = "apigen", version, after_help = AFTER_HELP, args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Generation, the default command.
    #[command(flatten)]
    generate: GenerateArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a crate from an OpenAPI document (the default: `apigen --spec F --out D`).
    #[command(after_help = AFTER_HELP)]
    Generate(GenerateArgs),
    /// Compare two versions of a document: every change, who it breaks (clients, servers), the
    /// generated Rust items it changes and their semver level.
    #[command(after_help = DIFF_AFTER_HELP)]
    Diff(DiffCliArgs),
}

const DIFF_AFTER_HELP: &str = "\
Examples:
  apigen diff old.yaml new.yaml
  apigen diff git:HEAD~1:spec/api/openapi.json spec/api/openapi.json --format markdown
  apigen diff old.json new.json --format=json --fail-on breaking    exit 1 on a breaking change

Exit codes:
  0  nothing meets the --fail-on condition
  1  a change meets it
  2  bad usage, or a document that cannot be read";

#[derive(Debug, Args)]
struct DiffCliArgs {
    /// The old document: a file, or `git:<rev>:<path>` (its `$ref`ed files are read at the same revision).
    #[arg(value_name = "OLD")]
    old: String,
    /// The new document: a file, or `git:<rev>:<path>`.
    #[arg(value_name = "NEW")]
    new: String,
    /// The report format.
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "markdown", "json"])]
    format: String,
    /// Exit 1 when a change breaks clients or servers (`breaking`), clients, servers, or when the
    /// generated Rust API changes in a semver-major way (`major`).
    #[arg(long, value_name = "WHEN", default_value = "never", value_parser = ["never", "breaking", "clients", "servers", "major"])]
    fail_on: String,
    /// The crate name the two generated crates are compared under.
    #[arg(long, value_name = "NAME", default_value = "api")]
    crate_name: String,
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// The OpenAPI 3.0/3.1 document, JSON or YAML (references to other files are followed).
    #[arg(long, value_name = "FILE", required = true)]
    spec: Option<PathBuf>,
    /// The directory of the generated crate (created if missing).
    #[arg(long, value_name = "DIR", required = true)]
    out: Option<PathBuf>,
    /// The crate's name [default: derived from DIR, e.g. `my-api` -> `my_api`].
    #[arg(long, value_name = "NAME", value_parser = parse_crate_name)]
    crate_name: Option<String>,
    /// Write nothing; exit 1 and list the stale files if DIR is not what the spec generates.
    #[arg(long)]
    check: bool,
    /// Generate into a non-empty DIR without a manifest, and overwrite files there that apigen
    /// did not write (each is reported). Never deletes a file apigen did not write.
    #[arg(long)]
    force: bool,
    /// Print no progress or summary lines (errors and warnings still go to stderr).
    #[arg(short, long)]
    quiet: bool,
    /// Treat warnings (repairs of the document, schemas typed as `serde_json::Value`) as
    /// errors: exit 1 and write nothing.
    #[arg(long)]
    deny_warnings: bool,
    /// Where the crate gets `apigen-runtime` (the code every generated crate shares) from:
    /// `vendored` writes a copy into DIR/apigen-runtime so the crate builds offline on its own;
    /// `registry` depends on the published version only; `path=DIR2` depends on the runtime
    /// crate at DIR2 (by version and relative path).
    /// [default: the config file's `runtime`, else `vendored`]
    #[arg(long, value_name = "MODE", value_parser = parse_runtime)]
    runtime: Option<RuntimeMode>,
    /// The settings (derives, type replacements, renames, operations, parts, crate metadata;
    /// see the README) [default: `apigen.toml` next to the spec, if there is one].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

fn parse_runtime(text: &str) -> Result<RuntimeMode, String> {
    match text {
        "vendored" => Ok(RuntimeMode::Vendored),
        "registry" => Ok(RuntimeMode::Registry),
        _ => match text.strip_prefix("path=") {
            Some(dir) if !dir.is_empty() => Ok(RuntimeMode::Path(PathBuf::from(dir))),
            _ => Err("expected `vendored`, `registry` or `path=DIR`".to_string()),
        },
    }
}

fn parse_crate_name(name: &str) -> Result<String, String> {
    apigen_codegen::naming::check_crate_name(name)
}

/// A spec at least this large gets a line on stderr before generation starts.
const LARGE_SPEC: u64 = 1 << 20;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Generate(args)) => args,
        Some(Command::Diff(args)) => return diff(args),
        None => cli.generate,
    };
    generate(args)
}

fn diff(args: DiffCliArgs) -> ExitCode {
    use apigen_codegen::diff::{cli, report::Format, source::Spec};
    let (Some(format), Some(fail_on)) = (Format::parse(&args.format), cli::FailOn::parse(&args.fail_on)) else {
        // clap checked both values; this is only reached if the lists ever disagree.
        eprintln!("error: unknown --format or --fail-on value (see apigen diff --help)");
        return ExitCode::from(2);
    };
    cli::run(&cli::DiffArgs { old: Spec::parse(&args.old), new: Spec::parse(&args.new), format, fail_on, crate_name: args.crate_name })
}

fn generate(args: GenerateArgs) -> ExitCode {
    let (Some(spec), Some(out)) = (args.spec, args.out) else {
        // clap enforces both; this is only reached if that ever changes.
        eprintln!("error: --spec and --out are required (see apigen --help)");
        return ExitCode::from(2);
    };
    let name = args.crate_name.clone().unwrap_or_else(|| apigen_codegen::naming::crate_name_from(&out));
    let say = |line: String| {
        if !args.quiet {
            eprintln!("{line}");
        }
    };
    let started = Instant::now();
    if let Ok(meta) = std::fs::metadata(&spec) {
        if meta.len() >= LARGE_SPEC {
            say(format!("apigen: generating `{name}` from {} ({:.1} MiB)...", spec.display(), meta.len() as f64 / f64::from(1 << 20)));
        }
    }
    let config = match &args.config {
        Some(path) => ConfigFile::read(path).map(|c| Some((path.clone(), c))),
        None => ConfigFile::discover(&spec),
    };
    let config = match config {
        Ok(config) => config,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return ExitCode::from(2);
        }
    };
    let mut settings = GeneratorSettings::new(&name).with_deny_warnings(args.deny_warnings);
    let runtime = match (&args.runtime, config.as_ref().and_then(|(_, c)| c.runtime.as_ref())) {
        (Some(mode), _) => Some(mode),
        (None, Some(_)) => None,
        (None, None) => Some(&RuntimeMode::Vendored),
    };
    if let Some((path, config)) = &config {
        say(format!("apigen: settings from {}", path.display()));
        config.apply(&mut settings);
        // `--crate-name` wins over the file, which wins over the folder's name.
        settings.crate_name = args.crate_name.clone().or_else(|| config.crate_name.clone()).unwrap_or_else(|| name.clone());
    }
    let name = settings.crate_name.clone();
    if let Some(runtime) = runtime {
        match runtime.dependency_for(&out) {
            Ok(dependency) => {
                settings.with_runtime(dependency);
            }
            Err(e) => {
                eprintln!("error: cannot locate {} relative to the current directory: {e}", out.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let generated = apigen_codegen::generate_isolated(&spec, || {
        let mut timings = Timings::default();
        apigen_codegen::generate_with_warnings(&spec, &settings, &mut timings).map(|g| (g, timings))
    });
    let (set, mut timings) = match generated {
        Ok((generated, timings)) => {
            if !generated.warnings.is_empty() {
                eprintln!("{}", generated.warnings);
            }
            (generated.output, timings)
        }
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            eprintln!("error: {} was rejected; {} was left untouched", spec.display(), out.display());
            return ExitCode::FAILURE;
        }
    };
    let mode = if args.check { Mode::Check } else { Mode::Write };
    let job = Job { name: name.clone(), spec: spec.clone(), out: out.clone() };
    let write_started = Instant::now();
    let result = apigen_codegen::write_outputs(&[(job, set)], mode, &WriteOptions { force: args.force, ..WriteOptions::default() });
    timings.phases.push((if args.check { "check" } else { "write" }, write_started.elapsed()));
    let report = match result {
        Ok(mut reports) => reports.pop().map(|(_, r)| r).unwrap_or_default(),
        Err(RunError::Write(e)) => {
            eprintln!("error: {e}");
            let usage = matches!(e, WriteError::NotADirectory { .. } | WriteError::Unowned { .. } | WriteError::Collisions { .. });
            return ExitCode::from(if usage { 2 } else { 1 });
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for path in &report.overwritten {
        if !args.check {
            eprintln!("warning: overwrote {}, which apigen had not written (--force)", path.display());
        }
    }
    let phases: Vec<String> = timings
        .phases
        .iter()
        // The inner phases of emit+render ("emit+render models", ...) are in the total already.
        .filter(|(phase, _)| !phase.starts_with("emit+render "))
        .map(|(phase, d)| format!("{phase} {:.2} s", d.as_secs_f64()))
        .collect();
    let stats = format!(
        "{} operations, {} models; {}; total {:.2} s",
        timings.operations,
        timings.models,
        phases.join(", "),
        started.elapsed().as_secs_f64()
    );
    if args.check {
        if report.is_fresh() {
            say(format!("apigen: {} is up to date ({stats})", out.display()));
            return ExitCode::SUCCESS;
        }
        for path in &report.changed {
            eprintln!("stale: {}", path.display());
        }
        for path in &report.removed {
            eprintln!("no longer generated: {}", path.display());
        }
        eprintln!("error: {} is out of date: rerun without --check", out.display());
        return ExitCode::FAILURE;
    }
    say(format!(
        "apigen: `{name}` in {}: {} file(s) written, {} removed, {} unchanged ({stats})",
        out.display(),
        report.changed.len(),
        report.removed.len(),
        report.unchanged
    ));
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_flat_form_and_the_subcommand_parse_alike() {
        let flat = Cli::try_parse_from(["apigen", "--spec=a.yaml", "--out", "d", "--force"]).expect("flat");
        assert!(flat.command.is_none());
        assert_eq!(flat.generate.spec.as_deref(), Some(std::path::Path::new("a.yaml")));
        assert!(flat.generate.force);
        let sub = Cli::try_parse_from(["apigen", "generate", "--spec", "a.yaml", "--out=d", "-q"]).expect("subcommand");
        let Some(Command::Generate(args)) = sub.command else { panic!("generate") };
        assert_eq!(args.out.as_deref(), Some(std::path::Path::new("d")));
        assert!(args.quiet);
        for bad in [&["apigen"][..], &["apigen", "--spec", "a"], &["apigen", "--spec", "a", "--out", "d", "--crate-name", "box"]] {
            let err = Cli::try_parse_from(bad).expect_err("usage error");
            assert_eq!(err.exit_code(), 2, "{bad:?}: {err}");
        }
    }
}
