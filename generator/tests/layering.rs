//! The generator's layering, checked on its source: each module of the pipeline refers only to
//! the modules before it (`spec` -> `lower` -> `ir` <- `emit`), so emitters cannot read the
//! document or lowering's schemas, and the front of the pipeline knows nothing of Rust types.
//!
//! Every path of the code (`use` trees, types, expressions; not doc comments, and not the token
//! streams of `quote!`, which are the generated crate's paths) that starts with `crate`,
//! `self` or `super` is resolved to the top-level module it names; test modules
//! (`#[cfg(test)]`) may use anything.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syn::visit_mut::VisitMut;

/// What each top-level module may refer to, beside itself. `root` is an item of `lib.rs`
/// (`GeneratorSettings`, `generated_header`); `settings` is what users change, read by
/// lowering. Modules not listed (`lib.rs`, `diff`, `schema_crate`, `runtime`, `module`) drive
/// the pipeline and may use every stage.
const ALLOWED: &[(&str, &[&str])] = &[
    ("diag", &[]),
    ("doc", &[]),
    ("naming", &[]),
    ("render", &["naming"]),
    ("write", &["diag", "root"]),
    ("spec", &["diag", "naming"]),
    ("ir", &["diag"]),
    ("settings", &["spec", "ir", "diag", "root"]),
    ("lower", &["spec", "ir", "diag", "doc", "naming", "settings", "root"]),
    ("emit", &["ir", "doc", "naming", "render", "root"]),
];

/// The top-level modules of the crate (files and folders of `src/`).
fn top_modules(src: &Path) -> BTreeSet<String> {
    std::fs::read_dir(src)
        .expect("src")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let path = e.path();
            let name = path.file_stem()?.to_string_lossy().into_owned();
            (path.is_dir() && name != "bin" || path.extension().is_some_and(|x| x == "rs") && name != "lib").then_some(name)
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable").filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a source file (`emit/server.rs` -> `[emit, server]`, `lower/mod.rs` ->
/// `[lower]`, `lib.rs` -> `[]`).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("below src");
    let mut parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// Collects the top-level module each `crate`/`self`/`super` path refers to.
struct Refs<'a> {
    module: Vec<String>,
    tops: &'a BTreeSet<String>,
    found: BTreeSet<(String, String)>,
}

impl Refs<'_> {
    /// Resolves a path's leading segments against the current module.
    fn resolve(&mut self, segments: &[String], what: String) {
        let mut at = self.module.clone();
        let mut rest = segments;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                at.clear();
                rest = &rest[1..];
            }
            Some("self") => rest = &rest[1..],
            Some("super") => {
                while rest.first().map(String::as_str) == Some("super") {
                    at.pop();
                    rest = &rest[1..];
                }
            }
            _ => return,
        }
        let target = match (at.first(), rest.first()) {
            (Some(top), _) => top.clone(),
            (None, Some(first)) if self.tops.contains(first) => first.clone(),
            (None, Some(_)) => "root".to_string(),
            (None, None) => return,
        };
        self.found.insert((target, what));
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut path = prefix.clone();
                path.push(n.ident.to_string());
                self.resolve(&path, format!("use {}", path.join("::")));
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix.clone();
                path.push(r.ident.to_string());
                self.resolve(&path, format!("use {}", path.join("::")));
            }
            syn::UseTree::Glob(_) => {
                let path = prefix.clone();
                self.resolve(&path, format!("use {}::*", path.join("::")));
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(prefix, t)),
        }
    }
}

fn is_test_module(m: &syn::ItemMod) -> bool {
    m.attrs.iter().any(|a| a.path().is_ident("cfg") && quote::quote!(#a).to_string().contains("test"))
}

impl VisitMut for Refs<'_> {
    fn visit_item_mod_mut(&mut self, m: &mut syn::ItemMod) {
        if is_test_module(m) {
            return;
        }
        self.module.push(m.ident.to_string());
        syn::visit_mut::visit_item_mod_mut(self, m);
        self.module.pop();
    }

    fn visit_item_use_mut(&mut self, u: &mut syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }

    fn visit_path_mut(&mut self, p: &mut syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        if p.leading_colon.is_none() {
            self.resolve(&segments, segments.join("::"));
        }
        syn::visit_mut::visit_path_mut(self, p);
    }
}

#[test]
fn each_stage_refers_only_to_earlier_ones() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tops = top_modules(&src);
    // The rule table names real modules (a renamed module must not pass unchecked).
    for (module, allowed) in ALLOWED {
        assert!(tops.contains(*module), "`{module}` is not a module of the generator");
        for a in *allowed {
            assert!(*a == "root" || tops.contains(*a), "`{a}` is not a module of the generator");
        }
    }
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut checked = 0;
    for file in files.iter().filter(|f| !f.starts_with(src.join("bin"))) {
        let module = module_of(&src, file);
        let Some(top) = module.first() else { continue };
        let Some((_, allowed)) = ALLOWED.iter().find(|(m, _)| m == top) else { continue };
        let text = std::fs::read_to_string(file).expect("readable");
        let mut syntax = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut refs = Refs { module: module.clone(), tops: &tops, found: BTreeSet::new() };
        refs.visit_file_mut(&mut syntax);
        checked += 1;
        for (target, what) in refs.found {
            if target != *top && !allowed.contains(&target.as_str()) {
                violations.push(format!("{}: `{what}` ({top} may not use {target})", file.strip_prefix(&src).unwrap_or(file).display()));
            }
        }
    }
    assert!(checked > 20, "only {checked} files checked");
    assert!(violations.is_empty(), "the pipeline's layering is broken:\n{}", violations.join("\n"));
}

/// Emitters spell types through `emit::types` (from the IR's `TypeRef`), never by parsing text.
#[test]
fn emitters_parse_no_type_text() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/emit");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    struct Calls(Vec<String>);
    impl VisitMut for Calls {
        fn visit_path_mut(&mut self, p: &mut syn::Path) {
            if p.segments.last().is_some_and(|s| s.ident == "parse_str") {
                self.0.push(quote::quote!(#p).to_string());
            }
            syn::visit_mut::visit_path_mut(self, p);
        }
        fn visit_expr_method_call_mut(&mut self, m: &mut syn::ExprMethodCall) {
            if m.method == "parse_str" {
                self.0.push("parse_str".into());
            }
            syn::visit_mut::visit_expr_method_call_mut(self, m);
        }
    }
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let mut syntax = syn::parse_file(&text).expect("parses");
        let mut calls = Calls(Vec::new());
        calls.visit_file_mut(&mut syntax);
        assert!(calls.0.is_empty(), "{} parses text: {:?}", file.display(), calls.0);
    }
    assert!(files.len() >= 5);
}
