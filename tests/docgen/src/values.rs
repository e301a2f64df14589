//! Random request bodies for a document's schemas, for the differential test of a generated
//! server's validation (`tests/validation_differential.rs`): [`instance`] aims at a valid value
//! of a schema (following `$ref`s into `components/schemas`, picking members of unions,
//! honouring the common limits and formats), and [`mutate`] breaks one random spot of a value
//! (a type, a missing or unknown field, a limit overstepped, a decimal that is a whole number).
//! Neither is guaranteed to be valid or invalid: a JSON Schema validator is the oracle, and the
//! server must agree with it.

use serde_json::{json, Map, Value};

use crate::Rng;

/// The deepest nesting [`instance`] builds; below it, optional parts are left out.
const MAX_DEPTH: u32 = 6;

/// A value meant to be valid for `schema`, whose `$ref`s point into `doc`.
pub fn instance(schema: &Value, doc: &Value, rng: &mut Rng) -> Value {
    value(schema, doc, rng, 0)
}

fn resolve<'a>(schema: &'a Value, doc: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..16 {
        match current.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')).and_then(|p| doc.pointer(p)) {
            Some(target) => current = target,
            None => break,
        }
    }
    current
}

fn value(schema: &Value, doc: &Value, rng: &mut Rng, depth: u32) -> Value {
    let schema = resolve(schema, doc);
    let Some(s) = schema.as_object() else {
        return if schema == &Value::Bool(false) { Value::Null } else { json!(rng.below(10)) };
    };
    if let Some(c) = s.get("const") {
        return c.clone();
    }
    if let Some(Value::Array(values)) = s.get("enum") {
        if !values.is_empty() {
            return rng.pick(values);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = s.get(key) {
            if !members.is_empty() {
                let member = rng.pick(members);
                let mut v = value(&member, doc, rng, depth + 1);
                merge_siblings(s, &mut v, doc, rng, depth);
                return v;
            }
        }
    }
    if let Some(Value::Array(members)) = s.get("allOf") {
        let mut out = Value::Null;
        for m in members {
            let v = value(m, doc, rng, depth + 1);
            out = match (out, v) {
                (Value::Object(mut a), Value::Object(b)) => {
                    a.extend(b);
                    Value::Object(a)
                }
                (Value::Null, v) => v,
                (a, _) => a,
            };
        }
        merge_siblings(s, &mut out, doc, rng, depth);
        return out;
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ if s.contains_key("properties") || s.contains_key("additionalProperties") => vec!["object"],
        _ if s.contains_key("items") || s.contains_key("prefixItems") => vec!["array"],
        _ => vec!["string", "integer", "object"],
    };
    let ty = if types.len() > 1 && types.contains(&"null") && rng.chance(70) {
        types.iter().copied().find(|t| *t != "null").unwrap_or("null")
    } else {
        types[rng.below(types.len())]
    };
    typed(s, ty, doc, rng, depth)
}

/// The object keywords beside a union (`{properties, oneOf}`), applied to the member's value.
fn merge_siblings(s: &Map<String, Value>, v: &mut Value, doc: &Value, rng: &mut Rng, depth: u32) {
    if let (Some(Value::Object(_)), Value::Object(map)) = (s.get("properties"), v) {
        if let Value::Object(extra) = typed(s, "object", doc, rng, depth) {
            for (k, x) in extra {
                map.entry(k).or_insert(x);
            }
        }
    }
}

fn typed(s: &Map<String, Value>, ty: &str, doc: &Value, rng: &mut Rng, depth: u32) -> Value {
    let num = |k: &str| s.get(k).and_then(Value::as_f64);
    let count = |k: &str| s.get(k).and_then(Value::as_u64).map(|n| n as usize);
    match ty {
        "null" => Value::Null,
        "boolean" => Value::Bool(rng.chance(50)),
        "integer" | "number" => {
            let lo = num("minimum").or(num("exclusiveMinimum").map(|m| m + 1.0)).unwrap_or(0.0);
            let hi = num("maximum").or(num("exclusiveMaximum").map(|m| m - 1.0)).unwrap_or(lo + 100.0).max(lo);
            let mut x = (lo + (hi - lo) * (rng.below(1000) as f64 / 1000.0)).round();
            if let Some(m) = num("multipleOf").filter(|m| *m > 0.0) {
                x = (x / m).ceil() * m;
            }
            if ty == "integer" {
                json!(x as i64)
            } else {
                json!(x)
            }
        }
        "string" => string(s, rng),
        "array" => {
            let min = count("minItems").unwrap_or(0);
            let max = count("maxItems").unwrap_or(min + 3).max(min);
            let n = if depth >= MAX_DEPTH { min } else { rng.range(min, max.min(min + 3)) };
            let mut items = Vec::new();
            if let Some(Value::Array(prefix)) = s.get("prefixItems") {
                items.extend(prefix.iter().map(|p| value(p, doc, rng, depth + 1)));
            }
            let item = s.get("items").cloned().unwrap_or(json!({}));
            while items.len() < n {
                items.push(value(&item, doc, rng, depth + 1));
            }
            if s.get("uniqueItems") == Some(&Value::Bool(true)) {
                let mut unique: Vec<Value> = Vec::new();
                for item in items.drain(..) {
                    if !unique.contains(&item) {
                        unique.push(item);
                    }
                }
                items = unique;
            }
            Value::Array(items)
        }
        _ => {
            let mut map = Map::new();
            let required: Vec<&str> = s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            if let Some(Value::Object(props)) = s.get("properties") {
                for (name, p) in props {
                    let read_only = resolve(p, doc).get("readOnly") == Some(&Value::Bool(true));
                    let wanted = required.contains(&name.as_str()) || (depth < MAX_DEPTH && !read_only && rng.chance(50));
                    if wanted {
                        map.insert(name.clone(), value(p, doc, rng, depth + 1));
                    }
                }
            }
            for name in required {
                map.entry(name.to_string()).or_insert_with(|| json!("x"));
            }
            if let Some(extra @ Value::Object(_)) = s.get("additionalProperties") {
                if depth < MAX_DEPTH && rng.chance(30) {
                    map.insert(format!("extra{}", rng.below(100)), value(extra, doc, rng, depth + 1));
                }
            }
            Value::Object(map)
        }
    }
}

fn string(s: &Map<String, Value>, rng: &mut Rng) -> Value {
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = s.get("maxLength").and_then(Value::as_u64).map_or(min + 8, |m| m as usize).max(min);
    let text = match s.get("format").and_then(Value::as_str) {
        Some("date-time") => "2024-02-29T12:30:00Z".to_string(),
        Some("date") => "2024-02-29".to_string(),
        Some("time") => "12:30:00Z".to_string(),
        Some("uuid") => "123e4567-e89b-12d3-a456-426614174000".to_string(),
        Some("email") => "ada@example.com".to_string(),
        Some("uri") => "https://example.com/a".to_string(),
        Some("ipv4") => "192.0.2.1".to_string(),
        Some("ipv6") => "2001:db8::1".to_string(),
        Some("byte") => "aGVsbG8=".to_string(),
        _ => {
            let n = rng.range(min, max.min(min + 8));
            (0..n).map(|_| (b'a' + rng.below(26) as u8) as char).collect()
        }
    };
    Value::String(text)
}

/// `value` with one random spot broken: a leaf of another type, a required-looking field
/// removed, an unknown field added, a string lengthened or emptied, a number pushed far out
/// of range or written as a decimal, `null` in place of a value.
pub fn mutate(value: &mut Value, rng: &mut Rng) {
    // Pick a spot: a random path down, as a JSON pointer.
    let mut pointer = String::new();
    let mut at: &Value = value;
    loop {
        let descend = rng.chance(60);
        match at {
            Value::Object(map) if descend && !map.is_empty() => {
                let (key, next) = map.iter().nth(rng.below(map.len())).expect("in range");
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                at = next;
            }
            Value::Array(items) if descend && !items.is_empty() => {
                let i = rng.below(items.len());
                pointer.push_str(&format!("/{i}"));
                at = &items[i];
            }
            _ => break,
        }
    }
    let Some(spot) = value.pointer_mut(&pointer) else { return };
    match rng.below(7) {
        0 => *spot = Value::Null,
        1 => {
            *spot = match spot {
                Value::String(_) => json!(7),
                Value::Number(_) => json!("7"),
                Value::Bool(_) => json!(0),
                Value::Array(_) => json!({}),
                Value::Object(_) => json!([]),
                Value::Null => json!(false),
            }
        }
        2 => match spot {
            Value::Object(map) if !map.is_empty() => {
                let key = map.keys().nth(rng.below(map.len())).cloned().unwrap_or_default();
                map.remove(&key);
            }
            Value::Object(map) => {
                map.insert("unknown".into(), json!(1));
            }
            other => *other = json!({}),
        },
        3 => match spot {
            Value::Object(map) => {
                map.insert(format!("unknown{}", rng.below(10)), json!("x"));
            }
            Value::Array(items) => items.push(json!("x")),
            other => *other = json!([]),
        },
        4 => match spot {
            Value::String(text) => text.push_str(&"z".repeat(300)),
            Value::Number(n) => *spot = json!(n.as_f64().unwrap_or_default() + 1e12),
            Value::Array(items) => items.clear(),
            _ => {}
        },
        5 => match spot {
            Value::String(text) => text.clear(),
            Value::Number(n) => *spot = json!(-(n.as_f64().unwrap_or_default()) - 1e12),
            Value::Array(items) => {
                if let Some(first) = items.first().cloned() {
                    items.push(first);
                }
            }
            _ => {}
        },
        _ => {
            if let Value::Number(n) = spot {
                if let Some(i) = n.as_i64() {
                    // A whole number written as a decimal: still the same integer.
                    *spot = json!(i as f64);
                }
            }
        }
    }
}

/// The components of `doc` (a docgen document) as the request bodies of a document of their
/// own: `POST /bodies/<i>` takes component `i` as a required JSON body, with no parameters or
/// security, so any body can be sent to its generated server.
pub fn bodies_document(doc: &Value) -> Value {
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    // Components are renamed `Body<i>`: the merged documents' prefixed names (`s4.v2Pet`) are
    // not what this test is about.
    let names: Vec<(String, String)> = schemas.keys().enumerate().map(|(i, name)| (name.clone(), format!("Body{i}"))).collect();
    let mut renamed = Map::new();
    for (old, new) in &names {
        let mut schema = schemas[old].clone();
        rename_refs(&mut schema, &names);
        renamed.insert(new.clone(), schema);
    }
    let mut paths = Map::new();
    for (i, (old, new)) in names.iter().enumerate() {
        paths.insert(
            format!("/bodies/{i}"),
            json!({ "post": {
                "operationId": format!("body_{i}"),
                "summary": format!("Takes a `{old}`."),
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{new}") } } } },
                "responses": { "204": { "description": "The body is valid." } }
            } }),
        );
    }
    json!({
        "openapi": doc.get("openapi").cloned().unwrap_or(json!("3.1.0")),
        "info": { "title": "Request bodies", "version": "1.0.0", "description": "The components of random docgen documents as request bodies (tests/validation_differential.rs)." },
        "paths": paths,
        "components": { "schemas": renamed }
    })
}

fn rename_refs(value: &mut Value, names: &[(String, String)]) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                if let Some(rest) = r.strip_prefix("#/components/schemas/") {
                    let (name, tail) = rest.split_once('/').map_or((rest, String::new()), |(n, t)| (n, format!("/{t}")));
                    let name = name.replace("~1", "/").replace("~0", "~");
                    if let Some((_, new)) = names.iter().find(|(old, _)| *old == name) {
                        *r = format!("#/components/schemas/{new}{tail}");
                    }
                }
            }
            map.values_mut().for_each(|v| rename_refs(v, names));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, names)),
        _ => {}
    }
}

/// The seeds of the differential test's document (`tests/fixtures/request-bodies`).
pub const BODY_SEEDS: [u64; 8] = [11, 12, 13, 14, 15, 16, 17, 18];
