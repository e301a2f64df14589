//! The client emitter: the async reqwest client (`src/client.rs` of the generated crate).
//!
//! The runtime (configuration, retries, responses, errors) is static Rust rendered from
//! `templates/client_runtime.rs.jinja`; this module emits what depends on the API: the
//! `Server` enum, `Credentials`, and per operation a method, its error enum, its optional
//! parameters and, for paginated operations, a `Stream` over every item.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::json;

use crate::emit::{doc_attrs, ty};
use crate::ir::*;

/// Emits `src/client.rs`.
///
/// # Errors
///
/// A message when the runtime template fails to render or parse (a generator bug).
pub fn emit(api: &ApiSpace) -> Result<TokenStream, String> {
    let runtime = crate::render::render("client_runtime.rs.jinja", json!({ "crate_name": api.crate_name, "crate_version": "0.1.0" }))?;
    let runtime: syn::File = syn::parse_file(&runtime).map_err(|e| format!("client_runtime.rs.jinja does not parse: {e}"))?;
    let runtime_items = runtime.items;
    let server = server_enum(api);
    let credentials = credentials(api);
    let operations = api.operations.iter().map(|op| operation(api, op));
    // A document without operations (only webhooks, say) uses none of the transport.
    let unused = api.operations.is_empty().then(|| quote!(#![allow(dead_code)]));
    Ok(quote! {
        #unused
        // Errors keep the whole response (status, headers, raw body) by value: they are the
        // cold path, and boxing would cost an allocation on every error.
        #![allow(clippy::result_large_err)]
        #[allow(unused_imports)]
        use ::futures_util::StreamExt as _;
        #(#runtime_items)*
        #server
        #credentials
        #(#operations)*
    })
}

fn server_enum(api: &ApiSpace) -> TokenStream {
    let mut variants = Vec::new();
    let mut urls = Vec::new();
    let mut ctors = Vec::new();
    for s in &api.servers {
        let v = format_ident!("{}", s.rust_name);
        let mut doc = s.description.clone().unwrap_or_default();
        doc.push_str(&format!("\n\n`{}`", s.url));
        let docs = doc_attrs(&doc);
        if s.variables.is_empty() {
            variants.push(quote! { #docs #v });
            let url = &s.url;
            urls.push(quote! { Self::#v => #url.to_string() });
        } else {
            let fields: Vec<_> = s.variables.iter().map(|var| format_ident!("{}", var.rust_name)).collect();
            let field_docs = s.variables.iter().map(|var| {
                let mut d = var.description.clone().unwrap_or_else(|| format!("The `{}` part of the URL.", var.name));
                if !var.default.is_empty() {
                    d.push_str(&format!(" Default: `{}`.", var.default));
                }
                doc_attrs(&d)
            });
            variants.push(quote! { #docs #v { #( #field_docs #fields: ::std::string::String ),* } });
            let mut fmt = s.url.clone();
            for var in &s.variables {
                fmt = fmt.replace(&format!("{{{}}}", var.name), &format!("{{{}}}", var.rust_name));
            }
            urls.push(quote! { Self::#v { #(#fields),* } => format!(#fmt) });
            // A constructor taking the first variable, with the documented defaults for the rest.
            let ctor = format_ident!("{}", crate::naming::snake_case(&s.rust_name));
            let first = &fields[0];
            let rest = &fields[1..];
            let rest_defaults = s.variables[1..].iter().map(|var| var.default.clone());
            let ctor_doc = doc_attrs(&format!(
                "The `{}` server at `{}`, with the documented defaults for the other parts of the URL.",
                s.rust_name, s.variables[0].name
            ));
            ctors.push(quote! {
                #ctor_doc
                pub fn #ctor(#first: impl Into<::std::string::String>) -> Self {
                    Self::#v { #first: #first.into(), #( #rest: #rest_defaults.to_string() ),* }
                }
            });
        }
    }
    let default_server = api.servers.first().map(|s| {
        let v = format_ident!("{}", s.rust_name);
        if s.variables.is_empty() {
            quote! { Self::#v }
        } else {
            let fields = s.variables.iter().map(|var| format_ident!("{}", var.rust_name));
            let defaults = s.variables.iter().map(|var| var.default.clone());
            quote! { Self::#v { #( #fields: #defaults.to_string() ),* } }
        }
    });
    quote! {
        /// The servers the API is documented at, plus any other base URL.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Server {
            #(#variants,)*
            /// Any other base URL (a proxy, a mock server); requests go to this URL plus the
            /// operation's path.
            Custom(::std::string::String),
        }

        impl Server {
            #(#ctors)*

            /// The base URL.
            pub fn url(&self) -> ::std::string::String {
                match self {
                    #(#urls,)*
                    Self::Custom(url) => url.clone(),
                }
            }
        }

        #[allow(clippy::derivable_impls)]
        impl ::std::default::Default for Server {
            /// The first documented server.
            fn default() -> Self {
                #default_server
            }
        }
    }
}

fn scheme_variant(s: &SecurityScheme) -> syn::Ident {
    // From the unique field name: two keys may share a Pascal case (`api_key`, `apiKey`).
    format_ident!("{}", crate::naming::pascal_case(s.rust_name.trim_start_matches("r#")))
}

fn credentials(api: &ApiSpace) -> TokenStream {
    let schemes = &api.security_schemes;
    let fields = schemes.iter().map(|s| {
        let f = format_ident!("{}", s.rust_name);
        let doc = doc_attrs(&format!("Credential for the `{}` scheme.", s.key));
        quote! { #doc #f: ::std::option::Option<SecretString> }
    });
    let setters = schemes.iter().map(|s| {
        let f = format_ident!("{}", s.rust_name);
        let what = match &s.kind {
            SchemeKind::ApiKey { location, name } => format!("the API key sent in the {} `{}`", location_word(*location), name),
            SchemeKind::Bearer => "the token sent as `Authorization: Bearer <token>`".to_string(),
            SchemeKind::Basic => "`user:password` sent as `Authorization: Basic`".to_string(),
            SchemeKind::Unsupported { scheme } => format!("a credential of the `{scheme}` scheme, which the client cannot send by itself"),
        };
        let mut doc = format!("Sets {what} (scheme `{}`).", s.key);
        if let Some(d) = &s.description {
            doc.push_str(&format!("\n\n{d}"));
        }
        let doc = doc_attrs(&doc);
        quote! {
            #doc
            pub fn #f(mut self, secret: impl Into<SecretString>) -> Self {
                self.#f = Some(secret.into());
                self
            }
        }
    });
    let api_key_fields: Vec<_> =
        schemes.iter().filter(|s| matches!(s.kind, SchemeKind::ApiKey { .. })).map(|s| format_ident!("{}", s.rust_name)).collect();
    let rest = (api_key_fields.len() < schemes.len()).then(|| quote!(..Self::default()));
    let from_api_key = (!api_key_fields.is_empty()).then(|| {
        quote! {
            /// Credentials with the same API key for every API-key scheme; the client picks,
            /// per operation, the placement the spec documents for it.
            pub fn from_api_key(key: impl Into<SecretString>) -> Self {
                let key = key.into();
                Self { #( #api_key_fields: Some(key.clone()), )* #rest }
            }
        }
    });
    let variants: Vec<_> = schemes.iter().map(scheme_variant).collect();
    let has_arms = schemes.iter().map(|s| {
        let v = scheme_variant(s);
        let f = format_ident!("{}", s.rust_name);
        quote! { Scheme::#v => self.#f.is_some() }
    });
    let apply_arms = schemes.iter().map(|s| {
        let v = scheme_variant(s);
        let f = format_ident!("{}", s.rust_name);
        let key = &s.key;
        let body = match &s.kind {
            SchemeKind::ApiKey { location: ParamLocation::Query, name } => {
                quote! { query.push((#name.to_string(), secret.expose().to_string())); }
            }
            SchemeKind::ApiKey { location: ParamLocation::Cookie, name } => {
                quote! { request = request.header(::reqwest::header::COOKIE, sensitive(&format!("{}={}", #name, secret.expose()), #key)?); }
            }
            SchemeKind::ApiKey { name, .. } => quote! { request = request.header(#name, sensitive(secret.expose(), #key)?); },
            SchemeKind::Bearer => {
                quote! { request = request.header(::reqwest::header::AUTHORIZATION, sensitive(&format!("Bearer {}", secret.expose()), #key)?); }
            }
            SchemeKind::Basic => quote! {
                let (user, password) = secret.expose().split_once(':').unwrap_or((secret.expose(), ""));
                request = request.basic_auth(user, Some(password));
            },
            SchemeKind::Unsupported { .. } => quote! { let _ = secret; },
        };
        quote! { Scheme::#v => if let Some(secret) = &self.#f { #body } }
    });
    let scheme_names = schemes.iter().map(|s| {
        let v = scheme_variant(s);
        let key = &s.key;
        quote! { Scheme::#v => #key }
    });
    let scheme_enum = if schemes.is_empty() {
        quote! {
            #[derive(Debug, Clone, Copy)]
            enum Scheme {}
        }
    } else {
        quote! {
            // A scheme no operation asks for is declared but never used.
            #[allow(dead_code)]
            #[derive(Debug, Clone, Copy)]
            enum Scheme { #(#variants),* }
        }
    };
    quote! {
        /// The credentials of the API's security schemes. Every value is a [`SecretString`]:
        /// `Debug` never shows it.
        #[derive(Debug, Clone, Default)]
        pub struct Credentials {
            #(#fields,)*
        }

        #scheme_enum

        impl Scheme {
            #[allow(dead_code)]
            fn key(self) -> &'static str {
                match self { #(#scheme_names,)* }
            }
        }

        /// A header value marked sensitive (hidden from reqwest's and hyper's debug output).
        #[allow(dead_code)]
        fn sensitive(value: &str, scheme: &str) -> ::std::result::Result<::reqwest::header::HeaderValue, ::std::string::String> {
            let mut v = ::reqwest::header::HeaderValue::from_str(value)
                .map_err(|_| format!("the `{scheme}` credential contains characters a header cannot carry"))?;
            v.set_sensitive(true);
            Ok(v)
        }

        impl Credentials {
            /// No credentials.
            pub fn new() -> Self {
                Self::default()
            }

            #from_api_key
            #(#setters)*

            #[allow(unreachable_code, unused_variables)]
            fn has(&self, scheme: Scheme) -> bool {
                match scheme { #(#has_arms,)* }
            }

            #[allow(unreachable_code, unused_variables, unused_mut, clippy::ptr_arg)]
            fn apply(
                &self,
                scheme: Scheme,
                mut request: ::reqwest::RequestBuilder,
                query: &mut ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
            ) -> ::std::result::Result<::reqwest::RequestBuilder, ::std::string::String> {
                match scheme { #(#apply_arms,)* }
                Ok(request)
            }

            /// Applies the first alternative whose credentials are all present.
            #[allow(dead_code, clippy::ptr_arg)]
            fn authorize(
                &self,
                alternatives: &[&[Scheme]],
                mut request: ::reqwest::RequestBuilder,
                query: &mut ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
            ) -> ::std::result::Result<::reqwest::RequestBuilder, ::std::string::String> {
                if alternatives.is_empty() {
                    return Ok(request);
                }
                let Some(chosen) = alternatives.iter().find(|alt| alt.iter().all(|s| self.has(*s))) else {
                    let needed: ::std::vec::Vec<::std::string::String> = alternatives
                        .iter()
                        .map(|alt| alt.iter().map(|s| s.key()).collect::<::std::vec::Vec<_>>().join(" + "))
                        .collect();
                    return Err(format!("missing credentials: this operation needs {}", needed.join(" or ")));
                };
                for scheme in chosen.iter() {
                    request = self.apply(*scheme, request, query)?;
                }
                Ok(request)
            }
        }
    }
}

fn location_word(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path parameter",
        ParamLocation::Query => "query parameter",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

/// The argument type of a required parameter: `&str` for strings, the type itself otherwise.
fn arg_type(p: &Parameter) -> TokenStream {
    if p.ty == "::std::string::String" {
        quote!(&str)
    } else {
        let t = ty(&p.ty);
        quote!(#t)
    }
}

/// An expression appending the value `v` of parameter `p` to the query pairs (through serde:
/// arrays repeat the parameter, objects use the deep-object style).
fn push_query(p: &Parameter, v: TokenStream) -> TokenStream {
    let name = &p.name;
    match p.shape {
        ValueShape::String | ValueShape::Integer | ValueShape::Number | ValueShape::Boolean | ValueShape::Enum => {
            quote! { query.push((#name.to_string(), #v.to_string())); }
        }
        _ => quote! { query.extend(form_pairs(#name, &#v).map_err(Error::InvalidRequest)?); },
    }
}

fn operation(api: &ApiSpace, op: &Operation) -> TokenStream {
    let method_ident = format_ident!("{}", op.rust_name);
    let error_ident = format_ident!("{}Error", op.type_name);
    let params_ident = format_ident!("{}Params", op.type_name);
    let optional: Vec<&Parameter> = op.params.iter().filter(|p| !p.required && p.location != ParamLocation::Cookie).collect();
    let required: Vec<&Parameter> = op.params.iter().filter(|p| p.required && p.location != ParamLocation::Cookie).collect();

    // Arguments: required parameters, then the body, then the optional-parameters struct.
    let mut args = Vec::new();
    let mut arg_names = Vec::new();
    for p in &required {
        let n = format_ident!("{}", p.rust_name);
        let t = arg_type(p);
        args.push(quote! { #n: #t });
        arg_names.push(n);
    }
    let body_arg = op.body.as_ref().map(|b| {
        let (arg_ty, slice) = match b.ty.strip_prefix("::std::vec::Vec<").and_then(|s| s.strip_suffix('>')) {
            Some(inner) => {
                let t = ty(inner);
                (quote!(&[#t]), true)
            }
            None => {
                let t = ty(&b.ty);
                (quote!(&#t), false)
            }
        };
        (if b.required { arg_ty } else { quote!(::std::option::Option<#arg_ty>) }, slice)
    });
    if let Some((t, _)) = &body_arg {
        args.push(quote! { body: #t });
    }
    if !optional.is_empty() {
        args.push(quote! { params: &#params_ident });
    }

    // The path.
    let path_parts = op.segments.iter().map(|s| match s {
        PathSegment::Literal(l) => quote! { #l },
        PathSegment::Param(name) => {
            let p = op.params.iter().find(|p| &p.name == name && p.location == ParamLocation::Path);
            match p {
                Some(p) => {
                    let n = format_ident!("{}", p.rust_name);
                    if p.ty == "::std::string::String" {
                        quote! { &encode_path(#n) }
                    } else if p.shape == ValueShape::Array {
                        quote! { &encode_path(&#n.iter().map(|v| v.to_string()).collect::<::std::vec::Vec<_>>().join(",")) }
                    } else {
                        quote! { &encode_path(&#n.to_string()) }
                    }
                }
                None => quote! { "" },
            }
        }
    });

    // Query and header parameters.
    let mut query_pushes = Vec::new();
    let mut header_sets = Vec::new();
    for p in &op.params {
        let n = format_ident!("{}", p.rust_name);
        let access = if p.required { quote!(#n) } else { quote!(value) };
        let set = match p.location {
            ParamLocation::Query => push_query(p, access),
            ParamLocation::Header => {
                let name = &p.name;
                if p.shape == ValueShape::Array {
                    quote! { request = request.header(#name, #access.iter().map(|v| v.to_string()).collect::<::std::vec::Vec<_>>().join(",")); }
                } else {
                    quote! { request = request.header(#name, #access.to_string()); }
                }
            }
            _ => continue,
        };
        let set = if p.required {
            set
        } else {
            quote! { if let ::std::option::Option::Some(value) = &params.#n { #set } }
        };
        if p.location == ParamLocation::Query {
            query_pushes.push(set);
        } else {
            header_sets.push(set);
        }
    }

    // The body.
    let body_set = op.body.as_ref().map(|b| {
        let strict = body_is_strict(api, b);
        let validate = strict.then(|| {
            quote! {
                crate::validation::Validate::validate(body).map_err(|e| Error::InvalidRequest(e.to_string()))?;
            }
        });
        let content_type = &b.content_type;
        let encode = match b.encoding {
            BodyEncoding::Json => quote! {
                let bytes = ::serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(e.to_string()))?;
                request = request.header(::reqwest::header::CONTENT_TYPE, #content_type).body(bytes);
            },
            BodyEncoding::Multipart => {
                let parts = b.fields.iter().map(|f| form_part(f, true));
                quote! {
                    let mut form = ::reqwest::multipart::Form::new();
                    #(#parts)*
                    request = request.multipart(form);
                }
            }
            BodyEncoding::FormUrlEncoded => {
                let parts = b.fields.iter().map(|f| form_part(f, false));
                quote! {
                    let mut fields: ::std::vec::Vec<(::std::string::String, ::std::string::String)> = ::std::vec::Vec::new();
                    #(#parts)*
                    request = request.form(&fields);
                }
            }
            BodyEncoding::Text | BodyEncoding::Bytes => quote! {
                request = request.header(::reqwest::header::CONTENT_TYPE, #content_type).body(body.to_owned());
            },
        };
        if b.required {
            quote! { #validate #encode }
        } else {
            quote! { if let ::std::option::Option::Some(body) = body { #validate #encode } }
        }
    });

    // Security alternatives.
    let alternatives = op.security.iter().map(|alt| {
        let schemes = alt.iter().filter_map(|key| api.security_schemes.iter().find(|s| &s.key == key)).map(scheme_variant);
        quote! { &[#(Scheme::#schemes),*] }
    });

    // Responses.
    let successes: Vec<&Response> = op.responses.iter().filter(|r| r.success).collect();
    let (success_ty, success_defs) = success_type(op, &successes);
    let mut exact_arms = Vec::new();
    let mut range_arms = Vec::new();
    let mut default_arm = quote! { _ => Err(Error::UnexpectedStatus(raw)) };
    let mut error_variants = Vec::new();
    for r in &op.responses {
        let decode = decode_expr(r);
        let value = if r.success {
            if successes.len() == 1 {
                if let Some(b) = r.body.as_ref().filter(|b| b.encoding == BodyEncoding::Json) {
                    let t = ty(&b.ty);
                    quote! { ok_json::<#t, _>(raw) }
                } else if r.body.is_some() {
                    quote! { { let body = #decode; Ok(Response { body, raw }) } }
                } else {
                    quote! { Ok(Response { body: (), raw }) }
                }
            } else {
                let v = format_ident!("{}", r.rust_name);
                let success_ident = format_ident!("{}Success", op.type_name);
                let wrap = if r.body.is_some() { quote!(#success_ident::#v(#decode)) } else { quote!(#success_ident::#v) };
                quote! { { let body = #wrap; Ok(Response { body, raw }) } }
            }
        } else {
            let v = format_ident!("{}", r.rust_name);
            let mut doc = format!("{}: {}", status_text(r.status), r.description);
            if doc.ends_with(": ") {
                doc.truncate(doc.len() - 2);
            }
            let doc = doc_attrs(&doc);
            match &r.body {
                Some(b) => {
                    let t = ty(&b.ty);
                    error_variants.push(quote! { #doc #v(#t) });
                    if b.encoding == BodyEncoding::Json {
                        quote! { api_json(raw, #error_ident::#v) }
                    } else {
                        quote! { { let error = #error_ident::#v(#decode); Err(Error::Api { error, response: raw }) } }
                    }
                }
                None => {
                    error_variants.push(quote! { #doc #v });
                    quote! { Err(Error::Api { error: #error_ident::#v, response: raw }) }
                }
            }
        };
        match r.status {
            StatusMatch::Code(c) => {
                let c = proc_macro2::Literal::u16_unsuffixed(c);
                exact_arms.push(quote! { #c => #value });
            }
            StatusMatch::Range(class) => {
                let lo = proc_macro2::Literal::u16_unsuffixed(class * 100);
                let hi = proc_macro2::Literal::u16_unsuffixed(class * 100 + 99);
                range_arms.push(quote! { #lo..=#hi => #value });
            }
            StatusMatch::Default => default_arm = quote! { _ => #value },
        }
    }

    let mut doc = op.summary.clone().unwrap_or_else(|| format!("`{} {}`", op.method.as_str(), op.path));
    if let Some(d) = &op.description {
        doc.push_str(&format!("\n\n{d}"));
    }
    doc.push_str(&format!("\n\n`{} {}`", op.method.as_str(), op.path));
    if let Some(src) = &op.source {
        doc.push_str(&format!(" (documented in `{src}`)"));
    }
    if !op.security.is_empty() {
        let alts: Vec<String> = op.security.iter().map(|a| a.join(" + ")).collect();
        doc.push_str(&format!("; credentials: {}", alts.join(" or ")));
    }
    doc.push_str(
        ".\n\n# Errors\n\nEach documented error status as [`Error::Api`] with the typed body, undocumented statuses as [`Error::UnexpectedStatus`], bodies that break the spec as [`Error::InvalidBody`], and [`Error::Timeout`], [`Error::Transport`] or [`Error::InvalidRequest`].",
    );
    let docs = doc_attrs(&doc);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let m = format_ident!("{}", op.method.as_str());
    let idempotent = op.method.is_idempotent();

    let params_struct = (!optional.is_empty()).then(|| {
        let fields = optional.iter().map(|p| {
            let n = format_ident!("{}", p.rust_name);
            let t = ty(&p.ty);
            let mut d = p.description.clone().unwrap_or_else(|| format!("The `{}` {}.", p.name, location_word(p.location)));
            if let Some(def) = &p.default {
                d.push_str(&format!(" Server default: `{def}`."));
            }
            let d = doc_attrs(&d);
            quote! { #d pub #n: ::std::option::Option<#t> }
        });
        let doc = doc_attrs(&format!("The optional parameters of [`Client::{}`].", op.rust_name));
        quote! {
            #doc
            #[derive(Debug, Clone, Default)]
            pub struct #params_ident { #(#fields,)* }
        }
    });

    let stream = op.pagination.as_ref().and_then(|p| pagination_stream(op, p, &required, &body_arg.is_some(), !optional.is_empty()));
    let error_doc = doc_attrs(&format!("The documented error responses of [`Client::{}`].", op.rust_name));
    let error_variants = if error_variants.is_empty() { Vec::new() } else { error_variants };
    let error_enum = quote! {
        #error_doc
        #[derive(Debug, Clone)]
        #[allow(clippy::large_enum_variant)]
        pub enum #error_ident { #(#error_variants,)* }
    };

    quote! {
        #params_struct
        #success_defs
        #error_enum

        impl Client {
            #docs
            #deprecated
            #[allow(clippy::vec_init_then_push, clippy::match_single_binding)]
            pub async fn #method_ident(&self, #(#args),*) -> ::std::result::Result<Response<#success_ty>, Error<#error_ident>> {
                let url = [self.inner.base_url.as_str(), #(#path_parts),*].concat();
                #[allow(unused_mut)]
                let mut query: ::std::vec::Vec<(::std::string::String, ::std::string::String)> = ::std::vec::Vec::new();
                #(#query_pushes)*
                #[allow(unused_mut)]
                let mut request = self.inner.http.request(::reqwest::Method::#m, url);
                #(#header_sets)*
                #body_set
                let raw = self.execute(request, query, &[#(#alternatives),*], #idempotent).await?;
                match raw.status {
                    #(#exact_arms,)*
                    #(#range_arms,)*
                    #default_arm,
                }
            }

            #stream
        }
    }
}

fn body_is_strict(api: &ApiSpace, b: &RequestBody) -> bool {
    let name = b.ty.strip_prefix("::std::vec::Vec<").and_then(|s| s.strip_suffix('>')).unwrap_or(&b.ty);
    name.strip_prefix("crate::models::").is_some_and(|n| api.models.structs.get(n).is_some_and(|r| r.strict))
}

/// Appends one form field (`form` for multipart, `fields` for url-encoded). The value goes
/// through serde, so an `Option` that is `None` sends nothing, arrays repeat the field, and
/// objects use the deep-object style (`field[key]=value`).
fn form_part(f: &FormField, multipart: bool) -> TokenStream {
    let n = format_ident!("{}", f.rust_name);
    let name = &f.name;
    let pairs = quote! { form_pairs(#name, &body.#n).map_err(Error::InvalidRequest)? };
    if multipart && f.binary {
        quote! {
            for (key, value) in #pairs {
                form = form.part(key, ::reqwest::multipart::Part::bytes(value.into_bytes()));
            }
        }
    } else if multipart {
        quote! {
            for (key, value) in #pairs {
                form = form.text(key, value);
            }
        }
    } else {
        quote! { fields.extend(#pairs); }
    }
}

/// The success type and, for several success responses, its enum definition.
fn success_type(op: &Operation, successes: &[&Response]) -> (TokenStream, TokenStream) {
    match successes {
        [] => (quote!(()), quote!()),
        [one] => match &one.body {
            Some(b) => {
                let t = ty(&b.ty);
                (quote!(#t), quote!())
            }
            None => (quote!(()), quote!()),
        },
        many => {
            let ident = format_ident!("{}Success", op.type_name);
            let variants = many.iter().map(|r| {
                let v = format_ident!("{}", r.rust_name);
                let doc = doc_attrs(&format!("{}: {}", status_text(r.status), r.description));
                match &r.body {
                    Some(b) => {
                        let t = ty(&b.ty);
                        quote! { #doc #v(#t) }
                    }
                    None => quote! { #doc #v },
                }
            });
            let doc = doc_attrs(&format!("The documented success responses of [`Client::{}`].", op.rust_name));
            (
                quote!(#ident),
                quote! {
                    #doc
                    #[derive(Debug, Clone)]
                    pub enum #ident { #(#variants,)* }
                },
            )
        }
    }
}

/// Decodes the body of response `r` from `raw`.
fn decode_expr(r: &Response) -> TokenStream {
    match &r.body {
        None => quote!(()),
        Some(b) => {
            let t = ty(&b.ty);
            match b.encoding {
                BodyEncoding::Json => quote!(decode_json::<#t, _>(&raw)?),
                BodyEncoding::Text => quote!(decode_text::<_>(&raw)?),
                _ => quote!(raw.body.to_vec()),
            }
        }
    }
}

fn status_text(s: StatusMatch) -> String {
    match s {
        StatusMatch::Code(c) => c.to_string(),
        StatusMatch::Range(c) => format!("{c}XX"),
        StatusMatch::Default => "Any other status".into(),
    }
}

/// `<op>_stream`: every item of every page, following the page parameter while the response
/// says there is more (a `next` link, or fewer pages read than `totalPages`).
fn pagination_stream(op: &Operation, p: &Pagination, required: &[&Parameter], has_body: &bool, has_params: bool) -> Option<TokenStream> {
    if *has_body || !has_params {
        return None;
    }
    let success = op.responses.iter().find(|r| r.success)?;
    success.body.as_ref()?;
    let method = format_ident!("{}", op.rust_name);
    let stream_ident = format_ident!("{}_stream", op.rust_name);
    let error_ident = format_ident!("{}Error", op.type_name);
    let params_ident = format_ident!("{}Params", op.type_name);
    let item_ty = ty(&p.item_ty);
    let page_param = op.params.iter().find(|q| q.name == p.page_param)?;
    let page_field = format_ident!("{}", page_param.rust_name);
    let page_ty = ty(&page_param.ty);
    let items = format_ident!("{}", p.items_field);
    let args: Vec<TokenStream> = required
        .iter()
        .map(|q| {
            let n = format_ident!("{}", q.rust_name);
            let t = arg_type(q);
            quote! { #n: #t }
        })
        .collect();
    let owned: Vec<TokenStream> = required
        .iter()
        .map(|q| {
            let n = format_ident!("{}", q.rust_name);
            if q.ty == "::std::string::String" {
                quote! { let #n = #n.to_string(); }
            } else {
                quote! { let #n = ::std::clone::Clone::clone(&#n); }
            }
        })
        .collect();
    let call_args: Vec<TokenStream> = required
        .iter()
        .map(|q| {
            let n = format_ident!("{}", q.rust_name);
            if q.ty == "::std::string::String" {
                quote!(&#n)
            } else {
                quote!(::std::clone::Clone::clone(&#n))
            }
        })
        .collect();
    let names: Vec<syn::Ident> = required.iter().map(|q| format_ident!("{}", q.rust_name)).collect();
    let field_path = |path: &[String]| {
        let parts = path.iter().map(|s| format_ident!("{}", s));
        quote!(body #(.#parts)*)
    };
    let mut more = Vec::new();
    if let Some(next) = &p.next_link {
        let access = field_path(next);
        more.push(quote!(HasValue::has_value(&#access)));
    }
    if let Some(total) = &p.total_pages {
        let access = field_path(total);
        more.push(quote!(fewer_pages_read(page, #access)));
    }
    let more = if more.is_empty() { quote!(true) } else { quote!(#(#more)||*) };
    let doc = doc_attrs(&format!(
        "Every item of every page of [`Client::{}`], fetched page by page as the stream is polled.\n\nStarts at `params.{}` (or 1) and stops after a page that is empty or says it is the last (no `next` link and no more pages by `totalPages`). An error ends the stream after it is yielded.",
        op.rust_name, page_param.rust_name
    ));
    Some(quote! {
        #doc
        pub fn #stream_ident(&self, #(#args,)* params: &#params_ident)
            -> impl ::futures_util::Stream<Item = ::std::result::Result<#item_ty, Error<#error_ident>>> + Send + '_
        {
            #(#owned)*
            let params = params.clone();
            let first: #page_ty = params.#page_field.unwrap_or(1);
            ::futures_util::stream::unfold(::std::option::Option::Some(first), move |page| {
                let mut params = params.clone();
                #( let #names = ::std::clone::Clone::clone(&#names); )*
                async move {
                    let page = page?;
                    params.#page_field = ::std::option::Option::Some(page);
                    match self.#method(#(#call_args,)* &params).await {
                        Ok(response) => {
                            let body = response.into_inner();
                            let more = !body.#items.is_empty() && (#more);
                            let next = if more { page.checked_add(1) } else { ::std::option::Option::None };
                            ::std::option::Option::Some((Ok(body.#items), next))
                        }
                        Err(e) => ::std::option::Option::Some((Err(e), ::std::option::Option::None)),
                    }
                }
            })
            .flat_map(|page| {
                let items: ::std::vec::Vec<::std::result::Result<#item_ty, Error<#error_ident>>> = match page {
                    Ok(items) => items.into_iter().map(Ok).collect(),
                    Err(e) => vec![Err(e)],
                };
                ::futures_util::stream::iter(items)
            })
        }
    })
}
