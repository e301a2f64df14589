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

use serde_json::{json, Value};

use crate::diag::Diagnostics;
use crate::ir::server::{ErrorTemplate, OperationErrors, ServerErrors};
use crate::spec::Bundle;

/// The name of the root-level extension.
pub const EXTENSION: &str = "x-server-errors";

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
                        .with_help("see generator/src/lower/server_errors.rs for the keys and placeholders"),
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
        operations: OperationErrors::default(),
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
