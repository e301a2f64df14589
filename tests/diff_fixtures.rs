//! The table test of `apigen_codegen::diff`: every `tests/fixtures/diff/<case>/{old,new}.yaml` pair
//! against its `expected.json` (each change's kind, JSON pointer, verdict for clients and
//! servers, and the semver level of the Rust items it changes; plus the level of the whole
//! generated Rust API difference). `cargo xtask diff-verify` runs cargo-semver-checks and Optic
//! over the same pairs.

use std::path::Path;

use apigen_codegen::diff::{compare, Input};
use serde_json::{json, Value};
use spec_tests::repo_root;

fn cases() -> Vec<std::path::PathBuf> {
    let dir = repo_root().join("tests/fixtures/diff");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/diff")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    cases.sort();
    cases
}

/// The report of one case in the shape of `expected.json`.
fn actual(case: &Path) -> Value {
    let old = case.join("old.yaml");
    let new = case.join("new.yaml");
    let report = compare(&Input { root: &old, label: "old".into() }, &Input { root: &new, label: "new".into() }, "fixture")
        .unwrap_or_else(|e| panic!("{}: {e}", case.display()));
    assert!(report.rust_unavailable.is_none(), "{}: {:?}", case.display(), report.rust_unavailable);
    let mut changes: Vec<Value> = report
        .changes
        .iter()
        .map(|c| {
            json!({
                "kind": c.spec.kind.id(),
                "pointer": c.spec.pointer,
                "clients": c.spec.clients,
                "servers": c.spec.servers,
                "rust": c.rust_level.as_str(),
            })
        })
        .collect();
    changes.sort_by_key(|c| c.to_string());
    json!({ "rust": report.rust_level.map(|l| l.as_str()), "changes": changes })
}

#[test]
fn at_least_forty_cases() {
    assert!(cases().len() >= 40, "the table has {} cases", cases().len());
}

#[test]
fn every_case_is_classified_as_expected() {
    let mut failures = Vec::new();
    for case in cases() {
        let mut expected: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).expect("expected.json")).expect("JSON");
        // A note explains an expectation to the reader; it is not compared.
        if let Some(map) = expected.as_object_mut() {
            map.remove("note");
        }
        if let Some(list) = expected.get_mut("changes").and_then(Value::as_array_mut) {
            list.sort_by_key(|c| c.to_string());
        }
        let got = actual(&case);
        if got != expected {
            failures.push(format!(
                "{}:\n  expected {}\n  got      {}",
                case.file_name().unwrap_or_default().to_string_lossy(),
                serde_json::to_string(&expected).unwrap_or_default(),
                serde_json::to_string(&got).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{} case(s) differ:\n{}", failures.len(), failures.join("\n"));
}
