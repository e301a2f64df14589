//! Parameters in the generated client and server: per parameter a `const` of the runtime's
//! `params::Param` (location, style, explode, allowReserved, the [`ParamShape`] of its schema),
//! which the client writes the value with (`params::encode`/`encode_into`, through `Serialize`)
//! and the server reads it with (`Incoming::parameter`, through `Deserialize`). Every value kind
//! travels the same way: scalars, arrays, objects, nullable values, bytes and unions.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{ParamKind, ParamLocation, ParamShape, ParamStyle, Parameter};

/// The name of the `const` holding parameter `p`'s codec (`PARAM_USER_ID`).
pub fn const_ident(p: &Parameter) -> syn::Ident {
    format_ident!("PARAM_{}", p.rust_name.trim_start_matches("r#").to_ascii_uppercase())
}

/// `const PARAM_X: ::apigen_runtime::params::Param<'static> = ...;`
pub fn const_item(p: &Parameter) -> TokenStream {
    let ident = const_ident(p);
    let name = &p.name;
    let location = match p.location {
        ParamLocation::Path => quote!(Path),
        ParamLocation::Query => quote!(Query),
        ParamLocation::Header => quote!(Header),
        ParamLocation::Cookie => quote!(Cookie),
    };
    let shape = shape(&p.codec.shape);
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
    let style =
        (p.codec.style != ParamStyle::default_for(p.location)).then(|| quote!(.with_style(::apigen_runtime::params::Style::#style)));
    let explode = (explode != p.codec.style.default_explode()).then(|| quote!(.with_explode(#explode)));
    let reserved = p.codec.allow_reserved.then(|| quote!(.with_allow_reserved(true)));
    let siblings = &p.codec.siblings;
    let siblings = (!siblings.is_empty()).then(|| quote!(.with_siblings(&[#(#siblings),*])));
    quote! {
        const #ident: ::apigen_runtime::params::Param<'static> =
            ::apigen_runtime::params::Param::new(::apigen_runtime::params::Location::#location, #name, &#shape)
                #style
                #explode
                #reserved
                #siblings;
    }
}

/// A `params::Shape` expression.
fn shape(s: &ParamShape) -> TokenStream {
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
        Some(named) => quote!(::apigen_runtime::params::Shape::#named),
        None => {
            let kinds = kinds(&s.kinds);
            quote!(::apigen_runtime::params::Shape::scalar(#kinds))
        }
    };
    if let Some(items) = &s.items {
        let items = shape(items);
        out = quote!(::apigen_runtime::params::Shape { items: ::std::option::Option::Some(&#items), ..#out });
    }
    if !s.properties.is_empty() {
        let properties = s.properties.iter().map(|(name, property)| {
            let property = shape(property);
            quote!((#name, #property))
        });
        out = quote!(::apigen_runtime::params::Shape { properties: &[#(#properties),*], ..#out });
    }
    if let Some(additional) = &s.additional {
        let additional = shape(additional);
        out = quote!(#out.with_additional(&#additional));
    }
    out
}

/// A `params::Kinds` expression; no kinds is any scalar.
fn kinds(kinds: &[ParamKind]) -> TokenStream {
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
        None => quote!(::apigen_runtime::params::Kinds::ANY_SCALAR),
        Some((first, rest)) => {
            let first = name(first);
            let rest = rest.iter().map(name);
            quote!(::apigen_runtime::params::Kinds::#first #(.with(::apigen_runtime::params::Kinds::#rest))*)
        }
    }
}

/// The value to encode: the value itself, or its JSON text for a `content` parameter.
fn value_expr(p: &Parameter, value: &TokenStream) -> TokenStream {
    if p.codec.json_text {
        quote!(&::serde_json::to_string(#value).map_err(|e| Error::InvalidRequest(e.to_string()))?)
    } else {
        quote!(#value)
    }
}

/// Client: a statement that writes `value` (a reference to a value of the parameter's type)
/// where `p` travels: path pieces are bound to `path_<name>`, query pairs
/// appended to `query`, cookies to `cookie`, headers set on `request`.
pub fn client_write(p: &Parameter, position: usize, value: TokenStream) -> TokenStream {
    let param = const_ident(p);
    let value = value_expr(p, &value);
    let fail = quote!(.map_err(|e| Error::InvalidRequest(e.to_string()))?);
    match p.location {
        ParamLocation::Path => {
            let bound = path_ident(p, position);
            quote! { let #bound = ::apigen_runtime::params::encode(&#param, #value)#fail; }
        }
        ParamLocation::Query => quote! { ::apigen_runtime::params::encode_into(&#param, #value, &mut query)#fail; },
        ParamLocation::Cookie => quote! { ::apigen_runtime::params::encode_into(&#param, #value, &mut cookie)#fail; },
        ParamLocation::Header => {
            let name = &p.name;
            quote! { request = request.header(#name, ::apigen_runtime::params::encode(&#param, #value)#fail); }
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

/// Server: `let <field> = rq.parameter::<T>(&PARAM_X, "<template>", required);` (a `content`
/// parameter is read as text and parsed as JSON).
pub fn server_read(p: &Parameter, field: &syn::Ident, ty: &impl quote::ToTokens, template: &str) -> TokenStream {
    let param = const_ident(p);
    let required = p.required;
    if p.codec.json_text {
        quote! { let #field = rq.json_parameter::<#ty>(&#param, #template, #required); }
    } else {
        quote! { let #field = rq.parameter::<#ty>(&#param, #template, #required); }
    }
}
