//! `cargo xtask schema-suite`: how far a generated server's request validation agrees with
//! JSON Schema. Every schema of the vendored JSON Schema Test Suite (draft 2020-12, validation
//! and applicator keywords, `tests/json-schema-suite/`) becomes the request body of one
//! operation of one OpenAPI 3.1 document (`docgen::schema_suite`); one crate is generated from
//! it, its mock server is built and started, and every test's data is sent as the body of its
//! operation. A 204 is "valid", a 400 "invalid"; the agreement with the suite's verdicts is
//! printed (n/total, %), per keyword file, with the list of differences. A rejection made by
//! typed deserialization after the validator accepted (rule `schema`) is marked, since that is
//! the risk the one-validator design must rule out.
//!
//! xtask has no HTTP client or async runtime: the requests are HTTP/1.1 written by hand on
//! `std::net::TcpStream`, one connection each.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use apigen_codegen::{Job, Mode, RunOptions};

const USAGE: &str = "usage: cargo xtask schema-suite [--subset] [--min PERCENT] [--write-fixture]
  --subset          only the CI subset (the first two schemas of every keyword file)
  --min PERCENT     fail when the agreement is below PERCENT
  --write-fixture   rewrite tests/fixtures/schema-suite/openapi.json (the CI subset's document) and
                    tests/fixtures/request-bodies/openapi.json (the differential test's document)";

/// Where the suite files are, relative to the repository root.
pub const SUITE_DIR: &str = "tests/json-schema-suite/draft2020-12";

/// The verdict of the server on one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accepted,
    /// Rejected by the validator.
    Rejected,
    /// Rejected by typed deserialization after the validator accepted.
    RejectedByTypes,
    /// Any other answer (status), counted as a difference.
    Other(u16),
}

pub fn run(args: &[String]) -> ExitCode {
    let (mut subset, mut min, mut write_fixture) = (false, None::<f64>, false);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--subset" => subset = true,
            "--write-fixture" => write_fixture = true,
            "--min" => match it.next().and_then(|v| v.parse().ok()) {
                Some(v) => min = Some(v),
                None => {
                    eprintln!("error: --min needs a number\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("error: unknown argument `{other}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let groups = match docgen::schema_suite::load(Path::new(SUITE_DIR)) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if write_fixture {
        let path = Path::new("tests/fixtures/schema-suite/openapi.json");
        let doc = docgen::schema_suite::document(&docgen::schema_suite::subset(&groups));
        if let Err(e) =
            std::fs::create_dir_all("tests/fixtures/schema-suite").and_then(|()| std::fs::write(path, apigen_codegen::render_json(&doc)))
        {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        let bodies = Path::new("tests/fixtures/request-bodies/openapi.json");
        let doc = docgen::values::bodies_document(&docgen::merged(&docgen::values::BODY_SEEDS, &docgen::Options::default()));
        if let Err(e) = std::fs::create_dir_all("tests/fixtures/request-bodies")
            .and_then(|()| std::fs::write(bodies, apigen_codegen::render_json(&doc)))
        {
            eprintln!("error: cannot write {}: {e}", bodies.display());
            return ExitCode::FAILURE;
        }
        println!(
            "wrote {} and {}: run `cargo xtask gen` to regenerate tests/crates/schema-suite and tests/crates/request-bodies",
            path.display(),
            bodies.display()
        );
        return ExitCode::SUCCESS;
    }
    let groups = if subset { docgen::schema_suite::subset(&groups) } else { groups };
    match measure(&groups) {
        Ok(pct) => match min {
            Some(m) if pct < m => {
                eprintln!("error: agreement {pct:.1}% is below --min {m}%");
                ExitCode::FAILURE
            }
            _ => ExitCode::SUCCESS,
        },
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Generates, builds and starts the server of `groups`, sends every test and prints the
/// agreement; returns it in percent.
fn measure(groups: &[docgen::schema_suite::Group]) -> Result<f64, String> {
    let root = std::env::current_dir().map_err(|e| e.to_string())?;
    let work = root.join("target/schema-suite");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let spec = work.join("openapi.json");
    let doc = docgen::schema_suite::document(groups);
    std::fs::write(&spec, apigen_codegen::render_json(&doc)).map_err(|e| format!("cannot write {}: {e}", spec.display()))?;

    let started = Instant::now();
    let out = work.join("schema-suite");
    let job = Job { name: "schema-suite".into(), spec, out: out.clone() };
    let report =
        apigen_codegen::run_reporting(std::slice::from_ref(&job), Mode::Write, &RunOptions::default()).map_err(|e| e.to_string())?;
    let warnings: usize = report.warnings.iter().map(|(_, _, w)| w.0.len()).sum();
    println!("generated {} operations in {:.1} s ({warnings} warnings)", groups.len(), started.elapsed().as_secs_f64());
    if let Ok(lock) = std::fs::read(root.join("Cargo.lock")) {
        let _ = std::fs::write(out.join("Cargo.lock"), lock);
    }
    // A standalone crate inside the repository's directory tree: it needs its own workspace.
    let manifest = out.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
    std::fs::write(&manifest, format!("{text}\n[workspace]\n")).map_err(|e| e.to_string())?;

    let started = Instant::now();
    let target = root.join("target/conformance-target");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--quiet", "--features", "mock", "--bin", "schema-suite-mock"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the generated crate does not build ({})", out.display()));
    }
    println!("built in {:.1} s", started.elapsed().as_secs_f64());

    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let mut child = Command::new(target.join("debug/schema-suite-mock"))
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the mock server: {e}"))?;
    let result = exchange(groups, port);
    let _ = child.kill();
    let _ = child.wait();
    let verdicts = result?;
    Ok(print(groups, &verdicts))
}

/// Sends every test; the verdicts in the order of the groups and their tests.
fn exchange(groups: &[docgen::schema_suite::Group], port: u16) -> Result<Vec<Verdict>, String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("the mock server did not start within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut verdicts = Vec::new();
    for g in groups {
        for case in &g.tests {
            verdicts.push(send(port, &g.path(), &serde_json::to_string(&case.data).unwrap_or_default())?);
        }
    }
    Ok(verdicts)
}

/// One request: the server's verdict on `body`.
fn send(port: u16, path: &str, body: &str) -> Result<Verdict, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    let answer = String::from_utf8_lossy(&answer);
    let status: u16 = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("no HTTP answer: {answer}"))?;
    Ok(match status {
        200..=299 => Verdict::Accepted,
        400 if answer.contains("(schema)") => Verdict::RejectedByTypes,
        400 => Verdict::Rejected,
        other => Verdict::Other(other),
    })
}

/// Prints the agreement, the table per keyword file and the differences; returns the
/// agreement in percent.
fn print(groups: &[docgen::schema_suite::Group], verdicts: &[Verdict]) -> f64 {
    let mut per_file: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut differences = Vec::new();
    let mut by_types = 0;
    let mut i = 0;
    for g in groups {
        for case in &g.tests {
            let verdict = verdicts[i];
            i += 1;
            let agrees = matches!((verdict, case.valid), (Verdict::Accepted, true) | (Verdict::Rejected | Verdict::RejectedByTypes, false));
            let entry = per_file.entry(&g.file).or_default();
            entry.1 += 1;
            if agrees {
                entry.0 += 1;
            } else {
                if verdict == Verdict::RejectedByTypes {
                    by_types += 1;
                }
                differences.push(format!(
                    "  {}: {} / {}: expected {}, got {verdict:?}; data {}",
                    g.path(),
                    g.description,
                    case.description,
                    if case.valid { "valid" } else { "invalid" },
                    case.data
                ));
            }
        }
    }
    let (agree, total) = per_file.values().fold((0, 0), |(a, t), (x, y)| (a + x, t + y));
    let pct = if total == 0 { 0.0 } else { 100.0 * agree as f64 / total as f64 };
    println!("\n{:<24} {:>7} {:>7}", "keyword file", "agree", "tests");
    for (file, (a, t)) in &per_file {
        println!("{file:<24} {a:>7} {t:>7}");
    }
    println!("\nagreement: {agree}/{total} ({pct:.1}%) on {} schemas", groups.len());
    println!("rejected by typed deserialization after the validator accepted: {by_types}");
    if !differences.is_empty() {
        println!("\ndifferences:");
        differences.iter().for_each(|d| println!("{d}"));
    }
    pct
}
