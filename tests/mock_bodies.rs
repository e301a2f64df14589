//! Issue 15, point 7 (the mock's part): every body the generator synthesizes (the README's
//! example body of an operation without a documented example, the mock's answer of each
//! response without one) validates against its schema, checked with the `jsonschema` crate over
//! the seeds, every fixture, and `tests/fixtures/constraints` (minItems, lengths, patterns,
//! bounds, multipleOf, uniqueItems, minProperties, allOf, formats), and so does the value the
//! mock sends for each documented response header (issue 15, point 2); and the mock answers
//! `Prefer: code=N` with that status, never with a silent 200.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use spec_tests::{apis, lowered, media_schema, spec_root};

#[path = "common/schema_check.rs"]
mod schema_check;
use schema_check::check;

/// Every document the repository generates a crate from, and the constraints fixture.
fn documents() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = apis().iter().map(|a| spec_root(a)).collect();
    let fixtures = Path::new("tests/fixtures");
    for entry in std::fs::read_dir(spec_tests::repo_root().join(fixtures.join("openapi"))).expect("fixtures").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") || name.ends_with(".yaml") {
            out.push(fixtures.join("openapi").join(name));
        }
    }
    for dir in ["bookstore", "constraints", "forms", "fuzz-sample", "hostile-names", "polymorphism", "uploads", "defects-30", "defects-31"]
    {
        for file in ["openapi.json", "openapi.yaml"] {
            if spec_tests::repo_root().join(fixtures.join(dir).join(file)).is_file() {
                out.push(fixtures.join(dir).join(file));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_synthesized_readme_and_mock_body_validates_against_its_schema() {
    let mut checked = 0;
    let mut headers = 0;
    let mut failures = Vec::new();
    for spec in documents() {
        let (doc, lowered) = lowered(&spec);
        for op in &lowered.api.operations {
            let at = &doc["paths"][&op.path][op.method.as_str().to_ascii_lowercase()];
            if let Some(body) = &op.body {
                if let (Some(minimal), Some(schema)) = (&body.minimal, media_schema(&doc, &at["requestBody"], &body.content_type)) {
                    if body.content_type.contains("json") {
                        check(&doc, schema, minimal, format!("{} {} request body", spec.display(), op.id), &mut failures);
                        checked += 1;
                    }
                }
            }
            for response in &op.responses {
                let key = response.status.key();
                let holder = at["responses"].as_object().and_then(|r| r.iter().find(|(k, _)| k.eq_ignore_ascii_case(&key))).map(|(_, v)| v);
                // The value the mock sends for each documented header satisfies the header's
                // schema, and every required header has one.
                for header in &response.headers {
                    let what = format!("{} {} response {key} header {}", spec.display(), op.id, header.name);
                    let Some(sample) = &header.sample else {
                        if header.required {
                            failures.push(format!("{what}: required, but the mock has no value for it"));
                        }
                        continue;
                    };
                    let declared = holder.map(|h| apigen_codegen::spec::deref(&doc, h)).and_then(|h| {
                        let (_, v) = h.get("headers")?.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(&header.name))?;
                        apigen_codegen::spec::deref(&doc, v).get("schema").cloned()
                    });
                    check(&doc, declared.unwrap_or(json!(true)), sample, what, &mut failures);
                    headers += 1;
                }
                let Some(body) = &response.body else { continue };
                let Some(minimal) = &body.minimal else { continue };
                if let (Some(holder), true) = (holder, body.content_type.contains("json")) {
                    if let Some(schema) = media_schema(&doc, holder, &body.content_type) {
                        check(&doc, schema, minimal, format!("{} {} response {key}", spec.display(), op.id), &mut failures);
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} synthesized bodies break their schema:\n{}", failures.len(), failures.join("\n"));
    assert!(checked > 50, "only {checked} bodies checked");
    assert!(headers >= 5, "only {headers} header values checked");
}

/// The constraints fixture's bodies are not trivially small: the rules were applied.
#[test]
fn the_constraints_fixture_gets_bodies_that_honour_every_rule() {
    let (_, lowered) = lowered(Path::new("tests/fixtures/constraints/openapi.json"));
    let op = &lowered.api.operations[0];
    let body = op.body.as_ref().and_then(|b| b.minimal.clone()).expect("a minimal request body");
    assert_eq!(body["lines"].as_array().map(Vec::len), Some(2), "{body}");
    assert_eq!(body["tags"].as_array().map(Vec::len), Some(3), "{body}");
    assert_eq!(body["quantity"], 5, "{body}");
    assert_eq!(body["sku"], "AAA-0000", "{body}");
    let minimal_of = |key: &str| op.responses.iter().find(|r| r.status.key() == key).and_then(|r| r.body.as_ref()?.minimal.clone());
    assert_eq!(minimal_of("default").expect("default")["error"]["errors"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_mock_answers_the_preferred_status_or_says_it_is_undocumented() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let router = epixel::server::router(epixel::server::mock::MockApi::with_keys(["KEY"]));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let http = reqwest::Client::new();
    let ask = |code: u16| {
        http.post(format!("http://{addr}/user/validate-sponsor/"))
            .header("prefer", format!("code={code}"))
            .header("apikey", "KEY")
            .header("authorization", "Bearer KEY")
            .multipart(reqwest::multipart::Form::new().text("sponsor", "jane.smith"))
            .send()
    };
    // Documented: that status, with the documented example.
    let r = ask(400).await.unwrap();
    assert_eq!(r.status(), 400);
    // Not documented: never a 200, an error that says so.
    let r = ask(404).await.unwrap();
    assert_eq!(r.status(), 501);
    let reason = r.headers().get(apigen_runtime::server::mock::MOCK_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(reason.contains("code=404") && reason.contains("does not document"), "{reason}");
    // The body is the API's internal-error envelope.
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status_code"], 500, "{body}");
}
