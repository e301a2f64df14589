//! `apigen`: generate a Rust crate (models, async client, axum server stubs) from any OpenAPI
//! 3.0/3.1 document, JSON or YAML, external references allowed.
//!
//! ```text
//! apigen --spec openapi.yaml --out my-api [--crate-name my_api] [--check] [--deny-warnings]
//! ```
//!
//! Exit codes: 0 success, 1 the spec was rejected (diagnostics on stderr) or `--check` found
//! stale files, 2 bad usage.
//!
//! Warnings (repairs of the document, schemas typed as `serde_json::Value`) are printed on
//! stderr; `--deny-warnings` makes them fatal.

use std::path::PathBuf;
use std::process::ExitCode;

use generator::{Job, Mode};

/// Generation allocates and frees millions of small syn nodes; mimalloc is faster at that than
/// the system allocator (see `cargo xtask bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: apigen --spec FILE --out DIR [--crate-name NAME] [--check] [--deny-warnings]";

fn main() -> ExitCode {
    let mut spec: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut name: Option<String> = None;
    let mut check = false;
    let mut deny_warnings = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--spec" => spec = args.next().map(PathBuf::from),
            "--out" => out = args.next().map(PathBuf::from),
            "--crate-name" => name = args.next(),
            "--check" => check = true,
            "--deny-warnings" => deny_warnings = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unexpected argument `{other}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let (Some(spec), Some(out)) = (spec, out) else {
        eprintln!("error: --spec and --out are required\n{USAGE}");
        return ExitCode::from(2);
    };
    let name = name.unwrap_or_else(|| generator::naming::crate_name_from(&out));
    if std::env::var_os("APIGEN_TIMINGS").is_some() {
        let mut t = generator::Timings::default();
        let r = generator::generate_timed(&spec, &generator::GeneratorSettings::new(&name), &mut t);
        for (phase, d) in &t.phases {
            eprintln!("{phase:>14}: {:>9.3} s", d.as_secs_f64());
        }
        if let Err(e) = r {
            eprintln!("{e}");
        }
    }
    let jobs = [Job { name, spec, out }];
    let mode = if check { Mode::Check } else { Mode::Write };
    match generator::run_reporting(&jobs, mode, &generator::RunOptions { deny_warnings }) {
        Ok(report) => {
            for (_, _, warnings) in &report.warnings {
                eprintln!("{warnings}");
            }
            let mut stale = false;
            for (name, r) in report.reports {
                if check && !r.is_fresh() {
                    stale = true;
                    for p in r.changed.iter().chain(&r.removed) {
                        eprintln!("stale: {}", p.display());
                    }
                }
                if !check {
                    println!("{name}: {} file(s) written, {} removed, {} unchanged", r.changed.len(), r.removed.len(), r.unchanged);
                }
            }
            if stale {
                eprintln!("error: the output is out of date: run apigen without --check");
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
