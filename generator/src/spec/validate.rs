//! Validation: checks a bundled document for the problems that would make generated code wrong
//! or uncompilable, and reports all of them at once.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::schema::{is_annotation, is_named_type};
use super::{deref, Bundle, METHODS};
use crate::diag::{join_pointer, Diagnostics};

/// Checks `bundle` and returns every problem found.
///
/// # Errors
///
/// The diagnostics, when there is at least one.
pub fn validate(bundle: &Bundle) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    let doc = &bundle.document;

    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") || v.starts_with("3.1.") => {}
        Some(v) => diags.push(
            bundle
                .diagnostic("/openapi", format!("unsupported OpenAPI version \"{v}\""))
                .with_help("the generator reads OpenAPI 3.0.x and 3.1.x; convert Swagger 2.0 documents first"),
        ),
        None if doc.get("swagger").is_some() => diags.push(
            bundle
                .diagnostic("/swagger", "Swagger 2.0 documents are not supported")
                .with_help("convert the document to OpenAPI 3 first (e.g. with swagger2openapi), then generate from that"),
        ),
        None => diags.push(
            bundle.diagnostic("", "missing `openapi` version field").with_help("add `\"openapi\": \"3.1.0\"` at the top of the document"),
        ),
    }

    check_shapes(bundle, doc, &mut diags);
    check_refs(bundle, doc, "", &mut diags);
    check_schema_keywords(bundle, doc, "", false, &mut diags);
    check_schema_depth(bundle, doc, "", &mut diags);
    check_cycles_into(bundle, &mut diags);

    // Undeclared or stray path parameters, duplicate operationIds and undeclared security
    // schemes are repaired (with a warning) by `normalize`, not rejected here.
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        if !item.is_object() {
            continue; // reported by `check_shapes`
        }
        let item_ptr = join_pointer("/paths", path);
        if !path.starts_with('/') {
            diags.push(
                bundle
                    .diagnostic(&item_ptr, format!("path \"{path}\" does not start with `/`"))
                    .with_help("write paths relative to the server URL, starting with `/`"),
            );
        }
        for method in METHODS {
            let Some(op) = item.get(*method).filter(|op| op.is_object()) else { continue };
            let op_ptr = join_pointer(&item_ptr, method);
            for (i, param) in op.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
                let p = deref(doc, param);
                let ptr = join_pointer(&join_pointer(&op_ptr, "parameters"), &i.to_string());
                check_parameter(bundle, p, &ptr, &mut diags);
            }
            // `responses` is optional since OpenAPI 3.1; without it, lowering assumes a 2XX
            // success without a body.
            match op.get("responses").and_then(Value::as_object) {
                None => {}
                Some(responses) => {
                    for code in responses.keys() {
                        if !is_status_key(code) {
                            diags.push(
                                bundle
                                    .diagnostic(
                                        &join_pointer(&join_pointer(&op_ptr, "responses"), code),
                                        format!("response key \"{code}\" is not an HTTP status code"),
                                    )
                                    .with_help("use a three-digit status code, a range like `4XX`, or `default`"),
                            );
                        }
                    }
                }
            }
        }
        for (i, param) in item.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let p = deref(doc, param);
            let ptr = join_pointer(&join_pointer(&item_ptr, "parameters"), &i.to_string());
            check_parameter(bundle, p, &ptr, &mut diags);
        }
    }
    diags.into_result(())
}

/// Reports rings of schemas that cannot be generated (`A: {$ref: B}`, `B: {$ref: A}`, or `A`
/// merged with itself through `allOf`). Run by [`validate`], and again after normalization,
/// which may turn keywords next to a `$ref` into an `allOf`.
///
/// # Errors
///
/// The diagnostics, when there is at least one.
pub fn check_cycles(bundle: &Bundle) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    check_cycles_into(bundle, &mut diags);
    diags.into_result(())
}

fn check_cycles_into(bundle: &Bundle, diags: &mut Diagnostics) {
    check_alias_cycles(bundle, &bundle.document, diags);
    check_merge_cycles(bundle, &bundle.document, diags);
}

fn check_parameter(bundle: &Bundle, p: &Value, ptr: &str, diags: &mut Diagnostics) {
    let remote = p.get("$ref").and_then(Value::as_str).is_some_and(super::bundle::is_remote);
    if remote {
        return; // a parameter defined at a URL: normalization leaves it out, with a warning
    }
    let name = p.get("name").and_then(Value::as_str);
    let location = p.get("in").and_then(Value::as_str);
    let (Some(name), Some(location)) = (name, location) else {
        diags.push(bundle.diagnostic(ptr, "parameter lacks `name` or `in`").with_help("every parameter needs both"));
        return;
    };
    if !matches!(location, "path" | "query" | "header" | "cookie") {
        diags.push(
            bundle
                .diagnostic(&join_pointer(ptr, "in"), format!("parameter `{name}` has unknown location \"{location}\""))
                .with_help("use one of `path`, `query`, `header`, `cookie`"),
        );
    }
}

fn check_refs(bundle: &Bundle, value: &Value, pointer: &str, diags: &mut Diagnostics) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                if let Some(ptr) = r.strip_prefix('#') {
                    if bundle.document.pointer(ptr).is_none() {
                        diags.push(
                            bundle
                                .diagnostic(&join_pointer(pointer, "$ref"), format!("`$ref` \"{r}\" points at nothing"))
                                .with_help("fix the pointer so that it names an existing value"),
                        );
                    }
                }
            }
            for (k, v) in map {
                if k.starts_with("x-") || matches!(k.as_str(), "example" | "examples" | "default" | "const" | "enum" | "value") {
                    continue;
                }
                check_refs(bundle, v, &join_pointer(pointer, k), diags);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_refs(bundle, v, &join_pointer(pointer, &i.to_string()), diags);
            }
        }
        _ => {}
    }
}

/// The JSON type of a value, as messages name it.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks that the parts of the document the generator reads have the JSON type OpenAPI
/// requires, so that a wrongly typed part is reported instead of silently skipped.
fn check_shapes(bundle: &Bundle, doc: &Value, diags: &mut Diagnostics) {
    let mut expect = |ptr: &str, value: Option<&Value>, want: &str, ok: fn(&Value) -> bool, help: &str| {
        if let Some(v) = value {
            if !ok(v) {
                diags.push(
                    bundle
                        .diagnostic(
                            ptr,
                            format!(
                                "`{}` must be {want}, found {}",
                                crate::diag::unescape_token(ptr.rsplit('/').next().unwrap_or(ptr)),
                                json_type(v)
                            ),
                        )
                        .with_help(help.to_string()),
                );
            }
        }
    };
    let obj: fn(&Value) -> bool = Value::is_object;
    let arr: fn(&Value) -> bool = Value::is_array;
    let string: fn(&Value) -> bool = Value::is_string;
    expect("/info", doc.get("info"), "an object", obj, "write `\"info\": {\"title\": \"...\", \"version\": \"...\"}`");
    expect("/paths", doc.get("paths"), "an object", obj, "map each path (`/users/{id}`) to a path item object");
    expect(
        "/components",
        doc.get("components"),
        "an object",
        obj,
        "`components` maps kinds (`schemas`, `responses`, ...) to named objects",
    );
    if let Some(c) = doc.get("components").and_then(Value::as_object) {
        for (kind, v) in c {
            if !kind.starts_with("x-") {
                expect(&join_pointer("/components", kind), Some(v), "an object", obj, "map each name to its definition");
            }
        }
    }
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let item_ptr = join_pointer("/paths", path);
        expect(
            &item_ptr,
            Some(item),
            "a path item object",
            obj,
            "map the path to an object with one key per HTTP method (`get`, `post`, ...)",
        );
        let Some(item) = item.as_object() else { continue };
        expect(&join_pointer(&item_ptr, "parameters"), item.get("parameters"), "an array", arr, "list the parameters in an array");
        for method in METHODS {
            let op_ptr = join_pointer(&item_ptr, method);
            expect(&op_ptr, item.get(*method), "an operation object", obj, "describe the operation as an object with `responses`");
            let Some(op) = item.get(*method).and_then(Value::as_object) else { continue };
            expect(
                &join_pointer(&op_ptr, "operationId"),
                op.get("operationId"),
                "a string",
                string,
                "operationIds name the generated methods: use a string such as \"getUser\"",
            );
            expect(&join_pointer(&op_ptr, "parameters"), op.get("parameters"), "an array", arr, "list the parameters in an array");
            expect(
                &join_pointer(&op_ptr, "requestBody"),
                op.get("requestBody"),
                "an object",
                obj,
                "describe the body as an object with `content`",
            );
            expect(
                &join_pointer(&op_ptr, "responses"),
                op.get("responses"),
                "an object",
                obj,
                "map status codes (`\"200\"`) to response objects",
            );
            expect(
                &join_pointer(&op_ptr, "security"),
                op.get("security"),
                "an array",
                arr,
                "list security requirement objects in an array",
            );
            for (code, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
                if !code.starts_with("x-") {
                    let ptr = join_pointer(&join_pointer(&op_ptr, "responses"), code);
                    expect(&ptr, Some(response), "a response object", obj, "describe the response as an object with `description`");
                }
            }
        }
    }
    expect("/security", doc.get("security"), "an array", arr, "list security requirement objects in an array");
}

/// Keywords whose object value maps names (not keywords) to schemas or other objects.
fn is_name_map(key: &str) -> bool {
    matches!(
        key,
        "properties"
            | "patternProperties"
            | "$defs"
            | "definitions"
            | "dependentSchemas"
            | "schemas"
            | "responses"
            | "parameters"
            | "examples"
            | "requestBodies"
            | "headers"
            | "securitySchemes"
            | "links"
            | "callbacks"
            | "pathItems"
            | "paths"
            | "webhooks"
            | "content"
            | "encoding"
            | "variables"
            | "mapping"
            | "scopes"
    )
}

/// A count written as a whole decimal (`2.0`), which JSON Schema reads as the integer it is.
fn whole_count(v: &Value) -> bool {
    v.as_f64().is_some_and(|f| f.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&f))
}

/// Checks the numbers of schema keywords: lengths and counts are non-negative integers,
/// `multipleOf` is positive, and integer enum values fit the generated `i64`.
fn check_schema_keywords(bundle: &Bundle, value: &Value, pointer: &str, names: bool, diags: &mut Diagnostics) {
    match value {
        Value::Object(map) => {
            if !names {
                for key in
                    ["maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties", "minContains", "maxContains"]
                {
                    match map.get(key) {
                        None => {}
                        Some(v) if v.as_u64().is_some() || whole_count(v) => {}
                        Some(v) if v.is_number() => diags.push(
                            bundle
                                .diagnostic(
                                    &join_pointer(pointer, key),
                                    format!("`{key}` must be a non-negative integer below 2^64, found {v}"),
                                )
                                .with_help(format!("write `{key}` as a whole number such as 255, or remove it")),
                        ),
                        // Non-numbers are reported by the schema reader.
                        Some(_) => {}
                    }
                }
                if let Some(m) = map.get("multipleOf").and_then(Value::as_f64) {
                    if m <= 0.0 {
                        diags.push(
                            bundle
                                .diagnostic(&join_pointer(pointer, "multipleOf"), format!("`multipleOf` must be greater than 0, found {m}"))
                                .with_help("use a positive number, or remove `multipleOf`"),
                        );
                    }
                }
                let integer =
                    map.get("type").is_some_and(|t| t == "integer" || t.as_array().is_some_and(|a| a.iter().any(|t| t == "integer")));
                if integer {
                    for (i, v) in map.get("enum").and_then(Value::as_array).into_iter().flatten().enumerate() {
                        if v.is_number() && v.as_i64().is_none() && v.as_f64().is_none_or(|f| f.fract() == 0.0 || !f.is_finite()) {
                            diags.push(
                                bundle
                                    .diagnostic(
                                        &join_pointer(&join_pointer(pointer, "enum"), &i.to_string()),
                                        format!("integer enum value {v} does not fit a 64-bit signed integer"),
                                    )
                                    .with_help(
                                        "integer enums become `i64`: use values from -2^63 to 2^63-1, or make the enum `type: string`",
                                    ),
                            );
                        }
                    }
                }
            }
            for (k, v) in map {
                if !names && (k.starts_with("x-") || matches!(k.as_str(), "example" | "examples" | "default" | "const" | "enum" | "value"))
                {
                    continue;
                }
                check_schema_keywords(bundle, v, &join_pointer(pointer, k), !names && is_name_map(k), diags);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_schema_keywords(bundle, v, &join_pointer(pointer, &i.to_string()), false, diags);
            }
        }
        _ => {}
    }
}

/// How many levels of unnamed schemas (`items` of `items`, `oneOf` members, ...) may nest.
/// typify converts such a chain recursively; object schemas reached through `properties` are
/// hoisted into named types first and do not count.
pub const MAX_SCHEMA_DEPTH: usize = 32;

/// Finds every schema (`schema` of parameters and media types, `components/schemas`) and
/// reports those nesting deeper than [`MAX_SCHEMA_DEPTH`], which would overflow the stack of
/// the schema converter instead of failing cleanly.
fn check_schema_depth(bundle: &Bundle, value: &Value, pointer: &str, diags: &mut Diagnostics) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k.starts_with("x-") || matches!(k.as_str(), "example" | "examples" | "default" | "const" | "enum" | "value") {
                    continue;
                }
                let ptr = join_pointer(pointer, k);
                if k == "schema" {
                    schema_depth(bundle, v, &ptr, 0, diags);
                } else if k == "schemas" && pointer == "/components" {
                    for (name, schema) in v.as_object().into_iter().flatten() {
                        schema_depth(bundle, schema, &join_pointer(&ptr, name), 0, diags);
                    }
                } else {
                    check_schema_depth(bundle, v, &ptr, diags);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_schema_depth(bundle, v, &join_pointer(pointer, &i.to_string()), diags);
            }
        }
        _ => {}
    }
}

/// Walks one schema; returns true when it reported (so each schema is reported once).
fn schema_depth(bundle: &Bundle, schema: &Value, pointer: &str, depth: usize, diags: &mut Diagnostics) -> bool {
    let Some(map) = schema.as_object() else { return false };
    if depth > MAX_SCHEMA_DEPTH {
        diags.push(
            bundle
                .diagnostic(
                    pointer,
                    format!("schemas nest more than {MAX_SCHEMA_DEPTH} levels deep here (through `items`, `allOf`, `oneOf`, ...)"),
                )
                .with_help("move the inner schema to `components/schemas` and refer to it with `$ref`"),
        );
        return true;
    }
    for (k, v) in map {
        let ptr = join_pointer(pointer, k);
        let reported = match k.as_str() {
            "items"
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
                    items.iter().enumerate().any(|(i, s)| schema_depth(bundle, s, &join_pointer(&ptr, &i.to_string()), depth + 1, diags))
                }
                _ => schema_depth(bundle, v, &ptr, depth + 1, diags),
            },
            "prefixItems" | "allOf" | "anyOf" | "oneOf" => v
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .any(|(i, s)| schema_depth(bundle, s, &join_pointer(&ptr, &i.to_string()), depth + 1, diags)),
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                v.as_object().into_iter().flatten().any(|(name, s)| schema_depth(bundle, s, &join_pointer(&ptr, name), 0, diags))
            }
            _ => false,
        };
        if reported {
            return true;
        }
    }
    false
}

/// The component schemas whose expansion converting `schema` begins, each with whether it is a
/// merge (an `allOf` on the way, or a `$ref` with sibling keywords). A schema below a property or
/// item that is a named type is hoisted into a definition of its own (`lower::models::lower`), reached
/// by name, so its insides are another definition's; the members of `allOf`/`anyOf`/`oneOf` stay
/// inline, so a merge anywhere below one of them is converted again each time the member is. A
/// plain `$ref` below a property or item is a type name and ends the expansion.
fn combinator_refs(schema: &Value, through_all_of: bool, in_member: bool, below: bool, is_root: bool, out: &mut Vec<(String, bool)>) {
    let Some(map) = schema.as_object() else { return };
    if !is_root && !in_member && is_named_type(map) {
        return;
    }
    if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
        // `{$ref: B, format: uuid}` is merged with `B` like an `allOf` member would be.
        let merged = map.keys().any(|k| k != "$ref" && !is_annotation(k));
        if !target.contains('/') && (merged || !below) {
            out.push((crate::diag::unescape_token(target), through_all_of || merged));
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for member in map.get(key).and_then(Value::as_array).into_iter().flatten() {
            combinator_refs(member, through_all_of || key == "allOf", true, below, false, out);
        }
    }
    for (key, sub) in map {
        let subs: Vec<&Value> = match key.as_str() {
            "properties" | "patternProperties" => sub.as_object().into_iter().flatten().map(|(_, s)| s).collect(),
            "items" | "additionalProperties" | "not" | "contains" | "propertyNames" | "prefixItems" => match sub {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            },
            _ => continue,
        };
        for s in subs {
            combinator_refs(s, through_all_of, in_member, true, false, out);
        }
    }
}

/// Reports component schemas that must be merged with themselves: `A: {allOf: [{$ref: A}, ...]}`
/// or `A: {$ref: B, format: uuid}, B: {$ref: A}` (directly or through other schemas and
/// `anyOf`/`oneOf`). Merging them never ends (typify would recurse until the stack overflows).
fn check_merge_cycles(bundle: &Bundle, doc: &Value, diags: &mut Diagnostics) {
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else { return };
    let edges: BTreeMap<&str, Vec<(String, bool)>> = schemas
        .iter()
        .map(|(name, schema)| {
            let mut out = Vec::new();
            combinator_refs(schema, false, false, false, true, &mut out);
            (name.as_str(), out)
        })
        .collect();
    let mut reported: BTreeSet<&str> = BTreeSet::new();
    for start in schemas.keys() {
        // Depth-first over (schema, allOf seen); each state once.
        let mut seen: BTreeSet<(String, bool)> = BTreeSet::new();
        let mut todo: Vec<(String, bool, Vec<String>)> = vec![(start.clone(), false, vec![start.clone()])];
        let mut found = None;
        while let Some((node, merged, chain)) = todo.pop() {
            for (next, via_all_of) in edges.get(node.as_str()).into_iter().flatten() {
                let merged = merged || *via_all_of;
                let mut chain = chain.clone();
                chain.push(next.clone());
                if next == start && merged {
                    found = Some(chain);
                    break;
                }
                if seen.insert((next.clone(), merged)) {
                    todo.push((next.clone(), merged, chain));
                }
            }
            if found.is_some() {
                break;
            }
        }
        if let Some(chain) = found {
            reported.insert(start.as_str());
            diags.push(
                bundle
                    .diagnostic(
                        &join_pointer("/components/schemas", start),
                        format!("schema `{start}` would have to be merged with itself: {}", chain.join(" -> ")),
                    )
                    .with_help(
                        "`allOf` members and the target of a `$ref` with sibling keywords are merged into one type, and \
                         the members of `anyOf`/`oneOf` are converted in place: give the recursive part a schema of its own \
                         in `components/schemas` and refer to it from `properties` or `items`, or drop the keywords beside the `$ref`",
                    ),
            );
        }
    }
    // A merge into a schema that contains itself at the same place of a value (`S: {anyOf:
    // [{$ref: S}, ...]}`, through any chain of references) would be distributed over that
    // cycle forever, even when the cycle itself merges nothing.
    let reaches: BTreeMap<&str, Vec<String>> = schemas
        .keys()
        .filter(|name| !reported.contains(name.as_str()))
        .filter_map(|name| cycle_from(&edges, name).map(|cycle| (name.as_str(), cycle)))
        .filter(|(_, cycle)| !cycle.iter().any(|n| reported.contains(n.as_str())))
        .collect();
    let mut sites = Vec::new();
    merge_sites(doc, "", &mut sites);
    for (pointer, target) in sites {
        if let Some(cycle) = reaches.get(target.as_str()) {
            diags.push(
                bundle
                    .diagnostic(
                        &pointer,
                        format!(
                            "this merges `{target}` with more keywords, but `{target}` leads to a schema that contains itself \
                             in place: {}; the merge would never end",
                            cycle.join(" -> ")
                        ),
                    )
                    .with_help(
                        "a schema that is one of its own `anyOf`/`oneOf`/`allOf` members (directly or through others) adds \
                         nothing to them: remove that member, or drop the keywords beside the `$ref` here",
                    ),
            );
        }
    }
}

/// The first cycle reachable from `start` in the graph of references at the same place of a
/// value (`start -> ... -> X -> ... -> X`), if any.
fn cycle_from(edges: &BTreeMap<&str, Vec<(String, bool)>>, start: &str) -> Option<Vec<String>> {
    // Depth-first, keeping the path: a node met again on the path closes a cycle.
    fn walk(
        edges: &BTreeMap<&str, Vec<(String, bool)>>,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut cycle = path[..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle.split_off(i));
        }
        if !done.insert(node.to_string()) {
            return None;
        }
        path.push(node.to_string());
        for (next, _) in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = walk(edges, next, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    walk(edges, start, &mut Vec::new(), &mut BTreeSet::new())
}

/// Every merge in the document, `(pointer, component merged)`: a `$ref` to a component schema
/// with value-constraining sibling keywords, or an `allOf` member that is such a `$ref`.
fn merge_sites(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            let target = map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"));
            if let Some(target) = target.filter(|t| !t.contains('/')) {
                if map.keys().any(|k| k != "$ref" && !is_annotation(k)) {
                    out.push((pointer.to_string(), crate::diag::unescape_token(target)));
                }
            }
            if let Some(members) = map.get("allOf").and_then(Value::as_array) {
                for (i, m) in members.iter().enumerate() {
                    let target = m.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"));
                    if let Some(target) = target.filter(|t| !t.contains('/')) {
                        out.push((join_pointer(&join_pointer(pointer, "allOf"), &i.to_string()), crate::diag::unescape_token(target)));
                    }
                }
            }
            for (k, v) in map {
                // Values, not schemas.
                if !matches!(k.as_str(), "example" | "examples" | "default" | "const" | "enum") {
                    merge_sites(v, &join_pointer(pointer, k), out);
                }
            }
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| merge_sites(v, &join_pointer(pointer, &i.to_string()), out)),
        _ => {}
    }
}

/// Reports component schemas that are only references to each other in a ring
/// (`A: {$ref: B}`, `B: {$ref: A}`): such a type has no values and cannot be generated.
fn check_alias_cycles(bundle: &Bundle, doc: &Value, diags: &mut Diagnostics) {
    const PREFIX: &str = "#/components/schemas/";
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else { return };
    // A schema that is only a `$ref` (plus annotations) is an alias of its target.
    let alias = |schema: &Value| -> Option<String> {
        let obj = schema.as_object()?;
        let target = obj.get("$ref")?.as_str()?.strip_prefix(PREFIX)?;
        let only_annotations = obj.keys().all(|k| k == "$ref" || is_annotation(k));
        only_annotations.then(|| crate::diag::unescape_token(target))
    };
    for start in schemas.keys() {
        let mut seen = vec![start.clone()];
        let mut current = start.clone();
        while let Some(next) = schemas.get(&current).and_then(alias) {
            if next == *start {
                let ring = seen.iter().chain(std::iter::once(start)).cloned().collect::<Vec<_>>().join(" -> ");
                let ptr = join_pointer(&join_pointer("/components/schemas", start), "$ref");
                diags.push(
                    bundle
                        .diagnostic(&ptr, format!("schema `{start}` is only a reference to itself: {ring}"))
                        .with_help("give one schema of the ring a real definition (`type`, `properties`, ...)"),
                );
                break;
            }
            if seen.contains(&next) {
                break; // a ring that does not pass through `start`: reported from its own members
            }
            seen.push(next.clone());
            current = next;
        }
    }
}

fn is_status_key(code: &str) -> bool {
    code == "default"
        || code.starts_with("x-")
        || code.len() == 3
            && code.starts_with(['1', '2', '3', '4', '5'])
            && (code[1..].chars().all(|c| c.is_ascii_digit()) || &code[1..] == "XX" || &code[1..] == "xx")
}
