//! The JSON Schema of every model definition, for the generated `schemars::JsonSchema` impls
//! ([`crate::ir::models::JsonSchemas`]): the definitions after hoisting and renaming (so every
//! model type has one, under its Rust name) and before rules are taken out of them (so patterns,
//! lengths, bounds and formats stay), made a self-contained set of JSON Schema 2020-12
//! definitions:
//!
//! - references to components, `#/components/schemas/<Rust name>`, become `#/$defs/<Rust
//!   name>` (the runtime replaces each by what `schemars` answers for that type); a reference
//!   into a definition that hoisting left (`.../A/properties/b`) is replaced by the schema it
//!   names, any other reference by an empty schema, so nothing dangles;
//! - what lowering wrote for typify is taken back out: the `title`s hoisting gave nested schemas
//!   and definitions (the document's are restored), `x-rust-type`;
//! - OpenAPI's own keywords become JSON Schema: `example` -> `examples`; a `discriminator`
//!   becomes the rule it stands for, as in the server's request view
//!   (`body_schemas::discriminate`: each member of the `oneOf`/`anyOf` only with the tags that
//!   select it, from the complete mapping `models::normalize_discriminator` makes), so a value
//!   matches exactly the member the generated type decodes; `xml` and `externalDocs`, which
//!   JSON Schema does not know, are dropped (3.0's `nullable` and boolean exclusive bounds were
//!   rewritten before lowering: `normalize::json_schema_forms`).
//!
//! The definitions are the *typed view* (`lower::models::typed_view`): where the Rust type is
//! wider than the document (an untyped schema whose keywords apply to one type, `prefixItems`,
//! `patternProperties`, `readOnly` properties not required), the schema is as wide as the type,
//! so every value the type serializes is valid against it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::body_schemas::{LIST, MAP, ONE};
use super::hoist::Hoisted;
use crate::ir::models::JsonSchemas;
use crate::spec::COMPONENT_PREFIX;

/// Where references between the definitions point: `#/$defs/<Rust name>`.
const DEFS_PREFIX: &str = "#/$defs/";

/// Keywords of OpenAPI's Schema Object that JSON Schema does not have (a `discriminator` is
/// made a rule first).
const OPENAPI_ONLY: &[&str] = &["discriminator", "xml", "externalDocs"];

/// The JSON Schemas of `hoisted`'s definitions (see the module docs).
pub fn json_schemas(hoisted: &Hoisted) -> JsonSchemas {
    let mut out = BTreeMap::new();
    for (name, def) in &hoisted.defs {
        let mut schema = def.clone();
        restore_titles(hoisted, name, &mut schema);
        super::models::normalize_discriminator(hoisted, &mut schema);
        out.insert(name.clone(), document_form(hoisted, schema, 0));
    }
    if out.is_empty() {
        return JsonSchemas::default();
    }
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    JsonSchemas { names: out.into_keys().collect(), text }
}

/// Puts back the document's `title`s where hoisting wrote names of ours into definition `name`.
fn restore_titles(hoisted: &Hoisted, name: &str, schema: &mut Value) {
    for ((_, pointer), before) in hoisted.titles.range((name.to_string(), String::new())..).take_while(|((def, _), _)| def == name) {
        let Some(Value::Object(map)) = schema.pointer_mut(pointer) else { continue };
        match before {
            Some(title) => map.insert("title".into(), title.clone()),
            None => map.remove("title"),
        };
    }
}

/// One schema in the form of the module docs; `depth` bounds the inlining of references into
/// definitions (which may be recursive).
fn document_form(hoisted: &Hoisted, schema: Value, depth: usize) -> Value {
    let Value::Object(mut map) = schema else { return schema };
    if let Some(Value::String(reference)) = map.remove("$ref") {
        match reference.strip_prefix(COMPONENT_PREFIX) {
            Some(name) if !name.contains('/') && hoisted.defs.contains_key(name) => {
                map.insert("$ref".into(), Value::String(format!("{DEFS_PREFIX}{name}")));
            }
            Some(deep) if depth < 16 => {
                // A reference into a definition: its target, inline (siblings win).
                let (def, pointer) = deep.split_once('/').unwrap_or((deep, ""));
                let target = hoisted.defs.get(&crate::diag::unescape_token(def)).and_then(|d| d.pointer(&format!("/{pointer}")));
                if let Some(Value::Object(target)) = target.cloned().map(|t| document_form(hoisted, t, depth + 1)) {
                    for (k, v) in target {
                        map.entry(k).or_insert(v);
                    }
                }
            }
            // Anything else would dangle: the schema accepts what its siblings accept.
            _ => {}
        }
    }
    map.remove("x-rust-type");
    super::body_schemas::discriminate(&mut map);
    for key in OPENAPI_ONLY {
        map.remove(*key);
    }
    if let Some(example) = map.remove("example") {
        map.entry("examples").or_insert_with(|| Value::Array(vec![example]));
    }
    let map: Map<String, Value> = map
        .into_iter()
        .map(|(k, v)| {
            let v = if ONE.contains(&k.as_str()) {
                document_form(hoisted, v, depth)
            } else if LIST.contains(&k.as_str()) {
                match v {
                    Value::Array(items) => Value::Array(items.into_iter().map(|s| document_form(hoisted, s, depth)).collect()),
                    other => other,
                }
            } else if MAP.contains(&k.as_str()) {
                match v {
                    Value::Object(subs) => Value::Object(subs.into_iter().map(|(n, s)| (n, document_form(hoisted, s, depth))).collect()),
                    other => other,
                }
            } else {
                v
            };
            (k, v)
        })
        .collect();
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use super::*;

    fn hoisted(defs: Value) -> Hoisted {
        let mut h = Hoisted::new(BTreeSet::new(), BTreeMap::new());
        for (name, def) in defs.as_object().expect("an object") {
            h.defs.insert(name.clone(), def.clone());
        }
        h
    }

    #[test]
    fn references_point_into_the_definitions_and_openapi_keywords_go() {
        let mut h = hoisted(json!({
            "Pet": {"type": "object", "title": "PetName", "discriminator": {"propertyName": "kind"}, "example": {"kind": "cat"},
                    "x-rust-type": {"crate": "x", "path": "x::Y", "version": "*"},
                    "properties": {
                        "owner": {"$ref": "#/components/schemas/Owner", "description": "kept"},
                        "tag": {"$ref": "#/components/schemas/Owner/properties/name"},
                        "far": {"$ref": "#/components/schemas/Missing"},
                        "status": {"type": "string", "enum": ["a"], "title": "PetStatus"},
                        "default": {"type": "string", "example": {"$ref": "#/components/schemas/Owner"}}
                    }},
            "Owner": {"type": "object", "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}}}
        }));
        h.titles.insert(("Pet".into(), "/properties/status".into()), None);
        h.titles.insert(("Pet".into(), String::new()), Some(json!("Pet name")));
        let schemas = json_schemas(&h);
        assert_eq!(schemas.names.iter().map(String::as_str).collect::<Vec<_>>(), ["Owner", "Pet"]);
        let parsed: Value = serde_json::from_str(&schemas.text).expect("JSON");
        assert_eq!(
            parsed["Pet"],
            json!({"type": "object", "title": "Pet name", "examples": [{"kind": "cat"}], "properties": {
                "owner": {"$ref": "#/$defs/Owner", "description": "kept"},
                "tag": {"type": "string", "pattern": "^[a-z]+$"},
                "far": {},
                "status": {"type": "string", "enum": ["a"]},
                "default": {"type": "string", "examples": [{"$ref": "#/components/schemas/Owner"}]}
            }})
        );
        assert!(schemas.text.ends_with("}\n"));
    }

    #[test]
    fn a_discriminator_becomes_the_rule_it_stands_for() {
        let mut h = hoisted(json!({
            "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                    "discriminator": {"propertyName": "kind", "mapping": {"c": "#/components/schemas/Cat"}}},
            "Cat": {"type": "object", "properties": {"kind": {"type": "string"}}},
            "Dog": {"type": "object", "properties": {"kind": {"type": "string"}}}
        }));
        h.renames.insert("dog".into(), "Dog".into());
        let parsed: Value = serde_json::from_str(&json_schemas(&h).text).expect("JSON");
        let selected = |tag: &str| json!({"properties": {"kind": {"enum": [tag]}}, "required": ["kind"]});
        assert_eq!(
            parsed["Pet"],
            json!({"oneOf": [
                {"allOf": [{"$ref": "#/$defs/Cat"}, selected("c")]},
                {"allOf": [{"$ref": "#/$defs/Dog"}, selected("dog")]}
            ]})
        );
    }

    #[test]
    fn no_definitions_no_text() {
        assert_eq!(json_schemas(&hoisted(json!({}))), JsonSchemas::default());
    }
}
