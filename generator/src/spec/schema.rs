//! How schemas are classified, by validation and lowering alike: which keywords beside a `$ref`
//! only annotate it, and which inline schemas become named types of their own (lowering hoists
//! them into definitions; validation follows merges through the others to find rings).

use serde_json::{Map, Value};

/// Keywords beside a `$ref` that do not constrain values (so the `$ref` stays an alias; any
/// other keyword makes typify merge the target with them).
pub fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "description" | "title" | "summary" | "nullable" | "deprecated" | "readOnly" | "writeOnly" | "example" | "examples" | "default"
    ) || key.starts_with("x-")
}

/// True for inline schemas that typify would turn into a named type of its own (structs, enums,
/// unions): these are hoisted so that we choose their names. A nullable wrapper (`anyOf: [X,
/// null]`) or a single-schema `allOf` is not a type of its own.
pub fn is_named_type(map: &Map<String, Value>) -> bool {
    if map.get("properties").is_some_and(Value::is_object) {
        return true;
    }
    // A `$ref` with keywords that constrain values is a merge of its target with them: named,
    // typify merges it once, and a recursion through it goes by that name (inline, a recursive
    // target made typify merge forever until the stack overflowed).
    if map.contains_key("$ref") && map.keys().any(|k| k != "$ref" && !is_annotation(k)) {
        return true;
    }
    if map.get("enum").and_then(Value::as_array).is_some_and(|e| e.len() > 1 && e.iter().all(Value::is_string)) {
        return true;
    }
    ["oneOf", "anyOf", "allOf"].iter().any(|k| {
        map.get(*k)
            .and_then(Value::as_array)
            .is_some_and(|subs| subs.iter().filter(|s| s.get("type").and_then(Value::as_str) != Some("null")).count() >= 2)
    })
}
