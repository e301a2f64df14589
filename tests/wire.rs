//! The wire, end to end (issue 15): the generated client of `tests/fixtures/bookstore` against
//! its generated server, over loopback.
//!
//! - a PATCH tells "leave unchanged" (absent) from "clear" (`null`) on both sides;
//! - documented response headers are fields of the server's variants and typed on the client,
//!   and the generated mock sends them;
//! - every pagination style streams every item, follows the link the server gives, and ends
//!   without an extra request;
//! - a key reaches a URL only when no other scheme is possible (QuestionPro's `update_user`
//!   included), a deprecated scheme only when nothing else is given;
//! - errors answer `status()`, `model()`, `retry_after()` and print one line;
//! - `*Input::new` calls an `Api` implementation without HTTP.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fixture_bookstore::client as c;
use fixture_bookstore::models as m;
use fixture_bookstore::server as s;
use futures_util::StreamExt;

const KEY: &str = "BOOK-KEY-1234";

/// Serves `router` on 127.0.0.1, recording every request target (path and query) in `seen`.
async fn serve(router: axum::Router, seen: Arc<Mutex<Vec<String>>>) -> String {
    let router = router.layer(axum::middleware::from_fn(move |request: axum::extract::Request, next: axum::middleware::Next| {
        let seen = seen.clone();
        async move {
            let target = request.uri().path_and_query().map(ToString::to_string).unwrap_or_default();
            seen.lock().expect("seen").push(target);
            next.run(request).await
        }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

fn book(n: usize) -> m::Book {
    m::Book { isbn: format!("isbn-{n}"), title: format!("Book {n}"), subtitle: None, price: None }
}

/// Seven books, `from..` at most `size` of them.
fn slice(from: usize, size: usize) -> Vec<m::Book> {
    (1..=7).skip(from).take(size).map(book).collect()
}

/// Which scheme authenticated a request, by the server's `Credentials`.
fn scheme_of(credentials: &s::Authenticated) -> &'static str {
    match (&credentials.api_key_header, &credentials.api_key_query, &credentials.legacy_token) {
        (Some(_), _, _) => "header",
        (_, Some(_), _) => "query",
        (_, _, Some(_)) => "bearer",
        _ => "none",
    }
}

#[derive(Default, Clone)]
struct Store {
    patches: Arc<Mutex<Vec<m::BookPatch>>>,
    schemes: Arc<Mutex<Vec<&'static str>>>,
}

impl s::Api for Store {
    fn authenticate(&self, _scheme: s::Scheme, credential: &s::Secret) -> impl Future<Output = bool> + Send {
        std::future::ready(credential.matches(KEY))
    }

    async fn list_books(&self, input: s::ListBooksInput) -> s::ListBooksResponse {
        let size = usize::try_from(input.per_page.unwrap_or(3)).unwrap_or(3);
        let page = usize::try_from(input.page.unwrap_or(1)).unwrap_or(1);
        let total_pages = i64::try_from(7_usize.div_ceil(size)).unwrap_or(0);
        s::ListBooksResponse::Ok(m::BookPage { items: slice((page - 1) * size, size), total_pages })
    }

    async fn create_book(&self, input: s::CreateBookInput) -> s::CreateBookResponse {
        self.schemes.lock().expect("schemes").push(scheme_of(&input.credentials));
        match input.body.isbn.as_str() {
            "busy" => s::CreateBookResponse::TooManyRequests {
                body: m::ErrorModel { code: 429, message: "slow down".into() },
                headers: m::CreateBookTooManyRequestsHeaders { retry_after: 7 },
            },
            // Breaks the spec: a 201 without its required `Location`.
            "no-location" => s::CreateBookResponse::Other(apigen_runtime::server::json_response(201, &input.body)),
            isbn => s::CreateBookResponse::Created {
                headers: m::CreateBookCreatedHeaders {
                    location: format!("/v1/books/{isbn}"),
                    x_rate_limit_remaining: Some(41),
                    x_request_id: None,
                },
                body: input.body,
            },
        }
    }

    async fn get_book(&self, input: s::GetBookInput) -> s::GetBookResponse {
        self.schemes.lock().expect("schemes").push(scheme_of(&input.credentials));
        if input.isbn == "isbn-1" {
            s::GetBookResponse::Ok(book(1))
        } else {
            s::GetBookResponse::NotFound(m::ErrorModel { code: 404, message: format!("no book {}", input.isbn) })
        }
    }

    async fn update_book(&self, input: s::UpdateBookInput) -> s::UpdateBookResponse {
        self.schemes.lock().expect("schemes").push(scheme_of(&input.credentials));
        if input.isbn != "isbn-1" {
            return s::UpdateBookResponse::NotFound(m::ErrorModel { code: 404, message: "no such book".into() });
        }
        let patch = input.body;
        self.patches.lock().expect("patches").push(patch.clone());
        // Absent leaves the stored value, `null` clears it, a value replaces it.
        let mut stored = m::Book { subtitle: Some(Some("Old subtitle".into())), price: Some(Some(9.5)), ..book(1) };
        if let Some(title) = patch.title {
            stored.title = title;
        }
        if let Some(subtitle) = patch.subtitle {
            stored.subtitle = Some(subtitle);
        }
        if let Some(price) = patch.price {
            stored.price = Some(price);
        }
        s::UpdateBookResponse::Ok(stored)
    }

    async fn list_books_by_cursor(&self, input: s::ListBooksByCursorInput) -> s::ListBooksByCursorResponse {
        let from: usize = input.cursor.as_deref().map_or(0, |c| c.trim_start_matches('c').parse().unwrap_or(0));
        let data = slice(from, 3);
        // The last page says so with an empty cursor.
        let next = if from + 3 < 7 { format!("c{}", from + 3) } else { String::new() };
        s::ListBooksByCursorResponse::Ok(m::CursorPage { data, next_cursor: Some(Some(next)) })
    }

    async fn list_books_by_offset(&self, input: s::ListBooksByOffsetInput) -> s::ListBooksByOffsetResponse {
        let from = usize::try_from(input.offset.unwrap_or(0)).unwrap_or(0);
        let size = usize::try_from(input.limit.unwrap_or(3)).unwrap_or(3);
        s::ListBooksByOffsetResponse::Ok(m::OffsetPage { results: slice(from, size), total: 7 })
    }

    async fn list_books_by_link(&self, input: s::ListBooksByLinkInput) -> s::ListBooksByLinkResponse {
        // Page 1 links to page 3 (not 2): a client that counts pages instead of following the
        // link reads the wrong books. Page 3 is the last: `next` is null.
        let page = input.page.unwrap_or(1);
        let next = (page == 1).then(|| "/books-by-link?page=3".to_string());
        let items = slice(usize::try_from(page - 1).unwrap_or(0) * 3, 3);
        s::ListBooksByLinkResponse::Ok(m::LinkPage { items, links: m::LinkPageLinks { next: Some(next) } })
    }

    async fn list_books_by_link_header(&self, input: s::ListBooksByLinkHeaderInput) -> s::ListBooksByLinkHeaderResponse {
        let page = input.page.unwrap_or(1);
        let link = (page < 3).then(|| format!("</books-by-link-header?page={}>; rel=\"next\"", page + 1));
        s::ListBooksByLinkHeaderResponse::Ok {
            body: slice(usize::try_from(page - 1).unwrap_or(0) * 3, 3),
            headers: m::ListBooksByLinkHeaderOkHeaders { link },
        }
    }

    async fn list_authors(&self, input: s::ListAuthorsInput) -> s::ListAuthorsResponse {
        let (authors, continuation) = match input.token.as_deref() {
            None => (vec!["Herbert", "Le Guin"], Some(m::AuthorPageContinuation { token: Some("t2".into()) })),
            Some("t2") => (vec!["Butler"], None),
            Some(_) => (Vec::new(), None),
        };
        s::ListAuthorsResponse::Ok(m::AuthorPage {
            authors: authors.into_iter().map(|name| m::Author { name: name.into() }).collect(),
            continuation,
        })
    }
}

async fn start() -> (Store, String, Arc<Mutex<Vec<String>>>) {
    let store = Store::default();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let base = serve(s::router(store.clone()), seen.clone()).await;
    (store, base, seen)
}

fn client(base: &str, credentials: c::Credentials) -> c::Client {
    c::Client::builder(c::BaseUrl::Custom(base.to_string()), credentials).retry(c::RetryPolicy::none()).build().expect("client")
}

fn requests(seen: &Mutex<Vec<String>>, path: &str) -> Vec<String> {
    seen.lock().expect("seen").iter().filter(|t| t.split('?').next() == Some(path)).cloned().collect()
}

#[tokio::test]
async fn a_patch_tells_unchanged_from_cleared_from_client_to_server() {
    let (store, base, _) = start().await;
    let api = client(&base, c::Credentials::from_api_key(KEY));

    // Only the title: the other properties are not on the wire, so they stay.
    let title_only = m::BookPatch::builder().title("Dune Messiah").build().expect("valid patch");
    assert_eq!(serde_json::to_value(&title_only).expect("json"), serde_json::json!({"title": "Dune Messiah"}));
    let kept = api.update_book("isbn-1", &title_only).await.expect("patched").into_inner();
    assert_eq!((kept.title.as_str(), kept.subtitle, kept.price), ("Dune Messiah", Some(Some("Old subtitle".into())), Some(Some(9.5))));

    // `null` clears.
    let cleared = m::BookPatch::builder().subtitle_null().price_null().build().expect("valid patch");
    assert_eq!(serde_json::to_value(&cleared).expect("json"), serde_json::json!({"subtitle": null, "price": null}));
    let after = api.update_book("isbn-1", &cleared).await.expect("patched").into_inner();
    assert_eq!((after.subtitle, after.price), (Some(None), Some(None)), "the answer says `null`, not absent");

    // A value replaces.
    let set = m::BookPatch::builder().subtitle("Book Two").price(12.0).build().expect("valid patch");
    let after = api.update_book("isbn-1", &set).await.expect("patched").into_inner();
    assert_eq!((after.subtitle, after.price), (Some(Some("Book Two".into())), Some(Some(12.0))));

    // The server's input had the three states.
    let patches = store.patches.lock().expect("patches").clone();
    let states: Vec<_> = patches.iter().map(|p| (p.subtitle.clone(), p.price)).collect();
    assert_eq!(states, vec![(None, None), (Some(None), Some(None)), (Some(Some("Book Two".to_string())), Some(Some(12.0)))]);

    // Rules apply to values only: `null` passes `minLength`, an empty subtitle does not.
    assert!(m::BookPatch::builder().subtitle("").build().is_err());
    let parsed: m::BookPatch = serde_json::from_str(r#"{"subtitle": null}"#).expect("null is a value of a nullable property");
    assert_eq!((parsed.subtitle, parsed.title), (Some(None), None));
}

#[tokio::test]
async fn documented_response_headers_are_typed_on_both_sides() {
    let (_, base, _) = start().await;
    let api = client(&base, c::Credentials::from_api_key(KEY));
    let created = api.create_book(&book(8)).await.expect("created");
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers.location, "/v1/books/isbn-8");
    assert_eq!(created.headers.x_rate_limit_remaining, Some(41));
    assert_eq!(created.title, "Book 8", "the body reads through the headers");

    // A documented error with headers: typed, and `retry_after()` on every error.
    let busy = m::Book { isbn: "busy".into(), ..book(1) };
    let error = api.create_book(&busy).await.expect_err("429");
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    match error.api_error() {
        Some(c::CreateBookError::TooManyRequests(answer)) => assert_eq!((answer.headers.retry_after, answer.body.code), (7, 429)),
        other => panic!("expected the typed 429, got {other:?}"),
    }
    assert_eq!(error.model().map(|e| e.code), Some(429));

    // A required header that is missing breaks the spec.
    let broken = m::Book { isbn: "no-location".into(), ..book(1) };
    match api.create_book(&broken).await {
        Err(c::Error::InvalidBody { message, .. }) => assert!(message.contains("Location"), "{message}"),
        other => panic!("expected InvalidBody, got {other:?}"),
    }
}

/// The schema of the documented header `name` of `op`'s response `key`, from the crate's
/// bundled document.
fn header_schema(op: &str, key: &str, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(spec_tests::repo_root().join("tests/crates/bookstore/openapi.json")).expect("bundled document");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let operation = doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .flat_map(|item| item.as_object().into_iter().flat_map(|m| m.values()))
        .find(|o| o["operationId"] == op)
        .expect("the operation");
    operation["responses"][key]["headers"][name]["schema"].clone()
}

/// `value` satisfies the documented schema of the header.
fn assert_valid(value: serde_json::Value, schema: &serde_json::Value, what: &str) {
    let validator = jsonschema::validator_for(schema).expect("header schema");
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{what} = {value} breaks {schema}: {}", errors.join("; "));
}

/// The generated mock sends the documented headers of the response it answers with (the
/// header's example, else the smallest value its schema allows), and the generated client reads
/// them into its typed headers.
#[tokio::test]
async fn the_mock_sends_the_documented_response_headers() {
    let base = serve(s::router(s::mock::MockApi::new()), Arc::default()).await;
    let api = client(&base, c::Credentials::from_api_key(KEY));
    let created = api.create_book(&book(1)).await.expect("the mock's 201 carries its required Location");
    assert_eq!(created.status(), 201);
    // Documented examples: the header's own `example`, and the first of its `examples`.
    assert_eq!(created.headers.location, "/v1/books/9780441172719");
    assert_eq!(created.headers.x_rate_limit_remaining, Some(99));
    // No example: a value synthesized from the schema (a pattern).
    let request_id = created.headers.x_request_id.clone().expect("an optional header with a value is sent");
    assert_valid(request_id.clone().into(), &header_schema("createBook", "201", "X-Request-Id"), "X-Request-Id");
    assert_valid(99.into(), &header_schema("createBook", "201", "X-RateLimit-Remaining"), "X-RateLimit-Remaining");

    // `Prefer: code=429`: the documented error with its required `Retry-After`, typed.
    let mut prefer = reqwest::header::HeaderMap::new();
    prefer.insert("prefer", reqwest::header::HeaderValue::from_static("code=429"));
    let http = reqwest::Client::builder().default_headers(prefer).build().expect("reqwest");
    let busy = c::Client::builder(c::BaseUrl::Custom(base.clone()), c::Credentials::from_api_key(KEY))
        .retry(c::RetryPolicy::none())
        .http_client(http)
        .build()
        .expect("client");
    let error = busy.create_book(&book(1)).await.expect_err("429");
    let retry_after = match error.api_error() {
        Some(c::CreateBookError::TooManyRequests(answer)) => answer.headers.retry_after,
        other => panic!("expected the typed 429 with its headers, got {other:?}"),
    };
    assert_valid(retry_after.into(), &header_schema("createBook", "429", "Retry-After"), "Retry-After");
    assert_eq!(error.retry_after(), u64::try_from(retry_after).ok().map(Duration::from_secs));
}

#[tokio::test]
async fn every_pagination_style_streams_every_item_without_an_extra_request() {
    let (_, base, seen) = start().await;
    let api = client(&base, c::Credentials::from_api_key(KEY));
    let isbns = |items: Vec<Result<m::Book, String>>| -> Vec<String> { items.into_iter().map(|b| b.expect("item").isbn).collect() };
    let all: Vec<String> = (1..=7).map(|n| format!("isbn-{n}")).collect();

    let pages: Vec<_> = api
        .list_books_stream(&c::ListBooksParams { per_page: Some(3), ..Default::default() })
        .map(|r| r.map_err(|e| e.to_string()))
        .collect()
        .await;
    assert_eq!(isbns(pages), all, "page numbers");
    assert_eq!(requests(&seen, "/books").len(), 3, "totalPages ends the stream: {:?}", requests(&seen, "/books"));

    let cursor: Vec<_> = api.list_books_by_cursor_stream(&Default::default()).map(|r| r.map_err(|e| e.to_string())).collect().await;
    assert_eq!(isbns(cursor), all, "cursor");
    let sent = requests(&seen, "/books-by-cursor");
    assert_eq!(sent.len(), 3, "an empty cursor ends the stream: {sent:?}");
    assert!(sent[1].contains("cursor=c3") && sent[2].contains("cursor=c6"), "{sent:?}");

    let offset: Vec<_> = api
        .list_books_by_offset_stream(&c::ListBooksByOffsetParams { limit: Some(3), ..Default::default() })
        .map(|r| r.map_err(|e| e.to_string()))
        .collect()
        .await;
    assert_eq!(isbns(offset), all, "offset");
    let sent = requests(&seen, "/books-by-offset");
    assert_eq!(sent.len(), 3, "the total ends the stream: {sent:?}");
    assert!(sent[1].contains("offset=3") && sent[2].contains("offset=6"), "{sent:?}");

    // The link skips page 2: following it reads pages 1 and 3.
    let linked: Vec<_> = api.list_books_by_link_stream(&Default::default()).map(|r| r.map_err(|e| e.to_string())).collect().await;
    assert_eq!(isbns(linked), ["isbn-1", "isbn-2", "isbn-3", "isbn-7"]);
    assert_eq!(requests(&seen, "/books-by-link").len(), 2, "a null link ends the stream");

    let headed: Vec<_> = api.list_books_by_link_header_stream(&Default::default()).map(|r| r.map_err(|e| e.to_string())).collect().await;
    assert_eq!(isbns(headed), all, "Link header");
    assert_eq!(requests(&seen, "/books-by-link-header").len(), 3, "no Link header ends the stream");

    // Declared with `x-pagination`: a cursor in `continuation.token`, sent back as `token`.
    let authors: Vec<String> = api.list_authors_stream(&Default::default()).map(|a| a.expect("author").name).collect::<Vec<_>>().await;
    assert_eq!(authors, ["Herbert", "Le Guin", "Butler"]);
    assert_eq!(requests(&seen, "/authors").len(), 2);

    // No key reached a URL on any page: the header scheme is possible everywhere.
    assert!(seen.lock().expect("seen").iter().all(|t| !t.contains(KEY)), "{:?}", seen.lock().expect("seen"));
}

#[tokio::test]
async fn no_key_reaches_a_url_when_another_scheme_is_possible() {
    let (store, base, seen) = start().await;
    // The same key for every API-key scheme; the spec lists the query scheme first.
    let api = client(&base, c::Credentials::from_api_key(KEY));
    api.create_book(&book(9)).await.expect("created");
    api.update_book("isbn-1", &m::BookPatch::builder().build().expect("empty patch")).await.expect("patched");
    assert!(seen.lock().expect("seen").iter().all(|t| !t.contains("api_key")), "{:?}", seen.lock().expect("seen"));
    assert_eq!(*store.schemes.lock().expect("schemes"), ["header", "header"]);

    // `getBook` takes the deprecated bearer token or the query key: with both, the query key;
    // with the token only, the token.
    store.schemes.lock().expect("schemes").clear();
    let both = client(&base, c::Credentials::new().legacy_token(KEY).api_key_query(KEY));
    both.get_book("isbn-1").await.expect("book");
    let token_only = client(&base, c::Credentials::new().legacy_token(KEY));
    token_only.get_book("isbn-1").await.expect("book");
    assert_eq!(*store.schemes.lock().expect("schemes"), ["query", "bearer"]);
    assert!(fixture_bookstore::SecurityScheme::deprecated(fixture_bookstore::Scheme::LegacyToken));
}

#[tokio::test]
async fn questionpro_update_user_sends_the_header_not_the_query_key() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let router = questionpro::server::router(questionpro::server::mock::MockApi::with_keys([KEY]));
    let base = serve(router, seen.clone()).await;
    let api = questionpro::client::Client::builder(
        questionpro::client::BaseUrl::Custom(base),
        questionpro::client::Credentials::from_api_key(KEY),
    )
    .retry(questionpro::client::RetryPolicy::none())
    .build()
    .expect("client");
    let body = questionpro::models::UpdateUserRequest::builder().first_name("Ada").build().expect("valid body");
    api.update_user(42, &body).await.expect("the mock accepts the header key");
    let sent = seen.lock().expect("seen").clone();
    assert_eq!(sent.len(), 1);
    assert!(!sent[0].contains("apiKey") && !sent[0].contains(KEY), "{sent:?}");
}

#[tokio::test]
async fn errors_share_the_model_and_print_one_line() {
    let (_, base, _) = start().await;
    let api = client(&base, c::Credentials::from_api_key(KEY));
    let error = api.get_book("isbn-404").await.expect_err("404");
    assert_eq!(error.status(), Some(404));
    let model: Option<&m::ErrorModel> = error.model();
    assert_eq!(model.map(|m| (m.code, m.message.as_str())), Some((404, "no book isbn-404")));
    let shown = error.to_string();
    assert!(!shown.contains('\n') && !shown.contains("Error {") && shown.contains("404"), "{shown}");

    // Id-like unions compare and read as each kind.
    use questionpro::models::ApiErrorModelId;
    assert_eq!(ApiErrorModelId::Integer(1010), ApiErrorModelId::Integer(1010));
    assert_ne!(ApiErrorModelId::Integer(1010), ApiErrorModelId::Text("1010".into()));
    assert_eq!((ApiErrorModelId::Integer(1010).as_i64(), ApiErrorModelId::Text("x".into()).as_str()), (Some(1010), Some("x")));

    // A base URL that cannot be one fails at build time, with the reason.
    let built = c::Client::builder(c::BaseUrl::Custom("http//broken url".into()), c::Credentials::new()).build();
    let error: c::BuildError = built.expect_err("invalid base URL");
    assert!(error.to_string().contains("http//broken url"), "{error}");
}

#[tokio::test]
async fn an_api_implementation_is_callable_without_http() {
    let store = Store::default();
    let patch = m::BookPatch::builder().subtitle_null().build().expect("valid patch");
    let answer = s::Api::update_book(&store, s::UpdateBookInput::new("isbn-1".into(), patch)).await;
    match answer {
        s::UpdateBookResponse::Ok(book) => assert_eq!(book.subtitle, Some(None)),
        other => panic!("expected 200, got {other:?}"),
    }
    let missing = s::Api::get_book(&store, s::GetBookInput::new("isbn-2".into())).await;
    assert!(matches!(missing, s::GetBookResponse::NotFound(m::ErrorModel { code: 404, .. })));
    let mut input = s::ListBooksInput::new();
    input.per_page = Some(2);
    let page = s::Api::list_books(&store, input).await;
    assert!(matches!(page, s::ListBooksResponse::Ok(m::BookPage { total_pages: 4, .. })));
}
