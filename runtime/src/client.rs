//! The transport of generated clients: configuration, authentication, redirects, retries,
//! responses, errors and pagination.
//!
//! A generated crate defines `Client` as a newtype around [`Transport`] (so that it can carry
//! one inherent method per operation), `Credentials` (implementing [`Credentials`]) and the
//! `Server` enum; everything else is here:
//!
//! - credentials: of an operation's security alternatives, the transport sends the one whose
//!   credentials travel most safely ([`preferred_alternative`]: headers before cookies before
//!   query strings, deprecated schemes last), so a key reaches a URL only when nothing else
//!   is possible;
//! - redirects are followed by the transport itself ([`RedirectPolicy`]), not by reqwest
//!   (whose policy cannot edit headers): a hop to another origin drops every credential the
//!   client added (API-key headers, `Authorization`, cookies, query keys) or is refused;
//! - retries use [backon]: exponential backoff with jitter, overridden by a
//!   `Retry-After` header;
//! - errors ([`Error`]) share one set of accessors across operations (`status`, `model`,
//!   `message`, `request_id`, `retry_after`) and never hold the request URL with a key in it;
//!   credentials are [`Secret`]s, so neither leaks into logs;
//! - [`paginate`] turns a list operation into a stream of items, for page-number, offset,
//!   cursor and link pagination.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Url;

pub use crate::header::{FromHeaders, HeaderError, RateLimit, RetryAfter, WithHeaders};
/// The parameter descriptors a generated method passes to [`Request`] (see [`crate::params`]).
pub use crate::params::{Kinds, Location, Param, Shape, Style};
use crate::validation::Validate;
use crate::BinaryParts;
use crate::{Placement, Secret, SecurityScheme};
/// The HTTP method a generated method passes to [`Transport::prepare`].
pub use reqwest::Method;

/// When and how requests are retried.
///
/// Only idempotent methods (GET, PUT, DELETE, HEAD, OPTIONS) are retried, on connection errors
/// and on 429, 502, 503 and 504 responses, and only when the request body can be sent again. The
/// delay starts at `initial_backoff` and doubles up to `max_backoff`, plus a random jitter of up
/// to the same amount again; a `Retry-After` header (seconds or an HTTP date) replaces it, and
/// one longer than `max_retry_after` ends the retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 turns retries off.
    pub max_retries: u32,
    /// The delay before the first retry (before jitter).
    pub initial_backoff: Duration,
    /// The largest delay between two attempts (before jitter).
    pub max_backoff: Duration,
    /// The longest `Retry-After` that is honoured; a longer one ends the retries.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }

    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .with_max_times(self.max_retries as usize)
            .with_jitter()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// What a redirect to another origin (another scheme, host or port) gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrossOrigin {
    /// It is followed without any credential the client added: headers of API-key schemes,
    /// `Authorization`, `Proxy-Authorization`, `Cookie`, and the query parameters of API-key
    /// schemes (removed from the new URL even when the server wrote them into it). Once a
    /// chain of redirects has left the origin, no credential is sent again, even back there.
    StripCredentials,
    /// It is not followed: the redirect response is the answer.
    Refuse,
}

/// How the transport follows redirects (301, 302, 303, 307, 308).
///
/// Methods and bodies follow RFC 9110, 15.4: 303 becomes a `GET` (a `HEAD` stays one) without
/// a body; 301 and 302 turn a `POST` into a `GET` without a body and keep other methods; 307
/// and 308 keep the method and the body (a body that cannot be sent twice is not followed: the
/// redirect is the answer). A redirect without a usable `Location`, or to a scheme other than
/// http(s), is the answer too.
///
/// The transport follows redirects only with the reqwest client it builds itself (which
/// follows none on its own); a client given to [`ClientBuilder::http_client`] should be built
/// with `redirect(reqwest::redirect::Policy::none())`, or its own policy applies first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedirectPolicy {
    /// The most redirects one request follows; 0 follows none (the 3xx response is the
    /// answer). More is an [`Error::Transport`].
    pub max_redirects: u32,
    /// What a redirect to another origin gets.
    pub cross_origin: CrossOrigin,
}

impl RedirectPolicy {
    /// Follows no redirect: a 3xx response is the answer.
    pub fn none() -> Self {
        Self { max_redirects: 0, cross_origin: CrossOrigin::Refuse }
    }

    /// Follows redirects within the origin of the request only (up to 10).
    pub fn same_origin() -> Self {
        Self { max_redirects: 10, cross_origin: CrossOrigin::Refuse }
    }

    /// Follows redirects (up to 10), dropping every credential on a hop to another origin.
    /// The default.
    pub fn strip_credentials() -> Self {
        Self { max_redirects: 10, cross_origin: CrossOrigin::StripCredentials }
    }

    /// Sets [`RedirectPolicy::max_redirects`].
    pub fn max_redirects(mut self, hops: u32) -> Self {
        self.max_redirects = hops;
        self
    }
}

impl Default for RedirectPolicy {
    fn default() -> Self {
        Self::strip_credentials()
    }
}

/// A response as it came over the wire: status, headers and the raw body, kept so that no
/// information is lost when the body does not match the spec.
#[derive(Clone)]
pub struct RawResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, as received.
    pub body: bytes::Bytes,
    /// The URL that answered, without credentials (see [`RawResponse::url`]).
    url: Option<Url>,
    /// The message of the documented error body (see [`Error::documented`]).
    documented_message: Option<String>,
}

impl fmt::Debug for RawResponse {
    /// Status, headers and body; not the URL, whose query may hold personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse").field("status", &self.status).field("headers", &self.headers).field("body", &self.body).finish()
    }
}

impl RawResponse {
    /// A response with this status, headers and body (for tests and hand-written transports;
    /// it has no [`RawResponse::url`]).
    pub fn new(status: u16, headers: HeaderMap, body: impl Into<bytes::Bytes>) -> Self {
        Self { status, headers, body: body.into(), url: None, documented_message: None }
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The request id the server gave this response: the top-level `requestID` (or
    /// `requestId`, `request_id`) of a JSON body, else the `x-request-id` header.
    pub fn request_id(&self) -> Option<String> {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(&self.body) {
            for key in ["requestID", "requestId", "request_id"] {
                if let Some(serde_json::Value::String(id)) = map.get(key) {
                    return Some(id.clone());
                }
            }
        }
        self.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    /// The URL that answered, after redirects, with the query parameters of API-key schemes
    /// and any user name and password removed; `None` for a response the transport did not
    /// receive ([`RawResponse::new`]). Relative links of the response resolve against it.
    pub fn url(&self) -> Option<&Url> {
        self.url.as_ref()
    }

    /// The HTTP status as a line: `404 Not Found`.
    pub fn status_line(&self) -> String {
        match reqwest::StatusCode::from_u16(self.status).ok().and_then(|s| s.canonical_reason()) {
            Some(reason) => format!("{} {reason}", self.status),
            None => self.status.to_string(),
        }
    }

    /// Header `name` parsed into `T` (see [`crate::header::get`]).
    ///
    /// # Errors
    ///
    /// When the value is not a `T`.
    pub fn header<T>(&self, name: &str) -> Result<Option<T>, HeaderError>
    where
        T: std::str::FromStr,
        T::Err: fmt::Display,
    {
        crate::header::get(&self.headers, name)
    }

    /// The `Retry-After` of the response as a delay from now (seconds, or an HTTP date).
    pub fn retry_after(&self) -> Option<Duration> {
        RetryAfter::from_headers(&self.headers).map(|r| r.delay())
    }

    /// The rate-limit state the response announces (see [`RateLimit`]).
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(&self.headers)
    }

    /// A short, single-line message for people: the documented message of the error body
    /// (when the generated error type names it, see [`ApiError::message`]), else the first of
    /// `message`, `detail`, `error_description`, `title`, `error`, `msg` found in a JSON body
    /// (nearest the top, descending into objects and the first element of arrays), else the
    /// first line of a text body that is not HTML. At most 200 characters.
    pub fn message(&self) -> Option<String> {
        if let Some(m) = &self.documented_message {
            return Some(one_line(m));
        }
        body_message(&self.body).map(|m| one_line(&m)).filter(|m| !m.is_empty())
    }
}

/// `text` on one line (control characters as spaces), cut to 200 characters.
fn one_line(text: &str) -> String {
    const MAX: usize = 200;
    let line: String = text.trim().chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// The message a body carries (see [`RawResponse::message`]).
fn body_message(body: &[u8]) -> Option<String> {
    const KEYS: [&str; 6] = ["message", "detail", "error_description", "title", "error", "msg"];
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let mut level = vec![&value];
        for _ in 0..4 {
            let mut objects = Vec::new();
            for v in &level {
                match v {
                    serde_json::Value::Object(map) => objects.push(map),
                    serde_json::Value::Array(items) => {
                        if let Some(serde_json::Value::Object(map)) = items.first() {
                            objects.push(map);
                        }
                    }
                    _ => {}
                }
            }
            for key in KEYS {
                if let Some(serde_json::Value::String(s)) = objects.iter().find_map(|m| m.get(key)) {
                    if !s.trim().is_empty() {
                        return Some(s.clone());
                    }
                }
            }
            level = objects.iter().flat_map(|m| m.values()).collect();
            if level.is_empty() {
                break;
            }
        }
        return None;
    }
    let text = std::str::from_utf8(body).ok()?.trim();
    (!text.is_empty() && !text.starts_with('<')).then(|| text.lines().next().unwrap_or_default().to_string())
}

/// A successful response: the typed body plus everything that came with it.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// The typed body ([`WithHeaders`] when the response documents headers).
    pub body: T,
    /// Status, headers and the raw body.
    pub raw: RawResponse,
}

impl<T> Response<T> {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.raw.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.raw.headers
    }

    /// Header `name` parsed into `T` (see [`crate::header::get`]).
    ///
    /// # Errors
    ///
    /// When the value is not a `V`.
    pub fn header<V>(&self, name: &str) -> Result<Option<V>, HeaderError>
    where
        V: std::str::FromStr,
        V::Err: fmt::Display,
    {
        self.raw.header(name)
    }

    /// The `Retry-After` of the response as a delay from now.
    pub fn retry_after(&self) -> Option<Duration> {
        self.raw.retry_after()
    }

    /// The rate-limit state the response announces (see [`RateLimit`]).
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.raw.rate_limit()
    }

    /// The request id of the response (see [`RawResponse::request_id`]).
    pub fn request_id(&self) -> Option<String> {
        self.raw.request_id()
    }

    /// The URL that answered (see [`RawResponse::url`]).
    pub fn url(&self) -> Option<&Url> {
        self.raw.url()
    }

    /// The typed body.
    pub fn into_inner(self) -> T {
        self.body
    }
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.body
    }
}

/// What went wrong below HTTP: connecting, sending or receiving. Never holds the URL, which
/// may carry an API key in its query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// Whether connecting failed (as opposed to sending or receiving).
    pub connect: bool,
    /// What happened, without the URL.
    pub message: String,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What the documented error responses of an operation share (the generated per-operation
/// error enums implement it), so that [`Error::model`] and [`Error::message`] work the same
/// for every operation.
pub trait ApiError {
    /// The error model every documented error status of the operation shares (the API's error
    /// envelope); `()` when they do not share one.
    type Model;
    /// The error body as the shared model (`None` when the statuses do not share one, or for
    /// a status whose body is not that model).
    fn model(&self) -> Option<&Self::Model>;
    /// The message the documentation names in the error body (its `message`, `detail`...),
    /// if the body has one.
    fn message(&self) -> Option<&str> {
        None
    }
}

/// The error of one operation. `E` is the operation's enum of documented error responses.
#[derive(Debug)]
pub enum Error<E> {
    /// A documented error response, with its typed body.
    Api {
        /// The typed error body.
        error: E,
        /// Status, headers and raw body.
        response: RawResponse,
    },
    /// A response whose status the spec does not document for this operation.
    UnexpectedStatus(RawResponse),
    /// A documented status whose body (or a documented header) does not match the spec.
    InvalidBody {
        /// Status, headers and raw body.
        response: RawResponse,
        /// Why decoding failed.
        message: String,
    },
    /// The request, or reading the response, took longer than the configured timeout.
    Timeout,
    /// Connecting, sending or receiving failed, or too many redirects.
    Transport(TransportError),
    /// The request could not be built: an input that breaks the spec's rules, or missing
    /// credentials.
    InvalidRequest(String),
}

impl<E> Error<E> {
    /// A documented error, remembering the message its body documents (shown by `Display`
    /// and [`Error::message`]).
    pub fn documented(error: E, mut response: RawResponse) -> Self
    where
        E: ApiError,
    {
        response.documented_message = error.message().map(str::to_string);
        Self::Api { error, response }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.raw_response().map(|r| r.status)
    }

    /// The response, when one arrived.
    pub fn raw_response(&self) -> Option<&RawResponse> {
        match self {
            Self::Api { response, .. } | Self::InvalidBody { response, .. } | Self::UnexpectedStatus(response) => Some(response),
            _ => None,
        }
    }

    /// The request id of the response, when one arrived and carries one.
    pub fn request_id(&self) -> Option<String> {
        self.raw_response().and_then(RawResponse::request_id)
    }

    /// How long the server asks to wait before trying again (its `Retry-After`: seconds or an
    /// HTTP date, as a delay from now), on any error with a response: a 429 or 503 the
    /// transport did not retry (a POST, or retries exhausted) included.
    pub fn retry_after(&self) -> Option<Duration> {
        self.raw_response().and_then(RawResponse::retry_after)
    }

    /// The rate-limit state the error response announces (see [`RateLimit`]).
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.raw_response().and_then(RawResponse::rate_limit)
    }

    /// A short message for people (see [`RawResponse::message`]): the error body's documented
    /// message, when a response arrived and has one.
    pub fn message(&self) -> Option<String> {
        self.raw_response().and_then(RawResponse::message)
    }

    /// The typed documented error, if this is one.
    pub fn api_error(&self) -> Option<&E> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The documented error body as the model the operation's error statuses share (the API's
    /// error envelope), if this is a documented error.
    pub fn model(&self) -> Option<&E::Model>
    where
        E: ApiError,
    {
        self.api_error().and_then(ApiError::model)
    }

    /// True for errors a later attempt may not have (timeouts, connection failures, 429 and
    /// 5XX responses).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout | Self::Transport(_) => true,
            _ => self.status().is_some_and(|s| s == 429 || s >= 500),
        }
    }
}

impl<E> fmt::Display for Error<E> {
    /// One line: the status with its reason, the body's message, the request id. Never the
    /// body's `Debug`, the URL or a credential.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let details = |f: &mut fmt::Formatter<'_>, response: &RawResponse, message: bool| -> fmt::Result {
            if let Some(m) = response.message().filter(|_| message) {
                write!(f, ": {m}")?;
            }
            if let Some(id) = response.request_id() {
                write!(f, " (request id {})", one_line(&id))?;
            }
            Ok(())
        };
        match self {
            Self::Api { response, .. } => {
                write!(f, "the API answered {}", response.status_line())?;
                details(f, response, true)
            }
            Self::UnexpectedStatus(r) => {
                write!(f, "the API answered {}, a status the spec does not document for this operation", r.status_line())?;
                details(f, r, true)
            }
            Self::InvalidBody { response, message } => {
                write!(f, "the API's {} response does not match the spec: {message}", response.status_line())?;
                details(f, response, false)
            }
            Self::Timeout => f.write_str("the request timed out"),
            Self::Transport(e) => write!(f, "transport error: {e}"),
            Self::InvalidRequest(m) => write!(f, "invalid request: {m}"),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {}

/// Converts a reqwest error into ours, dropping the URL (it may carry a query-string key).
pub fn transport<E>(e: reqwest::Error) -> Error<E> {
    if e.is_timeout() {
        return Error::Timeout;
    }
    let connect = e.is_connect();
    let e = e.without_url();
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Error::Transport(TransportError { connect, message })
}

/// Decodes a JSON body into `T`, keeping the raw response on failure.
///
/// # Errors
///
/// [`Error::InvalidBody`] when the body is not a `T`.
pub fn decode_json<T: serde::de::DeserializeOwned, E>(raw: &RawResponse) -> Result<T, Error<E>> {
    serde_json::from_slice(&raw.body).map_err(|e| Error::InvalidBody { response: raw.clone(), message: e.to_string() })
}

/// A success whose JSON body decodes into `T`.
///
/// # Errors
///
/// [`Error::InvalidBody`] when the body is not a `T`.
pub fn ok_json<T: serde::de::DeserializeOwned, E>(raw: RawResponse) -> Result<Response<T>, Error<E>> {
    let body = decode_json(&raw)?;
    Ok(Response { body, raw })
}

/// A success with the documented headers of its response typed beside the body:
/// `rt::ok_json::<Book, _>(raw).and_then(rt::with_headers::<_, CreateBookHeaders, _>)`.
///
/// # Errors
///
/// [`Error::InvalidBody`] naming the header that is missing or not of its type.
pub fn with_headers<T, H: FromHeaders, E>(response: Response<T>) -> Result<Response<WithHeaders<T, H>>, Error<E>> {
    match H::from_headers(&response.raw.headers) {
        Ok(headers) => Ok(Response { body: WithHeaders { body: response.body, headers }, raw: response.raw }),
        Err(e) => Err(Error::InvalidBody { response: response.raw, message: e.to_string() }),
    }
}

/// A documented error whose JSON body decodes into the variant `variant` of `E`.
///
/// # Errors
///
/// Always: [`Error::Api`] with the typed body, or [`Error::InvalidBody`].
pub fn api_json<T: serde::de::DeserializeOwned, E, R>(raw: RawResponse, variant: fn(T) -> E) -> Result<R, Error<E>> {
    let error = variant(decode_json(&raw)?);
    Err(Error::Api { error, response: raw })
}

/// A documented error whose JSON body decodes into the variant `variant` of `E`, remembering
/// the message it documents (see [`Error::documented`]).
///
/// # Errors
///
/// Always: [`Error::Api`] with the typed body, or [`Error::InvalidBody`].
pub fn api_error_json<T: serde::de::DeserializeOwned, E: ApiError, R>(raw: RawResponse, variant: fn(T) -> E) -> Result<R, Error<E>> {
    let error = variant(decode_json(&raw)?);
    Err(Error::documented(error, raw))
}

/// As [`api_error_json`], for a status that documents headers: the variant holds the body and
/// its typed headers.
///
/// # Errors
///
/// Always: [`Error::Api`], or [`Error::InvalidBody`] for a body or header that breaks the spec.
pub fn api_error_json_with_headers<T: serde::de::DeserializeOwned, H: FromHeaders, E: ApiError, R>(
    raw: RawResponse,
    variant: fn(WithHeaders<T, H>) -> E,
) -> Result<R, Error<E>> {
    let body = decode_json(&raw)?;
    let headers = match H::from_headers(&raw.headers) {
        Ok(headers) => headers,
        Err(e) => return Err(Error::InvalidBody { response: raw, message: e.to_string() }),
    };
    Err(Error::documented(variant(WithHeaders { body, headers }), raw))
}

/// Decodes a text body.
///
/// # Errors
///
/// [`Error::InvalidBody`] when the body is not UTF-8.
pub fn decode_text<E>(raw: &RawResponse) -> Result<String, Error<E>> {
    String::from_utf8(raw.body.to_vec()).map_err(|e| Error::InvalidBody { response: raw.clone(), message: e.to_string() })
}

/// Everything but the RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes a path parameter value (everything but RFC 3986 unreserved characters).
pub fn encode_path(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

/// The form fields of one value: scalars as text, `null` as nothing, arrays as the field
/// repeated, objects in the deep-object style (`name[key]`). The generated server decodes
/// exactly this encoding, for both form media types.
///
/// # Errors
///
/// A message naming the field when the value cannot be serialized.
pub fn form_pairs<T: serde::Serialize + ?Sized>(name: &str, value: &T) -> Result<Vec<(String, String)>, String> {
    fn walk(name: String, value: serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => out.push((name, s)),
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(name.clone(), item, out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    walk(format!("{name}[{k}]"), v, out);
                }
            }
            other => out.push((name, other.to_string())),
        }
    }
    let value = serde_json::to_value(value).map_err(|e| format!("form field `{name}`: {e}"))?;
    let mut out = Vec::new();
    walk(name.to_string(), value, &mut out);
    Ok(out)
}

/// The credentials of an API's security schemes (the generated `Credentials` implements it).
pub trait Credentials: fmt::Debug + Clone + Send + Sync + 'static {
    /// The API's security schemes.
    type Scheme: SecurityScheme;
    /// The credential for `scheme`, when one was given.
    fn secret(&self, scheme: Self::Scheme) -> Option<&Secret>;
}

/// How safely a placement carries a credential (lower is safer): a query-string key ends up in
/// URLs, logs and `Referer`s, so it comes last of the placements that send something.
fn placement_rank(placement: Placement) -> u8 {
    match placement {
        Placement::Header(_) | Placement::Bearer => 0,
        Placement::Basic => 1,
        Placement::Cookie(_) => 2,
        Placement::Query(_) => 3,
        // Sends nothing the runtime knows of.
        Placement::Other => 4,
    }
}

/// The security alternative of an operation a request uses: of those whose credentials are all
/// given, the one whose worst placement is safest (headers and bearer tokens, then Basic,
/// cookies, query-string keys), one with a deprecated scheme only when no other is given, and
/// one asking for nothing last; the spec's order breaks ties. `None` when no alternative is
/// satisfied (an empty list needs nothing: `Some(&[])`).
pub fn preferred_alternative<'a, C: Credentials>(credentials: &C, alternatives: &[&'a [C::Scheme]]) -> Option<&'a [C::Scheme]> {
    if alternatives.is_empty() {
        return Some(&[]);
    }
    let rank = |alternative: &[C::Scheme]| -> (bool, u8) {
        if alternative.is_empty() {
            return (false, u8::MAX);
        }
        let deprecated = alternative.iter().any(|s| s.deprecated());
        (deprecated, alternative.iter().map(|s| placement_rank(s.placement())).max().unwrap_or(0))
    };
    alternatives
        .iter()
        .copied()
        .filter(|alt| alt.iter().all(|s| credentials.secret(*s).is_some()))
        .enumerate()
        .min_by_key(|(i, alt)| (rank(alt), *i))
        .map(|(_, alt)| alt)
}

/// A header value marked sensitive (hidden from reqwest's and hyper's debug output).
fn sensitive(value: &str, scheme: &str) -> Result<HeaderValue, String> {
    let mut v = HeaderValue::from_str(value).map_err(|_| format!("the `{scheme}` credential contains characters a header cannot carry"))?;
    v.set_sensitive(true);
    Ok(v)
}

/// What the transport must keep from other origins for one request: the names under which any
/// of its security alternatives could put a credential, and the query keys it did put, to send
/// again on a same-origin redirect.
#[derive(Default)]
struct Guard<'a> {
    headers: Vec<&'static str>,
    query: Vec<&'static str>,
    query_credentials: Vec<(&'static str, &'a Secret)>,
}

impl Guard<'_> {
    fn of<S: SecurityScheme>(alternatives: &[&[S]]) -> Self {
        let mut guard = Self::default();
        for scheme in alternatives.iter().flat_map(|alt| alt.iter()) {
            match scheme.placement() {
                Placement::Header(name) => guard.headers.push(name),
                Placement::Query(name) => guard.query.push(name),
                _ => {}
            }
        }
        guard
    }
}

/// Applies the credentials of the [`preferred_alternative`] of an operation: headers on
/// `request`, query keys appended to the raw query string `query`, cookies appended to the
/// `Cookie` header text `cookie` (the request's cookie parameters, if any); returns the request
/// and whether a credential went into `cookie`.
fn authorize<'c, C: Credentials>(
    credentials: &'c C,
    alternatives: &[&[C::Scheme]],
    mut request: reqwest::RequestBuilder,
    query: &mut String,
    cookie: &mut String,
    guard: &mut Guard<'c>,
) -> Result<(reqwest::RequestBuilder, bool), String> {
    let Some(chosen) = preferred_alternative(credentials, alternatives) else {
        let needed: Vec<String> = alternatives.iter().map(|alt| alt.iter().map(|s| s.key()).collect::<Vec<_>>().join(" + ")).collect();
        return Err(format!("missing credentials: this operation needs {}", needed.join(" or ")));
    };
    let mut secret_cookie = false;
    for &scheme in chosen {
        let Some(secret) = credentials.secret(scheme) else { continue };
        let key = scheme.key();
        request = match scheme.placement() {
            Placement::Header(name) => request.header(name, sensitive(secret.expose(), key)?),
            Placement::Query(name) => {
                // The same writer as the query parameters: a `form` string, percent-encoded.
                let param = crate::params::Param::new(crate::params::Location::Query, name, &crate::params::Shape::STRING);
                crate::params::encode_into(&param, secret.expose(), query)
                    .map_err(|e| format!("the `{key}` credential: {}", e.message()))?;
                guard.query_credentials.push((name, secret));
                request
            }
            Placement::Cookie(name) => {
                if !cookie.is_empty() {
                    cookie.push_str("; ");
                }
                cookie.push_str(name);
                cookie.push('=');
                cookie.push_str(secret.expose());
                secret_cookie = true;
                request
            }
            Placement::Bearer => request.header(reqwest::header::AUTHORIZATION, sensitive(&format!("Bearer {}", secret.expose()), key)?),
            Placement::Basic => {
                let (user, password) = secret.expose().split_once(':').unwrap_or((secret.expose(), ""));
                request.basic_auth(user, Some(password))
            }
            Placement::Other => request,
        };
    }
    Ok((request, secret_cookie))
}

/// `url` without the query parameters named in `names` (and without user name and password);
/// the other parameters keep their exact encoding (a presigned URL's signature survives).
fn scrub(url: &mut Url, names: &[&str]) {
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    let Some(query) = url.query() else { return };
    if names.is_empty() {
        return;
    }
    let is_credential = |piece: &&str| {
        let key = piece.split('=').next().unwrap_or_default();
        form_urlencoded_key(key).is_some_and(|k| names.contains(&k.as_str()))
    };
    if !query.split('&').any(|piece| is_credential(&piece)) {
        return;
    }
    let kept: Vec<&str> = query.split('&').filter(|piece| !is_credential(piece)).collect();
    let kept = kept.join("&");
    url.set_query(if kept.is_empty() { None } else { Some(&kept) });
}

/// A query key decoded as `application/x-www-form-urlencoded` (`+` is a space).
fn form_urlencoded_key(raw: &str) -> Option<String> {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced).decode_utf8().ok().map(|k| k.into_owned())
}

/// Why building a client failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildErrorKind {
    /// The base URL is not an absolute http(s) URL that paths can be appended to.
    BaseUrl,
    /// The HTTP client could not be created (the TLS backend failed to initialize).
    HttpClient,
}

/// Why [`ClientBuilder::build`] failed. Its message keeps the cause and never shows a user
/// name or password written into the base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    kind: BuildErrorKind,
    message: String,
}

impl BuildError {
    /// What failed.
    pub fn kind(&self) -> BuildErrorKind {
        self.kind
    }

    fn base_url(url: &str, why: impl fmt::Display) -> Self {
        Self { kind: BuildErrorKind::BaseUrl, message: format!("invalid base URL `{}`: {why}", redact_userinfo(url)) }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BuildError {}

/// `text` with the user information of its authority (`user:password@`) replaced by `***`.
fn redact_userinfo(text: &str) -> String {
    let start = text.find("://").map_or(0, |i| i + 3);
    let authority_end = text[start..].find(['/', '?', '#']).map_or(text.len(), |i| start + i);
    match text[start..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &text[..start], &text[start + at..]),
        None => text.to_string(),
    }
}

/// Checks a base URL: absolute, http or https, with a host, without query or fragment.
fn parse_base_url(text: &str) -> Result<Url, BuildError> {
    let url = Url::parse(text).map_err(|e| BuildError::base_url(text, e))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(BuildError::base_url(text, format_args!("the scheme must be http or https, not `{}`", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(BuildError::base_url(text, "it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(BuildError::base_url(text, "it has a query or fragment, and operations append their paths to it"));
    }
    Ok(url)
}

/// What a generated `Client` is made from (see [`ClientBuilder::build`]).
pub trait FromTransport: Sized {
    /// The API's credentials.
    type Credentials: Credentials;
    /// The `User-Agent` sent when none is configured (`<crate>/<version> ...`).
    const USER_AGENT: &'static str;
    /// Wraps the transport.
    fn from_transport(transport: Transport<Self::Credentials>) -> Self;
}

/// Builds a generated client (`T`).
#[derive(Debug, Clone)]
pub struct ClientBuilder<T: FromTransport> {
    base_url: String,
    credentials: T::Credentials,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: String,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    redirect: RedirectPolicy,
}

impl<T: FromTransport> ClientBuilder<T> {
    /// A builder for a client of the API at `base_url` with `credentials` and the default
    /// settings (30 s timeout, 10 s connect timeout, [`RetryPolicy::default`],
    /// [`RedirectPolicy::default`]).
    pub fn new(base_url: impl Into<String>, credentials: T::Credentials) -> Self {
        Self {
            base_url: base_url.into(),
            credentials,
            timeout: None,
            connect_timeout: None,
            user_agent: T::USER_AGENT.to_string(),
            http: None,
            retry: RetryPolicy::default(),
            redirect: RedirectPolicy::default(),
        }
    }

    /// The total time one attempt may take (default: 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The time connecting may take (default: 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses this reqwest client (its own timeouts, proxies, TLS and user agent apply; the
    /// builder's timeouts and user agent are ignored). Build it with
    /// `redirect(reqwest::redirect::Policy::none())` so that redirects go through the
    /// transport's [`RedirectPolicy`].
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The retry policy ([`RetryPolicy::none`] turns retries off).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The redirect policy (default: follow up to 10, dropping credentials on a hop to
    /// another origin).
    pub fn redirects(mut self, redirect: RedirectPolicy) -> Self {
        self.redirect = redirect;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// When the base URL is not an absolute http(s) URL with a host and without query or
    /// fragment, or the HTTP client cannot be created (the TLS backend fails to initialize).
    pub fn build(self) -> Result<T, BuildError> {
        let base_url = self.base_url.trim_end_matches('/').to_string();
        let base = parse_base_url(&base_url)?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout.unwrap_or(Duration::from_secs(30)))
                .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                .user_agent(self.user_agent)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| BuildError { kind: BuildErrorKind::HttpClient, message: error_chain(&e.without_url()) })?,
        };
        let inner = Inner { http, base_url, base, credentials: self.credentials, retry: self.retry, redirect: self.redirect };
        Ok(T::from_transport(Transport { inner: Arc::new(inner) }))
    }

    /// Builds the client.
    ///
    /// # Panics
    ///
    /// When [`ClientBuilder::build`] fails: an invalid base URL, or a TLS backend that cannot
    /// be initialized.
    pub fn build_or_panic(self) -> T {
        match self.build() {
            Ok(client) => client,
            Err(e) => panic!("cannot build the client: {e}"),
        }
    }
}

/// An error and its sources, joined with `: `.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// The connection pool, base URL, credentials and retry and redirect policies of a client.
/// Cheap to clone: clones share the pool.
#[derive(Debug, Clone)]
pub struct Transport<C> {
    inner: Arc<Inner<C>>,
}

#[derive(Debug)]
struct Inner<C> {
    http: reqwest::Client,
    base_url: String,
    base: Url,
    credentials: C,
    retry: RetryPolicy,
    redirect: RedirectPolicy,
}

/// Why sending a request (and following its redirects) gave no response.
enum Failure {
    /// Connecting, sending or receiving failed.
    Failed(reqwest::Error),
    /// More redirects than the policy allows.
    Redirects(u32),
    /// The request cannot be sent again (a streamed body); `send` checks this before it retries.
    Unrepeatable,
}

impl Failure {
    fn into_error<E>(self) -> Error<E> {
        match self {
            Self::Failed(e) => transport(e),
            Self::Redirects(n) => Error::Transport(TransportError { connect: false, message: format!("more than {n} redirects") }),
            Self::Unrepeatable => Error::InvalidRequest("the request body cannot be sent twice".into()),
        }
    }
}

/// Why one attempt failed, for the retry loop.
enum Attempt {
    /// A response with a status worth retrying (429, 502, 503, 504), body unread.
    Status(reqwest::Response),
    /// No response.
    Failed(Failure),
}

/// An operation's call on its way: what the methods of a generated client return (await it).
///
/// A generated method builds its request at once (encoding its parameters and body, which
/// costs no I/O) and hands it to [`Transport::call`]; the I/O happens when this is polled. One
/// boxed future per call, instead of an `async fn` per operation, keeps a generated client
/// cheap to compile.
pub type Call<'a, T, E> = std::pin::Pin<Box<dyn Future<Output = Result<Response<T>, Error<E>>> + Send + 'a>>;

/// An operation's request as a generated method builds it: one step per parameter and one for
/// the body, then [`Request::call`].
///
/// A step that fails (a value its parameter's style cannot carry, a body that breaks the
/// spec's rules or does not serialize) is remembered, the steps after it do nothing, and the
/// call answers [`Error::InvalidRequest`] with its message without sending anything: what a
/// chain of `?` would do, with neither a closure nor an error conversion per step, so that a
/// generated method is one straight line whatever its number of parameters (cheap for rustc
/// to check).
///
/// Nothing is sent before the call is awaited. The request is put together in the order of the
/// steps: the path, then the headers, then the body.
#[derive(Debug)]
pub struct Request<'a, C> {
    transport: &'a Transport<C>,
    method: Method,
    /// The path after the base URL, percent-encoded.
    path: String,
    /// The query string, encoded (see [`Transport::execute`]).
    query: String,
    /// The `Cookie` text of the cookie parameters.
    cookie: String,
    /// Header parameters, in order, by name.
    headers: Vec<(String, String)>,
    body: Option<RequestBody>,
    /// The message of the first step that failed.
    error: Option<String>,
}

/// The body of a [`Request`].
#[derive(Debug)]
enum RequestBody {
    /// Bytes with their `Content-Type`.
    Bytes(&'static str, reqwest::Body),
    /// `multipart/form-data`.
    Multipart(reqwest::multipart::Form),
    /// `application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
}

impl<'a, C: Credentials> Request<'a, C> {
    /// Whether every step so far succeeded.
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }

    /// The message of the first step that failed.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The value of a step, or (remembering the step's error unless an earlier one is
    /// remembered) the default value.
    fn step<T: Default, E: fmt::Display>(&mut self, result: Result<T, E>) -> T {
        result.unwrap_or_else(|e| {
            self.error.get_or_insert_with(|| e.to_string());
            T::default()
        })
    }

    /// Appends `pieces` (literal parts of the path and encoded path parameters, see
    /// [`Request::path_param`]) to the path.
    pub fn path(&mut self, pieces: &[&str]) {
        pieces.iter().for_each(|piece| self.path.push_str(piece));
    }

    /// The path segment of path parameter `param` with `value` (see [`crate::params::encode`]),
    /// for [`Request::path`]; empty when it (or an earlier step) failed.
    pub fn path_param<T: serde::Serialize + ?Sized>(&mut self, param: &Param<'_>, value: &T) -> String {
        if !self.is_ok() {
            return String::new();
        }
        let encoded = crate::params::encode(param, value);
        self.step(encoded)
    }

    /// Writes parameter `param` with `value` where it travels (see [`crate::params::encode`]):
    /// into the query string, the `Cookie` header or its own header; a path parameter is
    /// appended to the path.
    pub fn param<T: serde::Serialize + ?Sized>(&mut self, param: &Param<'_>, value: &T) {
        if !self.is_ok() {
            return;
        }
        let written = match param.location {
            Location::Query => crate::params::encode_into(param, value, &mut self.query),
            Location::Cookie => crate::params::encode_into(param, value, &mut self.cookie),
            Location::Header => crate::params::encode(param, value).map(|text| self.headers.push((param.name.to_string(), text))),
            Location::Path => crate::params::encode(param, value).map(|text| self.path.push_str(&text)),
        };
        self.step(written)
    }

    /// [`Request::path_param`] for a parameter whose `content` is JSON: the JSON text of
    /// `value`, encoded.
    pub fn path_param_json<T: serde::Serialize + ?Sized>(&mut self, param: &Param<'_>, value: &T) -> String {
        let text = self.json_text(value);
        self.path_param(param, &text)
    }

    /// [`Request::param`] for a parameter whose `content` is JSON: the JSON text of `value`,
    /// encoded.
    pub fn param_json<T: serde::Serialize + ?Sized>(&mut self, param: &Param<'_>, value: &T) {
        let text = self.json_text(value);
        self.param(param, &text)
    }

    /// The JSON text of `value`; empty when it does not serialize (or an earlier step failed).
    fn json_text<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> String {
        if !self.is_ok() {
            return String::new();
        }
        let text = serde_json::to_string(value);
        self.step(text)
    }

    /// Checks `body` against the spec's rules (see [`Validate`]).
    pub fn validate<T: Validate + ?Sized>(&mut self, body: &T) {
        if self.is_ok() {
            let checked = body.validate();
            self.step(checked)
        }
    }

    /// Sends `body` as JSON, with `content_type`.
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, content_type: &'static str, body: &T) {
        if self.is_ok() {
            let bytes = serde_json::to_vec(body).map(|bytes| self.body = Some(RequestBody::Bytes(content_type, bytes.into())));
            self.step(bytes)
        }
    }

    /// Sends `body` as it is, with `content_type`.
    pub fn body(&mut self, content_type: &'static str, body: impl Into<reqwest::Body>) {
        self.body = Some(RequestBody::Bytes(content_type, body.into()));
    }

    /// Starts an empty `multipart/form-data` body (the parts are added by
    /// [`Request::multipart_field`] and [`Request::multipart_file`]).
    pub fn multipart_form(&mut self) {
        self.body = Some(RequestBody::Multipart(reqwest::multipart::Form::new()));
    }

    /// Adds form field `name` with `value` to the multipart body as text parts, one per pair of
    /// [`form_pairs`] (none for `None`); starts the body when there is none.
    pub fn multipart_field<T: serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let Some(pairs) = self.form_pairs(name, value) else { return };
        self.add_parts(|form| pairs.into_iter().fold(form, |form, (key, value)| form.text(key, value)));
    }

    /// Adds file field `name` to the multipart body, one part with the bytes of each of
    /// `value`'s parts (none for `None`); starts the body when there is none.
    pub fn multipart_file<T: BinaryParts + ?Sized>(&mut self, name: &str, value: &T) {
        if self.is_ok() {
            let name = name.to_string();
            let parts = value.binary_parts().into_iter().map(reqwest::multipart::Part::bytes);
            self.add_parts(|form| parts.fold(form, |form, part| form.part(name.clone(), part)));
        }
    }

    /// Adds parts to the multipart body, started when the request has none.
    fn add_parts(&mut self, add: impl FnOnce(reqwest::multipart::Form) -> reqwest::multipart::Form) {
        let form = match self.body.take() {
            Some(RequestBody::Multipart(form)) => form,
            _ => reqwest::multipart::Form::new(),
        };
        self.body = Some(RequestBody::Multipart(add(form)));
    }

    /// Starts an empty `application/x-www-form-urlencoded` body (the fields are added by
    /// [`Request::form_field`]).
    pub fn url_encoded_form(&mut self) {
        self.body = Some(RequestBody::Form(Vec::new()));
    }

    /// Adds form field `name` with `value` to the url-encoded body, the pairs of
    /// [`form_pairs`] (none for `None`); starts the body when there is none.
    pub fn form_field<T: serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let Some(pairs) = self.form_pairs(name, value) else { return };
        match &mut self.body {
            Some(RequestBody::Form(fields)) => fields.extend(pairs),
            body => *body = Some(RequestBody::Form(pairs)),
        }
    }

    /// The form pairs of `value` (see [`form_pairs`]), or `None` when they (or an earlier step)
    /// failed.
    fn form_pairs<T: serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Option<Vec<(String, String)>> {
        if !self.is_ok() {
            return None;
        }
        let pairs = form_pairs(name, value).map(Some);
        self.step(pairs)
    }

    /// The request, or the message of the first step that failed.
    fn finish(self) -> Result<Prepared, String> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let mut request = self.transport.request(self.method, &[&self.path]);
        for (name, value) in self.headers {
            request = request.header(name, value);
        }
        request = match self.body {
            None => request,
            Some(RequestBody::Bytes(content_type, body)) => request.header(reqwest::header::CONTENT_TYPE, content_type).body(body),
            Some(RequestBody::Multipart(form)) => request.multipart(form),
            Some(RequestBody::Form(fields)) => request.form(&fields),
        };
        Ok(Prepared { request, query: self.query, cookie: self.cookie })
    }

    /// The operation's call (see [`Transport::call`]): [`Error::InvalidRequest`] when a step
    /// failed, else the request sent with the credentials of the operation's security
    /// `alternatives` (retried when its method is idempotent, see [`RetryPolicy`]) and its
    /// response read by `decode`, the operation's status match.
    pub fn call<T: Send + 'a, E: Send + 'a>(
        self,
        alternatives: &'static [&'static [C::Scheme]],
        decode: fn(RawResponse) -> Result<Response<T>, Error<E>>,
    ) -> Call<'a, T, E> {
        let (transport, idempotent) = (self.transport, self.method.is_idempotent());
        transport.call(self.finish().map_err(Error::InvalidRequest), alternatives, idempotent, decode)
    }
}

/// A request built by a generated method: what [`Transport::execute`] sends (crates generated
/// before [`Request`] build it themselves).
#[derive(Debug)]
pub struct Prepared {
    /// The request: method, URL, headers and body.
    pub request: reqwest::RequestBuilder,
    /// The query string, encoded (see [`Transport::execute`]).
    pub query: String,
    /// The `Cookie` text of the cookie parameters.
    pub cookie: String,
}

impl<C: Credentials> Transport<C> {
    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// An operation's request, built step by step (see [`Request`]).
    pub fn prepare(&self, method: Method) -> Request<'_, C> {
        Request {
            transport: self,
            method,
            path: String::new(),
            query: String::new(),
            cookie: String::new(),
            headers: Vec::new(),
            body: None,
            error: None,
        }
    }

    /// A request to the base URL followed by the path pieces `path` (already percent-encoded).
    pub fn request(&self, method: Method, path: &[&str]) -> reqwest::RequestBuilder {
        let mut url = String::with_capacity(self.inner.base_url.len() + path.iter().map(|p| p.len()).sum::<usize>());
        url.push_str(&self.inner.base_url);
        path.iter().for_each(|p| url.push_str(p));
        self.inner.http.request(method, url)
    }

    /// Applies the credentials of the [`preferred_alternative`] of the operation's security
    /// `alternatives`, the query string and the cookies, then sends the request (see
    /// [`Transport::send`]), following redirects by the [`RedirectPolicy`].
    ///
    /// `query` is the raw query string (without `?`) and `cookie` the `Cookie` header text, both
    /// already encoded (by [`crate::params::encode_into`]) and sent as they are; either may be
    /// empty. Credentials that travel in the query or a cookie are appended to them.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] for missing credentials or a request that cannot be built,
    /// else as [`Transport::send`].
    pub async fn execute<E>(
        &self,
        request: reqwest::RequestBuilder,
        mut query: String,
        mut cookie: String,
        alternatives: &[&[C::Scheme]],
        idempotent: bool,
    ) -> Result<RawResponse, Error<E>> {
        let mut guard = Guard::of(alternatives);
        let (mut builder, secret_cookie) = authorize(&self.inner.credentials, alternatives, request, &mut query, &mut cookie, &mut guard)
            .map_err(Error::InvalidRequest)?;
        if !cookie.is_empty() {
            let mut value = HeaderValue::from_str(&cookie)
                .map_err(|_| Error::InvalidRequest("a cookie holds characters a header cannot carry".into()))?;
            value.set_sensitive(secret_cookie);
            builder = builder.header(reqwest::header::COOKIE, value);
        }
        let mut request = builder.build().map_err(|e| Error::InvalidRequest(e.without_url().to_string()))?;
        if !query.is_empty() {
            // Appended as written: the codec's encoding is the wire form (`reqwest`'s `query`
            // would encode the pairs again, and differently).
            let url = request.url_mut();
            let joined = match url.query() {
                Some(existing) if !existing.is_empty() => format!("{existing}&{query}"),
                _ => query,
            };
            url.set_query(Some(&joined));
        }
        self.dispatch(request, idempotent, &guard).await
    }

    /// An operation's call: sends the `prepared` request with [`Transport::execute`] (or
    /// answers the error it was built with) and reads the response with `decode`, the
    /// operation's status match.
    pub fn call<'a, T: Send + 'a, E: Send + 'a>(
        &'a self,
        prepared: Result<Prepared, Error<E>>,
        alternatives: &'static [&'static [C::Scheme]],
        idempotent: bool,
        decode: fn(RawResponse) -> Result<Response<T>, Error<E>>,
    ) -> Call<'a, T, E> {
        Box::pin(async move {
            let Prepared { request, query, cookie } = prepared?;
            decode(self.execute(request, query, cookie, alternatives, idempotent).await?)
        })
    }

    /// Sends `request`, retrying idempotent requests on transient failures (see
    /// [`RetryPolicy`]) and following redirects (see [`RedirectPolicy`]; on a hop to another
    /// origin only the standard credential headers are known to be credentials here: use
    /// [`Transport::execute`] for requests with API keys), and reads the whole response.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] or [`Error::Transport`] when no response arrived.
    pub async fn send<E>(&self, request: reqwest::Request, idempotent: bool) -> Result<RawResponse, Error<E>> {
        self.dispatch(request, idempotent, &Guard::default()).await
    }

    /// GETs `url`, a link the API gave (a `next` page): with the credentials of the operation's
    /// security `alternatives` when it has the origin of the base URL, and without any (and
    /// without the query keys of API-key schemes, should the link carry them) when it leads
    /// elsewhere, unless the [`RedirectPolicy`] refuses other origins.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] for a link to another origin the policy refuses, else as
    /// [`Transport::execute`].
    pub async fn follow<E>(&self, mut url: Url, alternatives: &[&[C::Scheme]]) -> Result<RawResponse, Error<E>> {
        let guard = Guard::of(alternatives);
        scrub(&mut url, &guard.query);
        if url.origin() == self.inner.base.origin() {
            return self.execute(self.inner.http.get(url), String::new(), String::new(), alternatives, true).await;
        }
        if self.inner.redirect.cross_origin == CrossOrigin::Refuse {
            return Err(Error::InvalidRequest(format!(
                "the API links to another origin ({}), which the redirect policy refuses",
                url.origin().ascii_serialization()
            )));
        }
        let request = self.inner.http.get(url).build().map_err(|e| Error::InvalidRequest(e.without_url().to_string()))?;
        self.dispatch(request, true, &guard).await
    }

    /// The retry loop around [`Transport::hop`], then the whole body.
    async fn dispatch<E>(&self, request: reqwest::Request, idempotent: bool, guard: &Guard<'_>) -> Result<RawResponse, Error<E>> {
        let policy = &self.inner.retry;
        let retryable = idempotent && policy.max_retries > 0 && request.try_clone().is_some();
        let response = if retryable {
            let attempt = || {
                let request = request.try_clone();
                async move {
                    let Some(request) = request else { return Err(Attempt::Failed(Failure::Unrepeatable)) };
                    match self.hop(request, guard).await {
                        Ok(r) if matches!(r.status().as_u16(), 429 | 502 | 503 | 504) => Err(Attempt::Status(r)),
                        Ok(r) => Ok(r),
                        Err(e) => Err(Attempt::Failed(e)),
                    }
                }
            };
            let outcome = attempt
                .retry(policy.backoff())
                .sleep(tokio::time::sleep)
                .when(|e| match e {
                    Attempt::Status(_) => true,
                    Attempt::Failed(Failure::Failed(e)) => e.is_connect(),
                    Attempt::Failed(_) => false,
                })
                .adjust(|e, backoff| {
                    let backoff = backoff?;
                    match e {
                        Attempt::Status(r) => match RetryAfter::from_headers(r.headers()).map(|r| r.delay()) {
                            Some(wait) if wait > policy.max_retry_after => None,
                            Some(wait) => Some(wait),
                            None => Some(backoff),
                        },
                        Attempt::Failed(_) => Some(backoff),
                    }
                })
                .await;
            match outcome {
                Ok(r) | Err(Attempt::Status(r)) => r,
                Err(Attempt::Failed(e)) => return Err(e.into_error()),
            }
        } else {
            self.hop(request, guard).await.map_err(Failure::into_error)?
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut url = response.url().clone();
        scrub(&mut url, &guard.query);
        let body = response.bytes().await.map_err(transport)?;
        Ok(RawResponse { status, headers, body, url: Some(url), documented_message: None })
    }

    /// Sends `request` and follows its redirects by the [`RedirectPolicy`].
    async fn hop(&self, request: reqwest::Request, guard: &Guard<'_>) -> Result<reqwest::Response, Failure> {
        let policy = self.inner.redirect;
        let origin = request.url().origin();
        let (mut current, mut hops, mut left_origin) = (request, 0u32, false);
        loop {
            let follows = policy.max_redirects > 0;
            let replay = if follows { current.try_clone() } else { None };
            let headers = if follows && replay.is_none() { Some(current.headers().clone()) } else { None };
            let (method, url, timeout) = (current.method().clone(), current.url().clone(), current.timeout().copied());
            let response = self.inner.http.execute(current).await.map_err(Failure::Failed)?;
            let status = response.status().as_u16();
            if !follows || !matches!(status, 301 | 302 | 303 | 307 | 308) {
                return Ok(response);
            }
            let location = response.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok());
            let Some(mut next) = location.and_then(|l| url.join(l).ok()).filter(|u| matches!(u.scheme(), "http" | "https")) else {
                return Ok(response);
            };
            if next.fragment().is_none() {
                next.set_fragment(url.fragment());
            }
            let cross = left_origin || next.origin() != origin;
            if cross && policy.cross_origin == CrossOrigin::Refuse {
                return Ok(response);
            }
            if hops == policy.max_redirects {
                return Err(Failure::Redirects(policy.max_redirects));
            }
            hops += 1;
            // RFC 9110, 15.4: 303 turns into a GET (HEAD stays), 301 and 302 turn a POST into a
            // GET; either way without the body. Otherwise the method and body stay.
            let to_get = status == 303 || (matches!(status, 301 | 302) && method == Method::POST);
            let mut request = match replay {
                Some(mut replay) if !to_get => {
                    *replay.url_mut() = next;
                    replay
                }
                // A body that cannot be sent again: the redirect is the answer.
                None if !to_get => return Ok(response),
                replay => {
                    let method = if method == Method::HEAD { Method::HEAD } else { Method::GET };
                    let mut request = reqwest::Request::new(method, next);
                    *request.timeout_mut() = timeout;
                    let mut headers = replay.map(|r| r.headers().clone()).or(headers).unwrap_or_default();
                    for name in [
                        reqwest::header::CONTENT_TYPE,
                        reqwest::header::CONTENT_LENGTH,
                        reqwest::header::CONTENT_ENCODING,
                        reqwest::header::CONTENT_LANGUAGE,
                        reqwest::header::CONTENT_LOCATION,
                        reqwest::header::TRANSFER_ENCODING,
                    ] {
                        headers.remove(name);
                    }
                    *request.headers_mut() = headers;
                    request
                }
            };
            request.headers_mut().remove(reqwest::header::HOST);
            if cross {
                left_origin = true;
                let headers = request.headers_mut();
                for name in [reqwest::header::AUTHORIZATION, reqwest::header::PROXY_AUTHORIZATION, reqwest::header::COOKIE] {
                    headers.remove(name);
                }
                for name in &guard.headers {
                    headers.remove(*name);
                }
                scrub(request.url_mut(), &guard.query);
            } else {
                // The same origin: query keys the new URL lacks are sent again.
                let url = request.url_mut();
                let missing: Vec<_> =
                    guard.query_credentials.iter().filter(|(name, _)| !url.query_pairs().any(|(k, _)| k == *name)).collect();
                if !missing.is_empty() {
                    let mut pairs = url.query_pairs_mut();
                    for (name, secret) in missing {
                        pairs.append_pair(name, secret.expose());
                    }
                }
            }
            drop(response);
            current = request;
        }
    }

    /// The credentials.
    pub fn credentials(&self) -> &C {
        &self.inner.credentials
    }
}

/// Where the next page of a list starts, as [`paginate`] asks the operation for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageAt {
    /// The first page: the operation's parameters as the caller gave them.
    First,
    /// Page number `n`: the page parameter set to it (see [`page_param`]).
    Number(i64),
    /// The items from offset `n` on: the offset parameter set to it.
    Offset(i64),
    /// The page a cursor from the previous page points at: the cursor parameter set to it.
    Cursor(String),
}

/// A page number or offset as the type of its parameter.
///
/// # Errors
///
/// [`Error::InvalidRequest`] when `n` does not fit (the stream ends with it).
pub fn page_param<T: TryFrom<i64>, E>(n: i64) -> Result<T, Error<E>> {
    T::try_from(n).map_err(|_| Error::InvalidRequest(format!("page position {n} does not fit the parameter's type")))
}

/// The value at `pointer` (a JSON pointer, wire names) of a page body read as JSON, for the
/// accessors of [`Paging`]: any Rust typing of the field (an `Option`, a default, a nullable
/// field) reads the same. `None` when absent or `null`.
fn page_value<P: serde::Serialize>(page: &P, pointer: &str) -> Option<serde_json::Value> {
    let mut value = serde_json::to_value(page).ok()?;
    value.pointer_mut(pointer).map(serde_json::Value::take).filter(|v| !v.is_null())
}

/// A cursor or link of a page body (see [`page_value`]): a string as it is, a number as its
/// text; `None` when absent, `null` or anything else.
pub fn page_text<P: serde::Serialize>(page: &P, pointer: &str) -> Option<String> {
    match page_value(page, pointer)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A count of a page body (see [`page_value`]): an integer, or a string holding one.
pub fn page_count<P: serde::Serialize>(page: &P, pointer: &str) -> Option<i64> {
    match page_value(page, pointer)? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A flag of a page body (see [`page_value`]): a boolean.
pub fn page_flag<P: serde::Serialize>(page: &P, pointer: &str) -> Option<bool> {
    page_value(page, pointer)?.as_bool()
}

enum PageStyle<P> {
    Number { first: i64 },
    Offset { first: i64 },
    Cursor(fn(&P) -> Option<String>),
    NextLink(fn(&P) -> Option<String>),
    LinkHeader,
}

/// How a list operation pages, for [`paginate`]: a style and what the page body says about
/// the rest. Generated code builds it from small accessors of the page model `P`.
///
/// Every style ends the stream after a page with no items, or whose `has_more` is `false`,
/// or when the items read reach `total_items`; besides:
///
/// - [`Paging::page_number`]: asks for the next number until `total_pages` pages were read;
/// - [`Paging::offset`]: asks for the offset after the items read so far;
/// - [`Paging::cursor`]: sends back the cursor the page gives, until there is none, it is
///   empty, or it repeats one already sent;
/// - [`Paging::next_link`] and [`Paging::link_header`]: GET the next link the page gives (in
///   its body, absolute or relative to the URL that answered; or in a `Link: <...>;
///   rel="next"` header, RFC 8288), until there is none, it is empty, or it repeats one already
///   followed. A link keeps the credentials only within the origin of the base URL (see
///   [`Transport::follow`]).
pub struct Paging<P> {
    style: PageStyle<P>,
    total_pages: Option<fn(&P) -> Option<i64>>,
    total_items: Option<fn(&P) -> Option<i64>>,
    has_more: Option<fn(&P) -> Option<bool>>,
}

impl<P> fmt::Debug for Paging<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let style = match &self.style {
            PageStyle::Number { first } => format!("page number from {first}"),
            PageStyle::Offset { first } => format!("offset from {first}"),
            PageStyle::Cursor(_) => "cursor".to_string(),
            PageStyle::NextLink(_) => "next link in the body".to_string(),
            PageStyle::LinkHeader => "Link header".to_string(),
        };
        f.debug_struct("Paging")
            .field("style", &style)
            .field("total_pages", &self.total_pages.is_some())
            .field("total_items", &self.total_items.is_some())
            .field("has_more", &self.has_more.is_some())
            .finish()
    }
}

impl<P> Paging<P> {
    fn with(style: PageStyle<P>) -> Self {
        Self { style, total_pages: None, total_items: None, has_more: None }
    }

    /// Numbered pages; the first request asks for page `first` (the caller's page parameter,
    /// or the documented first page), then `first + 1`, ...
    pub fn page_number(first: i64) -> Self {
        Self::with(PageStyle::Number { first })
    }

    /// Offset and limit; the first request starts at offset `first`, the next ones after the
    /// items read so far.
    pub fn offset(first: i64) -> Self {
        Self::with(PageStyle::Offset { first })
    }

    /// A cursor the page body gives (`next`) and the next request sends back as a parameter.
    pub fn cursor(next: fn(&P) -> Option<String>) -> Self {
        Self::with(PageStyle::Cursor(next))
    }

    /// A URL of the next page in the body (`next`), absolute or relative to the URL that
    /// answered.
    pub fn next_link(next: fn(&P) -> Option<String>) -> Self {
        Self::with(PageStyle::NextLink(next))
    }

    /// A `Link: <...>; rel="next"` header (RFC 8288).
    pub fn link_header() -> Self {
        Self::with(PageStyle::LinkHeader)
    }

    /// The number of pages, as the page body states it.
    pub fn total_pages(mut self, total_pages: fn(&P) -> Option<i64>) -> Self {
        self.total_pages = Some(total_pages);
        self
    }

    /// The number of items, as the page body states it.
    pub fn total_items(mut self, total_items: fn(&P) -> Option<i64>) -> Self {
        self.total_items = Some(total_items);
        self
    }

    /// Whether more pages follow, as the page body states it (`has_more`, `hasNext`, ...).
    pub fn has_more(mut self, has_more: fn(&P) -> Option<bool>) -> Self {
        self.has_more = Some(has_more);
        self
    }
}

/// The next request of a [`paginate`] stream.
enum Step<E> {
    At(PageAt),
    Link(Url),
    Fail(Error<E>),
}

/// Every item of every page of a list operation, fetched page by page as the stream is polled
/// (see [`Paging`] for the styles and when the stream ends). An error is yielded and ends the
/// stream.
///
/// Generated code supplies only what differs per operation:
///
/// - `fetch`: calls the operation with its parameters, changed as [`PageAt`] says (`First`: as
///   given; `Number`/`Offset`: the page or offset parameter, with [`page_param`]; `Cursor`: the
///   cursor parameter);
/// - `decode`: turns a response into the operation's result (its status match), for the pages
///   reached by following links (with the operation's security `alternatives`);
/// - `items`: takes the items out of a page.
pub fn paginate<'a, C, P, T, E, F, Fut>(
    transport: &'a Transport<C>,
    alternatives: &'a [&'a [C::Scheme]],
    paging: Paging<P>,
    fetch: F,
    decode: fn(RawResponse) -> Result<Response<P>, Error<E>>,
    items: fn(P) -> Vec<T>,
) -> impl futures_util::Stream<Item = Result<T, Error<E>>> + Send + 'a
where
    C: Credentials,
    F: FnMut(PageAt) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Response<P>, Error<E>>> + Send + 'a,
    P: Send + 'a,
    T: Send + 'a,
    E: Send + 'a,
{
    use futures_util::StreamExt;

    struct State<F, P, E> {
        fetch: F,
        paging: Paging<P>,
        next: Option<Step<E>>,
        seen: HashSet<String>,
        read: i64,
    }

    let state = State { fetch, paging, next: Some(Step::At(PageAt::First)), seen: HashSet::new(), read: 0 };
    futures_util::stream::unfold(state, move |mut st| async move {
        let step = st.next.take()?;
        let (page, at) = match step {
            Step::At(at) => ((st.fetch)(at.clone()).await, Some(at)),
            Step::Link(url) => (transport.follow(url, alternatives).await.and_then(decode), None),
            Step::Fail(e) => return Some((Err(e), st)),
        };
        let Response { body, raw } = match page {
            Ok(page) => page,
            Err(e) => return Some((Err(e), st)),
        };
        let paging = &st.paging;
        let has_more = paging.has_more.and_then(|f| f(&body));
        let total_items = paging.total_items.and_then(|f| f(&body));
        let total_pages = paging.total_pages.and_then(|f| f(&body));
        let pointer = match &paging.style {
            PageStyle::Cursor(f) | PageStyle::NextLink(f) => f(&body),
            PageStyle::LinkHeader => crate::header::next_link(&raw.headers),
            PageStyle::Number { .. } | PageStyle::Offset { .. } => None,
        }
        .filter(|p| !p.is_empty());
        let page_items = items(body);
        st.read = st.read.saturating_add(i64::try_from(page_items.len()).unwrap_or(i64::MAX));
        let more = !page_items.is_empty() && has_more != Some(false) && total_items.is_none_or(|total| st.read < total);
        st.next = if !more {
            None
        } else {
            match &paging.style {
                PageStyle::Number { first } => {
                    let number = match at {
                        Some(PageAt::Number(n)) => n,
                        _ => *first,
                    };
                    let read_pages = number.saturating_sub(*first).saturating_add(1);
                    let within = total_pages.is_none_or(|total| read_pages < total);
                    number.checked_add(1).filter(|_| within).map(|n| Step::At(PageAt::Number(n)))
                }
                PageStyle::Offset { first } => {
                    let offset = match at {
                        Some(PageAt::Offset(n)) => n,
                        _ => *first,
                    };
                    let count = i64::try_from(page_items.len()).unwrap_or(i64::MAX);
                    offset.checked_add(count).map(|n| Step::At(PageAt::Offset(n)))
                }
                PageStyle::Cursor(_) => pointer.filter(|c| st.seen.insert(c.clone())).map(|c| Step::At(PageAt::Cursor(c))),
                PageStyle::NextLink(_) | PageStyle::LinkHeader => pointer.and_then(|link| {
                    let base = raw.url().unwrap_or(&transport.inner.base);
                    match base.join(&link) {
                        Ok(url) => st.seen.insert(url.as_str().to_string()).then_some(Step::Link(url)),
                        Err(e) => Some(Step::Fail(Error::InvalidBody {
                            response: raw.clone(),
                            message: format!("the next link is not a URL: {e}"),
                        })),
                    }
                }),
            }
        };
        Some((Ok(page_items), st))
    })
    .flat_map(|page| {
        let items: Vec<Result<T, Error<E>>> = match page {
            Ok(items) => items.into_iter().map(Ok).collect(),
            Err(e) => vec![Err(e)],
        };
        futures_util::stream::iter(items)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_values_are_percent_encoded_except_unreserved() {
        assert_eq!(encode_path("a b/c?d#e%f"), "a%20b%2Fc%3Fd%23e%25f");
        assert_eq!(encode_path("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode_path("é"), "%C3%A9");
    }

    #[test]
    fn form_pairs_repeat_arrays_and_nest_objects() {
        let value = serde_json::json!({ "a": [1, 2], "b": { "c": "x", "d": null }, "e": true });
        let pairs = form_pairs("f", &value).expect("serializable");
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("f[a]", "1"), ("f[a]", "2"), ("f[b][c]", "x"), ("f[e]", "true")]);
    }

    #[test]
    fn pagination_helpers() {
        let page = serde_json::json!({"links": {"next": "/p?c=1", "prev": null}, "meta": {"total": "12", "pages": 3, "more": false}});
        assert_eq!(page_text(&page, "/links/next").as_deref(), Some("/p?c=1"));
        assert_eq!(page_text(&page, "/links/prev"), None);
        assert_eq!(page_text(&page, "/links/last"), None);
        assert_eq!(page_count(&page, "/meta/total"), Some(12));
        assert_eq!(page_count(&page, "/meta/pages"), Some(3));
        assert_eq!(page_flag(&page, "/meta/more"), Some(false));
        assert_eq!(page_param::<u8, ()>(7).ok(), Some(7));
        assert!(matches!(page_param::<u8, ()>(300), Err(Error::InvalidRequest(_))));
    }

    #[test]
    fn query_keys_are_scrubbed_without_reencoding_the_rest() {
        let mut url = Url::parse("https://u:p@h/x?a=1%202&apiKey=K&b=%2F+&api%4Bey=K2").expect("url");
        scrub(&mut url, &["apiKey"]);
        assert_eq!(url.as_str(), "https://h/x?a=1%202&b=%2F+");
        let mut url = Url::parse("https://h/x?apiKey=K").expect("url");
        scrub(&mut url, &["apiKey"]);
        assert_eq!(url.as_str(), "https://h/x");
        assert_eq!(redact_userinfo("https://user:pw@host/p@th"), "https://***@host/p@th");
        assert_eq!(redact_userinfo("host/p@th"), "host/p@th");
    }

    #[test]
    fn messages_come_from_the_documented_field_or_common_ones() {
        let raw = |body: &str| RawResponse::new(400, HeaderMap::new(), body.to_string());
        assert_eq!(raw(r#"{"response":{"error":{"message":"Bad key","id":1}}}"#).message().as_deref(), Some("Bad key"));
        assert_eq!(raw(r#"{"title":"Not Found","detail":"No book 7"}"#).message().as_deref(), Some("No book 7"));
        assert_eq!(raw(r#"{"errors":[{"msg":"first"}]}"#).message().as_deref(), Some("first"));
        assert_eq!(raw(r#"{"error":"invalid_grant"}"#).message().as_deref(), Some("invalid_grant"));
        assert_eq!(raw(r#"{"code":7}"#).message(), None);
        assert_eq!(raw("down for maintenance\nsecond line").message().as_deref(), Some("down for maintenance"));
        assert_eq!(raw("<html><body>oops</body></html>").message(), None);
        let long = raw(&format!("{{\"message\":\"{}\"}}", "x".repeat(500))).message().expect("message");
        assert_eq!(long.chars().count(), 201, "cut to 200 characters and an ellipsis");
    }

    /// A small HTTP/1.1 server on a loopback port, recording every request.
    mod wire {
        use std::sync::{Arc, Mutex};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        #[derive(Debug, Clone)]
        pub struct Seen {
            pub method: String,
            pub target: String,
            pub headers: Vec<(String, String)>,
            pub body: Vec<u8>,
        }

        impl Seen {
            pub fn header(&self, name: &str) -> Option<&str> {
                self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
            }
            pub fn path(&self) -> &str {
                self.target.split('?').next().unwrap_or_default()
            }
            pub fn query(&self) -> &str {
                self.target.split_once('?').map_or("", |(_, q)| q)
            }
            pub fn param(&self, name: &str) -> Option<String> {
                let url = reqwest::Url::parse(&format!("http://x/?{}", self.query())).ok()?;
                url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
            }
        }

        pub struct Reply {
            pub status: u16,
            pub headers: Vec<(String, String)>,
            pub body: String,
        }

        impl Reply {
            pub fn json(status: u16, body: serde_json::Value) -> Self {
                Self { status, headers: vec![("content-type".into(), "application/json".into())], body: body.to_string() }
            }
            pub fn redirect(status: u16, location: &str) -> Self {
                Self { status, headers: vec![("location".into(), location.into())], body: String::new() }
            }
            pub fn header(mut self, name: &str, value: &str) -> Self {
                self.headers.push((name.into(), value.into()));
                self
            }
        }

        pub struct Server {
            pub base: String,
            seen: Arc<Mutex<Vec<Seen>>>,
        }

        impl Server {
            pub fn seen(&self) -> Vec<Seen> {
                self.seen.lock().expect("log").clone()
            }
        }

        /// Serves `handler` (given the request and the server's own base URL).
        pub async fn serve(handler: impl Fn(&Seen, &str) -> Reply + Send + Sync + 'static) -> Server {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let base = format!("http://{}", listener.local_addr().expect("addr"));
            let seen = Arc::new(Mutex::new(Vec::new()));
            let (log, own, handler) = (seen.clone(), base.clone(), Arc::new(handler));
            tokio::spawn(async move {
                while let Ok((mut socket, _)) = listener.accept().await {
                    let (log, own, handler) = (log.clone(), own.clone(), handler.clone());
                    tokio::spawn(async move {
                        let Some(request) = read(&mut socket).await else { return };
                        log.lock().expect("log").push(request.clone());
                        let reply = handler(&request, &own);
                        let mut head =
                            format!("HTTP/1.1 {} Status\r\ncontent-length: {}\r\nconnection: close\r\n", reply.status, reply.body.len());
                        for (k, v) in &reply.headers {
                            head.push_str(&format!("{k}: {v}\r\n"));
                        }
                        head.push_str("\r\n");
                        let _ = socket.write_all(head.as_bytes()).await;
                        let _ = socket.write_all(reply.body.as_bytes()).await;
                        let _ = socket.shutdown().await;
                    });
                }
            });
            Server { base, seen }
        }

        async fn read(socket: &mut tokio::net::TcpStream) -> Option<Seen> {
            let (mut buf, mut chunk) = (Vec::new(), [0u8; 4096]);
            let end = loop {
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i;
                }
                let n = socket.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            };
            let head = std::str::from_utf8(&buf[..end]).ok()?.to_string();
            let mut lines = head.split("\r\n");
            let mut first = lines.next()?.split(' ');
            let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
            let headers: Vec<(String, String)> =
                lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
            let length = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(0);
            let mut body = buf[end + 4..].to_vec();
            while body.len() < length {
                let n = socket.read(&mut chunk).await.ok()?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
            Some(Seen { method, target, headers, body })
        }
    }

    use futures_util::StreamExt;
    use serde_json::json;
    use wire::{serve, Reply};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Scheme {
        Key,
        Token,
        QueryKey,
        Session,
        OldKey,
    }

    impl SecurityScheme for Scheme {
        fn key(self) -> &'static str {
            match self {
                Self::Key => "key",
                Self::Token => "token",
                Self::QueryKey => "queryKey",
                Self::Session => "session",
                Self::OldKey => "oldKey",
            }
        }
        fn placement(self) -> Placement {
            match self {
                Self::Key => Placement::Header("api-key"),
                Self::Token => Placement::Bearer,
                Self::QueryKey => Placement::Query("apiKey"),
                Self::Session => Placement::Cookie("session"),
                Self::OldKey => Placement::Header("x-old-key"),
            }
        }
        fn deprecated(self) -> bool {
            self == Self::OldKey
        }
    }

    #[derive(Debug, Clone, Default)]
    struct Creds {
        key: Option<Secret>,
        token: Option<Secret>,
        query_key: Option<Secret>,
        session: Option<Secret>,
        old_key: Option<Secret>,
    }

    impl Credentials for Creds {
        type Scheme = Scheme;
        fn secret(&self, scheme: Scheme) -> Option<&Secret> {
            match scheme {
                Scheme::Key => self.key.as_ref(),
                Scheme::Token => self.token.as_ref(),
                Scheme::QueryKey => self.query_key.as_ref(),
                Scheme::Session => self.session.as_ref(),
                Scheme::OldKey => self.old_key.as_ref(),
            }
        }
    }

    fn every_credential() -> Creds {
        Creds {
            key: Some("KEY".into()),
            token: Some("TOKEN".into()),
            query_key: Some("QKEY".into()),
            session: Some("SESSION".into()),
            old_key: Some("OLDKEY".into()),
        }
    }

    #[derive(Debug)]
    struct Api(Transport<Creds>);

    impl FromTransport for Api {
        type Credentials = Creds;
        const USER_AGENT: &'static str = "runtime-tests";
        fn from_transport(transport: Transport<Creds>) -> Self {
            Self(transport)
        }
    }

    fn client(base: &str, creds: Creds, redirects: RedirectPolicy) -> Api {
        ClientBuilder::<Api>::new(base, creds).retry(RetryPolicy::none()).redirects(redirects).build().expect("client")
    }

    /// Every credential at once: an API-key header, a bearer token, a query key and a cookie.
    const ALL_AT_ONCE: &[&[Scheme]] = &[&[Scheme::Key, Scheme::Token, Scheme::QueryKey, Scheme::Session]];

    async fn call(api: &Api, method: Method, path: &str, body: Option<&str>, alternatives: &[&[Scheme]]) -> Result<RawResponse, Error<()>> {
        let mut request = api.0.request(method, &[path]);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        api.0.execute(request, "keep=a%20b".into(), String::new(), alternatives, false).await
    }

    fn carries_credentials(seen: &wire::Seen) -> [bool; 4] {
        [
            seen.header("api-key") == Some("KEY"),
            seen.header("authorization") == Some("Bearer TOKEN"),
            seen.header("cookie") == Some("session=SESSION"),
            seen.param("apiKey").as_deref() == Some("QKEY"),
        ]
    }

    #[tokio::test]
    async fn a_cross_origin_307_drops_every_credential() {
        let other = serve(|_, _| Reply::json(200, json!({"at": "other"}))).await;
        let target = format!("{}/landing?apiKey=QKEY&x=a%20b+c", other.base);
        let origin = serve(move |_, _| Reply::redirect(307, &target)).await;
        let api = client(&origin.base, every_credential(), RedirectPolicy::default());
        let raw = call(&api, Method::POST, "/start", Some(r#"{"a":1}"#), ALL_AT_ONCE).await.expect("followed");
        assert_eq!(raw.status, 200);
        assert_eq!(carries_credentials(&origin.seen()[0]), [true; 4], "the origin gets every credential");
        let landed = &other.seen()[0];
        assert_eq!(carries_credentials(landed), [false; 4], "{landed:?}");
        assert!(landed.headers.iter().all(|(_, v)| !v.contains("KEY") && !v.contains("TOKEN") && !v.contains("SESSION")), "{landed:?}");
        assert_eq!(landed.query(), "x=a%20b+c", "the key the server wrote into the URL is removed, the rest kept as written");
        assert_eq!((landed.method.as_str(), landed.body.as_slice()), ("POST", &br#"{"a":1}"#[..]), "307 keeps method and body");
        assert_eq!(raw.url().map(Url::as_str), Some(format!("{}/landing?x=a%20b+c", other.base).as_str()));
    }

    #[tokio::test]
    async fn a_same_origin_307_keeps_every_credential() {
        let origin = serve(|seen, _| match seen.path() {
            "/start" => Reply::redirect(307, "/next?page=2"),
            _ => Reply::json(200, json!({})),
        })
        .await;
        let api = client(&origin.base, every_credential(), RedirectPolicy::default());
        call(&api, Method::PUT, "/start", Some("{}"), ALL_AT_ONCE).await.expect("followed");
        let seen = origin.seen();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].path(), "/next");
        assert_eq!(carries_credentials(&seen[1]), [true; 4], "{:?}", seen[1]);
        assert_eq!(seen[1].param("page").as_deref(), Some("2"));
        assert_eq!((seen[1].method.as_str(), seen[1].body.as_slice()), ("PUT", &b"{}"[..]));
    }

    #[tokio::test]
    async fn credentials_stay_off_once_a_chain_left_the_origin() {
        let origin_base = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let back = origin_base.clone();
        let other = serve(move |_, _| Reply::redirect(302, &format!("{}/back", back.lock().expect("base")))).await;
        let to_other = format!("{}/bounce", other.base);
        let origin = serve(move |seen, _| match seen.path() {
            "/start" => Reply::redirect(302, &to_other),
            _ => Reply::json(200, json!({})),
        })
        .await;
        *origin_base.lock().expect("base") = origin.base.clone();
        let api = client(&origin.base, every_credential(), RedirectPolicy::default());
        call(&api, Method::GET, "/start", None, ALL_AT_ONCE).await.expect("followed");
        let seen = origin.seen();
        assert_eq!(seen.iter().map(|s| s.path()).collect::<Vec<_>>(), ["/start", "/back"]);
        assert_eq!(carries_credentials(&seen[1]), [false; 4], "{:?}", seen[1]);
    }

    #[tokio::test]
    async fn redirects_change_methods_and_bodies_per_rfc_9110() {
        let origin = serve(|seen, _| match seen.path() {
            "/303" => Reply::redirect(303, "/done"),
            "/302" => Reply::redirect(302, "/done"),
            "/301" => Reply::redirect(301, "/done"),
            "/308" => Reply::redirect(308, "/done"),
            _ => Reply::json(200, json!({})),
        })
        .await;
        let api = client(&origin.base, every_credential(), RedirectPolicy::default());
        for (method, path) in [(Method::PUT, "/303"), (Method::POST, "/302"), (Method::PUT, "/301"), (Method::POST, "/308")] {
            call(&api, method, path, Some(r#"{"b":2}"#), &[]).await.expect("followed");
        }
        let done: Vec<(String, Vec<u8>, Option<String>)> = origin
            .seen()
            .iter()
            .filter(|s| s.path() == "/done")
            .map(|s| (s.method.clone(), s.body.clone(), s.header("content-type").map(str::to_string)))
            .collect();
        let json = || Some("application/json".to_string());
        assert_eq!(
            done,
            [
                ("GET".to_string(), vec![], None),
                ("GET".to_string(), vec![], None),
                ("PUT".to_string(), br#"{"b":2}"#.to_vec(), json()),
                ("POST".to_string(), br#"{"b":2}"#.to_vec(), json()),
            ]
        );
    }

    #[tokio::test]
    async fn redirect_policies_refuse_stop_and_limit() {
        let other = serve(|_, _| Reply::json(200, json!({}))).await;
        let to_other = format!("{}/x", other.base);
        let origin = serve(move |seen, _| match seen.path() {
            "/away" => Reply::redirect(307, &to_other),
            "/here" => Reply::redirect(302, "/fine"),
            "/loop" => Reply::redirect(302, "/loop"),
            _ => Reply::json(200, json!({})),
        })
        .await;
        let same = client(&origin.base, every_credential(), RedirectPolicy::same_origin());
        let raw = call(&same, Method::GET, "/away", None, ALL_AT_ONCE).await.expect("answer");
        assert_eq!(raw.status, 307, "a refused hop is the answer");
        assert!(other.seen().is_empty(), "nothing reached the other origin");
        assert_eq!(call(&same, Method::GET, "/here", None, &[]).await.expect("followed").status, 200);

        let none = client(&origin.base, every_credential(), RedirectPolicy::none());
        assert_eq!(call(&none, Method::GET, "/here", None, &[]).await.expect("answer").status, 302);

        let limited = client(&origin.base, every_credential(), RedirectPolicy::default().max_redirects(2));
        match call(&limited, Method::GET, "/loop", None, &[]).await {
            Err(Error::Transport(e)) => assert_eq!(e.message, "more than 2 redirects"),
            other => panic!("{other:?}"),
        }
        assert_eq!(origin.seen().iter().filter(|s| s.path() == "/loop").count(), 3);
    }

    #[test]
    fn alternatives_are_chosen_by_placement_and_deprecation() {
        let all = every_credential();
        let pick = |creds: &Creds, alternatives: &[&'static [Scheme]]| preferred_alternative(creds, alternatives).map(<[Scheme]>::to_vec);
        use Scheme::*;
        assert_eq!(pick(&all, &[&[QueryKey], &[Key]]), Some(vec![Key]), "a header beats a query key listed first");
        assert_eq!(pick(&all, &[&[QueryKey], &[Token]]), Some(vec![Token]));
        assert_eq!(pick(&all, &[&[Session], &[QueryKey]]), Some(vec![Session]));
        assert_eq!(pick(&all, &[&[Key, QueryKey], &[Token]]), Some(vec![Token]), "an alternative ranks by its worst placement");
        assert_eq!(pick(&all, &[&[OldKey], &[QueryKey]]), Some(vec![QueryKey]), "deprecated schemes come last");
        assert_eq!(pick(&all, &[&[OldKey]]), Some(vec![OldKey]), "but are used when nothing else is possible");
        assert_eq!(pick(&all, &[&[], &[QueryKey]]), Some(vec![QueryKey]), "a given credential is sent where it is optional");
        assert_eq!(pick(&all, &[&[Key], &[Token]]), Some(vec![Key]), "the spec's order breaks ties");
        let only_query = Creds { query_key: Some("QKEY".into()), ..Creds::default() };
        assert_eq!(pick(&only_query, &[&[QueryKey], &[Key]]), Some(vec![QueryKey]));
        assert_eq!(pick(&Creds::default(), &[&[QueryKey], &[Key]]), None);
        assert_eq!(pick(&Creds::default(), &[]), Some(vec![]));
    }

    #[tokio::test]
    async fn no_key_reaches_a_url_when_another_scheme_is_possible() {
        let server = serve(|_, _| Reply::json(200, json!({}))).await;
        let query_first: &[&[Scheme]] = &[&[Scheme::QueryKey], &[Scheme::Key]];
        let api = client(&server.base, every_credential(), RedirectPolicy::default());
        call(&api, Method::PUT, "/users/1", Some("{}"), query_first).await.expect("sent");
        let only_query = client(&server.base, Creds { query_key: Some("QKEY".into()), ..Creds::default() }, RedirectPolicy::default());
        call(&only_query, Method::PUT, "/users/1", Some("{}"), query_first).await.expect("sent");
        let seen = server.seen();
        assert_eq!(seen[0].query(), "keep=a%20b", "the query string is sent as written: {:?}", seen[0]);
        assert_eq!(seen[0].header("api-key"), Some("KEY"));
        assert_eq!(seen[1].param("apiKey").as_deref(), Some("QKEY"), "the query key is used when it is the only one given");
        assert_eq!(seen[1].header("api-key"), None);
    }

    #[derive(Debug, serde::Deserialize)]
    struct Envelope {
        error: EnvelopeError,
    }

    #[derive(Debug, serde::Deserialize)]
    struct EnvelopeError {
        code: i64,
        message: String,
    }

    #[derive(Debug)]
    enum OpError {
        TooManyRequests(Envelope),
        NotFound(Envelope),
    }

    impl ApiError for OpError {
        type Model = Envelope;
        fn model(&self) -> Option<&Envelope> {
            match self {
                Self::TooManyRequests(e) | Self::NotFound(e) => Some(e),
            }
        }
        fn message(&self) -> Option<&str> {
            self.model().map(|e| e.error.message.as_str())
        }
    }

    fn decode_op(raw: RawResponse) -> Result<Response<serde_json::Value>, Error<OpError>> {
        match raw.status {
            200 => ok_json(raw),
            404 => api_error_json(raw, OpError::NotFound),
            429 => api_error_json(raw, OpError::TooManyRequests),
            _ => Err(Error::UnexpectedStatus(raw)),
        }
    }

    #[tokio::test]
    async fn errors_share_status_model_message_request_id_and_retry_after() {
        let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3600));
        let server = serve(move |seen, _| match seen.path() {
            "/slow" => {
                // `title` comes first by the common names; the documented message is `error.message`.
                let body = json!({"title": "Rate limited", "error": {"code": 7, "message": "Slow down"}, "requestId": "r-1"});
                Reply::json(429, body).header("retry-after", "120")
            }
            "/later" => Reply::json(429, json!({"error": {"code": 8, "message": "Later"}})).header("retry-after", &later),
            "/teapot" => Reply::json(418, json!({"detail": "short and stout"})).header("x-request-id", "r-2"),
            _ => Reply::json(404, json!({"error": {"code": 9, "message": "No such thing"}})),
        })
        .await;
        // Retries are on: a POST is still sent once.
        let api = ClientBuilder::<Api>::new(&server.base, every_credential()).build().expect("client");
        let post = |path: &'static str| {
            let api = &api;
            async move {
                api.0
                    .execute::<OpError>(api.0.request(Method::POST, &[path]), String::new(), String::new(), &[], false)
                    .await
                    .and_then(decode_op)
            }
        };
        let err = post("/slow").await.expect_err("429");
        assert_eq!(server.seen().len(), 1, "a POST is not retried");
        assert_eq!(err.status(), Some(429));
        assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
        assert_eq!(err.request_id().as_deref(), Some("r-1"));
        assert_eq!(err.model().map(|m| m.error.code), Some(7));
        assert_eq!(err.message().as_deref(), Some("Slow down"));
        assert_eq!(err.to_string(), "the API answered 429 Too Many Requests: Slow down (request id r-1)");
        assert!(!format!("{err}").contains("Envelope"), "no Debug dump");

        let err = post("/later").await.expect_err("429");
        let wait = err.retry_after().expect("an HTTP date");
        assert!(wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600), "{wait:?}");

        let err = post("/missing").await.expect_err("404");
        assert!(matches!(err.api_error(), Some(OpError::NotFound(_))));
        assert_eq!(err.to_string(), "the API answered 404 Not Found: No such thing");
        assert_eq!(err.retry_after(), None);

        let err = post("/teapot").await.expect_err("418");
        assert!(err.model().is_none());
        assert_eq!(
            err.to_string(),
            "the API answered 418 I'm a teapot, a status the spec does not document for this operation: short and stout (request id r-2)"
        );
    }

    #[test]
    fn build_validates_the_base_url_and_keeps_the_cause() {
        let build = |url: &str| ClientBuilder::<Api>::new(url, Creds::default()).build().map(|_| ());
        let err = build("http//broken url").expect_err("not a URL");
        assert_eq!(err.kind(), BuildErrorKind::BaseUrl);
        assert_eq!(err.to_string(), "invalid base URL `http//broken url`: relative URL without a base");
        assert!(build("ftp://example.com").expect_err("ftp").to_string().contains("http or https, not `ftp`"));
        let err = build("https://user:hunter2@example.com/v1?key=x").expect_err("query");
        assert!(err.to_string().contains("query or fragment") && !err.to_string().contains("hunter2"), "{err}");
        assert!(build("http://localhost:8080/v1/").is_ok());
        assert!(build("https://api.example.com").is_ok());
    }

    #[derive(Debug, PartialEq)]
    struct CreatedHeaders {
        location: String,
        remaining: Option<u32>,
    }

    impl FromHeaders for CreatedHeaders {
        fn from_headers(headers: &HeaderMap) -> Result<Self, HeaderError> {
            Ok(Self {
                location: crate::header::require(headers, "location")?,
                remaining: crate::header::get(headers, "x-ratelimit-remaining")?,
            })
        }
    }

    #[tokio::test]
    async fn documented_headers_are_typed_beside_the_body() {
        let server = serve(|seen, _| match seen.path() {
            "/ok" => Reply::json(201, json!({"id": 7})).header("location", "/books/7").header("x-ratelimit-remaining", "9"),
            "/bad" => Reply::json(201, json!({"id": 8})).header("location", "/books/8").header("x-ratelimit-remaining", "many"),
            _ => Reply::json(201, json!({"id": 9})),
        })
        .await;
        let api = client(&server.base, Creds::default(), RedirectPolicy::default());
        let get = |path: &'static str| {
            let api = &api;
            async move {
                let raw = api.0.execute::<()>(api.0.request(Method::POST, &[path]), String::new(), String::new(), &[], false).await?;
                ok_json::<serde_json::Value, ()>(raw).and_then(with_headers::<_, CreatedHeaders, _>)
            }
        };
        let created = get("/ok").await.expect("created");
        assert_eq!(created.body.headers, CreatedHeaders { location: "/books/7".into(), remaining: Some(9) });
        assert_eq!(created["id"], 7, "the body reads through");
        assert_eq!(created.rate_limit().and_then(|r| r.remaining), Some(9));
        assert_eq!(created.header::<String>("location").expect("text").as_deref(), Some("/books/7"));
        match get("/bad").await {
            Err(Error::InvalidBody { message, .. }) => assert!(message.starts_with("header `x-ratelimit-remaining`"), "{message}"),
            other => panic!("{other:?}"),
        }
        match get("/missing").await {
            Err(Error::InvalidBody { message, .. }) => assert_eq!(message, "header `location` is required"),
            other => panic!("{other:?}"),
        }
    }

    #[derive(Debug, serde::Deserialize)]
    struct Page {
        items: Vec<i64>,
        next: Option<String>,
        total_pages: Option<i64>,
        total: Option<i64>,
    }

    fn decode_page(raw: RawResponse) -> Result<Response<Page>, Error<()>> {
        match raw.status {
            200 => ok_json(raw),
            _ => Err(Error::UnexpectedStatus(raw)),
        }
    }

    const ITEMS: [i64; 5] = [1, 2, 3, 4, 5];

    /// Items `from..from + 2` of [`ITEMS`].
    fn slice(from: usize) -> Vec<i64> {
        ITEMS.iter().copied().skip(from).take(2).collect()
    }

    /// The list operation of the tests, paged as `at` says (`page`, `offset` or `cursor`).
    async fn list(api: &Api, at: PageAt, alternatives: &[&[Scheme]]) -> Result<Response<Page>, Error<()>> {
        let mut query = String::new();
        let param = |name| crate::params::Param::new(crate::params::Location::Query, name, &crate::params::Shape::STRING);
        let written = match at {
            PageAt::Number(n) => crate::params::encode_into(&param("page"), &page_param::<u32, ()>(n)?, &mut query),
            PageAt::Offset(n) => crate::params::encode_into(&param("offset"), &n, &mut query),
            PageAt::Cursor(c) => crate::params::encode_into(&param("cursor"), &c, &mut query),
            _ => Ok(()),
        };
        written.map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let raw = api.0.execute(api.0.request(Method::GET, &["/items"]), query, String::new(), alternatives, true).await?;
        decode_page(raw)
    }

    const KEY_HEADER_AND_QUERY: &[&[Scheme]] = &[&[Scheme::Key, Scheme::QueryKey]];

    async fn collect(api: &Api, paging: Paging<Page>) -> Vec<Result<i64, Error<()>>> {
        paginate(&api.0, KEY_HEADER_AND_QUERY, paging, |at| list(api, at, KEY_HEADER_AND_QUERY), decode_page, |p: Page| p.items)
            .collect()
            .await
    }

    fn ids(items: &[Result<i64, Error<()>>]) -> Vec<i64> {
        items.iter().map(|i| *i.as_ref().expect("item")).collect()
    }

    fn page_json(items: Vec<i64>, next: Option<String>) -> serde_json::Value {
        json!({ "items": items, "next": next })
    }

    #[tokio::test]
    async fn page_numbers_stop_at_the_last_page_without_an_extra_request() {
        let server = serve(|seen, _| {
            let page: usize = seen.param("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            Reply::json(200, json!({ "items": slice((page - 1) * 2), "total_pages": 3 }))
        })
        .await;
        let api = client(&server.base, every_credential(), RedirectPolicy::default());
        let items = collect(&api, Paging::page_number(1).total_pages(|p| p.total_pages)).await;
        assert_eq!(ids(&items), ITEMS);
        let pages: Vec<Option<String>> = server.seen().iter().map(|s| s.param("page")).collect();
        assert_eq!(pages, [None, Some("2".into()), Some("3".into())]);

        // Without a total, an empty page ends the stream.
        let items = collect(&api, Paging::page_number(1)).await;
        assert_eq!(ids(&items), ITEMS);
        assert_eq!(server.seen().len(), 3 + 4);
    }

    #[tokio::test]
    async fn offsets_advance_by_the_items_read() {
        let server = serve(|seen, _| {
            let offset: usize = seen.param("offset").and_then(|p| p.parse().ok()).unwrap_or(0);
            Reply::json(200, json!({ "items": slice(offset), "total": 5 }))
        })
        .await;
        let api = client(&server.base, every_credential(), RedirectPolicy::default());
        let items = collect(&api, Paging::offset(0).total_items(|p| p.total)).await;
        assert_eq!(ids(&items), ITEMS);
        let offsets: Vec<Option<String>> = server.seen().iter().map(|s| s.param("offset")).collect();
        assert_eq!(offsets, [None, Some("2".into()), Some("4".into())]);
    }

    #[tokio::test]
    async fn cursors_are_sent_back_until_an_empty_one() {
        let server = serve(|seen, _| {
            let from: usize = seen.param("cursor").and_then(|c| c.strip_prefix("c")?.parse().ok()).unwrap_or(0);
            let next = if from + 2 < ITEMS.len() { format!("c{}", from + 2) } else { String::new() };
            Reply::json(200, page_json(slice(from), Some(next)))
        })
        .await;
        let api = client(&server.base, every_credential(), RedirectPolicy::default());
        let items = collect(&api, Paging::cursor(|p| p.next.clone())).await;
        assert_eq!(ids(&items), ITEMS);
        let cursors: Vec<Option<String>> = server.seen().iter().map(|s| s.param("cursor")).collect();
        assert_eq!(cursors, [None, Some("c2".into()), Some("c4".into())], "`\"next\": \"\"` costs no request");
    }

    #[tokio::test]
    async fn next_links_are_followed_absolute_and_relative_until_empty() {
        let server = serve(|seen, base| {
            let page = match seen.param("p").as_deref() {
                None => page_json(slice(0), Some(format!("{base}/v1/items?p=2"))),
                Some("2") => page_json(slice(2), Some("items?p=3".into())),
                _ => page_json(slice(4), Some(String::new())),
            };
            Reply::json(200, page)
        })
        .await;
        let api = client(&format!("{}/v1", server.base), every_credential(), RedirectPolicy::default());
        let items = collect(&api, Paging::next_link(|p| p.next.clone())).await;
        assert_eq!(ids(&items), ITEMS);
        let seen = server.seen();
        let targets: Vec<String> = seen.iter().map(|s| format!("{}?p={}", s.path(), s.param("p").unwrap_or_default())).collect();
        assert_eq!(targets, ["/v1/items?p=", "/v1/items?p=2", "/v1/items?p=3"], "the empty next link costs no request");
        for s in &seen {
            assert_eq!((s.header("api-key"), s.param("apiKey").as_deref()), (Some("KEY"), Some("QKEY")), "same origin: {s:?}");
        }
    }

    #[tokio::test]
    async fn link_headers_are_followed_and_a_repeated_link_ends_the_stream() {
        let server = serve(|seen, base| match seen.param("page").as_deref() {
            None => Reply::json(200, page_json(slice(0), None))
                .header("link", &format!("<{base}/items?page=2>; rel=\"next\", </items>; rel=first")),
            Some("2") => Reply::json(200, page_json(slice(2), None)).header("link", "</items?page=3>; rel=\"next\""),
            // Page 3 points at itself: a link already followed ends the stream, without a request.
            _ => Reply::json(200, page_json(slice(4), None)).header("link", "</items?page=3>; rel=\"next\""),
        })
        .await;
        let api = client(&server.base, every_credential(), RedirectPolicy::default());
        let items = collect(&api, Paging::link_header()).await;
        assert_eq!(ids(&items), ITEMS);
        let pages: Vec<Option<String>> = server.seen().iter().map(|s| s.param("page")).collect();
        assert_eq!(pages, [None, Some("2".into()), Some("3".into())]);
    }

    #[tokio::test]
    async fn a_next_link_to_another_origin_gets_no_credentials() {
        let other = serve(|_, _| Reply::json(200, page_json(slice(2), None))).await;
        let next = format!("{}/items?page=2&apiKey=QKEY", other.base);
        let origin = serve(move |_, _| Reply::json(200, page_json(slice(0), Some(next.clone())))).await;
        let api = client(&origin.base, every_credential(), RedirectPolicy::default());
        let items = collect(&api, Paging::next_link(|p| p.next.clone())).await;
        assert_eq!(ids(&items), [1, 2, 3, 4]);
        let there = &other.seen()[0];
        assert_eq!((there.header("api-key"), there.query()), (None, "page=2"), "{there:?}");

        let refusing = client(&origin.base, every_credential(), RedirectPolicy::same_origin());
        let items = collect(&refusing, Paging::next_link(|p| p.next.clone())).await;
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[2], Err(Error::InvalidRequest(m)) if m.contains("another origin")), "{:?}", items[2]);
        assert_eq!(other.seen().len(), 1);
    }

    /// A body with one rule: `name` is not empty.
    #[derive(Debug, serde::Serialize)]
    struct Named {
        name: String,
    }

    impl Validate for Named {
        fn validate_into(&self, path: &str, errors: &mut Vec<crate::Violation>) {
            if self.name.is_empty() {
                errors.push(crate::Violation::new(format!("{path}/name"), "minLength", "shorter than 1 character"));
            }
        }
    }

    const PATH_ID: Param<'static> = Param::new(Location::Path, "id", &Shape::STRING);
    const QUERY_TAGS: Param<'static> = Param::new(Location::Query, "tags", &Shape::array(&Shape::STRING));
    const COOKIE_THEME: Param<'static> = Param::new(Location::Cookie, "theme", &Shape::STRING);
    const HEADER_TRACE: Param<'static> = Param::new(Location::Header, "x-trace", &Shape::INTEGER);
    const QUERY_FILTER: Param<'static> = Param::new(Location::Query, "filter", &Shape::STRING);

    fn decode_value(raw: RawResponse) -> Result<Response<serde_json::Value>, Error<()>> {
        match raw.status {
            200 => ok_json(raw),
            _ => Err(Error::UnexpectedStatus(raw)),
        }
    }

    #[tokio::test]
    async fn a_request_is_written_step_by_step() {
        let server = serve(|_, _| Reply::json(200, json!({"ok": true}))).await;
        let api = client(&server.base, every_credential(), RedirectPolicy::default());
        let mut request = api.0.prepare(Method::PUT);
        let id = request.path_param(&PATH_ID, "a b");
        request.path(&["/things/", &id, "/parts"]);
        request.param(&QUERY_TAGS, &["x", "y&z"]);
        request.param(&COOKIE_THEME, "dark");
        request.param(&HEADER_TRACE, &7);
        request.param_json(&QUERY_FILTER, &json!({"n": 1}));
        request.validate(&Named { name: "n".into() });
        request.json("application/json", &Named { name: "n".into() });
        assert!(request.is_ok() && request.error().is_none());
        let response = request.call(&[&[Scheme::Key]], decode_value).await.expect("sent");
        assert_eq!(response.body, json!({"ok": true}));
        let seen = &server.seen()[0];
        assert_eq!((seen.method.as_str(), seen.path()), ("PUT", "/things/a%20b/parts"));
        assert_eq!(seen.query(), "tags=x&tags=y%26z&filter=%7B%22n%22%3A1%7D", "{seen:?}");
        assert_eq!(seen.header("cookie"), Some("theme=dark"));
        assert_eq!(seen.header("x-trace"), Some("7"));
        assert_eq!(seen.header("api-key"), Some("KEY"), "the alternative's credential");
        assert_eq!(seen.header("content-type"), Some("application/json"));
        assert_eq!(seen.body, br#"{"name":"n"}"#);
    }

    #[tokio::test]
    async fn the_first_failing_step_is_the_error_and_nothing_is_sent() {
        let server = serve(|_, _| Reply::json(200, json!({}))).await;
        let api = client(&server.base, every_credential(), RedirectPolicy::default());
        let empty = Named { name: String::new() };
        let first = crate::params::encode(&PATH_ID, "..").expect_err("`..` is no path segment").to_string();

        let mut request = api.0.prepare(Method::POST);
        let id = request.path_param(&PATH_ID, "..");
        assert_eq!((id.as_str(), request.error()), ("", Some(first.as_str())));
        // Later steps, failing or not, change nothing.
        assert_eq!(request.path_param(&PATH_ID, "fine"), "");
        request.path(&["/things/", &id]);
        request.param(&QUERY_TAGS, &[["nested"]]);
        request.validate(&empty);
        request.form_field("f", &1);
        request.multipart_file("g", &vec![1u8]);
        request.json("application/json", &empty);
        assert_eq!(request.error(), Some(first.as_str()));
        match request.call(&[], decode_value).await {
            Err(Error::InvalidRequest(message)) => assert_eq!(message, first),
            other => panic!("{other:?}"),
        }

        // A body that breaks the rules: the validation's message.
        let mut request = api.0.prepare(Method::POST);
        request.path(&["/things"]);
        request.validate(&empty);
        request.json("application/json", &empty);
        let expected = empty.validate().expect_err("invalid").to_string();
        match request.call(&[], decode_value).await {
            Err(Error::InvalidRequest(message)) => assert_eq!(message, expected),
            other => panic!("{other:?}"),
        }

        // A value the parameter's style cannot carry: the message names the parameter.
        let mut request = api.0.prepare(Method::GET);
        request.param(&QUERY_TAGS, &[["nested"]]);
        let nested = request.error().expect("arrays inside arrays are not defined").to_string();
        assert!(nested.contains("`tags`"), "{nested}");
        assert!(server.seen().is_empty(), "nothing was sent");
    }

    #[tokio::test]
    async fn form_text_and_byte_bodies() {
        let server = serve(|_, _| Reply::json(200, json!({}))).await;
        let api = client(&server.base, Creds::default(), RedirectPolicy::default());

        let mut request = api.0.prepare(Method::POST);
        request.path(&["/form"]);
        request.url_encoded_form();
        request.form_field("a", &json!({"b": [1, 2]}));
        request.form_field("none", &None::<i32>);
        request.form_field("c", "d e");
        request.call(&[], decode_value).await.expect("sent");

        let mut request = api.0.prepare(Method::POST);
        request.path(&["/empty-form"]);
        request.url_encoded_form();
        request.form_field("none", &None::<i32>);
        request.call(&[], decode_value).await.expect("sent");

        let mut request = api.0.prepare(Method::POST);
        request.path(&["/multipart"]);
        request.multipart_form();
        request.multipart_field("note", "hi");
        request.multipart_field("none", &None::<i32>);
        request.multipart_file("file", &vec![crate::Binary::new(vec![0u8, 159]), crate::Binary::new(*b"two")]);
        request.call(&[], decode_value).await.expect("sent");

        let mut request = api.0.prepare(Method::POST);
        request.path(&["/empty-multipart"]);
        request.multipart_form();
        request.call(&[], decode_value).await.expect("sent");

        let mut request = api.0.prepare(Method::POST);
        request.path(&["/text"]);
        request.body("text/plain", "plain words".to_owned());
        request.call(&[], decode_value).await.expect("sent");

        let mut request = api.0.prepare(Method::POST);
        request.path(&["/bytes"]);
        request.body("application/octet-stream", vec![0u8, 255]);
        request.call(&[], decode_value).await.expect("sent");

        let seen = server.seen();
        let by_path = |path: &str| seen.iter().find(|s| s.path() == path).unwrap_or_else(|| panic!("{path}: {seen:?}"));
        let form = by_path("/form");
        assert_eq!(form.header("content-type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(form.body, b"a%5Bb%5D=1&a%5Bb%5D=2&c=d+e");
        let empty = by_path("/empty-form");
        assert_eq!((empty.header("content-type"), empty.body.as_slice()), (Some("application/x-www-form-urlencoded"), &b""[..]));
        let multipart = by_path("/multipart");
        let boundary = multipart.header("content-type").and_then(|t| t.strip_prefix("multipart/form-data; boundary="));
        let boundary = boundary.unwrap_or_else(|| panic!("{multipart:?}"));
        let parts: Vec<&[u8]> = multipart.body.split(|&b| b == b'\n').collect();
        let text = String::from_utf8_lossy(&multipart.body);
        assert!(text.contains("name=\"note\"\r\n\r\nhi\r\n"), "{text}");
        assert!(!text.contains("name=\"none\""), "{text}");
        assert_eq!(text.matches("name=\"file\"").count(), 2, "one part per file: {text}");
        assert!(parts.contains(&&[0u8, 159, b'\r'][..]), "the bytes as they are: {text}");
        assert!(text.contains("\r\n\r\ntwo\r\n"), "{text}");
        let empty = by_path("/empty-multipart");
        let boundary_empty = empty.header("content-type").and_then(|t| t.strip_prefix("multipart/form-data; boundary="));
        assert!(boundary_empty.is_some() && boundary != boundary_empty.unwrap_or_default(), "{empty:?}");
        assert_eq!((by_path("/text").header("content-type"), by_path("/text").body.as_slice()), (Some("text/plain"), &b"plain words"[..]));
        assert_eq!(by_path("/bytes").body, [0u8, 255]);
    }

    #[tokio::test]
    async fn only_idempotent_methods_are_retried() {
        let server = serve(|_, _| Reply::json(503, json!({}))).await;
        let retry = RetryPolicy {
            max_retries: 1,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(1),
            ..RetryPolicy::default()
        };
        let api = ClientBuilder::<Api>::new(&server.base, Creds::default()).retry(retry).build().expect("client");
        for (method, path) in [(Method::POST, "/post"), (Method::PATCH, "/patch"), (Method::PUT, "/put"), (Method::GET, "/get")] {
            let mut request = api.0.prepare(method);
            request.path(&[path]);
            let err = request.call(&[], decode_value).await.expect_err("503");
            assert_eq!(err.status(), Some(503));
        }
        let seen = server.seen();
        let count = |path: &str| seen.iter().filter(|s| s.path() == path).count();
        assert_eq!([count("/post"), count("/patch"), count("/put"), count("/get")], [1, 1, 2, 2]);
    }

    #[tokio::test]
    async fn an_error_is_yielded_and_ends_the_stream() {
        let server = serve(|seen, _| match seen.param("page").as_deref() {
            None => Reply::json(200, json!({ "items": [1, 2] })),
            _ => Reply::json(503, json!({ "message": "down" })),
        })
        .await;
        let api = ClientBuilder::<Api>::new(&server.base, every_credential()).retry(RetryPolicy::none()).build().expect("client");
        let paging = Paging::page_number(1);
        let stream =
            paginate(&api.0, KEY_HEADER_AND_QUERY, paging, |at| list(&api, at, KEY_HEADER_AND_QUERY), decode_page, |p: Page| p.items);
        let items: Vec<_> = stream.take(10).collect().await;
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[2], Err(e) if e.status() == Some(503)));
        assert_eq!(server.seen().len(), 2);
    }
}
