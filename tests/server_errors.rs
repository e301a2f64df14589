//! Issue 15, point 5: without `x-server-errors`, the generated server's built-in rejections
//! (invalid parameters, malformed or invalid bodies, unsupported media types, oversized
//! bodies, panics) answer in the error schema each operation documents, so the generated client
//! parses them into the operation's typed error. Over the petstore fixtures, whose every
//! operation documents `default: Error {code: int32, message: string}` (both required): the
//! runtime's plain `{"message": ...}` body breaks it.

use serde_json::Value;

/// Serves `router` on 127.0.0.1 with an OS-chosen port; returns the base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// Every operation panics: each valid request gets the built-in internal error.
struct Panics;

impl corpus_petstore::server::Api for Panics {
    async fn list_pets(&self, _: corpus_petstore::server::ListPetsInput) -> corpus_petstore::server::ListPetsResponse {
        panic!("list_pets")
    }
    async fn create_pets(&self, _: corpus_petstore::server::CreatePetsInput) -> corpus_petstore::server::CreatePetsResponse {
        panic!("create_pets")
    }
    async fn show_pet_by_id(&self, _: corpus_petstore::server::ShowPetByIdInput) -> corpus_petstore::server::ShowPetByIdResponse {
        panic!("show_pet_by_id")
    }
}

impl corpus_petstore_expanded::server::Api for Panics {
    async fn find_pets(&self, _: corpus_petstore_expanded::server::FindPetsInput) -> corpus_petstore_expanded::server::FindPetsResponse {
        panic!("find_pets")
    }
    async fn add_pet(&self, _: corpus_petstore_expanded::server::AddPetInput) -> corpus_petstore_expanded::server::AddPetResponse {
        panic!("add_pet")
    }
    async fn find_pet_by_id(
        &self,
        _: corpus_petstore_expanded::server::FindPetByIdInput,
    ) -> corpus_petstore_expanded::server::FindPetByIdResponse {
        panic!("find_pet_by_id")
    }
    async fn delete_pet(&self, _: corpus_petstore_expanded::server::DeletePetInput) -> corpus_petstore_expanded::server::DeletePetResponse {
        panic!("delete_pet")
    }
}

/// The typed error the client reads from a `default` response: `code` is the status.
macro_rules! assert_typed {
    ($error:expr, $variant:path, $status:expr) => {
        match $error {
            Err(apigen_runtime::client::Error::Api { error: $variant(body), response }) => {
                assert_eq!(response.status, $status);
                assert_eq!(i64::from(body.code), i64::from($status));
                assert!(!body.message.is_empty());
            }
            other => panic!("expected the typed {} error, got {other:?}", $status),
        }
    };
}

#[tokio::test]
async fn petstore_panics_parse_into_the_typed_error() {
    use corpus_petstore::client::{BaseUrl, Client, CreatePetsError, Credentials, ListPetsError, ShowPetByIdError};
    let base = serve(corpus_petstore::server::router(Panics)).await;
    let client = Client::new(BaseUrl::Custom(base.clone()), Credentials::new());
    assert_typed!(client.list_pets(&Default::default()).await, ListPetsError::Default, 500);
    assert_typed!(client.create_pets().await, CreatePetsError::Default, 500);
    assert_typed!(client.show_pet_by_id("1").await, ShowPetByIdError::Default, 500);
    // A query parameter of the wrong type: invalidParameters.
    let r = reqwest::get(format!("{base}/pets?limit=many")).await.unwrap();
    assert_eq!(r.status(), 400);
    let body: corpus_petstore::models::ErrorModel = r.json().await.expect("the documented Error");
    assert_eq!(body.code, 400);
    assert!(body.message.contains("limit"), "{}", body.message);
}

/// Each rejection a request can provoke, its status, and the answer read as the documented
/// `Error` (what the client does for a `default` response).
#[tokio::test]
async fn petstore_expanded_rejections_parse_into_the_typed_error() {
    use corpus_petstore_expanded::client::{AddPetError, BaseUrl, Client, Credentials, DeletePetError, FindPetByIdError, FindPetsError};
    let base = serve(corpus_petstore_expanded::server::router_with_body_limit(Panics, 256)).await;
    let client = Client::new(BaseUrl::Custom(base.clone()), Credentials::new());
    assert_typed!(client.find_pets(&Default::default()).await, FindPetsError::Default, 500);
    let pet: corpus_petstore_expanded::models::NewPet = serde_json::from_value(serde_json::json!({"name": "Rex"})).unwrap();
    assert_typed!(client.add_pet(&pet).await, AddPetError::Default, 500);
    assert_typed!(client.find_pet_by_id(1).await, FindPetByIdError::Default, 500);
    assert_typed!(client.delete_pet(1).await, DeletePetError::Default, 500);

    let http = reqwest::Client::new();
    let json = |body: &str| http.post(format!("{base}/pets")).header("content-type", "application/json").body(body.to_string());
    let cases: Vec<(&str, reqwest::RequestBuilder, u16)> = vec![
        ("invalidParameters (query)", http.get(format!("{base}/pets?limit=many")), 400),
        ("invalidParameters (path)", http.get(format!("{base}/pets/abc")), 400),
        ("malformedBody", json("{"), 400),
        ("validation", json("{}"), 400),
        ("unsupportedMediaType", http.post(format!("{base}/pets")).header("content-type", "text/plain").body("Rex"), 415),
        ("payloadTooLarge", json(&format!("{{\"name\": \"{}\"}}", "x".repeat(1000))), 413),
    ];
    for (what, request, status) in cases {
        let r = request.send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{what}");
        let text = r.text().await.unwrap();
        let body: corpus_petstore_expanded::models::ErrorModel =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {text} is not the documented Error: {e}"));
        assert_eq!(i64::from(body.code), i64::from(status), "{what}");
        let raw: Value = serde_json::from_str(&text).unwrap();
        assert!(raw["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {text}");
    }
}

#[path = "common/schema_check.rs"]
mod schema_check;

/// Every crate the tests build with its mock: (crate folder, its mock's router).
fn mock_routers() -> Vec<(&'static str, axum::Router)> {
    macro_rules! mocks {
        ($($dir:literal => $krate:ident),* $(,)?) => {
            vec![$(($dir, $krate::server::router($krate::server::mock::MockApi::new()))),*]
        };
    }
    mocks![
        "tests/crates/hostile-names" => fixture_hostile_names,
        "tests/crates/forms" => fixture_forms,
        "tests/crates/params" => fixture_params,
        "tests/crates/bookstore" => fixture_bookstore,
        "tests/crates/polymorphism" => fixture_polymorphism,
        "tests/crates/uploads" => fixture_uploads,
        "tests/crates/schema-suite" => fixture_schema_suite,
        "tests/crates/request-bodies" => fixture_request_bodies,
        // Two parameters in one segment (`/s1/next.kind/v{page}.{x_kind}`), routed by template.
        "tests/crates/fuzz-sample" => fixture_fuzz_sample,
        "tests/crates/api-with-examples" => corpus_api_with_examples,
        "tests/crates/buildomat" => corpus_buildomat,
        "tests/crates/keeper" => corpus_keeper,
        "tests/crates/link-example" => corpus_link_example,
        "tests/crates/petstore" => corpus_petstore,
        "tests/crates/petstore-expanded" => corpus_petstore_expanded,
        "tests/crates/uspto" => corpus_uspto,
        "tests/crates/webhook-example" => corpus_webhook_example,
        "generated/questionpro" => questionpro,
        "generated/epixel" => epixel,
    ]
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The JSON schemas of the responses operations document for `status`, by the rule the server
/// follows (exactly, else the class, else `default`, else the nearest documented 4xx).
fn error_schemas(doc: &Value, status: u16) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let paths = doc["paths"].as_object().into_iter().flatten();
    for op in paths.flat_map(|(_, item)| METHODS.iter().filter_map(move |m| item.get(*m))) {
        let Some(responses) = op["responses"].as_object() else { continue };
        let json_schema = |key: &str| {
            let response = apigen_codegen::spec::deref(doc, &responses[key]);
            let content = response.get("content")?.as_object()?;
            content.iter().find(|(media, _)| media.contains("json")).map(|(_, m)| m.get("schema").cloned().unwrap_or(Value::Bool(true)))
        };
        let key = apigen_codegen::lower::operation_errors::documented_for(responses.keys().map(String::as_str), status, |k| {
            json_schema(k).is_some()
        });
        if let Some(schema) = key.and_then(json_schema) {
            if !out.contains(&schema) {
                out.push(schema);
            }
        }
    }
    out
}

/// A request target of `doc` (templates filled with `1`) and a method none of its operations
/// serves.
fn wrong_method(doc: &Value) -> Option<(String, reqwest::Method)> {
    doc["paths"].as_object()?.iter().find_map(|(path, item)| {
        if !path.chars().all(|c| c.is_ascii_alphanumeric() || "/_-.{}".contains(c)) {
            return None;
        }
        let method = ["delete", "patch", "put", "post", "get"].into_iter().find(|m| item.get(*m).is_none())?;
        let mut target = String::new();
        for segment in path.split('/').skip(1) {
            target.push('/');
            target.push_str(if segment.starts_with('{') { "1" } else { segment });
        }
        Some((target, method.to_uppercase().parse().ok()?))
    })
}

/// Issue 15, points 2 and 5: a request to a path no operation serves (404) and one with a
/// method its path does not serve (405, with `Allow`) are answered in the API's documented
/// error shape, for every generated crate whose operations document JSON errors: each body
/// satisfies an error schema the document gives for that status.
#[tokio::test]
async fn unknown_paths_and_methods_answer_in_the_documented_error_shape() {
    let http = reqwest::Client::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (dir, router) in mock_routers() {
        let text = std::fs::read_to_string(spec_tests::repo_root().join(dir).join("openapi.json")).expect("bundled document");
        let mut doc: Value = serde_json::from_str(&text).expect("json");
        apigen_codegen::spec::normalize::json_schema_forms(&mut doc);
        let base = serve(router).await;
        let mut requests = vec![(404, reqwest::Method::GET, "/no/operation/serves/this".to_string())];
        if let Some((target, method)) = wrong_method(&doc) {
            requests.push((405, method, target));
        }
        for (status, method, target) in requests {
            let schemas = error_schemas(&doc, status);
            if schemas.is_empty() {
                continue;
            }
            let r = http.request(method.clone(), format!("{base}{target}")).send().await.expect("answer");
            let what = format!("{dir}: {method} {target}");
            if r.status().as_u16() != status {
                failures.push(format!("{what}: status {}, expected {status}", r.status()));
                continue;
            }
            if status == 405 && r.headers().get("allow").is_none() {
                failures.push(format!("{what}: a 405 without `Allow`"));
            }
            let body = r.text().await.expect("body");
            let Ok(body) = serde_json::from_str::<Value>(&body) else {
                failures.push(format!("{what}: the body is not JSON: {body:?}"));
                continue;
            };
            let mut reasons = Vec::new();
            if !schemas.into_iter().any(|schema| {
                let mut errors = Vec::new();
                schema_check::check(&doc, schema, &body, what.clone(), &mut errors);
                reasons.extend(errors.iter().cloned());
                errors.is_empty()
            }) {
                failures.push(reasons.join("\n"));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{} answers break the documented error shape:\n{}", failures.len(), failures.join("\n"));
    assert!(checked >= 14, "only {checked} answers checked");
}

/// The petstore's unknown path, read as the client reads its documented `default` error.
#[tokio::test]
async fn an_unknown_path_parses_as_the_typed_error() {
    let base = serve(corpus_petstore::server::router(Panics)).await;
    let r = reqwest::get(format!("{base}/no/such/path")).await.unwrap();
    assert_eq!(r.status(), 404);
    let body: corpus_petstore::models::ErrorModel = r.json().await.expect("the documented Error");
    assert_eq!((body.code, body.message.is_empty()), (404, false));
    let r = reqwest::Client::new().delete(format!("{base}/pets")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers().get("allow").is_some_and(|a| a.to_str().unwrap_or_default().contains("GET")));
    let body: corpus_petstore::models::ErrorModel = r.json().await.expect("the documented Error");
    assert_eq!(body.code, 405);
}
