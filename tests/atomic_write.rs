//! The write phase (`apigen_codegen::write`): ownership and crash safety.
//!
//! - Ownership: apigen deletes or overwrites only files its manifest lists. Generating into a git
//!   repository's root, into an existing crate with the user's files, and into an unrelated
//!   non-empty directory deletes nothing it did not write.
//! - Rollback: an I/O error injected before *every* step of a run (enumerated by the writer's
//!   step counter, not at random moments) leaves every tree byte for byte as it was.
//! - Crash safety: a child process aborted before *every* step leaves every file old or new
//!   (never missing), every leftover listed in the manifest, and the user's files untouched; a
//!   rerun completes the write.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use apigen_codegen::write::{self, FailAction, Failpoint, WriteError, WriteOptions, MANIFEST, MANIFEST_TMP};
use apigen_codegen::{GeneratorSettings, OutputSet};
use spec_tests::in_repo;

/// Every file under `dir` (relative path -> bytes), hidden ones included.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.map(|e| e.expect("entry")) {
            let p = e.path();
            if e.file_type().expect("type").is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).expect("below").to_path_buf(), std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

/// Every folder under `dir`, so a rollback is seen to remove the folders it created and no run
/// deletes a user's empty folder.
fn dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.map(|e| e.expect("entry")) {
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
    let dir = std::env::temp_dir().join(format!("apigen-write-{name}-{}", std::process::id()));
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

/// The old tree and a new one that changes, adds (in a new folder) and removes (emptying a
/// folder) files.
fn old_and_new() -> (OutputSet, OutputSet) {
    let old = set(&[
        ("a.txt", "a1"),
        ("same.txt", "same"),
        ("src/b.rs", "b1"),
        ("src/gone.rs", "gone"),
        ("old/only.rs", "only"),
        ("z.txt", "z1"),
    ]);
    let new = set(&[("a.txt", "a2"), ("same.txt", "same"), ("src/b.rs", "b2"), ("src/deep/new/c.rs", "c"), ("z.txt", "z2")]);
    (old, new)
}

/// The files a user keeps next to generated ones: none of them may ever change.
const USER_FILES: &[(&str, &str)] = &[
    (".gitignore", "/target\n"),
    (".git/HEAD", "ref: refs/heads/main\n"),
    ("Cargo.lock", "# lock\n"),
    ("target/debug/build.log", "log\n"),
    ("tests/it.rs", "#[test] fn t() {}\n"),
    ("examples/demo.rs", "fn main() {}\n"),
    ("benches/b.rs", "fn main() {}\n"),
    ("src/handwritten.rs", "pub fn mine() {}\n"),
    ("NOTES.md", "my notes\n"),
];

fn add_user_files(dir: &Path) {
    for (rel, contents) in USER_FILES {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("user file");
    }
    std::fs::create_dir_all(dir.join("empty-user-folder")).expect("mkdir");
}

fn assert_user_files_intact(dir: &Path) {
    for (rel, contents) in USER_FILES {
        let on_disk = std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("the user's {rel} is gone: {e}"));
        assert_eq!(on_disk, *contents, "the user's {rel} changed");
    }
    assert!(dir.join("empty-user-folder").is_dir(), "the user's empty folder is gone");
}

/// The files of the manifest in `dir`.
fn manifest(dir: &Path) -> BTreeSet<PathBuf> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).expect("a manifest");
    text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(|l| l.split('/').collect()).collect()
}

// ---------------------------------------------------------------------------------------------
// Ownership
// ---------------------------------------------------------------------------------------------

#[test]
fn regenerating_keeps_every_file_of_the_user() {
    let (old, new) = old_and_new();
    let dir = tmp_dir("user-files");
    write::write(&dir, &old).expect("first write");
    add_user_files(&dir);
    let report = write::write(&dir, &new).expect("regenerate");
    assert_user_files_intact(&dir);
    assert_eq!(report.removed, vec![dir.join("old/only.rs"), dir.join("src/gone.rs")]);
    assert!(!dir.join("old").exists(), "a folder emptied by the removal goes too");
    assert!(write::check(&dir, &new).expect("check").is_fresh());
    assert_eq!(manifest(&dir), new.files.keys().cloned().collect());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_git_repository_root_is_refused_and_forcing_deletes_nothing() {
    let (_, new) = old_and_new();
    let dir = tmp_dir("git-root");
    add_user_files(&dir);
    std::fs::write(dir.join("a.txt"), "the user's a.txt\n").expect("user file");
    let before = files(&dir);
    let err = write::write(&dir, &new).expect_err("a non-empty directory without a manifest");
    assert!(matches!(err, WriteError::Unowned { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("--force") && message.contains(".git"), "{message}");
    assert_eq!(files(&dir), before, "a refused run writes nothing");

    let report = write::write_with(&dir, &new, &WriteOptions { force: true, ..WriteOptions::default() }).expect("forced");
    assert_eq!(report.overwritten, vec![dir.join("a.txt")], "the one collision is reported");
    assert!(report.removed.is_empty());
    assert_user_files_intact(&dir);
    for (rel, old) in &before {
        if rel != Path::new("a.txt") {
            assert_eq!(std::fs::read(dir.join(rel)).as_ref().ok(), Some(old), "{rel:?}");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_unrelated_non_empty_directory_is_refused() {
    let (_, new) = old_and_new();
    let dir = tmp_dir("unrelated");
    std::fs::write(dir.join("holiday.jpg"), "not code").expect("file");
    let err = write::write(&dir, &new).expect_err("refused");
    assert!(matches!(err, WriteError::Unowned { .. }), "{err}");
    assert_eq!(files(&dir).len(), 1);
    // Forced, every generated file is added and the photo stays.
    write::write_with(&dir, &new, &WriteOptions { force: true, ..WriteOptions::default() }).expect("forced");
    assert_eq!(std::fs::read_to_string(dir.join("holiday.jpg")).expect("kept"), "not code");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_new_generated_file_never_overwrites_a_users_file() {
    let (old, new) = old_and_new();
    let dir = tmp_dir("collision");
    write::write(&dir, &old).expect("first write");
    add_user_files(&dir);
    // The user wrote src/deep/new/c.rs, which the new set now generates.
    std::fs::create_dir_all(dir.join("src/deep/new")).expect("mkdir");
    std::fs::write(dir.join("src/deep/new/c.rs"), "mine").expect("user file");
    let before = files(&dir);
    let err = write::write(&dir, &new).expect_err("collision");
    match &err {
        WriteError::Collisions { paths, .. } => assert_eq!(paths, &vec![dir.join("src/deep/new/c.rs")]),
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(files(&dir), before, "a refused run writes nothing");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_earlier_output_without_a_manifest_is_adopted() {
    // A crate generated before manifests existed: its files carry the @generated header or hold
    // exactly what would be written; a stray file without the header is the user's.
    let header = format!("// {}\n", apigen_codegen::LEGACY_GENERATED_HEADER);
    let old = set(&[("src/lib.rs", &format!("{header}old")), ("same.txt", "same")]);
    let new = set(&[("src/lib.rs", &format!("{header}new")), ("same.txt", "same")]);
    let dir = tmp_dir("adopt");
    write::write(&dir, &old).expect("write");
    std::fs::remove_file(dir.join(MANIFEST)).expect("no manifest");
    std::fs::write(dir.join("stray.rs"), "unknown origin").expect("file");
    let report = write::write(&dir, &new).expect("adopted without --force");
    assert!(report.overwritten.is_empty());
    assert_eq!(std::fs::read_to_string(dir.join("stray.rs")).expect("kept"), "unknown origin");
    assert_eq!(manifest(&dir), new.files.keys().cloned().collect());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn check_reports_a_stale_or_missing_manifest_and_ignores_user_files() {
    let (old, new) = old_and_new();
    let dir = tmp_dir("check");
    write::write(&dir, &new).expect("write");
    add_user_files(&dir);
    assert!(write::check(&dir, &new).expect("check").is_fresh(), "user files are not stale output");
    // A manifest that lists something else is stale.
    std::fs::write(dir.join(MANIFEST), old.manifest()).expect("stale manifest");
    let report = write::check(&dir, &new).expect("check");
    assert!(report.changed.contains(&dir.join(MANIFEST)), "{report:?}");
    std::fs::remove_file(dir.join(MANIFEST)).expect("rm");
    assert_eq!(write::check(&dir, &new).expect("check").changed, vec![dir.join(MANIFEST)]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_manifest_cannot_make_apigen_delete_outside_its_directory() {
    let (_, new) = old_and_new();
    let root = tmp_dir("escape");
    let dir = root.join("out");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(root.join("precious.txt"), "keep").expect("file");
    std::fs::write(dir.join(MANIFEST), "# manifest\n../precious.txt\n").expect("hostile manifest");
    let err = write::write_with(&dir, &new, &WriteOptions { force: true, ..WriteOptions::default() }).expect_err("refused");
    assert!(matches!(err, WriteError::BadManifest { line: 2, .. }), "{err}");
    assert_eq!(std::fs::read_to_string(root.join("precious.txt")).expect("kept"), "keep");
    std::fs::remove_dir_all(&root).ok();
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
    // 4 files and the manifest.
    assert_eq!(report.changed.len(), 5, "{report:?}");
    assert_eq!(report.removed.len(), 2);
    assert_eq!(report.unchanged, 1);
    assert_eq!(mtime("same.txt"), same_before, "an unchanged file is not rewritten");
    assert!(write::check(&dir, &new).expect("check").is_fresh());
    assert!(write::write(&dir, &new).expect("again").is_fresh(), "a second run changes nothing");
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------------------------------------
// Rollback at every step
// ---------------------------------------------------------------------------------------------

/// Fails the run with an I/O error before each of its steps in turn; each time every tree must be
/// byte for byte (and folder for folder) what it was. Returns the number of steps of the run.
fn rollback_at_every_step(dirs_and_sets: &[(PathBuf, OutputSet, OutputSet)]) -> usize {
    let reset = || {
        for (dir, old, _) in dirs_and_sets {
            let _ = std::fs::remove_dir_all(dir);
            write::write(dir, old).expect("old tree");
            add_user_files(dir);
        }
    };
    reset();
    let before: Vec<_> = dirs_and_sets.iter().map(|(d, ..)| (files(d), dirs(d))).collect();
    let targets: Vec<(&Path, &OutputSet)> = dirs_and_sets.iter().map(|(d, _, new)| (d.as_path(), new)).collect();
    for step in 0.. {
        let options = WriteOptions { failpoint: Some(Failpoint { step, action: FailAction::Error }), ..WriteOptions::default() };
        match write::write_all(&targets, &options) {
            Err(e) => {
                assert!(e.to_string().contains(&format!("injected failure at step {step}")), "{e}");
                let after: Vec<_> = dirs_and_sets.iter().map(|(d, ..)| (files(d), dirs(d))).collect();
                assert!(after == before, "step {step}: the rollback left the trees changed");
            }
            Ok(_) => {
                for (dir, _, new) in dirs_and_sets {
                    assert!(write::check(dir, new).expect("check").is_fresh());
                    assert_user_files_intact(dir);
                }
                return step;
            }
        }
        assert!(step < 10_000, "the run never finished");
    }
    unreachable!()
}

#[test]
fn a_failure_at_any_step_rolls_back_every_tree() {
    let (old, new) = old_and_new();
    let one = tmp_dir("rollback-1");
    let two = tmp_dir("rollback-2");
    let steps = rollback_at_every_step(&[(one.clone(), old.clone(), new.clone()), (two.clone(), new.clone(), old.clone())]);
    assert!(steps > 20, "every folder, temporary, fsync, rename and deletion is a step: {steps}");
    // Into a directory that does not exist yet: the rollback removes what it created.
    let fresh = tmp_dir("rollback-fresh").join("a").join("b");
    let targets = [(fresh.as_path(), &new)];
    for step in 0..3 {
        let options = WriteOptions { failpoint: Some(Failpoint { step, action: FailAction::Error }), ..WriteOptions::default() };
        write::write_all(&targets, &options).expect_err("injected");
        assert!(!fresh.parent().expect("parent").exists(), "step {step}: created folders are removed");
    }
    for d in [one, two, fresh.parent().expect("p").parent().expect("p").to_path_buf()] {
        std::fs::remove_dir_all(d).ok();
    }
}

// ---------------------------------------------------------------------------------------------
// A crash at every step (child processes)
// ---------------------------------------------------------------------------------------------

/// The environment variables that turn the `crash_child` test into the child of
/// `crash_at_every_step`: the scenario folder and the step to abort at.
const CHILD_DIR: &str = "APIGEN_CRASH_CHILD_DIR";
const CHILD_STEP: &str = "APIGEN_CRASH_CHILD_STEP";
const CHILD_FORCE: &str = "APIGEN_CRASH_CHILD_FORCE";

/// One output directory of a crash scenario: its old and new sets, stored as JSON so that the
/// child writes exactly what the parent expects.
fn save_set(path: &Path, set: &OutputSet) {
    let map: BTreeMap<String, &String> = set.files.iter().map(|(p, c)| (p.to_string_lossy().replace('\\', "/"), c)).collect();
    std::fs::write(path, serde_json::to_string(&map).expect("json")).expect("save");
}

fn load_set(path: &Path) -> OutputSet {
    let map: BTreeMap<String, String> = serde_json::from_str(&std::fs::read_to_string(path).expect("load")).expect("json");
    let mut out = OutputSet::default();
    for (p, c) in map {
        out.files.insert(p.split('/').collect(), c);
    }
    out
}

/// Not a test of its own: the child process of `crash_at_every_step`, which writes the
/// scenario's new sets and aborts (as `kill -9` would stop it) before the given step. Without
/// the environment variables it does nothing.
#[test]
fn crash_child() {
    let (Some(dir), Some(step)) = (std::env::var_os(CHILD_DIR), std::env::var(CHILD_STEP).ok()) else { return };
    let root = PathBuf::from(dir);
    let step: usize = step.parse().expect("step");
    let n = std::fs::read_to_string(root.join("count")).expect("count").trim().parse::<usize>().expect("n");
    let sets: Vec<(PathBuf, OutputSet)> =
        (0..n).map(|i| (root.join(format!("out{i}")), load_set(&root.join(format!("new{i}.json"))))).collect();
    let targets: Vec<(&Path, &OutputSet)> = sets.iter().map(|(d, s)| (d.as_path(), s)).collect();
    let force = std::env::var_os(CHILD_FORCE).is_some();
    let options = WriteOptions { force, failpoint: Some(Failpoint { step, action: FailAction::Abort }) };
    write::write_all(&targets, &options).expect("the write completes when the step is past its end");
}

/// A user's file that a forced run overwrites: `(path, the user's bytes)`.
type Collision<'a> = Option<(&'a str, &'a str)>;

/// Runs the child once per step, from 0 until a child completes the write, and checks the trees
/// after each crash and after the rerun that repairs them.
fn crash_at_every_step(name: &str, scenario: &[(OutputSet, OutputSet)], collision: Collision<'_>) -> usize {
    let root = tmp_dir(&format!("crash-{name}"));
    std::fs::write(root.join("count"), scenario.len().to_string()).expect("count");
    for (i, (_, new)) in scenario.iter().enumerate() {
        save_set(&root.join(format!("new{i}.json")), new);
    }
    let out = |i: usize| root.join(format!("out{i}"));
    for step in 0.. {
        for (i, (old, _)) in scenario.iter().enumerate() {
            let _ = std::fs::remove_dir_all(out(i));
            write::write(&out(i), old).expect("old tree");
            add_user_files(&out(i));
            if let Some((rel, bytes)) = collision {
                std::fs::create_dir_all(out(i).join(rel).parent().expect("parent")).expect("mkdir");
                std::fs::write(out(i).join(rel), bytes).expect("the user's file");
            }
        }
        let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"));
        if collision.is_some() {
            child.env(CHILD_FORCE, "1");
        }
        let status = child
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, &root)
            .env(CHILD_STEP, step.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run the child");
        for (i, (old, new)) in scenario.iter().enumerate() {
            let dir = out(i);
            assert_user_files_intact(&dir);
            let on_disk = files(&dir);
            let listed = manifest(&dir);
            for (rel, bytes) in &on_disk {
                // The manifest's own temporary is the generator's by its name.
                if USER_FILES.iter().any(|(u, _)| Path::new(u) == rel) || rel == Path::new(MANIFEST) || rel == Path::new(MANIFEST_TMP) {
                    continue;
                }
                let text = String::from_utf8_lossy(bytes).into_owned();
                if let Some((c, user)) = collision.filter(|(c, _)| Path::new(c) == rel) {
                    // Still the user's: a later run must not take it for a file of its own. Once
                    // replaced, it may stay unclaimed until the final manifest (a rerun then
                    // finds the generator's exact bytes there, or asks for --force again).
                    assert!(text == user || new.files.get(rel) == Some(&text), "step {step}: {c} is neither the user's nor new");
                    assert!(text != user || !listed.contains(rel), "step {step}: the user's {rel:?} is in the manifest");
                    continue;
                }
                if old.files.contains_key(rel) || new.files.contains_key(rel) {
                    assert!(
                        old.files.get(rel) == Some(&text) || new.files.get(rel) == Some(&text),
                        "step {step}, {}: {rel:?} is neither old nor new",
                        dir.display()
                    );
                }
                // Generated files and temporaries alike: a later run must know them as its own.
                assert!(listed.contains(rel), "step {step}: {rel:?} is on disk but the manifest does not claim it");
            }
            for (rel, _) in old.files.iter().filter(|(rel, _)| new.files.contains_key(*rel)) {
                assert!(on_disk.contains_key(rel), "step {step}: {rel:?} is missing (neither old nor new)");
            }
        }
        let completed = status.success();
        if !completed {
            assert!(status.code().is_none() || status.code() == Some(134), "step {step}: the child failed otherwise: {status}");
        }
        // The rerun repairs: exactly the new files, the user's, and the manifest.
        let targets: Vec<(PathBuf, &OutputSet)> = scenario.iter().enumerate().map(|(i, (_, new))| (out(i), new)).collect();
        let refs: Vec<(&Path, &OutputSet)> = targets.iter().map(|(d, s)| (d.as_path(), *s)).collect();
        let options = WriteOptions { force: collision.is_some(), ..WriteOptions::default() };
        write::write_all(&refs, &options).unwrap_or_else(|e| panic!("step {step}: the rerun fails: {e}"));
        for (i, (_, new)) in scenario.iter().enumerate() {
            let dir = out(i);
            let mut expected: BTreeSet<PathBuf> = new.files.keys().cloned().collect();
            expected.insert(MANIFEST.into());
            expected.extend(USER_FILES.iter().map(|(u, _)| PathBuf::from(u)));
            assert_eq!(files(&dir).into_keys().collect::<BTreeSet<_>>(), expected, "step {step}: after the rerun");
            assert!(write::check(&dir, new).expect("check").is_fresh());
        }
        if completed {
            std::fs::remove_dir_all(&root).ok();
            return step;
        }
        assert!(step < 10_000, "the run never finished");
    }
    unreachable!()
}

#[test]
fn a_crash_at_any_step_leaves_every_file_old_or_new() {
    let (old, new) = old_and_new();
    // Two directories in one run, the second going the other way.
    let steps = crash_at_every_step("small", &[(old.clone(), new.clone()), (new, old)], None);
    assert!(steps > 20, "{steps} steps");
}

/// `--force` over a user's file at a path the run now generates: until the new file is in
/// place, the manifest never claims the user's file.
#[test]
fn a_crash_while_forcing_never_hands_a_users_file_to_the_generator() {
    let (old, new) = old_and_new();
    let steps = crash_at_every_step("force", &[(old, new)], Some(("src/deep/new/c.rs", "the user's c.rs\n")));
    assert!(steps > 10, "{steps} steps");
}

/// The real thing: a generated crate replaced by another API's crate.
#[test]
fn a_crash_at_any_step_of_a_crate_regeneration_is_repaired_by_a_rerun() {
    let (qp, ep) = in_repo(|| {
        (
            apigen_codegen::generate(Path::new("spec/questionpro/openapi.json"), &GeneratorSettings::new("questionpro")).expect("qp"),
            apigen_codegen::generate(Path::new("spec/epixel/openapi.json"), &GeneratorSettings::new("epixel")).expect("ep"),
        )
    });
    let steps = crash_at_every_step("crate", &[(qp, ep)], None);
    assert!(steps > 30, "{steps} steps");
}
