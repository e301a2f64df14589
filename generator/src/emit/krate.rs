//! The crate around the modules: `Cargo.toml`, `README.md` and `src/lib.rs`.

use serde::Serialize;

use crate::ir::{ApiSpace, StatusMatch};
use crate::models::Rule;

/// A dependency line of the generated `Cargo.toml`.
#[derive(Debug, Serialize)]
struct Dependency {
    name: &'static str,
    spec: String,
}

/// A feature of the generated `Cargo.toml`.
#[derive(Debug, Serialize)]
struct Feature {
    name: &'static str,
    doc: &'static str,
    enables: Vec<&'static str>,
}

fn dep(name: &'static str, spec: &str) -> Dependency {
    Dependency { name, spec: spec.to_string() }
}

/// The dependencies the generated code uses. Optional ones belong to a feature.
fn dependencies(api: &ApiSpace) -> Vec<Dependency> {
    let ts = &api.models.type_space;
    let mut deps = vec![
        dep("regress", "\"0.12\""),
        dep("schemars", "{ version = \"1\", optional = true }"),
        dep("serde", "{ version = \"1\", features = [\"derive\"] }"),
        dep("serde_json", "\"1\""),
    ];
    // The client.
    deps.push(dep("reqwest", "{ version = \"0.12\", optional = true, default-features = false, features = [\"rustls-tls\", \"multipart\", \"http2\"] }"));
    deps.push(dep("futures-util", "{ version = \"0.3\", optional = true, default-features = false, features = [\"std\"] }"));
    deps.push(dep("bytes", "{ version = \"1\", optional = true }"));
    deps.push(dep("httpdate", "{ version = \"1\", optional = true }"));
    // The server (and, with the client, the async runtime).
    deps.push(dep("tokio", "{ version = \"1\", optional = true, default-features = false, features = [\"time\"] }"));
    deps.push(dep("axum", "{ version = \"0.8\", optional = true, default-features = false, features = [\"http1\", \"tokio\", \"query\", \"multipart\"] }"));
    if ts.uses_chrono() {
        deps.push(dep("chrono", "{ version = \"0.4\", default-features = false, features = [\"serde\", \"std\"] }"));
    }
    if ts.uses_uuid() {
        deps.push(dep("uuid", "{ version = \"1\", features = [\"serde\"] }"));
    }
    deps.sort_by_key(|d| d.name);
    deps
}

/// The features of the generated crate.
fn features() -> Vec<Feature> {
    vec![
        Feature { name: "default", doc: "The client is on by default.", enables: vec!["client"] },
        Feature {
            name: "client",
            doc: "The async HTTP client (`client` module): reqwest with rustls.",
            enables: vec!["dep:reqwest", "dep:bytes", "dep:futures-util", "dep:httpdate", "dep:tokio"],
        },
        Feature {
            name: "server",
            doc: "The axum server stubs (`server` module).",
            enables: vec!["dep:axum", "dep:tokio"],
        },
        Feature {
            name: "schemars",
            doc: "Derive `schemars::JsonSchema` for every model, so downstream crates can emit schemas.",
            enables: vec!["dep:schemars"],
        },
    ]
}

/// `Cargo.toml`.
///
/// # Errors
///
/// A template failure, which is a bug.
pub fn cargo_toml(api: &ApiSpace) -> Result<String, String> {
    #[derive(Serialize)]
    struct Context<'a> {
        header: &'a str,
        crate_name: &'a str,
        crate_version: &'a str,
        description: String,
        dependencies: Vec<Dependency>,
        features: Vec<Feature>,
    }
    crate::render::render(
        "Cargo.toml.jinja",
        Context {
            header: crate::GENERATED_HEADER,
            crate_name: &api.crate_name,
            crate_version: "0.1.0",
            description: format!("Generated models, client and server for {}.", api.title),
            dependencies: dependencies(api),
            features: features(),
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
        description: Option<&'a str>,
        model_count: usize,
        models: Vec<Model>,
        operations: Vec<Op>,
        servers: &'a [crate::ir::Server],
    }
    let models = api
        .models
        .structs
        .iter()
        .map(|(name, r)| {
            let mut rules: Vec<String> = r
                .rules
                .iter()
                .map(|pr| {
                    let what = match &pr.rule {
                        Rule::MinLength(n) => format!("minLength {n}"),
                        Rule::MaxLength(n) => format!("maxLength {n}"),
                        Rule::Pattern(p) => format!("pattern `{}`", p.replace('|', "\\|")),
                        Rule::Email => "email".into(),
                        Rule::Minimum { value, exclusive } => format!("{} {value}", if *exclusive { ">" } else { ">=" }),
                        Rule::Maximum { value, exclusive } => format!("{} {value}", if *exclusive { "<" } else { "<=" }),
                        Rule::MinItems(n) => format!("minItems {n}"),
                        Rule::MaxItems(n) => format!("maxItems {n}"),
                        Rule::MustEqual(o) => format!("equals `{o}`"),
                    };
                    format!("`{}`: {what}", pr.property)
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
            statuses: op
                .responses
                .iter()
                .map(|r| match r.status {
                    StatusMatch::Code(c) => c.to_string(),
                    StatusMatch::Range(c) => format!("{c}XX"),
                    StatusMatch::Default => "default".into(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    crate::render::render(
        "README.md.jinja",
        Context {
            header: crate::GENERATED_HEADER,
            crate_name: &api.crate_name,
            title: &api.title,
            description: api.description.as_deref(),
            model_count: api.models.definitions.len(),
            models,
            operations,
            servers: &api.servers,
        },
    )
}

/// `src/lib.rs`: the module tree.
pub fn lib_rs(api: &ApiSpace) -> proc_macro2::TokenStream {
    let _ = api;
    quote::quote! {
        #![forbid(unsafe_code)]
        #![cfg_attr(docsrs, feature(doc_cfg))]
        pub mod models;
        pub mod validation;
        #[cfg(feature = "client")]
        pub mod client;
        #[cfg(feature = "server")]
        pub mod server;
        pub use validation::{Validate, ValidationErrors, Violation};
    }
}
