//! The generated code under hostile input (property tests).
//!
//! - Servers: arbitrary methods, paths, query strings, headers and bodies (bytes, JSON,
//!   damaged examples) sent in process (`tower::ServiceExt::oneshot`) to the generated routers
//!   of both APIs, backed by their mocks. Every answer is a success or a 4xx carrying the API's
//!   own documented error body; never a 5xx, never a panic.
//! - Clients: a loopback server answers arbitrary statuses, headers and bodies; every client
//!   call returns `Ok` or a typed `Error` (`Api`, `UnexpectedStatus`, `InvalidBody`), never
//!   panics.
//!
//! Case counts are bounded (`PROPTEST_CASES` raises them for a longer local run).

use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use serde_json::{json, Value};
use tower::ServiceExt;

const KEY: &str = "fuzz-key";

fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default);
    Config { cases, failure_persistence: None, ..Config::default() }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime"))
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        any::<String>().prop_map(Value::String),
        "[a-z@.]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z_]{0,12}", inner), 0..5).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A request body: raw bytes, arbitrary JSON, or a documented example with one field replaced.
fn body(examples: Vec<Value>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        any_json().prop_map(|v| v.to_string().into_bytes()),
        (prop::sample::select(examples), any::<prop::sample::Index>(), any_json()).prop_map(|(mut example, at, value)| {
            if let Some(obj) = example.as_object_mut() {
                if !obj.is_empty() {
                    let key = obj.keys().nth(at.index(obj.len())).cloned().unwrap_or_default();
                    obj.insert(key, value);
                }
            } else if let Some(items) = example.as_array_mut() {
                if !items.is_empty() {
                    let i = at.index(items.len());
                    items[i] = value;
                }
            }
            example.to_string().into_bytes()
        }),
    ]
}

/// Percent-encodes arbitrary text for a path segment or query, so that every byte reaches the
/// server.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[derive(Debug, Clone)]
struct HostileRequest {
    method: &'static str,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Requests against one API: its path templates with arbitrary segments, or arbitrary paths.
/// Mostly well-aimed (a documented method and path, valid credentials) so that most requests
/// get past routing and authentication to parameter and body parsing.
fn request(
    templates: Vec<(&'static str, &'static str)>,
    examples: Vec<Value>,
    auth: Vec<(&'static str, &'static str)>,
) -> impl Strategy<Value = HostileRequest> {
    let segment = prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        "[0-9]{1,25}",
        any::<String>().prop_map(|s| encode(&s)),
        Just(String::new()),
        Just("%FF%FE".to_string()),
        Just("..".to_string()),
    ];
    let path = prop_oneof![
        3 => (prop::sample::select(templates.iter().map(|(_, t)| *t).collect::<Vec<_>>()), segment.clone()).prop_map(|(t, seg)| {
            let mut out = String::new();
            let mut rest = t;
            while let Some(start) = rest.find('{') {
                let end = rest[start..].find('}').map_or(rest.len(), |e| start + e + 1);
                out.push_str(&rest[..start]);
                out.push_str(&seg);
                rest = &rest[end..];
            }
            out.push_str(rest);
            out
        }),
        1 => prop::collection::vec(segment.clone(), 0..4).prop_map(|s| format!("/{}", s.join("/"))),
    ];
    let query = prop_oneof![
        Just(String::new()),
        prop::collection::vec(
            (prop::sample::select(vec!["page", "perPage", "per_page", "emailAddress", "apiKey", "x", ""]), any::<String>()),
            0..4
        )
        .prop_map(|kv| format!("?{}", kv.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&"))),
        "[?][a-zA-Z0-9=&%;+]{0,30}",
    ];
    let header_value = prop_oneof![Just(KEY.to_string()), Just(format!("Bearer {KEY}")), "[ -~]{0,20}",];
    let headers = prop::collection::vec(
        (
            prop::sample::select(
                auth.iter()
                    .map(|(h, _)| *h)
                    .chain(["content-type", "accept", "content-length", "transfer-encoding", "x-anything", "cookie"])
                    .collect::<Vec<_>>(),
            ),
            prop_oneof![
                header_value,
                prop::sample::select(vec![
                    "application/json",
                    "text/plain",
                    "application/json; charset=utf-8",
                    "multipart/form-data",
                    "*/*"
                ])
                .prop_map(str::to_string),
            ],
        )
            .prop_map(|(k, v)| (k.to_string(), v)),
        0..5,
    );
    let valid_auth: Vec<(String, String)> = auth.iter().map(|(h, v)| (h.to_string(), v.to_string())).collect();
    let aimed = (prop::sample::select(templates), segment, any::<bool>()).prop_map(|((method, t), seg, numeric)| {
        let seg = if numeric { "12345".to_string() } else { seg };
        let mut out = String::new();
        let mut rest = t;
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').map_or(rest.len(), |e| start + e + 1);
            out.push_str(&rest[..start]);
            out.push_str(&seg);
            rest = &rest[end..];
        }
        out.push_str(rest);
        (method, out)
    });
    let wild = (prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]), path);
    (prop_oneof![3 => aimed, 1 => wild], query, headers, prop::sample::select(vec![true, true, true, false]), body(examples)).prop_map(
        move |((method, path), query, mut headers, authenticated, body)| {
            if authenticated {
                headers.extend(valid_auth.iter().cloned());
                headers.push(("content-type".into(), "application/json".into()));
            }
            HostileRequest { method, uri: format!("{path}{query}"), headers, body }
        },
    )
}

/// Sends one request in process; returns the status and the body. Every request the strategies
/// make is a valid HTTP request (paths and queries percent-encoded, header values visible
/// ASCII), so one that cannot be built fails the property instead of passing untested.
fn send(router: &axum::Router, r: &HostileRequest) -> Result<(StatusCode, Vec<u8>), TestCaseError> {
    let mut builder = Request::builder().method(r.method).uri(&r.uri);
    for (k, v) in &r.headers {
        // `content-length` and `transfer-encoding` would only describe the body wrongly to the
        // in-process service; they are covered by the loopback tests in `server.rs`.
        if k != "content-length" && k != "transfer-encoding" {
            builder = builder.header(k.as_str(), v.as_str());
        }
    }
    let request = builder
        .body(Body::from(r.body.clone()))
        .map_err(|e| TestCaseError::fail(format!("the strategy made a request the HTTP layer refuses ({e}): {r:?}")))?;
    let router = router.clone();
    Ok(runtime().block_on(async move {
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.expect("body");
        (status, bytes.to_vec())
    }))
}

/// Every example body of an API's request bodies.
fn request_examples(api: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(spec_tests::repo_root().join("generated").join(api).join("openapi.json")).expect("bundle");
    let doc: Value = serde_json::from_str(&text).expect("json");
    let mut out = vec![json!({})];
    for item in doc["paths"].as_object().into_iter().flatten().map(|(_, v)| v) {
        for op in item.as_object().into_iter().flatten().map(|(_, v)| v) {
            for media in op.pointer("/requestBody/content").and_then(Value::as_object).into_iter().flatten().map(|(_, v)| v) {
                out.extend(media.get("example").cloned());
                for ex in media.get("examples").and_then(Value::as_object).into_iter().flatten().map(|(_, v)| v) {
                    out.extend(ex.get("value").cloned());
                }
            }
        }
    }
    out
}

/// The checks every answer passes: no 5xx, and each 4xx carries the API's error shape (a known
/// path with an undocumented method too: `405` with the API's error body, never a bare one).
fn check_answer(api: &str, r: &HostileRequest, status: StatusCode, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(!status.is_server_error(), "{api}: {r:?} -> {status} {}", String::from_utf8_lossy(body));
    if status.is_client_error() && r.method != "HEAD" {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            TestCaseError::fail(format!("{api}: {r:?} -> {status} with a non-JSON body ({e}): {}", String::from_utf8_lossy(body)))
        })?;
        let code = match api {
            "questionpro" => value.pointer("/response/error/httpStatusCode").and_then(Value::as_u64),
            _ => value.get("status_code").and_then(Value::as_u64),
        };
        prop_assert_eq!(code, Some(u64::from(status.as_u16())), "{}: {:?} -> {} has not the API's error shape: {}", api, r, status, value);
    }
    Ok(())
}

/// With `HOSTILE_STATS` set, prints how many answers had each status (to see that the
/// requests reach parsing, not only routing).
fn stat(api: &str, status: StatusCode) {
    static STATS: Mutex<std::collections::BTreeMap<(String, u16), usize>> = Mutex::new(std::collections::BTreeMap::new());
    if std::env::var_os("HOSTILE_STATS").is_some() {
        let mut stats = STATS.lock().expect("stats");
        *stats.entry((api.to_string(), status.as_u16())).or_default() += 1;
        eprintln!("{stats:?}");
    }
}

fn qp_router() -> &'static axum::Router {
    static R: OnceLock<axum::Router> = OnceLock::new();
    R.get_or_init(|| questionpro::server::router(questionpro::server::mock::MockApi::with_keys([KEY])))
}

fn ep_router() -> &'static axum::Router {
    static R: OnceLock<axum::Router> = OnceLock::new();
    R.get_or_init(|| epixel::server::router(epixel::server::mock::MockApi::with_keys([KEY])))
}

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn questionpro_server_answers_hostile_requests_with_documented_errors(r in request(
        vec![("POST", "/micropanel/members"), ("GET", "/micropanel/users/{user-id}/communities"), ("PUT", "/users/{user-id}"), ("GET", "/organizations/{organization-id}/users/search")],
        request_examples("questionpro"),
        vec![("api-key", KEY)],
    )) {
        let (status, body) = send(qp_router(), &r)?;
        stat("questionpro", status);
        check_answer("questionpro", &r, status, &body)?;
    }

    #[test]
    fn epixel_server_answers_hostile_requests_with_documented_errors(r in request(
        vec![("POST", "/user/signup/"), ("POST", "/user/signup-package/"), ("GET", "/user/get/sponsors/"), ("POST", "/user/validate-sponsor/")],
        request_examples("epixel"),
        vec![("apikey", KEY), ("authorization", "Bearer fuzz-key")],
    )) {
        let (status, body) = send(ep_router(), &r)?;
        stat("epixel", status);
        check_answer("epixel", &r, status, &body)?;
    }
}

#[test]
fn a_wrong_method_gets_the_apis_error_shape() {
    let r = HostileRequest { method: "PUT", uri: "/micropanel/members".into(), headers: vec![], body: vec![] };
    let (status, body) = send(qp_router(), &r).expect("a valid request");
    let value: Value = serde_json::from_slice(&body).expect("a JSON error body");
    assert_eq!(value.pointer("/response/error/httpStatusCode").and_then(Value::as_u64), Some(u64::from(status.as_u16())));
}

/// What the scripted loopback server answers next.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

/// A loopback server that answers whatever is in `slot`.
fn answering_server() -> &'static (String, Arc<Mutex<Answer>>) {
    static S: OnceLock<(String, Arc<Mutex<Answer>>)> = OnceLock::new();
    S.get_or_init(|| {
        let slot = Arc::new(Mutex::new(Answer { status: 200, content_type: None, body: Vec::new() }));
        let served = slot.clone();
        let app = axum::Router::new().fallback(move || {
            let answer = served.lock().expect("slot").clone();
            async move {
                let mut response = axum::response::Response::new(Body::from(answer.body));
                *response.status_mut() = StatusCode::from_u16(answer.status).expect("status");
                if let Some(ct) = answer.content_type {
                    response.headers_mut().insert("content-type", ct.parse().expect("ct"));
                }
                response
            }
        });
        let listener = runtime().block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        runtime().spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (format!("http://{addr}"), slot)
    })
}

/// Response bodies: bytes, arbitrary JSON, or a documented body shape with one part replaced.
fn response_body() -> impl Strategy<Value = Vec<u8>> {
    let shapes = vec![
        json!({"response": [{"id": 1, "name": "C", "shortURL": "c", "status": "Active"}], "pagination": {"perPage": 1, "totalItems": 1, "currentPage": 1, "totalPages": 1, "links": {"self": "s"}}, "requestID": "r"}),
        json!({"response": {"error": {"docs": "d", "name": "N", "httpStatusCode": 404, "id": "1", "message": "m", "resourceUrl": "r"}}}),
        json!({"status_code": 400, "errors": {"x": ["bad"]}, "data": {}}),
        json!({"status_code": 200, "data": [{"username": "u", "id": 1}]}),
    ];
    body(shapes)
}

/// The typed error's kind, or `Ok`.
fn kind<T, E: std::fmt::Debug>(result: &Result<T, questionpro::client::Error<E>>) -> &'static str {
    use questionpro::client::Error;
    match result {
        Ok(_) => "ok",
        Err(Error::Api { .. }) => "api",
        Err(Error::UnexpectedStatus(_)) => "unexpected-status",
        Err(Error::InvalidBody { .. }) => "invalid-body",
        Err(_) => "other",
    }
}

fn kind_ep<T, E: std::fmt::Debug>(result: &Result<T, epixel::client::Error<E>>) -> &'static str {
    use epixel::client::Error;
    match result {
        Ok(_) => "ok",
        Err(Error::Api { .. }) => "api",
        Err(Error::UnexpectedStatus(_)) => "unexpected-status",
        Err(Error::InvalidBody { .. }) => "invalid-body",
        Err(_) => "other",
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn clients_turn_hostile_responses_into_typed_errors(
        status in 200u16..600,
        content_type in prop::option::of(prop::sample::select(vec!["application/json", "text/html", "application/json; charset=latin1", "application/octet-stream", ""])),
        body in response_body(),
    ) {
        let (base, slot) = answering_server();
        *slot.lock().expect("slot") = Answer { status, content_type, body: body.clone() };
        let qp = {
            use questionpro::client::{Client, Credentials, RetryPolicy, BaseUrl};
            Client::builder(BaseUrl::Custom(base.clone()), Credentials::from_api_key(KEY)).retry(RetryPolicy::none()).build().expect("client")
        };
        let ep = {
            use epixel::client::{Client, Credentials, RetryPolicy, BaseUrl};
            Client::builder(BaseUrl::Custom(base.clone()), Credentials::from_api_key(KEY).bearer_auth("t")).retry(RetryPolicy::none()).build().expect("client")
        };
        let kinds = runtime().block_on(async {
            let params = questionpro::client::ListUserCommunitiesParams { page: Some(1), per_page: Some(10) };
            let a = qp.list_user_communities(42, &params).await;
            let b = qp.search_organization_users(5, "who@example.com").await;
            let c = ep.list_sponsors().await;
            [kind(&a), kind(&b), kind_ep(&c)]
        });
        for k in kinds {
            prop_assert!(k != "other", "status {} body {:?}: {:?}", status, String::from_utf8_lossy(&body), kinds);
        }
        if !(200..300).contains(&status) {
            prop_assert!(kinds.iter().all(|k| *k != "ok"), "status {status} was taken for a success: {kinds:?}");
        }
    }
}
