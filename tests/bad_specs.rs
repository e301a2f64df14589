//! Bad specs are rejected with every problem named by file, line, column and JSON pointer,
//! and a failed run leaves the output directory untouched.
//!
//! Each folder under `tests/bad-specs/` holds one broken spec (`openapi.json` or `openapi.yaml`
//! plus whatever it references); its diagnostics are kept as an insta snapshot.

use std::path::{Path, PathBuf};

use apigen_codegen::{GeneratorSettings, Job, Mode, RunError};
use spec_tests::in_repo;

/// `(case name, root document relative to the repository)` of every bad spec, sorted.
fn cases() -> Vec<(String, PathBuf)> {
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(spec_tests::repo_root().join("tests/bad-specs"))
        .expect("tests/bad-specs exists")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let root = ["openapi.json", "openapi.yaml"].into_iter().find(|f| e.path().join(f).is_file())?;
            Some((name.clone(), Path::new("tests/bad-specs").join(name).join(root)))
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn bad_specs_are_rejected_with_located_diagnostics() {
    let cases = cases();
    assert!(cases.len() >= 25, "expected the bad-spec fixtures, found {}", cases.len());
    for (name, spec) in cases {
        let result = in_repo(|| apigen_codegen::generate(&spec, &GeneratorSettings::new("bad")));
        let diags = match result {
            Ok(_) => panic!("{name}: a bad spec was accepted"),
            Err(d) => d,
        };
        for d in &diags.0 {
            assert!(d.help.is_some(), "{name}: every diagnostic says what to do: {d}");
            assert!(!d.message.is_empty(), "{name}: every diagnostic says what is wrong: {d}");
            assert!(d.file.starts_with("tests/bad-specs"), "{name}: every diagnostic names the file: {d}");
            assert!(d.location.is_some_and(|(l, c)| l >= 1 && c >= 1), "{name}: every diagnostic has a line and column: {d}");
        }
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true, description => format!("tests/bad-specs/{name}") }, {
            insta::assert_snapshot!(format!("bad_spec_{name}"), diags.to_string());
        });
    }
}

/// Independent problems are reported together, not one per run.
#[test]
fn several_problems_are_reported_in_one_run() {
    for (case, at_least) in [("several-errors", 5), ("yaml-several-errors", 5), ("wrong-types", 5)] {
        let root = cases().into_iter().find(|(n, _)| n == case).expect("case").1;
        let diags = in_repo(|| apigen_codegen::generate(&root, &GeneratorSettings::new("bad"))).expect_err("rejected");
        assert!(diags.len() >= at_least, "{case}: {diags}");
    }
}

#[test]
fn a_failing_spec_writes_nothing_anywhere() {
    let tmp = std::env::temp_dir().join(format!("bad-spec-out-{}", std::process::id()));
    let good_out = tmp.join("good");
    let bad_out = tmp.join("bad");
    std::fs::create_dir_all(&good_out).expect("tmp");
    std::fs::create_dir_all(&bad_out).expect("tmp");
    std::fs::write(good_out.join("keep.txt"), "previous").expect("tmp");
    std::fs::write(bad_out.join("keep.txt"), "previous").expect("tmp");
    let jobs = vec![
        Job { name: "questionpro".into(), spec: "spec/questionpro/openapi.json".into(), out: good_out.clone() },
        Job { name: "bad".into(), spec: "tests/bad-specs/bad-status-keys/openapi.json".into(), out: bad_out.clone() },
    ];
    let result = in_repo(|| apigen_codegen::run(&jobs, Mode::Write));
    assert!(matches!(result, Err(RunError::Spec(ref f)) if f.len() == 1), "{result:?}");
    for dir in [&good_out, &bad_out] {
        let entries: Vec<_> = std::fs::read_dir(dir).expect("dir").filter_map(Result::ok).map(|e| e.file_name()).collect();
        assert_eq!(entries.len(), 1, "{}: {entries:?}", dir.display());
        assert_eq!(std::fs::read_to_string(dir.join("keep.txt")).expect("kept"), "previous");
    }
    std::fs::remove_dir_all(&tmp).ok();
}
