//! Bad specs are rejected with every problem named by file, line, column and JSON pointer,
//! and a failed run leaves the output directory untouched.
//!
//! Each folder under `tests/bad-specs/` holds one broken spec (`openapi.json` plus whatever it
//! references); its diagnostics are kept as an insta snapshot.

use std::path::{Path, PathBuf};

use generator::{GeneratorSettings, Job, Mode, RunError};
use spec_tests::in_repo;

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(spec_tests::repo_root().join("tests/bad-specs"))
        .expect("tests/bad-specs exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("openapi.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn bad_specs_are_rejected_with_located_diagnostics() {
    let cases = cases();
    assert!(cases.len() >= 3, "expected the bad-spec fixtures");
    for dir in cases {
        let name = dir.file_name().expect("name").to_string_lossy().into_owned();
        let spec = Path::new("tests/bad-specs").join(&name).join("openapi.json");
        let result = in_repo(|| generator::generate(&spec, &GeneratorSettings::new("bad")));
        let diags = match result {
            Ok(_) => panic!("{name}: a bad spec was accepted"),
            Err(d) => d,
        };
        for d in &diags.0 {
            assert!(d.help.is_some(), "{name}: every diagnostic says what to do: {d}");
        }
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true, description => format!("tests/bad-specs/{name}") }, {
            insta::assert_snapshot!(format!("bad_spec_{name}"), diags.to_string());
        });
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
        Job { name: "bad".into(), spec: "tests/bad-specs/duplicate-operation-id/openapi.json".into(), out: bad_out.clone() },
    ];
    let result = in_repo(|| generator::run(&jobs, Mode::Write));
    assert!(matches!(result, Err(RunError::Spec(ref f)) if f.len() == 1), "{result:?}");
    for dir in [&good_out, &bad_out] {
        let entries: Vec<_> = std::fs::read_dir(dir).expect("dir").filter_map(Result::ok).map(|e| e.file_name()).collect();
        assert_eq!(entries.len(), 1, "{}: {entries:?}", dir.display());
        assert_eq!(std::fs::read_to_string(dir.join("keep.txt")).expect("kept"), "previous");
    }
    std::fs::remove_dir_all(&tmp).ok();
}
