//! The transport of generated clients: configuration, authentication, retries, responses and
//! errors.
//!
//! A generated crate defines `Client` as a newtype around [`Transport`] (so that it can carry
//! one inherent method per operation), `Credentials` (implementing [`Credentials`]) and the
//! `Server` enum; everything else is here. Retries use [backon](backon): exponential backoff
//! with jitter, overridden by a `Retry-After` header. Errors never hold the request URL (it may
//! carry an API key in its query string) and credentials are [`Secret`]s, so neither leaks
//! into logs.

use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};

use crate::{Placement, Secret, SecurityScheme};

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

/// A response as it came over the wire: status, headers and the raw body, kept so that no
/// information is lost when the body does not match the spec.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body, as received.
    pub body: bytes::Bytes,
}

impl RawResponse {
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
}

/// A successful response: the typed body plus everything that came with it.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// The typed body.
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
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.raw.headers
    }

    /// The request id of the response (see [`RawResponse::request_id`]).
    pub fn request_id(&self) -> Option<String> {
        self.raw.request_id()
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

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
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
    /// A documented status whose body does not match the documented schema.
    InvalidBody {
        /// Status, headers and raw body.
        response: RawResponse,
        /// Why decoding failed.
        message: String,
    },
    /// The request, or reading the response, took longer than the configured timeout.
    Timeout,
    /// Connecting, sending or receiving failed.
    Transport(TransportError),
    /// The request could not be built: an input that breaks the spec's rules, or missing
    /// credentials.
    InvalidRequest(String),
}

impl<E> Error<E> {
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

    /// The typed documented error, if this is one.
    pub fn api_error(&self) -> Option<&E> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
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

impl<E: std::fmt::Debug> std::fmt::Display for Error<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Api { error, response } => write!(f, "the API answered {}: {:?}", response.status, error),
            Self::UnexpectedStatus(r) => write!(f, "the API answered with undocumented status {}", r.status),
            Self::InvalidBody { response, message } => {
                write!(f, "the API's {} response does not match the spec: {message}", response.status)
            }
            Self::Timeout => f.write_str("the request timed out"),
            Self::Transport(e) => write!(f, "transport error: {e}"),
            Self::InvalidRequest(m) => write!(f, "invalid request: {m}"),
        }
    }
}

impl<E: std::fmt::Debug> std::error::Error for Error<E> {}

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

/// A documented error whose JSON body decodes into the variant `variant` of `E`.
///
/// # Errors
///
/// Always: [`Error::Api`] with the typed body, or [`Error::InvalidBody`].
pub fn api_json<T: serde::de::DeserializeOwned, E, R>(raw: RawResponse, variant: fn(T) -> E) -> Result<R, Error<E>> {
    let error = variant(decode_json(&raw)?);
    Err(Error::Api { error, response: raw })
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

/// Whether a pagination link or counter says there is more.
pub trait HasValue {
    /// True when the link is present (and not empty).
    fn has_value(&self) -> bool;
}

impl<T> HasValue for Option<T> {
    fn has_value(&self) -> bool {
        self.is_some()
    }
}

impl HasValue for String {
    fn has_value(&self) -> bool {
        !self.is_empty()
    }
}

impl HasValue for serde_json::Value {
    fn has_value(&self) -> bool {
        !self.is_null()
    }
}

/// True when fewer pages than `total` were read after reading page `page` (1-based).
pub fn fewer_pages_read(page: impl TryInto<i64>, total: impl TryInto<i64>) -> bool {
    match (page.try_into(), total.try_into()) {
        (Ok(page), Ok(total)) => page < total,
        _ => false,
    }
}

/// The credentials of an API's security schemes (the generated `Credentials` implements it).
pub trait Credentials: std::fmt::Debug + Clone + Send + Sync + 'static {
    /// The API's security schemes.
    type Scheme: SecurityScheme;
    /// The credential for `scheme`, when one was given.
    fn secret(&self, scheme: Self::Scheme) -> Option<&Secret>;
}

/// A header value marked sensitive (hidden from reqwest's and hyper's debug output).
fn sensitive(value: &str, scheme: &str) -> Result<reqwest::header::HeaderValue, String> {
    let mut v = reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| format!("the `{scheme}` credential contains characters a header cannot carry"))?;
    v.set_sensitive(true);
    Ok(v)
}

/// Applies the first of the operation's security `alternatives` whose credentials are all
/// present (an empty list needs none).
fn authorize<C: Credentials>(
    credentials: &C,
    alternatives: &[&[C::Scheme]],
    mut request: reqwest::RequestBuilder,
    query: &mut Vec<(String, String)>,
) -> Result<reqwest::RequestBuilder, String> {
    if alternatives.is_empty() {
        return Ok(request);
    }
    let Some(chosen) = alternatives.iter().find(|alt| alt.iter().all(|s| credentials.secret(*s).is_some())) else {
        let needed: Vec<String> = alternatives.iter().map(|alt| alt.iter().map(|s| s.key()).collect::<Vec<_>>().join(" + ")).collect();
        return Err(format!("missing credentials: this operation needs {}", needed.join(" or ")));
    };
    for &scheme in chosen.iter() {
        let Some(secret) = credentials.secret(scheme) else { continue };
        let key = scheme.key();
        request = match scheme.placement() {
            Placement::Header(name) => request.header(name, sensitive(secret.expose(), key)?),
            Placement::Query(name) => {
                query.push((name.to_string(), secret.expose().to_string()));
                request
            }
            Placement::Cookie(name) => request.header(reqwest::header::COOKIE, sensitive(&format!("{name}={}", secret.expose()), key)?),
            Placement::Bearer => request.header(reqwest::header::AUTHORIZATION, sensitive(&format!("Bearer {}", secret.expose()), key)?),
            Placement::Basic => {
                let (user, password) = secret.expose().split_once(':').unwrap_or((secret.expose(), ""));
                request.basic_auth(user, Some(password))
            }
            Placement::Other => request,
        };
    }
    Ok(request)
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
}

impl<T: FromTransport> ClientBuilder<T> {
    /// A builder for a client of the API at `base_url` with `credentials` and the default
    /// settings (30 s timeout, 10 s connect timeout, [`RetryPolicy::default`]).
    pub fn new(base_url: impl Into<String>, credentials: T::Credentials) -> Self {
        Self {
            base_url: base_url.into(),
            credentials,
            timeout: None,
            connect_timeout: None,
            user_agent: T::USER_AGENT.to_string(),
            http: None,
            retry: RetryPolicy::default(),
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
    /// builder's timeouts and user agent are ignored).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The retry policy ([`RetryPolicy::none`] turns retries off).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// When the HTTP client cannot be created (the TLS backend fails to initialize).
    pub fn build(self) -> Result<T, Error<std::convert::Infallible>> {
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout.unwrap_or(Duration::from_secs(30)))
                .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                .user_agent(self.user_agent)
                .build()
                .map_err(transport)?,
        };
        let base_url = self.base_url.trim_end_matches('/').to_string();
        Ok(T::from_transport(Transport { inner: Arc::new(Inner { http, base_url, credentials: self.credentials, retry: self.retry }) }))
    }

    /// Builds the client with the default settings.
    ///
    /// # Panics
    ///
    /// Only when the TLS backend cannot be initialized, like `reqwest::Client::new`; use
    /// [`ClientBuilder::build`] to handle that as an error.
    pub fn build_or_panic(self) -> T {
        match self.build() {
            Ok(client) => client,
            Err(e) => panic!("cannot initialize the HTTP client: {e}"),
        }
    }
}

/// The connection pool, base URL, credentials and retry policy of a client. Cheap to clone:
/// clones share the pool.
#[derive(Debug, Clone)]
pub struct Transport<C> {
    inner: Arc<Inner<C>>,
}

#[derive(Debug)]
struct Inner<C> {
    http: reqwest::Client,
    base_url: String,
    credentials: C,
    retry: RetryPolicy,
}

/// Why one attempt failed, for the retry loop.
enum Attempt {
    /// A response with a status worth retrying (429, 502, 503, 504), body unread.
    Status(reqwest::Response),
    /// Connecting, sending or receiving failed.
    Failed(reqwest::Error),
    /// The request cannot be sent again (a streamed body); `send` checks this before it retries.
    Unrepeatable,
}

impl<C: Credentials> Transport<C> {
    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// A request to the base URL followed by the path pieces `path` (already percent-encoded).
    pub fn request(&self, method: reqwest::Method, path: &[&str]) -> reqwest::RequestBuilder {
        let mut url = String::with_capacity(self.inner.base_url.len() + path.iter().map(|p| p.len()).sum::<usize>());
        url.push_str(&self.inner.base_url);
        path.iter().for_each(|p| url.push_str(p));
        self.inner.http.request(method, url)
    }

    /// Applies the credentials of the first satisfied security alternative and the query
    /// string, then sends the request (see [`Transport::send`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] for missing credentials or a request that cannot be built,
    /// else as [`Transport::send`].
    pub async fn execute<E>(
        &self,
        request: reqwest::RequestBuilder,
        mut query: Vec<(String, String)>,
        alternatives: &[&[C::Scheme]],
        idempotent: bool,
    ) -> Result<RawResponse, Error<E>> {
        let mut request = authorize(&self.inner.credentials, alternatives, request, &mut query).map_err(Error::InvalidRequest)?;
        if !query.is_empty() {
            request = request.query(&query);
        }
        let request = request.build().map_err(|e| Error::InvalidRequest(e.without_url().to_string()))?;
        self.send(request, idempotent).await
    }

    /// Sends `request`, retrying idempotent requests on transient failures (see
    /// [`RetryPolicy`]), and reads the whole response.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] or [`Error::Transport`] when no response arrived.
    pub async fn send<E>(&self, request: reqwest::Request, idempotent: bool) -> Result<RawResponse, Error<E>> {
        let policy = &self.inner.retry;
        let http = &self.inner.http;
        let retryable = idempotent && policy.max_retries > 0 && request.try_clone().is_some();
        let response = if retryable {
            let attempt = || {
                let request = request.try_clone();
                async move {
                    let Some(request) = request else { return Err(Attempt::Unrepeatable) };
                    match http.execute(request).await {
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
                    Attempt::Failed(e) => e.is_connect(),
                    Attempt::Unrepeatable => false,
                })
                .adjust(|e, backoff| {
                    let backoff = backoff?;
                    match e {
                        Attempt::Status(r) => match retry_after(r.headers()) {
                            Some(wait) if wait > policy.max_retry_after => None,
                            Some(wait) => Some(wait),
                            None => Some(backoff),
                        },
                        Attempt::Failed(_) | Attempt::Unrepeatable => Some(backoff),
                    }
                })
                .await;
            match outcome {
                Ok(r) | Err(Attempt::Status(r)) => r,
                Err(Attempt::Failed(e)) => return Err(transport(e)),
                Err(Attempt::Unrepeatable) => return Err(Error::InvalidRequest("the request body cannot be sent twice".into())),
            }
        } else {
            http.execute(request).await.map_err(transport)?
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?;
        Ok(RawResponse { status, headers, body })
    }

    /// The credentials.
    pub fn credentials(&self) -> &C {
        &self.inner.credentials
    }
}

/// Reads `Retry-After`: delay-seconds or an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
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
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, "7".parse().expect("header"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(reqwest::header::RETRY_AFTER, "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("header"));
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
    }

    #[test]
    fn pagination_helpers() {
        assert!(Some(1).has_value() && !None::<u8>.has_value());
        assert!(!String::new().has_value() && "x".to_string().has_value());
        assert!(fewer_pages_read(1, 2) && !fewer_pages_read(2, 2) && !fewer_pages_read(1u64, u64::MAX));
    }
}
