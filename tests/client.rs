//! The generated clients against a scripted HTTP server on loopback: method, path, auth
//! placement, body encoding, the mapping of every documented status to its typed variant,
//! pagination, retries, client-side validation and secret redaction.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{json, Value};
use spec_tests::{in_repo, spec_root};

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A canned answer.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

impl Answer {
    fn json(status: u16, body: &Value) -> Self {
        Self { status, headers: vec![("content-type", "application/json".into())], body: body.to_string(), delay: Duration::ZERO }
    }

    fn raw(status: u16, body: &str) -> Self {
        Self { status, headers: vec![], body: body.into(), delay: Duration::ZERO }
    }
}

/// A server that records every request and answers from a queue (the last answer repeats).
#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<Answer>>,
    seen: Mutex<Vec<Seen>>,
}

impl Script {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

async fn serve(answers: Vec<Answer>) -> (String, Arc<Script>) {
    let script = Arc::new(Script { answers: Mutex::new(answers.into()), seen: Mutex::default() });
    let state = script.clone();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let state = state.clone();
        async move {
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.map(|b| b.to_vec()).unwrap_or_default();
            state.seen.lock().expect("lock").push(Seen {
                method: parts.method.to_string(),
                path: parts.uri.path().to_string(),
                query: parts.uri.query().unwrap_or_default().to_string(),
                headers: parts.headers,
                body,
            });
            let answer = {
                let mut q = state.answers.lock().expect("lock");
                if q.len() > 1 {
                    q.pop_front()
                } else {
                    q.front().cloned()
                }
            };
            let Some(answer) = answer else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
            tokio::time::sleep(answer.delay).await;
            let mut response = Response::builder().status(answer.status);
            for (k, v) in &answer.headers {
                response = response.header(*k, v);
            }
            response.body(Body::from(answer.body)).expect("response")
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (format!("http://{addr}"), script)
}

/// The documented examples of a bundled document, by (path, method, status or "request").
fn example(api: &str, path: &str, method: &str, status: &str) -> Value {
    let doc = in_repo(|| apigen_codegen::spec::bundle(&spec_root(api)).expect("bundle").document);
    let op = &doc["paths"][path][method];
    let media = if status == "request" {
        let body = apigen_codegen::spec::deref(&doc, &op["requestBody"]);
        body["content"].as_object().and_then(|c| c.values().next()).cloned().expect("request content")
    } else {
        let resp = apigen_codegen::spec::deref(&doc, &op["responses"][status]);
        resp["content"]["application/json"].clone()
    };
    let ex = media["examples"].as_object().and_then(|m| m.values().next()).expect("an example");
    apigen_codegen::spec::deref(&doc, ex)["value"].clone()
}

mod qp {
    pub use questionpro::client::*;
    pub use questionpro::models;
}

mod ep {
    pub use epixel::client::*;
    pub use epixel::models;
}

const KEY: &str = "SECRET-KEY-12345";

fn qp_client(base: &str) -> qp::Client {
    qp::Client::builder(qp::BaseUrl::Custom(base.to_string()), qp::Credentials::from_api_key(KEY))
        .retry(qp::RetryPolicy::none())
        .build()
        .expect("client")
}

fn ep_client(base: &str) -> ep::Client {
    ep::Client::builder(ep::BaseUrl::Custom(base.to_string()), ep::Credentials::from_api_key(KEY).bearer_auth("ACCESS-TOKEN"))
        .retry(ep::RetryPolicy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn questionpro_requests_have_the_documented_method_path_auth_and_body() {
    let members = example("questionpro", "/micropanel/members", "post", "request");
    let imported = example("questionpro", "/micropanel/members", "post", "200");
    let communities = example("questionpro", "/micropanel/users/{user-id}/communities", "get", "200");
    let user = example("questionpro", "/users/{user-id}", "put", "200");
    let update = example("questionpro", "/users/{user-id}", "put", "request");
    let found = example("questionpro", "/organizations/{organization-id}/users/search", "get", "200");
    let (base, script) =
        serve(vec![Answer::json(200, &imported), Answer::json(200, &communities), Answer::json(200, &user), Answer::json(200, &found)])
            .await;
    let client = qp_client(&base);

    let body: Vec<qp::models::MemberImport> = serde_json::from_value(members.clone()).expect("documented request");
    let r = client.import_panel_members(&body).await.expect("import");
    assert_eq!(r.response.new_member_added, 1);
    assert_eq!(r.request_id().as_deref(), imported["requestID"].as_str());

    let params = qp::ListUserCommunitiesParams { page: Some(2), per_page: Some(50) };
    let r = client.list_user_communities(123456, &params).await.expect("list");
    assert_eq!(r.response.len(), 3);
    assert_eq!(r.response[0].short_url, "testcommunity.questionpro.com");

    let update: qp::models::UpdateUserRequest = serde_json::from_value(update.clone()).expect("documented request");
    let r = client.update_user(1234599, &update).await.expect("update");
    assert_eq!(r.response.user_id, 1234599);

    let r = client.search_organization_users(2345678, "first.last@example.com").await.expect("search");
    assert_eq!(r.response.email_address, "first.last@example.com");

    let seen = script.seen();
    assert_eq!(seen.len(), 4);
    let s = &seen[0];
    assert_eq!((s.method.as_str(), s.path.as_str()), ("POST", "/micropanel/members"));
    assert_eq!(s.header("api-key").as_deref(), Some(KEY));
    assert_eq!(s.header("content-type").as_deref(), Some("application/json"));
    assert_eq!(s.json(), members, "the body is the documented example, byte for byte in meaning");
    assert!(s.query.is_empty());

    let s = &seen[1];
    assert_eq!((s.method.as_str(), s.path.as_str()), ("GET", "/micropanel/users/123456/communities"));
    assert_eq!(s.query, "page=2&perPage=50");
    assert_eq!(s.header("api-key").as_deref(), Some(KEY));

    // The PUT documents the key in the query string first and in the header second: with both
    // possible, the key goes in the header, never into a URL (issue 15, item 4).
    let s = &seen[2];
    assert_eq!((s.method.as_str(), s.path.as_str()), ("PUT", "/users/1234599"));
    assert!(s.query.is_empty(), "{}", s.query);
    assert_eq!(s.header("api-key").as_deref(), Some(KEY));
    assert_eq!(s.json(), serde_json::to_value(&update).expect("json"));

    let s = &seen[3];
    assert_eq!((s.method.as_str(), s.path.as_str()), ("GET", "/organizations/2345678/users/search"));
    assert_eq!(s.query, "emailAddress=first.last%40example.com");
}

#[tokio::test]
async fn epixel_forms_are_multipart_with_apikey_and_bearer_where_documented() {
    let registration = example("epixel", "/user/signup/", "post", "request");
    let package = example("epixel", "/user/signup-package/", "post", "request");
    let (base, script) = serve(vec![
        Answer::json(200, &json!({"status_code": 200, "errors": {}, "data": {"uid": "u-1"}})),
        Answer::json(200, &json!({"status_code": 200, "errors": {}, "data": {"uid": "u-2"}})),
        Answer::json(200, &example("epixel", "/user/get/sponsors/", "get", "200")),
        Answer::json(200, &example("epixel", "/user/validate-sponsor/", "post", "200")),
    ])
    .await;
    let client = ep_client(&base);
    let body: ep::models::UserRegistration = serde_json::from_value(registration.clone()).expect("documented request");
    let r = client.register_user(&body).await.expect("signup");
    assert_eq!(r.data.uid, "u-1");
    let body: ep::models::PackageRegistration = serde_json::from_value(package.clone()).expect("documented request");
    client.register_user_with_package(&body).await.expect("signup-package");
    client.list_sponsors().await.expect("sponsors");
    let sponsor = ep::models::SponsorValidation { sponsor: "john.doe_1".into() };
    client.validate_sponsor(&sponsor).await.expect("validate");

    let seen = script.seen();
    let paths: Vec<(&str, &str)> = seen.iter().map(|s| (s.method.as_str(), s.path.as_str())).collect();
    assert_eq!(
        paths,
        [("POST", "/user/signup/"), ("POST", "/user/signup-package/"), ("GET", "/user/get/sponsors/"), ("POST", "/user/validate-sponsor/")]
    );
    for s in &seen {
        assert_eq!(s.header("apikey").as_deref(), Some(KEY), "{}", s.path);
    }
    // Signups send only the API key (as the samples do); sponsor calls add the bearer token.
    assert_eq!(seen[0].header("authorization"), None);
    assert_eq!(seen[1].header("authorization"), None);
    assert_eq!(seen[2].header("authorization").as_deref(), Some("Bearer ACCESS-TOKEN"));
    assert_eq!(seen[3].header("authorization").as_deref(), Some("Bearer ACCESS-TOKEN"));
    for s in [&seen[0], &seen[1], &seen[3]] {
        assert!(s.header("content-type").is_some_and(|c| c.starts_with("multipart/form-data; boundary=")), "{}", s.path);
    }
    let form = seen[0].text();
    for (field, value) in registration.as_object().expect("object") {
        let value = value.as_str().expect("form fields are strings");
        assert!(form.contains(&format!("name=\"{field}\"\r\n\r\n{value}\r\n")), "field {field} missing from {form}");
    }
    assert!(seen[3].text().contains("name=\"sponsor\"\r\n\r\njohn.doe_1\r\n"));
    assert!(seen[2].body.is_empty(), "GET sponsors sends no body");
}

/// `(status, variant name)` of every documented error of every QuestionPro operation.
const QP_ERRORS: &[(u16, &str)] = &[
    (400, "BadRequest"),
    (401, "Unauthorized"),
    (403, "Forbidden"),
    (404, "NotFound"),
    (429, "TooManyRequests"),
    (500, "InternalServerError"),
];

fn variant_name(debug: &str) -> &str {
    debug.split(['(', ' ', '{']).next().unwrap_or_default()
}

#[tokio::test]
async fn every_documented_status_maps_to_its_variant() {
    let ops: &[(&str, &str)] = &[
        ("/micropanel/members", "post"),
        ("/micropanel/users/{user-id}/communities", "get"),
        ("/users/{user-id}", "put"),
        ("/organizations/{organization-id}/users/search", "get"),
    ];
    let members: Vec<qp::models::MemberImport> =
        serde_json::from_value(example("questionpro", "/micropanel/members", "post", "request")).expect("request");
    let update: qp::models::UpdateUserRequest =
        serde_json::from_value(example("questionpro", "/users/{user-id}", "put", "request")).expect("request");
    let mut checked = 0;
    for (path, method) in ops {
        for (status, variant) in QP_ERRORS {
            let body = example("questionpro", path, method, &status.to_string());
            let (base, _script) = serve(vec![Answer::json(*status, &body)]).await;
            let client = qp_client(&base);
            let debug = match *method {
                "post" => format!("{:?}", client.import_panel_members(&members).await.expect_err("error").api_error().expect("documented")),
                "put" => format!("{:?}", client.update_user(1, &update).await.expect_err("error").api_error().expect("documented")),
                _ if path.contains("communities") => {
                    format!(
                        "{:?}",
                        client.list_user_communities(1, &Default::default()).await.expect_err("error").api_error().expect("documented")
                    )
                }
                _ => format!(
                    "{:?}",
                    client.search_organization_users(1, "a@b.co").await.expect_err("error").api_error().expect("documented")
                ),
            };
            assert_eq!(variant_name(&debug), *variant, "{method} {path} {status}: {debug}");
            checked += 1;
        }
    }
    assert_eq!(checked, 24);

    // The error keeps status, headers and the raw body; the typed body has the error id.
    let body = example("questionpro", "/micropanel/members", "post", "401");
    let (base, _s) = serve(vec![Answer::json(401, &body)]).await;
    let err = qp_client(&base).import_panel_members(&members).await.expect_err("401");
    assert_eq!(err.status(), Some(401));
    let raw = err.raw_response().expect("raw");
    assert_eq!(serde_json::from_slice::<Value>(&raw.body).expect("json"), body);
    match err.api_error() {
        Some(qp::ImportPanelMembersError::Unauthorized(e)) => assert_eq!(e.response.error.name, "UNAUTHORIZED"),
        other => panic!("{other:?}"),
    }

    // Epixel: documented validation errors by field, and the 500 of signup-package.
    let reg: ep::models::UserRegistration = serde_json::from_value(example("epixel", "/user/signup/", "post", "request")).expect("request");
    let bad = example("epixel", "/user/signup/", "post", "400");
    let (base, _s) = serve(vec![Answer::json(400, &bad)]).await;
    match ep_client(&base).register_user(&reg).await.expect_err("400").api_error() {
        Some(ep::RegisterUserError::BadRequest(v)) => assert!(!v.errors.is_empty(), "field errors kept"),
        other => panic!("{other:?}"),
    }
    let pkg: ep::models::PackageRegistration =
        serde_json::from_value(example("epixel", "/user/signup-package/", "post", "request")).expect("request");
    let (base, _s) = serve(vec![Answer::json(500, &example("epixel", "/user/signup-package/", "post", "500"))]).await;
    match ep_client(&base).register_user_with_package(&pkg).await.expect_err("500").api_error() {
        Some(ep::RegisterUserWithPackageError::InternalServerError(_)) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn undocumented_statuses_and_broken_bodies_keep_the_raw_response() {
    let (base, _s) = serve(vec![Answer::raw(418, "I'm a teapot"), Answer::raw(200, "{not json")]).await;
    let client = qp_client(&base);
    match client.list_user_communities(1, &Default::default()).await {
        Err(qp::Error::UnexpectedStatus(raw)) => {
            assert_eq!(raw.status, 418);
            assert_eq!(raw.text(), "I'm a teapot");
        }
        other => panic!("{other:?}"),
    }
    match client.list_user_communities(1, &Default::default()).await {
        Err(qp::Error::InvalidBody { response, message }) => {
            assert_eq!(response.status, 200);
            assert_eq!(response.text(), "{not json");
            assert!(!message.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

fn community_page(page: i64, ids: &[i64], next: Option<&str>, total_pages: i64) -> Value {
    json!({
        "response": ids.iter().map(|id| json!({"id": id, "name": format!("c{id}"), "shortURL": "x", "status": "Active"})).collect::<Vec<_>>(),
        "pagination": {
            "perPage": 2, "totalItems": 5, "currentPage": page, "totalPages": total_pages,
            "links": { "self": "s", "prev": null, "next": next, "first": "f", "last": "l" }
        },
        "requestID": format!("req-{page}")
    })
}

#[tokio::test]
async fn the_community_stream_walks_three_pages_and_stops() {
    let (base, script) = serve(vec![
        Answer::json(200, &community_page(1, &[1, 2], Some("…?page=2"), 3)),
        Answer::json(200, &community_page(2, &[3, 4], Some("…?page=3"), 3)),
        Answer::json(200, &community_page(3, &[5], None, 3)),
        Answer::raw(500, "must not be requested"),
    ])
    .await;
    let client = qp_client(&base);
    let params = qp::ListUserCommunitiesParams { page: None, per_page: Some(2) };
    let ids: Vec<i64> = client.list_user_communities_stream(7, &params).map(|c| c.expect("item").id).collect().await;
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    let queries: Vec<String> = script.seen().iter().map(|s| s.query.clone()).collect();
    // The first request as given, then the `next` links the server gave, as they are.
    assert_eq!(queries, ["perPage=2", "page=2", "page=3"]);

    // The documented single page (no next link, totalPages 0 although it has items) is one page.
    let (base, script) =
        serve(vec![Answer::json(200, &example("questionpro", "/micropanel/users/{user-id}/communities", "get", "200"))]).await;
    let all: Vec<_> = qp_client(&base).list_user_communities_stream(7, &Default::default()).collect().await;
    assert_eq!(all.len(), 3);
    assert_eq!(script.seen().len(), 1);

    // An error ends the stream after it is yielded.
    let (base, _s) = serve(vec![Answer::json(200, &community_page(1, &[1], Some("n"), 2)), Answer::raw(503, "down")]).await;
    let items: Vec<_> = qp_client(&base).list_user_communities_stream(7, &Default::default()).collect().await;
    assert_eq!(items.len(), 2);
    assert!(items[1].is_err());
}

fn retrying(base: &str, max_retries: u32) -> qp::Client {
    let policy = qp::RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    };
    qp::Client::builder(qp::BaseUrl::Custom(base.to_string()), qp::Credentials::from_api_key(KEY)).retry(policy).build().expect("client")
}

#[tokio::test]
async fn retries_stop_on_success_and_on_the_limit() {
    let ok = example("questionpro", "/micropanel/users/{user-id}/communities", "get", "200");
    let (base, script) = serve(vec![Answer::raw(503, "busy"), Answer::raw(502, "bad gateway"), Answer::json(200, &ok)]).await;
    let r = retrying(&base, 3).list_user_communities(1, &Default::default()).await.expect("third attempt succeeds");
    assert_eq!(r.response.len(), 3);
    assert_eq!(script.seen().len(), 3);

    let (base, script) = serve(vec![Answer::raw(504, "timeout")]).await;
    let err = retrying(&base, 2).list_user_communities(1, &Default::default()).await.expect_err("gives up");
    assert_eq!(err.status(), Some(504));
    assert_eq!(script.seen().len(), 3, "one attempt plus two retries");

    // POST is not idempotent: never retried.
    let members: Vec<qp::models::MemberImport> =
        serde_json::from_value(example("questionpro", "/micropanel/members", "post", "request")).expect("request");
    let (base, script) = serve(vec![Answer::raw(503, "busy")]).await;
    retrying(&base, 3).import_panel_members(&members).await.expect_err("503");
    assert_eq!(script.seen().len(), 1);

    // 429 with Retry-After: the documented body is typed once retries are exhausted, and the
    // wait honours the header.
    let mut limited = Answer::json(429, &example("questionpro", "/micropanel/members", "post", "429"));
    limited.headers.push(("retry-after", "1".into()));
    let (base, script) = serve(vec![limited.clone(), Answer::json(200, &ok)]).await;
    let started = Instant::now();
    retrying(&base, 1).list_user_communities(1, &Default::default()).await.expect("after Retry-After");
    assert!(started.elapsed() >= Duration::from_millis(950), "waited {:?}", started.elapsed());
    assert_eq!(script.seen().len(), 2);

    // Retries off: a 429 comes back at once as its documented variant.
    let (base, script) = serve(vec![limited]).await;
    let err = retrying(&base, 0).list_user_communities(1, &Default::default()).await.expect_err("429");
    assert!(matches!(err.api_error(), Some(qp::ListUserCommunitiesError::TooManyRequests(_))));
    assert_eq!(script.seen().len(), 1);
}

#[tokio::test]
async fn connection_errors_are_retried_for_idempotent_requests_then_reported() {
    /// Resolves every host to `to` and counts the lookups: each connection attempt (a refused
    /// one leaves nothing in the pool) makes one.
    struct CountingResolver {
        to: std::net::SocketAddr,
        lookups: std::sync::atomic::AtomicUsize,
    }
    impl reqwest::dns::Resolve for CountingResolver {
        fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
            self.lookups.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let to = self.to;
            Box::pin(async move { Ok(Box::new(std::iter::once(to)) as reqwest::dns::Addrs) })
        }
    }
    // A port that was just free: connections are refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let to = listener.local_addr().expect("addr");
    drop(listener);
    let attempts = |max_retries: u32| async move {
        let resolver = Arc::new(CountingResolver { to, lookups: Default::default() });
        let http = reqwest::Client::builder().dns_resolver(resolver.clone()).build().expect("reqwest");
        let policy = qp::RetryPolicy {
            max_retries,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(5),
        };
        let client =
            qp::Client::builder(qp::BaseUrl::Custom(format!("http://refused.test:{}", to.port())), qp::Credentials::from_api_key(KEY))
                .http_client(http)
                .retry(policy)
                .build()
                .expect("client");
        let get = client.list_user_communities(1, &Default::default()).await.expect_err("refused");
        match &get {
            qp::Error::Transport(t) => assert!(t.connect, "{t}"),
            other => panic!("{other:?}"),
        }
        let get_attempts = resolver.lookups.swap(0, std::sync::atomic::Ordering::SeqCst);
        // A POST is not idempotent: one attempt, whatever the policy.
        client.import_panel_members(&[]).await.expect_err("refused");
        (get_attempts, resolver.lookups.load(std::sync::atomic::Ordering::SeqCst))
    };
    assert_eq!(attempts(2).await, (3, 1), "a GET is tried once and retried twice; a POST once");
    assert_eq!(attempts(0).await, (1, 1), "no retries: one attempt each");
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_errors() {
    let creds = qp::Credentials::from_api_key(KEY);
    assert!(!format!("{creds:?}").contains(KEY));
    let client = qp_client("http://127.0.0.1:9");
    assert!(!format!("{client:?}").contains(KEY));

    // With only the query key given, the PUT sends it in the query string: a transport error
    // must not show the URL.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let update = qp::models::UpdateUserRequest::default();
    let query_only = qp::Client::builder(qp::BaseUrl::Custom(base), qp::Credentials::new().api_key_query(KEY)).build().expect("client");
    let err = query_only.update_user(1, &update).await.expect_err("refused");
    for text in [format!("{err}"), format!("{err:?}")] {
        assert!(!text.contains(KEY), "{text}");
    }

    // A timeout error likewise.
    let mut slow = Answer::raw(200, "{}");
    slow.delay = Duration::from_secs(3);
    let (base, _s) = serve(vec![slow]).await;
    let client = qp::Client::builder(qp::BaseUrl::Custom(base), qp::Credentials::new().api_key_query(KEY))
        .timeout(Duration::from_millis(200))
        .retry(qp::RetryPolicy::none())
        .build()
        .expect("client");
    let err = client.update_user(1, &update).await.expect_err("timeout");
    assert!(matches!(err, qp::Error::Timeout), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(KEY));

    // A model holding a password does not print it either.
    let member: qp::models::MemberImport =
        serde_json::from_value(json!({"emailAddress": "a@example.com", "password": "hunter2-secret"})).expect("member");
    assert!(!format!("{member:?}").contains("hunter2-secret"));
}

#[tokio::test]
async fn invalid_input_and_missing_credentials_fail_before_sending() {
    let (base, script) = serve(vec![Answer::raw(200, "{}")]).await;
    let client = ep_client(&base);
    let mut reg: ep::models::UserRegistration =
        serde_json::from_value(example("epixel", "/user/signup/", "post", "request")).expect("request");
    reg.username = "user__name".into();
    reg.email = "not-an-email".into();
    match client.register_user(&reg).await {
        Err(ep::Error::InvalidRequest(msg)) => {
            assert!(msg.contains("username") && msg.contains("email"), "every violation is listed: {msg}");
        }
        other => panic!("{other:?}"),
    }
    let no_token = ep::Client::builder(ep::BaseUrl::Custom(base.clone()), ep::Credentials::from_api_key(KEY)).build().expect("client");
    match no_token.list_sponsors().await {
        Err(ep::Error::InvalidRequest(msg)) => assert!(msg.contains("apiKey + bearerAuth"), "{msg}"),
        other => panic!("{other:?}"),
    }
    assert!(script.seen().is_empty(), "nothing was sent");
}

#[test]
fn servers_have_the_documented_base_urls() {
    assert_eq!(qp::BaseUrl::Us.url(), "https://api.questionpro.com/a/api/v2");
    assert_eq!(qp::BaseUrl::Ksa.url(), "https://api.questionprosa.com/a/api/v2");
    assert_eq!(qp::BaseUrl::default(), qp::BaseUrl::Us);
    assert_eq!(ep::BaseUrl::customer("mlm.acme.com").url(), "https://mlm.acme.com/api/v1");
}
