//! No two public items that users import together share a name: across the root of a generated
//! crate and its `models`, `client` and `server` modules, a name is defined (or re-exported
//! from) one item only, and no type is named after another of the crate's modules (`client::Server`
//! beside `mod server`). Walks every generated crate of the repository: `generated/`,
//! `tests/crates/`, `tests/typify-crates/` and `examples/cli/petstore`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use spec_tests::repo_root;

/// The modules users import from, as the crate's `src/` files.
const MODULES: &[(&str, &str)] = &[("crate", "lib.rs"), ("models", "models.rs"), ("client", "client.rs"), ("server", "server.rs")];

/// Every crate directory (with `src/lib.rs`) the generator wrote.
fn crates() -> Vec<PathBuf> {
    let root = repo_root();
    let mut out = Vec::new();
    for dir in ["generated", "tests/crates", "tests/typify-crates"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for entry in entries.flatten() {
            if entry.path().join("src/lib.rs").is_file() {
                out.push(entry.path());
            }
        }
    }
    out.push(root.join("examples/cli/petstore"));
    out.sort();
    out
}

/// The public items of one module file: name -> what it is (the defining module and name, or
/// the path a `pub use` re-exports, with `crate::` paths made absolute).
fn public_items(module: &str, file: &syn::File) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let own = |name: &syn::Ident| (name.to_string(), format!("{module}::{name}"));
    for item in &file.items {
        let (vis, found) = match item {
            syn::Item::Const(i) => (&i.vis, vec![own(&i.ident)]),
            syn::Item::Enum(i) => (&i.vis, vec![own(&i.ident)]),
            syn::Item::Fn(i) => (&i.vis, vec![own(&i.sig.ident)]),
            syn::Item::Mod(i) => (&i.vis, vec![own(&i.ident)]),
            syn::Item::Static(i) => (&i.vis, vec![own(&i.ident)]),
            syn::Item::Struct(i) => (&i.vis, vec![own(&i.ident)]),
            syn::Item::Trait(i) => (&i.vis, vec![own(&i.ident)]),
            syn::Item::Type(i) => (&i.vis, vec![own(&i.ident)]),
            syn::Item::Use(u) => (&u.vis, reexports(&u.tree, module)),
            _ => continue,
        };
        if matches!(vis, syn::Visibility::Public(_)) {
            out.extend(found);
        }
    }
    out
}

/// The names a `use` tree brings in, each with the path it names (`crate::X` -> `crate::X`,
/// `::dep::a::X` -> `dep::a::X`, `validation::X` in the root -> `crate::validation::X`).
fn reexports(tree: &syn::UseTree, module: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![(tree, Vec::<String>::new())];
    while let Some((tree, prefix)) = stack.pop() {
        let path = |last: &syn::Ident| {
            let mut p = prefix.clone();
            p.push(last.to_string());
            if p.len() == 1 || !matches!(p[0].as_str(), "crate" | "apigen_runtime" | "super" | "self") {
                p.insert(0, module.to_string());
            }
            p.join("::")
        };
        match tree {
            syn::UseTree::Path(p) => {
                let mut next = prefix.clone();
                next.push(p.ident.to_string());
                stack.push((&p.tree, next));
            }
            syn::UseTree::Name(n) if n.ident != "_" => out.push((n.ident.to_string(), path(&n.ident))),
            syn::UseTree::Rename(r) if r.rename != "_" => out.push((r.rename.to_string(), path(&r.ident))),
            syn::UseTree::Group(g) => stack.extend(g.items.iter().map(|t| (t, prefix.clone()))),
            _ => {}
        }
    }
    out
}

/// The collisions of one crate, as readable lines.
fn collisions(dir: &Path) -> Vec<String> {
    let mut by_name: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut modules = BTreeSet::new();
    for (module, file) in MODULES {
        let Ok(text) = std::fs::read_to_string(dir.join("src").join(file)) else { continue };
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}/src/{file}: {e}", dir.display()));
        if *module != "crate" {
            modules.insert(module.to_string());
        }
        for (name, target) in public_items(module, &parsed) {
            // The lib root's `mod client;` is the module itself, not an item beside it.
            if *module == "crate" && MODULES.iter().any(|(m, _)| *m == name) {
                continue;
            }
            by_name.entry(name).or_default().entry(target).or_default().insert(module.to_string());
        }
    }
    let mut out = Vec::new();
    for (name, targets) in &by_name {
        if targets.len() > 1 {
            let list: Vec<String> =
                targets.iter().map(|(t, m)| format!("{t} (in {})", m.iter().cloned().collect::<Vec<_>>().join(", "))).collect();
            out.push(format!("`{name}` names {} items: {}", targets.len(), list.join(", ")));
        }
        // A type named after another module of the crate (`client::Server` beside `mod server`).
        let lower = name.to_lowercase();
        if name.starts_with(|c: char| c.is_ascii_uppercase()) && modules.contains(&lower) {
            for (target, in_modules) in targets {
                if in_modules.iter().any(|m| *m != lower) {
                    out.push(format!("`{target}` is named like the module `{lower}`"));
                }
            }
        }
    }
    out
}

#[test]
fn public_item_names_are_unique_across_modules() {
    let crates = crates();
    assert!(crates.len() > 10, "the walk finds the generated crates: {crates:?}");
    let mut failures = Vec::new();
    for dir in &crates {
        for line in collisions(dir) {
            failures.push(format!("{}: {line}", dir.strip_prefix(repo_root()).unwrap_or(dir).display()));
        }
    }
    assert!(failures.is_empty(), "public names used twice (fix in generator/src/naming.rs):\n{}", failures.join("\n"));
}

/// The check itself sees a collision and a type named like a module.
#[test]
fn the_check_finds_collisions() {
    let dir = std::env::temp_dir().join(format!("apigen-public-names-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).expect("temp dir");
    std::fs::write(dir.join("src/lib.rs"), "pub mod models; pub mod client; pub mod server;").expect("lib");
    std::fs::write(dir.join("src/models.rs"), "pub struct Error;").expect("models");
    std::fs::write(dir.join("src/client.rs"), "pub use ::apigen_runtime::client::Error; pub enum Server {} pub struct Client;")
        .expect("client");
    std::fs::write(dir.join("src/server.rs"), "pub use crate::models::Error as _; pub fn router() {}").expect("server");
    let found = collisions(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].starts_with("`Error` names 2 items"), "{found:#?}");
    assert!(found[1].contains("client::Server` is named like the module `server`"), "{found:#?}");
}
