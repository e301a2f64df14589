//! `generate_api!`: generates the module of an OpenAPI document at the call site (the models,
//! the async client and, if asked, the axum server stubs), as `cargo xtask gen` generates a
//! crate and a build script generates a module (`apigen_codegen::module`).
//!
//! ```ignore
//! apigen_macros::generate_api!(
//!     spec = "openapi.json",             // relative to CARGO_MANIFEST_DIR
//!     config = "apigen.toml",            // optional: the settings file (see the README)
//!     parts = [client, server],          // default: models and client
//!     derives = [PartialEq],             // on every model
//!     replace = { Error = crate::MyError },
//!     rename = { Pet = Animal },
//!     operations = [findPets],           // only these (also `exclude`, `tags`, `exclude_tags`)
//! );
//! ```
//!
//! The expansion reads the spec's files with `include_str!`, so Cargo rebuilds the crate when
//! one changes. Errors in the spec or the arguments are compile errors that name the file,
//! line and column.

use std::path::PathBuf;

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::{braced, bracketed, Ident, LitStr, Token};

/// Generates the module of an OpenAPI document here: see the crate docs.
#[proc_macro]
pub fn generate_api(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    match syn::parse::<Args>(input).and_then(expand) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// `key = value` arguments.
struct Args(Vec<(Ident, Value)>);

/// An argument's value: a string, a list of paths, or a map of name to path.
enum Value {
    Str(LitStr),
    List(Vec<String>),
    Map(Vec<(String, String)>),
}

/// A path, identifier or string literal, as text.
fn word(input: ParseStream<'_>) -> syn::Result<String> {
    if input.peek(LitStr) {
        return Ok(input.parse::<LitStr>()?.value());
    }
    let path: syn::Path = input.parse()?;
    Ok(path.to_token_stream().to_string().replace(' ', ""))
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut out = Vec::new();
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            let value = if input.peek(syn::token::Bracket) {
                let inner;
                bracketed!(inner in input);
                let mut items = Vec::new();
                while !inner.is_empty() {
                    items.push(word(&inner)?);
                    if !inner.is_empty() {
                        inner.parse::<Token![,]>()?;
                    }
                }
                Value::List(items)
            } else if input.peek(syn::token::Brace) {
                let inner;
                braced!(inner in input);
                let mut pairs = Vec::new();
                while !inner.is_empty() {
                    let k = word(&inner)?;
                    inner.parse::<Token![=]>()?;
                    pairs.push((k, word(&inner)?));
                    if !inner.is_empty() {
                        inner.parse::<Token![,]>()?;
                    }
                }
                Value::Map(pairs)
            } else {
                Value::Str(input.parse()?)
            };
            out.push((key, value));
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(Self(out))
    }
}

fn expand(args: Args) -> syn::Result<TokenStream> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|_| err("CARGO_MANIFEST_DIR is not set"))?);
    let name = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "api".to_string());
    let mut settings = apigen_codegen::GeneratorSettings::new(name);
    settings.with_parts(apigen_codegen::Parts::models_and_client());
    let mut spec = None;
    // The settings file first: the macro's own arguments add to it.
    if let Some((_, Value::Str(path))) = args.0.iter().find(|(k, _)| k == "config") {
        let config = apigen_codegen::ConfigFile::read(&manifest_dir.join(path.value())).map_err(|d| syn::Error::new(path.span(), d))?;
        config.apply(&mut settings);
    }
    for (key, value) in &args.0 {
        let wrong = || syn::Error::new(key.span(), format!("`{key}` takes another kind of value (see the docs of generate_api!)"));
        match (key.to_string().as_str(), value) {
            ("spec", Value::Str(path)) => spec = Some(path.clone()),
            ("config", Value::Str(_)) => {}
            ("parts", Value::List(parts)) => {
                settings.with_parts(
                    apigen_codegen::Parts::from_names(parts.iter().map(String::as_str)).map_err(|e| syn::Error::new(key.span(), e))?,
                );
            }
            ("derives", Value::List(derives)) => {
                for d in derives {
                    settings.with_derive(d);
                }
            }
            ("replace", Value::Map(pairs)) => {
                for (k, v) in pairs {
                    settings.with_replacement(k, v);
                }
            }
            ("rename", Value::Map(pairs)) => {
                for (k, v) in pairs {
                    settings.with_type_rename(k, v);
                }
            }
            ("format", Value::Map(pairs)) => {
                for (k, v) in pairs {
                    settings.with_format_type(k, v);
                }
            }
            ("rename_operations", Value::Map(pairs)) => {
                for (k, v) in pairs {
                    settings.with_operation_rename(k, v);
                }
            }
            ("operations", Value::List(ids)) => {
                for i in ids {
                    settings.with_operation(i);
                }
            }
            ("exclude", Value::List(ids)) => {
                for i in ids {
                    settings.with_excluded_operation(i);
                }
            }
            ("tags", Value::List(tags)) => {
                for t in tags {
                    settings.with_tag(t);
                }
            }
            ("exclude_tags", Value::List(tags)) => {
                for t in tags {
                    settings.with_excluded_tag(t);
                }
            }
            ("x_rust_type", Value::List(crates)) => {
                for c in crates {
                    settings.with_x_rust_type_crate(c);
                }
            }
            (
                "spec" | "config" | "parts" | "derives" | "replace" | "rename" | "format" | "rename_operations" | "operations" | "exclude"
                | "tags" | "exclude_tags" | "x_rust_type",
                _,
            ) => return Err(wrong()),
            _ => return Err(syn::Error::new(key.span(), format!("unknown argument `{key}` (see the docs of generate_api!)"))),
        }
    }
    let spec = spec.ok_or_else(|| err("`spec = \"path/to/openapi.json\"` is required (relative to CARGO_MANIFEST_DIR)"))?;
    let module =
        apigen_codegen::generate_module(&manifest_dir.join(spec.value()), &settings).map_err(|d| syn::Error::new(spec.span(), d))?;
    let code: TokenStream = module.code.parse().map_err(|e| syn::Error::new(spec.span(), format!("generated code does not lex: {e}")))?;
    // Cargo rebuilds the crate when a file the expansion includes changes.
    let tracked = module.sources.iter().map(|p| p.to_string_lossy().into_owned());
    Ok(quote! {
        #(const _: &str = include_str!(#tracked);)*
        #code
    })
}

fn err(message: &str) -> syn::Error {
    syn::Error::new(Span::call_site(), message)
}
