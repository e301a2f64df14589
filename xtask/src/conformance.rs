//! `cargo xtask conformance`: runs the generator over every OpenAPI document of the public
//! corpus (`../shared/corpus`), compiles each crate it generates (`cargo check`, every feature),
//! and writes the table of results into README.md between the conformance markers.
//!
//! The corpus includes `realworld/` (vendor documents as published, roots listed in its
//! `ROOTS`). Every document either gives a crate that compiles (repairs and degraded schemas
//! counted as warnings), or is rejected with a diagnostic that names the problem and its JSON
//! pointer; a panic would be a bug.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use apigen_codegen::Mode;

const START: &str = "<!-- conformance:start -->";
const END: &str = "<!-- conformance:end -->";

/// One corpus document's result.
struct Row {
    name: String,
    source: String,
    operations: usize,
    schemas: usize,
    outcome: String,
    warnings: Option<usize>,
    lines: usize,
    gen_time: Duration,
}

/// The documents, as (short name, path), sorted.
fn documents(corpus: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut add_dir = |dir: PathBuf, prefix: &str, skip_yaml_twins: bool| {
        let Ok(entries) = std::fs::read_dir(&dir) else { return };
        let mut files: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for f in &files {
            let ext = f.extension().and_then(|e| e.to_str()).unwrap_or_default();
            if !matches!(ext, "json" | "yaml" | "yml") {
                continue;
            }
            if skip_yaml_twins && ext != "json" && f.with_extension("json").exists() {
                continue;
            }
            let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            out.push((format!("{prefix}{stem}"), f.clone()));
        }
    };
    let oas = corpus.join("OpenAPI-Specification");
    add_dir(oas.join("examples/v3.0"), "oas-3.0/", true);
    add_dir(oas.join("examples/v3.1"), "oas-3.1/", true);
    add_dir(oas.join("tests/schema/pass"), "oas-3.1-pass/", false);
    add_dir(oas.join("tests/schema/fail"), "oas-3.1-fail/", false);
    add_dir(corpus.join("progenitor/sample_openapi"), "progenitor/", true);
    out.push(("stripe/spec3".into(), corpus.join("stripe-openapi/openapi/spec3.json")));
    out.push(("openapi-directory/xkcd".into(), corpus.join("openapi-directory/APIs/xkcd.com/1.0.0/openapi.yaml")));
    // Real vendor documents, as published (see realworld/SOURCES.md): one root per line.
    let roots = std::fs::read_to_string(corpus.join("realworld/ROOTS")).unwrap_or_default();
    for root in roots.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let name = root.split('/').next().unwrap_or(root);
        out.push((format!("realworld/{name}"), corpus.join("realworld").join(root)));
    }
    out.retain(|(_, p)| p.is_file());
    out
}

fn count_lines(dir: &Path) -> usize {
    ["src/models.rs", "src/client.rs", "src/server.rs", "src/validation.rs", "src/lib.rs"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .map(|t| t.lines().count())
        .sum()
}

/// `cargo xtask conformance [--no-check] [--filter TEXT]`.
pub fn run(args: &[String]) -> ExitCode {
    let mut check = true;
    let mut filter: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--no-check" => check = false,
            "--filter" => filter = it.next().cloned(),
            other => {
                eprintln!("error: unknown argument `{other}`\nusage: cargo xtask conformance [--no-check] [--filter TEXT]");
                return ExitCode::from(2);
            }
        }
    }
    let corpus = PathBuf::from("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: ../shared/corpus is not here (the public corpus lives next to the repository)");
        return ExitCode::SUCCESS;
    }
    // Outside the repository: a crate below it would be taken for a member of this workspace.
    let work = std::env::temp_dir().join("apigen-conformance");
    let target = PathBuf::from("target/conformance-target");
    let mut rows = Vec::new();
    for (name, path) in documents(&corpus) {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let value: serde_json::Value = if path.extension().is_some_and(|e| e == "json") {
            serde_json::from_str(&text).unwrap_or_default()
        } else {
            serde_json::Value::Null
        };
        let crate_name = format!("conf-{}", apigen_codegen::naming::words(&name).join("-"));
        let out = work.join(&crate_name);
        let _ = std::fs::remove_dir_all(&out);
        let started = Instant::now();
        let job = apigen_codegen::Job { name: crate_name.clone(), spec: path.clone(), out: out.clone() };
        let result =
            std::panic::catch_unwind(|| apigen_codegen::run_reporting(std::slice::from_ref(&job), Mode::Write, &Default::default()));
        let gen_time = started.elapsed();
        let warnings = match &result {
            Ok(Ok(report)) => Some(report.warnings.iter().map(|(_, _, w)| w.len()).sum()),
            _ => None,
        };
        let (operations, schemas) = counts(&out, &value);
        let outcome = match result {
            Err(_) => "PANIC (a generator bug)".to_string(),
            Ok(Err(e)) => {
                let first = e.to_string().lines().find(|l| l.starts_with("error:")).unwrap_or("rejected").to_string();
                let at = e.to_string().lines().find(|l| l.contains("at JSON pointer")).map(|l| l.trim().to_string()).unwrap_or_default();
                format!("rejected: {} ({})", first.trim_start_matches("error: "), at.trim_start_matches("= at JSON pointer: "))
            }
            Ok(Ok(_)) if !check => "generated".to_string(),
            Ok(Ok(_)) => cargo_check(&out, &target),
        };
        let warned = warnings.map_or(String::new(), |w| format!(", {w} warning(s)"));
        println!("{name}: {outcome} ({:.0} ms{warned})", gen_time.as_secs_f64() * 1000.0);
        rows.push(Row {
            warnings,
            lines: count_lines(&out),
            name,
            source: path.strip_prefix(&corpus).unwrap_or(&path).display().to_string(),
            operations,
            schemas,
            outcome,
            gen_time,
        });
    }
    if check {
        // A filtered run replaces its documents' rows and keeps the others.
        let written = if filter.is_none() { write_table(&rows) } else { update_rows(&rows) };
        if let Err(e) = written {
            eprintln!("error: cannot update README.md: {e}");
            return ExitCode::FAILURE;
        }
        println!("README.md: conformance table updated ({} documents)", rows.len());
    }
    if rows.iter().any(|r| r.outcome.starts_with("PANIC")) {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Operations (from the bundled document) and schemas of a generated crate.
fn counts(out: &Path, fallback: &serde_json::Value) -> (usize, usize) {
    let doc: serde_json::Value = std::fs::read_to_string(out.join("openapi.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| fallback.clone());
    let ops = doc.get("paths").and_then(|p| p.as_object()).map_or(0, |p| {
        p.values()
            .filter_map(|i| i.as_object())
            .map(|i| i.keys().filter(|k| apigen_codegen::spec::METHODS.contains(&k.as_str())).count())
            .sum()
    });
    let schemas = doc.pointer("/components/schemas").and_then(|s| s.as_object()).map_or(0, |s| s.len());
    (ops, schemas)
}

/// `cargo check --all-features` of a generated crate, in a shared target directory.
fn cargo_check(dir: &Path, target: &Path) -> String {
    let target = std::env::current_dir().map(|c| c.join(target)).unwrap_or_else(|_| target.to_path_buf());
    let started = Instant::now();
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["check", "--quiet", "--all-features", "--message-format", "short"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .output();
    match output {
        Ok(o) if o.status.success() => format!("compiles ({:.0} s check)", started.elapsed().as_secs_f64()),
        Ok(o) => {
            let stderr = String::from_utf8_lossy(&o.stderr);
            let errors = stderr.lines().filter(|l| l.contains("error")).count();
            let first = stderr.lines().find(|l| l.contains("error")).unwrap_or("").to_string();
            format!("DOES NOT COMPILE: {errors} error lines, first: `{}`", first.replace('|', "\\|"))
        }
        Err(e) => format!("cargo could not run: {e}"),
    }
}

/// One row of the README table.
fn row_line(r: &Row) -> String {
    format!(
        "| {} | `{}` | {} | {} | {} | {} | {:.0} ms | {} |\n",
        r.name,
        r.source,
        r.operations,
        r.schemas,
        r.warnings.map_or("-".to_string(), |w| w.to_string()),
        r.lines,
        r.gen_time.as_secs_f64() * 1000.0,
        r.outcome.replace('|', "\\|")
    )
}

/// Replaces the README rows of `rows`' documents (a `--filter` run), keeping every other row.
fn update_rows(rows: &[Row]) -> std::io::Result<()> {
    let readme = std::fs::read_to_string("README.md")?;
    let (Some(s), Some(e)) = (readme.find(START), readme.find(END)) else {
        return Err(std::io::Error::other("README.md has no conformance table: run without --filter first"));
    };
    let mut table = String::new();
    for line in readme[s..e].split_inclusive('\n') {
        let name = line.strip_prefix("| ").and_then(|l| l.split(" | ").next());
        match rows.iter().find(|r| Some(r.name.as_str()) == name) {
            Some(r) => table.push_str(&row_line(r)),
            None => table.push_str(line),
        }
    }
    std::fs::write("README.md", format!("{}{}{}", &readme[..s], table, &readme[e..]))
}

fn write_table(rows: &[Row]) -> std::io::Result<()> {
    let mut table = String::new();
    table.push_str(START);
    table.push_str("\n\n_Produced by `cargo xtask conformance` (generation, then `cargo check --all-features` of each crate). Generation times are those of the unoptimized xtask build; `cargo xtask bench` measures release speed._\n\n");
    table.push_str(
        "| document | source | operations | schemas | warnings | generated lines | generation | result |\n|---|---|---:|---:|---:|---:|---:|---|\n",
    );
    for r in rows {
        table.push_str(&row_line(r));
    }
    table.push('\n');
    table.push_str(END);
    let readme = std::fs::read_to_string("README.md")?;
    let updated = match (readme.find(START), readme.find(END)) {
        (Some(s), Some(e)) if e > s => format!("{}{}{}", &readme[..s], table, &readme[e + END.len()..]),
        _ => format!("{}\n## Conformance over the public corpus\n\n{table}\n", readme.trim_end()),
    };
    std::fs::write("README.md", updated)
}
