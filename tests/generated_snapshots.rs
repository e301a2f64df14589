//! Snapshots of the files the generator writes for each API, for reviewers: a change to the
//! spec or the generator shows up as a readable diff in `tests/snapshots/`. Each snapshot must
//! also equal the checked-in file under `generated/<api>/`.

use std::path::Path;

use apigen_codegen::GeneratorSettings;
use spec_tests::{apis, in_repo, repo_root, spec_root};

/// The files snapshotted: every file of a generated crate except the bundled `openapi.json`,
/// whose own snapshots are in `tests/bundles.rs`.
const SNAPSHOTTED: &[&str] =
    &["Cargo.toml", "README.md", "src/lib.rs", "src/models.rs", "src/schemas.json", "src/client.rs", "src/server.rs", "src/bin/mock.rs"];

#[test]
fn generated_files_match_their_snapshots() {
    for api in apis() {
        let mut out =
            // `cargo xtask gen` keeps this repository's crates unpublished (`RunOptions::publish`).
            in_repo(|| apigen_codegen::generate(&spec_root(&api), GeneratorSettings::new(&api).with_publish(false)).unwrap_or_else(|e| panic!("{e}")));
        // The version is `cargo xtask gen`'s (it follows the API changes): when nothing else
        // differs from the checked-in crate, the checked-in version stays.
        let checked_in: std::collections::BTreeMap<_, _> = out
            .files
            .keys()
            .chain([&Path::new("CHANGELOG.md").to_path_buf()])
            .filter_map(|f| Some((f.clone(), std::fs::read_to_string(repo_root().join("generated").join(&api).join(f)).ok()?)))
            .collect();
        apigen_codegen::diff::version::apply(&mut out, Some(&checked_in)).unwrap_or_else(|e| panic!("{api}: {e}"));
        for file in SNAPSHOTTED {
            let text = out.files.get(Path::new(file)).unwrap_or_else(|| panic!("{api}: {file} is no longer generated"));
            let checked_in = std::fs::read_to_string(repo_root().join("generated").join(&api).join(file))
                .unwrap_or_else(|e| panic!("generated/{api}/{file}: {e}"));
            assert!(text == &checked_in, "generated/{api}/{file} is stale: run `cargo xtask gen` and commit the result");
            let name = format!("{api}__{}", file.replace('/', "__"));
            insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true, description => format!("generated/{api}/{file}") }, {
                insta::assert_snapshot!(name, text);
            });
        }
    }
}
