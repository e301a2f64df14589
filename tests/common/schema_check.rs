//! Checking a value against a schema of an OpenAPI document (JSON Schema forms) with the
//! `jsonschema` crate, references resolved in the document's components.

use serde_json::{json, Value};

/// `value` with the non-ASCII characters of its `$ref`s percent-encoded (URI references), and
/// discriminated `oneOf`s as `anyOf`s.
fn encode_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(r) if k == "$ref" => {
                        *r = r
                            .chars()
                            .map(
                                |c| if c.is_ascii() { c.to_string() } else { c.to_string().bytes().map(|b| format!("%{b:02X}")).collect() },
                            )
                            .collect();
                    }
                    other => encode_refs(other),
                }
            }
            // OpenAPI's discriminator picks the member of a `oneOf`; JSON Schema cannot see it,
            // and members that differ only by the tag's value all match.
            if map.contains_key("discriminator") {
                if let Some(members) = map.remove("oneOf") {
                    map.insert("anyOf".into(), members);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(encode_refs),
        _ => {}
    }
}

/// Adds a failure naming `what` when `value` breaks `schema` (of `doc`, in JSON Schema forms).
pub fn check(doc: &Value, schema: Value, value: &Value, what: String, failures: &mut Vec<String>) {
    let mut root = json!({ "allOf": [schema], "components": doc.get("components").cloned().unwrap_or(json!({})) });
    encode_refs(&mut root);
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("{what}: schema does not compile: {e}"));
    let errors: Vec<String> = validator.iter_errors(value).map(|e| format!("{e} at {}", e.instance_path())).collect();
    if !errors.is_empty() {
        failures.push(format!("{what}: {value} breaks its schema: {}", errors.join("; ")));
    }
}
