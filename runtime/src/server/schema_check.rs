//! A checker for the JSON Schema subset the request bodies of generated servers use (types,
//! `required`, `properties`, `additionalProperties`, `items`, `enum`, `const`,
//! `anyOf`/`oneOf`/`allOf`, `if`/`then`/`else`, lengths, `pattern`, `format: email`, bounds,
//! item counts, `x-must-equal`). It collects every violation, with the messages of
//! [`crate::validation`].
//!
//! TODO(issue 14, item 2): this is the second validator beside the generated `Validate` impls,
//! moved here unchanged; it is to be replaced by one validator applied to all server input.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::validation::{self as v, Violation};

/// The schemas of one API, parsed once, with every `pattern` compiled once (an invalid one is
/// `None`, which [`v::pattern`] reports as a violation).
#[derive(Debug, Default)]
pub(super) struct Schemas {
    definitions: Map<String, Value>,
    bodies: Map<String, Value>,
    patterns: HashMap<String, Option<regress::Regex>>,
}

impl Schemas {
    /// Parses the definitions and body schemas the generator wrote (JSON objects by name).
    pub(super) fn parse(definitions: &str, bodies: &str) -> Self {
        fn walk(value: &Value, out: &mut HashMap<String, Option<regress::Regex>>) {
            match value {
                Value::Object(map) => {
                    for (key, item) in map {
                        if let (true, Value::String(p)) = (key == "pattern", item) {
                            out.entry(p.clone()).or_insert_with(|| regress::Regex::new(p).ok());
                        }
                        walk(item, out);
                    }
                }
                Value::Array(items) => items.iter().for_each(|item| walk(item, out)),
                _ => {}
            }
        }
        let definitions: Map<String, Value> = serde_json::from_str(definitions).unwrap_or_default();
        let bodies: Map<String, Value> = serde_json::from_str(bodies).unwrap_or_default();
        let mut patterns = HashMap::new();
        definitions.values().chain(bodies.values()).for_each(|schema| walk(schema, &mut patterns));
        Self { definitions, bodies, patterns }
    }

    /// The request-body schema of operation `key`.
    pub(super) fn body(&self, key: &str) -> Option<&Value> {
        self.bodies.get(key)
    }

    /// The definition a local `$ref` (`#/components/schemas/<name>`) points at.
    fn definition(&self, reference: &str) -> Option<&Value> {
        self.definitions.get(reference.rsplit('/').next().unwrap_or_default())
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut current = schema;
        for _ in 0..32 {
            let Some(r) = current.get("$ref").and_then(Value::as_str) else { break };
            match self.definition(r) {
                Some(target) => current = target,
                None => break,
            }
        }
        current
    }

    /// `schema` and the members of its `allOf`/`anyOf`/`oneOf` (resolved, one level).
    fn with_members<'a>(&'a self, schema: &'a Value) -> impl Iterator<Item = &'a Value> {
        let schema = self.resolve(schema);
        let members = ["allOf", "anyOf", "oneOf"]
            .into_iter()
            .filter_map(move |k| schema.get(k).and_then(Value::as_array))
            .flatten()
            .map(|member| self.resolve(member));
        std::iter::once(schema).chain(members)
    }
}

/// The types a schema's `type` keyword allows (one name or a list of names).
fn declared_types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Gives the text of a decoded form body the JSON types its schema asks for, since a form
/// carries only text: integers, numbers and booleans are parsed, and a single value where an
/// array is expected becomes a one-item array. Text that does not parse stays text, for
/// [`check`] to report.
pub(super) fn type_form_text(schemas: &Schemas, value: &mut Value, schema: &Value) {
    type_form_depth(schemas, value, schema, 0);
}

fn type_form_depth(schemas: &Schemas, value: &mut Value, schema: &Value, depth: usize) {
    if depth > 64 {
        return;
    }
    let types: Vec<&str> = schemas.with_members(schema).flat_map(declared_types).collect();
    let has = |t: &str| types.contains(&t);
    if let Value::String(text) = value {
        if has("string") || types.is_empty() {
            return;
        }
        if has("array") {
            *value = Value::Array(vec![std::mem::take(value)]);
        } else {
            let t = text.trim();
            let typed =
                if has("integer") { t.parse::<i64>().map(Value::from).or_else(|_| t.parse::<u64>().map(Value::from)).ok() } else { None };
            let typed = typed.or_else(|| {
                if has("number") {
                    t.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number)
                } else {
                    None
                }
            });
            let typed = typed.or_else(|| match t {
                "true" if has("boolean") => Some(Value::Bool(true)),
                "false" if has("boolean") => Some(Value::Bool(false)),
                "" if has("null") => Some(Value::Null),
                _ => None,
            });
            if let Some(typed) = typed {
                *value = typed;
            }
            return;
        }
    }
    match value {
        Value::Array(items) => {
            if let Some(item_schema) = schemas.with_members(schema).find_map(|s| s.get("items")) {
                for item in items {
                    type_form_depth(schemas, item, item_schema, depth + 1);
                }
            }
        }
        Value::Object(map) => {
            for (name, item) in map.iter_mut() {
                let property = schemas.with_members(schema).find_map(|s| {
                    s.get("properties").and_then(|p| p.get(name)).or_else(|| s.get("additionalProperties").filter(|a| a.is_object()))
                });
                if let Some(property) = property {
                    type_form_depth(schemas, item, property, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn type_matches(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn article(ty: &str) -> &'static str {
    match ty {
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        "null" => "null",
        "array" => "an array",
        "object" => "an object",
        _ => "a value",
    }
}

fn passes(schemas: &Schemas, value: &Value, schema: &Value, path: &str) -> bool {
    let mut errors = Vec::new();
    check(schemas, value, schema, path, &mut errors);
    errors.is_empty()
}

/// Appends every violation of `schema` by `value` (at `path`) to `errors`.
pub(super) fn check(schemas: &Schemas, value: &Value, schema: &Value, path: &str, errors: &mut Vec<Violation>) {
    check_depth(schemas, value, schema, path, errors, 0);
}

fn check_depth(schemas: &Schemas, value: &Value, schema: &Value, path: &str, errors: &mut Vec<Violation>, depth: usize) {
    if depth > 64 {
        return;
    }
    let schema = schemas.resolve(schema);
    let Some(s) = schema.as_object() else { return };
    let types = declared_types(schema);
    if !types.is_empty() && !types.iter().any(|t| type_matches(value, t)) {
        let expected = types.iter().map(|t| article(t)).collect::<Vec<_>>().join(" or ");
        errors.push(Violation::new(path, "type", format!("must be {expected}")));
        return;
    }
    if let Some(Value::Array(allowed)) = s.get("enum") {
        if !allowed.contains(value) {
            let list = allowed.iter().map(Value::to_string).collect::<Vec<_>>().join(", ");
            errors.push(Violation::new(path, "enum", format!("must be one of {list}")));
        }
    }
    if let Some(expected) = s.get("const") {
        if expected != value {
            errors.push(Violation::new(path, "const", format!("must be {expected}")));
        }
    }
    // A discriminator (its mapping completed by the generator) picks the one member the value
    // is checked against, so its violations are reported instead of "no match".
    let discriminator = s.get("discriminator").filter(|d| d.get("x-mapping-complete") == Some(&Value::Bool(true)));
    match (discriminator, value) {
        (Some(d), Value::Object(map)) => {
            let property = d.get("propertyName").and_then(Value::as_str).unwrap_or_default();
            let mapping = d.get("mapping").and_then(Value::as_object);
            let field = v::join(path, property);
            match map.get(property) {
                None => errors.push(Violation::new(&field, "required", "is required: it says which schema the value follows")),
                Some(tag) => {
                    let target = tag.as_str().and_then(|t| mapping?.get(t)?.as_str()).and_then(|r| schemas.definition(r));
                    match target {
                        Some(target) => check_depth(schemas, value, target, path, errors, depth + 1),
                        None => {
                            let allowed =
                                mapping.map(|m| m.keys().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")).unwrap_or_default();
                            errors.push(Violation::new(&field, "discriminator", format!("must be one of {allowed}")));
                        }
                    }
                }
            }
        }
        _ => {
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(alternatives)) = s.get(key) {
                    if !alternatives.iter().any(|alt| passes(schemas, value, alt, path)) {
                        errors.push(Violation::new(path, key, "must match one of the documented alternatives"));
                    }
                }
            }
        }
    }
    if let Some(Value::Array(all)) = s.get("allOf") {
        for sub in all {
            check_depth(schemas, value, sub, path, errors, depth + 1);
        }
    }
    if let (Some(cond), Some(then)) = (s.get("if"), s.get("then")) {
        if passes(schemas, value, cond, path) {
            check_depth(schemas, value, then, path, errors, depth + 1);
        } else if let Some(otherwise) = s.get("else") {
            check_depth(schemas, value, otherwise, path, errors, depth + 1);
        }
    }
    let num = |k: &str| s.get(k).and_then(Value::as_f64);
    let int = |k: &str| s.get(k).and_then(Value::as_u64);
    match value {
        Value::String(text) => {
            if let Some(n) = int("minLength") {
                v::min_length(text, n, path, errors);
            }
            if let Some(n) = int("maxLength") {
                v::max_length(text, n, path, errors);
            }
            if let Some(p) = s.get("pattern").and_then(Value::as_str) {
                match schemas.patterns.get(p) {
                    Some(regex) => v::pattern(text, regex.as_ref(), p, path, errors),
                    None => v::pattern(text, regress::Regex::new(p).ok().as_ref(), p, path, errors),
                }
            }
            if s.get("format").and_then(Value::as_str) == Some("email") {
                v::email(text, path, errors);
            }
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or_default();
            if let Some(m) = num("minimum") {
                v::minimum(x, m, false, path, errors);
            }
            if let Some(m) = num("exclusiveMinimum") {
                v::minimum(x, m, true, path, errors);
            }
            if let Some(m) = num("maximum") {
                v::maximum(x, m, false, path, errors);
            }
            if let Some(m) = num("exclusiveMaximum") {
                v::maximum(x, m, true, path, errors);
            }
        }
        Value::Array(items) => {
            if let Some(n) = int("minItems") {
                v::min_items(items.len(), n, path, errors);
            }
            if let Some(n) = int("maxItems") {
                v::max_items(items.len(), n, path, errors);
            }
            if let Some(item_schema) = s.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check_depth(schemas, item, item_schema, &v::index(path, i), errors, depth + 1);
                }
            }
        }
        Value::Object(map) => {
            let properties = s.get("properties").and_then(Value::as_object);
            if let Some(Value::Array(required)) = s.get("required") {
                for name in required.iter().filter_map(Value::as_str) {
                    if !map.contains_key(name) {
                        errors.push(Violation::new(v::join(path, name), "required", "is required"));
                    }
                }
            }
            for (name, item) in map {
                let field = v::join(path, name);
                match properties.and_then(|p| p.get(name)) {
                    Some(prop) => {
                        check_depth(schemas, item, prop, &field, errors, depth + 1);
                        if let Some(other) = schemas.resolve(prop).get("x-must-equal").and_then(Value::as_str) {
                            if map.get(other).is_some_and(|o| o != item) {
                                errors.push(Violation::new(&field, "x-must-equal", format!("must equal `{other}`")));
                            }
                        }
                    }
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            errors.push(Violation::new(&field, "additionalProperties", "is not a documented field"))
                        }
                        Some(extra @ Value::Object(_)) => check_depth(schemas, item, extra, &field, errors, depth + 1),
                        _ => {}
                    },
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas() -> Schemas {
        let definitions = json!({
            "Order": {
                "type": "object",
                "additionalProperties": false,
                "required": ["sku", "quantity"],
                "properties": {
                    "sku": { "type": "string", "pattern": "^[A-Z]{3}-[0-9]+$" },
                    "quantity": { "type": "integer", "minimum": 1 },
                    "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 2 },
                    "gift": { "type": "boolean" }
                }
            }
        });
        let bodies = json!({ "create": { "$ref": "#/components/schemas/Order" } });
        Schemas::parse(&definitions.to_string(), &bodies.to_string())
    }

    #[test]
    fn collects_every_violation() {
        let s = schemas();
        let schema = s.body("create").expect("body schema").clone();
        let mut errors = Vec::new();
        check(&s, &json!({ "sku": "abc", "quantity": 0, "tags": ["a", "b", "c"], "extra": 1 }), &schema, "", &mut errors);
        let mut found: Vec<(&str, &str)> = errors.iter().map(|e| (e.path.as_str(), e.rule.as_str())).collect();
        // Object keys come in document order only with serde_json's `preserve_order`.
        found.sort_unstable();
        assert_eq!(found, [("extra", "additionalProperties"), ("quantity", "minimum"), ("sku", "pattern"), ("tags", "maxItems")]);
        errors.clear();
        check(&s, &json!({ "sku": "ABC-1", "quantity": 2 }), &schema, "", &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn form_text_gets_the_schema_types() {
        let s = schemas();
        let schema = s.body("create").expect("body schema").clone();
        let mut value = json!({ "sku": "ABC-1", "quantity": "3", "tags": "one", "gift": "true" });
        type_form_text(&s, &mut value, &schema);
        assert_eq!(value, json!({ "sku": "ABC-1", "quantity": 3, "tags": ["one"], "gift": true }));
    }
}
