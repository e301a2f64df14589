//! Emitters: IR -> token streams (Rust) and template contexts (everything else). Each emitter
//! reads only [`crate::ir::ApiSpace`].

pub mod client;
pub mod krate;
pub mod models;
pub mod params;
pub mod server;
pub mod types;

use proc_macro2::TokenStream;

/// Parses `tokens` as a file and pretty-prints it with prettyplease, after the `@generated`
/// header and the module docs.
///
/// # Errors
///
/// A message when the tokens are not a Rust file, which is a bug in an emitter.
pub fn render_rust(header: &str, module_doc: &str, tokens: TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("emitted Rust does not parse: {e}"))?;
    Ok(render_file(header, module_doc, &file))
}

/// Pretty-prints a parsed file with the header and module docs.
pub fn render_file(header: &str, module_doc: &str, file: &syn::File) -> String {
    let mut out = format!("// {header}\n");
    for line in module_doc.lines() {
        if line.is_empty() {
            out.push_str("//!\n");
        } else {
            out.push_str(&format!("//! {line}\n"));
        }
    }
    out.push('\n');
    out.push_str(&prettyplease::unparse(file));
    // Doc text from the spec may hold carriage returns, which Rust forbids in comments (and
    // prettyplease prints docs as `///` comments); literals are printed escaped, so a raw one
    // can only be in a comment.
    if out.contains('\r') {
        out = out.replace("\r\n", "\n").replace('\r', " ");
    }
    // Likewise a raw tab can only be in a comment; clippy (`tabs_in_doc_comments`) wants spaces.
    if out.contains('\t') {
        out = out.replace('\t', "    ");
    }
    out
}

/// `#[doc = " line"]` attributes for a text, one per line, so they print as `///`.
pub fn doc_attrs(text: &str) -> TokenStream {
    let text = crate::doc::doc_text(text);
    let lines: Vec<String> = text.trim().lines().map(|l| format!(" {}", l.trim_end())).collect();
    quote::quote! { #( #[doc = #lines] )* }
}
