//! What the generated mock servers share: answering an operation with the example its
//! document gives (like Stoplight Prism), and the mock binary's `main`.
//!
//! The answer is the documented response of the status asked for with `Prefer: code=NNN`,
//! else the first success with an example (or without content), else the smallest body the
//! success schema allows (written by the generator, when no success has an example), else the
//! first documented example of any status, else the API's internal error with status 501.

use std::sync::OnceLock;

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{json_response, ApiSpec, Rejection, Secret};

/// The bundled OpenAPI document of a generated crate, parsed on first use.
#[derive(Debug)]
pub struct Document {
    text: &'static str,
    parsed: OnceLock<Value>,
}

/// What the generator prepared for a generated mock's answers, one entry per operation in the
/// order of its `Api` methods, as JSON text (parsed on first use):
/// `[{"method": "get", "path": "/pets/{id}", "minimal": [[KEY, BODY], ...], "sent": [[KEY,
/// HEADER, VALUE], ...]}, ...]`, with `minimal` the smallest body of each documented response
/// without an example and `sent` the value of each documented response header (its example,
/// else the smallest value its schema allows), by response key. Data rather than code, so the
/// generated crate has nothing to type-check for it.
#[derive(Debug)]
pub struct Answers {
    text: &'static str,
    parsed: OnceLock<Vec<Canned>>,
}

/// One operation's entry of [`Answers`], its JSON values as text.
#[derive(Debug, Default)]
struct Canned {
    method: String,
    path: String,
    minimal: Vec<(String, String)>,
    sent: Vec<(String, String, String)>,
}

impl Answers {
    /// The table whose JSON text is `text`.
    pub const fn new(text: &'static str) -> Self {
        Self { text, parsed: OnceLock::new() }
    }

    fn entries(&self) -> &[Canned] {
        self.parsed.get_or_init(|| {
            let Ok(Value::Array(entries)) = serde_json::from_str::<Value>(self.text) else { return Vec::new() };
            let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
            let rows = |entry: &Value, key: &str| entry.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
            entries
                .iter()
                .map(|entry| Canned {
                    method: text(&entry["method"]),
                    path: text(&entry["path"]),
                    minimal: rows(entry, "minimal").iter().map(|row| (text(&row[0]), row[1].to_string())).collect(),
                    sent: rows(entry, "sent").iter().map(|row| (text(&row[0]), text(&row[1]), row[2].to_string())).collect(),
                })
                .collect()
        })
    }

    /// The answer of `document` to the operation at `index` ([`Document::answer_with`] with
    /// its entry); an index without an entry is answered as an operation the document does
    /// not describe.
    pub fn answer(&self, document: &Document, spec: &'static ApiSpec, headers: &HeaderMap, index: usize) -> Response {
        let empty = Canned::default();
        let canned = self.entries().get(index).unwrap_or(&empty);
        let minimal: Vec<(&str, &str)> = canned.minimal.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let sent: Vec<(&str, &str, &str)> = canned.sent.iter().map(|(k, n, v)| (k.as_str(), n.as_str(), v.as_str())).collect();
        document.answer_with(spec, headers, &canned.method, &canned.path, &minimal, &sent)
    }
}

/// The credentials a mock accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys(Vec<String>);

impl Keys {
    /// Any non-empty credential.
    pub fn any() -> Self {
        Self(Vec::new())
    }

    /// Only these credentials (compared in constant time); none given means any.
    pub fn only(keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self(keys.into_iter().map(Into::into).collect())
    }

    /// Whether `credential` is accepted.
    pub fn accepts(&self, credential: &Secret) -> bool {
        if self.0.is_empty() {
            !credential.is_empty()
        } else {
            self.0.iter().fold(false, |found, k| credential.matches(k) | found)
        }
    }
}

/// The header of a mock's answer that explains it (a `Prefer: code=N` the operation does not
/// document).
pub const MOCK_HEADER: &str = "x-mock-reason";

/// The status asked for with `Prefer: code=NNN`.
fn prefer_code(headers: &HeaderMap) -> Option<u16> {
    let prefer = headers.get("prefer")?.to_str().ok()?;
    prefer.split([',', ';']).find_map(|part| part.trim().strip_prefix("code=")).and_then(|c| c.trim().parse().ok())
}

/// What a documented response offers the mock.
enum Offer<'a> {
    /// An example, with its media type.
    Example(&'a str, &'a Value),
    /// A response without content.
    Empty,
    /// Content without an example.
    Nothing,
}

/// The status a response key stands for (`4XX`: 400, `default`: `fallback`).
fn status_of(key: &str, fallback: u16) -> u16 {
    match key.parse::<u16>() {
        Ok(code) => code,
        Err(_) => match (key.get(..1).map(str::parse::<u16>), key.get(1..)) {
            (Some(Ok(class)), Some(rest)) if rest.eq_ignore_ascii_case("xx") => class * 100,
            _ => fallback,
        },
    }
}

fn send(status: u16, offer: Offer<'_>) -> Option<Response> {
    let code = axum::http::StatusCode::from_u16(status).ok()?;
    match offer {
        Offer::Empty => Some(code.into_response()),
        Offer::Nothing => None,
        // Non-JSON media types get a string example as the text itself.
        Offer::Example(media, Value::String(text)) if !media.contains("json") => {
            Some((code, [(axum::http::header::CONTENT_TYPE, media.to_string())], text.clone()).into_response())
        }
        Offer::Example(media, value) => {
            let bytes = serde_json::to_vec(value).ok()?;
            Some((code, [(axum::http::header::CONTENT_TYPE, media.to_string())], bytes).into_response())
        }
    }
}

impl Document {
    /// The document whose JSON text is `text` (`include_str!("../openapi.json")`).
    pub const fn new(text: &'static str) -> Self {
        Self { text, parsed: OnceLock::new() }
    }

    fn value(&self) -> &Value {
        self.parsed.get_or_init(|| serde_json::from_str(self.text).unwrap_or(Value::Null))
    }

    /// Follows local `$ref`s (a bounded number of times).
    fn follow<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        let doc = self.value();
        for _ in 0..8 {
            match value.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')).and_then(|p| doc.pointer(p)) {
                Some(next) => value = next,
                None => break,
            }
        }
        value
    }

    /// The first example of a response (media types in document order), or whether it has no
    /// content at all.
    fn offer<'a>(&'a self, response: &'a Value) -> Offer<'a> {
        let Some(content) = self.follow(response).get("content").and_then(Value::as_object).filter(|c| !c.is_empty()) else {
            return Offer::Empty;
        };
        for (media, m) in content {
            let m = self.follow(m);
            let value = m.get("example").or_else(|| {
                let first = m.get("examples").and_then(Value::as_object).and_then(|e| e.values().next())?;
                self.follow(first).get("value")
            });
            if let Some(value) = value {
                return Offer::Example(media, value);
            }
        }
        Offer::Nothing
    }

    /// The mock's answer to `method path`, with `minimal` the smallest body each documented
    /// response's schema allows (`(response key, JSON text)`, written by the generator for the
    /// responses without an example):
    ///
    /// - with `Prefer: code=N`: the response documented for `N` (exactly, else its class
    ///   `NXX`, else `default`) answers with status `N`: its example, else its smallest body;
    ///   a code the operation does not document is an error answer (status 501, in the API's
    ///   internal-error shape) that says so in its [`MOCK_HEADER`] and, where the body has a
    ///   `{{message}}`, in its body; never a success;
    /// - otherwise as [`Document::answer`], the first success with an example (or without
    ///   content), else the first success's smallest body.
    pub fn answer_minimal(
        &self,
        spec: &'static ApiSpec,
        headers: &HeaderMap,
        method: &str,
        path: &str,
        minimal: &[(&str, &str)],
    ) -> Response {
        self.answer_with(spec, headers, method, path, minimal, &[])
    }

    /// As [`Document::answer_minimal`], and the answer carries the documented headers of the
    /// response it comes from: `sent` holds `(response key, header name, JSON text of the
    /// value)`, written by the generator (the header's example, else the smallest value its
    /// schema allows), and each value is written as header text by
    /// [`crate::header::set`] (a list or an object in the simple style).
    pub fn answer_with(
        &self,
        spec: &'static ApiSpec,
        headers: &HeaderMap,
        method: &str,
        path: &str,
        minimal: &[(&str, &str)],
        sent: &[(&str, &str, &str)],
    ) -> Response {
        let (key, mut response) = self.choose(spec, headers, method, path, minimal);
        if let Some(key) = key {
            for (_, name, text) in sent.iter().filter(|(k, _, _)| k.eq_ignore_ascii_case(key)) {
                if let Ok(value) = serde_json::from_str::<Value>(text) {
                    // A value the generator checked against its schema; one that cannot be header
                    // text (a nested list) is left out rather than failing the answer.
                    let _ = crate::header::set(response.headers_mut(), name, &value);
                }
            }
        }
        response
    }

    /// The answer of [`Document::answer_minimal`], with the key of the documented response
    /// it comes from (none for the mock's own 501).
    fn choose<'a>(
        &'a self,
        spec: &'static ApiSpec,
        headers: &HeaderMap,
        method: &str,
        path: &str,
        minimal: &[(&str, &str)],
    ) -> (Option<&'a str>, Response) {
        static EMPTY: OnceLock<serde_json::Map<String, Value>> = OnceLock::new();
        let responses =
            self.value()["paths"][path][method]["responses"].as_object().unwrap_or_else(|| EMPTY.get_or_init(serde_json::Map::new));
        let smallest = |key: &str, status: u16| {
            let (_, text) = minimal.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))?;
            let value = serde_json::from_str::<Value>(text).ok()?;
            axum::http::StatusCode::from_u16(status).ok()?;
            Some(json_response(status, &value))
        };
        if let Some(code) = prefer_code(headers) {
            let class = format!("{}xx", code / 100);
            let found = responses
                .iter()
                .find(|(k, _)| k.parse::<u16>().ok() == Some(code))
                .or_else(|| responses.iter().find(|(k, _)| k.eq_ignore_ascii_case(&class)))
                .or_else(|| responses.iter().find(|(k, _)| k.as_str() == "default"));
            let answer = found.and_then(|(k, r)| {
                let response = match self.offer(r) {
                    Offer::Nothing => smallest(k, code),
                    offer => send(code, offer),
                };
                Some((Some(k.as_str()), response?))
            });
            return answer.unwrap_or_else(|| {
                let documented: Vec<&str> = responses.keys().map(String::as_str).collect();
                let message = format!(
                    "`Prefer: code={code}` asks for a response this operation does not document (documented: {})",
                    documented.join(", ")
                );
                let mut body = spec.reject(Rejection::Internal, "mock", message.clone(), path).body();
                if body.is_null() {
                    body = Value::Object(serde_json::Map::new());
                }
                // The API's internal-error body may be fixed: the header always says why.
                let mut response = json_response(501, &body);
                if let Ok(value) = axum::http::HeaderValue::from_str(&message) {
                    response.headers_mut().insert(MOCK_HEADER, value);
                }
                (None, response)
            });
        }
        let successes = || responses.iter().filter(|(k, _)| k.starts_with('2'));
        let keyed = |(k, response): (&'a String, Option<Response>)| Some((Some(k.as_str()), response?));
        if let Some(answer) = successes().find_map(|(k, r)| keyed((k, send(status_of(k, 200), self.offer(r))))) {
            return answer;
        }
        if let Some(answer) = successes().find_map(|(k, _)| keyed((k, smallest(k, status_of(k, 200))))) {
            return answer;
        }
        if let Some(answer) = responses.iter().find_map(|(k, r)| match self.offer(r) {
            offer @ Offer::Example(..) => keyed((k, send(status_of(k, 200), offer))),
            _ => None,
        }) {
            return answer;
        }
        let mut internal = spec.reject(Rejection::Internal, "mock", "the spec documents no example for this operation", path).body();
        if internal.is_null() {
            internal = Value::Object(serde_json::Map::new());
        }
        (None, json_response(501, &internal))
    }

    /// The mock's answer to `method path` (see the module docs); `minimal` is the status and
    /// JSON text of the smallest success body, for operations whose successes have no example.
    pub fn answer(&self, spec: &'static ApiSpec, headers: &HeaderMap, method: &str, path: &str, minimal: Option<(u16, &str)>) -> Response {
        let empty = serde_json::Map::new();
        let responses = self.value()["paths"][path][method]["responses"].as_object().unwrap_or(&empty);
        if let Some(code) = prefer_code(headers) {
            let class = format!("{}xx", code / 100);
            let found = responses
                .iter()
                .find(|(k, _)| k.parse::<u16>().ok() == Some(code))
                .or_else(|| responses.iter().find(|(k, _)| k.eq_ignore_ascii_case(&class)))
                .or_else(|| responses.iter().find(|(k, _)| k.as_str() == "default"));
            if let Some(answer) = found.and_then(|(_, r)| send(code, self.offer(r))) {
                return answer;
            }
        }
        if let Some(answer) = responses.iter().filter(|(k, _)| k.starts_with('2')).find_map(|(k, r)| send(status_of(k, 200), self.offer(r)))
        {
            return answer;
        }
        if let Some((status, text)) = minimal {
            if let Ok(value) = serde_json::from_str::<Value>(text) {
                return json_response(status, &value);
            }
        }
        let examples = responses.iter().filter(|(_, r)| matches!(self.offer(r), Offer::Example(..)));
        if let Some(answer) = examples.clone().find_map(|(k, r)| send(status_of(k, 200), self.offer(r))) {
            return answer;
        }
        let mut internal = spec.reject(Rejection::Internal, "mock", "the spec documents no example for this operation", path).body();
        if internal.is_null() {
            internal = Value::Object(serde_json::Map::new());
        }
        json_response(501, &internal)
    }
}

/// The mock binary: `--host` (default 127.0.0.1), `--port` (default 4010), `--api-key`
/// (repeatable; without it any non-empty key is accepted). `router` builds the mock's router
/// for the accepted keys; it is served with [`super::serve`] and the default
/// [`super::ConnectionLimits`].
#[cfg(feature = "mock")]
pub fn main(name: &str, router: impl FnOnce(Keys) -> axum::Router) -> std::process::ExitCode {
    use std::process::ExitCode;
    let usage = format!("usage: {name}-mock [--host HOST] [--port PORT] [--api-key KEY]...");
    let mut host = String::from("127.0.0.1");
    let mut port: u16 = 4010;
    let mut keys = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--host", Some(v)) => host = v,
            ("--port", Some(v)) => match v.parse() {
                Ok(p) => port = p,
                Err(_) => {
                    eprintln!("error: --port needs a number\n{usage}");
                    return ExitCode::from(2);
                }
            },
            ("--api-key", Some(v)) => keys.push(v),
            _ => {
                eprintln!("{usage}");
                return ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind((host.as_str(), port)).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {host}:{port}: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Ok(addr) = listener.local_addr() {
            println!("mock server for {name} listening on http://{addr}");
        }
        match super::serve(listener, router(Keys::only(keys)), &super::ConnectionLimits::default()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    static SPEC: ApiSpec = ApiSpec::new(r#"{"internal":{"status":500,"body":{"error":"{{message}}"}}}"#, "{}", "{}");

    const DOC: &str = r##"{"paths":{"/p":{"get":{"responses":{
        "200":{"description":"ok","content":{"application/json":{"example":{"a":1}}}},
        "404":{"$ref":"#/components/responses/NotFound"}}}}},
        "components":{"responses":{"NotFound":{"description":"no","content":{"text/plain":{"examples":{"x":{"value":"gone"}}}}}}}}"##;

    async fn text_of(response: Response) -> (u16, String) {
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body");
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    #[tokio::test]
    async fn the_answers_table_gives_each_operation_its_bodies_and_headers() {
        const NO_EXAMPLE: &str = r#"{"paths":{"/q":{"post":{"responses":{
            "201":{"description":"made","content":{"application/json":{"schema":{"type":"array"}}}}}}}}}"#;
        let doc = Document::new(NO_EXAMPLE);
        let answers = Answers::new(
            r#"[{"method":"get","path":"/p","minimal":[],"sent":[]},
                {"method":"post","path":"/q","minimal":[["201",[]]],"sent":[["201","X-Count",3]]}]"#,
        );
        let response = answers.answer(&doc, &SPEC, &HeaderMap::new(), 1);
        assert_eq!(response.headers().get("x-count").map(|v| v.to_str().ok()), Some(Some("3")));
        assert_eq!(text_of(response).await, (201, "[]".into()));
        // Entry 0 is another operation, which the document does not describe; an index past
        // the table (or a table that is not JSON) is an operation without an entry.
        assert_eq!(text_of(answers.answer(&doc, &SPEC, &HeaderMap::new(), 0)).await.0, 501);
        assert_eq!(text_of(answers.answer(&doc, &SPEC, &HeaderMap::new(), 2)).await.0, 501);
        assert_eq!(text_of(Answers::new("not json").answer(&doc, &SPEC, &HeaderMap::new(), 1)).await.0, 501);
    }

    #[tokio::test]
    async fn answers_the_documented_examples() {
        let doc = Document::new(DOC);
        let mut headers = HeaderMap::new();
        assert_eq!(text_of(doc.answer(&SPEC, &headers, "get", "/p", None)).await, (200, r#"{"a":1}"#.into()));
        headers.insert("prefer", "code=404".parse().expect("header"));
        assert_eq!(text_of(doc.answer(&SPEC, &headers, "get", "/p", None)).await, (404, "gone".into()));
        let (status, body) = text_of(doc.answer(&SPEC, &HeaderMap::new(), "post", "/p", None)).await;
        assert_eq!(status, 501);
        assert!(body.contains("no example"), "{body}");
        assert_eq!(text_of(doc.answer(&SPEC, &HeaderMap::new(), "post", "/p", Some((201, "[]")))).await, (201, "[]".into()));
    }

    #[tokio::test]
    async fn answers_carry_the_headers_of_their_response() {
        let doc = Document::new(DOC);
        let sent = [("200", "X-Rate", "5"), ("200", "X-Tags", r#"["a","b"]"#), ("404", "Retry-After", "30")];
        let ok = doc.answer_with(&SPEC, &HeaderMap::new(), "get", "/p", &[], &sent);
        assert_eq!((ok.headers()["x-rate"].to_str().ok(), ok.headers()["x-tags"].to_str().ok()), (Some("5"), Some("a,b")));
        assert!(ok.headers().get("retry-after").is_none());
        let mut prefer = HeaderMap::new();
        prefer.insert("prefer", "code=404".parse().expect("header"));
        let missing = doc.answer_with(&SPEC, &prefer, "get", "/p", &[], &sent);
        assert_eq!((missing.status().as_u16(), missing.headers()["retry-after"].to_str().ok()), (404, Some("30")));
        assert!(missing.headers().get("x-rate").is_none());
    }

    #[test]
    fn keys_accept_any_or_only_the_given() {
        assert!(Keys::any().accepts(&Secret::new("x")) && !Keys::any().accepts(&Secret::new("")));
        let only = Keys::only(["a", "b"]);
        assert!(only.accepts(&Secret::new("b")) && !only.accepts(&Secret::new("c")));
        assert_eq!(status_of("4XX", 200), 400);
        assert_eq!(status_of("default", 500), 500);
    }
}
