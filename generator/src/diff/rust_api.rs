//! The public Rust API of a generated crate, read back from its source with syn, and the
//! semver classification of the difference between two of them.
//!
//! Only what downstream code can name counts: `pub` items of `pub` modules, `pub` fields,
//! enum variants, inherent `pub` methods, trait methods, trait implementations (derived or
//! written) and re-exports. The rules are Rust's (the Cargo book's "SemVer compatibility"
//! chapter), as cargo-semver-checks applies them:
//!
//! - removing or renaming any public item, field, variant or method is major;
//! - changing a function's or method's signature (parameters, return type, `async`) is major;
//! - changing the type of a public field, the fields of a variant, or a type alias is major;
//! - adding a field to a struct whose fields are all public and which is not
//!   `#[non_exhaustive]` is major (struct literals stop compiling), adding one elsewhere minor;
//! - adding a variant to an enum without `#[non_exhaustive]` is major (exhaustive matches);
//! - adding a method without a default body to a trait is major (implementors), with one minor;
//! - removing a trait implementation (a derive) is major, adding one minor;
//! - adding any other item is minor.

use std::collections::BTreeMap;

use quote::ToTokens;
use serde::Serialize;

/// A semver level, ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// No change to the public API (documentation, bodies, private items).
    Patch,
    /// A backwards-compatible addition.
    Minor,
    /// A breaking change.
    Major,
}

impl Level {
    /// `patch`, `minor` or `major`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Patch => "patch",
            Self::Minor => "minor",
            Self::Major => "major",
        }
    }
}

/// One fact about the public API, keyed by a path such as `models::User`,
/// `models::User.age` (a field), `models::Kind::Admin` (a variant), `client::Client::get_user`
/// (a method) or `impl Clone for models::User`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// What the path names.
    pub kind: FactKind,
    /// The part whose change is breaking: a signature, a field type, a variant's shape.
    pub signature: String,
    /// The wire name of a field (`#[serde(rename)]`), when it differs from the Rust name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wire_name: Option<String>,
}

/// What a [`Fact`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// A module.
    Module,
    /// A struct (signature: `constructible` or `non-exhaustive`, plus its shape).
    Struct,
    /// A public field of a struct (signature: its type).
    Field,
    /// An enum (signature: `exhaustive` or `non-exhaustive`).
    Enum,
    /// A variant of an enum (signature: its fields).
    Variant,
    /// A free function.
    Function,
    /// An inherent method.
    Method,
    /// A trait (signature: `sealed` or not).
    Trait,
    /// A method of a trait (signature includes `required` or `provided`).
    TraitMethod,
    /// An associated type or constant of a trait.
    TraitItem,
    /// A trait implementation (from a derive or an `impl` block).
    Impl,
    /// A constant or static (signature: its type).
    Const,
    /// A type alias (signature: its target).
    TypeAlias,
    /// A `pub use` re-export (signature: its target).
    ReExport,
    /// A `macro_rules!` exported with `#[macro_export]`.
    Macro,
}

/// The public API of one crate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RustApi {
    /// Path -> fact, sorted.
    pub facts: BTreeMap<String, Fact>,
}

/// One difference between two public APIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RustChange {
    /// The item (`models::User.age`).
    pub path: String,
    /// What the item is.
    pub item: FactKind,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// How severe it is.
    pub level: Level,
    /// The change in words.
    pub message: String,
}

impl RustApi {
    /// Reads the public API from the crate's files: `src/lib.rs` and every module it declares
    /// (`src/<name>.rs`), given as `(path relative to the crate, text)`.
    ///
    /// # Errors
    ///
    /// A file that does not parse as Rust.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, String> {
        let files: BTreeMap<&str, &str> = files.into_iter().collect();
        let mut api = Self::default();
        let Some(lib) = files.get("src/lib.rs") else { return Ok(api) };
        let file = syn::parse_file(lib).map_err(|e| format!("src/lib.rs does not parse: {e}"))?;
        api.items(&file.items, "", &files, "src")?;
        api.prune();
        Ok(api)
    }

    /// Drops methods and trait implementations of types that are not public: downstream code
    /// cannot name them.
    fn prune(&mut self) {
        let types: std::collections::BTreeSet<String> = self
            .facts
            .iter()
            .filter(|(_, f)| matches!(f.kind, FactKind::Struct | FactKind::Enum | FactKind::TypeAlias))
            .map(|(p, _)| p.clone())
            .collect();
        self.facts.retain(|path, fact| match fact.kind {
            FactKind::Method => path.rsplit_once("::").is_some_and(|(owner, _)| types.contains(owner)),
            FactKind::Impl => path.split_once(" for ").is_some_and(|(_, owner)| types.contains(owner)),
            FactKind::Const if path.matches("::").count() >= 2 => path
                .rsplit_once("::")
                .is_some_and(|(owner, _)| types.contains(owner) || !owner.chars().next().is_some_and(char::is_uppercase)),
            _ => true,
        });
    }

    fn insert(&mut self, path: String, kind: FactKind, signature: String) {
        self.facts.insert(path, Fact { kind, signature, wire_name: None });
    }

    fn items(&mut self, items: &[syn::Item], prefix: &str, files: &BTreeMap<&str, &str>, dir: &str) -> Result<(), String> {
        let join = |name: &str| if prefix.is_empty() { name.to_string() } else { format!("{prefix}::{name}") };
        for item in items {
            match item {
                syn::Item::Mod(m) if is_pub(&m.vis) => {
                    let path = join(&m.ident.to_string());
                    self.insert(path.clone(), FactKind::Module, cfg_of(&m.attrs));
                    let sub_dir = format!("{dir}/{}", m.ident);
                    if let Some((_, content)) = &m.content {
                        self.items(content, &path, files, &sub_dir)?;
                    } else {
                        let candidates = [format!("{dir}/{}.rs", m.ident), format!("{dir}/{}/mod.rs", m.ident)];
                        if let Some(text) = candidates.iter().find_map(|c| files.get(c.as_str())) {
                            let file = syn::parse_file(text).map_err(|e| format!("{}.rs does not parse: {e}", m.ident))?;
                            self.items(&file.items, &path, files, &sub_dir)?;
                        }
                    }
                }
                syn::Item::Struct(s) if is_pub(&s.vis) => {
                    let path = join(&s.ident.to_string());
                    let non_exhaustive = has_attr(&s.attrs, "non_exhaustive");
                    let all_pub = s.fields.iter().all(|f| is_pub(&f.vis));
                    let shape = match &s.fields {
                        syn::Fields::Named(_) => "struct",
                        syn::Fields::Unnamed(_) => "tuple struct",
                        syn::Fields::Unit => "unit struct",
                    };
                    let exhaustive = if non_exhaustive {
                        "non-exhaustive"
                    } else if all_pub {
                        "constructible"
                    } else {
                        "has private fields"
                    };
                    self.insert(path.clone(), FactKind::Struct, format!("{shape}{}, {exhaustive}", generics(&s.generics)));
                    for (i, f) in s.fields.iter().enumerate() {
                        if !is_pub(&f.vis) {
                            continue;
                        }
                        let name = f.ident.as_ref().map_or_else(|| i.to_string(), ToString::to_string);
                        let fact = Fact { kind: FactKind::Field, signature: tokens(&f.ty), wire_name: serde_rename(&f.attrs) };
                        self.facts.insert(format!("{path}.{name}"), fact);
                    }
                    self.derives(&s.attrs, &path);
                }
                syn::Item::Enum(e) if is_pub(&e.vis) => {
                    let path = join(&e.ident.to_string());
                    let exhaustive = if has_attr(&e.attrs, "non_exhaustive") { "non-exhaustive" } else { "exhaustive" };
                    self.insert(path.clone(), FactKind::Enum, format!("{exhaustive}{}", generics(&e.generics)));
                    for v in &e.variants {
                        let fact = Fact { kind: FactKind::Variant, signature: tokens(&v.fields), wire_name: serde_rename(&v.attrs) };
                        self.facts.insert(format!("{path}::{}", v.ident), fact);
                    }
                    self.derives(&e.attrs, &path);
                }
                syn::Item::Fn(f) if is_pub(&f.vis) => {
                    self.insert(join(&f.sig.ident.to_string()), FactKind::Function, signature(&f.sig));
                }
                syn::Item::Trait(t) if is_pub(&t.vis) => {
                    let path = join(&t.ident.to_string());
                    let supertraits = t.supertraits.iter().map(tokens).collect::<Vec<_>>().join(" + ");
                    self.insert(path.clone(), FactKind::Trait, format!("trait{}: {supertraits}", generics(&t.generics)));
                    for ti in &t.items {
                        match ti {
                            syn::TraitItem::Fn(f) => {
                                let kind = if f.default.is_some() { "provided" } else { "required" };
                                self.insert(
                                    format!("{path}::{}", f.sig.ident),
                                    FactKind::TraitMethod,
                                    format!("{kind} {}", signature(&f.sig)),
                                );
                            }
                            syn::TraitItem::Type(ty) => {
                                let kind = if ty.default.is_some() { "provided" } else { "required" };
                                self.insert(
                                    format!("{path}::{}", ty.ident),
                                    FactKind::TraitItem,
                                    format!("{kind} type{}", bounds(&ty.bounds)),
                                );
                            }
                            syn::TraitItem::Const(c) => {
                                let kind = if c.default.is_some() { "provided" } else { "required" };
                                self.insert(
                                    format!("{path}::{}", c.ident),
                                    FactKind::TraitItem,
                                    format!("{kind} const: {}", tokens(&c.ty)),
                                );
                            }
                            _ => {}
                        }
                    }
                }
                syn::Item::Impl(imp) => self.impl_block(imp, prefix),
                syn::Item::Const(c) if is_pub(&c.vis) => self.insert(join(&c.ident.to_string()), FactKind::Const, tokens(&c.ty)),
                syn::Item::Static(s) if is_pub(&s.vis) => self.insert(join(&s.ident.to_string()), FactKind::Const, tokens(&s.ty)),
                syn::Item::Type(t) if is_pub(&t.vis) => {
                    self.insert(join(&t.ident.to_string()), FactKind::TypeAlias, format!("{}= {}", generics(&t.generics), tokens(&t.ty)));
                }
                syn::Item::Use(u) if is_pub(&u.vis) => {
                    let mut leaves = Vec::new();
                    use_leaves(&u.tree, String::new(), &mut leaves);
                    for (name, target) in leaves {
                        self.insert(join(&name), FactKind::ReExport, target);
                    }
                }
                syn::Item::Macro(m) if has_attr(&m.attrs, "macro_export") => {
                    if let Some(ident) = &m.ident {
                        self.insert(ident.to_string(), FactKind::Macro, String::new());
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn derives(&mut self, attrs: &[syn::Attribute], path: &str) {
        for attr in attrs {
            let (cfg, list) = if attr.path().is_ident("derive") {
                (String::new(), attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated).ok())
            } else if attr.path().is_ident("cfg_attr") {
                // `#[cfg_attr(feature = "schemars", derive(JsonSchema))]`
                let mut found = None;
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("derive") {
                        let content;
                        syn::parenthesized!(content in meta.input);
                        found = content.parse_terminated(syn::Path::parse, syn::Token![,]).ok();
                    } else if meta.input.peek(syn::Token![=]) {
                        let _: syn::Expr = meta.value()?.parse()?;
                    }
                    Ok(())
                });
                (" (with a feature)".to_string(), found)
            } else {
                continue;
            };
            for trait_path in list.into_iter().flatten() {
                let name = trait_path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                if name == "Deserialize" {
                    // serde's derive implements `Deserialize<'de>` for every `'de`: the fact a
                    // written `impl<'de> Deserialize<'de>` gives (see `impl_block`).
                    let segment: syn::PathSegment = syn::parse_quote!(Deserialize<'de>);
                    let de: syn::Generics = syn::parse_quote!(<'de>);
                    self.insert(format!("impl {} for {path}", tokens(&segment)), FactKind::Impl, format!("impl{}{cfg}", generics(&de)));
                    continue;
                }
                self.insert(format!("impl {name} for {path}"), FactKind::Impl, format!("impl{cfg}"));
            }
        }
    }

    fn impl_block(&mut self, imp: &syn::ItemImpl, prefix: &str) {
        let Some(self_name) = type_name(&imp.self_ty) else { return };
        let self_path = if prefix.is_empty() { self_name } else { format!("{prefix}::{self_name}") };
        if let Some((_, trait_path, _)) = &imp.trait_ {
            // Keyed like a derive (the trait's last segment, with its arguments), and the same
            // signature: a derive replaced by a written impl (`::schemars::JsonSchema` for
            // `derive(JsonSchema)`) is no change of the API.
            let name = trait_path.segments.last().map(tokens).unwrap_or_default();
            let cfg = if imp.attrs.iter().any(|a| a.path().is_ident("cfg") && tokens(&a.meta).contains("feature")) {
                " (with a feature)"
            } else {
                ""
            };
            self.insert(format!("impl {name} for {self_path}"), FactKind::Impl, format!("impl{}{cfg}", generics(&imp.generics)));
            return;
        }
        for item in &imp.items {
            if let syn::ImplItem::Fn(f) = item {
                if is_pub(&f.vis) {
                    self.insert(format!("{self_path}::{}", f.sig.ident), FactKind::Method, signature(&f.sig));
                }
            } else if let syn::ImplItem::Const(c) = item {
                if is_pub(&c.vis) {
                    self.insert(format!("{self_path}::{}", c.ident), FactKind::Const, tokens(&c.ty));
                }
            }
        }
    }

    /// Every difference from `old` to `self`, sorted by path.
    pub fn changes_since(&self, old: &Self) -> Vec<RustChange> {
        let mut out = Vec::new();
        for (path, o) in &old.facts {
            match self.facts.get(path) {
                None => {
                    // A field or variant of a removed type is covered by the type's removal.
                    if parent_removed(path, old, self) {
                        continue;
                    }
                    out.push(RustChange {
                        path: path.clone(),
                        item: o.kind,
                        change: "removed",
                        level: Level::Major,
                        message: format!("{} `{path}` was removed", noun(o.kind)),
                    });
                }
                Some(n) if n.signature != o.signature => {
                    let level = changed_level(o, n);
                    let message = format!("{} `{path}` changed from `{}` to `{}`", noun(o.kind), o.signature, n.signature);
                    out.push(RustChange { path: path.clone(), item: o.kind, change: "changed", level, message });
                }
                Some(_) => {}
            }
        }
        for (path, n) in &self.facts {
            if old.facts.contains_key(path) {
                continue;
            }
            let parent = parent_of(path, n.kind);
            let parent_fact = parent.as_deref().and_then(|p| old.facts.get(p));
            if parent.is_some()
                && parent_fact.is_none()
                && matches!(n.kind, FactKind::Field | FactKind::Variant | FactKind::TraitMethod | FactKind::TraitItem)
            {
                // Part of a new item: the item's addition says it.
                continue;
            }
            let level = match (n.kind, parent_fact) {
                (FactKind::Field, Some(p)) if p.signature.contains("constructible") => Level::Major,
                (FactKind::Variant, Some(p)) if p.signature.starts_with("exhaustive") => Level::Major,
                (FactKind::TraitMethod | FactKind::TraitItem, Some(_)) if n.signature.starts_with("required") => Level::Major,
                _ => Level::Minor,
            };
            let why = match (n.kind, level) {
                (FactKind::Field, Level::Major) => " (struct literals of the old struct no longer compile)",
                (FactKind::Variant, Level::Major) => " (exhaustive matches no longer compile)",
                (FactKind::TraitMethod | FactKind::TraitItem, Level::Major) => " (implementations must now provide it)",
                _ => "",
            };
            out.push(RustChange {
                path: path.clone(),
                item: n.kind,
                change: "added",
                level,
                message: format!("{} `{path}` was added{why}", noun(n.kind)),
            });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}

/// The highest level of a list of changes ([`Level::Patch`] for none).
pub fn max_level(changes: &[RustChange]) -> Level {
    changes.iter().map(|c| c.level).max().unwrap_or(Level::Patch)
}

fn changed_level(o: &Fact, n: &Fact) -> Level {
    match o.kind {
        FactKind::Struct => {
            // Becoming constructible (fields all public, exhaustive) is an addition.
            if n.signature.ends_with("constructible") && o.signature.split(',').next() == n.signature.split(',').next() {
                Level::Minor
            } else {
                Level::Major
            }
        }
        FactKind::Enum => {
            if o.signature.starts_with("non-exhaustive") && n.signature.starts_with("exhaustive") && o.signature[14..] == n.signature[10..]
            {
                Level::Minor
            } else {
                Level::Major
            }
        }
        FactKind::TraitMethod | FactKind::TraitItem => {
            // required -> provided with the same signature is an addition.
            let strip = |s: &str| s.split_once(' ').map(|(_, r)| r.to_string()).unwrap_or_default();
            if o.signature.starts_with("required") && n.signature.starts_with("provided") && strip(&o.signature) == strip(&n.signature) {
                Level::Minor
            } else {
                Level::Major
            }
        }
        FactKind::Module => Level::Major,
        FactKind::Impl => Level::Patch,
        _ => Level::Major,
    }
}

/// The parent item of a field (`a::B.c` -> `a::B`), a variant or a trait method (`a::B::c` ->
/// `a::B`).
fn parent_of(path: &str, kind: FactKind) -> Option<String> {
    match kind {
        FactKind::Field => path.rsplit_once('.').map(|(p, _)| p.to_string()),
        FactKind::Variant | FactKind::TraitMethod | FactKind::TraitItem | FactKind::Method => {
            path.rsplit_once("::").map(|(p, _)| p.to_string())
        }
        FactKind::Impl => path.split_once(" for ").map(|(_, t)| t.to_string()),
        _ => None,
    }
}

fn parent_removed(path: &str, old: &RustApi, new: &RustApi) -> bool {
    let kind = old.facts[path].kind;
    let Some(parent) = parent_of(path, kind) else {
        // Items of a removed module.
        return path
            .rsplit_once("::")
            .is_some_and(|(m, _)| old.facts.get(m).is_some_and(|f| f.kind == FactKind::Module) && !new.facts.contains_key(m));
    };
    old.facts.contains_key(&parent) && !new.facts.contains_key(&parent)
}

fn noun(kind: FactKind) -> &'static str {
    match kind {
        FactKind::Module => "module",
        FactKind::Struct => "struct",
        FactKind::Field => "field",
        FactKind::Enum => "enum",
        FactKind::Variant => "variant",
        FactKind::Function => "function",
        FactKind::Method => "method",
        FactKind::Trait => "trait",
        FactKind::TraitMethod => "trait method",
        FactKind::TraitItem => "trait item",
        FactKind::Impl => "trait implementation",
        FactKind::Const => "constant",
        FactKind::TypeAlias => "type alias",
        FactKind::ReExport => "re-export",
        FactKind::Macro => "macro",
    }
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn has_attr(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| a.path().is_ident(name))
}

/// `#[cfg(...)]` of an item, as text (empty when none).
fn cfg_of(attrs: &[syn::Attribute]) -> String {
    attrs.iter().filter(|a| a.path().is_ident("cfg")).map(|a| tokens(&a.meta)).collect::<Vec<_>>().join(" ")
}

/// The `rename` of `#[serde(rename = "...")]`.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                found = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
    }
    found
}

/// Token text with the spacing of `quote`, made a little more readable.
fn tokens(t: &impl ToTokens) -> String {
    let text = t.to_token_stream().to_string();
    text.replace(":: std :: ", "")
        .replace("::std::", "")
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" ,", ",")
        .replace("< ", "<")
        .replace(" <", "<")
        .replace(" >", ">")
        .replace("& ", "&")
        .replace("( ", "(")
        .replace(" )", ")")
}

fn generics(g: &syn::Generics) -> String {
    if g.params.is_empty() {
        String::new()
    } else {
        tokens(g)
    }
}

fn bounds(b: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>) -> String {
    if b.is_empty() {
        String::new()
    } else {
        format!(": {}", b.iter().map(tokens).collect::<Vec<_>>().join(" + "))
    }
}

/// A function signature without parameter names (they are not part of the API).
fn signature(sig: &syn::Signature) -> String {
    let params: Vec<String> = sig
        .inputs
        .iter()
        .map(|arg| match arg {
            syn::FnArg::Receiver(r) => tokens(r),
            syn::FnArg::Typed(t) => tokens(&t.ty),
        })
        .collect();
    let ret = match &sig.output {
        syn::ReturnType::Default => String::new(),
        syn::ReturnType::Type(_, ty) => format!(" -> {}", tokens(ty)),
    };
    let asyncness = if sig.asyncness.is_some() { "async " } else { "" };
    let unsafety = if sig.unsafety.is_some() { "unsafe " } else { "" };
    let where_clause = sig.generics.where_clause.as_ref().map(|w| format!(" {}", tokens(w))).unwrap_or_default();
    format!("{asyncness}{unsafety}fn{}({}){ret}{where_clause}", generics(&sig.generics), params.join(", "))
}

/// The name of the type an `impl` block is for (`Response` of `Response<T>`).
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The names a `pub use` brings into scope, with their targets.
fn use_leaves(tree: &syn::UseTree, prefix: String, out: &mut Vec<(String, String)>) {
    let join = |p: &str, s: &str| if p.is_empty() { s.to_string() } else { format!("{p}::{s}") };
    match tree {
        syn::UseTree::Path(p) => use_leaves(&p.tree, join(&prefix, &p.ident.to_string()), out),
        syn::UseTree::Name(n) => out.push((n.ident.to_string(), join(&prefix, &n.ident.to_string()))),
        syn::UseTree::Rename(r) => out.push((r.rename.to_string(), join(&prefix, &r.ident.to_string()))),
        syn::UseTree::Glob(_) => out.push((join(&prefix, "*"), join(&prefix, "*"))),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_leaves(t, prefix.clone(), out);
            }
        }
    }
}

use syn::parse::Parse;

#[cfg(test)]
mod tests {
    use super::*;

    /// A derive and a written impl of the same trait are the same fact; a feature gate or
    /// generics are part of it.
    #[test]
    fn a_derive_replaced_by_an_impl_is_no_change() {
        let api = |text: &str| RustApi::from_files([("src/lib.rs", text)]).expect("parses");
        let derived = api(r#"
            #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
            #[derive(::serde::Serialize)]
            pub struct Pet { pub id: i64 }
        "#);
        let written = api(r#"
            #[derive(::serde::Serialize)]
            pub struct Pet { pub id: i64 }
            #[cfg(feature = "schemars")]
            impl ::schemars::JsonSchema for Pet {
                fn schema_name() -> ::std::borrow::Cow<'static, str> { "Pet".into() }
                fn json_schema(g: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema { todo!() }
            }
        "#);
        let none = written.changes_since(&derived);
        assert!(none.is_empty(), "{none:?}");
        let derived_de = api(r#"
            #[derive(::serde::Deserialize, Clone)]
            pub struct Pet { pub id: i64 }
        "#);
        let written_de = api(r#"
            #[derive(Clone)]
            pub struct Pet { pub id: i64 }
            impl<'de> ::serde::Deserialize<'de> for Pet {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> { todo!() }
            }
        "#);
        let none = written_de.changes_since(&derived_de);
        assert!(none.is_empty(), "a written Deserialize is the derive's fact: {none:?}");
        assert_eq!(derived_de.changes_since(&api("pub struct Pet { pub id: i64 }")).len(), 2, "Deserialize and Clone added");
        let ungated = api(r#"
            #[derive(::serde::Serialize)]
            pub struct Pet { pub id: i64 }
            impl ::schemars::JsonSchema for Pet {}
        "#);
        let changes = ungated.changes_since(&derived);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].change, "changed");
    }
}
