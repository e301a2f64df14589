//! # apigen-runtime
//!
//! The runtime of the crates [apigen](https://github.com/) generates from OpenAPI documents.
//! A generated crate holds only what differs per API (models, the `Server` enum, credentials,
//! one method, input and response type per operation); everything else lives here, so a fix
//! ships as a release of this crate instead of a diff in every generated crate.
//!
//! Features (all off by default, so a client-only user never compiles axum):
//!
//! - `client`: the async client transport ([`client`]): reqwest with rustls, retries of
//!   idempotent requests with exponential backoff and `Retry-After` (backon), redirects that
//!   never carry a credential to another origin, the safest of an operation's security schemes,
//!   pagination streams, typed responses and headers ([`header`]), and errors with shared
//!   accessors that never show a secret or a URL.
//! - `server`: the axum plumbing of generated servers ([`server`]): authentication against the
//!   API's security schemes, parameter and body reading (JSON, forms, multipart streamed part
//!   by part), the API's own error envelopes, and [`server::serve`], which adds the connection
//!   limits axum's `serve` lacks (header-read timeout, connection cap with idle eviction);
//!   error bodies chosen per operation, typed response headers.
//! - `mock`: `server` plus the multi-threaded runtime the generated mock binaries run on.
//!
//! - `schemars`: `JsonSchema` for [`Binary`], and `json_schema`: the `JsonSchema` impls of
//!   generated models answer the document's own schemas (`json_schema::Definitions`).
//!
//! Always present: [`Secret`] (credentials that never print), [`Binary`] (the bytes of a
//! `format: binary` value), [`validation`] (the rule checks the generated `Validate` impls
//! call), [`params`] (parameters by OpenAPI's style/explode table, written by clients and read
//! by servers) and [`SecurityScheme`]/[`Placement`] (how a scheme's credential travels, shared
//! by client and server).
//!
//! Versioning: semver. Generated crates state `apigen-runtime = "MAJOR.MINOR"` (for 0.x,
//! `0.MINOR`) with the version of the runtime they were generated against; code a generated
//! crate calls is public API of this crate, and changing it incompatibly is a new minor (0.x)
//! or major version.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
// Client errors keep the whole response (status, headers, raw body) by value, and server
// handlers return an early answer as `Err(Response)`: both are the cold path, and boxing would
// cost an allocation on every error.
#![allow(clippy::result_large_err)]

pub mod binary;
pub mod de;
pub mod params;
pub mod secret;
pub mod validation;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "schemars")]
pub mod json_schema;
#[cfg(feature = "server")]
pub mod server;

pub use binary::{Binary, BinaryParts};
pub use secret::{constant_time_eq, Secret};
pub use validation::{Validate, ValidationErrors, Violation};

// The crates generated code names, re-exported so that a generated crate and its runtime always
// agree on their versions.
#[cfg(feature = "server")]
pub use axum;
#[cfg(feature = "client")]
pub use {bytes, futures_util, reqwest};
pub use {regress, serde, serde_json};

/// Where the credential of a security scheme travels on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    /// An API key in the named header.
    Header(&'static str),
    /// An API key in the named query parameter.
    Query(&'static str),
    /// An API key in the named cookie.
    Cookie(&'static str),
    /// A token sent as `Authorization: Bearer <token>`.
    Bearer,
    /// `user:password` sent as `Authorization: Basic`.
    Basic,
    /// A scheme the runtime cannot place by itself (OAuth 2 flows, OpenID Connect, mutual TLS):
    /// the client sends nothing for it, the server hands the whole `Authorization` header to
    /// the implementation.
    Other,
}

impl Placement {
    /// The header, query parameter or cookie that carries the credential.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::Header(name) | Self::Query(name) | Self::Cookie(name) => name,
            Self::Bearer | Self::Basic | Self::Other => "Authorization",
        }
    }
}

/// A security scheme of an API (the generated `Scheme` enum implements it).
pub trait SecurityScheme: Copy + std::fmt::Debug + Send + Sync + 'static {
    /// The key of the scheme in the document's `components/securitySchemes`.
    fn key(self) -> &'static str;
    /// Where its credential travels.
    fn placement(self) -> Placement;
    /// Whether the document marks the scheme deprecated (`deprecated: true` or an `x-deprecated`
    /// marker): clients use it only when no other alternative of an operation is satisfied.
    fn deprecated(self) -> bool {
        false
    }
}

/// Optional properties that may be `null`, in three states: absent (`None`: left out of the
/// JSON, "leave it unchanged" in a PATCH), `null` (`Some(None)`: "clear it") and a value
/// (`Some(Some(v))`). Generated models type them `Option<Option<T>>` with
/// `#[serde(default, skip_serializing_if = "Option::is_none", deserialize_with =
/// "apigen_runtime::nullable::deserialize")]`: serde alone would read `null` as absent.
pub mod nullable {
    use serde::{Deserialize, Deserializer};

    /// Reads a present property: `null` is `Some(None)`, a value `Some(Some(v))` (an absent one
    /// never reaches here: `#[serde(default)]` makes it `None`).
    ///
    /// # Errors
    ///
    /// When the value is neither `null` nor a `T`.
    pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// Typed HTTP headers, shared by the client and the server: a documented header read into its
/// Rust type ([`header::get`], any `FromStr` type: integers, strings, enums, dates) or written
/// from it ([`header::set`], any `Serialize` type), the per-response header structs generated
/// code implements ([`header::FromHeaders`], [`header::ToHeaders`], carried beside the body by
/// [`header::WithHeaders`]), and the headers every API shares: `Retry-After`
/// ([`header::RetryAfter`]), HTTP dates ([`header::HttpDate`]), rate limits
/// ([`header::RateLimit`]) and web links ([`header::links`], RFC 8288).
///
/// (Inline in `lib.rs` rather than its own file so that the generator's embedded copy of the
/// runtime, which lists every file, need not change.)
#[cfg(any(feature = "client", feature = "server"))]
pub mod header {
    use std::fmt;
    use std::str::FromStr;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    pub use http::header::{HeaderMap, HeaderName, HeaderValue};

    /// A documented header that is missing, or whose value is not of its documented type.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct HeaderError {
        /// The header's name.
        pub name: String,
        /// What is wrong with it.
        pub message: String,
    }

    impl HeaderError {
        fn new(name: &str, message: impl Into<String>) -> Self {
            Self { name: name.to_string(), message: message.into() }
        }
    }

    impl fmt::Display for HeaderError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "header `{}` {}", self.name, self.message)
        }
    }

    impl std::error::Error for HeaderError {}

    /// The text of header `name` (its first value, trimmed), if present.
    ///
    /// # Errors
    ///
    /// When the value is not UTF-8 text.
    pub fn text<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, HeaderError> {
        match headers.get(name) {
            None => Ok(None),
            Some(value) => {
                std::str::from_utf8(value.as_bytes()).map(|t| Some(t.trim())).map_err(|_| HeaderError::new(name, "is not UTF-8 text"))
            }
        }
    }

    /// Header `name` parsed into `T` (with `FromStr`), if present.
    ///
    /// # Errors
    ///
    /// When the value is not a `T`; the message has the parser's reason, not the value.
    pub fn get<T>(headers: &HeaderMap, name: &str) -> Result<Option<T>, HeaderError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        match text(headers, name)? {
            None => Ok(None),
            Some(text) => text.parse::<T>().map(Some).map_err(|e| HeaderError::new(name, format!("is not of its documented type: {e}"))),
        }
    }

    /// A required header parsed into `T`.
    ///
    /// # Errors
    ///
    /// When it is missing or not a `T`.
    pub fn require<T>(headers: &HeaderMap, name: &str) -> Result<T, HeaderError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        get(headers, name)?.ok_or_else(|| HeaderError::new(name, "is required"))
    }

    /// A header holding a list (the `simple` style: values separated by commas, across every
    /// line of the header), each element parsed into `T`; empty elements are skipped.
    ///
    /// # Errors
    ///
    /// When an element is not a `T`, or a line is not UTF-8 text.
    pub fn get_list<T>(headers: &HeaderMap, name: &str) -> Result<Option<Vec<T>>, HeaderError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        let mut out = None::<Vec<T>>;
        for value in headers.get_all(name) {
            let line = std::str::from_utf8(value.as_bytes()).map_err(|_| HeaderError::new(name, "is not UTF-8 text"))?;
            let list = out.get_or_insert_with(Vec::new);
            for item in line.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                list.push(
                    item.parse::<T>().map_err(|e| HeaderError::new(name, format!("has an element not of its documented type: {e}")))?,
                );
            }
        }
        Ok(out)
    }

    /// The header value of `value`, written as its JSON form says: a string as itself, a
    /// number or boolean as its JSON text, an array of scalars as its elements separated by
    /// commas and an object as `key,value,...` (OpenAPI's `simple` style); `None` for `null`.
    ///
    /// # Errors
    ///
    /// When the value cannot be serialized, nests arrays or objects, or contains characters
    /// a header cannot carry (control characters: no header injection).
    pub fn value<T: serde::Serialize + ?Sized>(value: &T) -> Result<Option<HeaderValue>, String> {
        fn scalar(value: &serde_json::Value) -> Result<String, String> {
            match value {
                serde_json::Value::String(s) => Ok(s.clone()),
                serde_json::Value::Number(n) => Ok(n.to_string()),
                serde_json::Value::Bool(b) => Ok(b.to_string()),
                serde_json::Value::Null => Ok(String::new()),
                _ => Err("a nested array or object cannot be a header value".to_string()),
            }
        }
        let json = serde_json::to_value(value).map_err(|e| e.to_string())?;
        let text = match &json {
            serde_json::Value::Null => return Ok(None),
            serde_json::Value::Array(items) => items.iter().map(scalar).collect::<Result<Vec<_>, _>>()?.join(","),
            serde_json::Value::Object(map) => {
                let mut parts = Vec::with_capacity(map.len() * 2);
                for (k, v) in map {
                    parts.push(k.clone());
                    parts.push(scalar(v)?);
                }
                parts.join(",")
            }
            other => scalar(other)?,
        };
        HeaderValue::from_bytes(text.as_bytes()).map(Some).map_err(|_| "the value contains characters a header cannot carry".to_string())
    }

    /// Sets header `name` to `value` (see [`value`]); a `null` value (`None`) sets nothing.
    ///
    /// # Errors
    ///
    /// When `name` is not a header name or the value cannot be a header value.
    pub fn set<T: serde::Serialize + ?Sized>(headers: &mut HeaderMap, name: &str, value: &T) -> Result<(), HeaderError> {
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| HeaderError::new(name, "is not a valid header name"))?;
        if let Some(v) = self::value(value).map_err(|e| HeaderError::new(name, e))? {
            headers.insert(header, v);
        }
        Ok(())
    }

    /// The documented headers of one response, read from the response (the generated
    /// `<Op><Status>Headers` structs implement it on the client).
    pub trait FromHeaders: Sized {
        /// Reads and types every documented header.
        ///
        /// # Errors
        ///
        /// The first required header that is missing, or header that is not of its type.
        fn from_headers(headers: &HeaderMap) -> Result<Self, HeaderError>;
    }

    impl FromHeaders for () {
        fn from_headers(_: &HeaderMap) -> Result<Self, HeaderError> {
            Ok(())
        }
    }

    /// The documented headers of one response, written into the response (the generated
    /// `<Op><Status>Headers` structs implement it on the server).
    pub trait ToHeaders {
        /// Writes every header that has a value.
        ///
        /// # Errors
        ///
        /// A value that cannot be a header value.
        fn to_headers(&self, headers: &mut HeaderMap) -> Result<(), HeaderError>;
    }

    impl ToHeaders for () {
        fn to_headers(&self, _: &mut HeaderMap) -> Result<(), HeaderError> {
            Ok(())
        }
    }

    /// A body together with the documented headers of its response. Dereferences to the body,
    /// so the body's fields read as before.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct WithHeaders<T, H> {
        /// The body.
        pub body: T,
        /// The documented headers, typed.
        pub headers: H,
    }

    impl<T, H> std::ops::Deref for WithHeaders<T, H> {
        type Target = T;
        fn deref(&self) -> &T {
            &self.body
        }
    }

    impl<T, H> std::ops::DerefMut for WithHeaders<T, H> {
        fn deref_mut(&mut self) -> &mut T {
            &mut self.body
        }
    }

    /// A point in time written as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`; the obsolete
    /// RFC 850 and asctime forms are read too), as in `Date`, `Last-Modified`, `Expires`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct HttpDate(pub SystemTime);

    impl FromStr for HttpDate {
        type Err = String;
        fn from_str(s: &str) -> Result<Self, String> {
            httpdate::parse_http_date(s.trim()).map(Self).map_err(|_| "not an HTTP date".to_string())
        }
    }

    impl fmt::Display for HttpDate {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&httpdate::fmt_http_date(self.0))
        }
    }

    impl serde::Serialize for HttpDate {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_str(&self.to_string())
        }
    }

    impl From<SystemTime> for HttpDate {
        fn from(time: SystemTime) -> Self {
            Self(time)
        }
    }

    /// A `Retry-After` value (RFC 9110, 10.2.3): a number of seconds, or an HTTP date.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum RetryAfter {
        /// Wait this long.
        Delay(Duration),
        /// Wait until then.
        At(SystemTime),
    }

    impl RetryAfter {
        /// How long to wait from now (zero for a date in the past).
        pub fn delay(&self) -> Duration {
            self.delay_from(SystemTime::now())
        }

        /// How long to wait from `now`.
        pub fn delay_from(&self, now: SystemTime) -> Duration {
            match self {
                Self::Delay(d) => *d,
                Self::At(at) => at.duration_since(now).unwrap_or(Duration::ZERO),
            }
        }

        /// The `Retry-After` header of `headers`, if present and valid.
        pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
            get(headers, "retry-after").ok().flatten()
        }
    }

    impl FromStr for RetryAfter {
        type Err = String;
        fn from_str(s: &str) -> Result<Self, String> {
            let s = s.trim();
            if let Ok(seconds) = s.parse::<u64>() {
                return Ok(Self::Delay(Duration::from_secs(seconds)));
            }
            httpdate::parse_http_date(s).map(Self::At).map_err(|_| "neither seconds nor an HTTP date".to_string())
        }
    }

    impl fmt::Display for RetryAfter {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Self::Delay(d) => write!(f, "{}", d.as_secs()),
                Self::At(at) => f.write_str(&httpdate::fmt_http_date(*at)),
            }
        }
    }

    impl serde::Serialize for RetryAfter {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_str(&self.to_string())
        }
    }

    /// A rate-limit state announced by a response, from whichever convention it uses:
    /// `RateLimit-Limit`/`-Remaining`/`-Reset` (IETF drafts up to 06), the same with an
    /// `X-RateLimit-` or `X-Rate-Limit-` prefix (GitHub, Twitter and many more), or the
    /// structured `RateLimit: limit=.., remaining=.., reset=..` (draft 07) and `RateLimit:
    /// "name";r=..;t=..` with `RateLimit-Policy: "name";q=..` (draft 08 on).
    ///
    /// A reset of 10^9 or more is a Unix time in seconds (10^11 or more: milliseconds), a
    /// smaller one a number of seconds from now, as the conventions differ on it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub struct RateLimit {
        /// The requests allowed in the window.
        pub limit: Option<u64>,
        /// The requests left in the window.
        pub remaining: Option<u64>,
        /// When the window resets.
        pub reset: Option<RetryAfter>,
    }

    /// The leading unsigned integer of a header value (`100, 100;w=60` -> 100).
    fn leading_number(text: &str) -> Option<u64> {
        let text = text.trim_start();
        let end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        text[..end].parse().ok()
    }

    fn reset_of(text: &str) -> Option<RetryAfter> {
        match leading_number(text) {
            Some(n) if n >= 100_000_000_000 => Some(RetryAfter::At(UNIX_EPOCH + Duration::from_millis(n))),
            Some(n) if n >= 1_000_000_000 => Some(RetryAfter::At(UNIX_EPOCH + Duration::from_secs(n))),
            Some(n) => Some(RetryAfter::Delay(Duration::from_secs(n))),
            None => text.parse::<RetryAfter>().ok(),
        }
    }

    impl RateLimit {
        /// The rate-limit state `headers` announce, if they announce one.
        pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
            let mut out = Self::default();
            let read = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
            for prefix in ["ratelimit-", "x-ratelimit-", "x-rate-limit-"] {
                let at = |suffix: &str| read(&format!("{prefix}{suffix}"));
                out.limit = out.limit.or_else(|| at("limit").and_then(leading_number));
                out.remaining = out.remaining.or_else(|| at("remaining").and_then(leading_number));
                out.reset = out.reset.or_else(|| at("reset").and_then(reset_of));
            }
            // Structured fields: `limit=10, remaining=5, reset=3` or `"default";r=5;t=3`.
            let pairs = |text: &str| -> Vec<(String, String)> {
                text.split([',', ';'])
                    .filter_map(|item| {
                        let (k, v) = item.split_once('=')?;
                        Some((k.trim().to_ascii_lowercase(), v.trim().trim_matches('"').to_string()))
                    })
                    .collect()
            };
            if let Some(text) = read("ratelimit") {
                for (k, v) in pairs(text) {
                    match k.as_str() {
                        "limit" => out.limit = out.limit.or_else(|| leading_number(&v)),
                        "remaining" | "r" => out.remaining = out.remaining.or_else(|| leading_number(&v)),
                        "reset" | "t" => out.reset = out.reset.or_else(|| reset_of(&v)),
                        _ => {}
                    }
                }
            }
            if let Some(text) = read("ratelimit-policy") {
                out.limit = out.limit.or_else(|| leading_number(text));
                for (k, v) in pairs(text) {
                    if k == "q" {
                        out.limit = out.limit.or_else(|| leading_number(&v));
                    }
                }
            }
            (out != Self::default()).then_some(out)
        }
    }

    /// One link of a `Link` header (RFC 8288): its target as written (possibly relative to the
    /// response's URL) and its relation types, lowercase.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Link {
        /// The target URI, as written between `<` and `>`.
        pub target: String,
        /// The relation types (`rel`, split at spaces, lowercase).
        pub rel: Vec<String>,
        /// Every other parameter, name lowercase, value unquoted.
        pub params: Vec<(String, String)>,
    }

    /// Every link of every `Link` header of `headers`, in order. Malformed links are skipped.
    pub fn links(headers: &HeaderMap) -> Vec<Link> {
        let mut out = Vec::new();
        for value in headers.get_all("link") {
            if let Ok(text) = std::str::from_utf8(value.as_bytes()) {
                parse_links(text, &mut out);
            }
        }
        out
    }

    /// The target of the first link with relation type `next`, if any and not empty.
    pub fn next_link(headers: &HeaderMap) -> Option<String> {
        links(headers).into_iter().find(|l| l.rel.iter().any(|r| r == "next")).map(|l| l.target).filter(|t| !t.is_empty())
    }

    fn parse_links(text: &str, out: &mut Vec<Link>) {
        let mut rest = text;
        loop {
            rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
            let Some(after) = rest.strip_prefix('<') else {
                // Not a link: skip to the next comma outside quotes.
                match skip_value(rest) {
                    Some(next) => {
                        rest = next;
                        continue;
                    }
                    None => return,
                }
            };
            let Some(close) = after.find('>') else { return };
            let mut link = Link { target: after[..close].trim().to_string(), rel: Vec::new(), params: Vec::new() };
            rest = &after[close + 1..];
            loop {
                rest = rest.trim_start();
                let Some(param) = rest.strip_prefix(';') else { break };
                let param = param.trim_start();
                let end = param.find(['=', ';', ',']).unwrap_or(param.len());
                let name = param[..end].trim().to_ascii_lowercase();
                rest = &param[end..];
                let mut value = String::new();
                if let Some(v) = rest.strip_prefix('=') {
                    let v = v.trim_start();
                    if let Some(quoted) = v.strip_prefix('"') {
                        let mut chars = quoted.char_indices();
                        let mut consumed = quoted.len();
                        while let Some((i, c)) = chars.next() {
                            match c {
                                '\\' => {
                                    if let Some((_, escaped)) = chars.next() {
                                        value.push(escaped);
                                    }
                                }
                                '"' => {
                                    consumed = i + 1;
                                    break;
                                }
                                c => value.push(c),
                            }
                        }
                        rest = &quoted[consumed..];
                    } else {
                        let end = v.find([';', ',']).unwrap_or(v.len());
                        value = v[..end].trim().to_string();
                        rest = &v[end..];
                    }
                }
                if name == "rel" {
                    link.rel.extend(value.split_whitespace().map(str::to_ascii_lowercase));
                } else if !name.is_empty() {
                    link.params.push((name, value));
                }
            }
            out.push(link);
            if rest.trim().is_empty() {
                return;
            }
        }
    }

    /// The text after the next comma that is not inside quotes or `<...>`.
    fn skip_value(text: &str) -> Option<&str> {
        let (mut quoted, mut angled, mut escaped) = (false, false, false);
        for (i, c) in text.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if quoted => escaped = true,
                '"' if !angled => quoted = !quoted,
                '<' if !quoted => angled = true,
                '>' if !quoted => angled = false,
                ',' if !quoted && !angled => return Some(&text[i + 1..]),
                _ => {}
            }
        }
        None
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn map(pairs: &[(&'static str, &str)]) -> HeaderMap {
            let mut headers = HeaderMap::new();
            for (k, v) in pairs {
                headers.append(*k, HeaderValue::from_str(v).expect("value"));
            }
            headers
        }

        #[test]
        fn documented_headers_parse_into_their_types() {
            let h = map(&[("x-count", " 42 "), ("location", "/books/7"), ("x-bad", "forty"), ("x-list", "1, 2"), ("x-list", "3")]);
            assert_eq!(get::<i64>(&h, "x-count"), Ok(Some(42)));
            assert_eq!(get::<String>(&h, "location").expect("text").as_deref(), Some("/books/7"));
            assert_eq!(get::<u8>(&h, "x-absent"), Ok(None));
            let err = get::<i32>(&h, "x-bad").expect_err("not a number");
            assert!(err.to_string().starts_with("header `x-bad` is not of its documented type"), "{err}");
            assert!(!err.to_string().contains("forty"), "the value is not echoed: {err}");
            assert_eq!(require::<i32>(&h, "x-absent").expect_err("missing").to_string(), "header `x-absent` is required");
            assert_eq!(get_list::<u8>(&h, "x-list"), Ok(Some(vec![1, 2, 3])));
        }

        #[test]
        fn typed_values_write_as_header_text() {
            let mut h = HeaderMap::new();
            set(&mut h, "x-count", &42u32).expect("number");
            set(&mut h, "x-flag", &true).expect("bool");
            set(&mut h, "x-ids", &[1, 2, 3]).expect("list");
            set(&mut h, "x-obj", &serde_json::json!({"a": 1, "b": "x"})).expect("object");
            set(&mut h, "x-none", &None::<String>).expect("null");
            set(&mut h, "retry-after", &RetryAfter::Delay(Duration::from_secs(30))).expect("retry-after");
            let at = UNIX_EPOCH + Duration::from_secs(784_111_777);
            set(&mut h, "last-modified", &HttpDate(at)).expect("date");
            let text = |n: &str| h.get(n).map(|v| v.to_str().expect("ascii").to_string());
            assert_eq!(text("x-count").as_deref(), Some("42"));
            assert_eq!(text("x-flag").as_deref(), Some("true"));
            assert_eq!(text("x-ids").as_deref(), Some("1,2,3"));
            assert_eq!(text("x-obj").as_deref(), Some("a,1,b,x"));
            assert_eq!(text("x-none"), None);
            assert_eq!(text("retry-after").as_deref(), Some("30"));
            assert_eq!(text("last-modified").as_deref(), Some("Sun, 06 Nov 1994 08:49:37 GMT"));
            assert_eq!(get::<HttpDate>(&h, "last-modified"), Ok(Some(HttpDate(at))));
            assert!(set(&mut h, "x-evil", "a\r\nset-cookie: x").is_err(), "no header injection");
            assert!(set(&mut h, "bad name", "x").is_err());
        }

        #[test]
        fn retry_after_reads_seconds_and_dates() {
            let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
            assert_eq!("120".parse::<RetryAfter>(), Ok(RetryAfter::Delay(Duration::from_secs(120))));
            let date: RetryAfter = "Sun, 06 Nov 1994 08:49:37 GMT".parse().expect("date");
            assert_eq!(date, RetryAfter::At(UNIX_EPOCH + Duration::from_secs(784_111_777)));
            assert_eq!(RetryAfter::At(now + Duration::from_secs(5)).delay_from(now), Duration::from_secs(5));
            assert_eq!(RetryAfter::At(now).delay_from(now + Duration::from_secs(5)), Duration::ZERO);
            assert!("soon".parse::<RetryAfter>().is_err());
            assert_eq!(RetryAfter::from_headers(&map(&[("retry-after", "7")])), Some(RetryAfter::Delay(Duration::from_secs(7))));
        }

        #[test]
        fn rate_limits_read_every_convention() {
            let secs = |n| Some(RetryAfter::Delay(Duration::from_secs(n)));
            let github = map(&[("x-ratelimit-limit", "5000"), ("x-ratelimit-remaining", "4999"), ("x-ratelimit-reset", "1372700873")]);
            let at = Some(RetryAfter::At(UNIX_EPOCH + Duration::from_secs(1_372_700_873)));
            assert_eq!(RateLimit::from_headers(&github), Some(RateLimit { limit: Some(5000), remaining: Some(4999), reset: at }));
            let draft6 = map(&[("ratelimit-limit", "100, 100;w=60"), ("ratelimit-remaining", "50"), ("ratelimit-reset", "30")]);
            assert_eq!(RateLimit::from_headers(&draft6), Some(RateLimit { limit: Some(100), remaining: Some(50), reset: secs(30) }));
            let draft7 = map(&[("ratelimit", "limit=10, remaining=5, reset=3")]);
            assert_eq!(RateLimit::from_headers(&draft7), Some(RateLimit { limit: Some(10), remaining: Some(5), reset: secs(3) }));
            let draft8 = map(&[("ratelimit", "\"default\";r=5;t=3"), ("ratelimit-policy", "\"default\";q=10;w=60")]);
            assert_eq!(RateLimit::from_headers(&draft8), Some(RateLimit { limit: Some(10), remaining: Some(5), reset: secs(3) }));
            let twitter = map(&[("x-rate-limit-remaining", "0")]);
            assert_eq!(RateLimit::from_headers(&twitter), Some(RateLimit { remaining: Some(0), ..Default::default() }));
            assert_eq!(RateLimit::from_headers(&map(&[("x-other", "1")])), None);
        }

        #[test]
        fn link_headers_parse_per_rfc_8288() {
            let h = map(&[
                (
                    "link",
                    r#"<https://api.example.com/items?page=2&a=1,2>; rel="next last", <https://x/prev>; rel=prev; title="a \"q\", b""#,
                ),
                ("link", "garbage, </third>;rel=Next"),
            ]);
            let all = links(&h);
            assert_eq!(all.len(), 3, "{all:?}");
            assert_eq!(all[0].target, "https://api.example.com/items?page=2&a=1,2");
            assert_eq!(all[0].rel, ["next", "last"]);
            assert_eq!(all[1].rel, ["prev"]);
            assert_eq!(all[1].params, [("title".to_string(), "a \"q\", b".to_string())]);
            assert_eq!(all[2].target, "/third");
            assert_eq!(all[2].rel, ["next"]);
            assert_eq!(next_link(&h).as_deref(), Some("https://api.example.com/items?page=2&a=1,2"));
            assert_eq!(next_link(&map(&[("link", "<>; rel=next")])), None);
            let tricky = map(&[("link", r#"title="a, <https://evil/>; rel=next; x=", <https://good/>; rel=next"#)]);
            assert_eq!(next_link(&tricky).as_deref(), Some("https://good/"), "a quoted comma does not end an item");
            assert_eq!(next_link(&map(&[("link", "<https://x/1>; rel=prev")])), None);
        }

        #[test]
        fn bodies_carry_their_headers_and_deref_to_the_body() {
            let mut w = WithHeaders { body: vec![1, 2], headers: () };
            w.push(3);
            assert_eq!(w.len(), 3);
            assert_eq!(<()>::from_headers(&HeaderMap::new()), Ok(()));
        }
    }
}
