//! Written `serde::Deserialize` impls for the models' plain structs, in place of serde's
//! derive (unless `TypeSettings::serde_derive` keeps it).
//!
//! serde's derive writes, per struct, a field enum with its own `Deserialize` impl and visitor
//! (`visit_u64`, `visit_str`, `visit_bytes`), a `visit_seq` that reads the struct from an array
//! of its fields, a `visit_map`, and a wrapper type per `deserialize_with` field. On a document
//! of 200 models that is most of what rustc checks in the crate. The written impl keeps only
//! `visit_map`, a loop over the keys with one line per field; the key lookup, the duplicate and
//! missing checks and the three-state reads are generic functions of the runtime
//! (`apigen_runtime::de`), checked once. For a JSON object it gives the same value or the same
//! error message as the derive; it does not read a struct from an array, which no JSON Schema
//! `object` allows.
//!
//! The impl's own names are serde's (`__D`, `__A`, `__Visitor`, `__FIELDS`): its field types
//! name models unqualified, and a model may be called `D`, `A` or `Visitor`
//! (`tests/fixtures/hostile-names`); no model name starts with underscores.
//!
//! Only structs whose serde attributes are all understood here are written: named fields, no
//! generics, at most `deny_unknown_fields` on the struct, and per field `rename`, `default`,
//! `default = "path"`, `skip_serializing_if` and the runtime's three-state
//! `deserialize_with` (with a default). Any other struct (`flatten`, an alias, another `deserialize_with`)
//! keeps the derive, which stays correct for whatever typify writes.

use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{Fields, Item, ItemStruct};

use super::models::{remove_derive, serde_default, SerdeDefault, NULLABLE};
use crate::naming::serde_rename;

/// How a field's value is read and what an absent one becomes.
struct FieldPlan {
    ident: syn::Ident,
    ty: syn::Type,
    wire: String,
    /// Read with `apigen_runtime::de::next_nullable` (`Option<Option<T>>`, `null` is
    /// `Some(None)`).
    nullable: bool,
    /// `None`: `apigen_runtime::de::required`, the type's reading of a missing value.
    default: Option<SerdeDefault>,
}

/// Replaces the `Deserialize` derive of every top-level struct it can write an impl for by
/// that impl, placed right after the struct.
pub fn write_impls(file: &mut syn::File) {
    let items = std::mem::take(&mut file.items);
    for mut item in items {
        let written = match &mut item {
            Item::Struct(s) => match plan(s) {
                Some((deny_unknown, fields)) if remove_derive(&mut s.attrs, "Deserialize") => {
                    Some(impl_for(&s.ident, deny_unknown, &fields))
                }
                _ => None,
            },
            _ => None,
        };
        file.items.push(item);
        file.items.extend(written);
    }
}

/// The struct's `deny_unknown_fields` and its fields' plans; `None` when some attribute is one
/// this module does not write (the derive then stays).
fn plan(s: &ItemStruct) -> Option<(bool, Vec<FieldPlan>)> {
    if !s.generics.params.is_empty() {
        return None;
    }
    let Fields::Named(named) = &s.fields else { return None };
    let mut deny_unknown = false;
    for attr in s.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deny_unknown_fields") {
                deny_unknown = true;
                Ok(())
            } else {
                Err(meta.error("not written"))
            }
        })
        .ok()?;
    }
    let fields = named.named.iter().map(field_plan).collect::<Option<Vec<_>>>()?;
    Some((deny_unknown, fields))
}

/// The plan of field `f`: its wire name and default as serde reads them (`rename`, `default`),
/// whether it is three-state; `None` for an attribute this module does not write.
fn field_plan(f: &syn::Field) -> Option<FieldPlan> {
    let ident = f.ident.clone()?;
    let mut nullable = false;
    for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") && !meta.input.peek(syn::Token![=]) {
                return Ok(());
            }
            if !["rename", "default", "skip_serializing_if", "deserialize_with"].iter().any(|k| meta.path.is_ident(k)) {
                return Err(meta.error("not written"));
            }
            let value = meta.value()?.parse::<syn::LitStr>()?;
            if meta.path.is_ident("deserialize_with") {
                if value.value() != NULLABLE {
                    return Err(meta.error("not written"));
                }
                nullable = true;
            }
            Ok(())
        })
        .ok()?;
    }
    let default = serde_default(f);
    // The three-state fields always have a default (`emit::models::three_state`); without one
    // serde's derive reports them missing, which `required` would not.
    if nullable && default.is_none() {
        return None;
    }
    let wire = serde_rename(f).unwrap_or_else(|| ident.unraw().to_string());
    Some(FieldPlan { ident, ty: f.ty.clone(), wire, nullable, default })
}

fn impl_for(name: &syn::Ident, deny_unknown: bool, fields: &[FieldPlan]) -> Item {
    let rt = quote!(::apigen_runtime::de);
    let expecting = format!("struct {name}");
    let name_text = name.to_string();
    let wires: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();
    let slots: Vec<syn::Ident> = (0..fields.len()).map(|i| format_ident!("f{i}")).collect();
    let tys = fields.iter().map(|f| &f.ty);
    let arms = fields.iter().zip(&slots).enumerate().map(|(i, (f, slot))| {
        let wire = &f.wire;
        let read = if f.nullable { quote!(next_nullable) } else { quote!(next_value) };
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        quote!(#i => #rt::#read(&mut map, &mut #slot, #wire)?,)
    });
    let values = fields.iter().zip(&slots).map(|(f, slot)| {
        let (ident, wire) = (&f.ident, &f.wire);
        let value = match &f.default {
            Some(default) => {
                let take = default.take(false);
                quote!(#slot.#take)
            }
            None => quote!(#rt::required(#slot, #wire)?),
        };
        quote!(#ident: #value)
    });
    let read_keys = if fields.is_empty() {
        quote! {
            while map.next_key_seed(__FIELDS)?.is_some() {
                #rt::skip_value(&mut map)?;
            }
        }
    } else {
        quote! {
            while let ::std::option::Option::Some(key) = map.next_key_seed(__FIELDS)? {
                match key {
                    #(#arms)*
                    _ => #rt::skip_value(&mut map)?,
                }
            }
        }
    };
    syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                const __FIELDS: #rt::Fields = #rt::Fields::new(&[#(#wires),*], #deny_unknown);
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<__A: ::serde::de::MapAccess<'de>>(self, mut map: __A) -> ::std::result::Result<#name, __A::Error> {
                        #(let mut #slots: ::std::option::Option<#tys> = ::std::option::Option::None;)*
                        #read_keys
                        ::std::result::Result::Ok(#name { #(#values),* })
                    }
                }
                deserializer.deserialize_struct(#name_text, __FIELDS.names(), __Visitor)
            }
        }
    }
}
