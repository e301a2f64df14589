//! The write phase is all or nothing: a run that fails while staging or while putting files in
//! place (failure injected through `WriteOptions`) leaves every output tree byte for byte as it
//! was, with no temporaries left behind; a successful run touches only changed files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use generator::write::{self, WriteOptions};
use generator::{GeneratorSettings, OutputSet};
use spec_tests::in_repo;

/// Every file under `dir` (relative path -> hash of its bytes), including hidden temporaries.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, u64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.map(|e| e.expect("entry")) {
            let p = e.path();
            if e.file_type().expect("type").is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).expect("below").to_path_buf(), hash(&std::fs::read(&p).expect("read")));
            }
        }
    }
    out
}

fn hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Every folder under `dir`, so a rollback is seen to remove the folders it created.
fn dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir").map(|e| e.expect("entry")) {
            if e.file_type().expect("type").is_dir() {
                out.push(e.path());
                stack.push(e.path());
            }
        }
    }
    out.sort();
    out
}

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apigen-atomic-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmp");
    dir
}

fn set(files: &[(&str, &str)]) -> OutputSet {
    let mut s = OutputSet::default();
    for (p, c) in files {
        s.add(*p, *c);
    }
    s
}

/// The old tree and a new one that changes, adds (in a new folder) and removes files.
fn old_and_new() -> (OutputSet, OutputSet) {
    let old = set(&[("a.txt", "a1"), ("same.txt", "same"), ("src/b.rs", "b1"), ("src/gone.rs", "gone"), ("z.txt", "z1")]);
    let new = set(&[("a.txt", "a2"), ("same.txt", "same"), ("src/b.rs", "b2"), ("src/deep/new/c.rs", "c"), ("z.txt", "z2")]);
    (old, new)
}

#[test]
fn a_failure_while_staging_leaves_the_tree_intact() {
    let (old, new) = old_and_new();
    let dir = tmp_dir("stage");
    write::write(&dir, &old).expect("first write");
    let before = snapshot(&dir);
    let before_dirs = dirs(&dir);
    // 4 files change; fail before the first, in the middle and after the last is staged.
    for n in 0..=4 {
        let options = WriteOptions { fail_after_staged: Some(n), ..WriteOptions::default() };
        let err = write::write_with(&dir, &new, &options).expect_err("injected failure");
        assert!(err.to_string().contains("injected"), "{err}");
        assert_eq!(snapshot(&dir), before, "after failing with {n} files staged");
        assert_eq!(dirs(&dir), before_dirs, "folders created while staging are removed (n = {n})");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_failure_while_committing_is_rolled_back() {
    let (old, new) = old_and_new();
    let dir = tmp_dir("commit");
    write::write(&dir, &old).expect("first write");
    let before = snapshot(&dir);
    let before_dirs = dirs(&dir);
    // 4 changed files and 1 removal: fail before each of the 5 steps.
    for n in 0..5 {
        let options = WriteOptions { fail_after_committed: Some(n), ..WriteOptions::default() };
        write::write_with(&dir, &new, &options).expect_err("injected failure");
        assert_eq!(snapshot(&dir), before, "after failing with {n} steps committed");
        assert_eq!(dirs(&dir), before_dirs, "n = {n}");
    }
    // Past the last step nothing fails: the new tree, exactly.
    let options = WriteOptions { fail_after_committed: Some(5), ..WriteOptions::default() };
    write::write_with(&dir, &new, &options).expect("no step 5");
    let after: BTreeMap<PathBuf, u64> = new.files.iter().map(|(p, c)| (p.clone(), hash(c.as_bytes()))).collect();
    assert_eq!(snapshot(&dir), after);
    assert!(!dir.join("src/gone.rs").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_successful_write_touches_only_changed_files() {
    let (old, new) = old_and_new();
    let dir = tmp_dir("mtime");
    write::write(&dir, &old).expect("first write");
    let mtime = |p: &str| std::fs::metadata(dir.join(p)).expect("meta").modified().expect("mtime");
    let same_before = mtime("same.txt");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let report = write::write(&dir, &new).expect("write");
    assert_eq!(report.changed.len(), 4);
    assert_eq!(report.removed.len(), 1);
    assert_eq!(report.unchanged, 1);
    assert_eq!(mtime("same.txt"), same_before, "an unchanged file is not rewritten");
    assert!(write::check(&dir, &new).expect("check").is_fresh());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_failure_in_one_tree_leaves_every_tree_intact() {
    let (old, new) = old_and_new();
    let (one, two) = (tmp_dir("multi-1"), tmp_dir("multi-2"));
    write::write(&one, &old).expect("write");
    write::write(&two, &old).expect("write");
    let before = (snapshot(&one), snapshot(&two));
    // 8 staged files over both trees: fail in the second tree's staging, then mid-commit.
    for options in [
        WriteOptions { fail_after_staged: Some(6), ..WriteOptions::default() },
        WriteOptions { fail_after_committed: Some(7), ..WriteOptions::default() },
    ] {
        write::write_all(&[(&one, &new), (&two, &new)], &options).expect_err("injected");
        assert_eq!((snapshot(&one), snapshot(&two)), before, "{options:?}");
    }
    write::write_all(&[(&one, &new), (&two, &new)], &WriteOptions::default()).expect("write");
    assert!(write::check(&one, &new).expect("check").is_fresh());
    assert!(write::check(&two, &new).expect("check").is_fresh());
    std::fs::remove_dir_all(&one).ok();
    std::fs::remove_dir_all(&two).ok();
}

/// The real thing: a generated crate is replaced by another API's crate, and the run fails
/// half-way through staging and half-way through committing; the crate stays byte for byte.
#[test]
fn a_generated_crate_survives_a_failed_regeneration() {
    let (qp, ep) = in_repo(|| {
        (
            generator::generate(Path::new("spec/questionpro/openapi.json"), &GeneratorSettings::new("questionpro")).expect("qp"),
            generator::generate(Path::new("spec/epixel/openapi.json"), &GeneratorSettings::new("epixel")).expect("ep"),
        )
    });
    let dir = tmp_dir("crate");
    write::write(&dir, &qp).expect("write");
    let before = snapshot(&dir);
    let changed = write::check(&dir, &ep).expect("check").changed.len();
    assert!(changed > 4, "the two crates differ in many files");
    for options in [
        WriteOptions { fail_after_staged: Some(changed / 2), ..WriteOptions::default() },
        WriteOptions { fail_after_committed: Some(changed / 2), ..WriteOptions::default() },
    ] {
        write::write_with(&dir, &ep, &options).expect_err("injected");
        assert_eq!(snapshot(&dir), before, "{options:?}");
        assert!(write::check(&dir, &qp).expect("check").is_fresh());
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A process killed between staging and committing leaves `.apigen-new-*` files; the next run
/// sees them as files it does not generate and deletes them.
#[test]
fn leftovers_of_a_killed_run_are_cleaned_by_the_next() {
    let (old, _) = old_and_new();
    let dir = tmp_dir("leftover");
    write::write(&dir, &old).expect("write");
    std::fs::write(dir.join("src/.b.rs.apigen-new-1"), "half").expect("leftover");
    let report = write::check(&dir, &old).expect("check");
    assert_eq!(report.removed, vec![dir.join("src/.b.rs.apigen-new-1")]);
    write::write(&dir, &old).expect("write");
    assert!(write::check(&dir, &old).expect("check").is_fresh());
    std::fs::remove_dir_all(&dir).ok();
}
