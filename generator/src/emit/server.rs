//! The server emitter: axum stubs (`src/server.rs` of the generated crate) and the mock
//! server binary (`src/bin/mock.rs`).
//!
//! The plumbing (authentication, parameter and body reading, error answers, the JSON Schema
//! checker, hardened serving, the mock's example lookup) is the `server` module of the
//! `apigen-runtime` crate; this module emits what depends on the API: the error table and
//! request schemas (`SPEC`), the `Api` trait with one method per operation, an input struct and
//! a response enum per operation, the operation table and `call` of the runtime's `Service`
//! (the runtime authenticates, reads the body as the table says and runs the implementation
//! behind a panic guard), one synchronous, non-generic `handle_<op>` per operation that reads
//! its input (parameters, then the body), `router`, and `mock::MockApi`, which answers the
//! documented examples.
//!
//! What is emitted per operation is kept cheap to compile: no `async fn` or closure per
//! operation (each would be a coroutine or closure type for rustc to check), nothing generic
//! besides one match arm of `call`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::doc_attrs;
use crate::emit::krate::scheme_variant;
use crate::ir::models::Constraint;
use crate::ir::server::{ErrorTemplate, ServerErrors};
use crate::ir::{ApiSpace, BodyEncoding, Operation, Response, StatusMatch, ValueShape};
use crate::render::Chunks;

/// Emits `src/server.rs` in chunks (see [`Chunks`]): the module's head (`SPEC`, `Authenticated`,
/// the `Api` trait), one chunk per operation, then the router and the mock.
///
/// A chunk is an error when the IR holds something the emitter cannot express (a generator bug).
pub fn emit<'a>(api: &'a ApiSpace, errors: &'a ServerErrors) -> Chunks<'a> {
    let n = api.operations.len();
    Chunks::new(n + 2, move |i| match i {
        0 => Ok(head(api, errors)),
        i if i <= n => operation(&api.operations[i - 1]),
        _ => {
            let router = router();
            let mock = mock(api);
            Ok(quote! {
                #router
                #mock
            })
        }
    })
}

/// The items before the operations.
fn head(api: &ApiSpace, errors: &ServerErrors) -> TokenStream {
    let spec = spec(api, errors);
    let credentials = credentials(api);
    let service = service(api);
    let api_trait = api_trait(api);
    quote! {
        // Handlers return an early answer as `Err(Response)`: it is the request's last value,
        // so boxing it would only allocate. A number rule reads every numeric parameter as
        // `f64`, which is a no-op cast for `f64` parameters.
        #![allow(clippy::result_large_err, clippy::unnecessary_cast)]
        use ::apigen_runtime::server as rt;
        pub use ::apigen_runtime::server::{
            serve, serve_with_shutdown, ConnectionLimits, ErrorAnswer, Rejection, Secret, ServerConfig, TcpListener, DEFAULT_BODY_LIMIT,
        };
        pub use ::apigen_runtime::{constant_time_eq, SecurityScheme};
        pub use crate::Scheme;
        #spec
        #credentials
        #service
        #api_trait
    }
}

/// Emits `src/bin/mock.rs`: `cargo xtask mock <api>` runs it.
pub fn emit_mock_bin(api: &ApiSpace) -> TokenStream {
    let krate = format_ident!("{}", api.crate_ident);
    quote! {
        fn main() -> ::std::process::ExitCode {
            #krate::server::mock::main()
        }
    }
}

fn ident(name: &str) -> syn::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => syn::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => format_ident!("{}", name),
    }
}

fn bare(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// `SPEC`: the API's error bodies (from `x-server-errors`, in `Rejection` order) and the
/// request-body schemas with the definitions they reference.
fn spec(api: &ApiSpace, errors: &ServerErrors) -> TokenStream {
    let table: serde_json::Map<String, Value> =
        errors.by_key().into_iter().map(|(key, t): (&str, &ErrorTemplate)| (key.to_string(), serde_json::json!(t))).collect();
    let table = serde_json::to_string(&table).unwrap_or_else(|_| "{}".into());
    let (definitions, bodies) = (&api.body_schemas.definitions, &api.body_schemas.bodies);
    let operations = errors.operation_table();
    quote! {
        /// The API's error bodies (from the spec's `x-server-errors`, by [`Rejection`] key), and
        /// the request-body schemas with the definitions they reference, as JSON.
        static SPEC: rt::ApiSpec = rt::ApiSpec::new(#table, #definitions, #bodies).with_operation_errors(#operations);
    }
}

/// The server's `Authenticated` (what a request was authenticated with).
fn credentials(api: &ApiSpace) -> TokenStream {
    let mut fields = Vec::new();
    for s in &api.security_schemes {
        let f = ident(&s.rust_name);
        let field_doc = doc_attrs(&format!("The credential of `{}`, when the request was authenticated with it.", s.key));
        fields.push(quote! { #field_doc pub #f: ::std::option::Option<Secret> });
    }
    quote! {
        /// The credentials a request was authenticated with (already accepted by
        /// [`Api::authenticate`]).
        #[derive(Debug, Clone, Default)]
        #[non_exhaustive]
        pub struct Authenticated {
            #(#fields,)*
        }
    }
}

/// `Shared`, the router's state, which is the runtime's view of an `Api`: the operation table
/// (method, path, security, how the body is read) and `call`, which reads an operation's input
/// with its `handle_<op>` function and starts the implementation's method.
fn service(api: &ApiSpace) -> TokenStream {
    let mut sets = Vec::new();
    for s in &api.security_schemes {
        let v = scheme_variant(s);
        let f = ident(&s.rust_name);
        sets.push(quote! { Scheme::#v => credentials.#f = Some(credential) });
    }
    let count = proc_macro2::Literal::usize_unsuffixed(api.operations.len());
    let table = api.operations.iter().map(|op| operation_entry(api, op));
    let arms = api.operations.iter().enumerate().map(|(index, op)| {
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        let method = ident(&op.rust_name);
        let handler = handler_ident(op);
        quote! { #index => rt::pending(self.api.#method(#handler(rq)?)) }
    });
    let call = if api.operations.is_empty() {
        quote! {
            let _ = index;
            Err(rq.internal_error())
        }
    } else {
        quote! {
            Ok(match index {
                #(#arms,)*
                _ => return Err(rq.internal_error()),
            })
        }
    };
    quote! {
        /// The router's state: the implementation and the limits.
        struct Shared<A> {
            api: A,
            config: ServerConfig,
        }

        impl<A: Api> rt::Service for Shared<A> {
            type Scheme = Scheme;
            type Credentials = Authenticated;
            fn authenticate(&self, scheme: Scheme, credential: &Secret) -> impl ::std::future::Future<Output = bool> + Send {
                self.api.authenticate(scheme, credential)
            }
            #[allow(unused_variables)]
            fn accept(credentials: &mut Authenticated, scheme: Scheme, credential: Secret) {
                match scheme { #(#sets,)* }
            }
            fn spec(&self) -> &'static rt::ApiSpec {
                &SPEC
            }
            fn config(&self) -> &ServerConfig {
                &self.config
            }
            fn operations(&self) -> &'static [rt::Operation<Scheme>] {
                static OPERATIONS: [rt::Operation<Scheme>; #count] = [#(#table),*];
                &OPERATIONS
            }
            fn call(&self, index: usize, rq: &mut rt::Incoming<Authenticated>) -> ::std::result::Result<rt::Pending<'_>, rt::Response> {
                #call
            }
        }
    }
}

/// The name of the function that reads the input of `op`.
fn handler_ident(op: &Operation) -> syn::Ident {
    format_ident!("handle_{}", bare(&op.rust_name).trim_start_matches('_'))
}

/// The entry of `op` in the operation table: method, path, key, security, how its body is read.
fn operation_entry(api: &ApiSpace, op: &Operation) -> TokenStream {
    let method = format_ident!("{}", op.method.as_str().to_ascii_uppercase());
    let path = &op.path;
    let key = bare(&op.rust_name);
    let alternatives = op.security.iter().map(|alt| {
        let vs = alt.iter().filter_map(|key| api.security_schemes.iter().find(|s| &s.key == key)).map(scheme_variant);
        quote! { &[#(Scheme::#vs),*] }
    });
    let body = match &op.body {
        None => quote! { rt::BodySpec::None },
        Some(b) => {
            let schema = match &b.schema_key {
                Some(key) => quote! { Some(#key) },
                None => quote! { None },
            };
            let (media, required) = (&b.content_type, b.required);
            match b.encoding {
                BodyEncoding::Multipart | BodyEncoding::FormUrlEncoded => {
                    let multipart = b.encoding == BodyEncoding::Multipart;
                    let binary = b.fields.iter().filter(|f| multipart && f.binary).map(|f| &f.name);
                    quote! { rt::BodySpec::Form { multipart: #multipart, schema: #schema, binary: &[#(#binary),*] } }
                }
                BodyEncoding::Json => quote! { rt::BodySpec::Json { media: #media, required: #required, schema: #schema } },
                BodyEncoding::Text => quote! { rt::BodySpec::Text { media: #media, required: #required } },
                BodyEncoding::Bytes => quote! { rt::BodySpec::Bytes { media: #media, required: #required } },
            }
        }
    };
    quote! {
        rt::Operation { method: rt::Method::#method, path: #path, key: #key, security: &[#(#alternatives),*], body: #body }
    }
}

fn api_trait(api: &ApiSpace) -> TokenStream {
    let methods = api.operations.iter().map(|op| {
        let name = ident(&op.rust_name);
        let input = format_ident!("{}Input", op.type_name);
        let response = format_ident!("{}Response", op.type_name);
        let mut doc = format!("`{} {}`", op.method.as_str(), op.path);
        if let Some(s) = &op.summary {
            doc = format!("{s}: {doc}.");
        }
        if let Some(d) = &op.description {
            doc.push_str(&format!("\n\n{d}"));
        }
        doc.push_str("\n\nCalled only with authenticated, validated input.");
        let docs = doc_attrs(&doc);
        quote! {
            #docs
            fn #name(&self, input: #input) -> impl ::std::future::Future<Output = #response> + Send;
        }
    });
    let title = format!("The operations of {}: implement this trait and serve it with [`router`].", api.title);
    let docs = doc_attrs(&title);
    quote! {
        #docs
        // The spec names the methods (`from_file`, `into_queue`): they are not conversions.
        #[allow(clippy::wrong_self_convention)]
        pub trait Api: Send + Sync + 'static {
            /// Decides whether `credential` is valid for `scheme`. Every request of an operation
            /// with security requirements passes here before its handler runs; a rejected or
            /// missing credential gets the documented 401 answer.
            ///
            /// The default rejects every credential: override it, and compare keys with
            /// [`Secret::matches`] (constant time).
            fn authenticate(
                &self,
                scheme: Scheme,
                credential: &Secret,
            ) -> impl ::std::future::Future<Output = bool> + Send {
                let _ = (scheme, credential);
                ::std::future::ready(false)
            }
            #(#methods)*
        }
    }
}

fn param_rules(rules: &[Constraint], var: &syn::Ident, name: &str, shape: ValueShape) -> Vec<TokenStream> {
    rules
        .iter()
        .filter_map(|rule| {
            let check = match (rule, shape) {
                (Constraint::MinLength(n), ValueShape::String) => quote! { crate::validation::min_length(v, #n, #name, rq.violations()) },
                (Constraint::MaxLength(n), ValueShape::String) => quote! { crate::validation::max_length(v, #n, #name, rq.violations()) },
                (Constraint::Pattern(p), ValueShape::String) => {
                    quote! {
                        static PATTERN: ::std::sync::LazyLock<::std::option::Option<::regress::Regex>> =
                            ::std::sync::LazyLock::new(|| ::regress::Regex::new(#p).ok());
                        crate::validation::pattern(v, PATTERN.as_ref(), #p, #name, rq.violations())
                    }
                }
                (Constraint::Email, ValueShape::String) => quote! { crate::validation::email(v, #name, rq.violations()) },
                (Constraint::Minimum { value, exclusive }, ValueShape::Integer | ValueShape::Number) => {
                    quote! { crate::validation::minimum(*v as f64, #value, #exclusive, #name, rq.violations()) }
                }
                (Constraint::Maximum { value, exclusive }, ValueShape::Integer | ValueShape::Number) => {
                    quote! { crate::validation::maximum(*v as f64, #value, #exclusive, #name, rq.violations()) }
                }
                (Constraint::MinItems(n), ValueShape::Array) => {
                    quote! { crate::validation::min_items(v.len(), #n, #name, rq.violations()) }
                }
                (Constraint::MaxItems(n), ValueShape::Array) => {
                    quote! { crate::validation::max_items(v.len(), #n, #name, rq.violations()) }
                }
                _ => return None,
            };
            Some(quote! { if let Some(v) = &#var { #check; } })
        })
        .collect()
}

fn response_variant(r: &Response) -> (TokenStream, TokenStream) {
    let v = ident(&r.rust_name);
    let code = r.status.representative();
    let status_text = match r.status {
        StatusMatch::Code(c) => c.to_string(),
        StatusMatch::Range(c) => format!("{c}XX"),
        StatusMatch::Default => "any other status".into(),
    };
    let docs = doc_attrs(&format!("{status_text}: {}", r.description));
    let exact = matches!(r.status, StatusMatch::Code(_));
    let status = if exact {
        quote! { #code }
    } else {
        quote! { status }
    };
    let answer = match &r.body {
        None => quote! { rt::empty_response(#status) },
        Some(b) if b.encoding == BodyEncoding::Json => quote! { rt::json_response(#status, &body) },
        Some(b) => {
            let ct = &b.content_type;
            quote! { rt::raw_response(#status, #ct, body) }
        }
    };
    let headers = r.headers_type.as_ref().map(|h| {
        let h = format_ident!("{}", h);
        quote!(crate::models::#h)
    });
    if headers.is_none() && exact {
        // A tuple variant, as before typed headers: `Ok(body)`, `NoContent`.
        return match &r.body {
            Some(b) => {
                let t = &b.ty;
                (quote! { #docs #v(#t) }, quote! { Self::#v(body) => #answer })
            }
            None => (quote! { #docs #v }, quote! { Self::#v => #answer }),
        };
    }
    let mut fields = Vec::new();
    let mut names = Vec::new();
    if !exact {
        fields.push(quote! { /// The status to answer with.
        status: u16 });
        names.push(quote!(status));
    }
    if let Some(b) = &r.body {
        let t = &b.ty;
        fields.push(quote! { /// The body.
        body: #t });
        names.push(quote!(body));
    }
    let answer = match &headers {
        Some(h) => {
            fields.push(quote! { /// The documented headers, sent with the answer.
            headers: #h });
            names.push(quote!(headers));
            quote! { rt::with_headers(#answer, &headers) }
        }
        None => answer,
    };
    (quote! { #docs #v { #(#fields),* } }, quote! { Self::#v { #(#names),* } => #answer })
}

fn operation(op: &Operation) -> Result<TokenStream, String> {
    let input = format_ident!("{}Input", op.type_name);
    let response = format_ident!("{}Response", op.type_name);
    let handler = handler_ident(op);

    // The input struct and the code that fills it: each parameter is read through the shared
    // `Incoming` helpers, which collect every violation before the handler answers.
    let mut fields = Vec::new();
    let mut parse = Vec::new();
    let mut assign = Vec::new();
    let mut unwrap = Vec::new();
    for p in &op.params {
        let f = ident(&p.rust_name);
        let t = &p.ty;
        let name = &p.name;
        let required = p.required;
        let mut doc = format!("`{}`, {} parameter.", p.name, format!("{:?}", p.location).to_lowercase());
        if let Some(d) = &p.description {
            doc.push_str(&format!(" {d}"));
        }
        let docs = doc_attrs(&doc);
        if required {
            fields.push(quote! { #docs pub #f: #t });
            unwrap.push(quote! { let #f = rq.required(#f)?; });
        } else {
            fields.push(quote! { #docs pub #f: ::std::option::Option<#t> });
        }
        assign.push(quote! { #f });
        let read = crate::emit::params::server_read(p, &f, &t, &op.path);
        let rules = param_rules(&p.constraints.value, &f, name, p.shape);
        parse.push(quote! {
            #read
            #(#rules)*
        });
    }
    let check = (!parse.is_empty()).then(|| quote! { rq.check()?; });

    // The body, read by the runtime as the operation table says; what went wrong with it is
    // answered here, after the parameters.
    let mut body_code = quote! {};
    if let Some(b) = &op.body {
        let t = &b.ty;
        let required = b.required;
        let mut doc = format!("The request body ({}).", b.content_type);
        if let Some(d) = &b.description {
            doc.push_str(&format!(" {d}"));
        }
        let docs = doc_attrs(&doc);
        if required {
            fields.push(quote! { #docs pub body: #t });
        } else {
            fields.push(quote! { #docs pub body: ::std::option::Option<#t> });
        }
        assign.push(quote! { body });
        let read = match b.encoding {
            BodyEncoding::Multipart | BodyEncoding::FormUrlEncoded | BodyEncoding::Json => quote! { let body = rq.body::<#t>()?; },
            BodyEncoding::Text => quote! { let body = rq.text_body()?; },
            BodyEncoding::Bytes => quote! { let body = rq.bytes_body()?; },
        };
        let finish = required.then(|| quote! { let body = rq.required(body)?; });
        body_code = quote! { #read #finish };
    }

    let (variants, arms): (Vec<_>, Vec<_>) = op.responses.iter().map(response_variant).unzip();
    let input_doc = doc_attrs(&format!("The validated input of `{} {}`.", op.method.as_str(), op.path));
    let response_doc = doc_attrs(&format!(
        "The answers of `{} {}`: one variant per documented status, and [`Self::Other`] for any other answer.",
        op.method.as_str(),
        op.path
    ));
    let handler_doc = doc_attrs(&format!(
        "Reads the input of `{} {}` (authenticated, its body read): the parameters, then the body.",
        op.method.as_str(),
        op.path
    ));
    let input_ctor = input_constructor(op, &input);
    Ok(quote! {
        #input_doc
        #[derive(Debug)]
        #[non_exhaustive]
        pub struct #input {
            #(#fields,)*
            /// The request headers.
            pub headers: ::apigen_runtime::axum::http::HeaderMap,
            /// The credentials the request was authenticated with.
            pub credentials: Authenticated,
        }

        #input_ctor


        #response_doc
        #[derive(Debug)]
        #[allow(clippy::large_enum_variant)]
        pub enum #response {
            #(#variants,)*
            /// Any other answer, sent as is (e.g. a proxy's upstream answer, the mock's examples).
            Other(rt::Response),
        }

        impl ::apigen_runtime::axum::response::IntoResponse for #response {
            fn into_response(self) -> rt::Response {
                match self {
                    #(#arms,)*
                    Self::Other(response) => response,
                }
            }
        }

        #handler_doc
        fn #handler(rq: &mut rt::Incoming<Authenticated>) -> ::std::result::Result<#input, rt::Response> {
            #(#parse)*
            #check
            #(#unwrap)*
            #body_code
            Ok(#input { #(#assign,)* headers: rq.take_headers(), credentials: ::std::mem::take(&mut rq.credentials) })
        }
    })
}

/// `<Op>Input::new`: the input an implementation receives, built without HTTP (unit tests of an
/// `Api` impl): the required parameters and body as arguments, optional ones `None` (the fields
/// are public: set them after), no headers and no credentials.
fn input_constructor(op: &Operation, input: &syn::Ident) -> TokenStream {
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in &op.params {
        let f = ident(&p.rust_name);
        if p.required {
            let t = &p.ty;
            args.push(quote! { #f: #t });
            inits.push(quote! { #f });
        } else {
            inits.push(quote! { #f: ::std::option::Option::None });
        }
    }
    if let Some(b) = &op.body {
        if b.required {
            let t = &b.ty;
            args.push(quote! { body: #t });
            inits.push(quote! { body });
        } else {
            inits.push(quote! { body: ::std::option::Option::None });
        }
    }
    let doc = doc_attrs(&format!(
        "The input of `{} {}` as the server would pass it, for calling an [`Api`] implementation without HTTP: the required parameters{}; optional ones are `None` (set the public fields after), no request headers and no credentials.",
        op.method.as_str(),
        op.path,
        if op.body.as_ref().is_some_and(|b| b.required) { " and the body" } else { "" }
    ));
    let default = args.is_empty().then(|| {
        quote! {
            impl ::std::default::Default for #input {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    quote! {
        #default

        impl #input {
            #doc
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#args),*) -> Self {
                Self {
                    #(#inits,)*
                    headers: ::apigen_runtime::axum::http::HeaderMap::new(),
                    credentials: Authenticated::default(),
                }
            }

            /// The same input, authenticated with `credentials`.
            pub fn with_credentials(mut self, credentials: Authenticated) -> Self {
                self.credentials = credentials;
                self
            }
        }
    }
}

fn router() -> TokenStream {
    quote! {
        /// Every operation of `api` at its documented path, with the default limits
        /// ([`ServerConfig::default`]). Unknown paths get the documented not-found answer, other
        /// methods on a known path the method-not-allowed one (with `Allow`).
        pub fn router<A: Api>(api: A) -> ::apigen_runtime::axum::Router {
            router_with(api, ServerConfig::default())
        }

        /// As [`router`], with bodies limited to `body_limit` bytes.
        pub fn router_with_body_limit<A: Api>(api: A, body_limit: usize) -> ::apigen_runtime::axum::Router {
            router_with(api, ServerConfig::default().body_limit(body_limit))
        }

        /// As [`router`], with the request limits of `config` (serve it with [`serve`], which
        /// adds the [`ConnectionLimits`]).
        pub fn router_with<A: Api>(api: A, config: ServerConfig) -> ::apigen_runtime::axum::Router {
            rt::router(::std::sync::Arc::new(Shared { api, config }))
        }
    }
}

fn mock(api: &ApiSpace) -> TokenStream {
    // One table entry per operation with what lowering prepared for its answers (the
    // document has nothing to read at run time for them): the smallest body of each response
    // without an example, and the value chosen for each documented response header (its
    // example, else the smallest value its schema allows), as JSON text by response key. Each
    // method of the mock is one call into the runtime with its entry.
    let canned: Vec<serde_json::Value> = api
        .operations
        .iter()
        .map(|op| {
            let minimal: Vec<serde_json::Value> =
                op.responses.iter().filter_map(|r| Some(serde_json::json!([r.status.key(), r.body.as_ref()?.minimal.as_ref()?]))).collect();
            let sent: Vec<serde_json::Value> = op
                .responses
                .iter()
                .flat_map(|r| r.headers.iter().filter_map(move |h| Some(serde_json::json!([r.status.key(), h.name, h.sample.as_ref()?]))))
                .collect();
            serde_json::json!({ "method": op.method.as_str().to_ascii_lowercase(), "path": op.path, "minimal": minimal, "sent": sent })
        })
        .collect();
    let canned = serde_json::Value::Array(canned).to_string();
    let methods = api.operations.iter().enumerate().map(|(index, op)| {
        let name = ident(&op.rust_name);
        let input = format_ident!("{}Input", op.type_name);
        let response = format_ident!("{}Response", op.type_name);
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        quote! {
            fn #name(&self, input: #input) -> impl ::std::future::Future<Output = #response> + Send {
                ::std::future::ready(#response::Other(answer(#index, &input.headers)))
            }
        }
    });
    let name = &api.crate_name;
    let document = (!api.operations.is_empty()).then(|| {
        quote! {
            /// The bundled document the crate was generated from, parsed on first use.
            static DOCUMENT: rt::mock::Document = rt::mock::Document::new(include_str!("../openapi.json"));

            /// What the generator prepared for the answers of each operation (the smallest body
            /// of each response without an example, the value of each documented header), in
            /// the order of the [`Api`] methods.
            static ANSWERS: rt::mock::Answers = rt::mock::Answers::new(#canned);

            /// The answer to the operation at `index` of [`ANSWERS`].
            fn answer(index: usize, headers: &::apigen_runtime::axum::http::HeaderMap) -> rt::Response {
                ANSWERS.answer(&DOCUMENT, &SPEC, headers, index)
            }
        }
    });
    quote! {
        /// A mock implementation that answers every operation with its documented example, after
        /// the same authentication and validation as any implementation (like Stoplight Prism).
        ///
        /// The success example by default; send `Prefer: code=404` to get the documented
        /// example of another status.
        pub mod mock {
            use super::*;

            #document

            /// Answers the documented examples.
            #[derive(Debug, Clone, Default)]
            pub struct MockApi {
                keys: rt::mock::Keys,
            }

            impl MockApi {
                /// A mock that accepts any non-empty credential.
                pub fn new() -> Self {
                    Self::default()
                }

                /// A mock that accepts only these credentials (compared in constant time).
                pub fn with_keys(keys: impl IntoIterator<Item = impl Into<::std::string::String>>) -> Self {
                    Self { keys: rt::mock::Keys::only(keys) }
                }
            }

            impl Api for MockApi {
                fn authenticate(&self, _scheme: Scheme, credential: &Secret) -> impl ::std::future::Future<Output = bool> + Send {
                    ::std::future::ready(self.keys.accepts(credential))
                }
                #(#methods)*
            }

            /// The mock server binary: `--host` (default 127.0.0.1), `--port` (default 4010),
            /// `--api-key` (repeatable; without it any non-empty key is accepted).
            #[cfg(feature = "mock")]
            pub fn main() -> ::std::process::ExitCode {
                rt::mock::main(#name, |keys| router(MockApi { keys }))
            }
        }
    }
}
