//! The generated axum servers over loopback: the generated client against test
//! implementations of `Api` (every operation, every documented error status of one operation),
//! and raw requests with bad input (wrong types, missing fields, broken rules, missing or wrong
//! keys, panics, oversized bodies) against the documented error bodies.

use std::future::Future;

use serde_json::{json, Value};

const KEY: &str = "SECRET-KEY-12345";

/// Serves `router` on 127.0.0.1 with an OS-chosen port; returns the base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

mod qps {
    pub use questionpro::server::*;
}

/// A QuestionPro implementation whose answers depend on the input, so tests can see that the
/// typed input arrived: `user-id` 400..=500 answers that documented error status, 999 panics.
struct Qp;

fn envelope(status: u16, id: &str) -> questionpro::models::ErrorEnvelope {
    serde_json::from_value(
        json!({"response":{"error":{"docs":"d","name":"N","httpStatusCode":status,"id":id,"message":"m","resourceUrl":"r"}}}),
    )
    .expect("envelope")
}

fn user(id: i64, email: &str) -> questionpro::models::UserResponse {
    serde_json::from_value(json!({"response":{"userID":id,"departmentID":1,"organizationID":2,"firstName":"F","lastName":"L","emailAddress":email,"phone":"","licenseType":"t","licenseStartDate":"2020-01-01","creationDate":"2020-01-01","userType":"License"},"requestID":"r"}))
        .expect("user")
}

impl qps::Api for Qp {
    fn authenticate(&self, _scheme: qps::Scheme, credential: &qps::Secret) -> impl Future<Output = bool> + Send {
        std::future::ready(credential.matches(KEY))
    }

    async fn import_panel_members(&self, input: qps::ImportPanelMembersInput) -> qps::ImportPanelMembersResponse {
        assert!(input.credentials.api_key_header.is_some());
        let n = input.body.len() as i64;
        qps::ImportPanelMembersResponse::Ok(
            serde_json::from_value(json!({"response":{"totalMemberScanned":n,"newMemberAdded":n,"existingMember":0,"duplicateEmailAddress":0,"invalidEmailAddress":0,"invalidMobileNumber":0,"duplicateUsername":0,"invalidUsername":0,"rejectedCount":0},"requestID":"r"}))
                .expect("import result"),
        )
    }

    async fn list_user_communities(&self, input: qps::ListUserCommunitiesInput) -> qps::ListUserCommunitiesResponse {
        use qps::ListUserCommunitiesResponse as R;
        match input.user_id {
            400 => R::BadRequest(envelope(400, "1003")),
            401 => R::Unauthorized(envelope(401, "1010")),
            403 => R::Forbidden(envelope(403, "1013")),
            404 => R::NotFound(envelope(404, "1040")),
            429 => R::TooManyRequests(envelope(429, "1013")),
            500 => R::InternalServerError(envelope(500, "1026")),
            999 => panic!("a handler bug"),
            id => R::Ok(
                serde_json::from_value(json!({"response":[{"id":id,"name":"C","shortURL":"c","status":"Active"}],"pagination":{"perPage":input.per_page.unwrap_or(100),"totalItems":1,"currentPage":input.page.unwrap_or(1),"totalPages":1,"links":{"self":"s"}},"requestID":"r"}))
                    .expect("communities"),
            ),
        }
    }

    async fn update_user(&self, input: qps::UpdateUserInput) -> qps::UpdateUserResponse {
        qps::UpdateUserResponse::Ok(user(input.user_id, input.body.email_address.as_deref().unwrap_or("x@example.com")))
    }

    async fn search_organization_users(&self, input: qps::SearchOrganizationUsersInput) -> qps::SearchOrganizationUsersResponse {
        qps::SearchOrganizationUsersResponse::Ok(user(input.organization_id, &input.email_address))
    }
}

fn qp_client(base: &str, key: &str) -> questionpro::client::Client {
    use questionpro::client::{BaseUrl, Client, Credentials, RetryPolicy};
    Client::builder(BaseUrl::Custom(base.to_string()), Credentials::from_api_key(key)).retry(RetryPolicy::none()).build().expect("client")
}

fn ep_client(base: &str) -> epixel::client::Client {
    use epixel::client::{BaseUrl, Client, Credentials, RetryPolicy};
    Client::builder(BaseUrl::Custom(base.to_string()), Credentials::from_api_key(KEY).bearer_auth("ACCESS-TOKEN"))
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn every_questionpro_operation_round_trips_through_client_and_server() {
    let base = serve(qps::router(Qp)).await;
    let client = qp_client(&base, KEY);
    let members: Vec<questionpro::models::MemberImport> =
        serde_json::from_value(json!([{"emailAddress":"a@example.com"},{"emailAddress":"b@example.com"}])).unwrap();
    let r = client.import_panel_members(&members).await.expect("import");
    assert_eq!(r.into_inner().response.total_member_scanned, 2);

    let params = questionpro::client::ListUserCommunitiesParams { page: Some(3), per_page: Some(7) };
    let r = client.list_user_communities(42, &params).await.expect("list").into_inner();
    assert_eq!(r.response[0].id, 42);
    assert_eq!((r.pagination.current_page, r.pagination.per_page), (3, 7));

    let body: questionpro::models::UpdateUserRequest = serde_json::from_value(json!({"emailAddress":"new@example.com"})).unwrap();
    let r = client.update_user(77, &body).await.expect("update").into_inner();
    assert_eq!((r.response.user_id, r.response.email_address.as_str()), (77, "new@example.com"));

    let r = client.search_organization_users(5, "who@example.com").await.expect("search").into_inner();
    assert_eq!((r.response.user_id, r.response.email_address.as_str()), (5, "who@example.com"));
}

#[tokio::test]
async fn every_documented_error_status_round_trips_into_the_typed_error() {
    use questionpro::client::{Error, ListUserCommunitiesError as E};
    let base = serve(qps::router(Qp)).await;
    let client = qp_client(&base, KEY);
    for status in [400u16, 401, 403, 404, 429, 500] {
        let err = client.list_user_communities(i64::from(status), &Default::default()).await.expect_err("documented error");
        let Error::Api { error, response } = err else { panic!("{status}: not a typed API error: {err:?}") };
        assert_eq!(response.status, status);
        let (variant, body) = match error {
            E::BadRequest(b) => (400, b),
            E::Unauthorized(b) => (401, b),
            E::Forbidden(b) => (403, b),
            E::NotFound(b) => (404, b),
            E::TooManyRequests(b) => (429, b),
            E::InternalServerError(b) => (500, b),
        };
        assert_eq!(variant, status);
        assert_eq!(body.response.error.http_status_code, i64::from(status));
    }
}

#[tokio::test]
async fn a_wrong_key_never_reaches_the_handler_and_gets_the_documented_401() {
    use questionpro::client::{Error, ListUserCommunitiesError as E};
    let base = serve(qps::router(Qp)).await;
    let err = qp_client(&base, "WRONG").list_user_communities(1, &Default::default()).await.expect_err("401");
    let Error::Api { error: E::Unauthorized(body), .. } = err else { panic!("not the typed 401: {err:?}") };
    assert_eq!(body.response.error.message, "Incorrect API Key");

    let http = reqwest::Client::new();
    for req in [
        http.get(format!("{base}/micropanel/users/1/communities")),
        http.get(format!("{base}/micropanel/users/1/communities")).header("api-key", "SECRET-KEY-1234"),
        http.get(format!("{base}/micropanel/users/1/communities")).header("api-key", ""),
        // The query key is not an alternative of this operation.
        http.get(format!("{base}/micropanel/users/1/communities?apiKey={KEY}")),
    ] {
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["response"]["error"]["id"], "1010");
        assert_eq!(body["response"]["error"]["name"], "UNAUTHORIZED");
    }
    // updateUser documents the query key as an alternative.
    let r = http.put(format!("{base}/users/3?apiKey={KEY}")).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn bad_parameters_and_bodies_get_the_questionpro_envelope_listing_every_violation() {
    let base = serve(qps::router(Qp)).await;
    let http = reqwest::Client::new();
    let get = |url: String| http.get(url).header("api-key", KEY).send();
    let r = get(format!("{base}/micropanel/users/abc/communities?page=0&perPage=x")).await.unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    let e = &b["response"]["error"];
    assert_eq!((e["id"].clone(), e["name"].clone(), e["httpStatusCode"].clone()), (json!(1003), json!("BAD_REQUEST"), json!(400)));
    let msg = e["message"].as_str().unwrap();
    for part in ["user-id: must be an integer", "page: must be at least 1", "perPage: must be an integer"] {
        assert!(msg.contains(part), "{msg}");
    }
    let r = get(format!("{base}/organizations/1/users/search")).await.unwrap();
    assert_eq!(r.status(), 400);
    let r = get(format!("{base}/organizations/1/users/search?emailAddress=not-an-address")).await.unwrap();
    let b: Value = r.json().await.unwrap();
    assert!(b["response"]["error"]["message"].as_str().unwrap().contains("emailAddress: must be an e-mail address"));

    let post = |body: &'static str| {
        http.post(format!("{base}/micropanel/members")).header("api-key", KEY).header("content-type", "application/json").body(body).send()
    };
    let r = post("[{\"emailAddress\": 5, \"unknown\": 1}, {\"firstName\": \"x\"}]").await.unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["response"]["error"]["id"], 1002);
    let msg = b["response"]["error"]["message"].as_str().unwrap();
    for part in ["[0].emailAddress: must be a string", "[0].unknown: is not a documented field", "[1].emailAddress: is required"] {
        assert!(msg.contains(part), "{msg}");
    }
    let b: Value = post("{not json").await.unwrap().json().await.unwrap();
    assert_eq!(b["response"]["error"]["id"], 1001);
    let r = post("").await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn panics_unknown_paths_and_oversized_bodies_get_documented_answers() {
    let base = serve(qps::router_with_body_limit(Qp, 64)).await;
    let http = reqwest::Client::new();
    let r = http.get(format!("{base}/micropanel/users/999/communities")).header("api-key", KEY).send().await.unwrap();
    assert_eq!(r.status(), 500);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["response"]["error"]["id"], "1026");
    // The server survives the panic.
    let r = http.get(format!("{base}/micropanel/users/1/communities")).header("api-key", KEY).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = http.get(format!("{base}/no/such/path")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["response"]["error"]["id"], "1040");
    let big = format!("[{}]", ["{\"emailAddress\":\"a@example.com\"}"; 10].join(","));
    let r = http
        .post(format!("{base}/micropanel/members"))
        .header("api-key", KEY)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert!(b["response"]["error"]["message"].as_str().unwrap().contains("at most 64 bytes"));
}

#[tokio::test]
async fn every_epixel_operation_round_trips_against_the_mock() {
    let base = serve(epixel::server::router(epixel::server::mock::MockApi::with_keys([KEY, "ACCESS-TOKEN"]))).await;
    let client = ep_client(&base);
    let reg: epixel::models::UserRegistration = serde_json::from_value(json!({"country_code":"US","sponsor":"jane.smith","first_name":"John","last_name":"Doe","username":"john.doe_1","password":"pw","agree_terms":"1","user_type":"member","email":"john.doe@example.com","phone_number":"1"})).unwrap();
    let r = client.register_user(&reg).await.expect("register").into_inner();
    assert_eq!(r.status_code, 200);
    let pkg: epixel::models::PackageRegistration = serde_json::from_value(json!({"country_code":"US","sponsor":"jane.smith","first_name":"John","last_name":"Doe","username":"john.doe_1","password":"pw","confirm_password":"pw","product_id":"1","agree_terms":"1","user_type":"member","email":"john.doe@example.com","phone_number":"1"})).unwrap();
    assert_eq!(client.register_user_with_package(&pkg).await.expect("package").into_inner().status_code, 200);
    assert_eq!(client.list_sponsors().await.expect("sponsors").into_inner().status_code, 200);
    let v: epixel::models::SponsorValidation = serde_json::from_value(json!({"sponsor":"jane.smith"})).unwrap();
    assert_eq!(client.validate_sponsor(&v).await.expect("validate").into_inner().status_code, 200);
}

#[tokio::test]
async fn epixel_bad_forms_and_keys_get_field_errors() {
    let base = serve(epixel::server::router(epixel::server::mock::MockApi::with_keys([KEY]))).await;
    let http = reqwest::Client::new();
    let form = reqwest::multipart::Form::new()
        .text("username", "a__b")
        .text("first_name", "J1")
        .text("agree_terms", "yes")
        .text("user_type", "member");
    let r = http.post(format!("{base}/user/signup/")).header("apikey", KEY).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["status_code"], 400);
    let errors = b["errors"].as_object().unwrap();
    for field in ["username", "first_name", "agree_terms", "sponsor", "country_code", "email", "password"] {
        assert!(errors.contains_key(field), "{field} missing in {b}");
    }
    assert_eq!(errors["username"].as_array().unwrap().len(), 2, "{b}");

    for key in [None, Some("WRONG")] {
        let mut req = http.get(format!("{base}/user/get/sponsors/")).header("authorization", "Bearer t");
        if let Some(k) = key {
            req = req.header("apikey", k);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401);
        let b: Value = r.json().await.unwrap();
        assert!(b["errors"]["apikey"].is_array(), "{b}");
    }
    // Both credentials are required together on the sponsor operations.
    let r = http.get(format!("{base}/user/get/sponsors/")).header("apikey", KEY).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

#[test]
fn constant_time_eq_compares_whole_strings() {
    use questionpro::server::constant_time_eq as eq;
    assert!(eq(b"abc", b"abc"));
    assert!(!eq(b"abc", b"abd"));
    assert!(!eq(b"abc", b"abcd"));
    assert!(!eq(b"", b"a"));
    assert!(eq(b"", b""));
}

#[tokio::test]
async fn a_wrong_method_gets_405_in_the_apis_shape_with_allow() {
    let base = serve(qps::router(Qp)).await;
    let r = reqwest::Client::new().delete(format!("{base}/users/3")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "PUT");
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["response"]["error"]["httpStatusCode"], 405);
    assert_eq!(b["response"]["error"]["name"], "METHOD_NOT_ALLOWED");
    assert!(b["response"]["error"]["message"].as_str().unwrap().contains("DELETE"), "{b}");

    let base = serve(epixel::server::router(epixel::server::mock::MockApi::new())).await;
    let r = reqwest::Client::new().get(format!("{base}/user/signup/")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["status_code"], 405);
}

#[tokio::test]
async fn the_mock_answers_documented_examples_read_from_the_bundled_document() {
    let base = serve(qps::router(qps::mock::MockApi::with_keys([KEY]))).await;
    let http = reqwest::Client::new();
    let url = format!("{base}/micropanel/users/1/communities");
    let r = http.get(&url).header("api-key", KEY).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("json"));
    let body: Value = r.json().await.unwrap();
    assert!(body["response"].is_array(), "{body}");
    // `Prefer: code=404` answers the documented 404 example, verbatim.
    let r = http.get(&url).header("api-key", KEY).header("prefer", "code=404").send().await.unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["response"]["error"]["httpStatusCode"].clone(), body["response"]["error"]["id"].clone()),
        (json!(404), json!("1040")),
        "{body}"
    );
    // An undocumented status is never a silent success: a 501 that says why (issue 15).
    let r = http.get(&url).header("api-key", KEY).header("prefer", "code=418").send().await.unwrap();
    assert_eq!(r.status(), 501);
    assert!(r.headers()["x-mock-reason"].to_str().unwrap().contains("code=418"));
}

/// The fuzz sample's mock, except that the two operations of
/// `/s1/next.kind/v{page}.{x_kind}` (two expressions with literal text in one segment, which
/// axum's router cannot express) answer the path parameters they were given.
struct FuzzEcho(fixture_fuzz_sample::server::mock::MockApi);

mod fuzz {
    pub use fixture_fuzz_sample::server::*;
}

macro_rules! delegate {
    ($($name:ident($input:ident) -> $response:ident;)*) => {
        $(fn $name(&self, input: fuzz::$input) -> impl Future<Output = fuzz::$response> + Send {
            self.0.$name(input)
        })*
    };
}

impl fuzz::Api for FuzzEcho {
    delegate! {
        s0_list_every_model(S0ListEveryModelInput) -> S0ListEveryModelResponse;
        s0_tag_address(S0TagAddressInput) -> S0TagAddressResponse;
        s0_value(S0ValueInput) -> S0ValueResponse;
        s0_size(S0SizeInput) -> S0SizeResponse;
        s0_if(S0IfInput) -> S0IfResponse;
        get_s0_http_http(GetS0HttpHttpInput) -> GetS0HttpHttpResponse;
        s1_list_every_model(S1ListEveryModelInput) -> S1ListEveryModelResponse;
        s1_2fa_owner(S12faOwnerInput) -> S12faOwnerResponse;
        s2_list_every_model(S2ListEveryModelInput) -> S2ListEveryModelResponse;
        s2_dyn_server(S2DynServerInput) -> S2DynServerResponse;
    }

    async fn s1_http(&self, input: fuzz::S1HttpInput) -> fuzz::S1HttpResponse {
        let answer = json!({"op": "get", "page": input.page, "x_kind": *input.x_kind, "valueError": input.value_error});
        fuzz::S1HttpResponse::Other(apigen_runtime::server::json_response(200, &answer))
    }

    async fn s1_count_error(&self, input: fuzz::S1CountErrorInput) -> fuzz::S1CountErrorResponse {
        fuzz::S1CountErrorResponse::Other(apigen_runtime::server::json_response(
            200,
            &json!({"op": "delete", "page": input.page, "x_kind": *input.x_kind}),
        ))
    }
}

/// Path templates axum's router cannot express (`/s1/next.kind/v{page}.{x_kind}`) are served:
/// building the router does not panic, each method reaches its operation with the parameters
/// of the matching text, the mock answers its documented example, and paths whose literal text
/// does not fit the template are unknown.
#[tokio::test]
async fn fuzz_sample_serves_two_parameters_in_one_segment() {
    let base = serve(fuzz::router(FuzzEcho(fuzz::mock::MockApi::new()))).await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{base}{path}");
    let r = http.get(url("/s1/next.kind/vany.200?valueError=move")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"op": "get", "page": "any", "x_kind": 200, "valueError": "move"}));
    let r = http.delete(url("/s1/next.kind/v7.-1")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"op": "delete", "page": 7, "x_kind": -1}));
    // `x_kind` is read from its own piece of the segment: outside its enum, invalid (the body is
    // the error shape this document gives its 400s, a string, so it cannot name the parameter).
    let r = http.delete(url("/s1/next.kind/v7.5")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    // Literal text that does not fit the template: not found; another method: 405.
    assert_eq!(http.get(url("/s1/next.kind/w7.0?valueError=move")).send().await.unwrap().status(), 404);
    assert_eq!(http.get(url("/s1/next.kind/v7?valueError=move")).send().await.unwrap().status(), 404);
    let r = http.put(url("/s1/next.kind/v7.0")).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["allow"].to_str().unwrap()), (405, "GET,HEAD,DELETE"));

    // The generated mock, unchanged, answers the operation's documented example.
    let base = serve(fuzz::router(fuzz::mock::MockApi::new())).await;
    let r = reqwest::Client::new().delete(format!("{base}/s1/next.kind/v1.0")).send().await.unwrap();
    assert_eq!(r.status(), 202, "the documented 202");
    assert!(r.json::<Value>().await.unwrap().is_object());
    let r = reqwest::Client::new().delete(format!("{base}/s1/next.kind/v1.3")).send().await.unwrap();
    assert_eq!(r.status(), 400, "the mock reads `x_kind` too");
}
