//! Defects of published documents are repaired, not rejected: each `tests/warn-specs/<case>/`
//! and each `tests/fixtures/defects-*/` document generates, every repair is a located warning
//! (file, line:column, JSON pointer, what was changed, what to do), and the warnings are kept as
//! insta snapshots. `deny_warnings` turns them into errors. The `defects-*` crates are compiled
//! with the workspace (`tests/crates/defects-*`).

use std::path::{Path, PathBuf};

use apigen_codegen::{GeneratorSettings, Job, Mode, RunOptions, Timings};
use spec_tests::in_repo;

/// `(case name, root document relative to the repository)`, sorted.
fn cases() -> Vec<(String, PathBuf)> {
    let mut cases = Vec::new();
    for (dir, prefix) in [("tests/warn-specs", ""), ("tests/fixtures", "fixture-")] {
        for entry in std::fs::read_dir(spec_tests::repo_root().join(dir)).expect("folder exists").filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !prefix.is_empty() && !name.starts_with("defects-") {
                continue;
            }
            let Some(root) = ["openapi.json", "openapi.yaml"].into_iter().find(|f| entry.path().join(f).is_file()) else { continue };
            cases.push((format!("{prefix}{name}"), Path::new(dir).join(&name).join(root)));
        }
    }
    cases.sort();
    cases
}

/// The component names of the bundled document (what the repairs named), as one line.
fn components(output: &apigen_codegen::OutputSet) -> String {
    let doc: serde_json::Value = serde_json::from_str(&output.files[Path::new("openapi.json")]).expect("openapi.json is JSON");
    let names: Vec<String> =
        doc.pointer("/components/schemas").and_then(|s| s.as_object()).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    format!("components/schemas: {}", names.join(", "))
}

#[test]
fn defects_are_repaired_with_located_warnings() {
    let cases = cases();
    assert!(cases.len() >= 6, "expected the warn-spec fixtures, found {cases:?}");
    for (name, spec) in cases {
        let result = in_repo(|| apigen_codegen::generate_with_warnings(&spec, &GeneratorSettings::new("warned"), &mut Timings::default()));
        let generated = result.unwrap_or_else(|e| panic!("{name}: a repairable document was rejected:\n{e}"));
        for d in &generated.warnings.0 {
            assert!(d.is_warning(), "{name}: only warnings: {d}");
            assert!(d.help.is_some(), "{name}: every warning says what to do: {d}");
            assert!(!d.message.trim().is_empty(), "{name}: every warning says what was changed: {d}");
            assert!(d.file.starts_with("tests/"), "{name}: every warning names the file: {d}");
            assert!(d.location.is_some_and(|(l, c)| l >= 1 && c >= 1), "{name}: every warning has a line and column: {d}");
        }
        let text = format!("{}\n\n{}", generated.warnings, components(&generated.output));
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true, description => spec.display().to_string() }, {
            insta::assert_snapshot!(format!("warnings_{name}"), text);
        });
    }
}

/// The classes issue 13 names each reach the user as a warning of the fixture.
#[test]
fn every_repair_class_is_covered() {
    let spec = Path::new("tests/fixtures/defects-30/openapi.yaml");
    let generated =
        in_repo(|| apigen_codegen::generate_with_warnings(spec, &GeneratorSettings::new("d"), &mut Timings::default())).expect("generates");
    let text = generated.warnings.to_string();
    for class in [
        "unknown security scheme `sessionToken`",
        "path parameter `{item_id}` of \"/items/{item_id}\" is not declared",
        "path parameter `stray` does not appear in the path template",
        "duplicate operationId \"getItem\"",
        "format `json` does not apply to type object",
        "keywords next to `$ref` are ignored in OpenAPI 3.0",
        "the default null does not match its schema",
        "the default [] does not match its schema",
        "`oneOf` member 1 repeats an earlier member",
        "enum values are not of type string",
        "the defaults of schema `ThingColor` cannot be given to its Rust type",
    ] {
        assert!(text.contains(class), "missing warning `{class}` in:\n{text}");
    }
    let doc = generated.output.files[Path::new("openapi.json")].clone();
    // YAML integers beyond 64 bits stay numbers, as in JSON.
    assert!(doc.contains("\"maximum\": 1.8446744073709552e+19"), "{doc}");
    // Files without `title` that share a name get one from their folder.
    let doc: serde_json::Value = serde_json::from_str(&doc).expect("json");
    for name in ["Error", "ShippingError", "Node", "Item", "Thing", "Kind"] {
        assert!(doc.pointer(&format!("/components/schemas/{name}")).is_some(), "component {name} missing");
    }
    // The recursive schema of a definitions file stays a reference to itself.
    assert_eq!(
        doc.pointer("/components/schemas/Node/properties/children/items/$ref"),
        Some(&serde_json::json!("#/components/schemas/Node"))
    );
}

/// A schema typify cannot convert degrades alone: its type is `serde_json::Value` with a doc
/// comment saying why, the warning names its pointer and keyword, every failing schema is
/// reported in one run, and the rest of the models is generated.
#[test]
fn untypable_schemas_degrade_one_by_one() {
    let dir = std::env::temp_dir().join(format!("apigen-degrade-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let spec = dir.join("openapi.json");
    // typify 0.8 panics (`todo!`) on a `not` of an object schema: `BrokenWhole` is one, and
    // `BrokenPart` has one property that is one. `Fine*` refer to them and to each other.
    let not_object = serde_json::json!({ "not": { "type": "object", "required": ["a"] } });
    let mut schemas = serde_json::Map::new();
    for i in 0..12 {
        schemas.insert(
            format!("Fine{i}"),
            serde_json::json!({ "type": "object", "properties": {
                "a": { "type": "string" },
                "whole": { "$ref": "#/components/schemas/BrokenWhole" },
                "next": { "$ref": format!("#/components/schemas/Fine{}", (i + 1) % 12) }
            } }),
        );
    }
    schemas.insert("BrokenWhole".into(), not_object.clone());
    schemas.insert(
        "BrokenPart".into(),
        serde_json::json!({ "type": "object", "properties": { "ok": { "type": "integer" }, "n": not_object }}),
    );
    let doc = serde_json::json!({
        "openapi": "3.1.0",
        "info": { "title": "D", "version": "1" },
        "paths": {},
        "components": { "schemas": schemas }
    });
    std::fs::write(&spec, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
    let generated =
        apigen_codegen::generate_with_warnings(&spec, &GeneratorSettings::new("d"), &mut Timings::default()).expect("generates");
    let text = generated.warnings.to_string();
    // `not` only narrows a type: it is dropped (not enforced), the rest of the schema stays.
    assert!(text.contains("at JSON pointer: /components/schemas/BrokenWhole/not"), "{text}");
    assert!(text.contains("at JSON pointer: /components/schemas/BrokenPart/properties/n/not"), "{text}");
    assert!(text.contains("unhandled not schema"), "the reason is named: {text}");
    assert!(text.contains("warning[keyword-dropped]: the `not` of schema `BrokenWhole`"), "{text}");
    assert_eq!(generated.warnings.len(), 2, "{text}");
    let models = &generated.output.files[Path::new("src/models.rs")];
    for i in 0..12 {
        assert!(models.contains(&format!("pub struct Fine{i} ")), "Fine{i} missing");
    }
    assert!(models.contains("pub struct BrokenWhole(pub ::serde_json::Value);"), "{models}");
    assert!(models.contains("pub n: ::std::option::Option<::serde_json::Value>,"), "{models}");
    assert!(models.contains("pub ok: ::std::option::Option<i64>,"), "the rest of BrokenPart stays typed");
    assert!(models.contains("/// The schema's `not` cannot be expressed in this Rust type and is not enforced"), "the doc says why");
    // Denying warnings turns them into errors.
    let denied =
        apigen_codegen::generate_with_warnings(&spec, &GeneratorSettings::new("d").with_deny_warnings(true), &mut Timings::default());
    let errors = denied.expect_err("warnings are fatal with deny_warnings");
    assert!(errors.0.iter().all(|d| !d.is_warning()) && errors.len() == 2, "{errors}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `run_reporting` returns the warnings beside the reports, and fails with `deny_warnings`.
#[test]
fn run_reports_warnings_and_denies_them_on_request() {
    let out = std::env::temp_dir().join(format!("apigen-warn-run-{}", std::process::id()));
    let jobs = [Job { name: "warned".into(), spec: "tests/warn-specs/duplicate-operation-id/openapi.json".into(), out: out.clone() }];
    let report = in_repo(|| apigen_codegen::run_reporting(&jobs, Mode::Write, &RunOptions::default())).expect("generates");
    assert_eq!(report.warnings.len(), 1);
    assert!(report.warnings[0].2.to_string().contains("duplicate operationId"));
    let denied =
        in_repo(|| apigen_codegen::run_reporting(&jobs, Mode::Check, &RunOptions { deny_warnings: true, ..RunOptions::default() }));
    assert!(matches!(denied, Err(apigen_codegen::RunError::Spec(ref f)) if f.len() == 1), "{denied:?}");
    std::fs::remove_dir_all(&out).ok();
}

/// Enum values of another type than the schema's become values of the declared type (numbers
/// from strings, `1.5` included; booleans; strings from numbers), or are dropped when they cannot
/// (`null` included, unless the schema allows it): `tests/warn-specs/enum-value-types`.
#[test]
fn enum_values_take_the_declared_type() {
    let spec = Path::new("tests/warn-specs/enum-value-types/openapi.json");
    let generated =
        in_repo(|| apigen_codegen::generate_with_warnings(spec, &GeneratorSettings::new("e"), &mut Timings::default())).expect("generates");
    let doc: serde_json::Value = serde_json::from_str(&generated.output.files[Path::new("openapi.json")]).expect("json");
    let enum_of = |prop: &str| doc.pointer(&format!("/components/schemas/Thing/properties/{prop}/enum")).cloned();
    use serde_json::json;
    assert_eq!(enum_of("ratio"), Some(json!([1.5, 2, 3.25, 1000.0])));
    assert_eq!(enum_of("count"), Some(json!([3, 4, 7])));
    assert_eq!(enum_of("label"), Some(json!(["1", "true", "2.5", "x"])));
    assert_eq!(enum_of("flag"), Some(json!([true, false])));
    assert_eq!(enum_of("maybe"), Some(json!(["1", "a", null])));
    assert_eq!(enum_of("either"), Some(json!(["5", 6, "false"])));
    assert_eq!(enum_of("nothing"), None, "an enum with no value left is removed");
    let text = generated.warnings.to_string();
    assert!(text.contains("\"1.5\" -> 1.5"), "{text}");
    assert!(text.contains("null dropped"), "{text}");
}
