//! The crate metadata from the document: what `Cargo.toml` says when the settings say nothing.
//!
//! | `Cargo.toml` | from |
//! |---|---|
//! | `description` | `info.summary`, else the first sentence of `info.description`, else "Generated ... for `info.title`." |
//! | `license` | `info.license.identifier`, else `info.license.name` when it is an SPDX expression; otherwise no `license` and the README names the license |
//! | `homepage` | `externalDocs.url`, else `info.contact.url` |
//! | `repository`, `publish` | only the settings |
//! | `version` | never `info.version`: an API's version is not the crate's semver (`cargo xtask gen` versions crates by the API diff) |

use serde_json::Value;

use crate::ir::package::Package;

/// The metadata: `settings` wins over the document. Also the license the README names when it
/// is not an SPDX expression (`"Proprietary (https://example.com/terms)"`).
pub fn package(doc: &Value, settings: &Package) -> (Package, Option<String>) {
    let info = doc.get("info");
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let title = text(info.and_then(|i| i.get("title")));
    let description = text(info.and_then(|i| i.get("summary")))
        .or_else(|| text(info.and_then(|i| i.get("description"))).map(|d| first_sentence(&d)))
        .or_else(|| title.map(|t| format!("Generated models, client and server for {t}.")));
    let license = info.and_then(|i| i.get("license"));
    let identifier = text(license.and_then(|l| l.get("identifier")));
    let name = text(license.and_then(|l| l.get("name")));
    let url = text(license.and_then(|l| l.get("url")));
    let spdx = identifier.clone().filter(|i| is_spdx_expression(i)).or_else(|| name.clone().filter(|n| is_spdx_expression(n)));
    let note = match (&spdx, identifier.or(name)) {
        (None, Some(name)) => Some(match url {
            Some(url) => format!("{name} ({url})"),
            None => name,
        }),
        (None, None) => url,
        (Some(_), _) => None,
    };
    let homepage = text(doc.pointer("/externalDocs/url")).or_else(|| text(info.and_then(|i| i.pointer("/contact/url"))));
    let package = Package {
        version: settings.version.clone(),
        license: settings.license.clone().or(spdx),
        description: settings.description.clone().or(description),
        repository: settings.repository.clone(),
        homepage: settings.homepage.clone().or(homepage),
        publish: settings.publish,
        dependencies: settings.dependencies.clone(),
    };
    // A license set by the settings replaces the document's note.
    let note = if settings.license.is_some() { None } else { note };
    (package, note)
}

/// The first sentence of the first paragraph of Markdown `text`, on one line (a manifest's
/// `description` is a one-liner).
fn first_sentence(text: &str) -> String {
    let paragraph = text.split("\n\n").map(str::trim).find(|p| !p.is_empty()).unwrap_or_default();
    let line = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    // A sentence ends at `. ` before a capital letter (not at `e.g. the` or `v2.1`).
    let end = line.match_indices(". ").find(|(i, _)| line[i + 2..].starts_with(|c: char| c.is_uppercase())).map(|(i, _)| i + 1);
    end.map_or(line.clone(), |end| line[..end].to_string())
}

/// SPDX license identifiers crates.io users meet most; an expression of these (with `AND`,
/// `OR`, `WITH` an exception, parentheses, `+`) or of `LicenseRef-*` is accepted. Any other name
/// is not trusted to be SPDX and goes to the README instead of `Cargo.toml`.
const SPDX_IDS: &[&str] = &[
    "0BSD",
    "AFL-3.0",
    "AGPL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.1",
    "Apache-2.0",
    "Artistic-2.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSL-1.0",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.2",
    "GPL-2.0",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.1",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MIT-0",
    "MPL-2.0",
    "MS-PL",
    "NCSA",
    "ODbL-1.0",
    "OFL-1.1",
    "PostgreSQL",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "Unlicense",
    "UPL-1.0",
    "W3C",
    "WTFPL",
    "Zlib",
];

/// Exceptions that may follow `WITH`.
const SPDX_EXCEPTIONS: &[&str] = &["LLVM-exception", "Classpath-exception-2.0", "GCC-exception-3.1"];

/// Whether `text` is an SPDX license expression over [`SPDX_IDS`].
pub fn is_spdx_expression(text: &str) -> bool {
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    // Grammar: expr := term ((AND|OR) term)*; term := '(' expr ')' | id ['+'] [WITH exception].
    fn expr(t: &[&str], mut i: usize) -> Option<usize> {
        i = term(t, i)?;
        while matches!(t.get(i), Some(&"AND" | &"OR")) {
            i = term(t, i + 1)?;
        }
        Some(i)
    }
    fn term(t: &[&str], i: usize) -> Option<usize> {
        match *t.get(i)? {
            "(" => {
                let j = expr(t, i + 1)?;
                (t.get(j) == Some(&")")).then_some(j + 1)
            }
            id => {
                let base = id.strip_suffix('+').unwrap_or(id);
                let known = SPDX_IDS.iter().any(|k| k.eq_ignore_ascii_case(base))
                    || base
                        .strip_prefix("LicenseRef-")
                        .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'));
                if !known {
                    return None;
                }
                if t.get(i + 1) == Some(&"WITH") {
                    let e = t.get(i + 2)?;
                    return SPDX_EXCEPTIONS.iter().any(|x| x.eq_ignore_ascii_case(e)).then_some(i + 3);
                }
                Some(i + 1)
            }
        }
    }
    !tokens.is_empty() && expr(&tokens, 0) == Some(tokens.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_expressions() {
        for ok in [
            "MIT",
            "MIT OR Apache-2.0",
            "(MIT OR Apache-2.0) AND BSD-3-Clause",
            "Apache-2.0 WITH LLVM-exception",
            "GPL-2.0+",
            "LicenseRef-Acme",
        ] {
            assert!(is_spdx_expression(ok), "{ok}");
        }
        for bad in ["", "Apache 2.0", "Proprietary", "MIT OR", "(MIT", "MIT AND AND ISC", "MIT WITH Foo", "All rights reserved"] {
            assert!(!is_spdx_expression(bad), "{bad}");
        }
    }
}
