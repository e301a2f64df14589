//! The generated server's request validation against the JSON Schema Test Suite, on the CI
//! subset: the first two schemas of every draft 2020-12 validation and applicator file
//! (`tests/json-schema-suite/`), each the request body of one operation of
//! `tests/fixtures/schema-suite` (written by `cargo xtask schema-suite --write-fixture`),
//! generated as `tests/crates/schema-suite`. Every test's data is sent to the mock server
//! in-process; its accept/reject verdict must agree with the suite's on at least
//! [`MIN_AGREEMENT`] of the tests, and a body the validator accepts is never refused by typed
//! deserialization. `cargo xtask schema-suite` measures every schema.

use axum::body::Body;
use axum::http::Request;
use fixture_schema_suite::server::{mock::MockApi, router};
use tower::ServiceExt;

/// The least share of the subset's tests on which the server must agree with the suite. Every
/// remaining difference must also be one of the decisions listed in README.md ("Request
/// validation"), see [`decided`].
const MIN_AGREEMENT: f64 = 0.97;

/// Whether a difference from the suite is one of the documented decisions: a schema without
/// `type` that declares `properties` or `additionalProperties` is an object (the server refuses
/// other values), and identical `oneOf` members are one member (the normalizer merges them).
fn decided(schema: &serde_json::Value, data: &serde_json::Value, valid: bool) -> bool {
    let implied_object = schema.get("type").is_none()
        && (schema.get("properties").is_some() || schema.get("additionalProperties").is_some())
        && !data.is_object()
        && valid;
    let repeated_one_of = schema
        .get("oneOf")
        .and_then(serde_json::Value::as_array)
        .is_some_and(|members| members.iter().enumerate().any(|(i, m)| members[..i].contains(m)));
    implied_object || repeated_one_of
}

#[tokio::test]
async fn the_server_agrees_with_the_json_schema_test_suite() {
    let dir = spec_tests::repo_root().join("tests/json-schema-suite/draft2020-12");
    let groups = docgen::schema_suite::subset(&docgen::schema_suite::load(&dir).expect("the vendored suite"));
    let fixture = spec_tests::repo_root().join("tests/fixtures/schema-suite/openapi.json");
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&fixture).expect("the fixture")).expect("JSON");
    assert_eq!(
        written,
        docgen::schema_suite::document(&groups),
        "tests/fixtures/schema-suite/openapi.json is stale: run `cargo xtask schema-suite --write-fixture`, then `cargo xtask gen`"
    );
    let app = router(MockApi::new());
    let (mut agree, mut total, mut by_types) = (0, 0, Vec::new());
    let (mut differences, mut undecided) = (Vec::new(), Vec::new());
    for g in &groups {
        for case in &g.tests {
            let request = Request::post(g.path())
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(&case.data).expect("JSON")))
                .expect("request");
            let response = app.clone().oneshot(request).await.expect("an answer");
            let status = response.status().as_u16();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
            let text = String::from_utf8_lossy(&body);
            let accepted = (200..300).contains(&status);
            assert!(accepted || status == 400, "{}: {}: status {status}: {text}", g.path(), case.description);
            if !accepted && text.contains("(schema)") {
                by_types.push(format!("{} {}: {text}", g.path(), case.description));
            }
            total += 1;
            if accepted == case.valid {
                agree += 1;
            } else {
                let line = format!("{} ({}): {}: expected valid={}", g.path(), g.description, case.description, case.valid);
                if !decided(&g.schema, &case.data, case.valid) {
                    undecided.push(line.clone());
                }
                differences.push(line);
            }
        }
    }
    assert!(by_types.is_empty(), "bodies the validator accepted were refused by typed deserialization:\n{}", by_types.join("\n"));
    let share = agree as f64 / total as f64;
    println!("agreement on the subset: {agree}/{total} ({:.1}%)", share * 100.0);
    assert!(undecided.is_empty(), "differences that are not documented decisions:\n{}", undecided.join("\n"));
    assert!(share >= MIN_AGREEMENT, "agreement {agree}/{total} is below {MIN_AGREEMENT}; differences:\n{}", differences.join("\n"));
}
