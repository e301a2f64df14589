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
