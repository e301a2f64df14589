//! Property tests (the CI form of fuzzing) over the generator's input side: arbitrary bytes,
//! arbitrary JSON, mutated seed specs and arbitrary JSON Schemas given to
//! `apigen_codegen::generate` either generate or are rejected with diagnostics, never panic, hang,
//! overflow the stack or report an "internal generator error"; names from the spec in every
//! identifier position never collide; the locators never panic on any text or pointer.
//!
//! Case counts are bounded so the suite stays fast, and the default run uses fixed seeds, so CI
//! is reproducible. `PROPTEST_CASES` raises the counts for a longer local run with random seeds
//! (`PROPTEST_CASES=5000 cargo test -p spec-tests --test fuzz_generator`); `PROPTEST_RNG_SEED=N`
//! replays one seed. A stack overflow aborts the whole test binary: the input is the last
//! `openapi.json` written under `$TMPDIR/apigen-fuzz-<pid>-<n>/`. Every input that ever
//! crashed is kept: as a `tests/bad-specs/` fixture or in `regressions` below.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use apigen_codegen::GeneratorSettings;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use serde_json::{json, Map, Value};

#[path = "common/duplicate_names.rs"]
mod duplicate_names;

/// Cases per property: the given default with a fixed seed, or `PROPTEST_CASES` with a random
/// one (or the seed of `PROPTEST_RNG_SEED`).
fn config(default: u32) -> Config {
    let cases: Option<u32> = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok());
    let base = Config::default();
    let rng_seed = match (cases, std::env::var_os("PROPTEST_RNG_SEED")) {
        (None, None) => proptest::test_runner::RngSeed::Fixed(0x00A9_1DE7),
        _ => base.rng_seed,
    };
    Config { cases: cases.unwrap_or(default), failure_persistence: None, rng_seed, ..base }
}

/// A scratch folder per test thread.
fn scratch() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("apigen-fuzz-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

thread_local! {
    static DIR: PathBuf = scratch();
}

/// Writes `bytes` as the root document and generates; a panic fails the property and shows
/// the input. Returns whether generation succeeded.
fn generate_bytes(bytes: &[u8], yaml: bool) -> Result<bool, TestCaseError> {
    let path = DIR.with(|d| d.join(if yaml { "openapi.yaml" } else { "openapi.json" }));
    std::fs::write(&path, bytes).expect("write input");
    generate_file(&path, || String::from_utf8_lossy(bytes).chars().take(2000).collect())
}

fn generate_file(path: &Path, show: impl Fn() -> String) -> Result<bool, TestCaseError> {
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| apigen_codegen::generate(path, &GeneratorSettings::new("fuzzed"))));
    match result {
        Ok(Ok(_)) => Ok(true),
        Ok(Err(diags)) => {
            for d in &diags.0 {
                prop_assert!(d.help.is_some(), "a diagnostic without help: {d}");
                // A bug of the generator reported as a diagnostic is still a bug.
                prop_assert!(!d.message.contains("internal generator error"), "{d}\ninput:\n{}", show());
            }
            Ok(false)
        }
        Err(panic) => {
            let msg = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            Err(TestCaseError::fail(format!("generator panicked: {msg:?}\ninput:\n{}", show())))
        }
    }
}

fn generate_value(doc: &Value) -> Result<bool, TestCaseError> {
    let text = serde_json::to_string_pretty(doc).expect("serialize");
    generate_bytes(text.as_bytes(), false)
}

/// Any JSON value, up to a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        "[a-zA-Z0-9_ /{}#$.~-]{0,12}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Object keys: OpenAPI and JSON Schema keywords half of the time, anything else otherwise.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "openapi",
            "info",
            "paths",
            "components",
            "schemas",
            "get",
            "post",
            "parameters",
            "responses",
            "200",
            "default",
            "content",
            "application/json",
            "schema",
            "$ref",
            "type",
            "properties",
            "items",
            "required",
            "enum",
            "oneOf",
            "allOf",
            "anyOf",
            "name",
            "in",
            "operationId",
            "security",
            "requestBody",
            "format",
            "pattern",
            "additionalProperties",
            "title",
            "maxLength",
            "minimum",
            "const",
            "if",
            "then",
            "nullable",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z0-9_/{}$.-]{0,10}",
    ]
}

/// Arbitrary JSON Schemas from a small recursive grammar: objects, arrays, enums, `oneOf`,
/// `allOf`, references to the other components, formats, patterns and constraints.
fn any_schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        prop::sample::select(vec!["string", "integer", "number", "boolean", "null"]).prop_map(|t| json!({ "type": t })),
        prop::sample::select(vec!["date-time", "date", "uuid", "email", "uri", "int64", "int32", "byte", "binary", "nope"])
            .prop_map(|f| json!({"type": "string", "format": f})),
        prop::sample::select(vec!["^[a-z]+$", "\\d{3}", "(", "[[:alpha:]]", "^\\p{L}+$", "a{2,1}"])
            .prop_map(|p| json!({"type": "string", "pattern": p, "minLength": 1, "maxLength": 64})),
        prop::collection::vec("[a-zA-Z0-9 _-]{0,8}", 1..5).prop_map(|v| json!({"type": "string", "enum": v})),
        prop::collection::vec(any::<i32>(), 1..5).prop_map(|v| json!({"type": "integer", "enum": v})),
        (any::<i64>(), any::<i64>()).prop_map(|(a, b)| json!({"type": "integer", "minimum": a.min(b), "maximum": a.max(b)})),
        (0..4usize).prop_map(|i| json!({ "$ref": format!("#/components/schemas/S{i}") })),
        // A `$ref` with sibling keywords: merged with its target (rings of them never end).
        (0..4usize, prop::sample::select(ref_siblings())).prop_map(|(i, mut extra)| {
            extra["$ref"] = json!(format!("#/components/schemas/S{i}"));
            extra
        }),
        Just(json!({})),
        Just(json!(true)),
        Just(json!({"type": ["string", "null"]})),
        Just(json!({"const": "fixed"})),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            (prop::collection::vec((prop_name(), inner.clone()), 0..5), any::<bool>(), any::<prop::sample::Index>()).prop_map(
                |(props, closed, req)| {
                    let required: Vec<&String> = props.iter().map(|(k, _)| k).filter(|_| req.index(2) == 0).collect();
                    json!({
                        "type": "object",
                        "properties": props.iter().cloned().collect::<Map<String, Value>>(),
                        "required": required,
                        "additionalProperties": !closed,
                    })
                }
            ),
            (inner.clone(), any::<bool>()).prop_map(|(items, unique)| json!({"type": "array", "items": items, "uniqueItems": unique, "maxItems": 10})),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({ "oneOf": v })),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({ "allOf": v })),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({ "anyOf": v })),
            inner.clone().prop_map(|v| json!({"type": "object", "additionalProperties": v})),
            (inner.clone(), inner).prop_map(|(a, b)| json!({"type": "object", "properties": {"kind": {"const": "a"}}, "if": {"properties": {"kind": {"const": "a"}}}, "then": a, "else": b})),
        ]
    })
}

/// Keywords found beside a `$ref` in real documents.
fn ref_siblings() -> Vec<Value> {
    vec![
        json!({"format": "uuid"}),
        json!({"minLength": 2}),
        json!({"type": "string"}),
        json!({"nullable": true}),
        json!({"description": "d"}),
        json!({"maxItems": 3}),
        json!({"default": "x"}),
        json!({"properties": {"x": {"type": "integer"}}}),
        json!({"enum": ["a", "b"]}),
    ]
}

/// Property names, hostile ones included.
fn prop_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "type",
            "self",
            "Self",
            "crate",
            "super",
            "fn",
            "async",
            "1st",
            "café",
            "ünïcödé",
            "$ref",
            "a-b",
            "a_b",
            "aB",
            "AB",
            "",
            " ",
            "_",
            "__",
            "r#type",
            "value",
            "Value",
            "default",
            "😀",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
        any::<String>(),
    ]
}

/// A document with the schemas as components, used by a request body and a response.
fn document_with(schemas: Vec<Value>) -> Value {
    let components: Map<String, Value> = schemas.into_iter().enumerate().map(|(i, s)| (format!("S{i}"), s)).collect();
    let n = components.len();
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "Fuzzed", "version": "1"},
        "paths": {},
        "components": {"schemas": components},
    });
    for i in 0..n {
        doc["paths"][format!("/s{i}")] = json!({
            "post": {
                "operationId": format!("op{i}"),
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/S{i}")}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/S{i}")}}}}},
            }
        });
    }
    doc
}

/// The bundled seed documents (self-contained).
fn seeds() -> Vec<Value> {
    ["questionpro", "epixel"]
        .iter()
        .map(|api| {
            let text = std::fs::read_to_string(spec_tests::repo_root().join("generated").join(api).join("openapi.json")).expect("seed");
            serde_json::from_str(&text).expect("seed parses")
        })
        .collect()
}

/// Every pointer of `value`, in document order.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(m) => m.iter().for_each(|(k, v)| pointers(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out)),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| pointers(v, format!("{at}/{i}"), out)),
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(prop::sample::Index, Value),
    Remove(prop::sample::Index),
    Rename(prop::sample::Index, String),
    Duplicate(prop::sample::Index, prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<prop::sample::Index>(), any_json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        any::<prop::sample::Index>().prop_map(Mutation::Remove),
        (any::<prop::sample::Index>(), prop_name()).prop_map(|(i, k)| Mutation::Rename(i, k)),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(a, b)| Mutation::Duplicate(a, b)),
    ]
}

fn apply(doc: &mut Value, m: &Mutation) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let parent_and_key = |p: &str| p.rsplit_once('/').map(|(a, b)| (a.to_string(), b.replace("~1", "/").replace("~0", "~")));
    match m {
        Mutation::Replace(i, v) => {
            if let Some(slot) = doc.pointer_mut(i.get(&all).as_str()) {
                *slot = v.clone();
            }
        }
        Mutation::Remove(i) | Mutation::Rename(i, _) => {
            let Some((parent, key)) = parent_and_key(i.get(&all).as_str()) else { return };
            let Some(parent) = doc.pointer_mut(&parent) else { return };
            let removed = match parent {
                Value::Object(map) => map.shift_remove(&key),
                Value::Array(items) => key.parse::<usize>().ok().filter(|&k| k < items.len()).map(|k| items.remove(k)),
                _ => None,
            };
            if let (Mutation::Rename(_, new), Some(v), Value::Object(map)) = (m, removed, parent) {
                map.insert(new.clone(), v);
            }
        }
        Mutation::Duplicate(from, to) => {
            let Some(v) = doc.pointer(from.get(&all).as_str()).cloned() else { return };
            if let Some(slot) = doc.pointer_mut(to.get(&all).as_str()) {
                *slot = v;
            }
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Arbitrary bytes, as JSON and as YAML.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), yaml in any::<bool>()) {
        generate_bytes(&bytes, yaml)?;
    }

    /// Arbitrary JSON, as a whole document and as the `paths` and `components` of one.
    #[test]
    fn arbitrary_json_never_panics(value in any_json(), paths in any_json(), components in any_json()) {
        generate_value(&value)?;
        generate_value(&json!({"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": paths, "components": components}))?;
    }

    /// Truncated and byte-flipped seed documents, JSON and YAML-looking.
    #[test]
    fn damaged_seed_text_never_panics(api in 0..2usize, cut in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>(), byte in any::<u8>(), yaml in any::<bool>()) {
        let text = serde_json::to_vec_pretty(&seeds()[api]).expect("text");
        let mut bytes = text[..cut.index(text.len() + 1)].to_vec();
        if !bytes.is_empty() {
            let i = flip.index(bytes.len());
            bytes[i] = byte;
        }
        generate_bytes(&bytes, yaml)?;
    }

    /// Arbitrary locators' input: any text, any pointer.
    #[test]
    fn locators_never_panic(text in any::<String>(), yamlish in "([ -]{0,6}[a-z'\"{}\\[\\],:#&*!|>-]{0,6}[ :]{0,2}\n){0,12}", pointer in "(/[a-z0-9'\"~{} -]{0,4}){0,5}") {
        let _ = apigen_codegen::spec::locate::locate(&text, &pointer);
        let _ = apigen_codegen::spec::locate::locate_yaml(&text, &pointer);
        let _ = apigen_codegen::spec::locate::locate(&yamlish, &pointer);
        let _ = apigen_codegen::spec::locate::locate_yaml(&yamlish, &pointer);
    }
}

proptest! {
    #![proptest_config(config(96))]

    /// The seed specs with one to four random structural mutations.
    #[test]
    fn mutated_seed_specs_never_panic(api in 0..2usize, mutations in prop::collection::vec(mutation(), 1..5)) {
        let mut doc = seeds()[api].clone();
        for m in &mutations {
            apply(&mut doc, m);
        }
        generate_value(&doc)?;
    }

    /// Arbitrary JSON Schemas through lowering, typify and the model emitter.
    #[test]
    fn arbitrary_schemas_never_panic(schemas in prop::collection::vec(any_schema(), 1..5)) {
        generate_value(&document_with(schemas))?;
    }
}

/// Every identifier the generated client and server use for themselves (runtime items, locals,
/// methods, fields), read from a seed crate: the names a spec must be able to use too.
fn emitter_names() -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    for file in ["client.rs", "server.rs"] {
        let text = std::fs::read_to_string(spec_tests::repo_root().join("generated/questionpro/src").join(file)).expect("seed crate");
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && word.len() <= 24 {
                names.insert(word.to_string());
            }
        }
    }
    names.into_iter().collect()
}

/// A name from the spec: the generated code's own names, keywords and look-alikes, each in one
/// of several spellings (`api_key`, `apiKey`, `ApiKey`, `api-key`, `API_KEY`).
fn spec_name() -> impl Strategy<Value = String> {
    let mut base = emitter_names();
    base.extend(
        [
            "self",
            "Self",
            "type",
            "crate",
            "super",
            "authenticate",
            "headers",
            "credentials",
            "api_key",
            "host",
            "a-b",
            "a_b",
            "custom",
            "url",
            "new",
            "default",
            "clone",
            "1st",
            "_",
            "café",
            "page",
            "page_number",
            "list_stream",
            "handle_list",
            "Error",
            "Params",
            "Input",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    (prop::sample::select(base), 0..5u8)
        .prop_map(|(name, style)| {
            let words = apigen_codegen::naming::words(&name);
            match style {
                0 => name,
                1 => words.iter().enumerate().map(|(i, w)| if i == 0 { w.clone() } else { upper_first(w) }).collect(),
                2 => words.iter().map(|w| upper_first(w)).collect(),
                3 => words.join("-"),
                _ => words.join("_").to_uppercase(),
            }
        })
        .prop_filter("a usable name", |n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)))
}

fn upper_first(w: &str) -> String {
    let mut cs = w.chars();
    cs.next().map(|f| f.to_uppercase().chain(cs).collect()).unwrap_or_default()
}

/// A valid document whose every identifier comes from [`spec_name`]: operationIds, path, query
/// and header parameters, security schemes, servers and their variables.
fn document_with_names() -> impl Strategy<Value = Value> {
    let scheme = (spec_name(), 0..5u8);
    let param = (spec_name(), prop::sample::select(vec!["query", "header", "cookie"]), any::<bool>());
    let op = (spec_name(), spec_name(), prop::collection::vec(param, 0..6), any::<bool>(), any::<bool>());
    (
        prop::collection::vec(scheme, 0..4),
        prop::collection::vec(op, 1..4),
        prop::collection::vec((spec_name(), prop::collection::vec(spec_name(), 0..3)), 1..3),
    )
        .prop_map(|(schemes, ops, servers)| {
            let mut security_schemes = Map::new();
            for (name, kind) in &schemes {
                let s = match kind {
                    0 => json!({"type": "apiKey", "in": "header", "name": "X-Key"}),
                    1 => json!({"type": "apiKey", "in": "query", "name": "key"}),
                    2 => json!({"type": "apiKey", "in": "cookie", "name": "key"}),
                    3 => json!({"type": "http", "scheme": "bearer"}),
                    _ => json!({"type": "http", "scheme": "basic"}),
                };
                security_schemes.insert(name.clone(), s);
            }
            let mut paths = Map::new();
            let mut ids = std::collections::BTreeSet::new();
            for (i, (id, path_param, params, secured, body)) in ops.into_iter().enumerate() {
                if !ids.insert(id.clone()) {
                    continue;
                }
                let mut parameters = vec![json!({"name": path_param, "in": "path", "required": true, "schema": {"type": "string"}})];
                let mut seen = std::collections::BTreeSet::from([(path_param.clone(), "path")]);
                for (name, location, required) in params {
                    if seen.insert((name.clone(), location)) {
                        parameters.push(json!({"name": name, "in": location, "required": required, "schema": {"type": "integer"}}));
                    }
                }
                let mut op = json!({
                    "operationId": id,
                    "parameters": parameters,
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
                });
                if secured {
                    op["security"] = Value::Array(security_schemes.keys().map(|k| json!({ k.clone(): [] })).collect());
                }
                if body {
                    op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}});
                }
                paths.insert(format!("/p{i}/{{{path_param}}}"), json!({ "post": op }));
            }
            let servers: Vec<Value> = servers
                .into_iter()
                .map(|(name, vars)| {
                    let url = format!("https://example.com/{}", vars.iter().map(|v| format!("{{{v}}}")).collect::<Vec<_>>().join("/"));
                    let variables: Map<String, Value> = vars.iter().map(|v| (v.clone(), json!({"default": "x"}))).collect();
                    json!({"url": url, "x-name": name, "variables": variables})
                })
                .collect();
            json!({
                "openapi": "3.1.0",
                "info": {"title": "Names", "version": "1"},
                "servers": servers,
                "paths": paths,
                "components": {
                    "securitySchemes": security_schemes,
                    "schemas": {"Thing": {"type": "object", "properties": {"id": {"type": "integer"}}}},
                },
            })
        })
}

proptest! {
    #![proptest_config(config(48))]

    /// Any names a valid document can give its operations, parameters, security schemes and
    /// servers generate a crate, and no module, type, trait or function of it gets a name
    /// twice (the compile errors such names caused: a parameter `headers` beside the input's
    /// own `headers`, schemes `api_key` and `apiKey`, an operation `authenticate`, ...).
    #[test]
    fn names_from_the_spec_never_collide(doc in document_with_names()) {
        let text = serde_json::to_string_pretty(&doc).expect("serialize");
        let path = DIR.with(|d| d.join("names.json"));
        std::fs::write(&path, &text).expect("write input");
        let set = match std::panic::catch_unwind(|| apigen_codegen::generate(&path, &GeneratorSettings::new("names"))) {
            Ok(Ok(set)) => set,
            Ok(Err(d)) => return Err(TestCaseError::fail(format!("a valid document was rejected: {d}\ninput:\n{text}"))),
            Err(_) => return Err(TestCaseError::fail(format!("generator panicked\ninput:\n{text}"))),
        };
        for file in ["src/client.rs", "src/server.rs"] {
            let parsed = syn::parse_file(&set.files[Path::new(file)]).expect("generated Rust parses");
            let dups = duplicate_names::duplicates(&parsed);
            prop_assert!(dups.is_empty(), "{}: {:?}\ninput:\n{}", file, dups, text);
        }
    }
}

/// Inputs that once crashed the generator, kept as regression tests.
mod regressions {
    use super::*;

    /// A `$ref` in an inlined (non-schema) file that points at itself recursed until the stack
    /// overflowed (also `tests/bad-specs/self-ref-in-inlined-file`).
    #[test]
    fn self_reference_inside_an_inlined_file() {
        let dir = scratch();
        std::fs::write(dir.join("responses.json"), r##"{"Loop": {"$ref": "#/Loop"}, "A": {"$ref": "#/B"}, "B": {"$ref": "#/A"}}"##)
            .unwrap();
        for target in ["Loop", "A"] {
            let doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"$ref": format!("responses.json#/{target}")}}}}}});
            std::fs::write(dir.join("openapi.json"), doc.to_string()).unwrap();
            let ok = generate_file(&dir.join("openapi.json"), || doc.to_string()).expect("no panic");
            assert!(!ok, "a cycle is rejected");
        }
    }

    /// `S1: {allOf: [{anyOf: [{$ref: S1}, ...]}, ...]}` sent typify's `allOf` merge into endless
    /// recursion (found by `arbitrary_schemas_never_panic`; also `tests/bad-specs/allof-self-merge`).
    #[test]
    fn schema_merged_with_itself_through_all_of() {
        let s1 = json!({"allOf": [{"anyOf": [{"$ref": "#/components/schemas/S0"}, {"type": "integer", "enum": [1, 2]}]}, {"type": "integer", "minimum": -5}]});
        assert!(!generate_value(&document_with(vec![s1])).expect("no panic"));
        let a = json!({"allOf": [{"$ref": "#/components/schemas/S1"}]});
        let b = json!({"allOf": [{"$ref": "#/components/schemas/S0"}, {"type": "object"}]});
        assert!(!generate_value(&document_with(vec![a, b])).expect("no panic"));
        // Recursion below a property is fine.
        let ok = json!({"allOf": [{"type": "object", "properties": {"x": {"$ref": "#/components/schemas/S0"}}}]});
        assert!(generate_value(&document_with(vec![ok])).expect("no panic"));
    }

    /// A property renamed to `ﱞ` (alphabetic but not an identifier character) made
    /// `Ident::new` panic in the model emitter (found by `mutated_seed_specs_never_panic`;
    /// field names now come from typify itself, through the field table of `lower::fields`).
    #[test]
    fn non_identifier_letters_in_property_names() {
        fn rename_first_properties(v: &mut Value) {
            match v {
                Value::Object(map) => {
                    if let Some(Value::Object(props)) = map.get_mut("properties") {
                        if let Some(first) = props.keys().next().cloned() {
                            let value = props.shift_remove(&first).expect("present");
                            props.insert("ﱞ".into(), value);
                        }
                    }
                    map.values_mut().for_each(rename_first_properties);
                }
                Value::Array(items) => items.iter_mut().for_each(rename_first_properties),
                _ => {}
            }
        }
        for mut doc in seeds() {
            rename_first_properties(&mut doc);
            generate_value(&doc).expect("no panic");
        }
    }

    /// `oneOf: [{type: null}, {type: null}]` tripped an assertion in typify's `to_stream`, which
    /// `emit::models` calls outside typify's conversion (found by `arbitrary_schemas_never_panic`;
    /// now repaired by normalization, with a warning: the duplicate member is removed).
    #[test]
    fn identical_one_of_members() {
        let s = json!({"oneOf": [{"type": "null"}, {"type": "null"}]});
        assert!(generate_value(&document_with(vec![s])).expect("no panic"));
    }

    /// `A: {$ref: B, format: uuid}`, `B: {$ref: A}` (also with `minLength`) sent typify's merge
    /// into endless recursion and aborted the process with a stack overflow (also
    /// `tests/bad-specs/ref-cycle-with-siblings` and `ref-cycle-with-min-length`).
    #[test]
    fn ref_rings_with_sibling_keywords_are_rejected_not_overflowed() {
        for extra in ref_siblings() {
            let mut a = extra.clone();
            a["$ref"] = json!("#/components/schemas/S1");
            let b = json!({"$ref": "#/components/schemas/S0"});
            let ok = generate_value(&document_with(vec![a.clone(), b])).expect("no panic");
            let annotation = extra.get("description").is_some() || extra.get("nullable").is_some() || extra.get("default").is_some();
            assert!(!ok, "{extra}: a ring is rejected ({})", if annotation { "an alias ring" } else { "a merge ring" });
            // Through a property, recursion ends: generated, or rejected by typify for the
            // sibling (`format: uuid` on an object), never an overflow or an internal error.
            let c = json!({"type": "object", "properties": {"next": {"$ref": "#/components/schemas/S0"}}});
            let generated = generate_value(&document_with(vec![a, c])).expect("no panic, no internal error");
            assert!(generated || extra.get("format").is_some() || extra.get("type").is_some() || extra.get("enum").is_some(), "{extra}");
        }
    }

    /// A `$ref` with a keyword that constrains values, below a property of the schema it refers
    /// to, overflowed typify's merge (found by `arbitrary_schemas_never_panic`): as a named
    /// definition it is merged once and generates; below a union member, which stays inline, it
    /// is rejected (also `tests/bad-specs/ref-cycle-in-union-member`).
    #[test]
    fn recursion_through_a_merged_property() {
        for extra in [json!({"maxProperties": 3}), json!({"properties": {"x": {"type": "integer"}}}), json!({"required": ["C"]})] {
            let mut site = extra.clone();
            site["$ref"] = json!("#/components/schemas/S0");
            let direct = json!({"type": "object", "properties": {"C": site, "L": {"type": "array", "items": site}}});
            assert!(generate_value(&document_with(vec![direct])).expect("no overflow"), "{extra}: generated");
            let in_union = json!({"anyOf": [{"type": "integer"}, {"type": "object", "properties": {"C": site}}]});
            assert!(!generate_value(&document_with(vec![in_union])).expect("no overflow"), "{extra}: rejected");
            // The member of a one-member union below `items` is not hoisted either.
            let below_items = json!({"type": "array", "items": {"oneOf": [site]}, "maxItems": 10});
            assert!(!generate_value(&document_with(vec![below_items])).expect("no overflow"), "{extra}: rejected");
        }
    }

    /// `S0: {anyOf: [{$ref: S0}, ...]}` and a merge into `S0` anywhere (`{minLength: 2, $ref:
    /// S0}`) overflowed typify's merge, which distributes over the members forever (found by
    /// `arbitrary_schemas_never_panic`; also `tests/bad-specs/merge-into-self-containing-union`).
    #[test]
    fn merge_into_a_union_that_contains_itself() {
        let union = json!({"anyOf": [{"$ref": "#/components/schemas/S0"}, {"type": "integer"}]});
        for site in [
            json!({"minLength": 2, "$ref": "#/components/schemas/S0"}),
            json!({"type": "object", "properties": {"p": {"minLength": 2, "$ref": "#/components/schemas/S0"}}}),
            json!({"type": "object", "additionalProperties": {"format": "uuid", "$ref": "#/components/schemas/S0"}}),
            json!({"allOf": [{"$ref": "#/components/schemas/S0"}, {"minimum": 1}]}),
        ] {
            assert!(!generate_value(&document_with(vec![union.clone(), site.clone()])).expect("no overflow"), "{site}");
        }
    }

    /// 62 levels of `items` overflowed typify's recursion on a 2 MiB test thread (also
    /// `tests/bad-specs/deeply-nested-arrays`); this test runs on such a thread.
    #[test]
    fn deeply_nested_arrays_are_rejected_not_overflowed() {
        let mut schema = json!({"type": "string"});
        for _ in 0..100 {
            schema = json!({"type": "array", "items": schema});
        }
        let ok = generate_value(&document_with(vec![schema])).expect("no panic");
        assert!(!ok);
        let mut schema = json!({"type": "string"});
        for _ in 0..30 {
            schema = json!({"type": "array", "items": schema});
        }
        assert!(generate_value(&document_with(vec![schema])).expect("no panic"), "30 levels still generate");
    }
}
