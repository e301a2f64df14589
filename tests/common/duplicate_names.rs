//! A check for the class of compile errors that names from a spec can cause: two items of one
//! module, two fields of a struct, two variants of an enum, two methods of a type (over all its
//! inherent impls), two methods of a trait or two parameters of a function with the same name
//! (E0428, E0124, E0592, E0415, ...), and a parameter that shadows a function its function
//! calls (E0618). Shared by `hostile_names.rs` and `fuzz_generator.rs`.

use std::collections::{BTreeMap, BTreeSet};

use syn::visit_mut::VisitMut;

/// Every duplicate name of `file`, as readable lines (empty when there is none).
pub fn duplicates(file: &syn::File) -> Vec<String> {
    let mut out = Vec::new();
    module(&file.items, "crate", &mut out);
    out
}

fn check(what: &str, names: impl IntoIterator<Item = String>, out: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for name in names {
        let bare = name.strip_prefix("r#").unwrap_or(&name).to_string();
        if !seen.insert(bare.clone()) {
            out.push(format!("{what}: `{bare}` twice"));
        }
    }
}

fn fn_params(sig: &syn::Signature, body: Option<&syn::Block>, module_fns: &BTreeSet<String>, what: &str, out: &mut Vec<String>) {
    let names: Vec<String> = sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(t) => match &*t.pat {
                syn::Pat::Ident(i) => Some(i.ident.to_string()),
                _ => None,
            },
            syn::FnArg::Receiver(_) => Some("self".to_string()),
        })
        .collect();
    check(&format!("parameters of {what}"), names.clone(), out);
    if let Some(body) = body {
        let mut calls = Calls(BTreeSet::new());
        calls.visit_block_mut(&mut body.clone());
        for name in names.iter().filter(|n| calls.0.contains(*n) && module_fns.contains(*n)) {
            out.push(format!("parameter `{name}` of {what} shadows the function `{name}` it calls"));
        }
    }
}

/// The names of the plain functions a body calls (`encode_path(..)`).
struct Calls(BTreeSet<String>);

impl VisitMut for Calls {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if let syn::Expr::Path(p) = &*call.func {
            if let Some(ident) = p.path.get_ident() {
                self.0.insert(ident.to_string());
            }
        }
        syn::visit_mut::visit_expr_call_mut(self, call);
    }
}

fn module(items: &[syn::Item], path: &str, out: &mut Vec<String>) {
    let module_fns: BTreeSet<String> = items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        })
        .collect();
    let module_fns = &module_fns;
    let mut types = Vec::new();
    let mut values = Vec::new();
    let mut methods: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                types.push(s.ident.to_string());
                if matches!(s.fields, syn::Fields::Unnamed(_)) {
                    values.push(s.ident.to_string());
                }
                let fields = s.fields.iter().filter_map(|f| f.ident.as_ref().map(ToString::to_string));
                check(&format!("fields of {path}::{}", s.ident), fields, out);
            }
            syn::Item::Enum(e) => {
                types.push(e.ident.to_string());
                check(&format!("variants of {path}::{}", e.ident), e.variants.iter().map(|v| v.ident.to_string()), out);
                for v in &e.variants {
                    let fields = v.fields.iter().filter_map(|f| f.ident.as_ref().map(ToString::to_string));
                    check(&format!("fields of {path}::{}::{}", e.ident, v.ident), fields, out);
                }
            }
            syn::Item::Trait(t) => {
                types.push(t.ident.to_string());
                let fns: Vec<String> = t
                    .items
                    .iter()
                    .filter_map(|i| match i {
                        syn::TraitItem::Fn(f) => {
                            fn_params(&f.sig, f.default.as_ref(), module_fns, &format!("{path}::{}::{}", t.ident, f.sig.ident), out);
                            Some(f.sig.ident.to_string())
                        }
                        _ => None,
                    })
                    .collect();
                check(&format!("methods of trait {path}::{}", t.ident), fns, out);
            }
            syn::Item::Type(t) => types.push(t.ident.to_string()),
            syn::Item::Fn(f) => {
                values.push(f.sig.ident.to_string());
                fn_params(&f.sig, Some(&f.block), module_fns, &format!("{path}::{}", f.sig.ident), out);
            }
            syn::Item::Const(c) => values.push(c.ident.to_string()),
            syn::Item::Static(s) => values.push(s.ident.to_string()),
            syn::Item::Mod(m) => {
                types.push(m.ident.to_string());
                if let Some((_, inner)) = &m.content {
                    module(inner, &format!("{path}::{}", m.ident), out);
                }
            }
            syn::Item::Impl(imp) => {
                let syn::Type::Path(p) = &*imp.self_ty else { continue };
                let Some(last) = p.path.segments.last() else { continue };
                for it in &imp.items {
                    if let syn::ImplItem::Fn(f) = it {
                        fn_params(&f.sig, Some(&f.block), module_fns, &format!("{path}::{}::{}", last.ident, f.sig.ident), out);
                        // Inherent methods share one namespace per type; trait impls have their own.
                        if imp.trait_.is_none() {
                            methods.entry(last.ident.to_string()).or_default().push(f.sig.ident.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    check(&format!("types of {path}"), types, out);
    check(&format!("values of {path}"), values, out);
    for (ty, names) in methods {
        check(&format!("methods of {path}::{ty}"), names, out);
    }
}
