//! The API's own error bodies in the IR: what a generated server answers requests with that
//! never reach the implementation (read from `x-server-errors` by
//! [`crate::lower::server_errors`], whose docs list the keys and placeholders).

use serde::Serialize;
use serde_json::Value;

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
    /// Per operation, the bodies that satisfy the error schemas it documents (empty when the
    /// spec has `x-server-errors`); see [`OperationErrors`].
    #[serde(skip)]
    pub operations: OperationErrors,
}

/// The runtime's operation error table (`ApiSpec::with_operation_errors`): synthesized
/// templates, and per operation (by its Rust method name) the template of each rejection,
/// by the rejection's key (`validation`, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OperationErrors {
    /// Distinct body templates (with placeholders), each with the status it answers with when
    /// it is not the rejection's own (never, today: `None`).
    pub templates: Vec<OperationTemplate>,
    /// Operation -> rejection key -> index in `templates`.
    pub operations: std::collections::BTreeMap<String, std::collections::BTreeMap<String, usize>>,
}

/// One template of [`OperationErrors`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationTemplate {
    /// The status that replaces the rejection's, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The body, with the runtime's placeholders.
    pub body: Value,
}

impl ServerErrors {
    /// The per-operation table as the JSON text `ApiSpec::with_operation_errors` reads
    /// (`{"templates": [...], "operations": {...}}`).
    pub fn operation_table(&self) -> String {
        serde_json::to_string(&self.operations).unwrap_or_else(|_| "{}".into())
    }

    /// As [`ServerErrors::by_key`], mutable.
    pub fn by_key_mut(&mut self) -> [(&'static str, &mut ErrorTemplate); 12] {
        [
            ("validation", &mut self.validation),
            ("malformedBody", &mut self.malformed_body),
            ("invalidParameters", &mut self.invalid_parameters),
            ("unauthorized", &mut self.unauthorized),
            ("notFound", &mut self.not_found),
            ("payloadTooLarge", &mut self.payload_too_large),
            ("internal", &mut self.internal),
            ("methodNotAllowed", &mut self.method_not_allowed),
            ("unsupportedMediaType", &mut self.unsupported_media_type),
            ("requestTimeout", &mut self.request_timeout),
            ("uriTooLong", &mut self.uri_too_long),
            ("headersTooLarge", &mut self.headers_too_large),
        ]
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
