//! Normalization: between validation and lowering, turns what real documents contain into what
//! lowering and the type generator handle, and says so.
//!
//! Two passes, both over the bundled document:
//!
//! - [`normalize`] repairs defects of published documents *in the document*, each repair a
//!   warning naming the file, line:column and JSON pointer: undeclared path parameters get a
//!   `string` parameter, stray ones are dropped, duplicate operationIds are made unique,
//!   requirements of undeclared security schemes are dropped (that requirement then asks for no
//!   credential), identical `oneOf` members are merged, defaults that do not match their schema
//!   are removed, formats a type cannot have are dropped, keywords next to a `$ref` are handled
//!   as the document's version says, and OpenAPI 3.0 forms found in a 3.1 document (`nullable`,
//!   boolean `exclusiveMinimum`) are converted, and a `$ref` to a URL (the generator does no
//!   network I/O) becomes an empty schema (`serde_json::Value`) where a schema is expected and is
//!   left out elsewhere. The result stays a valid document of its own
//!   version: it is the `openapi.json` written next to the crate.
//! - [`json_schema_forms`] then rewrites the OpenAPI 3.0 dialect (`nullable`, boolean
//!   `exclusiveMinimum`/`exclusiveMaximum`) into plain JSON Schema for the type generator. It
//!   changes no meaning and warns about nothing, and runs after `openapi.json` is rendered,
//!   since a 3.0 document must keep its 3.0 forms.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::{deref, path_template_params, Bundle, METHODS};
use crate::diag::{join_pointer, Diagnostics, WarningClass};

/// One repair, before it is located in the file a person edits.
#[derive(Debug)]
struct Change {
    pointer: String,
    message: String,
    help: String,
    /// The kind of repair.
    class: WarningClass,
}

/// Repairs the defects of `bundle`'s document and returns one warning per repair.
pub fn normalize(bundle: &mut Bundle) -> Diagnostics {
    let mut doc = std::mem::take(&mut bundle.document);
    let is_31 = doc.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.1"));
    let mut changes = Vec::new();
    remote_refs(&mut doc, &mut changes);
    operations(&mut doc, &mut changes);
    security(&mut doc, &mut changes);
    let mut schemas = Vec::new();
    collect_schema_pointers(&doc, "", &mut schemas);
    for pointer in &schemas {
        if let Some(Value::Object(map)) = doc.pointer_mut(pointer) {
            fix_schema(map, pointer, is_31, &mut changes);
        }
    }
    // Defaults are checked once every schema is repaired (they may refer to each other).
    let mut invalid = Vec::new();
    for pointer in &schemas {
        let Some(schema) = doc.pointer(pointer) else { continue };
        if let Some(default) = schema.get("default") {
            if !conforms(&doc, schema, default, 0) {
                invalid.push((pointer.clone(), default.clone(), false));
            } else if !writable_default(&doc, schema, default) {
                invalid.push((pointer.clone(), default.clone(), true));
            }
        }
    }
    for (pointer, default, valid) in invalid {
        if let Some(Value::Object(map)) = doc.pointer_mut(&pointer) {
            map.remove("default");
            changes.push(if valid {
                Change {
                    pointer: join_pointer(&pointer, "default"),
                    message: format!(
                        "the default {} matches only some members of an `anyOf` in it, and the type generator fills every member with it: it was removed",
                        short(&default)
                    ),
                    help: "use `oneOf`, or a default every `anyOf` member accepts".into(),
                    class: WarningClass::DefaultDropped,
                }
            } else {
                Change {
                    pointer: join_pointer(&pointer, "default"),
                    message: format!("the default {} does not match its schema: it was removed", short(&default)),
                    help: "fix the default (or the schema) in the document".into(),
                    class: WarningClass::InvalidDefault,
                }
            });
        }
    }
    bundle.document = doc;
    let mut warnings = Diagnostics::default();
    for c in changes {
        warnings.push(bundle.diagnostic(&c.pointer, c.message).with_help(c.help).with_class(c.class).warning());
    }
    warnings.sort();
    warnings
}

/// A value as short text for a message.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

/// References to URLs, which the bundler leaves as written since the generator does no network
/// I/O. Where OpenAPI expects a schema, the reference becomes an empty schema (any JSON value,
/// typed as `serde_json::Value`; the annotations beside it stay); any other object there (a
/// parameter, a response, a security scheme, a path item, ...) is left out of the document, as
/// if it were not written. Either way, a `remote-ref` warning names the reference.
fn remote_refs(doc: &mut Value, changes: &mut Vec<Change>) {
    fn find(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    if super::bundle::is_remote(r) {
                        out.push((pointer.to_string(), r.clone()));
                        return;
                    }
                }
                for (k, v) in map {
                    if k.starts_with("x-") || matches!(k.as_str(), "example" | "examples" | "default" | "const" | "enum" | "value") {
                        continue;
                    }
                    find(v, &join_pointer(pointer, k), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    find(v, &join_pointer(pointer, &i.to_string()), out);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    find(doc, "", &mut found);
    // Deepest and last first, so removing an array element leaves the other pointers valid.
    found.reverse();
    for (pointer, reference) in found {
        let help = "download the referenced document next to the spec and refer to it by relative path".to_string();
        let at = join_pointer(&pointer, "$ref");
        if super::bundle::schema_position(&pointer) == Some(true) {
            if let Some(Value::Object(map)) = doc.pointer_mut(&pointer) {
                map.remove("$ref");
            }
            changes.push(Change {
                pointer: at,
                message: format!(
                    "`$ref` \"{reference}\" points at a URL and the generator does no network I/O: this schema accepts any JSON value (`serde_json::Value`)"
                ),
                help,
                class: WarningClass::RemoteRef,
            });
            continue;
        }
        let Some((parent, key)) = pointer.rsplit_once('/') else { continue };
        let key = crate::diag::unescape_token(key);
        let removed = match doc.pointer_mut(parent) {
            Some(Value::Object(map)) => map.remove(&key).is_some(),
            Some(Value::Array(items)) => match key.parse::<usize>() {
                Ok(i) if i < items.len() => {
                    items.remove(i);
                    true
                }
                _ => false,
            },
            _ => false,
        };
        if removed {
            changes.push(Change {
                pointer: at,
                message: format!(
                    "`$ref` \"{reference}\" points at a URL and the generator does no network I/O: what it refers to was left out"
                ),
                help,
                class: WarningClass::RemoteRef,
            });
        }
    }
}

/// Path parameters and operationIds.
fn operations(doc: &mut Value, changes: &mut Vec<Change>) {
    let snapshot = doc.clone();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    // Every operationId in use, so that a new one never takes a later operation's name.
    let mut all_ids: BTreeSet<String> = BTreeSet::new();
    for item in snapshot.get("paths").and_then(Value::as_object).into_iter().flat_map(|p| p.values()) {
        for method in METHODS {
            if let Some(id) = item.get(*method).and_then(|op| op.get("operationId")).and_then(Value::as_str) {
                all_ids.insert(id.to_string());
            }
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        let item_ptr = join_pointer("/paths", path);
        let template = path_template_params(path);
        let is_path_param = |p: &Value| {
            let p = deref(&snapshot, p);
            (p.get("in").and_then(Value::as_str) == Some("path")).then(|| p.get("name").and_then(Value::as_str).unwrap_or("").to_string())
        };
        // Path-level parameters that are not in the template.
        for (i, p) in item.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten().enumerate() {
            mark_required(p, &join_pointer(&join_pointer(&item_ptr, "parameters"), &i.to_string()), changes);
        }
        if let Some(Value::Array(list)) = item.get_mut("parameters") {
            drop_stray(list, &template, &join_pointer(&item_ptr, "parameters"), &snapshot, changes);
        }
        let item_params: Vec<Value> = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        for method in METHODS {
            let Some(Value::Object(op)) = item.get_mut(*method) else { continue };
            let op_ptr = join_pointer(&item_ptr, method);
            if let Some(id) = op.get("operationId").and_then(Value::as_str).map(String::from) {
                if !ids.insert(id.clone()) {
                    let unique = (1..)
                        .map(|i| if i == 1 { format!("{id}_{method}") } else { format!("{id}_{method}{i}") })
                        .find(|c| !all_ids.contains(c) && !ids.contains(c))
                        .unwrap_or_default();
                    ids.insert(unique.clone());
                    all_ids.insert(unique.clone());
                    op.insert("operationId".into(), Value::String(unique.clone()));
                    changes.push(Change {
                        pointer: join_pointer(&op_ptr, "operationId"),
                        message: format!("duplicate operationId \"{id}\": this operation is generated as \"{unique}\""),
                        help: "operationIds must be unique in a document: rename one".into(),
                        class: WarningClass::DuplicateOperationId,
                    });
                }
            }
            for (i, p) in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten().enumerate() {
                mark_required(p, &join_pointer(&join_pointer(&op_ptr, "parameters"), &i.to_string()), changes);
            }
            if let Some(Value::Array(list)) = op.get_mut("parameters") {
                drop_stray(list, &template, &join_pointer(&op_ptr, "parameters"), &snapshot, changes);
            }
            let declared: BTreeSet<String> = item_params
                .iter()
                .chain(op.get("parameters").and_then(Value::as_array).into_iter().flatten())
                .filter_map(is_path_param)
                .collect();
            for name in &template {
                if declared.contains(name) {
                    continue;
                }
                let list = op.entry("parameters").or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = list {
                    list.push(json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }));
                }
                changes.push(Change {
                    pointer: op_ptr.clone(),
                    message: format!("path parameter `{{{name}}}` of \"{path}\" is not declared: it is generated as a required string"),
                    help: format!("declare it: `{{\"name\": \"{name}\", \"in\": \"path\", \"required\": true, \"schema\": {{...}}}}`"),
                    class: WarningClass::UndeclaredPathParameter,
                });
            }
        }
    }
    // Referenced path parameters (`components/parameters`) that lack `required: true`.
    if let Some(params) = doc.pointer_mut("/components/parameters").and_then(Value::as_object_mut) {
        for (name, p) in params.iter_mut() {
            mark_required(p, &join_pointer("/components/parameters", name), changes);
        }
    }
}

/// Removes the path parameters of `list` whose name is not in the path template.
fn drop_stray(list: &mut Vec<Value>, template: &[String], pointer: &str, doc: &Value, changes: &mut Vec<Change>) {
    let mut index = 0;
    list.retain(|p| {
        let at = join_pointer(pointer, &index.to_string());
        index += 1;
        let p = deref(doc, p);
        let name = p.get("name").and_then(Value::as_str).unwrap_or("");
        let stray = p.get("in").and_then(Value::as_str) == Some("path") && !template.iter().any(|t| t == name);
        if stray {
            changes.push(Change {
                pointer: at,
                message: format!("path parameter `{name}` does not appear in the path template: it is ignored"),
                help: format!("add `{{{name}}}` to the path, or change `in` to `query` if it is sent in the query string"),
                class: WarningClass::StrayPathParameter,
            });
        }
        !stray
    });
}

/// Sets `required: true` on an inline path parameter that lacks it.
fn mark_required(p: &mut Value, pointer: &str, changes: &mut Vec<Change>) {
    let Some(map) = p.as_object_mut() else { return };
    if map.get("in").and_then(Value::as_str) == Some("path") && map.get("required").and_then(Value::as_bool) != Some(true) {
        let name = map.get("name").and_then(Value::as_str).unwrap_or("").to_string();
        map.insert("required".into(), Value::Bool(true));
        changes.push(Change {
            pointer: pointer.to_string(),
            message: format!("path parameter `{name}` is not marked `required: true`: it is generated as required"),
            help: "path parameters are always required in OpenAPI: add `\"required\": true`".into(),
            class: WarningClass::PathParameterNotRequired,
        });
    }
}

/// Requirements that name undeclared security schemes.
///
/// A requirement object lists schemes that must *all* be satisfied; an undeclared one cannot
/// be, so it is removed from its requirement, which then asks for the remaining schemes only
/// (an empty requirement `{}` asks for no credential: that alternative is unauthenticated).
fn security(doc: &mut Value, changes: &mut Vec<Change>) {
    let schemes: BTreeSet<String> =
        doc.pointer("/components/securitySchemes").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let fix = |security: &mut Value, pointer: &str, changes: &mut Vec<Change>| {
        for (i, requirement) in security.as_array_mut().into_iter().flatten().enumerate() {
            let Some(requirement) = requirement.as_object_mut() else { continue };
            let unknown: Vec<String> = requirement.keys().filter(|k| !schemes.contains(*k)).cloned().collect();
            for name in unknown {
                requirement.remove(&name);
                let at = join_pointer(&join_pointer(pointer, &i.to_string()), &name);
                let left = if requirement.is_empty() {
                    "this alternative now asks for no credential".to_string()
                } else {
                    format!(
                        "this alternative now asks for {}",
                        requirement.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" and ")
                    )
                };
                changes.push(Change {
                    pointer: at,
                    message: format!("unknown security scheme `{name}`: it is ignored, and {left}"),
                    help: "declare the scheme under `components/securitySchemes`, or fix the name".into(),
                    class: WarningClass::UnknownSecurityScheme,
                });
            }
        }
    };
    if let Some(security) = doc.get_mut("security") {
        fix(security, "/security", changes);
    }
    for (path, item) in doc.get_mut("paths").and_then(Value::as_object_mut).into_iter().flatten() {
        for method in METHODS {
            if let Some(security) = item.get_mut(*method).and_then(|op| op.get_mut("security")) {
                fix(security, &join_pointer(&join_pointer(&join_pointer("/paths", path), method), "security"), changes);
            }
        }
    }
}

/// The pointers of every schema in the document (each `schema` of a parameter, header or media
/// type, each `components/schemas` entry, and their subschemas), parents before children.
pub fn collect_schema_pointers(value: &Value, pointer: &str, out: &mut Vec<String>) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (i, v) in items.iter().enumerate() {
                collect_schema_pointers(v, &join_pointer(pointer, &i.to_string()), out);
            }
        }
        return;
    };
    for (k, v) in map {
        if k.starts_with("x-") || matches!(k.as_str(), "example" | "examples" | "value") {
            continue;
        }
        let ptr = join_pointer(pointer, k);
        if k == "schema" {
            schema_pointers(v, &ptr, 0, out);
        } else if k == "schemas" && pointer == "/components" {
            for (name, schema) in v.as_object().into_iter().flatten() {
                schema_pointers(schema, &join_pointer(&ptr, name), 0, out);
            }
        } else {
            collect_schema_pointers(v, &ptr, out);
        }
    }
}

/// `pointer` and every subschema below it.
fn schema_pointers(schema: &Value, pointer: &str, depth: usize, out: &mut Vec<String>) {
    let Some(map) = schema.as_object() else { return };
    if depth > 64 {
        return;
    }
    out.push(pointer.to_string());
    for (k, v) in map {
        let ptr = join_pointer(pointer, k);
        match k.as_str() {
            "items"
            | "additionalItems"
            | "additionalProperties"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "contains"
            | "not"
            | "if"
            | "then"
            | "else"
            | "propertyNames"
            | "contentSchema" => match v {
                Value::Array(items) => {
                    for (i, s) in items.iter().enumerate() {
                        schema_pointers(s, &join_pointer(&ptr, &i.to_string()), depth + 1, out);
                    }
                }
                _ => schema_pointers(v, &ptr, depth + 1, out),
            },
            "prefixItems" | "allOf" | "anyOf" | "oneOf" => {
                for (i, s) in v.as_array().into_iter().flatten().enumerate() {
                    schema_pointers(s, &join_pointer(&ptr, &i.to_string()), depth + 1, out);
                }
            }
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                for (name, s) in v.as_object().into_iter().flatten() {
                    schema_pointers(s, &join_pointer(&ptr, name), depth + 1, out);
                }
            }
            _ => {}
        }
    }
}

/// Keywords that only describe (they assert nothing about a value).
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "summary",
    "deprecated",
    "readOnly",
    "writeOnly",
    "example",
    "examples",
    "default",
    "externalDocs",
    "xml",
    "$comment",
];

/// Repairs one schema (not its subschemas: each is visited on its own).
fn fix_schema(map: &mut Map<String, Value>, pointer: &str, is_31: bool, changes: &mut Vec<Change>) {
    // Keywords next to `$ref`: ignored by OpenAPI 3.0; in 3.1 they apply together with the
    // reference, which `allOf` says in a form every tool reads.
    if map.contains_key("$ref") && map.len() > 1 {
        let siblings: Vec<String> = map.keys().filter(|k| *k != "$ref" && !k.starts_with("x-")).cloned().collect();
        let asserting: Vec<String> = siblings.iter().filter(|k| !ANNOTATIONS.contains(&k.as_str())).cloned().collect();
        if !asserting.is_empty() {
            let reference = map.remove("$ref").unwrap_or(Value::Null);
            let nullable = map.get("nullable") == Some(&Value::Bool(true));
            if is_31 {
                let mut rest = Map::new();
                // A 3.0 `nullable` here widens the reference (converted below, as a `null`
                // branch): inside the `allOf` it would narrow it to `null` alone.
                for k in asserting.iter().filter(|k| *k != "nullable") {
                    if let Some(v) = map.remove(k) {
                        rest.insert(k.clone(), v);
                    }
                }
                // `format` only annotates in 2020-12, and a merge with the target could never end
                // in a ring of references: it goes with the other annotations.
                let format = rest.remove("format");
                let mut all_of = vec![json!({ "$ref": reference })];
                if !rest.is_empty() {
                    all_of.push(Value::Object(rest));
                }
                map.insert("allOf".into(), Value::Array(all_of));
                if format.is_some() {
                    changes.push(Change {
                        pointer: join_pointer(pointer, "format"),
                        message: "`format` next to `$ref` is dropped: the referenced schema decides the type".into(),
                        help: "put the format in the referenced schema".into(),
                        class: WarningClass::RefSiblings,
                    });
                }
            } else {
                for k in &asserting {
                    map.remove(k);
                }
                let mut kept = vec![];
                if nullable {
                    // `nullable` beside `$ref` is what the author meant: the 3.0 way to say it.
                    map.insert("nullable".into(), Value::Bool(true));
                    map.insert("allOf".into(), json!([{ "$ref": reference }]));
                    kept.push("`nullable` (kept as `allOf` + `nullable`)");
                } else {
                    map.insert("$ref".into(), reference);
                }
                let dropped: Vec<String> = asserting.iter().filter(|k| !(nullable && *k == "nullable")).map(|k| format!("`{k}`")).collect();
                if !dropped.is_empty() || !kept.is_empty() {
                    changes.push(Change {
                        pointer: pointer.to_string(),
                        message: format!(
                            "keywords next to `$ref` are ignored in OpenAPI 3.0: {}{}",
                            if dropped.is_empty() { String::new() } else { format!("{} dropped", dropped.join(", ")) },
                            if kept.is_empty() {
                                String::new()
                            } else {
                                format!("{}{}", if dropped.is_empty() { "" } else { "; " }, kept.join(", "))
                            }
                        ),
                        help: "wrap the reference in `allOf: [{$ref: ...}]` to add keywords to it".into(),
                        class: WarningClass::RefSiblings,
                    });
                }
            }
        }
    }

    // A format that the schema's type cannot have.
    if let Some(format) = map.get("format").and_then(Value::as_str).map(String::from) {
        let types = types_of(map);
        // Formats are open-ended: an unknown one on a string or a number is an annotation the
        // type generator ignores (`format: unix-time` on an integer); on objects, arrays and
        // booleans it fails.
        let fits = types.is_empty() || types.iter().any(|t| matches!(t.as_str(), "string" | "integer" | "number"));
        if !fits {
            map.remove("format");
            changes.push(Change {
                pointer: join_pointer(pointer, "format"),
                message: format!("format `{format}` does not apply to type {}: it is ignored", types.join(" or ")),
                help: "remove the format, or use one defined for the type".into(),
                class: WarningClass::FormatMismatch,
            });
        }
    }

    // Enum values of another type than the schema's (`type: string, enum: [0, 1]`,
    // `type: number, enum: ["1.5"]`): each becomes a value of the first declared type that can
    // hold it, and a value none can is dropped. `null` stays only where the schema allows it.
    let types = types_of(map);
    let nullable = map.get("nullable") == Some(&Value::Bool(true)) || types.iter().any(|t| t == "null");
    let scalars: Vec<String> =
        types.iter().filter(|t| matches!(t.as_str(), "string" | "integer" | "number" | "boolean")).cloned().collect();
    if !scalars.is_empty() && types.iter().all(|t| scalars.contains(t) || t == "null") {
        if let Some(Value::Array(values)) = map.get_mut("enum") {
            let mut changed = Vec::new();
            let mut repeats = Vec::new();
            let mut kept: Vec<Value> = Vec::new();
            for v in values.drain(..) {
                let fits = if v.is_null() { nullable } else { types.iter().any(|t| has_type(&v, t)) };
                let converted = if fits { Some(v.clone()) } else { scalars.iter().find_map(|t| convert_scalar(&v, t)) };
                match converted {
                    // A value once (two may also convert to one: `1` and `"1"` in a string enum).
                    Some(c) if kept.contains(&c) && fits => repeats.push(v.to_string()),
                    Some(c) if kept.contains(&c) => changed.push(format!("{v} dropped (a repeat of {c})")),
                    Some(c) => {
                        if !fits {
                            changed.push(format!("{v} -> {c}"));
                        }
                        kept.push(c);
                    }
                    None => changed.push(format!("{v} dropped")),
                }
            }
            let emptied = kept.is_empty();
            *values = kept;
            if emptied {
                map.remove("enum");
            }
            if !changed.is_empty() {
                let ty = types.join(" or ");
                changes.push(Change {
                    pointer: join_pointer(pointer, "enum"),
                    message: format!(
                        "enum values are not of type {ty}: {}{}",
                        changed.join(", "),
                        if emptied { "; no value is left, so the enum was removed" } else { "" }
                    ),
                    help: format!("write the enum values as values of type {ty}"),
                    class: WarningClass::EnumValueType,
                });
            }
            if !repeats.is_empty() {
                changes.push(Change {
                    pointer: join_pointer(pointer, "enum"),
                    message: format!("enum values listed twice are kept once: {}", repeats.join(", ")),
                    help: "list each enum value once".into(),
                    class: WarningClass::EnumValueType,
                });
            }
        }
    }

    enum_varnames(map, pointer, changes);

    // OpenAPI 3.0 forms in a 3.1 document.
    if is_31 {
        if let Some(nullable) = map.remove("nullable") {
            if nullable == Value::Bool(true) {
                add_null(map);
            }
            changes.push(Change {
                pointer: join_pointer(pointer, "nullable"),
                message: "`nullable` is OpenAPI 3.0; in 3.1 it was converted to a `null` type".into(),
                help: "write `type: [..., \"null\"]` in OpenAPI 3.1".into(),
                class: WarningClass::OpenApi30Form,
            });
        }
        for (key, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            if let Some(Value::Bool(exclusive)) = map.get(key).cloned() {
                map.remove(key);
                if exclusive {
                    if let Some(b) = map.remove(bound) {
                        map.insert(key.into(), b);
                    }
                }
                changes.push(Change {
                    pointer: join_pointer(pointer, key),
                    message: format!("boolean `{key}` is OpenAPI 3.0; in 3.1 it was converted to the number form"),
                    help: format!("write `{key}: <bound>` in OpenAPI 3.1"),
                    class: WarningClass::OpenApi30Form,
                });
            }
        }
    }

    // Identical `oneOf` members: no value could match exactly one of them.
    if let Some(Value::Array(members)) = map.get_mut("oneOf") {
        let mut unique: Vec<Value> = Vec::new();
        let mut removed = Vec::new();
        for (i, m) in members.drain(..).enumerate() {
            if unique.contains(&m) {
                removed.push(i);
            } else {
                unique.push(m);
            }
        }
        *members = unique;
        for i in removed {
            changes.push(Change {
                pointer: join_pointer(&join_pointer(pointer, "oneOf"), &i.to_string()),
                message: format!("`oneOf` member {i} repeats an earlier member: it was removed"),
                help: "remove the duplicate member (or use `anyOf`)".into(),
                class: WarningClass::DuplicateOneOfMember,
            });
        }
    }
}

/// `x-enum-varnames` (or `x-enum-names`): an array parallel to `enum` naming each value's
/// variant (string enums) or constant (integer enums). One that cannot be followed (not an array
/// of strings, another length than `enum`, names that collide once converted) is removed, with a
/// warning: the variants keep the names their values give.
fn enum_varnames(map: &mut Map<String, Value>, pointer: &str, changes: &mut Vec<Change>) {
    for key in ["x-enum-varnames", "x-enum-names"] {
        let Some(given) = map.get(key) else { continue };
        let values = map.get("enum").and_then(Value::as_array);
        let names: Option<Vec<&str>> = given.as_array().and_then(|a| a.iter().map(Value::as_str).collect());
        let integers = values.is_some_and(|v| !v.is_empty() && v.iter().all(Value::is_i64));
        let problem = match (values, names) {
            (None, _) => Some("there is no `enum` beside it".to_string()),
            (_, None) => Some("it is not an array of strings".to_string()),
            (Some(values), Some(names)) if values.len() != names.len() => {
                Some(format!("it has {} names for {} enum values", names.len(), values.len()))
            }
            (Some(_), Some(names)) => {
                let ok =
                    if integers { crate::naming::enum_constants(&names).is_some() } else { crate::naming::enum_varnames(&names).is_some() };
                (!ok).then(|| "two of its names are the same identifier once converted".to_string())
            }
        };
        if let Some(problem) = problem {
            map.remove(key);
            changes.push(Change {
                pointer: join_pointer(pointer, key),
                message: format!("`{key}` is ignored: {problem}; the variants are named after their values"),
                help: format!("give `{key}` one distinct name per `enum` value, in the same order"),
                class: WarningClass::EnumVarnames,
            });
        }
    }
}

/// An `enum` whose values have several JSON types (`enum: ["a", 1, true]`, untyped or with a
/// `type` array) becomes the equivalent `anyOf` of one typed `enum` per type, which the type
/// generator can name (it cannot give one Rust enum values of several types).
fn typed_enum_members(map: &mut Map<String, Value>) {
    let typed_by_array = matches!(map.get("type"), Some(Value::Array(_)));
    if (map.contains_key("type") && !typed_by_array) || map.contains_key("anyOf") {
        return;
    }
    let Some(Value::Array(values)) = map.get("enum") else { return };
    let kind = |v: &Value| match v {
        Value::String(_) => Some("string"),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
        Value::Number(_) => Some("number"),
        Value::Bool(_) => Some("boolean"),
        Value::Null => Some("null"),
        _ => None,
    };
    let kinds: Option<Vec<&str>> = values.iter().map(kind).collect();
    let Some(kinds) = kinds else { return };
    let mut distinct: Vec<&str> = Vec::new();
    for k in &kinds {
        // Integers are numbers: one `number` member takes both.
        let k = if *k == "integer" && kinds.contains(&"number") { "number" } else { k };
        if !distinct.contains(&k) {
            distinct.push(k);
        }
    }
    // Untyped: several types among the values. A `type` array of several types: always (typify
    // cannot read an enum beside one).
    let several_types = typed_by_array && types_of(map).iter().filter(|t| *t != "null").count() >= 2;
    if distinct.iter().filter(|k| **k != "null").count() < 2 && !several_types {
        return;
    }
    let members: Vec<Value> = distinct
        .iter()
        .map(|ty| {
            if *ty == "null" {
                return json!({ "type": "null" });
            }
            let of_type: Vec<Value> = values
                .iter()
                .zip(&kinds)
                .filter(|(_, k)| **k == *ty || (*ty == "number" && **k == "integer"))
                .map(|(v, _)| v.clone())
                .collect();
            json!({ "type": ty, "enum": of_type })
        })
        .collect();
    map.remove("enum");
    // The values already satisfy the `type` array (`normalize` saw to it).
    map.remove("type");
    map.insert("anyOf".into(), Value::Array(members));
}

/// The `type` keyword as a list.
fn types_of(map: &Map<String, Value>) -> Vec<String> {
    match map.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(String::from).collect(),
        _ => Vec::new(),
    }
}

/// Lets a schema also accept `null` (JSON Schema form).
fn add_null(map: &mut Map<String, Value>) {
    match map.get_mut("type") {
        Some(Value::String(t)) => {
            if t != "null" {
                let t = t.clone();
                map.insert("type".into(), json!([t, "null"]));
            }
        }
        Some(Value::Array(ts)) => {
            if !ts.iter().any(|t| t == "null") {
                ts.push(Value::String("null".into()));
            }
        }
        _ => {
            let asserting: Vec<String> =
                map.keys().filter(|k| !ANNOTATIONS.contains(&k.as_str()) && !k.starts_with("x-")).cloned().collect();
            if asserting.is_empty() {
                // `{nullable: true}` alone: in a union (`anyOf: [X, {nullable: true}]`) it is
                // the author's way to add `null`.
                map.insert("type".into(), Value::String("null".into()));
                return;
            }
            let mut inner = Map::new();
            for k in asserting {
                if let Some(v) = map.remove(&k) {
                    inner.insert(k, v);
                }
            }
            map.insert("anyOf".into(), json!([Value::Object(inner), { "type": "null" }]));
            return;
        }
    }
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
}

/// Whether `value` matches `schema` as far as the type generator checks defaults: types,
/// `enum`, `const`, `nullable`, combinators, items, properties and `required`, following local
/// references. Keywords it does not check count as matching.
pub fn conforms(doc: &Value, schema: &Value, value: &Value, depth: usize) -> bool {
    matches(doc, schema, value, depth, false)
}

/// Whether the type generator can write `value` out as a default of `schema`: as [`conforms`],
/// but an object under an `anyOf` must match every member, since typify's `anyOf` of objects
/// holds one optional field per member and a default fills each of them.
pub fn writable_default(doc: &Value, schema: &Value, value: &Value) -> bool {
    matches(doc, schema, value, 0, true)
}

fn matches(doc: &Value, schema: &Value, value: &Value, depth: usize, every_any_of: bool) -> bool {
    let conforms = |doc: &Value, schema: &Value, value: &Value, depth: usize| matches(doc, schema, value, depth, every_any_of);
    if depth > 32 {
        return true;
    }
    let Some(map) = schema.as_object() else { return *schema != Value::Bool(false) };
    if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')).and_then(|p| doc.pointer(p)) {
        if !conforms(doc, target, value, depth + 1) {
            return false;
        }
    }
    if value.is_null() && map.get("nullable") == Some(&Value::Bool(true)) {
        return true;
    }
    let types = types_of(map);
    if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
        return false;
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        if !values.contains(value) {
            return false;
        }
    }
    if let Some(c) = map.get("const") {
        if c != value {
            return false;
        }
    }
    let list = |k: &str| map.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    if !list("allOf").iter().all(|s| conforms(doc, s, value, depth + 1)) {
        return false;
    }
    for k in ["anyOf", "oneOf"] {
        let members = list(k);
        let all = every_any_of && k == "anyOf" && value.is_object();
        if all && !members.iter().all(|s| conforms(doc, s, value, depth + 1)) {
            return false;
        }
        if !members.is_empty() && !members.iter().any(|s| conforms(doc, s, value, depth + 1)) {
            return false;
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, map.get("items")) {
        if item_schema.is_object() && !items.iter().all(|i| conforms(doc, item_schema, i, depth + 1)) {
            return false;
        }
    }
    if let Value::Object(object) = value {
        for (k, v) in object {
            if let Some(s) = map.get("properties").and_then(|p| p.get(k)) {
                if !conforms(doc, s, v, depth + 1) {
                    return false;
                }
            }
        }
        if !list("required").iter().filter_map(Value::as_str).all(|r| object.contains_key(r)) {
            return false;
        }
        // The other properties, by `additionalProperties` (unless patterns may claim them).
        if !map.contains_key("patternProperties") {
            let declared = map.get("properties").and_then(Value::as_object);
            let mut others = object.iter().filter(|(k, _)| !declared.is_some_and(|d| d.contains_key(*k)));
            match map.get("additionalProperties") {
                Some(Value::Bool(false)) if others.next().is_some() => return false,
                Some(extra @ Value::Object(_)) if !others.all(|(_, v)| conforms(doc, extra, v, depth + 1)) => return false,
                _ => {}
            }
        }
    }
    true
}

/// `value` (of another type) as a value of the scalar type `ty`, when it has one: numbers and
/// booleans as their JSON text for `string`; a string holding a JSON number for `number` (and
/// for `integer` when the number is whole: `"4.0"` -> `4`); `"true"`/`"false"` (any case) for
/// `boolean`.
fn convert_scalar(value: &Value, ty: &str) -> Option<Value> {
    match (ty, value) {
        ("string", Value::Number(_) | Value::Bool(_)) => Some(Value::String(value.to_string())),
        ("integer" | "number", Value::String(text)) => {
            let number = match serde_json::from_str::<Value>(text.trim()) {
                Ok(n @ Value::Number(_)) => n,
                _ => return None,
            };
            if ty == "number" {
                return Some(number);
            }
            match number.as_f64() {
                _ if number.is_i64() || number.is_u64() => Some(number),
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(Value::from(f as i64)),
                _ => None,
            }
        }
        ("boolean", Value::String(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `value` has JSON Schema type `t`.
/// Whether `value` is of the JSON Schema type `t` (a whole number written as a decimal is an
/// `integer`).
pub fn has_type(value: &Value, t: &str) -> bool {
    match (t, value) {
        ("null", Value::Null) | ("boolean", Value::Bool(_)) | ("string", Value::String(_)) => true,
        ("array", Value::Array(_)) | ("object", Value::Object(_)) | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

/// Rewrites every schema of the document from the OpenAPI 3.0 dialect into plain JSON Schema,
/// which the type generator reads: `nullable: true` becomes a `null` type (or a `null` branch),
/// boolean `exclusiveMinimum`/`exclusiveMaximum` the number form. Meaning is unchanged.
pub fn json_schema_forms(doc: &mut Value) {
    let mut schemas = Vec::new();
    collect_schema_pointers(doc, "", &mut schemas);
    // Children first: a parent's rewrite may move its keywords into a new subschema.
    for pointer in schemas.iter().rev() {
        let Some(Value::Object(map)) = doc.pointer_mut(pointer) else { continue };
        if let Some(nullable) = map.remove("nullable") {
            if nullable == Value::Bool(true) {
                add_null(map);
            }
        }
        // A `null` default (left by `normalize` only where `null` is allowed) is what an absent
        // value already is, and typify cannot hold one (neither in a unit type nor beside an
        // optional one).
        if map.get("default") == Some(&Value::Null) {
            map.remove("default");
        }
        typed_enum_members(map);
        // Counts written as whole decimals (`minLength: 2.0`) are the integers they stand for.
        for key in ["maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties", "minContains", "maxContains"] {
            if let Some(f) = map.get(key).filter(|v| v.as_u64().is_none()).and_then(Value::as_f64) {
                if f.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&f) {
                    map.insert(key.into(), Value::from(f as u64));
                }
            }
        }
        // Lower bounds of zero hold for every value: typify would write comparisons that are
        // always true (`len < 0usize`), which warn.
        for key in ["minLength", "minItems", "minProperties"] {
            if map.get(key).and_then(Value::as_u64) == Some(0) {
                map.remove(key);
            }
        }
        for (key, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            if let Some(Value::Bool(exclusive)) = map.get(key).cloned() {
                map.remove(key);
                if exclusive {
                    if let Some(b) = map.remove(bound) {
                        map.insert(key.into(), b);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 3.0's `nullable` next to a `$ref` in a 3.1 document widens the reference: the value is
    /// the referenced schema or `null`, never `null` alone (an empty enum once merged).
    #[test]
    fn enum_varnames_that_cannot_be_followed_are_ignored_with_a_warning() {
        let check = |schema: Value| {
            let mut schema = schema;
            let Value::Object(map) = &mut schema else { unreachable!() };
            let mut changes = Vec::new();
            fix_schema(map, "/components/schemas/X", true, &mut changes);
            (schema, changes)
        };
        let (kept, changes) = check(json!({"type": "string", "enum": ["1", "0"], "x-enum-varnames": ["Yes", "No"]}));
        assert!(changes.is_empty() && kept.get("x-enum-varnames").is_some(), "{changes:?}");
        for bad in [
            json!({"type": "string", "enum": ["1", "0"], "x-enum-varnames": ["Yes"]}),
            json!({"type": "string", "enum": ["a", "b"], "x-enum-names": ["a-b", "A_B"]}),
            json!({"type": "integer", "enum": [1, 2], "x-enum-varnames": [1, 2]}),
        ] {
            let (schema, changes) = check(bad.clone());
            assert!(schema.get("x-enum-varnames").is_none() && schema.get("x-enum-names").is_none(), "{bad}");
            assert_eq!(changes.len(), 1, "{bad}: {changes:?}");
            assert_eq!(changes[0].class, WarningClass::EnumVarnames);
            assert!(changes[0].pointer.starts_with("/components/schemas/X/x-enum-"), "{:?}", changes[0].pointer);
        }
    }

    #[test]
    fn references_to_urls_become_any_value_schemas_or_are_left_out() {
        let remote = "https://example.com/api.json#/components/x";
        let mut doc = json!({
            "openapi": "3.1.0",
            "paths": {"/a": {"get": {
                "parameters": [{"$ref": remote}, {"name": "q", "in": "query", "schema": {"$ref": remote, "description": "kept"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"p": {"$ref": remote}}, "x-note": {"$ref": remote}
                }}}}}
            }}},
            "components": {"securitySchemes": {"external": {"$ref": remote}, "key": {"type": "apiKey", "in": "header", "name": "k"}}}
        });
        let mut changes = Vec::new();
        remote_refs(&mut doc, &mut changes);
        let get = &doc["paths"]["/a"]["get"];
        assert_eq!(get["parameters"], json!([{"name": "q", "in": "query", "schema": {"description": "kept"}}]));
        let schema = &get["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(schema["properties"]["p"], json!({}));
        assert_eq!(schema["x-note"], json!({"$ref": remote}), "extensions are data");
        assert_eq!(doc["components"]["securitySchemes"], json!({"key": {"type": "apiKey", "in": "header", "name": "k"}}));
        let mut at: Vec<&str> = changes.iter().map(|c| c.pointer.as_str()).collect();
        at.sort_unstable();
        assert_eq!(
            at,
            [
                "/components/securitySchemes/external/$ref",
                "/paths/~1a/get/parameters/0/$ref",
                "/paths/~1a/get/parameters/1/schema/$ref",
                "/paths/~1a/get/responses/200/content/application~1json/schema/properties/p/$ref",
            ]
        );
        assert!(changes.iter().all(|c| c.class == WarningClass::RemoteRef));
    }

    #[test]
    fn nullable_next_to_a_ref_in_31_adds_a_null_branch() {
        let mut schema = json!({"$ref": "#/components/schemas/Country", "description": "d", "nullable": true, "maxLength": 2});
        let Value::Object(map) = &mut schema else { unreachable!() };
        let mut changes = Vec::new();
        fix_schema(map, "/components/schemas/X", true, &mut changes);
        assert_eq!(
            schema,
            json!({"description": "d", "anyOf": [
                {"allOf": [{"$ref": "#/components/schemas/Country"}, {"maxLength": 2}]},
                {"type": "null"}
            ]})
        );
        assert!(changes.iter().any(|c| c.class == WarningClass::OpenApi30Form));
    }

    /// typify writes a default into every member of an `anyOf`: one that only some members
    /// accept is valid, but cannot be written out.
    #[test]
    fn any_of_defaults_must_fit_every_member_to_be_written() {
        let doc = json!({"components": {"schemas": {
            "A": {"type": "object", "properties": {"a": {"type": "string"}}},
            "B": {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}}}
        }}});
        let schema = json!({"type": "object", "properties": {"x": {"anyOf": [
            {"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}
        ]}}});
        let partial = json!({"x": {"a": "1"}});
        assert!(conforms(&doc, &schema, &partial, 0));
        assert!(!writable_default(&doc, &schema, &partial));
        let both = json!({"x": {"a": "1", "b": "2"}});
        assert!(writable_default(&doc, &schema, &both));
    }
}
