//! Generation speed: `cargo xtask bench` (or `cargo bench -p apigen-codegen --bench generate`).
//!
//! Times the whole pipeline (load, bundle, validate, lower, emit, render; nothing is written)
//! for a small (petstore), a medium (nexus) and two large (GitHub, Stripe) documents from the
//! public corpus, reports schemas/s, operations/s and generated lines, and checks how time grows
//! with size on synthetic specs at 1x, 2x, 4x and 8x copies of nexus. Ratios are computed
//! within the run, so they compare like with like on whatever machine runs it. Documents that
//! are missing (the corpus lives in `../shared/corpus`) are skipped with a note.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use apigen_codegen::{GeneratorSettings, OutputSet};
use serde_json::{Map, Value};

/// The allocator of the shipped binaries (`apigen`, `cargo xtask gen`), so the benchmark times
/// what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// Median of `runs` timed generations of `spec`, and the last output.
fn time(spec: &Path, runs: usize) -> Result<(Duration, OutputSet), String> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out = apigen_codegen::generate(spec, &GeneratorSettings::new("bench")).map_err(|e| e.to_string())?;
        times.push(start.elapsed());
        last = Some(out);
    }
    times.sort();
    Ok((times[times.len() / 2], last.expect("at least one run")))
}

fn counts(spec_doc: &Value) -> (usize, usize) {
    let ops = spec_doc["paths"].as_object().map_or(0, |p| {
        p.values()
            .filter_map(Value::as_object)
            .map(|i| i.keys().filter(|k| apigen_codegen::spec::METHODS.contains(&k.as_str())).count())
            .sum()
    });
    let schemas = spec_doc.pointer("/components/schemas").and_then(Value::as_object).map_or(0, Map::len);
    (ops, schemas)
}

fn lines(out: &OutputSet) -> usize {
    out.files.iter().filter(|(p, _)| p.extension().is_some_and(|e| e == "rs")).map(|(_, t)| t.lines().count()).sum()
}

/// `k` copies of a document: every path, operationId and component schema renamed per copy.
fn replicate(doc: &Value, k: usize) -> Value {
    let mut out = doc.clone();
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for i in 0..k {
        // Copy 0 keeps the original schema names, which shared components (responses,
        // parameters) refer to.
        let suffix = if i == 0 { String::new() } else { format!("C{i}") };
        let prefix = format!("C{i}");
        let rename_refs = |v: &Value| -> Value {
            let text = v.to_string();
            let text = text.replace("#/components/schemas/", "#/components/schemas/@@");
            let mut out = String::with_capacity(text.len());
            let mut rest = text.as_str();
            while let Some(pos) = rest.find("@@") {
                out.push_str(&rest[..pos]);
                let after = &rest[pos + 2..];
                let end = after.find('"').unwrap_or(after.len());
                out.push_str(&after[..end]);
                out.push_str(&suffix);
                rest = &after[end..];
            }
            out.push_str(rest);
            serde_json::from_str(&out).expect("valid JSON after renaming")
        };
        for (p, item) in doc["paths"].as_object().into_iter().flatten() {
            let mut item = rename_refs(item);
            for (_, op) in item.as_object_mut().into_iter().flatten() {
                if let Some(id) = op.get("operationId").and_then(Value::as_str).map(String::from) {
                    op["operationId"] = Value::String(format!("{id}_{prefix}"));
                }
            }
            paths.insert(format!("/{prefix}{p}"), item);
        }
        for (name, s) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
            schemas.insert(format!("{name}{suffix}"), rename_refs(s));
        }
    }
    out["paths"] = Value::Object(paths);
    out["components"]["schemas"] = Value::Object(schemas);
    out
}

fn main() {
    let corpus = corpus();
    let docs = [
        ("small: petstore", corpus.join("OpenAPI-Specification/examples/v3.0/petstore.json"), 10),
        ("medium: nexus", corpus.join("progenitor/sample_openapi/nexus.json"), 5),
        ("large: GitHub", corpus.join("progenitor/sample_openapi/api.github.com.json"), 3),
        ("large: Stripe", corpus.join("stripe-openapi/openapi/spec3.json"), 3),
    ];
    println!("{:<16} {:>6} {:>8} {:>10} {:>12} {:>11} {:>10}", "document", "ops", "schemas", "time", "ops/s", "schemas/s", "lines");
    for (label, path, runs) in &docs {
        if !path.is_file() {
            println!("{label:<16} skipped: {} not found", path.display());
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("readable")).expect("JSON");
        let (ops, schemas) = counts(&doc);
        match time(path, *runs) {
            Ok((t, out)) => {
                let secs = t.as_secs_f64();
                println!(
                    "{label:<16} {ops:>6} {schemas:>8} {:>8.0}ms {:>12.0} {:>11.0} {:>10}",
                    secs * 1000.0,
                    ops as f64 / secs,
                    schemas as f64 / secs,
                    lines(&out)
                );
            }
            Err(e) => println!("{label:<16} rejected: {}", e.lines().next().unwrap_or_default()),
        }
    }
    if let Some((_, gh, _)) = docs.iter().find(|d| d.0.contains("GitHub")) {
        if gh.is_file() {
            if let Ok((t, _)) = time(gh, 3) {
                let ok = t < Duration::from_secs(1);
                println!(
                    "target: GitHub (767 operations) in under 1 s: {:.3} s {}",
                    t.as_secs_f64(),
                    if ok { "OK" } else { "ABOVE TARGET" }
                );
            }
        }
    }

    // Scaling: near-linear growth means time(k)/k stays close to time(1).
    let nexus = corpus.join("progenitor/sample_openapi/nexus.json");
    if !nexus.is_file() {
        println!("scaling skipped: {} not found", nexus.display());
        return;
    }
    let base: Value = serde_json::from_str(&std::fs::read_to_string(&nexus).expect("readable")).expect("JSON");
    let dir = std::env::temp_dir().join(format!("generator-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!("\nscaling (synthetic copies of nexus):");
    println!("{:>5} {:>6} {:>10} {:>12} {:>16}", "size", "ops", "time", "time/size", "vs 1x per unit");
    let mut unit = None;
    for k in [1usize, 2, 4, 8] {
        let doc = replicate(&base, k);
        let (ops, _) = counts(&doc);
        let path = dir.join(format!("nexus-x{k}.json"));
        std::fs::write(&path, doc.to_string()).expect("write synthetic spec");
        match time(&path, 3) {
            Ok((t, _)) => {
                let per = t.as_secs_f64() / k as f64;
                let first = *unit.get_or_insert(per);
                println!("{:>4}x {ops:>6} {:>8.0}ms {:>10.1}ms {:>15.2}x", k, t.as_secs_f64() * 1000.0, per * 1000.0, per / first);
            }
            Err(e) => println!("{k:>4}x rejected: {}", e.lines().next().unwrap_or_default()),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
