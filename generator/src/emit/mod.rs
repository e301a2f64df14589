//! Emitters: IR -> token streams (Rust) and template contexts (everything else). Each emitter
//! reads only [`crate::ir::ApiSpace`].

pub mod client;
pub mod deserialize;
pub mod krate;
pub mod models;
pub mod params;
pub mod server;
pub mod types;

use proc_macro2::TokenStream;

/// `#[doc = " line"]` attributes for a text, one per line, so they print as `///`.
pub fn doc_attrs(text: &str) -> TokenStream {
    let text = crate::doc::doc_text(text);
    let lines: Vec<String> = text.trim().lines().map(|l| format!(" {}", l.trim_end())).collect();
    quote::quote! { #( #[doc = #lines] )* }
}
