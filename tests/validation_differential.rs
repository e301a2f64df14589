//! The generated server's request validation against a JSON Schema validator, on
//! property-generated bodies: every component of random docgen documents is the required JSON
//! body of one operation of `tests/fixtures/request-bodies` (written by
//! `cargo xtask schema-suite --write-fixture`, generated as `tests/crates/request-bodies`).
//! Bodies aimed at valid values (`docgen::values::instance`), half of them broken in one or
//! two random spots (`docgen::values::mutate`), are sent to the mock server in-process. The
//! oracle is the `jsonschema` crate on the *request view* of the document: JSON Schema 2020-12
//! with OpenAPI's rules that a `readOnly` property is not required in a request, and that a
//! `discriminator` selects the member a value must match by its tag (a `mapping` entry, else
//! the member's component name), and that formats are assertions (the OpenAPI data types:
//! `int32` is a signed 32-bit integer, ...; `date-time`, `uuid`, `ipv4` and the other JSON
//! Schema formats as the validator knows them).
//!
//! Two properties: the server accepts exactly what the oracle accepts, and a body the
//! validator accepted is never refused by typed deserialization (an answer with rule
//! `schema`), which would be a Rust type narrower than its schema.

use axum::body::Body;
use axum::http::Request;
use fixture_request_bodies::server::{mock::MockApi, router};
use serde_json::{json, Value};
use tower::ServiceExt;

/// Bodies per operation.
const CASES: u64 = 48;

/// The request view of a document's schemas: `readOnly` properties leave `required`, and a
/// discriminated union's members are tried only with their own tags.
fn request_view(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let bounds = match map.get("format").and_then(Value::as_str) {
                Some("int32") => Some((json!(i32::MIN), json!(i32::MAX))),
                Some("uint32") => Some((json!(0), json!(u32::MAX))),
                Some("int64") => Some((json!(i64::MIN), json!(i64::MAX))),
                Some("uint64") => Some((json!(0), json!(u64::MAX))),
                Some("int8") => Some((json!(i8::MIN), json!(i8::MAX))),
                Some("uint8") => Some((json!(0), json!(u8::MAX))),
                Some("int16") => Some((json!(i16::MIN), json!(i16::MAX))),
                Some("uint16") => Some((json!(0), json!(u16::MAX))),
                _ => None,
            };
            if let Some((lo, hi)) = bounds {
                let all = map.entry("allOf").or_insert_with(|| json!([]));
                if let Some(all) = all.as_array_mut() {
                    all.push(json!({ "minimum": lo, "maximum": hi }));
                }
            }
            let discriminator = map.get("discriminator").cloned();
            if let Some(property) = discriminator.as_ref().and_then(|d| d["propertyName"].as_str()) {
                let mapping = discriminator.as_ref().and_then(|d| d["mapping"].as_object().cloned()).unwrap_or_default();
                for key in ["oneOf", "anyOf"] {
                    for member in map.get_mut(key).and_then(Value::as_array_mut).into_iter().flatten() {
                        let Some(target) = member["$ref"].as_str().map(str::to_string) else { continue };
                        let component = target.rsplit('/').next().unwrap_or_default().to_string();
                        let mut tags: Vec<&String> = mapping
                            .iter()
                            .filter(|(_, to)| to.as_str() == Some(target.as_str()) || to.as_str() == Some(component.as_str()))
                            .map(|(tag, _)| tag)
                            .collect();
                        if tags.is_empty() {
                            tags.push(&component);
                        }
                        let own = json!({ "required": [property], "properties": { property: { "enum": tags } } });
                        *member = json!({ "allOf": [member.clone(), own] });
                    }
                }
            }
            let read_only: Vec<String> = map
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(_, p)| p.get("readOnly") == Some(&Value::Bool(true)))
                .map(|(k, _)| k.clone())
                .collect();
            if let Some(Value::Array(required)) = map.get_mut("required") {
                required.retain(|r| !r.as_str().is_some_and(|r| read_only.iter().any(|k| k == r)));
            }
            map.values_mut().for_each(request_view);
        }
        Value::Array(items) => items.iter_mut().for_each(request_view),
        _ => {}
    }
}

#[tokio::test]
async fn the_server_accepts_exactly_what_json_schema_accepts() {
    let text = std::fs::read_to_string(spec_tests::repo_root().join("tests/crates/request-bodies/openapi.json")).expect("the fixture");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    let mut components = doc["components"]["schemas"].clone();
    request_view(&mut components);
    let app = router(MockApi::new());
    let (mut sent, mut accepted, mut differences, mut by_types) = (0, 0, Vec::new(), Vec::new());
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let reference = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str().expect("a $ref body");
        let root = json!({ "allOf": [{ "$ref": reference }], "components": { "schemas": components } });
        let oracle = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .expect("the schema compiles");
        let schema = doc.pointer(reference.trim_start_matches('#')).expect("the component");
        for case in 0..CASES {
            let mut rng = docgen::Rng::new(case * 7919 + path.len() as u64);
            let mut body = docgen::values::instance(schema, &doc, &mut rng);
            for _ in 0..rng.below(3) {
                docgen::values::mutate(&mut body, &mut rng);
            }
            let expected = oracle.is_valid(&body);
            let request = Request::post(path.as_str())
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(&body).expect("JSON")))
                .expect("request");
            let response = app.clone().oneshot(request).await.expect("an answer");
            let status = response.status().as_u16();
            let answer = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
            let answer = String::from_utf8_lossy(&answer);
            let ok = (200..300).contains(&status);
            sent += 1;
            accepted += usize::from(ok);
            if !ok && answer.contains("(schema)") {
                by_types.push(format!("{path} {body}: {answer}"));
            } else if ok != expected {
                differences.push(format!("{path} {body}: server {status} {answer}, JSON Schema says valid={expected}"));
            }
        }
    }
    println!("{sent} bodies, {accepted} accepted");
    assert!(by_types.is_empty(), "refused by typed deserialization after the validator accepted:\n{}", by_types.join("\n"));
    assert!(differences.is_empty(), "{} of {sent} verdicts differ:\n{}", differences.len(), differences.join("\n"));
    // The generator must produce both kinds, or the test shows nothing.
    assert!(accepted > sent / 5 && accepted < sent * 4 / 5, "{accepted} of {sent} accepted");
}
