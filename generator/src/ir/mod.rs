//! The intermediate representation every emitter reads. Lowering (`crate::lower`) builds it
//! from the bundled document; emitters never look at the document, its schemas or Rust type
//! text.
//!
//! Names here are final: `rust_name`s are identifiers from `naming.rs`; types are
//! [`TypeRef`]s (`Named("User")`, `I64`, `Vec(..)`), which only `emit::types` turns into tokens.

use serde::Serialize;
use serde_json::Value;

pub mod models;
pub mod package;
pub mod params;
pub mod server;
pub mod types;

use models::ModelSpace;
pub use params::{ParamCodec, ParamKind, ParamShape, ParamStyle};
pub use types::TypeRef;

/// The output of lowering: the IR, and typify's type space (the models, as typify holds them),
/// which only the models emitter reads. They are kept apart because `TypeSpace` is not `Sync`
/// (its settings hold `syn` types), while the `ApiSpace` is shared with the client and server
/// emitters on worker threads.
pub struct Lowered {
    /// The IR.
    pub api: ApiSpace,
    /// typify's type space holding every model.
    pub types: typify_impl::TypeSpace,
    /// What lowering degraded (schemas typed as `serde_json::Value`), as warnings.
    pub warnings: crate::diag::Diagnostics,
    /// typify's code for `types`, parsed when lowering checked that it can be written out
    /// (`lower::typify::check_emission`); the models emitter starts from it instead of emitting again.
    pub models_file: Option<syn::File>,
}

// The client and server modules are emitted and rendered on worker threads (see `emit_crate`
// in lib.rs), so the IR must stay shareable between threads.
const _: () = {
    const fn assert_sync<T: Sync>() {}
    assert_sync::<ApiSpace>();
};

/// One API: everything needed to emit its crate.
#[derive(Debug)]
pub struct ApiSpace {
    /// The package name (`questionpro`, `corpus-petstore`).
    pub crate_name: String,
    /// The crate name as Rust code spells it (`corpus_petstore`).
    pub crate_ident: String,
    /// `info.title`.
    pub title: String,
    /// `info.description`.
    pub description: Option<String>,
    /// `info.version`.
    pub version: String,
    /// The servers, in document order.
    pub servers: Vec<Server>,
    /// The security schemes, sorted by key.
    pub security_schemes: Vec<SecurityScheme>,
    /// The operations, in document order.
    pub operations: Vec<Operation>,
    /// The models.
    pub models: ModelSpace,
    /// What the generated server checks request bodies against.
    pub body_schemas: BodySchemas,
    /// Which parts are generated (from the settings).
    pub parts: package::Parts,
    /// Crate metadata: the settings' over the document's (`lower::package`).
    pub package: package::Package,
    /// The document's license when it is not an SPDX expression (name and URL): the README
    /// names it, since `Cargo.toml` cannot.
    pub license_note: Option<String>,
    /// The spec's root file name (`openapi.json`), as docs name it.
    pub spec_file: String,
    /// The first line of every generated file ([`crate::generated_header`]).
    pub header: String,
}

/// A page documenting an operation, as docs cite it: from the operation's `externalDocs`
/// (`description`, `url`), else from `x-source` when it is a URL or an object
/// `{ "title", "url" }`. A bare `x-source` string that is not a URL (a transcription's file
/// name) is internal, never cited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourcePage {
    /// The page's title.
    pub title: Option<String>,
    /// The page's URL.
    pub url: Option<String>,
}

/// The schemas the generated server's one validator checks JSON and form request bodies
/// against before they are deserialized, as JSON text for the runtime's `ApiSpec`: the
/// document's own schemas in their request view, prepared by lowering (`lower::body_schemas`),
/// embedded verbatim by the server emitter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodySchemas {
    /// The body schema of each operation whose JSON or form body has one, by
    /// [`RequestBody::schema_key`]: `{"create_user": {"$ref": "#/components/schemas/User"}}`.
    pub bodies: String,
    /// The components those schemas reach, by their name in the document.
    pub definitions: String,
}

impl Default for BodySchemas {
    fn default() -> Self {
        Self { bodies: "{}".into(), definitions: "{}".into() }
    }
}

/// A server the API is reachable at.
#[derive(Debug, Clone, Serialize)]
pub struct Server {
    /// The URL template (`https://{domain}/{apiPrefix}/{version}`), without a trailing `/`.
    pub url: String,
    /// The variant name in the generated `Server` enum (`Us`, `Eu`; from `x-datacenter`, else
    /// from the description or host).
    pub rust_name: String,
    /// The description.
    pub description: Option<String>,
    /// The template variables, in order of appearance in the URL.
    pub variables: Vec<ServerVariable>,
}

/// A variable of a server URL template.
#[derive(Debug, Clone, Serialize)]
pub struct ServerVariable {
    /// The name in the template (`apiPrefix`).
    pub name: String,
    /// The Rust identifier (`api_prefix`).
    pub rust_name: String,
    /// The default value.
    pub default: String,
    /// The description.
    pub description: Option<String>,
    /// The allowed values, when closed.
    pub allowed: Vec<String>,
}

/// A security scheme.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityScheme {
    /// The key in `components/securitySchemes` (`apiKeyHeader`).
    pub key: String,
    /// The Rust identifier for the credential field (`api_key_header`).
    pub rust_name: String,
    /// The variant of the `Scheme` enums (`ApiKeyHeader`).
    pub rust_variant: String,
    /// How the credential is sent.
    pub kind: SchemeKind,
    /// The description.
    pub description: Option<String>,
    /// True when the document marks the scheme deprecated (`deprecated: true` or an
    /// `x-deprecated` marker; a description that says so is not enough). Clients then use it
    /// only when no other alternative of an operation is given.
    pub deprecated: bool,
}

/// How a credential is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SchemeKind {
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Where.
        location: ParamLocation,
        /// The header, parameter or cookie name.
        name: String,
    },
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic <base64>`.
    Basic,
    /// A scheme the generated code cannot apply by itself (OAuth2 flows, OpenID Connect,
    /// mutual TLS); the user supplies the header.
    Unsupported {
        /// The scheme type as written.
        scheme: String,
    },
}

/// Where a parameter or key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In a cookie.
    Cookie,
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl HttpMethod {
    /// Parses a lowercase OpenAPI method key.
    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "get" => Self::Get,
            "put" => Self::Put,
            "post" => Self::Post,
            "delete" => Self::Delete,
            "options" => Self::Options,
            "head" => Self::Head,
            "patch" => Self::Patch,
            "trace" => Self::Trace,
            _ => return None,
        })
    }

    /// The uppercase method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Head => "HEAD",
            Self::Patch => "PATCH",
            Self::Trace => "TRACE",
        }
    }
}

/// One operation.
#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    /// The operationId as written (`listUserCommunities`).
    pub id: String,
    /// The method name (`list_user_communities`).
    pub rust_name: String,
    /// The prefix for per-operation type names (`ListUserCommunities`).
    pub type_name: String,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path template as written (`/micropanel/users/{user-id}/communities`).
    pub path: String,
    /// The path split into literal text and parameters.
    pub segments: Vec<PathSegment>,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Where a user reads the operation's documentation (`lower::source_page`).
    pub source: Option<SourcePage>,
    /// `deprecated`.
    pub deprecated: bool,
    /// Path, query, header and cookie parameters, path first, then in document order.
    pub params: Vec<Parameter>,
    /// The request body.
    pub body: Option<RequestBody>,
    /// The documented responses, in document order.
    pub responses: Vec<Response>,
    /// Security alternatives: any one inner list satisfies the operation; every scheme key of
    /// that list is sent. Empty: no authentication.
    pub security: Vec<Vec<String>>,
    /// The pagination the operation supports, when it is recognizably paginated.
    pub pagination: Option<Pagination>,
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum PathSegment {
    /// Text sent as is.
    Literal(String),
    /// The value of the path parameter with this wire name.
    Param(String),
}

/// A parameter.
#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    /// The wire name (`user-id`).
    pub name: String,
    /// The Rust identifier (`user_id`).
    pub rust_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Whether it must be given.
    pub required: bool,
    /// The Rust type of the value (without `Option`).
    pub ty: TypeRef,
    /// The shape of the value.
    pub shape: ValueShape,
    /// The description.
    pub description: Option<String>,
    /// The documented default.
    pub default: Option<Value>,
    /// A value for generated examples: the documented example, else the default, else a
    /// plausible value of the shape.
    pub sample: Sample,
    /// Constraints checked on server input (`minimum`, `format: email`, ...).
    pub constraints: models::Constraints,
    /// How the value is written and read (style, explode, the kinds its schema admits).
    pub codec: ParamCodec,
}

/// A value of a parameter for generated examples, as a literal is written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Sample {
    /// Written as its JSON text (numbers and booleans: `42`, `true`).
    Json(Value),
    /// A string.
    Text(String),
    /// A value of another type (an enum, an array, a model), read from this JSON in the
    /// example.
    Parsed(Value),
}

/// What kind of value a parameter or form field holds, for encoding it as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueShape {
    /// A string.
    String,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// A string enum (Display/FromStr from typify).
    Enum,
    /// An array of scalars (repeated in a query string, comma-joined in a path).
    Array,
    /// Anything else: sent as JSON text.
    Json,
}

/// A request body.
#[derive(Debug, Clone, Serialize)]
pub struct RequestBody {
    /// The media type as written (`application/json`).
    pub content_type: String,
    /// How it is encoded.
    pub encoding: BodyEncoding,
    /// Whether the body must be sent.
    pub required: bool,
    /// The Rust type of the body.
    pub ty: TypeRef,
    /// For form encodings: the fields, in property order.
    pub fields: Vec<FormField>,
    /// The key of the body's schema in [`BodySchemas::bodies`], when the server checks the body
    /// against one (it is a model, or an array of one).
    pub schema_key: Option<String>,
    /// Documented examples.
    pub examples: Vec<Example>,
    /// Without documented examples: the smallest value the schema allows (an array holds one
    /// such item), for the README's example.
    pub minimal: Option<Value>,
    /// The description.
    pub description: Option<String>,
}

/// A body encoding the generated code can produce and parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyEncoding {
    /// JSON.
    Json,
    /// multipart/form-data.
    Multipart,
    /// application/x-www-form-urlencoded.
    FormUrlEncoded,
    /// Plain text.
    Text,
    /// Raw bytes.
    Bytes,
}

/// A field of a form body.
#[derive(Debug, Clone, Serialize)]
pub struct FormField {
    /// The wire name.
    pub name: String,
    /// The Rust field name in the body struct (from the field table).
    pub rust_name: String,
    /// The shape of the value.
    pub shape: ValueShape,
    /// True for binary parts (`format: binary`, or an array of them: one part per item).
    pub binary: bool,
}

/// A documented response.
#[derive(Debug, Clone, Serialize)]
pub struct Response {
    /// Which statuses it covers.
    pub status: StatusMatch,
    /// The variant name (`Ok`, `BadRequest`, `Status418`).
    pub rust_name: String,
    /// The description.
    pub description: String,
    /// The body, when the response has one.
    pub body: Option<ResponseBody>,
    /// True for 2XX (and `default` never).
    pub success: bool,
    /// The documented headers (`Content-Type` left out: OpenAPI ignores it there), in document
    /// order. Non-empty: both sides type them (`headers_type`).
    pub headers: Vec<ResponseHeader>,
    /// The per-operation type holding `headers` (`CreateBookCreatedHeaders`), when there are any.
    pub headers_type: Option<String>,
}

/// A documented header of a response.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseHeader {
    /// The header name as documented (`Location`, `X-Rate-Limit-Remaining`).
    pub name: String,
    /// The field of the headers struct (`location`, `x_rate_limit_remaining`).
    pub rust_name: String,
    /// The Rust type of the value (`String`, `i64`, `f64`, `bool`): a scalar read with
    /// `FromStr` and written as its JSON text; any other schema is its raw text.
    pub ty: TypeRef,
    /// `required: true`: the client rejects a response without it, the server must send it.
    pub required: bool,
    /// The description.
    pub description: Option<String>,
    /// The value the mock sends (as JSON; the runtime writes it as header text): the header's
    /// documented example, else its schema's, else the smallest value the schema allows
    /// ([`crate::lower::synth`]); `None` when no value satisfies the schema.
    pub sample: Option<Value>,
}

/// Which status codes a response covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum StatusMatch {
    /// Exactly this code.
    Code(u16),
    /// Any code of this class (`4XX` -> 4).
    Range(u16),
    /// Any code not otherwise documented.
    Default,
}

impl StatusMatch {
    /// The key of the response in the document's `responses` (`404`, `4XX`, `default`).
    pub fn key(self) -> String {
        match self {
            Self::Code(c) => c.to_string(),
            Self::Range(class) => format!("{class}XX"),
            Self::Default => "default".to_string(),
        }
    }

    /// A representative status code (for servers answering with this response).
    pub fn representative(self) -> u16 {
        match self {
            Self::Code(c) => c,
            Self::Range(class) => class * 100,
            Self::Default => 500,
        }
    }
}

/// A response body.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseBody {
    /// The media type.
    pub content_type: String,
    /// How it is decoded.
    pub encoding: BodyEncoding,
    /// The Rust type.
    pub ty: TypeRef,
    /// Documented examples.
    pub examples: Vec<Example>,
    /// For a response without documented examples: the smallest value its schema allows
    /// ([`crate::lower::synth`]), which the mock server answers with.
    pub minimal: Option<Value>,
}

/// A documented example.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// Its name (`threeCommunities`).
    pub name: String,
    /// Its summary.
    pub summary: Option<String>,
    /// The value.
    pub value: Value,
}

/// How an operation pages through results (see the README's "Pagination" for the detection
/// rules and the `x-pagination` extension). Pointers are JSON pointers into the success body
/// (wire names), read at run time from the page as JSON, so that any Rust typing of the page
/// (an `Option`, a default, a nullable field) reads the same.
#[derive(Debug, Clone, Serialize)]
pub struct Pagination {
    /// How the next page is asked for.
    pub style: PageStyle,
    /// The Rust field path from the success body to the items (empty: the body is the array).
    pub items: Vec<String>,
    /// Whether the last field of `items` is an `Option` (a nullable array).
    pub items_nullable: bool,
    /// The Rust type of one item.
    pub item_ty: TypeRef,
    /// The total page count, when the body documents it.
    pub total_pages: Option<String>,
    /// The total item count, when the body documents it.
    pub total_items: Option<String>,
    /// Whether more pages follow, when the body documents it.
    pub has_more: Option<String>,
    /// Whether this page is the last (`done`, `isLast`), when the body documents it (and not
    /// `has_more`).
    pub is_last: Option<String>,
}

/// How a paginated operation asks for its next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum PageStyle {
    /// An integer query parameter numbering pages.
    PageNumber {
        /// The parameter's wire name.
        param: String,
        /// The first page (the parameter's default or minimum, else 1).
        first: i64,
    },
    /// An integer query parameter counting the items to skip.
    Offset {
        /// The parameter's wire name.
        param: String,
        /// The first offset (the parameter's default or minimum, else 0).
        first: i64,
    },
    /// A string query parameter sent back with the cursor the page gives.
    Cursor {
        /// The parameter's wire name.
        param: String,
        /// Pointer to the next cursor in the body.
        next: String,
    },
    /// A URL of the next page in the body, absolute or relative.
    NextLink {
        /// Pointer to it.
        next: String,
    },
    /// A `Link: <...>; rel="next"` response header (RFC 8288).
    LinkHeader,
}
