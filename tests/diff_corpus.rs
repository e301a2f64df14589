//! `apigen_codegen::diff` over real consecutive revisions of vendor documents
//! (`../shared/corpus/versions/<vendor>/`, see its SOURCES.md): every pair is compared without
//! an error or a panic, the verdicts are snapshotted (so a change of classification shows in
//! review), and comparing twice gives the same report. Skips, saying so, when the corpus is
//! absent.

use std::path::{Path, PathBuf};

use apigen_codegen::diff::{compare, DiffReport, Input};
use spec_tests::repo_root;

fn versions_dir() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/corpus/versions");
    dir.is_dir().then_some(dir)
}

/// `v2.10.0` after `v2.9.0`: numbers compare as numbers.
fn version_key(name: &str) -> Vec<(u64, String)> {
    let mut key = Vec::new();
    let mut digits = String::new();
    let mut text = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                key.push((digits.parse().unwrap_or(0), std::mem::take(&mut text)));
                digits.clear();
            }
            text.push(c);
        }
    }
    key.push((digits.parse().unwrap_or(0), text));
    key
}

fn pairs(dir: &Path) -> Vec<(String, PathBuf, PathBuf)> {
    let mut vendors: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("versions/").filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    vendors.sort();
    let mut out = Vec::new();
    for vendor in vendors {
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(&vendor).expect("vendor dir").filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort_by_key(|p| version_key(&p.file_name().unwrap_or_default().to_string_lossy()));
        let vendor_name = vendor.file_name().unwrap_or_default().to_string_lossy().into_owned();
        for w in files.windows(2) {
            let stem = |p: &Path| p.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            out.push((format!("{vendor_name}__{}__{}", stem(&w[0]), stem(&w[1])), w[0].clone(), w[1].clone()));
        }
    }
    out
}

fn diff(old: &Path, new: &Path) -> DiffReport {
    compare(&Input { root: old, label: "old".into() }, &Input { root: new, label: "new".into() }, "corpus")
        .unwrap_or_else(|e| panic!("{}: {e}", new.display()))
}

/// The verdicts of a report, one line per change (documentation changes counted, not listed).
fn verdicts(report: &DiffReport) -> String {
    let s = report.summary();
    let docs = report.changes.iter().filter(|c| c.spec.kind == apigen_codegen::diff::spec::ChangeKind::DescriptionChanged).count();
    let rust = match (&report.rust_level, &report.rust_unavailable) {
        (Some(l), _) => format!("Rust {}", l.as_str()),
        (None, Some(why)) => format!("Rust not compared: {}", why.lines().next().unwrap_or_default()),
        (None, None) => String::new(),
    };
    let mut out = format!(
        "{} changes ({docs} documentation), {} break clients, {} break servers; {rust}\n",
        s.changes, s.breaking_clients, s.breaking_servers
    );
    for c in report.changes.iter().filter(|c| c.spec.kind != apigen_codegen::diff::spec::ChangeKind::DescriptionChanged) {
        let side = |b: bool, x: char| if b { x } else { '-' };
        out.push_str(&format!(
            "[{}{}] {:<6} {} {}{}\n",
            side(c.spec.clients.is_breaking(), 'C'),
            side(c.spec.servers.is_breaking(), 'S'),
            if report.rust_level.is_some() { c.rust_level.as_str() } else { "-" },
            c.spec.kind.id(),
            c.spec.pointer,
            c.spec.value.as_ref().map(|v| format!(" {v}")).unwrap_or_default()
        ));
    }
    out
}

#[test]
fn consecutive_vendor_revisions() {
    let Some(dir) = versions_dir() else {
        eprintln!("skipped: ../shared/corpus/versions is absent");
        return;
    };
    let pairs = pairs(&dir);
    assert!(!pairs.is_empty(), "no revision pairs in {}", dir.display());
    for (name, old, new) in pairs {
        let report = diff(&old, &new);
        assert!(!report.changes.is_empty(), "{name}: consecutive revisions with no change");
        insta::with_settings!({ description => format!("{} -> {}", old.strip_prefix(&dir).unwrap_or(&old).display(), new.strip_prefix(&dir).unwrap_or(&new).display()), omit_expression => true, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("diff_corpus__{name}"), verdicts(&report));
        });
    }
}

#[test]
fn comparing_twice_gives_the_same_report() {
    let Some(dir) = versions_dir() else {
        eprintln!("skipped: ../shared/corpus/versions is absent");
        return;
    };
    let Some((_, old, new)) = pairs(&dir).into_iter().find(|(n, _, _)| n.starts_with("redocly-museum")) else { return };
    let render = |r: &DiffReport| apigen_codegen::diff::report::render(r, apigen_codegen::diff::report::Format::Json);
    assert_eq!(render(&diff(&old, &new)), render(&diff(&old, &new)));
}
