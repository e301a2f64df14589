//! The models' `schemars::JsonSchema` (the document's own schemas, through the runtime's
//! `json_schema::Definitions`), over every model of every generated crate the tests build with
//! the `schemars` feature (listed by `build.rs` from the crates' code):
//!
//! - `schema_for!` of each model, with the default settings and with OpenAPI 3.0's (another
//!   definitions path), is one self-contained document: every `$ref` resolves inside it;
//! - every body the generator synthesizes for a response or request of a model (the mock's and
//!   the README's) and every documented example that its document's schema accepts validates
//!   against the model's schemars schema (the `jsonschema` crate, formats asserted);
//! - the schemas keep the document's facts a derive loses (a pattern, a length).

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::generate::SchemaSettings;
use serde_json::Value;
use spec_tests::{lowered, media_schema, repo_root};

#[path = "common/schema_check.rs"]
mod schema_check;

/// A model of a generated crate.
struct SchemaModel {
    /// The crate's folder, relative to `tests/`.
    dir: &'static str,
    /// The type's name in `models`.
    name: &'static str,
    /// Its root schema under these settings.
    schema: fn(SchemaSettings) -> Value,
}

const MODELS: &[SchemaModel] = include!(concat!(env!("OUT_DIR"), "/schema_models.rs"));

/// Every `$ref` in `value` that does not resolve inside `root`, with where it is. Examples,
/// defaults, constants and extensions are data, not schemas.
fn dangling(root: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                let pointer = r.strip_prefix('#').map(|p| p.replace("%24", "$"));
                if pointer.is_none_or(|p| root.pointer(&p).is_none()) {
                    out.push(format!("{at}: {r}"));
                }
            }
            for (k, v) in map {
                if !matches!(k.as_str(), "examples" | "example" | "default" | "const" | "enum") && !k.starts_with("x-") {
                    dangling(root, v, &format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| dangling(root, v, &format!("{at}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn every_schema_is_one_self_contained_document() {
    let mut problems = Vec::new();
    for m in MODELS {
        for (settings, label) in [(SchemaSettings::draft2020_12(), "2020-12"), (SchemaSettings::openapi3(), "openapi3")] {
            let root = (m.schema)(settings);
            let mut out = Vec::new();
            dangling(&root, &root, "", &mut out);
            problems.extend(out.into_iter().map(|d| format!("{} {} ({label}): {d} dangles", m.dir, m.name)));
        }
    }
    assert!(MODELS.len() > 300, "only {} models listed by build.rs", MODELS.len());
    assert!(problems.is_empty(), "{} dangling reference(s):\n{}", problems.len(), problems.join("\n"));
}

/// The document a crate of `dir` (relative to `tests/`) is generated from.
fn spec_of(dir: &str) -> Option<PathBuf> {
    if let Some(api) = dir.strip_prefix("../generated/") {
        return Some(spec_tests::spec_root(api));
    }
    let name = dir.strip_prefix("crates/")?;
    let candidates = [
        format!("tests/fixtures/{name}/openapi.json"),
        format!("tests/fixtures/{name}/openapi.yaml"),
        format!("tests/fixtures/openapi/{name}.json"),
        format!("tests/fixtures/openapi/{name}.yaml"),
    ];
    candidates.into_iter().map(PathBuf::from).find(|p| repo_root().join(p).is_file())
}

/// The failures of `value` against the schemars schema `schema` (formats asserted).
fn violations(schema: &Value, value: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("a schemars schema does not compile: {e}\n{schema:#}"));
    validator.iter_errors(value).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

/// A JSON body of a model: what, the model's name, the document's schema of the body, the
/// synthesized value and the documented examples.
type Body<'a> = (String, &'a str, Option<Value>, Option<&'a Value>, Vec<&'a Value>);

#[test]
fn synthesized_and_documented_bodies_validate_against_the_schemars_schemas() {
    let mut by_crate: BTreeMap<&str, BTreeMap<&str, &SchemaModel>> = BTreeMap::new();
    for m in MODELS {
        by_crate.entry(m.dir).or_default().insert(m.name, m);
    }
    let (mut synthesized, mut documented, mut failures) = (0, 0, Vec::new());
    for (dir, models) in &by_crate {
        let Some(spec) = spec_of(dir) else { continue };
        let (doc, lowered) = lowered(&spec);
        let mut bodies: Vec<Body<'_>> = Vec::new();
        for op in &lowered.api.operations {
            let at = &doc["paths"][&op.path][op.method.as_str().to_ascii_lowercase()];
            if let Some(b) = op.body.as_ref().filter(|b| b.content_type.contains("json")) {
                if let Some(model) = b.ty.model() {
                    let schema = media_schema(&doc, &at["requestBody"], &b.content_type);
                    let examples = b.examples.iter().map(|e| &e.value).collect();
                    bodies.push((format!("{} request", op.id), model, schema, b.minimal.as_ref(), examples));
                }
            }
            for r in &op.responses {
                let Some(b) = r.body.as_ref().filter(|b| b.content_type.contains("json")) else { continue };
                let Some(model) = b.ty.model() else { continue };
                let key = r.status.key();
                let holder =
                    at["responses"].as_object().and_then(|rs| rs.iter().find(|(k, _)| k.eq_ignore_ascii_case(&key))).map(|(_, v)| v);
                let schema = holder.and_then(|h| media_schema(&doc, h, &b.content_type));
                let examples = b.examples.iter().map(|e| &e.value).collect();
                bodies.push((format!("{} response {key}", op.id), model, schema, b.minimal.as_ref(), examples));
            }
        }
        for (what, name, doc_schema, minimal, examples) in bodies {
            let Some(model) = models.get(name) else { continue };
            let schema = (model.schema)(SchemaSettings::draft2020_12());
            let mut values: Vec<&Value> = minimal.into_iter().collect();
            synthesized += values.len();
            // A documented example counts when the document's own schema accepts it.
            for example in examples {
                let mut broken = Vec::new();
                if let Some(s) = &doc_schema {
                    schema_check::check(&doc, s.clone(), example, String::new(), &mut broken);
                    if broken.is_empty() {
                        values.push(example);
                        documented += 1;
                    }
                }
            }
            for value in values {
                let errors = violations(&schema, value);
                if !errors.is_empty() {
                    failures.push(format!("{dir} {what} ({name}): {value} breaks {schema}: {}", errors.join("; ")));
                }
            }
        }
    }
    let checked = synthesized + documented;
    assert!(failures.is_empty(), "{} of {checked} bodies break their schemars schema:\n{}", failures.len(), failures.join("\n\n"));
    assert!(synthesized > 50 && documented > 20, "only {synthesized} synthesized and {documented} documented bodies checked");
}

#[test]
fn the_schemas_keep_the_documents_rules() {
    // `UserRegistration.username` has a pattern and lengths in the document; a schema derived
    // from its `String` field would have neither.
    let m = MODELS.iter().find(|m| m.dir == "../generated/epixel" && m.name == "UserRegistration").expect("epixel's UserRegistration");
    let root = (m.schema)(SchemaSettings::draft2020_12());
    let username = &root["properties"]["username"];
    assert!(username.get("pattern").is_some() && username.get("minLength").is_some(), "{root:#}");
}
