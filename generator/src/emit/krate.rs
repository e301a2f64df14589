//! The crate around the modules: `Cargo.toml`, `README.md` and `src/lib.rs`.

use serde::Serialize;

use crate::ir::{ApiSpace, StatusMatch};
use crate::models::Rule;

/// A dependency line of the generated `Cargo.toml`.
#[derive(Debug, Serialize)]
struct Dependency {
    name: &'static str,
    spec: &'static str,
}

/// The dependencies the generated code uses.
fn dependencies(api: &ApiSpace) -> Vec<Dependency> {
    let ts = &api.models.type_space;
    let mut deps = vec![
        Dependency { name: "regress", spec: "\"0.12\"" },
        Dependency { name: "schemars", spec: "{ version = \"1\", optional = true }" },
        Dependency { name: "serde", spec: "{ version = \"1\", features = [\"derive\"] }" },
        Dependency { name: "serde_json", spec: "\"1\"" },
    ];
    if ts.uses_chrono() {
        deps.push(Dependency { name: "chrono", spec: "{ version = \"0.4\", default-features = false, features = [\"serde\", \"std\"] }" });
    }
    if ts.uses_uuid() {
        deps.push(Dependency { name: "uuid", spec: "{ version = \"1\", features = [\"serde\"] }" });
    }
    deps.sort_by_key(|d| d.name);
    deps
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
    }
    crate::render::render(
        "Cargo.toml.jinja",
        Context {
            header: crate::GENERATED_HEADER,
            crate_name: &api.crate_name,
            crate_version: "0.1.0",
            description: format!("Generated models, client and server for {}.", api.title),
            dependencies: dependencies(api),
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
        pub mod models;
        pub mod validation;
        pub use validation::{Validate, ValidationErrors, Violation};
    }
}
