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
        // or bearer tokens leaves some of it unused.
        #![allow(dead_code)]
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
    ]
    .map(entry);
    quote! {
        /// The API's error bodies (from the spec's `x-server-errors`), in [`Rejection`] order.
        const ERROR_TEMPLATES: [(u16, &str); 7] = [#(#all),*];
    }
}

/// The model definitions that request bodies reach through `$ref`s, as one JSON object.
fn definitions(api: &ApiSpace) -> TokenStream {
    let mut todo: Vec<String> = Vec::new();
    for op in &api.operations {
        if let Some(schema) = op.body.as_ref().and_then(|b| body_schema(&b.ty)) {
            collect_refs(&schema, &mut todo);
        }
    }
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

fn scheme_variant(key: &str) -> syn::Ident {
    format_ident!("{}", crate::naming::pascal_case(key))
}

fn schemes(api: &ApiSpace) -> TokenStream {
    let mut variants = Vec::new();
    let mut keys = Vec::new();
    let mut wires = Vec::new();
    let mut extracts = Vec::new();
    let mut fields = Vec::new();
    let mut sets = Vec::new();
    for s in &api.security_schemes {
        let v = scheme_variant(&s.key);
        let key = &s.key;
        let f = ident(&s.rust_name);
        let (wire, extract, how) = match &s.kind {
            SchemeKind::ApiKey { location: ParamLocation::Header, name } => {
                (name.clone(), quote! { header_text(headers, #name).filter(|t| !t.is_empty()).map(Secret::new) }, format!("the `{name}` header"))
            }
            SchemeKind::ApiKey { location: ParamLocation::Query, name } => {
                (name.clone(), quote! { lookup(query, #name).filter(|t| !t.is_empty()).map(Secret::new) }, format!("the `{name}` query parameter"))
            }
            SchemeKind::ApiKey { name, .. } => (name.clone(), quote! { None }, format!("`{name}` (not extracted: cookies are not supported)")),
            SchemeKind::Bearer => ("Authorization".into(), quote! { bearer_token(headers).map(Secret::new) }, "`Authorization: Bearer <token>`".into()),
            SchemeKind::Basic | SchemeKind::Unsupported { .. } => {
                ("Authorization".into(), quote! { header_text(headers, "authorization").map(Secret::new) }, "the `Authorization` header, whole".into())
            }
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
                query: &[(::std::string::String, ::std::string::String)],
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
            query: &[(::std::string::String, ::std::string::String)],
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
                (Rule::MinLength(n), ValueShape::String) => quote! { crate::validation::min_length(v, #n, #name, &mut violations) },
                (Rule::MaxLength(n), ValueShape::String) => quote! { crate::validation::max_length(v, #n, #name, &mut violations) },
                (Rule::Pattern(p), ValueShape::String) => {
                    quote! { crate::validation::pattern(v, ::regress::Regex::new(#p).ok().as_ref(), #p, #name, &mut violations) }
                }
                (Rule::Email, ValueShape::String) => quote! { crate::validation::email(v, #name, &mut violations) },
                (Rule::Minimum { value, exclusive }, ValueShape::Integer | ValueShape::Number) => {
                    quote! { crate::validation::minimum(*v as f64, #value, #exclusive, #name, &mut violations) }
                }
                (Rule::Maximum { value, exclusive }, ValueShape::Integer | ValueShape::Number) => {
                    quote! { crate::validation::maximum(*v as f64, #value, #exclusive, #name, &mut violations) }
                }
                (Rule::MinItems(n), ValueShape::Array) => quote! { crate::validation::min_items(v.len(), #n, #name, &mut violations) },
                (Rule::MaxItems(n), ValueShape::Array) => quote! { crate::validation::max_items(v.len(), #n, #name, &mut violations) },
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
        None => quote! { ::axum::http::StatusCode::from_u16(#status).unwrap_or(::axum::http::StatusCode::INTERNAL_SERVER_ERROR).into_response() },
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
            let arm = if b.encoding == BodyEncoding::Json { answer(quote! { &body }, quote! { status }) } else { answer(quote! { body }, quote! { status }) };
            (
                quote! { #docs #v { /// The status to answer with.
                status: u16, /// The body.
                body: #t } },
                quote! { Self::#v { status, body } => #arm },
            )
        }
        (None, false) => {
            let arm = answer(quote! {}, quote! { status });
            (quote! { #docs #v { /// The status to answer with.
            status: u16 } }, quote! { Self::#v { status } => #arm })
        }
    }
}

fn operation(api: &ApiSpace, op: &Operation) -> Result<TokenStream, String> {
    let input = format_ident!("{}Input", op.type_name);
    let response = format_ident!("{}Response", op.type_name);
    let handler = format_ident!("handle_{}", bare(&op.rust_name));
    let method = ident(&op.rust_name);

    // The input struct and the code that fills it.
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
            unwrap.push(quote! { let Some(#f) = #f else { return internal_answer(&path) }; });
        } else {
            fields.push(quote! { #docs pub #f: ::std::option::Option<#t> });
        }
        assign.push(quote! { #f });
        let raw = match p.location {
            ParamLocation::Path => quote! { lookup(&path_params, #name) },
            ParamLocation::Query => quote! { lookup(&query, #name) },
            ParamLocation::Header => quote! { header_text(&parts.headers, #name) },
            ParamLocation::Cookie => quote! { None },
        };
        let word = shape_word(p.shape);
        let value = match p.shape {
            ValueShape::Array | ValueShape::Json => quote! {
                match #raw {
                    None => {
                        if #required { violations.push(crate::validation::Violation::new(#name, "required", "is required")); }
                        None
                    }
                    Some(text) => match ::serde_json::from_str::<#t>(text) {
                        Ok(v) => Some(v),
                        Err(_) => { violations.push(crate::validation::Violation::new(#name, "type", concat!("must be ", #word))); None }
                    },
                }
            },
            _ => quote! { parse_param::<#t>(#raw, #name, #required, #word, &mut violations) },
        };
        let rules = param_rules(&p.rules, &f, name, p.shape);
        parse.push(quote! {
            let #f: ::std::option::Option<#t> = #value;
            #(#rules)*
        });
    }
    let uses_path = op.params.iter().any(|p| p.location == ParamLocation::Path);
    let path_params = uses_path.then(|| {
        quote! {
            let path_params = match path_params(&mut parts).await {
                Ok(p) => p,
                Err(e) => return e.into_response(),
            };
        }
    });

    // The body.
    let mut body_code = quote! {};
    if let Some(b) = &op.body {
        let t = ty(&b.ty);
        let schema = body_schema(&b.ty).map(|s| s.to_string());
        let schema = match schema {
            Some(s) => quote! { ::serde_json::from_str::<::serde_json::Value>(#s).ok() },
            None => quote! { ::std::option::Option::<::serde_json::Value>::None },
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
        let decode = match b.encoding {
            BodyEncoding::Multipart | BodyEncoding::FormUrlEncoded => {
                let kinds = b.fields.iter().map(|f| {
                    let n = &f.name;
                    let k = match f.shape {
                        ValueShape::Integer => quote! { FieldKind::Integer },
                        ValueShape::Number => quote! { FieldKind::Number },
                        ValueShape::Boolean => quote! { FieldKind::Boolean },
                        _ => quote! { FieldKind::Text },
                    };
                    quote! { (#n, #k) }
                });
                let wrap = if required { quote! {} } else { quote! { let body = Some(body); } };
                quote! {
                    let schema = #schema;
                    let body: #t = match decode_multipart::<#t>(&parts.headers, bytes, &[#(#kinds),*], schema.as_ref(), &path).await {
                        Ok(b) => b,
                        Err(e) => return e.into_response(),
                    };
                    #wrap
                }
            }
            _ => {
                let finish = if required {
                    quote! { let Some(body) = body else { return internal_answer(&path) }; }
                } else {
                    quote! {}
                };
                quote! {
                    let schema = #schema;
                    let body: ::std::option::Option<#t> = match decode_json::<#t>(&bytes, #required, schema.as_ref(), &path) {
                        Ok(b) => b,
                        Err(e) => return e.into_response(),
                    };
                    #finish
                }
            }
        };
        body_code = quote! {
            let bytes = match read_body(&parts, body, shared.body_limit).await {
                Ok(b) => b,
                Err(e) => return e.into_response(),
            };
            #decode
        };
    }
    let discard_body = op.body.is_none().then(|| quote! { let _ = body; });

    let alternatives = op.security.iter().map(|alt| {
        let vs = alt.iter().map(|k| scheme_variant(k));
        quote! { &[#(Scheme::#vs),*] }
    });

    let (variants, arms): (Vec<_>, Vec<_>) = op.responses.iter().map(response_variant).unzip();
    let input_doc = doc_attrs(&format!("The validated input of `{} {}`.", op.method.as_str(), op.path));
    let response_doc = doc_attrs(&format!("The documented answers of `{} {}`, one variant per status.", op.method.as_str(), op.path));
    let handler_doc = doc_attrs(&format!("Serves `{} {}`.", op.method.as_str(), op.path));
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
        }

        impl ::axum::response::IntoResponse for #response {
            fn into_response(self) -> ::axum::response::Response {
                match self { #(#arms,)* }
            }
        }

        #handler_doc
        async fn #handler<A: Api>(
            ::axum::extract::State(shared): ::axum::extract::State<::std::sync::Arc<Shared<A>>>,
            request: ::axum::extract::Request,
        ) -> ::axum::response::Response {
            use ::axum::response::IntoResponse;
            #[allow(unused_mut)]
            let (mut parts, body) = request.into_parts();
            #discard_body
            let path = parts.uri.path().to_string();
            let query = match query_pairs(&parts.uri) {
                Ok(q) => q,
                Err(e) => return e.into_response(),
            };
            let credentials = match authenticate(&shared.api, &parts.headers, &query, &[#(#alternatives),*], &path).await {
                Ok(c) => c,
                Err(e) => return e.into_response(),
            };
            #path_params
            #[allow(unused_mut)]
            let mut violations: ::std::vec::Vec<crate::validation::Violation> = ::std::vec::Vec::new();
            #(#parse)*
            if !violations.is_empty() {
                return ErrorAnswer::new(Rejection::InvalidParameters, violations, &path).into_response();
            }
            #(#unwrap)*
            #body_code
            let input = #input {
                #(#assign,)*
                headers: parts.headers,
                credentials,
            };
            guarded(shared.api.#method(input), &path).await
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
            let filter = format_ident!("{}", op.method.as_str());
            let handler = format_ident!("handle_{}", bare(&op.rust_name));
            chain = quote! { #chain.on(::axum::routing::MethodFilter::#filter, #handler::<A>) };
        }
        quote! { .route(#path, #chain) }
    });
    quote! {
        /// The internal-error answer, for states the handlers rule out.
        fn internal_answer(path: &str) -> ::axum::response::Response {
            use ::axum::response::IntoResponse;
            ErrorAnswer::new(
                Rejection::Internal,
                vec![crate::validation::Violation::new("", "internal", "the request could not be processed")],
                path,
            )
            .into_response()
        }

        /// Every operation of `api` at its documented path, with the default body limit
        /// ([`DEFAULT_BODY_LIMIT`]). Unknown paths get the documented not-found answer.
        pub fn router<A: Api>(api: A) -> ::axum::Router {
            router_with_body_limit(api, DEFAULT_BODY_LIMIT)
        }

        /// As [`router`], with bodies limited to `body_limit` bytes.
        pub fn router_with_body_limit<A: Api>(api: A, body_limit: usize) -> ::axum::Router {
            let shared = ::std::sync::Arc::new(Shared { api, body_limit });
            ::axum::Router::new()
                #(#routes)*
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
        let mut arms = Vec::new();
        let mut default = None;
        for r in &op.responses {
            let v = ident(&r.rust_name);
            let code = r.status.representative();
            let exact = matches!(r.status, StatusMatch::Code(_));
            let value = match &r.body {
                None if exact => Some(quote! { #response::#v }),
                None => Some(quote! { #response::#v { status: #code } }),
                Some(b) => b.examples.first().map(|_| {
                    // The example is read at run time from the bundled document next to the
                    // crate, so the generated code does not repeat every example.
                    let path = &op.path;
                    let method = op.method.as_str().to_ascii_lowercase();
                    let keys: Vec<String> = match r.status {
                        StatusMatch::Code(c) => vec![c.to_string()],
                        StatusMatch::Range(c) => vec![format!("{c}XX"), format!("{c}xx")],
                        StatusMatch::Default => vec!["default".to_string()],
                    };
                    let ct = &b.content_type;
                    let call = quote! { documented(#path, #method, &[#(#keys),*], #ct) };
                    if exact {
                        quote! { #response::#v(#call) }
                    } else {
                        quote! { #response::#v { status: #code, body: #call } }
                    }
                }),
            };
            if let Some(value) = value {
                if default.is_none() && r.success {
                    default = Some(value.clone());
                }
                arms.push(quote! { Some(#code) => #value });
            }
        }
        // No documented example for the success: answer the smallest body its schema allows.
        let default = default.unwrap_or_else(|| {
            let success = op.responses.iter().find(|r| r.success).or(op.responses.first());
            match success {
                Some(r) => {
                    let v = ident(&r.rust_name);
                    let code = r.status.representative();
                    let body = r.body.as_ref().map_or(serde_json::Value::Null, |b| crate::emit::krate::minimal_body(api, &b.ty));
                    let text = serde_json::to_string(&body).unwrap_or_default();
                    let exact = matches!(r.status, StatusMatch::Code(_));
                    if r.body.is_none() {
                        if exact {
                            quote! { #response::#v }
                        } else {
                            quote! { #response::#v { status: #code } }
                        }
                    } else if r.body.as_ref().is_some_and(|b| b.ty == "()") {
                        if exact {
                            quote! { #response::#v(()) }
                        } else {
                            quote! { #response::#v { status: #code, body: () } }
                        }
                    } else if exact {
                        quote! { #response::#v(example(#text)) }
                    } else {
                        quote! { #response::#v { status: #code, body: example(#text) } }
                    }
                }
                // Lowering gives every operation at least one response.
                None => quote! { ::std::unreachable!("the operation documents no response") },
            }
        });
        let answer = if arms.is_empty() {
            quote! { let _ = &input; let answer = #default; }
        } else {
            quote! {
                let answer = match prefer_code(&input.headers) {
                    #(#arms,)*
                    _ => #default,
                };
            }
        };
        quote! {
            fn #name(&self, input: #input) -> impl ::std::future::Future<Output = #response> + Send {
                #answer
                ::std::future::ready(answer)
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

            /// A value written in the generator (the smallest body a schema allows); a failure is
            /// a spec bug and becomes the 500 answer.
            #[allow(dead_code)]
            fn example<T: ::serde::de::DeserializeOwned>(text: &str) -> T {
                match ::serde_json::from_str(text) {
                    Ok(v) => v,
                    Err(e) => panic!("an example does not match its type: {e}"),
                }
            }

            /// The bundled document the crate was generated from, parsed once.
            #[allow(dead_code)]
            static DOCUMENT: ::std::sync::LazyLock<::serde_json::Value> = ::std::sync::LazyLock::new(|| {
                ::serde_json::from_str(include_str!("../openapi.json")).unwrap_or(::serde_json::Value::Null)
            });

            /// Follows local `$ref`s (a bounded number of times).
            #[allow(dead_code)]
            fn follow<'a>(doc: &'a ::serde_json::Value, mut value: &'a ::serde_json::Value) -> &'a ::serde_json::Value {
                for _ in 0..8 {
                    match value.get("$ref").and_then(|r| r.as_str()).and_then(|r| r.strip_prefix('#')).and_then(|p| doc.pointer(p)) {
                        Some(next) => value = next,
                        None => break,
                    }
                }
                value
            }

            /// The first documented example of a response (`statuses`: the keys it may be
            /// written under), as `T`; a missing or mismatched example is a spec bug and becomes
            /// the 500 answer.
            #[allow(dead_code)]
            fn documented<T: ::serde::de::DeserializeOwned>(path: &str, method: &str, statuses: &[&str], content_type: &str) -> T {
                let doc = &*DOCUMENT;
                let responses = &doc["paths"][path][method]["responses"];
                let media = statuses
                    .iter()
                    .map(|s| &responses[*s])
                    .find(|r| !r.is_null())
                    .map(|r| &follow(doc, r)["content"][content_type]);
                let value = media.and_then(|m| {
                    m.get("example").or_else(|| {
                        let first = m.get("examples").and_then(|e| e.as_object()).and_then(|e| e.values().next())?;
                        follow(doc, first).get("value")
                    })
                });
                match value.map(<T as ::serde::Deserialize>::deserialize) {
                    Some(Ok(v)) => v,
                    Some(Err(e)) => panic!("the documented example of {method} {path} does not match its type: {e}"),
                    None => panic!("the bundled document has no example for {method} {path}"),
                }
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
