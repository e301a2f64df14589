//! Validation: checks a bundled document for the problems that would make generated code wrong
//! or uncompilable, and reports all of them at once.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::bundle::Bundle;
use crate::diag::{join_pointer, Diagnostics};

/// The HTTP methods an OpenAPI path item can hold.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

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
            bundle
                .diagnostic("", "missing `openapi` version field")
                .with_help("add `\"openapi\": \"3.1.0\"` at the top of the document"),
        ),
    }

    check_refs(bundle, doc, "", &mut diags);

    let schemes: BTreeSet<String> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    if let Some(security) = doc.get("security") {
        check_security(bundle, security, "/security", &schemes, &mut diags);
    }

    let mut operation_ids: BTreeMap<String, String> = BTreeMap::new();
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let item_ptr = join_pointer("/paths", path);
        if !path.starts_with('/') {
            diags.push(
                bundle
                    .diagnostic(&item_ptr, format!("path \"{path}\" does not start with `/`"))
                    .with_help("write paths relative to the server URL, starting with `/`"),
            );
        }
        let template_params = path_template_params(path);
        let item_params = parameters(bundle, item.get("parameters"));
        for method in METHODS {
            let Some(op) = item.get(*method) else { continue };
            let op_ptr = join_pointer(&item_ptr, method);
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                let id_ptr = join_pointer(&op_ptr, "operationId");
                if let Some(first) = operation_ids.get(id) {
                    diags.push(
                        bundle
                            .diagnostic(&id_ptr, format!("duplicate operationId \"{id}\" (first used at {first})"))
                            .with_help("operationIds name the generated methods and must be unique: rename one"),
                    );
                } else {
                    operation_ids.insert(id.to_string(), op_ptr.clone());
                }
            }
            let mut declared = item_params.clone();
            for (key, p) in parameters(bundle, op.get("parameters")) {
                declared.insert(key, p);
            }
            for (i, param) in op.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
                let p = deref(doc, param);
                let ptr = join_pointer(&join_pointer(&op_ptr, "parameters"), &i.to_string());
                check_parameter(bundle, p, &ptr, &template_params, &mut diags);
            }
            for name in &template_params {
                if !declared.contains_key(&(name.clone(), "path".to_string())) {
                    diags.push(
                        bundle
                            .diagnostic(&op_ptr, format!("path parameter `{{{name}}}` of \"{path}\" is not declared"))
                            .with_help(format!(
                                "add a parameter with `\"name\": \"{name}\", \"in\": \"path\", \"required\": true`"
                            )),
                    );
                }
            }
            if let Some(security) = op.get("security") {
                check_security(bundle, security, &join_pointer(&op_ptr, "security"), &schemes, &mut diags);
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
                                    .diagnostic(&join_pointer(&join_pointer(&op_ptr, "responses"), code), format!("response key \"{code}\" is not an HTTP status code"))
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
            check_parameter(bundle, p, &ptr, &template_params, &mut diags);
        }
    }
    diags.into_result(())
}

/// The `{name}`s of a path template, in order.
pub fn path_template_params(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else { break };
        out.push(rest[start + 1..start + end].to_string());
        rest = &rest[start + end + 1..];
    }
    out
}

/// Follows a local `$ref` (one level at a time, up to a bound) to its value.
pub fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..32 {
        match current.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(ptr) => match doc.pointer(ptr) {
                Some(next) => current = next,
                None => return current,
            },
            None => return current,
        }
    }
    current
}

fn parameters(bundle: &Bundle, list: Option<&Value>) -> BTreeMap<(String, String), Value> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| deref(&bundle.document, p))
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?.to_string();
            let location = p.get("in")?.as_str()?.to_string();
            Some(((name, location), p.clone()))
        })
        .collect()
}

fn check_parameter(bundle: &Bundle, p: &Value, ptr: &str, template: &[String], diags: &mut Diagnostics) {
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
    if location == "path" {
        if !template.iter().any(|t| t == name) {
            diags.push(
                bundle
                    .diagnostic(ptr, format!("path parameter `{name}` does not appear in the path template"))
                    .with_help(format!("add `{{{name}}}` to the path, or change `in` to `query` if it is sent in the query string")),
            );
        }
        if p.get("required").and_then(Value::as_bool) != Some(true) {
            diags.push(
                bundle
                    .diagnostic(ptr, format!("path parameter `{name}` is not marked `required: true`"))
                    .with_help("path parameters are always required in OpenAPI: add `\"required\": true`"),
            );
        }
    }
}

fn check_security(bundle: &Bundle, security: &Value, ptr: &str, schemes: &BTreeSet<String>, diags: &mut Diagnostics) {
    for (i, requirement) in security.as_array().into_iter().flatten().enumerate() {
        for name in requirement.as_object().into_iter().flatten().map(|(k, _)| k) {
            if !schemes.contains(name) {
                let at = join_pointer(&join_pointer(ptr, &i.to_string()), name);
                diags.push(
                    bundle
                        .diagnostic(&at, format!("unknown security scheme `{name}`"))
                        .with_help("declare it under `components/securitySchemes`, or fix the name"),
                );
            }
        }
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

fn is_status_key(code: &str) -> bool {
    code == "default"
        || code.starts_with("x-")
        || code.len() == 3
            && code.starts_with(['1', '2', '3', '4', '5'])
            && (code[1..].chars().all(|c| c.is_ascii_digit()) || &code[1..] == "XX" || &code[1..] == "xx")
}
