//! The bundled documents: snapshots for reviewers, byte-for-byte determinism, and the
//! operations the seed pages document.

use apigen_codegen::{GeneratorSettings, OutputSet};
use serde_json::Value;
use spec_tests::{apis, in_repo, spec_root};

fn generate(api: &str) -> OutputSet {
    in_repo(|| apigen_codegen::generate(&spec_root(api), &GeneratorSettings::new(api)).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn bundled_documents_match_their_snapshots() {
    for api in apis() {
        let out = generate(&api);
        let text = &out.files[std::path::Path::new("openapi.json")];
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true, description => format!("generated/{api}/openapi.json") }, {
            insta::assert_snapshot!(format!("{api}_openapi"), text);
        });
    }
}

#[test]
fn generation_is_deterministic() {
    for api in apis() {
        let first = generate(&api);
        let second = generate(&api);
        assert_eq!(first, second, "{api}: two runs gave different output");
    }
}

#[test]
fn bundles_are_self_contained() {
    for api in apis() {
        let out = generate(&api);
        let text = &out.files[std::path::Path::new("openapi.json")];
        let doc: Value = serde_json::from_str(text).expect("valid JSON");
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(!refs.is_empty(), "{api}: expected schema references in the bundle");
        for r in refs {
            let ptr = r.strip_prefix('#').unwrap_or_else(|| panic!("{api}: external $ref left in bundle: {r}"));
            assert!(doc.pointer(ptr).is_some(), "{api}: dangling $ref {r}");
        }
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r.clone());
            }
            m.values().for_each(|c| collect_refs(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| collect_refs(c, out)),
        _ => {}
    }
}

/// Method, path, operationId and source page of every operation in the seed pages.
const SEED_OPERATIONS: &[(&str, &str, &str, &str, &str)] = &[
    ("questionpro", "post", "/micropanel/members", "importPanelMembers", "000_da5f59d4d2f89856.txt"),
    ("questionpro", "get", "/micropanel/users/{user-id}/communities", "listUserCommunities", "001_f409134a1bd8036a.txt"),
    ("questionpro", "put", "/users/{user-id}", "updateUser", "002_848bef6b9880367e.txt"),
    ("questionpro", "get", "/organizations/{organization-id}/users/search", "searchOrganizationUsers", "003_136859e55a0094ab.txt"),
    ("epixel", "post", "/user/signup/", "registerUser", "004_c94dce11831efc42.txt"),
    ("epixel", "post", "/user/signup-package/", "registerUserWithPackage", "004_c94dce11831efc42.txt"),
    ("epixel", "get", "/user/get/sponsors/", "listSponsors", "004_c94dce11831efc42.txt"),
    ("epixel", "post", "/user/validate-sponsor/", "validateSponsor", "004_c94dce11831efc42.txt"),
];

#[test]
fn all_eight_seed_operations_are_bundled_with_their_source() {
    for (api, method, path, id, source) in SEED_OPERATIONS {
        let out = generate(api);
        let doc: Value = serde_json::from_str(&out.files[std::path::Path::new("openapi.json")]).expect("JSON");
        let op = doc["paths"][path][method].as_object().unwrap_or_else(|| panic!("{api}: {method} {path} missing"));
        assert_eq!(op["operationId"], *id);
        assert_eq!(op["x-source"]["file"], *source);
        assert!(op["x-source"]["title"].as_str().is_some_and(|t| !t.is_empty()), "{id}: the page's title");
        assert!(op.contains_key("security"), "{id}: auth must be explicit per operation");
        assert!(op["responses"].as_object().is_some_and(|r| r.keys().any(|k| k.starts_with('2'))), "{id}: no success response");
    }
    let total: usize = apis()
        .iter()
        .map(|api| {
            let doc: Value = serde_json::from_str(&generate(api).files[std::path::Path::new("openapi.json")]).expect("JSON");
            doc["paths"].as_object().map_or(0, |p| {
                p.values()
                    .map(|i| i.as_object().map_or(0, |o| o.keys().filter(|k| apigen_codegen::spec::METHODS.contains(&k.as_str())).count()))
                    .sum()
            })
        })
        .sum();
    assert_eq!(total, SEED_OPERATIONS.len(), "the bundles hold operations the seed pages do not document");
}

#[test]
fn auth_placement_follows_the_pages() {
    let qp: Value = serde_json::from_str(&generate("questionpro").files[std::path::Path::new("openapi.json")]).expect("JSON");
    let schemes = &qp["components"]["securitySchemes"];
    assert_eq!(schemes["apiKeyHeader"]["in"], "header");
    assert_eq!(schemes["apiKeyHeader"]["name"], "api-key");
    assert_eq!(schemes["apiKeyQuery"]["in"], "query");
    assert_eq!(schemes["apiKeyQuery"]["name"], "apiKey");
    assert_eq!(qp["paths"]["/users/{user-id}"]["put"]["security"][0], serde_json::json!({"apiKeyQuery": []}));
    let ep: Value = serde_json::from_str(&generate("epixel").files[std::path::Path::new("openapi.json")]).expect("JSON");
    assert_eq!(ep["components"]["securitySchemes"]["apiKey"]["name"], "apikey");
    assert_eq!(ep["paths"]["/user/get/sponsors/"]["get"]["security"][0], serde_json::json!({"apiKey": [], "bearerAuth": []}));
    assert!(ep["paths"]["/user/signup/"]["post"]["requestBody"]["content"]["multipart/form-data"].is_object());
}
