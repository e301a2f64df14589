//! The example values that generated files show or answer with where the document has none,
//! computed from the schemas here so that no emitter reads a schema: the smallest body the
//! schema allows, for the README's example of an operation ([`request_body`]) and for the mock
//! server's answer ([`response_body`]).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::ir::models::{Constraint, Constraints};
use crate::ir::{Sample, TypeRef, ValueShape};

/// The value of a parameter of type `ty` and `shape` in examples: its `documented` example (or
/// default), else a plausible value (an email address for `format: email`). A parameter of
/// another type than a string, a number or a boolean is [`Sample::Parsed`]: its documented
/// value, else the smallest value of its model, else an empty array or `null`.
pub fn parameter(
    ty: &TypeRef,
    shape: ValueShape,
    documented: Option<&Value>,
    constraints: &Constraints,
    definitions: &BTreeMap<String, Value>,
) -> Sample {
    let scalar = matches!(
        ty,
        TypeRef::String | TypeRef::I64 | TypeRef::I32 | TypeRef::U32 | TypeRef::U64 | TypeRef::F64 | TypeRef::F32 | TypeRef::Bool
    );
    if !scalar {
        return Sample::Parsed(documented.cloned().unwrap_or_else(|| match ty {
            TypeRef::Named(name) => definitions.get(name).map_or(Value::Null, |d| minimal_example(d, definitions, 0)),
            TypeRef::Vec(_) => json!([]),
            _ => Value::Null,
        }));
    }
    match shape {
        ValueShape::Integer | ValueShape::Number => Sample::Json(documented.cloned().unwrap_or(json!(123456))),
        ValueShape::Boolean => Sample::Json(documented.cloned().unwrap_or(json!(true))),
        _ => Sample::Text(documented.and_then(Value::as_str).map(String::from).unwrap_or_else(|| {
            if constraints.value.contains(&Constraint::Email) {
                "user@example.com".to_string()
            } else {
                "example".to_string()
            }
        })),
    }
}

/// The README's example body of type `ty` when the document has none: the smallest value of
/// the model (through any `Vec`s: an array of one such value), else `{}`.
pub fn request_body(ty: &TypeRef, definitions: &BTreeMap<String, Value>) -> Value {
    let mut inner = ty;
    while let TypeRef::Vec(item) = inner {
        inner = item;
    }
    inner.model().and_then(|name| definitions.get(name)).map_or(json!({}), |d| {
        let v = minimal_example(d, definitions, 0);
        if matches!(ty, TypeRef::Vec(_)) {
            json!([v])
        } else {
            v
        }
    })
}

/// The mock server's answer of type `ty` when the document has no success example: an empty
/// array, a scalar's zero value, the smallest value of a model, else `{}`.
pub fn response_body(ty: &TypeRef, definitions: &BTreeMap<String, Value>) -> Value {
    match ty {
        TypeRef::Vec(_) | TypeRef::Bytes => json!([]),
        TypeRef::String => json!(""),
        TypeRef::I64 | TypeRef::I32 | TypeRef::U64 | TypeRef::U32 | TypeRef::F64 | TypeRef::F32 => json!(0),
        TypeRef::Bool => json!(false),
        _ => ty.model().and_then(|name| definitions.get(name)).map_or(json!({}), |d| minimal_example(d, definitions, 0)),
    }
}

/// The smallest JSON value a schema allows: required properties only, first enum value,
/// plausible strings for common formats.
fn minimal_example(schema: &Value, defs: &BTreeMap<String, Value>, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        return defs.get(name).map_or(Value::Null, |d| minimal_example(d, defs, depth + 1));
    }
    for key in ["const", "default"] {
        if let Some(v) = schema.get(key) {
            return v.clone();
        }
    }
    if let Some(first) = schema.get("enum").and_then(Value::as_array).and_then(|e| e.first()) {
        return first.clone();
    }
    // A discriminated union (its mapping completed by lowering): the first mapped member, with
    // the tag that selects it.
    let discriminator = schema.get("discriminator");
    let property = discriminator.and_then(|d| d.get("propertyName")).and_then(Value::as_str);
    let first_mapped = discriminator.and_then(|d| d.get("mapping")).and_then(Value::as_object).and_then(|m| m.iter().next());
    if let (Some(property), Some((tag, target))) = (property, first_mapped) {
        let mut value = minimal_example(&json!({ "$ref": target }), defs, depth + 1);
        if let Some(map) = value.as_object_mut() {
            map.insert(property.to_string(), Value::String(tag.clone()));
        }
        return value;
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema.get(key).and_then(Value::as_array).and_then(|v| v.first()) {
            return minimal_example(first, defs, depth + 1);
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "object",
    };
    match ty {
        "object" => {
            let mut out = serde_json::Map::new();
            let required: Vec<&str> =
                schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            for name in required {
                if let Some(p) = schema.get("properties").and_then(|p| p.get(name)) {
                    out.insert(name.to_string(), minimal_example(p, defs, depth + 1));
                }
            }
            Value::Object(out)
        }
        "array" => json!([]),
        "integer" => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
        "number" => json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(1.0)),
        "boolean" => json!(false),
        "null" => Value::Null,
        _ => match schema.get("format").and_then(Value::as_str) {
            Some("email") => json!("user@example.com"),
            Some("date-time") => json!("2024-01-01T00:00:00Z"),
            Some("date") => json!("2024-01-01"),
            Some("uuid") => json!("00000000-0000-0000-0000-000000000000"),
            Some("uri" | "url") => json!("https://example.com/"),
            Some("ipv4") => json!("127.0.0.1"),
            Some("ipv6") => json!("::1"),
            _ => json!("example"),
        },
    }
}
