//! Names that collide after sanitizing, Rust keywords, leading digits and non-ASCII names
//! (`tests/fixtures/hostile-names/openapi.json`) generate Rust that parses, with stable names:
//! every type, field (with the JSON name it maps to), variant and client method is kept as a
//! snapshot, so a change of any generated name shows up in review.
//!
//! Compiling the crate is the job of the compiled fixture set: `cargo xtask gen` writes it to
//! `tests/crates/hostile-names`, a workspace member that the tests crate depends on with every
//! feature.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use apigen_codegen::{GeneratorSettings, OutputSet};
use spec_tests::in_repo;

#[path = "common/duplicate_names.rs"]
mod duplicate_names;

fn generate() -> OutputSet {
    in_repo(|| apigen_codegen::generate(Path::new("tests/fixtures/hostile-names/openapi.json"), &GeneratorSettings::new("hostile-names")))
        .unwrap_or_else(|d| panic!("the hostile-names fixture is a valid spec: {d}"))
}

fn parse(set: &OutputSet, file: &str) -> syn::File {
    let text = &set.files[Path::new(file)];
    syn::parse_file(text).unwrap_or_else(|e| panic!("{file} does not parse: {e}"))
}

/// The JSON name a field maps to (`#[serde(rename = "...")]`), if renamed.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut out = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                out = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    out
}

/// Every top-level type of `models.rs`: name -> its fields or variants (`rust name <- json name`).
fn model_names(file: &syn::File) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) => {
                let fields = s
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let name = f.ident.as_ref().map_or_else(|| i.to_string(), ToString::to_string);
                        match serde_rename(&f.attrs) {
                            Some(json) => format!("{name} <- {json:?}"),
                            None => name,
                        }
                    })
                    .collect();
                out.insert(format!("struct {}", s.ident), fields);
            }
            syn::Item::Enum(e) => {
                let variants = e
                    .variants
                    .iter()
                    .map(|v| match serde_rename(&v.attrs) {
                        Some(json) => format!("{} <- {json:?}", v.ident),
                        None => v.ident.to_string(),
                    })
                    .collect();
                out.insert(format!("enum {}", e.ident), variants);
            }
            syn::Item::Type(t) => {
                out.insert(format!("type {}", t.ident), Vec::new());
            }
            _ => {}
        }
    }
    out
}

/// The public async methods of the client (`impl Client`).
fn client_methods(file: &syn::File) -> Vec<String> {
    let mut out = Vec::new();
    for item in &file.items {
        if let syn::Item::Impl(imp) = item {
            for it in &imp.items {
                if let syn::ImplItem::Fn(f) = it {
                    if f.sig.asyncness.is_some() && matches!(f.vis, syn::Visibility::Public(_)) {
                        let params: Vec<String> = f
                            .sig
                            .inputs
                            .iter()
                            .filter_map(|a| match a {
                                syn::FnArg::Typed(t) => match &*t.pat {
                                    syn::Pat::Ident(i) => Some(i.ident.to_string()),
                                    _ => None,
                                },
                                syn::FnArg::Receiver(_) => None,
                            })
                            .collect();
                        out.push(format!("{}({})", f.sig.ident, params.join(", ")));
                    }
                }
            }
        }
    }
    out
}

/// The methods of the server's `Api` trait.
fn api_methods(file: &syn::File) -> Vec<String> {
    file.items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Trait(t) if t.ident == "Api" => Some(t),
            _ => None,
        })
        .flat_map(|t| &t.items)
        .filter_map(|i| match i {
            syn::TraitItem::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Names from the spec never meet each other or the names the generated code uses itself: no
/// module, struct, enum, trait or type has a name twice (the full check is compiling
/// `tests/crates/hostile-names` in CI).
#[test]
fn no_name_is_given_twice_in_any_generated_module() {
    let set = generate();
    for file in ["src/client.rs", "src/server.rs", "src/models.rs", "src/bin/mock.rs", "src/lib.rs"] {
        let dups = duplicate_names::duplicates(&parse(&set, file));
        assert!(dups.is_empty(), "{file}: {dups:#?}");
    }
}

#[test]
fn hostile_names_generate_parsing_rust_with_stable_names() {
    let set = generate();
    for file in set.files.keys().filter(|p| p.extension().is_some_and(|e| e == "rs")) {
        parse(&set, &file.to_string_lossy());
    }
    let models = model_names(&parse(&set, "src/models.rs"));
    let methods = client_methods(&parse(&set, "src/client.rs"));
    let mut text = String::new();
    for (ty, members) in &models {
        writeln!(text, "{ty}").unwrap();
        for m in members {
            writeln!(text, "    {m}").unwrap();
        }
    }
    writeln!(text, "\nclient methods:").unwrap();
    for m in &methods {
        writeln!(text, "    {m}").unwrap();
    }
    // The names the spec gives to the API-wide items of the client and the server.
    let client = model_names(&parse(&set, "src/client.rs"));
    let server = model_names(&parse(&set, "src/server.rs"));
    let lib = model_names(&parse(&set, "src/lib.rs"));
    for (module, items, wanted) in [
        ("lib", &lib, &["enum Scheme"][..]),
        ("client", &client, &["enum BaseUrl", "struct Credentials", "struct AuthenticateParams"][..]),
        ("server", &server, &["struct Authenticated", "struct AuthenticateInput"][..]),
    ] {
        for name in wanted {
            writeln!(text, "\n{module} {name}:").unwrap();
            for m in &items[*name] {
                writeln!(text, "    {m}").unwrap();
            }
        }
    }
    writeln!(text, "\nserver trait Api:").unwrap();
    for m in api_methods(&parse(&set, "src/server.rs")) {
        writeln!(text, "    {m}").unwrap();
    }
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true, description => "tests/fixtures/hostile-names/openapi.json" }, {
        insta::assert_snapshot!("hostile_names", text);
    });
    // Stable: a second run gives the same bytes.
    assert_eq!(generate(), set);
}

/// Every struct's fields are distinct Rust identifiers (else the crate cannot compile).
#[test]
fn fields_of_one_struct_are_distinct() {
    let set = generate();
    let models = model_names(&parse(&set, "src/models.rs"));
    for (ty, members) in models {
        let mut names: Vec<&str> = members.iter().map(|m| m.split(" <- ").next().unwrap_or(m)).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "{ty} has duplicate fields: {members:?}");
    }
}
