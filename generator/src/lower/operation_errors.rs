//! The server's built-in error bodies, per operation, in the shape the operation documents
//! ([`lower`]), and the check that the API's `x-server-errors` bodies satisfy it.
//!
//! A generated server answers requests that never reach the implementation (invalid input,
//! bad credentials, an unknown route of a known path, a panic, ...) with the API's error table
//! ([`super::server_errors`]). Without `x-server-errors` that table is a plain
//! `{"message": ...}`, which breaks the error schema most APIs document: so for each operation
//! and each rejection, the documented response of its status is chosen (exactly, else its class
//! `4XX`, else `default`, else the documented 4xx code with JSON content nearest to it), and a body template is
//! synthesized from that response's JSON schema ([`super::synth::template`]): its smallest
//! conforming value, with the runtime's placeholders where a property can hold them unchanged
//! (message-like strings get `{{message}}`, `error`/`reason`/`title` strings `{{reason}}`,
//! integer `code`/`status` properties `{{status}}` when 400..=599 fits their bounds). Each
//! template is checked ([`conforms`]) with its placeholders filled in; one that does not
//! conform is a warning (an error documented as text or raw bytes needs none: the client reads
//! any body as it comes) with the pointer of
//! the response (the API's table answers there).
//!
//! The API's table itself, which answers requests no operation serves (an unknown path: 404; a
//! method the path does not serve: 405, with `Allow`) and operations that document no error,
//! takes for each rejection the template most operations answer it with.
//!
//! With `x-server-errors`, the extension is the API author's decision and is kept; but each of
//! its bodies is checked against the schema each operation documents for its status, and a
//! missing key of the seven main rejections, or a body that does not conform, is a warning.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::synth;
use crate::diag::{join_pointer, Diagnostics, WarningClass};
use crate::ir::server::{OperationErrors, OperationTemplate, ServerErrors};
use crate::ir::Operation;
use crate::spec::{deref, Bundle};

/// The rejections every server can answer with, which `x-server-errors` should all map.
const MAIN_KEYS: [&str; 7] =
    ["validation", "malformedBody", "invalidParameters", "unauthorized", "notFound", "payloadTooLarge", "internal"];

/// Fills `errors.operations` (without `x-server-errors`), and returns the warnings.
pub fn lower(bundle: &Bundle, operations: &[Operation], errors: &mut ServerErrors) -> Diagnostics {
    let doc = &bundle.document;
    let empty = serde_json::Map::new();
    let defs = doc.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty);
    let extension = doc.get(super::server_errors::EXTENSION);
    let mut warnings = Diagnostics::default();
    if let Some(ext) = extension.and_then(Value::as_object) {
        let missing: Vec<&str> = MAIN_KEYS.iter().copied().filter(|k| !ext.contains_key(*k)).collect();
        if !missing.is_empty() {
            warnings.push(
                bundle
                    .diagnostic(
                        &format!("/{}", super::server_errors::EXTENSION),
                        format!(
                            "`{}` has no entry for {}: the server answers those with a plain `{{\"message\": ...}}` body",
                            super::server_errors::EXTENSION,
                            missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .with_help("add the missing keys, or remove the extension to get bodies synthesized from each operation's error schema")
                    .with_class(WarningClass::ServerErrorShape)
                    .warning(),
            );
        }
    }
    let mut table = OperationErrors::default();
    let mut index_of: BTreeMap<String, usize> = BTreeMap::new();
    // Per rejection key, how many operations answer it with each template.
    let mut votes: BTreeMap<&'static str, BTreeMap<usize, usize>> = BTreeMap::new();
    // One warning per (rejection key, response pointer) at most.
    let mut warned = std::collections::BTreeSet::new();
    for op in operations {
        let op_ptr = join_pointer(&join_pointer("/paths", &op.path), &op.method.as_str().to_ascii_lowercase());
        let Some(responses) = doc.pointer(&format!("{op_ptr}/responses")).and_then(Value::as_object) else { continue };
        let mut chosen = BTreeMap::new();
        for (key, api_template) in errors.by_key() {
            let status = api_template.status;
            let has_json = |key: &str| {
                deref(doc, &responses[key]).get("content").and_then(Value::as_object).is_some_and(|c| c.keys().any(|m| m.contains("json")))
            };
            let Some(response_key) = documented_for(responses.keys().map(String::as_str), status, has_json) else { continue };
            let at = join_pointer(&join_pointer(&op_ptr, "responses"), response_key);
            let response = deref(doc, &responses[response_key]);
            let Some(content) = response.get("content").and_then(Value::as_object).filter(|c| !c.is_empty()) else { continue };
            // Text and raw bodies are read as they come: any body the server sends is one.
            let Some((media, m)) = content.iter().find(|(media, _)| media.contains("json")) else { continue };
            let schema = m.get("schema").cloned().unwrap_or(Value::Bool(true));
            let schema_at = join_pointer(&join_pointer(&join_pointer(&at, "content"), media), "schema");
            if extension.is_some() {
                let filled = fill(&api_template.body, status);
                if let Err(why) = conforms(&filled, &schema, defs, 0) {
                    if warned.insert((key.to_string(), at.clone())) {
                        warnings.push(
                            bundle
                                .diagnostic(
                                    &schema_at,
                                    format!("the `{key}` body of `{}` does not satisfy this error schema: {why}", super::server_errors::EXTENSION),
                                )
                                .with_help("make the body of the extension match the documented error schema, or remove the extension to get bodies synthesized from it")
                                .with_class(WarningClass::ServerErrorShape)
                                .warning(),
                        );
                    }
                }
                continue;
            }
            let body = with_message(synth::template(&schema, defs, &placeholder), &schema, defs);
            if let Err(why) = conforms(&fill(&body, status), &schema, defs, 0) {
                if warned.insert((key.to_string(), at.clone())) {
                    warnings.push(
                        bundle
                            .diagnostic(&schema_at, format!("no `{key}` error body satisfying this schema could be built ({why}): the server answers with `{{\"message\": ...}}` here"))
                            .with_help("simplify the error schema, or give the API's error bodies with `x-server-errors`")
                            .with_class(WarningClass::ServerErrorShape)
                            .warning(),
                    );
                }
                continue;
            }
            let text = body.to_string();
            let next = table.templates.len();
            let index = *index_of.entry(text).or_insert(next);
            if index == next {
                table.templates.push(OperationTemplate { status: None, body });
            }
            chosen.insert(key.to_string(), index);
            *votes.entry(key).or_default().entry(index).or_default() += 1;
        }
        // One template for every rejection: the runtime's `default` entry says it once.
        let first = chosen.values().next().copied();
        if chosen.len() == errors.by_key().len() && chosen.values().all(|i| Some(*i) == first) {
            chosen = BTreeMap::from([("default".to_string(), first.unwrap_or_default())]);
        }
        if !chosen.is_empty() {
            table.operations.insert(op.rust_name.trim_start_matches("r#").to_string(), chosen);
        }
    }
    // The answers of no operation (an unknown path, a method no operation of the path serves,
    // an over-long head met by the router's fallbacks) and of operations that document no error
    // come from the API's table: without the extension, each rejection there takes the template
    // most operations answer it with (the first on a tie), so it too is in the API's documented
    // error shape; its status stays the rejection's.
    if extension.is_none() {
        for (key, template) in errors.by_key_mut() {
            let best = votes.get(key).and_then(|v| v.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(i, _)| *i));
            if let Some(chosen) = best.and_then(|i| table.templates.get(i)) {
                template.body = chosen.body.clone();
            }
        }
    }
    errors.operations = table;
    warnings
}

/// The documented response key for `status`: exactly, else its class, else `default`, else the
/// documented 4xx code nearest to it (the lower one on a tie).
/// Only responses `usable` (with JSON content) are candidates for the nearest 4xx: it stands in
/// for a status the operation does not document, so one without JSON is passed over.
pub fn documented_for<'a>(keys: impl Iterator<Item = &'a str> + Clone, status: u16, usable: impl Fn(&str) -> bool) -> Option<&'a str> {
    let code = status.to_string();
    let class = format!("{}XX", status / 100);
    keys.clone()
        .find(|k| *k == code)
        .or_else(|| keys.clone().find(|k| k.eq_ignore_ascii_case(&class)))
        .or_else(|| keys.clone().find(|k| *k == "default"))
        .or_else(|| {
            keys.filter(|k| usable(k))
                .filter_map(|k| k.parse::<u16>().ok().filter(|c| (400..500).contains(c)).map(|c| (c.abs_diff(status), c, k)))
                .min()
                .map(|(_, _, k)| k)
        })
}

/// `body` with an optional message-like property of the schema added (holding `{{message}}`)
/// when no required one carries the violations.
fn with_message(mut body: Value, schema: &Value, defs: &dyn synth::Definitions) -> Value {
    if body.to_string().contains("{{message}}") {
        return body;
    }
    let mut schema = schema;
    for _ in 0..8 {
        match schema.get("$ref").and_then(Value::as_str).and_then(|r| defs.schema(r.rsplit('/').next().unwrap_or_default())) {
            Some(next) => schema = next,
            None => break,
        }
    }
    let Some(map) = body.as_object_mut() else { return body };
    for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        if map.contains_key(name) {
            continue;
        }
        if placeholder(name, property) == Some(json!("{{message}}")) {
            map.insert(name.clone(), json!("{{message}}"));
            break;
        }
    }
    body
}

/// The placeholder a property of an error body holds, when it can hold it unchanged.
fn placeholder(name: &str, schema: &Value) -> Option<Value> {
    let name = name.to_ascii_lowercase().replace(['_', '-'], "");
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null")?,
        _ => return None,
    };
    let constrained = ["enum", "const", "pattern", "maxLength", "multipleOf", "allOf", "oneOf", "anyOf", "not"]
        .iter()
        .any(|k| schema.get(k).is_some())
        // Integer formats hold any status; a string format would not hold a message.
        || schema.get("format").and_then(Value::as_str).is_some_and(|f| !matches!(f, "int32" | "int64" | "int16" | "uint32"));
    if constrained {
        return None;
    }
    match ty {
        "string" if schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) <= 1 => match name.as_str() {
            "message" | "msg" | "detail" | "details" | "errormessage" | "description" | "errordescription" | "reasonphrase" => {
                Some(json!("{{message}}"))
            }
            "error" | "reason" | "title" | "errorname" => Some(json!("{{reason}}")),
            _ => None,
        },
        "integer" | "number" => {
            let fits = schema.get("minimum").and_then(Value::as_f64).is_none_or(|m| m <= 400.0)
                && schema.get("maximum").and_then(Value::as_f64).is_none_or(|m| m >= 599.0)
                && schema.get("exclusiveMinimum").and_then(Value::as_f64).is_none_or(|m| m < 400.0)
                && schema.get("exclusiveMaximum").and_then(Value::as_f64).is_none_or(|m| m > 599.0);
            (fits && matches!(name.as_str(), "code" | "status" | "statuscode" | "httpstatus" | "httpcode" | "errorcode"))
                .then(|| json!("{{status}}"))
        }
        _ => None,
    }
}

/// `template` with the runtime's placeholders filled in as for a rejection of `status` (a
/// sample message, path and field).
pub fn fill(template: &Value, status: u16) -> Value {
    let reason = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        500 => "Internal Server Error",
        _ => "Error",
    };
    match template {
        Value::String(s) if s == "{{status}}" => json!(status),
        Value::String(s) => Value::String(
            s.replace("{{message}}", "name: too short (minLength)")
                .replace("{{path}}", "/example")
                .replace("{{status}}", &status.to_string())
                .replace("{{reason}}", reason),
        ),
        Value::Object(map) if map.len() == 1 && map.contains_key("{{field}}") => json!({ "name": ["too short (minLength)"] }),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), fill(v, status))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, status)).collect()),
        other => other.clone(),
    }
}

/// Whether `value` satisfies `schema` (the keywords error schemas use: `type`, `enum`,
/// `const`, `required`, `properties`, `additionalProperties: false`, `items`, `minItems`,
/// `maxItems`, string lengths and `pattern`, numeric bounds, `allOf`/`anyOf`/`oneOf`); the
/// reason when it does not.
pub fn conforms(value: &Value, schema: &Value, defs: &dyn synth::Definitions, depth: usize) -> Result<(), String> {
    if depth > 16 {
        return Ok(());
    }
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => match defs.schema(r.rsplit('/').next().unwrap_or_default()) {
            Some(d) => return conforms(value, d, defs, depth + 1),
            None => return Ok(()),
        },
        None => schema,
    };
    if schema == &Value::Bool(false) {
        return Err("no value is allowed".into());
    }
    if let Some(c) = schema.get("const") {
        if c != value {
            return Err(format!("must be {c}"));
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(value) {
            return Err(format!("{value} is not one of {}", Value::Array(e.clone())));
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = schema.get("nullable").and_then(Value::as_bool).unwrap_or(false);
    let kind_ok = |t: &str| match (t, value) {
        ("object", Value::Object(_)) | ("array", Value::Array(_)) | ("string", Value::String(_)) | ("boolean", Value::Bool(_)) => true,
        ("null", Value::Null) | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    };
    let fits = types.is_empty() || types.iter().any(|t| kind_ok(t)) || (nullable && value.is_null());
    if !fits {
        return Err(format!("{value} is not of type {}", types.join(" or ")));
    }
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        conforms(value, member, defs, depth + 1)?;
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(members) = schema.get(key).and_then(Value::as_array) {
            if !members.iter().any(|m| conforms(value, m, defs, depth + 1).is_ok()) {
                return Err(format!("{value} matches no member of `{key}`"));
            }
        }
    }
    let num = |k: &str| schema.get(k).and_then(Value::as_f64);
    let count = |k: &str| schema.get(k).and_then(Value::as_u64);
    match value {
        Value::Object(map) => {
            for r in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                if !map.contains_key(r) {
                    return Err(format!("required property `{r}` is missing"));
                }
            }
            let properties = schema.get("properties").and_then(Value::as_object);
            for (k, v) in map {
                match properties.and_then(|p| p.get(k)) {
                    Some(p) => conforms(v, p, defs, depth + 1).map_err(|e| format!("`{k}`: {e}"))?,
                    None => match schema.get("additionalProperties") {
                        Some(Value::Bool(false)) => return Err(format!("property `{k}` is not allowed")),
                        Some(extra @ Value::Object(_)) => conforms(v, extra, defs, depth + 1).map_err(|e| format!("`{k}`: {e}"))?,
                        _ => {}
                    },
                }
            }
            if count("minProperties").is_some_and(|m| (map.len() as u64) < m) {
                return Err("too few properties".into());
            }
        }
        Value::Array(items) => {
            if count("minItems").is_some_and(|m| (items.len() as u64) < m) {
                return Err("too few items".into());
            }
            if count("maxItems").is_some_and(|m| (items.len() as u64) > m) {
                return Err("too many items".into());
            }
            if let Some(item) = schema.get("items") {
                for v in items {
                    conforms(v, item, defs, depth + 1)?;
                }
            }
        }
        Value::String(s) => {
            let len = s.chars().count() as u64;
            if count("minLength").is_some_and(|m| len < m) || count("maxLength").is_some_and(|m| len > m) {
                return Err(format!("{value} has the wrong length"));
            }
            if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
                if !synth::matches(p, s) {
                    return Err(format!("{value} does not match `{p}`"));
                }
            }
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            if num("minimum").is_some_and(|m| x < m) || num("maximum").is_some_and(|m| x > m) {
                return Err(format!("{value} is out of bounds"));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_carry_placeholders_and_conform() {
        let defs: BTreeMap<String, Value> = BTreeMap::new();
        let schema = json!({"type": "object", "required": ["code", "message", "errors"],
            "properties": {"code": {"type": "integer", "format": "int32"}, "message": {"type": "string"},
                           "errors": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["bad"]}}}});
        let body = synth::template(&schema, &defs, &placeholder);
        assert_eq!(body, json!({"code": "{{status}}", "message": "{{message}}", "errors": ["bad"]}));
        assert!(conforms(&fill(&body, 404), &schema, &defs, 0).is_ok());
        let schema = json!({"type": "object", "required": ["status", "error"],
            "properties": {"status": {"type": "integer"}, "error": {"type": "string"}}});
        let body = synth::template(&schema, &defs, &placeholder);
        assert_eq!(fill(&body, 401), json!({"status": 401, "error": "Unauthorized"}));
        // An optional message-like property carries the violations when no required one does.
        let schema = json!({"type": "object", "required": ["code"],
            "properties": {"code": {"type": "integer"}, "detail": {"type": ["string", "null"]}}});
        let body = with_message(synth::template(&schema, &defs, &placeholder), &schema, &defs);
        assert_eq!(body, json!({"code": "{{status}}", "detail": "{{message}}"}));
        // The plain default body breaks it.
        assert!(conforms(&json!({"message": "x"}), &schema, &defs, 0).is_err());
    }

    #[test]
    fn the_nearest_documented_response_is_chosen() {
        let keys = ["200", "400", "403", "default"];
        assert_eq!(documented_for(keys.iter().copied(), 400, |_| true), Some("400"));
        assert_eq!(documented_for(keys.iter().copied(), 404, |_| true), Some("default"));
        let keys = ["200", "400", "422", "5XX"];
        assert_eq!(documented_for(keys.iter().copied(), 500, |_| true), Some("5XX"));
        assert_eq!(documented_for(keys.iter().copied(), 415, |_| true), Some("422"));
        assert_eq!(documented_for(keys.iter().copied(), 401, |_| true), Some("400"));
        // The nearest 4xx only among responses with JSON content.
        assert_eq!(documented_for(keys.iter().copied(), 401, |k| k != "400"), Some("422"));
    }
}
