//! Emitters: IR -> token streams (Rust) and template contexts (everything else). Each emitter
//! reads only [`crate::ir::ApiSpace`].

pub mod client;
pub mod krate;
pub mod models;
pub mod params;
pub mod server;

use proc_macro2::TokenStream;

/// Parses `tokens` as a file and pretty-prints it with prettyplease, after the `@generated`
/// header and the module docs.
///
/// # Errors
///
/// A message when the tokens are not a Rust file, which is a bug in an emitter.
pub fn render_rust(module_doc: &str, tokens: TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("emitted Rust does not parse: {e}"))?;
    Ok(render_file(module_doc, &file))
}

/// Pretty-prints a parsed file with the header and module docs.
pub fn render_file(module_doc: &str, file: &syn::File) -> String {
    let mut out = format!("// {}\n", crate::GENERATED_HEADER);
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

/// Text from the spec made safe as Rust documentation: rustdoc compiles every code block of a
/// doc comment as a doctest, so a code fence from the spec (in any language, or none) becomes a
/// `text` block, an indented code block becomes a fenced `text` block, and a fence left open is
/// closed. Everything else is unchanged.
pub fn doc_text(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut fence: Option<String> = None;
    let mut indented = false;
    let mut previous_blank = true;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(*m));
        if let Some(open) = &fence {
            if trimmed.starts_with(open.as_str()) && trimmed.trim_start_matches(open.as_str()).trim().is_empty() {
                fence = None;
            }
            out.push(line.to_string());
            previous_blank = false;
            continue;
        }
        let code_line = line.starts_with("    ") || line.starts_with('\t');
        if indented && !code_line && !line.trim().is_empty() {
            close_before_blanks(&mut out);
            indented = false;
        }
        if let Some(m) = marker {
            if indented {
                out.push("```".into());
                indented = false;
            }
            let width = trimmed.chars().take_while(|c| *c == m.chars().next().unwrap_or('`')).count();
            fence = Some(m.chars().next().map(|c| c.to_string().repeat(width)).unwrap_or_default());
            let indent = &line[..line.len() - trimmed.len()];
            out.push(format!("{indent}{}text", &trimmed[..width]));
        } else if code_line && (indented || previous_blank) && !line.trim().is_empty() {
            if !indented {
                out.push("```text".into());
                indented = true;
            }
            out.push(line.strip_prefix("    ").or_else(|| line.strip_prefix('\t')).unwrap_or(line).to_string());
        } else {
            out.push(line.to_string());
        }
        previous_blank = line.trim().is_empty();
    }
    if indented {
        close_before_blanks(&mut out);
    }
    if let Some(open) = fence {
        out.push(open);
    }
    out.join("\n")
}

/// Closes a fenced block before the blank lines that ended it.
fn close_before_blanks(out: &mut Vec<String>) {
    let blanks = out.iter().rev().take_while(|l| l.trim().is_empty()).count();
    out.insert(out.len() - blanks, "```".into());
}

/// `#[doc = " line"]` attributes for a text, one per line, so they print as `///`.
pub fn doc_attrs(text: &str) -> TokenStream {
    let text = doc_text(text);
    let lines: Vec<String> = text.trim().lines().map(|l| format!(" {}", l.trim_end())).collect();
    quote::quote! { #( #[doc = #lines] )* }
}

/// Parses a Rust type expression from the IR.
///
/// # Panics
///
/// Never for types the lowering produced; a parse failure is a generator bug.
pub fn ty(text: &str) -> syn::Type {
    syn::parse_str(text).unwrap_or_else(|e| panic!("the IR holds an invalid Rust type `{text}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::doc_text;

    /// Code from the spec never becomes a doctest: fences turn into `text` blocks, indented code
    /// into a fenced `text` block, an open fence is closed; prose is untouched.
    #[test]
    fn spec_code_blocks_are_text() {
        assert_eq!(doc_text("A plain line.\nAnother."), "A plain line.\nAnother.");
        assert_eq!(doc_text("```\nfn not_rust() {\n```"), "```text\nfn not_rust() {\n```");
        assert_eq!(doc_text("```rust\nlet x = 1;\n```\nafter"), "```text\nlet x = 1;\n```\nafter");
        assert_eq!(doc_text("~~~~json\n{}\n~~~~"), "~~~~text\n{}\n~~~~");
        assert_eq!(doc_text("Line one\n\n    indented code\n\nLine two"), "Line one\n\n```text\nindented code\n```\n\nLine two");
        assert_eq!(doc_text("Line one\n\n    code\n"), "Line one\n\n```text\ncode\n```");
        assert_eq!(doc_text("open ```\n```\nno close"), "open ```\n```text\nno close\n```");
        // An indented line inside a paragraph is not code.
        assert_eq!(doc_text("para\n    continued"), "para\n    continued");
    }
}
