//! The models emitter: typify's output, reshaped by syn passes into what we promise users.
//!
//! - Forward-compatible structs (read by clients) are as typify writes them, minus
//!   `deny_unknown_fields` (already removed during lowering).
//! - Strict structs (request models) implement `Validate`, which checks every extracted rule
//!   and collects all violations, for their builders and the client (a request model cannot be
//!   built or sent invalid). Deserialization checks the Rust types only: the server's one
//!   validator (the runtime's, on the document's schemas) has checked every rule before.
//! - Structs with secret fields print `<redacted>` for them in `Debug`, builders included.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use syn::{parse_quote, Fields, Item, ItemStruct};

use super::types::{tokens, Place};
use crate::ir::models::{Constraint, Field, ModelSpace, StructModel, StructRules, Target};
use crate::ir::ApiSpace;
use crate::ir::TypeRef;
use crate::naming::{serde_rename, serde_rename_of};

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
    let strict: BTreeSet<String> = api.models.rules().filter(|(_, r)| r.strict).map(|(n, _)| n.clone()).collect();

    apply_field_names(&mut file, &api.models)?;
    apply_enum_names(&mut file, &api.models);
    camel_case_variants(&mut file);
    // typify writes its default helpers once one is needed; a default dropped afterwards (see
    // `lower::typify::convert_isolated`) may leave one unused.
    for item in &mut file.items {
        if let Item::Mod(m) = item {
            if m.ident == "defaults" {
                m.attrs.push(parse_quote!(#[allow(dead_code)]));
            }
        }
    }
    drop_unused_error_module(&mut file);
    let mut extra: Vec<Item> = Vec::new();
    let mut builders: Vec<Item> = Vec::new();
    for item in &mut file.items {
        let Item::Struct(s) = item else { continue };
        let name = s.ident.to_string();
        let Some(model) = structs.get(&name) else { continue };
        let Some(rules) = &model.rules else { continue };
        let fields = by_wire(model);
        if rules.properties.iter().any(|p| p.keeps_null) {
            keep_nulls(s, model, rules);
        }
        if model.fields.iter().any(|f| f.three_state) {
            three_state(s, model);
        }
        if rules.has_secrets() {
            remove_derive(&mut s.attrs, "Debug");
            extra.push(redacted_debug(&name, &fields, rules));
        }
        if rules.strict {
            let (ctor, builder) = builder(&name, s, model, rules.has_secrets());
            extra.push(ctor);
            builders.extend(builder);
            extra.push(validate_impl(&name, model, &fields, rules, &strict));
        }
    }
    for item in &mut file.items {
        let Item::Enum(e) = item else { continue };
        if let Some(d) = api.models.discriminated.get(&e.ident.to_string()) {
            extra.extend(discriminate(e, d));
        }
        extra.extend(scalar_union(e));
    }
    for r in api.operations.iter().flat_map(|op| &op.responses) {
        extra.extend(headers_struct(api, r));
    }
    extra.extend(json_schema_impls(&mut file, &api.models.json_schemas));
    if !api.models.serde_derive {
        super::deserialize::write_impls(&mut file);
    }
    file.items.extend(extra);
    syn::visit_mut::VisitMut::visit_file_mut(&mut DocSpacer, &mut file);
    syn::visit_mut::VisitMut::visit_file_mut(&mut EmptyDocs, &mut file);
    // typify writes `Default` impls by hand for enums with a default value.
    // The rule checks call one function for every numeric field type (`*v as f64` is a no-op
    // cast for `f64` fields), typify's untagged unions hold their members inline, field names
    // are the spec's (`foo` too), and a property that can only be `null` is a `()` field whose
    // builder setter takes `()`.
    file.attrs.push(parse_quote!(#![allow(
        clippy::derivable_impls,
        clippy::unnecessary_cast,
        clippy::large_enum_variant,
        clippy::disallowed_names,
        clippy::unit_arg
    )]));
    if !builders.is_empty() {
        file.items.push(parse_quote! {
            /// Builders for the request models: set fields one by one, then `build()` checks
            /// that every required field is set and every rule holds, reporting all problems.
            pub mod builder {
                #(#builders)*
            }
        });
    }
    Ok(file)
}

/// typify always writes `pub mod error` (its `ConversionError`, for the `TryFrom`/`FromStr`
/// impls of constrained and enum types); a document without such types gets no module of
/// unused boilerplate.
fn drop_unused_error_module(file: &mut syn::File) {
    let is_error_module = |item: &Item| matches!(item, Item::Mod(m) if m.ident == "error");
    let used =
        file.items.iter().filter(|item| !is_error_module(item)).any(|item| item.to_token_stream().to_string().contains("ConversionError"));
    if !used {
        file.items.retain(|item| !is_error_module(item));
    }
}

/// Replaces typify's `schemars::JsonSchema` derive of every model that has a definition in
/// `schemas` by an impl that answers the document's schema: `src/schemas.json` (the IR's text,
/// written beside the models) in one static, parsed on first use, and a lookup from a
/// definition's name to `subschema_for` of its model, through which the runtime
/// (`apigen_runtime::json_schema::Definitions`) replaces the references between definitions.
/// Types without a definition (those typify names itself) keep the derive. Returns the items,
/// all under `cfg(feature = "schemars")`.
fn json_schema_impls(file: &mut syn::File, schemas: &crate::ir::models::JsonSchemas) -> Vec<Item> {
    let schemars_attr = |attr: &syn::Attribute, what: &str| {
        attr.path().is_ident("cfg_attr") && {
            let text = attr.meta.to_token_stream().to_string();
            text.contains("\"schemars\"") && text.contains(what)
        }
    };
    let mut models: Vec<syn::Ident> = Vec::new();
    for item in &mut file.items {
        let (ident, attrs) = match item {
            Item::Struct(s) => (s.ident.clone(), &mut s.attrs),
            Item::Enum(e) => (e.ident.clone(), &mut e.attrs),
            _ => continue,
        };
        if !schemas.names.contains(&ident.to_string()) {
            continue;
        }
        let derived = attrs.len();
        attrs.retain(|a| !schemars_attr(a, "JsonSchema"));
        if attrs.len() == derived {
            continue;
        }
        // serde attributes kept for the derive only (`discriminate`) go with it.
        attrs.retain(|a| !schemars_attr(a, "serde"));
        if let Item::Enum(e) = item {
            for v in &mut e.variants {
                v.attrs.retain(|a| !schemars_attr(a, "serde"));
            }
        }
        models.push(ident);
    }
    if models.is_empty() {
        return Vec::new();
    }
    let [statics, lookup] = crate::naming::reserved::MODEL_ITEMS else { unreachable!("two items") };
    let (statics, lookup) = (format_ident!("{statics}"), format_ident!("{lookup}"));
    let names: Vec<String> = models.iter().map(ToString::to_string).collect();
    let file: syn::File = parse_quote! {
        /// The document's JSON Schema of every model (`schemas.json`), which their `JsonSchema`
        /// impls answer.
        #[cfg(feature = "schemars")]
        static #statics: ::apigen_runtime::json_schema::Definitions =
            ::apigen_runtime::json_schema::Definitions::new(include_str!("schemas.json"), #lookup);

        /// The schema `generator` gives the model of the definition `name`.
        #[cfg(feature = "schemars")]
        fn #lookup(generator: &mut ::schemars::SchemaGenerator, name: &str) -> ::std::option::Option<::schemars::Schema> {
            ::std::option::Option::Some(match name {
                #(#names => generator.subschema_for::<#models>(),)*
                _ => return ::std::option::Option::None,
            })
        }

        #(
            #[cfg(feature = "schemars")]
            impl ::schemars::JsonSchema for #models {
                fn schema_name() -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed(#names)
                }
                fn schema_id() -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed(concat!(module_path!(), "::", #names))
                }
                fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                    #statics.schema(generator, #names)
                }
            }
        )*
    };
    file.items
}

/// Gives the enum typify wrote for a `oneOf` with a discriminator (untagged: the first variant
/// whose shape fits wins, so a dog with a name could read as a cat) serde impls that go by the
/// tag instead: deserializing reads the discriminator property and decodes exactly the member it
/// selects (an unknown or missing tag is an error naming the property and the allowed values),
/// and serializing writes the member with the tag of its variant, so a value always reads back
/// as the variant it was. `serde(untagged)` stays for the schemars derive only (as `anyOf`).
/// Returns the impls; leaves the enum alone when its variants are not the members.
fn discriminate(e: &mut syn::ItemEnum, d: &crate::ir::models::Discriminator) -> Vec<Item> {
    // typify's enum, as its type space describes it: one variant per member.
    let written = e.variants.len() == d.enum_variants.len() && e.variants.iter().zip(&d.enum_variants).all(|(v, ev)| v.ident == ev.variant);
    if d.enum_variants.is_empty() || !written {
        return Vec::new();
    }
    let arms: Vec<(syn::Ident, &str, &[String])> =
        d.enum_variants.iter().map(|v| (format_ident!("{}", v.variant), v.model.as_str(), v.tags.as_slice())).collect();
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
        .map(|(_, model, tags)| format!("{} -> [`{model}`]", tags.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")))
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

/// The fields of a struct by wire name (the last declared wins: the flattened `extra` over a
/// property named `extra`), the order the generated impls list them in.
fn by_wire(model: &StructModel) -> BTreeMap<&str, &Field> {
    model.fields.iter().map(|f| (f.wire.as_str(), f)).collect()
}

fn field_ident(f: &Field) -> syn::Ident {
    format_ident!("{}", f.name)
}

/// Removes the derive of trait `name` (by its last path segment); true when there was one.
pub(super) fn remove_derive(attrs: &mut [syn::Attribute], name: &str) -> bool {
    let mut removed = false;
    for attr in attrs.iter_mut() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(list) = attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated) else {
            continue;
        };
        let kept: Vec<&syn::Path> = list.iter().filter(|p| p.segments.last().is_none_or(|s| s.ident != name)).collect();
        removed |= kept.len() < list.len();
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
    removed
}

/// `impl Debug` that prints `<redacted>` for secret fields.
fn redacted_debug(name: &str, fields: &BTreeMap<&str, &Field>, rules: &StructRules) -> Item {
    let ident = format_ident!("{}", name);
    let entries = fields.iter().map(|(wire, f)| {
        let fi = field_ident(f);
        let label = f.name.trim_start_matches("r#").to_string();
        if rules.property(wire).is_some_and(|p| p.secret) {
            if f.optional() {
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

/// `impl Validate for X`: every rule, every conditional requirement, and nested strict structs.
fn validate_impl(name: &str, model: &StructModel, fields: &BTreeMap<&str, &Field>, rules: &StructRules, strict: &BTreeSet<String>) -> Item {
    let ident = format_ident!("{}", name);
    let mut checks: Vec<TokenStream> = Vec::new();
    for property in &rules.properties {
        let Some(field) = model.field(&property.wire) else { continue };
        for (target, constraint) in property.constraints.iter() {
            if let Some(check) = constraint_check(target, constraint, field, model) {
                checks.push(check);
            }
        }
    }
    for cond in &rules.conditionals {
        let Some(when) = model.field(&cond.when) else { continue };
        let when_ident = field_ident(when);
        let expected = serde_json::to_string(&cond.equals).unwrap_or_default();
        let shown = cond.equals.to_string();
        for req in &cond.required {
            let Some(target) = model.field(req) else { continue };
            if !target.optional() {
                continue;
            }
            let ti = field_ident(target);
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
            let fi = field_ident(field);
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
fn nested_strict(ty: &TypeRef, strict: &BTreeSet<String>) -> bool {
    let mut t = ty;
    for _ in 0..3 {
        if let TypeRef::Option(inner) | TypeRef::Vec(inner) | TypeRef::Box(inner) = t {
            t = inner;
        }
    }
    t.model().is_some_and(|n| strict.contains(n))
}

/// The value of a field as an `Option<&T>`: `None` when absent (or `null`, for a three-state
/// field): constraints apply to values only.
fn value_of(field: &Field) -> TokenStream {
    let fi = field_ident(field);
    if field.three_state {
        quote!(self.#fi.as_ref().and_then(::std::option::Option::as_ref))
    } else if field.optional() {
        quote!(self.#fi.as_ref())
    } else {
        quote!(::std::option::Option::Some(&self.#fi))
    }
}

/// The check of one constraint on one field (on its value, or on each item).
fn constraint_check(target: Target, constraint: &Constraint, field: &Field, model: &StructModel) -> Option<TokenStream> {
    let wire = field.wire.as_str();
    let inner_ty = field.value_ty();
    // The value (or each item) as an expression named `v`, and the type that `v` has.
    let (elem_ty, over_items) = match target {
        Target::Value => (inner_ty, false),
        Target::Items => (inner_ty.vec_item()?, true),
    };
    let body = match constraint {
        Constraint::MinLength(n) if *elem_ty == TypeRef::String => quote! { crate::validation::min_length(v, #n, &p, errors); },
        Constraint::MaxLength(n) if *elem_ty == TypeRef::String => quote! { crate::validation::max_length(v, #n, &p, errors); },
        Constraint::Pattern(pat) if *elem_ty == TypeRef::String => {
            quote! {{
                static PATTERN: ::std::sync::LazyLock<::std::option::Option<::regress::Regex>> =
                    ::std::sync::LazyLock::new(|| ::regress::Regex::new(#pat).ok());
                crate::validation::pattern(v, PATTERN.as_ref(), #pat, &p, errors);
            }}
        }
        Constraint::Email if *elem_ty == TypeRef::String => quote! { crate::validation::email(v, &p, errors); },
        Constraint::Minimum { value, exclusive } if elem_ty.is_number() => {
            quote! { crate::validation::minimum(*v as f64, #value, #exclusive, &p, errors); }
        }
        Constraint::Maximum { value, exclusive } if elem_ty.is_number() => {
            quote! { crate::validation::maximum(*v as f64, #value, #exclusive, &p, errors); }
        }
        Constraint::MinItems(n) if !over_items && elem_ty.vec_item().is_some() => {
            quote! { crate::validation::min_items(v.len(), #n, &p, errors); }
        }
        Constraint::MaxItems(n) if !over_items && elem_ty.vec_item().is_some() => {
            quote! { crate::validation::max_items(v.len(), #n, &p, errors); }
        }
        Constraint::MustEqual(other) => {
            let other_value = value_of(model.field(other)?);
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

/// serde's default of a field without a value: `#[serde(default)]` or
/// `#[serde(default = "path")]`, read by the builders and the written `Deserialize` impls
/// (`emit::deserialize`).
pub(super) enum SerdeDefault {
    /// `Default::default()`.
    Trait,
    /// The function at the path.
    Path(syn::Path),
}

impl SerdeDefault {
    /// The call that gives an unset `Option` slot this default: `unwrap_or_default()` or
    /// `unwrap_or_else(path)`, with the path seen from the models module, or from one module
    /// below it (`below_models`: the builders).
    pub(super) fn take(&self, below_models: bool) -> TokenStream {
        match self {
            Self::Trait => quote!(unwrap_or_default()),
            Self::Path(path) => {
                let relative = path.leading_colon.is_none() && path.segments.first().is_some_and(|s| s.ident != "crate");
                if below_models && relative {
                    quote!(unwrap_or_else(super::#path))
                } else {
                    quote!(unwrap_or_else(#path))
                }
            }
        }
    }
}

/// The serde default of `field`, if it has one.
pub(super) fn serde_default(field: &syn::Field) -> Option<SerdeDefault> {
    let mut out = None;
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                out = Some(if meta.input.peek(syn::Token![=]) {
                    SerdeDefault::Path(meta.value()?.parse::<syn::LitStr>()?.parse()?)
                } else {
                    SerdeDefault::Trait
                });
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
fn builder(name: &str, s: &ItemStruct, model: &StructModel, secret: bool) -> (Item, Vec<Item>) {
    let fields = by_wire(model);
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
        let Some((wire, field)) = fields.iter().find(|(_, x)| fi == x.name) else { continue };
        // The builder module has a type of the same name for each request model: model types
        // are spelled from the parent module.
        let inner = tokens(field.value_ty(), Place::BelowModels);
        let doc = f.attrs.iter().filter(|a| a.path().is_ident("doc")).cloned().collect::<Vec<_>>();
        let setter_name = format_ident!("{}", fi.to_string().trim_start_matches("r#"));
        let setter_name = if setter_name != crate::naming::escape_keyword(&setter_name.to_string()) { fi.clone() } else { setter_name };
        if field.three_state {
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
        if field.optional() {
            assigns.push(quote! { #fi: self.#fi });
        } else if let Some(default) = serde_default(f) {
            let take = default.take(true);
            assigns.push(quote! { #fi: self.#fi.#take });
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

/// Gives typify's struct fields the names of the field table: properties whose names sanitize
/// to the same identifier (`user_name`, `userName`, `user-name`) make typify write the same
/// field twice, and the table names the later ones (`user_name_2`). Each renamed field gets an
/// explicit serde `rename` (when it has none) so its wire name stays exact, and the struct
/// expressions of the struct's impls follow.
///
/// # Errors
///
/// A struct whose fields are not those of the table (typify's output and the type space
/// disagree: a generator bug), so that a wrong wire name never reaches the generated code.
fn apply_field_names(file: &mut syn::File, models: &ModelSpace) -> Result<(), String> {
    let mut renamed: BTreeMap<String, Vec<(String, usize, syn::Ident)>> = BTreeMap::new();
    // typify may write two types of one name (a bug of its naming: the crate then does not
    // compile, and no emitter can fix it); the table holds one of them, so a struct of such a
    // name that does not fit it keeps typify's fields, numbered by name like a struct variant.
    let mut defined: BTreeMap<String, usize> = BTreeMap::new();
    for item in &file.items {
        if let Item::Struct(s) = item {
            *defined.entry(s.ident.to_string()).or_default() += 1;
        }
    }
    for item in &mut file.items {
        match item {
            Item::Struct(s) => {
                let Fields::Named(named) = &mut s.fields else { continue };
                let name = s.ident.to_string();
                let table: &[Field] = models.structs.get(&name).map_or(&[], |m| &m.fields);
                let fits = table.len() == named.named.len()
                    && named.named.iter().zip(table).all(|(f, field)| check_field(&name, f, field).is_ok());
                if !fits && defined.get(&name).copied().unwrap_or(0) > 1 {
                    let list = dedupe_variant_fields(named);
                    renamed.entry(name).or_default().extend(list);
                    continue;
                }
                if table.len() != named.named.len() {
                    return Err(format!("typify wrote {} fields for `{name}`, the field table has {}", named.named.len(), table.len()));
                }
                let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
                for (f, field) in named.named.iter_mut().zip(table) {
                    check_field(&name, f, field)?;
                    let count = seen.entry(field.typify_name.as_str()).or_insert(0);
                    *count += 1;
                    if field.name == field.typify_name {
                        continue;
                    }
                    let new_ident = field_ident(field);
                    if serde_rename(f).is_none() {
                        let wire = &field.wire;
                        f.attrs.push(parse_quote!(#[serde(rename = #wire)]));
                    }
                    f.ident = Some(new_ident.clone());
                    renamed.entry(name.clone()).or_default().push((field.typify_name.clone(), *count, new_ident));
                }
            }
            // typify writes an object member of an untagged union as a struct variant, which the
            // field table does not hold: its fields of one name are numbered here.
            Item::Enum(e) => {
                for v in &mut e.variants {
                    if let Fields::Named(named) = &mut v.fields {
                        let list = dedupe_variant_fields(named);
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
        return Ok(());
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
    Ok(())
}

/// Checks one field typify wrote against the table: same identifier, and the same wire name
/// (typify's serde `rename`, else the identifier; the flattened additional properties have
/// none).
fn check_field(owner: &str, f: &syn::Field, field: &Field) -> Result<(), String> {
    let ident = f.ident.as_ref().map(ToString::to_string).unwrap_or_default();
    let wire = serde_rename(f).unwrap_or_else(|| ident.trim_start_matches("r#").to_string());
    if ident != field.typify_name || wire != field.wire {
        return Err(format!(
            "typify wrote the field `{ident}` (`{wire}` in JSON) of `{owner}` where the field table has `{}` (`{}`)",
            field.typify_name, field.wire
        ));
    }
    Ok(())
}

/// Renames the n-th occurrence of a duplicated field in struct expressions.
struct FieldRenamer<'a> {
    /// Per type: `(field, n, new identifier)` of its renamed fields (see [`apply_field_names`]).
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

/// Renames the second and later fields of one name of an enum's struct variant (or of a struct
/// the table does not hold, see [`apply_field_names`]; `HTML` and `html` both become `html`) to
/// `<name>_<n>`, keeping their wire names, as the field table does for structs; returns
/// `(name, n, new identifier)` per renamed field.
fn dedupe_variant_fields(named: &mut syn::FieldsNamed) -> Vec<(String, usize, syn::Ident)> {
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
        let new_ident = format_ident!("{}", crate::naming::numbered_field(&key, *count, &mut taken));
        if serde_rename(f).is_none() {
            let wire = key.trim_start_matches("r#").to_string();
            f.attrs.push(parse_quote!(#[serde(rename = #wire)]));
        }
        f.ident = Some(new_ident.clone());
        out.push((key, *count, new_ident));
    }
    out
}

/// Drops `skip_serializing_if` from the optional fields that may be `null`, so that `None`
/// serializes as the documented `null`.
fn keep_nulls(s: &mut ItemStruct, model: &StructModel, rules: &StructRules) {
    let idents: BTreeSet<&str> = rules
        .properties
        .iter()
        .filter(|p| p.keeps_null)
        .filter_map(|p| model.field(&p.wire))
        .filter(|f| f.optional())
        .map(|f| f.name.as_str())
        .collect();
    let Fields::Named(named) = &mut s.fields else { return };
    for f in &mut named.named {
        if !f.ident.as_ref().is_some_and(|i| idents.contains(i.to_string().as_str())) {
            continue;
        }
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
        // A missing `Option` field is `None` for serde's derive; no `default` is needed.
        f.attrs.retain(|a| !(a.path().is_ident("serde") && quote!(#a).to_string() == "# [serde ()]"));
    }
}

/// The `deserialize_with` of three-state fields, which the written `Deserialize` impls read with
/// `apigen_runtime::de::next_nullable` instead (`emit::deserialize`).
pub(super) const NULLABLE: &str = "::apigen_runtime::nullable::deserialize";

/// Makes the three-state fields (see `ir::models::Field::three_state`) `Option<Option<T>>`:
/// absent when `None` (left out of the JSON), `null` when `Some(None)`, a value when
/// `Some(Some(v))`, so that a PATCH can say "leave unchanged" and "clear" apart (see
/// `apigen_runtime::nullable`).
fn three_state(s: &mut ItemStruct, model: &StructModel) {
    let idents: BTreeSet<&str> = model.fields.iter().filter(|f| f.three_state).map(|f| f.name.as_str()).collect();
    let Fields::Named(named) = &mut s.fields else { return };
    for f in &mut named.named {
        if !f.ident.as_ref().is_some_and(|i| idents.contains(i.to_string().as_str())) {
            continue;
        }
        let ty = f.ty.clone();
        f.ty = parse_quote!(::std::option::Option<#ty>);
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
            #[serde(#(#kept,)* default, skip_serializing_if = "::std::option::Option::is_none", deserialize_with = #NULLABLE)]
        });
    }
}

/// An untagged union of scalars (an id that is an integer or a string, a value that is a number
/// or a boolean) compares with `==` and reads as each of its kinds: `PartialEq` is derived and
/// `as_i64()`, `as_f64()`, `as_str()`, `as_bool()` give the value when it is of that kind
/// (one accessor per kind that exactly one variant holds). Returns the accessors' impl.
fn scalar_union(e: &mut syn::ItemEnum) -> Option<Item> {
    let untagged = e.attrs.iter().any(|a| a.path().is_ident("serde") && quote!(#a).to_string().contains("untagged"));
    if !untagged || e.variants.is_empty() || !e.generics.params.is_empty() {
        return None;
    }
    let mut kinds: Vec<(syn::Ident, &'static str)> = Vec::new();
    for v in &e.variants {
        let Fields::Unnamed(f) = &v.fields else { return None };
        let [field] = f.unnamed.iter().collect::<Vec<_>>()[..] else { return None };
        let syn::Type::Path(p) = &field.ty else { return None };
        let kind = match p.path.segments.last()?.ident.to_string().as_str() {
            "String" => "str",
            "bool" => "bool",
            "f64" | "f32" => "f64",
            "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" => "i64",
            "u64" => "u64",
            _ => return None,
        };
        kinds.push((v.ident.clone(), kind));
    }
    let derives_eq = e.attrs.iter().any(|a| a.path().is_ident("derive") && quote!(#a).to_string().contains("PartialEq"));
    if !derives_eq {
        // Into typify's own derive list (`Clone, Debug`), else as a derive of its own.
        let list = e.attrs.iter_mut().find(|a| a.path().is_ident("derive") && quote!(#a).to_string().contains("Clone"));
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

/// Gives typify's doc comments the leading space rustdoc and readers expect (`/// Text`).
struct DocSpacer;

/// Drops a doc comment that is only empty lines (a schema whose description is `""`): it says
/// nothing, and clippy refuses it (`empty_docs`).
struct EmptyDocs;

fn drop_empty_docs(attrs: &mut Vec<syn::Attribute>) {
    let empty = |a: &syn::Attribute| match &a.meta {
        syn::Meta::NameValue(nv) => {
            matches!(&nv.value, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if s.value().trim().is_empty())
        }
        _ => false,
    };
    let docs: Vec<&syn::Attribute> = attrs.iter().filter(|a| a.path().is_ident("doc")).collect();
    if !docs.is_empty() && docs.iter().all(|a| empty(a)) {
        attrs.retain(|a| !a.path().is_ident("doc"));
    }
}

impl syn::visit_mut::VisitMut for EmptyDocs {
    fn visit_item_struct_mut(&mut self, i: &mut syn::ItemStruct) {
        drop_empty_docs(&mut i.attrs);
        syn::visit_mut::visit_item_struct_mut(self, i);
    }
    fn visit_item_enum_mut(&mut self, i: &mut syn::ItemEnum) {
        drop_empty_docs(&mut i.attrs);
        syn::visit_mut::visit_item_enum_mut(self, i);
    }
    fn visit_field_mut(&mut self, i: &mut syn::Field) {
        drop_empty_docs(&mut i.attrs);
        syn::visit_mut::visit_field_mut(self, i);
    }
    fn visit_variant_mut(&mut self, i: &mut syn::Variant) {
        drop_empty_docs(&mut i.attrs);
        syn::visit_mut::visit_variant_mut(self, i);
    }
    fn visit_impl_item_fn_mut(&mut self, i: &mut syn::ImplItemFn) {
        drop_empty_docs(&mut i.attrs);
        syn::visit_mut::visit_impl_item_fn_mut(self, i);
    }
}

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

/// The struct of the documented headers of response `r` (`<Op><Status>Headers`), one type for
/// client and server: the client reads it from a response with `FromHeaders` (a required
/// header that is missing, or a header that is not of its type, makes the response
/// `Error::InvalidBody`), the server writes it into its answer with `ToHeaders` (required
/// headers are plain fields, the others `Option`s: `None` sends nothing).
fn headers_struct(api: &ApiSpace, r: &crate::ir::Response) -> Vec<Item> {
    let Some(name) = &r.headers_type else { return Vec::new() };
    let name = format_ident!("{}", name);
    let mut fields = Vec::new();
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for h in &r.headers {
        let f = match h.rust_name.strip_prefix("r#") {
            Some(raw) => syn::Ident::new_raw(raw, proc_macro2::Span::call_site()),
            None => format_ident!("{}", h.rust_name),
        };
        let t = tokens(&h.ty, Place::Crate);
        let mut doc = format!("`{}`", h.name);
        if let Some(d) = &h.description {
            doc.push_str(&format!(": {d}"));
        }
        let doc = super::doc_attrs(&doc);
        let n = &h.name;
        if h.required {
            fields.push(quote! { #doc pub #f: #t });
            reads.push(quote! { #f: ::apigen_runtime::header::require(headers, #n)? });
        } else {
            fields.push(quote! { #doc pub #f: ::std::option::Option<#t> });
            reads.push(quote! { #f: ::apigen_runtime::header::get(headers, #n)? });
        }
        writes.push(quote! { ::apigen_runtime::header::set(headers, #n, &self.#f)?; });
    }
    let status = r.status.key();
    let doc = super::doc_attrs(&format!("The documented headers of the {status} response (read by the client, sent by the server)."));
    let mut out: Vec<Item> = vec![parse_quote! {
        #doc
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct #name { #(#fields,)* }
    }];
    if api.parts.client {
        out.push(parse_quote! {
            #[cfg(feature = "client")]
            impl ::apigen_runtime::header::FromHeaders for #name {
                fn from_headers(headers: &::apigen_runtime::header::HeaderMap) -> ::std::result::Result<Self, ::apigen_runtime::header::HeaderError> {
                    Ok(Self { #(#reads,)* })
                }
            }
        });
    }
    if api.parts.server || api.parts.mock {
        out.push(parse_quote! {
            #[cfg(feature = "server")]
            impl ::apigen_runtime::header::ToHeaders for #name {
                fn to_headers(&self, headers: &mut ::apigen_runtime::header::HeaderMap) -> ::std::result::Result<(), ::apigen_runtime::header::HeaderError> {
                    #(#writes)*
                    Ok(())
                }
            }
        });
    }
    out
}

/// Gives enums the variant names of `models.enum_names` (decided in lowering by `naming`):
/// an untagged union's variants (only when typify wrote it untagged: elsewhere a variant's name
/// may be its wire name), a string enum's variants by wire value (keeping the value with a serde
/// `rename`), and every path to a renamed variant (`E::Old`, and `Self::Old` in `E`'s impls);
/// an integer enum gets its named values as associated constants.
fn apply_enum_names(file: &mut syn::File, models: &ModelSpace) {
    let mut renames: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut constants = Vec::new();
    for item in &mut file.items {
        match item {
            Item::Enum(e) => {
                let Some(names) = models.enum_names.get(&e.ident.to_string()) else { continue };
                let untagged = e.attrs.iter().any(|a| a.path().is_ident("serde") && quote!(#a).to_string().contains("untagged"));
                let mut map = BTreeMap::new();
                for v in &mut e.variants {
                    let old = v.ident.to_string();
                    let new = if matches!(v.fields, Fields::Unit) {
                        let wire = serde_rename_of(&v.attrs).unwrap_or_else(|| old.clone());
                        let Some((_, new)) = names.values.iter().find(|(value, _)| *value == wire) else { continue };
                        if serde_rename_of(&v.attrs).is_none() {
                            v.attrs.push(parse_quote!(#[serde(rename = #wire)]));
                        }
                        new.clone()
                    } else if untagged {
                        let Some((_, new)) = names.variants.iter().find(|(typify, _)| *typify == old) else { continue };
                        new.clone()
                    } else {
                        continue;
                    };
                    v.ident = format_ident!("{}", new);
                    map.insert(old, new);
                }
                if !map.is_empty() {
                    renames.insert(e.ident.to_string(), map);
                }
            }
            Item::Struct(s) if matches!(s.fields, Fields::Unnamed(_)) => {
                let Some(names) = models.enum_names.get(&s.ident.to_string()) else { continue };
                if names.constants.is_empty() {
                    continue;
                }
                let ty = &s.ident;
                let consts = names.constants.iter().map(|(name, value)| {
                    let c = format_ident!("{}", name);
                    let value = proc_macro2::Literal::i64_unsuffixed(*value);
                    let doc = format!(" `{value}`, named by the spec's `x-enum-varnames`.");
                    quote! { #[doc = #doc] pub const #c: Self = Self(#value); }
                });
                constants.push(parse_quote! { impl #ty { #(#consts)* } });
            }
            _ => {}
        }
    }
    file.items.extend(constants);
    if !renames.is_empty() {
        syn::visit_mut::VisitMut::visit_file_mut(&mut VariantPaths { renames: &renames, current: None }, file);
    }
}

/// Renames the paths to renamed variants: `E::Old` anywhere, `Self::Old` inside `E`'s impls.
struct VariantPaths<'a> {
    renames: &'a BTreeMap<String, BTreeMap<String, String>>,
    /// The enum whose impl is being visited.
    current: Option<String>,
}

impl syn::visit_mut::VisitMut for VariantPaths<'_> {
    fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
        let outer = self.current.take();
        if let syn::Type::Path(p) = &*i.self_ty {
            self.current = p.path.segments.last().map(|s| s.ident.to_string());
        }
        syn::visit_mut::visit_item_impl_mut(self, i);
        self.current = outer;
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let n = path.segments.len();
        for i in 1..n {
            let owner = path.segments[i - 1].ident.to_string();
            let owner = if owner == "Self" { self.current.clone() } else { Some(owner) };
            let Some(map) = owner.and_then(|o| self.renames.get(&o)) else { continue };
            if let Some(new) = map.get(&path.segments[i].ident.to_string()) {
                path.segments[i].ident = format_ident!("{}", new);
            }
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// Whether rustc's `non_camel_case_types` accepts `ident` as a type or variant name: no lowercase
/// first letter and no `_` (rustc allows some, but a name of ours never needs one).
fn is_upper_camel(ident: &str) -> bool {
    !ident.starts_with(|c: char| c.is_lowercase()) && !ident.contains('_')
}

/// typify names enum variants after their values and special-cases a few into names that are
/// not camel case (`-1` -> `minus1`, `+1` -> `plus1`, `Self` -> `Self_`), which warn. Such a
/// variant gets its camel-case name (`Minus1`, `SelfType`; numbered apart from the enum's other
/// variants), keeps its wire name (`serde(rename)` with the old one, if typify wrote none), and
/// every path to it (`Self::minus1` in the enum's impls, `Name::minus1` anywhere) follows.
fn camel_case_variants(file: &mut syn::File) {
    let mut renames: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for item in &mut file.items {
        let Item::Enum(e) = item else { continue };
        let mut taken: BTreeSet<String> = e.variants.iter().map(|v| v.ident.to_string()).collect();
        for v in &mut e.variants {
            let old = v.ident.to_string();
            if is_upper_camel(&old) {
                continue;
            }
            let new = crate::naming::unique_ident_from(crate::naming::pascal_case(&old), &mut taken);
            let renamed = v.attrs.iter().any(|a| a.path().is_ident("serde") && a.meta.to_token_stream().to_string().contains("rename"));
            if !renamed {
                v.attrs.push(parse_quote!(#[serde(rename = #old)]));
            }
            v.ident = format_ident!("{new}");
            renames.entry(e.ident.to_string()).or_default().insert(old, new);
        }
    }
    if !renames.is_empty() {
        syn::visit_mut::VisitMut::visit_file_mut(&mut VariantPaths { renames: &renames, current: None }, file);
    }
}
