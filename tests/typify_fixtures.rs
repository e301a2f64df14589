//! typify's JSON Schema fixtures through `apigen_codegen::schema_crate`: a representative set
//! (`tests/fixtures/typify/`) becomes checked-in crates (`tests/typify-crates/<name>/`, workspace
//! members, compiled by `cargo test --workspace` and as dev-dependencies of this crate with
//! `schemars`); the fixtures the generator cannot convert (`tests/fixtures/typify-rejected/`)
//! must fail with a clean diagnostic, snapshotted here, never a panic.

use std::path::{Path, PathBuf};

use serde_json::json;
use spec_tests::{in_repo, repo_root};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(Result::ok)
        .map(|e| Path::new(dir).join(e.file_name()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_has_its_checked_in_crate() {
    let jobs = in_repo(|| apigen_codegen::schema_crate::fixture_jobs(Path::new("")));
    assert_eq!(jobs.len(), fixtures("tests/fixtures/typify").len(), "one crate per fixture");
    assert!(jobs.len() >= 5, "the representative set has shrunk to {}", jobs.len());
    let manifest = std::fs::read_to_string(repo_root().join("tests/Cargo.toml")).expect("tests/Cargo.toml");
    let workspace = std::fs::read_to_string(repo_root().join("Cargo.toml")).expect("Cargo.toml");
    assert!(workspace.contains("\"tests/typify-crates/*\""), "the typify crates must be workspace members");
    for job in jobs {
        let out = in_repo(|| apigen_codegen::schema_crate::generate(&job.spec, &job.name)).unwrap_or_else(|e| panic!("{e}"));
        let files: Vec<String> = out.files.keys().map(|p| p.display().to_string()).collect();
        assert_eq!(files, ["Cargo.toml", "src/lib.rs", "src/models.rs", "src/schemas.json"], "{}", job.name);
        for (path, text) in &out.files {
            let on_disk = std::fs::read_to_string(repo_root().join(&job.out).join(path)).unwrap_or_default();
            assert!(&on_disk == text, "{}/{} is stale: run `cargo xtask gen` and commit the result", job.out.display(), path.display());
        }
        assert!(
            manifest.contains(&format!("{} = {{ path = ", job.name)),
            "{}: add it to the dev-dependencies of tests/Cargo.toml",
            job.name
        );
    }
}

#[test]
fn rejected_fixtures_fail_with_a_clean_diagnostic() {
    let rejected = fixtures("tests/fixtures/typify-rejected");
    assert!(!rejected.is_empty());
    for file in rejected {
        let name = file.file_stem().expect("a file name").to_string_lossy().into_owned();
        // `generate` returns diagnostics; a panic inside typify would fail this test instead.
        let diags = in_repo(|| apigen_codegen::schema_crate::generate(&file, &format!("typify-{name}")))
            .err()
            .unwrap_or_else(|| panic!("{name} is converted now: move it to tests/fixtures/typify/"));
        let text = diags.to_string();
        assert!(text.contains(&file.display().to_string()) && text.contains("help:"), "{text}");
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true, description => format!("{}", file.display()) }, {
            insta::assert_snapshot!(format!("typify_rejected_{name}"), text);
        });
    }
}

#[test]
fn a_fixture_crate_round_trips_and_describes_itself() {
    use typify_simple_types::models::UintMinimumAndMaximum;
    let value = json!({ "max": 5, "min": 0, "min_and_max": 3, "min_non_zero": 1, "min_uint_non_zero": 2, "no_bounds": 7 });
    let parsed: UintMinimumAndMaximum = serde_json::from_value(value.clone()).expect("deserializes");
    assert_eq!(serde_json::to_value(&parsed).expect("serializes"), value);
    let schema = serde_json::to_value(schemars::schema_for!(UintMinimumAndMaximum)).expect("JSON");
    let mut required: Vec<&str> = schema["required"].as_array().expect("required").iter().filter_map(|v| v.as_str()).collect();
    required.sort_unstable();
    assert_eq!(required, ["max", "min", "min_and_max", "min_non_zero", "min_uint_non_zero", "no_bounds"]);
    // References between definitions (`#/definitions/...`) were rewritten and resolved.
    let map: typify_maps::models::MapWithKeys = serde_json::from_value(json!({ "a": "b" })).expect("a map");
    assert_eq!(map.0.len(), 1);
}
