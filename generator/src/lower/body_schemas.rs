//! The schemas the generated server validates JSON and form request bodies against, before they
//! are deserialized (the runtime's one validator, `jsonschema`, draft 2020-12): each body's
//! schema as the document writes it (normalized, in JSON Schema form) and the components it
//! reaches, in the *request view*:
//!
//! - a `readOnly` property is not required in a request (OpenAPI 3.1, "Fixed Fields" of the
//!   Schema Object), so it leaves `required` (its Rust field is optional, see `lower::models`);
//! - integer formats are assertions: `format: int32` (and `int8`..`uint64`) bounds the value to
//!   the Rust type the models use, so the validator never accepts what the types refuse;
//! - annotations (descriptions, titles, examples, `default`, `discriminator`, extensions other
//!   than `x-must-equal`) are dropped: the validator ignores them, and the crate embeds less.
//!
//! Prepared here as JSON text, embedded verbatim by the server emitter.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::ir::{BodyEncoding, BodySchemas, Operation};

/// Fills in [`crate::ir::RequestBody::schema_key`] of every operation whose JSON or form body
/// has a schema, and returns the schemas in the request view.
pub fn prepare(operations: &mut [Operation], doc: &Value) -> BodySchemas {
    let mut todo: Vec<String> = Vec::new();
    let mut bodies = BTreeMap::new();
    for op in operations {
        let key = op.rust_name.strip_prefix("r#").unwrap_or(&op.rust_name).to_string();
        let method = op.method.as_str().to_ascii_lowercase();
        let Some(body) = &mut op.body else { continue };
        if !matches!(body.encoding, BodyEncoding::Json | BodyEncoding::Multipart | BodyEncoding::FormUrlEncoded) {
            continue;
        }
        let schema = doc
            .get("paths")
            .and_then(|p| p.get(&op.path))
            .and_then(|item| item.get(method.as_str()))
            .and_then(|o| o.get("requestBody"))
            .map(|b| deref(doc, b))
            .and_then(|b| b.get("content")?.get(&body.content_type)?.get("schema"));
        let Some(schema) = schema else { continue };
        let mut schema = schema.clone();
        request_view(&mut schema);
        collect_refs(&schema, &mut todo);
        bodies.insert(key.clone(), schema);
        body.schema_key = Some(key);
    }
    let components = doc.pointer("/components/schemas").and_then(Value::as_object);
    let mut seen = BTreeSet::new();
    let mut reached = BTreeMap::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(def) = components.and_then(|c| c.get(&name)) {
            let mut def = def.clone();
            request_view(&mut def);
            collect_refs(&def, &mut todo);
            reached.insert(name, def);
        }
    }
    let text = |v: &BTreeMap<String, Value>| serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    BodySchemas { bodies: text(&bodies), definitions: text(&reached) }
}

/// A `$ref`'d request body, parameter or response, resolved within the document.
fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..16 {
        match current.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')).and_then(|p| doc.pointer(p)) {
            Some(target) => current = target,
            None => break,
        }
    }
    current
}

/// Keywords whose value is one subschema.
pub(super) const ONE: &[&str] = &[
    "additionalProperties",
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
];
/// Keywords whose value is a list of subschemas.
pub(super) const LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value is a map of subschemas.
pub(super) const MAP: &[&str] = &["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"];
/// Annotations the validator does not read.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "examples",
    "example",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "externalDocs",
    "xml",
    "discriminator",
    "$comment",
];

/// The request view of one schema, in place (see the module docs).
pub fn request_view(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    super::models::implied_object(map);
    if let Some(Value::Object(props)) = map.get("properties") {
        let read_only: Vec<String> =
            props.iter().filter(|(_, p)| p.get("readOnly") == Some(&Value::Bool(true))).map(|(k, _)| k.clone()).collect();
        if let Some(Value::Array(required)) = map.get_mut("required") {
            required.retain(|r| !r.as_str().is_some_and(|r| read_only.iter().any(|k| k == r)));
        }
    }
    if let Some((lo, hi)) = map.get("format").and_then(Value::as_str).and_then(integer_range) {
        let applies = map.get("type").is_none_or(|t| t == "integer" || t.as_array().is_some_and(|ts| ts.iter().any(|t| t == "integer")));
        if applies {
            let bounds = json!({ "minimum": lo, "maximum": hi });
            match map.get_mut("allOf") {
                Some(Value::Array(all)) => all.push(bounds),
                _ => {
                    map.insert("allOf".into(), json!([bounds]));
                }
            }
        }
    }
    discriminate(map);
    map.retain(|k, _| !ANNOTATIONS.contains(&k.as_str()) && (!k.starts_with("x-") || k == "x-must-equal"));
    for (k, v) in map.iter_mut() {
        if ONE.contains(&k.as_str()) {
            request_view(v);
        } else if LIST.contains(&k.as_str()) {
            v.as_array_mut().into_iter().flatten().for_each(request_view);
        } else if MAP.contains(&k.as_str()) {
            v.as_object_mut().into_iter().flat_map(Map::values_mut).for_each(request_view);
        }
    }
}

/// OpenAPI's `discriminator` over a `oneOf`/`anyOf` of references, made a JSON Schema rule: the
/// tag property is required, and each member is tried only with the tags that select it
/// (explicit `mapping` entries, else the component's name), so the member the tag selects is
/// the one that must match, as the generated union decodes it.
pub(super) fn discriminate(map: &mut Map<String, Value>) {
    let Some(d) = map.get("discriminator") else { return };
    let Some(property) = d.get("propertyName").and_then(Value::as_str).map(str::to_string) else { return };
    let mapping: Vec<(String, String)> = d
        .get("mapping")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(tag, target)| Some((tag.clone(), target.as_str()?.to_string())))
        .collect();
    let key = if map.contains_key("oneOf") { "oneOf" } else { "anyOf" };
    let Some(Value::Array(members)) = map.get_mut(key) else { return };
    for member in members.iter_mut() {
        let Some(reference) = member.get("$ref").and_then(Value::as_str) else { continue };
        let name = reference.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~");
        let mut tags: Vec<Value> =
            mapping.iter().filter(|(_, target)| target == reference || *target == name).map(|(tag, _)| Value::from(tag.as_str())).collect();
        if tags.is_empty() {
            tags.push(Value::from(name));
        }
        let selected = json!({ "properties": { property.as_str(): { "enum": tags } }, "required": [property.as_str()] });
        *member = json!({ "allOf": [member.take(), selected] });
    }
}

/// The values of an integer `format` the models type with a fixed-size Rust integer.
fn integer_range(format: &str) -> Option<(Value, Value)> {
    Some(match format {
        "int8" => (json!(i8::MIN), json!(i8::MAX)),
        "uint8" => (json!(0), json!(u8::MAX)),
        "int16" => (json!(i16::MIN), json!(i16::MAX)),
        "uint16" => (json!(0), json!(u16::MAX)),
        "int32" => (json!(i32::MIN), json!(i32::MAX)),
        "uint32" => (json!(0), json!(u32::MAX)),
        "int64" => (json!(i64::MIN), json!(i64::MAX)),
        "uint64" => (json!(0), json!(u64::MAX)),
        _ => return None,
    })
}

/// The names of the components `value` references.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                if let Some(rest) = r.strip_prefix("#/components/schemas/") {
                    let name = rest.split('/').next().unwrap_or_default();
                    out.push(name.replace("~1", "/").replace("~0", "~"));
                }
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
