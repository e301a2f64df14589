//! The one place where an IR type ([`TypeRef`]) becomes Rust tokens: the paths every generated
//! file spells types with (`::std::vec::Vec<crate::models::User>`, as typify spells its own).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::types::TypeRef;

/// How the models of the `models` module are named, which depends on where the type is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Anywhere in the crate: `crate::models::User`.
    Crate,
    /// In a module directly below `models` (the builders): `super::User`.
    BelowModels,
    /// In the README's examples, which import the module: `models::User`, and `Vec<T>` for
    /// `::std::vec::Vec<T>`.
    Readme,
}

/// The tokens of `ty`, written at `place`.
pub fn tokens(ty: &TypeRef, place: Place) -> TokenStream {
    let inner = |t: &TypeRef| tokens(t, place);
    match ty {
        TypeRef::Named(name) => {
            let name = format_ident!("{}", name);
            match place {
                Place::Crate => quote!(crate::models::#name),
                Place::BelowModels => quote!(super::#name),
                Place::Readme => quote!(models::#name),
            }
        }
        TypeRef::String => quote!(::std::string::String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I8 => quote!(i8),
        TypeRef::I16 => quote!(i16),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::U8 => quote!(u8),
        TypeRef::U16 => quote!(u16),
        TypeRef::U32 => quote!(u32),
        TypeRef::U64 => quote!(u64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::Bytes => vec(quote!(u8), place),
        TypeRef::Binary => quote!(::apigen_runtime::Binary),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::JsonObject => quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>),
        TypeRef::Unit => quote!(()),
        TypeRef::Vec(t) => vec(inner(t), place),
        TypeRef::Option(t) => {
            let t = inner(t);
            quote!(::std::option::Option<#t>)
        }
        TypeRef::Box(t) => {
            let t = inner(t);
            quote!(::std::boxed::Box<#t>)
        }
        TypeRef::Map(k, v) => {
            let (k, v) = (inner(k), inner(v));
            quote!(::std::collections::HashMap<#k, #v>)
        }
        TypeRef::Tuple(items) => {
            let items: Vec<TokenStream> = items.iter().map(inner).collect();
            if items.len() == 1 {
                quote!((#(#items,)*))
            } else {
                quote!((#(#items),*))
            }
        }
        TypeRef::Array(t, len) => {
            let t = inner(t);
            quote!([#t; #len])
        }
        TypeRef::Foreign(segments) => {
            let parts = segments.iter().map(|s| {
                let name = format_ident!("{}", s.name);
                if s.args.is_empty() {
                    quote!(#name)
                } else {
                    let args = s.args.iter().map(inner);
                    quote!(#name<#(#args),*>)
                }
            });
            // A path into the user's crate starts at `crate`, every other at a crate name.
            if segments.first().is_some_and(|s| s.name == "crate") {
                let mut parts = parts;
                let first = parts.next();
                quote!(#first #(:: #parts)*)
            } else {
                quote!(#(:: #parts)*)
            }
        }
    }
}

fn vec(item: TokenStream, place: Place) -> TokenStream {
    match place {
        Place::Readme => quote!(Vec<#item>),
        _ => quote!(::std::vec::Vec<#item>),
    }
}

/// `ty` as compact text (no whitespace): `Vec<models::User>` for the README.
pub fn text(ty: &TypeRef, place: Place) -> String {
    tokens(ty, place).to_string().chars().filter(|c| !c.is_whitespace()).collect()
}

impl quote::ToTokens for TypeRef {
    /// The type as written anywhere in the crate ([`Place::Crate`]).
    fn to_tokens(&self, out: &mut TokenStream) {
        out.extend(tokens(self, Place::Crate));
    }
}
