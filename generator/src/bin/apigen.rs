//! `apigen`: generate a Rust crate (models, async client, axum server stubs) from any OpenAPI
//! 3.0/3.1 document, JSON or YAML, external references allowed.
//!
//! ```text
//! apigen --spec openapi.yaml --out my-api [--crate-name my_api] [--check]
//! apigen diff OLD NEW [--format text|markdown|json] [--fail-on breaking]   (see generator::diff::cli)
//! ```
//!
//! Exit codes: 0 success, 1 the spec was rejected (diagnostics on stderr) or `--check` found
//! stale files, 2 bad usage.

use std::path::PathBuf;
use std::process::ExitCode;

use generator::{Job, Mode};

/// Generation allocates and frees millions of small syn nodes; mimalloc is faster at that than
/// the system allocator (see `cargo xtask bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: apigen --spec FILE --out DIR [--crate-name NAME] [--check]";

fn main() -> ExitCode {
    // `apigen diff ...`: reviewing a spec change (its own arguments, see `generator::diff::cli`).
    let all: Vec<String> = std::env::args().skip(1).collect();
    if all.first().map(String::as_str) == Some("diff") {
        return generator::diff::cli::main(&all[1..]);
    }
    let mut spec: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut name: Option<String> = None;
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--spec" => spec = args.next().map(PathBuf::from),
            "--out" => out = args.next().map(PathBuf::from),
            "--crate-name" => name = args.next(),
            "--check" => check = true,
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
    match generator::run(&jobs, mode) {
        Ok(reports) => {
            let mut stale = false;
            for (name, r) in reports {
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
