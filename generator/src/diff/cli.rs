//! `apigen diff OLD NEW` and the shared runner of `cargo xtask diff`.
//!
//! ```text
//! apigen diff OLD NEW [--format text|markdown|json] [--fail-on breaking|clients|servers|major|never]
//!                     [--crate-name NAME]
//! ```
//!
//! OLD and NEW are files or `git:<rev>:<path>`. Exit codes: 0 nothing fails the `--fail-on`
//! condition, 1 something does, 2 bad usage or a document that cannot be read.

use std::process::ExitCode;

use super::report::Format;
use super::source::Spec;
use super::DiffReport;

/// When `--fail-on` makes the command fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Never (the default): the report is information only.
    #[default]
    Never,
    /// A change breaks clients or servers.
    Breaking,
    /// A change breaks clients.
    Clients,
    /// A change breaks servers.
    Servers,
    /// The generated Rust API changes in a semver-major way.
    Major,
}

impl FailOn {
    /// Parses the flag's value.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "never" => Self::Never,
            "breaking" => Self::Breaking,
            "clients" => Self::Clients,
            "servers" => Self::Servers,
            "major" => Self::Major,
            _ => return None,
        })
    }

    /// True when the report meets the condition.
    pub fn fails(self, report: &DiffReport) -> bool {
        match self {
            Self::Never => false,
            Self::Breaking => report.breaks_clients() || report.breaks_servers(),
            Self::Clients => report.breaks_clients(),
            Self::Servers => report.breaks_servers(),
            Self::Major => report.rust_level == Some(super::rust_api::Level::Major),
        }
    }
}

/// The arguments of `apigen diff`.
#[derive(Debug, Clone)]
pub struct DiffArgs {
    /// The old document.
    pub old: Spec,
    /// The new document.
    pub new: Spec,
    /// The output format.
    pub format: Format,
    /// When to exit with 1.
    pub fail_on: FailOn,
    /// The name the generated crates are compared under (it appears in no verdict).
    pub crate_name: String,
}

/// The usage line.
pub const USAGE: &str =
    "usage: apigen diff OLD NEW [--format text|markdown|json] [--fail-on breaking|clients|servers|major|never] [--crate-name NAME]
  OLD and NEW are files or git:<rev>:<path> (e.g. git:HEAD:spec/api/openapi.json)";

/// Parses the arguments after `diff`.
///
/// # Errors
///
/// A message for the user (print it with [`USAGE`]).
pub fn parse_args(args: &[String]) -> Result<DiffArgs, String> {
    let mut positional = Vec::new();
    let mut format = Format::Text;
    let mut fail_on = FailOn::Never;
    let mut crate_name = "api".to_string();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--format" => {
                let v = it.next().ok_or("--format needs text, markdown or json")?;
                format = Format::parse(v).ok_or_else(|| format!("unknown format `{v}`: use text, markdown or json"))?;
            }
            "--fail-on" => {
                let v = it.next().ok_or("--fail-on needs breaking, clients, servers, major or never")?;
                fail_on =
                    FailOn::parse(v).ok_or_else(|| format!("unknown --fail-on `{v}`: use breaking, clients, servers, major or never"))?;
            }
            "--crate-name" => crate_name = it.next().ok_or("--crate-name needs a name")?.clone(),
            flag if flag.starts_with("--") => return Err(format!("unknown flag `{flag}`")),
            other => positional.push(other.to_string()),
        }
    }
    let [old, new] = positional.as_slice() else {
        return Err(format!("expected OLD and NEW, got {} argument(s)", positional.len()));
    };
    Ok(DiffArgs { old: Spec::parse(old), new: Spec::parse(new), format, fail_on, crate_name })
}

/// Compares the two documents of `args`.
///
/// # Errors
///
/// A document that cannot be read or bundled.
pub fn report(args: &DiffArgs) -> Result<DiffReport, String> {
    let old = args.old.materialize()?;
    let new = args.new.materialize()?;
    super::compare(
        &super::Input { root: &old.root, label: args.old.label() },
        &super::Input { root: &new.root, label: args.new.label() },
        &args.crate_name,
    )
    .map_err(|d| d.to_string())
}

/// Runs `apigen diff`: prints the report on stdout and returns the exit code.
pub fn run(args: &DiffArgs) -> ExitCode {
    match report(args) {
        Ok(report) => {
            print!("{}", super::report::render(&report, args.format));
            if args.fail_on.fails(&report) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// `apigen diff ARGS...`: parses, then [`run`]s.
pub fn main(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match parse_args(args) {
        Ok(a) => run(&a),
        Err(msg) => {
            eprintln!("error: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
