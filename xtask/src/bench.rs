//! `cargo xtask bench`: the targets of issue 14, each measured in one run against a baseline
//! measured in the same run, printed with its figure and PASS/FAIL, then a summary:
//!
//! - how much a document with no operations generates (everything that does not depend on the
//!   API lives in `apigen-runtime`), target under 300 lines of Rust;
//! - how many generated files a fix inside the runtime changes, target 0;
//! - generation of nexus.json: wall time and peak memory of `apigen` against progenitor's CLI
//!   (`cargo-progenitor`), targets at most 0.4x and 1.2x;
//! - the first `cargo check` of our nexus crate with every feature against progenitor's
//!   client-only crate, target at most 0.8x (CPU time, with wall time beside it);
//! - the generated server's throughput against the hand-written handler when the server thread
//!   is the bottleneck (`spec-tests`' `server_throughput` bench), target at least 0.95x.
//!
//! `cargo xtask bench --only PART` runs one part ([`PARTS`]).
//!
//! The comparisons with progenitor need its CLI: `cargo install --locked --root .tools
//! cargo-progenitor` (or anywhere on `PATH`, or `APIGEN_PROGENITOR=/path/to/cargo-progenitor`);
//! without it they are printed as skipped, with that command.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use apigen_codegen::{GeneratorSettings, Job, Mode, OutputSet, RuntimeCrate, RuntimeDependency, RuntimeMode};

/// One target: what it is, the figure measured, and the verdict (`None`: not measured).
struct Target {
    what: &'static str,
    figure: String,
    pass: Option<bool>,
}

impl Target {
    fn new(what: &'static str, figure: String, pass: bool) -> Self {
        let target = Target { what, figure, pass: Some(pass) };
        target.print();
        target
    }

    fn skipped(what: &'static str, why: String) -> Self {
        let target = Target { what, figure: why, pass: None };
        target.print();
        target
    }

    fn verdict(&self) -> &'static str {
        match self.pass {
            Some(true) => "PASS",
            Some(false) => "FAIL",
            None => "SKIPPED",
        }
    }

    fn print(&self) {
        println!("target: {}: {} {}", self.what, self.figure, self.verdict());
    }
}

const NEXUS: &str = "../shared/corpus/progenitor/sample_openapi/nexus.json";
const INSTALL_PROGENITOR: &str = "install progenitor's CLI with `cargo install --locked --root .tools cargo-progenitor` \
                                  (or put `cargo-progenitor` on PATH, or set APIGEN_PROGENITOR)";

/// The parts of `cargo xtask bench`, by the name `--only` takes, in the order they run.
pub const PARTS: [(&str, &str); 7] = [
    ("lines", "lines of Rust for a document with no operations"),
    ("runtime-fix", "files a runtime fix changes"),
    ("modes", "build time of the three modes (examples/)"),
    ("speed", "generation speed of small/medium/large specs, scaling 1x-8x (`cargo bench --bench generate`)"),
    ("generation", "nexus.json generation time and peak memory against progenitor"),
    ("check", "nexus.json `cargo check` time against progenitor"),
    ("throughput", "generated server throughput against the hand-written handler"),
];

/// Runs every benchmark, or only the parts `only` names (see [`PARTS`]); fails when a
/// measurement could not be made (a target that is measured and missed is reported, not an
/// error: the benchmark is not a test).
pub fn run(jobs: &Result<Vec<Job>, String>, only: &[String]) -> ExitCode {
    let want = |part: &str| only.is_empty() || only.iter().any(|o| o == part);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut targets = Vec::new();
    let mut failed = false;
    if want("lines") {
        match empty_document_lines() {
            Some(lines) => targets.push(Target::new("no-operation document, lines of Rust < 300", format!("{lines}"), lines < 300)),
            None => failed = true,
        }
    }
    if want("runtime-fix") {
        match jobs.as_ref().map_err(Clone::clone).and_then(|jobs| runtime_fix_changes(jobs)) {
            Ok(changed) => targets.push(Target::new("files a runtime fix changes = 0", format!("{changed}"), changed == 0)),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    if want("modes") && !compare_modes(&cargo) {
        failed = true;
    }
    if want("speed") {
        let status = Command::new(&cargo).args(["bench", "-p", "apigen-codegen", "--bench", "generate"]).status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("error: the generation benchmark failed");
            failed = true;
        }
    }
    let nexus = Path::new(NEXUS);
    let (generation, check) = (want("generation"), want("check"));
    match (nexus.is_file(), progenitor()) {
        _ if !generation && !check => {}
        (false, _) => {
            let why = format!("{NEXUS} not found");
            if generation {
                targets.push(Target::skipped("nexus generation time <= 0.4x progenitor", why.clone()));
                targets.push(Target::skipped("nexus generation peak memory <= 1.2x progenitor", why.clone()));
            }
            if check {
                targets.push(Target::skipped("nexus cargo check, all features <= 0.8x progenitor (client)", why));
            }
        }
        (true, None) => {
            if generation {
                targets.push(Target::skipped("nexus generation time <= 0.4x progenitor", INSTALL_PROGENITOR.into()));
                targets.push(Target::skipped("nexus generation peak memory <= 1.2x progenitor", INSTALL_PROGENITOR.into()));
            }
            if check {
                targets.push(Target::skipped("nexus cargo check, all features <= 0.8x progenitor (client)", INSTALL_PROGENITOR.into()));
            }
        }
        (true, Some(progenitor)) => {
            if generation {
                match generation_against_progenitor(&cargo, &progenitor, nexus) {
                    Ok(found) => targets.extend(found),
                    Err(e) => {
                        eprintln!("error: {e}");
                        failed = true;
                    }
                }
            }
            if check {
                match check_time_against_progenitor(&cargo, &progenitor, nexus) {
                    Ok(found) => targets.push(found),
                    Err(e) => {
                        eprintln!("error: {e}");
                        failed = true;
                    }
                }
            }
        }
    }
    if want("throughput") {
        match server_throughput(&cargo) {
            Ok(found) => targets.push(found),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    println!("\nsummary of the targets (issue 14):");
    for t in &targets {
        println!("  {:<7} {:<62} {}", t.verdict(), t.what, t.figure);
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// progenitor's CLI: `APIGEN_PROGENITOR`, then `.tools/bin/cargo-progenitor`, then `PATH`.
fn progenitor() -> Option<PathBuf> {
    let candidates = std::env::var_os("APIGEN_PROGENITOR")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from(".tools/bin/cargo-progenitor"), PathBuf::from("cargo-progenitor")]);
    candidates.into_iter().find(|c| Command::new(c).args(["progenitor", "--help"]).output().is_ok_and(|o| o.status.success())).map(|c| {
        if c.components().count() > 1 {
            std::fs::canonicalize(&c).unwrap_or(c)
        } else {
            c
        }
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn spread(v: &[f64]) -> String {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{lo:.3}..{hi:.3}")
}

/// What [`measure`] found: wall seconds, peak RSS in KiB and CPU seconds (user + system), the
/// last two only with GNU time.
struct Measured {
    wall: f64,
    rss: Option<u64>,
    cpu: Option<f64>,
}

/// Runs `cmd` under GNU time (`/usr/bin/time -f "%e %M %U %S"`): wall seconds, peak RSS in KiB and
/// CPU seconds (RSS and CPU are `None` without GNU time, which then times the command itself).
fn measure(cmd: &mut Command) -> Result<Measured, String> {
    let gnu_time = Path::new("/usr/bin/time");
    if gnu_time.is_file() {
        let report = std::env::temp_dir().join(format!("apigen-bench-time-{}", std::process::id()));
        let mut timed = Command::new(gnu_time);
        timed.arg("-o").arg(&report).args(["-f", "%e %M %U %S"]).arg(cmd.get_program()).args(cmd.get_args());
        if let Some(dir) = cmd.get_current_dir() {
            timed.current_dir(dir);
        }
        let start = Instant::now();
        let out =
            timed.stdout(Stdio::null()).stderr(Stdio::piped()).output().map_err(|e| format!("cannot run {}: {e}", gnu_time.display()))?;
        let wall = start.elapsed().as_secs_f64();
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        let _ = std::fs::remove_file(&report);
        if !out.status.success() {
            return Err(format!("{:?} failed:\n{}", cmd.get_program(), String::from_utf8_lossy(&out.stderr)));
        }
        let fields: Vec<&str> = text.split_whitespace().collect();
        let rss = fields.get(1).and_then(|k| k.parse().ok());
        let seconds = |i: usize| fields.get(i).and_then(|s| s.parse::<f64>().ok());
        let cpu = seconds(2).zip(seconds(3)).map(|(user, system)| user + system);
        return Ok(Measured { wall, rss, cpu });
    }
    let start = Instant::now();
    let out = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).output().map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        return Err(format!("{:?} failed:\n{}", cmd.get_program(), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(Measured { wall: start.elapsed().as_secs_f64(), rss: None, cpu: None })
}

/// The release `apigen` binary, built now.
fn apigen(cargo: &str) -> Result<PathBuf, String> {
    let ok = Command::new(cargo)
        .args(["build", "--quiet", "--release", "-p", "apigen-codegen", "--bin", "apigen"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return Err("cannot build the release apigen binary".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    std::fs::canonicalize(target.join("release/apigen")).map_err(|e| format!("release apigen binary: {e}"))
}

/// Generation of nexus.json by both command lines, writing a crate into an empty directory,
/// alternating, 7 rounds: medians of wall time and peak RSS, and their ratios.
fn generation_against_progenitor(cargo: &str, progenitor: &Path, nexus: &Path) -> Result<Vec<Target>, String> {
    let apigen = apigen(cargo)?;
    let nexus = std::fs::canonicalize(nexus).map_err(|e| e.to_string())?;
    let base = std::env::temp_dir().join(format!("apigen-gen-bench-{}", std::process::id()));
    let (ours, theirs) = (base.join("ours"), base.join("theirs"));
    let ours_cmd = || {
        let _ = std::fs::remove_dir_all(&ours);
        let mut c = Command::new(&apigen);
        c.arg("--spec").arg(&nexus).arg("--out").arg(&ours).args(["--crate-name", "ours-nexus", "--quiet"]);
        c
    };
    let theirs_cmd = || {
        let _ = std::fs::remove_dir_all(&theirs);
        let mut c = Command::new(progenitor);
        c.args(["progenitor", "-i"]).arg(&nexus).arg("-o").arg(&theirs).args(["-n", "progenitor-nexus", "-v", "0.1.0"]);
        c
    };
    // Warm the page cache and both binaries.
    measure(&mut ours_cmd())?;
    measure(&mut theirs_cmd())?;
    let (mut time_ratios, mut ta, mut tb, mut ma, mut mb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut ca, mut cb) = (Vec::new(), Vec::new());
    for round in 0..7 {
        let (a, b) = if round % 2 == 0 {
            let a = measure(&mut ours_cmd())?;
            (a, measure(&mut theirs_cmd())?)
        } else {
            let b = measure(&mut theirs_cmd())?;
            (measure(&mut ours_cmd())?, b)
        };
        time_ratios.push(a.wall / b.wall);
        ta.push(a.wall);
        tb.push(b.wall);
        if let (Some(x), Some(y)) = (a.rss, b.rss) {
            ma.push(x as f64 / 1024.0);
            mb.push(y as f64 / 1024.0);
        }
        if let (Some(x), Some(y)) = (a.cpu, b.cpu) {
            ca.push(x);
            cb.push(y);
        }
    }
    let _ = std::fs::remove_dir_all(&base);
    println!("\ngeneration of nexus.json, command line to written crate (7 rounds, alternating, medians):");
    println!("  progenitor: {:.3} s (rounds {})", median(tb.clone()), spread(&tb));
    println!("  apigen:     {:.3} s (rounds {})", median(ta.clone()), spread(&ta));
    if !ca.is_empty() {
        // Not a target: when other processes keep the cores busy, wall time is mostly waiting for
        // a core, and the wall-time ratio drifts towards this one (apigen renders on every core,
        // progenitor on one).
        let (a, b) = (median(ca), median(cb));
        println!("  CPU time (user + system): progenitor {b:.3} s, apigen {a:.3} s, ratio {:.2}", a / b);
    }
    let time_ratio = median(time_ratios.clone());
    let mut found = vec![Target::new(
        "nexus generation time <= 0.4x progenitor",
        format!("{time_ratio:.2}x (per-round ratios {})", spread(&time_ratios)),
        time_ratio <= 0.4,
    )];
    if ma.is_empty() {
        found.push(Target::skipped("nexus generation peak memory <= 1.2x progenitor", "needs GNU time at /usr/bin/time".into()));
    } else {
        let (a, b) = (median(ma), median(mb));
        println!("  peak RSS: progenitor {b:.1} MiB, apigen {a:.1} MiB");
        found.push(Target::new(
            "nexus generation peak memory <= 1.2x progenitor",
            format!("{:.2}x ({a:.1} MiB vs {b:.1} MiB)", a / b),
            a / b <= 1.2,
        ));
    }
    Ok(found)
}

/// Times `cargo check` of our nexus crate (default features and all features) and progenitor's,
/// in one shared target directory where their dependencies are already built, alternating,
/// five rounds; prints medians and the ratios.
///
/// The figure compared is the first check of each crate (`cargo clean -p` of the crate alone,
/// then `cargo check`): what a user waits for after generating it. Each is measured as wall
/// time and, under GNU time, as CPU time (user + system of cargo and rustc). The verdict is the
/// median per-round ratio of CPU time when it is available: rustc checks a crate on one thread,
/// so on an idle machine its CPU time is its wall time, while on a shared machine the wall time
/// also measures the other processes. The check after touching an unchanged file is printed
/// too, but it mostly measures loading the crate's incremental cache.
fn check_time_against_progenitor(cargo: &str, progenitor: &Path, nexus: &Path) -> Result<Target, String> {
    let base = std::env::temp_dir().join("apigen-check-bench");
    let ours = base.join("ours-nexus");
    let theirs = base.join("progenitor-nexus");
    let target = base.join("target");
    let _ = std::fs::remove_dir_all(&ours);
    let _ = std::fs::remove_dir_all(&theirs);
    let jobs = [Job { name: "ours-nexus".into(), spec: nexus.to_path_buf(), out: ours.clone() }];
    apigen_codegen::run(&jobs, Mode::Write).map_err(|e| e.to_string())?;
    // progenitor prints its type graph while it works; show it only when it fails.
    let generated = Command::new(progenitor)
        .args(["progenitor", "-i"])
        .arg(nexus)
        .arg("-o")
        .arg(&theirs)
        .args(["-n", "progenitor-nexus", "-v", "0.1.0"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", progenitor.display()))?;
    if !generated.status.success() {
        return Err(format!(
            "{}{}cargo progenitor failed",
            String::from_utf8_lossy(&generated.stdout),
            String::from_utf8_lossy(&generated.stderr)
        ));
    }
    let run = |dir: &Path, args: &[&str]| -> bool {
        Command::new(cargo).args(args).current_dir(dir).env("CARGO_TARGET_DIR", &target).status().is_ok_and(|s| s.success())
    };
    let gnu_time = Path::new("/usr/bin/time");
    let report = base.join("time.txt");
    // The first check of the crate, its dependencies already built: wall and CPU seconds.
    let first_check = |dir: &Path, package: &str, extra: &[&str]| -> Option<(f64, Option<f64>)> {
        if !run(dir, &["clean", "--quiet", "-p", package]) {
            return None;
        }
        let mut command = if gnu_time.is_file() {
            let mut timed = Command::new(gnu_time);
            timed.arg("-o").arg(&report).args(["-f", "%U %S", cargo]);
            timed
        } else {
            Command::new(cargo)
        };
        command.args(["check", "--quiet"]).args(extra).current_dir(dir).env("CARGO_TARGET_DIR", &target);
        let start = Instant::now();
        let ok = command.status().is_ok_and(|s| s.success());
        let wall = start.elapsed().as_secs_f64();
        let cpu = gnu_time
            .is_file()
            .then(|| std::fs::read_to_string(&report).ok())
            .flatten()
            .and_then(|text| text.split_whitespace().map(str::parse::<f64>).sum::<Result<f64, _>>().ok());
        ok.then_some((wall, cpu))
    };
    // The check after touching an unchanged file (incremental).
    let recheck = |dir: &Path| -> Option<f64> {
        let lib = dir.join("src/lib.rs");
        let text = std::fs::read_to_string(&lib).ok()?;
        std::fs::write(&lib, text).ok()?;
        let start = Instant::now();
        run(dir, &["check", "--quiet"]).then(|| start.elapsed().as_secs_f64())
    };
    // Build the dependencies once for each.
    if !run(&ours, &["check", "--quiet", "--all-features"]) || !run(&ours, &["check", "--quiet"]) || !run(&theirs, &["check", "--quiet"]) {
        return Err("a nexus crate does not compile".into());
    }
    let (mut a, mut b, mut c, mut ra, mut rb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut wall_ratios, mut cpu_ratios, mut cpu_b, mut cpu_c) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..5 {
        // Alternate which crate goes first, so drift affects both alike.
        let (x, y, z) = if round % 2 == 0 {
            let x = first_check(&ours, "ours-nexus", &[]);
            let y = first_check(&theirs, "progenitor-nexus", &[]);
            (x, y, first_check(&ours, "ours-nexus", &["--all-features"]))
        } else {
            let z = first_check(&ours, "ours-nexus", &["--all-features"]);
            let y = first_check(&theirs, "progenitor-nexus", &[]);
            (first_check(&ours, "ours-nexus", &[]), y, z)
        };
        if let (Some((y, cy)), Some((z, cz))) = (y, z) {
            wall_ratios.push(z / y);
            if let (Some(cy), Some(cz)) = (cy, cz) {
                cpu_ratios.push(cz / cy);
                cpu_b.push(cy);
                cpu_c.push(cz);
            }
        }
        a.extend(x.map(|(w, _)| w));
        b.extend(y.map(|(w, _)| w));
        c.extend(z.map(|(w, _)| w));
    }
    // The re-checks after the rounds, each crate first checked once with the features it is
    // re-checked with: `cargo clean -p` in the rounds removes every feature set's artifacts
    // of the crate, so a re-check inside a round could be a first check.
    if !run(&ours, &["check", "--quiet"]) || !run(&theirs, &["check", "--quiet"]) {
        return Err("a nexus crate does not compile".into());
    }
    for _ in 0..5 {
        ra.extend(recheck(&ours));
        rb.extend(recheck(&theirs));
    }
    let (a, b, c, ra, rb) = (median(a), median(b), median(c), median(ra), median(rb));
    println!("\ncargo check of the crate generated from nexus.json (dependencies already built, median of 5):");
    println!("  first check (cargo clean -p <crate>, then cargo check), wall time:");
    println!("    progenitor (client):             {b:>6.2} s");
    println!("    ours, default features (client): {a:>6.2} s  ratio {:.2}", a / b);
    println!("    ours, all features (client, server, mock, schemars): {c:>6.2} s  ratio {:.2}", c / b);
    println!("  re-check after touching an unchanged src/lib.rs (incremental; mostly cache loading):");
    println!("    progenitor {rb:.2} s, ours {ra:.2} s, ratio {:.2}", ra / rb);
    let wall = median(wall_ratios.clone());
    if cpu_ratios.is_empty() {
        return Ok(Target::new(
            "nexus cargo check, all features <= 0.8x progenitor (client)",
            format!("{wall:.2}x wall time ({c:.2} s vs {b:.2} s; per-round ratios {}; no GNU time for CPU time)", spread(&wall_ratios)),
            wall <= 0.8,
        ));
    }
    let (cb, cc, cpu) = (median(cpu_b), median(cpu_c), median(cpu_ratios.clone()));
    println!("  first check, CPU time (user + system), all features against progenitor: {cc:.2} s vs {cb:.2} s");
    Ok(Target::new(
        "nexus cargo check, all features <= 0.8x progenitor (client)",
        format!(
            "{cpu:.2}x CPU time ({cc:.2} s vs {cb:.2} s; per-round ratios {}); wall time {wall:.2}x ({c:.2} s vs {b:.2} s)",
            spread(&cpu_ratios)
        ),
        cpu <= 0.8,
    ))
}

/// Runs `spec-tests`' `server_throughput` bench (output shown as it runs) and reads its summary
/// line. The verdict is the throughput ratio when the server thread was the bottleneck (median
/// utilization >= 90%); otherwise the throughput ratio does not measure the servers, and the
/// verdict is the ratio of server CPU time per request, said so.
fn server_throughput(cargo: &str) -> Result<Target, String> {
    use std::io::BufRead;
    let mut child = Command::new(cargo)
        .args(["bench", "-p", "spec-tests", "--bench", "server_throughput"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    let mut summary = None;
    if let Some(out) = child.stdout.take() {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(rest) = line.strip_prefix("summary: ") {
                summary = Some(rest.to_string());
            }
        }
    }
    if !child.wait().is_ok_and(|s| s.success()) {
        return Err("the server_throughput benchmark failed".into());
    }
    let summary = summary.ok_or("the server_throughput benchmark printed no summary line")?;
    let field =
        |name: &str| -> Option<f64> { summary.split_whitespace().find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')?.parse().ok()) };
    let (Some(throughput), Some(cpu), Some(used)) = (field("throughput-ratio"), field("cpu-ratio"), field("utilization")) else {
        return Err(format!("unreadable summary line: {summary}"));
    };
    const WHAT: &str = "generated server throughput >= 0.95x hand-written";
    Ok(if used >= 0.9 {
        Target::new(WHAT, format!("{throughput:.3}x (server thread {:.0}% busy: server-bound)", 100.0 * used), throughput >= 0.95)
    } else {
        Target::new(
            WHAT,
            format!(
                "{throughput:.3}x throughput, but the server thread was only {:.0}% busy (not server-bound), so judged by server CPU per \
                 request: hand/generated {cpu:.3}x",
                100.0 * used
            ),
            cpu >= 0.95,
        )
    })
}

/// The smallest valid OpenAPI document: no operations, no schemas.
const EMPTY_DOCUMENT: &str = r#"{"openapi":"3.1.0","info":{"title":"Empty","version":"1"},"paths":{}}"#;

/// Lines of Rust (`.rs` files, the vendored runtime excluded) in `out`.
fn rust_lines(out: &OutputSet) -> usize {
    out.files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs") && !p.starts_with(apigen_codegen::runtime::VENDORED_DIR))
        .map(|(_, text)| text.lines().count())
        .sum()
}

/// Prints and returns the lines generated for [`EMPTY_DOCUMENT`]; `None` when generation fails.
fn empty_document_lines() -> Option<usize> {
    let dir = std::env::temp_dir().join(format!("apigen-empty-{}", std::process::id()));
    let spec = dir.join("openapi.json");
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&spec, EMPTY_DOCUMENT)) {
        eprintln!("error: cannot write {}: {e}", spec.display());
        return None;
    }
    let generated = apigen_codegen::generate(&spec, &GeneratorSettings::new("empty"));
    let _ = std::fs::remove_dir_all(&dir);
    let out = match generated {
        Ok(out) => out,
        Err(e) => {
            eprintln!("{e}");
            return None;
        }
    };
    let lines = rust_lines(&out);
    let per_file: Vec<String> = out
        .files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
        .map(|(p, t)| format!("{} {}", p.display(), t.lines().count()))
        .collect();
    let all: usize = out.files.values().map(|t| t.lines().count()).sum();
    println!("\nOpenAPI document with no operations: {lines} lines of Rust (target < 300): {}", per_file.join(", "));
    println!("  {all} lines in all {} files (with Cargo.toml, README.md and the bundled openapi.json)", out.files.len());
    Some(lines)
}

/// A fix of the runtime: the next patch version, with one source file changed.
fn fixed_runtime() -> RuntimeCrate {
    let mut runtime = RuntimeCrate::embedded();
    let mut parts: Vec<u64> = runtime.version.split('.').filter_map(|p| p.parse().ok()).collect();
    if let Some(patch) = parts.last_mut() {
        *patch += 1;
    }
    runtime.version = parts.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
    for (path, text) in &mut runtime.files {
        if path == Path::new("src/server/mod.rs") {
            text.push_str("\n/// A fix.\npub fn fixed() {}\n");
        }
    }
    runtime
}

/// Generates `job` against `runtime`, depending on it as `mode` says.
fn generate(job: &Job, mode: &RuntimeMode, runtime: &RuntimeCrate) -> Result<OutputSet, String> {
    let mut settings = GeneratorSettings::new(&job.name);
    let dependency: RuntimeDependency = mode.dependency_for(&job.out).map_err(|e| e.to_string())?;
    settings.with_runtime(dependency).with_runtime_crate(runtime.clone());
    apigen_codegen::generate(&job.spec, &settings).map_err(|e| e.to_string())
}

/// Counts the files of `jobs` whose bytes differ between the embedded runtime and a fixed one.
fn changed_files(jobs: &[Job], mode: &RuntimeMode) -> Result<(usize, usize), String> {
    let (before, after) = (RuntimeCrate::embedded(), fixed_runtime());
    let (mut changed, mut total) = (0, 0);
    for job in jobs {
        let (a, b) = (generate(job, mode, &before)?, generate(job, mode, &after)?);
        let paths: std::collections::BTreeSet<&PathBuf> = a.files.keys().chain(b.files.keys()).collect();
        total += paths.len();
        changed += paths.into_iter().filter(|p| a.files.get(*p) != b.files.get(*p)).count();
    }
    Ok((changed, total))
}

/// Prints and returns how many generated files a runtime fix changes (target: none).
fn runtime_fix_changes(jobs: &[Job]) -> Result<usize, String> {
    let fixed = fixed_runtime();
    let (changed, total) = changed_files(jobs, &RuntimeMode::default())?;
    let (vendored, vendored_total) = changed_files(jobs, &RuntimeMode::Vendored)?;
    println!(
        "A runtime fix ({} -> {}, src/server/mod.rs changed) changes {changed} of the {total} files generated for {} crates \
         (generated/, tests/crates/) (target 0)",
        RuntimeCrate::embedded().version,
        fixed.version,
        jobs.len()
    );
    println!("  for contrast, vendored (`RuntimeMode::Vendored`): {vendored} of {vendored_total} files change (the copies of the runtime)");
    Ok(changed)
}

/// The three ways to use a generated API, by their example crate (`examples/`, the same
/// document in each): the packages that are the API's code in that mode, and the generator
/// packages the mode builds for the host.
const MODES: [(&str, &str, &[&str], &[&str]); 3] = [
    ("checked-in crate (apigen CLI)", "cli", &["example-cli", "petstore"], &[]),
    ("build.rs (module::build)", "build-rs", &["example-build-rs"], &["apigen-codegen"]),
    ("generate_api! macro", "macro", &["example-macro"], &["apigen-codegen", "apigen-macros"]),
];

/// `cargo xtask bench modes`: the build time of each mode for the same document, as ratios to
/// the checked-in crate measured in the same run (one target directory, `target/bench-modes`,
/// whose third-party dependencies are built first and then kept).
///
/// Per mode and round, alternating the order: the first `cargo build` of the example after
/// `cargo clean -p` of its own packages (what a change of the spec rebuilds; the generator is
/// already built), then the same with the generator's packages cleaned too (what a first build,
/// or a new generator version, adds: the checked-in crate has none). Medians of
/// `APIGEN_BENCH_ROUNDS` rounds (default 3).
pub fn compare_modes(cargo: &str) -> bool {
    use std::process::Command;
    let rounds: usize = std::env::var("APIGEN_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = root.join("target/bench-modes");
    let build = |example: &str, args: &[&str]| -> bool {
        let manifest = root.join("examples").join(example).join("Cargo.toml");
        Command::new(cargo)
            .args(args)
            .arg("--quiet")
            .arg("--locked")
            .arg("--manifest-path")
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target)
            .status()
            .is_ok_and(|s| s.success())
    };
    for (_, example, _, _) in MODES {
        if !build(example, &["build"]) {
            eprintln!("error: examples/{example} does not build");
            return false;
        }
    }
    let timed = |example: &str, clean: &[&str]| -> Option<f64> {
        let mut args = vec!["clean"];
        for p in clean {
            args.extend(["-p", p]);
        }
        if !build(example, &args) {
            return None;
        }
        let start = std::time::Instant::now();
        build(example, &["build"]).then(|| start.elapsed().as_secs_f64())
    };
    let mut spec_change = vec![Vec::new(); MODES.len()];
    let mut with_generator = vec![Vec::new(); MODES.len()];
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..MODES.len()).collect();
        order.rotate_left(round % MODES.len());
        for i in order {
            let (_, example, own, host) = MODES[i];
            let Some(t) = timed(example, own) else {
                eprintln!("error: examples/{example} does not build");
                return false;
            };
            spec_change[i].push(t);
            let all: Vec<&str> = own.iter().chain(host.iter()).copied().collect();
            let Some(t) = timed(example, &all) else {
                eprintln!("error: examples/{example} does not build");
                return false;
            };
            with_generator[i].push(t);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let base = (median(&mut spec_change[0]), median(&mut with_generator[0]));
    println!("\nBuild time of each mode, petstore-expanded (examples/), median of {rounds}; ratio to the checked-in crate:");
    println!("  {:<32} {:>22} {:>30}", "mode", "after a spec change", "with the generator built too");
    for (i, (name, _, _, _)) in MODES.iter().enumerate() {
        let (a, b) = (median(&mut spec_change[i]), median(&mut with_generator[i]));
        println!("  {name:<32} {a:>8.2} s ({:>5.2}x) {b:>14.2} s ({:>5.2}x)", a / base.0, b / base.1);
    }
    true
}
