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
            TypeRef::Named(name) => definitions.get(name).map_or(Value::Null, |d| super::synth::minimal(d, definitions)),
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
        let v = super::synth::minimal(d, definitions);
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
        _ => ty.model().and_then(|name| definitions.get(name)).map_or(json!({}), |d| super::synth::minimal(d, definitions)),
    }
}

/// The value the mock sends for a documented response header (`header`, its `schema`; `$ref`s
/// resolved in `defs`): the first of the header's `example`, its `examples` (values), its
/// media type's (`content`), its schema's `example`/`examples` that satisfies the schema, else
/// the smallest value the schema allows (a header without a schema is any text). `None` when
/// even that does not satisfy the schema.
pub fn response_header(doc: &Value, header: &Value, schema: Option<&Value>, defs: &dyn super::synth::Definitions) -> Option<Value> {
    let text = json!({"type": "string"});
    let schema = schema.unwrap_or(&text);
    let named = |holder: &Value| -> Vec<Value> {
        let own = holder.get("example").cloned();
        let listed = match holder.get("examples") {
            // OpenAPI's map of Example objects (references followed) ...
            Some(Value::Object(map)) => map.values().filter_map(|e| crate::spec::deref(doc, e).get("value").cloned()).collect(),
            // ... or JSON Schema's array of values.
            Some(Value::Array(values)) => values.clone(),
            _ => Vec::new(),
        };
        own.into_iter().chain(listed).collect()
    };
    let media = header.get("content").and_then(Value::as_object).and_then(|c| c.values().next());
    let documented = named(header).into_iter().chain(media.map(named).unwrap_or_default()).chain(named(schema));
    let fits = |v: &Value| super::operation_errors::conforms(v, schema, defs, 0).is_ok();
    documented.into_iter().find(|v| !v.is_null() && fits(v)).or_else(|| {
        let v = super::synth::minimal(schema, defs);
        (!v.is_null() && fits(&v)).then_some(v)
    })
}
