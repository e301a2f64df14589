//! Documentation text from the spec, made safe for rustdoc: the one home of that rule, used by
//! lowering (the descriptions typify writes as doc comments) and by the emitters (doc comments,
//! the README).

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
