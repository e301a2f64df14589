//! The server emitter: axum stubs (`src/server.rs` of the generated crate) and the mock
//! server binary (`src/bin/mock.rs`).
//!
//! The static part (credentials, error answers, parameter parsing, body decoding, the JSON
//! Schema checker) is `templates/server_runtime.rs.jinja`; this module emits what depends on
//! the API: the `Api` trait with one method per operation, an input struct and a response enum
//! per operation, one handler per operation (authentication, then parameters, then the body,
//! then the implementation behind a panic guard), `router`, and `mock::MockApi`, which answers
//! the documented examples.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::{doc_attrs, ty};
use crate::ir::{ApiSpace, BodyEncoding, Operation, ParamLocation, Response, SchemeKind, StatusMatch, ValueShape};
use crate::lower_server::{body_schema, ErrorTemplate, ServerErrors};
use crate::models::Rule;

/// Emits `src/server.rs`.
///
/// # Errors
///
/// A message when the IR holds something the emitter cannot express (a generator bug).
pub fn emit(api: &ApiSpace, errors: &ServerErrors) -> Result<TokenStream, String> {
    let runtime = crate::render::render("server_runtime.rs.jinja", serde_json::json!({}))?;
    let runtime: syn::File = syn::parse_file(&runtime).map_err(|e| format!("server_runtime.rs.jinja does not parse: {e}"))?;
    let runtime_items = runtime.items;
    let templates = error_templates(errors);
    let definitions = definitions(api);
    let schemes = schemes(api);
    let api_trait = api_trait(api);
    let operations = api.operations.iter().map(|op| operation(api, op)).collect::<Result<Vec<_>, _>>()?;
    let router = router(api);
    let mock = mock(api);
    Ok(quote! {
        // The runtime is shared by every API; an API without multipart bodies, path parameters
        // or bearer tokens leaves some of it unused. Handlers return an early answer as
        // `Err(Response)`: it is the request's last value, so boxing it would only allocate.
        #![allow(dead_code, clippy::result_large_err)]
        #(#runtime_items)*
        #templates
        #definitions
        #schemes
        #api_trait
        #(#operations)*
        #router
        #mock
    })
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

fn error_templates(errors: &ServerErrors) -> TokenStream {
    let entry = |t: &ErrorTemplate| {
        let status = t.status;
        let body = serde_json::to_string(&t.body).unwrap_or_else(|_| "null".into());
        quote! { (#status, #body) }
    };
    let all = [
        &errors.validation,
        &errors.malformed_body,
        &errors.invalid_parameters,
        &errors.unauthorized,
        &errors.not_found,
        &errors.payload_too_large,
        &errors.internal,
        &errors.method_not_allowed,
    ]
    .map(entry);
    quote! {
        /// The API's error bodies (from the spec's `x-server-errors`), in [`Rejection`] order.
        const ERROR_TEMPLATES: [(u16, &str); 8] = [#(#all),*];
    }
}

/// The model definitions that request bodies reach through `$ref`s, as one JSON object.
fn definitions(api: &ApiSpace) -> TokenStream {
    let mut todo: Vec<String> = Vec::new();
    let mut bodies = std::collections::BTreeMap::new();
    for op in &api.operations {
        if let Some(schema) = op.body.as_ref().and_then(|b| body_schema(&b.ty)) {
            collect_refs(&schema, &mut todo);
            bodies.insert(bare(&op.rust_name).to_string(), schema);
        }
    }
    let bodies = serde_json::to_string(&bodies).unwrap_or_else(|_| "{}".into());
    let mut seen = BTreeSet::new();
    let mut map = serde_json::Map::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(def) = api.models.definitions.get(&name) {
            collect_refs(def, &mut todo);
            let mut def = def.clone();
            if let Some(rules) = api.models.structs.get(&name) {
                restore_rules(&mut def, rules);
            }
            map.insert(name, def);
        }
    }
    let sorted: std::collections::BTreeMap<_, _> = map.into_iter().collect();
    let text = serde_json::to_string(&sorted).unwrap_or_else(|_| "{}".into());
    quote! {
        /// The request-body schemas (and the schemas they reference), by name.
        static DEFINITIONS: ::std::sync::LazyLock<::serde_json::Map<::std::string::String, ::serde_json::Value>> =
            ::std::sync::LazyLock::new(|| ::serde_json::from_str(#text).unwrap_or_default());

        /// The schema of each operation's request body, by operation (see [`body_schema`]).
        static BODY_SCHEMAS: ::std::sync::LazyLock<::serde_json::Map<::std::string::String, ::serde_json::Value>> =
            ::std::sync::LazyLock::new(|| ::serde_json::from_str(#bodies).unwrap_or_default());
    }
}

/// Puts the rules that model lowering moved out of a definition (into [`StructRules`], for the
/// generated `Validate` impls) back as JSON Schema keywords, so the body checker sees them.
fn restore_rules(def: &mut Value, rules: &crate::models::StructRules) {
    use crate::models::Target;
    let Some(obj) = def.as_object_mut() else { return };
    for pr in &rules.rules {
        let (key, value) = match &pr.rule {
            Rule::MinLength(n) => ("minLength", Value::from(*n)),
            Rule::MaxLength(n) => ("maxLength", Value::from(*n)),
            Rule::Pattern(p) => ("pattern", Value::from(p.clone())),
            Rule::Email => ("format", Value::from("email")),
            Rule::Minimum { value, exclusive } => (if *exclusive { "exclusiveMinimum" } else { "minimum" }, Value::from(*value)),
            Rule::Maximum { value, exclusive } => (if *exclusive { "exclusiveMaximum" } else { "maximum" }, Value::from(*value)),
            Rule::MinItems(n) => ("minItems", Value::from(*n)),
            Rule::MaxItems(n) => ("maxItems", Value::from(*n)),
            Rule::MustEqual(other) => ("x-must-equal", Value::from(other.clone())),
        };
        let Some(prop) = obj.get_mut("properties").and_then(|p| p.get_mut(&pr.property)).and_then(Value::as_object_mut) else { continue };
        let target = match pr.target {
            Target::Value => Some(prop),
            Target::Items => prop.get_mut("items").and_then(Value::as_object_mut),
        };
        if let Some(target) = target {
            target.entry(key).or_insert(value);
        }
    }
    if !rules.conditionals.is_empty() {
        let conditions = rules.conditionals.iter().map(|c| {
            serde_json::json!({
                "if": { "properties": { c.when.clone(): { "const": c.equals.clone() } }, "required": [c.when.clone()] },
                "then": { "required": c.required.clone() }
            })
        });
        let all = obj.entry("allOf").or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = all {
            list.extend(conditions);
        }
    }
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                if let Some(name) = r.rsplit('/').next() {
                    out.push(name.to_string());
                }
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The `Scheme` variant of a scheme key: from its unique field name, since two keys may share a
/// Pascal case (`api_key`, `apiKey`).
fn scheme_variant(api: &ApiSpace, key: &str) -> syn::Ident {
    let name = api.security_schemes.iter().find(|s| s.key == key).map_or(key, |s| s.rust_name.trim_start_matches("r#"));
    format_ident!("{}", crate::naming::pascal_case(name))
}

fn schemes(api: &ApiSpace) -> TokenStream {
    let mut variants = Vec::new();
    let mut keys = Vec::new();
    let mut wires = Vec::new();
    let mut extracts = Vec::new();
    let mut fields = Vec::new();
    let mut sets = Vec::new();
    for s in &api.security_schemes {
        let v = scheme_variant(api, &s.key);
        let key = &s.key;
        let f = ident(&s.rust_name);
        let (wire, extract, how) = match &s.kind {
            SchemeKind::ApiKey { location: ParamLocation::Header, name } => (
                name.clone(),
                quote! { header_text(headers, #name).filter(|t| !t.is_empty()).map(Secret::new) },
                format!("the `{name}` header"),
            ),
            SchemeKind::ApiKey { location: ParamLocation::Query, name } => (
                name.clone(),
                quote! { query_value(query, #name).filter(|t| !t.is_empty()).map(Secret::new) },
                format!("the `{name}` query parameter"),
            ),
            SchemeKind::ApiKey { name, .. } => {
                (name.clone(), quote! { None }, format!("`{name}` (not extracted: cookies are not supported)"))
            }
            SchemeKind::Bearer => {
                ("Authorization".into(), quote! { bearer_token(headers).map(Secret::new) }, "`Authorization: Bearer <token>`".into())
            }
            SchemeKind::Basic | SchemeKind::Unsupported { .. } => (
                "Authorization".into(),
                quote! { header_text(headers, "authorization").map(Secret::new) },
                "the `Authorization` header, whole".into(),
            ),
        };
        let mut doc = format!("`{key}`: {how}.");
        if let Some(d) = &s.description {
            doc.push_str(&format!("\n\n{d}"));
        }
        if s.deprecated {
            doc.push_str("\n\nDeprecated by the API.");
        }
        let docs = doc_attrs(&doc);
        variants.push(quote! { #docs #v });
        keys.push(quote! { Self::#v => #key });
        wires.push(quote! { Self::#v => #wire });
        extracts.push(quote! { Self::#v => #extract });
        let field_doc = doc_attrs(&format!("The credential of `{key}` ({how}), when the request was authenticated with it."));
        fields.push(quote! { #field_doc pub #f: ::std::option::Option<Secret> });
        sets.push(quote! { Scheme::#v => self.#f = Some(secret) });
    }
    // An enum without variants is matched exhaustively by an empty `match`.
    let none: Option<TokenStream> = None;
    let impossible = api.security_schemes.is_empty().then(|| quote! { #[allow(unreachable_code)] });
    quote! {
        /// A security scheme of the API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Scheme {
            #(#variants,)*
        }

        impl Scheme {
            /// The key of the scheme in the spec.
            pub fn key(self) -> &'static str {
                #impossible
                match self { #(#keys,)* }
            }

            /// The header or query parameter that carries the credential.
            pub fn wire_name(self) -> &'static str {
                match self { #(#wires,)* }
            }

            /// Takes the credential of this scheme from a request.
            #[allow(unused_variables)]
            fn extract(
                self,
                headers: &::axum::http::HeaderMap,
                query: ::std::option::Option<&str>,
            ) -> ::std::option::Option<Secret> {
                match self { #(#extracts,)* }
            }
        }

        /// The credentials a request was authenticated with (already accepted by
        /// [`Api::authenticate`]).
        #[derive(Debug, Clone, Default)]
        pub struct Credentials {
            #(#fields,)*
        }

        impl Credentials {
            #[allow(unused_variables)]
            fn set(&mut self, scheme: Scheme, secret: Secret) {
                match scheme { #(#sets,)* #none }
            }
        }

        /// Tries each security alternative of an operation in order; the first whose every
        /// credential is present and accepted wins.
        async fn authenticate<A: Api>(
            api: &A,
            headers: &::axum::http::HeaderMap,
            query: ::std::option::Option<&str>,
            alternatives: &[&[Scheme]],
            path: &str,
        ) -> ::std::result::Result<Credentials, ErrorAnswer> {
            if alternatives.is_empty() {
                return Ok(Credentials::default());
            }
            let mut failures = ::std::vec::Vec::new();
            for alternative in alternatives {
                let mut credentials = Credentials::default();
                let mut accepted = true;
                for scheme in alternative.iter().copied() {
                    match scheme.extract(headers, query) {
                        Some(secret) => {
                            if api.authenticate(scheme, &secret).await {
                                credentials.set(scheme, secret);
                            } else {
                                failures.push(crate::validation::Violation::new(scheme.wire_name(), "security", "the credential was rejected"));
                                accepted = false;
                                break;
                            }
                        }
                        None => {
                            failures.push(crate::validation::Violation::new(scheme.wire_name(), "security", "is required"));
                            accepted = false;
                            break;
                        }
                    }
                }
                if accepted {
                    return Ok(credentials);
                }
            }
            Err(ErrorAnswer::new(Rejection::Unauthorized, failures, path))
        }
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

fn shape_word(shape: ValueShape) -> &'static str {
    match shape {
        ValueShape::Integer => "an integer",
        ValueShape::Number => "a number",
        ValueShape::Boolean => "`true` or `false`",
        ValueShape::Enum => "one of the documented values",
        ValueShape::Array => "a JSON array",
        ValueShape::Json => "JSON",
        ValueShape::String => "a string",
    }
}

fn param_rules(rules: &[Rule], var: &syn::Ident, name: &str, shape: ValueShape) -> Vec<TokenStream> {
    rules
        .iter()
        .filter_map(|rule| {
            let check = match (rule, shape) {
                (Rule::MinLength(n), ValueShape::String) => quote! { crate::validation::min_length(v, #n, #name, &mut rq.violations) },
                (Rule::MaxLength(n), ValueShape::String) => quote! { crate::validation::max_length(v, #n, #name, &mut rq.violations) },
                (Rule::Pattern(p), ValueShape::String) => {
                    quote! {
                        static PATTERN: ::std::sync::LazyLock<::std::option::Option<::regress::Regex>> =
                            ::std::sync::LazyLock::new(|| ::regress::Regex::new(#p).ok());
                        crate::validation::pattern(v, PATTERN.as_ref(), #p, #name, &mut rq.violations)
                    }
                }
                (Rule::Email, ValueShape::String) => quote! { crate::validation::email(v, #name, &mut rq.violations) },
                (Rule::Minimum { value, exclusive }, ValueShape::Integer | ValueShape::Number) => {
                    quote! { crate::validation::minimum(*v as f64, #value, #exclusive, #name, &mut rq.violations) }
                }
                (Rule::Maximum { value, exclusive }, ValueShape::Integer | ValueShape::Number) => {
                    quote! { crate::validation::maximum(*v as f64, #value, #exclusive, #name, &mut rq.violations) }
                }
                (Rule::MinItems(n), ValueShape::Array) => quote! { crate::validation::min_items(v.len(), #n, #name, &mut rq.violations) },
                (Rule::MaxItems(n), ValueShape::Array) => quote! { crate::validation::max_items(v.len(), #n, #name, &mut rq.violations) },
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
    let answer = |body: TokenStream, status: TokenStream| match &r.body {
        None => {
            quote! { ::axum::http::StatusCode::from_u16(#status).unwrap_or(::axum::http::StatusCode::INTERNAL_SERVER_ERROR).into_response() }
        }
        Some(b) if b.encoding == BodyEncoding::Json => quote! { json_response(#status, #body) },
        Some(b) => {
            let ct = &b.content_type;
            quote! {
                (
                    ::axum::http::StatusCode::from_u16(#status).unwrap_or(::axum::http::StatusCode::INTERNAL_SERVER_ERROR),
                    [(::axum::http::header::CONTENT_TYPE, #ct)],
                    #body,
                ).into_response()
            }
        }
    };
    match (&r.body, exact) {
        (Some(b), true) => {
            let t = ty(&b.ty);
            let arm = answer(quote! { &body }, quote! { #code });
            let arm = if b.encoding == BodyEncoding::Json { arm } else { answer(quote! { body }, quote! { #code }) };
            (quote! { #docs #v(#t) }, quote! { Self::#v(body) => #arm })
        }
        (None, true) => (quote! { #docs #v }, {
            let arm = answer(quote! {}, quote! { #code });
            quote! { Self::#v => #arm }
        }),
        (Some(b), false) => {
            let t = ty(&b.ty);
            let arm = if b.encoding == BodyEncoding::Json {
                answer(quote! { &body }, quote! { status })
            } else {
                answer(quote! { body }, quote! { status })
            };
            (
                quote! { #docs #v { /// The status to answer with.
                status: u16, /// The body.
                body: #t } },
                quote! { Self::#v { status, body } => #arm },
            )
        }
        (None, false) => {
            let arm = answer(quote! {}, quote! { status });
            (
                quote! { #docs #v { /// The status to answer with.
                status: u16 } },
                quote! { Self::#v { status } => #arm },
            )
        }
    }
}

fn operation(api: &ApiSpace, op: &Operation) -> Result<TokenStream, String> {
    let input = format_ident!("{}Input", op.type_name);
    let response = format_ident!("{}Response", op.type_name);
    let handler = format_ident!("handle_{}", bare(&op.rust_name).trim_start_matches('_'));
    let method = ident(&op.rust_name);

    // The input struct and the code that fills it: each parameter is read through the shared
    // `Incoming` helpers, which collect every violation before the handler answers.
    let mut fields = Vec::new();
    let mut parse = Vec::new();
    let mut assign = Vec::new();
    let mut unwrap = Vec::new();
    for p in op.params.iter().filter(|p| p.location != ParamLocation::Cookie) {
        let f = ident(&p.rust_name);
        let t = ty(&p.ty);
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
        let at = match p.location {
            ParamLocation::Path => quote! { At::Path },
            ParamLocation::Query => quote! { At::Query },
            _ => quote! { At::Header },
        };
        let word = shape_word(p.shape);
        let read = match p.shape {
            ValueShape::Array | ValueShape::Json => quote! { json_param },
            _ => quote! { param },
        };
        let rules = param_rules(&p.rules, &f, name, p.shape);
        parse.push(quote! {
            let #f = rq.#read::<#t>(#at, #name, #required, #word);
            #(#rules)*
        });
    }
    let uses_path = op.params.iter().any(|p| p.location == ParamLocation::Path);
    let check = (!parse.is_empty()).then(|| quote! { rq.check()?; });

    // The body.
    let mut body_code = quote! {};
    if let Some(b) = &op.body {
        let t = ty(&b.ty);
        let key = bare(&op.rust_name);
        let schema = match body_schema(&b.ty) {
            Some(_) => quote! { body_schema(#key) },
            None => quote! { None },
        };
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
        body_code = match b.encoding {
            BodyEncoding::Multipart | BodyEncoding::FormUrlEncoded => {
                let multipart = b.encoding == BodyEncoding::Multipart;
                let wrap = if required {
                    quote! {}
                } else {
                    quote! { let body = Some(body); }
                };
                quote! {
                    let body = rq.form_body::<#t>(shared.body_limit, #multipart, #schema).await?;
                    #wrap
                }
            }
            _ => {
                let finish = required.then(|| quote! { let body = rq.required(body)?; });
                quote! {
                    let body = rq.json_body::<#t>(shared.body_limit, #required, #schema).await?;
                    #finish
                }
            }
        };
    }

    let alternatives = op.security.iter().map(|alt| {
        let vs = alt.iter().map(|k| scheme_variant(api, k));
        quote! { &[#(Scheme::#vs),*] }
    });

    let (variants, arms): (Vec<_>, Vec<_>) = op.responses.iter().map(response_variant).unzip();
    let input_doc = doc_attrs(&format!("The validated input of `{} {}`.", op.method.as_str(), op.path));
    let response_doc = doc_attrs(&format!(
        "The answers of `{} {}`: one variant per documented status, and [`Self::Other`] for any other answer.",
        op.method.as_str(),
        op.path
    ));
    let handler_doc = doc_attrs(&format!("Serves `{} {}`.", op.method.as_str(), op.path));
    let mutability = (!parse.is_empty() || op.body.is_some()).then(|| quote! { mut });
    let _ = api;
    Ok(quote! {
        #input_doc
        #[derive(Debug)]
        #[non_exhaustive]
        pub struct #input {
            #(#fields,)*
            /// The request headers.
            pub headers: ::axum::http::HeaderMap,
            /// The credentials the request was authenticated with.
            pub credentials: Credentials,
        }

        #response_doc
        #[derive(Debug)]
        pub enum #response {
            #(#variants,)*
            /// Any other answer, sent as is (e.g. a proxy's upstream answer, the mock's examples).
            Other(::axum::response::Response),
        }

        impl ::axum::response::IntoResponse for #response {
            fn into_response(self) -> ::axum::response::Response {
                match self {
                    #(#arms,)*
                    Self::Other(response) => response,
                }
            }
        }

        #handler_doc
        async fn #handler<A: Api>(
            ::axum::extract::State(shared): ::axum::extract::State<::std::sync::Arc<Shared<A>>>,
            request: ::axum::extract::Request,
        ) -> ::std::result::Result<::axum::response::Response, ::axum::response::Response> {
            let #mutability rq = Incoming::start(&shared.api, request, &[#(#alternatives),*], #uses_path).await?;
            #(#parse)*
            #check
            #(#unwrap)*
            #body_code
            let input = #input { #(#assign,)* headers: rq.parts.headers, credentials: rq.credentials };
            Ok(guarded(shared.api.#method(input), rq.parts.uri.path()).await)
        }
    })
}

fn router(api: &ApiSpace) -> TokenStream {
    // Operations grouped by path, in document order of first appearance.
    let mut paths: Vec<(&str, Vec<&Operation>)> = Vec::new();
    for op in &api.operations {
        match paths.iter_mut().find(|(p, _)| *p == op.path) {
            Some((_, ops)) => ops.push(op),
            None => paths.push((&op.path, vec![op])),
        }
    }
    let routes = paths.iter().map(|(path, ops)| {
        let mut chain = quote! { ::axum::routing::MethodRouter::new() };
        for op in ops {
            let filter = format_ident!("{}", op.method.as_str().to_ascii_lowercase());
            let handler = format_ident!("handle_{}", bare(&op.rust_name).trim_start_matches('_'));
            chain = quote! { #chain.#filter(#handler::<A>) };
        }
        quote! { .route(#path, #chain) }
    });
    quote! {
        /// Every operation of `api` at its documented path, with the default body limit
        /// ([`DEFAULT_BODY_LIMIT`]). Unknown paths get the documented not-found answer, other
        /// methods on a known path the method-not-allowed one (with `Allow`).
        pub fn router<A: Api>(api: A) -> ::axum::Router {
            router_with_body_limit(api, DEFAULT_BODY_LIMIT)
        }

        /// As [`router`], with bodies limited to `body_limit` bytes.
        pub fn router_with_body_limit<A: Api>(api: A, body_limit: usize) -> ::axum::Router {
            let shared = ::std::sync::Arc::new(Shared { api, body_limit });
            ::axum::Router::new()
                #(#routes)*
                .method_not_allowed_fallback(method_not_allowed)
                .fallback(not_found)
                .with_state(shared)
        }
    }
}

fn mock(api: &ApiSpace) -> TokenStream {
    let methods = api.operations.iter().map(|op| {
        let name = ident(&op.rust_name);
        let input = format_ident!("{}Input", op.type_name);
        let response = format_ident!("{}Response", op.type_name);
        let path = &op.path;
        let method = op.method.as_str().to_ascii_lowercase();
        // Without a documented success example, the smallest body the success schema allows
        // (written here, since the document has nothing to read at run time).
        let has_example = op.responses.iter().any(|r| r.success && r.body.as_ref().is_some_and(|b| !b.examples.is_empty()));
        let minimal = op
            .responses
            .iter()
            .find(|r| r.success)
            .filter(|_| !has_example)
            .and_then(|r| r.body.as_ref().map(|b| (r.status.representative(), b)))
            .map(|(code, b)| {
                let body = crate::emit::krate::minimal_body(api, &b.ty);
                let text = serde_json::to_string(&body).unwrap_or_else(|_| "null".into());
                quote! { Some((#code, #text)) }
            })
            .unwrap_or_else(|| quote! { None });
        quote! {
            async fn #name(&self, input: #input) -> #response {
                #response::Other(answer(&input.headers, #method, #path, #minimal))
            }
        }
    });
    let krate = &api.crate_ident;
    let usage = format!("usage: {krate}-mock [--host HOST] [--port PORT] [--api-key KEY]...");
    quote! {
        /// A mock implementation that answers every operation with its documented example, after
        /// the same authentication and validation as any implementation (like Stoplight Prism).
        ///
        /// The success example by default; send `Prefer: code=404` to get the documented
        /// example of another status.
        pub mod mock {
            use super::*;

            /// Answers the documented examples.
            #[derive(Debug, Clone, Default)]
            pub struct MockApi {
                keys: ::std::vec::Vec<::std::string::String>,
            }

            impl MockApi {
                /// A mock that accepts any non-empty credential.
                pub fn new() -> Self {
                    Self::default()
                }

                /// A mock that accepts only these credentials (compared in constant time).
                pub fn with_keys(keys: impl IntoIterator<Item = impl Into<::std::string::String>>) -> Self {
                    Self { keys: keys.into_iter().map(Into::into).collect() }
                }
            }

            /// The status asked for with `Prefer: code=NNN`.
            fn prefer_code(headers: &::axum::http::HeaderMap) -> ::std::option::Option<u16> {
                let prefer = headers.get("prefer")?.to_str().ok()?;
                prefer
                    .split([',', ';'])
                    .find_map(|part| part.trim().strip_prefix("code="))
                    .and_then(|c| c.trim().parse().ok())
            }

            /// The bundled document the crate was generated from, parsed once.
            static DOCUMENT: ::std::sync::LazyLock<::serde_json::Value> = ::std::sync::LazyLock::new(|| {
                ::serde_json::from_str(include_str!("../openapi.json")).unwrap_or(::serde_json::Value::Null)
            });

            /// Follows local `$ref`s (a bounded number of times).
            fn follow<'a>(doc: &'a ::serde_json::Value, mut value: &'a ::serde_json::Value) -> &'a ::serde_json::Value {
                for _ in 0..8 {
                    match value.get("$ref").and_then(|r| r.as_str()).and_then(|r| r.strip_prefix('#')).and_then(|p| doc.pointer(p)) {
                        Some(next) => value = next,
                        None => break,
                    }
                }
                value
            }

            /// What a documented response offers the mock.
            enum Offer<'a> {
                /// An example, with its media type.
                Example(&'a str, &'a ::serde_json::Value),
                /// A response without content.
                Empty,
                /// Content without an example.
                Nothing,
            }

            /// The first example of a response (media types in document order), or whether it
            /// has no content at all.
            fn offer<'a>(doc: &'a ::serde_json::Value, response: &'a ::serde_json::Value) -> Offer<'a> {
                let Some(content) = follow(doc, response).get("content").and_then(|c| c.as_object()).filter(|c| !c.is_empty()) else {
                    return Offer::Empty;
                };
                for (media, m) in content {
                    let m = follow(doc, m);
                    let value = m.get("example").or_else(|| {
                        let first = m.get("examples").and_then(|e| e.as_object()).and_then(|e| e.values().next())?;
                        follow(doc, first).get("value")
                    });
                    if let Some(value) = value {
                        return Offer::Example(media, value);
                    }
                }
                Offer::Nothing
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

            fn send(status: u16, offer: Offer<'_>) -> ::std::option::Option<::axum::response::Response> {
                use ::axum::response::IntoResponse;
                let code = ::axum::http::StatusCode::from_u16(status).ok()?;
                match offer {
                    Offer::Empty => Some(code.into_response()),
                    Offer::Nothing => None,
                    // Non-JSON media types get a string example as the text itself.
                    Offer::Example(media, ::serde_json::Value::String(text)) if !media.contains("json") => {
                        Some((code, [(::axum::http::header::CONTENT_TYPE, media.to_string())], text.clone()).into_response())
                    }
                    Offer::Example(media, value) => {
                        let bytes = ::serde_json::to_vec(value).ok()?;
                        Some((code, [(::axum::http::header::CONTENT_TYPE, media.to_string())], bytes).into_response())
                    }
                }
            }

            /// The mock's answer to `method path`, read from the bundled document: the documented
            /// response of the status asked for with `Prefer: code=NNN`, else the first success
            /// with an example (or without content), else `minimal` (the smallest body the
            /// success schema allows, when no success has an example), else the first documented
            /// example of any status, else the API's internal error with status 501.
            fn answer(
                headers: &::axum::http::HeaderMap,
                method: &str,
                path: &str,
                minimal: ::std::option::Option<(u16, &str)>,
            ) -> ::axum::response::Response {
                let doc = &*DOCUMENT;
                let empty = ::serde_json::Map::new();
                let responses = doc["paths"][path][method]["responses"].as_object().unwrap_or(&empty);
                if let Some(code) = prefer_code(headers) {
                    let class = format!("{}xx", code / 100);
                    let found = responses
                        .iter()
                        .find(|(k, _)| k.parse::<u16>().ok() == Some(code))
                        .or_else(|| responses.iter().find(|(k, _)| k.eq_ignore_ascii_case(&class)))
                        .or_else(|| responses.iter().find(|(k, _)| k.as_str() == "default"));
                    if let Some(answer) = found.and_then(|(_, r)| send(code, offer(doc, r))) {
                        return answer;
                    }
                }
                if let Some(answer) = responses.iter().filter(|(k, _)| k.starts_with('2')).find_map(|(k, r)| send(status_of(k, 200), offer(doc, r))) {
                    return answer;
                }
                if let Some((status, text)) = minimal {
                    if let Ok(value) = ::serde_json::from_str::<::serde_json::Value>(text) {
                        return json_response(status, &value);
                    }
                }
                let examples = responses.iter().filter(|(_, r)| matches!(offer(doc, r), Offer::Example(..)));
                if let Some(answer) = examples.clone().find_map(|(k, r)| send(status_of(k, 200), offer(doc, r))) {
                    return answer;
                }
                let mut internal = ErrorAnswer::new(
                    Rejection::Internal,
                    vec![crate::validation::Violation::new("", "mock", "the spec documents no example for this operation")],
                    path,
                )
                .body();
                if internal.is_null() {
                    internal = ::serde_json::Value::Object(::serde_json::Map::new());
                }
                json_response(501, &internal)
            }

            impl Api for MockApi {
                fn authenticate(&self, _scheme: Scheme, credential: &Secret) -> impl ::std::future::Future<Output = bool> + Send {
                    let ok = if self.keys.is_empty() {
                        !credential.expose().is_empty()
                    } else {
                        self.keys.iter().fold(false, |found, k| credential.matches(k) | found)
                    };
                    ::std::future::ready(ok)
                }
                #(#methods)*
            }

            /// The mock server binary: `--host` (default 127.0.0.1), `--port` (default 4010),
            /// `--api-key` (repeatable; without it any non-empty key is accepted).
            #[cfg(feature = "mock")]
            pub fn main() -> ::std::process::ExitCode {
                let mut host = ::std::string::String::from("127.0.0.1");
                let mut port: u16 = 4010;
                let mut keys = ::std::vec::Vec::new();
                let mut args = ::std::env::args().skip(1);
                while let Some(arg) = args.next() {
                    let value = args.next();
                    match (arg.as_str(), value) {
                        ("--host", Some(v)) => host = v,
                        ("--port", Some(v)) => match v.parse() {
                            Ok(p) => port = p,
                            Err(_) => {
                                eprintln!(concat!("error: --port needs a number\n", #usage));
                                return ::std::process::ExitCode::from(2);
                            }
                        },
                        ("--api-key", Some(v)) => keys.push(v),
                        _ => {
                            eprintln!(#usage);
                            return ::std::process::ExitCode::from(2);
                        }
                    }
                }
                let runtime = match ::tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                    Ok(r) => r,
                    Err(e) => {
                        eprintln!("error: cannot start the runtime: {e}");
                        return ::std::process::ExitCode::FAILURE;
                    }
                };
                runtime.block_on(async move {
                    let listener = match ::tokio::net::TcpListener::bind((host.as_str(), port)).await {
                        Ok(l) => l,
                        Err(e) => {
                            eprintln!("error: cannot listen on {host}:{port}: {e}");
                            return ::std::process::ExitCode::FAILURE;
                        }
                    };
                    let api = if keys.is_empty() { MockApi::new() } else { MockApi::with_keys(keys) };
                    if let Ok(addr) = listener.local_addr() {
                        println!(concat!("mock server for ", #krate, " listening on http://{}"), addr);
                    }
                    match ::axum::serve(listener, router(api)).await {
                        Ok(()) => ::std::process::ExitCode::SUCCESS,
                        Err(e) => {
                            eprintln!("error: {e}");
                            ::std::process::ExitCode::FAILURE
                        }
                    }
                })
            }
        }
    }
}
