//! The conformance subset: crates generated from public OpenAPI documents
//! (`tests/fixtures/openapi` -> `tests/crates`) compile with every feature (that is most of the
//! test: this file only links them) and expose the documented servers.

use serde_json::Value;

/// The first server URL of a fixture document, as the generated `BaseUrl::default()` must give it.
fn first_server(file: &str) -> Option<String> {
    let path = spec_tests::repo_root().join("tests/fixtures/openapi").join(file);
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    let doc: Value = if file.ends_with(".json") {
        serde_json::from_str(&text).expect("JSON")
    } else {
        // The YAML fixtures' first server line is enough here.
        let url = text.lines().find_map(|l| l.trim().strip_prefix("- url:").map(|u| u.trim().trim_matches(['\'', '"']).to_string()));
        return url.map(|u| u.trim_end_matches('/').to_string());
    };
    doc.pointer("/servers/0/url").and_then(Value::as_str).map(|u| u.trim_end_matches('/').to_string())
}

macro_rules! check {
    ($krate:ident, $file:literal) => {{
        use $krate::client::{BaseUrl, Client, Credentials};
        let expected = first_server($file);
        let url = BaseUrl::default().url();
        if let Some(expected) = expected {
            if !expected.contains('{') {
                assert_eq!(url, expected, "{}", $file);
            }
        }
        let client = Client::new(BaseUrl::Custom("http://127.0.0.1:9".into()), Credentials::default());
        assert_eq!(client.base_url(), "http://127.0.0.1:9");
    }};
}

#[test]
fn conformance_crates_link_and_know_their_servers() {
    check!(corpus_api_with_examples, "api-with-examples.json");
    check!(corpus_buildomat, "buildomat.json");
    check!(corpus_keeper, "keeper.json");
    check!(corpus_link_example, "link-example.yaml");
    check!(corpus_petstore, "petstore.json");
    check!(corpus_petstore_expanded, "petstore-expanded.yaml");
    check!(corpus_uspto, "uspto.yaml");
    check!(corpus_webhook_example, "webhook-example.json");
}

/// Snapshots of what a few small corpus documents generate, for reviewers: a change in the
/// generator shows up here as a readable diff.
#[test]
fn small_corpus_documents_match_their_snapshots() {
    for (name, file) in
        [("petstore", "petstore.json"), ("petstore-expanded", "petstore-expanded.yaml"), ("webhook-example", "webhook-example.json")]
    {
        let spec = std::path::Path::new("tests/fixtures/openapi").join(file);
        let out =
            spec_tests::in_repo(|| apigen_codegen::generate(&spec, &apigen_codegen::GeneratorSettings::new(format!("corpus-{name}"))))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        for (path, text) in &out.files {
            let path = path.to_string_lossy().replace('/', "__");
            if !(path.ends_with(".rs") && (path.contains("models") || path.contains("client"))) {
                continue;
            }
            insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true, description => format!("tests/fixtures/openapi/{file} -> {path}") }, {
                insta::assert_snapshot!(format!("corpus_{name}__{path}"), text);
            });
        }
    }
}
