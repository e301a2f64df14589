//! The models emitter: typify's output, reshaped by syn passes into what we promise users.
//!
//! - Forward-compatible structs (read by clients) are as typify writes them, minus
//!   `deny_unknown_fields` (already removed during lowering).
//! - Strict structs (read by servers) implement `Validate`, which checks every extracted rule
//!   and collects all violations; when they have rules, deserialization goes through an
//!   `unchecked` twin (`#[serde(try_from = ...)]`), so an invalid value cannot be deserialized,
//!   and their builders validate too, so it cannot be built.
//! - Structs with secret fields print `<redacted>` for them in `Debug`, builders included.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{parse_quote, Fields, Item, ItemStruct};

use crate::ir::ApiSpace;
use crate::models::{PropertyRule, Rule, StructRules, Target};

/// Emits `src/models.rs`.
///
/// # Errors
///
/// A message when typify's output does not parse, which is a bug.
pub fn emit(api: &ApiSpace, types: &typify_impl::TypeSpace) -> Result<syn::File, String> {
    // typify has `todo!`s and `unimplemented!`s for constructs it does not support; one that
    // slipped through lowering must become an error, not a panic.
    let tokens = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| types.to_stream()))
        .map_err(|_| "typify could not emit the models of this spec (an unsupported schema construct)".to_string())?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("typify output does not parse: {e}"))?;
    emit_file(api, file)
}

/// [`emit`] from typify's output already parsed (lowering checks it: `ir::Lowered::models_file`).
///
/// # Errors
///
/// As [`emit`].
pub fn emit_file(api: &ApiSpace, mut file: syn::File) -> Result<syn::File, String> {
    let structs = &api.models.structs;
    let strict: BTreeSet<String> = structs.iter().filter(|(_, r)| r.strict).map(|(n, _)| n.clone()).collect();

    dedupe_fields(&mut file);
    // typify writes its default helpers once one is needed; a default dropped afterwards (see
    // `models::convert_isolated`) may leave one unused.
    for item in &mut file.items {
        if let Item::Mod(m) = item {
            if m.ident == "defaults" {
                m.attrs.push(parse_quote!(#[allow(dead_code)]));
            }
        }
    }
    let mut extra: Vec<Item> = Vec::new();
    let mut twins: Vec<Item> = Vec::new();
    let mut builders: Vec<Item> = Vec::new();
    let model_names: BTreeSet<String> = file
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut checked: BTreeSet<String> = BTreeSet::new();
    for item in &mut file.items {
        let Item::Struct(s) = item else { continue };
        let name = s.ident.to_string();
        let Some(rules) = structs.get(&name) else { continue };
        let mut fields = field_map(s);
        if !rules.nullable_optional.is_empty() {
            three_state(s, &mut fields, &rules.nullable_optional);
        }
        if !rules.secrets.is_empty() {
            remove_derive(&mut s.attrs, "Debug");
            extra.push(redacted_debug(&name, &fields, &rules.secrets, false));
        }
        if rules.strict {
            let (ctor, builder) = builder(&name, s, &fields, !rules.secrets.is_empty(), &model_names);
            extra.push(ctor);
            builders.extend(builder);
            extra.push(validate_impl(&name, &fields, rules, &strict));
            if has_own_rules(rules) {
                checked.insert(name.clone());
                let twin = twin_struct(s, &model_names);
                twins.push(Item::Struct(twin));
                remove_serde_flag(&mut s.attrs, "deny_unknown_fields");
                let path = format!("unchecked::{name}");
                s.attrs.push(parse_quote!(#[serde(try_from = #path)]));
                extra.push(from_unchecked(&name, &fields));
            }
        }
    }
    for item in &mut file.items {
        let Item::Enum(e) = item else { continue };
        if let Some(d) = api.models.discriminated.get(&e.ident.to_string()) {
            extra.extend(discriminate(e, d));
        }
        extra.extend(scalar_union(e));
    }
    file.items.extend(extra);
    syn::visit_mut::VisitMut::visit_file_mut(&mut DocSpacer, &mut file);
    // typify writes `Default` impls by hand for enums with a default value.
    file.attrs.push(parse_quote!(#![allow(clippy::derivable_impls)]));
    // Number rules read every numeric field as `f64`, a no-op cast for `f64` fields.
    file.attrs.push(parse_quote!(#![allow(clippy::unnecessary_cast)]));
    if !builders.is_empty() {
        file.items.push(parse_quote! {
            /// Builders for the request models: set fields one by one, then `build()` checks
            /// that every required field is set and every rule holds, reporting all problems.
            pub mod builder {
                #(#builders)*
            }
        });
    }
    if !twins.is_empty() {
        file.items.push(parse_quote! {
            /// Structurally valid input that has not been checked against the spec's rules yet.
            /// Deserialization of the strict types goes through these, then through `Validate`.
            pub mod unchecked {
                #[allow(unused_imports)]
                use super::*;
                #(#twins)*
            }
        });
    }
    Ok(file)
}

/// Gives the enum typify wrote for a `oneOf` with a discriminator (untagged: the first variant
/// whose shape fits wins, so a dog with a name could read as a cat) serde impls that go by the
/// tag instead: deserializing reads the discriminator property and decodes exactly the member it
/// selects (an unknown or missing tag is an error naming the property and the allowed values),
/// and serializing writes the member with the tag of its variant, so a value always reads back
/// as the variant it was. `serde(untagged)` stays for the schemars derive only (as `anyOf`).
/// Returns the impls; leaves the enum alone when its variants are not the members.
fn discriminate(e: &mut syn::ItemEnum, d: &crate::models::Discriminator) -> Vec<Item> {
    let mut arms = Vec::new();
    for v in &e.variants {
        let Fields::Unnamed(fields) = &v.fields else { return Vec::new() };
        let [field] = fields.unnamed.iter().collect::<Vec<_>>()[..] else { return Vec::new() };
        let Some(ty) = last_ident(&field.ty) else { return Vec::new() };
        let Some((_, tags)) = d.variants.iter().find(|(name, _)| *name == ty) else { return Vec::new() };
        arms.push((v.ident.clone(), field.ty.clone(), tags.clone()));
    }
    if arms.len() != d.variants.len() {
        return Vec::new();
    }
    remove_derive(&mut e.attrs, "Serialize");
    remove_derive(&mut e.attrs, "Deserialize");
    let for_schemars = |attrs: &mut Vec<syn::Attribute>| {
        for attr in attrs.iter_mut().filter(|a| a.path().is_ident("serde")) {
            let meta = &attr.meta;
            *attr = parse_quote!(#[cfg_attr(feature = "schemars", #meta)]);
        }
    };
    for_schemars(&mut e.attrs);
    for v in &mut e.variants {
        for_schemars(&mut v.attrs);
    }
    let property = &d.property;
    let listing = arms
        .iter()
        .map(|(_, ty, tags)| {
            format!(
                "{} -> [`{}`]",
                tags.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "),
                quote!(#ty).to_string().replace(' ', "")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let doc = format!("Which variant a value is, its `{property}` says: {listing}.");
    // After typify's doc lines, before the derives.
    let at = e.attrs.iter().rposition(|a| a.path().is_ident("doc")).map_or(0, |i| i + 1);
    e.attrs.splice(at..at, [parse_quote!(#[doc = ""]), parse_quote!(#[doc = #doc])]);
    let name = &e.ident;
    let all_tags: Vec<String> = arms.iter().flat_map(|(_, _, tags)| tags.iter().map(|t| format!("{t:?}"))).collect();
    // A format string: braces of the document's tags (`{dynamic_type}`) are escaped.
    let braces = |s: &str| s.replace('{', "{{").replace('}', "}}");
    let unknown = format!("unknown `{}` {{:?}}: expected one of {}", braces(property), braces(&all_tags.join(", ")));
    let missing = format!("missing `{property}` (one of {}), which says which schema the value follows", all_tags.join(", "));
    let ser_arms = arms.iter().map(|(v, _, tags)| {
        quote! { Self::#v(inner) => (&[#(#tags),*][..], ::serde_json::to_value(inner)) }
    });
    let de_arms = arms.iter().map(|(v, _, tags)| {
        quote! { Some(#(#tags)|*) => ::serde_json::from_value(value).map(Self::#v).map_err(D::Error::custom) }
    });
    vec![
        parse_quote! {
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    let (tags, value): (&[&str], _) = match self {
                        #(#ser_arms,)*
                    };
                    let mut value = value.map_err(::serde::ser::Error::custom)?;
                    if let ::serde_json::Value::Object(map) = &mut value {
                        let tagged = map.get(#property).and_then(::serde_json::Value::as_str).is_some_and(|t| tags.contains(&t));
                        if !tagged {
                            map.insert(#property.to_string(), ::serde_json::Value::from(tags[0]));
                        }
                    }
                    ::serde::Serialize::serialize(&value, serializer)
                }
            }
        },
        parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    use ::serde::de::Error as _;
                    let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                    let tag = value.get(#property).and_then(::serde_json::Value::as_str).map(str::to_owned);
                    match tag.as_deref() {
                        #(#de_arms,)*
                        Some(other) => Err(D::Error::custom(format_args!(#unknown, other))),
                        None => Err(D::Error::custom(#missing)),
                    }
                }
            }
        },
    ]
}

fn has_own_rules(rules: &StructRules) -> bool {
    !rules.rules.is_empty() || !rules.conditionals.is_empty()
}

/// One field of a struct: its identifier, Rust type (as typify wrote it: `Option<T>` for an
/// optional property), whether it is an `Option`, and whether it is three-state
/// (`Option<Option<T>>` in the struct: absent, `null` or a value; see [`three_state`]).
struct Field {
    ident: syn::Ident,
    ty: syn::Type,
    optional: bool,
    nullable: bool,
}

/// Wire name -> field, read from the struct typify wrote (serde `rename` or the identifier).
fn field_map(s: &ItemStruct) -> BTreeMap<String, Field> {
    let mut out = BTreeMap::new();
    let Fields::Named(named) = &s.fields else { return out };
    for f in &named.named {
        let Some(ident) = f.ident.clone() else { continue };
        let wire = field_wire_name(f);
        let optional = option_inner(&f.ty).is_some();
        out.insert(wire, Field { ident, ty: f.ty.clone(), optional, nullable: false });
    }
    out
}

/// The `T` of `Option<T>` (any path ending in `Option`).
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    generic_inner(ty, "Option")
}

fn generic_inner<'a>(ty: &'a syn::Type, wrapper: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

fn last_ident(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    Some(p.path.segments.last()?.ident.to_string())
}

fn is_string(ty: &syn::Type) -> bool {
    last_ident(ty).as_deref() == Some("String")
}

fn is_number(ty: &syn::Type) -> bool {
    matches!(
        last_ident(ty).as_deref(),
        Some("i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "f32" | "f64" | "isize" | "usize")
    )
}

/// An untagged union of scalars (an id that is an integer or a string, a value that is a number
/// or a boolean) compares with `==` and reads as each of its kinds: `PartialEq` is derived and
/// `as_i64()`, `as_f64()`, `as_str()`, `as_bool()` give the value when it is of that kind
/// (one accessor per kind that exactly one variant holds). Returns the accessors' impl.
fn scalar_union(e: &mut syn::ItemEnum) -> Option<Item> {
    let untagged = e.attrs.iter().any(|a| a.path().is_ident("serde") && a.meta.to_token_stream_string().contains("untagged"));
    if !untagged || e.variants.is_empty() || !e.generics.params.is_empty() {
        return None;
    }
    let mut kinds: Vec<(syn::Ident, &'static str)> = Vec::new();
    for v in &e.variants {
        let Fields::Unnamed(f) = &v.fields else { return None };
        let [field] = f.unnamed.iter().collect::<Vec<_>>()[..] else { return None };
        let kind = match last_ident(&field.ty)?.as_str() {
            "String" => "str",
            "bool" => "bool",
            "f64" | "f32" => "f64",
            "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" => "i64",
            "u64" => "u64",
            _ => return None,
        };
        kinds.push((v.ident.clone(), kind));
    }
    let derives_eq = e.attrs.iter().any(|a| a.path().is_ident("derive") && a.meta.to_token_stream_string().contains("PartialEq"));
    if !derives_eq {
        // Into typify's own derive list (`Clone, Debug`), else as a derive of its own.
        let list = e.attrs.iter_mut().find(|a| a.path().is_ident("derive") && a.meta.to_token_stream_string().contains("Clone"));
        match list
            .and_then(|a| Some((a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated).ok()?, a)))
        {
            Some((mut paths, attr)) => {
                paths.push(parse_quote!(PartialEq));
                *attr = parse_quote!(#[derive(#paths)]);
            }
            None => e.attrs.push(parse_quote!(#[derive(PartialEq)])),
        }
    }
    let name = &e.ident;
    let methods = kinds.iter().filter(|(_, k)| kinds.iter().filter(|(_, o)| o == k).count() == 1).map(|(v, kind)| {
        let doc = format!(" The value, when it is the `{v}` variant.");
        match *kind {
            "str" => quote! {
                #[doc = #doc]
                pub fn as_str(&self) -> ::std::option::Option<&str> {
                    match self { Self::#v(value) => ::std::option::Option::Some(value.as_str()), _ => ::std::option::Option::None }
                }
            },
            other => {
                let method = format_ident!("as_{}", other);
                let t = format_ident!("{}", other);
                quote! {
                    #[doc = #doc]
                    #[allow(clippy::unnecessary_cast)]
                    pub fn #method(&self) -> ::std::option::Option<#t> {
                        match self { Self::#v(value) => ::std::option::Option::Some(*value as #t), _ => ::std::option::Option::None }
                    }
                }
            }
        }
    });
    Some(parse_quote! {
        impl #name {
            #(#methods)*
        }
    })
}

fn remove_derive(attrs: &mut [syn::Attribute], name: &str) {
    for attr in attrs.iter_mut() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(list) = attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated) else {
            continue;
        };
        let kept: Vec<&syn::Path> = list.iter().filter(|p| p.segments.last().is_none_or(|s| s.ident != name)).collect();
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
}

fn remove_serde_flag(attrs: &mut Vec<syn::Attribute>, flag: &str) {
    attrs.retain(|a| !(a.path().is_ident("serde") && a.meta.to_token_stream_string().contains(flag)));
}

trait MetaText {
    fn to_token_stream_string(&self) -> String;
}

impl MetaText for syn::Meta {
    fn to_token_stream_string(&self) -> String {
        quote!(#self).to_string()
    }
}

/// `impl Debug` that prints `<redacted>` for secret fields.
fn redacted_debug(name: &str, fields: &BTreeMap<String, Field>, secrets: &BTreeSet<String>, _builder: bool) -> Item {
    let ident = format_ident!("{}", name);
    let entries = fields.iter().map(|(wire, f)| {
        let fi = &f.ident;
        let label = fi.to_string().trim_start_matches("r#").to_string();
        if secrets.contains(wire) {
            if f.optional {
                quote! { .field(#label, &self.#fi.as_ref().map(|_| "<redacted>")) }
            } else {
                quote! { .field(#label, &"<redacted>") }
            }
        } else {
            quote! { .field(#label, &self.#fi) }
        }
    });
    parse_quote! {
        impl ::std::fmt::Debug for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#name) #(#entries)* .finish()
            }
        }
    }
}

/// The twin struct for `#[serde(try_from)]`: same fields and serde attributes, only
/// `Deserialize`, no docs.
fn twin_struct(s: &ItemStruct, model_names: &BTreeSet<String>) -> ItemStruct {
    let mut twin = s.clone();
    // The `unchecked` module has a twin of the same name for each checked model: a field's
    // model type is the checked one, in the parent module.
    if let Fields::Named(named) = &mut twin.fields {
        for f in &mut named.named {
            syn::visit_mut::VisitMut::visit_type_mut(&mut SuperQualifier(model_names), &mut f.ty);
        }
    }
    // Keep serde attributes (names, defaults) and the schemars derive: schemars describes a
    // `try_from` type by its source, so the twin must carry the same schema and docs.
    twin.attrs.retain(|a| a.path().is_ident("serde") || a.path().is_ident("cfg_attr") || a.path().is_ident("doc"));
    twin.attrs.insert(0, parse_quote!(#[derive(::serde::Deserialize)]));
    if let Fields::Named(named) = &mut twin.fields {
        for f in &mut named.named {
            f.attrs.retain(|a| a.path().is_ident("serde") || a.path().is_ident("doc"));
        }
    }
    twin
}

/// `impl TryFrom<unchecked::X> for X`: moves the fields, then validates.
fn from_unchecked(name: &str, fields: &BTreeMap<String, Field>) -> Item {
    let ident = format_ident!("{}", name);
    let moves = fields.values().map(|f| {
        let fi = &f.ident;
        quote! { #fi: raw.#fi }
    });
    parse_quote! {
        impl ::std::convert::TryFrom<unchecked::#ident> for #ident {
            type Error = crate::validation::ValidationErrors;
            fn try_from(raw: unchecked::#ident) -> ::std::result::Result<Self, Self::Error> {
                let value = Self { #(#moves),* };
                crate::validation::Validate::validate(&value)?;
                Ok(value)
            }
        }
    }
}

/// `impl Validate for X`: every rule, every conditional requirement, and nested strict structs.
fn validate_impl(name: &str, fields: &BTreeMap<String, Field>, rules: &StructRules, strict: &BTreeSet<String>) -> Item {
    let ident = format_ident!("{}", name);
    let mut checks: Vec<TokenStream> = Vec::new();
    for rule in &rules.rules {
        if let Some(field) = fields.get(&rule.property) {
            if let Some(check) = rule_check(rule, field, fields) {
                checks.push(check);
            }
        }
    }
    for cond in &rules.conditionals {
        let Some(when) = fields.get(&cond.when) else { continue };
        let when_ident = &when.ident;
        let expected = serde_json::to_string(&cond.equals).unwrap_or_default();
        let shown = cond.equals.to_string();
        for req in &cond.required {
            let Some(target) = fields.get(req) else { continue };
            if !target.optional {
                continue;
            }
            let ti = &target.ident;
            let message = format!("is required when `{}` is {}", cond.when, shown);
            let wire = req.as_str();
            checks.push(quote! {
                if self.#ti.is_none() && crate::validation::json_eq(&self.#when_ident, #expected) {
                    errors.push(crate::validation::Violation::new(crate::validation::join(path, #wire), "required", #message));
                }
            });
        }
    }
    for (wire, field) in fields {
        if nested_strict(&field.ty, strict) {
            let fi = &field.ident;
            checks.push(quote! {
                crate::validation::Validate::validate_into(&self.#fi, &crate::validation::join(path, #wire), errors);
            });
        }
    }
    let unused = checks.is_empty();
    let (path_arg, errors_arg) = if unused { (quote!(_path), quote!(_errors)) } else { (quote!(path), quote!(errors)) };
    parse_quote! {
        impl crate::validation::Validate for #ident {
            fn validate_into(&self, #path_arg: &str, #errors_arg: &mut ::std::vec::Vec<crate::validation::Violation>) {
                #(#checks)*
            }
        }
    }
}

/// True when `ty` is `S`, `Option<S>`, `Vec<S>`, `Box<S>` or `Option<Vec<S>>` of a strict struct.
fn nested_strict(ty: &syn::Type, strict: &BTreeSet<String>) -> bool {
    let mut t = ty;
    for _ in 0..3 {
        if let Some(inner) = generic_inner(t, "Option").or_else(|| generic_inner(t, "Vec")).or_else(|| generic_inner(t, "Box")) {
            t = inner;
        }
    }
    last_ident(t).is_some_and(|n| strict.contains(&n))
}

/// The value of a field as an `Option<&T>`: `None` when absent (or `null`, for a three-state
/// field): rules apply to values only.
fn value_of(field: &Field) -> TokenStream {
    let fi = &field.ident;
    if field.nullable {
        quote!(self.#fi.as_ref().and_then(::std::option::Option::as_ref))
    } else if field.optional {
        quote!(self.#fi.as_ref())
    } else {
        quote!(::std::option::Option::Some(&self.#fi))
    }
}

/// The check for one rule on one field.
fn rule_check(rule: &PropertyRule, field: &Field, fields: &BTreeMap<String, Field>) -> Option<TokenStream> {
    let wire = rule.property.as_str();
    let inner_ty = option_inner(&field.ty).unwrap_or(&field.ty).clone();
    // The value (or each item) as an expression named `v`, and the type that `v` has.
    let (elem_ty, over_items) = match rule.target {
        Target::Value => (inner_ty.clone(), false),
        Target::Items => (generic_inner(&inner_ty, "Vec")?.clone(), true),
    };
    let body = match &rule.rule {
        Rule::MinLength(n) if is_string(&elem_ty) => quote! { crate::validation::min_length(v, #n, &p, errors); },
        Rule::MaxLength(n) if is_string(&elem_ty) => quote! { crate::validation::max_length(v, #n, &p, errors); },
        Rule::Pattern(pat) if is_string(&elem_ty) => {
            quote! {{
                static PATTERN: ::std::sync::LazyLock<::std::option::Option<::regress::Regex>> =
                    ::std::sync::LazyLock::new(|| ::regress::Regex::new(#pat).ok());
                crate::validation::pattern(v, PATTERN.as_ref(), #pat, &p, errors);
            }}
        }
        Rule::Email if is_string(&elem_ty) => quote! { crate::validation::email(v, &p, errors); },
        Rule::Minimum { value, exclusive } if is_number(&elem_ty) => {
            quote! { crate::validation::minimum(*v as f64, #value, #exclusive, &p, errors); }
        }
        Rule::Maximum { value, exclusive } if is_number(&elem_ty) => {
            quote! { crate::validation::maximum(*v as f64, #value, #exclusive, &p, errors); }
        }
        Rule::MinItems(n) if !over_items && generic_inner(&elem_ty, "Vec").is_some() => {
            quote! { crate::validation::min_items(v.len(), #n, &p, errors); }
        }
        Rule::MaxItems(n) if !over_items && generic_inner(&elem_ty, "Vec").is_some() => {
            quote! { crate::validation::max_items(v.len(), #n, &p, errors); }
        }
        Rule::MustEqual(other) => {
            let other_field = fields.get(other)?;
            let other_value = value_of(other_field);
            let message = format!("must equal `{other}`");
            quote! {
                if #other_value != ::std::option::Option::Some(v) {
                    errors.push(crate::validation::Violation::new(p.clone(), "x-must-equal", #message));
                }
            }
        }
        _ => return None,
    };
    let value_expr = value_of(field);
    Some(if over_items {
        quote! {
            if let ::std::option::Option::Some(items) = #value_expr {
                for (i, v) in items.iter().enumerate() {
                    let p = crate::validation::index(&crate::validation::join(path, #wire), i);
                    #body
                }
            }
        }
    } else {
        quote! {
            if let ::std::option::Option::Some(v) = #value_expr {
                let p = crate::validation::join(path, #wire);
                #body
            }
        }
    })
}

/// The default of a field without a value: serde's `default = "path"` function, or
/// `Default::default()` for a bare `default`; `None` when the field has no serde default.
fn serde_default(field: &syn::Field) -> Option<TokenStream> {
    let mut out = None;
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                if meta.input.peek(syn::Token![=]) {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    let path: syn::Path = lit.parse()?;
                    // The builder lives one module below the models.
                    let relative = path.leading_colon.is_none() && path.segments.first().is_some_and(|s| s.ident != "crate");
                    out = Some(if relative { quote!(super::#path()) } else { quote!(#path()) });
                } else {
                    out = Some(quote!(::std::default::Default::default()));
                }
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    out
}

/// `X::builder()` and `builder::X`: a setter per field and a `build()` that reports every
/// missing required field, then every rule violation.
fn builder(
    name: &str,
    s: &ItemStruct,
    fields: &BTreeMap<String, Field>,
    secret: bool,
    model_names: &BTreeSet<String>,
) -> (Item, Vec<Item>) {
    let ident = format_ident!("{}", name);
    let Fields::Named(named) = &s.fields else {
        return (parse_quote!(impl #ident {}), Vec::new());
    };
    let mut slots = Vec::new();
    let mut setters = Vec::new();
    let mut checks = Vec::new();
    let mut required_idents = Vec::new();
    let mut assigns = Vec::new();
    for f in &named.named {
        let Some(fi) = f.ident.clone() else { continue };
        let Some((wire, field)) = fields.iter().find(|(_, x)| x.ident == fi) else { continue };
        let mut inner = option_inner(&field.ty).unwrap_or(&field.ty).clone();
        // The builder module has a type of the same name for each request model: point model
        // types at the parent module explicitly.
        syn::visit_mut::VisitMut::visit_type_mut(&mut SuperQualifier(model_names), &mut inner);
        let doc = f.attrs.iter().filter(|a| a.path().is_ident("doc")).cloned().collect::<Vec<_>>();
        let setter_name = format_ident!("{}", fi.to_string().trim_start_matches("r#"));
        let setter_name = if setter_name != crate::naming::escape_keyword(&setter_name.to_string()) { fi.clone() } else { setter_name };
        if field.nullable {
            // Three states: unset (left out), `<field>_null()` (sent as `null`), or a value.
            slots.push(quote! { #fi: ::std::option::Option<::std::option::Option<#inner>> });
            let null_setter = format_ident!("{}_null", fi.to_string().trim_start_matches("r#"));
            let null_doc = format!(" Sends `{wire}` as `null` (clears it), where leaving it unset leaves it out.");
            setters.push(quote! {
                #(#doc)*
                pub fn #setter_name(mut self, value: impl ::std::convert::Into<#inner>) -> Self {
                    self.#fi = ::std::option::Option::Some(::std::option::Option::Some(value.into()));
                    self
                }

                #[doc = #null_doc]
                pub fn #null_setter(mut self) -> Self {
                    self.#fi = ::std::option::Option::Some(::std::option::Option::None);
                    self
                }
            });
        } else {
            slots.push(quote! { #fi: ::std::option::Option<#inner> });
            setters.push(quote! {
                #(#doc)*
                pub fn #setter_name(mut self, value: impl ::std::convert::Into<#inner>) -> Self {
                    self.#fi = ::std::option::Option::Some(value.into());
                    self
                }
            });
        }
        if field.optional {
            assigns.push(quote! { #fi: self.#fi });
        } else if let Some(default) = serde_default(f) {
            if default.to_string() == quote!(::std::default::Default::default()).to_string() {
                assigns.push(quote! { #fi: self.#fi.unwrap_or_default() });
            } else {
                assigns.push(quote! { #fi: self.#fi.unwrap_or_else(|| #default) });
            }
        } else {
            checks.push(quote! {
                if self.#fi.is_none() {
                    errors.push(crate::validation::Violation::new(#wire, "required", "is required"));
                }
            });
            required_idents.push(fi.clone());
            assigns.push(quote! { #fi });
        }
    }
    let destructure = if required_idents.is_empty() {
        quote!()
    } else {
        quote! {
            let ( #( ::std::option::Option::Some(#required_idents), )* ) = ( #( self.#required_idents, )* ) else {
                return Err(crate::validation::ValidationErrors::new(errors));
            };
        }
    };
    let errors_decl = if checks.is_empty() {
        quote!()
    } else {
        quote! { let mut errors = ::std::vec::Vec::new(); }
    };
    let debug = if secret {
        quote! {
            impl ::std::fmt::Debug for #ident {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#name).finish_non_exhaustive()
                }
            }
        }
    } else {
        quote!()
    };
    let derive = if secret { quote!(#[derive(Clone, Default)]) } else { quote!(#[derive(Clone, Debug, Default)]) };
    let doc = format!(" Builds a [`super::{name}`]; see [`super::{name}::builder`].");
    let items: Vec<Item> = vec![
        parse_quote! {
            #[doc = #doc]
            #derive
            pub struct #ident { #(#slots,)* }
        },
        parse_quote! {
            impl #ident {
                #(#setters)*

                /// Checks that every required field is set and that the value follows every rule
                /// of the spec.
                ///
                /// # Errors
                ///
                /// Every missing field, or else every rule violation.
                #[allow(clippy::redundant_closure)]
                pub fn build(self) -> ::std::result::Result<super::#ident, crate::validation::ValidationErrors> {
                    #errors_decl
                    #(#checks)*
                    #destructure
                    let value = super::#ident { #(#assigns,)* };
                    crate::validation::Validate::validate(&value)?;
                    Ok(value)
                }
            }
        },
        parse_quote! {
            impl ::std::convert::TryFrom<#ident> for super::#ident {
                type Error = crate::validation::ValidationErrors;
                fn try_from(builder: #ident) -> ::std::result::Result<Self, Self::Error> {
                    builder.build()
                }
            }
        },
    ];
    let mut items = items;
    if secret {
        items.push(syn::parse2(debug).expect("a Debug impl"));
    }
    let ctor: Item = parse_quote! {
        impl #ident {
            /// A builder: set the fields, then call `build()`, which checks every rule.
            pub fn builder() -> builder::#ident {
                ::std::default::Default::default()
            }
        }
    };
    (ctor, items)
}

/// Properties whose names sanitize to the same identifier (`user_name`, `userName`,
/// `user-name`) make typify write the same field twice. Later duplicates get a numeric suffix
/// (`user_name_2`) and an explicit serde `rename`, in the struct and in the struct expressions
/// of its impls, so the wire names stay exact and the Rust names stable.
fn dedupe_fields(file: &mut syn::File) {
    let mut renamed: BTreeMap<String, Vec<(String, usize, syn::Ident)>> = BTreeMap::new();
    for item in &mut file.items {
        match item {
            Item::Struct(s) => {
                if let Fields::Named(named) = &mut s.fields {
                    let list = dedupe_named(named);
                    if !list.is_empty() {
                        renamed.entry(s.ident.to_string()).or_default().extend(list);
                    }
                }
            }
            // typify writes an object member of an untagged union as a struct variant.
            Item::Enum(e) => {
                for v in &mut e.variants {
                    if let Fields::Named(named) = &mut v.fields {
                        let list = dedupe_named(named);
                        if !list.is_empty() {
                            renamed.entry(e.ident.to_string()).or_default().extend(list);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if renamed.is_empty() {
        return;
    }
    // Struct expressions name the renamed fields anywhere: in the type's own impls, and in the
    // `Default` of another type whose default value holds one.
    for item in &mut file.items {
        let self_ty = match item {
            Item::Impl(imp) => match &*imp.self_ty {
                syn::Type::Path(tp) => tp.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            },
            _ => None,
        };
        syn::visit_mut::VisitMut::visit_item_mut(&mut FieldRenamer { renamed: &renamed, self_ty }, item);
    }
}

/// The wire name of a field typify wrote: its serde `rename`, else its identifier.
fn field_wire_name(f: &syn::Field) -> String {
    let mut wire = f.ident.as_ref().map(|i| i.to_string().trim_start_matches("r#").to_string()).unwrap_or_default();
    for attr in &f.attrs {
        if attr.path().is_ident("serde") {
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    wire = lit.value();
                } else if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
        }
    }
    wire
}

fn has_serde_rename(f: &syn::Field) -> bool {
    f.attrs.iter().any(|a| a.path().is_ident("serde") && quote!(#a).to_string().contains("rename"))
}

/// Renames the n-th occurrence of a duplicated field in struct expressions.
struct FieldRenamer<'a> {
    /// Per type: `(field, n, new identifier)` of its renamed fields (see [`dedupe_named`]).
    renamed: &'a BTreeMap<String, Vec<(String, usize, syn::Ident)>>,
    /// The type of the impl being visited (what `Self` names).
    self_ty: Option<String>,
}

impl syn::visit_mut::VisitMut for FieldRenamer<'_> {
    fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
        // `X { .. }`, `Self { .. }`, or a variant: `X::Variant { .. }`, `Self::Variant { .. }`.
        let segments: Vec<String> = e.path.segments.iter().map(|s| s.ident.to_string()).collect();
        let resolve = |s: &String| if s == "Self" { self.self_ty.clone() } else { Some(s.clone()) };
        let list = segments.iter().rev().take(2).filter_map(resolve).find_map(|t| self.renamed.get(&t));
        if let Some(list) = list {
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            for field in &mut e.fields {
                if let syn::Member::Named(ident) = &field.member {
                    let key = ident.to_string();
                    let count = seen.entry(key.clone()).or_insert(0);
                    *count += 1;
                    if let Some((_, _, new_ident)) = list.iter().find(|(k, n, _)| *k == key && *n == *count) {
                        field.member = syn::Member::Named(new_ident.clone());
                    }
                }
            }
        }
        syn::visit_mut::visit_expr_struct_mut(self, e);
    }
}

/// Renames the second and later fields of one name (`HTML` and `html` both become `html`) to
/// `<name>_<n>`, keeping their wire names; returns `(name, n, new identifier)` per renamed field.
fn dedupe_named(named: &mut syn::FieldsNamed) -> Vec<(String, usize, syn::Ident)> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut taken: BTreeSet<String> = named.named.iter().filter_map(|f| f.ident.as_ref().map(ToString::to_string)).collect();
    for f in &mut named.named {
        let Some(ident) = f.ident.clone() else { continue };
        let key = ident.to_string();
        let count = seen.entry(key.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            continue;
        }
        let wire = field_wire_name(f);
        let base = key.trim_start_matches("r#").trim_end_matches('_').to_string();
        let new_name = crate::naming::unique_ident_from(format!("{base}_{count}"), &mut taken);
        let new_ident = format_ident!("{}", new_name);
        if !has_serde_rename(f) {
            f.attrs.push(parse_quote!(#[serde(rename = #wire)]));
        }
        f.ident = Some(new_ident.clone());
        out.push((key, *count, new_ident));
    }
    out
}

/// Makes the optional fields that may be `null` three-state: `Option<T>` becomes
/// `Option<Option<T>>`, absent when `None` (left out of the JSON), `null` when `Some(None)`, a
/// value when `Some(Some(v))`, so that a PATCH can say "leave unchanged" and "clear" apart
/// (see `apigen_runtime::nullable`).
///
/// A field with a documented default keeps `Option<T>` (typify's `Default` impl and default
/// functions produce it), and serializes `None` as `null`: absent reads as the default there.
fn three_state(s: &mut ItemStruct, fields: &mut BTreeMap<String, Field>, wires: &BTreeSet<String>) {
    let idents: BTreeSet<String> = wires.iter().filter_map(|w| fields.get(w)).filter(|f| f.optional).map(|f| f.ident.to_string()).collect();
    let Fields::Named(named) = &mut s.fields else { return };
    for f in &mut named.named {
        if !f.ident.as_ref().is_some_and(|i| idents.contains(&i.to_string())) {
            continue;
        }
        let Some(inner) = option_inner(&f.ty).cloned() else { continue };
        if serde_default(f).is_some_and(|d| d.to_string() != quote!(::std::default::Default::default()).to_string()) {
            keep_null(f);
            continue;
        }
        if let Some(field) = fields.values_mut().find(|x| f.ident.as_ref() == Some(&x.ident)) {
            field.nullable = true;
        }
        f.ty = parse_quote!(::std::option::Option<::std::option::Option<#inner>>);
        let mut kept: Vec<syn::Meta> = Vec::new();
        for attr in &f.attrs {
            if !attr.path().is_ident("serde") {
                continue;
            }
            let Ok(list) = attr.parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated) else {
                continue;
            };
            kept.extend(
                list.into_iter()
                    .filter(|m| !["skip_serializing_if", "default", "deserialize_with", "with"].iter().any(|k| m.path().is_ident(k))),
            );
        }
        f.attrs.retain(|a| !a.path().is_ident("serde"));
        f.attrs.push(parse_quote! {
            #[serde(#(#kept,)* default, skip_serializing_if = "::std::option::Option::is_none", deserialize_with = "::apigen_runtime::nullable::deserialize")]
        });
    }
}

/// Drops `skip_serializing_if` from an optional field, so that `None` serializes as `null`.
fn keep_null(f: &mut syn::Field) {
    for attr in &mut f.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let Ok(list) = attr.parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated) else {
            continue;
        };
        let kept: Vec<&syn::Meta> = list.iter().filter(|m| !m.path().is_ident("skip_serializing_if")).collect();
        *attr = parse_quote!(#[serde(#(#kept),*)]);
    }
    f.attrs.retain(|a| !(a.path().is_ident("serde") && quote!(#a).to_string() == "# [serde ()]"));
}

/// Prefixes bare model type names with `super::`.
struct SuperQualifier<'a>(&'a BTreeSet<String>);

impl syn::visit_mut::VisitMut for SuperQualifier<'_> {
    fn visit_type_path_mut(&mut self, tp: &mut syn::TypePath) {
        if tp.qself.is_none() && tp.path.leading_colon.is_none() {
            if let Some(first) = tp.path.segments.first() {
                if tp.path.segments.len() == 1 && self.0.contains(&first.ident.to_string()) {
                    tp.path.segments.insert(0, parse_quote!(super));
                }
            }
        }
        syn::visit_mut::visit_type_path_mut(self, tp);
    }
}

/// Gives typify's doc comments the leading space rustdoc and readers expect (`/// Text`).
struct DocSpacer;

impl syn::visit_mut::VisitMut for DocSpacer {
    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        if !attr.path().is_ident("doc") {
            return;
        }
        if let syn::Meta::NameValue(nv) = &mut attr.meta {
            if let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &nv.value {
                let text = s.value();
                if !text.is_empty() && !text.starts_with(' ') {
                    let spaced = format!(" {text}");
                    nv.value = parse_quote!(#spaced);
                }
            }
        }
    }
}
