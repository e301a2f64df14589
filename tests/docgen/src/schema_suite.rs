//! The JSON Schema Test Suite (draft 2020-12, validation and applicator keywords, vendored in
//! `tests/json-schema-suite/`) as one OpenAPI 3.1 document: each suite schema is the request
//! body of one operation, `POST /<file>/<group>`, so a generated server's accept/reject verdict
//! on each test's data can be compared with the suite's.
//!
//! Each schema becomes the component `<File><group>` (a body is a `$ref` to it, as bodies of
//! real documents mostly are); its `$schema` is dropped and its local references (`#/$defs/x`,
//! `#`) are rebased onto the component, which is what bundling a schema file into a document
//! does. Used by `cargo xtask schema-suite` (every schema) and by the CI subset
//! (`tests/fixtures/schema-suite` -> `tests/crates/schema-suite`, `tests/schema_suite.rs`).

use std::path::Path;

use serde_json::{json, Map, Value};

/// One schema of the suite with its tests.
#[derive(Debug, Clone)]
pub struct Group {
    /// The suite file's stem, which names the keyword (`minLength`, `if-then-else`).
    pub file: String,
    /// The group's index in its file.
    pub index: usize,
    /// The suite's description of the schema.
    pub description: String,
    /// The schema.
    pub schema: Value,
    /// The tests: description, data, whether the data is valid.
    pub tests: Vec<Case>,
}

/// One test of a group.
#[derive(Debug, Clone)]
pub struct Case {
    /// The suite's description.
    pub description: String,
    /// The instance, sent as the request body.
    pub data: Value,
    /// The suite's verdict.
    pub valid: bool,
}

impl Group {
    /// The request path of the group's operation.
    pub fn path(&self) -> String {
        format!("/{}/{}", self.file, self.index)
    }

    /// The component name of the group's schema (`MinLength0`, `IfThenElse3`).
    pub fn component(&self) -> String {
        let mut name = String::new();
        let mut upper = true;
        for c in self.file.chars() {
            if c.is_ascii_alphanumeric() {
                name.push(if upper { c.to_ascii_uppercase() } else { c });
                upper = false;
            } else {
                upper = true;
            }
        }
        format!("{name}{}", self.index)
    }
}

/// The groups of every `*.json` file of `dir` (sorted by file name, then group order).
///
/// # Errors
///
/// A message naming the file that cannot be read or is not a suite file.
pub fn load(dir: &Path) -> Result<Vec<Group>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut groups = Vec::new();
    for path in files {
        let file = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let parsed: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let Some(list) = parsed.as_array() else { return Err(format!("{}: not a list of groups", path.display())) };
        for (index, g) in list.iter().enumerate() {
            let tests = g["tests"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| Case {
                    description: t["description"].as_str().unwrap_or_default().to_string(),
                    data: t["data"].clone(),
                    valid: t["valid"].as_bool().unwrap_or_default(),
                })
                .collect();
            groups.push(Group {
                file: file.clone(),
                index,
                description: g["description"].as_str().unwrap_or_default().to_string(),
                schema: g["schema"].clone(),
                tests,
            });
        }
    }
    Ok(groups)
}

/// The groups of the CI subset: the first two of every file.
pub fn subset(groups: &[Group]) -> Vec<Group> {
    groups.iter().filter(|g| g.index < 2).cloned().collect()
}

/// The OpenAPI 3.1 document with one operation per group.
pub fn document(groups: &[Group]) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for g in groups {
        let name = g.component();
        let mut schema = g.schema.clone();
        if let Some(map) = schema.as_object_mut() {
            map.remove("$schema");
        }
        rebase(&mut schema, &format!("#/components/schemas/{name}"));
        schemas.insert(name.clone(), schema);
        let operation = json!({
            "operationId": format!("{}_{}", g.file.replace('-', "_"), g.index),
            "summary": g.description,
            "requestBody": {
                "required": true,
                "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{name}") } } }
            },
            "responses": { "204": { "description": "The body is valid." } }
        });
        paths.insert(g.path(), json!({ "post": operation }));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "JSON Schema Test Suite",
            "version": "1.0.0",
            "description": "The draft 2020-12 validation and applicator tests of the JSON Schema Test Suite (MIT, see tests/json-schema-suite/LICENSE), one request body per schema."
        },
        "paths": paths,
        "components": { "schemas": schemas }
    })
}

/// Rebases the local references of a schema that is moved to `base`.
fn rebase(value: &mut Value, base: &str) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                if let Some(rest) = r.strip_prefix('#') {
                    *r = format!("{base}{rest}");
                }
            }
            map.values_mut().for_each(|v| rebase(v, base));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rebase(v, base)),
        _ => {}
    }
}
