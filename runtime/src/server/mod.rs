//! The plumbing of generated axum servers.
//!
//! A generated crate defines its `Api` trait, one input struct, response enum and handler per
//! operation, and a `Shared<A>` state that implements [`Service`] (authentication through the
//! `Api`, the API's [`ApiSpec`] and the [`ServerConfig`]). Everything else is here:
//!
//! - [`Incoming`], the request reader every handler goes through: authentication against the
//!   operation's security alternatives, parameters read in place (no copies of a valid
//!   request), bodies read under the configured size limit and deadline, `Content-Type`
//!   enforced (415), JSON and form bodies (`application/x-www-form-urlencoded`, and
//!   `multipart/form-data` streamed part by part with [multer]) checked against the
//!   operation's schema, every violation collected;
//! - [`ErrorAnswer`]: the API's own documented error bodies ([`ApiSpec`], from the document's
//!   `x-server-errors`, or chosen per operation and status by the generator to satisfy the
//!   error schema the operation documents), for every request that does not reach the
//!   implementation, including unknown paths, other methods, over-long URIs and header
//!   sections, and panics;
//! - [`with_headers`]: the documented headers of a response, typed ([`crate::header`]);
//! - [`router`], which adds the fallbacks and the optional concurrency limit (tower) to a
//!   generated route table;
//! - [`serve`], the connection-level hardening axum's `serve` has no knobs for: hyper's
//!   header-read timeout (which also bounds keep-alive idleness) and a connection cap that,
//!   when reached or when the process runs out of descriptors, closes the connection idle the
//!   longest instead of stalling new clients;
//! - [`mock`]: the documented-example lookup of the generated mock servers.

mod body_schema;
pub mod mock;
mod serve;

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use serde_json::{Map, Value};

pub use crate::header::{HeaderError, HttpDate, RetryAfter, ToHeaders, WithHeaders};
/// The parameter codec the generated request readers describe each parameter with.
pub use crate::params::{Kinds, Location, Param, Shape, Style};
use crate::validation::Violation;
pub use crate::{Placement, Secret, SecurityScheme};
/// What generated servers take and give (axum's types).
pub use axum::{extract::Request, extract::State, http::Method, response::Response};
pub use serve::{serve, serve_with_shutdown};
/// The listener [`serve`] takes (tokio's).
pub use tokio::net::TcpListener;

/// The default limit on the size of a request body: 1 MiB. Larger bodies get the documented
/// "payload too large" answer without reaching the implementation.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The request limits of a generated router ([`router`]; the generated `router_with`). The
/// connection limits are [`ConnectionLimits`], for [`serve`]. Start from `default()` and change
/// what you need with the setters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The largest request body, in bytes (default [`DEFAULT_BODY_LIMIT`]): 413 beyond.
    pub body_limit: usize,
    /// The time a request body may take to arrive, from the first read (default 30 s): 408
    /// beyond, and the connection is closed, so a stalled upload holds no memory after it.
    pub body_timeout: Duration,
    /// The longest request target (path and query), in bytes (default 8 KiB): 414 beyond.
    pub max_uri_length: usize,
    /// The largest header section (names and values), in bytes (default 32 KiB): 431 beyond.
    /// hyper itself refuses more than 100 header fields, without the API's error body.
    pub max_header_bytes: usize,
    /// The most requests handled at once, across all connections; further requests wait
    /// (default: no limit; [`serve`] caps connections, and so requests, anyway).
    pub max_concurrent_requests: Option<usize>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            body_limit: DEFAULT_BODY_LIMIT,
            body_timeout: Duration::from_secs(30),
            max_uri_length: 8 * 1024,
            max_header_bytes: 32 * 1024,
            max_concurrent_requests: None,
        }
    }
}

impl ServerConfig {
    /// Sets [`ServerConfig::body_limit`].
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Sets [`ServerConfig::body_timeout`].
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Sets [`ServerConfig::max_uri_length`].
    pub fn max_uri_length(mut self, bytes: usize) -> Self {
        self.max_uri_length = bytes;
        self
    }

    /// Sets [`ServerConfig::max_header_bytes`].
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = bytes;
        self
    }

    /// Sets [`ServerConfig::max_concurrent_requests`].
    pub fn max_concurrent_requests(mut self, requests: Option<usize>) -> Self {
        self.max_concurrent_requests = requests.map(|n| n.max(1));
        self
    }
}

/// The connection limits of [`serve`], which axum's `serve` has no knobs for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionLimits {
    /// The time a client may take to send a request's head (request line and headers), and
    /// also how long a keep-alive connection may stay idle between requests: hyper starts the
    /// clock when it starts waiting for a request (default 10 s).
    pub header_read_timeout: Duration,
    /// The most connections served at once (default 1000). At the limit, or when the process
    /// runs out of file descriptors, the connection that has been idle the longest (waiting for
    /// a request, not serving one) is closed to make room.
    pub max_connections: usize,
    /// The largest read buffer of one connection, in bytes (default 64 KiB, at least 8 KiB):
    /// what a slow or stalled client can make the server hold besides the body it is sending,
    /// and the largest request head (hyper answers a longer one with 431, without the API's
    /// error body, so keep it above [`ServerConfig::max_uri_length`] plus
    /// [`ServerConfig::max_header_bytes`]). hyper's own default is about 400 KiB.
    pub read_buffer_size: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self { header_read_timeout: Duration::from_secs(10), max_connections: 1000, read_buffer_size: 64 * 1024 }
    }
}

impl ConnectionLimits {
    /// Sets [`ConnectionLimits::header_read_timeout`].
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets [`ConnectionLimits::max_connections`].
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Sets [`ConnectionLimits::read_buffer_size`].
    pub fn read_buffer_size(mut self, bytes: usize) -> Self {
        self.read_buffer_size = bytes.max(8192);
        self
    }
}

/// Which documented error a request gets when it does not reach the implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rejection {
    /// The body breaks the schema of the operation.
    Validation,
    /// The body is not JSON, or not the form the operation takes.
    MalformedBody,
    /// A path or query parameter has the wrong type or breaks a rule.
    InvalidParameters,
    /// Credentials are missing or rejected.
    Unauthorized,
    /// No operation serves the path.
    NotFound,
    /// The body is over the size limit.
    PayloadTooLarge,
    /// The implementation panicked.
    Internal,
    /// The path is served, but not with this method.
    MethodNotAllowed,
    /// The body's `Content-Type` is not the one the operation takes (or is missing).
    UnsupportedMediaType,
    /// The body did not arrive within [`ServerConfig::body_timeout`].
    RequestTimeout,
    /// The request target is longer than [`ServerConfig::max_uri_length`].
    UriTooLong,
    /// The header section is larger than [`ServerConfig::max_header_bytes`].
    HeadersTooLarge,
}

impl Rejection {
    /// Every kind, in declaration order.
    pub const ALL: [Rejection; 12] = [
        Self::Validation,
        Self::MalformedBody,
        Self::InvalidParameters,
        Self::Unauthorized,
        Self::NotFound,
        Self::PayloadTooLarge,
        Self::Internal,
        Self::MethodNotAllowed,
        Self::UnsupportedMediaType,
        Self::RequestTimeout,
        Self::UriTooLong,
        Self::HeadersTooLarge,
    ];

    /// The key of this kind in the document's `x-server-errors` (`malformedBody`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Validation => "validation",
            Self::MalformedBody => "malformedBody",
            Self::InvalidParameters => "invalidParameters",
            Self::Unauthorized => "unauthorized",
            Self::NotFound => "notFound",
            Self::PayloadTooLarge => "payloadTooLarge",
            Self::Internal => "internal",
            Self::MethodNotAllowed => "methodNotAllowed",
            Self::UnsupportedMediaType => "unsupportedMediaType",
            Self::RequestTimeout => "requestTimeout",
            Self::UriTooLong => "uriTooLong",
            Self::HeadersTooLarge => "headersTooLarge",
        }
    }

    /// The position of this kind in [`Rejection::ALL`].
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }

    /// The status when the API's error table has no entry for this kind.
    pub fn default_status(self) -> u16 {
        match self {
            Self::Validation | Self::MalformedBody | Self::InvalidParameters => 400,
            Self::Unauthorized => 401,
            Self::NotFound => 404,
            Self::PayloadTooLarge => 413,
            Self::Internal => 500,
            Self::MethodNotAllowed => 405,
            Self::UnsupportedMediaType => 415,
            Self::RequestTimeout => 408,
            Self::UriTooLong => 414,
            Self::HeadersTooLarge => 431,
        }
    }
}

/// What the generator knows about an API that the server reads at run time, as JSON text
/// parsed on first use: its error bodies and the JSON Schemas request bodies are checked
/// against (with their patterns compiled once).
///
/// Error bodies come from two tables. The API's table (from `x-server-errors`) has one
/// `{"status", "body"}` per [`Rejection::key`]. The optional operation table
/// ([`ApiSpec::with_operation_errors`]) overrides it per operation, so that each answer
/// satisfies the error schema the operation documents for that status:
///
/// ```json
/// {"templates": [{"body": {"code": "{{status}}", "message": "{{message}}"}},
///                {"status": 422, "body": {"detail": [{"msg": "{{message}}"}]}}],
///  "operations": {"create_book": {"400": 0, "validation": 1, "default": 0}}}
/// ```
///
/// For operation `op` and a rejection, the template is the one `op` lists under the
/// rejection's key, else under its status (the API table's status for that rejection, as
/// text), else under `default`, else the API table's; a template's `status`, when given,
/// replaces the status. Bodies are templates: a string that is exactly `{{message}}` (every
/// violation), `{{path}}` (the request path), `{{status}}` (the status, as a JSON number) or
/// `{{reason}}` (its reason phrase) is replaced, and so are these placeholders inside longer
/// strings (as text); an object whose only key is `{{field}}` becomes an object of the
/// violations by field.
#[derive(Debug)]
pub struct ApiSpec {
    errors: &'static str,
    operations: &'static str,
    definitions: &'static str,
    bodies: &'static str,
    parsed_errors: OnceLock<Vec<(u16, Value)>>,
    parsed_operations: OnceLock<OperationErrors>,
    schemas: OnceLock<body_schema::Schemas>,
}

/// The operation table of an [`ApiSpec`], parsed: the templates, and per operation the
/// template of each [`Rejection`] (by [`Rejection::index`]).
#[derive(Debug, Default)]
struct OperationErrors {
    templates: Vec<(Option<u16>, Value)>,
    by_operation: HashMap<String, [Option<usize>; Rejection::ALL.len()]>,
}

impl ApiSpec {
    /// The spec of an API: its error table (a JSON object by [`Rejection::key`]; a kind
    /// without a valid entry answers `{"message": "{{message}}"}` with its
    /// [`Rejection::default_status`]), the model definitions request bodies reference (a JSON
    /// object by name) and each operation's request-body schema (a JSON object by operation).
    pub const fn new(errors: &'static str, definitions: &'static str, bodies: &'static str) -> Self {
        Self {
            errors,
            operations: "",
            definitions,
            bodies,
            parsed_errors: OnceLock::new(),
            parsed_operations: OnceLock::new(),
            schemas: OnceLock::new(),
        }
    }

    /// The same spec with per-operation error bodies (see the type's docs for the format);
    /// operations are named as in [`Incoming::start_operation`].
    pub const fn with_operation_errors(mut self, operations: &'static str) -> Self {
        self.operations = operations;
        self
    }

    fn schemas(&self) -> &body_schema::Schemas {
        self.schemas.get_or_init(|| body_schema::Schemas::parse(self.definitions, self.bodies))
    }

    fn template(&self, rejection: Rejection) -> &(u16, Value) {
        let table = self.parsed_errors.get_or_init(|| {
            let parsed: Map<String, Value> = serde_json::from_str(self.errors).unwrap_or_default();
            Rejection::ALL
                .iter()
                .map(|r| {
                    let entry = parsed.get(r.key());
                    let status = entry.and_then(|e| e.get("status")?.as_u64()).and_then(|s| u16::try_from(s).ok());
                    match (status, entry.and_then(|e| e.get("body"))) {
                        (Some(status), Some(body)) => (status, body.clone()),
                        _ => (r.default_status(), serde_json::json!({ "message": "{{message}}" })),
                    }
                })
                .collect()
        });
        &table[rejection.index()]
    }

    fn operation_errors(&self) -> &OperationErrors {
        self.parsed_operations.get_or_init(|| {
            let Ok(Value::Object(mut parsed)) = serde_json::from_str::<Value>(self.operations) else {
                return OperationErrors::default();
            };
            let templates: Vec<(Option<u16>, Value)> = match parsed.remove("templates") {
                Some(Value::Array(items)) => items
                    .into_iter()
                    .map(|mut t| {
                        let status = t.get("status").and_then(Value::as_u64).and_then(|s| u16::try_from(s).ok());
                        (status, t.get_mut("body").map(Value::take).unwrap_or(Value::Null))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let mut by_operation = HashMap::new();
            if let Some(Value::Object(operations)) = parsed.remove("operations") {
                for (name, entries) in operations {
                    let index = |key: &str| {
                        entries.get(key).and_then(Value::as_u64).and_then(|i| usize::try_from(i).ok()).filter(|i| *i < templates.len())
                    };
                    let chosen = Rejection::ALL
                        .map(|r| index(r.key()).or_else(|| index(&self.template(r).0.to_string())).or_else(|| index("default")));
                    by_operation.insert(name, chosen);
                }
            }
            OperationErrors { templates, by_operation }
        })
    }

    /// The status and body template of `rejection` for `operation` (or the API's).
    fn template_for(&self, operation: Option<&str>, rejection: Rejection) -> (u16, &Value) {
        let (status, body) = self.template(rejection);
        let chosen = operation.and_then(|op| {
            let table = self.operation_errors();
            let index = table.by_operation.get(op)?[rejection.index()]?;
            table.templates.get(index)
        });
        match chosen {
            Some((own, template)) => (own.unwrap_or(*status), template),
            None => (*status, body),
        }
    }

    /// The HTTP status of the documented answer for `rejection`, by the API's table.
    pub fn status(&self, rejection: Rejection) -> u16 {
        self.template(rejection).0
    }

    /// The HTTP status of the answer for `rejection` to a request of `operation`.
    pub fn status_for(&self, operation: &str, rejection: Rejection) -> u16 {
        self.template_for(Some(operation), rejection).0
    }

    /// An answer of kind `rejection` for the request to `path` (in the API's error shape; see
    /// [`ErrorAnswer::for_operation`] for the operation's).
    pub fn answer(&'static self, rejection: Rejection, violations: Vec<Violation>, path: &str) -> ErrorAnswer {
        ErrorAnswer { rejection, violations, path: path.to_string(), spec: self, operation: None }
    }

    /// An answer of kind `rejection` with one violation.
    pub fn reject(&'static self, rejection: Rejection, rule: &str, message: impl Into<String>, path: &str) -> ErrorAnswer {
        self.answer(rejection, vec![Violation::new("", rule, message)], path)
    }
}

/// An answer in the API's own error shape, listing every violation found.
#[derive(Debug, Clone)]
pub struct ErrorAnswer {
    /// What went wrong.
    pub rejection: Rejection,
    /// Every violation (at least one, except for rejections whose body is fixed).
    pub violations: Vec<Violation>,
    /// The request path, for the `{{path}}` placeholder.
    pub path: String,
    spec: &'static ApiSpec,
    operation: Option<&'static str>,
}

impl ErrorAnswer {
    /// The same answer in the error shape of `operation` (see [`ApiSpec`]).
    pub fn for_operation(mut self, operation: &'static str) -> Self {
        self.operation = Some(operation);
        self
    }

    /// The operation whose error shape the answer has, if any.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.spec.template_for(self.operation, self.rejection).0
    }

    /// The JSON body: the template with its placeholders filled in.
    pub fn body(&self) -> Value {
        let (status, template) = self.spec.template_for(self.operation, self.rejection);
        fill(template.clone(), &Placeholders { violations: &self.violations, path: &self.path, status })
    }
}

impl IntoResponse for ErrorAnswer {
    fn into_response(self) -> Response {
        json_response(self.status(), &self.body())
    }
}

/// What the placeholders of an error template stand for.
struct Placeholders<'a> {
    violations: &'a [Violation],
    path: &'a str,
    status: u16,
}

impl Placeholders<'_> {
    fn message(&self) -> String {
        self.violations.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("; ")
    }

    fn reason(&self) -> &'static str {
        StatusCode::from_u16(self.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error")
    }

    /// `text` with every placeholder in it replaced, in one pass (a message that contains
    /// `{{path}}` stays as it is).
    fn substitute(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let (value, len) = if after.starts_with("{{message}}") {
                (self.message(), "{{message}}".len())
            } else if after.starts_with("{{path}}") {
                (self.path.to_string(), "{{path}}".len())
            } else if after.starts_with("{{status}}") {
                (self.status.to_string(), "{{status}}".len())
            } else if after.starts_with("{{reason}}") {
                (self.reason().to_string(), "{{reason}}".len())
            } else {
                ("{{".to_string(), 2)
            };
            out.push_str(&value);
            rest = &after[len..];
        }
        out.push_str(rest);
        out
    }
}

fn fill(value: Value, p: &Placeholders<'_>) -> Value {
    match value {
        Value::String(s) if s == "{{status}}" => Value::from(p.status),
        Value::String(s) if s.contains("{{") => Value::String(p.substitute(&s)),
        Value::Object(map) if map.len() == 1 && map.contains_key("{{field}}") => {
            let mut out = Map::new();
            for v in p.violations {
                let field = if v.path.is_empty() { "non_field_errors" } else { v.path.as_str() };
                if let Value::Array(list) = out.entry(field.to_string()).or_insert_with(|| Value::Array(Vec::new())) {
                    list.push(Value::String(format!("{} ({})", v.message, v.rule)));
                }
            }
            Value::Object(out)
        }
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, fill(v, p))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| fill(v, p)).collect()),
        other => other,
    }
}

/// A JSON response with `status`.
pub fn json_response<T: serde::Serialize>(status: u16, body: &T) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match serde_json::to_vec(body) {
        // Built directly: axum's `(status, [(name, &str)], body)` parses and validates the
        // header value on every answer.
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
            response
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A response with `status` and a body of media type `content_type`.
pub fn raw_response(status: u16, content_type: &'static str, body: impl Into<Body>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, content_type)], body.into()).into_response()
}

/// A response with `status` and no body.
pub fn empty_response(status: u16) -> Response {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR).into_response()
}

/// `response` with the documented headers `headers` set (the generated `<Op><Status>Headers`
/// structs implement [`ToHeaders`]): `rt::with_headers(rt::json_response(201, &body),
/// &headers)`. A header value that cannot be sent (a control character in a string) is a bug
/// of the implementation: the answer is then an empty 500, like a body that cannot be
/// serialized.
pub fn with_headers<H: ToHeaders + ?Sized>(mut response: Response, headers: &H) -> Response {
    match headers.to_headers(response.headers_mut()) {
        Ok(()) => response,
        Err(_) => empty_response(500),
    }
}

/// The state of a generated router: the API implementation seen through what the runtime needs
/// (the generated `Shared<A>` implements it for every `A: Api`).
///
/// A generated crate describes its operations as data ([`Service::operations`]: method, path,
/// security, how the body is read) and gives one non-generic, synchronous function per
/// operation that reads its typed input from an [`Incoming`]; [`Service::call`] matches the
/// operation's index to it and to the implementation's method. Everything asynchronous
/// (authentication, reading the body, running the implementation behind a panic guard) is
/// here, once per service type, so the per-operation code a crate carries is small and cheap to
/// compile.
pub trait Service: Send + Sync + 'static {
    /// The API's security schemes.
    type Scheme: SecurityScheme;
    /// The credentials a request was authenticated with (the generated `server::Credentials`).
    type Credentials: Default + Send + 'static;
    /// Whether `credential` is valid for `scheme` (the implementation's `Api::authenticate`).
    fn authenticate(&self, scheme: Self::Scheme, credential: &Secret) -> impl Future<Output = bool> + Send;
    /// Records an accepted credential.
    fn accept(credentials: &mut Self::Credentials, scheme: Self::Scheme, credential: Secret);
    /// The API's error bodies and request schemas.
    fn spec(&self) -> &'static ApiSpec;
    /// The limits.
    fn config(&self) -> &ServerConfig;
    /// The operations, in the order [`Service::call`] numbers them.
    fn operations(&self) -> &'static [Operation<Self::Scheme>];
    /// Reads the typed input of operation `index` from `request` (authenticated, its body read
    /// as the operation's [`BodySpec`] says) and starts the implementation's method with it.
    ///
    /// # Errors
    ///
    /// The documented answer when a parameter or the body is missing or invalid.
    fn call(&self, index: usize, request: &mut Incoming<Self::Credentials>) -> Result<Pending<'_>, Response>;
}

/// One operation of a generated router: where it is served, what it requires, how its body is
/// read.
#[derive(Debug)]
pub struct Operation<Scheme: 'static> {
    /// The HTTP method.
    pub method: Method,
    /// The path template (`/pets/{id}`).
    pub path: &'static str,
    /// The operation's key in the operation table of the [`ApiSpec`] (its error shape).
    pub key: &'static str,
    /// The security alternatives: the first whose every scheme's credential is present and
    /// accepted authenticates the request; none means no authentication.
    pub security: &'static [&'static [Scheme]],
    /// How the body is read.
    pub body: BodySpec,
}

/// How an operation's body is read, before its input is ([`Incoming::body`] and siblings take
/// the outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodySpec {
    /// The operation takes no body: none is read.
    None,
    /// JSON of media type `media`, checked against the request-body schema of operation
    /// `schema` (if any) before it is deserialized.
    Json {
        /// The documented media type.
        media: &'static str,
        /// Whether the body is required.
        required: bool,
        /// The operation's key in the request-body schemas, when the body has one.
        schema: Option<&'static str>,
    },
    /// A form (`multipart/form-data` when `multipart`, else
    /// `application/x-www-form-urlencoded`), decoded into JSON (see [`form_object`]) and checked
    /// like a JSON body; the parts of the fields named in `binary` are kept as bytes.
    Form {
        /// Whether the form is `multipart/form-data`.
        multipart: bool,
        /// The operation's key in the request-body schemas, when the body has one.
        schema: Option<&'static str>,
        /// The fields whose parts are bytes (`format: binary`).
        binary: &'static [&'static str],
    },
    /// UTF-8 text of media type `media`.
    Text {
        /// The documented media type.
        media: &'static str,
        /// Whether the body is required.
        required: bool,
    },
    /// Raw bytes of media type `media`, exactly as sent.
    Bytes {
        /// The documented media type.
        media: &'static str,
        /// Whether the body is required.
        required: bool,
    },
}

/// The implementation's answer on its way: what [`Service::call`] returns.
pub type Pending<'a> = std::pin::Pin<Box<dyn Future<Output = Response> + Send + 'a>>;

/// The implementation's future `future` as a [`Pending`] answer.
pub fn pending<'a, R: IntoResponse + 'a>(future: impl Future<Output = R> + Send + 'a) -> Pending<'a> {
    use futures_util::FutureExt;
    Box::pin(future.map(IntoResponse::into_response))
}

/// The route table of `service`'s operations ([`Service::operations`]), finished with the
/// documented not-found and method-not-allowed answers (with `Allow`) and the optional
/// concurrency limit (tower). The head limits of [`ServerConfig`] (414 and 431 in the API's
/// error shape) are checked when a request starts and by these fallbacks, not by a layer: a
/// layer would wrap every route in one more boxed service, an allocation per request.
///
/// axum only routes: every OpenAPI path template becomes its [`axum_route`] (each segment
/// with an expression one positional capture), so any valid set of templates is a valid
/// route table (`/v{page}.{kind}`, `/files/{name}.json`, `/a/{id}` beside `/a/{name}/b`).
/// Operations of one method on one route are tried in order of specificity, and the request
/// goes to the first whose template fits the raw path ([`crate::params::path_matches`]; the
/// parameters are read from that same text); when none fits, the path is answered as
/// unknown, or as served with other methods.
pub fn router<S: Service>(service: Arc<S>) -> Router {
    let operations = service.operations();
    let mut routes = Router::new().without_v07_checks();
    for (route, groups) in route_table(operations) {
        // One handler for every method: the method is matched in `dispatch`, so that a path
        // served by no operation of any method (literal text around an expression that does
        // not fit) is not answered with an `Allow` of the whole route.
        let groups: RouteGroups = groups
            .into_iter()
            .map(|(method, indices)| {
                (method, indices.into_iter().map(|i| (i, crate::params::whole_segment_template(operations[i].path))).collect())
            })
            .collect();
        let handler = move |State(service): State<Arc<S>>, request: Request| dispatch(service, groups.clone(), request);
        routes = routes.route(&route, axum::routing::any(handler));
    }
    let limit = service.config().max_concurrent_requests;
    let router = routes.fallback(not_found::<S>).with_state(service);
    match limit {
        Some(n) => router.layer(tower::limit::GlobalConcurrencyLimitLayer::new(n)),
        None => router,
    }
}

/// The operations of one route, by method: their indices, the most specific template first.
type MethodGroups = Vec<(Method, Vec<usize>)>;

/// [`MethodGroups`] as the router's handler holds them: each index with whether its template's
/// expressions are all whole segments (`params::whole_segment_template`).
type RouteGroups = Arc<[(Method, Vec<(usize, bool)>)]>;

/// The operations by axum route ([`axum_route`]) and method, each group's operation indices
/// most specific first (most literal text in the segments with expressions, then in
/// declaration order); routes and methods in the order of first appearance.
fn route_table<Scheme>(operations: &[Operation<Scheme>]) -> Vec<(String, MethodGroups)> {
    let mut table: Vec<(String, MethodGroups)> = Vec::new();
    for (index, op) in operations.iter().enumerate() {
        let route = axum_route(op.path);
        let position = match table.iter().position(|(r, _)| *r == route) {
            Some(position) => position,
            None => {
                table.push((route, Vec::new()));
                table.len() - 1
            }
        };
        let groups = &mut table[position].1;
        match groups.iter_mut().find(|(method, _)| *method == op.method) {
            Some((_, indices)) => indices.push(index),
            None => groups.push((op.method.clone(), vec![index])),
        }
    }
    let literal_text = |template: &str| template.split('/').filter(|s| s.contains('{')).map(literal_len).sum::<usize>();
    for (_, groups) in &mut table {
        for (_, indices) in groups {
            // Stable: equally specific templates keep their declaration order.
            indices.sort_by_key(|&i| std::cmp::Reverse(literal_text(operations[i].path)));
        }
    }
    table
}

/// The length of the literal text of a path segment, without its `{...}` expressions.
fn literal_len(segment: &str) -> usize {
    let mut len = 0;
    let mut rest = segment;
    while let Some(open) = rest.find('{') {
        len += open;
        match rest[open..].find('}') {
            Some(close) => rest = &rest[open + close + 1..],
            None => return len + rest.len() - open,
        }
    }
    len + rest.len()
}

/// The axum route of an OpenAPI path template: every segment that holds an expression
/// (`{id}`, `v{page}.{kind}`, `{name}.json`) becomes the capture `{pN}`, N its position, and
/// literal braces elsewhere are escaped; a template without its leading `/` gets one. Two
/// templates with expressions at the same positions so share their capture names, which axum's
/// router (matchit) requires, and segments with literal text beside an expression, which it
/// cannot express, are matched by [`crate::params::path_matches`] instead.
pub fn axum_route(template: &str) -> String {
    let mut route = String::with_capacity(template.len() + 1);
    for (position, segment) in template.trim_start_matches('/').split('/').enumerate() {
        route.push('/');
        if segment.contains('{') {
            route.push_str(&format!("{{p{position}}}"));
        } else {
            route.push_str(&segment.replace('}', "}}"));
        }
    }
    route
}

/// Serves the first operation of the request's method on its route (`groups`, by method; a
/// `HEAD` request without operations of its own goes to `GET`'s) whose template fits the
/// request's path; none fitting, the answer for a path no operation of this method serves
/// ([`unmatched`]).
async fn dispatch<S: Service>(service: Arc<S>, groups: RouteGroups, request: Request) -> Response {
    let operations = service.operations();
    let method = request.method();
    let group = groups.iter().find(|(m, _)| m == method).or_else(|| {
        let get = (method == Method::HEAD).then(|| groups.iter().find(|(m, _)| m == Method::GET));
        get.flatten()
    });
    let path = request.uri().path();
    // An operation whose expressions are whole segments fits whatever its route matched.
    let found = group.and_then(|(_, indices)| {
        indices.iter().find(|&&(i, whole)| whole || crate::params::path_matches(operations[i].path, path)).map(|&(i, _)| i)
    });
    match found {
        Some(index) => operation(service, index, request).await,
        None => unmatched(&*service, method, request.uri(), request.headers()),
    }
}

/// Serves operation `index` of `service`: the head limits and authentication, the body as the
/// operation takes it, then the operation's input and the implementation, behind a panic
/// guard. Every answer that does not come from the implementation is in the operation's error
/// shape.
async fn operation<S: Service>(service: Arc<S>, index: usize, request: Request) -> Response {
    let op = &service.operations()[index];
    let mut incoming = match Incoming::begin(&*service, request, Some(op.key), op.security).await {
        Ok(incoming) => incoming,
        Err(answer) => return answer,
    };
    incoming.read_body(op.body, service.config()).await;
    let started = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| service.call(index, &mut incoming)));
    match started {
        Ok(Ok(pending)) => run_guarded(service.spec(), Some(op.key), pending, incoming.path()).await,
        Ok(Err(answer)) => answer,
        Err(_) => internal_error(service.spec(), Some(op.key), incoming.path()),
    }
}

/// The documented 414 or 431 answer when the request's target or header section is over the
/// limits of `config`.
fn check_head(
    spec: &'static ApiSpec,
    operation: Option<&'static str>,
    config: &ServerConfig,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), Response> {
    let reject = |rejection, rule, message| {
        let answer = spec.reject(rejection, rule, message, uri.path());
        Err(ErrorAnswer { operation, ..answer }.into_response())
    };
    let target = uri.path_and_query().map_or(0, |p| p.as_str().len());
    if target > config.max_uri_length {
        return reject(Rejection::UriTooLong, "uri", format!("the request target must be at most {} bytes", config.max_uri_length));
    }
    let size: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if size > config.max_header_bytes {
        let message = format!("the request headers must be at most {} bytes", config.max_header_bytes);
        return reject(Rejection::HeadersTooLarge, "headers", message);
    }
    Ok(())
}

/// The answer for paths no operation serves.
async fn not_found<S: Service>(State(service): State<Arc<S>>, uri: Uri, headers: HeaderMap) -> Response {
    if let Err(answer) = check_head(service.spec(), None, service.config(), &uri, &headers) {
        return answer;
    }
    service.spec().reject(Rejection::NotFound, "path", "no operation serves this path", uri.path()).into_response()
}

/// The answer for a request that no operation of its method serves: method-not-allowed with
/// `Allow` when operations of other methods have a template the path fits, else not-found.
fn unmatched<S: Service>(service: &S, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
    if let Err(answer) = check_head(service.spec(), None, service.config(), uri, headers) {
        return answer;
    }
    let mut allowed: Vec<&str> = Vec::new();
    for op in service.operations().iter().filter(|op| crate::params::path_matches(op.path, uri.path())) {
        let mut push = |m: &'static str| {
            if !allowed.contains(&m) {
                allowed.push(m);
            }
        };
        push(op.method.as_str());
        // axum serves HEAD with the GET handler.
        if op.method == Method::GET {
            push("HEAD");
        }
    }
    if allowed.is_empty() {
        return service.spec().reject(Rejection::NotFound, "path", "no operation serves this path", uri.path()).into_response();
    }
    let message = format!("the method {method} is not allowed on this path (see the Allow header)");
    let mut response = service.spec().reject(Rejection::MethodNotAllowed, "method", message, uri.path()).into_response();
    if let Ok(value) = header::HeaderValue::from_str(&allowed.join(",")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// The internal-error answer (a panic), in the shape of `operation` if given.
fn internal_error(spec: &'static ApiSpec, operation: Option<&'static str>, path: &str) -> Response {
    let answer = spec.reject(Rejection::Internal, "internal", "the request could not be processed", path);
    ErrorAnswer { operation, ..answer }.into_response()
}

/// Runs the implementation's future; a panic becomes the internal-error answer (in the shape of
/// `operation`, if given).
async fn run_guarded(spec: &'static ApiSpec, operation: Option<&'static str>, future: Pending<'_>, path: &str) -> Response {
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(future).catch_unwind().await {
        Ok(response) => response,
        Err(_) => internal_error(spec, operation, path),
    }
}

/// The value of query parameter `name` (the first one, when it is repeated), decoded as
/// `application/x-www-form-urlencoded` (lossy UTF-8); borrowed unless decoding changed it.
pub fn query_value<'a>(query: Option<&'a str>, name: &str) -> Option<Cow<'a, str>> {
    form_urlencoded::parse(query?.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value)
}

/// A header value as text.
fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The token of `Authorization: Bearer <token>` (scheme name case-insensitive).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let (scheme, token) = header_text(headers, "authorization")?.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// The credential of `scheme` in a request, if present.
fn extract(placement: Placement, headers: &HeaderMap, query: Option<&str>) -> Option<Secret> {
    match placement {
        Placement::Header(name) => header_text(headers, name).filter(|t| !t.is_empty()).map(Secret::new),
        Placement::Query(name) => query_value(query, name).filter(|t| !t.is_empty()).map(Secret::new),
        // Cookies are not read: a cookie-borne key is rejected as missing.
        Placement::Cookie(_) => None,
        Placement::Bearer => bearer_token(headers).map(Secret::new),
        Placement::Basic | Placement::Other => header_text(headers, "authorization").map(Secret::new),
    }
}

/// Tries each security alternative of an operation in order; the first whose every credential
/// is present and accepted wins.
async fn authenticate<S: Service>(service: &S, parts: &Parts, alternatives: &[&[S::Scheme]]) -> Result<S::Credentials, ErrorAnswer> {
    let mut credentials = S::Credentials::default();
    if alternatives.is_empty() {
        return Ok(credentials);
    }
    let mut failures = Vec::new();
    for alternative in alternatives {
        credentials = S::Credentials::default();
        let mut accepted = true;
        for &scheme in alternative.iter() {
            let wire = scheme.placement().wire_name();
            match extract(scheme.placement(), &parts.headers, parts.uri.query()) {
                Some(secret) if service.authenticate(scheme, &secret).await => S::accept(&mut credentials, scheme, secret),
                Some(_) => {
                    failures.push(Violation::new(wire, "security", "the credential was rejected"));
                    accepted = false;
                    break;
                }
                None => {
                    failures.push(Violation::new(wire, "security", "is required"));
                    accepted = false;
                    break;
                }
            }
        }
        if accepted {
            return Ok(credentials);
        }
    }
    Err(service.spec().answer(Rejection::Unauthorized, failures, parts.uri.path()))
}

/// The essence (`type/subtype`, lowercase) of a media type.
fn essence(media: &str) -> String {
    media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

fn is_json(essence: &str) -> bool {
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether a body sent as `sent` (a `Content-Type` value) is one the operation documents as
/// `documented`: the same type and subtype, any two JSON types, or within a documented range
/// (`image/*`, `*/*`).
fn media_matches(documented: &str, sent: &str) -> bool {
    let (documented, sent) = (essence(documented), essence(sent));
    documented == sent
        || (is_json(&documented) && is_json(&sent))
        || documented == "*/*"
        || documented.strip_suffix("/*").is_some_and(|range| sent.split('/').next() == Some(range))
}

/// A request on its way to an implementation, after authentication and after its body was
/// read: the generated function of each operation reads its parameters and takes its body
/// through it, collecting the parameter violations.
///
/// Parameters are read in place (the query string is scanned per parameter, values borrowed
/// unless percent-decoding changes them), so a valid request costs no copies. The body is read
/// before the parameters, but what went wrong with it is answered only after them (when the
/// operation's function takes it), so a request with invalid parameters gets the
/// invalid-parameters answer whatever its body.
pub struct Incoming<C> {
    /// The request head.
    pub parts: Parts,
    /// The credentials the request was authenticated with.
    pub credentials: C,
    body: Option<Body>,
    read: ReadBody,
    violations: Vec<Violation>,
    spec: &'static ApiSpec,
    operation: Option<&'static str>,
}

/// What reading the body gave.
enum ReadBody {
    /// No body was read, or it was taken already.
    Absent,
    /// The documented answer for the body (415, 413, 408, malformed, invalid).
    Failed(Response),
    /// A JSON or form body, checked against its schema, with the bytes of its binary parts.
    Value(Value, Vec<Vec<u8>>),
    /// A body of bytes.
    Bytes(Vec<u8>),
    /// A text body.
    Text(String),
}

impl<C: Default> Incoming<C> {
    /// Splits the request and authenticates it against the operation's security
    /// `alternatives`, after checking the head limits; every answer this request gets without
    /// reaching the implementation is in the error shape of `operation` (its key in the
    /// operation table of the [`ApiSpec`]), when given.
    ///
    /// # Errors
    ///
    /// The documented answer for an over-long target or header section, or missing or
    /// rejected credentials.
    pub async fn begin<S: Service<Credentials = C>>(
        service: &S,
        request: Request,
        operation: Option<&'static str>,
        alternatives: &[&[S::Scheme]],
    ) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        let spec = service.spec();
        check_head(spec, operation, service.config(), &parts.uri, &parts.headers)?;
        let credentials =
            authenticate(service, &parts, alternatives).await.map_err(|answer| ErrorAnswer { operation, ..answer }.into_response())?;
        Ok(Self { parts, credentials, body: Some(body), read: ReadBody::Absent, violations: Vec::new(), spec, operation })
    }
}

impl<C> Incoming<C> {
    /// The operation the request is for, if known.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// The request path, for error answers.
    pub fn path(&self) -> &str {
        self.parts.uri.path()
    }

    /// The request headers, taken (for the operation's input).
    pub fn take_headers(&mut self) -> HeaderMap {
        std::mem::take(&mut self.parts.headers)
    }

    /// The internal-error answer in the operation's error shape (for what cannot happen, such
    /// as an operation index out of range).
    pub fn internal_error(&self) -> Response {
        self.reject(Rejection::Internal, "internal", "the request could not be processed")
    }

    fn reject(&self, rejection: Rejection, rule: &str, message: impl Into<String>) -> Response {
        self.answer(rejection, vec![Violation::new("", rule, message)])
    }

    /// The answer of kind `rejection` in the operation's error shape.
    fn answer(&self, rejection: Rejection, violations: Vec<Violation>) -> Response {
        let answer = self.spec.answer(rejection, violations, self.path());
        ErrorAnswer { operation: self.operation, ..answer }.into_response()
    }

    /// A parameter, read by its style through [`crate::params::from_request`] (path
    /// parameters from the raw path against the operation's path `template`); a missing
    /// required or malformed value is recorded as a violation naming what was expected.
    pub fn parameter<T: serde::de::DeserializeOwned>(
        &mut self,
        param: &crate::params::Param<'_>,
        template: &str,
        required: bool,
    ) -> Option<T> {
        match crate::params::from_request::<T>(param, template, &self.parts) {
            Ok(Some(value)) => Some(value),
            Ok(None) => {
                if required {
                    self.violations.push(Violation::new(param.name, "required", "is required"));
                }
                None
            }
            Err(e) => {
                let rule = match e.kind() {
                    crate::params::ParamErrorKind::Invalid => "type",
                    _ => "style",
                };
                self.violations.push(Violation::new(param.name, rule, e.message()));
                None
            }
        }
    }

    /// A parameter with `content` instead of `schema`: its text (read as a string by its
    /// style) is the JSON of the value.
    pub fn json_parameter<T: serde::de::DeserializeOwned>(
        &mut self,
        param: &crate::params::Param<'_>,
        template: &str,
        required: bool,
    ) -> Option<T> {
        let text: String = self.parameter(param, template, required)?;
        match serde_json::from_str(&text) {
            Ok(value) => Some(value),
            Err(_) => {
                self.violations.push(Violation::new(param.name, "type", "must be JSON text of the documented schema"));
                None
            }
        }
    }

    /// Records a violation found by a parameter rule (see [`crate::validation`]).
    pub fn violations(&mut self) -> &mut Vec<Violation> {
        &mut self.violations
    }

    /// The documented invalid-parameters answer when any parameter violation was found.
    ///
    /// # Errors
    ///
    /// That answer.
    pub fn check(&mut self) -> Result<(), Response> {
        if self.violations.is_empty() {
            return Ok(());
        }
        let violations = std::mem::take(&mut self.violations);
        Err(self.answer(Rejection::InvalidParameters, violations))
    }

    /// A value [`Incoming::check`] has ruled out being missing.
    ///
    /// # Errors
    ///
    /// The internal-error answer, should it be missing after all.
    pub fn required<T>(&self, value: Option<T>) -> Result<T, Response> {
        value.ok_or_else(|| self.internal_error())
    }

    /// The JSON or form body ([`BodySpec::Json`], [`BodySpec::Form`]), already checked against
    /// the operation's schema, deserialized; `None` when it is absent and optional.
    ///
    /// # Errors
    ///
    /// The documented answer: 415 for another `Content-Type`, 413, 408, a malformed body, or
    /// every violation of the schema.
    pub fn body<T: serde::de::DeserializeOwned>(&mut self) -> Result<Option<T>, Response> {
        match std::mem::replace(&mut self.read, ReadBody::Absent) {
            ReadBody::Value(value, parts) => crate::binary::with_parts(parts, || serde_json::from_value(value))
                .map(Some)
                .map_err(|e| self.reject(Rejection::Validation, "schema", e.to_string())),
            ReadBody::Failed(answer) => Err(answer),
            _ => Ok(None),
        }
    }

    /// The body of bytes ([`BodySpec::Bytes`]), exactly as sent; `None` when it is absent and
    /// optional.
    ///
    /// # Errors
    ///
    /// As [`Incoming::body`], without the schema.
    pub fn bytes_body(&mut self) -> Result<Option<Vec<u8>>, Response> {
        match std::mem::replace(&mut self.read, ReadBody::Absent) {
            ReadBody::Bytes(bytes) => Ok(Some(bytes)),
            ReadBody::Failed(answer) => Err(answer),
            _ => Ok(None),
        }
    }

    /// The text body ([`BodySpec::Text`]); `None` when it is absent and optional.
    ///
    /// # Errors
    ///
    /// As [`Incoming::bytes_body`], and the malformed-body answer for bytes that are not UTF-8.
    pub fn text_body(&mut self) -> Result<Option<String>, Response> {
        match std::mem::replace(&mut self.read, ReadBody::Absent) {
            ReadBody::Text(text) => Ok(Some(text)),
            ReadBody::Failed(answer) => Err(answer),
            _ => Ok(None),
        }
    }

    /// Reads the body as `spec` says, under the limits of `config`, and keeps the outcome for
    /// [`Incoming::body`] and its siblings.
    pub async fn read_body(&mut self, spec: BodySpec, config: &ServerConfig) {
        let read = match spec {
            BodySpec::None => return,
            BodySpec::Json { media, required, schema } => self.read_json(media, required, schema, config).await,
            BodySpec::Form { multipart, schema, binary } => self.read_form(multipart, schema, binary, config).await,
            BodySpec::Bytes { media, required } => {
                self.read_bytes(media, required, config).await.map(|b| b.map_or(ReadBody::Absent, ReadBody::Bytes))
            }
            BodySpec::Text { media, required } => match self.read_bytes(media, required, config).await {
                Ok(Some(bytes)) => match String::from_utf8(bytes) {
                    Ok(text) => Ok(ReadBody::Text(text)),
                    Err(_) => Err(self.reject(Rejection::MalformedBody, "text", "the body is not UTF-8 text")),
                },
                Ok(None) => Ok(ReadBody::Absent),
                Err(answer) => Err(answer),
            },
        };
        self.read = read.unwrap_or_else(ReadBody::Failed);
    }

    /// Checks the `Content-Type` of a body against the documented media type: `Ok(false)` when
    /// there is no body to read (no `Content-Type`, no declared length), `Ok(true)` when it
    /// matches.
    fn content_type(&self, documented: &str, required: bool) -> Result<bool, Response> {
        let sent = header_text(&self.parts.headers, "content-type");
        let declared = header_text(&self.parts.headers, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
        let chunked = self.parts.headers.contains_key(header::TRANSFER_ENCODING);
        match sent {
            Some(sent) if media_matches(documented, sent) => Ok(true),
            Some(sent) => Err(self.reject(
                Rejection::UnsupportedMediaType,
                "content-type",
                format!("the body must be {documented}, not {}", essence(sent)),
            )),
            // A missing type is `application/octet-stream` (RFC 9110, 8.3).
            None if media_matches(documented, "application/octet-stream") => Ok(true),
            None if declared == Some(0) || (declared.is_none() && !chunked) => {
                if required {
                    Err(self.reject(Rejection::Validation, "required", "the request body is required"))
                } else {
                    Ok(false)
                }
            }
            None => Err(self.reject(
                Rejection::UnsupportedMediaType,
                "content-type",
                format!("the body must be {documented}: send a Content-Type"),
            )),
        }
    }

    /// The whole body, up to [`ServerConfig::body_limit`] bytes, within
    /// [`ServerConfig::body_timeout`].
    async fn bytes(&mut self, config: &ServerConfig) -> Result<Bytes, Response> {
        use http_body_util::BodyExt;
        let limit = config.body_limit;
        let too_large = |this: &Self| this.reject(Rejection::PayloadTooLarge, "size", format!("the body must be at most {limit} bytes"));
        let declared = header_text(&self.parts.headers, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large(self));
        }
        // One buffer of the declared size (pages are only touched as data arrives), each frame
        // copied in and dropped at once: hyper reuses its read buffer instead of keeping one
        // allocation per frame alive, and an abandoned body frees a single block.
        let mut out = Vec::with_capacity(declared.map_or(0, |n| n as usize));
        let mut body = self.body.take().unwrap_or_default();
        let read = async {
            // `Err(None)`: over the limit; `Err(Some(why))`: the body could not be read.
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| Some(e.to_string()))?;
                if let Some(data) = frame.data_ref() {
                    if out.len() + data.len() > limit {
                        return Err(None);
                    }
                    out.extend_from_slice(data);
                }
            }
            Ok::<(), Option<String>>(())
        };
        match tokio::time::timeout(config.body_timeout, read).await {
            Ok(Ok(())) => Ok(Bytes::from(out)),
            Ok(Err(None)) => Err(too_large(self)),
            Ok(Err(Some(e))) => Err(self.reject(Rejection::MalformedBody, "body", format!("the body could not be read: {e}"))),
            Err(_) => Err(self.timed_out(config)),
        }
    }

    fn timed_out(&self, config: &ServerConfig) -> Response {
        let seconds = config.body_timeout.as_secs_f64();
        let mut response = self.reject(Rejection::RequestTimeout, "timeout", format!("the body must arrive within {seconds} s"));
        // The rest of the body is not read: the connection cannot be reused.
        response.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
        response
    }

    /// A JSON body of documented media type `media`, checked against the request-body schema of
    /// operation `schema` (if any); absent when it is and is optional.
    async fn read_json(&mut self, media: &str, required: bool, schema: Option<&str>, config: &ServerConfig) -> Result<ReadBody, Response> {
        if !self.content_type(media, required)? {
            return Ok(ReadBody::Absent);
        }
        let bytes = self.bytes(config).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            if required {
                return Err(self.reject(Rejection::Validation, "required", "the request body is required"));
            }
            return Ok(ReadBody::Absent);
        }
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| self.reject(Rejection::MalformedBody, "json", format!("the body is not JSON: {e}")))?;
        self.checked(value, schema, Vec::new())
    }

    /// A body of raw bytes (`application/octet-stream`, images, ...), exactly as sent.
    async fn read_bytes(&mut self, media: &str, required: bool, config: &ServerConfig) -> Result<Option<Vec<u8>>, Response> {
        if !self.content_type(media, required)? {
            return Ok(None);
        }
        let bytes = self.bytes(config).await?;
        if bytes.is_empty() && !required {
            return Ok(None);
        }
        Ok(Some(bytes.to_vec()))
    }

    /// A form body (`multipart/form-data` when `multipart`, else
    /// `application/x-www-form-urlencoded`), decoded into the JSON the client's encoding came
    /// from (see [`form_object`]), typed by the schema of operation `schema`, and checked like a
    /// JSON body. A multipart body is read part by part as it arrives: the parts of the fields
    /// named in `binary` (`format: binary`) are kept as bytes, exactly as sent, for the
    /// model's [`crate::Binary`] fields; every other part must be UTF-8 text.
    async fn read_form(
        &mut self,
        multipart: bool,
        schema: Option<&str>,
        binary: &[&str],
        config: &ServerConfig,
    ) -> Result<ReadBody, Response> {
        let media = if multipart { "multipart/form-data" } else { "application/x-www-form-urlencoded" };
        self.content_type(media, true)?;
        let (fields, parts) = if multipart {
            self.multipart_fields(binary, config).await?
        } else {
            let bytes = self.bytes(config).await?;
            (form_fields(&bytes).map_err(|message| self.reject(Rejection::MalformedBody, "form", message))?, Vec::new())
        };
        let mut value = form_object(fields).map_err(|message| self.reject(Rejection::MalformedBody, "form", message))?;
        if let Some(key) = schema {
            body_schema::type_form_text(self.spec.schemas(), &mut value, key);
        }
        self.checked(value, schema, parts)
    }

    /// The fields of a multipart/form-data body, in order, as name and text, read part by part
    /// with [multer] under the body limit and deadline; the parts of `binary` fields are
    /// returned apart, each field's text being its [`crate::binary::part_marker`].
    async fn multipart_fields(
        &mut self,
        binary: &[&str],
        config: &ServerConfig,
    ) -> Result<(Vec<(String, String)>, Vec<Vec<u8>>), Response> {
        let deadline = tokio::time::Instant::now() + config.body_timeout;
        let malformed = |this: &Self, message: String| this.reject(Rejection::MalformedBody, "multipart", message);
        let content_type = header_text(&self.parts.headers, "content-type").unwrap_or_default();
        let boundary =
            multer::parse_boundary(content_type).map_err(|e| malformed(self, format!("the body is not multipart/form-data: {e}")))?;
        let limit = config.body_limit;
        if header_text(&self.parts.headers, "content-length").and_then(|v| v.trim().parse::<u64>().ok()).is_some_and(|n| n > limit as u64) {
            return Err(self.reject(Rejection::PayloadTooLarge, "size", format!("the body must be at most {limit} bytes")));
        }
        let constraints = multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit as u64));
        let body = self.body.take().unwrap_or_default();
        let mut multipart = multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
        let (mut fields, mut parts) = (Vec::new(), Vec::new());
        loop {
            let next = match tokio::time::timeout_at(deadline, multipart.next_field()).await {
                Err(_) => return Err(self.timed_out(config)),
                Ok(Err(e)) => return Err(self.multipart_error(e)),
                Ok(Ok(next)) => next,
            };
            let Some(mut field) = next else { break };
            let name = field.name().map(str::to_string);
            let mut data = Vec::new();
            loop {
                match tokio::time::timeout_at(deadline, field.chunk()).await {
                    Err(_) => return Err(self.timed_out(config)),
                    Ok(Err(e)) => return Err(self.multipart_error(e)),
                    Ok(Ok(Some(chunk))) => data.extend_from_slice(&chunk),
                    Ok(Ok(None)) => break,
                }
            }
            let Some(name) = name else { continue };
            if binary.contains(&name.as_str()) {
                fields.push((name, crate::binary::part_marker(parts.len())));
                parts.push(data);
                continue;
            }
            match String::from_utf8(data) {
                Ok(text) => fields.push((name, text)),
                Err(_) => return Err(malformed(self, format!("field `{name}` is not UTF-8 text"))),
            }
        }
        Ok((fields, parts))
    }

    fn multipart_error(&self, e: multer::Error) -> Response {
        match e {
            multer::Error::StreamSizeExceeded { limit } | multer::Error::FieldSizeExceeded { limit, .. } => {
                self.reject(Rejection::PayloadTooLarge, "size", format!("the body must be at most {limit} bytes"))
            }
            other => self.reject(Rejection::MalformedBody, "multipart", format!("the multipart body is malformed: {other}")),
        }
    }

    /// Checks `value` against the request-body schema of operation `schema` (if any, with the
    /// API's one validator, see [`body_schema`]): every violation, or the value, ready to be
    /// deserialized. Whole numbers sent as decimals are written as integers in between.
    fn checked(&self, mut value: Value, schema: Option<&str>, parts: Vec<Vec<u8>>) -> Result<ReadBody, Response> {
        if let Some(key) = schema {
            let violations = self.spec.schemas().check(key, &value);
            if !violations.is_empty() {
                return Err(self.answer(Rejection::Validation, violations));
            }
        }
        body_schema::integral_numbers(&mut value);
        Ok(ReadBody::Value(value, parts))
    }
}

/// The `name=value` pairs of an `application/x-www-form-urlencoded` body, in order, decoded
/// (`+` is a space, `%XX` a byte). Unlike a query string, a body must decode to UTF-8.
fn form_fields(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let decode = |piece: &[u8]| -> Result<String, String> {
        let spaced: Cow<'_, [u8]> = if piece.contains(&b'+') {
            Cow::Owned(piece.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect())
        } else {
            Cow::Borrowed(piece)
        };
        percent_encoding::percent_decode(&spaced).decode_utf8().map(Cow::into_owned).map_err(|_| "the form is not UTF-8 text".to_string())
    };
    bytes
        .split(|&b| b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(i) => (&piece[..i], &piece[i + 1..]),
                None => (piece, &[][..]),
            };
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

/// The deepest `name[a][b]...` nesting a form field name may have.
const MAX_FORM_DEPTH: usize = 32;

/// The JSON object of a form body, from its fields in order, inverting the client's encoding
/// (the same for both form media types, see `client::form_pairs`): `name[key]` (deep-object
/// style) nests objects, and a name given more than once makes an array. Every value is text;
/// the body's schema then gives it its type.
///
/// # Errors
///
/// A message for names nested deeper than 32 levels, or given both as a value and an object.
pub fn form_object(fields: Vec<(String, String)>) -> Result<Value, String> {
    fn insert(map: &mut Map<String, Value>, segments: &[&str], text: String) -> bool {
        let Some((first, rest)) = segments.split_first() else { return false };
        if rest.is_empty() {
            match map.get_mut(*first) {
                None => {
                    map.insert((*first).to_string(), Value::String(text));
                }
                Some(Value::Array(items)) => items.push(Value::String(text)),
                Some(Value::Object(_)) => return false,
                Some(existing) => {
                    let previous = std::mem::take(existing);
                    *existing = Value::Array(vec![previous, Value::String(text)]);
                }
            }
            return true;
        }
        match map.entry((*first).to_string()).or_insert_with(|| Value::Object(Map::new())) {
            Value::Object(inner) => insert(inner, rest, text),
            _ => false,
        }
    }
    let mut root = Map::new();
    for (name, text) in fields {
        let segments = form_name_segments(&name);
        if segments.len() > MAX_FORM_DEPTH {
            return Err(format!("field `{name}` is nested deeper than {MAX_FORM_DEPTH} levels"));
        }
        if !insert(&mut root, &segments, text) {
            return Err(format!("field `{name}` is given both as a value and as an object (`{name}[...]`)"));
        }
    }
    Ok(Value::Object(root))
}

/// `a[b][c]` -> `[a, b, c]`; a name that is not exactly of that shape is one plain name.
fn form_name_segments(name: &str) -> Vec<&str> {
    let plain = || vec![name];
    let Some(open) = name.find('[') else { return plain() };
    if open == 0 {
        return plain();
    }
    let mut segments = vec![&name[..open]];
    let mut rest = &name[open..];
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { return plain() };
        segments.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    if rest.is_empty() {
        segments
    } else {
        plain()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn only_templates_of_whole_segment_expressions_skip_the_path_match() {
        for template in ["/users/{id}/posts", "/a/b", "/{x}", "users/{id}", "/"] {
            assert!(crate::params::whole_segment_template(template), "{template}");
        }
        for template in ["/v{page}.{kind}", "/files/{name}.json", "/{a}{b}", "/x/{}", "/{a}}", "/{{a}"] {
            assert!(!crate::params::whole_segment_template(template), "{template}");
        }
    }

    #[test]
    fn media_types_match_by_essence_and_range() {
        assert!(media_matches("application/json", "application/json; charset=utf-8"));
        assert!(media_matches("application/json; charset=utf-8", "Application/JSON"));
        assert!(media_matches("application/json", "application/merge-patch+json"));
        assert!(media_matches("image/*", "image/png"));
        assert!(media_matches("*/*", "text/plain"));
        assert!(!media_matches("application/json", "text/plain"));
        assert!(!media_matches("multipart/form-data", "application/x-www-form-urlencoded"));
        assert!(!media_matches("image/*", "text/png"));
    }

    #[test]
    fn form_bodies_decode_strictly() {
        let fields = form_fields(b"a=1+2&b=%C3%A9&&c&a=x%3Dy").expect("valid form");
        let expected = [("a", "1 2"), ("b", "é"), ("c", ""), ("a", "x=y")];
        assert_eq!(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>(), expected);
        assert!(form_fields(b"a=%FF").is_err());
    }

    #[test]
    fn form_objects_nest_and_repeat() {
        let fields = [("a", "1"), ("a", "2"), ("b[c][d]", "x"), ("e[", "y"), ("[f]", "z")];
        let value = form_object(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).expect("valid");
        assert_eq!(value, serde_json::json!({ "a": ["1", "2"], "b": { "c": { "d": "x" } }, "e[": "y", "[f]": "z" }));
        assert!(form_object(vec![("a".into(), "1".into()), ("a[b]".into(), "2".into())]).is_err());
        let deep = format!("a{}", "[x]".repeat(MAX_FORM_DEPTH));
        assert!(form_object(vec![(deep, "1".into())]).is_err());
    }

    #[test]
    fn query_values_decode_only_the_match() {
        assert_eq!(query_value(Some("a=1&b=x+y%21&b=2"), "b").as_deref(), Some("x y!"));
        assert!(matches!(query_value(Some("a=plain"), "a"), Some(Cow::Borrowed("plain"))));
        assert_eq!(query_value(Some("a=1"), "c"), None);
        assert_eq!(query_value(None, "a"), None);
    }

    #[test]
    fn error_templates_fill_their_placeholders() {
        let violations = vec![Violation::new("name", "minLength", "too short"), Violation::new("", "json", "bad")];
        let template =
            serde_json::json!({ "message": "{{message}}", "at": ["{{path}}"], "errors": { "{{field}}": ["{{messages}}"] }, "code": 7 });
        let filled = fill(template, &Placeholders { violations: &violations, path: "/x", status: 400 });
        assert_eq!(
            filled,
            serde_json::json!({
                "message": "name: too short (minLength); bad (json)",
                "at": ["/x"],
                "errors": { "name": ["too short (minLength)"], "non_field_errors": ["bad (json)"] },
                "code": 7
            })
        );
    }

    /// An API table, and an operation table for `create` only.
    static SPEC: ApiSpec = ApiSpec::new(
        r#"{"validation": {"status": 422, "body": {"api": "{{message}}"}},
            "payloadTooLarge": {"status": 400, "body": {"api": "{{message}}"}}}"#,
        "{}",
        "{}",
    )
    .with_operation_errors(
        r#"{"templates": [
              {"body": {"code": "{{status}}", "reason": "{{reason}}", "message": "Invalid: {{message}} at {{path}} ({{status}})"}},
              {"status": 409, "body": {"conflict": true}},
              {"body": {"fallback": "{{status}}"}}],
            "operations": {"create": {"400": 0, "invalidParameters": 1, "default": 2, "notFound": 99}}}"#,
    );

    fn answer(operation: Option<&'static str>, rejection: Rejection, message: &str) -> (u16, Value) {
        let mut answer = SPEC.reject(rejection, "rule", message, "/books");
        if let Some(op) = operation {
            answer = answer.for_operation(op);
        }
        (answer.status(), answer.body())
    }

    #[test]
    fn operation_templates_override_the_api_table_by_kind_status_then_default() {
        // By the API status of the kind (payloadTooLarge answers 400 in this API).
        let (status, body) = answer(Some("create"), Rejection::PayloadTooLarge, "too big");
        assert_eq!(status, 400);
        assert_eq!(body, serde_json::json!({"code": 400, "reason": "Bad Request", "message": "Invalid: too big (rule) at /books (400)"}));
        // By kind, before the status; the template's own status wins.
        assert_eq!(answer(Some("create"), Rejection::InvalidParameters, "x"), (409, serde_json::json!({"conflict": true})));
        // `default` for the rest, with the API's status; an index out of range is ignored.
        assert_eq!(answer(Some("create"), Rejection::Validation, "x"), (422, serde_json::json!({"fallback": 422})));
        assert_eq!(answer(Some("create"), Rejection::NotFound, "x"), (404, serde_json::json!({"fallback": 404})));
        assert_eq!(SPEC.status_for("create", Rejection::Unauthorized), 401);
        // Other operations, and answers without one, keep the API's table.
        assert_eq!(answer(Some("other"), Rejection::Validation, "x"), (422, serde_json::json!({"api": "x (rule)"})));
        assert_eq!(answer(None, Rejection::Unauthorized, "x"), (401, serde_json::json!({"message": "x (rule)"})));
    }

    #[test]
    fn placeholders_are_replaced_in_one_pass() {
        let violations = vec![Violation::new("", "r", "uses {{path}} and {{status}}")];
        let template = serde_json::json!({"m": "{{message}}!", "s": "{{status}}", "t": "code {{status}} {{reason}} {{unknown}}"});
        let filled = fill(template, &Placeholders { violations: &violations, path: "/p", status: 418 });
        assert_eq!(
            filled,
            serde_json::json!({"m": "uses {{path}} and {{status}} (r)!", "s": 418, "t": "code 418 I'm a teapot {{unknown}}"})
        );
    }

    #[test]
    fn typed_headers_are_set_on_responses() {
        struct Created {
            location: String,
            retry: Option<RetryAfter>,
        }
        impl ToHeaders for Created {
            fn to_headers(&self, headers: &mut HeaderMap) -> Result<(), HeaderError> {
                crate::header::set(headers, "location", &self.location)?;
                crate::header::set(headers, "retry-after", &self.retry)
            }
        }
        let ok = with_headers(json_response(201, &serde_json::json!({})), &Created { location: "/b/1".into(), retry: None });
        assert_eq!((ok.status().as_u16(), ok.headers().get("location").map(|v| v.as_bytes())), (201, Some(&b"/b/1"[..])));
        assert!(!ok.headers().contains_key("retry-after"));
        let later = Created { location: "/b/2".into(), retry: Some(RetryAfter::Delay(Duration::from_secs(30))) };
        let ok = with_headers(empty_response(503), &later);
        assert_eq!(ok.headers().get("retry-after").map(|v| v.as_bytes()), Some(&b"30"[..]));
        let broken = with_headers(empty_response(201), &Created { location: "/b\r\nset-cookie: x".into(), retry: None });
        assert_eq!(broken.status().as_u16(), 500, "no header injection");
    }

    /// A service with one scheme (header `api-key`, accepting `good`) and [`SPEC`].
    struct Test {
        config: ServerConfig,
    }

    #[derive(Debug, Clone, Copy)]
    struct Key;

    impl SecurityScheme for Key {
        fn key(self) -> &'static str {
            "key"
        }
        fn placement(self) -> Placement {
            Placement::Header("api-key")
        }
    }

    /// The one operation of [`Test`]: `POST /create`, a required JSON body, the `api-key`.
    static OPERATIONS: [Operation<Key>; 1] = [Operation {
        method: Method::POST,
        path: "/create",
        key: "create",
        security: &[&[Key]],
        body: BodySpec::Json { media: "application/json", required: true, schema: None },
    }];

    impl Service for Test {
        type Scheme = Key;
        type Credentials = ();
        fn authenticate(&self, _: Key, credential: &Secret) -> impl Future<Output = bool> + Send {
            std::future::ready(credential.matches("good"))
        }
        fn accept(_: &mut (), _: Key, _: Secret) {}
        fn spec(&self) -> &'static ApiSpec {
            &SPEC
        }
        fn config(&self) -> &ServerConfig {
            &self.config
        }
        fn operations(&self) -> &'static [Operation<Key>] {
            &OPERATIONS
        }
        fn call(&self, index: usize, rq: &mut Incoming<()>) -> Result<Pending<'_>, Response> {
            assert_eq!((index, rq.operation()), (0, Some("create")));
            const N: crate::params::Param<'static> =
                crate::params::Param::new(crate::params::Location::Query, "n", &crate::params::Shape::INTEGER);
            let _n: Option<i64> = rq.parameter(&N, "/create", false);
            rq.check()?;
            let body: Option<Value> = rq.body()?;
            if body.as_ref().and_then(|b| b.get("early")).is_some() {
                panic!("reading the input failed");
            }
            Ok(pending(async move {
                if body.as_ref().and_then(|b| b.get("panic")).is_some() {
                    panic!("the implementation failed");
                }
                json_response(200, &body)
            }))
        }
    }

    async fn send(uri: &str, key: Option<&str>, content_type: &str, body: &str) -> (u16, Value) {
        use tower::ServiceExt;
        let service = Arc::new(Test { config: ServerConfig::default().max_uri_length(64) });
        let app = router(service);
        let mut request = Request::post(uri).header("content-type", content_type);
        if let Some(key) = key {
            request = request.header("api-key", key);
        }
        let response = app.oneshot(request.body(Body::from(body.to_string())).expect("request")).await.expect("infallible");
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body");
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    #[test]
    fn templates_become_routes_with_positional_captures() {
        assert_eq!(axum_route("/s1/next.kind/v{page}.{x_kind}"), "/s1/next.kind/{p2}");
        assert_eq!(axum_route("/files/{name}.json"), "/files/{p1}");
        assert_eq!(axum_route("/v{version}/x/{id}"), "/{p0}/x/{p2}");
        assert_eq!(axum_route("/a/b}/:c/*d"), "/a/b}}/:c/*d");
        assert_eq!(axum_route("a/{x"), "/a/{p1}");
        assert_eq!(axum_route("/"), "/");
        assert_eq!(literal_len("v{page}.{x_kind}"), 2);
        assert_eq!(literal_len("{a}.json"), 5);
        assert_eq!(literal_len("x{"), 2);
    }

    /// Templates axum cannot route as written: expressions beside literal text, two in one
    /// segment, other names at the same position, and templates equal once normalized.
    static ROUTED: [Operation<Key>; 11] = {
        const fn get(path: &'static str, key: &'static str) -> Operation<Key> {
            Operation { method: Method::GET, path, key, security: &[], body: BodySpec::None }
        }
        [
            get("/a/{x}.json", "json"),
            get("/a/{y}.xml", "xml"),
            get("/a/{id}", "plain"),
            get("/a/{name}/b", "nested"),
            get("/a/me", "static"),
            get("/v{page}.{kind}/x", "two"),
            Operation { method: Method::DELETE, path: "/a/{x}.json", key: "delete", security: &[], body: BodySpec::None },
            get("/:c/*d", "colon"),
            Operation { method: Method::POST, path: "/p/{x}.bin", key: "post", security: &[], body: BodySpec::None },
            get("/b/{id}", "b-plain"),
            get("/b/{x}.json", "b-json"),
        ]
    };

    /// Answers the operation's key and the raw captures of its expressions.
    struct Routed;

    impl Service for Routed {
        type Scheme = Key;
        type Credentials = ();
        fn authenticate(&self, _: Key, _: &Secret) -> impl Future<Output = bool> + Send {
            std::future::ready(true)
        }
        fn accept(_: &mut (), _: Key, _: Secret) {}
        fn spec(&self) -> &'static ApiSpec {
            &SPEC
        }
        fn config(&self) -> &ServerConfig {
            static CONFIG: OnceLock<ServerConfig> = OnceLock::new();
            CONFIG.get_or_init(ServerConfig::default)
        }
        fn operations(&self) -> &'static [Operation<Key>] {
            &ROUTED
        }
        fn call(&self, index: usize, rq: &mut Incoming<()>) -> Result<Pending<'_>, Response> {
            let template = ROUTED[index].path;
            let captures: Map<String, Value> = ["x", "y", "id", "name", "page", "kind"]
                .iter()
                .filter_map(|n| Some((n.to_string(), Value::from(crate::params::path_capture(template, rq.path(), n)?))))
                .collect();
            let answer = serde_json::json!({ "op": ROUTED[index].key, "captures": captures });
            Ok(pending(async move { json_response(200, &answer) }))
        }
    }

    async fn route(method: Method, uri: &str) -> (u16, Option<String>, Value) {
        use tower::ServiceExt;
        let request = Request::builder().method(method).uri(uri).body(Body::empty()).expect("request");
        let response = router(Arc::new(Routed)).oneshot(request).await.expect("infallible");
        let status = response.status().as_u16();
        let allow = response.headers().get(header::ALLOW).and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body");
        (status, allow, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn templates_axum_cannot_express_are_routed_by_their_template() {
        let ok = |op: &str, captures: Value| (200, None, serde_json::json!({ "op": op, "captures": captures }));
        assert_eq!(route(Method::GET, "/a/1.json").await, ok("json", serde_json::json!({"x": "1"})));
        assert_eq!(route(Method::GET, "/a/1.xml").await, ok("xml", serde_json::json!({"y": "1"})));
        assert_eq!(route(Method::GET, "/a/1.txt").await, ok("plain", serde_json::json!({"id": "1.txt"})));
        assert_eq!(route(Method::GET, "/a/me").await, ok("static", serde_json::json!({})));
        assert_eq!(route(Method::GET, "/a/q%2Fr/b").await, ok("nested", serde_json::json!({"name": "q%2Fr"})));
        assert_eq!(route(Method::GET, "/v7.a.b/x").await, ok("two", serde_json::json!({"page": "7", "kind": "a.b"})));
        assert_eq!(route(Method::DELETE, "/a/1.json").await, ok("delete", serde_json::json!({"x": "1"})));
        assert_eq!(route(Method::GET, "/:c/*d").await, ok("colon", serde_json::json!({})));
        // The most specific template first, whatever the declaration order.
        assert_eq!(route(Method::GET, "/b/1.json").await, ok("b-json", serde_json::json!({"x": "1"})));
        assert_eq!(route(Method::GET, "/b/1.xml").await, ok("b-plain", serde_json::json!({"id": "1.xml"})));
        // Literal text that does not fit: not found.
        let (status, _, body) = route(Method::GET, "/w7.a/x").await;
        assert_eq!((status, body.get("message").is_some()), (404, true), "{body}");
        // Served with another method on this path only: 405 with the methods of the path.
        let (status, allow, body) = route(Method::PUT, "/a/1.json").await;
        assert_eq!((status, allow.as_deref()), (405, Some("GET,HEAD,DELETE")), "{body}");
        let (status, allow, _) = route(Method::DELETE, "/a/1.xml").await;
        assert_eq!((status, allow.as_deref()), (405, Some("GET,HEAD")));
        let (status, allow, _) = route(Method::POST, "/p/1.txt").await;
        assert_eq!((status, allow), (404, None), "no template of the route fits");
        assert_eq!(route(Method::HEAD, "/a/1.xml").await, (200, None, Value::Null), "HEAD is served by GET, without a body");
        assert_eq!(route(Method::HEAD, "/p/1.bin").await.1.as_deref(), Some("POST"));
    }

    #[tokio::test]
    async fn rejections_of_an_operation_use_its_templates() {
        let (status, body) = send("/create", None, "application/json", "{}").await;
        assert_eq!((status, &body["fallback"]), (401, &serde_json::json!(401)), "{body}");
        let (status, body) = send("/create", Some("good"), "text/plain", "x").await;
        assert_eq!((status, &body["fallback"]), (415, &serde_json::json!(415)), "{body}");
        let (status, body) = send("/create", Some("good"), "application/json", "{").await;
        assert_eq!((status, &body["code"]), (400, &serde_json::json!(400)), "malformed JSON answers 400: {body}");
        let (status, body) = send("/create", Some("good"), "application/json", r#"{"panic": 1}"#).await;
        assert_eq!((status, &body["fallback"]), (500, &serde_json::json!(500)), "{body}");
        // The body was read before the parameters, but a bad parameter is answered first, as
        // when the body was read after them.
        let (status, body) = send("/create?n=x", Some("good"), "application/json", "{").await;
        assert_eq!((status, &body["conflict"]), (409, &serde_json::json!(true)), "invalid parameters answer first: {body}");
        let (status, body) = send("/create?n=x", Some("good"), "text/plain", "x").await;
        assert_eq!(status, 409, "before the 415 of the body: {body}");
        // A panic while the input is read is answered the same way.
        let (status, body) = send("/create", Some("good"), "application/json", r#"{"early": 1}"#).await;
        assert_eq!((status, &body["fallback"]), (500, &serde_json::json!(500)), "{body}");
        let (status, body) = send(&format!("/create?{}", "x".repeat(80)), Some("good"), "application/json", "{}").await;
        assert_eq!((status, &body["fallback"]), (414, &serde_json::json!(414)), "{body}");
        assert_eq!(send("/create", Some("good"), "application/json", r#"{"a": 1}"#).await, (200, serde_json::json!({"a": 1})));
        // Paths no operation serves answer in the API's shape.
        let (status, body) = send("/nothing", None, "application/json", "{}").await;
        assert_eq!((status, body.get("message").is_some()), (404, true), "{body}");
    }
}
