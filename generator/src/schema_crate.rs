//! Models-only crates from plain JSON Schema documents (such as typify's test fixtures).
//!
//! A JSON Schema file is wrapped, in memory, into a minimal OpenAPI 3.1 bundle: its
//! `definitions`/`$defs` become `components/schemas`, a root schema that describes a value (it
//! has a `type`, `properties`, an `enum` or a combinator) becomes one more component named after
//! its `title` (else the file stem), and every local reference (`#/definitions/X`, `#/$defs/X`,
//! `#`) is rewritten to point at the component. From there the models pipeline is the one of
//! [`crate::generate`]: [`crate::lower::models::lower`] and [`crate::emit::models::emit`], with the
//! validation of `apigen-runtime` (no features), without operations, client or server.
//!
//! Every definition is a root of both kinds at once, so the schema crates get the
//! forward-compatible policy (see ARCHITECTURE.md): a plain schema says nothing about who reads
//! its values.

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::diag::{escape_token, Diagnostic, Diagnostics};
use crate::spec::Bundle;
use crate::spec::COMPONENT_PREFIX;
use crate::write::{self, OutputSet};
use crate::{ir, Job, Mode, RunError};

/// The runtime dependency of the schema crates, which are this repository's fixtures
/// (`tests/typify-crates/<name>/`, three levels below the repository root).
fn runtime() -> crate::RuntimeDependency {
    crate::RuntimeDependency::Path("../../../runtime".to_string())
}

/// Keywords that make a root schema describe a value of its own (not only hold definitions).
const VALUE_KEYWORDS: &[&str] =
    &["type", "properties", "enum", "const", "oneOf", "anyOf", "allOf", "items", "additionalProperties", "$ref"];

/// Generates the models-only crate `crate_name` from the JSON Schema file `schema`: the files
/// `Cargo.toml`, `src/lib.rs` and `src/models.rs`.
///
/// # Errors
///
/// The file cannot be read or is not a JSON object; a schema the generator cannot convert
/// (reported at its pointer in the schema file, never as a panic).
pub fn generate(schema: &Path, crate_name: &str) -> Result<OutputSet, Diagnostics> {
    let bundle = wrap(schema)?;
    let lowered = {
        // Every definition counts as reached from a request and from a response: the policy
        // of definitions shared by both sides (forward-compatible).
        let roots: Vec<Value> = bundle
            .document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys())
            .map(|name| json!({ "$ref": format!("{COMPONENT_PREFIX}{}", escape_token(name)) }))
            .collect();
        crate::lower::models::lower(&bundle, &roots, &roots, &crate::settings::TypeSettings::default())?
    };
    let title = bundle.document.pointer("/info/title").and_then(Value::as_str).unwrap_or(crate_name).to_string();
    let (mut models, types, schemas, warnings) = lowered;
    // A models-only crate is a test of the type generator: a schema it cannot type is
    // reported (located), not degraded.
    if !warnings.is_empty() {
        return Err(warnings.into_errors());
    }
    crate::lower::models::finish(&mut models, &types, &schemas.definitions, &[]).map_err(|e| {
        Diagnostics::from(
            Diagnostic::new(schema, "", format!("internal generator error: {e}"))
                .with_help("this is a bug in the generator: please report it with the schema"),
        )
    })?;
    let api = ir::ApiSpace {
        crate_name: crate_name.to_string(),
        crate_ident: crate_name.replace('-', "_"),
        title: title.clone(),
        description: None,
        version: String::new(),
        servers: Vec::new(),
        security_schemes: Vec::new(),
        operations: Vec::new(),
        models,
        body_schemas: ir::BodySchemas::default(),
        parts: crate::settings::Parts::models_only(),
        package: crate::settings::Package::default(),
        license_note: None,
        header: crate::generated_header(&crate::spec_file_name(schema)),
        spec_file: crate::spec_file_name(schema),
    };
    emit(&api, &types, schema).map_err(|e| {
        Diagnostics::from(
            Diagnostic::new(schema, "", format!("internal generator error: {e}"))
                .with_help("this is a bug in the generator: please report it with the schema"),
        )
    })
}

/// Reads `schema` and wraps it into an OpenAPI bundle whose diagnostics point into the file.
fn wrap(schema: &Path) -> Result<Bundle, Diagnostics> {
    let mut sources = crate::spec::load::Sources::default();
    let file = sources.load(schema)?;
    let path = file.path.clone();
    let Value::Object(root) = file.value.clone() else {
        return Err(Diagnostic::new(&path, "", "a JSON Schema document must be an object")
            .with_help("give the file an object with `definitions` (or `$defs`) and/or a root schema")
            .into());
    };
    let stem = schema.file_stem().map_or_else(|| "Root".to_string(), |s| s.to_string_lossy().into_owned());
    let root_name = root.get("title").and_then(Value::as_str).map_or_else(|| crate::naming::pascal_case(&stem), String::from);

    let mut components = Map::new();
    // Problems found across all definitions are placed at the document; those of one
    // definition at the definition (the longest matching prefix wins).
    let mut inlined = vec![("/components/schemas".to_string(), path.clone(), String::new())];
    for key in ["definitions", "$defs"] {
        let Some(defs) = root.get(key) else { continue };
        let Some(defs) = defs.as_object() else {
            return Err(Diagnostic::new(&path, format!("/{}", escape_token(key)), format!("`{key}` must be an object of schemas"))
                .with_help("map each definition name to its schema")
                .into());
        };
        for (name, def) in defs {
            let at = format!("/components/schemas/{}", escape_token(name));
            inlined.push((at, path.clone(), format!("/{}/{}", escape_token(key), escape_token(name))));
            components.insert(name.clone(), rewrite_refs(def.clone(), &root_name));
        }
    }
    if VALUE_KEYWORDS.iter().any(|k| root.contains_key(*k)) && !components.contains_key(&root_name) {
        let mut own: Map<String, Value> = root.clone();
        for key in ["definitions", "$defs", "$schema", "$id", "$comment"] {
            own.remove(key);
        }
        inlined.push((format!("/components/schemas/{}", escape_token(&root_name)), path.clone(), String::new()));
        components.insert(root_name.clone(), rewrite_refs(Value::Object(own), &root_name));
    }
    // `components/schemas` is sorted by name, as in every bundle.
    let mut sorted: Vec<(String, Value)> = components.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let document = json!({
        "openapi": "3.1.0",
        "info": { "title": root_name, "version": "0" },
        "paths": {},
        "components": { "schemas": Map::from_iter(sorted) },
    });
    Ok(Bundle { document, root: path, origins: Default::default(), inlined, sources })
}

/// Rewrites the local references of a JSON Schema document to component references.
fn rewrite_refs(value: Value, root_name: &str) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => {
                        let target = if r == "#" {
                            format!("{COMPONENT_PREFIX}{}", escape_token(root_name))
                        } else if let Some(rest) = r.strip_prefix("#/definitions/").or_else(|| r.strip_prefix("#/$defs/")) {
                            format!("{COMPONENT_PREFIX}{rest}")
                        } else {
                            r
                        };
                        (k, Value::String(target))
                    }
                    // Values, not schemas: left as written.
                    ("default" | "const" | "enum" | "examples" | "example", v) => (k, v),
                    (_, v) => (k, rewrite_refs(v, root_name)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| rewrite_refs(v, root_name)).collect()),
        other => other,
    }
}

/// Emits and renders the files of a models-only crate.
fn emit(api: &ir::ApiSpace, types: &typify_impl::TypeSpace, schema: &Path) -> Result<OutputSet, String> {
    let mut out = OutputSet::default();
    out.add("Cargo.toml", cargo_toml(api, schema)?);
    let models = crate::emit::models::emit(api, types)?;
    if !api.models.json_schemas.text.is_empty() {
        out.add("src/schemas.json", api.models.json_schemas.text.clone());
    }
    out.add(
        "src/models.rs",
        crate::render::render_file(&api.header, &format!("Models of {}: one type per schema definition.", api.title), models),
    );
    let lib = quote::quote! {
        // typify writes `impl Default` by hand where a derive would do, and the schemas name
        // their types freely (`foo`): both lints are allowed here, once, for the whole crate.
        #![allow(clippy::derivable_impls, clippy::disallowed_names)]
        #![forbid(unsafe_code)]
        pub mod models;
        pub use ::apigen_runtime::validation;
        pub use validation::{Validate, ValidationErrors, Violation};
    };
    let doc =
        format!("# {}\n\nModels generated by apigen {} from the JSON Schema `{}`.", api.title, crate::GENERATOR_VERSION, api.spec_file,);
    out.add("src/lib.rs", crate::render::render_rust(&api.header, &doc, lib)?);
    Ok(out)
}

/// `Cargo.toml` of a models-only crate, through the same template as the API crates.
fn cargo_toml(api: &ir::ApiSpace, schema: &Path) -> Result<String, String> {
    let mut schemars_features = Vec::new();
    let mut deps = vec![
        ("apigen-runtime", runtime().manifest_spec(&crate::RuntimeCrate::embedded())),
        ("regress", "\"0.12\"".to_string()),
        ("serde", "{ version = \"1\", features = [\"derive\"] }".to_string()),
        ("serde_json", "\"1\"".to_string()),
    ];
    if api.models.uses_chrono {
        deps.push(("chrono", "{ version = \"0.4\", default-features = false, features = [\"serde\", \"std\"] }".into()));
        schemars_features.push("\"chrono04\"");
    }
    if api.models.uses_uuid {
        deps.push(("uuid", "{ version = \"1\", features = [\"serde\"] }".into()));
        schemars_features.push("\"uuid1\"");
    }
    let features = if schemars_features.is_empty() { String::new() } else { format!(", features = [{}]", schemars_features.join(", ")) };
    deps.push(("schemars", format!("{{ version = \"1\", optional = true{features} }}")));
    deps.sort_by_key(|d| d.0);
    let file = schema.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    crate::render::render(
        "Cargo.toml.jinja",
        json!({
            "header": api.header,
            "crate_name": api.crate_name,
            "crate_version": crate::emit::krate::CRATE_VERSION,
            "rust_version": crate::emit::krate::RUST_VERSION,
            "description": format!("Generated models of the JSON Schema {file}."),
            "license": null,
            "repository": null,
            "homepage": null,
            "publish": null,
            "dependencies": deps.iter().map(|(name, spec)| json!({ "name": name, "spec": spec })).collect::<Vec<_>>(),
            "features": [{
                "name": "schemars",
                "doc": "`schemars::JsonSchema` for every model: the schema's own definitions (`src/schemas.json`).",
                "enables": ["dep:schemars", "apigen-runtime/schemars"],
            }],
            "bins": [],
        }),
    )
}

/// Generates every job (in memory), failing with the diagnostics of every failing schema
/// before anything is written.
///
/// # Errors
///
/// [`RunError::Spec`] with the diagnostics of every failing job.
pub fn generate_all(jobs: &[Job]) -> Result<Vec<(Job, OutputSet)>, RunError> {
    let mut outputs = Vec::new();
    let mut failures = Vec::new();
    for job in jobs {
        match generate(&job.spec, &job.name) {
            Ok(set) => outputs.push((job.clone(), set)),
            Err(d) => failures.push((job.name.clone(), job.spec.clone(), d)),
        }
    }
    if failures.is_empty() {
        Ok(outputs)
    } else {
        Err(RunError::Spec(failures))
    }
}

/// Writes (or checks) what [`generate_all`] produced, in one transaction (see
/// [`crate::write_outputs`]).
///
/// # Errors
///
/// [`RunError::Write`] when an output directory cannot be written or read.
pub fn write_all(
    outputs: &[(Job, OutputSet)],
    mode: Mode,
    options: &write::WriteOptions,
) -> Result<Vec<(String, write::Report)>, RunError> {
    crate::write_outputs(outputs, mode, options)
}

/// The typify fixtures compiled in CI: every `tests/fixtures/typify/<name>.json` becomes the
/// checked-in crate `tests/typify-crates/<name>/` (package `typify-<name>`), relative to the
/// repository root.
pub fn fixture_jobs(repo: &Path) -> Vec<Job> {
    // With `repo` empty, every path stays relative to the working directory.
    let dir = repo.join("tests/fixtures/typify");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut jobs: Vec<Job> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .filter_map(|spec| {
            let stem = spec.file_stem()?.to_string_lossy().replace('_', "-");
            let out: PathBuf = repo.join("tests/typify-crates").join(&stem);
            Some(Job { name: format!("typify-{stem}"), spec: spec.strip_prefix(repo).map(Path::to_path_buf).unwrap_or(spec), out })
        })
        .collect();
    jobs.sort_by(|a, b| a.name.cmp(&b.name));
    jobs
}
