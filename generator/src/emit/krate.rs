//! The crate around the modules: `Cargo.toml`, `README.md` and `src/lib.rs`.

use serde::Serialize;

use crate::ir::models::Constraint;
use crate::ir::ApiSpace;

/// A dependency line of the generated `Cargo.toml`.
#[derive(Debug, Serialize)]
struct Dependency {
    name: String,
    spec: String,
}

/// A feature of the generated `Cargo.toml`.
#[derive(Debug, Serialize)]
struct Feature {
    name: &'static str,
    doc: &'static str,
    enables: Vec<&'static str>,
}

fn dep(name: &str, spec: &str) -> Dependency {
    Dependency { name: name.to_string(), spec: spec.to_string() }
}

/// The version every generated crate gets.
pub const CRATE_VERSION: &str = "0.1.0";

/// The dependencies the generated code uses. Optional ones belong to a feature; everything the
/// client and server need beyond the models comes through `apigen-runtime`.
fn dependencies(api: &ApiSpace, runtime: &str) -> Vec<Dependency> {
    let models = &api.models;
    let mut deps = vec![
        dep("apigen-runtime", runtime),
        dep("regress", "\"0.12\""),
        dep("schemars", &format!("{{ version = \"1\", optional = true{} }}", schemars_features(models))),
        dep("serde", "{ version = \"1\", features = [\"derive\"] }"),
        dep("serde_json", "\"1\""),
    ];
    if models.uses_chrono {
        deps.push(dep("chrono", "{ version = \"0.4\", default-features = false, features = [\"serde\", \"std\"] }"));
    }
    if models.uses_uuid {
        deps.push(dep("uuid", "{ version = \"1\", features = [\"serde\"] }"));
    }
    // The crates of the settings' replacements and format types.
    for (name, version) in &api.package.dependencies {
        deps.retain(|d| d.name != *name);
        deps.push(dep(name, &format!("{version:?}")));
    }
    deps.sort_by(|a, b| a.name.cmp(&b.name));
    deps
}

/// The schemars features that the models' foreign types need.
fn schemars_features(models: &crate::ir::models::ModelSpace) -> String {
    let mut f = Vec::new();
    if models.uses_chrono {
        f.push("\"chrono04\"");
    }
    if models.uses_uuid {
        f.push("\"uuid1\"");
    }
    if f.is_empty() {
        String::new()
    } else {
        format!(", features = [{}]", f.join(", "))
    }
}

/// The features of the generated crate.
fn features(parts: crate::ir::package::Parts) -> Vec<Feature> {
    vec![
        if parts.client {
            Feature { name: "default", doc: "The client is on by default.", enables: vec!["client"] }
        } else {
            Feature { name: "default", doc: "No client is generated (settings).", enables: vec![] }
        },
        Feature {
            name: "client",
            doc: "The async HTTP client (`client` module): reqwest with rustls, through apigen-runtime.",
            enables: vec!["apigen-runtime/client"],
        },
        Feature {
            name: "server",
            doc: "The axum server stubs (`server` module), through apigen-runtime.",
            enables: vec!["apigen-runtime/server"],
        },
        Feature {
            name: "mock",
            doc: "The mock server binary (`cargo xtask mock <api>`): the server plus a multi-threaded runtime.",
            enables: vec!["server", "apigen-runtime/mock"],
        },
        Feature {
            name: "schemars",
            doc: "`schemars::JsonSchema` for every model: the document's own schemas (`src/schemas.json`), so downstream crates can emit them.",
            enables: vec!["dep:schemars", "apigen-runtime/schemars"],
        },
    ]
}

/// The `rust-version` of generated crates: that of the workspace, which `tests/hygiene.rs`
/// checks against the lock file (the runtime and the models' optional dependencies, such as
/// uuid, need it).
pub const RUST_VERSION: &str = "1.89";

/// `Cargo.toml`; `runtime` is the value of its `apigen-runtime` dependency
/// ([`crate::RuntimeDependency::manifest_spec`]).
///
/// # Errors
///
/// A template failure, which is a bug.
pub fn cargo_toml(api: &ApiSpace, runtime: &str) -> Result<String, String> {
    #[derive(Serialize)]
    struct Context<'a> {
        header: &'a str,
        crate_name: &'a str,
        crate_version: &'a str,
        rust_version: &'a str,
        description: String,
        license: Option<&'a str>,
        repository: Option<&'a str>,
        homepage: Option<&'a str>,
        publish: Option<bool>,
        dependencies: Vec<Dependency>,
        features: Vec<Feature>,
        bins: Vec<Bin>,
    }
    #[derive(Serialize)]
    struct Bin {
        name: String,
        path: &'static str,
        required_features: Vec<&'static str>,
    }
    crate::render::render(
        "Cargo.toml.jinja",
        Context {
            header: &api.header,
            crate_name: &api.crate_name,
            crate_version: api.package.version.as_deref().unwrap_or(CRATE_VERSION),
            rust_version: RUST_VERSION,
            description: api
                .package
                .description
                .clone()
                .unwrap_or_else(|| format!("Generated models, client and server for {}.", api.title)),
            license: api.package.license.as_deref(),
            repository: api.package.repository.as_deref(),
            homepage: api.package.homepage.as_deref(),
            publish: api.package.publish,
            dependencies: dependencies(api, runtime),
            features: features(api.parts),
            bins: if api.parts.mock {
                vec![Bin { name: format!("{}-mock", api.crate_name), path: "src/bin/mock.rs", required_features: vec!["mock"] }]
            } else {
                Vec::new()
            },
        },
    )
}

/// `README.md`.
///
/// # Errors
///
/// A template failure, which is a bug.
pub fn readme(api: &ApiSpace) -> Result<String, String> {
    #[derive(Serialize)]
    struct Model {
        name: String,
        strict: bool,
        rules: String,
    }
    #[derive(Serialize)]
    struct Op {
        rust_name: String,
        method: &'static str,
        path: String,
        statuses: String,
    }
    #[derive(Serialize)]
    struct Context<'a> {
        header: &'a str,
        crate_name: &'a str,
        title: &'a str,
        description: Option<String>,
        license_note: Option<&'a str>,
        generator_version: &'a str,
        spec_file: &'a str,
        model_count: usize,
        models: Vec<Model>,
        operations: Vec<Op>,
        servers: &'a [crate::ir::Server],
        examples: Vec<CodeExample>,
        server_example: String,
        mock_example: String,
        operation_count: usize,
    }
    let models = api
        .models
        .rules()
        .map(|(name, r)| {
            let mut rules: Vec<String> = r
                .properties
                .iter()
                .flat_map(|p| p.constraints.iter().map(move |(_, c)| (p, c)))
                .map(|(p, c)| {
                    let what = match c {
                        Constraint::MinLength(n) => format!("minLength {n}"),
                        Constraint::MaxLength(n) => format!("maxLength {n}"),
                        Constraint::Pattern(p) => format!("pattern `{}`", p.replace('|', "\\|")),
                        Constraint::Email => "email".into(),
                        Constraint::Minimum { value, exclusive } => format!("{} {value}", if *exclusive { ">" } else { ">=" }),
                        Constraint::Maximum { value, exclusive } => format!("{} {value}", if *exclusive { "<" } else { "<=" }),
                        Constraint::MinItems(n) => format!("minItems {n}"),
                        Constraint::MaxItems(n) => format!("maxItems {n}"),
                        Constraint::MustEqual(o) => format!("equals `{o}`"),
                    };
                    format!("`{}`: {what}", p.wire)
                })
                .collect();
            rules.extend(r.conditionals.iter().map(|c| format!("{} required when `{}` = {}", c.required.join(", "), c.when, c.equals)));
            Model { name: name.clone(), strict: r.strict, rules: if rules.is_empty() { "-".into() } else { rules.join("; ") } }
        })
        .collect::<Vec<_>>();
    let operations = api
        .operations
        .iter()
        .map(|op| Op {
            rust_name: op.rust_name.clone(),
            method: op.method.as_str(),
            path: op.path.clone(),
            statuses: op.responses.iter().map(|r| r.status.key()).collect::<Vec<_>>().join(", "),
        })
        .collect();
    crate::render::render(
        "README.md.jinja",
        Context {
            header: &api.header,
            crate_name: &api.crate_name,
            title: &api.title,
            description: api.description.as_deref().map(crate::doc::doc_text),
            license_note: api.license_note.as_deref(),
            generator_version: crate::GENERATOR_VERSION,
            spec_file: &api.spec_file,
            model_count: api.models.definition_count,
            models,
            operations,
            servers: &api.servers,
            examples: client_examples(api),
            server_example: server_example(api),
            mock_example: mock_example(api),
            operation_count: api.operations.len(),
        },
    )
}

/// The most operations for which the README shows a whole `Api` implementation.
const SERVER_EXAMPLE_MAX_OPERATIONS: usize = 8;

/// A compiled example implementing `Api` (every method delegating to the mock) and serving it;
/// empty for APIs with more than [`SERVER_EXAMPLE_MAX_OPERATIONS`] operations. The code only
/// exists with feature `server`, so the crate docs compile without it.
fn server_example(api: &ApiSpace) -> String {
    if api.operations.len() > SERVER_EXAMPLE_MAX_OPERATIONS {
        return String::new();
    }
    let krate = &api.crate_ident;
    let mut methods = String::new();
    for op in &api.operations {
        let name = &op.rust_name;
        let t = &op.type_name;
        methods.push_str(&format!(
            "\n        async fn {name}(&self, input: server::{t}Input) -> server::{t}Response {{\n            self.mock.{name}(input).await\n        }}\n"
        ));
    }
    format!(
        "#[cfg(feature = \"server\")]\nmod my_server {{\n    use {krate}::server::{{self, mock::MockApi, Api, Scheme, Secret}};\n\n    \
         /// Answers every operation with the documented examples: replace a method's body with your logic.\n    \
         pub struct MyApi {{\n        pub mock: MockApi,\n    }}\n\n    \
         impl Api for MyApi {{\n        async fn authenticate(&self, _scheme: Scheme, credential: &Secret) -> bool {{\n            \
         credential.matches(\"YOUR-API-KEY\")\n        }}\n{methods}    }}\n\n    \
         /// Serves the API with the default limits (timeouts, connection cap, body size).\n    \
         pub async fn serve() -> std::io::Result<()> {{\n        \
         let router = server::router_with(MyApi {{ mock: MockApi::new() }}, server::ServerConfig::default());\n        \
         let listener = server::TcpListener::bind(\"127.0.0.1:8080\").await?;\n        \
         server::serve(listener, router, &server::ConnectionLimits::default()).await\n    }}\n}}"
    )
}

/// A compiled example serving the mock (feature `server`).
fn mock_example(api: &ApiSpace) -> String {
    let krate = &api.crate_ident;
    format!(
        "#[cfg(feature = \"server\")]\nasync fn serve_mock() -> std::io::Result<()> {{\n    \
         use {krate}::server::{{mock::MockApi, router, serve, ConnectionLimits, TcpListener}};\n    \
         let listener = TcpListener::bind(\"127.0.0.1:4010\").await?;\n    \
         serve(listener, router(MockApi::with_keys([\"YOUR-API-KEY\"])), &ConnectionLimits::default()).await\n}}"
    )
}

/// A titled code example for the README (compiled as a doctest through the crate docs).
#[derive(Debug, Serialize)]
struct CodeExample {
    title: String,
    code: String,
}

/// Rust source of a literal for a parameter (its sample). A value of another type than a
/// string, a number or a boolean (an enum, an array, a model) is read from its JSON text, which
/// compiles for every type the client takes.
fn param_literal(p: &crate::ir::Parameter) -> String {
    match &p.sample {
        crate::ir::Sample::Json(v) => v.to_string(),
        crate::ir::Sample::Text(text) => format!("{text:?}"),
        crate::ir::Sample::Parsed(v) => {
            // The README imports `models`, and its examples name `String` and `Vec` bare.
            let ty = super::types::text(&p.ty, super::types::Place::Readme).replace("::std::string::String", "String");
            format!("serde_json::from_str::<{ty}>({:?})?", v.to_string())
        }
    }
}

/// The `BaseUrl` and `Credentials` expressions the examples use.
fn client_setup(api: &ApiSpace, security: &[Vec<String>]) -> String {
    use crate::ir::SchemeKind;
    let server = match api.servers.first() {
        Some(s) if s.variables.is_empty() => format!("BaseUrl::{}", s.rust_name),
        Some(s) => format!("BaseUrl::{}({:?})", crate::naming::snake_case(&s.rust_name), s.variables[0].default),
        None => "BaseUrl::default()".to_string(),
    };
    let mut creds = String::from("Credentials::new()");
    if let Some(first) = security.first() {
        let schemes: Vec<_> = first.iter().filter_map(|k| api.security_schemes.iter().find(|s| &s.key == k)).collect();
        if schemes.iter().any(|s| matches!(s.kind, SchemeKind::ApiKey { .. })) {
            creds = "Credentials::from_api_key(\"YOUR-API-KEY\")".to_string();
        }
        for s in schemes {
            match s.kind {
                SchemeKind::Bearer => creds.push_str(&format!(".{}(\"ACCESS-TOKEN\")", s.rust_name)),
                SchemeKind::Basic => creds.push_str(&format!(".{}(\"user:password\")", s.rust_name)),
                _ => {}
            }
        }
    }
    format!("let client = Client::new({server}, {creds});")
}

/// One example per operation (and one per pagination stream), each a complete program.
fn client_examples(api: &ApiSpace) -> Vec<CodeExample> {
    let krate = &api.crate_ident;
    let mut out = Vec::new();
    for op in &api.operations {
        let mut lines = Vec::new();
        let mut args = Vec::new();
        for p in op.params.iter().filter(|p| p.required) {
            args.push(param_literal(p));
        }
        if let Some(b) = &op.body {
            let example = b.examples.first().map(|e| e.value.clone());
            let ty = super::types::text(&b.ty, super::types::Place::Readme);
            match example {
                Some(v) => {
                    let json = serde_json::to_string_pretty(&v).unwrap_or_default().replace('\n', "\n        ");
                    lines.push(format!("    // The example body from the spec.\n    let body: {ty} = serde_json::from_str(\n        r#\"{json}\"#,\n    )?;"));
                }
                None => {
                    // No documented example: the smallest value the schema allows.
                    let value = b.minimal.clone().unwrap_or_else(|| serde_json::json!({}));
                    let json = serde_json::to_string_pretty(&value).unwrap_or_default().replace('\n', "\n        ");
                    lines.push(format!("    // The smallest body the schema allows.\n    let body: {ty} = serde_json::from_str(\n        r#\"{json}\"#,\n    )?;"));
                }
            }
            args.push(if b.required { "&body".into() } else { "Some(&body)".into() });
        }
        if op.params.iter().any(|p| !p.required) {
            args.push("&Default::default()".into());
        }
        let call = format!("client.{}({})", op.rust_name, args.join(", "));
        let code = format!(
            "use {krate}::client::{{BaseUrl, Client, Credentials}};\n#[allow(unused_imports)]\nuse {krate}::models;\n\nasync fn example() -> Result<(), Box<dyn std::error::Error>> {{\n    {}\n{}\n    let response = {call}.await?;\n    println!(\"{{:?}} (request id {{:?}})\", response.body, response.request_id());\n    Ok(())\n}}",
            client_setup(api, &op.security),
            if lines.is_empty() { String::new() } else { format!("{}\n", lines.join("\n")) },
        );
        // A heading: the summary's first line (a summary may hold a whole code block).
        let title = op
            .summary
            .as_deref()
            .and_then(|s| s.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("```")))
            .map_or_else(|| op.id.clone(), String::from);
        out.push(CodeExample { title: format!("`{}`: {title}", op.rust_name), code });
        if let Some(p) = &op.pagination {
            let mut stream_args: Vec<String> =
                op.params.iter().filter(|p| p.required && p.location != crate::ir::ParamLocation::Cookie).map(param_literal).collect();
            if op.params.iter().any(|p| !p.required && p.location != crate::ir::ParamLocation::Cookie) {
                stream_args.push("&Default::default()".into());
            }
            let item = p.item_ty.model().unwrap_or("item");
            let code = format!(
                "use apigen_runtime::futures_util::StreamExt;\nuse {krate}::client::{{BaseUrl, Client, Credentials}};\n\nasync fn example() -> Result<(), Box<dyn std::error::Error>> {{\n    {}\n    // Every {item} of every page, fetched as the stream is polled.\n    let mut items = std::pin::pin!(client.{}_stream({}));\n    while let Some(item) = items.next().await {{\n        println!(\"{{:?}}\", item?);\n    }}\n    Ok(())\n}}",
                client_setup(api, &op.security),
                op.rust_name,
                stream_args.join(", "),
            );
            out.push(CodeExample { title: format!("`{}_stream`: every item of every page", op.rust_name), code });
        }
    }
    out
}

/// The variant of `Scheme` for security scheme `s`.
pub fn scheme_variant(s: &crate::ir::SecurityScheme) -> syn::Ident {
    quote::format_ident!("{}", s.rust_variant)
}

/// `src/lib.rs`: the module tree, and the `Scheme` enum that the client and the server share.
pub fn lib_rs(api: &ApiSpace) -> proc_macro2::TokenStream {
    use crate::ir::{ParamLocation, SchemeKind};
    use quote::quote;
    let mut variants = Vec::new();
    let mut keys = Vec::new();
    let mut placements = Vec::new();
    let mut deprecated = Vec::new();
    for s in &api.security_schemes {
        let v = scheme_variant(s);
        let key = &s.key;
        let (placement, how) = match &s.kind {
            SchemeKind::ApiKey { location: ParamLocation::Query, name } => (quote!(Query(#name)), format!("the `{name}` query parameter")),
            SchemeKind::ApiKey { location: ParamLocation::Cookie, name } => (quote!(Cookie(#name)), format!("the `{name}` cookie")),
            SchemeKind::ApiKey { name, .. } => (quote!(Header(#name)), format!("the `{name}` header")),
            SchemeKind::Bearer => (quote!(Bearer), "`Authorization: Bearer <token>`".to_string()),
            SchemeKind::Basic => (quote!(Basic), "`Authorization: Basic`".to_string()),
            SchemeKind::Unsupported { .. } => (quote!(Other), "the `Authorization` header, whole".to_string()),
        };
        let mut doc = format!("`{key}`: {how}.");
        if let Some(d) = &s.description {
            doc.push_str(&format!("\n\n{d}"));
        }
        if s.deprecated {
            doc.push_str("\n\nDeprecated by the API.");
        }
        let docs = super::doc_attrs(&doc);
        variants.push(quote! { #docs #v });
        keys.push(quote! { Self::#v => #key });
        placements.push(quote! { Self::#v => ::apigen_runtime::Placement::#placement });
        if s.deprecated {
            deprecated.push(quote! { Self::#v });
        }
    }
    // The README's examples use the client.
    let readme = api.parts.client.then(|| quote!(#![cfg_attr(feature = "client", doc = include_str!("../README.md"))]));
    let client = api.parts.client.then(|| {
        quote!(
            #[cfg(feature = "client")]
            pub mod client;
        )
    });
    let server = api.parts.server.then(|| {
        quote!(
            #[cfg(feature = "server")]
            pub mod server;
        )
    });
    // Clients use a deprecated scheme only when no other alternative of an operation is given.
    let deprecated = (!deprecated.is_empty()).then(|| {
        quote! {
            fn deprecated(self) -> bool {
                matches!(self, #(#deprecated)|*)
            }
        }
    });
    quote! {
        // The README is the crate documentation, so its examples compile as doctests.
        #readme
        #![forbid(unsafe_code)]
        pub mod models;
        #client
        #server
        pub use ::apigen_runtime::validation;
        pub use ::apigen_runtime::SecurityScheme;
        pub use validation::{Validate, ValidationErrors, Violation};

        /// A security scheme of the API (its key and placement through [`SecurityScheme`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Scheme {
            #(#variants,)*
        }

        impl SecurityScheme for Scheme {
            fn key(self) -> &'static str {
                match self { #(#keys,)* }
            }
            fn placement(self) -> ::apigen_runtime::Placement {
                match self { #(#placements,)* }
            }
            #deprecated
        }
    }
}
