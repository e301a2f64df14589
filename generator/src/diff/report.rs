//! Rendering a [`DiffReport`]: plain text for a terminal, Markdown for a pull-request comment,
//! JSON for tools. All three list the same changes in the same order: breaking ones first, then
//! the rest, each with its pointer, its verdict for clients and servers, and its Rust items.

use std::fmt::Write as _;

use super::rust_api::{Level, RustChange};
use super::{Change, DiffReport};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text.
    Text,
    /// GitHub-flavored Markdown.
    Markdown,
    /// JSON (`DiffReport` serialized, plus a `summary`).
    Json,
}

impl Format {
    /// Parses `text`, `markdown` (or `md`), `json`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(Self::Text),
            "markdown" | "md" => Some(Self::Markdown),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// Renders the report.
pub fn render(report: &DiffReport, format: Format) -> String {
    match format {
        Format::Json => {
            let mut value = serde_json::to_value(report).unwrap_or_default();
            if let Some(map) = value.as_object_mut() {
                map.insert("summary".into(), serde_json::to_value(report.summary()).unwrap_or_default());
                map.insert("breaks_clients".into(), report.breaks_clients().into());
                map.insert("breaks_servers".into(), report.breaks_servers().into());
            }
            crate::render_json(&value)
        }
        Format::Text => text(report),
        Format::Markdown => markdown(report),
    }
}

fn verdict(c: &Change) -> String {
    let side = |b: bool, who: &str| if b { format!("breaks {who}") } else { String::new() };
    let parts: Vec<String> = [side(c.spec.clients.is_breaking(), "clients"), side(c.spec.servers.is_breaking(), "servers")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        "compatible".into()
    } else {
        parts.join(", ")
    }
}

/// Breaking changes first, then by pointer (the report's order otherwise).
fn ordered(report: &DiffReport) -> Vec<&Change> {
    let mut v: Vec<&Change> = report.changes.iter().collect();
    v.sort_by_key(|c| !c.spec.is_breaking());
    v
}

fn headline(report: &DiffReport) -> String {
    let s = report.summary();
    let rust = match (report.rust_level, &report.rust_unavailable) {
        (Some(_), _) if report.all_rust().is_empty() => "generated Rust API: unchanged".to_string(),
        (Some(level), _) => format!("generated Rust API: {} change", level.as_str()),
        (None, Some(_)) => "generated Rust API: not compared".to_string(),
        (None, None) => String::new(),
    };
    format!("{} change(s): {} break clients, {} break servers; {rust}", s.changes, s.breaking_clients, s.breaking_servers)
}

fn rust_line(r: &RustChange) -> String {
    format!("{} ({})", r.message, r.level.as_str())
}

fn text(report: &DiffReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} -> {}", report.old, report.new);
    let _ = writeln!(out, "{}", headline(report));
    if let Some(why) = &report.rust_unavailable {
        let _ = writeln!(out, "note: {why}");
    }
    for c in ordered(report) {
        let _ = writeln!(out, "\n[{}] {}: {}", verdict(c), c.spec.kind.id(), c.spec.message);
        let _ = writeln!(
            out,
            "    at {} ({} document)",
            c.spec.pointer,
            if c.spec.document == super::spec::Document::Old { "old" } else { "new" }
        );
        if !c.spec.operations.is_empty() {
            let _ = writeln!(out, "    operations: {}", c.spec.operations.join(", "));
        }
        if report.rust_level.is_some() {
            if c.rust.is_empty() {
                let _ = writeln!(out, "    Rust: no public API change (patch)");
            } else {
                let _ = writeln!(out, "    Rust: {}", c.rust_level.as_str());
                for r in &c.rust {
                    let _ = writeln!(out, "      - {}", rust_line(r));
                }
            }
        }
    }
    if !report.other_rust.is_empty() {
        let _ = writeln!(out, "\nOther Rust API changes (no spec change above accounts for them):");
        for r in &report.other_rust {
            let _ = writeln!(out, "  - {}", rust_line(r));
        }
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(report: &DiffReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### API changes: `{}` → `{}`\n", report.old, report.new);
    let icon = |b: bool| if b { "❌ breaks" } else { "✅" };
    let _ = writeln!(out, "{}\n", headline(report));
    let _ = writeln!(
        out,
        "| | clients | servers |\n|---|---|---|\n| verdict | {} | {} |\n",
        icon(report.breaks_clients()),
        icon(report.breaks_servers())
    );
    if let Some(why) = &report.rust_unavailable {
        let _ = writeln!(out, "> {}\n", md_escape(why));
    }
    if report.changes.is_empty() {
        let _ = writeln!(out, "No changes.");
    } else {
        let _ = writeln!(out, "| change | where | clients | servers | Rust |\n|---|---|---|---|---|");
        for c in ordered(report) {
            let rust = if report.rust_level.is_none() {
                "–".to_string()
            } else if c.rust.is_empty() {
                "patch".to_string()
            } else {
                format!(
                    "**{}**: {}",
                    c.rust_level.as_str(),
                    c.rust.iter().map(|r| format!("`{}` {}", r.path, r.change)).collect::<Vec<_>>().join(", ")
                )
            };
            let ops = if c.spec.operations.is_empty() { String::new() } else { format!("<br>{}", c.spec.operations.join(", ")) };
            let _ = writeln!(
                out,
                "| {} | `{}`{} | {} | {} | {} |",
                md_escape(&c.spec.message),
                md_escape(&c.spec.pointer),
                md_escape(&ops),
                if c.spec.clients.is_breaking() { "breaking" } else { "compatible" },
                if c.spec.servers.is_breaking() { "breaking" } else { "compatible" },
                md_escape(&rust)
            );
        }
    }
    if !report.other_rust.is_empty() {
        let _ = writeln!(out, "\n<details><summary>Other Rust API changes ({})</summary>\n", report.other_rust.len());
        for r in &report.other_rust {
            let _ = writeln!(out, "- {}", md_escape(&rust_line(r)));
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}

/// The Rust changes of a level, in words, for a CHANGELOG.
pub fn rust_words(changes: &[&RustChange], level: Level) -> Vec<String> {
    changes.iter().filter(|r| r.level == level).map(|r| r.message.clone()).collect()
}
