//! Every example documented in the spec validates against its schema, checked by a real JSON
//! Schema validator (the `jsonschema` crate, draft 2020-12, formats asserted) over the bundled
//! document that `cargo xtask gen` writes.

use serde_json::{json, Value};
use spec_tests::{apis, in_repo, spec_root};

/// One example and the schema it must satisfy.
struct Case {
    api: String,
    pointer: String,
    schema: Value,
    example: Value,
}

fn deref<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    apigen_codegen::spec::deref(doc, v)
}

/// Collects the examples of one media-type object at `pointer`.
fn media_cases(api: &str, doc: &Value, media: &Value, pointer: &str, out: &mut Vec<Case>) {
    let Some(schema) = media.get("schema") else { return };
    if let Some(example) = media.get("example") {
        out.push(Case { api: api.into(), pointer: format!("{pointer}/example"), schema: schema.clone(), example: example.clone() });
    }
    for (name, ex) in media.get("examples").and_then(Value::as_object).into_iter().flatten() {
        let ex = deref(doc, ex);
        if let Some(value) = ex.get("value") {
            out.push(Case {
                api: api.into(),
                pointer: format!("{pointer}/examples/{name}"),
                schema: schema.clone(),
                example: value.clone(),
            });
        }
    }
}

fn cases(api: &str, doc: &Value) -> Vec<Case> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if !apigen_codegen::spec::METHODS.contains(&method.as_str()) {
                continue;
            }
            let at = format!("{path} {method}");
            if let Some(body) = op.get("requestBody") {
                let body = deref(doc, body);
                for (mt, media) in body["content"].as_object().into_iter().flatten() {
                    media_cases(api, doc, media, &format!("{at} requestBody {mt}"), &mut out);
                }
            }
            for (status, resp) in op["responses"].as_object().into_iter().flatten() {
                let resp = deref(doc, resp);
                for (mt, media) in resp.get("content").and_then(Value::as_object).into_iter().flatten() {
                    media_cases(api, doc, media, &format!("{at} {status} {mt}"), &mut out);
                }
            }
            for param in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
                let p = deref(doc, param);
                if let (Some(schema), Some(example)) = (p.get("schema"), p.get("example")) {
                    out.push(Case {
                        api: api.into(),
                        pointer: format!("{at} parameter {}", p["name"]),
                        schema: schema.clone(),
                        example: example.clone(),
                    });
                }
            }
        }
    }
    out
}

fn bundled(api: &str) -> Value {
    in_repo(|| apigen_codegen::spec::bundle(&spec_root(api)).unwrap_or_else(|e| panic!("{e}")).document)
}

#[test]
fn every_documented_example_validates_against_its_schema() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for api in apis() {
        let doc = bundled(&api);
        let components = doc.get("components").cloned().unwrap_or(json!({}));
        for case in cases(&api, &doc) {
            // The schema is checked with the bundle's components at its root, so that
            // `#/components/schemas/...` references resolve exactly as in the document.
            let root = json!({ "allOf": [case.schema], "components": components });
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|e| panic!("{} {}: schema does not compile: {e}", case.api, case.pointer));
            let errors: Vec<String> = validator.iter_errors(&case.example).map(|e| format!("{} at {}", e, e.instance_path())).collect();
            if !errors.is_empty() {
                failures.push(format!("{} {}: {}", case.api, case.pointer, errors.join("; ")));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "examples that break their schema:\n{}", failures.join("\n"));
    assert!(checked >= 40, "expected every documented example to be checked, found only {checked}");
}

#[test]
fn every_documented_response_has_an_example() {
    let mut missing = Vec::new();
    for api in apis() {
        let doc = bundled(&api);
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                if !apigen_codegen::spec::METHODS.contains(&method.as_str()) {
                    continue;
                }
                for (status, resp) in op["responses"].as_object().into_iter().flatten() {
                    let resp = deref(&doc, resp);
                    for (mt, media) in resp.get("content").and_then(Value::as_object).into_iter().flatten() {
                        let has = media.get("example").is_some()
                            || media.get("examples").and_then(Value::as_object).is_some_and(|m| !m.is_empty());
                        if !has {
                            missing.push(format!("{api}: {method} {path} {status} {mt}"));
                        }
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "responses without an example:\n{}", missing.join("\n"));
}

#[test]
fn a_broken_example_is_caught() {
    // The check above must be able to fail: a username with two separators in a row breaks
    // the documented Epixel rule, and an e-mail without `@` breaks `format: email`.
    let doc = bundled("epixel");
    let components = doc["components"].clone();
    let root = json!({ "$ref": "#/components/schemas/UserRegistration", "components": components });
    let validator = jsonschema::options().should_validate_formats(true).build(&root).expect("compiles");
    let bad = json!({
        "country_code": "IN", "first_name": "Anna", "last_name": "Smith", "username": "user__name",
        "password": "secret-1", "agree_terms": "1", "user_type": "customer", "email": "not-an-email",
        "phone_number": "9876543210"
    });
    let errors: Vec<String> = validator.iter_errors(&bad).map(|e| e.instance_path().to_string()).collect();
    assert!(errors.iter().any(|p| p.contains("username")), "{errors:?}");
    assert!(errors.iter().any(|p| p.contains("email")), "{errors:?}");
}
