//! Parameters in the generated client and server: per parameter a `Param` of the runtime's
//! `params` module (location, style, explode, allowReserved, the [`ParamShape`] of its schema),
//! which the client writes the value with (`client::Request::param`, through `Serialize`) and
//! the server reads it with (`Incoming::parameter`, through `Deserialize`). Every value kind
//! travels the same way: scalars, arrays, objects, nullable values, bytes and unions.
//!
//! Both pass it inline, the client to its request builder and the server to its request reader
//! (no item per parameter for rustc to check); the client leaves out the names of the sibling
//! parameters, which only reading a request uses.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{ParamKind, ParamLocation, ParamShape, ParamStyle, Parameter};

/// The `Param` expression of parameter `p`, naming the runtime's items under `module` (its
/// `params` module, or the client's and the server's re-exports), with the sibling parameters'
/// names or without.
pub fn param_expr(p: &Parameter, module: &TokenStream, with_siblings: bool) -> TokenStream {
    let name = &p.name;
    let location = match p.location {
        ParamLocation::Path => quote!(Path),
        ParamLocation::Query => quote!(Query),
        ParamLocation::Header => quote!(Header),
        ParamLocation::Cookie => quote!(Cookie),
    };
    let shape = shape(&p.codec.shape, module);
    let style = match p.codec.style {
        ParamStyle::Simple => quote!(Simple),
        ParamStyle::Label => quote!(Label),
        ParamStyle::Matrix => quote!(Matrix),
        ParamStyle::Form => quote!(Form),
        ParamStyle::SpaceDelimited => quote!(SpaceDelimited),
        ParamStyle::PipeDelimited => quote!(PipeDelimited),
        ParamStyle::DeepObject => quote!(DeepObject),
    };
    let explode = p.codec.explode;
    // `with_style` brings the style's default explode; only what differs is written.
    let style = (p.codec.style != ParamStyle::default_for(p.location)).then(|| quote!(.with_style(#module::Style::#style)));
    let explode = (explode != p.codec.style.default_explode()).then(|| quote!(.with_explode(#explode)));
    let reserved = p.codec.allow_reserved.then(|| quote!(.with_allow_reserved(true)));
    let siblings = &p.codec.siblings;
    let siblings = (with_siblings && !siblings.is_empty()).then(|| quote!(.with_siblings(&[#(#siblings),*])));
    quote! {
        #module::Param::new(#module::Location::#location, #name, &#shape)
            #style
            #explode
            #reserved
            #siblings
    }
}

/// A `Shape` expression.
fn shape(s: &ParamShape, module: &TokenStream) -> TokenStream {
    let named = match s.kinds.as_slice() {
        [] => Some(quote!(ANY)),
        [ParamKind::String] => Some(quote!(STRING)),
        [ParamKind::Integer] => Some(quote!(INTEGER)),
        [ParamKind::Number] => Some(quote!(NUMBER)),
        [ParamKind::Boolean] => Some(quote!(BOOLEAN)),
        [ParamKind::String, ParamKind::Byte] => Some(quote!(BYTE)),
        [ParamKind::Binary] => Some(quote!(BINARY)),
        _ => None,
    };
    let mut out = match named {
        Some(named) => quote!(#module::Shape::#named),
        None => {
            let kinds = kinds(&s.kinds, module);
            quote!(#module::Shape::scalar(#kinds))
        }
    };
    if let Some(items) = &s.items {
        let items = shape(items, module);
        out = quote!(#module::Shape { items: ::std::option::Option::Some(&#items), ..#out });
    }
    if !s.properties.is_empty() {
        let properties = s.properties.iter().map(|(name, property)| {
            let property = shape(property, module);
            quote!((#name, #property))
        });
        out = quote!(#module::Shape { properties: &[#(#properties),*], ..#out });
    }
    if let Some(additional) = &s.additional {
        let additional = shape(additional, module);
        out = quote!(#out.with_additional(&#additional));
    }
    out
}

/// A `Kinds` expression; no kinds is any scalar.
fn kinds(kinds: &[ParamKind], module: &TokenStream) -> TokenStream {
    let name = |k: &ParamKind| match k {
        ParamKind::Null => format_ident!("NULL"),
        ParamKind::Boolean => format_ident!("BOOLEAN"),
        ParamKind::Integer => format_ident!("INTEGER"),
        ParamKind::Number => format_ident!("NUMBER"),
        ParamKind::String => format_ident!("STRING"),
        ParamKind::Byte => format_ident!("BYTE"),
        ParamKind::Binary => format_ident!("BINARY"),
        ParamKind::Array => format_ident!("ARRAY"),
        ParamKind::Object => format_ident!("OBJECT"),
    };
    match kinds.split_first() {
        None => quote!(#module::Kinds::ANY_SCALAR),
        Some((first, rest)) => {
            let first = name(first);
            let rest = rest.iter().map(name);
            quote!(#module::Kinds::#first #(.with(#module::Kinds::#rest))*)
        }
    }
}

/// Client: a statement that writes `value` (a reference to a value of the parameter's type)
/// where `p` travels, through the runtime's request builder `request` (`client::Request`):
/// path segments are bound to `path_<name>` (to be joined in the path's order), query pairs,
/// cookies and headers are written on `request`. A `content` parameter is written as its JSON
/// text.
pub fn client_write(p: &Parameter, position: usize, value: TokenStream) -> TokenStream {
    let param = param_expr(p, &quote!(rt), false);
    let json = p.codec.json_text;
    match p.location {
        ParamLocation::Path => {
            let bound = path_ident(p, position);
            let write = if json { quote!(path_param_json) } else { quote!(path_param) };
            quote! { let #bound = request.#write(&#param, #value); }
        }
        ParamLocation::Query | ParamLocation::Cookie | ParamLocation::Header => {
            let write = if json { quote!(param_json) } else { quote!(param) };
            quote! { request.#write(&#param, #value); }
        }
    }
}

/// Client: the local holding the encoded text of path parameter `p` (`path_user_id`; `path2`,
/// by its position, for a name that starts with `_`, which would make a non-snake-case `__`).
pub fn path_ident(p: &Parameter, position: usize) -> syn::Ident {
    let name = p.rust_name.trim_start_matches("r#");
    if name.starts_with('_') {
        format_ident!("path{position}")
    } else {
        format_ident!("path_{name}")
    }
}

/// Server: `let <field> = rq.parameter::<T>(&rt::Param::new(..), "<template>", required);` (a `content`
/// parameter is read as text and parsed as JSON).
pub fn server_read(p: &Parameter, field: &syn::Ident, ty: &impl quote::ToTokens, template: &str) -> TokenStream {
    let param = param_expr(p, &quote!(rt), true);
    let required = p.required;
    if p.codec.json_text {
        quote! { let #field = rq.json_parameter::<#ty>(&#param, #template, #required); }
    } else {
        quote! { let #field = rq.parameter::<#ty>(&#param, #template, #required); }
    }
}
