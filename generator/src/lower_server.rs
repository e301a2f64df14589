//! Lowering of what only the server emitter needs: the API's own error bodies, read from the
//! root-level `x-server-errors` extension of the bundled document into [`ServerErrors`].
//!
//! A generated server answers requests that never reach the implementation (bad credentials,
//! invalid input, an unknown route, a panic) with these bodies, so clients see the API's own
//! documented error shape. The extension is per-API knowledge kept in `spec/<api>/openapi.json`:
//!
//! ```json
//! "x-server-errors": {
//!   "validation": { "status": 400, "body": { "message": "{{message}}" } },
//!   "unauthorized": { "status": 401, "body": { "...": "..." } }
//! }
//! ```
//!
//! Keys: `validation` (a body breaks the schema), `malformedBody` (not JSON, not a form),
//! `invalidParameters` (path or query parameters), `unauthorized`, `notFound`,
//! `payloadTooLarge`, `internal`, `methodNotAllowed` (a known path, another method; without
//! the key, the `invalidParameters` body with status 405), and the rejections of the HTTP
//! layer, which without their key get the `malformedBody` body with their own status:
//! `unsupportedMediaType` (415, a body of another `Content-Type`), `requestTimeout` (408, a
//! body that does not arrive in time), `uriTooLong` (414), `headersTooLarge` (431). Any other
//! missing key gets a plain `{"message": ...}` body.
//!
//! Placeholders in a body, replaced by the generated server at run time:
//! - a string that is exactly `{{message}}`: every violation, joined with `; `;
//! - a string that is exactly `{{path}}`: the request path;
//! - an object whose only key is `{{field}}` and whose value is `["{{messages}}"]`: one entry
//!   per offending field (`non_field_errors` for the value itself), each listing its messages.

use serde::Serialize;
use serde_json::{json, Value};

use crate::bundle::Bundle;
use crate::diag::Diagnostics;

/// The name of the root-level extension.
pub const EXTENSION: &str = "x-server-errors";

/// One error body a generated server answers with, before placeholders are filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorTemplate {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body with placeholders.
    pub body: Value,
}

/// The error bodies of one API (see the module docs for the keys and placeholders).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerErrors {
    /// The per-operation table of error bodies (`ApiSpec::with_operation_errors` of the runtime:
    /// `{"templates": [...], "operations": {...}}`), so that each built-in answer satisfies the
    /// error schema the operation documents; empty (every operation answers in the API's shape
    /// above) until the operations' documented error schemas are matched (issue 15, item 5).
    #[serde(skip)]
    pub operations: Value,
    /// A request body that breaks the schema of the operation.
    pub validation: ErrorTemplate,
    /// A request body that is not JSON (or not the form the operation takes).
    pub malformed_body: ErrorTemplate,
    /// Path or query parameters of the wrong type or breaking their rules.
    pub invalid_parameters: ErrorTemplate,
    /// Missing or rejected credentials.
    pub unauthorized: ErrorTemplate,
    /// A path no operation serves.
    pub not_found: ErrorTemplate,
    /// A body over the size limit.
    pub payload_too_large: ErrorTemplate,
    /// A panic in the implementation.
    pub internal: ErrorTemplate,
    /// A method no operation of a known path serves (answered with an `Allow` header). Without
    /// the key: the `invalidParameters` body with status 405.
    pub method_not_allowed: ErrorTemplate,
    /// A body whose `Content-Type` the operation does not take. Without the key: the
    /// `malformedBody` body with status 415.
    pub unsupported_media_type: ErrorTemplate,
    /// A body that does not arrive within the server's deadline. Without the key: the
    /// `malformedBody` body with status 408.
    pub request_timeout: ErrorTemplate,
    /// A request target over the server's limit. Without the key: the `malformedBody` body with
    /// status 414.
    pub uri_too_long: ErrorTemplate,
    /// A header section over the server's limit. Without the key: the `malformedBody` body with
    /// status 431.
    pub headers_too_large: ErrorTemplate,
}

impl ServerErrors {
    /// The per-operation table as the JSON text `ApiSpec::with_operation_errors` reads.
    pub fn operation_table(&self) -> String {
        serde_json::to_string(&self.operations).unwrap_or_else(|_| "{}".into())
    }

    /// Every template with its key (the runtime's `Rejection::key`), in the runtime's
    /// `Rejection` order.
    pub fn by_key(&self) -> [(&'static str, &ErrorTemplate); 12] {
        [
            ("validation", &self.validation),
            ("malformedBody", &self.malformed_body),
            ("invalidParameters", &self.invalid_parameters),
            ("unauthorized", &self.unauthorized),
            ("notFound", &self.not_found),
            ("payloadTooLarge", &self.payload_too_large),
            ("internal", &self.internal),
            ("methodNotAllowed", &self.method_not_allowed),
            ("unsupportedMediaType", &self.unsupported_media_type),
            ("requestTimeout", &self.request_timeout),
            ("uriTooLong", &self.uri_too_long),
            ("headersTooLarge", &self.headers_too_large),
        ]
    }
}

fn fallback(status: u16) -> ErrorTemplate {
    ErrorTemplate { status, body: json!({ "message": "{{message}}" }) }
}

/// Reads `x-server-errors` from the bundled document.
///
/// # Errors
///
/// A diagnostic for each entry that is not `{ "status": <100..=599>, "body": <JSON> }`.
pub fn lower(bundle: &Bundle) -> Result<ServerErrors, Diagnostics> {
    let ext = bundle.document.get(EXTENSION);
    let mut diags = Diagnostics::default();
    let mut entry = |key: &str, status: u16| -> ErrorTemplate {
        let Some(v) = ext.and_then(|e| e.get(key)) else { return fallback(status) };
        let pointer = format!("/{EXTENSION}/{key}");
        let code = v.get("status").and_then(Value::as_u64).filter(|c| (100..=599).contains(c));
        match (code, v.get("body")) {
            (Some(code), Some(body)) => ErrorTemplate { status: code as u16, body: body.clone() },
            _ => {
                diags.push(
                    bundle
                        .diagnostic(
                            &pointer,
                            format!("`{key}` of `{EXTENSION}` must be an object with `status` (an HTTP status code) and `body` (any JSON)"),
                        )
                        .with_help("see generator/src/lower_server.rs for the keys and placeholders"),
                );
                fallback(status)
            }
        }
    };
    let invalid_parameters = entry("invalidParameters", 400);
    let method_not_allowed = match ext.and_then(|e| e.get("methodNotAllowed")) {
        Some(_) => entry("methodNotAllowed", 405),
        None => ErrorTemplate { status: 405, body: invalid_parameters.body.clone() },
    };
    let malformed_body = entry("malformedBody", 400);
    let mut like_malformed = |key: &str, status: u16| match ext.and_then(|e| e.get(key)) {
        Some(_) => entry(key, status),
        None => ErrorTemplate { status, body: malformed_body.body.clone() },
    };
    let unsupported_media_type = like_malformed("unsupportedMediaType", 415);
    let request_timeout = like_malformed("requestTimeout", 408);
    let uri_too_long = like_malformed("uriTooLong", 414);
    let headers_too_large = like_malformed("headersTooLarge", 431);
    let errors = ServerErrors {
        operations: json!({ "templates": [], "operations": {} }),
        validation: entry("validation", 400),
        malformed_body,
        invalid_parameters,
        unauthorized: entry("unauthorized", 401),
        not_found: entry("notFound", 404),
        payload_too_large: entry("payloadTooLarge", 413),
        internal: entry("internal", 500),
        method_not_allowed,
        unsupported_media_type,
        request_timeout,
        uri_too_long,
        headers_too_large,
    };
    if ext.is_some_and(|e| !e.is_object()) {
        diags.push(
            bundle.diagnostic(&format!("/{EXTENSION}"), format!("`{EXTENSION}` must be an object")).with_help(
                "map error kinds (`validation`, `unauthorized`, ...) to `{\"status\": N, \"body\": ...}`, or remove the extension",
            ),
        );
    }
    diags.into_result(errors)
}

/// The JSON Schema a request body of Rust type `ty` is checked against before it is
/// deserialized: a `$ref` to the model for `crate::models::X`, an array of such refs for
/// `::std::vec::Vec<crate::models::X>`, and `None` for anything else (scalars, free JSON).
pub fn body_schema(ty: &str) -> Option<Value> {
    let compact: String = ty.chars().filter(|c| !c.is_whitespace()).collect();
    let model =
        |t: &str| t.strip_prefix("crate::models::").filter(|n| n.chars().all(|c| c.is_alphanumeric() || c == '_')).map(String::from);
    if let Some(inner) = compact.strip_prefix("::std::vec::Vec<").or_else(|| compact.strip_prefix("Vec<")).and_then(|s| s.strip_suffix('>'))
    {
        return model(inner).map(|n| json!({ "type": "array", "items": { "$ref": format!("#/components/schemas/{n}") } }));
    }
    model(&compact).map(|n| json!({ "$ref": format!("#/components/schemas/{n}") }))
}
