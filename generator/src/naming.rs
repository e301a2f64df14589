//! Naming: the one place where wire names become Rust identifiers.
//!
//! Every emitter and template asks this module; nothing else decides a name.

use std::collections::BTreeSet;

/// Splits a wire name into lowercase words: `shortURL` -> `short url`, `user-id` -> `user id`,
/// `HOLDING_TANK` -> `holding tank`, `custom1` -> `custom1`.
pub fn words(input: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = input.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if c.is_uppercase() => {
                p.is_lowercase() || p.is_ascii_digit() || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            }
            _ => false,
        };
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `user-id` -> `UserId`; a name that starts with a digit gets the prefix `N` (`1040` ->
/// `N1040`), and `Self` (the one keyword in Pascal case, which cannot be raw) gets a `_` suffix,
/// so the result is always an identifier.
pub fn pascal_case(input: &str) -> String {
    let mut out: String = words(input)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|f| f.to_uppercase().chain(cs).collect::<String>()).unwrap_or_default()
        })
        .collect();
    if out.is_empty() {
        out.push_str("Unnamed");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'N');
    }
    if out == "Self" {
        out.push('_');
    }
    // A non-ASCII first letter becomes `uXXXX`: Pascal case starts with `U`.
    let mut out = ascii_only(out);
    if out.starts_with('u') {
        out.replace_range(..1, "U");
    }
    out
}

/// The name of a model type (`user-id` -> `UserId`): [`pascal_case`], and a `Model` suffix for
/// the prelude names generated code uses without a path ([`PRELUDE_NAMES`]: `Ok(..)`,
/// `TryFrom<String>`), which a model of that name would shadow. The suffix is a word, not `_`:
/// typify writes a name through heck's Pascal case, which drops a trailing `_`.
pub fn type_name(input: &str) -> String {
    let out = pascal_case(input);
    if PRELUDE_NAMES.contains(&out.as_str()) {
        format!("{out}Model")
    } else {
        out
    }
}

/// Prelude items that the models module (typify's code in it) names without a path: `Ok(..)`,
/// `Some(..)`, `TryFrom<String>`. A model of the same name would shadow them. (`Result` is only
/// written bare inside typify's own `error` module, which a model cannot shadow.)
pub const PRELUDE_NAMES: &[&str] = &["Ok", "Err", "Some", "None", "String"];

/// `shortURL` -> `short_url`; Rust keywords get a raw prefix (`type` -> `r#type`), and the few
/// that cannot be raw get a `_` suffix (`self` -> `self_`).
pub fn snake_case(input: &str) -> String {
    let mut out = words(input).join("_");
    if out.is_empty() {
        out.push_str("unnamed");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    let out = ascii_only(out);
    escape_keyword(&out)
}

/// [`snake_case`] without raw identifiers (`type` -> `type_`), for names that also appear
/// inside format strings (`format!("{type_}")`), where `r#type` cannot.
pub fn snake_case_not_raw(input: &str) -> String {
    let out = snake_case(input);
    match out.strip_prefix("r#") {
        Some(keyword) => format!("{keyword}_"),
        None => out,
    }
}

/// `holdingTank` -> `HOLDING_TANK`, for constants.
pub fn shouty_snake_case(input: &str) -> String {
    let out = snake_case(input);
    out.trim_start_matches("r#").to_uppercase()
}

/// Replaces non-ASCII letters so the identifier is valid in every edition and lint setting.
fn ascii_only(s: String) -> String {
    if s.is_ascii() {
        return s;
    }
    s.chars().map(|c| if c.is_ascii() { c.to_string() } else { format!("u{:x}", c as u32) }).collect()
}

const STRICT_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in", "let",
    "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "gen", "macro", "override", "priv", "try", "typeof", "unsized", "virtual",
    "yield",
];

/// Keywords that cannot be raw identifiers.
const NON_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Escapes a keyword: `type` -> `r#type`, `self` -> `self_`.
pub fn escape_keyword(ident: &str) -> String {
    if NON_RAW.contains(&ident) {
        format!("{ident}_")
    } else if STRICT_KEYWORDS.contains(&ident) {
        format!("r#{ident}")
    } else {
        ident.to_string()
    }
}

/// A crate name from an output directory: its last component in snake case (`my-api` ->
/// `my_api`), or `api`.
pub fn crate_name_from(dir: &std::path::Path) -> String {
    dir.file_name()
        .map(|n| words(&n.to_string_lossy()).join("_"))
        .filter(|n| !n.is_empty() && !n.starts_with(|c: char| c.is_ascii_digit()))
        // A crate called `crate` or `std` cannot be named from its own binary.
        .map(|n| if is_reserved_crate_name(&n) { format!("{n}_api") } else { n })
        .unwrap_or_else(|| "api".to_string())
}

/// Keywords and the standard crates' names, which a generated crate cannot have.
fn is_reserved_crate_name(name: &str) -> bool {
    STRICT_KEYWORDS.contains(&name) || NON_RAW.contains(&name) || ["std", "core", "alloc", "proc_macro", "test"].contains(&name)
}

/// The field name typify gives a property (heck's snake case, invalid characters as `-`, an `x`
/// prefix before a leading digit, a `_` suffix for keywords), so that code we emit can name
/// fields of the structs typify writes.
pub fn typify_field(input: &str) -> String {
    use heck::ToSnakeCase;
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => input.replace('\'', "").replace(|c: char| !is_xid_continue(c), "-").to_snake_case(),
    };
    let out = match out.chars().next() {
        None => "x".to_string(),
        Some(c) if is_xid_start(c) => out,
        Some(_) => format!("x{out}"),
    };
    if STRICT_KEYWORDS.contains(&out.as_str()) || NON_RAW.contains(&out.as_str()) {
        format!("{out}_")
    } else {
        out
    }
}

/// True for characters that may start a Rust identifier (Unicode `XID_Start`), as typify and
/// the Rust lexer decide it: `ﱞ` is alphabetic but not `XID_Start`, and must not reach
/// `Ident::new`.
pub fn is_xid_start(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    syn::parse_str::<syn::Ident>(&c.to_string()).is_ok()
}

/// True for characters that may continue a Rust identifier (Unicode `XID_Continue`).
pub fn is_xid_continue(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    syn::parse_str::<syn::Ident>(&format!("a{c}")).is_ok()
}

/// Makes `candidate` unique among `taken` by appending a counter, and records it.
pub fn unique_ident_from(candidate: String, taken: &mut BTreeSet<String>) -> String {
    if taken.insert(candidate.clone()) {
        return candidate;
    }
    (2..).map(|n| format!("{candidate}{n}")).find(|c| taken.insert(c.clone())).expect("an unbounded counter always finds a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(pascal_case("user-id"), "UserId");
        assert_eq!(pascal_case("community-list-response"), "CommunityListResponse");
        assert_eq!(snake_case("shortURL"), "short_url");
        assert_eq!(snake_case("requestID"), "request_id");
        assert_eq!(snake_case("emailAddress"), "email_address");
        assert_eq!(snake_case("custom1"), "custom1");
        assert_eq!(snake_case("type"), "r#type");
        assert_eq!(snake_case("self"), "self_");
        assert_eq!(snake_case_not_raw("type"), "type_");
        assert_eq!(snake_case_not_raw("self"), "self_");
        assert_eq!(snake_case_not_raw("host"), "host");
        assert_eq!(snake_case("1st"), "_1st");
        assert_eq!(pascal_case("HOLDING_TANK"), "HoldingTank");
        assert_eq!(pascal_case("404"), "N404");
        assert_eq!(pascal_case("self"), "Self_");
        assert_eq!(pascal_case("Self"), "Self_");
        assert_eq!(pascal_case("selfie"), "Selfie");
        assert_eq!(type_name("ok"), "OkModel");
        assert_eq!(type_name("none"), "NoneModel");
        assert_eq!(type_name("string"), "StringModel");
        assert_eq!(type_name("okay"), "Okay");
        assert_eq!(type_name("self"), "Self_");
        assert_eq!(shouty_snake_case("holdingTank"), "HOLDING_TANK");
        assert_eq!(pascal_case("größe"), "Gruf6udfe");
        assert_eq!(pascal_case("日本語"), "U65e5u672cu8a9e");
    }

    /// Found by `tests/fuzz_generator.rs` (`mutated_seed_specs_never_panic`): a property named
    /// `ﱞ` (alphabetic, but not an identifier character) made `Ident::new` panic.
    #[test]
    fn typify_field_names_are_identifiers() {
        for name in ["ﱞ", "café", "ünïcödé", "😀", "", "_", "1st", "a\u{300}b", "\u{300}x", "ﬁ", "Ⅻ", "x²"] {
            let field = typify_field(name);
            assert!(syn::parse_str::<syn::Ident>(&field).is_ok(), "{name:?} -> {field:?}");
        }
        assert_eq!(typify_field("café"), "café");
        assert_eq!(typify_field("ﱞ"), "x");
    }

    #[test]
    fn unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique_ident_from("A".into(), &mut taken), "A");
        assert_eq!(unique_ident_from("A".into(), &mut taken), "A2");
    }
}
