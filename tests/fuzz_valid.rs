//! Random **valid** OpenAPI documents (the `docgen` crate) through the generator: nothing valid
//! fails. Every document generates, with warnings allowed but no error, no panic and no internal
//! error; every warning is located and says what to do. The documents use every construct
//! `docgen` knows, the known compile-time failures of later work included (generation must not
//! fail on them either); whether the crates *compile* is checked on a sample by
//! `cargo xtask fuzz-check` (too slow here) and, in CI, on the checked-in sample
//! `tests/fixtures/fuzz-sample` (compiled as `tests/crates/fuzz-sample`).
//!
//! Case counts are bounded so the suite stays fast, and the documents are the same on every run;
//! `PROPTEST_CASES=2000 FUZZ_VALID_SEED=random cargo test -p spec-tests --test fuzz_valid` runs
//! longer over new documents. A failure names its seed: reproduce it with
//! `cargo xtask fuzz-check --everything --from SEED --seeds 1` (the document is kept).

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use apigen_codegen::{GeneratorSettings, Timings};
use docgen::{Options, Version};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError};
use serde_json::{json, Value};

/// Cases per property: the given default, or `PROPTEST_CASES` when set. The documents are the
/// same on every run (a fixed proptest seed), so CI is deterministic; `FUZZ_VALID_SEED=random`
/// (or a number) explores others, as `cargo xtask fuzz-check --from N` does.
fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default);
    let rng_seed = match std::env::var("FUZZ_VALID_SEED").ok().as_deref() {
        Some("random") => RngSeed::Random,
        Some(n) => RngSeed::Fixed(n.parse().unwrap_or(13)),
        None => RngSeed::Fixed(13),
    };
    // Shrinking a seed only tries other documents: a few steps at most.
    Config { cases, failure_persistence: None, max_shrink_iters: 8, rng_seed, ..Config::default() }
}

/// A scratch folder per call.
fn scratch() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("apigen-fuzz-valid-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

/// Generates the document of `seed`: `Ok` when it generated without any diagnostic that is not
/// an ordinary warning.
fn generates(seed: u64, options: Options) -> Result<(), TestCaseError> {
    let doc = docgen::document(seed, &options);
    let dir = scratch();
    let spec = dir.join("openapi.json");
    std::fs::write(&spec, apigen_codegen::render_json(&doc)).expect("write document");
    // typify and syn recurse deeply: generation runs on a big stack, as `apigen_codegen::run` does.
    let run = std::thread::Builder::new().stack_size(256 * 1024 * 1024).spawn({
        let spec = spec.clone();
        move || {
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                apigen_codegen::generate_with_warnings(&spec, &GeneratorSettings::new("fuzzed"), &mut Timings::default())
            }))
        }
    });
    let outcome = run.expect("spawn").join().expect("generation thread");
    let reproduce = format!(
        "seed {seed} ({:?}); document: {}; reproduce: cargo xtask fuzz-check{} --from {seed} --seeds 1",
        options.version,
        spec.display(),
        if options.complex_params { " --everything" } else { "" }
    );
    let result = match outcome {
        Err(panic) => {
            let msg = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            Err(TestCaseError::fail(format!("the generator panicked: {msg:?}\n{reproduce}")))
        }
        Ok(Err(diags)) => Err(TestCaseError::fail(format!("a valid document was rejected:\n{diags}\n{reproduce}"))),
        Ok(Ok(generated)) => {
            for w in &generated.warnings.0 {
                prop_assert!(w.is_warning(), "not a warning: {w}\n{reproduce}");
                prop_assert!(!is_internal(w), "an internal error: {w}\n{reproduce}");
                prop_assert!(w.help.is_some(), "a warning without help: {w}\n{reproduce}");
                prop_assert!(w.location.is_some(), "a warning without line and column: {w}\n{reproduce}");
                prop_assert!(w.class.is_some(), "a warning without a class: {w}\n{reproduce}");
            }
            for file in ["src/models.rs", "src/client.rs", "src/server.rs", "src/lib.rs", "Cargo.toml", "openapi.json"] {
                prop_assert!(generated.output.files.contains_key(std::path::Path::new(file)), "{file} missing\n{reproduce}");
            }
            Ok(())
        }
    };
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

/// A diagnostic that reports a bug of the generator rather than something about the document.
fn is_internal(d: &apigen_codegen::Diagnostic) -> bool {
    d.message.contains("internal error")
        || d.message.contains("internal generator error")
        || d.help.as_deref().is_some_and(|h| h.contains("bug in the generator"))
}

proptest! {
    #![proptest_config(config(120))]

    /// OpenAPI 3.1 documents with every construct, known compile-time failures included.
    #[test]
    fn valid_3_1_documents_generate(seed in any::<u64>()) {
        generates(seed, Options { version: Some(Version::V31), ..Options::everything() })?;
    }

    /// OpenAPI 3.0 documents with every construct, known compile-time failures included.
    #[test]
    fn valid_3_0_documents_generate(seed in any::<u64>()) {
        generates(seed, Options { version: Some(Version::V30), ..Options::everything() })?;
    }
}

/// Seeds found with random seeds (`cargo xtask fuzz-check --everything --from 7492000 --seeds
/// 600`) whose field table disagreed with the code typify wrote (a property merged from an
/// `allOf` member's `additionalProperties`, names that sanitize alike, components whose names
/// typify's Pascal case makes equal: `DATA`, `d_a_t_a`): they were rejected with "typify wrote
/// the field ... where the field table has ...". Each must generate.
#[test]
fn field_table_regression_seeds_generate() {
    for seed in [7_492_072, 7_492_280, 7_492_452, 7_492_598] {
        if let Err(e) = generates(seed, Options::everything()) {
            panic!("{e}");
        }
    }
}

/// Documents with many components and operations (the seeds above are mostly small ones).
#[test]
fn large_merged_documents_generate() {
    for version in [Version::V30, Version::V31] {
        let seeds: Vec<u64> = (100..112).collect();
        let doc = docgen::merged(&seeds, &Options { version: Some(version), ..Options::everything() });
        let dir = scratch();
        let spec = dir.join("openapi.json");
        std::fs::write(&spec, apigen_codegen::render_json(&doc)).expect("write");
        let jobs = [apigen_codegen::Job { name: "merged".into(), spec: spec.clone(), out: dir.join("out") }];
        let report = apigen_codegen::run_reporting(&jobs, apigen_codegen::Mode::Check, &Default::default())
            .unwrap_or_else(|e| panic!("{version:?}: a valid document was rejected:\n{e}\ndocument: {}", spec.display()));
        for (_, _, warnings) in &report.warnings {
            assert!(warnings.0.iter().all(|w| w.is_warning() && !is_internal(w)), "{warnings}");
        }
    }
}

/// The checked-in sample that CI compiles is what `docgen` gives for its seeds today.
#[test]
fn the_compiled_sample_is_fresh() {
    let path = spec_tests::repo_root().join("tests/fixtures/fuzz-sample/openapi.json");
    let checked_in: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("JSON");
    let fresh = docgen::merged(&docgen::SAMPLE_SEEDS, &Options::default());
    assert!(
        checked_in == fresh,
        "tests/fixtures/fuzz-sample/openapi.json is not docgen's sample: run `cargo xtask fuzz-check --write-fixture`, then `cargo xtask gen`"
    );
}

/// `docgen`'s documents are valid: by the OpenAPI meta-schemas (when the corpus is here), and
/// every `default` and example is a value of its schema (checked with a JSON Schema validator,
/// not with the generator's own code).
#[test]
fn documents_are_valid() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let meta = meta_schemas();
    for seed in 0..150u64 {
        for version in [Version::V30, Version::V31] {
            let doc = docgen::document(seed, &Options { version: Some(version), ..Options::everything() });
            if let Some(validator) = meta.get(&version) {
                let errors: Vec<String> = validator.iter_errors(&doc).take(3).map(|e| format!("{e} at {}", e.instance_path())).collect();
                if !errors.is_empty() {
                    failures.push(format!("seed {seed} {version:?}: not a valid document: {}", errors.join("; ")));
                }
            }
            check_values(&doc, seed, version, &mut checked, &mut failures);
        }
    }
    assert!(failures.is_empty(), "docgen made invalid documents:\n{}", failures.join("\n"));
    assert!(checked >= 200, "expected many defaults and examples to be checked, found {checked}");
}

/// The validators of the OpenAPI 3.0 and 3.1 meta-schemas, when the corpus is next to the
/// repository (it is read, not copied: see ../shared/corpus/SOURCES.md).
fn meta_schemas() -> std::collections::HashMap<Version, jsonschema::Validator> {
    let mut out = std::collections::HashMap::new();
    let base = spec_tests::repo_root().join("../shared/corpus/OpenAPI-Specification");
    for (version, file) in [(Version::V30, "_archive_/schemas/v3.0/schema.yaml"), (Version::V31, "src/schemas/validation/schema.yaml")] {
        let path = base.join(file);
        let mut sources = apigen_codegen::spec::load::Sources::default();
        let Ok(source) = sources.load(&path) else {
            eprintln!("skipped: the OpenAPI meta-schema {} is not here", path.display());
            continue;
        };
        let schema = source.value.clone();
        match jsonschema::options().build(&schema) {
            Ok(v) => {
                out.insert(version, v);
            }
            Err(e) => panic!("the meta-schema {} does not compile: {e}", path.display()),
        }
    }
    out
}

/// Checks every `default`, `example` and `examples` value of `doc` against its schema.
fn check_values(doc: &Value, seed: u64, version: Version, checked: &mut usize, failures: &mut Vec<String>) {
    // The 3.0 dialect (`nullable`, boolean `exclusiveMinimum`) in JSON Schema form, as the
    // generator reads it; the meaning is unchanged.
    let mut plain = doc.clone();
    apigen_codegen::spec::normalize::json_schema_forms(&mut plain);
    let components = plain.get("components").cloned().unwrap_or(json!({}));
    let mut schemas = Vec::new();
    apigen_codegen::spec::normalize::collect_schema_pointers(&plain, "", &mut schemas);
    for pointer in schemas {
        let Some(schema) = plain.pointer(&pointer) else { continue };
        let mut values: Vec<(&str, &Value)> = Vec::new();
        if let Some(d) = schema.get("default") {
            values.push(("default", d));
        }
        if let Some(e) = schema.get("example") {
            values.push(("example", e));
        }
        if let Some(Value::Array(list)) = schema.get("examples") {
            values.extend(list.iter().map(|e| ("examples", e)));
        }
        if values.is_empty() {
            continue;
        }
        let root = json!({ "allOf": [schema], "components": components });
        let validator = match jsonschema::options().with_draft(jsonschema::Draft::Draft202012).should_validate_formats(true).build(&root) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("seed {seed} {version:?} {pointer}: the schema does not compile: {e}"));
                continue;
            }
        };
        for (kind, value) in values {
            *checked += 1;
            let errors: Vec<String> = validator.iter_errors(value).take(2).map(|e| format!("{e} at {}", e.instance_path())).collect();
            if !errors.is_empty() {
                failures.push(format!("seed {seed} {version:?} {pointer}: {kind} {value} does not match: {}", errors.join("; ")));
            }
        }
    }
}
