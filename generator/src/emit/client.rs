//! The client emitter: the async reqwest client (`src/client.rs` of the generated crate).
//!
//! The transport (configuration, retries, responses, errors) is the `client` module of the
//! `apigen-runtime` crate; this module emits what depends on the API: the `BaseUrl` enum,
//! `Credentials`, the `Client` newtype around the runtime's `Transport`, and per operation a
//! method, its error enum, its optional parameters and, for paginated operations, a `Stream`
//! over every item.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::doc_attrs;
use crate::ir::models::StructModel;
use crate::ir::*;
use crate::render::Chunks;

/// Emits `src/client.rs` in chunks (see [`Chunks`]): the module's head (the types every operation
/// shares), then one chunk per operation.
///
/// The chunks are `Result`s to leave room for IR the emitter cannot express; none fails today.
pub fn emit(api: &ApiSpace) -> Chunks<'_> {
    Chunks::new(1 + api.operations.len(), move |i| Ok(if i == 0 { head(api) } else { operation(api, &api.operations[i - 1]) }))
}

/// The items before the operations: `Client`, `Server`, `Credentials`.
fn head(api: &ApiSpace) -> TokenStream {
    let server = server_enum(api);
    let credentials = credentials(api);
    let user_agent = format!("{} (apigen {})", api.crate_name, crate::GENERATOR_VERSION);

    quote! {
        // Errors keep the whole response (status, headers, raw body) by value: they are the
        // cold path, and boxing would cost an allocation on every error. The spec decides how
        // many parameters a method takes, what it is called (`from_file` is no conversion) and
        // how complex its success type is.
        #![allow(clippy::result_large_err, clippy::too_many_arguments, clippy::wrong_self_convention, clippy::type_complexity)]
        use ::apigen_runtime::client as rt;
        pub use ::apigen_runtime::client::{
            ApiError, BuildError, CrossOrigin, Error, RawResponse, RedirectPolicy, Response, RetryPolicy, TransportError, WithHeaders,
        };
        pub use ::apigen_runtime::Secret as SecretString;

        /// The user agent sent when none is configured.
        pub const DEFAULT_USER_AGENT: &str = #user_agent;

        /// Builds a [`Client`] (timeouts, user agent, reqwest client, retries).
        pub type ClientBuilder = rt::ClientBuilder<Client>;

        /// The async client. Cheap to clone: clones share the connection pool.
        #[derive(Debug, Clone)]
        pub struct Client(rt::Transport<Credentials>);

        impl rt::FromTransport for Client {
            type Credentials = Credentials;
            const USER_AGENT: &'static str = DEFAULT_USER_AGENT;
            fn from_transport(transport: rt::Transport<Credentials>) -> Self {
                Self(transport)
            }
        }

        impl Client {
            /// A client for `server` with `credentials` and default settings (30 s timeout, 3
            /// retries of idempotent requests, redirects followed without credentials to another
            /// origin).
            ///
            /// # Panics
            ///
            /// When the base URL is not an absolute http(s) URL (a [`BaseUrl::Custom`] URL), or the
            /// TLS backend cannot be initialized, like `reqwest::Client::new`; use
            /// [`Client::builder`] and [`ClientBuilder::build`] to get that as a [`BuildError`].
            pub fn new(server: BaseUrl, credentials: Credentials) -> Self {
                Self::builder(server, credentials).build_or_panic()
            }

            /// A builder for a client with custom timeouts, user agent, reqwest client or retries.
            pub fn builder(server: BaseUrl, credentials: Credentials) -> ClientBuilder {
                ClientBuilder::new(server.url(), credentials)
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.0.base_url()
            }
        }

        #server
        #credentials
    }
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
            let fmt = url_format(&s.url, &s.variables);
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
    // The first documented server is the default: derived when it is a unit variant.
    let first_is_unit = api.servers.first().is_some_and(|s| s.variables.is_empty());
    if first_is_unit {
        if let Some(first) = variants.first_mut() {
            *first = quote! { #[default] #first };
        }
    }
    let derive_default = first_is_unit.then(|| quote!(Default,));
    let default_impl = api.servers.first().filter(|s| !s.variables.is_empty()).map(|s| {
        let v = format_ident!("{}", s.rust_name);
        let fields = s.variables.iter().map(|var| format_ident!("{}", var.rust_name));
        let defaults = s.variables.iter().map(|var| var.default.clone());
        quote! {
            impl ::std::default::Default for BaseUrl {
                /// The first documented server.
                fn default() -> Self {
                    Self::#v { #( #fields: #defaults.to_string() ),* }
                }
            }
        }
    });
    quote! {
        /// The servers the API is documented at, plus any other base URL. The default is the
        /// first documented server.
        #[derive(Debug, Clone, PartialEq, Eq, #derive_default)]
        pub enum BaseUrl {
            #(#variants,)*
            /// Any other base URL (a proxy, a mock server); requests go to this URL plus the
            /// operation's path.
            Custom(::std::string::String),
        }

        impl BaseUrl {
            #(#ctors)*

            /// The base URL.
            pub fn url(&self) -> ::std::string::String {
                match self {
                    #(#urls,)*
                    Self::Custom(url) => url.clone(),
                }
            }
        }

        #default_impl
    }
}

/// The format string of a server URL template: each `{variable}` becomes its field, inlined
/// (fields are never raw identifiers), other braces are doubled.
fn url_format(url: &str, variables: &[ServerVariable]) -> String {
    let mut out = String::new();
    let mut rest = url;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        out.push_str(&rest[..start].replace('}', "}}"));
        let name = &rest[start + 1..start + len];
        match variables.iter().find(|v| v.name == name) {
            Some(v) => out.push_str(&format!("{{{}}}", v.rust_name)),
            None => out.push_str(&format!("{{{{{}}}}}", name.replace('{', "{{").replace('}', "}}"))),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    out
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
    let secret_arms = schemes.iter().map(|s| {
        let v = crate::emit::krate::scheme_variant(s);
        let f = format_ident!("{}", s.rust_name);
        quote! { crate::Scheme::#v => self.#f.as_ref() }
    });
    quote! {
        /// The credentials of the API's security schemes. Every value is a [`SecretString`]:
        /// `Debug` never shows it.
        #[derive(Debug, Clone, Default)]
        pub struct Credentials {
            #(#fields,)*
        }

        impl Credentials {
            /// No credentials.
            pub fn new() -> Self {
                Self::default()
            }

            #from_api_key
            #(#setters)*
        }

        impl rt::Credentials for Credentials {
            type Scheme = crate::Scheme;
            fn secret(&self, scheme: crate::Scheme) -> ::std::option::Option<&SecretString> {
                match scheme { #(#secret_arms,)* }
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
    if p.ty == TypeRef::String {
        quote!(&str)
    } else {
        let t = &p.ty;
        quote!(#t)
    }
}

fn operation(api: &ApiSpace, op: &Operation) -> TokenStream {
    let method_ident = format_ident!("{}", op.rust_name);
    let error_ident = format_ident!("{}Error", op.type_name);
    let params_ident = format_ident!("{}Params", op.type_name);
    let optional: Vec<&Parameter> = op.params.iter().filter(|p| !p.required).collect();
    let required: Vec<&Parameter> = op.params.iter().filter(|p| p.required).collect();

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
        let (arg_ty, slice) = match &b.ty {
            TypeRef::Vec(inner) => (quote!(&[#inner]), true),
            TypeRef::Bytes => (quote!(&[u8]), true),
            t => (quote!(&#t), false),
        };
        (if b.required { arg_ty } else { quote!(::std::option::Option<#arg_ty>) }, slice)
    });
    if let Some((t, _)) = &body_arg {
        args.push(quote! { body: #t });
    }
    if !optional.is_empty() {
        args.push(quote! { params: &#params_ident });
    }

    // Parameters, each written by its codec (see `emit::params`) through the runtime's request
    // builder: path pieces first, then the query string and cookies, then headers.
    let path_parts = op.segments.iter().map(|s| match s {
        PathSegment::Literal(l) => quote! { #l },
        PathSegment::Param(name) => match op.params.iter().position(|p| &p.name == name && p.location == ParamLocation::Path) {
            Some(i) => {
                let bound = crate::emit::params::path_ident(&op.params[i], i);
                quote! { &#bound }
            }
            None => quote! { "" },
        },
    });
    let mut path_writes = Vec::new();
    let mut query_pushes = Vec::new();
    let mut header_sets = Vec::new();
    for (i, p) in op.params.iter().enumerate() {
        let n = format_ident!("{}", p.rust_name);
        let set = if p.required {
            // Arguments are references already when `arg_type` says `&str`.
            let value = if p.ty == TypeRef::String { quote!(#n) } else { quote!(&#n) };
            crate::emit::params::client_write(p, i, value)
        } else {
            let set = crate::emit::params::client_write(p, i, quote!(value));
            quote! { if let ::std::option::Option::Some(value) = &params.#n { #set } }
        };
        match p.location {
            ParamLocation::Path => path_writes.push(set),
            ParamLocation::Query | ParamLocation::Cookie => query_pushes.push(set),
            ParamLocation::Header => header_sets.push(set),
        }
    }

    // The body.
    let body_set = op.body.as_ref().map(|b| {
        let strict = body_is_strict(api, b);
        let validate = strict.then(|| quote! { request.validate(body); });
        let content_type = &b.content_type;
        let encode = match b.encoding {
            BodyEncoding::Json => quote! { request.json(#content_type, body); },
            BodyEncoding::Multipart | BodyEncoding::FormUrlEncoded => {
                let multipart = b.encoding == BodyEncoding::Multipart;
                let start = if multipart { quote!(multipart_form) } else { quote!(url_encoded_form) };
                // A form without properties (Stripe has many) sends an empty form and reads
                // nothing of the body value.
                let unread = b.fields.is_empty().then(|| quote!(let _ = body;));
                let parts = b.fields.iter().map(|f| form_part(f, multipart));
                quote! {
                    #unread
                    request.#start();
                    #(#parts)*
                }
            }
            BodyEncoding::Text | BodyEncoding::Bytes => quote! { request.body(#content_type, body.to_owned()); },
        };
        if b.required {
            quote! { #validate #encode }
        } else {
            quote! { if let ::std::option::Option::Some(body) = body { #validate #encode } }
        }
    });

    // Security alternatives.
    let alternatives = op.security.iter().map(|alt| {
        let schemes =
            alt.iter().filter_map(|key| api.security_schemes.iter().find(|s| &s.key == key)).map(crate::emit::krate::scheme_variant);
        quote! { &[#(crate::Scheme::#schemes),*] }
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
        let headers_ty = r.headers_type.as_ref().map(|h| {
            let h = format_ident!("{}", h);
            quote!(crate::models::#h)
        });
        let read_headers = quote! {
            match rt::FromHeaders::from_headers(&raw.headers) {
                Ok(headers) => headers,
                Err(e) => return Err(Error::InvalidBody { message: e.to_string(), response: raw }),
            }
        };
        let value = if r.success {
            if successes.len() == 1 {
                let plain = if let Some(b) = r.body.as_ref().filter(|b| b.encoding == BodyEncoding::Json) {
                    let t = &b.ty;
                    quote! { rt::ok_json::<#t, _>(raw) }
                } else if r.body.is_some() {
                    quote! { { let body = #decode; Ok(Response { body, raw }) } }
                } else {
                    quote! { Ok(Response { body: (), raw }) }
                };
                match &headers_ty {
                    Some(h) => quote! { #plain.and_then(rt::with_headers::<_, #h, _>) },
                    None => plain,
                }
            } else {
                let v = format_ident!("{}", r.rust_name);
                let success_ident = format_ident!("{}Success", op.type_name);
                let wrap = match (&r.body, &headers_ty) {
                    (Some(_), Some(_)) => quote!({
                        let body = #decode;
                        let headers = #read_headers;
                        #success_ident::#v(WithHeaders { body, headers })
                    }),
                    (None, Some(_)) => quote!(#success_ident::#v(#read_headers)),
                    (Some(_), None) => quote!(#success_ident::#v(#decode)),
                    (None, None) => quote!(#success_ident::#v),
                };
                quote! { { let body = #wrap; Ok(Response { body, raw }) } }
            }
        } else {
            let v = format_ident!("{}", r.rust_name);
            let mut doc = format!("{}: {}", status_text(r.status), r.description);
            if doc.ends_with(": ") {
                doc.truncate(doc.len() - 2);
            }
            let doc = doc_attrs(&doc);
            match (&r.body, &headers_ty) {
                (Some(b), None) => {
                    let t = &b.ty;
                    error_variants.push(quote! { #doc #v(#t) });
                    if b.encoding == BodyEncoding::Json {
                        quote! { rt::api_error_json(raw, #error_ident::#v) }
                    } else {
                        quote! { { let error = #error_ident::#v(#decode); Err(Error::documented(error, raw)) } }
                    }
                }
                (Some(b), Some(h)) => {
                    let t = &b.ty;
                    error_variants.push(quote! { #doc #v(WithHeaders<#t, #h>) });
                    if b.encoding == BodyEncoding::Json {
                        quote! { rt::api_error_json_with_headers(raw, #error_ident::#v) }
                    } else {
                        quote! { {
                            let body = #decode;
                            let headers = #read_headers;
                            Err(Error::documented(#error_ident::#v(WithHeaders { body, headers }), raw))
                        } }
                    }
                }
                (None, Some(h)) => {
                    error_variants.push(quote! { #doc #v(#h) });
                    quote! { { let headers = #read_headers; Err(Error::documented(#error_ident::#v(headers), raw)) } }
                }
                (None, None) => {
                    error_variants.push(quote! { #doc #v });
                    quote! { Err(Error::documented(#error_ident::#v, raw)) }
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
    let title = op.source.as_ref().and_then(|s| s.title.as_ref()).map(|t| t.replace('[', "\\[").replace(']', "\\]"));
    match (title, op.source.as_ref().and_then(|s| s.url.as_ref())) {
        (Some(title), Some(url)) => doc.push_str(&format!(" (documented on [{title}]({url}))")),
        (Some(title), None) => doc.push_str(&format!(" (documented on the page \"{title}\")")),
        (None, Some(url)) => doc.push_str(&format!(" (documented on <{url}>)")),
        (None, None) => {}
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

    let params_struct = (!optional.is_empty()).then(|| {
        let fields = optional.iter().map(|p| {
            let n = format_ident!("{}", p.rust_name);
            let t = &p.ty;
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

    let alternatives: Vec<TokenStream> = alternatives.collect();
    let stream = op
        .pagination
        .as_ref()
        .filter(|_| body_arg.is_none())
        .map(|p| pagination_stream(op, p, &required, !optional.is_empty(), &alternatives));
    let error_doc = doc_attrs(&format!("The documented error responses of [`Client::{}`].", op.rust_name));
    let error_variants = if error_variants.is_empty() { Vec::new() } else { error_variants };
    let api_error = api_error_impl(op);
    let error_enum = quote! {
        #error_doc
        #[derive(Debug, Clone)]
        #[allow(clippy::large_enum_variant)]
        pub enum #error_ident { #(#error_variants,)* }

        #api_error
    };

    quote! {
        #params_struct
        #success_defs
        #error_enum

        impl Client {
            #docs
            #deprecated
            pub fn #method_ident(&self, #(#args),*) -> rt::Call<'_, #success_ty, #error_ident> {
                // The request is built now (no I/O); the call sends it when awaited.
                let mut request = self.0.prepare(rt::Method::#m);
                #(#path_writes)*
                request.path(&[#(#path_parts),*]);
                #(#query_pushes)*
                #(#header_sets)*
                #body_set
                request.call(&[#(#alternatives),*], #error_ident::decode)
            }

            #stream
        }

        impl #error_ident {
            /// The result of a response of the operation, by its status (shared by the method and
            /// its pagination stream; an associated function of the operation's own error type,
            /// so that no operation's name can collide with it).
            #[allow(clippy::match_single_binding)]
            fn decode(raw: RawResponse) -> ::std::result::Result<Response<#success_ty>, Error<#error_ident>> {
                match raw.status {
                    #(#exact_arms,)*
                    #(#range_arms,)*
                    #default_arm,
                }
            }
        }
    }
}

/// `impl ApiError for <Op>Error`: the documented error model, when every documented error
/// status with a JSON body shares one type (the API's error envelope), so that
/// `Error::model()` gives it whatever the status; `()` otherwise.
fn api_error_impl(op: &Operation) -> TokenStream {
    let error_ident = format_ident!("{}Error", op.type_name);
    let errors: Vec<&Response> = op.responses.iter().filter(|r| !r.success).collect();
    let json: Vec<(&Response, &ResponseBody)> =
        errors.iter().filter_map(|r| r.body.as_ref().filter(|b| b.encoding == BodyEncoding::Json).map(|b| (*r, b))).collect();
    let shared = json.first().map(|(_, b)| b.ty.clone()).filter(|t| json.iter().all(|(_, b)| &b.ty == t));
    match shared {
        Some(model) => {
            let t = &model;
            let arms = errors.iter().map(|r| {
                let v = format_ident!("{}", r.rust_name);
                match &r.body {
                    Some(b) if b.encoding == BodyEncoding::Json && r.headers_type.is_some() => {
                        quote! { Self::#v(model) => ::std::option::Option::Some(&model.body) }
                    }
                    Some(b) if b.encoding == BodyEncoding::Json => quote! { Self::#v(model) => ::std::option::Option::Some(model) },
                    _ if r.body.is_some() || r.headers_type.is_some() => quote! { Self::#v(_) => ::std::option::Option::None },
                    _ => quote! { Self::#v => ::std::option::Option::None },
                }
            });
            quote! {
                impl rt::ApiError for #error_ident {
                    type Model = #t;
                    fn model(&self) -> ::std::option::Option<&#t> {
                        match self { #(#arms,)* }
                    }
                }
            }
        }
        None => {
            let body = if errors.is_empty() { quote!(match *self {}) } else { quote!(::std::option::Option::None) };
            quote! {
                impl rt::ApiError for #error_ident {
                    type Model = ();
                    fn model(&self) -> ::std::option::Option<&()> {
                        #body
                    }
                }
            }
        }
    }
}

fn body_is_strict(api: &ApiSpace, b: &RequestBody) -> bool {
    let ty = b.ty.vec_item().unwrap_or(&b.ty);
    ty.model().is_some_and(|n| api.models.structs.get(n).is_some_and(StructModel::strict))
}

/// Adds one form field to the request's form body. The value goes through serde, so an
/// `Option` that is `None` sends nothing, arrays repeat the field, and objects use the
/// deep-object style (`field[key]=value`); a multipart file field sends one part of bytes per
/// value (`apigen_runtime::Binary` in the model).
fn form_part(f: &FormField, multipart: bool) -> TokenStream {
    let n = format_ident!("{}", f.rust_name);
    let name = &f.name;
    let add = match (multipart, f.binary) {
        (true, true) => quote!(multipart_file),
        (true, false) => quote!(multipart_field),
        (false, _) => quote!(form_field),
    };
    quote! { request.#add(#name, &body.#n); }
}

/// The success type and, for several success responses, its enum definition.
fn success_type(op: &Operation, successes: &[&Response]) -> (TokenStream, TokenStream) {
    match successes {
        [] => (quote!(()), quote!()),
        [one] => {
            let body = one.body.as_ref().map_or_else(
                || quote!(()),
                |b| {
                    let t = &b.ty;
                    quote!(#t)
                },
            );
            match &one.headers_type {
                Some(h) => {
                    let h = format_ident!("{}", h);
                    (quote!(WithHeaders<#body, crate::models::#h>), quote!())
                }
                None => (body, quote!()),
            }
        }
        many => {
            let ident = format_ident!("{}Success", op.type_name);
            let variants = many.iter().map(|r| {
                let v = format_ident!("{}", r.rust_name);
                let doc = doc_attrs(&format!("{}: {}", status_text(r.status), r.description));
                let headers = r.headers_type.as_ref().map(|h| {
                    let h = format_ident!("{}", h);
                    quote!(crate::models::#h)
                });
                match (&r.body, headers) {
                    (Some(b), None) => {
                        let t = &b.ty;
                        quote! { #doc #v(#t) }
                    }
                    (Some(b), Some(h)) => {
                        let t = &b.ty;
                        quote! { #doc #v(WithHeaders<#t, #h>) }
                    }
                    (None, Some(h)) => quote! { #doc #v(#h) },
                    (None, None) => quote! { #doc #v },
                }
            });
            let doc = doc_attrs(&format!("The documented success responses of [`Client::{}`].", op.rust_name));
            (
                quote!(#ident),
                quote! {
                    #doc
                    #[derive(Debug, Clone)]
                    #[allow(clippy::large_enum_variant)]
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
            let t = &b.ty;
            match b.encoding {
                BodyEncoding::Json => quote!(rt::decode_json::<#t, _>(&raw)?),
                BodyEncoding::Text => quote!(rt::decode_text::<_>(&raw)?),
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

/// `<op>_stream`: every item of every page, through the runtime's `paginate` in the style the
/// operation pages by (see `ir::PageStyle`): a page number or offset parameter counted up, a
/// cursor sent back, or the next link the server gives followed.
fn pagination_stream(
    op: &Operation,
    p: &Pagination,
    required: &[&Parameter],
    has_params: bool,
    alternatives: &[TokenStream],
) -> TokenStream {
    let method = format_ident!("{}", op.rust_name);
    let stream_ident = format_ident!("{}", crate::naming::stream_method(&op.rust_name));
    let error_ident = format_ident!("{}Error", op.type_name);
    let params_ident = format_ident!("{}Params", op.type_name);
    let item_ty = &p.item_ty;
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let success = op.responses.iter().find(|r| r.success);
    // The page as the success type holds it: headers beside the body.
    let with_headers = success.is_some_and(|r| r.headers_type.is_some());
    let body = if with_headers { quote!(page.body) } else { quote!(page) };
    let body_ref = if with_headers { quote!(&page.body) } else { quote!(page) };
    let mut args: Vec<TokenStream> = required
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
            if q.ty == TypeRef::String {
                quote! { let #n = #n.to_string(); }
            } else {
                quote! { let #n = ::std::clone::Clone::clone(&#n); }
            }
        })
        .collect();
    let mut call_args: Vec<TokenStream> = required
        .iter()
        .map(|q| {
            let n = format_ident!("{}", q.rust_name);
            if q.ty == TypeRef::String {
                quote!(&#n)
            } else {
                quote!(::std::clone::Clone::clone(&#n))
            }
        })
        .collect();
    let names: Vec<syn::Ident> = required.iter().map(|q| format_ident!("{}", q.rust_name)).collect();
    let (params_arg, params_clone, params_local) = if has_params {
        args.push(quote! { params: &#params_ident });
        call_args.push(quote!(&params));
        (quote! { let params = params.clone(); }, quote! { #[allow(unused_mut)] let mut params = params.clone(); }, true)
    } else {
        (quote!(), quote!(), false)
    };
    // Where the page position goes: the optional-parameters struct, or a required argument.
    let set_param = |wire: &str, value: TokenStream| -> TokenStream {
        match op.params.iter().find(|q| q.name == wire && q.location == ParamLocation::Query) {
            Some(q) if q.required => {
                let n = format_ident!("{}", q.rust_name);
                quote! { #n = #value; }
            }
            Some(q) if params_local && q.ty.option_inner().is_some() => {
                // A nullable parameter: `Some(Some(value))`.
                let n = format_ident!("{}", q.rust_name);
                quote! { params.#n = ::std::option::Option::Some(::std::option::Option::Some(#value)); }
            }
            Some(q) if params_local => {
                let n = format_ident!("{}", q.rust_name);
                quote! { params.#n = ::std::option::Option::Some(#value); }
            }
            _ => quote! {},
        }
    };
    let (paging, at, what) = match &p.style {
        PageStyle::PageNumber { param, first } => {
            let set = set_param(param, quote!(rt::page_param::<_, #error_ident>(n)?));
            let start = match op.params.iter().find(|q| &q.name == param) {
                Some(q) if !q.required && params_local => {
                    let n = format_ident!("{}", q.rust_name);
                    let flat = q.ty.option_inner().is_some().then(|| quote!(.flatten()));
                    quote! { params.#n #flat.and_then(|n| i64::try_from(n).ok()).unwrap_or(#first) }
                }
                _ => quote!(#first),
            };
            (
                quote! { rt::Paging::page_number(#start) },
                quote! { if let rt::PageAt::Number(n) = at { #set } },
                format!("asks for page `{param}` = {first} (or the one given), then the next ones"),
            )
        }
        PageStyle::Offset { param, first } => {
            let set = set_param(param, quote!(rt::page_param::<_, #error_ident>(n)?));
            let start = match op.params.iter().find(|q| &q.name == param) {
                Some(q) if !q.required && params_local => {
                    let n = format_ident!("{}", q.rust_name);
                    let flat = q.ty.option_inner().is_some().then(|| quote!(.flatten()));
                    quote! { params.#n #flat.and_then(|n| i64::try_from(n).ok()).unwrap_or(#first) }
                }
                _ => quote!(#first),
            };
            (
                quote! { rt::Paging::offset(#start) },
                quote! { if let rt::PageAt::Offset(n) = at { #set } },
                format!("starts at offset `{param}` = {first} (or the one given), then after the items read"),
            )
        }
        PageStyle::Cursor { param, next } => {
            let set = set_param(param, quote!(cursor));
            (
                quote! { rt::Paging::cursor(|page| rt::page_text(#body_ref, #next)) },
                quote! { if let rt::PageAt::Cursor(cursor) = at { #set } },
                format!("sends back the cursor at `{next}` of each page as `{param}`"),
            )
        }
        PageStyle::NextLink { next } => (
            quote! { rt::Paging::next_link(|page| rt::page_text(#body_ref, #next)) },
            quote! { let _ = at; },
            format!("follows the link at `{next}` of each page (absolute or relative)"),
        ),
        PageStyle::LinkHeader => (
            quote! { rt::Paging::link_header() },
            quote! { let _ = at; },
            "follows the `Link: <...>; rel=\"next\"` header of each page".to_string(),
        ),
    };
    let mut paging = paging;
    if let Some(total) = &p.total_pages {
        paging = quote! { #paging.total_pages(|page| rt::page_count(#body_ref, #total)) };
    }
    if let Some(total) = &p.total_items {
        paging = quote! { #paging.total_items(|page| rt::page_count(#body_ref, #total)) };
    }
    if let Some(more) = &p.has_more {
        paging = quote! { #paging.has_more(|page| rt::page_flag(#body_ref, #more)) };
    } else if let Some(last) = &p.is_last {
        paging = quote! { #paging.has_more(|page| rt::page_flag(#body_ref, #last).map(|last| !last)) };
    }
    let items = {
        let fields = p.items.iter().map(|f| format_ident!("{}", f));
        let access = quote!(#body #(.#fields)*);
        if p.items_nullable {
            quote! { |page| #access.unwrap_or_default() }
        } else {
            quote! { |page| #access }
        }
    };
    let doc = doc_attrs(&format!(
        "Every item of every page of [`Client::{}`], fetched page by page as the stream is polled: the first request with the parameters as given, then it {what}.\n\nThe stream ends after a page that is empty, or that says it is the last (no or an empty next link or cursor, the documented totals reached, no more pages). Links are followed with credentials only within the base URL's origin. An error ends the stream after it is yielded.",
        op.rust_name
    ));
    quote! {
        #doc
        #deprecated
        #[allow(clippy::useless_conversion, deprecated)]
        pub fn #stream_ident(&self, #(#args),*)
            -> impl ::apigen_runtime::futures_util::Stream<Item = ::std::result::Result<#item_ty, Error<#error_ident>>> + Send + '_
        {
            const ALTERNATIVES: &[&[crate::Scheme]] = &[#(#alternatives),*];
            #(#owned)*
            #params_arg
            let paging = #paging;
            rt::paginate(
                &self.0,
                ALTERNATIVES,
                paging,
                move |at: rt::PageAt| {
                    #params_clone
                    #( #[allow(unused_mut)] let mut #names = ::std::clone::Clone::clone(&#names); )*
                    async move {
                        #at
                        self.#method(#(#call_args),*).await
                    }
                },
                #error_ident::decode,
                #items,
            )
        }
    }
}
