//! The schemas the generated server checks JSON and form request bodies against before they
//! are deserialized (the runtime's `schema_check`, until a JSON Schema validator replaces it):
//! each body's schema and the definitions it reaches, with the constraints the models enforce
//! written back as keywords ([`super::constraints::as_keywords`]). Prepared here as JSON text,
//! embedded verbatim by the server emitter.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::ir::models::ModelSpace;
use crate::ir::{BodySchemas, Operation, TypeRef};

/// Fills in [`crate::ir::RequestBody::schema_key`] of every operation whose body the server
/// checks, and returns the schemas.
pub fn prepare(operations: &mut [Operation], models: &ModelSpace, definitions: &BTreeMap<String, Value>) -> BodySchemas {
    let mut todo: Vec<String> = Vec::new();
    let mut bodies = BTreeMap::new();
    for op in operations {
        let key = op.rust_name.strip_prefix("r#").unwrap_or(&op.rust_name).to_string();
        let Some(body) = &mut op.body else { continue };
        if let Some(schema) = body_schema(&body.ty) {
            collect_refs(&schema, &mut todo);
            bodies.insert(key.clone(), schema);
            body.schema_key = Some(key);
        }
    }
    let mut seen = BTreeSet::new();
    let mut reached = BTreeMap::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(def) = definitions.get(&name) {
            collect_refs(def, &mut todo);
            let mut def = def.clone();
            if let Some(rules) = models.structs.get(&name).and_then(|s| s.rules.as_ref()) {
                super::constraints::as_keywords(&mut def, rules);
            }
            reached.insert(name, def);
        }
    }
    let text = |v: &BTreeMap<String, Value>| serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    BodySchemas { bodies: text(&bodies), definitions: text(&reached) }
}

/// The JSON Schema a request body of Rust type `ty` is checked against: a `$ref` to the model
/// for a model, an array of such refs for a `Vec` of a model, and `None` for anything else
/// (scalars, free JSON).
fn body_schema(ty: &TypeRef) -> Option<Value> {
    let model = |t: &TypeRef| t.model().map(|n| json!({ "$ref": format!("#/components/schemas/{n}") }));
    match ty.vec_item() {
        Some(item) => model(item).map(|items| json!({ "type": "array", "items": items })),
        None => model(ty),
    }
}

/// The names of the definitions `value` references.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                if let Some(name) = r.rsplit('/').next() {
                    out.push(name.to_string());
                }
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
